/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The configuration of issue 15 (pool-conf.h): defaults, value parsers for conf.c's key
 * table, the [pool] and [route] sections and the checks once the whole file is read.
 */
#include "pool-conf.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../conf.h"
#include "pool-sched.h"

void smsd_pool_modem_config_init(struct smsd_pool_modem_config *m)
{
	memset(m, 0, sizeof(*m));
	m->weight = 1;
	m->health_interval = 60 * 1000;
	m->block_after = 3;
	m->cooling = 60 * 1000;
	m->send = true;
	m->receive = true;
	m->balance_low = -1;
	m->balance_interval = 6 * 3600 * 1000;
	m->balance_wait = 2 * 60 * 1000;
}

void smsd_pool_modem_config_clear(struct smsd_pool_modem_config *m)
{
	free(m->balance_ussd);
	free(m->balance_sms);
	free(m->balance_regex);
	m->balance_ussd = m->balance_sms = m->balance_regex = NULL;
}

void smsd_poolconf_init(struct smsd_poolconf *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->duplicate_window = 60 * 1000;
}

void smsd_poolconf_free(struct smsd_poolconf *pc)
{
	for (size_t i = 0; i < pc->n_pools; i++) {
		free(pc->pools[i].name);
		free(pc->pools[i].modems);
		free(pc->pools[i].fallback);
	}
	free(pc->pools);
	for (size_t i = 0; i < pc->n_routes; i++) {
		free(pc->routes[i].name);
		free(pc->routes[i].match);
		free(pc->routes[i].pool);
	}
	free(pc->routes);
	smsd_routes_free(pc->compiled);
	memset(pc, 0, sizeof(*pc));
}

#define MAX_SECTIONS 1024

struct smsd_pool_config *smsd_poolconf_add_pool(struct smsd_poolconf *pc, const char *name,
						int line, char *err, size_t errlen)
{
	struct smsd_pool_config *v;

	for (size_t i = 0; i < pc->n_pools; i++) {
		if (strcmp(pc->pools[i].name, name) == 0) {
			snprintf(err, errlen, "[pool %s] appears twice (first on line %d)", name,
				 pc->pools[i].line);
			return NULL;
		}
	}
	if (pc->n_pools >= MAX_SECTIONS) {
		snprintf(err, errlen, "more than %d pools", MAX_SECTIONS);
		return NULL;
	}
	v = realloc(pc->pools, (pc->n_pools + 1) * sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pc->pools = v;
	v = &v[pc->n_pools];
	memset(v, 0, sizeof(*v));
	v->line = line;
	if (!(v->name = strdup(name))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pc->n_pools++;
	return v;
}

struct smsd_route_config *smsd_poolconf_add_route(struct smsd_poolconf *pc, const char *name,
						  int line, char *err, size_t errlen)
{
	struct smsd_route_config *v;

	for (size_t i = 0; i < pc->n_routes; i++) {
		if (strcmp(pc->routes[i].name, name) == 0) {
			snprintf(err, errlen, "[route %s] appears twice (first on line %d)", name,
				 pc->routes[i].line);
			return NULL;
		}
	}
	if (pc->n_routes >= MAX_SECTIONS) {
		snprintf(err, errlen, "more than %d routes", MAX_SECTIONS);
		return NULL;
	}
	v = realloc(pc->routes, (pc->n_routes + 1) * sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pc->routes = v;
	v = &v[pc->n_routes];
	memset(v, 0, sizeof(*v));
	v->line = line;
	if (!(v->name = strdup(name))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pc->n_routes++;
	return v;
}

int smsd_conf_parse_rate(const char *v, struct smsd_rate *out, char *why, size_t n)
{
	if (smsd_rate_parse(v, out) == 0)
		return 0;
	snprintf(why, n, "a rate: parts per /s, /min, /h or /day, e.g. 6/min");
	return -1;
}

int smsd_conf_parse_window(const char *v, struct smsd_clock_window *out, char *why, size_t n)
{
	if (smsd_clock_window_parse(v, out) == 0)
		return 0;
	snprintf(why, n, "a time window HH:MM-HH:MM in local time, e.g. 08:00-21:00");
	return -1;
}

int smsd_conf_parse_regex(const char *v, char *why, size_t n)
{
	char err[160];

	if (*v && smsd_regex_valid(v, err, sizeof(err)))
		return 0;
	snprintf(why, n, "a PCRE2 pattern (%s)", *v ? err : "empty");
	return -1;
}

int smsd_conf_parse_amount(const char *v, double *out, char *why, size_t n)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (*v && !errno && !*end && isfinite(d) && d >= 0 && d < 1e12 &&
	    strspn(v, "0123456789.") == strlen(v)) {
		*out = d;
		return 0;
	}
	snprintf(why, n, "an amount (a number like 5 or 10.50)");
	return -1;
}

static int finish_fail(const struct smsd_config *cfg, int line, char *err, size_t errlen,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int finish_fail(const struct smsd_config *cfg, int line, char *err, size_t errlen,
		       const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(err, errlen, "%s:%d: ", cfg->path, line);

	if (k >= 0 && (size_t)k < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return -1;
}

bool smsd_poolconf_has_pool(const struct smsd_config *cfg, const char *pool)
{
	return smsd_poolconf_find_pool(cfg, pool) != NULL;
}

const struct smsd_pool_config *smsd_poolconf_find_pool(const struct smsd_config *cfg,
						       const char *pool)
{
	for (size_t i = 0; pool && i < cfg->poolconf.n_pools; i++) {
		if (strcmp(cfg->poolconf.pools[i].name, pool) == 0)
			return &cfg->poolconf.pools[i];
	}
	return NULL;
}

/* Whether a pool name is known: a [pool] section, or a modem naming it. */
static bool pool_known(const struct smsd_config *cfg, const char *pool)
{
	if (strcmp(pool, "default") == 0 || smsd_poolconf_has_pool(cfg, pool))
		return true;
	for (size_t i = 0; i < cfg->n_modems; i++) {
		if (cfg->modems[i].pool && strcmp(cfg->modems[i].pool, pool) == 0)
			return true;
	}
	return false;
}

static int assign_members(struct smsd_config *cfg, const struct smsd_pool_config *pl,
			  char **assigned, char *err, size_t errlen)
{
	const char *s = pl->modems;

	while (s && *s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		char name[80];
		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len == 0 || len >= sizeof(name))
			return finish_fail(
			    cfg, pl->line, err, errlen,
			    "[pool %s] modems: an empty or too long name in the list", pl->name);
		memcpy(name, s, len);
		name[len] = '\0';
		size_t i = 0;
		while (i < cfg->n_modems && strcmp(cfg->modems[i].name, name) != 0)
			i++;
		if (i == cfg->n_modems)
			return finish_fail(cfg, pl->line, err, errlen,
					   "[pool %s] modems: no [modem %s]", pl->name, name);
		struct smsd_modem_config *m = &cfg->modems[i];
		if (assigned[i] && strcmp(assigned[i], pl->name) != 0)
			return finish_fail(cfg, pl->line, err, errlen,
					   "[pool %s] modems: modem %s is already in pool %s",
					   pl->name, name, assigned[i]);
		if (m->pool && strcmp(m->pool, pl->name) != 0)
			return finish_fail(cfg, pl->line, err, errlen,
					   "[pool %s] modems: [modem %s] (line %d) names pool %s",
					   pl->name, name, m->line, m->pool);
		assigned[i] = pl->name;
		if (!comma)
			break;
		s = comma + 1;
	}
	return 0;
}

int smsd_poolconf_finish(struct smsd_config *cfg, char *err, size_t errlen)
{
	struct smsd_poolconf *pc = &cfg->poolconf;
	char **assigned = calloc(cfg->n_modems + 1, sizeof(*assigned));
	char why[200];

	if (!assigned) {
		snprintf(err, errlen, "%s: out of memory", cfg->path);
		return -1;
	}
	for (size_t i = 0; i < pc->n_pools; i++) {
		if (assign_members(cfg, &pc->pools[i], assigned, err, errlen) < 0) {
			free(assigned);
			return -1;
		}
	}
	for (size_t i = 0; i < cfg->n_modems; i++) {
		if (assigned[i] && !cfg->modems[i].pool &&
		    !(cfg->modems[i].pool = strdup(assigned[i]))) {
			free(assigned);
			snprintf(err, errlen, "%s: out of memory", cfg->path);
			return -1;
		}
	}
	free(assigned);
	for (size_t i = 0; i < pc->n_pools; i++) {
		const struct smsd_pool_config *pl = &pc->pools[i];
		if (pl->fallback && !pool_known(cfg, pl->fallback))
			return finish_fail(cfg, pl->line, err, errlen,
					   "[pool %s] fallback: no pool named %s", pl->name,
					   pl->fallback);
		if (pl->fallback && strcmp(pl->fallback, pl->name) == 0)
			return finish_fail(cfg, pl->line, err, errlen,
					   "[pool %s] fallback: a pool cannot fall back on itself",
					   pl->name);
	}
	pc->compiled = smsd_routes_new();
	if (!pc->compiled) {
		snprintf(err, errlen, "%s: out of memory", cfg->path);
		return -1;
	}
	for (size_t i = 0; i < pc->n_routes; i++) {
		const struct smsd_route_config *r = &pc->routes[i];
		if (!r->match)
			return finish_fail(cfg, r->line, err, errlen, "[route %s] has no 'match'",
					   r->name);
		if (!r->pool)
			return finish_fail(cfg, r->line, err, errlen, "[route %s] has no 'pool'",
					   r->name);
		if (!pool_known(cfg, r->pool))
			return finish_fail(cfg, r->line, err, errlen,
					   "[route %s] pool: no pool named %s", r->name, r->pool);
		if (smsd_routes_add(pc->compiled, r->match, r->pool, why, sizeof(why)) < 0)
			return finish_fail(cfg, r->line, err, errlen, "[route %s] match: %s",
					   r->name, why);
	}
	for (size_t i = 0; i < cfg->n_modems; i++) {
		const struct smsd_pool_modem_config *m = &cfg->modems[i].pc;
		if (m->balance_low >= 0) {
			if (!m->balance_regex || (!m->balance_ussd && !m->balance_sms))
				return finish_fail(cfg, cfg->modems[i].line, err, errlen,
						   "[modem %s] balance_low needs balance_regex and "
						   "balance_ussd or balance_sms",
						   cfg->modems[i].name);
		}
		if (m->balance_ussd && m->balance_sms)
			return finish_fail(cfg, cfg->modems[i].line, err, errlen,
					   "[modem %s] has both balance_ussd and balance_sms",
					   cfg->modems[i].name);
		if (m->balance_sms && !strchr(m->balance_sms, ' '))
			return finish_fail(cfg, cfg->modems[i].line, err, errlen,
					   "[modem %s] balance_sms is NUMBER TEXT",
					   cfg->modems[i].name);
	}
	return 0;
}
