/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file store-api.h
 * The store operations of the API's additions (issue 16), beside store.h and under its rules
 * (threads, errors, time in ms, ownership): idempotency keys, opt-outs, the inbox listing,
 * and the `deliveries` of events to webhooks and hooks (schema version 2).
 */
#ifndef SMSCTLD_STORE_API_H
#define SMSCTLD_STORE_API_H

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- idempotency ---- */

/** A message created under an idempotency key. */
struct store_idem_row {
	char id[STORE_ID_SIZE];
	char *request_hash; /**< NULL when the message has none */
};

/**
 * The messages created under @p key at or after @p since (ms), in creation order. Inside a
 * batch on PostgreSQL it first takes a transaction lock on the key, so that the lookup and the
 * insert that follows in the same batch are one step for every node sharing the database.
 * @param[out] out array of n_out rows; free with store_idem_free().
 */
int store_idem_find(struct store *st, const char *key, int64_t since, struct store_idem_row **out,
		    size_t *n_out);
void store_idem_free(struct store_idem_row *v, size_t n);

/* ---- opt-outs ---- */

struct store_optout {
	char *number; /**< E.164 */
	char *reason; /**< may be NULL */
	char *source; /**< "api", "keyword" */
	int64_t created_at;
};
void store_optout_free_array(struct store_optout *v, size_t n);

/** 1 when @p number is opted out, 0 when not, or a negative ::store_error. */
int store_optout_check(struct store *st, const char *number);
/** Add (an existing entry is kept as it is). @return 1 added, 0 already there, or < 0. */
int store_optout_add(struct store *st, const char *number, const char *reason, const char *source);
/** Remove. @return 0, ::STORE_ERR_NOT_FOUND, or another negative ::store_error. */
int store_optout_remove(struct store *st, const char *number);
/**
 * List in number order. @p cursor is the previous page's next_cursor or NULL; @p limit 1..500.
 * @param[out] next_cursor "" on the last page ([A-Za-z0-9_-] only).
 */
int store_optout_list(struct store *st, const char *cursor, int limit, struct store_optout **out,
		      size_t *n_out, char next_cursor[STORE_CURSOR_SIZE]);

/* ---- the inbox ---- */

struct store_inbox_row {
	char id[STORE_ID_SIZE];
	int64_t received_at;
	char *modem, *sim_iccid, *sender, *text, *coding;
	int64_t sc_timestamp; /**< 0 = NULL */
	int parts;
	bool complete;
};
void store_inbox_free_array(struct store_inbox_row *v, size_t n);

struct store_inbox_filter {
	int64_t since;	    /**< received_at >= since, 0 = any */
	const char *sender; /**< NULL = any */
	const char *modem;  /**< NULL = any */
	const char *cursor; /**< NULL = first page */
	int limit;	    /**< 1..500 (0 = 100) */
};

/** One inbox row (an array of one; free with store_inbox_free_array(row, 1)). */
int store_inbox_get(struct store *st, const char *id, struct store_inbox_row **out);

/** Keyset pagination over the inbox in arrival order; an invalid cursor is STORE_ERR_INVALID. */
int store_inbox_list(struct store *st, const struct store_inbox_filter *f,
		     struct store_inbox_row **out, size_t *n_out,
		     char next_cursor[STORE_CURSOR_SIZE]);

/* ---- deliveries (webhooks and hooks) ---- */

/** Make sure @p subscriber has a cursor (a new one starts after the newest event). */
int store_sub_init(struct store *st, const char *subscriber);
/** Replace the payload of event @p seq (the notifier freezes the MESSAGE of a message event
 * into it once, so that every attempt and every subscriber gets the same body). */
int store_event_freeze(struct store *st, int64_t seq, const char *payload);
/** issue 17: rows in `queued`, `sending` and `unknown` only (an index range each, cheap on a
 * big store); the other entries of @p counts are left as they are. */
int store_count_active_states(struct store *st, int64_t counts[STORE_MSG_STATE_COUNT]);
/** issue 17: the queued messages per pool and waiting reason (at most 256 groups): how many
 * and the created_at of the oldest. Reads only the queued rows. free(*out). */
struct store_queue_group {
	char pool[80], waiting[16];
	int64_t count, oldest;
};
int store_queue_summary(struct store *st, struct store_queue_group **out, size_t *n_out);
/** The subscriber's cursor: the last event seq fanned out. */
int store_sub_cursor(struct store *st, const char *subscriber, int64_t *last_seq);
/**
 * Fan out: one `pending` delivery per seq in @p seqs (due now), and the cursor moved to
 * @p last_seq, in one transaction.
 */
int store_sub_fanout(struct store *st, const char *subscriber, const int64_t *seqs, size_t n,
		     int64_t last_seq);

/** A pending delivery with its event. */
struct store_delivery {
	int64_t seq;
	int attempts;
	int64_t next_attempt_at;
	struct store_event ev; /**< the event's row (strings owned) */
	/* dead listings only */
	int last_status; /**< -1 = none */
	char *last_error;
	int64_t finished_at;
};
void store_delivery_free_array(struct store_delivery *v, size_t n);

/** The pending deliveries of @p subscriber in event order (at most @p limit). */
int store_delivery_pending(struct store *st, const char *subscriber, int limit,
			   struct store_delivery **out, size_t *n_out);

enum store_delivery_state { STORE_DLV_PENDING = 0, STORE_DLV_DELIVERED, STORE_DLV_DEAD };

/** Record an attempt's outcome. @p last_status -1 = none; @p next_attempt_at for pending. */
int store_delivery_set(struct store *st, const char *subscriber, int64_t seq,
		       enum store_delivery_state state, int attempts, int64_t next_attempt_at,
		       int last_status, const char *last_error);
/** Everything pending of @p subscriber is due now. @return rows changed or < 0. */
int store_delivery_release(struct store *st, const char *subscriber);

struct store_delivery_stats {
	int64_t pending, dead;
	int64_t oldest_pending; /**< created_at of the oldest pending row, 0 = none */
};
int store_delivery_stats(struct store *st, const char *subscriber,
			 struct store_delivery_stats *out);
/** Dead deliveries after seq @p after, at most @p limit. */
int store_delivery_dead(struct store *st, const char *subscriber, int64_t after, int limit,
			struct store_delivery **out, size_t *n_out);
/** Dead -> pending, due now: one event (@p event_id) or all (@p event_id NULL).
 * @return the number of deliveries revived. */
int store_delivery_redeliver(struct store *st, const char *subscriber, const char *event_id);
/** Delete one batch of finished deliveries older than @p cutoff. @return rows deleted. */
int store_delivery_retention(struct store *st, int64_t cutoff, int batch);

#ifdef __cplusplus
}
#endif

#endif
