/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rules of the diagnosis: recorded answers in, findings out. No I/O. The thresholds are
 * documented in diagnose.h (and smsctl(1)); keep them in step. */
#include <ctype.h>
#include <stdarg.h>
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

const char *diag_fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, size, f, ap);
	va_end(ap);
	return buf;
}

void diag_input_init(struct diag_input *in)
{
	memset(in, 0, sizeof(*in));
	in->pin_reply = -1;
	in->timeout_ms = 10000;
	for (size_t i = 0; i < Q_N; i++)
		in->q[i].code = -1;
}

/* The manufacturer as the modem printed it, "" when unknown. */
static const char *manufacturer(const struct diag_input *in)
{
	const struct diag_reply *r = &in->q[Q_CGMI];

	if (!r->asked || r->result != SMSCTL_RESULT_OK || r->n_lines == 0)
		return "";
	const char *s = r->lines[0];
	if (parse_has_prefix(s, "+CGMI:"))
		s = strchr(s, ':') + 1;
	while (*s == ' ')
		s++;
	return s;
}

/* A sentence explaining an error final line, "" when nothing can be said. The meaning of
 * +CMS ERROR codes of 512 and above is vendor-specific: explained only for a known vendor. */
const char *diag_explain_error(const struct diag_input *in, const struct diag_reply *r, char *buf,
			       size_t size)
{
	buf[0] = '\0';
	if (r->result == SMSCTL_RESULT_CMS_ERROR && r->code >= 512) {
		const char *v = smsctl_cms_error_describe_vendor(r->code, manufacturer(in));
		if (v)
			return diag_fmt(buf, size, _("%s means: %s."), r->final, v);
		return diag_fmt(
		    buf, size,
		    _("%s is a code of the modem's manufacturer, which is not known here."),
		    r->final);
	}
	if (r->result == SMSCTL_RESULT_CMS_ERROR && r->code >= 0)
		return diag_fmt(buf, size, _("%s means: %s."), r->final,
				smsctl_cms_error_describe(r->code));
	if (r->result == SMSCTL_RESULT_CME_ERROR && r->code >= 0)
		return diag_fmt(buf, size, _("%s means: %s."), r->final,
				smsctl_cme_error_describe(r->code));
	if (r->result == SMSCTL_RESULT_NOT_SUPPORTED)
		return diag_fmt(buf, size, _("The modem does not support %s."), r->command);
	return buf;
}

/* ---- Radio ---- */

int diag_cfun(const struct diag_input *in)
{
	struct at_cfun cf;
	const char *line = query_line(&in->q[Q_CFUN], "+CFUN:");

	if (!line || parse_cfun(line, &cf) != 0)
		return -1;
	return cf.fun;
}

/* ---- Checks that could not be made ---- */

bool diag_unusable(const struct diag_reply *r, const char *prefix)
{
	if (!r->asked || r->result != SMSCTL_RESULT_OK)
		return false;
	return query_line(r, prefix) == NULL;
}

void diag_unknown(struct smsctl_diagnosis *d, enum diag_rule_id rule, const struct diag_reply *r)
{
	char det[TXT], raw[DIAG_LINE_MAX * 2];
	size_t len = 0;

	raw[0] = '\0';
	for (size_t i = 0; i < r->n_lines && len < sizeof(raw); i++)
		len += (size_t)snprintf(raw + len, sizeof(raw) - len, "%s%s", len ? " | " : "",
					r->lines[i]);
	if (r->final[0] && len < sizeof(raw))
		snprintf(raw + len, sizeof(raw) - len, "%s%s", len ? " | " : "", r->final);
	diag_rfmt(det, sizeof(det), RD(rule), r->command, raw[0] ? raw : _("(nothing)"));
	struct smsctl_finding *f = diag_rule_add(d, rule, NULL, det, NULL);
	if (!f)
		return;
	diag_evidence_reply(f, r);
}

/* ---- Port ---- */

static bool is_modem_manager(const char *prog)
{
	return strcasecmp(prog, "ModemManager") == 0 || strcasecmp(prog, "modem-manager") == 0;
}

/* The evidence of a failed open: what was opened and what the system said. */
static void evidence_open(struct smsctl_finding *f, const struct diag_input *in)
{
	char cmd[300];
	const char *why = in->port.detail[0] ? in->port.detail : smsctl_strerror(in->port.open_err);

	snprintf(cmd, sizeof(cmd), "open %s", in->device);
	diag_evidence(f, cmd, why);
}

static void rule_port_open(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	const struct diag_port *p = &in->port;
	const char *dev = in->device;
	char s[TXT], det[TXT], rem[TXT * 2];
	enum diag_rule_id rule;

	switch (p->open_err) {
	case SMSCTL_ERR_PERMISSION:
		if (p->group[0] && p->in_group && !p->group_active) {
			rule = R_PORT_PERMISSION_LOGIN;
			diag_rfmt(det, sizeof(det), RD(rule), dev, p->group, p->mode);
			diag_rfmt(rem, sizeof(rem), RR(rule), p->group);
		} else if (p->group[0]) {
			rule = R_PORT_PERMISSION_GROUP;
			diag_rfmt(det, sizeof(det), RD(rule), dev, p->group, p->mode);
			diag_rfmt(rem, sizeof(rem), RR(rule), p->group);
		} else {
			rule = R_PORT_PERMISSION;
			diag_fmt(det, sizeof(det), "%s", p->detail);
			diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(rule)));
		}
		diag_rfmt(s, sizeof(s), RS(rule), dev);
		evidence_open(diag_rule_add(d, rule, s, det, rem), in);
		return;
	case SMSCTL_ERR_BUSY:
		if (p->holder[0] && p->holder_pid > 0)
			diag_rfmt(s, sizeof(s), RS(R_PORT_BUSY_HOLDER), dev, p->holder,
				  (int)p->holder_pid);
		else if (p->holder_pid > 0)
			diag_rfmt(s, sizeof(s), RS(R_PORT_BUSY_PID), dev, (int)p->holder_pid);
		else
			diag_rfmt(s, sizeof(s), RS(R_PORT_BUSY), dev);
		if (is_modem_manager(p->holder)) {
			diag_fmt(det, sizeof(det), "%s", diag_tr(RD(R_PORT_BUSY_MM)));
			if (p->usb_vid[0] && p->usb_pid[0]) {
				rule = R_PORT_BUSY_MM_USB;
				diag_rfmt(rem, sizeof(rem), RR(rule), p->usb_vid, p->usb_pid);
			} else {
				rule = R_PORT_BUSY_MM;
				diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(rule)));
			}
		} else {
			rule = p->holder_pid > 0 ? R_PORT_BUSY_STOP : R_PORT_BUSY_FIND;
			diag_fmt(det, sizeof(det), "%s",
				 p->detail[0] ? p->detail : diag_tr(RD(rule)));
			if (p->holder_pid > 0)
				diag_rfmt(rem, sizeof(rem), RR(rule),
					  p->holder[0] ? p->holder : "?", (int)p->holder_pid);
			else
				diag_rfmt(rem, sizeof(rem), RR(rule), dev);
		}
		evidence_open(diag_rule_add(d, rule, s, det, rem), in);
		return;
	case SMSCTL_ERR_NOT_TTY:
		rule = R_PORT_NOT_TTY;
		break;
	case SMSCTL_ERR_NOT_FOUND:
		rule = R_PORT_NOT_FOUND;
		break;
	default:
		rule = R_PORT_CANNOT_OPEN;
		break;
	}
	diag_rfmt(s, sizeof(s), RS(rule), dev);
	diag_fmt(det, sizeof(det), "%s", p->detail);
	diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(rule)));
	evidence_open(diag_rule_add(d, rule, s, det, rem), in);
}

/* Garbage on the line: from the trace of a port the diagnosis opened, else from the bytes
 * dropped from the recorded lines (an already open handle has no trace of ours). */
static void count_noise(const struct diag_input *in, size_t *bad, size_t *total, char *sample,
			size_t size)
{
	if (in->port.rx_bytes > 0) {
		*bad = in->port.bad_bytes;
		*total = in->port.rx_bytes;
		snprintf(sample, size, "%s", in->port.noise_sample);
		return;
	}
	*bad = in->line_noise.bad;
	*total = in->line_noise.bytes;
	snprintf(sample, size, "%s", in->line_noise.sample);
}

/* modem.gone: the port closed or failed (EOF/EIO) during the walk, before any answer or
 * after some. The evidence is the command it went away on. */
static void rule_gone(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	char s[TXT], det[TXT], rem[TXT];
	const char *at = in->stopped_at[0] ? in->stopped_at : "AT";

	enum diag_rule_id rule = in->answered ? R_MODEM_GONE : R_MODEM_GONE_SILENT;

	diag_fmt(s, sizeof(s), "%s", diag_tr(RS(rule)));
	diag_rfmt(det, sizeof(det), RD(rule), at);
	diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(rule)));
	struct smsctl_finding *f = diag_rule_add(d, rule, s, det, rem);
	diag_evidence(f, at, _("(the port closed)"));
}

/* @return false when nothing else can be checked. */
static bool rule_port(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	const char *dev = in->device;
	char s[TXT], det[TXT], rem[TXT];
	size_t bad, total;
	char sample[64];

	if (!in->opened) {
		rule_port_open(in, d);
		return false;
	}
	diag_rule_add(d, R_PORT_OK, diag_rfmt(s, sizeof(s), RS(R_PORT_OK), dev), "", "");

	count_noise(in, &bad, &total, sample, sizeof(sample));
	if (bad >= 4 && bad * 100 >= total) {
		enum diag_rule_id rule = sample[0] ? R_PORT_NOISE_SAMPLE : R_PORT_NOISE;
		diag_rfmt(s, sizeof(s), RS(rule), dev);
		diag_rfmt(det, sizeof(det), RD(rule), bad, total, sample);
		diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(rule)));
		struct smsctl_finding *f = diag_rule_add(d, rule, s, det, rem);
		char shown[96];
		if (sample[0])
			snprintf(shown, sizeof(shown), "%s", sample);
		else
			/* Evidence is the same in every language (the detail says it in words). */
			snprintf(shown, sizeof(shown), "(noise: %zu/%zu bytes)", bad, total);
		diag_evidence(f, "(received)", shown);
	}

	if (!in->answered && in->gone) {
		/* gone, not silent: the port closed before any answer (unplug:0) */
		rule_gone(in, d);
		return false;
	}
	if (!in->answered) {
		unsigned secs = (in->timeout_ms + 999) / 1000;
		enum diag_rule_id rule = in->port.n_answering > 0 ? R_PORT_NO_ANSWER_SIBLING
					 : in->port.n_silent > 0  ? R_PORT_NO_ANSWER_SILENT
								  : R_PORT_NO_ANSWER;
		diag_rfmt(s, sizeof(s), RS(rule), dev);
		if (in->port.n_answering > 0) {
			char list[512] = "";
			size_t len = 0;
			for (size_t i = 0; i < in->port.n_answering; i++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							i ? ", " : "", in->port.answering[i]);
			diag_rfmt(det, sizeof(det), RD(rule), secs, list);
			diag_rfmt(rem, sizeof(rem), RR(rule), in->port.answering[0]);
		} else {
			diag_rfmt(det, sizeof(det), RD(rule), secs);
			diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(rule)));
		}
		struct smsctl_finding *f = diag_rule_add(d, rule, s, det, rem);
		diag_evidence_reply(f, &in->q[Q_INIT]);
		return false;
	}
	return true;
}

/* ---- Modem ---- */

static bool rule_modem(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	char s[TXT], det[TXT], rem[TXT];
	const char *maker = manufacturer(in);
	struct smsctl_finding *f;

	enum diag_rule_id ok = maker[0] ? R_MODEM_OK_MAKER : R_MODEM_OK;
	diag_rfmt(s, sizeof(s), RS(ok), maker);
	f = diag_rule_add(d, ok, s, "", "");
	diag_evidence_reply(f, &in->q[Q_INIT]);
	diag_evidence_reply(f, &in->q[Q_CGMI]);

	if (in->gone || in->stopped_at[0]) {
		if (in->gone) {
			rule_gone(in, d);
		} else {
			diag_rfmt(s, sizeof(s), RS(R_PORT_STOPPED), in->device);
			diag_rfmt(det, sizeof(det), RD(R_PORT_STOPPED), in->stopped_at,
				  (in->timeout_ms + 999) / 1000);
			diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(R_PORT_STOPPED)));
			f = diag_rule_add(d, R_PORT_STOPPED, s, det, rem);
			diag_evidence(f, in->stopped_at, _("(no answer)"));
		}
	}

	int fun = diag_cfun(in);
	if (diag_unusable(&in->q[Q_CFUN], "+CFUN:"))
		diag_unknown(d, R_MODEM_UNKNOWN, &in->q[Q_CFUN]);
	if (fun > 1 || fun == 0) {
		enum diag_rule_id rule = fun == 4 ? R_MODEM_AIRPLANE : R_MODEM_RADIO_OFF;
		diag_rfmt(s, sizeof(s), RS(rule), fun);
		diag_fmt(det, sizeof(det), "%s", diag_tr(RD(rule)));
		diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(rule)));
		f = diag_rule_add(d, rule, s, det, rem);
		diag_evidence_reply(f, &in->q[Q_CFUN]);
	}
	return !in->gone && !in->stopped_at[0];
}

/* ---- SIM ---- */

static enum query_sim_state rule_sim(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	char s[TXT], det[TXT], rem[TXT], why[TXT];
	const struct diag_reply *r = &in->q[Q_CPIN];
	struct query_sim sim;

	query_sim_of(r, &sim);
	enum query_sim_state st = sim.state;
	const char *code = sim.said;
	enum diag_rule_id rule;

	diag_explain_error(in, r, why, sizeof(why));
	switch (st) {
	case QUERY_SIM_UNKNOWN:
		if (diag_unusable(r, "+CPIN:"))
			diag_unknown(d, R_SIM_UNKNOWN, r);
		return st;
	case QUERY_SIM_READY: {
		struct query_text ic;
		query_ident_of(QUERY_ID_ICCID, &in->q[Q_ICCID], &ic);
		const char *iccid = ic.value;
		rule = in->pin_reply >= 0 ? R_SIM_OK_PIN : R_SIM_OK;
		diag_fmt(s, sizeof(s), "%s", diag_tr(RS(rule)));
		if (iccid[0])
			diag_rfmt(det, sizeof(det), RD(rule), iccid);
		else
			det[0] = '\0';
		struct smsctl_finding *f = diag_rule_add(d, rule, s, det, "");
		diag_evidence_reply(f, r);
		diag_evidence_reply(f, &in->q[Q_ICCID]);
		return st;
	}
	case QUERY_SIM_ABSENT:
		rule = R_SIM_ABSENT;
		break;
	case QUERY_SIM_PIN:
		rule = in->pin_reply >= 0 ? R_SIM_PIN_WRONG : R_SIM_PIN;
		break;
	case QUERY_SIM_PUK:
		rule = R_SIM_PUK;
		break;
	case QUERY_SIM_BLOCKED:
		rule = R_SIM_BLOCKED;
		break;
	case QUERY_SIM_BUSY:
		rule = R_SIM_BUSY;
		break;
	case QUERY_SIM_LOCKED_DEVICE:
		rule = R_SIM_LOCKED_DEVICE;
		break;
	case QUERY_SIM_FAILURE:
	default:
		rule = R_SIM_FAILURE;
		break;
	}
	/* Every detail names the answer first; those ending in %s add the explanation. */
	diag_fmt(s, sizeof(s), "%s", diag_tr(RS(rule)));
	diag_rfmt(det, sizeof(det), RD(rule), code, why);
	diag_fmt(rem, sizeof(rem), "%s", diag_tr(RR(rule)));
	struct smsctl_finding *f = diag_rule_add(d, rule, s, det, rem);
	for (size_t i = 0; i < in->n_extra; i++)
		if (parse_has_prefix(in->extra[i].command, "AT+CPIN"))
			diag_evidence_reply(f, &in->extra[i]);
	diag_evidence_reply(f, r);
	return st;
}

/* ---- The walk through the layers ---- */

void diag_evaluate(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	if (!rule_port(in, d))
		return;
	bool alive = rule_modem(in, d);
	int fun = diag_cfun(in);
	bool radio = fun == 1 || fun < 0;

	enum query_sim_state sim = rule_sim(in, d);
	bool sim_ready = sim == QUERY_SIM_READY;
	/* A SIM state the modem did not report: the checks past it are still made (and
	 * reported unknown when they cannot be), never silently dropped. */
	bool sim_maybe = sim_ready || (sim == QUERY_SIM_UNKNOWN && in->q[Q_CPIN].asked);
	bool signal = true;
	if (radio)
		signal = diag_rule_signal(in, d, sim_ready);
	if (radio && signal && sim_maybe)
		diag_rule_net(in, d);
	if (!sim_maybe || !alive)
		return;
	diag_rule_sms_service(in, d);
	diag_rule_smsc(in, d);
	diag_rule_storage(in, d);
	diag_rule_indications(in, d);
}
