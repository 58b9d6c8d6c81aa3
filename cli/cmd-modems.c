/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * smsctl modems [--json] | modems enable NAME | modems disable NAME | modems diagnose NAME:
 * smsctld's modem pool through its API (/v1/modems), like `smsctl queue` (--server,
 * SMSCTL_SERVER, SMSCTL_TOKEN and its exit codes). `diagnose` prints the findings in the
 * shape of `smsctl diagnose --json` and exits like `smsctl diagnose` (0 ok/info, 1 warning,
 * 2 error) once the daemon answered.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_NO_JSON_WRITER
#include "cli.h"

#if HAVE_QUEUE
#include "api-client.h"

static void modems_usage(FILE *f)
{
	fputs(_("Usage: smsctl [--server URL] modems [--json]\n"
		"       smsctl modems enable NAME\n"
		"       smsctl modems disable NAME\n"
		"       smsctl modems diagnose NAME [--json]\n"
		"The modems of smsctld: one line per modem with its state, the reason, the\n"
		"operator, the signal, parts sent today and the daily limit, the last send and\n"
		"the balance. disable takes a modem out of rotation (state disabled), enable\n"
		"puts it back; diagnose runs the diagnosis now, between two sends, and prints\n"
		"its findings (the modem's state follows them).\n\n"
		"  --server URL        unix:/PATH or http://HOST:PORT (default $SMSCTL_SERVER,\n"
		"                      else unix:/run/smsctl/api.sock); on TCP the token is\n"
		"                      $SMSCTL_TOKEN\n"
		"  -j, --json          the daemon's objects, one per line\n\n"
		"Exit codes: 0 success, 64 usage, 65 refused input, 69 daemon unreachable,\n"
		"77 unauthorized, 1 other; diagnose: 0 ok or info, 1 warning, 2 error.\n"),
	      f);
}

/* A value from the daemon (a modem's operator name, a reason) safe for a terminal. */
static void put(const char *s, int width)
{
	char *p = cli_printable(s ? s : "-");

	printf("%-*s ", width, p ? p : "?");
	free(p);
}

static void print_modem(json_t *m)
{
	json_t *sig = json_object_get(m, "signal_dbm"), *lim = json_object_get(m, "daily_limit");
	json_t *bal = json_object_get(m, "balance");
	char buf[64];

	put(cli_api_str(m, "name"), 12);
	put(cli_api_str(m, "state"), 9);
	put(cli_api_str(m, "reason"), 22);
	put(cli_api_str(m, "operator"), 14);
	if (json_is_integer(sig))
		snprintf(buf, sizeof(buf), "%lld dBm", (long long)json_integer_value(sig));
	else
		snprintf(buf, sizeof(buf), "-");
	put(buf, 8);
	if (json_is_integer(lim))
		snprintf(buf, sizeof(buf), "%lld/%lld",
			 (long long)json_integer_value(json_object_get(m, "parts_today")),
			 (long long)json_integer_value(lim));
	else
		snprintf(buf, sizeof(buf), "%lld/-",
			 (long long)json_integer_value(json_object_get(m, "parts_today")));
	put(buf, 11);
	put(cli_api_str(m, "last_send"), 24);
	if (json_is_number(bal))
		printf("%.2f\n", json_number_value(bal));
	else
		printf("-\n");
}

static int modems_list(struct cli *cli)
{
	struct cli_http_reply r;
	int rc = cli_api_request(cli, "GET", "/v1/modems", NULL, &r);
	json_t *o;
	size_t i;

	if (rc != EXIT_OK)
		return rc;
	if (!cli->json)
		printf("%-12s %-9s %-22s %-14s %-8s %-11s %-24s %s\n", _("NAME"), _("STATE"),
		       _("REASON"), _("OPERATOR"), _("SIGNAL"), _("TODAY"), _("LAST SEND"),
		       _("BALANCE"));
	json_array_foreach(json_object_get(r.body, "modems"), i, o)
	{
		if (cli->json)
			cli_api_print_json(o);
		else
			print_modem(o);
	}
	json_decref(r.body);
	return EXIT_OK;
}

/* The findings as `smsctl diagnose` prints them, shortened: severity, id, summary, remedy. */
static int print_diagnosis(struct cli *cli, json_t *o)
{
	const char *worst = cli_api_str(o, "worst");
	json_t *f;
	size_t i;

	if (cli->json) {
		cli_api_print_json(o);
	} else {
		printf(_("modem %s: %s"), cli_api_str(o, "name"), cli_api_str(o, "state"));
		if (json_is_string(json_object_get(o, "reason")))
			printf(" (%s)", cli_api_str(o, "reason"));
		printf("\n");
		json_array_foreach(json_object_get(o, "findings"), i, f)
		{
			const char *sev = cli_api_str(f, "severity");
			if (strcmp(sev, "ok") == 0 && !cli->verbose)
				continue;
			char *sum = cli_printable(cli_api_str(f, "summary"));
			printf("%-7s %-24s %s\n", sev, cli_api_str(f, "id"), sum ? sum : "?");
			free(sum);
			if (json_is_string(json_object_get(f, "remedy")) &&
			    strcmp(sev, "ok") != 0) {
				char *rem = cli_printable(cli_api_str(f, "remedy"));
				printf("        %s\n", rem ? rem : "?");
				free(rem);
			}
		}
	}
	if (strcmp(worst, "error") == 0)
		return 2;
	return strcmp(worst, "warning") == 0 ? 1 : 0;
}

int cmd_modems(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *sub = "list";
	int c;

	if (argc >= 2 && argv[1][0] != '-') {
		sub = argv[1];
		argc--;
		argv++;
	}
	opterr = 0;
	optind = 0; /* 0: glibc starts over (permuting), after the global options' "+" parse */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			modems_usage(stdout);
			return EXIT_OK;
		default:
			return cli_usage_error(cli, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (strcmp(sub, "list") == 0) {
		if (optind < argc)
			return cli_usage_error(cli,
					       _("unknown modems command '%s' (enable, "
						 "disable, diagnose)"),
					       argv[optind]);
		return modems_list(cli);
	}
	if (strcmp(sub, "enable") != 0 && strcmp(sub, "disable") != 0 &&
	    strcmp(sub, "diagnose") != 0)
		return cli_usage_error(
		    cli, _("unknown modems command '%s' (enable, disable, diagnose)"), sub);
	if (argc - optind != 1)
		return cli_usage_error(cli, "%s", _("give one modem NAME"));
	char *e = cli_http_escape(argv[optind]), path[512];
	if (!e)
		return EXIT_OTHER;
	snprintf(path, sizeof(path), "/v1/modems/%s/%s", e, sub);
	free(e);
	struct cli_http_reply r;
	int rc = cli_api_request(cli, "POST", path, "{}", &r);
	if (rc != EXIT_OK)
		return rc;
	if (strcmp(sub, "diagnose") == 0)
		rc = print_diagnosis(cli, r.body);
	else if (cli->json)
		cli_api_print_json(r.body);
	else if (strcmp(sub, "enable") == 0)
		printf(_("modem %s enabled: back in rotation after its health check\n"),
		       cli_api_str(r.body, "name"));
	else
		printf(_("modem %s disabled: it takes no messages until enabled\n"),
		       cli_api_str(r.body, "name"));
	json_decref(r.body);
	return rc;
}

#else

int cmd_modems(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_err(cli, "%s",
		_("this smsctl was built without libcurl and jansson: modems is unavailable"));
	return 69;
}

#endif
