/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The notifier thread (issue 16; notify.h): fan-out, scheduling, retries, outcomes. What one
 * attempt does is in webhook.c (HTTP) and hooks.c (a process).
 *
 * One round: a store job (run_sync) records the outcomes of finished attempts, fans new events
 * out into `deliveries`, and loads each subscriber's pending deliveries with their bodies;
 * then this thread starts what is due, in event order per message (a message's next event
 * waits until the previous one got a 2xx or went dead, CONTRACTS), up to `concurrency` per
 * subscriber. Retries: 10 s doubling to 1 h while the event is younger than max_age, then
 * dead; another 4xx is dead at once; a success after failures makes the subscriber's whole
 * backlog due at once (CONTRACTS), so a recovered receiver is drained quickly.
 */
#include "notify.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "api-ext.h"
#include "log.h"
#include "ops.h" /* issue 17: delivery counters */
#include "smsctld.h"

#define ROUND_MS     250	     /* look for new events at least this often */
#define PENDING_MAX  200	     /* pending deliveries loaded per subscriber and round */
#define FANOUT_MAX   500	     /* events fanned out per subscriber and round */
#define RETRY_FIRST  (10 * 1000LL)   /* 10 s ... */
#define RETRY_MAX    (3600 * 1000LL) /* ... doubling to 1 h */
#define RETENTION_MS (3600 * 1000LL) /* clean finished deliveries every hour */
#define PROBE_MS     (30 * 1000LL)   /* a subscriber whose retries all wait is probed this often */

struct result {
	struct result *next;
	size_t sub;
	int64_t seq;
	enum store_delivery_state state;
	int attempts;
	int64_t next_attempt_at;
	int status;
	char error[256];
	bool release;
};

struct sub {
	struct smsd_sub_config own; /* a copy: a SIGHUP frees the configuration it came from */
	struct smsd_sub_status st;  /* under n->lock; st.cfg = &own */
	char *secret;		    /* webhooks: the secret_file's content, NULL = unsigned */
	char **argv;		    /* hooks */
	int in_flight;
	bool backoff;			/* a pending delivery waits for its retry time */
	int64_t last_attempt_at;	/* wall ms of the last attempt started */
	struct store_delivery *pending; /* loaded by run_sync, in event order */
	char **bodies;			/* one per pending row */
	size_t n_pending;
};

struct smsd_notify {
	struct smsd *d;
	char *node, *lang;
	long long retention;
	struct sub *subs;
	size_t n_subs;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	int wake_fd;
	atomic_bool stop;
	CURLM *multi;
	struct smsd_attempt *flying;
	struct result *results; /* finished, not yet recorded (notifier thread and run_sync) */
	/* the pending lists are read again only when something changed: outcomes recorded, new
	 * deliveries, a wake-up, or a retry (or probe) time reached (next_due, wall ms) */
	bool reload;
	int64_t next_due;
	int64_t next_retention;
	int sync_rc;
	/* SIGHUP (smsd_notify_reload): the new subscribers wait here (under lock) until every
	 * attempt in flight has ended and its outcome is recorded; then they replace the old
	 * ones, which are kept until the stop (smsd_notify_status() copies point into them) */
	struct sub *next_subs;
	size_t n_next_subs;
	bool have_next;
	struct retired {
		struct retired *next;
		struct sub *subs;
		size_t n;
	} * retired;
	char *next_lang;
	bool need_init; /* the new subscribers are not registered in the store yet */
};

/* ---- the store job ---- */

static void sub_clear_pending(struct sub *s)
{
	for (size_t i = 0; i < s->n_pending; i++)
		free(s->bodies ? s->bodies[i] : NULL);
	free(s->bodies);
	store_delivery_free_array(s->pending, s->n_pending);
	s->bodies = NULL;
	s->pending = NULL;
	s->n_pending = 0;
}

static int record_results(struct store *st, struct smsd_notify *n)
{
	while (n->results) {
		struct result *r = n->results;
		const char *name = n->subs[r->sub].st.store_name;
		int rc =
		    store_delivery_set(st, name, r->seq, r->state, r->attempts, r->next_attempt_at,
				       r->status, r->error[0] ? r->error : NULL);
		if (rc == 0 && r->release)
			rc = store_delivery_release(st, name);
		if (rc < 0)
			return rc; /* kept: recorded at the next round */
		n->results = r->next;
		free(r);
	}
	return 0;
}

static int fan_out(struct store *st, struct smsd_notify *n, struct sub *s)
{
	struct store_event *ev = NULL;
	size_t nev = 0, nseq = 0;
	int64_t last = 0, *seqs;
	int rc = store_sub_cursor(st, s->st.store_name, &last);

	if (rc < 0)
		return rc;
	rc = store_event_list(st, NULL, last, FANOUT_MAX, &ev, &nev);
	if (rc < 0 || nev == 0)
		return rc;
	seqs = calloc(nev, sizeof(*seqs));
	if (!seqs) {
		store_event_free_array(ev, nev);
		return STORE_ERR_NOMEM;
	}
	for (size_t i = 0; i < nev; i++)
		if (ev[i].type && smsd_sub_matches(s->st.cfg, ev[i].type))
			seqs[nseq++] = ev[i].seq;
	rc = store_sub_fanout(st, s->st.store_name, seqs, nseq, ev[nev - 1].seq);
	free(seqs);
	store_event_free_array(ev, nev);
	if (rc == 0 && nseq > 0)
		n->reload = true;
	return rc;
}

/* The MESSAGE text of a message event: frozen in its payload, or read and frozen now. */
static char *message_data(struct store *st, struct store_event *ev, int *rc)
{
	json_t *p = ev->payload ? json_loads(ev->payload, 0, NULL) : NULL;
	json_t *frozen = json_object_get(p, "message");
	char *out = NULL;

	if (json_is_object(frozen)) {
		out = json_dumps(frozen, JSON_COMPACT);
		json_decref(p);
		return out;
	}
	struct store_message m;
	memset(&m, 0, sizeof(m));
	if (store_message_get(st, ev->message_id, &m) != 0) {
		json_decref(p);
		return NULL; /* gone (retention): the payload as before */
	}
	json_t *mj = smsd_message_json(&m);
	store_message_clear(&m);
	out = mj ? json_dumps(mj, JSON_COMPACT) : NULL;
	if (!json_is_object(p)) {
		json_decref(p);
		p = json_object();
	}
	if (mj && out) {
		json_object_set_new(p, "message", mj);
		char *text = json_dumps(p, JSON_COMPACT);
		*rc = text ? store_event_freeze(st, ev->seq, text) : STORE_ERR_NOMEM;
		if (*rc != 0) {
			free(out); /* not frozen: the next round tries again */
			out = NULL;
		} else {
			free(ev->payload);
			ev->payload = text;
			text = NULL;
		}
		free(text);
	} else {
		json_decref(mj);
	}
	json_decref(p);
	return out;
}

static int load_pending(struct store *st, struct smsd_notify *n, struct sub *s)
{
	int rc;

	sub_clear_pending(s);
	rc = store_delivery_pending(st, s->st.store_name, PENDING_MAX, &s->pending, &s->n_pending);
	if (rc < 0)
		return rc;
	s->bodies = calloc(s->n_pending ? s->n_pending : 1, sizeof(*s->bodies));
	if (!s->bodies)
		return STORE_ERR_NOMEM;
	for (size_t i = 0; i < s->n_pending; i++) {
		struct store_event *ev = &s->pending[i].ev;
		char *inbox = NULL;
		/* sms.received carries the INBOX row (immutable, so every attempt is the same) */
		if (ev->type && strcmp(ev->type, "sms.received") == 0 && ev->message_id) {
			struct store_inbox_row *row = NULL;
			if (store_inbox_get(st, ev->message_id, &row) == 0) {
				json_t *j = smsd_inbox_json(row);
				inbox = json_dumps(j, JSON_COMPACT);
				json_decref(j);
				store_inbox_free_array(row, 1);
			}
		}
		/* message.* carries the full MESSAGE, as the message was when the notifier first
		 * read the event (normally within ROUND_MS), frozen into the event's payload under
		 * "message" so that every attempt and every subscriber sends the same bytes */
		if (!inbox && ev->type && strncmp(ev->type, "message.", 8) == 0 && ev->message_id) {
			int frc = 0;
			inbox = message_data(st, ev, &frc);
			if (frc < 0)
				return frc;
		}
		s->bodies[i] = smsd_event_body(ev, n->node, inbox);
		free(inbox);
		if (!s->bodies[i])
			return STORE_ERR_NOMEM;
	}
	return 0;
}

static int run_sync(struct store *st, void *arg)
{
	struct smsd_notify *n = arg;
	bool had_results = n->results != NULL;
	int rc = record_results(st, n);

	if (had_results)
		n->reload = true;
	for (size_t i = 0; rc == 0 && i < n->n_subs; i++)
		rc = fan_out(st, n, &n->subs[i]);
	if (rc == 0 && (n->reload || store_now(st) >= n->next_due)) {
		for (size_t i = 0; rc == 0 && i < n->n_subs; i++)
			rc = load_pending(st, n, &n->subs[i]);
		if (rc == 0)
			n->reload = false;
	}
	if (rc == 0 && store_now(st) >= n->next_retention) {
		n->next_retention = store_now(st) + RETENTION_MS;
		if (store_delivery_retention(st, store_now(st) - n->retention, 500) < 0)
			smsd_log(LOG_WARNING, "deliveries retention: %s", store_errmsg(st));
	}
	return rc;
}

static int run_init(struct store *st, void *arg)
{
	struct smsd_notify *n = arg;

	for (size_t i = 0; i < n->n_subs; i++) {
		int rc = store_sub_init(st, n->subs[i].st.store_name);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- attempts ---- */

/* Register the subscribers in the store (after a reload); @return true while that fails. */
static bool run_init_now(struct smsd_notify *n)
{
	int rc = smsd_storeq_call(n->d->storeq, run_init, n);

	if (rc < 0) {
		smsd_log(LOG_WARNING, "notify: store: %s (tried again)", store_strerror(rc));
		return true;
	}
	n->need_init = false;
	return false;
}

static bool in_flight(const struct smsd_notify *n, size_t sub, int64_t seq)
{
	for (const struct smsd_attempt *a = n->flying; a; a = a->next)
		if (a->sub == sub && a->seq == seq)
			return true;
	return false;
}

static void key_of(const struct store_event *ev, char *key, size_t size)
{
	if (ev->message_id)
		snprintf(key, size, "m:%s", ev->message_id);
	else if (ev->modem)
		snprintf(key, size, "modem:%s", ev->modem);
	else
		snprintf(key, size, "e:%s", ev->id);
}

static void start(struct smsd_notify *n, size_t si, size_t pi)
{
	struct sub *s = &n->subs[si];
	struct store_delivery *dl = &s->pending[pi];
	struct smsd_attempt *a = calloc(1, sizeof(*a));
	int rc;

	if (!a)
		return;
	a->sub = si;
	s->last_attempt_at = smsd_wall_ms();
	a->who = s->st.store_name;
	a->seq = dl->seq;
	a->attempts = dl->attempts;
	a->created_at = dl->ev.created_at;
	a->pid = -1;
	a->out_fd = -1;
	a->status = -1;
	key_of(&dl->ev, a->key, sizeof(a->key));
	memcpy(a->event_id, dl->ev.id, sizeof(a->event_id));
	a->body = s->bodies[pi];
	s->bodies[pi] = NULL;
	if (s->st.cfg->kind == SMSD_SUB_WEBHOOK)
		rc = smsd_webhook_begin(n->multi, a, s->st.cfg, s->secret, dl->ev.type);
	else
		rc = smsd_hook_begin(a, s->argv, s->st.cfg, &dl->ev, n->lang);
	a->next = n->flying;
	n->flying = a;
	s->in_flight++;
	if (rc < 0)
		a->result = SMSD_ATTEMPT_RETRY; /* finished by the next collect() */
}

/* Start what is due, in event order per message, up to `concurrency` per subscriber. */
static void schedule(struct smsd_notify *n, int64_t now)
{
	n->next_due = INT64_MAX;
	for (size_t si = 0; si < n->n_subs; si++) {
		struct sub *s = &n->subs[si];
		const char **blocked = calloc(s->n_pending + 1, sizeof(*blocked));
		char(*keys)[96] = calloc(s->n_pending + 1, sizeof(*keys));
		size_t nb = 0;

		s->backoff = false;
		for (size_t i = 0; i < s->n_pending; i++)
			s->backoff |= s->pending[i].next_attempt_at > now;
		if (!blocked || !keys) {
			free(blocked);
			free(keys);
			continue;
		}
		for (size_t i = 0; i < s->n_pending; i++) {
			struct store_delivery *dl = &s->pending[i];
			bool is_blocked = false;
			key_of(&dl->ev, keys[i], sizeof(keys[i]));
			for (size_t k = 0; k < nb && !is_blocked; k++)
				is_blocked = strcmp(blocked[k], keys[i]) == 0;
			if (is_blocked)
				continue;
			/* this message's earlier event is in flight or waits: it goes first */
			blocked[nb++] = keys[i];
			if (in_flight(n, si, dl->seq))
				continue;
			if (dl->next_attempt_at > now) {
				if (dl->next_attempt_at < n->next_due)
					n->next_due = dl->next_attempt_at;
				continue;
			}
			if (s->in_flight >= s->st.cfg->concurrency)
				continue;
			start(n, si, i);
		}
		/* every retry waits (up to 1 h): probe with the oldest one every 30 s, so that a
		 * receiver that recovered gets a 2xx, which makes the whole backlog due */
		if (s->backoff && s->in_flight == 0 && s->n_pending > 0 &&
		    now - s->last_attempt_at >= PROBE_MS)
			start(n, si, 0);
		if (s->backoff && s->last_attempt_at + PROBE_MS < n->next_due)
			n->next_due = s->last_attempt_at + PROBE_MS;
		free(blocked);
		free(keys);
	}
}

/* An attempt ended: its outcome becomes a result to record. */
static void finish(struct smsd_notify *n, struct smsd_attempt *a)
{
	struct sub *s = &n->subs[a->sub];
	struct result *r = calloc(1, sizeof(*r));
	int64_t now = smsd_wall_ms();
	const struct smsd_sub_config *sc = s->st.cfg;

	s->in_flight--;
	if (r) {
		r->sub = a->sub;
		r->seq = a->seq;
		r->attempts = a->attempts + 1;
		r->status = a->status;
		snprintf(r->error, sizeof(r->error), "%s", a->error);
		if (a->result == SMSD_ATTEMPT_OK) {
			r->state = STORE_DLV_DELIVERED;
		} else if (a->result == SMSD_ATTEMPT_PERMANENT) {
			r->state = STORE_DLV_DEAD;
		} else {
			int64_t delay = RETRY_FIRST;
			for (int i = 1; i < r->attempts && delay < RETRY_MAX; i++)
				delay *= 2;
			if (delay > RETRY_MAX)
				delay = RETRY_MAX;
			r->next_attempt_at = now + delay;
			r->state = r->next_attempt_at > a->created_at + sc->max_age
				       ? STORE_DLV_DEAD
				       : STORE_DLV_PENDING;
			if (r->state == STORE_DLV_DEAD && !r->error[0])
				snprintf(r->error, sizeof(r->error), "max_age passed");
		}
	}
	pthread_mutex_lock(&n->lock);
	if (a->result == SMSD_ATTEMPT_OK) {
		/* also after a restart, when `failing` was forgotten but retries wait */
		if (r)
			r->release = s->st.failing || s->backoff;
		s->st.failing = false;
		s->st.last_success_at = now;
	} else {
		s->st.failing = true;
		s->st.last_failure_at = now;
		s->st.last_status = a->status;
		snprintf(s->st.last_error, sizeof(s->st.last_error), "%s", a->error);
	}
	pthread_mutex_unlock(&n->lock);
	if (a->result != SMSD_ATTEMPT_OK)
		smsd_log(LOG_WARNING, "%s: event %s attempt %d failed: %s%s", s->st.store_name,
			 a->event_id, a->attempts + 1, a->error,
			 r && r->state == STORE_DLV_DEAD ? " (dead)" : "");
	if (r) /* ops (issue 17) */
		smsd_metrics_delivery(n->d->metrics, sc->kind == SMSD_SUB_HOOK, sc->name,
				      r->state == STORE_DLV_DELIVERED ? "ok"
				      : r->state == STORE_DLV_DEAD    ? "dead"
								      : "retry");
	if (r) {
		/* appended in order, so outcomes are recorded as they happened */
		struct result **p = &n->results;
		while (*p)
			p = &(*p)->next;
		*p = r;
	}
	free(a->body);
	free(a);
}

static void unlink_attempt(struct smsd_notify *n, struct smsd_attempt *a)
{
	for (struct smsd_attempt **p = &n->flying; *p; p = &(*p)->next) {
		if (*p == a) {
			*p = a->next;
			return;
		}
	}
}

/* Collect ended webhook transfers and hook processes. */
static void collect(struct smsd_notify *n)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(n->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct smsd_attempt *a = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&a);
		if (!a)
			continue;
		smsd_webhook_end(n->multi, a, msg->data.result);
		unlink_attempt(n, a);
		finish(n, a);
	}
	int64_t mono = smsd_mono_ms();
	for (struct smsd_attempt *a = n->flying, *next; a; a = next) {
		next = a->next;
		bool hook = n->subs[a->sub].st.cfg->kind == SMSD_SUB_HOOK;
		bool failed_to_start = hook ? a->pid < 0 : !a->easy;
		if (failed_to_start || (hook && smsd_hook_poll(a, mono))) {
			unlink_attempt(n, a);
			finish(n, a);
		}
	}
}

/* ---- the thread ---- */

/* A reload waits (nothing new is started) until every attempt in flight has ended and its
 * outcome is recorded; then the new subscribers replace the old ones. A subscriber that keeps
 * its kind and name keeps its store rows: its cursor, backlog and retries carry over.
 * @return true while a reload waits. */
static bool try_swap(struct smsd_notify *n)
{
	pthread_mutex_lock(&n->lock);
	bool want = n->have_next;
	pthread_mutex_unlock(&n->lock);
	if (!want)
		return n->need_init && run_init_now(n);
	if (n->flying || n->results)
		return true;
	struct retired *r = calloc(1, sizeof(*r));
	if (!r)
		return true;
	pthread_mutex_lock(&n->lock);
	r->subs = n->subs;
	r->n = n->n_subs;
	n->subs = n->next_subs;
	n->n_subs = n->n_next_subs;
	n->next_subs = NULL;
	n->n_next_subs = 0;
	n->have_next = false;
	if (n->next_lang) {
		free(n->lang);
		n->lang = n->next_lang;
		n->next_lang = NULL;
	}
	pthread_mutex_unlock(&n->lock);
	for (size_t i = 0; i < r->n; i++)
		sub_clear_pending(&r->subs[i]);
	r->next = n->retired; /* kept: status copies taken before may point into it */
	n->retired = r;
	n->reload = true;
	n->need_init = true;
	smsd_log(LOG_INFO, "notify: %zu webhooks and hooks after the reload", n->n_subs);
	return run_init_now(n);
}

static void *run(void *arg)
{
	struct smsd_notify *n = arg;
	int64_t next_round = 0;

	n->reload = true;
	while (!atomic_load(&n->stop)) {
		bool draining = try_swap(n);
		if (n->n_subs == 0 && !draining) { /* nothing to deliver: wait for a reload */
			struct pollfd p = {.fd = n->wake_fd, .events = POLLIN};
			uint64_t v;
			if (poll(&p, 1, 1000) > 0 && read(n->wake_fd, &v, sizeof(v)) < 0 &&
			    errno != EAGAIN)
				smsd_log(LOG_ERR, "notify: eventfd: %s", strerror(errno));
			continue;
		}
		int64_t now = smsd_mono_ms();
		if (n->results || now >= next_round) {
			n->sync_rc = smsd_storeq_call(n->d->storeq, run_sync, n);
			if (n->sync_rc == 0 && !draining)
				schedule(n, smsd_wall_ms());
			next_round = smsd_mono_ms() + (draining ? 50 : ROUND_MS);
		}
		struct curl_waitfd extra[65];
		unsigned nextra = 0;
		extra[nextra++] =
		    (struct curl_waitfd){.fd = n->wake_fd, .events = CURL_WAIT_POLLIN};
		for (struct smsd_attempt *a = n->flying; a && nextra < 65; a = a->next)
			if (a->out_fd >= 0)
				extra[nextra++] = (struct curl_waitfd){.fd = a->out_fd,
								       .events = CURL_WAIT_POLLIN};
		int timeout = (int)(next_round - smsd_mono_ms());
		bool hooks_running = false;
		for (struct smsd_attempt *a = n->flying; a; a = a->next)
			hooks_running |= a->pid > 0;
		if (hooks_running && timeout > 50)
			timeout = 50; /* reap and time out hooks promptly */
		if (timeout < 0)
			timeout = 0;
		int numfds = 0;
		curl_multi_poll(n->multi, extra, nextra, timeout, &numfds);
		if (extra[0].revents) {
			uint64_t v;
			if (read(n->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				smsd_log(LOG_ERR, "notify: eventfd: %s", strerror(errno));
			next_round = 0;
			n->reload = true;
		}
		int running = 0;
		curl_multi_perform(n->multi, &running);
		collect(n);
	}
	/* abandon what is in flight (tried again after the restart), record what ended */
	for (struct smsd_attempt *a = n->flying, *next; a; a = next) {
		next = a->next;
		if (a->easy) {
			curl_multi_remove_handle(n->multi, a->easy);
			curl_easy_cleanup(a->easy);
			curl_slist_free_all(a->headers);
		}
		if (a->pid > 0)
			smsd_hook_abort(a);
		free(a->body);
		free(a);
	}
	n->flying = NULL;
	if (n->results && smsd_storeq_call(n->d->storeq, run_sync, n) < 0)
		smsd_log(LOG_WARNING,
			 "notify: outcomes not recorded, tried again at the next start");
	return NULL;
}

void smsd_notify_wake(struct smsd_notify *n)
{
	uint64_t one = 1;

	if (n && write(n->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		smsd_log(LOG_ERR, "notify: eventfd: %s", strerror(errno));
}

size_t smsd_notify_status(struct smsd_notify *n, struct smsd_sub_status *out, size_t max)
{
	size_t k = 0;

	if (!n)
		return 0;
	pthread_mutex_lock(&n->lock);
	for (size_t i = 0; i < n->n_subs && k < max; i++)
		out[k++] = n->subs[i].st;
	pthread_mutex_unlock(&n->lock);
	return k;
}

/* The secret: the file's content with trailing whitespace trimmed (CONTRACTS). */
static char *read_secret(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char buf[4097];
	size_t len;

	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t' || buf[len - 1] == '\n' ||
		       buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	if (len == 0 || strlen(buf) != len) {
		snprintf(err, errlen, "%s: the secret is empty or holds a NUL byte", path);
		return NULL;
	}
	return strdup(buf);
}

/* The subscribers of a configuration: webhooks first, then hooks, each in file order, with
 * their own copies of the configuration, secrets read and commands split. */
static int build_subs(const struct smsd_config *cfg, struct sub **out, size_t *n_out, char *err,
		      size_t errlen)
{
	struct sub *subs = calloc(cfg->n_subs ? cfg->n_subs : 1, sizeof(*subs));

	*out = subs;
	*n_out = 0;
	if (!subs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* webhooks first, then hooks, each in file order */
	for (int kind = SMSD_SUB_WEBHOOK; kind <= SMSD_SUB_HOOK; kind++) {
		for (size_t i = 0; i < cfg->n_subs; i++) {
			const struct smsd_sub_config *sc = &cfg->subs[i];
			if ((int)sc->kind != kind)
				continue;
			struct sub *s = &subs[(*n_out)++];
			s->own = *sc;
			s->own.name = strdup(sc->name);
			s->own.target = strdup(sc->target);
			s->own.secret_file = sc->secret_file ? strdup(sc->secret_file) : NULL;
			for (size_t k = 0; k < sc->n_events; k++)
				s->own.events[k] = strdup(sc->events[k]);
			s->st.cfg = sc = &s->own;
			bool oom =
			    !sc->name || !sc->target ||
			    (s->own.secret_file == NULL) != (cfg->subs[i].secret_file == NULL);
			for (size_t k = 0; k < sc->n_events; k++)
				oom |= !sc->events[k];
			if (oom) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			s->st.last_status = -1;
			snprintf(s->st.store_name, sizeof(s->st.store_name), "%s:%s",
				 kind == SMSD_SUB_WEBHOOK ? "webhook" : "hook", sc->name);
			if (sc->secret_file &&
			    !(s->secret = read_secret(sc->secret_file, err, errlen)))
				return -1;
			if (kind == SMSD_SUB_HOOK) {
				char msg[256];
				s->argv = smsd_split_command(sc->target, msg, sizeof(msg));
				if (!s->argv) {
					snprintf(err, errlen, "[hook %s]: %s", sc->name, msg);
					return -1;
				}
			}
		}
	}
	return 0;
}

static void subs_free(struct sub *subs, size_t n_subs)
{
	for (size_t i = 0; i < n_subs; i++) {
		struct sub *s = &subs[i];
		sub_clear_pending(s);
		if (s->secret) {
			explicit_bzero(s->secret, strlen(s->secret));
			free(s->secret);
		}
		smsd_argv_free(s->argv);
		free(s->own.name);
		free(s->own.target);
		free(s->own.secret_file);
		for (size_t k = 0; k < s->own.n_events; k++)
			free(s->own.events[k]);
	}
	free(subs);
}

static void notify_free(struct smsd_notify *n)
{
	subs_free(n->subs, n->n_subs);
	if (n->have_next)
		subs_free(n->next_subs, n->n_next_subs);
	while (n->retired) {
		struct retired *r = n->retired;
		n->retired = r->next;
		subs_free(r->subs, r->n);
		free(r);
	}
	while (n->results) {
		struct result *r = n->results;
		n->results = r->next;
		free(r);
	}
	free(n->node);
	free(n->lang);
	free(n->next_lang);
	if (n->multi)
		curl_multi_cleanup(n->multi);
	if (n->wake_fd >= 0)
		close(n->wake_fd);
	pthread_mutex_destroy(&n->lock);
	free(n);
}

struct smsd_notify *smsd_notify_start(struct smsd *d, char *err, size_t errlen)
{
	const struct smsd_config *cfg = d->cfg;
	struct smsd_notify *n = calloc(1, sizeof(*n));
	int rc;

	if (!n) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&n->lock, NULL);
	n->d = d;
	n->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	n->node = strdup(cfg->daemon.node_id);
	n->lang = strdup(cfg->daemon.language);
	n->retention = cfg->store.retention;
	n->multi = curl_multi_init();
	if (n->wake_fd < 0 || !n->node || !n->lang || !n->multi) {
		snprintf(err, errlen, "notify: cannot start: %s", strerror(errno));
		goto fail;
	}
	if (build_subs(cfg, &n->subs, &n->n_subs, err, errlen) < 0)
		goto fail;
	rc = smsd_storeq_call(d->storeq, run_init, n);
	if (rc < 0) {
		snprintf(err, errlen, "notify: store: %s", store_strerror(rc));
		goto fail;
	}
	if (pthread_create(&n->thread, NULL, run, n) != 0) {
		snprintf(err, errlen, "notify: cannot start its thread");
		goto fail;
	}
	n->started = true;
	return n;
fail:
	notify_free(n);
	return NULL;
}

int smsd_notify_reload(struct smsd_notify *n, const struct smsd_config *cfg, char *err,
		       size_t errlen)
{
	struct sub *subs = NULL;
	size_t n_subs = 0;
	char *lang = strdup(cfg->daemon.language);

	if (!lang || build_subs(cfg, &subs, &n_subs, err, errlen) < 0) {
		if (!lang)
			snprintf(err, errlen, "out of memory");
		subs_free(subs, n_subs);
		free(lang);
		return -1;
	}
	pthread_mutex_lock(&n->lock);
	if (n->have_next) /* a second SIGHUP before the first took effect: the later wins */
		subs_free(n->next_subs, n->n_next_subs);
	free(n->next_lang);
	n->next_subs = subs;
	n->n_next_subs = n_subs;
	n->next_lang = lang;
	n->have_next = true;
	pthread_mutex_unlock(&n->lock);
	smsd_notify_wake(n);
	return 0;
}

void smsd_notify_stop(struct smsd_notify *n)
{
	if (!n)
		return;
	if (n->started) {
		atomic_store(&n->stop, true);
		smsd_notify_wake(n);
		pthread_join(n->thread, NULL);
	}
	notify_free(n);
}
