/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * POST /v1/modems/{name}/diagnose (issue 15/16): the HTTP thread asks for a diagnosis of one
 * modem and waits; the loop runs it in the modem's worker between sends (as any health
 * diagnosis), publishes its findings here and the state follows from them.
 *
 * The findings are the JSON of `smsctl diagnose --json`: {"device", "worst", "root_cause",
 * "findings": [{"id", "severity", "summary", "detail", "evidence": [{"command",
 * "response"}], "remedy"}]}.
 */
#ifndef SMSD_POOL_DIAG_H
#define SMSD_POOL_DIAG_H

#include <jansson.h>
#include <stdint.h>

#include <smsctl/diagnose.h>

struct smsctl_modem;

/* The `smsctl diagnose --json` object of @dg (new reference, NULL without memory). */
json_t *smsd_diagnosis_json(const struct smsctl_diagnosis *dg);

/* The signal (+CSQ rssi, -1 when not seen) and the operator's name ("" when not seen) in the
 * evidence of @dg. */
void smsd_diagnosis_radio(const struct smsctl_diagnosis *dg, int *csq, char *op, size_t size);
/* Worker thread, after a diagnosis of @m: when @op is still "" but @dg found the modem
 * registered (a diagnosis may skip +COPS?, Wavecom's does), ask `AT+COPS?` once. */
void smsd_diagnosis_operator(struct smsctl_modem *m, const struct smsctl_diagnosis *dg, char *op,
			     size_t size);

/* Publish the latest diagnosis of modem @name (JSON text, copied); wakes the waiters. */
void smsd_pool_diag_publish(const char *name, const char *json_text);
/* The generation of @name's latest diagnosis (0: none yet). */
uint64_t smsd_pool_diag_generation(const char *name);
/* A copy of @name's latest published diagnosis (free() it), NULL when none. */
char *smsd_pool_diag_latest(const char *name);
/* Wait until @name's generation passes @gen or @timeout_ms elapse.
 * @return the published JSON text (free() it), or NULL on timeout. */
char *smsd_pool_diag_wait(const char *name, uint64_t gen, int64_t timeout_ms);
/* Forget everything (daemon exit). */
void smsd_pool_diag_clear(void);

/* The route. */
struct smsd_request;
struct smsd_reply;
void smsd_pool_api_diagnose(void *app, const struct smsd_request *req, struct smsd_reply *rep);

#endif
