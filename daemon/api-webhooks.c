/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GET /v1/webhooks (state and backlog of each), GET /v1/webhooks/{name}/dead,
 * POST /v1/webhooks/{name}/redeliver {"event_ids": [...]} or {"all": true} (issue 16).
 * Hooks are listed beside webhooks under "hooks" (same shape, "exec" for "url").
 */
#include <stdlib.h>
#include <string.h>

#include "api-ext.h"
#include "notify.h"
#include "smsctld.h"

#define MAX_SUBS      SMSD_CONFIG_MAX_SUBS
#define MAX_REDELIVER 1000

struct stats_job {
	struct smsd_sub_status *subs;
	size_t n;
	struct store_delivery_stats *stats;
};

static int run_stats(struct store *st, void *arg)
{
	struct stats_job *j = arg;

	for (size_t i = 0; i < j->n; i++) {
		int rc = store_delivery_stats(st, j->subs[i].store_name, &j->stats[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void smsd_api_webhooks(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	struct smsd_sub_status subs[MAX_SUBS];
	struct store_delivery_stats stats[MAX_SUBS];
	struct stats_job j = {.subs = subs, .stats = stats};

	j.n = smsd_notify_status(d->notify, subs, MAX_SUBS);
	int rc = smsd_storeq_call(d->storeq, run_stats, &j);
	if (rc < 0) {
		store_error_reply(rep, rc);
		return;
	}
	json_t *webhooks = json_array(), *hooks = json_array();
	for (size_t i = 0; i < j.n; i++) {
		const struct smsd_sub_config *sc = subs[i].cfg;
		bool webhook = sc->kind == SMSD_SUB_WEBHOOK;
		json_t *events = json_array();
		for (size_t k = 0; k < sc->n_events; k++)
			json_array_append_new(events, json_string(sc->events[k]));
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(sc->name));
		json_object_set_new(o, webhook ? "url" : "exec", json_string(sc->target));
		json_object_set_new(o, "events", events);
		json_object_set_new(o, "state", json_string(subs[i].failing ? "failing" : "ok"));
		json_object_set_new(o, "backlog", json_integer(stats[i].pending));
		json_object_set_new(o, "dead", json_integer(stats[i].dead));
		json_object_set_new(o, "oldest_pending_at", json_time(stats[i].oldest_pending));
		json_object_set_new(o, "last_success_at", json_time(subs[i].last_success_at));
		json_object_set_new(o, "last_failure_at", json_time(subs[i].last_failure_at));
		json_object_set_new(o, "last_error",
				    subs[i].last_error[0] ? json_string(subs[i].last_error)
							  : json_null());
		json_object_set_new(o, "concurrency", json_integer(sc->concurrency));
		json_array_append_new(webhook ? webhooks : hooks, o);
	}
	rep->status = 200;
	rep->body = json_pack("{s:o,s:o}", "webhooks", webhooks, "hooks", hooks);
}

/* The store name ("webhook:NAME") of a configured webhook, or false with a 404. */
static bool find_webhook(struct smsd *d, const char *name, char out[80], struct smsd_reply *rep)
{
	struct smsd_sub_status subs[MAX_SUBS];
	size_t n = smsd_notify_status(d->notify, subs, MAX_SUBS);

	for (size_t i = 0; i < n; i++) {
		if (subs[i].cfg->kind == SMSD_SUB_WEBHOOK && strcmp(subs[i].cfg->name, name) == 0) {
			memcpy(out, subs[i].store_name, 80);
			return true;
		}
	}
	smsd_reply_error(rep, 404, "not_found", "name", "no webhook named '%s'", name);
	return false;
}

struct dead_job {
	const char *sub;
	int64_t after;
	int limit;
	struct store_delivery *v;
	size_t n;
};

static int run_dead(struct store *st, void *arg)
{
	struct dead_job *j = arg;

	return store_delivery_dead(st, j->sub, j->after, j->limit + 1, &j->v, &j->n);
}

void smsd_api_webhook_dead(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	char sub[80];
	struct dead_job j = {.sub = sub, .limit = 100};
	const char *cursor = smsd_request_arg(req, "cursor");

	if (!find_webhook(d, req->params[0], sub, rep))
		return;
	if (!smsd_api_limit(req, rep, &j.limit))
		return;
	if (cursor) {
		char *end;
		long long v = strtoll(cursor, &end, 10);
		if (*end || end == cursor || v < 0) {
			smsd_reply_error(rep, 400, "invalid_field", "cursor",
					 "not a cursor of this list");
			return;
		}
		j.after = v;
	}
	int rc = smsd_storeq_call(d->storeq, run_dead, &j);
	if (rc < 0) {
		store_error_reply(rep, rc);
		return;
	}
	json_t *arr = json_array();
	size_t shown = j.n > (size_t)j.limit ? (size_t)j.limit : j.n;
	for (size_t i = 0; i < shown; i++) {
		const struct store_delivery *dl = &j.v[i];
		json_array_append_new(
		    arr,
		    json_pack("{s:s,s:s?,s:o,s:o,s:i,s:o,s:o,s:o}", "event_id", dl->ev.id, "type",
			      dl->ev.type, "created_at", json_time(dl->ev.created_at), "message_id",
			      json_str_or_null(dl->ev.message_id), "attempts", dl->attempts,
			      "last_status",
			      dl->last_status >= 0 ? json_integer(dl->last_status) : json_null(),
			      "last_error", json_str_or_null(dl->last_error), "dead_at",
			      json_time(dl->finished_at)));
	}
	json_t *next = json_null();
	if (j.n > shown && shown > 0) {
		char c[32];
		snprintf(c, sizeof(c), "%lld", (long long)j.v[shown - 1].seq);
		next = json_string(c);
	}
	store_delivery_free_array(j.v, j.n);
	rep->status = 200;
	rep->body = json_pack("{s:o,s:o}", "deliveries", arr, "next_cursor", next);
}

struct redeliver_job {
	const char *sub;
	const char **ids; /* NULL: all */
	size_t n;
	int revived;
	json_t *not_dead; /* ids that were not dead deliveries of this webhook */
};

static int run_redeliver(struct store *st, void *arg)
{
	struct redeliver_job *j = arg;

	if (!j->ids) {
		int rc = store_delivery_redeliver(st, j->sub, NULL);
		if (rc < 0)
			return rc;
		j->revived = rc;
		return 0;
	}
	for (size_t i = 0; i < j->n; i++) {
		int rc = store_delivery_redeliver(st, j->sub, j->ids[i]);
		if (rc < 0)
			return rc;
		if (rc == 0)
			json_array_append_new(j->not_dead, json_string(j->ids[i]));
		j->revived += rc;
	}
	return 0;
}

void smsd_api_webhook_redeliver(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	char sub[80];
	json_t *body, *v;
	const char *key;
	struct redeliver_job j = {.sub = sub};

	if (!find_webhook(d, req->params[0], sub, rep))
		return;
	if (!(body = smsd_api_body(req, rep)))
		return;
	json_object_foreach(body, key, v)
	{
		if (strcmp(key, "event_ids") != 0 && strcmp(key, "all") != 0) {
			smsd_reply_error(rep, 400, "invalid_field", key, "unknown field '%s'", key);
			goto out;
		}
	}
	json_t *ids = json_object_get(body, "event_ids"), *all = json_object_get(body, "all");
	if ((ids && all) || (!ids && !json_is_true(all))) {
		smsd_reply_error(rep, 400, "invalid_field", ids ? "all" : "event_ids",
				 "give either \"event_ids\": [...] or \"all\": true");
		goto out;
	}
	if (ids) {
		size_t i;
		if (!json_is_array(ids) || json_array_size(ids) == 0 ||
		    json_array_size(ids) > MAX_REDELIVER) {
			smsd_reply_error(rep, 400, "invalid_field", "event_ids",
					 "\"event_ids\" is an array of 1 to %d event ids",
					 MAX_REDELIVER);
			goto out;
		}
		j.n = json_array_size(ids);
		j.ids = calloc(j.n, sizeof(*j.ids));
		if (!j.ids) {
			smsd_reply_error(rep, 500, "internal", NULL, "out of memory");
			goto out;
		}
		json_array_foreach(ids, i, v)
		{
			const char *s = json_string_value(v);
			if (!s || strncmp(s, "evt_", 4) != 0 || strlen(s) >= STORE_ID_SIZE) {
				smsd_reply_error(rep, 400, "invalid_field", "event_ids",
						 "\"event_ids\" holds event ids (evt_...)");
				goto out;
			}
			j.ids[i] = s;
		}
	}
	j.not_dead = json_array();
	int rc = smsd_storeq_call(d->storeq, run_redeliver, &j);
	if (rc < 0) {
		store_error_reply(rep, rc);
		goto out;
	}
	smsd_notify_wake(d->notify);
	rep->status = 200;
	rep->body = json_pack("{s:i,s:O}", "redelivering", j.revived, "not_dead", j.not_dead);
out:
	json_decref(j.not_dead);
	free(j.ids);
	json_decref(body);
}
