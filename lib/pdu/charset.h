/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UTF-8 and UTF-16 (UCS-2 with surrogate pairs) conversions for the PDU codec. */
#ifndef SMSCTL_CHARSET_H
#define SMSCTL_CHARSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Write code point cp (<= 0x10FFFF, not a surrogate) as UTF-8; returns 1-4. */
static inline size_t pdu_utf8_put(char *out, uint32_t cp)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Read one code point from a strict UTF-8 string [*p, end): no overlong forms, no
 * surrogates, nothing above U+10FFFF, no NUL. Advances *p. Returns false on invalid input. */
bool pdu_utf8_next_slow(const char **p, const char *end, uint32_t *cp);

static inline bool pdu_utf8_next(const char **p, const char *end, uint32_t *cp)
{
	unsigned char c = *p < end ? (unsigned char)**p : 0;

	if (c && c < 0x80) {
		*cp = c;
		(*p)++;
		return true;
	}
	return pdu_utf8_next_slow(p, end, cp);
}

/* Whether s (len bytes) is strict UTF-8 without NUL. */
bool pdu_utf8_valid(const char *s, size_t len);

/* Decode big-endian UTF-16 (len octets; a trailing odd octet is ignored) to UTF-8. A lone
 * surrogate becomes U+FFFD; U+0000 is dropped. out needs 3 * (len / 2) + 1 bytes (a pair
 * of 4 octets gives 4 bytes). Writes a terminating NUL; returns the length without it. */
size_t pdu_ucs2_decode(const uint8_t *data, size_t len, char *out);

#endif
