/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Delivering events to webhooks and hooks (issue 16): one thread of its own, never in the
 * path of sending or receiving.
 *
 * The store's `events` rows are the source: the thread fans each new event out into one
 * `deliveries` row per subscriber whose patterns match (in the same transaction that moves the
 * subscriber's cursor), tries due deliveries (webhooks: libcurl multi; hooks: a process per
 * event), and records each outcome. Everything durable lives in the store, so a kill -9 loses
 * nothing: what was in flight is tried again after the restart, with the same event id and
 * the same body. The store is reached only through the store thread (smsd_storeq_call()).
 */
#ifndef SMSD_NOTIFY_H
#define SMSD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <curl/curl.h>

#include "conf.h"
#include "store/store-api.h"

struct smsd;
struct smsd_notify;

/* Start the thread for the configuration's webhooks and hooks (also with none: the routes
 * then list none). Reads secret files, registers subscribers in the store.
 * @return the notifier or NULL with err set. */
struct smsd_notify *smsd_notify_start(struct smsd *d, char *err, size_t errlen);
/* Stop: attempts in flight are abandoned (tried again at the next start), hooks killed. */
void smsd_notify_stop(struct smsd_notify *n);
/* SIGHUP: take the webhooks and hooks of @p cfg (the loop thread). Secrets are read and
 * commands split now (an error refuses this part of the reload: @return -1 with err set); the
 * notifier thread swaps them in once the attempts in flight have ended and their outcomes
 * are recorded, so nothing in flight is abandoned and no backlog is lost. */
int smsd_notify_reload(struct smsd_notify *n, const struct smsd_config *cfg, char *err,
		       size_t errlen);
/* Look for new events and due deliveries now (any thread). */
void smsd_notify_wake(struct smsd_notify *n);

/* What GET /v1/webhooks shows of one subscriber (memory only; counts come from the store). */
struct smsd_sub_status {
	const struct smsd_sub_config *cfg; /* valid while the notifier runs */
	char store_name[80];		   /* "webhook:NAME", "hook:NAME" */
	bool failing;			   /* the last attempt failed */
	int64_t last_success_at, last_failure_at;
	int last_status; /* HTTP status or exit code of the last failure, -1 none */
	char last_error[256];
};
/* The subscribers (webhooks first, then hooks), a copy taken under the notifier's lock.
 * @return the count written (at most max). */
size_t smsd_notify_status(struct smsd_notify *n, struct smsd_sub_status *out, size_t max);

/* ---- inside the notifier: one attempt of one delivery ---- */

enum smsd_attempt_result {
	SMSD_ATTEMPT_OK,	/* 2xx / exit 0 */
	SMSD_ATTEMPT_RETRY,	/* network error, timeout, 408, 429, 5xx, exit != 0 */
	SMSD_ATTEMPT_PERMANENT, /* another 4xx: dead at once */
};

struct smsd_attempt {
	struct smsd_attempt *next;
	size_t sub;	    /* index into the notifier's subscribers */
	const char *who;    /* "webhook:NAME", "hook:NAME" (the notifier's) */
	int64_t seq;	    /* the event's seq */
	int attempts;	    /* attempts before this one */
	int64_t created_at; /* the event's, for max_age */
	char key[96];	    /* per-message order: message id or modem */
	char event_id[STORE_ID_SIZE];
	char *body; /* the event's body, byte-identical on every attempt */
	/* webhook */
	CURL *easy;
	struct curl_slist *headers;
	char resp[200];
	size_t resp_len;
	/* hook */
	pid_t pid;
	int out_fd;
	char out[4097]; /* stdout and stderr, cut at 4 KiB */
	size_t out_len;
	bool out_cut;
	int64_t deadline; /* ms, monotonic */
	/* outcome */
	enum smsd_attempt_result result;
	int status; /* HTTP status / exit code, -1 none */
	char error[256];
};

/* The body of an event: {"id", "type", "created_at", "node", "data"}; @p inbox_data the
 * INBOX object text for sms.received (or NULL to use the payload). malloc'd, NULL no memory. */
char *smsd_event_body(const struct store_event *ev, const char *node, const char *inbox_data);

/* webhook.c: start one POST on @p multi; @return 0 or -1 with a->error set. */
int smsd_webhook_begin(CURLM *multi, struct smsd_attempt *a, const struct smsd_sub_config *sc,
		       const char *secret, const char *event_type);
/* webhook.c: the transfer ended: fill a->result/status/error, free the handle. */
void smsd_webhook_end(CURLM *multi, struct smsd_attempt *a, CURLcode code);

/* hooks.c: spawn the program; @return 0 or -1 with a->error set. */
int smsd_hook_begin(struct smsd_attempt *a, char *const *argv, const struct smsd_sub_config *sc,
		    const struct store_event *ev, const char *lang);
/* hooks.c: read output, reap, time out. @return true once the attempt is over (result set). */
bool smsd_hook_poll(struct smsd_attempt *a, int64_t now_mono);
/* hooks.c: kill the process group and reap (shutdown). */
void smsd_hook_abort(struct smsd_attempt *a);

#endif
