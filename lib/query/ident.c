/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Identity queries: manufacturer, model, revision (+CGMI, +CGMM, +CGMR, 27.007 5.1-5.3), IMEI
 * (+CGSN), IMSI (+CIMI), own number (+CNUM) and the ICCID through the vendor table of
 * query.c, the AT+CRSM read of EF_ICCID (ETSI TS 102 221 13.2) last.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <smsctl/error.h>

#include "query/query.h"

static void set_text(struct query_text *out, const char *s)
{
	snprintf(out->value, sizeof(out->value), "%s", s ? s : "");
	out->known = out->value[0] != '\0';
}

/* A printable copy of an identity line into out: the "+CGMI: " style prefix, quotes and
 * surrounding space removed; control bytes dropped; cut to size between UTF-8 characters;
 * "" when nothing is left. */
static void clean_text(const char *line, const char *prefix, char *out, size_t size)
{
	size_t n = 0, len;

	out[0] = '\0';
	if (!line)
		return;
	while (*line == ' ' || *line == '\t')
		line++;
	len = strlen(prefix);
	if (strncasecmp(line, prefix, len) == 0) {
		line += len;
		while (*line == ' ')
			line++;
	}
	for (; *line && n + 1 < size; line++) {
		unsigned char ch = (unsigned char)*line;
		if (ch < 0x20 || ch == 0x7f || ch == '"')
			continue;
		out[n++] = (char)ch;
	}
	if (*line)
		n = query_utf8_whole(out, n);
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* The first non-empty line. */
static const char *first_line(const struct query_reply *r)
{
	for (size_t i = 0; i < r->n_lines; i++)
		if (r->lines[i][strspn(r->lines[i], " \t")])
			return r->lines[i];
	return NULL;
}

/* An ICCID in one line: a vendor form, or the +CRSM answer carrying EF_ICCID's bytes. */
static bool iccid_in(const char *l, struct at_iccid *ic)
{
	if (parse_has_prefix(l, "+CRSM:")) {
		/* +CRSM: <sw1>,<sw2>,"<hex>": the file's bytes, BCD swapped */
		const char *q = strchr(l, '"');
		char hex[PARSE_ICCID_MAX + 8];
		size_t k = 0;
		if (!q || strncmp(l + strspn(l, " "), "+CRSM: 144,", 11) != 0)
			return false;
		for (q++; *q && *q != '"' && k + 1 < sizeof(hex); q++)
			hex[k++] = *q;
		hex[k] = '\0';
		return parse_iccid(hex, ic) == 0;
	}
	return parse_iccid(l, ic) == 0;
}

static const char *const ident_cmds[] = {
    [QUERY_ID_MANUFACTURER] = "AT+CGMI", [QUERY_ID_MODEL] = "AT+CGMM",
    [QUERY_ID_REVISION] = "AT+CGMR",	 [QUERY_ID_IMEI] = "AT+CGSN",
    [QUERY_ID_IMSI] = "AT+CIMI",	 [QUERY_ID_OWN_NUMBER] = "AT+CNUM",
    [QUERY_ID_ICCID] = "AT+CCID",
};

const char *query_ident_command(enum query_ident what)
{
	return (size_t)what < sizeof(ident_cmds) / sizeof(ident_cmds[0]) ? ident_cmds[what] : NULL;
}

void query_ident_of(enum query_ident what, const struct query_reply *r, struct query_text *out)
{
	char buf[QUERY_TEXT_MAX];

	set_text(out, NULL);
	if (!r || !r->asked)
		return;
	switch (what) {
	case QUERY_ID_MANUFACTURER:
		clean_text(first_line(r), "+CGMI:", buf, sizeof(buf));
		set_text(out, buf);
		return;
	case QUERY_ID_MODEL:
		clean_text(first_line(r), "+CGMM:", buf, sizeof(buf));
		set_text(out, buf);
		return;
	case QUERY_ID_REVISION: {
		char rev[QUERY_TEXT_MAX];
		clean_text(first_line(r), "+CGMR:", rev, sizeof(rev));
		if (!rev[0])
			return;
		/* "Revision: 1418B05SIM800C24" (SIMCom), "REVISION 03.001" (Cinterion) */
		clean_text(rev, "Revision:", buf, sizeof(buf));
		if (strcmp(buf, rev) == 0)
			clean_text(rev, "Revision ", buf, sizeof(buf));
		set_text(out, buf[0] ? buf : rev);
		return;
	}
	default:
		break;
	}
	for (size_t i = 0; i < r->n_lines && !out->known; i++) {
		const char *l = r->lines[i];
		struct at_imei im;
		struct at_imsi is;
		struct at_cnum cn;
		struct at_iccid ic;
		if (what == QUERY_ID_IMEI && parse_cgsn(l, &im) == 0)
			set_text(out, im.imei);
		else if (what == QUERY_ID_IMSI && parse_cimi(l, &is) == 0)
			set_text(out, is.imsi);
		else if (what == QUERY_ID_OWN_NUMBER && parse_has_prefix(l, "+CNUM:") &&
			 parse_cnum(l, &cn) == 0 && cn.number[0])
			set_text(out, cn.number);
		else if (what == QUERY_ID_ICCID && iccid_in(l, &ic))
			set_text(out, ic.iccid);
	}
}

int query_ident(struct smsctl_modem *m, enum query_ident what, struct query_text *out,
		struct query_reply *raw)
{
	struct query_reply tmp;
	struct query_reply *r = raw ? raw : &tmp;
	const char *cmd = query_ident_command(what);

	set_text(out, NULL);
	if (!cmd || what == QUERY_ID_ICCID)
		return SMSCTL_ERR_INVALID;
	int rc = query_ask(m, cmd, r);
	if (rc == 0)
		query_ident_of(what, r, out);
	return rc;
}

int query_iccid(struct smsctl_modem *m, enum query_vendor v, struct query_text *out,
		struct query_reply *raw)
{
	struct query_reply tmp;
	struct query_reply *r = raw ? raw : &tmp;
	size_t n = query_iccid_count();
	bool own = false;
	const char *first = query_iccid_command(v, &own);
	int last = 1;

	set_text(out, NULL);
	/* the manufacturer's own command first, then the others in table order */
	for (size_t k = own ? 0 : 1; k <= n; k++) {
		const char *cmd = k == 0 ? first : query_iccid_command_at(k - 1);
		if (k > 0 && own && strcmp(cmd, first) == 0)
			continue;
		last = query_ask(m, cmd, r);
		if (last < 0)
			return last;
		if (last == 0)
			query_ident_of(QUERY_ID_ICCID, r, out);
		if (out->known)
			return 0;
	}
	return last;
}
