/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The routes of issue 14: messages (submit, read, list, cancel, resend, events), /healthz,
 * /readyz. Request bodies are checked against a declared spec (struct field below) before
 * anything is written; answers use the MESSAGE shape, a contract.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/smsctl.h>

#include "api-ext.h" /* issue 16 */
#include "balance.h" /* issue 15: balance, USSD */
#include "http.h"
#include "ops.h"
#include "log.h"
#include "pool/pool-api.h" /* issue 15 */
#include "pool/pool-sched.h"
#include "store/store-pool.h"
#include "smsctld.h"

#define MAX_RECIPIENTS 1000
#define MAX_TEXT_BYTES (64 * 1024)

/* ---- JSON helpers ---- */

json_t *json_time(int64_t ms) /* shared: api-ext.h */
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

json_t *json_str_or_null(const char *s) /* shared: api-ext.h */
{
	return s ? json_string(s) : json_null();
}

/* RFC 3339 ("2026-12-05T04:00:00Z", "...+08:00", fractions allowed) to ms; -1 if not. */
int64_t parse_rfc3339(const char *s) /* shared: api-ext.h */
{
	struct tm tm = {0};
	int n = 0, frac_ms = 0;
	char sign;
	int oh = 0, om = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 19)
		return -1;
	const char *p = s + n;
	if (*p == '.') {
		int digits = 0;
		p++;
		while (isdigit((unsigned char)*p)) {
			if (digits < 3)
				frac_ms = frac_ms * 10 + (*p - '0');
			digits++;
			p++;
		}
		if (!digits)
			return -1;
		while (digits++ < 3)
			frac_ms *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		if (p[1])
			return -1;
	} else if ((*p == '+' || *p == '-') && sscanf(p, "%c%2d:%2d", &sign, &oh, &om) == 3 &&
		   strlen(p) == 6) {
		if (oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60 || tm.tm_year < 1970)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	int64_t t = (int64_t)timegm(&tm) * 1000 + frac_ms;
	int64_t off = ((int64_t)oh * 3600 + om * 60) * 1000;
	return *p == '-' ? t + off : *p == '+' ? t - off : t;
}

/* "+8613912345678", "+86 139-1234-5678", "0086..." -> "+8613912345678"; -1 if not a number. */
int normalise_number(const char *in, char *out, size_t size) /* shared: api-ext.h */
{
	size_t n = 0;
	const char *p = in;

	if (strncmp(p, "00", 2) == 0)
		p += 2;
	else if (*p == '+')
		p++;
	else
		return -1;
	out[n++] = '+';
	for (; *p; p++) {
		if (*p == ' ' || *p == '-' || *p == '.' || *p == '(' || *p == ')')
			continue;
		if (!isdigit((unsigned char)*p) || n + 1 >= size)
			return -1;
		out[n++] = *p;
	}
	out[n] = '\0';
	return n - 1 >= 3 && n - 1 <= 20 ? 0 : -1;
}

/* ---- MESSAGE ---- */

static json_t *message_json(const struct store_message *m, bool with_parts);

json_t *smsd_message_json(const struct store_message *m) /* shared: api-ext.h */
{
	return message_json(m, true);
}

static json_t *message_json(const struct store_message *m, bool with_parts)
{
	json_t *o = json_object(), *parts = json_array(), *err = json_null(), *tags = NULL;

	if (m->error_code)
		err = json_pack("{s:s,s:s?,s:s?}", "code", m->error_code, "class", m->error_class,
				"message", m->error_text);
	if (m->tags)
		tags = json_loads(m->tags, 0, NULL);
	for (size_t i = 0; with_parts && i < m->n_part_rows; i++) {
		const struct store_part *p = &m->part_rows[i];
		json_t *rep = json_null();
		if (p->report_status >= 0)
			rep = json_pack("{s:i,s:s,s:o}", "status", p->report_status, "meaning",
					smsctl_pdu_status_describe(p->report_status), "at",
					json_time(p->report_at));
		json_array_append_new(
		    parts,
		    json_pack("{s:i,s:s,s:o,s:o,s:o,s:o}", "seq", p->seq, "state",
			      store_part_state_name(p->state), "mr",
			      p->mr >= 0 ? json_integer(p->mr) : json_null(), "mr_advanced",
			      p->mr_advanced < 0 ? json_null() : json_boolean(p->mr_advanced),
			      "sent_at", json_time(p->sent_at), "report", rep));
	}
	json_object_set_new(o, "id", json_string(m->id));
	json_object_set_new(o, "state", json_string(store_msg_state_name(m->state)));
	json_object_set_new(o, "to", json_str_or_null(m->recipient));
	json_object_set_new(o, "text", json_str_or_null(m->text));
	json_object_set_new(o, "coding", json_str_or_null(m->coding));
	json_object_set_new(o, "parts", json_integer(m->parts));
	json_object_set_new(o, "priority", json_integer(m->priority));
	json_object_set_new(o, "pool", json_str_or_null(m->pool));
	json_object_set_new(o, "modem", json_str_or_null(m->modem));
	json_object_set_new(o, "sim_iccid", json_str_or_null(m->sim_iccid));
	json_object_set_new(o, "created_at", json_time(m->created_at));
	json_object_set_new(o, "not_before",
			    json_time(m->not_before ? m->not_before : m->created_at));
	json_object_set_new(o, "expires_at", json_time(m->expires_at));
	json_object_set_new(o, "finished_at", json_time(m->finished_at));
	json_object_set_new(o, "report", json_boolean(m->report));
	json_object_set_new(o, "idempotency_key", json_str_or_null(m->idempotency_key));
	json_object_set_new(o, "duplicate", json_false());
	json_object_set_new(o, "tags", tags ? tags : json_object());
	json_object_set_new(o, "attempts", json_integer(m->attempts));
	json_object_set_new(o, "waiting", json_str_or_null(m->waiting));
	json_object_set_new(o, "error", err);
	json_object_set_new(o, "part_states", parts);
	json_object_set_new(o, "resend_of", json_str_or_null(m->resend_of));
	return o;
}

void store_error_reply(struct smsd_reply *rep, int rc) /* shared: api-ext.h */
{
	if (rc == STORE_ERR_NOT_FOUND) {
		smsd_reply_error(rep, 404, "not_found", NULL, "no such message");
	} else {
		smsd_reply_error(rep, 503, "store_unavailable", NULL,
				 "the store cannot be reached: %s", store_strerror(rc));
		rep->retry_after = 5;
	}
}

bool smsd_list_done(struct smsd_reply *rep, int rc) /* shared: api-ext.h */
{
	if (rc == STORE_ERR_INVALID) {
		smsd_reply_error(rep, 400, "invalid_field", "cursor", "not a cursor of this list");
		return false;
	}
	if (rc < 0) {
		store_error_reply(rep, rc);
		return false;
	}
	return true;
}

void smsd_list_reply(struct smsd_reply *rep, const char *key, json_t *items,
		     const char *next) /* shared: api-ext.h */
{
	rep->status = 200;
	rep->body = json_pack("{s:o,s:o}", key, items, "next_cursor",
			      next && next[0] ? json_string(next) : json_null());
}

/* ---- store jobs run by the store thread for the handlers ---- */

struct get_job {
	const char *id;
	struct store_message msg;
};

static int run_get(struct store *st, void *arg)
{
	struct get_job *g = arg;

	return store_message_get(st, g->id, &g->msg);
}

static int run_cancel(struct store *st, void *arg)
{
	struct get_job *g = arg;
	int rc = store_message_cancel(st, g->id);

	if (rc == 0 || rc == STORE_ERR_STATE) {
		int r2 = store_message_get(st, g->id, &g->msg);
		if (r2 < 0)
			return r2;
	}
	return rc;
}

/* GET a message with its parts and answer it. */
static void reply_message(struct smsd *d, const char *id, struct smsd_reply *rep, int status)
{
	struct get_job g = {.id = id};
	int rc = smsd_storeq_call(d->storeq, run_get, &g);

	if (rc < 0) {
		store_error_reply(rep, rc);
		return;
	}
	rep->status = status;
	rep->body = message_json(&g.msg, true);
	store_message_clear(&g.msg);
}

/* --- issue 16: the messages of a submit are read in the store job that inserted (or found)
 * them, so a submit is one store round trip (and a `to` of 1000 numbers one job, not 1000);
 * the answer goes out once that job committed. A replay is 200 with "duplicate": true. --- */
static int read_messages(struct store *st, char (*ids)[STORE_ID_SIZE], size_t n, json_t *arr)
{
	struct store_message m = {0};

	for (size_t i = 0; i < n; i++) {
		int rc = store_message_get(st, ids[i], &m);
		if (rc < 0)
			return rc;
		json_array_append_new(arr, message_json(&m, true));
		store_message_clear(&m);
	}
	return 0;
}

static void reply_messages(json_t *arr, bool duplicate, struct smsd_reply *rep)
{
	size_t i;
	json_t *m;

	json_array_foreach(arr, i, m) json_object_set_new(m, "duplicate", json_boolean(duplicate));
	rep->status = duplicate ? 200 : 202;
	rep->body = json_pack("{s:O}", "messages", arr);
}
/* --- end issue 16 --- */

/* ---- POST /v1/messages ---- */

enum ftype { F_STRING = 1, F_INT, F_BOOL, F_OBJECT, F_TO };

struct field {
	const char *name;
	enum ftype type;
	bool required, nullable;
};

/* The declared spec of a submit; anything else in the body is an error. */
static const struct field submit_spec[] = {
    {"to", F_TO, true, false},
    {"text", F_STRING, true, false},
    {"pool", F_STRING, false, true},
    {"modem", F_STRING, false, true},
    {"priority", F_INT, false, true},
    {"not_before", F_STRING, false, true},
    {"ttl", F_STRING, false, true},
    {"report", F_BOOL, false, true},
    {"flash", F_BOOL, false, true},
    {"validity", F_STRING, false, true},
    {"at_least_once", F_BOOL, false, true},
    {"tags", F_OBJECT, false, true},
    {"idempotency_key", F_STRING, false, true},
    {"allow_duplicate", F_BOOL, false, true},
};

static bool check_spec(json_t *obj, const struct field *spec, size_t n, struct smsd_reply *rep)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		const struct field *f = NULL;
		for (size_t i = 0; i < n; i++)
			if (strcmp(spec[i].name, key) == 0)
				f = &spec[i];
		if (!f) {
			smsd_reply_error(rep, 400, "invalid_field", key, "unknown field '%s'", key);
			return false;
		}
		bool ok = false;
		if (json_is_null(v))
			ok = f->nullable;
		else if (f->type == F_STRING)
			ok = json_is_string(v);
		else if (f->type == F_INT)
			ok = json_is_integer(v);
		else if (f->type == F_BOOL)
			ok = json_is_boolean(v);
		else if (f->type == F_OBJECT)
			ok = json_is_object(v);
		else if (f->type == F_TO)
			ok = json_is_string(v) || json_is_array(v);
		if (!ok) {
			smsd_reply_error(rep, 400, "invalid_field", key, "'%s' has the wrong type",
					 key);
			return false;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (spec[i].required && !json_object_get(obj, spec[i].name)) {
			smsd_reply_error(rep, 400, "invalid_field", spec[i].name,
					 "'%s' is required", spec[i].name);
			return false;
		}
	}
	return true;
}

struct submit {
	struct store_new_message *msgs;
	char **recipients;
	char ***pdus;
	size_t n;
	char (*ids)[STORE_ID_SIZE];
	int64_t max_queued;
	bool full;
	struct smsd_submit_ext x; /* issue 16: idempotency key, opt-outs (idempotency.c) */
	json_t *answer;		  /* issue 16: the messages, read in the same job */
	char **route_pools;	  /* issue 15: the pool a [route] gave each message */
	long long dup_window;	  /* issue 15: [send] duplicate_window, ms, 0 off */
	bool *dup;		  /* issue 15: which messages were duplicates */
};

static int run_insert(struct store *st, void *arg)
{
	struct submit *s = arg;
	/* --- issue 16: a replay, a key conflict or an opt-out inserts nothing --- */
	int xrc = smsd_submit_check(st, &s->x, s->recipients, s->n);
	if (xrc < 0 || s->x.outcome == SMSD_SUBMIT_REPLAY)
		return xrc < 0 ? xrc : read_messages(st, s->x.ids, s->x.n_ids, s->answer);
	if (s->x.outcome != SMSD_SUBMIT_NEW)
		return 0;
	/* --- end issue 16 --- */
	/* --- issue 15: [send] duplicate_window: the same recipient and text again --- */
	size_t n_new = s->n;
	for (size_t i = 0; s->dup_window > 0 && i < s->n; i++) {
		int f = store_pool_find_duplicate(st, s->msgs[i].recipient, s->msgs[i].text,
						  smsd_wall_ms() - s->dup_window, s->ids[i]);
		if (f < 0)
			return f;
		s->dup[i] = f == 1;
		n_new -= s->dup[i];
	}
	/* --- end issue 15 --- */
	int64_t queued = store_queued_count(st);

	if (queued < 0)
		return (int)queued;
	if (n_new && queued + (int64_t)n_new > s->max_queued) {
		s->full = true;
		return 0;
	}
	int rc = 0;
	if (n_new == s->n) {
		rc = store_message_insert(st, s->msgs, s->n, s->ids);
	} else if (n_new > 0) { /* issue 15: only the new ones */
		struct store_new_message *nm = calloc(n_new, sizeof(*nm));
		char(*nid)[STORE_ID_SIZE] = calloc(n_new, sizeof(*nid));
		size_t k = 0;
		for (size_t i = 0; nm && nid && i < s->n; i++)
			if (!s->dup[i])
				nm[k++] = s->msgs[i];
		rc = nm && nid ? store_message_insert(st, nm, n_new, nid) : STORE_ERR_NOMEM;
		k = 0;
		for (size_t i = 0; rc >= 0 && i < s->n; i++)
			if (!s->dup[i])
				memcpy(s->ids[i], nid[k++], STORE_ID_SIZE);
		free(nm);
		free(nid);
	}
	return rc < 0 ? rc : read_messages(st, s->ids, s->n, s->answer); /* issue 16 */
}

static const char *opt_string(json_t *body, const char *name)
{
	json_t *v = json_object_get(body, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void submit_free(struct submit *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->recipients ? s->recipients[i] : NULL);
		if (s->pdus && s->pdus[i]) {
			for (size_t k = 0; k < s->msgs[i].n_parts; k++)
				free(s->pdus[i][k]);
			free(s->pdus[i]);
		}
	}
	for (size_t i = 0; s->route_pools && i < s->n; i++)
		free(s->route_pools[i]);
	free(s->route_pools);
	free(s->dup);
	free(s->recipients);
	free(s->pdus);
	free(s->msgs);
	free(s->ids);
	smsd_submit_ext_clear(&s->x); /* issue 16 */
	json_decref(s->answer);
}

static void h_submit(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	struct submit s = {0};
	json_t *body = NULL, *to;
	char *tags_text = NULL;
	int64_t now = smsd_wall_ms(), not_before = 0, expires_at = 0;
	long long validity = 0;
	int priority = 0;

	body = smsd_api_body(req, rep);
	if (!body)
		return;
	if (!check_spec(body, submit_spec, sizeof(submit_spec) / sizeof(submit_spec[0]), rep))
		goto out;
	const char *text = opt_string(body, "text");
	if (!*text) {
		smsd_reply_error(rep, 400, "empty_text", "text", "the text is empty");
		goto out;
	}
	json_t *pr = json_object_get(body, "priority");
	if (json_is_integer(pr)) {
		if (json_integer_value(pr) < -1000 || json_integer_value(pr) > 1000) {
			smsd_reply_error(rep, 400, "invalid_field", "priority",
					 "priority is from -1000 to 1000");
			goto out;
		}
		priority = (int)json_integer_value(pr);
	}
	const char *nb = opt_string(body, "not_before");
	if (nb && (not_before = parse_rfc3339(nb)) < 0) {
		smsd_reply_error(rep, 400, "invalid_field", "not_before",
				 "not_before is not an RFC 3339 time");
		goto out;
	}
	const char *ttl = opt_string(body, "ttl");
	long long ttl_ms = 0;
	if (ttl && smsd_parse_duration(ttl, &ttl_ms) < 0) {
		smsd_reply_error(rep, 400, "invalid_field", "ttl",
				 "ttl is not a duration (30s, 10m, 6h, 7d)");
		goto out;
	}
	if (ttl)
		expires_at = (not_before > now ? not_before : now) + ttl_ms;
	const char *val = opt_string(body, "validity");
	if (val && (smsd_parse_duration(val, &validity) < 0 || validity < 5 * 60000LL ||
		    validity > 635040LL * 60000)) {
		smsd_reply_error(rep, 400, "invalid_field", "validity",
				 "validity is a duration from 5m to 441d");
		goto out;
	}
	const char *ikey = opt_string(body, "idempotency_key");
	if (ikey && req->idempotency_key && strcmp(ikey, req->idempotency_key) != 0) {
		smsd_reply_error(rep, 400, "invalid_field", "idempotency_key",
				 "the Idempotency-Key header and idempotency_key differ");
		goto out;
	}
	if (!ikey)
		ikey = req->idempotency_key;
	json_t *tags = json_object_get(body, "tags");
	if (json_is_object(tags)) {
		const char *k;
		json_t *v;
		json_object_foreach(tags, k, v)
		{
			if (!json_is_string(v)) {
				smsd_reply_error(rep, 400, "invalid_field", "tags",
						 "tag values are strings");
				goto out;
			}
		}
		tags_text = json_dumps(tags, JSON_COMPACT | JSON_SORT_KEYS);
	}

	pthread_rwlock_rdlock(&d->cfg_lock);
	const struct smsd_config *cfg = d->cfg;
	const char *pool = opt_string(body, "pool"), *modem = opt_string(body, "modem");
	long long max_parts = cfg->send.max_parts;
	s.max_queued = cfg->http.max_queued;
	long long idem_retention = cfg->http.idempotency_retention; /* issue 16 */
	s.dup_window = json_is_true(json_object_get(body, "allow_duplicate"))
			   ? 0
			   : cfg->poolconf.duplicate_window; /* issue 15 */
	bool pool_ok = !pool || smsd_config_has_pool(cfg, pool);
	const struct smsd_modem_config *mc = modem ? smsd_config_find_modem(cfg, modem) : NULL;
	bool pool_of_modem = !pool || !mc || strcmp(mc->pool, pool) == 0;
	bool modem_known = mc != NULL;
	/* copied: a reload may free the configuration once the lock is released */
	char modem_pool[128] = "";
	if (mc)
		snprintf(modem_pool, sizeof(modem_pool), "%s", mc->pool);
	pthread_rwlock_unlock(&d->cfg_lock);
	if (!pool_ok) {
		smsd_reply_error(rep, 422, "unknown_pool", "pool", "no modem is in pool '%s'",
				 pool);
		goto out;
	}
	if (modem && !modem_known) {
		smsd_reply_error(rep, 422, "unknown_modem", "modem", "no modem named '%s'", modem);
		goto out;
	}
	if (!pool_of_modem) {
		smsd_reply_error(rep, 422, "unknown_modem", "modem",
				 "modem '%s' is not in pool '%s'", modem, pool);
		goto out;
	}

	to = json_object_get(body, "to");
	size_t n = json_is_array(to) ? json_array_size(to) : 1;
	if (n == 0 || n > MAX_RECIPIENTS) {
		smsd_reply_error(rep, 400, "invalid_field", "to", "'to' holds 1 to %d numbers",
				 MAX_RECIPIENTS);
		goto out;
	}
	s.msgs = calloc(n, sizeof(*s.msgs));
	s.recipients = calloc(n, sizeof(*s.recipients));
	s.pdus = calloc(n, sizeof(*s.pdus));
	s.ids = calloc(n, sizeof(*s.ids));
	s.route_pools = calloc(n, sizeof(*s.route_pools)); /* issue 15 */
	s.dup = calloc(n, sizeof(*s.dup));
	if (!s.msgs || !s.recipients || !s.pdus || !s.ids || !s.route_pools || !s.dup) {
		smsd_reply_error(rep, 500, "internal", NULL, "out of memory");
		goto out;
	}
	s.n = n;
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_is_array(to) ? json_array_get(to, i) : to;
		char num[32];
		if (!json_is_string(t) ||
		    normalise_number(json_string_value(t), num, sizeof(num)) < 0) {
			smsd_reply_error(rep, 400, "invalid_number", "to",
					 "'%s' is not a number: + and 3 to 20 digits",
					 json_is_string(t) ? json_string_value(t) : "?");
			goto out;
		}
		/* --- issue 16: one number twice only with allow_duplicate --- */
		for (size_t k = 0; k < i && !json_is_true(json_object_get(body, "allow_duplicate"));
		     k++) {
			if (strcmp(s.recipients[k], num) == 0) {
				smsd_reply_error(rep, 400, "invalid_field", "to",
						 "'%s' is in 'to' twice (allow_duplicate sends it "
						 "twice)",
						 num);
				goto out;
			}
		}
		/* --- end issue 16 --- */
		struct smsctl_submit_options *so = smsctl_submit_options_new();
		struct smsctl_encoded *enc = NULL;
		unsigned ref = (unsigned)(now ^ (int64_t)i * 7919) % 255 + 1;
		json_t *fl = json_object_get(body, "flash"), *rp = json_object_get(body, "report");
		if (so) {
			smsctl_submit_options_set_concat_ref(so, ref);
			smsctl_submit_options_set_status_report(so, json_is_true(rp));
			if (json_is_true(fl))
				smsctl_submit_options_set_class(so, 0);
			if (validity)
				smsctl_submit_options_set_validity(
				    so, (unsigned long)(validity / 60000));
		}
		int rc = so ? smsctl_pdu_encode_submit(num, text, so, &enc) : SMSCTL_ERR_NOMEM;
		smsctl_submit_options_free(so);
		if (rc == SMSCTL_ERR_TOO_LONG ||
		    (rc == 0 && (long long)smsctl_encoded_get_count(enc) > max_parts)) {
			smsctl_encoded_free(enc);
			smsd_reply_error(rep, 422, "too_long", "text",
					 "the text needs more than %lld parts", max_parts);
			goto out;
		}
		if (rc < 0) {
			smsd_reply_error(rep, 400, "invalid_field", "text", "cannot encode: %s",
					 smsctl_strerror(rc));
			goto out;
		}
		size_t np = smsctl_encoded_get_count(enc);
		s.pdus[i] = calloc(np, sizeof(char *));
		s.recipients[i] = strdup(num);
		for (size_t k = 0; s.pdus[i] && k < np; k++)
			s.pdus[i][k] = strdup(smsctl_encoded_get_hex(enc, k));
		struct store_new_message *m = &s.msgs[i];
		m->recipient = s.recipients[i];
		m->text = text;
		m->coding = smsctl_encoded_get_coding(enc) == SMSCTL_CODING_UCS2 ? "ucs2" : "gsm7";
		m->priority = priority;
		m->pool = modem_pool[0] ? modem_pool : pool;
		if (!m->pool && !modem) { /* issue 15: the first [route] matching, in file order */
			pthread_rwlock_rdlock(&d->cfg_lock);
			const char *routed = smsd_routes_match(d->cfg->poolconf.compiled, num);
			s.route_pools[i] = routed ? strdup(routed) : NULL;
			pthread_rwlock_unlock(&d->cfg_lock);
			m->pool = s.route_pools[i];
		}
		m->modem = modem;
		m->not_before = not_before;
		m->expires_at = expires_at;
		m->report = json_is_true(rp);
		m->flash = json_is_true(fl);
		m->validity_minutes = validity ? (int)(validity / 60000) : -1;
		m->at_least_once = json_is_true(json_object_get(body, "at_least_once"));
		m->idempotency_key = ikey;
		m->tags = tags_text;
		m->concat_ref = np > 1 ? (int)ref : -1;
		m->n_parts = np;
		m->pdus = (const char *const *)s.pdus[i];
		smsctl_encoded_free(enc);
		if (!s.recipients[i] || !s.pdus[i]) {
			smsd_reply_error(rep, 500, "internal", NULL, "out of memory");
			goto out;
		}
	}
	/* --- issue 16: idempotency and opt-outs (idempotency.c) --- */
	if (smsd_submit_prepare(&s.x, body, ikey, s.recipients, s.n, now, idem_retention) < 0) {
		smsd_reply_error(rep, 500, "internal", NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; ikey && i < s.n; i++)
		s.msgs[i].request_hash = s.x.hash;
	s.answer = json_array();
	/* --- end issue 16 --- */
	int rc = smsd_storeq_call(d->storeq, run_insert, &s);
	if (rc < 0) {
		store_error_reply(rep, rc);
		goto out;
	}
	/* --- issue 16 --- */
	if (s.x.outcome == SMSD_SUBMIT_CONFLICT) {
		smsd_reply_error(rep, 409, "idempotency_conflict", "idempotency_key",
				 "the key '%s' was used for another request", ikey);
		goto out;
	}
	if (s.x.outcome == SMSD_SUBMIT_OPTED_OUT) {
		smsd_reply_error(rep, 422, "opted_out", "to", "%s has opted out",
				 s.recipients[s.x.opted_out - 1]);
		goto out;
	}
	if (s.x.outcome == SMSD_SUBMIT_REPLAY) {
		reply_messages(s.answer, true, rep);
		smsd_metrics_duplicate(d->metrics, "idempotency"); /* ops (issue 17) */
		goto out;
	}
	/* --- end issue 16 --- */
	if (s.full) {
		smsd_reply_error(rep, 429, "queue_full", NULL, "more than %lld messages are queued",
				 (long long)s.max_queued);
		rep->retry_after = 60;
		goto out;
	}
	smsd_wake(d);
	size_t n_dup = 0;		   /* issue 15: duplicate_window */
	for (size_t i = 0; i < s.n; i++) { /* ops (issue 17) */
		n_dup += s.dup[i];
		if (!s.dup[i])
			smsd_metrics_submitted(d->metrics, s.msgs[i].pool, 1);
		else
			smsd_metrics_duplicate(d->metrics, "content");
	}
	smsd_metrics_refresh_soon(d->metrics);
	reply_messages(s.answer, n_dup == s.n, rep); /* issue 16: read by the insert's job */
	for (size_t i = 0; n_dup && i < s.n; i++)    /* issue 15: which ones were there already */
		json_object_set_new(json_array_get(s.answer, i), "duplicate",
				    json_boolean(s.dup[i]));
out:
	submit_free(&s);
	free(tags_text);
	json_decref(body);
}

/* ---- the other message routes ---- */

static void h_get(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	reply_message(app, req->params[0], rep, 200);
}

static void h_cancel(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	struct get_job g = {.id = req->params[0]};
	int rc = smsd_storeq_call(d->storeq, run_cancel, &g);

	if (rc == STORE_ERR_STATE) {
		smsd_reply_error(rep, 409, "not_cancellable", NULL,
				 "only a queued message can be cancelled; this one is %s",
				 store_msg_state_name(g.msg.state));
	} else if (rc < 0) {
		store_error_reply(rep, rc);
	} else {
		rep->status = 200;
		rep->body = message_json(&g.msg, true);
	}
	store_message_clear(&g.msg);
}

struct resend_job {
	const char *id;
	char new_id[STORE_ID_SIZE];
};

static int run_resend(struct store *st, void *arg)
{
	struct resend_job *r = arg;

	return store_message_resend(st, r->id, NULL, 0, -1, r->new_id);
}

static void h_resend(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	struct resend_job r = {.id = req->params[0]};
	int rc = smsd_storeq_call(d->storeq, run_resend, &r);

	if (rc == STORE_ERR_STATE) {
		smsd_reply_error(rep, 409, "not_resendable", NULL,
				 "only an unknown or failed message can be resent");
		return;
	}
	if (rc < 0) {
		store_error_reply(rep, rc);
		return;
	}
	smsd_wake(d);
	struct get_job g = {.id = r.new_id};
	if (smsd_storeq_call(d->storeq, run_get, &g) < 0) {
		store_error_reply(rep, STORE_ERR_UNAVAILABLE);
		return;
	}
	rep->status = 202;
	rep->body = json_pack("{s:[o]}", "messages", message_json(&g.msg, true));
	store_message_clear(&g.msg);
}

struct list_job {
	struct store_list_filter f;
	struct store_message *v;
	size_t n;
	char next[STORE_CURSOR_SIZE];
};

static int run_list(struct store *st, void *arg)
{
	struct list_job *l = arg;

	return store_message_list(st, &l->f, &l->v, &l->n, l->next);
}

static void h_list(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	struct list_job l = {.f = {.state = -1}};
	const char *state = smsd_request_arg(req, "state"), *to = smsd_request_arg(req, "to");
	const char *since = smsd_request_arg(req, "since"), *until = smsd_request_arg(req, "until");
	char num[32];

	if (state && (l.f.state = store_msg_state_parse(state)) < 0) {
		smsd_reply_error(rep, 400, "invalid_field", "state", "no such state '%s'", state);
		return;
	}
	if (to) {
		if (normalise_number(to, num, sizeof(num)) < 0) {
			smsd_reply_error(rep, 400, "invalid_number", "to", "'%s' is not a number",
					 to);
			return;
		}
		l.f.recipient = num;
	}
	if (since && (l.f.since = parse_rfc3339(since)) < 0) {
		smsd_reply_error(rep, 400, "invalid_field", "since", "not an RFC 3339 time");
		return;
	}
	if (until && (l.f.until = parse_rfc3339(until)) < 0) {
		smsd_reply_error(rep, 400, "invalid_field", "until", "not an RFC 3339 time");
		return;
	}
	if (!smsd_api_limit(req, rep, &l.f.limit))
		return;
	l.f.cursor = smsd_request_arg(req, "cursor");
	if (!smsd_list_done(rep, smsd_storeq_call(d->storeq, run_list, &l)))
		return;
	json_t *arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, message_json(&l.v[i], false));
	store_message_free_array(l.v, l.n);
	smsd_list_reply(rep, "messages", arr, l.next);
}

struct events_job {
	const char *id;
	struct store_message msg;
	struct store_event *v;
	size_t n;
};

static int run_events(struct store *st, void *arg)
{
	struct events_job *e = arg;
	int rc = store_message_get(st, e->id, &e->msg);

	if (rc < 0)
		return rc;
	return store_event_list(st, e->id, 0, 1000, &e->v, &e->n);
}

static void h_events(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	struct events_job e = {.id = req->params[0]};
	int rc = smsd_storeq_call(d->storeq, run_events, &e);

	store_message_clear(&e.msg);
	if (rc < 0) {
		store_error_reply(rep, rc);
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < e.n; i++) {
		json_t *payload = e.v[i].payload ? json_loads(e.v[i].payload, 0, NULL) : NULL;
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:o,s:o}", "id", e.v[i].id,
						     "type", e.v[i].type, "created_at",
						     json_time(e.v[i].created_at), "modem",
						     json_str_or_null(e.v[i].modem), "data",
						     payload ? payload : json_object()));
	}
	store_event_free_array(e.v, e.n);
	rep->status = 200;
	rep->body = json_pack("{s:o}", "events", arr);
}

static int run_ping(struct store *st, void *arg)
{
	int64_t *n = arg;

	*n = store_queued_count(st);
	return *n < 0 ? (int)*n : 0;
}

static void h_healthz(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;

	rep->status = atomic_load(&d->serving) ? 200 : 503;
	rep->body = json_pack("{s:s}", "status", rep->status == 200 ? "ok" : "starting");
}

static void h_readyz(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	int64_t queued = 0;
	bool store_ok = smsd_storeq_call(d->storeq, run_ping, &queued) == 0;
	int ready = atomic_load(&d->modems_ready);
	json_t *reasons = json_array();

	if (!store_ok)
		json_array_append_new(reasons, json_string("store_unavailable"));
	if (ready == 0)
		json_array_append_new(reasons, json_string("no_modem_ready"));
	rep->status = store_ok && ready > 0 ? 200 : 503;
	rep->body = json_pack("{s:s,s:i,s:o}", "status", rep->status == 200 ? "ready" : "not_ready",
			      "modems_ready", ready, "reasons", reasons);
}

static const struct smsd_route routes[] = {
    {"POST", "/v1/messages", h_submit, false},
    {"GET", "/v1/messages", h_list, false},
    {"GET", "/v1/messages/{id}", h_get, false},
    {"DELETE", "/v1/messages/{id}", h_cancel, false},
    {"POST", "/v1/messages/{id}/resend", h_resend, false},
    {"GET", "/v1/messages/{id}/events", h_events, false},
    {"GET", "/healthz", h_healthz, true},
    {"GET", "/readyz", h_readyz, true},
    SMSD_API_EXT_ROUTES	  /* issue 16: api-ext.h */
	SMSD_POOL_ROUTES, /* issue 15: /v1/modems */
    SMSD_BALANCE_ROUTES,  /* issue 15: balance, USSD (balance.h) */
    /* ops (issue 17): /metrics, the status page, /login (ops.h) */
    SMSD_OPS_ROUTES};

struct smsd_http *smsd_api_start(struct smsd *d, char *err, size_t errlen)
{
	struct smsd_http_config hc = {
	    .listen = d->cfg->http.listen,
	    .n_listen = d->cfg->http.n_listen,
	    .tokens_file = d->cfg->http.tokens_file,
	    .max_body = d->cfg->http.max_body,
	    .threads = (unsigned)d->cfg->http.threads,
	    .routes = routes,
	    .n_routes = sizeof(routes) / sizeof(routes[0]),
	    .app = d,
	    .observe = smsd_metrics_http, /* ops (issue 17) */
	};

	return smsd_http_start(&hc, err, errlen);
}
