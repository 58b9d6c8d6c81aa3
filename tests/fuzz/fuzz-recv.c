/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the receive side as a program uses it: the stored-message listing
 * (+CMGL) and its re-reads (+CMGR) and deletes, and the receiver (+CMTI, +CMT and +CDS
 * routing, reading, acknowledging, storing refused parts with +CMGW, reassembly), all through
 * the public API on a modem whose every answer the input chooses.
 *
 * The scripted modem is a transport of our own (modem_new_from_transport): what the library
 * writes is cut into commands (CR) and PDUs (Ctrl-Z; ESC cancels), and each one is answered
 * at once on the socket the library reads, so nothing waits for a clock.
 *
 * Input: two header bytes, then records separated by NUL bytes:
 *   "!BYTES"      sent unsolicited before the next receiver step (+CMTI, +CMT, +CDS ...);
 *   "KEY\tBYTES"  the answer to the next command (or PDU) that contains KEY, used once;
 *   "BYTES"       the answer to the next command no keyed record claims, in order.
 * A record ending in EOT (0x04) hangs up after its bytes: the modem goes away.
 * A command nothing answers gets a plausible default (an empty listing, OK, the prompt for
 * AT+CMGW ...). An answer without a final result line gets OK appended, so the engine rarely
 * waits for its (5 ms) timeout.
 * Header byte 0: bit 0 direct mode (+CMT), bit 1 indications off, bit 2 only memory "SM",
 * bit 3 maximum age 0, bits 4-5 what runs first (nothing; list every memory; list "SM" unread
 * then read and delete each; the memories then delete all), bit 6 refuse every other message (the first too),
 * bit 7 flush at the end. Byte 1: receiver steps (bits 0-3, plus 1; odd ones run for 0 ms
 * rather than process), bit 4 a scan interval of 1 s (bit 5: none), bit 6 refuse every
 * message.
 * Checked: no crash, no leak, no undefined behaviour, what is handed over is consistent, and
 * nothing is deleted (AT+CMGD) while the program refuses every message.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <smsctl/smsctl.h>

#include "modem-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 64
#define CMD_MAX	    8192

struct record {
	const uint8_t *key; /* NULL: unkeyed */
	size_t key_len;
	const uint8_t *body;
	size_t len;
	bool urc; /* "!" record: sent unsolicited */
	bool used;
};

struct script {
	struct record rec[MAX_RECORDS];
	size_t n;
	size_t next_plain, next_urc;
	int peer; /* the modem's end: answers are written here */
	char cmd[CMD_MAX];
	size_t cmd_len;
	bool overflow;
	unsigned long commands;
	bool forbid_delete; /* the consumer refuses everything: nothing may be deleted */
};

static volatile size_t sink;

/* ---- the scripted modem ---- */

static void say(struct script *s, const void *buf, size_t len)
{
	if (s->peer >= 0 && len)
		(void)!send(s->peer, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* A record ending in EOT (0x04): its bytes, then the modem hangs up (the library reads EOF). */
static void say_record(struct script *s, const struct record *r)
{
	if (r->len && r->body[r->len - 1] == 0x04) {
		say(s, r->body, r->len - 1);
		shutdown(s->peer, SHUT_WR);
		return;
	}
	say(s, r->body, r->len);
}

static void say_str(struct script *s, const char *str)
{
	say(s, str, strlen(str));
}

/* Whether an answer has a line the engine takes for a final result (or ends in the prompt). */
static bool has_final(const uint8_t *b, size_t len)
{
	/* whole lines, and the two that carry a code after the colon */
	static const char *const finals[] = {
	    "OK",	   "ERROR",	  "COMMAND NOT SUPPORT", "TOO MANY PARAMETERS",
	    "+CMS ERROR:", "+CME ERROR:",
	};

	if (len >= 2 && b[len - 2] == '>' && b[len - 1] == ' ')
		return true;
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && b[e] != '\r' && b[e] != '\n')
			e++;
		for (size_t k = 0; k < sizeof(finals) / sizeof(finals[0]); k++) {
			size_t n = strlen(finals[k]);
			bool prefix = finals[k][n - 1] == ':';
			if ((prefix ? e - i >= n : e - i == n) && memcmp(b + i, finals[k], n) == 0)
				return true;
		}
		i = e + 1;
	}
	return false;
}

static const struct {
	const char *prefix;
	const char *answer;
} defaults[] = {
    {"AT+CPMS=?", "\r\n+CPMS: (\"SM\",\"ME\",\"MT\",\"SR\"),(\"SM\",\"ME\",\"MT\"),(\"SM\",\"ME\")"
		  "\r\n\r\nOK\r\n"},
    {"AT+CPMS?", "\r\n+CPMS: \"SM\",2,30,\"SM\",2,30,\"SM\",2,30\r\n\r\nOK\r\n"},
    {"AT+CPMS=", "\r\n+CPMS: 2,30,2,30,2,30\r\n\r\nOK\r\n"},
    {"AT+CSMS?", "\r\n+CSMS: 1,1,1,1\r\n\r\nOK\r\n"},
    {"AT+CNMI=?", "\r\n+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)\r\n\r\nOK\r\n"},
    {"AT+CNMI?", "\r\n+CNMI: 0,0,0,0,0\r\n\r\nOK\r\n"},
    {"AT+CMGR=", "\r\n+CMS ERROR: 321\r\n"},
    {"AT+CMGW=", "\r\n> "},
    {"AT+CMGS=", "\r\n> "},
};

/* One command (or PDU) from the library: answer it. */
static void answer(struct script *s, bool pdu)
{
	s->commands++;
	if (s->forbid_delete && !pdu && memmem(s->cmd, s->cmd_len, "+CMGD", 5))
		abort(); /* deleted what the program did not accept */
	for (size_t i = 0; i < s->n; i++) {
		struct record *r = &s->rec[i];
		if (r->used || !r->key)
			continue;
		if (r->key_len && !memmem(s->cmd, s->cmd_len, r->key, r->key_len))
			continue;
		r->used = true;
		say_record(s, r);
		if (!has_final(r->body, r->len))
			say_str(s, "\r\nOK\r\n");
		return;
	}
	while (s->next_plain < s->n && (s->rec[s->next_plain].key || s->rec[s->next_plain].urc ||
					s->rec[s->next_plain].used))
		s->next_plain++;
	if (s->next_plain < s->n) {
		struct record *r = &s->rec[s->next_plain++];
		r->used = true;
		say_record(s, r);
		if (!has_final(r->body, r->len))
			say_str(s, "\r\nOK\r\n");
		return;
	}
	if (pdu) {
		say_str(s, "\r\n+CMGW: 7\r\n\r\nOK\r\n");
		return;
	}
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		size_t n = strlen(defaults[i].prefix);
		if (s->cmd_len >= n && memcmp(s->cmd, defaults[i].prefix, n) == 0) {
			say_str(s, defaults[i].answer);
			return;
		}
	}
	say_str(s, "\r\nOK\r\n");
}

/* The library's bytes: commands end with CR, PDUs with Ctrl-Z; ESC cancels a PDU. */
static void script_input(struct script *s, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t b = buf[i];
		if (b == '\r' || b == 0x1a) {
			if (!s->overflow && s->cmd_len)
				answer(s, b == 0x1a);
			s->cmd_len = 0;
			s->overflow = false;
		} else if (b == 0x1b) {
			s->cmd_len = 0;
			s->overflow = false;
		} else if (b == '\n' && s->cmd_len == 0) {
			continue;
		} else if (s->cmd_len < sizeof(s->cmd)) {
			s->cmd[s->cmd_len++] = (char)b;
		} else {
			s->overflow = true;
		}
	}
}

/* Send the next unsolicited record, if any; false when none is left. */
static bool push_urc(struct script *s)
{
	while (s->next_urc < s->n) {
		struct record *r = &s->rec[s->next_urc++];
		if (!r->urc || r->used)
			continue;
		r->used = true;
		say_record(s, r);
		return true;
	}
	return false;
}

static void script_parse(struct script *s, const uint8_t *data, size_t size)
{
	size_t i = 0;

	while (i <= size && s->n < MAX_RECORDS) {
		const uint8_t *p = data + i;
		const uint8_t *nul = memchr(p, 0, size - i);
		size_t len = nul ? (size_t)(nul - p) : size - i;
		struct record *r = &s->rec[s->n++];
		memset(r, 0, sizeof(*r));
		if (len && p[0] == '!') {
			r->urc = true;
			r->body = p + 1;
			r->len = len - 1;
		} else {
			const uint8_t *tab = memchr(p, '\t', len);
			if (tab) {
				r->key = p;
				r->key_len = (size_t)(tab - p);
				r->body = tab + 1;
				r->len = len - r->key_len - 1;
			} else {
				r->body = p;
				r->len = len;
			}
		}
		if (r->len == 0 && !r->key)
			s->n--; /* empty: nothing to say */
		i += len + 1;
	}
}

/* ---- the transport the library writes to ---- */

struct script_transport {
	struct transport base;
	struct script *s;
};

static ssize_t st_read(struct transport *t, void *buf, size_t len)
{
	ssize_t n = recv(t->fd, buf, len, MSG_DONTWAIT);
	if (n < 0 && (errno == ECONNRESET || errno == EPIPE))
		return 0;
	return n;
}

static ssize_t st_write(struct transport *t, const void *buf, size_t len)
{
	struct script_transport *st = (struct script_transport *)t;

	script_input(st->s, buf, len);
	return (ssize_t)len;
}

static void st_close(struct transport *t)
{
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}

static const struct transport_ops script_ops = {
    .name = "script",
    .read = st_read,
    .write = st_write,
    .close = st_close,
};

/* ---- what the program does ---- */

static void touch_pdu(const struct smsctl_pdu *p)
{
	const char *t;
	size_t len;

	if (!p)
		return;
	sink += strlen(smsctl_pdu_get_number(p)) + (size_t)smsctl_pdu_get_type(p);
	if ((t = smsctl_pdu_get_text(p)))
		sink += strlen(t);
	if (smsctl_pdu_get_data(p, &len))
		sink += len;
	if ((t = smsctl_pdu_get_timestamp(p)))
		sink += strlen(t);
	sink += (size_t)smsctl_pdu_get_status(p);
}

static void touch_stored(const struct smsctl_stored *st)
{
	sink += strlen(smsctl_stored_get_storage(st)) + strlen(smsctl_stored_get_hex(st));
	sink += (size_t)smsctl_stored_get_status(st) + (size_t)smsctl_stored_get_index(st);
	const struct smsctl_pdu *p = smsctl_stored_get_pdu(st);
	if ((p == NULL) != (smsctl_stored_get_decode_error(st) != NULL))
		abort(); /* a PDU or a reason, never both or neither */
	touch_pdu(p);
	if (smsctl_stored_get_status(st) == SMSCTL_SMS_ALL)
		abort();
}

struct consumer {
	bool refuse_some, refuse_all;
	unsigned long calls;
};

static int on_message(void *userdata, const struct smsctl_received *rcv)
{
	struct consumer *c = userdata;
	const struct smsctl_message *msg = smsctl_received_get_message(rcv);
	size_t n = smsctl_received_get_part_count(rcv);

	if (!msg || n != smsctl_message_get_part_count(msg) || n == 0)
		abort();
	if (smsctl_received_is_complete(rcv) != smsctl_message_is_complete(msg))
		abort();
	const char *text = smsctl_message_get_text(msg);
	if (text)
		sink += strlen(text);
	sink += strlen(smsctl_message_get_number(msg)) + smsctl_message_get_total(msg);
	for (size_t i = 0; i < n; i++) {
		const char *mem = smsctl_received_get_part_storage(rcv, i);
		int index = smsctl_received_get_part_index(rcv, i);
		if ((mem == NULL) != (index < 0))
			abort(); /* stored parts have both, +CMT parts neither */
		if (mem)
			sink += strlen(mem);
		touch_pdu(smsctl_message_get_part(msg, i));
	}
	c->calls++;
	if (c->refuse_all)
		return 1;
	return c->refuse_some && c->calls % 2 == 1; /* the first, third ... */
}

static void storage_work(struct smsctl_modem *m, unsigned what)
{
	struct smsctl_stored_list *list = NULL;
	char **mems = NULL;

	switch (what) {
	case 1:
		if (smsctl_sms_list(m, NULL, SMSCTL_SMS_ALL, &list) >= 0)
			for (size_t i = 0; i < smsctl_stored_list_get_count(list); i++)
				touch_stored(smsctl_stored_list_get(list, i));
		break;
	case 2: {
		int n = smsctl_sms_list(m, "SM", SMSCTL_SMS_UNREAD, &list);
		if (n >= 0 && (size_t)n != smsctl_stored_list_get_count(list))
			abort();
		for (size_t i = 0; n > 0 && i < smsctl_stored_list_get_count(list) && i < 8; i++) {
			const struct smsctl_stored *st = smsctl_stored_list_get(list, i);
			struct smsctl_stored *again = NULL;
			touch_stored(st);
			if (smsctl_sms_read(m, smsctl_stored_get_storage(st),
					    smsctl_stored_get_index(st), &again) == 0)
				touch_stored(again);
			smsctl_stored_free(again);
			(void)smsctl_sms_delete(m, smsctl_stored_get_storage(st),
						smsctl_stored_get_index(st));
		}
		break;
	}
	case 3:
		if (smsctl_sms_get_storages(m, &mems) >= 0)
			for (size_t i = 0; mems[i]; i++)
				sink += strlen(mems[i]);
		smsctl_sms_storages_free(mems);
		(void)smsctl_sms_delete_all(m, NULL);
		break;
	default:
		break;
	}
	if (smsctl_stored_list_get(list, smsctl_stored_list_get_count(list)))
		abort(); /* out of range is NULL */
	smsctl_stored_list_free(list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s = {.peer = -1};
	struct smsctl_modem *m = NULL;
	struct smsctl_modem_options *o = NULL;
	struct smsctl_receiver *rx = NULL;
	struct consumer consumer = {0};
	int sv[2];

	if (size < 2 || size > 65536)
		return 0;
	uint8_t h0 = data[0], h1 = data[1];
	script_parse(&s, data + 2, size - 2);
	consumer.refuse_some = h0 & 0x40;
	consumer.refuse_all = h1 & 0x40;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	s.peer = sv[1];
	struct script_transport *t = calloc(1, sizeof(*t));
	if (!t) {
		close(sv[0]);
		goto out;
	}
	t->base.ops = &script_ops;
	t->base.fd = sv[0];
	t->s = &s;
	o = smsctl_modem_options_new();
	smsctl_modem_options_set_timeout(o, 5); /* only an answer the engine misses waits */
	if (modem_new_from_transport("script", &t->base, o, &m) < 0)
		goto out;

	storage_work(m, h0 >> 4 & 3);

	if (smsctl_receiver_new(m, on_message, &consumer, &rx) < 0)
		goto out;
	s.forbid_delete = consumer.refuse_all;
	smsctl_receiver_set_mode(rx, h0 & 1 ? SMSCTL_RECEIVE_DIRECT : SMSCTL_RECEIVE_STORED);
	smsctl_receiver_set_indications(rx, !(h0 & 2));
	if (h0 & 4)
		smsctl_receiver_set_storage(rx, "SM");
	if (h0 & 8)
		smsctl_receiver_set_max_age(rx, 0);
	if (h1 & 0x10)
		smsctl_receiver_set_scan_interval(rx, h1 & 0x20 ? 0 : 1);
	int r = smsctl_receiver_start(rx);
	for (unsigned step = 0; r >= 0 && step <= (h1 & 15u); step++) {
		bool more = push_urc(&s);
		sink += (size_t)smsctl_receiver_get_timeout(rx);
		r = step & 1 ? smsctl_receiver_run(rx, 0) : smsctl_receiver_process(rx);
		if (!more && step > 2)
			break;
	}
	if (r >= 0 && (h0 & 0x80))
		(void)smsctl_receiver_flush(rx);
	if (smsctl_receiver_get_accepted(rx) + smsctl_receiver_get_refused(rx) > consumer.calls)
		abort(); /* counted more than it handed over */
	sink += smsctl_receiver_get_pending(rx);
out:
	smsctl_receiver_free(rx);
	smsctl_modem_free(m); /* closes sv[0] through the transport */
	smsctl_modem_options_free(o);
	if (sv[1] >= 0)
		close(sv[1]);
	return 0;
}
