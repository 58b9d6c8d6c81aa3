/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl status: SIM, signal, registration, operator, SMSC and storage in one line. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>

#include "cli.h"

static void status_usage(FILE *f)
{
	fputs(_("Usage: smsctl status [--json]\n"
		"One line: SIM state, signal (RSSI in dBm and bars from +CSQ; RSRP/RSRQ from\n"
		"+CESQ where supported), registration (CS, PS, EPS), operator, SMSC, storage use.\n"
		"Bars: 5 from -73 dBm, 4 from -83, 3 from -93, 2 from -103, 1 from -109, else 0.\n"
		"Nothing is changed and no PIN is entered.\n"
		"Exit status, as send would exit: 0 ready to send; 20 SIM problem (absent, PIN or\n"
		"PUK required, failure); 21 no network (not registered for SMS: searching,\n"
		"denied, data only); 30 no SMSC stored; 75 SIM busy (retry later); 10-13 port\n"
		"and modem errors.\n\n"
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

/* Each human piece is formatted into a buffer of its own (the operator and the SMSC come from
 * the modem: made printable first). */
#define PIECE_MAX 1024

__attribute__((format(printf, 2, 3))) static const char *piece(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, PIECE_MAX, fmt, ap);
	va_end(ap);
	return buf;
}

static void print_status(const struct cli *cli, const struct smsctl_status *st)
{
	const char *good = cli->color ? "\033[32m" : "", *bad = cli->color ? "\033[31m" : "";
	const char *off = cli->color ? "\033[0m" : "";
	enum smsctl_sim_state sim = smsctl_status_get_sim_state(st);
	static const char *const dom[] = {"CS", "PS", "EPS"};
	static const char *const dom_key[] = {"cs", "ps", "eps"};
	char h_sim[PIECE_MAX], h_sig[PIECE_MAX], h_rsrp[PIECE_MAX], h_rsrq[PIECE_MAX];
	char h_reg[3][PIECE_MAX], h_op[PIECE_MAX], h_smsc[PIECE_MAX], h_mem[PIECE_MAX];
	int rssi = 0, rsrp = 0, used = 0, total = 0, bars = smsctl_status_get_bars(st);
	bool has_rssi = smsctl_status_get_rssi(st, &rssi);
	bool has_rsrp = smsctl_status_get_rsrp(st, &rsrp);
	double q = 0;
	bool has_rsrq = smsctl_status_get_rsrq(st, &q);
	const char *mem = NULL;
	bool has_mem = smsctl_status_get_storage(st, &mem, &used, &total);
	const char *op = smsctl_status_get_operator(st), *smsc = smsctl_status_get_smsc(st);
	/* the modem's strings never drive the terminal */
	char *op_p = cli_printable(op), *smsc_p = cli_printable(smsc);
	int stat[3];

	for (int d = 0; d < 3; d++) {
		stat[d] = smsctl_status_get_registration(st, (enum smsctl_reg_domain)(d + 1));
		if (stat[d] >= 0)
			piece(h_reg[d], _("; %s: %s%s%s"), dom[d], registered(stat[d]) ? good : bad,
			      smsctl_registration_describe(stat[d]), off);
	}
	const struct cli_field fields[] = {
	    {"sim", CLI_FIELD_STRING, true, sim_id(sim), 0, 0,
	     piece(h_sim, _("SIM %s%s%s"), sim == SMSCTL_SIM_STATE_READY ? good : bad,
		   sim_text(sim), off)},
	    {"rssi_dbm", CLI_FIELD_INT, has_rssi, NULL, rssi, 0,
	     has_rssi ? piece(h_sig, _("; signal %d dBm (%d/5)"), rssi, bars)
		      : piece(h_sig, "%s", _("; signal unknown"))},
	    {"bars", CLI_FIELD_INT, bars >= 0, NULL, bars, 0, NULL},
	    {"rsrp_dbm", CLI_FIELD_INT, has_rsrp, NULL, rsrp, 0,
	     has_rsrp ? piece(h_rsrp, _("; RSRP %d dBm"), rsrp) : NULL},
	    {"rsrq_db", CLI_FIELD_DECIMAL1, has_rsrq, NULL, 0, q,
	     has_rsrq ? piece(h_rsrq, _("; RSRQ %.1f dB"), q) : NULL},
	    {"registration", CLI_FIELD_BEGIN, true, NULL, 0, 0, NULL},
	    {dom_key[0], CLI_FIELD_STRING, true, reg_id(stat[0]), 0, 0,
	     stat[0] >= 0 ? h_reg[0] : NULL},
	    {dom_key[1], CLI_FIELD_STRING, true, reg_id(stat[1]), 0, 0,
	     stat[1] >= 0 ? h_reg[1] : NULL},
	    {dom_key[2], CLI_FIELD_STRING, true, reg_id(stat[2]), 0, 0,
	     stat[2] >= 0 ? h_reg[2] : NULL},
	    {"registration", CLI_FIELD_END, true, NULL, 0, 0, NULL},
	    {"operator", CLI_FIELD_STRING, true, op, 0, 0,
	     op_p ? piece(h_op, _("; operator %s"), op_p) : NULL},
	    {"smsc", CLI_FIELD_STRING, true, smsc, 0, 0,
	     smsc_p ? piece(h_smsc, _("; SMSC %s"), *smsc_p ? smsc_p : _("(none)")) : NULL},
	    {"storage", CLI_FIELD_BEGIN, has_mem, NULL, 0, 0,
	     has_mem ? piece(h_mem, _("; %s %d/%d used"), mem, used, total) : NULL},
	    {"memory", CLI_FIELD_STRING, true, mem, 0, 0, NULL},
	    {"used", CLI_FIELD_INT, used >= 0, NULL, used, 0, NULL},
	    {"total", CLI_FIELD_INT, total >= 0, NULL, total, 0, NULL},
	    {"storage", CLI_FIELD_END, true, NULL, 0, 0, NULL},
	};

	cli_fields_print(stdout, fields, sizeof(fields) / sizeof(fields[0]), cli->json,
			 CLI_FIELDS_LINE);
	free(op_p);
	free(smsc_p);
}

/* Would a send go out? The exit code send would give, and why not on stderr. A busy SIM is
 * transient (75), any other state but ready stops a send (20); SMS need the circuit-switched
 * registration (home, roaming, SMS only); without a CS answer, an EPS registration (SMS over
 * SGs/IMS) will do (21); a modem that reports neither is given the benefit of the doubt, as
 * send does not ask before submitting; an empty SMSC makes every submit fail (30). */
static int readiness(const struct cli *cli, const struct smsctl_status *st)
{
	enum smsctl_sim_state sim = smsctl_status_get_sim_state(st);
	int cs = smsctl_status_get_registration(st, SMSCTL_REG_CS);
	int eps = smsctl_status_get_registration(st, SMSCTL_REG_EPS);

	const char *smsc = smsctl_status_get_smsc(st);

	if (sim != SMSCTL_SIM_STATE_READY) {
		cli_err(cli, _("not ready to send: SIM %s"), sim_text(sim));
		return sim == SMSCTL_SIM_STATE_BUSY ? EXIT_TEMPFAIL : EXIT_SIM;
	}
	if (registered(cs) || (cs < 0 && registered(eps)) || (cs < 0 && eps < 0)) {
		if (smsc && !*smsc) {
			cli_err(
			    cli, "%s",
			    _("not ready to send: no SMSC is stored (set it with AT+CSCA or give "
			      "send --smsc)"));
			return EXIT_REJECTED;
		}
		return EXIT_OK;
	}
	cli_err(cli, _("not ready to send: not registered for SMS (%s)"),
		smsctl_registration_describe(cs >= 0 ? cs : eps));
	return EXIT_NETWORK;
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	struct smsctl_modem *m = NULL;
	struct smsctl_status *st = NULL;
	int rc, ex;

	ex = cli_open_json_command(cli, argc, argv, status_usage, &m);
	if (ex != EXIT_OK || !m) /* an error, or --help shown */
		return ex;
	rc = smsctl_status_read(m, &st);
	if (rc < 0)
		return cli_modem_failed(cli, m, rc);
	print_status(cli, st);
	fflush(stdout);
	ex = readiness(cli, st);
	smsctl_status_free(st);
	smsctl_modem_free(m);
	return ex;
}
