/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl pdu decode|encode: the PDU codec on the command line (no modem needed). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void pdu_usage(FILE *f)
{
	fputs(
	    _("Usage: smsctl pdu decode [--json] [--no-smsc] [HEX...]\n"
	      "       smsctl pdu encode [--json] [--smsc NUMBER] [--class N] [--report]\n"
	      "                         [--validity MINUTES] [--ucs2] [--16bit-ref] NUMBER [TEXT | "
	      "-]\n"
	      "\n"
	      "decode: decode SMS PDUs given as hex arguments, or one per line on stdin.\n"
	      "  -j, --json         one JSON object per PDU and line\n"
	      "  -n, --no-smsc      the PDUs are bare TPDUs without the SMSC prefix\n"
	      "encode: encode TEXT (or stdin with '-') as SMS-SUBMIT PDUs for AT+CMGS.\n"
	      "  NUMBER             +digits (international) or digits (sent as typed)\n"
	      "  -j, --json         print {\"pdus\": [{\"hex\", \"smsc_included\", "
	      "\"tpdu_length\"}]}\n"
	      "  -s, --smsc NUMBER  put this SMSC in front (default 00: the modem's stored one)\n"
	      "  -c, --class N      message class 0-3 (0 is a flash SMS)\n"
	      "  -r, --report       request a status report\n"
	      "  -V, --validity MIN relative validity in minutes (5 to 635040, rounded up)\n"
	      "  -u, --ucs2         force UCS-2 (default: GSM 7-bit when every character fits)\n"
	      "  -R, --16bit-ref    use the 16-bit concatenation reference\n"
	      "\n"
	      "Exit status: 0 success, 64 usage error, 65 a PDU or text that cannot be handled.\n"),
	    f);
}

static const char *coding_name(int dcs, enum smsctl_coding c)
{
	if (dcs < 0)
		return NULL;
	switch (c) {
	case SMSCTL_CODING_GSM7:
		return "gsm7";
	case SMSCTL_CODING_UCS2:
		return "ucs2";
	case SMSCTL_CODING_8BIT:
		return "8bit";
	default:
		return NULL;
	}
}

static const char *type_name(enum smsctl_pdu_type t)
{
	switch (t) {
	case SMSCTL_PDU_DELIVER:
		return "deliver";
	case SMSCTL_PDU_SUBMIT:
		return "submit";
	case SMSCTL_PDU_STATUS_REPORT:
		return "status-report";
	default:
		return "unknown";
	}
}

static const char *number_type_name(enum smsctl_number_type t)
{
	/* JSON values; the human output translates them (N_ marks them for the catalog). */
	static const char *const names[] = {
	    N_("unknown"),    N_("international"), N_("national"),    N_("network-specific"),
	    N_("subscriber"), N_("alphanumeric"),  N_("abbreviated"), N_("reserved"),
	};
	return (unsigned)t < 8 ? names[t] : "unknown";
}

static const char *validity_name(enum smsctl_validity_format v)
{
	switch (v) {
	case SMSCTL_VALIDITY_NONE:
		return N_("none");
	case SMSCTL_VALIDITY_RELATIVE:
		return N_("relative");
	case SMSCTL_VALIDITY_ABSOLUTE:
		return N_("absolute");
	case SMSCTL_VALIDITY_ENHANCED:
		return N_("enhanced");
	default:
		return N_("none");
	}
}

static char *to_hex(const uint8_t *d, size_t n)
{
	static const char xd[] = "0123456789abcdef";
	char *s = malloc(2 * n + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = xd[d[i] >> 4];
		s[2 * i + 1] = xd[d[i] & 15];
	}
	s[2 * n] = '\0';
	return s;
}

/* The 8-bit payload (or a compressed one) as hex; NULL when there is text. */
static char *payload_hex(const struct smsctl_pdu *p)
{
	size_t n;
	const uint8_t *d = smsctl_pdu_get_data(p, &n);

	if (smsctl_pdu_get_text(p) || smsctl_pdu_get_dcs(p) < 0)
		return NULL;
	return to_hex(d, n);
}

/* 8 or 16: the width of the concatenation reference (the first IEI 0 or 8 that the
 * decoder took). */
static int concat_ref_bits(const struct smsctl_pdu *p)
{
	for (size_t i = 0; i < smsctl_pdu_get_udh_count(p); i++) {
		const uint8_t *d;
		size_t n;
		int iei = smsctl_pdu_get_udh_ie(p, i, &d, &n);
		if ((iei == 0 && n == 3) || (iei == 8 && n == 4))
			return iei == 8 ? 16 : 8;
	}
	return 8;
}

static void print_json(struct json *j, const struct smsctl_pdu *p)
{
	enum smsctl_pdu_type t = smsctl_pdu_get_type(p);
	unsigned ref, total, seq;
	int v;

	json_object_begin(j);
	json_kv_string(j, "type", type_name(t));
	json_kv_string(j, "smsc", smsctl_pdu_get_smsc(p));
	json_kv_string(j, "number", smsctl_pdu_get_number(p));
	json_kv_string(j, "number_type", number_type_name(smsctl_pdu_get_number_type(p)));
	v = smsctl_pdu_get_pid(p);
	json_kv_int_or_null(j, "pid", v, v >= 0);
	v = smsctl_pdu_get_dcs(p);
	json_kv_int_or_null(j, "dcs", v, v >= 0);
	json_kv_string(j, "coding", coding_name(v, smsctl_pdu_get_coding(p)));
	v = smsctl_pdu_get_class(p);
	json_kv_int_or_null(j, "class", v, v >= 0);
	json_kv_string(j, "text", smsctl_pdu_get_text(p));
	char *hex = payload_hex(p);
	json_kv_string(j, "data_hex", hex);
	free(hex);
	json_key(j, "udh");
	json_array_begin(j);
	for (size_t i = 0; i < smsctl_pdu_get_udh_count(p); i++) {
		const uint8_t *d;
		size_t n;
		int iei = smsctl_pdu_get_udh_ie(p, i, &d, &n);
		json_object_begin(j);
		json_kv_int(j, "iei", iei);
		hex = to_hex(d, n);
		json_kv_string(j, "data_hex", hex ? hex : "");
		free(hex);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "concat");
	if (smsctl_pdu_get_concat(p, &ref, &total, &seq)) {
		json_object_begin(j);
		json_kv_int(j, "ref", ref);
		json_kv_int(j, "total", total);
		json_kv_int(j, "seq", seq);
		json_kv_int(j, "ref_bits", concat_ref_bits(p));
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_kv_string(j, "timestamp", smsctl_pdu_get_timestamp(p));
	if (t == SMSCTL_PDU_SUBMIT) {
		json_kv_string(j, "validity_format",
			       validity_name(smsctl_pdu_get_validity_format(p)));
		long m = smsctl_pdu_get_validity_minutes(p);
		json_kv_int_or_null(j, "validity_minutes", m, m >= 0);
	} else {
		json_kv_null(j, "validity_format");
		json_kv_null(j, "validity_minutes");
	}
	v = smsctl_pdu_get_message_ref(p);
	json_kv_int_or_null(j, "message_ref", v, v >= 0);
	json_kv_bool(j, "status_report_request", smsctl_pdu_get_status_report_request(p));
	v = smsctl_pdu_get_status(p);
	json_kv_int_or_null(j, "status", v, v >= 0);
	json_kv_string(j, "discharge_time", smsctl_pdu_get_discharge_time(p));
	json_object_end(j);
	json_end_line(j);
}

static void print_human(const struct smsctl_pdu *p)
{
	enum smsctl_pdu_type t = smsctl_pdu_get_type(p);
	unsigned ref, total, seq, dst, src;
	const char *s;
	int v;

	printf("%-14s %s\n", _("Type:"), type_name(t));
	if ((s = smsctl_pdu_get_smsc(p)))
		printf("%-14s %s\n", _("SMSC:"), s);
	char *number = cli_printable(smsctl_pdu_get_number(p)); /* an alphanumeric sender */
	printf("%-14s %s (%s)\n",
	       t == SMSCTL_PDU_DELIVER	? _("From:")
	       : t == SMSCTL_PDU_SUBMIT ? _("To:")
					: _("Recipient:"),
	       number ? number : "", _(number_type_name(smsctl_pdu_get_number_type(p))));
	free(number);
	if ((s = smsctl_pdu_get_timestamp(p)))
		printf("%-14s %s\n", _("Timestamp:"), s);
	if ((s = smsctl_pdu_get_discharge_time(p)))
		printf("%-14s %s\n", _("Discharged:"), s);
	if ((v = smsctl_pdu_get_status(p)) >= 0)
		printf("%-14s %d (%s)\n", _("Status:"), v, smsctl_pdu_status_describe(v));
	if ((v = smsctl_pdu_get_message_ref(p)) >= 0)
		printf("%-14s %d\n", _("Reference:"), v);
	if (smsctl_pdu_get_status_report_request(p))
		printf("%-14s %s\n", _("Report:"), _("requested"));
	if (t == SMSCTL_PDU_SUBMIT && smsctl_pdu_get_validity_format(p) != SMSCTL_VALIDITY_NONE) {
		long m = smsctl_pdu_get_validity_minutes(p);
		if (m >= 0)
			printf("%-14s %ld %s\n", _("Validity:"), m, _("minutes"));
		else
			printf("%-14s %s\n", _("Validity:"),
			       _(validity_name(smsctl_pdu_get_validity_format(p))));
	}
	if ((v = smsctl_pdu_get_dcs(p)) >= 0) {
		printf("%-14s %s (PID %d, DCS 0x%02X)\n", _("Coding:"),
		       coding_name(v, smsctl_pdu_get_coding(p)), smsctl_pdu_get_pid(p), v);
	}
	if ((v = smsctl_pdu_get_class(p)) >= 0)
		printf("%-14s %d\n", _("Class:"), v);
	if (smsctl_pdu_get_concat(p, &ref, &total, &seq))
		printf("%-14s %u/%u (%s %u)\n", _("Part:"), seq, total, _("reference"), ref);
	if (smsctl_pdu_get_ports(p, &dst, &src))
		printf("%-14s %u -> %u\n", _("Ports:"), src, dst);
	if ((s = smsctl_pdu_get_text(p))) {
		/* the sender's text never drives the terminal (ESC sequences, CR overwriting) */
		char *text = cli_printable(s);
		printf("%-14s %s\n", _("Text:"), text ? text : "");
		free(text);
	} else {
		char *hex = payload_hex(p);
		if (hex)
			printf("%-14s %s\n", _("Data:"), hex);
		free(hex);
	}
}

static int decode_one(struct cli *cli, struct json *j, const char *hex, bool smsc, bool first)
{
	struct smsctl_pdu *p;
	const char *reason;
	int err = smsctl_pdu_decode_hex(hex, smsc, &p, &reason);

	if (err) {
		fflush(stdout);
		cli_err(cli, _("cannot decode PDU %.40s%s: %s"), hex, strlen(hex) > 40 ? "..." : "",
			reason ? _(reason) : smsctl_strerror(err));
		return err == SMSCTL_ERR_BAD_PDU ? EXIT_DATAERR : cli_exit_for_error(err);
	}
	if (cli->json) {
		print_json(j, p);
	} else {
		if (!first)
			putchar('\n');
		print_human(p);
	}
	smsctl_pdu_free(p);
	return EXIT_OK;
}

static int cmd_decode(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"no-smsc", no_argument, NULL, 'n'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool smsc = true;
	struct json j;
	int c, ret = EXIT_OK, n = 0;

	optind = 0;
	while ((c = cli_getopt(cli, argc, argv, "njh", opts, pdu_usage, &ret)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return ret;
		case 'n':
			smsc = false;
			break;
		case 'j':
			cli->json = true;
			break;
		}
	}
	json_init(&j, stdout);
	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			int r = decode_one(cli, &j, argv[i], smsc, n++ == 0);
			if (r && !ret)
				ret = r;
		}
		return ret;
	}
	char *in = cli_read_stdin();
	if (!in) {
		cli_err(cli, "%s", _("cannot read stdin (or it holds a NUL byte)"));
		return EXIT_DATAERR;
	}
	for (char *line = in, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* trim spaces, tabs and a CR */
		while (*line == ' ' || *line == '\t')
			line++;
		size_t l = strlen(line);
		while (l && (line[l - 1] == '\r' || line[l - 1] == ' ' || line[l - 1] == '\t'))
			line[--l] = '\0';
		if (!l)
			continue;
		int r = decode_one(cli, &j, line, smsc, n++ == 0);
		if (r && !ret)
			ret = r;
	}
	free(in);
	if (n == 0)
		return cli_usage_error(cli, "%s", _("no PDU given"));
	return ret;
}

static bool parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int cmd_encode(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"smsc", required_argument, NULL, 's'},
	    {"class", required_argument, NULL, 'c'},
	    {"report", no_argument, NULL, 'r'},
	    {"validity", required_argument, NULL, 'V'},
	    {"ucs2", no_argument, NULL, 'u'},
	    {"16bit-ref", no_argument, NULL, 'R'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct smsctl_submit_options *o = smsctl_submit_options_new();
	struct smsctl_encoded *enc = NULL;
	char *stdin_text = NULL;
	unsigned long v;
	int c, ret = EXIT_OK, err;

	if (!o) {
		cli_err(cli, "%s", smsctl_strerror(SMSCTL_ERR_NOMEM));
		return EXIT_OTHER;
	}
	optind = 0;
	while ((c = cli_getopt(cli, argc, argv, "s:c:rV:uRjh", opts, pdu_usage, &ret)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			goto out; /* ret: help shown (0) or a usage error */
		case 's':
			if (smsctl_submit_options_set_smsc(o, optarg) < 0 || !*optarg) {
				ret = cli_usage_error(cli, _("invalid SMSC number '%s'"), optarg);
				goto out;
			}
			break;
		case 'c':
			if (!parse_ulong(optarg, 0, 3, &v)) {
				ret = cli_usage_error(cli, _("invalid --class '%s' (0 to 3)"),
						      optarg);
				goto out;
			}
			smsctl_submit_options_set_class(o, (int)v);
			break;
		case 'r':
			smsctl_submit_options_set_status_report(o, true);
			break;
		case 'V':
			if (!parse_ulong(optarg, 5, 635040, &v)) {
				ret = cli_usage_error(
				    cli, _("invalid --validity '%s' (minutes, 5 to 635040)"),
				    optarg);
				goto out;
			}
			smsctl_submit_options_set_validity(o, v);
			break;
		case 'u':
			smsctl_submit_options_set_coding(o, SMSCTL_CODING_UCS2);
			break;
		case 'R':
			smsctl_submit_options_set_16bit_ref(o, true);
			break;
		case 'j':
			cli->json = true;
			break;
		}
	}
	if (optind >= argc || argc - optind > 2) {
		ret = cli_usage_error(cli, "%s", _("expected NUMBER [TEXT | -]"));
		goto out;
	}
	const char *number = argv[optind];
	const char *text = optind + 1 < argc ? argv[optind + 1] : "-";
	if (strcmp(text, "-") == 0) {
		if (optind + 1 >= argc && isatty(STDIN_FILENO)) {
			ret = cli_usage_error(cli, "%s", _("expected NUMBER [TEXT | -]"));
			goto out;
		}
		stdin_text = cli_read_stdin();
		if (!stdin_text) {
			cli_err(cli, "%s",
				_("cannot read the text from stdin (or it holds a NUL byte)"));
			ret = EXIT_DATAERR;
			goto out;
		}
		text = stdin_text;
	}
	err = smsctl_pdu_encode_submit(number, "", NULL, &enc);
	smsctl_encoded_free(enc);
	enc = NULL;
	if (err == SMSCTL_ERR_INVALID) {
		ret = cli_usage_error(
		    cli, _("invalid number '%s' (+ and digits, or digits as the network expects)"),
		    number);
		goto out;
	}
	err = smsctl_pdu_encode_submit(number, text, o, &enc);
	if (err == SMSCTL_ERR_INVALID) {
		cli_err(cli, "%s", _("the text is not valid UTF-8"));
		ret = EXIT_DATAERR;
		goto out;
	}
	if (err == SMSCTL_ERR_TOO_LONG) {
		cli_err(cli, "%s", _("the text needs more than 255 parts"));
		ret = EXIT_DATAERR;
		goto out;
	}
	if (err) {
		cli_err(cli, "%s", smsctl_strerror(err));
		ret = cli_exit_for_error(err);
		goto out;
	}
	size_t n = smsctl_encoded_get_count(enc);
	if (cli->json) {
		struct json j;
		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "pdus");
		json_array_begin(&j);
		for (size_t i = 0; i < n; i++) {
			json_object_begin(&j);
			json_kv_string(&j, "hex", smsctl_encoded_get_hex(enc, i));
			json_kv_bool(&j, "smsc_included", true);
			json_kv_int(&j, "tpdu_length", smsctl_encoded_get_tpdu_length(enc, i));
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
		json_end_line(&j);
	} else {
		const char *cn =
		    smsctl_encoded_get_coding(enc) == SMSCTL_CODING_UCS2 ? "UCS-2" : "GSM 7-bit";
		for (size_t i = 0; i < n; i++) {
			printf(_("Part %zu of %zu (%s): AT+CMGS=%d\n"), i + 1, n, cn,
			       smsctl_encoded_get_tpdu_length(enc, i));
			printf("%s\n", smsctl_encoded_get_hex(enc, i));
		}
	}
out:
	smsctl_encoded_free(enc);
	free(stdin_text);
	smsctl_submit_options_free(o);
	return ret;
}

int cmd_pdu(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(cli, "%s", _("expected 'decode' or 'encode'"));
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		pdu_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "decode") == 0)
		return cmd_decode(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "encode") == 0)
		return cmd_encode(cli, argc - 1, argv + 1);
	return cli_usage_error(cli, _("unknown pdu command '%s' (decode or encode)"), argv[1]);
}
