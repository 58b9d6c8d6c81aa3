/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl delete INDEX | --all: delete stored messages. */
#include <getopt.h>

#include "recv-common.h"

static void delete_usage(FILE *f)
{
	fputs(_("Usage: smsctl delete [--storage MEM] [--json] INDEX\n"
		"       smsctl delete [--storage MEM] [--json] --all\n"
		"Delete one stored message, or every message.\n\n"
		"  -s, --storage MEM   the memory (SM, ME, MT...); default: the modem's current\n"
		"                      one for INDEX, every memory for --all\n"
		"  -a, --all           delete every message\n"
		"  -j, --json          print {\"storage\": ..., \"index\": n|null, \"all\": bool}\n"
		"  -h, --help          show this help\n"),
	      f);
}

int cmd_delete(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"storage", required_argument, NULL, 's'},
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct smsctl_modem *m = NULL;
	char *storage = NULL;
	bool all = false;
	int c, r, rc, index = -1;

	while ((c = cli_getopt(cli, argc, argv, "s:ah", opts, delete_usage, &rc)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return rc;
		case 's':
			rc = recv_opt_storage(cli, &storage, optarg);
			if (rc != EXIT_OK)
				return rc;
			break;
		case 'a':
			all = true;
			break;
		}
	}
	if (all && optind < argc)
		return cli_usage_error(cli, "%s", _("give INDEX or --all, not both"));
	if (!all) {
		rc = recv_operand_index(cli, argc, argv, _("missing INDEX (or --all)"), &index);
		if (rc != EXIT_OK)
			return rc;
	}

	rc = recv_open_prepared(cli, &m);
	if (rc != EXIT_OK)
		return rc;
	r = all ? smsctl_sms_delete_all(m, storage) : smsctl_sms_delete(m, storage, index);
	if (r < 0) {
		rc = recv_index_fail(cli, m, r, index, _("cannot delete"));
		goto out;
	}
	if (cli->json) {
		struct json j;

		json_init(&j, stdout);
		json_object_begin(&j);
		json_kv_string(&j, "storage", storage);
		json_kv_int_or_null(&j, "index", index, !all);
		json_kv_bool(&j, "all", all);
		json_object_end(&j);
		json_end_line(&j);
	}
out:
	smsctl_modem_free(m);
	return rc;
}
