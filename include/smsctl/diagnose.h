/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file diagnose.h
 * "Why didn't my SMS go out?": an ordered, read-only walk through the layers a text message
 * passes, producing findings.
 *
 * The walk: port -> modem -> SIM -> signal -> registration -> SMS service -> storage ->
 * receive configuration. Each check produces findings; a failed lower layer stops the checks
 * that depend on it (no registration or storage check without a ready SIM, no signal or
 * registration check with the radio off, nothing at all when the port cannot be opened or
 * the modem does not answer), while independent problems are all reported. Findings are
 * ordered by layer, so the first warning or error is the root cause.
 *
 * A finding has a stable id (see the table below and CONTRACTS.md; ids never change with
 * the language), a severity, a one-line summary, a detail, a remedy a shop owner can follow,
 * and the evidence: the AT commands and the exact lines the modem answered. Several commands
 * chained on one line (`AT+CFUN?;+CSQ`) are shown one by one, each with its own lines.
 * Summary, detail and remedy are translated through gettext (domain `smsctl`) when the
 * finding is made.
 *
 * | id | severity | id | severity |
 * |---|---|---|---|
 * | port.not_found | error | net.not_registered | error |
 * | port.permission | error | net.searching | error |
 * | port.busy | error | net.denied | error |
 * | port.no_answer | error | net.roaming | info |
 * | port.noise | warning | net.ps_only | warning |
 * | modem.radio_off | error | sms.service_unavailable | error |
 * | sim.absent | error | sms.smsc_missing | error |
 * | sim.pin_required | error | sms.smsc_invalid | error |
 * | sim.puk_required | error | sms.storage_full | error |
 * | sim.blocked | error | sms.storage_nearly_full | warning |
 * | sim.failure | error | sms.storage_mismatch | warning |
 * | sim.busy | warning | sms.indications_off | info |
 * | signal.none | error | signal.weak | warning |
 *
 * Checks that passed give `ok` findings (`port.ok`, `modem.ok`, `sim.ok`, `signal.ok`,
 * `net.ok`, `sms.service_ok`, `sms.smsc_ok`, `sms.storage_ok`, `sms.indications_ok`);
 * `info` findings such as `modem.identity` describe what was seen.
 *
 * Signal thresholds. RSSI from `+CSQ` (TS 27.007 8.5: dBm = -113 + 2 * rssi, rssi 0..31;
 * 99 = not known, which is never read as "no signal"); bars 0-5 as handsets count them:
 * >= -73 dBm 5, >= -83 4, >= -93 3, >= -103 2, >= -109 1, else 0. From `+CESQ` (TS 27.007
 * 8.69): RSRP dBm = -141 + rsrp (0..97), RSRQ dB = -20 + rsrq / 2 (0..34), RSCP dBm = -121 +
 * rscp (0..96); 99/255 = not known. Vendor reports (Huawei `^HCSQ`, Quectel `+QCSQ`) are
 * asked when neither gives a level.
 *  - `signal.none` (error): rssi 0 (-113 dBm or less) or RSRP below -135 dBm while the
 *    modem is not registered; or no level known at all while a ready SIM is searching or
 *    not registered (a denied registration proves a network was heard: not "no signal").
 *  - `signal.weak` (warning): RSSI below -101 dBm (two bars or less), RSRP below -115 dBm,
 *    RSRQ below -15 dB or RSCP below -105 dBm. The best source the modem offers decides:
 *    LTE values (+CESQ RSRP) take precedence over RSCP, and RSCP over the GSM RSSI.
 *  - every source unknown while registered: `signal.ok` with the level unknown.
 *
 * Diagnosis never changes lasting state: no PIN is entered unless the caller gives one,
 * nothing is deleted, no stored setting is written (`AT&W`, `+CSCA=`); `+CPMS` may be
 * switched to read each memory the modem lists (SM, ME, MT, SR) and is restored before the
 * walk ends. Per-session settings (`E0`, `V1`, `+CMEE=1`) are set.
 *
 * Threads: thread-aware, not thread-safe; a diagnosis object belongs to one thread at a time.
 * Ownership: a diagnosis is freed with smsctl_diagnosis_free(); findings and strings obtained
 * from it are borrowed until then.
 */
#ifndef SMSCTL_DIAGNOSE_H
#define SMSCTL_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/common.h>
#include <smsctl/modem.h>

SMSCTL_BEGIN_DECLS

/** The result of a diagnosis (opaque): smsctl_diagnose_device() or smsctl_modem_diagnose(),
 *  freed with smsctl_diagnosis_free(). */
struct smsctl_diagnosis;
/** One finding (opaque): borrowed from its diagnosis until smsctl_diagnosis_free(). */
struct smsctl_finding;
/** Options of a diagnosis (opaque): smsctl_diagnose_options_new(), freed with
 *  smsctl_diagnose_options_free(); NULL means the defaults. */
struct smsctl_diagnose_options;

/** Severity of a finding, in increasing order. */
enum smsctl_severity {
	SMSCTL_SEVERITY_OK = 1,	     /**< a check passed */
	SMSCTL_SEVERITY_INFO = 2,    /**< worth knowing, not a problem */
	SMSCTL_SEVERITY_WARNING = 3, /**< SMS may fail or be lost */
	SMSCTL_SEVERITY_ERROR = 4,   /**< SMS cannot go out or come in */
};

/**
 * The name of a severity: "ok", "info", "warning" or "error" (never translated).
 * @return a static string; "unknown" for other values.
 * @since 0.1
 */
SMSCTL_API const char *smsctl_severity_name(enum smsctl_severity sev);

/* ---- Options (NULL means defaults) ---- */

/** @return new options (free with smsctl_diagnose_options_free()), NULL without memory. */
SMSCTL_API struct smsctl_diagnose_options *smsctl_diagnose_options_new(void);
/** Free options; NULL is allowed. */
SMSCTL_API void smsctl_diagnose_options_free(struct smsctl_diagnose_options *opts);
/** The SIM PIN to enter when the SIM asks for one (4 to 8 digits, copied; NULL, the default:
 *  none, a locked SIM is a finding and nothing is entered).
 *  @return 0, ::SMSCTL_ERR_INVALID (NULL opts, not 4-8 digits), ::SMSCTL_ERR_NOMEM. */
SMSCTL_API int smsctl_diagnose_options_set_pin(struct smsctl_diagnose_options *opts,
					       const char *pin);
/*
 * The setters below return 0, or ::SMSCTL_ERR_INVALID for a NULL opts or a zero value.
 */
/** Baud rate used to open a serial device (default 115200). */
SMSCTL_API int smsctl_diagnose_options_set_baud(struct smsctl_diagnose_options *opts,
						unsigned baud);
/** Timeout of one command in milliseconds (default 10000). */
SMSCTL_API int smsctl_diagnose_options_set_timeout(struct smsctl_diagnose_options *opts,
						   unsigned timeout_ms);
/** Trace the AT exchange of a device opened by smsctl_diagnose_device() (PIN masked) through
 *  fn (NULL: no trace); userdata is passed to fn. */
SMSCTL_API int smsctl_diagnose_options_set_trace(struct smsctl_diagnose_options *opts,
						 smsctl_trace_fn fn, void *userdata);
/** Probe the other ttys of the same USB device with `AT` when the port does not answer
 *  (default true). */
SMSCTL_API int smsctl_diagnose_options_set_probe_siblings(struct smsctl_diagnose_options *opts,
							  bool on);

/* ---- Running a diagnosis ---- */

/**
 * Open a device and diagnose it. Failing to open the port is a finding (port.not_found,
 * port.permission, port.busy), not an error; so is a port that does not answer.
 * @param device a device string (see modem.h).
 * @param opts NULL for defaults.
 * @param out the diagnosis (free with smsctl_diagnosis_free()), else NULL.
 * @return 0; ::SMSCTL_ERR_INVALID (NULL or malformed device string), ::SMSCTL_ERR_NOMEM.
 * @since 0.1
 */
SMSCTL_API int smsctl_diagnose_device(const char *device,
				      const struct smsctl_diagnose_options *opts,
				      struct smsctl_diagnosis **out);

/**
 * Diagnose a modem that is already open (the port layer is reported as passed).
 * @param m an open modem; its queue should be empty.
 * @param opts NULL for defaults (baud, trace and sibling probing are ignored).
 * @param out the diagnosis (free with smsctl_diagnosis_free()), else NULL.
 * @return 0; ::SMSCTL_ERR_INVALID, ::SMSCTL_ERR_NOMEM. A modem that stops answering is a
 *         finding, not an error.
 * @since 0.1
 */
SMSCTL_API int smsctl_modem_diagnose(struct smsctl_modem *m,
				     const struct smsctl_diagnose_options *opts,
				     struct smsctl_diagnosis **out);

/** Free a diagnosis and its findings; NULL is allowed. */
SMSCTL_API void smsctl_diagnosis_free(struct smsctl_diagnosis *d);

/** The device string diagnosed. Borrowed. */
SMSCTL_API const char *smsctl_diagnosis_get_device(const struct smsctl_diagnosis *d);
/** The highest severity among the findings (::SMSCTL_SEVERITY_OK when none). */
SMSCTL_API enum smsctl_severity smsctl_diagnosis_get_worst(const struct smsctl_diagnosis *d);
/**
 * The root cause: the first finding in layer order among the most severe ones (an error
 * outranks a warning, whatever layer the warning is in). Borrowed; NULL when nothing is wrong
 * (no warning and no error).
 * @since 0.3
 */
SMSCTL_API const struct smsctl_finding *
smsctl_diagnosis_get_root_cause(const struct smsctl_diagnosis *d);
/** Number of AT command lines the diagnosis wrote to the modem. */
SMSCTL_API unsigned long smsctl_diagnosis_get_command_count(const struct smsctl_diagnosis *d);
/** Number of findings. */
SMSCTL_API size_t smsctl_diagnosis_get_count(const struct smsctl_diagnosis *d);
/** The i-th finding in layer order (borrowed), NULL if out of range. */
SMSCTL_API const struct smsctl_finding *
smsctl_diagnosis_get_finding(const struct smsctl_diagnosis *d, size_t i);
/** The first finding with this id (borrowed), NULL if none. */
SMSCTL_API const struct smsctl_finding *smsctl_diagnosis_find(const struct smsctl_diagnosis *d,
							      const char *id);

/** Stable id, e.g. "sim.absent". Borrowed. */
SMSCTL_API const char *smsctl_finding_get_id(const struct smsctl_finding *f);
/** The finding's severity. */
SMSCTL_API enum smsctl_severity smsctl_finding_get_severity(const struct smsctl_finding *f);
/** One translated line. Borrowed. */
SMSCTL_API const char *smsctl_finding_get_summary(const struct smsctl_finding *f);
/** Translated detail: what was seen and what it means ("" when none). Borrowed. */
SMSCTL_API const char *smsctl_finding_get_detail(const struct smsctl_finding *f);
/** Translated remedy a shop owner can follow ("" for ok/info findings without one).
 *  Borrowed. */
SMSCTL_API const char *smsctl_finding_get_remedy(const struct smsctl_finding *f);
/** Number of evidence entries. */
SMSCTL_API size_t smsctl_finding_get_evidence_count(const struct smsctl_finding *f);
/**
 * The i-th evidence entry: the command as sent (PIN masked) and the exact response lines
 * joined by "\n" (final result included). Both borrowed; set to NULL first, and left NULL
 * on failure.
 * @return 0, or ::SMSCTL_ERR_INVALID when f is NULL or i is out of range.
 */
SMSCTL_API int smsctl_finding_get_evidence(const struct smsctl_finding *f, size_t i,
					   const char **command, const char **response);

SMSCTL_END_DECLS

#endif
