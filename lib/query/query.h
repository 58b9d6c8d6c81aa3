/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the read-only modem queries that both the SMS operations (sms/) and the diagnosis
 * (diagnose/) use, and what a modem's answers mean: identity, vendor, ICCID, SIM state,
 * registration, signal, operator, SMS centre and storage counts. Each query returns the
 * parsed value and the raw reply (struct query_reply, kept as evidence); each parsed value
 * can also be had from a reply recorded elsewhere (the diagnosis chains its commands), with
 * the same query_*_of() function, so that one place knows what an answer means. Also here:
 * which manufacturer a modem is and which of its commands to use, which errors end a call,
 * the clock and a pause that keeps the engine running. No state; every function is safe to
 * call from any thread on its own handle.
 *
 * I/O queries return 0 when the modem answered OK, 1 when it answered with an error (the
 * command is not supported or the value not available: the reply says which), or a negative
 * smsctl_error for which query_fatal() is true (nothing more can be asked). */
#ifndef SMSCTL_QUERY_H
#define SMSCTL_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/modem.h>
#include <smsctl/sms.h>

#include "parse/parse.h"

/* ---- errors ---- */

/* The link is lost: the modem went away, does not answer, the port failed or memory ran
 * out. Nothing more can be asked in this call. */
bool query_link_lost(int rc);
/* A query's failure that ends the operation: the link is lost, or the handle is in no state
 * to be used (busy in another call, closed under it). Any other negative code (an error
 * answer) concerns the one query only. */
bool query_fatal(int rc);

/* ---- clock and pause ---- */

/* Milliseconds of CLOCK_MONOTONIC. */
unsigned long long query_now_ms(void);
/* Run m's event loop for ms milliseconds (URCs keep flowing); returns early when the modem
 * goes away. */
void query_pause_ms(struct smsctl_modem *m, unsigned ms);

/* ---- vendors ---- */

enum query_vendor {
	QUERY_V_UNKNOWN = 0,
	QUERY_V_WAVECOM,
	QUERY_V_CINTERION,
	QUERY_V_SIMCOM,
	QUERY_V_QUECTEL,
	QUERY_V_HUAWEI,
	QUERY_V_ZTE,
	QUERY_V_TELIT,
	QUERY_V_UBLOX,
	QUERY_V_SIERRA,
};

/* The vendor named in an AT+CGMI answer (case-insensitive, anywhere in it); UNKNOWN for
 * NULL or a name not in the table. */
enum query_vendor query_vendor_from(const char *manufacturer);

/* The ICCID command to ask a modem of vendor v first, e.g. "AT+CCID". *own (may be NULL) is
 * set when it is the vendor's own documented command, false when it is only the most common
 * guess (unknown vendors, ZTE, u-blox). Never NULL. */
const char *query_iccid_command(enum query_vendor v, bool *own);

/* Every ICCID command known, in the order to try them when the vendor's own failed; the
 * last one (AT+CRSM read of EF_ICCID) works on any modem. i < query_iccid_count(). */
size_t query_iccid_count(void);
const char *query_iccid_command_at(size_t i);

/* The vendor's own signal query when +CSQ and +CESQ say nothing (AT^HCSQ? for Huawei, AT+QCSQ
 * for Quectel), NULL for the others; *prefix (may be NULL) gets the prefix of its lines. */
const char *query_signal_command(enum query_vendor v, const char **prefix);

/* ---- raw replies ---- */

#define QUERY_MAX_LINES 16
#define QUERY_LINE_MAX	256

/* One command's answer as recorded: the evidence a query returns with its value. Lines
 * longer than QUERY_LINE_MAX - 1 bytes are cut, lines past QUERY_MAX_LINES dropped. */
struct query_reply {
	bool asked;		    /* sent (alone or chained) */
	enum smsctl_result result;  /* its final result (OK for a chained command that succeeded) */
	int code;		    /* CME/CMS code, -1 when none */
	char command[96];	    /* "AT+CPIN?" */
	char final[QUERY_LINE_MAX]; /* the final line attributed to it, "" if none */
	char lines[QUERY_MAX_LINES][QUERY_LINE_MAX];
	size_t n_lines;
};

/* Bytes of recorded lines that were not text (line noise), for the diagnosis. */
struct query_noise {
	size_t bytes, bad;
	char sample[64]; /* the first bad bytes, escaped "\x00" */
};

/* The length of s[0..n) without a UTF-8 sequence cut at its end (n when none is): where a
 * line or a value is cut to fit, a Chinese manufacturer or operator name keeps whole
 * characters. Bytes that are not UTF-8 are left alone. */
size_t query_utf8_whole(const char *s, size_t n);
/* Empty r and name its command (asked, no result yet, code -1). */
void query_reply_init(struct query_reply *r, const char *command);
/* Copy line to out (size > 0) keeping only printable ASCII; the dropped bytes are counted in
 * noise. */
void query_clean_line(const char *line, char *out, size_t size, struct query_noise *noise);
/* Append one line (cut to fit; dropped when r is full). */
void query_reply_add_line(struct query_reply *r, const char *line);
/* Record the answer resp (NULL: the modem went away) to command in r. Lines are copied as
 * they came (any bytes, UTF-8 operator names included) when noise is NULL, else cleaned by
 * query_clean_line(). */
void query_record(struct query_reply *r, const char *command, const struct smsctl_response *resp,
		  struct query_noise *noise);
/* The first line of r starting with prefix, NULL when none or r was not asked. */
const char *query_line(const struct query_reply *r, const char *prefix);
/* Send cmd and record its answer in r (may be NULL). Returns 0 (OK), 1 (an error answer) or a
 * fatal negative error. */
int query_ask(struct smsctl_modem *m, const char *cmd, struct query_reply *r);

/* ---- identity ---- */

enum query_ident {
	QUERY_ID_MANUFACTURER, /* AT+CGMI */
	QUERY_ID_MODEL,	       /* AT+CGMM */
	QUERY_ID_REVISION,     /* AT+CGMR, "Revision:" and the like removed */
	QUERY_ID_IMEI,	       /* AT+CGSN */
	QUERY_ID_IMSI,	       /* AT+CIMI */
	QUERY_ID_OWN_NUMBER,   /* AT+CNUM, the first number */
	QUERY_ID_ICCID,	       /* any of the ICCID commands, AT+CRSM read of EF_ICCID included */
};
#define QUERY_TEXT_MAX 128
/* A text value: printable, without prefix or quotes; known false and "" when none. */
struct query_text {
	bool known;
	char value[QUERY_TEXT_MAX];
};
/* The command of an identity query ("AT+CGMI"); the ICCID's is query_iccid_command(). */
const char *query_ident_command(enum query_ident what);
/* The value in a recorded reply to the identity query what. */
void query_ident_of(enum query_ident what, const struct query_reply *r, struct query_text *out);
/* Ask one identity (not the ICCID). */
int query_ident(struct smsctl_modem *m, enum query_ident what, struct query_text *out,
		struct query_reply *raw);
/* The ICCID: the vendor's own command first, then the others in query_iccid_command_at()
 * order until one gives it; raw holds the last answer asked. */
int query_iccid(struct smsctl_modem *m, enum query_vendor v, struct query_text *out,
		struct query_reply *raw);

/* ---- SIM state: the one mapping of +CPIN answers and SIM errors ---- */

enum query_sim_state {
	QUERY_SIM_UNKNOWN = 0, /* not asked or no answer */
	QUERY_SIM_READY,       /* also SIM PIN2/PUK2: not needed for SMS */
	QUERY_SIM_PIN,
	QUERY_SIM_PUK,
	QUERY_SIM_ABSENT,
	QUERY_SIM_BUSY,
	QUERY_SIM_BLOCKED,
	QUERY_SIM_FAILURE,
	QUERY_SIM_LOCKED_DEVICE, /* PH-SIM/PH-NET...: the modem is locked */
};
struct query_sim {
	enum query_sim_state state; /* what the diagnosis reports */
	/* What the public API reports (smsctl_sms_get_sim_state(), smsctl_status): coarser,
	 * and only what the SMS operations can act on; UNKNOWN where the answer does not say
	 * (an unknown error code, a bare ERROR, a verbose text). */
	enum smsctl_sim_state pub;
	bool from_line;	  /* told by a +CPIN: line (not by an error result) */
	const char *said; /* the line or final line that told, borrowed from the reply; "" */
};
/* The SIM state in a reply to AT+CPIN? (also chained with other commands). */
void query_sim_of(const struct query_reply *r, struct query_sim *out);
/* The SIM state the answer to another SIM command tells (AT+CIMI: OK means ready). */
void query_sim_of_sim_command(const struct query_reply *r, struct query_sim *out);
/* Ask the SIM state: AT+CPIN?, or AT+CIMI when cimi (old modems whose AT+CPIN? answer ends
 * without OK). A +CPIN? that timed out after its +CPIN: line is taken as answered, and
 * *no_final (may be NULL) is set. */
int query_sim(struct smsctl_modem *m, bool cimi, bool *no_final, struct query_sim *out,
	      struct query_reply *raw);

/* ---- registration, signal, operator ---- */

enum query_domain {
	QUERY_REG_CS = 0, /* AT+CREG? */
	QUERY_REG_PS,	  /* AT+CGREG? */
	QUERY_REG_EPS,	  /* AT+CEREG? */
};
struct query_reg {
	bool known;
	struct at_reg reg; /* reg.stat: enum parse_reg_stat */
};
const char *query_reg_command(enum query_domain d);
void query_reg_of(enum query_domain d, const struct query_reply *r, struct query_reg *out);
int query_reg(struct smsctl_modem *m, enum query_domain d, struct query_reg *out,
	      struct query_reply *raw);

/* +CSQ, +CESQ and the vendors' own (query_signal_command()). */
struct query_csq {
	bool known; /* a +CSQ: line parsed (rssi may be 99, not known) */
	struct at_csq csq;
};
struct query_cesq {
	bool known;
	struct at_cesq cesq;
};
struct query_vsig {
	bool known; /* a line with a dBm value */
	int dbm;
};
void query_csq_of(const struct query_reply *r, struct query_csq *out);
void query_cesq_of(const struct query_reply *r, struct query_cesq *out);
void query_vsig_of(const struct query_reply *r, struct query_vsig *out);
int query_csq(struct smsctl_modem *m, struct query_csq *out, struct query_reply *raw);
int query_cesq(struct smsctl_modem *m, struct query_cesq *out, struct query_reply *raw);
/* 1 without sending anything for a vendor without its own signal query. */
int query_vsig(struct smsctl_modem *m, enum query_vendor v, struct query_vsig *out,
	       struct query_reply *raw);

/* +COPS? */
struct query_operator {
	bool known;
	struct at_cops cops; /* cops.oper "" when registered to none */
};
void query_operator_of(const struct query_reply *r, struct query_operator *out);
int query_operator(struct smsctl_modem *m, struct query_operator *out, struct query_reply *raw);

/* ---- SMS centre and storage ---- */

struct query_smsc {
	bool known; /* a +CSCA: line parsed; csca.number "" when the modem has none */
	struct at_csca csca;
};
void query_smsc_of(const struct query_reply *r, struct query_smsc *out);
int query_smsc(struct smsctl_modem *m, struct query_smsc *out, struct query_reply *raw);

/* +CPMS?: the memories in use with their counts. */
struct query_storage {
	bool known;
	struct at_cpms cpms;
};
void query_storage_of(const struct query_reply *r, struct query_storage *out);
int query_storage(struct smsctl_modem *m, struct query_storage *out, struct query_reply *raw);

#endif
