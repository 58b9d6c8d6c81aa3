/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to lib/parse-*.c: pattern tables compiled once, match helpers. */
#ifndef SMSCTL_PARSE_INTERNAL_H
#define SMSCTL_PARSE_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse/parse.h"

#define PARSE_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Longest line a parser looks at; longer input is a protocol error (a +COPS=? list of 32
 * networks in UCS2 is about 6 KiB). */
#define PARSE_LINE_MAX 8192

/* One pattern of a table: the source and its compiled form (set once by the table's init). */
struct parse_re {
	const char *src;
	uint32_t flags; /* extra PCRE2 compile options (PCRE2_CASELESS ...) */
	pcre2_code *code;
};

struct parse_table {
	pthread_once_t once;
	void (*init)(void);
	struct parse_re *re;
	size_t n;
	bool ok; /* every pattern compiled */
};

/* Define `static struct parse_table NAME` over the array NAME##_re. */
#define PARSE_TABLE(name)                                                                          \
	static void name##_init(void);                                                             \
	static struct parse_table name = {PTHREAD_ONCE_INIT, name##_init, name##_re,               \
					  PARSE_ARRAY_SIZE(name##_re), false};                     \
	static void name##_init(void)                                                              \
	{                                                                                          \
		parse_table_compile(&name);                                                        \
	}

void parse_table_compile(struct parse_table *t);

/* A match in progress: the trimmed subject and its match data. */
struct parse_match {
	const char *s; /* subject start (trimmed) */
	size_t len;
	const pcre2_code *code;
	pcre2_match_data *md;
	int index; /* pattern that matched, -1 when none */
};

/* Trim leading CR, LF, space, tab and trailing CR, LF (trailing spaces are kept: patterns say
 * whether they are allowed). Returns false for NULL, NUL bytes inside, or too long. */
bool parse_trim(const char *line, const char **s, size_t *len);

/*
 * Try the patterns of t from first to last (only those with bit i set in mask, all when mask
 * is 0) against the whole of s (anchored at both ends).
 * @return the index that matched (m filled; free with parse_match_end()), PARSE_NONE when none
 *         matched, SMSCTL_ERR_NOMEM, or SMSCTL_ERR_PROTOCOL when the table did not compile.
 */
int parse_match(struct parse_table *t, uint32_t mask, const char *s, size_t len,
		struct parse_match *m);
void parse_match_end(struct parse_match *m);

/* Group access; a group that does not exist in the pattern or did not take part is unset. */
bool pm_get(const struct parse_match *m, const char *name, const char **p, size_t *len);
bool pm_isset(const struct parse_match *m, const char *name);
/* Decimal, optional leading zeros; unset or empty -> PARSE_NONE. Error when > max. */
int pm_int(const struct parse_match *m, const char *name, int max, int *out);
/* Hexadecimal (surrounding spaces ignored); unset or empty -> PARSE_NONE. Error when > max. */
int pm_hex(const struct parse_match *m, const char *name, int64_t max, int64_t *out);
/* Copy a group; unset -> "". Error when it does not fit. */
int pm_str(const struct parse_match *m, const char *name, char *dst, size_t size);

/* Run a one-table parser: clear(out), trim, match, fill(match, out); on success *pattern is the
 * index that matched; on failure out is cleared again. */
typedef int (*parse_fill_fn)(const struct parse_match *m, void *out);
int parse_run(struct parse_table *t, const char *line, void *out, int *pattern, parse_fill_fn fill,
	      void (*clear)(void *));
/* The same over the patterns of mask only (0: all); when none of them matches and retry_mask is
 * not 0, the patterns of retry_mask are tried next. */
int parse_run_masked(struct parse_table *t, uint32_t mask, uint32_t retry_mask, const char *line,
		     void *out, int *pattern, parse_fill_fn fill, void (*clear)(void *));

/* Range list "0-3,5, 7" (no parentheses; spaces around numbers, '-' and ',') into a bit set of
 * n_words 64-bit words; values above max (< 64 * n_words) are an error. Empty: no bits, 0. */
int parse_range_set(const char *p, size_t len, int max, uint64_t *bits, size_t n_words);

/* Span helpers. */
int parse_dec_span(const char *p, size_t len, int max, int *out);
int parse_hex_span(const char *p, size_t len, int64_t max, int64_t *out);
int parse_copy_span(const char *p, size_t len, char *dst, size_t size);

#endif
