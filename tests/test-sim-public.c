/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated modem through the shared library, exactly as a user program links it: only
 * the public headers and exported symbols (smsctl_modem_*, smsctl_sim_*, smsctl_pdu_*). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Standalone modems (SMSCTL_0.4): the caller moves the bytes. Collects what the modem
 * answers until want is seen or 5 s pass. */
static void exchange(struct smsctl_sim *sim, const char *in, const char *want, char *out,
		     size_t size)
{
	size_t len = 0;
	if (in)
		ck_assert_int_eq(smsctl_sim_write(sim, in, strlen(in)), 0);
	out[0] = '\0';
	for (int round = 0; round < 500 && !strstr(out, want); round++) {
		int n = smsctl_sim_read(sim, out + len, size - 1 - len);
		ck_assert_int_ge(n, 0);
		len += (size_t)n;
		out[len] = '\0';
		if (n == 0) {
			int t = smsctl_sim_get_timeout(sim);
			struct timespec ts = {0, (t < 0 || t > 10 ? 10 : t) * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	ck_assert_msg(strstr(out, want), "wanted %s in %s", want, out);
}

START_TEST(test_standalone)
{
	struct smsctl_sim *sim = NULL;
	char out[2048], detail[128];
	unsigned used = 0, total = 0;

	ck_assert_int_eq(smsctl_sim_new("sim:nosuch", &sim, detail, sizeof(detail)),
			 SMSCTL_ERR_INVALID);
	ck_assert_ptr_null(sim);
	ck_assert(strstr(detail, "nosuch"));
	ck_assert_int_eq(smsctl_sim_new("/dev/ttyUSB0", &sim, NULL, 0), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sim_new("sim:generic?latency=5", &sim, detail, sizeof(detail)), 0);
	ck_assert_str_eq(smsctl_sim_get_profile(sim), "generic");
	int mr0 = smsctl_sim_get_message_ref(sim);
	ck_assert_int_ge(mr0, 0);
	ck_assert_int_le(mr0, 255);

	exchange(sim, "ATE0\r", "OK\r\n", out, sizeof(out));
	exchange(sim, "AT+CMGS=24\r", "> ", out, sizeof(out));
	/* The host goes away in the middle of the PDU: nothing is submitted, state stays. */
	ck_assert_int_eq(smsctl_sim_write(sim, SUBMIT_HELLO, 10), 0);
	ck_assert_int_eq(smsctl_sim_hangup(sim), 0);
	ck_assert_uint_eq(smsctl_sim_get_sent_count(sim), 0);
	exchange(sim, "AT\r", "OK\r\n", out, sizeof(out));
	ck_assert(!strstr(out, "AT\r")); /* echo stayed off: the session was not reset */
	exchange(sim, "AT+CMGS=24\r", "> ", out, sizeof(out));
	exchange(sim, SUBMIT_HELLO "\x1a", "OK\r\n", out, sizeof(out));
	char want[32];
	snprintf(want, sizeof(want), "+CMGS: %d", mr0);
	ck_assert(strstr(out, want));
	ck_assert_uint_eq(smsctl_sim_get_sent_count(sim), 1);
	ck_assert_int_eq(smsctl_sim_get_sent_message_ref(sim, 0), mr0);
	ck_assert_int_eq(smsctl_sim_get_sent_message_ref(sim, 1), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sim_get_message_ref(sim), (mr0 + 1) % 256);

	ck_assert_int_eq(smsctl_sim_deliver(sim, "+8613800138000", "hi", 0), 1);
	exchange(sim, NULL, "+CMTI:", out, sizeof(out));
	ck_assert_int_eq(smsctl_sim_get_storage(sim, "SM", &used, &total), 0);
	ck_assert_uint_eq(used, 1);
	ck_assert_uint_gt(total, 1);
	ck_assert_int_eq(smsctl_sim_get_storage(sim, "XX", &used, &total), SMSCTL_ERR_INVALID);

	/* Unplugged at the next submit's PDU, then plugged in: storage and counter kept. */
	ck_assert_int_eq(smsctl_sim_set_fault(sim, "unplug", true), 0);
	exchange(sim, "AT+CMGS=24\r", "> ", out, sizeof(out));
	ck_assert_int_eq(smsctl_sim_write(sim, SUBMIT_HELLO "\x1a", strlen(SUBMIT_HELLO) + 1), 0);
	ck_assert(smsctl_sim_is_unplugged(sim));
	ck_assert_int_eq(smsctl_sim_replug(sim), 0);
	ck_assert(!smsctl_sim_is_unplugged(sim));
	ck_assert(!smsctl_sim_has_fault(sim, "unplug"));
	exchange(sim, "AT\r", "OK\r\n", out, sizeof(out));
	ck_assert_int_eq(smsctl_sim_get_storage(sim, "SM", &used, NULL), 0);
	ck_assert_uint_eq(used, 1);
	ck_assert_int_eq(smsctl_sim_get_message_ref(sim), (mr0 + 1) % 256);
	smsctl_sim_free(sim);
	smsctl_sim_free(NULL);
}
END_TEST

static int luhn_ok(const char *d)
{
	unsigned sum = 0;
	size_t n = strlen(d);
	for (size_t i = 0; i < n; i++) {
		unsigned x = (unsigned)(d[n - 1 - i] - '0');
		if (i % 2) {
			x *= 2;
			if (x > 9)
				x -= 9;
		}
		sum += x;
	}
	return sum % 10 == 0;
}

/* id=N gives each modem its own identity: IMSI ending in N, IMEI and ICCID with N before a
 * valid Luhn digit; without id= the profile's. */
START_TEST(test_identity)
{
	static const char *const cmds[] = {"AT+CIMI", "AT+CGSN", "AT+CCID"};
	char seen[2][3][32];
	for (int k = 0; k < 2; k++) {
		struct smsctl_modem *m = open_sim(k ? "sim:generic?id=42" : "sim:generic");
		for (int c = 0; c < 3; c++) {
			struct smsctl_response *r = NULL;
			ck_assert_int_eq(smsctl_modem_command(m, cmds[c], 0, &r), 0);
			const char *line = smsctl_response_get_line(r, 0);
			const char *digits = line + strcspn(line, "0123456789");
			snprintf(seen[k][c], sizeof(seen[k][c]), "%s", digits);
			smsctl_response_free(r);
		}
		smsctl_modem_free(m);
	}
	for (int c = 0; c < 3; c++)
		ck_assert_str_ne(seen[0][c], seen[1][c]);
	size_t n = strlen(seen[1][0]);
	ck_assert_str_eq(seen[1][0] + n - 4, "0042");
	n = strlen(seen[1][1]);
	ck_assert(!strncmp(seen[1][1] + n - 5, "0042", 4));
	ck_assert(luhn_ok(seen[1][1]));
	ck_assert(luhn_ok(seen[0][1]));
	n = strlen(seen[1][2]);
	ck_assert(!strncmp(seen[1][2] + n - 5, "0042", 4));
	ck_assert(luhn_ok(seen[1][2]));
	struct smsctl_sim *bad = NULL;
	ck_assert_int_eq(smsctl_sim_new("sim:?id=10000", &bad, NULL, 0), SMSCTL_ERR_INVALID);
}
END_TEST

/* The standalone calls refuse a modem a handle owns (its thread moves the bytes). */
START_TEST(test_standalone_owned)
{
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	char buf[8];
	ck_assert_int_eq(smsctl_sim_write(sim, "AT\r", 3), SMSCTL_ERR_STATE);
	ck_assert_int_eq(smsctl_sim_read(sim, buf, sizeof(buf)), SMSCTL_ERR_STATE);
	ck_assert_int_eq(smsctl_sim_hangup(sim), SMSCTL_ERR_STATE);
	ck_assert_int_eq(smsctl_sim_replug(sim), SMSCTL_ERR_STATE);
	smsctl_sim_free(sim); /* ignored: the handle owns it */
	ck_assert_int_eq(smsctl_modem_command(m, "AT", 0, NULL), 0);
	ck_assert_int_eq(smsctl_sim_get_message_ref(NULL), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sim_get_timeout(NULL), SMSCTL_ERR_INVALID);
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
	tcase_add_test(tc, test_standalone);
	tcase_add_test(tc, test_standalone_owned);
	tcase_add_test(tc, test_identity);
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
