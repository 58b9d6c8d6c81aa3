/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The gauges of /metrics that are not counters: what the loop publishes about the modems at
 * every tick, and what a job of the store thread counts every REFRESH_MS (rows per state, the
 * oldest queued message per pool, the waiting reasons). A scrape reads only these copies.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balance.h"
#include "metrics-internal.h"
#include "notify.h"
#include "pool/pool-run.h"
#include "storeq.h"

/* The store thread's part: rows per state and the oldest queued messages. */
struct refresh {
	struct smsd_metrics *m;
	bool full;			       /* count every state (else only the moving ones) */
	double full_ms;			       /* what the full count cost */
	int64_t states[STORE_MSG_STATE_COUNT]; /* in: the last counts; out: the new ones */
	int64_t waiting[4];
	struct series oldest[64];
	size_t n_oldest;
	/* the webhooks' backlogs: names in, pending counts out */
	struct series backlog[MAX_SUBS];
	size_t n_backlog;
	int rc;
};

static int run_refresh(struct store *st, void *arg)
{
	struct refresh *r = arg;
	int64_t now = store_now(st);

	/* the finished states only grow and cost a scan of their index (a third of a second at a
	 * million rows): counted in full only while that is cheap, else at most every
	 * FULL_COUNT_FACTOR times its cost; queued, sending and unknown (what alerts watch) are
	 * counted at every refresh */
	if (r->full) {
		int64_t t0 = smsd_mono_ms();
		r->rc = store_count_states(st, r->states);
		r->full_ms = (double)(smsd_mono_ms() - t0);
	} else {
		r->rc = store_count_active_states(st, r->states);
	}
	if (r->rc < 0)
		return 0; /* a read: nothing to roll back, the gauges keep their last values */
	/* the oldest queued message per pool and the waiting reasons: one pass over the queued
	 * rows only (a listing ordered by age would read the whole table on a big store) */
	struct store_queue_group *g = NULL;
	size_t ng = 0;
	if (store_queue_summary(st, &g, &ng) == 0) {
		for (size_t i = 0; i < ng; i++) {
			size_t k = 0;
			while (k < r->n_oldest && strcmp(r->oldest[k].key, g[i].pool) != 0)
				k++;
			double age = now > g[i].oldest ? (double)(now - g[i].oldest) / 1000 : 0;
			if (k == r->n_oldest && k < 64) {
				snprintf(r->oldest[k].key, MAX_KEY, "%s", g[i].pool);
				r->oldest[r->n_oldest++].v = age;
			} else if (k < r->n_oldest && age > r->oldest[k].v) {
				r->oldest[k].v = age;
			}
			for (int w = 0; w < 4; w++)
				if (strcmp(g[i].waiting, smsd_waiting_reasons[w]) == 0)
					r->waiting[w] += g[i].count;
		}
	}
	free(g);
	for (size_t i = 0; i < r->n_backlog; i++) {
		struct store_delivery_stats s = {0};
		char name[MAX_KEY + 16];
		snprintf(name, sizeof(name), "webhook:%s", r->backlog[i].key);
		r->backlog[i].v = store_delivery_stats(st, name, &s) == 0 ? (double)s.pending : -1;
	}
	return 0;
}

static void refresh_done(void *arg, int rc)
{
	struct refresh *r = arg;
	struct smsd_metrics *m = r->m;

	pthread_mutex_lock(&m->lock);
	m->refresh_pending = false;
	if (r->rc == 0 && rc == 0) {
		memcpy(m->states, r->states, sizeof(m->states));
		if (r->full) {
			int64_t every = (int64_t)(r->full_ms * FULL_COUNT_FACTOR);
			m->next_full_count = smsd_mono_ms() + (every > REFRESH_MS ? every : 0);
		}
		memcpy(m->waiting, r->waiting, sizeof(m->waiting));
		memcpy(m->oldest, r->oldest, sizeof(m->oldest));
		m->n_oldest = r->n_oldest;
		m->counts_known = true;
		size_t k = 0;
		for (size_t i = 0; i < r->n_backlog; i++)
			if (r->backlog[i].v >= 0)
				m->backlog[k++] = r->backlog[i];
		m->n_backlog = k;
	}
	pthread_mutex_unlock(&m->lock);
	free(r);
}

/* What the pool knows of a modem (issue 15): its state among the eight, signal, registration,
 * operator, the SIM's counts and limits. */
static void overlay_pool(struct smsd_modem_info *info, int n)
{
	struct smsd_pool_snapshot *v = NULL;
	size_t nv = smsd_pool_snapshots(&v);

	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < nv; k++) {
			const struct smsd_pool_snapshot *s = &v[k];
			if (strcmp(s->name, info[i].name) != 0)
				continue;
			for (int st = 0; st < 8; st++)
				/* the pool's "starting" lasts until its first diagnosis: the
				 * daemon's own view (ready, blocked) is better meanwhile */
				if (strcmp(s->state, smsd_modem_states[st]) == 0 &&
				    strcmp(s->state, "starting") != 0 &&
				    strcmp(info[i].state, "starting") != 0)
					snprintf(info[i].state, sizeof(info[i].state), "%s",
						 s->state);
			if (s->has_signal)
				info[i].signal_dbm = s->signal_dbm;
			if (s->registered >= 0)
				info[i].registered = s->registered;
			if (s->operator_[0])
				snprintf(info[i].operator_, sizeof(info[i].operator_), "%s",
					 s->operator_);
			if (!info[i].iccid[0])
				snprintf(info[i].iccid, sizeof(info[i].iccid), "%s", s->iccid);
			info[i].pooled = true;
			info[i].parts_today = s->parts_today;
			info[i].parts_month = s->parts_month;
			info[i].daily_limit = s->daily_limit;
			info[i].monthly_limit = s->monthly_limit;
			break;
		}
	free(v);
	/* the balance as balance.c last read it (none while unread: no series, never NaN) */
	for (int i = 0; i < n; i++)
		info[i].has_balance =
		    smsd_balance_last(info[i].name, &info[i].balance, &info[i].balance_at_ms);
}

/* The webhooks whose backlog the refresh counts (their names, from the notifier). */
static void subscribers(struct smsd *d, struct refresh *r)
{
	struct smsd_sub_status *st = calloc(MAX_SUBS, sizeof(*st));
	size_t n = st ? smsd_notify_status(d->notify, st, MAX_SUBS) : 0;

	for (size_t i = 0; i < n; i++)
		if (strncmp(st[i].store_name, "webhook:", 8) == 0)
			snprintf(r->backlog[r->n_backlog++].key, MAX_KEY, "%s",
				 st[i].store_name + 8);
	free(st);
}

void smsd_ops_tick(struct smsd *d, int64_t now)
{
	struct smsd_metrics *m = d->metrics;
	struct smsd_modem_info *info;

	if (!m)
		return;
	info = calloc(d->n_modems ? d->n_modems : 1, sizeof(*info));
	if (!info)
		return;
	int n = 0;
	for (size_t i = 0; i < d->n_modems; i++) {
		if (smsd_modem_is_retired(d->modems[i]))
			continue;
		smsd_modem_get_info(d->modems[i], &info[n++]);
	}
	overlay_pool(info, n);
	bool want_refresh = false;
	pthread_mutex_lock(&m->lock);
	free(m->modems);
	m->modems = info;
	m->n_modems = n;
	m->store_up = smsd_storeq_is_up(d->storeq);
	snprintf(m->node, sizeof(m->node), "%s", d->cfg->daemon.node_id);
	if (now >= m->next_refresh && !m->refresh_pending && !d->stopping) {
		m->next_refresh = now + REFRESH_MS;
		m->refresh_pending = want_refresh = true;
	}
	pthread_mutex_unlock(&m->lock);
	if (want_refresh) {
		struct refresh *r = calloc(1, sizeof(*r));
		if (r) {
			r->m = m;
			subscribers(d, r);
			pthread_mutex_lock(&m->lock);
			r->full = !m->counts_known || smsd_mono_ms() >= m->next_full_count;
			memcpy(r->states, m->states, sizeof(r->states));
			pthread_mutex_unlock(&m->lock);
		}
		if (!r || smsd_storeq_submit(d->storeq, run_refresh, refresh_done, r) < 0) {
			free(r);
			pthread_mutex_lock(&m->lock);
			m->refresh_pending = false;
			pthread_mutex_unlock(&m->lock);
		}
	}
}

/* Force the next smsd_ops_tick() to refresh (a submit or a transition just happened). */
void smsd_metrics_refresh_soon(struct smsd_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	/* at most one refresh a second: at 100 submits/s a refresh after every submit would keep
	 * the store thread counting instead of committing */
	int64_t soon = m->next_refresh - REFRESH_MS + SOON_MS;
	if (soon < m->next_refresh)
		m->next_refresh = soon;
	pthread_mutex_unlock(&m->lock);
}
