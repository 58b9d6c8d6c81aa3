/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running smsctld in production (issue 17): Prometheus metrics (metrics.c), systemd
 * notification and the watchdog (sd-notify.c), the status page for the shop (status-page.c).
 *
 * Threads: the counters are bumped from the loop thread (modems), the store thread (commits)
 * and libmicrohttpd's threads (requests); every access goes through the registry's mutex,
 * which is never held while the store is touched. A scrape reads only the registry: the
 * gauges that come from the store (rows per state, the oldest queued message) are refreshed
 * by a job of the store thread every few seconds (smsd_ops_tick()), never by the scrape.
 *
 * Ownership: smsd_metrics_new() returns a registry freed with smsd_metrics_free().
 */
#ifndef SMSD_OPS_H
#define SMSD_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

struct smsd;
struct smsd_metrics;
struct smsctl_modem;

/* ---- metrics.c ---- */

/* The eight modem states of issue 15, in the order /metrics lists them. */
extern const char *const smsd_modem_states[8];

/* What the loop publishes about one modem (copied into the registry). */
struct smsd_modem_info {
	char name[80];
	char pool[80];
	char state[16]; /* one of smsd_modem_states */
	char reason[64];
	char iccid[40];
	char finding[48];  /* root cause finding id when not ready, "" when none */
	char severity[16]; /* its severity ("error", "warning") */
	char operator_[64];
	int signal_dbm;	    /* INT32_MIN when unknown */
	int registered;	    /* 1, 0, -1 unknown */
	int64_t sent_today; /* parts sent today (local time) since the start */
	/* from the pool (issue 15) when it knows the modem, else 0 / false */
	bool pooled;
	long long parts_today, parts_month;   /* the SIM's counts (sim_counters) */
	long long daily_limit, monthly_limit; /* 0: no limit */
	/* the SIM's balance (issue 15's balance checks), when read */
	bool has_balance;
	double balance;
	int64_t balance_at_ms; /* wall clock */
};

/* A finding's texts as the library wrote them in the daemon's locale (C: the msgids). */
struct smsd_finding_text {
	char id[48];
	char summary[256];
	char remedy[1024];
};

struct smsd_metrics *smsd_metrics_new(void);
void smsd_metrics_free(struct smsd_metrics *m);

void smsd_metrics_submitted(struct smsd_metrics *m, const char *pool, int n);
void smsd_metrics_part_sent(struct smsd_metrics *m, const char *modem, const char *sim,
			    double seconds);
void smsd_metrics_send_failure(struct smsd_metrics *m, const char *modem, const char *class_,
			       const char *code);
/* TP-ST of a status report: 0-31 delivered, 32-63 pending, else undelivered. */
void smsd_metrics_report(struct smsd_metrics *m, const char *modem, int tp_status);
void smsd_metrics_received(struct smsd_metrics *m, const char *modem);
void smsd_metrics_http(void *app, const char *route, int status, double seconds);
void smsd_metrics_commit(void *arg, double seconds, int batch);
/* A submit answered as a duplicate: reason "idempotency" (a replayed key) or "content" (the
 * pool's duplicate_window). */
void smsd_metrics_duplicate(struct smsd_metrics *m, const char *reason);
/* One finished attempt of a webhook (@p hook false) or hook: result "ok", "retry", "dead". */
void smsd_metrics_delivery(struct smsd_metrics *m, bool hook, const char *name, const char *result);
/* The last failures for the status page (reason text, never the message text). */
void smsd_metrics_last_failure(struct smsd_metrics *m, const char *modem, const char *id,
			       const char *code, const char *text);

/* Snapshot for the status page and STATUS=. */
struct smsd_ops_summary {
	int modems, modems_ready;
	int64_t queued, unknown, sending;
	int64_t waiting[4]; /* quota, rate, window, no_modem */
	bool store_up;
	bool counts_known;
};
void smsd_metrics_summary(struct smsd_metrics *m, struct smsd_ops_summary *out);
/* The webhooks' backlogs as last counted (name, pending events); @return how many. */
struct series_copy {
	char name[80];
	double v;
};
int smsd_metrics_backlogs(struct smsd_metrics *m, struct series_copy *out, int max);
/* Copy the modems (at most max) into out; @return how many. */
int smsd_metrics_modems(struct smsd_metrics *m, struct smsd_modem_info *out, int max);
struct smsd_failure_row {
	int64_t at_ms;
	char modem[80], id[40], code[48], text[256];
};
/* The last failures, newest first; @return how many (at most 20). */
int smsd_metrics_failures(struct smsd_metrics *m, struct smsd_failure_row *out, int max);

/* The texts of a finding id seen by smsd_ops_root_cause(). @return false when unknown. */
bool smsd_ops_finding_text(struct smsd_metrics *m, const char *id, struct smsd_finding_text *out);
/* Make the next smsd_ops_tick() refresh the store gauges (after a submit). */
void smsd_metrics_refresh_soon(struct smsd_metrics *m);
/* Status page sessions: 64 hex characters, bounded table (oldest replaced). */
int smsd_metrics_session_add(struct smsd_metrics *m, const char *id, int64_t expires_ms);
bool smsd_metrics_session_valid(struct smsd_metrics *m, const char *id);

/* Called by the loop every iteration: publishes the modems, queues the gauge refresh. */
void smsd_ops_tick(struct smsd *d, int64_t now);
/* The root cause of a modem that is not ready (runs the library's diagnosis, loop thread):
 * id[48] and sev[16] receive the finding; with m NULL both are cleared. */
void smsd_ops_root_cause(struct smsd *d, struct smsctl_modem *m, char *id, char *sev);
/* A modem job as /metrics counts it: what is 'S' (a part sent, cmgs_at its AT+CMGS start),
 * 'F' (a failure with class and code), 'R' (a status report with TP-ST status), else nothing. */
void smsd_ops_job(struct smsd_metrics *m, const char *modem, const char *sim, char what,
		  int64_t cmgs_at, int status, const char *id, const char *class_, const char *code,
		  const char *text);
void smsd_ops_fill_info(struct smsd_modem_info *out, const char *name, const char *pool,
			const char *state, const char *iccid, const char *finding,
			const char *severity);

/* ---- sd-notify.c: sd_notify (libsystemd when built with it, else the protocol by hand) ---- */

/* Read NOTIFY_SOCKET / WATCHDOG_USEC once. */
void smsd_notify_init(void);
/* Send one notification ("READY=1", "STATUS=..."); a no-op without NOTIFY_SOCKET. */
void smsd_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Watchdog pings and STATUS= from the loop; @return ms until it wants to run again. */
int smsd_notify_tick(struct smsd *d, int64_t now);
/* Test builds: SIGUSR2 freezes the loop (SMSCTLD_TEST_FREEZE=1 in the environment). */
bool smsd_notify_test_freeze_enabled(void);

/* ---- status-page.c and the routes ---- */
void smsd_page_status(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_page_login(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_page_metrics(void *app, const struct smsd_request *req, struct smsd_reply *rep);

/* The routes api.c adds to its table: public for the framework, they check the token
 * themselves (metrics_auth, the login form). */
#define SMSD_OPS_ROUTES                                                                            \
	{"GET", "/metrics", smsd_page_metrics, true}, {"GET", "/", smsd_page_status, true},        \
	    {"POST", "/login", smsd_page_login, true},

#endif
