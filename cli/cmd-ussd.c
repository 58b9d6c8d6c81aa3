/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * smsctl ussd CODE: one USSD request and the network's decoded answer.
 * smsctl balance: the balance query once, on --device (--ussd CODE, --regex RE), or, without
 * a device, through smsctld for every modem that has one configured (POST
 * /v1/modems/{name}/balance).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_NO_JSON_WRITER
#include "cli.h"

#if HAVE_QUEUE
#include "api-client.h"
#endif

#define USSD_WAIT_DEFAULT 30
#define USSD_WAIT_MAX	  600

static void ussd_usage(FILE *f)
{
	fputs(_("Usage: smsctl ussd [--wait SECONDS] [--json] CODE\n"
		"Send a USSD request (e.g. *100#, an operator's balance query) and print the\n"
		"network's answer, decoded whatever its coding (GSM 7-bit, UCS-2).\n\n"
		"  -w, --wait SECONDS  how long to wait for the answer (default 30, at most 600)\n"
		"  -j, --json          one object: code, status, text, dcs\n"
		"  -h, --help          show this help\n\n"
		"Status: 0 done, 1 the network asks for more (a menu), 2 ended by the network,\n"
		"3 answered by another client, 4 not supported, 5 network time-out.\n"
		"Exit status: 0 with an answer; 12 no answer in time; 1 refused by the modem;\n"
		"10/11/13/20/21 as for the other commands.\n"),
	      f);
}

static int parse_wait(const struct cli *cli, const char *s, unsigned *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end || v < 1 || v > USSD_WAIT_MAX)
		return cli_usage_error(cli, _("invalid --wait '%s' (1 to %d seconds)"), s,
				       USSD_WAIT_MAX);
	*out = (unsigned)v;
	return EXIT_OK;
}

static bool code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 160)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || s[i] == '"')
			return false;
	return true;
}

/* Run one request on the open modem; prints the error and returns its exit code on failure. */
static int run_ussd(struct cli *cli, struct smsctl_modem *m, const char *code, unsigned wait_s,
		    struct smsctl_ussd **u)
{
	int rc = smsctl_ussd_send(m, code, wait_s * 1000u, u);
	if (rc == 0)
		return EXIT_OK;
	if (rc == SMSCTL_ERR_TIMEOUT)
		cli_err(cli, _("no USSD answer within %u s"), wait_s);
	else {
		const char *d = smsctl_sms_get_error_detail(m);
		if (!*d)
			d = smsctl_modem_get_error_detail(m);
		cli_err(cli, "%s", *d ? d : smsctl_strerror(rc));
	}
	return rc == SMSCTL_ERR_MODEM ? EXIT_OTHER : cli_exit_for_error(rc);
}

static const char *status_text(int status)
{
	switch (status) {
	case SMSCTL_USSD_TERMINATED:
		return _("the network ended the USSD session");
	case SMSCTL_USSD_OTHER_CLIENT:
		return _("another client answered the USSD request");
	case SMSCTL_USSD_NOT_SUPPORTED:
		return _("the network does not support this USSD request");
	case SMSCTL_USSD_NETWORK_TIMEOUT:
		return _("the network timed out");
	default:
		return NULL;
	}
}

int cmd_ussd(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"wait", required_argument, NULL, 'w'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct smsctl_modem *m = NULL;
	struct smsctl_ussd *u = NULL;
	unsigned wait_s = USSD_WAIT_DEFAULT;
	int c, ex;

	while ((c = cli_getopt(cli, argc, argv, "w:jh", opts, ussd_usage, &ex)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return ex;
		case 'j':
			cli->json = true;
			break;
		case 'w':
			ex = parse_wait(cli, optarg, &wait_s);
			if (ex != EXIT_OK)
				return ex;
			break;
		}
	}
	if (optind >= argc)
		return cli_usage_error(cli, "%s", _("missing the USSD code (e.g. *100#)"));
	if (optind + 1 < argc)
		return cli_usage_error(cli, _("unexpected argument '%s'"), argv[optind + 1]);
	const char *code = argv[optind];
	if (!code_ok(code))
		return cli_usage_error(cli,
				       _("invalid USSD code '%s' (1 to 160 printable ASCII "
					 "characters without '\"')"),
				       code);
	ex = cli_open_modem(cli, &m);
	if (ex != EXIT_OK)
		return ex;
	ex = run_ussd(cli, m, code, wait_s, &u);
	if (ex == EXIT_OK) {
		int dcs = smsctl_ussd_get_dcs(u);
		char *text = cli->json ? NULL : cli_printable(smsctl_ussd_get_text(u));
		const struct cli_field fields[] = {
		    {"code", CLI_FIELD_STRING, true, code, 0, 0, NULL},
		    {"status", CLI_FIELD_INT, true, NULL, smsctl_ussd_get_status(u), 0, NULL},
		    {"text", CLI_FIELD_STRING, true, smsctl_ussd_get_text(u), 0, 0,
		     text ? text : ""},
		    {"dcs", CLI_FIELD_INT, dcs >= 0, NULL, dcs, 0, NULL},
		};
		const char *why = status_text(smsctl_ussd_get_status(u));
		if (cli->json || *smsctl_ussd_get_text(u))
			cli_fields_print(stdout, fields, sizeof(fields) / sizeof(fields[0]),
					 cli->json, CLI_FIELDS_LINE);
		if (!cli->json && why)
			cli_err(cli, "%s", why);
		free(text);
	}
	smsctl_ussd_free(u);
	smsctl_modem_free(m);
	return ex;
}

/* ---- balance ---- */

static void balance_usage(FILE *f)
{
	fputs(_("Usage: smsctl --device DEV balance --ussd CODE [--regex RE] [--wait SECONDS]\n"
		"       smsctl [--server URL] balance\n"
		"Read the SIM's prepaid balance once. With a device: the USSD query CODE, the\n"
		"amount taken by RE (PCRE2, first capture group; default the first number).\n"
		"Without one: smsctld runs the query configured for every modem now\n"
		"(balance_ussd or balance_sms) and each modem's reading is printed.\n\n"
		"  --ussd CODE         the operator's balance code, e.g. *100#\n"
		"  --regex RE          where the amount is in the answer\n"
		"  -w, --wait SECONDS  how long to wait for the answer (default 30)\n"
		"  -j, --json          one object per modem: name, balance, balance_at, low, raw\n"
		"  -h, --help          show this help\n"),
	      f);
}

static int balance_device(struct cli *cli, const char *code, const char *regex, unsigned wait_s)
{
	struct smsctl_modem *m = NULL;
	struct smsctl_ussd *u = NULL;
	double amount = 0;
	int ex = cli_open_modem(cli, &m);

	if (ex != EXIT_OK)
		return ex;
	ex = run_ussd(cli, m, code, wait_s, &u);
	if (ex == EXIT_OK) {
		int rc = smsctl_balance_parse(smsctl_ussd_get_text(u), regex, &amount);
		char *raw = cli->json ? NULL : cli_printable(smsctl_ussd_get_text(u));
		char human[64];
		snprintf(human, sizeof(human), "%.2f  ", amount);
		const struct cli_field fields[] = {
		    {"name", CLI_FIELD_STRING, true, smsctl_modem_get_device(m), 0, 0, NULL},
		    {"balance", CLI_FIELD_DECIMAL1, rc == 0, NULL, 0, amount, NULL},
		    {"raw", CLI_FIELD_STRING, true, smsctl_ussd_get_text(u), 0, 0, NULL},
		};
		if (rc == SMSCTL_ERR_INVALID) {
			ex = cli_usage_error(cli, _("invalid --regex '%s'"), regex);
		} else if (cli->json) {
#if HAVE_QUEUE /* jansson: the amount exactly, not with one decimal */
			json_t *o = json_pack("{s:s, s:o, s:s}", "name", smsctl_modem_get_device(m),
					      "balance", rc == 0 ? json_real(amount) : json_null(),
					      "raw", smsctl_ussd_get_text(u));
			char *txt =
			    o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
			if (txt)
				printf("%s\n", txt);
			free(txt);
			json_decref(o);
			(void)fields;
#else
			cli_fields_print(stdout, fields, sizeof(fields) / sizeof(fields[0]), true,
					 CLI_FIELDS_LINE);
#endif
		} else {
			if (rc == 0)
				fputs(human, stdout);
			printf("%s\n", raw ? raw : "");
		}
		if (rc < 0 && rc != SMSCTL_ERR_INVALID) {
			cli_err(cli, "%s", _("no amount found in the answer"));
			ex = EXIT_DATAERR;
		}
		free(raw);
	}
	smsctl_ussd_free(u);
	smsctl_modem_free(m);
	return ex;
}

#if HAVE_QUEUE
/* --server, else SMSCTL_SERVER, else the default socket (as `queue` reads them). */
static const char *server_of(const struct cli *cli)
{
	const char *s = cli->server;
	if (!s || !*s)
		s = getenv("SMSCTL_SERVER");
	return s && *s ? s : CLI_DEFAULT_SERVER;
}

static int balance_daemon(struct cli *cli)
{
	struct cli_http_reply r;
	int ex = cli_api_request(cli, "GET", "/v1/modems", NULL, &r), worst = EXIT_OK;
	json_t *arr, *m;
	size_t i;

	if (ex != EXIT_OK)
		return ex;
	arr = json_object_get(r.body, "modems");
	json_array_foreach(arr, i, m)
	{
		const char *name = cli_api_str(m, "name");
		char *e = cli_http_escape(name);
		char path[512];
		struct cli_http_reply b;
		if (!e)
			continue;
		snprintf(path, sizeof(path), "/v1/modems/%s/balance", e);
		free(e);
		char err[256];
		if (cli_http_request(server_of(cli), getenv("SMSCTL_TOKEN"), "POST", path, "{}", &b,
				     err, sizeof(err)) < 0) {
			cli_err(cli, "%s", err);
			worst = EXIT_UNAVAILABLE;
			break;
		}
		if (b.status == 422) { /* no balance query configured for it */
			json_decref(b.body);
			continue;
		}
		if (b.status != 200) {
			json_t *er = json_object_get(b.body, "error");
			cli_err(cli, "%s: %s", name, cli_api_str(er, "message"));
			if (cli->json) {
				json_t *o = json_pack("{s:s, s:O}", "name", name, "error",
						      er ? er : json_null());
				cli_api_print_json(o);
				json_decref(o);
			}
			worst = EXIT_OTHER;
		} else if (cli->json) {
			cli_api_print_json(b.body);
		} else {
			char *raw = cli_printable(cli_api_str(b.body, "raw"));
			json_t *v = json_object_get(b.body, "balance");
			printf("%-12s %10.2f %s  %s\n", name, json_number_value(v),
			       json_is_true(json_object_get(b.body, "low")) ? _("LOW") : "  ",
			       raw ? raw : "");
			free(raw);
		}
		json_decref(b.body);
	}
	json_decref(r.body);
	return worst;
}
#endif

int cmd_balance(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"ussd", required_argument, NULL, 'U'}, {"regex", required_argument, NULL, 'R'},
	    {"wait", required_argument, NULL, 'w'}, {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	const char *code = NULL, *regex = NULL;
	unsigned wait_s = USSD_WAIT_DEFAULT;
	int c, ex;

	while ((c = cli_getopt(cli, argc, argv, "w:jh", opts, balance_usage, &ex)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return ex;
		case 'j':
			cli->json = true;
			break;
		case 'U':
			code = optarg;
			break;
		case 'R':
			regex = optarg;
			break;
		case 'w':
			ex = parse_wait(cli, optarg, &wait_s);
			if (ex != EXIT_OK)
				return ex;
			break;
		}
	}
	ex = cli_no_operands(cli, argc, argv);
	if (ex != EXIT_OK)
		return ex;
	if (cli->device) {
		if (!code)
			return cli_usage_error(cli, "%s",
					       _("--ussd CODE is needed with a device (or leave "
						 "out --device to ask smsctld)"));
		if (!code_ok(code))
			return cli_usage_error(cli, _("invalid USSD code '%s'"), code);
		return balance_device(cli, code, regex, wait_s);
	}
	if (code || regex)
		return cli_usage_error(cli, "%s",
				       _("--ussd and --regex need --device; smsctld uses the "
					 "configured queries"));
#if HAVE_QUEUE
	return balance_daemon(cli);
#else
	cli_err(cli, "%s",
		_("this smsctl was built without libcurl and jansson: balance needs --device"));
	return 69;
#endif
}
