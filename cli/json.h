/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CLI's JSON output (cli/json.c, on jansson). Included by cli.h. */
#ifndef SMSCTL_CLI_JSON_H
#define SMSCTL_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * jansson helpers every command may use (cli/json.c), with or without the writer below:
 * cli_json_text() makes a jansson string of text from outside (a modem's answer, an SMS):
 * NULL for NULL or without memory; bytes that are not UTF-8 become U+FFFD. cli_json_write()
 * writes any value to f as the writer does (keys in order, ", " and ": ", control characters,
 * DEL and U+FFFD escaped), without a newline; -1 without memory or on a write error.
 */
struct json_t;
struct json_t *cli_json_text(const char *s);
int cli_json_write(FILE *f, const struct json_t *v);

#ifndef CLI_NO_JSON_WRITER
/*
 * The CLI's JSON output, built on jansson (cli/json.c): the calls below describe one value
 * key by key; jansson holds it and writes it when its top-level container closes, with the
 * keys in the order given, ", " and ": " as separators (one line per value). Every string
 * is made valid UTF-8 first: a byte that does not start a valid UTF-8 sequence (a modem's
 * Latin-1 or line noise; overlong forms, surrogates, beyond U+10FFFF, cut short) becomes
 * U+FFFD, written "\ufffd"; control characters and DEL are written "\u00xx" (or \n, \t...).
 * Keys are written as given: a contract, never translated.
 * jansson has functions named json_string and json_null: the writer's keep other symbols, so
 * a file that uses jansson directly defines CLI_NO_JSON_WRITER before including cli.h.
 */
#define json_string cli_json_string
#define json_null   cli_json_null
struct json {
	FILE *f;
	struct json_t *stack[32]; /* the open containers, outermost first (owned) */
	int depth;		  /* how many are open */
	int overflow;		  /* containers opened beyond the stack: ignored */
	char *key;		  /* the key waiting for its value (owned) */
};
void json_init(struct json *j, FILE *f);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s); /* NULL writes null */
void json_int(struct json *j, long long v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
void json_decimal1(struct json *j, double v); /* a number written with one decimal */
/* key + value shorthands */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, long long v);
void json_kv_int_or_null(struct json *j, const char *key, long long v, bool present);
void json_kv_bool(struct json *j, const char *key, bool v);
void json_kv_null(struct json *j, const char *key);
/* End one top-level value with a newline and flush (a container still open is closed and
 * written first); the writer is then ready for the next value and holds no memory. */
void json_end_line(struct json *j);
#endif

#endif
