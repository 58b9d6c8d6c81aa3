/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the PDU decoder (with and without the SMSC prefix), every getter, the
 * reassembler, and the encoder fed the same bytes as text. */
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

	/* the bytes as text for the encoder (rejected unless valid UTF-8) */
	if (size > 0 && size < 4096) {
		char *text = malloc(size);
		struct smsctl_submit_options *o = smsctl_submit_options_new();
		struct smsctl_encoded *e;
		if (text && o) {
			memcpy(text, data + 1, size - 1);
			text[size - 1] = '\0';
			smsctl_submit_options_set_coding(o, (enum smsctl_coding)(data[0] & 3));
			smsctl_submit_options_set_16bit_ref(o, data[0] & 4);
			smsctl_submit_options_set_class(o, (data[0] >> 3 & 7) - 1);
			if (smsctl_pdu_encode_submit("+1234", text, o, &e) == 0) {
				for (size_t i = 0; i < smsctl_encoded_get_count(e); i++) {
					struct smsctl_pdu *p;
					if (smsctl_pdu_decode_hex(smsctl_encoded_get_hex(e, i),
								  true, &p, NULL) != 0)
						abort(); /* what we encode must decode */
					touch(p);
					smsctl_pdu_free(p);
				}
				smsctl_encoded_free(e);
			}
		}
		smsctl_submit_options_free(o);
		free(text);
	}
	return 0;
}
