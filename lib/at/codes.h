/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the +CME ERROR and +CMS ERROR code tables (lib/at/codes.c) seen from inside the
 * library. Their 3GPP texts, vendor texts and retry classes are public (<smsctl/codes.h>);
 * this header adds the reverse lookup the response parsers need: a verbose error text (what a
 * modem prints after AT+CMEE=2) back to its number. */
#ifndef SMSCTL_AT_CODES_H
#define SMSCTL_AT_CODES_H

/* A text that names no known code. Equal to PARSE_NONE of parse/parse.h. */
#define AT_CODE_NONE (-1)

/* Verbose error text -> numeric code (TS 27.007 9.2 / TS 27.005 3.2.5 wording and the vendor
 * variants in the alias tables; compared on letters and digits only, case insensitive),
 * AT_CODE_NONE when unknown or NULL. */
int at_cme_error_from_text(const char *text);
int at_cms_error_from_text(const char *text);

#endif
