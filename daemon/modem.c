/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One modem of smsctld: it claims messages and sends their parts (opening, health checks and
 * receiving are in modem-open.c).
 *
 * The send state machine (issue 14), per part:
 *   claim -> commit `sending` (modem, SIM, attempt, expected_mr) -> AT+CMGS (non-blocking,
 *   smsctl_sms_submit(), which reports how far the submit got) -> by the outcome:
 *     +CMGS: <mr>                            -> commit `sent` with mr, next part;
 *     error before the `>` prompt             -> not accepted: requeue (transient), or at
 *                                                once without counting when it points at the
 *                                                modem or its SIM (CONTRACTS), or failed;
 *     +CMS ERROR after the PDU                -> the network refused it: transient -> requeue
 *                                                with backoff, permanent -> failed, modem-level
 *                                                codes -> requeue at once + health check;
 *     timeout / EOF after the PDU             -> `unknown`, never sent again automatically.
 * Every store write is a job of the store thread; the modem waits for its completion (an
 * eventfd wakes the loop) before the next step, so nothing reaches the modem before the
 * store says so.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <smsctl/smsctl.h>

#include "log.h"
#include "ops.h"
#include "modem-internal.h"

static void send_next_part(struct smsd_modem *mm);

const char *smsd_modem_name(const struct smsd_modem *mm)
{
	return mm->name;
}

static int run_job(struct store *st, void *arg)
{
	struct mjob *j = arg;
	struct store_error_info e = {j->code[0] ? j->code : NULL, j->class_[0] ? j->class_ : NULL,
				     j->text[0] ? j->text : NULL};

	switch (j->kind) {
	case J_CLAIM: {
		const char *pools[1] = {j->pool};
		struct store_claim_req req = {
		    .modem = j->modem,
		    .pools = pools,
		    .n_pools = 1,
		    .sim_iccid = j->iccid[0] ? j->iccid : NULL,
		    .lease_ms = j->lease,
		    .limit = 1,
		};
		if (j->pooled) /* issue 15 */
			return smsd_pool_claim_run(st, &req, &j->pclaim, &j->claimed,
						   &j->n_claimed);
		return store_claim(st, &req, &j->claimed, &j->n_claimed);
	}
	case J_SENDING: {
		int rc = store_part_sending(st, j->id, j->epoch, j->seq, j->modem,
					    j->iccid[0] ? j->iccid : NULL, j->attempt,
					    j->expected_mr, -1);
		/* submit_mode = storage: the slot is committed with `sending`, before AT+CMSS */
		if (rc == 0 && j->storage_index >= 0)
			rc = store_part_storage_index(st, j->id, j->epoch, j->seq, j->storage_index,
						      j->storage_probe);
		return rc;
	}
	case J_SENT: {
		int rc = store_part_sent(st, j->id, j->epoch, j->seq, j->mr);
		if (rc == 0 && j->pooled && smsd_pool_sent_run(st, &j->psent) < 0) /* issue 15 */
			smsd_log(LOG_ERR, "modem %s: the SIM's counters: %s", j->modem,
				 store_errmsg(st));
		return rc;
	}
	case J_REQUEUE:
		return store_part_requeue(st, j->id, j->epoch, j->seq, &e, j->retry_at,
					  j->count_attempt);
	case J_FAILED:
		return store_part_failed(st, j->id, j->epoch, j->seq, &e);
	case J_UNKNOWN:
		return store_part_unknown(st, j->id, j->epoch, j->seq, e.code, e.text, j->retry_at);
	case J_RELEASE:
		return store_claim_release(st, j->id, j->epoch);
	case J_EXPIRE:
		return store_message_expire(st, j->id, j->epoch);
	case J_REPORT:
		return store_report_match(st, j->iccid, j->mr, j->recipient, j->status, j->lease,
					  NULL);
	case J_UPSERT: {
		struct store_modem sm = {
		    .name = j->modem,
		    .imei = j->code[0] ? j->code : NULL,
		    .iccid = j->iccid[0] ? j->iccid : NULL,
		    .imsi = j->recipient[0] ? j->recipient : NULL,
		    .state = j->state,
		    .state_reason = j->reason[0] ? j->reason : NULL,
		    .last_mr = j->mr,
		};
		return store_modem_upsert(st, &sm);
	}
	}
	return STORE_ERR_INVALID;
}

static void job_done(void *arg, int rc);

struct mjob *mjob_new(struct smsd_modem *mm, enum job_kind kind)
{
	struct mjob *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->mm = mm;
	j->kind = kind;
	j->mr = -1;
	j->storage_index = -1;
	smsd_log_bind(j->id, j->modem, j->iccid, (int)kind, j->code); /* ops: journal fields */
	snprintf(j->modem, sizeof(j->modem), "%s", mm->name);
	snprintf(j->iccid, sizeof(j->iccid), "%s", mm->iccid);
	if (mm->have_msg) {
		memcpy(j->id, mm->msg.id, sizeof(j->id));
		j->epoch = mm->msg.claim_epoch;
	}
	return j;
}

/* A job of a modem being freed (shutdown past shutdown_timeout): it still runs, but its
 * completion must not reach the modem. */
static void job_free_only(void *arg, int rc)
{
	free(arg);
}

void mjob_submit(struct smsd_modem *mm, struct mjob *j)
{
	smsd_log_unbind(); /* ops (issue 17): journal.c */
	if (j) /* ops (issue 17): per job_kind: S sent, F failure, R report, for /metrics */
		smsd_ops_job(mm->d->metrics, mm->name, mm->iccid, "...SFFF..R."[j->kind],
			     mm -> ops_cmgs_at, j -> status, j -> id, j -> class_, j -> code,
			     j -> text);
	if (!j || smsd_storeq_submit(mm->d->storeq, run_job, mm->freeing ? job_free_only : job_done,
				     j) < 0) {
		free(j);
		smsd_log(LOG_ERR, "modem %s: cannot queue a store job", mm->name);
		return;
	}
	mm->jobs++;
	if (mm->st != M_GONE && mm->st != M_BLOCKED) /* a blocked modem's upsert keeps it blocked */
		mm->st = M_BUSY;
}

void mjob_set_error(struct mjob *j, const char *code, const char *class_, const char *fmt, ...)
{
	va_list ap;

	snprintf(j->code, sizeof(j->code), "%s", code);
	snprintf(j->class_, sizeof(j->class_), "%s", class_);
	va_start(ap, fmt);
	vsnprintf(j->text, sizeof(j->text), fmt, ap);
	va_end(ap);
}

void modem_upsert(struct smsd_modem *mm, const char *state, const char *reason)
{
	struct mjob *j;

	if (mm->freeing)
		return; /* no completion may reach a freed modem */
	j = mjob_new(mm, J_UPSERT);
	if (!j)
		return;
	/* issue 15: the pool's state names (a hung modem reopened quietly stays blocked) */
	if (mm->pl && (strcmp(state, "gone") != 0 || smsd_pool_state(mm->pl) == SMSD_MS_BLOCKED))
		state = smsd_mstate_name(smsd_pool_state(mm->pl));
	snprintf(j->code, sizeof(j->code), "%s", mm->imei);
	snprintf(j->recipient, sizeof(j->recipient), "%s", mm->imsi);
	snprintf(j->state, sizeof(j->state), "%s", state);
	snprintf(j->reason, sizeof(j->reason), "%s", reason ? reason : "");
	j->mr = mm->last_mr;
	j->id[0] = '\0';
	mjob_submit(mm, j);
}

/* ---- the simulated modem's records (test hook) ---- */

/* With SMSCTLD_SIM_RECORD=DIR, what a `sim:` modem accepted is appended to DIR/NAME.pdus
 * (one hex TPDU per line), so tests see the modem's records from outside the daemon. */
void modem_record_sim(struct smsd_modem *mm)
{
	struct smsctl_sim *sim = mm->m ? smsctl_modem_get_sim(mm->m) : NULL;
	char path[4096], buf[1024];

	if (!sim || !mm->d->sim_record_dir)
		return;
	size_t n = smsctl_sim_get_sent_count(sim);
	if (n <= mm->sim_recorded)
		return;
	snprintf(path, sizeof(path), "%s/%s.pdus", mm->d->sim_record_dir, mm->name);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	for (size_t i = mm->sim_recorded; i < n; i++) {
		if (smsctl_sim_get_sent_pdu(sim, i, buf, sizeof(buf) - 1) == 0) {
			size_t len = strlen(buf);
			buf[len++] = '\n';
			if (write(fd, buf, len) != (ssize_t)len)
				break;
		}
	}
	fsync(fd);
	close(fd);
	mm->sim_recorded = n;
}

/* ---- the outcome of a submit ---- */

/* +CMS ERROR codes that point at the modem or its SIM (CONTRACTS): never fail the message,
 * never count toward max_attempts. */
static bool cms_points_at_modem(int code)
{
	return (code >= 310 && code <= 316) || (code >= 330 && code <= 332) || code == 500 ||
	       code >= 512;
}

static int64_t backoff_at(struct smsd_modem *mm, int attempts)
{
	const struct smsd_send_config *s = &mm->d->cfg->send;

	return smsd_wall_ms() + store_backoff(s->retry_initial, s->retry_max, attempts);
}

void modem_part_sent(struct smsd_modem *mm, int mr)
{
	struct store_part *p = &mm->msg.part_rows[mm->part];
	struct mjob *j;

	if (mr >= 0)
		mm->last_mr = mr;
	j = mjob_new(mm, J_SENT);
	j->seq = p->seq;
	j->mr = mr;
	j->pooled = true; /* issue 15: count the part for the SIM */
	smsd_pool_sent_prepare(mm->pl, mm->msg.recipient, p->seq, &j->psent);
	smsd_log(LOG_INFO, "modem %s: %s part %d sent (mr %d)", mm->name, mm->msg.id, p->seq, mr);
	mjob_submit(mm, j);
}

void modem_part_unknown(struct smsd_modem *mm, enum smsctl_result res)
{
	const struct smsd_send_config *s = &mm->d->cfg->send;
	struct store_part *p = &mm->msg.part_rows[mm->part];
	/* the PDU was handed over: the outcome is open, never resent automatically */
	struct mjob *j = mjob_new(mm, J_UNKNOWN);

	j->seq = p->seq;
	if (mm->msg.at_least_once || s->on_unknown == SMSD_ON_UNKNOWN_RESEND)
		j->retry_at = smsd_wall_ms();
	mjob_set_error(j, res == SMSCTL_RESULT_TIMEOUT ? "timeout" : "eof", "ambiguous",
		       res == SMSCTL_RESULT_TIMEOUT
			   ? "no answer after the PDU was handed over: it may have been sent"
			   : "the modem went away after the PDU was handed over: it may "
			     "have been sent");
	smsd_log(LOG_WARNING, "modem %s: %s part %d unknown: %s", mm->name, mm->msg.id, p->seq,
		 j->text);
	if (res == SMSCTL_RESULT_GONE)
		mm->gone_pending = true;
	else
		mm->recheck_at = 1; /* issue 15: no answer: is the modem still there? */
	mjob_submit(mm, j);
}

static void on_submit(void *userdata, const struct smsctl_submit *sub)
{
	struct smsd_modem *mm = userdata;
	const struct smsd_send_config *s = &mm->d->cfg->send;
	struct store_part *p = &mm->msg.part_rows[mm->part];
	enum smsctl_submit_outcome out = smsctl_submit_get_outcome(sub);
	enum smsctl_result res = smsctl_submit_get_result(sub);
	int code = smsctl_submit_get_error_code(sub);
	int attempts = p->attempt;
	struct mjob *j;
	char c[32];

	mm->cmd = false;
	modem_record_sim(mm);
	if (mm->slot >= 0) { /* submit_mode = storage */
		modem_sim_slots_save(mm);
		modem_test_kill("after_cmss");
	}
	if (out == SMSCTL_SUBMIT_SENT) {
		int mr = smsctl_submit_get_message_ref(sub);
		if (mm->slot >= 0 && modem_storage_probe(mm, mr))
			return;
		modem_part_sent(mm, mr);
		return;
	}
	if (out == SMSCTL_SUBMIT_UNKNOWN) {
		/* submit_mode = storage: a modem that did not answer AT+CMSS may still say what
		 * happened in its slot ("STO SENT") */
		if (mm->slot >= 0 && res == SMSCTL_RESULT_TIMEOUT && modem_storage_ask(mm))
			return;
		modem_part_unknown(mm, res);
		return;
	}
	if (out == SMSCTL_SUBMIT_REJECTED && res == SMSCTL_RESULT_CMS_ERROR) {
		/* the network (or the modem) answered after the PDU: not accepted */
		enum smsctl_retry_class cls = smsctl_cms_error_class(code);
		snprintf(c, sizeof(c), "cms.%d", code);
		if (cms_points_at_modem(code)) {
			j = mjob_new(mm, J_REQUEUE);
			j->retry_at = smsd_wall_ms();
			j->count_attempt = false;
		} else if (cls == SMSCTL_RETRY_TRANSIENT && smsd_pool_send_failed(mm->pl)) {
			/* issue 15: a cooling modem's trial: the modem's failure, not the
			 * message's (another modem takes it now) */
			j = mjob_new(mm, J_REQUEUE);
			j->retry_at = smsd_wall_ms();
			j->count_attempt = false;
		} else if (cls == SMSCTL_RETRY_TRANSIENT && attempts < s->max_attempts) {
			j = mjob_new(mm, J_REQUEUE);
			j->retry_at = backoff_at(mm, attempts);
			j->count_attempt = true; /* issue 15: counted toward block_after above */
		} else {
			j = mjob_new(mm, J_FAILED);
		}
		mjob_set_error(j, c,
			       cls == SMSCTL_RETRY_PERMANENT && !cms_points_at_modem(code)
				   ? "permanent"
				   : "transient",
			       "%s", smsctl_cms_error_describe(code));
		j->seq = p->seq;
		smsd_log(LOG_WARNING, "modem %s: %s part %d: %s (%s)", mm->name, mm->msg.id, p->seq,
			 smsctl_submit_get_final(sub), j->kind == J_FAILED ? "failed" : "requeued");
		if (!j->count_attempt && j->kind == J_REQUEUE)
			mm->recheck_at = 1; /* health check once idle */
		mjob_submit(mm, j);
		return;
	}
	/* not accepted: an error, a timeout or EOF before the prompt, the handle closed, or a
	 * CME/bare error after the PDU (the modem refused it) */
	j = mjob_new(mm, J_REQUEUE);
	j->seq = p->seq;
	j->retry_at = smsd_wall_ms();
	j->count_attempt = false;
	if (res == SMSCTL_RESULT_CME_ERROR) {
		snprintf(c, sizeof(c), "cme.%d", code);
		mjob_set_error(j, c, "transient", "%s", smsctl_cme_error_describe(code));
	} else if (res == SMSCTL_RESULT_TIMEOUT) {
		mjob_set_error(j, "timeout", "transient", "no prompt from the modem");
	} else if (res == SMSCTL_RESULT_GONE || res == SMSCTL_RESULT_CANCELLED) {
		mjob_set_error(j, "eof", "transient", "the modem went away before the prompt");
		mm->gone_pending = true;
	} else if (res == SMSCTL_RESULT_CMS_ERROR) {
		snprintf(c, sizeof(c), "cms.%d", code);
		mjob_set_error(j, c, "transient", "%s", smsctl_cms_error_describe(code));
		if (!cms_points_at_modem(code) && !smsd_pool_send_failed(mm->pl)) {
			/* refused before the prompt, the modem is fine: counts as an attempt
			 * (issue 15: unless it was a cooling modem's trial) */
			j->count_attempt = true;
			j->retry_at = backoff_at(mm, attempts);
			if (attempts >= s->max_attempts)
				j->kind = J_FAILED;
		}
	} else {
		mjob_set_error(j, "error", "transient", "the modem refused the command: %s",
			       smsctl_submit_get_final(sub));
	}
	if (!j->count_attempt)
		mm->recheck_at = 1;
	smsd_log(LOG_WARNING, "modem %s: %s part %d not accepted: %s", mm->name, mm->msg.id, p->seq,
		 j->text);
	mjob_submit(mm, j);
}

/* Hex SMSC-prefixed PDU -> the TPDU length AT+CMGS wants, -1 when malformed. */
static int tpdu_length(const char *hex)
{
	size_t n = strlen(hex);
	unsigned smsc;

	if (n < 2 || n % 2 || sscanf(hex, "%2x", &smsc) != 1 || n / 2 < 1 + smsc + 1)
		return -1;
	return (int)(n / 2 - 1 - smsc);
}

static void finish_message(struct smsd_modem *mm)
{
	store_message_clear(&mm->msg);
	mm->have_msg = false;
	mm->part = 0;
}

static void send_next_part(struct smsd_modem *mm)
{
	struct store_message *msg = &mm->msg;
	struct mjob *j;

	while (mm->part < msg->n_part_rows && msg->part_rows[mm->part].state == STORE_PART_SENT)
		mm->part++;
	if (mm->part >= msg->n_part_rows) {
		finish_message(mm);
		mm->st = M_IDLE;
		mm->next_claim_at = 0;
		return;
	}
	bool started = false;
	for (size_t i = 0; i < msg->n_part_rows; i++)
		started |= msg->part_rows[i].state != STORE_PART_QUEUED;
	if (mm->d->stopping || mm->st == M_GONE || !mm->m) {
		j = mjob_new(mm, J_RELEASE);
		mjob_submit(mm, j);
		return;
	}
	if (!started && msg->expires_at > 0 && msg->expires_at <= smsd_wall_ms()) {
		mjob_submit(mm, mjob_new(mm, J_EXPIRE));
		return;
	}
	struct store_part *p = &msg->part_rows[mm->part];
	if (tpdu_length(p->pdu) < 0) {
		j = mjob_new(mm, J_FAILED);
		j->seq = p->seq;
		mjob_set_error(j, "bad_pdu", "permanent", "the stored PDU is malformed");
		mjob_submit(mm, j);
		return;
	}
	if (modem_storage_active(mm)) {
		modem_storage_write(mm); /* AT+CMGW first, then `sending` with the slot */
		return;
	}
	modem_part_sending(mm, -1);
}

void modem_part_sending(struct smsd_modem *mm, int storage_index)
{
	struct store_part *p = &mm->msg.part_rows[mm->part];
	struct mjob *j = mjob_new(mm, J_SENDING);

	if (!j)
		return;
	j->seq = p->seq;
	j->attempt = p->attempt + 1;
	j->expected_mr = mm->last_mr >= 0 ? (mm->last_mr + 1) % 256 : -1;
	j->storage_index = storage_index;
	j->storage_probe = storage_index >= 0 && mm->storage == STORAGE_UNPROBED;
	mm->slot = storage_index;
	mjob_submit(mm, j);
}

static void start_cmgs(struct smsd_modem *mm)
{
	struct store_part *p = &mm->msg.part_rows[mm->part];
	int rc;

	p->attempt++;
	mm->ops_cmgs_at = smsd_mono_ms(); /* ops (issue 17) */
	if (mm->slot >= 0) {		  /* submit_mode = storage: the slot is committed */
		modem_test_kill("before_cmss");
		rc = modem_storage_send(mm, on_submit);
	} else {
		rc = smsctl_sms_submit(mm->m, p->pdu, 0, on_submit, mm);
	}
	if (rc < 0) {
		/* nothing written: not accepted, back to the queue at once */
		struct mjob *j = mjob_new(mm, J_REQUEUE);
		j->seq = p->seq;
		j->retry_at = smsd_wall_ms();
		mjob_set_error(j, "io", "transient", "the command could not be queued: %s",
			       smsctl_strerror(rc));
		mjob_submit(mm, j);
		return;
	}
	mm->cmd = true;
	mm->st = M_BUSY;
}

static void job_done(void *arg, int rc)
{
	struct mjob *j = arg;
	struct smsd_modem *mm = j->mm;

	mm->jobs--;
	if (mm->st != M_GONE && mm->st != M_BLOCKED)
		mm->st = M_IDLE;
	switch (j->kind) {
	case J_CLAIM:
		if (rc < 0 || j->n_claimed == 0) {
			if (rc >= 0)
				smsd_pool_claim_empty(mm->pl); /* issue 15 */
			store_message_free_array(j->claimed, j->n_claimed);
			mm->next_claim_at =
			    smsd_mono_ms() + (rc < 0 ? RETRY_STORE_MS : IDLE_POLL_MS);
			break;
		}
		mm->msg = j->claimed[0];
		memset(&j->claimed[0], 0, sizeof(j->claimed[0]));
		store_message_free_array(j->claimed, j->n_claimed);
		mm->have_msg = true;
		mm->part = 0;
		mm->st = M_BUSY;
		send_next_part(mm);
		break;
	case J_SENDING:
		if (rc < 0) {
			/* fenced (lost the message) or the store is down: send nothing */
			smsd_log(LOG_WARNING, "modem %s: %s not sent: %s", mm->name, j->id,
				 store_strerror(rc));
			mm->slot = -1;
			finish_message(mm);
			mm->next_claim_at = smsd_mono_ms() + RETRY_STORE_MS;
			break;
		}
		if (!mm->m || mm->st == M_GONE || mm->gone_pending) {
			/* committed `sending` but the modem went away: nothing was written */
			struct mjob *r = mjob_new(mm, J_REQUEUE);
			r->seq = j->seq;
			r->retry_at = smsd_wall_ms();
			mjob_set_error(r, "eof", "transient",
				       "the modem went away before the command");
			mjob_submit(mm, r);
			break;
		}
		start_cmgs(mm);
		break;
	case J_SENT:
		if (rc == 0)
			modem_storage_delete(mm); /* the outcome is committed */
		mm->slot = -1;
		if (rc < 0) {
			smsd_log(LOG_ERR, "modem %s: %s part %d sent but not recorded: %s",
				 mm->name, j->id, j->seq, store_strerror(rc));
			finish_message(mm);
			break;
		}
		mm->msg.part_rows[mm->part].state = STORE_PART_SENT;
		if (j->pooled) /* issue 15 */
			smsd_pool_sent_done(mm->pl, &j->psent);
		mm->st = M_BUSY;
		send_next_part(mm);
		break;
	case J_REQUEUE:
	case J_FAILED:
	case J_UNKNOWN:
	case J_RELEASE:
	case J_EXPIRE:
		if (rc == 0)
			modem_storage_delete(mm);
		mm->slot = -1;
		if (rc < 0 && rc != STORE_ERR_FENCED)
			smsd_log(LOG_ERR, "modem %s: %s: store: %s", mm->name, j->id,
				 store_strerror(rc));
		finish_message(mm);
		mm->next_claim_at = 0;
		/* a failure that pointed at this modem: the message goes to another modem at
		 * once, this one pauses (issue 15's cooling refines this) */
		if (j->kind == J_REQUEUE && !j->count_attempt)
			mm->next_claim_at = smsd_mono_ms() + mm->d->cfg->send.retry_initial;
		break;
	case J_REPORT:
	case J_UPSERT:
		if (mm->have_msg || mm->cmd || mm->jobs)
			mm->st = mm->st == M_GONE ? M_GONE : M_BUSY;
		break;
	}
	if (mm->gone_pending && !mm->cmd && mm->jobs == 0 && !mm->have_msg)
		modem_close(mm, "the modem went away");
	free(j);
}

/* ---- the loop's interface ---- */

struct smsd_modem *smsd_modem_new(struct smsd *d, const struct smsd_modem_config *mc)
{
	struct smsd_modem *mm = calloc(1, sizeof(*mm));

	if (!mm)
		return NULL;
	mm->d = d;
	mm->name = strdup(mc->name);
	mm->device = strdup(mc->device);
	mm->pool = strdup(mc->pool ? mc->pool : "default");
	mm->pin_file = mc->pin_file ? strdup(mc->pin_file) : NULL;
	mm->st = M_GONE;
	mm->last_mr = -1;
	mm->recheck_at = -1;
	mm->slot = -1;
	mm->pl = smsd_pool_modem_new(d, mc);		  /* issue 15 */
	mm->bal = smsd_balance_new(d, mc->name, &mc->pc); /* issue 15: balance */
	if (!mm->name || !mm->device || !mm->pool || !mm->pl || !mm->bal ||
	    (mc->pin_file && !mm->pin_file)) {
		smsd_modem_free(mm);
		return NULL;
	}
	return mm;
}

void smsd_modem_free(struct smsd_modem *mm)
{
	if (!mm)
		return;
	mm->freeing = true;
	if (mm->st == M_WORKING) {
		if (!pthread_equal(mm->worker, pthread_self()))
			pthread_join(mm->worker, NULL);
		mm->st = M_IDLE;
	}
	if (mm->m && smsctl_modem_get_fd(mm->m) >= 0)
		modem_close(mm, "stopped");
	smsctl_modem_free(mm->m);
	store_message_clear(&mm->msg);
	free(mm->name);
	free(mm->device);
	free(mm->pool);
	free(mm->pin_file);
	smsd_pool_modem_free(mm->pl); /* issue 15 */
	smsd_balance_free(mm->bal);   /* issue 15: balance */
	free(mm);
}

static void claim(struct smsd_modem *mm)
{
	struct mjob *j = mjob_new(mm, J_CLAIM);

	if (!j)
		return;
	j->id[0] = '\0';
	snprintf(j->pool, sizeof(j->pool), "%s", mm->pool);
	j->lease = mm->d->cfg->store.lease;
	j->pooled = true; /* issue 15: the SIM's budget, fallback pools */
	smsd_pool_claim_prepare(mm->pl, mm->pool, &j->pclaim);
	mjob_submit(mm, j);
}

void smsd_modem_tick(struct smsd_modem *mm, int64_t now)
{
	struct smsd *d = mm->d;

	if (mm->st == M_WORKING) {
		if (atomic_load(&mm->work_done))
			modem_finish_work(mm, now);
		return;
	}
	if (mm->st == M_GONE) {
		if (!mm->retired && !d->stopping && mm->jobs == 0 && now >= mm->reopen_at)
			modem_start_work(mm, W_OPEN);
		return;
	}
	smsd_pool_tick_any(mm->pl, mm->m); /* issue 15: enable/disable, no_modem marks */
	modem_record_sim(mm);
	if (mm->rx) {
		int rt = smsctl_receiver_get_timeout(mm->rx);
		if (rt == 0)
			smsd_modem_process(mm);
	}
	/* issue 15: a diagnosis asked through the API, between sends */
	if ((mm->st == M_BLOCKED || (mm->st == M_IDLE && smsd_modem_is_idle(mm))) &&
	    mm->jobs == 0 && !d->stopping && smsd_pool_take_diag_request(mm->pl))
		mm->recheck_at = mm->st == M_BLOCKED ? now : 1;
	if (mm->st == M_BLOCKED && now >= mm->recheck_at && mm->jobs == 0 && !d->stopping) {
		mm->recheck_at = -3; /* was blocked */
		modem_start_work(mm, W_CHECK);
		return;
	}
	if (mm->st != M_IDLE)
		return;
	if (mm->recheck_at == 1 && !d->stopping) {
		/* a failure that pointed at the modem: check it before the next message */
		mm->recheck_at = -2; /* was ready */
		modem_start_work(mm, W_CHECK);
		return;
	}
	if (!mm->retired && !d->stopping && mm->jobs == 0 && smsd_balance_wants_work(mm->bal)) {
		modem_start_work(mm, W_BALANCE); /* issue 15: balance, between sends */
		return;
	}
	if (mm->retired || d->stopping || now < mm->next_claim_at)
		return;
	int64_t retry_in; /* issue 15: health, limits, the choice among the pool's modems */
	if (!smsd_pool_before_claim(mm->pl, mm->m, &retry_in)) {
		if (retry_in < 0) /* a change: the full diagnosis in the worker */
			mm->recheck_at = 1;
		mm->next_claim_at = now + (retry_in < 0 ? 0 : retry_in);
		return;
	}
	claim(mm);
}

int smsd_modem_get_fd(const struct smsd_modem *mm)
{
	return mm->m && mm->st != M_GONE && mm->st != M_WORKING ? smsctl_modem_get_fd(mm->m) : -1;
}

int smsd_modem_get_timeout(const struct smsd_modem *mm, int64_t now)
{
	int64_t t = -1;

	if (mm->st == M_WORKING)
		return -1; /* the worker wakes the loop */
	if (mm->st == M_GONE)
		t = mm->reopen_at > now ? mm->reopen_at - now : 0;
	else if (mm->st == M_IDLE)
		t = mm->next_claim_at > now ? mm->next_claim_at - now : 0;
	else if (mm->st == M_BLOCKED)
		t = mm->recheck_at > now ? mm->recheck_at - now : 0;
	if (mm->rx && mm->st != M_GONE) {
		int rt = smsctl_receiver_get_timeout(mm->rx);
		if (rt >= 0 && (t < 0 || rt < t))
			t = rt;
	} else if (mm->m && mm->st != M_GONE) {
		int mt = smsctl_modem_get_timeout(mm->m);
		if (mt >= 0 && (t < 0 || mt < t))
			t = mt;
	}
	return t > 60000 ? 60000 : (int)t;
}

void smsd_modem_process(struct smsd_modem *mm)
{
	int rc;

	if (!mm->m || mm->st == M_GONE || mm->st == M_WORKING)
		return;
	rc = mm->rx ? smsctl_receiver_process(mm->rx) : smsctl_modem_process(mm->m);
	if (rc == SMSCTL_ERR_GONE || rc == SMSCTL_ERR_IO) {
		mm->gone_pending = true;
		if (!mm->cmd && mm->jobs == 0 && !mm->have_msg)
			modem_close(mm, "the modem went away (EOF/EIO)");
	}
}

void smsd_modem_poke(struct smsd_modem *mm)
{
	mm->next_claim_at = 0;
}

const char *smsd_modem_present_iccid(const struct smsd_modem *mm)
{
	if (mm->st == M_GONE || mm->st == M_WORKING || !mm->iccid[0])
		return NULL;
	return mm->iccid;
}

bool smsd_modem_is_idle(const struct smsd_modem *mm)
{
	return !mm->cmd && mm->jobs == 0 && !mm->have_msg;
}

bool smsd_modem_is_ready(const struct smsd_modem *mm)
{
	return (mm->st == M_IDLE || mm->st == M_BUSY) &&
	       smsd_mstate_can_send(smsd_pool_state(mm->pl)); /* issue 15: ready or degraded */
}

struct smsd_pool_modem *smsd_modem_get_pool(const struct smsd_modem *mm)
{
	return mm->pl;
}

bool smsd_modem_same_config(const struct smsd_modem *mm, const struct smsd_modem_config *mc)
{
	return strcmp(mm->device, mc->device) == 0 && strcmp(mm->pool, mc->pool) == 0 &&
	       ((!mm->pin_file && !mc->pin_file) ||
		(mm->pin_file && mc->pin_file && strcmp(mm->pin_file, mc->pin_file) == 0));
}

void smsd_modem_retire(struct smsd_modem *mm)
{
	mm->retired = true;
}

bool smsd_modem_is_retired(const struct smsd_modem *mm)
{
	return mm->retired;
}
