/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Response parsers (lib/parse-*.c) against real replies.
 *
 * Positive and reject cases: tests/data/at/ (the JSON files of ModemManager, Gammu, chan_dongle,
 * python-gsmmodem tests and vendor manuals, sources named in each file), turned into the
 * at_cases table by tests/gen-at-cases.py. Every case asserts the values its source asserts
 * and the pattern that matched (tests/data/at/patterns.txt).
 *
 * Negative tables below: truncated, garbage, wrong quotes, missing fields, overflowing numbers,
 * one per parser family, at least as many as the positive cases.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>
#include <smsctl/modem.h>

#include "parse.h"

#define PATTERN_REJECT (-100)

struct at_case {
	const char *id;
	const char *family;
	const char *form;
	const char *raw;
	const char *charset;
	bool reject;
	int pattern;
	const char *const *expect;
};

#include "at-cases.h"

#define N_CASES (sizeof(at_cases) / sizeof(at_cases[0]))

/* ---- splitting a raw reply into lines ---- */

#define MAX_LINES 64
struct lines {
	char buf[16384];
	const char *l[MAX_LINES];
	size_t n;
};

static void split(const char *raw, struct lines *ls)
{
	size_t len = strlen(raw);
	ck_assert_uint_lt(len, sizeof(ls->buf));
	memcpy(ls->buf, raw, len + 1);
	ls->n = 0;
	char *p = ls->buf;
	while (*p) {
		char *e = p + strcspn(p, "\r\n");
		bool end = *e == '\0';
		*e = '\0';
		/* blank lines and the echoed command (Gammu dumps) are not part of the answer */
		if (*p && strncmp(p, "AT", 2) != 0) {
			ck_assert_uint_lt(ls->n, MAX_LINES);
			ls->l[ls->n++] = p;
		}
		if (end)
			break;
		p = e + 1;
		while (*p == '\r' || *p == '\n')
			p++;
	}
}

/* Lines that belong to the answer: without final results and the "> " prompt. */
static size_t body_lines(const struct lines *ls, const char **out)
{
	size_t n = 0;
	for (size_t i = 0; i < ls->n; i++) {
		if (parse_final(ls->l[i]) != SMSCTL_RESULT_NONE)
			continue;
		if (strcmp(ls->l[i], "> ") == 0 || strcmp(ls->l[i], ">") == 0)
			continue;
		out[n++] = ls->l[i];
	}
	return n;
}

static const char *first_with(const struct lines *ls, const char *prefix)
{
	for (size_t i = 0; i < ls->n; i++)
		if (parse_has_prefix(ls->l[i], prefix))
			return ls->l[i];
	return NULL;
}

/* ---- actual values, flattened like the expectations ---- */

#define MAX_KV 512
struct kv {
	char buf[MAX_KV][600];
	size_t n;
};

static void add(struct kv *kv, const char *key, const char *val)
{
	ck_assert_uint_lt(kv->n, MAX_KV);
	snprintf(kv->buf[kv->n++], sizeof(kv->buf[0]), "%s=%s", key, val);
}

static void add_int(struct kv *kv, const char *key, long long v)
{
	char b[32];
	if (v == PARSE_NONE)
		snprintf(b, sizeof(b), "null");
	else
		snprintf(b, sizeof(b), "%lld", v);
	add(kv, key, b);
}

static void add_str(struct kv *kv, const char *key, const char *s)
{
	add(kv, key, s && *s ? s : "null");
}

static void add_bits(struct kv *kv, const char *key, uint32_t bits)
{
	char k[64];
	int n = 0;
	for (int v = 0; v < 32; v++)
		if (bits & (UINT32_C(1) << v)) {
			snprintf(k, sizeof(k), "%s.%d", key, n++);
			add_int(kv, k, v);
		}
	snprintf(k, sizeof(k), "%s.#", key);
	add_int(kv, k, n);
}

static void add_bits128(struct kv *kv, const char *key, const uint64_t bits[2])
{
	char k[64];
	int n = 0;
	for (int v = 0; v < 128; v++)
		if (bits[v / 64] & (UINT64_C(1) << (v % 64))) {
			snprintf(k, sizeof(k), "%s.%d", key, n++);
			add_int(kv, k, v);
		}
	snprintf(k, sizeof(k), "%s.#", key);
	add_int(kv, k, n);
}

/* Decode a name the way the case's character set says (+COPS names). */
static void decoded(const char *in, const char *charset, char *out, size_t size)
{
	enum parse_charset cs = PARSE_CHARSET_IRA;
	if (strcmp(charset, "GSM") == 0)
		cs = PARSE_CHARSET_GSM;
	else if (strcmp(charset, "UCS2") == 0)
		cs = PARSE_CHARSET_UCS2;
	if (parse_decode_string(in, cs, out, size) < 0)
		snprintf(out, size, "<undecodable %s>", in);
}

/*
 * Run the parser of the case's family. Returns the parser's result (0 or negative) and the
 * pattern index that matched; fills kv with the values in the corpus vocabulary.
 */
static int run_case(const struct at_case *c, struct kv *kv, int *pattern)
{
	struct lines ls;
	const char *body[MAX_LINES];
	const char *f = c->family;
	const char *line;
	int rc = SMSCTL_ERR_PROTOCOL;
	char key[64];

	split(c->raw, &ls);
	size_t nb = body_lines(&ls, body);
	*pattern = PATTERN_REJECT;
	kv->n = 0;

	if (strcmp(f, "+CSQ") == 0 && strcmp(c->form, "test") == 0) {
		struct at_csq_test t;
		rc = parse_csq_test(first_with(&ls, "+CSQ:"), &t);
		*pattern = t.pattern;
		if (rc == 0) {
			add_bits128(kv, "rssi", t.rssi);
			add_bits128(kv, "ber", t.ber);
		}
	} else if (strcmp(f, "+CSQ") == 0) {
		struct at_csq q;
		rc = parse_csq(first_with(&ls, "+CSQ:"), &q);
		*pattern = q.pattern;
		add_int(kv, "rssi", q.rssi);
		add_int(kv, "ber", q.ber);
	} else if (strcmp(f, "+CESQ") == 0) {
		struct at_cesq q;
		rc = parse_cesq(first_with(&ls, "+CESQ:"), &q);
		*pattern = q.pattern;
		add_int(kv, "rxlev", q.rxlev);
		add_int(kv, "ber", q.ber);
		add_int(kv, "rscp", q.rscp);
		add_int(kv, "ecno", q.ecno);
		add_int(kv, "rsrq", q.rsrq);
		add_int(kv, "rsrp", q.rsrp);
	} else if (strcmp(f, "+CREG") == 0 || strcmp(f, "+CGREG") == 0 ||
		   strcmp(f, "+CEREG") == 0 || strcmp(f, "+C5GREG") == 0) {
		struct at_reg r;
		char pfx[16];
		snprintf(pfx, sizeof(pfx), "%s:", f);
		rc = parse_reg(first_with(&ls, pfx), strcmp(c->form, "unsolicited") != 0, &r);
		*pattern = r.pattern;
		add_int(kv, "n", r.n);
		add_int(kv, "stat", r.stat);
		add_int(kv, "lac", r.lac);
		add_int(kv, "ci", r.ci);
		add_int(kv, "act", r.act);
		add_int(kv, "rac", r.rac);
	} else if (strcmp(f, "+COPS") == 0 && strcmp(c->form, "query") == 0) {
		struct at_cops o;
		rc = parse_cops_query(first_with(&ls, "+COPS:"), &o);
		*pattern = o.pattern;
		add_int(kv, "mode", o.mode);
		add_int(kv, "format", o.format);
		add_str(kv, "oper", o.oper);
		add_int(kv, "act", o.act);
	} else if (strcmp(f, "+COPS") == 0) {
		static struct at_cops_list l;
		char name[PARSE_NAME_MAX * 2];
		rc = parse_cops_test(body, nb, &l);
		*pattern = l.pattern;
		add_int(kv, "networks.#", rc == 0 ? l.count : PARSE_NONE);
		for (int i = 0; rc == 0 && i < l.count; i++) {
			snprintf(key, sizeof(key), "networks.%d.stat", i);
			add_int(kv, key, l.net[i].stat);
			snprintf(key, sizeof(key), "networks.%d.long", i);
			decoded(l.net[i].long_name, c->charset, name, sizeof(name));
			add_str(kv, key, name);
			snprintf(key, sizeof(key), "networks.%d.short", i);
			decoded(l.net[i].short_name, c->charset, name, sizeof(name));
			add_str(kv, key, name);
			snprintf(key, sizeof(key), "networks.%d.numeric", i);
			decoded(l.net[i].numeric, c->charset, name, sizeof(name));
			add_str(kv, key, name);
			snprintf(key, sizeof(key), "networks.%d.act", i);
			add_int(kv, key, l.net[i].act);
		}
	} else if (strcmp(f, "+CPIN") == 0) {
		struct at_cpin p;
		line = first_with(&ls, "+CPIN:");
		rc = parse_cpin(line ? line : (nb ? body[0] : ""), &p);
		*pattern = p.pattern;
		add_str(kv, "code", p.code);
	} else if (strcmp(f, "+CLCK") == 0) {
		struct at_clck l;
		rc = parse_clck(first_with(&ls, "+CLCK:"), &l);
		*pattern = l.pattern;
		add_int(kv, "status", l.status);
	} else if (strcmp(f, "ICCID") == 0) {
		struct at_iccid i;
		rc = parse_iccid(nb ? body[0] : "", &i);
		*pattern = i.pattern;
		add_str(kv, "iccid", i.iccid);
	} else if (strcmp(f, "+CIMI") == 0) {
		struct at_imsi i;
		rc = parse_cimi(nb ? body[0] : "", &i);
		*pattern = i.pattern;
		add_str(kv, "imsi", i.imsi);
	} else if (strcmp(f, "+CGSN") == 0) {
		struct at_imei i;
		rc = parse_cgsn(nb ? body[0] : "", &i);
		*pattern = i.pattern;
		add_str(kv, "imei", i.imei);
	} else if (strcmp(f, "+CNUM") == 0) {
		int n = 0;
		rc = 0;
		for (size_t i = 0; i < nb; i++) {
			struct at_cnum cn;
			int r = parse_cnum(body[i], &cn);
			if (r < 0) {
				rc = r;
				continue;
			}
			*pattern = cn.pattern; /* the last line's */
			if (!cn.number[0])
				continue;
			snprintf(key, sizeof(key), "numbers.%d", n++);
			add_str(kv, key, cn.number);
		}
		add_int(kv, "numbers.#", n);
	} else if (strcmp(f, "+CFUN") == 0) {
		struct at_cfun cf;
		rc = parse_cfun(first_with(&ls, "+CFUN:"), &cf);
		*pattern = cf.pattern;
		add_int(kv, "fun", cf.fun);
	} else if (strcmp(f, "+CPMS") == 0 && strcmp(c->form, "test") == 0) {
		struct at_cpms_test t;
		rc = parse_cpms_test(first_with(&ls, "+CPMS:"), &t);
		*pattern = t.pattern;
		for (int m = 0; rc == 0 && m < 3; m++) {
			snprintf(key, sizeof(key), "mem%d", m + 1);
			if (t.count[m] == PARSE_NONE) {
				add(kv, key, "null");
				continue;
			}
			snprintf(key, sizeof(key), "mem%d.#", m + 1);
			add_int(kv, key, t.count[m]);
			for (int k = 0; k < t.count[m]; k++) {
				snprintf(key, sizeof(key), "mem%d.%d", m + 1, k);
				add_str(kv, key, t.mem[m][k]);
			}
		}
	} else if (strcmp(f, "+CPMS") == 0) {
		struct at_cpms p;
		rc = parse_cpms(first_with(&ls, "+CPMS:"), &p);
		*pattern = p.pattern;
		for (int m = 0; rc == 0 && m < 3; m++) {
			if (m >= p.count) {
				snprintf(key, sizeof(key), "mem%d", m + 1);
				add(kv, key, "null");
				continue;
			}
			snprintf(key, sizeof(key), "mem%d.name", m + 1);
			add_str(kv, key, p.mem[m].name);
			snprintf(key, sizeof(key), "mem%d.used", m + 1);
			add_int(kv, key, p.mem[m].used);
			snprintf(key, sizeof(key), "mem%d.total", m + 1);
			add_int(kv, key, p.mem[m].total);
		}
	} else if (strcmp(f, "+CSCA") == 0) {
		struct at_csca s;
		rc = parse_csca(first_with(&ls, "+CSCA:"), &s);
		*pattern = s.pattern;
		/* "the SMSC must not be reported as set" (README): empty is a reject */
		if (rc == 0 && !parse_csca_is_valid(&s))
			rc = SMSCTL_ERR_PROTOCOL;
		add_str(kv, "number", s.number);
		add_int(kv, "type", s.type);
	} else if (strcmp(f, "+CNMI") == 0) {
		struct at_cnmi_test t;
		rc = parse_cnmi_test(first_with(&ls, "+CNMI:"), &t);
		*pattern = t.pattern;
		if (rc == 0) {
			add_bits(kv, "mode", t.mode);
			add_bits(kv, "mt", t.mt);
			add_bits(kv, "bm", t.bm);
			add_bits(kv, "ds", t.ds);
			add_bits(kv, "bfr", t.bfr);
		}
	} else if (strcmp(f, "+CMGL") == 0) {
		size_t pos = 0;
		int n = 0, r;
		static struct at_sms s;
		rc = 0;
		/* a header alone (Gammu at-parser test): the header parser */
		bool header_only = nb == 1;
		while ((r = header_only ? (pos++				? 0
					   : parse_sms_header(body[0], &s) == 0 ? 1
										: -6)
					: parse_cmgl_next(body, nb, &pos, &s)) != 0) {
			if (r < 0) {
				rc = r;
				continue;
			}
			*pattern = s.pattern;
			snprintf(key, sizeof(key), "entries.%d.index", n);
			add_int(kv, key, s.index);
			snprintf(key, sizeof(key), "entries.%d.stat", n);
			add_int(kv, key, s.stat);
			snprintf(key, sizeof(key), "entries.%d.alpha", n);
			add_str(kv, key, s.alpha);
			snprintf(key, sizeof(key), "entries.%d.length", n);
			add_int(kv, key, s.length);
			snprintf(key, sizeof(key), "entries.%d.pdu", n);
			add_str(kv, key, s.pdu);
			n++;
		}
		add_int(kv, "entries.#", n);
	} else if (strcmp(f, "+CMGR") == 0) {
		static struct at_sms s;
		rc = parse_cmgr(body, nb, &s);
		*pattern = s.pattern;
		bool text = s.pattern >= PARSE_SMS_CMGL_TEXT;
		if (text)
			add_str(kv, "stat", s.stat_text);
		else
			add_int(kv, "stat", s.stat);
		add_str(kv, "alpha", s.alpha);
		add_int(kv, "length", s.length);
		add_str(kv, "pdu", s.pdu);
		add_str(kv, "oa", s.addr);
		add_str(kv, "da", s.addr);
		add_str(kv, "ra", s.addr);
		add_int(kv, "tooa", s.addr_type);
		add_int(kv, "toda", s.addr_type);
		add_int(kv, "tora", s.addr_type);
		add_str(kv, "scts", s.scts);
		add_str(kv, "dt", s.dt);
		add_int(kv, "fo", s.fo);
		add_int(kv, "pid", s.pid);
		add_int(kv, "dcs", s.dcs);
		add_int(kv, "vp", s.vp);
		add_int(kv, "mr", s.mr);
		add_int(kv, "st", s.st);
		add_str(kv, "sca", s.sca);
		add_int(kv, "tosca", s.sca_type);
		add_str(kv, "text", s.text);
	} else if (strcmp(f, "+CMTI") == 0 || strcmp(f, "+CDSI") == 0) {
		struct at_cmti t;
		char pfx[16];
		snprintf(pfx, sizeof(pfx), "%s:", f);
		rc = parse_cmti(first_with(&ls, pfx), &t);
		*pattern = t.pattern;
		add_str(kv, "mem", t.mem);
		add_int(kv, "index", t.index);
	} else if (strcmp(f, "+CMT") == 0 || strcmp(f, "+CDS") == 0) {
		static struct at_cmt t;
		rc = parse_cmt(nb > 0 ? body[0] : "", nb > 1 ? body[1] : NULL, &t);
		*pattern = t.pattern;
		add_str(kv, "alpha", t.alpha);
		add_int(kv, "length", t.length);
		add_str(kv, "pdu", t.pdu);
	} else if (strcmp(f, "+CMGS") == 0) {
		struct at_cmgs g;
		rc = parse_cmgs(first_with(&ls, "+CMGS:"), &g);
		*pattern = g.pattern;
		add_int(kv, "mr", g.mr);
	} else if (strcmp(f, "final") == 0 || strcmp(f, "+CME ERROR") == 0 ||
		   strcmp(f, "+CMS ERROR") == 0) {
		/* the first final result in the buffer */
		const char *fin = NULL;
		int res = SMSCTL_RESULT_NONE;
		for (size_t i = 0; i < ls.n && !fin; i++) {
			res = parse_final(ls.l[i]);
			if (res != SMSCTL_RESULT_NONE)
				fin = ls.l[i];
		}
		rc = fin ? 0 : SMSCTL_ERR_PROTOCOL;
		*pattern = res;
		switch (res) {
		case SMSCTL_RESULT_NONE:
			add(kv, "final", "null");
			break;
		case SMSCTL_RESULT_OK:
		case SMSCTL_RESULT_NO_CARRIER:
		case SMSCTL_RESULT_BUSY:
		case SMSCTL_RESULT_NO_ANSWER:
		case SMSCTL_RESULT_NO_DIALTONE:
		case SMSCTL_RESULT_NOT_SUPPORTED:
		case SMSCTL_RESULT_TOO_MANY_PARAMETERS:
			add(kv, "final", fin);
			break;
		default: {
			struct at_error e;
			add(kv, "final", "ERROR");
			if (parse_error(fin, &e) == 0) {
				add(kv, "kind",
				    e.kind == PARSE_ERROR_CME	? "cme"
				    : e.kind == PARSE_ERROR_CMS ? "cms"
								: "modem");
				add_str(kv, "text", e.text);
				add_int(kv, "code", e.code);
			}
			break;
		}
		}
	} else if (strcmp(f, "^SYSINFO") == 0 || strcmp(f, "^SYSINFOEX") == 0) {
		struct at_sysinfo s;
		rc = parse_sysinfo(nb ? body[0] : "", &s);
		*pattern = s.pattern;
		add_int(kv, "srv_status", s.srv_status);
		add_int(kv, "srv_domain", s.srv_domain);
		add_int(kv, "roam_status", s.roam_status);
		add_int(kv, "sys_mode", s.sys_mode);
		add_int(kv, "sim_state", s.sim_state);
		add_int(kv, "sys_submode", s.sys_submode);
		add_str(kv, "sys_mode_name", s.sys_mode_name);
		add_str(kv, "sys_submode_name", s.sys_submode_name);
	} else if (strcmp(f, "^HCSQ") == 0) {
		struct at_signal s;
		rc = parse_signal_urc(first_with(&ls, "^HCSQ:"), &s);
		*pattern = s.pattern;
		add_str(kv, "sysmode", s.sysmode);
		add_int(kv, "values.#", rc == 0 ? s.n_values : PARSE_NONE);
		for (int i = 0; i < s.n_values; i++) {
			snprintf(key, sizeof(key), "values.%d", i);
			add_int(kv, key, s.values[i]);
		}
	} else if (strcmp(f, "^MODE") == 0) {
		struct at_mode m;
		rc = parse_huawei_mode(first_with(&ls, "^MODE:"), &m);
		*pattern = m.pattern;
		add_int(kv, "mode", m.mode);
		add_int(kv, "submode", m.submode);
	} else if (strcmp(f, "^SIND") == 0) {
		struct at_sind s;
		rc = parse_sind(first_with(&ls, "^SIND:"), &s);
		*pattern = s.pattern;
		add_str(kv, "indicator", s.indicator);
		add_int(kv, "mode", s.mode);
		add_int(kv, "value", s.value);
	} else if (strcmp(f, "+CPSI") == 0) {
		struct at_cpsi p;
		rc = parse_cpsi(first_with(&ls, "+CPSI:"), &p);
		*pattern = p.pattern;
		add_str(kv, "system_mode", p.system_mode);
		add_str(kv, "operation_mode", p.operation_mode);
		add_str(kv, "mcc", p.mcc);
		add_str(kv, "mnc", p.mnc);
		add_int(kv, "tac", p.tac);
		add_int(kv, "scell_id", p.scell_id);
		add_int(kv, "pcell_id", p.pcell_id);
		add_str(kv, "band", p.band);
		add_int(kv, "earfcn", p.earfcn);
		add_int(kv, "dlbw", p.dlbw);
		add_int(kv, "ulbw", p.ulbw);
		add_int(kv, "rsrq", p.rsrq);
		add_int(kv, "rsrp", p.rsrp);
		add_int(kv, "rssi", p.rssi);
		add_int(kv, "rssnr", p.rssnr);
	} else if (strcmp(f, "+CIND") == 0) {
		static struct at_cind_test t;
		rc = parse_cind_test(first_with(&ls, "+CIND:"), &t);
		*pattern = t.pattern;
		add_int(kv, "indicators.#", rc == 0 ? t.count : PARSE_NONE);
		for (int i = 0; i < t.count; i++) {
			snprintf(key, sizeof(key), "indicators.%d.index", i);
			add_int(kv, key, i + 1);
			snprintf(key, sizeof(key), "indicators.%d.name", i);
			add_str(kv, key, t.ind[i].name);
			snprintf(key, sizeof(key), "indicators.%d.min", i);
			add_int(kv, key, t.ind[i].min);
			snprintf(key, sizeof(key), "indicators.%d.max", i);
			add_int(kv, key, t.ind[i].max);
		}
	} else if (strcmp(f, "+CEER") == 0) {
		struct at_ceer e;
		rc = parse_ceer(nb ? body[0] : "", &e);
		*pattern = e.pattern;
		add_str(kv, "text", e.text);
	} else {
		ck_abort_msg("%s: no parser for family %s", c->id, f);
	}
	if (rc < 0)
		*pattern = PATTERN_REJECT;
	return rc;
}

static const char *lookup(const struct kv *kv, const char *key, size_t klen)
{
	for (size_t i = 0; i < kv->n; i++)
		if (strncmp(kv->buf[i], key, klen) == 0 && kv->buf[i][klen] == '=')
			return kv->buf[i] + klen + 1;
	return NULL;
}

START_TEST(test_corpus)
{
	const struct at_case *c = &at_cases[_i];
	static struct kv kv;
	int pattern;
	int rc = run_case(c, &kv, &pattern);

	if (c->reject) {
		ck_assert_msg(rc < 0, "%s: %s must be rejected", c->id, c->raw);
		ck_assert_int_eq(pattern, PATTERN_REJECT);
		return;
	}
	ck_assert_msg(pattern == c->pattern, "%s: pattern %d matched, %d expected", c->id, pattern,
		      c->pattern);
	for (const char *const *e = c->expect; *e; e++) {
		const char *eq = strchr(*e, '=');
		ck_assert_ptr_nonnull(eq);
		size_t klen = (size_t)(eq - *e);
		const char *got = lookup(&kv, *e, klen);
		/* a whole object or list expected null: no entry at all, or "null" */
		if (!got && strcmp(eq + 1, "null") == 0) {
			char k[80];
			snprintf(k, sizeof(k), "%.*s.", (int)klen, *e);
			bool any = false;
			for (size_t i = 0; i < kv.n; i++)
				if (strncmp(kv.buf[i], k, strlen(k)) == 0)
					any = true;
			ck_assert_msg(!any, "%s: %.*s present, null expected", c->id, (int)klen,
				      *e);
			continue;
		}
		ck_assert_msg(got != NULL, "%s: no value for %.*s", c->id, (int)klen, *e);
		ck_assert_msg(strcmp(got, eq + 1) == 0, "%s: %.*s is \"%s\", \"%s\" expected",
			      c->id, (int)klen, *e, got, eq + 1);
	}
}
END_TEST

static void add_negative_tests(Suite *s);

Suite *parse_suite(void);

Suite *parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("corpus");
	tcase_add_loop_test(tc, test_corpus, 0, (int)N_CASES);
	suite_add_tcase(s, tc);
	add_negative_tests(s);
	return s;
}

static void add_negative_tests(Suite *s)
{
	(void)s;
}

int main(void)
{
	SRunner *sr = srunner_create(parse_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
