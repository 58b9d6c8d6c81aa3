/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated modem's core: AT command interpreter, SIM, network, SMS storage and faults.
 *
 * Everything here is a pure function of (state, bytes in, time): output is queued as chunks
 * that carry the time they may leave, timers (status reports, a timed unplug) sit in a list
 * that sim_core_tick() fires. Answers follow 3GPP TS 27.007 (general, SIM, network) and
 * TS 27.005 (SMS, PDU mode) as real modems print them; vendor quirks come from the profile.
 * Randomness (line noise) only comes from a PRNG seeded by the `seed` key. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>

#include "sim/core.h"
#include "sim/pdu.h"
#include "sim/profile.h"
#include "sim/text.h"

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
	F_COUNT
};

enum arg_kind { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED };

static const struct fault_def {
	const char *name;
	enum arg_kind arg;
	unsigned long def, min, max;
} fault_defs[F_COUNT] = {
    [F_SIM_ABSENT] = {"sim_absent", ARG_NONE, 0, 0, 0},
    [F_SIM_PIN] = {"sim_pin", ARG_NONE, 0, 0, 0},
    [F_SIM_PUK] = {"sim_puk", ARG_NONE, 0, 0, 0},
    [F_SIM_FAILURE] = {"sim_failure", ARG_NONE, 0, 0, 0},
    [F_SIM_BUSY] = {"sim_busy", ARG_OPTIONAL, 3, 1, 1000000},
    [F_NO_SIGNAL] = {"no_signal", ARG_NONE, 0, 0, 0},
    [F_WEAK_SIGNAL] = {"weak_signal", ARG_NONE, 0, 0, 0},
    [F_NOT_REGISTERED] = {"not_registered", ARG_NONE, 0, 0, 0},
    [F_SEARCHING] = {"searching", ARG_NONE, 0, 0, 0},
    [F_DENIED] = {"denied", ARG_NONE, 0, 0, 0},
    [F_ROAMING] = {"roaming", ARG_NONE, 0, 0, 0},
    [F_SMSC_MISSING] = {"smsc_missing", ARG_NONE, 0, 0, 0},
    [F_STORAGE_FULL] = {"storage_full", ARG_NONE, 0, 0, 0},
    [F_SEND_FAIL] = {"send_fail", ARG_REQUIRED, 0, 0, 9999},
    [F_SEND_FAIL_ONCE] = {"send_fail_once", ARG_REQUIRED, 0, 0, 9999},
    [F_SEND_TIMEOUT] = {"send_timeout", ARG_NONE, 0, 0, 0},
    [F_SLOW] = {"slow", ARG_OPTIONAL, 2000, 0, 600000},
    [F_HANG] = {"hang", ARG_NONE, 0, 0, 0},
    [F_GARBAGE] = {"garbage", ARG_OPTIONAL, 20, 0, 100},
    [F_URC_STORM] = {"urc_storm", ARG_NONE, 0, 0, 0},
    [F_BARE_PROMPT] = {"bare_prompt", ARG_NONE, 0, 0, 0},
    [F_REBOOT] = {"reboot", ARG_NONE, 0, 0, 0},
    [F_UNPLUG] = {"unplug", ARG_OPTIONAL, 0, 0, 86400},
    [F_RADIO_OFF] = {"radio_off", ARG_NONE, 0, 0, 0},
    [F_PS_ONLY] = {"ps_only", ARG_NONE, 0, 0, 0},
    [F_STORAGE_NEARLY_FULL] = {"storage_nearly_full", ARG_NONE, 0, 0, 0},
    [F_INDICATIONS_OFF] = {"indications_off", ARG_NONE, 0, 0, 0},
    [F_SIM_BLOCKED] = {"sim_blocked", ARG_NONE, 0, 0, 0},
    [F_STORAGE_MISMATCH] = {"storage_mismatch", ARG_NONE, 0, 0, 0},
    [F_SMS_UNAVAILABLE] = {"sms_unavailable", ARG_NONE, 0, 0, 0},
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
	char *report_hex; /* a status report to announce, or an SMS to deliver */
	bool deliver;
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
};

/* ---- Small helpers ---- */

__attribute__((format(printf, 5, 6))) static int set_detail(int *err, char *detail, size_t size,
							    int code, const char *fmt, ...);
#define set_detail_err set_detail

static uint64_t rng_next(struct sim_core *c)
{
	/* xorshift64* */
	uint64_t x = c->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	sb_add(b, tmp, (size_t)n);
}

static bool streq_ci(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

static bool parse_ulong(const char *s, size_t len, unsigned long min, unsigned long max,
			unsigned long *out)
{
	unsigned long v = 0;
	if (len == 0 || len > 12)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Hex to bytes; returns the byte count or -1. */
static long hex_decode(const char *hex, size_t len, uint8_t *out, size_t size)
{
	if (len % 2 || len / 2 > size)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexval((unsigned char)hex[i]), lo = hexval((unsigned char)hex[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(len / 2);
}

static char *strdup_upper(const char *s, size_t len)
{
	char *p = malloc(len + 1);
	if (!p)
		return NULL;
	for (size_t i = 0; i < len; i++)
		p[i] = (char)toupper((unsigned char)s[i]);
	p[len] = '\0';
	return p;
}

/* ---- Output queue ---- */

static uint64_t byte_time(const struct sim_core *c)
{
	/* 8N1: ten bits a byte */
	return c->baud ? 10000000ull / c->baud : 0;
}

static void queue_bytes(struct sim_core *c, uint64_t at, const void *data, size_t len)
{
	if (len == 0 || c->closed_at != UINT64_MAX)
		return;
	struct chunk *ch = malloc(sizeof(*ch) + len);
	if (!ch)
		return;
	uint64_t start = at > c->line_free_at ? at : c->line_free_at;
	uint64_t end = start + byte_time(c) * len;
	ch->next = NULL;
	ch->at = end;
	ch->len = len;
	ch->off = 0;
	memcpy(ch->data, data, len);
	c->line_free_at = end;
	if (c->out_tail)
		c->out_tail->next = ch;
	else
		c->out_head = ch;
	c->out_tail = ch;
}

static void queue_str(struct sim_core *c, uint64_t at, const char *s)
{
	queue_bytes(c, at, s, strlen(s));
}

static void drop_output(struct sim_core *c)
{
	while (c->out_head) {
		struct chunk *n = c->out_head->next;
		free(c->out_head);
		c->out_head = n;
	}
	c->out_tail = NULL;
}

static void add_timer(struct sim_core *c, uint64_t at, char *report_hex, bool deliver)
{
	struct timer *t = calloc(1, sizeof(*t));
	if (!t) {
		free(report_hex);
		return;
	}
	t->at = at;
	t->report_hex = report_hex;
	t->deliver = deliver;
	struct timer **pp = &c->timers;
	while (*pp && (*pp)->at <= at)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

/* ---- Response formatting ---- */

/* Line noise: a few bytes that are neither text nor line ends, as a wrong baud rate or a
 * noisy line produces. */
static void add_noise(struct sim_core *c, struct sbuf *o)
{
	if (!c->fault[F_GARBAGE] || c->garbage_pct == 0)
		return;
	if (rng_next(c) % 100 >= c->garbage_pct)
		return;
	unsigned n = 1 + (unsigned)(rng_next(c) % 8);
	for (unsigned i = 0; i < n; i++) {
		uint64_t r = rng_next(c);
		char b = (r & 7) == 0 ? '\0' : (char)(0x80 | (r >> 8 & 0x7f));
		sb_add(o, &b, 1);
	}
}

static void add_storm(struct sim_core *c, struct sbuf *o)
{
	if (!c->fault[F_URC_STORM])
		return;
	const char *const *u = c->p->status_urcs;
	size_t n = 0;
	while (n < 3 && u[n])
		n++;
	if (n == 0)
		return;
	sb_printf(o, "\r\n%s\r\n", u[c->storm_next++ % n]);
}

/* An information line of a response. */
static void out_line(struct sim_core *c, struct sbuf *o, const char *text)
{
	add_storm(c, o);
	add_noise(c, o);
	if (c->verbose)
		sb_printf(o, "\r\n%s\r\n", text);
	else
		sb_printf(o, "%s\r\n", text);
}

__attribute__((format(printf, 3, 4))) static void out_linef(struct sim_core *c, struct sbuf *o,
							    const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	out_line(c, o, tmp);
}

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

static const struct {
	int code;
	const char *text;
} cme_texts[] =
    {
	/* TS 27.007 9.2 */
	{3, "operation not allowed"},
	{4, "operation not supported"},
	{10, "SIM not inserted"},
	{11, "SIM PIN required"},
	{12, "SIM PUK required"},
	{13, "SIM failure"},
	{14, "SIM busy"},
	{15, "SIM wrong"},
	{16, "incorrect password"},
	{21, "invalid index"},
	{30, "no network service"},
	{50, "Incorrect parameters"},
	{100, "unknown"},
	{262, "SIM blocked"},
},
  cms_texts[] = {
      /* TS 24.011 E.2 / TS 23.040 9.2.3.22 causes, TS 27.005 3.2.5 */
      {1, "Unassigned (unallocated) number"},
      {8, "Operator determined barring"},
      {10, "Call barred"},
      {21, "Short message transfer rejected"},
      {27, "Destination out of service"},
      {28, "Unidentified subscriber"},
      {29, "Facility rejected"},
      {30, "Unknown subscriber"},
      {38, "Network out of order"},
      {41, "Temporary failure"},
      {42, "Congestion"},
      {47, "Resources unavailable, unspecified"},
      {50, "Requested facility not subscribed"},
      {69, "Requested facility not implemented"},
      {96, "Invalid mandatory information"},
      {300, "ME failure"},
      {301, "SMS service of ME reserved"},
      {302, "operation not allowed"},
      {303, "operation not supported"},
      {304, "invalid PDU mode parameter"},
      {305, "invalid text mode parameter"},
      {310, "SIM not inserted"},
      {311, "SIM PIN required"},
      {313, "SIM failure"},
      {314, "SIM busy"},
      {316, "SIM PUK required"},
      {320, "memory failure"},
      {321, "invalid memory index"},
      {322, "memory full"},
      {330, "SMSC address unknown"},
      {331, "no network service"},
      {332, "network timeout"},
      {340, "no +CNMA acknowledgement expected"},
      {500, "unknown error"},
};

static const char *err_text(bool cms, int code)
{
	if (cms) {
		for (size_t i = 0; i < sizeof(cms_texts) / sizeof(cms_texts[0]); i++)
			if (cms_texts[i].code == code)
				return cms_texts[i].text;
	} else {
		for (size_t i = 0; i < sizeof(cme_texts) / sizeof(cme_texts[0]); i++)
			if (cme_texts[i].code == code)
				return cme_texts[i].text;
	}
	return "unknown error";
}

static void out_final(struct sim_core *c, struct sbuf *o, int r)
{
	char tmp[96];
	const char *text;
	int numeric;

	if (r == R_NONE)
		return;
	if (r == R_OK) {
		text = "OK";
		numeric = 0;
	} else if (r == R_NOTSUP && (c->p->flags & SIM_P_NOT_SUPPORT)) {
		text = "COMMAND NOT SUPPORT";
		numeric = 4;
	} else if ((R_IS_CME(r) || R_IS_CMS(r)) && c->cmee > 0) {
		const char *kind = R_IS_CMS(r) ? "+CMS ERROR" : "+CME ERROR";
		if (c->cmee == 2)
			snprintf(tmp, sizeof(tmp), "%s: %s", kind,
				 err_text(R_IS_CMS(r), R_CODE(r)));
		else
			snprintf(tmp, sizeof(tmp), "%s: %d", kind, R_CODE(r));
		text = tmp;
		numeric = -1;
	} else {
		text = "ERROR";
		numeric = 4;
	}
	add_storm(c, o);
	add_noise(c, o);
	if (c->verbose || numeric < 0)
		sb_printf(o, "\r\n%s\r\n", text);
	else
		sb_printf(o, "%d\r", numeric);
}

/* ---- SIM and network state ---- */

static bool sim_busy(const struct sim_core *c)
{
	return c->fault[F_SIM_BUSY] && c->busy_left > 0;
}

/* 0 when the SIM is usable, else the CME code that says why. */
static int sim_cme(const struct sim_core *c)
{
	switch (c->sim) {
	case SIM_ABSENT:
		return 10;
	case SIM_FAILURE:
		return 13;
	default:
		break;
	}
	if (sim_busy(c))
		return 14;
	switch (c->sim) {
	case SIM_PIN:
		return 11;
	case SIM_PUK:
		return 12;
	case SIM_BLOCKED:
		return 262;
	default:
		return 0;
	}
}

/* The same as a +CMS ERROR (TS 27.005 3.2.5). */
static int sim_cms(const struct sim_core *c)
{
	switch (sim_cme(c)) {
	case 0:
		return 0;
	case 10:
		return 310;
	case 11:
		return 311;
	case 12:
		return 316;
	case 14:
		return 314;
	default:
		return 313;
	}
}

/* Present on the card and answering (ICCID readable even behind a PIN). */
static int sim_present_cme(const struct sim_core *c)
{
	if (c->sim == SIM_ABSENT)
		return 10;
	if (c->sim == SIM_FAILURE)
		return 13;
	if (sim_busy(c))
		return 14;
	return 0;
}

/* Registration <stat> (TS 27.007 7.2) for CS (which 0), PS (1) and EPS (2). */
static int reg_stat(const struct sim_core *c, int which)
{
	if (c->fun != 1 || sim_cme(c) != 0)
		return 0;
	if (c->fault[F_DENIED])
		return 3;
	if (c->fault[F_NOT_REGISTERED])
		return 0;
	if (c->fault[F_SEARCHING] || c->fault[F_NO_SIGNAL])
		return 2;
	if (c->fault[F_PS_ONLY] && which == 0)
		return 0;
	return c->fault[F_ROAMING] ? 5 : 1;
}

static bool registered(const struct sim_core *c)
{
	int s = reg_stat(c, 0);
	return s == 1 || s == 5;
}

static bool radio_hears(const struct sim_core *c)
{
	return c->fun == 1 && !c->fault[F_NO_SIGNAL];
}

/* ---- Storage ---- */

static const char *const mem_names[SIM_MEM_COUNT] = {"SM", "ME", "SR", "MT"};

static int mem_from_name(const char *s)
{
	for (int i = 0; i < SIM_MEM_COUNT; i++)
		if (streq_ci(s, mem_names[i]))
			return i;
	return -1;
}

static unsigned mem_total(const struct sim_core *c, enum sim_mem m)
{
	if (m == SIM_MEM_MT)
		return c->cap[SIM_MEM_SM] + c->cap[SIM_MEM_ME];
	return c->cap[m];
}

static unsigned mem_used(const struct sim_core *c, enum sim_mem m)
{
	if (m == SIM_MEM_MT)
		return mem_used(c, SIM_MEM_SM) + mem_used(c, SIM_MEM_ME);
	unsigned n = 0;
	for (unsigned i = 0; i < c->cap[m]; i++)
		if (c->store[m][i].hex)
			n++;
	return n;
}

/* The slot behind a 0-based position of memory m (MT: SM first, then ME). */
static struct slot *mem_slot(struct sim_core *c, enum sim_mem m, unsigned pos)
{
	if (m == SIM_MEM_MT) {
		if (pos < c->cap[SIM_MEM_SM])
			return &c->store[SIM_MEM_SM][pos];
		pos -= c->cap[SIM_MEM_SM];
		m = SIM_MEM_ME;
	}
	if (pos >= c->cap[m])
		return NULL;
	return &c->store[m][pos];
}

static unsigned index_base(const struct sim_core *c)
{
	return (c->p->flags & SIM_P_INDEX0) ? 0 : 1;
}

/* Store a PDU in memory m; returns the 0-based position or -1 when full. Takes hex. */
static int mem_store(struct sim_core *c, enum sim_mem m, char *hex, int stat, bool filler)
{
	unsigned total = mem_total(c, m);
	for (unsigned i = 0; i < total; i++) {
		struct slot *s = mem_slot(c, m, i);
		if (s && !s->hex) {
			s->hex = hex;
			s->stat = stat;
			s->filler = filler;
			return (int)i;
		}
	}
	return -1;
}

static void slot_clear(struct slot *s)
{
	free(s->hex);
	s->hex = NULL;
	s->filler = false;
}

/* A deliver PDU used to fill the SIM for storage_full: "Test2" from +27821234567 (python-gsmmodem
 * test/test_pdu.py, commit 834c68b, case gsmmodem-decode-1). */
static const char filler_pdu[] = "06917228195339040B917228214365F700003130805120618005D4F29C2E03";

static void fill_sm(struct sim_core *c, unsigned leave_free)
{
	unsigned cap = c->cap[SIM_MEM_SM];
	while (mem_used(c, SIM_MEM_SM) + leave_free < cap) {
		char *hex = strdup(filler_pdu);
		if (!hex || mem_store(c, SIM_MEM_SM, hex, ST_REC_READ, true) < 0) {
			free(hex);
			return;
		}
	}
}

static void unfill_sm(struct sim_core *c)
{
	for (unsigned i = 0; i < c->cap[SIM_MEM_SM]; i++)
		if (c->store[SIM_MEM_SM][i].filler)
			slot_clear(&c->store[SIM_MEM_SM][i]);
}

/* ---- Session ---- */

/* New messages go to a memory that <mem1> (what is read) does not cover. */
static void storage_mismatch(struct sim_core *c)
{
	const struct sim_profile *p = c->p;
	if (!c->cap[SIM_MEM_ME])
		return; /* one memory only: nothing to mix up */
	if (p->mem_allowed[0] & (1u << SIM_MEM_SM)) {
		c->mem[0] = SIM_MEM_SM;
		c->mem[2] = SIM_MEM_ME;
	} else {
		c->mem[0] = SIM_MEM_ME;
		c->mem[2] = SIM_MEM_SM;
	}
}

static void reset_session(struct sim_core *c)
{
	const struct sim_profile *p = c->p;
	c->echo = p->echo;
	c->verbose = true;
	c->cmee = p->cmee;
	c->csms = 0;
	c->creg_n[0] = c->creg_n[1] = c->creg_n[2] = 0;
	c->cops_format = 0;
	memcpy(c->cnmi, p->cnmi, sizeof(c->cnmi));
	if (c->fault[F_INDICATIONS_OFF])
		c->cnmi[0] = c->cnmi[1] = c->cnmi[3] = 0;
	for (int i = 0; i < 3; i++)
		c->mem[i] = p->mem_default[i];
	if (c->fault[F_STORAGE_MISMATCH])
		storage_mismatch(c);
	snprintf(c->cscs, sizeof(c->cscs), "GSM");
	c->pending_cnma = 0;
	c->in_pdu = false;
	c->line_len = 0;
	c->line_overflow = false;
}

/* SIM state after a power-up or a SIM change, from the faults. */
static void sim_power_up(struct sim_core *c)
{
	if (c->fault[F_SIM_ABSENT])
		c->sim = SIM_ABSENT;
	else if (c->fault[F_SIM_FAILURE])
		c->sim = SIM_FAILURE;
	else if (c->fault[F_SIM_BLOCKED])
		c->sim = SIM_BLOCKED;
	else if (c->fault[F_SIM_PUK])
		c->sim = SIM_PUK;
	else if (c->pin_enabled)
		c->sim = SIM_PIN;
	else
		c->sim = SIM_READY;
}

static const char *cpin_text(const struct sim_core *c)
{
	switch (c->sim) {
	case SIM_READY:
		return "READY";
	case SIM_PIN:
		return "SIM PIN";
	case SIM_PUK:
		return "SIM PUK";
	case SIM_ABSENT:
		return "NOT INSERTED";
	default:
		return "NOT READY";
	}
}

static void queue_urc(struct sim_core *c, uint64_t at, const char *text)
{
	char tmp[600];
	snprintf(tmp, sizeof(tmp), "\r\n%s\r\n", text);
	queue_str(c, at, tmp);
}

static void queue_ready_urcs(struct sim_core *c, uint64_t at)
{
	if (c->p->flags & SIM_P_CPIN_URC) {
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "+CPIN: %s", cpin_text(c));
		queue_urc(c, at, tmp);
	}
	if (c->sim != SIM_READY)
		return;
	for (int i = 0; i < 4 && c->p->ready_urcs[i]; i++)
		queue_urc(c, at, c->p->ready_urcs[i]);
}

static void queue_boot(struct sim_core *c, uint64_t at)
{
	for (int i = 0; i < 4 && c->p->boot_urcs[i]; i++)
		queue_urc(c, at, c->p->boot_urcs[i]);
	queue_ready_urcs(c, at);
}

/* A power cycle: session settings, SIM unlock and radio state are lost; the SIM's and the
 * modem's stored messages, SMSC and counters stay. */
static void do_reboot(struct sim_core *c, uint64_t at)
{
	reset_session(c);
	c->fun = c->fault[F_RADIO_OFF] ? 0 : 1;
	c->busy_left = c->fault[F_SIM_BUSY] ? c->busy_left : 0;
	sim_power_up(c);
	queue_boot(c, at);
}

/* ---- Command line parsing ---- */

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

/* Split "a,\"b,c\",d" into arguments (quotes removed, spaces outside quotes dropped). */
static void split_args(struct cmd *cmd, const char *s, size_t len)
{
	size_t i = 0;
	cmd->nargs = 0;
	if (len == 0)
		return;
	for (;;) {
		if (cmd->nargs >= MAX_ARGS) {
			cmd->bad_args = true;
			return;
		}
		char *a = cmd->arg[cmd->nargs];
		size_t n = 0;
		bool inq = false, quoted = false;
		for (; i < len; i++) {
			char ch = s[i];
			if (ch == '"') {
				inq = !inq;
				quoted = true;
				continue;
			}
			if (!inq && ch == ',')
				break;
			if (!inq && ch == ' ')
				continue;
			if (n + 1 >= ARG_LEN) {
				cmd->bad_args = true;
				return;
			}
			a[n++] = ch;
		}
		a[n] = '\0';
		if (inq)
			cmd->bad_args = true;
		cmd->quoted[cmd->nargs] = quoted;
		cmd->nargs++;
		if (i >= len)
			return;
		i++; /* the comma */
	}
}

static bool arg_int(const struct cmd *cmd, int i, long min, long max, long *out)
{
	unsigned long v;
	if (i >= cmd->nargs || cmd->arg[i][0] == '\0')
		return false;
	if (!parse_ulong(cmd->arg[i], strlen(cmd->arg[i]), 0, 0xffffffful, &v))
		return false;
	if ((long)v < min || (long)v > max)
		return false;
	*out = (long)v;
	return true;
}

/* ---- Command handlers ---- */

typedef int (*handler_fn)(struct sim_core *c, struct cmd *cmd, struct sbuf *o);

static int h_ident(struct sim_core *c, struct cmd *cmd, struct sbuf *o, const char *text)
{
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_ACTION)
		return R_ERROR;
	out_line(c, o, text);
	return R_OK;
}

static int h_cgmi(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return h_ident(c, cmd, o, c->p->manufacturer);
}

static int h_cgmm(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return h_ident(c, cmd, o, c->p->model);
}

static int h_cgmr(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return h_ident(c, cmd, o, c->p->revision);
}

static int h_cgsn(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return h_ident(c, cmd, o, c->p->imei);
}

static int h_gcap(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return h_ident(c, cmd, o, "+GCAP: +CGSM,+DS,+ES");
}

static int h_cmee(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long v;
	switch (cmd->type) {
	case T_QUERY:
		out_linef(c, o, "+CMEE: %d", c->cmee);
		return R_OK;
	case T_TEST:
		out_line(c, o, "+CMEE: (0-2)");
		return R_OK;
	case T_SET:
		if (!arg_int(cmd, 0, 0, 2, &v) || cmd->nargs != 1)
			return R_CME(4);
		c->cmee = (int)v;
		return R_OK;
	default:
		c->cmee = 0;
		return R_OK;
	}
}

static int h_cfun(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long v, rst = 0;
	switch (cmd->type) {
	case T_QUERY:
		out_linef(c, o, "+CFUN: %d", c->fun);
		return R_OK;
	case T_TEST:
		out_line(c, o, "+CFUN: (0,1,4),(0,1)");
		return R_OK;
	case T_SET:
		if (!arg_int(cmd, 0, 0, 4, &v) || (v != 0 && v != 1 && v != 4))
			return R_CME(4);
		if (cmd->nargs > 1 && !arg_int(cmd, 1, 0, 1, &rst))
			return R_CME(4);
		c->fun = (int)v;
		if (rst)
			c->fault[F_REBOOT] = true; /* restart once this line is answered */
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_cpin(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	int e = sim_present_cme(c);
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type == T_QUERY) {
		if (c->p->flags & SIM_P_CPIN_TEXT) {
			if (c->sim == SIM_ABSENT) {
				out_line(c, o, "+CPIN: NOT INSERTED");
				return R_OK;
			}
			if (e == 14) {
				out_line(c, o, "+CPIN: NOT READY");
				return R_OK;
			}
		}
		if (e)
			return R_CME(e);
		if (c->sim == SIM_BLOCKED)
			return R_CME(262);
		out_linef(c, o, "+CPIN: %s", cpin_text(c));
		/* Wavecom M1306: the answer has no final OK (python-gsmmodem issue #19). */
		return (c->p->flags & SIM_P_CPIN_NO_OK) ? R_NONE : R_OK;
	}
	if (cmd->type != T_SET || cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 2)
		return R_CME(4);
	if (e)
		return R_CME(e);
	for (int i = 0; i < cmd->nargs; i++) {
		size_t n = strlen(cmd->arg[i]);
		if (n < 4 || n > 8 || strspn(cmd->arg[i], "0123456789") != n)
			return R_CME(16);
	}
	switch (c->sim) {
	case SIM_READY:
		return R_CME(3);
	case SIM_BLOCKED:
		return R_CME(262);
	case SIM_PIN:
		if (cmd->nargs != 1)
			return R_CME(3);
		if (strcmp(cmd->arg[0], c->pin) != 0) {
			if (--c->pin_left <= 0)
				c->sim = SIM_PUK;
			return R_CME(16);
		}
		c->pin_left = 3;
		c->sim = SIM_READY;
		return R_OK;
	case SIM_PUK:
		if (cmd->nargs != 2)
			return R_CME(12);
		if (strcmp(cmd->arg[0], c->puk) != 0) {
			if (--c->puk_left <= 0)
				c->sim = SIM_BLOCKED;
			return R_CME(16);
		}
		snprintf(c->pin, sizeof(c->pin), "%.8s", cmd->arg[1]);
		c->pin_left = 3;
		c->puk_left = 10;
		c->sim = SIM_READY;
		c->fault[F_SIM_PUK] = false;
		return R_OK;
	default:
		return R_CME(13);
	}
}

static int h_clck(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long mode;
	if (cmd->type == T_TEST) {
		out_line(c, o, "+CLCK: (\"SC\",\"FD\",\"PN\")");
		return R_OK;
	}
	if (cmd->type != T_SET || cmd->bad_args || !arg_int(cmd, 1, 0, 2, &mode))
		return R_CME(4);
	int e = sim_present_cme(c);
	if (e)
		return R_CME(e);
	if (streq_ci(cmd->arg[0], "FD") || streq_ci(cmd->arg[0], "PN")) {
		if (mode != 2)
			return R_CME(3);
		out_line(c, o, "+CLCK: 0");
		return R_OK;
	}
	if (!streq_ci(cmd->arg[0], "SC"))
		return R_CME(4);
	if (mode == 2) {
		out_linef(c, o, "+CLCK: %d", c->pin_enabled ? 1 : 0);
		return R_OK;
	}
	if (sim_cme(c))
		return R_CME(sim_cme(c));
	if (cmd->nargs < 3)
		return R_CME(3);
	if (strcmp(cmd->arg[2], c->pin) != 0) {
		if (--c->pin_left <= 0)
			c->sim = SIM_PUK;
		return R_CME(16);
	}
	c->pin_left = 3;
	c->pin_enabled = mode == 1;
	return R_OK;
}

/* Remaining PIN and PUK attempts (TS 27.007 8.65); not on the older profiles. */
static int h_cpinr(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (c->p->flags & (SIM_P_CPIN_NO_OK | SIM_P_NOT_SUPPORT))
		return R_NOTSUP;
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_ACTION && cmd->type != T_SET)
		return R_ERROR;
	int e = sim_present_cme(c);
	if (e)
		return R_CME(e);
	out_linef(c, o, "+CPINR: SIM PIN,%d,3",
		  c->sim == SIM_PUK || c->sim == SIM_BLOCKED ? 0 : c->pin_left);
	out_linef(c, o, "+CPINR: SIM PUK,%d,10", c->sim == SIM_BLOCKED ? 0 : c->puk_left);
	return R_OK;
}

static int h_cgatt(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	int s1 = reg_stat(c, 1);
	switch (cmd->type) {
	case T_QUERY:
		out_linef(c, o, "+CGATT: %d", s1 == 1 || s1 == 5 ? 1 : 0);
		return R_OK;
	case T_TEST:
		out_line(c, o, "+CGATT: (0,1)");
		return R_OK;
	case T_SET:
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_csq(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type == T_TEST) {
		out_line(c, o, "+CSQ: (0-31,99),(0-7,99)");
		return R_OK;
	}
	if (cmd->type != T_ACTION)
		return R_ERROR;
	int rssi = c->fault[F_WEAK_SIGNAL] ? 5 : c->p->rssi;
	if (!radio_hears(c))
		rssi = 99;
	out_linef(c, o, "+CSQ: %d,99", rssi);
	return R_OK;
}

static int h_cesq(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (!(c->p->flags & SIM_P_LTE))
		return R_NOTSUP;
	if (cmd->type == T_TEST) {
		out_line(c, o,
			 "+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),(0-34,255),(0-97,255)");
		return R_OK;
	}
	if (cmd->type != T_ACTION)
		return R_ERROR;
	if (!radio_hears(c))
		out_line(c, o, "+CESQ: 99,99,255,255,255,255");
	else if (c->fault[F_WEAK_SIGNAL])
		out_line(c, o, "+CESQ: 99,99,255,255,5,20");
	else
		out_line(c, o, "+CESQ: 99,99,255,255,20,50");
	return R_OK;
}

static int reg_common(struct sim_core *c, struct cmd *cmd, struct sbuf *o, int which)
{
	static const char *const names[] = {"+CREG", "+CGREG", "+CEREG"};
	const char *name = names[which];
	long v;
	if (which == 2 && !(c->p->flags & SIM_P_LTE))
		return R_NOTSUP;
	switch (cmd->type) {
	case T_TEST:
		out_linef(c, o, "%s: (0-2)", name);
		return R_OK;
	case T_SET:
		if (cmd->nargs != 1 || !arg_int(cmd, 0, 0, 2, &v))
			return R_CME(4);
		c->creg_n[which] = (int)v;
		return R_OK;
	case T_QUERY: {
		int stat = reg_stat(c, which);
		int n = c->creg_n[which];
		if (n == 2 && (stat == 1 || stat == 5)) {
			if (which == 2)
				out_linef(c, o, "%s: %d,%d,\"%s\",\"%s\",%d", name, n, stat,
					  c->p->lac, c->p->ci, c->p->act);
			else
				out_linef(c, o, "%s: %d,%d,\"%s\",\"%s\",%d", name, n, stat,
					  c->p->lac, c->p->ci, c->p->act);
		} else {
			out_linef(c, o, "%s: %d,%d", name, n, stat);
		}
		return R_OK;
	}
	default:
		return R_ERROR;
	}
}

static int h_creg(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return reg_common(c, cmd, o, 0);
}

static int h_cgreg(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return reg_common(c, cmd, o, 1);
}

static int h_cereg(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return reg_common(c, cmd, o, 2);
}

/* A string as the TE character set (+CSCS) wants it: UCS2 and HEX are hex-encoded, as
 * modems print operator names and numbers under those sets (TS 27.007 5.5). ASCII input. */
static const char *te_str(const struct sim_core *c, const char *in, char *buf, size_t size)
{
	bool ucs2 = !strcmp(c->cscs, "UCS2"), hex = !strcmp(c->cscs, "HEX");
	size_t n = 0, step = ucs2 ? 4 : 2;
	if (!ucs2 && !hex)
		return in;
	for (; *in && n + step + 1 <= size; in++)
		n +=
		    (size_t)snprintf(buf + n, size - n, ucs2 ? "%04X" : "%02X", (unsigned char)*in);
	buf[n] = '\0';
	return buf;
}

/* The reverse for a parameter the host gives (AT+CSCA="002B..." under UCS2). */
static bool te_decode(const struct sim_core *c, const char *in, char *out, size_t size)
{
	bool ucs2 = !strcmp(c->cscs, "UCS2"), hex = !strcmp(c->cscs, "HEX");
	size_t len = strlen(in), step = ucs2 ? 4 : 2, n = 0;
	if (!ucs2 && !hex) {
		snprintf(out, size, "%s", in);
		return len < size;
	}
	if (len % step)
		return false;
	for (size_t i = 0; i < len; i += step) {
		unsigned v = 0;
		for (size_t k = 0; k < step; k++) {
			int h = hexval((unsigned char)in[i + k]);
			if (h < 0)
				return false;
			v = v << 4 | (unsigned)h;
		}
		if (v == 0 || v > 0x7f || n + 1 >= size)
			return false;
		out[n++] = (char)v;
	}
	out[n] = '\0';
	return true;
}

static int h_cops(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long mode, format;
	switch (cmd->type) {
	case T_QUERY:
		if (!registered(c) && reg_stat(c, 1) != 1 && reg_stat(c, 1) != 5) {
			out_line(c, o, "+COPS: 0");
			return R_OK;
		}
		char name[200];
		out_linef(c, o, "+COPS: 0,%d,\"%s\",%d", c->cops_format,
			  te_str(c, c->cops_format == 2 ? c->p->oper_numeric : c->p->oper_long,
				 name, sizeof(name)),
			  c->p->act);
		return R_OK;
	case T_TEST:
		if (!radio_hears(c)) {
			out_line(c, o, "+COPS: ,,(0-4),(0-2)");
			return R_OK;
		}
		out_linef(c, o, "+COPS: (2,\"%s\",\"%s\",\"%s\",%d),,(0-4),(0-2)", c->p->oper_long,
			  c->p->oper_long, c->p->oper_numeric, c->p->act);
		return R_OK;
	case T_SET:
		if (!arg_int(cmd, 0, 0, 4, &mode))
			return R_CME(4);
		if (cmd->nargs > 1) {
			if (!arg_int(cmd, 1, 0, 2, &format))
				return R_CME(4);
			c->cops_format = (int)format;
		}
		if (mode == 1 && cmd->nargs > 2 && strcmp(cmd->arg[2], c->p->oper_numeric) != 0 &&
		    strcmp(cmd->arg[2], c->p->oper_long) != 0)
			return R_CME(30);
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_cimi(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_ACTION)
		return R_ERROR;
	if (sim_cme(c))
		return R_CME(sim_cme(c));
	out_line(c, o, c->p->imsi);
	return R_OK;
}

static int h_cnum(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_ACTION)
		return R_ERROR;
	if (sim_cme(c))
		return R_CME(sim_cme(c));
	char num[200];
	if (c->p->own_number)
		out_linef(c, o, "+CNUM: \"\",\"%s\",%d",
			  te_str(c, c->p->own_number, num, sizeof(num)),
			  c->p->own_number[0] == '+' ? 145 : 129);
	return R_OK;
}

/* The ICCID commands: which one answers and in which form depends on the profile. */
static int iccid_answer(struct sim_core *c, struct cmd *cmd, struct sbuf *o, const char *prefix,
			bool quoted)
{
	if (cmd->type == T_TEST)
		return R_OK;
	int e = sim_present_cme(c);
	if (e)
		return R_CME(e);
	if (prefix)
		out_linef(c, o, quoted ? "%s: \"%s\"" : "%s: %s", prefix, c->p->iccid);
	else
		out_line(c, o, c->p->iccid);
	return R_OK;
}

static int h_ccid(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type != T_ACTION && cmd->type != T_QUERY && cmd->type != T_TEST)
		return R_ERROR;
	switch (c->p->iccid_form) {
	case SIM_ICCID_CCID:
		return iccid_answer(c, cmd, o, "+CCID", false);
	case SIM_ICCID_CCID_QUOTED:
		return iccid_answer(c, cmd, o, "+CCID", true);
	case SIM_ICCID_BARE:
		return iccid_answer(c, cmd, o, NULL, false);
	default:
		return R_NOTSUP;
	}
}

static int h_iccid(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (!(c->p->flags & SIM_P_ICCID_PLUS) || cmd->type == T_SET)
		return R_NOTSUP;
	return iccid_answer(c, cmd, o, "+ICCID", false);
}

static int h_scid(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (c->p->iccid_form != SIM_ICCID_SCID || cmd->type == T_SET)
		return R_NOTSUP;
	return iccid_answer(c, cmd, o, "^SCID", false);
}

static int h_qccid(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (c->p->iccid_form != SIM_ICCID_QCCID || cmd->type == T_SET)
		return R_NOTSUP;
	return iccid_answer(c, cmd, o, "+QCCID", false);
}

static int h_hiccid(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	char sw[32];
	size_t n = strlen(c->p->iccid), j = 0;
	if (c->p->iccid_form != SIM_ICCID_HUAWEI)
		return R_NOTSUP;
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_QUERY)
		return R_ERROR;
	int e = sim_present_cme(c);
	if (e)
		return R_CME(e);
	/* As stored on the card (EF_ICCID): digits swapped in pairs, F filler. */
	for (size_t i = 0; i < n && j + 2 < sizeof(sw); i += 2) {
		char hi = c->p->iccid[i], lo = i + 1 < n ? c->p->iccid[i + 1] : 'F';
		sw[j++] = lo;
		sw[j++] = hi;
	}
	sw[j] = '\0';
	out_linef(c, o, "^ICCID: %s", sw);
	return R_OK;
}

static int h_sysinfo(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (!(c->p->flags & SIM_P_NOT_SUPPORT))
		return R_NOTSUP;
	if (cmd->type != T_ACTION)
		return R_ERROR;
	int srv = registered(c) ? 2 : (radio_hears(c) && c->sim != SIM_ABSENT ? 1 : 0);
	int sim = c->sim == SIM_ABSENT ? 255 : (sim_cme(c) ? 240 : 1);
	out_linef(c, o, "^SYSINFO:%d,%d,%d,%d,%d,,%d", srv, srv ? 3 : 0,
		  reg_stat(c, 0) == 5 ? 1 : 0, srv ? 5 : 0, sim, srv ? 4 : 0);
	return R_OK;
}

/* ---- SMS handlers (TS 27.005) ---- */

static int h_csca(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long type;
	if (cmd->type == T_TEST)
		return R_OK;
	if (sim_cms(c))
		return R_CMS(sim_cms(c));
	if (cmd->type == T_QUERY) {
		char num[200];
		out_linef(c, o, "+CSCA: \"%s\",%d", te_str(c, c->smsc, num, sizeof(num)),
			  c->smsc[0] == '+' ? 145 : 129);
		return R_OK;
	}
	if (cmd->type != T_SET || cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 2)
		return R_CMS(304);
	char num[ARG_LEN];
	if (!te_decode(c, cmd->arg[0], num, sizeof(num)))
		return R_CMS(304);
	size_t n = strlen(num);
	size_t digits = strspn(num + (num[0] == '+'), "0123456789");
	if (digits == 0 || digits > 20 || digits + (num[0] == '+') != n)
		return R_CMS(304);
	if (cmd->nargs == 2 && !arg_int(cmd, 1, 0, 255, &type))
		return R_CMS(304);
	snprintf(c->smsc, sizeof(c->smsc), "%.23s", num);
	return R_OK;
}

static int h_csms(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long v;
	switch (cmd->type) {
	case T_QUERY:
		if (c->fault[F_SMS_UNAVAILABLE])
			out_linef(c, o, "+CSMS: %d,0,0,0", c->csms);
		else
			out_linef(c, o, "+CSMS: %d,1,1,1", c->csms);
		return R_OK;
	case T_TEST:
		out_line(c, o, "+CSMS: (0,1)");
		return R_OK;
	case T_SET:
		if (cmd->nargs != 1 || !arg_int(cmd, 0, 0, 1, &v))
			return R_CMS(303);
		c->csms = (int)v;
		out_line(c, o, c->fault[F_SMS_UNAVAILABLE] ? "+CSMS: 0,0,0" : "+CSMS: 1,1,1");
		return R_OK;
	default:
		return R_ERROR;
	}
}

static bool mem_allowed(const struct sim_core *c, int which, int m)
{
	return m >= 0 && (c->p->mem_allowed[which] & (1u << m)) && mem_total(c, (enum sim_mem)m);
}

static int h_cpms(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	int m[3];
	switch (cmd->type) {
	case T_TEST:
		out_line(c, o, c->p->cpms_test);
		return R_OK;
	case T_QUERY:
		if (sim_cms(c))
			return R_CMS(sim_cms(c));
		out_linef(c, o, "+CPMS: \"%s\",%u,%u,\"%s\",%u,%u,\"%s\",%u,%u",
			  mem_names[c->mem[0]], mem_used(c, c->mem[0]), mem_total(c, c->mem[0]),
			  mem_names[c->mem[1]], mem_used(c, c->mem[1]), mem_total(c, c->mem[1]),
			  mem_names[c->mem[2]], mem_used(c, c->mem[2]), mem_total(c, c->mem[2]));
		return R_OK;
	case T_SET:
		if (cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 3)
			return R_CMS(302);
		if (sim_cms(c))
			return R_CMS(sim_cms(c));
		for (int i = 0; i < 3; i++) {
			m[i] = (int)c->mem[i];
			if (i < cmd->nargs && cmd->arg[i][0]) {
				m[i] = mem_from_name(cmd->arg[i]);
				if (!mem_allowed(c, i, m[i]))
					return R_CMS(302);
			}
		}
		for (int i = 0; i < 3; i++)
			c->mem[i] = (enum sim_mem)m[i];
		out_linef(c, o, "+CPMS: %u,%u,%u,%u,%u,%u", mem_used(c, c->mem[0]),
			  mem_total(c, c->mem[0]), mem_used(c, c->mem[1]), mem_total(c, c->mem[1]),
			  mem_used(c, c->mem[2]), mem_total(c, c->mem[2]));
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_cnmi(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	static const long max[5] = {3, 3, 3, 2, 1};
	long v[5];
	switch (cmd->type) {
	case T_QUERY:
		out_linef(c, o, "+CNMI: %d,%d,%d,%d,%d", c->cnmi[0], c->cnmi[1], c->cnmi[2],
			  c->cnmi[3], c->cnmi[4]);
		return R_OK;
	case T_TEST:
		out_line(c, o, c->p->cnmi_test);
		return R_OK;
	case T_SET:
		if (cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 5)
			return R_CMS(303);
		for (int i = 0; i < 5; i++) {
			v[i] = c->cnmi[i];
			if (i < cmd->nargs && cmd->arg[i][0] && !arg_int(cmd, i, 0, max[i], &v[i]))
				return R_CMS(303);
		}
		for (int i = 0; i < 5; i++)
			c->cnmi[i] = (int)v[i];
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_cmgf(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long v;
	switch (cmd->type) {
	case T_QUERY:
		out_line(c, o, "+CMGF: 0");
		return R_OK;
	case T_TEST:
		out_line(c, o, "+CMGF: (0)");
		return R_OK;
	case T_SET:
		/* Text mode is not simulated: the modem offers PDU mode only. */
		if (cmd->nargs != 1 || !arg_int(cmd, 0, 0, 1, &v))
			return R_CMS(302);
		return v == 0 ? R_OK : R_CMS(303);
	default:
		return R_ERROR;
	}
}

static int h_cscs(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	static const char *const sets[] = {"GSM", "IRA", "UCS2", "HEX", "PCCP437", "8859-1"};
	switch (cmd->type) {
	case T_QUERY:
		out_linef(c, o, "+CSCS: \"%s\"", c->cscs);
		return R_OK;
	case T_TEST:
		out_line(c, o, "+CSCS: (\"GSM\",\"IRA\",\"UCS2\",\"HEX\",\"PCCP437\",\"8859-1\")");
		return R_OK;
	case T_SET:
		for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
			if (cmd->nargs == 1 && streq_ci(cmd->arg[0], sets[i])) {
				snprintf(c->cscs, sizeof(c->cscs), "%s", sets[i]);
				return R_OK;
			}
		}
		return R_CME(4);
	default:
		return R_ERROR;
	}
}

static int h_csmp(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type == T_QUERY)
		out_line(c, o, "+CSMP: 17,167,0,0");
	return cmd->type == T_ACTION ? R_ERROR : R_OK;
}

/* Start of a PDU command: check, then the prompt. */
static int pdu_command(struct sim_core *c, struct cmd *cmd, struct sbuf *o, bool write)
{
	long len, stat = ST_STO_UNSENT;
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_SET || cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 2)
		return R_CMS(304);
	if (sim_cms(c))
		return R_CMS(sim_cms(c));
	if (!arg_int(cmd, 0, 7, 164, &len))
		return R_CMS(304);
	if (!write && c->fault[F_SMS_UNAVAILABLE])
		return R_CMS(301);
	if (cmd->nargs == 2 && (!write || !arg_int(cmd, 1, 0, 3, &stat)))
		return R_CMS(304);
	c->in_pdu = true;
	c->pdu_len = 0;
	c->pdu_overflow = false;
	c->pdu_is_write = write;
	c->pdu_expect_len = (int)len;
	c->pdu_stat = (int)stat;
	sb_puts(o, c->fault[F_BARE_PROMPT] ? "\r\n>" : "\r\n> ");
	return R_NONE;
}

static int h_cmgs(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return pdu_command(c, cmd, o, false);
}

static int h_cmgw(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return pdu_command(c, cmd, o, true);
}

static int tpdu_len_of(const char *hex)
{
	int smsc = hexval((unsigned char)hex[0]) << 4 | hexval((unsigned char)hex[1]);
	return (int)strlen(hex) / 2 - 1 - smsc;
}

static void out_stored(struct sim_core *c, struct sbuf *o, const char *prefix, long index,
		       const struct slot *s)
{
	if (index >= 0)
		out_linef(c, o, "%s: %ld,%d,,%d", prefix, index, s->stat, tpdu_len_of(s->hex));
	else
		out_linef(c, o, "%s: %d,,%d", prefix, s->stat, tpdu_len_of(s->hex));
	/* The PDU line has no blank line before it. */
	add_noise(c, o);
	sb_printf(o, "%s\r\n", s->hex);
}

static int h_cmgl(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long stat = ST_REC_UNREAD;
	if (cmd->type == T_TEST) {
		out_line(c, o, "+CMGL: (0-4)");
		return R_OK;
	}
	if (cmd->type == T_SET &&
	    (cmd->nargs != 1 || cmd->quoted[0] || !arg_int(cmd, 0, 0, 4, &stat)))
		return R_CMS(304);
	if (cmd->type != T_SET && cmd->type != T_ACTION)
		return R_ERROR;
	if (sim_cms(c))
		return R_CMS(sim_cms(c));
	enum sim_mem m = c->mem[0];
	unsigned total = mem_total(c, m);
	for (unsigned i = 0; i < total; i++) {
		struct slot *s = mem_slot(c, m, i);
		if (!s || !s->hex || (stat != ST_ALL && s->stat != stat))
			continue;
		out_stored(c, o, "+CMGL", (long)(i + index_base(c)), s);
		if (s->stat == ST_REC_UNREAD)
			s->stat = ST_REC_READ;
	}
	return R_OK;
}

static struct slot *slot_by_index(struct sim_core *c, const struct cmd *cmd)
{
	long idx;
	unsigned base = index_base(c);
	if (!arg_int(cmd, 0, (long)base, 100000, &idx))
		return NULL;
	return mem_slot(c, c->mem[0], (unsigned)(idx - (long)base));
}

static int h_cmgr(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_SET || cmd->nargs != 1)
		return R_CMS(304);
	if (sim_cms(c))
		return R_CMS(sim_cms(c));
	struct slot *s = slot_by_index(c, cmd);
	if (!s || !s->hex)
		return R_CMS(321);
	out_stored(c, o, "+CMGR", -1, s);
	if (s->stat == ST_REC_UNREAD)
		s->stat = ST_REC_READ;
	return R_OK;
}

static int h_cmgd(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long flag = 0;
	if (cmd->type == T_TEST) {
		out_line(c, o, "+CMGD: (),(0-4)");
		return R_OK;
	}
	if (cmd->type != T_SET || cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 2)
		return R_CMS(304);
	if (cmd->nargs == 2 && !arg_int(cmd, 1, 0, 4, &flag))
		return R_CMS(304);
	if (sim_cms(c))
		return R_CMS(sim_cms(c));
	if (flag == 0) {
		struct slot *s = slot_by_index(c, cmd);
		if (!s)
			return R_CMS(321);
		slot_clear(s);
		return R_OK;
	}
	enum sim_mem m = c->mem[0];
	for (unsigned i = 0; i < mem_total(c, m); i++) {
		struct slot *s = mem_slot(c, m, i);
		if (!s || !s->hex)
			continue;
		bool del = s->stat == ST_REC_READ || (flag >= 2 && s->stat == ST_STO_SENT) ||
			   (flag >= 3 && s->stat == ST_STO_UNSENT) || flag == 4;
		if (del)
			slot_clear(s);
	}
	return R_OK;
}

static int h_cnma(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type == T_TEST) {
		out_line(c, o, "+CNMA: (0-2)");
		return R_OK;
	}
	if (c->csms != 1 || c->pending_cnma <= 0)
		return R_CMS(340);
	c->pending_cnma--;
	return R_OK;
}

static const struct {
	const char *name;
	handler_fn fn;
} handlers[] = {
    {"+CGMI", h_cgmi},	     {"+GMI", h_cgmi},	  {"+CGMM", h_cgmm},   {"+GMM", h_cgmm},
    {"+CGMR", h_cgmr},	     {"+GMR", h_cgmr},	  {"+CGSN", h_cgsn},   {"+GSN", h_cgsn},
    {"+GCAP", h_gcap},	     {"+CMEE", h_cmee},	  {"+CFUN", h_cfun},   {"+CPIN", h_cpin},
    {"+CLCK", h_clck},	     {"+CPINR", h_cpinr}, {"+CGATT", h_cgatt}, {"+CSQ", h_csq},
    {"+CESQ", h_cesq},	     {"+CREG", h_creg},	  {"+CGREG", h_cgreg}, {"+CEREG", h_cereg},
    {"+COPS", h_cops},	     {"+CIMI", h_cimi},	  {"+CNUM", h_cnum},   {"+CCID", h_ccid},
    {"+ICCID", h_iccid},     {"^SCID", h_scid},	  {"+QCCID", h_qccid}, {"^ICCID", h_hiccid},
    {"^SYSINFO", h_sysinfo}, {"+CSCA", h_csca},	  {"+CSMS", h_csms},   {"+CPMS", h_cpms},
    {"+CNMI", h_cnmi},	     {"+CMGF", h_cmgf},	  {"+CSCS", h_cscs},   {"+CSMP", h_csmp},
    {"+CMGS", h_cmgs},	     {"+CMGW", h_cmgw},	  {"+CMGL", h_cmgl},   {"+CMGR", h_cmgr},
    {"+CMGD", h_cmgd},	     {"+CNMA", h_cnma},
};

/* Basic (V.250) commands: E, V, Q, Z, I, &F, &W, &C, &D, X. */
static int run_basic(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	unsigned long v = 0;
	bool has_v = cmd->rest_len > 0;
	if (has_v && !parse_ulong(cmd->rest, cmd->rest_len, 0, 255, &v))
		return R_ERROR;
	const char *n = cmd->name;
	if (!strcmp(n, "E")) {
		if (v > 1)
			return R_ERROR;
		c->echo = v == 1;
		return R_OK;
	}
	if (!strcmp(n, "V")) {
		if (v > 1)
			return R_ERROR;
		c->verbose = v == 1;
		return R_OK;
	}
	if (!strcmp(n, "Q"))
		return v == 0 ? R_OK : R_ERROR;
	if (!strcmp(n, "Z") || !strcmp(n, "&F")) {
		if (v != 0)
			return R_ERROR;
		reset_session(c);
		return R_OK;
	}
	if (!strcmp(n, "I")) {
		if (v != 0)
			return R_OK;
		const char *s = c->p->ati;
		while (*s) {
			const char *e = strchr(s, '\n');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			char tmp[128];
			snprintf(tmp, sizeof(tmp), "%.*s", (int)len, s);
			if (strstr(tmp, "%s")) {
				char line[160];
				size_t at = (size_t)(strstr(tmp, "%s") - tmp);
				snprintf(line, sizeof(line), "%.*s%s%s", (int)at, tmp, c->p->imei,
					 tmp + at + 2);
				out_line(c, o, line);
			} else {
				out_line(c, o, tmp);
			}
			s += len;
			if (*s == '\n')
				s++;
		}
		return R_OK;
	}
	if (!strcmp(n, "S"))
		return has_v ? R_OK : R_ERROR; /* the value part was handled by the caller */
	if (!strcmp(n, "&W") || !strcmp(n, "&C") || !strcmp(n, "&D") || !strcmp(n, "X"))
		return R_OK;
	return R_ERROR;
}

static int run_extended(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (!strcmp(handlers[i].name, cmd->name))
			return handlers[i].fn(c, cmd, o);
	return R_NOTSUP;
}

static bool is_ext_prefix(char ch)
{
	return ch == '+' || ch == '^' || ch == '$' || ch == '#' || ch == '!' || ch == '%' ||
	       ch == '*';
}

/* Count the extended commands on a line (outside quotes). */
static int count_extended(const char *s)
{
	int n = 0;
	bool inq = false;
	for (; *s; s++) {
		if (*s == '"')
			inq = !inq;
		else if (!inq && is_ext_prefix(*s))
			n++;
	}
	return n;
}

/* Execute the commands after "AT". Returns the final result. */
static int run_line(struct sim_core *c, const char *s, struct sbuf *o)
{
	int r = R_OK;
	if ((c->p->flags & SIM_P_NO_CHAIN) && count_extended(s) > 1)
		return R_ERROR;
	while (*s) {
		struct cmd cmd;
		memset(&cmd, 0, sizeof(cmd));
		if (*s == ' ' || *s == ';') {
			s++;
			continue;
		}
		if (is_ext_prefix(*s)) {
			size_t n = 0;
			cmd.name[n++] = *s++;
			while (isalnum((unsigned char)*s) && n + 1 < sizeof(cmd.name))
				cmd.name[n++] = (char)toupper((unsigned char)*s++);
			cmd.name[n] = '\0';
			if (isalnum((unsigned char)*s))
				return R_ERROR;
			if (*s == '?') {
				cmd.type = T_QUERY;
				s++;
			} else if (s[0] == '=' && s[1] == '?') {
				cmd.type = T_TEST;
				s += 2;
			} else if (*s == '=') {
				const char *a = ++s;
				bool inq = false;
				while (*s && (inq || *s != ';')) {
					if (*s == '"')
						inq = !inq;
					s++;
				}
				cmd.type = T_SET;
				split_args(&cmd, a, (size_t)(s - a));
			} else {
				cmd.type = T_ACTION;
			}
			if (*s && *s != ';')
				return R_ERROR;
			r = run_extended(c, &cmd, o);
		} else if (isalpha((unsigned char)*s) || *s == '&') {
			size_t n = 0;
			if (*s == '&')
				cmd.name[n++] = *s++;
			if (!isalpha((unsigned char)*s))
				return R_ERROR;
			cmd.name[n++] = (char)toupper((unsigned char)*s++);
			cmd.name[n] = '\0';
			cmd.rest = s;
			while (isdigit((unsigned char)*s))
				s++;
			cmd.rest_len = (size_t)(s - cmd.rest);
			cmd.type = T_ACTION;
			if (!strcmp(cmd.name, "S") && *s == '=') {
				/* S-register write (ATS0=0): accepted, not kept */
				s++;
				while (isdigit((unsigned char)*s))
					s++;
			} else if (!strcmp(cmd.name, "S") && *s == '?') {
				s++;
				out_line(c, o, "000");
			}
			r = run_basic(c, &cmd, o);
		} else {
			return R_ERROR;
		}
		if (r != R_OK)
			return r;
		if (c->in_pdu)
			return R_NONE; /* the prompt ends the line */
	}
	return r;
}

/* Delay before a command's answer starts: the command's own transfer time, the per-command
 * latency and the slow fault. */
static uint64_t answer_time(const struct sim_core *c, uint64_t now, size_t in_bytes)
{
	uint64_t t = now + byte_time(c) * in_bytes + c->latency_ms * US_PER_MS;
	if (c->fault[F_SLOW])
		t += c->slow_ms * US_PER_MS;
	return t;
}

static void after_command(struct sim_core *c, uint64_t at)
{
	if (c->fault[F_SIM_BUSY] && c->busy_left > 0 && --c->busy_left == 0)
		c->fault[F_SIM_BUSY] = false;
	if (c->fault[F_REBOOT]) {
		c->fault[F_REBOOT] = false;
		do_reboot(c, at);
	}
}

static void process_line(struct sim_core *c, uint64_t now)
{
	const char *l = c->line;
	size_t len = c->line_len;
	size_t i;
	struct sbuf o = {0};

	c->line[len] = '\0';
	/* Anything before "AT" is noise the modem skips. */
	for (i = 0; i + 1 < len; i++)
		if ((l[i] == 'A' || l[i] == 'a') && (l[i + 1] == 'T' || l[i + 1] == 't'))
			break;
	if (i + 1 >= len)
		return;
	c->commands++;
	uint64_t at = answer_time(c, now, len + 1);
	int r;
	if (c->line_overflow) {
		r = R_ERROR;
	} else {
		/* The PIN-unlock URCs of some profiles follow a successful AT+CPIN=. */
		bool locked = c->sim != SIM_READY;
		r = run_line(c, l + i + 2, &o);
		out_final(c, &o, r);
		if (!o.failed)
			queue_bytes(c, at, o.p, o.len);
		free(o.p);
		if (locked && c->sim == SIM_READY)
			queue_ready_urcs(c, at);
		after_command(c, at);
		return;
	}
	out_final(c, &o, r);
	if (!o.failed)
		queue_bytes(c, at, o.p, o.len);
	free(o.p);
	after_command(c, at);
}

/* ---- Submitting, storing and announcing ---- */

static void encode_address(struct sbuf *b, const char *num)
{
	bool intl = num[0] == '+';
	const char *d = num + intl;
	size_t n = strlen(d);
	sb_printf(b, "%02X%02X", (unsigned)((n + 1) / 2 + 1), intl ? 0x91 : 0x81);
	for (size_t i = 0; i < n; i += 2) {
		char pair[2] = {i + 1 < n ? d[i + 1] : 'F', d[i]};
		sb_add(b, pair, 2);
	}
}

/* An SMS-STATUS-REPORT (TS 23.040 9.2.2.3) for a submit that asked for one: delivered. */
static char *make_status_report(struct sim_core *c, const struct sim_submit_info *info, unsigned mr)
{
	struct sbuf b = {0};
	encode_address(&b, c->smsc[0] ? c->smsc : c->p->smsc);
	sb_printf(&b, "06%02X", mr & 0xff);
	sb_add(&b, info->da_hex, strlen(info->da_hex));
	/* Service-centre time stamp and discharge time: 2026-11-25 08:00:00 and :05, UTC. */
	sb_puts(&b, "62115280000000");
	sb_puts(&b, "62115280005000");
	sb_puts(&b, "00");
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

static void announce_report(struct sim_core *c, char *hex, uint64_t at)
{
	char tmp[64];
	int ds = c->cnmi[3];
	if (ds == 1 && c->cnmi[0] != 0) {
		snprintf(tmp, sizeof(tmp), "\r\n+CDS: %d\r\n", tpdu_len_of(hex));
		queue_str(c, at, tmp);
		queue_str(c, at, hex);
		queue_str(c, at, "\r\n");
		if (c->csms == 1)
			c->pending_cnma++;
		free(hex);
		return;
	}
	if (ds != 2) {
		free(hex);
		return;
	}
	enum sim_mem m = c->cap[SIM_MEM_SR] ? SIM_MEM_SR : SIM_MEM_SM;
	int pos = mem_store(c, m, hex, ST_REC_UNREAD, false);
	if (pos < 0) {
		free(hex);
		return;
	}
	if (c->cnmi[0] != 0) {
		snprintf(tmp, sizeof(tmp), "+CDSI: \"%s\",%u", mem_names[m],
			 (unsigned)pos + index_base(c));
		queue_urc(c, at, tmp);
	}
}

static void record_sent(struct sim_core *c, const char *hex, size_t smsc_octets)
{
	if (c->nsent >= MAX_SENT)
		return;
	if (c->nsent == c->sent_cap) {
		size_t cap = c->sent_cap ? c->sent_cap * 2 : 16;
		char **p = realloc(c->sent, cap * sizeof(*p));
		if (!p)
			return;
		c->sent = p;
		c->sent_cap = cap;
	}
	const char *t = hex + 2 * (1 + smsc_octets);
	char *copy = strdup_upper(t, strlen(t));
	if (copy)
		c->sent[c->nsent++] = copy;
}

static void finish_pdu(struct sim_core *c, uint64_t now)
{
	struct sbuf o = {0};
	uint8_t bytes[PDU_MAX_HEX / 2];
	struct sim_submit_info info;
	uint64_t at = answer_time(c, now, c->pdu_len + 1);
	int r = R_OK;

	c->in_pdu = false;
	c->pdu[c->pdu_len] = '\0';
	long n = c->pdu_overflow ? -1 : hex_decode(c->pdu, c->pdu_len, bytes, sizeof(bytes));
	if (n < 2 || bytes[0] > 11 || (long)bytes[0] + 1 >= n ||
	    n - 1 - bytes[0] != c->pdu_expect_len) {
		r = R_CMS(304);
		goto answer;
	}
	size_t smsc_octets = bytes[0];
	if (c->pdu_is_write) {
		if (sim_pdu_check(bytes, (size_t)n, NULL) < 0) {
			r = R_CMS(304);
			goto answer;
		}
		char *hex = strdup_upper(c->pdu, c->pdu_len);
		int pos = hex ? mem_store(c, c->mem[1], hex, c->pdu_stat, false) : -1;
		if (pos < 0) {
			free(hex);
			r = R_CMS(322);
			goto answer;
		}
		out_linef(c, &o, "+CMGW: %u", (unsigned)pos + index_base(c));
		goto answer;
	}
	if (sim_pdu_check(bytes, (size_t)n, &info) != SIM_PDU_SUBMIT) {
		r = R_CMS(304);
		goto answer;
	}
	if (c->fault[F_UNPLUG] && c->unplug_at == UINT64_MAX) {
		/* Pulled out while the submit was on its way: nothing more comes. */
		c->closed_at = now;
		drop_output(c);
		return;
	}
	if (sim_cms(c)) {
		r = R_CMS(sim_cms(c));
		goto answer;
	}
	at += c->network_ms * US_PER_MS;
	if (!registered(c)) {
		r = R_CMS(331);
		goto answer;
	}
	if (smsc_octets == 0 && c->smsc[0] == '\0') {
		r = R_CMS(330);
		goto answer;
	}
	if (c->fault[F_SEND_FAIL_ONCE]) {
		c->fault[F_SEND_FAIL_ONCE] = false;
		r = R_CMS((int)c->fail_once_code);
		goto answer;
	}
	if (c->fault[F_SEND_FAIL]) {
		r = R_CMS((int)c->fail_code);
		goto answer;
	}
	unsigned mr = c->mr;
	c->mr = (c->mr + 1) & 0xff;
	record_sent(c, c->pdu, smsc_octets);
	if (info.status_report) {
		char *rep = make_status_report(c, &info, mr);
		if (rep)
			add_timer(c, at + c->report_ms * US_PER_MS, rep, false);
	}
	if (c->fault[F_SEND_TIMEOUT])
		return; /* accepted, but the answer never comes */
	out_linef(c, &o, "+CMGS: %u", mr);

answer:
	out_final(c, &o, r);
	if (!o.failed)
		queue_bytes(c, at, o.p, o.len);
	free(o.p);
	after_command(c, at);
}

static void abort_pdu(struct sim_core *c, uint64_t now)
{
	struct sbuf o = {0};
	uint64_t at = answer_time(c, now, c->pdu_len + 1);
	c->in_pdu = false;
	out_final(c, &o, R_OK);
	if (!o.failed)
		queue_bytes(c, at, o.p, o.len);
	free(o.p);
}

/* ---- Public core API ---- */

void sim_core_input(struct sim_core *c, const void *buf, size_t len, uint64_t now)
{
	const uint8_t *b = buf;
	sim_core_tick(c, now); /* a timed unplug may have come first */
	if (c->closed_at != UINT64_MAX || c->fault[F_HANG])
		return;
	for (size_t i = 0; i < len; i++) {
		uint8_t ch = b[i];
		if (c->in_pdu) {
			if (ch == 0x1a) {
				finish_pdu(c, now);
			} else if (ch == 0x1b) {
				abort_pdu(c, now);
			} else if (ch == '\r' || ch == '\n' || ch == ' ') {
				/* ignored inside the PDU */
			} else {
				if (c->echo)
					queue_bytes(c, now, &ch, 1);
				if (c->pdu_len < PDU_MAX_HEX)
					c->pdu[c->pdu_len++] = (char)ch;
				else
					c->pdu_overflow = true;
			}
			if (c->closed_at != UINT64_MAX || c->fault[F_HANG])
				return;
			continue;
		}
		if (c->echo && ch != 0x1a && ch != 0x1b)
			queue_bytes(c, now, &ch, 1);
		switch (ch) {
		case '\r':
			process_line(c, now);
			c->line_len = 0;
			c->line_overflow = false;
			break;
		case '\n':
		case 0x1a:
			break;
		case 0x1b:
			c->line_len = 0;
			c->line_overflow = false;
			break;
		case 0x08:
		case 0x7f:
			if (c->line_len)
				c->line_len--;
			break;
		default:
			if (c->line_len < LINE_MAX_LEN)
				c->line[c->line_len++] = (char)ch;
			else
				c->line_overflow = true;
			break;
		}
		if (c->closed_at != UINT64_MAX || c->fault[F_HANG])
			return;
	}
}

void sim_core_tick(struct sim_core *c, uint64_t now)
{
	c->now = now;
	if (c->closed_at == UINT64_MAX && c->fault[F_UNPLUG] && c->unplug_at != UINT64_MAX &&
	    now >= c->unplug_at) {
		c->closed_at = c->unplug_at;
		drop_output(c);
	}
	while (c->timers && c->timers->at <= now) {
		struct timer *t = c->timers;
		c->timers = t->next;
		if (t->deliver) {
			sim_core_deliver_pdu(c, t->report_hex, t->at); /* lost when unregistered */
			free(t->report_hex);
		} else if (t->report_hex && c->closed_at == UINT64_MAX) {
			announce_report(c, t->report_hex, t->at);
		} else if (!t->report_hex && c->status_ms) {
			/* Periodic status noise (^RSSI, +QIND ...), never inside a PDU entry. */
			const char *const *u = c->p->status_urcs;
			if (u[0] && !c->in_pdu && !c->fault[F_HANG] && c->closed_at == UINT64_MAX)
				queue_urc(c, t->at,
					  u[c->status_next++ % (u[1] ? (u[2] ? 3 : 2) : 1)]);
			uint64_t next = t->at + c->status_ms * US_PER_MS;
			add_timer(c, next > now ? next : now + c->status_ms * US_PER_MS, NULL,
				  false);
		} else {
			free(t->report_hex);
		}
		free(t);
	}
}

size_t sim_core_peek(struct sim_core *c, uint64_t now, const uint8_t **data)
{
	struct chunk *ch = c->out_head;
	*data = NULL;
	if (!ch || ch->at > now || c->closed_at != UINT64_MAX)
		return 0;
	*data = ch->data + ch->off;
	return ch->len - ch->off;
}

void sim_core_consume(struct sim_core *c, size_t n)
{
	while (n && c->out_head) {
		struct chunk *ch = c->out_head;
		size_t left = ch->len - ch->off;
		size_t k = n < left ? n : left;
		ch->off += k;
		n -= k;
		if (ch->off == ch->len) {
			c->out_head = ch->next;
			if (!c->out_head)
				c->out_tail = NULL;
			free(ch);
		}
	}
}

uint64_t sim_core_next_event(const struct sim_core *c)
{
	uint64_t t = UINT64_MAX;
	if (c->closed_at != UINT64_MAX)
		return t;
	if (c->out_head)
		t = c->out_head->at;
	if (c->timers && c->timers->at < t)
		t = c->timers->at;
	if (c->fault[F_UNPLUG] && c->unplug_at < t)
		t = c->unplug_at;
	return t;
}

bool sim_core_closed(const struct sim_core *c, uint64_t now)
{
	return c->closed_at != UINT64_MAX && c->closed_at <= now;
}

const char *sim_core_profile_name(const struct sim_core *c)
{
	return c->p->name;
}

size_t sim_core_sent_count(const struct sim_core *c)
{
	return c->nsent;
}

int sim_core_sent_pdu(const struct sim_core *c, size_t i, char *buf, size_t size)
{
	if (i >= c->nsent || !buf || strlen(c->sent[i]) + 1 > size)
		return SMSCTL_ERR_INVALID;
	memcpy(buf, c->sent[i], strlen(c->sent[i]) + 1);
	return 0;
}

unsigned long sim_core_command_count(const struct sim_core *c)
{
	return c->commands;
}

size_t sim_core_stored_count(const struct sim_core *c)
{
	return mem_used(c, SIM_MEM_SM);
}

const char *sim_core_smsc(const struct sim_core *c)
{
	return c->smsc;
}

const char *sim_core_profile_smsc(const struct sim_core *c)
{
	return c->p->smsc;
}

unsigned sim_core_next_incoming(struct sim_core *c)
{
	return c->incoming++;
}

static int deliver_class(const uint8_t *b, size_t n, int *klass)
{
	struct sim_submit_info info;
	int t = sim_pdu_check(b, n, &info);
	if (t != SIM_PDU_DELIVER)
		return -1;
	*klass = info.msg_class;
	return 0;
}

int sim_core_deliver_pdu(struct sim_core *c, const char *hex, uint64_t now)
{
	uint8_t bytes[PDU_MAX_HEX / 2];
	char tmp[64];
	int klass;
	size_t len = strlen(hex);

	c->now = now;
	long n = hex_decode(hex, len, bytes, sizeof(bytes));
	if (n < 2 || (long)bytes[0] + 1 >= n || deliver_class(bytes, (size_t)n, &klass) < 0)
		return SMSCTL_ERR_BAD_PDU;
	if (c->closed_at != UINT64_MAX)
		return SMSCTL_ERR_STATE;
	if (!registered(c))
		return SMSCTL_ERR_NETWORK;
	char *copy = strdup_upper(hex, len);
	if (!copy)
		return SMSCTL_ERR_NOMEM;
	int mode = c->cnmi[0], mt = c->cnmi[1];
	bool direct = mode != 0 && ((mt == 2 && klass != 2) || (mt == 3 && klass == 3));
	if (direct) {
		snprintf(tmp, sizeof(tmp), "\r\n+CMT: ,%d\r\n", tpdu_len_of(copy));
		queue_str(c, now, tmp);
		queue_str(c, now, copy);
		queue_str(c, now, "\r\n");
		if (c->csms == 1)
			c->pending_cnma++;
		free(copy);
		return 0;
	}
	enum sim_mem m = c->mem[2];
	int pos = mem_store(c, m, copy, ST_REC_UNREAD, false);
	if (pos < 0) {
		free(copy);
		return SMSCTL_ERR_TOO_LONG;
	}
	if (mode != 0 && mt != 0) {
		snprintf(tmp, sizeof(tmp), "+CMTI: \"%s\",%u", mem_names[m],
			 (unsigned)pos + index_base(c));
		queue_urc(c, now, tmp);
	}
	return 0;
}

/* Store a deliver PDU without announcing it (messages waiting when the line opens). */
static int store_silently(struct sim_core *c, const char *hex)
{
	uint8_t bytes[PDU_MAX_HEX / 2];
	int klass;
	size_t len = strlen(hex);
	long n = hex_decode(hex, len, bytes, sizeof(bytes));
	if (n < 2 || (long)bytes[0] + 1 >= n || deliver_class(bytes, (size_t)n, &klass) < 0)
		return SMSCTL_ERR_BAD_PDU;
	char *copy = strdup_upper(hex, len);
	if (!copy)
		return SMSCTL_ERR_NOMEM;
	if (mem_store(c, c->mem[2], copy, ST_REC_UNREAD, false) < 0) {
		free(copy);
		return SMSCTL_ERR_TOO_LONG;
	}
	return 0;
}

/* Encode (texts) and place the messages the device string asked for. */
static int apply_preloads(struct sim_core *c, int *err, char *detail, size_t dsize)
{
	for (size_t i = 0; i < c->npre; i++) {
		struct preload *pl = &c->pre[i];
		struct smsctl_encoded *enc = NULL;
		size_t parts = 1;
		if (!pl->hex) {
			int r = sim_text_encode(c, pl->from, pl->text, 0, &enc);
			if (r < 0)
				return set_detail_err(
				    err, detail, dsize,
				    r == SMSCTL_ERR_NOMEM ? r : SMSCTL_ERR_INVALID,
				    "cannot encode the simulated SMS from '%s'", pl->from);
			parts = sim_text_count(enc);
		}
		for (size_t k = 0; k < parts; k++) {
			const char *hex = enc ? sim_text_hex(enc, k) : pl->hex;
			int r = 0;
			if (pl->timed) {
				char *copy = strdup(hex);
				if (copy)
					add_timer(c, c->now + pl->ms * US_PER_MS, copy, true);
			} else {
				r = store_silently(c, hex);
			}
			if (r < 0 && r != SMSCTL_ERR_TOO_LONG) {
				sim_text_free(enc);
				return set_detail_err(
				    err, detail, dsize,
				    r == SMSCTL_ERR_NOMEM ? r : SMSCTL_ERR_INVALID,
				    "the simulated SMS PDU '%.40s' is not a valid "
				    "SMS-DELIVER",
				    hex);
			}
		}
		sim_text_free(enc);
	}
	return 0;
}

static void free_preloads(struct sim_core *c)
{
	for (size_t i = 0; i < c->npre; i++) {
		free(c->pre[i].hex);
		free(c->pre[i].from);
		free(c->pre[i].text);
	}
	free(c->pre);
	c->pre = NULL;
	c->npre = 0;
}

/* ---- Faults ---- */

static int fault_lookup(const char *name, size_t len)
{
	for (int i = 0; i < F_COUNT; i++)
		if (strlen(fault_defs[i].name) == len && !strncmp(fault_defs[i].name, name, len))
			return i;
	return -1;
}

/* Emit +CREG/+CGREG/+CEREG URCs where the registration changed and the host asked. */
static void registration_urcs(struct sim_core *c, const int before[3], uint64_t now)
{
	static const char *const names[] = {"+CREG", "+CGREG", "+CEREG"};
	char tmp[96];
	for (int w = 0; w < 3; w++) {
		if (w == 2 && !(c->p->flags & SIM_P_LTE))
			continue;
		int s = reg_stat(c, w);
		if (s == before[w] || c->creg_n[w] == 0)
			continue;
		if (c->creg_n[w] == 2 && (s == 1 || s == 5))
			snprintf(tmp, sizeof(tmp), "%s: %d,\"%s\",\"%s\",%d", names[w], s,
				 c->p->lac, c->p->ci, c->p->act);
		else
			snprintf(tmp, sizeof(tmp), "%s: %d", names[w], s);
		queue_urc(c, now, tmp);
	}
}

static int apply_fault(struct sim_core *c, int id, bool on, unsigned long arg, bool has_arg,
		       uint64_t now)
{
	const struct fault_def *d = &fault_defs[id];
	int before[3] = {reg_stat(c, 0), reg_stat(c, 1), reg_stat(c, 2)};
	unsigned long v = has_arg ? arg : d->def;

	c->fault[id] = on;
	switch (id) {
	case F_SIM_ABSENT:
	case F_SIM_FAILURE:
	case F_SIM_PUK:
		sim_power_up(c);
		break;
	case F_SIM_PIN:
		c->pin_enabled = on;
		c->pin_left = 3;
		sim_power_up(c);
		break;
	case F_SIM_BUSY:
		c->busy_left = on ? v : 0;
		break;
	case F_SMSC_MISSING:
		snprintf(c->smsc, sizeof(c->smsc), "%s", on ? "" : c->p->smsc);
		break;
	case F_STORAGE_FULL:
		if (on)
			fill_sm(c, 0);
		else
			unfill_sm(c);
		break;
	case F_STORAGE_NEARLY_FULL:
		if (on)
			fill_sm(c, 1);
		else
			unfill_sm(c);
		break;
	case F_SEND_FAIL:
		c->fail_code = v;
		break;
	case F_SEND_FAIL_ONCE:
		c->fail_once_code = v;
		break;
	case F_SLOW:
		c->slow_ms = v;
		break;
	case F_GARBAGE:
		c->garbage_pct = v;
		break;
	case F_UNPLUG:
		c->unplug_s = v;
		c->unplug_at = has_arg ? now + v * 1000000ull : UINT64_MAX;
		break;
	case F_RADIO_OFF:
		c->fun = on ? 0 : 1;
		break;
	case F_SIM_BLOCKED:
		sim_power_up(c);
		break;
	case F_STORAGE_MISMATCH:
		if (on) {
			storage_mismatch(c);
		} else {
			for (int i = 0; i < 3; i++)
				c->mem[i] = c->p->mem_default[i];
		}
		break;
	case F_INDICATIONS_OFF:
		if (on)
			c->cnmi[0] = c->cnmi[1] = c->cnmi[3] = 0;
		else
			memcpy(c->cnmi, c->p->cnmi, sizeof(c->cnmi));
		break;
	default:
		break;
	}
	registration_urcs(c, before, now);
	return 0;
}

/* "name" or "name:arg". */
static int parse_fault(const char *s, size_t len, int *id, unsigned long *arg, bool *has_arg)
{
	const char *colon = memchr(s, ':', len);
	size_t nlen = colon ? (size_t)(colon - s) : len;
	*id = fault_lookup(s, nlen);
	if (*id < 0)
		return SMSCTL_ERR_INVALID;
	const struct fault_def *d = &fault_defs[*id];
	*has_arg = colon != NULL;
	if (!colon)
		return d->arg == ARG_REQUIRED ? SMSCTL_ERR_INVALID : 0;
	if (d->arg == ARG_NONE)
		return SMSCTL_ERR_INVALID;
	if (!parse_ulong(colon + 1, len - nlen - 1, d->min, d->max, arg))
		return SMSCTL_ERR_INVALID;
	return 0;
}

int sim_core_set_fault(struct sim_core *c, const char *fault, bool on, uint64_t now)
{
	int id;
	unsigned long arg = 0;
	bool has_arg;
	if (!fault)
		return SMSCTL_ERR_INVALID;
	int err = parse_fault(fault, strlen(fault), &id, &arg, &has_arg);
	if (err && !(err == SMSCTL_ERR_INVALID && !on && id >= 0 && !strchr(fault, ':')))
		return err;
	return apply_fault(c, id, on, arg, has_arg, now);
}

bool sim_core_has_fault(const struct sim_core *c, const char *fault)
{
	if (!fault)
		return false;
	const char *colon = strchr(fault, ':');
	int id = fault_lookup(fault, colon ? (size_t)(colon - fault) : strlen(fault));
	if (id < 0)
		return false;
	if (id == F_SIM_BUSY)
		return c->fault[id] && c->busy_left > 0;
	return c->fault[id];
}

/* ---- Construction ---- */

static int set_detail(int *err, char *detail, size_t size, int code, const char *fmt, ...)
{
	if (err)
		*err = code;
	if (detail && size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, size, fmt, ap);
		va_end(ap);
	}
	return code;
}

static bool key_is(const char *k, size_t klen, const char *name)
{
	return strlen(name) == klen && !strncmp(k, name, klen);
}

/* %XX escapes (the device string separates keys with '&'). NULL on a bad escape or NUL. */
static char *percent_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t n = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			out[n++] = s[i];
			continue;
		}
		int hi = i + 2 < len ? hexval((unsigned char)s[i + 1]) : -1;
		int lo = i + 2 < len ? hexval((unsigned char)s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		out[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[n] = '\0';
	return out;
}

/* pdu=HEX, sms=FROM,TEXT, arrive=MS,HEX and arrive=MS,FROM,TEXT. */
static int parse_preload(struct sim_core *c, const char *k, size_t klen, const char *v, size_t vlen,
			 int *err, char *detail, size_t dsize)
{
	struct preload pl = {0};
	const char *comma;
	if (c->npre >= MAX_PRELOAD)
		return set_detail(err, detail, dsize, SMSCTL_ERR_INVALID,
				  "too many simulated messages (at most %d)", MAX_PRELOAD);
	if (key_is(k, klen, "arrive")) {
		comma = memchr(v, ',', vlen);
		if (!comma || !parse_ulong(v, (size_t)(comma - v), 0, 86400000ul, &pl.ms))
			goto bad;
		pl.timed = true;
		vlen -= (size_t)(comma - v) + 1;
		v = comma + 1;
	}
	comma = memchr(v, ',', vlen);
	if (key_is(k, klen, "pdu") || (pl.timed && !comma)) {
		if (vlen == 0 || vlen > PDU_MAX_HEX || comma)
			goto bad;
		pl.hex = strdup_upper(v, vlen);
		if (!pl.hex)
			goto nomem;
	} else {
		if (!comma)
			goto bad;
		pl.from = percent_decode(v, (size_t)(comma - v));
		pl.text = percent_decode(comma + 1, vlen - (size_t)(comma - v) - 1);
		if (!pl.from || !pl.text || !pl.from[0]) {
			free(pl.from);
			free(pl.text);
			goto bad;
		}
	}
	struct preload *p = realloc(c->pre, (c->npre + 1) * sizeof(*p));
	if (!p) {
		free(pl.hex);
		free(pl.from);
		free(pl.text);
		goto nomem;
	}
	c->pre = p;
	c->pre[c->npre++] = pl;
	return 0;
bad:
	return set_detail(err, detail, dsize, SMSCTL_ERR_INVALID,
			  "bad simulated message '%.*s=%.*s' (pdu=HEX, sms=FROM,TEXT, "
			  "arrive=MS,HEX or arrive=MS,FROM,TEXT; %%XX escapes)",
			  (int)klen, k, (int)(vlen > 60 ? 60 : vlen), v);
nomem:
	return set_detail(err, detail, dsize, SMSCTL_ERR_NOMEM, "out of memory");
}

static int parse_key(struct sim_core *c, const char *k, size_t klen, const char *v, size_t vlen,
		     int *err, char *detail, size_t dsize)
{
	unsigned long n;
	if (key_is(k, klen, "fault")) {
		size_t i = 0;
		while (i <= vlen) {
			size_t j = i;
			while (j < vlen && v[j] != ',')
				j++;
			int id;
			unsigned long arg = 0;
			bool has_arg;
			if (j == i || parse_fault(v + i, j - i, &id, &arg, &has_arg) < 0)
				return set_detail(err, detail, dsize, SMSCTL_ERR_INVALID,
						  "unknown simulated fault or bad argument '%.*s'",
						  (int)(j - i), v + i);
			c->fault[id] = true;
			switch (id) {
			case F_SIM_BUSY:
				c->busy_left = has_arg ? arg : fault_defs[id].def;
				break;
			case F_SEND_FAIL:
				c->fail_code = arg;
				break;
			case F_SEND_FAIL_ONCE:
				c->fail_once_code = arg;
				break;
			case F_SLOW:
				c->slow_ms = has_arg ? arg : fault_defs[id].def;
				break;
			case F_GARBAGE:
				c->garbage_pct = has_arg ? arg : fault_defs[id].def;
				break;
			case F_UNPLUG:
				c->unplug_s = arg;
				c->unplug_at = has_arg ? 0 : UINT64_MAX; /* relative until start */
				if (has_arg)
					c->unplug_s = arg;
				break;
			default:
				break;
			}
			i = j + 1;
		}
		return 0;
	}
	if (key_is(k, klen, "pdu") || key_is(k, klen, "sms") || key_is(k, klen, "arrive"))
		return parse_preload(c, k, klen, v, vlen, err, detail, dsize);
	if (key_is(k, klen, "pin") || key_is(k, klen, "puk")) {
		bool pin = k[1] == 'i';
		if (vlen < (pin ? 4u : 8u) || vlen > 8 || strspn(v, "0123456789") < vlen)
			return set_detail(err, detail, dsize, SMSCTL_ERR_INVALID,
					  "the simulated %s must be %s digits", pin ? "PIN" : "PUK",
					  pin ? "4 to 8" : "8");
		snprintf(pin ? c->pin : c->puk, sizeof(c->pin), "%.*s", (int)vlen, v);
		return 0;
	}
	static const struct {
		const char *name;
		unsigned long min, max;
	} nums[] = {
	    {"seed", 0, 0xfffffffful},
	    {"baud", 300, 4000000},
	    {"latency", 0, 60000},
	    {"network", 0, 600000},
	    {"report", 0, 600000},
	    {"boot", 0, 1},
	    {"sm", 1, 255},
	    {"status", 0, 3600000},
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (!key_is(k, klen, nums[i].name))
			continue;
		if (!parse_ulong(v, vlen, nums[i].min, nums[i].max, &n))
			return set_detail(
			    err, detail, dsize, SMSCTL_ERR_INVALID,
			    "bad value '%.*s' for the simulated modem's '%s' (%lu to %lu)",
			    (int)vlen, v, nums[i].name, nums[i].min, nums[i].max);
		switch (i) {
		case 0:
			c->rng = n * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
			break;
		case 1:
			c->baud = (unsigned)n;
			break;
		case 2:
			c->latency_ms = (unsigned)n;
			break;
		case 3:
			c->network_ms = (unsigned)n;
			break;
		case 4:
			c->report_ms = (unsigned)n;
			break;
		case 5:
			c->boot_on_open = n == 1;
			break;
		case 6:
			c->cap[SIM_MEM_SM] = (unsigned)n;
			break;
		default:
			c->status_ms = n;
			break;
		}
		return 0;
	}
	return set_detail(err, detail, dsize, SMSCTL_ERR_INVALID,
			  "unknown key '%.*s' in a sim: device (fault, pin, puk, seed, baud, "
			  "latency, network, report, boot, sm, status, pdu, sms, arrive)",
			  (int)klen, k);
}

struct sim_core *sim_core_new(const char *spec, int *err, char *detail, size_t detail_size)
{
	if (err)
		*err = 0;
	if (detail && detail_size)
		detail[0] = '\0';
	if (!spec)
		spec = "";
	size_t plen = strcspn(spec, "?");
	const struct sim_profile *p = sim_profile_find(spec, plen);
	if (!p) {
		set_detail(err, detail, detail_size, SMSCTL_ERR_INVALID,
			   "unknown simulated modem profile '%.*s' (%s)", (int)plen, spec,
			   sim_profile_names());
		return NULL;
	}
	struct sim_core *c = calloc(1, sizeof(*c));
	if (!c) {
		set_detail(err, detail, detail_size, SMSCTL_ERR_NOMEM, "out of memory");
		return NULL;
	}
	c->p = p;
	snprintf(c->pin, sizeof(c->pin), "1234");
	snprintf(c->puk, sizeof(c->puk), "12345678");
	c->rng = 0x2545F4914F6CDD1Dull; /* as seed=0 */
	memcpy(c->cap, p->cap, sizeof(c->cap));
	c->unplug_at = UINT64_MAX;
	c->closed_at = UINT64_MAX;

	const char *q = spec + plen;
	if (*q == '?') {
		q++;
		while (*q) {
			size_t len = strcspn(q, "&");
			const char *eq = memchr(q, '=', len);
			if (!eq) {
				set_detail(err, detail, detail_size, SMSCTL_ERR_INVALID,
					   "expected KEY=VALUE in a sim: device, got '%.*s'",
					   (int)len, q);
				goto fail;
			}
			if (parse_key(c, q, (size_t)(eq - q), eq + 1, len - (size_t)(eq - q) - 1,
				      err, detail, detail_size) < 0)
				goto fail;
			q += len;
			if (*q == '&')
				q++;
		}
	}
	for (int m = 0; m < 3; m++) {
		if (!c->cap[m])
			continue;
		c->store[m] = calloc(c->cap[m], sizeof(struct slot));
		if (!c->store[m]) {
			set_detail(err, detail, detail_size, SMSCTL_ERR_NOMEM, "out of memory");
			goto fail;
		}
	}
	if (c->rng == 0)
		c->rng = 1;
	c->mr = (unsigned)(rng_next(c) & 0xff);
	c->pin_left = 3;
	c->puk_left = 10;
	c->pin_enabled = c->fault[F_SIM_PIN];
	snprintf(c->smsc, sizeof(c->smsc), "%s", c->fault[F_SMSC_MISSING] ? "" : p->smsc);
	reset_session(c);
	c->fun = c->fault[F_RADIO_OFF] ? 0 : 1;
	sim_power_up(c);
	if (apply_preloads(c, err, detail, detail_size) < 0)
		goto fail;
	free_preloads(c);
	if (c->fault[F_STORAGE_FULL])
		fill_sm(c, 0);
	else if (c->fault[F_STORAGE_NEARLY_FULL])
		fill_sm(c, 1);
	return c;
fail:
	sim_core_free(c);
	return NULL;
}

void sim_core_start(struct sim_core *c, uint64_t now)
{
	c->line_free_at = now;
	/* Timers set while parsing count from the open. */
	for (struct timer *t = c->timers; t; t = t->next)
		t->at += now - c->now;
	c->now = now;
	if (c->fault[F_UNPLUG] && c->unplug_at != UINT64_MAX)
		c->unplug_at = now + c->unplug_s * 1000000ull;
	if (c->boot_on_open)
		queue_boot(c, now);
	if (c->status_ms)
		add_timer(c, now + c->status_ms * US_PER_MS, NULL, false);
}

void sim_core_free(struct sim_core *c)
{
	if (!c)
		return;
	drop_output(c);
	while (c->timers) {
		struct timer *t = c->timers;
		c->timers = t->next;
		free(t->report_hex);
		free(t);
	}
	for (int m = 0; m < 3; m++) {
		for (unsigned i = 0; c->store[m] && i < c->cap[m]; i++)
			free(c->store[m][i].hex);
		free(c->store[m]);
	}
	free_preloads(c);
	for (size_t i = 0; i < c->nsent; i++)
		free(c->sent[i]);
	free(c->sent);
	free(c);
}
