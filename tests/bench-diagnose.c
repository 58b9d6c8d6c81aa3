/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-diagnose: AT commands and wall time of a diagnosis of a healthy simulated modem at
 * 115200 baud with 50 ms per command (the goal, issue 12: at most 10 commands, under 1 s, on
 * every profile, Wavecom's one command per line included). Public API
 * only. Usage: bench-diagnose [DEVICE...] (default: every profile). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <smsctl/smsctl.h>

#define GOAL_COMMANDS 10
#define GOAL_MS	      1000.0

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* @return 0 when the goal was met, 1 when not, -1 on failure. */
static int bench(const char *device)
{
	struct smsctl_modem *m = NULL;
	struct smsctl_diagnosis *d = NULL;
	int rc = -1;

	double t0 = now_ms();
	if (smsctl_modem_new(device, NULL, &m) < 0 || smsctl_modem_open(m) < 0) {
		fprintf(stderr, "bench-diagnose: cannot open %s\n", device);
		goto out;
	}
	if (smsctl_modem_diagnose(m, NULL, &d) < 0) {
		fprintf(stderr, "bench-diagnose: diagnosis failed\n");
		goto out;
	}
	double ms = now_ms() - t0;
	unsigned long lines = smsctl_sim_get_command_count(smsctl_modem_get_sim(m));
	unsigned long cmds = smsctl_diagnosis_get_command_count(d);
	const char *worst = smsctl_severity_name(smsctl_diagnosis_get_worst(d));
	bool met = lines <= GOAL_COMMANDS && ms < GOAL_MS;
	printf("%-48s %3lu AT command lines (%lu sent by the diagnosis), %7.1f ms, worst %s, %s\n",
	       device, lines, cmds, ms, worst, met ? "goal met" : "GOAL MISSED");
	rc = met ? 0 : 1;
out:
	smsctl_diagnosis_free(d);
	smsctl_modem_free(m);
	return rc;
}

int main(int argc, char **argv)
{
	static const char *const profiles[] = {"generic", "wavecom", "cinterion",
					       "simcom",  "quectel", "huawei"};
	int worst = 0;

	printf("diagnose of a healthy sim: modem, 115200 baud, 50 ms per command "
	       "(goal: <= %d commands, < %.0f ms)\n",
	       GOAL_COMMANDS, GOAL_MS);
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			int r = bench(argv[i]);
			worst = r < 0 ? 2 : (r > worst ? r : worst);
		}
		return worst == 2 ? 1 : 0;
	}
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		char dev[96];
		snprintf(dev, sizeof(dev), "sim:%s?baud=115200&latency=50", profiles[i]);
		int r = bench(dev);
		if (r < 0)
			return 1;
	}
	return 0;
}
