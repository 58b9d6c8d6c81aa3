/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The statements of the pool store functions (store-pool.c, issue 15), included at the end
 * of store-sql.h so they join the one statement table. `window` is quoted: PostgreSQL
 * reserves the word.
 */

/* counters: $1 key, $2 window, $3 window_start, $4 parts, $5 recipients */
STMT(STMT_POOL_COUNT_ADD,
     "INSERT INTO sim_counters (iccid, \"window\", window_start, parts_sent, recipients) "
     "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (iccid, \"window\", window_start) DO UPDATE SET "
     "parts_sent = sim_counters.parts_sent + excluded.parts_sent, "
     "recipients = sim_counters.recipients + excluded.recipients",
     NULL)
/* $1 key, $2 day_start, $3 recipient: one row when new */
STMT(STMT_POOL_RECIPIENT_ADD,
     "INSERT INTO sim_recipients (iccid, day_start, recipient) VALUES ($1, $2, $3) "
     "ON CONFLICT DO NOTHING",
     NULL)
/* $1 key, $2 day_start, $3 month_start */
STMT(STMT_POOL_COUNT_GET,
     "SELECT \"window\", parts_sent, recipients FROM sim_counters WHERE iccid = $1 AND "
     "((\"window\" = 'day' AND window_start = $2) OR (\"window\" = 'month' AND "
     "window_start = $3))",
     NULL)
/* $1 key, $2 since: send times of the SIM's parts (the rate window after a restart) */
STMT(STMT_POOL_PARTS_SINCE,
     "SELECT sent_at FROM message_parts WHERE sim_iccid = $1 AND sent_at > $2 ORDER BY sent_at "
     "LIMIT 100000",
     NULL)
/* [send] duplicate_window: the newest message to $1 with text $2 created at or after $3 */
STMT(STMT_POOL_DUPLICATE,
     "SELECT id FROM messages WHERE recipient = $1 AND text = $2 AND created_at >= $3 AND "
     "state <> 'cancelled' ORDER BY created_at DESC, id DESC LIMIT 1",
     NULL)
/* drop day rows older than $1 (retention of the recipient table) */
STMT(STMT_POOL_RECIPIENTS_PRUNE, "DELETE FROM sim_recipients WHERE day_start < $1", NULL)

/* [send] recipient_rate: messages to the recipient of the `messages` row in scope (another
 * row than it) that are being sent or whose first part went out after SINCE */
#define POOL_RECIPIENT_RECENT(SINCE)                                                               \
	"(SELECT count(*) FROM messages m2 WHERE m2.recipient = messages.recipient AND m2.id <> "  \
	"messages.id AND (m2.state = 'sending' OR EXISTS (SELECT 1 FROM message_parts rp WHERE "   \
	"rp.message_id = m2.id AND rp.seq = 1 AND rp.sending_at > " SINCE ")))"
/* the claim under limits: STMT_CLAIM's $1..$7, plus $8 most parts, $9 new recipients allowed
 * (1/0), $10 counter key, $11 day_start, $12 recipient_rate's n (0 off), $13 its since */
#define POOL_CLAIM_LIMITS                                                                          \
	"parts <= $8 AND (CAST($9 AS integer) = 1 OR recipient IN (SELECT recipient FROM "         \
	"sim_recipients WHERE iccid = $10 AND day_start = $11)) AND (CAST($12 AS integer) = 0 "    \
	"OR " POOL_RECIPIENT_RECENT("$13") " < $12) AND "
STMT(STMT_POOL_CLAIM,
     CLAIM_SET POOL_CLAIM_LIMITS "(want_modem = $2 OR (want_modem IS NULL AND instr(',' || $3 || "
				 "',', ',' || pool || ',') > 0)) ORDER BY priority DESC, id LIMIT "
				 "$5) AND state = 'queued' RETURNING " MSG_COLS,
     CLAIM_SET POOL_CLAIM_LIMITS "(want_modem = $2 OR (want_modem IS NULL AND pool = ANY "
				 "(string_to_array($3, ',')))) ORDER BY priority DESC, id LIMIT $5 "
				 "FOR UPDATE SKIP LOCKED) RETURNING " MSG_COLS)

/* messages held back: queued, due, for this modem or its pools, not claimable under the
 * limits: $1 now, $2 modem, $3 pools, $4 sim, $5 most parts, $6 new recipients allowed, $7 key,
 * $8 day_start, $9 the waiting reason */
#define POOL_MARK_HEAD                                                                             \
	"UPDATE messages SET waiting = $9 WHERE state = 'queued' AND not_before <= $1 AND "        \
	"(next_attempt_at IS NULL OR next_attempt_at <= $1) AND (expires_at IS NULL OR "           \
	"expires_at > $1) AND (sim_iccid IS NULL OR sim_iccid = $4) AND (waiting IS NULL OR "      \
	"waiting <> $9) AND (parts > $5 OR (CAST($6 AS integer) = 0 AND recipient NOT IN (SELECT " \
	"recipient FROM sim_recipients WHERE iccid = $7 AND day_start = $8))) AND "
STMT(STMT_POOL_MARK_WAITING,
     POOL_MARK_HEAD "(want_modem = $2 OR (want_modem IS NULL AND instr(',' || $3 || ',', ',' || "
		    "pool || ',') > 0))",
     POOL_MARK_HEAD "(want_modem = $2 OR (want_modem IS NULL AND pool = ANY (string_to_array($3, "
		    "','))))")
/* recipient_rate: queued, due messages of the pools $1 whose recipient had $2 messages since
 * $3 ($4 now): waiting = 'rate' */
STMT(STMT_POOL_MARK_RECIPIENT,
     "UPDATE messages SET waiting = 'rate' WHERE state = 'queued' AND not_before <= $4 AND "
     "(waiting IS NULL OR waiting <> 'rate') AND instr(',' || $1 || ',', ',' || pool || ',') > "
     "0 AND " POOL_RECIPIENT_RECENT("$3") " >= $2",
     "UPDATE messages SET waiting = 'rate' WHERE state = 'queued' AND not_before <= $4 AND "
     "(waiting IS NULL OR waiting <> 'rate') AND pool = ANY (string_to_array($1, ',')) AND "
     "" POOL_RECIPIENT_RECENT("$3") " >= $2")
/* recipient_rate across nodes (PostgreSQL): one claim per recipient at a time, then the
 * count again ($1 recipient); SQLite's write lock already serialises claims */
STMT(STMT_POOL_RECIPIENT_LOCK, "SELECT length($1)", "SELECT pg_advisory_xact_lock(hashtext($1))")
/* $1 recipient, $2 the claimed message, $3 since */
STMT(STMT_POOL_RECIPIENT_COUNT,
     "SELECT count(*) FROM messages m2 WHERE m2.recipient = $1 AND m2.id <> $2 AND (m2.state = "
     "'sending' OR EXISTS (SELECT 1 FROM message_parts rp WHERE rp.message_id = m2.id AND "
     "rp.seq = 1 AND rp.sending_at > $3))",
     NULL)
/* every queued message of the pools $1 that no modem could take: waiting = $2 */
STMT(STMT_POOL_MARK_POOL,
     "UPDATE messages SET waiting = $2 WHERE state = 'queued' AND (waiting IS NULL OR "
     "waiting <> $2) AND instr(',' || $1 || ',', ',' || pool || ',') > 0",
     "UPDATE messages SET waiting = $2 WHERE state = 'queued' AND (waiting IS NULL OR "
     "waiting <> $2) AND pool = ANY (string_to_array($1, ','))")
