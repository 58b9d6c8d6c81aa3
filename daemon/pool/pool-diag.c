/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* POST /v1/modems/{name}/diagnose (pool-diag.h). */
#include "pool-diag.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/smsctl.h>

#include "../balance.h"
#include "../http.h"
#include "../smsctld.h"
#include "pool-run.h"

#define DIAG_WAIT_MS (50 * 1000LL) /* below the CLI's 60 s: a send in progress is waited for */

json_t *smsd_diagnosis_json(const struct smsctl_diagnosis *dg)
{
	const struct smsctl_finding *root = smsctl_diagnosis_get_root_cause(dg);
	json_t *arr = json_array(), *o;

	if (!arr)
		return NULL;
	for (size_t i = 0; i < smsctl_diagnosis_get_count(dg); i++) {
		const struct smsctl_finding *f = smsctl_diagnosis_get_finding(dg, i);
		json_t *ev = json_array();
		for (size_t k = 0; ev && k < smsctl_finding_get_evidence_count(f); k++) {
			const char *cmd = NULL, *resp = NULL;
			if (smsctl_finding_get_evidence(f, k, &cmd, &resp) == 0)
				json_array_append_new(ev, json_pack("{s:s?, s:s?}", "command", cmd,
								    "response", resp));
		}
		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:s?, s:s?, s:o, s:s?}", "id", smsctl_finding_get_id(f),
			      "severity", smsctl_severity_name(smsctl_finding_get_severity(f)),
			      "summary", smsctl_finding_get_summary(f), "detail",
			      smsctl_finding_get_detail(f), "evidence", ev ? ev : json_array(),
			      "remedy", smsctl_finding_get_remedy(f)));
	}
	o = json_pack("{s:s?, s:s, s:s?, s:o}", "device", smsctl_diagnosis_get_device(dg), "worst",
		      smsctl_severity_name(smsctl_diagnosis_get_worst(dg)), "root_cause",
		      root ? smsctl_finding_get_id(root) : NULL, "findings", arr);
	return o;
}

/* +COPS: mode,format,"name"[,act]: the name between the first quotes, into op when found. */
static void cops_name(const char *resp, char *op, size_t size)
{
	const char *p;

	if (resp && (p = strstr(resp, "+COPS: ")) && (p = strchr(p, '"'))) {
		size_t n = strcspn(p + 1, "\"\r\n");
		if (n > 0 && n < size) {
			memcpy(op, p + 1, n);
			op[n] = '\0';
		}
	}
}

void smsd_diagnosis_radio(const struct smsctl_diagnosis *dg, int *csq, char *op, size_t size)
{
	*csq = -1;
	op[0] = '\0';
	for (size_t i = 0; i < smsctl_diagnosis_get_count(dg); i++) {
		const struct smsctl_finding *f = smsctl_diagnosis_get_finding(dg, i);
		for (size_t k = 0; k < smsctl_finding_get_evidence_count(f); k++) {
			const char *cmd = NULL, *resp = NULL, *p;
			int a;
			if (smsctl_finding_get_evidence(f, k, &cmd, &resp) < 0 || !resp)
				continue;
			if ((p = strstr(resp, "+CSQ: ")) && sscanf(p, "+CSQ: %d", &a) == 1 &&
			    a >= 0 && a <= 99)
				*csq = a;
			cops_name(resp, op, size);
		}
	}
}

void smsd_diagnosis_operator(struct smsctl_modem *m, const struct smsctl_diagnosis *dg, char *op,
			     size_t size)
{
	struct smsctl_response *r = NULL;

	if (op[0] ||
	    (!smsctl_diagnosis_find(dg, "net.ok") && !smsctl_diagnosis_find(dg, "net.roaming")))
		return;
	if (smsctl_modem_command(m, "AT+COPS?", 0, &r) == 0)
		for (size_t i = 0; i < smsctl_response_get_line_count(r); i++)
			cops_name(smsctl_response_get_line(r, i), op, size);
	smsctl_response_free(r);
}

/* ---- the latest diagnosis of each modem, by name ---- */

struct slot {
	char name[80];
	uint64_t gen;
	char *json;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct slot *slots;
static size_t n_slots;

static struct slot *find(const char *name, bool add)
{
	for (size_t i = 0; i < n_slots; i++)
		if (strcmp(slots[i].name, name) == 0)
			return &slots[i];
	if (!add)
		return NULL;
	struct slot *v = realloc(slots, (n_slots + 1) * sizeof(*v));
	if (!v)
		return NULL;
	slots = v;
	memset(&slots[n_slots], 0, sizeof(slots[0]));
	snprintf(slots[n_slots].name, sizeof(slots[0].name), "%s", name);
	return &slots[n_slots++];
}

void smsd_pool_diag_publish(const char *name, const char *json_text)
{
	char *copy = json_text ? strdup(json_text) : NULL;

	pthread_mutex_lock(&lock);
	struct slot *s = find(name, true);
	if (s) {
		free(s->json);
		s->json = copy;
		s->gen++;
		copy = NULL;
	}
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	free(copy);
}

uint64_t smsd_pool_diag_generation(const char *name)
{
	uint64_t g;

	pthread_mutex_lock(&lock);
	struct slot *s = find(name, false);
	g = s ? s->gen : 0;
	pthread_mutex_unlock(&lock);
	return g;
}

char *smsd_pool_diag_latest(const char *name)
{
	char *out = NULL;

	pthread_mutex_lock(&lock);
	struct slot *s = find(name, false);
	if (s && s->json)
		out = strdup(s->json);
	pthread_mutex_unlock(&lock);
	return out;
}

char *smsd_pool_diag_wait(const char *name, uint64_t gen, int64_t timeout_ms)
{
	struct timespec until;
	char *out = NULL;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)(timeout_ms / 1000);
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&lock);
	for (;;) {
		struct slot *s = find(name, false);
		if (s && s->gen > gen) {
			out = s->json ? strdup(s->json) : NULL;
			break;
		}
		if (pthread_cond_timedwait(&cond, &lock, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&lock);
	return out;
}

void smsd_pool_diag_clear(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n_slots; i++)
		free(slots[i].json);
	free(slots);
	slots = NULL;
	n_slots = 0;
	pthread_mutex_unlock(&lock);
}

/* ---- the route ---- */

/* The warning sim.balance_low (balance.c) joins the findings of the answer o; it becomes the
 * root cause when nothing worse was found. */
static void add_balance(const char *name, json_t *o)
{
	json_t *f = json_object_get(o, "findings");
	json_t *tmp = json_is_array(f) ? json_pack("{s:O}", "findings", f) : NULL;
	size_t before = json_array_size(f);

	if (!tmp)
		return;
	smsd_balance_api_fields(name, tmp); /* appends to the same array */
	json_decref(tmp);
	if (json_array_size(f) == before)
		return;
	const char *worst = json_string_value(json_object_get(o, "worst"));
	if (!worst || strcmp(worst, "ok") == 0 || strcmp(worst, "info") == 0) {
		json_object_set_new(o, "worst", json_string("warning"));
		json_object_set_new(o, "root_cause", json_string("sim.balance_low"));
	}
}

void smsd_pool_api_diagnose(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	const char *name = req->params[0];
	uint64_t gen = smsd_pool_diag_generation(name);
	char state[16] = "";

	if (smsd_pool_request_diagnose(name, state, sizeof(state)) < 0) {
		smsd_reply_error(rep, 404, "not_found", NULL, "no modem named %.80s", name);
		return;
	}
	if (strcmp(state, "gone") == 0) {
		smsd_reply_error(rep, 409, "modem_gone", NULL,
				 "modem %.80s is gone (unplugged or not answering); it is reopened "
				 "every 5 s",
				 name);
		return;
	}
	smsd_wake(d);
	char *text = smsd_pool_diag_wait(name, gen, DIAG_WAIT_MS);
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (!o) {
		smsd_reply_error(rep, 504, "timeout", NULL,
				 "modem %.80s did not finish a diagnosis in time", name);
		return;
	}
	struct smsd_pool_snapshot *v = NULL;
	size_t n = smsd_pool_snapshots(&v);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, name) == 0) {
			json_object_set_new(o, "state", json_string(v[i].state));
			json_object_set_new(
			    o, "reason", v[i].reason[0] ? json_string(v[i].reason) : json_null());
		}
	}
	free(v);
	add_balance(name, o);
	json_object_set_new(o, "name", json_string(name));
	rep->status = 200;
	rep->body = o;
}
