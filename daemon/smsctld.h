/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * smsctld's shared state: the configuration, the store thread, the modems, the HTTP server.
 *
 * Threads: the main thread runs the event loop (signals, store completions, every modem);
 * the store thread runs store jobs (storeq.h); libmicrohttpd's threads run the API handlers,
 * which reach the store only through smsd_storeq_call() and the loop only through
 * smsd_wake() and the atomically read fields below.
 */
#ifndef SMSD_SMSCTLD_H
#define SMSD_SMSCTLD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "storeq.h"

struct smsd_modem;
struct smsd_http;

struct smsd {
	struct smsd_config *cfg; /* replaced by SIGHUP under cfg_lock */
	pthread_rwlock_t cfg_lock;
	struct smsd_storeq *storeq;
	struct smsd_http *http;
	struct smsd_notify *notify; /* issue 16: webhooks and hooks (notify.h) */
	struct smsd_modem **modems;
	size_t n_modems;
	int wake_fd;   /* eventfd: new work queued (API), look for it now */
	bool stopping; /* SIGTERM/SIGINT seen: no new claims */
	int64_t stop_deadline;
	atomic_int modems_ready;      /* for /readyz */
	atomic_bool serving;	      /* /healthz */
	const char *sim_record_dir;   /* SMSCTLD_SIM_RECORD: test hook, see modem.c */
	struct smsd_metrics *metrics; /* ops (issue 17): metrics.c */
};

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t smsd_mono_ms(void);
/* Milliseconds since the epoch (CLOCK_REALTIME). */
int64_t smsd_wall_ms(void);
/* Tell the loop that messages were queued (any thread). */
void smsd_wake(struct smsd *d);

/* ---- modems (modem.c), all in the loop thread ---- */

struct smsd_modem *smsd_modem_new(struct smsd *d, const struct smsd_modem_config *mc);
/* Close and free (only when smsd_modem_is_idle()). */
void smsd_modem_free(struct smsd_modem *mm);
const char *smsd_modem_name(const struct smsd_modem *mm);
/* Open (or reopen when due), claim work, time out: call every loop iteration. */
void smsd_modem_tick(struct smsd_modem *mm, int64_t now);
/* The fd to poll (-1 when closed) and the ms until the next tick is needed (-1 none). */
int smsd_modem_get_fd(const struct smsd_modem *mm);
int smsd_modem_get_timeout(const struct smsd_modem *mm, int64_t now);
/* Look for work now (the API queued some). */
void smsd_modem_poke(struct smsd_modem *mm);
/* The fd was readable. */
void smsd_modem_process(struct smsd_modem *mm);
/* No command in flight and no store job pending (safe to free, safe to stop). */
bool smsd_modem_is_idle(const struct smsd_modem *mm);
bool smsd_modem_is_ready(const struct smsd_modem *mm);
/* Whether its configuration equals mc (device, pin_file, pool). */
bool smsd_modem_same_config(const struct smsd_modem *mm, const struct smsd_modem_config *mc);
/* Stop claiming; it is freed once idle (SIGHUP removed it). */
void smsd_modem_retire(struct smsd_modem *mm);
bool smsd_modem_is_retired(const struct smsd_modem *mm);
/* issue 15: its pool state (daemon/pool/pool-run.h) */
struct smsd_pool_modem *smsd_modem_get_pool(const struct smsd_modem *mm);

/* The ICCID of the SIM in an open modem, NULL when closed or unknown. */
const char *smsd_modem_present_iccid(const struct smsd_modem *mm);

/* ---- multipart messages whose SIM went away (multipart.c) ---- */
/* Queue a scan: messages pinned to a SIM no open modem holds, waiting longer than
 * multipart_resume, are resent whole or failed. */
void smsd_multipart_scan(struct smsd *d);

/* ops (issue 17): what the status page and /metrics show (ops.h). */
struct smsd_modem_info;
void smsd_modem_get_info(const struct smsd_modem *mm, struct smsd_modem_info *out);

/* ---- the API (api.c) ---- */
struct smsd_http *smsd_api_start(struct smsd *d, char *err, size_t errlen);

#endif
