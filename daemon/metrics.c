/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The metrics registry of smsctld and GET /metrics (Prometheus text format 0.0.4, written by
 * hand). Names and labels are the contract of issue 17; see ops.h for the threading rules.
 *
 * Cardinality is bounded: label values come from the configuration (modems, pools, routes),
 * the SIMs in them, and the library's error table; every family holds at most MAX_SERIES
 * series, further ones are dropped and counted in smsctl_metrics_dropped_total.
 */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/smsctl.h>

#include "config.h" /* PACKAGE_VERSION */
#include "log.h"
#include "modem-internal.h"
#include "ops.h"
#include "smsctld.h"

#define MAX_SERIES   1024
#define MAX_MODEMS   SMSD_CONFIG_MAX_MODEMS
#define MAX_FAILURES 20
#define MAX_KEY	     320
#define REFRESH_MS   5000
#define N_BUCKETS    8

const char *const smsd_modem_states[8] = {"starting", "ready", "degraded", "cooling",
					  "blocked",  "quota", "gone",	   "disabled"};

static const double send_buckets[N_BUCKETS] = {0.25, 0.5, 1, 2, 4, 8, 16, 32};
static const double http_buckets[N_BUCKETS] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
static const double commit_buckets[N_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1};
static const double batch_buckets[N_BUCKETS] = {1, 2, 4, 8, 16, 32, 64, 256};
static const char *const waiting_reasons[4] = {"quota", "rate", "window", "no_modem"};

/* One series of a counter family: pre-rendered labels and a value. */
struct series {
	char key[MAX_KEY];
	double v;
};
struct family {
	struct series *s;
	size_t n, cap;
};
struct hseries {
	char key[MAX_KEY];
	uint64_t b[N_BUCKETS];
	uint64_t count;
	double sum;
};
struct hfamily {
	struct hseries *s;
	size_t n, cap;
};

struct sim_window {
	char modem[80], sim[40];
	int day, month; /* local yday / month the counts belong to */
	int64_t today, this_month;
};

struct session {
	char id[65];
	int64_t expires_ms;
};

struct smsd_metrics {
	pthread_mutex_t lock;
	struct family submitted, parts_sent, failures, reports, received, http_requests;
	struct hfamily send_duration, http_duration, commit_seconds, commit_batch;
	uint64_t dropped;
	struct sim_window *sims;
	size_t n_sims;
	/* from the store thread */
	int64_t states[STORE_MSG_STATE_COUNT];
	bool counts_known, refresh_pending;
	int64_t waiting[4];
	struct series oldest[64]; /* pool -> age in seconds */
	size_t n_oldest;
	int64_t next_refresh;
	/* from the loop */
	struct smsd_modem_info *modems;
	int n_modems;
	bool store_up;
	char node[256];
	struct smsd_failure_row failures_ring[MAX_FAILURES];
	int n_failures, failures_head;
	struct smsd_finding_text texts[64]; /* findings seen, for the status page */
	int n_texts;
	/* status page sessions (status-page.c) */
	struct session sessions[64];
};

/* ---- families ---- */

static double *family_slot(struct smsd_metrics *m, struct family *f, const char *key)
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

/* Append `name="value"` (escaped as the text format wants) to a label set. */
static void label(char *key, size_t size, const char *name, const char *value)
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
	slot = family_slot(m, f, key);
	if (slot)
		*slot += v;
	pthread_mutex_unlock(&m->lock);
}

void smsd_metrics_submitted(struct smsd_metrics *m, const char *pool, int n)
{
	char key[MAX_KEY] = "";

	label(key, sizeof(key), "pool", pool ? pool : "default");
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

static void roll_window(struct sim_window *w, const struct tm *tm)
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
	label(key, sizeof(key), "modem", modem);
	label(key, sizeof(key), "sim", sim);
	label(hkey, sizeof(hkey), "modem", modem);
	localtime_r(&now, &tm);
	pthread_mutex_lock(&m->lock);
	double *slot = family_slot(m, &m->parts_sent, key);
	if (slot)
		*slot += 1;
	if (seconds >= 0)
		observe(m, &m->send_duration, send_buckets, hkey, seconds);
	struct sim_window *w = sim_window(m, modem, sim ? sim : "");
	if (w) {
		roll_window(w, &tm);
		w->today++;
		w->this_month++;
	}
	pthread_mutex_unlock(&m->lock);
}

void smsd_metrics_send_failure(struct smsd_metrics *m, const char *modem, const char *class_,
			       const char *code)
{
	char key[MAX_KEY] = "";

	label(key, sizeof(key), "modem", modem);
	label(key, sizeof(key), "class", class_);
	label(key, sizeof(key), "code", code);
	add(m, m ? &m->failures : NULL, key, 1);
}

void smsd_metrics_report(struct smsd_metrics *m, const char *modem, int tp_status)
{
	char key[MAX_KEY] = "";

	label(key, sizeof(key), "modem", modem);
	label(key, sizeof(key), "result",
	      tp_status >= 0 && tp_status < 32	  ? "delivered"
	      : tp_status >= 32 && tp_status < 64 ? "pending"
						  : "undelivered");
	add(m, m ? &m->reports : NULL, key, 1);
}

void smsd_metrics_received(struct smsd_metrics *m, const char *modem)
{
	char key[MAX_KEY] = "";

	if (!modem)
		return; /* a duplicate */
	label(key, sizeof(key), "modem", modem);
	add(m, m ? &m->received : NULL, key, 1);
}

void smsd_metrics_http(void *app, const char *route, int status, double seconds)
{
	struct smsd *d = app;
	struct smsd_metrics *m = d ? d->metrics : NULL;
	char key[MAX_KEY] = "", hkey[MAX_KEY] = "", code[16];

	if (!m || !route)
		return;
	snprintf(code, sizeof(code), "%d", status);
	label(key, sizeof(key), "route", route);
	label(key, sizeof(key), "code", code);
	label(hkey, sizeof(hkey), "route", route);
	pthread_mutex_lock(&m->lock);
	double *slot = family_slot(m, &m->http_requests, key);
	if (slot)
		*slot += 1;
	observe(m, &m->http_duration, http_buckets, hkey, seconds);
	pthread_mutex_unlock(&m->lock);
}

void smsd_metrics_commit(void *arg, double seconds, int batch)
{
	struct smsd_metrics *m = arg;

	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	observe(m, &m->commit_seconds, commit_buckets, "", seconds);
	observe(m, &m->commit_batch, batch_buckets, "", batch);
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
				roll_window(&m->sims[k], &tm);
				out[i].sent_today += m->sims[k].today;
			}
	pthread_mutex_unlock(&m->lock);
	return n;
}

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
				if (v[i].waiting && strcmp(v[i].waiting, waiting_reasons[k]) == 0)
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

bool smsd_ops_finding_text(struct smsd_metrics *m, const char *id, struct smsd_finding_text *out)
{
	bool found = false;

	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < m->n_texts && !found; i++)
		if (strcmp(m->texts[i].id, id) == 0) {
			*out = m->texts[i];
			found = true;
		}
	pthread_mutex_unlock(&m->lock);
	return found;
}

static void remember_text(struct smsd_metrics *m, const struct smsctl_finding *f)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	int i = 0;
	while (i < m->n_texts && strcmp(m->texts[i].id, smsctl_finding_get_id(f)) != 0)
		i++;
	if (i < 64) {
		snprintf(m->texts[i].id, sizeof(m->texts[i].id), "%s", smsctl_finding_get_id(f));
		snprintf(m->texts[i].summary, sizeof(m->texts[i].summary), "%s",
			 smsctl_finding_get_summary(f));
		snprintf(m->texts[i].remedy, sizeof(m->texts[i].remedy), "%s",
			 smsctl_finding_get_remedy(f));
		if (i == m->n_texts)
			m->n_texts++;
	}
	pthread_mutex_unlock(&m->lock);
}

void smsd_ops_root_cause(struct smsd *d, struct smsctl_modem *mo, char *id, char *sev)
{
	struct smsctl_diagnosis *dg = NULL;

	id[0] = sev[0] = '\0';
	if (!mo || smsctl_modem_diagnose(mo, NULL, &dg) < 0 || !dg)
		return;
	enum smsctl_severity worst = smsctl_diagnosis_get_worst(dg);
	for (size_t i = 0; i < smsctl_diagnosis_get_count(dg); i++) {
		const struct smsctl_finding *f = smsctl_diagnosis_get_finding(dg, i);
		if (worst >= SMSCTL_SEVERITY_WARNING && smsctl_finding_get_severity(f) == worst) {
			snprintf(id, 48, "%s", smsctl_finding_get_id(f));
			snprintf(sev, 16, "%s",
				 worst >= SMSCTL_SEVERITY_ERROR ? "error" : "warning");
			remember_text(d->metrics, f);
			break;
		}
	}
	smsctl_diagnosis_free(dg);
}

void smsd_ops_job(struct smsd_metrics *m, const char *modem, const char *sim, char what,
		  int64_t cmgs_at, int status, const char *id, const char *class_, const char *code,
		  const char *text)
{
	if (what == 'S')
		smsd_metrics_part_sent(m, modem, sim,
				       cmgs_at ? (smsd_mono_ms() - cmgs_at) / 1000.0 : -1);
	else if (what == 'R')
		smsd_metrics_report(m, modem, status);
	else if (what == 'F' && class_ && class_[0]) {
		smsd_metrics_send_failure(m, modem, class_, code);
		smsd_metrics_last_failure(m, modem, id, code, text);
	}
}

void smsd_ops_fill_info(struct smsd_modem_info *out, const char *name, const char *pool,
			const char *state, const char *iccid, const char *finding,
			const char *severity)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->pool, sizeof(out->pool), "%s", pool ? pool : "default");
	snprintf(out->state, sizeof(out->state), "%s", state);
	snprintf(out->iccid, sizeof(out->iccid), "%s", iccid ? iccid : "");
	snprintf(out->finding, sizeof(out->finding), "%s", finding ? finding : "");
	snprintf(out->severity, sizeof(out->severity), "%s", severity ? severity : "");
	out->signal_dbm = INT32_MIN;
	out->registered = strcmp(state, "ready") == 0 ? 1 : -1;
}

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
	label(key, sizeof(key), "version", PACKAGE_VERSION);
	series(&b, "smsctl_build_info", key, 1);
	head(&b, "smsctl_store_up", "gauge", "Whether the last store commit succeeded.");
	series(&b, "smsctl_store_up", NULL, m->store_up ? 1 : 0);
	head(&b, "smsctl_node_info", "gauge", "The node_id of this daemon (always 1).");
	key[0] = '\0';
	label(key, sizeof(key), "node", m->node);
	series(&b, "smsctl_node_info", key, 1);

	emit_family(&b, "smsctl_messages_submitted_total", "counter",
		    "Messages accepted by the API since the start.", &m->submitted);
	head(&b, "smsctl_messages_duplicate_submits_total", "counter",
	     "Submits answered as duplicates, by reason.");
	series(&b, "smsctl_messages_duplicate_submits_total", "reason=\"idempotency\"", 0);
	series(&b, "smsctl_messages_duplicate_submits_total", "reason=\"content\"", 0);
	head(&b, "smsctl_messages", "gauge", "Messages in the store per state.");
	if (m->counts_known)
		for (int s = 0; s < STORE_MSG_STATE_COUNT; s++) {
			const char *name = store_msg_state_name((enum store_msg_state)s);
			if (!name || !*name || strcmp(name, "?") == 0)
				continue;
			key[0] = '\0';
			label(key, sizeof(key), "state", name);
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
		label(key, sizeof(key), "pool", pools[i]);
		series(&b, "smsctl_queue_oldest_seconds", key, age);
	}
	head(&b, "smsctl_messages_waiting", "gauge",
	     "Queued messages held back, by the limit that holds them.");
	for (int k = 0; k < 4; k++) {
		key[0] = '\0';
		label(key, sizeof(key), "reason", waiting_reasons[k]);
		series(&b, "smsctl_messages_waiting", key, (double)m->waiting[k]);
	}

	emit_family(&b, "smsctl_parts_sent_total", "counter",
		    "Parts the network accepted (+CMGS), per modem and SIM.", &m->parts_sent);
	emit_family(&b, "smsctl_send_failures_total", "counter",
		    "Parts not sent, by class and error code.", &m->failures);
	emit_hist(&b, "smsctl_send_duration_seconds", "Time from AT+CMGS to +CMGS.",
		  &m->send_duration, send_buckets, false);
	emit_family(&b, "smsctl_delivery_reports_total", "counter",
		    "Status reports received, by result.", &m->reports);
	emit_family(&b, "smsctl_received_total", "counter", "SMS received into the inbox.",
		    &m->received);

	head(&b, "smsctl_modem_state", "gauge",
	     "1 for the modem's current state, 0 for the others.");
	for (int i = 0; i < m->n_modems; i++)
		for (int s = 0; s < 8; s++) {
			key[0] = '\0';
			label(key, sizeof(key), "modem", m->modems[i].name);
			label(key, sizeof(key), "state", smsd_modem_states[s]);
			series(&b, "smsctl_modem_state", key,
			       strcmp(m->modems[i].state, smsd_modem_states[s]) == 0);
		}
	head(&b, "smsctl_modem_up", "gauge", "Whether the modem is open and answering.");
	for (int i = 0; i < m->n_modems; i++) {
		key[0] = '\0';
		label(key, sizeof(key), "modem", m->modems[i].name);
		series(&b, "smsctl_modem_up", key, strcmp(m->modems[i].state, "gone") != 0);
	}
	head(&b, "smsctl_modem_signal_dbm", "gauge", "Signal strength in dBm (when known).");
	for (int i = 0; i < m->n_modems; i++) {
		if (m->modems[i].signal_dbm == INT32_MIN)
			continue;
		key[0] = '\0';
		label(key, sizeof(key), "modem", m->modems[i].name);
		series(&b, "smsctl_modem_signal_dbm", key, m->modems[i].signal_dbm);
	}
	head(&b, "smsctl_modem_registered", "gauge",
	     "Whether the modem is registered (when known).");
	for (int i = 0; i < m->n_modems; i++) {
		if (m->modems[i].registered < 0)
			continue;
		key[0] = '\0';
		label(key, sizeof(key), "modem", m->modems[i].name);
		series(&b, "smsctl_modem_registered", key, m->modems[i].registered);
	}
	head(&b, "smsctl_modem_finding", "gauge", "1 per current warning or error finding.");
	for (int i = 0; i < m->n_modems; i++) {
		if (!m->modems[i].finding[0])
			continue;
		key[0] = '\0';
		label(key, sizeof(key), "modem", m->modems[i].name);
		label(key, sizeof(key), "id", m->modems[i].finding);
		label(key, sizeof(key), "severity", m->modems[i].severity);
		series(&b, "smsctl_modem_finding", key, 1);
	}
	head(&b, "smsctl_sim_parts_sent", "gauge",
	     "Parts sent from the SIM today and this month (local time, since the start).");
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	for (size_t i = 0; i < m->n_sims; i++) {
		roll_window(&m->sims[i], &tm);
		for (int w = 0; w < 2; w++) {
			key[0] = '\0';
			label(key, sizeof(key), "modem", m->sims[i].modem);
			label(key, sizeof(key), "sim", m->sims[i].sim);
			label(key, sizeof(key), "window", w ? "month" : "day");
			series(&b, "smsctl_sim_parts_sent", key,
			       (double)(w ? m->sims[i].this_month : m->sims[i].today));
		}
	}
	head(&b, "smsctl_sim_quota_remaining", "gauge",
	     "Parts the SIM may still send in the window (when a limit is set).");
	head(&b, "smsctl_sim_balance", "gauge", "The SIM's balance as last read.");
	head(&b, "smsctl_sim_balance_age_seconds", "gauge", "Age of the balance reading.");

	emit_family(&b, "smsctl_http_requests_total", "counter",
		    "HTTP requests by route and status.", &m->http_requests);
	emit_hist(&b, "smsctl_http_request_duration_seconds", "HTTP request durations by route.",
		  &m->http_duration, http_buckets, false);
	head(&b, "smsctl_webhook_deliveries_total", "counter", "Webhook deliveries by result.");
	head(&b, "smsctl_webhook_backlog", "gauge", "Events waiting for a webhook subscriber.");
	head(&b, "smsctl_hook_runs_total", "counter", "Hook runs by result.");
	emit_hist(&b, "smsctl_store_commit_seconds", "Duration of the store's group commits.",
		  &m->commit_seconds, commit_buckets, true);
	emit_hist(&b, "smsctl_store_commit_batch_size", "Jobs per store commit.", &m->commit_batch,
		  batch_buckets, true);
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

/* What the status page and /metrics show of a modem (loop thread). */
void smsd_modem_get_info(const struct smsd_modem *mm, struct smsd_modem_info *out)
{
	const char *st;

	switch (mm->st) {
	case M_GONE:
		st = "gone";
		break;
	case M_BLOCKED:
		st = "blocked";
		break;
	case M_WORKING:
		st = mm->work == W_OPEN ? "starting" : mm->ops_finding[0] ? "blocked" : "ready";
		break;
	default:
		st = "ready";
	}
	smsd_ops_fill_info(out, mm->name, mm->pool, st, mm->iccid, mm->ops_finding,
			   mm->ops_severity);
}
