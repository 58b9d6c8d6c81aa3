/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store thread: it owns the primary store handle (the write connection) and runs jobs
 * that other threads queue, everything that arrived within the last <= 2 ms in one
 * transaction (one fsync for many). Each job runs under its own savepoint inside the batch
 * (store.h), so one failing job does not undo the others.
 *
 * Completions: a job queued with smsd_storeq_submit() gets its `done` callback called in the
 * thread that calls smsd_storeq_dispatch() (the event loop, woken through the eventfd of
 * smsd_storeq_get_fd()); smsd_storeq_call() blocks the calling thread until its job was
 * committed (HTTP handlers).
 */
#ifndef SMSD_STOREQ_H
#define SMSD_STOREQ_H

#include <stdbool.h>

#include "store/store.h"

struct smsd_storeq;

/* Runs in the store thread with the handle; returns 0 or a negative store_error. */
typedef int (*smsd_store_fn)(struct store *st, void *arg);
/* Runs in the dispatching thread once the job's transaction committed (rc is the job's
 * result, or the commit's error when the commit failed). */
typedef void (*smsd_store_done)(void *arg, int rc);

/* Start the thread on an open primary handle (owned by the queue from now on). */
struct smsd_storeq *smsd_storeq_start(struct store *st);
/* Finish the queued jobs, stop the thread, close the handle; NULL allowed. */
void smsd_storeq_stop(struct smsd_storeq *q);
/* Queue a job; done (may be NULL) is called by smsd_storeq_dispatch(). @return 0 or -1. */
int smsd_storeq_submit(struct smsd_storeq *q, smsd_store_fn fn, smsd_store_done done, void *arg);
/* Queue a job and wait for its commit. @return the job's result. */
int smsd_storeq_call(struct smsd_storeq *q, smsd_store_fn fn, void *arg);
/* The eventfd that becomes readable when completions wait. */
int smsd_storeq_get_fd(const struct smsd_storeq *q);
/* Call the done callbacks of committed jobs. */
void smsd_storeq_dispatch(struct smsd_storeq *q);
/* ops (issue 17): called in the store thread after each commit (seconds, jobs in it). */
void smsd_storeq_set_observer(struct smsd_storeq *q, void (*fn)(void *arg, double, int), void *arg);
/* Whether the last commit succeeded (false while the database is unreachable). */
bool smsd_storeq_is_up(const struct smsd_storeq *q);

#endif
