/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pin.h"

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

size_t cli_utf8_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	size_t n;

	if (p[0] < 0x80)
		return p[0] ? 1 : 0;
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		cp = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		cp = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

char *cli_printable(const char *s)
{
	if (!s)
		return NULL;
	/* at most 3 output bytes per input byte (U+FFFD for one bad byte) */
	size_t len = strlen(s);
	char *out = malloc(len * 3 + 1), *w = out;

	if (!out)
		return NULL;
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t n = cli_utf8_len(s);

		if (n == 0) {
			memcpy(w, "\xEF\xBF\xBD", 3); /* not UTF-8: U+FFFD */
			w += 3;
			s++;
		} else if (n == 1 && ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)) {
			*w++ = '^'; /* a control character: caret notation, as cat -v shows it */
			*w++ = c == 0x7F ? '?' : (char)(c + 0x40);
			s++;
		} else if (n == 2 && c == 0xC2 && (unsigned char)s[1] < 0xA0) {
			memcpy(w, "\xEF\xBF\xBD", 3); /* a C1 control (U+0080-U+009F) */
			w += 3;
			s += 2;
		} else {
			memcpy(w, s, n);
			w += n;
			s += n;
		}
	}
	*w = '\0';
	return out;
}

int cli_option_error(const struct cli *cli, int c, int argc, char **argv)
{
	/* the argument getopt was reading: it has moved past it (or stays on it mid-group) */
	const char *tok = optind > 0 && optind <= argc ? argv[optind - 1] : NULL;
	char name[64];

	if (tok && strncmp(tok, "--", 2) == 0) {
		size_t n = strcspn(tok, "=");
		snprintf(name, sizeof(name), "%.*s", (int)(n < 60 ? n : 60), tok);
		if (c == ':')
			return cli_usage_error(cli, _("option '%s' needs a value"), name);
		if (optopt && tok[n] == '=')
			return cli_usage_error(cli, _("option '%s' takes no value"), name);
		return cli_usage_error(cli, _("unknown option '%s'"), tok);
	}
	if (c == ':')
		return cli_usage_error(cli, _("option '-%c' needs a value"), optopt);
	if (optopt)
		return cli_usage_error(cli, _("unknown option '-%c'"), optopt);
	return cli_usage_error(cli, _("unknown option '%s'"), tok ? tok : "?");
}

int cli_getopt(const struct cli *cli, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, void (*usage)(FILE *f), int *ex)
{
	char spec[64];
	int c;

	snprintf(spec, sizeof(spec), "+:%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, spec, longopts, NULL);
	if (c == 'h' && usage) {
		usage(stdout);
		*ex = EXIT_OK;
		return CLI_OPT_EXIT;
	}
	if (c == '?' || c == ':') {
		*ex = cli_option_error(cli, c, argc, argv);
		return CLI_OPT_EXIT;
	}
	return c;
}

int cli_no_operands(const struct cli *cli, int argc, char **argv)
{
	if (optind < argc)
		return cli_usage_error(cli, _("unexpected argument '%s'"), argv[optind]);
	return EXIT_OK;
}

int cli_read_pin(const struct cli *cli, char *pin, size_t size)
{
	const char *env = getenv("SMSCTL_PIN");
	char buf[CLI_PIN_TEXT_MAX] = "";
	bool first_line = false;
	size_t n;

	pin[0] = '\0';
	if (cli->pin_file) {
		FILE *f = fopen(cli->pin_file, "re");
		if (!f) {
			cli_err(cli, _("cannot read the PIN file '%s': %s"), cli->pin_file,
				strerror(errno));
			return EXIT_USAGE;
		}
		n = fread(buf, 1, sizeof(buf) - 1, f);
		int read_errno = ferror(f) ? errno : 0;
		fclose(f);
		if (read_errno) { /* e.g. a directory */
			explicit_bzero(buf, sizeof(buf));
			cli_err(cli, _("cannot read the PIN file '%s': %s"), cli->pin_file,
				strerror(read_errno));
			return EXIT_USAGE;
		}
		buf[n] = '\0';
		first_line = true;
	} else if (env && *env) {
		snprintf(buf, sizeof(buf), "%s", env);
	} else {
		return 0;
	}
	int rc = cli_pin_parse(buf, first_line, pin, size);
	explicit_bzero(buf, sizeof(buf));
	if (rc < 0) {
		cli_err(cli, "%s", _("the PIN must be 4 to 8 digits"));
		return EXIT_USAGE;
	}
	return 0;
}
