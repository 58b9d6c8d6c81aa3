/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl read INDEX: one stored message. */
#include <getopt.h>

#include "recv-common.h"

static void read_usage(FILE *f)
{
	fputs(
	    _("Usage: smsctl read [--storage MEM] [--json] INDEX\n"
	      "Print one stored message (reading an unread message marks it read).\n\n"
	      "  -s, --storage MEM   the memory (SM, ME, MT...); default: the modem's current one\n"
	      "  -j, --json          one object: storage, index, status, type, number, timestamp,\n"
	      "                      coding, class, text, concat, pdu, error\n"
	      "  -h, --help          show this help\n\n"
	      "Exit status: 0 success; 1 no message at INDEX; 64 bad INDEX.\n"),
	    f);
}

int cmd_read(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"storage", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct smsctl_stored *s = NULL;
	struct smsctl_modem *m = NULL;
	char *storage = NULL;
	int c, r, rc, index;

	while ((c = cli_getopt(cli, argc, argv, "s:h", opts, read_usage, &rc)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return rc;
		case 's':
			rc = recv_opt_storage(cli, &storage, optarg);
			if (rc != EXIT_OK)
				return rc;
			break;
		}
	}
	rc = recv_operand_index(cli, argc, argv, _("missing INDEX"), &index);
	if (rc != EXIT_OK)
		return rc;

	rc = recv_open_prepared(cli, &m);
	if (rc != EXIT_OK)
		return rc;
	r = smsctl_sms_read(m, storage, index, &s);
	if (r < 0) {
		rc = recv_index_fail(cli, m, r, index, _("cannot read the message"));
		goto out;
	}
	recv_output_stored(cli, s);
	rc = recv_flush_output(cli, rc);
out:
	smsctl_stored_free(s);
	smsctl_modem_free(m);
	return rc;
}
