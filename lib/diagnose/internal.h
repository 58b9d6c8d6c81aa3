/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the diagnosis is split in three parts that talk through struct diag_input:
 *  - the walk (diagnose.c) opens the port, sends the queries and records every answer;
 *  - the port helpers (diagnose-port.c) find the group of a tty, its USB siblings, noise;
 *  - the rules (diagnose-rules.c) turn recorded answers into findings, with no I/O, so that
 *    the unit tests can feed them handpicked answers. */
#ifndef SMSCTL_DIAGNOSE_INTERNAL_H
#define SMSCTL_DIAGNOSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <smsctl/diagnose.h>
#include <smsctl/modem.h>

#include "query/query.h"

/* The queries of the walk, in the order the rules read them. */
enum diag_q {
	Q_INIT,	  /* ATE0V1+CMEE=1, or AT */
	Q_CGMI,	  /* manufacturer */
	Q_CFUN,	  /* AT+CFUN? */
	Q_CPIN,	  /* AT+CPIN? */
	Q_ICCID,  /* vendor ICCID command */
	Q_CSQ,	  /* AT+CSQ */
	Q_CESQ,	  /* AT+CESQ */
	Q_VSIG,	  /* vendor signal: AT^HCSQ? (Huawei), AT+QCSQ (Quectel) */
	Q_CREG,	  /* AT+CREG? */
	Q_CGREG,  /* AT+CGREG? */
	Q_CEREG,  /* AT+CEREG? */
	Q_COPS,	  /* AT+COPS? */
	Q_CSMS,	  /* AT+CSMS? */
	Q_CSCA,	  /* AT+CSCA? */
	Q_CPMS,	  /* AT+CPMS? */
	Q_CPMS_T, /* AT+CPMS=? */
	Q_CNMI,	  /* AT+CNMI? */
	Q_N,
};

/* The vendors, the ICCID commands and the meaning of answers live in query/ (shared with the
 * SMS operations); these names are kept for the diagnosis' own code and tests. */
#define diag_vendor	 query_vendor
#define DIAG_V_UNKNOWN	 QUERY_V_UNKNOWN
#define DIAG_V_WAVECOM	 QUERY_V_WAVECOM
#define DIAG_V_CINTERION QUERY_V_CINTERION
#define DIAG_V_SIMCOM	 QUERY_V_SIMCOM
#define DIAG_V_QUECTEL	 QUERY_V_QUECTEL
#define DIAG_V_HUAWEI	 QUERY_V_HUAWEI
#define DIAG_V_ZTE	 QUERY_V_ZTE
#define DIAG_V_TELIT	 QUERY_V_TELIT
#define DIAG_V_UBLOX	 QUERY_V_UBLOX
#define DIAG_V_SIERRA	 QUERY_V_SIERRA

#define DIAG_MAX_LINES QUERY_MAX_LINES
#define DIAG_LINE_MAX  QUERY_LINE_MAX

/* One command's answer as recorded: the query layer's raw reply. */
#define diag_reply query_reply

/* One message memory. */
struct diag_mem {
	char name[8];
	int used, total; /* -1 when unknown */
	int reply;	 /* index into diag_input.extra holding the evidence, -1: Q_CPMS */
};

#define DIAG_MAX_MEMS  6
#define DIAG_MAX_EXTRA 9 /* the last one only for restoring +CPMS */
#define DIAG_MAX_SIBS  8

/* What the walk saw at the port. */
struct diag_port {
	int open_err; /* 0, or the negative error of smsctl_modem_open() */
	int sys_errno;
	pid_t holder_pid;
	char holder[64];   /* program holding the lock, "" unknown */
	char detail[256];  /* the engine's English detail */
	char group[64];	   /* group owning the tty, "" unknown */
	unsigned mode;	   /* permission bits of the tty */
	bool in_group;	   /* the user is a member of group (per /etc/group) */
	bool group_active; /* the process has group now */
	char usb_vid[8];   /* idVendor of the USB device, "" when not USB */
	char usb_pid[8];
	char answering[DIAG_MAX_SIBS][64]; /* sibling ttys that answered AT */
	size_t n_answering;
	char silent[DIAG_MAX_SIBS][64]; /* sibling ttys that did not */
	size_t n_silent;
	size_t rx_bytes, bad_bytes; /* bytes read, of which not text */
	char noise_sample[64];	    /* the first garbage bytes, escaped */
};

struct diag_input {
	char device[256];
	bool from_handle; /* diagnosing an already open handle */
	struct diag_port port;
	bool opened;
	bool answered;	     /* the modem answered something at all */
	bool gone;	     /* the modem went away during the walk */
	char stopped_at[96]; /* the command after which it stopped answering, "" */
	enum diag_vendor vendor;
	struct diag_reply q[Q_N];
	struct diag_reply extra[DIAG_MAX_EXTRA]; /* +CPMS reads and restore, PIN entry */
	size_t n_extra;
	struct diag_mem mem[DIAG_MAX_MEMS];
	size_t n_mem;
	bool pin_given;
	int pin_reply; /* index into extra of AT+CPIN="****", -1 */
	unsigned timeout_ms;
	struct query_noise line_noise; /* bytes of the recorded lines, of which not text */
};

/* ---- Findings (findings.c) ---- */

/* The objects behind the public opaque types (findings.c owns them). */
struct evidence {
	char *command;
	char *response;
};

struct smsctl_finding {
	char *id;
	enum smsctl_severity sev;
	int layer;
	size_t seq;
	char *summary, *detail, *remedy;
	struct evidence *ev;
	size_t n_ev;
};

struct smsctl_diagnosis {
	char *device;
	struct smsctl_finding **f;
	size_t n, cap;
	unsigned long commands;
	bool nomem;
};

struct smsctl_diagnose_options {
	char *pin;
	unsigned baud;
	unsigned timeout_ms;
	smsctl_trace_fn trace;
	void *trace_data;
	bool probe_siblings;
};

struct smsctl_finding;
struct smsctl_finding *diag_add(struct smsctl_diagnosis *d, const char *id,
				enum smsctl_severity sev, const char *summary, const char *detail,
				const char *remedy);
/* Attach the answer of a query as evidence (nothing when it was not asked). */
void diag_evidence_reply(struct smsctl_finding *f, const struct diag_reply *r);
void diag_evidence(struct smsctl_finding *f, const char *command, const char *response);

/* The layer of a finding id ("sms.storage_full" -> the storage layer), by its prefix. */
int diag_layer_of(const char *id);

/* Put the findings in the order they are listed: layer, then as added. */
void diag_sort(struct smsctl_diagnosis *d);

/* A diagnosis from recorded answers only (the rules in layer order; for tests). */
int diag_run_rules(const struct diag_input *in, struct smsctl_diagnosis **out);

/* ---- The rule table (rule-table.c) ---- */

/* One kind of finding: its id, severity, layer (a prefix diag_layer_of() knows) and texts,
 * msgids translated when the finding is made (NULL: given by the deciding code). */
struct diag_rule {
	const char *id;
	enum smsctl_severity sev;
	const char *layer;
	const char *summary, *detail, *remedy;
};
enum diag_rule_id {
	R_PORT_PERMISSION_LOGIN,
	R_PORT_PERMISSION_GROUP,
	R_PORT_PERMISSION,
	R_PORT_BUSY_HOLDER,
	R_PORT_BUSY_PID,
	R_PORT_BUSY,
	R_PORT_BUSY_MM_USB,
	R_PORT_BUSY_MM,
	R_PORT_BUSY_STOP,
	R_PORT_BUSY_FIND,
	R_PORT_NOT_TTY,
	R_PORT_NOT_FOUND,
	R_PORT_CANNOT_OPEN,
	R_PORT_OK,
	R_PORT_NOISE_SAMPLE,
	R_PORT_NOISE,
	R_PORT_NO_ANSWER_SIBLING,
	R_PORT_NO_ANSWER_SILENT,
	R_PORT_NO_ANSWER,
	R_PORT_STOPPED,
	R_MODEM_GONE,
	R_MODEM_GONE_SILENT,
	R_MODEM_OK_MAKER,
	R_MODEM_OK,
	R_MODEM_UNKNOWN,
	R_MODEM_AIRPLANE,
	R_MODEM_RADIO_OFF,
	R_SIM_UNKNOWN,
	R_SIM_OK_PIN,
	R_SIM_OK,
	R_SIM_ABSENT,
	R_SIM_PIN_WRONG,
	R_SIM_PIN,
	R_SIM_PUK,
	R_SIM_BLOCKED,
	R_SIM_BUSY,
	R_SIM_LOCKED_DEVICE,
	R_SIM_FAILURE,
	R_SIGNAL_UNKNOWN,
	R_SIGNAL_NONE,
	R_SIGNAL_NONE_UNMEASURED,
	R_SIGNAL_WEAK,
	R_SIGNAL_OK,
	R_SIGNAL_OK_UNREPORTED,
	R_NET_UNKNOWN,
	R_NET_OK_OPERATOR,
	R_NET_OK,
	R_NET_PS_ONLY,
	R_NET_DENIED,
	R_NET_SEARCHING,
	R_NET_DEREGISTERED,
	R_NET_EMERGENCY_ONLY,
	R_NET_NOT_REGISTERED,
	R_NET_ROAMING_OPERATOR,
	R_NET_ROAMING,
	R_SMS_SERVICE_UNKNOWN,
	R_SMS_SERVICE_NONE,
	R_SMS_SERVICE_NO_MO,
	R_SMS_SERVICE_NO_MT,
	R_SMS_SERVICE_OK,
	R_SMSC_UNREADABLE,
	R_SMSC_MISSING_ERROR,
	R_SMSC_UNKNOWN,
	R_SMSC_MISSING,
	R_SMSC_INVALID,
	R_SMSC_OK,
	R_STORAGE_UNKNOWN,
	R_STORAGE_FULL_RECEIVING,
	R_STORAGE_FULL,
	R_STORAGE_NEARLY_FULL,
	R_STORAGE_MISMATCH,
	R_STORAGE_OK,
	R_INDICATIONS_UNKNOWN,
	R_INDICATIONS_MT_OFF,
	R_INDICATIONS_HELD,
	R_INDICATIONS_OK,
	R_N,
};
extern const struct diag_rule diag_rules[R_N];
/* A text of the table translated, "" for NULL or "". */
const char *diag_tr(const char *msgid);
/* A text of the table translated and filled in (printf) into buf; returns buf. */
const char *diag_rfmt(char *buf, size_t size, const char *msgid, ...);
/* Add the finding of row r. A NULL summary, detail or remedy is the row's text as it is
 * (translated); the layer is the row's. */
struct smsctl_finding *diag_rule_add(struct smsctl_diagnosis *d, enum diag_rule_id r,
				     const char *summary, const char *detail, const char *remedy);
/* The rows' texts (shorthands for the deciding code). */
#define RS(r) (diag_rules[r].summary)
#define RD(r) (diag_rules[r].detail)
#define RR(r) (diag_rules[r].remedy)

/* ---- Rules (diagnose-rules.c) ---- */

void diag_input_init(struct diag_input *in);
/* Add every finding for what was recorded. */
void diag_evaluate(const struct diag_input *in, struct smsctl_diagnosis *d);

/* Helpers the walk uses to decide what to ask next. */
/* +CFUN value, -1 unknown. */
int diag_cfun(const struct diag_input *in);
#define diag_vendor_from(manufacturer) query_vendor_from(manufacturer)
/* The ICCID command of a vendor, e.g. "AT+CCID". */
#define diag_iccid_command(v) query_iccid_command((v), NULL)

/* ---- Shared by the rules (rules.c, rules-radio.c) ---- */

/* Signal thresholds (see diagnose.h). */
#define RSSI_WEAK_DBM  (-101) /* below: one bar or less */
#define RSRP_WEAK_DBM  (-115)
#define RSRP_NONE_DBM  (-135)
#define RSRQ_WEAK_DB10 (-150) /* -15 dB */
#define RSCP_WEAK_DBM  (-105)
/* Storage: nearly full from 80 % on memories of at least 5 places. */
#define NEARLY_FULL_PERCENT 80

#define TXT 1024

/* vsnprintf into buf; returns buf. */
const char *diag_fmt(char *buf, size_t size, const char *f, ...)
    __attribute__((format(printf, 3, 4)));
/* A sentence explaining an error final line, "" when nothing can be said; in buf. */
const char *diag_explain_error(const struct diag_input *in, const struct diag_reply *r, char *buf,
			       size_t size);
/* Is r an answer the modem gave (OK, or an OK-less end after lines) without a line starting
 * with prefix? Such a check could not be made. */
bool diag_unusable(const struct diag_reply *r, const char *prefix);
/* <layer>.unknown (warning), the row rule of the table: the check of its layer got no usable
 * answer to r; the row's summary says what could not be read, the evidence is the raw
 * answer. */
void diag_unknown(struct smsctl_diagnosis *d, enum diag_rule_id rule, const struct diag_reply *r);
/* The rules of each layer past the SIM, in layer order (rules-radio.c). */
bool diag_rule_signal(const struct diag_input *in, struct smsctl_diagnosis *d, bool sim_ready);
void diag_rule_net(const struct diag_input *in, struct smsctl_diagnosis *d);
void diag_rule_sms_service(const struct diag_input *in, struct smsctl_diagnosis *d);
void diag_rule_smsc(const struct diag_input *in, struct smsctl_diagnosis *d);
void diag_rule_storage(const struct diag_input *in, struct smsctl_diagnosis *d);
void diag_rule_indications(const struct diag_input *in, struct smsctl_diagnosis *d);

/* ---- Port helpers (diagnose-port.c) ---- */

/* Fill group, mode, membership for a tty path. */
void diag_port_owner(const char *path, struct diag_port *p);
/* Find the other ttys of the USB device of a tty under sysfs root ("" = "/sys").
 * Writes up to max names ("ttyUSB1") into names, and the USB ids. @return the count. */
size_t diag_usb_siblings(const char *sysroot, const char *tty, char (*names)[64], size_t max,
			 char *vid, char *pid);
/* Count non-text bytes in a chunk read from the modem. */
void diag_port_account(struct diag_port *p, const char *data, size_t len);

#endif
