/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The answer to one command: built by the engine, read through the public getters. */
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>

#include "at/response.h"

void at_response_free(struct smsctl_response *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_lines; i++)
		free(r->lines[i]);
	free(r->lines);
	free(r->command);
	free(r->final);
	free(r);
}

int at_response_add_line(struct smsctl_response *r, const char *line)
{
	if (r->n_lines == r->cap_lines) {
		size_t cap = r->cap_lines ? r->cap_lines * 2 : 8;
		char **l = realloc(r->lines, cap * sizeof(*l));
		if (!l)
			return SMSCTL_ERR_NOMEM;
		r->lines = l;
		r->cap_lines = cap;
	}
	char *copy = strdup(line);
	if (!copy)
		return SMSCTL_ERR_NOMEM;
	r->lines[r->n_lines++] = copy;
	return 0;
}

SMSCTL_API void smsctl_response_free(struct smsctl_response *resp)
{
	at_response_free(resp);
}

SMSCTL_API enum smsctl_result smsctl_response_get_result(const struct smsctl_response *resp)
{
	return resp ? resp->result : SMSCTL_RESULT_NONE;
}

SMSCTL_API const char *smsctl_response_get_command(const struct smsctl_response *resp)
{
	return resp && resp->command ? resp->command : "";
}

SMSCTL_API const char *smsctl_response_get_final(const struct smsctl_response *resp)
{
	return resp && resp->final ? resp->final : "";
}

SMSCTL_API int smsctl_response_get_error_code(const struct smsctl_response *resp)
{
	return resp ? resp->code : -1;
}

SMSCTL_API size_t smsctl_response_get_line_count(const struct smsctl_response *resp)
{
	return resp ? resp->n_lines : 0;
}

SMSCTL_API const char *smsctl_response_get_line(const struct smsctl_response *resp, size_t i)
{
	if (!resp || i >= resp->n_lines)
		return NULL;
	return resp->lines[i];
}

SMSCTL_API bool smsctl_response_get_prompt_seen(const struct smsctl_response *resp)
{
	return resp && resp->prompt_seen;
}

struct smsctl_response *at_response_dup(const struct smsctl_response *r)
{
	struct smsctl_response *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->result = r->result;
	d->code = r->code;
	d->prompt_seen = r->prompt_seen;
	d->command = strdup(r->command ? r->command : "");
	d->final = strdup(r->final ? r->final : "");
	if (!d->command || !d->final)
		goto fail;
	for (size_t i = 0; i < r->n_lines; i++)
		if (at_response_add_line(d, r->lines[i]) < 0)
			goto fail;
	return d;
fail:
	at_response_free(d);
	return NULL;
}
