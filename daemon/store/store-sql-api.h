/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The statements of the API's additions (issue 16; store-api.c): idempotency keys, opt-outs,
 * the inbox listing, webhook and hook deliveries. Included at the end of store-sql.h, so they
 * join the one statement table; same rules ($N placeholders, CAST where PostgreSQL cannot
 * infer a type).
 */

/* Several nodes on one PostgreSQL: the key's lookup and insert are serialised by a lock held
 * until the transaction ends (one node's store thread already serialises its own). */
STMT(STMT_IDEM_LOCK, "SELECT CAST($1 AS text)", "SELECT pg_advisory_xact_lock(hashtext($1))")
/* $1 key, $2 oldest created_at still covered by [http] idempotency_retention */
STMT(STMT_IDEM_FIND,
     "SELECT id, request_hash FROM messages WHERE idempotency_key = $1 AND created_at >= $2 "
     "ORDER BY id",
     NULL)

STMT(STMT_OPTOUT_GET, "SELECT number, reason, source, created_at FROM optouts WHERE number = $1",
     NULL)
STMT(STMT_OPTOUT_ADD,
     "INSERT INTO optouts (number, reason, source, created_at) VALUES ($1, $2, $3, $4) "
     "ON CONFLICT (number) DO NOTHING",
     NULL)
STMT(STMT_OPTOUT_DEL, "DELETE FROM optouts WHERE number = $1", NULL)
/* $1 cursor (the last number of the previous page) or NULL, $2 limit */
STMT(STMT_OPTOUT_LIST,
     "SELECT number, reason, source, created_at FROM optouts WHERE (CAST($1 AS text) IS NULL "
     "OR number > $1) ORDER BY number LIMIT $2",
     NULL)

/* $1 since, $2 sender, $3 modem, $4 cursor (last id), $5 limit */
STMT(STMT_INBOX_LIST,
     "SELECT id, received_at, modem, sim_iccid, sender, text, coding, sc_timestamp, parts, "
     "complete FROM inbox WHERE (CAST($1 AS bigint) IS NULL OR received_at >= $1) AND "
     "(CAST($2 AS text) IS NULL OR sender = $2) AND (CAST($3 AS text) IS NULL OR modem = $3) "
     "AND (CAST($4 AS text) IS NULL OR id > $4) ORDER BY id LIMIT $5",
     NULL)

STMT(STMT_INBOX_GET,
     "SELECT id, received_at, modem, sim_iccid, sender, text, coding, sc_timestamp, parts, "
     "complete FROM inbox WHERE id = $1",
     NULL)

/* subscribers: a new one starts at the newest event ($1 name, $2 now) */
STMT(STMT_SUB_INIT,
     "INSERT INTO subscribers (name, last_seq, created_at) SELECT $1, COALESCE(max(seq), 0), $2 "
     "FROM events WHERE true ON CONFLICT (name) DO NOTHING",
     NULL)
STMT(STMT_SUB_GET, "SELECT last_seq FROM subscribers WHERE name = $1", NULL)
STMT(STMT_SUB_SET, "UPDATE subscribers SET last_seq = $2 WHERE name = $1 AND last_seq < $2", NULL)

/* deliveries: $1 seq, $2 subscriber, $3 now */
STMT(STMT_DLV_ADD,
     "INSERT INTO deliveries (event_seq, subscriber, state, attempts, next_attempt_at, "
     "created_at) VALUES ($1, $2, 'pending', 0, $3, $3) ON CONFLICT DO NOTHING",
     NULL)
/* $1 subscriber, $2 limit: the pending ones in event order, with their events */
STMT(STMT_DLV_PENDING,
     "SELECT d.event_seq, d.attempts, d.next_attempt_at, e.id, e.type, e.created_at, "
     "e.message_id, e.modem, e.payload FROM deliveries d JOIN events e ON e.seq = d.event_seq "
     "WHERE d.subscriber = $1 AND d.state = 'pending' ORDER BY d.event_seq LIMIT $2",
     NULL)
/* $1 subscriber, $2 seq, $3 state, $4 attempts, $5 next_attempt_at, $6 last_status,
 * $7 last_error, $8 finished_at */
STMT(STMT_DLV_SET,
     "UPDATE deliveries SET state = $3, attempts = $4, next_attempt_at = $5, last_status = $6, "
     "last_error = $7, finished_at = $8 WHERE subscriber = $1 AND event_seq = $2",
     NULL)
/* a 2xx after failures: the whole backlog is due now ($1 subscriber, $2 now) */
STMT(STMT_DLV_RELEASE,
     "UPDATE deliveries SET next_attempt_at = $2 WHERE subscriber = $1 AND state = 'pending' "
     "AND next_attempt_at > $2",
     NULL)
STMT(STMT_DLV_STATS,
     "SELECT state, count(*), min(created_at) FROM deliveries WHERE subscriber = $1 AND "
     "state <> 'delivered' GROUP BY state",
     NULL)
/* $1 subscriber, $2 after seq, $3 limit */
STMT(STMT_DLV_DEAD,
     "SELECT d.event_seq, d.attempts, d.last_status, d.last_error, d.finished_at, e.id, "
     "e.type, e.created_at, e.message_id FROM deliveries d JOIN events e ON e.seq = "
     "d.event_seq WHERE d.subscriber = $1 AND d.state = 'dead' AND d.event_seq > $2 ORDER BY "
     "d.event_seq LIMIT $3",
     NULL)
/* $1 subscriber, $2 event id, $3 now */
STMT(STMT_DLV_REDELIVER_ONE,
     "UPDATE deliveries SET state = 'pending', next_attempt_at = $3, finished_at = NULL WHERE "
     "subscriber = $1 AND state = 'dead' AND event_seq = (SELECT seq FROM events WHERE id = $2)",
     NULL)
/* $1 subscriber, $2 now */
STMT(STMT_DLV_REDELIVER_ALL,
     "UPDATE deliveries SET state = 'pending', next_attempt_at = $2, finished_at = NULL WHERE "
     "subscriber = $1 AND state = 'dead'",
     NULL)
/* retention of finished deliveries: $1 cutoff, $2 batch */
STMT(STMT_DLV_RETENTION,
     "DELETE FROM deliveries WHERE (subscriber, event_seq) IN (SELECT subscriber, event_seq "
     "FROM deliveries WHERE state <> 'pending' AND finished_at < $1 LIMIT $2)",
     NULL)
/* the payload of an event frozen with the MESSAGE its webhooks carry: $1 seq, $2 payload */
STMT(STMT_EVENT_FREEZE, "UPDATE events SET payload = $2 WHERE seq = $1", NULL)
/* issue 17: the states that move, counted on the messages_state index (a million finished rows
 * cost nothing here) */
STMT(STMT_COUNT_ACTIVE,
     "SELECT state, count(*) FROM messages WHERE state IN ('queued', 'sending', 'unknown') "
     "GROUP BY state",
     NULL)
/* issue 17: the queue per pool and waiting reason, one pass over the queued rows */
STMT(STMT_QUEUE_SUMMARY,
     "SELECT pool, waiting, count(*), min(created_at) FROM messages WHERE state = 'queued' "
     "GROUP BY pool, waiting LIMIT 256",
     NULL)
