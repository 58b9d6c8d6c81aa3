-- SPDX-License-Identifier: LGPL-2.1-or-later
-- smsctld store, schema version 2 (issue 15, modem pools), PostgreSQL dialect; keep in step with
-- sqlite/0002-sim-counters.sql. Per-SIM limits are counted here (by ICCID, or
-- "modem:NAME" for a modem that reports none), so a restart does not reset them, a SIM moved
-- to another slot keeps its counts and several hosts sharing one database agree.

-- parts sent per SIM and window: "window" is 'day' or 'month', window_start the local
-- midnight (ms since the epoch) that opened it; recipients counts the day's distinct ones.
CREATE TABLE sim_counters (
	iccid text NOT NULL,
	"window" text NOT NULL CHECK ("window" IN ('day', 'month')),
	window_start bigint NOT NULL,
	parts_sent bigint NOT NULL DEFAULT 0,
	recipients bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (iccid, "window", window_start)
);

-- the distinct recipients of one SIM on one local day
CREATE TABLE sim_recipients (
	iccid text NOT NULL,
	day_start bigint NOT NULL,
	recipient text NOT NULL,
	PRIMARY KEY (iccid, day_start, recipient)
);
