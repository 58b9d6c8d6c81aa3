/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl_sms_submit(): one SMS-SUBMIT without blocking, and the phase it reached, on the
 * simulated modem through the public API (shared library). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/smsctl.h>

struct seen {
	int calls;
	enum smsctl_submit_outcome outcome;
	enum smsctl_result result;
	int mr, code;
	char final[64];
};

static void on_submit(void *userdata, const struct smsctl_submit *s)
{
	struct seen *v = userdata;

	v->calls++;
	v->outcome = smsctl_submit_get_outcome(s);
	v->result = smsctl_submit_get_result(s);
	v->mr = smsctl_submit_get_message_ref(s);
	v->code = smsctl_submit_get_error_code(s);
	snprintf(v->final, sizeof(v->final), "%s", smsctl_submit_get_final(s));
}

static struct smsctl_modem *open_sim(const char *dev, bool prepare, unsigned timeout_ms)
{
	struct smsctl_modem_options *o = smsctl_modem_options_new();
	struct smsctl_modem *m = NULL;

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(smsctl_modem_options_set_timeout(o, timeout_ms), 0);
	ck_assert_int_eq(smsctl_modem_new(dev, o, &m), 0);
	smsctl_modem_options_free(o);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	if (prepare)
		ck_assert_int_eq(smsctl_sms_prepare(m, NULL), 0);
	return m;
}

/* One part, SMSC-prefixed, as smsctl_pdu_encode_submit() gives it. */
static char *encode(const char *number, const char *text)
{
	struct smsctl_encoded *enc = NULL;

	ck_assert_int_eq(smsctl_pdu_encode_submit(number, text, NULL, &enc), 0);
	char *hex = strdup(smsctl_encoded_get_hex(enc, 0));
	smsctl_encoded_free(enc);
	return hex;
}

/* Run the loop until the callback ran (at most limit_ms). */
static void run_until(struct smsctl_modem *m, struct seen *v, int limit_ms)
{
	for (int waited = 0; v->calls == 0 && waited < limit_ms; waited += 50) {
		int rc = smsctl_modem_wait(m, 50);
		if (rc == SMSCTL_ERR_GONE || rc == SMSCTL_ERR_IO)
			smsctl_modem_process(m);
		if (rc < 0 && v->calls == 0 && rc != SMSCTL_ERR_GONE && rc != SMSCTL_ERR_IO)
			break;
	}
}

START_TEST(test_sent)
{
	struct smsctl_modem *m = open_sim("sim:generic", true, 5000);
	struct seen v = {0};
	char *hex = encode("+8613912345678", "hello");
	char buf[512];

	ck_assert_int_eq(smsctl_sms_submit(m, hex, 0, on_submit, &v), 0);
	/* nothing happens before the loop runs: the call did not block */
	ck_assert_int_eq(v.calls, 0);
	run_until(m, &v, 5000);
	ck_assert_int_eq(v.calls, 1);
	ck_assert_int_eq(v.outcome, SMSCTL_SUBMIT_SENT);
	ck_assert_int_eq(v.result, SMSCTL_RESULT_OK);
	ck_assert_int_ge(v.mr, 0);
	ck_assert_int_le(v.mr, 255);
	ck_assert_int_eq(v.code, -1);
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	ck_assert_uint_eq(smsctl_sim_get_sent_count(sim), 1);
	ck_assert_int_eq(smsctl_sim_get_sent_pdu(sim, 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, hex + 2); /* the TPDU as written (SMSC 00 left out) */
	/* the modem's reference counts up */
	struct seen v2 = {0};
	ck_assert_int_eq(smsctl_sms_submit(m, hex, 0, on_submit, &v2), 0);
	run_until(m, &v2, 5000);
	ck_assert_int_eq(v2.outcome, SMSCTL_SUBMIT_SENT);
	ck_assert_int_eq(v2.mr, (v.mr + 1) % 256);
	free(hex);
	smsctl_modem_free(m);
}
END_TEST

static const struct {
	const char *device;
	bool prepare;
	enum smsctl_submit_outcome outcome;
	enum smsctl_result result;
	int code;
} cases[] = {
    /* the network refused it after the PDU: not accepted, the code says whether to retry */
    {"sim:generic?fault=send_fail:21", true, SMSCTL_SUBMIT_REJECTED, SMSCTL_RESULT_CMS_ERROR, 21},
    {"sim:huawei?fault=send_fail:42", true, SMSCTL_SUBMIT_REJECTED, SMSCTL_RESULT_CMS_ERROR, 42},
    /* refused before the prompt: not handed over */
    {"sim:generic?fault=sms_unavailable", true, SMSCTL_SUBMIT_NOT_SENT, SMSCTL_RESULT_CMS_ERROR,
     301},
    /* the line closes as the PDU arrives: it may have gone */
    {"sim:generic?fault=unplug", true, SMSCTL_SUBMIT_UNKNOWN, SMSCTL_RESULT_GONE, -1},
    /* no answer at all, no prompt: not handed over */
    {"sim:generic?fault=hang", false, SMSCTL_SUBMIT_NOT_SENT, SMSCTL_RESULT_TIMEOUT, -1},
    /* a prompt without the space still counts as the prompt */
    {"sim:simcom?fault=bare_prompt", true, SMSCTL_SUBMIT_SENT, SMSCTL_RESULT_OK, -1},
};

START_TEST(test_outcomes)
{
	struct smsctl_modem *m = open_sim(cases[_i].device, cases[_i].prepare, 400);
	struct seen v = {0};
	char *hex = encode("+8613912345678", "outcome");

	ck_assert_int_eq(smsctl_sms_submit(m, hex, 0, on_submit, &v), 0);
	run_until(m, &v, 10000);
	ck_assert_msg(v.calls == 1, "%s: %d calls", cases[_i].device, v.calls);
	ck_assert_msg(v.outcome == cases[_i].outcome, "%s: outcome %d, want %d (%s)",
		      cases[_i].device, v.outcome, cases[_i].outcome, v.final);
	ck_assert_int_eq(v.result, cases[_i].result);
	ck_assert_int_eq(v.code, cases[_i].code);
	if (v.outcome != SMSCTL_SUBMIT_SENT)
		ck_assert_int_eq(v.mr, -1);
	free(hex);
	smsctl_modem_free(m);
}
END_TEST

/* Closing the handle before the prompt came: the callback runs once, nothing was handed
 * over. */
START_TEST(test_closed)
{
	struct smsctl_modem *m = open_sim("sim:generic?fault=slow:300", true, 5000);
	struct seen v = {0};
	char *hex = encode("+8613912345678", "closed");

	ck_assert_int_eq(smsctl_sms_submit(m, hex, 0, on_submit, &v), 0);
	smsctl_modem_close(m);
	ck_assert_int_eq(v.calls, 1);
	ck_assert_int_eq(v.outcome, SMSCTL_SUBMIT_NOT_SENT);
	ck_assert_int_eq(v.result, SMSCTL_RESULT_CANCELLED);
	free(hex);
	smsctl_modem_free(m);
}
END_TEST

START_TEST(test_invalid)
{
	struct smsctl_modem *m = open_sim("sim:", false, 1000);
	struct seen v = {0};
	static const char *const bad[] = {
	    "",
	    "0",
	    "00",
	    "0001",
	    "001",
	    "zz010005",
	    "0G11000D91683119325476F8000005E8329BFD06", /* not hex */
	    "0B01000D9168",				/* the SMSC address runs past the PDU */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(smsctl_sms_submit(m, bad[i], 0, on_submit, &v) == SMSCTL_ERR_INVALID,
			      "'%s' accepted", bad[i]);
	ck_assert_int_eq(
	    smsctl_sms_submit(NULL, "0001000D91683119325476F8000005E8329BFD06", 0, on_submit, &v),
	    SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_submit(m, NULL, 0, on_submit, &v), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(
	    smsctl_sms_submit(m, "0001000D91683119325476F8000005E8329BFD06", 0, NULL, &v),
	    SMSCTL_ERR_INVALID);
	ck_assert_int_eq(
	    smsctl_sms_submit(m, "0001000D91683119325476F8000005E8329BFD06", -1, on_submit, &v),
	    SMSCTL_ERR_INVALID);
	ck_assert_int_eq(v.calls, 0);
	/* not open */
	smsctl_modem_close(m);
	ck_assert_int_eq(
	    smsctl_sms_submit(m, "0001000D91683119325476F8000005E8329BFD06", 0, on_submit, &v),
	    SMSCTL_ERR_STATE);
	/* getters take NULL */
	ck_assert_int_eq(smsctl_submit_get_outcome(NULL), SMSCTL_SUBMIT_NOT_SENT);
	ck_assert_int_eq(smsctl_submit_get_message_ref(NULL), -1);
	ck_assert_int_eq(smsctl_submit_get_error_code(NULL), -1);
	ck_assert_str_eq(smsctl_submit_get_final(NULL), "");
	smsctl_modem_free(m);
}
END_TEST

/* send_timeout: the modem records the PDU and never answers; the engine waits 60 s after
 * Ctrl-Z (slow: only with SMSCTL_TEST_SLOW=1). */
START_TEST(test_unknown_timeout)
{
	struct smsctl_modem *m = open_sim("sim:generic?fault=send_timeout", true, 1000);
	struct seen v = {0};
	char *hex = encode("+8613912345678", "lost answer");

	ck_assert_int_eq(smsctl_sms_submit(m, hex, 0, on_submit, &v), 0);
	run_until(m, &v, 90000);
	ck_assert_int_eq(v.calls, 1);
	ck_assert_int_eq(v.outcome, SMSCTL_SUBMIT_UNKNOWN);
	ck_assert_int_eq(v.result, SMSCTL_RESULT_TIMEOUT);
	ck_assert_uint_eq(smsctl_sim_get_sent_count(smsctl_modem_get_sim(m)), 1);
	free(hex);
	smsctl_modem_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("submit");
	TCase *tc = tcase_create("submit");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sent);
	tcase_add_loop_test(tc, test_outcomes, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_closed);
	tcase_add_test(tc, test_invalid);
	if (getenv("SMSCTL_TEST_SLOW"))
		tcase_add_test(tc, test_unknown_timeout);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
