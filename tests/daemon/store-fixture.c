/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store tests' fixture (store-fixture.h). */
#include "store-fixture.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool use_pg;
char url[1024];
char tmpdir[256];
int64_t fake_now;

int64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

long long raw_query(const char *sql)
{
	long long v = -1;

	if (use_pg) {
		PGconn *c = PQconnectdb(url);
		ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
		PQsetNoticeProcessor(c, quiet, NULL);
		PGresult *r = PQexec(c, sql);
		ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK ||
				  PQresultStatus(r) == PGRES_COMMAND_OK,
			      "%s: %s", sql, PQresultErrorMessage(r));
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			v = atoll(PQgetvalue(r, 0, 0));
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db;
		sqlite3_stmt *s;
		ck_assert_int_eq(sqlite3_open(url + strlen("sqlite://"), &db), SQLITE_OK);
		sqlite3_busy_timeout(db, 5000);
		ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "%s: %s", sql,
			      sqlite3_errmsg(db));
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		else
			ck_assert_msg(rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(db));
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
	return v;
}

void fixture_setup(void)
{
	fake_now = 1764900000000; /* 2025-12-05 */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/smsctl-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	if (use_pg) {
		snprintf(url, sizeof(url), "%s", getenv("SMSCTL_TEST_PG_URL"));
		raw_query("DROP SCHEMA IF EXISTS public CASCADE");
		raw_query("CREATE SCHEMA public");
	} else {
		snprintf(url, sizeof(url), "sqlite://%s/store.db", tmpdir);
	}
}

void fixture_teardown(void)
{
	char cmd[400];

	if (!tmpdir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

struct store *open_node(const char *node, unsigned flags)
{
	struct store *st = NULL;
	char *err = NULL;
	int rc = store_open(url, node, flags, &st, &err);

	ck_assert_msg(rc == 0, "store_open %s: %s (%s)", url, store_strerror(rc), err);
	ck_assert_ptr_null(err);
	store_set_clock(st, fake_clock, NULL);
	return st;
}

int fixture_run(int argc, char **argv, const char *name, int timeout, void (*add)(TCase *tc))
{
	const char *which = argc > 1 ? argv[1] : "sqlite";
	const char *pg = getenv("SMSCTL_TEST_PG_URL");
	char suite[128];
	SRunner *sr;
	int failed;

	use_pg = strcmp(which, "postgresql") == 0;
	if (use_pg && (!pg || !*pg)) {
		fprintf(stderr, "%s: no PostgreSQL (SMSCTL_TEST_PG_URL unset): skipped\n", name);
		return 77;
	}
	snprintf(suite, sizeof(suite), "%s-%s", name, use_pg ? "postgresql" : "sqlite");
	Suite *s = suite_create(suite);
	TCase *tc = tcase_create(name);
	tcase_set_timeout(tc, timeout);
	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	add(tc);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
