-- SPDX-License-Identifier: LGPL-2.1-or-later
-- smsctld store, schema version 2 (issue 16: the API's additions), SQLite dialect; keep in step
-- with postgresql/0002-api.sql. `deliveries` is a contract (issue 16).

-- Webhooks and hooks: one row per (event, subscriber) whose patterns match the event's type.
-- state: pending (to be tried at next_attempt_at), delivered (a 2xx / exit 0), dead (given up;
-- listed and redeliverable). Rows are written by the dispatcher in the same transaction that
-- advances the subscriber's cursor, so an event is never skipped nor fanned out twice.
CREATE TABLE deliveries (
	event_seq bigint NOT NULL,
	subscriber text NOT NULL,
	state text NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
	attempts integer NOT NULL DEFAULT 0,
	next_attempt_at bigint,
	last_status integer,
	last_error text,
	-- added beside the contract: when the row was written and when it ended
	created_at bigint NOT NULL,
	finished_at bigint,
	PRIMARY KEY (subscriber, event_seq)
);
CREATE INDEX deliveries_pending ON deliveries (subscriber, event_seq) WHERE state = 'pending';
CREATE INDEX deliveries_dead ON deliveries (subscriber, event_seq) WHERE state = 'dead';
CREATE INDEX deliveries_event ON deliveries (event_seq);

-- The last event seq fanned out into `deliveries` for each subscriber ("webhook:NAME",
-- "hook:NAME"). A new subscriber starts at the newest event: it is not sent the history.
CREATE TABLE subscribers (
	name text PRIMARY KEY,
	last_seq bigint NOT NULL,
	created_at bigint NOT NULL
);

-- Numbers that asked not to be sent to (POST /v1/optouts, or a received STOP keyword).
CREATE TABLE optouts (
	number text PRIMARY KEY,
	reason text,
	source text NOT NULL,
	created_at bigint NOT NULL
);

-- The idempotency lookup: a key within [http] idempotency_retention.
CREATE INDEX messages_idempotency_created ON messages (idempotency_key, created_at)
	WHERE idempotency_key IS NOT NULL;
