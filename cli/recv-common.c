/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the receive-side commands: opening a ready modem, errors, and the
 * rendering of one stored message as text or JSON. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "recv-common.h"

int recv_fail(struct cli *cli, struct smsctl_modem *m, int err, const char *what)
{
	const char *detail = m ? smsctl_modem_get_error_detail(m) : "";

	if (detail && *detail)
		cli_err(cli, "%s: %s (%s)", what, smsctl_strerror(err), detail);
	else
		cli_err(cli, "%s: %s", what, smsctl_strerror(err));
	return cli_exit_for_error(err);
}

int recv_open_prepared(struct cli *cli, struct smsctl_modem **out)
{
	struct smsctl_modem *m = NULL;
	char pin[32];
	int rc, r;

	*out = NULL;
	rc = cli_read_pin(cli, pin, sizeof(pin));
	if (rc != EXIT_OK)
		return rc;
	rc = cli_open_modem(cli, &m);
	if (rc != EXIT_OK) {
		memset(pin, 0, sizeof(pin));
		return rc;
	}
	r = smsctl_sms_prepare(m, pin[0] ? pin : NULL);
	memset(pin, 0, sizeof(pin));
	if (r < 0) {
		rc = recv_fail(cli, m, r, _("the modem is not ready"));
		smsctl_modem_free(m);
		return rc;
	}
	*out = m;
	return EXIT_OK;
}

bool recv_storage_arg(char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 7)
		return false;
	for (size_t i = 0; i < n; i++) {
		s[i] = (char)toupper((unsigned char)s[i]);
		if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	}
	return true;
}

bool recv_parse_index(const char *s, int *out)
{
	char *end;
	long v;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 65535)
		return false;
	*out = (int)v;
	return true;
}

int recv_opt_storage(struct cli *cli, char **storage, char *arg)
{
	*storage = arg;
	if (!recv_storage_arg(arg))
		return cli_usage_error(cli, _("invalid --storage '%s'"), arg);
	return EXIT_OK;
}

int recv_operand_index(struct cli *cli, int argc, char **argv, const char *missing, int *index)
{
	if (optind >= argc)
		return cli_usage_error(cli, "%s", missing);
	if (!recv_parse_index(argv[optind], index))
		return cli_usage_error(cli, _("invalid INDEX '%s'"), argv[optind]);
	if (optind + 1 < argc)
		return cli_usage_error(cli, _("unexpected argument '%s'"), argv[optind + 1]);
	return EXIT_OK;
}

bool recv_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || *s == '-' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int recv_index_fail(struct cli *cli, struct smsctl_modem *m, int err, int index, const char *what)
{
	if (err == SMSCTL_ERR_NOT_FOUND) {
		cli_err(cli, _("no message at index %d"), index);
		return EXIT_OTHER;
	}
	return recv_fail(cli, m, err, what);
}

void recv_output_stored(const struct cli *cli, const struct smsctl_stored *s)
{
	if (cli->json) {
		struct json j;

		json_init(&j, stdout);
		recv_json_stored(&j, s);
		json_end_line(&j);
	} else {
		recv_print_stored(cli, stdout, s, false);
	}
}

int recv_flush_output(struct cli *cli, int rc)
{
	if (fflush(stdout) != 0) {
		cli_err(cli, "%s", _("cannot write the output"));
		return EXIT_OTHER;
	}
	return rc;
}

const char *recv_coding_name(enum smsctl_coding c)
{
	switch (c) {
	case SMSCTL_CODING_GSM7:
		return "gsm7";
	case SMSCTL_CODING_8BIT:
		return "8bit";
	case SMSCTL_CODING_UCS2:
		return "ucs2";
	default:
		return NULL;
	}
}

const char *recv_type_name(enum smsctl_pdu_type t)
{
	switch (t) {
	case SMSCTL_PDU_DELIVER:
		return "deliver";
	case SMSCTL_PDU_SUBMIT:
		return "submit";
	case SMSCTL_PDU_STATUS_REPORT:
		return "status-report";
	default:
		return NULL;
	}
}

const char *recv_bold(const struct cli *cli)
{
	return cli->color ? "\033[1m" : "";
}

const char *recv_dim(const struct cli *cli)
{
	return cli->color ? "\033[2m" : "";
}

const char *recv_reset(const struct cli *cli)
{
	return cli->color ? "\033[0m" : "";
}

void recv_json_stored(struct json *j, const struct smsctl_stored *s)
{
	const struct smsctl_pdu *pdu = smsctl_stored_get_pdu(s);
	unsigned ref = 0, total = 0, seq = 0;
	bool concat = pdu && smsctl_pdu_get_concat(pdu, &ref, &total, &seq);
	int cls = pdu ? smsctl_pdu_get_class(pdu) : -1;

	json_object_begin(j);
	json_kv_string(j, "storage", smsctl_stored_get_storage(s));
	json_kv_int(j, "index", smsctl_stored_get_index(s));
	const char *st = smsctl_sms_status_name(smsctl_stored_get_status(s));
	json_kv_string(j, "status", *st ? st : NULL);
	json_kv_string(j, "type", pdu ? recv_type_name(smsctl_pdu_get_type(pdu)) : NULL);
	json_kv_string(j, "number", pdu ? smsctl_pdu_get_number(pdu) : NULL);
	json_kv_string(j, "timestamp", pdu ? smsctl_pdu_get_timestamp(pdu) : NULL);
	json_kv_string(j, "coding", pdu ? recv_coding_name(smsctl_pdu_get_coding(pdu)) : NULL);
	json_kv_int_or_null(j, "class", cls, cls >= 0);
	json_kv_string(j, "text", pdu ? smsctl_pdu_get_text(pdu) : NULL);
	json_key(j, "concat");
	if (concat) {
		json_object_begin(j);
		json_kv_int(j, "ref", ref);
		json_kv_int(j, "total", total);
		json_kv_int(j, "seq", seq);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_kv_string(j, "pdu", smsctl_stored_get_hex(s));
	json_kv_string(j, "error", smsctl_stored_get_decode_error(s));
	json_object_end(j);
}

/* An SMS is written by a stranger: it reaches the terminal through cli_printable(), the one
 * rule every command uses, so no escape sequence gets through. */
static void print_safe(FILE *f, const char *s)
{
	char *shown = cli_printable(s);

	fputs(shown ? shown : "?", f);
	free(shown);
}

void recv_print_number(FILE *f, const char *number)
{
	print_safe(f, number);
}

void recv_print_text(FILE *f, const char *text)
{
	print_safe(f, text);
	fputc('\n', f);
}

/* The stored status for a person (JSON keeps smsctl_sms_status_name()'s English). */
static const char *status_human(enum smsctl_sms_status st)
{
	switch (st) {
	case SMSCTL_SMS_UNREAD:
		return _("unread");
	case SMSCTL_SMS_READ:
		return _("read");
	case SMSCTL_SMS_UNSENT:
		return _("unsent");
	case SMSCTL_SMS_SENT:
		return _("sent");
	default:
		return "";
	}
}

void recv_print_stored(const struct cli *cli, FILE *f, const struct smsctl_stored *s, bool full)
{
	const struct smsctl_pdu *pdu = smsctl_stored_get_pdu(s);
	unsigned ref, total, seq;

	fprintf(f, "%s%s %d%s  %s", recv_bold(cli), smsctl_stored_get_storage(s),
		smsctl_stored_get_index(s), recv_reset(cli),
		status_human(smsctl_stored_get_status(s)));
	if (!pdu) {
		fprintf(f, "  %s%s: %s%s\n", recv_dim(cli), _("undecodable"),
			smsctl_stored_get_decode_error(s), recv_reset(cli));
		if (full)
			fprintf(f, "%s\n", smsctl_stored_get_hex(s));
		return;
	}
	fputs("  ", f);
	recv_print_number(f, smsctl_pdu_get_number(pdu));
	if (smsctl_pdu_get_timestamp(pdu))
		fprintf(f, "  %s", smsctl_pdu_get_timestamp(pdu));
	if (smsctl_pdu_get_concat(pdu, &ref, &total, &seq))
		fprintf(f, "  %s%s %u/%u ref %u%s", recv_dim(cli), _("part"), seq, total, ref,
			recv_reset(cli));
	if (smsctl_pdu_get_class(pdu) == 0)
		fprintf(f, "  %s", _("flash"));
	fputc('\n', f);
	const char *text = smsctl_pdu_get_text(pdu);
	if (text) {
		recv_print_text(f, text);
	} else {
		size_t len = 0;
		const uint8_t *data = smsctl_pdu_get_data(pdu, &len);

		fprintf(f, "%s%s%s ", recv_dim(cli), _("data:"), recv_reset(cli));
		for (size_t i = 0; data && i < len; i++)
			fprintf(f, "%02X", data[i]);
		fputc('\n', f);
	}
	if (full)
		fputc('\n', f);
}
