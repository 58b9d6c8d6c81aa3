/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * diagnose: run the diagnosis on a device and print every finding, the evidence and the
 * remedy of each problem. The first warning or error is the root cause.
 *
 *   diagnose [DEVICE]      (default $SMSCTL_DEVICE, else "sim:"; try 'sim:?fault=denied')
 *
 * Exits like smsctl diagnose: 0 when the worst finding is ok or info, 1 for a warning, 2 for
 * an error. A port that cannot be opened is a finding too, not a failure of the program.
 */
#include <stdio.h>
#include <stdlib.h>

#include <smsctl/smsctl.h>

/* Print the response lines of one piece of evidence, one per line, indented. */
static void print_lines(const char *s)
{
	for (; *s; s++) {
		putchar(*s);
		if (*s == '\n' && s[1])
			fputs("                 ", stdout);
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	const char *device = argc > 1 ? argv[1] : getenv("SMSCTL_DEVICE");
	struct smsctl_diagnose_options *opts;
	struct smsctl_diagnosis *diag = NULL;
	enum smsctl_severity worst;
	int err;

	if (!device || !*device)
		device = "sim:";
	opts = smsctl_diagnose_options_new();
	if (!opts)
		return 1;
	/* a PIN is entered only if the program gives one */
	if (getenv("SMSCTL_PIN"))
		smsctl_diagnose_options_set_pin(opts, getenv("SMSCTL_PIN"));

	err = smsctl_diagnose_device(device, opts, &diag);
	smsctl_diagnose_options_free(opts);
	if (err < 0) {
		fprintf(stderr, "diagnose: %s\n", smsctl_strerror(err));
		return 1;
	}

	printf("%s:\n", smsctl_diagnosis_get_device(diag));
	for (size_t i = 0; i < smsctl_diagnosis_get_count(diag); i++) {
		const struct smsctl_finding *f = smsctl_diagnosis_get_finding(diag, i);
		enum smsctl_severity sev = smsctl_finding_get_severity(f);

		printf("  [%-7s] %-24s %s\n", smsctl_severity_name(sev), smsctl_finding_get_id(f),
		       smsctl_finding_get_summary(f));
		if (sev < SMSCTL_SEVERITY_WARNING)
			continue;
		for (size_t e = 0; e < smsctl_finding_get_evidence_count(f); e++) {
			const char *cmd, *resp;

			if (smsctl_finding_get_evidence(f, e, &cmd, &resp) < 0)
				continue;
			printf("             %s\n                 ", cmd);
			print_lines(resp);
		}
		if (*smsctl_finding_get_remedy(f))
			printf("             what to do: %s\n", smsctl_finding_get_remedy(f));
	}

	worst = smsctl_diagnosis_get_worst(diag);
	smsctl_diagnosis_free(diag);
	if (worst >= SMSCTL_SEVERITY_ERROR)
		return 2;
	return worst == SMSCTL_SEVERITY_WARNING ? 1 : 0;
}
