/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CLI's JSON output on jansson (json.h): the writer's calls build a jansson value and
 * jansson writes it. Two guarantees are the CLI's own and kept here:
 * - every string is valid UTF-8: cli_json_text() turns each byte that does not start a valid
 *   sequence (as cli_utf8_len() decides) into U+FFFD before jansson sees it;
 * - what a terminal could take for a control stays escaped: the output passes through
 *   struct esc_filter, which writes DEL and U+FFFD as \u escapes and jansson's own \u
 *   escapes (controls) in lower case, as smsctl always printed them.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* json.h maps json_string and json_null to the writer's functions: here they are
 * jansson's, and the writer's are defined by their own names. */
#undef json_string
#undef json_null

static const char fffd[3] = {'\xef', '\xbf', '\xbd'};

json_t *cli_json_text(const char *s)
{
	if (!s)
		return NULL;
	size_t len = strlen(s), bad = 0;
	for (size_t i = 0; i < len;) {
		size_t n = cli_utf8_len(s + i);
		bad += n == 0;
		i += n ? n : 1;
	}
	if (bad == 0)
		return json_stringn(s, len);
	/* each bad byte (1 byte) becomes U+FFFD (3 bytes) */
	if (bad > (SIZE_MAX - len - 1) / 2)
		return NULL;
	char *t = malloc(len + 2 * bad + 1), *o = t;
	if (!t)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t n = cli_utf8_len(s + i);
		if (n == 0) {
			memcpy(o, fffd, sizeof(fffd));
			o += sizeof(fffd);
			i++;
		} else {
			memcpy(o, s + i, n);
			o += n;
			i += n;
		}
	}
	json_t *v = json_stringn(t, (size_t)(o - t));
	free(t);
	return v;
}

/* The rewriting of jansson's output on its way to the file (see the top): a small lexer
 * that knows whether it is inside a string and inside an escape, whatever the chunks. */
struct esc_filter {
	FILE *f;
	bool in_string;
	int after_backslash; /* 1: the escape's letter comes next; 2..5: hex digits of \u */
	int fffd_seen;	     /* bytes of U+FFFD matched so far, not yet written */
	bool failed;
	size_t n; /* bytes in out */
	char out[4096];
};

static void flush_out(struct esc_filter *e)
{
	if (e->n && fwrite(e->out, 1, e->n, e->f) != e->n)
		e->failed = true;
	e->n = 0;
}

static void put(struct esc_filter *e, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (e->n == sizeof(e->out))
			flush_out(e);
		e->out[e->n++] = s[i];
	}
}

static int esc_filter_cb(const char *buf, size_t size, void *data)
{
	struct esc_filter *e = data;
	for (size_t i = 0; i < size; i++) {
		char c = buf[i];
		if (e->fffd_seen) {
			if (c == fffd[e->fffd_seen]) {
				if (++e->fffd_seen == (int)sizeof(fffd)) {
					put(e, "\\ufffd", 6);
					e->fffd_seen = 0;
				}
				continue;
			}
			put(e, fffd, (size_t)e->fffd_seen);
			e->fffd_seen = 0;
		}
		if (!e->in_string) {
			e->in_string = c == '"';
			put(e, &c, 1);
		} else if (e->after_backslash == 1) {
			e->after_backslash = c == 'u' ? 2 : 0;
			put(e, &c, 1);
		} else if (e->after_backslash > 1) {
			if (c >= 'A' && c <= 'F')
				c = (char)(c - 'A' + 'a');
			e->after_backslash = e->after_backslash == 5 ? 0 : e->after_backslash + 1;
			put(e, &c, 1);
		} else if (c == '\\') {
			e->after_backslash = 1;
			put(e, &c, 1);
		} else if (c == '"') {
			e->in_string = false;
			put(e, &c, 1);
		} else if (c == '\x7f') {
			put(e, "\\u007f", 6);
		} else if (c == fffd[0]) {
			e->fffd_seen = 1;
		} else {
			put(e, &c, 1);
		}
	}
	return e->failed ? -1 : 0;
}

int cli_json_write(FILE *f, const json_t *v)
{
	struct esc_filter e = {.f = f};
	/* reals are only json_decimal1()'s: 15 digits print them as they were rounded */
	int rc = json_dump_callback(
	    v, esc_filter_cb, &e, JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	if (e.fffd_seen)
		put(&e, fffd, (size_t)e.fffd_seen);
	flush_out(&e);
	return rc == 0 && !e.failed ? 0 : -1;
}

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Put v (owned) where the writer is: under the pending key, at the end of the open array,
 * or, at the top level, written out at once. */
static void add(struct json *j, json_t *v)
{
	char *key = j->key;
	j->key = NULL;
	if (j->overflow) {
		json_decref(v);
	} else if (j->depth == 0) {
		if (v)
			cli_json_write(j->f, v);
		json_decref(v);
	} else if (json_is_object(j->stack[j->depth - 1])) {
		if (key)
			json_object_set_new(j->stack[j->depth - 1], key, v ? v : json_null());
		else
			json_decref(v);
	} else {
		json_array_append_new(j->stack[j->depth - 1], v ? v : json_null());
	}
	free(key);
}

static void open_(struct json *j, json_t *c)
{
	if (j->overflow || j->depth == (int)(sizeof(j->stack) / sizeof(j->stack[0]))) {
		j->overflow++;
		free(j->key);
		j->key = NULL;
		json_decref(c);
		return;
	}
	/* placed in its parent at once (the parent holds a reference), written at its close */
	if (!c)
		c = json_null();
	if (j->depth > 0)
		add(j, json_incref(c));
	else {
		free(j->key);
		j->key = NULL;
	}
	j->stack[j->depth++] = c;
}

static void close_(struct json *j)
{
	if (j->overflow) {
		j->overflow--;
		return;
	}
	if (j->depth == 0)
		return;
	json_t *c = j->stack[--j->depth];
	if (j->depth == 0)
		cli_json_write(j->f, c);
	json_decref(c);
}

void json_object_begin(struct json *j)
{
	open_(j, json_object());
}

void json_object_end(struct json *j)
{
	close_(j);
}

void json_array_begin(struct json *j)
{
	open_(j, json_array());
}

void json_array_end(struct json *j)
{
	close_(j);
}

void json_key(struct json *j, const char *key)
{
	free(j->key);
	/* keys are the CLI's own names; made valid UTF-8 all the same (jansson needs it) */
	json_t *k = cli_json_text(key);
	j->key = k ? strdup(json_string_value(k)) : NULL;
	json_decref(k);
}

void cli_json_string(struct json *j, const char *s)
{
	add(j, s ? cli_json_text(s) : json_null());
}

void json_int(struct json *j, long long v)
{
	add(j, json_integer(v));
}

void json_bool(struct json *j, bool v)
{
	add(j, json_boolean(v));
}

void cli_json_null(struct json *j)
{
	add(j, json_null());
}

void json_decimal1(struct json *j, double v)
{
	char buf[64];
	/* rounded as printf rounds "%.1f", then held as the double nearest that text */
	snprintf(buf, sizeof(buf), "%.1f", v);
	add(j, json_real(strtod(buf, NULL)));
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	cli_json_string(j, s);
}

void json_kv_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kv_int_or_null(struct json *j, const char *key, long long v, bool present)
{
	json_key(j, key);
	if (present)
		json_int(j, v);
	else
		cli_json_null(j);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_kv_null(struct json *j, const char *key)
{
	json_key(j, key);
	cli_json_null(j);
}

void json_end_line(struct json *j)
{
	j->overflow = 0;
	/* a value left open is closed and written (valid JSON), then the line ends */
	while (j->depth > 0)
		close_(j);
	free(j->key);
	j->key = NULL;
	fputc('\n', j->f);
	fflush(j->f);
}
