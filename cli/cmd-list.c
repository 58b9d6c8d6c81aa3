/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl list: the messages stored on the modem, one entry per stored PDU (parts of a
 * concatenated message are listed separately, with their part number). */
#include <getopt.h>

#include "recv-common.h"

static void list_usage(FILE *f)
{
	fputs(_("Usage: smsctl list [--storage MEM] [--status STATUS] [--json]\n"
		"List the messages stored on the modem, one entry per stored part.\n\n"
		"  -s, --storage MEM   only this memory (SM, ME, MT...); default: every one\n"
		"  -S, --status STATUS unread, read, unsent, sent or all (default all); listing\n"
		"                      unread messages marks them read, as the modem does\n"
		"  -j, --json          one object per line: storage, index, status, type, number,\n"
		"                      timestamp, coding, class, text, concat, pdu, error\n"
		"  -h, --help          show this help\n"),
	      f);
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"storage", required_argument, NULL, 's'},
	    {"status", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	enum smsctl_sms_status filter = SMSCTL_SMS_ALL;
	struct smsctl_stored_list *list = NULL;
	struct smsctl_modem *m = NULL;
	char *storage = NULL;
	int c, r, rc;

	while ((c = cli_getopt(cli, argc, argv, "s:S:h", opts, list_usage, &rc)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return rc;
		case 's':
			rc = recv_opt_storage(cli, &storage, optarg);
			if (rc != EXIT_OK)
				return rc;
			break;
		case 'S':
			rc = smsctl_sms_status_from_name(optarg);
			if (rc < 0)
				return cli_usage_error(
				    cli,
				    _("invalid --status '%s' (unread, read, unsent, sent, all)"),
				    optarg);
			filter = (enum smsctl_sms_status)rc;
			break;
		}
	}
	rc = cli_no_operands(cli, argc, argv);
	if (rc != EXIT_OK)
		return rc;

	rc = recv_open_prepared(cli, &m);
	if (rc != EXIT_OK)
		return rc;
	r = smsctl_sms_list(m, storage, filter, &list);
	if (r < 0) {
		rc = recv_fail(cli, m, r, _("cannot list the messages"));
		goto out;
	}
	for (size_t i = 0; i < smsctl_stored_list_get_count(list); i++)
		recv_output_stored(cli, smsctl_stored_list_get(list, i));
	if (!cli->json && smsctl_stored_list_get_count(list) == 0)
		fprintf(stderr, "%s\n", _("no messages"));
	rc = recv_flush_output(cli, rc);
out:
	smsctl_stored_list_free(list);
	smsctl_modem_free(m);
	return rc;
}
