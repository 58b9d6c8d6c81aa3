/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-SIM sending limits of smsctld (issue 15): pure logic, no I/O, no global state.
 *
 * - rate: a sliding window, at most N parts in any window of that length (how operators
 *   count). A message with more parts than N waits for an empty window and then goes out
 *   whole (the only case that exceeds N).
 * - min_interval + jitter: the gap between two messages of one SIM.
 * - daily_limit, monthly_limit (parts) and daily_recipients (distinct recipients): the
 *   windows are the local day and the local month; they reset at local midnight.
 * - send_window: "08:00-21:00" local time (may wrap midnight: "22:00-06:00").
 *
 * Every function takes the time as an argument (ms since the epoch), so tests drive the
 * clock. Local time is the process's time zone (TZ).
 *
 * Ownership: a limiter is created with smsd_limiter_new() and freed with smsd_limiter_free().
 */
#ifndef SMSD_POOL_LIMITS_H
#define SMSD_POOL_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A rate: n parts per window_ms; n == 0 is "off". */
struct smsd_rate {
	long long n;
	long long window_ms;
};

/* "6/min", "1/s", "100/h", "1000/day": 1 to 1,000,000 per s, min, h or day.
 * @return 0 or -1. */
int smsd_rate_parse(const char *s, struct smsd_rate *out);

/* A daily window of local time in minutes since midnight [start, end); set false = always. */
struct smsd_clock_window {
	bool set;
	int start_min, end_min;
};

/* "08:00-21:00" (HH:MM-HH:MM, 00:00 to 24:00, start != end). @return 0 or -1. */
int smsd_clock_window_parse(const char *s, struct smsd_clock_window *out);

/* Local calendar: the start of the local day / month holding t, and the next one. */
int64_t smsd_local_day_start(int64_t t);
int64_t smsd_local_next_day(int64_t t);
int64_t smsd_local_month_start(int64_t t);
int64_t smsd_local_next_month(int64_t t);
/* Minutes since local midnight. */
int smsd_local_minute(int64_t t);
/* Whether t is inside the window; *next_open receives when it opens next (t when inside). */
bool smsd_clock_window_contains(const struct smsd_clock_window *w, int64_t t, int64_t *next_open);

/* The limits of one SIM (from its [modem NAME] section); 0 means "no limit". */
struct smsd_limits {
	struct smsd_rate rate;
	long long min_interval; /* ms */
	long long jitter;	/* ms, random extra delay up to this */
	long long daily_limit;	/* parts */
	long long monthly_limit;
	long long daily_recipients;
	struct smsd_clock_window window;
};

/* Why a message is held back: the names are `messages.waiting` values (contract). */
enum smsd_wait {
	SMSD_WAIT_NONE = 0,
	SMSD_WAIT_QUOTA,
	SMSD_WAIT_RATE,
	SMSD_WAIT_WINDOW,
	SMSD_WAIT_NO_MODEM,
};
/* "quota", "rate", "window", "no_modem", NULL for none. */
const char *smsd_wait_name(enum smsd_wait w);

/* What a SIM may send now. */
struct smsd_budget {
	int max_parts;	     /* largest message (in parts) it may take now; 0 none;
				 SMSD_BUDGET_ANY: any size */
	enum smsd_wait why;  /* when max_parts is 0 or capped: the limit that holds back */
	bool new_recipients; /* false: only recipients already counted today */
	int64_t retry_at;    /* when the budget grows next (0 unknown) */
	const char *window;  /* quota: "day" or "month" */
	int64_t quota_reset; /* quota: when that window resets */
};
#define SMSD_BUDGET_ANY 1000000

struct smsd_limiter;

/* @param seed for the jitter (any value; tests fix it). NULL without memory. */
struct smsd_limiter *smsd_limiter_new(uint64_t seed);
void smsd_limiter_free(struct smsd_limiter *l);

/* Counters as the store holds them for the windows holding @now (a restart or another slot
 * keeps its counts). */
void smsd_limiter_load(struct smsd_limiter *l, int64_t now, long long parts_day,
		       long long parts_month, long long recipients_day);
/* A part sent at @t earlier (rebuilds the rate window after a restart). */
void smsd_limiter_load_part(struct smsd_limiter *l, const struct smsd_limits *lim, int64_t t);

/* What may go out now. Rolls the day and month over at local midnight. */
void smsd_limiter_budget(struct smsd_limiter *l, const struct smsd_limits *lim, int64_t now,
			 struct smsd_budget *b);

/* One part went out at @now; @first_part of a message (starts min_interval's gap, counts the
 * recipient when @new_recipient). */
void smsd_limiter_record(struct smsd_limiter *l, const struct smsd_limits *lim, int64_t now,
			 bool first_part, bool new_recipient);

/* Parts sent in the current local day / month, distinct recipients today. */
long long smsd_limiter_parts_today(const struct smsd_limiter *l);
long long smsd_limiter_parts_month(const struct smsd_limiter *l);
long long smsd_limiter_recipients_today(const struct smsd_limiter *l);
/* Parts in the rate window ending at @now. */
long long smsd_limiter_rate_used(struct smsd_limiter *l, const struct smsd_limits *lim,
				 int64_t now);

#endif
