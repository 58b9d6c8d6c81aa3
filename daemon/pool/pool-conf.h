/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The configuration of issue 15 (modem pools): the keys added to `[modem NAME]`, the
 * `[pool NAME]` and `[route NAME]` sections, and their checks. conf.c owns the parser; it
 * calls the hooks below (marked "issue 15" there).
 *
 * Ownership: strings and the routes belong to the configuration and are freed by
 * smsd_config_free() through smsd_poolconf_free() / smsd_pool_modem_config_clear().
 */
#ifndef SMSD_POOL_CONF_H
#define SMSD_POOL_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "pool-limits.h"

struct smsd_config;
struct smsd_routes;

/* The keys of issue 15 in [modem NAME]. Durations in ms. */
struct smsd_pool_modem_config {
	long long weight;	   /* 1 */
	struct smsd_limits limits; /* rate, min_interval, jitter, daily/monthly, window */
	long long health_interval; /* 60s */
	long long block_after;	   /* 3 */
	long long cooling;	   /* 1m, doubling to 1h */
	bool send, receive;	   /* yes, yes */
	char *balance_ussd, *balance_sms, *balance_regex;
	double balance_low;	    /* < 0: none */
	long long balance_interval; /* 6h */
	long long balance_wait;	    /* 2m */
};

struct smsd_pool_config {
	char *name;
	char *modems; /* the list as written: "a, b, c" */
	char *fallback;
	int line;
};

struct smsd_route_config {
	char *name;
	char *match;
	char *pool;
	int line;
};

/* The section-level configuration of issue 15 (inside struct smsd_config). */
struct smsd_poolconf {
	struct smsd_pool_config *pools;
	size_t n_pools;
	struct smsd_route_config *routes;
	size_t n_routes;
	struct smsd_routes *compiled;	 /* the routes, compiled in file order */
	struct smsd_rate recipient_rate; /* [send] recipient_rate, n 0 = off */
	long long duplicate_window;	 /* [send] duplicate_window, ms, 0 off */
};

/* Defaults of a new [modem NAME]. */
void smsd_pool_modem_config_init(struct smsd_pool_modem_config *m);
void smsd_pool_modem_config_clear(struct smsd_pool_modem_config *m);
/* Defaults of the sections' part. */
void smsd_poolconf_init(struct smsd_poolconf *pc);
void smsd_poolconf_free(struct smsd_poolconf *pc);

/* Add a [pool NAME] / [route NAME] section; NULL (with @err) when it is a duplicate or out
 * of memory. The returned struct is where its keys go. */
struct smsd_pool_config *smsd_poolconf_add_pool(struct smsd_poolconf *pc, const char *name,
						int line, char *err, size_t errlen);
struct smsd_route_config *smsd_poolconf_add_route(struct smsd_poolconf *pc, const char *name,
						  int line, char *err, size_t errlen);

/* Value parsers for conf.c's key kinds; 0 or -1 with @why (what was expected). */
int smsd_conf_parse_rate(const char *v, struct smsd_rate *out, char *why, size_t n);
int smsd_conf_parse_window(const char *v, struct smsd_clock_window *out, char *why, size_t n);
int smsd_conf_parse_regex(const char *v, char *why, size_t n);
int smsd_conf_parse_amount(const char *v, double *out, char *why, size_t n);

/*
 * After the whole file was read: a modem listed by a [pool] takes that pool (a modem in two
 * pools, or listed by one pool while naming another, is an error), pools and fallbacks
 * must exist, routes need match and pool and are compiled.
 * @return 0, or -1 with "FILE:LINE: message" in @err.
 */
int smsd_poolconf_finish(struct smsd_config *cfg, char *err, size_t errlen);

/* Whether @pool is a [pool NAME] section. */
bool smsd_poolconf_has_pool(const struct smsd_config *cfg, const char *pool);
/* The [pool NAME] of that name, NULL when none. */
const struct smsd_pool_config *smsd_poolconf_find_pool(const struct smsd_config *cfg,
						       const char *pool);

#endif
