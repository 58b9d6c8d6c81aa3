/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated modem through the shared library, exactly as a user program links it: only
 * the public headers and exported symbols (smsctl_modem_*, smsctl_sim_*, smsctl_pdu_*). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/smsctl.h>

/* SMS-SUBMIT "Hello World!" to +27820001111 (python-gsmmodem test/test_pdu.py, commit
 * 834c68b, corpus case gsmmodem-encode-1). */
#define SUBMIT_HELLO "0001000B917228001011F100000CC8329BFD065DDF72363904"

static struct smsctl_modem *open_sim(const char *dev)
{
	struct smsctl_modem *m = NULL;
	ck_assert_int_eq(smsctl_modem_new(dev, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	ck_assert_ptr_nonnull(smsctl_modem_get_sim(m));
	return m;
}

static const struct {
	const char *fault;
	const char *cmd;
	int code;
} faults[] = {
    {"sim_absent", "AT+CPIN?", 10}, {"sim_failure", "AT+CPIN?", 13}, {"sim_busy:5", "AT+CIMI", 14},
    {"sim_pin", "AT+CIMI", 11},	    {"sim_puk", "AT+CIMI", 12},	     {"smsc_missing", NULL, 330},
    {"send_fail:38", NULL, 38},	    {"not_registered", NULL, 331},   {"sms_unavailable", NULL, 301},
};

/* A fault switched on at run time changes the very next answer; off again, all is well. */
START_TEST(test_runtime_faults)
{
	struct smsctl_modem *m = open_sim("sim:quectel");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	struct smsctl_response *r = NULL;
	const char *cmd = faults[_i].cmd ? faults[_i].cmd : "AT+CMGS=24";
	const char *pdu = faults[_i].cmd ? NULL : SUBMIT_HELLO;

	ck_assert_str_eq(smsctl_sim_get_profile(sim), "quectel");
	ck_assert_int_eq(smsctl_sim_set_fault(sim, faults[_i].fault, true), 0);
	ck_assert(smsctl_sim_has_fault(sim, faults[_i].fault));
	int rc = pdu ? smsctl_modem_command_pdu(m, cmd, pdu, 0, &r)
		     : smsctl_modem_command(m, cmd, 0, &r);
	ck_assert_int_eq(rc, SMSCTL_ERR_MODEM);
	ck_assert_int_eq(smsctl_response_get_error_code(r), faults[_i].code);
	smsctl_response_free(r);
	ck_assert_uint_eq(smsctl_sim_get_sent_count(sim), 0);

	ck_assert_int_eq(smsctl_sim_set_fault(sim, faults[_i].fault, false), 0);
	ck_assert(!smsctl_sim_has_fault(sim, faults[_i].fault));
	if (!strcmp(faults[_i].fault, "sim_pin"))
		ck_assert_int_eq(smsctl_modem_command(m, "AT+CPIN?", 0, NULL), 0);
	rc = pdu ? smsctl_modem_command_pdu(m, cmd, pdu, 0, NULL)
		 : smsctl_modem_command(m, cmd, 0, NULL);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(smsctl_sim_get_sent_count(sim), pdu ? 1 : 0);
	smsctl_modem_free(m);
}
END_TEST

START_TEST(test_deliver_and_read)
{
	struct smsctl_modem *m = open_sim("sim:huawei");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	struct smsctl_response *r = NULL;
	struct smsctl_pdu *pdu = NULL;

	ck_assert_int_eq(smsctl_sim_deliver(sim, "+8613800138000", "\xe4\xbd\xa0\xe5\xa5\xbd", 0),
			 1);
	ck_assert_uint_eq(smsctl_sim_get_stored_count(sim), 1);
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CMGR=0", 0, &r), 0);
	ck_assert_uint_eq(smsctl_response_get_line_count(r), 2);
	ck_assert_int_eq(smsctl_pdu_decode_hex(smsctl_response_get_line(r, 1), true, &pdu, NULL),
			 0);
	ck_assert_str_eq(smsctl_pdu_get_text(pdu), "\xe4\xbd\xa0\xe5\xa5\xbd");
	ck_assert_int_eq(smsctl_pdu_get_coding(pdu), SMSCTL_CODING_UCS2);
	smsctl_pdu_free(pdu);
	smsctl_response_free(r);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "", "x", 0), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+1", "x", 0x100), SMSCTL_ERR_INVALID);
	ck_assert_uint_ge(smsctl_sim_get_command_count(sim), 1);
	smsctl_modem_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim-public");
	TCase *tc = tcase_create("public");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_runtime_faults, 0, (int)(sizeof(faults) / sizeof(faults[0])));
	tcase_add_test(tc, test_deliver_and_read);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	const char *fork_env = getenv("CK_FORK");
	if (!fork_env || strcmp(fork_env, "yes") != 0)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
