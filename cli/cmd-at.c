/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl at COMMAND...: send raw AT commands in order and print what the modem answered. */
#include <getopt.h>
#include <strings.h>

#include "cli.h"

static void at_usage(FILE *f)
{
	fputs(_("Usage: smsctl at [--json] COMMAND...\n"
		"Send raw AT commands in order and print the response lines of each.\n"
		"Stops at the first command that does not end with OK.\n\n"
		"  -j, --json   one object per command: command, result, final, error_code, lines\n"
		"  -h, --help   show this help\n\n"
		"Example: smsctl --device /dev/ttyUSB2 at AT+CSQ 'AT+CREG?'\n"
		"Exit status: 0 when every command ended with OK; 1 on an error result (the\n"
		"final line is printed on stderr); 12 no answer; 13 modem gone; 10/11 port "
		"errors.\n"),
	      f);
}

static const char *result_name(enum smsctl_result r)
{
	switch (r) {
	case SMSCTL_RESULT_OK:
		return "ok";
	case SMSCTL_RESULT_ERROR:
		return "error";
	case SMSCTL_RESULT_CME_ERROR:
		return "cme_error";
	case SMSCTL_RESULT_CMS_ERROR:
		return "cms_error";
	case SMSCTL_RESULT_NO_CARRIER:
		return "no_carrier";
	case SMSCTL_RESULT_BUSY:
		return "busy";
	case SMSCTL_RESULT_NO_ANSWER:
		return "no_answer";
	case SMSCTL_RESULT_NO_DIALTONE:
		return "no_dialtone";
	case SMSCTL_RESULT_NOT_SUPPORTED:
		return "not_supported";
	case SMSCTL_RESULT_TOO_MANY_PARAMETERS:
		return "too_many_parameters";
	case SMSCTL_RESULT_TIMEOUT:
		return "timeout";
	case SMSCTL_RESULT_GONE:
		return "gone";
	case SMSCTL_RESULT_CANCELLED:
		return "cancelled";
	default:
		return "none";
	}
}

static void print_json(const struct smsctl_response *resp, const char *cmd)
{
	struct json j;
	enum smsctl_result r = smsctl_response_get_result(resp);
	int code = smsctl_response_get_error_code(resp);

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "command", resp ? smsctl_response_get_command(resp) : cmd);
	json_kv_string(&j, "result", result_name(r));
	json_kv_string(&j, "final", resp ? smsctl_response_get_final(resp) : "");
	json_kv_int_or_null(&j, "error_code", code, code >= 0);
	json_key(&j, "lines");
	json_array_begin(&j);
	for (size_t i = 0; i < smsctl_response_get_line_count(resp); i++)
		json_string(&j, smsctl_response_get_line(resp, i));
	json_array_end(&j);
	json_object_end(&j);
	json_end_line(&j);
}

int cmd_at(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct smsctl_modem *m = NULL;
	int c, rc, ex = EXIT_OK;

	while ((c = cli_getopt(cli, argc, argv, "h", opts, at_usage, &ex)) != -1) {
		if (c == CLI_OPT_EXIT)
			return ex;
	}
	if (optind >= argc)
		return cli_usage_error(cli, "%s", _("no AT command given"));
	for (int i = optind; i < argc; i++) {
		if (strncasecmp(argv[i], "AT", 2) != 0)
			return cli_usage_error(cli,
					       _("'%s' is not an AT command (did you mean AT%s?)"),
					       argv[i], argv[i]);
	}
	ex = cli_open_modem(cli, &m);
	if (ex != EXIT_OK)
		return ex;
	for (int i = optind; i < argc && ex == EXIT_OK; i++) {
		struct smsctl_response *resp = NULL;

		rc = smsctl_modem_command(m, argv[i], 0, &resp);
		if (rc == SMSCTL_ERR_INVALID) {
			ex = cli_usage_error(
			    cli, _("'%s' cannot be sent (control characters or too long)"),
			    argv[i]);
			break;
		}
		if (cli->json && resp) {
			print_json(resp, argv[i]);
		} else {
			for (size_t l = 0; l < smsctl_response_get_line_count(resp); l++)
				printf("%s\n", smsctl_response_get_line(resp, l));
			fflush(stdout);
		}
		const char *shown = resp ? smsctl_response_get_command(resp) : argv[i];
		switch (rc) {
		case 0:
			if (smsctl_response_get_prompt_seen(resp)) {
				/* nothing was sent: say so rather than exit 0 */
				cli_err(
				    cli,
				    _("%s: the modem asked for a PDU (>), which 'at' cannot give; "
				      "cancelled (use 'smsctl send')"),
				    shown);
				ex = EXIT_OTHER;
			}
			break;
		case SMSCTL_ERR_MODEM:
			cli_err(cli, "%s: %s", shown, smsctl_response_get_final(resp));
			ex = EXIT_OTHER;
			break;
		case SMSCTL_ERR_TIMEOUT:
			cli_err(cli, _("%s: no answer within %u s (is this the modem's AT port?)"),
				shown, cli->timeout_s ? cli->timeout_s : 10);
			ex = EXIT_NO_ANSWER;
			break;
		default: {
			const char *d = smsctl_modem_get_error_detail(m);
			cli_err(cli, "%s: %s", shown, *d ? d : smsctl_strerror(rc));
			ex = cli_exit_for_error(rc);
			if (ex == EXIT_OK)
				ex = EXIT_OTHER;
			break;
		}
		}
		smsctl_response_free(resp);
	}
	smsctl_modem_free(m);
	return ex;
}
