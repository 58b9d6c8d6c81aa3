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

#include "metrics-internal.h"
#include "storeq.h"

/* The store thread's part: rows per state and the oldest queued messages. */
struct refresh {
	struct smsd_metrics *m;
	int64_t states[STORE_MSG_STATE_COUNT];
	int64_t waiting[4];
	struct series oldest[64];
	size_t n_oldest;
	int rc;
};

static int run_refresh(struct store *st, void *arg)
{
	struct refresh *r = arg;
	struct store_message *v = NULL;
	size_t n = 0;
	char cursor[STORE_CURSOR_SIZE];
	int64_t now = store_now(st);

	r->rc = store_count_states(st, r->states);
	if (r->rc < 0)
		return 0; /* a read: nothing to roll back, the gauges keep their last values */
	/* the oldest queued messages, oldest first: the first of each pool is its oldest; the
	 * waiting reasons are counted among them (a bounded read, see docs/production.md) */
	struct store_list_filter f = {.state = STORE_MSG_QUEUED, .limit = 500};
	if (store_message_list(st, &f, &v, &n, cursor) == 0) {
		for (size_t i = 0; i < n; i++) {
			const char *pool = v[i].pool ? v[i].pool : "default";
			bool seen = false;
			for (size_t k = 0; k < r->n_oldest; k++)
				seen |= strcmp(r->oldest[k].key, pool) == 0;
			if (!seen && r->n_oldest < 64) {
				snprintf(r->oldest[r->n_oldest].key, MAX_KEY, "%s", pool);
				r->oldest[r->n_oldest++].v =
				    now > v[i].created_at ? (double)(now - v[i].created_at) / 1000
							  : 0;
			}
			for (int k = 0; k < 4; k++)
				if (v[i].waiting &&
				    strcmp(v[i].waiting, smsd_waiting_reasons[k]) == 0)
					r->waiting[k]++;
		}
		store_message_free_array(v, n);
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
		memcpy(m->waiting, r->waiting, sizeof(m->waiting));
		memcpy(m->oldest, r->oldest, sizeof(m->oldest));
		m->n_oldest = r->n_oldest;
		m->counts_known = true;
	}
	pthread_mutex_unlock(&m->lock);
	free(r);
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
		if (r)
			r->m = m;
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
	m->next_refresh = 0;
	pthread_mutex_unlock(&m->lock);
}
