/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Balance checks of smsctld (issue 15, "Balance"): per modem, `balance_ussd` (a USSD code)
 * or `balance_sms` (NUMBER TEXT, the reply from NUMBER consumed within `balance_wait`
 * instead of entering the inbox), `balance_regex` for the amount, every `balance_interval`
 * and once after start; below `balance_low` the event `sim.balance_low` and the warning
 * finding `sim.balance_low` in the modem's API object. Also the USSD route
 * POST /v1/modems/{name}/ussd and POST /v1/modems/{name}/balance (run the query now).
 *
 * Threads: smsd_balance_wants_work() in the loop; smsd_balance_work() in the modem's worker
 * (the loop leaves the handle alone meanwhile); smsd_balance_take_sms() wherever the receiver
 * calls back; the API functions in the HTTP threads. The state is under a lock.
 */
#ifndef SMSD_BALANCE_H
#define SMSD_BALANCE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct smsd;
struct smsd_pool_modem_config;
struct smsctl_modem;
struct smsd_request;
struct smsd_reply;
struct smsd_balance;

/* Copies what it needs of pc. NULL without memory. */
struct smsd_balance *smsd_balance_new(struct smsd *d, const char *modem,
				      const struct smsd_pool_modem_config *pc);
void smsd_balance_free(struct smsd_balance *b);

/* Loop thread, the modem open and idle: whether to run smsd_balance_work() now (a query is
 * due, or the API asked for one). */
bool smsd_balance_wants_work(struct smsd_balance *b);
/* Worker thread: run what is due on m (blocking). iccid: the SIM's, for the event. */
void smsd_balance_work(struct smsd_balance *b, struct smsctl_modem *m, const char *iccid);
/* A received SMS: true when it is the awaited balance reply (consumed: not for the inbox). */
bool smsd_balance_take_sms(struct smsd_balance *b, const char *sender, const char *text);

/* API: "balance", "balance_at" (null until read) and, while below balance_low, the finding
 * sim.balance_low appended to "findings" of the modem object obj. */
void smsd_balance_api_fields(const char *modem, json_t *obj);
/* The last reading of the modem's balance for the metrics and the status page: false while
 * none was read (or the modem has no balance check). at_ms: wall clock. */
bool smsd_balance_last(const char *modem, double *value, int64_t *at_ms);
void smsd_balance_api_ussd(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_balance_api_run(void *app, const struct smsd_request *req, struct smsd_reply *rep);

#define SMSD_BALANCE_ROUTES                                                                        \
	{"POST", "/v1/modems/{name}/ussd", smsd_balance_api_ussd, false},                          \
	{                                                                                          \
		"POST", "/v1/modems/{name}/balance", smsd_balance_api_run, false                   \
	}

#endif
