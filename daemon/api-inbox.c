/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GET /v1/inbox?since=&from=&modem=&limit=&cursor= (issue 16): received messages in arrival
 * order, keyset pagination. INBOX = {"id", "from", "text", "coding", "received_at",
 * "sc_timestamp", "modem", "sim_iccid", "parts", "complete"} (a contract).
 */
#include <stdlib.h>
#include <string.h>

#include "api-ext.h"
#include "smsctld.h"
#include "store/store-api.h"

struct inbox_job {
	struct store_inbox_filter f;
	struct store_inbox_row *v;
	size_t n;
	char next[STORE_CURSOR_SIZE];
};

static int run_inbox_list(struct store *st, void *arg)
{
	struct inbox_job *j = arg;

	return store_inbox_list(st, &j->f, &j->v, &j->n, j->next);
}

json_t *smsd_inbox_json(const struct store_inbox_row *m)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(m->id));
	json_object_set_new(o, "from", json_str_or_null(m->sender));
	json_object_set_new(o, "text", json_str_or_null(m->text));
	json_object_set_new(o, "coding", json_str_or_null(m->coding));
	json_object_set_new(o, "received_at", json_time(m->received_at));
	json_object_set_new(o, "sc_timestamp", json_time(m->sc_timestamp));
	json_object_set_new(o, "modem", json_str_or_null(m->modem));
	json_object_set_new(o, "sim_iccid", json_str_or_null(m->sim_iccid));
	json_object_set_new(o, "parts", json_integer(m->parts));
	json_object_set_new(o, "complete", json_boolean(m->complete));
	return o;
}

void smsd_api_inbox(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	struct inbox_job j = {0};
	const char *since = smsd_request_arg(req, "since"), *from = smsd_request_arg(req, "from");
	char num[32];

	if (since && (j.f.since = parse_rfc3339(since)) < 0) {
		smsd_reply_error(rep, 400, "invalid_field", "since", "not an RFC 3339 time");
		return;
	}
	if (from) {
		/* a sender may be alphanumeric ("Bank"): numbers are normalised, names kept */
		if (normalise_number(from, num, sizeof(num)) == 0)
			from = num;
		else if (!*from || strlen(from) > 20) {
			smsd_reply_error(
			    rep, 400, "invalid_number", "from",
			    "'from' is a number or a sender name of 1 to 20 characters");
			return;
		}
		j.f.sender = from;
	}
	j.f.modem = smsd_request_arg(req, "modem");
	if (!smsd_api_limit(req, rep, &j.f.limit))
		return;
	j.f.cursor = smsd_request_arg(req, "cursor");
	if (!smsd_list_done(rep, smsd_storeq_call(d->storeq, run_inbox_list, &j)))
		return;
	json_t *arr = json_array();
	for (size_t i = 0; i < j.n; i++)
		json_array_append_new(arr, smsd_inbox_json(&j.v[i]));
	store_inbox_free_array(j.v, j.n);
	smsd_list_reply(rep, "messages", arr, j.next);
}
