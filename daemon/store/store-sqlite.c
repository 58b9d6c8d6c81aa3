/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SQLite back end: one file, WAL (readers never block the writer, `sqlite3 .backup` works
 * while the daemon runs), synchronous=FULL (a commit survives a power loss: with NORMAL the
 * last commits can roll back), foreign_keys=ON, a busy timeout, and an exclusive flock on
 * `<db>.lock` holding the daemon's pid so that a second daemon names the first.
 * Never locking_mode=EXCLUSIVE: other processes must keep reading the file.
 */
#include "store-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 5000

struct sqlite_impl {
	sqlite3 *db;
	sqlite3_stmt *stmts[STMT_COUNT];
	int lock_fd;
	char *path;
};

static struct sqlite_impl *impl(struct store *st)
{
	return st->impl;
}

static int map_error(struct store *st, int code, const char *what)
{
	struct sqlite_impl *s = impl(st);
	int ext = sqlite3_extended_errcode(s->db);
	int err;

	switch (code & 0xff) {
	case SQLITE_CONSTRAINT:
		err = (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
			  ? STORE_ERR_DUPLICATE
			  : STORE_ERR_INTERNAL;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PROTOCOL:
		err = STORE_ERR_UNAVAILABLE;
		break;
	case SQLITE_NOMEM:
		err = STORE_ERR_NOMEM;
		break;
	default:
		err = STORE_ERR_INTERNAL;
	}
	return store_fail(st, err, "sqlite %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

/* $1 -> ?1 (SQLite reads `$1` as a named parameter). */
static char *convert_sql(const char *sql)
{
	char *out = strdup(sql);

	for (char *p = out; p && *p; p++)
		if (*p == '$' && p[1] >= '0' && p[1] <= '9')
			*p = '?';
	return out;
}

static int sq_exec(struct store *st, enum store_stmt id, const struct store_val *p, int np,
		   struct store_res *res, int64_t *changes)
{
	struct sqlite_impl *s = impl(st);
	sqlite3_stmt *stmt = s->stmts[id];
	int rc;

	if (!stmt) {
		char *sql = convert_sql(store_sql_table[id].sql);
		if (!sql)
			return store_fail(st, STORE_ERR_NOMEM, "out of memory");
		rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
		free(sql);
		if (rc != SQLITE_OK)
			return map_error(st, rc, "prepare");
		s->stmts[id] = stmt;
	}
	for (int i = 0; i < np; i++) {
		if (p[i].type == SV_INT)
			rc = sqlite3_bind_int64(stmt, i + 1, p[i].i);
		else if (p[i].type == SV_TEXT)
			rc = sqlite3_bind_text(stmt, i + 1, p[i].s, -1, SQLITE_STATIC);
		else
			rc = sqlite3_bind_null(stmt, i + 1);
		if (rc != SQLITE_OK) {
			sqlite3_reset(stmt);
			return map_error(st, rc, "bind");
		}
	}
	int ncols = sqlite3_column_count(stmt);
	const char *vals[64];
	size_t lens[64];
	int out = 0;
	if (res && ncols > 64) {
		sqlite3_reset(stmt);
		return store_fail(st, STORE_ERR_INTERNAL, "too many columns");
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (!res)
			continue;
		for (int c = 0; c < ncols; c++) {
			vals[c] = (const char *)sqlite3_column_text(stmt, c);
			lens[c] = (size_t)sqlite3_column_bytes(stmt, c);
		}
		if (out == 0 && store_res_add_row(res, ncols, vals, lens) < 0)
			out = STORE_ERR_NOMEM;
	}
	if (rc != SQLITE_DONE)
		out = map_error(st, rc, "step");
	else if (changes)
		*changes = sqlite3_changes64(s->db);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (out == STORE_ERR_NOMEM)
		return store_fail(st, out, "out of memory");
	return out;
}

static int sq_exec_text(struct store *st, const char *sql)
{
	struct sqlite_impl *s = impl(st);
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);

	sqlite3_free(msg);
	return rc == SQLITE_OK ? 0 : map_error(st, rc, "exec");
}

static int sq_has_version_table(struct store *st)
{
	struct sqlite_impl *s = impl(st);
	sqlite3_stmt *stmt;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
				    "name = 'schema_version'",
				    -1, &stmt, NULL);
	int found = 0;

	if (rc != SQLITE_OK)
		return map_error(st, rc, "prepare");
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		found = sqlite3_column_int(stmt, 0) > 0;
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW)
		return map_error(st, rc, "schema");
	return found;
}

static int sq_noop(struct store *st)
{
	(void)st;
	return 0;
}

static int sq_get_fd(struct store *st)
{
	(void)st;
	return -1;
}

static void sq_close(struct store *st)
{
	struct sqlite_impl *s = impl(st);

	if (!s)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmts[i]);
	sqlite3_close_v2(s->db);
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the flock */
	free(s->path);
	free(s);
	st->impl = NULL;
}

static int sq_query(struct store *st, const char *sql, const char *const *params, int np,
		    int (*row)(void *ctx, int ncols, const char *const *vals), void *ctx)
{
	struct sqlite_impl *s = impl(st);
	sqlite3_stmt *stmt = NULL;
	const char *vals[64];
	char *text = convert_sql(sql);
	int rc, out = 0;

	if (!text)
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	rc = sqlite3_prepare_v2(s->db, text, -1, &stmt, NULL);
	free(text);
	if (rc != SQLITE_OK)
		return map_error(st, rc, "prepare");
	for (int i = 0; i < np && rc == SQLITE_OK; i++)
		rc = params[i] ? sqlite3_bind_text(stmt, i + 1, params[i], -1, SQLITE_STATIC)
			       : sqlite3_bind_null(stmt, i + 1);
	if (rc != SQLITE_OK) {
		out = map_error(st, rc, "bind");
		sqlite3_finalize(stmt);
		return out;
	}
	int ncols = sqlite3_column_count(stmt);
	if (ncols > 64) {
		sqlite3_finalize(stmt);
		return store_fail(st, STORE_ERR_INTERNAL, "too many columns");
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (!row)
			continue;
		for (int c = 0; c < ncols; c++)
			vals[c] = (const char *)sqlite3_column_text(stmt, c);
		out = row(ctx, ncols, vals);
		if (out != 0)
			break;
	}
	if (out == 0 && rc != SQLITE_DONE)
		out = map_error(st, rc, "step");
	sqlite3_finalize(stmt);
	return out;
}

const struct store_driver store_driver_sqlite = {
    .name = "sqlite",
    .exec = sq_exec,
    .exec_text = sq_exec_text,
    .has_version_table = sq_has_version_table,
    .migration_lock = sq_noop,
    .get_fd = sq_get_fd,
    .consume_notify = sq_noop,
    .check = sq_noop,
    .close = sq_close,
    .begin_sql = "BEGIN IMMEDIATE",
    .migrations = store_migrations_sqlite,
    .query = sq_query,
};

/* One daemon per database file: flock `<db>.lock`, keep it open, write our pid into it. */
static int take_lock(struct store *st, struct sqlite_impl *s)
{
	size_t n = strlen(s->path) + 6;
	char *lock = malloc(n);
	char buf[32];

	if (!lock)
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	snprintf(lock, n, "%s.lock", s->path);
	s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (s->lock_fd < 0) {
		int e = errno;
		store_fail(st, STORE_ERR_UNAVAILABLE, "cannot open lock file %s: %s", lock,
			   strerror(e));
		free(lock);
		return STORE_ERR_UNAVAILABLE;
	}
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		ssize_t got = pread(s->lock_fd, buf, sizeof(buf) - 1, 0);
		long pid = 0;
		buf[got > 0 ? got : 0] = '\0';
		pid = strtol(buf, NULL, 10);
		if (e == EWOULDBLOCK && pid > 0)
			store_fail(st, STORE_ERR_LOCKED,
				   "store %s is in use by another smsctld (pid %ld, lock %s)",
				   s->path, pid, lock);
		else if (e == EWOULDBLOCK)
			store_fail(st, STORE_ERR_LOCKED,
				   "store %s is in use by another smsctld (lock %s)", s->path,
				   lock);
		else
			store_fail(st, STORE_ERR_UNAVAILABLE, "cannot lock %s: %s", lock,
				   strerror(e));
		free(lock);
		close(s->lock_fd);
		s->lock_fd = -1;
		return e == EWOULDBLOCK ? STORE_ERR_LOCKED : STORE_ERR_UNAVAILABLE;
	}
	free(lock);
	int len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(s->lock_fd, 0) < 0 || pwrite(s->lock_fd, buf, (size_t)len, 0) != len)
		return store_fail(st, STORE_ERR_UNAVAILABLE, "cannot write the lock file: %s",
				  strerror(errno));
	return 0;
}

int store_sqlite_open(struct store *st, const char *path, unsigned flags)
{
	struct sqlite_impl *s;
	int rc;

	if (!*path || strcmp(path, ":memory:") == 0)
		return store_fail(st, STORE_ERR_INVALID, "sqlite store needs a file path");
	s = calloc(1, sizeof(*s));
	if (!s)
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	s->lock_fd = -1;
	s->path = strdup(path);
	st->impl = s;
	st->drv = &store_driver_sqlite;
	if (!s->path)
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	if (!(flags & STORE_OPEN_SECONDARY)) {
		rc = take_lock(st, s);
		if (rc < 0)
			return rc;
	}
	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
				 SQLITE_OPEN_EXRESCODE,
			     NULL);
	if (rc != SQLITE_OK) {
		if (!s->db)
			return store_fail(st, STORE_ERR_NOMEM, "sqlite: out of memory");
		return store_fail(st, STORE_ERR_UNAVAILABLE, "cannot open sqlite store %s: %s",
				  path, sqlite3_errmsg(s->db));
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	rc = sq_exec_text(st, "PRAGMA journal_mode = WAL");
	if (rc == 0)
		rc = sq_exec_text(st, "PRAGMA synchronous = FULL");
	if (rc == 0)
		rc = sq_exec_text(st, "PRAGMA foreign_keys = ON");
	if (rc < 0)
		return store_fail(st, rc, "cannot open sqlite store %s: %s", path,
				  sqlite3_errmsg(s->db));
	return 0;
}
