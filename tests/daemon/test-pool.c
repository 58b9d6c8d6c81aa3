// SPDX-License-Identifier: LGPL-2.1-or-later
/* Modem pools (issue 15), the pure logic: rates, the sliding window, spacing with jitter,
 * daily and monthly limits, distinct recipients, the send window, local midnight and month
 * ends, the finding-to-state mapping, cooling, the choice among modems, routes and the
 * configuration keys with their file:line errors. Time is a parameter everywhere; the time
 * zone is fixed per test (China's CST-8, no DST, and UTC). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "pool/pool-limits.h"
#include "pool/pool-sched.h"

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* ms of a local wall-clock time in the current TZ */
static int64_t local_ms(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {0};

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

/* ms of a UTC time */
static int64_t utc_ms(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {0};

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * 1000;
}

/* ---- rates ---- */

static const struct {
	const char *text;
	int ok;
	long long n, ms;
} rate_cases[] = {
    {"6/min", 1, 6, 60000},
    {"1/s", 1, 1, 1000},
    {"100/h", 1, 100, 3600000},
    {"1000/day", 1, 1000, 86400000},
    {"5/m", 1, 5, 60000},
    {"1000000/s", 1, 1000000, 1000},
    {"0/min", 0, 0, 0},
    {"6", 0, 0, 0},
    {"/min", 0, 0, 0},
    {"6/", 0, 0, 0},
    {"6/week", 0, 0, 0},
    {"-6/min", 0, 0, 0},
    {"6 /min", 0, 0, 0},
    {"1000001/s", 0, 0, 0},
    {"99999999999999999999/s", 0, 0, 0},
    {"", 0, 0, 0},
};

START_TEST(test_rate_parse)
{
	struct smsd_rate r = {0, 0};
	int rc = smsd_rate_parse(rate_cases[_i].text, &r);

	ck_assert_msg((rc == 0) == rate_cases[_i].ok, "'%s'", rate_cases[_i].text);
	if (rate_cases[_i].ok) {
		ck_assert_int_eq(r.n, rate_cases[_i].n);
		ck_assert_int_eq(r.window_ms, rate_cases[_i].ms);
	}
}
END_TEST

/* ---- send window ---- */

static const struct {
	const char *text;
	int ok, start, end;
} window_cases[] = {
    {"08:00-21:00", 1, 480, 1260},
    {"22:00-06:00", 1, 1320, 360},
    {"00:00-24:00", 1, 0, 1440},
    {"8:00-21:00", 0, 0, 0},
    {"08:00-08:00", 0, 0, 0},
    {"25:00-26:00", 0, 0, 0},
    {"08:60-21:00", 0, 0, 0},
    {"08:00 21:00", 0, 0, 0},
    {"24:00-08:00", 0, 0, 0},
    {"08:00-21:00x", 0, 0, 0},
    {"", 0, 0, 0},
};

START_TEST(test_window_parse)
{
	struct smsd_clock_window w = {false, 0, 0};
	int rc = smsd_clock_window_parse(window_cases[_i].text, &w);

	ck_assert_msg((rc == 0) == window_cases[_i].ok, "'%s'", window_cases[_i].text);
	if (window_cases[_i].ok) {
		ck_assert(w.set);
		ck_assert_int_eq(w.start_min, window_cases[_i].start);
		ck_assert_int_eq(w.end_min, window_cases[_i].end);
	}
}
END_TEST

START_TEST(test_window_contains)
{
	struct smsd_clock_window day, night;
	int64_t next;

	set_tz("CST-8");
	ck_assert_int_eq(smsd_clock_window_parse("08:00-21:00", &day), 0);
	ck_assert_int_eq(smsd_clock_window_parse("22:00-06:00", &night), 0);
	/* 07:59 local: closed, opens at 08:00 the same day */
	ck_assert(!smsd_clock_window_contains(&day, local_ms(2026, 12, 5, 7, 59, 0), &next));
	ck_assert_int_eq(next, local_ms(2026, 12, 5, 8, 0, 0));
	ck_assert(smsd_clock_window_contains(&day, local_ms(2026, 12, 5, 8, 0, 0), NULL));
	ck_assert(smsd_clock_window_contains(&day, local_ms(2026, 12, 5, 20, 59, 59), NULL));
	/* 21:00 is out: opens the next morning */
	ck_assert(!smsd_clock_window_contains(&day, local_ms(2026, 12, 5, 21, 0, 0), &next));
	ck_assert_int_eq(next, local_ms(2026, 12, 6, 8, 0, 0));
	/* the window is local time: 08:00 in China is 00:00 UTC */
	ck_assert(smsd_clock_window_contains(&day, utc_ms(2026, 12, 5, 0, 0, 0), NULL));
	ck_assert(!smsd_clock_window_contains(&day, utc_ms(2026, 12, 4, 23, 59, 0), NULL));
	/* wrapping midnight */
	ck_assert(smsd_clock_window_contains(&night, local_ms(2026, 12, 5, 23, 0, 0), NULL));
	ck_assert(smsd_clock_window_contains(&night, local_ms(2026, 12, 6, 5, 59, 0), NULL));
	ck_assert(!smsd_clock_window_contains(&night, local_ms(2026, 12, 6, 6, 0, 0), &next));
	ck_assert_int_eq(next, local_ms(2026, 12, 6, 22, 0, 0));
	/* month end: 31 Dec 21:30 opens on 1 Jan */
	ck_assert(!smsd_clock_window_contains(&day, local_ms(2026, 12, 31, 21, 30, 0), &next));
	ck_assert_int_eq(next, local_ms(2027, 1, 1, 8, 0, 0));
}
END_TEST

/* ---- local calendar ---- */

START_TEST(test_local_midnight)
{
	set_tz("CST-8");
	/* 23:59:59 local on 5 Dec is 15:59:59 UTC: its day began at 16:00 UTC the day before */
	int64_t t = utc_ms(2026, 12, 5, 15, 59, 59);
	ck_assert_int_eq(smsd_local_day_start(t), utc_ms(2026, 12, 4, 16, 0, 0));
	ck_assert_int_eq(smsd_local_next_day(t), utc_ms(2026, 12, 5, 16, 0, 0));
	/* one second later it is a new local day */
	ck_assert_int_eq(smsd_local_day_start(t + 1000), utc_ms(2026, 12, 5, 16, 0, 0));
	/* month end, year end, a leap day */
	t = local_ms(2026, 12, 31, 23, 0, 0);
	ck_assert_int_eq(smsd_local_month_start(t), local_ms(2026, 12, 1, 0, 0, 0));
	ck_assert_int_eq(smsd_local_next_month(t), local_ms(2027, 1, 1, 0, 0, 0));
	ck_assert_int_eq(smsd_local_next_day(t), local_ms(2027, 1, 1, 0, 0, 0));
	t = local_ms(2028, 2, 28, 12, 0, 0);
	ck_assert_int_eq(smsd_local_next_day(t), local_ms(2028, 2, 29, 0, 0, 0));
	ck_assert_int_eq(smsd_local_next_month(t), local_ms(2028, 3, 1, 0, 0, 0));
	t = local_ms(2027, 2, 28, 12, 0, 0);
	ck_assert_int_eq(smsd_local_next_day(t), local_ms(2027, 3, 1, 0, 0, 0));
	ck_assert_int_eq(smsd_local_minute(local_ms(2026, 12, 5, 13, 37, 59)), 13 * 60 + 37);
	set_tz("UTC0");
	ck_assert_int_eq(smsd_local_day_start(utc_ms(2026, 12, 5, 15, 59, 59)),
			 utc_ms(2026, 12, 5, 0, 0, 0));
}
END_TEST

/* ---- the sliding window ---- */

static struct smsd_limits lim_rate(long long n, long long ms)
{
	struct smsd_limits lim;

	memset(&lim, 0, sizeof(lim));
	lim.rate.n = n;
	lim.rate.window_ms = ms;
	return lim;
}

static void send_parts(struct smsd_limiter *l, const struct smsd_limits *lim, int64_t t, int parts)
{
	for (int i = 0; i < parts; i++)
		smsd_limiter_record(l, lim, t, i == 0, i == 0);
}

START_TEST(test_rate_window)
{
	struct smsd_limits lim = lim_rate(6, 60000);
	struct smsd_limiter *l = smsd_limiter_new(1);
	struct smsd_budget b;
	int64_t t0 = utc_ms(2026, 12, 5, 10, 0, 0);

	/* empty window: any message goes */
	smsd_limiter_budget(l, &lim, t0, &b);
	ck_assert_int_eq(b.max_parts, SMSD_BUDGET_ANY);
	ck_assert_int_eq(b.why, SMSD_WAIT_NONE);
	/* 4 parts in the last minute: a 3-part message does not fit, 2 would */
	for (int i = 0; i < 4; i++)
		send_parts(l, &lim, t0 + i * 1000, 1);
	smsd_limiter_budget(l, &lim, t0 + 10000, &b);
	ck_assert_int_eq(b.max_parts, 2);
	ck_assert_int_eq(b.why, SMSD_WAIT_RATE);
	ck_assert_int_eq(b.retry_at, t0 + 60000);
	/* once the first part left the window, 3 fit: sent back to back */
	smsd_limiter_budget(l, &lim, t0 + 60000, &b);
	ck_assert_int_eq(b.max_parts, 3);
	send_parts(l, &lim, t0 + 60000, 3);
	ck_assert_int_eq(smsd_limiter_rate_used(l, &lim, t0 + 60000), 6);
	smsd_limiter_budget(l, &lim, t0 + 60000, &b);
	ck_assert_int_eq(b.max_parts, 0);
	ck_assert_int_eq(b.why, SMSD_WAIT_RATE);
	ck_assert_int_eq(b.retry_at, t0 + 61000); /* when the part sent at t0+1s leaves */
	smsd_limiter_free(l);

	/* an 8-part message under 6/min goes out whole once the window is empty */
	l = smsd_limiter_new(1);
	send_parts(l, &lim, t0, 1);
	smsd_limiter_budget(l, &lim, t0 + 59999, &b);
	ck_assert_int_lt(b.max_parts, 8);
	smsd_limiter_budget(l, &lim, t0 + 60000, &b);
	ck_assert_int_eq(b.max_parts, SMSD_BUDGET_ANY);
	send_parts(l, &lim, t0 + 60000, 8);
	smsd_limiter_budget(l, &lim, t0 + 61000, &b);
	ck_assert_int_eq(b.max_parts, 0);
	/* the 8 parts fill the window past N: nothing until 3 of them left (8 - 6 + 1) */
	ck_assert_int_eq(b.retry_at, t0 + 120000);
	smsd_limiter_free(l);
}
END_TEST

/* A scheduler driven by the budget never puts more than N parts in any window of that length
 * (every message at most N parts), whatever the sizes; and it keeps sending. */
START_TEST(test_rate_property)
{
	struct smsd_limits lim = lim_rate(6, 60000);
	struct smsd_limiter *l = smsd_limiter_new(7);
	int64_t t = utc_ms(2026, 12, 5, 10, 0, 0), start = t;
	int64_t sent[4000];
	size_t n = 0;
	unsigned seed = 12345;
	int want = 1 + (int)(rand_r(&seed) % 3);

	while (n < 3900 && t < start + 24LL * 3600 * 1000) {
		struct smsd_budget b;
		smsd_limiter_budget(l, &lim, t, &b);
		if (b.max_parts >= want) {
			send_parts(l, &lim, t, want);
			for (int i = 0; i < want; i++)
				sent[n++] = t;
			want = 1 + (int)(rand_r(&seed) % 6);
		}
		t += 250 + rand_r(&seed) % 2000;
	}
	ck_assert_uint_gt(n, 1000);
	for (size_t i = 0; i < n; i++) {
		size_t k = i;
		while (k < n && sent[k] < sent[i] + 60000)
			k++;
		ck_assert_msg(k - i <= 6, "%zu parts within 60 s starting at part %zu", k - i, i);
	}
	smsd_limiter_free(l);
}
END_TEST

START_TEST(test_min_interval_jitter)
{
	struct smsd_limits lim;
	struct smsd_limiter *l = smsd_limiter_new(42);
	struct smsd_budget b;
	int64_t t = utc_ms(2026, 12, 5, 10, 0, 0);
	int64_t min_gap = 1LL << 60, max_gap = 0;

	memset(&lim, 0, sizeof(lim));
	lim.min_interval = 5000;
	lim.jitter = 2000;
	for (int i = 0; i < 200; i++) {
		smsd_limiter_budget(l, &lim, t, &b);
		ck_assert_int_eq(b.max_parts, SMSD_BUDGET_ANY);
		/* a 2-part message: its parts back to back, the gap after the last */
		send_parts(l, &lim, t, 2);
		smsd_limiter_budget(l, &lim, t + 4999, &b);
		ck_assert_int_eq(b.max_parts, 0);
		ck_assert_int_eq(b.why, SMSD_WAIT_RATE);
		int64_t gap = b.retry_at - t;
		ck_assert_int_ge(gap, 5000);
		ck_assert_int_le(gap, 7000);
		min_gap = gap < min_gap ? gap : min_gap;
		max_gap = gap > max_gap ? gap : max_gap;
		t = b.retry_at;
	}
	/* the jitter spreads the gaps */
	ck_assert_int_gt(max_gap - min_gap, 1000);
	smsd_limiter_free(l);
}
END_TEST

START_TEST(test_daily_monthly)
{
	struct smsd_limits lim;
	struct smsd_limiter *l = smsd_limiter_new(1);
	struct smsd_budget b;

	set_tz("CST-8");
	memset(&lim, 0, sizeof(lim));
	lim.daily_limit = 50;
	lim.monthly_limit = 120;
	int64_t t = local_ms(2026, 12, 30, 9, 0, 0);
	for (int i = 0; i < 48; i++)
		send_parts(l, &lim, t, 1);
	smsd_limiter_budget(l, &lim, t, &b);
	/* tokens for all parts: 2 left, a 3-part message waits for tomorrow */
	ck_assert_int_eq(b.max_parts, 2);
	ck_assert_int_eq(b.why, SMSD_WAIT_QUOTA);
	ck_assert_str_eq(b.window, "day");
	send_parts(l, &lim, t, 2);
	smsd_limiter_budget(l, &lim, t, &b);
	ck_assert_int_eq(b.max_parts, 0);
	ck_assert_int_eq(b.why, SMSD_WAIT_QUOTA);
	ck_assert_str_eq(b.window, "day");
	ck_assert_int_eq(b.quota_reset, local_ms(2026, 12, 31, 0, 0, 0));
	ck_assert_int_eq(smsd_limiter_parts_today(l), 50);
	/* one second before local midnight: still none; at midnight: the day resets */
	smsd_limiter_budget(l, &lim, local_ms(2026, 12, 30, 23, 59, 59), &b);
	ck_assert_int_eq(b.max_parts, 0);
	smsd_limiter_budget(l, &lim, local_ms(2026, 12, 31, 0, 0, 0), &b);
	ck_assert_int_eq(b.max_parts, 50);
	ck_assert_int_eq(smsd_limiter_parts_today(l), 0);
	ck_assert_int_eq(smsd_limiter_parts_month(l), 50);
	t = local_ms(2026, 12, 31, 0, 0, 0);
	send_parts(l, &lim, t, 50);
	t = local_ms(2027, 1, 1, 0, 0, 0) - 1000; /* last second of the month, day quota */
	smsd_limiter_budget(l, &lim, t, &b);
	ck_assert_int_eq(b.max_parts, 0);
	/* new day in the same month... is a new month here: both reset */
	smsd_limiter_budget(l, &lim, t + 1000, &b);
	ck_assert_int_eq(b.max_parts, 50);
	ck_assert_int_eq(smsd_limiter_parts_month(l), 0);
	smsd_limiter_free(l);

	/* the month runs out before the day */
	l = smsd_limiter_new(1);
	lim.daily_limit = 50;
	lim.monthly_limit = 60;
	smsd_limiter_load(l, local_ms(2026, 12, 10, 12, 0, 0), 0, 58, 0);
	smsd_limiter_budget(l, &lim, local_ms(2026, 12, 10, 12, 0, 0), &b);
	ck_assert_int_eq(b.max_parts, 2);
	ck_assert_str_eq(b.window, "month");
	send_parts(l, &lim, local_ms(2026, 12, 10, 12, 0, 0), 2);
	smsd_limiter_budget(l, &lim, local_ms(2026, 12, 11, 12, 0, 0), &b);
	ck_assert_int_eq(b.max_parts, 0);
	ck_assert_str_eq(b.window, "month");
	ck_assert_int_eq(b.quota_reset, local_ms(2027, 1, 1, 0, 0, 0));
	smsd_limiter_free(l);
}
END_TEST

START_TEST(test_daily_recipients)
{
	struct smsd_limits lim;
	struct smsd_limiter *l = smsd_limiter_new(1);
	struct smsd_budget b;
	int64_t t;

	set_tz("CST-8");
	memset(&lim, 0, sizeof(lim));
	lim.daily_recipients = 10;
	t = local_ms(2026, 12, 5, 10, 0, 0);
	for (int i = 0; i < 10; i++) {
		smsd_limiter_budget(l, &lim, t, &b);
		ck_assert(b.new_recipients);
		smsd_limiter_record(l, &lim, t, true, true);
	}
	/* a repeat recipient does not count */
	smsd_limiter_record(l, &lim, t, true, false);
	ck_assert_int_eq(smsd_limiter_recipients_today(l), 10);
	/* the 11th distinct recipient waits; known ones still go */
	smsd_limiter_budget(l, &lim, t, &b);
	ck_assert(!b.new_recipients);
	ck_assert_int_eq(b.max_parts, SMSD_BUDGET_ANY);
	smsd_limiter_budget(l, &lim, local_ms(2026, 12, 6, 0, 0, 0), &b);
	ck_assert(b.new_recipients);
	ck_assert_int_eq(smsd_limiter_recipients_today(l), 0);
	/* counts from the store (a restart, another slot) are kept */
	smsd_limiter_load(l, local_ms(2026, 12, 6, 1, 0, 0), 3, 3, 10);
	smsd_limiter_budget(l, &lim, local_ms(2026, 12, 6, 1, 0, 0), &b);
	ck_assert(!b.new_recipients);
	smsd_limiter_free(l);
}
END_TEST

START_TEST(test_send_window_budget)
{
	struct smsd_limits lim;
	struct smsd_limiter *l = smsd_limiter_new(1);
	struct smsd_budget b;

	set_tz("CST-8");
	memset(&lim, 0, sizeof(lim));
	ck_assert_int_eq(smsd_clock_window_parse("08:00-21:00", &lim.window), 0);
	lim.daily_limit = 5;
	smsd_limiter_budget(l, &lim, local_ms(2026, 12, 5, 21, 30, 0), &b);
	ck_assert_int_eq(b.max_parts, 0);
	ck_assert_int_eq(b.why, SMSD_WAIT_WINDOW);
	ck_assert_int_eq(b.retry_at, local_ms(2026, 12, 6, 8, 0, 0));
	ck_assert_str_eq(smsd_wait_name(b.why), "window");
	smsd_limiter_budget(l, &lim, local_ms(2026, 12, 6, 8, 0, 0), &b);
	ck_assert_int_eq(b.max_parts, 5);
	ck_assert_str_eq(smsd_wait_name(SMSD_WAIT_QUOTA), "quota");
	ck_assert_str_eq(smsd_wait_name(SMSD_WAIT_RATE), "rate");
	ck_assert_str_eq(smsd_wait_name(SMSD_WAIT_NO_MODEM), "no_modem");
	ck_assert_ptr_null(smsd_wait_name(SMSD_WAIT_NONE));
	smsd_limiter_free(l);
}
END_TEST

/* ---- findings to states ---- */

#define E SMSCTL_SEVERITY_ERROR
#define W SMSCTL_SEVERITY_WARNING
#define I SMSCTL_SEVERITY_INFO
#define O SMSCTL_SEVERITY_OK

static const struct {
	struct smsd_finding_in f[4];
	size_t n;
	enum smsd_mstate want;
	int cause;
} state_cases[] = {
    {{{"port.ok", O}, {"sim.ok", O}, {"signal.ok", O}}, 3, SMSD_MS_READY, -1},
    {{{"net.roaming", I}, {"sms.indications_off", I}}, 2, SMSD_MS_READY, -1},
    {{{"port.not_found", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"port.permission", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"port.busy", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"port.no_answer", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"modem.radio_off", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"port.ok", O}, {"sim.absent", E}}, 2, SMSD_MS_BLOCKED, 1},
    {{{"sim.pin_required", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"sim.puk_required", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"sim.blocked", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"sim.failure", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"net.not_registered", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"net.searching", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"net.denied", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"signal.none", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"sms.service_unavailable", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"sms.smsc_missing", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"sms.smsc_invalid", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"sms.storage_full", E}}, 1, SMSD_MS_BLOCKED, 0},
    {{{"signal.weak", W}}, 1, SMSD_MS_DEGRADED, 0},
    {{{"sms.storage_nearly_full", W}}, 1, SMSD_MS_DEGRADED, 0},
    {{{"sms.storage_mismatch", W}}, 1, SMSD_MS_DEGRADED, 0},
    {{{"port.noise", W}}, 1, SMSD_MS_DEGRADED, 0},
    {{{"sim.busy", W}}, 1, SMSD_MS_DEGRADED, 0},
    {{{"net.ps_only", W}}, 1, SMSD_MS_DEGRADED, 0},
    {{{"signal.unknown", W}}, 1, SMSD_MS_DEGRADED, 0},
    /* an error outranks a warning found before it; the first error is the cause */
    {{{"signal.weak", W}, {"sms.smsc_missing", E}, {"sms.storage_full", E}}, 3, SMSD_MS_BLOCKED, 1},
    {{{"sim.ok", O}, {"modem.gone", E}}, 2, SMSD_MS_GONE, 1},
    /* the balance is money, not the ability to send */
    {{{"sim.balance_low", W}}, 1, SMSD_MS_READY, -1},
    {{{"sim.balance_low", W}, {"signal.weak", W}}, 2, SMSD_MS_DEGRADED, 1},
    {{{0, O}}, 0, SMSD_MS_READY, -1},
};

START_TEST(test_findings_to_state)
{
	int cause = 99;
	enum smsd_mstate s = smsd_state_from_findings(state_cases[_i].f, state_cases[_i].n, &cause);

	ck_assert_msg(s == state_cases[_i].want, "case %d: %s, want %s", _i, smsd_mstate_name(s),
		      smsd_mstate_name(state_cases[_i].want));
	ck_assert_int_eq(cause, state_cases[_i].cause);
}
END_TEST

START_TEST(test_state_names)
{
	static const char *const names[] = {"starting", "ready", "degraded", "cooling",
					    "blocked",	"quota", "gone",     "disabled"};

	for (int i = 0; i < SMSD_MS_COUNT; i++) {
		ck_assert_str_eq(smsd_mstate_name((enum smsd_mstate)i), names[i]);
		ck_assert_int_eq(smsd_mstate_parse(names[i]), i);
		ck_assert(smsd_mstate_can_send((enum smsd_mstate)i) ==
			  (i == SMSD_MS_READY || i == SMSD_MS_DEGRADED));
	}
	ck_assert_ptr_null(smsd_mstate_name(SMSD_MS_COUNT));
	ck_assert_int_eq(smsd_mstate_parse("Ready"), -1);
	ck_assert_int_eq(smsd_mstate_parse(NULL), -1);
}
END_TEST

START_TEST(test_cooling)
{
	int64_t d = 60000;
	int64_t want[] = {120000, 240000, 480000, 960000, 1920000, 3600000, 3600000};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		d = smsd_cooling_next(d, SMSD_COOLING_MAX_MS);
		ck_assert_int_eq(d, want[i]);
	}
	ck_assert_int_eq(smsd_cooling_next(1000, 3000), 2000);
	ck_assert_int_eq(smsd_cooling_next(2000, 3000), 3000);
}
END_TEST

/* ---- the choice among eligible modems ---- */

static const struct {
	struct smsd_candidate c[4];
	size_t n, want;
} pick_cases[] = {
    /* lowest parts today wins */
    {{{10, 1, false, 0}, {5, 1, false, 0}, {7, 1, false, 0}}, 3, 1},
    /* per weight: 10/2 = 5 < 6/1 */
    {{{6, 1, false, 0}, {10, 2, false, 0}}, 2, 1},
    /* degraded counts half weight: 4 parts degraded = 8 ready */
    {{{4, 1, true, 0}, {7, 1, false, 0}}, 2, 1},
    {{{4, 1, true, 0}, {9, 1, false, 0}}, 2, 0},
    /* ties go to the modem idle longest (smallest idle_since) */
    {{{5, 1, false, 300}, {5, 1, false, 100}, {5, 1, false, 200}}, 3, 1},
    {{{0, 1, false, 50}, {0, 1, false, 10}}, 2, 1},
    /* nothing sent yet: a healthy modem before a degraded one */
    {{{0, 1, true, 10}, {0, 1, false, 50}}, 2, 1},
    {{{3, 1, false, 0}}, 1, 0},
};

START_TEST(test_pick)
{
	ck_assert_uint_eq(smsd_candidate_pick(pick_cases[_i].c, pick_cases[_i].n),
			  pick_cases[_i].want);
}
END_TEST

/* ---- routes ---- */

START_TEST(test_routes)
{
	struct smsd_routes *r = smsd_routes_new();
	char err[200];

	ck_assert_int_eq(smsd_routes_add(r, "^\\+86(13[4-9]|15[0-2])", "cmcc", err, sizeof(err)),
			 0);
	ck_assert_int_eq(smsd_routes_add(r, "^\\+86", "cn", err, sizeof(err)), 0);
	ck_assert_int_eq(smsd_routes_add(r, "^\\+8613", "never", err, sizeof(err)), 0);
	ck_assert_int_eq(smsd_routes_add(r, "^\\+86(", "bad", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "offset"));
	static const struct {
		const char *to, *pool;
	} cases[] = {
	    {"+8613412345678", "cmcc"}, {"+8615212345678", "cmcc"}, {"+8613312345678", "cn"},
	    {"+8615312345678", "cn"},	{"+4915112345678", NULL},   {"", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = smsd_routes_match(r, cases[i].to);
		if (cases[i].pool)
			ck_assert_msg(got && strcmp(got, cases[i].pool) == 0, "%s -> %s",
				      cases[i].to, got ? got : "(none)");
		else
			ck_assert_ptr_null(got);
	}
	/* explicit pool or modem kept */
	ck_assert_ptr_null(smsd_route_for_submit(r, "+8613412345678", "vip", NULL));
	ck_assert_ptr_null(smsd_route_for_submit(r, "+8613412345678", NULL, "m1"));
	ck_assert_str_eq(smsd_route_for_submit(r, "+8613412345678", NULL, NULL), "cmcc");
	ck_assert_ptr_null(smsd_routes_match(NULL, "+86"));
	smsd_routes_free(r);
}
END_TEST

/* ---- configuration ---- */

static struct smsd_config *parse(const char *text, char *err, size_t errlen)
{
	struct smsd_config *cfg = NULL;

	if (smsd_config_parse(text, strlen(text), "p.conf", &cfg, err, errlen) < 0)
		return NULL;
	return cfg;
}

START_TEST(test_conf_keys)
{
	char err[512];
	struct smsd_config *cfg =
	    parse("[send]\nrecipient_rate = 5/h\nduplicate_window = 0\n"
		  "[modem a]\ndevice = sim:\nweight = 3\nrate = 6/min\nmin_interval = 5s\n"
		  "jitter = 2s\ndaily_limit = 50\nmonthly_limit = 1000\ndaily_recipients = 10\n"
		  "send_window = 08:00-21:00\nhealth_interval = 10s\nblock_after = 2\n"
		  "cooling = 30s\nsend = yes\nreceive = no\nbalance_ussd = *100#\n"
		  "balance_regex = ([0-9]+\\.[0-9]+) ;yuan\nbalance_low = 5.50\n"
		  "balance_interval = 1h\nbalance_wait = 1m\n"
		  "[modem b]\ndevice = sim:\n"
		  "[modem c]\ndevice = sim:\npool = cn\n"
		  "[pool shop]\nmodems = a , b\nfallback = cn\n"
		  "[route cmcc]\nmatch = ^\\+86(13[4-9]|15[0-2])\npool = shop\n",
		  err, sizeof(err));

	ck_assert_msg(cfg != NULL, "%s", err);
	const struct smsd_pool_modem_config *a = &cfg->modems[0].pc, *b = &cfg->modems[1].pc;
	ck_assert_int_eq(cfg->poolconf.recipient_rate.n, 5);
	ck_assert_int_eq(cfg->poolconf.recipient_rate.window_ms, 3600000);
	ck_assert_int_eq(cfg->poolconf.duplicate_window, 0);
	ck_assert_int_eq(a->weight, 3);
	ck_assert_int_eq(a->limits.rate.n, 6);
	ck_assert_int_eq(a->limits.min_interval, 5000);
	ck_assert_int_eq(a->limits.jitter, 2000);
	ck_assert_int_eq(a->limits.daily_limit, 50);
	ck_assert_int_eq(a->limits.monthly_limit, 1000);
	ck_assert_int_eq(a->limits.daily_recipients, 10);
	ck_assert(a->limits.window.set);
	ck_assert_int_eq(a->limits.window.start_min, 480);
	ck_assert_int_eq(a->health_interval, 10000);
	ck_assert_int_eq(a->block_after, 2);
	ck_assert_int_eq(a->cooling, 30000);
	ck_assert(a->send && !a->receive);
	ck_assert_str_eq(a->balance_ussd, "*100#");
	ck_assert_str_eq(a->balance_regex, "([0-9]+\\.[0-9]+) ;yuan");
	ck_assert(a->balance_low > 5.49 && a->balance_low < 5.51);
	ck_assert_int_eq(a->balance_interval, 3600000);
	/* defaults */
	ck_assert_int_eq(b->weight, 1);
	ck_assert_int_eq(b->limits.rate.n, 0);
	ck_assert_int_eq(b->health_interval, 60000);
	ck_assert_int_eq(b->block_after, 3);
	ck_assert_int_eq(b->cooling, 60000);
	ck_assert(b->send && b->receive);
	ck_assert(b->balance_low < 0);
	ck_assert_int_eq(b->balance_interval, 6 * 3600000);
	ck_assert_int_eq(b->balance_wait, 120000);
	/* pools: listed modems take the pool, a modem naming its own keeps it */
	ck_assert_str_eq(cfg->modems[0].pool, "shop");
	ck_assert_str_eq(cfg->modems[1].pool, "shop");
	ck_assert_str_eq(cfg->modems[2].pool, "cn");
	ck_assert(smsd_config_has_pool(cfg, "shop"));
	ck_assert(smsd_config_has_pool(cfg, "cn"));
	ck_assert(!smsd_config_has_pool(cfg, "default"));
	ck_assert_str_eq(smsd_poolconf_find_pool(cfg, "shop")->fallback, "cn");
	ck_assert_str_eq(smsd_routes_match(cfg->poolconf.compiled, "+8613412345678"), "shop");
	smsd_config_free(cfg);

	cfg = parse("", err, sizeof(err));
	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(cfg->poolconf.duplicate_window, 60000);
	ck_assert_int_eq(cfg->poolconf.recipient_rate.n, 0);
	smsd_config_free(cfg);
}
END_TEST

static const struct {
	const char *text;
	const char *err; /* "p.conf:LINE: ..." prefix and words */
} bad_conf[] = {
    {"[modem a]\ndevice = sim:\nrate = 6/week\n", "p.conf:3: rate: '6/week' is not a rate"},
    {"[modem a]\ndevice = sim:\nrate = 0/min\n", "p.conf:3: rate:"},
    {"[modem a]\ndevice = sim:\n\nweight = 0\n", "p.conf:4: weight: '0' is not a whole number"},
    {"[modem a]\ndevice = sim:\nsend_window = 8-21\n", "p.conf:3: send_window: '8-21'"},
    {"[modem a]\ndevice = sim:\ndaily_limit = -1\n", "p.conf:3: daily_limit:"},
    {"[modem a]\ndevice = sim:\njitter = 5x\n", "p.conf:3: jitter: '5x' is not a duration"},
    {"[modem a]\ndevice = sim:\nmin_interval = 0\n", "p.conf:3: min_interval:"},
    {"[modem a]\ndevice = sim:\nbalance_regex = ([0-9]\n", "p.conf:3: balance_regex:"},
    {"[modem a]\ndevice = sim:\nbalance_low = lots\n", "p.conf:3: balance_low: 'lots'"},
    {"[modem a]\ndevice = sim:\nbalance_low = 5\n", "p.conf:1: [modem a] balance_low needs"},
    {"[modem a]\ndevice = sim:\nsend = maybe\n", "p.conf:3: send: 'maybe' is not yes or no"},
    {"[modem a]\ndevice = sim:\nrate = 6/min\nrate = 7/min\n", "p.conf:4: 'rate' is set twice"},
    {"[modem a]\ndevice = sim:\ncolour = red\n", "p.conf:3: unknown key 'colour'"},
    {"[pool p]\nmodems = a, zz\n[modem a]\ndevice = sim:\n",
     "p.conf:1: [pool p] modems: no [modem zz]"},
    {"[modem a]\ndevice = sim:\npool = x\n[pool p]\nmodems = a\n",
     "p.conf:4: [pool p] modems: [modem a] (line 1) names pool x"},
    {"[modem a]\ndevice = sim:\n[pool p]\nmodems = a\n[pool q]\nmodems = a\n",
     "p.conf:5: [pool q] modems: modem a is already in pool p"},
    {"[pool p]\nfallback = nowhere\n", "p.conf:1: [pool p] fallback: no pool named nowhere"},
    {"[pool p]\nfallback = p\n", "p.conf:1: [pool p] fallback: a pool cannot fall back"},
    {"[pool p]\n[pool p]\n", "p.conf:2: [pool p] appears twice (first on line 1)"},
    {"[pool p]\ncolour = red\n", "p.conf:2: unknown key 'colour' in [pool p]"},
    {"[pool]\n", "p.conf:1: unknown section [pool]"},
    {"[modem a]\ndevice = sim:\n[route r]\nmatch = ^\\+86(\npool = default\n", "p.conf:4: match:"},
    {"[route r]\nmatch = ^\\+86\n", "p.conf:1: [route r] has no 'pool'"},
    {"[route r]\npool = default\n", "p.conf:1: [route r] has no 'match'"},
    {"[route r]\nmatch = ^1\npool = nowhere\n", "p.conf:1: [route r] pool: no pool named"},
    {"[route r/1]\n", "p.conf:1: [route r/1]: a name is"},
    {"[send]\nrecipient_rate = often\n", "p.conf:2: recipient_rate: 'often' is not a rate"},
    {"[send]\nduplicate_window = -1s\n", "p.conf:2: duplicate_window: '-1s'"},
};

START_TEST(test_conf_bad)
{
	char err[512] = "";
	struct smsd_config *cfg = parse(bad_conf[_i].text, err, sizeof(err));

	ck_assert_msg(cfg == NULL, "case %d accepted", _i);
	ck_assert_msg(strncmp(err, bad_conf[_i].err, strlen(bad_conf[_i].err)) == 0,
		      "case %d: got '%s', want '%s...'", _i, err, bad_conf[_i].err);
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("limits");

	tcase_add_loop_test(tc, test_rate_parse, 0, sizeof(rate_cases) / sizeof(rate_cases[0]));
	tcase_add_loop_test(tc, test_window_parse, 0,
			    sizeof(window_cases) / sizeof(window_cases[0]));
	tcase_add_test(tc, test_window_contains);
	tcase_add_test(tc, test_local_midnight);
	tcase_add_test(tc, test_rate_window);
	tcase_add_test(tc, test_rate_property);
	tcase_add_test(tc, test_min_interval_jitter);
	tcase_add_test(tc, test_daily_monthly);
	tcase_add_test(tc, test_daily_recipients);
	tcase_add_test(tc, test_send_window_budget);
	suite_add_tcase(s, tc);
	tc = tcase_create("sched");
	tcase_add_loop_test(tc, test_findings_to_state, 0,
			    sizeof(state_cases) / sizeof(state_cases[0]));
	tcase_add_test(tc, test_state_names);
	tcase_add_test(tc, test_cooling);
	tcase_add_loop_test(tc, test_pick, 0, sizeof(pick_cases) / sizeof(pick_cases[0]));
	tcase_add_test(tc, test_routes);
	suite_add_tcase(s, tc);
	tc = tcase_create("config");
	tcase_add_test(tc, test_conf_keys);
	tcase_add_loop_test(tc, test_conf_bad, 0, sizeof(bad_conf) / sizeof(bad_conf[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pool_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
