/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * smsctl inbox [--follow] [--from NUMBER] [--since TIME] [--limit N]: the messages smsctld
 * received (GET /v1/inbox), oldest first; --follow keeps printing new ones. --json prints
 * one INBOX object per line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CLI_NO_JSON_WRITER
#include "cli.h"

#if HAVE_QUEUE
#include "api-client.h"

static void inbox_usage(FILE *f)
{
	fputs(_("Usage: smsctl [--server URL] inbox [--follow] [--from NUMBER] [--since TIME]\n"
		"                 [--limit N]\n"
		"Print the messages smsctld received, oldest first (by default those of the\n"
		"last 24 hours).\n\n"
		"  -f, --follow        keep printing new messages as they arrive\n"
		"  --from NUMBER       only from this sender\n"
		"  --since TIME        received at or after TIME (RFC 3339)\n"
		"  --limit N           at most N messages (1 to 100000; default all)\n"
		"  -j, --json          one INBOX object per line\n"),
	      f);
}

static int append_arg(char *path, size_t size, const char *name, const char *value)
{
	char *e = cli_http_escape(value);
	size_t n = strlen(path);

	if (!e)
		return -1;
	snprintf(path + n, size - n, "%c%s=%s", strchr(path, '?') ? '&' : '?', name, e);
	free(e);
	return 0;
}

int cmd_inbox(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"follow", no_argument, NULL, 'f'},	     {"from", required_argument, NULL, 'F'},
	    {"since", required_argument, NULL, 'S'}, {"limit", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},	     {NULL, 0, NULL, 0},
	};
	const char *from = NULL, *since = NULL;
	char since_buf[32], cursor[128] = "";
	long limit = -1, printed = 0;
	bool follow = false;
	int c;

	opterr = 0;
	optind = 0; /* 0: glibc starts over (permuting), after the global options' "+" parse */
	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			follow = true;
			break;
		case 'F':
			from = optarg;
			break;
		case 'S':
			since = optarg;
			break;
		case 'l': {
			char *end;
			limit = strtol(optarg, &end, 10);
			if (*end || limit < 1 || limit > 100000)
				return cli_usage_error(cli, _("invalid --limit '%s' (1 to 100000)"),
						       optarg);
			break;
		}
		case 'h':
			inbox_usage(stdout);
			return EXIT_OK;
		default:
			return cli_usage_error(cli, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, _("unexpected argument '%s'"), argv[optind]);
	if (!since) {
		time_t t = time(NULL) - 86400;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(since_buf, sizeof(since_buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
		since = since_buf;
	}
	for (;;) {
		struct cli_http_reply r;
		char path[1024] = "/v1/inbox?limit=500";
		if ((from && append_arg(path, sizeof(path), "from", from) < 0) ||
		    append_arg(path, sizeof(path), "since", since) < 0 ||
		    (cursor[0] && append_arg(path, sizeof(path), "cursor", cursor) < 0))
			return EXIT_OTHER;
		int rc = cli_api_request(cli, "GET", path, NULL, &r);
		if (rc != EXIT_OK)
			return rc;
		json_t *m, *arr = json_object_get(r.body, "messages");
		size_t i;
		json_array_foreach(arr, i, m)
		{
			if (limit > 0 && printed >= limit)
				break;
			if (cli->json)
				cli_api_print_json(m);
			else
				printf("%s  %s  %-16s %s\n", cli_api_str(m, "id"),
				       cli_api_str(m, "received_at"), cli_api_str(m, "from"),
				       cli_api_str(m, "text"));
			printed++;
			snprintf(cursor, sizeof(cursor), "%s", cli_api_str(m, "id"));
		}
		bool more = json_is_string(json_object_get(r.body, "next_cursor"));
		json_decref(r.body);
		fflush(stdout);
		if (limit > 0 && printed >= limit)
			return EXIT_OK;
		if (!more && !follow)
			return EXIT_OK;
		if (!more)
			sleep(2);
	}
}

#else

int cmd_inbox(struct cli *cli, int argc, char **argv)
{
	cli_err(cli, "%s",
		_("this smsctl was built without libcurl and jansson: inbox is unavailable"));
	return 69;
}

#endif
