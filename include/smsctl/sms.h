/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sms.h
 * SMS operations on an open modem: prepare, send, receive, list, read, delete, status.
 *
 * Operations run on a handle from modem.h and use only its command API. They are blocking
 * (they run the handle's event loop) unless stated otherwise.
 *
 * Ownership: result objects returned through out-pointers belong to the caller and are freed
 * with their `_free()` function (NULL allowed); strings from getters are borrowed until then.
 */
#ifndef SMSCTL_SMS_H
#define SMSCTL_SMS_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/common.h>
#include <smsctl/modem.h>
#include <smsctl/pdu.h>

SMSCTL_BEGIN_DECLS

/**
 * Make the modem predictable for SMS work with the fewest commands: echo off, numeric errors
 * (+CMEE=1), PDU mode (+CMGF=0), each sent only when needed and chained on one line where the
 * modem allows it; then unlock the SIM with pin when it asks for one. Idempotent: a second
 * call on the same handle sends nothing. When the first command gets no answer (a port left
 * at the `>` prompt by a program killed while sending takes every line as PDU text), the
 * prompt is cancelled with ESC, one `AT` is sent with a 2 s timeout and the command once
 * more: such a port recovers in one timeout, a silent modem fails after one timeout + 2 s.
 * @param pin the SIM PIN or NULL; never traced (masked).
 * @return 0; ::SMSCTL_ERR_SIM (absent, PIN needed and none given or wrong, PUK, failure);
 *         ::SMSCTL_ERR_TIMEOUT; ::SMSCTL_ERR_GONE; other negative errors.
 */
SMSCTL_API int smsctl_sms_prepare(struct smsctl_modem *m, const char *pin);

/* --- send (owner: send) --- */

/**
 * After smsctl_sms_prepare(), smsctl_info_read() or smsctl_status_read() failed: one sentence
 * saying what was seen (translated), "" when nothing is known. Never contains the PIN.
 * Borrowed until the next SMS operation on the handle.
 */
SMSCTL_API const char *smsctl_sms_get_error_detail(struct smsctl_modem *m);

/** Options for smsctl_sms_send() (opaque): smsctl_send_options_new(), freed with
 *  smsctl_send_options_free(); NULL means the defaults. */
struct smsctl_send_options;

/** @return new options with the defaults (free with smsctl_send_options_free()), NULL without
 *  memory. */
SMSCTL_API struct smsctl_send_options *smsctl_send_options_new(void);
/** Free options; NULL is allowed. */
SMSCTL_API void smsctl_send_options_free(struct smsctl_send_options *opts);
/*
 * The setters below return 0, or ::SMSCTL_ERR_INVALID for a NULL opts or a value out of range
 * (::SMSCTL_ERR_NOMEM when a copy fails).
 */
/** Flash SMS: message class 0 (default off). */
SMSCTL_API int smsctl_send_options_set_flash(struct smsctl_send_options *opts, bool on);
/** Force UCS-2 even when every character fits GSM 7-bit (default off: chosen automatically). */
SMSCTL_API int smsctl_send_options_set_ucs2(struct smsctl_send_options *opts, bool on);
/** Request a status report (TP-SRR) for every part (default off). */
SMSCTL_API int smsctl_send_options_set_report(struct smsctl_send_options *opts, bool on);
/** Wait up to seconds after the last part for the status reports (implies the request);
 *  0 (default) does not wait. At most 86400. */
SMSCTL_API int smsctl_send_options_set_wait_report(struct smsctl_send_options *opts,
						   unsigned seconds);
/** Retries of one part after a transient failure (default 3, at most 20). */
SMSCTL_API int smsctl_send_options_set_retries(struct smsctl_send_options *opts, unsigned retries);
/** Relative validity in minutes (0, the default, leaves it out; see
 *  smsctl_submit_options_set_validity()). */
SMSCTL_API int smsctl_send_options_set_validity(struct smsctl_send_options *opts,
						unsigned long minutes);
/** SMSC to put in the PDU (`+` and digits, or digits); NULL (default) lets the modem use its
 *  stored one. Copied. */
SMSCTL_API int smsctl_send_options_set_smsc(struct smsctl_send_options *opts, const char *smsc);
/**
 * The waiting between attempts: first_ms before the first retry, doubling, and at most
 * total_ms of waiting for the whole message (defaults 2000 and 30000; at most 600000 and
 * 3600000). Tests shorten it.
 */
SMSCTL_API int smsctl_send_options_set_backoff(struct smsctl_send_options *opts, unsigned first_ms,
					       unsigned total_ms);
/** How long the network's answer to one submit may take after the PDU was handed over, in
 *  milliseconds (default 0: the engine's PDU timeout). The engine never waits less than 60 s
 *  after Ctrl-Z (CONTRACTS: a submit's answer may take that long), so only values above
 *  60000 change anything. At most 3600000. */
SMSCTL_API int smsctl_send_options_set_submit_timeout(struct smsctl_send_options *opts,
						      unsigned timeout_ms);

/** What is known about delivery. */
enum smsctl_report_state {
	SMSCTL_REPORT_NOT_REQUESTED = 1, /**< no status report was asked for */
	SMSCTL_REPORT_REQUESTED = 2,	 /**< asked for, not waited for */
	SMSCTL_REPORT_PENDING = 3,	 /**< waited; not every part has a final report yet */
	SMSCTL_REPORT_DELIVERED = 4,	 /**< every part was delivered */
	SMSCTL_REPORT_FAILED = 5,	 /**< the network gave up on at least one part */
};

/** The outcome of smsctl_sms_send() (opaque): freed with smsctl_send_result_free(). */
struct smsctl_send_result;

/**
 * Send a text: encoded as one or more SMS-SUBMIT PDUs (GSM 7-bit or UCS-2 chosen
 * automatically), each handed over with AT+CMGS. Runs smsctl_sms_prepare(m, NULL) first when
 * the handle was not prepared.
 *
 * A part is tried again after a transient failure (congestion, network out of order, no
 * service while registered, an error before the `>` prompt), with a doubling pause, only when
 * the modem or the network proved it was not accepted. A part handed over without an answer is
 * never submitted again (::SMSCTL_ERR_UNKNOWN_OUTCOME). Before retrying `+CMS ERROR` 330, 331,
 * 332 or 500 the registration and the SMSC are read to find the cause.
 *
 * @param number `+` and digits, or digits (sent as typed, TON unknown).
 * @param text UTF-8 text.
 * @param opts options or NULL.
 * @param out set in every case where a result exists (also on most failures: it says which
 *        parts went out and the modem's exact error); free with smsctl_send_result_free().
 * @return 0 when every part was accepted; ::SMSCTL_ERR_INVALID (bad number, text or option),
 *         ::SMSCTL_ERR_TOO_LONG, ::SMSCTL_ERR_SIM, ::SMSCTL_ERR_NETWORK, ::SMSCTL_ERR_REJECTED
 *         (permanent), ::SMSCTL_ERR_TRANSIENT (nothing more went out; retry later),
 *         ::SMSCTL_ERR_UNKNOWN_OUTCOME, ::SMSCTL_ERR_TIMEOUT, ::SMSCTL_ERR_GONE, others.
 *         A delivery report that failed or did not come is not an error: see
 *         smsctl_send_result_get_report_state().
 */
SMSCTL_API int smsctl_sms_send(struct smsctl_modem *m, const char *number, const char *text,
			       const struct smsctl_send_options *opts,
			       struct smsctl_send_result **out);

/**
 * A message prepared for sending (opaque): the number, a copy of the options and the text
 * encoded once into its SMS-SUBMIT PDUs. Made without the modem, so a program can refuse a
 * text (too long, not UTF-8) or show its part count before opening a port, then send exactly
 * what it checked with smsctl_sms_send_message(). Owned by the caller: free with
 * smsctl_send_message_free(). It borrows nothing: number, text and opts may be freed or
 * changed after smsctl_send_message_new() returns. One message may be sent several times
 * and from several threads (it is never changed by sending).
 */
struct smsctl_send_message;

/**
 * Check and encode a message.
 * @param number recipient, '+' and digits (international) or digits, at most 20 digits.
 * @param text UTF-8.
 * @param opts as for smsctl_sms_send(); NULL means the defaults. Copied.
 * @param out the new message on success (free with smsctl_send_message_free()), else NULL.
 * @return 0; SMSCTL_ERR_INVALID for a bad number or text that is not UTF-8 (or NULL
 *         arguments); SMSCTL_ERR_TOO_LONG for more than 255 parts; SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_send_message_new(const char *number, const char *text,
				       const struct smsctl_send_options *opts,
				       struct smsctl_send_message **out);
/** Free a prepared message; NULL is allowed. */
SMSCTL_API void smsctl_send_message_free(struct smsctl_send_message *msg);
/** The number of SMS parts the text takes (1..255); 0 for NULL. */
SMSCTL_API size_t smsctl_send_message_get_part_count(const struct smsctl_send_message *msg);
/** The coding chosen (GSM 7-bit or UCS-2). */
SMSCTL_API enum smsctl_coding smsctl_send_message_get_coding(const struct smsctl_send_message *msg);

/**
 * Send a prepared message: as smsctl_sms_send() with its number, text and options, without
 * encoding the text again. The message stays the caller's.
 * @return and @p out as for smsctl_sms_send().
 */
SMSCTL_API int smsctl_sms_send_message(struct smsctl_modem *m,
				       const struct smsctl_send_message *msg,
				       struct smsctl_send_result **out);

/** Free a send result; NULL is allowed. */
SMSCTL_API void smsctl_send_result_free(struct smsctl_send_result *res);
/** The destination as given. Borrowed. */
SMSCTL_API const char *smsctl_send_result_get_number(const struct smsctl_send_result *res);
/** The number of parts of the message. */
SMSCTL_API size_t smsctl_send_result_get_total_parts(const struct smsctl_send_result *res);
/** The number of parts the network accepted (the first ones, in order). */
SMSCTL_API size_t smsctl_send_result_get_sent_parts(const struct smsctl_send_result *res);
/** The message reference (TP-MR) of accepted part i, -1 when the modem gave none or i is out
 *  of range. */
SMSCTL_API int smsctl_send_result_get_message_ref(const struct smsctl_send_result *res, size_t i);
/** The coding used (GSM 7-bit or UCS-2). */
SMSCTL_API enum smsctl_coding smsctl_send_result_get_coding(const struct smsctl_send_result *res);
/** Number of AT+CMGS submissions made (retries included). */
SMSCTL_API unsigned smsctl_send_result_get_attempts(const struct smsctl_send_result *res);
/** The error smsctl_sms_send() returned (0 on success). */
SMSCTL_API int smsctl_send_result_get_error(const struct smsctl_send_result *res);
/** The modem's last `+CMS ERROR`/`+CME ERROR` code, -1 when none. */
SMSCTL_API int smsctl_send_result_get_modem_error(const struct smsctl_send_result *res);
/** Whether that code is a CMS (true) or CME (false) error. */
SMSCTL_API bool smsctl_send_result_get_modem_error_is_cms(const struct smsctl_send_result *res);
/** The 3GPP meaning of that code (translated, as smsctl_cms_error_describe() and
 *  smsctl_cme_error_describe()), NULL when none. Static. */
SMSCTL_API const char *
smsctl_send_result_get_modem_error_text(const struct smsctl_send_result *res);
/** Whether the failure is transient (worth retrying later). */
SMSCTL_API bool smsctl_send_result_get_transient(const struct smsctl_send_result *res);
/** The modem's final line of the failed command ("+CMS ERROR: 42"), "" when none. Borrowed. */
SMSCTL_API const char *smsctl_send_result_get_final(const struct smsctl_send_result *res);
/** One sentence on the failure (translated), "" on success. Borrowed. */
SMSCTL_API const char *smsctl_send_result_get_detail(const struct smsctl_send_result *res);
/** Delivery: the state of the whole message. */
SMSCTL_API enum smsctl_report_state
smsctl_send_result_get_report_state(const struct smsctl_send_result *res);
/** TP-Status of the report of part i (0-255), -1 when none arrived. */
SMSCTL_API int smsctl_send_result_get_report_status(const struct smsctl_send_result *res, size_t i);
/** Discharge time of the report of part i (ISO 8601), NULL when none. Borrowed. */
SMSCTL_API const char *smsctl_send_result_get_report_time(const struct smsctl_send_result *res,
							  size_t i);

/* ---- Identity and status ---- */

/** Modem and SIM identity (opaque): smsctl_info_read(), freed with smsctl_info_free(). */
struct smsctl_info;

/**
 * Read the identity: manufacturer, model, revision, IMEI, ICCID (the vendor's command, else
 * the SIM file through AT+CRSM), IMSI, own number. What the modem does not give stays NULL;
 * a missing SIM is not an error here. Echo is switched off and +CMEE=1 set for the session
 * first, as smsctl_sms_prepare() does.
 * @param out required; the identity (free with smsctl_info_free()), else NULL.
 * @return 0, ::SMSCTL_ERR_INVALID (NULL argument), ::SMSCTL_ERR_TIMEOUT, ::SMSCTL_ERR_GONE,
 *         ::SMSCTL_ERR_NOMEM, or another error of smsctl_modem_command() (::SMSCTL_ERR_STATE
 *         when the handle is not open).
 */
SMSCTL_API int smsctl_info_read(struct smsctl_modem *m, struct smsctl_info **out);
/** Free an identity; NULL is allowed. */
SMSCTL_API void smsctl_info_free(struct smsctl_info *info);
/* Each getter returns a string borrowed until smsctl_info_free(), NULL when unknown. */
/** Manufacturer (AT+CGMI). */
SMSCTL_API const char *smsctl_info_get_manufacturer(const struct smsctl_info *info);
/** Model (AT+CGMM). */
SMSCTL_API const char *smsctl_info_get_model(const struct smsctl_info *info);
/** Firmware revision (AT+CGMR). */
SMSCTL_API const char *smsctl_info_get_revision(const struct smsctl_info *info);
/** IMEI (AT+CGSN). */
SMSCTL_API const char *smsctl_info_get_imei(const struct smsctl_info *info);
/** The SIM's ICCID (vendor command, else AT+CRSM). */
SMSCTL_API const char *smsctl_info_get_iccid(const struct smsctl_info *info);
/** The SIM's IMSI (AT+CIMI). */
SMSCTL_API const char *smsctl_info_get_imsi(const struct smsctl_info *info);
/** Own number as the SIM stores it (AT+CNUM); often not stored. */
SMSCTL_API const char *smsctl_info_get_own_number(const struct smsctl_info *info);

/** State of the SIM as +CPIN and CME errors report it. */
enum smsctl_sim_state {
	SMSCTL_SIM_STATE_UNKNOWN = 1, /**< not known (no answer, another CME code) */
	SMSCTL_SIM_STATE_READY = 2,   /**< ready (+CPIN: READY) */
	SMSCTL_SIM_STATE_PIN = 3,     /**< PIN required */
	SMSCTL_SIM_STATE_PUK = 4,     /**< PUK required (blocked) */
	SMSCTL_SIM_STATE_ABSENT = 5,  /**< no SIM inserted (CME 10, +CPIN: NOT INSERTED) */
	SMSCTL_SIM_STATE_FAILURE = 6, /**< SIM failure (CME 13, 15) */
	SMSCTL_SIM_STATE_BUSY = 7,    /**< SIM busy (CME 14, +CPIN: NOT READY) */
	SMSCTL_SIM_STATE_OTHER = 8,   /**< another code (PIN2, PH-SIM ...) */
};

/** Registration domains. */
enum smsctl_reg_domain {
	SMSCTL_REG_CS = 1,  /**< +CREG: circuit switched (SMS over CS) */
	SMSCTL_REG_PS = 2,  /**< +CGREG: GPRS/UMTS packet switched */
	SMSCTL_REG_EPS = 3, /**< +CEREG: LTE */
};

/** Modem status (opaque): smsctl_status_read(), freed with smsctl_status_free(). */
struct smsctl_status;

/**
 * Read the status: SIM state, signal (+CSQ, +CESQ where supported), registration (+CREG,
 * +CGREG, +CEREG), operator, SMSC and storage use. Unsupported commands leave their fields
 * unknown; no PIN is entered and no stored setting is changed (echo is switched off and
 * +CMEE=1 set for the session first, as smsctl_sms_prepare() does).
 * @param out required; the status (free with smsctl_status_free()), else NULL.
 * @return 0, ::SMSCTL_ERR_INVALID (NULL argument), ::SMSCTL_ERR_TIMEOUT, ::SMSCTL_ERR_GONE,
 *         ::SMSCTL_ERR_NOMEM, or another error of smsctl_modem_command() (::SMSCTL_ERR_STATE
 *         when the handle is not open).
 */
SMSCTL_API int smsctl_status_read(struct smsctl_modem *m, struct smsctl_status **out);
/** Free a status; NULL is allowed. */
SMSCTL_API void smsctl_status_free(struct smsctl_status *st);
/** The SIM's state. */
SMSCTL_API enum smsctl_sim_state smsctl_status_get_sim_state(const struct smsctl_status *st);
/**
 * The SIM state the last smsctl_sms_prepare() on this handle found: ::SMSCTL_SIM_STATE_READY
 * after a success; ::SMSCTL_SIM_STATE_PIN, ::SMSCTL_SIM_STATE_PUK, ... when it failed with
 * ::SMSCTL_ERR_SIM or ::SMSCTL_ERR_TRANSIENT because of the SIM; ::SMSCTL_SIM_STATE_UNKNOWN
 * before any prepare, for a NULL handle, or when the SIM was not the cause. Lets a program
 * tell "give the PIN" from "unblock with the PUK" without reading the translated detail.
 * @since 0.2
 */
SMSCTL_API enum smsctl_sim_state smsctl_sms_get_sim_state(struct smsctl_modem *m);
/** Signal strength from +CSQ in dBm, set in *dbm; false when unknown (99). */
SMSCTL_API bool smsctl_status_get_rssi(const struct smsctl_status *st, int *dbm);
/** Signal bars 0-5 from +CSQ (documented in smsctl(1)), -1 when unknown. */
SMSCTL_API int smsctl_status_get_bars(const struct smsctl_status *st);
/** LTE RSRP from +CESQ in dBm, set in *dbm; false when unknown. */
SMSCTL_API bool smsctl_status_get_rsrp(const struct smsctl_status *st, int *dbm);
/** LTE RSRQ from +CESQ in dB (half-dB steps), set in *db; false when unknown. */
SMSCTL_API bool smsctl_status_get_rsrq(const struct smsctl_status *st, double *db);
/** The <stat> of the domain's registration (0-11 as in TS 27.007), -1 when unknown. */
SMSCTL_API int smsctl_status_get_registration(const struct smsctl_status *st,
					      enum smsctl_reg_domain domain);
/** The meaning of a registration <stat> ("registered, home network"), translated, static,
 *  never NULL ("unknown" outside 0-11). */
SMSCTL_API const char *smsctl_registration_describe(int stat);
/** Operator name as +COPS gives it, NULL when unknown. Borrowed. */
SMSCTL_API const char *smsctl_status_get_operator(const struct smsctl_status *st);
/** SMSC address from +CSCA ("" when the modem has none), NULL when unknown. Borrowed. */
SMSCTL_API const char *smsctl_status_get_smsc(const struct smsctl_status *st);
/** Preferred storage for reading ("SM", borrowed) with its use (*used of *total); false when
 *  unknown. */
SMSCTL_API bool smsctl_status_get_storage(const struct smsctl_status *st, const char **mem,
					  int *used, int *total);

/* --- end send --- */

/* --- one part without blocking (owner: daemon) --- */

/*
 * One SMS-SUBMIT handed to the modem without blocking, for programs that run their own event
 * loop and must record each step: smsctld commits a part `sending` before the first byte of
 * AT+CMGS and `sent` after `+CMGS:`, and never submits again a part that may have gone out.
 * Unlike smsctl_sms_send(), nothing is encoded, retried or looked into: the outcome says how
 * far the submit got, the caller decides.
 */

/** How far a submit got (smsctl_sms_submit()). */
enum smsctl_submit_outcome {
	/** `+CMGS: <mr>`: the network accepted it. */
	SMSCTL_SUBMIT_SENT = 1,
	/** It failed before the `>` prompt (an error answer, no prompt within the timeout, the
	 *  modem gone or the handle closed): the PDU was not handed over; submitting it again
	 *  is safe. */
	SMSCTL_SUBMIT_NOT_SENT = 2,
	/** An error answered after the PDU (`+CMS ERROR`): it was not accepted; the code
	 *  (smsctl_cms_error_class()) says whether another try is worth it. */
	SMSCTL_SUBMIT_REJECTED = 3,
	/** The PDU was handed over and no answer came (timeout, EOF/EIO, the handle closed): it
	 *  may have been sent; never submit it again blindly. */
	SMSCTL_SUBMIT_UNKNOWN = 4,
};

/** The outcome of one submit (opaque), borrowed by the ::smsctl_submit_fn for the call. */
struct smsctl_submit;

/** Called once per submit with its outcome (borrowed for the call); userdata as given. */
typedef void (*smsctl_submit_fn)(void *userdata, const struct smsctl_submit *s);

/**
 * Queue `AT+CMGS=<length>` with the PDU for the `>` prompt, and return at once. The handle's
 * loop (smsctl_modem_process(), smsctl_modem_wait(), or any blocking call on the handle)
 * runs it; fn is called exactly once, also when the handle is closed first.
 * The handle should be prepared (smsctl_sms_prepare()); nothing else is sent.
 * @param hex one part as smsctl_encoded_get_hex() gives it: upper- or lower-case hex,
 *        starting with the SMSC address (`00` for the modem's stored one); copied.
 * @param timeout_ms how long the prompt may take, 0 for the handle's default; the answer
 *        after the PDU is waited for at least 60 s (CONTRACTS).
 * @param fn the callback (not NULL); userdata is passed to it.
 * @return 0 when queued; ::SMSCTL_ERR_INVALID (NULL handle, hex or fn, a negative timeout,
 *         hex that is not a PDU: odd length, not hex, an SMSC address running past it);
 *         ::SMSCTL_ERR_STATE (not open); ::SMSCTL_ERR_NOMEM.
 * @since 0.2
 */
SMSCTL_API int smsctl_sms_submit(struct smsctl_modem *m, const char *hex, int timeout_ms,
				 smsctl_submit_fn fn, void *userdata);
/** How far it got (::SMSCTL_SUBMIT_NOT_SENT for NULL). @since 0.2 */
SMSCTL_API enum smsctl_submit_outcome smsctl_submit_get_outcome(const struct smsctl_submit *s);
/** The TP-MR the modem answered with `+CMGS:` (0-255), -1 when none. @since 0.2 */
SMSCTL_API int smsctl_submit_get_message_ref(const struct smsctl_submit *s);
/** The engine's final result of the command. @since 0.2 */
SMSCTL_API enum smsctl_result smsctl_submit_get_result(const struct smsctl_submit *s);
/** The `+CMS ERROR`/`+CME ERROR` code, -1 when none. @since 0.2 */
SMSCTL_API int smsctl_submit_get_error_code(const struct smsctl_submit *s);
/** The final line as received ("+CMS ERROR: 42"), "" when none. Borrowed for the call.
 *  @since 0.2 */
SMSCTL_API const char *smsctl_submit_get_final(const struct smsctl_submit *s);

/*
 * Sending from the modem's storage, without blocking (smsctld's `submit_mode = storage`).
 * A part is written to the storage with AT+CMGW as "STO UNSENT" (stat 2), sent from its slot
 * with AT+CMSS, and its slot read back with AT+CMGR: a modem that marks a slot "STO SENT"
 * (stat 3) once AT+CMSS sent it leaves evidence that survives a crash of the host
 * (TS 27.005 3.5.3 +CMGW, 3.5.2 +CMSS, 3.4.3 +CMGR; not every modem updates the stat, so
 * probe it before relying on it). AT+CMGW and AT+CMSS use the write memory (<mem2> of
 * AT+CPMS), AT+CMGR and AT+CMGD the read memory (<mem1>): the caller keeps them the same.
 * Nothing here switches memories.
 */

/**
 * Send the message stored at @p index (AT+CMSS=index) and return at once; fn is called
 * exactly once with the outcome, as for smsctl_sms_submit(): ::SMSCTL_SUBMIT_SENT with the
 * TP-MR of `+CMSS: <mr>`; ::SMSCTL_SUBMIT_REJECTED for an error answer (the code says which;
 * `+CMS ERROR: 321` is an empty slot); ::SMSCTL_SUBMIT_UNKNOWN when no answer came (timeout,
 * EOF/EIO, the handle closed): the command may have sent it. The answer is waited for at
 * least 60 s.
 * @param timeout_ms how long the answer may take, 0 for 60 s.
 * @return 0 when queued; ::SMSCTL_ERR_INVALID (NULL handle or fn, index outside 0-65535, a
 *         negative timeout); ::SMSCTL_ERR_STATE (not open); ::SMSCTL_ERR_NOMEM.
 * @since 0.5
 */
SMSCTL_API int smsctl_sms_submit_stored(struct smsctl_modem *m, int index, int timeout_ms,
					smsctl_submit_fn fn, void *userdata);

/** The outcome of one slot operation (opaque), borrowed by the ::smsctl_slot_fn for the call.
 *  @since 0.5 */
struct smsctl_slot_op;

/** Called once per slot operation with its outcome (borrowed for the call). @since 0.5 */
typedef void (*smsctl_slot_fn)(void *userdata, const struct smsctl_slot_op *op);

/**
 * Write one SMS-SUBMIT to the storage as "STO UNSENT" (AT+CMGW=<length>,2 and the PDU after
 * the `>` prompt) and return at once; the index of `+CMGW: <index>` is
 * smsctl_slot_op_get_index(). Nothing is sent.
 * @param hex one part as smsctl_encoded_get_hex() gives it (SMSC-prefixed hex); copied.
 * @param timeout_ms how long the prompt may take, 0 for the handle's default.
 * @return 0 when queued; ::SMSCTL_ERR_INVALID (NULL argument, a negative timeout, hex that is
 *         not a PDU); ::SMSCTL_ERR_STATE (not open); ::SMSCTL_ERR_NOMEM.
 * @since 0.5
 */
SMSCTL_API int smsctl_sms_slot_write(struct smsctl_modem *m, const char *hex, int timeout_ms,
				     smsctl_slot_fn fn, void *userdata);
/**
 * Read the status of slot @p index (AT+CMGR=index) and return at once:
 * smsctl_slot_op_get_status() is ::SMSCTL_SMS_UNSENT or ::SMSCTL_SMS_SENT for a stored
 * submit; smsctl_slot_op_get_error() is ::SMSCTL_ERR_NOT_FOUND when the slot is empty.
 * Reading a received unread message marks it read, as every modem does.
 * @return as smsctl_sms_slot_write() (index outside 0-65535 is ::SMSCTL_ERR_INVALID).
 * @since 0.5
 */
SMSCTL_API int smsctl_sms_slot_read(struct smsctl_modem *m, int index, int timeout_ms,
				    smsctl_slot_fn fn, void *userdata);
/**
 * Delete slot @p index (AT+CMGD=index) and return at once.
 * @return as smsctl_sms_slot_read().
 * @since 0.5
 */
SMSCTL_API int smsctl_sms_slot_delete(struct smsctl_modem *m, int index, int timeout_ms,
				      smsctl_slot_fn fn, void *userdata);
/** 0 when the operation succeeded, else ::SMSCTL_ERR_NOT_FOUND (empty slot, `+CMS ERROR: 321`),
 *  ::SMSCTL_ERR_TIMEOUT, ::SMSCTL_ERR_GONE, ::SMSCTL_ERR_SIM, ::SMSCTL_ERR_TRANSIENT (SIM
 *  busy), ::SMSCTL_ERR_UNSUPPORTED, ::SMSCTL_ERR_PROTOCOL (an answer that does not parse),
 *  ::SMSCTL_ERR_MODEM (another error answer); ::SMSCTL_ERR_INVALID for NULL. @since 0.5 */
SMSCTL_API int smsctl_slot_op_get_error(const struct smsctl_slot_op *op);
/** The slot's index (the one written for smsctl_sms_slot_write()), -1 when none. @since 0.5 */
SMSCTL_API int smsctl_slot_op_get_index(const struct smsctl_slot_op *op);
/** The slot's ::smsctl_sms_status after smsctl_sms_slot_read(), 0 when none. @since 0.5 */
SMSCTL_API int smsctl_slot_op_get_status(const struct smsctl_slot_op *op);
/** The engine's final result of the command. @since 0.5 */
SMSCTL_API enum smsctl_result smsctl_slot_op_get_result(const struct smsctl_slot_op *op);
/** The `+CMS ERROR`/`+CME ERROR` code, -1 when none. @since 0.5 */
SMSCTL_API int smsctl_slot_op_get_error_code(const struct smsctl_slot_op *op);
/** The final line as received, "" when none. Borrowed for the call. @since 0.5 */
SMSCTL_API const char *smsctl_slot_op_get_final(const struct smsctl_slot_op *op);
/* --- end one part without blocking --- */

/* --- receive and storage (owner: recv) --- */

/*
 * Stored messages.
 *
 * A modem keeps received (and written) messages in memories named by two letters: "SM" (the
 * SIM), "ME" (the modem's own), "MT" (both, as one: SM and ME combined), "SR" (status
 * reports). Indexes belong to a memory; some modems (Huawei) count from 0, others from 1.
 * Reading or deleting in another memory than the current read memory switches it with
 * AT+CPMS and switches it back before returning, so the modem's setting is left as found.
 *
 * Errors of the storage operations: the modem's error answers are mapped to the library's
 * codes: SIM problems (CMS 310-313, 316-318; CME 5, 10-13, 15-18) are ::SMSCTL_ERR_SIM, SIM
 * busy (CMS 314, CME 14) ::SMSCTL_ERR_TRANSIENT, an invalid index (CMS 321, CME 21, 22)
 * ::SMSCTL_ERR_NOT_FOUND, an operation not allowed or not supported (CMS 302, 303, CME 3, 4)
 * ::SMSCTL_ERR_UNSUPPORTED (as is a bare ERROR to switching the memory: it is not there),
 * every other error answer ::SMSCTL_ERR_MODEM.
 */

/** A message's status in storage (TS 27.005 <stat>), or a filter for listing. */
enum smsctl_sms_status {
	SMSCTL_SMS_UNREAD = 1, /**< received, not yet read (stat 0, "REC UNREAD") */
	SMSCTL_SMS_READ = 2,   /**< received and read (stat 1, "REC READ") */
	SMSCTL_SMS_UNSENT = 3, /**< stored, not sent (stat 2, "STO UNSENT") */
	SMSCTL_SMS_SENT = 4,   /**< stored and sent (stat 3, "STO SENT") */
	SMSCTL_SMS_ALL = 5,    /**< filter only: every message (stat 4, "ALL") */
};

/** A message as stored on the modem (opaque): smsctl_sms_read(), freed with
 *  smsctl_stored_free(); or borrowed from a list. */
struct smsctl_stored;
/** A list of stored messages (opaque): smsctl_sms_list(), freed with
 *  smsctl_stored_list_free(). */
struct smsctl_stored_list;

/** English name of a status ("unread", "read", "unsent", "sent", "all"), static; "" if
 *  unknown. */
SMSCTL_API const char *smsctl_sms_status_name(enum smsctl_sms_status status);
/** Parse "unread", "read", "unsent", "sent" or "all" (case-sensitive).
 *  @return the ::smsctl_sms_status value (> 0); ::SMSCTL_ERR_INVALID when s is NULL or none of
 *  them. */
SMSCTL_API int smsctl_sms_status_from_name(const char *s);

/**
 * The memories the modem can read messages from (the first list of AT+CPMS=?), each once, in
 * the modem's order. "MT" is left out when both "SM" and "ME" are there (it is their union),
 * and so are "SR" and "BM" (status reports and broadcasts are not SMS-DELIVERs).
 * @param out set to a NULL-terminated array of strings; free it with smsctl_sms_storages_free().
 * @return the number of memories; ::SMSCTL_ERR_INVALID (NULL argument), or the errors of
 *         smsctl_modem_command() (::SMSCTL_ERR_MODEM, ::SMSCTL_ERR_TIMEOUT, ...).
 */
SMSCTL_API int smsctl_sms_get_storages(struct smsctl_modem *m, char ***out);
/** Free the array of smsctl_sms_get_storages(); NULL is allowed. */
SMSCTL_API void smsctl_sms_storages_free(char **storages);

/**
 * List stored messages (AT+CMGL in PDU mode). Listing with ::SMSCTL_SMS_UNREAD or
 * ::SMSCTL_SMS_ALL marks unread messages read, as every modem does.
 * @param mem a memory ("SM", "ME", "MT"...), or NULL for every memory that
 *        smsctl_sms_get_storages() names.
 * @param filter which messages.
 * @param out the list (free with smsctl_stored_list_free()), else NULL. Messages whose PDU
 *        does not decode are in the list with a NULL PDU.
 * @return the number of messages; ::SMSCTL_ERR_INVALID; ::SMSCTL_ERR_UNSUPPORTED (memory
 *         unknown to the modem); ::SMSCTL_ERR_MODEM; ::SMSCTL_ERR_TIMEOUT; ::SMSCTL_ERR_GONE...
 */
SMSCTL_API int smsctl_sms_list(struct smsctl_modem *m, const char *mem,
			       enum smsctl_sms_status filter, struct smsctl_stored_list **out);

/**
 * Read one stored message (AT+CMGR). Reading an unread message marks it read.
 * @param mem the memory, or NULL for the current read memory.
 * @param index its index (0 is valid: Huawei).
 * @param out the message (free with smsctl_stored_free()), else NULL.
 * @return 0; ::SMSCTL_ERR_NOT_FOUND when the index is empty or out of range; other errors.
 */
SMSCTL_API int smsctl_sms_read(struct smsctl_modem *m, const char *mem, int index,
			       struct smsctl_stored **out);

/**
 * Delete one stored message (AT+CMGD=index).
 * @param mem the memory, or NULL for the current read memory.
 * @return 0; ::SMSCTL_ERR_NOT_FOUND when the index is out of range; other errors.
 */
SMSCTL_API int smsctl_sms_delete(struct smsctl_modem *m, const char *mem, int index);

/**
 * Delete every message of a memory: AT+CMGD=1,4, or, where the modem refuses that form,
 * listing and deleting each index.
 * @param mem the memory, or NULL for every memory smsctl_sms_get_storages() names.
 * @return 0 or a negative error.
 */
SMSCTL_API int smsctl_sms_delete_all(struct smsctl_modem *m, const char *mem);

/** Free a message from smsctl_sms_read(); NULL is allowed. Never on one borrowed from a list. */
SMSCTL_API void smsctl_stored_free(struct smsctl_stored *s);
/** The memory ("SM"...). Borrowed. */
SMSCTL_API const char *smsctl_stored_get_storage(const struct smsctl_stored *s);
/** The index in its memory (-1 for a NULL message). */
SMSCTL_API int smsctl_stored_get_index(const struct smsctl_stored *s);
/** The message's status (never ::SMSCTL_SMS_ALL). */
SMSCTL_API enum smsctl_sms_status smsctl_stored_get_status(const struct smsctl_stored *s);
/** The decoded PDU (borrowed), NULL when it did not decode (see
 *  smsctl_stored_get_decode_error()). */
SMSCTL_API const struct smsctl_pdu *smsctl_stored_get_pdu(const struct smsctl_stored *s);
/** The PDU as the modem gave it (hex, SMSC-prefixed). Borrowed, never NULL. */
SMSCTL_API const char *smsctl_stored_get_hex(const struct smsctl_stored *s);
/** Why the PDU did not decode (static English), NULL when it did. */
SMSCTL_API const char *smsctl_stored_get_decode_error(const struct smsctl_stored *s);

/** Free a list and its messages; NULL is allowed. */
SMSCTL_API void smsctl_stored_list_free(struct smsctl_stored_list *list);
/** Number of messages in the list. */
SMSCTL_API size_t smsctl_stored_list_get_count(const struct smsctl_stored_list *list);
/** The i-th message (borrowed), NULL if out of range. In memory order, then index order. */
SMSCTL_API const struct smsctl_stored *smsctl_stored_list_get(const struct smsctl_stored_list *list,
							      size_t i);

/*
 * Receiving.
 *
 * A receiver configures the modem's new-message indications (AT+CNMI), reads what already
 * waits in every memory when started, and then reacts to +CMTI (stored, announced) or +CMT
 * (delivered directly) indications. Parts of concatenated messages are put together
 * (out of order, several senders interleaved, 8- and 16-bit references). Each complete
 * message is handed to the program's callback; its stored parts are deleted only after the
 * callback accepted it (returned 0), so a crash, an unplug or a full disk loses nothing: a
 * refused message stays on the modem and is handed over again on the next run, never twice
 * within one run. Parts of a message still incomplete after the maximum age are handed over
 * marked incomplete.
 *
 * Event loops: poll smsctl_modem_get_fd() with smsctl_receiver_get_timeout(), then call
 * smsctl_receiver_process(). smsctl_receiver_run() does the same for a given time.
 * Callbacks run inside smsctl_receiver_start(), _process() and _run(); they must not free the
 * receiver or the modem.
 */

/** How new messages reach the receiver. */
enum smsctl_receive_mode {
	/** Stored by the modem and announced with +CMTI (AT+CNMI=2,1): nothing is lost if the
	 *  program is not running. The default. */
	SMSCTL_RECEIVE_STORED = 1,
	/** Delivered in the indication (+CMT, AT+CNMI=2,2) and acknowledged with AT+CNMA where
	 *  the modem needs it (AT+CSMS=1). A single message the callback refuses is
	 *  acknowledged negatively, so the network delivers it again later; a refused message
	 *  the modem or the receiver acknowledged already (parts of a concatenated message
	 *  held until complete, or every message with AT+CSMS=0) is stored on the modem with
	 *  AT+CMGW for the next run. Parts held until complete live in memory only. */
	SMSCTL_RECEIVE_DIRECT = 2,
};

/** A received message handed to the callback (opaque, borrowed for the call). */
struct smsctl_received;
/** A receiver (opaque): smsctl_receiver_new(), freed with smsctl_receiver_free(). */
struct smsctl_receiver;

/**
 * The program's callback.
 * @return 0 to accept the message (its stored parts are then deleted), anything else to
 *         refuse it (it stays stored; it is handed over again on the next run).
 */
typedef int (*smsctl_receive_fn)(void *userdata, const struct smsctl_received *msg);

/** The reassembled message (borrowed): text, number and parts, see pdu.h. */
SMSCTL_API const struct smsctl_message *
smsctl_received_get_message(const struct smsctl_received *msg);
/** Whether every part is there (false: handed over after the maximum age). */
SMSCTL_API bool smsctl_received_is_complete(const struct smsctl_received *msg);
/** Number of parts present. */
SMSCTL_API size_t smsctl_received_get_part_count(const struct smsctl_received *msg);
/** Memory of the i-th present part, NULL when it came in a +CMT (not stored). Borrowed. */
SMSCTL_API const char *smsctl_received_get_part_storage(const struct smsctl_received *msg,
							size_t i);
/** Index of the i-th present part, -1 when it came in a +CMT (not stored). */
SMSCTL_API int smsctl_received_get_part_index(const struct smsctl_received *msg, size_t i);

/**
 * Create a receiver on an open modem; nothing is sent yet.
 * @param m the modem (borrowed: it must outlive the receiver).
 * @param fn the callback; userdata is passed to it.
 * @param out the receiver (free with smsctl_receiver_free()), else NULL.
 * @return 0, ::SMSCTL_ERR_INVALID, ::SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_receiver_new(struct smsctl_modem *m, smsctl_receive_fn fn, void *userdata,
				   struct smsctl_receiver **out);
/** Remove the URC handlers and free the receiver (incomplete parts stay stored); NULL is
 *  allowed. */
SMSCTL_API void smsctl_receiver_free(struct smsctl_receiver *rx);
/** How messages arrive; default ::SMSCTL_RECEIVE_STORED.
 *  @return 0, ::SMSCTL_ERR_INVALID, ::SMSCTL_ERR_STATE (after smsctl_receiver_start()). */
SMSCTL_API int smsctl_receiver_set_mode(struct smsctl_receiver *rx, enum smsctl_receive_mode mode);
/** Read only this memory at start (and leave the others), NULL for every memory (default).
 *  Copied. @return 0, ::SMSCTL_ERR_INVALID (not a memory name), ::SMSCTL_ERR_STATE (after
 *  smsctl_receiver_start()). */
SMSCTL_API int smsctl_receiver_set_storage(struct smsctl_receiver *rx, const char *mem);
/** Seconds after which an incomplete message is handed over marked incomplete (default 86400;
 *  0 hands incomplete messages over at the end of every start/process call).
 *  @return 0, ::SMSCTL_ERR_INVALID, ::SMSCTL_ERR_STATE (after smsctl_receiver_start()). */
SMSCTL_API int smsctl_receiver_set_max_age(struct smsctl_receiver *rx, unsigned long seconds);
/** Scan every memory this often even though indications are on, for a +CMTI lost to line
 *  noise or dropped by the modem (default 300 s; 0: never). With indications off
 *  (smsctl_receiver_set_indications()) nothing is scanned after start. At most a year.
 *  @return 0, ::SMSCTL_ERR_INVALID, ::SMSCTL_ERR_STATE (after smsctl_receiver_start()). */
SMSCTL_API int smsctl_receiver_set_scan_interval(struct smsctl_receiver *rx, unsigned long seconds);
/** Whether to configure AT+CNMI at start (default true; false leaves it as it is, useful for
 *  reading what is stored and leaving).
 *  @return 0, ::SMSCTL_ERR_INVALID, ::SMSCTL_ERR_STATE (after smsctl_receiver_start()). */
SMSCTL_API int smsctl_receiver_set_indications(struct smsctl_receiver *rx, bool on);

/**
 * Configure the indications, register the URC handlers and hand over every message already
 * stored in every memory (or the one chosen).
 * @return the number of messages accepted by the callback, or a negative error
 *         (::SMSCTL_ERR_GONE: the modem went away; nothing accepted was lost, nothing
 *         refused was deleted).
 */
SMSCTL_API int smsctl_receiver_start(struct smsctl_receiver *rx);
/**
 * Run the modem's loop once without blocking (smsctl_modem_process()) and handle what
 * arrived: read announced messages, hand complete ones over, delete accepted ones, hand over
 * incomplete ones past the maximum age.
 * @return the number of messages accepted, or a negative error.
 */
SMSCTL_API int smsctl_receiver_process(struct smsctl_receiver *rx);
/** Milliseconds until the receiver needs smsctl_receiver_process() even without input (the
 *  modem's deadline or the next incomplete message's age limit), -1 when none. */
SMSCTL_API int smsctl_receiver_get_timeout(const struct smsctl_receiver *rx);
/**
 * Block for timeout_ms (-1: until an error) handling messages as they arrive.
 * @return the number of messages accepted, or a negative error (::SMSCTL_ERR_GONE).
 */
SMSCTL_API int smsctl_receiver_run(struct smsctl_receiver *rx, int timeout_ms);
/** Hand over every incomplete message now, marked incomplete. @return the number accepted
 *  or a negative error. */
SMSCTL_API int smsctl_receiver_flush(struct smsctl_receiver *rx);
/** Number of messages accepted since the receiver was created. */
SMSCTL_API unsigned long smsctl_receiver_get_accepted(const struct smsctl_receiver *rx);
/** Number of messages refused since the receiver was created. */
SMSCTL_API unsigned long smsctl_receiver_get_refused(const struct smsctl_receiver *rx);
/** Number of incomplete messages held. */
SMSCTL_API size_t smsctl_receiver_get_pending(const struct smsctl_receiver *rx);
/* --- end receive and storage --- */

SMSCTL_END_DECLS

#endif
