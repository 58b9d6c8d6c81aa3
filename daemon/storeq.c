/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "storeq.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* Jobs arriving within this window after the first one share its transaction. */
#define BATCH_WINDOW_NS (2 * 1000 * 1000)
#define BATCH_MAX	256

struct job {
	smsd_store_fn fn;
	smsd_store_done done;
	void *arg;
	int rc;
	bool sync, finished;
	struct job *next;
};

struct smsd_storeq {
	struct store *st;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake, finished;
	struct job *head, *tail;	   /* waiting to run */
	struct job *done_head, *done_tail; /* committed, callbacks pending */
	int efd;
	bool stop, up;
	void (*observe)(void *arg, double seconds, int batch); /* ops (issue 17) */
	void *observe_arg;
};

static void push(struct job **head, struct job **tail, struct job *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static void *run(void *arg)
{
	struct smsd_storeq *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->wake, &q->lock);
		if (!q->head && q->stop)
			break;
		/* let what arrives in the next 2 ms join this transaction */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += BATCH_WINDOW_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!q->stop && pthread_cond_timedwait(&q->wake, &q->lock, &until) == 0)
			;
		struct job *batch = q->head, *last = batch;
		int n = 1;
		while (last->next && n < BATCH_MAX) {
			last = last->next;
			n++;
		}
		q->head = last->next;
		if (!q->head)
			q->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&q->lock);

		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		bool in_batch = store_begin(q->st) == 0;
		for (struct job *j = batch; j; j = j->next)
			j->rc = j->fn(q->st, j->arg);
		int crc = in_batch ? store_commit(q->st) : 0;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (q->observe && in_batch && crc == 0) /* ops (issue 17) */
			q->observe(
			    q->observe_arg,
			    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, n);
		if (crc < 0) {
			smsd_log(LOG_ERR, "store: commit failed: %s", store_errmsg(q->st));
			for (struct job *j = batch; j; j = j->next)
				if (j->rc >= 0)
					j->rc = crc;
		}

		pthread_mutex_lock(&q->lock);
		q->up = in_batch && crc == 0;
		bool signal = false;
		for (struct job *j = batch, *next; j; j = next) {
			next = j->next;
			if (j->sync) {
				j->finished = true;
			} else {
				push(&q->done_head, &q->done_tail, j);
				signal = true;
			}
		}
		pthread_cond_broadcast(&q->finished);
		if (signal) {
			uint64_t one = 1;
			if (write(q->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
				smsd_log(LOG_ERR, "store: eventfd: %s", strerror(errno));
		}
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct smsd_storeq *smsd_storeq_start(struct store *st)
{
	struct smsd_storeq *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->st = st;
	q->up = true;
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->wake, NULL);
	pthread_cond_init(&q->finished, NULL);
	if (q->efd < 0 || pthread_create(&q->thread, NULL, run, q) != 0) {
		if (q->efd >= 0)
			close(q->efd);
		free(q);
		return NULL;
	}
	return q;
}

void smsd_storeq_stop(struct smsd_storeq *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_broadcast(&q->wake);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	smsd_storeq_dispatch(q);
	store_close(q->st);
	close(q->efd);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->wake);
	pthread_cond_destroy(&q->finished);
	free(q);
}

static int enqueue(struct smsd_storeq *q, struct job *j)
{
	pthread_mutex_lock(&q->lock);
	if (q->stop) {
		pthread_mutex_unlock(&q->lock);
		return -1;
	}
	push(&q->head, &q->tail, j);
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int smsd_storeq_submit(struct smsd_storeq *q, smsd_store_fn fn, smsd_store_done done, void *arg)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return -1;
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	if (enqueue(q, j) < 0) {
		free(j);
		return -1;
	}
	return 0;
}

int smsd_storeq_call(struct smsd_storeq *q, smsd_store_fn fn, void *arg)
{
	struct job j = {.fn = fn, .arg = arg, .sync = true};

	if (enqueue(q, &j) < 0)
		return STORE_ERR_UNAVAILABLE;
	pthread_mutex_lock(&q->lock);
	while (!j.finished)
		pthread_cond_wait(&q->finished, &q->lock);
	pthread_mutex_unlock(&q->lock);
	return j.rc;
}

int smsd_storeq_get_fd(const struct smsd_storeq *q)
{
	return q->efd;
}

void smsd_storeq_dispatch(struct smsd_storeq *q)
{
	uint64_t v;
	struct job *list;

	if (read(q->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		smsd_log(LOG_ERR, "store: eventfd: %s", strerror(errno));
	pthread_mutex_lock(&q->lock);
	list = q->done_head;
	q->done_head = q->done_tail = NULL;
	pthread_mutex_unlock(&q->lock);
	for (struct job *j = list, *next; j; j = next) {
		next = j->next;
		if (j->done)
			j->done(j->arg, j->rc);
		free(j);
	}
}

bool smsd_storeq_is_up(const struct smsd_storeq *q)
{
	bool up;

	pthread_mutex_lock((pthread_mutex_t *)&q->lock);
	up = q->up;
	pthread_mutex_unlock((pthread_mutex_t *)&q->lock);
	return up;
}

void smsd_storeq_set_observer(struct smsd_storeq *q, void (*fn)(void *arg, double, int), void *arg)
{
	pthread_mutex_lock(&q->lock);
	q->observe = fn;
	q->observe_arg = arg;
	pthread_mutex_unlock(&q->lock);
}
