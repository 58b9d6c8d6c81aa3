/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The AT tokenizer: bytes -> lines, the `>` prompt and PDU lines.
 *
 * What real modems send, and what this accepts:
 *  - line ends of CR LF (V.250 with V1), a bare CR (Gammu's engine tests, old Siemens), a bare
 *    LF (some USB bridges); empty lines in between are not events;
 *  - NUL bytes (after a reboot or a baud change), Ctrl-Z and ESC (the echo of a PDU) anywhere:
 *    dropped;
 *  - line noise at the start or end of a line: control bytes and bytes >= 0x80 that are
 *    not UTF-8 (a wrong baud rate, a noisy line, a modem booting) are stripped; a line of
 *    noise only, or without any printable ASCII character, is no line, unless it is UTF-8
 *    text (is_utf8_text(): a Chinese manufacturer or operator name alone on its line);
 *  - the `> ` prompt of AT+CMGS/AT+CMGW without a line end, with or without its space;
 *  - lines longer than AT_LINE_MAX: the start is reported as AT_EV_OVERFLOW, the rest up to
 *    the next line end is dropped.
 */
#include <string.h>

#include "at/syntax.h"

void at_syntax_init(struct at_syntax *s)
{
	memset(s, 0, offsetof(struct at_syntax, line));
	s->line[0] = '\0';
}

void at_syntax_reset(struct at_syntax *s)
{
	unsigned long lines = s->lines, bytes = s->bytes, noise = s->noise;

	at_syntax_init(s);
	s->lines = lines;
	s->bytes = bytes;
	s->noise = noise;
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

/* Length of the valid UTF-8 sequence at p (n bytes available), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* Line noise at either end of a line: control bytes, and bytes >= 0x80 that are not UTF-8
 * (what a wrong baud rate or a noisy line produces). Text inside a line is kept as is. */
static void trim_noise(struct at_syntax *s)
{
	unsigned char *p = (unsigned char *)s->line;
	size_t start = 0, end = s->len;

	while (start < end) {
		if (p[start] < 0x80) {
			if (!is_leading_noise(p[start]))
				break;
			start++;
			continue;
		}
		size_t l = utf8_len(p + start, end - start);
		if (l)
			break;
		start++;
	}
	while (end > start) {
		unsigned char c = p[end - 1];
		if (c < 0x80) {
			if (!is_leading_noise(c))
				break;
			end--;
			continue;
		}
		/* the last sequence: back up over continuation bytes to its lead byte */
		size_t lead = end - 1;
		while (lead > start && end - lead < 4 && (p[lead] & 0xc0) == 0x80)
			lead--;
		if (utf8_len(p + lead, end - lead) == end - lead)
			break;
		end--;
	}
	if (start)
		memmove(p, p + start, end - start);
	s->noise += s->len - (end - start);
	s->len = end - start;
}

static bool has_ascii_text(const struct at_syntax *s)
{
	for (size_t i = 0; i < s->len; i++)
		if (s->line[i] > 0x20 && s->line[i] < 0x7f)
			return true;
	return false;
}

/* Han, kana, Hangul, CJK punctuation and full-width forms: what a Chinese (Japanese, Korean)
 * manufacturer or operator name is written in. */
static bool is_cjk(unsigned long cp)
{
	return (cp >= 0x2e80 && cp <= 0x2fdf) || (cp >= 0x3000 && cp <= 0x30ff) ||
	       (cp >= 0x3100 && cp <= 0x31ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
	       (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7a3) ||
	       (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff01 && cp <= 0xff5e);
}

/* Letters of Latin-1/Latin Extended, Greek and Cyrillic. */
static bool is_letter(unsigned long cp)
{
	return (cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7) ||
	       (cp >= 0x370 && cp <= 0x52f);
}

/* Whether a line without printable ASCII is text in UTF-8 (a Chinese manufacturer or operator
 * name: "华为技术有限公司"), not line noise that happens to be UTF-8. Text: every byte valid
 * UTF-8, every character a letter (is_cjk(), is_letter()) or a space, and at least two CJK
 * characters or three letters. Line noise (a wrong baud rate, the sim's garbage fault) is a
 * few random bytes >= 0x80: it rarely forms one valid character, hardly ever two in those
 * ranges. */
static bool is_utf8_text(const struct at_syntax *s)
{
	const unsigned char *p = (const unsigned char *)s->line;
	size_t n_cjk = 0, n_letter = 0;

	for (size_t i = 0; i < s->len;) {
		size_t l = utf8_len(p + i, s->len - i);
		unsigned long cp;

		if (l == 0)
			return false;
		if (l == 1) {
			if (p[i] != ' ')
				return false;
			i++;
			continue;
		}
		cp = p[i] & (0x7fu >> l);
		for (size_t k = 1; k < l; k++)
			cp = cp << 6 | (p[i + k] & 0x3fu);
		if (is_cjk(cp))
			n_cjk++;
		else if (is_letter(cp))
			n_letter++;
		else
			return false;
		i += l;
	}
	return n_cjk >= 2 || n_cjk + n_letter >= 3;
}

/* Whether the partial line holds nothing but line noise (bytes >= 0x80). */
static bool only_noise(const struct at_syntax *s)
{
	for (size_t i = 0; i < s->len; i++)
		if ((unsigned char)s->line[i] < 0x80)
			return false;
	return true;
}

static void emit_line(struct at_syntax *s, at_syntax_fn fn, void *userdata)
{
	enum at_event ev;

	if (!s->overflow) {
		trim_noise(s);
		/* no printable ASCII at all: noise that happens to be UTF-8, unless it reads as
		 * text (a name in UTF-8 that fills the line: AT+CGMI "华为技术有限公司") */
		if (!has_ascii_text(s) && !is_utf8_text(s)) {
			s->noise += s->len;
			s->len = 0;
		}
	}
	if (s->len == 0 && !s->overflow) {
		if (s->raw_len) {
			s->raw[s->raw_len] = '\0';
			s->lines++;
			fn(userdata, AT_EV_NOISE, s->raw, s->raw_len);
			s->raw_len = 0;
		}
		return;
	}
	s->line[s->len] = '\0';
	s->raw[s->raw_len] = '\0';
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
	s->raw_len = 0;
}

static void raw_add(struct at_syntax *s, unsigned char c)
{
	if (s->raw_len < AT_LINE_MAX)
		s->raw[s->raw_len++] = (char)c;
}

void at_syntax_feed(struct at_syntax *s, const void *buf, size_t len, at_syntax_fn fn,
		    void *userdata)
{
	const unsigned char *p = buf;

	s->bytes += len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == '\r' || c == '\n') {
			s->skip_space = false;
			emit_line(s, fn, userdata);
			continue;
		}
		if (c == 0x1a || c == 0x1b)
			continue;
		if (c == '\0') {
			raw_add(s, c);
			s->noise++;
			continue;
		}
		if (s->skip_space) {
			s->skip_space = false;
			if (c == ' ')
				continue;
		}
		raw_add(s, c);
		if (s->len == 0 && !s->overflow && is_leading_noise(c)) {
			s->noise++;
			continue;
		}
		if (c == '>' && s->want_prompt && !s->pdu_next && !s->overflow && only_noise(s)) {
			s->noise += s->len;
			s->len = 0;
			if (s->raw_len && s->raw[s->raw_len - 1] == '>')
				s->raw_len--;
			if (s->raw_len) {
				s->raw[s->raw_len] = '\0';
				s->lines++;
				fn(userdata, AT_EV_NOISE, s->raw, s->raw_len);
			}
			s->raw_len = 0;
			s->want_prompt = false;
			s->skip_space = true;
			s->lines++;
			fn(userdata, AT_EV_PROMPT, ">", 1);
			continue;
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
