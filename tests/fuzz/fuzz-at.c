/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the line engine: arbitrary modem bytes through the tokenizer and the
 * command chat (no I/O: the engine's writes go to a sink, time is driven by the input).
 * Input: byte 0 chooses the chunk size (bits 0-4; 0: everything at once) and, with bit 5 set,
 * run expansion: the three bytes 0xFF N B stand for (N + 1) * 64 bytes B, so a short input
 * carries lines beyond the 8,192-byte line limit (AT_LINE_MAX). Then the modem's bytes; the
 * first byte of each chunk also advances the clock so timeouts and resyncs are reached.
 * Checked: no crash, no leak, a PIN never appears in the TX trace, every command ends, no
 * line handed out is longer than the limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "at/chat.h"
#include "at/syntax.h"

struct state {
	unsigned long written;
	unsigned long responses;
	unsigned long queued;
};

static ssize_t sink(void *userdata, const void *buf, size_t len)
{
	struct state *s = userdata;

	s->written += len;
	return (ssize_t)len;
}

static void on_trace(void *userdata, enum smsctl_trace_dir dir, const char *data, size_t len)
{
	if (dir == SMSCTL_TRACE_TX && len >= 4 && memmem(data, len, "4711", 4))
		__builtin_trap(); /* the PIN leaked into the trace */
}

static void on_done(void *userdata, const struct smsctl_response *resp)
{
	struct state *s = userdata;
	size_t n = smsctl_response_get_line_count(resp);

	s->responses++;
	if (smsctl_response_get_result(resp) == SMSCTL_RESULT_NONE)
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		const char *l = smsctl_response_get_line(resp, i);
		if (!l || strlen(l) > AT_LINE_MAX)
			__builtin_trap();
	}
	if (!smsctl_response_get_final(resp) || !smsctl_response_get_command(resp))
		__builtin_trap();
}

static void on_urc(void *userdata, const char *line, const char *pdu)
{
	if (strlen(line) > AT_LINE_MAX || (pdu && strlen(pdu) > AT_LINE_MAX))
		__builtin_trap(); /* a line beyond the limit was handed out */
}

static const struct {
	const char *cmd;
	const char *pdu;
} script[] = {
    {"AT+CMGL=4", NULL},
    {"AT+CMGS=23", "0011000B916407281553F80000AA0AE8329BFD4697D9EC37"},
    {"AT+CPIN=\"4711\"", NULL},
    {"AT+CREG?", NULL},
    {"ATI", NULL},
    {"AT+CSQ;+CPMS?", NULL},
};

#define N_SCRIPT (sizeof(script) / sizeof(script[0]))

static void queue(struct at_chat *c, struct state *s, uint64_t now)
{
	size_t i = s->queued++ % N_SCRIPT;

	at_chat_send(c, script[i].cmd, script[i].pdu, 1000, on_done, s, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EXPANDED_MAX (4 * AT_LINE_MAX)

/* The input with every 0xFF N B replaced by (N + 1) * 64 bytes B, at most EXPANDED_MAX bytes
 * in all. Returns a new buffer (free()) and its length in *out_len. */
static uint8_t *expand_runs(const uint8_t *data, size_t size, size_t *out_len)
{
	uint8_t *out = malloc(EXPANDED_MAX);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < size && o < EXPANDED_MAX; i++) {
		if (data[i] == 0xFF && i + 2 < size) {
			size_t run = ((size_t)data[i + 1] + 1) * 64;
			if (run > EXPANDED_MAX - o)
				run = EXPANDED_MAX - o;
			memset(out + o, data[i + 2], run);
			o += run;
			i += 2;
		} else {
			out[o++] = data[i];
		}
	}
	*out_len = o;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state s = {0};
	uint64_t now = 0;

	if (size == 0)
		return 0;
	size_t chunk = data[0] & 0x1f;
	uint8_t *expanded = NULL;
	if (data[0] & 0x20) {
		expanded = expand_runs(data + 1, size - 1, &size);
		if (!expanded)
			return 0;
		data = expanded;
	} else {
		data++;
		size--;
	}
	if (chunk == 0)
		chunk = size ? size : 1;

	struct at_chat *c = at_chat_new(sink, &s, 1000);
	if (!c) {
		free(expanded);
		return 0;
	}
	at_chat_set_trace(c, on_trace, NULL);
	at_chat_add_urc_handler(c, "+CMTI:", false, on_urc, NULL);
	at_chat_add_urc_handler(c, "+CMT:", true, on_urc, NULL);
	at_chat_add_urc_handler(c, "", false, on_urc, NULL);
	queue(c, &s, now);
	queue(c, &s, now);

	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		at_chat_feed(c, data + off, n, now);
		now += (uint64_t)(data[off] & 0x0f) * 150;
		at_chat_tick(c, now);
		if (s.queued - s.responses < 2 && s.queued < 64)
			queue(c, &s, now);
	}
	/* run every pending deadline out: everything queued must end */
	for (int i = 0; i < 200 && s.responses < s.queued; i++) {
		int t = at_chat_get_timeout(c, now);
		if (t < 0)
			break;
		now += (uint64_t)t + 1;
		at_chat_tick(c, now);
	}
	if (s.responses != s.queued)
		__builtin_trap();
	at_chat_free(c);
	free(expanded);
	return 0;
}
