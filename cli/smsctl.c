/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl: global options and the command table. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int cmd_help(struct cli *cli, int argc, char **argv);

/* The command table: one entry per command, in the order --help lists them. */
static const struct cli_command commands[] = {
    /* --- command table --- */
    {"at", cmd_at, N_("send raw AT commands and print the answers")},
    {"pdu", cmd_pdu, N_("decode or encode SMS PDUs (no modem needed)")},
    {"send", cmd_send, N_("send an SMS (and wait for its delivery report)")},
    {"info", cmd_info, N_("show the modem and SIM identity")},
    {"status", cmd_status, N_("show SIM, signal, registration, operator, SMSC and storage")},
    {"recv", cmd_recv, N_("print received messages (and wait for new ones)")},
    {"list", cmd_list, N_("list the messages stored on the modem")},
    {"read", cmd_read, N_("print one stored message")},
    {"delete", cmd_delete, N_("delete stored messages")},
    {"ports", cmd_ports, N_("list serial ports and find the modem's AT port")},
    {"diagnose", cmd_diagnose, N_("find out why SMS do not go out or come in")},
    {"queue", cmd_queue, N_("queue messages in smsctld and follow them")},
    {"inbox", cmd_inbox, N_("print the messages smsctld received")},
    {"optout", cmd_optout, N_("numbers smsctld does not send to")},
    {"webhooks", cmd_webhooks, N_("state and dead deliveries of smsctld's webhooks")},
    {"sim", cmd_sim, N_("serve simulated modems on pseudo-terminals or TCP ports")},
    {"modems", cmd_modems, N_("the modems of smsctld: state, limits, enable, disable, diagnose")},
    {"ussd", cmd_ussd, N_("send a USSD request (e.g. *100#) and print the answer")},
    {"balance", cmd_balance, N_("read the SIM's prepaid balance (USSD, or through smsctld)")},
    /* --- end command table --- */
    {"help", cmd_help, N_("show help for a command")},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_exit_codes(FILE *f)
{
	fputs(_("Exit status:\n"
		"   0  success\n"
		"   1  other failure (the message says what)\n"
		"  10  port cannot be opened: not found, not a tty, permission denied\n"
		"  11  port busy: locked by another process\n"
		"  12  modem not answering within --timeout\n"
		"  13  modem gone: unplugged or rebooted mid-command\n"
		"  20  SIM problem: absent, PIN or PUK required, blocked, failure\n"
		"  21  no network: no signal, not registered, searching, denied, data only\n"
		"  30  SMS rejected permanently by the modem or the network\n"
		"  31  outcome unknown: the PDU was handed over but no answer came\n"
		"  64  usage error\n"
		"  65  bad data (a PDU or input that cannot be decoded)\n"
		"  75  transient failure: nothing was sent, retry later\n"
		"diagnose exits 0 (ok/info), 1 (warning) or 2 (error); pdu uses 0, 64 and 65.\n"),
	      f);
}

static void usage(FILE *f)
{
	fputs(_("Usage: smsctl [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
		"Send, receive and diagnose SMS through a GSM/LTE modem.\n\n"
		"Global options:\n"
		"  -d, --device DEV      modem: /dev/ttyUSB2, tcp:HOST:PORT or "
		"sim:[PROFILE][?fault=...]\n"
		"                        (default: $SMSCTL_DEVICE)\n"
		"  -b, --baud N          serial speed (default 115200)\n"
		"  -t, --timeout SECONDS how long one response may take (default 10)\n"
		"      --pin-file FILE   read the SIM PIN from FILE (or set $SMSCTL_PIN)\n"
		"  -j, --json            print JSON on stdout\n"
		"  -v, --verbose         print the AT exchange on stderr (PIN masked)\n"
		"  -h, --help            show this help\n"
		"  -V, --version         show the tool and library versions\n\n"
		"Commands:\n"),
	      f);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
	fputs(_("\nRun 'smsctl COMMAND --help' for a command's options.\n\n"), f);
	print_exit_codes(f);
}

static void help_usage(FILE *f)
{
	fputs(_("Usage: smsctl help [COMMAND]\n"
		"Without COMMAND: the global options, the commands and the exit status.\n"
		"With COMMAND: that command's options, as 'smsctl COMMAND --help' shows them.\n"),
	      f);
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, ex;

	while ((c = cli_getopt(cli, argc, argv, "h", opts, help_usage, &ex)) != -1)
		if (c == CLI_OPT_EXIT)
			return ex;
	if (optind >= argc) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc - optind > 1)
		return cli_usage_error(cli, _("unexpected argument '%s'"), argv[optind + 1]);
	const struct cli_command *cmd = find_command(argv[optind]);
	if (!cmd)
		return cli_usage_error(cli, _("unknown command '%s'"), argv[optind]);
	if (cmd->run == cmd_help) {
		help_usage(stdout);
		return EXIT_OK;
	}
	char *args[] = {(char *)cmd->name, (char *)"--help", NULL};
	cli->command = cmd->name;
	optind = 0;
	return cmd->run(cli, 2, args);
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* The commands whose arguments hold a free text, which is never touched: `send NUMBER TEXT`,
 * `pdu encode NUMBER TEXT`. text_pos counts the positional arguments before TEXT (for `pdu`,
 * the subcommand is one); the options listed take a value (so their value is not counted). */
struct text_command {
	const char *name;
	const char *sub;
	int text_pos;
	const char *short_with_value;
	const char *const *long_with_value;
};

static const char *const send_long_values[] = {"wait-report", "retries",   "validity",
					       "smsc",	      "max-parts", NULL};
static const char *const pdu_long_values[] = {"smsc", "class", "validity", NULL};
static const char *const queue_long_values[] = {"pool", "modem", "at", "ttl", "key", NULL};
static const struct text_command text_commands[] = {
    {"send", NULL, 1, "wns", send_long_values},
    {"pdu", "encode", 2, "scV", pdu_long_values},
    {"queue", "submit", 2, "", queue_long_values},
};

static const struct text_command *find_text_command(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(text_commands) / sizeof(text_commands[0]); i++) {
		const struct text_command *t = &text_commands[i];
		if (strcmp(argv[0], t->name) != 0)
			continue;
		if (!t->sub)
			return t;
		/* the subcommand is the first argument that is not an option */
		for (int r = 1; r < argc; r++)
			if (argv[r][0] != '-' || !argv[r][1])
				return strcmp(argv[r], t->sub) == 0 ? t : NULL;
		return NULL;
	}
	return NULL;
}

/* Does the option argument `a` (not "--") take its value from the next argument? */
static bool takes_next_value(const struct text_command *t, const char *a)
{
	if (a[1] != '-') {
		/* -s VALUE, -rs VALUE; -sVALUE holds its value */
		for (const char *p = a + 1; *p; p++)
			if (strchr(t->short_with_value, *p))
				return !p[1];
		return false;
	}
	if (strchr(a, '='))
		return false;
	for (const char *const *l = t->long_with_value; *l; l++)
		if (strcmp(a + 2, *l) == 0)
			return true;
	return false;
}

/* Take --json / -j and -v / --verbose out of a command's arguments (they may follow the
 * command); stops at "--". Returns the new argc; argv is rewritten in place.
 *
 * `send NUMBER TEXT` and `pdu encode NUMBER TEXT` keep their TEXT verbatim even when it reads
 * "-v" or "--json": the argument in the TEXT's place is never an option ("--" there ends the
 * options and the next argument is the TEXT). Their arguments are put in the order the
 * command's parser reads, into *out (malloc'd, the caller frees it): the command (and the
 * subcommand), the options with their values, "--", the operands. So options may come before
 * the NUMBER or after the TEXT, and the TEXT is never read as one. */
static int strip_late_globals(struct cli *cli, int argc, char **argv, char ***out)
{
	const struct text_command *t = find_text_command(argc, argv);
	int w = 1;

	*out = NULL;
	if (!t) {
		for (int r = 1; r < argc; r++) {
			const char *a = argv[r];
			if (strcmp(a, "--") == 0) {
				while (r < argc)
					argv[w++] = argv[r++];
				break;
			}
			if (strcmp(a, "--json") == 0 || strcmp(a, "-j") == 0)
				cli->json = true;
			else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
				cli->verbose++;
			else
				argv[w++] = argv[r];
		}
		argv[w] = NULL;
		return w;
	}

	/* the command, options, "--", operands, NULL: at most argc + 2 */
	char **opt = malloc(sizeof(char *) * ((size_t)argc + 2));
	char **pos = malloc(sizeof(char *) * ((size_t)argc + 1));
	int no = 0, np = 0, positional = 0;
	bool ended = false, dangling = false;

	if (!opt || !pos) {
		free(opt);
		free(pos);
		return -1;
	}
	for (int r = 1; r < argc; r++) {
		const char *a = argv[r];

		if (!ended && positional == t->text_pos && strcmp(a, "--") == 0) {
			ended = true; /* the next argument is the TEXT */
			continue;
		}
		if (ended || positional == t->text_pos) {
			pos[np++] = argv[r]; /* an operand; the TEXT verbatim */
			positional++;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			ended = true;
		} else if (strcmp(a, "--json") == 0 || strcmp(a, "-j") == 0) {
			cli->json = true;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			cli->verbose++;
		} else if (a[0] == '-' && a[1]) {
			opt[no++] = argv[r];
			if (takes_next_value(t, a)) {
				if (r + 1 >= argc) {
					/* its value is missing: the parser says so, nothing else */
					opt[0] = argv[r];
					no = 1;
					dangling = true;
					break;
				}
				opt[no++] = argv[++r];
			}
		} else {
			pos[np++] = argv[r];
			positional++;
		}
	}
	char **v = malloc(sizeof(char *) * ((size_t)argc + 3));
	if (!v) {
		free(opt);
		free(pos);
		return -1;
	}
	int k = 0, p0 = 0;
	v[k++] = argv[0];
	if (t->sub && np > 0)
		v[k++] = pos[p0++]; /* the subcommand first: `pdu encode` */
	for (int i = 0; i < no; i++)
		v[k++] = opt[i];
	if (!dangling) {
		v[k++] = (char *)"--";
		for (int i = p0; i < np; i++)
			v[k++] = pos[i];
	}
	v[k] = NULL;
	free(opt);
	free(pos);
	*out = v;
	return k;
}

/* -h or --help among a command's options (before "--") */
static bool asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

static bool want_color(int fd)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (nc && *nc)
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fd);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"device", required_argument, NULL, 'd'},  {"baud", required_argument, NULL, 'b'},
	    {"timeout", required_argument, NULL, 't'}, {"pin-file", required_argument, NULL, 'P'},
	    {"server", required_argument, NULL, 'S'},  {"json", no_argument, NULL, 'j'},
	    {"verbose", no_argument, NULL, 'v'},       {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0},
	};
	struct cli cli = {
	    .command = NULL,
	    .timeout_s = 10,
	};
	unsigned long v;
	int c, ex;

	setlocale(LC_ALL, "");
#if ENABLE_NLS
	/* SMSCTL_LOCALEDIR: the catalogs of a build tree (tests, meson devenv). */
	const char *localedir = getenv("SMSCTL_LOCALEDIR");
	bindtextdomain(GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
#endif
	cli.color = want_color(STDOUT_FILENO);
	cli.color_err = want_color(STDERR_FILENO);

	while ((c = cli_getopt(&cli, argc, argv, "+d:b:t:jvhV", opts, usage, &ex)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return ex;
		case 'd':
			cli.device = optarg;
			break;
		case 'b':
			if (!parse_uint(optarg, 4000000, &v) || v == 0)
				return cli_usage_error(&cli, _("invalid --baud '%s'"), optarg);
			cli.baud = (unsigned)v;
			break;
		case 't':
			if (!parse_uint(optarg, 3600, &v) || v == 0)
				return cli_usage_error(
				    &cli, _("invalid --timeout '%s' (whole seconds, 1 to 3600)"),
				    optarg);
			cli.timeout_s = (unsigned)v;
			break;
		case 'P':
			cli.pin_file = optarg;
			break;
		case 'S':
			cli.server = optarg;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'v':
			cli.verbose++;
			break;
		case 'V':
			printf("smsctl %s (libsmsctl %s)\n", PACKAGE_VERSION, smsctl_version());
			return EXIT_OK;
		}
	}
	if (!cli.device) {
		const char *env = getenv("SMSCTL_DEVICE");
		if (env && *env)
			cli.device = env;
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}

	const struct cli_command *cmd = find_command(argv[optind]);
	if (!cmd)
		return cli_usage_error(&cli, _("unknown command '%s'"), argv[optind]);
	cli.command = cmd->name;

	int cargc = argc - optind;
	char **cargv = argv + optind, **reordered;
	cargc = strip_late_globals(&cli, cargc, cargv, &reordered);
	if (cargc < 0) {
		cli_err(&cli, "%s", smsctl_strerror(SMSCTL_ERR_NOMEM));
		return EXIT_OTHER;
	}
	/* diagnose reports a port it cannot open as a finding (exit 2); a sim: device string that
	 * cannot be read is a usage error (64) there as for every other command */
	if (cmd->run == cmd_diagnose && !asks_help(cargc, reordered ? reordered : cargv)) {
		ex = cli_check_sim_device(&cli);
		if (ex != EXIT_OK) {
			free(reordered);
			return ex;
		}
	}
	optind = 0; /* reset getopt for the command's own parser */
	ex = cmd->run(&cli, cargc, reordered ? reordered : cargv);
	free(reordered);
	return ex;
}
