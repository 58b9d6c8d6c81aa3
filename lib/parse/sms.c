/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SMS settings and messages (TS 27.005): +CPMS, +CSCA, +CSMS, +CNMI, +CMGS, +CMTI/+CDSI,
 * +CMT/+CDS, +CMGR, +CMGL. */
#include <string.h>

#include <smsctl/error.h>

#include "parse/internal.h"

/* Longest TPDU in octets the parsers accept (TS 23.040: 164 for SMS-SUBMIT, 176 with the
 * largest SMSC; some modems count the SMSC in). */
#define PARSE_TPDU_MAX 188

/* ---- +CPMS ---- */

#define R_MEMQ(i)                                                                                  \
	"\\s*\"(?<n" #i ">[A-Za-z0-9_]{1,7})\"\\s*,\\s*(?<u" #i ">\\d{1,5})\\s*,\\s*(?<t" #i       \
	">\\d{1,5})\\s*"
#define R_MEMS(i) "\\s*(?<u" #i ">\\d{1,5})\\s*,\\s*(?<t" #i ">\\d{1,5})\\s*"

static struct parse_re cpms_re[] = {
    /* 0 PARSE_CPMS_QUERY3. "+CPMS: \"SM\",3,30,\"SM\",3,30,\"SM\",3,30" TS 27.005 3.2.2
	 * read form (ModemManager tests; spaces "\"MT\", 0, 100" too). */
    {"\\+CPMS:" R_MEMQ(1) "," R_MEMQ(2) "," R_MEMQ(3), 0, NULL},
    /* 1 PARSE_CPMS_QUERY2. Two memories (old phones without <mem3>). */
    {"\\+CPMS:" R_MEMQ(1) "," R_MEMQ(2), 0, NULL},
    /* 2 PARSE_CPMS_QUERY1. One memory. */
    {"\\+CPMS:" R_MEMQ(1), 0, NULL},
    /* 3 PARSE_CPMS_SET3. "+CPMS: 0,20,0,20,0,20" answer to AT+CPMS=... (TS 27.005 3.2.2;
	 * Gammu statemachine capture after a Huawei ^NWTIME). */
    {"\\+CPMS:" R_MEMS(1) "," R_MEMS(2) "," R_MEMS(3), 0, NULL},
    /* 4 PARSE_CPMS_SET2. "+CPMS: 1,99,1,99" (Gammu atgen test: two memories set). */
    {"\\+CPMS:" R_MEMS(1) "," R_MEMS(2), 0, NULL},
    /* 5 PARSE_CPMS_SET1. "+CPMS: 1,99" */
    {"\\+CPMS:" R_MEMS(1), 0, NULL},
};
PARSE_TABLE(cpms)

static void cpms_clear(void *p)
{
	struct at_cpms *o = p;
	for (int i = 0; i < 3; i++) {
		o->mem[i].name[0] = '\0';
		o->mem[i].used = o->mem[i].total = PARSE_NONE;
	}
	o->count = 0;
	o->pattern = PARSE_NONE;
}

static int cpms_fill(const struct parse_match *m, void *p)
{
	static const char *const names[3][3] = {
	    {"n1", "u1", "t1"}, {"n2", "u2", "t2"}, {"n3", "u3", "t3"}};
	struct at_cpms *o = p;

	for (int i = 0; i < 3; i++) {
		struct at_cpms_mem *mm = &o->mem[i];
		if (!pm_isset(m, names[i][1]))
			break;
		if (pm_str(m, names[i][0], mm->name, sizeof(mm->name)) < 0 ||
		    pm_int(m, names[i][1], 65535, &mm->used) < 0 ||
		    pm_int(m, names[i][2], 65535, &mm->total) < 0 || mm->used > mm->total)
			return SMSCTL_ERR_PROTOCOL;
		o->count++;
	}
	return o->count ? 0 : SMSCTL_ERR_PROTOCOL;
}

int parse_cpms(const char *line, struct at_cpms *out)
{
	return parse_run(&cpms, line, out, out ? &out->pattern : NULL, cpms_fill, cpms_clear);
}

/* ---- +CPMS=? ----
 * Shapes seen: "(\"SM\",\"ME\"),(\"SM\",\"ME\"),(\"SM\",\"ME\")" (TS 27.005 3.2.2), with spaces
 * (Alcatel S320), "()" and empty fields (Nokia C6, ModemManager), a missing opening quote
 * ("(ME\", \"SR\")", Gammu), mixed "(\"ME\",\"MT\"),\"ME\",(\"SM\")", and bare quoted lists
 * "\"ME\",\"MT\",\"SM\"" (Huawei MU609: one per memory) or fifteen names (Thuraya: five per
 * memory). Walked by hand. */

static struct parse_re cpms_test_re[] = {
    /* "+CPMS: <body>": the body is walked by hand (see above). */
    {"\\+CPMS:(?<body>[ (),\"A-Za-z0-9_]*)", 0, NULL},
};
PARSE_TABLE(cpms_test)

static void cpms_test_clear(void *p)
{
	struct at_cpms_test *o = p;
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < 3; i++)
		o->count[i] = PARSE_NONE;
	o->pattern = PARSE_NONE;
}

/* One name: optional quotes, then [A-Za-z0-9_]. */
static int mem_name(const char *p, size_t len, char *dst)
{
	while (len && (*p == ' ' || *p == '"')) {
		p++;
		len--;
	}
	while (len && (p[len - 1] == ' ' || p[len - 1] == '"'))
		len--;
	if (!len)
		return 1; /* empty */
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return SMSCTL_ERR_PROTOCOL;
	}
	return parse_copy_span(p, len, dst, PARSE_MEM_MAX);
}

/* Wavecom wraps the lists in one more pair of parentheses:
 * "+CPMS: ((\"SM\",\"BM\",\"SR\"),(\"SM\"))" (python-gsmmodem issue #19, Wavecom/Sierra
 * firmware). When the whole body is one parenthesised group whose content starts with a list,
 * drop that outer pair; a deeper nesting is still an error. */
static void unwrap_outer_list(const char **b, size_t *bl)
{
	const char *q = *b;
	size_t ql = *bl;
	int depth = 0;

	while (ql && *q == ' ') {
		q++;
		ql--;
	}
	while (ql && q[ql - 1] == ' ')
		ql--;
	if (ql < 2 || q[0] != '(' || q[ql - 1] != ')')
		return;
	for (size_t i = 0; i < ql; i++) {
		if (q[i] == '(')
			depth++;
		else if (q[i] == ')' && --depth == 0 && i != ql - 1)
			return; /* the first group closes before the end: several lists */
	}
	size_t k = 1;
	while (k < ql - 1 && q[k] == ' ')
		k++;
	if (q[k] != '(')
		return; /* "(\"SM\",\"ME\")": one plain list */
	*b = q + 1;
	*bl = ql - 2;
}

static int cpms_test_fill(const struct parse_match *m, void *p)
{
	struct at_cpms_test *o = p;
	const char *b;
	size_t bl;
	/* top-level elements */
	const char *el[3 * PARSE_MEM_LIST_MAX];
	size_t ell[3 * PARSE_MEM_LIST_MAX];
	int nel = 0;
	bool parens = false;

	if (!pm_get(m, "body", &b, &bl))
		return SMSCTL_ERR_PROTOCOL;
	unwrap_outer_list(&b, &bl);
	size_t i = 0, st = 0;
	int depth = 0;
	for (i = 0; i <= bl; i++) {
		if (i == bl || (b[i] == ',' && depth == 0)) {
			if (nel >= (int)PARSE_ARRAY_SIZE(el))
				return SMSCTL_ERR_PROTOCOL;
			el[nel] = b + st;
			ell[nel++] = i - st;
			st = i + 1;
			continue;
		}
		if (b[i] == '(') {
			if (depth++)
				return SMSCTL_ERR_PROTOCOL;
			parens = true;
		} else if (b[i] == ')') {
			if (--depth < 0)
				return SMSCTL_ERR_PROTOCOL;
		}
	}
	if (depth)
		return SMSCTL_ERR_PROTOCOL;

	if (parens) {
		/* every top-level element is one list */
		if (nel > 3)
			return SMSCTL_ERR_PROTOCOL;
		for (int e = 0; e < nel; e++) {
			const char *q = el[e];
			size_t ql = ell[e];
			while (ql && *q == ' ') {
				q++;
				ql--;
			}
			while (ql && q[ql - 1] == ' ')
				ql--;
			if (ql && *q == '(') {
				if (q[ql - 1] != ')')
					return SMSCTL_ERR_PROTOCOL;
				q++;
				ql -= 2;
			}
			o->count[e] = 0;
			size_t s0 = 0;
			for (size_t k = 0; k <= ql; k++) {
				if (k < ql && q[k] != ',')
					continue;
				if (o->count[e] >= PARSE_MEM_LIST_MAX)
					return SMSCTL_ERR_PROTOCOL;
				int rc = mem_name(q + s0, k - s0, o->mem[e][o->count[e]]);
				if (rc < 0)
					return rc;
				if (rc == 0)
					o->count[e]++;
				else if (k < ql)
					return SMSCTL_ERR_PROTOCOL; /* empty name inside a list */
				s0 = k + 1;
			}
		}
		/* "+CPMS: (\"ME\"),(\"ME\")": the lists not printed are absent (PARSE_NONE) */
		return 0;
	}

	/* bare names: split in three equal parts; nothing at all: three empty lists */
	char names[3 * PARSE_MEM_LIST_MAX][PARSE_MEM_MAX];
	int nn = 0;
	for (int e = 0; e < nel; e++) {
		int rc = mem_name(el[e], ell[e], names[nn]);
		if (rc < 0)
			return rc;
		if (rc == 0)
			nn++;
		else if (nel > 1)
			return SMSCTL_ERR_PROTOCOL;
	}
	if (nn % 3)
		return SMSCTL_ERR_PROTOCOL;
	for (int l = 0; l < 3; l++) {
		o->count[l] = nn / 3;
		for (int k = 0; k < nn / 3; k++)
			memcpy(o->mem[l][k], names[l * (nn / 3) + k], PARSE_MEM_MAX);
	}
	return 0;
}

static int cpms_test_fill_pattern(const struct parse_match *m, void *p)
{
	struct at_cpms_test *o = p;
	int rc = cpms_test_fill(m, p);
	if (rc == 0) {
		const char *b;
		size_t bl;
		pm_get(m, "body", &b, &bl);
		o->pattern = memchr(b, '(', bl) ? 0 : 1;
	}
	return rc;
}

int parse_cpms_test(const char *line, struct at_cpms_test *out)
{
	int dummy;
	int rc = parse_run(&cpms_test, line, out, &dummy, cpms_test_fill_pattern, cpms_test_clear);
	return rc;
}

/* ---- +CSCA ---- */

static struct parse_re csca_re[] = {
    /* 0 quoted. "+CSCA: \"+12345678\",145" TS 27.005 3.3.1 (python-gsmmodem, Gammu dumps;
	 * UCS2 or HEX encoded under +CSCS="UCS2"/"HEX"). */
    {"\\+CSCA:\\s*\"(?<num>[^\"]+)\"\\s*(?:,\\s*(?<type>\\d{1,3})\\s*)?", 0, NULL},
    /* 1 unquoted. "+CSCA: 002B0033...,145" (Motorola, Gammu at-parser test; a Gammu dump). */
    {"\\+CSCA:\\s*(?<num>[0-9A-Fa-f+*#]+)\\s*(?:,\\s*(?<type>\\d{1,3})\\s*)?", 0, NULL},
    /* 2 empty. "+CSCA: \"\",129" (no SMSC stored; Gammu at-smsc-failing dump), "+CSCA: ,129". */
    {"\\+CSCA:\\s*(?:\"\")?\\s*(?:,\\s*(?<type>\\d{1,3})\\s*)?", 0, NULL},
};
PARSE_TABLE(csca)

static void csca_clear(void *p)
{
	struct at_csca *o = p;
	o->number[0] = '\0';
	o->type = o->pattern = PARSE_NONE;
	o->encoding = PARSE_CSCA_PLAIN;
}

static bool phone_chars(const char *s)
{
	if (!*s)
		return false;
	for (const char *c = s; *c; c++)
		if (!strchr("+0123456789*#", *c))
			return false;
	return true;
}

static int csca_fill(const struct parse_match *m, void *p)
{
	struct at_csca *o = p;
	char raw[PARSE_NUMBER_MAX], dec[PARSE_NUMBER_MAX];

	if (pm_str(m, "num", raw, sizeof(raw)) < 0 || pm_int(m, "type", 255, &o->type) < 0)
		return SMSCTL_ERR_PROTOCOL;
	/* Under +CSCS="UCS2" or "HEX" the number comes encoded; the character set in effect is
	 * not always known (and Motorola answers UCS2 under HEX), so decode when the text is
	 * hex and its decoding is a phone number (as Gammu does). */
	if (raw[0] && parse_decode_string(raw, PARSE_CHARSET_UCS2, dec, sizeof(dec)) == 0 &&
	    phone_chars(dec)) {
		o->encoding = PARSE_CSCA_UCS2;
		return parse_copy_span(dec, strlen(dec), o->number, sizeof(o->number));
	}
	if (raw[0] && parse_decode_string(raw, PARSE_CHARSET_HEX, dec, sizeof(dec)) == 0 &&
	    phone_chars(dec)) {
		o->encoding = PARSE_CSCA_HEX;
		return parse_copy_span(dec, strlen(dec), o->number, sizeof(o->number));
	}
	return parse_copy_span(raw, strlen(raw), o->number, sizeof(o->number));
}

int parse_csca(const char *line, struct at_csca *out)
{
	return parse_run(&csca, line, out, out ? &out->pattern : NULL, csca_fill, csca_clear);
}

bool parse_csca_is_valid(const struct at_csca *c)
{
	if (!c)
		return false;
	const char *s = c->number;
	if (*s == '+')
		s++;
	size_t n = 0;
	for (; *s; s++, n++)
		if (!strchr("0123456789*#", *s))
			return false;
	return n >= 1 && n <= 20;
}

/* ---- +CSMS ---- */

static struct parse_re csms_re[] = {
    /* 0 query. "+CSMS: 0,1,1,1" <service>,<mt>,<mo>,<bm> TS 27.005 3.2.1. */
    {"\\+CSMS:\\s*(?<svc>\\d{1,3})\\s*,\\s*(?<mt>\\d)\\s*,\\s*(?<mo>\\d)\\s*,\\s*(?<bm>\\d)\\s*", 0,
     NULL},
    /* 1 set. "+CSMS: 1,1,1" answer to AT+CSMS=<service> TS 27.005 3.2.1. */
    {"\\+CSMS:\\s*(?<mt>\\d)\\s*,\\s*(?<mo>\\d)\\s*,\\s*(?<bm>\\d)\\s*", 0, NULL},
};
PARSE_TABLE(csms)

static void csms_clear(void *p)
{
	struct at_csms *o = p;
	o->service = o->mt = o->mo = o->bm = o->pattern = PARSE_NONE;
}

static int csms_fill(const struct parse_match *m, void *p)
{
	struct at_csms *o = p;
	if (pm_int(m, "svc", 255, &o->service) < 0 || pm_int(m, "mt", 1, &o->mt) < 0 ||
	    pm_int(m, "mo", 1, &o->mo) < 0 || pm_int(m, "bm", 1, &o->bm) < 0)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_csms(const char *line, struct at_csms *out)
{
	return parse_run(&csms, line, out, out ? &out->pattern : NULL, csms_fill, csms_clear);
}

/* ---- +CNMI ---- */

static struct parse_re cnmi_re[] = {
    /* 0 "+CNMI: 2,1,0,0,0" <mode>,<mt>,<bm>,<ds>,<bfr> TS 27.005 3.4.1. */
    {"\\+CNMI:\\s*(?<mode>\\d)\\s*,\\s*(?<mt>\\d)\\s*,\\s*(?<bm>\\d)\\s*,\\s*(?<ds>\\d)\\s*,"
     "\\s*(?<bfr>\\d)\\s*",
     0, NULL},
    /* 1 fewer fields "+CNMI: 1,1" (older phones, Siemens MC35 answers four). */
    {"\\+CNMI:\\s*(?<mode>\\d)\\s*(?:,\\s*(?<mt>\\d)\\s*(?:,\\s*(?<bm>\\d)\\s*"
     "(?:,\\s*(?<ds>\\d)\\s*)?)?)?",
     0, NULL},
};
PARSE_TABLE(cnmi)

static void cnmi_clear(void *p)
{
	struct at_cnmi *o = p;
	o->mode = o->mt = o->bm = o->ds = o->bfr = o->pattern = PARSE_NONE;
}

static int cnmi_fill(const struct parse_match *m, void *p)
{
	struct at_cnmi *o = p;
	if (pm_int(m, "mode", 3, &o->mode) < 0 || pm_int(m, "mt", 3, &o->mt) < 0 ||
	    pm_int(m, "bm", 3, &o->bm) < 0 || pm_int(m, "ds", 2, &o->ds) < 0 ||
	    pm_int(m, "bfr", 1, &o->bfr) < 0)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_cnmi(const char *line, struct at_cnmi *out)
{
	return parse_run(&cnmi, line, out, out ? &out->pattern : NULL, cnmi_fill, cnmi_clear);
}

#define R_LIST(n) "\\s*(?<" n ">\\([0-9, -]*\\))\\s*"
static struct parse_re cnmi_test_re[] = {
    /* "+CNMI: (0-2),(0,1,3),(0),(0,1),(0,1)" TS 27.005 3.4.1 test form (Gammu dumps, also
	 * without the space "+CNMI:(0-3)..."; Cinterion PHS8 in ModemManager). */
    {"\\+CNMI:" R_LIST("l1") "," R_LIST("l2") "," R_LIST("l3") "," R_LIST("l4") "," R_LIST("l5"), 0,
     NULL},
};
PARSE_TABLE(cnmi_test)

static void cnmi_test_clear(void *p)
{
	struct at_cnmi_test *o = p;
	o->mode = o->mt = o->bm = o->ds = o->bfr = 0;
	o->pattern = PARSE_NONE;
}

static int cnmi_test_fill(const struct parse_match *m, void *p)
{
	struct at_cnmi_test *o = p;
	uint32_t *dst[5] = {&o->mode, &o->mt, &o->bm, &o->ds, &o->bfr};
	static const char *const names[5] = {"l1", "l2", "l3", "l4", "l5"};

	for (int i = 0; i < 5; i++) {
		const char *s;
		size_t l;
		if (!pm_get(m, names[i], &s, &l) || parse_range_list(s, l, dst[i]) < 0)
			return SMSCTL_ERR_PROTOCOL;
	}
	return 0;
}

int parse_cnmi_test(const char *line, struct at_cnmi_test *out)
{
	return parse_run(&cnmi_test, line, out, out ? &out->pattern : NULL, cnmi_test_fill,
			 cnmi_test_clear);
}

/* ---- +CMGS ---- */

static struct parse_re cmgs_re[] = {
    /* 0 "+CMGS: 142" <mr> TS 27.005 3.5.1 (python-gsmmodem tests, ZTE); +CMSS (3.5.2) too. */
    {"\\+CM[GS]S:\\s*(?<mr>\\d{1,3})\\s*", 0, NULL},
    /* 1 "+CMGS: 12,\"0791...\"" with <ackpdu> (PDU mode, +CSMS=1) or <scts> (text mode). */
    {"\\+CM[GS]S:\\s*(?<mr>\\d{1,3})\\s*,\\s*(?<q>\"?)(?<ack>[^\"]*)\\k<q>\\s*", 0, NULL},
};
PARSE_TABLE(cmgs)

static void cmgs_clear(void *p)
{
	struct at_cmgs *o = p;
	o->mr = o->pattern = PARSE_NONE;
	o->ack[0] = '\0';
}

static int cmgs_fill(const struct parse_match *m, void *p)
{
	struct at_cmgs *o = p;
	if (pm_int(m, "mr", 255, &o->mr) < 0 || pm_str(m, "ack", o->ack, sizeof(o->ack)) < 0)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_cmgs(const char *line, struct at_cmgs *out)
{
	return parse_run(&cmgs, line, out, out ? &out->pattern : NULL, cmgs_fill, cmgs_clear);
}

/* ---- +CMTI / +CDSI ---- */

static struct parse_re cmti_re[] = {
    /* 0 "+CMTI: \"SM\",3" <mem>,<index> TS 27.005 3.4.1 (Gammu, python-gsmmodem; Huawei
	 * announces index 0 in "ME"/"SR"). */
    {"\\+(?<k>CMTI|CDSI):\\s*\"(?<mem>[A-Za-z0-9_]{1,7})\"\\s*,\\s*(?<idx>\\d{1,5})\\s*", 0, NULL},
    /* 1 "+CMTI: 0,111": unquoted memory (Huawei dongle, chan_dongle test). */
    {"\\+(?<k>CMTI|CDSI):\\s*(?<mem>[A-Za-z0-9_]{1,7})\\s*,\\s*(?<idx>\\d{1,5})\\s*", 0, NULL},
};
PARSE_TABLE(cmti)

static void cmti_clear(void *p)
{
	struct at_cmti *o = p;
	o->status_report = false;
	o->mem[0] = '\0';
	o->index = o->pattern = PARSE_NONE;
}

static int cmti_fill(const struct parse_match *m, void *p)
{
	struct at_cmti *o = p;
	const char *k;
	size_t kl;

	if (!pm_get(m, "k", &k, &kl))
		return SMSCTL_ERR_PROTOCOL;
	o->status_report = k[2] == 'D';
	if (pm_str(m, "mem", o->mem, sizeof(o->mem)) < 0 || pm_int(m, "idx", 65535, &o->index) < 0)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_cmti(const char *line, struct at_cmti *out)
{
	return parse_run(&cmti, line, out, out ? &out->pattern : NULL, cmti_fill, cmti_clear);
}

/* ---- PDU lines ---- */

int parse_pdu_line(const char *line, int length, char *pdu, size_t pdu_size)
{
	const char *s;
	size_t len;

	if (!pdu || !pdu_size)
		return SMSCTL_ERR_INVALID;
	pdu[0] = '\0';
	if (!parse_trim(line, &s, &len))
		return SMSCTL_ERR_PROTOCOL;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	/* An odd number of digits is kept as is (a Pantech capture in ModemManager's tests has
	 * one): the PDU decoder rejects what it cannot decode. */
	if (len == 0 || len >= pdu_size)
		return SMSCTL_ERR_PROTOCOL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			goto bad;
		pdu[i] = c;
	}
	pdu[len] = '\0';
	/* <length> counts the TPDU octets, the SMSC in front is not counted (TS 27.005 3.1), but
	 * modems miscount (Gammu capture: <length> 28 before a 26-octet PDU), so the PDU decoder
	 * judges the lengths, not this check. */
	(void)length;
	return 0;
bad:
	pdu[0] = '\0';
	return SMSCTL_ERR_PROTOCOL;
}

/* ---- +CMT / +CDS ---- */

static struct parse_re cmt_re[] = {
    /* 0 "+CMT: ,23" [<alpha>],<length> PDU mode TS 27.005 3.4.1 (Gammu atgen tests). */
    {"\\+CMT:\\s*(?<q>\"?)(?<alpha>[^\",]*)\\k<q>\\s*,\\s*(?<len>\\d{1,3})\\s*", 0, NULL},
    /* 1 "+CDS: 24" <length> PDU mode TS 27.005 3.4.1 (ModemManager test). */
    {"\\+CDS:\\s*(?<len>\\d{1,3})\\s*", 0, NULL},
};
PARSE_TABLE(cmt)

static void cmt_clear(void *p)
{
	struct at_cmt *o = p;
	o->status_report = false;
	o->alpha[0] = o->pdu[0] = '\0';
	o->length = o->pattern = PARSE_NONE;
}

static int cmt_fill(const struct parse_match *m, void *p)
{
	struct at_cmt *o = p;
	o->status_report = m->index == 1;
	if (pm_str(m, "alpha", o->alpha, sizeof(o->alpha)) < 0 ||
	    pm_int(m, "len", PARSE_TPDU_MAX, &o->length) < 0 || o->length < 1)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_cmt(const char *line, const char *pdu_line, struct at_cmt *out)
{
	int rc = parse_run(&cmt, line, out, out ? &out->pattern : NULL, cmt_fill, cmt_clear);
	if (rc < 0 || !pdu_line)
		return rc;
	rc = parse_pdu_line(pdu_line, out->length, out->pdu, sizeof(out->pdu));
	if (rc < 0)
		cmt_clear(out);
	return rc;
}

/* ---- +CMGR / +CMGL ---- */

#define R_Q(name)    "\"(?<" name ">[^\"]*)\""
#define R_OPTQ(name) "(?:\"(?<" name ">[^\"]*)\")?"
#define R_C	     "\\s*,\\s*"
#define R_D(name)    "(?<" name ">\\d{1,5})"

static struct parse_re sms_re[] = {
    /* 0 PARSE_SMS_CMGL_PDU. "+CMGL: 1,0,,26" <index>,<stat>,[<alpha>],<length> TS 27.005
	 * 3.4.2 (Gammu, ModemManager); "+CMGL: 17,3,35" without the alpha field (Pantech). */
    {"\\+CMGL:\\s*" R_D("idx") R_C
     "(?<stat>\\d)\\s*(?:,\\s*(?<aq>\"?)(?<alpha>[^\",]*)\\k<aq>\\s*)?"
     ","
     "\\s*(?<len>\\d{1,3})\\s*",
     0, NULL},
    /* 1 PARSE_SMS_CMGR_PDU. "+CMGR: 0,,106" <stat>,[<alpha>],<length> TS 27.005 3.4.3
	 * (chan_dongle, Gammu, Telit "0,\"\",50"); ZTE MF "+CMGR: ,,27" without <stat>
	 * (python-gsmmodem); the PDU on the same line after a space (ModemManager test). */
    {"\\+CMGR:\\s*(?<stat>\\d)?\\s*(?:,\\s*(?<aq>\"?)(?<alpha>[^\",]*)\\k<aq>\\s*)?,"
     "\\s*(?<len>\\d{1,3})(?:\\s+(?<pdu>[0-9A-Fa-f]+))?\\s*",
     0, NULL},
    /* 2 PARSE_SMS_CMGL_TEXT. "+CMGL: 1,\"REC READ\",\"+31...\",,\"07/07/05,09:56:03+08\"
	 * [,<tooa>,<length>]" TS 27.005 3.4.2 text mode. */
    {"\\+CMGL:\\s*" R_D("idx") R_C R_Q("stat") R_C R_Q("addr") "\\s*(?:,\\s*" R_OPTQ(
	 "alpha") "\\s*(?:,\\s*" R_OPTQ("scts") "\\s*(?:,\\s*" R_D("atype")
	 R_C R_D("len") ")?)?)?\\s*",
     0, NULL},
    /* 3 PARSE_SMS_CMGR_TEXT_DELIVER. "+CMGR: \"REC READ\",\"+3162...\",,\"07/07/05,09:56:03+08\"
	 * [,<tooa>,<fo>,<pid>,<dcs>,<sca>,<tosca>,<length>]" TS 27.005 3.4.3 (Gammu dumps); the
	 * Motorola L7 leaves out <alpha>: "\"REC READ\", \"+41...\", \"2009/8/18,19:11:45\"". */
    {"\\+CMGR:\\s*\"(?<stat>REC (?:UN)?READ)\"" R_C R_Q("addr") "(?:" R_C R_OPTQ(
	 "alpha") ")?" R_C R_Q("scts") "(?:" R_C R_D("atype") R_C R_D("fo") R_C R_D("pid")
	 R_C R_D("dcs") R_C R_Q("sca") R_C R_D("scatype") R_C R_D("len") ")?\\s*",
     0, NULL},
    /* 4 PARSE_SMS_CMGR_TEXT_SUBMIT. "+CMGR: \"STO UNSENT\",\"+10011\",,145,17,0,0,167,
	 * \"+8613800100500\",145,4" TS 27.005 3.4.3 (Gammu dump). */
    {"\\+CMGR:\\s*\"(?<stat>STO (?:UN)?SENT)\"" R_C R_Q("addr") "(?:" R_C R_OPTQ(
	 "alpha") "(?:" R_C R_D("atype") R_C R_D("fo") R_C R_D("pid") R_C R_D("dcs") R_C
     "(?:\"?(?<vp>[^\",]*)\"?)" R_C R_Q("sca") R_C R_D("scatype") R_C R_D("len") ")?)?\\s*",
     0, NULL},
    /* 5 PARSE_SMS_CMGR_TEXT_STATUS. "+CMGR: \"REC UNREAD\",6,21,\"123456789\",129,
	 * \"22/12/01,07:33:58+04\",\"22/12/01,07:33:59+04\",0" TS 27.005 3.4.3 (Gammu test). */
    {"\\+CMGR:\\s*\"(?<stat>[A-Z ]{3,10})\"" R_C R_D("fo") R_C R_D("mr") R_C R_OPTQ("addr") R_C
     "(?<atype>\\d{1,3})?" R_C R_Q("scts") R_C R_Q("dt") R_C R_D("st") "\\s*",
     0, NULL},
    /* 6 PARSE_SMS_CMGL_TEXT_STATUS. "+CMGL: 3,\"REC READ\",6,21,..." TS 27.005 3.4.2. */
    {"\\+CMGL:\\s*" R_D("idx") R_C "\"(?<stat>[A-Z ]{3,10})\"" R_C R_D("fo") R_C R_D("mr")
	 R_C R_OPTQ("addr") R_C "(?<atype>\\d{1,3})?" R_C R_Q("scts") R_C R_Q("dt")
	     R_C R_D("st") "\\s*",
     0, NULL},
};
PARSE_TABLE(sms)

#define CMGL_MASK ((1u << 0) | (1u << 2) | (1u << 6))
#define CMGR_MASK ((1u << 1) | (1u << 3) | (1u << 4) | (1u << 5))

static void sms_clear(void *p)
{
	struct at_sms *o = p;
	memset(o, 0, sizeof(*o));
	o->index = o->stat = o->length = o->addr_type = PARSE_NONE;
	o->fo = o->pid = o->dcs = o->vp = o->mr = o->st = o->sca_type = o->pattern = PARSE_NONE;
}

static const char *const stat_words[] = {"REC UNREAD", "REC READ", "STO UNSENT", "STO SENT", "ALL"};

int parse_sms_stat_from_text(const char *s, size_t len)
{
	if (!s)
		return -1;
	for (int i = 0; i < (int)PARSE_ARRAY_SIZE(stat_words); i++)
		if (strlen(stat_words[i]) == len && memcmp(stat_words[i], s, len) == 0)
			return i;
	return -1;
}

static int sms_fill(const struct parse_match *m, void *out)
{
	struct at_sms *o = out;
	const char *p;
	size_t l;
	bool text = m->index >= PARSE_SMS_CMGL_TEXT;

	if (pm_int(m, "idx", 65535, &o->index) < 0)
		return SMSCTL_ERR_PROTOCOL;
	if (text) {
		if (!pm_get(m, "stat", &p, &l) ||
		    parse_copy_span(p, l, o->stat_text, sizeof(o->stat_text)) < 0)
			return SMSCTL_ERR_PROTOCOL;
		o->stat = parse_sms_stat_from_text(p, l);
		if (o->stat < 0)
			return SMSCTL_ERR_PROTOCOL;
	} else if (pm_int(m, "stat", 4, &o->stat) < 0) {
		return SMSCTL_ERR_PROTOCOL;
	}
	if (pm_str(m, "alpha", o->alpha, sizeof(o->alpha)) < 0 ||
	    pm_int(m, "len", text ? 65535 : PARSE_TPDU_MAX, &o->length) < 0 ||
	    pm_str(m, "addr", o->addr, sizeof(o->addr)) < 0 ||
	    pm_int(m, "atype", 255, &o->addr_type) < 0 ||
	    pm_str(m, "scts", o->scts, sizeof(o->scts)) < 0 ||
	    pm_str(m, "dt", o->dt, sizeof(o->dt)) < 0 || pm_int(m, "fo", 255, &o->fo) < 0 ||
	    pm_int(m, "pid", 255, &o->pid) < 0 || pm_int(m, "dcs", 255, &o->dcs) < 0 ||
	    pm_int(m, "mr", 255, &o->mr) < 0 || pm_int(m, "st", 255, &o->st) < 0 ||
	    pm_str(m, "sca", o->sca, sizeof(o->sca)) < 0 ||
	    pm_int(m, "scatype", 255, &o->sca_type) < 0)
		return SMSCTL_ERR_PROTOCOL;
	/* <vp>: relative (integer) or absolute (a time string): only the integer is kept */
	if (pm_get(m, "vp", &p, &l) && parse_dec_span(p, l, 255, &o->vp) < 0)
		o->vp = PARSE_NONE;
	if (!text && o->length < 1)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

static bool is_header(const char *line, const char *prefix)
{
	return parse_has_prefix(line, prefix);
}

/* A line that is a URC the engine may have let through (or a final result). */
static bool is_noise(const char *line)
{
	static const char *const urcs[] = {
	    "+CMTI:",  "+CDSI:",  "+CMT:",  "+CDS:",  "+CREG:", "+CGREG:",
	    "+CEREG:", "^RSSI:",  "^MODE:", "^BOOT:", "+CIEV:", "+QIND:",
	    "RING",    "+CRING:", "+CLIP:", "^HCSQ:", "OK"};
	for (size_t i = 0; i < PARSE_ARRAY_SIZE(urcs); i++)
		if (parse_has_prefix(line, urcs[i]))
			return true;
	return false;
}

static bool is_blank(const char *line)
{
	const char *s;
	size_t l;
	return !parse_trim(line, &s, &l) || l == 0;
}

/* Parse one message starting at lines[*pos] (a header), consuming its body. */
static int sms_one(const char *const *lines, size_t n, size_t *pos, uint32_t mask,
		   const char *next_header, struct at_sms *out)
{
	struct parse_match m;
	const char *s;
	size_t len;
	int rc;

	sms_clear(out);
	if (!parse_trim(lines[*pos], &s, &len)) {
		(*pos)++;
		return SMSCTL_ERR_PROTOCOL;
	}
	rc = parse_match(&sms, mask, s, len, &m);
	(*pos)++;
	if (rc < 0)
		return rc == PARSE_NONE ? SMSCTL_ERR_PROTOCOL : rc;
	rc = sms_fill(&m, out);
	if (rc < 0)
		goto out;
	out->pattern = m.index;

	if (m.index == PARSE_SMS_CMGL_PDU || m.index == PARSE_SMS_CMGR_PDU) {
		const char *pp;
		size_t pl;
		if (pm_get(&m, "pdu", &pp, &pl)) {
			/* PDU on the header line */
			char tmp[PARSE_PDU_MAX];
			if (parse_copy_span(pp, pl, tmp, sizeof(tmp)) < 0 ||
			    parse_pdu_line(tmp, out->length, out->pdu, sizeof(out->pdu)) < 0)
				rc = SMSCTL_ERR_PROTOCOL;
			goto out;
		}
		while (*pos < n && is_blank(lines[*pos]))
			(*pos)++;
		if (*pos >= n) {
			rc = SMSCTL_ERR_PROTOCOL;
			goto out;
		}
		rc = parse_pdu_line(lines[*pos], out->length, out->pdu, sizeof(out->pdu));
		if (rc == 0)
			(*pos)++;
		goto out;
	}
	if (m.index == PARSE_SMS_CMGR_TEXT_STATUS || m.index == PARSE_SMS_CMGL_TEXT_STATUS)
		goto out;

	/* Text body: every line up to the next header (or the end), joined with '\n'. */
	size_t o = 0;
	bool first = true;
	while (*pos < n && !(next_header && is_header(lines[*pos], next_header))) {
		const char *b = lines[*pos];
		size_t bl = strnlen(b, PARSE_LINE_MAX + 1);
		if (bl > PARSE_LINE_MAX) {
			rc = SMSCTL_ERR_PROTOCOL;
			goto out;
		}
		while (bl && (b[bl - 1] == '\r' || b[bl - 1] == '\n'))
			bl--;
		if (parse_has_prefix(b, "OK") && bl == 2)
			break;
		if (o + bl + (first ? 0 : 1) >= sizeof(out->text)) {
			rc = SMSCTL_ERR_PROTOCOL;
			goto out;
		}
		if (!first)
			out->text[o++] = '\n';
		memcpy(out->text + o, b, bl);
		o += bl;
		out->text[o] = '\0';
		first = false;
		(*pos)++;
	}
out:
	parse_match_end(&m);
	if (rc < 0)
		sms_clear(out);
	return rc;
}

int parse_sms_header(const char *line, struct at_sms *out)
{
	return parse_run(&sms, line, out, out ? &out->pattern : NULL, sms_fill, sms_clear);
}

int parse_cmgr(const char *const *lines, size_t n_lines, struct at_sms *out)
{
	size_t pos = 0;

	if (!out || (!lines && n_lines))
		return SMSCTL_ERR_INVALID;
	sms_clear(out);
	while (pos < n_lines && !is_header(lines[pos], "+CMGR:"))
		pos++;
	if (pos >= n_lines)
		return SMSCTL_ERR_PROTOCOL;
	return sms_one(lines, n_lines, &pos, CMGR_MASK, NULL, out);
}

int parse_cmgl_next(const char *const *lines, size_t n_lines, size_t *pos, struct at_sms *out)
{
	if (!out || !pos || (!lines && n_lines))
		return SMSCTL_ERR_INVALID;
	sms_clear(out);
	while (*pos < n_lines && !is_header(lines[*pos], "+CMGL:")) {
		if (!is_blank(lines[*pos]) && !is_noise(lines[*pos])) {
			/* an orphan line (a PDU without its header): skip it, report it */
			(*pos)++;
			return SMSCTL_ERR_PROTOCOL;
		}
		(*pos)++;
	}
	if (*pos >= n_lines)
		return 0;
	int rc = sms_one(lines, n_lines, pos, CMGL_MASK, "+CMGL:", out);
	return rc < 0 ? rc : 1;
}
