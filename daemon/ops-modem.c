/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The modems as the metrics and the status page see them: the root cause of a modem that is
 * not ready (the library's diagnosis, its texts kept for the page), the modem jobs counted
 * (sent, failed, status report), and the modem's published info.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <smsctl/smsctl.h>

#include "metrics-internal.h"
#include "modem-internal.h"

bool smsd_ops_finding_text(struct smsd_metrics *m, const char *id, struct smsd_finding_text *out)
{
	bool found = false;

	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < m->n_texts && !found; i++)
		if (strcmp(m->texts[i].id, id) == 0) {
			*out = m->texts[i];
			found = true;
		}
	pthread_mutex_unlock(&m->lock);
	return found;
}

static void remember_text(struct smsd_metrics *m, const struct smsctl_finding *f)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	int i = 0;
	while (i < m->n_texts && strcmp(m->texts[i].id, smsctl_finding_get_id(f)) != 0)
		i++;
	if (i < 64) {
		snprintf(m->texts[i].id, sizeof(m->texts[i].id), "%s", smsctl_finding_get_id(f));
		snprintf(m->texts[i].summary, sizeof(m->texts[i].summary), "%s",
			 smsctl_finding_get_summary(f));
		snprintf(m->texts[i].remedy, sizeof(m->texts[i].remedy), "%s",
			 smsctl_finding_get_remedy(f));
		if (i == m->n_texts)
			m->n_texts++;
	}
	pthread_mutex_unlock(&m->lock);
}

void smsd_ops_root_cause(struct smsd *d, struct smsctl_modem *mo, char *id, char *sev)
{
	struct smsctl_diagnosis *dg = NULL;

	id[0] = sev[0] = '\0';
	if (!mo || smsctl_modem_diagnose(mo, NULL, &dg) < 0 || !dg)
		return;
	enum smsctl_severity worst = smsctl_diagnosis_get_worst(dg);
	for (size_t i = 0; i < smsctl_diagnosis_get_count(dg); i++) {
		const struct smsctl_finding *f = smsctl_diagnosis_get_finding(dg, i);
		if (worst >= SMSCTL_SEVERITY_WARNING && smsctl_finding_get_severity(f) == worst) {
			snprintf(id, 48, "%s", smsctl_finding_get_id(f));
			snprintf(sev, 16, "%s",
				 worst >= SMSCTL_SEVERITY_ERROR ? "error" : "warning");
			remember_text(d->metrics, f);
			break;
		}
	}
	smsctl_diagnosis_free(dg);
}

void smsd_ops_job(struct smsd_metrics *m, const char *modem, const char *sim, char what,
		  int64_t cmgs_at, int status, const char *id, const char *class_, const char *code,
		  const char *text)
{
	if (what == 'S')
		smsd_metrics_part_sent(m, modem, sim,
				       cmgs_at ? (smsd_mono_ms() - cmgs_at) / 1000.0 : -1);
	else if (what == 'R')
		smsd_metrics_report(m, modem, status);
	else if (what == 'F' && class_ && class_[0]) {
		smsd_metrics_send_failure(m, modem, class_, code);
		smsd_metrics_last_failure(m, modem, id, code, text);
	}
}

void smsd_ops_fill_info(struct smsd_modem_info *out, const char *name, const char *pool,
			const char *state, const char *iccid, const char *finding,
			const char *severity)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->pool, sizeof(out->pool), "%s", pool ? pool : "default");
	snprintf(out->state, sizeof(out->state), "%s", state);
	snprintf(out->iccid, sizeof(out->iccid), "%s", iccid ? iccid : "");
	snprintf(out->finding, sizeof(out->finding), "%s", finding ? finding : "");
	snprintf(out->severity, sizeof(out->severity), "%s", severity ? severity : "");
	out->signal_dbm = INT32_MIN;
	out->registered = strcmp(state, "ready") == 0 ? 1 : -1;
}

/* What the status page and /metrics show of a modem (loop thread). */
void smsd_modem_get_info(const struct smsd_modem *mm, struct smsd_modem_info *out)
{
	const char *st;

	switch (mm->st) {
	case M_GONE:
		st = "gone";
		break;
	case M_BLOCKED:
		st = "blocked";
		break;
	case M_WORKING:
		st = mm->work == W_OPEN ? "starting" : mm->ops_finding[0] ? "blocked" : "ready";
		break;
	default:
		st = "ready";
	}
	smsd_ops_fill_info(out, mm->name, mm->pool, st, mm->iccid, mm->ops_finding,
			   mm->ops_severity);
}
