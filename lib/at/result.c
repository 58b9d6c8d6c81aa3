/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Final result codes: the table of words (V.250 5.7.1, TS 27.007 5.7, vendor) and the error
 * lines (TS 27.007 9.2, TS 27.005 3.2.5, MODEM ERROR). */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "at/result.h"

static const struct {
	const char *text;
	size_t len;
	enum smsctl_result result;
} words[] = {
#define WORD(s, r)                                                                                 \
	{                                                                                          \
		s, sizeof(s) - 1, r                                                                \
	}
    /* V.250 result codes (verbose form) */
    WORD("OK", SMSCTL_RESULT_OK),
    WORD("ERROR", SMSCTL_RESULT_ERROR),
    WORD("NO CARRIER", SMSCTL_RESULT_NO_CARRIER),
    WORD("BUSY", SMSCTL_RESULT_BUSY),
    WORD("NO ANSWER", SMSCTL_RESULT_NO_ANSWER),
    WORD("NO DIALTONE", SMSCTL_RESULT_NO_DIALTONE),
    WORD("NO DIAL TONE", SMSCTL_RESULT_NO_DIALTONE),
    /* Huawei and ZTE (ModemManager test-at-serial-port.c, python-gsmmodem) */
    WORD("COMMAND NOT SUPPORT", SMSCTL_RESULT_NOT_SUPPORTED),
    /* Huawei (ModemManager test-at-serial-port.c, python-gsmmodem) */
    WORD("TOO MANY PARAMETERS", SMSCTL_RESULT_TOO_MANY_PARAMETERS),
#undef WORD
};

enum smsctl_result at_result_word(const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].len == len && memcmp(words[i].text, s, len) == 0)
			return words[i].result;
	return SMSCTL_RESULT_NONE;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Parse the code after "+CME ERROR:"; rest points after the colon. -1 for verbose/empty. */
static int parse_error_code(const char *rest)
{
	long v = 0;
	size_t digits = 0;

	while (*rest == ' ')
		rest++;
	while (isdigit((unsigned char)*rest)) {
		if (++digits > 6)
			return -1;
		v = v * 10 + (*rest - '0');
		rest++;
	}
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (digits == 0 || *rest)
		return -1;
	return (int)v;
}

enum smsctl_result at_final_result(const char *line, int *code)
{
	enum smsctl_result res;
	int dummy;

	if (!code)
		code = &dummy;
	*code = -1;
	res = at_result_word(line, strlen(line));
	if (res != SMSCTL_RESULT_NONE)
		return res;
	/* TS 27.007 9.2 / TS 27.005 3.2.5: numeric or verbose; an empty value still ends the
	 * command (waiting for more would only turn an error into a timeout). */
	if (starts_with(line, "+CME ERROR")) {
		const char *r = line + strlen("+CME ERROR");
		if (*r == ':' || *r == ' ' || *r == '\0') {
			*code = parse_error_code(*r ? r + 1 : r);
			return SMSCTL_RESULT_CME_ERROR;
		}
	}
	if (starts_with(line, "+CMS ERROR")) {
		const char *r = line + strlen("+CMS ERROR");
		if (*r == ':' || *r == ' ' || *r == '\0') {
			*code = parse_error_code(*r ? r + 1 : r);
			return SMSCTL_RESULT_CMS_ERROR;
		}
	}
	/* "MODEM ERROR: 5" (ModemManager test-at-serial-port.c): an error with a number only. */
	if (starts_with(line, "MODEM ERROR:")) {
		int v = parse_error_code(line + strlen("MODEM ERROR:"));
		if (v >= 0) {
			*code = v;
			return SMSCTL_RESULT_ERROR;
		}
	}
	return SMSCTL_RESULT_NONE;
}
