/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pool scheduling of smsctld (issue 15), the pure parts: modem states, the mapping from the
 * diagnosis' findings to a state, cooling, the choice among eligible modems, routes.
 */
#ifndef SMSD_POOL_SCHED_H
#define SMSD_POOL_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <smsctl/diagnose.h>

/* Modem states: the names are `modems.state` values (contract). */
enum smsd_mstate {
	SMSD_MS_STARTING = 0,
	SMSD_MS_READY,
	SMSD_MS_DEGRADED,
	SMSD_MS_COOLING,
	SMSD_MS_BLOCKED,
	SMSD_MS_QUOTA,
	SMSD_MS_GONE,
	SMSD_MS_DISABLED,
	SMSD_MS_COUNT
};
/* "starting", "ready", ... (static), NULL out of range. */
const char *smsd_mstate_name(enum smsd_mstate s);
/* -1 when not a state name. */
int smsd_mstate_parse(const char *name);
/* ready or degraded: may take messages. */
bool smsd_mstate_can_send(enum smsd_mstate s);

/* One finding as the mapping needs it. */
struct smsd_finding_in {
	const char *id;
	enum smsctl_severity severity;
};

/*
 * The state a diagnosis puts a modem in: `modem.gone` -> gone; any error finding in the
 * port, modem, SIM, registration, signal or SMS layers -> blocked; any warning (e.g.
 * signal.weak, sms.storage_nearly_full) -> degraded; otherwise ready. `sim.balance_low`
 * never changes the state (the balance is money, not the ability to send).
 * @param cause receives the index of the finding that decided (the first of the most severe
 *        in layer order), -1 for ready.
 */
enum smsd_mstate smsd_state_from_findings(const struct smsd_finding_in *f, size_t n, int *cause);

/* Cooling: the next probe delay after a failed probe (doubling, at most @max_ms). */
int64_t smsd_cooling_next(int64_t delay_ms, int64_t max_ms);
#define SMSD_COOLING_MAX_MS (3600 * 1000LL)

/* What the choice among eligible modems looks at. */
struct smsd_candidate {
	long long parts_today;
	long long weight; /* >= 1 */
	bool degraded;	  /* counts half weight */
	int64_t idle_since;
};

/* Whether @a wins over @b: lower parts_today / weight (degraded: half weight), ties to the
 * modem idle longest (smaller idle_since). */
bool smsd_candidate_better(const struct smsd_candidate *a, const struct smsd_candidate *b);
/* Index of the winner among @n (n >= 1). */
size_t smsd_candidate_pick(const struct smsd_candidate *c, size_t n);

/* Routes: compiled PCRE2 patterns in file order. */
struct smsd_routes;
/* NULL without memory. */
struct smsd_routes *smsd_routes_new(void);
void smsd_routes_free(struct smsd_routes *r);
/* Add a route. @return 0, or -1 with @err set to PCRE2's message and offset. */
int smsd_routes_add(struct smsd_routes *r, const char *pattern, const char *pool, char *err,
		    size_t errlen);
/* Whether @pattern compiles (config check). */
bool smsd_regex_valid(const char *pattern, char *err, size_t errlen);
/* The pool of the first route matching @recipient (borrowed), NULL when none matches. */
const char *smsd_routes_match(const struct smsd_routes *r, const char *recipient);
/* The pool a submitted message gets: an explicit pool or modem is kept (NULL returned),
 * else the first matching route's pool, else NULL (the default pool). */
const char *smsd_route_for_submit(const struct smsd_routes *r, const char *recipient,
				  const char *pool, const char *modem);

#endif
