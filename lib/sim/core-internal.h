/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to lib/sim: the simulated modem's state and what its files share.
 *
 * The core (the API in sim/core.h) is a pure function of (state, bytes in, time): output is
 * queued as chunks that carry the time they may leave, timers (status reports, a timed unplug)
 * sit in a list that sim_core_tick() fires. Answers follow 3GPP TS 27.007 (general, SIM,
 * network) and TS 27.005 (SMS, PDU mode) as real modems print them; vendor quirks come from
 * the profile. Randomness (line noise) only comes from a PRNG seeded by the `seed` key.
 *
 * By job:
 *   device-string.c  the device string, preloaded messages, construction
 *   faults.c         the faults and what switching them does
 *   state.c          SIM, network and storage state; session, power-up, reboot
 *   command.c        bytes in, command lines, V.250 syntax, basic commands, dispatch
 *   cmd-27007.c      TS 27.007 handlers
 *   cmd-27005.c      TS 27.005 handlers, submits, status reports, incoming messages
 *   output.c         output queue and timing, timers, answer formatting
 * Each includes this header only (plus sim/pdu.h, sim/text.h where used); this header
 * includes sim/core.h and sim/profile.h, which include nothing of the library. */
#ifndef SMSCTL_SIM_CORE_INTERNAL_H
#define SMSCTL_SIM_CORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core.h"
#include "sim/profile.h"

#define LINE_MAX_LEN 560       /* longer command lines are refused with ERROR */
#define PDU_MAX_HEX  (2 * 200) /* SMSC (12) + TPDU (at most 164), with room for junk */
#define MAX_ARGS     8
#define ARG_LEN	     64
#define MAX_SENT     100000 /* record at most this many submits */
#define US_PER_MS    1000ull

/* ---- Faults ---- */

enum fault_id {
	F_SIM_ABSENT,
	F_SIM_PIN,
	F_SIM_PUK,
	F_SIM_FAILURE,
	F_SIM_BUSY,
	F_NO_SIGNAL,
	F_WEAK_SIGNAL,
	F_NOT_REGISTERED,
	F_SEARCHING,
	F_DENIED,
	F_ROAMING,
	F_SMSC_MISSING,
	F_STORAGE_FULL,
	F_SEND_FAIL,
	F_SEND_FAIL_ONCE,
	F_SEND_TIMEOUT,
	F_SLOW,
	F_HANG,
	F_GARBAGE,
	F_URC_STORM,
	F_BARE_PROMPT,
	F_REBOOT,
	F_UNPLUG,
	/* Additions beyond the contract's list (CONTRACTS: "more may be added"). */
	F_RADIO_OFF,
	F_PS_ONLY,
	F_STORAGE_NEARLY_FULL,
	F_INDICATIONS_OFF,
	F_SIM_BLOCKED,
	F_STORAGE_MISMATCH,
	F_SMS_UNAVAILABLE,
	F_BARE_OK, /* every command line answers a bare OK: no information lines, no errors */
	F_CMSS_STAT_STUCK,  /* AT+CMSS sends but leaves the slot "STO UNSENT" (stat 2) */
	F_USSD_END,	    /* a USSD request is answered +CUSD: 2 (terminated by the network) */
	F_USSD_UNSUPPORTED, /* a USSD request is answered +CUSD: 4 (not supported) */
	F_USSD_SILENT,	    /* a USSD request gets OK and never an answer */
	F_USSD_EARLY,	    /* the +CUSD answer comes before the command's OK */
	F_USSD_MENU,	    /* answers +CUSD: 1 (a menu); the session stays open until AT+CUSD=2 */
	F_COUNT
};

/* ---- State ---- */

enum sim_state { SIM_READY, SIM_PIN, SIM_PUK, SIM_BLOCKED, SIM_ABSENT, SIM_FAILURE };

/* 27.005 <stat> in PDU mode. */
enum { ST_REC_UNREAD = 0, ST_REC_READ = 1, ST_STO_UNSENT = 2, ST_STO_SENT = 3, ST_ALL = 4 };

struct slot {
	char *hex; /* SMSC-prefixed PDU, NULL when the slot is free */
	int stat;
	bool filler; /* put there by storage_full / storage_nearly_full */
};

struct chunk {
	struct chunk *next;
	uint64_t at;
	size_t len, off;
	uint8_t data[];
};

struct timer {
	struct timer *next;
	uint64_t at;
	char *report_hex; /* a status report to announce, an SMS to deliver, or a URC line */
	bool deliver;
	bool urc; /* report_hex is a line to send as it is (a USSD answer) */
};

/* A message the device string asks for: stored at open, or arriving later. */
struct preload {
	bool timed;
	unsigned long ms;
	char *hex;	   /* a deliver PDU, or NULL */
	char *from, *text; /* a text to encode */
};
#define MAX_PRELOAD 255

struct sbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

struct sim_core {
	const struct sim_profile *p;

	/* configuration */
	char pin[9], puk[9];
	char imei[20], iccid[24], imsi[20]; /* the profile's, or made distinct by id=N */
	uint64_t rng;
	unsigned baud, latency_ms, network_ms, report_ms;
	bool boot_on_open;
	unsigned cap[3];

	/* faults */
	bool fault[F_COUNT];
	unsigned long busy_left, fail_code, fail_once_code, slow_ms, garbage_pct, unplug_s;
	uint64_t unplug_at; /* UINT64_MAX: none or at the next submit */

	/* SIM */
	enum sim_state sim;
	bool pin_enabled;
	int pin_left, puk_left;

	/* session settings (lost on ATZ, AT&F, reboot) */
	bool echo, verbose;
	int cmee, csms, fun, creg_n[3], cops_format;
	int cnmi[5];
	enum sim_mem mem[3];
	char cscs[8];
	char smsc[24];

	/* storage: SM, ME, SR */
	struct slot *store[3];

	/* sending */
	unsigned mr;
	char **sent;
	uint8_t *sent_mr; /* the TP-MR +CMGS: answered for each record */
	size_t nsent, sent_cap;
	int pending_cnma;

	/* input */
	bool in_pdu;
	char line[LINE_MAX_LEN + 1];
	size_t line_len;
	bool line_overflow;
	char pdu[PDU_MAX_HEX + 1];
	size_t pdu_len;
	bool pdu_overflow;
	bool pdu_is_write;   /* AT+CMGW rather than AT+CMGS */
	int pdu_expect_len;  /* <length> given with the command */
	int pdu_stat;	     /* AT+CMGW <stat> */
	uint64_t line_start; /* when the current line's first byte came */

	unsigned long commands;
	unsigned storm_next;
	unsigned incoming;
	unsigned long status_ms;
	unsigned status_next;

	/* output and timers */
	struct chunk *out_head, *out_tail;
	uint64_t line_free_at;
	struct timer *timers;
	uint64_t closed_at;
	uint64_t now;

	struct preload *pre;
	size_t npre;

	/* USSD and the balance (cmd-ussd.c) */
	int cusd_n;	    /* AT+CUSD=<n> presentation */
	bool ussd_open;	    /* a session waits for the user (fault ussd_menu) */
	char *ussd_text;    /* ussd=TEXT, NULL: the profile's balance text */
	char balance[16];   /* balance=AMOUNT in the default texts */
	char *reply_number; /* reply=NUMBER,TEXT: a submit to NUMBER is answered with TEXT */
	char *reply_text;
};

/* ---- Commands ---- */

/* Result of a command handler. */
#define R_OK	    0
#define R_ERROR	    1
#define R_NONE	    2 /* no final result (prompt, answer withheld) */
#define R_NOTSUP    3 /* unknown command */
#define R_CME(n)    (0x10000 | (n))
#define R_CMS(n)    (0x20000 | (n))
#define R_IS_CME(r) (((r)&0x30000) == 0x10000)
#define R_IS_CMS(r) (((r)&0x30000) == 0x20000)
#define R_CODE(r)   ((r)&0xffff)

enum cmd_type { T_ACTION, T_QUERY, T_TEST, T_SET };

struct cmd {
	char name[24]; /* upper case, with prefix: "+CMGS", "^SCID", "E", "&F" */
	enum cmd_type type;
	const char *rest; /* basic: what follows the letter (digits) */
	size_t rest_len;
	int nargs;
	char arg[MAX_ARGS][ARG_LEN];
	bool quoted[MAX_ARGS];
	bool bad_args;
};

typedef int (*handler_fn)(struct sim_core *c, struct cmd *cmd, struct sbuf *o);

/* ---- output.c: output queue, timers, formatting ---- */

uint64_t sim_rng_next(struct sim_core *c);
void sim_sb_add(struct sbuf *b, const char *s, size_t n);
void sim_sb_puts(struct sbuf *b, const char *s);
__attribute__((format(printf, 2, 3))) void sim_sb_printf(struct sbuf *b, const char *fmt, ...);
void sim_queue_bytes(struct sim_core *c, uint64_t at, const void *data, size_t len);
void sim_queue_str(struct sim_core *c, uint64_t at, const char *s);
void sim_drop_output(struct sim_core *c);
void sim_add_timer(struct sim_core *c, uint64_t at, char *report_hex, bool deliver);
void sim_add_noise(struct sim_core *c, struct sbuf *o);
void sim_out_line(struct sim_core *c, struct sbuf *o, const char *text);
__attribute__((format(printf, 3, 4))) void sim_out_linef(struct sim_core *c, struct sbuf *o,
							 const char *fmt, ...);
void sim_out_final(struct sim_core *c, struct sbuf *o, int r);
void sim_queue_urc(struct sim_core *c, uint64_t at, const char *text);
uint64_t sim_answer_time(const struct sim_core *c, uint64_t now, size_t in_bytes);

/* ---- command.c: parsing helpers and arguments ---- */

bool sim_streq_ci(const char *a, const char *b);
bool sim_parse_ulong(const char *s, size_t len, unsigned long min, unsigned long max,
		     unsigned long *out);
int sim_hexval(int ch);
/* Device-string helpers (device-string.c): a key of length @p klen equals @p name; %XX
 * decoding into a new string (caller frees), NULL on a bad escape, %00 or no memory. */
bool sim_key_is(const char *k, size_t klen, const char *name);
char *sim_percent_decode(const char *s, size_t len);
long sim_hex_decode(const char *hex, size_t len, uint8_t *out, size_t size);
char *sim_strdup_upper(const char *s, size_t len);
bool sim_arg_int(const struct cmd *cmd, int i, long min, long max, long *out);

/* ---- state.c: SIM, network, storage and session ---- */

extern const char *const sim_mem_names[SIM_MEM_COUNT];
int sim_cme(const struct sim_core *c);
int sim_cms(const struct sim_core *c);
int sim_present_cme(const struct sim_core *c);
int sim_reg_stat(const struct sim_core *c, int which);
bool sim_registered(const struct sim_core *c);
bool sim_radio_hears(const struct sim_core *c);
int sim_mem_from_name(const char *s);
unsigned sim_mem_total(const struct sim_core *c, enum sim_mem m);
unsigned sim_mem_used(const struct sim_core *c, enum sim_mem m);
struct slot *sim_mem_slot(struct sim_core *c, enum sim_mem m, unsigned pos);
unsigned sim_index_base(const struct sim_core *c);
int sim_mem_store(struct sim_core *c, enum sim_mem m, char *hex, int stat, bool filler);
void sim_slot_clear(struct slot *s);
void sim_fill_sm(struct sim_core *c, unsigned leave_free);
void sim_unfill_sm(struct sim_core *c);
void sim_storage_mismatch(struct sim_core *c);
void sim_reset_session(struct sim_core *c);
void sim_power_up(struct sim_core *c);
const char *sim_cpin_text(const struct sim_core *c);
void sim_queue_ready_urcs(struct sim_core *c, uint64_t at);
void sim_queue_boot(struct sim_core *c, uint64_t at);
void sim_after_command(struct sim_core *c, uint64_t at);

/* ---- cmd-27007.c ---- */

/* The handler of an extended command (upper case, with prefix), or NULL. */
handler_fn sim_cmd_27007_find(const char *name);
const char *sim_te_str(const struct sim_core *c, const char *in, char *buf, size_t size);
bool sim_te_decode(const struct sim_core *c, const char *in, char *out, size_t size);

/* ---- cmd-27005.c ---- */

handler_fn sim_cmd_27005_find(const char *name);
void sim_announce_report(struct sim_core *c, char *hex, uint64_t at);
void sim_finish_pdu(struct sim_core *c, uint64_t now);
void sim_abort_pdu(struct sim_core *c, uint64_t now);
int sim_store_silently(struct sim_core *c, const char *hex);

/* ---- cmd-ussd.c ---- */

int sim_h_cusd(struct sim_core *c, struct cmd *cmd, struct sbuf *o);
/* After an accepted submit (da_hex: its TP-DA field as hex): the reply=NUMBER,TEXT answer. */
void sim_ussd_after_submit(struct sim_core *c, const char *da_hex, uint64_t at);
/* The device-string keys ussd=, balance=, reply= (1 when k is none of them). */
int sim_ussd_key(struct sim_core *c, const char *k, size_t klen, const char *v, size_t vlen,
		 char *why, size_t why_size);
void sim_ussd_free(struct sim_core *c);
void sim_add_urc_timer(struct sim_core *c, uint64_t at, char *line);

/* ---- faults.c ---- */

/* The argument a fault takes when none is given. */
unsigned long sim_fault_default(int id);
/* SMSCTL_ERR_INVALID with *id -1 for an unknown name, *id set for a bad argument. */
int sim_parse_fault(const char *s, size_t len, int *id, unsigned long *arg, bool *has_arg);
/* Every fault name, "sim_absent, sim_busy[:N], send_fail:N, ...", into buf (cut to size). */
void sim_fault_names(char *buf, size_t size);
/* How fault id takes its argument ("slow[:N], N from 0 to 600000"), into buf. */
void sim_fault_usage(int id, char *buf, size_t size);

#endif
