/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated modem's output and timing: a queue of byte chunks, each with the time it may
 * leave (per-command latency, network delay and the serial line's speed: ten bits a byte),
 * the timers (status reports, timed arrivals, status noise), and how answers are formatted
 * (verbose or numeric results, +CME/+CMS ERROR texts, line noise, URC storms). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core-internal.h"

uint64_t sim_rng_next(struct sim_core *c)
{
	/* xorshift64* */
	uint64_t x = c->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

void sim_sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sim_sb_puts(struct sbuf *b, const char *s)
{
	sim_sb_add(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) void sim_sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	sim_sb_add(b, tmp, (size_t)n);
}

static uint64_t byte_time(const struct sim_core *c)
{
	/* 8N1: ten bits a byte */
	return c->baud ? 10000000ull / c->baud : 0;
}

void sim_queue_bytes(struct sim_core *c, uint64_t at, const void *data, size_t len)
{
	if (len == 0 || c->closed_at != UINT64_MAX)
		return;
	struct chunk *ch = malloc(sizeof(*ch) + len);
	if (!ch)
		return;
	uint64_t start = at > c->line_free_at ? at : c->line_free_at;
	uint64_t end = start + byte_time(c) * len;
	ch->next = NULL;
	ch->at = end;
	ch->len = len;
	ch->off = 0;
	memcpy(ch->data, data, len);
	c->line_free_at = end;
	if (c->out_tail)
		c->out_tail->next = ch;
	else
		c->out_head = ch;
	c->out_tail = ch;
}

void sim_queue_str(struct sim_core *c, uint64_t at, const char *s)
{
	sim_queue_bytes(c, at, s, strlen(s));
}

void sim_drop_output(struct sim_core *c)
{
	while (c->out_head) {
		struct chunk *n = c->out_head->next;
		free(c->out_head);
		c->out_head = n;
	}
	c->out_tail = NULL;
}

void sim_add_timer(struct sim_core *c, uint64_t at, char *report_hex, bool deliver)
{
	struct timer *t = calloc(1, sizeof(*t));
	if (!t) {
		free(report_hex);
		return;
	}
	t->at = at;
	t->report_hex = report_hex;
	t->deliver = deliver;
	struct timer **pp = &c->timers;
	while (*pp && (*pp)->at <= at)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

void sim_add_urc_timer(struct sim_core *c, uint64_t at, char *line)
{
	struct timer *t = calloc(1, sizeof(*t));
	if (!t) {
		free(line);
		return;
	}
	t->at = at;
	t->report_hex = line;
	t->urc = true;
	struct timer **pp = &c->timers;
	while (*pp && (*pp)->at <= at)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

/* Line noise: a few bytes that are neither text nor line ends, as a wrong baud rate or a
 * noisy line produces. */
void sim_add_noise(struct sim_core *c, struct sbuf *o)
{
	if (!c->fault[F_GARBAGE] || c->garbage_pct == 0)
		return;
	if (sim_rng_next(c) % 100 >= c->garbage_pct)
		return;
	unsigned n = 1 + (unsigned)(sim_rng_next(c) % 8);
	for (unsigned i = 0; i < n; i++) {
		uint64_t r = sim_rng_next(c);
		char b = (r & 7) == 0 ? '\0' : (char)(0x80 | (r >> 8 & 0x7f));
		sim_sb_add(o, &b, 1);
	}
}

static void add_storm(struct sim_core *c, struct sbuf *o)
{
	if (!c->fault[F_URC_STORM])
		return;
	const char *const *u = c->p->status_urcs;
	size_t n = 0;
	while (n < 3 && u[n])
		n++;
	if (n == 0)
		return;
	sim_sb_printf(o, "\r\n%s\r\n", u[c->storm_next++ % n]);
}

/* An information line of a response. */
void sim_out_line(struct sim_core *c, struct sbuf *o, const char *text)
{
	add_storm(c, o);
	sim_add_noise(c, o);
	if (c->verbose)
		sim_sb_printf(o, "\r\n%s\r\n", text);
	else
		sim_sb_printf(o, "%s\r\n", text);
}

__attribute__((format(printf, 3, 4))) void sim_out_linef(struct sim_core *c, struct sbuf *o,
							 const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sim_out_line(c, o, tmp);
}

static const struct {
	int code;
	const char *text;
} cme_texts[] =
    {
	/* TS 27.007 9.2 */
	{3, "operation not allowed"},
	{4, "operation not supported"},
	{10, "SIM not inserted"},
	{11, "SIM PIN required"},
	{12, "SIM PUK required"},
	{13, "SIM failure"},
	{14, "SIM busy"},
	{15, "SIM wrong"},
	{16, "incorrect password"},
	{21, "invalid index"},
	{30, "no network service"},
	{50, "Incorrect parameters"},
	{100, "unknown"},
	{262, "SIM blocked"},
},
  cms_texts[] = {
      /* TS 24.011 E.2 / TS 23.040 9.2.3.22 causes, TS 27.005 3.2.5 */
      {1, "Unassigned (unallocated) number"},
      {8, "Operator determined barring"},
      {10, "Call barred"},
      {21, "Short message transfer rejected"},
      {27, "Destination out of service"},
      {28, "Unidentified subscriber"},
      {29, "Facility rejected"},
      {30, "Unknown subscriber"},
      {38, "Network out of order"},
      {41, "Temporary failure"},
      {42, "Congestion"},
      {47, "Resources unavailable, unspecified"},
      {50, "Requested facility not subscribed"},
      {69, "Requested facility not implemented"},
      {96, "Invalid mandatory information"},
      {300, "ME failure"},
      {301, "SMS service of ME reserved"},
      {302, "operation not allowed"},
      {303, "operation not supported"},
      {304, "invalid PDU mode parameter"},
      {305, "invalid text mode parameter"},
      {310, "SIM not inserted"},
      {311, "SIM PIN required"},
      {313, "SIM failure"},
      {314, "SIM busy"},
      {316, "SIM PUK required"},
      {320, "memory failure"},
      {321, "invalid memory index"},
      {322, "memory full"},
      {330, "SMSC address unknown"},
      {331, "no network service"},
      {332, "network timeout"},
      {340, "no +CNMA acknowledgement expected"},
      {500, "unknown error"},
};

static const char *err_text(bool cms, int code)
{
	if (cms) {
		for (size_t i = 0; i < sizeof(cms_texts) / sizeof(cms_texts[0]); i++)
			if (cms_texts[i].code == code)
				return cms_texts[i].text;
	} else {
		for (size_t i = 0; i < sizeof(cme_texts) / sizeof(cme_texts[0]); i++)
			if (cme_texts[i].code == code)
				return cme_texts[i].text;
	}
	return "unknown error";
}

void sim_out_final(struct sim_core *c, struct sbuf *o, int r)
{
	char tmp[96];
	const char *text;
	int numeric;

	if (r == R_NONE)
		return;
	if (r == R_OK) {
		text = "OK";
		numeric = 0;
	} else if (r == R_NOTSUP && (c->p->flags & SIM_P_NOT_SUPPORT)) {
		text = "COMMAND NOT SUPPORT";
		numeric = 4;
	} else if ((R_IS_CME(r) || R_IS_CMS(r)) && c->cmee > 0) {
		const char *kind = R_IS_CMS(r) ? "+CMS ERROR" : "+CME ERROR";
		if (c->cmee == 2)
			snprintf(tmp, sizeof(tmp), "%s: %s", kind,
				 err_text(R_IS_CMS(r), R_CODE(r)));
		else
			snprintf(tmp, sizeof(tmp), "%s: %d", kind, R_CODE(r));
		text = tmp;
		numeric = -1;
	} else {
		text = "ERROR";
		numeric = 4;
	}
	add_storm(c, o);
	sim_add_noise(c, o);
	if (c->verbose || numeric < 0)
		sim_sb_printf(o, "\r\n%s\r\n", text);
	else
		sim_sb_printf(o, "%d\r", numeric);
}

void sim_queue_urc(struct sim_core *c, uint64_t at, const char *text)
{
	char tmp[600];
	snprintf(tmp, sizeof(tmp), "\r\n%s\r\n", text);
	sim_queue_str(c, at, tmp);
}

/* Delay before a command's answer starts: the command's own transfer time, the per-command
 * latency and the slow fault. */
uint64_t sim_answer_time(const struct sim_core *c, uint64_t now, size_t in_bytes)
{
	uint64_t t = now + byte_time(c) * in_bytes + c->latency_ms * US_PER_MS;
	if (c->fault[F_SLOW])
		t += c->slow_ms * US_PER_MS;
	return t;
}

void sim_core_tick(struct sim_core *c, uint64_t now)
{
	c->now = now;
	if (c->closed_at == UINT64_MAX && c->fault[F_UNPLUG] && c->unplug_at != UINT64_MAX &&
	    now >= c->unplug_at) {
		c->closed_at = c->unplug_at;
		sim_drop_output(c);
	}
	while (c->timers && c->timers->at <= now) {
		struct timer *t = c->timers;
		c->timers = t->next;
		if (t->urc) {
			if (c->closed_at == UINT64_MAX && !c->fault[F_HANG])
				sim_queue_urc(c, t->at, t->report_hex);
			free(t->report_hex);
		} else if (t->deliver) {
			sim_core_deliver_pdu(c, t->report_hex, t->at); /* lost when unregistered */
			free(t->report_hex);
		} else if (t->report_hex && c->closed_at == UINT64_MAX) {
			sim_announce_report(c, t->report_hex, t->at);
		} else if (!t->report_hex && c->status_ms) {
			/* Periodic status noise (^RSSI, +QIND ...), never inside a PDU entry. */
			const char *const *u = c->p->status_urcs;
			if (u[0] && !c->in_pdu && !c->fault[F_HANG] && c->closed_at == UINT64_MAX)
				sim_queue_urc(c, t->at,
					      u[c->status_next++ % (u[1] ? (u[2] ? 3 : 2) : 1)]);
			uint64_t next = t->at + c->status_ms * US_PER_MS;
			sim_add_timer(c, next > now ? next : now + c->status_ms * US_PER_MS, NULL,
				      false);
		} else {
			free(t->report_hex);
		}
		free(t);
	}
}

size_t sim_core_peek(struct sim_core *c, uint64_t now, const uint8_t **data)
{
	struct chunk *ch = c->out_head;
	*data = NULL;
	if (!ch || ch->at > now || c->closed_at != UINT64_MAX)
		return 0;
	*data = ch->data + ch->off;
	return ch->len - ch->off;
}

void sim_core_consume(struct sim_core *c, size_t n)
{
	while (n && c->out_head) {
		struct chunk *ch = c->out_head;
		size_t left = ch->len - ch->off;
		size_t k = n < left ? n : left;
		ch->off += k;
		n -= k;
		if (ch->off == ch->len) {
			c->out_head = ch->next;
			if (!c->out_head)
				c->out_tail = NULL;
			free(ch);
		}
	}
}

uint64_t sim_core_next_event(const struct sim_core *c)
{
	uint64_t t = UINT64_MAX;
	if (c->closed_at != UINT64_MAX)
		return t;
	if (c->out_head)
		t = c->out_head->at;
	if (c->timers && c->timers->at < t)
		t = c->timers->at;
	if (c->fault[F_UNPLUG] && c->unplug_at < t)
		t = c->unplug_at;
	return t;
}

bool sim_core_closed(const struct sim_core *c, uint64_t now)
{
	return c->closed_at != UINT64_MAX && c->closed_at <= now;
}
