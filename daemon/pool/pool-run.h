/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Modem pools at run time (issue 15): each modem's pool state (the contract states
 * `starting ready degraded cooling blocked quota gone disabled`), its SIM's limits and
 * counters, health checks and diagnosis, the events `modem.state_changed` and
 * `sim.quota_reached`, and the choice among the modems of a pool.
 *
 * modem.c calls these at its hooks (marked "issue 15" there), all in the loop thread except
 * the *_run() functions, which run in the store thread inside a store job. The HTTP threads
 * only call smsd_pool_request_*() (atomics).
 */
#ifndef SMSD_POOL_RUN_H
#define SMSD_POOL_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "pool-sched.h"
#include "store/store-pool.h"

struct smsd;
struct smsd_modem;
struct smsd_modem_config;
struct smsctl_modem;
struct smsd_pool_modem;

/* The daemon's language for event texts ([daemon] language): call once at start, before
 * threads (it sets LANGUAGE and LC_MESSAGES for the library's catalogs). */
void smsd_pool_set_language(const char *language);

/* The clock of limits and windows: wall time, moved by a test-only offset read from the file
 * named by SMSCTLD_TEST_CLOCK_FILE (milliseconds, re-read when it changes). */
int64_t smsd_pool_now(void);

struct smsd_pool_modem *smsd_pool_modem_new(struct smsd *d, const struct smsd_modem_config *mc);
void smsd_pool_modem_free(struct smsd_pool_modem *pm);
enum smsd_mstate smsd_pool_state(const struct smsd_pool_modem *pm);
/* Whether it may receive ([modem] receive). */
bool smsd_pool_receives(const struct smsd_pool_modem *pm);
/* ms between rechecks of a blocked modem: min(30 s, health_interval). */
int64_t smsd_pool_recheck_ms(const struct smsd_pool_modem *pm);

/* The modem was opened (IMEI/ICCID read): counters of that SIM loaded from the store. */
void smsd_pool_opened(struct smsd_pool_modem *pm, struct smsctl_modem *m, const char *imei,
		      const char *iccid);
/* Whether the modem is blocked because it stopped answering (port.no_answer): the daemon
 * then closes and reopens its port (the state stays `blocked`). */
bool smsd_pool_needs_reopen(const struct smsd_pool_modem *pm);
/* The port was just opened (worker thread, before anything is sent): the test hook's faults
 * (SMSCTLD_SIM_FAULTS) apply to the new sim: modem from the start. */
void smsd_pool_port_opened(struct smsd_pool_modem *pm, struct smsctl_modem *m);
/* The modem went away. */
void smsd_pool_closed(struct smsd_pool_modem *pm, const char *why);
/* Full diagnosis now: findings -> state (event on change). @return whether it may send; a
 * short reason (the finding id) in @reason. */
bool smsd_pool_diagnose(struct smsd_pool_modem *pm, struct smsctl_modem *m, char *reason,
			size_t size);

/*
 * Before a claim (the modem is open and idle): periodic health check, cooling probes,
 * disable/enable requests, limits (state `quota`, `waiting` marks) and the choice among the
 * pool's modems. @return whether this modem should claim now; *@retry_in the ms until it is
 * worth asking again, or -1: run the full diagnosis now (smsd_pool_diagnose(), in the modem's
 * worker), something changed.
 */
bool smsd_pool_before_claim(struct smsd_pool_modem *pm, struct smsctl_modem *m, int64_t *retry_in);

/* The claim of one message, prepared in the loop thread and run in the store thread. */
struct smsd_pool_claim {
	struct store_pool_budget b;
	char key[96];
	const char *waiting; /* the limit that caps the budget, NULL none */
	const char *pools[16];
	char poolbuf[16][72];
	size_t n_pools;
};
void smsd_pool_claim_prepare(struct smsd_pool_modem *pm, const char *own_pool,
			     struct smsd_pool_claim *pc);
/* store thread: the claim under the budget, marking what it holds back. */
int smsd_pool_claim_run(struct store *st, struct store_claim_req *req, struct smsd_pool_claim *pc,
			struct store_message **out, size_t *n_out);
/* The claim found nothing: do not ask again before @ms (loop thread). */
void smsd_pool_claim_empty(struct smsd_pool_modem *pm);

/* A part went out: counted in the store with the message. */
struct smsd_pool_sent {
	char key[96];
	char recipient[48];
	int64_t day_start, month_start, at;
	bool first_part, new_recipient;
};
void smsd_pool_sent_prepare(struct smsd_pool_modem *pm, const char *recipient, int seq,
			    struct smsd_pool_sent *ps);
int smsd_pool_sent_run(struct store *st, struct smsd_pool_sent *ps);
void smsd_pool_sent_done(struct smsd_pool_modem *pm, const struct smsd_pool_sent *ps);

/* Outcome of a send attempt without a modem-level cause: ok resets, failures count toward
 * block_after (then `cooling`).
 *
 * Cooling: after `cooling` (1m, doubling to 1h) a light probe (SIM, signal, registration)
 * runs; when it passes, the modem may take one message as a trial: its acceptance by the
 * network is what proves sending works again (a bare AT or status probe does not: a SIM
 * refused with +CMS ERROR 42 answers them all). A trial that is refused sent nothing; the
 * message returns to the queue at once without counting an attempt, and the delay doubles.
 * smsd_pool_send_failed() @return true when the modem was cooling (a trial or a send
 * already under way): the failure is the modem's, not the message's. */
void smsd_pool_send_ok(struct smsd_pool_modem *pm);
bool smsd_pool_send_failed(struct smsd_pool_modem *pm);

/* Every tick of an open modem (@m): operator requests, `no_modem` marks, and the test hook
 * SMSCTLD_SIM_FAULTS=DIR (a `sim:` modem switches the faults appended to DIR/NAME.faults as
 * lines "+fault" / "-fault"). */
void smsd_pool_tick_any(struct smsd_pool_modem *pm, struct smsctl_modem *m);

/* A diagnosis asked by the API (any thread): the modem runs it when idle and publishes it
 * (pool-diag.h). @return 0 with the modem's state name in @state, -1 when no modem has that
 * name. */
int smsd_pool_request_diagnose(const char *name, char *state, size_t size);
/* The loop: whether a diagnosis was asked (cleared by the call). */
bool smsd_pool_take_diag_request(struct smsd_pool_modem *pm);

/* The test hook (pool-testhook.c): the faults appended to $SMSCTLD_SIM_FAULTS/NAME.faults
 * since *@faults_read bytes, applied to @m when it is a sim: modem. */
void smsd_pool_sim_faults(const char *name, long long *faults_read, struct smsctl_modem *m);

/* Operator requests from the HTTP threads. */
void smsd_pool_request_enable(struct smsd_pool_modem *pm, bool enable);
/* The same by name (any thread). @return 0, or -1 when no modem has that name. */
int smsd_pool_request_by_name(const char *name, bool enable);

/* What the API shows of a modem: a copy the loop publishes after every change. */
struct smsd_pool_snapshot {
	char name[80], pool[80], state[16], reason[64], iccid[40], imei[40], operator_[64];
	bool has_signal;
	int signal_dbm;
	long long parts_today, daily_limit;
	int64_t last_send_at;
	/* ops (issue 17): for /metrics and the status page */
	int registered; /* 1 registered (home or roaming), 0 not, -1 unknown */
	long long parts_month, monthly_limit;
};
/* Copies of every modem's snapshot (any thread). @return how many; free(*out). */
size_t smsd_pool_snapshots(struct smsd_pool_snapshot **out);

#endif
