/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every statement of the store, once: STMT(name, SQL, PostgreSQL variant or NULL).
 * Placeholders are $1, $2, ... (the SQLite driver rewrites them to ?1, ?2, ...). Parameters
 * whose type PostgreSQL cannot infer are CAST. Included by store-internal.h (the enum) and
 * store.c (the table).
 */
#ifndef MSG_COLS
#define MSG_COLS                                                                                   \
	"id, created_at, updated_at, state, recipient, text, coding, parts, priority, pool, "      \
	"modem, not_before, expires_at, report, flash, validity_minutes, at_least_once, "          \
	"idempotency_key, request_hash, tags, attempts, next_attempt_at, waiting, sim_iccid, "     \
	"node_id, claim_epoch, lease_until, concat_ref, error_code, error_class, error_text, "     \
	"resend_of, finished_at, want_modem"
#define PART_COLS                                                                                  \
	"seq, state, pdu, mr, expected_mr, mr_advanced, storage_index, modem, sim_iccid, "         \
	"attempt, sending_at, sent_at, report_status, report_at, error_code"
/* claim eligibility: $1 now, $2 modem, $3 pools (comma-joined), $4 sim_iccid, $5 limit */
#define CLAIM_WHERE                                                                                \
	"state = 'queued' AND not_before <= $1 AND (next_attempt_at IS NULL OR "                   \
	"next_attempt_at <= $1) AND (expires_at IS NULL OR expires_at > $1 OR sim_iccid IS "       \
	"NOT NULL) AND "                                                                           \
	"(sim_iccid IS NULL OR sim_iccid = $4) AND "
#define CLAIM_SET                                                                                  \
	"UPDATE messages SET state = 'sending', node_id = $6, modem = $2, "                        \
	"claim_epoch = claim_epoch + 1, lease_until = $7, updated_at = $1, waiting = NULL "        \
	"WHERE id IN (SELECT id FROM messages WHERE " CLAIM_WHERE
#endif

STMT(STMT_VERSION_GET, "SELECT max(version) FROM schema_version", NULL)
STMT(STMT_VERSION_ADD, "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)", NULL)

STMT(STMT_MSG_INSERT,
     "INSERT INTO messages (id, created_at, updated_at, state, recipient, text, coding, parts, "
     "priority, pool, want_modem, not_before, expires_at, report, flash, validity_minutes, "
     "at_least_once, idempotency_key, request_hash, tags, concat_ref, resend_of) VALUES ($1, "
     "$2, $2, 'queued', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
     "$18, $19, $20)",
     NULL)
STMT(STMT_PART_INSERT,
     "INSERT INTO message_parts (message_id, seq, state, pdu) VALUES ($1, $2, 'queued', $3)", NULL)
STMT(STMT_EVENT_INSERT,
     "INSERT INTO events (id, type, created_at, message_id, modem, payload) "
     "VALUES ($1, $2, $3, $4, $5, $6)",
     NULL)
STMT(STMT_MSG_GET, "SELECT " MSG_COLS " FROM messages WHERE id = $1", NULL)
STMT(STMT_MSG_STATE, "SELECT state, claim_epoch FROM messages WHERE id = $1", NULL)
STMT(STMT_PARTS_GET, "SELECT " PART_COLS " FROM message_parts WHERE message_id = $1 ORDER BY seq",
     NULL)
/* listing: $1 state, $2 recipient, $3 since, $4 until, $5 cursor, $6 limit */
STMT(STMT_MSG_LIST_ASC,
     "SELECT " MSG_COLS " FROM messages WHERE (CAST($1 AS text) IS NULL OR state = $1) AND "
     "(CAST($2 AS text) IS NULL OR recipient = $2) AND (CAST($3 AS bigint) IS NULL OR "
     "created_at >= $3) AND (CAST($4 AS bigint) IS NULL OR created_at < $4) AND "
     "(CAST($5 AS text) IS NULL OR id > $5) ORDER BY id LIMIT $6",
     NULL)
STMT(STMT_MSG_LIST_DESC,
     "SELECT " MSG_COLS " FROM messages WHERE (CAST($1 AS text) IS NULL OR state = $1) AND "
     "(CAST($2 AS text) IS NULL OR recipient = $2) AND (CAST($3 AS bigint) IS NULL OR "
     "created_at >= $3) AND (CAST($4 AS bigint) IS NULL OR created_at < $4) AND "
     "(CAST($5 AS text) IS NULL OR id < $5) ORDER BY id DESC LIMIT $6",
     NULL)
STMT(STMT_EVENTS_OF,
     "SELECT seq, id, type, created_at, message_id, modem, payload FROM events "
     "WHERE message_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
     NULL)
STMT(STMT_EVENTS_AFTER,
     "SELECT seq, id, type, created_at, message_id, modem, payload FROM events "
     "WHERE seq > $1 ORDER BY seq LIMIT $2",
     NULL)
STMT(STMT_COUNT_STATES, "SELECT state, count(*) FROM messages GROUP BY state", NULL)
STMT(STMT_COUNT_QUEUED, "SELECT count(*) FROM messages WHERE state = 'queued'", NULL)

/* claim: $1 now, $2 modem, $3 pools, $4 sim, $5 limit, $6 node, $7 lease_until */
STMT(STMT_CLAIM,
     CLAIM_SET "(want_modem = $2 OR (want_modem IS NULL AND instr(',' || $3 || ',', ',' || "
	       "pool || ',') > 0)) ORDER BY priority DESC, id LIMIT $5) AND state = 'queued' "
	       "RETURNING " MSG_COLS,
     CLAIM_SET "(want_modem = $2 OR (want_modem IS NULL AND pool = ANY (string_to_array($3, "
	       "',')))) ORDER BY priority DESC, id LIMIT $5 FOR UPDATE SKIP LOCKED) "
	       "RETURNING " MSG_COLS)
/* SQLite claims in two steps inside its write transaction (BEGIN IMMEDIATE: no other writer
 * can come between): pick the ids through the partial index, then take each one. This avoids
 * the ephemeral tables of `IN (SELECT ...)` + RETURNING, which cost a page-cache allocation
 * per statement. Same parameters as STMT_CLAIM. */
STMT(STMT_CLAIM_PICK,
     "SELECT id FROM messages WHERE " CLAIM_WHERE "(want_modem = $2 OR (want_modem IS NULL AND "
     "instr(',' || $3 || ',', ',' || pool || ',') > 0)) ORDER BY priority DESC, id LIMIT $5",
     NULL)
/* $1 id, $2 modem, $3 node, $4 lease_until, $5 now */
STMT(STMT_CLAIM_ONE,
     "UPDATE messages SET state = 'sending', node_id = $3, modem = $2, claim_epoch = "
     "claim_epoch + 1, lease_until = $4, updated_at = $5, waiting = NULL WHERE id = $1 AND "
     "state = 'queued'",
     NULL)
/* fenced touch: $1 id, $2 epoch, $3 now */
STMT(STMT_FENCE,
     "UPDATE messages SET updated_at = $3 WHERE id = $1 AND claim_epoch = $2 AND "
     "state = 'sending'",
     NULL)
STMT(STMT_LEASE,
     "UPDATE messages SET lease_until = $3, updated_at = $4 WHERE id = $1 AND "
     "claim_epoch = $2 AND state = 'sending'",
     NULL)
/* release a claim: $1 id, $2 epoch, $3 now; bumps the epoch (fences any holder) */
STMT(STMT_RELEASE,
     "UPDATE messages SET state = 'queued', lease_until = NULL, updated_at = $3, "
     "claim_epoch = claim_epoch + 1 WHERE id = $1 AND claim_epoch = $2 AND state = 'sending' "
     "AND NOT EXISTS (SELECT 1 FROM message_parts WHERE message_id = $1 AND state = "
     "'sending')",
     NULL)
/* recovery: this node's own claims after a restart ($1 id, $2 node, $3 now) */
STMT(STMT_RELEASE_MINE,
     "UPDATE messages SET state = 'queued', lease_until = NULL, updated_at = $3, "
     "claim_epoch = claim_epoch + 1 WHERE id = $1 AND node_id = $2 AND state = 'sending' AND "
     "NOT EXISTS (SELECT 1 FROM message_parts WHERE message_id = $1 AND state = 'sending')",
     NULL)
/* a lease that expired before any part went out (the first part_sending clears the lease,
 * so this re-checks the row itself): $1 id, $2 now */
STMT(STMT_RELEASE_EXPIRED,
     "UPDATE messages SET state = 'queued', lease_until = NULL, updated_at = $2, "
     "claim_epoch = claim_epoch + 1 WHERE id = $1 AND state = 'sending' AND lease_until IS "
     "NOT NULL AND lease_until < $2",
     NULL)
/* a claim of a node that stopped heart-beating: $1 id, $2 me, $3 alive since, $4 now */
STMT(STMT_RELEASE_DEAD,
     "UPDATE messages SET state = 'queued', lease_until = NULL, updated_at = $4, "
     "claim_epoch = claim_epoch + 1 WHERE id = $1 AND state = 'sending' AND node_id <> $2 AND "
     "node_id NOT IN (SELECT node_id FROM nodes WHERE heartbeat_at >= $3) AND NOT EXISTS "
     "(SELECT 1 FROM message_parts WHERE message_id = $1 AND state = 'sending')",
     NULL)
/* $1 id, $2 epoch, $3 now, $4 attempt, $5 sim, $6 concat_ref, $7 modem */
STMT(STMT_MSG_SENDING,
     "UPDATE messages SET updated_at = $3, attempts = CASE WHEN attempts < $4 THEN $4 ELSE "
     "attempts END, sim_iccid = COALESCE(sim_iccid, $5), concat_ref = "
     "COALESCE(CAST($6 AS integer), concat_ref), modem = $7, next_attempt_at = NULL, "
     "lease_until = NULL "
     "WHERE id = $1 AND claim_epoch = $2 AND state = 'sending'",
     NULL)
/* $1 id, $2 seq, $3 modem, $4 sim, $5 attempt, $6 expected_mr, $7 now */
STMT(STMT_PART_SENDING,
     "UPDATE message_parts SET state = 'sending', modem = $3, sim_iccid = $4, attempt = $5, "
     "expected_mr = $6, sending_at = $7, mr = NULL, mr_advanced = NULL WHERE message_id = $1 "
     "AND seq = $2 AND state = 'queued'",
     NULL)
/* submit_mode = storage: this node's parts left `sending` with a slot on a modem ($1 node,
 * $2 modem) */
STMT(STMT_STORAGE_PENDING,
     "SELECT p.message_id, m.claim_epoch, p.seq, p.storage_index, p.error_code FROM "
     "message_parts p JOIN "
     "messages m ON m.id = p.message_id WHERE p.state = 'sending' AND p.storage_index IS NOT "
     "NULL AND m.node_id = $1 AND p.modem = $2 ORDER BY p.message_id, p.seq LIMIT 1000",
     NULL)
/* $4 'storage.probe' marks the probe part (in error_code until it is sent), NULL keeps it */
STMT(STMT_PART_STORAGE,
     "UPDATE message_parts SET storage_index = $3, error_code = COALESCE($4, error_code) WHERE "
     "message_id = $1 AND seq = $2 AND state IN ('queued', 'sending')",
     "UPDATE message_parts SET storage_index = $3, error_code = COALESCE(CAST($4 AS text), "
     "error_code) WHERE message_id = $1 AND seq = $2 AND state IN ('queued', 'sending')")
/* $1 id, $2 seq, $3 mr, $4 now */
/* PostgreSQL returns the modem at once (one round trip less); SQLite reads it after (its
 * RETURNING costs an ephemeral table) */
STMT(STMT_PART_SENT,
     "UPDATE message_parts SET state = 'sent', mr = $3, sent_at = $4, error_code = "
     "NULLIF(error_code, 'storage.probe') WHERE message_id = $1 AND seq = $2 AND state = "
     "'sending'",
     "UPDATE message_parts SET state = 'sent', mr = $3, sent_at = $4, error_code = "
     "NULLIF(error_code, 'storage.probe') WHERE message_id = $1 AND seq = $2 AND state = "
     "'sending' RETURNING modem")
STMT(STMT_PART_MODEM, "SELECT modem FROM message_parts WHERE message_id = $1 AND seq = $2", NULL)
/* $1 modem, $2 mr */
STMT(STMT_MR_ADVANCED,
     "UPDATE message_parts SET mr_advanced = CASE WHEN expected_mr = $2 THEN 0 ELSE 1 END "
     "WHERE modem = $1 AND state = 'unknown' AND mr_advanced IS NULL AND expected_mr IS NOT "
     "NULL AND (expected_mr = $2 OR (expected_mr + 1) % 256 = $2)",
     NULL)
/* $1 node, $2 modem, $3 mr, $4 now */
STMT(STMT_MODEM_MR,
     "UPDATE modems SET last_mr = $3, last_seen = $4 WHERE node_id = $1 AND name = $2", NULL)
/* all parts sent -> message sent: $1 id, $2 now */
STMT(STMT_MSG_ALL_SENT,
     "UPDATE messages SET state = 'sent', finished_at = $2, updated_at = $2, lease_until = "
     "NULL, error_code = NULL, error_class = NULL, error_text = NULL WHERE id = $1 AND state IN "
     "('sending', 'unknown') AND NOT EXISTS (SELECT 1 FROM message_parts WHERE message_id = $1 "
     "AND state <> 'sent')",
     NULL)
/* part state with error: $1 id, $2 seq, $3 new state, $4 error_code, $5 from-state */
STMT(STMT_PART_SET,
     "UPDATE message_parts SET state = $3, error_code = COALESCE($4, error_code) WHERE "
     "message_id = $1 AND seq = $2 AND state = $5",
     NULL)
/* nothing went out after all (the part was proven not accepted): no SIM pin, so another
 * modem may take the message */
STMT(STMT_UNPIN,
     "UPDATE messages SET sim_iccid = NULL WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM "
     "message_parts WHERE message_id = $1 AND state IN ('sent', 'unknown', 'sending'))",
     NULL)
STMT(STMT_PART_UNCOUNT,
     "UPDATE message_parts SET attempt = attempt - 1 WHERE message_id = $1 AND seq = $2 AND "
     "attempt > 0",
     NULL)
STMT(STMT_MSG_ATTEMPTS,
     "UPDATE messages SET attempts = (SELECT COALESCE(max(attempt), 0) FROM message_parts "
     "WHERE message_id = $1) WHERE id = $1",
     NULL)
/* message to a state with error: $1 id, $2 state, $3 now, $4 code, $5 class, $6 text,
 * $7 finished (bool), $8 next_attempt_at */
STMT(STMT_MSG_SET,
     "UPDATE messages SET state = $2, updated_at = $3, error_code = $4, error_class = $5, "
     "error_text = $6, finished_at = CASE WHEN $7 = 1 THEN CAST($3 AS bigint) ELSE NULL END, "
     "next_attempt_at = $8, lease_until = NULL WHERE id = $1",
     NULL)
/* message to a state keeping the error: $1 id, $2 state, $3 now, $4 finished, $5 next */
STMT(STMT_MSG_SET_KEEP,
     "UPDATE messages SET state = $2, updated_at = $3, finished_at = CASE WHEN $4 = 1 THEN CAST($3 "
     "AS bigint) "
     "ELSE NULL END, next_attempt_at = $5, lease_until = NULL WHERE id = $1",
     NULL)
STMT(STMT_PARTS_UNKNOWN_TO_QUEUED,
     "UPDATE message_parts SET state = 'queued' WHERE message_id = $1 AND state = 'unknown'", NULL)
STMT(STMT_PART_STATES,
     "SELECT seq, state, report_status FROM message_parts WHERE message_id = $1 ORDER BY seq", NULL)
STMT(STMT_CANCEL,
     "UPDATE messages SET state = 'cancelled', finished_at = $2, updated_at = $2, "
     "lease_until = NULL WHERE id = $1 AND state = 'queued'",
     NULL)
STMT(STMT_EXPIRE_DUE,
     "UPDATE messages SET state = 'expired', finished_at = $1, updated_at = $1, "
     "error_code = NULL, lease_until = NULL WHERE id IN (SELECT id FROM messages WHERE state "
     "= 'queued' AND expires_at IS NOT NULL AND expires_at <= $1 AND sim_iccid IS NULL ORDER BY "
     "expires_at LIMIT "
     "$2) AND state = 'queued' RETURNING id",
     NULL)
STMT(STMT_EXPIRE_ONE,
     "UPDATE messages SET state = 'expired', finished_at = $3, updated_at = $3, lease_until "
     "= NULL WHERE id = $1 AND claim_epoch = $2 AND state = 'sending' AND NOT EXISTS (SELECT 1 "
     "FROM message_parts WHERE message_id = $1 AND state <> 'queued')",
     NULL)
/* resend: $1 new id, $2 now, $3 old id, $4 concat_ref (NULL = copy) */
STMT(STMT_RESEND_COPY,
     "INSERT INTO messages (id, created_at, updated_at, state, recipient, text, coding, parts, "
     "priority, pool, want_modem, not_before, expires_at, report, flash, validity_minutes, "
     "at_least_once, tags, concat_ref, resend_of) SELECT $1, $2, $2, 'queued', recipient, "
     "text, coding, parts, priority, pool, want_modem, $2, NULL, report, flash, "
     "validity_minutes, at_least_once, tags, COALESCE(CAST($4 AS integer), concat_ref), id "
     "FROM messages WHERE id = $3",
     NULL)
STMT(STMT_RESEND_PARTS,
     "INSERT INTO message_parts (message_id, seq, state, pdu) SELECT $1, seq, 'queued', pdu "
     "FROM message_parts WHERE message_id = $2",
     NULL)
/* resend whole: $1 id, $2 seq, $3 pdu */
STMT(STMT_PART_RESET,
     "UPDATE message_parts SET state = 'queued', pdu = $3, mr = NULL, expected_mr = NULL, "
     "mr_advanced = NULL, storage_index = NULL, modem = NULL, sim_iccid = NULL, sent_at = "
     "NULL, sending_at = NULL, report_status = NULL, report_at = NULL, error_code = NULL "
     "WHERE message_id = $1 AND seq = $2 AND state <> 'sending'",
     NULL)
/* $1 id, $2 epoch (NULL: must be queued), $3 now, $4 concat_ref */
STMT(STMT_MSG_RESET,
     "UPDATE messages SET state = 'queued', updated_at = $3, sim_iccid = NULL, concat_ref = "
     "$4, lease_until = NULL, finished_at = NULL, next_attempt_at = NULL, error_code = NULL, "
     "error_class = NULL, error_text = NULL, claim_epoch = claim_epoch + 1 WHERE id = $1 AND "
     "((CAST($2 AS bigint) IS NULL AND state IN ('queued', 'unknown')) OR (claim_epoch = $2 AND "
     "state = 'sending')) AND NOT EXISTS (SELECT 1 FROM message_parts WHERE message_id = $1 "
     "AND state = 'sending')",
     NULL)
STMT(STMT_PINNED_WAITING,
     "SELECT " MSG_COLS " FROM messages WHERE state = 'queued' AND sim_iccid IS NOT NULL AND "
     "updated_at < $1 ORDER BY id LIMIT $2",
     NULL)
STMT(STMT_SET_WAITING, "UPDATE messages SET waiting = $2 WHERE id = $1 AND state = 'queued'", NULL)

/* status report: $1 sim, $2 mr, $3 recipient, $4 since */
STMT(STMT_REPORT_FIND,
     "SELECT p.message_id, p.seq, p.state FROM message_parts p JOIN messages m ON m.id = "
     "p.message_id WHERE p.sim_iccid = $1 AND m.recipient = $3 AND ((p.state = 'sent' AND "
     "p.mr = $2) OR (p.state = 'unknown' AND p.expected_mr = $2)) AND COALESCE(p.sent_at, "
     "p.sending_at) >= $4 ORDER BY COALESCE(p.sent_at, p.sending_at) DESC LIMIT 1",
     NULL)
/* $1 id, $2 seq, $3 status, $4 now, $5 mr */
STMT(STMT_REPORT_SET,
     "UPDATE message_parts SET state = 'sent', report_status = $3, report_at = $4, mr = $5, "
     "sent_at = COALESCE(sent_at, sending_at, $4) WHERE message_id = $1 AND seq = $2",
     NULL)

STMT(STMT_INBOX_INSERT,
     "INSERT INTO inbox (id, received_at, modem, sim_iccid, sender, text, coding, smsc, "
     "sc_timestamp, parts, complete, class, dedupe_key) VALUES ($1, $2, $3, $4, $5, $6, $7, "
     "$8, $9, $10, $11, $12, $13) ON CONFLICT (dedupe_key) DO NOTHING",
     NULL)
/* $1 name, $2 node, $3 imei, $4 iccid, $5 imsi, $6 operator, $7 state, $8 reason,
 * $9 last_mr, $10 now */
STMT(STMT_MODEM_UPSERT,
     "INSERT INTO modems (name, node_id, imei, iccid, imsi, operator, state, state_reason, "
     "last_mr, last_seen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT "
     "(node_id, name) DO UPDATE SET imei = COALESCE(excluded.imei, modems.imei), iccid = "
     "COALESCE(excluded.iccid, modems.iccid), imsi = COALESCE(excluded.imsi, modems.imsi), "
     "operator = COALESCE(excluded.operator, modems.operator), state = "
     "COALESCE(excluded.state, modems.state), state_reason = CASE WHEN excluded.state IS NULL "
     "THEN modems.state_reason ELSE excluded.state_reason END, last_mr = "
     "COALESCE(excluded.last_mr, modems.last_mr), last_seen = excluded.last_seen",
     NULL)
STMT(STMT_MODEM_LAST_MR, "SELECT last_mr FROM modems WHERE node_id = $1 AND name = $2", NULL)
STMT(STMT_HEARTBEAT,
     "INSERT INTO nodes (node_id, heartbeat_at, version) VALUES ($1, $2, $3) ON CONFLICT "
     "(node_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, version = "
     "COALESCE(excluded.version, nodes.version)",
     NULL)
STMT(STMT_DEAD_NODES,
     "SELECT node_id FROM nodes WHERE heartbeat_at < $1 AND node_id <> $2 ORDER BY node_id", NULL)
/* recovery: parts `sending` of this node ($2 NULL) or of nodes not alive ($1 me, $2 alive
 * since) */
STMT(STMT_RECOVER_SENDING_MINE,
     "SELECT DISTINCT p.message_id FROM message_parts p JOIN messages m ON m.id = "
     "p.message_id WHERE p.state = 'sending' AND m.node_id = $1 AND p.storage_index IS NULL "
     "ORDER BY p.message_id LIMIT $2",
     NULL)
STMT(STMT_RECOVER_SENDING_DEAD,
     "SELECT DISTINCT p.message_id FROM message_parts p JOIN messages m ON m.id = "
     "p.message_id WHERE p.state = 'sending' AND m.node_id <> $1 AND m.node_id NOT IN "
     "(SELECT node_id FROM nodes WHERE heartbeat_at >= $2) ORDER BY p.message_id LIMIT $3",
     NULL)
STMT(STMT_RECOVER_CLAIMS_MINE,
     "SELECT id FROM messages WHERE state = 'sending' AND node_id = $1 ORDER BY id LIMIT $2", NULL)
STMT(STMT_RECOVER_CLAIMS_DEAD,
     "SELECT id FROM messages WHERE state = 'sending' AND node_id <> $1 AND node_id NOT IN "
     "(SELECT node_id FROM nodes WHERE heartbeat_at >= $2) ORDER BY id LIMIT $3",
     NULL)
STMT(STMT_RECOVER_CLAIMS_EXPIRED,
     "SELECT id FROM messages WHERE state = 'sending' AND lease_until IS NOT NULL AND "
     "lease_until < $1 ORDER BY id LIMIT $2",
     NULL)
/* the whole `sending` -> `unknown` step for one message: $1 id, $2 code */
STMT(STMT_PARTS_SENDING_UNKNOWN,
     "UPDATE message_parts SET state = 'unknown', error_code = $2 WHERE message_id = $1 AND "
     "state = 'sending'",
     NULL)
STMT(STMT_MSG_FLAGS, "SELECT at_least_once, modem FROM messages WHERE id = $1", NULL)

/* retention: $1 cutoff, $2 batch */
STMT(STMT_RET_MESSAGES,
     "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE finished_at IS NOT NULL "
     "AND finished_at < $1 AND state NOT IN ('queued', 'sending') ORDER BY finished_at LIMIT "
     "$2)",
     NULL)
STMT(STMT_RET_INBOX,
     "DELETE FROM inbox WHERE id IN (SELECT id FROM inbox WHERE received_at < $1 ORDER BY "
     "received_at LIMIT $2)",
     NULL)
STMT(STMT_RET_EVENTS,
     "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE created_at < $1 ORDER BY "
     "created_at LIMIT $2)",
     NULL)

/* --- issue 16: the API's additions (store-api.c) --- */
#include "store-sql-api.h"
/* issue 15: the pool statements (per-SIM counters, the claim under limits) */
#include "store-pool-sql.h"
