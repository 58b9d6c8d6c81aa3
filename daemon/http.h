/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The HTTP server of smsctld: libmicrohttpd on every `[http] listen` address, a route table,
 * Bearer tokens on TCP, bodies bounded by max_body, JSON answers.
 *
 * Threads: handlers run in libmicrohttpd's thread pool; they must be thread-safe.
 */
#ifndef SMSD_HTTP_H
#define SMSD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct smsd_http;

/* One request as a handler sees it (borrowed for the call). */
struct smsd_request {
	const char *method;
	const char *path;
	const char *params[4]; /* the {…} segments of the route, in order */
	size_t n_params;
	const char *body; /* NUL-terminated, NULL when none */
	size_t body_len;
	const char *content_type;    /* NULL when none */
	const char *idempotency_key; /* the Idempotency-Key header, NULL when none */
	void *conn;		     /* libmicrohttpd's connection, for smsd_request_arg() */
	const char *token_name;	     /* who authenticated (NULL on the Unix socket) */
	/* ops (issue 17): for routes that authenticate themselves */
	bool is_unix;	   /* the request came over a Unix socket */
	const char *route; /* the matched pattern */
	struct smsd_http *server;
};

/* What a handler answers: status and a JSON body (owned by the reply), optional Retry-After. */
struct smsd_reply {
	int status;
	json_t *body;
	int retry_after; /* seconds, 0 for none */
	/* ops (issue 17): a non-JSON answer (owned, freed with free()) and extra headers */
	char *raw;
	size_t raw_len;
	const char *raw_type; /* Content-Type of raw */
	char location[128];   /* Location header when set */
	char cookie[256];     /* Set-Cookie header when set */
};

typedef void (*smsd_handler)(void *app, const struct smsd_request *req, struct smsd_reply *rep);

struct smsd_route {
	const char *method;  /* "GET", "POST", "DELETE" */
	const char *pattern; /* "/v1/messages/{id}" */
	smsd_handler fn;
	bool public_route; /* no token needed (healthz, readyz); the handler sees token_name
			      when one was given (ops, issue 17: /metrics, the status page) */
};

struct smsd_http_config {
	char *const *listen; /* addresses as in the config */
	size_t n_listen;
	const char *tokens_file; /* NULL: TCP requests that need a token get 401 */
	long long max_body;
	unsigned threads;
	const struct smsd_route *routes;
	size_t n_routes;
	void *app;
	/* ops (issue 17): called after each answer (route pattern or NULL, status, seconds) */
	void (*observe)(void *app, const char *route, int status, double seconds);
};

/* Whether auth ("Bearer TOKEN") names a known token (ops, issue 17: POST /login). */
bool smsd_http_token_valid(const struct smsd_request *req, const char *auth);
/* A request header, NULL when absent (ops, issue 17). */
const char *smsd_request_header(const struct smsd_request *req, const char *name);

/* A query-string argument of the request, NULL when absent. */
const char *smsd_request_arg(const struct smsd_request *req, const char *name);

/* issue 16: the language of error messages, [daemon] language ("en" or "zh_CN"); any thread. */
void smsd_http_set_language(const char *language);

/* Fill rep with {"error": {"code", "message", "field"}}. field may be NULL. The message is
 * translated into the language set by smsd_http_set_language() (fmt is the msgid). */
void smsd_reply_error(struct smsd_reply *rep, int status, const char *code, const char *field,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Read the tokens file (NAME:TOKEN per line; refused when readable by others).
 * @return 0 or -1 with err set. Exposed for --check-config. */
int smsd_http_check_tokens(const char *path, char *err, size_t errlen);

/* Bind every listener and start serving. @return the server, or NULL with err set. */
struct smsd_http *smsd_http_start(const struct smsd_http_config *cfg, char *err, size_t errlen);
/* Stop serving, close the sockets, remove the Unix sockets it created; NULL allowed. */
void smsd_http_stop(struct smsd_http *h);

#endif
