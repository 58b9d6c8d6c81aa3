/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Command text: what the engine reads in the commands it is given. The response prefixes a
 * command expects (rule 3 of at/chat.c: "AT+CREG?" expects "+CREG:"), and the masking of PIN
 * and password arguments before a command reaches a trace or a response. Pure string
 * functions: no engine state. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "at/command.h"

/* Iterate the ';'-separated parts of a command after "AT", quotes respected. Returns the
 * length of the part starting at s. */
static size_t part_len(const char *s)
{
	bool quoted = false;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == ';' && !quoted)
			break;
	}
	return i;
}

static bool is_ext_symbol(char ch)
{
	return ch == '+' || ch == '^' || ch == '$' || ch == '%' || ch == '*' || ch == '#';
}

/* The upper-case name of the extended command a part starts with ("+CPIN"), "" if none. */
static size_t part_name(const char *part, size_t len, char *name, size_t size)
{
	size_t n = 0;

	name[0] = '\0';
	if (len == 0 || !is_ext_symbol(part[0]))
		return 0;
	name[n++] = part[0];
	for (size_t i = 1; i < len && n + 2 < size; i++) {
		char ch = part[i];
		if (!isalnum((unsigned char)ch) && ch != '_')
			break;
		name[n++] = (char)toupper((unsigned char)ch);
	}
	name[n] = '\0';
	return n > 1 ? n : 0;
}

const char *at_command_skip_at(const char *cmd)
{
	while (*cmd == ' ')
		cmd++;
	if ((cmd[0] == 'A' || cmd[0] == 'a') && (cmd[1] == 'T' || cmd[1] == 't'))
		return cmd + 2;
	return NULL;
}

size_t at_expected_prefixes(const char *cmd, char (*out)[AT_PREFIX_SIZE], size_t max)
{
	const char *p = at_command_skip_at(cmd);
	size_t n = 0;

	if (!p)
		return 0;
	while (*p && n < max) {
		size_t len = part_len(p);
		char name[31];
		size_t nl = part_name(p, len, name, sizeof(name));
		if (nl) {
			memcpy(out[n], name, nl);
			out[n][nl] = ':';
			out[n][nl + 1] = '\0';
			n++;
		}
		p += len;
		if (*p == ';')
			p++;
	}
	return n;
}

/* Which arguments (bit i: argument i) of a command carry a secret. */
static unsigned secret_args(const char *name)
{
	if (strcmp(name, "+CPIN") == 0 || strcmp(name, "+CPIN2") == 0 || strcmp(name, "^CPIN") == 0)
		return ~0u; /* <pin>[,<newpin>] */
	if (strcmp(name, "+CLCK") == 0)
		return 1u << 2; /* <fac>,<mode>[,<passwd>[,<class>]] */
	if (strcmp(name, "+CPWD") == 0)
		return (1u << 1) | (1u << 2); /* <fac>,<oldpwd>,<newpwd> */
	return 0;
}

static void out_append(char *out, size_t outlen, size_t *pos, const char *s, size_t n)
{
	for (size_t i = 0; i < n && *pos + 1 < outlen; i++)
		out[(*pos)++] = s[i];
	out[*pos] = '\0';
}

void at_mask_command(const char *cmd, char *out, size_t outlen)
{
	const char *p = at_command_skip_at(cmd);
	size_t pos = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (!p) {
		out_append(out, outlen, &pos, cmd, strlen(cmd));
		return;
	}
	out_append(out, outlen, &pos, cmd, (size_t)(p - cmd));
	while (*p) {
		size_t len = part_len(p);
		char name[31];
		size_t nl = part_name(p, len, name, sizeof(name));
		unsigned mask = nl ? secret_args(name) : 0;
		const char *eq = memchr(p, '=', len);

		if (!mask || !eq) {
			out_append(out, outlen, &pos, p, len);
		} else {
			/* the name and '=', then each argument, secret ones as "****" */
			size_t head = (size_t)(eq - p) + 1;
			out_append(out, outlen, &pos, p, head);
			const char *a = eq + 1, *end = p + len;
			unsigned idx = 0;
			while (a <= end) {
				const char *e = a;
				bool quoted = false;
				while (e < end && (quoted || *e != ',')) {
					if (*e == '"')
						quoted = !quoted;
					e++;
				}
				if (idx < 32 && (mask & (1u << idx)) && e > a &&
				    !(e - a == 1 && *a == '?')) {
					bool q = *a == '"';
					out_append(out, outlen, &pos, q ? "\"****\"" : "****",
						   q ? 6 : 4);
				} else {
					out_append(out, outlen, &pos, a, (size_t)(e - a));
				}
				if (e >= end)
					break;
				out_append(out, outlen, &pos, ",", 1);
				a = e + 1;
				idx++;
			}
		}
		p += len;
		if (*p == ';') {
			out_append(out, outlen, &pos, ";", 1);
			p++;
		}
	}
}
