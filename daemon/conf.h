/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * smsctld's configuration: an INI file read with libinih into struct smsd_config.
 *
 * Keys are a table (config.c): one line per key, so later issues add theirs without touching
 * the parser. Unknown sections and keys, bad values and duplicate keys are errors with the
 * file and the line; the first error ends the parse. Values are taken verbatim after `=`,
 * blanks around them trimmed; lines whose first non-blank character is `#` or `;` are comments.
 *
 * Ownership: smsd_config_parse() returns a config freed with smsd_config_free() (NULL allowed).
 */
#ifndef SMSD_CONF_H
#define SMSD_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "conf-notify.h"    /* issue 16: [webhook NAME], [hook NAME] */
#include "pool/pool-conf.h" /* issue 15: pools, limits, routes */

#define SMSD_CONFIG_DEFAULT_PATH "/etc/smsctl/smsctld.conf"
/* Largest configuration file read (bytes) and most modems. */
#define SMSD_CONFIG_MAX_SIZE   (1024 * 1024)
#define SMSD_CONFIG_MAX_MODEMS 256
#define SMSD_CONFIG_MAX_LISTEN 16

enum smsd_on_unknown { SMSD_ON_UNKNOWN_KEEP = 1, SMSD_ON_UNKNOWN_RESEND = 2 };
enum smsd_submit_mode { SMSD_SUBMIT_DIRECT = 1, SMSD_SUBMIT_STORAGE = 2 };
enum smsd_lost_modem { SMSD_LOST_RESEND_WHOLE = 1, SMSD_LOST_FAIL = 2 };

/* Durations are in milliseconds. */
struct smsd_modem_config {
	char *name;
	char *device;
	char *pin_file;			  /* NULL: no PIN */
	char *pool;			  /* default "default" */
	int line;			  /* line of the [modem NAME] header */
	struct smsd_pool_modem_config pc; /* issue 15: weight, limits, health, balance */
};

struct smsd_send_config {
	long long retry_initial;    /* 30s */
	long long retry_max;	    /* 30m */
	long long max_attempts;	    /* 5 */
	int on_unknown;		    /* enum smsd_on_unknown, default keep */
	long long report_wait;	    /* 2h */
	int submit_mode;	    /* enum smsd_submit_mode, default direct */
	long long multipart_resume; /* 10m */
	int multipart_lost_modem;   /* enum smsd_lost_modem, default resend_whole */
	long long max_parts;	    /* 10 */
	char *optout_keywords;	    /* issue 16: "TD, T, 退订, STOP" or NULL */
};

struct smsd_config {
	char *path; /* the file name used in messages */
	struct {
		char *node_id;	/* default: the host name */
		char *language; /* "en" or "zh_CN" */
		long long shutdown_timeout;
	} daemon;
	struct {
		char *url;
		long long retention;
		long long lease;
		bool auto_migrate;
	} store;
	struct smsd_send_config send;
	struct {
		char *listen[SMSD_CONFIG_MAX_LISTEN]; /* "HOST:PORT", "[V6]:PORT" or "unix:PATH" */
		size_t n_listen;
		char *tokens_file;
		bool metrics_auth;
		long long max_body;
		long long max_queued;
		long long threads;
		long long idempotency_retention; /* issue 16: 7d */
	} http;
	struct smsd_modem_config *modems;
	size_t n_modems;
	/* issue 16: webhooks and hooks in file order (conf-notify.c) */
	struct smsd_sub_config *subs;
	size_t n_subs;
	struct smsd_poolconf poolconf; /* issue 15: [pool], [route], [send] recipient_rate... */
};

/*
 * Parse a configuration held in memory (len bytes, need not be NUL-terminated).
 * @param name the file name for messages.
 * @param out the configuration with defaults filled in, else NULL.
 * @param err receives "NAME:LINE: message" on failure.
 * @return 0, or -1 with err set.
 */
int smsd_config_parse(const char *buf, size_t len, const char *name, struct smsd_config **out,
		      char *err, size_t errlen);
/* Read and parse a file (at most SMSD_CONFIG_MAX_SIZE bytes). A missing default file is an
 * error like any other. Same return as smsd_config_parse(). */
int smsd_config_load(const char *path, struct smsd_config **out, char *err, size_t errlen);
void smsd_config_free(struct smsd_config *cfg);
/* The modem of that name, NULL when none. */
const struct smsd_modem_config *smsd_config_find_modem(const struct smsd_config *cfg,
						       const char *name);
/* Whether a pool of that name has a modem. */
bool smsd_config_has_pool(const struct smsd_config *cfg, const char *pool);
/* A section's NAME (modem, pool, webhook, hook): 1 to 64 of A-Z a-z 0-9 _ - . */
bool smsd_config_valid_name(const char *s);

/* Parse "30s", "10m", "6h", "7d" into milliseconds; 1 s to 3650 days.
 * @return 0 or -1. */
int smsd_parse_duration(const char *s, long long *ms);
/* Format a duration for messages ("30s", "2h"). */
void smsd_format_duration(long long ms, char *buf, size_t size);

#endif
