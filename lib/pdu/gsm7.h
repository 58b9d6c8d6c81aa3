/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The GSM 7-bit alphabets of 3GPP TS 23.038: the default alphabet, its extension table and
 * the national language single-shift and locking-shift tables of Annex A; septet packing. */
#ifndef SMSCTL_GSM7_H
#define SMSCTL_GSM7_H

#include <stddef.h>
#include <stdint.h>

/* National language identifiers 0 (default) to 13 (Urdu), TS 23.038 6.2.1.2.4. */
#define GSM7_N_LANGUAGES 14
#define GSM7_UNDEF	 0xFFFFu
#define GSM7_ESC	 0x1Bu
#define GSM7_N_HIGH_REV	 40

struct gsm7_rev {
	uint16_t cp;
	uint16_t code; /* septet, or 0x100 | septet for an escape sequence */
};

/* Locking-shift tables (the default alphabet for 0 and for languages without one) and
 * single-shift tables (the extension table for 0), septet -> code point. gsm7-tables.c */
extern const uint16_t pdu_gsm7_locking[GSM7_N_LANGUAGES][128];
extern const uint16_t pdu_gsm7_single[GSM7_N_LANGUAGES][128];
extern const uint16_t pdu_gsm7_ascii_rev[128];
extern const struct gsm7_rev pdu_gsm7_high_rev[GSM7_N_HIGH_REV];

/* The septets of code point cp in the default alphabet: 0..127 for one septet, 0x100|septet
 * for ESC + septet, -1 when it has none. */
int pdu_gsm7_lookup(uint32_t cp);

/* Number of septets that fit in len octets (floor). */
static inline size_t pdu_gsm7_septets_in(size_t len)
{
	return len * 8 / 7;
}

/* Octets needed for n septets (ceiling). */
static inline size_t pdu_gsm7_octets_for(size_t n)
{
	return (n * 7 + 7) / 8;
}

/* Septet i of packed user data; the caller guarantees i < pdu_gsm7_septets_in(len). */
static inline unsigned pdu_gsm7_septet_at(const uint8_t *ud, size_t i)
{
	size_t bit = i * 7;
	size_t byte = bit >> 3;
	unsigned shift = bit & 7;
	unsigned v = ud[byte] >> shift;

	if (shift > 1)
		v |= (unsigned)ud[byte + 1] << (8 - shift);
	return v & 0x7F;
}

/* Decode septets [first, end) of packed user data to UTF-8 through the locking-shift table
 * lock and the single-shift table single (national language identifiers; out-of-range values
 * mean the default). end <= pdu_gsm7_septets_in(len). out needs 3 * (end - first) + 1 bytes.
 * An escape followed by a septet the single-shift table leaves undefined gives the
 * locking-shift character (TS 23.038 6.2.1.1); a final lone escape is dropped. Returns the
 * number of bytes written, without a terminating NUL (which is written too). */
size_t pdu_gsm7_decode(const uint8_t *ud, size_t first, size_t end, unsigned lock, unsigned single,
		       char *out);

/* Pack n septets after fill zero bits (0-6) into out, which must hold (fill + 7 * n + 7) / 8
 * octets. Returns the number of octets written (0 when n is 0). */
size_t pdu_gsm7_pack(const uint8_t *septets, size_t n, unsigned fill, uint8_t *out);

#endif
