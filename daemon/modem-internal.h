/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to the modems of smsctld (modem.c: store jobs, the send state machine, the loop's
 * interface; modem-open.c: opening and health checks in a worker thread, receiving, status
 * reports). Everything here runs in the loop thread, except what a worker does between
 * modem_start_work() and modem_finish_work() (the loop leaves the handle alone meanwhile).
 */
#ifndef SMSD_MODEM_INTERNAL_H
#define SMSD_MODEM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <smsctl/smsctl.h>

#include "balance.h"	   /* issue 15: balance */
#include "pool/pool-run.h" /* issue 15 */
#include "smsctld.h"

#define REOPEN_MS	   5000
#define IDLE_POLL_MS	   2000
#define BLOCKED_RECHECK_MS 30000
#define RETRY_STORE_MS	   1000

enum mstate {
	M_GONE = 1, /* closed; reopened at reopen_at */
	M_IDLE,	    /* open, nothing in flight */
	M_BUSY,	    /* a store job or a command in flight */
	M_BLOCKED,  /* open, the health check found it unable to send */
	M_WORKING,  /* a worker thread opens or checks it (blocking calls, off the loop) */
};

/* What a worker thread does. The loop does not touch the handle while it runs. */
enum work {
	W_OPEN = 1, /* open, prepare, identity, receiver, status reports, health */
	W_CHECK,    /* health check (SIM and registration) */
	W_BALANCE,  /* balance query or an API USSD request (balance.c) */
};

struct smsd_modem {
	struct smsd *d;
	char *name, *device, *pin_file, *pool;
	struct smsctl_modem *m;
	struct smsctl_receiver *rx;
	enum mstate st;
	bool retired, logged_gone;
	int64_t reopen_at, next_claim_at, recheck_at;
	char iccid[40], imsi[40], imei[40];
	int last_mr; /* the modem's last TP-MR, -1 unknown */
	/* the claimed message being sent */
	struct store_message msg;
	bool have_msg;
	size_t part; /* index into msg.part_rows */
	int jobs;    /* store jobs in flight */
	bool cmd;    /* AT+CMGS in flight */
	size_t sim_recorded;
	bool gone_pending; /* EOF seen while busy: close once idle */
	pthread_t worker;
	enum work work;
	atomic_bool work_done;
	bool work_opened, work_ok;
	char work_reason[64];
	bool freeing;
	struct smsd_pool_modem *pl; /* issue 15: pool state, limits, health */
	struct smsd_balance *bal;   /* issue 15: balance checks, USSD (balance.c) */
	/* ops (issue 17): AT+CMGS start; root cause when blocked (the worker's, then the loop's) */
	int64_t ops_cmgs_at;
	char work_finding[48], work_severity[16];
	char ops_finding[48], ops_severity[16];
	/* submit_mode = storage (modem-storage.c): the part's slot (-1 none), the probe */
	int slot;
	int storage;  /* enum storage_state */
	int probe_mr; /* the TP-MR of the probing AT+CMSS */
};

enum storage_state { STORAGE_UNPROBED = 0, STORAGE_ON, STORAGE_DIRECT };

enum job_kind {
	J_CLAIM = 1,
	J_SENDING,
	J_SENT,
	J_REQUEUE,
	J_FAILED,
	J_UNKNOWN,
	J_RELEASE,
	J_EXPIRE,
	J_REPORT,
	J_UPSERT,
};

struct mjob {
	struct smsd_modem *mm;
	enum job_kind kind;
	char id[STORE_ID_SIZE];
	int64_t epoch, retry_at, lease;
	int seq, mr, expected_mr, attempt, status;
	int storage_index;  /* submit_mode = storage: the slot committed with `sending`, -1 none */
	bool storage_probe; /* ... as the probe of a modem not yet known to mark "STO SENT" */
	bool count_attempt;
	char code[48], class_[16], text[256], recipient[48], iccid[40];
	char modem[80], pool[80], state[16], reason[64];
	struct store_message *claimed;
	size_t n_claimed;
	bool pooled; /* issue 15: claim under the SIM's limits, count sent parts */
	struct smsd_pool_claim pclaim;
	struct smsd_pool_sent psent;
};

/* Store jobs of a modem: queued to the store thread, completed in the loop. */
struct mjob *mjob_new(struct smsd_modem *mm, enum job_kind kind);
void mjob_submit(struct smsd_modem *mm, struct mjob *j);
void mjob_set_error(struct mjob *j, const char *code, const char *class_, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Write the `modems` row (state, reason, identity, last TP-MR). */
void modem_upsert(struct smsd_modem *mm, const char *state, const char *reason);
/* SMSCTLD_SIM_RECORD: append what a sim: modem accepted to DIR/NAME.pdus. */
void modem_record_sim(struct smsd_modem *mm);
/* Close the handle; it is opened again after REOPEN_MS. */
void modem_close(struct smsd_modem *mm, const char *why);
/* Run w in a worker thread (state M_WORKING); the loop takes the result when it ends. */
void modem_start_work(struct smsd_modem *mm, enum work w);
void modem_finish_work(struct smsd_modem *mm, int64_t now);

/* modem.c: the outcome `sent` of the current part, committed (a store job). */
void modem_part_sent(struct smsd_modem *mm, int mr);
/* modem.c: commit the current part `sending` (with its slot, or -1), then submit it. */
void modem_part_sending(struct smsd_modem *mm, int storage_index);

/* modem-storage.c: submit_mode = storage (issue 14, "Evidence resolves unknown" (2)). */
bool modem_storage_active(const struct smsd_modem *mm);
/* AT+CMGW the current part, then modem_part_sending() with its slot (direct if it fails). */
void modem_storage_write(struct smsd_modem *mm);
/* AT+CMSS from mm->slot; on_submit gets the outcome. @return 0 or a negative error. */
int modem_storage_send(struct smsd_modem *mm, smsctl_submit_fn fn);
/* After `+CMSS:` on an unprobed modem: read the slot back, then modem_part_sent(). @return
 * true when it took over. */
bool modem_storage_probe(struct smsd_modem *mm, int mr);
/* modem.c: the current part's outcome is open (`unknown`, never resent automatically). */
void modem_part_unknown(struct smsd_modem *mm, enum smsctl_result res);
/* After a timeout of AT+CMSS: read the slot; "STO SENT" -> modem_part_sent(), anything else
 * -> modem_part_unknown(). @return false when the read could not start (decide now). */
bool modem_storage_ask(struct smsd_modem *mm);
/* Delete mm->slot (the outcome is committed). */
void modem_storage_delete(struct smsd_modem *mm);
/* In the worker at open: resolve this modem's parts left `sending` with a slot. */
void modem_storage_recover(struct smsd_modem *mm);
/* Test hooks (SMSCTLD_SIM_RECORD, SMSCTLD_TEST_KILL): a sim: modem's slots kept across a
 * kill -9 of the daemon, and a kill at a named point. */
void modem_sim_slots_save(struct smsd_modem *mm);
void modem_sim_slots_load(struct smsd_modem *mm);
void modem_test_kill(const char *point);

#endif
