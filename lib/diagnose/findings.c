/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The findings model: the diagnosis object, its findings and their evidence, the getters,
 * and the order findings are listed in (layer, then as added). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/diagnose.h>
#include <smsctl/error.h>

#include "diagnose/internal.h"
#include "i18n.h"

/* ---- Severity ---- */

SMSCTL_API const char *smsctl_severity_name(enum smsctl_severity sev)
{
	switch (sev) {
	case SMSCTL_SEVERITY_OK:
		return "ok";
	case SMSCTL_SEVERITY_INFO:
		return "info";
	case SMSCTL_SEVERITY_WARNING:
		return "warning";
	case SMSCTL_SEVERITY_ERROR:
		return "error";
	}
	return "unknown";
}

/* ---- Findings ---- */

/* The layer of a finding, from its id: findings are ordered by it. */
int diag_layer_of(const char *id)
{
	static const struct {
		const char *prefix;
		int layer;
	} layers[] = {
	    {"port.", 0},    {"modem.", 1},	 {"sim.", 2},
	    {"signal.", 3},  {"net.", 4},	 {"sms.service", 5},
	    {"sms.smsc", 5}, {"sms.storage", 6}, {"sms.indications", 7},
	};
	for (size_t i = 0; i < sizeof(layers) / sizeof(layers[0]); i++)
		if (strncmp(id, layers[i].prefix, strlen(layers[i].prefix)) == 0)
			return layers[i].layer;
	return 8;
}

static void finding_free(struct smsctl_finding *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_ev; i++) {
		free(f->ev[i].command);
		free(f->ev[i].response);
	}
	free(f->ev);
	free(f->id);
	free(f->summary);
	free(f->detail);
	free(f->remedy);
	free(f);
}

struct smsctl_finding *diag_add(struct smsctl_diagnosis *d, const char *id,
				enum smsctl_severity sev, const char *summary, const char *detail,
				const char *remedy)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct smsctl_finding **n = realloc(d->f, cap * sizeof(*n));
		if (!n) {
			d->nomem = true;
			return NULL;
		}
		d->f = n;
		d->cap = cap;
	}
	struct smsctl_finding *f = calloc(1, sizeof(*f));
	if (!f) {
		d->nomem = true;
		return NULL;
	}
	f->id = strdup(id);
	f->summary = strdup(summary ? summary : "");
	f->detail = strdup(detail ? detail : "");
	f->remedy = strdup(remedy ? remedy : "");
	if (!f->id || !f->summary || !f->detail || !f->remedy) {
		finding_free(f);
		d->nomem = true;
		return NULL;
	}
	f->sev = sev;
	f->layer = diag_layer_of(id);
	f->seq = d->n;
	d->f[d->n++] = f;
	return f;
}

void diag_evidence(struct smsctl_finding *f, const char *command, const char *response)
{
	if (!f || !command)
		return;
	for (size_t i = 0; i < f->n_ev; i++) /* the same exchange once */
		if (strcmp(f->ev[i].command, command) == 0 &&
		    strcmp(f->ev[i].response, response ? response : "") == 0)
			return;
	struct evidence *n = realloc(f->ev, (f->n_ev + 1) * sizeof(*n));
	if (!n)
		return;
	f->ev = n;
	char *c = strdup(command);
	char *r = strdup(response ? response : "");
	if (!c || !r) {
		free(c);
		free(r);
		return;
	}
	f->ev[f->n_ev].command = c;
	f->ev[f->n_ev].response = r;
	f->n_ev++;
}

void diag_evidence_reply(struct smsctl_finding *f, const struct diag_reply *r)
{
	char buf[DIAG_MAX_LINES * DIAG_LINE_MAX + DIAG_LINE_MAX];
	size_t len = 0;

	if (!f || !r || !r->asked)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < r->n_lines; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "\n" : "",
					r->lines[i]);
	if (r->final[0])
		snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "\n" : "", r->final);
	else if (r->result == SMSCTL_RESULT_TIMEOUT && len == 0)
		snprintf(buf, sizeof(buf), "%s", _("(no answer)"));
	diag_evidence(f, r->command, buf);
}

static int cmp_findings(const void *a, const void *b)
{
	const struct smsctl_finding *x = *(const struct smsctl_finding *const *)a;
	const struct smsctl_finding *y = *(const struct smsctl_finding *const *)b;

	if (x->layer != y->layer)
		return x->layer < y->layer ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diag_sort(struct smsctl_diagnosis *d)
{
	qsort(d->f, d->n, sizeof(*d->f), cmp_findings);
}

/* ---- Getters ---- */

SMSCTL_API void smsctl_diagnosis_free(struct smsctl_diagnosis *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		finding_free(d->f[i]);
	free(d->f);
	free(d->device);
	free(d);
}

SMSCTL_API const char *smsctl_diagnosis_get_device(const struct smsctl_diagnosis *d)
{
	return d && d->device ? d->device : "";
}

SMSCTL_API enum smsctl_severity smsctl_diagnosis_get_worst(const struct smsctl_diagnosis *d)
{
	enum smsctl_severity worst = SMSCTL_SEVERITY_OK;

	for (size_t i = 0; d && i < d->n; i++)
		if (d->f[i]->sev > worst)
			worst = d->f[i]->sev;
	return worst;
}

SMSCTL_API const struct smsctl_finding *
smsctl_diagnosis_get_root_cause(const struct smsctl_diagnosis *d)
{
	enum smsctl_severity worst = smsctl_diagnosis_get_worst(d);

	if (worst < SMSCTL_SEVERITY_WARNING)
		return NULL;
	/* The findings are kept in layer order (diag_sort()): the first of the worst. */
	for (size_t i = 0; i < d->n; i++)
		if (d->f[i]->sev == worst)
			return d->f[i];
	return NULL;
}

SMSCTL_API unsigned long smsctl_diagnosis_get_command_count(const struct smsctl_diagnosis *d)
{
	return d ? d->commands : 0;
}

SMSCTL_API size_t smsctl_diagnosis_get_count(const struct smsctl_diagnosis *d)
{
	return d ? d->n : 0;
}

SMSCTL_API const struct smsctl_finding *
smsctl_diagnosis_get_finding(const struct smsctl_diagnosis *d, size_t i)
{
	return d && i < d->n ? d->f[i] : NULL;
}

SMSCTL_API const struct smsctl_finding *smsctl_diagnosis_find(const struct smsctl_diagnosis *d,
							      const char *id)
{
	for (size_t i = 0; d && id && i < d->n; i++)
		if (strcmp(d->f[i]->id, id) == 0)
			return d->f[i];
	return NULL;
}

SMSCTL_API const char *smsctl_finding_get_id(const struct smsctl_finding *f)
{
	return f ? f->id : "";
}

SMSCTL_API enum smsctl_severity smsctl_finding_get_severity(const struct smsctl_finding *f)
{
	return f ? f->sev : SMSCTL_SEVERITY_OK;
}

SMSCTL_API const char *smsctl_finding_get_summary(const struct smsctl_finding *f)
{
	return f ? f->summary : "";
}

SMSCTL_API const char *smsctl_finding_get_detail(const struct smsctl_finding *f)
{
	return f ? f->detail : "";
}

SMSCTL_API const char *smsctl_finding_get_remedy(const struct smsctl_finding *f)
{
	return f ? f->remedy : "";
}

SMSCTL_API size_t smsctl_finding_get_evidence_count(const struct smsctl_finding *f)
{
	return f ? f->n_ev : 0;
}

SMSCTL_API int smsctl_finding_get_evidence(const struct smsctl_finding *f, size_t i,
					   const char **command, const char **response)
{
	if (command)
		*command = NULL;
	if (response)
		*response = NULL;
	if (!f || i >= f->n_ev)
		return SMSCTL_ERR_INVALID;
	if (command)
		*command = f->ev[i].command;
	if (response)
		*response = f->ev[i].response;
	return 0;
}
