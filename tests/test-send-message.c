/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A prepared message (smsctl_send_message_new): checked and encoded without a modem, then
 * sent as encoded with smsctl_sms_send_message() on the simulated modem. Public API only. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/smsctl.h>

#define NUMBER "+31612345678"

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Refused before any modem: the same errors smsctl_sms_send() gives. */
START_TEST(test_refused)
{
	struct smsctl_send_message *msg = (struct smsctl_send_message *)1;
	char *huge = repeat('a', 153 * 255 + 1); /* 256 parts */

	ck_assert_int_eq(smsctl_send_message_new(NULL, "x", NULL, &msg), SMSCTL_ERR_INVALID);
	ck_assert_ptr_null(msg);
	ck_assert_int_eq(smsctl_send_message_new(NUMBER, NULL, NULL, &msg), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_send_message_new(NUMBER, "x", NULL, NULL), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_send_message_new("+12ab", "x", NULL, &msg), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_send_message_new("+123456789012345678901", "x", NULL, &msg),
			 SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_send_message_new(NUMBER, "\xff\xfe", NULL, &msg),
			 SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_send_message_new(NUMBER, huge, NULL, &msg), SMSCTL_ERR_TOO_LONG);
	ck_assert_ptr_null(msg);
	ck_assert_int_eq(smsctl_sms_send_message(NULL, NULL, NULL), SMSCTL_ERR_INVALID);
	ck_assert_uint_eq(smsctl_send_message_get_part_count(NULL), 0);
	smsctl_send_message_free(NULL);
	free(huge);
}
END_TEST

static const struct {
	const char *text;
	bool ucs2;
	size_t parts;
	enum smsctl_coding coding;
} counts[] = {
    {"hello", false, 1, SMSCTL_CODING_GSM7},
    {"", false, 1, SMSCTL_CODING_GSM7},
    {NULL /* 160 'a' */, false, 1, SMSCTL_CODING_GSM7},
    {NULL /* 161 'a' */, false, 2, SMSCTL_CODING_GSM7},
    {"hello", true, 1, SMSCTL_CODING_UCS2},
    {"\xe4\xbd\xa0\xe5\xa5\xbd", false, 1, SMSCTL_CODING_UCS2},
};

START_TEST(test_counts)
{
	struct smsctl_send_options *o = smsctl_send_options_new();
	struct smsctl_send_message *msg = NULL;
	char *text = counts[_i].text ? strdup(counts[_i].text) : repeat('a', _i == 2 ? 160 : 161);

	ck_assert_int_eq(smsctl_send_options_set_ucs2(o, counts[_i].ucs2), 0);
	ck_assert_int_eq(smsctl_send_message_new(NUMBER, text, o, &msg), 0);
	/* the message borrows nothing */
	smsctl_send_options_free(o);
	memset(text, 'z', strlen(text));
	free(text);
	ck_assert_uint_eq(smsctl_send_message_get_part_count(msg), counts[_i].parts);
	ck_assert_int_eq(smsctl_send_message_get_coding(msg), counts[_i].coding);
	smsctl_send_message_free(msg);
}
END_TEST

/* Sent as prepared, twice: the sim records the parts, which decode to the text. */
START_TEST(test_send)
{
	struct smsctl_modem *m = NULL;
	struct smsctl_send_message *msg = NULL;
	struct smsctl_send_result *res = NULL;
	char *text = repeat('b', 200);

	ck_assert_int_eq(smsctl_send_message_new(NUMBER, text, NULL, &msg), 0);
	ck_assert_uint_eq(smsctl_send_message_get_part_count(msg), 2);
	ck_assert_int_eq(smsctl_modem_new("sim:", NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	for (int round = 0; round < 2; round++) {
		ck_assert_int_eq(smsctl_sms_send_message(m, msg, &res), 0);
		ck_assert_uint_eq(smsctl_send_result_get_total_parts(res), 2);
		ck_assert_uint_eq(smsctl_send_result_get_sent_parts(res), 2);
		ck_assert_str_eq(smsctl_send_result_get_number(res), NUMBER);
		smsctl_send_result_free(res);
		res = NULL;
	}
	ck_assert_uint_eq(smsctl_sim_get_sent_count(sim), 4);
	size_t got = 0;
	for (size_t i = 0; i < 4; i++) {
		char hex[600];
		struct smsctl_pdu *p = NULL;
		ck_assert_int_eq(smsctl_sim_get_sent_pdu(sim, i, hex, sizeof(hex)), 0);
		ck_assert_int_eq(smsctl_pdu_decode_hex(hex, false, &p, NULL), 0);
		ck_assert_str_eq(smsctl_pdu_get_number(p), NUMBER);
		const char *t = smsctl_pdu_get_text(p);
		for (; t && *t; t++, got++)
			ck_assert_int_eq(*t, 'b');
		smsctl_pdu_free(p);
	}
	ck_assert_uint_eq(got, 400);
	smsctl_modem_free(m);
	smsctl_send_message_free(msg);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("send-message");
	TCase *tc = tcase_create("message");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_refused);
	tcase_add_loop_test(tc, test_counts, 0, (int)(sizeof(counts) / sizeof(counts[0])));
	tcase_add_test(tc, test_send);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
