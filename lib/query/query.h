/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: what both the SMS operations (sms/) and the diagnosis (diagnose/) know about a
 * modem's answers: which manufacturer it is and which of its commands to use, which errors
 * end a call, the clock and a pause that keeps the engine running. No state; every function
 * is safe to call from any thread on its own handle. */
#ifndef SMSCTL_QUERY_H
#define SMSCTL_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/modem.h>

/* ---- errors ---- */

/* The link is lost: the modem went away, does not answer, the port failed or memory ran
 * out. Nothing more can be asked in this call. */
bool query_link_lost(int rc);
/* A query's failure that ends the operation: the link is lost, or the handle is in no state
 * to be used (busy in another call, closed under it). Any other negative code (an error
 * answer) concerns the one query only. */
bool query_fatal(int rc);

/* ---- clock and pause ---- */

/* Milliseconds of CLOCK_MONOTONIC. */
unsigned long long query_now_ms(void);
/* Run m's event loop for ms milliseconds (URCs keep flowing); returns early when the modem
 * goes away. */
void query_pause_ms(struct smsctl_modem *m, unsigned ms);

/* ---- vendors ---- */

enum query_vendor {
	QUERY_V_UNKNOWN = 0,
	QUERY_V_WAVECOM,
	QUERY_V_CINTERION,
	QUERY_V_SIMCOM,
	QUERY_V_QUECTEL,
	QUERY_V_HUAWEI,
	QUERY_V_ZTE,
	QUERY_V_TELIT,
	QUERY_V_UBLOX,
	QUERY_V_SIERRA,
};

/* The vendor named in an AT+CGMI answer (case-insensitive, anywhere in it); UNKNOWN for
 * NULL or a name not in the table. */
enum query_vendor query_vendor_from(const char *manufacturer);

/* The ICCID command to ask a modem of vendor v first, e.g. "AT+CCID". *own (may be NULL) is
 * set when it is the vendor's own documented command, false when it is only the most common
 * guess (unknown vendors, ZTE, u-blox). Never NULL. */
const char *query_iccid_command(enum query_vendor v, bool *own);

/* Every ICCID command known, in the order to try them when the vendor's own failed; the
 * last one (AT+CRSM read of EF_ICCID) works on any modem. i < query_iccid_count(). */
size_t query_iccid_count(void);
const char *query_iccid_command_at(size_t i);

#endif
