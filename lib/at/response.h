/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the answer to one command (struct smsctl_response, opaque to users; its getters
 * are the public <smsctl/modem.h> API). Built by the engine line by line (lib/at/response.c). */
#ifndef SMSCTL_AT_RESPONSE_H
#define SMSCTL_AT_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/modem.h>

struct smsctl_response {
	enum smsctl_result result;
	char *command; /* masked */
	char *final;
	int code;
	bool prompt_seen;
	size_t n_lines;
	size_t cap_lines;
	char **lines;
};

/* Free r and everything it holds. NULL allowed. */
void at_response_free(struct smsctl_response *r);
/* Append a copy of line: 0 or SMSCTL_ERR_NOMEM (r unchanged). */
int at_response_add_line(struct smsctl_response *r, const char *line);
/* A deep copy of a response (free with smsctl_response_free()), NULL without memory. */
struct smsctl_response *at_response_dup(const struct smsctl_response *r);

#endif
