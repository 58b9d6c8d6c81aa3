/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening the modem for a command: the device from --device or SMSCTL_DEVICE, options from
 * the global flags, the -v trace on stderr, and the open errors with their exit codes. */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The trace in the transcript format of tests/data/transcripts: "> " what was written,
 * "< " a line received, "# " an event of the engine; control bytes as C escapes. A written
 * command's final CR is not shown (a transcript's "> " line implies it). */
static void print_escaped(FILE *f, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		switch (c) {
		case '\r':
			fputs("\\r", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		default:
			/* bytes >= 0x80 too: line noise must not reach the terminal raw */
			if (c < 0x20 || c >= 0x7f)
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
	}
}

static void trace_stderr(void *userdata, enum smsctl_trace_dir dir, const char *data, size_t len)
{
	const char *mark = "# ";

	if (dir == SMSCTL_TRACE_TX) {
		mark = "> ";
		if (len > 0 && data[len - 1] == '\r')
			len--;
	} else if (dir == SMSCTL_TRACE_RX) {
		mark = "< ";
	}
	fputs(mark, stderr);
	print_escaped(stderr, data, len);
	fputc('\n', stderr);
	fflush(stderr);
}

int cli_open_modem(struct cli *cli, struct smsctl_modem **out)
{
	struct smsctl_modem_options *opts;
	struct smsctl_modem *m = NULL;
	int rc;

	*out = NULL;
	cli->open_error = SMSCTL_ERR_INVALID;
	if (!cli->device || !*cli->device) {
		cli_err(cli, "%s",
			_("no modem given: use --device DEV or set SMSCTL_DEVICE "
			  "(run 'smsctl ports --probe' to find one)"));
		return EXIT_USAGE;
	}
	opts = smsctl_modem_options_new();
	if (!opts) {
		cli_err(cli, "%s", smsctl_strerror(SMSCTL_ERR_NOMEM));
		return EXIT_OTHER;
	}
	if (cli->baud)
		smsctl_modem_options_set_baud(opts, cli->baud);
	smsctl_modem_options_set_timeout(opts, (cli->timeout_s ? cli->timeout_s : 10) * 1000u);
	if (cli->verbose)
		smsctl_modem_options_set_trace(opts, trace_stderr, NULL);
	rc = smsctl_modem_new(cli->device, opts, &m);
	smsctl_modem_options_free(opts);
	if (rc == SMSCTL_ERR_INVALID)
		return cli_usage_error(
		    cli, _("invalid device '%s' (use a path, tcp:HOST:PORT or sim:)"), cli->device);
	if (rc < 0) {
		cli->open_error = rc;
		cli_err(cli, "%s", smsctl_strerror(rc));
		return cli_exit_for_error(rc);
	}
	rc = smsctl_modem_open(m);
	if (rc < 0) {
		cli->open_error = rc;
		const char *detail = smsctl_modem_get_error_detail(m);
		if (rc == SMSCTL_ERR_INVALID)
			rc = cli_usage_error(cli, "%s", *detail ? detail : smsctl_strerror(rc));
		else {
			cli_err(cli, "%s", *detail ? detail : smsctl_strerror(rc));
			rc = cli_exit_for_error(rc);
		}
		smsctl_modem_free(m);
		return rc;
	}
	*out = m;
	return EXIT_OK;
}

int cli_open_json_command(struct cli *cli, int argc, char **argv, void (*usage)(FILE *f),
			  struct smsctl_modem **out)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, ex;

	*out = NULL;
	while ((c = cli_getopt(cli, argc, argv, "jh", opts, usage, &ex)) != -1) {
		if (c == CLI_OPT_EXIT)
			return ex;
		if (c == 'j')
			cli->json = true;
	}
	ex = cli_no_operands(cli, argc, argv);
	if (ex != EXIT_OK)
		return ex;
	return cli_open_modem(cli, out);
}

int cli_modem_failed(struct cli *cli, struct smsctl_modem *m, int rc)
{
	const char *d = smsctl_modem_get_error_detail(m);

	cli_err(cli, "%s", *d ? d : smsctl_strerror(rc));
	smsctl_modem_free(m);
	return cli_exit_for_error(rc);
}

int cli_check_sim_device(struct cli *cli)
{
	struct smsctl_modem *m = NULL;

	if (!cli->device || strncmp(cli->device, "sim:", 4) != 0)
		return EXIT_OK;
	int rc = smsctl_modem_new(cli->device, NULL, &m);
	if (rc == 0)
		rc = smsctl_modem_open(m); /* in-process: parses the device string, no I/O */
	if (rc == SMSCTL_ERR_INVALID) {
		const char *detail = m ? smsctl_modem_get_error_detail(m) : "";
		rc = cli_usage_error(cli, "%s", *detail ? detail : smsctl_strerror(rc));
	} else {
		rc = EXIT_OK; /* anything else is the command's to report */
	}
	smsctl_modem_free(m);
	return rc;
}
