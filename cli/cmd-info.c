/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl info: manufacturer, model, revision, IMEI, ICCID, IMSI, own number. */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"

static void info_usage(FILE *f)
{
	fputs(_("Usage: smsctl info [--json]\n"
		"Show the modem's identity and the SIM's: manufacturer, model, revision, IMEI,\n"
		"ICCID, IMSI and own number (where the SIM has it). No PIN is entered.\n\n"
		"  -j, --json   one object with the keys manufacturer, model, revision, imei,\n"
		"               iccid, imsi, own_number (null when unknown)\n"
		"  -h, --help   show this help\n"),
	      f);
}

int cmd_info(struct cli *cli, int argc, char **argv)
{
	struct smsctl_modem *m = NULL;
	struct smsctl_info *info = NULL;
	int rc, ex;

	ex = cli_open_json_command(cli, argc, argv, info_usage, &m);
	if (ex != EXIT_OK || !m) /* an error, or --help shown */
		return ex;
	rc = smsctl_info_read(m, &info);
	if (rc < 0)
		return cli_modem_failed(cli, m, rc);
	const struct cli_field fields[] = {
#define INFO_FIELD(key, label, value) {key, CLI_FIELD_STRING, true, value, 0, 0, label}
	    INFO_FIELD("manufacturer", N_("Manufacturer"), smsctl_info_get_manufacturer(info)),
	    INFO_FIELD("model", N_("Model"), smsctl_info_get_model(info)),
	    INFO_FIELD("revision", N_("Revision"), smsctl_info_get_revision(info)),
	    INFO_FIELD("imei", N_("IMEI"), smsctl_info_get_imei(info)),
	    INFO_FIELD("iccid", N_("ICCID"), smsctl_info_get_iccid(info)),
	    INFO_FIELD("imsi", N_("IMSI"), smsctl_info_get_imsi(info)),
	    INFO_FIELD("own_number", N_("Own number"), smsctl_info_get_own_number(info)),
#undef INFO_FIELD
	};
	cli_fields_print(stdout, fields, sizeof(fields) / sizeof(fields[0]), cli->json,
			 CLI_FIELDS_LABELLED);
	smsctl_info_free(info);
	smsctl_modem_free(m);
	return EXIT_OK;
}
