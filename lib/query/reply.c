/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Raw replies: one command's answer copied into a bounded record (struct query_reply), the
 * evidence every query returns with its value and the diagnosis keeps for its findings.
 */
#include <stdio.h>
#include <string.h>

#include <smsctl/error.h>

#include "query/query.h"

size_t query_utf8_whole(const char *s, size_t n)
{
	size_t k = n, tail = 0, need;
	unsigned char lead;

	while (k > 0 && tail < 3 && ((unsigned char)s[k - 1] & 0xC0) == 0x80) {
		k--;
		tail++;
	}
	if (k == 0)
		return n;
	lead = (unsigned char)s[k - 1];
	if (lead < 0xC0 || lead > 0xF4)
		return n; /* ASCII, or bytes that are not UTF-8 */
	need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
	return tail < need ? k - 1 : n;
}

/* Copy, truncating to size (a line longer than the buffer is cut, never overflowed, and
 * never inside a UTF-8 character). */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	if (n && src[n])
		n = query_utf8_whole(src, n);
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void query_reply_init(struct query_reply *r, const char *command)
{
	r->asked = true;
	r->result = SMSCTL_RESULT_NONE;
	r->code = -1;
	copy_str(r->command, sizeof(r->command), command);
	r->final[0] = '\0';
	r->n_lines = 0;
}

void query_clean_line(const char *line, char *out, size_t size, struct query_noise *noise)
{
	size_t n = 0;

	for (const unsigned char *c = (const unsigned char *)line; *c; c++) {
		if (noise)
			noise->bytes++;
		if (*c >= 0x20 && *c < 0x7f) {
			if (n + 1 < size)
				out[n++] = (char)*c;
			continue;
		}
		if (!noise)
			continue;
		noise->bad++;
		size_t used = strlen(noise->sample);
		if (used + 5 < sizeof(noise->sample))
			snprintf(noise->sample + used, sizeof(noise->sample) - used, "\\x%02x", *c);
	}
	out[n] = '\0';
}

void query_reply_add_line(struct query_reply *r, const char *line)
{
	if (r->n_lines < QUERY_MAX_LINES)
		copy_str(r->lines[r->n_lines++], QUERY_LINE_MAX, line);
}

void query_record(struct query_reply *r, const char *command, const struct smsctl_response *resp,
		  struct query_noise *noise)
{
	query_reply_init(r, command);
	if (!resp) {
		r->result = SMSCTL_RESULT_GONE;
		return;
	}
	r->result = smsctl_response_get_result(resp);
	r->code = smsctl_response_get_error_code(resp);
	copy_str(r->final, sizeof(r->final), smsctl_response_get_final(resp));
	for (size_t i = 0; i < smsctl_response_get_line_count(resp); i++) {
		const char *line = smsctl_response_get_line(resp, i);
		if (!noise) {
			query_reply_add_line(r, line);
			continue;
		}
		char clean[QUERY_LINE_MAX];
		query_clean_line(line, clean, sizeof(clean), noise);
		query_reply_add_line(r, clean);
	}
}

const char *query_line(const struct query_reply *r, const char *prefix)
{
	if (!r || !r->asked)
		return NULL;
	for (size_t i = 0; i < r->n_lines; i++)
		if (parse_has_prefix(r->lines[i], prefix))
			return r->lines[i];
	return NULL;
}

int query_ask(struct smsctl_modem *m, const char *cmd, struct query_reply *r)
{
	struct smsctl_response *resp = NULL;
	int rc = smsctl_modem_command(m, cmd, 0, r ? &resp : NULL);

	if (r)
		query_record(r, cmd, resp, NULL);
	smsctl_response_free(resp);
	if (rc == 0)
		return 0;
	return query_fatal(rc) ? rc : 1;
}
