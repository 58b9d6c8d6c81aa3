/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * smsctl queue submit|list|show|cancel|resend: talk to smsctld over its HTTP API.
 * The daemon is `--server URL` or SMSCTL_SERVER (default unix:/run/smsctl/api.sock); on TCP
 * the token comes from SMSCTL_TOKEN. Exit codes: 0, 64 usage, 65 refused input, 69 daemon
 * unreachable, 77 unauthorized, 1 other.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* this file uses jansson, not the CLI's JSON writer */
#define CLI_NO_JSON_WRITER
#include "cli.h"

#if HAVE_QUEUE
#include "api-client.h" /* issue 16 */
#include "http-client.h"

#define EXIT_UNAVAILABLE 69
#define EXIT_NOPERM	 77

static void queue_usage(FILE *f)
{
	fputs(_("Usage: smsctl [--server URL] queue submit NUMBER [TEXT | -] [--pool P]\n"
		"                 [--modem NAME] [--at TIME] [--ttl DURATION] [--report]\n"
		"                 [--at-least-once] [--key KEY]\n"
		"       smsctl queue list [--state S] [--to NUMBER] [--since TIME] [--limit N]\n"
		"       smsctl queue show ID\n"
		"       smsctl queue cancel ID\n"
		"       smsctl queue resend ID [--yes]\n"
		"Queue messages in smsctld and follow them.\n\n"
		"  --server URL        unix:/PATH or http://HOST:PORT (default $SMSCTL_SERVER,\n"
		"                      else unix:/run/smsctl/api.sock); on TCP the token is\n"
		"                      $SMSCTL_TOKEN\n"
		"  --pool P, --modem NAME   where to send from\n"
		"  --at TIME           not before TIME (RFC 3339, e.g. 2026-12-24T09:00:00+08:00)\n"
		"  --ttl DURATION      give up after DURATION (30s, 10m, 6h, 7d)\n"
		"  --report            request a delivery report\n"
		"  --at-least-once     resend when the outcome is unknown (may duplicate)\n"
		"  --key KEY           idempotency key: the same KEY again sends nothing new\n"
		"  --yes               resend without asking\n"
		"  -j, --json          one MESSAGE object per line\n\n"
		"Exit codes: 0 success, 64 usage, 65 refused input, 69 daemon unreachable,\n"
		"77 unauthorized, 1 other.\n"),
	      f);
}

static const char *server_of(const struct cli *cli)
{
	const char *s = cli->server;

	if (!s || !*s)
		s = getenv("SMSCTL_SERVER");
	return s && *s ? s : CLI_DEFAULT_SERVER;
}

/* Print the daemon's error and map the status to an exit code. */
static int http_error(const struct cli *cli, const struct cli_http_reply *r)
{
	json_t *e = r->body ? json_object_get(r->body, "error") : NULL;
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));

	cli_err(cli, "%s (%s, HTTP %ld)", msg ? msg : _("the daemon refused the request"),
		code ? code : "?", r->status);
	switch (r->status) {
	case 400:
	case 409:
	case 413:
	case 415:
	case 422:
		return EXIT_DATAERR;
	case 401:
	case 403:
		return EXIT_NOPERM;
	case 503:
		return EXIT_UNAVAILABLE;
	default:
		return EXIT_OTHER;
	}
}

static int request(const struct cli *cli, const char *method, const char *path, const char *body,
		   struct cli_http_reply *r)
{
	char err[1024];

	if (cli_http_request(server_of(cli), getenv("SMSCTL_TOKEN"), method, path, body, r, err,
			     sizeof(err)) < 0) {
		cli_err(cli, _("cannot reach smsctld at %s"), err);
		return EXIT_UNAVAILABLE;
	}
	if (r->status >= 200 && r->status < 300 && r->body)
		return EXIT_OK;
	int rc = r->status >= 200 && r->status < 300 ? EXIT_OTHER : http_error(cli, r);
	if (rc == EXIT_OTHER && r->status < 300)
		cli_err(cli, "%s", _("the daemon's answer is not JSON"));
	json_decref(r->body);
	r->body = NULL;
	return rc;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "-";
}

/* A text from outside (an SMS, a recipient, the modem's error) made safe for a terminal. */
static void print_safe(const char *label, const char *s)
{
	char *p = cli_printable(s);

	printf("%-12s %s\n", label, p ? p : "?");
	free(p);
}

/* One object a line, written as every --json output of smsctl is (cli_json_write(): UTF-8
 * text kept, control bytes and stray bytes escaped). */
static void print_json(json_t *o)
{
	if (cli_json_write(stdout, o) == 0)
		fputc('\n', stdout);
}

static void print_line(json_t *m)
{
	char *to = cli_printable(str(m, "to"));

	printf("%s  %-11s %-16s %s  %lld\n", str(m, "id"), str(m, "state"), to ? to : "?",
	       str(m, "created_at"), json_integer_value(json_object_get(m, "parts")));
	free(to);
}

static void print_message(json_t *m)
{
	json_t *err = json_object_get(m, "error"), *parts = json_object_get(m, "part_states");
	size_t i;
	json_t *p;

	printf("%-12s %s\n", _("id:"), str(m, "id"));
	printf("%-12s %s\n", _("state:"), str(m, "state"));
	print_safe(_("to:"), str(m, "to"));
	print_safe(_("text:"), str(m, "text"));
	printf("%-12s %lld (%s)\n", _("parts:"), json_integer_value(json_object_get(m, "parts")),
	       str(m, "coding"));
	printf("%-12s %s / %s\n", _("pool/modem:"), str(m, "pool"), str(m, "modem"));
	printf("%-12s %s\n", _("SIM:"), str(m, "sim_iccid"));
	printf("%-12s %s\n", _("created:"), str(m, "created_at"));
	printf("%-12s %s\n", _("finished:"), str(m, "finished_at"));
	printf("%-12s %lld\n", _("attempts:"), json_integer_value(json_object_get(m, "attempts")));
	if (json_is_string(json_object_get(m, "waiting")))
		printf("%-12s %s\n", _("waiting:"), str(m, "waiting"));
	if (json_is_object(err)) {
		char *msg = cli_printable(str(err, "message"));
		printf("%-12s %s (%s, %s)\n", _("error:"), msg ? msg : "?", str(err, "code"),
		       str(err, "class"));
		free(msg);
	}
	if (json_is_string(json_object_get(m, "resend_of")))
		printf("%-12s %s\n", _("resend of:"), str(m, "resend_of"));
	json_array_foreach(parts, i, p)
	{
		json_t *mr = json_object_get(p, "mr"), *adv = json_object_get(p, "mr_advanced");
		json_t *rep = json_object_get(p, "report");
		char mrs[16] = "-";
		if (json_is_integer(mr))
			snprintf(mrs, sizeof(mrs), "%lld", json_integer_value(mr));
		printf(_("part %lld: %-8s MR %-4s mr_advanced %-5s sent %s"),
		       json_integer_value(json_object_get(p, "seq")), str(p, "state"), mrs,
		       json_is_null(adv) || !adv ? "null"
		       : json_is_true(adv)	 ? "true"
						 : "false",
		       str(p, "sent_at"));
		if (json_is_object(rep))
			printf(_("  report %lld (%s) at %s"),
			       json_integer_value(json_object_get(rep, "status")),
			       str(rep, "meaning"), str(rep, "at"));
		printf("\n");
	}
}

static int print_messages(const struct cli *cli, json_t *body)
{
	json_t *arr = json_object_get(body, "messages"), *m;
	size_t i;

	json_array_foreach(arr, i, m)
	{
		if (cli->json)
			print_json(m);
		else
			print_line(m);
	}
	return EXIT_OK;
}

static int q_submit(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"pool", required_argument, NULL, 'p'}, {"modem", required_argument, NULL, 'm'},
	    {"at", required_argument, NULL, 'a'},   {"ttl", required_argument, NULL, 't'},
	    {"report", no_argument, NULL, 'r'},	    {"at-least-once", no_argument, NULL, 'o'},
	    {"key", required_argument, NULL, 'k'}, /* issue 16 */
	    {"help", no_argument, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	json_t *req = json_object();
	struct cli_http_reply r;
	char *text = NULL;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			json_object_set_new(req, "pool", json_string(optarg));
			break;
		case 'm':
			json_object_set_new(req, "modem", json_string(optarg));
			break;
		case 'a':
			json_object_set_new(req, "not_before", json_string(optarg));
			break;
		case 't':
			json_object_set_new(req, "ttl", json_string(optarg));
			break;
		case 'r':
			json_object_set_new(req, "report", json_true());
			break;
		case 'o':
			json_object_set_new(req, "at_least_once", json_true());
			break;
		case 'k': /* issue 16 */
			json_object_set_new(req, "idempotency_key", json_string(optarg));
			break;
		case 'h':
			queue_usage(stdout);
			json_decref(req);
			return EXIT_OK;
		default:
			json_decref(req);
			return cli_usage_error(cli, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind >= argc || argc - optind > 2) {
		json_decref(req);
		return cli_usage_error(cli, "%s", _("give NUMBER and TEXT (or - for stdin)"));
	}
	const char *number = argv[optind];
	if (optind + 1 == argc || strcmp(argv[optind + 1], "-") == 0) {
		text = cli_read_stdin();
		if (!text) {
			json_decref(req);
			cli_err(cli, "%s", _("cannot read the text from stdin"));
			return EXIT_DATAERR;
		}
	} else {
		text = strdup(argv[optind + 1]);
	}
	json_object_set_new(req, "to", json_string(number));
	json_t *jt = text ? json_string(text) : NULL;
	free(text);
	if (!jt) {
		json_decref(req);
		cli_err(cli, "%s", _("the text is not valid UTF-8"));
		return EXIT_DATAERR;
	}
	json_object_set_new(req, "text", jt);
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	rc = request(cli, "POST", "/v1/messages", body, &r);
	free(body);
	if (rc != EXIT_OK)
		return rc;
	if (cli->json) {
		print_messages(cli, r.body);
	} else {
		json_t *m;
		size_t i;
		json_array_foreach(json_object_get(r.body, "messages"), i, m)
		{
			if (json_is_true(json_object_get(m, "duplicate"))) /* issue 16 */
				printf(_("%s was queued before with this key (%s)\n"), str(m, "id"),
				       str(m, "state"));
			else
				printf(_("%s queued (%lld part(s))\n"), str(m, "id"),
				       json_integer_value(json_object_get(m, "parts")));
		}
	}
	json_decref(r.body);
	return EXIT_OK;
}

static int q_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"state", required_argument, NULL, 's'}, {"to", required_argument, NULL, 't'},
	    {"since", required_argument, NULL, 'S'}, {"limit", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},	     {NULL, 0, NULL, 0},
	};
	const char *names[4] = {"state", "to", "since", "limit"}, *vals[4] = {NULL};
	struct cli_http_reply r;
	char path[2048] = "/v1/messages";
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			vals[0] = optarg;
			break;
		case 't':
			vals[1] = optarg;
			break;
		case 'S':
			vals[2] = optarg;
			break;
		case 'l': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 500)
				return cli_usage_error(cli, _("invalid --limit '%s' (1 to 500)"),
						       optarg);
			vals[3] = optarg;
			break;
		}
		case 'h':
			queue_usage(stdout);
			return EXIT_OK;
		default:
			return cli_usage_error(cli, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, _("unexpected argument '%s'"), argv[optind]);
	for (int i = 0; i < 4; i++) {
		if (!vals[i])
			continue;
		char *e = cli_http_escape(vals[i]);
		size_t n = strlen(path);
		if (!e)
			return EXIT_OTHER;
		snprintf(path + n, sizeof(path) - n, "%c%s=%s", strchr(path, '?') ? '&' : '?',
			 names[i], e);
		free(e);
	}
	rc = request(cli, "GET", path, NULL, &r);
	if (rc != EXIT_OK)
		return rc;
	print_messages(cli, r.body);
	json_decref(r.body);
	return EXIT_OK;
}

static bool valid_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 64)
		return false;
	for (; *id; id++)
		if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z') ||
		      (*id >= '0' && *id <= '9') || *id == '_' || *id == '-'))
			return false;
	return true;
}

/* show, cancel, resend: one ID. */
static int q_one(struct cli *cli, int argc, char **argv, const char *what)
{
	static const struct option opts[] = {
	    {"yes", no_argument, NULL, 'y'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_http_reply r;
	bool yes = false;
	char path[256];
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+yh", opts, NULL)) != -1) {
		switch (c) {
		case 'y':
			if (strcmp(what, "resend") != 0)
				return cli_usage_error(cli, "%s", _("--yes is for resend"));
			yes = true;
			break;
		case 'h':
			queue_usage(stdout);
			return EXIT_OK;
		default:
			return cli_usage_error(cli, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(cli, "%s", _("give one message ID"));
	if (!valid_id(argv[optind]))
		return cli_usage_error(cli, _("'%s' is not a message ID"), argv[optind]);
	snprintf(path, sizeof(path), "/v1/messages/%s", argv[optind]);
	if (strcmp(what, "resend") == 0) {
		if (!yes) {
			char line[16] = "";
			fprintf(stderr,
				_("Resend %s? It may have reached the recipient already. [y/N] "),
				argv[optind]);
			if (!fgets(line, sizeof(line), stdin) ||
			    (line[0] != 'y' && line[0] != 'Y')) {
				cli_err(cli, "%s", _("not resent"));
				return EXIT_OTHER;
			}
		}
		snprintf(path, sizeof(path), "/v1/messages/%s/resend", argv[optind]);
		rc = request(cli, "POST", path, "{}", &r);
	} else {
		rc = request(cli, strcmp(what, "cancel") == 0 ? "DELETE" : "GET", path, NULL, &r);
	}
	if (rc != EXIT_OK)
		return rc;
	if (strcmp(what, "resend") == 0) {
		json_t *m = json_array_get(json_object_get(r.body, "messages"), 0);
		if (cli->json)
			print_json(m);
		else
			printf(_("%s queued as a resend of %s\n"), str(m, "id"), argv[optind]);
	} else if (cli->json) {
		print_json(r.body);
	} else if (strcmp(what, "cancel") == 0) {
		printf(_("%s cancelled\n"), str(r.body, "id"));
	} else {
		print_message(r.body);
	}
	json_decref(r.body);
	return EXIT_OK;
}

/* --- issue 16: shared with cmd-inbox.c, cmd-optout.c, cmd-webhooks.c (api-client.h) --- */
int cli_api_request(const struct cli *cli, const char *method, const char *path, const char *body,
		    struct cli_http_reply *r)
{
	return request(cli, method, path, body, r);
}

void cli_api_print_json(json_t *o)
{
	print_json(o);
}

const char *cli_api_str(json_t *o, const char *key)
{
	return str(o, key);
}
/* --- end issue 16 --- */

int cmd_queue(struct cli *cli, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		queue_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "submit") == 0)
		return q_submit(cli, argc - 1, argv + 1);
	if (strcmp(sub, "list") == 0)
		return q_list(cli, argc - 1, argv + 1);
	if (strcmp(sub, "show") == 0 || strcmp(sub, "cancel") == 0 || strcmp(sub, "resend") == 0)
		return q_one(cli, argc - 1, argv + 1, sub);
	return cli_usage_error(cli,
			       _("unknown queue command '%s' (submit, list, show, cancel, "
				 "resend)"),
			       sub);
}

#else

int cmd_queue(struct cli *cli, int argc, char **argv)
{
	cli_err(cli, "%s",
		_("this smsctl was built without libcurl and jansson: queue is unavailable"));
	return 69;
}

#endif
