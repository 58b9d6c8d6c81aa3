/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store: inserting, reading and listing messages and events. */
#include "store-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char store_msg_cols[] = MSG_COLS;

void store_message_clear(struct store_message *m)
{
	if (!m)
		return;
	free(m->recipient);
	free(m->text);
	free(m->coding);
	free(m->pool);
	free(m->modem);
	free(m->idempotency_key);
	free(m->request_hash);
	free(m->tags);
	free(m->waiting);
	free(m->sim_iccid);
	free(m->node_id);
	free(m->error_code);
	free(m->error_class);
	free(m->error_text);
	free(m->resend_of);
	free(m->want_modem);
	for (size_t i = 0; i < m->n_part_rows; i++) {
		struct store_part *p = &m->part_rows[i];
		free(p->pdu);
		free(p->modem);
		free(p->sim_iccid);
		free(p->error_code);
	}
	free(m->part_rows);
	memset(m, 0, sizeof(*m));
}

void store_message_free_array(struct store_message *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		store_message_clear(&v[i]);
	free(v);
}

void store_event_free_array(struct store_event *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].type);
		free(v[i].message_id);
		free(v[i].modem);
		free(v[i].payload);
	}
	free(v);
}

char *store_res_strdup(const struct store_res *r, int row, int col, bool *oom)
{
	const char *s = res_str(r, row, col);
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

int store_msg_from_row(const struct store_res *r, int row, struct store_message *m)
{
	bool oom = false;
	const char *id = res_str(r, row, 0);
	int c = 0;

	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "%s", id ? id : "");
	c = 1;
	m->created_at = res_i64(r, row, c++, 0);
	m->updated_at = res_i64(r, row, c++, 0);
	m->state = (enum store_msg_state)store_msg_state_parse(res_str(r, row, c++));
	m->recipient = store_res_strdup(r, row, c++, &oom);
	m->text = store_res_strdup(r, row, c++, &oom);
	m->coding = store_res_strdup(r, row, c++, &oom);
	m->parts = (int)res_i64(r, row, c++, 0);
	m->priority = (int)res_i64(r, row, c++, 0);
	m->pool = store_res_strdup(r, row, c++, &oom);
	m->modem = store_res_strdup(r, row, c++, &oom);
	m->not_before = res_i64(r, row, c++, 0);
	m->expires_at = res_i64(r, row, c++, 0);
	m->report = res_i64(r, row, c++, 0) != 0;
	m->flash = res_i64(r, row, c++, 0) != 0;
	m->validity_minutes = (int)res_i64(r, row, c++, -1);
	m->at_least_once = res_i64(r, row, c++, 0) != 0;
	m->idempotency_key = store_res_strdup(r, row, c++, &oom);
	m->request_hash = store_res_strdup(r, row, c++, &oom);
	m->tags = store_res_strdup(r, row, c++, &oom);
	m->attempts = (int)res_i64(r, row, c++, 0);
	m->next_attempt_at = res_i64(r, row, c++, 0);
	m->waiting = store_res_strdup(r, row, c++, &oom);
	m->sim_iccid = store_res_strdup(r, row, c++, &oom);
	m->node_id = store_res_strdup(r, row, c++, &oom);
	m->claim_epoch = res_i64(r, row, c++, 0);
	m->lease_until = res_i64(r, row, c++, 0);
	m->concat_ref = (int)res_i64(r, row, c++, -1);
	m->error_code = store_res_strdup(r, row, c++, &oom);
	m->error_class = store_res_strdup(r, row, c++, &oom);
	m->error_text = store_res_strdup(r, row, c++, &oom);
	m->resend_of = store_res_strdup(r, row, c++, &oom);
	m->finished_at = res_i64(r, row, c++, 0);
	m->want_modem = store_res_strdup(r, row, c++, &oom);
	if (oom) {
		store_message_clear(m);
		return STORE_ERR_NOMEM;
	}
	return 0;
}

int store_load_parts(struct store *st, struct store_message *m)
{
	struct store_res r = {0};
	bool oom = false;
	int rc = SX(st, STMT_PARTS_GET, &r, NULL, V_TEXT(m->id));

	if (rc < 0)
		return rc;
	if (r.nrows > 0) {
		m->part_rows = calloc((size_t)r.nrows, sizeof(*m->part_rows));
		if (!m->part_rows) {
			store_res_clear(&r);
			return store_fail(st, STORE_ERR_NOMEM, "out of memory");
		}
	}
	for (int i = 0; i < r.nrows; i++) {
		struct store_part *p = &m->part_rows[i];
		int c = 0;
		p->seq = (int)res_i64(&r, i, c++, 0);
		p->state = (enum store_part_state)store_part_state_parse(res_str(&r, i, c++));
		p->pdu = store_res_strdup(&r, i, c++, &oom);
		p->mr = (int)res_i64(&r, i, c++, -1);
		p->expected_mr = (int)res_i64(&r, i, c++, -1);
		p->mr_advanced = (int)res_i64(&r, i, c++, -1);
		p->storage_index = (int)res_i64(&r, i, c++, -1);
		p->modem = store_res_strdup(&r, i, c++, &oom);
		p->sim_iccid = store_res_strdup(&r, i, c++, &oom);
		p->attempt = (int)res_i64(&r, i, c++, 0);
		p->sending_at = res_i64(&r, i, c++, 0);
		p->sent_at = res_i64(&r, i, c++, 0);
		p->report_status = (int)res_i64(&r, i, c++, -1);
		p->report_at = res_i64(&r, i, c++, 0);
		p->error_code = store_res_strdup(&r, i, c++, &oom);
		m->n_part_rows++;
	}
	store_res_clear(&r);
	return oom ? store_fail(st, STORE_ERR_NOMEM, "out of memory") : 0;
}

static int insert_one(struct store *st, const struct store_new_message *nm, int64_t now,
		      char id[STORE_ID_SIZE])
{
	int rc;

	if (!nm->recipient || !nm->text || !nm->coding || nm->n_parts < 1 || nm->n_parts > 255 ||
	    !nm->pdus)
		return store_fail(st, STORE_ERR_INVALID,
				  "a message needs recipient, text, coding and 1-255 PDUs");
	for (size_t i = 0; i < nm->n_parts; i++)
		if (!nm->pdus[i])
			return store_fail(st, STORE_ERR_INVALID, "PDU %zu missing", i + 1);
	store_new_id(st, "msg_", id);
	rc = SX(st, STMT_MSG_INSERT, NULL, NULL, V_TEXT(id), V_INT(now), V_TEXT(nm->recipient),
		V_TEXT(nm->text), V_TEXT(nm->coding), V_INT(nm->n_parts), V_INT(nm->priority),
		V_TEXT(nm->pool ? nm->pool : "default"), V_TEXT(nm->modem),
		V_INT(nm->not_before ? nm->not_before : now), V_TS(nm->expires_at),
		V_BOOL(nm->report), V_BOOL(nm->flash), V_OPT(nm->validity_minutes),
		V_BOOL(nm->at_least_once), V_TEXT(nm->idempotency_key), V_TEXT(nm->request_hash),
		V_TEXT(nm->tags), V_OPT(nm->concat_ref), V_TEXT(NULL));
	for (size_t i = 0; rc == 0 && i < nm->n_parts; i++)
		rc = SX(st, STMT_PART_INSERT, NULL, NULL, V_TEXT(id), V_INT(i + 1),
			V_TEXT(nm->pdus[i]));
	if (rc == 0 && nm->event_payload) {
		rc = store_event_write(st, "message.queued", id, NULL, nm->event_payload);
	} else if (rc == 0) {
		struct jbuf b;
		jb_init(&b);
		jb_str(&b, "state", "queued");
		jb_str(&b, "to", nm->recipient);
		jb_int(&b, "parts", (int64_t)nm->n_parts);
		rc = store_msg_event(st, "message.queued", id, NULL, &b);
	}
	return rc;
}

int store_message_insert(struct store *st, const struct store_new_message *msgs, size_t n,
			 char (*ids_out)[STORE_ID_SIZE])
{
	int64_t now = store_now(st);
	int rc;

	if (!msgs || n == 0 || !ids_out)
		return store_fail(st, STORE_ERR_INVALID, "nothing to insert");
	rc = tx_begin(st);
	if (rc < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = insert_one(st, &msgs[i], now, ids_out[i]);
	return tx_end(st, rc);
}

int store_message_get(struct store *st, const char *id, struct store_message *out)
{
	struct store_res r = {0};
	int rc;

	memset(out, 0, sizeof(*out));
	if (!id)
		return store_fail(st, STORE_ERR_INVALID, "no id");
	rc = SX(st, STMT_MSG_GET, &r, NULL, V_TEXT(id));
	if (rc == 0 && r.nrows == 0)
		rc = store_fail(st, STORE_ERR_NOT_FOUND, "no message %.64s", id);
	if (rc == 0)
		rc = store_msg_from_row(&r, 0, out);
	store_res_clear(&r);
	if (rc == 0) {
		rc = store_load_parts(st, out);
		if (rc < 0)
			store_message_clear(out);
	}
	return rc;
}

/* A cursor is the id of the last row of the previous page: "msg_" + 26 base-32 characters. */
static bool cursor_valid(const char *c)
{
	if (strncmp(c, "msg_", 4) != 0 || strlen(c) != 30)
		return false;
	for (const char *p = c + 4; *p; p++)
		if (!strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", *p))
			return false;
	return true;
}

int store_message_list(struct store *st, const struct store_list_filter *f,
		       struct store_message **out, size_t *n_out,
		       char next_cursor[STORE_CURSOR_SIZE])
{
	struct store_res r = {0};
	int limit = f->limit ? f->limit : 100;
	const char *state = NULL;
	int rc;

	*out = NULL;
	*n_out = 0;
	next_cursor[0] = '\0';
	if (limit < 1 || limit > 500)
		return store_fail(st, STORE_ERR_INVALID, "limit must be 1-500");
	if (f->state >= 0) {
		state = store_msg_state_name((enum store_msg_state)f->state);
		if (!state)
			return store_fail(st, STORE_ERR_INVALID, "bad state");
	}
	if (f->cursor && !cursor_valid(f->cursor))
		return store_fail(st, STORE_ERR_INVALID, "bad cursor");
	rc = SX(st, f->newest_first ? STMT_MSG_LIST_DESC : STMT_MSG_LIST_ASC, &r, NULL,
		V_TEXT(state), V_TEXT(f->recipient), V_TS(f->since), V_TS(f->until),
		V_TEXT(f->cursor), V_INT(limit + 1));
	if (rc < 0)
		return rc;
	int n = r.nrows > limit ? limit : r.nrows;
	if (n > 0) {
		*out = calloc((size_t)n, sizeof(**out));
		if (!*out) {
			store_res_clear(&r);
			return store_fail(st, STORE_ERR_NOMEM, "out of memory");
		}
	}
	for (int i = 0; i < n; i++) {
		rc = store_msg_from_row(&r, i, &(*out)[i]);
		if (rc < 0) {
			store_message_free_array(*out, (size_t)i);
			*out = NULL;
			store_res_clear(&r);
			return store_fail(st, rc, "out of memory");
		}
	}
	*n_out = (size_t)n;
	if (r.nrows > limit)
		snprintf(next_cursor, STORE_CURSOR_SIZE, "%s", (*out)[n - 1].id);
	store_res_clear(&r);
	return 0;
}

int store_pinned_waiting(struct store *st, int64_t older_than, int limit,
			 struct store_message **out, size_t *n_out)
{
	struct store_res r = {0};
	int rc;

	*out = NULL;
	*n_out = 0;
	if (limit <= 0)
		limit = 100;
	rc = SX(st, STMT_PINNED_WAITING, &r, NULL, V_INT(older_than), V_INT(limit));
	if (rc == 0 && r.nrows > 0) {
		*out = calloc((size_t)r.nrows, sizeof(**out));
		if (!*out)
			rc = store_fail(st, STORE_ERR_NOMEM, "out of memory");
		for (int i = 0; rc == 0 && i < r.nrows; i++) {
			rc = store_msg_from_row(&r, i, &(*out)[i]);
			if (rc == 0)
				(*n_out)++;
		}
		if (rc < 0) {
			store_message_free_array(*out, *n_out);
			*out = NULL;
			*n_out = 0;
		}
	}
	store_res_clear(&r);
	return rc < 0 ? rc : (int)*n_out;
}

int store_event_list(struct store *st, const char *message_id, int64_t after_seq, int limit,
		     struct store_event **out, size_t *n_out)
{
	struct store_res r = {0};
	bool oom = false;
	int rc;

	*out = NULL;
	*n_out = 0;
	if (limit <= 0)
		limit = 1000;
	if (message_id)
		rc = SX(st, STMT_EVENTS_OF, &r, NULL, V_TEXT(message_id), V_INT(after_seq),
			V_INT(limit));
	else
		rc = SX(st, STMT_EVENTS_AFTER, &r, NULL, V_INT(after_seq), V_INT(limit));
	if (rc < 0)
		return rc;
	if (r.nrows > 0) {
		*out = calloc((size_t)r.nrows, sizeof(**out));
		if (!*out) {
			store_res_clear(&r);
			return store_fail(st, STORE_ERR_NOMEM, "out of memory");
		}
	}
	for (int i = 0; i < r.nrows; i++) {
		struct store_event *e = &(*out)[i];
		const char *id = res_str(&r, i, 1);
		e->seq = res_i64(&r, i, 0, 0);
		snprintf(e->id, sizeof(e->id), "%s", id ? id : "");
		e->type = store_res_strdup(&r, i, 2, &oom);
		e->created_at = res_i64(&r, i, 3, 0);
		e->message_id = store_res_strdup(&r, i, 4, &oom);
		e->modem = store_res_strdup(&r, i, 5, &oom);
		e->payload = store_res_strdup(&r, i, 6, &oom);
	}
	*n_out = (size_t)r.nrows;
	store_res_clear(&r);
	if (oom) {
		store_event_free_array(*out, *n_out);
		*out = NULL;
		*n_out = 0;
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	}
	return 0;
}

int store_count_states(struct store *st, int64_t counts[STORE_MSG_STATE_COUNT])
{
	struct store_res r = {0};
	int rc = sx(st, STMT_COUNT_STATES, NULL, 0, &r, NULL);

	memset(counts, 0, sizeof(int64_t) * STORE_MSG_STATE_COUNT);
	for (int i = 0; rc == 0 && i < r.nrows; i++) {
		int s = store_msg_state_parse(res_str(&r, i, 0));
		if (s >= 0)
			counts[s] = res_i64(&r, i, 1, 0);
	}
	store_res_clear(&r);
	return rc;
}

int64_t store_queued_count(struct store *st)
{
	struct store_res r = {0};
	int rc = sx(st, STMT_COUNT_QUEUED, NULL, 0, &r, NULL);
	int64_t n = rc < 0 ? rc : res_i64(&r, 0, 0, 0);

	store_res_clear(&r);
	return n;
}
