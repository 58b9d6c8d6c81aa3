/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PDU codec: every case of the real-world corpus (tests/data/pdu, sources named there),
 * negative tables, encode/decode round trips across the part boundaries, reassembly. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/smsctl.h>

#include "pdu/charset.h"
#include "pdu/gsm7.h"
#include "pdu/internal.h"

enum {
	F_TYPE = 1 << 0,
	F_SMSC = 1 << 1,
	F_NUMBER = 1 << 2,
	F_NUMBER_TYPE = 1 << 3,
	F_CODING = 1 << 4,
	F_TEXT = 1 << 5,
	F_DATA_HEX = 1 << 6,
	F_TIMESTAMP = 1 << 7,
	F_DISCHARGE_TIME = 1 << 8,
	F_VALIDITY_FORMAT = 1 << 9,
	F_CLASS = 1 << 10,
	F_VALIDITY_MINUTES = 1 << 11,
	F_MESSAGE_REF = 1 << 12,
	F_STATUS = 1 << 13,
	F_PID = 1 << 14,
	F_DCS = 1 << 15,
	F_SRR = 1 << 16,
	F_CONCAT = 1 << 17,
};

struct corpus_case {
	const char *id, *file, *hex;
	bool smsc_included, expect_error;
	const char *override; /* why smsctl's contract replaces a corpus value, or NULL */
	unsigned has;
	const char *type, *smsc, *number, *number_type, *coding, *text, *data_hex, *timestamp,
	    *discharge_time, *validity_format;
	int msg_class, message_ref, status, pid, dcs;
	long validity_minutes;
	bool srr;
	int concat_ref, concat_total, concat_seq, concat_ref_bits;
};

#include "pdu-corpus.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The names of the JSON contract (the same as cli/cmd-pdu.c writes). */
static const char *type_name(enum smsctl_pdu_type t)
{
	return t == SMSCTL_PDU_DELIVER	       ? "deliver"
	       : t == SMSCTL_PDU_SUBMIT	       ? "submit"
	       : t == SMSCTL_PDU_STATUS_REPORT ? "status-report"
					       : "?";
}

static const char *number_type_name(enum smsctl_number_type t)
{
	static const char *const n[] = {"unknown",	    "international", "national",
					"network-specific", "subscriber",    "alphanumeric",
					"abbreviated",	    "reserved"};
	return (unsigned)t < 8 ? n[t] : "?";
}

static const char *coding_name(const struct smsctl_pdu *p)
{
	if (smsctl_pdu_get_dcs(p) < 0)
		return NULL;
	switch (smsctl_pdu_get_coding(p)) {
	case SMSCTL_CODING_GSM7:
		return "gsm7";
	case SMSCTL_CODING_UCS2:
		return "ucs2";
	case SMSCTL_CODING_8BIT:
		return "8bit";
	default:
		return "?";
	}
}

static const char *validity_name(const struct smsctl_pdu *p)
{
	if (smsctl_pdu_get_type(p) != SMSCTL_PDU_SUBMIT)
		return NULL;
	switch (smsctl_pdu_get_validity_format(p)) {
	case SMSCTL_VALIDITY_RELATIVE:
		return "relative";
	case SMSCTL_VALIDITY_ABSOLUTE:
		return "absolute";
	case SMSCTL_VALIDITY_ENHANCED:
		return "enhanced";
	default:
		return "none";
	}
}

static void str_eq(const char *id, const char *field, const char *got, const char *want)
{
	if (!want && !got)
		return;
	ck_assert_msg(want && got && strcmp(got, want) == 0, "%s: %s is '%s', expected '%s'", id,
		      field, got ? got : "(null)", want ? want : "(null)");
}

static void int_eq(const char *id, const char *field, long got, long want)
{
	ck_assert_msg(got == want, "%s: %s is %ld, expected %ld", id, field, got, want);
}

START_TEST(test_corpus)
{
	const struct corpus_case *c = &corpus[_i];
	struct smsctl_pdu *p = (struct smsctl_pdu *)1;
	const char *reason = (const char *)1;
	int err = smsctl_pdu_decode_hex(c->hex, c->smsc_included, &p, &reason);

	if (c->expect_error) {
		ck_assert_msg(err == SMSCTL_ERR_BAD_PDU, "%s (%s): accepted a PDU to reject (%d)",
			      c->id, c->file, err);
		ck_assert_ptr_null(p);
		ck_assert_ptr_nonnull(reason);
		ck_assert_int_gt((int)strlen(reason), 0);
		return;
	}
	ck_assert_msg(err == 0, "%s (%s): rejected: %s", c->id, c->file, reason ? reason : "?");
	ck_assert_ptr_null(reason);
	if (c->has & F_TYPE)
		str_eq(c->id, "type", type_name(smsctl_pdu_get_type(p)), c->type);
	if (c->has & F_SMSC)
		str_eq(c->id, "smsc", smsctl_pdu_get_smsc(p), c->smsc);
	if (c->has & F_NUMBER)
		str_eq(c->id, "number", smsctl_pdu_get_number(p), c->number);
	if (c->has & F_NUMBER_TYPE)
		str_eq(c->id, "number_type", number_type_name(smsctl_pdu_get_number_type(p)),
		       c->number_type);
	if (c->has & F_CODING)
		str_eq(c->id, "coding", coding_name(p), c->coding);
	if (c->has & F_TEXT)
		str_eq(c->id, "text", smsctl_pdu_get_text(p), c->text);
	if (c->has & F_DATA_HEX) {
		size_t n;
		const uint8_t *d = smsctl_pdu_get_data(p, &n);
		char hex[2 * PDU_MAX_UD + 1];
		ck_assert_uint_le(n, PDU_MAX_UD);
		for (size_t i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", d[i]);
		hex[2 * n] = '\0';
		str_eq(c->id, "data_hex", smsctl_pdu_get_text(p) ? NULL : hex, c->data_hex);
	}
	if (c->has & F_TIMESTAMP)
		str_eq(c->id, "timestamp", smsctl_pdu_get_timestamp(p), c->timestamp);
	if (c->has & F_DISCHARGE_TIME)
		str_eq(c->id, "discharge_time", smsctl_pdu_get_discharge_time(p),
		       c->discharge_time);
	if (c->has & F_VALIDITY_FORMAT)
		str_eq(c->id, "validity_format", validity_name(p), c->validity_format);
	if (c->has & F_VALIDITY_MINUTES)
		int_eq(c->id, "validity_minutes",
		       smsctl_pdu_get_type(p) == SMSCTL_PDU_SUBMIT
			   ? smsctl_pdu_get_validity_minutes(p)
			   : -1,
		       c->validity_minutes);
	if (c->has & F_CLASS)
		int_eq(c->id, "class", smsctl_pdu_get_class(p), c->msg_class);
	if (c->has & F_MESSAGE_REF)
		int_eq(c->id, "message_ref", smsctl_pdu_get_message_ref(p), c->message_ref);
	if (c->has & F_STATUS)
		int_eq(c->id, "status", smsctl_pdu_get_status(p), c->status);
	if (c->has & F_PID)
		int_eq(c->id, "pid", smsctl_pdu_get_pid(p), c->pid);
	if (c->has & F_DCS)
		int_eq(c->id, "dcs", smsctl_pdu_get_dcs(p), c->dcs);
	if (c->has & F_SRR)
		int_eq(c->id, "status_report_request", smsctl_pdu_get_status_report_request(p),
		       c->srr);
	if (c->has & F_CONCAT) {
		unsigned ref, total, seq;
		bool has = smsctl_pdu_get_concat(p, &ref, &total, &seq);
		if (c->concat_ref < 0) {
			ck_assert_msg(!has, "%s: concat present, expected null", c->id);
		} else {
			ck_assert_msg(has, "%s: concat missing", c->id);
			int_eq(c->id, "concat.ref", ref, c->concat_ref);
			int_eq(c->id, "concat.total", total, c->concat_total);
			int_eq(c->id, "concat.seq", seq, c->concat_seq);
			if (c->concat_ref_bits)
				int_eq(c->id, "concat.ref_bits", p->concat16 ? 16 : 8,
				       c->concat_ref_bits);
		}
	}
	smsctl_pdu_free(p);
}
END_TEST

/* Beyond the corpus fields: every valid corpus PDU decodes from raw bytes the same way, and
 * every truncation of it is either rejected (inside the envelope, the TP-UDL octet included)
 * or decodes with the text cut short (a UDL past the end of the data, per CONTRACTS). */
START_TEST(test_corpus_truncations)
{
	const struct corpus_case *c = &corpus[_i];
	struct smsctl_pdu *full, *p;
	uint8_t bytes[512];
	size_t len;
	const char *reason;

	if (c->expect_error)
		return;
	ck_assert_int_eq(pdu_hex_decode(c->hex, bytes, sizeof(bytes), &len), 0);
	ck_assert_int_eq(smsctl_pdu_decode(bytes, len, c->smsc_included, &full, NULL), 0);
	/* A status report's envelope ends after TP-ST (the rest is optional); the others'
	 * after TP-UDL. */
	size_t envelope = full->ud_offset;
	if (full->type == SMSCTL_PDU_STATUS_REPORT) {
		size_t smsc = c->smsc_included ? (size_t)bytes[0] + 1 : 0;
		envelope = smsc + 2 + 2 + ((size_t)bytes[smsc + 2] + 1) / 2 + 14 + 1;
	}
	ck_assert_uint_le(envelope, full->end_offset);
	for (size_t cut = 0; cut < len; cut++) {
		int err = smsctl_pdu_decode(bytes, cut, c->smsc_included, &p, &reason);
		if (cut < envelope) {
			ck_assert_msg(err == SMSCTL_ERR_BAD_PDU, "%s cut at %zu of %zu decoded",
				      c->id, cut, len);
			ck_assert_ptr_null(p);
			ck_assert_ptr_nonnull(reason);
			continue;
		}
		if (err) {
			/* only binary data or a cut UDH may fail past the envelope */
			ck_assert_msg(!full->text || full->udh_len > 0 ||
					  full->type == SMSCTL_PDU_STATUS_REPORT,
				      "%s cut at %zu: %s", c->id, cut, reason);
			continue;
		}
		if (full->text && p->text && full->type != SMSCTL_PDU_STATUS_REPORT) {
			/* a prefix of the full text, but for the last character, which may come
			 * out differently (a cut escape or surrogate pair) */
			size_t k = p->text_len;
			while (k > 0 && ((unsigned char)p->text[k - 1] & 0xC0) == 0x80)
				k--;
			if (k > 0)
				k--;
			ck_assert_msg(strncmp(full->text, p->text, k) == 0,
				      "%s cut at %zu: '%s' is not a prefix of '%s'", c->id, cut,
				      p->text, full->text);
			ck_assert(pdu_utf8_valid(p->text, p->text_len));
		}
		smsctl_pdu_free(p);
	}
	smsctl_pdu_free(full);
}
END_TEST

/* Malformed PDUs: each must be rejected with a reason. */
static const struct {
	const char *what, *hex;
	bool smsc;
} bad[] = {
    {"odd hex", "07911326040000F0040B911346610089F60000208062917314480CC8F71D14969741F977FD0",
     true},
    {"non-hex", "07911326040000F0040B91134661008ZF60000208062917314480CC8F71D14969741F977FD07",
     true},
    {"space inside", "0791 1326040000F0", true},
    {"empty", "", true},
    {"only SMSC length", "07", true},
    {"SMSC length 12", "0C911326040000F0040B911346610089F600002080629173144800", true},
    {"SMSC cut", "07911326040000", true},
    {"no first octet", "00", true},
    {"reserved MTI", "0003000B911346610089F60000", true},
    {"address length 21", "000015911346610089F6134661008900000020806291731448", true},
    {"address cut",
     "0000"
     "0B911346",
     true},
    {"address TOA only", "00000B", true},
    {"filler inside a number", "00000B9113F6610089F600002080629173144800", true},
    {"filler inside the SMSC", "0791F326040000F0040B911346610089F600002080629173144800", true},
    {"no PID", "00000B911346610089F6", true},
    {"no DCS", "00000B911346610089F600", true},
    {"SCTS cut", "00000B911346610089F6000020806291", true},
    {"SCTS bad month digit", "00000B911346610089F60000208A629173144800", true},
    {"SCTS bad second digit", "00000B911346610089F6000020806291731F4800", true},
    {"no UDL", "00000B911346610089F6000020806291731448", true},
    {"UDHI with no UD", "00400B911346610089F600002080629173144800", true},
    {"UDHI with UDL 0 (submit)", "00F101010C0000000000", true},
    {"UDHL past the data", "00400B911346610089F6000420806291731448100A0003010201", true},
    {"UDHL past the UDL", "00400B911346610089F600042080629173144802050003010201", true},
    {"IE past the UDH", "00400B911346610089F6000420806291731448080600030102010203", true},
    {"IE header cut", "00400B911346610089F60004208062917314480401004142", true},
    {"gsm7 UDHL past the UDL", "00400B911346610089F600002080629173144806050003010201AA", true},
    {"8-bit UD shorter than UDL", "00000B911346610089F6000420806291731448054142", true},
    {"submit MR cut", "0001", true},
    {"submit VP cut", "0011000B911346610089F60000", true},
    {"submit absolute VP cut", "0019000B911346610089F60000208062", true},
    {"submit enhanced VP cut", "0009000B911346610089F6000001", true},
    {"submit absolute VP bad digit", "0019000B911346610089F60000F08062917314480100", true},
    {"status report cut in RA", "0606098121", false},
    {"status report no DT", "0606098121436587F901901241306400", false},
    {"status report no ST", "0606098121436587F9019012413064A0019012413045A0", false},
    {"bare TPDU given as with SMSC", "0606098121436587F9019012413064A0019012413045A000", true},
};

START_TEST(test_bad)
{
	struct smsctl_pdu *p = (struct smsctl_pdu *)1;
	const char *reason = NULL;
	int err = smsctl_pdu_decode_hex(bad[_i].hex, bad[_i].smsc, &p, &reason);

	ck_assert_msg(err == SMSCTL_ERR_BAD_PDU, "%s: accepted (%d)", bad[_i].what, err);
	ck_assert_ptr_null(p);
	ck_assert_ptr_nonnull(reason);
}
END_TEST

/* The longest alphanumeric SMSC and originator: 11 two-byte characters each. */
START_TEST(test_alnum_longest)
{
	struct smsctl_pdu *p;
	const char *delta11 = "\xCE\x94\xCE\x94\xCE\x94\xCE\x94\xCE\x94\xCE\x94\xCE\x94\xCE\x94"
			      "\xCE\x94\xCE\x94\xCE\x94";

	ck_assert_int_eq(smsctl_pdu_decode_hex("0BD010080402814020100804"
					       "0014D010080402814020100804"
					       "00002080629173148A0141",
					       true, &p, NULL),
			 0);
	ck_assert_str_eq(smsctl_pdu_get_smsc(p), delta11);
	ck_assert_str_eq(smsctl_pdu_get_number(p), delta11);
	ck_assert_int_eq(smsctl_pdu_get_number_type(p), SMSCTL_NUMBER_ALPHANUMERIC);
	ck_assert_str_eq(smsctl_pdu_get_text(p), "A");
	smsctl_pdu_free(p);
}
END_TEST

START_TEST(test_bad_args)
{
	struct smsctl_pdu *p;
	const char *reason;
	uint8_t b = 0;

	ck_assert_int_eq(smsctl_pdu_decode_hex(NULL, true, &p, &reason), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_pdu_decode_hex("00", true, NULL, &reason), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_pdu_decode(NULL, 1, true, &p, &reason), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_pdu_decode(&b, 0, true, &p, NULL), SMSCTL_ERR_BAD_PDU);
	/* a PDU longer than any real one */
	char *big = malloc(2000);
	memset(big, '0', 1999);
	big[1999] = '\0';
	ck_assert_int_eq(smsctl_pdu_decode_hex(big, true, &p, &reason), SMSCTL_ERR_BAD_PDU);
	free(big);
	/* getters accept NULL */
	ck_assert_ptr_null(smsctl_pdu_get_text(NULL));
	ck_assert_int_eq(smsctl_pdu_get_udh_ie(NULL, 0, NULL, NULL), -1);
	smsctl_pdu_free(NULL);
	ck_assert_str_eq(smsctl_pdu_status_describe(0), "received by the recipient");
	ck_assert_ptr_nonnull(smsctl_pdu_status_describe(-1));
	for (int s = 0; s < 256; s++)
		ck_assert_ptr_nonnull(smsctl_pdu_status_describe(s));
}
END_TEST

/* Decoding details beyond the corpus: built PDUs with an expected field each. */
static const struct {
	const char *what, *hex;
	const char *text, *number, *timestamp;
	long validity;
	int cls;
} good[] = {
    /* DELIVER, 8-bit concat IE then a 16-bit port IE: text after a 12-octet UDH (fill 1). */
    {"enhanced VP relative", "0009000B911346610089F600000100000000000005C8329BFD06", "Hello",
     "+31641600986", NULL, 5, -1},
    {"enhanced VP seconds", "0009000B911346610089F600000278000000000005C8329BFD06", "Hello", NULL,
     NULL, 2, -1},
    {"enhanced VP hh:mm:ss", "0009000B911346610089F600000301020300000005C8329BFD06", "Hello", NULL,
     NULL, 10 * 60 + 20 + 1, -1},
    {"relative VP 167", "0011000B911346610089F60000A705C8329BFD06", "Hello", NULL, NULL, 1440, -1},
    {"relative VP 196", "0011000B911346610089F60000C405C8329BFD06", "Hello", NULL, NULL, 30 * 1440,
     -1},
    {"relative VP 197", "0011000B911346610089F60000C505C8329BFD06", "Hello", NULL, NULL, 5 * 10080,
     -1},
    {"negative offset", "00000B911346610089F600002080629173148805C8329BFD06", "Hello", NULL,
     "2002-08-26T19:37:41-02:00", -1, -1},
    {"star and hash digits", "0000068121BAF300002080629173148A05C8329BFD06", "Hello", "12*#3", NULL,
     -1, -1},
    {"class 2 via group F", "00000B911346610089F600F22080629173148A05C8329BFD06", "Hello", NULL,
     NULL, -1, 2},
    {"MWI store UCS-2", "00000B911346610089F600E02080629173148A0400480069", "Hi", NULL, NULL, -1,
     -1},
    {"reserved group: GSM 7-bit", "00000B911346610089F600802080629173148A05C8329BFD06", "Hello",
     NULL, NULL, -1, -1},
    {"UCS-2 surrogate pair", "00000B911346610089F600082080629173148A04D83DDE00", "\xF0\x9F\x98\x80",
     NULL, NULL, -1, -1},
    {"UCS-2 lone surrogate", "00000B911346610089F600082080629173148A04D83D0041",
     "\xEF\xBF\xBD"
     "A",
     NULL, NULL, -1, -1},
    {"UCS-2 odd UDL", "00000B911346610089F600082080629173148A03004100", "A", NULL, NULL, -1, -1},
    /* UDH 05 00 03 07 02 01 then "Hi" with one fill bit */
    {"concat fill bit", "00400B911346610089F600002080629173148A090500030702019069", "Hi", NULL,
     NULL, -1, -1},
    /* Spanish single shift (ESC 0x09 = ç) */
    {"Spanish single shift", "00400B911346610089F600002080629173148A0703240102D82400", "\xC3\xA7",
     NULL, NULL, -1, -1},
    {"unknown escape: base character", "00000B911346610089F600002080629173148A029B10", "!", NULL,
     NULL, -1, -1},
    {"final lone escape dropped", "00000B911346610089F600002080629173148A02C10D", "A", NULL, NULL,
     -1, -1},
};

START_TEST(test_good)
{
	struct smsctl_pdu *p;
	const char *reason = NULL;
	int err = smsctl_pdu_decode_hex(good[_i].hex, true, &p, &reason);

	ck_assert_msg(err == 0, "%s: %s", good[_i].what, reason ? reason : "?");
	if (good[_i].text)
		str_eq(good[_i].what, "text", smsctl_pdu_get_text(p), good[_i].text);
	if (good[_i].number)
		str_eq(good[_i].what, "number", smsctl_pdu_get_number(p), good[_i].number);
	if (good[_i].timestamp)
		str_eq(good[_i].what, "timestamp", smsctl_pdu_get_timestamp(p), good[_i].timestamp);
	if (good[_i].validity >= 0)
		int_eq(good[_i].what, "validity", smsctl_pdu_get_validity_minutes(p),
		       good[_i].validity);
	if (good[_i].cls >= 0)
		int_eq(good[_i].what, "class", smsctl_pdu_get_class(p), good[_i].cls);
	smsctl_pdu_free(p);
}
END_TEST

/* Service-centre timestamps: a date or time that cannot exist gives no timestamp (NULL) and
 * the message still decodes; a stamp that exists is printed as it came. DELIVER from +31641600986
 * with "Hello"; only the 7 timestamp octets differ. */
static const struct {
	const char *scts, *want;
} stamps[] = {
    {"20806291731408", "2002-08-26T19:37:41+00:00"},
    {"02208291731480", "2020-02-28T19:37:41+02:00"},
    {"02209291731480", "2020-02-29T19:37:41+02:00"}, /* 2020 is a leap year */
    {"12109200000080", "2021-01-29T00:00:00+02:00"},
    {"12301300000000", "2021-03-31T00:00:00+00:00"},
    {"22219232959500", "2022-12-29T23:59:59+00:00"},
    {"12209291731480", NULL}, /* 29 February 2021 */
    {"00000000000000", NULL}, /* the all-zero stamp */
    {"20316291731408", NULL}, /* month 13 */
    {"20800091731408", NULL}, /* day 0 */
    {"20803291731408", "2002-08-23T19:37:41+00:00"},
    {"20406391731408", NULL}, /* 36 April */
    {"20400391731408", "2002-04-30T19:37:41+00:00"},
    {"20401391731408", NULL}, /* 31 April */
    {"20806242731408", NULL}, /* 24:37 */
    {"20806291961408", NULL}, /* minute 69 */
    {"20806291730608", NULL}, /* second 60 */
    {"99999999999999", NULL},
};

START_TEST(test_timestamps)
{
	char hex[128];
	struct smsctl_pdu *p;
	const char *reason = NULL;
	const char *want = stamps[_i].want;

	snprintf(hex, sizeof(hex), "00000B911346610089F60000%s05C8329BFD06", stamps[_i].scts);
	int err = smsctl_pdu_decode_hex(hex, true, &p, &reason);
	ck_assert_msg(err == 0, "%s: %s", stamps[_i].scts, reason ? reason : "?");
	str_eq(stamps[_i].scts, "text", smsctl_pdu_get_text(p), "Hello");
	if (want)
		str_eq(stamps[_i].scts, "timestamp", smsctl_pdu_get_timestamp(p), want);
	else
		ck_assert_msg(smsctl_pdu_get_timestamp(p) == NULL,
			      "%s: timestamp %s, none expected", stamps[_i].scts,
			      smsctl_pdu_get_timestamp(p));
	smsctl_pdu_free(p);

	/* the same stamp as a status report's discharge time */
	snprintf(hex, sizeof(hex), "0006070B911346610089F620806291731408%s00", stamps[_i].scts);
	err = smsctl_pdu_decode_hex(hex, true, &p, &reason);
	ck_assert_msg(err == 0, "%s: %s", stamps[_i].scts, reason ? reason : "?");
	if (want)
		str_eq(stamps[_i].scts, "discharge", smsctl_pdu_get_discharge_time(p), want);
	else
		ck_assert_ptr_null(smsctl_pdu_get_discharge_time(p));
	smsctl_pdu_free(p);
}
END_TEST

/* ---- round trips ---- */

/* A generated text: n characters cycling through a pattern, with an optional special
 * character (escape or emoji) placed at position at. */
struct rt {
	const char *what;
	size_t n;
	const char *fill;    /* one character repeated */
	const char *special; /* placed at index at, or NULL */
	size_t at;
	bool ucs2_forced, ref16;
	size_t parts;
	enum smsctl_coding coding;
};

static const struct rt rts[] = {
    {"gsm7 159", 159, "a", NULL, 0, false, false, 1, SMSCTL_CODING_GSM7},
    {"gsm7 160", 160, "a", NULL, 0, false, false, 1, SMSCTL_CODING_GSM7},
    {"gsm7 161", 161, "a", NULL, 0, false, false, 2, SMSCTL_CODING_GSM7},
    {"gsm7 306", 306, "b", NULL, 0, false, false, 2, SMSCTL_CODING_GSM7},
    {"gsm7 307", 307, "b", NULL, 0, false, false, 3, SMSCTL_CODING_GSM7},
    {"gsm7 304 16-bit ref", 304, "c", NULL, 0, false, true, 2, SMSCTL_CODING_GSM7},
    {"gsm7 305 16-bit ref", 305, "c", NULL, 0, false, true, 3, SMSCTL_CODING_GSM7},
    {"euro at 159 of 160 septets", 159, "a", "\xE2\x82\xAC", 158, false, false, 1,
     SMSCTL_CODING_GSM7},
    {"euro straddling 160", 160, "a", "\xE2\x82\xAC", 159, false, false, 2, SMSCTL_CODING_GSM7},
    {"euro straddling 153", 200, "a", "\xE2\x82\xAC", 152, false, false, 2, SMSCTL_CODING_GSM7},
    {"bracket straddling 153", 200, "a", "[", 152, false, false, 2, SMSCTL_CODING_GSM7},
    {"brace at 152", 200, "a", "{", 151, false, false, 2, SMSCTL_CODING_GSM7},
    {"backslash straddling 306", 400, "a", "\\", 305, false, false, 3, SMSCTL_CODING_GSM7},
    {"tilde straddling 152 (16-bit)", 200, "a", "~", 151, false, true, 2, SMSCTL_CODING_GSM7},
    {"pipe", 170, "a", "|", 152, false, false, 2, SMSCTL_CODING_GSM7},
    {"caret", 170, "a", "^", 152, false, false, 2, SMSCTL_CODING_GSM7},
    {"closing bracket", 170, "a", "]", 152, false, false, 2, SMSCTL_CODING_GSM7},
    {"closing brace", 170, "a", "}", 152, false, false, 2, SMSCTL_CODING_GSM7},
    {"all escapes", 80, "\xE2\x82\xAC", NULL, 0, false, false, 1, SMSCTL_CODING_GSM7},
    {"81 escapes", 81, "\xE2\x82\xAC", NULL, 0, false, false, 2, SMSCTL_CODING_GSM7},
    {"greek", 160, "\xCE\xA9", NULL, 0, false, false, 1, SMSCTL_CODING_GSM7},
    {"ucs2 69", 69, "\xE4\xBD\xA0", NULL, 0, false, false, 1, SMSCTL_CODING_UCS2},
    {"ucs2 70", 70, "\xE4\xBD\xA0", NULL, 0, false, false, 1, SMSCTL_CODING_UCS2},
    {"ucs2 71", 71, "\xE4\xBD\xA0", NULL, 0, false, false, 2, SMSCTL_CODING_UCS2},
    {"ucs2 134", 134, "\xE4\xBD\xA0", NULL, 0, false, false, 2, SMSCTL_CODING_UCS2},
    {"ucs2 135", 135, "\xE4\xBD\xA0", NULL, 0, false, false, 3, SMSCTL_CODING_UCS2},
    {"ucs2 132 16-bit ref", 132, "\xE4\xBD\xA0", NULL, 0, false, true, 2, SMSCTL_CODING_UCS2},
    {"ucs2 133 16-bit ref", 133, "\xE4\xBD\xA0", NULL, 0, false, true, 3, SMSCTL_CODING_UCS2},
    {"forced ucs2 ascii", 70, "a", NULL, 0, true, false, 1, SMSCTL_CODING_UCS2},
    {"emoji at 69 of 70 units", 69, "a", "\xF0\x9F\x98\x80", 68, false, false, 1,
     SMSCTL_CODING_UCS2},
    {"emoji straddling 70", 70, "a", "\xF0\x9F\x98\x80", 69, false, false, 2, SMSCTL_CODING_UCS2},
    {"emoji straddling 67", 100, "a", "\xF0\x9F\x98\x80", 66, false, false, 2, SMSCTL_CODING_UCS2},
    {"emoji straddling 66 (16-bit)", 100, "a", "\xF0\x9F\x98\x80", 65, false, true, 2,
     SMSCTL_CODING_UCS2},
    {"only emoji", 35, "\xF0\x9F\x98\x80", NULL, 0, false, false, 1, SMSCTL_CODING_UCS2},
    {"36 emoji", 36, "\xF0\x9F\x98\x80", NULL, 0, false, false, 2, SMSCTL_CODING_UCS2},
    {"empty", 0, "a", NULL, 0, false, false, 1, SMSCTL_CODING_GSM7},
    {"newlines", 200, "\n", NULL, 0, false, false, 2, SMSCTL_CODING_GSM7},
    {"at signs", 161, "@", NULL, 0, false, false, 2, SMSCTL_CODING_GSM7},
};

static char *make_text(const struct rt *r)
{
	size_t fl = strlen(r->fill), sl = r->special ? strlen(r->special) : 0;
	char *t = malloc(r->n * 4 + 8);
	char *o = t;

	for (size_t i = 0; i < r->n; i++) {
		if (r->special && i == r->at) {
			memcpy(o, r->special, sl);
			o += sl;
		} else {
			memcpy(o, r->fill, fl);
			o += fl;
		}
	}
	*o = '\0';
	return t;
}

static void round_trip(const struct rt *r, bool deliver)
{
	struct smsctl_submit_options *o = smsctl_submit_options_new();
	struct smsctl_encoded *e;
	struct smsctl_reassembler *ra = smsctl_reassembler_new();
	struct smsctl_message *m = NULL;
	char *text = make_text(r);
	const char *number = deliver ? "Info" : "+4915112345678";

	ck_assert_int_eq(smsctl_submit_options_set_class(o, 1), 0);
	ck_assert_int_eq(smsctl_submit_options_set_16bit_ref(o, r->ref16), 0);
	ck_assert_int_eq(smsctl_submit_options_set_concat_ref(o, r->ref16 ? 0x1234 : 0x42), 0);
	if (r->ucs2_forced)
		ck_assert_int_eq(smsctl_submit_options_set_coding(o, SMSCTL_CODING_UCS2), 0);
	int err = deliver
		      ? smsctl_pdu_encode_deliver(number, text, "2026-11-25T07:30:00+01:00", o, &e)
		      : smsctl_pdu_encode_submit(number, text, o, &e);
	ck_assert_msg(err == 0, "%s: encode %d", r->what, err);
	ck_assert_msg(smsctl_encoded_get_count(e) == r->parts, "%s: %zu parts, expected %zu",
		      r->what, smsctl_encoded_get_count(e), r->parts);
	ck_assert_int_eq(smsctl_encoded_get_coding(e), r->coding);
	ck_assert_ptr_null(smsctl_encoded_get_hex(e, r->parts));
	/* add the parts in reverse order: reassembly must restore it */
	for (size_t k = r->parts; k-- > 0;) {
		struct smsctl_pdu *p;
		const char *reason;
		size_t len;
		const uint8_t *b = smsctl_encoded_get_bytes(e, k, &len);
		ck_assert_int_eq((int)len - 1, smsctl_encoded_get_tpdu_length(e, k));
		ck_assert_int_le(smsctl_encoded_get_tpdu_length(e, k), deliver ? 164 : 164);
		ck_assert_int_eq(
		    smsctl_pdu_decode_hex(smsctl_encoded_get_hex(e, k), true, &p, &reason), 0);
		ck_assert_int_eq(b[0], 0);
		ck_assert_int_eq(smsctl_pdu_get_type(p),
				 deliver ? SMSCTL_PDU_DELIVER : SMSCTL_PDU_SUBMIT);
		ck_assert_str_eq(smsctl_pdu_get_number(p), number);
		ck_assert_int_eq(smsctl_pdu_get_class(p), 1);
		ck_assert_int_eq(smsctl_pdu_get_coding(p), r->coding);
		unsigned ref, total, seq;
		if (r->parts > 1) {
			ck_assert(smsctl_pdu_get_concat(p, &ref, &total, &seq));
			ck_assert_uint_eq(ref, r->ref16 ? 0x1234 : 0x42);
			ck_assert_uint_eq(total, r->parts);
			ck_assert_uint_eq(seq, k + 1);
			ck_assert_int_eq(p->concat16, r->ref16);
			/* each part's text is valid UTF-8: nothing split */
			ck_assert(pdu_utf8_valid(p->text, p->text_len));
			ck_assert(!strstr(p->text, "\xEF\xBF\xBD"));
		} else {
			ck_assert(!smsctl_pdu_get_concat(p, &ref, &total, &seq));
		}
		ck_assert_int_eq(smsctl_reassembler_add(ra, p, (long)k, 100, &m), 0);
		if (k > 0)
			ck_assert_ptr_null(m);
	}
	ck_assert_ptr_nonnull(m);
	ck_assert(smsctl_message_is_complete(m));
	ck_assert_msg(strcmp(smsctl_message_get_text(m), text) == 0, "%s: text differs", r->what);
	ck_assert_uint_eq(smsctl_message_get_part_count(m), r->parts);
	for (size_t k = 0; k < r->parts; k++) {
		long tag = -1;

		ck_assert_int_eq(smsctl_message_get_part_tag(m, k, &tag), 0);
		ck_assert_int_eq(tag, (long)k);
	}
	ck_assert_uint_eq(smsctl_reassembler_get_pending(ra), 0);
	smsctl_message_free(m);
	smsctl_reassembler_free(ra);
	smsctl_encoded_free(e);
	smsctl_submit_options_free(o);
	free(text);
}

START_TEST(test_round_trip_submit)
{
	round_trip(&rts[_i], false);
}
END_TEST

START_TEST(test_round_trip_deliver)
{
	round_trip(&rts[_i], true);
}
END_TEST

/* Exact encodings: checked against TS 23.040 by hand. */
START_TEST(test_encode_exact)
{
	struct smsctl_submit_options *o = smsctl_submit_options_new();
	struct smsctl_encoded *e;

	ck_assert_int_eq(smsctl_pdu_encode_submit("+31641600986", "How are you?", NULL, &e), 0);
	ck_assert_str_eq(smsctl_encoded_get_hex(e, 0),
			 "0001000B911346610089F600000CC8F71D14969741F977FD07");
	ck_assert_int_eq(smsctl_encoded_get_tpdu_length(e, 0), 24);
	smsctl_encoded_free(e);

	ck_assert_int_eq(smsctl_submit_options_set_smsc(o, "+31624000000"), 0);
	ck_assert_int_eq(smsctl_submit_options_set_validity(o, 1440), 0);
	ck_assert_int_eq(smsctl_submit_options_set_status_report(o, true), 0);
	ck_assert_int_eq(smsctl_submit_options_set_message_ref(o, 7), 0);
	ck_assert_int_eq(smsctl_submit_options_set_class(o, 0), 0);
	ck_assert_int_eq(smsctl_pdu_encode_submit("0031641600986", "Hi", o, &e), 0);
	ck_assert_str_eq(smsctl_encoded_get_hex(e, 0),
			 "07911326040000F031070D81001346610089F60010A702C834");
	ck_assert_int_eq(smsctl_encoded_get_tpdu_length(e, 0), 17);
	smsctl_encoded_free(e);

	ck_assert_int_eq(
	    smsctl_pdu_encode_deliver("sipgate", "Testmail", "2008-08-13T12:07:22+01:00", NULL, &e),
	    0);
	ck_assert_str_eq(smsctl_encoded_get_hex(e, 0), "00040DD0F334FC1CA69701000080803121702240"
						       "08D4F29CDE0EA7D9");
	smsctl_encoded_free(e);
	smsctl_submit_options_free(o);
}
END_TEST

static const struct {
	const char *number;
	int err;
} numbers[] = {
    {"+4915112345678", 0},
    {"004915112345678", 0},
    {"112", 0},
    {"12345678901234567890", 0},
    {"123456789012345678901", SMSCTL_ERR_INVALID},
    {"", SMSCTL_ERR_INVALID},
    {"+", SMSCTL_ERR_INVALID},
    {"++49", SMSCTL_ERR_INVALID},
    {"+49 151", SMSCTL_ERR_INVALID},
    {"Info", SMSCTL_ERR_INVALID},
    {"49a", SMSCTL_ERR_INVALID},
    {"*100#", SMSCTL_ERR_INVALID},
    {"-49", SMSCTL_ERR_INVALID},
};

START_TEST(test_numbers)
{
	struct smsctl_encoded *e = (struct smsctl_encoded *)1;
	struct smsctl_pdu *p;

	ck_assert_int_eq(smsctl_pdu_encode_submit(numbers[_i].number, "x", NULL, &e),
			 numbers[_i].err);
	if (numbers[_i].err) {
		ck_assert_ptr_null(e);
		return;
	}
	ck_assert_int_eq(smsctl_pdu_decode_hex(smsctl_encoded_get_hex(e, 0), true, &p, NULL), 0);
	ck_assert_str_eq(smsctl_pdu_get_number(p), numbers[_i].number);
	ck_assert_int_eq(smsctl_pdu_get_number_type(p), numbers[_i].number[0] == '+'
							    ? SMSCTL_NUMBER_INTERNATIONAL
							    : SMSCTL_NUMBER_UNKNOWN);
	smsctl_pdu_free(p);
	smsctl_encoded_free(e);
}
END_TEST

START_TEST(test_encode_errors)
{
	struct smsctl_submit_options *o = smsctl_submit_options_new();
	struct smsctl_encoded *e;

	/* invalid UTF-8: overlong, surrogate, truncated, above U+10FFFF, lone continuation */
	static const char *const bad_utf8[] = {"\xC0\xAF",	   "\xED\xA0\x80", "a\xE4\xBD",
					       "\xF4\x90\x80\x80", "\x80",	   "\xFF"};
	for (size_t i = 0; i < N_ELEM(bad_utf8); i++)
		ck_assert_int_eq(smsctl_pdu_encode_submit("+1", bad_utf8[i], NULL, &e),
				 SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_pdu_encode_submit(NULL, "x", NULL, &e), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_pdu_encode_submit("+1", NULL, NULL, &e), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_pdu_encode_submit("+1", "x", NULL, NULL), SMSCTL_ERR_INVALID);
	/* forced GSM 7-bit with a character outside it */
	ck_assert_int_eq(smsctl_submit_options_set_coding(o, SMSCTL_CODING_GSM7), 0);
	ck_assert_int_eq(smsctl_pdu_encode_submit("+1", "\xE4\xBD\xA0", o, &e), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_pdu_encode_submit("+1", "`", o, &e), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_submit_options_set_coding(o, (enum smsctl_coding)9),
			 SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_submit_options_set_class(o, 4), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_submit_options_set_class(o, -2), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_submit_options_set_validity(o, 635041), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_submit_options_set_smsc(o, "abc"), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_submit_options_set_concat_ref(o, 65536), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_submit_options_set_message_ref(o, 256), SMSCTL_ERR_INVALID);
	/* deliver: bad timestamps and originators */
	ck_assert_int_eq(
	    smsctl_pdu_encode_deliver("+1", "x", "2026-13-01T00:00:00+00:00", NULL, &e),
	    SMSCTL_ERR_INVALID);
	ck_assert_int_eq(
	    smsctl_pdu_encode_deliver("+1", "x", "2026-11-01T00:00:00+00:10", NULL, &e),
	    SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_pdu_encode_deliver("+1", "x", "2026-11-01 00:00:00", NULL, &e),
			 SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_pdu_encode_deliver("TwelveChars!", "x", NULL, NULL, &e),
			 SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_pdu_encode_deliver("\xE4\xBD\xA0", "x", NULL, NULL, &e),
			 SMSCTL_ERR_INVALID);
	smsctl_submit_options_free(o);
}
END_TEST

/* 255 parts is the limit: 255 * 153 septets fit, one more does not. */
START_TEST(test_part_limit)
{
	static const struct {
		size_t n;
		const char *ch;
		bool ref16, ucs2;
		int err;
		size_t parts;
	} lim[] = {
	    {255 * 153, "a", false, false, 0, 255},
	    {255 * 153 + 1, "a", false, false, SMSCTL_ERR_TOO_LONG, 0},
	    {255 * 152, "a", true, false, 0, 255},
	    {255 * 152 + 1, "a", true, false, SMSCTL_ERR_TOO_LONG, 0},
	    {255 * 67, "\xE4\xBD\xA0", false, false, 0, 255},
	    {255 * 67 + 1, "\xE4\xBD\xA0", false, false, SMSCTL_ERR_TOO_LONG, 0},
	    {255 * 66 + 1, "a", true, true, SMSCTL_ERR_TOO_LONG, 0},
	};

	for (size_t i = 0; i < N_ELEM(lim); i++) {
		size_t cl = strlen(lim[i].ch);
		char *t = malloc(lim[i].n * cl + 1);
		for (size_t k = 0; k < lim[i].n; k++)
			memcpy(t + k * cl, lim[i].ch, cl);
		t[lim[i].n * cl] = '\0';
		struct smsctl_submit_options *o = smsctl_submit_options_new();
		smsctl_submit_options_set_16bit_ref(o, lim[i].ref16);
		if (lim[i].ucs2)
			smsctl_submit_options_set_coding(o, SMSCTL_CODING_UCS2);
		struct smsctl_encoded *e;
		ck_assert_int_eq(smsctl_pdu_encode_submit("+1", t, o, &e), lim[i].err);
		ck_assert_uint_eq(smsctl_encoded_get_count(e), lim[i].parts);
		smsctl_encoded_free(e);
		smsctl_submit_options_free(o);
		free(t);
	}
}
END_TEST

static const struct {
	unsigned long minutes;
	int vp;
	long back;
} vps[] = {
    {1, 0, 5},
    {5, 0, 5},
    {6, 1, 10},
    {720, 143, 720},
    {721, 144, 750},
    {1440, 167, 1440},
    {1441, 168, 2880},
    {43200, 196, 43200},
    {43201, 197, 50400},
    {50400, 197, 50400},
    {635040, 255, 635040},
    {635041, -1, 0},
    {0, -1, 0},
};

START_TEST(test_validity)
{
	ck_assert_int_eq(pdu_validity_to_vp(vps[_i].minutes), vps[_i].vp);
	if (vps[_i].vp >= 0)
		ck_assert_int_eq(pdu_vp_to_minutes((unsigned)vps[_i].vp), vps[_i].back);
}
END_TEST

/* Every national table: each defined single-byte septet decodes to its table entry. */
START_TEST(test_national_tables)
{
	unsigned lang = (unsigned)_i;
	uint8_t ud[2];
	char out[8];

	for (unsigned s = 0; s < 128; s++) {
		uint16_t cp = pdu_gsm7_locking[lang][s];
		if (cp == GSM7_UNDEF || cp == GSM7_ESC)
			continue;
		ud[0] = (uint8_t)s;
		ud[1] = 0;
		size_t n = pdu_gsm7_decode(ud, 0, 1, lang, lang, out);
		char want[8];
		size_t wn = pdu_utf8_put(want, cp);
		ck_assert_uint_eq(n, wn);
		ck_assert(memcmp(out, want, n) == 0);
	}
	ck_assert_int_eq(pdu_gsm7_locking[lang][0x1B], GSM7_ESC);
}
END_TEST

/* ---- reassembly ---- */

static struct smsctl_pdu *deliver_part(const char *from, const char *text, unsigned ref,
				       unsigned total, unsigned seq)
{
	/* Build one part of a concatenated message by hand: 8-bit ref IE. */
	struct smsctl_encoded *e;
	struct smsctl_submit_options *o = smsctl_submit_options_new();
	struct smsctl_pdu *p;
	uint8_t b[200];
	size_t len;

	smsctl_submit_options_set_coding(o, SMSCTL_CODING_UCS2);
	ck_assert_int_eq(smsctl_pdu_encode_deliver(from, text, NULL, o, &e), 0);
	const uint8_t *src = smsctl_encoded_get_bytes(e, 0, &len);
	/* header up to the UDL: SMSC 00, FO, address, PID, DCS, SCTS */
	size_t hdr = 1 + 1 + 2 + (src[2] + 1) / 2 + 2 + 7;
	memcpy(b, src, hdr);
	b[1] |= 0x40;
	size_t udl = src[hdr];
	b[hdr] = (uint8_t)(udl + 6);
	uint8_t ie[6] = {5, 0, 3, (uint8_t)ref, (uint8_t)total, (uint8_t)seq};
	memcpy(b + hdr + 1, ie, 6);
	memcpy(b + hdr + 7, src + hdr + 1, udl);
	ck_assert_int_eq(smsctl_pdu_decode(b, hdr + 7 + udl, true, &p, NULL), 0);
	smsctl_encoded_free(e);
	smsctl_submit_options_free(o);
	return p;
}

START_TEST(test_reassembly)
{
	struct smsctl_reassembler *r = smsctl_reassembler_new();
	struct smsctl_message *m;

	/* two senders use the same reference; out of order; a duplicate */
	ck_assert_int_eq(smsctl_reassembler_add(r, deliver_part("+111", "A3", 9, 3, 3), 1, 10, &m),
			 0);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(smsctl_reassembler_add(r, deliver_part("+222", "B1", 9, 3, 1), 2, 11, &m),
			 0);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(smsctl_reassembler_add(r, deliver_part("+111", "A1", 9, 3, 1), 3, 12, &m),
			 0);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(
	    smsctl_reassembler_add(r, deliver_part("+111", "A1bis", 9, 3, 1), 4, 13, &m),
	    SMSCTL_ERR_INVALID);
	ck_assert_ptr_null(m);
	/* same sender and reference, other total: another message */
	ck_assert_int_eq(smsctl_reassembler_add(r, deliver_part("+111", "C2", 9, 2, 2), 5, 14, &m),
			 0);
	ck_assert_ptr_null(m);
	ck_assert_uint_eq(smsctl_reassembler_get_pending(r), 3);
	ck_assert_int_eq(smsctl_reassembler_add(r, deliver_part("+111", "A2", 9, 3, 2), 6, 15, &m),
			 0);
	ck_assert_ptr_nonnull(m);
	ck_assert(smsctl_message_is_complete(m));
	ck_assert_str_eq(smsctl_message_get_text(m), "A1A2A3");
	ck_assert_str_eq(smsctl_message_get_number(m), "+111");
	ck_assert_uint_eq(smsctl_message_get_total(m), 3);
	ck_assert_uint_eq(smsctl_message_get_part_count(m), 3);
	long tag = -1;

	ck_assert_int_eq(smsctl_message_get_part_tag(m, 0, &tag), 0);
	ck_assert_int_eq(tag, 3);
	ck_assert_int_eq(smsctl_message_get_part_tag(m, 1, &tag), 0);
	ck_assert_int_eq(tag, 6);
	ck_assert_int_eq(smsctl_message_get_part_tag(m, 2, &tag), 0);
	ck_assert_int_eq(tag, 1);
	/* Out of range or NULL: an error, and the tag is left alone (never a valid-looking 0). */
	tag = 42;
	ck_assert_int_eq(smsctl_message_get_part_tag(m, 3, &tag), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(tag, 42);
	ck_assert_int_eq(smsctl_message_get_part_tag(NULL, 0, &tag), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_message_get_part_tag(m, 0, NULL), SMSCTL_ERR_INVALID);
	ck_assert_ptr_nonnull(smsctl_message_get_part(m, 2));
	ck_assert_ptr_null(smsctl_message_get_part(m, 3));
	smsctl_message_free(m);
	ck_assert_uint_eq(smsctl_reassembler_get_pending(r), 2);

	/* expiry: nothing is old enough at 20 with max age 60; at 100 both go, incomplete */
	ck_assert_ptr_null(smsctl_reassembler_take_expired(r, 20, 60));
	m = smsctl_reassembler_take_expired(r, 100, 60);
	ck_assert_ptr_nonnull(m);
	ck_assert(!smsctl_message_is_complete(m));
	ck_assert_uint_eq(smsctl_message_get_part_count(m), 1);
	const char *t = smsctl_message_get_text(m);
	ck_assert(strcmp(t, "B1") == 0 || strcmp(t, "C2") == 0);
	smsctl_message_free(m);
	m = smsctl_reassembler_take_expired(r, 100, 60);
	ck_assert_ptr_nonnull(m);
	ck_assert(!smsctl_message_is_complete(m));
	smsctl_message_free(m);
	ck_assert_ptr_null(smsctl_reassembler_take_expired(r, 100, 60));
	ck_assert_uint_eq(smsctl_reassembler_get_pending(r), 0);

	/* a single message completes at once; parts left behind are freed with the reassembler */
	ck_assert_int_eq(smsctl_reassembler_add(r, deliver_part("+333", "S", 1, 1, 1), 7, 0, &m),
			 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(smsctl_message_get_text(m), "S");
	smsctl_message_free(m);
	ck_assert_int_eq(smsctl_reassembler_add(r, deliver_part("+444", "L", 2, 4, 4), 8, 0, &m),
			 0);
	ck_assert_int_eq(smsctl_reassembler_add(r, NULL, 0, 0, &m), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_reassembler_add(NULL, deliver_part("+4", "L", 2, 4, 4), 0, 0, &m),
			 SMSCTL_ERR_INVALID);
	smsctl_reassembler_free(r);
	smsctl_reassembler_free(NULL);
	smsctl_message_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pdu");
	TCase *tc = tcase_create("corpus");

	tcase_add_loop_test(tc, test_corpus, 0, N_ELEM(corpus));
	tcase_add_loop_test(tc, test_corpus_truncations, 0, N_ELEM(corpus));
	suite_add_tcase(s, tc);

	tc = tcase_create("decode");
	tcase_add_loop_test(tc, test_bad, 0, N_ELEM(bad));
	tcase_add_loop_test(tc, test_good, 0, N_ELEM(good));
	tcase_add_loop_test(tc, test_timestamps, 0, N_ELEM(stamps));
	tcase_add_test(tc, test_bad_args);
	tcase_add_test(tc, test_alnum_longest);
	tcase_add_loop_test(tc, test_national_tables, 0, GSM7_N_LANGUAGES);
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_round_trip_submit, 0, N_ELEM(rts));
	tcase_add_loop_test(tc, test_round_trip_deliver, 0, N_ELEM(rts));
	tcase_add_test(tc, test_encode_exact);
	tcase_add_loop_test(tc, test_numbers, 0, N_ELEM(numbers));
	tcase_add_test(tc, test_encode_errors);
	tcase_add_test(tc, test_part_limit);
	tcase_add_loop_test(tc, test_validity, 0, N_ELEM(vps));
	suite_add_tcase(s, tc);

	tc = tcase_create("reassembly");
	tcase_add_test(tc, test_reassembly);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	/* Hundreds of table rows: a fork per row costs more than the tests themselves (seconds,
	 * minutes under AddressSanitizer). In-process unless CK_FORK says otherwise. */
	if (!getenv("CK_FORK"))
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
