/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the commands that talk to smsctld share (cmd-queue.c defines them): one request to
 * the daemon named by --server / SMSCTL_SERVER (token from SMSCTL_TOKEN), with the daemon's
 * error printed and mapped to the exit codes (0, 64, 65 refused input, 69 unreachable,
 * 77 unauthorized, 1 other).
 */
#ifndef SMSCTL_CLI_API_CLIENT_H
#define SMSCTL_CLI_API_CLIENT_H

#include "cli.h"
#include "http-client.h"

#define EXIT_UNAVAILABLE 69
#define EXIT_NOPERM	 77

/* @return EXIT_OK with r->body set (json_decref it), or the exit code after saying why. */
int cli_api_request(const struct cli *cli, const char *method, const char *path, const char *body,
		    struct cli_http_reply *r);
/* The string member @p key of @p o, or "-" when absent or not a string. */
const char *cli_api_str(json_t *o, const char *key);
/* One compact JSON object and a newline on stdout. */
void cli_api_print_json(json_t *o);

#endif
