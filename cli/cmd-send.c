/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl send NUMBER [TEXT | -]: send an SMS and say for certain whether it went out. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define PIN_MAX 16

static void send_usage(FILE *f)
{
	fputs(_("Usage: smsctl send [OPTIONS] NUMBER [TEXT | -]\n"
		"Send TEXT (or stdin, verbatim, when TEXT is '-' or missing) to NUMBER.\n"
		"NUMBER is '+' and digits (international) or digits (sent as typed).\n\n"
		"  -f, --flash               flash SMS (class 0): shown at once, not stored\n"
		"  -r, --report              request a delivery report\n"
		"  -w, --wait-report SECONDS wait up to SECONDS for the delivery report\n"
		"  -u, --ucs2                send as UCS-2 even when GSM 7-bit would do\n"
		"  -n, --retries N           retries of a part after a transient failure (default "
		"3)\n"
		"      --validity MINUTES    how long the network keeps trying (5 minutes to 63 "
		"weeks)\n"
		"  -s, --smsc NUMBER         use this SMS centre instead of the modem's\n"
		"  -j, --json                print {\"number\", \"parts\", \"report\", \"error\"}\n"
		"  -h, --help                show this help\n\n"
		"The SIM PIN, when needed, comes from $SMSCTL_PIN or --pin-file FILE.\n"
		"Exit status: 0 sent; 20 SIM problem; 21 no network; 30 rejected permanently;\n"
		"31 outcome unknown (do not resend blindly); 75 transient failure, nothing more\n"
		"was sent (retry later); 64 usage; 65 text that cannot be encoded; 10-13 port\n"
		"and modem errors.\n"),
	      f);
}

static bool parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* The contract's numbers: '+' and digits, or digits; 1 to 20 digits. */
static bool valid_number(const char *s)
{
	size_t n = 0;

	if (*s == '+')
		s++;
	for (; *s; s++, n++)
		if (*s < '0' || *s > '9')
			return false;
	return n > 0 && n <= 20;
}

static const char *report_name(enum smsctl_report_state s)
{
	switch (s) {
	case SMSCTL_REPORT_REQUESTED:
		return "requested";
	case SMSCTL_REPORT_PENDING:
		return "pending";
	case SMSCTL_REPORT_DELIVERED:
		return "delivered";
	case SMSCTL_REPORT_FAILED:
		return "failed";
	default:
		return NULL;
	}
}

static void print_json(const struct smsctl_send_result *res, const char *number, int rc)
{
	struct json j;
	size_t sent = smsctl_send_result_get_sent_parts(res);
	enum smsctl_report_state rs = smsctl_send_result_get_report_state(res);

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "number", number);
	json_key(&j, "parts");
	json_array_begin(&j);
	for (size_t i = 0; i < sent; i++) {
		int mr = smsctl_send_result_get_message_ref(res, i);
		json_object_begin(&j);
		json_kv_int_or_null(&j, "message_ref", mr, mr >= 0);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "report");
	if (!report_name(rs) || rc < 0) {
		json_null(&j);
	} else {
		json_object_begin(&j);
		json_kv_string(&j, "state", report_name(rs));
		json_key(&j, "parts");
		json_array_begin(&j);
		for (size_t i = 0; rs != SMSCTL_REPORT_REQUESTED && i < sent; i++) {
			int st = smsctl_send_result_get_report_status(res, i);
			int mr = smsctl_send_result_get_message_ref(res, i);
			json_object_begin(&j);
			json_kv_int_or_null(&j, "message_ref", mr, mr >= 0);
			json_kv_int_or_null(&j, "status", st, st >= 0);
			json_kv_string(&j, "meaning",
				       st >= 0 ? smsctl_pdu_status_describe(st) : NULL);
			json_kv_string(&j, "discharge_time",
				       smsctl_send_result_get_report_time(res, i));
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
	}
	json_key(&j, "error");
	if (rc == 0) {
		json_null(&j);
	} else {
		int code = smsctl_send_result_get_modem_error(res);
		json_object_begin(&j);
		json_kv_string(&j, "name", smsctl_error_name(rc));
		json_kv_int(&j, "exit_code", cli_exit_for_error(rc));
		json_kv_bool(&j, "transient", smsctl_send_result_get_transient(res));
		json_kv_string(
		    &j, "kind",
		    code < 0 ? NULL
			     : (smsctl_send_result_get_modem_error_is_cms(res) ? "cms" : "cme"));
		json_kv_int_or_null(&j, "code", code, code >= 0);
		json_kv_string(&j, "meaning", smsctl_send_result_get_modem_error_text(res));
		json_kv_string(&j, "final", smsctl_send_result_get_final(res));
		json_kv_string(&j, "message", smsctl_send_result_get_detail(res));
		json_kv_int(&j, "total_parts", (long long)smsctl_send_result_get_total_parts(res));
		json_object_end(&j);
	}
	json_object_end(&j);
	json_end_line(&j);
}

static void print_human(const struct cli *cli, const struct smsctl_send_result *res,
			const char *number)
{
	size_t sent = smsctl_send_result_get_sent_parts(res);
	enum smsctl_report_state rs = smsctl_send_result_get_report_state(res);
	const char *on = cli->color ? "\033[32m" : "", *off = cli->color ? "\033[0m" : "";

	printf(_("%sSent%s to %s: %zu part(s), message reference(s)"), on, off, number, sent);
	for (size_t i = 0; i < sent; i++) {
		int mr = smsctl_send_result_get_message_ref(res, i);
		if (mr >= 0)
			printf("%s %d", i ? "," : "", mr);
		else
			printf("%s ?", i ? "," : "");
	}
	putchar('\n');
	if (rs == SMSCTL_REPORT_REQUESTED) {
		printf("%s\n", _("Delivery report requested."));
	} else if (rs != SMSCTL_REPORT_NOT_REQUESTED) {
		const char *col = "";
		if (cli->color)
			col = rs == SMSCTL_REPORT_DELIVERED ? "\033[32m"
			      : rs == SMSCTL_REPORT_FAILED  ? "\033[31m"
							    : "\033[33m";
		printf(_("Delivery: %s%s%s"), col,
		       rs == SMSCTL_REPORT_DELIVERED ? _("delivered")
		       : rs == SMSCTL_REPORT_FAILED  ? _("failed")
						     : _("still pending"),
		       off);
		for (size_t i = 0; i < sent; i++) {
			int st = smsctl_send_result_get_report_status(res, i);
			if (st >= 0)
				printf(_("; part %zu: status %d (%s)"), i + 1, st,
				       smsctl_pdu_status_describe(st));
			else
				printf(_("; part %zu: no report yet"), i + 1);
		}
		putchar('\n');
	}
	fflush(stdout);
}

int cmd_send(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"flash", no_argument, NULL, 'f'},
	    {"report", no_argument, NULL, 'r'},
	    {"wait-report", required_argument, NULL, 'w'},
	    {"ucs2", no_argument, NULL, 'u'},
	    {"retries", required_argument, NULL, 'n'},
	    {"validity", required_argument, NULL, 1000},
	    {"smsc", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct smsctl_send_options *so = NULL;
	struct smsctl_send_result *res = NULL;
	struct smsctl_send_message *msg = NULL;
	struct smsctl_modem *m = NULL;
	char *text = NULL, pin[PIN_MAX] = "";
	bool flash = false, report = false, ucs2 = false;
	unsigned long wait = 0, retries = 3, validity = 0, v;
	const char *smsc = NULL;
	int c, rc, ex;

	while ((c = cli_getopt(cli, argc, argv, "frw:un:s:jh", opts, send_usage, &ex)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return ex;
		case 'f':
			flash = true;
			break;
		case 'r':
			report = true;
			break;
		case 'w':
			if (!parse_ulong(optarg, 86400, &v))
				return cli_usage_error(
				    cli, _("invalid --wait-report '%s' (seconds, 0 to 86400)"),
				    optarg);
			wait = v;
			break;
		case 'u':
			ucs2 = true;
			break;
		case 'n':
			if (!parse_ulong(optarg, 20, &v))
				return cli_usage_error(cli, _("invalid --retries '%s' (0 to 20)"),
						       optarg);
			retries = v;
			break;
		case 1000:
			if (!parse_ulong(optarg, 63ul * 7 * 24 * 60, &v) || v < 5)
				return cli_usage_error(
				    cli, _("invalid --validity '%s' (minutes, 5 to 635040)"),
				    optarg);
			validity = v;
			break;
		case 's':
			if (!valid_number(optarg))
				return cli_usage_error(
				    cli, _("invalid --smsc '%s' ('+' and digits, or digits)"),
				    optarg);
			smsc = optarg;
			break;
		case 'j':
			cli->json = true;
			break;
		}
	}
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (optind >= argc)
		return cli_usage_error(cli, "%s", _("missing NUMBER"));
	const char *number = argv[optind++];
	if (!valid_number(number))
		return cli_usage_error(
		    cli, _("invalid number '%s': use '+' and digits (international) or digits"),
		    number);
	if (argc - optind > 1)
		return cli_usage_error(
		    cli, "%s", _("too many arguments (quote the text, or give '-' for stdin)"));
	if (optind < argc && strcmp(argv[optind], "-") != 0) {
		text = strdup(argv[optind]);
	} else {
		text = cli_read_stdin();
		if (!text) {
			cli_err(cli, "%s",
				_("cannot read the text from stdin (or it holds a NUL byte)"));
			return EXIT_DATAERR;
		}
	}
	if (!text) {
		cli_err(cli, "%s", smsctl_strerror(SMSCTL_ERR_NOMEM));
		return EXIT_OTHER;
	}

	so = smsctl_send_options_new();
	if (!so) {
		ex = EXIT_OTHER;
		goto out;
	}
	smsctl_send_options_set_flash(so, flash);
	smsctl_send_options_set_ucs2(so, ucs2);
	smsctl_send_options_set_report(so, report);
	smsctl_send_options_set_wait_report(so, (unsigned)wait);
	smsctl_send_options_set_retries(so, (unsigned)retries);
	if (validity && smsctl_send_options_set_validity(so, validity) < 0) {
		ex = cli_usage_error(cli, _("invalid --validity '%lu'"), validity);
		goto out;
	}
	if (smsc && smsctl_send_options_set_smsc(so, smsc) < 0) {
		ex = cli_usage_error(cli, _("invalid --smsc '%s'"), smsc);
		goto out;
	}

	/* the text is encoded once, before the modem is touched; the send reuses it */
	rc = smsctl_send_message_new(number, text, so, &msg);
	if (rc == SMSCTL_ERR_INVALID || rc == SMSCTL_ERR_TOO_LONG) {
		cli_err(cli, "%s",
			rc == SMSCTL_ERR_TOO_LONG
			    ? _("the text is too long (more than 255 parts)")
			    : _("the text cannot be encoded (it is not valid UTF-8)"));
		ex = EXIT_DATAERR;
		goto out;
	}
	if (rc < 0) {
		cli_err(cli, "%s", smsctl_strerror(rc));
		ex = cli_exit_for_error(rc);
		goto out;
	}

	ex = cli_read_pin(cli, pin, sizeof(pin));
	if (ex != EXIT_OK)
		goto out;
	ex = cli_open_modem(cli, &m);
	if (ex != EXIT_OK)
		goto out;
	rc = smsctl_sms_prepare(m, pin[0] ? pin : NULL);
	explicit_bzero(pin, sizeof(pin));
	if (rc < 0) {
		const char *d = smsctl_sms_get_error_detail(m);
		if (!*d)
			d = smsctl_modem_get_error_detail(m);
		cli_err(cli, "%s", *d ? d : smsctl_strerror(rc));
		/* Decided on the SIM state, never on the (translated) words of the detail. */
		if (rc == SMSCTL_ERR_SIM && smsctl_sms_get_sim_state(m) == SMSCTL_SIM_STATE_PIN &&
		    !cli->pin_file && !getenv("SMSCTL_PIN"))
			fprintf(stderr, "%s\n",
				_("Give the PIN with SMSCTL_PIN=... or --pin-file FILE."));
		ex = cli_exit_for_error(rc);
		goto out;
	}
	rc = smsctl_sms_send_message(m, msg, &res);
	if (!res) {
		cli_err(cli, "%s", smsctl_strerror(rc));
		ex = cli_exit_for_error(rc);
		goto out;
	}
	if (cli->json)
		print_json(res, number, rc);
	if (rc < 0) {
		size_t sent = smsctl_send_result_get_sent_parts(res);
		const char *d = smsctl_send_result_get_detail(res);
		cli_err(cli, "%s", *d ? d : smsctl_strerror(rc));
		if (sent > 0)
			fprintf(stderr, _("%zu of %zu parts were sent before the failure.\n"), sent,
				smsctl_send_result_get_total_parts(res));
		if (rc == SMSCTL_ERR_UNKNOWN_OUTCOME)
			fputs(_("The message may have been sent: do not resend it blindly.\n"),
			      stderr);
		ex = rc == SMSCTL_ERR_INVALID || rc == SMSCTL_ERR_TOO_LONG ? EXIT_DATAERR
									   : cli_exit_for_error(rc);
		goto out;
	}
	if (!cli->json)
		print_human(cli, res, number);
	ex = EXIT_OK;
out:
	explicit_bzero(pin, sizeof(pin));
	smsctl_send_result_free(res);
	smsctl_send_message_free(msg);
	smsctl_send_options_free(so);
	smsctl_modem_free(m);
	free(text);
	return ex;
}
