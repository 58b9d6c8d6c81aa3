/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decoding of SMS-DELIVER, SMS-SUBMIT and SMS-STATUS-REPORT TPDUs (3GPP TS 23.040 9.2).
 * Every length is checked against the buffer; the result is one allocation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdu/charset.h"
#include "pdu/gsm7.h"
#include "i18n.h"
#include "pdu/internal.h"

struct cursor {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static inline bool need(const struct cursor *c, size_t n)
{
	return c->len - c->pos >= n;
}

static const char digit_chars[16] = "0123456789*#abc?";

static unsigned nibble_at(const uint8_t *p, size_t i)
{
	return (i & 1) ? p[i / 2] >> 4 : p[i / 2] & 0x0F;
}

/* Semi-octets of a number: ndigits nibbles, low nibble first. Fillers (F) are only allowed
 * at the end (some senders count the filler in the length); one before a digit is an
 * invalid semi-octet. */
static bool decode_bcd_number(const uint8_t *p, size_t ndigits, char *out)
{
	while (ndigits > 0 && nibble_at(p, ndigits - 1) == 0x0F)
		ndigits--;
	for (size_t i = 0; i < ndigits; i++) {
		unsigned nib = nibble_at(p, i);
		if (nib == 0x0F)
			return false;
		*out++ = digit_chars[nib];
	}
	*out = '\0';
	return true;
}

static enum smsctl_number_type ton_of(uint8_t toa)
{
	return (enum smsctl_number_type)((toa >> 4) & 7);
}

/* Write the digits (or the alphanumeric text) of an address whose digits take ndigits
 * semi-octets in p; '+' in front when international. */
static const char *format_address(uint8_t toa, const uint8_t *p, size_t ndigits, char *out)
{
	if (ton_of(toa) == SMSCTL_NUMBER_ALPHANUMERIC) {
		/* TS 23.040 9.1.2.5: GSM 7-bit packed, the length counts semi-octets. */
		pdu_gsm7_decode(p, 0, ndigits * 4 / 7, 0, 0, out);
		return NULL;
	}
	if (ton_of(toa) == SMSCTL_NUMBER_INTERNATIONAL && ndigits > 0)
		*out++ = '+';
	if (!decode_bcd_number(p, ndigits, out))
		return N_("invalid semi-octet in a number");
	return NULL;
}

/* TP-OA / TP-DA / TP-RA (TS 23.040 9.1.2.5). */
static const char *decode_address(struct cursor *c, struct smsctl_pdu *w)
{
	if (!need(c, 2))
		return N_("PDU ends inside an address");
	size_t ndigits = c->p[c->pos];
	uint8_t toa = c->p[c->pos + 1];
	size_t octets = (ndigits + 1) / 2;

	if (ndigits > 20)
		return N_("address longer than 20 digits");
	c->pos += 2;
	if (!need(c, octets))
		return N_("PDU ends inside an address");
	w->number_toa = toa;
	w->number_type = ton_of(toa);
	const char *err = format_address(toa, c->p + c->pos, ndigits, w->number);
	if (err)
		return err;
	c->pos += octets;
	return NULL;
}

static const char *decode_smsc(struct cursor *c, struct smsctl_pdu *w)
{
	if (!need(c, 1))
		return N_("empty PDU");
	size_t sl = c->p[0];
	c->pos = 1;
	if (sl == 0)
		return NULL;
	if (sl > 11)
		return N_("SMSC address longer than 10 octets");
	if (!need(c, sl))
		return N_("PDU ends inside the SMSC address");
	uint8_t toa = c->p[1];
	size_t ndigits = (sl - 1) * 2;
	const uint8_t *digits = c->p + 2;

	c->pos += sl;
	if (ndigits == 0)
		return NULL;
	if (format_address(toa, digits, ndigits, w->smsc))
		return N_("invalid semi-octet in the SMSC address");
	w->smsc_toa = toa;
	w->has_smsc = true;
	return NULL;
}

static bool bcd2(uint8_t b, unsigned *v)
{
	unsigned lo = b & 0x0F, hi = b >> 4;

	if (lo > 9 || hi > 9)
		return false;
	*v = lo * 10 + hi;
	return true;
}

/* TP-SCTS / TP-DT / absolute TP-VP (TS 23.040 9.2.3.11): semi-octets, swapped, local time
 * and the offset in quarters of an hour (bit 3 of the last octet's low nibble: negative). */
static const char *decode_timestamp(struct cursor *c, char *out)
{
	unsigned f[6], q;

	if (!need(c, 7))
		return N_("PDU ends inside a timestamp");
	const uint8_t *p = c->p + c->pos;
	for (int i = 0; i < 6; i++)
		if (!bcd2(p[i], &f[i]))
			return N_("invalid semi-octet in a timestamp");
	/* The offset's units semi-octet is taken as it comes (real service centres send A-F
	 * there; oFono's test data has 0xA0 for +02:30). */
	uint8_t tz = p[6];
	q = (tz & 0x07) * 10 + (tz >> 4);
	c->pos += 7;
	/* A date or time that cannot exist (month 13, 31 April, 25:00, the all-zero stamp some
	 * senders use) is no timestamp: the message still decodes, its timestamp is absent. */
	static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > mdays[f[1] - 1] ||
	    (f[1] == 2 && f[2] == 29 && f[0] % 4) || f[3] > 23 || f[4] > 59 || f[5] > 59) {
		out[0] = '\0';
		return NULL;
	}
	snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u%c%02u:%02u", 2000 + f[0], f[1], f[2], f[3],
		 f[4], f[5], (tz & 0x08) && q ? '-' : '+', q / 4, (q % 4) * 15);
	return NULL;
}

long pdu_vp_to_minutes(unsigned vp)
{
	if (vp <= 143)
		return (long)(vp + 1) * 5;
	if (vp <= 167)
		return 720 + (long)(vp - 143) * 30;
	if (vp <= 196)
		return (long)(vp - 166) * 1440;
	return (long)(vp - 192) * 10080;
}

/* TP-VP in the format TP-VPF gives (TS 23.040 9.2.3.12). */
static const char *decode_validity(struct cursor *c, unsigned vpf, struct smsctl_pdu *w)
{
	char tmp[32];

	w->validity_minutes = -1;
	switch (vpf) {
	case 0:
		w->validity_format = SMSCTL_VALIDITY_NONE;
		return NULL;
	case 2:
		if (!need(c, 1))
			return N_("PDU ends inside the validity period");
		w->validity_format = SMSCTL_VALIDITY_RELATIVE;
		w->validity_minutes = pdu_vp_to_minutes(c->p[c->pos++]);
		return NULL;
	case 3:
		w->validity_format = SMSCTL_VALIDITY_ABSOLUTE;
		if (decode_timestamp(c, tmp))
			return N_("bad absolute validity period");
		return NULL;
	default: /* 1: enhanced (9.2.3.12.3) */
		if (!need(c, 7))
			return N_("PDU ends inside the validity period");
		w->validity_format = SMSCTL_VALIDITY_ENHANCED;
		const uint8_t *p = c->p + c->pos;
		unsigned h, m, s;
		switch (p[0] & 0x07) {
		case 1:
			w->validity_minutes = pdu_vp_to_minutes(p[1]);
			break;
		case 2: /* seconds, rounded up to a minute */
			w->validity_minutes = (p[1] + 59) / 60;
			break;
		case 3:
			if (!bcd2(p[1], &h) || !bcd2(p[2], &m) || !bcd2(p[3], &s))
				return N_("invalid semi-octet in the validity period");
			w->validity_minutes = (long)h * 60 + m + (s ? 1 : 0);
			break;
		default:
			break;
		}
		c->pos += 7;
		return NULL;
	}
}

/* TP-DCS (TS 23.038 4). */
static void decode_dcs(uint8_t dcs, struct smsctl_pdu *w)
{
	unsigned alpha = 0;

	w->dcs = dcs;
	w->msg_class = -1;
	switch (dcs >> 4) {
	case 0x0:
	case 0x1:
	case 0x2:
	case 0x3:
	case 0x4:
	case 0x5:
	case 0x6:
	case 0x7: /* general data coding (and automatic deletion group) */
		w->compressed = dcs & 0x20;
		if (dcs & 0x10)
			w->msg_class = dcs & 0x03;
		alpha = (dcs >> 2) & 0x03;
		break;
	case 0xC: /* message waiting, discard */
	case 0xD: /* message waiting, store, GSM 7-bit */
		w->mwi = true;
		break;
	case 0xE: /* message waiting, store, UCS-2 */
		w->mwi = true;
		alpha = 2;
		break;
	case 0xF:			      /* data coding / message class */
		alpha = (dcs & 0x04) ? 1 : 0; /* bit 3 is reserved */
		w->msg_class = dcs & 0x03;
		break;
	default: /* 0x8-0xB reserved: assume the default alphabet */
		break;
	}
	/* reserved alphabet (3): assume the default alphabet */
	w->coding = alpha == 1	 ? SMSCTL_CODING_8BIT
		    : alpha == 2 ? SMSCTL_CODING_UCS2
				 : SMSCTL_CODING_GSM7;
}

static const char *decode_udh(struct smsctl_pdu *w, const uint8_t *ud)
{
	size_t udhl = ud[0];
	size_t pos = 1;

	while (pos < udhl + 1) {
		if (udhl + 1 - pos < 2)
			return N_("user data header ends inside an element");
		uint8_t iei = ud[pos], len = ud[pos + 1];
		pos += 2;
		if (len > udhl + 1 - pos)
			return N_("user data header element longer than the header");
		const uint8_t *d = ud + pos;
		if (w->n_ie < PDU_MAX_IE) {
			w->ie[w->n_ie].iei = iei;
			w->ie[w->n_ie].len = len;
			w->ie[w->n_ie].off = (uint16_t)pos;
			w->n_ie++;
		}
		switch (iei) {
		case 0x00: /* concatenated, 8-bit reference */
			if (len == 3 && !w->has_concat && d[1] && d[2] && d[2] <= d[1]) {
				w->has_concat = true;
				w->concat_ref = d[0];
				w->concat_total = d[1];
				w->concat_seq = d[2];
			}
			break;
		case 0x08: /* concatenated, 16-bit reference */
			if (len == 4 && !w->has_concat && d[2] && d[3] && d[3] <= d[2]) {
				w->has_concat = true;
				w->concat16 = true;
				w->concat_ref = (unsigned)d[0] << 8 | d[1];
				w->concat_total = d[2];
				w->concat_seq = d[3];
			}
			break;
		case 0x04: /* application port, 8-bit */
			if (len == 2 && !w->has_ports) {
				w->has_ports = true;
				w->port_dst = d[0];
				w->port_src = d[1];
			}
			break;
		case 0x05: /* application port, 16-bit */
			if (len == 4 && !w->has_ports) {
				w->has_ports = true;
				w->port_dst = (unsigned)d[0] << 8 | d[1];
				w->port_src = (unsigned)d[2] << 8 | d[3];
			}
			break;
		case 0x24: /* national language single shift */
			if (len == 1 && d[0] < GSM7_N_LANGUAGES)
				w->lang_single = d[0];
			break;
		case 0x25: /* national language locking shift */
			if (len == 1 && d[0] < GSM7_N_LANGUAGES)
				w->lang_lock = d[0];
			break;
		default:
			break;
		}
		pos += len;
	}
	return NULL;
}

/* TP-UDL and TP-UD (TS 23.040 9.2.3.16, 9.2.3.24). A UDL past the end of the data is decoded
 * as far as the data goes; a UDH past the end is an error. */
static const char *decode_user_data(struct cursor *c, bool udhi, struct smsctl_pdu *w, char *text)
{
	if (!need(c, 1))
		return N_("PDU ends before the user data length");
	size_t udl = c->p[c->pos++];
	bool septets = w->coding == SMSCTL_CODING_GSM7 && !w->compressed;
	size_t want = septets ? pdu_gsm7_octets_for(udl) : udl;
	size_t avail = c->len - c->pos;
	size_t ud_len = want < avail ? want : avail;
	const uint8_t *ud = c->p + c->pos;

	w->ud = ud;
	w->ud_offset = c->pos;
	w->ud_len = ud_len;
	c->pos += ud_len;
	if ((w->compressed || w->coding == SMSCTL_CODING_8BIT) && ud_len < want)
		return N_("8-bit or compressed user data shorter than its length");
	if (udhi) {
		if (ud_len < 1)
			return N_("user data header missing");
		size_t udh = (size_t)ud[0] + 1;
		if (udh > ud_len)
			return N_("user data header runs past the end of the PDU");
		if (septets ? udh * 8 > udl * 7 : udh > udl)
			return N_("user data header longer than the user data");
		w->udh_len = udh;
		const char *err = decode_udh(w, ud);
		if (err)
			return err;
	}
	if (w->compressed || w->coding == SMSCTL_CODING_8BIT)
		return NULL;
	if (septets) {
		size_t end = pdu_gsm7_septets_in(ud_len);
		size_t first = (w->udh_len * 8 + 6) / 7;
		if (end > udl)
			end = udl;
		if (first > end)
			first = end;
		w->text_len = pdu_gsm7_decode(ud, first, end, w->lang_lock, w->lang_single, text);
	} else {
		w->text_len = pdu_ucs2_decode(ud + w->udh_len, ud_len - w->udh_len, text);
	}
	w->text = text;
	return NULL;
}

static const char *decode_deliver(struct cursor *c, uint8_t fo, struct smsctl_pdu *w, char *text)
{
	const char *err;

	w->type = SMSCTL_PDU_DELIVER;
	w->srr = fo & 0x20;
	if ((err = decode_address(c, w)))
		return err;
	if (!need(c, 2))
		return N_("PDU ends before the coding scheme");
	w->pid = c->p[c->pos++];
	decode_dcs(c->p[c->pos++], w);
	if ((err = decode_timestamp(c, w->timestamp)))
		return err;
	w->has_timestamp = w->timestamp[0] != '\0';
	return decode_user_data(c, fo & 0x40, w, text);
}

static const char *decode_submit(struct cursor *c, uint8_t fo, struct smsctl_pdu *w, char *text)
{
	const char *err;

	w->type = SMSCTL_PDU_SUBMIT;
	w->srr = fo & 0x20;
	if (!need(c, 1))
		return N_("PDU ends before the message reference");
	w->message_ref = c->p[c->pos++];
	if ((err = decode_address(c, w)))
		return err;
	if (!need(c, 2))
		return N_("PDU ends before the coding scheme");
	w->pid = c->p[c->pos++];
	decode_dcs(c->p[c->pos++], w);
	if ((err = decode_validity(c, (fo >> 3) & 3, w)))
		return err;
	return decode_user_data(c, fo & 0x40, w, text);
}

static const char *decode_status_report(struct cursor *c, uint8_t fo, struct smsctl_pdu *w,
					char *text)
{
	const char *err;

	w->type = SMSCTL_PDU_STATUS_REPORT;
	w->srr = fo & 0x20;
	if (!need(c, 1))
		return N_("PDU ends before the message reference");
	w->message_ref = c->p[c->pos++];
	if ((err = decode_address(c, w)))
		return err;
	if ((err = decode_timestamp(c, w->timestamp)))
		return err;
	w->has_timestamp = w->timestamp[0] != '\0';
	if ((err = decode_timestamp(c, w->discharge)))
		return err;
	w->has_discharge = w->discharge[0] != '\0';
	if (!need(c, 1))
		return N_("PDU ends before the status");
	w->status = c->p[c->pos++];
	w->coding = SMSCTL_CODING_GSM7;
	/* Optional TP-PI (9.2.3.27) and the fields it announces; extension octets skipped. */
	if (!need(c, 1))
		return NULL;
	uint8_t pi = c->p[c->pos++];
	for (uint8_t ext = pi; (ext & 0x80) && need(c, 1);)
		ext = c->p[c->pos++];
	if ((pi & 0x01) && need(c, 1))
		w->pid = c->p[c->pos++];
	if (pi & 0x02) {
		if (!need(c, 1))
			return NULL;
		decode_dcs(c->p[c->pos++], w);
	}
	if ((pi & 0x04) && need(c, 1))
		return decode_user_data(c, fo & 0x40, w, text);
	return NULL;
}

SMSCTL_API int smsctl_pdu_decode(const uint8_t *data, size_t len, bool smsc_included,
				 struct smsctl_pdu **out, const char **reason)
{
	struct smsctl_pdu work;
	struct smsctl_pdu *w = &work;
	char text[PDU_MAX_TEXT];
	struct cursor c = {data, len, 0};
	const char *err = NULL;

	if (reason)
		*reason = NULL;
	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (!data && len)
		return SMSCTL_ERR_INVALID;
	memset(w, 0, sizeof(*w));
	w->pid = w->dcs = w->msg_class = w->message_ref = w->status = -1;
	w->validity_minutes = -1;
	w->coding = SMSCTL_CODING_GSM7;

	if (len == 0) {
		err = N_("empty PDU");
		goto fail;
	}
	if (smsc_included && (err = decode_smsc(&c, w)))
		goto fail;
	if (!need(&c, 1)) {
		err = N_("PDU ends after the SMSC address");
		goto fail;
	}
	uint8_t fo = c.p[c.pos++];
	switch (fo & 0x03) {
	case 0:
		err = decode_deliver(&c, fo, w, text);
		break;
	case 1:
		err = decode_submit(&c, fo, w, text);
		break;
	case 2:
		err = decode_status_report(&c, fo, w, text);
		break;
	default:
		err = N_("reserved message type indicator");
		break;
	}
	if (err)
		goto fail;
	w->end_offset = c.pos;

	size_t text_size = w->text ? w->text_len + 1 : 0;
	struct smsctl_pdu *p = malloc(sizeof(*p) + w->ud_len + text_size);
	if (!p)
		return SMSCTL_ERR_NOMEM;
	memcpy(p, w, sizeof(*p));
	if (w->ud_len)
		memcpy(p->buf, w->ud, w->ud_len);
	p->ud = (const uint8_t *)p->buf;
	if (w->text) {
		memcpy(p->buf + w->ud_len, w->text, text_size);
		p->text = p->buf + w->ud_len;
	}
	*out = p;
	return 0;
fail:
	if (reason)
		*reason = err;
	return SMSCTL_ERR_BAD_PDU;
}

static int hex_nibble(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int pdu_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = 0;

	for (const char *h = hex; *h; h += 2) {
		int hi = hex_nibble((unsigned char)h[0]);
		if (hi < 0 || !h[1])
			return -1;
		int lo = hex_nibble((unsigned char)h[1]);
		if (lo < 0 || n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
	}
	*len = n;
	return 0;
}

static const char hex_pairs[513] =
    "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
    "202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F"
    "404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F"
    "606162636465666768696A6B6C6D6E6F707172737475767778797A7B7C7D7E7F"
    "808182838485868788898A8B8C8D8E8F909192939495969798999A9B9C9D9E9F"
    "A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF"
    "C0C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
    "E0E1E2E3E4E5E6E7E8E9EAEBECEDEEEFF0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF";

void pdu_hex_encode(const uint8_t *data, size_t len, char *out)
{
	char *o = out;

	for (size_t i = 0; i < len; i++) {
		memcpy(o, hex_pairs + 2 * data[i], 2);
		o += 2;
	}
	*o = '\0';
}

SMSCTL_API int smsctl_pdu_decode_hex(const char *hex, bool smsc_included, struct smsctl_pdu **out,
				     const char **reason)
{
	/* The longest PDU: 12 octets of SMSC, 164 of TPDU; generous room beyond that. */
	uint8_t buf[512];
	size_t len;

	if (reason)
		*reason = NULL;
	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (!hex)
		return SMSCTL_ERR_INVALID;
	size_t hl = strlen(hex);
	if (hl % 2) {
		if (reason)
			*reason = N_("odd number of hex digits");
		return SMSCTL_ERR_BAD_PDU;
	}
	if (hl / 2 > sizeof(buf)) {
		if (reason)
			*reason = N_("PDU longer than 512 octets");
		return SMSCTL_ERR_BAD_PDU;
	}
	if (pdu_hex_decode(hex, buf, sizeof(buf), &len) < 0) {
		if (reason)
			*reason = N_("not a hex string");
		return SMSCTL_ERR_BAD_PDU;
	}
	return smsctl_pdu_decode(buf, len, smsc_included, out, reason);
}
