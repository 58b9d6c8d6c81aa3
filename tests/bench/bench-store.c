/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/store: the store of smsctld without modems. Prints figures, asserts nothing on time.
 *
 *   bench-store [sqlite|postgresql] [MESSAGES] [FINISHED]
 *
 * - the machine's single-commit rate: a loop of one-row commits (SQLite synchronous=FULL in
 *   the build directory; PostgreSQL: the server's own commit with its fsync setting);
 * - full lifecycles per second (insert, claim, part sending, part sent with its
 *   message.sent event): one transaction per step, and with group commit (what the daemon's
 *   store thread does: everything of the last few ms in one transaction); on PostgreSQL with
 *   4 claimer threads, each on its own connection;
 * - claim latency (p50/p99/max) with FINISHED finished messages in the table.
 *
 * Goals of issue 14 (for the reader, not checked): SQLite >= 5000 lifecycles/s, PostgreSQL
 * with 4 claimers >= 1000/s, claim p99 <= 5 ms with 1 000 000 finished messages
 * (`bench-store sqlite 20000 1000000`). The default is small, for CI.
 * PostgreSQL needs SMSCTL_TEST_PG_URL (tests/daemon/pg-run.sh sets it), else exit 77.
 */
#include "store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool use_pg;
static char url[1024];
static char dbpath[512];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, struct store *st, int rc)
{
	fprintf(stderr, "bench-store: %s: %s (%s)\n", what, store_strerror(rc),
		st ? store_errmsg(st) : "");
	exit(1);
}

static struct store *open_store(const char *node, unsigned flags)
{
	struct store *st;
	char *err = NULL;
	int rc = store_open(url, node, flags, &st, &err);

	if (rc < 0) {
		fprintf(stderr, "bench-store: open %s: %s\n", url, err ? err : store_strerror(rc));
		exit(1);
	}
	return st;
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Raw SQL outside the store (setup only). */
static void raw(const char *sql)
{
	if (use_pg) {
		PGconn *c = PQconnectdb(url);
		PQsetNoticeProcessor(c, quiet, NULL);
		PGresult *r = PQexec(c, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "bench-store: %s: %s\n", sql, PQresultErrorMessage(r));
			exit(1);
		}
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db;
		char *msg = NULL;
		sqlite3_open(dbpath, &db);
		sqlite3_busy_timeout(db, 10000);
		if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
			fprintf(stderr, "bench-store: %s: %s\n", sql, msg);
			exit(1);
		}
		sqlite3_close(db);
	}
}

static void reset_db(void)
{
	if (use_pg) {
		raw("DROP SCHEMA IF EXISTS public CASCADE");
		raw("CREATE SCHEMA public");
	} else {
		char p[600];
		unlink(dbpath);
		snprintf(p, sizeof(p), "%s-wal", dbpath);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", dbpath);
		unlink(p);
	}
}

/* ---- single-commit rate ---- */

static void single_commit_rate(void)
{
	const int n = 300;
	double t0;

	raw("CREATE TABLE IF NOT EXISTS bench_commit (i integer)");
	if (use_pg) {
		PGconn *c = PQconnectdb(url);
		t0 = now_s();
		for (int i = 0; i < n; i++)
			PQclear(PQexec(c, "INSERT INTO bench_commit VALUES (1)"));
		double dt = now_s() - t0;
		PGresult *r = PQexec(c, "SHOW fsync");
		printf("single-commit rate (one-row commits, fsync=%s): %.0f commits/s\n",
		       PQgetvalue(r, 0, 0), n / dt);
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db;
		sqlite3_open(dbpath, &db);
		sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", NULL, NULL,
			     NULL);
		t0 = now_s();
		for (int i = 0; i < n; i++)
			sqlite3_exec(db, "INSERT INTO bench_commit VALUES (1)", NULL, NULL, NULL);
		double dt = now_s() - t0;
		printf("single-commit rate (one-row commits, WAL, synchronous=FULL): %.0f "
		       "commits/s\n",
		       n / dt);
		sqlite3_close(db);
	}
	raw("DROP TABLE bench_commit");
}

/* ---- lifecycles ---- */

static const char *pdu1[] = {"0041000B915121551532F40000"};
static const char *pool[] = {"default"};

static void insert_n(struct store *st, int n)
{
	struct store_new_message *m = calloc((size_t)n, sizeof(*m));
	char(*ids)[STORE_ID_SIZE] = calloc((size_t)n, STORE_ID_SIZE);
	int rc;

	for (int i = 0; i < n; i++)
		m[i] = (struct store_new_message){.recipient = "+8613900000000",
						  .text = "bench",
						  .coding = "gsm7",
						  .validity_minutes = -1,
						  .concat_ref = -1,
						  .n_parts = 1,
						  .pdus = pdu1};
	rc = store_message_insert(st, m, (size_t)n, ids);
	if (rc < 0)
		die("insert", st, rc);
	free(m);
	free(ids);
}

/* One step of the pipeline: insert @batch new messages, claim up to @batch, commit `sending`
 * for what was claimed, and `sent` for what the previous step had sent (the modem answered
 * meanwhile). @group: the whole step is one transaction (group commit, as the daemon's store
 * thread does); otherwise every operation is its own transaction. Returns messages finished. */
struct pipe {
	struct store_message *prev;
	size_t n_prev;
};

static int step(struct store *st, struct pipe *p, const char *modem, int batch, bool group)
{
	struct store_claim_req req = {.modem = modem,
				      .pools = pool,
				      .n_pools = 1,
				      .sim_iccid = modem,
				      .lease_ms = 30000,
				      .limit = batch};
	struct store_message *c = NULL;
	size_t n = 0;
	int rc, done = 0;

	if (group && (rc = store_begin(st)) < 0)
		die("begin", st, rc);
	if (batch > 0) {
		if (group) {
			insert_n(st, batch);
		} else {
			for (int i = 0; i < batch; i++)
				insert_n(st, 1);
		}
		rc = store_claim(st, &req, &c, &n);
		if (rc < 0)
			die("claim", st, rc);
	}
	for (size_t i = 0; i < n; i++) {
		rc = store_part_sending(st, c[i].id, c[i].claim_epoch, 1, modem, modem, 1,
					(int)(i % 256), -1);
		if (rc < 0)
			die("sending", st, rc);
	}
	for (size_t i = 0; i < p->n_prev; i++) {
		rc = store_part_sent(st, p->prev[i].id, p->prev[i].claim_epoch, 1, (int)(i % 256));
		if (rc < 0)
			die("sent", st, rc);
		done++;
	}
	if (group && (rc = store_commit(st)) < 0)
		die("commit", st, rc);
	store_message_free_array(p->prev, p->n_prev);
	p->prev = c;
	p->n_prev = n;
	return done;
}

static int run_pipeline(struct store *st, const char *modem, int total, int batch, bool group)
{
	struct pipe p = {0};
	int done = 0, started = 0;

	while (started < total) {
		done += step(st, &p, modem, batch, group);
		started += batch;
	}
	done += step(st, &p, modem, 0, group);
	return done;
}

static void lifecycles_single(int total, bool group)
{
	struct store *st;
	int done, batch = group ? 64 : 1;
	double t0;

	reset_db();
	st = open_store("bench", 0);
	t0 = now_s();
	done = run_pipeline(st, "m0", total, batch, group);
	double dt = now_s() - t0;
	printf("lifecycles/s, 1 claimer, %s: %.0f (%d messages in %.2f s)\n",
	       group ? "group commit, 64 per transaction" : "one transaction per operation",
	       done / dt, done, dt);
	store_close(st);
}

struct worker {
	pthread_t th;
	int index;
	int quota;
	bool group;
	int done;
};

static void *claimer(void *arg)
{
	struct worker *w = arg;
	char node[32], modem[32];
	int batch = w->group ? 16 : 1;

	snprintf(node, sizeof(node), "node%d", w->index);
	snprintf(modem, sizeof(modem), "m%d", w->index);
	struct store *st = open_store(node, use_pg ? 0 : STORE_OPEN_SECONDARY);
	w->done = run_pipeline(st, modem, w->quota, batch, w->group);
	store_close(st);
	return NULL;
}

static void lifecycles_parallel(int total, int nthreads, bool group)
{
	struct worker w[8];
	struct store *primary;
	int done = 0;
	double t0;

	reset_db();
	primary = open_store("bench", 0); /* creates the schema (and holds the SQLite lock) */
	t0 = now_s();
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct worker){.index = i, .quota = total / nthreads, .group = group};
		pthread_create(&w[i].th, NULL, claimer, &w[i]);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].th, NULL);
		done += w[i].done;
	}
	double dt = now_s() - t0;
	printf("lifecycles/s, %d claimers (own connections), %s: %.0f (%d messages in %.2f s)\n",
	       nthreads,
	       group ? "group commit, 16 per transaction" : "one transaction per operation",
	       done / dt, done, dt);
	store_close(primary);
}

/* ---- claim latency with many finished rows ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void claim_latency(int finished, int claims)
{
	char sql[2048];
	struct store *st;
	double *lat = calloc((size_t)claims, sizeof(double)), t0;

	reset_db();
	st = open_store("bench", 0);
	t0 = now_s();
	if (use_pg) {
		snprintf(
		    sql, sizeof(sql),
		    "INSERT INTO messages (id, created_at, updated_at, state, recipient, text, "
		    "coding, parts, not_before, finished_at) SELECT 'msg_0' || lpad(x::text, "
		    "25, '0'), 1, 1, 'sent', '+8613900000000', 'old', 'gsm7', 1, 1, 1 FROM "
		    "generate_series(1, %d) x; INSERT INTO message_parts (message_id, seq, "
		    "state, pdu, mr, sim_iccid, sent_at) SELECT id, 1, 'sent', '00', 1, 's', 1 "
		    "FROM messages; ANALYZE",
		    finished);
	} else {
		snprintf(sql, sizeof(sql),
			 "BEGIN; WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
			 "WHERE x < %d) INSERT INTO messages (id, created_at, updated_at, state, "
			 "recipient, text, coding, parts, not_before, finished_at) SELECT "
			 "printf('msg_0%%025d', x), 1, 1, 'sent', '+8613900000000', 'old', 'gsm7', "
			 "1, 1, 1 FROM c; INSERT INTO message_parts (message_id, seq, state, pdu, "
			 "mr, sim_iccid, sent_at) SELECT id, 1, 'sent', '00', 1, 's', 1 FROM "
			 "messages; COMMIT; ANALYZE",
			 finished);
	}
	raw(sql);
	double fill = now_s() - t0;
	for (int i = 0; i < claims; i += 100)
		insert_n(st, 100);
	struct store_claim_req req = {.modem = "m0",
				      .pools = pool,
				      .n_pools = 1,
				      .sim_iccid = "s0",
				      .lease_ms = 30000,
				      .limit = 1};
	double *full = calloc((size_t)claims, sizeof(double));
	for (int i = 0; i < claims; i++) {
		struct store_message *c = NULL;
		size_t n = 0;
		double a = now_s();
		int rc = store_begin(st);
		if (rc == 0)
			rc = store_claim(st, &req, &c, &n);
		lat[i] = (now_s() - a) * 1000.0;
		if (rc != 1)
			die("claim", st, rc);
		rc = store_commit(st);
		full[i] = (now_s() - a) * 1000.0;
		if (rc == 0)
			rc = store_part_sending(st, c[0].id, c[0].claim_epoch, 1, "m0", "s0", 1, 0,
						-1);
		if (rc == 0)
			rc = store_part_sent(st, c[0].id, c[0].claim_epoch, 1, 0);
		if (rc < 0)
			die("send", st, rc);
		store_message_free_array(c, n);
	}
	qsort(lat, (size_t)claims, sizeof(double), cmp_double);
	qsort(full, (size_t)claims, sizeof(double), cmp_double);
	printf(
	    "claim latency with %d finished messages (%d claims of 1, %d queued at start; "
	    "table filled in %.1f s):\n  claim statement: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n"
	    "  claim + its own commit: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
	    finished, claims, claims, fill, lat[claims / 2], lat[claims * 99 / 100],
	    lat[claims - 1], full[claims / 2], full[claims * 99 / 100], full[claims - 1]);
	free(full);
	free(lat);
	store_close(st);
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "sqlite";
	int messages = argc > 2 ? atoi(argv[2]) : 2000;
	int finished = argc > 3 ? atoi(argv[3]) : 20000;

	setvbuf(stdout, NULL, _IOLBF, 0); /* figures appear as they are measured */
	use_pg = strcmp(which, "postgresql") == 0;
	if (messages < 100 || finished < 0) {
		fprintf(stderr,
			"usage: bench-store [sqlite|postgresql] [MESSAGES>=100] [FINISHED]\n");
		return 64;
	}
	if (use_pg) {
		const char *u = getenv("SMSCTL_TEST_PG_URL");
		if (!u || !*u) {
			fprintf(stderr,
				"bench-store: no PostgreSQL (SMSCTL_TEST_PG_URL): skipped\n");
			return 77;
		}
		snprintf(url, sizeof(url), "%s", u);
	} else {
		char cwd[400];
		if (!getcwd(cwd, sizeof(cwd)))
			return 1;
		snprintf(dbpath, sizeof(dbpath), "%s/bench-store-%ld.db", cwd, (long)getpid());
		snprintf(url, sizeof(url), "sqlite://%s", dbpath);
	}
	printf("bench/store on %s (%s), %d messages per run\n", which,
	       use_pg ? "local server" : dbpath, messages);
	reset_db();
	{
		struct store *st = open_store("bench", 0);
		store_close(st);
	}
	single_commit_rate();
	lifecycles_single(messages / 4, false);
	lifecycles_single(messages, true);
	if (use_pg) {
		lifecycles_parallel(messages / 2, 4, false);
		lifecycles_parallel(messages, 4, true);
	}
	claim_latency(finished, 1000);
	if (!use_pg) {
		char p[600];
		reset_db();
		snprintf(p, sizeof(p), "%s.lock", dbpath);
		unlink(p);
	}
	return 0;
}
