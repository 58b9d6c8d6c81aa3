/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store operations of the API's additions (issue 16): idempotency keys, opt-outs, the
 * inbox listing, webhook and hook deliveries. Written against the same tiny driver as the
 * rest of the store (store-internal.h); the statements are in store-sql-api.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-api.h"
#include "store-internal.h"

#define LIST_MAX 500

static void copy_id(char out[STORE_ID_SIZE], const char *s)
{
	snprintf(out, STORE_ID_SIZE, "%s", s ? s : "");
}

/* A cursor is a key of the previous page's last row, [A-Za-z0-9_-] only. */
static bool cursor_ok(const char *c)
{
	size_t n = strlen(c);

	if (n == 0 || n >= STORE_CURSOR_SIZE)
		return false;
	for (; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
			return false;
	return true;
}

/* Allocate n zeroed rows (n may be 0). */
static void *rows_alloc(struct store *st, int n, size_t size, struct store_res *r)
{
	void *v = calloc(n > 0 ? (size_t)n : 1, size);

	if (!v) {
		store_res_clear(r);
		store_fail(st, STORE_ERR_NOMEM, "out of memory");
	}
	return v;
}

/* ---- idempotency ---- */

int store_idem_find(struct store *st, const char *key, int64_t since, struct store_idem_row **out,
		    size_t *n_out)
{
	struct store_res r = {0};
	bool oom = false;
	int rc;

	*out = NULL;
	*n_out = 0;
	if (st->in_batch) {
		rc = SX(st, STMT_IDEM_LOCK, NULL, NULL, V_TEXT(key));
		if (rc < 0)
			return rc;
	}
	rc = SX(st, STMT_IDEM_FIND, &r, NULL, V_TEXT(key), V_INT(since));
	if (rc < 0)
		return rc;
	*out = rows_alloc(st, r.nrows, sizeof(**out), &r);
	if (!*out)
		return STORE_ERR_NOMEM;
	for (int i = 0; i < r.nrows; i++) {
		copy_id((*out)[i].id, res_str(&r, i, 0));
		(*out)[i].request_hash = store_res_strdup(&r, i, 1, &oom);
	}
	*n_out = (size_t)r.nrows;
	store_res_clear(&r);
	if (oom) {
		store_idem_free(*out, *n_out);
		*out = NULL;
		*n_out = 0;
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	}
	return 0;
}

void store_idem_free(struct store_idem_row *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].request_hash);
	free(v);
}

/* ---- opt-outs ---- */

void store_optout_free_array(struct store_optout *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].number);
		free(v[i].reason);
		free(v[i].source);
	}
	free(v);
}

int store_optout_check(struct store *st, const char *number)
{
	struct store_res r = {0};
	int rc = SX(st, STMT_OPTOUT_GET, &r, NULL, V_TEXT(number));

	if (rc < 0)
		return rc;
	rc = r.nrows > 0 ? 1 : 0;
	store_res_clear(&r);
	return rc;
}

int store_optout_add(struct store *st, const char *number, const char *reason, const char *source)
{
	int64_t changes = 0;
	int rc = tx_begin(st);

	if (rc < 0)
		return rc;
	rc = SX(st, STMT_OPTOUT_ADD, NULL, &changes, V_TEXT(number), V_TEXT(reason), V_TEXT(source),
		V_INT(store_now(st)));
	return tx_end(st, rc < 0 ? rc : changes > 0 ? 1 : 0);
}

int store_optout_remove(struct store *st, const char *number)
{
	int64_t changes = 0;
	int rc = tx_begin(st);

	if (rc < 0)
		return rc;
	rc = SX(st, STMT_OPTOUT_DEL, NULL, &changes, V_TEXT(number));
	if (rc == 0 && changes == 0)
		rc = store_fail(st, STORE_ERR_NOT_FOUND, "%s is not opted out", number);
	return tx_end(st, rc);
}

/* Numbers are "+digits": the cursor is "n" + the digits, so that it stays in [A-Za-z0-9_-]. */
int store_optout_list(struct store *st, const char *cursor, int limit, struct store_optout **out,
		      size_t *n_out, char next_cursor[STORE_CURSOR_SIZE])
{
	struct store_res r = {0};
	char after[STORE_CURSOR_SIZE + 1];
	bool oom = false;
	int rc, n;

	*out = NULL;
	*n_out = 0;
	if (limit <= 0)
		limit = 100;
	if (limit > LIST_MAX)
		limit = LIST_MAX;
	if (cursor) {
		if (!cursor_ok(cursor) || cursor[0] != 'n' || !cursor[1] ||
		    strspn(cursor + 1, "0123456789") != strlen(cursor + 1))
			return store_fail(st, STORE_ERR_INVALID, "bad cursor");
		snprintf(after, sizeof(after), "+%s", cursor + 1);
	}
	next_cursor[0] = '\0'; /* after reading the cursor: it may be the same buffer */
	rc = SX(st, STMT_OPTOUT_LIST, &r, NULL, V_TEXT(cursor ? after : NULL), V_INT(limit + 1));
	if (rc < 0)
		return rc;
	n = r.nrows > limit ? limit : r.nrows;
	*out = rows_alloc(st, n, sizeof(**out), &r);
	if (!*out)
		return STORE_ERR_NOMEM;
	for (int i = 0; i < n; i++) {
		(*out)[i].number = store_res_strdup(&r, i, 0, &oom);
		(*out)[i].reason = store_res_strdup(&r, i, 1, &oom);
		(*out)[i].source = store_res_strdup(&r, i, 2, &oom);
		(*out)[i].created_at = res_i64(&r, i, 3, 0);
	}
	*n_out = (size_t)n;
	if (r.nrows > limit && n > 0 && (*out)[n - 1].number && (*out)[n - 1].number[0] == '+')
		snprintf(next_cursor, STORE_CURSOR_SIZE, "n%s", (*out)[n - 1].number + 1);
	store_res_clear(&r);
	if (oom) {
		store_optout_free_array(*out, *n_out);
		*out = NULL;
		*n_out = 0;
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* ---- the inbox ---- */

void store_inbox_free_array(struct store_inbox_row *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].modem);
		free(v[i].sim_iccid);
		free(v[i].sender);
		free(v[i].text);
		free(v[i].coding);
	}
	free(v);
}

static void inbox_row(const struct store_res *r, int i, struct store_inbox_row *m, bool *oom)
{
	copy_id(m->id, res_str(r, i, 0));
	m->received_at = res_i64(r, i, 1, 0);
	m->modem = store_res_strdup(r, i, 2, oom);
	m->sim_iccid = store_res_strdup(r, i, 3, oom);
	m->sender = store_res_strdup(r, i, 4, oom);
	m->text = store_res_strdup(r, i, 5, oom);
	m->coding = store_res_strdup(r, i, 6, oom);
	m->sc_timestamp = res_i64(r, i, 7, 0);
	m->parts = (int)res_i64(r, i, 8, 1);
	m->complete = res_i64(r, i, 9, 1) != 0;
}

int store_inbox_get(struct store *st, const char *id, struct store_inbox_row **out)
{
	struct store_res r = {0};
	bool oom = false;
	int rc;

	*out = NULL;
	rc = SX(st, STMT_INBOX_GET, &r, NULL, V_TEXT(id));
	if (rc < 0)
		return rc;
	if (r.nrows == 0) {
		store_res_clear(&r);
		return store_fail(st, STORE_ERR_NOT_FOUND, "no inbox row %s", id);
	}
	*out = rows_alloc(st, 1, sizeof(**out), &r);
	if (!*out)
		return STORE_ERR_NOMEM;
	inbox_row(&r, 0, *out, &oom);
	store_res_clear(&r);
	if (oom) {
		store_inbox_free_array(*out, 1);
		*out = NULL;
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	}
	return 0;
}

int store_inbox_list(struct store *st, const struct store_inbox_filter *f,
		     struct store_inbox_row **out, size_t *n_out,
		     char next_cursor[STORE_CURSOR_SIZE])
{
	struct store_res r = {0};
	int limit = f->limit > 0 ? f->limit : 100;
	char after[STORE_CURSOR_SIZE];
	bool oom = false;
	int rc, n;

	*out = NULL;
	*n_out = 0;
	if (limit > LIST_MAX)
		limit = LIST_MAX;
	if (f->cursor && (!cursor_ok(f->cursor) || strncmp(f->cursor, "msg_", 4) != 0))
		return store_fail(st, STORE_ERR_INVALID, "bad cursor");
	if (f->cursor)
		snprintf(after, sizeof(after), "%s", f->cursor); /* it may be next_cursor itself */
	next_cursor[0] = '\0';
	rc = SX(st, STMT_INBOX_LIST, &r, NULL, V_TS(f->since), V_TEXT(f->sender), V_TEXT(f->modem),
		V_TEXT(f->cursor ? after : NULL), V_INT(limit + 1));
	if (rc < 0)
		return rc;
	n = r.nrows > limit ? limit : r.nrows;
	*out = rows_alloc(st, n, sizeof(**out), &r);
	if (!*out)
		return STORE_ERR_NOMEM;
	for (int i = 0; i < n; i++)
		inbox_row(&r, i, &(*out)[i], &oom);
	*n_out = (size_t)n;
	if (r.nrows > limit && n > 0)
		snprintf(next_cursor, STORE_CURSOR_SIZE, "%s", (*out)[n - 1].id);
	store_res_clear(&r);
	if (oom) {
		store_inbox_free_array(*out, *n_out);
		*out = NULL;
		*n_out = 0;
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* ---- deliveries ---- */

int store_event_freeze(struct store *st, int64_t seq, const char *payload)
{
	int rc = tx_begin(st);

	if (rc < 0)
		return rc;
	rc = SX(st, STMT_EVENT_FREEZE, NULL, NULL, V_INT(seq), V_TEXT(payload));
	return tx_end(st, rc);
}

int store_count_active_states(struct store *st, int64_t counts[STORE_MSG_STATE_COUNT])
{
	struct store_res r = {0};
	int rc = sx(st, STMT_COUNT_ACTIVE, NULL, 0, &r, NULL);

	if (rc == 0) {
		counts[STORE_MSG_QUEUED] = counts[STORE_MSG_SENDING] = counts[STORE_MSG_UNKNOWN] =
		    0;
		for (int i = 0; i < r.nrows; i++) {
			int s = store_msg_state_parse(res_str(&r, i, 0));
			if (s >= 0)
				counts[s] = res_i64(&r, i, 1, 0);
		}
	}
	store_res_clear(&r);
	return rc;
}

int store_queue_summary(struct store *st, struct store_queue_group **out, size_t *n_out)
{
	struct store_res r = {0};
	int rc = sx(st, STMT_QUEUE_SUMMARY, NULL, 0, &r, NULL);

	*out = NULL;
	*n_out = 0;
	if (rc == 0 && r.nrows > 0) {
		*out = calloc((size_t)r.nrows, sizeof(**out));
		if (!*out)
			rc = store_fail(st, STORE_ERR_NOMEM, "out of memory");
	}
	for (int i = 0; rc == 0 && i < r.nrows; i++) {
		struct store_queue_group *g = &(*out)[i];
		const char *pool = res_str(&r, i, 0), *waiting = res_str(&r, i, 1);
		snprintf(g->pool, sizeof(g->pool), "%s", pool ? pool : "default");
		snprintf(g->waiting, sizeof(g->waiting), "%s", waiting ? waiting : "");
		g->count = res_i64(&r, i, 2, 0);
		g->oldest = res_i64(&r, i, 3, 0);
		(*n_out)++;
	}
	store_res_clear(&r);
	return rc;
}

int store_sub_init(struct store *st, const char *subscriber)
{
	int rc = tx_begin(st);

	if (rc < 0)
		return rc;
	rc = SX(st, STMT_SUB_INIT, NULL, NULL, V_TEXT(subscriber), V_INT(store_now(st)));
	return tx_end(st, rc);
}

int store_sub_cursor(struct store *st, const char *subscriber, int64_t *last_seq)
{
	struct store_res r = {0};
	int rc = SX(st, STMT_SUB_GET, &r, NULL, V_TEXT(subscriber));

	if (rc < 0)
		return rc;
	if (r.nrows == 0)
		rc = store_fail(st, STORE_ERR_NOT_FOUND, "no subscriber %s", subscriber);
	else
		*last_seq = res_i64(&r, 0, 0, 0);
	store_res_clear(&r);
	return rc;
}

int store_sub_fanout(struct store *st, const char *subscriber, const int64_t *seqs, size_t n,
		     int64_t last_seq)
{
	int64_t now = store_now(st);
	int rc = tx_begin(st);

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = SX(st, STMT_DLV_ADD, NULL, NULL, V_INT(seqs[i]), V_TEXT(subscriber),
			V_INT(now));
	if (rc == 0)
		rc = SX(st, STMT_SUB_SET, NULL, NULL, V_TEXT(subscriber), V_INT(last_seq));
	return tx_end(st, rc);
}

void store_delivery_free_array(struct store_delivery *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].ev.type);
		free(v[i].ev.message_id);
		free(v[i].ev.modem);
		free(v[i].ev.payload);
		free(v[i].last_error);
	}
	free(v);
}

int store_delivery_pending(struct store *st, const char *subscriber, int limit,
			   struct store_delivery **out, size_t *n_out)
{
	struct store_res r = {0};
	bool oom = false;
	int rc;

	*out = NULL;
	*n_out = 0;
	rc = SX(st, STMT_DLV_PENDING, &r, NULL, V_TEXT(subscriber), V_INT(limit > 0 ? limit : 500));
	if (rc < 0)
		return rc;
	*out = rows_alloc(st, r.nrows, sizeof(**out), &r);
	if (!*out)
		return STORE_ERR_NOMEM;
	for (int i = 0; i < r.nrows; i++) {
		struct store_delivery *d = &(*out)[i];
		d->seq = res_i64(&r, i, 0, 0);
		d->attempts = (int)res_i64(&r, i, 1, 0);
		d->next_attempt_at = res_i64(&r, i, 2, 0);
		d->ev.seq = d->seq;
		copy_id(d->ev.id, res_str(&r, i, 3));
		d->ev.type = store_res_strdup(&r, i, 4, &oom);
		d->ev.created_at = res_i64(&r, i, 5, 0);
		d->ev.message_id = store_res_strdup(&r, i, 6, &oom);
		d->ev.modem = store_res_strdup(&r, i, 7, &oom);
		d->ev.payload = store_res_strdup(&r, i, 8, &oom);
		d->last_status = -1;
	}
	*n_out = (size_t)r.nrows;
	store_res_clear(&r);
	if (oom) {
		store_delivery_free_array(*out, *n_out);
		*out = NULL;
		*n_out = 0;
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	}
	return 0;
}

int store_delivery_set(struct store *st, const char *subscriber, int64_t seq,
		       enum store_delivery_state state, int attempts, int64_t next_attempt_at,
		       int last_status, const char *last_error)
{
	static const char *const names[] = {"pending", "delivered", "dead"};
	int rc = tx_begin(st);

	if (rc < 0)
		return rc;
	rc = SX(st, STMT_DLV_SET, NULL, NULL, V_TEXT(subscriber), V_INT(seq), V_TEXT(names[state]),
		V_INT(attempts), V_TS(state == STORE_DLV_PENDING ? next_attempt_at : 0),
		V_OPT(last_status), V_TEXT(last_error),
		V_TS(state == STORE_DLV_PENDING ? 0 : store_now(st)));
	return tx_end(st, rc);
}

int store_delivery_release(struct store *st, const char *subscriber)
{
	int64_t changes = 0;
	int rc = tx_begin(st);

	if (rc < 0)
		return rc;
	rc = SX(st, STMT_DLV_RELEASE, NULL, &changes, V_TEXT(subscriber), V_INT(store_now(st)));
	return tx_end(st, rc < 0 ? rc : (int)changes);
}

int store_delivery_stats(struct store *st, const char *subscriber, struct store_delivery_stats *out)
{
	struct store_res r = {0};
	int rc = SX(st, STMT_DLV_STATS, &r, NULL, V_TEXT(subscriber));

	memset(out, 0, sizeof(*out));
	if (rc < 0)
		return rc;
	for (int i = 0; i < r.nrows; i++) {
		const char *state = res_str(&r, i, 0);
		if (state && strcmp(state, "pending") == 0) {
			out->pending = res_i64(&r, i, 1, 0);
			out->oldest_pending = res_i64(&r, i, 2, 0);
		} else if (state && strcmp(state, "dead") == 0) {
			out->dead = res_i64(&r, i, 1, 0);
		}
	}
	store_res_clear(&r);
	return 0;
}

int store_delivery_dead(struct store *st, const char *subscriber, int64_t after, int limit,
			struct store_delivery **out, size_t *n_out)
{
	struct store_res r = {0};
	bool oom = false;
	int rc;

	*out = NULL;
	*n_out = 0;
	rc = SX(st, STMT_DLV_DEAD, &r, NULL, V_TEXT(subscriber), V_INT(after),
		V_INT(limit > 0 ? limit : 100));
	if (rc < 0)
		return rc;
	*out = rows_alloc(st, r.nrows, sizeof(**out), &r);
	if (!*out)
		return STORE_ERR_NOMEM;
	for (int i = 0; i < r.nrows; i++) {
		struct store_delivery *d = &(*out)[i];
		d->seq = d->ev.seq = res_i64(&r, i, 0, 0);
		d->attempts = (int)res_i64(&r, i, 1, 0);
		d->last_status = (int)res_i64(&r, i, 2, -1);
		d->last_error = store_res_strdup(&r, i, 3, &oom);
		d->finished_at = res_i64(&r, i, 4, 0);
		copy_id(d->ev.id, res_str(&r, i, 5));
		d->ev.type = store_res_strdup(&r, i, 6, &oom);
		d->ev.created_at = res_i64(&r, i, 7, 0);
		d->ev.message_id = store_res_strdup(&r, i, 8, &oom);
	}
	*n_out = (size_t)r.nrows;
	store_res_clear(&r);
	if (oom) {
		store_delivery_free_array(*out, *n_out);
		*out = NULL;
		*n_out = 0;
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	}
	return 0;
}

int store_delivery_redeliver(struct store *st, const char *subscriber, const char *event_id)
{
	int64_t changes = 0;
	int rc = tx_begin(st);

	if (rc < 0)
		return rc;
	if (event_id)
		rc = SX(st, STMT_DLV_REDELIVER_ONE, NULL, &changes, V_TEXT(subscriber),
			V_TEXT(event_id), V_INT(store_now(st)));
	else
		rc = SX(st, STMT_DLV_REDELIVER_ALL, NULL, &changes, V_TEXT(subscriber),
			V_INT(store_now(st)));
	return tx_end(st, rc < 0 ? rc : (int)changes);
}

int store_delivery_retention(struct store *st, int64_t cutoff, int batch)
{
	int64_t changes = 0;
	int rc = tx_begin(st);

	if (rc < 0)
		return rc;
	rc = SX(st, STMT_DLV_RETENTION, NULL, &changes, V_INT(cutoff), V_INT(batch));
	return tx_end(st, rc < 0 ? rc : (int)changes);
}
