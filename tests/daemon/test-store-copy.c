/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * store_copy() (`smsctld --copy-store`): a source store (a real SQLite file, or the throwaway
 * PostgreSQL of pg-run.sh) filled through the store API with more rows than one INSERT batch,
 * copied into fresh SQLite files: rows, ids, texts and part rows equal, the events counter
 * continues, a target left by `--migrate` accepted, non-empty and foreign targets refused,
 * bad URLs, a missing or schema-less source refused. Runs under ASan and valgrind (the
 * SQLite half); tests/daemon/copy-store.py covers SQLite <-> PostgreSQL through smsctld.
 *
 * Usage: test-store-copy sqlite | test-store-copy postgresql (77 without a server).
 */
#include "store-fixture.h"
#include "store.h"

#include <check.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_MESSAGES 250 /* 3 parts each: several INSERT batches per table */

/* One number from a SQLite file (-1 when no row). */
static long long sq_value(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else
		ck_assert_msg(rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static const char *pdus3[] = {"0041000B915121551532F40000", "0041010B915121551532F40000",
			      "0041020B915121551532F40000"};
static const char text_odd[] = "it's \"quoted\"\nline two, 中文, ünïcode, $1 ?1";

/* Fill the source: N_MESSAGES messages of 3 parts (their queued events), one odd text, one
 * event with an odd payload. The id of the odd message into @odd. */
static void fill(char odd[STORE_ID_SIZE])
{
	struct store *st = NULL;
	char *err = NULL;
	char ids[N_MESSAGES][STORE_ID_SIZE];
	struct store_new_message m[N_MESSAGES];

	ck_assert_int_eq(store_open(url, "src", 0, &st, &err), 0);
	for (int i = 0; i < N_MESSAGES; i++)
		m[i] = (struct store_new_message){
		    .recipient = "+8613800138000",
		    .text = i == 7 ? text_odd : "hello",
		    .coding = "gsm7",
		    .priority = i % 3,
		    .validity_minutes = i % 2 ? 60 : -1,
		    .concat_ref = 7,
		    .n_parts = 3,
		    .pdus = pdus3,
		};
	ck_assert_int_eq(store_message_insert(st, m, N_MESSAGES, ids), 0);
	memcpy(odd, ids[7], STORE_ID_SIZE);
	ck_assert_int_eq(store_event_add(st, "test.odd", odd, "m1", "{\"t\":\"中文\\n\"}", NULL),
			 0);
	store_close(st);
}

struct tally {
	int tables;
	long long rows;
};

static void count(void *ctx, const char *table, int64_t rows)
{
	struct tally *t = ctx;

	ck_assert_ptr_nonnull(table);
	t->tables++;
	t->rows += rows;
}

START_TEST(test_copy_rows_and_counter)
{
	char odd[STORE_ID_SIZE], dst[1100], path[300];
	struct tally t = {0};
	char *err = NULL;
	struct store *st = NULL;
	struct store_message msg;

	fill(odd);
	snprintf(path, sizeof(path), "%s/copy.db", tmpdir);
	snprintf(dst, sizeof(dst), "sqlite://%s", path);
	ck_assert_msg(store_copy(url, dst, "copy", count, &t, &err) == 0, "copy: %s", err);
	ck_assert_ptr_null(err);
	ck_assert_int_ge(t.tables, 11);
	/* messages + parts + queued events + the odd event */
	ck_assert_int_eq(t.rows, N_MESSAGES + 3 * N_MESSAGES + N_MESSAGES + 1);
	ck_assert_int_eq(sq_value(path, "SELECT count(*) FROM messages"), N_MESSAGES);
	ck_assert_int_eq(sq_value(path, "SELECT count(*) FROM message_parts"), 3 * N_MESSAGES);
	ck_assert_int_eq(sq_value(path, "SELECT count(*) FROM messages WHERE validity_minutes "
					"IS NULL"),
			 N_MESSAGES / 2);
	ck_assert_int_eq(sq_value(path, "SELECT typeof(created_at) = 'integer' FROM messages "
					"LIMIT 1"),
			 1);
	long long max = sq_value(path, "SELECT max(seq) FROM events");
	ck_assert_int_eq(max, N_MESSAGES + 1);

	/* the copy is a store: the odd message reads back the same, a new event continues */
	ck_assert_int_eq(store_open(dst, "copy", 0, &st, &err), 0);
	ck_assert_int_eq(store_message_get(st, odd, &msg), 0);
	ck_assert_str_eq(msg.text, text_odd);
	ck_assert_int_eq(msg.parts, 3);
	ck_assert_int_eq(msg.state, STORE_MSG_QUEUED);
	store_message_clear(&msg);
	ck_assert_int_eq(store_event_add(st, "test.after", NULL, NULL, NULL, NULL), 0);
	store_close(st);
	ck_assert_int_eq(sq_value(path, "SELECT seq FROM events WHERE type = 'test.after'"),
			 max + 1);
	ck_assert_int_eq(sq_value(path, "SELECT count(*) FROM events WHERE payload = "
					"'{\"t\":\"中文\\n\"}'"),
			 1);

	/* a second copy into it: refused, nothing added */
	ck_assert_int_eq(store_copy(url, dst, "copy", NULL, NULL, &err), STORE_ERR_NOT_EMPTY);
	ck_assert_ptr_nonnull(strstr(err, "not empty"));
	free(err);
	ck_assert_int_eq(sq_value(path, "SELECT count(*) FROM messages"), N_MESSAGES);

	/* and on from the copy into a third store */
	char third[1100], third_path[300];
	snprintf(third_path, sizeof(third_path), "%s/third.db", tmpdir);
	snprintf(third, sizeof(third), "sqlite://%s", third_path);
	ck_assert_msg(store_copy(dst, third, "copy", NULL, NULL, &err) == 0, "%s", err);
	ck_assert_int_eq(sq_value(third_path, "SELECT count(*) FROM message_parts"),
			 3 * N_MESSAGES);
	ck_assert_int_eq(sq_value(third_path, "SELECT seq FROM sqlite_sequence WHERE name = "
					      "'events'"),
			 max + 1);
}
END_TEST

START_TEST(test_target_after_migrate)
{
	char odd[STORE_ID_SIZE], dst[1100], path[300];
	struct store *st = NULL;
	char *err = NULL;

	fill(odd);
	snprintf(path, sizeof(path), "%s/migrated.db", tmpdir);
	snprintf(dst, sizeof(dst), "sqlite://%s", path);
	ck_assert_int_eq(store_open(dst, "copy", STORE_OPEN_MIGRATE, &st, &err), 0);
	store_close(st);
	ck_assert_msg(store_copy(url, dst, "copy", NULL, NULL, &err) == 0, "%s", err);
	ck_assert_int_eq(sq_value(path, "SELECT count(*) FROM messages"), N_MESSAGES);
	ck_assert_int_eq(sq_value(path, "SELECT count(*) FROM schema_version"),
			 STORE_SCHEMA_VERSION);
}
END_TEST

START_TEST(test_refusals)
{
	char odd[STORE_ID_SIZE], dst[1100], path[300], other[300];
	char *err = NULL;
	sqlite3 *db;

	fill(odd);
	snprintf(path, sizeof(path), "%s/t.db", tmpdir);
	snprintf(dst, sizeof(dst), "sqlite://%s", path);

	ck_assert_int_eq(store_copy("mysql://x", dst, "c", NULL, NULL, &err), STORE_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "mysql://x"));
	free(err);
	ck_assert_int_eq(store_copy(url, "sqlite3:x.db", "c", NULL, NULL, &err), STORE_ERR_INVALID);
	free(err);
	ck_assert_int_eq(store_copy(url, url, "c", NULL, NULL, &err), STORE_ERR_INVALID);
	free(err);

	/* a missing source is not created */
	snprintf(other, sizeof(other), "sqlite://%s/missing.db", tmpdir);
	ck_assert_int_eq(store_copy(other, dst, "c", NULL, NULL, &err), STORE_ERR_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(err, "missing.db"));
	free(err);
	ck_assert_int_ne(access(other + 9, F_OK), 0);

	/* a source without the schema */
	snprintf(other, sizeof(other), "%s/plain.db", tmpdir);
	ck_assert_int_eq(sqlite3_open(other, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE foo (x integer)", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	char plain[1100];
	snprintf(plain, sizeof(plain), "sqlite://%s", other);
	ck_assert_int_eq(store_copy(plain, dst, "c", NULL, NULL, &err), STORE_ERR_NOT_FOUND);
	free(err);

	/* a target with a table of another program, even an empty one */
	ck_assert_int_eq(store_copy(url, plain, "c", NULL, NULL, &err), STORE_ERR_NOT_EMPTY);
	ck_assert_ptr_nonnull(strstr(err, "foo"));
	free(err);
	ck_assert_int_eq(sq_value(other, "SELECT count(*) FROM sqlite_master WHERE name = "
					 "'messages'"),
			 0);

	/* a SQLite source held by a daemon */
	if (!use_pg) {
		struct store *st = NULL;
		ck_assert_int_eq(store_open(url, "daemon", 0, &st, &err), 0);
		ck_assert_int_eq(store_copy(url, dst, "c", NULL, NULL, &err), STORE_ERR_LOCKED);
		ck_assert_ptr_nonnull(strstr(err, "pid"));
		free(err);
		store_close(st);
	}
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, test_copy_rows_and_counter);
	tcase_add_test(tc, test_target_after_migrate);
	tcase_add_test(tc, test_refusals);
}

int main(int argc, char **argv)
{
	return fixture_run(argc, argv, "store-copy", 120, add_tests);
}
