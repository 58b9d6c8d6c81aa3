/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UTF-8 <-> UTF-16 for the PDU codec (UCS-2 user data of TS 23.038 with surrogate pairs). */
#include "pdu/charset.h"

static inline bool cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

bool pdu_utf8_next_slow(const char **p, const char *end, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)*p;
	size_t avail = (size_t)((const unsigned char *)end - s);
	uint32_t c, v;

	if (*p >= end)
		return false;
	c = s[0];
	if (c < 0x80) {
		if (c == 0)
			return false;
		*cp = c;
		*p += 1;
		return true;
	}
	if (c < 0xC2) /* a continuation byte, or an overlong lead (C0, C1) */
		return false;
	if (c < 0xE0) {
		if (avail < 2 || !cont(s[1]))
			return false;
		*cp = (c & 0x1F) << 6 | (s[1] & 0x3Fu);
		*p += 2;
		return true;
	}
	if (c < 0xF0) {
		if (avail < 3 || !cont(s[1]) || !cont(s[2]))
			return false;
		v = (c & 0x0F) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
		if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF)) /* overlong, surrogate */
			return false;
		*cp = v;
		*p += 3;
		return true;
	}
	if (c < 0xF5) {
		if (avail < 4 || !cont(s[1]) || !cont(s[2]) || !cont(s[3]))
			return false;
		v = (c & 0x07) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
		if (v < 0x10000 || v > 0x10FFFF) /* overlong, out of range */
			return false;
		*cp = v;
		*p += 4;
		return true;
	}
	return false;
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
