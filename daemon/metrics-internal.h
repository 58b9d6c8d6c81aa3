/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the metrics registry of smsctld (issue 17), shared by its files:
 * metrics.c (the registry, counters, snapshots for the status page and STATUS=),
 * metrics-refresh.c (the gauges the store thread and the loop publish),
 * metrics-text.c (GET /metrics, the text format), ops-modem.c (root causes, modem jobs).
 * Every field of struct smsd_metrics is read and written under its lock (see ops.h).
 */
#ifndef SMSD_METRICS_INTERNAL_H
#define SMSD_METRICS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ops.h"
#include "smsctld.h"

#define MAX_SERIES	  1024
#define MAX_MODEMS	  SMSD_CONFIG_MAX_MODEMS
#define MAX_FAILURES	  20
#define MAX_KEY		  320
#define MAX_SUBS	  64
#define REFRESH_MS	  5000
#define SOON_MS		  1000
#define FULL_COUNT_FACTOR 200 /* the full count takes at most 0.5 % of the store thread */
#define N_BUCKETS	  8

extern const double smsd_send_buckets[N_BUCKETS], smsd_http_buckets[N_BUCKETS],
    smsd_commit_buckets[N_BUCKETS], smsd_batch_buckets[N_BUCKETS];
extern const char *const smsd_waiting_reasons[4];

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
	struct family deliveries, hook_runs;
	double duplicates[2]; /* idempotency, content */
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
	struct series backlog[MAX_SUBS]; /* webhook name -> pending deliveries */
	size_t n_backlog;
	int64_t next_full_count; /* monotonic ms: when all states are counted again */
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

/* The family's slot for a label set (created at 0); NULL when the family is full. */
double *smsd_family_slot(struct smsd_metrics *m, struct family *f, const char *key);
/* Append `name="value"` (escaped as the text format wants) to a label set. */
void smsd_label(char *key, size_t size, const char *name, const char *value);
/* Move a SIM's day and month counts to the window @p tm is in. */
void smsd_roll_window(struct sim_window *w, const struct tm *tm);

#endif
