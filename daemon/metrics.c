/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The metrics registry of smsctld: counters bumped by the loop, the store thread and the HTTP
 * threads, and the snapshots the status page and STATUS= read. Names and labels are the
 * contract of issue 17; see ops.h for the threading rules and metrics-internal.h for the files.
 *
 * Cardinality is bounded: label values come from the configuration (modems, pools, routes),
 * the SIMs in them, and the library's error table; every family holds at most MAX_SERIES
 * series, further ones are dropped and counted in smsctl_metrics_dropped_total.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics-internal.h"

const char *const smsd_modem_states[8] = {"starting", "ready", "degraded", "cooling",
					  "blocked",  "quota", "gone",	   "disabled"};

const double smsd_send_buckets[N_BUCKETS] = {0.25, 0.5, 1, 2, 4, 8, 16, 32};
const double smsd_http_buckets[N_BUCKETS] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
const double smsd_commit_buckets[N_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1};
const double smsd_batch_buckets[N_BUCKETS] = {1, 2, 4, 8, 16, 32, 64, 256};
const char *const smsd_waiting_reasons[4] = {"quota", "rate", "window", "no_modem"};

/* ---- families ---- */

double *smsd_family_slot(struct smsd_metrics *m, struct family *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->s[i].key, key) == 0)
			return &f->s[i].v;
	if (f->n >= MAX_SERIES) {
		m->dropped++;
		return NULL;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct series *s = realloc(f->s, cap * sizeof(*s));
		if (!s)
			return NULL;
		f->s = s;
		f->cap = cap;
	}
	snprintf(f->s[f->n].key, MAX_KEY, "%s", key);
	f->s[f->n].v = 0;
	return &f->s[f->n++].v;
}

static struct hseries *hfamily_slot(struct smsd_metrics *m, struct hfamily *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->s[i].key, key) == 0)
			return &f->s[i];
	if (f->n >= MAX_SERIES) {
		m->dropped++;
		return NULL;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct hseries *s = realloc(f->s, cap * sizeof(*s));
		if (!s)
			return NULL;
		f->s = s;
		f->cap = cap;
	}
	memset(&f->s[f->n], 0, sizeof(f->s[f->n]));
	snprintf(f->s[f->n].key, MAX_KEY, "%s", key);
	return &f->s[f->n++];
}

static void observe(struct smsd_metrics *m, struct hfamily *f, const double *buckets,
		    const char *key, double v)
{
	struct hseries *h = hfamily_slot(m, f, key);

	if (!h)
		return;
	for (int i = 0; i < N_BUCKETS; i++)
		if (v <= buckets[i])
			h->b[i]++;
	h->count++;
	h->sum += v;
}

void smsd_label(char *key, size_t size, const char *name, const char *value)
{
	size_t n = strlen(key);

	if (n && n + 1 < size)
		key[n++] = ',';
	n += (size_t)snprintf(key + n, n < size ? size - n : 0, "%s=\"", name);
	for (const char *p = value ? value : ""; *p && n + 3 < size; p++) {
		if (*p == '\\' || *p == '"') {
			key[n++] = '\\';
			key[n++] = *p;
		} else if (*p == '\n') {
			key[n++] = '\\';
			key[n++] = 'n';
		} else {
			key[n++] = *p;
		}
	}
	if (n + 1 < size)
		key[n++] = '"';
	key[n < size ? n : size - 1] = '\0';
}

static void family_free(struct family *f)
{
	free(f->s);
}

static void hfamily_free(struct hfamily *f)
{
	free(f->s);
}

struct smsd_metrics *smsd_metrics_new(void)
{
	struct smsd_metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	m->store_up = true;
	return m;
}

void smsd_metrics_free(struct smsd_metrics *m)
{
	if (!m)
		return;
	family_free(&m->submitted);
	family_free(&m->parts_sent);
	family_free(&m->failures);
	family_free(&m->reports);
	family_free(&m->received);
	family_free(&m->http_requests);
	family_free(&m->deliveries);
	family_free(&m->hook_runs);
	hfamily_free(&m->send_duration);
	hfamily_free(&m->http_duration);
	hfamily_free(&m->commit_seconds);
	hfamily_free(&m->commit_batch);
	free(m->sims);
	free(m->modems);
	explicit_bzero(m->sessions, sizeof(m->sessions));
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* ---- counters ---- */

static void add(struct smsd_metrics *m, struct family *f, const char *key, double v)
{
	double *slot;

	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	slot = smsd_family_slot(m, f, key);
	if (slot)
		*slot += v;
	pthread_mutex_unlock(&m->lock);
}

void smsd_metrics_submitted(struct smsd_metrics *m, const char *pool, int n)
{
	char key[MAX_KEY] = "";

	smsd_label(key, sizeof(key), "pool", pool ? pool : "default");
	add(m, m ? &m->submitted : NULL, key, n);
}

static struct sim_window *sim_window(struct smsd_metrics *m, const char *modem, const char *sim)
{
	for (size_t i = 0; i < m->n_sims; i++)
		if (strcmp(m->sims[i].modem, modem) == 0 && strcmp(m->sims[i].sim, sim) == 0)
			return &m->sims[i];
	if (m->n_sims >= MAX_SERIES)
		return NULL;
	struct sim_window *v = realloc(m->sims, (m->n_sims + 1) * sizeof(*v));
	if (!v)
		return NULL;
	m->sims = v;
	memset(&v[m->n_sims], 0, sizeof(*v));
	snprintf(v[m->n_sims].modem, sizeof(v[0].modem), "%s", modem);
	snprintf(v[m->n_sims].sim, sizeof(v[0].sim), "%s", sim);
	v[m->n_sims].day = -1;
	return &v[m->n_sims++];
}

void smsd_roll_window(struct sim_window *w, const struct tm *tm)
{
	if (w->day != tm->tm_yday) {
		w->today = 0;
		w->day = tm->tm_yday;
	}
	if (w->month != tm->tm_mon + 1) {
		w->this_month = 0;
		w->month = tm->tm_mon + 1;
	}
}

void smsd_metrics_part_sent(struct smsd_metrics *m, const char *modem, const char *sim,
			    double seconds)
{
	char key[MAX_KEY] = "", hkey[MAX_KEY] = "";
	time_t now = time(NULL);
	struct tm tm;

	if (!m)
		return;
	smsd_label(key, sizeof(key), "modem", modem);
	smsd_label(key, sizeof(key), "sim", sim);
	smsd_label(hkey, sizeof(hkey), "modem", modem);
	localtime_r(&now, &tm);
	pthread_mutex_lock(&m->lock);
	double *slot = smsd_family_slot(m, &m->parts_sent, key);
	if (slot)
		*slot += 1;
	if (seconds >= 0)
		observe(m, &m->send_duration, smsd_send_buckets, hkey, seconds);
	struct sim_window *w = sim_window(m, modem, sim ? sim : "");
	if (w) {
		smsd_roll_window(w, &tm);
		w->today++;
		w->this_month++;
	}
	pthread_mutex_unlock(&m->lock);
}

void smsd_metrics_send_failure(struct smsd_metrics *m, const char *modem, const char *class_,
			       const char *code)
{
	char key[MAX_KEY] = "";

	smsd_label(key, sizeof(key), "modem", modem);
	smsd_label(key, sizeof(key), "class", class_);
	smsd_label(key, sizeof(key), "code", code);
	add(m, m ? &m->failures : NULL, key, 1);
}

void smsd_metrics_report(struct smsd_metrics *m, const char *modem, int tp_status)
{
	char key[MAX_KEY] = "";

	smsd_label(key, sizeof(key), "modem", modem);
	smsd_label(key, sizeof(key), "result",
		   tp_status >= 0 && tp_status < 32    ? "delivered"
		   : tp_status >= 32 && tp_status < 64 ? "pending"
						       : "undelivered");
	add(m, m ? &m->reports : NULL, key, 1);
}

void smsd_metrics_received(struct smsd_metrics *m, const char *modem)
{
	char key[MAX_KEY] = "";

	if (!modem)
		return; /* a duplicate */
	smsd_label(key, sizeof(key), "modem", modem);
	add(m, m ? &m->received : NULL, key, 1);
}

void smsd_metrics_duplicate(struct smsd_metrics *m, const char *reason)
{
	if (!m || !reason)
		return;
	pthread_mutex_lock(&m->lock);
	m->duplicates[strcmp(reason, "content") == 0]++;
	pthread_mutex_unlock(&m->lock);
}

void smsd_metrics_delivery(struct smsd_metrics *m, bool hook, const char *name, const char *result)
{
	char key[MAX_KEY] = "";

	smsd_label(key, sizeof(key), hook ? "hook" : "webhook", name);
	smsd_label(key, sizeof(key), "result", result);
	add(m, m ? (hook ? &m->hook_runs : &m->deliveries) : NULL, key, 1);
}

void smsd_metrics_http(void *app, const char *route, int status, double seconds)
{
	struct smsd *d = app;
	struct smsd_metrics *m = d ? d->metrics : NULL;
	char key[MAX_KEY] = "", hkey[MAX_KEY] = "", code[16];

	if (!m || !route)
		return;
	snprintf(code, sizeof(code), "%d", status);
	smsd_label(key, sizeof(key), "route", route);
	smsd_label(key, sizeof(key), "code", code);
	smsd_label(hkey, sizeof(hkey), "route", route);
	pthread_mutex_lock(&m->lock);
	double *slot = smsd_family_slot(m, &m->http_requests, key);
	if (slot)
		*slot += 1;
	observe(m, &m->http_duration, smsd_http_buckets, hkey, seconds);
	pthread_mutex_unlock(&m->lock);
}

void smsd_metrics_commit(void *arg, double seconds, int batch)
{
	struct smsd_metrics *m = arg;

	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	observe(m, &m->commit_seconds, smsd_commit_buckets, "", seconds);
	observe(m, &m->commit_batch, smsd_batch_buckets, "", batch);
	pthread_mutex_unlock(&m->lock);
}

void smsd_metrics_last_failure(struct smsd_metrics *m, const char *modem, const char *id,
			       const char *code, const char *text)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	struct smsd_failure_row *r = &m->failures_ring[m->failures_head];
	r->at_ms = smsd_wall_ms();
	snprintf(r->modem, sizeof(r->modem), "%s", modem ? modem : "");
	snprintf(r->id, sizeof(r->id), "%s", id ? id : "");
	snprintf(r->code, sizeof(r->code), "%s", code ? code : "");
	snprintf(r->text, sizeof(r->text), "%s", text ? text : "");
	m->failures_head = (m->failures_head + 1) % MAX_FAILURES;
	if (m->n_failures < MAX_FAILURES)
		m->n_failures++;
	pthread_mutex_unlock(&m->lock);
}

int smsd_metrics_failures(struct smsd_metrics *m, struct smsd_failure_row *out, int max)
{
	int n = 0;

	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < m->n_failures && n < max; i++) {
		int k = (m->failures_head - 1 - i + 2 * MAX_FAILURES) % MAX_FAILURES;
		out[n++] = m->failures_ring[k];
	}
	pthread_mutex_unlock(&m->lock);
	return n;
}

/* ---- snapshots ---- */

void smsd_metrics_summary(struct smsd_metrics *m, struct smsd_ops_summary *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&m->lock);
	out->modems = m->n_modems;
	for (int i = 0; i < m->n_modems; i++)
		if (strcmp(m->modems[i].state, "ready") == 0 ||
		    strcmp(m->modems[i].state, "degraded") == 0)
			out->modems_ready++;
	out->queued = m->states[STORE_MSG_QUEUED];
	out->sending = m->states[STORE_MSG_SENDING];
	out->unknown = m->states[STORE_MSG_UNKNOWN];
	memcpy(out->waiting, m->waiting, sizeof(out->waiting));
	out->store_up = m->store_up;
	out->counts_known = m->counts_known;
	pthread_mutex_unlock(&m->lock);
}

int smsd_metrics_backlogs(struct smsd_metrics *m, struct series_copy *out, int max)
{
	int n = 0;

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n_backlog && n < max; i++, n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", m->backlog[i].key);
		out[n].v = m->backlog[i].v;
	}
	pthread_mutex_unlock(&m->lock);
	return n;
}

int smsd_metrics_modems(struct smsd_metrics *m, struct smsd_modem_info *out, int max)
{
	int n;

	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	pthread_mutex_lock(&m->lock);
	n = m->n_modems < max ? m->n_modems : max;
	if (n > 0)
		memcpy(out, m->modems, (size_t)n * sizeof(*out));
	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < m->n_sims; k++)
			if (strcmp(m->sims[k].modem, out[i].name) == 0) {
				smsd_roll_window(&m->sims[k], &tm);
				out[i].sent_today += m->sims[k].today;
			}
	pthread_mutex_unlock(&m->lock);
	return n;
}
/* ---- sessions of the status page (kept here, under the registry's lock) ---- */

int smsd_metrics_session_add(struct smsd_metrics *m, const char *id, int64_t expires_ms)
{
	int64_t now = smsd_wall_ms();
	int slot = 0;

	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < 64; i++) {
		if (m->sessions[i].expires_ms < now) {
			slot = i;
			break;
		}
		if (m->sessions[i].expires_ms < m->sessions[slot].expires_ms)
			slot = i; /* all in use: the oldest goes */
	}
	snprintf(m->sessions[slot].id, sizeof(m->sessions[slot].id), "%s", id);
	m->sessions[slot].expires_ms = expires_ms;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

bool smsd_metrics_session_valid(struct smsd_metrics *m, const char *id)
{
	int64_t now = smsd_wall_ms();
	bool ok = false;
	size_t len = strlen(id);

	if (len != 64)
		return false;
	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < 64; i++) {
		unsigned char diff = 0;
		for (size_t k = 0; k < 64; k++)
			diff |= (unsigned char)(m->sessions[i].id[k] ^ id[k]);
		if (diff == 0 && m->sessions[i].expires_ms >= now)
			ok = true;
	}
	pthread_mutex_unlock(&m->lock);
	return ok;
}
