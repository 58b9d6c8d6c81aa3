/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * smsctl webhooks [--dead] [--redeliver EVENT-ID... | --redeliver-all]: the state and backlog
 * of smsctld's webhooks and hooks (/v1/webhooks), their dead deliveries, and sending those
 * again. --json prints the daemon's objects, one per line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_NO_JSON_WRITER
#include "cli.h"

#if HAVE_QUEUE
#include "api-client.h"

static void webhooks_usage(FILE *f)
{
	fputs(_("Usage: smsctl [--server URL] webhooks [--dead]\n"
		"       smsctl webhooks --redeliver EVENT-ID... | --redeliver-all\n"
		"Show the state and backlog of smsctld's webhooks and hooks.\n\n"
		"  --dead              list the deliveries given up on (dead), per webhook\n"
		"  --redeliver         send these events again to every webhook they died at\n"
		"  --redeliver-all     send every dead delivery again\n"
		"  -j, --json          the daemon's objects, one per line\n"),
	      f);
}

static bool valid_name(const char *s)
{
	return *s &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") ==
		   strlen(s);
}

static int dead(struct cli *cli, const char *name)
{
	char path[256], cursor[32] = "";

	for (;;) {
		struct cli_http_reply r;
		snprintf(path, sizeof(path), "/v1/webhooks/%s/dead?limit=500%s%s", name,
			 cursor[0] ? "&cursor=" : "", cursor);
		int rc = cli_api_request(cli, "GET", path, NULL, &r);
		if (rc != EXIT_OK)
			return rc;
		json_t *o;
		size_t i;
		json_array_foreach(json_object_get(r.body, "deliveries"), i, o)
		{
			if (cli->json) {
				json_object_set_new(o, "webhook", json_string(name));
				cli_api_print_json(o);
			} else {
				printf("%-12s %s %-20s %s  %lld  %s\n", name,
				       cli_api_str(o, "event_id"), cli_api_str(o, "type"),
				       cli_api_str(o, "dead_at"),
				       json_integer_value(json_object_get(o, "attempts")),
				       cli_api_str(o, "last_error"));
			}
		}
		const char *next = json_string_value(json_object_get(r.body, "next_cursor"));
		if (next && strlen(next) < sizeof(cursor) &&
		    strspn(next, "0123456789") == strlen(next))
			snprintf(cursor, sizeof(cursor), "%s", next);
		else
			next = NULL;
		json_decref(r.body);
		if (!next)
			return EXIT_OK;
	}
}

static int redeliver(struct cli *cli, const char *name, char **ids, int n)
{
	struct cli_http_reply r;
	json_t *req = json_object(), *arr = json_array();
	char path[256];
	int rc;

	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_string(ids[i]));
	if (n)
		json_object_set_new(req, "event_ids", arr);
	else
		json_object_set_new(req, "all", json_true()), json_decref(arr);
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!body)
		return EXIT_OTHER;
	snprintf(path, sizeof(path), "/v1/webhooks/%s/redeliver", name);
	rc = cli_api_request(cli, "POST", path, body, &r);
	free(body);
	if (rc != EXIT_OK)
		return rc;
	if (cli->json) {
		json_object_set_new(r.body, "webhook", json_string(name));
		cli_api_print_json(r.body);
	} else {
		printf(_("%s: %lld delivery(ies) sent again\n"), name,
		       json_integer_value(json_object_get(r.body, "redelivering")));
	}
	json_decref(r.body);
	return EXIT_OK;
}

int cmd_webhooks(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dead", no_argument, NULL, 'd'},
	    {"redeliver", no_argument, NULL, 'r'},
	    {"redeliver-all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool show_dead = false, again = false, all = false;
	struct cli_http_reply r;
	int c, rc;

	opterr = 0;
	optind = 0; /* 0: glibc starts over (permuting), after the global options' "+" parse */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			show_dead = true;
			break;
		case 'r':
			again = true;
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			webhooks_usage(stdout);
			return EXIT_OK;
		default:
			return cli_usage_error(cli, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	int n_ids = argc - optind;
	if ((again && all) || (again && n_ids == 0) || (!again && n_ids > 0) ||
	    (show_dead && (again || all)))
		return cli_usage_error(cli, "%s",
				       _("use --dead, --redeliver EVENT-ID... or --redeliver-all"));
	for (int i = optind; i < argc; i++)
		if (strncmp(argv[i], "evt_", 4) != 0 || !valid_name(argv[i]))
			return cli_usage_error(cli, _("'%s' is not an event ID"), argv[i]);
	rc = cli_api_request(cli, "GET", "/v1/webhooks", NULL, &r);
	if (rc != EXIT_OK)
		return rc;
	json_t *w, *list = json_object_get(r.body, "webhooks");
	size_t i;
	json_array_foreach(list, i, w)
	{
		const char *name = cli_api_str(w, "name");
		if (!valid_name(name))
			continue;
		if (show_dead)
			rc = dead(cli, name);
		else if (again || all)
			rc = redeliver(cli, name, argv + optind, again ? n_ids : 0);
		else if (cli->json)
			cli_api_print_json(w);
		else
			printf(_("webhook %-12s %-8s backlog %lld, dead %lld, last error: %s\n"),
			       name, cli_api_str(w, "state"),
			       json_integer_value(json_object_get(w, "backlog")),
			       json_integer_value(json_object_get(w, "dead")),
			       cli_api_str(w, "last_error"));
		if (rc != EXIT_OK)
			break;
	}
	json_array_foreach(json_object_get(r.body, "hooks"), i, w)
	{
		if (show_dead || again || all)
			break;
		if (cli->json)
			cli_api_print_json(w);
		else
			printf(_("hook    %-12s %-8s backlog %lld, dead %lld, last error: %s\n"),
			       cli_api_str(w, "name"), cli_api_str(w, "state"),
			       json_integer_value(json_object_get(w, "backlog")),
			       json_integer_value(json_object_get(w, "dead")),
			       cli_api_str(w, "last_error"));
	}
	json_decref(r.body);
	return rc;
}

#else

int cmd_webhooks(struct cli *cli, int argc, char **argv)
{
	cli_err(cli, "%s",
		_("this smsctl was built without libcurl and jansson: webhooks is unavailable"));
	return 69;
}

#endif
