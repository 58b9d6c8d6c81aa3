/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sim.h
 * The built-in simulated modem behind `sim:` device strings.
 *
 * A modem speaking the TS 27.007 / TS 27.005 subset real modems answer, with the quirks of a
 * vendor profile and faults that can be chosen in the device string and changed at run time.
 * It runs in the library (no hardware, no root): a program opens `sim:...` with
 * smsctl_modem_new() and gets the simulated modem with smsctl_modem_get_sim().
 *
 * Device string: `sim:[PROFILE][?KEY=VALUE[&KEY=VALUE...]]`
 *  - PROFILE: `generic` (default), `wavecom`, `cinterion`, `simcom`, `quectel`, `huawei`;
 *  - `fault=NAME[,NAME...]`: `sim_absent`, `sim_pin`, `sim_puk`, `sim_failure`, `sim_busy[:N]`,
 *    `no_signal`, `weak_signal`, `not_registered`, `searching`, `denied`, `roaming`,
 *    `smsc_missing`, `storage_full`, `send_fail:N`, `send_fail_once:N`, `send_timeout`,
 *    `slow[:MS]`, `hang`, `garbage[:P]`, `urc_storm`, `bare_prompt`, `reboot`, `unplug[:S]`;
 *  - `pin=NNNN` the SIM's PIN (default 1234, PUK 12345678);
 *  - `baud=N` emulate the serial line's speed; `latency=MS` per command;
 *    `network=MS` the network's answer to a submit.
 *
 * Threads: the simulated modem runs in a thread of its own behind a socket pair; the functions
 * below may be called from the thread that owns the modem handle at any time.
 * Ownership: the object belongs to its modem handle and lives until smsctl_modem_free().
 */
#ifndef SMSCTL_SIM_H
#define SMSCTL_SIM_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/common.h>

SMSCTL_BEGIN_DECLS

struct smsctl_sim;

/**
 * Switch a fault on or off at run time.
 * @param fault a fault name as in the device string, with its argument ("send_fail:42").
 * @return 0, or ::SMSCTL_ERR_INVALID for an unknown name or bad argument.
 */
SMSCTL_API int smsctl_sim_set_fault(struct smsctl_sim *sim, const char *fault, bool on);
/** Whether a fault (by name, without argument) is on. */
SMSCTL_API bool smsctl_sim_has_fault(struct smsctl_sim *sim, const char *fault);
/** The profile name ("generic", "huawei", ...). Static. */
SMSCTL_API const char *smsctl_sim_get_profile(const struct smsctl_sim *sim);

/**
 * Make an SMS arrive from the network: stored and announced with `+CMTI`, or delivered with
 * `+CMT`, as `AT+CNMI` says. A long text arrives as concatenated parts.
 * @param from originator (`+` digits, digits or alphanumeric).
 * @param text UTF-8 text.
 * @param flags 0, or SMSCTL_SIM_DELIVER_UCS2 / SMSCTL_SIM_DELIVER_REVERSE (parts in reverse
 *        order).
 * @return the number of parts, or a negative error (::SMSCTL_ERR_TOO_LONG when the storage is
 *         full and the message was lost, as a real modem would).
 */
SMSCTL_API int smsctl_sim_deliver(struct smsctl_sim *sim, const char *from, const char *text,
				  unsigned flags);
#define SMSCTL_SIM_DELIVER_UCS2    0x1u /**< force UCS-2 coding */
#define SMSCTL_SIM_DELIVER_REVERSE 0x2u /**< deliver concatenated parts last first */
/** Make one SMS-DELIVER PDU (hex, SMSC-prefixed) arrive. @return 0 or a negative error. */
SMSCTL_API int smsctl_sim_deliver_pdu(struct smsctl_sim *sim, const char *hex);

/** Number of SMS-SUBMIT PDUs the network accepted. */
SMSCTL_API size_t smsctl_sim_get_sent_count(struct smsctl_sim *sim);
/**
 * The i-th accepted submit as hex TPDU (without the SMSC), copied into buf.
 * @return 0, or ::SMSCTL_ERR_INVALID when i is out of range or buf too small.
 */
SMSCTL_API int smsctl_sim_get_sent_pdu(struct smsctl_sim *sim, size_t i, char *buf, size_t size);
/** Number of AT command lines the simulated modem received. */
SMSCTL_API unsigned long smsctl_sim_get_command_count(struct smsctl_sim *sim);
/** Number of messages in the SIM storage ("SM"). */
SMSCTL_API size_t smsctl_sim_get_stored_count(struct smsctl_sim *sim);

SMSCTL_END_DECLS

#endif
