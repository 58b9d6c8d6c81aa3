/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The receiver: new-message indications (TS 27.005 3.4.1 +CNMI, +CMTI, +CMT, +CNMA), what
 * waits in storage at start, reassembly of concatenated messages, and the hand-over rule:
 * stored parts are deleted only after the program's callback accepted the message.
 *
 * Every stored part the receiver has seen in this run is a "part" record (memory, index, the
 * PDU's hex, a state). The record is what keeps a refused message from being handed over
 * twice in one run while it stays stored for the next, and what keeps an index the modem
 * reuses after a delete from being mistaken for the old message. URC handlers only queue
 * events; the work (reading, handing over, deleting) runs in smsctl_receiver_process(),
 * outside the engine's callbacks.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/error.h>
#include <smsctl/modem.h>
#include <smsctl/pdu.h>
#include <smsctl/sms.h>

#include "parse/parse.h"
#include "query/query.h"
#include "sms/recv.h"
#include "sms/store.h"

static long now_ms(void)
{
	return (long)query_now_ms();
}

static long now_s(void)
{
	return now_ms() / 1000;
}

/* ---- received message accessors ---- */

static struct part *part_by_id(struct smsctl_receiver *rx, long id)
{
	for (size_t i = 0; i < rx->n_parts; i++)
		if (rx->parts[i].id == id)
			return &rx->parts[i];
	return NULL;
}

SMSCTL_API const struct smsctl_message *
smsctl_received_get_message(const struct smsctl_received *msg)
{
	return msg ? msg->msg : NULL;
}

SMSCTL_API bool smsctl_received_is_complete(const struct smsctl_received *msg)
{
	return msg && msg->complete;
}

SMSCTL_API size_t smsctl_received_get_part_count(const struct smsctl_received *msg)
{
	return msg ? smsctl_message_get_part_count(msg->msg) : 0;
}

static const struct part *received_part(const struct smsctl_received *msg, size_t i)
{
	long id;

	if (!msg || smsctl_message_get_part_tag(msg->msg, i, &id) < 0)
		return NULL;
	return part_by_id(msg->rx, id);
}

SMSCTL_API const char *smsctl_received_get_part_storage(const struct smsctl_received *msg, size_t i)
{
	const struct part *p = received_part(msg, i);

	return p && p->mem[0] ? p->mem : NULL;
}

SMSCTL_API int smsctl_received_get_part_index(const struct smsctl_received *msg, size_t i)
{
	const struct part *p = received_part(msg, i);

	return p && p->mem[0] ? p->index : -1;
}

/* ---- part records ---- */

static void part_drop(struct smsctl_receiver *rx, size_t i)
{
	free(rx->parts[i].hex);
	rx->parts[i] = rx->parts[--rx->n_parts];
}

static struct part *part_add(struct smsctl_receiver *rx, const char *mem, int index,
			     const char *hex)
{
	struct part *p;

	if (rx->n_parts == rx->cap_parts) {
		size_t cap = rx->cap_parts ? rx->cap_parts * 2 : 16;
		struct part *v = realloc(rx->parts, cap * sizeof(*v));

		if (!v)
			return NULL;
		rx->parts = v;
		rx->cap_parts = cap;
	}
	p = &rx->parts[rx->n_parts];
	memset(p, 0, sizeof(*p));
	p->hex = strdup(hex);
	if (!p->hex)
		return NULL;
	rx->n_parts++;
	p->id = rx->next_id++;
	snprintf(p->mem, sizeof(p->mem), "%s", mem ? mem : "");
	p->index = mem ? index : -1;
	p->seen = now_s();
	p->dup_of = -1;
	return p;
}

/* ---- modem helpers ---- */

static int note(struct smsctl_receiver *rx, int r)
{
	if (r == SMSCTL_ERR_GONE)
		rx->err = r;
	return r;
}

/* Delete a stored part (switching memory as needed). */
static int delete_part(struct smsctl_receiver *rx, const struct part *p)
{
	int r = sms_memsel_use(rx->m, &rx->sel, p->mem);

	if (r == 0)
		r = sms_delete_current(rx->m, p->index);
	if (r == SMSCTL_ERR_NOT_FOUND)
		r = 0; /* already gone */
	return note(rx, r);
}

static int ack_cmt(struct smsctl_receiver *rx, bool positive)
{
	return note(rx, sms_command(rx->m, positive ? "AT+CNMA" : "AT+CNMA=2", NULL));
}

/* Store a refused +CMT part with AT+CMGW (as received and unread) and remember where, so
 * it is not handed again in this run and is handed in the next. */
static int save_part(struct smsctl_receiver *rx, struct part *p)
{
	struct smsctl_response *resp = NULL;
	char cmd[48], mem[SMS_MEM_MAX];
	size_t hexlen = strlen(p->hex);
	unsigned smsc_len;
	long id = p->id;
	int r, index = -1;

	if (hexlen < 4 || hexlen % 2 || sscanf(p->hex, "%2x", &smsc_len) != 1 ||
	    hexlen / 2 <= 1 + smsc_len)
		return SMSCTL_ERR_BAD_PDU;
	r = note(rx, sms_query_mem(rx->m, 1, mem, sizeof(mem))); /* where AT+CMGW stores */
	if (r < 0)
		return r;
	snprintf(cmd, sizeof(cmd), "AT+CMGW=%zu,0", hexlen / 2 - 1 - smsc_len);
	r = note(rx, smsctl_modem_command_pdu(rx->m, cmd, p->hex, 0, &resp));
	if (r == 0)
		for (size_t i = 0; i < smsctl_response_get_line_count(resp) && index < 0; i++)
			if (sscanf(smsctl_response_get_line(resp, i), "+CMGW: %d", &index) != 1)
				index = -1;
	smsctl_response_free(resp);
	if (r < 0)
		return r;
	p = part_by_id(rx, id);
	if (p && index >= 0) {
		snprintf(p->mem, sizeof(p->mem), "%s", mem);
		p->index = index;
	}
	return 0;
}

/* ---- hand-over ---- */

/* Call the program with msg (taken over) and apply its answer. */
static bool fatal(int r);

static int hand_over(struct smsctl_receiver *rx, struct smsctl_message *msg, bool complete)
{
	struct smsctl_received rcv = {.rx = rx, .msg = msg, .complete = complete};
	size_t n = smsctl_message_get_part_count(msg);
	int verdict, r = 0;

	verdict = rx->fn(rx->userdata, &rcv);
	if (verdict == 0) {
		rx->accepted++;
		rx->handed_now++;
	} else {
		rx->refused++;
	}
	for (size_t i = 0; i < n; i++) {
		long id = 0;
		struct part *p =
		    smsctl_message_get_part_tag(msg, i, &id) == 0 ? part_by_id(rx, id) : NULL;

		if (!p)
			continue;
		if (p->needs_ack) {
			/* A single +CMT message: the acknowledgement carries the verdict (a
			 * negative one makes the network deliver it again later). */
			p->needs_ack = false;
			if (!rx->err) {
				int a = ack_cmt(rx, verdict == 0);
				if (a < 0 && r == 0)
					r = a;
				if (a == 0 && verdict != 0) {
					part_drop(rx, (size_t)(p - rx->parts));
					continue;
				}
			}
		}
		if (verdict != 0) {
			p->state = PART_REFUSED;
			/* A +CMT part acknowledged already exists only here: store it on
			 * the modem, where the next run finds it. */
			if (!p->mem[0] && !rx->err) {
				int w = save_part(rx, p);
				if (w < 0 && r == 0)
					r = w;
			}
			continue;
		}
		if (!p->mem[0] || p->state == PART_STALE) {
			/* Not stored, or its index holds another message now: nothing to
			 * delete. */
			part_drop(rx, (size_t)(p - rx->parts));
			continue;
		}
		int d = rx->err ? rx->err : delete_part(rx, p);
		if (d < 0) {
			p->state = PART_KEPT;
			if (r == 0)
				r = d;
			continue;
		}
		/* Repeats of this part go with it. */
		for (size_t k = 0; k < rx->n_parts; k++) {
			struct part *q = &rx->parts[k];

			if (q->state == PART_DUP && q->dup_of == id && !rx->err &&
			    delete_part(rx, q) == 0)
				q->state = PART_STALE;
		}
		p = part_by_id(rx, id);
		if (p)
			part_drop(rx, (size_t)(p - rx->parts));
	}
	/* Records of dups whose delete succeeded are no longer needed. */
	for (size_t k = 0; k < rx->n_parts;) {
		if (rx->parts[k].state == PART_STALE && rx->parts[k].dup_of >= 0)
			part_drop(rx, k);
		else
			k++;
	}
	smsctl_message_free(msg);
	return r;
}

static int hand_expired(struct smsctl_receiver *rx, bool all)
{
	struct smsctl_message *msg;
	int r = 0;

	for (;;) {
		if (all)
			msg = smsctl_reassembler_take_expired(rx->ra, LONG_MAX / 2, 0);
		else
			msg = smsctl_reassembler_take_expired(rx->ra, now_s(), (long)rx->max_age);
		if (!msg)
			break;
		int k = hand_over(rx, msg, smsctl_message_is_complete(msg));
		if (k < 0 && r == 0)
			r = k;
		if (rx->err)
			break;
	}
	return r;
}

/* A PDU read from memory mem at index (mem NULL: from a +CMT). */
static int take_pdu(struct smsctl_receiver *rx, const char *mem, int index, int stat,
		    const char *hex)
{
	struct smsctl_message *msg = NULL;
	struct smsctl_pdu *pdu = NULL;
	struct part *p;
	int r;

	if (mem) {
		/* Seen already in this run? */
		for (size_t i = 0; i < rx->n_parts; i++) {
			struct part *q = &rx->parts[i];

			if (q->state == PART_STALE || !q->mem[0])
				continue;
			if (strcmp(q->mem, mem) == 0 && q->index == index) {
				if (strcmp(q->hex, hex) == 0)
					return 0;
				/* The index holds another message now. */
				q->state = PART_STALE;
				continue;
			}
			/* The same message seen through another memory name (MT). */
			if (strcmp(q->mem, mem) != 0 && strcmp(q->hex, hex) == 0)
				return 0;
		}
	}
	p = part_add(rx, mem, index, hex);
	if (!p)
		return SMSCTL_ERR_NOMEM;
	p->state = PART_SKIPPED;
	/* Only received messages: stored submits and status reports are left alone. */
	if (mem && stat != 0 && stat != 1)
		return 0;
	r = smsctl_pdu_decode_hex(hex, true, &pdu, NULL);
	if (r == SMSCTL_ERR_NOMEM)
		return r;
	if (r < 0 || smsctl_pdu_get_type(pdu) != SMSCTL_PDU_DELIVER) {
		smsctl_pdu_free(pdu);
		if (!mem && rx->need_cnma)
			return ack_cmt(rx, true); /* nothing we can do with it */
		return 0;
	}
	long id = p->id;
	p->state = PART_PENDING;
	p->needs_ack = !mem && rx->need_cnma;
	r = smsctl_reassembler_add(rx->ra, pdu, id, now_s(), &msg);
	p = part_by_id(rx, id);
	if (r == SMSCTL_ERR_INVALID) {
		/* A part we hold already: link it when it is the same PDU so it is deleted
		 * with the original. */
		p->state = PART_DUP;
		for (size_t i = 0; i < rx->n_parts; i++)
			if (rx->parts[i].id != id && rx->parts[i].state == PART_PENDING &&
			    strcmp(rx->parts[i].hex, hex) == 0)
				p->dup_of = rx->parts[i].id;
		if (p->needs_ack) {
			p->needs_ack = false;
			return ack_cmt(rx, true);
		}
		return 0;
	}
	if (r < 0) {
		p->state = PART_SKIPPED;
		p->needs_ack = false;
		return r == SMSCTL_ERR_NOMEM ? r : 0;
	}
	if (msg)
		return hand_over(rx, msg, smsctl_message_is_complete(msg));
	/* A +CMT part waiting for others: acknowledged only once it is kept where a kill
	 * cannot lose it, stored on the modem as received and unread (AT+CMGW), so the next
	 * run finds it. When it cannot be stored it is not acknowledged: the network
	 * delivers it again (a repeat is merged with the copy held here). */
	if (p->needs_ack) {
		r = save_part(rx, p);
		p = part_by_id(rx, id);
		if (r < 0 || !p || !p->mem[0])
			return r < 0 && fatal(r) ? r : 0;
		p->needs_ack = false;
		return ack_cmt(rx, true);
	}
	return 0;
}

static int scan_mem(struct smsctl_receiver *rx, const char *mem)
{
	struct smsctl_stored **v = NULL;
	size_t n = 0, cap = 0;
	int r = sms_memsel_use(rx->m, &rx->sel, mem);

	if (r == 0)
		r = sms_list_current(rx->m, mem, SMSCTL_SMS_ALL, &v, &n, &cap);
	for (size_t i = 0; i < n; i++) {
		if (r == 0 && !rx->err)
			r = take_pdu(rx, mem, v[i]->index, (int)v[i]->status - 1, v[i]->hex);
		smsctl_stored_free(v[i]);
	}
	free(v);
	return note(rx, r);
}

static int scan_all(struct smsctl_receiver *rx)
{
	char mems[SMS_MEMS_MAX][SMS_MEM_MAX];
	int n, r = 0;

	if (rx->mem_filter[0]) {
		memcpy(mems[0], rx->mem_filter, SMS_MEM_MAX);
		n = 1;
	} else {
		n = sms_storages(rx->m, mems, SMS_MEMS_MAX);
		if (n < 0)
			return note(rx, n);
	}
	for (int i = 0; i < n && r == 0; i++) {
		r = scan_mem(rx, mems[i]);
		/* A memory the modem lists but cannot select: go on with the others. */
		if (r == SMSCTL_ERR_UNSUPPORTED && !rx->mem_filter[0])
			r = 0;
	}
	rx->last_scan_ms = now_ms();
	return r;
}

static int read_one(struct smsctl_receiver *rx, const char *mem, int index)
{
	struct smsctl_stored *s = NULL;
	int r;

	if (rx->mem_filter[0] && strcmp(rx->mem_filter, mem) != 0)
		return 0;
	r = sms_memsel_use(rx->m, &rx->sel, mem);
	/* A garbled answer (line noise): ask again, a few times. */
	if (r == 0) {
		r = SMSCTL_ERR_PROTOCOL;
		for (int attempt = 0; attempt < 3 && r == SMSCTL_ERR_PROTOCOL; attempt++)
			r = sms_read_current(rx->m, mem, index, &s);
	}
	if (r == SMSCTL_ERR_NOT_FOUND)
		return 0; /* deleted meanwhile, or a stale indication */
	if (r == 0)
		r = take_pdu(rx, mem, index, (int)s->status - 1, s->hex);
	smsctl_stored_free(s);
	return note(rx, r);
}

/* ---- URC handlers: queue only ---- */

static void queue_event(struct smsctl_receiver *rx, enum event_kind kind, const char *mem,
			int index, const char *hex)
{
	struct event *e;

	/* A notice for a stored message already queued, or already read and still stored
	 * (its record is dropped once it is deleted, so a reused index is read again), is
	 * merged: a flood of repeated notices costs no more than one. */
	if (kind == EV_CMTI) {
		for (size_t i = 0; i < rx->n_queue; i++)
			if (rx->queue[i].kind == EV_CMTI && rx->queue[i].index == index &&
			    strcmp(rx->queue[i].mem, mem) == 0)
				return;
		for (size_t i = 0; i < rx->n_parts; i++)
			if (rx->parts[i].state != PART_STALE && rx->parts[i].index == index &&
			    strcmp(rx->parts[i].mem, mem) == 0)
				return;
	}
	if (rx->n_queue == QUEUE_MAX) {
		rx->rescan = true; /* stored ones are found by the scan; a +CMT is lost */
		return;
	}
	e = &rx->queue[rx->n_queue];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	if (mem)
		snprintf(e->mem, sizeof(e->mem), "%s", mem);
	e->index = index;
	if (hex) {
		e->hex = strdup(hex);
		if (!e->hex) {
			rx->rescan = true;
			return;
		}
	}
	rx->n_queue++;
}

static void on_cmti(void *userdata, const char *line, const char *pdu)
{
	struct smsctl_receiver *rx = userdata;
	struct at_cmti c;

	/* Without indications the receiver reads what was stored when it started and
	 * leaves: notices (from a +CNMI someone else set) are not its business. */
	if (!rx->indications)
		return;
	if (parse_cmti(line, &c) < 0 || c.status_report || c.index < 0) {
		rx->rescan = true; /* something arrived: find it */
		return;
	}
	if (!sms_mem_valid(c.mem)) {
		rx->rescan = true; /* "+CMTI: 0,3" (chan_dongle): the memory is unnamed */
		return;
	}
	queue_event(rx, EV_CMTI, c.mem, c.index, NULL);
}

static void on_cmt(void *userdata, const char *line, const char *pdu)
{
	struct smsctl_receiver *rx = userdata;
	struct at_cmt *c = malloc(sizeof(*c));

	if (!c)
		return;
	if (parse_cmt(line, pdu, c) == 0 && !c->status_report && c->pdu[0])
		queue_event(rx, EV_CMT, NULL, -1, c->pdu);
	free(c);
}

/* ---- life cycle ---- */

SMSCTL_API int smsctl_receiver_new(struct smsctl_modem *m, smsctl_receive_fn fn, void *userdata,
				   struct smsctl_receiver **out)
{
	struct smsctl_receiver *rx;

	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (!m || !fn)
		return SMSCTL_ERR_INVALID;
	rx = calloc(1, sizeof(*rx));
	if (!rx)
		return SMSCTL_ERR_NOMEM;
	rx->ra = smsctl_reassembler_new();
	if (!rx->ra) {
		free(rx);
		return SMSCTL_ERR_NOMEM;
	}
	rx->m = m;
	rx->fn = fn;
	rx->userdata = userdata;
	rx->mode = SMSCTL_RECEIVE_STORED;
	rx->max_age = DEFAULT_MAX_AGE;
	rx->indications = true;
	rx->scan_ms = DEFAULT_SCAN_S * 1000L;
	rx->urc_ids[0] = rx->urc_ids[1] = -1;
	*out = rx;
	return 0;
}

SMSCTL_API void smsctl_receiver_free(struct smsctl_receiver *rx)
{
	if (!rx)
		return;
	for (int i = 0; i < 2; i++)
		if (rx->urc_ids[i] > 0)
			smsctl_modem_remove_urc_handler(rx->m, rx->urc_ids[i]);
	for (size_t i = 0; i < rx->n_queue; i++)
		free(rx->queue[i].hex);
	for (size_t i = 0; i < rx->n_parts; i++)
		free(rx->parts[i].hex);
	free(rx->parts);
	smsctl_reassembler_free(rx->ra);
	free(rx);
}

/* AT+CSMS? : service 1 (phase 2+) means +CMT must be acknowledged with +CNMA. */
static int query_csms(struct smsctl_receiver *rx)
{
	struct smsctl_response *resp = NULL;
	struct at_csms c;
	int r = sms_command(rx->m, "AT+CSMS?", &resp);

	if (r == 0) {
		for (size_t i = 0; i < smsctl_response_get_line_count(resp); i++) {
			const char *line = smsctl_response_get_line(resp, i);

			if (parse_has_prefix(line, "+CSMS:") && parse_csms(line, &c) == 0)
				rx->need_cnma = c.service == 1;
		}
	}
	smsctl_response_free(resp);
	if (r == SMSCTL_ERR_GONE || r == SMSCTL_ERR_TIMEOUT)
		return r;
	return 0; /* a modem without +CSMS: no acknowledgements */
}

/* Set +CNMI to deliver what mode wants, keeping the broadcast and status-report fields the
 * modem (or another part of the program) set. Sends nothing when it is right already. */
static int configure_cnmi(struct smsctl_receiver *rx)
{
	struct smsctl_response *resp = NULL;
	struct at_cnmi cur = {.mode = PARSE_NONE};
	int mt = rx->mode == SMSCTL_RECEIVE_DIRECT ? 2 : 1;
	int bm = 0, ds = 0;
	char cmd[64];
	int r = sms_command(rx->m, "AT+CNMI?", &resp);

	if (r == SMSCTL_ERR_GONE || r == SMSCTL_ERR_TIMEOUT) {
		smsctl_response_free(resp);
		return r;
	}
	if (r == 0)
		for (size_t i = 0; i < smsctl_response_get_line_count(resp); i++) {
			const char *line = smsctl_response_get_line(resp, i);

			if (parse_has_prefix(line, "+CNMI:") && parse_cnmi(line, &cur) == 0)
				break;
			cur.mode = PARSE_NONE;
		}
	smsctl_response_free(resp);
	if (cur.mode != PARSE_NONE) {
		if ((cur.mode == 1 || cur.mode == 2) && cur.mt == mt)
			return 0;
		bm = cur.bm > 0 ? cur.bm : 0;
		ds = cur.ds > 0 ? cur.ds : 0;
	}
	/* Mode 2 buffers indications while the line is busy; some modems know only 1. */
	for (int i = 0; i < 4; i++) {
		if (i == 0 || i == 1)
			snprintf(cmd, sizeof(cmd), "AT+CNMI=%d,%d,%d,%d,0", 2 - i, mt, bm, ds);
		else if (i == 2)
			snprintf(cmd, sizeof(cmd), "AT+CNMI=2,%d,0,0,0", mt);
		else
			snprintf(cmd, sizeof(cmd), "AT+CNMI=2,%d", mt);
		r = sms_command(rx->m, cmd, NULL);
		if (r == 0 || r == SMSCTL_ERR_GONE || r == SMSCTL_ERR_TIMEOUT)
			return r;
	}
	return SMSCTL_ERR_UNSUPPORTED;
}

static int finish_call(struct smsctl_receiver *rx, int r)
{
	int rr = 0;

	if (!rx->err && r != SMSCTL_ERR_TIMEOUT)
		rr = note(rx, sms_memsel_restore(rx->m, &rx->sel));
	if (r == 0)
		r = rr;
	if (rx->err)
		r = rx->err;
	return r < 0 ? r : rx->handed_now;
}

/* Errors that end a call: the modem is gone or hangs, the SIM went away, no memory, a
 * listing longer than the limit (handing over part of it would hide the rest). Others
 * (an error answer, a garbled line) concern one message, which stays stored. */
static bool fatal(int r)
{
	return query_link_lost(r) || r == SMSCTL_ERR_SIM || r == SMSCTL_ERR_TOO_LONG;
}

/* Handle queued events, rescans and expiries until nothing is left. */
static int drain(struct smsctl_receiver *rx)
{
	/* Only what was queued when the call began: events that arrive meanwhile wait for
	 * the next call, so a modem that never stops talking cannot keep one call going. */
	size_t budget = rx->n_queue;
	bool rescanned = false;
	int r = 0;

	while (!rx->err) {
		if (rx->rescan && !rescanned) {
			rx->rescan = false;
			rescanned = true;
			r = scan_all(rx);
			if (r < 0 && !fatal(r)) {
				rx->retry_at = now_ms() + POLL_MS;
				r = 0;
			}
			if (r < 0)
				break;
			continue;
		}
		if (rx->n_queue == 0 || budget == 0)
			break;
		budget--;
		struct event e = rx->queue[0];

		memmove(rx->queue, rx->queue + 1, (rx->n_queue - 1) * sizeof(rx->queue[0]));
		rx->n_queue--;
		if (e.kind == EV_CMTI)
			r = read_one(rx, e.mem, e.index);
		else
			r = take_pdu(rx, NULL, -1, 0, e.hex);
		free(e.hex);
		if (r < 0 && !fatal(r)) {
			/* A modem error or a garbled answer for one message: it stays
			 * stored; scan again a little later instead of giving up. */
			rx->retry_at = now_ms() + POLL_MS;
			r = 0;
		}
		if (r < 0)
			break;
	}
	if (r == 0 && !rx->err)
		r = hand_expired(rx, rx->max_age == 0);
	return r;
}

SMSCTL_API int smsctl_receiver_start(struct smsctl_receiver *rx)
{
	int r;

	if (!rx)
		return SMSCTL_ERR_INVALID;
	if (rx->started)
		return SMSCTL_ERR_STATE;
	if (rx->err)
		return rx->err;
	rx->handed_now = 0;
	rx->urc_ids[0] = smsctl_modem_add_urc_handler(rx->m, "+CMTI:", false, on_cmti, rx);
	if (rx->urc_ids[0] < 0)
		return rx->urc_ids[0];
	rx->urc_ids[1] = smsctl_modem_add_urc_handler(rx->m, "+CMT:", true, on_cmt, rx);
	if (rx->urc_ids[1] < 0)
		return rx->urc_ids[1];
	rx->started = true;
	if (rx->indications) {
		if (rx->mode == SMSCTL_RECEIVE_DIRECT) {
			r = query_csms(rx);
			if (r < 0)
				return finish_call(rx, note(rx, r));
		}
		r = configure_cnmi(rx);
		if (r == SMSCTL_ERR_UNSUPPORTED || r == SMSCTL_ERR_MODEM)
			rx->polling = true; /* scan now and then instead */
		else if (r < 0)
			return finish_call(rx, note(rx, r));
	}
	r = scan_all(rx);
	if (r == 0)
		r = drain(rx);
	return finish_call(rx, r);
}

/* How often to scan every memory: often when indications failed, else the safety interval;
 * never when the program did not ask for indications (it reads once and leaves). */
static long scan_every(const struct smsctl_receiver *rx)
{
	if (!rx->indications)
		return 0;
	if (rx->polling)
		return rx->scan_ms && rx->scan_ms < POLL_MS ? rx->scan_ms : POLL_MS;
	return rx->scan_ms;
}

/* Handle what the URC handlers queued (the modem's input was read by the caller). */
static int handle(struct smsctl_receiver *rx)
{
	rx->handed_now = 0;
	if (rx->started && scan_every(rx) > 0 && now_ms() - rx->last_scan_ms >= scan_every(rx)) {
		rx->rescan = true;
		/* Indications the modem dropped (27.005 lets it after an unacknowledged +CMT;
		 * a reboot does too) are set again. */
		if (!rx->polling) {
			int r = configure_cnmi(rx);

			if (r < 0 && fatal(r))
				return finish_call(rx, note(rx, r));
		}
	}
	if (rx->retry_at && now_ms() >= rx->retry_at) {
		rx->retry_at = 0;
		rx->rescan = true;
	}
	return finish_call(rx, drain(rx));
}

SMSCTL_API int smsctl_receiver_process(struct smsctl_receiver *rx)
{
	int r;

	if (!rx)
		return SMSCTL_ERR_INVALID;
	if (!rx->started)
		return SMSCTL_ERR_STATE;
	if (rx->err)
		return rx->err;
	r = smsctl_modem_process(rx->m);
	if (r < 0)
		return note(rx, r);
	return handle(rx);
}

SMSCTL_API int smsctl_receiver_get_timeout(const struct smsctl_receiver *rx)
{
	long t, best = -1;

	if (!rx)
		return -1;
	if (rx->n_queue || rx->rescan)
		return 0;
	t = smsctl_modem_get_timeout(rx->m);
	if (t >= 0)
		best = t;
	if (rx->retry_at) {
		t = rx->retry_at - now_ms();
		if (t < 0)
			t = 0;
		if (best < 0 || t < best)
			best = t;
	}
	if (scan_every(rx) > 0) {
		t = rx->last_scan_ms + scan_every(rx) - now_ms();
		if (t < 0)
			t = 0;
		if (best < 0 || t < best)
			best = t;
	}
	long oldest = -1;
	for (size_t i = 0; i < rx->n_parts; i++)
		if (rx->parts[i].state == PART_PENDING &&
		    (oldest < 0 || rx->parts[i].seen < oldest))
			oldest = rx->parts[i].seen;
	if (oldest >= 0) {
		/* One second of margin: the reassembler counts whole seconds. */
		t = (oldest + (long)rx->max_age + 1) * 1000 - now_ms();
		if (t < 0)
			t = 0;
		if (best < 0 || t < best)
			best = t;
	}
	return best > INT_MAX ? INT_MAX : (int)best;
}

SMSCTL_API int smsctl_receiver_run(struct smsctl_receiver *rx, int timeout_ms)
{
	long deadline, left;
	unsigned long before;
	int r;

	if (!rx)
		return SMSCTL_ERR_INVALID;
	if (!rx->started)
		return SMSCTL_ERR_STATE;
	if (rx->err)
		return rx->err;
	before = rx->accepted;
	deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		/* smsctl_modem_wait() below has read the input already. */
		r = handle(rx);
		if (r < 0)
			return r;
		left = deadline < 0 ? -1 : deadline - now_ms();
		if (deadline >= 0 && left <= 0)
			break;
		int t = smsctl_receiver_get_timeout(rx);

		if (left >= 0 && (t < 0 || t > left))
			t = (int)left;
		r = smsctl_modem_wait(rx->m, t);
		if (r < 0 && r != SMSCTL_ERR_TIMEOUT) {
			note(rx, r);
			/* What the URCs announced before the end is still stored. */
			return r;
		}
	}
	return (int)(rx->accepted - before > INT_MAX ? INT_MAX : rx->accepted - before);
}

SMSCTL_API int smsctl_receiver_flush(struct smsctl_receiver *rx)
{
	int r;

	if (!rx)
		return SMSCTL_ERR_INVALID;
	if (rx->err)
		return rx->err;
	rx->handed_now = 0;
	r = hand_expired(rx, true);
	return finish_call(rx, r);
}

SMSCTL_API unsigned long smsctl_receiver_get_accepted(const struct smsctl_receiver *rx)
{
	return rx ? rx->accepted : 0;
}

SMSCTL_API unsigned long smsctl_receiver_get_refused(const struct smsctl_receiver *rx)
{
	return rx ? rx->refused : 0;
}

SMSCTL_API size_t smsctl_receiver_get_pending(const struct smsctl_receiver *rx)
{
	return rx ? smsctl_reassembler_get_pending(rx->ra) : 0;
}
