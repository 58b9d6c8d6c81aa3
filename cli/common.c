/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

__attribute__((format(printf, 2, 0))) static void vreport(const struct cli *cli, const char *fmt,
							  va_list ap)
{
	fputs("smsctl: ", stderr);
	if (cli && cli->command)
		fprintf(stderr, "%s: ", cli->command);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_err(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(cli, fmt, ap);
	va_end(ap);
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(cli, fmt, ap);
	va_end(ap);
	if (cli && cli->command)
		fprintf(stderr, _("Try 'smsctl %s --help'.\n"), cli->command);
	else
		fputs(_("Try 'smsctl --help'.\n"), stderr);
	return EXIT_USAGE;
}

int cli_exit_for_error(int err)
{
	switch (err) {
	case SMSCTL_OK:
		return EXIT_OK;
	case SMSCTL_ERR_INVALID:
		return EXIT_USAGE;
	case SMSCTL_ERR_BAD_PDU:
		return EXIT_DATAERR;
	case SMSCTL_ERR_NOT_FOUND:
	case SMSCTL_ERR_PERMISSION:
	case SMSCTL_ERR_NOT_TTY:
		return EXIT_PORT;
	case SMSCTL_ERR_BUSY:
		return EXIT_PORT_BUSY;
	case SMSCTL_ERR_TIMEOUT:
		return EXIT_NO_ANSWER;
	case SMSCTL_ERR_GONE:
		return EXIT_GONE;
	case SMSCTL_ERR_SIM:
		return EXIT_SIM;
	case SMSCTL_ERR_NETWORK:
		return EXIT_NETWORK;
	case SMSCTL_ERR_REJECTED:
		return EXIT_REJECTED;
	case SMSCTL_ERR_UNKNOWN_OUTCOME:
		return EXIT_UNKNOWN_OUTCOME;
	case SMSCTL_ERR_TRANSIENT:
		return EXIT_TEMPFAIL;
	default:
		return EXIT_OTHER;
	}
}

char *cli_read_stdin(void)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	for (;;) {
		if (len + 1 >= cap) {
			if (cap > (64u << 20)) { /* 64 MiB: far beyond 255 parts */
				free(buf);
				return NULL;
			}
			char *n = realloc(buf, cap * 2);
			if (!n) {
				free(buf);
				return NULL;
			}
			buf = n;
			cap *= 2;
		}
		size_t r = fread(buf + len, 1, cap - len - 1, stdin);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(stdin) || memchr(buf, '\0', len)) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}
