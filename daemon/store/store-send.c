/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store: the sending side of the state machine. Claims, and every part transition, each
 * fenced by the claim epoch: an update that matches no row means this node lost the message.
 */
#include "store-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tell a fenced miss apart: no such message (NOT_FOUND) or claim lost (FENCED). */
static int fence_miss(struct store *st, const char *id, int64_t epoch)
{
	struct store_res r = {0};
	int rc = SX(st, STMT_MSG_STATE, &r, NULL, V_TEXT(id));

	if (rc == 0 && r.nrows == 0)
		rc = store_fail(st, STORE_ERR_NOT_FOUND, "no message %.64s", id);
	else if (rc == 0)
		rc = store_fail(st, STORE_ERR_FENCED,
				"message %.64s: claim epoch %lld lost (now %s, epoch %s)", id,
				(long long)epoch, res_str(&r, 0, 0), res_str(&r, 0, 1));
	store_res_clear(&r);
	return rc;
}

/* The fenced touch every transition starts with. */
static int fence(struct store *st, const char *id, int64_t epoch)
{
	int64_t n;
	int rc = SX(st, STMT_FENCE, NULL, &n, V_TEXT(id), V_INT(epoch), V_INT(store_now(st)));

	if (rc == 0 && n == 0)
		rc = fence_miss(st, id, epoch);
	return rc;
}

int store_join_pools(struct store *st, const char *const *pools, size_t n, char **out)
{
	size_t len = 1;
	char *s;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!pools[i] || strchr(pools[i], ','))
			return store_fail(st, STORE_ERR_INVALID, "bad pool name");
		len += strlen(pools[i]) + 1;
	}
	s = malloc(len);
	if (!s)
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	s[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, pools[i]);
	}
	*out = s;
	return 0;
}

int store_claimed_load(struct store *st, const struct store_res *r, struct store_message **out,
		       int *n)
{
	int rc = 0;

	*n = 0;
	if (r->nrows <= 0)
		return 0;
	*out = calloc((size_t)r->nrows, sizeof(**out));
	if (!*out)
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	for (int i = 0; rc == 0 && i < r->nrows; i++) {
		rc = store_msg_from_row(r, i, &(*out)[i]);
		if (rc == 0) {
			(*n)++;
			rc = store_load_parts(st, &(*out)[i]);
		}
	}
	if (rc < 0)
		return rc;
	/* RETURNING does not promise an order: priority DESC, id ASC */
	for (int i = 1; i < *n; i++)
		for (int k = i; k > 0; k--) {
			struct store_message *a = &(*out)[k - 1], *b = &(*out)[k];
			if (a->priority > b->priority ||
			    (a->priority == b->priority && strcmp(a->id, b->id) < 0))
				break;
			struct store_message t = *a;
			*a = *b;
			*b = t;
		}
	return 0;
}

int store_claim(struct store *st, const struct store_claim_req *req, struct store_message **out,
		size_t *n_out)
{
	struct store_res r = {0};
	char *pools = NULL;
	int64_t now = store_now(st);
	int rc, n = 0;

	*out = NULL;
	*n_out = 0;
	if (!req || !req->modem || req->limit < 1 || req->lease_ms <= 0)
		return store_fail(st, STORE_ERR_INVALID, "claim needs a modem, limit and lease");
	rc = store_join_pools(st, req->pools, req->n_pools, &pools);
	if (rc < 0)
		return rc;
	rc = tx_begin(st);
	if (rc < 0) {
		free(pools);
		return rc;
	}
	if (st->drv == &store_driver_sqlite) {
		struct store_res ids = {0};
		rc = SX(st, STMT_CLAIM_PICK, &ids, NULL, V_INT(now), V_TEXT(req->modem),
			V_TEXT(pools), V_TEXT(req->sim_iccid), V_INT(req->limit));
		for (int i = 0; rc == 0 && i < ids.nrows; i++) {
			int64_t ch;
			rc = SX(st, STMT_CLAIM_ONE, NULL, &ch, V_TEXT(res_str(&ids, i, 0)),
				V_TEXT(req->modem), V_TEXT(st->node_id), V_INT(now + req->lease_ms),
				V_INT(now));
			if (rc == 0 && ch == 1)
				rc = SX(st, STMT_MSG_GET, &r, NULL, V_TEXT(res_str(&ids, i, 0)));
		}
		store_res_clear(&ids);
	} else {
		rc = SX(st, STMT_CLAIM, &r, NULL, V_INT(now), V_TEXT(req->modem), V_TEXT(pools),
			V_TEXT(req->sim_iccid), V_INT(req->limit), V_TEXT(st->node_id),
			V_INT(now + req->lease_ms));
	}
	if (rc == 0)
		rc = store_claimed_load(st, &r, out, &n);
	rc = tx_end(st, rc);
	store_res_clear(&r);
	free(pools);
	if (rc < 0) {
		store_message_free_array(*out, (size_t)n);
		*out = NULL;
		return rc;
	}
	*n_out = (size_t)n;
	return n;
}

int store_lease_renew(struct store *st, const char *id, int64_t epoch, int64_t lease_ms)
{
	int64_t now = store_now(st), n;
	int rc = tx_begin(st);

	if (rc == 0)
		rc = SX(st, STMT_LEASE, NULL, &n, V_TEXT(id), V_INT(epoch), V_INT(now + lease_ms),
			V_INT(now));
	if (rc == 0 && n == 0)
		rc = fence_miss(st, id, epoch);
	return tx_end(st, rc);
}

int store_claim_release(struct store *st, const char *id, int64_t epoch)
{
	int64_t n;
	int rc = tx_begin(st);

	if (rc == 0)
		rc = SX(st, STMT_RELEASE, NULL, &n, V_TEXT(id), V_INT(epoch), V_INT(store_now(st)));
	if (rc == 0 && n == 0)
		rc = fence_miss(st, id, epoch);
	return tx_end(st, rc);
}

static int part_state_error(struct store *st, const char *id, int seq, const char *want)
{
	return store_fail(st, STORE_ERR_STATE, "message %.64s part %d is not %s", id, seq, want);
}

int store_part_sending(struct store *st, const char *id, int64_t epoch, int seq, const char *modem,
		       const char *sim_iccid, int attempt, int expected_mr, int concat_ref)
{
	int64_t now = store_now(st), n;
	int rc;

	if (!id || seq < 1 || !modem || expected_mr > 255)
		return store_fail(st, STORE_ERR_INVALID, "bad part_sending arguments");
	rc = tx_begin(st);
	if (rc == 0)
		rc = SX(st, STMT_MSG_SENDING, NULL, &n, V_TEXT(id), V_INT(epoch), V_INT(now),
			V_INT(attempt), V_TEXT(sim_iccid), V_OPT(concat_ref), V_TEXT(modem));
	if (rc == 0 && n == 0)
		rc = fence_miss(st, id, epoch);
	if (rc == 0)
		rc = SX(st, STMT_PART_SENDING, NULL, &n, V_TEXT(id), V_INT(seq), V_TEXT(modem),
			V_TEXT(sim_iccid), V_INT(attempt), V_OPT(expected_mr), V_INT(now));
	if (rc == 0 && n == 0)
		rc = part_state_error(st, id, seq, "queued");
	return tx_end(st, rc);
}

int store_part_storage_index(struct store *st, const char *id, int64_t epoch, int seq,
			     int storage_index, bool probe)
{
	int64_t n;
	int rc = tx_begin(st);

	if (rc == 0)
		rc = fence(st, id, epoch);
	if (rc == 0)
		rc = SX(st, STMT_PART_STORAGE, NULL, &n, V_TEXT(id), V_INT(seq),
			V_OPT(storage_index), V_TEXT(probe ? "storage.probe" : NULL));
	if (rc == 0 && n == 0)
		rc = part_state_error(st, id, seq, "queued or sending");
	return tx_end(st, rc);
}

int store_part_sent(struct store *st, const char *id, int64_t epoch, int seq, int mr)
{
	struct store_res r = {0};
	int64_t now = store_now(st), n;
	int rc;

	if (mr < -1 || mr > 255)
		return store_fail(st, STORE_ERR_INVALID, "TP-MR %d out of range", mr);
	rc = tx_begin(st);
	if (rc == 0)
		rc = fence(st, id, epoch);
	if (rc == 0)
		rc = SX(st, STMT_PART_SENT, &r, &n, V_TEXT(id), V_INT(seq), V_OPT(mr), V_INT(now));
	if (rc == 0 && n == 0)
		rc = part_state_error(st, id, seq, "sending");
	if (rc == 0 && r.nrows == 0)
		rc = SX(st, STMT_PART_MODEM, &r, NULL, V_TEXT(id), V_INT(seq));
	if (rc == 0 && res_str(&r, 0, 0) && mr >= 0) {
		const char *modem = res_str(&r, 0, 0);
		rc = SX(st, STMT_MR_ADVANCED, NULL, NULL, V_TEXT(modem), V_INT(mr));
		if (rc == 0)
			rc = SX(st, STMT_MODEM_MR, NULL, NULL, V_TEXT(st->node_id), V_TEXT(modem),
				V_INT(mr), V_INT(now));
	}
	if (rc == 0)
		rc = SX(st, STMT_MSG_ALL_SENT, NULL, &n, V_TEXT(id), V_INT(now));
	if (rc == 0 && n > 0) {
		struct jbuf b;
		jb_init(&b);
		jb_str(&b, "state", "sent");
		jb_int(&b, "part", seq);
		if (mr >= 0)
			jb_int(&b, "mr", mr);
		rc = store_msg_event(st, "message.sent", id, res_str(&r, 0, 0), &b);
	}
	store_res_clear(&r);
	return tx_end(st, rc);
}

/* Whether the message is at_least_once; its modem into @modem (malloc'd) if asked. */
static int msg_flags(struct store *st, const char *id, bool *alo, char **modem)
{
	struct store_res r = {0};
	int rc = SX(st, STMT_MSG_FLAGS, &r, NULL, V_TEXT(id));

	*alo = rc == 0 && res_i64(&r, 0, 0, 0) != 0;
	if (modem)
		*modem = rc == 0 ? res_dup(&r, 0, 1) : NULL;
	store_res_clear(&r);
	return rc;
}

int store_msg_unknown(struct store *st, const char *id, int seq, const char *code, const char *text,
		      int64_t retry_at)
{
	int64_t now = store_now(st);
	char *modem = NULL;
	bool alo;
	int rc = msg_flags(st, id, &alo, &modem);

	if (rc == 0)
		rc = SX(st, STMT_MSG_SET, NULL, NULL, V_TEXT(id), V_TEXT("unknown"), V_INT(now),
			V_TEXT(code), V_TEXT("ambiguous"), V_TEXT(text), V_INT(1), V_TS(0));
	if (rc == 0) {
		struct jbuf b;
		jb_init(&b);
		jb_str(&b, "state", "unknown");
		if (seq > 0)
			jb_int(&b, "part", seq);
		jb_str(&b, "code", code);
		jb_bool(&b, "retry", retry_at > 0);
		rc = store_msg_event(st, "message.unknown", id, modem, &b);
	}
	if (rc == 0 && retry_at > 0) {
		rc = SX(st, STMT_PARTS_UNKNOWN_TO_QUEUED, NULL, NULL, V_TEXT(id));
		if (rc == 0)
			rc = SX(st, STMT_MSG_SET_KEEP, NULL, NULL, V_TEXT(id), V_TEXT("queued"),
				V_INT(now), V_INT(0), V_INT(retry_at));
		if (rc == 0) {
			struct jbuf b;
			jb_init(&b);
			jb_str(&b, "state", "queued");
			jb_str(&b, "reason", alo ? "at_least_once" : "on_unknown");
			rc = store_msg_event(st, "message.queued", id, modem, &b);
		}
	}
	free(modem);
	return rc;
}

int store_part_unknown(struct store *st, const char *id, int64_t epoch, int seq,
		       const char *error_code, const char *error_text, int64_t retry_at)
{
	int64_t n;
	int rc = tx_begin(st);

	if (rc == 0)
		rc = fence(st, id, epoch);
	if (rc == 0)
		rc = SX(st, STMT_PART_SET, NULL, &n, V_TEXT(id), V_INT(seq), V_TEXT("unknown"),
			V_TEXT(error_code), V_TEXT("sending"));
	if (rc == 0 && n == 0)
		rc = part_state_error(st, id, seq, "sending");
	if (rc == 0)
		rc = store_msg_unknown(st, id, seq, error_code, error_text, retry_at);
	return tx_end(st, rc);
}

int store_part_requeue(struct store *st, const char *id, int64_t epoch, int seq,
		       const struct store_error_info *err, int64_t retry_at, bool count_attempt)
{
	static const struct store_error_info none = {0};
	int64_t n;
	int rc;

	if (!err)
		err = &none;
	rc = tx_begin(st);
	if (rc == 0)
		rc = fence(st, id, epoch);
	if (rc == 0)
		rc = SX(st, STMT_PART_SET, NULL, &n, V_TEXT(id), V_INT(seq), V_TEXT("queued"),
			V_TEXT(err->code), V_TEXT("sending"));
	if (rc == 0 && n == 0)
		rc = part_state_error(st, id, seq, "sending");
	if (rc == 0)
		rc = SX(st, STMT_UNPIN, NULL, NULL, V_TEXT(id));
	if (rc == 0 && !count_attempt) {
		rc = SX(st, STMT_PART_UNCOUNT, NULL, NULL, V_TEXT(id), V_INT(seq));
		if (rc == 0)
			rc = SX(st, STMT_MSG_ATTEMPTS, NULL, NULL, V_TEXT(id));
	}
	if (rc == 0)
		rc = SX(st, STMT_MSG_SET, NULL, NULL, V_TEXT(id), V_TEXT("queued"),
			V_INT(store_now(st)), V_TEXT(err->code), V_TEXT(err->class_),
			V_TEXT(err->text), V_INT(0), V_TS(retry_at));
	if (rc == 0) {
		struct jbuf b;
		jb_init(&b);
		jb_str(&b, "state", "queued");
		jb_int(&b, "part", seq);
		jb_str(&b, "code", err->code);
		jb_str(&b, "class", err->class_);
		jb_int(&b, "next_attempt_at", retry_at);
		rc = store_msg_event(st, "message.queued", id, NULL, &b);
	}
	return tx_end(st, rc);
}

int store_part_failed(struct store *st, const char *id, int64_t epoch, int seq,
		      const struct store_error_info *err)
{
	static const struct store_error_info none = {0};
	int64_t n;
	int rc;

	if (!err)
		err = &none;
	rc = tx_begin(st);
	if (rc == 0)
		rc = fence(st, id, epoch);
	if (rc == 0 && seq > 0) {
		rc = SX(st, STMT_PART_SET, NULL, &n, V_TEXT(id), V_INT(seq), V_TEXT("failed"),
			V_TEXT(err->code), V_TEXT("sending"));
		if (rc == 0 && n == 0)
			rc = SX(st, STMT_PART_SET, NULL, &n, V_TEXT(id), V_INT(seq),
				V_TEXT("failed"), V_TEXT(err->code), V_TEXT("queued"));
		if (rc == 0 && n == 0)
			rc = part_state_error(st, id, seq, "sending or queued");
	}
	if (rc == 0)
		rc = SX(st, STMT_MSG_SET, NULL, NULL, V_TEXT(id), V_TEXT("failed"),
			V_INT(store_now(st)), V_TEXT(err->code),
			V_TEXT(err->class_ ? err->class_ : "permanent"), V_TEXT(err->text),
			V_INT(1), V_TS(0));
	if (rc == 0) {
		struct jbuf b;
		jb_init(&b);
		jb_str(&b, "state", "failed");
		if (seq > 0)
			jb_int(&b, "part", seq);
		jb_str(&b, "code", err->code);
		jb_str(&b, "class", err->class_ ? err->class_ : "permanent");
		jb_str(&b, "message", err->text);
		rc = store_msg_event(st, "message.failed", id, NULL, &b);
	}
	return tx_end(st, rc);
}

/* ---- message-level ---- */

static int state_miss(struct store *st, const char *id, const char *want)
{
	struct store_res r = {0};
	int rc = SX(st, STMT_MSG_STATE, &r, NULL, V_TEXT(id));

	if (rc == 0 && r.nrows == 0)
		rc = store_fail(st, STORE_ERR_NOT_FOUND, "no message %.64s", id);
	else if (rc == 0)
		rc = store_fail(st, STORE_ERR_STATE, "message %.64s is %s, not %s", id,
				res_str(&r, 0, 0), want);
	store_res_clear(&r);
	return rc;
}

int store_message_cancel(struct store *st, const char *id)
{
	int64_t n;
	int rc = tx_begin(st);

	if (rc == 0)
		rc = SX(st, STMT_CANCEL, NULL, &n, V_TEXT(id), V_INT(store_now(st)));
	if (rc == 0 && n == 0)
		rc = state_miss(st, id, "queued");
	if (rc == 0) {
		struct jbuf b;
		jb_init(&b);
		jb_str(&b, "state", "cancelled");
		rc = store_msg_event(st, "message.cancelled", id, NULL, &b);
	}
	return tx_end(st, rc);
}

int store_expire_due(struct store *st, int limit)
{
	struct store_res r = {0};
	int rc;

	if (limit <= 0)
		limit = 100;
	rc = tx_begin(st);
	if (rc == 0)
		rc = SX(st, STMT_EXPIRE_DUE, &r, NULL, V_INT(store_now(st)), V_INT(limit));
	for (int i = 0; rc == 0 && i < r.nrows; i++) {
		struct jbuf b;
		jb_init(&b);
		jb_str(&b, "state", "expired");
		rc = store_msg_event(st, "message.expired", res_str(&r, i, 0), NULL, &b);
	}
	rc = tx_end(st, rc);
	if (rc == 0)
		rc = r.nrows;
	store_res_clear(&r);
	return rc;
}

int store_message_expire(struct store *st, const char *id, int64_t epoch)
{
	int64_t n;
	int rc = tx_begin(st);

	if (rc == 0)
		rc = fence(st, id, epoch);
	if (rc == 0)
		rc = SX(st, STMT_EXPIRE_ONE, NULL, &n, V_TEXT(id), V_INT(epoch),
			V_INT(store_now(st)));
	if (rc == 0 && n == 0)
		rc = store_fail(st, STORE_ERR_STATE, "message %.64s has a part past queued", id);
	if (rc == 0) {
		struct jbuf b;
		jb_init(&b);
		jb_str(&b, "state", "expired");
		rc = store_msg_event(st, "message.expired", id, NULL, &b);
	}
	return tx_end(st, rc);
}

int store_message_resend(struct store *st, const char *id, const char *const *pdus, size_t n_pdus,
			 int concat_ref, char new_id_out[STORE_ID_SIZE])
{
	struct store_message m;
	char nid[STORE_ID_SIZE];
	int rc = tx_begin(st);

	if (rc < 0)
		return rc;
	rc = store_message_get(st, id, &m);
	if (rc == 0 && m.state != STORE_MSG_UNKNOWN && m.state != STORE_MSG_FAILED)
		rc = store_fail(st, STORE_ERR_STATE,
				"message %.64s is %s: only unknown or failed "
				"messages are resent",
				id, store_msg_state_name(m.state));
	if (rc == 0 && pdus && n_pdus != (size_t)m.parts)
		rc = store_fail(st, STORE_ERR_INVALID, "%zu PDUs for %d parts", n_pdus, m.parts);
	if (rc == 0) {
		int64_t now = store_now(st);
		store_new_id(st, "msg_", nid);
		rc = SX(st, STMT_RESEND_COPY, NULL, NULL, V_TEXT(nid), V_INT(now), V_TEXT(id),
			V_OPT(concat_ref));
	}
	if (rc == 0 && pdus) {
		for (size_t i = 0; rc == 0 && i < n_pdus; i++)
			rc = SX(st, STMT_PART_INSERT, NULL, NULL, V_TEXT(nid), V_INT(i + 1),
				V_TEXT(pdus[i]));
	} else if (rc == 0) {
		rc = SX(st, STMT_RESEND_PARTS, NULL, NULL, V_TEXT(nid), V_TEXT(id));
	}
	if (rc == 0) {
		struct jbuf b;
		jb_init(&b);
		jb_str(&b, "state", "queued");
		jb_str(&b, "to", m.recipient);
		jb_int(&b, "parts", m.parts);
		jb_str(&b, "resend_of", id);
		rc = store_msg_event(st, "message.queued", nid, NULL, &b);
	}
	store_message_clear(&m);
	rc = tx_end(st, rc);
	if (rc == 0 && new_id_out)
		memcpy(new_id_out, nid, STORE_ID_SIZE);
	return rc;
}

int store_message_resend_whole(struct store *st, const char *id, int64_t epoch,
			       const char *const *pdus, size_t n_pdus, int concat_ref)
{
	struct store_message m;
	int64_t n;
	int rc = tx_begin(st);

	if (rc < 0)
		return rc;
	rc = store_message_get(st, id, &m);
	if (rc == 0 && (!pdus || n_pdus != (size_t)m.parts))
		rc = store_fail(st, STORE_ERR_INVALID, "resend_whole needs %d PDUs", m.parts);
	if (rc == 0)
		rc = SX(st, STMT_MSG_RESET, NULL, &n, V_TEXT(id),
			epoch >= 0 ? V_INT(epoch) : V_TEXT(NULL), V_INT(store_now(st)),
			V_OPT(concat_ref));
	if (rc == 0 && n == 0)
		rc = epoch >= 0 ? fence_miss(st, id, epoch)
				: store_fail(st, STORE_ERR_STATE,
					     "message %.64s is not queued/unknown or has a part "
					     "sending",
					     id);
	for (size_t i = 0; rc == 0 && i < n_pdus; i++) {
		rc = SX(st, STMT_PART_RESET, NULL, &n, V_TEXT(id), V_INT(i + 1), V_TEXT(pdus[i]));
		if (rc == 0 && n == 0)
			rc = part_state_error(st, id, (int)i + 1, "resettable");
	}
	if (rc == 0) {
		struct jbuf b;
		jb_init(&b);
		jb_str(&b, "state", "queued");
		jb_str(&b, "reason", "resent_whole");
		jb_str(&b, "lost_modem", m.modem);
		jb_int(&b, "concat_ref", concat_ref);
		rc = store_msg_event(st, "message.resent_whole", id, m.modem, &b);
	}
	store_message_clear(&m);
	return tx_end(st, rc);
}

int store_message_set_waiting(struct store *st, const char *id, const char *waiting)
{
	int64_t n;
	int rc = tx_begin(st);

	if (rc == 0)
		rc = SX(st, STMT_SET_WAITING, NULL, &n, V_TEXT(id), V_TEXT(waiting));
	if (rc == 0 && n == 0)
		rc = state_miss(st, id, "queued");
	return tx_end(st, rc);
}

int store_storage_pending(struct store *st, const char *modem, struct store_slot_part **out,
			  size_t *n_out)
{
	struct store_res r = {0};
	int rc;

	*out = NULL;
	*n_out = 0;
	if (!modem)
		return store_fail(st, STORE_ERR_INVALID, "no modem");
	rc = SX(st, STMT_STORAGE_PENDING, &r, NULL, V_TEXT(st->node_id), V_TEXT(modem));
	if (rc == 0 && r.nrows > 0) {
		*out = calloc((size_t)r.nrows, sizeof(**out));
		if (!*out)
			rc = store_fail(st, STORE_ERR_NOMEM, "out of memory");
	}
	for (int i = 0; rc == 0 && i < r.nrows; i++) {
		struct store_slot_part *p = &(*out)[i];
		snprintf(p->id, sizeof(p->id), "%s", res_str(&r, i, 0) ? res_str(&r, i, 0) : "");
		p->epoch = res_i64(&r, i, 1, 0);
		p->seq = (int)res_i64(&r, i, 2, 0);
		p->storage_index = (int)res_i64(&r, i, 3, -1);
		p->probe = res_str(&r, i, 4) && strcmp(res_str(&r, i, 4), "storage.probe") == 0;
		(*n_out)++;
	}
	store_res_clear(&r);
	return rc;
}
