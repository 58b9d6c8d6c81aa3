/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file store.h
 * The store of smsctld: messages, their parts, events, the inbox, modems and nodes, kept in
 * SQLite (`sqlite:///path/to/file.db`) or PostgreSQL (`postgresql://user@host/db?...`).
 *
 * One interface, two back ends (store-sqlite.c, store-pg.c); the SQL differences stay inside
 * them. Every operation below that changes a message is ONE transaction that also writes its
 * `events` row, so nothing downstream can miss or invent an event. Operations may be grouped
 * into one bigger transaction (one fsync for many) with store_begin()/store_commit(): each
 * operation inside runs under its own SAVEPOINT, so a failing one is undone alone and the
 * others still commit.
 *
 * ## Threads
 * A `struct store` is one database connection. It is thread-aware, not thread-safe: one
 * handle belongs to one thread at a time. The runtime owns ONE store thread that opens the
 * primary handle (the one that takes the SQLite lock file, runs migrations and recovery) and
 * does all writes. Other threads that want to read (e.g. HTTP handlers listing messages) open
 * their own handle with ::STORE_OPEN_SECONDARY (no lock file, no migration: the schema must
 * already be current); in SQLite a secondary handle may also write (WAL, busy_timeout), but
 * the design is that writes go through the store thread.
 *
 * A typical store thread: wait on its queue (and store_get_fd() for PostgreSQL) for up to
 * 2 ms, store_begin(), run every queued operation (each reports its own result: a failing one
 * is undone alone), store_commit(), then signal the completions (eventfd). A result of an
 * operation inside a batch is only durable once store_commit() returned 0; if the commit
 * fails, every operation of the batch failed (answer 503, do not send).
 *
 * ## Connection loss (PostgreSQL)
 * An operation whose connection breaks fails with ::STORE_ERR_UNAVAILABLE (a transaction in
 * flight is never reported as committed). The next operation outside a batch reconnects
 * (statements are prepared again, LISTEN re-issued; the fd of store_get_fd() may change, so
 * fetch it again after an error). Reads and BEGIN are retried once transparently.
 *
 * ## Errors
 * Operations return `int`: 0 (or a count where documented) on success, a negative
 * ::store_error on failure. store_strerror() gives a static text; store_errmsg() the last
 * detailed message of the handle (the database's own words), valid until the next call.
 * ::STORE_ERR_UNAVAILABLE means the database cannot be reached (connection lost, I/O error,
 * disk full): the runtime answers 503 and pauses sending. ::STORE_ERR_FENCED means a fenced
 * update matched no row: this node lost the message (another node claimed it, or it was
 * cancelled/expired) and MUST NOT send.
 *
 * ## Time
 * Every timestamp is an `int64_t` of milliseconds since the Unix epoch, UTC (also in the
 * database: `bigint` columns). 0 means "none" (SQL NULL) for optional timestamps. The store
 * reads the clock itself (CLOCK_REALTIME); tests can replace it with store_set_clock().
 * Several hosts on one PostgreSQL compare each other's timestamps (leases, heartbeats), so
 * their clocks must agree to well under [store] lease (NTP).
 *
 * ## Events
 * `events.seq` grows with every insert. On PostgreSQL, concurrent transactions may commit
 * in another order than their seq: a reader that follows the feed with store_event_list()
 * (after_seq) must not assume that no smaller seq can still appear (re-read a short window,
 * or track delivered ids).
 *
 * ## Ids
 * Message ids are `msg_` + 26 characters, event ids `evt_` + 26 characters: a time-ordered
 * id (48-bit milliseconds + 80 random bits, Crockford base 32, monotonic within a handle), so
 * sorting by id is sorting by creation. Ids only use `[A-Za-z0-9_]`.
 *
 * ## Ownership
 * Strings passed in are borrowed for the call. Rows returned (struct store_message, ...) own
 * their strings; free them with the matching _clear()/_free_array() function. Strings inside
 * rows are NULL when the column is NULL.
 */
#ifndef SMSCTLD_STORE_H
#define SMSCTLD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The schema version this build creates and knows. */
/* 2: issue 16, migrations/{sqlite,postgresql}/0002-api.sql;
 * 3: sim_counters, sim_recipients (issue 15), 0003-sim-counters.sql */
#define STORE_SCHEMA_VERSION 3

/** Size of an id buffer: "msg_" + 26 characters + NUL (also fits "evt_..."). */
#define STORE_ID_SIZE 31

/** Size of a listing cursor buffer (a cursor only uses [A-Za-z0-9_-]). */
#define STORE_CURSOR_SIZE 64

/** Errors (negative) returned by store operations. */
enum store_error {
	STORE_OK = 0,
	STORE_ERR_INVALID = -1,	    /**< invalid argument (bad URL, bad cursor, bad state name) */
	STORE_ERR_NOMEM = -2,	    /**< out of memory */
	STORE_ERR_UNAVAILABLE = -3, /**< database unreachable, I/O error, disk full: retry later */
	STORE_ERR_LOCKED = -4, /**< another smsctld holds the SQLite lock file (pid in errmsg) */
	STORE_ERR_SCHEMA_NEWER = -5, /**< the database has a newer schema than this build knows */
	STORE_ERR_SCHEMA_OLDER = -6, /**< older schema: open with STORE_OPEN_MIGRATE to upgrade */
	STORE_ERR_NOT_FOUND = -7,    /**< no such message / row */
	STORE_ERR_STATE = -8,	     /**< not allowed in the row's current state (cancel, resend) */
	STORE_ERR_FENCED = -9,	     /**< claim_epoch mismatch: this node lost the message */
	STORE_ERR_DUPLICATE = -10,   /**< a unique key already exists */
	STORE_ERR_INTERNAL = -11,    /**< unexpected SQL error (a bug); see store_errmsg() */
	STORE_ERR_NOT_EMPTY = -12,   /**< the target database is not empty (copy) */
};

/** Message states (`messages.state`). The names are contracts: see store_msg_state_name(). */
enum store_msg_state {
	STORE_MSG_QUEUED = 0,
	STORE_MSG_SENDING,
	STORE_MSG_SENT,
	STORE_MSG_DELIVERED,
	STORE_MSG_UNDELIVERED,
	STORE_MSG_FAILED,
	STORE_MSG_EXPIRED,
	STORE_MSG_CANCELLED,
	STORE_MSG_UNKNOWN,
	STORE_MSG_STATE_COUNT
};

/** Part states (`message_parts.state`). */
enum store_part_state {
	STORE_PART_QUEUED = 0,
	STORE_PART_SENDING,
	STORE_PART_SENT,
	STORE_PART_FAILED,
	STORE_PART_UNKNOWN,
	STORE_PART_STATE_COUNT
};

/** "queued", "sending", ... (static string; NULL for values out of range). */
const char *store_msg_state_name(enum store_msg_state s);
/** Parse a state name; returns the state or -1. */
int store_msg_state_parse(const char *name);
const char *store_part_state_name(enum store_part_state s);
int store_part_state_parse(const char *name);

/** Static text of an ::store_error (0 included); never NULL. */
const char *store_strerror(int err);

/** Flags for store_open(). */
enum store_open_flags {
	/** Upgrade an older schema (`smsctld --migrate`, `[store] auto_migrate = yes`). An EMPTY
	 * database always gets the current schema, with or without this flag. */
	STORE_OPEN_MIGRATE = 1 << 0,
	/** An extra connection in a process that already has the primary one: no lock file,
	 * no schema creation or migration (the schema must be current), no recovery. */
	STORE_OPEN_SECONDARY = 1 << 1,
};

struct store;

/**
 * Open the store at @p url and make sure the schema is usable.
 *
 * - `sqlite:///abs/path.db` (or `sqlite:relative/path.db`): opens with WAL,
 *   synchronous=FULL, foreign_keys=ON, a busy timeout; unless ::STORE_OPEN_SECONDARY, takes
 *   an exclusive flock on `<path>.lock` and writes its pid there; a second daemon gets
 *   ::STORE_ERR_LOCKED with the holder's pid in @p errmsg.
 * - `postgresql://...` or `postgres://...`: libpq; statements are prepared once per
 *   connection; the handle LISTENs on `smsctl_queued` (see store_get_fd()).
 *
 * Schema: an empty database gets the current schema; an older one is upgraded only with
 * ::STORE_OPEN_MIGRATE (else ::STORE_ERR_SCHEMA_OLDER); a newer one is refused
 * (::STORE_ERR_SCHEMA_NEWER). Each migration runs in one transaction.
 *
 * Opening does NOT run recovery; call store_recover() once at start.
 *
 * @param url store URL (borrowed).
 * @param node_id this host's node id (`[daemon] node_id`), written into claims and `nodes`.
 * @param flags ::store_open_flags.
 * @param[out] out the new handle, or NULL on failure. Free with store_close().
 * @param[out] errmsg on failure, a malloc'd message naming the host/file and the reason
 *                    (caller frees with free()); set to NULL on success. May be NULL.
 * @return 0 or a negative ::store_error.
 */
int store_open(const char *url, const char *node_id, unsigned flags, struct store **out,
	       char **errmsg);

/** Close the handle (rolls back an open batch, releases the lock file). Takes NULL. */
void store_close(struct store *st);

/** The schema version found in the database (after store_open: STORE_SCHEMA_VERSION). */
int store_schema_version(struct store *st);

/** "sqlite" or "postgresql". */
const char *store_backend_name(const struct store *st);

/** The last detailed error message of this handle (static buffer in the handle). */
const char *store_errmsg(const struct store *st);

/** Replace the clock (tests): @p now returns milliseconds since the epoch. NULL restores. */
void store_set_clock(struct store *st, int64_t (*now)(void *ctx), void *ctx);

/** The store's current time in ms (the clock above). */
int64_t store_now(struct store *st);

/**
 * A file descriptor to poll for readability (PostgreSQL: the connection's socket, readable
 * when a NOTIFY smsctl_queued arrived), or -1 (SQLite: the runtime knows its own inserts;
 * keep the 2 s poll as fallback in both cases).
 */
int store_get_fd(struct store *st);

/**
 * Consume pending notifications. @return the number of `smsctl_queued` notifications seen
 * (0 if none), or a negative ::store_error.
 */
int store_consume_notify(struct store *st);

/* ------------------------------------------------------------------------------------ */
/* Batching: one transaction around several operations (group commit).                  */

/** Start a batch (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN). Nested calls are refused. */
int store_begin(struct store *st);
/** Commit the batch (SQLite synchronous=FULL: one fsync). */
int store_commit(struct store *st);
/** Roll the batch back. */
int store_rollback(struct store *st);
/** Whether a batch is open. */
bool store_in_batch(const struct store *st);

/* ------------------------------------------------------------------------------------ */
/* Rows                                                                                  */

/** A part (`message_parts` row). */
struct store_part {
	int seq; /**< 1-based */
	enum store_part_state state;
	char *pdu;	   /**< hex TPDU as given at insert (with or without SMSC octet) */
	int mr;		   /**< TP-MR from +CMGS, -1 = NULL */
	int expected_mr;   /**< last TP-MR + 1 mod 256 committed before AT+CMGS, -1 = NULL */
	int mr_advanced;   /**< 1 true, 0 false, -1 NULL */
	int storage_index; /**< +CMGW index (submit_mode=storage), -1 = NULL */
	char *modem;
	char *sim_iccid;
	int attempt;	    /**< attempts of this part so far */
	int64_t sending_at; /**< when committed `sending` (extra column) */
	int64_t sent_at;
	int report_status; /**< TP-ST of the status report, -1 = NULL */
	int64_t report_at;
	char *error_code; /**< e.g. "cms.21" */
};

/** A message (`messages` row), with its parts when asked for. */
struct store_message {
	char id[STORE_ID_SIZE];
	int64_t created_at;
	int64_t updated_at;
	enum store_msg_state state;
	char *recipient; /**< E.164 as normalised by the caller */
	char *text;	 /**< UTF-8 */
	char *coding;	 /**< "gsm7", "ucs2", "8bit" (the caller's names) */
	int parts;	 /**< number of parts */
	int priority;
	char *pool;
	char *modem; /**< requested modem, or the one that claimed it */
	int64_t not_before;
	int64_t expires_at; /**< 0 = never */
	bool report;
	bool flash;
	int validity_minutes; /**< -1 = NULL (network default) */
	bool at_least_once;
	char *idempotency_key;
	char *request_hash;
	char *tags; /**< JSON object text, or NULL */
	int attempts;
	int64_t next_attempt_at; /**< 0 = NULL */
	char *waiting;		 /**< "quota", "rate", "window", "no_modem" or NULL */
	char *sim_iccid;	 /**< the SIM the first part went out from (multipart pin) */
	char *node_id;		 /**< node holding the claim */
	int64_t claim_epoch;	 /**< incremented by every claim: carry it in fenced updates */
	int64_t lease_until;	 /**< 0 = NULL */
	int concat_ref;		 /**< -1 = NULL */
	char *error_code;	 /**< "cms.21", ... */
	char *error_class;	 /**< "transient", "permanent", "ambiguous" */
	char *error_text;
	char *resend_of;     /**< id of the message this one re-sends */
	int64_t finished_at; /**< 0 = not finished */
	char *want_modem;    /**< the modem the submitter asked for, or NULL (extra column;
			          `modem` is the one that claimed it last) */
	/* Filled by store_message_get() and store_claim(): */
	struct store_part *part_rows; /**< array of n_part_rows, ordered by seq, or NULL */
	size_t n_part_rows;
};

/** Free the strings and parts of @p m and zero it (takes NULL). */
void store_message_clear(struct store_message *m);
/** Clear each of @p n messages and free the array (takes NULL). */
void store_message_free_array(struct store_message *v, size_t n);

/** An event (`events` row). */
struct store_event {
	int64_t seq;		/**< global order (bigint, increasing) */
	char id[STORE_ID_SIZE]; /**< "evt_..." */
	char *type;		/**< "message.sent", "sms.received", ... */
	int64_t created_at;
	char *message_id; /**< NULL for modem/sim events; an inbox id for sms.received */
	char *modem;
	char *payload; /**< JSON object text */
};
void store_event_free_array(struct store_event *v, size_t n);

/* ------------------------------------------------------------------------------------ */
/* Messages: insert, read, list                                                          */

/** What a new message holds (the caller has already validated, normalised, encoded). */
struct store_new_message {
	const char *recipient; /**< required */
	const char *text;      /**< required */
	const char *coding;    /**< required */
	int priority;
	const char *pool;   /**< NULL = "default" */
	const char *modem;  /**< NULL = any modem of the pool */
	int64_t not_before; /**< 0 = now (created_at) */
	int64_t expires_at; /**< 0 = never */
	bool report;
	bool flash;
	int validity_minutes; /**< -1 = none */
	bool at_least_once;
	const char *idempotency_key; /**< may be NULL */
	const char *request_hash;    /**< may be NULL */
	const char *tags;	     /**< JSON object text or NULL */
	int concat_ref;		     /**< -1 = none (single part) */
	size_t n_parts;		     /**< >= 1 */
	const char *const *pdus;     /**< n_parts hex PDUs, in order */
	const char *event_payload;   /**< payload of its message.queued event, NULL = built-in */
};

/**
 * Insert @p n messages (state `queued`) with their parts, and one `message.queued` event
 * each, in ONE transaction (all or nothing). PostgreSQL: NOTIFY smsctl_queued (trigger).
 * @param[out] ids_out n buffers receiving the new ids.
 */
int store_message_insert(struct store *st, const struct store_new_message *msgs, size_t n,
			 char (*ids_out)[STORE_ID_SIZE]);

/** Read one message with its parts into @p out (clear it with store_message_clear()). */
int store_message_get(struct store *st, const char *id, struct store_message *out);

/** Filter for store_message_list(); zero / NULL fields do not filter. */
struct store_list_filter {
	int state; /**< an ::store_msg_state, or -1 for any */
	const char *recipient;
	int64_t since;	    /**< created_at >= since */
	int64_t until;	    /**< created_at < until */
	int limit;	    /**< 1..500 (0 = 100) */
	const char *cursor; /**< next_cursor of the previous page, or NULL */
	bool newest_first;  /**< default: creation order, oldest first */
};

/**
 * List messages (without parts) by keyset pagination on creation order (the id).
 * @param[out] next_cursor "" when this is the last page, else the cursor of the next
 *             page ([A-Za-z0-9_-] only). An invalid cursor is ::STORE_ERR_INVALID.
 */
int store_message_list(struct store *st, const struct store_list_filter *f,
		       struct store_message **out, size_t *n_out,
		       char next_cursor[STORE_CURSOR_SIZE]);

/** Events of one message in order (or, with @p message_id NULL, all events with
 * seq > @p after_seq: the feed for webhooks), at most @p limit (0 = 1000). */
int store_event_list(struct store *st, const char *message_id, int64_t after_seq, int limit,
		     struct store_event **out, size_t *n_out);

/** Write an event that is not a message transition (modem.state_changed, sim.*...). */
int store_event_add(struct store *st, const char *type, const char *message_id, const char *modem,
		    const char *payload_json, char id_out[STORE_ID_SIZE]);

/** Count messages per state into @p counts (indexed by ::store_msg_state). */
int store_count_states(struct store *st, int64_t counts[STORE_MSG_STATE_COUNT]);

/* ------------------------------------------------------------------------------------ */
/* Claiming and fencing                                                                  */

/** What a modem can take. */
struct store_claim_req {
	const char *modem;	  /**< the claiming modem (messages naming another modem are
				        skipped; messages naming this one are taken) */
	const char *const *pools; /**< pools this modem serves (n_pools), for messages with
				        no modem named */
	size_t n_pools;
	const char *sim_iccid; /**< the modem's SIM: multipart messages pinned to another
				        SIM (sim_iccid set) are skipped; NULL takes only unpinned */
	int64_t lease_ms;      /**< [store] lease, e.g. 30000 */
	int limit;	       /**< how many messages at most (>= 1) */
};

/**
 * Claim up to req->limit eligible messages: state `queued`, not_before <= now,
 * next_attempt_at NULL or <= now, expires_at NULL or > now; highest priority first, then
 * oldest. Each claimed row gets state `sending`, node_id = this node, modem = req->modem,
 * claim_epoch + 1, lease_until = now + lease. PostgreSQL: one `UPDATE ... WHERE id IN
 * (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n) RETURNING`; SQLite: the same in one write
 * transaction. Returned rows include their parts; keep claim_epoch for fenced updates.
 *
 * The lease only covers the time between the claim and the first store_part_sending() of
 * this claim (which clears lease_until): a claim whose lease expired with every part still
 * `queued` is returned to `queued` by any node's store_recover() (and the epoch bumped, so the
 * late holder gets ::STORE_ERR_FENCED). Once a part went `sending`, only the dead-node rule
 * (heartbeat older than the lease) takes the message away. Renew the lease with
 * store_lease_renew() if the wait before the first part can be long.
 *
 * A multipart message whose first part went out is pinned to that SIM (messages.sim_iccid);
 * it is offered only to a claim with the same req->sim_iccid, until
 * store_message_resend_whole() clears the pin.
 * @return the number claimed (0 = nothing eligible) or a negative ::store_error.
 */
int store_claim(struct store *st, const struct store_claim_req *req, struct store_message **out,
		size_t *n_out);

/** Extend a claim's lease (fenced). */
int store_lease_renew(struct store *st, const char *id, int64_t epoch, int64_t lease_ms);

/**
 * Release a claim without any attempt (e.g. the modem went away before the first byte):
 * back to `queued`, parts untouched, no event, attempts unchanged. Fenced.
 */
int store_claim_release(struct store *st, const char *id, int64_t epoch);

/* ------------------------------------------------------------------------------------ */
/* Part transitions (all fenced by the claim epoch: ::STORE_ERR_FENCED = do not send)     */

/**
 * Commit part @p seq as `sending` BEFORE the first byte of AT+CMGS (or AT+CMSS): modem,
 * SIM, attempt (this part's attempt number, 1-based), expected_mr (modem's last TP-MR + 1
 * mod 256, or -1 when unknown). The first part to go out fixes `messages.sim_iccid` (the
 * multipart pin) and, if @p concat_ref >= 0, `messages.concat_ref`. messages.attempts
 * becomes max(attempts, attempt). Refused with ::STORE_ERR_STATE unless the part is
 * `queued` (or `unknown` being retried, see store_part_unknown()).
 */
int store_part_sending(struct store *st, const char *id, int64_t epoch, int seq, const char *modem,
		       const char *sim_iccid, int attempt, int expected_mr, int concat_ref);

/** submit_mode=storage: record the +CMGW index before AT+CMSS (fenced). -1 clears it.
 * @p probe: this part is the storage probe of a modem not yet known to mark a sent slot "STO
 * SENT" (its "STO UNSENT" after a crash proves nothing); marked in the part's error_code as
 * `storage.probe` until it is `sent`. */
int store_part_storage_index(struct store *st, const char *id, int64_t epoch, int seq,
			     int storage_index, bool probe);

/** A part left `sending` with a storage slot (submit_mode = storage). */
struct store_slot_part {
	char id[STORE_ID_SIZE];
	int64_t epoch;
	int seq;
	int storage_index;
	bool probe; /* committed as the storage probe (see store_part_storage_index()) */
};

/**
 * This node's parts left `sending` with a storage_index on @p modem (at most 1000, in message
 * order): after a restart their slots decide (store_recover() leaves them alone). @p out is
 * malloc'd (free()), NULL when none.
 */
int store_storage_pending(struct store *st, const char *modem, struct store_slot_part **out,
			  size_t *n_out);

/**
 * After `+CMGS: <mr>` (or `+CMSS: <mr>`; @p mr -1 when a slot's "STO SENT" proved it without
 * one): part `sent` with mr and sent_at; modems.last_mr of its modem; any
 * `unknown` part on the same modem with mr_advanced NULL gets mr_advanced (mr == its
 * expected_mr -> false, mr == expected_mr + 1 -> true). When every part is `sent`, the
 * message becomes `sent` (event `message.sent`, finished_at set, lease cleared).
 */
int store_part_sent(struct store *st, const char *id, int64_t epoch, int seq, int mr);

/**
 * The outcome of part @p seq is open (timeout or EOF/EIO after Ctrl-Z): part `unknown`,
 * message `unknown` (event `message.unknown`, error_class "ambiguous" with the given
 * code/text), the other parts stay as they are and are not sent.
 * If @p retry_at > 0 (at_least_once or on_unknown = resend), the message returns to
 * `queued` at once with next_attempt_at = retry_at (a `message.queued` event follows), and
 * the unknown part becomes sendable again.
 */
int store_part_unknown(struct store *st, const char *id, int64_t epoch, int seq,
		       const char *error_code, const char *error_text, int64_t retry_at);

/** Error details of a failure (all strings may be NULL). */
struct store_error_info {
	const char *code;   /**< "cms.21", "cme.10", "io.eof", ... */
	const char *class_; /**< "transient", "permanent", "ambiguous" */
	const char *text;   /**< for people, in [daemon] language */
};

/**
 * Part @p seq proved NOT accepted (error before the prompt, or +CMS ERROR): the part goes
 * back to `queued` and the message back to `queued` with next_attempt_at = @p retry_at
 * (the caller computed the backoff, see store_backoff()), the error kept on the message.
 * When no part of the message went out (none `sent`/`unknown`), the SIM pin is dropped, so
 * any modem may take it next.
 * @p count_attempt false for modem-level failures that must not count toward max_attempts
 * (the part's attempt counter is then decremented again). Event `message.queued` with the
 * error in its payload.
 */
int store_part_requeue(struct store *st, const char *id, int64_t epoch, int seq,
		       const struct store_error_info *err, int64_t retry_at, bool count_attempt);

/**
 * Permanent failure (or max_attempts reached): part `failed` with error_code, message
 * `failed` with error_code/class/text, finished_at; event `message.failed`.
 * @p seq 0 fails the message without a particular part.
 */
int store_part_failed(struct store *st, const char *id, int64_t epoch, int seq,
		      const struct store_error_info *err);

/** backoff = initial * 2^(attempts-1), at most max (all ms). */
int64_t store_backoff(int64_t initial_ms, int64_t max_ms, int attempts);

/* ------------------------------------------------------------------------------------ */
/* Message-level operations                                                              */

/** Cancel a `queued` message: `cancelled`, event `message.cancelled`. ::STORE_ERR_STATE if
 * not queued, ::STORE_ERR_NOT_FOUND if no such id. */
int store_message_cancel(struct store *st, const char *id);

/**
 * Expire: every `queued` message whose expires_at <= now (at most @p limit per call) becomes
 * `expired` with event `message.expired`, unless a part of it already went out (it is pinned
 * to a SIM, sim_iccid set): such a message is finished, never cut in half, and stays
 * claimable after its expiry. @return the number expired.
 */
int store_expire_due(struct store *st, int limit);

/** Expire one claimed message before its first part is `sending` (fenced; refused with
 * ::STORE_ERR_STATE if a part is past `queued`). */
int store_message_expire(struct store *st, const char *id, int64_t epoch);

/**
 * Resend (API `POST /v1/messages/{id}/resend`): only for `unknown` or `failed` messages
 * (else ::STORE_ERR_STATE). Creates a NEW queued message with the same content and
 * resend_of = @p id (event `message.queued` with {"resend_of": ...}). @p pdus (n_pdus) replace
 * the PDUs (e.g. a new concat reference), or NULL to copy the old ones; @p concat_ref the
 * new reference or -1.
 */
int store_message_resend(struct store *st, const char *id, const char *const *pdus, size_t n_pdus,
			 int concat_ref, char new_id_out[STORE_ID_SIZE]);

/**
 * multipart_lost_modem = resend_whole: the SAME row goes out again whole: every part back to
 * `queued` with the new @p pdus (n_pdus must equal the part count) and @p concat_ref, SIM
 * pin and modem cleared, message `queued`; event `message.resent_whole`. Fenced when
 * @p epoch >= 0 (a claimed message); @p epoch -1 for an unclaimed (queued) one.
 */
int store_message_resend_whole(struct store *st, const char *id, int64_t epoch,
			       const char *const *pdus, size_t n_pdus, int concat_ref);

/**
 * Multipart messages waiting for their SIM: `queued`, pinned (sim_iccid set: a part already
 * went out from that SIM) and unchanged since @p older_than (ms since epoch; now -
 * multipart_resume). The runtime checks whether a modem with that SIM is ready; if not, it
 * applies multipart_lost_modem (store_message_resend_whole() or store_part_failed()).
 * Rows without parts; free with store_message_free_array(). @return the number found.
 */
int store_pinned_waiting(struct store *st, int64_t older_than, int limit,
			 struct store_message **out, size_t *n_out);

/** Set or clear (NULL) `messages.waiting` of a queued message (scheduler; no event). */
int store_message_set_waiting(struct store *st, const char *id, const char *waiting);

/** Number of `queued` messages (for [http] max_queued). */
int64_t store_queued_count(struct store *st);

/* ------------------------------------------------------------------------------------ */
/* Status reports                                                                       */

/**
 * Match a status report from SIM @p sim_iccid, TP-MR @p mr (0..255), for @p recipient,
 * to a part sent (or `unknown` with expected_mr = mr) within @p report_wait_ms before now;
 * the most recent one wins. Sets report_status/report_at; TP-ST < 0x20: delivered,
 * 0x20..0x3f: still trying (recorded, no state change), >= 0x40: undelivered. An `unknown`
 * part is resolved to `sent` by any matching report (evidence 1). The message becomes
 * `delivered` when every part is delivered, `undelivered` when one is undelivered (events
 * `message.delivered` / `message.undelivered`); an `unknown` message whose last unknown part
 * is resolved continues (`queued` if parts remain, `sent` otherwise).
 * @param[out] message_id_out the matched message id (may be NULL).
 * @return 1 matched, 0 no match, or a negative ::store_error.
 */
int store_report_match(struct store *st, const char *sim_iccid, int mr, const char *recipient,
		       int status, int64_t report_wait_ms, char message_id_out[STORE_ID_SIZE]);

/* ------------------------------------------------------------------------------------ */
/* Inbox                                                                                 */

struct store_inbox {
	char id[STORE_ID_SIZE]; /**< "msg_..." (set by the store on insert) */
	int64_t received_at;	/**< 0 = now */
	const char *modem;
	const char *sim_iccid;
	const char *sender;
	const char *text;
	const char *coding;
	const char *smsc;
	int64_t sc_timestamp; /**< ms since epoch (from the PDU), 0 = NULL */
	int parts;
	bool complete;
	int class_;		   /**< message class 0..3, -1 = none */
	const char *dedupe_key;	   /**< IMSI + sender + SC timestamp + concat ref + part count */
	const char *event_payload; /**< payload of sms.received, NULL = built-in */
};

/**
 * Commit a received message and its `sms.received` event. A dedupe_key already present
 * (read again after a crash) writes nothing: *duplicate = true, return 0.
 */
int store_inbox_insert(struct store *st, struct store_inbox *in, bool *duplicate);

/* ------------------------------------------------------------------------------------ */
/* Modems and nodes                                                                      */

struct store_modem {
	const char *name;
	const char *imei;
	const char *iccid;
	const char *imsi;
	const char *operator_;
	const char *state; /**< "starting", "ready", ... (issue 15 names) */
	const char *state_reason;
	int last_mr; /**< -1 = leave as is */
};

/** Insert or update the `modems` row of @p m->name (node_id = this node, last_seen = now);
 * NULL fields are left as they are. No event (use store_event_add() for state changes). */
int store_modem_upsert(struct store *st, const struct store_modem *m);

/** The stored last TP-MR of a modem, or -1 if unknown / no row. */
int store_modem_last_mr(struct store *st, const char *name);

/** Write `nodes.heartbeat_at = now` (and version) for this node; every 5 s. */
int store_node_heartbeat(struct store *st, const char *version);

/** Counts of what store_recover() did. */
struct store_recovery {
	int parts_unknown;    /**< parts left `sending` that became `unknown` */
	int messages_unknown; /**< messages that became `unknown` */
	int messages_retried; /**< unknown messages re-queued (at_least_once/on_unknown) */
	int claims_released;  /**< claims returned to `queued` */
};

/**
 * Recovery. Run at start (with @p at_start true: THIS node's parts left `sending` become
 * `unknown`, its claims without a part `sending` return to `queued`) and periodically (every
 * heartbeat is fine) with @p at_start false: nodes whose heartbeat is older than
 * @p lease_ms are dead: their `sending` parts -> `unknown`, their claims -> `queued`; any
 * claim whose lease expired with all parts still `queued` -> `queued` (any node).
 * Works inside a batch too (each message under its own savepoint).
 * It first writes this node's heartbeat. Call it (or store_node_heartbeat()) before the
 * first claim: a node without a recent heartbeat counts as dead for the others.
 * Messages turned `unknown` get `message.unknown` events; those with at_least_once (or all
 * of them when @p retry_unknown, i.e. on_unknown = resend) are re-queued at once.
 * @param[out] rec counts (may be NULL).
 */
int store_recover(struct store *st, bool at_start, int64_t lease_ms, bool retry_unknown,
		  struct store_recovery *rec);

/** Names of nodes whose heartbeat is older than @p lease_ms (their modems count as
 * disappeared for the multipart rule). Free with store_strv_free(). */
int store_dead_nodes(struct store *st, int64_t lease_ms, char ***out, size_t *n_out);
void store_strv_free(char **v, size_t n);

/* ------------------------------------------------------------------------------------ */
/* Retention                                                                             */

/**
 * Delete ONE small batch (at most @p batch rows per table) of finished messages (with their
 * parts), inbox rows and events older than @p cutoff (ms since epoch; now - retention), in
 * one short transaction. Call again while it returns > 0.
 * @return rows deleted in this batch, or a negative ::store_error.
 */
int store_retention(struct store *st, int64_t cutoff, int batch);

/**
 * Copy every table of the store at @p from_url into the store at @p to_url (`smsctld
 * --copy-store`): SQLite to PostgreSQL and back, history included, ids preserved.
 *
 * The source must have this build's schema (::STORE_ERR_SCHEMA_OLDER otherwise; a missing
 * SQLite file or a database without the schema is ::STORE_ERR_NOT_FOUND) and is read in one
 * read transaction (a consistent snapshot), never written; a SQLite source is locked like a
 * daemon locks it (::STORE_ERR_LOCKED while an smsctld runs on it). The target must be empty
 * (no tables, or this schema without rows; ::STORE_ERR_NOT_EMPTY otherwise); it gets the
 * current schema, then every row in one transaction; counters (`events.seq`) continue after
 * the copied rows. A bad URL or FROM equal to TO is ::STORE_ERR_INVALID.
 *
 * @param progress called after each table with its name and the rows copied (may be NULL).
 * @param[out] errmsg on failure a malloc'd message (caller frees); may be NULL.
 * @return 0 or a negative ::store_error.
 */
int store_copy(const char *from_url, const char *to_url, const char *node_id,
	       void (*progress)(void *ctx, const char *table, int64_t rows), void *ctx,
	       char **errmsg);

#ifdef __cplusplus
}
#endif

#endif /* SMSCTLD_STORE_H */
