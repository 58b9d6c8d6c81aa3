/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A diagnosis leaves the modem as it found it: +CPMS, +CNMI, +CSCA, +CMGF and +CSCS read the
 * same before and after, on every sim: profile, with faults, and when the modem errors or
 * times out in the middle of the memory count (a transport between the engine and the
 * simulated modem turns the line that selects another memory into an error or swallows
 * it). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/diagnose.h>
#include <smsctl/error.h>
#include <smsctl/modem.h>

#include "modem-internal.h"
#include "transport/transport.h"

static const char *const profiles[] = {"generic", "wavecom", "cinterion",
				       "simcom",  "quectel", "huawei"};
#define N_PROFILES (sizeof(profiles) / sizeof(profiles[0]))

static const char *const faults[] = {
    "",
    "storage_full",
    "storage_nearly_full",
    "storage_mismatch",
    "indications_off",
    "smsc_missing",
    "sms_unavailable",
    "weak_signal,roaming",
    "sim_pin",
    "sim_busy",
};
#define N_FAULTS (sizeof(faults) / sizeof(faults[0]))

/* What the faulty transport does after a line that selects another memory (AT+CPMS="ME"...,
 * which the modem carries out): nothing, replace the modem's answer by an error, or swallow
 * the answer (the engine times out). */
enum mode { PASS, ERROR_MIDWAY, TIMEOUT_MIDWAY };

struct faulty {
	struct transport t; /* first: the engine sees a struct transport */
	struct transport *inner;
	enum mode mode;
	char line[512];
	size_t len;
	unsigned hit; /* answers changed */
	bool armed;   /* the answer to the current line is being replaced */
	char seen[256];
	size_t n_seen;
	const char *pending; /* the replacement answer still to return */
};

static ssize_t f_read(struct transport *t, void *buf, size_t len)
{
	struct faulty *f = (struct faulty *)t;

	if (f->pending) {
		size_t n = strlen(f->pending);
		n = n < len ? n : len;
		memcpy(buf, f->pending, n);
		f->pending = f->pending[n] ? f->pending + n : NULL;
		return (ssize_t)n;
	}
	ssize_t n = f->inner->ops->read(f->inner, buf, len);
	if (n <= 0 || !f->armed)
		return n;
	/* swallow the answer; in ERROR_MIDWAY, once its final line came, say +CMS ERROR */
	for (ssize_t i = 0; i < n; i++) {
		if (f->n_seen + 1 < sizeof(f->seen))
			f->seen[f->n_seen++] = ((char *)buf)[i];
		f->seen[f->n_seen] = '\0';
	}
	if (f->mode == ERROR_MIDWAY && (strstr(f->seen, "OK\r\n") || strstr(f->seen, "ERROR"))) {
		f->armed = false;
		f->pending = "\r\n+CMS ERROR: 500\r\n";
		return f_read(t, buf, len);
	}
	errno = EAGAIN;
	return -1;
}

static int write_all(struct transport *t, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = t->ops->write(t, s, len);
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static ssize_t f_write(struct transport *t, const void *buf, size_t len)
{
	struct faulty *f = (struct faulty *)t;
	const char *p = buf;

	for (size_t i = 0; i < len; i++) {
		if (f->len + 1 < sizeof(f->line))
			f->line[f->len++] = p[i];
		if (p[i] != '\r' && p[i] != 0x1a)
			continue;
		f->line[f->len] = '\0';
		bool select = strstr(f->line, "+CPMS=\"ME\"") ||
			      strstr(f->line, "+CPMS=\"SM\",\"ME\"") ||
			      strstr(f->line, "+CPMS=\"MT\"") || strstr(f->line, "+CPMS=\"SR\"");
		f->armed = select && f->mode != PASS;
		f->n_seen = 0;
		f->seen[0] = '\0';
		if (f->armed) {
			f->hit++;
			/* the restore chained at the end of the line is not carried out */
			char *r = strrchr(f->line, ';');
			if (r && strncmp(r, ";+CPMS=", 7) == 0)
				strcpy(r, "\r");
		}
		if (write_all(f->inner, f->line, strlen(f->line)) < 0)
			return -1;
		f->len = 0;
	}
	return (ssize_t)len;
}

static void f_close(struct transport *t)
{
	struct faulty *f = (struct faulty *)t;
	f->inner->ops->close(f->inner);
	free(f);
}

static const struct transport_ops faulty_ops = {"faulty", f_read, f_write, f_close};

static struct smsctl_modem *open_faulty(const char *spec, enum mode mode, struct faulty **fo)
{
	struct transport_params tp = {.baud = 115200};
	struct transport_error e;
	struct transport *inner = NULL;
	struct smsctl_sim *sim = NULL;
	struct smsctl_modem *m = NULL;
	struct smsctl_modem_options *mo = smsctl_modem_options_new();

	ck_assert_int_eq(transport_open_sim(spec, &tp, &inner, &sim, &e), 0);
	struct faulty *f = calloc(1, sizeof(*f));
	ck_assert_ptr_nonnull(f);
	f->t.ops = &faulty_ops;
	f->t.fd = inner->fd;
	f->inner = inner;
	f->mode = mode;
	*fo = f;
	/* a short timeout: the dropped line costs it twice at most */
	ck_assert_int_eq(smsctl_modem_options_set_timeout(mo, 300), 0);
	ck_assert_int_eq(modem_new_from_transport(spec, &f->t, mo, &m), 0);
	smsctl_modem_options_free(mo);
	return m;
}

/* The lines and final result of cmd, concatenated. */
static void read_setting(struct smsctl_modem *m, const char *cmd, char *buf, size_t size)
{
	struct smsctl_response *r = NULL;

	buf[0] = '\0';
	smsctl_modem_command(m, cmd, 3000, &r);
	ck_assert_ptr_nonnull(r);
	for (size_t i = 0; i < smsctl_response_get_line_count(r); i++) {
		strncat(buf, smsctl_response_get_line(r, i), size - strlen(buf) - 1);
		strncat(buf, "|", size - strlen(buf) - 1);
	}
	strncat(buf, smsctl_response_get_final(r), size - strlen(buf) - 1);
	smsctl_response_free(r);
}

static const char *const settings[] = {"AT+CPMS?", "AT+CNMI?", "AT+CSCA?", "AT+CMGF?", "AT+CSCS?"};
#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

static void check_case(const char *profile, const char *fault, enum mode mode)
{
	char spec[128], before[N_SETTINGS][512], after[512];
	struct faulty *f = NULL;
	struct smsctl_diagnosis *d = NULL;
	struct smsctl_diagnose_options *o = smsctl_diagnose_options_new();

	snprintf(spec, sizeof(spec), "%s%s%s", profile, fault[0] ? "?fault=" : "", fault);
	struct smsctl_modem *m = open_faulty(spec, mode, &f);
	/* the state as an application left it: echo off, numeric errors (what a diagnosis may
	 * set), text mode and another character set (what it must not touch) */
	read_setting(m, "ATE0", after, sizeof(after));
	read_setting(m, "AT+CMEE=1", after, sizeof(after));
	read_setting(m, "AT+CMGF=1", after, sizeof(after));
	read_setting(m, "AT+CSCS=\"IRA\"", after, sizeof(after));
	for (size_t i = 0; i < N_SETTINGS; i++)
		read_setting(m, settings[i], before[i], sizeof(before[i]));

	ck_assert_int_eq(smsctl_diagnose_options_set_timeout(o, 300), 0);
	ck_assert_int_eq(smsctl_modem_diagnose(m, o, &d), 0);
	smsctl_diagnosis_free(d);
	smsctl_diagnose_options_free(o);

	for (size_t i = 0; i < N_SETTINGS; i++) {
		read_setting(m, settings[i], after, sizeof(after));
		ck_assert_msg(strcmp(after, before[i]) == 0,
			      "sim:%s mode %d: %s read \"%s\" before, \"%s\" after", spec,
			      (int)mode, settings[i], before[i], after);
	}
	/* the faulty cases really changed a line (else they prove nothing) */
	if (mode != PASS && strncmp(before[0], "+CPMS:", 6) == 0 && !strstr(fault, "sim_"))
		ck_assert_msg(f->hit > 0, "sim:%s mode %d: no memory was selected", spec,
			      (int)mode);
	smsctl_modem_free(m);
}

START_TEST(test_faults)
{
	const char *profile = profiles[(size_t)_i / N_FAULTS];
	const char *fault = faults[(size_t)_i % N_FAULTS];
	check_case(profile, fault, PASS);
}
END_TEST

START_TEST(test_midway)
{
	const char *profile = profiles[(size_t)_i / 2];
	enum mode mode = _i % 2 ? TIMEOUT_MIDWAY : ERROR_MIDWAY;
	check_case(profile, "", mode);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("diagnose-state");
	TCase *tc = tcase_create("state");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_faults, 0, (int)(N_PROFILES * N_FAULTS));
	tcase_add_loop_test(tc, test_midway, 0, (int)(N_PROFILES * 2));
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
