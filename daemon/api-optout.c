/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Opt-outs (issue 16): GET /v1/optouts, POST /v1/optouts {"number", "reason"},
 * DELETE /v1/optouts/{number}. A submit to an opted-out number is refused with 422 opted_out
 * (idempotency.c); a received SMS whose whole text is one of [send] optout_keywords adds its
 * sender (smsd_optout_keyword(), called where the inbox row is committed).
 */
#include <stdlib.h>
#include <string.h>

#include "api-ext.h"
#include "log.h"
#include "smsctld.h"
#include "store/store-api.h"

json_t *smsd_api_body(const struct smsd_request *req, struct smsd_reply *rep)
{
	json_error_t jerr;
	json_t *body;

	if (!req->content_type || strncasecmp(req->content_type, "application/json", 16) != 0) {
		smsd_reply_error(rep, 415, "unsupported_media_type", NULL,
				 "the body must be application/json");
		return NULL;
	}
	body =
	    req->body ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	if (!json_is_object(body)) {
		smsd_reply_error(rep, 400, "invalid_json", NULL, "not a JSON object: %s",
				 body	     ? "another value"
				 : req->body ? jerr.text
					     : "no body");
		json_decref(body);
		return NULL;
	}
	return body;
}

bool smsd_api_limit(const struct smsd_request *req, struct smsd_reply *rep, int *out)
{
	const char *limit = smsd_request_arg(req, "limit");
	char *end;
	long v;

	if (!limit)
		return true;
	v = strtol(limit, &end, 10);
	if (*end || end == limit || v < 1 || v > 500) {
		smsd_reply_error(rep, 400, "invalid_field", "limit", "limit is from 1 to 500");
		return false;
	}
	*out = (int)v;
	return true;
}

struct optout_job {
	const char *number, *reason, *cursor;
	int limit;
	struct store_optout *v;
	size_t n;
	char next[STORE_CURSOR_SIZE];
};

static int run_optout_list(struct store *st, void *arg)
{
	struct optout_job *j = arg;

	return store_optout_list(st, j->cursor, j->limit, &j->v, &j->n, j->next);
}

static int run_optout_add(struct store *st, void *arg)
{
	struct optout_job *j = arg;

	return store_optout_add(st, j->number, j->reason, "api");
}

static int run_optout_remove(struct store *st, void *arg)
{
	struct optout_job *j = arg;

	return store_optout_remove(st, j->number);
}

static json_t *optout_json(const struct store_optout *o)
{
	return json_pack("{s:s?,s:s?,s:s?,s:o}", "number", o->number, "reason", o->reason, "source",
			 o->source, "created_at", json_time(o->created_at));
}

void smsd_api_optout_list(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	struct optout_job j = {.cursor = smsd_request_arg(req, "cursor")};

	if (!smsd_api_limit(req, rep, &j.limit))
		return;
	if (!smsd_list_done(rep, smsd_storeq_call(d->storeq, run_optout_list, &j)))
		return;
	json_t *arr = json_array();
	for (size_t i = 0; i < j.n; i++)
		json_array_append_new(arr, optout_json(&j.v[i]));
	store_optout_free_array(j.v, j.n);
	smsd_list_reply(rep, "optouts", arr, j.next);
}

void smsd_api_optout_add(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	json_t *body = smsd_api_body(req, rep), *v;
	const char *key;
	char num[32];

	if (!body)
		return;
	json_object_foreach(body, key, v)
	{
		if (strcmp(key, "number") != 0 && strcmp(key, "reason") != 0) {
			smsd_reply_error(rep, 400, "invalid_field", key, "unknown field '%s'", key);
			goto out;
		}
		if (!json_is_string(v) && !(strcmp(key, "reason") == 0 && json_is_null(v))) {
			smsd_reply_error(rep, 400, "invalid_field", key, "'%s' is a string", key);
			goto out;
		}
	}
	const char *number = json_string_value(json_object_get(body, "number"));
	const char *reason = json_string_value(json_object_get(body, "reason"));
	if (!number) {
		smsd_reply_error(rep, 400, "invalid_field", "number", "'number' is required");
		goto out;
	}
	if (normalise_number(number, num, sizeof(num)) < 0) {
		smsd_reply_error(rep, 400, "invalid_number", "number",
				 "'%s' is not a number: + and 3 to 20 digits", number);
		goto out;
	}
	if (reason && strlen(reason) > 500) {
		smsd_reply_error(rep, 400, "invalid_field", "reason",
				 "'reason' has at most 500 bytes");
		goto out;
	}
	struct optout_job j = {.number = num, .reason = reason};
	int rc = smsd_storeq_call(d->storeq, run_optout_add, &j);
	if (rc < 0) {
		store_error_reply(rep, rc);
		goto out;
	}
	/* 201 when added, 200 when the number was already opted out (kept as it was) */
	rep->status = rc > 0 ? 201 : 200;
	rep->body = json_pack("{s:s,s:s?,s:b}", "number", num, "reason", reason, "added", rc > 0);
out:
	json_decref(body);
}

void smsd_api_optout_remove(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	char num[32];

	/* "+" in a path may arrive as is or as %2B (libmicrohttpd decodes it); "0086..." works too */
	if (normalise_number(req->params[0], num, sizeof(num)) < 0) {
		smsd_reply_error(rep, 400, "invalid_number", "number",
				 "'%s' is not a number: + and 3 to 20 digits", req->params[0]);
		return;
	}
	struct optout_job j = {.number = num};
	int rc = smsd_storeq_call(d->storeq, run_optout_remove, &j);
	if (rc == STORE_ERR_NOT_FOUND) {
		smsd_reply_error(rep, 404, "not_found", "number", "%s is not opted out", num);
		return;
	}
	if (rc < 0) {
		store_error_reply(rep, rc);
		return;
	}
	rep->status = 200;
	rep->body = json_pack("{s:s,s:b}", "number", num, "removed", 1);
}

/* Whether @p text, blanks around it ignored, is one of the comma-separated @p keywords
 * (ASCII letters compared without case: "stop" = "STOP"; 退订 as written). */
bool smsd_optout_keyword(const char *keywords, const char *text)
{
	const char *t = text, *te;

	if (!keywords || !text)
		return false;
	while (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n')
		t++;
	te = t + strlen(t);
	while (te > t && (te[-1] == ' ' || te[-1] == '\t' || te[-1] == '\r' || te[-1] == '\n'))
		te--;
	if (te == t)
		return false;
	for (const char *k = keywords;;) {
		const char *comma = strchr(k, ',');
		const char *ke = comma ? comma : k + strlen(k);
		while (k < ke && (*k == ' ' || *k == '\t'))
			k++;
		while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		if (ke - k == te - t && strncasecmp(k, t, (size_t)(te - t)) == 0)
			return true;
		if (!comma)
			return false;
		k = comma + 1;
	}
}

int smsd_inbox_commit(struct store *st, struct store_inbox *in, bool *duplicate,
		      const char *keywords)
{
	int rc = store_inbox_insert(st, in, duplicate);

	/* in the same batch; a failure here never loses the received message */
	if (rc == 0 && !*duplicate && smsd_optout_keyword(keywords, in->text) &&
	    store_optout_add(st, in->sender, in->text, "keyword") < 0)
		smsd_log(LOG_ERR, "opt-out of %s: %s", in->sender, store_errmsg(st));
	return rc;
}
