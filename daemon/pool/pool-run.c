/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Modem pools at run time (pool-run.h): states, health, limits, events, the choice among
 * the modems of a pool.
 */
#include "pool-run.h"

#include <jansson.h>
#include <libintl.h>
#include <locale.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <smsctl/smsctl.h>

#include "../log.h"
#include "config.h" /* GETTEXT_PACKAGE */
#include "../smsctld.h"
#include "pool-conf.h"
#include "pool-diag.h"
#include "pool-limits.h"

#define FULL_DIAG_MS  (6 * 3600 * 1000LL)
#define MARK_EVERY_MS 1000
#define ELIGIBLE_MS   3000
#define GATE_RETRY_MS 20

struct smsd_pool_modem {
	struct smsd *d;
	char name[80], pool[80];
	struct smsd_pool_modem_config pc; /* strings not copied (balance: not used here) */
	struct smsd_limiter *lim;
	enum smsd_mstate state, diag_state;
	char reason[64];
	struct {
		char id[64], severity[16], summary[512], remedy[1024];
	} finding;
	char imei[40], iccid[40], key[96];
	/* health */
	int fails;
	int64_t cooling_delay, probe_at;
	int64_t next_health, next_full;
	bool snap_valid;
	int snap_cpin, snap_csq, snap_creg;
	/* scheduling */
	int64_t idle_since, eligible_at, empty_until, last_mark, last_nomodem;
	int64_t quota_announced; /* reset time of the window announced by sim.quota_reached */
	struct smsd_budget budget;
	atomic_int request;   /* 0 none, 1 enable, 2 disable */
	atomic_bool diag_req; /* POST /v1/modems/{name}/diagnose (pool-diag.c) */
	bool disabled;
	int64_t last_send_at;
	long long faults_read; /* test hook: bytes of NAME.faults applied */
	/* the light check in flight */
	bool checking, probing, want_full, lc_failed;
	bool trial;   /* cooling: the light probe passed, one real attempt decides */
	int diag_csq; /* +CSQ and operator seen by the last diagnosis (-1, "") */
	char operator_[64];
	int lc_step, lc_cpin, lc_csq, lc_creg;
	struct smsctl_modem *lc_m;
	struct smsd_pool_snapshot snap; /* under reg_lock */
};

/* ---- the registry the API reads (its threads never touch a modem) ---- */

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct smsd_pool_modem **reg;
static size_t n_reg;

static void reg_add(struct smsd_pool_modem *pm)
{
	pthread_mutex_lock(&reg_lock);
	struct smsd_pool_modem **v = realloc(reg, (n_reg + 1) * sizeof(*v));
	if (v) {
		reg = v;
		reg[n_reg++] = pm;
	}
	pthread_mutex_unlock(&reg_lock);
}

static void reg_remove(struct smsd_pool_modem *pm)
{
	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < n_reg; i++) {
		if (reg[i] == pm) {
			reg[i] = reg[--n_reg];
			break;
		}
	}
	if (n_reg == 0) {
		free(reg);
		reg = NULL;
		smsd_pool_diag_clear();
	}
	pthread_mutex_unlock(&reg_lock);
}

static void publish(struct smsd_pool_modem *pm)
{
	struct smsd_pool_snapshot s;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", pm->name);
	snprintf(s.pool, sizeof(s.pool), "%s", pm->pool);
	snprintf(s.state, sizeof(s.state), "%s", smsd_mstate_name(pm->state));
	snprintf(s.reason, sizeof(s.reason), "%s", pm->reason);
	snprintf(s.iccid, sizeof(s.iccid), "%s", pm->iccid);
	snprintf(s.imei, sizeof(s.imei), "%s", pm->imei);
	int csq = pm->snap_valid ? pm->snap_csq : pm->diag_csq; /* light check, else diagnosis */
	if (csq >= 0 && csq <= 31) {
		s.has_signal = true;
		s.signal_dbm = -113 + 2 * csq; /* 27.007 +CSQ */
	}
	snprintf(s.operator_, sizeof(s.operator_), "%s", pm->operator_);
	s.parts_today = smsd_limiter_parts_today(pm->lim);
	s.daily_limit = pm->pc.limits.daily_limit;
	s.last_send_at = pm->last_send_at;
	/* ops (issue 17) */
	s.registered = !pm->snap_valid || pm->snap_creg < 0	  ? -1
		       : pm->snap_creg == 1 || pm->snap_creg == 5 ? 1
								  : 0;
	s.parts_month = smsd_limiter_parts_month(pm->lim);
	s.monthly_limit = pm->pc.limits.monthly_limit;
	pthread_mutex_lock(&reg_lock);
	pm->snap = s;
	pthread_mutex_unlock(&reg_lock);
}

size_t smsd_pool_snapshots(struct smsd_pool_snapshot **out)
{
	size_t n;

	pthread_mutex_lock(&reg_lock);
	*out = n_reg ? calloc(n_reg, sizeof(**out)) : NULL;
	n = *out ? n_reg : 0;
	for (size_t i = 0; i < n; i++)
		(*out)[i] = reg[i]->snap;
	pthread_mutex_unlock(&reg_lock);
	/* in configuration order is not known here: by name */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && strcmp((*out)[k - 1].name, (*out)[k].name) > 0; k--) {
			struct smsd_pool_snapshot t = (*out)[k - 1];
			(*out)[k - 1] = (*out)[k];
			(*out)[k] = t;
		}
	return n;
}

int smsd_pool_request_by_name(const char *name, bool enable)
{
	int rc = -1;

	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < n_reg; i++) {
		if (strcmp(reg[i]->name, name) == 0) {
			atomic_store(&reg[i]->request, enable ? 1 : 2);
			rc = 0;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	return rc;
}

int smsd_pool_request_diagnose(const char *name, char *state, size_t size)
{
	int rc = -1;

	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < n_reg; i++) {
		if (strcmp(reg[i]->name, name) == 0) {
			atomic_store(&reg[i]->diag_req, true);
			snprintf(state, size, "%s", reg[i]->snap.state);
			rc = 0;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	return rc;
}

bool smsd_pool_take_diag_request(struct smsd_pool_modem *pm)
{
	return atomic_exchange(&pm->diag_req, false);
}

/* ---- life ---- */

struct smsd_pool_modem *smsd_pool_modem_new(struct smsd *d, const struct smsd_modem_config *mc)
{
	struct smsd_pool_modem *pm = calloc(1, sizeof(*pm));
	struct timespec ts;

	if (!pm)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	pm->lim = smsd_limiter_new((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
				   (uint64_t)(uintptr_t)pm);
	if (!pm->lim) {
		free(pm);
		return NULL;
	}
	pm->d = d;
	snprintf(pm->name, sizeof(pm->name), "%s", mc->name);
	snprintf(pm->pool, sizeof(pm->pool), "%s", mc->pool ? mc->pool : "default");
	pm->pc = mc->pc;
	pm->pc.balance_ussd = pm->pc.balance_sms = pm->pc.balance_regex = NULL;
	pm->state = pm->diag_state = SMSD_MS_STARTING;
	pm->diag_csq = -1;
	pm->cooling_delay = pm->pc.cooling;
	atomic_init(&pm->request, 0);
	publish(pm);
	reg_add(pm);
	return pm;
}

void smsd_pool_modem_free(struct smsd_pool_modem *pm)
{
	if (!pm)
		return;
	reg_remove(pm);
	smsd_limiter_free(pm->lim);
	free(pm);
}

enum smsd_mstate smsd_pool_state(const struct smsd_pool_modem *pm)
{
	return pm->state;
}

bool smsd_pool_receives(const struct smsd_pool_modem *pm)
{
	return pm->pc.receive;
}

int64_t smsd_pool_recheck_ms(const struct smsd_pool_modem *pm)
{
	return pm->pc.health_interval < 30000 ? pm->pc.health_interval : 30000;
}

/* ---- events ---- */

struct event_job {
	char *type, *payload, *modem;
	char state[16], reason[64], imei[40], iccid[40];
	bool upsert;
};

static int run_event(struct store *st, void *arg)
{
	struct event_job *e = arg;
	int rc = 0;

	if (e->upsert) {
		struct store_modem sm = {
		    .name = e->modem,
		    .imei = e->imei[0] ? e->imei : NULL,
		    .iccid = e->iccid[0] ? e->iccid : NULL,
		    .state = e->state,
		    .state_reason = e->reason[0] ? e->reason : NULL,
		    .last_mr = -1,
		};
		rc = store_modem_upsert(st, &sm);
	}
	if (rc == 0 && e->type)
		rc = store_event_add(st, e->type, NULL, e->modem, e->payload, NULL);
	return rc;
}

static void event_done(void *arg, int rc)
{
	struct event_job *e = arg;

	if (rc < 0)
		smsd_log(LOG_ERR, "modem %s: event %s not stored: %s", e->modem,
			 e->type ? e->type : "(state)", store_strerror(rc));
	free(e->type);
	free(e->payload);
	free(e->modem);
	free(e);
}

/* Queue an event (type may be NULL: only the modems row) with the modems row's state. */
static void emit(struct smsd_pool_modem *pm, const char *type, json_t *payload)
{
	struct event_job *e = calloc(1, sizeof(*e));

	if (!e) {
		json_decref(payload);
		return;
	}
	e->modem = strdup(pm->name);
	e->type = type ? strdup(type) : NULL;
	e->payload = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
	json_decref(payload);
	e->upsert = true;
	snprintf(e->state, sizeof(e->state), "%s", smsd_mstate_name(pm->state));
	snprintf(e->reason, sizeof(e->reason), "%s", pm->reason);
	snprintf(e->imei, sizeof(e->imei), "%s", pm->imei);
	snprintf(e->iccid, sizeof(e->iccid), "%s", pm->iccid);
	if (!e->modem || (type && (!e->type || !e->payload)) ||
	    smsd_storeq_submit(pm->d->storeq, run_event, event_done, e) < 0)
		event_done(e, STORE_ERR_NOMEM);
}

static json_t *jstr(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* The effective state from the diagnosis, cooling, quota, disable and gone. */
static void set_state(struct smsd_pool_modem *pm, enum smsd_mstate to, const char *reason,
		      bool with_finding)
{
	enum smsd_mstate from = pm->state;

	if (to == from && strcmp(reason ? reason : "", pm->reason) == 0)
		return;
	pm->state = to;
	snprintf(pm->reason, sizeof(pm->reason), "%s", reason ? reason : "");
	publish(pm);
	if (from == to) {
		emit(pm, NULL, NULL); /* a new reason: the row only */
		return;
	}
	smsd_log(to == SMSD_MS_READY ? LOG_INFO : LOG_WARNING, "modem %s: %s -> %s%s%s", pm->name,
		 smsd_mstate_name(from), smsd_mstate_name(to), reason && *reason ? ": " : "",
		 reason ? reason : "");
	json_t *f = json_null();
	if (with_finding && pm->finding.id[0])
		f = json_pack("{s:s, s:s, s:o, s:o}", "id", pm->finding.id, "severity",
			      pm->finding.severity, "summary", jstr(pm->finding.summary), "remedy",
			      jstr(pm->finding.remedy));
	json_t *p =
	    json_pack("{s:s, s:o, s:s, s:s, s:o, s:o}", "modem", pm->name, "sim_iccid",
		      jstr(pm->iccid), "from", smsd_mstate_name(from), "to", smsd_mstate_name(to),
		      "reason", jstr(reason), "finding", f ? f : json_null());
	emit(pm, "modem.state_changed", p);
}

/* What the state is once diagnosis, cooling, quota and the operator are taken together. */
static void settle(struct smsd_pool_modem *pm)
{
	if (pm->disabled) {
		set_state(pm, SMSD_MS_DISABLED, "operator", false);
		return;
	}
	if (pm->state == SMSD_MS_GONE)
		return;
	if (pm->diag_state == SMSD_MS_BLOCKED || pm->diag_state == SMSD_MS_GONE ||
	    pm->diag_state == SMSD_MS_STARTING) {
		set_state(pm, pm->diag_state, pm->finding.id, true);
		return;
	}
	if (pm->state == SMSD_MS_COOLING)
		return;
	if (pm->budget.why == SMSD_WAIT_QUOTA && pm->budget.max_parts == 0) {
		char r[32];
		snprintf(r, sizeof(r), "quota.%s", pm->budget.window ? pm->budget.window : "day");
		set_state(pm, SMSD_MS_QUOTA, r, false);
		return;
	}
	set_state(pm, pm->diag_state, pm->diag_state == SMSD_MS_DEGRADED ? pm->finding.id : NULL,
		  pm->diag_state == SMSD_MS_DEGRADED);
}

/* ---- health ---- */

static void counters_load(struct smsd_pool_modem *pm);

void smsd_pool_opened(struct smsd_pool_modem *pm, struct smsctl_modem *m, const char *imei,
		      const char *iccid)
{
	(void)m;
	snprintf(pm->imei, sizeof(pm->imei), "%s", imei ? imei : "");
	snprintf(pm->iccid, sizeof(pm->iccid), "%s", iccid ? iccid : "");
	if (iccid && *iccid)
		snprintf(pm->key, sizeof(pm->key), "%s", iccid);
	else
		snprintf(pm->key, sizeof(pm->key), "modem:%s", pm->name);
	if (pm->state == SMSD_MS_GONE)
		pm->state = SMSD_MS_STARTING;
	pm->idle_since = smsd_pool_now();
	pm->snap_valid = false;
	pm->fails = 0;
	pm->trial = false;
	counters_load(pm);
	publish(pm);
}

bool smsd_pool_needs_reopen(const struct smsd_pool_modem *pm)
{
	return pm->diag_state == SMSD_MS_BLOCKED && strcmp(pm->finding.id, "port.no_answer") == 0;
}

void smsd_pool_port_opened(struct smsd_pool_modem *pm, struct smsctl_modem *m)
{
	pm->faults_read = 0; /* a sim: modem opened afresh: the test faults from the start */
	smsd_pool_sim_faults(pm->name, &pm->faults_read, m);
}

void smsd_pool_closed(struct smsd_pool_modem *pm, const char *why)
{
	if (smsd_pool_needs_reopen(pm) && pm->state == SMSD_MS_BLOCKED) {
		smsd_log(LOG_DEBUG, "modem %s: reopened while not answering: %s", pm->name,
			 why ? why : "");
		return; /* still blocked for port.no_answer: the reopen decides */
	}
	pm->diag_state = SMSD_MS_GONE;
	snprintf(pm->finding.id, sizeof(pm->finding.id), "modem.gone");
	snprintf(pm->finding.severity, sizeof(pm->finding.severity), "error");
	/* the texts of the diagnosis' modem.gone (lib/diagnose/rule-table.c), from the same
	 * catalog, in [daemon] language; @why (English, for the log) when no catalog has them */
	snprintf(pm->finding.summary, sizeof(pm->finding.summary), "%s",
		 dgettext(GETTEXT_PACKAGE, "The modem went away during the check (unplugged or "
					   "restarted)"));
	snprintf(pm->finding.remedy, sizeof(pm->finding.remedy), "%s",
		 dgettext(GETTEXT_PACKAGE,
			  "Check the USB cable and the power supply (4G modules need a 2 A "
			  "supply; a weak USB hub makes them restart when they transmit), then "
			  "run the diagnosis again."));
	smsd_log(LOG_DEBUG, "modem %s: gone: %s", pm->name, why ? why : "");
	if (pm->disabled)
		return;
	set_state(pm, SMSD_MS_GONE, "modem.gone", true);
}

bool smsd_pool_diagnose(struct smsd_pool_modem *pm, struct smsctl_modem *m, char *reason,
			size_t size)
{
	struct smsctl_diagnosis *dg = NULL;
	struct smsd_finding_in in[64];
	size_t n = 0;
	int cause = -1;

	pm->next_full = smsd_mono_ms() + FULL_DIAG_MS;
	pm->next_health = smsd_mono_ms() + pm->pc.health_interval;
	pm->snap_valid = false; /* the next light check takes a new snapshot */
	if (smsctl_modem_diagnose(m, NULL, &dg) < 0 || !dg) {
		snprintf(reason, size, "diagnosis failed");
		publish(pm);
		smsd_pool_diag_publish(pm->name, NULL);
		return true; /* no verdict: keep sending, the next check decides */
	}
	json_t *dj = smsd_diagnosis_json(dg); /* for POST /v1/modems/{name}/diagnose */
	char *dtext = dj ? json_dumps(dj, JSON_COMPACT) : NULL;
	json_decref(dj);
	smsd_diagnosis_radio(dg, &pm->diag_csq, pm->operator_, sizeof(pm->operator_));
	smsd_diagnosis_operator(m, dg, pm->operator_, sizeof(pm->operator_));
	for (size_t i = 0; i < smsctl_diagnosis_get_count(dg) && n < 64; i++) {
		const struct smsctl_finding *f = smsctl_diagnosis_get_finding(dg, i);
		in[n].id = smsctl_finding_get_id(f);
		in[n].severity = smsctl_finding_get_severity(f);
		n++;
	}
	pm->diag_state = smsd_state_from_findings(in, n, &cause);
	if (cause >= 0) {
		const struct smsctl_finding *f = smsctl_diagnosis_get_finding(dg, (size_t)cause);
		snprintf(pm->finding.id, sizeof(pm->finding.id), "%s", smsctl_finding_get_id(f));
		snprintf(pm->finding.severity, sizeof(pm->finding.severity), "%s",
			 smsctl_severity_name(smsctl_finding_get_severity(f)));
		snprintf(pm->finding.summary, sizeof(pm->finding.summary), "%s",
			 smsctl_finding_get_summary(f));
		snprintf(pm->finding.remedy, sizeof(pm->finding.remedy), "%s",
			 smsctl_finding_get_remedy(f));
	} else {
		memset(&pm->finding, 0, sizeof(pm->finding));
	}
	smsctl_diagnosis_free(dg);
	smsd_log(LOG_DEBUG, "modem %s: diagnosis: %s %s", pm->name,
		 smsd_mstate_name(pm->diag_state), pm->finding.id);
	snprintf(reason, size, "%s", pm->finding.id);
	if (pm->diag_state == SMSD_MS_BLOCKED) {
		pm->fails = 0; /* blocked for a cause: cooling starts over afterwards */
		pm->trial = false;
	}
	settle(pm);
	publish(pm);
	smsd_pool_diag_publish(pm->name, dtext); /* after the state it led to */
	free(dtext);
	return smsd_mstate_can_send(pm->diag_state);
}

static int csq_bucket(int csq)
{
	if (csq == 99 || csq < 0)
		return 0;
	if (csq <= 1)
		return 1; /* none */
	if (csq < 10)
		return 2; /* weak */
	return 3;
}

/* The light check: SIM, signal, registration (3 commands), queued on the modem like any
 * other command (never a blocking call beside the receiver's and the sends' commands). The
 * SIM is read with +CIMI (an IMSI, or an error when it is absent or locked): some modems
 * answer +CPIN? without a final OK. */
static const char *const light_cmds[3] = {"AT+CIMI", "AT+CSQ", "AT+CREG?"};

static void light_finish(struct smsd_pool_modem *pm)
{
	smsd_log(LOG_DEBUG, "modem %s: light check: cpin %d csq %d creg %d%s", pm->name,
		 pm->lc_cpin, pm->lc_csq, pm->lc_creg, pm->lc_failed ? " (failed)" : "");
	pm->checking = false;
	pm->next_health = smsd_mono_ms() + pm->pc.health_interval;
	if (pm->probing) {
		pm->probing = false;
		if (!pm->lc_failed && pm->lc_cpin == 1 && (pm->lc_creg == 1 || pm->lc_creg == 5) &&
		    csq_bucket(pm->lc_csq) != 1) {
			/* SIM, network and signal answer: that does not prove the network takes
			 * SMS again (send_fail:42 passes it). One real attempt decides; it
			 * stays `cooling` until that attempt is accepted (smsd_pool_trial_*) */
			pm->trial = true;
			smsd_log(LOG_INFO, "modem %s: probe passed, one trial send decides",
				 pm->name);
			set_state(pm, SMSD_MS_COOLING, "probe.trial", false);
			return;
		}
		pm->cooling_delay = smsd_cooling_next(pm->cooling_delay, SMSD_COOLING_MAX_MS);
		pm->probe_at = smsd_mono_ms() + pm->cooling_delay;
		smsd_log(LOG_WARNING, "modem %s: probe failed, next in %lld s", pm->name,
			 (long long)(pm->cooling_delay / 1000));
		return;
	}
	/* the first check after a diagnosis has nothing to compare with: what a ready modem
	 * should not show counts as a change */
	bool abnormal = pm->lc_cpin != 1 || (pm->lc_creg != 1 && pm->lc_creg != 5) ||
			csq_bucket(pm->lc_csq) == 1 || csq_bucket(pm->lc_csq) == 2;
	bool changed =
	    pm->lc_failed || (!pm->snap_valid && abnormal) ||
	    (pm->snap_valid && (pm->lc_cpin != pm->snap_cpin || pm->lc_creg != pm->snap_creg ||
				csq_bucket(pm->lc_csq) != csq_bucket(pm->snap_csq)));
	if (!pm->lc_failed) {
		pm->snap_valid = true;
		pm->snap_cpin = pm->lc_cpin;
		pm->snap_csq = pm->lc_csq;
		pm->snap_creg = pm->lc_creg;
	}
	/* a change, the 6-hourly run, or a modem not ready: the full diagnosis decides (a blocked
	 * modem returns to ready once the diagnosis no longer shows its finding) */
	if (changed || smsd_mono_ms() >= pm->next_full || pm->diag_state != SMSD_MS_READY)
		pm->want_full = true;
	publish(pm);
}

static void light_cb(void *userdata, const struct smsctl_response *r)
{
	struct smsd_pool_modem *pm = userdata;
	int step = pm->lc_step;

	if (step == 0) {
		/* SIM: 1 ready, else the error seen (a change of error is a change) */
		pm->lc_cpin = smsctl_response_get_result(r) == SMSCTL_RESULT_OK
				  ? 1
				  : -1000 - smsctl_response_get_error_code(r);
	} else if (smsctl_response_get_result(r) != SMSCTL_RESULT_OK) {
		pm->lc_failed = true;
	}
	if (smsctl_response_get_result(r) != SMSCTL_RESULT_OK) {
		if (smsctl_response_get_result(r) == SMSCTL_RESULT_GONE ||
		    smsctl_response_get_result(r) == SMSCTL_RESULT_CANCELLED ||
		    smsctl_response_get_result(r) == SMSCTL_RESULT_TIMEOUT) {
			/* no answer: the full diagnosis decides (port.no_answer blocks it) */
			pm->want_full = smsctl_response_get_result(r) == SMSCTL_RESULT_TIMEOUT;
			pm->checking = false;
			pm->probing = false;
			pm->lc_m = NULL;
			return;
		}
	}
	for (size_t k = 0; k < smsctl_response_get_line_count(r); k++) {
		const char *l = smsctl_response_get_line(r, k);
		int a, b;
		if (step == 1 && sscanf(l, "+CSQ: %d", &a) == 1)
			pm->lc_csq = a;
		else if (step == 2 && sscanf(l, "+CREG: %d,%d", &a, &b) == 2)
			pm->lc_creg = b;
		else if (step == 2 && sscanf(l, "+CREG: %d", &a) == 1)
			pm->lc_creg = a;
	}
	pm->lc_step++;
	if (pm->lc_step < 3 && pm->lc_m &&
	    smsctl_modem_send(pm->lc_m, light_cmds[pm->lc_step], NULL, 0, light_cb, pm) == 0)
		return;
	if (pm->lc_step < 3)
		pm->lc_failed = true;
	pm->lc_m = NULL;
	light_finish(pm);
}

static void light_start(struct smsd_pool_modem *pm, struct smsctl_modem *m, bool probe)
{
	pm->lc_step = 0;
	pm->lc_failed = false;
	pm->lc_cpin = 0;
	pm->lc_csq = 99;
	pm->lc_creg = -1;
	pm->probing = probe;
	pm->lc_m = m;
	smsd_log(LOG_DEBUG, "modem %s: light check%s", pm->name, probe ? " (probe)" : "");
	if (smsctl_modem_send(m, light_cmds[0], NULL, 0, light_cb, pm) == 0) {
		pm->checking = true;
		return;
	}
	pm->lc_m = NULL;
	pm->lc_failed = true;
	light_finish(pm);
}

void smsd_pool_send_ok(struct smsd_pool_modem *pm)
{
	pm->fails = 0;
	if (!pm->trial)
		return;
	pm->trial = false;
	pm->cooling_delay = pm->pc.cooling;
	smsd_log(LOG_INFO, "modem %s: trial send accepted, back in rotation", pm->name);
	set_state(pm, pm->diag_state, "probe", false);
	settle(pm);
}

bool smsd_pool_send_failed(struct smsd_pool_modem *pm)
{
	if (pm->state == SMSD_MS_COOLING) {
		if (!pm->trial)
			return true;
		/* the trial failed: nothing was sent; longer cooling */
		pm->trial = false;
		pm->cooling_delay = smsd_cooling_next(pm->cooling_delay, SMSD_COOLING_MAX_MS);
		pm->probe_at = smsd_mono_ms() + pm->cooling_delay;
		smsd_log(LOG_WARNING, "modem %s: trial send refused, next probe in %lld s",
			 pm->name, (long long)(pm->cooling_delay / 1000));
		set_state(pm, SMSD_MS_COOLING, "probe.failed", false);
		return true;
	}
	if (++pm->fails < pm->pc.block_after)
		return false;
	pm->probe_at = smsd_mono_ms() + pm->cooling_delay;
	{
		char r[48];
		snprintf(r, sizeof(r), "send_failures.%d", pm->fails);
		memset(&pm->finding, 0, sizeof(pm->finding));
		set_state(pm, SMSD_MS_COOLING, r, false);
	}
	return false;
}

void smsd_pool_request_enable(struct smsd_pool_modem *pm, bool enable)
{
	atomic_store(&pm->request, enable ? 1 : 2);
}

/* ---- limits and the store ---- */

struct load_job {
	char key[96];
	int64_t now, day, month, since;
	long long pd, pm, rd;
	int64_t *ts;
	size_t n_ts;
};

static int run_load(struct store *st, void *arg)
{
	struct load_job *j = arg;
	int rc = store_pool_counts(st, j->key, j->day, j->month, &j->pd, &j->pm, &j->rd);

	if (rc == 0 && j->since > 0)
		rc = store_pool_parts_since(st, j->key, j->since, &j->ts, &j->n_ts);
	return rc;
}

static void counters_load(struct smsd_pool_modem *pm)
{
	struct load_job j = {0};

	snprintf(j.key, sizeof(j.key), "%s", pm->key);
	j.now = smsd_pool_now();
	j.day = smsd_local_day_start(j.now);
	j.month = smsd_local_month_start(j.now);
	j.since = pm->pc.limits.rate.n ? smsd_wall_ms() - pm->pc.limits.rate.window_ms : 0;
	if (smsd_storeq_call(pm->d->storeq, run_load, &j) < 0) {
		smsd_log(LOG_ERR, "modem %s: cannot read the SIM's counters", pm->name);
		return;
	}
	smsd_limiter_load(pm->lim, j.now, j.pd, j.pm, j.rd);
	for (size_t i = 0; i < j.n_ts; i++)
		smsd_limiter_load_part(pm->lim, &pm->pc.limits, j.ts[i]);
	free(j.ts);
}

struct mark_job {
	struct store_claim_req req;
	struct smsd_pool_claim pc;
	char modem[80], iccid[40];
	bool pools_only;
};

static int run_mark(struct store *st, void *arg)
{
	struct mark_job *j = arg;

	if (j->pools_only)
		return store_pool_mark_pools(st, j->pc.pools, j->pc.n_pools, j->pc.waiting);
	return store_pool_mark_waiting(st, &j->req, &j->pc.b, j->pc.waiting);
}

static void mark_done(void *arg, int rc)
{
	(void)rc;
	free(arg);
}

static void submit_mark(struct smsd_pool_modem *pm, bool pools_only, const char *waiting)
{
	struct mark_job *j = calloc(1, sizeof(*j));

	if (!j)
		return;
	smsd_pool_claim_prepare(pm, pm->pool, &j->pc);
	j->pc.waiting = waiting;
	j->pc.b.max_parts = 0;
	snprintf(j->modem, sizeof(j->modem), "%s", pm->name);
	snprintf(j->iccid, sizeof(j->iccid), "%s", pm->iccid);
	j->req.modem = j->modem;
	j->req.pools = j->pc.pools;
	j->req.n_pools = j->pc.n_pools;
	j->req.sim_iccid = j->iccid[0] ? j->iccid : NULL;
	j->req.lease_ms = 1;
	j->req.limit = 1;
	j->pools_only = pools_only;
	if (smsd_storeq_submit(pm->d->storeq, run_mark, mark_done, j) < 0)
		free(j);
}

/* The other modems of the node, through the loop's list. */
static struct smsd_pool_modem *other(struct smsd *d, size_t i)
{
	return smsd_modem_get_pool(d->modems[i]);
}

static bool pool_has_sender(struct smsd_pool_modem *pm, const char *pool, bool count_quota)
{
	struct smsd *d = pm->d;

	for (size_t i = 0; i < d->n_modems; i++) {
		struct smsd_pool_modem *o = other(d, i);
		if (!o || strcmp(o->pool, pool) != 0)
			continue;
		if (smsd_mstate_can_send(o->state) || (count_quota && o->state == SMSD_MS_QUOTA))
			return true;
	}
	return false;
}

/* A modem that cannot send: when none of its pool can (quota aside), the pool's messages
 * wait for `no_modem`. */
static void mark_no_modem(struct smsd_pool_modem *pm, int64_t mono)
{
	const struct smsd_pool_config *p = smsd_poolconf_find_pool(pm->d->cfg, pm->pool);

	if (mono - pm->last_nomodem < MARK_EVERY_MS || pool_has_sender(pm, pm->pool, true))
		return;
	if (p && p->fallback && pool_has_sender(pm, p->fallback, true))
		return; /* the fallback pool takes them */
	pm->last_nomodem = mono;
	submit_mark(pm, true, "no_modem");
}

void smsd_pool_tick_any(struct smsd_pool_modem *pm, struct smsctl_modem *m)
{
	int req = atomic_exchange(&pm->request, 0);

	smsd_pool_sim_faults(pm->name, &pm->faults_read, m); /* test hook */
	if (req) {
		pm->disabled = req == 2;
		if (pm->disabled)
			set_state(pm, SMSD_MS_DISABLED, "operator", false);
		else if (pm->state == SMSD_MS_DISABLED) {
			pm->state =
			    pm->diag_state == SMSD_MS_GONE ? SMSD_MS_GONE : SMSD_MS_STARTING;
			set_state(pm, pm->diag_state, "operator", false);
			settle(pm);
		}
	}
	if (!smsd_mstate_can_send(pm->state) && pm->state != SMSD_MS_QUOTA)
		mark_no_modem(pm, smsd_mono_ms());
}

bool smsd_pool_before_claim(struct smsd_pool_modem *pm, struct smsctl_modem *m, int64_t *retry_in)
{
	int64_t mono = smsd_mono_ms(), now;
	struct smsd *d = pm->d;

	*retry_in = 2000;
	smsd_pool_tick_any(pm, m);
	if (pm->disabled || !pm->pc.send)
		return false;
	if (pm->checking) {
		*retry_in = 20;
		return false;
	}
	if (pm->want_full) {
		/* something changed: the full diagnosis (the modem's worker runs it) */
		pm->want_full = false;
		*retry_in = -1;
		return false;
	}
	if (pm->state == SMSD_MS_COOLING && !pm->trial) {
		if (mono >= pm->probe_at) {
			light_start(pm, m, true);
			*retry_in = 20;
		} else {
			*retry_in = pm->probe_at - mono;
		}
		return false;
	}
	if (mono >= pm->next_health) {
		light_start(pm, m, false);
		*retry_in = 20;
		return false;
	}
	if (!smsd_mstate_can_send(pm->diag_state)) {
		*retry_in = smsd_pool_recheck_ms(pm);
		return false;
	}
	now = smsd_pool_now();
	smsd_limiter_budget(pm->lim, &pm->pc.limits, now, &pm->budget);
	settle(pm);
	if (pm->budget.why == SMSD_WAIT_QUOTA && pm->budget.max_parts == 0 &&
	    pm->quota_announced != pm->budget.quota_reset) {
		char reset[40];
		time_t s = (time_t)(pm->budget.quota_reset / 1000);
		struct tm tm;
		gmtime_r(&s, &tm);
		strftime(reset, sizeof(reset), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
		pm->quota_announced = pm->budget.quota_reset;
		emit(pm, "sim.quota_reached",
		     json_pack("{s:s, s:o, s:s, s:s, s:I, s:I}", "modem", pm->name, "sim_iccid",
			       jstr(pm->iccid), "window", pm->budget.window, "reset_at", reset,
			       "parts_sent",
			       (json_int_t)(strcmp(pm->budget.window, "day") == 0
						? smsd_limiter_parts_today(pm->lim)
						: smsd_limiter_parts_month(pm->lim)),
			       "limit",
			       (json_int_t)(strcmp(pm->budget.window, "day") == 0
						? pm->pc.limits.daily_limit
						: pm->pc.limits.monthly_limit)));
	}
	if (pm->budget.max_parts == 0) {
		if (mono - pm->last_mark >= MARK_EVERY_MS) {
			pm->last_mark = mono;
			submit_mark(pm, false, smsd_wait_name(pm->budget.why));
		}
		int64_t wait = pm->budget.retry_at > now ? pm->budget.retry_at - now : 0;
		*retry_in = wait < 1000 ? (wait < 1 ? 1 : wait) : 1000;
		return false;
	}
	pm->eligible_at = mono;
	/* the choice: lowest parts_sent_today / weight wins, ties to the modem idle longest */
	struct smsd_candidate me = {smsd_limiter_parts_today(pm->lim), pm->pc.weight,
				    pm->state == SMSD_MS_DEGRADED, pm->idle_since};
	for (size_t i = 0; i < d->n_modems; i++) {
		struct smsd_pool_modem *o = other(d, i);
		if (!o || o == pm || strcmp(o->pool, pm->pool) != 0 || o->disabled ||
		    !smsd_mstate_can_send(o->state) || mono - o->eligible_at > ELIGIBLE_MS ||
		    mono < o->empty_until || !smsd_modem_is_idle(d->modems[i]) ||
		    smsd_modem_is_retired(d->modems[i]))
			continue;
		struct smsd_candidate c = {smsd_limiter_parts_today(o->lim), o->pc.weight,
					   o->state == SMSD_MS_DEGRADED, o->idle_since};
		if (smsd_candidate_better(&c, &me)) {
			*retry_in = GATE_RETRY_MS;
			return false;
		}
	}
	return true;
}

void smsd_pool_claim_prepare(struct smsd_pool_modem *pm, const char *own_pool,
			     struct smsd_pool_claim *pc)
{
	const struct smsd_config *cfg = pm->d->cfg;

	memset(pc, 0, sizeof(*pc));
	snprintf(pc->key, sizeof(pc->key), "%s", pm->key[0] ? pm->key : pm->name);
	pc->b.key = pc->key;
	pc->b.max_parts = pm->budget.max_parts > 0 ? pm->budget.max_parts : 1;
	pc->b.new_recipients = pm->budget.new_recipients;
	pc->b.day_start = smsd_local_day_start(smsd_pool_now());
	pc->b.recipient_n = cfg->poolconf.recipient_rate.n; /* [send] recipient_rate */
	pc->b.recipient_window_ms = cfg->poolconf.recipient_rate.window_ms;
	pc->waiting = pm->budget.max_parts < SMSD_BUDGET_ANY || !pm->budget.new_recipients
			  ? smsd_wait_name(pm->budget.why != SMSD_WAIT_NONE ? pm->budget.why
									    : SMSD_WAIT_QUOTA)
			  : NULL;
	snprintf(pc->poolbuf[0], sizeof(pc->poolbuf[0]), "%s", own_pool);
	pc->pools[0] = pc->poolbuf[0];
	pc->n_pools = 1;
	/* pools falling back on this one, when none of their modems can send */
	for (size_t i = 0; i < cfg->poolconf.n_pools && pc->n_pools < 16; i++) {
		const struct smsd_pool_config *p = &cfg->poolconf.pools[i];
		if (!p->fallback || strcmp(p->fallback, own_pool) != 0 ||
		    pool_has_sender(pm, p->name, false))
			continue;
		snprintf(pc->poolbuf[pc->n_pools], sizeof(pc->poolbuf[0]), "%s", p->name);
		pc->pools[pc->n_pools] = pc->poolbuf[pc->n_pools];
		pc->n_pools++;
	}
}

int smsd_pool_claim_run(struct store *st, struct store_claim_req *req, struct smsd_pool_claim *pc,
			struct store_message **out, size_t *n_out)
{
	int rc;

	req->pools = pc->pools;
	req->n_pools = pc->n_pools;
	rc = store_pool_claim(st, req, &pc->b, out, n_out);
	if (rc >= 0 && pc->waiting)
		store_pool_mark_waiting(st, req, &pc->b, pc->waiting);
	/* recipient_rate: the held messages show `waiting` = rate; at most once a second per
	 * node (this runs in the store thread only), and whenever a claim was given back */
	static int64_t last_rmark;
	int64_t mono = smsd_mono_ms();
	if (rc >= 0 && pc->b.recipient_n > 0 &&
	    (pc->b.recipient_held || rc == 0 || mono - last_rmark >= MARK_EVERY_MS)) {
		last_rmark = mono;
		store_pool_mark_recipients(st, pc->pools, pc->n_pools, &pc->b);
	}
	return rc;
}

void smsd_pool_claim_empty(struct smsd_pool_modem *pm)
{
	pm->empty_until = smsd_mono_ms() + 2000;
}

void smsd_pool_sent_prepare(struct smsd_pool_modem *pm, const char *recipient, int seq,
			    struct smsd_pool_sent *ps)
{
	memset(ps, 0, sizeof(*ps));
	snprintf(ps->key, sizeof(ps->key), "%s", pm->key[0] ? pm->key : pm->name);
	snprintf(ps->recipient, sizeof(ps->recipient), "%s", recipient ? recipient : "");
	ps->at = smsd_pool_now();
	ps->day_start = smsd_local_day_start(ps->at);
	ps->month_start = smsd_local_month_start(ps->at);
	ps->first_part = seq <= 1;
}

int smsd_pool_sent_run(struct store *st, struct smsd_pool_sent *ps)
{
	return store_pool_count(st, ps->key, ps->day_start, ps->month_start, 1,
				ps->recipient[0] ? ps->recipient : NULL, &ps->new_recipient);
}

void smsd_pool_sent_done(struct smsd_pool_modem *pm, const struct smsd_pool_sent *ps)
{
	smsd_limiter_record(pm->lim, &pm->pc.limits, ps->at, ps->first_part, ps->new_recipient);
	pm->last_send_at = ps->at;
	pm->idle_since = ps->at;
	pm->empty_until = 0;
	smsd_pool_send_ok(pm);
	publish(pm);
}
