/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Encoding of SMS-SUBMIT and SMS-DELIVER (3GPP TS 23.040 9.2.2), split into concatenated
 * parts (9.2.3.24.1 and .8) when the text does not fit one. */
#include <stdlib.h>
#include <string.h>

#include "pdu/charset.h"
#include "pdu/gsm7.h"
#include "pdu/internal.h"

/* The longest PDU: SMSC (12) + first octet, MR, address (12), PID, DCS, VP/SCTS (7),
 * UDL (1) and 140 octets of user data. */
#define PART_MAX  176
#define MAX_PARTS 255
/* Unit flag: this unit continues a character (second septet of an escape, low surrogate). */
#define UNIT_CONT 0x10000u

struct enc_part {
	uint16_t len;	   /* octets with the SMSC prefix */
	uint16_t smsc_len; /* octets of the SMSC prefix */
};

struct smsctl_encoded {
	size_t count;
	enum smsctl_coding coding;
	struct enc_part *parts;
	uint8_t *bytes; /* part i at i * PART_MAX */
	char *hex;	/* part i at i * (2 * PART_MAX + 1) */
};

static const struct smsctl_submit_options default_options = {
    .msg_class = -1,
    .coding = SMSCTL_CODING_AUTO,
};

SMSCTL_API struct smsctl_submit_options *smsctl_submit_options_new(void)
{
	struct smsctl_submit_options *o = malloc(sizeof(*o));

	if (o)
		*o = default_options;
	return o;
}

SMSCTL_API void smsctl_submit_options_free(struct smsctl_submit_options *opts)
{
	free(opts);
}

/* "+digits" or "digits", 1-20 digits; returns the number of digits or -1. */
static int check_number(const char *number, bool *international)
{
	const char *d = number;

	*international = false;
	if (*d == '+') {
		*international = true;
		d++;
	}
	size_t n = strspn(d, "0123456789");
	if (n == 0 || n > 20 || d[n])
		return -1;
	return (int)n;
}

int pdu_encode_number(const char *number, bool smsc_form, uint8_t *out)
{
	bool intl;
	int n = number ? check_number(number, &intl) : -1;

	if (n < 0)
		return -1;
	const char *d = number + (intl ? 1 : 0);
	size_t octets = ((size_t)n + 1) / 2;
	out[0] = smsc_form ? (uint8_t)(octets + 1) : (uint8_t)n;
	out[1] = intl ? 0x91 : 0x81;
	for (size_t i = 0; i < octets; i++) {
		unsigned lo = (unsigned)(d[2 * i] - '0');
		unsigned hi = 2 * i + 1 < (size_t)n ? (unsigned)(d[2 * i + 1] - '0') : 0x0F;
		out[2 + i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(2 + octets);
}

SMSCTL_API int smsctl_submit_options_set_smsc(struct smsctl_submit_options *opts, const char *smsc)
{
	bool intl;

	if (!opts)
		return SMSCTL_ERR_INVALID;
	if (!smsc || !*smsc) {
		opts->smsc[0] = '\0';
		return 0;
	}
	if (check_number(smsc, &intl) < 0)
		return SMSCTL_ERR_INVALID;
	strcpy(opts->smsc, smsc); /* at most "+" and 20 digits: fits */
	return 0;
}

SMSCTL_API int smsctl_submit_options_set_class(struct smsctl_submit_options *opts, int msg_class)
{
	if (!opts || msg_class < -1 || msg_class > 3)
		return SMSCTL_ERR_INVALID;
	opts->msg_class = msg_class;
	return 0;
}

SMSCTL_API int smsctl_submit_options_set_status_report(struct smsctl_submit_options *opts, bool on)
{
	if (!opts)
		return SMSCTL_ERR_INVALID;
	opts->status_report = on;
	return 0;
}

int pdu_validity_to_vp(unsigned long m)
{
	if (m == 0 || m > 635040) /* 63 weeks */
		return -1;
	if (m <= 720)
		return (int)((m + 4) / 5) - 1;
	if (m <= 1440)
		return 143 + (int)((m - 720 + 29) / 30);
	if (m <= 43200) /* 30 days */
		return 166 + (int)((m + 1439) / 1440);
	return 192 + (int)((m + 10079) / 10080);
}

SMSCTL_API int smsctl_submit_options_set_validity(struct smsctl_submit_options *opts,
						  unsigned long minutes)
{
	if (!opts || (minutes && pdu_validity_to_vp(minutes) < 0))
		return SMSCTL_ERR_INVALID;
	opts->validity_minutes = minutes;
	return 0;
}

SMSCTL_API int smsctl_submit_options_set_coding(struct smsctl_submit_options *opts,
						enum smsctl_coding coding)
{
	if (!opts || (coding != SMSCTL_CODING_AUTO && coding != SMSCTL_CODING_GSM7 &&
		      coding != SMSCTL_CODING_8BIT && coding != SMSCTL_CODING_UCS2))
		return SMSCTL_ERR_INVALID;
	opts->coding = coding;
	return 0;
}

SMSCTL_API int smsctl_submit_options_set_16bit_ref(struct smsctl_submit_options *opts, bool on)
{
	if (!opts)
		return SMSCTL_ERR_INVALID;
	opts->ref16 = on;
	return 0;
}

SMSCTL_API int smsctl_submit_options_set_concat_ref(struct smsctl_submit_options *opts,
						    unsigned ref)
{
	if (!opts || ref > 0xFFFF)
		return SMSCTL_ERR_INVALID;
	opts->concat_ref = ref;
	return 0;
}

SMSCTL_API int smsctl_submit_options_set_message_ref(struct smsctl_submit_options *opts,
						     unsigned mr)
{
	if (!opts || mr > 255)
		return SMSCTL_ERR_INVALID;
	opts->message_ref = mr;
	return 0;
}

SMSCTL_API void smsctl_encoded_free(struct smsctl_encoded *enc)
{
	free(enc);
}

SMSCTL_API size_t smsctl_encoded_get_count(const struct smsctl_encoded *enc)
{
	return enc ? enc->count : 0;
}

SMSCTL_API enum smsctl_coding smsctl_encoded_get_coding(const struct smsctl_encoded *enc)
{
	return enc ? enc->coding : SMSCTL_CODING_AUTO;
}

SMSCTL_API const char *smsctl_encoded_get_hex(const struct smsctl_encoded *enc, size_t i)
{
	if (!enc || i >= enc->count)
		return NULL;
	return enc->hex + i * (2 * PART_MAX + 1);
}

SMSCTL_API const uint8_t *smsctl_encoded_get_bytes(const struct smsctl_encoded *enc, size_t i,
						   size_t *len)
{
	if (len)
		*len = 0;
	if (!enc || i >= enc->count)
		return NULL;
	if (len)
		*len = enc->parts[i].len;
	return enc->bytes + i * PART_MAX;
}

SMSCTL_API int smsctl_encoded_get_tpdu_length(const struct smsctl_encoded *enc, size_t i)
{
	if (!enc || i >= enc->count)
		return -1;
	return enc->parts[i].len - enc->parts[i].smsc_len;
}

/* The text as units of the chosen coding: septets, UTF-16 code units or octets, with
 * UNIT_CONT on a unit that must stay with the one before it. */
struct units {
	uint32_t *u;
	size_t n;
	uint32_t stack[2048];
};

static void units_release(struct units *u)
{
	if (u->u != u->stack)
		free(u->u);
}

/* Fills u; returns 0, SMSCTL_ERR_INVALID (bad UTF-8, or a character outside the GSM
 * alphabet with GSM7 forced) or SMSCTL_ERR_NOMEM. *coding is resolved from AUTO. */
static int text_to_units(const char *text, enum smsctl_coding *coding, struct units *u)
{
	size_t len = strlen(text);
	const char *p, *end = text + len;
	uint32_t cp;

	u->n = 0;
	u->u = u->stack;
	if (2 * len > sizeof(u->stack) / sizeof(u->stack[0])) {
		if (len > (SIZE_MAX / sizeof(uint32_t)) / 2 - 1)
			return SMSCTL_ERR_NOMEM;
		u->u = malloc(2 * len * sizeof(uint32_t) + 1);
		if (!u->u)
			return SMSCTL_ERR_NOMEM;
	}
	if (*coding == SMSCTL_CODING_8BIT) {
		if (!pdu_utf8_valid(text, len))
			goto invalid;
		for (size_t i = 0; i < len; i++)
			u->u[i] = (uint8_t)text[i];
		u->n = len;
		return 0;
	}
	if (*coding != SMSCTL_CODING_UCS2) {
		bool fits = true;
		for (p = text; p < end;) {
			if (!pdu_utf8_next(&p, end, &cp))
				goto invalid;
			int g = pdu_gsm7_lookup(cp);
			if (g < 0) {
				fits = false;
				break;
			}
			if (g & 0x100) {
				u->u[u->n++] = GSM7_ESC;
				u->u[u->n++] = (uint32_t)(g & 0x7F) | UNIT_CONT;
			} else {
				u->u[u->n++] = (uint32_t)g;
			}
		}
		if (fits) {
			*coding = SMSCTL_CODING_GSM7;
			return 0;
		}
		if (*coding == SMSCTL_CODING_GSM7)
			goto invalid;
		*coding = SMSCTL_CODING_UCS2;
		u->n = 0;
	}
	for (p = text; p < end;) {
		if (!pdu_utf8_next(&p, end, &cp))
			goto invalid;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			u->u[u->n++] = 0xD800 | (cp >> 10);
			u->u[u->n++] = (0xDC00 | (cp & 0x3FF)) | UNIT_CONT;
		} else {
			u->u[u->n++] = cp;
		}
	}
	return 0;
invalid:
	units_release(u);
	u->u = NULL;
	return SMSCTL_ERR_INVALID;
}

/* What the parts look like: capacity per part in units, and where each part ends. */
struct split {
	size_t count;
	size_t udh_len; /* 0, 6 or 7 octets (UDHL included) */
	size_t cap;
};

static size_t next_end(const struct units *u, size_t start, size_t cap)
{
	size_t end = start + cap;

	if (end >= u->n)
		return u->n;
	while (end > start + 1 && (u->u[end] & UNIT_CONT))
		end--;
	return end;
}

static int plan_split(const struct units *u, enum smsctl_coding coding, bool ref16, struct split *s)
{
	size_t single = coding == SMSCTL_CODING_GSM7   ? 160
			: coding == SMSCTL_CODING_UCS2 ? 70
						       : 140;

	if (u->n <= single) {
		s->count = 1;
		s->udh_len = 0;
		s->cap = single;
		return 0;
	}
	s->udh_len = ref16 ? 7 : 6;
	if (coding == SMSCTL_CODING_GSM7)
		s->cap = (140 - s->udh_len) * 8 / 7;
	else if (coding == SMSCTL_CODING_UCS2)
		s->cap = (140 - s->udh_len) / 2;
	else
		s->cap = 140 - s->udh_len;
	s->count = 0;
	for (size_t start = 0; start < u->n; start = next_end(u, start, s->cap)) {
		if (++s->count > MAX_PARTS)
			return SMSCTL_ERR_TOO_LONG;
	}
	return 0;
}

static uint8_t dcs_for(enum smsctl_coding coding, int msg_class)
{
	uint8_t dcs = coding == SMSCTL_CODING_UCS2 ? 0x08 : coding == SMSCTL_CODING_8BIT ? 0x04 : 0;

	if (msg_class >= 0)
		dcs |= (uint8_t)(0x10 | msg_class);
	return dcs;
}

/* Write UDL and UD for units [start, end); returns octets written. */
static size_t write_user_data(uint8_t *o, const struct units *u, size_t start, size_t end,
			      enum smsctl_coding coding, const struct split *s,
			      const struct smsctl_submit_options *opts, size_t seq)
{
	uint8_t *udl = o;
	uint8_t *ud = o + 1;
	size_t n = 0;

	if (s->udh_len) {
		ud[0] = (uint8_t)(s->udh_len - 1);
		if (opts->ref16) {
			ud[1] = 0x08;
			ud[2] = 4;
			ud[3] = (uint8_t)(opts->concat_ref >> 8);
			ud[4] = (uint8_t)opts->concat_ref;
			ud[5] = (uint8_t)s->count;
			ud[6] = (uint8_t)seq;
		} else {
			ud[1] = 0x00;
			ud[2] = 3;
			ud[3] = (uint8_t)opts->concat_ref;
			ud[4] = (uint8_t)s->count;
			ud[5] = (uint8_t)seq;
		}
		n = s->udh_len;
	}
	if (coding == SMSCTL_CODING_GSM7) {
		uint8_t sept[160];
		size_t k = end - start;
		size_t hdr_septets = (s->udh_len * 8 + 6) / 7;
		for (size_t i = 0; i < k; i++)
			sept[i] = (uint8_t)u->u[start + i];
		size_t fill = hdr_septets * 7 - s->udh_len * 8;
		n += pdu_gsm7_pack(sept, k, (unsigned)fill, ud + n);
		*udl = (uint8_t)(hdr_septets + k);
		return 1 + n;
	}
	if (coding == SMSCTL_CODING_UCS2) {
		for (size_t i = start; i < end; i++) {
			ud[n++] = (uint8_t)((u->u[i] & 0xFFFF) >> 8);
			ud[n++] = (uint8_t)u->u[i];
		}
	} else {
		for (size_t i = start; i < end; i++)
			ud[n++] = (uint8_t)u->u[i];
	}
	*udl = (uint8_t)n;
	return 1 + n;
}

/* Alphanumeric originator (TS 23.040 9.1.2.5): up to 11 GSM characters, packed. */
static int encode_alnum(const char *s, uint8_t *out)
{
	uint8_t sept[11];
	size_t n = 0;
	const char *p = s, *end = s + strlen(s);
	uint32_t cp;

	while (p < end) {
		if (!pdu_utf8_next(&p, end, &cp))
			return -1;
		int g = pdu_gsm7_lookup(cp);
		if (g < 0 || n + ((g & 0x100) ? 2 : 1) > 11)
			return -1;
		if (g & 0x100)
			sept[n++] = GSM7_ESC;
		sept[n++] = (uint8_t)(g & 0x7F);
	}
	if (n == 0)
		return -1;
	memset(out + 2, 0, 10);
	size_t octets = pdu_gsm7_pack(sept, n, 0, out + 2);
	out[0] = (uint8_t)((n * 7 + 3) / 4);
	out[1] = 0xD0;
	return (int)(2 + octets);
}

/* "YYYY-MM-DDTHH:MM:SS+HH:MM" -> TP-SCTS. */
static int encode_timestamp(const char *ts, uint8_t *out)
{
	unsigned v[8];
	static const char shape[] = "dddd-dd-ddTdd:dd:dd+dd:dd";

	if (strlen(ts) != sizeof(shape) - 1)
		return -1;
	for (size_t i = 0; shape[i]; i++) {
		if (shape[i] == 'd') {
			if (ts[i] < '0' || ts[i] > '9')
				return -1;
		} else if (shape[i] == '+') {
			if (ts[i] != '+' && ts[i] != '-')
				return -1;
		} else if (ts[i] != shape[i]) {
			return -1;
		}
	}
#define D2(i) ((unsigned)(ts[i] - '0') * 10 + (unsigned)(ts[(i) + 1] - '0'))
	unsigned year = D2(0) * 100 + D2(2);
	v[0] = year - 2000;
	v[1] = D2(5);
	v[2] = D2(8);
	v[3] = D2(11);
	v[4] = D2(14);
	v[5] = D2(17);
	v[6] = D2(20);
	v[7] = D2(23);
#undef D2
	if (year < 2000 || year > 2099 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 ||
	    v[3] > 23 || v[4] > 59 || v[5] > 59 || v[7] % 15)
		return -1;
	unsigned q = v[6] * 4 + v[7] / 15;
	if (q > 79)
		return -1;
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)((v[i] % 10) << 4 | v[i] / 10);
	out[6] = (uint8_t)((q % 10) << 4 | (q / 10) | (ts[19] == '-' ? 0x08 : 0));
	return 0;
}

enum enc_kind { ENC_SUBMIT, ENC_DELIVER };

static int encode(enum enc_kind kind, const char *number, const char *text, const char *timestamp,
		  const struct smsctl_submit_options *opts, struct smsctl_encoded **out)
{
	uint8_t addr[12], smsc[12], scts[7];
	int addr_len, smsc_len = 1, vp = -1;
	struct units u;
	struct split s;
	int ret;

	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (!number || !text)
		return SMSCTL_ERR_INVALID;
	if (!opts)
		opts = &default_options;

	addr_len = pdu_encode_number(number, false, addr);
	if (addr_len < 0 && kind == ENC_DELIVER && *number && number[0] != '+')
		addr_len = encode_alnum(number, addr);
	if (addr_len < 0)
		return SMSCTL_ERR_INVALID;
	smsc[0] = 0;
	if (opts->smsc[0] && (smsc_len = pdu_encode_number(opts->smsc, true, smsc)) < 0)
		return SMSCTL_ERR_INVALID;
	if (kind == ENC_SUBMIT && opts->validity_minutes &&
	    (vp = pdu_validity_to_vp(opts->validity_minutes)) < 0)
		return SMSCTL_ERR_INVALID;
	if (kind == ENC_DELIVER) {
		if (encode_timestamp(timestamp ? timestamp : "2000-01-01T00:00:00+00:00", scts) < 0)
			return SMSCTL_ERR_INVALID;
	}

	enum smsctl_coding coding = opts->coding;
	if ((ret = text_to_units(text, &coding, &u)) < 0)
		return ret;
	if ((ret = plan_split(&u, coding, opts->ref16, &s)) < 0)
		goto done;

	size_t hex_stride = 2 * PART_MAX + 1;
	size_t size = sizeof(struct smsctl_encoded) +
		      s.count * (sizeof(struct enc_part) + PART_MAX + hex_stride);
	struct smsctl_encoded *e = malloc(size);
	if (!e) {
		ret = SMSCTL_ERR_NOMEM;
		goto done;
	}
	e->count = s.count;
	e->coding = coding;
	e->parts = (struct enc_part *)(e + 1);
	e->bytes = (uint8_t *)(e->parts + s.count);
	e->hex = (char *)(e->bytes + s.count * PART_MAX);

	uint8_t dcs = dcs_for(coding, opts->msg_class);
	size_t start = 0;
	for (size_t i = 0; i < s.count; i++) {
		uint8_t *b = e->bytes + i * PART_MAX;
		uint8_t *o = b;
		size_t end = next_end(&u, start, s.cap);

		memcpy(o, smsc, (size_t)smsc_len);
		o += smsc_len;
		if (kind == ENC_SUBMIT) {
			*o++ = (uint8_t)(0x01 | (vp >= 0 ? 0x10 : 0) |
					 (opts->status_report ? 0x20 : 0) | (s.udh_len ? 0x40 : 0));
			*o++ = (uint8_t)opts->message_ref;
		} else {
			*o++ = (uint8_t)(0x04 | (opts->status_report ? 0x20 : 0) |
					 (s.udh_len ? 0x40 : 0));
		}
		memcpy(o, addr, (size_t)addr_len);
		o += addr_len;
		*o++ = 0x00; /* TP-PID */
		*o++ = dcs;
		if (kind == ENC_SUBMIT) {
			if (vp >= 0)
				*o++ = (uint8_t)vp;
		} else {
			memcpy(o, scts, 7);
			o += 7;
		}
		o += write_user_data(o, &u, start, end, coding, &s, opts, i + 1);
		e->parts[i].len = (uint16_t)(o - b);
		e->parts[i].smsc_len = (uint16_t)smsc_len;
		pdu_hex_encode(b, (size_t)(o - b), e->hex + i * hex_stride);
		start = end;
	}
	*out = e;
	ret = 0;
done:
	units_release(&u);
	return ret;
}

SMSCTL_API int smsctl_pdu_encode_submit(const char *number, const char *text,
					const struct smsctl_submit_options *opts,
					struct smsctl_encoded **out)
{
	return encode(ENC_SUBMIT, number, text, NULL, opts, out);
}

SMSCTL_API int smsctl_pdu_encode_deliver(const char *originator, const char *text,
					 const char *timestamp,
					 const struct smsctl_submit_options *opts,
					 struct smsctl_encoded **out)
{
	return encode(ENC_DELIVER, originator, text, timestamp, opts, out);
}
