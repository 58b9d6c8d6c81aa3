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
	struct query_csq q;
	struct query_cesq ce;
	struct query_vsig vs;

	sg->known = false;
	sg->rssi = 99;
	sg->bars = -1;
	sg->rssi_dbm = sg->rsrp_dbm = sg->rsrq_db10 = sg->rscp_dbm = PARSE_DBM_UNKNOWN;
	query_csq_of(&in->q[Q_CSQ], &q);
	if (q.known && q.csq.rssi >= 0 && q.csq.rssi <= 31) {
		sg->rssi = q.csq.rssi;
		sg->rssi_dbm = q.csq.dbm;
		sg->bars = q.csq.bars;
		sg->known = true;
	}
	query_cesq_of(&in->q[Q_CESQ], &ce);
	if (ce.known) {
		if (ce.cesq.rsrp_dbm != PARSE_DBM_UNKNOWN) {
			sg->rsrp_dbm = ce.cesq.rsrp_dbm;
			sg->known = true;
		}
		if (ce.cesq.rsrq_db10 != PARSE_DBM_UNKNOWN)
			sg->rsrq_db10 = ce.cesq.rsrq_db10;
		if (ce.cesq.rscp_dbm != PARSE_DBM_UNKNOWN) {
			sg->rscp_dbm = ce.cesq.rscp_dbm;
			sg->known = true;
		}
		if (sg->rssi_dbm == PARSE_DBM_UNKNOWN && ce.cesq.rxlev_dbm != PARSE_DBM_UNKNOWN) {
			sg->rssi_dbm = ce.cesq.rxlev_dbm;
			sg->known = true;
		}
	}
	query_vsig_of(&in->q[Q_VSIG], &vs);
	if (vs.known && sg->rssi_dbm == PARSE_DBM_UNKNOWN) {
		sg->rssi_dbm = vs.dbm;
		sg->known = true;
	}
}

/* Registration as read from +CREG/+CGREG/+CEREG; -1 when not known. */
struct reg {
	int cs, gprs, eps;
};

static int reg_stat(const struct diag_input *in, enum diag_q q, enum query_domain domain)
{
	struct query_reg r;

	query_reg_of(domain, &in->q[q], &r);
	return r.known ? r.reg.stat : -1;
}

static void read_reg(const struct diag_input *in, struct reg *rg)
{
	rg->cs = reg_stat(in, Q_CREG, QUERY_REG_CS);
	rg->gprs = reg_stat(in, Q_CGREG, QUERY_REG_PS);
	rg->eps = reg_stat(in, Q_CEREG, QUERY_REG_EPS);
}

static bool any_registered(const struct reg *rg)
{
	return parse_reg_is_registered(rg->cs) || parse_reg_is_registered(rg->gprs) ||
	       parse_reg_is_registered(rg->eps);
}

static void evidence_signal(struct smsctl_finding *f, const struct diag_input *in)
{
	diag_evidence_reply(f, &in->q[Q_CSQ]);
	if (query_line(&in->q[Q_CESQ], "+CESQ:"))
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
	if (diag_unusable(&in->q[Q_CSQ], "+CSQ:") && !query_line(&in->q[Q_CESQ], "+CESQ:") &&
	    !in->q[Q_VSIG].n_lines) {
		diag_unknown(d, R_SIGNAL_UNKNOWN, &in->q[Q_CSQ]);
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
		enum diag_rule_id rule = levels[0] ? R_SIGNAL_NONE : R_SIGNAL_NONE_UNMEASURED;
		diag_fmt(s, sizeof(s), "%s", diag_tr(RS(rule)));
		diag_rfmt(det, sizeof(det), RD(rule), levels);
		diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(rule)));
		f = diag_rule_add(d, rule, s, det, rem);
		evidence_signal(f, in);
		if (!registered)
			diag_evidence_reply(f, &in->q[Q_CREG]);
		return false;
	}
	if (weak) {
		diag_rfmt(s, sizeof(s), RS(R_SIGNAL_WEAK), levels);
		diag_fmt(det, sizeof(det), "%s", diag_tr(RD(R_SIGNAL_WEAK)));
		diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(R_SIGNAL_WEAK)));
		f = diag_rule_add(d, R_SIGNAL_WEAK, s, det, rem);
		evidence_signal(f, in);
		return true;
	}
	enum diag_rule_id ok = levels[0] ? R_SIGNAL_OK : R_SIGNAL_OK_UNREPORTED;
	diag_rfmt(s, sizeof(s), RS(ok), levels);
	f = diag_rule_add(d, ok, s, "", "");
	evidence_signal(f, in);
	return true;
}

/* ---- Registration ---- */

static const char *operator_name(const struct diag_input *in, char *buf, size_t size)
{
	struct query_operator op;

	buf[0] = '\0';
	query_operator_of(&in->q[Q_COPS], &op);
	if (op.known && op.cops.oper[0])
		snprintf(buf, size, "%s", op.cops.oper);
	return buf;
}

static void evidence_reg(struct smsctl_finding *f, const struct diag_input *in)
{
	diag_evidence_reply(f, &in->q[Q_CREG]);
	if (query_line(&in->q[Q_CGREG], "+CGREG:"))
		diag_evidence_reply(f, &in->q[Q_CGREG]);
	if (query_line(&in->q[Q_CEREG], "+CEREG:"))
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
			diag_unknown(d, R_NET_UNKNOWN, &in->q[Q_CREG]);
		return;
	}
	operator_name(in, op, sizeof(op));
	bool cs = parse_reg_is_registered(rg.cs);
	bool ps = parse_reg_is_registered(rg.gprs) || parse_reg_is_registered(rg.eps);
	bool roaming =
	    parse_reg_is_roaming(cs ? rg.cs : (parse_reg_is_registered(rg.eps) ? rg.eps : rg.gprs));

	if (cs) {
		enum diag_rule_id ok = op[0] ? R_NET_OK_OPERATOR : R_NET_OK;
		diag_rfmt(s, sizeof(s), RS(ok), op);
		f = diag_rule_add(d, ok, s, "", "");
		evidence_reg(f, in);
		diag_evidence_reply(f, &in->q[Q_COPS]);
	} else if (ps) {
		diag_fmt(s, sizeof(s), "%s", diag_tr(RS(R_NET_PS_ONLY)));
		diag_fmt(det, sizeof(det), "%s", diag_tr(RD(R_NET_PS_ONLY)));
		diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(R_NET_PS_ONLY)));
		f = diag_rule_add(d, R_NET_PS_ONLY, s, det, rem);
		evidence_reg(f, in);
	} else if (stat_is(&rg, PARSE_REG_DENIED)) {
		diag_fmt(s, sizeof(s), "%s", diag_tr(RS(R_NET_DENIED)));
		diag_fmt(det, sizeof(det), "%s", diag_tr(RD(R_NET_DENIED)));
		diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(R_NET_DENIED)));
		f = diag_rule_add(d, R_NET_DENIED, s, det, rem);
		evidence_reg(f, in);
		return;
	} else if (stat_is(&rg, PARSE_REG_SEARCHING)) {
		diag_fmt(s, sizeof(s), "%s", diag_tr(RS(R_NET_SEARCHING)));
		diag_fmt(det, sizeof(det), "%s", diag_tr(RD(R_NET_SEARCHING)));
		diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(R_NET_SEARCHING)));
		f = diag_rule_add(d, R_NET_SEARCHING, s, det, rem);
		evidence_reg(f, in);
		return;
	} else {
		struct query_operator cops;
		query_operator_of(&in->q[Q_COPS], &cops);
		bool manual_off = cops.known && cops.cops.mode == 2;
		enum diag_rule_id rule = manual_off ? R_NET_DEREGISTERED
					 : stat_is(&rg, PARSE_REG_EMERGENCY_ONLY)
					     ? R_NET_EMERGENCY_ONLY
					     : R_NET_NOT_REGISTERED;
		diag_fmt(s, sizeof(s), "%s", diag_tr(RS(rule)));
		diag_fmt(det, sizeof(det), "%s", diag_tr(RD(rule)));
		diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(rule)));
		f = diag_rule_add(d, rule, s, det, rem);
		evidence_reg(f, in);
		diag_evidence_reply(f, &in->q[Q_COPS]);
		return;
	}
	if (roaming) {
		enum diag_rule_id rule = op[0] ? R_NET_ROAMING_OPERATOR : R_NET_ROAMING;
		diag_rfmt(s, sizeof(s), RS(rule), op);
		diag_fmt(det, sizeof(det), "%s", diag_tr(RD(rule)));
		f = diag_rule_add(d, rule, s, det, NULL);
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
	const char *line = query_line(r, "+CSMS:");
	struct smsctl_finding *f;

	if (!line || parse_csms(line, &cs) != 0) {
		if (r->asked && r->result == SMSCTL_RESULT_OK)
			diag_unknown(d, R_SMS_SERVICE_UNKNOWN, r);
		return;
	}
	if (cs.mo == 0 || cs.mt == 0) {
		enum diag_rule_id rule = cs.mo == 0 && cs.mt == 0 ? R_SMS_SERVICE_NONE
					 : cs.mo == 0		  ? R_SMS_SERVICE_NO_MO
								  : R_SMS_SERVICE_NO_MT;
		diag_fmt(s, sizeof(s), "%s", diag_tr(RS(rule)));
		diag_rfmt(det, sizeof(det), RD(rule), cs.mo ? _("supported") : _("not supported"),
			  cs.mt ? _("supported") : _("not supported"));
		diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(rule)));
		f = diag_rule_add(d, rule, s, det, rem);
	} else {
		f = diag_rule_add(d, R_SMS_SERVICE_OK, NULL, "", "");
	}
	diag_evidence_reply(f, r);
}

void diag_rule_smsc(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	const struct diag_reply *r = &in->q[Q_CSCA];
	char s[TXT], det[TXT], rem[TXT], why[TXT];
	struct smsctl_finding *f;

	if (!r->asked)
		return;
	const char *line = query_line(r, "+CSCA:");
	if (diag_unusable(r, "+CSCA:")) {
		diag_unknown(d, R_SMSC_UNREADABLE, r);
		return;
	}
	if (r->result != SMSCTL_RESULT_OK || !line) {
		diag_explain_error(in, r, why, sizeof(why));
		if (r->result == SMSCTL_RESULT_CMS_ERROR && r->code == 330) {
			diag_fmt(s, sizeof(s), "%s", diag_tr(RS(R_SMSC_MISSING_ERROR)));
			diag_fmt(det, sizeof(det), "%s", why);
			f = diag_rule_add(d, R_SMSC_MISSING_ERROR, s, det, NULL);
		} else {
			diag_fmt(s, sizeof(s), "%s", diag_tr(RS(R_SMSC_UNKNOWN)));
			diag_fmt(det, sizeof(det), "%s", why);
			f = diag_rule_add(d, R_SMSC_UNKNOWN, s, det, "");
		}
		diag_evidence_reply(f, r);
		return;
	}
	struct query_smsc sc;
	memset(&sc, 0, sizeof(sc));
	query_smsc_of(r, &sc);
	const struct at_csca c = sc.csca;
	if (!sc.known || c.number[0] == '\0') {
		diag_fmt(s, sizeof(s), "%s", diag_tr(RS(R_SMSC_MISSING)));
		diag_fmt(det, sizeof(det), "%s", diag_tr(RD(R_SMSC_MISSING)));
		f = diag_rule_add(d, R_SMSC_MISSING, s, det, NULL);
	} else if (!parse_csca_is_valid(&c) || strspn(c.number, "+0") == strlen(c.number)) {
		diag_rfmt(s, sizeof(s), RS(R_SMSC_INVALID), c.number);
		diag_fmt(det, sizeof(det), "%s", diag_tr(RD(R_SMSC_INVALID)));
		diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(R_SMSC_INVALID)));
		f = diag_rule_add(d, R_SMSC_INVALID, s, det, rem);
	} else {
		diag_rfmt(s, sizeof(s), RS(R_SMSC_OK), c.number);
		f = diag_rule_add(d, R_SMSC_OK, s, "", "");
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
	const char *line = query_line(&in->q[Q_CPMS], "+CPMS:");

	if (!line || parse_cpms(line, &cp) != 0 || cp.count < 1) {
		if (in->q[Q_CPMS].asked && in->q[Q_CPMS].result == SMSCTL_RESULT_OK)
			diag_unknown(d, R_STORAGE_UNKNOWN, &in->q[Q_CPMS]);
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
			enum diag_rule_id rule = receives || strcmp(m->name, "SR") == 0
						     ? R_STORAGE_FULL_RECEIVING
						     : R_STORAGE_FULL;
			diag_rfmt(s, sizeof(s), RS(rule), mem_label(m->name), m->used, m->total);
			diag_fmt(det, sizeof(det), "%s", diag_tr(RD(rule)));
			diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(rule)));
			f = diag_rule_add(d, rule, s, det, rem);
			evidence_mem(f, in, m);
			problem = true;
		} else if (m->total >= 5 && m->used * 100 >= m->total * NEARLY_FULL_PERCENT) {
			diag_rfmt(s, sizeof(s), RS(R_STORAGE_NEARLY_FULL), mem_label(m->name),
				  m->used, m->total);
			diag_fmt(det, sizeof(det), "%s", diag_tr(RD(R_STORAGE_NEARLY_FULL)));
			diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(R_STORAGE_NEARLY_FULL)));
			f = diag_rule_add(d, R_STORAGE_NEARLY_FULL, s, det, rem);
			evidence_mem(f, in, m);
			problem = true;
		}
	}
	if (cp.count >= 3 && recv[0] && read[0] && !mem_covers(read, recv)) {
		diag_rfmt(s, sizeof(s), RS(R_STORAGE_MISMATCH), mem_label(recv), mem_label(read));
		diag_fmt(det, sizeof(det), "%s", diag_tr(RD(R_STORAGE_MISMATCH)));
		diag_rfmt(rem, sizeof(rem), RR(R_STORAGE_MISMATCH), recv, recv, recv);
		f = diag_rule_add(d, R_STORAGE_MISMATCH, s, det, rem);
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
		diag_rfmt(s, sizeof(s), RS(R_STORAGE_OK), list);
		f = diag_rule_add(d, R_STORAGE_OK, s, "", "");
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
	const char *line = query_line(r, "+CNMI:");

	if (!line || parse_cnmi(line, &cn) != 0) {
		if (r->asked && r->result == SMSCTL_RESULT_OK)
			diag_unknown(d, R_INDICATIONS_UNKNOWN, r);
		return;
	}
	if (cn.mt == 0 || cn.mode == 0) {
		enum diag_rule_id rule = cn.mt == 0 ? R_INDICATIONS_MT_OFF : R_INDICATIONS_HELD;
		diag_fmt(s, sizeof(s), "%s", diag_tr(RS(rule)));
		diag_fmt(det, sizeof(det), "%s", diag_tr(RD(rule)));
		f = diag_rule_add(d, rule, s, det, NULL);
	} else {
		f = diag_rule_add(d, R_INDICATIONS_OK, NULL, "", "");
	}
	diag_evidence_reply(f, r);
}
