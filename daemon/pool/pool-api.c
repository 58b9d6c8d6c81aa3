/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The modem routes of the HTTP API (issue 15 / 16): GET /v1/modems, GET /v1/modems/{name},
 * POST /v1/modems/{name}/enable and /disable. The handlers run in libmicrohttpd's threads:
 * they read the snapshots the loop publishes (pool-run.c) and leave requests the loop picks
 * up on its next tick; they never touch a modem.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../http.h"
#include "../balance.h" /* balance, balance_at, sim.balance_low */
#include "../smsctld.h"
#include "pool-api.h"
#include "pool-diag.h"
#include "pool-run.h"

static json_t *time_or_null(int64_t ms)
{
	char buf[40];
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !gmtime_r(&s, &tm))
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%03dZ", (int)(ms % 1000));
	return json_string(buf);
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *modem_json_base(const struct smsd_pool_snapshot *s);

/* The findings of the modem's latest diagnosis (the `smsctl diagnose --json` shape). */
static json_t *findings_of(const char *name)
{
	char *text = smsd_pool_diag_latest(name);
	json_t *d = text ? json_loads(text, 0, NULL) : NULL, *f = json_object_get(d, "findings");

	free(text);
	f = json_is_array(f) ? json_incref(f) : json_array();
	json_decref(d);
	return f;
}

static json_t *modem_json(const struct smsd_pool_snapshot *s)
{
	json_t *o = modem_json_base(s);

	/* issue 16's names beside the first ones */
	json_object_set_new(o, "iccid", str_or_null(s->iccid));
	json_object_set_new(o, "sent_today", json_integer(s->parts_today));
	json_object_set_new(o, "last_send_at", time_or_null(s->last_send_at));
	json_object_set_new(o, "balance_at", json_null());
	json_object_set_new(o, "findings", findings_of(s->name));
	return o;
}

static json_t *modem_json_base(const struct smsd_pool_snapshot *s)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o}", "name",
			 s->name, "pool", s->pool, "state", s->state, "reason",
			 str_or_null(s->reason), "sim_iccid", str_or_null(s->iccid), "imei",
			 str_or_null(s->imei), "operator", str_or_null(s->operator_), "signal_dbm",
			 s->has_signal ? json_integer(s->signal_dbm) : json_null(), "parts_today",
			 (json_int_t)s->parts_today, "daily_limit",
			 s->daily_limit ? json_integer(s->daily_limit) : json_null(), "last_send",
			 time_or_null(s->last_send_at), "balance", json_null());
}

/* The modem object with what balance.c knows (balance, balance_at, sim.balance_low). */
static json_t *modem_json_balance(const struct smsd_pool_snapshot *s)
{
	json_t *o = modem_json(s);
	if (o)
		smsd_balance_api_fields(s->name, o);
	return o;
}

void smsd_pool_api_list(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd_pool_snapshot *v = NULL;
	size_t n = smsd_pool_snapshots(&v);
	json_t *arr = json_array();

	(void)app;
	(void)req;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, modem_json_balance(&v[i]));
	free(v);
	rep->status = 200;
	rep->body = json_pack("{s:o}", "modems", arr);
}

static bool find(const char *name, struct smsd_pool_snapshot *out)
{
	struct smsd_pool_snapshot *v = NULL;
	size_t n = smsd_pool_snapshots(&v);
	bool found = false;

	for (size_t i = 0; i < n && !found; i++) {
		if (strcmp(v[i].name, name) == 0) {
			*out = v[i];
			found = true;
		}
	}
	free(v);
	return found;
}

void smsd_pool_api_get(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd_pool_snapshot s;

	(void)app;
	if (!find(req->params[0], &s)) {
		smsd_reply_error(rep, 404, "not_found", NULL, "no modem named %.80s",
				 req->params[0]);
		return;
	}
	rep->status = 200;
	rep->body = modem_json_balance(&s);
}

static void enable(void *app, const struct smsd_request *req, struct smsd_reply *rep, bool on)
{
	struct smsd *d = app;
	struct smsd_pool_snapshot s;

	if (!find(req->params[0], &s) || smsd_pool_request_by_name(req->params[0], on) < 0) {
		smsd_reply_error(rep, 404, "not_found", NULL, "no modem named %.80s",
				 req->params[0]);
		return;
	}
	smsd_wake(d);
	rep->status = 202;
	rep->body = json_pack("{s:s, s:s}", "name", s.name, "requested", on ? "enable" : "disable");
}

void smsd_pool_api_enable(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	enable(app, req, rep, true);
}

void smsd_pool_api_disable(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	enable(app, req, rep, false);
}
