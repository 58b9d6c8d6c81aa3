/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * USSD on the simulated modem (3GPP TS 27.007 7.15) and balance queries by SMS.
 *
 * AT+CUSD=1,"CODE"[,<dcs>] answers OK, then, after the network delay, the unsolicited
 * +CUSD: 0,"<str>",<dcs> (before the OK with the fault ussd_early). The text is ussd=TEXT, or
 * the profile's balance text with balance=AMOUNT (default 12.50): the huawei profile answers in
 * Chinese, as UCS-2 hex with <dcs> 72, and prints GSM 7-bit texts as packed septets in hex
 * with <dcs> 15, as Huawei modems do; the others answer in English with <dcs> 15, converted
 * into the TE character set (+CSCS "UCS2": UCS-2 hex; "HEX": one hex pair a character; else
 * plain). A text outside the GSM 7-bit default alphabet is UCS-2 hex with <dcs> 72 everywhere.
 * Faults: ussd_end (+CUSD: 2), ussd_unsupported (+CUSD: 4), ussd_silent (no answer at all),
 * ussd_early (the answer before the OK), ussd_menu (+CUSD: 1: the session stays open, and a new
 * request is refused with +CME ERROR: 3 until AT+CUSD=2 closes it).
 * Without a SIM the request fails with the SIM's +CME ERROR, unregistered with +CME ERROR: 30.
 *
 * reply=NUMBER,TEXT: after a submit to NUMBER is accepted, TEXT arrives from NUMBER, as an
 * operator answers a balance query sent by SMS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>

#include "pdu/charset.h"
#include "pdu/gsm7.h"
#include "sim/core-internal.h"
#include "sim/text.h"

#define USSD_TEXT_MAX  120 /* bytes of UTF-8 a ussd= or reply= text may have */
#define USSD_DELAY_MS  200 /* the network's answer after the OK, on top of network= */
#define REPLY_DELAY_MS 500

static const char *default_text(const struct sim_core *c, char *buf, size_t size)
{
	const char *amount = c->balance[0] ? c->balance : "12.50";
	if (c->p->flags & SIM_P_USSD_PACKED)
		snprintf(buf, size, "尊敬的客户，您的账户余额为%s元，感谢您的使用。", amount);
	else
		snprintf(buf, size, "Your account balance is %s. Thank you.", amount);
	return buf;
}

/* The septets of text in the default alphabet (ESC + septet for the extension table); false
 * when a character has none. */
static bool to_septets(const char *text, uint8_t *sep, size_t size, size_t *n)
{
	const char *p = text, *end = text + strlen(text);
	*n = 0;
	while (p < end) {
		uint32_t cp;
		if (!pdu_utf8_next(&p, end, &cp))
			return false;
		int code = pdu_gsm7_lookup(cp);
		if (code < 0 || *n + 2 > size)
			return false;
		if (code & 0x100)
			sep[(*n)++] = GSM7_ESC;
		sep[(*n)++] = (uint8_t)(code & 0x7f);
	}
	return true;
}

static void hex_append(char *out, size_t size, size_t *pos, unsigned v, int digits)
{
	if (*pos + (size_t)digits + 1 <= size)
		*pos += (size_t)snprintf(out + *pos, size - *pos, "%0*X", digits, v);
}

/* The <str> and <dcs> of the answer to print. */
static int answer_str(const struct sim_core *c, const char *text, char *out, size_t size)
{
	uint8_t sep[2 * USSD_TEXT_MAX + 2];
	size_t ns, pos = 0;
	const char *p = text, *end = text + strlen(text);

	out[0] = '\0';
	if (!to_septets(text, sep, sizeof(sep), &ns)) {
		/* UCS-2 (UTF-16BE) hex, <dcs> 72 (0x48: general coding, UCS2) */
		while (p < end) {
			uint32_t cp;
			if (!pdu_utf8_next(&p, end, &cp))
				break;
			if (cp > 0xffff) {
				cp -= 0x10000;
				hex_append(out, size, &pos, 0xd800 + (cp >> 10), 4);
				cp = 0xdc00 + (cp & 0x3ff);
			}
			hex_append(out, size, &pos, cp, 4);
		}
		return 72;
	}
	if (c->p->flags & SIM_P_USSD_PACKED) {
		uint8_t packed[2 * USSD_TEXT_MAX + 2];
		/* TS 23.038 6.1.2.3.1: 7 spare bits at the end are filled with CR */
		if (ns % 8 == 7 && ns + 1 < sizeof(sep))
			sep[ns++] = '\r';
		size_t n = pdu_gsm7_pack(sep, ns, 0, packed);
		for (size_t i = 0; i < n; i++)
			hex_append(out, size, &pos, packed[i], 2);
		return 15;
	}
	if (!strcmp(c->cscs, "HEX")) {
		for (size_t i = 0; i < ns; i++)
			hex_append(out, size, &pos, sep[i], 2);
		return 15;
	}
	if (!strcmp(c->cscs, "UCS2")) {
		while (p < end) {
			uint32_t cp;
			if (!pdu_utf8_next(&p, end, &cp))
				break;
			hex_append(out, size, &pos, cp, 4);
		}
		return 15;
	}
	snprintf(out, size, "%s", text);
	return 15;
}

int sim_h_cusd(struct sim_core *c, struct cmd *cmd, struct sbuf *o)
{
	long n, dcs = 15;
	switch (cmd->type) {
	case T_QUERY:
		sim_out_linef(c, o, "+CUSD: %d", c->cusd_n);
		return R_OK;
	case T_TEST:
		sim_out_line(c, o, "+CUSD: (0-2)");
		return R_OK;
	case T_SET:
		break;
	default:
		return R_ERROR;
	}
	if (cmd->bad_args || cmd->nargs < 1 || cmd->nargs > 3 || !sim_arg_int(cmd, 0, 0, 2, &n))
		return R_CME(4);
	if (n == 2) {
		c->ussd_open = false; /* cancel the session */
		return R_OK;
	}
	c->cusd_n = (int)n;
	if (cmd->nargs < 2)
		return R_OK;
	if (cmd->nargs == 3 && !sim_arg_int(cmd, 2, 0, 255, &dcs))
		return R_CME(4);
	int e = sim_present_cme(c);
	if (e)
		return R_CME(e);
	if (!sim_registered(c))
		return R_CME(30); /* no network service */
	if (cmd->arg[1][0] == '\0')
		return R_CME(4);
	if (c->ussd_open)
		return R_CME(3); /* a session is open: operation not allowed until AT+CUSD=2 */
	if (c->fault[F_USSD_SILENT])
		return R_OK;

	char line[600], str[520], buf[200];
	if (c->fault[F_USSD_END])
		snprintf(line, sizeof(line), "+CUSD: 2");
	else if (c->fault[F_USSD_UNSUPPORTED])
		snprintf(line, sizeof(line), "+CUSD: 4");
	else {
		const char *text = c->ussd_text ? c->ussd_text : default_text(c, buf, sizeof(buf));
		int d = answer_str(c, text, str, sizeof(str));
		snprintf(line, sizeof(line), "+CUSD: %d,\"%s\",%d", c->fault[F_USSD_MENU] ? 1 : 0,
			 str, d);
		c->ussd_open = c->fault[F_USSD_MENU];
	}
	if (c->fault[F_USSD_EARLY]) {
		sim_out_line(c, o, line);
		return R_OK;
	}
	char *copy = strdup(line);
	if (copy)
		sim_add_urc_timer(
		    c, sim_answer_time(c, c->now, 0) + (c->network_ms + USSD_DELAY_MS) * US_PER_MS,
		    copy);
	return R_OK;
}

/* The digits of a TP-DA field in hex (length in digits, type, swapped BCD). */
static bool da_digits(const char *da_hex, char *out, size_t size)
{
	size_t len = strlen(da_hex), n = 0;
	if (len < 4)
		return false;
	int hi = sim_hexval((unsigned char)da_hex[0]), lo = sim_hexval((unsigned char)da_hex[1]);
	if (hi < 0 || lo < 0)
		return false;
	size_t digits = (size_t)(hi << 4 | lo);
	for (size_t i = 4; i + 1 < len && n < digits && n + 1 < size; i += 2) {
		char a = da_hex[i + 1], b = da_hex[i];
		out[n++] = a;
		if (n < digits && n + 1 < size && b != 'F' && b != 'f')
			out[n++] = b;
	}
	out[n] = '\0';
	return n == digits;
}

void sim_ussd_after_submit(struct sim_core *c, const char *da_hex, uint64_t at)
{
	char to[24];
	const char *want;
	struct smsctl_encoded *enc = NULL;

	if (!c->reply_number || !da_digits(da_hex, to, sizeof(to)))
		return;
	want = c->reply_number[0] == '+' ? c->reply_number + 1 : c->reply_number;
	if (strcmp(to, want) != 0)
		return;
	if (sim_text_encode(c, c->reply_number, c->reply_text, 0, &enc) < 0)
		return;
	for (size_t k = 0; k < sim_text_count(enc); k++) {
		char *copy = strdup(sim_text_hex(enc, k));
		if (copy)
			sim_add_timer(c, at + REPLY_DELAY_MS * US_PER_MS, copy, true);
	}
	sim_text_free(enc);
}

/* %XX escapes (sim_percent_decode); NULL on a bad one, a NUL, or more than USSD_TEXT_MAX bytes. */
static char *unescape(const char *s, size_t len)
{
	char *out = sim_percent_decode(s, len);
	if (!out)
		return NULL;
	size_t n = strlen(out);
	if (n == 0 || n > USSD_TEXT_MAX || !pdu_utf8_valid(out, n) || strchr(out, '"')) {
		free(out);
		return NULL;
	}
	return out;
}

int sim_ussd_key(struct sim_core *c, const char *k, size_t klen, const char *v, size_t vlen,
		 char *why, size_t why_size)
{
	if (sim_key_is(k, klen, "ussd")) {
		char *t = unescape(v, vlen);
		if (!t) {
			snprintf(
			    why, why_size,
			    "bad ussd text (1 to %d bytes of UTF-8 without '\"', %%XX escapes)",
			    USSD_TEXT_MAX);
			return SMSCTL_ERR_INVALID;
		}
		free(c->ussd_text);
		c->ussd_text = t;
		return 0;
	}
	if (sim_key_is(k, klen, "balance")) {
		if (vlen == 0 || vlen >= sizeof(c->balance) || strspn(v, "0123456789.-") < vlen) {
			snprintf(why, why_size, "bad balance '%.*s' (digits, '.', '-')",
				 (int)(vlen > 20 ? 20 : vlen), v);
			return SMSCTL_ERR_INVALID;
		}
		snprintf(c->balance, sizeof(c->balance), "%.*s", (int)vlen, v);
		return 0;
	}
	if (sim_key_is(k, klen, "reply")) {
		const char *comma = memchr(v, ',', vlen);
		size_t nl = comma ? (size_t)(comma - v) : 0;
		char *text = comma ? unescape(comma + 1, vlen - nl - 1) : NULL;
		const char *digits = nl && v[0] == '+' ? v + 1 : v;
		size_t dl = nl && v[0] == '+' ? nl - 1 : nl;
		if (!text || dl == 0 || dl > 20 || strspn(digits, "0123456789") < dl) {
			free(text);
			snprintf(why, why_size,
				 "bad reply (reply=NUMBER,TEXT: up to 20 digits, then the text)");
			return SMSCTL_ERR_INVALID;
		}
		char *num = malloc(nl + 1);
		if (!num) {
			free(text);
			snprintf(why, why_size, "out of memory");
			return SMSCTL_ERR_NOMEM;
		}
		snprintf(num, nl + 1, "%.*s", (int)nl, v);
		free(c->reply_number);
		free(c->reply_text);
		c->reply_number = num;
		c->reply_text = text;
		return 0;
	}
	return 1;
}

void sim_ussd_free(struct sim_core *c)
{
	free(c->ussd_text);
	free(c->reply_number);
	free(c->reply_text);
	c->ussd_text = c->reply_number = c->reply_text = NULL;
}
