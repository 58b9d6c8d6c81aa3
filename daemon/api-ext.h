/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The API's additions (issue 16) and what they share with api.c: idempotency and opt-outs on
 * submit (idempotency.c), the inbox (api-inbox.c), opt-outs (api-optout.c), webhooks
 * (api-webhooks.c). The route handlers run in libmicrohttpd's threads and reach the store only
 * through smsd_storeq_call().
 */
#ifndef SMSD_API_EXT_H
#define SMSD_API_EXT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "http.h"
#include "store/store.h"

/* ---- shared with api.c (defined there) ---- */
json_t *json_time(int64_t ms);
json_t *json_str_or_null(const char *s);
/* RFC 3339 to ms since the epoch; -1 if not. */
int64_t parse_rfc3339(const char *s);
/* "+86 139-1234-5678", "0086..." -> "+8613912345678"; -1 if not a number. */
int normalise_number(const char *in, char *out, size_t size);
/* 404 not_found or 503 store_unavailable with Retry-After. */
void store_error_reply(struct smsd_reply *rep, int rc);
/* A cursor-paged listing's store job ended with rc: true when it succeeded; else false after
 * replying 400 invalid_field "cursor" (STORE_ERR_INVALID: not a cursor of this list) or the
 * store's error (store_error_reply()). */
bool smsd_list_done(struct smsd_reply *rep, int rc);
/* 200 {key: items, "next_cursor": next, null when NULL or ""}; items is taken. */
void smsd_list_reply(struct smsd_reply *rep, const char *key, json_t *items, const char *next);

/* ---- submit: idempotency keys and opt-outs (idempotency.c) ---- */

enum smsd_submit_outcome {
	SMSD_SUBMIT_NEW = 0,   /* insert the messages */
	SMSD_SUBMIT_REPLAY,    /* the same key and body: answer the stored messages, 200 */
	SMSD_SUBMIT_CONFLICT,  /* the same key, another body: 409 idempotency_conflict */
	SMSD_SUBMIT_OPTED_OUT, /* a recipient is opted out: 422 opted_out */
};

struct smsd_submit_ext {
	const char *key; /* the idempotency key (borrowed) or NULL */
	char hash[65];	 /* SHA-256 hex of the normalised request */
	int64_t since;	 /* keys older than this are forgotten (now - retention) */
	enum smsd_submit_outcome outcome;
	char (*ids)[STORE_ID_SIZE]; /* REPLAY: the stored messages (malloc'd) */
	size_t n_ids;
	size_t opted_out; /* OPTED_OUT: 1-based index of the recipient */
};

/*
 * Prepare the checks of one submit: the hash of the normalised request (the body without
 * idempotency_key, `to` as the array of normalised @p recipients, absent fields and nulls as
 * their defaults, keys sorted). @return 0, or -1 without memory.
 */
int smsd_submit_prepare(struct smsd_submit_ext *x, json_t *body, const char *key,
			char *const *recipients, size_t n, int64_t now, long long retention_ms);
/*
 * In the store thread, in the same job as the insert (so two requests with one key cannot
 * both insert: the store thread runs one job at a time): the key's messages, then opt-outs.
 * @return 0 (x->outcome says what to do) or a negative store_error.
 */
int smsd_submit_check(struct store *st, struct smsd_submit_ext *x, char *const *recipients,
		      size_t n);
void smsd_submit_ext_clear(struct smsd_submit_ext *x);

struct store_inbox_row;
/* INBOX = {"id", "from", "text", "coding", "received_at", "sc_timestamp", "modem",
 * "sim_iccid", "parts", "complete"} (api-inbox.c; also the data of sms.received events) */
json_t *smsd_inbox_json(const struct store_inbox_row *m);
/* The MESSAGE shape of GET /v1/messages/{id} (api.c), for the webhooks' data. */
json_t *smsd_message_json(const struct store_message *m);

/* ---- route handlers (one file each) ---- */
void smsd_api_inbox(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_api_optout_list(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_api_optout_add(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_api_optout_remove(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_api_webhooks(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_api_webhook_dead(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_api_webhook_redeliver(void *app, const struct smsd_request *req, struct smsd_reply *rep);

/* The routes above, for api.c's table. */
#define SMSD_API_EXT_ROUTES                                                                        \
	{"GET", "/v1/inbox", smsd_api_inbox, false},                                               \
	    {"GET", "/v1/optouts", smsd_api_optout_list, false},                                   \
	    {"POST", "/v1/optouts", smsd_api_optout_add, false},                                   \
	    {"DELETE", "/v1/optouts/{number}", smsd_api_optout_remove, false},                     \
	    {"GET", "/v1/webhooks", smsd_api_webhooks, false},                                     \
	    {"GET", "/v1/webhooks/{name}/dead", smsd_api_webhook_dead, false},                     \
	    {"POST", "/v1/webhooks/{name}/redeliver", smsd_api_webhook_redeliver, false},

/* Whether a received text is one of [send] optout_keywords (api-optout.c). */
bool smsd_optout_keyword(const char *keywords, const char *text);
/* In the store thread: commit a received message (store_inbox_insert()) and, when its whole
 * text is one of @p keywords, opt its sender out. Returns what store_inbox_insert() does. */
int smsd_inbox_commit(struct store *st, struct store_inbox *in, bool *duplicate,
		      const char *keywords);

/* The `limit` query argument: 1 to 500, or *out untouched when absent; false after a 400
 * invalid_field (api-optout.c). */
bool smsd_api_limit(const struct smsd_request *req, struct smsd_reply *rep, int *out);

/* A JSON request body: 415 unless application/json, 400 invalid_json unless an object
 * without duplicate keys. @return the object (json_decref) or NULL with rep filled. */
json_t *smsd_api_body(const struct smsd_request *req, struct smsd_reply *rep);

#endif
