/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The receiver's records, shared by its files: recv.c (indications, reading, hand-over) and
 * recv-options.c (the setters). Internal to lib/sms/.
 */
#ifndef SMSCTL_SMS_RECV_H
#define SMSCTL_SMS_RECV_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/pdu.h>
#include <smsctl/sms.h>

#include "sms/store.h"

/* Default age after which an incomplete message is handed over (one day). */
#define DEFAULT_MAX_AGE 86400UL
/* Events queued by URC handlers before the receiver handles them; beyond this a rescan of
 * every memory replaces them (nothing stored is lost, it is found again). */
#define QUEUE_MAX 256
/* Every memory is scanned this often even with indications, in case one was lost (line
 * noise, a modem that drops them while busy). */
#define DEFAULT_SCAN_S 300
/* When the modem refuses every +CNMI form, storage is scanned this often (ms). */
#define POLL_MS 10000

enum part_state {
	PART_PENDING = 1, /* in the reassembler */
	PART_REFUSED,	  /* handed over and refused: stays stored, not handed again */
	PART_KEPT,	  /* accepted but its delete failed: stays stored, not handed again */
	PART_SKIPPED,	  /* not a received message, or does not decode: left alone */
	PART_STALE,	  /* its index was reused by another message: never delete by it */
	PART_DUP,	  /* the same PDU as a part held (network retransmission) */
};

struct part {
	long id;	       /* the reassembler tag */
	char mem[SMS_MEM_MAX]; /* "" for a part that came in a +CMT */
	int index;	       /* -1 for a +CMT part */
	char *hex;
	enum part_state state;
	long seen;	/* monotonic seconds when first read */
	long dup_of;	/* PART_DUP: the id of the part it repeats, else -1 */
	bool needs_ack; /* a +CMT part waiting for AT+CNMA */
};

enum event_kind {
	EV_CMTI = 1, /* a message stored at mem/index */
	EV_CMT,	     /* a message delivered in the URC */
};

struct event {
	enum event_kind kind;
	char mem[SMS_MEM_MAX];
	int index;
	char *hex;
};

struct smsctl_received {
	struct smsctl_receiver *rx;
	struct smsctl_message *msg;
	bool complete;
};

struct smsctl_receiver {
	struct smsctl_modem *m;
	smsctl_receive_fn fn;
	void *userdata;
	enum smsctl_receive_mode mode;
	char mem_filter[SMS_MEM_MAX]; /* "" for every memory */
	unsigned long max_age;
	bool indications;

	bool started;
	bool need_cnma; /* +CSMS service 1: every +CMT wants AT+CNMA */
	bool polling;	/* no indications: scan storage every POLL_MS */
	long scan_ms;	/* safety scan even with indications, 0: never */
	long last_scan_ms;
	bool rescan;   /* the queue overflowed: scan every memory */
	long retry_at; /* monotonic ms of a rescan after an error, 0 when none */
	int urc_ids[2];
	int err; /* sticky GONE */

	struct smsctl_reassembler *ra;
	struct part *parts;
	size_t n_parts, cap_parts;
	long next_id;

	struct event queue[QUEUE_MAX];
	size_t n_queue;

	struct sms_memsel sel;
	unsigned long accepted, refused;
	int handed_now; /* accepted within the current call */
};

#endif
