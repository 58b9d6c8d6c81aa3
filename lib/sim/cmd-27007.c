/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TS 27.007 commands (general, SIM, network) as real modems print them: identity, +CMEE,
 * +CFUN, the PIN (+CPIN, +CLCK, +CPINR), signal, registration, operator, IMSI, own number,
 * the vendors' ICCID commands, ^SYSINFO and the TE character set (+CSCS). */
#include <stdio.h>
#include <string.h>

#include "sim/core-internal.h"

static int h_ident(struct sim_core *c, struct cmd *cmd, struct sbuf *o, const char *text)
{
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_ACTION)
		return R_ERROR;
	sim_out_line(c, o, text);
	return R_OK;
}

static int h_cgmi(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return h_ident(c, cmd, o, c->p->manufacturer);
}

static int h_cgmm(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return h_ident(c, cmd, o, c->p->model);
}

static int h_cgmr(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return h_ident(c, cmd, o, c->p->revision);
}

static int h_cgsn(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return h_ident(c, cmd, o, c->imei);
}

static int h_gcap(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return h_ident(c, cmd, o, "+GCAP: +CGSM,+DS,+ES");
}

static int h_cmee(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long v;
	switch (cmd->type) {
	case T_QUERY:
		sim_out_linef(c, o, "+CMEE: %d", c->cmee);
		return R_OK;
	case T_TEST:
		sim_out_line(c, o, "+CMEE: (0-2)");
		return R_OK;
	case T_SET:
		if (!sim_arg_int(cmd, 0, 0, 2, &v) || cmd->nargs != 1)
			return R_CME(4);
		c->cmee = (int)v;
		return R_OK;
	default:
		c->cmee = 0;
		return R_OK;
	}
}

static int h_cfun(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long v, rst = 0;
	switch (cmd->type) {
	case T_QUERY:
		sim_out_linef(c, o, "+CFUN: %d", c->fun);
		return R_OK;
	case T_TEST:
		sim_out_line(c, o, "+CFUN: (0,1,4),(0,1)");
		return R_OK;
	case T_SET:
		if (!sim_arg_int(cmd, 0, 0, 4, &v) || (v != 0 && v != 1 && v != 4))
			return R_CME(4);
		if (cmd->nargs > 1 && !sim_arg_int(cmd, 1, 0, 1, &rst))
			return R_CME(4);
		c->fun = (int)v;
		if (rst)
			c->fault[F_REBOOT] = true; /* restart once this line is answered */
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_cpin(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	int e = sim_present_cme(c);
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type == T_QUERY) {
		if (c->p->flags & SIM_P_CPIN_TEXT) {
			if (c->sim == SIM_ABSENT) {
				sim_out_line(c, o, "+CPIN: NOT INSERTED");
				return R_OK;
			}
			if (e == 14) {
				sim_out_line(c, o, "+CPIN: NOT READY");
				return R_OK;
			}
		}
		if (e)
			return R_CME(e);
		if (c->sim == SIM_BLOCKED)
			return R_CME(262);
		sim_out_linef(c, o, "+CPIN: %s", sim_cpin_text(c));
		/* Wavecom M1306: the answer has no final OK (python-gsmmodem issue #19). */
		return (c->p->flags & SIM_P_CPIN_NO_OK) ? R_NONE : R_OK;
	}
	if (cmd->type != T_SET || cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 2)
		return R_CME(4);
	if (e)
		return R_CME(e);
	for (int i = 0; i < cmd->nargs; i++) {
		size_t n = strlen(cmd->arg[i]);
		if (n < 4 || n > 8 || strspn(cmd->arg[i], "0123456789") != n)
			return R_CME(16);
	}
	switch (c->sim) {
	case SIM_READY:
		return R_CME(3);
	case SIM_BLOCKED:
		return R_CME(262);
	case SIM_PIN:
		if (cmd->nargs != 1)
			return R_CME(3);
		if (strcmp(cmd->arg[0], c->pin) != 0) {
			if (--c->pin_left <= 0)
				c->sim = SIM_PUK;
			return R_CME(16);
		}
		c->pin_left = 3;
		c->sim = SIM_READY;
		return R_OK;
	case SIM_PUK:
		if (cmd->nargs != 2)
			return R_CME(12);
		if (strcmp(cmd->arg[0], c->puk) != 0) {
			if (--c->puk_left <= 0)
				c->sim = SIM_BLOCKED;
			return R_CME(16);
		}
		snprintf(c->pin, sizeof(c->pin), "%.8s", cmd->arg[1]);
		c->pin_left = 3;
		c->puk_left = 10;
		c->sim = SIM_READY;
		c->fault[F_SIM_PUK] = false;
		return R_OK;
	default:
		return R_CME(13);
	}
}

static int h_clck(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long mode;
	if (cmd->type == T_TEST) {
		sim_out_line(c, o, "+CLCK: (\"SC\",\"FD\",\"PN\")");
		return R_OK;
	}
	if (cmd->type != T_SET || cmd->bad_args || !sim_arg_int(cmd, 1, 0, 2, &mode))
		return R_CME(4);
	int e = sim_present_cme(c);
	if (e)
		return R_CME(e);
	if (sim_streq_ci(cmd->arg[0], "FD") || sim_streq_ci(cmd->arg[0], "PN")) {
		if (mode != 2)
			return R_CME(3);
		sim_out_line(c, o, "+CLCK: 0");
		return R_OK;
	}
	if (!sim_streq_ci(cmd->arg[0], "SC"))
		return R_CME(4);
	if (mode == 2) {
		sim_out_linef(c, o, "+CLCK: %d", c->pin_enabled ? 1 : 0);
		return R_OK;
	}
	if (sim_cme(c))
		return R_CME(sim_cme(c));
	if (cmd->nargs < 3)
		return R_CME(3);
	if (strcmp(cmd->arg[2], c->pin) != 0) {
		if (--c->pin_left <= 0)
			c->sim = SIM_PUK;
		return R_CME(16);
	}
	c->pin_left = 3;
	c->pin_enabled = mode == 1;
	return R_OK;
}

/* Remaining PIN and PUK attempts (TS 27.007 8.65); not on the older profiles. */
static int h_cpinr(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (c->p->flags & (SIM_P_CPIN_NO_OK | SIM_P_NOT_SUPPORT))
		return R_NOTSUP;
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_ACTION && cmd->type != T_SET)
		return R_ERROR;
	int e = sim_present_cme(c);
	if (e)
		return R_CME(e);
	sim_out_linef(c, o, "+CPINR: SIM PIN,%d,3",
		      c->sim == SIM_PUK || c->sim == SIM_BLOCKED ? 0 : c->pin_left);
	sim_out_linef(c, o, "+CPINR: SIM PUK,%d,10", c->sim == SIM_BLOCKED ? 0 : c->puk_left);
	return R_OK;
}

static int h_cgatt(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	int s1 = sim_reg_stat(c, 1);
	switch (cmd->type) {
	case T_QUERY:
		sim_out_linef(c, o, "+CGATT: %d", s1 == 1 || s1 == 5 ? 1 : 0);
		return R_OK;
	case T_TEST:
		sim_out_line(c, o, "+CGATT: (0,1)");
		return R_OK;
	case T_SET:
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_csq(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type == T_TEST) {
		sim_out_line(c, o, "+CSQ: (0-31,99),(0-7,99)");
		return R_OK;
	}
	if (cmd->type != T_ACTION)
		return R_ERROR;
	int rssi = c->fault[F_WEAK_SIGNAL] ? 5 : c->p->rssi;
	if (!sim_radio_hears(c))
		rssi = 99;
	sim_out_linef(c, o, "+CSQ: %d,99", rssi);
	return R_OK;
}

static int h_cesq(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (!(c->p->flags & SIM_P_LTE))
		return R_NOTSUP;
	if (cmd->type == T_TEST) {
		sim_out_line(
		    c, o, "+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),(0-34,255),(0-97,255)");
		return R_OK;
	}
	if (cmd->type != T_ACTION)
		return R_ERROR;
	if (!sim_radio_hears(c))
		sim_out_line(c, o, "+CESQ: 99,99,255,255,255,255");
	else if (c->fault[F_WEAK_SIGNAL])
		sim_out_line(c, o, "+CESQ: 99,99,255,255,5,20");
	else
		sim_out_line(c, o, "+CESQ: 99,99,255,255,20,50");
	return R_OK;
}

static int reg_common(struct sim_core *c, struct cmd *cmd, struct sbuf *o, int which)
{
	static const char *const names[] = {"+CREG", "+CGREG", "+CEREG"};
	const char *name = names[which];
	long v;
	if (which == 2 && !(c->p->flags & SIM_P_LTE))
		return R_NOTSUP;
	switch (cmd->type) {
	case T_TEST:
		sim_out_linef(c, o, "%s: (0-2)", name);
		return R_OK;
	case T_SET:
		if (cmd->nargs != 1 || !sim_arg_int(cmd, 0, 0, 2, &v))
			return R_CME(4);
		c->creg_n[which] = (int)v;
		return R_OK;
	case T_QUERY: {
		int stat = sim_reg_stat(c, which);
		int n = c->creg_n[which];
		if (n == 2 && (stat == 1 || stat == 5)) {
			if (which == 2)
				sim_out_linef(c, o, "%s: %d,%d,\"%s\",\"%s\",%d", name, n, stat,
					      c->p->lac, c->p->ci, c->p->act);
			else
				sim_out_linef(c, o, "%s: %d,%d,\"%s\",\"%s\",%d", name, n, stat,
					      c->p->lac, c->p->ci, c->p->act);
		} else {
			sim_out_linef(c, o, "%s: %d,%d", name, n, stat);
		}
		return R_OK;
	}
	default:
		return R_ERROR;
	}
}

static int h_creg(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return reg_common(c, cmd, o, 0);
}

static int h_cgreg(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return reg_common(c, cmd, o, 1);
}

static int h_cereg(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	return reg_common(c, cmd, o, 2);
}

/* A string as the TE character set (+CSCS) wants it: UCS2 and HEX are hex-encoded, as
 * modems print operator names and numbers under those sets (TS 27.007 5.5). ASCII input. */
const char *sim_te_str(const struct sim_core *c, const char *in, char *buf, size_t size)
{
	bool ucs2 = !strcmp(c->cscs, "UCS2"), hex = !strcmp(c->cscs, "HEX");
	size_t n = 0, step = ucs2 ? 4 : 2;
	if (!ucs2 && !hex)
		return in;
	for (; *in && n + step + 1 <= size; in++)
		n +=
		    (size_t)snprintf(buf + n, size - n, ucs2 ? "%04X" : "%02X", (unsigned char)*in);
	buf[n] = '\0';
	return buf;
}

/* The reverse for a parameter the host gives (AT+CSCA="002B..." under UCS2). */
bool sim_te_decode(const struct sim_core *c, const char *in, char *out, size_t size)
{
	bool ucs2 = !strcmp(c->cscs, "UCS2"), hex = !strcmp(c->cscs, "HEX");
	size_t len = strlen(in), step = ucs2 ? 4 : 2, n = 0;
	if (!ucs2 && !hex) {
		snprintf(out, size, "%s", in);
		return len < size;
	}
	if (len % step)
		return false;
	for (size_t i = 0; i < len; i += step) {
		unsigned v = 0;
		for (size_t k = 0; k < step; k++) {
			int h = sim_hexval((unsigned char)in[i + k]);
			if (h < 0)
				return false;
			v = v << 4 | (unsigned)h;
		}
		if (v == 0 || v > 0x7f || n + 1 >= size)
			return false;
		out[n++] = (char)v;
	}
	out[n] = '\0';
	return true;
}

static int h_cops(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long mode, format;
	switch (cmd->type) {
	case T_QUERY:
		if (!sim_registered(c) && sim_reg_stat(c, 1) != 1 && sim_reg_stat(c, 1) != 5) {
			sim_out_line(c, o, "+COPS: 0");
			return R_OK;
		}
		char name[200];
		sim_out_linef(c, o, "+COPS: 0,%d,\"%s\",%d", c->cops_format,
			      sim_te_str(c,
					 c->cops_format == 2 ? c->p->oper_numeric : c->p->oper_long,
					 name, sizeof(name)),
			      c->p->act);
		return R_OK;
	case T_TEST:
		if (!sim_radio_hears(c)) {
			sim_out_line(c, o, "+COPS: ,,(0-4),(0-2)");
			return R_OK;
		}
		sim_out_linef(c, o, "+COPS: (2,\"%s\",\"%s\",\"%s\",%d),,(0-4),(0-2)",
			      c->p->oper_long, c->p->oper_long, c->p->oper_numeric, c->p->act);
		return R_OK;
	case T_SET:
		if (!sim_arg_int(cmd, 0, 0, 4, &mode))
			return R_CME(4);
		if (cmd->nargs > 1) {
			if (!sim_arg_int(cmd, 1, 0, 2, &format))
				return R_CME(4);
			c->cops_format = (int)format;
		}
		if (mode == 1 && cmd->nargs > 2 && strcmp(cmd->arg[2], c->p->oper_numeric) != 0 &&
		    strcmp(cmd->arg[2], c->p->oper_long) != 0)
			return R_CME(30);
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_cimi(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_ACTION)
		return R_ERROR;
	if (sim_cme(c))
		return R_CME(sim_cme(c));
	sim_out_line(c, o, c->imsi);
	return R_OK;
}

static int h_cnum(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_ACTION)
		return R_ERROR;
	if (sim_cme(c))
		return R_CME(sim_cme(c));
	char num[200];
	if (c->p->own_number)
		sim_out_linef(c, o, "+CNUM: \"\",\"%s\",%d",
			      sim_te_str(c, c->p->own_number, num, sizeof(num)),
			      c->p->own_number[0] == '+' ? 145 : 129);
	return R_OK;
}

/* The ICCID commands: which one answers and in which form depends on the profile. */
static int iccid_answer(struct sim_core *c, struct cmd *cmd, struct sbuf *o, const char *prefix,
			bool quoted)
{
	if (cmd->type == T_TEST)
		return R_OK;
	int e = sim_present_cme(c);
	if (e)
		return R_CME(e);
	if (prefix)
		sim_out_linef(c, o, quoted ? "%s: \"%s\"" : "%s: %s", prefix, c->iccid);
	else
		sim_out_line(c, o, c->iccid);
	return R_OK;
}

static int h_ccid(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (cmd->type != T_ACTION && cmd->type != T_QUERY && cmd->type != T_TEST)
		return R_ERROR;
	switch (c->p->iccid_form) {
	case SIM_ICCID_CCID:
		return iccid_answer(c, cmd, o, "+CCID", false);
	case SIM_ICCID_CCID_QUOTED:
		return iccid_answer(c, cmd, o, "+CCID", true);
	case SIM_ICCID_BARE:
		return iccid_answer(c, cmd, o, NULL, false);
	default:
		return R_NOTSUP;
	}
}

static int h_iccid(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (!(c->p->flags & SIM_P_ICCID_PLUS) || cmd->type == T_SET)
		return R_NOTSUP;
	return iccid_answer(c, cmd, o, "+ICCID", false);
}

static int h_scid(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (c->p->iccid_form != SIM_ICCID_SCID || cmd->type == T_SET)
		return R_NOTSUP;
	return iccid_answer(c, cmd, o, "^SCID", false);
}

static int h_qccid(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (c->p->iccid_form != SIM_ICCID_QCCID || cmd->type == T_SET)
		return R_NOTSUP;
	return iccid_answer(c, cmd, o, "+QCCID", false);
}

static int h_hiccid(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	char sw[32];
	size_t n = strlen(c->iccid), j = 0;
	if (c->p->iccid_form != SIM_ICCID_HUAWEI)
		return R_NOTSUP;
	if (cmd->type == T_TEST)
		return R_OK;
	if (cmd->type != T_QUERY)
		return R_ERROR;
	int e = sim_present_cme(c);
	if (e)
		return R_CME(e);
	/* As stored on the card (EF_ICCID): digits swapped in pairs, F filler. */
	for (size_t i = 0; i < n && j + 2 < sizeof(sw); i += 2) {
		char hi = c->iccid[i], lo = i + 1 < n ? c->iccid[i + 1] : 'F';
		sw[j++] = lo;
		sw[j++] = hi;
	}
	sw[j] = '\0';
	sim_out_linef(c, o, "^ICCID: %s", sw);
	return R_OK;
}

static int h_sysinfo(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	if (!(c->p->flags & SIM_P_NOT_SUPPORT))
		return R_NOTSUP;
	if (cmd->type != T_ACTION)
		return R_ERROR;
	int srv = sim_registered(c) ? 2 : (sim_radio_hears(c) && c->sim != SIM_ABSENT ? 1 : 0);
	int sim = c->sim == SIM_ABSENT ? 255 : (sim_cme(c) ? 240 : 1);
	sim_out_linef(c, o, "^SYSINFO:%d,%d,%d,%d,%d,,%d", srv, srv ? 3 : 0,
		      sim_reg_stat(c, 0) == 5 ? 1 : 0, srv ? 5 : 0, sim, srv ? 4 : 0);
	return R_OK;
}

static int h_cscs(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	static const char *const sets[] = {"GSM", "IRA", "UCS2", "HEX", "PCCP437", "8859-1"};
	switch (cmd->type) {
	case T_QUERY:
		sim_out_linef(c, o, "+CSCS: \"%s\"", c->cscs);
		return R_OK;
	case T_TEST:
		sim_out_line(c, o,
			     "+CSCS: (\"GSM\",\"IRA\",\"UCS2\",\"HEX\",\"PCCP437\",\"8859-1\")");
		return R_OK;
	case T_SET:
		for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
			if (cmd->nargs == 1 && sim_streq_ci(cmd->arg[0], sets[i])) {
				snprintf(c->cscs, sizeof(c->cscs), "%s", sets[i]);
				return R_OK;
			}
		}
		return R_CME(4);
	default:
		return R_ERROR;
	}
}

static const struct {
	const char *name;
	handler_fn fn;
} handlers[] = {
    {"+CGMI", h_cgmi},	     {"+GMI", h_cgmi},	  {"+CGMM", h_cgmm},	 {"+GMM", h_cgmm},
    {"+CGMR", h_cgmr},	     {"+GMR", h_cgmr},	  {"+CGSN", h_cgsn},	 {"+GSN", h_cgsn},
    {"+GCAP", h_gcap},	     {"+CMEE", h_cmee},	  {"+CFUN", h_cfun},	 {"+CPIN", h_cpin},
    {"+CLCK", h_clck},	     {"+CPINR", h_cpinr}, {"+CGATT", h_cgatt},	 {"+CSQ", h_csq},
    {"+CESQ", h_cesq},	     {"+CREG", h_creg},	  {"+CGREG", h_cgreg},	 {"+CEREG", h_cereg},
    {"+COPS", h_cops},	     {"+CIMI", h_cimi},	  {"+CNUM", h_cnum},	 {"+CCID", h_ccid},
    {"+ICCID", h_iccid},     {"^SCID", h_scid},	  {"+QCCID", h_qccid},	 {"^ICCID", h_hiccid},
    {"^SYSINFO", h_sysinfo}, {"+CSCS", h_cscs},	  {"+CUSD", sim_h_cusd},
};

handler_fn sim_cmd_27007_find(const char *name)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (!strcmp(handlers[i].name, name))
			return handlers[i].fn;
	return NULL;
}
