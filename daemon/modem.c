/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One modem of smsctld: opened, initialised, kept open, reopened every 5 s when it went away
 * or does not exist yet; it claims messages, sends their parts and receives.
 *
 * The send state machine (issue 14), per part:
 *   claim -> commit `sending` (modem, SIM, attempt, expected_mr) -> AT+CMGS (non-blocking,
 *   smsctl_modem_send() with the PDU) -> by the outcome:
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
	char work_finding[48], work_severity[16]; /* ops (issue 17): the worker's root cause */
	bool freeing;
	int64_t ops_cmgs_at; /* ops (issue 17): AT+CMGS start, the root cause when blocked */
	char ops_finding[48], ops_severity[16];
};

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
	bool count_attempt;
	char code[48], class_[16], text[256], recipient[48], iccid[40];
	char modem[80], pool[80], state[16], reason[64];
	struct store_message *claimed;
	size_t n_claimed;
};

static void send_next_part(struct smsd_modem *mm);
static void modem_close(struct smsd_modem *mm, const char *why);

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
		return store_claim(st, &req, &j->claimed, &j->n_claimed);
	}
	case J_SENDING:
		return store_part_sending(st, j->id, j->epoch, j->seq, j->modem,
					  j->iccid[0] ? j->iccid : NULL, j->attempt, j->expected_mr,
					  -1);
	case J_SENT:
		return store_part_sent(st, j->id, j->epoch, j->seq, j->mr);
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

static struct mjob *job_new(struct smsd_modem *mm, enum job_kind kind)
{
	struct mjob *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->mm = mm;
	j->kind = kind;
	smsd_log_bind(j->id, j->modem, j->iccid, (int)kind, j->code); /* ops: journal fields */
	j->mr = -1;
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

static void job_submit(struct smsd_modem *mm, struct mjob *j)
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

static void set_error(struct mjob *j, const char *code, const char *class_, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void set_error(struct mjob *j, const char *code, const char *class_, const char *fmt, ...)
{
	va_list ap;

	snprintf(j->code, sizeof(j->code), "%s", code);
	snprintf(j->class_, sizeof(j->class_), "%s", class_);
	va_start(ap, fmt);
	vsnprintf(j->text, sizeof(j->text), fmt, ap);
	va_end(ap);
}

static void upsert(struct smsd_modem *mm, const char *state, const char *reason)
{
	struct mjob *j;

	if (mm->freeing)
		return; /* no completion may reach a freed modem */
	j = job_new(mm, J_UPSERT);
	if (!j)
		return;
	snprintf(j->code, sizeof(j->code), "%s", mm->imei);
	snprintf(j->recipient, sizeof(j->recipient), "%s", mm->imsi);
	snprintf(j->state, sizeof(j->state), "%s", state);
	snprintf(j->reason, sizeof(j->reason), "%s", reason ? reason : "");
	j->mr = mm->last_mr;
	j->id[0] = '\0';
	job_submit(mm, j);
}

/* ---- the simulated modem's records (test hook) ---- */

/* With SMSCTLD_SIM_RECORD=DIR, what a `sim:` modem accepted is appended to DIR/NAME.pdus
 * (one hex TPDU per line), so tests see the modem's records from outside the daemon. */
static void record_sim(struct smsd_modem *mm)
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

/* ---- outcome of AT+CMGS ---- */

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

static void on_cmgs(void *userdata, const struct smsctl_response *resp)
{
	struct smsd_modem *mm = userdata;
	const struct smsd_send_config *s = &mm->d->cfg->send;
	struct store_part *p = &mm->msg.part_rows[mm->part];
	enum smsctl_result res = smsctl_response_get_result(resp);
	bool prompt = smsctl_response_get_prompt_seen(resp);
	int code = smsctl_response_get_error_code(resp);
	int attempts = p->attempt;
	struct mjob *j;

	mm->cmd = false;
	record_sim(mm);
	if (res == SMSCTL_RESULT_OK) {
		int mr = -1;
		for (size_t i = 0; i < smsctl_response_get_line_count(resp); i++) {
			const char *l = smsctl_response_get_line(resp, i);
			if (strncmp(l, "+CMGS:", 6) == 0) {
				char *end;
				long v = strtol(l + 6, &end, 10);
				if (end != l + 6 && v >= 0 && v <= 255)
					mr = (int)v;
			}
		}
		if (mr >= 0)
			mm->last_mr = mr;
		j = job_new(mm, J_SENT);
		j->seq = p->seq;
		j->mr = mr;
		smsd_log(LOG_INFO, "modem %s: %s part %d sent (mr %d)", mm->name, mm->msg.id,
			 p->seq, mr);
		job_submit(mm, j);
		return;
	}
	if ((res == SMSCTL_RESULT_TIMEOUT || res == SMSCTL_RESULT_GONE ||
	     res == SMSCTL_RESULT_CANCELLED) &&
	    prompt) {
		/* the PDU was handed over: the outcome is open, never resent automatically */
		j = job_new(mm, J_UNKNOWN);
		j->seq = p->seq;
		if (mm->msg.at_least_once || s->on_unknown == SMSD_ON_UNKNOWN_RESEND)
			j->retry_at = smsd_wall_ms();
		set_error(j, res == SMSCTL_RESULT_TIMEOUT ? "timeout" : "eof", "ambiguous",
			  res == SMSCTL_RESULT_TIMEOUT
			      ? "no answer after the PDU was handed over: it may have been sent"
			      : "the modem went away after the PDU was handed over: it may "
				"have been sent");
		smsd_log(LOG_WARNING, "modem %s: %s part %d unknown: %s", mm->name, mm->msg.id,
			 p->seq, j->text);
		job_submit(mm, j);
		if (res == SMSCTL_RESULT_GONE)
			mm->gone_pending = true;
		return;
	}
	if (res == SMSCTL_RESULT_CMS_ERROR && prompt) {
		enum smsctl_retry_class cls = smsctl_cms_error_class(code);
		char c[32];
		snprintf(c, sizeof(c), "cms.%d", code);
		if (cms_points_at_modem(code)) {
			j = job_new(mm, J_REQUEUE);
			j->retry_at = smsd_wall_ms();
			j->count_attempt = false;
			mm->recheck_at = 0;
			mm->st = M_BUSY;
		} else if (cls == SMSCTL_RETRY_TRANSIENT && attempts < s->max_attempts) {
			j = job_new(mm, J_REQUEUE);
			j->retry_at = backoff_at(mm, attempts);
			j->count_attempt = true;
		} else {
			j = job_new(mm, J_FAILED);
		}
		set_error(j, c,
			  cls == SMSCTL_RETRY_PERMANENT && !cms_points_at_modem(code) ? "permanent"
										      : "transient",
			  "%s", smsctl_cms_error_describe(code));
		j->seq = p->seq;
		smsd_log(LOG_WARNING, "modem %s: %s part %d: %s (%s)", mm->name, mm->msg.id, p->seq,
			 smsctl_response_get_final(resp),
			 j->kind == J_FAILED ? "failed" : "requeued");
		if (!j->count_attempt && j->kind == J_REQUEUE)
			mm->recheck_at = 1; /* health check once idle */
		job_submit(mm, j);
		return;
	}
	/* not accepted: an error, a timeout or EOF before the prompt, or the handle closed */
	j = job_new(mm, J_REQUEUE);
	j->seq = p->seq;
	j->retry_at = smsd_wall_ms();
	j->count_attempt = false;
	if (res == SMSCTL_RESULT_CME_ERROR) {
		char c[32];
		snprintf(c, sizeof(c), "cme.%d", code);
		set_error(j, c, "transient", "%s", smsctl_cme_error_describe(code));
	} else if (res == SMSCTL_RESULT_TIMEOUT) {
		set_error(j, "timeout", "transient", "no prompt from the modem");
	} else if (res == SMSCTL_RESULT_GONE || res == SMSCTL_RESULT_CANCELLED) {
		set_error(j, "eof", "transient", "the modem went away before the prompt");
		mm->gone_pending = true;
	} else if (res == SMSCTL_RESULT_CMS_ERROR) {
		char c[32];
		snprintf(c, sizeof(c), "cms.%d", code);
		set_error(j, c, "transient", "%s", smsctl_cms_error_describe(code));
		if (!cms_points_at_modem(code)) {
			/* refused before the prompt, the modem is fine: counts as an attempt */
			j->count_attempt = true;
			j->retry_at = backoff_at(mm, attempts);
			if (attempts >= s->max_attempts)
				j->kind = J_FAILED;
		}
	} else {
		set_error(j, "error", "transient", "the modem refused the command: %s",
			  smsctl_response_get_final(resp));
	}
	if (!j->count_attempt)
		mm->recheck_at = 1;
	smsd_log(LOG_WARNING, "modem %s: %s part %d not accepted: %s", mm->name, mm->msg.id, p->seq,
		 j->text);
	job_submit(mm, j);
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
		j = job_new(mm, J_RELEASE);
		job_submit(mm, j);
		return;
	}
	if (!started && msg->expires_at > 0 && msg->expires_at <= smsd_wall_ms()) {
		job_submit(mm, job_new(mm, J_EXPIRE));
		return;
	}
	struct store_part *p = &msg->part_rows[mm->part];
	if (tpdu_length(p->pdu) < 0) {
		j = job_new(mm, J_FAILED);
		j->seq = p->seq;
		set_error(j, "bad_pdu", "permanent", "the stored PDU is malformed");
		job_submit(mm, j);
		return;
	}
	j = job_new(mm, J_SENDING);
	j->seq = p->seq;
	j->attempt = p->attempt + 1;
	j->expected_mr = mm->last_mr >= 0 ? (mm->last_mr + 1) % 256 : -1;
	job_submit(mm, j);
}

static void start_cmgs(struct smsd_modem *mm)
{
	struct store_part *p = &mm->msg.part_rows[mm->part];
	char cmd[32];
	int rc;

	p->attempt++;
	mm->ops_cmgs_at = smsd_mono_ms(); /* ops (issue 17) */
	snprintf(cmd, sizeof(cmd), "AT+CMGS=%d", tpdu_length(p->pdu));
	rc = smsctl_modem_send(mm->m, cmd, p->pdu, 0, on_cmgs, mm);
	if (rc < 0) {
		/* nothing written: not accepted, back to the queue at once */
		struct mjob *j = job_new(mm, J_REQUEUE);
		j->seq = p->seq;
		j->retry_at = smsd_wall_ms();
		set_error(j, "io", "transient", "the command could not be queued: %s",
			  smsctl_strerror(rc));
		job_submit(mm, j);
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
			finish_message(mm);
			mm->next_claim_at = smsd_mono_ms() + RETRY_STORE_MS;
			break;
		}
		if (!mm->m || mm->st == M_GONE || mm->gone_pending) {
			/* committed `sending` but the modem went away: nothing was written */
			struct mjob *r = job_new(mm, J_REQUEUE);
			r->seq = j->seq;
			r->retry_at = smsd_wall_ms();
			set_error(r, "eof", "transient", "the modem went away before the command");
			job_submit(mm, r);
			break;
		}
		start_cmgs(mm);
		break;
	case J_SENT:
		if (rc < 0) {
			smsd_log(LOG_ERR, "modem %s: %s part %d sent but not recorded: %s",
				 mm->name, j->id, j->seq, store_strerror(rc));
			finish_message(mm);
			break;
		}
		mm->msg.part_rows[mm->part].state = STORE_PART_SENT;
		mm->st = M_BUSY;
		send_next_part(mm);
		break;
	case J_REQUEUE:
	case J_FAILED:
	case J_UNKNOWN:
	case J_RELEASE:
	case J_EXPIRE:
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

/* ---- receiving ---- */

struct inbox_job {
	struct store_inbox in;
	bool duplicate;
};

static int run_inbox(struct store *st, void *arg)
{
	struct inbox_job *ij = arg;

	return store_inbox_insert(st, &ij->in, &ij->duplicate);
}

static int64_t parse_ts(const char *s)
{
	struct tm tm = {0};
	int off_h = 0, off_m = 0;
	char sign = '+';

	if (!s ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &sign, &off_h, &off_m) < 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	int64_t t = (int64_t)timegm(&tm);
	int64_t off = (off_h * 3600 + off_m * 60) * (sign == '-' ? -1 : 1);
	return (t - off) * 1000;
}

/* The library hands a message over: commit it to the inbox before saying yes (it is
 * deleted from the modem only after that). */
static int on_received(void *userdata, const struct smsctl_received *r)
{
	struct smsd_modem *mm = userdata;
	const struct smsctl_message *msg = smsctl_received_get_message(r);
	const struct smsctl_pdu *p0 = smsctl_message_get_part(msg, 0);
	struct inbox_job ij = {0};
	unsigned ref = 0, total = 1, seq = 0;
	char key[512];
	const char *coding = "gsm7";

	if (!p0)
		return -1;
	smsctl_pdu_get_concat(p0, &ref, &total, &seq);
	switch (smsctl_pdu_get_coding(p0)) {
	case SMSCTL_CODING_UCS2:
		coding = "ucs2";
		break;
	case SMSCTL_CODING_8BIT:
		coding = "8bit";
		break;
	default:
		break;
	}
	const char *ts = smsctl_pdu_get_timestamp(p0);
	snprintf(key, sizeof(key), "%s|%s|%s|%u|%u", mm->imsi[0] ? mm->imsi : mm->name,
		 smsctl_message_get_number(msg), ts ? ts : "", ref, smsctl_message_get_total(msg));
	ij.in.modem = mm->name;
	ij.in.sim_iccid = mm->iccid[0] ? mm->iccid : NULL;
	ij.in.sender = smsctl_message_get_number(msg);
	ij.in.text = smsctl_message_get_text(msg) ? smsctl_message_get_text(msg) : "";
	ij.in.coding = coding;
	ij.in.smsc = smsctl_pdu_get_smsc(p0);
	ij.in.sc_timestamp = parse_ts(ts);
	ij.in.parts = (int)smsctl_message_get_total(msg);
	ij.in.complete = smsctl_received_is_complete(r);
	ij.in.class_ = smsctl_pdu_get_class(p0);
	ij.in.dedupe_key = key;
	int rc = smsd_storeq_call(mm->d->storeq, run_inbox, &ij);
	if (rc < 0) {
		smsd_log(LOG_ERR, "modem %s: a received SMS stays on the modem: store: %s",
			 mm->name, store_strerror(rc));
		return -1;
	}
	smsd_metrics_received(mm->d->metrics, ij.duplicate ? NULL : mm->name); /* ops */
	smsd_log(LOG_INFO, "modem %s: received %s%s", mm->name, ij.in.id,
		 ij.duplicate ? " (already stored)" : "");
	return 0;
}

/* +CDS: a status report in the indication. */
static void on_cds(void *userdata, const char *line, const char *pdu)
{
	struct smsd_modem *mm = userdata;
	struct smsctl_pdu *p = NULL;

	if (!pdu)
		return;
	if (smsctl_pdu_decode_hex(pdu, true, &p, NULL) < 0 ||
	    smsctl_pdu_get_type(p) != SMSCTL_PDU_STATUS_REPORT) {
		smsctl_pdu_free(p);
		p = NULL;
		if (smsctl_pdu_decode_hex(pdu, false, &p, NULL) < 0 ||
		    smsctl_pdu_get_type(p) != SMSCTL_PDU_STATUS_REPORT) {
			smsctl_pdu_free(p);
			return;
		}
	}
	struct mjob *j = job_new(mm, J_REPORT);
	if (j) {
		j->id[0] = '\0';
		j->mr = smsctl_pdu_get_message_ref(p);
		j->status = smsctl_pdu_get_status(p);
		j->lease = mm->d->cfg->send.report_wait;
		snprintf(j->recipient, sizeof(j->recipient), "%s", smsctl_pdu_get_number(p));
		job_submit(mm, j);
	}
	smsctl_pdu_free(p);
}

/* ---- open, close, health ---- */

static void modem_close(struct smsd_modem *mm, const char *why)
{
	record_sim(mm);
	smsctl_receiver_free(mm->rx);
	mm->rx = NULL;
	if (mm->m)
		smsctl_modem_close(mm->m);
	mm->gone_pending = false;
	mm->sim_recorded = 0;
	if (mm->freeing)
		smsd_log(LOG_INFO, "modem %s: closed", mm->name);
	else if (mm->st != M_GONE)
		smsd_log(LOG_WARNING, "modem %s: closed: %s; reopening every %d s", mm->name, why,
			 REOPEN_MS / 1000);
	mm->st = M_GONE;
	mm->reopen_at = smsd_mono_ms() + REOPEN_MS;
	upsert(mm, "gone", why);
}

static int read_pin(const char *path, char *pin, size_t size)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(pin, (int)size, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	pin[strcspn(pin, "\r\n \t")] = '\0';
	return pin[0] ? 0 : -1;
}

/* Whether the SIM is ready and the modem registered: else it is blocked (issue 15 adds the
 * full diagnosis). */
static bool health_ok(struct smsd_modem *mm, char *reason, size_t size)
{
	struct smsctl_status *st = NULL;
	int rc = smsctl_status_read(mm->m, &st);

	if (rc < 0) {
		snprintf(reason, size, "%s", smsctl_error_name(rc));
		return rc != SMSCTL_ERR_TIMEOUT && rc != SMSCTL_ERR_GONE;
	}
	bool ok = true;
	if (smsctl_status_get_sim_state(st) != SMSCTL_SIM_STATE_READY) {
		snprintf(reason, size, "sim");
		ok = false;
	} else {
		int reg = smsctl_status_get_registration(st, SMSCTL_REG_CS);
		if (reg >= 0 && reg != 1 && reg != 5) {
			snprintf(reason, size, "net.not_registered");
			ok = false;
		}
	}
	smsctl_status_free(st);
	return ok;
}

struct last_mr_job {
	const char *name;
	int mr;
};

static int run_last_mr(struct store *st, void *arg)
{
	struct last_mr_job *lj = arg;

	lj->mr = store_modem_last_mr(st, lj->name);
	return 0;
}

/* The blocking part of opening, in a worker thread: nothing here touches the loop's state
 * (no store jobs, only smsd_storeq_call()). */
static void open_blocking(struct smsd_modem *mm)
{
	struct smsctl_info *info = NULL;
	char pin[32] = "";
	int rc;

	mm->work_opened = false;
	mm->work_ok = false;
	mm->work_reason[0] = '\0';
	if (!mm->m && smsctl_modem_new(mm->device, NULL, &mm->m) < 0) {
		smsd_log(LOG_ERR, "modem %s: bad device '%s'", mm->name, mm->device);
		return;
	}
	rc = smsctl_modem_open(mm->m);
	if (rc < 0) {
		if (!mm->logged_gone)
			smsd_log(LOG_WARNING, "modem %s: cannot open %s: %s; trying every %d s",
				 mm->name, mm->device, smsctl_modem_get_error_detail(mm->m),
				 REOPEN_MS / 1000);
		mm->logged_gone = true;
		return;
	}
	mm->logged_gone = false;
	if (mm->pin_file && read_pin(mm->pin_file, pin, sizeof(pin)) < 0)
		smsd_log(LOG_ERR, "modem %s: cannot read the PIN from %s", mm->name, mm->pin_file);
	rc = smsctl_sms_prepare(mm->m, pin[0] ? pin : NULL);
	explicit_bzero(pin, sizeof(pin));
	if (rc == 0)
		rc = smsctl_info_read(mm->m, &info);
	if (rc == 0) {
		snprintf(mm->iccid, sizeof(mm->iccid), "%s",
			 smsctl_info_get_iccid(info) ? smsctl_info_get_iccid(info) : "");
		snprintf(mm->imsi, sizeof(mm->imsi), "%s",
			 smsctl_info_get_imsi(info) ? smsctl_info_get_imsi(info) : "");
		snprintf(mm->imei, sizeof(mm->imei), "%s",
			 smsctl_info_get_imei(info) ? smsctl_info_get_imei(info) : "");
		smsctl_info_free(info);
	}
	if (rc == 0 && mm->last_mr < 0) {
		struct last_mr_job lj = {.name = mm->name, .mr = -1};
		if (smsd_storeq_call(mm->d->storeq, run_last_mr, &lj) >= 0)
			mm->last_mr = lj.mr;
	}
	if (rc == 0)
		rc = smsctl_receiver_new(mm->m, on_received, mm, &mm->rx);
	if (rc == 0)
		rc = smsctl_receiver_start(mm->rx);
	if (rc >= 0) {
		smsctl_modem_add_urc_handler(mm->m, "+CDS:", true, on_cds, mm);
		/* status reports as +CDS (keeps <mt> as the receiver set it) */
		struct smsctl_response *r = NULL;
		if (smsctl_modem_command(mm->m, "AT+CNMI?", 0, &r) == 0) {
			int mode = 2, mt = 1, bm = 0, ds = 0, bfr = 0;
			for (size_t i = 0; i < smsctl_response_get_line_count(r); i++)
				sscanf(smsctl_response_get_line(r, i), "+CNMI: %d,%d,%d,%d,%d",
				       &mode, &mt, &bm, &ds, &bfr);
			if (ds != 1) {
				char cmd[64];
				snprintf(cmd, sizeof(cmd), "AT+CNMI=%d,%d,%d,1,%d", mode, mt, bm,
					 bfr);
				smsctl_modem_command(mm->m, cmd, 0, NULL);
			}
		}
		smsctl_response_free(r);
		rc = 0;
	}
	if (rc < 0) {
		smsd_log(LOG_WARNING, "modem %s: initialisation failed: %s (%s)", mm->name,
			 smsctl_strerror(rc), smsctl_sms_get_error_detail(mm->m));
		snprintf(mm->work_reason, sizeof(mm->work_reason), "%s", smsctl_error_name(rc));
		if (rc == SMSCTL_ERR_GONE || rc == SMSCTL_ERR_TIMEOUT || rc == SMSCTL_ERR_IO) {
			smsctl_receiver_free(mm->rx);
			mm->rx = NULL;
			smsctl_modem_close(mm->m);
			return;
		}
	}
	mm->work_opened = true;
	mm->work_ok = rc == 0 && health_ok(mm, mm->work_reason, sizeof(mm->work_reason));
}

static void *worker_main(void *arg)
{
	struct smsd_modem *mm = arg;

	if (mm->work == W_OPEN)
		open_blocking(mm);
	else
		mm->work_ok = health_ok(mm, mm->work_reason, sizeof(mm->work_reason));
	smsd_ops_root_cause(mm->d,
			    !mm->work_ok && (mm->work_opened || mm->work == W_CHECK) ? mm->m : NULL,
			    mm->work_finding, mm->work_severity); /* ops (issue 17) */
	atomic_store(&mm->work_done, true);
	smsd_wake(mm->d);
	return NULL;
}

static void start_work(struct smsd_modem *mm, enum work w)
{
	mm->work = w;
	mm->work_reason[0] = '\0';
	atomic_store(&mm->work_done, false);
	mm->st = M_WORKING;
	if (pthread_create(&mm->worker, NULL, worker_main, mm) != 0) {
		smsd_log(LOG_ERR, "modem %s: cannot start a thread", mm->name);
		worker_main(mm); /* run it here rather than not at all */
		mm->worker = pthread_self();
	}
}

/* Back in the loop: take the worker's result. */
static void finish_work(struct smsd_modem *mm, int64_t now)
{
	if (!pthread_equal(mm->worker, pthread_self()))
		pthread_join(mm->worker, NULL);
	if (mm->work == W_OPEN && !mm->work_opened) {
		mm->st = M_GONE;
		mm->reopen_at = now + REOPEN_MS;
		return;
	}
	if (mm->work == W_CHECK && mm->work_ok && !mm->rx) {
		/* ready again after a failed initialisation: initialise it afresh */
		mm->st = M_IDLE;
		modem_close(mm, "reinitialising");
		mm->reopen_at = now;
		return;
	}
	bool was_blocked = mm->work == W_CHECK && mm->recheck_at != -2;
	mm->st = mm->work_ok ? M_IDLE : M_BLOCKED;
	memcpy(mm->ops_finding, mm->work_finding, sizeof(mm->ops_finding)); /* ops (issue 17) */
	memcpy(mm->ops_severity, mm->work_severity, sizeof(mm->ops_severity));
	mm->recheck_at = mm->work_ok ? -1 : now + BLOCKED_RECHECK_MS;
	mm->next_claim_at = 0;
	if (mm->work == W_OPEN)
		smsd_log(LOG_INFO, "modem %s: %s on %s (ICCID %s)%s%s", mm->name,
			 mm->work_ok ? "ready" : "blocked", mm->device,
			 mm->iccid[0] ? mm->iccid : "unknown", mm->work_reason[0] ? ": " : "",
			 mm->work_reason);
	else if (mm->work_ok == was_blocked)
		smsd_log(mm->work_ok ? LOG_INFO : LOG_WARNING, "modem %s: %s%s%s", mm->name,
			 mm->work_ok ? "ready" : "blocked", mm->work_reason[0] ? ": " : "",
			 mm->work_reason);
	upsert(mm, mm->work_ok ? "ready" : "blocked",
	       mm->work_reason[0] && !mm->work_ok ? mm->work_reason : NULL);
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
	if (!mm->name || !mm->device || !mm->pool || (mc->pin_file && !mm->pin_file)) {
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
	free(mm);
}

static void claim(struct smsd_modem *mm)
{
	struct mjob *j = job_new(mm, J_CLAIM);

	if (!j)
		return;
	j->id[0] = '\0';
	snprintf(j->pool, sizeof(j->pool), "%s", mm->pool);
	j->lease = mm->d->cfg->store.lease;
	job_submit(mm, j);
}

void smsd_modem_tick(struct smsd_modem *mm, int64_t now)
{
	struct smsd *d = mm->d;

	if (mm->st == M_WORKING) {
		if (atomic_load(&mm->work_done))
			finish_work(mm, now);
		return;
	}
	if (mm->st == M_GONE) {
		if (!mm->retired && !d->stopping && mm->jobs == 0 && now >= mm->reopen_at)
			start_work(mm, W_OPEN);
		return;
	}
	record_sim(mm);
	if (mm->rx) {
		int rt = smsctl_receiver_get_timeout(mm->rx);
		if (rt == 0)
			smsd_modem_process(mm);
	}
	if (mm->st == M_BLOCKED && now >= mm->recheck_at && mm->jobs == 0 && !d->stopping) {
		mm->recheck_at = -3; /* was blocked */
		start_work(mm, W_CHECK);
		return;
	}
	if (mm->st != M_IDLE)
		return;
	if (mm->recheck_at == 1 && !d->stopping) {
		/* a failure that pointed at the modem: check it before the next message */
		mm->recheck_at = -2; /* was ready */
		start_work(mm, W_CHECK);
		return;
	}
	if (mm->retired || d->stopping || now < mm->next_claim_at)
		return;
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
	return mm->st == M_IDLE || mm->st == M_BUSY;
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

void smsd_modem_get_info(const struct smsd_modem *mm, struct smsd_modem_info *out) /* ops */
{
	static const char *const names[] = {"", "gone", "ready", "ready", "blocked", "starting"};
	const char *st = mm->st == M_WORKING && mm->work == W_CHECK
			     ? (mm->ops_finding[0] ? "blocked" : "ready")
			     : names[mm->st];
	smsd_ops_fill_info(out, mm->name, mm->pool, st, mm->iccid, mm->ops_finding,
			   mm->ops_severity);
}
