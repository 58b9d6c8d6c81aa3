/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the store: the handle, the back-end driver interface and the statement table.
 *
 * The operations (store-msg.c, store-send.c, store-misc.c) are written once against a tiny
 * driver: run statement N with typed parameters, get the rows back as strings. Each
 * statement's SQL is written with PostgreSQL's `$1` placeholders; the SQLite driver turns
 * them into `?1`. Where the dialects differ a statement has a PostgreSQL variant.
 */
#ifndef SMSCTLD_STORE_INTERNAL_H
#define SMSCTLD_STORE_INTERNAL_H

#include "store.h"

/* One migration file, embedded by embed-migrations.py. */
struct store_migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct store_migration store_migrations_sqlite[];
extern const struct store_migration store_migrations_postgresql[];

/* A statement parameter. */
enum { SV_NULL, SV_INT, SV_TEXT };
struct store_val {
	int type;
	int64_t i;
	const char *s;
};
#define V_INT(x) ((struct store_val){SV_INT, (int64_t)(x), NULL})
static inline struct store_val v_text(const char *s)
{
	return (struct store_val){s ? SV_TEXT : SV_NULL, 0, s};
}
#define V_TEXT(x) v_text(x)
/* 0 -> NULL (optional timestamps) */
#define V_TS(x) ((struct store_val){(x) ? SV_INT : SV_NULL, (int64_t)(x), NULL})
/* negative -> NULL (optional small numbers) */
#define V_OPT(x)  ((struct store_val){(x) >= 0 ? SV_INT : SV_NULL, (int64_t)(x), NULL})
#define V_BOOL(x) V_INT((x) ? 1 : 0)

/* Rows of a result: cells[row * ncols + col], NULL for SQL NULL. */
struct store_res {
	int nrows;
	int ncols;
	char **cells;
	size_t cap;
};
void store_res_clear(struct store_res *r);
/* Append a row (the driver's job); takes ownership of nothing, copies. */
int store_res_add_row(struct store_res *r, int ncols, const char *const *vals, const size_t *lens);
const char *res_str(const struct store_res *r, int row, int col);
/* A copy of a nullable string column (NULL for NULL); *oom set when the copy failed. */
char *store_res_strdup(const struct store_res *r, int row, int col, bool *oom);
int64_t res_i64(const struct store_res *r, int row, int col, int64_t if_null);
/* malloc'd copy or NULL */
char *res_dup(const struct store_res *r, int row, int col);

/* The statements. */
enum store_stmt {
#define STMT(name, sql, pg) name,
#include "store-sql.h"
#undef STMT
	STMT_COUNT
};
struct store_sql {
	const char *sql;
	const char *pg; /* PostgreSQL variant, or NULL */
};
extern const struct store_sql store_sql_table[STMT_COUNT];

/* The driver of a back end. */
struct store_driver {
	const char *name;
	/* Run statement @id (prepared once); rows into @res if not NULL; rows changed into
	 * @changes if not NULL. Returns 0 or a negative store_error (store_errmsg set). */
	int (*exec)(struct store *st, enum store_stmt id, const struct store_val *p, int np,
		    struct store_res *res, int64_t *changes);
	/* Run SQL text with no parameters (migrations, BEGIN, COMMIT, ...). */
	int (*exec_text)(struct store *st, const char *sql);
	/* Whether the schema_version table exists: 1, 0, or negative error. */
	int (*has_version_table)(struct store *st);
	/* Called after BEGIN of a migration (PostgreSQL: advisory lock). */
	int (*migration_lock)(struct store *st);
	int (*get_fd)(struct store *st);
	int (*consume_notify)(struct store *st);
	/* Before an operation outside a batch: reconnect if the connection was lost. */
	int (*check)(struct store *st);
	void (*close)(struct store *st);
	const char *begin_sql;
	const struct store_migration *migrations;
	/* Ad-hoc SQL (the store copy): @sql with $N placeholders and text parameters (NULL is
	 * SQL NULL); each result row is handed to @row as NUL-terminated texts (NULL for SQL
	 * NULL), streamed, not collected; a non-zero return from @row stops the rows and is
	 * returned. */
	int (*query)(struct store *st, const char *sql, const char *const *params, int np,
		     int (*row)(void *ctx, int ncols, const char *const *vals), void *ctx);
};

extern const struct store_driver store_driver_sqlite;
extern const struct store_driver store_driver_pg;
int store_sqlite_open(struct store *st, const char *path, unsigned flags);
int store_pg_open(struct store *st, const char *url, unsigned flags);

struct store {
	const struct store_driver *drv;
	void *impl; /* back end's own state */
	char *node_id;
	unsigned flags;
	int schema_version;
	bool in_batch;
	bool in_tx; /* inside an operation's own transaction */
	int64_t (*clock)(void *ctx);
	void *clock_ctx;
	/* time-ordered ids: last milliseconds and the 80-bit random part */
	int64_t id_last_ms;
	unsigned char id_rand[10];
	char errmsg[512];
};

/* Set the handle's message (printf-like) and return @err. */
int store_fail(struct store *st, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Run a statement (shorthand). */
int sx(struct store *st, enum store_stmt id, const struct store_val *p, int np,
       struct store_res *res, int64_t *changes);
#define SX(st, id, res, ch, ...)                                                                   \
	sx((st), (id), (const struct store_val[]){__VA_ARGS__},                                    \
	   (int)(sizeof((const struct store_val[]){__VA_ARGS__}) / sizeof(struct store_val)),      \
	   (res), (ch))

/* One operation = one transaction (or a savepoint inside a batch). */
int tx_begin(struct store *st);
int tx_end(struct store *st, int rc);

/* A new "msg_..." / "evt_..." id. */
void store_new_id(struct store *st, const char *prefix, char out[STORE_ID_SIZE]);

/* Insert an event row (inside a transaction). @payload NULL = "{}". */
int store_event_write(struct store *st, const char *type, const char *message_id, const char *modem,
		      const char *payload);

/* Small JSON building for built-in payloads. */
struct jbuf {
	char *s;
	size_t len, cap;
	bool oom;
};
void jb_init(struct jbuf *b);
void jb_str(struct jbuf *b, const char *key, const char *val); /* NULL -> null */
void jb_int(struct jbuf *b, const char *key, int64_t val);
void jb_bool(struct jbuf *b, const char *key, bool val);
/* Close the object; returns the malloc'd text (or NULL if out of memory). */
char *jb_finish(struct jbuf *b);

/* Message row helpers */
extern const char store_msg_cols[];
int store_msg_from_row(const struct store_res *r, int row, struct store_message *m);
int store_load_parts(struct store *st, struct store_message *m);
/* The rows of a claim (r) as messages with their parts, priority first then oldest id:
 * *out is allocated (NULL when r is empty) and *n counts the messages filled, also on an
 * error (free them with store_message_free_array(*out, *n)). */
int store_claimed_load(struct store *st, const struct store_res *r, struct store_message **out,
		       int *n);
/* Pool names joined with ',' (the SQL's set of pools), malloc'd into *out; a missing name or
 * one holding ',' is STORE_ERR_INVALID. */
int store_join_pools(struct store *st, const char *const *pools, size_t n, char **out);

/* Message state change with its event (inside a transaction). */
int store_msg_event(struct store *st, const char *type, const char *id, const char *modem,
		    struct jbuf *payload);

/* Run the migrations up to the current schema (the store copy's target). */
int store_migrate_current(struct store *st);

/* store_open() stopping the migrations at @target (tests: a database at an older version,
 * to test the upgrade from each earlier version). */
int store_open_version(const char *url, const char *node_id, unsigned flags, int target,
		       struct store **out, char **errmsg);

/* The `unknown` step shared by store_part_unknown() and recovery (inside a transaction):
 * message unknown with its event; when @retry_at > 0, back to queued at once (unknown parts
 * sendable again). */
int store_msg_unknown(struct store *st, const char *id, int seq, const char *code, const char *text,
		      int64_t retry_at);

#endif /* SMSCTLD_STORE_INTERNAL_H */
