/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signal quality: +CSQ, +CSQ=?, +CESQ, +CIND=?, and the vendor signal reports (^RSSI, ^HCSQ,
 * ^CERSSI, +QIND "csq", +QCSQ, +CIEV). */
#include <string.h>

#include <smsctl/error.h>

#include "parse/internal.h"

/* ---- +CSQ ---- */

static struct parse_re csq_re[] = {
    /* PARSE_CSQ_STD. "+CSQ: <rssi>,<ber>", TS 27.007 8.5. Spaces after the colon and the
	 * comma vary: "+CSQ:4,0" (python-gsmmodem test), "+CSQ: 31, 99" (Motorola G20 manual,
	 * Westermo manual). */
    {"\\+CSQ:\\s*(?<rssi>\\d{1,3})\\s*,\\s*(?<ber>\\d{1,3})\\s*", 0, NULL},
};
PARSE_TABLE(csq)

int parse_rssi_to_dbm(int rssi)
{
	if (rssi >= 0 && rssi <= 31)
		return -113 + 2 * rssi;
	/* Quectel EC25/EC21 AT manual 6.3: 100..191 is TD-SCDMA RSCP, 100 = -116 dBm or less. */
	if (rssi >= 100 && rssi <= 191)
		return -116 + (rssi - 100);
	return PARSE_DBM_UNKNOWN;
}

static int dbm_bars(int dbm)
{
	if (dbm == PARSE_DBM_UNKNOWN)
		return PARSE_NONE;
	if (dbm >= -73)
		return 5;
	if (dbm >= -83)
		return 4;
	if (dbm >= -93)
		return 3;
	if (dbm >= -103)
		return 2;
	if (dbm >= -109)
		return 1;
	return 0;
}

int parse_rssi_bars(int rssi)
{
	return dbm_bars(parse_rssi_to_dbm(rssi));
}

static bool csq_rssi_valid(int v)
{
	return (v >= 0 && v <= 31) || v == 99 || (v >= 100 && v <= 191) || v == 199;
}

static bool csq_ber_valid(int v)
{
	return (v >= 0 && v <= 7) || v == 99;
}

static void csq_clear(void *p)
{
	struct at_csq *o = p;
	o->rssi = o->ber = o->bars = o->pattern = PARSE_NONE;
	o->dbm = PARSE_DBM_UNKNOWN;
}

static int csq_fill(const struct parse_match *m, void *p)
{
	struct at_csq *out = p;

	if (pm_int(m, "rssi", 199, &out->rssi) < 0 || pm_int(m, "ber", 99, &out->ber) < 0 ||
	    !csq_rssi_valid(out->rssi) || !csq_ber_valid(out->ber))
		return SMSCTL_ERR_PROTOCOL;
	out->dbm = parse_rssi_to_dbm(out->rssi);
	out->bars = dbm_bars(out->dbm);
	return 0;
}

int parse_csq(const char *line, struct at_csq *out)
{
	return parse_run(&csq, line, out, out ? &out->pattern : NULL, csq_fill, csq_clear);
}

/* ---- +CSQ=? ---- */

static struct parse_re csq_test_re[] = {
    /* "+CSQ: (0-31,99),(0-7,99)", TS 27.007 8.5 test form (Quectel BG96 and Motorola G20
	 * manuals, the latter with a space: "(0-31, 99)"). */
    {"\\+CSQ:\\s*\\((?<rssi>[0-9, -]*)\\)\\s*,\\s*\\((?<ber>[0-9, -]*)\\)\\s*", 0, NULL},
};
PARSE_TABLE(csq_test)

static void csq_test_clear(void *p)
{
	struct at_csq_test *o = p;

	memset(o, 0, sizeof(*o));
	o->pattern = PARSE_NONE;
}

static int csq_test_fill(const struct parse_match *m, void *o)
{
	struct at_csq_test *out = o;
	const char *p;
	size_t pl;

	if (!pm_get(m, "rssi", &p, &pl) || parse_range_set(p, pl, 127, out->rssi, 2) < 0)
		return SMSCTL_ERR_PROTOCOL;
	if (!pm_get(m, "ber", &p, &pl) || parse_range_set(p, pl, 127, out->ber, 2) < 0)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_csq_test(const char *line, struct at_csq_test *out)
{
	return parse_run(&csq_test, line, out, out ? &out->pattern : NULL, csq_test_fill,
			 csq_test_clear);
}

/* ---- +CESQ ---- */

static struct parse_re cesq_re[] = {
    /* PARSE_CESQ_STD. "+CESQ: <rxlev>,<ber>,<rscp>,<ecno>,<rsrq>,<rsrp>", TS 27.007 8.69
	 * (ModemManager test-modem-helpers, also without the space "+CESQ:10,6,..."). */
    {"\\+CESQ:\\s*(?<rxlev>\\d{1,3})\\s*,\\s*(?<ber>\\d{1,3})\\s*,\\s*(?<rscp>\\d{1,3})\\s*,"
     "\\s*(?<ecno>\\d{1,3})\\s*,\\s*(?<rsrq>\\d{1,3})\\s*,\\s*(?<rsrp>\\d{1,3})\\s*",
     0, NULL},
    /* PARSE_CESQ_5G. The same plus ",<ss_rsrq>,<ss_rsrp>,<ss_sinr>", TS 27.007 8.69 Rel-15
	 * (5G NR modules: Quectel RM500Q, Sierra EM9191). */
    {"\\+CESQ:\\s*(?<rxlev>\\d{1,3})\\s*,\\s*(?<ber>\\d{1,3})\\s*,\\s*(?<rscp>\\d{1,3})\\s*,"
     "\\s*(?<ecno>\\d{1,3})\\s*,\\s*(?<rsrq>\\d{1,3})\\s*,\\s*(?<rsrp>\\d{1,3})\\s*,"
     "\\s*(?<ssrsrq>\\d{1,3})\\s*,\\s*(?<ssrsrp>\\d{1,3})\\s*,\\s*(?<sssinr>\\d{1,3})\\s*",
     0, NULL},
};
PARSE_TABLE(cesq)

static void cesq_clear(void *p)
{
	struct at_cesq *o = p;
	o->rxlev = o->ber = o->rscp = o->ecno = o->rsrq = o->rsrp = PARSE_NONE;
	o->ss_rsrq = o->ss_rsrp = o->ss_sinr = o->pattern = PARSE_NONE;
	o->rxlev_dbm = o->rscp_dbm = o->ecno_db10 = o->rsrq_db10 = o->rsrp_dbm = PARSE_DBM_UNKNOWN;
}

static int cesq_fill(const struct parse_match *m, void *p)
{
	struct at_cesq *out = p;

	if (pm_int(m, "rxlev", 255, &out->rxlev) < 0 || pm_int(m, "ber", 255, &out->ber) < 0 ||
	    pm_int(m, "rscp", 255, &out->rscp) < 0 || pm_int(m, "ecno", 255, &out->ecno) < 0 ||
	    pm_int(m, "rsrq", 255, &out->rsrq) < 0 || pm_int(m, "rsrp", 255, &out->rsrp) < 0 ||
	    pm_int(m, "ssrsrq", 255, &out->ss_rsrq) < 0 ||
	    pm_int(m, "ssrsrp", 255, &out->ss_rsrp) < 0 ||
	    pm_int(m, "sssinr", 255, &out->ss_sinr) < 0)
		return SMSCTL_ERR_PROTOCOL;
	/* 27.007 8.69 ranges; 99 (rxlev, ber) and 255 (the others) are "not known". */
	if (!((out->rxlev <= 63) || out->rxlev == 99) || !(out->ber <= 7 || out->ber == 99) ||
	    !(out->rscp <= 96 || out->rscp == 255) || !(out->ecno <= 49 || out->ecno == 255) ||
	    !(out->rsrq <= 34 || out->rsrq == 255) || !(out->rsrp <= 97 || out->rsrp == 255))
		return SMSCTL_ERR_PROTOCOL;
	if (out->rxlev <= 63)
		out->rxlev_dbm = out->rxlev == 0 ? -111 : -111 + out->rxlev;
	if (out->rscp <= 96)
		out->rscp_dbm = -121 + out->rscp;
	if (out->ecno <= 49)
		out->ecno_db10 = -245 + 5 * out->ecno;
	if (out->rsrq <= 34)
		out->rsrq_db10 = -200 + 5 * out->rsrq;
	if (out->rsrp <= 97)
		out->rsrp_dbm = -141 + out->rsrp;
	return 0;
}

int parse_cesq(const char *line, struct at_cesq *out)
{
	return parse_run(&cesq, line, out, out ? &out->pattern : NULL, cesq_fill, cesq_clear);
}

/* ---- vendor signal reports ---- */

static struct parse_re signal_re[] = {
    /* 0: PARSE_SIGNAL_HUAWEI_RSSI. "^RSSI: <rssi>" (also "^RSSI:17"), Huawei URC, rssi in
	 * 27.007 8.5 units (Huawei MU609/E3372 AT manuals, "^RSSI"). */
    {"\\^RSSI:\\s*(?<rssi>\\d{1,3})\\s*", 0, NULL},
    /* 1: PARSE_SIGNAL_HUAWEI_HCSQ. "^HCSQ: \"LTE\",30,19,66,0", quotes optional, values
	 * optional ("^HCSQ: NOSERVICE"); ModemManager Huawei plugin tests (E3372, ME909). */
    {"\\^HCSQ:\\s*(?<q>\"?)(?<mode>[A-Z0-9-]{1,15})\\k<q>(?<vals>(?:\\s*,\\s*\\d{1,3}){0,8})\\s*",
     0, NULL},
    /* 2: PARSE_SIGNAL_HUAWEI_CERSSI. "^CERSSI: <rssi>,<ecio>,<rsrp>,<rsrq>,<sinr>..." Huawei
	 * LTE URC; values printed signed (Huawei ME909s AT manual, "^CERSSI"). */
    {"\\^CERSSI:\\s*(?<vals>-?\\d{1,4}(?:\\s*,\\s*-?\\d{1,4}){0,7})\\s*", 0, NULL},
    /* 3: PARSE_SIGNAL_QUECTEL_QIND. "+QIND: \"csq\",<rssi>,<ber>" (Quectel EC2x/BG96 AT
	 * manuals, AT+QINDCFG="csq"). */
    {"\\+QIND:\\s*\"csq\"\\s*,\\s*(?<rssi>\\d{1,3})\\s*,\\s*(?<ber>\\d{1,2})\\s*", PCRE2_CASELESS,
     NULL},
    /* 4: PARSE_SIGNAL_CIEV. "+CIEV: <ind>,<value>" TS 27.007 8.10 (the index of "signal"
	 * comes from +CIND=?; Telit, Motorola, Linktop). */
    {"\\+CIEV:\\s*(?<ind>\\d{1,2})\\s*,\\s*(?<v>\\d{1,3})\\s*", 0, NULL},
    /* 5: PARSE_SIGNAL_QUECTEL_QCSQ. "+QCSQ: \"LTE\",-52,-81,195,-10" (Quectel EC25 AT
	 * manual, AT+QCSQ); values signed. */
    {"\\+QCSQ:\\s*(?<q>\"?)(?<mode>[A-Za-z0-9 "
     "-]{1,15})\\k<q>(?<vals>(?:\\s*,\\s*-?\\d{1,4}){0,8})\\s*",
     0, NULL},
};
PARSE_TABLE(signal)

static void signal_clear(void *p)
{
	struct at_signal *o = p;
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < PARSE_MAX_VALUES; i++)
		o->values[i] = PARSE_NONE;
	o->rssi = o->ciev_index = o->pattern = PARSE_NONE;
	o->dbm = PARSE_DBM_UNKNOWN;
}

/* Signed comma-separated integers. */
static int int_list(const char *p, size_t len, int *vals, int max_n, int *n)
{
	size_t i = 0;

	*n = 0;
	while (i < len) {
		while (i < len && (p[i] == ' ' || p[i] == ','))
			i++;
		if (i == len)
			break;
		bool neg = false;
		if (p[i] == '-') {
			neg = true;
			i++;
		}
		size_t st = i;
		int v = 0;
		while (i < len && p[i] >= '0' && p[i] <= '9') {
			v = v * 10 + (p[i] - '0');
			if (v > 99999)
				return SMSCTL_ERR_PROTOCOL;
			i++;
		}
		if (st == i || *n >= max_n)
			return SMSCTL_ERR_PROTOCOL;
		vals[(*n)++] = neg ? -v : v;
	}
	return 0;
}

static int signal_fill(const struct parse_match *m, void *o)
{
	struct at_signal *out = o;
	const char *p;
	size_t pl;

	out->kind = (enum parse_signal_kind)(m->index + 1);
	if (pm_str(m, "mode", out->sysmode, sizeof(out->sysmode)) < 0)
		return SMSCTL_ERR_PROTOCOL;
	if (pm_get(m, "vals", &p, &pl) &&
	    int_list(p, pl, out->values, PARSE_MAX_VALUES, &out->n_values) < 0)
		return SMSCTL_ERR_PROTOCOL;

	switch (out->kind) {
	case PARSE_SIGNAL_HUAWEI_RSSI:
	case PARSE_SIGNAL_QUECTEL_QIND:
		if (pm_int(m, "rssi", 199, &out->rssi) < 0 || !csq_rssi_valid(out->rssi))
			return SMSCTL_ERR_PROTOCOL;
		out->values[0] = out->rssi;
		out->n_values = 1;
		if (pm_isset(m, "ber")) {
			if (pm_int(m, "ber", 99, &out->values[1]) < 0 ||
			    !csq_ber_valid(out->values[1]))
				return SMSCTL_ERR_PROTOCOL;
			out->n_values = 2;
		}
		out->dbm = parse_rssi_to_dbm(out->rssi);
		break;
	case PARSE_SIGNAL_HUAWEI_HCSQ:
		/* Huawei: the first value of every mode is <rssi>, 0 = < -120 dBm,
		 * 1..96 = -120 + (n - 1), 255 unknown. */
		for (int i = 0; i < out->n_values; i++)
			if (out->values[i] < 0 || out->values[i] > 255)
				return SMSCTL_ERR_PROTOCOL;
		if (out->n_values > 0 && out->values[0] <= 96)
			out->dbm = -121 + out->values[0];
		break;
	case PARSE_SIGNAL_HUAWEI_CERSSI:
	case PARSE_SIGNAL_QUECTEL_QCSQ:
		/* Values are dBm already; the first is RSSI when negative and plausible. */
		if (out->n_values > 0 && out->values[0] < 0 && out->values[0] >= -140)
			out->dbm = out->values[0];
		break;
	case PARSE_SIGNAL_CIEV:
		if (pm_int(m, "ind", 99, &out->ciev_index) < 0 ||
		    pm_int(m, "v", 999, &out->values[0]) < 0 || out->ciev_index < 1)
			return SMSCTL_ERR_PROTOCOL;
		out->n_values = 1;
		break;
	default:
		return SMSCTL_ERR_PROTOCOL;
	}
	return 0;
}

int parse_signal_urc(const char *line, struct at_signal *out)
{
	return parse_run(&signal, line, out, out ? &out->pattern : NULL, signal_fill, signal_clear);
}

/* ---- +CIND=? ---- */

static struct parse_re cind_re[] = {
    /* "+CIND: (\"battchg\",(0-5)),(\"signal\",(0-5)),..." TS 27.007 8.9 test form
	 * (ModemManager tests: Linktop LW273, Motorola V3m "(\"Voice Mail\",(0,1))"). */
    {"\\+CIND:\\s*(?<list>\\(.*\\))\\s*", 0, NULL},
};
PARSE_TABLE(cind)

static void cind_clear(void *p)
{
	struct at_cind_test *o = p;

	memset(o, 0, sizeof(*o));
	o->pattern = PARSE_NONE;
}

static int cind_fill(const struct parse_match *m, void *o)
{
	struct at_cind_test *out = o;
	const char *p;
	size_t pl, i = 0;

	if (!pm_get(m, "list", &p, &pl))
		return SMSCTL_ERR_PROTOCOL;
	/* Walk ("name",(range)) entries by hand: the lists nest. */
	while (i < pl) {
		while (i < pl && (p[i] == ' ' || p[i] == ','))
			i++;
		if (i == pl)
			break;
		/* an empty entry "()" at the end (Linktop LW273) */
		if (i + 1 < pl && p[i] == '(' && p[i + 1] == ')') {
			i += 2;
			continue;
		}
		if (p[i] != '(' || out->count >= (int)PARSE_ARRAY_SIZE(out->ind))
			return SMSCTL_ERR_PROTOCOL;
		i++;
		while (i < pl && p[i] == ' ')
			i++;
		if (i >= pl || p[i] != '"')
			return SMSCTL_ERR_PROTOCOL;
		i++;
		struct at_cind_indicator *ind = &out->ind[out->count];
		size_t k = 0;
		while (i < pl && p[i] != '"') {
			char c = p[i++];
			if (c == ' ')
				continue;
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if ((unsigned char)c < 0x20 || k + 1 >= sizeof(ind->name))
				return SMSCTL_ERR_PROTOCOL;
			ind->name[k++] = c;
		}
		if (i >= pl || k == 0)
			return SMSCTL_ERR_PROTOCOL;
		i++;
		while (i < pl && p[i] == ' ')
			i++;
		if (i >= pl || p[i] != ',')
			return SMSCTL_ERR_PROTOCOL;
		i++;
		while (i < pl && p[i] == ' ')
			i++;
		if (i >= pl || p[i] != '(')
			return SMSCTL_ERR_PROTOCOL;
		size_t st = ++i;
		while (i < pl && p[i] != ')')
			i++;
		if (i >= pl)
			return SMSCTL_ERR_PROTOCOL;
		uint32_t bits;
		if (parse_range_list(p + st, i - st, &bits) < 0 || !bits)
			return SMSCTL_ERR_PROTOCOL;
		ind->min = __builtin_ctz(bits);
		ind->max = 31 - __builtin_clz(bits);
		i++;
		while (i < pl && p[i] == ' ')
			i++;
		if (i >= pl || p[i] != ')')
			return SMSCTL_ERR_PROTOCOL;
		i++;
		out->count++;
	}
	if (out->count == 0)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_cind_test(const char *line, struct at_cind_test *out)
{
	return parse_run(&cind, line, out, out ? &out->pattern : NULL, cind_fill, cind_clear);
}

int parse_cind_index(const struct at_cind_test *t, const char *name)
{
	if (!t || !name)
		return PARSE_NONE;
	for (int i = 0; i < t->count; i++)
		if (strcmp(t->ind[i].name, name) == 0)
			return i + 1;
	return PARSE_NONE;
}
