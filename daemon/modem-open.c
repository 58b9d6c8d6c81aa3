/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A modem of smsctld opened, initialised and checked in a worker thread (blocking library
 * calls, off the loop: a hung modem never holds the others), and what it receives: every
 * message the library hands over is committed to the inbox before the library deletes it
 * from the modem; status reports (+CDS) are matched to the parts by SIM, TP-MR and recipient.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api-ext.h" /* issue 16: smsd_inbox_commit() */
#include "log.h"
#include "ops.h"
#include "modem-internal.h"

/* ---- receiving ---- */

struct inbox_job {
	struct store_inbox in;
	bool duplicate;
	char *optout_keywords; /* issue 16: a copy of [send] optout_keywords */
};

static int run_inbox(struct store *st, void *arg)
{
	struct inbox_job *ij = arg;

	return smsd_inbox_commit(st, &ij->in, &ij->duplicate, ij->optout_keywords); /* issue 16 */
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
	/* issue 15: the operator's answer to a balance query by SMS is not for the inbox */
	if (smsd_balance_take_sms(mm->bal, smsctl_message_get_number(msg),
				  smsctl_message_get_text(msg)))
		return 0;
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
	/* --- issue 16: any thread; a SIGHUP may replace the configuration meanwhile --- */
	pthread_rwlock_rdlock(&mm->d->cfg_lock);
	const char *kw = mm->d->cfg->send.optout_keywords;
	ij.optout_keywords = kw ? strdup(kw) : NULL;
	pthread_rwlock_unlock(&mm->d->cfg_lock);
	int rc = smsd_storeq_call(mm->d->storeq, run_inbox, &ij);
	free(ij.optout_keywords); /* --- end issue 16 --- */
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
	struct mjob *j = mjob_new(mm, J_REPORT);
	if (j) {
		j->id[0] = '\0';
		j->mr = smsctl_pdu_get_message_ref(p);
		j->status = smsctl_pdu_get_status(p);
		j->lease = mm->d->cfg->send.report_wait;
		snprintf(j->recipient, sizeof(j->recipient), "%s", smsctl_pdu_get_number(p));
		mjob_submit(mm, j);
	}
	smsctl_pdu_free(p);
}

/* ---- open, close, health ---- */

void modem_close(struct smsd_modem *mm, const char *why)
{
	modem_record_sim(mm);
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
	if (!mm->freeing)
		smsd_pool_closed(mm->pl, why); /* issue 15 */
	modem_upsert(mm, "gone", why);
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
	if (mm->pl) /* issue 15: the full diagnosis, its findings -> the pool's states */
		return smsd_pool_diagnose(mm->pl, mm->m, reason, size);
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
	modem_sim_slots_load(mm); /* test hook: a sim: modem's storage across a kill -9 */
	smsd_pool_port_opened(mm->pl, mm->m); /* issue 15: the sim: test hook's faults again */
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
		smsd_pool_opened(mm->pl, mm->m, mm->imei, mm->iccid); /* issue 15 */
	}
	if (rc == 0 && mm->last_mr < 0) {
		struct last_mr_job lj = {.name = mm->name, .mr = -1};
		if (smsd_storeq_call(mm->d->storeq, run_last_mr, &lj) >= 0)
			mm->last_mr = lj.mr;
	}
	if (rc == 0) /* submit_mode = storage: the slots of parts left `sending` decide */
		modem_storage_recover(mm);
	if (rc == 0 && smsd_pool_receives(mm->pl)) /* issue 15: receive = no */
		rc = smsctl_receiver_new(mm->m, on_received, mm, &mm->rx);
	if (rc == 0 && mm->rx)
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

	if (mm->work == W_BALANCE) { /* issue 15: balance; no health verdict */
		smsd_balance_work(mm->bal, mm->m, mm->iccid);
		atomic_store(&mm->work_done, true);
		smsd_wake(mm->d);
		return NULL;
	}
	if (mm->work == W_OPEN)
		open_blocking(mm);
	else
		mm->work_ok = health_ok(mm, mm->work_reason, sizeof(mm->work_reason));
	smsd_ops_root_cause(mm->d, /* ops (issue 17): the finding behind a block */
			    !mm->work_ok && (mm->work_opened || mm->work == W_CHECK) ? mm->m : NULL,
			    mm->work_finding, mm->work_severity);
	atomic_store(&mm->work_done, true);
	smsd_wake(mm->d);
	return NULL;
}

void modem_start_work(struct smsd_modem *mm, enum work w)
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
void modem_finish_work(struct smsd_modem *mm, int64_t now)
{
	if (!pthread_equal(mm->worker, pthread_self()))
		pthread_join(mm->worker, NULL);
	if (mm->work == W_BALANCE) { /* issue 15: balance */
		mm->st = M_IDLE;
		return;
	}
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
	if (mm->work == W_CHECK && !mm->work_ok && smsd_pool_needs_reopen(mm->pl)) {
		/* issue 15: a modem that stopped answering (its line engine gave up after a
		 * failed resynchronisation) is reopened; it stays `blocked` meanwhile */
		mm->st = M_IDLE;
		modem_close(mm, "not answering");
		mm->reopen_at = now + smsd_pool_recheck_ms(mm->pl);
		return;
	}
	bool was_blocked = mm->work == W_CHECK && mm->recheck_at != -2;
	mm->st = mm->work_ok ? M_IDLE : M_BLOCKED;
	memcpy(mm->ops_finding, mm->work_finding, sizeof(mm->ops_finding)); /* ops (issue 17) */
	memcpy(mm->ops_severity, mm->work_severity, sizeof(mm->ops_severity));
	mm->recheck_at = mm->work_ok ? -1 : now + smsd_pool_recheck_ms(mm->pl); /* issue 15 */
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
	modem_upsert(mm, mm->work_ok ? "ready" : "blocked",
		     mm->work_reason[0] && !mm->work_ok ? mm->work_reason : NULL);
}
