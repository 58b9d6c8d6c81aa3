/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Idempotency keys and opt-outs on POST /v1/messages (issue 16).
 *
 * The key (the `idempotency_key` field or the `Idempotency-Key` header: one thing, CONTRACTS)
 * is stored on every message of the request with the SHA-256 of the normalised request. A
 * request with a key still within [http] idempotency_retention of its messages is answered
 * from them: the same hash -> 200 with the stored messages and "duplicate": true, another
 * hash -> 409 idempotency_conflict. The lookup runs in the store thread in the same job as
 * the insert: the store thread runs one job at a time on one connection, so of two
 * concurrent requests with one key the second sees the first's rows (committed, or earlier
 * in the same batch) and becomes a replay answered once they are committed: one message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "api-ext.h"
#include "conf.h"
#include "store/store-api.h"

/* The submit fields and the value an absent or null one stands for (api.c's spec). */
static json_t *default_of(const char *name)
{
	if (strcmp(name, "priority") == 0)
		return json_integer(0);
	if (strcmp(name, "tags") == 0)
		return json_object();
	if (strcmp(name, "report") == 0 || strcmp(name, "flash") == 0 ||
	    strcmp(name, "at_least_once") == 0 || strcmp(name, "allow_duplicate") == 0)
		return json_false();
	return json_null();
}

static const char *const hashed_fields[] = {
    "text",  "pool",	 "modem",	  "priority",	     "not_before", "ttl", "report",
    "flash", "validity", "at_least_once", "allow_duplicate", "tags",	   NULL,
};

/* Durations are hashed as milliseconds, so "24h" and "1d" are one request. */
static json_t *normalised(json_t *body, const char *name)
{
	json_t *v = json_object_get(body, name);
	long long ms;

	if (!v || json_is_null(v))
		return default_of(name);
	if ((strcmp(name, "ttl") == 0 || strcmp(name, "validity") == 0) && json_is_string(v) &&
	    smsd_parse_duration(json_string_value(v), &ms) == 0)
		return json_integer(ms);
	if (strcmp(name, "not_before") == 0 && json_is_string(v)) {
		int64_t t = parse_rfc3339(json_string_value(v));
		if (t >= 0)
			return json_integer(t);
	}
	return json_incref(v);
}

int smsd_submit_prepare(struct smsd_submit_ext *x, json_t *body, const char *key,
			char *const *recipients, size_t n, int64_t now, long long retention_ms)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	json_t *c = json_object(), *to = json_array();
	char *text = NULL;
	int rc = -1;

	memset(x, 0, sizeof(*x));
	x->key = key;
	x->since = now - retention_ms;
	if (!c || !to)
		goto out;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(to, json_string(recipients[i]));
	json_object_set(c, "to", to);
	for (size_t i = 0; hashed_fields[i]; i++)
		json_object_set_new(c, hashed_fields[i], normalised(body, hashed_fields[i]));
	text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	if (!text || !EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL))
		goto out;
	for (unsigned int i = 0; i < mdlen && i < 32; i++)
		snprintf(x->hash + 2 * i, 3, "%02x", md[i]);
	rc = 0;
out:
	free(text);
	json_decref(to);
	json_decref(c);
	return rc;
}

int smsd_submit_check(struct store *st, struct smsd_submit_ext *x, char *const *recipients,
		      size_t n)
{
	int rc;

	x->outcome = SMSD_SUBMIT_NEW;
	if (x->key) {
		struct store_idem_row *rows = NULL;
		size_t nrows = 0;
		rc = store_idem_find(st, x->key, x->since, &rows, &nrows);
		if (rc < 0)
			return rc;
		if (nrows == 0)
			store_idem_free(rows, 0); /* the empty array is allocated too */
		if (nrows > 0) {
			bool same = true;
			for (size_t i = 0; i < nrows; i++)
				same &= rows[i].request_hash &&
					strcmp(rows[i].request_hash, x->hash) == 0;
			x->outcome = same ? SMSD_SUBMIT_REPLAY : SMSD_SUBMIT_CONFLICT;
			if (same) {
				x->ids = calloc(nrows, sizeof(*x->ids));
				if (!x->ids) {
					store_idem_free(rows, nrows);
					return STORE_ERR_NOMEM;
				}
				for (size_t i = 0; i < nrows; i++)
					memcpy(x->ids[i], rows[i].id, STORE_ID_SIZE);
				x->n_ids = nrows;
			}
			store_idem_free(rows, nrows);
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++) {
		rc = store_optout_check(st, recipients[i]);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			x->outcome = SMSD_SUBMIT_OPTED_OUT;
			x->opted_out = i + 1;
			return 0;
		}
	}
	return 0;
}

void smsd_submit_ext_clear(struct smsd_submit_ext *x)
{
	free(x->ids);
	x->ids = NULL;
	x->n_ids = 0;
}
