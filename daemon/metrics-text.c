/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GET /metrics: the registry in the Prometheus text format 0.0.4, written by hand. The scrape
 * reads only the registry (under its lock) and the configuration's pool names; it never
 * touches the store.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h" /* PACKAGE_VERSION */
#include "metrics-internal.h"
#include "store/store.h"

/* ---- the text format ---- */

struct buf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int need;

	if (b->oom)
		return;
	va_start(ap, fmt);
	need = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	if (need < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)need >= b->cap - b->n) {
		size_t cap = b->cap;
		while (cap - b->n <= (size_t)need)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
		va_start(ap, fmt);
		vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
	}
	b->n += (size_t)need;
}

static void head(struct buf *b, const char *name, const char *type, const char *help)
{
	bprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A value as the text format writes it (integers without a fraction). */
static void value(struct buf *b, double v)
{
	if (isnan(v))
		bprintf(b, " NaN\n");
	else if (v == floor(v) && fabs(v) < 1e15)
		bprintf(b, " %.0f\n", v);
	else
		bprintf(b, " %.6g\n", v);
}

static void series(struct buf *b, const char *name, const char *key, double v)
{
	if (key && key[0])
		bprintf(b, "%s{%s}", name, key);
	else
		bprintf(b, "%s", name);
	value(b, v);
}

static void emit_family(struct buf *b, const char *name, const char *type, const char *help,
			const struct family *f)
{
	head(b, name, type, help);
	for (size_t i = 0; i < f->n; i++)
		series(b, name, f->s[i].key, f->s[i].v);
}

static void emit_hist(struct buf *b, const char *name, const char *help, const struct hfamily *f,
		      const double *buckets, bool always)
{
	head(b, name, "histogram", help);
	struct hseries empty = {.key = ""};
	size_t n = f->n;
	for (size_t i = 0; i < n || (always && n == 0 && i == 0); i++) {
		const struct hseries *h = n ? &f->s[i] : &empty;
		const char *sep = h->key[0] ? "," : "";
		for (int k = 0; k < N_BUCKETS; k++)
			bprintf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, h->key, sep, buckets[k],
				(unsigned long long)h->b[k]);
		bprintf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, h->key, sep,
			(unsigned long long)h->count);
		bprintf(b, "%s_sum%s%s%s", name, h->key[0] ? "{" : "", h->key,
			h->key[0] ? "}" : "");
		value(b, h->sum);
		bprintf(b, "%s_count%s%s%s %llu\n", name, h->key[0] ? "{" : "", h->key,
			h->key[0] ? "}" : "", (unsigned long long)h->count);
	}
}

static void sim_series(struct buf *b, const char *name, const char *modem, const char *sim,
		       const char *window, double v)
{
	char key[MAX_KEY] = "";

	smsd_label(key, sizeof(key), "modem", modem);
	smsd_label(key, sizeof(key), "sim", sim);
	if (window)
		smsd_label(key, sizeof(key), "window", window);
	series(b, name, key, v);
}

/* The SIMs: counts and quotas from the pool (sim_counters) where it knows the modem, else the
 * counts since the start; the balance only once read (no series while unknown, never NaN). */
static void sims(struct buf *b, struct smsd_metrics *m)
{
	time_t now = time(NULL);
	struct tm tm;
	int64_t now_ms = smsd_wall_ms();

	localtime_r(&now, &tm);
	head(b, "smsctl_sim_parts_sent", "gauge",
	     "Parts sent from the SIM today and this month (local time).");
	for (int i = 0; i < m->n_modems; i++) {
		const struct smsd_modem_info *mi = &m->modems[i];
		if (!mi->pooled || !mi->iccid[0])
			continue;
		sim_series(b, "smsctl_sim_parts_sent", mi->name, mi->iccid, "day",
			   (double)mi->parts_today);
		sim_series(b, "smsctl_sim_parts_sent", mi->name, mi->iccid, "month",
			   (double)mi->parts_month);
	}
	for (size_t i = 0; i < m->n_sims; i++) {
		bool pooled = false;
		for (int k = 0; k < m->n_modems && !pooled; k++)
			pooled = m->modems[k].pooled && m->modems[k].iccid[0] &&
				 strcmp(m->modems[k].name, m->sims[i].modem) == 0 &&
				 strcmp(m->modems[k].iccid, m->sims[i].sim) == 0;
		if (pooled)
			continue;
		smsd_roll_window(&m->sims[i], &tm);
		sim_series(b, "smsctl_sim_parts_sent", m->sims[i].modem, m->sims[i].sim, "day",
			   (double)m->sims[i].today);
		sim_series(b, "smsctl_sim_parts_sent", m->sims[i].modem, m->sims[i].sim, "month",
			   (double)m->sims[i].this_month);
	}
	head(b, "smsctl_sim_quota_remaining", "gauge",
	     "Parts the SIM may still send in the window (only windows with a limit).");
	for (int i = 0; i < m->n_modems; i++) {
		const struct smsd_modem_info *mi = &m->modems[i];
		if (!mi->pooled || !mi->iccid[0])
			continue;
		if (mi->daily_limit > 0)
			sim_series(b, "smsctl_sim_quota_remaining", mi->name, mi->iccid, "day",
				   mi->parts_today < mi->daily_limit
				       ? (double)(mi->daily_limit - mi->parts_today)
				       : 0);
		if (mi->monthly_limit > 0)
			sim_series(b, "smsctl_sim_quota_remaining", mi->name, mi->iccid, "month",
				   mi->parts_month < mi->monthly_limit
				       ? (double)(mi->monthly_limit - mi->parts_month)
				       : 0);
	}
	head(b, "smsctl_sim_balance", "gauge", "The SIM's balance as last read.");
	for (int i = 0; i < m->n_modems; i++)
		if (m->modems[i].has_balance && !isnan(m->modems[i].balance))
			sim_series(b, "smsctl_sim_balance", m->modems[i].name, m->modems[i].iccid,
				   NULL, m->modems[i].balance);
	head(b, "smsctl_sim_balance_age_seconds", "gauge", "Age of the balance reading.");
	for (int i = 0; i < m->n_modems; i++)
		if (m->modems[i].has_balance && !isnan(m->modems[i].balance))
			sim_series(b, "smsctl_sim_balance_age_seconds", m->modems[i].name,
				   m->modems[i].iccid, NULL,
				   now_ms > m->modems[i].balance_at_ms
				       ? (double)(now_ms - m->modems[i].balance_at_ms) / 1000
				       : 0);
}

static char *render(struct smsd *d, size_t *len)
{
	struct smsd_metrics *m = d->metrics;
	struct buf b = {.p = malloc(16384), .cap = 16384};
	char key[MAX_KEY];

	/* the pools first, under the configuration's lock alone (lock order: cfg, then m) */
	char pools[64][80];
	size_t n_pools = 0;

	if (!b.p)
		return NULL;
	b.p[0] = '\0';
	pthread_rwlock_rdlock(&d->cfg_lock);
	for (size_t i = 0; i < d->cfg->n_modems && n_pools < 64; i++) {
		const char *pool = d->cfg->modems[i].pool ? d->cfg->modems[i].pool : "default";
		bool dup = false;
		for (size_t k = 0; k < n_pools; k++)
			dup |= strcmp(pools[k], pool) == 0;
		if (!dup)
			snprintf(pools[n_pools++], sizeof(pools[0]), "%s", pool);
	}
	pthread_rwlock_unlock(&d->cfg_lock);
	pthread_mutex_lock(&m->lock);
	head(&b, "smsctl_build_info", "gauge", "Version of smsctld (always 1).");
	key[0] = '\0';
	smsd_label(key, sizeof(key), "version", PACKAGE_VERSION);
	series(&b, "smsctl_build_info", key, 1);
	head(&b, "smsctl_store_up", "gauge", "Whether the last store commit succeeded.");
	series(&b, "smsctl_store_up", NULL, m->store_up ? 1 : 0);
	head(&b, "smsctl_node_info", "gauge", "The node_id of this daemon (always 1).");
	key[0] = '\0';
	smsd_label(key, sizeof(key), "node", m->node);
	series(&b, "smsctl_node_info", key, 1);

	emit_family(&b, "smsctl_messages_submitted_total", "counter",
		    "Messages accepted by the API since the start.", &m->submitted);
	head(&b, "smsctl_messages_duplicate_submits_total", "counter",
	     "Submits answered as duplicates, by reason.");
	series(&b, "smsctl_messages_duplicate_submits_total", "reason=\"idempotency\"",
	       m->duplicates[0]);
	series(&b, "smsctl_messages_duplicate_submits_total", "reason=\"content\"",
	       m->duplicates[1]);
	head(&b, "smsctl_messages", "gauge", "Messages in the store per state.");
	if (m->counts_known)
		for (int s = 0; s < STORE_MSG_STATE_COUNT; s++) {
			const char *name = store_msg_state_name((enum store_msg_state)s);
			if (!name || !*name || strcmp(name, "?") == 0)
				continue;
			key[0] = '\0';
			smsd_label(key, sizeof(key), "state", name);
			series(&b, "smsctl_messages", key, (double)m->states[s]);
		}
	head(&b, "smsctl_queue_oldest_seconds", "gauge",
	     "Age of the oldest queued message per pool (0 when none).");
	for (size_t i = 0; i < n_pools; i++) {
		double age = 0;
		for (size_t k = 0; k < m->n_oldest; k++)
			if (strcmp(m->oldest[k].key, pools[i]) == 0)
				age = m->oldest[k].v;
		key[0] = '\0';
		smsd_label(key, sizeof(key), "pool", pools[i]);
		series(&b, "smsctl_queue_oldest_seconds", key, age);
	}
	head(&b, "smsctl_messages_waiting", "gauge",
	     "Queued messages held back, by the limit that holds them.");
	for (int k = 0; k < 4; k++) {
		key[0] = '\0';
		smsd_label(key, sizeof(key), "reason", smsd_waiting_reasons[k]);
		series(&b, "smsctl_messages_waiting", key, (double)m->waiting[k]);
	}

	emit_family(&b, "smsctl_parts_sent_total", "counter",
		    "Parts the network accepted (+CMGS), per modem and SIM.", &m->parts_sent);
	emit_family(&b, "smsctl_send_failures_total", "counter",
		    "Parts not sent, by class and error code.", &m->failures);
	emit_hist(&b, "smsctl_send_duration_seconds", "Time from AT+CMGS to +CMGS.",
		  &m->send_duration, smsd_send_buckets, false);
	emit_family(&b, "smsctl_delivery_reports_total", "counter",
		    "Status reports received, by result.", &m->reports);
	emit_family(&b, "smsctl_received_total", "counter", "SMS received into the inbox.",
		    &m->received);

	head(&b, "smsctl_modem_state", "gauge",
	     "1 for the modem's current state, 0 for the others.");
	for (int i = 0; i < m->n_modems; i++)
		for (int s = 0; s < 8; s++) {
			key[0] = '\0';
			smsd_label(key, sizeof(key), "modem", m->modems[i].name);
			smsd_label(key, sizeof(key), "state", smsd_modem_states[s]);
			series(&b, "smsctl_modem_state", key,
			       strcmp(m->modems[i].state, smsd_modem_states[s]) == 0);
		}
	head(&b, "smsctl_modem_up", "gauge", "Whether the modem is open and answering.");
	for (int i = 0; i < m->n_modems; i++) {
		key[0] = '\0';
		smsd_label(key, sizeof(key), "modem", m->modems[i].name);
		series(&b, "smsctl_modem_up", key, strcmp(m->modems[i].state, "gone") != 0);
	}
	head(&b, "smsctl_modem_signal_dbm", "gauge", "Signal strength in dBm (when known).");
	for (int i = 0; i < m->n_modems; i++) {
		if (m->modems[i].signal_dbm == INT32_MIN)
			continue;
		key[0] = '\0';
		smsd_label(key, sizeof(key), "modem", m->modems[i].name);
		series(&b, "smsctl_modem_signal_dbm", key, m->modems[i].signal_dbm);
	}
	head(&b, "smsctl_modem_registered", "gauge",
	     "Whether the modem is registered (when known).");
	for (int i = 0; i < m->n_modems; i++) {
		if (m->modems[i].registered < 0)
			continue;
		key[0] = '\0';
		smsd_label(key, sizeof(key), "modem", m->modems[i].name);
		series(&b, "smsctl_modem_registered", key, m->modems[i].registered);
	}
	head(&b, "smsctl_modem_finding", "gauge", "1 per current warning or error finding.");
	for (int i = 0; i < m->n_modems; i++) {
		if (!m->modems[i].finding[0])
			continue;
		key[0] = '\0';
		smsd_label(key, sizeof(key), "modem", m->modems[i].name);
		smsd_label(key, sizeof(key), "id", m->modems[i].finding);
		smsd_label(key, sizeof(key), "severity", m->modems[i].severity);
		series(&b, "smsctl_modem_finding", key, 1);
	}
	sims(&b, m);

	emit_family(&b, "smsctl_http_requests_total", "counter",
		    "HTTP requests by route and status.", &m->http_requests);
	emit_hist(&b, "smsctl_http_request_duration_seconds", "HTTP request durations by route.",
		  &m->http_duration, smsd_http_buckets, false);
	emit_family(&b, "smsctl_webhook_deliveries_total", "counter",
		    "Webhook delivery attempts by result.", &m->deliveries);
	head(&b, "smsctl_webhook_backlog", "gauge", "Events waiting for a webhook subscriber.");
	for (size_t i = 0; i < m->n_backlog; i++) {
		key[0] = '\0';
		smsd_label(key, sizeof(key), "webhook", m->backlog[i].key);
		series(&b, "smsctl_webhook_backlog", key, m->backlog[i].v);
	}
	emit_family(&b, "smsctl_hook_runs_total", "counter", "Hook runs by result.", &m->hook_runs);
	emit_hist(&b, "smsctl_store_commit_seconds", "Duration of the store's group commits.",
		  &m->commit_seconds, smsd_commit_buckets, true);
	emit_hist(&b, "smsctl_store_commit_batch_size", "Jobs per store commit.", &m->commit_batch,
		  smsd_batch_buckets, true);
	head(&b, "smsctl_metrics_dropped_total", "counter",
	     "Series not recorded because a family reached its bound.");
	series(&b, "smsctl_metrics_dropped_total", NULL, (double)m->dropped);
	pthread_mutex_unlock(&m->lock);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	*len = b.n;
	return b.p;
}

void smsd_page_metrics(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	bool need_auth;

	pthread_rwlock_rdlock(&d->cfg_lock);
	need_auth = d->cfg->http.metrics_auth;
	pthread_rwlock_unlock(&d->cfg_lock);
	if (need_auth && !req->is_unix && !req->token_name) {
		smsd_reply_error(rep, 401, "unauthorized", NULL,
				 "a valid 'Authorization: Bearer TOKEN' is required");
		return;
	}
	rep->raw = render(d, &rep->raw_len);
	if (!rep->raw) {
		smsd_reply_error(rep, 500, "internal", NULL, "out of memory");
		return;
	}
	rep->status = 200;
	rep->raw_type = "text/plain; version=0.0.4; charset=utf-8";
}
