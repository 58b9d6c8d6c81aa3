/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the store's Check programs share: each test on a fresh store, a SQLite file in a new
 * temporary folder or the PostgreSQL server SMSCTL_TEST_PG_URL names (tests/daemon/pg-run.sh
 * starts a throwaway one) with its schema emptied; a fake clock; SQL run beside the store.
 *
 * The state below is the test program's (one test at a time, Check forks each).
 */
#ifndef SMSCTL_TEST_STORE_FIXTURE_H
#define SMSCTL_TEST_STORE_FIXTURE_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"

extern bool use_pg;	 /* the program runs on PostgreSQL */
extern char url[1024];	 /* the store of the running test */
extern char tmpdir[256]; /* its temporary folder (also on PostgreSQL, for other files) */
extern int64_t fake_now; /* what the store's clock says (ms), 2025-12-05 at each setup */

/* The store's clock (store_set_clock()): fake_now. */
int64_t fake_clock(void *ctx);
/* Run sql on the store's database outside the store; the first column of the first row, -1
 * when there is none. Any error fails the test. */
long long raw_query(const char *sql);
/* Before and after each test (Check's fixture); a test may call them to start over on an
 * empty store. */
void fixture_setup(void);
void fixture_teardown(void);
/* store_open(url, node, flags) with the fake clock; a failure fails the test. */
struct store *open_node(const char *node, unsigned flags);

/* Run the tests add() puts in its TCase (timeout in seconds) as the suite NAME-sqlite or
 * NAME-postgresql, after argv[1] ("sqlite" when absent): 0 when all pass, 1 when one fails,
 * 77 (skipped) when PostgreSQL is asked and SMSCTL_TEST_PG_URL is unset. */
int fixture_run(int argc, char **argv, const char *name, int timeout, void (*add)(TCase *tc));

#endif
