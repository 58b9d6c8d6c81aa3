/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-with-sim: how an application tests its own SMS code against failures without
 * hardware, using the simulated modem's faults.
 *
 * app_notify() stands for the application's code: it sends a reminder and decides what the
 * application does next. The table below runs it against a healthy simulated modem and
 * against faults, and checks both the decision and what the simulated network really
 * received (a message must go out exactly once, or not at all).
 *
 * Run without arguments; exits 0 when every case passes. Built and run by meson as a test.
 */
#include <stdio.h>
#include <string.h>

#include <smsctl/smsctl.h>

/* ---- the application's code under test ---- */

enum app_outcome {
	APP_SENT,        /* done */
	APP_RETRY_LATER, /* queue it again in a few minutes */
	APP_ALERT_STAFF, /* someone must fix the SIM, the account or the number */
	APP_DO_NOT_RESEND, /* it may have gone out: ask a person before sending again */
};

static const char *const outcome_names[] = {
	"sent", "retry later", "alert staff", "do not resend",
};

static enum app_outcome app_notify(struct smsctl_modem *modem, const char *number,
				   const char *text, const struct smsctl_send_options *opts)
{
	struct smsctl_send_result *res = NULL;
	int err = smsctl_sms_send(modem, number, text, opts, &res);

	smsctl_send_result_free(res);
	switch (err) {
	case 0:
		return APP_SENT;
	case SMSCTL_ERR_TRANSIENT:
	case SMSCTL_ERR_NETWORK: /* no network now: the shop's modem may get it back */
	case SMSCTL_ERR_TIMEOUT:
	case SMSCTL_ERR_GONE:
		return APP_RETRY_LATER;
	case SMSCTL_ERR_UNKNOWN_OUTCOME:
		return APP_DO_NOT_RESEND;
	default: /* SIM problems, permanent rejections, bad numbers */
		return APP_ALERT_STAFF;
	}
}

/* ---- the test ---- */

struct test_case {
	const char *device;     /* the simulated modem and its faults */
	enum app_outcome want;  /* what the application must decide */
	size_t want_sent;       /* how many PDUs the simulated network accepted */
};

static const struct test_case cases[] = {
	{"sim:", APP_SENT, 1},
	{"sim:huawei", APP_SENT, 1},
	/* congestion once: retried by the library, sent exactly once */
	{"sim:?fault=send_fail_once:42", APP_SENT, 1},
	/* congestion that does not end: nothing sent, try later */
	{"sim:?fault=send_fail:42", APP_RETRY_LATER, 0},
	/* a permanent rejection (call barred): no retry */
	{"sim:?fault=send_fail:21", APP_ALERT_STAFF, 0},
	{"sim:?fault=sim_absent", APP_ALERT_STAFF, 0},
	{"sim:?fault=sim_pin", APP_ALERT_STAFF, 0},
	{"sim:?fault=not_registered", APP_RETRY_LATER, 0},
	{"sim:quectel?fault=denied", APP_RETRY_LATER, 0},
	/* the network never answers the submit: it may have gone out */
	{"sim:?fault=send_timeout", APP_DO_NOT_RESEND, 0},
};

static int run_case(const struct test_case *tc, const struct smsctl_send_options *opts)
{
	struct smsctl_modem *modem = NULL;
	enum app_outcome got;
	size_t sent;
	int err;

	err = smsctl_modem_new(tc->device, NULL, &modem);
	if (err == 0)
		err = smsctl_modem_open(modem);
	if (err < 0) {
		printf("FAIL %s: cannot open: %s\n", tc->device, smsctl_strerror(err));
		smsctl_modem_free(modem);
		return 1;
	}
	got = app_notify(modem, "+8613800138000", "Your order is ready for pickup.", opts);
	sent = smsctl_sim_get_sent_count(smsctl_modem_get_sim(modem));
	smsctl_modem_free(modem);

	if (got != tc->want || sent != tc->want_sent) {
		printf("FAIL %s: %s with %zu sent, expected %s with %zu sent\n", tc->device,
		       outcome_names[got], sent, outcome_names[tc->want], tc->want_sent);
		return 1;
	}
	printf("ok   %-32s %s\n", tc->device, outcome_names[got]);
	return 0;
}

int main(void)
{
	struct smsctl_send_options *opts = smsctl_send_options_new();
	int failed = 0;

	if (!opts)
		return 1;
	/* keep the test fast: short pauses between retries, a short wait for the network */
	smsctl_send_options_set_backoff(opts, 10, 100);
	smsctl_send_options_set_submit_timeout(opts, 1000);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		failed += run_case(&cases[i], opts);

	smsctl_send_options_free(opts);
	printf("%d of %zu cases failed\n", failed, sizeof(cases) / sizeof(cases[0]));
	return failed ? 1 : 0;
}
