/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store of smsctld, on a real SQLite file (always) and on a real PostgreSQL server (when
 * SMSCTL_TEST_PG_URL names one: tests/daemon/pg-run.sh starts a throwaway server and sets it).
 * Every transition of the state machine, the unique keys, fencing with two claimers, recovery,
 * retention, migrations and the lock against a second daemon.
 *
 * Usage: test-store sqlite | test-store postgresql (77 = skipped when no server is given).
 */
#include "store-fixture.h"
#include "store-internal.h" /* store_open_version() */
#include "store.h"

#include <check.h>
#include <libpq-fe.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A second handle for another node: SQLite allows one primary per file (the lock), so the
 * other node is a secondary connection there; PostgreSQL gets a full second node. */
static struct store *open_other(const char *node)
{
	return open_node(node, use_pg ? 0 : STORE_OPEN_SECONDARY);
}

static const char *pdus3[] = {"0041000B915121551532F40000", "0041010B915121551532F40000",
			      "0041020B915121551532F40000"};

static void insert(struct store *st, const char *to, int nparts, int priority,
		   char id[STORE_ID_SIZE])
{
	struct store_new_message m = {
	    .recipient = to,
	    .text = "hello",
	    .coding = "gsm7",
	    .priority = priority,
	    .validity_minutes = -1,
	    .concat_ref = nparts > 1 ? 7 : -1,
	    .n_parts = (size_t)nparts,
	    .pdus = pdus3,
	};
	char ids[1][STORE_ID_SIZE];

	ck_assert_int_eq(store_message_insert(st, &m, 1, ids), 0);
	memcpy(id, ids[0], STORE_ID_SIZE);
}

static const char *default_pool[] = {"default"};

static int claim(struct store *st, const char *modem, const char *sim, int limit,
		 struct store_message **out)
{
	struct store_claim_req req = {
	    .modem = modem,
	    .pools = default_pool,
	    .n_pools = 1,
	    .sim_iccid = sim,
	    .lease_ms = 30000,
	    .limit = limit,
	};
	size_t n;
	int rc = store_claim(st, &req, out, &n);

	ck_assert_msg(rc >= 0, "claim: %s", store_errmsg(st));
	ck_assert_int_eq((int)n, rc);
	return rc;
}

static enum store_msg_state state_of(struct store *st, const char *id)
{
	struct store_message m;

	ck_assert_int_eq(store_message_get(st, id, &m), 0);
	enum store_msg_state s = m.state;
	store_message_clear(&m);
	return s;
}

/* The types of a message's events, space-separated. */
static void events_of(struct store *st, const char *id, char *buf, size_t size)
{
	struct store_event *ev;
	size_t n;

	ck_assert_int_eq(store_event_list(st, id, 0, 0, &ev, &n), 0);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(ev[i].message_id, id);
		ck_assert_int_eq(strncmp(ev[i].id, "evt_", 4), 0);
		if (i)
			strncat(buf, " ", size - strlen(buf) - 1);
		strncat(buf, ev[i].type, size - strlen(buf) - 1);
		if (i)
			ck_assert_int_gt(ev[i].seq, ev[i - 1].seq);
	}
	store_event_free_array(ev, n);
}

#define ASSERT_EVENTS(st, id, want)                                                                \
	do {                                                                                       \
		char evbuf_[512];                                                                  \
		events_of((st), (id), evbuf_, sizeof(evbuf_));                                     \
		ck_assert_str_eq(evbuf_, (want));                                                  \
	} while (0)

/* Claim the one queued message and send all its parts. */
static void send_all(struct store *st, const char *id, int first_mr)
{
	struct store_message *c;

	ck_assert_int_eq(claim(st, "m1", "8986001", 1, &c), 1);
	ck_assert_str_eq(c[0].id, id);
	for (size_t i = 0; i < c[0].n_part_rows; i++) {
		int seq = c[0].part_rows[i].seq;
		ck_assert_int_eq(store_part_sending(st, id, c[0].claim_epoch, seq, "m1", "8986001",
						    1, (first_mr + (int)i) % 256, -1),
				 0);
		ck_assert_int_eq(
		    store_part_sent(st, id, c[0].claim_epoch, seq, (first_mr + (int)i) % 256), 0);
	}
	store_message_free_array(c, 1);
}

/* ---------------------------------------------------------------------------------- */

START_TEST(test_open_empty_and_reopen)
{
	struct store *st = open_node("a", 0);

	ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
	ck_assert_str_eq(store_backend_name(st), use_pg ? "postgresql" : "sqlite");
	store_close(st);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM schema_version"), STORE_SCHEMA_VERSION);
	/* current schema: reopening (with or without --migrate) changes nothing */
	st = open_node("a", STORE_OPEN_MIGRATE);
	store_close(st);
	ck_assert_int_eq(raw_query("SELECT max(version) FROM schema_version"),
			 STORE_SCHEMA_VERSION);
}
END_TEST

START_TEST(test_sqlite_pragmas)
{
	struct store *st = open_node("a", 0);
	sqlite3 *db;
	sqlite3_stmt *s;

	ck_assert_int_eq(sqlite3_open(url + strlen("sqlite://"), &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	/* another process may read while the daemon runs (never locking_mode=EXCLUSIVE) */
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM messages", -1, &s, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	sqlite3_finalize(s);
	sqlite3_close(db);
	store_close(st);
}
END_TEST

START_TEST(test_refuse_newer_schema)
{
	struct store *st = open_node("a", 0);
	char *err = NULL;

	store_close(st);
	raw_query("INSERT INTO schema_version (version, applied_at) VALUES (99, 0)");
	ck_assert_int_eq(store_open(url, "a", STORE_OPEN_MIGRATE, &st, &err),
			 STORE_ERR_SCHEMA_NEWER);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(err, "99"));
	free(err);
}
END_TEST

START_TEST(test_older_schema_needs_migrate)
{
	/* Version 1 is the first schema, so "older" is faked as a version-0 marker beside the
	 * tables: without --migrate it is refused (never re-created or silently upgraded). */
	struct store *st = open_node("a", 0);
	char *err = NULL;

	store_close(st);
	raw_query("DELETE FROM schema_version");
	raw_query("INSERT INTO schema_version (version, applied_at) VALUES (0, 0)");
	ck_assert_int_eq(store_open(url, "a", 0, &st, &err), STORE_ERR_SCHEMA_OLDER);
	ck_assert_ptr_null(st);
	ck_assert_msg(strstr(err, "--migrate"), "%s", err);
	free(err);
	ck_assert_int_eq(store_open(url, "a", STORE_OPEN_SECONDARY, &st, &err),
			 STORE_ERR_SCHEMA_OLDER);
	free(err);
	/* with --migrate the upgrade runs (here it fails: the fake has the tables already)
	 * in one transaction, and nothing is left half done */
	ck_assert_int_lt(store_open(url, "a", STORE_OPEN_MIGRATE, &st, &err), 0);
	ck_assert_msg(strstr(err, "0001-initial.sql"), "%s", err);
	free(err);
	ck_assert_int_eq(raw_query("SELECT max(version) FROM schema_version"), 0);
}
END_TEST

START_TEST(test_upgrade_from_each_version)
{
	/* every earlier schema version: refused without --migrate, upgraded with it, the rows
	 * written at the old version kept (runs once a second schema version exists) */
	for (int v = 1; v < STORE_SCHEMA_VERSION; v++) {
		struct store *st = NULL;
		char *err = NULL, id[STORE_ID_SIZE];

		fixture_teardown();
		fixture_setup();
		ck_assert_int_eq(store_open_version(url, "a", 0, v, &st, &err), 0);
		ck_assert_int_eq(store_schema_version(st), v);
		store_set_clock(st, fake_clock, NULL);
		insert(st, "+1", 2, 0, id);
		store_close(st);
		ck_assert_int_eq(store_open(url, "a", 0, &st, &err), STORE_ERR_SCHEMA_OLDER);
		free(err);
		st = open_node("a", STORE_OPEN_MIGRATE);
		ck_assert_int_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
		ck_assert_int_eq(state_of(st, id), STORE_MSG_QUEUED);
		store_close(st);
		ck_assert_int_eq(raw_query("SELECT count(*) FROM schema_version"),
				 STORE_SCHEMA_VERSION);
	}
}
END_TEST

START_TEST(test_second_daemon_lock)
{
	struct store *a = open_node("a", 0), *b = NULL;
	char *err = NULL, want[64];

	ck_assert_int_eq(store_open(url, "b", 0, &b, &err), STORE_ERR_LOCKED);
	ck_assert_ptr_null(b);
	snprintf(want, sizeof(want), "pid %ld", (long)getpid());
	ck_assert_msg(strstr(err, want), "%s", err);
	free(err);
	/* a secondary connection of the same process is fine */
	b = open_node("a", STORE_OPEN_SECONDARY);
	store_close(b);
	store_close(a);
	/* released on close */
	a = open_node("b", 0);
	store_close(a);
}
END_TEST

START_TEST(test_ids)
{
	struct store *st = open_node("a", 0);
	char prev[STORE_ID_SIZE] = "", id[STORE_ID_SIZE];

	for (int i = 0; i < 50; i++) {
		insert(st, "+8613900000000", 1, 0, id);
		ck_assert_int_eq(strlen(id), 30);
		ck_assert_int_eq(strncmp(id, "msg_", 4), 0);
		ck_assert_int_eq(strspn(id + 4, "0123456789ABCDEFGHJKMNPQRSTVWXYZ"), 26);
		ck_assert_int_gt(strcmp(id, prev), 0);
		memcpy(prev, id, sizeof(id));
	}
	store_close(st);
}
END_TEST

START_TEST(test_insert_get_and_queued_event)
{
	struct store *st = open_node("a", 0);
	struct store_message m;
	struct store_new_message nm[2] = {
	    {.recipient = "+8613912345678",
	     .text = "充值成功",
	     .coding = "ucs2",
	     .priority = 5,
	     .pool = "cn",
	     .modem = "slot1",
	     .not_before = fake_now + 1000,
	     .expires_at = fake_now + 86400000,
	     .report = true,
	     .flash = true,
	     .validity_minutes = 1440,
	     .at_least_once = true,
	     .idempotency_key = "order-1",
	     .request_hash = "abc",
	     .tags = "{\"order\":\"1\"}",
	     .concat_ref = 42,
	     .n_parts = 3,
	     .pdus = pdus3},
	    {.recipient = "+4915112345678",
	     .text = "x",
	     .coding = "gsm7",
	     .validity_minutes = -1,
	     .concat_ref = -1,
	     .n_parts = 1,
	     .pdus = pdus3},
	};
	char ids[2][STORE_ID_SIZE];

	ck_assert_int_eq(store_message_insert(st, nm, 2, ids), 0);
	ck_assert_int_eq(store_message_get(st, ids[0], &m), 0);
	ck_assert_str_eq(m.id, ids[0]);
	ck_assert_int_eq(m.state, STORE_MSG_QUEUED);
	ck_assert_str_eq(m.recipient, "+8613912345678");
	ck_assert_str_eq(m.text, "充值成功");
	ck_assert_str_eq(m.coding, "ucs2");
	ck_assert_int_eq(m.parts, 3);
	ck_assert_int_eq(m.priority, 5);
	ck_assert_str_eq(m.pool, "cn");
	ck_assert_str_eq(m.want_modem, "slot1");
	ck_assert_ptr_null(m.modem);
	ck_assert_int_eq(m.created_at, fake_now);
	ck_assert_int_eq(m.not_before, fake_now + 1000);
	ck_assert_int_eq(m.expires_at, fake_now + 86400000);
	ck_assert(m.report && m.flash && m.at_least_once);
	ck_assert_int_eq(m.validity_minutes, 1440);
	ck_assert_str_eq(m.idempotency_key, "order-1");
	ck_assert_str_eq(m.tags, "{\"order\":\"1\"}");
	ck_assert_int_eq(m.concat_ref, 42);
	ck_assert_int_eq(m.claim_epoch, 0);
	ck_assert_int_eq((int)m.n_part_rows, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(m.part_rows[i].seq, i + 1);
		ck_assert_int_eq(m.part_rows[i].state, STORE_PART_QUEUED);
		ck_assert_str_eq(m.part_rows[i].pdu, pdus3[i]);
		ck_assert_int_eq(m.part_rows[i].mr, -1);
		ck_assert_int_eq(m.part_rows[i].mr_advanced, -1);
	}
	store_message_clear(&m);
	ck_assert_int_eq(store_message_get(st, ids[1], &m), 0);
	ck_assert_str_eq(m.pool, "default");
	ck_assert_int_eq(m.not_before, fake_now);
	ck_assert_int_eq(m.expires_at, 0);
	ck_assert_int_eq(m.validity_minutes, -1);
	ck_assert_int_eq(m.concat_ref, -1);
	store_message_clear(&m);
	ASSERT_EVENTS(st, ids[0], "message.queued");
	ck_assert_int_eq(store_message_get(st, "msg_nope", &m), STORE_ERR_NOT_FOUND);
	store_close(st);
}
END_TEST

START_TEST(test_insert_all_or_nothing)
{
	struct store *st = open_node("a", 0);
	struct store_new_message nm[2] = {
	    {.recipient = "+1",
	     .text = "a",
	     .coding = "gsm7",
	     .validity_minutes = -1,
	     .concat_ref = -1,
	     .n_parts = 1,
	     .pdus = pdus3},
	    {.recipient = "+2", .text = "b", .coding = "gsm7", .n_parts = 0, .pdus = pdus3},
	};
	char ids[2][STORE_ID_SIZE];

	ck_assert_int_eq(store_message_insert(st, nm, 2, ids), STORE_ERR_INVALID);
	ck_assert_int_eq(store_queued_count(st), 0);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM events"), 0);
	store_close(st);
}
END_TEST

START_TEST(test_claim_order_and_eligibility)
{
	struct store *st = open_node("a", 0);
	char low[STORE_ID_SIZE], high[STORE_ID_SIZE], later[STORE_ID_SIZE];
	char other_pool[STORE_ID_SIZE], pinned[STORE_ID_SIZE], expired[STORE_ID_SIZE];
	struct store_message *c;
	const char *pdu[] = {"00"};
	struct store_new_message nm = {.recipient = "+3",
				       .text = "t",
				       .coding = "gsm7",
				       .validity_minutes = -1,
				       .concat_ref = -1,
				       .n_parts = 1,
				       .pdus = pdu};
	char ids[1][STORE_ID_SIZE];

	insert(st, "+1", 1, 0, low);
	insert(st, "+2", 1, 9, high);
	nm.not_before = fake_now + 60000;
	ck_assert_int_eq(store_message_insert(st, &nm, 1, ids), 0);
	memcpy(later, ids[0], sizeof(later));
	nm.not_before = 0;
	nm.pool = "other";
	ck_assert_int_eq(store_message_insert(st, &nm, 1, ids), 0);
	memcpy(other_pool, ids[0], sizeof(other_pool));
	nm.pool = NULL;
	nm.modem = "m2";
	ck_assert_int_eq(store_message_insert(st, &nm, 1, ids), 0);
	memcpy(pinned, ids[0], sizeof(pinned));
	nm.modem = NULL;
	nm.expires_at = fake_now + 10;
	ck_assert_int_eq(store_message_insert(st, &nm, 1, ids), 0);
	memcpy(expired, ids[0], sizeof(expired));
	fake_now += 20;

	ck_assert_int_eq(claim(st, "m1", "s1", 10, &c), 2);
	ck_assert_str_eq(c[0].id, high);
	ck_assert_str_eq(c[1].id, low);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(c[i].state, STORE_MSG_SENDING);
		ck_assert_int_eq(c[i].claim_epoch, 1);
		ck_assert_str_eq(c[i].node_id, "a");
		ck_assert_str_eq(c[i].modem, "m1");
		ck_assert_int_eq(c[i].lease_until, fake_now + 30000);
		ck_assert_int_eq((int)c[i].n_part_rows, 1);
	}
	store_message_free_array(c, 2);
	ck_assert_int_eq(claim(st, "m1", "s1", 10, &c), 0);
	ck_assert_ptr_null(c);
	/* the named modem takes its own message */
	ck_assert_int_eq(claim(st, "m2", "s2", 10, &c), 1);
	ck_assert_str_eq(c[0].id, pinned);
	store_message_free_array(c, 1);
	/* not_before reached */
	fake_now += 60000;
	ck_assert_int_eq(claim(st, "m1", "s1", 10, &c), 1);
	ck_assert_str_eq(c[0].id, later);
	store_message_free_array(c, 1);
	ck_assert_int_eq(state_of(st, other_pool), STORE_MSG_QUEUED);
	/* the expired one is never claimed; expiry turns it expired */
	ck_assert_int_eq(store_expire_due(st, 10), 1);
	ck_assert_int_eq(state_of(st, expired), STORE_MSG_EXPIRED);
	ASSERT_EVENTS(st, expired, "message.queued message.expired");
	ck_assert_int_eq(store_expire_due(st, 10), 0);
	store_close(st);
}
END_TEST

START_TEST(test_lifecycle_sent_with_mr)
{
	struct store *st = open_node("a", 0);
	struct store_modem mo = {
	    .name = "m1", .imei = "3520", .iccid = "8986001", .state = "ready", .last_mr = 41};
	struct store_message *c, m;
	char id[STORE_ID_SIZE];

	ck_assert_int_eq(store_modem_upsert(st, &mo), 0);
	ck_assert_int_eq(store_modem_last_mr(st, "m1"), 41);
	insert(st, "+8613900000001", 3, 0, id);
	ck_assert_int_eq(claim(st, "m1", "8986001", 1, &c), 1);
	int64_t ep = c[0].claim_epoch;
	store_message_free_array(c, 1);
	/* sending before AT+CMGS: modem, SIM, attempt, expected_mr committed */
	ck_assert_int_eq(store_part_sending(st, id, ep, 1, "m1", "8986001", 1, 42, 99), 0);
	ck_assert_int_eq(store_message_get(st, id, &m), 0);
	ck_assert_int_eq(m.part_rows[0].state, STORE_PART_SENDING);
	ck_assert_str_eq(m.part_rows[0].modem, "m1");
	ck_assert_str_eq(m.part_rows[0].sim_iccid, "8986001");
	ck_assert_int_eq(m.part_rows[0].attempt, 1);
	ck_assert_int_eq(m.part_rows[0].expected_mr, 42);
	ck_assert_int_eq(m.part_rows[0].sending_at, fake_now);
	ck_assert_str_eq(m.sim_iccid, "8986001"); /* the multipart pin */
	ck_assert_int_eq(m.concat_ref, 99);
	ck_assert_int_eq(m.attempts, 1);
	store_message_clear(&m);
	/* a part not queued cannot go sending twice */
	ck_assert_int_eq(store_part_sending(st, id, ep, 1, "m1", "8986001", 1, 42, -1),
			 STORE_ERR_STATE);
	ck_assert_int_eq(store_part_sent(st, id, ep, 1, 42), 0);
	ck_assert_int_eq(state_of(st, id), STORE_MSG_SENDING);
	ck_assert_int_eq(store_modem_last_mr(st, "m1"), 42);
	/* sent without sending is refused */
	ck_assert_int_eq(store_part_sent(st, id, ep, 2, 43), STORE_ERR_STATE);
	for (int seq = 2; seq <= 3; seq++) {
		ck_assert_int_eq(
		    store_part_sending(st, id, ep, seq, "m1", "8986001", 1, 41 + seq, -1), 0);
		fake_now += 100;
		ck_assert_int_eq(store_part_sent(st, id, ep, seq, 41 + seq), 0);
	}
	ck_assert_int_eq(store_message_get(st, id, &m), 0);
	ck_assert_int_eq(m.state, STORE_MSG_SENT);
	ck_assert_int_eq(m.finished_at, fake_now);
	ck_assert_int_eq(m.part_rows[2].mr, 44);
	ck_assert_int_eq(m.part_rows[2].sent_at, fake_now);
	ck_assert_int_eq(m.lease_until, 0);
	store_message_clear(&m);
	ASSERT_EVENTS(st, id, "message.queued message.sent");
	store_close(st);
}
END_TEST

START_TEST(test_unknown_and_mr_advanced)
{
	struct store *st = open_node("a", 0);
	struct store_message *c, m;
	char a[STORE_ID_SIZE], b[STORE_ID_SIZE];

	insert(st, "+1", 2, 1, a);
	insert(st, "+2", 1, 0, b);
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 1);
	int64_t ep = c[0].claim_epoch;
	store_message_free_array(c, 1);
	ck_assert_int_eq(store_part_sending(st, a, ep, 1, "m1", "s1", 1, 255, -1), 0);
	/* timeout after Ctrl-Z */
	ck_assert_int_eq(store_part_unknown(st, a, ep, 1, "timeout.after_pdu", "no answer", 0), 0);
	ck_assert_int_eq(store_message_get(st, a, &m), 0);
	ck_assert_int_eq(m.state, STORE_MSG_UNKNOWN);
	ck_assert_str_eq(m.error_class, "ambiguous");
	ck_assert_int_eq(m.part_rows[0].state, STORE_PART_UNKNOWN);
	ck_assert_int_eq(m.part_rows[1].state, STORE_PART_QUEUED); /* the rest is not sent */
	store_message_clear(&m);
	ASSERT_EVENTS(st, a, "message.queued message.unknown");
	/* never sent again automatically: not claimable */
	ck_assert_int_eq(claim(st, "m1", "s1", 5, &c), 1);
	ck_assert_str_eq(c[0].id, b);
	ep = c[0].claim_epoch;
	store_message_free_array(c, 1);
	/* the modem's next +CMGS: 0 = expected 255 + 1 (wraps): the counter moved */
	ck_assert_int_eq(store_part_sending(st, b, ep, 1, "m1", "s1", 1, 0, -1), 0);
	ck_assert_int_eq(store_part_sent(st, b, ep, 1, 0), 0);
	ck_assert_int_eq(store_message_get(st, a, &m), 0);
	ck_assert_int_eq(m.part_rows[0].mr_advanced, 1);
	store_message_clear(&m);
	store_close(st);
}
END_TEST

START_TEST(test_mr_not_advanced)
{
	struct store *st = open_node("a", 0);
	struct store_message *c, m;
	char a[STORE_ID_SIZE], b[STORE_ID_SIZE];

	insert(st, "+1", 1, 1, a);
	insert(st, "+2", 1, 0, b);
	ck_assert_int_eq(claim(st, "m1", "s1", 2, &c), 2);
	ck_assert_int_eq(store_part_sending(st, a, c[0].claim_epoch, 1, "m1", "s1", 1, 10, -1), 0);
	ck_assert_int_eq(store_part_unknown(st, a, c[0].claim_epoch, 1, "io.eof", NULL, 0), 0);
	ck_assert_int_eq(store_part_sending(st, b, c[1].claim_epoch, 1, "m1", "s1", 1, 10, -1), 0);
	ck_assert_int_eq(store_part_sent(st, b, c[1].claim_epoch, 1, 10), 0);
	store_message_free_array(c, 2);
	ck_assert_int_eq(store_message_get(st, a, &m), 0);
	ck_assert_int_eq(m.part_rows[0].mr_advanced, 0);
	store_message_clear(&m);
	store_close(st);
}
END_TEST

START_TEST(test_at_least_once_retry)
{
	struct store *st = open_node("a", 0);
	struct store_message *c, m;
	char id[STORE_ID_SIZE];

	insert(st, "+1", 1, 0, id);
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 1);
	int64_t ep = c[0].claim_epoch;
	store_message_free_array(c, 1);
	ck_assert_int_eq(store_part_sending(st, id, ep, 1, "m1", "s1", 1, 5, -1), 0);
	ck_assert_int_eq(store_part_unknown(st, id, ep, 1, "io.eof", NULL, fake_now + 1000), 0);
	ck_assert_int_eq(store_message_get(st, id, &m), 0);
	ck_assert_int_eq(m.state, STORE_MSG_QUEUED);
	ck_assert_int_eq(m.next_attempt_at, fake_now + 1000);
	ck_assert_int_eq(m.part_rows[0].state, STORE_PART_QUEUED);
	store_message_clear(&m);
	ASSERT_EVENTS(st, id, "message.queued message.unknown message.queued");
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 0);
	fake_now += 1000;
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 1);
	ck_assert_int_eq(c[0].claim_epoch, ep + 1);
	ck_assert_int_eq(store_part_sending(st, id, c[0].claim_epoch, 1, "m1", "s1", 2, 6, -1), 0);
	store_message_free_array(c, 1);
	store_close(st);
}
END_TEST

START_TEST(test_transient_requeue_and_permanent_fail)
{
	struct store *st = open_node("a", 0);
	struct store_message *c, m;
	char id[STORE_ID_SIZE];
	struct store_error_info tr = {"cms.42", "transient", "congestion"};
	struct store_error_info perm = {"cms.21", "permanent", "short message transfer rejected"};

	ck_assert_int_eq(store_backoff(30000, 1800000, 1), 30000);
	ck_assert_int_eq(store_backoff(30000, 1800000, 3), 120000);
	ck_assert_int_eq(store_backoff(30000, 1800000, 9), 1800000);
	insert(st, "+1", 1, 0, id);
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 1);
	int64_t ep = c[0].claim_epoch;
	store_message_free_array(c, 1);
	ck_assert_int_eq(store_part_sending(st, id, ep, 1, "m1", "s1", 1, 1, -1), 0);
	ck_assert_int_eq(store_part_requeue(st, id, ep, 1, &tr, fake_now + 30000, true), 0);
	ck_assert_int_eq(store_message_get(st, id, &m), 0);
	ck_assert_int_eq(m.state, STORE_MSG_QUEUED);
	ck_assert_str_eq(m.error_code, "cms.42");
	ck_assert_int_eq(m.attempts, 1);
	ck_assert_int_eq(m.next_attempt_at, fake_now + 30000);
	ck_assert_int_eq(m.part_rows[0].state, STORE_PART_QUEUED);
	ck_assert_ptr_null(m.sim_iccid); /* nothing went out: not pinned to the failing SIM */
	store_message_clear(&m);
	/* the old claim is gone: its epoch no longer matches */
	ck_assert_int_eq(store_part_sending(st, id, ep, 1, "m1", "s1", 2, 1, -1), STORE_ERR_FENCED);
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 0); /* backoff */
	fake_now += 30000;
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 1);
	ep = c[0].claim_epoch;
	store_message_free_array(c, 1);
	/* a modem-level failure does not count toward max_attempts */
	ck_assert_int_eq(store_part_sending(st, id, ep, 1, "m1", "s1", 2, 1, -1), 0);
	ck_assert_int_eq(store_part_requeue(st, id, ep, 1, &tr, fake_now, false), 0);
	ck_assert_int_eq(store_message_get(st, id, &m), 0);
	ck_assert_int_eq(m.attempts, 1);
	ck_assert_int_eq(m.part_rows[0].attempt, 1);
	store_message_clear(&m);
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 1);
	ep = c[0].claim_epoch;
	store_message_free_array(c, 1);
	ck_assert_int_eq(store_part_sending(st, id, ep, 1, "m1", "s1", 2, 1, -1), 0);
	ck_assert_int_eq(store_part_failed(st, id, ep, 1, &perm), 0);
	ck_assert_int_eq(store_message_get(st, id, &m), 0);
	ck_assert_int_eq(m.state, STORE_MSG_FAILED);
	ck_assert_str_eq(m.error_code, "cms.21");
	ck_assert_str_eq(m.error_class, "permanent");
	ck_assert_str_eq(m.error_text, "short message transfer rejected");
	ck_assert_int_eq(m.part_rows[0].state, STORE_PART_FAILED);
	ck_assert_int_eq(m.finished_at, fake_now);
	store_message_clear(&m);
	ASSERT_EVENTS(st, id, "message.queued message.queued message.queued message.failed");
	store_close(st);
}
END_TEST

START_TEST(test_cancel)
{
	struct store *st = open_node("a", 0);
	struct store_message *c;
	char a[STORE_ID_SIZE], b[STORE_ID_SIZE];

	insert(st, "+1", 1, 0, a);
	insert(st, "+2", 1, 0, b);
	ck_assert_int_eq(store_message_cancel(st, a), 0);
	ck_assert_int_eq(state_of(st, a), STORE_MSG_CANCELLED);
	ASSERT_EVENTS(st, a, "message.queued message.cancelled");
	ck_assert_int_eq(store_message_cancel(st, a), STORE_ERR_STATE);
	ck_assert_int_eq(store_message_cancel(st, "msg_00000000000000000000000000"),
			 STORE_ERR_NOT_FOUND);
	ck_assert_int_eq(claim(st, "m1", "s1", 5, &c), 1);
	ck_assert_int_eq(store_message_cancel(st, b), STORE_ERR_STATE);
	/* expiring a claimed message before its first part */
	ck_assert_int_eq(store_message_expire(st, b, c[0].claim_epoch), 0);
	ck_assert_int_eq(state_of(st, b), STORE_MSG_EXPIRED);
	store_message_free_array(c, 1);
	store_close(st);
}
END_TEST

START_TEST(test_resend_and_resend_whole)
{
	struct store *st = open_node("a", 0);
	struct store_message *c, m;
	char a[STORE_ID_SIZE], nid[STORE_ID_SIZE];
	struct store_error_info perm = {"cms.21", "permanent", "rejected"};
	const char *newpdus[] = {"AA", "BB", "CC"};
	size_t n;

	insert(st, "+1", 3, 0, a);
	ck_assert_int_eq(store_message_resend(st, a, NULL, 0, -1, nid), STORE_ERR_STATE);
	/* multipart: part 1 sent from s1, then the modem disappears */
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 1);
	int64_t ep = c[0].claim_epoch;
	store_message_free_array(c, 1);
	ck_assert_int_eq(store_part_sending(st, a, ep, 1, "m1", "s1", 1, 1, 7), 0);
	ck_assert_int_eq(store_part_sent(st, a, ep, 1, 1), 0);
	ck_assert_int_eq(store_claim_release(st, a, ep), 0);
	/* pinned to its SIM: another SIM does not get it */
	ck_assert_int_eq(claim(st, "m2", "s2", 1, &c), 0);
	/* a started multipart never expires half sent */
	raw_query("UPDATE messages SET expires_at = 1");
	ck_assert_int_eq(store_expire_due(st, 10), 0);
	ck_assert_int_eq(state_of(st, a), STORE_MSG_QUEUED);
	ck_assert_int_eq(store_pinned_waiting(st, fake_now + 1, 10, &c, &n), 1);
	store_message_free_array(c, n);
	raw_query("UPDATE messages SET expires_at = NULL");
	/* multipart_lost_modem = resend_whole: same row, new reference */
	ck_assert_int_eq(store_message_resend_whole(st, a, -1, newpdus, 3, 8), 0);
	ck_assert_int_eq(store_message_get(st, a, &m), 0);
	ck_assert_int_eq(m.state, STORE_MSG_QUEUED);
	ck_assert_int_eq(m.concat_ref, 8);
	ck_assert_ptr_null(m.sim_iccid);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(m.part_rows[i].state, STORE_PART_QUEUED);
		ck_assert_str_eq(m.part_rows[i].pdu, newpdus[i]);
		ck_assert_int_eq(m.part_rows[i].mr, -1);
	}
	store_message_clear(&m);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM messages"), 1);
	ASSERT_EVENTS(st, a, "message.queued message.resent_whole");
	ck_assert_int_eq(claim(st, "m2", "s2", 1, &c), 1);
	ep = c[0].claim_epoch;
	store_message_free_array(c, 1);
	ck_assert_int_eq(store_part_failed(st, a, ep, 0, &perm), 0);
	/* resend of a failed message: a new row linked by resend_of */
	ck_assert_int_eq(store_message_resend(st, a, NULL, 0, -1, nid), 0);
	ck_assert_str_ne(nid, a);
	ck_assert_int_eq(store_message_get(st, nid, &m), 0);
	ck_assert_int_eq(m.state, STORE_MSG_QUEUED);
	ck_assert_str_eq(m.resend_of, a);
	ck_assert_int_eq((int)m.n_part_rows, 3);
	ck_assert_str_eq(m.part_rows[1].pdu, "BB");
	store_message_clear(&m);
	ASSERT_EVENTS(st, nid, "message.queued");
	store_close(st);
}
END_TEST

START_TEST(test_status_reports)
{
	struct store *st = open_node("a", 0);
	char a[STORE_ID_SIZE], b[STORE_ID_SIZE], got[STORE_ID_SIZE];
	const int64_t wait = 7200000;

	insert(st, "+861", 1, 1, a);
	send_all(st, a, 77);
	/* wrong recipient, wrong SIM, wrong MR: no match */
	ck_assert_int_eq(store_report_match(st, "8986001", 77, "+862", 0, wait, got), 0);
	ck_assert_int_eq(store_report_match(st, "8986002", 77, "+861", 0, wait, got), 0);
	ck_assert_int_eq(store_report_match(st, "8986001", 78, "+861", 0, wait, got), 0);
	/* still trying: recorded, no state change */
	ck_assert_int_eq(store_report_match(st, "8986001", 77, "+861", 0x30, wait, got), 1);
	ck_assert_str_eq(got, a);
	ck_assert_int_eq(state_of(st, a), STORE_MSG_SENT);
	ck_assert_int_eq(store_report_match(st, "8986001", 77, "+861", 0, wait, got), 1);
	ck_assert_int_eq(state_of(st, a), STORE_MSG_DELIVERED);
	ASSERT_EVENTS(st, a, "message.queued message.sent message.delivered");
	/* undelivered, and the window */
	insert(st, "+863", 1, 0, b);
	send_all(st, b, 200);
	ck_assert_int_eq(store_report_match(st, "8986001", 200, "+863", 0x41, wait, got), 1);
	ck_assert_int_eq(state_of(st, b), STORE_MSG_UNDELIVERED);
	fake_now += wait + 1;
	ck_assert_int_eq(store_report_match(st, "8986001", 200, "+863", 0x41, wait, got), 0);
	store_close(st);
}
END_TEST

START_TEST(test_report_resolves_unknown)
{
	struct store *st = open_node("a", 0);
	struct store_message *c, m;
	char a[STORE_ID_SIZE], got[STORE_ID_SIZE];

	insert(st, "+864", 2, 0, a);
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 1);
	int64_t ep = c[0].claim_epoch;
	store_message_free_array(c, 1);
	ck_assert_int_eq(store_part_sending(st, a, ep, 1, "m1", "s1", 1, 255, -1), 0);
	ck_assert_int_eq(store_part_unknown(st, a, ep, 1, "timeout.after_pdu", NULL, 0), 0);
	/* a report for TP-MR = expected_mr from the same SIM: the part was sent; the message
	 * continues from the same SIM */
	ck_assert_int_eq(store_report_match(st, "s1", 255, "+864", 0, 7200000, got), 1);
	ck_assert_int_eq(store_message_get(st, a, &m), 0);
	ck_assert_int_eq(m.part_rows[0].state, STORE_PART_SENT);
	ck_assert_int_eq(m.part_rows[0].mr, 255);
	ck_assert_int_eq(m.part_rows[0].report_status, 0);
	ck_assert_int_eq(m.state, STORE_MSG_QUEUED);
	store_message_clear(&m);
	ck_assert_int_eq(claim(st, "m9", "other-sim", 1, &c), 0);
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 1);
	ep = c[0].claim_epoch;
	store_message_free_array(c, 1);
	ck_assert_int_eq(store_part_sending(st, a, ep, 2, "m1", "s1", 1, 0, -1), 0);
	ck_assert_int_eq(store_part_sent(st, a, ep, 2, 0), 0);
	ck_assert_int_eq(state_of(st, a), STORE_MSG_SENT);
	ck_assert_int_eq(store_report_match(st, "s1", 0, "+864", 0, 7200000, got), 1);
	ck_assert_int_eq(state_of(st, a), STORE_MSG_DELIVERED);
	ASSERT_EVENTS(st, a,
		      "message.queued message.unknown message.queued message.sent "
		      "message.delivered");
	store_close(st);
}
END_TEST

START_TEST(test_inbox_dedupe)
{
	struct store *st = open_node("a", 0);
	struct store_inbox in = {.modem = "m1",
				 .sim_iccid = "s1",
				 .sender = "+8610086",
				 .text = "余额 12.30 元",
				 .coding = "ucs2",
				 .smsc = "+8613800100500",
				 .sc_timestamp = fake_now - 5000,
				 .parts = 2,
				 .complete = true,
				 .class_ = -1,
				 .dedupe_key = "460001|+8610086|251205|17|2"};
	bool dup;

	ck_assert_int_eq(store_inbox_insert(st, &in, &dup), 0);
	ck_assert(!dup);
	ck_assert_int_eq(strncmp(in.id, "msg_", 4), 0);
	ck_assert_int_eq(store_inbox_insert(st, &in, &dup), 0);
	ck_assert(dup);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM inbox"), 1);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM events WHERE type = 'sms.received'"), 1);
	in.dedupe_key = "460001|+8610086|251205|18|2";
	ck_assert_int_eq(store_inbox_insert(st, &in, &dup), 0);
	ck_assert(!dup);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM inbox"), 2);
	store_close(st);
}
END_TEST

START_TEST(test_fencing_two_claimers)
{
	struct store *a = open_node("host-a", 0);
	struct store *b = open_other("host-b");
	struct store_message *ca, *cb;
	char id[STORE_ID_SIZE];

	store_set_clock(b, fake_clock, NULL);
	ck_assert_int_eq(store_node_heartbeat(a, "t"), 0);
	ck_assert_int_eq(store_node_heartbeat(b, "t"), 0);
	insert(a, "+1", 1, 0, id);
	ck_assert_int_eq(claim(a, "ma", "sa", 1, &ca), 1);
	/* B sees nothing to claim while A's lease runs */
	ck_assert_int_eq(claim(b, "mb", "sb", 1, &cb), 0);
	/* A pauses past its lease; B (alive) returns the expired claim and takes it */
	fake_now += 31000;
	ck_assert_int_eq(store_node_heartbeat(b, "t"), 0);
	struct store_recovery rec;
	ck_assert_int_eq(store_recover(b, false, 30000, false, &rec), 0);
	ck_assert_int_eq(rec.claims_released, 1);
	ck_assert_int_eq(claim(b, "mb", "sb", 1, &cb), 1);
	ck_assert_int_gt(cb[0].claim_epoch, ca[0].claim_epoch);
	/* A wakes up: its update before AT+CMGS matches no row, so it must not send */
	ck_assert_int_eq(store_part_sending(a, id, ca[0].claim_epoch, 1, "ma", "sa", 1, 3, -1),
			 STORE_ERR_FENCED);
	ck_assert_int_eq(store_part_sending(b, id, cb[0].claim_epoch, 1, "mb", "sb", 1, 3, -1), 0);
	ck_assert_int_eq(store_part_sent(a, id, ca[0].claim_epoch, 1, 3), STORE_ERR_FENCED);
	ck_assert_int_eq(store_part_sent(b, id, cb[0].claim_epoch, 1, 3), 0);
	struct store_message m;
	ck_assert_int_eq(store_message_get(a, id, &m), 0);
	ck_assert_str_eq(m.node_id, "host-b");
	ck_assert_str_eq(m.part_rows[0].modem, "mb");
	store_message_clear(&m);
	store_message_free_array(ca, 1);
	store_message_free_array(cb, 1);
	store_close(b);
	store_close(a);
}
END_TEST

START_TEST(test_skip_locked_concurrent_claims)
{
	/* PostgreSQL: A's claim transaction is still open; B's claim skips the locked rows
	 * instead of waiting, and never returns a row A holds. */
	struct store *a = open_node("host-a", 0);
	struct store *b = open_other("host-b");
	struct store_message *ca, *cb;
	char id[STORE_ID_SIZE];

	store_set_clock(b, fake_clock, NULL);
	for (int i = 0; i < 6; i++)
		insert(a, "+1", 1, 0, id);
	ck_assert_int_eq(store_begin(a), 0);
	ck_assert_int_eq(claim(a, "ma", "sa", 3, &ca), 3);
	ck_assert_int_eq(claim(b, "mb", "sb", 10, &cb), 3);
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < 3; k++)
			ck_assert_str_ne(ca[i].id, cb[k].id);
	ck_assert_int_eq(store_commit(a), 0);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM messages WHERE state = 'sending'"), 6);
	store_message_free_array(ca, 3);
	store_message_free_array(cb, 3);
	store_close(b);
	store_close(a);
}
END_TEST

START_TEST(test_notify)
{
	struct store *a = open_node("host-a", 0);
	struct store *b = open_other("host-b");
	char id[STORE_ID_SIZE];
	int got = 0;

	ck_assert_int_ge(store_get_fd(b), 0);
	ck_assert_int_eq(store_consume_notify(b), 0);
	insert(a, "+1", 1, 0, id);
	for (int i = 0; i < 50 && got == 0; i++) {
		struct pollfd p = {.fd = store_get_fd(b), .events = POLLIN};
		poll(&p, 1, 100);
		got = store_consume_notify(b);
	}
	ck_assert_int_ge(got, 1);
	store_close(b);
	store_close(a);
}
END_TEST

#define KILL_CONNECTIONS                                                                           \
	"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> "              \
	"pg_backend_pid() AND backend_type = 'client backend'"

START_TEST(test_pg_connection_lost)
{
	/* the server drops the connection (restart, failover): a transaction in flight fails
	 * as unavailable, never as a success; the next operation reconnects, prepares its
	 * statements again and works */
	struct store *st = open_node("a", 0);
	struct store_message m;
	char id[STORE_ID_SIZE], id2[STORE_ID_SIZE];

	insert(st, "+1", 1, 0, id);
	raw_query(KILL_CONNECTIONS);
	ck_assert_int_eq(store_message_get(st, id, &m), 0);
	store_message_clear(&m);
	raw_query(KILL_CONNECTIONS);
	insert(st, "+2", 1, 0, id2);
	ck_assert_int_eq(state_of(st, id2), STORE_MSG_QUEUED);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_message_cancel(st, id), 0);
	raw_query(KILL_CONNECTIONS);
	ck_assert_int_eq(store_commit(st), STORE_ERR_UNAVAILABLE);
	ck_assert_ptr_nonnull(strstr(store_errmsg(st), "postgresql"));
	ck_assert_int_eq(state_of(st, id), STORE_MSG_QUEUED);
	store_close(st);
}
END_TEST

START_TEST(test_recovery_at_start)
{
	struct store *st = open_node("a", 0);
	struct store_message *c, m;
	char s1[STORE_ID_SIZE], s2[STORE_ID_SIZE], alo[STORE_ID_SIZE];
	const char *pdu[] = {"00"};
	struct store_new_message nm = {.recipient = "+9",
				       .text = "t",
				       .coding = "gsm7",
				       .validity_minutes = -1,
				       .concat_ref = -1,
				       .n_parts = 1,
				       .pdus = pdu,
				       .at_least_once = true,
				       .priority = -1};
	char ids[1][STORE_ID_SIZE];
	struct store_recovery rec;

	insert(st, "+1", 1, 2, s1);
	insert(st, "+2", 1, 1, s2);
	ck_assert_int_eq(store_message_insert(st, &nm, 1, ids), 0);
	memcpy(alo, ids[0], sizeof(alo));
	ck_assert_int_eq(claim(st, "m1", "s1", 3, &c), 3);
	ck_assert_int_eq(store_part_sending(st, s1, c[0].claim_epoch, 1, "m1", "s1", 1, 1, -1), 0);
	ck_assert_int_eq(store_part_sending(st, alo, c[2].claim_epoch, 1, "m1", "s1", 1, 2, -1), 0);
	store_message_free_array(c, 3);
	/* kill -9 */
	store_close(st);
	st = open_node("a", 0);
	ck_assert_int_eq(store_recover(st, true, 30000, false, &rec), 0);
	ck_assert_int_eq(rec.parts_unknown, 2);
	ck_assert_int_eq(rec.messages_unknown, 2);
	ck_assert_int_eq(rec.messages_retried, 1);
	ck_assert_int_eq(rec.claims_released, 1);
	ck_assert_int_eq(store_message_get(st, s1, &m), 0);
	ck_assert_int_eq(m.state, STORE_MSG_UNKNOWN);
	ck_assert_int_eq(m.part_rows[0].state, STORE_PART_UNKNOWN);
	ck_assert_str_eq(m.part_rows[0].error_code, "restart");
	store_message_clear(&m);
	ASSERT_EVENTS(st, s1, "message.queued message.unknown");
	ck_assert_int_eq(state_of(st, s2), STORE_MSG_QUEUED);
	ck_assert_int_eq(state_of(st, alo), STORE_MSG_QUEUED);
	ASSERT_EVENTS(st, alo, "message.queued message.unknown message.queued");
	/* nothing left sending: a second recovery does nothing */
	ck_assert_int_eq(store_recover(st, true, 30000, false, &rec), 0);
	ck_assert_int_eq(rec.parts_unknown + rec.claims_released, 0);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM message_parts WHERE state = 'sending'"),
			 0);
	store_close(st);
}
END_TEST

START_TEST(test_dead_node)
{
	struct store *a = open_node("host-a", 0);
	struct store *b = open_other("host-b");
	struct store_message *c;
	char x[STORE_ID_SIZE], y[STORE_ID_SIZE];
	struct store_recovery rec;
	char **dead;
	size_t ndead;

	store_set_clock(b, fake_clock, NULL);
	ck_assert_int_eq(store_node_heartbeat(a, "0.1"), 0);
	insert(a, "+1", 1, 1, x);
	insert(a, "+2", 3, 0, y);
	ck_assert_int_eq(claim(a, "ma", "sa", 2, &c), 2);
	ck_assert_int_eq(store_part_sending(a, x, c[0].claim_epoch, 1, "ma", "sa", 1, 1, -1), 0);
	ck_assert_int_eq(store_part_sending(a, y, c[1].claim_epoch, 1, "ma", "sa", 1, 2, -1), 0);
	ck_assert_int_eq(store_part_sent(a, y, c[1].claim_epoch, 1, 2), 0);
	/* alive: B changes nothing */
	fake_now += 5000;
	ck_assert_int_eq(store_node_heartbeat(b, "0.1"), 0);
	ck_assert_int_eq(store_recover(b, false, 30000, false, &rec), 0);
	ck_assert_int_eq(rec.parts_unknown + rec.claims_released, 0);
	/* A stops heart-beating for longer than the lease */
	fake_now += 30000;
	ck_assert_int_eq(store_node_heartbeat(b, "0.1"), 0);
	ck_assert_int_eq(store_dead_nodes(b, 30000, &dead, &ndead), 0);
	ck_assert_int_eq((int)ndead, 1);
	ck_assert_str_eq(dead[0], "host-a");
	store_strv_free(dead, ndead);
	/* as the daemon's store thread runs it: inside a batch, with other jobs */
	ck_assert_int_eq(store_begin(b), 0);
	ck_assert_int_eq(store_recover(b, false, 30000, false, &rec), 0);
	ck_assert_int_eq(store_commit(b), 0);
	ck_assert_int_eq(rec.parts_unknown, 1);
	ck_assert_int_eq(rec.claims_released, 1);
	ck_assert_int_eq(state_of(b, x), STORE_MSG_UNKNOWN);
	/* the started multipart returns to queued, pinned to its SIM */
	ck_assert_int_eq(state_of(b, y), STORE_MSG_QUEUED);
	ck_assert_int_eq(store_part_sent(a, y, c[1].claim_epoch, 2, 3), STORE_ERR_FENCED);
	store_message_free_array(c, 2);
	store_close(b);
	store_close(a);
}
END_TEST

START_TEST(test_retention)
{
	struct store *st = open_node("a", 0);
	char ids[7][STORE_ID_SIZE];
	struct store_inbox in = {
	    .sender = "+1", .text = "x", .parts = 1, .class_ = -1, .dedupe_key = "k1"};
	bool dup;
	int total = 0, rc, calls = 0;

	for (int i = 0; i < 5; i++) {
		insert(st, "+1", 2, 0, ids[i]);
		ck_assert_int_eq(store_message_cancel(st, ids[i]), 0);
	}
	ck_assert_int_eq(store_inbox_insert(st, &in, &dup), 0);
	insert(st, "+1", 1, 0, ids[5]); /* queued: kept however old */
	fake_now += 86400000;
	insert(st, "+1", 1, 0, ids[6]);
	ck_assert_int_eq(store_message_cancel(st, ids[6]), 0); /* finished, but recent */
	while ((rc = store_retention(st, fake_now - 3600000, 2)) > 0) {
		total += rc;
		calls++;
		ck_assert_int_le(rc, 6);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_ge(calls, 3);
	/* 5 messages, 1 inbox row, 12 old events (5 x queued+cancelled, sms.received, the
	 * queued event of the old queued message) */
	ck_assert_int_eq(total, 5 + 1 + 12);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM messages"), 2);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM message_parts"), 2);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM inbox"), 0);
	ck_assert_int_eq(state_of(st, ids[5]), STORE_MSG_QUEUED);
	ck_assert_int_eq(state_of(st, ids[6]), STORE_MSG_CANCELLED);
	store_close(st);
}
END_TEST

START_TEST(test_list_pagination)
{
	struct store *st = open_node("a", 0);
	char ids[25][STORE_ID_SIZE], cursor[STORE_CURSOR_SIZE] = "";
	struct store_message *v;
	size_t n;
	int seen = 0;

	for (int i = 0; i < 25; i++) {
		insert(st, i % 2 ? "+1" : "+2", 1, 0, ids[i]);
		fake_now += 1;
	}
	ck_assert_int_eq(store_message_cancel(st, ids[3]), 0);
	for (int page = 0; page < 5; page++) {
		struct store_list_filter f = {
		    .state = -1, .limit = 10, .cursor = cursor[0] ? cursor : NULL};
		char next[STORE_CURSOR_SIZE];
		ck_assert_int_eq(store_message_list(st, &f, &v, &n, next), 0);
		for (size_t i = 0; i < n; i++)
			ck_assert_str_eq(v[i].id, ids[seen++]);
		store_message_free_array(v, n);
		ck_assert_int_eq(strspn(next, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					      "0123456789_-"),
				 strlen(next));
		if (!next[0])
			break;
		memcpy(cursor, next, sizeof(cursor));
	}
	ck_assert_int_eq(seen, 25);
	struct store_list_filter f = {.state = STORE_MSG_CANCELLED};
	char next[STORE_CURSOR_SIZE];
	ck_assert_int_eq(store_message_list(st, &f, &v, &n, next), 0);
	ck_assert_int_eq((int)n, 1);
	ck_assert_str_eq(v[0].id, ids[3]);
	store_message_free_array(v, n);
	struct store_list_filter g = {
	    .state = -1, .recipient = "+1", .newest_first = true, .limit = 3};
	ck_assert_int_eq(store_message_list(st, &g, &v, &n, next), 0);
	ck_assert_int_eq((int)n, 3);
	ck_assert_str_eq(v[0].id, ids[23]);
	ck_assert_str_eq(v[2].id, ids[19]);
	ck_assert_str_ne(next, "");
	store_message_free_array(v, n);
	struct store_list_filter h = {.state = -1, .since = fake_now - 5};
	ck_assert_int_eq(store_message_list(st, &h, &v, &n, next), 0);
	ck_assert_int_eq((int)n, 5);
	store_message_free_array(v, n);
	struct store_list_filter bad = {.state = -1, .cursor = "msg_' OR 1=1 --"};
	ck_assert_int_eq(store_message_list(st, &bad, &v, &n, next), STORE_ERR_INVALID);
	bad.cursor = NULL;
	bad.limit = 501;
	ck_assert_int_eq(store_message_list(st, &bad, &v, &n, next), STORE_ERR_INVALID);
	store_close(st);
}
END_TEST

START_TEST(test_batch_and_counts)
{
	struct store *st = open_node("a", 0);
	char a[STORE_ID_SIZE], b[STORE_ID_SIZE], c[STORE_ID_SIZE];
	int64_t counts[STORE_MSG_STATE_COUNT];
	struct store_message *cl;

	insert(st, "+1", 1, 0, a);
	insert(st, "+2", 1, 0, b);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_begin(st), STORE_ERR_STATE);
	ck_assert_int_eq(store_message_cancel(st, a), 0);
	ck_assert_int_eq(store_message_cancel(st, a), STORE_ERR_STATE); /* undone alone */
	insert(st, "+3", 1, 0, c);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(state_of(st, a), STORE_MSG_CANCELLED);
	ck_assert_int_eq(state_of(st, c), STORE_MSG_QUEUED);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_message_cancel(st, b), 0);
	ck_assert_int_eq(store_rollback(st), 0);
	ck_assert_int_eq(state_of(st, b), STORE_MSG_QUEUED);
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &cl), 1);
	store_message_free_array(cl, 1);
	ck_assert_int_eq(store_count_states(st, counts), 0);
	ck_assert_int_eq(counts[STORE_MSG_QUEUED], 1);
	ck_assert_int_eq(counts[STORE_MSG_SENDING], 1);
	ck_assert_int_eq(counts[STORE_MSG_CANCELLED], 1);
	ck_assert_int_eq(counts[STORE_MSG_SENT], 0);
	ck_assert_int_eq(store_queued_count(st), 1);
	ck_assert_str_eq(store_msg_state_name(STORE_MSG_UNDELIVERED), "undelivered");
	ck_assert_int_eq(store_msg_state_parse("unknown"), STORE_MSG_UNKNOWN);
	ck_assert_int_eq(store_msg_state_parse("bogus"), -1);
	ck_assert_str_eq(store_part_state_name(STORE_PART_UNKNOWN), "unknown");
	for (int e = 0; e >= STORE_ERR_NOT_EMPTY; e--)
		ck_assert_str_ne(store_strerror(e), "unknown store error");
	store_close(st);
}
END_TEST

START_TEST(test_small_operations)
{
	struct store *st = open_node("a", 0);
	struct store_message *c, m, *pw;
	struct store_event *ev;
	size_t n;
	char id[STORE_ID_SIZE], evid[STORE_ID_SIZE], pin[STORE_ID_SIZE];
	struct store_modem mo = {.name = "m1",
				 .imei = "35",
				 .iccid = "89",
				 .imsi = "46000",
				 .operator_ = "CMCC",
				 .state = "ready",
				 .last_mr = -1};

	/* modems: NULL fields keep what is stored */
	ck_assert_int_eq(store_modem_upsert(st, &mo), 0);
	mo = (struct store_modem){
	    .name = "m1", .state = "blocked", .state_reason = "sim.absent", .last_mr = 9};
	ck_assert_int_eq(store_modem_upsert(st, &mo), 0);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM modems WHERE imei = '35' AND operator = "
				   "'CMCC' AND state = 'blocked' AND last_mr = 9"),
			 1);
	ck_assert_int_eq(store_modem_last_mr(st, "nope"), -1);
	/* waiting */
	insert(st, "+1", 1, 0, id);
	ck_assert_int_eq(store_message_set_waiting(st, id, "quota"), 0);
	ck_assert_int_eq(store_message_get(st, id, &m), 0);
	ck_assert_str_eq(m.waiting, "quota");
	store_message_clear(&m);
	/* lease renewal and the storage index (submit_mode = storage) */
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 1);
	ck_assert_int_eq(store_lease_renew(st, id, c[0].claim_epoch, 60000), 0);
	ck_assert_int_eq(store_lease_renew(st, id, c[0].claim_epoch + 1, 60000), STORE_ERR_FENCED);
	ck_assert_int_eq(store_part_storage_index(st, id, c[0].claim_epoch, 1, 17, false), 0);
	ck_assert_int_eq(store_message_get(st, id, &m), 0);
	ck_assert_int_eq(m.lease_until, fake_now + 60000);
	ck_assert_ptr_null(m.waiting); /* cleared by the claim */
	ck_assert_int_eq(m.part_rows[0].storage_index, 17);
	store_message_clear(&m);
	store_message_free_array(c, 1);
	/* free events and the global feed */
	ck_assert_int_eq(store_event_add(st, "modem.state_changed", NULL, "m1",
					 "{\"from\":\"ready\",\"to\":\"blocked\"}", evid),
			 0);
	ck_assert_int_eq(store_event_list(st, NULL, 0, 0, &ev, &n), 0);
	ck_assert_int_eq((int)n, 2);
	ck_assert_str_eq(ev[1].id, evid);
	ck_assert_str_eq(ev[1].modem, "m1");
	ck_assert_ptr_null(ev[1].message_id);
	int64_t after = ev[0].seq;
	store_event_free_array(ev, n);
	ck_assert_int_eq(store_event_list(st, NULL, after, 0, &ev, &n), 0);
	ck_assert_int_eq((int)n, 1);
	ck_assert_str_eq(ev[0].type, "modem.state_changed");
	store_event_free_array(ev, n);
	/* a multipart waiting for its SIM */
	insert(st, "+2", 2, 0, pin);
	ck_assert_int_eq(claim(st, "m1", "s1", 1, &c), 1);
	ck_assert_int_eq(store_part_sending(st, pin, c[0].claim_epoch, 1, "m1", "s1", 1, 1, -1), 0);
	ck_assert_int_eq(store_part_sent(st, pin, c[0].claim_epoch, 1, 1), 0);
	ck_assert_int_eq(store_claim_release(st, pin, c[0].claim_epoch), 0);
	ck_assert_int_eq(store_claim_release(st, pin, c[0].claim_epoch), STORE_ERR_FENCED);
	store_message_free_array(c, 1);
	ck_assert_int_eq(store_pinned_waiting(st, fake_now, 10, &pw, &n), 0);
	fake_now += 600000;
	ck_assert_int_eq(store_pinned_waiting(st, fake_now - 600000 + 1, 10, &pw, &n), 1);
	ck_assert_str_eq(pw[0].id, pin);
	ck_assert_str_eq(pw[0].sim_iccid, "s1");
	store_message_free_array(pw, n);
	store_close(st);
}
END_TEST

START_TEST(test_bad_url)
{
	struct store *st;
	char *err = NULL;

	ck_assert_int_eq(store_open("mysql://x", "a", 0, &st, &err), STORE_ERR_INVALID);
	ck_assert_ptr_nonnull(err);
	free(err);
	ck_assert_int_eq(store_open("sqlite:///nonexistent-dir/x/y.db", "a", 0, &st, &err),
			 STORE_ERR_UNAVAILABLE);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x/y.db"));
	free(err);
	ck_assert_int_eq(
	    store_open("postgresql://nobody@/x?host=/nonexistent&port=1", "a", 0, &st, &err),
	    STORE_ERR_UNAVAILABLE);
	ck_assert_ptr_nonnull(strstr(err, "nonexistent"));
	free(err);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, test_open_empty_and_reopen);
	tcase_add_test(tc, test_refuse_newer_schema);
	tcase_add_test(tc, test_older_schema_needs_migrate);
	tcase_add_test(tc, test_upgrade_from_each_version);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_insert_get_and_queued_event);
	tcase_add_test(tc, test_insert_all_or_nothing);
	tcase_add_test(tc, test_claim_order_and_eligibility);
	tcase_add_test(tc, test_lifecycle_sent_with_mr);
	tcase_add_test(tc, test_unknown_and_mr_advanced);
	tcase_add_test(tc, test_mr_not_advanced);
	tcase_add_test(tc, test_at_least_once_retry);
	tcase_add_test(tc, test_transient_requeue_and_permanent_fail);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_resend_and_resend_whole);
	tcase_add_test(tc, test_status_reports);
	tcase_add_test(tc, test_report_resolves_unknown);
	tcase_add_test(tc, test_inbox_dedupe);
	tcase_add_test(tc, test_fencing_two_claimers);
	tcase_add_test(tc, test_recovery_at_start);
	tcase_add_test(tc, test_dead_node);
	tcase_add_test(tc, test_retention);
	tcase_add_test(tc, test_list_pagination);
	tcase_add_test(tc, test_batch_and_counts);
	tcase_add_test(tc, test_bad_url);
	tcase_add_test(tc, test_small_operations);
	if (use_pg) {
		tcase_add_test(tc, test_skip_locked_concurrent_claims);
		tcase_add_test(tc, test_notify);
		tcase_add_test(tc, test_pg_connection_lost);
	} else {
		tcase_add_test(tc, test_sqlite_pragmas);
		tcase_add_test(tc, test_second_daemon_lock);
	}
}

int main(int argc, char **argv)
{
	return fixture_run(argc, argv, "store", 60, add_tests);
}
