/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl diagnose: why SMS do not go out or come in. The port is opened through the library's
 * diagnosis (not cli_open_modem()), so that a port that cannot be opened is a finding. */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define C_RESET	 "\033[0m"
#define C_GREEN	 "\033[32m"
#define C_CYAN	 "\033[36m"
#define C_YELLOW "\033[33m"
#define C_RED	 "\033[1;31m"
#define C_DIM	 "\033[2m"

static void usage(FILE *f)
{
	fputs(
	    _("Usage: smsctl [--device DEV] diagnose [--json] [-v] [--no-probe]\n"
	      "Check the port, the modem, the SIM card, the signal, the network registration,\n"
	      "the SMS service, the message storage and the receive settings, in that order,\n"
	      "and say what is wrong and what to do. Nothing on the modem is changed.\n\n"
	      "Options:\n"
	      "  -j, --json       print one JSON object: device, worst, findings\n"
	      "  -v, --verbose    show the AT commands and answers behind each finding\n"
	      "                   (twice: also trace the whole exchange on stderr)\n"
	      "      --no-probe   do not try the other ports of a USB modem that does not answer\n"
	      "  -h, --help       show this help\n\n"
	      "The SIM PIN is entered only when given with --pin-file or $SMSCTL_PIN.\n\n"
	      "Exit status: 0 no problem (ok/info), 1 a warning, 2 an error, 64 usage error.\n"),
	    f);
}

static const char *mark(enum smsctl_severity sev)
{
	switch (sev) {
	case SMSCTL_SEVERITY_OK:
		return _("ok");
	case SMSCTL_SEVERITY_INFO:
		return _("info");
	case SMSCTL_SEVERITY_WARNING:
		return _("warning");
	case SMSCTL_SEVERITY_ERROR:
		return _("error");
	}
	return "?";
}

static const char *color_of(enum smsctl_severity sev)
{
	switch (sev) {
	case SMSCTL_SEVERITY_OK:
		return C_GREEN;
	case SMSCTL_SEVERITY_INFO:
		return C_CYAN;
	case SMSCTL_SEVERITY_WARNING:
		return C_YELLOW;
	case SMSCTL_SEVERITY_ERROR:
		return C_RED;
	}
	return "";
}

/* Print text indented, each of its lines prefixed. */
static void print_indented(const char *prefix, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");
		printf("%s%.*s\n", prefix, (int)n, p);
		p += n;
		if (*p == '\n')
			p++;
	}
}

static void print_human(const struct cli *cli, const struct smsctl_diagnosis *d)
{
	size_t n = smsctl_diagnosis_get_count(d);
	const struct smsctl_finding *root = smsctl_diagnosis_get_root_cause(d);
	unsigned warnings = 0, errors = 0;

	printf(_("Diagnosis of %s\n"), smsctl_diagnosis_get_device(d));
	for (size_t i = 0; i < n; i++) {
		const struct smsctl_finding *f = smsctl_diagnosis_get_finding(d, i);
		enum smsctl_severity sev = smsctl_finding_get_severity(f);

		if (sev == SMSCTL_SEVERITY_WARNING)
			warnings++;
		if (sev == SMSCTL_SEVERITY_ERROR)
			errors++;
		if (cli->color)
			printf("%s[%s]%s %s %s(%s)%s\n", color_of(sev), mark(sev), C_RESET,
			       smsctl_finding_get_summary(f), C_DIM, smsctl_finding_get_id(f),
			       C_RESET);
		else
			printf("[%s] %s (%s)\n", mark(sev), smsctl_finding_get_summary(f),
			       smsctl_finding_get_id(f));
		const char *detail = smsctl_finding_get_detail(f);
		const char *remedy = smsctl_finding_get_remedy(f);
		if ((sev >= SMSCTL_SEVERITY_INFO || cli->verbose) && detail[0])
			print_indented("    ", detail);
		if (sev >= SMSCTL_SEVERITY_INFO && remedy[0]) {
			printf("    %s\n", _("What to do:"));
			print_indented("      ", remedy);
		}
		if (cli->verbose) {
			for (size_t k = 0; k < smsctl_finding_get_evidence_count(f); k++) {
				const char *cmd, *resp;
				if (smsctl_finding_get_evidence(f, k, &cmd, &resp) < 0)
					continue;
				printf("    > %s\n", cmd);
				print_indented("    < ", resp);
			}
		}
	}
	if (root)
		printf(_("Root cause: %s\n"), smsctl_finding_get_summary(root));
	if (errors || warnings)
		printf(_("%u error(s), %u warning(s).\n"), errors, warnings);
	else
		fputs(_("No problem found.\n"), stdout);
}

static void print_json(const struct smsctl_diagnosis *d)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "device", smsctl_diagnosis_get_device(d));
	json_kv_string(&j, "worst", smsctl_severity_name(smsctl_diagnosis_get_worst(d)));
	const struct smsctl_finding *root = smsctl_diagnosis_get_root_cause(d);
	if (root)
		json_kv_string(&j, "root_cause", smsctl_finding_get_id(root));
	else
		json_kv_null(&j, "root_cause");
	json_key(&j, "findings");
	json_array_begin(&j);
	for (size_t i = 0; i < smsctl_diagnosis_get_count(d); i++) {
		const struct smsctl_finding *f = smsctl_diagnosis_get_finding(d, i);
		json_object_begin(&j);
		json_kv_string(&j, "id", smsctl_finding_get_id(f));
		json_kv_string(&j, "severity",
			       smsctl_severity_name(smsctl_finding_get_severity(f)));
		json_kv_string(&j, "summary", smsctl_finding_get_summary(f));
		json_kv_string(&j, "detail", smsctl_finding_get_detail(f));
		json_key(&j, "evidence");
		json_array_begin(&j);
		for (size_t k = 0; k < smsctl_finding_get_evidence_count(f); k++) {
			const char *cmd, *resp;
			if (smsctl_finding_get_evidence(f, k, &cmd, &resp) < 0)
				continue;
			json_object_begin(&j);
			json_kv_string(&j, "command", cmd);
			json_kv_string(&j, "response", resp);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_kv_string(&j, "remedy", smsctl_finding_get_remedy(f));
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_end_line(&j);
}

static void trace_stderr(void *userdata, enum smsctl_trace_dir dir, const char *data, size_t len)
{
	const char *tag = dir == SMSCTL_TRACE_TX ? ">> " : dir == SMSCTL_TRACE_RX ? "<< " : "-- ";

	fputs(tag, stderr);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		if (c == '\r')
			fputs("\\r", stderr);
		else if (c == '\n')
			fputs("\\n", stderr);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputc('\n', stderr);
}

int cmd_diagnose(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"no-probe", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool probe = true;
	int c, ex;

	while ((c = cli_getopt(cli, argc, argv, "h", opts, usage, &ex)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return ex;
		case 'n':
			probe = false;
			break;
		}
	}
	ex = cli_no_operands(cli, argc, argv);
	if (ex != EXIT_OK)
		return ex;
	if (!cli->device)
		return cli_usage_error(cli, "%s",
				       _("no device: give --device DEV or set SMSCTL_DEVICE "
					 "('smsctl ports --probe' lists the modems it finds)"));

	char pin_buf[16];
	int pin_rc = cli_read_pin(cli, pin_buf, sizeof(pin_buf));
	if (pin_rc != EXIT_OK)
		return pin_rc;
	char *pin = pin_buf[0] ? strdup(pin_buf) : NULL;
	explicit_bzero(pin_buf, sizeof(pin_buf));

	struct smsctl_diagnose_options *o = smsctl_diagnose_options_new();
	struct smsctl_diagnosis *d = NULL;
	int rc = EXIT_OTHER;
	if (!o) {
		cli_err(cli, "%s", smsctl_strerror(SMSCTL_ERR_NOMEM));
		goto out;
	}
	if (cli->baud)
		smsctl_diagnose_options_set_baud(o, cli->baud);
	smsctl_diagnose_options_set_timeout(o, cli->timeout_s * 1000u);
	smsctl_diagnose_options_set_probe_siblings(o, probe);
	if (pin)
		smsctl_diagnose_options_set_pin(o, pin);
	if (cli->verbose >= 2)
		smsctl_diagnose_options_set_trace(o, trace_stderr, NULL);

	int err = smsctl_diagnose_device(cli->device, o, &d);
	if (err == SMSCTL_ERR_INVALID) {
		rc = cli_usage_error(cli, _("invalid device '%s'"), cli->device);
		goto out;
	}
	if (err < 0) {
		cli_err(cli, "%s", smsctl_strerror(err));
		goto out;
	}
	if (cli->json)
		print_json(d);
	else
		print_human(cli, d);
	switch (smsctl_diagnosis_get_worst(d)) {
	case SMSCTL_SEVERITY_ERROR:
		rc = 2;
		break;
	case SMSCTL_SEVERITY_WARNING:
		rc = 1;
		break;
	default:
		rc = EXIT_OK;
	}
out:
	smsctl_diagnosis_free(d);
	smsctl_diagnose_options_free(o);
	if (pin) {
		memset(pin, 0, strlen(pin));
		free(pin);
	}
	return rc;
}
