/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network registration: +CREG, +CGREG, +CEREG, +C5GREG (solicited and unsolicited), +COPS? and
 * +COPS=?. */
#include <string.h>

#include <smsctl/error.h>

#include "parse/internal.h"

/* Building blocks. Hex location fields are quoted or not, possibly empty, with spaces around
 * (Novatel/Altair print " 1F00"). */
#define R_PFX  "\\+(?<cmd>CREG|CGREG|CEREG|C5GREG):\\s*"
#define R_N    "0*(?<n>\\d)\\s*,\\s*"
#define R_STAT "0*(?<stat>\\d{1,2})\\s*"
#define R_LAC  ",\\s*(?<lq>\"?)(?<lac>[0-9A-Fa-f]{0,8})\\k<lq>\\s*"
#define R_CI   ",\\s*(?<cq>\"?)(?<ci>[0-9A-Fa-f]{0,10})\\k<cq>\\s*"
#define R_ACT  ",\\s*(?<act>\\d{0,3})\\s*"
#define R_RAC  ",\\s*(?<rq>\"?)(?<rac>[0-9A-Fa-f]{1,2})\\k<rq>\\s*"
/* After <AcT>: CREG/CEREG <n>=3 <cause_type>,<reject_cause>; CGREG <rac>; C5GREG NSSAI. */
#define R_TAIL "(?:,\\s*(?<f6>[^,]*?)\\s*(?:,\\s*(?<f7>[^,]*?)\\s*)?(?:,.*)?)?"

static struct parse_re reg_re[] = {
    /* 0 PARSE_REG_SOL_N_STAT. "+CREG: 0,1": <n>,<stat>, TS 27.007 7.2 (every modem with
	 * <n> 0 or 1; SIM7600 manual; leading zeros from Iridium "+CREG:002,001"). */
    {R_PFX R_N R_STAT, 0, NULL},
    /* 1 PARSE_REG_SOL_LOC. "+CREG: 2,1,\"8BE3\",\"00002BAF\"[,<AcT>[,...]]": <n>=2..5
	 * forms of TS 27.007 7.2/10.1.20/10.1.22/10.1.55; quoted (Sony Ericsson, Sierra, u-blox)
	 * or not (Huawei E160G "2,1,8BE3,2BAF"), empty location (Gammu corner case "2,1,\"\",\"605F\""),
	 * spaces (Thuraya "2, 1, \"0426\"", Novatel " 1F00, 79D903 ,7"). */
    {R_PFX R_N R_STAT R_LAC R_CI "(?:" R_ACT R_TAIL ")?", 0, NULL},
    /* 2 PARSE_REG_SOL_EPS_RAC. "+CEREG: 2,1, 1F00, 20 ,79D903 ,7": Novatel LTE modems put a
	 * one-octet RAC between TAC and cell id (ModemManager test-modem-helpers). */
    {"\\+(?<cmd>CEREG):\\s*" R_N R_STAT R_LAC R_RAC R_CI R_ACT, 0, NULL},
    /* 3 PARSE_REG_SOL_SAMSUNG. "+CREG: 2,1,000B,2816, B, C2816": Samsung Wave S8500 repeats
	 * the location in another form where <AcT> belongs; AcT is not known. */
    {R_PFX R_N R_STAT R_LAC R_CI ",\\s*[0-9A-Fa-f]{1,8}\\s*,\\s*[0-9A-Fa-f]{1,10}\\s*", 0, NULL},
    /* 4 PARSE_REG_SOL_LOOSE. "+CREG: 2,1,XXXX,AAAA" (chan_dongle test), "+CREG: 2,1,  0 5,
	 * 2715" (Qualcomm Gobi 1000), "+CREG: 2,1,\"5E25" (Gammu corner case, cut short): <n> and
	 * <stat> are good, the location is not; it is dropped. At most one quote: mismatched
	 * quotes (Gammu "2,1,\"0B,\"0100701\",7") are rejected. */
    {R_PFX R_N R_STAT "(?:,[^\"]*(?:\"[^\"]*)?)?", 0, NULL},
    /* 5 PARSE_REG_UNSOL_STAT. "+CREG: 1": <stat> URC of <n>=1 (TS 27.007 7.2). */
    {R_PFX R_STAT, 0, NULL},
    /* 6 PARSE_REG_UNSOL_LOC. "+CREG: 1,\"CE00\",\"00005449\"[,<AcT>]": URC of <n>=2 (Sony
	 * Ericsson K850i, Huawei E160G unquoted, Novatel XU870 empty "2,,", u-blox with AcT). */
    {R_PFX R_STAT R_LAC R_CI "(?:,\\s*0*(?<act>\\d{1,2})\\s*)?", 0, NULL},
    /* 7 PARSE_REG_UNSOL_GPRS_RAC. "+CGREG: 1,\"1422\",\"00000142\",3,\"00\"": <rac> after
	 * <AcT>, TS 27.007 10.1.20 <n>=2 with RAC (ModemManager test, Sierra). */
    {"\\+(?<cmd>CGREG):\\s*" R_STAT R_LAC R_CI R_ACT R_RAC "(?:,.*)?", 0, NULL},
    /* 8 PARSE_REG_UNSOL_EPS_RAC. "+CEREG: 1, 1F00, 20 ,79D903 ,7": Novatel LTE URC with RAC
	 * between TAC and cell id. */
    {"\\+(?<cmd>CEREG):\\s*" R_STAT R_LAC R_RAC R_CI R_ACT, 0, NULL},
    /* 9 PARSE_REG_UNSOL_5G. "+C5GREG: 1,1F00,79D903,11,6,ABCDEF": TS 27.007 10.1.55 with
	 * <Allowed_NSSAI_length>,<Allowed_NSSAI> (ModemManager test). */
    {"\\+(?<cmd>C5GREG):\\s*" R_STAT R_LAC R_CI R_ACT ",\\s*\\d{0,3}\\s*(?:,.*)?", 0, NULL},
    /* 10 PARSE_REG_UNSOL_CAUSE. "+CEREG: 0,,,,0,15": <n>=3 URC with <cause_type>,
	 * <reject_cause> (TS 27.007 7.2/10.1.22). */
    {"\\+(?<cmd>CREG|CEREG):\\s*" R_STAT R_LAC R_CI R_ACT
     ",\\s*(?<f6>\\d{1,3})\\s*,\\s*(?<f7>\\d{1,3})\\s*(?:,.*)?",
     0, NULL},
};
PARSE_TABLE(reg)

#define SOL_MASK   ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4))
#define UNSOL_MASK ((1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9) | (1u << 10))

static void reg_clear(void *p)
{
	struct at_reg *o = p;
	o->cmd = 0;
	o->solicited = false;
	o->n = o->stat = o->lac = o->act = o->rac = PARSE_NONE;
	o->cause_type = o->reject_cause = o->pattern = PARSE_NONE;
	o->ci = PARSE_NONE;
}

static int reg_fill(const struct parse_match *m, void *o)
{
	struct at_reg *out = o;
	const char *p;
	size_t len;
	int64_t v;

	if (!pm_get(m, "cmd", &p, &len))
		return SMSCTL_ERR_PROTOCOL;
	if (len == 4 && memcmp(p, "CREG", 4) == 0)
		out->cmd = PARSE_REG_CREG;
	else if (len == 5 && memcmp(p, "CGREG", 5) == 0)
		out->cmd = PARSE_REG_CGREG;
	else if (len == 5 && memcmp(p, "CEREG", 5) == 0)
		out->cmd = PARSE_REG_CEREG;
	else
		out->cmd = PARSE_REG_C5GREG;

	out->solicited = m->index <= PARSE_REG_SOL_LOOSE;
	if (pm_int(m, "n", 5, &out->n) < 0 || pm_int(m, "stat", 99, &out->stat) < 0 ||
	    out->stat < 0)
		return SMSCTL_ERR_PROTOCOL;
	if (m->index == PARSE_REG_SOL_LOOSE)
		return 0;
	/* LAC 16 bits, TAC 16 (EPS) or 24 bits (5GS); cell id 28 (UMTS, EPS) or 36 bits (NR). */
	if (pm_hex(m, "lac", 0xFFFFFF, &v) < 0)
		return SMSCTL_ERR_PROTOCOL;
	out->lac = (int32_t)v;
	if (pm_hex(m, "ci", INT64_C(0xFFFFFFFFF), &out->ci) < 0)
		return SMSCTL_ERR_PROTOCOL;
	if (pm_int(m, "act", 15, &out->act) < 0)
		return SMSCTL_ERR_PROTOCOL;
	if (pm_hex(m, "rac", 0xFF, &v) < 0)
		return SMSCTL_ERR_PROTOCOL;
	out->rac = (int)v;

	/* The fields after <AcT> of the solicited form and the <n>=3 URC. */
	if (m->index == PARSE_REG_SOL_LOC || m->index == PARSE_REG_UNSOL_CAUSE) {
		if (out->cmd == PARSE_REG_CGREG) {
			const char *f;
			size_t fl;
			if (pm_get(m, "f6", &f, &fl)) {
				if (fl >= 2 && f[0] == '"' && f[fl - 1] == '"') {
					f++;
					fl -= 2;
				}
				if (parse_hex_span(f, fl, 0xFF, &v) < 0)
					return SMSCTL_ERR_PROTOCOL;
				out->rac = (int)v;
			}
		} else if (out->cmd != PARSE_REG_C5GREG) {
			const char *f;
			size_t fl;
			if (pm_get(m, "f6", &f, &fl) &&
			    parse_dec_span(f, fl, 255, &out->cause_type) < 0)
				return SMSCTL_ERR_PROTOCOL;
			if (pm_get(m, "f7", &f, &fl) &&
			    parse_dec_span(f, fl, 65535, &out->reject_cause) < 0)
				return SMSCTL_ERR_PROTOCOL;
		}
	}
	return 0;
}

int parse_reg(const char *line, bool solicited, struct at_reg *out)
{
	/* Unsolicited: Motorola MD400, Samsung, Altair, Option X220 send the solicited shape as
	 * a URC, so the solicited patterns are tried next. */
	return parse_run_masked(&reg, solicited ? SOL_MASK : UNSOL_MASK, solicited ? 0 : SOL_MASK,
				line, out, out ? &out->pattern : NULL, reg_fill, reg_clear);
}

bool parse_reg_is_registered(int stat)
{
	switch (stat) {
	case PARSE_REG_HOME:
	case PARSE_REG_ROAMING:
	case PARSE_REG_HOME_SMS_ONLY:
	case PARSE_REG_ROAMING_SMS_ONLY:
	case PARSE_REG_HOME_CSFB_NOT_PREFERRED:
	case PARSE_REG_ROAMING_CSFB_NOT_PREFERRED:
		return true;
	default:
		return false;
	}
}

bool parse_reg_is_roaming(int stat)
{
	return stat == PARSE_REG_ROAMING || stat == PARSE_REG_ROAMING_SMS_ONLY ||
	       stat == PARSE_REG_ROAMING_CSFB_NOT_PREFERRED;
}

/* ---- +COPS? ---- */

static struct parse_re cops_re[] = {
    /* 0 PARSE_COPS_QUERY_MODE. "+COPS: 0" (not registered; TS 27.007 7.3), also
	 * "+COPS: 0,0" (format without operator, some Quectel and SIMCom firmware). */
    {"\\+COPS:\\s*(?<mode>\\d)\\s*(?:,\\s*(?<fmt>\\d)\\s*)?", 0, NULL},
    /* 1 PARSE_COPS_QUERY_FULL. "+COPS: 0,0,\"T-Mobile\",7" TS 27.007 7.3 (Sierra MC7455
	 * log; ModemManager tests; python-gsmmodem without AcT). */
    {"\\+COPS:\\s*(?<mode>\\d)\\s*,\\s*(?<fmt>\\d)\\s*,\\s*\"(?<oper>[^\"]*)\"\\s*"
     "(?:,\\s*(?<act>\\d{1,2})\\s*)?",
     0, NULL},
    /* 2 PARSE_COPS_QUERY_LOOSE. "+COPS: 0,0,TELE2,0" and "+COPS: 0,0,\"TELE2,0" (Huawei
	 * dongles, chan_dongle tests): unquoted or unbalanced operator without commas. */
    {"\\+COPS:\\s*(?<mode>\\d)\\s*,\\s*(?<fmt>\\d)\\s*,\\s*\"?(?<oper>[^\",]+)\"?\\s*"
     "(?:,\\s*(?<act>\\d{1,2})\\s*)?",
     0, NULL},
};
PARSE_TABLE(cops)

static void cops_clear(void *p)
{
	struct at_cops *o = p;
	o->mode = o->format = o->act = o->pattern = PARSE_NONE;
	o->oper[0] = '\0';
}

static int cops_fill(const struct parse_match *m, void *p)
{
	struct at_cops *o = p;

	if (pm_int(m, "mode", 4, &o->mode) < 0 || pm_int(m, "fmt", 2, &o->format) < 0 ||
	    pm_str(m, "oper", o->oper, sizeof(o->oper)) < 0 || pm_int(m, "act", 15, &o->act) < 0)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_cops_query(const char *line, struct at_cops *out)
{
	return parse_run(&cops, line, out, out ? &out->pattern : NULL, cops_fill, cops_clear);
}

/* ---- +COPS=? ----
 * Not one regex: the list is walked entry by entry, because real lists are split over lines
 * (Novatel XU870: one "+COPS:" line per operator; Nokia 2720: CR LF between entries) and some
 * close an entry before its <AcT> ("\"310410\"),2)": Sony Ericsson TM-506, Ericsson
 * F3607gw). An entry is "(<stat>,[\"long\"],[\"short\"],\"numeric\"[,<AcT>])" (TS 27.007 7.3);
 * parenthesised lists that do not look like that (the trailing mode and format lists) end the
 * walk. */

struct walker {
	const char *p;
	size_t len, i;
};

static void w_space(struct walker *w)
{
	while (w->i < w->len && (w->p[w->i] == ' ' || w->p[w->i] == '\r' || w->p[w->i] == '\n' ||
				 w->p[w->i] == '\t'))
		w->i++;
}

static bool w_char(struct walker *w, char c)
{
	w_space(w);
	if (w->i < w->len && w->p[w->i] == c) {
		w->i++;
		return true;
	}
	return false;
}

/* A quoted string or nothing (empty field). */
static int w_qstr(struct walker *w, char *dst, size_t size, bool required)
{
	w_space(w);
	dst[0] = '\0';
	if (w->i >= w->len || w->p[w->i] != '"')
		return required ? SMSCTL_ERR_PROTOCOL : 0;
	size_t st = ++w->i;
	while (w->i < w->len && w->p[w->i] != '"')
		w->i++;
	if (w->i >= w->len)
		return SMSCTL_ERR_PROTOCOL;
	int rc = parse_copy_span(w->p + st, w->i - st, dst, size);
	w->i++;
	return rc;
}

static int w_num(struct walker *w, int max, int *out)
{
	w_space(w);
	size_t st = w->i;
	int v = 0;
	while (w->i < w->len && w->p[w->i] >= '0' && w->p[w->i] <= '9') {
		v = v * 10 + (w->p[w->i] - '0');
		if (v > max)
			return SMSCTL_ERR_PROTOCOL;
		w->i++;
	}
	if (st == w->i)
		return SMSCTL_ERR_PROTOCOL;
	*out = v;
	return 0;
}

static struct parse_re cops_test_re[] = {
    /* "+COPS: (" ... the start of a test answer line, or a continuation line "(" (Nokia
	 * 2720). The body is walked by hand (see above). */
    {"(?:\\+COPS:\\s*)?(?<body>\\(.*|,*)", 0, NULL},
};
PARSE_TABLE(cops_test)

static int cops_entry(struct walker *w, struct at_cops_network *n)
{
	if (!w_char(w, '('))
		return SMSCTL_ERR_PROTOCOL;
	if (w_num(w, 3, &n->stat) < 0 || !w_char(w, ','))
		return SMSCTL_ERR_PROTOCOL;
	if (w_qstr(w, n->long_name, sizeof(n->long_name), false) < 0 || !w_char(w, ','))
		return SMSCTL_ERR_PROTOCOL;
	if (w_qstr(w, n->short_name, sizeof(n->short_name), false) < 0 || !w_char(w, ','))
		return SMSCTL_ERR_PROTOCOL;
	if (w_qstr(w, n->numeric, sizeof(n->numeric), true) < 0 || !n->numeric[0])
		return SMSCTL_ERR_PROTOCOL;
	n->act = PARSE_NONE;
	if (w_char(w, ',')) {
		if (w_num(w, 15, &n->act) < 0 || !w_char(w, ')'))
			return SMSCTL_ERR_PROTOCOL;
		return 0;
	}
	if (!w_char(w, ')'))
		return SMSCTL_ERR_PROTOCOL;
	/* Closed before <AcT>: "...\"310410\"),2)" */
	size_t save = w->i;
	int act;
	if (w_char(w, ',') && w_num(w, 15, &act) == 0 && w_char(w, ')'))
		n->act = act;
	else
		w->i = save;
	return 0;
}

int parse_cops_test(const char *const *lines, size_t n_lines, struct at_cops_list *out)
{
	int rc = 0;

	if (!out || (!lines && n_lines))
		return SMSCTL_ERR_INVALID;
	memset(out, 0, sizeof(*out));
	out->pattern = PARSE_NONE;
	bool seen = false, done = false;

	for (size_t li = 0; li < n_lines && !done; li++) {
		struct parse_match m;
		const char *s, *b;
		size_t len, bl;

		if (!parse_trim(lines[li], &s, &len))
			return SMSCTL_ERR_PROTOCOL;
		if (len == 0)
			continue;
		/* continuation lines only after a +COPS: line */
		if (!seen && !(len >= 6 && memcmp(s, "+COPS:", 6) == 0))
			continue;
		rc = parse_match(&cops_test, 0, s, len, &m);
		if (rc == PARSE_NONE)
			break; /* not part of the list (a URC or the final result) */
		if (rc < 0)
			return rc;
		seen = true;
		if (!pm_get(&m, "body", &b, &bl)) {
			parse_match_end(&m);
			continue;
		}
		struct walker w = {b, bl, 0};
		while (w.i < w.len) {
			w_space(&w);
			if (w.i < w.len && w.p[w.i] == ',') {
				w.i++;
				continue;
			}
			if (w.i >= w.len)
				break;
			size_t save = w.i;
			struct at_cops_network n;
			memset(&n, 0, sizeof(n));
			if (cops_entry(&w, &n) < 0) {
				/* the trailing mode/format lists: the list of networks ended */
				w.i = save;
				done = true;
				break;
			}
			if (out->count < PARSE_MAX_NETWORKS)
				out->net[out->count++] = n;
		}
		parse_match_end(&m);
	}
	if (!seen)
		return SMSCTL_ERR_PROTOCOL;
	out->pattern = 0;
	return 0;
}
