/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reassembly of concatenated messages (TS 23.040 9.2.3.24.1): parts are grouped by type,
 * originator, reference (and its width) and total; never merged across those. */
#include <stdlib.h>
#include <string.h>

#include "pdu/internal.h"

struct slot {
	struct smsctl_pdu *pdu;
	long tag;
};

struct group {
	struct group *next;
	enum smsctl_pdu_type type;
	unsigned ref, total;
	bool ref16;
	long first_seen;
	size_t have;
	char number[48];
	struct slot slots[]; /* total entries, by sequence number - 1 */
};

struct smsctl_reassembler {
	struct group *groups;
	size_t pending;
};

struct smsctl_message {
	bool complete;
	unsigned total;
	size_t n;
	struct slot *parts;
	const char *number;
	char *text;
	char buf[];
};

SMSCTL_API struct smsctl_reassembler *smsctl_reassembler_new(void)
{
	return calloc(1, sizeof(struct smsctl_reassembler));
}

static void group_free(struct group *g)
{
	for (unsigned i = 0; i < g->total; i++)
		smsctl_pdu_free(g->slots[i].pdu);
	free(g);
}

SMSCTL_API void smsctl_reassembler_free(struct smsctl_reassembler *r)
{
	if (!r)
		return;
	while (r->groups) {
		struct group *g = r->groups;
		r->groups = g->next;
		group_free(g);
	}
	free(r);
}

SMSCTL_API size_t smsctl_reassembler_get_pending(const struct smsctl_reassembler *r)
{
	return r ? r->pending : 0;
}

/* A message from the parts present in slots (n slots, empty ones skipped); the PDUs move
 * into the message. NULL when out of memory (the PDUs stay where they were). */
static struct smsctl_message *message_build(struct slot *slots, size_t n, unsigned total,
					    bool complete)
{
	size_t count = 0, text_len = 0, num_len = 0;
	const char *number = "";

	for (size_t i = 0; i < n; i++) {
		if (!slots[i].pdu)
			continue;
		if (!count)
			number = slots[i].pdu->number;
		count++;
		text_len += slots[i].pdu->text ? slots[i].pdu->text_len : 0;
	}
	num_len = strlen(number);
	struct smsctl_message *m =
	    malloc(sizeof(*m) + count * sizeof(struct slot) + num_len + 1 + text_len + 1);
	if (!m)
		return NULL;
	m->complete = complete;
	m->total = total;
	m->n = count;
	m->parts = (struct slot *)(void *)m->buf;
	char *nb = (char *)(m->parts + count);
	memcpy(nb, number, num_len + 1);
	m->number = nb;
	m->text = nb + num_len + 1;
	char *t = m->text;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!slots[i].pdu)
			continue;
		m->parts[k++] = slots[i];
		if (slots[i].pdu->text) {
			memcpy(t, slots[i].pdu->text, slots[i].pdu->text_len);
			t += slots[i].pdu->text_len;
		}
		slots[i].pdu = NULL;
	}
	*t = '\0';
	return m;
}

static void unlink_group(struct smsctl_reassembler *r, struct group *g)
{
	for (struct group **pp = &r->groups; *pp; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			r->pending--;
			return;
		}
	}
}

SMSCTL_API int smsctl_reassembler_add(struct smsctl_reassembler *r, struct smsctl_pdu *pdu,
				      long tag, long now, struct smsctl_message **out)
{
	struct group *g;

	if (out)
		*out = NULL;
	if (!r || !pdu || !out) {
		smsctl_pdu_free(pdu);
		return SMSCTL_ERR_INVALID;
	}
	if (!pdu->has_concat || pdu->concat_total < 2) {
		struct slot one = {pdu, tag};
		*out = message_build(&one, 1, 1, true);
		if (!*out) {
			smsctl_pdu_free(pdu);
			return SMSCTL_ERR_NOMEM;
		}
		return 0;
	}
	for (g = r->groups; g; g = g->next) {
		if (g->type == pdu->type && g->ref == pdu->concat_ref &&
		    g->ref16 == pdu->concat16 && g->total == pdu->concat_total &&
		    strcmp(g->number, pdu->number) == 0)
			break;
	}
	if (!g) {
		g = calloc(1, sizeof(*g) + pdu->concat_total * sizeof(struct slot));
		if (!g) {
			smsctl_pdu_free(pdu);
			return SMSCTL_ERR_NOMEM;
		}
		g->type = pdu->type;
		g->ref = pdu->concat_ref;
		g->ref16 = pdu->concat16;
		g->total = pdu->concat_total;
		g->first_seen = now;
		memcpy(g->number, pdu->number, sizeof(g->number));
		g->next = r->groups;
		r->groups = g;
		r->pending++;
	}
	struct slot *s = &g->slots[pdu->concat_seq - 1];
	if (s->pdu) {
		smsctl_pdu_free(pdu);
		return SMSCTL_ERR_INVALID;
	}
	s->pdu = pdu;
	s->tag = tag;
	g->have++;
	if (g->have < g->total)
		return 0;
	struct smsctl_message *m = message_build(g->slots, g->total, g->total, true);
	if (!m)
		return SMSCTL_ERR_NOMEM; /* the parts stay; a later call may complete it */
	unlink_group(r, g);
	free(g);
	*out = m;
	return 0;
}

SMSCTL_API struct smsctl_message *smsctl_reassembler_take_expired(struct smsctl_reassembler *r,
								  long now, long max_age)
{
	if (!r)
		return NULL;
	for (struct group *g = r->groups; g; g = g->next) {
		if (g->first_seen >= now - max_age)
			continue;
		struct smsctl_message *m = message_build(g->slots, g->total, g->total, false);
		if (!m)
			return NULL;
		unlink_group(r, g);
		free(g);
		return m;
	}
	return NULL;
}

SMSCTL_API void smsctl_message_free(struct smsctl_message *msg)
{
	if (!msg)
		return;
	for (size_t i = 0; i < msg->n; i++)
		smsctl_pdu_free(msg->parts[i].pdu);
	free(msg);
}

SMSCTL_API bool smsctl_message_is_complete(const struct smsctl_message *msg)
{
	return msg && msg->complete;
}

SMSCTL_API const char *smsctl_message_get_text(const struct smsctl_message *msg)
{
	return msg ? msg->text : NULL;
}

SMSCTL_API const char *smsctl_message_get_number(const struct smsctl_message *msg)
{
	return msg ? msg->number : NULL;
}

SMSCTL_API unsigned smsctl_message_get_total(const struct smsctl_message *msg)
{
	return msg ? msg->total : 0;
}

SMSCTL_API size_t smsctl_message_get_part_count(const struct smsctl_message *msg)
{
	return msg ? msg->n : 0;
}

SMSCTL_API const struct smsctl_pdu *smsctl_message_get_part(const struct smsctl_message *msg,
							    size_t i)
{
	if (!msg || i >= msg->n)
		return NULL;
	return msg->parts[i].pdu;
}

SMSCTL_API int smsctl_message_get_part_tag(const struct smsctl_message *msg, size_t i, long *tag)
{
	if (!msg || !tag || i >= msg->n)
		return SMSCTL_ERR_INVALID;
	*tag = msg->parts[i].tag;
	return 0;
}
