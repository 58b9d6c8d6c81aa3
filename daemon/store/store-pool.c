/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pool store functions (store-pool.h, issue 15): per-SIM counters, the claim under limits,
 * `waiting` marks. Written once against the driver of store-internal.h, like the others.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "store-pool.h"

int store_pool_count(struct store *st, const char *key, int64_t day_start, int64_t month_start,
		     int parts, const char *recipient, bool *new_recipient)
{
	int64_t changes = 0;
	int rc;

	if (new_recipient)
		*new_recipient = false;
	if (!key || parts < 0)
		return store_fail(st, STORE_ERR_INVALID, "counting needs a SIM and parts");
	rc = tx_begin(st);
	if (rc < 0)
		return rc;
	if (recipient)
		rc = SX(st, STMT_POOL_RECIPIENT_ADD, NULL, &changes, V_TEXT(key), V_INT(day_start),
			V_TEXT(recipient));
	if (rc == 0)
		rc = SX(st, STMT_POOL_COUNT_ADD, NULL, NULL, V_TEXT(key), V_TEXT("day"),
			V_INT(day_start), V_INT(parts), V_INT(changes > 0 ? 1 : 0));
	if (rc == 0)
		rc = SX(st, STMT_POOL_COUNT_ADD, NULL, NULL, V_TEXT(key), V_TEXT("month"),
			V_INT(month_start), V_INT(parts), V_INT(0));
	rc = tx_end(st, rc);
	if (rc == 0 && new_recipient)
		*new_recipient = changes > 0;
	return rc;
}

int store_pool_counts(struct store *st, const char *key, int64_t day_start, int64_t month_start,
		      long long *parts_day, long long *parts_month, long long *recipients_day)
{
	struct store_res r = {0};
	int rc;

	*parts_day = *parts_month = *recipients_day = 0;
	rc = tx_begin(st);
	if (rc == 0)
		rc = SX(st, STMT_POOL_COUNT_GET, &r, NULL, V_TEXT(key), V_INT(day_start),
			V_INT(month_start));
	for (int i = 0; rc == 0 && i < r.nrows; i++) {
		const char *w = res_str(&r, i, 0);
		if (w && strcmp(w, "day") == 0) {
			*parts_day = res_i64(&r, i, 1, 0);
			*recipients_day = res_i64(&r, i, 2, 0);
		} else if (w && strcmp(w, "month") == 0) {
			*parts_month = res_i64(&r, i, 1, 0);
		}
	}
	store_res_clear(&r);
	return tx_end(st, rc);
}

int store_pool_parts_since(struct store *st, const char *key, int64_t since, int64_t **out,
			   size_t *n_out)
{
	struct store_res r = {0};
	int rc;

	*out = NULL;
	*n_out = 0;
	rc = tx_begin(st);
	if (rc == 0)
		rc = SX(st, STMT_POOL_PARTS_SINCE, &r, NULL, V_TEXT(key), V_INT(since));
	if (rc == 0 && r.nrows > 0) {
		*out = calloc((size_t)r.nrows, sizeof(**out));
		if (!*out)
			rc = store_fail(st, STORE_ERR_NOMEM, "out of memory");
		for (int i = 0; rc == 0 && i < r.nrows; i++)
			(*out)[i] = res_i64(&r, i, 0, 0);
		if (rc == 0)
			*n_out = (size_t)r.nrows;
	}
	store_res_clear(&r);
	rc = tx_end(st, rc);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n_out = 0;
	}
	return rc;
}

int store_pool_find_duplicate(struct store *st, const char *recipient, const char *text,
			      int64_t since, char id[STORE_ID_SIZE])
{
	struct store_res r = {0};
	int rc, found = 0;

	id[0] = '\0';
	if (!recipient || !text)
		return store_fail(st, STORE_ERR_INVALID, "a duplicate needs a recipient and text");
	rc = tx_begin(st);
	if (rc == 0)
		rc = SX(st, STMT_POOL_DUPLICATE, &r, NULL, V_TEXT(recipient), V_TEXT(text),
			V_INT(since));
	if (rc == 0 && r.nrows > 0 && res_str(&r, 0, 0) &&
	    strlen(res_str(&r, 0, 0)) < STORE_ID_SIZE) {
		snprintf(id, STORE_ID_SIZE, "%s", res_str(&r, 0, 0));
		found = 1;
	}
	store_res_clear(&r);
	rc = tx_end(st, rc);
	return rc < 0 ? rc : found;
}

/* "a,b,c" of the request's pools (names never hold a comma: config names are checked). */
/* recipient_rate across nodes: each claimed recipient locked (PostgreSQL) and counted again;
 * 1 when one is over its rate (the claim is given back), 0, or an error */
static int recipients_recheck(struct store *st, const struct store_pool_budget *b,
			      struct store_message *v, int n, int64_t now)
{
	for (int i = 0; i < n; i++) {
		struct store_res r = {0};
		int rc = SX(st, STMT_POOL_RECIPIENT_LOCK, NULL, NULL, V_TEXT(v[i].recipient));
		if (rc == 0)
			rc = SX(st, STMT_POOL_RECIPIENT_COUNT, &r, NULL, V_TEXT(v[i].recipient),
				V_TEXT(v[i].id), V_INT(now - b->recipient_window_ms));
		int64_t c = rc == 0 ? res_i64(&r, 0, 0, 0) : 0;
		store_res_clear(&r);
		if (rc < 0)
			return rc;
		if (c >= b->recipient_n)
			return 1;
	}
	return 0;
}

int store_pool_claim(struct store *st, const struct store_claim_req *req,
		     struct store_pool_budget *b, struct store_message **out, size_t *n_out)
{
	struct store_res r = {0};
	char *pools = NULL;
	int64_t now = store_now(st);
	int rc, n = 0;

	*out = NULL;
	*n_out = 0;
	if (!req || !req->modem || req->limit < 1 || req->lease_ms <= 0 || !b || !b->key ||
	    b->max_parts < 1)
		return store_fail(st, STORE_ERR_INVALID,
				  "claim needs a modem, limit, lease, budget");
	rc = store_join_pools(st, req->pools, req->n_pools, &pools);
	if (rc < 0)
		return rc;
	rc = tx_begin(st);
	if (rc < 0) {
		free(pools);
		return rc;
	}
	rc = SX(st, STMT_POOL_CLAIM, &r, NULL, V_INT(now), V_TEXT(req->modem), V_TEXT(pools),
		V_TEXT(req->sim_iccid), V_INT(req->limit), V_TEXT(st->node_id),
		V_INT(now + req->lease_ms), V_INT(b->max_parts), V_INT(b->new_recipients ? 1 : 0),
		V_TEXT(b->key), V_INT(b->day_start), V_INT(b->recipient_n),
		V_INT(now - b->recipient_window_ms));
	if (rc == 0)
		rc = store_claimed_load(st, &r, out, &n);
	b->recipient_held = false;
	if (rc >= 0 && n > 0 && b->recipient_n > 0) {
		/* another node may have claimed for the same recipient meanwhile */
		int over = recipients_recheck(st, b, *out, n, now);
		if (over == 1) {
			b->recipient_held = true;
			rc = STORE_ERR_STATE; /* rolled back: the messages stay queued */
		} else {
			rc = over;
		}
	}
	rc = tx_end(st, rc);
	store_res_clear(&r);
	free(pools);
	if (rc < 0) {
		store_message_free_array(*out, (size_t)n);
		*out = NULL;
		return b->recipient_held ? 0 : rc;
	}
	*n_out = (size_t)n;
	return n;
}

int store_pool_mark_recipients(struct store *st, const char *const *pools, size_t n_pools,
			       const struct store_pool_budget *b)
{
	char *joined = NULL;
	int64_t changes = 0, now = store_now(st);
	int rc;

	if (!b || b->recipient_n <= 0 || n_pools == 0)
		return 0;
	rc = store_join_pools(st, pools, n_pools, &joined);
	if (rc < 0)
		return rc;
	rc = tx_begin(st);
	if (rc == 0)
		rc = SX(st, STMT_POOL_MARK_RECIPIENT, NULL, &changes, V_TEXT(joined),
			V_INT(b->recipient_n), V_INT(now - b->recipient_window_ms), V_INT(now));
	free(joined);
	rc = tx_end(st, rc);
	return rc < 0 ? rc : (int)changes;
}

int store_pool_mark_waiting(struct store *st, const struct store_claim_req *req,
			    const struct store_pool_budget *b, const char *waiting)
{
	char *pools = NULL;
	int64_t changes = 0;
	int rc;

	if (!req || !req->modem || !b || !b->key || !waiting)
		return store_fail(st, STORE_ERR_INVALID,
				  "marking needs a modem, budget and reason");
	rc = store_join_pools(st, req->pools, req->n_pools, &pools);
	if (rc < 0)
		return rc;
	rc = tx_begin(st);
	if (rc == 0)
		rc = SX(st, STMT_POOL_MARK_WAITING, NULL, &changes, V_INT(store_now(st)),
			V_TEXT(req->modem), V_TEXT(pools), V_TEXT(req->sim_iccid),
			V_INT(b->max_parts), V_INT(b->new_recipients ? 1 : 0), V_TEXT(b->key),
			V_INT(b->day_start), V_TEXT(waiting));
	free(pools);
	rc = tx_end(st, rc);
	return rc < 0 ? rc : (int)changes;
}

int store_pool_mark_pools(struct store *st, const char *const *pools, size_t n_pools,
			  const char *waiting)
{
	char *joined = NULL;
	int64_t changes = 0;
	int rc;

	if (!waiting || n_pools == 0)
		return 0;
	rc = store_join_pools(st, pools, n_pools, &joined);
	if (rc < 0)
		return rc;
	rc = tx_begin(st);
	if (rc == 0)
		rc = SX(st, STMT_POOL_MARK_POOL, NULL, &changes, V_TEXT(joined), V_TEXT(waiting));
	free(joined);
	rc = tx_end(st, rc);
	return rc < 0 ? rc : (int)changes;
}

int store_pool_prune(struct store *st, int64_t before)
{
	int64_t changes = 0;
	int rc = tx_begin(st);

	if (rc == 0)
		rc = SX(st, STMT_POOL_RECIPIENTS_PRUNE, NULL, &changes, V_INT(before));
	rc = tx_end(st, rc);
	return rc < 0 ? rc : (int)changes;
}
