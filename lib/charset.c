/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UTF-8 <-> UTF-16 for the PDU codec (UCS-2 user data of TS 23.038 with surrogate pairs). */
#include "charset.h"

size_t pdu_utf8_put(char *out, uint32_t cp)
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

bool pdu_utf8_next(const char **p, const char *end, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)*p;
	const unsigned char *e = (const unsigned char *)end;
	uint32_t c;
	size_t n;

	if (s >= e)
		return false;
	c = s[0];
	if (c < 0x80) {
		if (c == 0)
			return false;
		*cp = c;
		*p += 1;
		return true;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 1;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		c &= 0x07;
	} else {
		return false; /* continuation byte, overlong lead (C0, C1) or above F4 */
	}
	if ((size_t)(e - s) < n + 1)
		return false;
	for (size_t i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return false;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((n == 2 && c < 0x800) || (n == 3 && (c < 0x10000 || c > 0x10FFFF)))
		return false; /* overlong or out of range */
	if (c >= 0xD800 && c <= 0xDFFF)
		return false; /* surrogates are not characters */
	*cp = c;
	*p += n + 1;
	return true;
}

bool pdu_utf8_valid(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	uint32_t cp;

	while (p < end) {
		if ((unsigned char)*p < 0x80 && *p) {
			p++;
			continue;
		}
		if (!pdu_utf8_next(&p, end, &cp))
			return false;
	}
	return true;
}

size_t pdu_ucs2_decode(const uint8_t *data, size_t len, char *out)
{
	char *o = out;
	size_t n = len / 2;

	for (size_t i = 0; i < n; i++) {
		uint32_t u = (uint32_t)data[2 * i] << 8 | data[2 * i + 1];

		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
			uint32_t l = (uint32_t)data[2 * i + 2] << 8 | data[2 * i + 3];
			if (l >= 0xDC00 && l <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00);
				i++;
				o += pdu_utf8_put(o, u);
				continue;
			}
		}
		if (u >= 0xD800 && u <= 0xDFFF)
			u = 0xFFFD;
		if (u == 0)
			continue;
		if (u < 0x80)
			*o++ = (char)u;
		else
			o += pdu_utf8_put(o, u);
	}
	*o = '\0';
	return (size_t)(o - out);
}
