/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the AT tokenizer. Bytes from the modem in, events out: complete lines, the `>`
 * prompt, and the line after a two-line URC header ("next line is a PDU"). No I/O, no
 * allocation; everything from the modem is treated as hostile and bounded. */
#ifndef SMSCTL_AT_SYNTAX_H
#define SMSCTL_AT_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>

/* Longest line kept (a +COPS=? list of many operators is the longest real answer). */
#define AT_LINE_MAX 8192

enum at_event {
	/* a complete line, terminators and line noise removed */
	AT_EV_LINE = 1,
	/* the line that followed at_syntax_expect_pdu() */
	AT_EV_PDU = 2,
	/* the `>` prompt (with or without its space); text is ">" */
	AT_EV_PROMPT = 3,
	/* a line longer than AT_LINE_MAX: its start is given, the rest dropped */
	AT_EV_OVERFLOW = 4,
	/* a line of noise only (its raw bytes, NUL included, len given): nothing to act on */
	AT_EV_NOISE = 5,
};

/* Called for every event; text is NUL-terminated and borrowed for the call. The callback may
 * call at_syntax_expect_pdu() and at_syntax_expect_prompt() on the same tokenizer. */
typedef void (*at_syntax_fn)(void *userdata, enum at_event ev, const char *text, size_t len);

struct at_syntax {
	size_t len;	     /* bytes in line */
	bool overflow;	     /* current line passed AT_LINE_MAX: drop until its end */
	bool pdu_next;	     /* the next line is a PDU */
	bool want_prompt;    /* a `>` at the start of a line is the prompt */
	bool skip_space;     /* drop one space right after the prompt */
	unsigned long lines; /* events delivered, for measurements */
	unsigned long bytes; /* bytes fed, for the diagnosis of line noise */
	unsigned long noise; /* of which dropped as line noise (NUL, control, not UTF-8) */
	size_t raw_len;	     /* bytes in raw */
	char line[AT_LINE_MAX + 1];
	/* The line as received (without CR, LF, Ctrl-Z and ESC), noise included: valid during an
	 * AT_EV_LINE/AT_EV_PDU/AT_EV_OVERFLOW callback, for tracing every byte received. */
	char raw[AT_LINE_MAX + 1];
};

void at_syntax_init(struct at_syntax *s);
/* Forget a partial line and every mode (after a resync or a reopen). */
void at_syntax_reset(struct at_syntax *s);
/* The next complete line is delivered as AT_EV_PDU, whatever it looks like. */
void at_syntax_expect_pdu(struct at_syntax *s, bool on);
/* Whether a `>` at the start of a line is the prompt of AT+CMGS/AT+CMGW. */
void at_syntax_expect_prompt(struct at_syntax *s, bool on);
/* Tokenize len bytes, calling fn for every event. */
void at_syntax_feed(struct at_syntax *s, const void *buf, size_t len, at_syntax_fn fn,
		    void *userdata);

#endif
