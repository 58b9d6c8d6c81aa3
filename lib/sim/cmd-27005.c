/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TS 27.005 commands in PDU mode: service (+CSMS, +CSCA, +CPMS, +CNMI, +CMGF, +CSMP),
 * submitting (+CMGS) with status reports, storing and reading (+CMGW, +CMGL, +CMGR, +CMGD,
 * +CNMA), and incoming messages (+CMT, +CMTI). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>

#include "sim/core-internal.h"
#include "sim/pdu.h"

static int h_csca(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long type;
	if (cmd->type == T_TEST)
		return R_OK;
	if (sim_cms(c))
		return R_CMS(sim_cms(c));
	if (cmd->type == T_QUERY) {
		char num[200];
		sim_out_linef(c, o, "+CSCA: \"%s\",%d", sim_te_str(c, c->smsc, num, sizeof(num)),
			      c->smsc[0] == '+' ? 145 : 129);
		return R_OK;
	}
	if (cmd->type != T_SET || cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 2)
		return R_CMS(304);
	char num[ARG_LEN];
	if (!sim_te_decode(c, cmd->arg[0], num, sizeof(num)))
		return R_CMS(304);
	size_t n = strlen(num);
	size_t digits = strspn(num + (num[0] == '+'), "0123456789");
	if (digits == 0 || digits > 20 || digits + (num[0] == '+') != n)
		return R_CMS(304);
	if (cmd->nargs == 2 && !sim_arg_int(cmd, 1, 0, 255, &type))
		return R_CMS(304);
	snprintf(c->smsc, sizeof(c->smsc), "%.23s", num);
	return R_OK;
}

static int h_csms(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long v;
	switch (cmd->type) {
	case T_QUERY:
		if (c->fault[F_SMS_UNAVAILABLE])
			sim_out_linef(c, o, "+CSMS: %d,0,0,0", c->csms);
		else
			sim_out_linef(c, o, "+CSMS: %d,1,1,1", c->csms);
		return R_OK;
	case T_TEST:
		sim_out_line(c, o, "+CSMS: (0,1)");
		return R_OK;
	case T_SET:
		if (cmd->nargs != 1 || !sim_arg_int(cmd, 0, 0, 1, &v))
			return R_CMS(303);
		c->csms = (int)v;
		sim_out_line(c, o, c->fault[F_SMS_UNAVAILABLE] ? "+CSMS: 0,0,0" : "+CSMS: 1,1,1");
		return R_OK;
	default:
		return R_ERROR;
	}
}

static bool mem_allowed(const struct sim_core *c, int which, int m)
{
	return m >= 0 && (c->p->mem_allowed[which] & (1u << m)) &&
	       sim_mem_total(c, (enum sim_mem)m);
}

static int h_cpms(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	int m[3];
	switch (cmd->type) {
	case T_TEST:
		sim_out_line(c, o, c->p->cpms_test);
		return R_OK;
	case T_QUERY:
		if (sim_cms(c))
			return R_CMS(sim_cms(c));
		sim_out_linef(c, o, "+CPMS: \"%s\",%u,%u,\"%s\",%u,%u,\"%s\",%u,%u",
			      sim_mem_names[c->mem[0]], sim_mem_used(c, c->mem[0]),
			      sim_mem_total(c, c->mem[0]), sim_mem_names[c->mem[1]],
			      sim_mem_used(c, c->mem[1]), sim_mem_total(c, c->mem[1]),
			      sim_mem_names[c->mem[2]], sim_mem_used(c, c->mem[2]),
			      sim_mem_total(c, c->mem[2]));
		return R_OK;
	case T_SET:
		if (cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 3)
			return R_CMS(302);
		if (sim_cms(c))
			return R_CMS(sim_cms(c));
		for (int i = 0; i < 3; i++) {
			m[i] = (int)c->mem[i];
			if (i < cmd->nargs && cmd->arg[i][0]) {
				m[i] = sim_mem_from_name(cmd->arg[i]);
				if (!mem_allowed(c, i, m[i]))
					return R_CMS(302);
			}
		}
		for (int i = 0; i < 3; i++)
			c->mem[i] = (enum sim_mem)m[i];
		sim_out_linef(c, o, "+CPMS: %u,%u,%u,%u,%u,%u", sim_mem_used(c, c->mem[0]),
			      sim_mem_total(c, c->mem[0]), sim_mem_used(c, c->mem[1]),
			      sim_mem_total(c, c->mem[1]), sim_mem_used(c, c->mem[2]),
			      sim_mem_total(c, c->mem[2]));
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_cnmi(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	static const long max[5] = {3, 3, 3, 2, 1};
	long v[5];
	switch (cmd->type) {
	case T_QUERY:
		sim_out_linef(c, o, "+CNMI: %d,%d,%d,%d,%d", c->cnmi[0], c->cnmi[1], c->cnmi[2],
			      c->cnmi[3], c->cnmi[4]);
		return R_OK;
	case T_TEST:
		sim_out_line(c, o, c->p->cnmi_test);
		return R_OK;
	case T_SET:
		if (cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 5)
			return R_CMS(303);
		for (int i = 0; i < 5; i++) {
			v[i] = c->cnmi[i];
			if (i < cmd->nargs && cmd->arg[i][0] &&
			    !sim_arg_int(cmd, i, 0, max[i], &v[i]))
				return R_CMS(303);
		}
		for (int i = 0; i < 5; i++)
			c->cnmi[i] = (int)v[i];
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_cmgf(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long v;
	switch (cmd->type) {
	case T_QUERY:
		sim_out_line(c, o, "+CMGF: 0");
		return R_OK;
	case T_TEST:
		sim_out_line(c, o, "+CMGF: (0)");
		return R_OK;
	case T_SET:
		/* Text mode is not simulated: the modem offers PDU mode only. */
		if (cmd->nargs != 1 || !sim_arg_int(cmd, 0, 0, 1, &v))
			return R_CMS(302);
		return v == 0 ? R_OK : R_CMS(303);
	default:
		return R_ERROR;
	}
}

static int h_csmp(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type == T_QUERY)
		sim_out_line(c, o, "+CSMP: 17,167,0,0");
	return cmd->type == T_ACTION ? R_ERROR : R_OK;
}

/* Start of a PDU command: check, then the prompt. */
static int pdu_command(struct sim_core *c, struct cmd *cmd, struct sbuf *o, bool write)
{
	long len, stat = ST_STO_UNSENT;
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_SET || cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 2)
		return R_CMS(304);
	if (sim_cms(c))
		return R_CMS(sim_cms(c));
	if (!sim_arg_int(cmd, 0, 7, 164, &len))
		return R_CMS(304);
	if (!write && c->fault[F_SMS_UNAVAILABLE])
		return R_CMS(301);
	if (cmd->nargs == 2 && (!write || !sim_arg_int(cmd, 1, 0, 3, &stat)))
		return R_CMS(304);
	c->in_pdu = true;
	c->pdu_len = 0;
	c->pdu_overflow = false;
	c->pdu_is_write = write;
	c->pdu_expect_len = (int)len;
	c->pdu_stat = (int)stat;
	sim_sb_puts(o, c->fault[F_BARE_PROMPT] ? "\r\n>" : "\r\n> ");
	return R_NONE;
}

static int h_cmgs(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return pdu_command(c, cmd, o, false);
}

static int h_cmgw(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return pdu_command(c, cmd, o, true);
}

static int tpdu_len_of(const char *hex)
{
	int smsc = sim_hexval((unsigned char)hex[0]) << 4 | sim_hexval((unsigned char)hex[1]);
	return (int)strlen(hex) / 2 - 1 - smsc;
}

static void out_stored(struct sim_core *c, struct sbuf *o, const char *prefix, long index,
		       const struct slot *s)
{
	if (index >= 0)
		sim_out_linef(c, o, "%s: %ld,%d,,%d", prefix, index, s->stat, tpdu_len_of(s->hex));
	else
		sim_out_linef(c, o, "%s: %d,,%d", prefix, s->stat, tpdu_len_of(s->hex));
	/* The PDU line has no blank line before it. */
	sim_add_noise(c, o);
	sim_sb_printf(o, "%s\r\n", s->hex);
}

static int h_cmgl(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long stat = ST_REC_UNREAD;
	if (cmd->type == T_TEST) {
		sim_out_line(c, o, "+CMGL: (0-4)");
		return R_OK;
	}
	if (cmd->type == T_SET &&
	    (cmd->nargs != 1 || cmd->quoted[0] || !sim_arg_int(cmd, 0, 0, 4, &stat)))
		return R_CMS(304);
	if (cmd->type != T_SET && cmd->type != T_ACTION)
		return R_ERROR;
	if (sim_cms(c))
		return R_CMS(sim_cms(c));
	enum sim_mem m = c->mem[0];
	unsigned total = sim_mem_total(c, m);
	for (unsigned i = 0; i < total; i++) {
		struct slot *s = sim_mem_slot(c, m, i);
		if (!s || !s->hex || (stat != ST_ALL && s->stat != stat))
			continue;
		out_stored(c, o, "+CMGL", (long)(i + sim_index_base(c)), s);
		if (s->stat == ST_REC_UNREAD)
			s->stat = ST_REC_READ;
	}
	return R_OK;
}

static struct slot *slot_by_index(struct sim_core *c, const struct cmd *cmd)
{
	long idx;
	unsigned base = sim_index_base(c);
	if (!sim_arg_int(cmd, 0, (long)base, 100000, &idx))
		return NULL;
	return sim_mem_slot(c, c->mem[0], (unsigned)(idx - (long)base));
}

static int h_cmgr(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_SET || cmd->nargs != 1)
		return R_CMS(304);
	if (sim_cms(c))
		return R_CMS(sim_cms(c));
	struct slot *s = slot_by_index(c, cmd);
	if (!s || !s->hex)
		return R_CMS(321);
	out_stored(c, o, "+CMGR", -1, s);
	if (s->stat == ST_REC_UNREAD)
		s->stat = ST_REC_READ;
	return R_OK;
}

static int h_cmgd(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long flag = 0;
	if (cmd->type == T_TEST) {
		sim_out_line(c, o, "+CMGD: (),(0-4)");
		return R_OK;
	}
	if (cmd->type != T_SET || cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 2)
		return R_CMS(304);
	if (cmd->nargs == 2 && !sim_arg_int(cmd, 1, 0, 4, &flag))
		return R_CMS(304);
	if (sim_cms(c))
		return R_CMS(sim_cms(c));
	if (flag == 0) {
		struct slot *s = slot_by_index(c, cmd);
		if (!s)
			return R_CMS(321);
		sim_slot_clear(s);
		return R_OK;
	}
	enum sim_mem m = c->mem[0];
	for (unsigned i = 0; i < sim_mem_total(c, m); i++) {
		struct slot *s = sim_mem_slot(c, m, i);
		if (!s || !s->hex)
			continue;
		bool del = s->stat == ST_REC_READ || (flag >= 2 && s->stat == ST_STO_SENT) ||
			   (flag >= 3 && s->stat == ST_STO_UNSENT) || flag == 4;
		if (del)
			sim_slot_clear(s);
	}
	return R_OK;
}

static int h_cnma(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type == T_TEST) {
		sim_out_line(c, o, "+CNMA: (0-2)");
		return R_OK;
	}
	if (c->csms != 1 || c->pending_cnma <= 0)
		return R_CMS(340);
	c->pending_cnma--;
	return R_OK;
}

/* ---- Submitting and status reports ---- */

static void encode_address(struct sbuf *b, const char *num)
{
	bool intl = num[0] == '+';
	const char *d = num + intl;
	size_t n = strlen(d);
	sim_sb_printf(b, "%02X%02X", (unsigned)((n + 1) / 2 + 1), intl ? 0x91 : 0x81);
	for (size_t i = 0; i < n; i += 2) {
		char pair[2] = {i + 1 < n ? d[i + 1] : 'F', d[i]};
		sim_sb_add(b, pair, 2);
	}
}

/* An SMS-STATUS-REPORT (TS 23.040 9.2.2.3) for a submit that asked for one: delivered. */
static char *make_status_report(struct sim_core *c, const struct sim_submit_info *info, unsigned mr)
{
	struct sbuf b = {0};
	encode_address(&b, c->smsc[0] ? c->smsc : c->p->smsc);
	sim_sb_printf(&b, "06%02X", mr & 0xff);
	sim_sb_add(&b, info->da_hex, strlen(info->da_hex));
	/* Service-centre time stamp and discharge time: 2026-11-25 08:00:00 and :05, UTC. */
	sim_sb_puts(&b, "62115280000000");
	sim_sb_puts(&b, "62115280005000");
	sim_sb_puts(&b, "00");
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

void sim_announce_report(struct sim_core *c, char *hex, uint64_t at)
{
	char tmp[64];
	int ds = c->cnmi[3];
	if (ds == 1 && c->cnmi[0] != 0) {
		snprintf(tmp, sizeof(tmp), "\r\n+CDS: %d\r\n", tpdu_len_of(hex));
		sim_queue_str(c, at, tmp);
		sim_queue_str(c, at, hex);
		sim_queue_str(c, at, "\r\n");
		if (c->csms == 1)
			c->pending_cnma++;
		free(hex);
		return;
	}
	if (ds != 2) {
		free(hex);
		return;
	}
	enum sim_mem m = c->cap[SIM_MEM_SR] ? SIM_MEM_SR : SIM_MEM_SM;
	int pos = sim_mem_store(c, m, hex, ST_REC_UNREAD, false);
	if (pos < 0) {
		free(hex);
		return;
	}
	if (c->cnmi[0] != 0) {
		snprintf(tmp, sizeof(tmp), "+CDSI: \"%s\",%u", sim_mem_names[m],
			 (unsigned)pos + sim_index_base(c));
		sim_queue_urc(c, at, tmp);
	}
}

static void record_sent(struct sim_core *c, const char *hex, size_t smsc_octets, unsigned mr)
{
	if (c->nsent >= MAX_SENT)
		return;
	if (c->nsent == c->sent_cap) {
		size_t cap = c->sent_cap ? c->sent_cap * 2 : 16;
		char **p = realloc(c->sent, cap * sizeof(*p));
		if (!p)
			return;
		c->sent = p;
		uint8_t *m = realloc(c->sent_mr, cap);
		if (!m)
			return;
		c->sent_mr = m;
		c->sent_cap = cap;
	}
	const char *t = hex + 2 * (1 + smsc_octets);
	char *copy = sim_strdup_upper(t, strlen(t));
	if (copy) {
		c->sent_mr[c->nsent] = (uint8_t)mr;
		c->sent[c->nsent++] = copy;
	}
}

enum { NET_ANSWER, NET_SILENT, NET_GONE };

/* The network's side of a submit (AT+CMGS, AT+CMSS): faults, registration, the SMSC, then
 * the TP-MR, the record and the status report. @p hex is SMSC-prefixed. NET_GONE: unplugged
 * on the way, nothing more comes; NET_SILENT: accepted, never answered (send_timeout);
 * NET_ANSWER: *r is the final result (R_OK with *mr). */
static int network_submit(struct sim_core *c, const char *hex, size_t smsc_octets,
			  const struct sim_submit_info *info, uint64_t now, uint64_t *at, int *r,
			  unsigned *mr)
{
	*r = R_OK;
	if (c->fault[F_UNPLUG] && c->unplug_at == UINT64_MAX) {
		/* Pulled out while the submit was on its way: nothing more comes. */
		c->closed_at = now;
		sim_drop_output(c);
		return NET_GONE;
	}
	if (sim_cms(c)) {
		*r = R_CMS(sim_cms(c));
		return NET_ANSWER;
	}
	*at += c->network_ms * US_PER_MS;
	if (!sim_registered(c))
		*r = R_CMS(331);
	else if (smsc_octets == 0 && c->smsc[0] == '\0')
		*r = R_CMS(330);
	else if (c->fault[F_SEND_FAIL_ONCE]) {
		c->fault[F_SEND_FAIL_ONCE] = false;
		*r = R_CMS((int)c->fail_once_code);
	} else if (c->fault[F_SEND_FAIL])
		*r = R_CMS((int)c->fail_code);
	if (*r != R_OK)
		return NET_ANSWER;
	*mr = c->mr;
	c->mr = (c->mr + 1) & 0xff;
	record_sent(c, hex, smsc_octets, *mr);
	sim_ussd_after_submit(c, info->da_hex, *at);
	if (info->status_report) {
		char *rep = make_status_report(c, info, *mr);
		if (rep)
			sim_add_timer(c, *at + c->report_ms * US_PER_MS, rep, false);
	}
	return c->fault[F_SEND_TIMEOUT] ? NET_SILENT : NET_ANSWER;
}

/* AT+CMSS=<index>[,<da>[,<toda>]] (TS 27.005 3.5.2): send the message stored at <index> of
 * <mem2>; `+CMSS: <mr>`; the slot becomes "STO SENT" (stat 3) unless the profile or the
 * cmss_stat_stuck fault keeps it "STO UNSENT". A new <da> is not supported here (+CMS 304). */
static int h_cmss(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	uint8_t bytes[PDU_MAX_HEX / 2];
	struct sim_submit_info info;
	uint64_t at = c->now;
	unsigned mr = 0;
	long idx;
	int r;

	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_SET || cmd->bad_args || cmd->nargs != 1)
		return R_CMS(304);
	if (sim_cms(c))
		return R_CMS(sim_cms(c));
	if (c->fault[F_SMS_UNAVAILABLE])
		return R_CMS(301);
	unsigned base = sim_index_base(c);
	if (!sim_arg_int(cmd, 0, (long)base, 100000, &idx))
		return R_CMS(321);
	struct slot *s = sim_mem_slot(c, c->mem[1], (unsigned)(idx - (long)base));
	if (!s || !s->hex)
		return R_CMS(321);
	long n = sim_hex_decode(s->hex, strlen(s->hex), bytes, sizeof(bytes));
	if (n < 2 || (long)bytes[0] + 1 >= n ||
	    sim_pdu_check(bytes, (size_t)n, &info) != SIM_PDU_SUBMIT)
		return R_CMS(321); /* not a message to send (a received one) */
	switch (network_submit(c, s->hex, bytes[0], &info, c->now, &at, &r, &mr)) {
	case NET_GONE:
		return R_NONE;
	case NET_SILENT:
		if (!c->fault[F_CMSS_STAT_STUCK])
			s->stat = ST_STO_SENT;
		return R_NONE;
	default:
		break;
	}
	if (r != R_OK)
		return r;
	if (!c->fault[F_CMSS_STAT_STUCK])
		s->stat = ST_STO_SENT;
	sim_out_linef(c, o, "+CMSS: %u", mr);
	return R_OK;
}

void sim_finish_pdu(struct sim_core *c, uint64_t now)
{
	struct sbuf o = {0};
	uint8_t bytes[PDU_MAX_HEX / 2];
	struct sim_submit_info info;
	uint64_t at = sim_answer_time(c, now, c->pdu_len + 1);
	int r = R_OK;

	c->in_pdu = false;
	c->pdu[c->pdu_len] = '\0';
	long n = c->pdu_overflow ? -1 : sim_hex_decode(c->pdu, c->pdu_len, bytes, sizeof(bytes));
	if (n < 2 || bytes[0] > 11 || (long)bytes[0] + 1 >= n ||
	    n - 1 - bytes[0] != c->pdu_expect_len) {
		r = R_CMS(304);
		goto answer;
	}
	size_t smsc_octets = bytes[0];
	if (c->pdu_is_write) {
		if (sim_pdu_check(bytes, (size_t)n, NULL) < 0) {
			r = R_CMS(304);
			goto answer;
		}
		char *hex = sim_strdup_upper(c->pdu, c->pdu_len);
		int pos = hex ? sim_mem_store(c, c->mem[1], hex, c->pdu_stat, false) : -1;
		if (pos < 0) {
			free(hex);
			r = R_CMS(322);
			goto answer;
		}
		sim_out_linef(c, &o, "+CMGW: %u", (unsigned)pos + sim_index_base(c));
		goto answer;
	}
	if (sim_pdu_check(bytes, (size_t)n, &info) != SIM_PDU_SUBMIT) {
		r = R_CMS(304);
		goto answer;
	}
	unsigned mr;
	switch (network_submit(c, c->pdu, smsc_octets, &info, now, &at, &r, &mr)) {
	case NET_GONE:
		return;
	case NET_SILENT:
		return; /* accepted, but the answer never comes */
	default:
		break;
	}
	if (r == R_OK)
		sim_out_linef(c, &o, "+CMGS: %u", mr);

answer:
	sim_out_final(c, &o, r);
	if (!o.failed)
		sim_queue_bytes(c, at, o.p, o.len);
	free(o.p);
	sim_after_command(c, at);
}

void sim_abort_pdu(struct sim_core *c, uint64_t now)
{
	struct sbuf o = {0};
	uint64_t at = sim_answer_time(c, now, c->pdu_len + 1);
	c->in_pdu = false;
	sim_out_final(c, &o, R_OK);
	if (!o.failed)
		sim_queue_bytes(c, at, o.p, o.len);
	free(o.p);
}

/* ---- Incoming messages ---- */

static int deliver_class(const uint8_t *b, size_t n, int *klass)
{
	struct sim_submit_info info;
	int t = sim_pdu_check(b, n, &info);
	if (t != SIM_PDU_DELIVER)
		return -1;
	*klass = info.msg_class;
	return 0;
}

int sim_core_deliver_pdu(struct sim_core *c, const char *hex, uint64_t now)
{
	uint8_t bytes[PDU_MAX_HEX / 2];
	char tmp[64];
	int klass;
	size_t len = strlen(hex);

	c->now = now;
	long n = sim_hex_decode(hex, len, bytes, sizeof(bytes));
	if (n < 2 || (long)bytes[0] + 1 >= n || deliver_class(bytes, (size_t)n, &klass) < 0)
		return SMSCTL_ERR_BAD_PDU;
	if (c->closed_at != UINT64_MAX)
		return SMSCTL_ERR_STATE;
	if (!sim_registered(c))
		return SMSCTL_ERR_NETWORK;
	char *copy = sim_strdup_upper(hex, len);
	if (!copy)
		return SMSCTL_ERR_NOMEM;
	int mode = c->cnmi[0], mt = c->cnmi[1];
	bool direct = mode != 0 && ((mt == 2 && klass != 2) || (mt == 3 && klass == 3));
	if (direct) {
		snprintf(tmp, sizeof(tmp), "\r\n+CMT: ,%d\r\n", tpdu_len_of(copy));
		sim_queue_str(c, now, tmp);
		sim_queue_str(c, now, copy);
		sim_queue_str(c, now, "\r\n");
		if (c->csms == 1)
			c->pending_cnma++;
		free(copy);
		return 0;
	}
	enum sim_mem m = c->mem[2];
	int pos = sim_mem_store(c, m, copy, ST_REC_UNREAD, false);
	if (pos < 0) {
		free(copy);
		return SMSCTL_ERR_TOO_LONG;
	}
	if (mode != 0 && mt != 0) {
		snprintf(tmp, sizeof(tmp), "+CMTI: \"%s\",%u", sim_mem_names[m],
			 (unsigned)pos + sim_index_base(c));
		sim_queue_urc(c, now, tmp);
	}
	return 0;
}

/* Store a deliver PDU without announcing it (messages waiting when the line opens). */
int sim_store_silently(struct sim_core *c, const char *hex)
{
	uint8_t bytes[PDU_MAX_HEX / 2];
	int klass;
	size_t len = strlen(hex);
	long n = sim_hex_decode(hex, len, bytes, sizeof(bytes));
	if (n < 2 || (long)bytes[0] + 1 >= n || deliver_class(bytes, (size_t)n, &klass) < 0)
		return SMSCTL_ERR_BAD_PDU;
	char *copy = sim_strdup_upper(hex, len);
	if (!copy)
		return SMSCTL_ERR_NOMEM;
	if (sim_mem_store(c, c->mem[2], copy, ST_REC_UNREAD, false) < 0) {
		free(copy);
		return SMSCTL_ERR_TOO_LONG;
	}
	return 0;
}

/* ---- Dispatch ---- */

static const struct {
	const char *name;
	handler_fn fn;
} handlers[] = {
    {"+CSCA", h_csca}, {"+CSMS", h_csms}, {"+CPMS", h_cpms}, {"+CNMI", h_cnmi}, {"+CMGF", h_cmgf},
    {"+CSMP", h_csmp}, {"+CMGS", h_cmgs}, {"+CMGW", h_cmgw}, {"+CMGL", h_cmgl}, {"+CMGR", h_cmgr},
    {"+CMGD", h_cmgd}, {"+CNMA", h_cnma}, {"+CMSS", h_cmss},
};

handler_fn sim_cmd_27005_find(const char *name)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (!strcmp(handlers[i].name, name))
			return handlers[i].fn;
	return NULL;
}
