/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GSM 7-bit alphabets (3GPP TS 23.038) and septet packing (TS 23.040 9.2.3.24). */
#include <stdbool.h>

#include "pdu/charset.h"
#include "pdu/gsm7.h"

int pdu_gsm7_lookup(uint32_t cp)
{
	if (cp < 128) {
		uint16_t v = pdu_gsm7_ascii_rev[cp];
		return v == GSM7_UNDEF ? -1 : (int)v;
	}
	size_t lo = 0, hi = GSM7_N_HIGH_REV;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (pdu_gsm7_high_rev[mid].cp == cp)
			return pdu_gsm7_high_rev[mid].code;
		if (pdu_gsm7_high_rev[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

size_t pdu_gsm7_decode(const uint8_t *ud, size_t first, size_t end, unsigned lock, unsigned single,
		       char *out)
{
	const uint16_t *lt, *st;
	char *o = out;
	bool esc = false;

	if (lock >= GSM7_N_LANGUAGES)
		lock = 0;
	if (single >= GSM7_N_LANGUAGES)
		single = 0;
	lt = pdu_gsm7_locking[lock];
	st = pdu_gsm7_single[single];
	if (first >= end) {
		*o = '\0';
		return 0;
	}
	/* Septets read through a bit accumulator: a byte is loaded only when the septet being
	 * read needs it, so nothing past septet end - 1 is touched. */
	size_t byte = first * 7 / 8;
	unsigned have = 8 - (unsigned)(first * 7 % 8);
	uint32_t acc = (uint32_t)ud[byte++] >> (8 - have);
	for (size_t i = first; i < end; i++) {
		uint32_t cp;

		if (have < 7) {
			acc |= (uint32_t)ud[byte++] << have;
			have += 8;
		}
		unsigned s = acc & 0x7F;
		acc >>= 7;
		have -= 7;
		if (esc) {
			esc = false;
			cp = st[s];
			if (cp == GSM7_UNDEF) {
				cp = lt[s];
				if (cp == GSM7_ESC) /* ESC ESC: reserved; show a space */
					cp = ' ';
			}
		} else {
			cp = lt[s];
			if (cp == GSM7_ESC) {
				esc = true;
				continue;
			}
		}
		if (cp == GSM7_UNDEF)
			cp = ' ';
		if (cp < 0x80)
			*o++ = (char)cp;
		else
			o += pdu_utf8_put(o, cp);
	}
	*o = '\0';
	return (size_t)(o - out);
}

size_t pdu_gsm7_pack(const uint8_t *septets, size_t n, unsigned fill, uint8_t *out)
{
	uint32_t acc = 0;
	unsigned bits = fill;
	uint8_t *o = out;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		acc |= (uint32_t)(septets[i] & 0x7F) << bits;
		bits += 7;
		if (bits >= 8) {
			*o++ = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
	if (bits)
		*o++ = (uint8_t)acc;
	return (size_t)(o - out);
}
