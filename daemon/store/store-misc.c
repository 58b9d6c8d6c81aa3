/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store: status reports, the inbox, modems and nodes, recovery and retention.
 */
#include "store-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Apply what the parts now say to the message after a report (inside the transaction). */
static int report_settle(struct store *st, const char *id, int status)
{
	struct store_res parts = {0}, cur = {0};
	int64_t now = store_now(st);
	bool any_unknown = false, any_queued = false, all_sent = true, all_delivered = true;
	bool any_undelivered = false;
	int rc = SX(st, STMT_PART_STATES, &parts, NULL, V_TEXT(id));

	if (rc == 0)
		rc = SX(st, STMT_MSG_STATE, &cur, NULL, V_TEXT(id));
	if (rc < 0)
		goto out;
	for (int i = 0; i < parts.nrows; i++) {
		const char *ps = res_str(&parts, i, 1);
		int64_t rs = res_i64(&parts, i, 2, -1);
		any_unknown |= strcmp(ps, "unknown") == 0;
		any_queued |= strcmp(ps, "queued") == 0;
		all_sent &= strcmp(ps, "sent") == 0;
		all_delivered &= rs >= 0 && rs < 0x20;
		any_undelivered |= rs >= 0x40;
	}
	int state = store_msg_state_parse(res_str(&cur, 0, 0));
	if (state == STORE_MSG_UNKNOWN && !any_unknown) {
		/* the evidence resolved the last unknown part */
		if (any_queued || !all_sent) {
			rc = SX(st, STMT_MSG_SET_KEEP, NULL, NULL, V_TEXT(id), V_TEXT("queued"),
				V_INT(now), V_INT(0), V_TS(0));
			if (rc == 0) {
				struct jbuf b;
				jb_init(&b);
				jb_str(&b, "state", "queued");
				jb_str(&b, "reason", "report_resolved_unknown");
				rc = store_msg_event(st, "message.queued", id, NULL, &b);
			}
			goto out;
		}
		rc = SX(st, STMT_MSG_ALL_SENT, NULL, NULL, V_TEXT(id), V_INT(now));
		if (rc == 0) {
			struct jbuf b;
			jb_init(&b);
			jb_str(&b, "state", "sent");
			jb_str(&b, "reason", "report_resolved_unknown");
			rc = store_msg_event(st, "message.sent", id, NULL, &b);
		}
		if (rc < 0)
			goto out;
		state = STORE_MSG_SENT;
	}
	if (status >= 0x20 && status < 0x40)
		goto out; /* the SMSC is still trying */
	if (any_undelivered && (state == STORE_MSG_SENT || state == STORE_MSG_DELIVERED)) {
		rc = SX(st, STMT_MSG_SET_KEEP, NULL, NULL, V_TEXT(id), V_TEXT("undelivered"),
			V_INT(now), V_INT(1), V_TS(0));
		if (rc == 0) {
			struct jbuf b;
			jb_init(&b);
			jb_str(&b, "state", "undelivered");
			jb_int(&b, "status", status);
			rc = store_msg_event(st, "message.undelivered", id, NULL, &b);
		}
	} else if (all_delivered && state == STORE_MSG_SENT) {
		rc = SX(st, STMT_MSG_SET_KEEP, NULL, NULL, V_TEXT(id), V_TEXT("delivered"),
			V_INT(now), V_INT(1), V_TS(0));
		if (rc == 0) {
			struct jbuf b;
			jb_init(&b);
			jb_str(&b, "state", "delivered");
			jb_int(&b, "status", status);
			rc = store_msg_event(st, "message.delivered", id, NULL, &b);
		}
	}
out:
	store_res_clear(&parts);
	store_res_clear(&cur);
	return rc;
}

int store_report_match(struct store *st, const char *sim_iccid, int mr, const char *recipient,
		       int status, int64_t report_wait_ms, char message_id_out[STORE_ID_SIZE])
{
	struct store_res r = {0};
	int64_t now = store_now(st);
	char id[STORE_ID_SIZE] = "";
	int rc;

	if (!sim_iccid || !recipient || mr < 0 || mr > 255 || status < 0 || status > 255)
		return store_fail(st, STORE_ERR_INVALID, "bad status report arguments");
	rc = tx_begin(st);
	if (rc < 0)
		return rc;
	rc = SX(st, STMT_REPORT_FIND, &r, NULL, V_TEXT(sim_iccid), V_INT(mr), V_TEXT(recipient),
		V_INT(now - report_wait_ms));
	if (rc == 0 && r.nrows == 1) {
		snprintf(id, sizeof(id), "%s", res_str(&r, 0, 0));
		rc = SX(st, STMT_REPORT_SET, NULL, NULL, V_TEXT(id), V_INT(res_i64(&r, 0, 1, 0)),
			V_INT(status), V_INT(now), V_INT(mr));
		if (rc == 0)
			rc = report_settle(st, id, status);
	}
	if (rc == 0)
		rc = r.nrows == 1 ? 1 : 0;
	store_res_clear(&r);
	rc = tx_end(st, rc);
	if (rc == 1 && message_id_out)
		memcpy(message_id_out, id, STORE_ID_SIZE);
	return rc;
}

int store_inbox_insert(struct store *st, struct store_inbox *in, bool *duplicate)
{
	int64_t n;
	int rc;

	*duplicate = false;
	if (!in->sender || !in->text || !in->dedupe_key)
		return store_fail(st, STORE_ERR_INVALID,
				  "inbox row needs sender, text, dedupe_key");
	rc = tx_begin(st);
	if (rc < 0)
		return rc;
	store_new_id(st, "msg_", in->id);
	rc = SX(st, STMT_INBOX_INSERT, NULL, &n, V_TEXT(in->id),
		V_INT(in->received_at ? in->received_at : store_now(st)), V_TEXT(in->modem),
		V_TEXT(in->sim_iccid), V_TEXT(in->sender), V_TEXT(in->text), V_TEXT(in->coding),
		V_TEXT(in->smsc), V_TS(in->sc_timestamp), V_INT(in->parts > 0 ? in->parts : 1),
		V_BOOL(in->complete), V_OPT(in->class_), V_TEXT(in->dedupe_key));
	if (rc == 0 && n == 0) {
		*duplicate = true;
		in->id[0] = '\0';
	} else if (rc == 0 && in->event_payload) {
		rc = store_event_write(st, "sms.received", in->id, in->modem, in->event_payload);
	} else if (rc == 0) {
		struct jbuf b;
		jb_init(&b);
		jb_str(&b, "id", in->id);
		jb_str(&b, "from", in->sender);
		jb_str(&b, "modem", in->modem);
		jb_str(&b, "sim_iccid", in->sim_iccid);
		jb_int(&b, "parts", in->parts > 0 ? in->parts : 1);
		rc = store_msg_event(st, "sms.received", in->id, in->modem, &b);
	}
	return tx_end(st, rc);
}

int store_modem_upsert(struct store *st, const struct store_modem *m)
{
	int rc;

	if (!m || !m->name)
		return store_fail(st, STORE_ERR_INVALID, "modem name missing");
	rc = tx_begin(st);
	if (rc == 0)
		rc = SX(st, STMT_MODEM_UPSERT, NULL, NULL, V_TEXT(m->name), V_TEXT(st->node_id),
			V_TEXT(m->imei), V_TEXT(m->iccid), V_TEXT(m->imsi), V_TEXT(m->operator_),
			V_TEXT(m->state), V_TEXT(m->state_reason), V_OPT(m->last_mr),
			V_INT(store_now(st)));
	return tx_end(st, rc);
}

int store_modem_last_mr(struct store *st, const char *name)
{
	struct store_res r = {0};
	int rc = SX(st, STMT_MODEM_LAST_MR, &r, NULL, V_TEXT(st->node_id), V_TEXT(name));

	if (rc == 0)
		rc = (int)res_i64(&r, 0, 0, -1);
	store_res_clear(&r);
	return rc;
}

int store_node_heartbeat(struct store *st, const char *version)
{
	int rc = tx_begin(st);

	if (rc == 0)
		rc = SX(st, STMT_HEARTBEAT, NULL, NULL, V_TEXT(st->node_id), V_INT(store_now(st)),
			V_TEXT(version));
	return tx_end(st, rc);
}

int store_dead_nodes(struct store *st, int64_t lease_ms, char ***out, size_t *n_out)
{
	struct store_res r = {0};
	int rc =
	    SX(st, STMT_DEAD_NODES, &r, NULL, V_INT(store_now(st) - lease_ms), V_TEXT(st->node_id));

	*out = NULL;
	*n_out = 0;
	if (rc == 0 && r.nrows > 0) {
		*out = calloc((size_t)r.nrows, sizeof(char *));
		if (!*out)
			rc = store_fail(st, STORE_ERR_NOMEM, "out of memory");
		for (int i = 0; rc == 0 && i < r.nrows; i++) {
			(*out)[i] = res_dup(&r, i, 0);
			if (!(*out)[i])
				rc = store_fail(st, STORE_ERR_NOMEM, "out of memory");
			else
				(*n_out)++;
		}
		if (rc < 0) {
			store_strv_free(*out, *n_out);
			*out = NULL;
			*n_out = 0;
		}
	}
	store_res_clear(&r);
	return rc;
}

/* ---- recovery ---- */

#define RECOVER_BATCH 200

/* One message with parts left `sending` by a stopped node: parts and message `unknown`. */
static int recover_unknown(struct store *st, const char *id, const char *code, const char *text,
			   bool retry_unknown, struct store_recovery *rec)
{
	struct store_res r = {0};
	int64_t n;
	bool alo;
	int rc = tx_begin(st);

	if (rc < 0)
		return rc;
	rc = SX(st, STMT_MSG_FLAGS, &r, NULL, V_TEXT(id));
	alo = rc == 0 && res_i64(&r, 0, 0, 0) != 0;
	store_res_clear(&r);
	if (rc == 0)
		rc = SX(st, STMT_PARTS_SENDING_UNKNOWN, NULL, &n, V_TEXT(id), V_TEXT(code));
	if (rc == 0 && n > 0)
		rc = store_msg_unknown(st, id, 0, code, text,
				       alo || retry_unknown ? store_now(st) : 0);
	rc = tx_end(st, rc);
	if (rc == 0 && n > 0) {
		rec->parts_unknown += (int)n;
		rec->messages_unknown++;
		if (alo || retry_unknown)
			rec->messages_retried++;
	}
	return rc;
}

/* Run @list (ids), then @each on every id, until a round makes no progress. */
static int recover_ids(struct store *st, enum store_stmt list, const struct store_val *p, int np,
		       int (*each)(struct store *, const char *, void *), void *ctx)
{
	for (int round = 0; round < 1000; round++) {
		struct store_res r = {0};
		int rc = sx(st, list, p, np, &r, NULL);
		int done = 0;

		for (int i = 0; rc == 0 && i < r.nrows; i++) {
			rc = each(st, res_str(&r, i, 0), ctx);
			if (rc > 0)
				done++;
			if (rc > 0)
				rc = 0;
		}
		int nrows = r.nrows;
		store_res_clear(&r);
		if (rc < 0)
			return rc;
		if (nrows < RECOVER_BATCH || done == 0)
			return 0;
	}
	return 0;
}

struct recover_ctx {
	const char *code;
	const char *text;
	bool retry_unknown;
	int64_t alive_since;
	struct store_recovery *rec;
	enum store_stmt release;
};

static int each_unknown(struct store *st, const char *id, void *p)
{
	struct recover_ctx *c = p;
	int before = c->rec->messages_unknown;
	int rc = recover_unknown(st, id, c->code, c->text, c->retry_unknown, c->rec);

	return rc < 0 ? rc : c->rec->messages_unknown > before;
}

static int each_release(struct store *st, const char *id, void *p)
{
	struct recover_ctx *c = p;
	int64_t now = store_now(st), n = 0;
	int rc = tx_begin(st);

	if (rc < 0)
		return rc;
	if (c->release == STMT_RELEASE_MINE)
		rc = SX(st, STMT_RELEASE_MINE, NULL, &n, V_TEXT(id), V_TEXT(st->node_id),
			V_INT(now));
	else if (c->release == STMT_RELEASE_EXPIRED)
		rc = SX(st, STMT_RELEASE_EXPIRED, NULL, &n, V_TEXT(id), V_INT(now));
	else
		rc = SX(st, STMT_RELEASE_DEAD, NULL, &n, V_TEXT(id), V_TEXT(st->node_id),
			V_INT(c->alive_since), V_INT(now));
	rc = tx_end(st, rc);
	if (rc < 0)
		return rc;
	c->rec->claims_released += (int)n;
	return n > 0;
}

int store_recover(struct store *st, bool at_start, int64_t lease_ms, bool retry_unknown,
		  struct store_recovery *rec)
{
	struct store_recovery dummy;
	int64_t now = store_now(st);
	struct recover_ctx c = {
	    .retry_unknown = retry_unknown,
	    .alive_since = now - lease_ms,
	};
	int rc;

	if (!rec)
		rec = &dummy;
	memset(rec, 0, sizeof(*rec));
	c.rec = rec;
	/* this node is alive: never let another node's recovery take what we are sending */
	rc = store_node_heartbeat(st, NULL);
	if (rc < 0)
		return rc;
	if (at_start) {
		c.code = "restart";
		c.text = "smsctld stopped while the part was being sent; it may have been sent";
		rc = recover_ids(
		    st, STMT_RECOVER_SENDING_MINE,
		    (const struct store_val[]){V_TEXT(st->node_id), V_INT(RECOVER_BATCH)}, 2,
		    each_unknown, &c);
		if (rc == 0) {
			c.release = STMT_RELEASE_MINE;
			rc = recover_ids(
			    st, STMT_RECOVER_CLAIMS_MINE,
			    (const struct store_val[]){V_TEXT(st->node_id), V_INT(RECOVER_BATCH)},
			    2, each_release, &c);
		}
		if (rc < 0)
			return rc;
	}
	c.code = "node.dead";
	c.text = "the node sending the part stopped; it may have been sent";
	rc = recover_ids(st, STMT_RECOVER_SENDING_DEAD,
			 (const struct store_val[]){V_TEXT(st->node_id), V_INT(c.alive_since),
						    V_INT(RECOVER_BATCH)},
			 3, each_unknown, &c);
	if (rc == 0) {
		c.release = STMT_RELEASE_DEAD;
		rc = recover_ids(st, STMT_RECOVER_CLAIMS_DEAD,
				 (const struct store_val[]){V_TEXT(st->node_id),
							    V_INT(c.alive_since),
							    V_INT(RECOVER_BATCH)},
				 3, each_release, &c);
	}
	if (rc == 0) {
		c.release = STMT_RELEASE_EXPIRED;
		rc = recover_ids(st, STMT_RECOVER_CLAIMS_EXPIRED,
				 (const struct store_val[]){V_INT(now), V_INT(RECOVER_BATCH)}, 2,
				 each_release, &c);
	}
	return rc;
}

/* ---- retention ---- */

int store_retention(struct store *st, int64_t cutoff, int batch)
{
	int64_t a = 0, b = 0, c = 0;
	int rc;

	if (batch <= 0)
		batch = 500;
	rc = tx_begin(st);
	if (rc < 0)
		return rc;
	rc = SX(st, STMT_RET_MESSAGES, NULL, &a, V_INT(cutoff), V_INT(batch));
	if (rc == 0)
		rc = SX(st, STMT_RET_INBOX, NULL, &b, V_INT(cutoff), V_INT(batch));
	if (rc == 0)
		rc = SX(st, STMT_RET_EVENTS, NULL, &c, V_INT(cutoff), V_INT(batch));
	rc = tx_end(st, rc);
	return rc < 0 ? rc : (int)(a + b + c);
}
