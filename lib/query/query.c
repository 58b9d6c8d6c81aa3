/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one table of vendors and their ICCID commands, the one set of fatal errors, the one
 * clock and pause, shared by sms/ and diagnose/.
 *
 * Sierra Wireless: the MC/EM modules' own command is AT!ICCID?, and their firmware also
 * answers AT+ICCID ("ICCID: 8949..."), which is what this table uses (the networkmanager-list
 * thread "AT!ICCID before PIN-entry fails", July 2013, shows an MC-series modem answering it).
 * AT+CCID is the Wavecom heritage of the older AirPrime Q/SL series and stays the fallback.
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include <smsctl/error.h>

#include "query/query.h"

bool query_link_lost(int rc)
{
	return rc == SMSCTL_ERR_TIMEOUT || rc == SMSCTL_ERR_GONE || rc == SMSCTL_ERR_IO ||
	       rc == SMSCTL_ERR_NOMEM;
}

bool query_fatal(int rc)
{
	return query_link_lost(rc) || rc == SMSCTL_ERR_STATE || rc == SMSCTL_ERR_CANCELLED;
}

unsigned long long query_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000ull +
	       (unsigned long long)ts.tv_nsec / 1000000ull;
}

void query_pause_ms(struct smsctl_modem *m, unsigned ms)
{
	unsigned long long end = query_now_ms() + ms;

	for (;;) {
		unsigned long long now = query_now_ms();
		if (now >= end)
			return;
		if (smsctl_modem_wait(m, (int)(end - now)) < 0)
			return;
	}
}

/* The ICCID commands, in the order to try them. */
static const char *const iccid_cmds[] = {
    "AT+QCCID",
    "AT^ICCID?",
    "AT^SCID",
    "AT+CCID",
    "AT+ICCID",
    /* EF_ICCID (2FE2) through the SIM access command of 27.007 8.18: every modem */
    "AT+CRSM=176,12258,0,0,10",
};
#define N_ICCID (sizeof(iccid_cmds) / sizeof(iccid_cmds[0]))

/* The one vendor table: a word of the AT+CGMI answer, the vendor, its ICCID command (an
 * index into iccid_cmds) and whether that command is the vendor's own. */
static const struct {
	const char *word;
	enum query_vendor v;
	unsigned char iccid;
	bool own;
} vendors[] = {
    {"wavecom", QUERY_V_WAVECOM, 3, true},     {"sierra", QUERY_V_SIERRA, 4, true},
    {"cinterion", QUERY_V_CINTERION, 2, true}, {"siemens", QUERY_V_CINTERION, 2, true},
    {"gemalto", QUERY_V_CINTERION, 2, true},   {"thales", QUERY_V_CINTERION, 2, true},
    {"simcom", QUERY_V_SIMCOM, 3, true},       {"quectel", QUERY_V_QUECTEL, 0, true},
    {"huawei", QUERY_V_HUAWEI, 1, true},       {"zte", QUERY_V_ZTE, 3, false},
    {"telit", QUERY_V_TELIT, 4, true},	       {"u-blox", QUERY_V_UBLOX, 3, false},
    {"ublox", QUERY_V_UBLOX, 3, false},
};
#define N_VENDORS (sizeof(vendors) / sizeof(vendors[0]))

enum query_vendor query_vendor_from(const char *s)
{
	char low[64];
	size_t n = 0;

	if (!s)
		return QUERY_V_UNKNOWN;
	for (; *s && n + 1 < sizeof(low); s++)
		low[n++] = (char)tolower((unsigned char)*s);
	low[n] = '\0';
	for (size_t i = 0; i < N_VENDORS; i++)
		if (strstr(low, vendors[i].word))
			return vendors[i].v;
	return QUERY_V_UNKNOWN;
}

const char *query_iccid_command(enum query_vendor v, bool *own)
{
	for (size_t i = 0; i < N_VENDORS; i++)
		if (vendors[i].v == v) {
			if (own)
				*own = vendors[i].own;
			return iccid_cmds[vendors[i].iccid];
		}
	if (own)
		*own = false;
	return "AT+CCID"; /* the most common one */
}

size_t query_iccid_count(void)
{
	return N_ICCID;
}

const char *query_iccid_command_at(size_t i)
{
	return i < N_ICCID ? iccid_cmds[i] : NULL;
}

const char *query_signal_command(enum query_vendor v, const char **prefix)
{
	const char *cmd = NULL, *pre = NULL;

	if (v == QUERY_V_HUAWEI) {
		cmd = "AT^HCSQ?";
		pre = "^HCSQ:";
	} else if (v == QUERY_V_QUECTEL) {
		cmd = "AT+QCSQ";
		pre = "+QCSQ:";
	}
	if (prefix)
		*prefix = pre;
	return cmd;
}
