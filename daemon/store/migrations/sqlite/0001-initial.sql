-- SPDX-License-Identifier: LGPL-2.1-or-later
-- smsctld store, schema version 1, SQLite dialect (keep in step with postgresql/0001-initial.sql:
-- same tables, same columns, same meaning). Timestamps are integer milliseconds since the Unix
-- epoch (UTC); booleans are 0/1. Table and column names of issue 14 are contracts.

CREATE TABLE schema_version (
	version integer PRIMARY KEY,
	applied_at bigint NOT NULL
);

CREATE TABLE messages (
	id text PRIMARY KEY,
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL,
	state text NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'delivered',
		'undelivered', 'failed', 'expired', 'cancelled', 'unknown')),
	recipient text NOT NULL,
	text text NOT NULL,
	coding text NOT NULL,
	parts integer NOT NULL CHECK (parts >= 1),
	priority integer NOT NULL DEFAULT 0,
	pool text NOT NULL DEFAULT 'default',
	modem text,
	not_before bigint NOT NULL,
	expires_at bigint,
	report integer NOT NULL DEFAULT 0,
	flash integer NOT NULL DEFAULT 0,
	validity_minutes integer,
	at_least_once integer NOT NULL DEFAULT 0,
	idempotency_key text,
	request_hash text,
	tags text,
	attempts integer NOT NULL DEFAULT 0,
	next_attempt_at bigint,
	waiting text,
	sim_iccid text,
	node_id text,
	claim_epoch bigint NOT NULL DEFAULT 0,
	lease_until bigint,
	concat_ref integer,
	error_code text,
	error_class text,
	error_text text,
	resend_of text,
	finished_at bigint,
	-- added beside the contract: the modem the submitter asked for (modem is the one that
	-- claimed the message last)
	want_modem text
);
-- the claim: only queued rows, in the claim's order
CREATE INDEX messages_claim ON messages (priority DESC, id) WHERE state = 'queued';
CREATE INDEX messages_queued_expiry ON messages (expires_at) WHERE state = 'queued';
CREATE INDEX messages_claimed ON messages (node_id) WHERE state IN ('sending', 'unknown');
CREATE INDEX messages_state ON messages (state, id);
CREATE INDEX messages_recipient ON messages (recipient, id);
CREATE INDEX messages_finished ON messages (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX messages_idempotency ON messages (idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE message_parts (
	message_id text NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	seq integer NOT NULL CHECK (seq >= 1),
	state text NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'unknown')),
	pdu text NOT NULL,
	mr integer,
	expected_mr integer,
	mr_advanced integer,
	storage_index integer,
	modem text,
	sim_iccid text,
	attempt integer NOT NULL DEFAULT 0,
	sent_at bigint,
	report_status integer,
	report_at bigint,
	error_code text,
	-- added beside the contract: when the part was committed `sending`
	sending_at bigint,
	PRIMARY KEY (message_id, seq)
);
CREATE INDEX message_parts_report ON message_parts (sim_iccid, mr) WHERE state = 'sent';
CREATE INDEX message_parts_unknown ON message_parts (sim_iccid, expected_mr) WHERE state = 'unknown';
CREATE INDEX message_parts_sending ON message_parts (message_id) WHERE state = 'sending';

CREATE TABLE events (
	seq integer PRIMARY KEY AUTOINCREMENT,
	id text NOT NULL UNIQUE,
	type text NOT NULL,
	created_at bigint NOT NULL,
	message_id text,
	modem text,
	payload text NOT NULL DEFAULT '{}'
);
CREATE INDEX events_message ON events (message_id, seq);
CREATE INDEX events_created ON events (created_at);

CREATE TABLE inbox (
	id text PRIMARY KEY,
	received_at bigint NOT NULL,
	modem text,
	sim_iccid text,
	sender text NOT NULL,
	text text NOT NULL,
	coding text,
	smsc text,
	sc_timestamp bigint,
	parts integer NOT NULL DEFAULT 1,
	complete integer NOT NULL DEFAULT 1,
	class integer,
	dedupe_key text NOT NULL UNIQUE
);
CREATE INDEX inbox_received ON inbox (received_at);

CREATE TABLE modems (
	name text NOT NULL,
	node_id text NOT NULL,
	imei text,
	iccid text,
	imsi text,
	operator text,
	state text,
	state_reason text,
	last_mr integer,
	last_seen bigint,
	PRIMARY KEY (node_id, name)
);

CREATE TABLE nodes (
	node_id text PRIMARY KEY,
	heartbeat_at bigint NOT NULL,
	version text
);
