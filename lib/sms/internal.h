/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: state and helpers shared by the SMS operations (sms-prepare.c, sms-send.c,
 * sms-status.c). The state of one handle lives in the handle's data slot
 * (smsctl_modem_set_data()), never in the engine itself. */
#ifndef SMSCTL_SMS_INTERNAL_H
#define SMSCTL_SMS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/modem.h>

#include "parse/parse.h"
#include "query/query.h"

/* What the SMS layer knows about one open handle. */
struct sms_state {
	struct smsctl_modem *m;
	bool basic;	 /* echo off and numeric errors (+CMEE=1) sent and accepted */
	bool prepared;	 /* basic + PDU mode + SIM ready */
	int chain;	 /* chained commands: -1 unknown, 0 refused, 1 accepted */
	int basic_chain; /* "ATE0;+CMEE=1": -1 unknown, 0 refused, 1 accepted */
	bool cpin_no_ok; /* AT+CPIN? ends without a final result (Wavecom) */
	int boot_urc[3]; /* handlers that notice a reboot (RDY, ^SYSSTART, +CPIN: NOT READY) */
	int sim_state;	 /* what the last smsctl_sms_prepare() found, 0 before one */
	bool probed;	 /* the first command timed out once and the port was probed */
	char detail[256];
};

/* The state of m, created on first use; NULL only when out of memory. */
struct sms_state *sms_state_get(struct smsctl_modem *m);
/* Forget what was set up (after the modem went away or rebooted). */
void sms_state_reset(struct sms_state *st);
void sms_set_detail(struct sms_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Echo off and numeric errors, chained where possible; no SIM access. */
int sms_basic_init(struct smsctl_modem *m, struct sms_state *st);

/* A hex SMSC-prefixed SMS-SUBMIT (at most 200 bytes, hex digits only) -> the TPDU length
 * AT+CMGS and AT+CMGW want; -1 when malformed. */
int sms_tpdu_length(const char *hex);

/* The first intermediate line starting with prefix, NULL when none. Borrowed from resp. */
const char *sms_find_line(const struct smsctl_response *resp, const char *prefix);

#endif
