/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `smsctld --copy-store FROM TO`: every table of one store into an empty other one (SQLite to
 * PostgreSQL and back), history included.
 *
 * - The source must have this build's schema version; it is read in ONE read transaction (a
 *   consistent snapshot: SQLite WAL, PostgreSQL REPEATABLE READ READ ONLY), never written.
 *   A SQLite source is locked like a daemon would lock it, so a running smsctld on it is
 *   named and refused (rows it writes after the snapshot would be lost).
 * - The target must be empty: no tables at all, or this schema with no rows (what
 *   `smsctld --migrate` leaves). It gets the current schema first; then all rows go in in one
 *   transaction, so a failed copy leaves the target as it was (schema aside).
 * - Tables and columns are read from the target's catalog (after its migration), so a table a
 *   later migration adds is copied without a change here; a table referenced by a foreign key
 *   goes before the ones referencing it. `schema_version` is the target's own.
 * - Values travel as text: ids are preserved as they are, integers stay integers (the target
 *   column's type decides). The counter of `events.seq` (and of any other AUTOINCREMENT or
 *   identity column) ends at the higher of the copied maximum and the source's own counter,
 *   so new rows continue after the copied ones and never reuse a number.
 */
#include "store-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TABLES   64
#define MAX_COLS     64
#define BATCH_VALUES 4000 /* parameters per INSERT (SQLite allows 32766, PostgreSQL 65535) */

struct strlist {
	char **v;
	int n, cap;
	bool oom;
};

static void sl_free(struct strlist *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* row callback: first column appended to the list */
static int sl_add_row(void *ctx, int ncols, const char *const *vals)
{
	struct strlist *l = ctx;

	if (ncols < 1 || !vals[0])
		return 0;
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, (size_t)cap * sizeof(*v));
		if (!v)
			return STORE_ERR_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = strdup(vals[0]);
	if (!l->v[l->n])
		return STORE_ERR_NOMEM;
	l->n++;
	return 0;
}

static int one_value(void *ctx, int ncols, const char *const *vals)
{
	char **out = ctx;

	if (ncols >= 1 && vals[0] && !*out) {
		*out = strdup(vals[0]);
		if (!*out)
			return STORE_ERR_NOMEM;
	}
	return 0;
}

static bool is_pg(const struct store *st)
{
	return st->drv == &store_driver_pg;
}

static int q(struct store *st, const char *sql, const char *const *params, int np,
	     int (*row)(void *ctx, int ncols, const char *const *vals), void *ctx)
{
	int rc = st->drv->query(st, sql, params, np, row, ctx);

	if (rc == STORE_ERR_NOMEM)
		store_fail(st, rc, "out of memory");
	return rc;
}

/* "name" with inner quotes doubled (both dialects). */
static int quote_ident(char *out, size_t size, const char *name)
{
	size_t n = 0;

	if (size < 3)
		return -1;
	out[n++] = '"';
	for (const char *p = name; *p; p++) {
		if (n + 3 >= size)
			return -1;
		if (*p == '"')
			out[n++] = '"';
		out[n++] = *p;
	}
	out[n++] = '"';
	out[n] = '\0';
	return 0;
}

static int list_tables(struct store *st, struct strlist *l)
{
	const char *sql =
	    is_pg(st) ? "SELECT c.relname FROM pg_class c WHERE c.relnamespace = "
			"current_schema()::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1"
		      : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
			"'sqlite\\_%' ESCAPE '\\' ORDER BY 1";

	return q(st, sql, NULL, 0, sl_add_row, l);
}

static int list_columns(struct store *st, const char *table, struct strlist *l)
{
	const char *sql =
	    is_pg(st) ? "SELECT column_name FROM information_schema.columns WHERE table_schema = "
			"current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY "
			"ordinal_position"
		      : "SELECT name FROM pragma_table_xinfo($1) WHERE hidden = 0 ORDER BY cid";

	return q(st, sql, (const char *const[]){table}, 1, sl_add_row, l);
}

static int list_references(struct store *st, const char *table, struct strlist *l)
{
	const char *sql = is_pg(st) ? "SELECT r.relname FROM pg_constraint c JOIN pg_class t ON "
				      "t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid "
				      "WHERE c.contype = 'f' AND t.relname = $1 AND "
				      "t.relnamespace = current_schema()::regnamespace"
				    : "SELECT \"table\" FROM pragma_foreign_key_list($1)";

	return q(st, sql, (const char *const[]){table}, 1, sl_add_row, l);
}

/* The counter columns (AUTOINCREMENT / identity or serial) of @table: the column names. */
static int list_counters(struct store *st, const char *table, struct strlist *l)
{
	const char *sql =
	    is_pg(st) ? "SELECT column_name FROM information_schema.columns WHERE table_schema = "
			"current_schema() AND table_name = $1 AND (is_identity = 'YES' OR "
			"column_default LIKE 'nextval(%')"
		      : "SELECT p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE "
			"m.type = 'table' AND m.name = $1 AND p.pk = 1 AND upper(m.sql) LIKE "
			"'%AUTOINCREMENT%'";

	return q(st, sql, (const char *const[]){table}, 1, sl_add_row, l);
}

/* The counter's own high-water mark in @st (0 when it never moved). */
static int counter_get(struct store *st, const char *table, const char *col, int64_t *out)
{
	char *v = NULL;
	int rc;

	*out = 0;
	if (is_pg(st))
		rc = q(st,
		       "SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(quote_ident($1), "
		       "$2) AS regclass))",
		       (const char *const[]){table, col}, 2, one_value, &v);
	else
		rc = q(st, "SELECT seq FROM sqlite_sequence WHERE name = $1",
		       (const char *const[]){table}, 1, one_value, &v);
	if (rc == 0 && v)
		*out = strtoll(v, NULL, 10);
	free(v);
	return rc;
}

static int counter_set(struct store *st, const char *table, const char *col, int64_t value)
{
	char num[24];
	int rc;

	snprintf(num, sizeof(num), "%lld", (long long)value);
	if (is_pg(st))
		return q(st, "SELECT setval(pg_get_serial_sequence(quote_ident($1), $2), $3)",
			 (const char *const[]){table, col, num}, 3, NULL, NULL);
	rc = q(st, "DELETE FROM sqlite_sequence WHERE name = $1", (const char *const[]){table}, 1,
	       NULL, NULL);
	if (rc == 0)
		rc = q(st, "INSERT INTO sqlite_sequence (name, seq) VALUES ($1, $2)",
		       (const char *const[]){table, num}, 2, NULL, NULL);
	return rc;
}

static int64_t column_max(struct store *st, const char *table, const char *col, int *rc)
{
	char qt[160], qc[160], sql[400];
	char *v = NULL;
	int64_t m = 0;

	if (quote_ident(qt, sizeof(qt), table) < 0 || quote_ident(qc, sizeof(qc), col) < 0) {
		*rc = store_fail(st, STORE_ERR_INTERNAL, "name too long: %s", table);
		return 0;
	}
	snprintf(sql, sizeof(sql), "SELECT max(%s) FROM %s", qc, qt);
	*rc = q(st, sql, NULL, 0, one_value, &v);
	if (*rc == 0 && v)
		m = strtoll(v, NULL, 10);
	free(v);
	return m;
}

/* ---- one table ---- */

struct table_copy {
	struct store *to;
	const char *table;
	char *insert_head; /* INSERT INTO "t" ("a", "b") VALUES */
	int ncols, batch_rows;
	struct store_res rows;
	int64_t copied;
	int rc;
};

static int flush(struct table_copy *tc)
{
	size_t head = strlen(tc->insert_head),
	       cap = head + (size_t)tc->rows.nrows * ((size_t)tc->ncols * 8 + 4) + 16;
	char *sql = malloc(cap);
	const char **params = malloc((size_t)tc->rows.nrows * (size_t)tc->ncols * sizeof(*params));
	size_t n = head;
	int np = 0, rc;

	if (tc->rows.nrows == 0) {
		free(sql);
		free(params);
		return 0;
	}
	if (!sql || !params) {
		free(sql);
		free(params);
		return store_fail(tc->to, STORE_ERR_NOMEM, "out of memory");
	}
	memcpy(sql, tc->insert_head, head);
	for (int r = 0; r < tc->rows.nrows; r++) {
		sql[n++] = r ? ',' : ' ';
		sql[n++] = '(';
		for (int c = 0; c < tc->ncols; c++) {
			params[np] = tc->rows.cells[(size_t)r * (size_t)tc->ncols + (size_t)c];
			n += (size_t)snprintf(sql + n, cap - n, "%s$%d", c ? "," : "", np + 1);
			np++;
		}
		sql[n++] = ')';
	}
	sql[n] = '\0';
	rc = q(tc->to, sql, params, np, NULL, NULL);
	if (rc < 0) {
		char keep[sizeof(tc->to->errmsg)];
		memcpy(keep, tc->to->errmsg, sizeof(keep));
		store_fail(tc->to, rc, "table %s: %s", tc->table, keep);
	}
	tc->copied += tc->rows.nrows;
	store_res_clear(&tc->rows);
	free(sql);
	free(params);
	return rc;
}

static int copy_row(void *ctx, int ncols, const char *const *vals)
{
	struct table_copy *tc = ctx;
	size_t lens[MAX_COLS];
	int rc;

	if (ncols != tc->ncols)
		return STORE_ERR_INTERNAL;
	for (int c = 0; c < ncols; c++)
		lens[c] = vals[c] ? strlen(vals[c]) : 0;
	if (store_res_add_row(&tc->rows, ncols, vals, lens) < 0)
		return STORE_ERR_NOMEM;
	if (tc->rows.nrows >= tc->batch_rows) {
		rc = flush(tc);
		if (rc < 0) {
			tc->rc = rc;
			return rc;
		}
	}
	return 0;
}

static int copy_table(struct store *from, struct store *to, const char *table, int64_t *copied)
{
	struct strlist cols = {0};
	struct table_copy tc = {.to = to, .table = table};
	char qt[160], qc[160];
	size_t cap, n;
	char *select = NULL;
	int rc = list_columns(to, table, &cols);

	*copied = 0;
	if (rc < 0)
		goto out;
	if (cols.n == 0 || cols.n > MAX_COLS || quote_ident(qt, sizeof(qt), table) < 0) {
		rc = store_fail(to, STORE_ERR_INTERNAL, "table %s: %d columns", table, cols.n);
		goto out;
	}
	cap = 64 + strlen(qt) + (size_t)cols.n * sizeof(qc);
	select = malloc(cap);
	tc.insert_head = malloc(cap);
	if (!select || !tc.insert_head) {
		rc = store_fail(to, STORE_ERR_NOMEM, "out of memory");
		goto out;
	}
	n = (size_t)snprintf(tc.insert_head, cap, "INSERT INTO %s (", qt);
	size_t ns = (size_t)snprintf(select, cap, "SELECT ");
	for (int c = 0; c < cols.n; c++) {
		if (quote_ident(qc, sizeof(qc), cols.v[c]) < 0) {
			rc = store_fail(to, STORE_ERR_INTERNAL, "column name too long");
			goto out;
		}
		n += (size_t)snprintf(tc.insert_head + n, cap - n, "%s%s", c ? ", " : "", qc);
		ns += (size_t)snprintf(select + ns, cap - ns, "%s%s", c ? ", " : "", qc);
	}
	snprintf(tc.insert_head + n, cap - n, ") VALUES");
	snprintf(select + ns, cap - ns, " FROM %s", qt);
	tc.ncols = cols.n;
	tc.batch_rows = BATCH_VALUES / cols.n;
	rc = q(from, select, NULL, 0, copy_row, &tc);
	if (rc < 0 && tc.rc < 0) {
		/* the target's error (a row refused): report it on the source handle's caller */
		rc = tc.rc;
		memcpy(from->errmsg, to->errmsg, sizeof(from->errmsg));
	} else if (rc < 0) {
		char keep[sizeof(from->errmsg)];
		memcpy(keep, from->errmsg, sizeof(keep));
		store_fail(from, rc, "reading table %s: %s", table, keep);
	}
	if (rc == 0) {
		rc = flush(&tc);
		if (rc < 0)
			memcpy(from->errmsg, to->errmsg, sizeof(from->errmsg));
	}
	*copied = tc.copied;
out:
	if (rc < 0 && from->errmsg[0] == '\0') /* a failure on the target's catalog */
		memcpy(from->errmsg, to->errmsg, sizeof(from->errmsg));
	store_res_clear(&tc.rows);
	free(tc.insert_head);
	free(select);
	sl_free(&cols);
	return rc;
}

/* ---- checks ---- */

static int has_row(void *ctx, int ncols, const char *const *vals)
{
	(void)ncols;
	(void)vals;
	*(bool *)ctx = true;
	return 1; /* one is enough */
}

/* 0 when @to is empty (no tables, or only empty ones of an smsctld schema). */
static int check_empty(struct store *to, const struct strlist *tables)
{
	bool ours = false;
	char qt[160], sql[256];

	for (int i = 0; i < tables->n; i++)
		if (strcmp(tables->v[i], "schema_version") == 0)
			ours = true;
	if (tables->n > 0 && !ours)
		return store_fail(to, STORE_ERR_NOT_EMPTY,
				  "the target has tables of its own (%s, ...) and is not an "
				  "smsctld store",
				  tables->v[0]);
	for (int i = 0; i < tables->n; i++) {
		bool found = false;
		int rc;
		if (strcmp(tables->v[i], "schema_version") == 0)
			continue;
		if (quote_ident(qt, sizeof(qt), tables->v[i]) < 0)
			return store_fail(to, STORE_ERR_INTERNAL, "name too long");
		snprintf(sql, sizeof(sql), "SELECT 1 FROM %s LIMIT 1", qt);
		rc = q(to, sql, NULL, 0, has_row, &found);
		if (rc < 0)
			return rc;
		if (found)
			return store_fail(to, STORE_ERR_NOT_EMPTY,
					  "the target is not empty: table %s has rows",
					  tables->v[i]);
	}
	return 0;
}

static const char *sqlite_path(const char *url)
{
	if (strncmp(url, "sqlite://", 9) == 0)
		return url + 9;
	if (strncmp(url, "sqlite:", 7) == 0)
		return url + 7;
	return NULL;
}

static bool known_scheme(const char *url)
{
	return sqlite_path(url) || strncmp(url, "postgresql://", 13) == 0 ||
	       strncmp(url, "postgres://", 11) == 0;
}

/* Tables in foreign-key order (a referenced table first); @order receives indexes. */
static int order_tables(struct store *to, const struct strlist *tables, int *order)
{
	bool done[MAX_TABLES] = {false};
	struct strlist refs[MAX_TABLES] = {{0}};
	int rc = 0, n = 0;

	for (int i = 0; i < tables->n && rc == 0; i++)
		rc = list_references(to, tables->v[i], &refs[i]);
	while (rc == 0 && n < tables->n) {
		int pick = -1;
		for (int i = 0; i < tables->n && pick < 0; i++) {
			bool ready = !done[i];
			for (int k = 0; ready && k < refs[i].n; k++)
				for (int j = 0; j < tables->n; j++)
					if (j != i && !done[j] &&
					    strcmp(tables->v[j], refs[i].v[k]) == 0)
						ready = false;
			if (ready)
				pick = i;
		}
		for (int i = 0; i < tables->n && pick < 0; i++)
			if (!done[i])
				pick = i; /* a cycle: take them in name order */
		done[pick] = true;
		order[n++] = pick;
	}
	for (int i = 0; i < tables->n; i++)
		sl_free(&refs[i]);
	return rc;
}

static int fail_msg(char **errmsg, int rc, const char *msg)
{
	if (errmsg && !*errmsg)
		*errmsg = strdup(msg);
	return rc;
}

int store_copy(const char *from_url, const char *to_url, const char *node_id,
	       void (*progress)(void *ctx, const char *table, int64_t rows), void *ctx,
	       char **errmsg)
{
	struct store *from = NULL, *to = NULL;
	struct strlist tables = {0};
	int order[MAX_TABLES];
	bool from_tx = false, to_tx = false;
	char *msg = NULL;
	int rc;

	if (errmsg)
		*errmsg = NULL;
	if (!from_url || !to_url || !node_id)
		return fail_msg(errmsg, STORE_ERR_INVALID, "FROM and TO are required");
	if (!known_scheme(from_url) || !known_scheme(to_url)) {
		char m[600];
		snprintf(m, sizeof(m),
			 "store URL '%.200s': expected sqlite:///PATH or "
			 "postgresql://...",
			 known_scheme(from_url) ? to_url : from_url);
		return fail_msg(errmsg, STORE_ERR_INVALID, m);
	}
	if (strcmp(from_url, to_url) == 0)
		return fail_msg(errmsg, STORE_ERR_INVALID, "FROM and TO are the same store");
	/* a SQLite source must exist: opening would create an empty one */
	if (sqlite_path(from_url)) {
		struct stat sb;
		char m[600];
		if (stat(sqlite_path(from_url), &sb) < 0) {
			snprintf(m, sizeof(m), "source %.300s: %s", sqlite_path(from_url),
				 strerror(errno));
			return fail_msg(errmsg, STORE_ERR_NOT_FOUND, m);
		}
	}
	/* target version 0: open without creating or upgrading anything */
	rc = store_open_version(from_url, node_id, 0, 0, &from, &msg);
	if (rc < 0) {
		rc = fail_msg(errmsg, rc, msg ? msg : store_strerror(rc));
		free(msg);
		return rc;
	}
	if (from->schema_version != STORE_SCHEMA_VERSION) {
		char m[200];
		snprintf(m, sizeof(m),
			 from->schema_version == 0
			     ? "the source is not an smsctld store (no schema)"
			     : "the source has schema version %d, this smsctld %d: run smsctld "
			       "--migrate on it first",
			 from->schema_version, STORE_SCHEMA_VERSION);
		rc = from->schema_version == 0 ? STORE_ERR_NOT_FOUND : STORE_ERR_SCHEMA_OLDER;
		store_close(from);
		return fail_msg(errmsg, rc, m);
	}
	rc = store_open_version(to_url, node_id, 0, 0, &to, &msg);
	if (rc < 0) {
		store_close(from);
		rc = fail_msg(errmsg, rc, msg ? msg : store_strerror(rc));
		free(msg);
		return rc;
	}
	rc = list_tables(to, &tables);
	if (rc == 0)
		rc = check_empty(to, &tables);
	if (rc < 0)
		goto target_fail;
	rc = store_migrate_current(to);
	sl_free(&tables);
	if (rc == 0)
		rc = list_tables(to, &tables);
	if (rc == 0 && tables.n > MAX_TABLES)
		rc = store_fail(to, STORE_ERR_INTERNAL, "%d tables", tables.n);
	if (rc == 0)
		rc = order_tables(to, &tables, order);
	if (rc < 0)
		goto target_fail;

	/* the snapshot: one read transaction on the source, one write transaction on the target */
	rc = from->drv->exec_text(from, is_pg(from) ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ "
						      "ONLY"
						    : "BEGIN");
	from_tx = rc == 0;
	if (rc < 0)
		goto source_fail;
	rc = to->drv->exec_text(to, to->drv->begin_sql);
	to_tx = rc == 0;
	if (rc < 0)
		goto target_fail;
	from->errmsg[0] = '\0';
	for (int k = 0; k < tables.n; k++) {
		const char *t = tables.v[order[k]];
		int64_t copied = 0;
		struct strlist counters = {0};
		if (strcmp(t, "schema_version") == 0)
			continue;
		rc = copy_table(from, to, t, &copied);
		if (rc < 0)
			goto source_fail; /* the message is on the source handle */
		/* counters: past the copied maximum and the source's own high-water mark */
		bool source_err = false;
		rc = list_counters(to, t, &counters);
		for (int c = 0; rc == 0 && c < counters.n; c++) {
			int64_t high = 0, max = column_max(to, t, counters.v[c], &rc);
			if (rc == 0) {
				rc = counter_get(from, t, counters.v[c], &high);
				source_err = rc < 0;
			}
			if (rc == 0 && (max > 0 || high > 0))
				rc = counter_set(to, t, counters.v[c], high > max ? high : max);
		}
		sl_free(&counters);
		if (rc < 0 && source_err)
			goto source_fail;
		if (rc < 0)
			goto target_fail;
		if (progress)
			progress(ctx, t, copied);
	}
	rc = to->drv->exec_text(to, "COMMIT");
	to_tx = false;
	if (rc < 0)
		goto target_fail;
	from->drv->exec_text(from, "COMMIT");
	from_tx = false;
	sl_free(&tables);
	store_close(from);
	store_close(to);
	return 0;

source_fail:
	fail_msg(errmsg, rc, store_errmsg(from));
	goto out;
target_fail:
	fail_msg(errmsg, rc, store_errmsg(to));
out:
	if (to_tx)
		to->drv->exec_text(to, "ROLLBACK");
	if (from_tx)
		from->drv->exec_text(from, "ROLLBACK");
	sl_free(&tables);
	store_close(from);
	store_close(to);
	return rc;
}
