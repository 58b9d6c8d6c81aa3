/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pool scheduling, the pure parts (sched.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "pool-sched.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[SMSD_MS_COUNT] = {
    [SMSD_MS_STARTING] = "starting", [SMSD_MS_READY] = "ready",
    [SMSD_MS_DEGRADED] = "degraded", [SMSD_MS_COOLING] = "cooling",
    [SMSD_MS_BLOCKED] = "blocked",   [SMSD_MS_QUOTA] = "quota",
    [SMSD_MS_GONE] = "gone",	     [SMSD_MS_DISABLED] = "disabled",
};

const char *smsd_mstate_name(enum smsd_mstate s)
{
	return (unsigned)s < SMSD_MS_COUNT ? state_names[s] : NULL;
}

int smsd_mstate_parse(const char *name)
{
	for (int i = 0; name && i < SMSD_MS_COUNT; i++) {
		if (strcmp(state_names[i], name) == 0)
			return i;
	}
	return -1;
}

bool smsd_mstate_can_send(enum smsd_mstate s)
{
	return s == SMSD_MS_READY || s == SMSD_MS_DEGRADED;
}

/* Layers whose errors block sending (the finding id's prefix). */
static bool blocking_layer(const char *id)
{
	static const char *const layers[] = {"port.", "modem.", "sim.", "net.", "signal.", "sms."};

	for (size_t i = 0; i < sizeof(layers) / sizeof(layers[0]); i++) {
		if (strncmp(id, layers[i], strlen(layers[i])) == 0)
			return true;
	}
	return false;
}

enum smsd_mstate smsd_state_from_findings(const struct smsd_finding_in *f, size_t n, int *cause)
{
	int err = -1, warn = -1;

	if (cause)
		*cause = -1;
	for (size_t i = 0; i < n; i++) {
		if (!f[i].id)
			continue;
		if (strcmp(f[i].id, "modem.gone") == 0) {
			if (cause)
				*cause = (int)i;
			return SMSD_MS_GONE;
		}
		if (strcmp(f[i].id, "sim.balance_low") == 0)
			continue;
		if (f[i].severity == SMSCTL_SEVERITY_ERROR && blocking_layer(f[i].id) && err < 0)
			err = (int)i;
		else if (f[i].severity == SMSCTL_SEVERITY_WARNING && warn < 0)
			warn = (int)i;
	}
	if (err >= 0) {
		if (cause)
			*cause = err;
		return SMSD_MS_BLOCKED;
	}
	if (warn >= 0) {
		if (cause)
			*cause = warn;
		return SMSD_MS_DEGRADED;
	}
	return SMSD_MS_READY;
}

int64_t smsd_cooling_next(int64_t delay_ms, int64_t max_ms)
{
	if (delay_ms <= 0)
		return 1000 < max_ms ? 1000 : max_ms;
	if (delay_ms >= max_ms / 2)
		return max_ms;
	return delay_ms * 2;
}

bool smsd_candidate_better(const struct smsd_candidate *a, const struct smsd_candidate *b)
{
	/* parts/weight, degraded weight halved: compare a.parts / wa < b.parts / wb as
	 * a.parts * wb < b.parts * wa with weights doubled (ready 2w, degraded w) */
	long long wa = (a->weight > 0 ? a->weight : 1) * (a->degraded ? 1 : 2);
	long long wb = (b->weight > 0 ? b->weight : 1) * (b->degraded ? 1 : 2);
	/* parts are far below 2^40 and weights at most 1000: no overflow */
	long long l = a->parts_today * wb, r = b->parts_today * wa;

	if (l != r)
		return l < r;
	if (a->parts_today == 0 && b->parts_today == 0 && wa != wb)
		return wa > wb; /* nothing sent yet: the heavier (healthier) one first */
	return a->idle_since < b->idle_since;
}

size_t smsd_candidate_pick(const struct smsd_candidate *c, size_t n)
{
	size_t best = 0;

	for (size_t i = 1; i < n; i++) {
		if (smsd_candidate_better(&c[i], &c[best]))
			best = i;
	}
	return best;
}

/* ---- routes ---- */

struct route {
	pcre2_code *re;
	char *pool;
};

struct smsd_routes {
	struct route *v;
	size_t n;
	pcre2_match_context *mctx;
};

struct smsd_routes *smsd_routes_new(void)
{
	struct smsd_routes *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->mctx = pcre2_match_context_create(NULL);
	if (!r->mctx) {
		free(r);
		return NULL;
	}
	/* a recipient is short: bound the work a pathological pattern can do */
	pcre2_set_match_limit(r->mctx, 100000);
	pcre2_set_depth_limit(r->mctx, 1000);
	return r;
}

void smsd_routes_free(struct smsd_routes *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		pcre2_code_free(r->v[i].re);
		free(r->v[i].pool);
	}
	free(r->v);
	pcre2_match_context_free(r->mctx);
	free(r);
}

static pcre2_code *compile(const char *pattern, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re =
	    pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &off, NULL);

	if (!re && errlen) {
		PCRE2_UCHAR msg[256];
		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", code);
		snprintf(err, errlen, "%s at offset %zu", (const char *)msg, (size_t)off);
	}
	return re;
}

bool smsd_regex_valid(const char *pattern, char *err, size_t errlen)
{
	pcre2_code *re = compile(pattern, err, errlen);

	pcre2_code_free(re);
	return re != NULL;
}

int smsd_routes_add(struct smsd_routes *r, const char *pattern, const char *pool, char *err,
		    size_t errlen)
{
	pcre2_code *re = compile(pattern, err, errlen);
	struct route *v;
	char *p;

	if (!re)
		return -1;
	p = strdup(pool);
	v = p ? realloc(r->v, (r->n + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(p);
		pcre2_code_free(re);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->v = v;
	r->v[r->n].re = re;
	r->v[r->n].pool = p;
	r->n++;
	return 0;
}

const char *smsd_routes_match(const struct smsd_routes *r, const char *recipient)
{
	if (!r || !recipient)
		return NULL;
	for (size_t i = 0; i < r->n; i++) {
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->v[i].re, NULL);
		if (!md)
			return NULL;
		int rc = pcre2_match(r->v[i].re, (PCRE2_SPTR)recipient, PCRE2_ZERO_TERMINATED, 0, 0,
				     md, r->mctx);
		pcre2_match_data_free(md);
		if (rc >= 0)
			return r->v[i].pool;
	}
	return NULL;
}

const char *smsd_route_for_submit(const struct smsd_routes *r, const char *recipient,
				  const char *pool, const char *modem)
{
	if (pool || modem)
		return NULL;
	return smsd_routes_match(r, recipient);
}
