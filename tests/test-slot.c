/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sending from the modem's storage without blocking (smsctl_sms_slot_write/read/delete,
 * smsctl_sms_submit_stored): on the simulated modem through the public API, and the reply of
 * a real modem (ModemManager's capture) on a scripted pseudo-terminal. TS 27.005 3.5.3
 * (+CMGW: stat 2 "STO UNSENT" is the default), 3.5.2 (+CMSS: <mr>), 3.4.3 (+CMGR: <stat>). */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smsctl/smsctl.h>

static char captures[8][256], capture_names[8][32];

static const char *capture(const char *name)
{
	for (int i = 0; i < 8; i++)
		if (strcmp(capture_names[i], name) == 0)
			return captures[i];
	ck_abort_msg("capture %s missing", name);
	return NULL;
}

static int load_captures(void)
{
	const char *dir = getenv("SMSCTL_TEST_DATA");
	char path[4096], line[512];
	int n = 0;

	snprintf(path, sizeof(path), "%s/slot/captures.txt", dir ? dir : "tests/data");
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) && n < 8) {
		char *bar = strchr(line, '|');
		if (line[0] == '#' || !bar)
			continue;
		*bar = '\0';
		bar[1 + strcspn(bar + 1, "\r\n")] = '\0';
		snprintf(capture_names[n], sizeof(capture_names[n]), "%.31s", line);
		snprintf(captures[n], sizeof(captures[n]), "%.255s", bar + 1);
		n++;
	}
	fclose(f);
	return n >= 4 ? 0 : -1;
}

struct seen {
	int calls;
	int error, index, status, code;
	enum smsctl_result result;
	enum smsctl_submit_outcome outcome;
	int mr;
};

static void on_slot(void *userdata, const struct smsctl_slot_op *op)
{
	struct seen *v = userdata;

	v->calls++;
	v->error = smsctl_slot_op_get_error(op);
	v->index = smsctl_slot_op_get_index(op);
	v->status = smsctl_slot_op_get_status(op);
	v->code = smsctl_slot_op_get_error_code(op);
	v->result = smsctl_slot_op_get_result(op);
	ck_assert_ptr_nonnull(smsctl_slot_op_get_final(op));
}

static void on_submit(void *userdata, const struct smsctl_submit *s)
{
	struct seen *v = userdata;

	v->calls++;
	v->outcome = smsctl_submit_get_outcome(s);
	v->mr = smsctl_submit_get_message_ref(s);
	v->code = smsctl_submit_get_error_code(s);
	v->result = smsctl_submit_get_result(s);
}

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

static struct smsctl_modem *open_dev(const char *dev, bool prepare)
{
	struct smsctl_modem_options *o = smsctl_modem_options_new();
	struct smsctl_modem *m = NULL;

	ck_assert_int_eq(smsctl_modem_options_set_timeout(o, 3000), 0);
	ck_assert_int_eq(smsctl_modem_new(dev, o, &m), 0);
	smsctl_modem_options_free(o);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	if (prepare)
		ck_assert_int_eq(smsctl_sms_prepare(m, NULL), 0);
	return m;
}

static struct seen slot_write(struct smsctl_modem *m, const char *hex)
{
	struct seen v = {0};
	ck_assert_int_eq(smsctl_sms_slot_write(m, hex, 0, on_slot, &v), 0);
	ck_assert_int_eq(v.calls, 0); /* queued, not run */
	run_until(m, &v, 5000);
	ck_assert_int_eq(v.calls, 1);
	return v;
}

static struct seen slot_read(struct smsctl_modem *m, int index)
{
	struct seen v = {0};
	ck_assert_int_eq(smsctl_sms_slot_read(m, index, 0, on_slot, &v), 0);
	run_until(m, &v, 5000);
	ck_assert_int_eq(v.calls, 1);
	return v;
}

static struct seen send_stored(struct smsctl_modem *m, int index, int limit_ms)
{
	struct seen v = {0};
	ck_assert_int_eq(smsctl_sms_submit_stored(m, index, 0, on_submit, &v), 0);
	ck_assert_int_eq(v.calls, 0);
	run_until(m, &v, limit_ms);
	ck_assert_int_eq(v.calls, 1);
	return v;
}

/* The whole cycle on every profile: written unsent, sent once from the slot with the modem's
 * TP-MR, read back sent, deleted, gone. */
static const char *profiles[] = {"generic", "wavecom", "cinterion", "simcom", "quectel", "huawei"};

START_TEST(test_cycle)
{
	char dev[64];
	snprintf(dev, sizeof(dev), "sim:%s", profiles[_i]);
	struct smsctl_modem *m = open_dev(dev, true);
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	const char *hex = capture("submit_intl_smsc");
	char buf[512];

	struct seen w = slot_write(m, hex);
	ck_assert_int_eq(w.error, 0);
	ck_assert_int_ge(w.index, 0);
	ck_assert_uint_eq(smsctl_sim_get_sent_count(sim), 0); /* stored, not sent */
	struct seen r = slot_read(m, w.index);
	ck_assert_int_eq(r.error, 0);
	ck_assert_int_eq(r.status, SMSCTL_SMS_UNSENT);

	struct seen s = send_stored(m, w.index, 5000);
	ck_assert_int_eq(s.outcome, SMSCTL_SUBMIT_SENT);
	ck_assert_int_ge(s.mr, 0);
	ck_assert_int_le(s.mr, 255);
	ck_assert_uint_eq(smsctl_sim_get_sent_count(sim), 1);
	ck_assert_int_eq(smsctl_sim_get_sent_pdu(sim, 0, buf, sizeof(buf)), 0);
	/* the TPDU as written, without the SMSC (7 octets: 07912480002143) */
	ck_assert_str_eq(buf, hex + 16);
	r = slot_read(m, w.index);
	ck_assert_int_eq(r.status, SMSCTL_SMS_SENT);

	/* a second message gets the next TP-MR */
	struct seen w2 = slot_write(m, capture("submit_national_smsc"));
	ck_assert_int_ne(w2.index, w.index);
	struct seen s2 = send_stored(m, w2.index, 5000);
	ck_assert_int_eq(s2.outcome, SMSCTL_SUBMIT_SENT);
	ck_assert_int_eq(s2.mr, (s.mr + 1) % 256);

	struct seen d = {0};
	ck_assert_int_eq(smsctl_sms_slot_delete(m, w.index, 0, on_slot, &d), 0);
	run_until(m, &d, 5000);
	ck_assert_int_eq(d.error, 0);
	r = slot_read(m, w.index);
	ck_assert_int_eq(r.error, SMSCTL_ERR_NOT_FOUND);
	ck_assert_int_eq(r.status, 0);
	/* sending from the empty slot: refused, nothing sent */
	s = send_stored(m, w.index, 5000);
	ck_assert_int_eq(s.outcome, SMSCTL_SUBMIT_REJECTED);
	ck_assert_int_eq(s.code, 321);
	ck_assert_uint_eq(smsctl_sim_get_sent_count(sim), 2);
	smsctl_modem_free(m);
}
END_TEST

/* cmss_stat_stuck: sent, but the slot still says "STO UNSENT" (the modem smsctld's probe
 * must catch). */
START_TEST(test_stat_stuck)
{
	struct smsctl_modem *m = open_dev("sim:?fault=cmss_stat_stuck", true);
	struct seen w = slot_write(m, capture("submit_intl_smsc"));
	struct seen s = send_stored(m, w.index, 5000);

	ck_assert_int_eq(s.outcome, SMSCTL_SUBMIT_SENT);
	ck_assert_uint_eq(smsctl_sim_get_sent_count(smsctl_modem_get_sim(m)), 1);
	struct seen r = slot_read(m, w.index);
	ck_assert_int_eq(r.status, SMSCTL_SMS_UNSENT);
	smsctl_modem_free(m);
}
END_TEST

/* A network refusal from the slot is REJECTED with its code; the slot stays unsent. */
START_TEST(test_rejected)
{
	struct smsctl_modem *m = open_dev("sim:?fault=send_fail_once:42", true);
	struct seen w = slot_write(m, capture("submit_intl_smsc"));
	struct seen s = send_stored(m, w.index, 5000);

	ck_assert_int_eq(s.outcome, SMSCTL_SUBMIT_REJECTED);
	ck_assert_int_eq(s.result, SMSCTL_RESULT_CMS_ERROR);
	ck_assert_int_eq(s.code, 42);
	ck_assert_int_eq(slot_read(m, w.index).status, SMSCTL_SMS_UNSENT);
	s = send_stored(m, w.index, 5000); /* the fault was once: now it goes */
	ck_assert_int_eq(s.outcome, SMSCTL_SUBMIT_SENT);
	ck_assert_int_eq(slot_read(m, w.index).status, SMSCTL_SMS_SENT);
	smsctl_modem_free(m);
}
END_TEST

/* Unplugged while AT+CMSS was on its way: the outcome is unknown (it may have gone). */
START_TEST(test_unplug)
{
	struct smsctl_modem *m = open_dev("sim:", true);
	struct seen w = slot_write(m, capture("submit_intl_smsc"));
	ck_assert_int_eq(smsctl_sim_set_fault(smsctl_modem_get_sim(m), "unplug", true), 0);
	struct seen s = send_stored(m, w.index, 5000);
	ck_assert_int_eq(s.outcome, SMSCTL_SUBMIT_UNKNOWN);
	smsctl_modem_free(m);
}
END_TEST

START_TEST(test_invalid)
{
	struct smsctl_modem *m = open_dev("sim:", true);
	struct seen v = {0};

	ck_assert_int_eq(smsctl_sms_slot_write(NULL, "00", 0, on_slot, &v), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_slot_write(m, NULL, 0, on_slot, &v), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_slot_write(m, "0011", 0, NULL, &v), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_slot_write(m, "001", 0, on_slot, &v), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_slot_write(m, "00zz00", 0, on_slot, &v), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_slot_write(m, "0F11000481", 0, on_slot, &v),
			 SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_slot_write(m, capture("submit_intl_smsc"), -1, on_slot, &v),
			 SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_slot_read(m, -1, 0, on_slot, &v), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_slot_read(m, 65536, 0, on_slot, &v), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_slot_delete(m, -1, 0, on_slot, &v), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_slot_delete(NULL, 1, 0, on_slot, &v), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_submit_stored(m, -1, 0, on_submit, &v), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_submit_stored(m, 1, 0, NULL, &v), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(v.calls, 0);
	ck_assert_int_eq(smsctl_slot_op_get_error(NULL), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_slot_op_get_index(NULL), -1);
	ck_assert_int_eq(smsctl_slot_op_get_status(NULL), 0);
	ck_assert_str_eq(smsctl_slot_op_get_final(NULL), "");
	smsctl_modem_free(m);
}
END_TEST

/* ---- a real modem's replies on a scripted pseudo-terminal ---- */

struct script {
	int fd;
	const char *cmgr_header, *cmgr_pdu;
};

static void reply(int fd, const char *s)
{
	size_t n = strlen(s);
	ck_assert_int_eq(write(fd, s, n), (ssize_t)n);
}

/* Answers AT+CMGR with the capture, AT+CMSS with +CMSS: 7, anything else with OK. */
static void *script_main(void *arg)
{
	struct script *sc = arg;
	char line[256];
	size_t n = 0;
	char c;

	while (read(sc->fd, &c, 1) == 1) {
		if (c != '\r') {
			if (c != '\n' && n + 1 < sizeof(line))
				line[n++] = c;
			continue;
		}
		line[n] = '\0';
		n = 0;
		char out[512];
		if (strncmp(line, "AT+CMGR=", 8) == 0)
			snprintf(out, sizeof(out), "\r\n%s\r\n%s\r\n\r\nOK\r\n", sc->cmgr_header,
				 sc->cmgr_pdu);
		else if (strncmp(line, "AT+CMSS=", 8) == 0)
			snprintf(out, sizeof(out), "\r\n+CMSS: 7\r\n\r\nOK\r\n");
		else if (strncmp(line, "AT+CMGD=9", 9) == 0)
			snprintf(out, sizeof(out), "\r\n+CMS ERROR: 321\r\n");
		else
			snprintf(out, sizeof(out), "\r\nOK\r\n");
		reply(sc->fd, out);
	}
	return NULL;
}

START_TEST(test_capture)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	struct script sc = {master, capture("cmgr_sto_sent"), capture("cmgr_sto_sent_pdu")};
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, script_main, &sc), 0);
	struct smsctl_modem *m = open_dev(ptsname(master), false);

	struct seen r = slot_read(m, 15);
	ck_assert_int_eq(r.error, 0);
	ck_assert_int_eq(r.status, SMSCTL_SMS_SENT);
	struct seen s = send_stored(m, 15, 5000);
	ck_assert_int_eq(s.outcome, SMSCTL_SUBMIT_SENT);
	ck_assert_int_eq(s.mr, 7);
	struct seen d = {0};
	ck_assert_int_eq(smsctl_sms_slot_delete(m, 9, 0, on_slot, &d), 0);
	run_until(m, &d, 5000);
	ck_assert_int_eq(d.error, SMSCTL_ERR_NOT_FOUND);
	ck_assert_int_eq(d.code, 321);
	smsctl_modem_free(m);
	close(master);
	pthread_join(t, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("slot");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	if (load_captures() < 0)
		return EXIT_FAILURE;
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_cycle, 0, (int)(sizeof(profiles) / sizeof(profiles[0])));
	tcase_add_test(tc, test_stat_stuck);
	tcase_add_test(tc, test_rejected);
	tcase_add_test(tc, test_unplug);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_capture);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
