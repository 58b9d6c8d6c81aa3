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

#include "parse/parse.h"

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

static void add_dbm(struct kv *kv, const char *key, int v)
{
	add_int(kv, key, v == PARSE_DBM_UNKNOWN ? PARSE_NONE : v);
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
		add_dbm(kv, "dbm", q.dbm);
		add_int(kv, "bars", q.bars);
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
		add_int(kv, "ss_rsrq", q.ss_rsrq);
		add_int(kv, "ss_rsrp", q.ss_rsrp);
		add_int(kv, "ss_sinr", q.ss_sinr);
		add_dbm(kv, "rxlev_dbm", q.rxlev_dbm);
		add_dbm(kv, "rscp_dbm", q.rscp_dbm);
		add_dbm(kv, "ecno_db10", q.ecno_db10);
		add_dbm(kv, "rsrq_db10", q.rsrq_db10);
		add_dbm(kv, "rsrp_dbm", q.rsrp_dbm);
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
		add_int(kv, "state", rc == 0 ? (int)p.state : PARSE_NONE);
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
	} else if (strcmp(f, "+CNMI") == 0 && strcmp(c->form, "query") == 0) {
		struct at_cnmi q;
		rc = parse_cnmi(first_with(&ls, "+CNMI:"), &q);
		*pattern = q.pattern;
		add_int(kv, "mode", q.mode);
		add_int(kv, "mt", q.mt);
		add_int(kv, "bm", q.bm);
		add_int(kv, "ds", q.ds);
		add_int(kv, "bfr", q.bfr);
	} else if (strcmp(f, "+CSMS") == 0) {
		struct at_csms q;
		rc = parse_csms(first_with(&ls, "+CSMS:"), &q);
		*pattern = q.pattern;
		add_int(kv, "service", q.service);
		add_int(kv, "mt", q.mt);
		add_int(kv, "mo", q.mo);
		add_int(kv, "bm", q.bm);
	} else if (strcmp(f, "^RSSI") == 0 || strcmp(f, "^CERSSI") == 0 ||
		   strcmp(f, "+QIND") == 0 || strcmp(f, "+QCSQ") == 0 || strcmp(f, "+CIEV") == 0) {
		struct at_signal q;
		rc = parse_signal_urc(nb ? body[0] : "", &q);
		*pattern = q.pattern;
		add_str(kv, "sysmode", q.sysmode);
		add_int(kv, "rssi", q.rssi);
		add_dbm(kv, "dbm", q.dbm);
		add_int(kv, "ciev_index", q.ciev_index);
		add_int(kv, "values.#", rc == 0 ? q.n_values : PARSE_NONE);
		for (int i = 0; i < q.n_values; i++) {
			snprintf(key, sizeof(key), "values.%d", i);
			add_int(kv, key, q.values[i]);
		}
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
		rc = parse_cmgs(first_with(&ls, "+CMGS:") ? first_with(&ls, "+CMGS:")
							  : first_with(&ls, "+CMSS:"),
				&g);
		*pattern = g.pattern;
		add_int(kv, "mr", g.mr);
		add_str(kv, "ack", g.ack);
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
		add_dbm(kv, "dbm", s.dbm);
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

/* ---- negative tables ---- */

enum kind {
	K_CSQ,
	K_CSQ_TEST,
	K_CESQ,
	K_SIGNAL,
	K_CIND,
	K_REG_SOL,
	K_REG_UNSOL,
	K_COPS,
	K_COPS_TEST,
	K_CPIN,
	K_CLCK,
	K_ICCID,
	K_CIMI,
	K_CGSN,
	K_CNUM,
	K_CFUN,
	K_CPMS,
	K_CPMS_TEST,
	K_CSCA,
	K_CSMS,
	K_CNMI,
	K_CNMI_TEST,
	K_CMGS,
	K_CMTI,
	K_CMT,
	K_CMGR,
	K_CMGL,
	K_ERROR,
	K_FINAL,
	K_CEER,
	K_SYSINFO,
	K_MODE,
	K_SIND,
	K_CPSI,
	K_PDU,
	K_HEADER,
	K_DECODE_UCS2,
	K_RANGE,
	K_COUNT
};

/* Run one parser on one line; 0 when it accepted the line. */
static int run_kind(enum kind k, const char *in)
{
	static union {
		struct at_csq csq;
		struct at_csq_test csqt;
		struct at_cesq cesq;
		struct at_signal sig;
		struct at_cind_test cind;
		struct at_reg reg;
		struct at_cops cops;
		struct at_cops_list copsl;
		struct at_cpin cpin;
		struct at_clck clck;
		struct at_iccid iccid;
		struct at_imsi imsi;
		struct at_imei imei;
		struct at_cnum cnum;
		struct at_cfun cfun;
		struct at_cpms cpms;
		struct at_cpms_test cpmst;
		struct at_csca csca;
		struct at_csms csms;
		struct at_cnmi cnmi;
		struct at_cnmi_test cnmit;
		struct at_cmgs cmgs;
		struct at_cmti cmti;
		struct at_cmt cmt;
		struct at_sms sms;
		struct at_error err;
		struct at_ceer ceer;
		struct at_sysinfo sysinfo;
		struct at_mode mode;
		struct at_sind sind;
		struct at_cpsi cpsi;
		char buf[2048];
	} u;
	const char *one[1] = {in};
	size_t pos = 0;
	int rc;
	uint32_t bits;

	switch (k) {
	case K_CSQ:
		return parse_csq(in, &u.csq);
	case K_CSQ_TEST:
		return parse_csq_test(in, &u.csqt);
	case K_CESQ:
		return parse_cesq(in, &u.cesq);
	case K_SIGNAL:
		return parse_signal_urc(in, &u.sig);
	case K_CIND:
		return parse_cind_test(in, &u.cind);
	case K_REG_SOL:
		return parse_reg(in, true, &u.reg);
	case K_REG_UNSOL:
		return parse_reg(in, false, &u.reg);
	case K_COPS:
		return parse_cops_query(in, &u.cops);
	case K_COPS_TEST:
		return parse_cops_test(one, in ? 1 : 0, &u.copsl);
	case K_CPIN:
		return parse_cpin(in, &u.cpin);
	case K_CLCK:
		return parse_clck(in, &u.clck);
	case K_ICCID:
		return parse_iccid(in, &u.iccid);
	case K_CIMI:
		return parse_cimi(in, &u.imsi);
	case K_CGSN:
		return parse_cgsn(in, &u.imei);
	case K_CNUM:
		return parse_cnum(in, &u.cnum);
	case K_CFUN:
		return parse_cfun(in, &u.cfun);
	case K_CPMS:
		return parse_cpms(in, &u.cpms);
	case K_CPMS_TEST:
		return parse_cpms_test(in, &u.cpmst);
	case K_CSCA:
		rc = parse_csca(in, &u.csca);
		return rc == 0 && !parse_csca_is_valid(&u.csca) ? SMSCTL_ERR_PROTOCOL : rc;
	case K_CSMS:
		return parse_csms(in, &u.csms);
	case K_CNMI:
		return parse_cnmi(in, &u.cnmi);
	case K_CNMI_TEST:
		return parse_cnmi_test(in, &u.cnmit);
	case K_CMGS:
		return parse_cmgs(in, &u.cmgs);
	case K_CMTI:
		return parse_cmti(in, &u.cmti);
	case K_CMT:
		return parse_cmt(in, NULL, &u.cmt);
	case K_CMGR:
		return parse_cmgr(one, in ? 1 : 0, &u.sms);
	case K_CMGL:
		rc = parse_cmgl_next(one, in ? 1 : 0, &pos, &u.sms);
		return rc == 1 ? 0 : rc == 0 ? SMSCTL_ERR_PROTOCOL : rc;
	case K_ERROR:
		return parse_error(in, &u.err);
	case K_FINAL:
		return parse_final(in) != SMSCTL_RESULT_NONE ? 0 : SMSCTL_ERR_PROTOCOL;
	case K_CEER:
		return parse_ceer(in, &u.ceer);
	case K_SYSINFO:
		return parse_sysinfo(in, &u.sysinfo);
	case K_MODE:
		return parse_huawei_mode(in, &u.mode);
	case K_SIND:
		return parse_sind(in, &u.sind);
	case K_CPSI:
		return parse_cpsi(in, &u.cpsi);
	case K_PDU:
		return parse_pdu_line(in, -1, u.buf, PARSE_PDU_MAX);
	case K_HEADER:
		return parse_sms_header(in, &u.sms);
	case K_DECODE_UCS2:
		return parse_decode_string(in, PARSE_CHARSET_UCS2, u.buf, 64);
	case K_RANGE:
		return in ? parse_range_list(in, strlen(in), &bits) : SMSCTL_ERR_INVALID;
	default:
		ck_abort_msg("kind %d", k);
		return 0;
	}
}

static const struct {
	enum kind k;
	const char *in;
} negatives[] = {
    /* +CSQ: out of range, missing fields, garbage, wrong separators, overflow */
    {K_CSQ, "+CSQ: 32,99"},
    {K_CSQ, "+CSQ: 98,0"},
    {K_CSQ, "+CSQ: 17,8"},
    {K_CSQ, "+CSQ: 17"},
    {K_CSQ, "+CSQ: ,99"},
    {K_CSQ, "+CSQ: 17,"},
    {K_CSQ, "+CSQ: -1,99"},
    {K_CSQ, "+CSQ 17,99"},
    {K_CSQ, "CSQ: 17,99"},
    {K_CSQ, "+CSQ: 17;99"},
    {K_CSQ, "+CSQ: 17,99,1"},
    {K_CSQ, "+CSQ: 9999999999,99"},
    {K_CSQ, "+CSQ: \"17\",99"},
    {K_CSQ, "+CSQ: 1 7,99"},
    {K_CSQ, "+CSQ: 200,99"},
    {K_CSQ, "+CSQ: 17,99x"},
    {K_CSQ, "+CESQ: 17,99"},
    /* +CSQ=? */
    {K_CSQ_TEST, "+CSQ: (0-31,99)"},
    {K_CSQ_TEST, "+CSQ: (0-31,99),(0-7,99"},
    {K_CSQ_TEST, "+CSQ: (31-0),(0-7)"},
    {K_CSQ_TEST, "+CSQ: (0-300),(0-7)"},
    {K_CSQ_TEST, "+CSQ: (a-b),(0-7)"},
    {K_CSQ_TEST, "+CSQ: (0-31,),(0-7)"},
    {K_CSQ_TEST, "+CSQ: 0-31,0-7"},
    /* +CESQ */
    {K_CESQ, "+CESQ: 99,99,255,255,20"},
    {K_CESQ, "+CESQ: 64,99,255,255,20,80"},
    {K_CESQ, "+CESQ: 99,8,255,255,20,80"},
    {K_CESQ, "+CESQ: 99,99,97,255,20,80"},
    {K_CESQ, "+CESQ: 99,99,255,50,20,80"},
    {K_CESQ, "+CESQ: 99,99,255,255,35,80"},
    {K_CESQ, "+CESQ: 99,99,255,255,20,98"},
    {K_CESQ, "+CESQ: 99,99,255,255,20,1000"},
    {K_CESQ, "+CESQ: 99,99,255,255,20,-80"},
    {K_CESQ, "+CESQ: 99,99,255,255,,80"},
    {K_CESQ, "+CESQ: 99,99,255,255,20,80,1"},
    {K_CESQ, "+CESQ 99,99,255,255,20,80"},
    {K_CESQ, "+CESQ: a,b,c,d,e,f"},
    /* vendor signal reports */
    {K_SIGNAL, "^RSSI:"},
    {K_SIGNAL, "^RSSI: 50"},
    {K_SIGNAL, "^RSSI: abc"},
    {K_SIGNAL, "^RSSI: 17,3"},
    {K_SIGNAL, "^HCSQ: \"LTE\",30,19,66,0,1,2,3,4,5"},
    {K_SIGNAL, "^HCSQ: \"LTE,30"},
    {K_SIGNAL, "^HCSQ: \"LTE\",300"},
    {K_SIGNAL, "^HCSQ: lte,30"},
    {K_SIGNAL, "+QIND: \"csq\",32,99"},
    {K_SIGNAL, "+QIND: \"csq\",17"},
    {K_SIGNAL, "+QIND: \"act\",\"LTE\""},
    {K_SIGNAL, "+QIND: csq,17,99"},
    {K_SIGNAL, "+CIEV: 0,1"},
    {K_SIGNAL, "+CIEV: 2"},
    {K_SIGNAL, "+CIEV: signal,4"},
    {K_SIGNAL, "^CERSSI:"},
    {K_SIGNAL, "^CERSSI: -99999,1"},
    {K_SIGNAL, "^CERSSI: x"},
    {K_SIGNAL, "+QCSQ: \"LTE\",--52"},
    {K_SIGNAL, "^BOOT:1,2,3"},
    {K_SIGNAL, "RSSI: 17"},
    /* +CIND=? */
    {K_CIND, "+CIND: "},
    {K_CIND, "+CIND: (\"signal\",(0-5)"},
    {K_CIND, "+CIND: (signal,(0-5))"},
    {K_CIND, "+CIND: (\"signal\",(5-0))"},
    {K_CIND, "+CIND: (\"signal\",0-5)"},
    {K_CIND, "+CIND: (\"\",(0-5))"},
    {K_CIND, "+CIND: (\"signal\",(0-99))"},
    {K_CIND, "+CIND: 1,2,3"},
    /* registration, solicited */
    {K_REG_SOL, "+CREG: 1"},
    {K_REG_SOL, "+CREG: 6,1"},
    {K_REG_SOL, "+CREG: 2,100"},
    {K_REG_SOL, "+CREG:"},
    {K_REG_SOL, "+CREG: ,1"},
    {K_REG_SOL, "+CREG: 2,"},
    {K_REG_SOL, "+CREG: 2,1,\"0B,\"0100701\",7"},
    {K_REG_SOL, "+CREG: 2,1,\"1234\",\"5678\",99999"},
    {K_REG_SOL, "+CREG: 2,1,\"123456789\",\"5678\""},
    {K_REG_SOL, "+CREG: 2,1,\"12\"34\",\"5678\""},
    {K_REG_SOL, "+CXREG: 2,1"},
    {K_REG_SOL, "CREG: 2,1"},
    {K_REG_SOL, "+CREG 2,1"},
    {K_REG_SOL, "+CREG: a,b"},
    {K_REG_SOL, "+CREG: 2,1,\"FFFFFFF\",\"1\""},
    {K_REG_SOL, "+CEREG: 2,1,\"1\",\"FFFFFFFFFF\",7"},
    {K_REG_SOL, "+CREG: 2;1"},
    /* registration, unsolicited */
    {K_REG_UNSOL, "+CREG: "},
    {K_REG_UNSOL, "+CREG: 100"},
    {K_REG_UNSOL, "+CREG: x"},
    {K_REG_UNSOL, "+CREG: 1,\"84CD"},
    {K_REG_UNSOL, "+CREG: 1,\"84CD\",\"00D3\"\""},
    {K_REG_UNSOL, "+CREG: 1,\"84CD\",\"00D30156\",7,8"},
    {K_REG_UNSOL, "+CGREG: -1"},
    {K_REG_UNSOL, "+CEREG: 1,\"GGGG\",\"1\""},
    {K_REG_UNSOL, "+C5GREG: 1,\"1\",\"1\",1,x"},
    {K_REG_UNSOL, "+CREG: 1,,,,,,\""},
    /* +COPS? */
    {K_COPS, "+COPS: "},
    {K_COPS, "+COPS: 5"},
    {K_COPS, "+COPS: 0,3,\"x\""},
    {K_COPS, "+COPS: 0,0,\"TELE2\",999"},
    {K_COPS, "+COPS: 0,0,\"TE,LE2"},
    {K_COPS, "+COPS: 0,0,"},
    {K_COPS, "+COPS: x,0,\"a\""},
    {K_COPS, "+COPS 0,0,\"a\""},
    {K_COPS, "COPS: 0"},
    {K_COPS, "+COPS: 0,0,\"a\",7,1"},
    {K_COPS, "+COPS: 00,0"},
    {K_COPS, "+COPS: 0,0,\""
	     "0123456789012345678901234567890123456789012345678901234567890123456789"
	     "012345678901234567890123456789\""},
    /* +COPS=? without a +COPS: line */
    {K_COPS_TEST, "(1,\"a\",\"b\",\"1\",0)"},
    {K_COPS_TEST, "OK"},
    {K_COPS_TEST, ""},
    /* +CPIN */
    {K_CPIN, "+CPIN:"},
    {K_CPIN, "+CPIN: "},
    {K_CPIN, "+CPIN: \"SIM PIN"},
    {K_CPIN, "+CPIN: SIM PIN\""},
    {K_CPIN, "+CPIN: sim pin"},
    {K_CPIN, "+CME ERROR: 10"},
    {K_CPIN, "SIM PINK"},
    {K_CPIN, "READYX"},
    {K_CPIN, "+CPIN: 'SIM PIN'"},
    {K_CPIN, "+CPIN: SIM PIN,3"},
    {K_CPIN, "ERROR"},
    {K_CPIN, "+CPIN: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
    /* +CLCK */
    {K_CLCK, "+CLCK: 2"},
    {K_CLCK, "+CLCK: "},
    {K_CLCK, "+CLCK: 1,"},
    {K_CLCK, "+CLCK: 1,9999"},
    {K_CLCK, "+CLCK: a"},
    {K_CLCK, "+CLCK: 10"},
    /* ICCID */
    {K_ICCID, "+CCID: "},
    {K_ICCID, "+CCID: 12345"},
    {K_ICCID, "+CCID: C3729F82"},
    {K_ICCID, "+CCID: \"8944200053671052499"},
    {K_ICCID, "+CCID: 8944200053671052499\""},
    {K_ICCID, "+CCID: 894420005367105249912345"},
    {K_ICCID, "+CCID: 8944A00053671052499"},
    {K_ICCID, "+CCID: 7944200053671052499"},
    {K_ICCID, "^ICCID: 984402003576012594F"},
    {K_ICCID, "+QCCID: 89442000536710524 99"},
    {K_ICCID, "^SCID: 89-44-2000-5367105249"},
    {K_ICCID, "+CCID: 89442000536710524FF"},
    {K_ICCID, "ICCID 8944200053671052499"},
    {K_ICCID, "+ICCID: 0x8944200053671052499"},
    {K_ICCID, "8944200053671052499\r\nX"},
    /* +CIMI, +CGSN */
    {K_CIMI, "12345"},
    {K_CIMI, "1234567890123456"},
    {K_CIMI, "46000123456789A"},
    {K_CIMI, "+CIMI: "},
    {K_CIMI, "ERROR"},
    {K_CIMI, "\"460001234567890"},
    {K_CIMI, "+CME ERROR: 10"},
    {K_CIMI, "460 001234567890"},
    {K_CGSN, "1234567890123"},
    {K_CGSN, "123456789012345678"},
    {K_CGSN, "35423706508222X"},
    {K_CGSN, "+CGSN: "},
    {K_CGSN, "+CGSN: \"354237065082227"},
    {K_CGSN, "IMEI: 354237065082227"},
    /* +CNUM */
    {K_CNUM, "+CNUM: "},
    {K_CNUM, "+CNUM: \"a\",\"+123\""},
    {K_CNUM, "+CNUM: \"a\",\"+123\",abc"},
    {K_CNUM, "+CNUM: \"a\",\"+12;3\",145"},
    {K_CNUM, "+CNUM: \"a\",\"+123\",1450"},
    {K_CNUM, "+CNUM: \"a\",\"12 34\",129"},
    {K_CNUM, "CNUM: ,\"123\",129"},
    /* +CFUN */
    {K_CFUN, "+CFUN: "},
    {K_CFUN, "+CFUN: 1000"},
    {K_CFUN, "+CFUN: a"},
    {K_CFUN, "+CFUN: 1,"},
    {K_CFUN, "+CFUN: -1"},
    {K_CFUN, "+CFUN: 1,2,3"},
    /* +CPMS */
    {K_CPMS, "+CPMS: "},
    {K_CPMS, "+CPMS: \"SM\",31,30,\"SM\",3,30,\"SM\",3,30"},
    {K_CPMS, "+CPMS: \"SM\",3,30,\"SM\",3"},
    {K_CPMS, "+CPMS: SM,3,30"},
    {K_CPMS, "+CPMS: \"SM\",3,30,\"SM\",3,30,\"SM\",3,30,\"SM\",3,30"},
    {K_CPMS, "+CPMS: \"SM\",999999,9999999"},
    {K_CPMS, "+CPMS: \"SM\",-1,30"},
    {K_CPMS, "+CPMS: \"\",3,30"},
    {K_CPMS, "+CPMS: \"SM\",3"},
    {K_CPMS, "+CPMS: 3,30,1"},
    {K_CPMS, "+CPMS: \"S M\",3,30"},
    {K_CPMS, "+CPMS: 5,3"},
    /* +CPMS=? */
    {K_CPMS_TEST, "+CPMS: (((\"SM\")))"},
    {K_CPMS_TEST, "+CPMS: ((\"SM\"),(\"ME\"),(\"MT\"),(\"SR\"))"},
    {K_CPMS_TEST, "+CPMS: ((\"SM\")"},
    {K_CPMS_TEST, "+CPMS: ((\"SM\"),(\"ME\")),(\"MT\")"},
    {K_CPMS_TEST, "+CPMS: ((\"SM\",(\"ME\")))"},
    {K_CPMS_TEST, "+CPMS: (\"SM\""},
    {K_CPMS_TEST, "+CPMS: \"SM\")"},
    {K_CPMS_TEST, "+CPMS: (\"SM\"),(\"ME\"),(\"MT\"),(\"SR\")"},
    {K_CPMS_TEST, "+CPMS: \"SM\",\"ME\""},
    {K_CPMS_TEST, "+CPMS: (\"S-M\")"},
    {K_CPMS_TEST, "+CPMS: (\"SM\",,\"ME\")"},
    {K_CPMS_TEST, "+CPMS: (\"SM\";\"ME\")"},
    /* +CSCA: empty or not a number */
    {K_CSCA, "+CSCA: \"\",129"},
    {K_CSCA, "+CSCA: ,145"},
    {K_CSCA, "+CSCA: "},
    {K_CSCA, "+CSCA: \"+\",145"},
    {K_CSCA, "+CSCA: \"abc\",145"},
    {K_CSCA, "+CSCA: \"+1 2\",145"},
    {K_CSCA, "+CSCA: \"+12\",1450"},
    {K_CSCA, "+CSCA: \"+12345678901234567890123\",145"},
    {K_CSCA, "+CSCA: \"+12345678"},
    {K_CSCA, "+CSCA \"+12345678\",145"},
    {K_CSCA, "+CSCA: \"00480065006C006C006F\",145"},
    /* +CSMS */
    {K_CSMS, "+CSMS: "},
    {K_CSMS, "+CSMS: 1,1"},
    {K_CSMS, "+CSMS: 0,2,1,1"},
    {K_CSMS, "+CSMS: 1,1,1,1,1"},
    {K_CSMS, "+CSMS: a,1,1"},
    {K_CSMS, "+CSMS: 1000,1,1,1"},
    /* +CNMI? and =? */
    {K_CNMI, "+CNMI: "},
    {K_CNMI, "+CNMI: 4,1,0,0,0"},
    {K_CNMI, "+CNMI: 2,4,0,0,0"},
    {K_CNMI, "+CNMI: 2,1,0,0,2"},
    {K_CNMI, "+CNMI: 2,1,0,0,0,0"},
    {K_CNMI, "+CNMI: 2,,0,0,0"},
    {K_CNMI, "+CNMI: 22,1"},
    {K_CNMI_TEST, "+CNMI: (0-3),(0-3),(0-3),(0,1)"},
    {K_CNMI_TEST, "+CNMI: (0-3),(0-3),(0-3),(0,1),(0,1"},
    {K_CNMI_TEST, "+CNMI: (0-99),(0-3),(0-3),(0,1),(0,1)"},
    {K_CNMI_TEST, "+CNMI: (3-0),(0),(0),(0),(0)"},
    {K_CNMI_TEST, "+CNMI: (a),(0),(0),(0),(0)"},
    {K_CNMI_TEST, "+CNMI: 2,1,0,0,0"},
    /* +CMGS */
    {K_CMGS, "+CMGS: "},
    {K_CMGS, "+CMGS: 256"},
    {K_CMGS, "+CMGS: -1"},
    {K_CMGS, "+CMGS: a"},
    {K_CMGS, "+CMGS: 12,\"07\"9\""},
    {K_CMGS, "+CMGS 12"},
    {K_CMGS, "+CMGS: 1 2"},
    /* +CMTI / +CDSI */
    {K_CMTI, "+CMTI: "},
    {K_CMTI, "+CMTI: \"SM\""},
    {K_CMTI, "+CMTI: \"SM\","},
    {K_CMTI, "+CMTI: \"SM\",-1"},
    {K_CMTI, "+CMTI: \"SM\",999999"},
    {K_CMTI, "+CMTI: \"SM,1"},
    {K_CMTI, "+CMTI: \"S M\",1"},
    {K_CMTI, "+CMTI: ,1"},
    {K_CMTI, "+CDSI: \"SR\""},
    {K_CMTI, "+CMTX: \"SM\",1"},
    /* +CMT / +CDS headers */
    {K_CMT, "+CMT: "},
    {K_CMT, "+CMT: ,"},
    {K_CMT, "+CMT: ,0"},
    {K_CMT, "+CMT: ,999"},
    {K_CMT, "+CMT: \"+123\",,\"07/07/05,09:56:03+08\""},
    {K_CMT, "+CMT: \"a,23"},
    {K_CMT, "+CDS: "},
    {K_CMT, "+CDS: 6,21,\"123\",129"},
    {K_CMT, "+CDS: 1000"},
    /* +CMGR */
    {K_CMGR, "+CMGR: 1,,23"},
    {K_CMGR, "+CMGR: 5,,23"},
    {K_CMGR, "+CMGR: 1,,0"},
    {K_CMGR, "+CMGR: 1,,999"},
    {K_CMGR, "+CMGR: "},
    {K_CMGR, "+CMGR: 1,,23 XYZ"},
    {K_CMGR, "+CMGR: \"REC SOMETHING\",\"+1\",,\"07/07/05,09:56:03+08\""},
    {K_CMGR, "+CMGR: \"REC READ\",\"+1"},
    {K_CMGR, "0791447758100650"},
    {K_CMGR, "OK"},
    {K_CMGR, ""},
    /* +CMGL */
    {K_CMGL, "+CMGL: 1,0,,23"},
    {K_CMGL, "+CMGL: ,0,,23"},
    {K_CMGL, "+CMGL: 1,9,,23"},
    {K_CMGL, "+CMGL: 1,0,,"},
    {K_CMGL, "+CMGL: 999999,0,,23"},
    {K_CMGL, "07914477581006"},
    {K_CMGL, "+CMGL: 1,\"REC UNREAD\""},
    {K_CMGL, "+CMGL: 1,\"RECREAD\",\"+1\",,\"x\""},
    /* header alone */
    {K_HEADER, "+CMGL: 1,0,,0"},
    {K_HEADER, "+CMGR: ,,"},
    {K_HEADER, "+CMGW: 1"},
    {K_HEADER, "+CMGR: 1,\"\"\",23"},
    /* errors */
    {K_ERROR, "+CME ERROR:"},
    {K_ERROR, "+CMS ERROR:"},
    {K_ERROR, "+CME ERROR 10"},
    {K_ERROR, "MODEM ERROR: apple"},
    {K_ERROR, "MODEM ERROR: "},
    {K_ERROR, "+CME ERROR: 999999"},
    {K_ERROR, "CME ERROR: 10"},
    {K_ERROR, "+CXE ERROR: 10"},
    {K_ERROR, "ERROR"},
    {K_ERROR, "+CMS ERROR: 12345678"},
    /* not final results */
    {K_FINAL, "OKAY"},
    {K_FINAL, "UNKNOWN COMMAND"},
    {K_FINAL, "ERRORS"},
    {K_FINAL, "+CME ERROR:"},
    {K_FINAL, "MODEM ERROR: apple"},
    {K_FINAL, "NO CARRIERS"},
    {K_FINAL, "ok"},
    {K_FINAL, "O K"},
    {K_FINAL, "+CMTI: \"SM\",1"},
    {K_FINAL, ""},
    {K_FINAL, "BUSY BUSY"},
    {K_FINAL, "> "},
    /* +CEER */
    {K_CEER, "WRONG RESPONSE"},
    {K_CEER, "+CEE: x"},
    {K_CEER, "CEER: x"},
    /* vendor */
    {K_SYSINFO, "^SYSINFO:2,4,5,3"},
    {K_SYSINFO, "^SYSINFO:2,4,5,3,1,2,3,4"},
    {K_SYSINFO, "^SYSINFO:a,4,5,3,1"},
    {K_SYSINFO, "^SYSINFO:2,4,5,3,9999"},
    {K_SYSINFO, "^SYSINFOEX:2,4,5,1,,3,\"WCDMA\",41"},
    {K_SYSINFO, "^SYSINFOEX:2,4,5,1,,3,\"WC,DMA\",41,\"HSPA+\""},
    {K_SYSINFO, "SYSINFO:2,4,5,3,1"},
    {K_MODE, "^MODE:"},
    {K_MODE, "^MODE: x"},
    {K_MODE, "^MODE: 1,2,3"},
    {K_MODE, "^MODE: 1000"},
    {K_SIND, "^SIND: simstatus"},
    {K_SIND, "^SIND: ,1,5"},
    {K_SIND, "^SIND: 1sim,1,5"},
    {K_SIND, "^SIND: simstatus,a"},
    {K_CPSI, "+CPSI: "},
    {K_CPSI, "+CPSI: LTE"},
    {K_CPSI, "+CPSI: ,Online"},
    {K_CPSI,
     "+CPSI: LTE,Online,460-00,0x5140,86233862,999,EUTRAN-BAND38,37900,5,5,-70,-848,-578,17"},
    /* PDU lines */
    {K_PDU, ""},
    {K_PDU, "07914477GG"},
    {K_PDU, "0791 4477"},
    {K_PDU, "OK"},
    {K_PDU, "+CMT: ,23"},
    /* UCS2 strings */
    {K_DECODE_UCS2, "004"},
    {K_DECODE_UCS2, "00G1"},
    {K_DECODE_UCS2, "D800"},
    {K_DECODE_UCS2, "DC00"},
    {K_DECODE_UCS2, "0000"},
    {K_DECODE_UCS2, "D800D800"},
    /* range lists */
    {K_RANGE, "(0-"},
    {K_RANGE, "(-1)"},
    {K_RANGE, "(32)"},
    {K_RANGE, "(3-1)"},
    {K_RANGE, "(1,,2)"},
    {K_RANGE, "(1,)"},
    {K_RANGE, "(a)"},
    {K_RANGE, "(1;2)"},
};

#define N_NEG (sizeof(negatives) / sizeof(negatives[0]))

START_TEST(test_negative)
{
	int rc = run_kind(negatives[_i].k, negatives[_i].in);
	ck_assert_msg(rc < 0, "kind %d accepted \"%s\"", negatives[_i].k, negatives[_i].in);
}
END_TEST

/* Every parser: NULL, empty, a line of 9000 characters, and a line whose prefix is the
 * parser's but whose body overflows every field. */
START_TEST(test_negative_generic)
{
	enum kind k = (enum kind)(_i / 4);
	static char big[9001];
	const char *in = NULL;

	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	switch (_i % 4) {
	case 0:
		in = NULL;
		break;
	case 1:
		in = "";
		break;
	case 2:
		in = big;
		break;
	case 3:
		memcpy(big, "+CSQ: ", 6);
		in = big;
		break;
	}
	/* valid when empty: a +CEER answer (Altair), a string, a range list "()" */
	if ((k == K_CEER || k == K_DECODE_UCS2 || k == K_RANGE) && _i % 4 == 1)
		return;
	ck_assert_msg(run_kind(k, in) < 0, "kind %d accepted case %d", k, _i % 4);
}
END_TEST

static void add_negative_tests(Suite *s)
{
	TCase *tc = tcase_create("negative");
	tcase_add_loop_test(tc, test_negative, 0, (int)N_NEG);
	tcase_add_loop_test(tc, test_negative_generic, 0, 4 * K_COUNT);
	suite_add_tcase(s, tc);
}

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

int main(void)
{
	SRunner *sr = srunner_create(parse_suite());
	/* Pure functions over strings: no fork per check. With ~1000 table rows, forking costs
	 * 30 s in a plain build and minutes under AddressSanitizer; a crash still fails the run. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
