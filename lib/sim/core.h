/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the simulated modem's core. A pure state machine: it takes the bytes the host
 * wrote and the current time, and queues the bytes the modem answers, each with the time it
 * may leave (latency, network delay and the serial line's speed are emulated here). It does
 * no I/O and starts no thread, so tests drive it directly; lib/sim/device.c runs it
 * in a thread behind a socket pair. Times are microseconds on any monotonic clock. */
#ifndef SMSCTL_SIM_CORE_H
#define SMSCTL_SIM_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_core;

/* Parse a device spec (what follows "sim:") and build a modem in its initial state.
 * On failure returns NULL and, when err is not NULL, a negative SMSCTL_ERR_* in *err and an
 * English sentence in detail. */
struct sim_core *sim_core_new(const char *spec, int *err, char *detail, size_t detail_size);
void sim_core_free(struct sim_core *c);

/* The line is opened at time now: timers (unplug:S) start, boot URCs are queued with boot=1. */
void sim_core_start(struct sim_core *c, uint64_t now);
/* Bytes the host wrote, received at time now. */
void sim_core_input(struct sim_core *c, const void *buf, size_t len, uint64_t now);
/* Run timers due at now (status reports, unplug). */
void sim_core_tick(struct sim_core *c, uint64_t now);
/* Bytes ready to leave at time now: *data points into the core (valid until the next call),
 * the return value is their number (0 when none). sim_core_consume() drops what was sent. */
size_t sim_core_peek(struct sim_core *c, uint64_t now, const uint8_t **data);
void sim_core_consume(struct sim_core *c, size_t n);
/* The time something happens next (output due, timer), or UINT64_MAX. */
uint64_t sim_core_next_event(const struct sim_core *c);
/* Whether the modem closed the line (unplug) at or before now. */
bool sim_core_closed(const struct sim_core *c, uint64_t now);

/* Run-time control (the caller serialises access). */
int sim_core_set_fault(struct sim_core *c, const char *fault, bool on, uint64_t now);
bool sim_core_has_fault(const struct sim_core *c, const char *fault);
const char *sim_core_profile_name(const struct sim_core *c);
/* An incoming SMS-DELIVER (hex, SMSC-prefixed) arrives at time now. Returns 0,
 * SMSCTL_ERR_BAD_PDU, SMSCTL_ERR_TOO_LONG (storage full: lost). */
int sim_core_deliver_pdu(struct sim_core *c, const char *hex, uint64_t now);
size_t sim_core_sent_count(const struct sim_core *c);
int sim_core_sent_pdu(const struct sim_core *c, size_t i, char *buf, size_t size);
/* The TP-MR +CMGS: answered for record i, or SMSCTL_ERR_INVALID. */
int sim_core_sent_mr(const struct sim_core *c, size_t i);
/* The TP-MR the next accepted submit gets. */
unsigned sim_core_mr(const struct sim_core *c);
/* Used and total slots of a memory ("SM", "ME", "MT", "SR"); SMSCTL_ERR_INVALID when the
 * profile has no such memory. */
int sim_core_storage(const struct sim_core *c, const char *mem, unsigned *used, unsigned *total);
/* The host closed the line: partial input and unread output are dropped, state is kept. */
void sim_core_hangup(struct sim_core *c);
/* Plugged in again after an unplug (the fault is cleared): powers up with storage kept. */
void sim_core_replug(struct sim_core *c, uint64_t now);
unsigned long sim_core_command_count(const struct sim_core *c);
size_t sim_core_stored_count(const struct sim_core *c);
/* A slot of SM by position (0-based): stat and hex, SMSCTL_ERR_NOT_FOUND when empty. */
int sim_core_get_slot(const struct sim_core *c, unsigned pos, int *stat, char *buf, size_t size);
/* Put a message (or, hex NULL, nothing) into SM at a position. */
int sim_core_set_slot(struct sim_core *c, unsigned pos, int stat, const char *hex);
/* The SMSC the modem uses now ("" when missing) and the profile's own. */
const char *sim_core_smsc(const struct sim_core *c);
const char *sim_core_profile_smsc(const struct sim_core *c);
/* A fresh number for each incoming message (concatenation reference, time stamp). */
unsigned sim_core_next_incoming(struct sim_core *c);

#endif
