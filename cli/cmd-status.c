/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl status: SIM, signal, registration, operator, SMSC and storage in one line. */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"

static void status_usage(FILE *f)
{
	fputs(_("Usage: smsctl status [--json]\n"
		"One line: SIM state, signal (RSSI in dBm and bars from +CSQ; RSRP/RSRQ from\n"
		"+CESQ where supported), registration (CS, PS, EPS), operator, SMSC, storage use.\n"
		"Bars: 5 from -73 dBm, 4 from -83, 3 from -93, 2 from -103, 1 from -109, else 0.\n"
		"Nothing is changed and no PIN is entered.\n\n"
		"  -j, --json   one object: sim, rssi_dbm, bars, rsrp_dbm, rsrq_db, registration\n"
		"               {cs, ps, eps}, operator, smsc, storage {memory, used, total}\n"
		"  -h, --help   show this help\n"),
	      f);
}

static const char *sim_id(enum smsctl_sim_state s)
{
	switch (s) {
	case SMSCTL_SIM_STATE_READY:
		return "ready";
	case SMSCTL_SIM_STATE_PIN:
		return "pin_required";
	case SMSCTL_SIM_STATE_PUK:
		return "puk_required";
	case SMSCTL_SIM_STATE_ABSENT:
		return "absent";
	case SMSCTL_SIM_STATE_FAILURE:
		return "failure";
	case SMSCTL_SIM_STATE_BUSY:
		return "busy";
	case SMSCTL_SIM_STATE_OTHER:
		return "other";
	default:
		return "unknown";
	}
}

static const char *sim_text(enum smsctl_sim_state s)
{
	switch (s) {
	case SMSCTL_SIM_STATE_READY:
		return _("ready");
	case SMSCTL_SIM_STATE_PIN:
		return _("PIN required");
	case SMSCTL_SIM_STATE_PUK:
		return _("PUK required");
	case SMSCTL_SIM_STATE_ABSENT:
		return _("absent");
	case SMSCTL_SIM_STATE_FAILURE:
		return _("failure");
	case SMSCTL_SIM_STATE_BUSY:
		return _("busy");
	case SMSCTL_SIM_STATE_OTHER:
		return _("locked (other code)");
	default:
		return _("unknown");
	}
}

/* Stable ids of the 27.007 registration <stat> values for JSON. */
static const char *reg_id(int stat)
{
	static const char *const ids[] = {
	    "not_registered",
	    "home",
	    "searching",
	    "denied",
	    "unknown",
	    "roaming",
	    "home_sms_only",
	    "roaming_sms_only",
	    "emergency_only",
	    "home_csfb_not_preferred",
	    "roaming_csfb_not_preferred",
	    "rlos",
	};
	if (stat < 0)
		return NULL;
	if ((size_t)stat >= sizeof(ids) / sizeof(ids[0]))
		return "unknown";
	return ids[stat];
}

static bool registered(int stat)
{
	return stat == 1 || stat == 5 || (stat >= 6 && stat <= 10 && stat != 8);
}

static void print_json(const struct smsctl_status *st)
{
	struct json j;
	int v, used, total;
	double q;
	const char *mem;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "sim", sim_id(smsctl_status_get_sim_state(st)));
	bool has = smsctl_status_get_rssi(st, &v);
	json_kv_int_or_null(&j, "rssi_dbm", v, has);
	json_kv_int_or_null(&j, "bars", smsctl_status_get_bars(st),
			    smsctl_status_get_bars(st) >= 0);
	has = smsctl_status_get_rsrp(st, &v);
	json_kv_int_or_null(&j, "rsrp_dbm", v, has);
	json_key(&j, "rsrq_db");
	if (smsctl_status_get_rsrq(st, &q)) {
		/* the writer has no float: print it and end the key's value by hand */
		fprintf(stdout, "%.1f", q);
		j.after_key = false;
	} else
		json_null(&j);
	json_key(&j, "registration");
	json_object_begin(&j);
	json_kv_string(&j, "cs", reg_id(smsctl_status_get_registration(st, SMSCTL_REG_CS)));
	json_kv_string(&j, "ps", reg_id(smsctl_status_get_registration(st, SMSCTL_REG_PS)));
	json_kv_string(&j, "eps", reg_id(smsctl_status_get_registration(st, SMSCTL_REG_EPS)));
	json_object_end(&j);
	json_kv_string(&j, "operator", smsctl_status_get_operator(st));
	json_kv_string(&j, "smsc", smsctl_status_get_smsc(st));
	json_key(&j, "storage");
	if (smsctl_status_get_storage(st, &mem, &used, &total)) {
		json_object_begin(&j);
		json_kv_string(&j, "memory", mem);
		json_kv_int_or_null(&j, "used", used, used >= 0);
		json_kv_int_or_null(&j, "total", total, total >= 0);
		json_object_end(&j);
	} else {
		json_null(&j);
	}
	json_object_end(&j);
	json_end_line(&j);
}

static void print_human(const struct cli *cli, const struct smsctl_status *st)
{
	const char *good = cli->color ? "\033[32m" : "", *bad = cli->color ? "\033[31m" : "";
	const char *off = cli->color ? "\033[0m" : "";
	enum smsctl_sim_state sim = smsctl_status_get_sim_state(st);
	static const char *const dom[] = {"CS", "PS", "EPS"};
	int v, used, total;
	double q;
	const char *mem;

	printf(_("SIM %s%s%s"), sim == SMSCTL_SIM_STATE_READY ? good : bad, sim_text(sim), off);
	if (smsctl_status_get_rssi(st, &v))
		printf(_("; signal %d dBm (%d/5)"), v, smsctl_status_get_bars(st));
	else
		printf("%s", _("; signal unknown"));
	if (smsctl_status_get_rsrp(st, &v))
		printf(_("; RSRP %d dBm"), v);
	if (smsctl_status_get_rsrq(st, &q))
		printf(_("; RSRQ %.1f dB"), q);
	for (int d = 0; d < 3; d++) {
		int stat = smsctl_status_get_registration(st, (enum smsctl_reg_domain)(d + 1));
		if (stat < 0)
			continue;
		printf(_("; %s: %s%s%s"), dom[d], registered(stat) ? good : bad,
		       smsctl_registration_describe(stat), off);
	}
	/* the modem's strings never drive the terminal */
	char *op = cli_printable(smsctl_status_get_operator(st));
	if (op)
		printf(_("; operator %s"), op);
	free(op);
	char *smsc = cli_printable(smsctl_status_get_smsc(st));
	if (smsc)
		printf(_("; SMSC %s"), *smsc ? smsc : _("(none)"));
	free(smsc);
	if (smsctl_status_get_storage(st, &mem, &used, &total))
		printf(_("; %s %d/%d used"), mem, used, total);
	putchar('\n');
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct smsctl_modem *m = NULL;
	struct smsctl_status *st = NULL;
	int c, rc, ex;

	while ((c = cli_getopt(cli, argc, argv, "jh", opts, status_usage, &ex)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return ex;
		case 'j':
			cli->json = true;
			break;
		}
	}
	ex = cli_no_operands(cli, argc, argv);
	if (ex != EXIT_OK)
		return ex;
	ex = cli_open_modem(cli, &m);
	if (ex != EXIT_OK)
		return ex;
	rc = smsctl_status_read(m, &st);
	if (rc < 0) {
		const char *d = smsctl_modem_get_error_detail(m);
		cli_err(cli, "%s", *d ? d : smsctl_strerror(rc));
		smsctl_modem_free(m);
		return cli_exit_for_error(rc);
	}
	if (cli->json)
		print_json(st);
	else
		print_human(cli, st);
	smsctl_status_free(st);
	smsctl_modem_free(m);
	return EXIT_OK;
}
