/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PostgreSQL back end (libpq): every statement prepared once per connection, text
 * parameters, LISTEN smsctl_queued for wake-ups. A lost connection is reported as
 * STORE_ERR_UNAVAILABLE and re-established before the next operation outside a batch.
 */
#include "store-internal.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_impl {
	PGconn *conn;
	char *url;
	bool prepared[STMT_COUNT];
};

static struct pg_impl *impl(struct store *st)
{
	return st->impl;
}

/* A one-line message from libpq's (possibly multi-line) text. */
static int pg_fail(struct store *st, int err, const char *what, const char *msg)
{
	char line[400];
	size_t n;

	snprintf(line, sizeof(line), "%s", msg ? msg : "");
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	for (char *p = line; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return store_fail(st, err, "postgresql: %s: %s", what, line);
}

static int map_result(struct store *st, PGresult *r, const char *what)
{
	struct pg_impl *p = impl(st);
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	int err = STORE_ERR_INTERNAL;

	if (PQstatus(p->conn) != CONNECTION_OK || !state)
		err = STORE_ERR_UNAVAILABLE;
	else if (strcmp(state, "23505") == 0)
		err = STORE_ERR_DUPLICATE;
	else if (strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0 ||
		 strncmp(state, "53", 2) == 0 || strcmp(state, "40001") == 0 ||
		 strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
		err = STORE_ERR_UNAVAILABLE;
	return pg_fail(st, err, what, r ? PQresultErrorMessage(r) : PQerrorMessage(p->conn));
}

static int pg_exec(struct store *st, enum store_stmt id, const struct store_val *pv, int np,
		   struct store_res *res, int64_t *changes)
{
	struct pg_impl *p = impl(st);
	const char *vals[32];
	char nums[32][24];
	PGresult *r;
	char name[16];
	int rc = 0;

	if (np > 32)
		return store_fail(st, STORE_ERR_INTERNAL, "too many parameters");
	snprintf(name, sizeof(name), "s%d", (int)id);
	if (!p->prepared[id]) {
		const char *sql =
		    store_sql_table[id].pg ? store_sql_table[id].pg : store_sql_table[id].sql;
		r = PQprepare(p->conn, name, sql, 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = map_result(st, r, "prepare");
			PQclear(r);
			return rc;
		}
		PQclear(r);
		p->prepared[id] = true;
	}
	for (int i = 0; i < np; i++) {
		if (pv[i].type == SV_INT) {
			snprintf(nums[i], sizeof(nums[i]), "%lld", (long long)pv[i].i);
			vals[i] = nums[i];
		} else {
			vals[i] = pv[i].type == SV_TEXT ? pv[i].s : NULL;
		}
	}
	r = PQexecPrepared(p->conn, name, np, vals, NULL, NULL, 0);
	switch (PQresultStatus(r)) {
	case PGRES_TUPLES_OK: {
		int ncols = PQnfields(r), nrows = PQntuples(r);
		const char *cv[64];
		size_t lens[64];
		if (ncols > 64) {
			rc = store_fail(st, STORE_ERR_INTERNAL, "too many columns");
			break;
		}
		for (int i = 0; res && rc == 0 && i < nrows; i++) {
			for (int c = 0; c < ncols; c++) {
				cv[c] = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
				lens[c] = (size_t)PQgetlength(r, i, c);
			}
			if (store_res_add_row(res, ncols, cv, lens) < 0)
				rc = store_fail(st, STORE_ERR_NOMEM, "out of memory");
		}
		if (changes)
			*changes = strtoll(PQcmdTuples(r), NULL, 10);
		break;
	}
	case PGRES_COMMAND_OK:
		if (changes)
			*changes = strtoll(PQcmdTuples(r), NULL, 10);
		break;
	default:
		rc = map_result(st, r, "statement");
	}
	PQclear(r);
	return rc;
}

static int pg_exec_text(struct store *st, const char *sql)
{
	struct pg_impl *p = impl(st);
	PGresult *r = PQexec(p->conn, sql);
	int rc = 0;

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = map_result(st, r, "exec");
	PQclear(r);
	return rc;
}

static int pg_has_version_table(struct store *st)
{
	struct pg_impl *p = impl(st);
	PGresult *r = PQexec(p->conn, "SELECT to_regclass('schema_version') IS NOT NULL");
	int rc;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = map_result(st, r, "schema");
	else
		rc = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return rc;
}

/* Two daemons starting on an empty database: one migrates, the other waits and sees it. */
static int pg_migration_lock(struct store *st)
{
	return pg_exec_text(st, "SELECT pg_advisory_xact_lock(7270001)");
}

static int pg_get_fd(struct store *st)
{
	return PQsocket(impl(st)->conn);
}

static int pg_consume_notify(struct store *st)
{
	struct pg_impl *p = impl(st);
	PGnotify *n;
	int count = 0;

	if (!PQconsumeInput(p->conn))
		return pg_fail(st, STORE_ERR_UNAVAILABLE, "notify", PQerrorMessage(p->conn));
	while ((n = PQnotifies(p->conn))) {
		if (strcmp(n->relname, "smsctl_queued") == 0)
			count++;
		PQfreemem(n);
	}
	return count;
}

static int pg_setup(struct store *st)
{
	int rc = pg_exec_text(st, "SET client_min_messages = warning");

	if (rc == 0)
		rc = pg_exec_text(st, "LISTEN smsctl_queued");
	return rc;
}

/* Reconnect after a lost connection (outside a batch only). */
static int pg_check(struct store *st)
{
	struct pg_impl *p = impl(st);

	if (PQstatus(p->conn) == CONNECTION_OK)
		return 0;
	PQreset(p->conn);
	if (PQstatus(p->conn) != CONNECTION_OK)
		return pg_fail(st, STORE_ERR_UNAVAILABLE, "reconnect", PQerrorMessage(p->conn));
	memset(p->prepared, 0, sizeof(p->prepared));
	return pg_setup(st);
}

static void pg_close(struct store *st)
{
	struct pg_impl *p = impl(st);

	if (!p)
		return;
	PQfinish(p->conn);
	free(p->url);
	free(p);
	st->impl = NULL;
}

/* Rows one at a time (single-row mode): a large table is never held whole in memory. */
static int pg_query(struct store *st, const char *sql, const char *const *params, int np,
		    int (*row)(void *ctx, int ncols, const char *const *vals), void *ctx)
{
	struct pg_impl *p = impl(st);
	const char *vals[64];
	PGresult *r;
	int out = 0;

	if (!PQsendQueryParams(p->conn, sql, np, NULL, params, NULL, NULL, 0))
		return pg_fail(st, STORE_ERR_UNAVAILABLE, "query", PQerrorMessage(p->conn));
	PQsetSingleRowMode(p->conn);
	while ((r = PQgetResult(p->conn))) {
		switch (PQresultStatus(r)) {
		case PGRES_SINGLE_TUPLE: {
			int ncols = PQnfields(r);
			if (out != 0 || !row)
				break;
			if (ncols > 64) {
				out = store_fail(st, STORE_ERR_INTERNAL, "too many columns");
				break;
			}
			for (int c = 0; c < ncols; c++)
				vals[c] = PQgetisnull(r, 0, c) ? NULL : PQgetvalue(r, 0, c);
			out = row(ctx, ncols, vals);
			break;
		}
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
			break;
		default:
			if (out == 0)
				out = map_result(st, r, "query");
		}
		PQclear(r); /* every result is read, so the connection stays usable */
	}
	return out;
}

const struct store_driver store_driver_pg = {
    .name = "postgresql",
    .exec = pg_exec,
    .exec_text = pg_exec_text,
    .has_version_table = pg_has_version_table,
    .migration_lock = pg_migration_lock,
    .get_fd = pg_get_fd,
    .consume_notify = pg_consume_notify,
    .check = pg_check,
    .close = pg_close,
    .begin_sql = "BEGIN",
    .migrations = store_migrations_postgresql,
    .query = pg_query,
};

int store_pg_open(struct store *st, const char *url, unsigned flags)
{
	struct pg_impl *p = calloc(1, sizeof(*p));

	(void)flags;
	if (!p)
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	st->impl = p;
	st->drv = &store_driver_pg;
	p->url = strdup(url);
	if (!p->url)
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	p->conn = PQconnectdb(url);
	if (!p->conn)
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	if (PQstatus(p->conn) != CONNECTION_OK) {
		/* libpq's message names the host (or socket) and the reason */
		return pg_fail(st, STORE_ERR_UNAVAILABLE, "cannot connect",
			       PQerrorMessage(p->conn));
	}
	return pg_setup(st);
}
