/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AT command lines: the bytes the host writes (echo, line editing, PDU entry), the V.250
 * syntax (basic commands, extended commands chained with ';', arguments), the basic commands,
 * and dispatch to the TS 27.007 and TS 27.005 handlers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core-internal.h"

bool sim_streq_ci(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

bool sim_parse_ulong(const char *s, size_t len, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	unsigned long v = 0;
	if (len == 0 || len > 12)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

int sim_hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Hex to bytes; returns the byte count or -1. */
long sim_hex_decode(const char *hex, size_t len, uint8_t *out, size_t size)
{
	if (len % 2 || len / 2 > size)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		int hi = sim_hexval((unsigned char)hex[i]),
		    lo = sim_hexval((unsigned char)hex[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(len / 2);
}

char *sim_strdup_upper(const char *s, size_t len)
{
	char *p = malloc(len + 1);
	if (!p)
		return NULL;
	for (size_t i = 0; i < len; i++)
		p[i] = (char)toupper((unsigned char)s[i]);
	p[len] = '\0';
	return p;
}

/* Split "a,\"b,c\",d" into arguments (quotes removed, spaces outside quotes dropped). */
static void split_args(struct cmd *cmd, const char *s, size_t len)
{
	size_t i = 0;
	cmd->nargs = 0;
	if (len == 0)
		return;
	for (;;) {
		if (cmd->nargs >= MAX_ARGS) {
			cmd->bad_args = true;
			return;
		}
		char *a = cmd->arg[cmd->nargs];
		size_t n = 0;
		bool inq = false, quoted = false;
		for (; i < len; i++) {
			char ch = s[i];
			if (ch == '"') {
				inq = !inq;
				quoted = true;
				continue;
			}
			if (!inq && ch == ',')
				break;
			if (!inq && ch == ' ')
				continue;
			if (n + 1 >= ARG_LEN) {
				cmd->bad_args = true;
				return;
			}
			a[n++] = ch;
		}
		a[n] = '\0';
		if (inq)
			cmd->bad_args = true;
		cmd->quoted[cmd->nargs] = quoted;
		cmd->nargs++;
		if (i >= len)
			return;
		i++; /* the comma */
	}
}

bool sim_arg_int(const struct cmd *cmd, int i, long min, long max, long *out)
{
	unsigned long v;
	if (i >= cmd->nargs || cmd->arg[i][0] == '\0')
		return false;
	if (!sim_parse_ulong(cmd->arg[i], strlen(cmd->arg[i]), 0, 0xffffffful, &v))
		return false;
	if ((long)v < min || (long)v > max)
		return false;
	*out = (long)v;
	return true;
}

/* Basic (V.250) commands: E, V, Q, Z, I, &F, &W, &C, &D, X. */
static int run_basic(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	unsigned long v = 0;
	bool has_v = cmd->rest_len > 0;
	if (has_v && !sim_parse_ulong(cmd->rest, cmd->rest_len, 0, 255, &v))
		return R_ERROR;
	const char *n = cmd->name;
	if (!strcmp(n, "E")) {
		if (v > 1)
			return R_ERROR;
		c->echo = v == 1;
		return R_OK;
	}
	if (!strcmp(n, "V")) {
		if (v > 1)
			return R_ERROR;
		c->verbose = v == 1;
		return R_OK;
	}
	if (!strcmp(n, "Q"))
		return v == 0 ? R_OK : R_ERROR;
	if (!strcmp(n, "Z") || !strcmp(n, "&F")) {
		if (v != 0)
			return R_ERROR;
		sim_reset_session(c);
		return R_OK;
	}
	if (!strcmp(n, "I")) {
		if (v != 0)
			return R_OK;
		const char *s = c->p->ati;
		while (*s) {
			const char *e = strchr(s, '\n');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			char tmp[128];
			snprintf(tmp, sizeof(tmp), "%.*s", (int)len, s);
			if (strstr(tmp, "%s")) {
				char line[160];
				size_t at = (size_t)(strstr(tmp, "%s") - tmp);
				snprintf(line, sizeof(line), "%.*s%s%s", (int)at, tmp, c->imei,
					 tmp + at + 2);
				sim_out_line(c, o, line);
			} else {
				sim_out_line(c, o, tmp);
			}
			s += len;
			if (*s == '\n')
				s++;
		}
		return R_OK;
	}
	if (!strcmp(n, "S"))
		return has_v ? R_OK : R_ERROR; /* the value part was handled by the caller */
	if (!strcmp(n, "&W") || !strcmp(n, "&C") || !strcmp(n, "&D") || !strcmp(n, "X"))
		return R_OK;
	return R_ERROR;
}

static int run_extended(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	handler_fn fn = sim_cmd_27007_find(cmd->name);
	if (!fn)
		fn = sim_cmd_27005_find(cmd->name);
	return fn ? fn(c, cmd, o) : R_NOTSUP;
}

static bool is_ext_prefix(char ch)
{
	return ch == '+' || ch == '^' || ch == '$' || ch == '#' || ch == '!' || ch == '%' ||
	       ch == '*';
}

/* Count the extended commands on a line (outside quotes). */
static int count_extended(const char *s)
{
	int n = 0;
	bool inq = false;
	for (; *s; s++) {
		if (*s == '"')
			inq = !inq;
		else if (!inq && is_ext_prefix(*s))
			n++;
	}
	return n;
}

/* Execute the commands after "AT". Returns the final result. */
static int run_line(struct sim_core *c, const char *s, struct sbuf *o)
{
	int r = R_OK;
	if ((c->p->flags & SIM_P_NO_CHAIN) && count_extended(s) > 1)
		return R_ERROR;
	while (*s) {
		struct cmd cmd;
		memset(&cmd, 0, sizeof(cmd));
		if (*s == ' ' || *s == ';') {
			s++;
			continue;
		}
		if (is_ext_prefix(*s)) {
			size_t n = 0;
			cmd.name[n++] = *s++;
			while (isalnum((unsigned char)*s) && n + 1 < sizeof(cmd.name))
				cmd.name[n++] = (char)toupper((unsigned char)*s++);
			cmd.name[n] = '\0';
			if (isalnum((unsigned char)*s))
				return R_ERROR;
			if (*s == '?') {
				cmd.type = T_QUERY;
				s++;
			} else if (s[0] == '=' && s[1] == '?') {
				cmd.type = T_TEST;
				s += 2;
			} else if (*s == '=') {
				const char *a = ++s;
				bool inq = false;
				while (*s && (inq || *s != ';')) {
					if (*s == '"')
						inq = !inq;
					s++;
				}
				cmd.type = T_SET;
				split_args(&cmd, a, (size_t)(s - a));
			} else {
				cmd.type = T_ACTION;
			}
			if (*s && *s != ';')
				return R_ERROR;
			r = run_extended(c, &cmd, o);
		} else if (isalpha((unsigned char)*s) || *s == '&') {
			size_t n = 0;
			if (*s == '&')
				cmd.name[n++] = *s++;
			if (!isalpha((unsigned char)*s))
				return R_ERROR;
			cmd.name[n++] = (char)toupper((unsigned char)*s++);
			cmd.name[n] = '\0';
			cmd.rest = s;
			while (isdigit((unsigned char)*s))
				s++;
			cmd.rest_len = (size_t)(s - cmd.rest);
			cmd.type = T_ACTION;
			if (!strcmp(cmd.name, "S") && *s == '=') {
				/* S-register write (ATS0=0): accepted, not kept */
				s++;
				while (isdigit((unsigned char)*s))
					s++;
			} else if (!strcmp(cmd.name, "S") && *s == '?') {
				s++;
				sim_out_line(c, o, "000");
			}
			r = run_basic(c, &cmd, o);
		} else {
			return R_ERROR;
		}
		if (r != R_OK)
			return r;
		if (c->in_pdu)
			return R_NONE; /* the prompt ends the line */
	}
	return r;
}

static void process_line(struct sim_core *c, uint64_t now)
{
	const char *l = c->line;
	size_t len = c->line_len;
	size_t i;
	struct sbuf o = {0};

	c->line[len] = '\0';
	/* Anything before "AT" is noise the modem skips. */
	for (i = 0; i + 1 < len; i++)
		if ((l[i] == 'A' || l[i] == 'a') && (l[i + 1] == 'T' || l[i + 1] == 't'))
			break;
	if (i + 1 >= len)
		return;
	c->commands++;
	uint64_t at = sim_answer_time(c, now, len + 1);
	int r;
	if (c->line_overflow) {
		r = R_ERROR;
	} else {
		/* The PIN-unlock URCs of some profiles follow a successful AT+CPIN=. */
		bool locked = c->sim != SIM_READY;
		r = run_line(c, l + i + 2, &o);
		if (c->fault[F_BARE_OK] && !c->in_pdu) {
			/* A firmware that answers OK to anything (settings still apply): the
			 * information lines and any error are lost. */
			free(o.p);
			o = (struct sbuf){0};
			r = R_OK;
		}
		sim_out_final(c, &o, r);
		if (!o.failed)
			sim_queue_bytes(c, at, o.p, o.len);
		free(o.p);
		if (locked && c->sim == SIM_READY)
			sim_queue_ready_urcs(c, at);
		sim_after_command(c, at);
		return;
	}
	sim_out_final(c, &o, r);
	if (!o.failed)
		sim_queue_bytes(c, at, o.p, o.len);
	free(o.p);
	sim_after_command(c, at);
}

void sim_core_input(struct sim_core *c, const void *buf, size_t len, uint64_t now)
{
	const uint8_t *b = buf;
	sim_core_tick(c, now); /* a timed unplug may have come first */
	if (c->closed_at != UINT64_MAX || c->fault[F_HANG])
		return;
	for (size_t i = 0; i < len; i++) {
		uint8_t ch = b[i];
		if (c->in_pdu) {
			if (ch == 0x1a) {
				sim_finish_pdu(c, now);
			} else if (ch == 0x1b) {
				sim_abort_pdu(c, now);
			} else if (ch == '\r' || ch == '\n' || ch == ' ') {
				/* ignored inside the PDU */
			} else {
				if (c->echo)
					sim_queue_bytes(c, now, &ch, 1);
				if (c->pdu_len < PDU_MAX_HEX)
					c->pdu[c->pdu_len++] = (char)ch;
				else
					c->pdu_overflow = true;
			}
			if (c->closed_at != UINT64_MAX || c->fault[F_HANG])
				return;
			continue;
		}
		if (c->echo && ch != 0x1a && ch != 0x1b)
			sim_queue_bytes(c, now, &ch, 1);
		switch (ch) {
		case '\r':
			process_line(c, now);
			c->line_len = 0;
			c->line_overflow = false;
			break;
		case '\n':
		case 0x1a:
			break;
		case 0x1b:
			c->line_len = 0;
			c->line_overflow = false;
			break;
		case 0x08:
		case 0x7f:
			if (c->line_len)
				c->line_len--;
			break;
		default:
			if (c->line_len < LINE_MAX_LEN)
				c->line[c->line_len++] = (char)ch;
			else
				c->line_overflow = true;
			break;
		}
		if (c->closed_at != UINT64_MAX || c->fault[F_HANG])
			return;
	}
}
