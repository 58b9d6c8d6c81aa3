/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Multipart messages whose SIM went away (issue 14): the parts of one message all go out from
 * the SIM that sent the first one (another SIM breaks reassembly on the handset), so a
 * message pinned to a SIM that no open modem holds waits `[send] multipart_resume`; after
 * that `[send] multipart_lost_modem` decides: `resend_whole` (the same row goes out again
 * whole, from any modem, with a new concatenation reference: event message.resent_whole) or
 * `fail`. Parts already sent are never sent again on their own.
 *
 * A scan runs in the store thread every few seconds over the queued messages (a bounded
 * number of pages per scan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/smsctl.h>

#include "log.h"
#include "smsctld.h"

#define SCAN_PAGES  4
#define MAX_PRESENT 256

struct scan {
	char *present[MAX_PRESENT]; /* ICCIDs of the open modems */
	size_t n_present;
	int64_t resume_ms;
	int lost; /* enum smsd_lost_modem */
};

static bool is_present(const struct scan *s, const char *iccid)
{
	for (size_t i = 0; i < s->n_present; i++)
		if (strcmp(s->present[i], iccid) == 0)
			return true;
	return false;
}

/* New PDUs for the whole message with a new reference; -1 when it cannot be encoded the same
 * way (then it fails rather than going out differently). */
static int encode_again(const struct store_message *m, int ref, char ***pdus_out)
{
	struct smsctl_submit_options *so = smsctl_submit_options_new();
	struct smsctl_encoded *enc = NULL;
	int rc = so ? 0 : -1;

	*pdus_out = NULL;
	if (rc == 0) {
		smsctl_submit_options_set_concat_ref(so, (unsigned)ref);
		smsctl_submit_options_set_status_report(so, m->report);
		if (m->flash)
			smsctl_submit_options_set_class(so, 0);
		if (m->validity_minutes > 0)
			smsctl_submit_options_set_validity(so, (unsigned long)m->validity_minutes);
		if (m->coding && strcmp(m->coding, "ucs2") == 0)
			smsctl_submit_options_set_coding(so, SMSCTL_CODING_UCS2);
		rc = smsctl_pdu_encode_submit(m->recipient, m->text, so, &enc) < 0 ? -1 : 0;
	}
	smsctl_submit_options_free(so);
	if (rc < 0 || smsctl_encoded_get_count(enc) != (size_t)m->parts) {
		smsctl_encoded_free(enc);
		return -1;
	}
	char **pdus = calloc((size_t)m->parts, sizeof(*pdus));
	for (int i = 0; pdus && i < m->parts; i++) {
		pdus[i] = strdup(smsctl_encoded_get_hex(enc, (size_t)i));
		if (!pdus[i])
			rc = -1;
	}
	smsctl_encoded_free(enc);
	if (!pdus || rc < 0) {
		for (int i = 0; pdus && i < m->parts; i++)
			free(pdus[i]);
		free(pdus);
		return -1;
	}
	*pdus_out = pdus;
	return 0;
}

static void handle_lost(struct store *st, const struct scan *s, const struct store_message *m)
{
	struct store_error_info err = {"sim_gone", "permanent",
				       "the SIM that sent the first parts did not come back"};
	char **pdus = NULL;
	int ref = (int)((store_now(st) ^ (int64_t)m->parts * 131) % 255) + 1;
	int rc;

	if (s->lost == SMSD_LOST_RESEND_WHOLE && encode_again(m, ref, &pdus) == 0) {
		rc = store_message_resend_whole(st, m->id, -1, (const char *const *)pdus,
						(size_t)m->parts, ref);
		for (int i = 0; i < m->parts; i++)
			free(pdus[i]);
		free(pdus);
		if (rc == 0)
			smsd_log(LOG_WARNING, "%s: its SIM %s is gone: resent whole", m->id,
				 m->sim_iccid);
		return;
	}
	rc = store_part_failed(st, m->id, m->claim_epoch, 0, &err);
	if (rc == 0)
		smsd_log(LOG_WARNING, "%s: its SIM %s is gone: failed", m->id, m->sim_iccid);
}

static int run_scan(struct store *st, void *arg)
{
	struct scan *s = arg;
	struct store_list_filter f = {.state = STORE_MSG_QUEUED, .limit = 500};
	char cursor[STORE_CURSOR_SIZE] = "";
	int64_t cutoff = store_now(st) - s->resume_ms;

	for (int page = 0; page < SCAN_PAGES; page++) {
		struct store_message *v = NULL;
		size_t n = 0;
		f.cursor = cursor[0] ? cursor : NULL;
		char next[STORE_CURSOR_SIZE] = "";
		int rc = store_message_list(st, &f, &v, &n, next);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < n; i++) {
			const struct store_message *m = &v[i];
			if (!m->sim_iccid || !m->sim_iccid[0] || is_present(s, m->sim_iccid) ||
			    m->updated_at > cutoff)
				continue;
			struct store_message full = {0};
			if (store_message_get(st, m->id, &full) == 0 &&
			    full.state == STORE_MSG_QUEUED)
				handle_lost(st, s, &full);
			store_message_clear(&full);
		}
		store_message_free_array(v, n);
		if (!next[0])
			break;
		memcpy(cursor, next, sizeof(cursor));
	}
	return 0;
}

static void scan_done(void *arg, int rc)
{
	struct scan *s = arg;

	for (size_t i = 0; i < s->n_present; i++)
		free(s->present[i]);
	free(s);
}

void smsd_multipart_scan(struct smsd *d)
{
	struct scan *s = calloc(1, sizeof(*s));

	if (!s)
		return;
	s->resume_ms = d->cfg->send.multipart_resume;
	s->lost = d->cfg->send.multipart_lost_modem;
	for (size_t i = 0; i < d->n_modems && s->n_present < MAX_PRESENT; i++) {
		const char *iccid = smsd_modem_present_iccid(d->modems[i]);
		if (iccid && (s->present[s->n_present] = strdup(iccid)))
			s->n_present++;
	}
	if (smsd_storeq_submit(d->storeq, run_scan, scan_done, s) < 0)
		scan_done(s, 0);
}
