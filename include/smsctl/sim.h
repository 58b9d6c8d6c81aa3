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
 *    `slow[:MS]`, `hang`, `garbage[:P]`, `urc_storm`, `bare_prompt`, `reboot`, `unplug[:S]`,
 *    and the additions `radio_off`, `ps_only`, `sim_blocked`, `sms_unavailable`,
 *    `storage_nearly_full`, `storage_mismatch`, `indications_off`, `bare_ok`, `cmss_stat_stuck`;
 *  - `pin=NNNN` the SIM's PIN (default 1234); `puk=NNNNNNNN` its PUK (default 12345678);
 *  - `baud=N` emulate the serial line's speed (8N1: N/10 bytes a second, both ways);
 *    `latency=MS` added to every command; `network=MS` the network's answer to a submit;
 *    `report=MS` from a submit's answer to its status report (default 0);
 *  - `seed=N` the noise generator's seed (default 0): runs are deterministic;
 *  - `boot=1` print the profile's boot URCs when the line opens; `sm=N` SIM capacity (1-255);
 *    `status=MS` print one of the profile's status URCs (^RSSI, +QIND, +CIEV ...) every MS;
 *    `id=N` (0-9999) the modem's own identity: the last digits of its IMEI and ICCID (before
 *    the Luhn check digit, recomputed) and of its IMSI become N;
 *  - messages for programs that cannot call smsctl_sim_deliver() (the CLI, scripts), each key
 *    repeatable, values with %XX escapes (`%2B` for `+`, `%20` space, `%26` `&`, `%2C` `,`):
 *    `pdu=HEX` an SMS-DELIVER (SMSC-prefixed) waiting unread in the storage at open;
 *    `sms=FROM,TEXT` a text waiting at open (concatenated parts when long);
 *    `arrive=MS,HEX` / `arrive=MS,FROM,TEXT` arriving MS after the open, announced as
 *    +CNMI says. Example: `sim:?sms=%2B4915112345678,Hello&arrive=2000,%2B15550001,Hi`.
 *
 * Profiles (identity from AT+CGMI/+CGMM/+CGMR/+CGSN and ATI; ICCID command; quirks):
 *  - `generic`: "Generic" "LTE Modem", echo on; AT+CCID `+CCID: 89...` and AT+ICCID
 *    `+ICCID: 89...`; +CESQ and +CEREG; memories SM, ME, MT, SR;
 *  - `wavecom`: Wavecom M1306B (2G), echo on; AT+CCID `+CCID: "89..."`; AT+CPIN? ends
 *    without OK; one extended command per line; SM only, +CPMS=? `(("SM","BM","SR"),("SM"))`;
 *  - `cinterion`: Cinterion EHS6 (3G), echo on; AT^SCID `^SCID: 89...`; +CPMS memories per
 *    parameter (<mem1> ME or MT), default MT; boot URC `^SYSSTART`;
 *  - `simcom`: SIMCom SIM800C (2G), echo on; AT+CCID bare digits; `+CPIN: NOT INSERTED` /
 *    `+CPIN: NOT READY`; boot URCs RDY, +CFUN: 1, +CPIN:, Call Ready, SMS Ready;
 *  - `quectel`: Quectel EC25 (LTE), echo on, +CMEE=1 by default; AT+QCCID `+QCCID: 89...`;
 *    +CESQ and +CEREG; boot URCs RDY, +CFUN: 1, +CPIN:, +QUSIM: 1, +QIND: SMS DONE/PB DONE;
 *  - `huawei`: Huawei E173 (3G), echo off; AT^ICCID? `^ICCID: 98...` (nibble-swapped);
 *    unknown commands `COMMAND NOT SUPPORT`; storage indexes from 0; ^SYSINFO; status URCs
 *    ^RSSI, ^MODE, ^BOOT.
 * Every profile answers AT, ATE, ATV, ATQ0, ATZ, AT&F, ATI, +CGMI/+GMI ..., +CMEE (0: bare
 * ERROR, 1: numeric, 2: verbose), +CFUN, +CPIN (3 wrong PINs lead to PUK, 10 wrong PUKs to a
 * blocked SIM, `+CME ERROR: 262`), +CLCK="SC", +CSQ, +CREG/+CGREG (`=N`, `?`), +COPS,
 * +CSCA, +CSMS, +CPMS (SM, ME, MT, SR where the profile has them), +CNMI, +CMGF (PDU mode
 * only: `=1` is `+CMS ERROR: 303`), +CSCS, +CMGS/+CMGW (prompt, PDU, Ctrl-Z; ESC aborts with
 * OK; a length or structure mismatch is `+CMS ERROR: 304`), +CMGL, +CMGR, +CMGD (with flags),
 * +CNMA (after `+CSMS=1`), +CIMI, +CNUM; chained commands (`ATE0;+CMEE=1`) where allowed.
 * Incoming SMS go to the <mem3> of +CPMS with `+CMTI`, or come as `+CMT: ,<len>` + PDU
 * (+CNMI <mt>=2); status reports as `+CDS` (<ds>=1) or stored with `+CDSI` (<ds>=2). Message
 * references start at a seeded value and count up modulo 256.
 *
 * Faults and what the modem then says (with +CMEE=1):
 *  - `sim_absent`: AT+CPIN? `+CME ERROR: 10` (simcom `+CPIN: NOT INSERTED`), SIM commands
 *    CME 10 / CMS 310, not registered; `sim_pin`: `+CPIN: SIM PIN` until AT+CPIN="pin",
 *    CME 11 / CMS 311; `sim_puk`: `+CPIN: SIM PUK` until AT+CPIN="puk","newpin", CME 12 / CMS
 *    316; `sim_failure`: CME 13 / CMS 313; `sim_blocked` (PUK used up): AT+CPIN?
 *    `+CME ERROR: 262`, CMS 313; `sim_busy[:N]`: CME 14 / CMS 314 for the next N
 *    command lines (default 3), then ready;
 *  - `no_signal`: +CSQ 99,99, +CESQ all unknown, registration 2 (searching); `weak_signal`:
 *    +CSQ 5,99, +CESQ RSRQ 5 RSRP 20; `not_registered` 0; `searching` 2; `denied` 3; `roaming`
 *    5; `ps_only`: +CREG 0 but +CGREG/+CEREG 1; `radio_off`: +CFUN: 0, no signal, not
 *    registered. A submit while not registered gets `+CMS ERROR: 331` after the PDU;
 *  - `smsc_missing`: `+CSCA: "",129`, a submit without its own SMSC gets `+CMS ERROR: 330`
 *    (AT+CSCA= repairs it); `storage_full` / `storage_nearly_full`: SM filled to its capacity
 *    (or capacity - 1) with read messages, new ones are lost; `storage_mismatch`: new
 *    messages go to a memory <mem1> does not cover (+CPMS "SM","SM","ME"; profiles with one
 *    memory are unaffected); `indications_off`: +CNMI 0,0,0,0,0; `sms_unavailable`:
 *    `+CSMS: 0,0,0,0` and AT+CMGS= answers `+CMS ERROR: 301` before the prompt;
 *  - `send_fail:N`: every submit answers `+CMS ERROR: N`; `send_fail_once:N`: the next one
 *    only; `send_timeout`: the submit is accepted (recorded) but never answered;
 *    `bare_prompt`: the prompt is `>` without the space; `bare_ok`: every command line is
 *    answered by a bare `OK` (no information lines, no errors; settings still apply);
 *    `cmss_stat_stuck`: AT+CMSS sends a stored message but leaves its slot "STO UNSENT"
 *    (stat 2), as some firmwares do;
 *  - `slow[:MS]`: every answer MS later (default 2000); `hang`: nothing is answered or echoed;
 *    `garbage[:P]`: with probability P% (default 20) a few bytes of noise (0x00, 0x80-0xFF)
 *    before each line; `urc_storm`: a status URC of the profile before every line of a
 *    response;
 *  - `reboot`: after answering the next command line the modem restarts once: boot URCs,
 *    echo/CMEE/CNMI/CPMS back to the defaults, the PIN asked again; stored messages stay;
 *  - `unplug[:S]`: the line closes after S seconds (from the open, or from
 *    smsctl_sim_set_fault()), or without S when the next submit's PDU arrives (unanswered,
 *    not recorded): the engine reads EOF.
 *
 * Threads: the simulated modem runs in a thread of its own behind a socket pair; the functions
 * below may be called from the thread that owns the modem handle at any time.
 * Ownership: the object belongs to its modem handle and lives until smsctl_modem_close() or
 * smsctl_modem_free(); each smsctl_modem_open() starts a fresh simulated modem (state as the
 * device string says).
 */
#ifndef SMSCTL_SIM_H
#define SMSCTL_SIM_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/common.h>

SMSCTL_BEGIN_DECLS

/** The simulated modem (opaque): borrowed from an open `sim:` handle with
 *  smsctl_modem_get_sim(); never freed by the caller. */
struct smsctl_sim;

/**
 * Switch a fault on or off at run time.
 * @param fault a fault name as in the device string, with its argument ("send_fail:42").
 * @return 0, or ::SMSCTL_ERR_INVALID for an unknown name or bad argument.
 */
SMSCTL_API int smsctl_sim_set_fault(struct smsctl_sim *sim, const char *fault, bool on);
/** Whether a fault (by name, without argument) is on; false for a NULL sim or fault. */
SMSCTL_API bool smsctl_sim_has_fault(const struct smsctl_sim *sim, const char *fault);
/** The profile name ("generic", "huawei", ...). Static; NULL for a NULL sim. */
SMSCTL_API const char *smsctl_sim_get_profile(const struct smsctl_sim *sim);

/**
 * Make an SMS arrive from the network: stored and announced with `+CMTI`, or delivered with
 * `+CMT`, as `AT+CNMI` says. A long text arrives as concatenated parts.
 * @param from originator (`+` digits, digits or alphanumeric).
 * @param text UTF-8 text.
 * @param flags 0, or SMSCTL_SIM_DELIVER_UCS2 / SMSCTL_SIM_DELIVER_REVERSE (parts in reverse
 *        order).
 * @return the number of parts, or a negative error (::SMSCTL_ERR_TOO_LONG when the storage is
 *         full and the message was lost, as a real modem would; ::SMSCTL_ERR_NETWORK when the
 *         modem is not registered; ::SMSCTL_ERR_STATE once unplugged; ::SMSCTL_ERR_INVALID
 *         for a bad originator or text).
 */
SMSCTL_API int smsctl_sim_deliver(struct smsctl_sim *sim, const char *from, const char *text,
				  unsigned flags);
#define SMSCTL_SIM_DELIVER_UCS2	   0x1u /**< force UCS-2 coding */
#define SMSCTL_SIM_DELIVER_REVERSE 0x2u /**< deliver concatenated parts last first */
/**
 * Make one SMS-DELIVER PDU (hex, SMSC-prefixed; copied) arrive, as smsctl_sim_deliver() does.
 * @return 0; ::SMSCTL_ERR_INVALID (NULL argument), ::SMSCTL_ERR_BAD_PDU (not a deliver PDU),
 *         ::SMSCTL_ERR_STATE (unplugged), ::SMSCTL_ERR_NETWORK (not registered),
 *         ::SMSCTL_ERR_TOO_LONG (storage full, message lost), ::SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_sim_deliver_pdu(struct smsctl_sim *sim, const char *hex);

/** Number of SMS-SUBMIT PDUs the network accepted (0 for a NULL sim). */
SMSCTL_API size_t smsctl_sim_get_sent_count(const struct smsctl_sim *sim);
/**
 * The i-th accepted submit as hex TPDU (without the SMSC), copied into buf, upper case, as the
 * host wrote it (its TP-MR unchanged: the modem's reference is the one `+CMGS:` answered).
 * @param buf receives the NUL-terminated hex; size is its size in bytes.
 * @return 0, or ::SMSCTL_ERR_INVALID when sim is NULL, i is out of range or buf too small.
 */
SMSCTL_API int smsctl_sim_get_sent_pdu(const struct smsctl_sim *sim, size_t i, char *buf,
				       size_t size);
/** Number of AT command lines the simulated modem received. */
SMSCTL_API unsigned long smsctl_sim_get_command_count(const struct smsctl_sim *sim);
/** Number of messages in the SIM storage ("SM"). */
SMSCTL_API size_t smsctl_sim_get_stored_count(const struct smsctl_sim *sim);
/**
 * One slot of the SIM storage ("SM") by position (0 is the first slot, whatever index the
 * profile prints for it): its TS 27.005 <stat> (0-3) and its PDU (hex, SMSC-prefixed) copied
 * into buf. For tests that keep a modem's storage across a crash of its host.
 * @return 0; ::SMSCTL_ERR_NOT_FOUND when the slot is empty; ::SMSCTL_ERR_INVALID (NULL
 *         argument, pos past the capacity, buf too small).
 * @since 0.5
 */
SMSCTL_API int smsctl_sim_get_slot(const struct smsctl_sim *sim, unsigned pos, int *stat, char *buf,
				   size_t size);
/**
 * Put a PDU (hex, SMSC-prefixed; copied) with <stat> 0-3 into slot pos of "SM", replacing
 * what was there; hex NULL empties the slot.
 * @return 0; ::SMSCTL_ERR_INVALID; ::SMSCTL_ERR_BAD_PDU (not hex); ::SMSCTL_ERR_NOMEM.
 * @since 0.5
 */
SMSCTL_API int smsctl_sim_set_slot(struct smsctl_sim *sim, unsigned pos, int stat, const char *hex);

/*
 * Standalone modems (0.4): a simulated modem that no modem handle owns, for programs that
 * serve it on a line of their own (`smsctl sim serve` puts it behind a pseudo-terminal or a
 * TCP port). No thread: the caller moves the bytes. It writes what the host sent with
 * smsctl_sim_write(), polls with smsctl_sim_get_timeout() as its timeout and reads what is
 * due with smsctl_sim_read(). Latency, the line's speed, the network's delay and timed faults
 * follow the monotonic clock, as with `sim:`. The modem keeps its state (settings, SIM,
 * storage, TP-MR counter, the records of accepted submits) until smsctl_sim_free(): a host
 * that goes away is told with smsctl_sim_hangup(), which never resets it.
 * The run-time calls above (faults, deliveries, records) work on it as well. One object may
 * be used by several threads; each call is atomic.
 */

/**
 * Create a standalone simulated modem.
 * @param device a `sim:` device string, as smsctl_modem_new() takes it.
 * @param out receives the modem, owned by the caller (smsctl_sim_free()).
 * @param detail when not NULL, receives an English sentence saying what is wrong.
 * @return 0; ::SMSCTL_ERR_INVALID (not `sim:`, an unknown profile, key or fault, a bad value),
 *         ::SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_sim_new(const char *device, struct smsctl_sim **out, char *detail,
			      size_t detail_size);
/** Free a modem from smsctl_sim_new(); NULL is ignored, and so is a modem a handle owns. */
SMSCTL_API void smsctl_sim_free(struct smsctl_sim *sim);
/**
 * Bytes the host wrote to the modem. Ignored (0) while unplugged.
 * @return 0; ::SMSCTL_ERR_INVALID; ::SMSCTL_ERR_STATE for a modem a handle owns.
 */
SMSCTL_API int smsctl_sim_write(struct smsctl_sim *sim, const void *buf, size_t len);
/**
 * Copy the modem's output that is due now into buf (at most size bytes); what does not fit
 * stays for the next call.
 * @return the number of bytes (0 when nothing is due); ::SMSCTL_ERR_INVALID;
 *         ::SMSCTL_ERR_STATE for a modem a handle owns.
 */
SMSCTL_API int smsctl_sim_read(struct smsctl_sim *sim, void *buf, size_t size);
/**
 * Run what is due (status reports, timed deliveries, a timed unplug) and tell when something
 * happens next.
 * @return milliseconds until then (0: now), -1 when nothing is pending, or
 *         ::SMSCTL_ERR_INVALID for NULL. Suits poll()'s timeout.
 */
SMSCTL_API int smsctl_sim_get_timeout(struct smsctl_sim *sim);
/** Whether the modem closed its line (fault `unplug`); false for NULL. */
SMSCTL_API bool smsctl_sim_is_unplugged(struct smsctl_sim *sim);
/**
 * The host closed the line (or was killed): a half-written command or PDU is forgotten
 * (never submitted) and answers not yet read are lost, as on a real line. Everything else is
 * kept. @return 0; ::SMSCTL_ERR_INVALID; ::SMSCTL_ERR_STATE for a modem a handle owns.
 */
SMSCTL_API int smsctl_sim_hangup(struct smsctl_sim *sim);
/**
 * Plug an unplugged modem in again: the `unplug` fault is cleared and the modem powers up
 * (session settings back to the profile's, the PIN asked again when it has one); storage,
 * records and the TP-MR counter are kept. Works on a plugged modem too (a power cycle).
 * @return 0; ::SMSCTL_ERR_INVALID; ::SMSCTL_ERR_STATE for a modem a handle owns.
 */
SMSCTL_API int smsctl_sim_replug(struct smsctl_sim *sim);
/** The TP-MR the next accepted submit gets (0-255), or ::SMSCTL_ERR_INVALID for NULL. */
SMSCTL_API int smsctl_sim_get_message_ref(const struct smsctl_sim *sim);
/**
 * The TP-MR the modem answered (`+CMGS: <mr>`) for the i-th accepted submit
 * (smsctl_sim_get_sent_pdu() has its PDU). @return 0-255, or ::SMSCTL_ERR_INVALID.
 */
SMSCTL_API int smsctl_sim_get_sent_message_ref(const struct smsctl_sim *sim, size_t i);
/**
 * Used and total slots of a memory (`SM`, `ME`, `MT`, `SR`).
 * @param used, total receive the counts; either may be NULL.
 * @return 0, or ::SMSCTL_ERR_INVALID for NULL or a memory the profile lacks.
 */
SMSCTL_API int smsctl_sim_get_storage(const struct smsctl_sim *sim, const char *mem, unsigned *used,
				      unsigned *total);

SMSCTL_END_DECLS

#endif
