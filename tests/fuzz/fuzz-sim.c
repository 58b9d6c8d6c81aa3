/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the simulated modem's command interpreter: any bytes a host may write
 * (commands, PDUs after the prompt, Ctrl-Z, ESC, noise, NUL), with the run-time API
 * (smsctl_sim_deliver*, smsctl_sim_set_fault, the getters) in between, through the sim:
 * transport as the engine opens it: a socket pair with the simulator's thread behind it.
 * Bytes go in, bytes come out: nothing may crash, leak, hang or read out of bounds.
 *
 * Input: byte 0 chooses the profile (bits 0-2), boot URCs (bit 3), a fault set from byte 1
 * (bit 4) and, with bit 7, takes the device spec itself from the input up to the first LF
 * (so the spec parser and the preloads are fuzzed too). Then the host's bytes, where
 * 0xFE OP is an action instead: OP bits 0-2: 0 wait until the simulator has read everything,
 * 1 an incoming PDU, 2 an incoming text, 3 toggle fault OP >> 3, 4 read the getters.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <time.h>
#include <unistd.h>

#include <smsctl/smsctl.h>

#include "transport/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const profiles[] = {"generic", "wavecom", "cinterion",
				       "simcom",  "quectel", "huawei"};

/* Faults that do not only delay: a delay does nothing a shorter run could not show. */
static const char *const faults[] = {
    "sim_absent",      "sim_pin",	 "sim_puk",
    "sim_failure",     "sim_busy",	 "no_signal",
    "weak_signal",     "not_registered", "searching",
    "denied",	       "roaming",	 "smsc_missing",
    "storage_full",    "send_fail=42",	 "send_fail_once=38",
    "send_timeout",    "hang",		 "garbage=30",
    "urc_storm",       "bare_prompt",	 "reboot",
    "radio_off",       "ps_only",	 "storage_nearly_full",
    "indications_off", "sim_blocked",	 "storage_mismatch",
    "sms_unavailable", "unplug",	 "sim_busy=2",
    "garbage=100",     "send_fail=500",
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* What a network sends (cases of the PDU and AT corpora, see corpus-sim/README.md): an
 * SMS-DELIVER (gsmmodem-decode-1), the first of two parts (gammu-atgen-cmt-2), a status
 * report (mm-cds-1), and two the simulator must refuse. */
static const char *const incoming[] = {
    "06917228195339040B917228214365F700003130805120618005D4F29C2E03",
    "07918497483252F0440B918496445078F70008712132014474400B0800032A02017001000041",
    "07914356060013F1065A098136395339F6219011700463802190117004638030",
    "00",
    "zz",
};
static const char *const senders[] = {"+8613800138000", "10086", "Shop", "+", "ABCDEFGHIJKLM"};
static const char *const texts[] = {
    "Hello",
    "",
    "\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xe4\xb8\x96\xe7\x95\x8c",
    "a long one that needs more than one part when it is sent in the GSM default alphabet "
    "because it is longer than one hundred and sixty characters, which is the limit of one "
    "SMS in that alphabet",
};

struct run {
	struct transport *t;
	struct smsctl_sim *sim;
	size_t out_bytes;
	bool gone;
};

static void drain_output(struct run *r)
{
	uint8_t buf[4096];

	while (!r->gone) {
		ssize_t n = r->t->ops->read(r->t, buf, sizeof(buf));
		if (n > 0) {
			r->out_bytes += (size_t)n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			r->gone = true; /* the simulator closed the line (unplug) */
		break;
	}
}

/* Wait until the simulator's thread has read every byte written and worked on them (it
 * holds its lock while it works; a getter takes the lock). Bounded: a hung thread is a
 * finding, not a reason to wait forever. */
static void settle(struct run *r)
{
	for (int i = 0; i < 2000 && !r->gone; i++) {
		int queued = 0;
		if (ioctl(r->t->fd, SIOCOUTQ, &queued) < 0 || queued == 0)
			break;
		drain_output(r);
		struct timespec ts = {0, 20000};
		nanosleep(&ts, NULL);
	}
	(void)smsctl_sim_get_command_count(r->sim);
	drain_output(r);
}

static void host_write(struct run *r, const uint8_t *buf, size_t len)
{
	int stuck = 0;

	while (len && !r->gone && stuck < 1000) {
		ssize_t n = r->t->ops->write(r->t, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			stuck = 0;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			r->gone = true;
			break;
		}
		drain_output(r);
		struct pollfd pfd = {.fd = r->t->fd, .events = POLLOUT};
		poll(&pfd, 1, 1);
		stuck++;
	}
}

static void action(struct run *r, uint8_t op)
{
	char buf[512];

	switch (op & 7) {
	case 0:
		settle(r);
		break;
	case 1:
		(void)smsctl_sim_deliver_pdu(r->sim, incoming[(op >> 3) % N_OF(incoming)]);
		break;
	case 2:
		(void)smsctl_sim_deliver(r->sim, senders[(op >> 3) % N_OF(senders)],
					 texts[(op >> 5) % N_OF(texts)], (op >> 6) & 3);
		break;
	case 3: {
		const char *f = faults[(op >> 3) % N_OF(faults)];
		char name[32];
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(f, "="), f);
		(void)smsctl_sim_set_fault(r->sim, name, !smsctl_sim_has_fault(r->sim, name));
		break;
	}
	case 4: {
		size_t sent = smsctl_sim_get_sent_count(r->sim);
		for (size_t i = 0; i <= sent && i < 4; i++)
			if (smsctl_sim_get_sent_pdu(r->sim, i, buf, (size_t)(op >> 3) * 16 + 1) ==
				0 &&
			    !memchr(buf, '\0', (size_t)(op >> 3) * 16 + 1))
				abort(); /* a PDU copied out is NUL-terminated within the buffer */
		(void)smsctl_sim_get_stored_count(r->sim);
		(void)smsctl_sim_get_profile(r->sim);
		break;
	}
	default:
		drain_output(r);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char spec[1024];
	struct transport_params params = {.baud = 115200};
	struct transport_error e;
	struct run r = {0};

	if (size < 2 || size > 65536)
		return 0;
	uint8_t h0 = data[0], h1 = data[1];
	data += 2;
	size -= 2;

	if (h0 & 0x80) {
		/* the spec from the input: what a user may type after "sim:" */
		const uint8_t *lf = memchr(data, '\n', size);
		size_t n = lf ? (size_t)(lf - data) : size;
		if (n >= sizeof(spec) || memchr(data, '\0', n))
			return 0;
		memcpy(spec, data, n);
		spec[n] = '\0';
		data += lf ? n + 1 : n;
		size -= lf ? n + 1 : n;
	} else {
		/* fast line, no network delay: answers are due at once */
		int o = snprintf(spec, sizeof(spec),
				 "%s?baud=4000000&latency=0&network=0&report=0&seed=%u&boot=%d",
				 profiles[(h0 & 7) % N_OF(profiles)], h1, (h0 >> 3) & 1);
		if (h0 & 0x10)
			snprintf(spec + o, sizeof(spec) - (size_t)o, "&fault=%s,%s",
				 faults[h1 % N_OF(faults)], faults[(h1 >> 3) % N_OF(faults)]);
	}
	if (transport_open_sim(spec, &params, &r.t, &r.sim, &e) < 0) {
		if (r.t || r.sim || e.err >= 0 || !memchr(e.detail, '\0', sizeof(e.detail)))
			abort(); /* a failed open leaves nothing and says why */
		return 0;
	}

	size_t start = 0;
	for (size_t i = 0; i < size; i++) {
		if (data[i] != 0xFE || i + 1 >= size)
			continue;
		host_write(&r, data + start, i - start);
		action(&r, data[i + 1]);
		i++;
		start = i + 1;
	}
	if (start < size)
		host_write(&r, data + start, size - start);
	settle(&r);
	r.t->ops->close(r.t); /* stops and joins the simulator's thread */
	return 0;
}
