/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rules of the diagnosis past the SIM: signal, registration, SMS service and centre,
 * storage, indications. Recorded answers in, findings out; no I/O. The thresholds are
 * documented in diagnose.h (and smsctl(1)); keep them in step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <smsctl/codes.h>
#include <smsctl/diagnose.h>
#include <smsctl/error.h>

#include "diagnose/internal.h"
#include "i18n.h"
#include "parse/parse.h"

/* ---- Signal ---- */

struct signal {
	bool known;
	int rssi_dbm; /* PARSE_DBM_UNKNOWN when not known */
	int rssi;     /* 0..31, 99 */
	int bars;
	int rsrp_dbm, rsrq_db10, rscp_dbm;
};

static void read_signal(const struct diag_input *in, struct signal *sg)
{
	struct at_csq csq;
	struct at_cesq ce;
	struct at_signal vs;
	const char *line;

	sg->known = false;
	sg->rssi = 99;
	sg->bars = -1;
	sg->rssi_dbm = sg->rsrp_dbm = sg->rsrq_db10 = sg->rscp_dbm = PARSE_DBM_UNKNOWN;
	line = diag_line(&in->q[Q_CSQ], "+CSQ:");
	if (line && parse_csq(line, &csq) == 0 && csq.rssi >= 0 && csq.rssi <= 31) {
		sg->rssi = csq.rssi;
		sg->rssi_dbm = csq.dbm;
		sg->bars = csq.bars;
		sg->known = true;
	}
	line = diag_line(&in->q[Q_CESQ], "+CESQ:");
	if (line && parse_cesq(line, &ce) == 0) {
		if (ce.rsrp_dbm != PARSE_DBM_UNKNOWN) {
			sg->rsrp_dbm = ce.rsrp_dbm;
			sg->known = true;
		}
		if (ce.rsrq_db10 != PARSE_DBM_UNKNOWN)
			sg->rsrq_db10 = ce.rsrq_db10;
		if (ce.rscp_dbm != PARSE_DBM_UNKNOWN) {
			sg->rscp_dbm = ce.rscp_dbm;
			sg->known = true;
		}
		if (sg->rssi_dbm == PARSE_DBM_UNKNOWN && ce.rxlev_dbm != PARSE_DBM_UNKNOWN) {
			sg->rssi_dbm = ce.rxlev_dbm;
			sg->known = true;
		}
	}
	for (size_t i = 0; i < in->q[Q_VSIG].n_lines; i++)
		if (parse_signal_urc(in->q[Q_VSIG].lines[i], &vs) == 0 &&
		    vs.dbm != PARSE_DBM_UNKNOWN && sg->rssi_dbm == PARSE_DBM_UNKNOWN) {
			sg->rssi_dbm = vs.dbm;
			sg->known = true;
		}
}

/* Registration as read from +CREG/+CGREG/+CEREG; -1 when not known. */
struct reg {
	int cs, gprs, eps;
};

static int reg_stat(const struct diag_input *in, enum diag_q q, const char *prefix)
{
	struct at_reg r;
	const char *line = diag_line(&in->q[q], prefix);

	if (!line || parse_reg(line, true, &r) != 0)
		return -1;
	return r.stat;
}

static void read_reg(const struct diag_input *in, struct reg *rg)
{
	rg->cs = reg_stat(in, Q_CREG, "+CREG:");
	rg->gprs = reg_stat(in, Q_CGREG, "+CGREG:");
	rg->eps = reg_stat(in, Q_CEREG, "+CEREG:");
}

static bool any_registered(const struct reg *rg)
{
	return parse_reg_is_registered(rg->cs) || parse_reg_is_registered(rg->gprs) ||
	       parse_reg_is_registered(rg->eps);
}

static void evidence_signal(struct smsctl_finding *f, const struct diag_input *in)
{
	diag_evidence_reply(f, &in->q[Q_CSQ]);
	if (diag_line(&in->q[Q_CESQ], "+CESQ:"))
		diag_evidence_reply(f, &in->q[Q_CESQ]);
	if (in->q[Q_VSIG].n_lines)
		diag_evidence_reply(f, &in->q[Q_VSIG]);
}

static void describe_signal(const struct signal *sg, char *buf, size_t size)
{
	size_t len = 0;
	/* TRANSLATORS: the separator between values in a list, e.g. "RSSI -73 dBm, RSRP -91 dBm" */
	const char *sep = _(", ");

	buf[0] = '\0';
	if (sg->rssi_dbm != PARSE_DBM_UNKNOWN) {
		if (sg->bars >= 0)
			len +=
			    (size_t)snprintf(buf + len, size - len, _("RSSI %d dBm (%d of 5 bars)"),
					     sg->rssi_dbm, sg->bars);
		else
			len +=
			    (size_t)snprintf(buf + len, size - len, _("RSSI %d dBm"), sg->rssi_dbm);
	}
	if (sg->rsrp_dbm != PARSE_DBM_UNKNOWN && len < size)
		len += (size_t)snprintf(buf + len, size - len, _("%sRSRP %d dBm"), len ? sep : "",
					sg->rsrp_dbm);
	if (sg->rsrq_db10 != PARSE_DBM_UNKNOWN && len < size)
		len += (size_t)snprintf(buf + len, size - len, _("%sRSRQ %.1f dB"), len ? sep : "",
					sg->rsrq_db10 / 10.0);
	if (sg->rscp_dbm != PARSE_DBM_UNKNOWN && len < size)
		snprintf(buf + len, size - len, _("%sRSCP %d dBm"), len ? sep : "", sg->rscp_dbm);
}

/* @return false when there is no signal (registration checks depend on it). */
bool diag_rule_signal(const struct diag_input *in, struct smsctl_diagnosis *d, bool sim_ready)
{
	struct signal sg;
	struct reg rg;
	char s[TXT], det[TXT], rem[TXT], levels[256];
	struct smsctl_finding *f;

	if (!in->q[Q_CSQ].asked)
		return true;
	if (diag_unusable(&in->q[Q_CSQ], "+CSQ:") && !diag_line(&in->q[Q_CESQ], "+CESQ:") &&
	    !in->q[Q_VSIG].n_lines) {
		diag_unknown(d, "signal.unknown", "signal.",
			     _("The signal strength could not be read"), &in->q[Q_CSQ]);
		return true;
	}
	read_signal(in, &sg);
	read_reg(in, &rg);
	bool registered = any_registered(&rg);
	describe_signal(&sg, levels, sizeof(levels));

	bool none = false, weak = false;
	if (sg.rsrp_dbm != PARSE_DBM_UNKNOWN) {
		/* LTE values decide when the modem gives them. */
		none = sg.rsrp_dbm < RSRP_NONE_DBM && !registered;
		weak = sg.rsrp_dbm < RSRP_WEAK_DBM ||
		       (sg.rsrq_db10 != PARSE_DBM_UNKNOWN && sg.rsrq_db10 < RSRQ_WEAK_DB10);
	} else if (sg.rscp_dbm != PARSE_DBM_UNKNOWN) {
		weak = sg.rscp_dbm < RSCP_WEAK_DBM;
	} else if (sg.rssi_dbm != PARSE_DBM_UNKNOWN) {
		none = sg.rssi == 0 && !registered;
		weak = sg.rssi_dbm < RSSI_WEAK_DBM;
	} else {
		/* Nothing measured: 99 is "not known". Without registration and with a ready
		 * SIM that means the modem finds no network to measure. */
		none = !registered && sim_ready && rg.cs != 3 && rg.cs != -1 && rg.gprs != 3 &&
		       rg.eps != 3;
	}

	if (none) {
		diag_fmt(s, sizeof(s), "%s", _("No signal"));
		if (levels[0])
			diag_fmt(det, sizeof(det),
				 _("Signal: %s, and the modem is not registered."), levels);
		else
			diag_fmt(
			    det, sizeof(det), "%s",
			    _("The modem reports no signal level (+CSQ 99: not known) and is not "
			      "registered to any network."));
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Check that the antenna is connected (screw it on firmly; a modem without "
		      "antenna hears almost nothing), move the modem or its antenna to a window or "
		      "higher up, away from metal cabinets, and check that the operator covers "
		      "this place with the network types the modem supports (many 2G and 3G "
		      "networks have been switched off)."));
		f = diag_add(d, "signal.none", SMSCTL_SEVERITY_ERROR, s, det, rem);
		evidence_signal(f, in);
		if (!registered)
			diag_evidence_reply(f, &in->q[Q_CREG]);
		return false;
	}
	if (weak) {
		diag_fmt(s, sizeof(s), _("Weak signal: %s"), levels);
		diag_fmt(
		    det, sizeof(det), "%s",
		    _("With a weak signal messages are sent slowly, fail now and then, or arrive "
		      "late."));
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Connect the antenna firmly, move the modem or its antenna to a window or "
		      "higher up, away from metal cabinets and other electronics; in a basement "
		      "use an external antenna on a cable."));
		f = diag_add(d, "signal.weak", SMSCTL_SEVERITY_WARNING, s, det, rem);
		evidence_signal(f, in);
		return true;
	}
	if (levels[0])
		diag_fmt(s, sizeof(s), _("Signal: %s"), levels);
	else
		diag_fmt(s, sizeof(s), "%s", _("Signal level not reported by the modem"));
	f = diag_add(d, "signal.ok", SMSCTL_SEVERITY_OK, s, "", "");
	evidence_signal(f, in);
	return true;
}

/* ---- Registration ---- */

static const char *operator_name(const struct diag_input *in, char *buf, size_t size)
{
	struct at_cops c;
	const char *line = diag_line(&in->q[Q_COPS], "+COPS:");

	buf[0] = '\0';
	if (line && parse_cops_query(line, &c) == 0 && c.oper[0])
		snprintf(buf, size, "%s", c.oper);
	return buf;
}

static void evidence_reg(struct smsctl_finding *f, const struct diag_input *in)
{
	diag_evidence_reply(f, &in->q[Q_CREG]);
	if (diag_line(&in->q[Q_CGREG], "+CGREG:"))
		diag_evidence_reply(f, &in->q[Q_CGREG]);
	if (diag_line(&in->q[Q_CEREG], "+CEREG:"))
		diag_evidence_reply(f, &in->q[Q_CEREG]);
}

static bool stat_is(const struct reg *rg, int stat)
{
	return rg->cs == stat || rg->gprs == stat || rg->eps == stat;
}

void diag_rule_net(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	struct reg rg;
	char s[TXT], det[TXT], rem[TXT], op[128];
	struct smsctl_finding *f;

	read_reg(in, &rg);
	if (rg.cs < 0 && rg.gprs < 0 && rg.eps < 0) {
		if (diag_unusable(&in->q[Q_CREG], "+CREG:"))
			diag_unknown(d, "net.unknown", "net.",
				     _("The network registration could not be read"),
				     &in->q[Q_CREG]);
		return;
	}
	operator_name(in, op, sizeof(op));
	bool cs = parse_reg_is_registered(rg.cs);
	bool ps = parse_reg_is_registered(rg.gprs) || parse_reg_is_registered(rg.eps);
	bool roaming =
	    parse_reg_is_roaming(cs ? rg.cs : (parse_reg_is_registered(rg.eps) ? rg.eps : rg.gprs));

	if (cs) {
		if (op[0])
			diag_fmt(s, sizeof(s), _("Registered on the network (%s)"), op);
		else
			diag_fmt(s, sizeof(s), "%s", _("Registered on the network"));
		f = diag_add(d, "net.ok", SMSCTL_SEVERITY_OK, s, "", "");
		evidence_reg(f, in);
		diag_evidence_reply(f, &in->q[Q_COPS]);
	} else if (ps) {
		diag_fmt(s, sizeof(s), "%s",
			 _("Registered for data only (LTE/packet), not for calls and SMS: SMS may "
			   "fail"));
		diag_fmt(
		    det, sizeof(det), "%s",
		    _("+CREG shows no registration while +CGREG/+CEREG does. SMS then only works "
		      "if "
		      "the network carries it over LTE (SMS over SGs or IMS). Data-only SIM cards "
		      "(IoT cards) often cannot send SMS to phones at all."));
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Check with the operator that the SIM card's plan includes SMS. Let the "
		      "modem use 2G/3G as well as 4G (automatic network mode), or enable SMS over "
		      "IMS in the modem's settings if the operator supports it."));
		f = diag_add(d, "net.ps_only", SMSCTL_SEVERITY_WARNING, s, det, rem);
		evidence_reg(f, in);
	} else if (stat_is(&rg, PARSE_REG_DENIED)) {
		diag_fmt(s, sizeof(s), "%s",
			 _("The network refused the SIM card (registration denied)"));
		diag_fmt(
		    det, sizeof(det), "%s",
		    _("The network rejects this SIM card. The usual reasons: the line is "
		      "suspended for an unpaid bill or no credit, the SIM was never activated or "
		      "its real-name registration is missing, the number was cancelled, or the "
		      "operator blocked it (e.g. for sending too many messages)."));
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Call the operator or check the account: pay the bill or top up, activate "
		      "the SIM and complete its registration; then restart the modem. Trying the "
		      "card in a phone shows the same."));
		f = diag_add(d, "net.denied", SMSCTL_SEVERITY_ERROR, s, det, rem);
		evidence_reg(f, in);
		return;
	} else if (stat_is(&rg, PARSE_REG_SEARCHING)) {
		diag_fmt(s, sizeof(s), "%s", _("Searching for a network, not registered"));
		diag_fmt(
		    det, sizeof(det), "%s",
		    _("The modem is looking for a network it may use but has not found one. Right "
		      "after power-on this takes up to a minute."));
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Wait a minute and run the diagnosis again. If it keeps searching: check the "
		      "antenna, move the modem to a better place, and check that the SIM card's "
		      "operator covers this place with the network types the modem supports."));
		f = diag_add(d, "net.searching", SMSCTL_SEVERITY_ERROR, s, det, rem);
		evidence_reg(f, in);
		return;
	} else {
		struct at_cops c;
		const char *line = diag_line(&in->q[Q_COPS], "+COPS:");
		bool manual_off = line && parse_cops_query(line, &c) == 0 && c.mode == 2;
		diag_fmt(s, sizeof(s), "%s", _("Not registered to a network"));
		if (manual_off)
			diag_fmt(det, sizeof(det), "%s",
				 _("The modem was told not to register (+COPS: 2, deregistered)."));
		else if (stat_is(&rg, PARSE_REG_EMERGENCY_ONLY))
			diag_fmt(det, sizeof(det), "%s",
				 _("The modem may only make emergency calls on this network."));
		else
			diag_fmt(det, sizeof(det), "%s",
				 _("The modem is not registered and not trying to register."));
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Turn automatic network selection on by sending AT+COPS=0 to the modem and "
		      "wait a minute; check that the SIM card is activated (try it in a phone). "
		      "Restart the modem if nothing changes."));
		f = diag_add(d, "net.not_registered", SMSCTL_SEVERITY_ERROR, s, det, rem);
		evidence_reg(f, in);
		diag_evidence_reply(f, &in->q[Q_COPS]);
		return;
	}
	if (roaming) {
		if (op[0])
			diag_fmt(s, sizeof(s), _("Roaming on %s"), op);
		else
			diag_fmt(s, sizeof(s), "%s", _("Roaming on a foreign network"));
		diag_fmt(
		    det, sizeof(det), "%s",
		    _("The SIM card is registered on a network other than its own. SMS may cost "
		      "more, and some plans do not allow SMS while roaming."));
		f = diag_add(d, "net.roaming", SMSCTL_SEVERITY_INFO, s, det,
			     _("Nothing to do if roaming is intended; otherwise use a local SIM "
			       "card."));
		evidence_reg(f, in);
		diag_evidence_reply(f, &in->q[Q_COPS]);
	}
}

/* ---- SMS service and centre ---- */

void diag_rule_sms_service(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	const struct diag_reply *r = &in->q[Q_CSMS];
	struct at_csms cs;
	char s[TXT], det[TXT], rem[TXT];
	const char *line = diag_line(r, "+CSMS:");
	struct smsctl_finding *f;

	if (!line || parse_csms(line, &cs) != 0) {
		if (r->asked && r->result == SMSCTL_RESULT_OK)
			diag_unknown(d, "sms.unknown", "sms.service",
				     _("Whether the modem offers SMS could not be read"), r);
		return;
	}
	if (cs.mo == 0 || cs.mt == 0) {
		if (cs.mo == 0 && cs.mt == 0)
			diag_fmt(s, sizeof(s), "%s", _("The modem offers no SMS service"));
		else if (cs.mo == 0)
			diag_fmt(s, sizeof(s), "%s",
				 _("The modem cannot send SMS (+CSMS: no MO service)"));
		else
			diag_fmt(s, sizeof(s), "%s",
				 _("The modem cannot receive SMS (+CSMS: no MT service)"));
		diag_fmt(det, sizeof(det), _("+CSMS reports: sending %s, receiving %s."),
			 cs.mo ? _("supported") : _("not supported"),
			 cs.mt ? _("supported") : _("not supported"));
		diag_fmt(rem, sizeof(rem), "%s",
			 _("Some modems only offer SMS once the SIM card is ready and registered: "
			   "restart the modem and run the diagnosis again. Data-only modules and "
			   "firmware (some LTE Cat-M/NB-IoT builds) have no SMS at all: check the "
			   "module's model and firmware with its seller."));
		f = diag_add(d, "sms.service_unavailable", SMSCTL_SEVERITY_ERROR, s, det, rem);
	} else {
		f = diag_add(d, "sms.service_ok", SMSCTL_SEVERITY_OK,
			     _("The modem offers SMS sending and receiving"), "", "");
	}
	diag_evidence_reply(f, r);
}

void diag_rule_smsc(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	const struct diag_reply *r = &in->q[Q_CSCA];
	struct at_csca c;
	char s[TXT], det[TXT], rem[TXT], why[TXT];
	struct smsctl_finding *f;
	const char *set_rem =
	    _("Set the SMS centre number of the SIM card's operator once by sending "
	      "AT+CSCA=\"+NUMBER\",145 to the modem (the number is on the operator's website, "
	      "or in a phone with this SIM: Messages > Settings > SMS centre), or give it with "
	      "each message: smsctl send --smsc +NUMBER.");

	if (!r->asked)
		return;
	const char *line = diag_line(r, "+CSCA:");
	if (diag_unusable(r, "+CSCA:")) {
		diag_unknown(d, "sms.unknown", "sms.smsc",
			     _("The SMS centre number could not be read"), r);
		return;
	}
	if (r->result != SMSCTL_RESULT_OK || !line) {
		diag_explain_error(in, r, why, sizeof(why));
		if (r->result == SMSCTL_RESULT_CMS_ERROR && r->code == 330) {
			diag_fmt(s, sizeof(s), "%s", _("No SMS centre number is set"));
			diag_fmt(det, sizeof(det), "%s", why);
			f = diag_add(d, "sms.smsc_missing", SMSCTL_SEVERITY_ERROR, s, det, set_rem);
		} else {
			diag_fmt(s, sizeof(s), "%s", _("The SMS centre number could not be read"));
			diag_fmt(det, sizeof(det), "%s", why);
			f = diag_add(d, "sms.smsc_unknown", SMSCTL_SEVERITY_INFO, s, det, "");
		}
		diag_evidence_reply(f, r);
		return;
	}
	if (parse_csca(line, &c) != 0 || c.number[0] == '\0') {
		diag_fmt(s, sizeof(s), "%s", _("No SMS centre number is set"));
		diag_fmt(
		    det, sizeof(det), "%s",
		    _("Without an SMS centre (SMSC) number the modem does not know where to hand "
		      "messages over: every send fails (often with +CMS ERROR: 330 or 500)."));
		f = diag_add(d, "sms.smsc_missing", SMSCTL_SEVERITY_ERROR, s, det, set_rem);
	} else if (!parse_csca_is_valid(&c) || strspn(c.number, "+0") == strlen(c.number)) {
		diag_fmt(s, sizeof(s), _("The SMS centre number '%s' is not valid"), c.number);
		diag_fmt(det, sizeof(det), "%s",
			 _("The stored SMS centre number is not a phone number; messages cannot be "
			   "handed over."));
		diag_fmt(rem, sizeof(rem), "%s", set_rem);
		f = diag_add(d, "sms.smsc_invalid", SMSCTL_SEVERITY_ERROR, s, det, rem);
	} else {
		diag_fmt(s, sizeof(s), _("SMS centre number %s"), c.number);
		f = diag_add(d, "sms.smsc_ok", SMSCTL_SEVERITY_OK, s, "", "");
	}
	diag_evidence_reply(f, r);
}

/* ---- Storage ---- */

/* Does memory a (read by programs) show messages stored in b? MT is SM and ME together. */
static bool mem_covers(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return true;
	return strcmp(a, "MT") == 0 && (strcmp(b, "SM") == 0 || strcmp(b, "ME") == 0);
}

static const char *mem_label(const char *name)
{
	if (strcmp(name, "SM") == 0)
		return _("SIM card storage (SM)");
	if (strcmp(name, "ME") == 0)
		return _("modem storage (ME)");
	if (strcmp(name, "MT") == 0)
		return _("SIM and modem storage (MT)");
	if (strcmp(name, "SR") == 0)
		return _("status report storage (SR)");
	return name;
}

static void evidence_mem(struct smsctl_finding *f, const struct diag_input *in,
			 const struct diag_mem *m)
{
	if (m->reply >= 0 && (size_t)m->reply < in->n_extra)
		diag_evidence_reply(f, &in->extra[m->reply]);
	else
		diag_evidence_reply(f, &in->q[Q_CPMS]);
}

void diag_rule_storage(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	struct at_cpms cp;
	char s[TXT], det[TXT], rem[TXT];
	struct smsctl_finding *f;
	bool problem = false;
	const char *line = diag_line(&in->q[Q_CPMS], "+CPMS:");

	if (!line || parse_cpms(line, &cp) != 0 || cp.count < 1) {
		if (in->q[Q_CPMS].asked && in->q[Q_CPMS].result == SMSCTL_RESULT_OK)
			diag_unknown(d, "sms.unknown", "sms.storage",
				     _("The message storage could not be read"), &in->q[Q_CPMS]);
		return;
	}
	const char *recv = cp.count >= 3 ? cp.mem[2].name : cp.mem[0].name;
	const char *read = cp.mem[0].name;
	/* The memories the walk read; without them (rules fed by hand), those of +CPMS?. */
	struct diag_mem own[3];
	const struct diag_mem *mems = in->mem;
	size_t n_mems = in->n_mem;
	if (n_mems == 0) {
		for (int i = 0; i < cp.count && i < 3; i++) {
			bool seen = false;
			for (size_t k = 0; k < n_mems; k++)
				seen |= strcmp(own[k].name, cp.mem[i].name) == 0;
			if (seen)
				continue;
			snprintf(own[n_mems].name, sizeof(own[n_mems].name), "%s", cp.mem[i].name);
			own[n_mems].used = cp.mem[i].used;
			own[n_mems].total = cp.mem[i].total;
			own[n_mems].reply = -1;
			n_mems++;
		}
		mems = own;
	}

	for (size_t i = 0; i < n_mems; i++) {
		const struct diag_mem *m = &mems[i];
		/* A memory of size 0 is one the modem does not really have (Huawei ME). */
		if (m->total <= 0 || m->used < 0)
			continue;
		/* Messages are lost when the memory they are stored in is full: the receive
		 * memory itself (MT: SIM and modem together), or this one when it is that. */
		bool recv_full = strcmp(m->name, recv) == 0;
		for (size_t k = 0; k < n_mems; k++)
			if (strcmp(mems[k].name, recv) == 0 && mems[k].total > 0 &&
			    mems[k].used >= mems[k].total)
				recv_full = true;
		bool receives =
		    recv_full && (mem_covers(m->name, recv) || mem_covers(recv, m->name));
		if (m->used >= m->total) {
			diag_fmt(s, sizeof(s), _("Message storage full: %s, %d of %d"),
				 mem_label(m->name), m->used, m->total);
			if (receives || strcmp(m->name, "SR") == 0)
				diag_fmt(
				    det, sizeof(det), "%s",
				    _("New messages are stored here: while it is full, incoming "
				      "SMS "
				      "are refused and lost (the network gives up after a "
				      "while)."));
			else
				diag_fmt(
				    det, sizeof(det), "%s",
				    _("This memory is full; new messages go elsewhere for now, but "
				      "a change of the storage setting would lose them."));
			diag_fmt(
			    rem, sizeof(rem), "%s",
			    _("Fetch and delete the stored messages (smsctl recv reads them, "
			      "smsctl delete removes them), and let the program that receives SMS "
			      "delete each message after reading it."));
			f = diag_add(d, "sms.storage_full", SMSCTL_SEVERITY_ERROR, s, det, rem);
			evidence_mem(f, in, m);
			problem = true;
		} else if (m->total >= 5 && m->used * 100 >= m->total * NEARLY_FULL_PERCENT) {
			diag_fmt(s, sizeof(s), _("Message storage nearly full: %s, %d of %d"),
				 mem_label(m->name), m->used, m->total);
			diag_fmt(det, sizeof(det), "%s",
				 _("When it is full, incoming SMS are refused and lost."));
			diag_fmt(
			    rem, sizeof(rem), "%s",
			    _("Fetch and delete messages that are no longer needed (smsctl recv, "
			      "smsctl delete)."));
			f = diag_add(d, "sms.storage_nearly_full", SMSCTL_SEVERITY_WARNING, s, det,
				     rem);
			evidence_mem(f, in, m);
			problem = true;
		}
	}
	if (cp.count >= 3 && recv[0] && read[0] && !mem_covers(read, recv)) {
		diag_fmt(s, sizeof(s), _("New messages go to %s, but programs read %s"),
			 mem_label(recv), mem_label(read));
		diag_fmt(
		    det, sizeof(det), "%s",
		    _("+CPMS: the third memory (where new messages are stored) differs from the "
		      "first (the one listed and read): a program that lists messages does not "
		      "see the new ones, and they pile up until the memory is full."));
		diag_fmt(rem, sizeof(rem),
			 _("Make the memories the same by sending "
			   "AT+CPMS=\"%s\",\"%s\",\"%s\" to the modem."),
			 recv, recv, recv);
		f = diag_add(d, "sms.storage_mismatch", SMSCTL_SEVERITY_WARNING, s, det, rem);
		diag_evidence_reply(f, &in->q[Q_CPMS]);
		problem = true;
	}
	if (!problem) {
		char list[256] = "";
		size_t len = 0;
		for (size_t i = 0; i < n_mems && len < sizeof(list); i++)
			if (mems[i].total > 0)
				len += (size_t)snprintf(list + len, sizeof(list) - len,
							"%s%s %d/%d", len ? _(", ") : "",
							mems[i].name, mems[i].used, mems[i].total);
		diag_fmt(s, sizeof(s), _("Message storage has room (%s)"), list);
		f = diag_add(d, "sms.storage_ok", SMSCTL_SEVERITY_OK, s, "", "");
		diag_evidence_reply(f, &in->q[Q_CPMS]);
		for (size_t i = 0; i < in->n_extra; i++)
			if (parse_has_prefix(in->extra[i].command, "AT+CPMS="))
				diag_evidence_reply(f, &in->extra[i]);
	}
}

/* ---- Receive configuration ---- */

void diag_rule_indications(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	const struct diag_reply *r = &in->q[Q_CNMI];
	struct at_cnmi cn;
	char s[TXT], det[TXT];
	struct smsctl_finding *f;
	const char *line = diag_line(r, "+CNMI:");

	if (!line || parse_cnmi(line, &cn) != 0) {
		if (r->asked && r->result == SMSCTL_RESULT_OK)
			diag_unknown(d, "sms.unknown", "sms.indications",
				     _("The new-message announcement setting could not be read"),
				     r);
		return;
	}
	if (cn.mt == 0 || cn.mode == 0) {
		if (cn.mt == 0)
			diag_fmt(s, sizeof(s), "%s",
				 _("New messages are not announced (+CNMI mt=0)"));
		else
			diag_fmt(s, sizeof(s), "%s",
				 _("New-message announcements are held back in the modem (+CNMI "
				   "mode=0)"));
		diag_fmt(
		    det, sizeof(det), "%s",
		    _("Messages are stored without telling the computer: a program waiting for "
		      "+CMTI or +CMT sees nothing and has to look for new messages itself."));
		f = diag_add(d, "sms.indications_off", SMSCTL_SEVERITY_INFO, s, det,
			     _("Nothing to do when messages are fetched regularly (smsctl recv "
			       "switches announcements on while it runs). To have them announced, "
			       "send AT+CNMI=2,1,0,0,0 to the modem."));
	} else {
		f = diag_add(d, "sms.indications_ok", SMSCTL_SEVERITY_OK,
			     _("New messages are announced to the computer"), "", "");
	}
	diag_evidence_reply(f, r);
}
