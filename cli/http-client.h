/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CLI's client of smsctld's HTTP API (libcurl + jansson): one request, one JSON answer. */
#ifndef SMSCTL_CLI_HTTP_CLIENT_H
#define SMSCTL_CLI_HTTP_CLIENT_H

#include <stddef.h>

#include <jansson.h>

/* The default server: smsctld's Unix socket. */
#define CLI_DEFAULT_SERVER "unix:/run/smsctl/api.sock"

struct cli_http_reply {
	long status;  /* HTTP status */
	json_t *body; /* the parsed answer (owned; json_decref), NULL when not JSON */
};

/*
 * Send one request.
 * @param server "unix:/PATH" or "http://HOST:PORT" (a trailing '/' is fine).
 * @param token the Bearer token or NULL.
 * @param method "GET", "POST", "DELETE".
 * @param path "/v1/messages?state=queued" (already escaped).
 * @param body JSON text or NULL.
 * @param err receives why the daemon could not be reached.
 * @return 0 with out filled, -1 when the daemon was unreachable (err names the server).
 */
int cli_http_request(const char *server, const char *token, const char *method, const char *path,
		     const char *body, struct cli_http_reply *out, char *err, size_t errlen);
/* Escape a query value (new string, free()), NULL without memory. */
char *cli_http_escape(const char *s);

#endif
