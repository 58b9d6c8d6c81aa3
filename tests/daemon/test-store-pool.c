/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pool functions of the store (issue 15, store-pool.h) on a real SQLite file (always) and on a real PostgreSQL server (when
 * SMSCTL_TEST_PG_URL names one: tests/daemon/pg-run.sh starts a throwaway server and sets it).
 * Per-SIM counters and distinct recipients, their survival across a reopen, the claim under
 * a budget (parts, recipients), `waiting` marks, the migration from schema version 1.
 *
 * Usage: test-store-pool sqlite | test-store-pool postgresql (77 = skipped when no server is given).
 */
#include "store-fixture.h"
#include "store-pool.h"

#include <check.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static const char *pools[] = {"default"};

static int claim_b(struct store *st, int max_parts, bool new_rcpt, const char *key, int64_t day,
		   char id[STORE_ID_SIZE])
{
	struct store_claim_req req = {.modem = "m1",
				      .pools = pools,
				      .n_pools = 1,
				      .sim_iccid = "8986001",
				      .lease_ms = 30000,
				      .limit = 1};
	struct store_pool_budget b = {
	    .max_parts = max_parts, .new_recipients = new_rcpt, .key = key, .day_start = day};
	struct store_message *out = NULL;
	size_t n = 0;
	int rc = store_pool_claim(st, &req, &b, &out, &n);

	ck_assert_int_ge(rc, 0);
	if (n && id)
		memcpy(id, out[0].id, STORE_ID_SIZE);
	store_message_free_array(out, n);
	return (int)n;
}

static char *waiting_of(struct store *st, const char *id, char *buf, size_t size)
{
	struct store_message m = {0};

	ck_assert_int_eq(store_message_get(st, id, &m), 0);
	snprintf(buf, size, "%s", m.waiting ? m.waiting : "(null)");
	store_message_clear(&m);
	return buf;
}

START_TEST(test_counts)
{
	struct store *st = open_node("a", 0);
	long long pd, pm, rd;
	bool isnew = true;
	int64_t day = 1764864000000, month = 1764518400000;

	ck_assert_int_eq(store_pool_counts(st, "8986001", day, month, &pd, &pm, &rd), 0);
	ck_assert_int_eq(pd + pm + rd, 0);
	ck_assert_int_eq(store_pool_count(st, "8986001", day, month, 3, "+8613800000001", &isnew),
			 0);
	ck_assert(isnew);
	ck_assert_int_eq(store_pool_count(st, "8986001", day, month, 2, "+8613800000001", &isnew),
			 0);
	ck_assert(!isnew);
	ck_assert_int_eq(store_pool_count(st, "8986001", day, month, 1, "+8613800000002", &isnew),
			 0);
	ck_assert(isnew);
	/* a part without a recipient (second part of a message) */
	ck_assert_int_eq(store_pool_count(st, "8986001", day, month, 1, NULL, &isnew), 0);
	ck_assert(!isnew);
	/* another SIM, and the next day of the same month */
	ck_assert_int_eq(store_pool_count(st, "8986002", day, month, 4, "+8613800000001", NULL), 0);
	ck_assert_int_eq(store_pool_count(st, "8986001", day + 86400000, month, 5, "+1", NULL), 0);
	store_close(st);
	/* a restart keeps them */
	st = open_node("a", 0);
	ck_assert_int_eq(store_pool_counts(st, "8986001", day, month, &pd, &pm, &rd), 0);
	ck_assert_int_eq(pd, 7);
	ck_assert_int_eq(pm, 12);
	ck_assert_int_eq(rd, 2);
	ck_assert_int_eq(store_pool_counts(st, "8986001", day + 86400000, month, &pd, &pm, &rd), 0);
	ck_assert_int_eq(pd, 5);
	ck_assert_int_eq(rd, 1);
	ck_assert_int_eq(store_pool_counts(st, "8986002", day, month, &pd, &pm, &rd), 0);
	ck_assert_int_eq(pd, 4);
	ck_assert_int_eq(pm, 4);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM sim_recipients"), 4);
	ck_assert_int_eq(store_pool_prune(st, day + 1), 3);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM sim_recipients"), 1);
	store_close(st);
}
END_TEST

START_TEST(test_claim_under_budget)
{
	struct store *st = open_node("a", 0);
	char big[STORE_ID_SIZE], small[STORE_ID_SIZE], other[STORE_ID_SIZE], got[STORE_ID_SIZE];
	char w[32];
	int64_t day = 1764864000000;

	insert(st, "+8613800000001", 3, 5, big);
	insert(st, "+8613800000002", 1, 0, small);
	insert(st, "+8613800000003", 1, 0, other);
	/* 2 parts allowed: the 3-part message (higher priority) waits, the 1-part goes */
	ck_assert_int_eq(claim_b(st, 2, true, "8986001", day, got), 1);
	ck_assert_str_eq(got, small);
	ck_assert_int_eq(store_pool_mark_waiting(st,
						 &(struct store_claim_req){.modem = "m1",
									   .pools = pools,
									   .n_pools = 1,
									   .sim_iccid = "8986001",
									   .lease_ms = 1,
									   .limit = 1},
						 &(struct store_pool_budget){.max_parts = 2,
									     .new_recipients = true,
									     .key = "8986001",
									     .day_start = day},
						 "rate"),
			 1);
	ck_assert_str_eq(waiting_of(st, big, w, sizeof(w)), "rate");
	ck_assert_str_eq(waiting_of(st, other, w, sizeof(w)), "(null)");
	/* no new recipients: only one already counted today goes */
	ck_assert_int_eq(store_pool_count(st, "8986001", day, day, 1, "+8613800000001", NULL), 0);
	ck_assert_int_eq(claim_b(st, 5, false, "8986001", day, got), 1);
	ck_assert_str_eq(got, big);
	ck_assert_int_eq(claim_b(st, 5, false, "8986001", day, got), 0);
	ck_assert_int_eq(
	    store_pool_mark_waiting(
		st,
		&(struct store_claim_req){.modem = "m1",
					  .pools = pools,
					  .n_pools = 1,
					  .sim_iccid = "8986001",
					  .lease_ms = 1,
					  .limit = 1},
		&(struct store_pool_budget){
		    .max_parts = 5, .new_recipients = false, .key = "8986001", .day_start = day},
		"quota"),
	    1);
	ck_assert_str_eq(waiting_of(st, other, w, sizeof(w)), "quota");
	/* the claim clears the mark */
	ck_assert_int_eq(claim_b(st, 5, true, "8986001", day, got), 1);
	ck_assert_str_eq(got, other);
	ck_assert_str_eq(waiting_of(st, other, w, sizeof(w)), "(null)");
	store_close(st);
}
END_TEST

START_TEST(test_mark_pools)
{
	struct store *st = open_node("a", 0);
	char a[STORE_ID_SIZE], w[32];
	static const char *const p2[] = {"x", "default"};

	insert(st, "+8613800000001", 1, 0, a);
	ck_assert_int_eq(store_pool_mark_pools(st, p2, 2, "no_modem"), 1);
	ck_assert_str_eq(waiting_of(st, a, w, sizeof(w)), "no_modem");
	/* already so: nothing changes */
	ck_assert_int_eq(store_pool_mark_pools(st, p2, 2, "no_modem"), 0);
	ck_assert_int_eq(store_pool_mark_pools(st, p2, 1, "quota"), 0);
	store_close(st);
}
END_TEST

START_TEST(test_migrate_from_2)
{
	struct store *st = open_node("a", 0);
	char *err = NULL;
	long long pd, pm, rd;

	store_close(st);
	/* a version-2 store: as 0001 and 0002 (the API's tables) left it */
	raw_query("DROP TABLE sim_counters");
	raw_query("DROP TABLE sim_recipients");
	raw_query("DELETE FROM schema_version WHERE version = 3");
	ck_assert_int_eq(store_open(url, "a", 0, &st, &err), STORE_ERR_SCHEMA_OLDER);
	ck_assert_ptr_nonnull(strstr(err, "--migrate"));
	free(err);
	st = open_node("a", STORE_OPEN_MIGRATE);
	ck_assert_int_eq(store_schema_version(st), 3);
	ck_assert_int_eq(store_pool_count(st, "8986001", 1, 1, 1, "+1", NULL), 0);
	ck_assert_int_eq(store_pool_counts(st, "8986001", 1, 1, &pd, &pm, &rd), 0);
	ck_assert_int_eq(pd, 1);
	store_close(st);
	ck_assert_int_eq(raw_query("SELECT max(version) FROM schema_version"), 3);
}
END_TEST

/* [send] recipient_rate: claims of one node and of another share the count */
static int claim_r(struct store *st, const char *modem, long long n, bool *held)
{
	struct store_claim_req req = {
	    .modem = modem, .pools = pools, .n_pools = 1, .lease_ms = 30000, .limit = 1};
	struct store_pool_budget b = {.max_parts = 10,
				      .new_recipients = true,
				      .key = modem,
				      .day_start = 0,
				      .recipient_n = n,
				      .recipient_window_ms = 3600000};
	struct store_message *out = NULL;
	size_t got = 0;
	int rc = store_pool_claim(st, &req, &b, &out, &got);

	store_message_free_array(out, got);
	if (held)
		*held = b.recipient_held;
	return rc < 0 ? rc : (int)got;
}

START_TEST(test_recipient_rate)
{
	struct store *a = open_node("node-a", 0);
	struct store *b = open_node("node-b", use_pg ? 0 : STORE_OPEN_SECONDARY);
	char id[STORE_ID_SIZE], w[32];
	bool held = true;
	static const struct {
		struct store *const *st;
		const char *modem;
		int want;
	} steps[] = {
	    {NULL, "m1", 1}, /* node a: the first */
	    {NULL, "m2", 1}, /* node b: the second */
	    {NULL, "m1", 0}, /* the third waits: 2 per hour */
	    {NULL, "m2", 0},
	};

	for (int i = 0; i < 3; i++)
		insert(a, "+8613900000001", 1, 0, id);
	insert(a, "+8613900000002", 1, 0, id); /* another recipient is not held */
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct store *st = i % 2 ? b : a;
		int got = claim_r(st, steps[i].modem, 2, &held);
		if (i >= 2) /* the fourth message (another recipient) is taken first */
			got = got && claim_r(st, steps[i].modem, 2, &held);
		ck_assert_msg(got == steps[i].want, "step %zu: %d", i, got);
		ck_assert(!held); /* the claim's own condition held it, nothing given back */
	}
	/* the one left is marked */
	ck_assert_int_eq(
	    store_pool_mark_recipients(
		a, pools, 1,
		&(struct store_pool_budget){
		    .max_parts = 1, .key = "m1", .recipient_n = 2, .recipient_window_ms = 3600000}),
	    1);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM messages WHERE waiting = 'rate' AND "
				   "recipient = '+8613900000001' AND state = 'queued'"),
			 1);
	/* after the window (its sending rows finished), it goes */
	raw_query("UPDATE messages SET state = 'sent' WHERE state = 'sending'");
	raw_query("UPDATE message_parts SET sending_at = 1 WHERE sending_at IS NULL");
	ck_assert_int_eq(claim_r(b, "m2", 2, NULL), 1);
	ck_assert_str_eq(waiting_of(a, id, w, sizeof(w)), "(null)");
	store_close(a);
	store_close(b);
}
END_TEST

/* Two nodes claiming at once for one recipient: never more than the rate (the claim is
 * given back when the other node got there first). */
struct racer {
	const char *node, *modem;
	int got, err;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct store *st = NULL;
	char *err = NULL;

	if (store_open(url, r->node, use_pg ? 0 : STORE_OPEN_SECONDARY, &st, &err) < 0) {
		free(err);
		r->err = 1;
		return NULL;
	}
	store_set_clock(st, fake_clock, NULL);
	for (int empty = 0, i = 0; empty < 20 && i < 500; i++) {
		int n = claim_r(st, r->modem, 3, NULL);
		if (n < 0 && n != STORE_ERR_UNAVAILABLE) {
			r->err = n;
			break;
		}
		if (n > 0) {
			r->got += n;
			empty = 0;
		} else {
			empty++;
		}
	}
	store_close(st);
	return NULL;
}

START_TEST(test_recipient_rate_nodes)
{
	struct store *a = open_node("node-a", 0);
	struct racer r[2] = {{"node-a", "m1", 0, 0}, {"node-b", "m2", 0, 0}};
	pthread_t t[2];
	char id[STORE_ID_SIZE];

	for (int i = 0; i < 20; i++)
		insert(a, "+8613900000009", 1, 0, id);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, race, &r[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ck_assert_msg(!r[0].err && !r[1].err, "errors %d %d", r[0].err, r[1].err);
	ck_assert_msg(r[0].got + r[1].got == 3, "claimed %d + %d", r[0].got, r[1].got);
	ck_assert_int_eq(raw_query("SELECT count(*) FROM messages WHERE state = 'sending'"), 3);
	store_close(a);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_claim_under_budget);
	tcase_add_test(tc, test_mark_pools);
	tcase_add_test(tc, test_migrate_from_2);
	tcase_add_test(tc, test_recipient_rate);
	tcase_add_test(tc, test_recipient_rate_nodes);
}

int main(int argc, char **argv)
{
	return fixture_run(argc, argv, "store-pool", 60, add_tests);
}
