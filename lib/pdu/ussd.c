/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * USSD strings decoded by their CBS data coding scheme. The coding groups are those of 3GPP TS
 * 23.038 section 5 ("CBS Data Coding Scheme", which TS 27.007 7.15 names for <dcs>); how the
 * modem prints <str> is TS 27.007 7.15: GSM 7-bit converted into the TE character set (+CSCS),
 * or under "HEX" one hex pair a character; 8-bit data as hex pairs. Huawei modems print GSM
 * 7-bit answers as packed septets in hex whatever +CSCS is (the captures in tests/data/ussd/).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "pdu/charset.h"
#include "pdu/gsm7.h"
#include "pdu/ussd.h"

enum pdu_cbs_alphabet pdu_cbs_alphabet(int dcs)
{
	unsigned d = (dcs < 0 || dcs > 255) ? 0u : (unsigned)dcs;
	unsigned group = d >> 4;

	switch (group) {
	case 0x0: /* languages, GSM 7-bit */
	case 0x2:
	case 0x3:
		return PDU_CBS_GSM7;
	case 0x1: /* 0000: GSM 7-bit with a language; 0001: UCS2 with a language */
		return (d & 0x0f) == 1 ? PDU_CBS_UCS2 : PDU_CBS_GSM7;
	case 0x4: /* general data coding: bits 3-2 the alphabet; bit 5 compressed */
	case 0x5:
	case 0x6:
	case 0x7:
	case 0x9: /* message with a user data header: the same alphabet bits */
		if (d & 0x20)
			return PDU_CBS_8BIT; /* compressed: shown as octets */
		switch ((d >> 2) & 3) {
		case 1:
			return PDU_CBS_8BIT;
		case 2:
			return PDU_CBS_UCS2;
		default:
			return PDU_CBS_GSM7; /* 00, and 11 (reserved) */
		}
	case 0xe: /* defined by the WAP Forum: data */
		return PDU_CBS_8BIT;
	case 0xf: /* data coding / message handling: bit 2 */
		return (d & 0x04) ? PDU_CBS_8BIT : PDU_CBS_GSM7;
	default: /* reserved: "assumed to be the GSM 7 bit default alphabet" */
		return PDU_CBS_GSM7;
	}
}

struct sink {
	char *out;
	size_t size, n;
	bool full;
};

static void put_cp(struct sink *s, uint32_t cp)
{
	char buf[4];
	size_t k;

	if (s->full)
		return;
	if (cp == 0 || (cp < 0x20 && cp != '\r' && cp != '\n' && cp != '\t') || cp == 0x7f ||
	    (cp >= 0x80 && cp < 0xa0))
		return; /* control characters carry nothing a person reads */
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	k = pdu_utf8_put(buf, cp);
	if (s->n + k + 1 > s->size) {
		s->full = true;
		return;
	}
	memcpy(s->out + s->n, buf, k);
	s->n += k;
	s->out[s->n] = '\0';
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static bool is_hex(const char *s, size_t len, size_t unit)
{
	if (len == 0 || len % unit)
		return false;
	for (size_t i = 0; i < len; i++)
		if (hexval((unsigned char)s[i]) < 0)
			return false;
	return true;
}

static unsigned hex_at(const char *s, size_t i, size_t digits)
{
	unsigned v = 0;
	for (size_t k = 0; k < digits; k++)
		v = v << 4 | (unsigned)hexval((unsigned char)s[i + k]);
	return v;
}

/* Bytes as UTF-8 when they are, else each byte a Latin-1 character. */
static void put_bytes(struct sink *s, const uint8_t *b, size_t n)
{
	const char *p = (const char *)b, *end = p + n;
	bool utf8 = pdu_utf8_valid(p, n);

	while (p < end) {
		uint32_t cp;
		if (utf8) {
			if (!pdu_utf8_next(&p, end, &cp))
				break;
		} else {
			cp = (unsigned char)*p++;
		}
		put_cp(s, cp);
	}
}

static void put_ucs2_hex(struct sink *s, const char *str, size_t len)
{
	for (size_t i = 0; i + 4 <= len; i += 4) {
		uint32_t u = hex_at(str, i, 4);
		if (u >= 0xd800 && u <= 0xdbff && i + 8 <= len) {
			uint32_t lo = hex_at(str, i + 4, 4);
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				put_cp(s, 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00));
				i += 4;
				continue;
			}
		}
		put_cp(s, u);
	}
}

/* A septet of the default alphabet (with the escape to the extension table). */
static void put_septets(struct sink *s, const uint8_t *sep, size_t n)
{
	bool esc = false;

	for (size_t i = 0; i < n; i++) {
		unsigned v = sep[i] & 0x7f;
		uint32_t cp;
		if (esc) {
			esc = false;
			cp = pdu_gsm7_single[0][v];
			if (cp == GSM7_UNDEF)
				cp = pdu_gsm7_locking[0][v];
		} else if (v == GSM7_ESC) {
			esc = true;
			continue;
		} else {
			cp = pdu_gsm7_locking[0][v];
		}
		if (cp != GSM7_UNDEF && cp != GSM7_ESC)
			put_cp(s, cp);
	}
}

#define USSD_MAX_OCTETS 512

/* Unpack hex (even length, at most USSD_MAX_OCTETS octets) into septets; returns how many.
 * TS 23.038 6.1.2.3.1: 7 spare bits at the end are a CR, which is not part of the text. */
static size_t unpack_hex(const char *str, size_t len, uint8_t *sep)
{
	uint8_t oct[USSD_MAX_OCTETS];
	size_t n = len / 2, ns;

	for (size_t i = 0; i < n; i++)
		oct[i] = (uint8_t)hex_at(str, 2 * i, 2);
	ns = pdu_gsm7_septets_in(n);
	for (size_t i = 0; i < ns; i++)
		sep[i] = (uint8_t)pdu_gsm7_septet_at(oct, i);
	if (ns && (n * 8) % 7 == 0 && (sep[ns - 1] == '\r' || sep[ns - 1] == 0))
		ns--;
	return ns;
}

/* Packed septets that read as text: no control septets but CR and LF, and at least 4 in 5
 * of them printable ASCII (a plain answer that happens to be hex, "1234", unpacks to Greek
 * capitals and stray letters). */
static bool looks_packed(const uint8_t *sep, size_t n)
{
	size_t ascii = 0, all = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned v = sep[i];
		if (v == '\r' || v == '\n')
			continue;
		uint32_t cp = pdu_gsm7_locking[0][v];
		if (v != GSM7_ESC && (cp == GSM7_UNDEF || cp < 0x20))
			return false;
		all++;
		if (cp >= 0x20 && cp < 0x7f)
			ascii++;
	}
	return all > 0 && ascii * 5 >= all * 4;
}

int pdu_ussd_decode(const char *str, size_t len, int dcs, const char *cscs, char *out, size_t size)
{
	struct sink s = {out, size, 0, false};
	enum pdu_cbs_alphabet a = pdu_cbs_alphabet(dcs);
	bool ucs2_te = cscs && strcasecmp(cscs, "UCS2") == 0;
	bool hex_te = cscs && strcasecmp(cscs, "HEX") == 0;

	if (!out || size == 0)
		return PDU_USSD_PLAIN;
	out[0] = '\0';
	if (!str)
		return PDU_USSD_PLAIN;
	if (a == PDU_CBS_UCS2 || (a == PDU_CBS_GSM7 && ucs2_te)) {
		if (is_hex(str, len, 4)) {
			put_ucs2_hex(&s, str, len);
			return PDU_USSD_UCS2_HEX;
		}
	} else if (a == PDU_CBS_8BIT) {
		if (is_hex(str, len, 2) && len / 2 <= USSD_MAX_OCTETS) {
			uint8_t b[USSD_MAX_OCTETS];
			for (size_t i = 0; i < len / 2; i++)
				b[i] = (uint8_t)hex_at(str, 2 * i, 2);
			put_bytes(&s, b, len / 2);
			return PDU_USSD_8BIT_HEX;
		}
	} else if (is_hex(str, len, 2) && len / 2 <= USSD_MAX_OCTETS) {
		uint8_t sep[USSD_MAX_OCTETS * 8 / 7 + 1];
		bool seven = true;
		for (size_t i = 0; i < len; i += 2)
			if (hex_at(str, i, 2) > 0x7f)
				seven = false;
		if (hex_te && seven) {
			size_t n = len / 2;
			for (size_t i = 0; i < n; i++)
				sep[i] = (uint8_t)hex_at(str, 2 * i, 2);
			put_septets(&s, sep, n);
			return PDU_USSD_GSM7_HEX;
		}
		size_t n = unpack_hex(str, len, sep);
		if (looks_packed(sep, n)) {
			put_septets(&s, sep, n);
			return PDU_USSD_GSM7_PACKED;
		}
	}
	put_bytes(&s, (const uint8_t *)str, len);
	return PDU_USSD_PLAIN;
}
