/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* USSD answers: +CUSD: <m>[,<str>[,<dcs>]] (3GPP TS 27.007 7.15). The text is kept as printed;
 * lib/pdu/ussd.c decodes it by <dcs> and the TE character set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>

#include "parse/internal.h"

static struct parse_re cusd_re[] = {
    /* 0 PARSE_CUSD_STD. "+CUSD: 0,\"Available Balance: R 96.45 .\",15" (python-gsmmodem
	 * test_modem.py), "+CUSD: 0,\"EBB79B1E0685E9ECF4BADE9E03\", 0" (MikroTik manual, a
	 * space before <dcs>), "+CUSD: 5" (asterisk-chan-dongle test/parse.c), "+CUSD: 4". */
    {"\\+CUSD:\\s*(?<m>\\d{1,2})\\s*(?:,\\s*(?:\"(?<str>[^\"]*)\"|(?<bare>[^\",]*?))\\s*"
     "(?:,\\s*(?<dcs>\\d{1,3})\\s*)?)?",
     PCRE2_CASELESS, NULL},
    /* 1 PARSE_CUSD_OPEN. "+CUSD: 2,\"You have the following remaining balances:" with the
	 * rest on the next lines (python-gsmmodem test_modem.py: a text with line breaks). */
    {"\\+CUSD:\\s*(?<m>\\d{1,2})\\s*,\\s*\"(?<str>[^\"]*)", PCRE2_CASELESS, NULL},
};
PARSE_TABLE(cusd)

static void cusd_clear(void *p)
{
	struct at_cusd *o = p;
	o->m = o->dcs = o->pattern = PARSE_NONE;
	o->has_str = false;
	o->str[0] = '\0';
}

static int cusd_fill(const struct parse_match *m, void *p)
{
	struct at_cusd *o = p;
	const char *s;
	size_t l;

	if (pm_int(m, "m", 99, &o->m) < 0 || o->m == PARSE_NONE)
		return SMSCTL_ERR_PROTOCOL;
	if (pm_int(m, "dcs", 255, &o->dcs) < 0)
		return SMSCTL_ERR_PROTOCOL;
	if (pm_get(m, "str", &s, &l)) {
		o->has_str = true;
		return parse_copy_span(s, l, o->str, sizeof(o->str));
	}
	if (pm_get(m, "bare", &s, &l) && l) {
		o->has_str = true;
		return parse_copy_span(s, l, o->str, sizeof(o->str));
	}
	return 0;
}

int parse_cusd(const char *line, struct at_cusd *out)
{
	return parse_run(&cusd, line, out, out ? &out->pattern : NULL, cusd_fill, cusd_clear);
}

/* ---- the amount in an operator's balance answer ---- */

/* The number at p: an optional '-', digits with ',' or ' ' grouping, an optional '.' or ','
 * decimal part of 1-2 digits at the end ("1,234.56", "12,50", "-3.2"). */
static int read_number(const char *p, size_t len, double *out)
{
	char buf[48];
	size_t n = 0, i = 0, last_sep = SIZE_MAX;
	bool digits = false;

	while (i < len && (p[i] == ' ' || p[i] == '+'))
		i++;
	if (i < len && p[i] == '-')
		buf[n++] = p[i++];
	for (; i < len && n + 1 < sizeof(buf); i++) {
		char ch = p[i];
		if (ch >= '0' && ch <= '9') {
			buf[n++] = ch;
			digits = true;
		} else if ((ch == '.' || ch == ',') && digits && i + 1 < len && p[i + 1] >= '0' &&
			   p[i + 1] <= '9') {
			last_sep = n;
			buf[n++] = '.';
		} else {
			break;
		}
	}
	if (!digits)
		return SMSCTL_ERR_PROTOCOL;
	buf[n] = '\0';
	/* Only the last separator followed by 1-2 digits is a decimal point; others group. */
	size_t w = 0;
	for (size_t k = 0; k < n; k++) {
		if (buf[k] == '.' && !(k == last_sep && n - k - 1 <= 2))
			continue;
		buf[w++] = buf[k];
	}
	buf[w] = '\0';
	char *end;
	*out = strtod(buf, &end);
	return *end == '\0' ? 0 : SMSCTL_ERR_PROTOCOL;
}

int parse_amount(const char *text, const char *regex, double *amount)
{
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	int errcode, rc;
	PCRE2_SIZE erroff, *ov;

	if (!text || !amount)
		return SMSCTL_ERR_INVALID;
	size_t tlen = strnlen(text, PARSE_LINE_MAX + 1);
	if (tlen > PARSE_LINE_MAX)
		return SMSCTL_ERR_TOO_LONG;
	if (!regex || !*regex)
		regex = "(-?\\d[\\d,]*(?:\\.\\d+)?)";
	if (strlen(regex) > PARSE_AMOUNT_REGEX_MAX)
		return SMSCTL_ERR_INVALID;
	re = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &errcode, &erroff,
			   NULL);
	if (!re)
		return SMSCTL_ERR_INVALID;
	md = pcre2_match_data_create_from_pattern(re, NULL);
	mc = pcre2_match_context_create(NULL);
	if (!md || !mc) {
		pcre2_match_context_free(mc);
		pcre2_match_data_free(md);
		pcre2_code_free(re);
		return SMSCTL_ERR_NOMEM;
	}
	pcre2_set_match_limit(mc, 100000); /* a user's pattern never runs away */
	pcre2_set_depth_limit(mc, 1000);
	rc = pcre2_match(re, (PCRE2_SPTR)text, tlen, 0, 0, md, mc);
	if (rc <= 0) {
		rc = SMSCTL_ERR_NOT_FOUND;
	} else {
		ov = pcre2_get_ovector_pointer(md);
		size_t g = rc > 1 && ov[2] != PCRE2_UNSET ? 1 : 0;
		rc = read_number(text + ov[2 * g], ov[2 * g + 1] - ov[2 * g], amount);
		if (rc < 0)
			rc = SMSCTL_ERR_NOT_FOUND;
	}
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return rc;
}
