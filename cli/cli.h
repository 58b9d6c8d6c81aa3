/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared state and helpers of the smsctl command-line tool. The tool uses only the public
 * API of libsmsctl. */
#ifndef SMSCTL_CLI_H
#define SMSCTL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <smsctl/smsctl.h>

#include "config.h"

#if ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) ((char *)(s))
#endif
#define N_(s) s

/* Exit codes: the contract in --help, README and smsctl(1). */
enum cli_exit {
	EXIT_OK = 0,
	EXIT_OTHER = 1,
	EXIT_PORT = 10,		   /* cannot open: not found, not a tty, permission */
	EXIT_PORT_BUSY = 11,	   /* locked by another process */
	EXIT_NO_ANSWER = 12,	   /* modem not answering within --timeout */
	EXIT_GONE = 13,		   /* unplugged or rebooted mid-command */
	EXIT_SIM = 20,		   /* SIM absent, PIN/PUK, blocked, failure */
	EXIT_NETWORK = 21,	   /* no signal, not registered, searching, denied, PS only */
	EXIT_REJECTED = 30,	   /* SMS rejected permanently */
	EXIT_UNKNOWN_OUTCOME = 31, /* handed over, no answer: may have been sent */
	EXIT_USAGE = 64,
	EXIT_DATAERR = 65,
	EXIT_TEMPFAIL = 75, /* transient, nothing sent: retry later */
};

struct cli {
	const char *command; /* the command being run, for messages */
	const char *device;  /* --device or SMSCTL_DEVICE, may be NULL */
	unsigned baud;	     /* 0: default */
	unsigned timeout_s;  /* --timeout, default 10 */
	bool json;
	int verbose;
	const char *pin_file; /* --pin-file */
	const char *server;   /* --server: smsctld's API (queue) */
	bool color;	      /* stdout is a terminal and NO_COLOR unset */
	bool color_err;	      /* the same for stderr */
	/* When set, the first message cli_err() / cli_usage_error() print is also kept here
	 * (for a command's JSON error object). Borrowed from the command. */
	char *errbuf;
	size_t errbuf_size;
	int open_error; /* the library error of cli_open_modem()'s last failure */
};

/* A command: parses its own options from argv[0] = command name. Returns an exit code. */
struct cli_command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary; /* N_() marked */
};

/* "smsctl: COMMAND: message\n" on stderr. */
void cli_err(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: message plus a hint to --help; returns EXIT_USAGE. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Usage error for getopt_long()'s answer c ('?' or ':', the optstring starting "+:"): a
 * missing value, a value given to a flag, an unknown option. Returns EXIT_USAGE. */
int cli_option_error(const struct cli *cli, int c, int argc, char **argv);
/*
 * The option parser every command uses: getopt_long() over argv with shortopts (without the
 * leading ":", which this adds: a missing value is told apart from an unknown option).
 * Options may follow operands (GNU permutation) and "--" ends them; shortopts starting with
 * "+" end the options at the first operand instead (the global options, before the command).
 * It handles what every command does alike:
 *   -h / --help       usage(stdout), *ex = EXIT_OK
 *   an unknown option, a missing value, a value given to a flag: the message of
 *                     cli_option_error(), *ex = EXIT_USAGE
 * and returns CLI_OPT_EXIT for them: the command returns *ex. Otherwise it returns the option
 * for the command's own switch (optarg set), or -1 after the last option (optind at the first
 * operand). Loop: while ((c = cli_getopt(...)) != -1) { switch (c) { case CLI_OPT_EXIT:
 * return ex; ... } }
 */
struct option;
#define CLI_OPT_EXIT (-2)
int cli_getopt(const struct cli *cli, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, void (*usage)(FILE *f), int *ex);
/* After the options of a command that takes no operands: EXIT_OK, or the usage error
 * "unexpected argument" for the first operand. */
int cli_no_operands(const struct cli *cli, int argc, char **argv);
/* A NUMBER operand (CONTRACTS: '+' and digits, or digits), at most this many digits. */
#define CLI_NUMBER_MAX_DIGITS 20
/* EXIT_OK for a valid number, else the usage error saying why (not digits; too long, naming
 * the limit). */
int cli_check_number(const struct cli *cli, const char *number);
/* The exit code for a library error (see the table in cli.h). */
int cli_exit_for_error(int err);
/* Open the device given by --device / SMSCTL_DEVICE, tracing to stderr with -v. On failure
 * prints the reason and returns its exit code; on success *out is the open modem. */
int cli_open_modem(struct cli *cli, struct smsctl_modem **out);
/* The start of a command whose only options are -j/--json and -h/--help and that takes no
 * operands (info, status): parses them, then cli_open_modem(). EXIT_OK with *out open; else
 * the exit code to return with *out NULL: EXIT_OK after --help, a usage error, or why the
 * port did not open. */
int cli_open_json_command(struct cli *cli, int argc, char **argv, void (*usage)(FILE *f),
			  struct smsctl_modem **out);
/* A read on the open modem m failed with rc: prints the modem's detail (rc's text when it
 * has none), frees m and returns the exit code for rc. */
int cli_modem_failed(struct cli *cli, struct smsctl_modem *m, int rc);
/* For a sim: device: EXIT_OK when its string is valid (or for any other device), else the
 * usage error naming what is wrong and the valid names (an unknown fault or key is the
 * user's mistake, not a port that cannot be opened). */
int cli_check_sim_device(struct cli *cli);
/* Read all of stdin verbatim into a NUL-terminated string; NULL on error or if it holds NUL. */
char *cli_read_stdin(void);
/* The same, reading at most max bytes: with more, NULL and *too_long set, without reading
 * (or keeping) the rest, so memory stays bounded whatever the pipe holds. */
char *cli_read_stdin_max(size_t max, bool *too_long);
/* The SIM PIN from --pin-file (its first line) or $SMSCTL_PIN, never from argv: 4 to 8 digits.
 * Returns EXIT_OK with pin[0] == '\0' when none was given, or EXIT_USAGE after saying why.
 * The caller wipes pin (explicit_bzero) once it was used. */
int cli_read_pin(const struct cli *cli, char *pin, size_t size);
/* Length of the valid UTF-8 sequence at s (1-4), 0 at the end or for a byte that does not
 * start one (overlong, surrogate, beyond U+10FFFF, cut short). */
size_t cli_utf8_len(const char *s);
/* Text from outside (an SMS, a modem's answer) made safe for a terminal, in a new string:
 * control characters other than newline and tab in caret notation (ESC is "^["), C1 controls
 * and bytes that are not UTF-8 as U+FFFD. NULL for NULL or when out of memory. */
char *cli_printable(const char *s);

/*
 * Field tables: what `info` and `status` print, declared once per field and rendered either
 * as JSON (one object, key by key, in table order) or for people. A field is a JSON key with
 * its value (a string, an integer, a number with one decimal, or null when absent) and its
 * human text; CLI_FIELD_BEGIN / CLI_FIELD_END open and close a nested JSON object (their key
 * names it; absent: null instead of the object, its fields skipped).
 */
enum cli_field_type {
	CLI_FIELD_STRING = 1, /* s; NULL is null */
	CLI_FIELD_INT,	      /* i; null unless present */
	CLI_FIELD_DECIMAL1,   /* d printed with one decimal; null unless present */
	CLI_FIELD_BEGIN,      /* a nested object (null unless present) */
	CLI_FIELD_END,
};
struct cli_field {
	const char *key; /* JSON key (a contract: never translated) */
	enum cli_field_type type;
	bool present;
	const char *s;
	long long i;
	double d;
	/* For people: the label (N_() marked; CLI_FIELDS_LABELLED) or the text as printed
	 * (CLI_FIELDS_LINE); NULL: not printed for people. */
	const char *human;
};
enum cli_fields_style {
	/* one "Label: value" line per field, "(unknown)" for a NULL string; strings from the
	 * modem made printable */
	CLI_FIELDS_LABELLED = 1,
	/* the human texts one after the other on one line (the caller formatted them) */
	CLI_FIELDS_LINE,
};
/* Print n fields to f: JSON when json, else for people in style. */
void cli_fields_print(FILE *f, const struct cli_field *fields, size_t n, bool json,
		      enum cli_fields_style style);

#include "json.h"

/* Commands (cli/cmd-*.c). Each file adds its entry to the table in smsctl.c. */
int cmd_pdu(struct cli *cli, int argc, char **argv);
int cmd_send(struct cli *cli, int argc, char **argv);
int cmd_info(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_recv(struct cli *cli, int argc, char **argv);
int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_read(struct cli *cli, int argc, char **argv);
int cmd_delete(struct cli *cli, int argc, char **argv);
int cmd_ports(struct cli *cli, int argc, char **argv);
int cmd_diagnose(struct cli *cli, int argc, char **argv);
int cmd_at(struct cli *cli, int argc, char **argv);
int cmd_queue(struct cli *cli, int argc, char **argv);
/* issue 16 */
int cmd_inbox(struct cli *cli, int argc, char **argv);
int cmd_optout(struct cli *cli, int argc, char **argv);
int cmd_webhooks(struct cli *cli, int argc, char **argv);
int cmd_sim(struct cli *cli, int argc, char **argv);
/* issue 15 */
int cmd_modems(struct cli *cli, int argc, char **argv);
/* issue 15: USSD and balance (cmd-ussd.c) */
int cmd_ussd(struct cli *cli, int argc, char **argv);
int cmd_balance(struct cli *cli, int argc, char **argv);

#endif
