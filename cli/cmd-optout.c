/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * smsctl optout add NUMBER [--reason TEXT] | remove NUMBER | list: the numbers smsctld
 * refuses to send to (/v1/optouts). --json prints the daemon's objects, one per line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_NO_JSON_WRITER
#include "cli.h"

#if HAVE_QUEUE
#include "api-client.h"

static void optout_usage(FILE *f)
{
	fputs(_("Usage: smsctl [--server URL] optout add NUMBER [--reason TEXT]\n"
		"       smsctl optout remove NUMBER\n"
		"       smsctl optout list\n"
		"Numbers smsctld does not send to: a submit to one is refused (opted_out).\n"
		"A received SMS whose whole text is one of [send] optout_keywords adds its\n"
		"sender.\n\n"
		"  --reason TEXT       why (kept with the number)\n"
		"  -j, --json          the daemon's objects, one per line\n"),
	      f);
}

static int optout_list(struct cli *cli)
{
	char cursor[96] = "";

	for (;;) {
		struct cli_http_reply r;
		char path[256];
		snprintf(path, sizeof(path), "/v1/optouts?limit=500%s%s",
			 cursor[0] ? "&cursor=" : "", cursor);
		int rc = cli_api_request(cli, "GET", path, NULL, &r);
		if (rc != EXIT_OK)
			return rc;
		json_t *o;
		size_t i;
		json_array_foreach(json_object_get(r.body, "optouts"), i, o)
		{
			if (cli->json)
				cli_api_print_json(o);
			else
				printf("%-16s %s  %-8s %s\n", cli_api_str(o, "number"),
				       cli_api_str(o, "created_at"), cli_api_str(o, "source"),
				       cli_api_str(o, "reason"));
		}
		const char *next = json_string_value(json_object_get(r.body, "next_cursor"));
		/* a cursor only uses [A-Za-z0-9_-]: safe in a query as it is */
		if (next && strlen(next) < sizeof(cursor) &&
		    strspn(next,
			   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
			strlen(next))
			snprintf(cursor, sizeof(cursor), "%s", next);
		else
			next = NULL;
		json_decref(r.body);
		if (!next)
			return EXIT_OK;
	}
}

int cmd_optout(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"reason", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *reason = NULL;
	struct cli_http_reply r;
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		optout_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	const char *sub = argv[1];
	argc--;
	argv++;
	opterr = 0;
	optind = 0; /* 0: glibc starts over (permuting), after the global options' "+" parse */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			reason = optarg;
			break;
		case 'h':
			optout_usage(stdout);
			return EXIT_OK;
		default:
			return cli_usage_error(cli, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (strcmp(sub, "list") == 0) {
		if (optind < argc || reason)
			return cli_usage_error(cli, "%s", _("list takes no argument"));
		return optout_list(cli);
	}
	if (strcmp(sub, "add") != 0 && strcmp(sub, "remove") != 0)
		return cli_usage_error(cli, _("unknown optout command '%s' (add, remove, list)"),
				       sub);
	if (argc - optind != 1)
		return cli_usage_error(cli, "%s", _("give one NUMBER"));
	if (reason && strcmp(sub, "add") != 0)
		return cli_usage_error(cli, "%s", _("--reason is for add"));
	const char *number = argv[optind];
	if (strcmp(sub, "add") == 0) {
		json_t *req = json_pack("{s:s,s:s?}", "number", number, "reason", reason);
		char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
		json_decref(req);
		if (!body) {
			cli_err(cli, "%s", _("the number or reason is not valid UTF-8"));
			return EXIT_DATAERR;
		}
		rc = cli_api_request(cli, "POST", "/v1/optouts", body, &r);
		free(body);
	} else {
		char *e = cli_http_escape(number), path[256];
		if (!e)
			return EXIT_OTHER;
		snprintf(path, sizeof(path), "/v1/optouts/%s", e);
		free(e);
		rc = cli_api_request(cli, "DELETE", path, NULL, &r);
	}
	if (rc != EXIT_OK)
		return rc;
	if (cli->json)
		cli_api_print_json(r.body);
	else if (strcmp(sub, "remove") == 0)
		printf(_("%s removed from the opt-outs\n"), cli_api_str(r.body, "number"));
	else if (json_is_true(json_object_get(r.body, "added")))
		printf(_("%s opted out\n"), cli_api_str(r.body, "number"));
	else
		printf(_("%s was already opted out\n"), cli_api_str(r.body, "number"));
	json_decref(r.body);
	return EXIT_OK;
}

#else

int cmd_optout(struct cli *cli, int argc, char **argv)
{
	cli_err(cli, "%s",
		_("this smsctl was built without libcurl and jansson: optout is unavailable"));
	return 69;
}

#endif
