/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Final results and error lines: +CME ERROR, +CMS ERROR (numeric and verbose), MODEM ERROR,
 * the V.250 final result codes and vendor ones, and +CEER. */
#include <string.h>

#include <smsctl/error.h>
#include <smsctl/modem.h>

#include "at/result.h"
#include "parse/internal.h"

/* at_cme/cms_error_from_text() (at/codes.h) answer AT_CODE_NONE for an unknown text: a field
 * of at_error, where it must read as PARSE_NONE. */
_Static_assert(AT_CODE_NONE == PARSE_NONE, "AT_CODE_NONE is PARSE_NONE");

static struct parse_re error_re[] = {
    /* 0 PARSE_ERROR_NUMERIC. "+CMS ERROR: 330" (AT+CMEE=1) TS 27.007 9.2, TS 27.005 3.2.5;
	 * "MODEM ERROR: 5" (ModemManager test-at-serial-port: a vendor form). */
    {"(?:\\+(?<k>CME|CMS)|(?<km>MODEM)) ERROR:\\s*(?<code>\\d{1,5})\\s*", 0, NULL},
    /* 1 PARSE_ERROR_VERBOSE. "+CME ERROR: SIM not inserted" (AT+CMEE=2) TS 27.007 9.2. */
    {"\\+(?<k>CME|CMS) ERROR:\\s+(?!\\d+\\s*$)(?<text>\\S.*?)\\s*", 0, NULL},
    /* 2 PARSE_ERROR_EMPTY. "+CME ERROR: " with nothing after the space (ModemManager test:
	 * an error without a code). "+CME ERROR:" without the space is not complete. */
    {"\\+(?<k>CME|CMS) ERROR:\\s+", 0, NULL},
};
PARSE_TABLE(error)

static void error_clear(void *p)
{
	struct at_error *o = p;
	o->kind = 0;
	o->code = o->pattern = PARSE_NONE;
	o->text[0] = '\0';
}

static int error_fill(const struct parse_match *m, void *p)
{
	struct at_error *o = p;
	const char *k;
	size_t kl;

	if (pm_isset(m, "km"))
		o->kind = PARSE_ERROR_MODEM;
	else if (pm_get(m, "k", &k, &kl) && k[2] == 'E')
		o->kind = PARSE_ERROR_CME;
	else
		o->kind = PARSE_ERROR_CMS;
	if (pm_int(m, "code", 65535, &o->code) < 0)
		return SMSCTL_ERR_PROTOCOL;
	if (pm_str(m, "text", o->text, sizeof(o->text)) < 0)
		return SMSCTL_ERR_PROTOCOL;
	if (o->text[0])
		o->code = o->kind == PARSE_ERROR_CME ? at_cme_error_from_text(o->text)
						     : at_cms_error_from_text(o->text);
	return 0;
}

int parse_error(const char *line, struct at_error *out)
{
	return parse_run(&error, line, out, out ? &out->pattern : NULL, error_fill, error_clear);
}

int parse_final(const char *line)
{
	const char *s;
	size_t len;
	struct at_error e;

	if (!parse_trim(line, &s, &len))
		return SMSCTL_RESULT_NONE;
	/* the words: the engine's table (at/result.h) */
	int word = at_result_word(s, len);
	if (word != SMSCTL_RESULT_NONE)
		return word;
	if (parse_error(line, &e) < 0)
		return SMSCTL_RESULT_NONE;
	switch (e.kind) {
	case PARSE_ERROR_CME:
		return SMSCTL_RESULT_CME_ERROR;
	case PARSE_ERROR_CMS:
		return SMSCTL_RESULT_CMS_ERROR;
	default:
		return SMSCTL_RESULT_ERROR;
	}
}

static struct parse_re ceer_re[] = {
    /* 0 "+CEER: EPS_AND_NON_EPS_SERVICES_NOT_ALLOWED" TS 27.007 6.10 (Altair, ModemManager),
	 * "+CEER:" empty. */
    {"\\+CEER:\\s*(?<text>.*?)\\s*", 0, NULL},
    /* 1 an empty answer (Altair answers nothing before OK). */
    {"\\s*", 0, NULL},
};
PARSE_TABLE(ceer)

static void ceer_clear(void *p)
{
	struct at_ceer *o = p;
	o->text[0] = '\0';
	o->pattern = PARSE_NONE;
}

static int ceer_fill(const struct parse_match *m, void *p)
{
	struct at_ceer *o = p;
	return pm_str(m, "text", o->text, sizeof(o->text));
}

int parse_ceer(const char *line, struct at_ceer *out)
{
	return parse_run(&ceer, line, out, out ? &out->pattern : NULL, ceer_fill, ceer_clear);
}
