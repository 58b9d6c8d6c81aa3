/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sending an SMS: encode, hand each part over with AT+CMGS, retry what is proven not
 * accepted, and optionally wait for the status reports.
 *
 * The retry rules are the project contract ("Sending: which failures are retried"):
 *  - a part is submitted again only when the modem or network proved it was not accepted:
 *    an error before the `>` prompt, or an error result (`+CMS ERROR`, `+CME ERROR`);
 *  - a timeout (or the modem going away) after the PDU was handed over is never resubmitted:
 *    SMSCTL_ERR_UNKNOWN_OUTCOME;
 *  - transient causes (the codes.h class) wait 2 s, doubling, at most 30 s in all;
 *  - 330, 331, 332, 500 and vendor codes >= 512 first look at the registration and the SMSC;
 *  - a bare ERROR gets AT+CMEE=1 and the command again once, so the cause is known.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smsctl/codes.h>
#include <smsctl/error.h>
#include <smsctl/pdu.h>
#include <smsctl/sms.h>

#include "i18n.h"
#include "sms/internal.h"
#include "sms/send.h"

#define REPORT_QUEUE_MAX 64u

/* A status report event queued by a URC handler (commands cannot run inside handlers). */
struct report_event {
	char *line;
	char *pdu;
};

struct send_ctx {
	struct smsctl_modem *m;
	struct sms_state *st;
	const struct smsctl_send_options *o;
	struct smsctl_send_result *res;
	const struct smsctl_send_message *msg;
	struct smsctl_submit_options *so; /* own, made after a 330 to add the SMSC */
	struct smsctl_encoded *own_enc;	  /* the text encoded again with it */
	const struct smsctl_encoded *enc; /* the message's parts, or own_enc */
	const char *number;
	unsigned waited_ms;
	unsigned next_wait_ms;
	bool smsc_in_pdu;  /* an SMSC is in the PDU (--smsc or taken from +CSCA) */
	bool smsc_added;   /* taken from +CSCA after a 330 */
	bool cmee_retried; /* the bare-ERROR rule was applied */
	int urc_cds, urc_cdsi;
	struct report_event queue[REPORT_QUEUE_MAX];
	size_t queued;
};

static void detail(struct send_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void detail(struct send_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->res->detail, sizeof(c->res->detail), fmt, ap);
	va_end(ap);
}

/* ---- helpers ---- */

static bool engine_failure(int rc)
{
	return rc == SMSCTL_ERR_IO || rc == SMSCTL_ERR_NOMEM || rc == SMSCTL_ERR_STATE ||
	       rc == SMSCTL_ERR_CANCELLED || rc == SMSCTL_ERR_INVALID;
}

/* The next backoff pause, or false when the waiting budget is spent. */
static bool next_pause(struct send_ctx *c, unsigned *ms)
{
	unsigned total = c->o->backoff_total_ms;
	unsigned w = c->next_wait_ms;

	if (c->waited_ms + w > total) {
		if (c->waited_ms >= total && w > 0)
			return false;
		w = total - c->waited_ms;
	}
	*ms = w;
	c->waited_ms += w;
	c->next_wait_ms = c->next_wait_ms > 0x7fffffffu / 2 ? 0x7fffffffu : c->next_wait_ms * 2;
	return true;
}

/* The digits of a number, without '+' (for comparing a recipient with ours). */
static void digits_of(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; s && *s && n + 1 < size; s++)
		if (*s >= '0' && *s <= '9')
			out[n++] = *s;
	out[n] = '\0';
}

/* Same recipient: equal digits, or one the national tail of the other (at least 7 digits:
 * networks report "+31612345678" as "0612345678" or "612345678"). */
static bool same_recipient(const char *a, const char *b)
{
	char da[32], db[32];
	size_t la, lb;

	digits_of(a, da, sizeof(da));
	digits_of(b, db, sizeof(db));
	if (strcmp(da, db) == 0)
		return da[0] != '\0';
	la = strlen(da);
	lb = strlen(db);
	const char *lng = la > lb ? da : db;
	const char *sht = la > lb ? db : da;
	size_t ls = la > lb ? lb : la, ll = la > lb ? la : lb;
	if (sht[0] == '0') {
		sht++;
		ls--;
	}
	return ls >= 7 && strcmp(lng + (ll - ls), sht) == 0;
}

/* ---- encoding ---- */

static int encode(struct send_ctx *c)
{
	struct smsctl_encoded *enc = NULL;
	int rc = smsctl_pdu_encode_submit(c->number, c->msg->text, c->so, &enc);

	if (rc < 0)
		return rc;
	if (smsctl_encoded_get_count(enc) != smsctl_encoded_get_count(c->enc)) {
		/* cannot happen: the SMSC does not change how the text is split */
		smsctl_encoded_free(enc);
		return SMSCTL_ERR_PROTOCOL;
	}
	smsctl_encoded_free(c->own_enc);
	c->own_enc = enc;
	c->enc = enc;
	return 0;
}

/* The codec's options of the message, to change (the SMSC of +CSCA after a 330). */
static int own_options(struct send_ctx *c)
{
	if (c->so)
		return 0;
	return send_submit_options(c->o, c->msg->concat_ref, &c->so);
}

/* ---- looking at the cause of 330/331/332/500 ---- */

enum verdict {
	V_RETRY = 1,	 /* transient: wait and submit again */
	V_RETRY_NOW = 2, /* corrected (SMSC now in the PDU): submit again at once */
	V_FAIL = 3,	 /* c->res->error set */
};

/* Registration stat of one domain: the <stat>, -1 when unknown. */
static int reg_stat(struct smsctl_modem *m, enum query_domain d)
{
	struct query_reg reg;

	query_reg(m, d, &reg, NULL);
	return reg.known ? reg.reg.stat : -1;
}

static const char *reg_word(int stat)
{
	return stat < 0 ? _("unknown") : smsctl_registration_describe(stat);
}

static enum verdict fail(struct send_ctx *c, int err, bool transient)
{
	c->res->error = err;
	c->res->transient = transient;
	return V_FAIL;
}

static int fail_rc(struct send_ctx *c, int err, bool transient)
{
	fail(c, err, transient);
	return err;
}

static enum verdict inspect(struct send_ctx *c, int code, bool *vendor_retry_used)
{
	int cs = reg_stat(c->m, QUERY_REG_CS);
	int ps = reg_stat(c->m, QUERY_REG_PS);
	int eps = reg_stat(c->m, QUERY_REG_EPS);
	bool cs_ok = cs >= 0 && parse_reg_is_registered(cs);
	bool ps_ok =
	    (ps >= 0 && parse_reg_is_registered(ps)) || (eps >= 0 && parse_reg_is_registered(eps));
	struct query_smsc smsc;
	int rc;

	if ((cs >= 0 && !cs_ok) || (cs < 0 && (ps >= 0 || eps >= 0) && !ps_ok)) {
		if (ps_ok)
			detail(c,
			       _("+CMS ERROR %d: the modem is registered for data only (CS: %s; "
				 "PS: %s; EPS: %s), so SMS cannot go out"),
			       code, reg_word(cs), reg_word(ps), reg_word(eps));
		else
			detail(c, _("+CMS ERROR %d: no network (CS: %s; PS: %s; EPS: %s)"), code,
			       reg_word(cs), reg_word(ps), reg_word(eps));
		return fail(c, SMSCTL_ERR_NETWORK, false);
	}

	rc = query_smsc(c->m, &smsc, NULL);
	if (rc == SMSCTL_ERR_TIMEOUT || rc == SMSCTL_ERR_GONE) {
		detail(c, "%s", _("the modem stopped answering while its SMSC was read"));
		return fail(c, rc, false);
	}
	if (rc != 0 || !smsc.known) {
		detail(c, _("+CMS ERROR %d: the modem cannot report its SMSC yet"), code);
		return V_RETRY;
	}
	const struct at_csca *csca = &smsc.csca;
	if (!parse_csca_is_valid(csca)) {
		if (csca->number[0])
			detail(c,
			       _("+CMS ERROR %d: the SMSC address '%s' is not a number; set the "
				 "right one with AT+CSCA or give --smsc"),
			       code, csca->number);
		else
			detail(c,
			       _("+CMS ERROR %d: the modem has no SMSC address (+CSCA is empty); "
				 "set it with AT+CSCA or give --smsc"),
			       code);
		return fail(c, SMSCTL_ERR_REJECTED, false);
	}
	if (code == 330) {
		if (c->smsc_in_pdu) {
			detail(c, _("+CMS ERROR 330: the network does not know the SMSC %s"),
			       c->o->smsc ? c->o->smsc : csca->number);
			return fail(c, SMSCTL_ERR_REJECTED, false);
		}
		/* the modem knows an SMSC but did not use it: put it in the PDU */
		if (own_options(c) < 0 || smsctl_submit_options_set_smsc(c->so, csca->number) < 0 ||
		    encode(c) < 0) {
			detail(c, _("+CMS ERROR 330: the SMSC '%s' cannot be used"), csca->number);
			return fail(c, SMSCTL_ERR_REJECTED, false);
		}
		c->smsc_in_pdu = true;
		c->smsc_added = true;
		return V_RETRY_NOW;
	}
	if (code == 331 || code == 332) {
		detail(c, _("+CMS ERROR %d: %s, although the modem is registered"), code,
		       smsctl_cms_error_describe(code));
		return V_RETRY;
	}
	/* 500 or a vendor code with nothing else wrong: one more try */
	if (*vendor_retry_used) {
		detail(c, _("+CMS ERROR %d: %s (the modem gave no other cause)"), code,
		       smsctl_cms_error_describe(code));
		return fail(c, SMSCTL_ERR_REJECTED, false);
	}
	*vendor_retry_used = true;
	detail(c, _("+CMS ERROR %d: %s"), code, smsctl_cms_error_describe(code));
	return V_RETRY;
}

/* SIM-related error codes of a submit. */
static bool cms_is_sim(int code)
{
	return code == 310 || code == 311 || code == 312 || code == 313 || code == 315 ||
	       code == 316 || code == 317 || code == 318;
}

static bool cme_is_sim(int code)
{
	return (code >= 10 && code <= 13) || (code >= 15 && code <= 18);
}

/* ---- one part ---- */

static int submit_part(struct send_ctx *c, size_t i)
{
	struct smsctl_send_result *res = c->res;
	unsigned retries_left = c->o->retries;
	bool vendor_retry_used = false;

	for (;;) {
		struct smsctl_response *r = NULL;
		const char *hex = smsctl_encoded_get_hex(c->enc, i);
		int len = smsctl_encoded_get_tpdu_length(c->enc, i);
		char cmd[32];
		enum verdict v;
		unsigned w;
		int rc;

		if (!hex || len <= 0)
			return fail_rc(c, SMSCTL_ERR_PROTOCOL, false);
		snprintf(cmd, sizeof(cmd), "AT+CMGS=%d", len);
		res->attempts++;
		rc = smsctl_modem_command_pdu(c->m, cmd, hex, (int)c->o->submit_timeout_ms, &r);
		if (rc == 0) {
			const char *l = sms_find_line(r, "+CMGS:");
			struct at_cmgs cm;
			res->parts[i].mr = l && parse_cmgs(l, &cm) == 0 ? cm.mr : -1;
			res->sent = i + 1;
			res->modem_error = -1;
			res->final[0] = '\0';
			smsctl_response_free(r);
			return 0;
		}
		if (!r) {
			res->error = rc;
			detail(c, _("part %zu could not be handed to the modem: %s"), i + 1,
			       smsctl_strerror(rc));
			return rc;
		}
		bool prompt = smsctl_response_get_prompt_seen(r);
		enum smsctl_result result = smsctl_response_get_result(r);
		int code = smsctl_response_get_error_code(r);
		snprintf(res->final, sizeof(res->final), "%s", smsctl_response_get_final(r));
		smsctl_response_free(r);
		res->modem_error = -1;

		switch (result) {
		case SMSCTL_RESULT_TIMEOUT:
		case SMSCTL_RESULT_GONE:
			if (result == SMSCTL_RESULT_GONE)
				sms_state_reset(c->st);
			if (prompt && result == SMSCTL_RESULT_GONE) {
				detail(c,
				       _("part %zu was handed to the modem, then the modem went "
					 "away (unplugged or restarted) before it answered; it may "
					 "have been sent, so it was not submitted again"),
				       i + 1);
				return fail_rc(c, SMSCTL_ERR_UNKNOWN_OUTCOME, false);
			}
			if (prompt) {
				detail(
				    c,
				    _("part %zu was handed to the modem but no answer came; it may "
				      "have been sent, so it was not submitted again"),
				    i + 1);
				return fail_rc(c, SMSCTL_ERR_UNKNOWN_OUTCOME, false);
			}
			if (result == SMSCTL_RESULT_GONE) {
				detail(c, _("the modem went away before part %zu was handed over"),
				       i + 1);
				return fail_rc(c, SMSCTL_ERR_GONE, false);
			}
			detail(c, _("the modem did not ask for part %zu (no '>' prompt)"), i + 1);
			v = V_RETRY;
			break;
		case SMSCTL_RESULT_ERROR:
			if (!c->cmee_retried) {
				/* errors not enabled: enable them and ask again, once */
				c->cmee_retried = true;
				rc = smsctl_modem_command(c->m, "AT+CMEE=1", 0, NULL);
				if (rc == SMSCTL_ERR_TIMEOUT || rc == SMSCTL_ERR_GONE) {
					detail(c, "%s", _("the modem stopped answering"));
					return fail_rc(c, rc, false);
				}
				v = V_RETRY_NOW;
				break;
			}
			if (prompt) {
				detail(c, _("the modem refused part %zu with a bare ERROR"), i + 1);
				return fail_rc(c, SMSCTL_ERR_REJECTED, false);
			}
			detail(c,
			       _("the modem answered ERROR before the prompt for part %zu (still "
				 "starting?)"),
			       i + 1);
			v = V_RETRY;
			break;
		case SMSCTL_RESULT_CMS_ERROR:
		case SMSCTL_RESULT_CME_ERROR: {
			bool cms = result == SMSCTL_RESULT_CMS_ERROR;
			res->modem_error = code;
			res->is_cms = cms;
			if (code < 0) {
				detail(c, _("the modem refused part %zu: %s"), i + 1, res->final);
				return fail_rc(c, SMSCTL_ERR_REJECTED, false);
			}
			if (cms ? cms_is_sim(code) : cme_is_sim(code)) {
				sms_state_reset(c->st);
				detail(c, _("SIM problem: %s"),
				       cms ? smsctl_cms_error_describe(code)
					   : smsctl_cme_error_describe(code));
				return fail_rc(c, SMSCTL_ERR_SIM, false);
			}
			enum smsctl_retry_class cls =
			    cms ? smsctl_cms_error_class(code) : smsctl_cme_error_class(code);
			const char *what =
			    cms ? smsctl_cms_error_describe(code) : smsctl_cme_error_describe(code);
			if (cls == SMSCTL_RETRY_TRANSIENT) {
				detail(c, _("%s ERROR %d: %s (transient)"), cms ? "+CMS" : "+CME",
				       code, what);
				v = V_RETRY;
			} else if (cls == SMSCTL_RETRY_INSPECT && cms) {
				v = inspect(c, code, &vendor_retry_used);
			} else if (cls == SMSCTL_RETRY_INSPECT) {
				/* +CME 100 unknown: one more try, like CMS 500 */
				if (vendor_retry_used) {
					detail(c, _("+CME ERROR %d: %s"), code, what);
					return fail_rc(c, SMSCTL_ERR_REJECTED, false);
				}
				vendor_retry_used = true;
				detail(c, _("+CME ERROR %d: %s"), code, what);
				v = V_RETRY;
			} else {
				detail(c, _("%s ERROR %d: %s (permanent)"), cms ? "+CMS" : "+CME",
				       code, what);
				return fail_rc(c, SMSCTL_ERR_REJECTED, false);
			}
			break;
		}
		case SMSCTL_RESULT_CANCELLED:
		case SMSCTL_RESULT_NONE:
		case SMSCTL_RESULT_OK:
			detail(c, _("part %zu was not sent: %s"), i + 1, smsctl_strerror(rc));
			return fail_rc(c, engine_failure(rc) ? rc : SMSCTL_ERR_PROTOCOL, false);
		default:
			detail(c, _("the modem refused part %zu: %s"), i + 1, res->final);
			return fail_rc(c, SMSCTL_ERR_REJECTED, false);
		}

		if (v == V_FAIL)
			return res->error;
		if (v == V_RETRY_NOW)
			continue;
		if (retries_left == 0 || !next_pause(c, &w)) {
			size_t n = strlen(res->detail);
			snprintf(res->detail + n, sizeof(res->detail) - n, "%s",
				 _("; no retries left, try again later"));
			return fail_rc(c, SMSCTL_ERR_TRANSIENT, true);
		}
		retries_left--;
		query_pause_ms(c->m, w);
	}
}

/* ---- status reports ---- */

static void on_report_urc(void *userdata, const char *line, const char *pdu)
{
	struct send_ctx *c = userdata;
	struct report_event *e;

	if (c->queued >= REPORT_QUEUE_MAX || !line)
		return;
	e = &c->queue[c->queued];
	e->line = strdup(line);
	e->pdu = pdu ? strdup(pdu) : NULL;
	if (!e->line || (pdu && !e->pdu)) {
		free(e->line);
		free(e->pdu);
		return;
	}
	c->queued++;
}

/* Route status reports to us: +CNMI <ds> 1 (+CDS) or 2 (+CDSI). */
static int setup_reports(struct send_ctx *c)
{
	struct smsctl_response *r = NULL;
	struct at_cnmi cn;
	char cmd[64];
	int rc;

	c->urc_cds = smsctl_modem_add_urc_handler(c->m, "+CDS:", true, on_report_urc, c);
	c->urc_cdsi = smsctl_modem_add_urc_handler(c->m, "+CDSI:", false, on_report_urc, c);
	rc = smsctl_modem_command(c->m, "AT+CNMI?", 0, &r);
	const char *l = rc == 0 ? sms_find_line(r, "+CNMI:") : NULL;
	if (!l || parse_cnmi(l, &cn) < 0) {
		cn.mode = 2;
		cn.mt = 1;
		cn.bm = 0;
		cn.ds = 0;
		cn.bfr = 0;
	}
	smsctl_response_free(r);
	if (rc == SMSCTL_ERR_TIMEOUT || rc == SMSCTL_ERR_GONE)
		return rc;
	if (cn.ds == 1 || cn.ds == 2)
		return 0;
	for (int ds = 1; ds <= 2; ds++) {
		snprintf(cmd, sizeof(cmd), "AT+CNMI=%d,%d,%d,%d,%d", cn.mode < 1 ? 2 : cn.mode,
			 cn.mt < 0 ? 0 : cn.mt, cn.bm < 0 ? 0 : cn.bm, ds, cn.bfr < 0 ? 0 : cn.bfr);
		rc = smsctl_modem_command(c->m, cmd, 0, NULL);
		if (rc == 0 || rc == SMSCTL_ERR_TIMEOUT || rc == SMSCTL_ERR_GONE)
			return rc;
	}
	return SMSCTL_ERR_UNSUPPORTED;
}

/* Match a decoded status report to one of our parts. Returns true when it was ours. */
static bool apply_report(struct send_ctx *c, const struct smsctl_pdu *p)
{
	struct smsctl_send_result *res = c->res;
	int mr = smsctl_pdu_get_message_ref(p);

	if (smsctl_pdu_get_type(p) != SMSCTL_PDU_STATUS_REPORT || mr < 0)
		return false;
	if (!same_recipient(smsctl_pdu_get_number(p), c->number))
		return false;
	for (size_t i = 0; i < res->sent; i++) {
		if (res->parts[i].mr != mr)
			continue;
		const char *dt = smsctl_pdu_get_discharge_time(p);
		res->parts[i].status = smsctl_pdu_get_status(p);
		free(res->parts[i].dt);
		res->parts[i].dt = dt ? strdup(dt) : NULL;
		return true;
	}
	return false;
}

static struct smsctl_pdu *decode_report(const char *hex)
{
	struct smsctl_pdu *p = NULL;

	/* +CDS and +CMGR carry the SMSC first; a few modems leave it out */
	if (smsctl_pdu_decode_hex(hex, true, &p, NULL) == 0 &&
	    smsctl_pdu_get_type(p) == SMSCTL_PDU_STATUS_REPORT)
		return p;
	smsctl_pdu_free(p);
	p = NULL;
	if (smsctl_pdu_decode_hex(hex, false, &p, NULL) == 0 &&
	    smsctl_pdu_get_type(p) == SMSCTL_PDU_STATUS_REPORT)
		return p;
	smsctl_pdu_free(p);
	return NULL;
}

/* +CDSI: read the stored report; delete it when it was ours. */
static void read_stored_report(struct send_ctx *c, const char *line)
{
	struct smsctl_response *r = NULL;
	struct at_cmti ti;
	struct query_storage cur;
	struct at_sms sms;
	char cmd[64], old[PARSE_MEM_MAX] = "";
	bool switched = false;

	if (parse_cmti(line, &ti) < 0 || ti.index < 0)
		return;
	if (query_storage(c->m, &cur, NULL) == 0 && cur.known)
		snprintf(old, sizeof(old), "%s", cur.cpms.mem[0].name);
	if (old[0] && strcmp(old, ti.mem) != 0 && ti.mem[0]) {
		snprintf(cmd, sizeof(cmd), "AT+CPMS=\"%s\"", ti.mem);
		if (smsctl_modem_command(c->m, cmd, 0, NULL) < 0)
			return;
		switched = true;
	}
	snprintf(cmd, sizeof(cmd), "AT+CMGR=%d", ti.index);
	if (smsctl_modem_command(c->m, cmd, 0, &r) == 0) {
		size_t n = smsctl_response_get_line_count(r);
		const char *lines[8];
		if (n > 8)
			n = 8;
		for (size_t i = 0; i < n; i++)
			lines[i] = smsctl_response_get_line(r, i);
		if (parse_cmgr(lines, n, &sms) == 0 && sms.pdu[0]) {
			struct smsctl_pdu *p = decode_report(sms.pdu);
			if (p && apply_report(c, p)) {
				snprintf(cmd, sizeof(cmd), "AT+CMGD=%d", ti.index);
				smsctl_modem_command(c->m, cmd, 0, NULL);
			}
			smsctl_pdu_free(p);
		}
	}
	smsctl_response_free(r);
	if (switched) {
		snprintf(cmd, sizeof(cmd), "AT+CPMS=\"%s\"", old);
		smsctl_modem_command(c->m, cmd, 0, NULL);
	}
}

static void drain_reports(struct send_ctx *c)
{
	/* handlers may queue more while a +CDSI is read: take one at a time */
	while (c->queued > 0) {
		struct report_event e = c->queue[0];
		memmove(&c->queue[0], &c->queue[1], (c->queued - 1) * sizeof(c->queue[0]));
		c->queued--;
		if (e.pdu) {
			struct at_cmt cmt;
			if (parse_cmt(e.line, e.pdu, &cmt) == 0) {
				struct smsctl_pdu *p = decode_report(cmt.pdu);
				if (p)
					apply_report(c, p);
				smsctl_pdu_free(p);
			}
		} else {
			read_stored_report(c, e.line);
		}
		free(e.line);
		free(e.pdu);
	}
}

/* TP-ST (TS 23.040 9.2.3.15): 0x00-0x1F done, 0x20-0x3F still trying, others failed. */
static enum smsctl_report_state report_state(const struct smsctl_send_result *res)
{
	bool all_done = res->sent > 0;

	for (size_t i = 0; i < res->sent; i++) {
		int s = res->parts[i].status;
		if (s >= 0x40)
			return SMSCTL_REPORT_FAILED;
		if (s < 0 || s >= 0x20)
			all_done = false;
	}
	return all_done ? SMSCTL_REPORT_DELIVERED : SMSCTL_REPORT_PENDING;
}

static void wait_reports(struct send_ctx *c)
{
	unsigned long long end = query_now_ms() + (unsigned long long)c->o->wait_report_s * 1000ull;

	for (;;) {
		drain_reports(c);
		c->res->report = report_state(c->res);
		if (c->res->report != SMSCTL_REPORT_PENDING)
			return;
		unsigned long long now = query_now_ms();
		if (now >= end)
			return;
		unsigned long long left = end - now;
		if (smsctl_modem_wait(c->m, left > 0x7fffffffull ? 0x7fffffff : (int)left) < 0)
			return;
	}
}

/* ---- the operation ---- */

static void ctx_cleanup(struct send_ctx *c)
{
	if (c->urc_cds > 0)
		smsctl_modem_remove_urc_handler(c->m, c->urc_cds);
	if (c->urc_cdsi > 0)
		smsctl_modem_remove_urc_handler(c->m, c->urc_cdsi);
	for (size_t i = 0; i < c->queued; i++) {
		free(c->queue[i].line);
		free(c->queue[i].pdu);
	}
	smsctl_encoded_free(c->own_enc);
	smsctl_submit_options_free(c->so);
}

/* Send a prepared message; res is filled in. */
static int run(struct smsctl_modem *m, const struct smsctl_send_message *msg,
	       struct smsctl_send_result *res)
{
	const struct smsctl_send_options *opts = &msg->opts;
	struct send_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.m = m;
	c.o = opts;
	c.res = res;
	c.msg = msg;
	c.enc = msg->enc;
	c.number = msg->number;
	c.smsc_in_pdu = msg->smsc_in_pdu;
	c.next_wait_ms = opts->backoff_first_ms;

	res->total = smsctl_encoded_get_count(c.enc);
	res->coding = smsctl_encoded_get_coding(c.enc);
	res->parts = calloc(res->total ? res->total : 1, sizeof(*res->parts));
	if (!res->parts) {
		rc = res->error = SMSCTL_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < res->total; i++) {
		res->parts[i].mr = -1;
		res->parts[i].status = -1;
	}
	c.st = sms_state_get(m);
	if (!c.st) {
		rc = res->error = SMSCTL_ERR_NOMEM;
		goto out;
	}
	/* read what already waits (a reboot's URCs forget the prepared state) */
	smsctl_modem_process(m);
	if (!c.st->prepared) {
		rc = smsctl_sms_prepare(m, NULL);
		if (rc < 0) {
			res->error = rc;
			res->transient = rc == SMSCTL_ERR_TRANSIENT;
			if (c.st->detail[0])
				detail(&c, "%s", c.st->detail);
			else
				detail(&c, "%s", smsctl_modem_get_error_detail(m));
			goto out;
		}
	}
	if (opts->wait_report_s) {
		rc = setup_reports(&c);
		if (rc == SMSCTL_ERR_TIMEOUT || rc == SMSCTL_ERR_GONE) {
			res->error = rc;
			detail(&c, "%s", smsctl_modem_get_error_detail(m));
			goto out;
		}
		rc = 0; /* a modem that cannot route reports still sends */
	}
	for (size_t i = 0; i < res->total; i++) {
		rc = submit_part(&c, i);
		if (rc < 0)
			goto out;
	}
	if (opts->wait_report_s)
		wait_reports(&c);
	res->error = 0;
	res->transient = false;
	res->detail[0] = '\0';
	rc = 0;
out:
	ctx_cleanup(&c);
	return rc;
}

static int deliver(struct smsctl_send_result *res, int rc, struct smsctl_send_result **out)
{
	if (out)
		*out = res;
	else
		smsctl_send_result_free(res);
	return rc;
}

SMSCTL_API int smsctl_sms_send(struct smsctl_modem *m, const char *number, const char *text,
			       const struct smsctl_send_options *opts,
			       struct smsctl_send_result **out)
{
	struct smsctl_send_options defaults;
	struct smsctl_send_message *msg = NULL;
	struct smsctl_send_result *res;
	int rc;

	if (out)
		*out = NULL;
	if (!m || !number || !text)
		return SMSCTL_ERR_INVALID;
	if (!opts) {
		memset(&defaults, 0, sizeof(defaults));
		defaults.retries = DEFAULT_RETRIES;
		defaults.backoff_first_ms = DEFAULT_BACKOFF_MS;
		defaults.backoff_total_ms = DEFAULT_BACKOFF_TOTAL;
		opts = &defaults;
	}
	res = send_result_new(number, opts);
	if (!res)
		return SMSCTL_ERR_NOMEM;
	rc = send_message_build(number, text, opts, &msg, res->detail, sizeof(res->detail));
	if (rc < 0)
		res->error = rc;
	else
		rc = run(m, msg, res);
	smsctl_send_message_free(msg);
	return deliver(res, rc, out);
}

SMSCTL_API int smsctl_sms_send_message(struct smsctl_modem *m,
				       const struct smsctl_send_message *msg,
				       struct smsctl_send_result **out)
{
	struct smsctl_send_result *res;

	if (out)
		*out = NULL;
	if (!m || !msg)
		return SMSCTL_ERR_INVALID;
	res = send_result_new(msg->number, &msg->opts);
	if (!res)
		return SMSCTL_ERR_NOMEM;
	return deliver(res, run(m, msg, res), out);
}
