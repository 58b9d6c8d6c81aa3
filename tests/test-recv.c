/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The receive side through the library on the simulated modem: stored messages (list, read,
 * delete, in every memory and with Huawei's index 0), and the receiver (what waits at start,
 * +CMTI and +CMT, concatenated parts out of order and interleaved, 8- and 16-bit references,
 * a consumer that refuses, an unplug in the middle, a full storage). The rule every receiver
 * test checks: nothing lost, nothing handed over twice in a run, nothing deleted before it
 * was accepted.
 */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/smsctl.h>

#define MAX_GOT 64

/* Texts that need 1, 2 and 3 parts in GSM 7-bit, and 2 in UCS-2. */
static const char text_short[] = "Hello from the test";
static char text_two[300];
static char text_three[420];
/* "你好，这是一条很长的短信。" (13 characters) six times: 78 characters, two UCS-2 parts. */
static const char sentence[] = "\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xe8\xbf\x99\xe6\x98\xaf"
			       "\xe4\xb8\x80\xe6\x9d\xa1\xe5\xbe\x88\xe9\x95\xbf\xe7\x9a\x84"
			       "\xe7\x9f\xad\xe4\xbf\xa1\xe3\x80\x82";
static char text_ucs2[6 * sizeof(sentence)];

static void make_texts(void)
{
	for (size_t i = 0; i < sizeof(text_two) - 1; i++)
		text_two[i] = (char)('a' + i % 26);
	text_two[sizeof(text_two) - 1] = '\0';
	for (size_t i = 0; i < sizeof(text_three) - 1; i++)
		text_three[i] = (char)('0' + i % 10);
	text_three[sizeof(text_three) - 1] = '\0';
	text_ucs2[0] = '\0';
	for (int i = 0; i < 6; i++)
		strcat(text_ucs2, sentence);
}

struct got {
	char number[32];
	char *text;
	bool complete;
	size_t parts;
	unsigned total;
	char storage[8];
	int index0;
};

struct collector {
	struct got got[MAX_GOT];
	size_t n;
	int refuse; /* refuse this many calls, then accept */
	bool refuse_all;
	struct smsctl_sim *unplug_sim; /* pull the plug when the unplug_at-th message arrives */
	size_t unplug_at;
	size_t calls;
};

static int collect(void *userdata, const struct smsctl_received *rcv)
{
	struct collector *c = userdata;
	const struct smsctl_message *msg = smsctl_received_get_message(rcv);
	struct got *g;

	c->calls++;
	ck_assert_uint_lt(c->n, MAX_GOT);
	g = &c->got[c->n++];
	snprintf(g->number, sizeof(g->number), "%s", smsctl_message_get_number(msg));
	g->text = strdup(smsctl_message_get_text(msg) ? smsctl_message_get_text(msg) : "");
	g->complete = smsctl_received_is_complete(rcv);
	g->parts = smsctl_received_get_part_count(rcv);
	g->total = smsctl_message_get_total(msg);
	ck_assert_uint_eq(g->parts, smsctl_message_get_part_count(msg));
	const char *mem = smsctl_received_get_part_storage(rcv, 0);
	snprintf(g->storage, sizeof(g->storage), "%s", mem ? mem : "");
	g->index0 = smsctl_received_get_part_index(rcv, 0);
	if (c->unplug_sim && c->n == c->unplug_at)
		ck_assert_int_eq(smsctl_sim_set_fault(c->unplug_sim, "unplug:0", true), 0);
	if (c->refuse_all)
		return 1;
	if (c->refuse > 0) {
		c->refuse--;
		return 1;
	}
	return 0;
}

static void collector_clear(struct collector *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->got[i].text);
	memset(c, 0, sizeof(*c));
}

static size_t count_text(const struct collector *c, const char *number, const char *text)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->got[i].number, number) == 0 && strcmp(c->got[i].text, text) == 0)
			n++;
	return n;
}

/* Open a sim device and make it ready for SMS work without the send side's prepare: echo
 * off, numeric errors, PDU mode. */
static struct smsctl_modem *open_sim(const char *device)
{
	struct smsctl_modem *m = NULL;

	ck_assert_int_eq(smsctl_modem_new(device, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	ck_assert_int_eq(smsctl_modem_command(m, "ATE0", 0, NULL), 0);
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CMEE=1", 0, NULL), 0);
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CMGF=0", 0, NULL), 0);
	return m;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Run the receiver until the collector saw want messages (or a generous bound passed, which
 * makes the count assertion fail rather than hang). Returns the last result. */
static int run_until(struct smsctl_receiver *rx, struct collector *c, size_t want)
{
	struct timespec t0;
	int r = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (c->n < want && elapsed_ms(&t0) < 20000) {
		r = smsctl_receiver_run(rx, 50);
		if (r < 0)
			break;
	}
	return r;
}

/* Let the modem talk for a while with nothing expected (for "not handed twice"). */
static void run_idle(struct smsctl_receiver *rx, int ms)
{
	ck_assert_int_ge(smsctl_receiver_run(rx, ms), 0);
}

/* Number of messages stored in a memory, read through the library. */
static int stored_in(struct smsctl_modem *m, const char *mem)
{
	struct smsctl_stored_list *l = NULL;
	int n = smsctl_sms_list(m, mem, SMSCTL_SMS_ALL, &l);

	smsctl_stored_list_free(l);
	return n;
}

static int stored_all(struct smsctl_modem *m)
{
	return stored_in(m, NULL);
}

/* ---- what already waits at start, on every profile ---- */

static const char *const profiles[] = {"generic", "wavecom", "cinterion",
				       "simcom",  "quectel", "huawei"};

START_TEST(test_stored_at_start)
{
	char device[64];
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m;
	struct smsctl_sim *sim;

	snprintf(device, sizeof(device), "sim:%s", profiles[_i]);
	m = open_sim(device);
	sim = smsctl_modem_get_sim(m);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31612345678", text_short, 0), 1);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+8613800138000", text_ucs2, 0), 2);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "12345", text_three, SMSCTL_SIM_DELIVER_REVERSE),
			 3);
	ck_assert_int_eq(stored_all(m), 6);

	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_set_indications(rx, false), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 3);
	ck_assert_uint_eq(c.n, 3);
	ck_assert_uint_eq(count_text(&c, "+31612345678", text_short), 1);
	ck_assert_uint_eq(count_text(&c, "+8613800138000", text_ucs2), 1);
	ck_assert_uint_eq(count_text(&c, "12345", text_three), 1);
	for (size_t i = 0; i < c.n; i++) {
		ck_assert(c.got[i].complete);
		ck_assert_uint_eq(c.got[i].parts, c.got[i].total);
		ck_assert_str_ne(c.got[i].storage, "");
		ck_assert_int_ge(c.got[i].index0, 0);
	}
	ck_assert_uint_eq(smsctl_receiver_get_accepted(rx), 3);
	ck_assert_uint_eq(smsctl_receiver_get_pending(rx), 0);
	/* Accepted: deleted, every part. */
	ck_assert_int_eq(stored_all(m), 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

/* ---- arriving while the receiver runs ---- */

static const struct arrive_case {
	const char *device;
	enum smsctl_receive_mode mode;
	unsigned flags;
} arrive_cases[] = {
    {"sim:", SMSCTL_RECEIVE_STORED, 0},
    {"sim:", SMSCTL_RECEIVE_STORED, SMSCTL_SIM_DELIVER_REVERSE},
    {"sim:huawei", SMSCTL_RECEIVE_STORED, SMSCTL_SIM_DELIVER_REVERSE},
    {"sim:cinterion", SMSCTL_RECEIVE_STORED, SMSCTL_SIM_DELIVER_REVERSE},
    {"sim:quectel", SMSCTL_RECEIVE_DIRECT, 0},
    {"sim:", SMSCTL_RECEIVE_DIRECT, SMSCTL_SIM_DELIVER_REVERSE},
    {"sim:simcom", SMSCTL_RECEIVE_DIRECT, SMSCTL_SIM_DELIVER_UCS2},
};

START_TEST(test_arrive)
{
	const struct arrive_case *t = &arrive_cases[_i];
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim(t->device);
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);

	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_set_mode(rx, t->mode), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 0);
	/* Every setter refuses a change once started, alike. */
	ck_assert_int_eq(smsctl_receiver_set_mode(rx, t->mode), SMSCTL_ERR_STATE);
	ck_assert_int_eq(smsctl_receiver_set_storage(rx, "SM"), SMSCTL_ERR_STATE);
	ck_assert_int_eq(smsctl_receiver_set_max_age(rx, 60), SMSCTL_ERR_STATE);
	ck_assert_int_eq(smsctl_receiver_set_scan_interval(rx, 60), SMSCTL_ERR_STATE);
	ck_assert_int_eq(smsctl_receiver_set_indications(rx, true), SMSCTL_ERR_STATE);
	ck_assert_int_gt(smsctl_sim_deliver(sim, "+4915112345678", text_three, t->flags), 1);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31612345678", text_short, t->flags), 1);
	ck_assert_int_ge(run_until(rx, &c, 2), 0);
	run_idle(rx, 200);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_uint_eq(count_text(&c, "+4915112345678", text_three), 1);
	ck_assert_uint_eq(count_text(&c, "+31612345678", text_short), 1);
	for (size_t i = 0; i < c.n; i++) {
		ck_assert(c.got[i].complete);
		if (t->mode == SMSCTL_RECEIVE_DIRECT) {
			ck_assert_str_eq(c.got[i].storage, ""); /* never stored */
			ck_assert_int_eq(c.got[i].index0, -1);
		}
	}
	ck_assert_int_eq(stored_all(m), 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

/* ---- interleaved senders, same references, 8- and 16-bit ---- */

static struct smsctl_encoded *encode(const char *from, const char *text, unsigned ref, bool ref16)
{
	struct smsctl_submit_options *o = smsctl_submit_options_new();
	struct smsctl_encoded *enc = NULL;

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(smsctl_submit_options_set_concat_ref(o, ref), 0);
	ck_assert_int_eq(smsctl_submit_options_set_16bit_ref(o, ref16), 0);
	ck_assert_int_eq(
	    smsctl_pdu_encode_deliver(from, text, "2026-11-22T19:30:05+08:00", o, &enc), 0);
	smsctl_submit_options_free(o);
	return enc;
}

static const struct interleave_case {
	bool ref16;
	unsigned ref_a, ref_b; /* equal references from different senders must not mix */
	bool stored_first;     /* parts stored before start, or arriving while running */
} interleave_cases[] = {
    {false, 7, 7, false},	  {false, 7, 8, true},	  {true, 0x1234, 0x1234, false},
    {true, 0xfffe, 0x00fe, true}, {true, 300, 300, true}, {false, 255, 0, false},
};

START_TEST(test_interleaved)
{
	const struct interleave_case *t = &interleave_cases[_i];
	struct smsctl_encoded *a = encode("+447700900001", text_three, t->ref_a, t->ref16);
	struct smsctl_encoded *b = encode("+447700900002", text_two, t->ref_b, t->ref16);
	struct smsctl_encoded *s = encode("+447700900003", text_short, 0, t->ref16);
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);

	ck_assert_uint_eq(smsctl_encoded_get_count(a), 3);
	ck_assert_uint_eq(smsctl_encoded_get_count(b), 2);
	/* Order: A3 B2 S A1 B1 A2 */
	const char *order[] = {
	    smsctl_encoded_get_hex(a, 2), smsctl_encoded_get_hex(b, 1),
	    smsctl_encoded_get_hex(s, 0), smsctl_encoded_get_hex(a, 0),
	    smsctl_encoded_get_hex(b, 0), smsctl_encoded_get_hex(a, 1),
	};
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	if (!t->stored_first)
		ck_assert_int_eq(smsctl_receiver_start(rx), 0);
	for (size_t i = 0; i < 6; i++)
		ck_assert_int_eq(smsctl_sim_deliver_pdu(sim, order[i]), 0);
	if (t->stored_first)
		ck_assert_int_eq(smsctl_receiver_start(rx), 3);
	ck_assert_int_ge(run_until(rx, &c, 3), 0);
	run_idle(rx, 100);
	ck_assert_uint_eq(c.n, 3);
	ck_assert_uint_eq(count_text(&c, "+447700900001", text_three), 1);
	ck_assert_uint_eq(count_text(&c, "+447700900002", text_two), 1);
	ck_assert_uint_eq(count_text(&c, "+447700900003", text_short), 1);
	/* The single one completes first when arriving: it does not wait for the others. */
	if (!t->stored_first)
		ck_assert_str_eq(c.got[0].number, "+447700900003");
	ck_assert_int_eq(stored_all(m), 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
	smsctl_encoded_free(a);
	smsctl_encoded_free(b);
	smsctl_encoded_free(s);
}
END_TEST

/* ---- a consumer that refuses ---- */

START_TEST(test_refused_kept_and_handed_next_run)
{
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);

	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31611111111", text_two, 0), 2);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31622222222", text_short, 0), 1);

	/* Run 1: refuse everything. Nothing is deleted, nothing is handed twice. */
	c.refuse_all = true;
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 0);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_uint_eq(smsctl_receiver_get_refused(rx), 2);
	ck_assert_int_eq(stored_all(m), 3);
	/* A new message makes the receiver read again: only the new one is handed. */
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31633333333", text_short, 0), 1);
	ck_assert_int_ge(run_until(rx, &c, 3), 0);
	run_idle(rx, 200);
	ck_assert_uint_eq(c.n, 3);
	ck_assert_uint_eq(count_text(&c, "+31611111111", text_two), 1);
	ck_assert_uint_eq(count_text(&c, "+31622222222", text_short), 1);
	ck_assert_uint_eq(count_text(&c, "+31633333333", text_short), 1);
	ck_assert_int_eq(stored_all(m), 4);
	smsctl_receiver_free(rx);
	collector_clear(&c);

	/* Run 2: the first message refused once more, the others accepted. */
	c.refuse = 1;
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 2);
	ck_assert_uint_eq(c.n, 3);
	ck_assert_int_eq(stored_all(m), c.got[0].parts == 2 ? 2 : 1);
	smsctl_receiver_free(rx);
	collector_clear(&c);

	/* Run 3: what was refused comes back, alone. */
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 1);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_int_eq(stored_all(m), 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

/* ---- unplugged in the middle ---- */

static const size_t unplug_points[] = {1, 2, 3, 5};

START_TEST(test_unplug_loses_nothing)
{
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	const size_t total = 5;
	char text[32];

	for (size_t i = 0; i < total; i++) {
		snprintf(text, sizeof(text), "message %zu", i);
		ck_assert_int_eq(smsctl_sim_deliver(sim, "+31644444444", text, 0), 1);
	}
	c.unplug_sim = sim;
	c.unplug_at = unplug_points[_i];
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), SMSCTL_ERR_GONE);
	ck_assert_int_eq(smsctl_receiver_process(rx), SMSCTL_ERR_GONE);
	ck_assert_int_eq(smsctl_receiver_run(rx, 10), SMSCTL_ERR_GONE);
	/* The message in hand when the plug was pulled was accepted but is still stored: it
	 * comes again next run (at least once). Those before it were deleted, those after it
	 * never handed and still stored. */
	size_t stored = smsctl_sim_get_stored_count(sim);
	ck_assert_uint_ge(c.n, unplug_points[_i]);
	ck_assert_uint_le(c.n, total);
	/* Those before the unplug were accepted and deleted; none after the last handed was
	 * deleted (whether the delete of the one in hand got through is a race). */
	ck_assert_uint_le(stored, total - (unplug_points[_i] - 1));
	ck_assert_uint_ge(stored, total - c.n);
	for (size_t i = 0; i < c.n; i++)
		for (size_t k = i + 1; k < c.n; k++)
			ck_assert_str_ne(c.got[i].text, c.got[k].text);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

/* Unplugged while waiting: what arrived is still stored. */
START_TEST(test_unplug_while_waiting)
{
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);

	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 0);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31655555555", text_short, 0), 1);
	ck_assert_int_ge(run_until(rx, &c, 1), 0);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_int_eq(smsctl_sim_set_fault(sim, "unplug:0", true), 0);
	int r = 0;
	for (int i = 0; i < 100 && r >= 0; i++)
		r = smsctl_receiver_run(rx, 20);
	ck_assert_int_eq(r, SMSCTL_ERR_GONE);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(smsctl_sim_get_stored_count(sim), 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

/* ---- incomplete messages ---- */

START_TEST(test_incomplete_max_age)
{
	struct smsctl_encoded *a = encode("+33612345678", text_three, 42, false);
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	bool zero_age = _i == 1;

	/* Parts 1 and 3 of 3. */
	ck_assert_int_eq(smsctl_sim_deliver_pdu(sim, smsctl_encoded_get_hex(a, 0)), 0);
	ck_assert_int_eq(smsctl_sim_deliver_pdu(sim, smsctl_encoded_get_hex(a, 2)), 0);
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	if (zero_age)
		ck_assert_int_eq(smsctl_receiver_set_max_age(rx, 0), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), zero_age ? 1 : 0);
	if (!zero_age) {
		/* Kept while young, stored, and handed over by a flush. */
		ck_assert_uint_eq(c.n, 0);
		ck_assert_uint_eq(smsctl_receiver_get_pending(rx), 1);
		ck_assert_int_gt(smsctl_receiver_get_timeout(rx), 0);
		run_idle(rx, 100);
		ck_assert_uint_eq(c.n, 0);
		ck_assert_int_eq(stored_all(m), 2);
		ck_assert_int_eq(smsctl_receiver_flush(rx), 1);
	}
	ck_assert_uint_eq(c.n, 1);
	ck_assert(!c.got[0].complete);
	ck_assert_uint_eq(c.got[0].parts, 2);
	ck_assert_uint_eq(c.got[0].total, 3);
	ck_assert_uint_eq(smsctl_receiver_get_pending(rx), 0);
	ck_assert_int_eq(stored_all(m), 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
	smsctl_encoded_free(a);
}
END_TEST

/* The missing part arrives later: one complete message. */
START_TEST(test_incomplete_then_complete)
{
	struct smsctl_encoded *a = encode("+33612345678", text_three, 9, true);
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);

	ck_assert_int_eq(smsctl_sim_deliver_pdu(sim, smsctl_encoded_get_hex(a, 1)), 0);
	ck_assert_int_eq(smsctl_sim_deliver_pdu(sim, smsctl_encoded_get_hex(a, 2)), 0);
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 0);
	ck_assert_uint_eq(smsctl_receiver_get_pending(rx), 1);
	/* A duplicate of a part held (the network repeating itself) changes nothing. */
	ck_assert_int_eq(smsctl_sim_deliver_pdu(sim, smsctl_encoded_get_hex(a, 1)), 0);
	run_idle(rx, 100);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_int_eq(smsctl_sim_deliver_pdu(sim, smsctl_encoded_get_hex(a, 0)), 0);
	ck_assert_int_ge(run_until(rx, &c, 1), 0);
	run_idle(rx, 100);
	ck_assert_uint_eq(c.n, 1);
	ck_assert(c.got[0].complete);
	ck_assert_str_eq(c.got[0].text, text_three);
	/* The parts and the repeated one are all gone. */
	ck_assert_int_eq(stored_all(m), 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
	smsctl_encoded_free(a);
}
END_TEST

/* ---- storage full ---- */

START_TEST(test_storage_full)
{
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim("sim:?fault=storage_full");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	size_t full = smsctl_sim_get_stored_count(sim);

	ck_assert_uint_gt(full, 0);
	/* A message arriving now is lost, as on a real modem. */
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31666666666", "lost", 0), SMSCTL_ERR_TOO_LONG);
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), (int)full);
	ck_assert_uint_eq(c.n, full);
	ck_assert_uint_eq(smsctl_sim_get_stored_count(sim), 0);
	/* Room again: the next one is stored and received. */
	ck_assert_int_eq(smsctl_sim_set_fault(sim, "storage_full", false), 0);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31666666666", "kept", 0), 1);
	ck_assert_int_ge(run_until(rx, &c, full + 1), 0);
	ck_assert_uint_eq(c.n, full + 1);
	ck_assert_str_eq(c.got[full].text, "kept");
	ck_assert_uint_eq(count_text(&c, "+31666666666", "lost"), 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

/* ---- +CMTI naming another memory than the read memory ---- */

START_TEST(test_cmti_other_memory)
{
	struct smsctl_response *resp = NULL;
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);

	/* Read from SM, receive into ME. */
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CPMS=\"SM\",\"SM\",\"ME\"", 0, NULL), 0);
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 0);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31677777777", text_two, 0), 2);
	ck_assert_int_ge(run_until(rx, &c, 1), 0);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(c.got[0].storage, "ME");
	ck_assert_str_eq(c.got[0].text, text_two);
	ck_assert_int_eq(stored_in(m, "ME"), 0);
	/* The read memory is back where it was. */
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CPMS?", 0, &resp), 0);
	ck_assert_uint_ge(smsctl_response_get_line_count(resp), 1);
	ck_assert_ptr_nonnull(strstr(smsctl_response_get_line(resp, 0), "+CPMS: \"SM\""));
	ck_assert_ptr_nonnull(strstr(smsctl_response_get_line(resp, 0), "\"ME\""));
	smsctl_response_free(resp);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

/* ---- list, read, delete ---- */

static const struct store_case {
	const char *device;
	int first_index; /* Huawei counts from 0 */
} store_cases[] = {
    {"sim:", 1}, {"sim:huawei", 0}, {"sim:wavecom", 1}, {"sim:simcom", 1}, {"sim:quectel", 1},
};

START_TEST(test_list_read_delete)
{
	const struct store_case *t = &store_cases[_i];
	struct smsctl_modem *m = open_sim(t->device);
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	struct smsctl_stored_list *l = NULL;
	struct smsctl_stored *s = NULL;
	const struct smsctl_stored *e;
	char **mems = NULL;

	ck_assert_int_ge(smsctl_sms_get_storages(m, &mems), 1);
	ck_assert_ptr_nonnull(mems);
	for (char **p = mems; *p; p++) {
		ck_assert_str_ne(*p, "SR");
		ck_assert_str_ne(*p, "BM");
	}
	smsctl_sms_storages_free(mems);

	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31688888888", "one", 0), 1);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31699999999", text_two, 0), 2);
	ck_assert_int_eq(smsctl_sms_list(m, "SM", SMSCTL_SMS_UNREAD, &l), 3);
	e = smsctl_stored_list_get(l, 0);
	ck_assert_str_eq(smsctl_stored_get_storage(e), "SM");
	ck_assert_int_eq(smsctl_stored_get_index(e), t->first_index);
	ck_assert_int_eq(smsctl_stored_get_status(e), SMSCTL_SMS_UNREAD);
	ck_assert_ptr_nonnull(smsctl_stored_get_pdu(e));
	ck_assert_ptr_null(smsctl_stored_get_decode_error(e));
	ck_assert_str_eq(smsctl_pdu_get_text(smsctl_stored_get_pdu(e)), "one");
	ck_assert_str_eq(smsctl_pdu_get_number(smsctl_stored_get_pdu(e)), "+31688888888");
	ck_assert_int_gt((int)strlen(smsctl_stored_get_hex(e)), 20);
	ck_assert_ptr_null(smsctl_stored_list_get(l, 3));
	smsctl_stored_list_free(l);
	/* Listed unread: now read. */
	ck_assert_int_eq(smsctl_sms_list(m, "SM", SMSCTL_SMS_UNREAD, &l), 0);
	smsctl_stored_list_free(l);
	ck_assert_int_eq(smsctl_sms_list(m, "SM", SMSCTL_SMS_READ, &l), 3);
	smsctl_stored_list_free(l);
	ck_assert_int_eq(smsctl_sms_list(m, "SM", SMSCTL_SMS_SENT, &l), 0);
	smsctl_stored_list_free(l);

	ck_assert_int_eq(smsctl_sms_read(m, "SM", t->first_index, &s), 0);
	ck_assert_int_eq(smsctl_stored_get_index(s), t->first_index);
	ck_assert_int_eq(smsctl_stored_get_status(s), SMSCTL_SMS_READ);
	ck_assert_str_eq(smsctl_pdu_get_text(smsctl_stored_get_pdu(s)), "one");
	smsctl_stored_free(s);
	ck_assert_int_eq(smsctl_sms_read(m, NULL, t->first_index + 1, &s), 0);
	ck_assert_str_eq(smsctl_stored_get_storage(s), "SM");
	smsctl_stored_free(s);

	ck_assert_int_eq(smsctl_sms_delete(m, "SM", t->first_index), 0);
	ck_assert_int_eq(smsctl_sms_read(m, "SM", t->first_index, &s), SMSCTL_ERR_NOT_FOUND);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(stored_in(m, "SM"), 2);
	ck_assert_int_eq(smsctl_sms_delete_all(m, NULL), 0);
	ck_assert_int_eq(stored_all(m), 0);
	smsctl_modem_free(m);
}
END_TEST

/* Another memory is switched to and back. */
START_TEST(test_other_memory_restored)
{
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_stored_list *l = NULL;
	struct smsctl_response *resp = NULL;

	ck_assert_int_eq(smsctl_modem_command(m, "AT+CPMS=\"SM\",\"ME\",\"ME\"", 0, NULL), 0);
	ck_assert_int_eq(smsctl_sim_deliver(smsctl_modem_get_sim(m), "+31611111111", "me", 0), 1);
	ck_assert_int_eq(smsctl_sms_list(m, "ME", SMSCTL_SMS_ALL, &l), 1);
	ck_assert_str_eq(smsctl_stored_get_storage(smsctl_stored_list_get(l, 0)), "ME");
	smsctl_stored_list_free(l);
	ck_assert_int_eq(smsctl_sms_list(m, "SM", SMSCTL_SMS_ALL, &l), 0);
	smsctl_stored_list_free(l);
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CPMS?", 0, &resp), 0);
	ck_assert_ptr_nonnull(strstr(smsctl_response_get_line(resp, 0), "+CPMS: \"SM\""));
	smsctl_response_free(resp);
	ck_assert_int_eq(smsctl_sms_delete_all(m, "ME"), 0);
	ck_assert_int_eq(stored_in(m, "ME"), 0);
	smsctl_modem_free(m);
}
END_TEST

/* Bad arguments and memories the modem does not have. */
static const struct bad_case {
	const char *mem;
	int index;
	int status;
	int want_list, want_read, want_delete;
} bad_cases[] = {
    {"sm\"", 1, SMSCTL_SMS_ALL, SMSCTL_ERR_INVALID, SMSCTL_ERR_INVALID, SMSCTL_ERR_INVALID},
    {"", 1, SMSCTL_SMS_ALL, SMSCTL_ERR_INVALID, SMSCTL_ERR_INVALID, SMSCTL_ERR_INVALID},
    {"TOOLONGNAME", 1, SMSCTL_SMS_ALL, SMSCTL_ERR_INVALID, SMSCTL_ERR_INVALID, SMSCTL_ERR_INVALID},
    {"SM;D", 1, SMSCTL_SMS_ALL, SMSCTL_ERR_INVALID, SMSCTL_ERR_INVALID, SMSCTL_ERR_INVALID},
    {"SM", -1, 0, SMSCTL_ERR_INVALID, SMSCTL_ERR_INVALID, SMSCTL_ERR_INVALID},
    {"SM", 1, 6, SMSCTL_ERR_INVALID, SMSCTL_ERR_NOT_FOUND, 0},
    {"XX", 1, SMSCTL_SMS_ALL, SMSCTL_ERR_UNSUPPORTED, SMSCTL_ERR_UNSUPPORTED,
     SMSCTL_ERR_UNSUPPORTED},
    {"SM", 9999, SMSCTL_SMS_ALL, 0, SMSCTL_ERR_NOT_FOUND, SMSCTL_ERR_NOT_FOUND},
};

START_TEST(test_bad_arguments)
{
	const struct bad_case *t = &bad_cases[_i];
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_stored_list *l = (struct smsctl_stored_list *)&l;
	struct smsctl_stored *s = (struct smsctl_stored *)&s;

	ck_assert_int_eq(smsctl_sms_list(m, t->mem, (enum smsctl_sms_status)t->status, &l),
			 t->want_list);
	if (t->want_list < 0)
		ck_assert_ptr_null(l);
	smsctl_stored_list_free(l);
	ck_assert_int_eq(smsctl_sms_read(m, t->mem, t->index, &s), t->want_read);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(smsctl_sms_delete(m, t->mem, t->index), t->want_delete);
	smsctl_modem_free(m);
}
END_TEST

START_TEST(test_null_arguments)
{
	struct smsctl_receiver *rx = (struct smsctl_receiver *)&rx;
	struct collector c = {0};

	ck_assert_int_eq(smsctl_sms_list(NULL, NULL, SMSCTL_SMS_ALL, NULL), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_read(NULL, NULL, 1, NULL), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_delete(NULL, NULL, 1), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_delete_all(NULL, NULL), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_get_storages(NULL, NULL), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_receiver_new(NULL, collect, &c, &rx), SMSCTL_ERR_INVALID);
	ck_assert_ptr_null(rx);
	ck_assert_int_eq(smsctl_receiver_start(NULL), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_receiver_process(NULL), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_receiver_run(NULL, 0), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_receiver_get_timeout(NULL), -1);
	smsctl_receiver_free(NULL);
	smsctl_stored_free(NULL);
	smsctl_stored_list_free(NULL);
	smsctl_sms_storages_free(NULL);
	ck_assert_str_eq(smsctl_sms_status_name(SMSCTL_SMS_UNREAD), "unread");
	ck_assert_str_eq(smsctl_sms_status_name(0), "");
	ck_assert_str_eq(smsctl_sms_status_name(99), "");
	ck_assert_int_eq(smsctl_sms_status_from_name("sent"), SMSCTL_SMS_SENT);
	ck_assert_int_eq(smsctl_sms_status_from_name("SENT"), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_status_from_name(NULL), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_status_from_name(""), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sms_status_from_name("unknown"), SMSCTL_ERR_INVALID);

	struct smsctl_modem *m = open_sim("sim:");
	ck_assert_int_eq(smsctl_receiver_new(m, NULL, &c, &rx), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_process(rx), SMSCTL_ERR_STATE);
	ck_assert_int_eq(smsctl_receiver_run(rx, 0), SMSCTL_ERR_STATE);
	ck_assert_int_eq(smsctl_receiver_set_mode(rx, 0), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_receiver_set_mode(rx, 3), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_receiver_set_storage(rx, "s m"), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_receiver_set_storage(rx, "ME"), 0);
	ck_assert_int_eq(smsctl_receiver_set_storage(rx, NULL), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), SMSCTL_ERR_STATE);
	smsctl_receiver_free(rx);
	smsctl_modem_free(m);
}
END_TEST

/* ---- +CMT with acknowledgements (+CSMS=1) ---- */

static void assert_no_ack_pending(struct smsctl_modem *m)
{
	struct smsctl_response *resp = NULL;

	/* The simulated modem answers +CMS ERROR: 340 when no +CMT waits for one. */
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CNMA", 0, &resp), SMSCTL_ERR_MODEM);
	ck_assert_int_eq(smsctl_response_get_error_code(resp), 340);
	smsctl_response_free(resp);
}

START_TEST(test_direct_acknowledged)
{
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	bool refuse = _i == 1;

	ck_assert_int_eq(smsctl_modem_command(m, "AT+CSMS=1", 0, NULL), 0);
	c.refuse_all = refuse;
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_set_mode(rx, SMSCTL_RECEIVE_DIRECT), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 0);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31612345678", text_short, 0), 1);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31687654321", text_two, 0), 2);
	ck_assert_int_ge(run_until(rx, &c, 2), 0);
	run_idle(rx, 200);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_uint_eq(count_text(&c, "+31612345678", text_short), 1);
	ck_assert_uint_eq(count_text(&c, "+31687654321", text_two), 1);
	ck_assert_uint_eq(smsctl_receiver_get_refused(rx), refuse ? 2 : 0);
	/* Every +CMT was answered; refused ones negatively, so the network delivers them
	 * again, except the first part of the long one, acknowledged when it was held: that
	 * one is stored on the modem for the next run. */
	assert_no_ack_pending(m);
	ck_assert_int_eq(stored_all(m), refuse ? 1 : 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

/* Without acknowledgements (+CSMS=0) the modem acknowledged for us: a refused message is
 * stored on the modem and handed over by the next run. */
START_TEST(test_direct_refused_saved)
{
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);

	ck_assert_int_eq(smsctl_modem_command(m, "AT+CSMS=0", 0, NULL), 0);
	c.refuse_all = true;
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_set_mode(rx, SMSCTL_RECEIVE_DIRECT), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 0);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31612345678", text_short, 0), 1);
	ck_assert_int_eq(
	    smsctl_sim_deliver(sim, "+31687654321", text_two, SMSCTL_SIM_DELIVER_REVERSE), 2);
	ck_assert_int_ge(run_until(rx, &c, 2), 0);
	run_idle(rx, 200);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_int_eq(stored_all(m), 3);
	smsctl_receiver_free(rx);
	collector_clear(&c);

	/* The next run: both, once, then deleted. */
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 2);
	ck_assert_uint_eq(count_text(&c, "+31612345678", text_short), 1);
	ck_assert_uint_eq(count_text(&c, "+31687654321", text_two), 1);
	ck_assert_int_eq(stored_all(m), 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

/* ---- a noisy line: URC storms, garbage between lines, a slow modem ---- */

static const char *const noisy_devices[] = {
    "sim:?fault=urc_storm",  "sim:huawei?fault=urc_storm",
    "sim:?fault=garbage:20", "sim:quectel?fault=garbage:20,urc_storm",
    "sim:?fault=slow:30",
};

START_TEST(test_noisy_line)
{
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim(noisy_devices[_i]);
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);

	ck_assert_int_eq(
	    smsctl_sim_deliver(sim, "+31600000001", text_three, SMSCTL_SIM_DELIVER_REVERSE), 3);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31600000002", text_short, 0), 1);
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 2);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31600000003", text_ucs2, 0), 2);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+31600000004", text_short, 0), 1);
	ck_assert_int_ge(run_until(rx, &c, 4), 0);
	run_idle(rx, 200);
	ck_assert_uint_eq(c.n, 4);
	ck_assert_uint_eq(count_text(&c, "+31600000001", text_three), 1);
	ck_assert_uint_eq(count_text(&c, "+31600000002", text_short), 1);
	ck_assert_uint_eq(count_text(&c, "+31600000003", text_ucs2), 1);
	ck_assert_uint_eq(count_text(&c, "+31600000004", text_short), 1);
	ck_assert_int_eq(stored_all(m), 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

/* Indications lost: the modem switched them off behind the receiver's back (as 27.005 lets
 * it do after an unacknowledged +CMT) or noise ate them. The safety scan finds the messages. */
START_TEST(test_lost_indications)
{
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim(_i ? "sim:?fault=garbage:60" : "sim:");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	char from[16];

	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_set_scan_interval(rx, 1), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 0);
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CNMI=0,0,0,0,0", 0, NULL), 0);
	for (int i = 0; i < 6; i++) {
		snprintf(from, sizeof(from), "+3161000000%d", i);
		ck_assert_int_eq(smsctl_sim_deliver(sim, from, text_short, 0), 1);
	}
	ck_assert_int_ge(run_until(rx, &c, 6), 0);
	run_idle(rx, 100);
	ck_assert_uint_eq(c.n, 6);
	for (int i = 0; i < 6; i++) {
		snprintf(from, sizeof(from), "+3161000000%d", i);
		ck_assert_uint_eq(count_text(&c, from, text_short), 1);
	}
	/* And the indications are on again. */
	struct smsctl_response *resp = NULL;
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CNMI?", 0, &resp), 0);
	ck_assert_str_eq(smsctl_response_get_line(resp, 0), "+CNMI: 2,1,0,0,0");
	smsctl_response_free(resp);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

/* Garbage glued to PDU lines: the garbled entries of +CMGL are read again one by one. */
static const char *const garbled_devices[] = {
    "sim:?fault=garbage:30,storage_full",
    "sim:huawei?fault=garbage:50,storage_full",
    "sim:simcom?fault=garbage:40,urc_storm,storage_full",
};

START_TEST(test_list_garbled)
{
	struct smsctl_modem *m = open_sim(garbled_devices[_i]);
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	struct smsctl_stored_list *l = NULL;
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	size_t full = smsctl_sim_get_stored_count(sim);

	ck_assert_uint_gt(full, 0);
	ck_assert_int_eq(smsctl_sms_list(m, "SM", SMSCTL_SMS_ALL, &l), (int)full);
	for (size_t i = 1; i < full; i++)
		ck_assert_int_lt(smsctl_stored_get_index(smsctl_stored_list_get(l, i - 1)),
				 smsctl_stored_get_index(smsctl_stored_list_get(l, i)));
	smsctl_stored_list_free(l);
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), (int)full);
	ck_assert_uint_eq(smsctl_sim_get_stored_count(sim), 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

/* ---- +CNMI: set to what the mode needs, the other fields kept ---- */

static const struct cnmi_case {
	const char *before;
	enum smsctl_receive_mode mode;
	bool indications;
	const char *after;
} cnmi_cases[] = {
    {"AT+CNMI=2,0,0,1,0", SMSCTL_RECEIVE_STORED, true, "+CNMI: 2,1,0,1,0"},
    {"AT+CNMI=2,0,0,2,0", SMSCTL_RECEIVE_DIRECT, true, "+CNMI: 2,2,0,2,0"},
    {"AT+CNMI=0,0,0,0,0", SMSCTL_RECEIVE_STORED, true, "+CNMI: 2,1,0,0,0"},
    {"AT+CNMI=1,1,0,0,1", SMSCTL_RECEIVE_STORED, true, "+CNMI: 1,1,0,0,1"},
    {"AT+CNMI=0,0,0,1,0", SMSCTL_RECEIVE_STORED, false, "+CNMI: 0,0,0,1,0"},
};

START_TEST(test_cnmi_configured)
{
	const struct cnmi_case *t = &cnmi_cases[_i];
	struct smsctl_response *resp = NULL;
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim("sim:");

	ck_assert_int_eq(smsctl_modem_command(m, t->before, 0, NULL), 0);
	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_set_mode(rx, t->mode), 0);
	ck_assert_int_eq(smsctl_receiver_set_indications(rx, t->indications), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 0);
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CNMI?", 0, &resp), 0);
	ck_assert_uint_ge(smsctl_response_get_line_count(resp), 1);
	ck_assert_str_eq(smsctl_response_get_line(resp, 0), t->after);
	smsctl_response_free(resp);
	smsctl_receiver_free(rx);
	smsctl_modem_free(m);
}
END_TEST

/* ---- the program's own poll loop ---- */

START_TEST(test_event_loop)
{
	struct collector c = {0};
	struct smsctl_receiver *rx = NULL;
	struct smsctl_modem *m = open_sim("sim:");
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	struct timespec t0;

	ck_assert_int_eq(smsctl_receiver_new(m, collect, &c, &rx), 0);
	ck_assert_int_eq(smsctl_receiver_start(rx), 0);
	ck_assert_int_eq(
	    smsctl_sim_deliver(sim, "+4912345", text_three, SMSCTL_SIM_DELIVER_REVERSE), 3);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (c.n < 1 && elapsed_ms(&t0) < 20000) {
		struct pollfd pfd = {.fd = smsctl_modem_get_fd(m), .events = POLLIN};
		int t = smsctl_receiver_get_timeout(rx);

		ck_assert_int_ge(pfd.fd, 0);
		if (t < 0 || t > 100)
			t = 100;
		ck_assert_int_ge(poll(&pfd, 1, t), 0);
		ck_assert_int_ge(smsctl_receiver_process(rx), 0);
	}
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(c.got[0].text, text_three);
	ck_assert_int_eq(stored_all(m), 0);
	smsctl_receiver_free(rx);
	collector_clear(&c);
	smsctl_modem_free(m);
}
END_TEST

static Suite *recv_suite(void)
{
	Suite *s = suite_create("recv");
	TCase *tc;

	tc = tcase_create("store");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_list_read_delete, 0,
			    (int)(sizeof(store_cases) / sizeof(store_cases[0])));
	tcase_add_test(tc, test_other_memory_restored);
	tcase_add_loop_test(tc, test_list_garbled, 0,
			    (int)(sizeof(garbled_devices) / sizeof(garbled_devices[0])));
	tcase_add_loop_test(tc, test_bad_arguments, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_null_arguments);
	suite_add_tcase(s, tc);

	tc = tcase_create("receiver");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_stored_at_start, 0,
			    (int)(sizeof(profiles) / sizeof(profiles[0])));
	tcase_add_loop_test(tc, test_arrive, 0,
			    (int)(sizeof(arrive_cases) / sizeof(arrive_cases[0])));
	tcase_add_loop_test(tc, test_interleaved, 0,
			    (int)(sizeof(interleave_cases) / sizeof(interleave_cases[0])));
	tcase_add_test(tc, test_refused_kept_and_handed_next_run);
	tcase_add_loop_test(tc, test_unplug_loses_nothing, 0,
			    (int)(sizeof(unplug_points) / sizeof(unplug_points[0])));
	tcase_add_test(tc, test_unplug_while_waiting);
	tcase_add_loop_test(tc, test_incomplete_max_age, 0, 2);
	tcase_add_test(tc, test_incomplete_then_complete);
	tcase_add_test(tc, test_storage_full);
	tcase_add_test(tc, test_cmti_other_memory);
	tcase_add_loop_test(tc, test_direct_acknowledged, 0, 2);
	tcase_add_test(tc, test_direct_refused_saved);
	tcase_add_loop_test(tc, test_cnmi_configured, 0,
			    (int)(sizeof(cnmi_cases) / sizeof(cnmi_cases[0])));
	tcase_add_test(tc, test_event_loop);
	tcase_add_loop_test(tc, test_lost_indications, 0, 2);
	tcase_add_loop_test(tc, test_noisy_line, 0,
			    (int)(sizeof(noisy_devices) / sizeof(noisy_devices[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	make_texts();
	sr = srunner_create(recv_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
