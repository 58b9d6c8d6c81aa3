/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store: opening, schema versions and migrations, transactions, ids, and the helpers the
 * operations share. The operations themselves are in store-msg.c (insert, read, list),
 * store-send.c (claim, part transitions) and store-misc.c (reports, inbox, modems, nodes,
 * recovery, retention).
 */
#include "store-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

const struct store_sql store_sql_table[STMT_COUNT] = {
#define STMT(name, sql, pg) [name] = {sql, pg},
#include "store-sql.h"
#undef STMT
};

static const char *const msg_state_names[STORE_MSG_STATE_COUNT] = {
    "queued", "sending", "sent",      "delivered", "undelivered",
    "failed", "expired", "cancelled", "unknown",
};
static const char *const part_state_names[STORE_PART_STATE_COUNT] = {
    "queued", "sending", "sent", "failed", "unknown",
};

const char *store_msg_state_name(enum store_msg_state s)
{
	return (unsigned)s < STORE_MSG_STATE_COUNT ? msg_state_names[s] : NULL;
}

int store_msg_state_parse(const char *name)
{
	for (int i = 0; name && i < STORE_MSG_STATE_COUNT; i++)
		if (strcmp(name, msg_state_names[i]) == 0)
			return i;
	return -1;
}

const char *store_part_state_name(enum store_part_state s)
{
	return (unsigned)s < STORE_PART_STATE_COUNT ? part_state_names[s] : NULL;
}

int store_part_state_parse(const char *name)
{
	for (int i = 0; name && i < STORE_PART_STATE_COUNT; i++)
		if (strcmp(name, part_state_names[i]) == 0)
			return i;
	return -1;
}

const char *store_strerror(int err)
{
	switch (err) {
	case STORE_OK:
		return "success";
	case STORE_ERR_INVALID:
		return "invalid argument";
	case STORE_ERR_NOMEM:
		return "out of memory";
	case STORE_ERR_UNAVAILABLE:
		return "store unavailable";
	case STORE_ERR_LOCKED:
		return "store in use by another smsctld";
	case STORE_ERR_SCHEMA_NEWER:
		return "store schema is newer than this smsctld";
	case STORE_ERR_SCHEMA_OLDER:
		return "store schema is older: run smsctld --migrate";
	case STORE_ERR_NOT_FOUND:
		return "not found";
	case STORE_ERR_STATE:
		return "not possible in the current state";
	case STORE_ERR_FENCED:
		return "claim lost (fenced)";
	case STORE_ERR_DUPLICATE:
		return "duplicate key";
	case STORE_ERR_INTERNAL:
		return "internal store error";
	case STORE_ERR_NOT_EMPTY:
		return "target store is not empty";
	}
	return "unknown store error";
}

int store_fail(struct store *st, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->errmsg, sizeof(st->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

const char *store_errmsg(const struct store *st)
{
	return st ? st->errmsg : "";
}

const char *store_backend_name(const struct store *st)
{
	return st->drv->name;
}

int store_schema_version(struct store *st)
{
	return st->schema_version;
}

static int64_t real_clock(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void store_set_clock(struct store *st, int64_t (*now)(void *ctx), void *ctx)
{
	st->clock = now ? now : real_clock;
	st->clock_ctx = now ? ctx : NULL;
}

int64_t store_now(struct store *st)
{
	return st->clock(st->clock_ctx);
}

int64_t store_backoff(int64_t initial_ms, int64_t max_ms, int attempts)
{
	int64_t d = initial_ms;

	for (int i = 1; i < attempts && d < max_ms; i++)
		d *= 2;
	return d < max_ms ? d : max_ms;
}

/* ---- ids: 48-bit ms + 80 random bits, Crockford base 32, monotonic per handle ---- */

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void fill_random(unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom(buf + got, n - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* no entropy source: fall back on time-derived bytes (ids stay unique
			 * through the monotonic increment) */
			for (; got < n; got++)
				buf[got] = (unsigned char)(real_clock(NULL) >> (got % 8));
			return;
		}
		got += (size_t)r;
	}
}

void store_new_id(struct store *st, const char *prefix, char out[STORE_ID_SIZE])
{
	int64_t ms = real_clock(NULL);
	unsigned char b[16];
	size_t plen = strlen(prefix);

	if (ms <= st->id_last_ms) {
		/* same millisecond (or the clock went back): increment the random part */
		ms = st->id_last_ms;
		for (int i = 9; i >= 0; i--)
			if (++st->id_rand[i] != 0)
				break;
	} else {
		fill_random(st->id_rand, sizeof(st->id_rand));
		st->id_rand[0] &= 0x7f; /* room for increments */
		st->id_last_ms = ms;
	}
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)((uint64_t)ms >> (40 - 8 * i));
	memcpy(b + 6, st->id_rand, 10);
	memcpy(out, prefix, plen);
	/* 128 bits -> 26 characters of 5 bits (the first one carries 3) */
	for (int i = 0; i < 26; i++) {
		int bit = i * 5 - 2; /* position of the top bit of this character */
		unsigned v = 0;
		for (int k = 0; k < 5; k++) {
			int pos = bit + k;
			if (pos < 0)
				continue;
			v = (v << 1) | ((b[pos / 8] >> (7 - pos % 8)) & 1u);
		}
		out[plen + (size_t)i] = crockford[v & 31];
	}
	out[plen + 26] = '\0';
}

/* ---- results ---- */

void store_res_clear(struct store_res *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < (size_t)r->nrows * (size_t)r->ncols; i++)
		free(r->cells[i]);
	free(r->cells);
	memset(r, 0, sizeof(*r));
}

int store_res_add_row(struct store_res *r, int ncols, const char *const *vals, const size_t *lens)
{
	size_t need = ((size_t)r->nrows + 1) * (size_t)ncols;

	if (r->nrows > 0 && r->ncols != ncols)
		return STORE_ERR_INTERNAL;
	if (need > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		while (cap < need)
			cap *= 2;
		char **c = realloc(r->cells, cap * sizeof(*c));
		if (!c)
			return STORE_ERR_NOMEM;
		r->cells = c;
		r->cap = cap;
	}
	r->ncols = ncols;
	char **row = r->cells + (size_t)r->nrows * (size_t)ncols;
	for (int i = 0; i < ncols; i++) {
		row[i] = NULL;
		if (!vals[i])
			continue;
		row[i] = malloc(lens[i] + 1);
		if (!row[i]) {
			for (int k = 0; k < i; k++)
				free(row[k]);
			return STORE_ERR_NOMEM;
		}
		memcpy(row[i], vals[i], lens[i]);
		row[i][lens[i]] = '\0';
	}
	r->nrows++;
	return 0;
}

const char *res_str(const struct store_res *r, int row, int col)
{
	if (row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
		return NULL;
	return r->cells[(size_t)row * (size_t)r->ncols + (size_t)col];
}

int64_t res_i64(const struct store_res *r, int row, int col, int64_t if_null)
{
	const char *s = res_str(r, row, col);

	if (!s)
		return if_null;
	if (s[0] == 't' && s[1] == '\0')
		return 1;
	if (s[0] == 'f' && s[1] == '\0')
		return 0;
	return strtoll(s, NULL, 10);
}

char *res_dup(const struct store_res *r, int row, int col)
{
	const char *s = res_str(r, row, col);

	return s ? strdup(s) : NULL;
}

/* ---- statements and transactions ---- */

int sx(struct store *st, enum store_stmt id, const struct store_val *p, int np,
       struct store_res *res, int64_t *changes)
{
	if (changes)
		*changes = 0;
	if (!st->in_tx && !st->in_batch) {
		/* a read outside any transaction: reconnect if the connection was lost, and try
		 * once more when it turns out lost only now (a read is safe to repeat) */
		int rc = st->drv->check(st);
		if (rc == 0)
			rc = st->drv->exec(st, id, p, np, res, changes);
		if (rc == STORE_ERR_UNAVAILABLE && st->drv->check(st) == 0) {
			store_res_clear(res);
			rc = st->drv->exec(st, id, p, np, res, changes);
		}
		return rc;
	}
	return st->drv->exec(st, id, p, np, res, changes);
}

int tx_begin(struct store *st)
{
	int rc;

	if (st->in_batch)
		return st->drv->exec_text(st, "SAVEPOINT op");
	rc = st->drv->check(st);
	if (rc < 0)
		return rc;
	rc = st->drv->exec_text(st, st->drv->begin_sql);
	if (rc == STORE_ERR_UNAVAILABLE && st->drv->check(st) == 0)
		rc = st->drv->exec_text(st, st->drv->begin_sql); /* nothing done yet: safe */
	st->in_tx = rc == 0;
	return rc;
}

int tx_end(struct store *st, int rc)
{
	char keep[sizeof(st->errmsg)];
	int r2;

	st->in_tx = false;
	if (rc >= 0) {
		r2 = st->drv->exec_text(st, st->in_batch ? "RELEASE SAVEPOINT op" : "COMMIT");
		if (r2 < 0) {
			if (!st->in_batch) {
				memcpy(keep, st->errmsg, sizeof(keep));
				st->drv->exec_text(st, "ROLLBACK");
				memcpy(st->errmsg, keep, sizeof(keep));
			}
			return r2;
		}
		return rc;
	}
	memcpy(keep, st->errmsg, sizeof(keep));
	if (st->in_batch) {
		st->drv->exec_text(st, "ROLLBACK TO SAVEPOINT op");
		st->drv->exec_text(st, "RELEASE SAVEPOINT op");
	} else {
		st->drv->exec_text(st, "ROLLBACK");
	}
	memcpy(st->errmsg, keep, sizeof(keep));
	return rc;
}

int store_begin(struct store *st)
{
	int rc;

	if (st->in_batch)
		return store_fail(st, STORE_ERR_STATE, "a batch is already open");
	rc = st->drv->check(st);
	if (rc < 0)
		return rc;
	rc = st->drv->exec_text(st, st->drv->begin_sql);
	if (rc == 0)
		st->in_batch = true;
	return rc;
}

int store_commit(struct store *st)
{
	int rc;

	if (!st->in_batch)
		return store_fail(st, STORE_ERR_STATE, "no batch open");
	st->in_batch = false;
	rc = st->drv->exec_text(st, "COMMIT");
	if (rc < 0) {
		char keep[sizeof(st->errmsg)];
		memcpy(keep, st->errmsg, sizeof(keep));
		st->drv->exec_text(st, "ROLLBACK");
		memcpy(st->errmsg, keep, sizeof(keep));
	}
	return rc;
}

int store_rollback(struct store *st)
{
	if (!st->in_batch)
		return store_fail(st, STORE_ERR_STATE, "no batch open");
	st->in_batch = false;
	return st->drv->exec_text(st, "ROLLBACK");
}

bool store_in_batch(const struct store *st)
{
	return st->in_batch;
}

int store_get_fd(struct store *st)
{
	return st->drv->get_fd(st);
}

int store_consume_notify(struct store *st)
{
	return st->drv->consume_notify(st);
}

/* ---- small JSON for built-in event payloads ---- */

static void jb_put(struct jbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 128;
		while (cap < b->len + n + 2)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void jb_init(struct jbuf *b)
{
	memset(b, 0, sizeof(*b));
	jb_put(b, "{", 1);
}

static void jb_key(struct jbuf *b, const char *key)
{
	if (b->len > 1)
		jb_put(b, ",", 1);
	jb_put(b, "\"", 1);
	jb_put(b, key, strlen(key));
	jb_put(b, "\":", 2);
}

void jb_str(struct jbuf *b, const char *key, const char *val)
{
	jb_key(b, key);
	if (!val) {
		jb_put(b, "null", 4);
		return;
	}
	jb_put(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)val; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			jb_put(b, esc, 2);
		} else if (*p < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			jb_put(b, esc, 6);
		} else {
			jb_put(b, (const char *)p, 1);
		}
	}
	jb_put(b, "\"", 1);
}

void jb_int(struct jbuf *b, const char *key, int64_t val)
{
	char num[32];

	jb_key(b, key);
	snprintf(num, sizeof(num), "%lld", (long long)val);
	jb_put(b, num, strlen(num));
}

void jb_bool(struct jbuf *b, const char *key, bool val)
{
	jb_key(b, key);
	jb_put(b, val ? "true" : "false", val ? 4 : 5);
}

char *jb_finish(struct jbuf *b)
{
	jb_put(b, "}", 1);
	if (b->oom) {
		free(b->s);
		return NULL;
	}
	return b->s;
}

int store_event_write(struct store *st, const char *type, const char *message_id, const char *modem,
		      const char *payload)
{
	char id[STORE_ID_SIZE];

	store_new_id(st, "evt_", id);
	return SX(st, STMT_EVENT_INSERT, NULL, NULL, V_TEXT(id), V_TEXT(type), V_INT(store_now(st)),
		  V_TEXT(message_id), V_TEXT(modem), V_TEXT(payload ? payload : "{}"));
}

int store_msg_event(struct store *st, const char *type, const char *id, const char *modem,
		    struct jbuf *payload)
{
	char *text = payload ? jb_finish(payload) : NULL;
	int rc;

	if (payload && !text)
		return store_fail(st, STORE_ERR_NOMEM, "out of memory");
	rc = store_event_write(st, type, id, modem, text);
	free(text);
	return rc;
}

int store_event_add(struct store *st, const char *type, const char *message_id, const char *modem,
		    const char *payload_json, char id_out[STORE_ID_SIZE])
{
	char id[STORE_ID_SIZE];
	int rc;

	if (!type || !*type)
		return store_fail(st, STORE_ERR_INVALID, "event type missing");
	rc = tx_begin(st);
	if (rc < 0)
		return rc;
	store_new_id(st, "evt_", id);
	rc = SX(st, STMT_EVENT_INSERT, NULL, NULL, V_TEXT(id), V_TEXT(type), V_INT(store_now(st)),
		V_TEXT(message_id), V_TEXT(modem), V_TEXT(payload_json ? payload_json : "{}"));
	rc = tx_end(st, rc);
	if (rc == 0 && id_out)
		memcpy(id_out, id, STORE_ID_SIZE);
	return rc;
}

/* ---- schema ---- */

/* The schema version; *exists = whether the schema_version table is there at all (an
 * empty database has none). */
static int read_version(struct store *st, int *version, bool *exists)
{
	struct store_res r = {0};
	int rc = st->drv->has_version_table(st);

	*version = 0;
	*exists = rc > 0;
	if (rc <= 0)
		return rc;
	rc = sx(st, STMT_VERSION_GET, NULL, 0, &r, NULL);
	if (rc == 0)
		*version = (int)res_i64(&r, 0, 0, 0);
	store_res_clear(&r);
	return rc;
}

static int migrate(struct store *st, unsigned flags, int target)
{
	const struct store_migration *m = st->drv->migrations;
	int version = 0, rc;
	bool exists = false, fresh = false, first = true;

	for (;;) {
		rc = st->drv->exec_text(st, st->drv->begin_sql);
		if (rc < 0)
			return rc;
		st->in_tx = true;
		rc = st->drv->migration_lock(st);
		if (rc == 0)
			rc = read_version(st, &version, &exists);
		if (rc < 0)
			return tx_end(st, rc);
		if (first)
			fresh = !exists; /* an empty database gets every migration */
		first = false;
		st->schema_version = version;
		if (version > STORE_SCHEMA_VERSION)
			return tx_end(st,
				      store_fail(st, STORE_ERR_SCHEMA_NEWER,
						 "the store has schema version %d, this smsctld "
						 "knows up to %d: upgrade smsctld",
						 version, STORE_SCHEMA_VERSION));
		if (version >= target)
			return tx_end(st, 0);
		if (exists && !fresh &&
		    (!(flags & STORE_OPEN_MIGRATE) || (flags & STORE_OPEN_SECONDARY)))
			return tx_end(st,
				      store_fail(st, STORE_ERR_SCHEMA_OLDER,
						 "the store has schema version %d, this smsctld "
						 "needs %d: run smsctld --migrate",
						 version, STORE_SCHEMA_VERSION));
		if (flags & STORE_OPEN_SECONDARY)
			return tx_end(st, store_fail(st, STORE_ERR_SCHEMA_OLDER,
						     "the store has no schema yet"));
		/* one migration, one transaction */
		const struct store_migration *next = NULL;
		for (const struct store_migration *p = m; p->sql; p++)
			if (p->version == version + 1)
				next = p;
		if (!next)
			return tx_end(st, store_fail(st, STORE_ERR_INTERNAL,
						     "no migration to version %d", version + 1));
		rc = st->drv->exec_text(st, next->sql);
		if (rc == 0)
			rc = SX(st, STMT_VERSION_ADD, NULL, NULL, V_INT(next->version),
				V_INT(store_now(st)));
		if (rc < 0) {
			char keep[sizeof(st->errmsg)];
			memcpy(keep, st->errmsg, sizeof(keep));
			store_fail(st, rc, "migration %s: %s", next->name, keep);
		}
		rc = tx_end(st, rc);
		if (rc < 0)
			return rc;
	}
}

int store_migrate_current(struct store *st)
{
	return migrate(st, STORE_OPEN_MIGRATE, STORE_SCHEMA_VERSION);
}

int store_open(const char *url, const char *node_id, unsigned flags, struct store **out,
	       char **errmsg)
{
	return store_open_version(url, node_id, flags, STORE_SCHEMA_VERSION, out, errmsg);
}

int store_open_version(const char *url, const char *node_id, unsigned flags, int target,
		       struct store **out, char **errmsg)
{
	struct store *st;
	int rc;

	if (out)
		*out = NULL;
	if (errmsg)
		*errmsg = NULL;
	if (!url || !out || !node_id || !*node_id) {
		if (errmsg)
			*errmsg = strdup("store URL and node id are required");
		return STORE_ERR_INVALID;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return STORE_ERR_NOMEM;
	st->node_id = strdup(node_id);
	st->flags = flags;
	st->clock = real_clock;
	if (!st->node_id) {
		free(st);
		return STORE_ERR_NOMEM;
	}
	if (strncmp(url, "sqlite://", 9) == 0) {
		rc = store_sqlite_open(st, url + 9, flags);
	} else if (strncmp(url, "sqlite:", 7) == 0) {
		rc = store_sqlite_open(st, url + 7, flags);
	} else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		rc = store_pg_open(st, url, flags);
	} else {
		rc = store_fail(st, STORE_ERR_INVALID,
				"store URL '%.200s': expected sqlite:///PATH or postgresql://...",
				url);
	}
	if (rc == 0)
		rc = migrate(st, flags, target);
	if (rc < 0) {
		if (errmsg)
			*errmsg = strdup(st->errmsg);
		store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->in_batch && st->drv)
		store_rollback(st);
	if (st->drv)
		st->drv->close(st);
	free(st->node_id);
	free(st);
}

void store_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
