/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store functions of modem pools (issue 15), beside store.h: per-SIM counters
 * (`sim_counters`, `sim_recipients`, schema version 2), the claim under a SIM's limits and the
 * `waiting` marks of messages held back. Same rules as store.h: one transaction each (a
 * savepoint inside a batch), 0 or a negative store_error, time in ms since the epoch.
 *
 * The counter key is the SIM's ICCID, or "modem:NAME" for a modem that reports none.
 */
#ifndef SMSCTLD_STORE_POOL_H
#define SMSCTLD_STORE_POOL_H

#include "store.h"

/**
 * Count @p parts parts sent by SIM @p key: adds to its `day` window opened at @p day_start
 * and its `month` window opened at @p month_start (both local midnights); when @p recipient
 * is not NULL it is recorded for that day and, if new, counted in the day's recipients.
 * @param[out] new_recipient whether the recipient was new that day (may be NULL).
 */
int store_pool_count(struct store *st, const char *key, int64_t day_start, int64_t month_start,
		     int parts, const char *recipient, bool *new_recipient);

/** The counts of SIM @p key for the day and month windows given (0 when no row). */
int store_pool_counts(struct store *st, const char *key, int64_t day_start, int64_t month_start,
		      long long *parts_day, long long *parts_month, long long *recipients_day);

/** Send times of SIM @p key's parts sent after @p since (oldest first; free() the array). */
int store_pool_parts_since(struct store *st, const char *key, int64_t since, int64_t **out,
			   size_t *n_out);

/** What a SIM may take now (its budget under the limits). */
struct store_pool_budget {
	int max_parts;	     /**< largest message in parts (>= 1) */
	bool new_recipients; /**< false: only recipients already counted today */
	const char *key;     /**< counter key */
	int64_t day_start;   /**< the local day of the recipient table */
	/** [send] recipient_rate: at most @c recipient_n messages to one recipient (across the
	 * pool and across nodes) in any @c recipient_window_ms; 0 off */
	long long recipient_n;
	int64_t recipient_window_ms;
	bool recipient_held; /**< out: a claim was given back for recipient_rate */
};

/**
 * store_claim() restricted to messages within @p b (parts <= max_parts; recipients already
 * counted today unless new ones are allowed). Same return and ownership as store_claim().
 */
int store_pool_claim(struct store *st, const struct store_claim_req *req,
		     struct store_pool_budget *b, struct store_message **out, size_t *n_out);

/** recipient_rate: mark `waiting` = "rate" on the queued messages of @p pools whose recipient
 * reached @p b's recipient rate. @return rows changed. */
int store_pool_mark_recipients(struct store *st, const char *const *pools, size_t n_pools,
			       const struct store_pool_budget *b);

/**
 * Set `waiting` = @p waiting ("quota", "rate", "window") on the queued, due messages this
 * modem would take (req's modem, pools, SIM) that do not fit @p b (max_parts 0: all of them).
 * @return the number of rows changed.
 */
int store_pool_mark_waiting(struct store *st, const struct store_claim_req *req,
			    const struct store_pool_budget *b, const char *waiting);

/** Set `waiting` = @p waiting on every queued message of @p pools (no modem can take them:
 * "no_modem"). @return rows changed. */
int store_pool_mark_pools(struct store *st, const char *const *pools, size_t n_pools,
			  const char *waiting);

/**
 * [send] duplicate_window: the id of the newest message (not cancelled) to @p recipient with
 * exactly @p text created at or after @p since, into @p id.
 * @return 1 found, 0 none, or a negative store error.
 */
int store_pool_find_duplicate(struct store *st, const char *recipient, const char *text,
			      int64_t since, char id[STORE_ID_SIZE]);

/** Delete recipient rows of days before @p before (small table upkeep). */
int store_pool_prune(struct store *st, int64_t before);

#endif
