/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl recv: print the messages waiting on the modem (concatenated parts put together),
 * optionally wait for new ones, and delete each only after it was printed and flushed. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "recv-common.h"

struct recv_ctx {
	struct cli *cli;
	bool delete;
	bool flushing; /* end of run: print what is incomplete, keep it */
	bool write_failed;
	unsigned long printed;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void recv_usage(FILE *f)
{
	fputs(
	    _("Usage: smsctl recv [--follow] [--delete] [--storage MEM] [--max-age SECONDS]\n"
	      "                   [--direct] [--json]\n"
	      "Print the messages waiting on the modem, concatenated parts put together, and "
	      "exit.\n\n"
	      "  -f, --follow          keep waiting for new messages (until interrupted)\n"
	      "  -D, --delete          delete each message from the modem after it was printed\n"
	      "                        and flushed; without it nothing is deleted\n"
	      "  -s, --storage MEM     read only this memory (SM, ME, MT...); default: every one\n"
	      "      --max-age SECONDS with --follow: hand over a message still missing parts "
	      "after\n"
	      "                        this long, marked incomplete (default 86400)\n"
	      "      --direct          with --follow: have new messages delivered in the "
	      "indication\n"
	      "                        (+CMT) instead of stored and announced (+CMTI)\n"
	      "  -j, --json            one JSON object per line per message: number, text,\n"
	      "                        timestamp, coding, class, parts, total, complete, storage,\n"
	      "                        indexes\n"
	      "  -h, --help            show this help\n\n"
	      "Messages still missing parts are printed at the end marked incomplete and kept.\n"
	      "Exit status: 0 success; 13 the modem went away (what was not printed is still\n"
	      "stored); 10-12, 20 as for every command.\n"),
	    f);
}

static void json_message(struct json *j, const struct smsctl_received *rcv)
{
	const struct smsctl_message *msg = smsctl_received_get_message(rcv);
	const struct smsctl_pdu *first = smsctl_message_get_part(msg, 0);
	size_t n = smsctl_received_get_part_count(rcv);
	const char *storage = NULL;
	int cls = first ? smsctl_pdu_get_class(first) : -1;
	enum smsctl_coding coding = first ? smsctl_pdu_get_coding(first) : 0;

	for (size_t i = 0; i < n && !storage; i++)
		storage = smsctl_received_get_part_storage(rcv, i);
	json_object_begin(j);
	json_kv_string(j, "number", smsctl_message_get_number(msg));
	json_kv_string(j, "text",
		       coding == SMSCTL_CODING_8BIT ? NULL : smsctl_message_get_text(msg));
	json_kv_string(j, "timestamp", first ? smsctl_pdu_get_timestamp(first) : NULL);
	json_kv_string(j, "coding", recv_coding_name(coding));
	json_kv_int_or_null(j, "class", cls, cls >= 0);
	json_kv_int(j, "parts", (long long)n);
	json_kv_int(j, "total", smsctl_message_get_total(msg));
	json_kv_bool(j, "complete", smsctl_received_is_complete(rcv));
	json_kv_string(j, "storage", storage);
	json_key(j, "indexes");
	json_array_begin(j);
	for (size_t i = 0; i < n; i++) {
		int idx = smsctl_received_get_part_index(rcv, i);

		if (idx >= 0)
			json_int(j, idx);
	}
	json_array_end(j);
	json_key(j, "data_hex");
	if (coding == SMSCTL_CODING_8BIT) {
		char *hex = NULL;
		size_t cap = 0, len = 0;

		for (size_t i = 0; i < n; i++) {
			size_t dl = 0;
			const uint8_t *d =
			    smsctl_pdu_get_data(smsctl_message_get_part(msg, i), &dl);
			char *nh = realloc(hex, cap + 2 * dl + 1);

			if (!nh)
				break;
			hex = nh;
			cap += 2 * dl;
			for (size_t k = 0; d && k < dl; k++)
				len += (size_t)snprintf(hex + len, 3, "%02X", d[k]);
			hex[len] = '\0';
		}
		json_string(j, hex ? hex : "");
		free(hex);
	} else {
		json_null(j);
	}
	json_object_end(j);
	json_end_line(j);
}

static void human_message(const struct cli *cli, const struct smsctl_received *rcv)
{
	const struct smsctl_message *msg = smsctl_received_get_message(rcv);
	const struct smsctl_pdu *first = smsctl_message_get_part(msg, 0);
	size_t n = smsctl_received_get_part_count(rcv);
	const char *ts = first ? smsctl_pdu_get_timestamp(first) : NULL;
	bool any = false;

	fprintf(stdout, "%s%s ", recv_bold(cli), _("From"));
	recv_print_number(stdout, smsctl_message_get_number(msg));
	fprintf(stdout, "%s", recv_reset(cli));
	if (ts)
		fprintf(stdout, "  %s", ts);
	fputs(recv_dim(cli), stdout);
	for (size_t i = 0; i < n; i++) {
		const char *mem = smsctl_received_get_part_storage(rcv, i);

		if (!mem)
			continue;
		fprintf(stdout, "%s%s %d", any ? ", " : "  (", mem,
			smsctl_received_get_part_index(rcv, i));
		any = true;
	}
	if (any)
		fputc(')', stdout);
	if (smsctl_message_get_total(msg) > 1) {
		fputs("  ", stdout);
		fprintf(stdout, _("%zu of %u parts"), n, smsctl_message_get_total(msg));
	}
	fputs(recv_reset(cli), stdout);
	if (!smsctl_received_is_complete(rcv))
		fprintf(stdout, "  %s", _("INCOMPLETE"));
	if (first && smsctl_pdu_get_class(first) == 0)
		fprintf(stdout, "  %s", _("flash"));
	fputc('\n', stdout);
	if (first && smsctl_pdu_get_coding(first) == SMSCTL_CODING_8BIT) {
		fputs(_("(8-bit data)"), stdout);
		fputc('\n', stdout);
	} else {
		recv_print_text(stdout, smsctl_message_get_text(msg));
	}
	fputc('\n', stdout);
}

static int on_message(void *userdata, const struct smsctl_received *rcv)
{
	struct recv_ctx *ctx = userdata;

	if (ctx->write_failed)
		return 1;
	if (ctx->cli->json) {
		struct json j;

		json_init(&j, stdout);
		json_message(&j, rcv);
	} else {
		human_message(ctx->cli, rcv);
	}
	/* Deleted only once it is out of our hands: written and flushed. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctx->write_failed = true;
		return 1;
	}
	ctx->printed++;
	return ctx->delete &&!ctx->flushing ? 0 : 1;
}

int cmd_recv(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"follow", no_argument, NULL, 'f'},
	    {"delete", no_argument, NULL, 'D'},
	    {"storage", required_argument, NULL, 's'},
	    {"max-age", required_argument, NULL, 'A'},
	    {"direct", no_argument, NULL, 'C'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct recv_ctx ctx = {.cli = cli};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = NULL;
	bool follow = false, direct = false;
	unsigned long max_age = 86400;
	char *storage = NULL;
	int c, r, rc = EXIT_OK;

	while ((c = cli_getopt(cli, argc, argv, "fDs:h", opts, recv_usage, &rc)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return rc;
		case 'f':
			follow = true;
			break;
		case 'D':
			ctx.delete = true;
			break;
		case 's':
			rc = recv_opt_storage(cli, &storage, optarg);
			if (rc != EXIT_OK)
				return rc;
			break;
		case 'A':
			if (!recv_parse_ulong(optarg, 0, 31536000, &max_age))
				return cli_usage_error(cli, _("invalid --max-age '%s'"), optarg);
			break;
		case 'C':
			direct = true;
			break;
		}
	}
	rc = cli_no_operands(cli, argc, argv);
	if (rc != EXIT_OK)
		return rc;

	rc = recv_open_prepared(cli, &m);
	if (rc != EXIT_OK)
		return rc;
	r = smsctl_receiver_new(m, on_message, &ctx, &rx);
	if (r == 0)
		r = smsctl_receiver_set_storage(rx, storage);
	if (r == 0)
		r = smsctl_receiver_set_max_age(rx, max_age);
	if (r == 0)
		r = smsctl_receiver_set_indications(rx, follow);
	if (r == 0 && direct)
		r = smsctl_receiver_set_mode(rx, SMSCTL_RECEIVE_DIRECT);
	if (r < 0) {
		rc = recv_fail(cli, m, r, _("cannot receive"));
		goto out;
	}
	if (follow) {
		struct sigaction sa = {0};

		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	r = smsctl_receiver_start(rx);
	while (r >= 0 && follow && !stop_requested && !ctx.write_failed)
		r = smsctl_receiver_run(rx, 500);
	if (r >= 0 && !ctx.write_failed) {
		ctx.flushing = true;
		r = smsctl_receiver_flush(rx);
	}
	if (ctx.write_failed) {
		cli_err(cli, "%s", _("cannot write the output; nothing more was deleted"));
		rc = EXIT_OTHER;
	} else if (r < 0) {
		rc = recv_fail(cli, m, r, _("receiving stopped"));
	}
out:
	smsctl_receiver_free(rx);
	smsctl_modem_free(m);
	return rc;
}
