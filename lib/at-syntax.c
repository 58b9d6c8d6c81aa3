/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The AT tokenizer: bytes -> lines, the `>` prompt and PDU lines.
 *
 * What real modems send, and what this accepts:
 *  - line ends of CR LF (V.250 with V1), a bare CR (Gammu's engine tests, old Siemens), a bare
 *    LF (some USB bridges); empty lines in between are not events;
 *  - NUL bytes (after a reboot or a baud change), Ctrl-Z and ESC (the echo of a PDU) anywhere:
 *    dropped;
 *  - leading noise before the text of a line: control bytes and 0xFF (line noise while a
 *    modem boots) are stripped from the start of a line;
 *  - the `> ` prompt of AT+CMGS/AT+CMGW without a line end, with or without its space;
 *  - lines longer than AT_LINE_MAX: the start is reported as AT_EV_OVERFLOW, the rest up to
 *    the next line end is dropped.
 */
#include <string.h>

#include "at-syntax.h"

void at_syntax_init(struct at_syntax *s)
{
	memset(s, 0, offsetof(struct at_syntax, line));
	s->line[0] = '\0';
}

void at_syntax_reset(struct at_syntax *s)
{
	unsigned long lines = s->lines;

	at_syntax_init(s);
	s->lines = lines;
}

void at_syntax_expect_pdu(struct at_syntax *s, bool on)
{
	s->pdu_next = on;
}

void at_syntax_expect_prompt(struct at_syntax *s, bool on)
{
	s->want_prompt = on;
	if (!on)
		s->skip_space = false;
}

static bool is_leading_noise(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == 0xff;
}

static void emit_line(struct at_syntax *s, at_syntax_fn fn, void *userdata)
{
	enum at_event ev;

	if (s->len == 0 && !s->overflow)
		return;
	s->line[s->len] = '\0';
	if (s->overflow)
		ev = AT_EV_OVERFLOW;
	else if (s->pdu_next)
		ev = AT_EV_PDU;
	else
		ev = AT_EV_LINE;
	if (ev == AT_EV_PDU)
		s->pdu_next = false;
	s->len = 0;
	s->overflow = false;
	s->lines++;
	fn(userdata, ev, s->line, strlen(s->line));
}

void at_syntax_feed(struct at_syntax *s, const void *buf, size_t len, at_syntax_fn fn,
		    void *userdata)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == '\r' || c == '\n') {
			s->skip_space = false;
			emit_line(s, fn, userdata);
			continue;
		}
		if (c == '\0' || c == 0x1a || c == 0x1b)
			continue;
		if (s->skip_space) {
			s->skip_space = false;
			if (c == ' ')
				continue;
		}
		if (s->len == 0 && !s->overflow) {
			if (is_leading_noise(c))
				continue;
			if (c == '>' && s->want_prompt && !s->pdu_next) {
				s->want_prompt = false;
				s->skip_space = true;
				s->lines++;
				fn(userdata, AT_EV_PROMPT, ">", 1);
				continue;
			}
		}
		if (s->overflow)
			continue;
		if (s->len >= AT_LINE_MAX) {
			s->overflow = true;
			continue;
		}
		s->line[s->len++] = (char)c;
	}
}
