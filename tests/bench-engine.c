/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-engine: the AT engine's costs.
 *  1. parsing: lines per second through the tokenizer alone, and through the command chat
 *     (a 100-entry +CMGL answer with URCs inside, repeated);
 *  2. a fixed command script against the simulated modem with serial speed and latency
 *     emulated (sim:?baud=115200&latency=20): round trips and wall time.
 * Prints figures only; it never fails on speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/smsctl.h>

#include "at/chat.h"
#include "at/syntax.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static ssize_t sink(void *userdata, const void *buf, size_t len)
{
	return (ssize_t)len;
}

static void count_line(void *userdata, enum at_event ev, const char *text, size_t len)
{
	(*(unsigned long *)userdata)++;
}

static void done(void *userdata, const struct smsctl_response *resp)
{
	(*(unsigned long *)userdata) += smsctl_response_get_line_count(resp);
}

static void urc(void *userdata, const char *line, const char *pdu)
{
	(*(unsigned long *)userdata)++;
}

/* A +CMGL answer of 100 stored messages (PDU from Gammu tests/atgen/smsd-incoming-cmt.c, as
 * in tests/data/transcripts/gammu-atgen-cmt-1.at) with a +CMTI and noise every 10 entries. */
static char *make_answer(size_t *len)
{
	static const char pdu[] = "07918497483252F0840B918496445078F700007121320144744004D4F29C0E";
	size_t cap = 100 * 160 + 64, n = 0;
	char *b = malloc(cap);

	if (!b)
		return NULL;
	for (int i = 1; i <= 100; i++) {
		n += (size_t)snprintf(b + n, cap - n, "\r\n+CMGL: %d,1,,23\r\n%s", i, pdu);
		if (i % 10 == 0)
			n += (size_t)snprintf(b + n, cap - n, "\r\n+CMTI: \"SM\",%d\r\n^RSSI: 17",
					      i);
	}
	n += (size_t)snprintf(b + n, cap - n, "\r\n\r\nOK\r\n");
	*len = n;
	return b;
}

static void bench_parsing(void)
{
	size_t len;
	char *answer = make_answer(&len);
	const int rounds = 2000;
	unsigned long lines = 0, resp_lines = 0, urcs = 0;

	if (!answer)
		return;
	struct at_syntax *s = malloc(sizeof(*s));
	at_syntax_init(s);
	double t0 = now_s();
	for (int r = 0; r < rounds; r++)
		at_syntax_feed(s, answer, len, count_line, &lines);
	double t1 = now_s();
	printf("tokenizer: %lu lines, %.1f MB in %.3f s: %.0f lines/s, %.1f MB/s\n", lines,
	       (double)len * rounds / 1e6, t1 - t0, (double)lines / (t1 - t0),
	       (double)len * rounds / 1e6 / (t1 - t0));
	free(s);

	struct at_chat *c = at_chat_new(sink, NULL, 10000);
	at_chat_add_urc_handler(c, "+CMTI:", false, urc, &urcs);
	t0 = now_s();
	for (int r = 0; r < rounds; r++) {
		at_chat_send(c, "AT+CMGL=4", NULL, 0, done, &resp_lines, 0);
		at_chat_feed(c, answer, len, 0);
	}
	t1 = now_s();
	unsigned long total = at_chat_get_line_count(c);
	printf("chat: %lu lines (%lu response lines, %lu URCs) in %.3f s: %.0f lines/s, "
	       "%.0f commands/s\n",
	       total, resp_lines, urcs, t1 - t0, (double)total / (t1 - t0), rounds / (t1 - t0));
	at_chat_free(c);
	free(answer);
}

static void bench_sim(void)
{
	static const char *const script[] = {
	    "AT",	 "ATE0",     "AT+CMEE=1", "AT+CGMI",  "AT+CGMM",   "AT+CGMR",
	    "AT+CGSN",	 "AT+CIMI",  "AT+CPIN?",  "AT+CSQ",   "AT+CREG?",  "AT+COPS?",
	    "AT+CMGF=0", "AT+CPMS?", "AT+CSCA?",  "AT+CNMI?", "AT+CMGL=4",
	};
	const char *device = "sim:?baud=115200&latency=20";
	struct smsctl_modem *m = NULL;
	int ok = 0, failed = 0;

	if (smsctl_modem_new(device, NULL, &m) < 0)
		return;
	int rc = smsctl_modem_open(m);
	if (rc < 0) {
		printf("sim: %s not available in this build (%s): parsing figures only\n", device,
		       smsctl_modem_get_error_detail(m));
		smsctl_modem_free(m);
		return;
	}
	double t0 = now_s();
	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		if (smsctl_modem_command(m, script[i], 0, NULL) == 0)
			ok++;
		else
			failed++;
	}
	double t1 = now_s();
	unsigned long trips = smsctl_modem_get_command_count(m);
	printf("sim: %s: %lu round trips (%d OK, %d errors) in %.3f s, %.1f ms per round trip\n",
	       device, trips, ok, failed, t1 - t0,
	       trips ? (t1 - t0) * 1000.0 / (double)trips : 0.0);
	smsctl_modem_free(m);
}

int main(void)
{
	bench_parsing();
	bench_sim();
	return 0;
}
