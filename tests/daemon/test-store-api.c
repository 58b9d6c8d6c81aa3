/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store operations of the API's additions (daemon/store/store-api.c, issue 16) on a real
 * SQLite file, and on a throwaway PostgreSQL 15 (pg-run.sh): idempotency lookups, opt-outs,
 * the inbox listing, and the deliveries of events to subscribers.
 *
 * Usage: test-store-api sqlite|postgresql (postgresql reads SMSCTL_TEST_PG_URL)
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "store-api.h"
#include "store-fixture.h"

/* One queued single-part message (and its message.queued event). */
static void insert(struct store *st, const char *to, const char *key, const char *hash,
		   char id[STORE_ID_SIZE])
{
	const char *pdus[] = {"0001000B916831214365F7000002C834"};
	struct store_new_message m = {
	    .recipient = to,
	    .text = "hi",
	    .coding = "gsm7",
	    .validity_minutes = -1,
	    .idempotency_key = key,
	    .request_hash = hash,
	    .concat_ref = -1,
	    .n_parts = 1,
	    .pdus = pdus,
	};
	char ids[1][STORE_ID_SIZE];

	ck_assert_int_eq(store_message_insert(st, &m, 1, ids), 0);
	if (id)
		memcpy(id, ids[0], STORE_ID_SIZE);
}

START_TEST(test_idempotency_lookup)
{
	struct store *st = open_node("a", 0);
	struct store_idem_row *rows;
	size_t n;
	char a[STORE_ID_SIZE], b[STORE_ID_SIZE];

	insert(st, "+8613900000001", "k1", "h1", a);
	fake_now += 10;
	insert(st, "+8613900000002", "k1", "h1", b);
	insert(st, "+8613900000003", NULL, NULL, NULL);
	ck_assert_int_eq(store_idem_find(st, "k1", fake_now - 1000, &rows, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(rows[0].id, a); /* creation order */
	ck_assert_str_eq(rows[1].id, b);
	ck_assert_str_eq(rows[0].request_hash, "h1");
	store_idem_free(rows, n);
	/* older than the retention: forgotten */
	ck_assert_int_eq(store_idem_find(st, "k1", fake_now, &rows, &n), 0);
	ck_assert_uint_eq(n, 1);
	store_idem_free(rows, n);
	ck_assert_int_eq(store_idem_find(st, "nope", 0, &rows, &n), 0);
	ck_assert_uint_eq(n, 0);
	store_idem_free(rows, n);
	/* inside a batch (the store thread): the key's lock, then the lookup and the insert */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_idem_find(st, "k2", 0, &rows, &n), 0);
	ck_assert_uint_eq(n, 0);
	store_idem_free(rows, n);
	insert(st, "+8613900000004", "k2", "h2", NULL);
	ck_assert_int_eq(store_idem_find(st, "k2", 0, &rows, &n), 0);
	ck_assert_uint_eq(n, 1);
	store_idem_free(rows, n);
	ck_assert_int_eq(store_commit(st), 0);
	store_close(st);
}
END_TEST

START_TEST(test_optouts)
{
	struct store *st = open_node("a", 0);
	struct store_optout *v;
	size_t n;
	char next[STORE_CURSOR_SIZE];

	ck_assert_int_eq(store_optout_check(st, "+8613900000001"), 0);
	ck_assert_int_eq(store_optout_add(st, "+8613900000002", "STOP", "keyword"), 1);
	ck_assert_int_eq(store_optout_add(st, "+8613900000001", NULL, "api"), 1);
	ck_assert_int_eq(store_optout_add(st, "+8613900000001", "again", "api"), 0);
	ck_assert_int_eq(store_optout_add(st, "+8613900000003", "x", "api"), 1);
	ck_assert_int_eq(store_optout_check(st, "+8613900000001"), 1);
	ck_assert_int_eq(store_optout_list(st, NULL, 2, &v, &n, next), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].number, "+8613900000001");
	ck_assert_ptr_null(v[0].reason); /* the first add is kept */
	ck_assert_str_eq(v[1].source, "keyword");
	ck_assert_str_eq(next, "n8613900000002");
	store_optout_free_array(v, n);
	ck_assert_int_eq(store_optout_list(st, next, 2, &v, &n, next), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].number, "+8613900000003");
	ck_assert_str_eq(next, "");
	store_optout_free_array(v, n);
	ck_assert_int_eq(store_optout_list(st, "+861", 2, &v, &n, next), STORE_ERR_INVALID);
	ck_assert_int_eq(store_optout_list(st, "n86x", 2, &v, &n, next), STORE_ERR_INVALID);
	ck_assert_int_eq(store_optout_remove(st, "+8613900000001"), 0);
	ck_assert_int_eq(store_optout_remove(st, "+8613900000001"), STORE_ERR_NOT_FOUND);
	ck_assert_int_eq(store_optout_check(st, "+8613900000001"), 0);
	store_close(st);
}
END_TEST

START_TEST(test_inbox_listing)
{
	struct store *st = open_node("a", 0);
	struct store_inbox_row *v;
	size_t n;
	char next[STORE_CURSOR_SIZE], keys[5][16];
	bool dup;

	for (int i = 0; i < 5; i++) {
		struct store_inbox in = {
		    .modem = i % 2 ? "b" : "a",
		    .sender = i == 4 ? "Bank" : "+8613900000001",
		    .text = i == 3 ? "退订" : "hello",
		    .coding = "gsm7",
		    .parts = 1,
		    .complete = true,
		    .class_ = -1,
		};
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		in.dedupe_key = keys[i];
		fake_now += 1000;
		ck_assert_int_eq(store_inbox_insert(st, &in, &dup), 0);
	}
	struct store_inbox_filter f = {.limit = 2};
	ck_assert_int_eq(store_inbox_list(st, &f, &v, &n, next), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].modem, "a");
	ck_assert_int_eq(v[1].received_at, 1764900002000);
	ck_assert_str_ne(next, "");
	store_inbox_free_array(v, n);
	f.cursor = next;
	ck_assert_int_eq(store_inbox_list(st, &f, &v, &n, next), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[1].text, "退订");
	store_inbox_free_array(v, n);
	struct store_inbox_filter g = {.modem = "a", .sender = "Bank"};
	ck_assert_int_eq(store_inbox_list(st, &g, &v, &n, next), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(next, "");
	struct store_inbox_row *one;
	ck_assert_int_eq(store_inbox_get(st, v[0].id, &one), 0);
	ck_assert_str_eq(one->sender, "Bank");
	ck_assert(one->complete);
	store_inbox_free_array(one, 1);
	store_inbox_free_array(v, n);
	struct store_inbox_filter h = {.since = 1764900004500};
	ck_assert_int_eq(store_inbox_list(st, &h, &v, &n, next), 0);
	ck_assert_uint_eq(n, 1);
	store_inbox_free_array(v, n);
	struct store_inbox_filter bad = {.cursor = "x'--"};
	ck_assert_int_eq(store_inbox_list(st, &bad, &v, &n, next), STORE_ERR_INVALID);
	ck_assert_int_eq(store_inbox_get(st, "msg_nope", &one), STORE_ERR_NOT_FOUND);
	store_close(st);
}
END_TEST

START_TEST(test_deliveries)
{
	struct store *st = open_node("a", 0);
	struct store_event *ev;
	struct store_delivery *d;
	struct store_delivery_stats s;
	size_t n, nd;
	int64_t last;
	char id[STORE_ID_SIZE];

	insert(st, "+8613900000001", NULL, NULL, NULL); /* before the subscriber: not sent */
	ck_assert_int_eq(store_sub_init(st, "webhook:w"), 0);
	ck_assert_int_eq(store_sub_init(st, "webhook:w"), 0); /* idempotent */
	ck_assert_int_eq(store_sub_cursor(st, "webhook:w", &last), 0);
	ck_assert_int_gt(last, 0);
	ck_assert_int_eq(store_sub_cursor(st, "webhook:none", &last), STORE_ERR_NOT_FOUND);
	insert(st, "+8613900000002", NULL, NULL, id);
	insert(st, "+8613900000003", NULL, NULL, NULL);
	ck_assert_int_eq(store_message_cancel(st, id), 0);
	ck_assert_int_eq(store_sub_cursor(st, "webhook:w", &last), 0);
	ck_assert_int_eq(store_event_list(st, NULL, last, 0, &ev, &n), 0);
	ck_assert_uint_eq(n, 3); /* queued, queued, cancelled */
	int64_t seqs[] = {ev[0].seq, ev[2].seq};
	ck_assert_int_eq(store_sub_fanout(st, "webhook:w", seqs, 2, ev[2].seq), 0);
	ck_assert_int_eq(store_sub_fanout(st, "webhook:w", seqs, 2, ev[2].seq), 0); /* again */
	ck_assert_int_eq(store_sub_cursor(st, "webhook:w", &last), 0);
	ck_assert_int_eq(last, ev[2].seq);
	ck_assert_int_eq(store_delivery_pending(st, "webhook:w", 10, &d, &nd), 0);
	ck_assert_uint_eq(nd, 2);
	ck_assert_int_eq(d[0].seq, ev[0].seq);
	ck_assert_str_eq(d[0].ev.id, ev[0].id);
	ck_assert_str_eq(d[1].ev.type, "message.cancelled");
	ck_assert_str_eq(d[1].ev.message_id, id);
	ck_assert_int_eq(d[1].next_attempt_at, fake_now);
	store_delivery_free_array(d, nd);
	/* a failure waits; a success after it makes the backlog due at once */
	ck_assert_int_eq(store_delivery_set(st, "webhook:w", ev[0].seq, STORE_DLV_PENDING, 1,
					    fake_now + 10000, 500, "HTTP 500"),
			 0);
	ck_assert_int_eq(store_delivery_stats(st, "webhook:w", &s), 0);
	ck_assert_int_eq(s.pending, 2);
	ck_assert_int_eq(s.dead, 0);
	fake_now += 100;
	ck_assert_int_eq(
	    store_delivery_set(st, "webhook:w", ev[2].seq, STORE_DLV_DELIVERED, 1, 0, 200, NULL),
	    0);
	ck_assert_int_eq(store_delivery_release(st, "webhook:w"), 1);
	ck_assert_int_eq(store_delivery_pending(st, "webhook:w", 10, &d, &nd), 0);
	ck_assert_uint_eq(nd, 1);
	ck_assert_int_eq(d[0].attempts, 1);
	ck_assert_int_eq(d[0].next_attempt_at, fake_now);
	store_delivery_free_array(d, nd);
	/* dead, listed, redelivered */
	ck_assert_int_eq(
	    store_delivery_set(st, "webhook:w", ev[0].seq, STORE_DLV_DEAD, 2, 0, 404, "HTTP 404"),
	    0);
	ck_assert_int_eq(store_delivery_dead(st, "webhook:w", 0, 10, &d, &nd), 0);
	ck_assert_uint_eq(nd, 1);
	ck_assert_str_eq(d[0].ev.id, ev[0].id);
	ck_assert_int_eq(d[0].last_status, 404);
	ck_assert_str_eq(d[0].last_error, "HTTP 404");
	ck_assert_int_eq(d[0].finished_at, fake_now);
	store_delivery_free_array(d, nd);
	ck_assert_int_eq(store_delivery_redeliver(st, "webhook:w", ev[1].id), 0); /* not dead */
	ck_assert_int_eq(store_delivery_redeliver(st, "webhook:w", ev[0].id), 1);
	ck_assert_int_eq(store_delivery_redeliver(st, "webhook:w", NULL), 0);
	ck_assert_int_eq(store_delivery_stats(st, "webhook:w", &s), 0);
	ck_assert_int_eq(s.pending, 1);
	ck_assert_int_eq(s.oldest_pending, 1764900000000);
	/* retention: finished rows older than the cutoff go, pending ones stay */
	ck_assert_int_eq(store_delivery_retention(st, fake_now + 1, 100), 1);
	ck_assert_int_eq(store_delivery_pending(st, "webhook:w", 10, &d, &nd), 0);
	ck_assert_uint_eq(nd, 1);
	store_delivery_free_array(d, nd);
	store_event_free_array(ev, n);
	store_close(st);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, test_idempotency_lookup);
	tcase_add_test(tc, test_optouts);
	tcase_add_test(tc, test_inbox_listing);
	tcase_add_test(tc, test_deliveries);
}

int main(int argc, char **argv)
{
	return fixture_run(argc, argv, "store-api", 60, add_tests);
}
