/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `[send] submit_mode = storage` (issue 14, "Evidence resolves unknown" (2)): a part is
 * written to the modem's storage with AT+CMGW ("STO UNSENT"), committed `sending` together
 * with its slot (message_parts.storage_index), and only then sent with AT+CMSS. After a crash
 * the slot decides, at the next open of the modem: "STO SENT" (stat 3) -> `sent`; "STO
 * UNSENT" (stat 2) -> sent from the slot, once; slot gone -> `unknown` with its
 * message.unknown event. The slot is deleted once the outcome is committed.
 *
 * The probe: a modem whose slot still says "STO UNSENT" after `+CMSS:` cannot give that
 * evidence. The first part each modem sends after it opened is read back after AT+CMSS; if
 * the stat did not change the modem falls back to direct (AT+CMGS) with a warning in the log
 * and a `modem.storage_fallback` event, in the daemon's language. No test message is sent to
 * anyone: the probe is the first real part. A modem whose write and read memories differ
 * (AT+CPMS <mem1> != <mem2>) falls back at open.
 */
#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <smsctl/smsctl.h>

#include "config.h" /* GETTEXT_PACKAGE */
#include "log.h"
#include "modem-internal.h"

#define _(s) dgettext(GETTEXT_PACKAGE, s)

bool modem_storage_active(const struct smsd_modem *mm)
{
	return mm->d->cfg->send.submit_mode == SMSD_SUBMIT_STORAGE && mm->storage != STORAGE_DIRECT;
}

/* ---- test hooks ---- */

/* SMSCTLD_TEST_KILL=POINT kills at the first pass, POINT#N at the N-th (tests only: the count
 * is the process's own). */
void modem_test_kill(const char *point)
{
	static int passes;
	const char *want = getenv("SMSCTLD_TEST_KILL");
	size_t n = strlen(point);

	if (!want || strncmp(want, point, n) != 0 || (want[n] != '\0' && want[n] != '#'))
		return;
	if (++passes >= (want[n] == '#' ? atoi(want + n + 1) : 1)) {
		smsd_log(LOG_WARNING, "test hook: kill -9 at %s", point);
		raise(SIGKILL);
	}
}

/* SMSCTLD_SIM_RECORD=DIR: the slots of a sim: modem in DIR/NAME.slots ("POS STAT HEX" lines),
 * written after each slot change and put back when the modem opens, so a sim: modem keeps its
 * storage across a kill -9 of the daemon as a real modem does. */
void modem_sim_slots_save(struct smsd_modem *mm)
{
	struct smsctl_sim *sim = mm->m ? smsctl_modem_get_sim(mm->m) : NULL;
	char path[4096], tmp[4200], buf[700];
	int stat;

	if (!sim || !mm->d->sim_record_dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.slots", mm->d->sim_record_dir, mm->name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	for (unsigned pos = 0; pos < 1000; pos++) {
		int r = smsctl_sim_get_slot(sim, pos, &stat, buf, sizeof(buf));
		if (r == SMSCTL_ERR_INVALID)
			break;
		if (r == 0)
			fprintf(f, "%u %d %s\n", pos, stat, buf);
	}
	fflush(f);
	fsync(fileno(f));
	fclose(f);
	rename(tmp, path);
}

void modem_sim_slots_load(struct smsd_modem *mm)
{
	struct smsctl_sim *sim = mm->m ? smsctl_modem_get_sim(mm->m) : NULL;
	char path[4096], hex[700];
	unsigned pos;
	int stat;

	if (!sim || !mm->d->sim_record_dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.slots", mm->d->sim_record_dir, mm->name);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fscanf(f, "%u %d %699s", &pos, &stat, hex) == 3)
		smsctl_sim_set_slot(sim, pos, stat, hex);
	fclose(f);
}

/* ---- the fallback ---- */

struct event_job {
	char modem[80];
	char *payload;
};

static int run_event(struct store *st, void *arg)
{
	struct event_job *e = arg;

	return store_event_add(st, "modem.storage_fallback", NULL, e->modem, e->payload, NULL);
}

static void event_done(void *arg, int rc)
{
	struct event_job *e = arg;

	free(e->payload);
	free(e);
}

/* Direct sending from now on, with a warning in the log and an event. */
static void fall_back(struct smsd_modem *mm, const char *reason, const char *text, bool in_worker)
{
	struct event_job *e = calloc(1, sizeof(*e));

	mm->storage = STORAGE_DIRECT;
	smsd_log(LOG_WARNING, "modem %s: %s", mm->name, text);
	if (!e)
		return;
	snprintf(e->modem, sizeof(e->modem), "%s", mm->name);
	json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "modem", mm->name, "reason", reason,
			      "submit_mode", "direct", "message", text);
	e->payload = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	if (in_worker) { /* a worker only waits for the store thread */
		if (e->payload)
			smsd_storeq_call(mm->d->storeq, run_event, e);
		event_done(e, 0);
	} else if (!e->payload || smsd_storeq_submit(mm->d->storeq, run_event, event_done, e) < 0) {
		event_done(e, STORE_ERR_NOMEM);
	}
}

/* ---- the send path (in the loop) ---- */

static void on_written(void *userdata, const struct smsctl_slot_op *op)
{
	struct smsd_modem *mm = userdata;
	int err = smsctl_slot_op_get_error(op);

	mm->cmd = false;
	if (!mm->have_msg)
		return;
	if (err < 0) {
		/* nothing was sent: this part goes direct */
		smsd_log(LOG_WARNING, "modem %s: %s part %d: AT+CMGW failed (%s): sent directly",
			 mm->name, mm->msg.id, mm->msg.part_rows[mm->part].seq,
			 smsctl_slot_op_get_final(op)[0] ? smsctl_slot_op_get_final(op)
							 : smsctl_error_name(err));
		modem_part_sending(mm, -1);
		return;
	}
	modem_sim_slots_save(mm);
	modem_test_kill("after_cmgw");
	modem_part_sending(mm, smsctl_slot_op_get_index(op));
}

void modem_storage_write(struct smsd_modem *mm)
{
	struct store_part *p = &mm->msg.part_rows[mm->part];
	int rc = smsctl_sms_slot_write(mm->m, p->pdu, 0, on_written, mm);

	if (rc < 0) {
		modem_part_sending(mm, -1);
		return;
	}
	mm->cmd = true;
	mm->st = M_BUSY;
}

int modem_storage_send(struct smsd_modem *mm, smsctl_submit_fn fn)
{
	return smsctl_sms_submit_stored(mm->m, mm->slot, 0, fn, mm);
}

static void on_probe(void *userdata, const struct smsctl_slot_op *op)
{
	struct smsd_modem *mm = userdata;
	int status = smsctl_slot_op_get_status(op);

	mm->cmd = false;
	if (status == SMSCTL_SMS_SENT) {
		mm->storage = STORAGE_ON;
		smsd_log(LOG_INFO,
			 "modem %s: submit_mode = storage: the slot says \"STO SENT\" "
			 "after AT+CMSS",
			 mm->name);
	} else {
		fall_back(mm, "stat_unchanged",
			  _("the modem does not mark a message sent from its storage as sent "
			    "(+CMGR stat unchanged after +CMSS): sending directly (AT+CMGS) "
			    "instead of submit_mode = storage"),
			  false);
	}
	if (mm->have_msg)
		modem_part_sent(mm, mm->probe_mr);
}

bool modem_storage_probe(struct smsd_modem *mm, int mr)
{
	if (mm->storage != STORAGE_UNPROBED)
		return false;
	mm->probe_mr = mr;
	if (smsctl_sms_slot_read(mm->m, mm->slot, 0, on_probe, mm) < 0)
		return false;
	mm->cmd = true;
	return true;
}

static void on_asked(void *userdata, const struct smsctl_slot_op *op)
{
	struct smsd_modem *mm = userdata;
	bool sent =
	    smsctl_slot_op_get_error(op) == 0 && smsctl_slot_op_get_status(op) == SMSCTL_SMS_SENT;

	mm->cmd = false;
	if (!mm->have_msg)
		return;
	if (!sent) {
		modem_part_unknown(mm, SMSCTL_RESULT_TIMEOUT);
		return;
	}
	/* the slot turned "STO SENT": it went out (its TP-MR is not known) */
	smsd_log(LOG_WARNING,
		 "modem %s: %s part %d: no answer to AT+CMSS, but the slot says \"STO SENT\": "
		 "sent",
		 mm->name, mm->msg.id, mm->msg.part_rows[mm->part].seq);
	if (mm->storage == STORAGE_UNPROBED)
		mm->storage = STORAGE_ON; /* the stat changed: the evidence works */
	modem_part_sent(mm, -1);
}

bool modem_storage_ask(struct smsd_modem *mm)
{
	if (!mm->m || smsctl_sms_slot_read(mm->m, mm->slot, 0, on_asked, mm) < 0)
		return false;
	mm->cmd = true;
	return true;
}

static void on_deleted(void *userdata, const struct smsctl_slot_op *op)
{
	struct smsd_modem *mm = userdata;

	if (smsctl_slot_op_get_error(op) == 0)
		modem_sim_slots_save(mm);
}

void modem_storage_delete(struct smsd_modem *mm)
{
	if (mm->slot >= 0 && mm->m)
		smsctl_sms_slot_delete(mm->m, mm->slot, 0, on_deleted, mm);
	mm->slot = -1;
}

/* ---- after a restart (in the worker thread: blocking, store through storeq_call) ---- */

struct wait_op {
	int calls, error, status, index;
	enum smsctl_submit_outcome outcome;
	enum smsctl_result result;
	int mr, code;
};

static void on_wait_slot(void *userdata, const struct smsctl_slot_op *op)
{
	struct wait_op *w = userdata;

	w->calls++;
	w->error = smsctl_slot_op_get_error(op);
	w->status = smsctl_slot_op_get_status(op);
}

static void on_wait_submit(void *userdata, const struct smsctl_submit *s)
{
	struct wait_op *w = userdata;

	w->calls++;
	w->outcome = smsctl_submit_get_outcome(s);
	w->result = smsctl_submit_get_result(s);
	w->mr = smsctl_submit_get_message_ref(s);
	w->code = smsctl_submit_get_error_code(s);
}

static void wait_for(struct smsd_modem *mm, struct wait_op *w)
{
	for (int i = 0; w->calls == 0 && i < 1400; i++) {
		int rc = smsctl_modem_wait(mm->m, 100);
		if (rc == SMSCTL_ERR_GONE || rc == SMSCTL_ERR_IO)
			smsctl_modem_process(mm->m);
		else if (rc < 0)
			break;
	}
}

struct pending_job {
	const char *node, *modem;
	struct store_slot_part *rows;
	size_t n;
};

static int run_pending(struct store *st, void *arg)
{
	struct pending_job *pj = arg;

	return store_storage_pending(st, pj->modem, &pj->rows, &pj->n);
}

enum resolve { R_SENT, R_UNKNOWN, R_REQUEUE };

struct resolve_job {
	const struct store_slot_part *p;
	enum resolve what;
	int mr;
	const char *code, *text;
};

static int run_resolve(struct store *st, void *arg)
{
	struct resolve_job *r = arg;
	int rc;

	if (r->what == R_SENT) {
		rc = store_part_sent(st, r->p->id, r->p->epoch, r->p->seq, r->mr);
	} else if (r->what == R_UNKNOWN) {
		rc = store_part_unknown(st, r->p->id, r->p->epoch, r->p->seq, r->code, r->text, 0);
	} else {
		struct store_error_info e = {r->code, "transient", r->text};
		rc = store_part_requeue(st, r->p->id, r->p->epoch, r->p->seq, &e, store_now(st),
					false);
	}
	/* the rest of the message goes on from a new claim (pinned to this SIM) */
	if (rc == 0 && r->what == R_SENT)
		store_claim_release(st, r->p->id, r->p->epoch);
	return rc;
}

/* Read the AT+CPMS memories: the slot operations need <mem1> == <mem2>. */
static bool memories_agree(struct smsd_modem *mm)
{
	struct smsctl_response *r = NULL;
	char m1[8] = "", m2[8] = "";
	bool ok = false;

	if (smsctl_modem_command(mm->m, "AT+CPMS?", 0, &r) == 0) {
		for (size_t i = 0; i < smsctl_response_get_line_count(r); i++)
			if (sscanf(smsctl_response_get_line(r, i),
				   "+CPMS: \"%7[^\"]\",%*d,%*d,\"%7[^\"]\"", m1, m2) == 2)
				ok = strcmp(m1, m2) == 0;
	}
	smsctl_response_free(r);
	return ok;
}

/* Slots "STO UNSENT" that no part references: left by a crash between AT+CMGW and the commit
 * of `sending` (the part went back to the queue and is written again). A modem sending in
 * storage mode belongs to smsctld: they are deleted, or the memory would fill up. */
static void delete_orphans(struct smsd_modem *mm, const struct store_slot_part *keep, size_t n_keep)
{
	struct smsctl_response *r = NULL;
	int idx[64];
	size_t n = 0;

	if (smsctl_modem_command(mm->m, "AT+CMGL=2", 0, &r) == 0) {
		for (size_t i = 0; i < smsctl_response_get_line_count(r) && n < 64; i++) {
			int index;
			bool used = false;
			if (sscanf(smsctl_response_get_line(r, i), "+CMGL: %d,", &index) != 1 ||
			    index < 0)
				continue;
			for (size_t k = 0; k < n_keep && !used; k++)
				used = keep[k].storage_index == index;
			if (!used)
				idx[n++] = index;
		}
	}
	smsctl_response_free(r);
	for (size_t i = 0; i < n; i++) {
		struct wait_op d = {0};
		if (smsctl_sms_slot_delete(mm->m, idx[i], 0, on_wait_slot, &d) < 0)
			break;
		wait_for(mm, &d);
		smsd_log(LOG_WARNING,
			 "modem %s: slot %d \"STO UNSENT\" referenced by no part (left by a crash "
			 "after AT+CMGW): %s",
			 mm->name, idx[i], d.error == 0 ? "deleted" : "could not be deleted");
	}
	if (n)
		modem_sim_slots_save(mm);
}

void modem_storage_recover(struct smsd_modem *mm)
{
	struct pending_job pj = {.modem = mm->name};

	mm->storage = STORAGE_UNPROBED;
	mm->slot = -1;
	if (smsd_storeq_call(mm->d->storeq, run_pending, &pj) < 0)
		return;
	for (size_t i = 0; i < pj.n; i++) {
		const struct store_slot_part *p = &pj.rows[i];
		struct wait_op w = {0};
		struct resolve_job r = {.p = p, .mr = -1};

		if (smsctl_sms_slot_read(mm->m, p->storage_index, 0, on_wait_slot, &w) < 0)
			break;
		wait_for(mm, &w);
		if (w.error == SMSCTL_ERR_NOT_FOUND) {
			r.what = R_UNKNOWN;
			r.code = "storage.gone";
			r.text = "the part's storage slot was gone after a restart: it may have "
				 "been sent";
		} else if (w.error < 0) {
			continue; /* no answer: the next open decides */
		} else if (w.status == SMSCTL_SMS_SENT) {
			r.what = R_SENT; /* "STO SENT": it went out */
		} else if (w.status == SMSCTL_SMS_UNSENT && p->probe) {
			/* the probe of a modem not known to mark "STO SENT": its "STO UNSENT"
			 * proves nothing (a stuck-stat modem may have sent it) */
			r.what = R_UNKNOWN;
			r.code = "storage.unproven";
			r.text = "the part probed a modem not yet known to mark a sent slot \"STO "
				 "SENT\": its \"STO UNSENT\" after a restart proves nothing, it "
				 "may have been sent";
		} else if (w.status == SMSCTL_SMS_UNSENT) {
			/* "STO UNSENT": never sent; send it from the slot, once */
			struct wait_op s = {0};
			if (smsctl_sms_submit_stored(mm->m, p->storage_index, 0, on_wait_submit,
						     &s) < 0)
				break;
			wait_for(mm, &s);
			modem_record_sim(mm);
			modem_sim_slots_save(mm);
			if (s.outcome == SMSCTL_SUBMIT_SENT) {
				r.what = R_SENT;
				r.mr = s.mr;
				if (s.mr >= 0)
					mm->last_mr = s.mr;
			} else if (s.outcome == SMSCTL_SUBMIT_UNKNOWN) {
				r.what = R_UNKNOWN;
				r.code = "timeout";
				r.text = "no answer to AT+CMSS after a restart: it may have been "
					 "sent";
			} else {
				r.what = R_REQUEUE;
				r.code = "storage.rejected";
				r.text = "AT+CMSS was refused after a restart";
			}
		} else {
			/* the slot holds another message now: ours is gone */
			r.what = R_UNKNOWN;
			r.code = "storage.gone";
			r.text = "the part's storage slot holds another message after a restart: "
				 "it may have been sent";
			p = NULL;
		}
		int rc = smsd_storeq_call(mm->d->storeq, run_resolve, &r);
		smsd_log(rc < 0 ? LOG_ERR : LOG_WARNING,
			 "modem %s: %s part %d after a restart: slot %d -> %s%s", mm->name,
			 pj.rows[i].id, pj.rows[i].seq, pj.rows[i].storage_index,
			 r.what == R_SENT      ? "sent"
			 : r.what == R_UNKNOWN ? "unknown"
					       : "queued",
			 rc < 0 ? " (not recorded)" : "");
		if (rc == 0 && p) {
			struct wait_op d = {0};
			if (smsctl_sms_slot_delete(mm->m, p->storage_index, 0, on_wait_slot, &d) ==
			    0)
				wait_for(mm, &d);
			modem_sim_slots_save(mm);
		}
	}
	if (mm->d->cfg->send.submit_mode == SMSD_SUBMIT_STORAGE && !memories_agree(mm))
		fall_back(mm, "memories_differ",
			  _("the modem writes and reads messages in different memories (+CPMS): "
			    "sending directly (AT+CMGS) instead of submit_mode = storage"),
			  true);
	else if (mm->d->cfg->send.submit_mode == SMSD_SUBMIT_STORAGE)
		delete_orphans(mm, pj.rows, pj.n);
	free(pj.rows);
}
