/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the PDU decoder (with and without the SMSC prefix), every getter, the
 * reassembler, and the encoder fed the same bytes as options and text.
 *
 * The decoder and the reassembler take the whole input. The encoder takes the first six bytes
 * as its options (every setter: coding, 8- or 16-bit concatenation reference and its value,
 * class, status report, validity, message reference, SMSC, destination or originator,
 * SMS-SUBMIT or SMS-DELIVER and its time stamp) and the rest as UTF-8 text. Whatever it
 * encodes must decode with those options intact (TP-SRR, TP-MR, class, validity, SMSC,
 * number) and reassemble into the same text. The encoder has no national language tables
 * (it chooses between the default alphabet and UCS-2); the decoder's are reached by the
 * national-language seeds. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/smsctl.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void touch(const struct smsctl_pdu *p)
{
	unsigned a, b, c;
	size_t len;
	const uint8_t *d;
	const char *s;

	sink += (size_t)smsctl_pdu_get_type(p) + (size_t)smsctl_pdu_get_number_type(p);
	if ((s = smsctl_pdu_get_smsc(p)))
		sink += strlen(s);
	sink += strlen(smsctl_pdu_get_number(p));
	sink += (size_t)(smsctl_pdu_get_pid(p) + smsctl_pdu_get_dcs(p) + smsctl_pdu_get_class(p));
	sink += (size_t)smsctl_pdu_get_coding(p);
	if ((s = smsctl_pdu_get_text(p)))
		sink += strlen(s);
	d = smsctl_pdu_get_data(p, &len);
	for (size_t i = 0; i < len; i++)
		sink += d[i];
	for (size_t i = 0; i <= smsctl_pdu_get_udh_count(p); i++) {
		if (smsctl_pdu_get_udh_ie(p, i, &d, &len) >= 0)
			for (size_t k = 0; k < len; k++)
				sink += d[k];
	}
	if (smsctl_pdu_get_concat(p, &a, &b, &c))
		sink += a + b + c;
	if (smsctl_pdu_get_ports(p, &a, &b))
		sink += a + b;
	if ((s = smsctl_pdu_get_timestamp(p)))
		sink += strlen(s);
	if ((s = smsctl_pdu_get_discharge_time(p)))
		sink += strlen(s);
	sink +=
	    (size_t)smsctl_pdu_get_validity_format(p) + (size_t)smsctl_pdu_get_validity_minutes(p);
	sink +=
	    (size_t)smsctl_pdu_get_message_ref(p) + (size_t)smsctl_pdu_get_status_report_request(p);
	sink += strlen(smsctl_pdu_status_describe(smsctl_pdu_get_status(p)));
}

static void drain(struct smsctl_message *m)
{
	if (!m)
		return;
	sink += strlen(smsctl_message_get_text(m)) + smsctl_message_get_total(m);
	for (size_t i = 0; i < smsctl_message_get_part_count(m); i++)
		touch(smsctl_message_get_part(m, i));
	smsctl_message_free(m);
}

/* Destinations and originators: valid ones of each kind and some the encoder must refuse. */
static const char *const numbers[] = {
    "+1234",
    "1234",
    "+8613800138000",
    "13800138000",
    "10086",
    "+",
    "",
    "12345678901234567890",
    "123456789012345678901",
    "+49 170 1",
    "Shop",
    "ABCDEFGHIJK",
    "ABCDEFGHIJKL",
    "\xe4\xb8\xad\xe5\x9b\xbd",
    "+12a",
    "0",
};
static const char *const smscs[] = {
    NULL,  "", "+8613800200500", "+447785016005", "0031624000000", "+1", "+12345678901234567890",
    "12x",
};
static const char *const stamps[] = {
    NULL,
    "2026-12-05T03:30:00+08:00",
    "1999-12-31T23:59:59-11:45",
    "2000-02-29T00:00:00+00:00",
    "2026-13-05T03:30:00+08:00",
    "2026-12-05T03:30:00+25:00",
    "2026-12-05 03:30:00",
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The digits of a number as the decoder gives it back ("+" kept, blanks dropped). */
static bool same_number(const char *given, const char *decoded)
{
	return strcmp(given, decoded) == 0;
}

static void check_part(const struct smsctl_pdu *p, bool deliver, bool srr, int msg_class,
		       unsigned long validity, unsigned mr, const char *smsc, const char *number)
{
	if (smsctl_pdu_get_type(p) != (deliver ? SMSCTL_PDU_DELIVER : SMSCTL_PDU_SUBMIT))
		abort();
	if (!deliver && smsctl_pdu_get_status_report_request(p) != srr)
		abort();
	if (!deliver && smsctl_pdu_get_message_ref(p) != (int)mr)
		abort();
	if (smsctl_pdu_get_class(p) != msg_class)
		abort();
	if (!deliver) {
		bool relative = smsctl_pdu_get_validity_format(p) == SMSCTL_VALIDITY_RELATIVE;
		if (relative != (validity != 0))
			abort();
		/* rounded up to the next step the format has */
		if (relative && (unsigned long)smsctl_pdu_get_validity_minutes(p) < validity)
			abort();
	}
	const char *got_smsc = smsctl_pdu_get_smsc(p);
	if (smsc && smsc[0] && (!got_smsc || !same_number(smsc, got_smsc)))
		abort();
	if ((number[0] == '+' || (number[0] >= '0' && number[0] <= '9')) &&
	    !same_number(number, smsctl_pdu_get_number(p)))
		abort();
	touch(p);
}

/* Encode data[6..] as text with the options data[0..5] say; check what comes out. */
static void encode_options(const uint8_t *data, size_t size)
{
	if (size < 6 || size > 4096)
		return;
	uint8_t h0 = data[0], h1 = data[1], h2 = data[2], h3 = data[3], h4 = data[4], h5 = data[5];
	enum smsctl_coding coding = (enum smsctl_coding)(h0 & 3);
	bool ref16 = h0 & 4;
	int msg_class = (int)(h0 >> 3 & 7) - 2; /* -2 .. 5: -1 to 3 valid */
	bool srr = h0 & 0x40;
	bool deliver = h0 & 0x80;
	unsigned long validity = h1 & 0x80 ? 0 : ((unsigned long)(h1 & 0x7f) << 8 | h2) * 40;
	unsigned mr = h3;
	unsigned concat_ref = (unsigned)h4 * 257 + (h3 & 1);
	const char *smsc = smscs[(h5 & 0x0f) % N_OF(smscs)];
	const char *number = numbers[(h5 >> 4) % N_OF(numbers)];
	const char *stamp = stamps[(h1 ^ h3) % N_OF(stamps)];

	char *text = malloc(size - 5);
	struct smsctl_submit_options *o = smsctl_submit_options_new();
	if (!text || !o)
		goto out;
	memcpy(text, data + 6, size - 6);
	text[size - 6] = '\0';

	/* a setter refuses what is out of range and keeps the old value */
	bool class_ok = smsctl_submit_options_set_class(o, msg_class) == 0;
	if (class_ok != (msg_class >= -1 && msg_class <= 3))
		abort();
	if (!class_ok)
		msg_class = -1;
	if (smsctl_submit_options_set_coding(o, coding) < 0)
		coding = SMSCTL_CODING_AUTO;
	smsctl_submit_options_set_16bit_ref(o, ref16);
	if (smsctl_submit_options_set_concat_ref(o, concat_ref) < 0 && concat_ref <= 255)
		abort();
	smsctl_submit_options_set_status_report(o, srr);
	bool validity_ok = smsctl_submit_options_set_validity(o, validity) == 0;
	if (validity_ok != (validity <= 635040))
		abort();
	if (!validity_ok)
		validity = 0;
	if (smsctl_submit_options_set_message_ref(o, mr) < 0)
		abort();
	if (smsctl_submit_options_set_smsc(o, smsc) < 0)
		smsc = NULL;

	struct smsctl_encoded *e = NULL;
	int rc = deliver ? smsctl_pdu_encode_deliver(number, text, stamp, o, &e)
			 : smsctl_pdu_encode_submit(number, text, o, &e);
	if (rc < 0) {
		if (e)
			abort(); /* nothing handed out on failure */
		goto out;
	}
	size_t count = smsctl_encoded_get_count(e);
	if (count < 1 || count > 255 || smsctl_encoded_get_hex(e, count) ||
	    smsctl_encoded_get_tpdu_length(e, count) != -1)
		abort();
	struct smsctl_reassembler *r = smsctl_reassembler_new();
	struct smsctl_message *whole = NULL;
	for (size_t i = 0; i < count; i++) {
		struct smsctl_pdu *p;
		size_t len;
		const uint8_t *bytes = smsctl_encoded_get_bytes(e, i, &len);
		const char *hex = smsctl_encoded_get_hex(e, i);
		if (!bytes || !hex || strlen(hex) != 2 * len || len > 200)
			abort();
		if (smsctl_pdu_decode_hex(hex, true, &p, NULL) != 0)
			abort(); /* what we encode must decode */
		check_part(p, deliver, srr, msg_class, validity, mr, smsc, number);
		/* the TPDU length AT+CMGS needs: the bytes without the SMSC */
		if ((size_t)smsctl_encoded_get_tpdu_length(e, i) != len - 1 - bytes[0])
			abort();
		if (deliver && r) {
			struct smsctl_message *m = NULL;
			smsctl_reassembler_add(r, p, (long)i, 0, &m);
			if (m) {
				if (whole || i + 1 != count)
					abort(); /* complete before the last part */
				whole = m;
			}
		} else {
			smsctl_pdu_free(p);
		}
	}
	if (deliver && r) {
		if (!whole || !smsctl_message_is_complete(whole))
			abort();
		if (smsctl_encoded_get_coding(e) != SMSCTL_CODING_8BIT &&
		    strcmp(smsctl_message_get_text(whole), text) != 0)
			abort(); /* the text must come back as it went in */
		smsctl_message_free(whole);
	}
	smsctl_reassembler_free(r);
	smsctl_encoded_free(e);
out:
	smsctl_submit_options_free(o);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smsctl_reassembler *r = smsctl_reassembler_new();
	struct smsctl_message *m;

	for (int smsc = 0; smsc < 2; smsc++) {
		struct smsctl_pdu *p;
		const char *reason;
		if (smsctl_pdu_decode(data, size, smsc, &p, &reason) < 0)
			continue;
		touch(p);
		/* the same part twice (a duplicate), then once more under another tag */
		struct smsctl_pdu *q;
		if (smsctl_pdu_decode(data, size, smsc, &q, NULL) == 0) {
			smsctl_reassembler_add(r, q, 2, 0, &m);
			drain(m);
		}
		smsctl_reassembler_add(r, p, 1, 0, &m);
		drain(m);
	}
	while ((m = smsctl_reassembler_take_expired(r, 100, 10)))
		drain(m);
	smsctl_reassembler_free(r);

	encode_options(data, size);
	return 0;
}
