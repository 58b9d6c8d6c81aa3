/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The AT command engine: the queue, the line rules, the `>` prompt and PDU path, timeouts and
 * resynchronisation. See at/chat.h for the model. Its helpers each have a file: final results
 * (at/result.c), command text: prefixes and masking (at/command.c), URC routing (at/urc.c),
 * responses (at/response.c), the tokenizer (at/syntax.c). The rules for each incoming line:
 *
 *  1. while a command is in flight, its echo is dropped once (echo on or off, both work);
 *  2. a final result (at/result.c) ends the command in flight;
 *  3. a line starting with a prefix the command expects ("AT+CREG?" expects "+CREG:") is a
 *     response line, even when the same prefix is also a URC;
 *  4. a line whose prefix has a URC handler, or is a known URC or boot/status noise (the
 *     table in at/urc.c), goes to the URC handlers (dropped when none wants it), also in the
 *     middle of a response;
 *  5. any other line during a command is a response line (ATI, AT+CGSN digits, PDU lines of
 *     +CMGL/+CMGR, the +ICCID answer to AT+CCID).
 *
 * Two-line URCs (+CMT:, +CDS: in PDU mode, +CBM:, or a handler registered as two-line) are
 * delivered once their second line arrived, as one event.
 *
 * Timeouts: a command that gets no final result in time ends with SMSCTL_RESULT_TIMEOUT (a
 * prompt still awaited is cancelled with ESC). Before the next command the engine
 * resynchronises once: ESC, a short guard time in which late answers are discarded (URCs
 * still reach their handlers), then `AT`, waiting for a final result within that next
 * command's timeout. If the modem stays silent that
 * command ends with SMSCTL_RESULT_TIMEOUT too, and later commands end at once the same way
 * until the modem sends anything again, so a hung modem ends a program's run within about
 * twice the timeout.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>

#include "at/chat.h"
#include "at/command.h"
#include "at/result.h"
#include "at/syntax.h"
#include "at/urc.h"

/* Bounds on one response, against a modem that never stops talking. */
#define RESP_MAX_LINES 65536
#define RESP_MAX_BYTES (4u << 20)
#define MAX_PREFIXES   6 /* a chained line of queries plus a setting or two ahead of them */

enum chat_state {
	ST_IDLE,     /* nothing in flight */
	ST_GUARD,    /* resync: ESC written, discarding input for a moment */
	ST_RESYNC,   /* resync: `AT` written, waiting for a final result */
	ST_CMD,	     /* command written, waiting for the prompt or a final result */
	ST_PDU_SENT, /* PDU and Ctrl-Z written, waiting for a final result */
	ST_DEAD,     /* the resync failed: commands end at once until the modem talks */
	ST_GONE,     /* EOF/EIO: commands end at once with GONE */
};

struct at_cmd {
	struct at_cmd *next;
	char *cmd;
	char *pdu;
	int timeout_ms;
	smsctl_response_fn fn;
	void *userdata;
	char prefixes[MAX_PREFIXES][AT_PREFIX_SIZE];
	size_t n_prefixes;
	bool echo_seen;
	bool pdu_echo_seen;
	bool info_ends; /* AT_SEND_INFO_ENDS */
	bool info_seen; /* an information line came (info_ends) */
	size_t resp_bytes;
	struct smsctl_response *resp;
};

struct at_chat {
	struct at_syntax syn;
	at_write_fn write;
	void *write_data;
	smsctl_trace_fn trace;
	void *trace_data;
	unsigned default_timeout_ms;

	enum chat_state state;
	struct at_cmd *current;
	struct at_cmd *head, *tail;
	uint64_t deadline;
	bool need_resync;
	uint64_t now;

	struct at_urcs urcs;
	char *urc_first; /* first line of a two-line URC waiting for its second */

	unsigned long events;
	unsigned long commands;
};

/* ---- small helpers ---- */

static void trace(struct at_chat *c, enum smsctl_trace_dir dir, const char *data, size_t len)
{
	if (c->trace)
		c->trace(c->trace_data, dir, data, len);
}

static void trace_info(struct at_chat *c, const char *msg)
{
	trace(c, SMSCTL_TRACE_INFO, msg, strlen(msg));
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Length of s without trailing spaces and tabs. */
static size_t trimmed_len(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

static bool equals_nocase_trimmed(const char *line, const char *word)
{
	size_t n = trimmed_len(line);

	return n == trimmed_len(word) && strncasecmp(line, word, n) == 0;
}

static bool is_hex_string(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

/* ---- responses and commands ---- */

static void cmd_free(struct at_cmd *cmd)
{
	if (!cmd)
		return;
	at_response_free(cmd->resp);
	free(cmd->cmd);
	free(cmd->pdu);
	free(cmd);
}

static void start_next(struct at_chat *c);

/* End cmd (already unlinked) with a result and free it. */
static void finish(struct at_chat *c, struct at_cmd *cmd, enum smsctl_result result,
		   const char *final, int code)
{
	struct smsctl_response *r = cmd->resp;

	r->result = result;
	r->code = code;
	free(r->final);
	r->final = strdup(final ? final : "");
	if (!r->final)
		r->final = NULL; /* smsctl_response_get_final() maps NULL to "" */
	c->events++;
	if (cmd->fn)
		cmd->fn(cmd->userdata, r);
	cmd_free(cmd);
}

/* End the command in flight and go on with the queue. */
static void finish_current(struct at_chat *c, enum smsctl_result result, const char *final,
			   int code)
{
	struct at_cmd *cmd = c->current;

	c->current = NULL;
	if (c->state == ST_CMD || c->state == ST_PDU_SENT)
		c->state = ST_IDLE;
	at_syntax_expect_prompt(&c->syn, false);
	if (cmd)
		finish(c, cmd, result, final, code);
	start_next(c);
}

static struct at_cmd *dequeue(struct at_chat *c)
{
	struct at_cmd *cmd = c->head;

	if (cmd) {
		c->head = cmd->next;
		if (!c->head)
			c->tail = NULL;
		cmd->next = NULL;
	}
	return cmd;
}

static int chat_write(struct at_chat *c, const char *buf, size_t len, const char *traced,
		      size_t traced_len)
{
	trace(c, SMSCTL_TRACE_TX, traced, traced_len);
	size_t done = 0;
	while (done < len) {
		ssize_t n = c->write(c->write_data, buf + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static void write_failed(struct at_chat *c)
{
	trace_info(c, "write to the modem failed: the modem is gone");
	at_chat_hangup(c);
}

static int cmd_timeout(const struct at_chat *c, const struct at_cmd *cmd)
{
	return cmd->timeout_ms > 0 ? cmd->timeout_ms : (int)c->default_timeout_ms;
}

static void begin_resync(struct at_chat *c)
{
	trace_info(c, "resynchronising after a timeout: ESC, then AT");
	c->state = ST_GUARD;
	c->deadline = c->now + AT_RESYNC_GUARD_MS;
	if (chat_write(c, "\x1b", 1, "\x1b", 1) < 0)
		write_failed(c);
}

/* Commands answered with the `>` prompt (TS 27.005 3.5.1, 3.5.3, 3.5.5). */
static bool wants_prompt(const struct at_cmd *cmd)
{
	for (size_t i = 0; i < cmd->n_prefixes; i++)
		if (strcmp(cmd->prefixes[i], "+CMGS:") == 0 ||
		    strcmp(cmd->prefixes[i], "+CMGW:") == 0 ||
		    strcmp(cmd->prefixes[i], "+CMGC:") == 0)
			return true;
	return false;
}

static void write_current(struct at_chat *c)
{
	struct at_cmd *cmd = c->current;
	size_t len = strlen(cmd->cmd);
	char *buf = malloc(len + 2);

	if (!buf) {
		finish_current(c, SMSCTL_RESULT_CANCELLED, "", -1);
		return;
	}
	memcpy(buf, cmd->cmd, len);
	buf[len] = '\r';
	buf[len + 1] = '\0';

	char masked[AT_CMD_MAX + 64];
	at_mask_command(cmd->cmd, masked, sizeof(masked) - 1);
	size_t ml = strlen(masked);
	masked[ml] = '\r';

	c->state = ST_CMD;
	c->deadline = c->now + (uint64_t)cmd_timeout(c, cmd);
	c->commands++;
	at_syntax_expect_prompt(&c->syn, cmd->pdu != NULL || wants_prompt(cmd));
	int rc = chat_write(c, buf, len + 1, masked, ml + 1);
	free(buf);
	if (rc < 0)
		write_failed(c);
}

static void start_next(struct at_chat *c)
{
	while (c->state == ST_IDLE || c->state == ST_DEAD || c->state == ST_GONE) {
		if (c->current || !c->head)
			return;
		if (c->state == ST_GONE) {
			finish(c, dequeue(c), SMSCTL_RESULT_GONE, "", -1);
			continue;
		}
		if (c->state == ST_DEAD) {
			trace_info(c, "the modem does not answer: command not sent");
			finish(c, dequeue(c), SMSCTL_RESULT_TIMEOUT, "", -1);
			continue;
		}
		if (c->need_resync) {
			begin_resync(c);
			return;
		}
		c->current = dequeue(c);
		write_current(c);
		return;
	}
}

/* ---- URCs (the routing is at/urc.c) ---- */

static void dispatch_urc(struct at_chat *c, const char *line, const char *pdu)
{
	if (at_urcs_dispatch(&c->urcs, line, pdu))
		c->events++;
	else
		trace_info(c, "unsolicited line dropped (no handler)");
}

/* A URC first line: deliver it, or wait for its second line. */
static void urc_line(struct at_chat *c, const char *line, bool two_line)
{
	if (!two_line) {
		dispatch_urc(c, line, NULL);
		return;
	}
	free(c->urc_first);
	c->urc_first = strdup(line);
	if (!c->urc_first) {
		dispatch_urc(c, line, NULL);
		return;
	}
	at_syntax_expect_pdu(&c->syn, true);
}

/* ---- incoming lines ---- */

static void response_line(struct at_chat *c, const char *line)
{
	struct at_cmd *cmd = c->current;
	size_t len = strlen(line);

	if (cmd->resp->n_lines >= RESP_MAX_LINES || cmd->resp_bytes + len > RESP_MAX_BYTES) {
		trace_info(c, "response too long: line dropped");
		return;
	}
	if (at_response_add_line(cmd->resp, line) < 0) {
		trace_info(c, "out of memory: response line dropped");
		return;
	}
	cmd->resp_bytes += len;
}

static void handle_line(struct at_chat *c, const char *line)
{
	struct at_cmd *cmd = c->current;
	bool two_line;
	int code;
	enum smsctl_result res;

	switch (c->state) {
	case ST_GUARD:
	case ST_RESYNC:
		res = at_final_result(line, &code);
		if (res == SMSCTL_RESULT_NONE) {
			/* URCs still reach their handlers; late answer lines of the command that
			 * timed out have none and are dropped */
			if (at_urcs_match(&c->urcs, line, &two_line))
				urc_line(c, line, two_line);
			else
				trace_info(c, "line dropped while resynchronising");
			return;
		}
		if (c->state == ST_GUARD) {
			trace_info(c, "late final result dropped");
			return;
		}
		trace_info(c, "resynchronised");
		c->need_resync = false;
		c->state = ST_IDLE;
		start_next(c);
		return;
	case ST_CMD:
	case ST_PDU_SENT:
		if (!cmd->echo_seen && equals_nocase_trimmed(line, cmd->cmd)) {
			cmd->echo_seen = true;
			return;
		}
		if (c->state == ST_PDU_SENT && !cmd->pdu_echo_seen &&
		    equals_nocase_trimmed(line, cmd->pdu)) {
			cmd->pdu_echo_seen = true;
			return;
		}
		res = at_final_result(line, &code);
		if (res != SMSCTL_RESULT_NONE) {
			finish_current(c, res, line, code);
			return;
		}
		for (size_t i = 0; i < cmd->n_prefixes; i++) {
			if (starts_with(line, cmd->prefixes[i])) {
				response_line(c, line);
				if (cmd->info_ends && c->state == ST_CMD) {
					/* the answer is here; its final result may never come */
					cmd->info_seen = true;
					if (c->deadline > c->now + AT_INFO_END_MS)
						c->deadline = c->now + AT_INFO_END_MS;
				}
				return;
			}
		}
		if (at_urcs_match(&c->urcs, line, &two_line)) {
			urc_line(c, line, two_line);
			return;
		}
		response_line(c, line);
		return;
	case ST_IDLE:
	case ST_DEAD:
	case ST_GONE:
		if (at_final_result(line, NULL) != SMSCTL_RESULT_NONE) {
			trace_info(c, "final result without a command dropped");
			return;
		}
		at_urcs_match(&c->urcs, line, &two_line);
		urc_line(c, line, two_line);
		return;
	}
}

static void handle_pdu(struct at_chat *c, const char *line)
{
	char *first = c->urc_first;

	c->urc_first = NULL;
	if (!first) {
		handle_line(c, line);
		return;
	}
	/* A final result where the second line should be: the URC came without it. */
	if (!is_hex_string(line) && at_final_result(line, NULL) != SMSCTL_RESULT_NONE) {
		trace_info(c, "two-line URC without its second line");
		dispatch_urc(c, first, NULL);
		free(first);
		handle_line(c, line);
		return;
	}
	dispatch_urc(c, first, line);
	free(first);
}

static void handle_prompt(struct at_chat *c)
{
	struct at_cmd *cmd = c->current;

	if (c->state != ST_CMD || !cmd)
		return;
	cmd->resp->prompt_seen = true;
	if (!cmd->pdu) {
		/* a raw AT+CMGS without a PDU to give: cancel, the modem then ends the command */
		trace_info(c, "prompt without a PDU to send: cancelled with ESC");
		if (chat_write(c, "\x1b", 1, "\x1b", 1) < 0)
			write_failed(c);
		return;
	}
	size_t len = strlen(cmd->pdu);
	char *buf = malloc(len + 1);
	if (!buf) {
		/* cancel the prompt; the modem answers with an error or nothing */
		chat_write(c, "\x1b", 1, "\x1b", 1);
		finish_current(c, SMSCTL_RESULT_CANCELLED, "", -1);
		return;
	}
	memcpy(buf, cmd->pdu, len);
	buf[len] = 0x1a;
	c->state = ST_PDU_SENT;
	int t = cmd_timeout(c, cmd);
	c->deadline = c->now + (uint64_t)(t < AT_PDU_MIN_TIMEOUT_MS ? AT_PDU_MIN_TIMEOUT_MS : t);
	int rc = chat_write(c, buf, len + 1, buf, len + 1);
	free(buf);
	if (rc < 0)
		write_failed(c);
}

/* Trace a received line; an echoed command is masked like the command itself. */
static void trace_rx(struct at_chat *c, enum at_event ev, const char *text, size_t len)
{
	if (!c->trace)
		return;
	if (ev == AT_EV_PROMPT) {
		trace(c, SMSCTL_TRACE_RX, "> ", 2);
		return;
	}
	if (ev == AT_EV_NOISE) {
		trace(c, SMSCTL_TRACE_RX, text, len);
		return;
	}
	/* an echoed command is traced masked like the command itself */
	if (at_command_skip_at(text)) {
		char masked[AT_LINE_MAX + 64];
		at_mask_command(text, masked, sizeof(masked));
		trace(c, SMSCTL_TRACE_RX, masked, strlen(masked));
		return;
	}
	/* every byte received: the line as it came, noise included */
	if (c->syn.raw_len)
		trace(c, SMSCTL_TRACE_RX, c->syn.raw, c->syn.raw_len);
	else
		trace(c, SMSCTL_TRACE_RX, text, len);
}

static void on_event(void *userdata, enum at_event ev, const char *text, size_t len)
{
	struct at_chat *c = userdata;

	trace_rx(c, ev, text, len);
	switch (ev) {
	case AT_EV_LINE:
		handle_line(c, text);
		break;
	case AT_EV_PDU:
		handle_pdu(c, text);
		break;
	case AT_EV_PROMPT:
		handle_prompt(c);
		break;
	case AT_EV_OVERFLOW:
		trace_info(c, "line too long: dropped");
		break;
	case AT_EV_NOISE:
		break;
	}
}

/* ---- public (internal) API ---- */

struct at_chat *at_chat_new(at_write_fn write, void *userdata, unsigned default_timeout_ms)
{
	struct at_chat *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	at_syntax_init(&c->syn);
	c->write = write;
	c->write_data = userdata;
	c->default_timeout_ms = default_timeout_ms ? default_timeout_ms : 10000;
	c->state = ST_IDLE;
	return c;
}

void at_chat_free(struct at_chat *c)
{
	if (!c)
		return;
	at_chat_cancel_all(c);
	at_urcs_clear(&c->urcs);
	free(c->urc_first);
	free(c);
}

void at_chat_set_trace(struct at_chat *c, smsctl_trace_fn fn, void *userdata)
{
	c->trace = fn;
	c->trace_data = userdata;
}

void at_chat_set_default_timeout(struct at_chat *c, unsigned timeout_ms)
{
	c->default_timeout_ms = timeout_ms ? timeout_ms : 10000;
}

void at_chat_reset(struct at_chat *c, uint64_t now_ms)
{
	at_syntax_reset(&c->syn);
	c->now = now_ms;
	c->state = ST_IDLE;
	c->need_resync = false;
	free(c->urc_first);
	c->urc_first = NULL;
	start_next(c);
}

static bool valid_text(const char *s, size_t max, bool hex)
{
	size_t n = 0;

	for (; *s; s++, n++) {
		unsigned char ch = (unsigned char)*s;
		if (n >= max)
			return false;
		if (hex ? !isxdigit(ch) : (ch < 0x20 || ch == 0x7f))
			return false;
	}
	return n > 0;
}

int at_chat_send(struct at_chat *c, const char *cmd, const char *pdu, int timeout_ms,
		 smsctl_response_fn fn, void *userdata, uint64_t now_ms)
{
	return at_chat_send_flags(c, cmd, pdu, timeout_ms, 0, fn, userdata, now_ms);
}

int at_chat_send_flags(struct at_chat *c, const char *cmd, const char *pdu, int timeout_ms,
		       unsigned flags, smsctl_response_fn fn, void *userdata, uint64_t now_ms)
{
	if (!c || !cmd || !valid_text(cmd, AT_CMD_MAX, false))
		return SMSCTL_ERR_INVALID;
	if (pdu && !valid_text(pdu, AT_PDU_MAX, true))
		return SMSCTL_ERR_INVALID;

	struct at_cmd *a = calloc(1, sizeof(*a));
	if (!a)
		return SMSCTL_ERR_NOMEM;
	a->cmd = strdup(cmd);
	a->pdu = pdu ? strdup(pdu) : NULL;
	a->resp = calloc(1, sizeof(*a->resp));
	char masked[AT_CMD_MAX + 64];
	at_mask_command(cmd, masked, sizeof(masked));
	if (a->resp)
		a->resp->command = strdup(masked);
	if (!a->cmd || (pdu && !a->pdu) || !a->resp || !a->resp->command) {
		cmd_free(a);
		return SMSCTL_ERR_NOMEM;
	}
	a->resp->code = -1;
	a->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
	a->fn = fn;
	a->userdata = userdata;
	a->info_ends = (flags & AT_SEND_INFO_ENDS) && !pdu;
	a->n_prefixes = at_expected_prefixes(cmd, a->prefixes, MAX_PREFIXES);

	if (c->tail)
		c->tail->next = a;
	else
		c->head = a;
	c->tail = a;
	c->now = now_ms;
	start_next(c);
	return 0;
}

void at_chat_feed(struct at_chat *c, const void *buf, size_t len, uint64_t now_ms)
{
	c->now = now_ms;
	if (len == 0)
		return;
	if (c->state == ST_DEAD) {
		trace_info(c, "the modem talks again: resynchronising before the next command");
		c->state = ST_IDLE;
		c->need_resync = true;
	}
	unsigned long noise = c->syn.noise;
	at_syntax_feed(&c->syn, buf, len, on_event, c);
	if (c->syn.noise != noise && c->trace) {
		char msg[64];
		snprintf(msg, sizeof(msg), "%lu bytes of line noise dropped", c->syn.noise - noise);
		trace_info(c, msg);
	}
	start_next(c);
}

void at_chat_tick(struct at_chat *c, uint64_t now_ms)
{
	c->now = now_ms;
	switch (c->state) {
	case ST_GUARD:
		if (now_ms < c->deadline)
			return;
		at_syntax_reset(&c->syn);
		free(c->urc_first);
		c->urc_first = NULL;
		c->state = ST_RESYNC;
		c->deadline = now_ms + (uint64_t)(c->head ? cmd_timeout(c, c->head)
							  : (int)c->default_timeout_ms);
		if (chat_write(c, "AT\r", 3, "AT\r", 3) < 0)
			write_failed(c);
		return;
	case ST_RESYNC:
		if (now_ms < c->deadline)
			return;
		trace_info(c, "resynchronisation failed: the modem does not answer");
		c->state = ST_DEAD;
		start_next(c);
		return;
	case ST_CMD:
	case ST_PDU_SENT:
		if (now_ms < c->deadline)
			return;
		if (c->state == ST_CMD && c->current->pdu) {
			/* the prompt may still come: cancel it */
			if (chat_write(c, "\x1b", 1, "\x1b", 1) < 0) {
				write_failed(c);
				return;
			}
		}
		if (c->state == ST_CMD && c->current->info_seen) {
			trace_info(c, "answer without a final result: taken as complete");
			finish_current(c, SMSCTL_RESULT_OK, "", -1);
			return;
		}
		trace_info(c, "timeout: no final result");
		c->need_resync = true;
		finish_current(c, SMSCTL_RESULT_TIMEOUT, "", -1);
		return;
	default:
		return;
	}
}

int at_chat_get_timeout(const struct at_chat *c, uint64_t now_ms)
{
	switch (c->state) {
	case ST_GUARD:
	case ST_RESYNC:
	case ST_CMD:
	case ST_PDU_SENT:
		if (c->deadline <= now_ms)
			return 0;
		if (c->deadline - now_ms > (uint64_t)0x7fffffff)
			return 0x7fffffff;
		return (int)(c->deadline - now_ms);
	default:
		return -1;
	}
}

void at_chat_hangup(struct at_chat *c)
{
	if (c->state == ST_GONE)
		return;
	c->state = ST_GONE;
	at_syntax_expect_prompt(&c->syn, false);
	struct at_cmd *cmd = c->current;
	c->current = NULL;
	if (cmd)
		finish(c, cmd, SMSCTL_RESULT_GONE, "", -1);
	start_next(c);
}

void at_chat_cancel_all(struct at_chat *c)
{
	struct at_cmd *cmd = c->current;

	c->current = NULL;
	if (c->state != ST_GONE)
		c->state = ST_IDLE;
	if (cmd)
		finish(c, cmd, SMSCTL_RESULT_CANCELLED, "", -1);
	while ((cmd = dequeue(c)))
		finish(c, cmd, SMSCTL_RESULT_CANCELLED, "", -1);
}

bool at_chat_is_gone(const struct at_chat *c)
{
	return c->state == ST_GONE;
}

int at_chat_add_urc_handler(struct at_chat *c, const char *prefix, bool two_line, smsctl_urc_fn fn,
			    void *userdata)
{
	if (!c)
		return SMSCTL_ERR_INVALID;
	return at_urcs_add(&c->urcs, prefix, two_line, fn, userdata);
}

int at_chat_remove_urc_handler(struct at_chat *c, int id)
{
	if (!c)
		return SMSCTL_ERR_INVALID;
	return at_urcs_remove(&c->urcs, id);
}

unsigned long at_chat_get_events(const struct at_chat *c)
{
	return c->events;
}

unsigned long at_chat_get_command_count(const struct at_chat *c)
{
	return c->commands;
}

unsigned long at_chat_get_noise(const struct at_chat *c, unsigned long *received)
{
	if (received)
		*received = c->syn.bytes;
	return c->syn.noise;
}

unsigned long at_chat_get_line_count(const struct at_chat *c)
{
	return c->syn.lines;
}
