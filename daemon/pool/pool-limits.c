/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-SIM sending limits (limits.h): sliding-window rate, spacing with jitter, daily and
 * monthly part counts, distinct recipients per day, the daily send window.
 */
#include "pool-limits.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct smsd_limiter {
	int64_t *ts; /* send times of the parts in the rate window, oldest first */
	size_t n_ts, cap_ts;
	int64_t last_send; /* last part sent, 0 none */
	int64_t gap;	   /* min_interval + the jitter drawn for the next message */
	int64_t day_start, day_next, month_start, month_next;
	long long parts_day, parts_month, recipients_day;
	uint64_t rng;
};

int smsd_rate_parse(const char *s, struct smsd_rate *out)
{
	static const struct {
		const char *unit;
		long long ms;
	} units[] = {{"s", 1000},
		     {"sec", 1000},
		     {"min", 60 * 1000},
		     {"m", 60 * 1000},
		     {"h", 3600 * 1000},
		     {"hour", 3600 * 1000},
		     {"day", 86400LL * 1000},
		     {"d", 86400LL * 1000}};
	long long n = 0;
	const char *p = s;

	if (!s || *p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		n = n * 10 + (*p - '0');
		if (n > 1000000)
			return -1;
		p++;
	}
	if (n == 0 || *p != '/')
		return -1;
	p++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) == 0) {
			out->n = n;
			out->window_ms = units[i].ms;
			return 0;
		}
	}
	return -1;
}

static int parse_hhmm(const char *s, int *min)
{
	if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' &&
	      s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9'))
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || (h == 24 && m != 0))
		return -1;
	*min = h * 60 + m;
	return 0;
}

int smsd_clock_window_parse(const char *s, struct smsd_clock_window *out)
{
	int a, b;

	if (!s || strlen(s) != 11 || s[5] != '-' || parse_hhmm(s, &a) < 0 ||
	    parse_hhmm(s + 6, &b) < 0 || a == b || a == 24 * 60)
		return -1;
	out->set = true;
	out->start_min = a;
	out->end_min = b;
	return 0;
}

static int64_t local_mk(struct tm *tm)
{
	tm->tm_isdst = -1;
	return (int64_t)mktime(tm) * 1000;
}

static void local_tm(int64_t t, struct tm *tm)
{
	time_t s = (time_t)(t >= 0 ? t / 1000 : (t - 999) / 1000);

	memset(tm, 0, sizeof(*tm));
	localtime_r(&s, tm);
}

int64_t smsd_local_day_start(int64_t t)
{
	struct tm tm;

	local_tm(t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return local_mk(&tm);
}

int64_t smsd_local_next_day(int64_t t)
{
	struct tm tm;

	local_tm(t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday++;
	return local_mk(&tm);
}

int64_t smsd_local_month_start(int64_t t)
{
	struct tm tm;

	local_tm(t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday = 1;
	return local_mk(&tm);
}

int64_t smsd_local_next_month(int64_t t)
{
	struct tm tm;

	local_tm(t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday = 1;
	tm.tm_mon++;
	return local_mk(&tm);
}

int smsd_local_minute(int64_t t)
{
	struct tm tm;

	local_tm(t, &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}

/* The local time of minute @min of the day holding @t (min may be >= 1440: the next day). */
static int64_t at_minute(int64_t t, int min)
{
	struct tm tm;

	local_tm(t, &tm);
	tm.tm_hour = 0;
	tm.tm_sec = 0;
	tm.tm_min = min;
	return local_mk(&tm);
}

bool smsd_clock_window_contains(const struct smsd_clock_window *w, int64_t t, int64_t *next_open)
{
	int m = smsd_local_minute(t);
	bool in;

	if (!w->set) {
		if (next_open)
			*next_open = t;
		return true;
	}
	if (w->start_min < w->end_min)
		in = m >= w->start_min && m < w->end_min;
	else /* wraps midnight */
		in = m >= w->start_min || m < w->end_min;
	if (next_open)
		*next_open =
		    in ? t : at_minute(t, m < w->start_min ? w->start_min : w->start_min + 24 * 60);
	return in;
}

const char *smsd_wait_name(enum smsd_wait w)
{
	switch (w) {
	case SMSD_WAIT_QUOTA:
		return "quota";
	case SMSD_WAIT_RATE:
		return "rate";
	case SMSD_WAIT_WINDOW:
		return "window";
	case SMSD_WAIT_NO_MODEM:
		return "no_modem";
	case SMSD_WAIT_NONE:
		break;
	}
	return NULL;
}

struct smsd_limiter *smsd_limiter_new(uint64_t seed)
{
	struct smsd_limiter *l = calloc(1, sizeof(*l));

	if (l)
		l->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
	return l;
}

void smsd_limiter_free(struct smsd_limiter *l)
{
	if (!l)
		return;
	free(l->ts);
	free(l);
}

static void roll(struct smsd_limiter *l, int64_t now)
{
	if (!l->day_next || now >= l->day_next || now < l->day_start) {
		l->day_start = smsd_local_day_start(now);
		l->day_next = smsd_local_next_day(now);
		l->parts_day = 0;
		l->recipients_day = 0;
	}
	if (!l->month_next || now >= l->month_next || now < l->month_start) {
		l->month_start = smsd_local_month_start(now);
		l->month_next = smsd_local_next_month(now);
		l->parts_month = 0;
	}
}

void smsd_limiter_load(struct smsd_limiter *l, int64_t now, long long parts_day,
		       long long parts_month, long long recipients_day)
{
	roll(l, now);
	l->parts_day = parts_day;
	l->parts_month = parts_month;
	l->recipients_day = recipients_day;
}

/* Drop the parts that left the rate window. */
static void prune(struct smsd_limiter *l, const struct smsd_limits *lim, int64_t now)
{
	size_t k = 0;

	if (!lim->rate.n) {
		l->n_ts = 0;
		return;
	}
	while (k < l->n_ts && l->ts[k] <= now - lim->rate.window_ms)
		k++;
	if (k) {
		memmove(l->ts, l->ts + k, (l->n_ts - k) * sizeof(*l->ts));
		l->n_ts -= k;
	}
}

static void push_ts(struct smsd_limiter *l, int64_t t)
{
	if (l->n_ts == l->cap_ts) {
		size_t cap = l->cap_ts ? l->cap_ts * 2 : 16;
		int64_t *v = realloc(l->ts, cap * sizeof(*v));
		if (!v) {
			/* out of memory: forget the oldest (the limit errs on the side of
			 * sending less only through min_interval; never crash) */
			if (l->n_ts) {
				memmove(l->ts, l->ts + 1, (l->n_ts - 1) * sizeof(*l->ts));
				l->n_ts--;
			} else {
				return;
			}
		} else {
			l->ts = v;
			l->cap_ts = cap;
		}
	}
	/* keep the order even when loaded out of order */
	size_t i = l->n_ts;
	while (i > 0 && l->ts[i - 1] > t) {
		l->ts[i] = l->ts[i - 1];
		i--;
	}
	l->ts[i] = t;
	l->n_ts++;
}

void smsd_limiter_load_part(struct smsd_limiter *l, const struct smsd_limits *lim, int64_t t)
{
	if (!lim->rate.n)
		return;
	push_ts(l, t);
	if (t > l->last_send) {
		l->last_send = t;
		l->gap = lim->min_interval;
	}
}

long long smsd_limiter_rate_used(struct smsd_limiter *l, const struct smsd_limits *lim, int64_t now)
{
	prune(l, lim, now);
	return (long long)l->n_ts;
}

static int cap_budget(struct smsd_budget *b, long long rem, enum smsd_wait why)
{
	if (rem < b->max_parts) {
		b->max_parts = rem <= 0 ? 0 : (int)rem;
		b->why = why;
	}
	return b->max_parts;
}

void smsd_limiter_budget(struct smsd_limiter *l, const struct smsd_limits *lim, int64_t now,
			 struct smsd_budget *b)
{
	int64_t open;

	memset(b, 0, sizeof(*b));
	b->max_parts = SMSD_BUDGET_ANY;
	b->new_recipients = true;
	roll(l, now);
	if (!smsd_clock_window_contains(&lim->window, now, &open)) {
		b->max_parts = 0;
		b->why = SMSD_WAIT_WINDOW;
		b->retry_at = open;
		return;
	}
	if (lim->monthly_limit && l->parts_month >= lim->monthly_limit) {
		b->max_parts = 0;
		b->why = SMSD_WAIT_QUOTA;
		b->window = "month";
		b->retry_at = b->quota_reset = l->month_next;
		return;
	}
	if (lim->daily_limit && l->parts_day >= lim->daily_limit) {
		b->max_parts = 0;
		b->why = SMSD_WAIT_QUOTA;
		b->window = "day";
		b->retry_at = b->quota_reset = l->day_next;
		return;
	}
	if (lim->daily_limit)
		cap_budget(b, lim->daily_limit - l->parts_day, SMSD_WAIT_QUOTA);
	if (lim->monthly_limit)
		cap_budget(b, lim->monthly_limit - l->parts_month, SMSD_WAIT_QUOTA);
	if (b->why == SMSD_WAIT_QUOTA) {
		bool day =
		    lim->daily_limit && lim->daily_limit - l->parts_day == (long long)b->max_parts;
		b->window = day ? "day" : "month";
		b->quota_reset = b->retry_at = day ? l->day_next : l->month_next;
	}
	if (lim->daily_recipients && l->recipients_day >= lim->daily_recipients)
		b->new_recipients = false;
	if (l->last_send && now < l->last_send + l->gap) {
		b->max_parts = 0;
		b->why = SMSD_WAIT_RATE;
		b->retry_at = l->last_send + l->gap;
		return;
	}
	if (lim->rate.n) {
		prune(l, lim, now);
		if (l->n_ts > 0) {
			long long rem = lim->rate.n - (long long)l->n_ts;
			if (rem <= 0) {
				/* full: the oldest part that must leave before one more fits */
				size_t k = l->n_ts - (size_t)lim->rate.n;
				b->max_parts = 0;
				b->why = SMSD_WAIT_RATE;
				b->retry_at = l->ts[k] + lim->rate.window_ms;
				return;
			}
			if (cap_budget(b, rem, SMSD_WAIT_RATE) == rem && b->why == SMSD_WAIT_RATE)
				b->retry_at = l->ts[0] + lim->rate.window_ms;
		}
	}
}

static uint64_t next_rand(struct smsd_limiter *l)
{
	/* xorshift64*: the jitter needs spread, not secrecy */
	l->rng ^= l->rng >> 12;
	l->rng ^= l->rng << 25;
	l->rng ^= l->rng >> 27;
	return l->rng * 0x2545f4914f6cdd1dull;
}

void smsd_limiter_record(struct smsd_limiter *l, const struct smsd_limits *lim, int64_t now,
			 bool first_part, bool new_recipient)
{
	roll(l, now);
	l->parts_day++;
	l->parts_month++;
	if (first_part && new_recipient)
		l->recipients_day++;
	if (lim->rate.n) {
		prune(l, lim, now);
		push_ts(l, now);
	}
	if (first_part) {
		l->gap = lim->min_interval;
		if (lim->jitter > 0)
			l->gap += (int64_t)(next_rand(l) % (uint64_t)(lim->jitter + 1));
	}
	l->last_send = now;
}

long long smsd_limiter_parts_today(const struct smsd_limiter *l)
{
	return l->parts_day;
}

long long smsd_limiter_parts_month(const struct smsd_limiter *l)
{
	return l->parts_month;
}

long long smsd_limiter_recipients_today(const struct smsd_limiter *l)
{
	return l->recipients_day;
}
