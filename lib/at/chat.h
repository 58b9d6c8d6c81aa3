/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the AT command engine (oFono gatchat model). A queue with one command in flight,
 * the table of final results, the response prefixes derived from each command, URC handlers
 * by prefix, the `>` prompt path, per-command timeouts and one resynchronisation after a
 * timeout. No I/O of its own: bytes come in through at_chat_feed(), go out through the write
 * callback, and time is given by the caller (milliseconds of a monotonic clock), so the same
 * code runs over a transport, in unit tests and under a fuzzer. */
#ifndef SMSCTL_AT_CHAT_H
#define SMSCTL_AT_CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <smsctl/modem.h>

#include "at/response.h"

/* Longest command accepted (V.250 asks modems for at least 40 characters; real ones take
 * a few hundred) and longest PDU (hex of 176 octets of TPDU plus a 12-octet SMSC). */
#define AT_CMD_MAX 2048
#define AT_PDU_MAX 1024
/* AT+CMGS and AT+CMGW wait at least this long after Ctrl-Z: the network answers. */
#define AT_PDU_MIN_TIMEOUT_MS 60000
/* After ESC, input is discarded this long before `AT` is sent to resynchronise. */
#define AT_RESYNC_GUARD_MS 100

struct at_chat;

/* Write len bytes; returns len, or -1 with errno (EIO, EPIPE: the modem is gone). The
 * callback is responsible for waiting while the line is full. */
typedef ssize_t (*at_write_fn)(void *userdata, const void *buf, size_t len);

struct at_chat *at_chat_new(at_write_fn write, void *userdata, unsigned default_timeout_ms);
/* Ends every command with SMSCTL_RESULT_CANCELLED, then frees. NULL allowed. */
void at_chat_free(struct at_chat *c);

void at_chat_set_trace(struct at_chat *c, smsctl_trace_fn fn, void *userdata);
void at_chat_set_default_timeout(struct at_chat *c, unsigned timeout_ms);

/* Forget all line state and start again (a new transport after open). */
void at_chat_reset(struct at_chat *c, uint64_t now_ms);

/* Flags of at_chat_send_flags(). AT_SEND_INFO_ENDS: the modem may end this command's answer
 * without a final result (Wavecom's AT+CPIN?); once an information line of the command has
 * come, AT_INFO_END_MS of silence end it with OK and an empty final line, without the
 * timeout's resynchronisation. A final result that comes in time ends it as usual. */
#define AT_SEND_INFO_ENDS 0x1u
#define AT_INFO_END_MS	  150

/* Queue a command. timeout_ms <= 0: the default. Returns 0, SMSCTL_ERR_INVALID (bad
 * characters, too long), SMSCTL_ERR_NOMEM. The command may be written before this returns. */
int at_chat_send(struct at_chat *c, const char *cmd, const char *pdu, int timeout_ms,
		 smsctl_response_fn fn, void *userdata, uint64_t now_ms);
/* at_chat_send() with flags (AT_SEND_*). */
int at_chat_send_flags(struct at_chat *c, const char *cmd, const char *pdu, int timeout_ms,
		       unsigned flags, smsctl_response_fn fn, void *userdata, uint64_t now_ms);

/* Bytes from the modem. */
void at_chat_feed(struct at_chat *c, const void *buf, size_t len, uint64_t now_ms);
/* Handle expired deadlines. */
void at_chat_tick(struct at_chat *c, uint64_t now_ms);
/* Milliseconds to the next deadline from now_ms (0 if already due), -1 when none. */
int at_chat_get_timeout(const struct at_chat *c, uint64_t now_ms);
/* The modem went away (EOF, EIO): every pending and future command ends with
 * SMSCTL_RESULT_GONE until at_chat_reset(). */
void at_chat_hangup(struct at_chat *c);
/* End every queued and in-flight command with SMSCTL_RESULT_CANCELLED. */
void at_chat_cancel_all(struct at_chat *c);
bool at_chat_is_gone(const struct at_chat *c);

int at_chat_add_urc_handler(struct at_chat *c, const char *prefix, bool two_line, smsctl_urc_fn fn,
			    void *userdata);
int at_chat_remove_urc_handler(struct at_chat *c, int id);

/* Counters: responses completed + URCs delivered (a change means "something happened"),
 * commands written, lines tokenized. */
unsigned long at_chat_get_events(const struct at_chat *c);
unsigned long at_chat_get_command_count(const struct at_chat *c);
/* Bytes received, and of them those dropped as line noise (for the diagnosis). */
unsigned long at_chat_get_noise(const struct at_chat *c, unsigned long *received);
unsigned long at_chat_get_line_count(const struct at_chat *c);

#endif
