/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl pdu decode|encode: placeholder until the codec lands (issue 3). */
#include "cli.h"

int cmd_pdu(struct cli *cli, int argc, char **argv)
{
	cli_err(cli, "%s", _("not implemented yet"));
	return EXIT_OTHER;
}
