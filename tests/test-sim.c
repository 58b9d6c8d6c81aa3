/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated modem: the core driven byte by byte (no thread, virtual time), the sim:
 * transport through its socket pair, and the public run-time API.
 *
 * PDUs used here come from python-gsmmodem's test suite (github.com/faucamp/python-gsmmodem,
 * test/test_pdu.py, commit 834c68b1387c; corpus cases gsmmodem-encode-1, gsmmodem-decode-4,
 * gsmmodem-decode-1), see tests/data/README.sim.md. */
#include <check.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smsctl/error.h>
#include <smsctl/modem.h>
#include <smsctl/pdu.h>
#include <smsctl/sim.h>

#include "parse/parse.h"
#include "sim/core.h"
#include "sim/text.h"
#include "transport/transport.h"

/* SMS-SUBMIT "Hello World!" to +27820001111, default SMSC (gsmmodem-encode-1): TPDU 24 octets. */
#define SUBMIT_HELLO	  "0001000B917228001011F100000CC8329BFD065DDF72363904"
#define SUBMIT_HELLO_TPDU "01000B917228001011F100000CC8329BFD065DDF72363904"
/* SMS-SUBMIT with a status report request and SMSC +31624000000 (gsmmodem-decode-4): 28. */
#define SUBMIT_SRR "07911326040000F0310D0B911326880736F40000A90FF7FBDD454E87CDE1B0DB357EB701"
/* SMS-DELIVER "Test2" from +27821234567 (gsmmodem-decode-1): TPDU 24 octets. */
#define DELIVER_TEST2 "06917228195339040B917228214365F700003130805120618005D4F29C2E03"

#define SEC 1000000ull

struct io {
	struct sim_core *c;
	uint64_t t;
	char out[16384];
	size_t len;
};

static struct sim_core *core_new(const char *spec)
{
	int err;
	char detail[256];
	struct sim_core *c = sim_core_new(spec, &err, detail, sizeof(detail));
	ck_assert_msg(c != NULL, "spec '%s': %s", spec, detail);
	sim_core_start(c, 0);
	return c;
}

/* Collect everything the modem sends up to time until. */
static void collect(struct io *io, uint64_t until)
{
	const uint8_t *d;
	size_t n;
	io->len = 0;
	sim_core_tick(io->c, until);
	while ((n = sim_core_peek(io->c, until, &d)) > 0) {
		ck_assert_uint_lt(io->len + n, sizeof(io->out));
		memcpy(io->out + io->len, d, n);
		io->len += n;
		sim_core_consume(io->c, n);
		sim_core_tick(io->c, until);
	}
	io->out[io->len] = '\0';
}

/* Send bytes at the next second and read everything within the following 10 minutes. */
static const char *xfer(struct io *io, const char *in)
{
	io->t += 1000 * SEC;
	sim_core_input(io->c, in, strlen(in), io->t);
	collect(io, io->t + 600 * SEC);
	return io->out;
}

static void io_open(struct io *io, const char *spec)
{
	memset(io, 0, sizeof(*io));
	io->c = core_new(spec);
	io->t = 0;
	collect(io, 0);
}

/* Open with echo off and numeric errors, as the library leaves a modem. */
static void io_open_quiet(struct io *io, const char *spec)
{
	io_open(io, spec);
	xfer(io, "ATE0\r");
	ck_assert_str_eq(xfer(io, "AT+CMEE=1\r"), "\r\nOK\r\n");
}

static void io_close(struct io *io)
{
	sim_core_free(io->c);
	io->c = NULL;
}

static size_t list_decoded(struct io *io, struct smsctl_pdu **pdus, size_t max);

static const char *const profiles[] = {"generic", "wavecom", "cinterion",
				       "simcom",  "quectel", "huawei"};
#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

/* ---- Identity of every profile ---- */

static const struct {
	const char *profile, *cmd, *expect;
} identity[] = {
    {"generic", "AT+CGMI\r", "\r\nGeneric\r\n\r\nOK\r\n"},
    {"generic", "AT+GMM\r", "\r\nLTE Modem\r\n\r\nOK\r\n"},
    {"generic", "AT+CGSN\r", "\r\n351234567890124\r\n\r\nOK\r\n"},
    {"generic", "AT+CCID\r", "\r\n+CCID: 8910010000012345674\r\n\r\nOK\r\n"},
    {"generic", "AT+ICCID\r", "\r\n+ICCID: 8910010000012345674\r\n\r\nOK\r\n"},
    {"generic", "AT+CNUM\r", "\r\n+CNUM: \"\",\"+15550123456\",145\r\n\r\nOK\r\n"},
    {"wavecom", "AT+CGMI\r", "\r\nWAVECOM MODEM\r\n\r\nOK\r\n"},
    {"wavecom", "AT+CGMR\r", "\r\n430e09gm.3 1207928 020102 14:41\r\n\r\nOK\r\n"},
    {"wavecom", "AT+CCID\r", "\r\n+CCID: \"8933010023000123459\"\r\n\r\nOK\r\n"},
    {"wavecom", "AT+CPIN?\r", "\r\n+CPIN: READY\r\n"},
    {"wavecom", "AT+CNUM\r", "\r\nOK\r\n"},
    {"cinterion", "ATI\r", "\r\nCinterion\r\n\r\nEHS6\r\n\r\nREVISION 03.001\r\n\r\nOK\r\n"},
    {"cinterion", "AT^SCID\r", "\r\n^SCID: 8949000012345678903\r\n\r\nOK\r\n"},
    {"cinterion", "AT+CCID\r", "\r\nERROR\r\n"},
    {"simcom", "AT+CGMM\r", "\r\nSIMCOM_SIM800C\r\n\r\nOK\r\n"},
    {"simcom", "AT+CCID\r", "\r\n8986001012345678011\r\n\r\nOK\r\n"},
    {"simcom", "AT+GSN\r", "\r\n862906030021351\r\n\r\nOK\r\n"},
    {"quectel", "AT+CGMR\r", "\r\nEC25EFAR06A06M4G\r\n\r\nOK\r\n"},
    {"quectel", "AT+QCCID\r", "\r\n+QCCID: 8986012012345678026\r\n\r\nOK\r\n"},
    {"quectel", "AT+CIMI\r", "\r\n460011234567890\r\n\r\nOK\r\n"},
    {"huawei", "ATI\r",
     "\r\nManufacturer: huawei\r\n\r\nModel: E173\r\n\r\nRevision: 11.126.85.00.209\r\n"
     "\r\nIMEI: 357903040055448\r\n\r\n+GCAP: +CGSM,+DS,+ES\r\n\r\nOK\r\n"},
    {"huawei", "AT^ICCID?\r", "\r\n^ICCID: 984402000089674523F3\r\n\r\nOK\r\n"},
    {"huawei", "AT+CCID\r", "\r\nCOMMAND NOT SUPPORT\r\n"},
    {"huawei", "AT+CESQ\r", "\r\nCOMMAND NOT SUPPORT\r\n"},
    {"huawei", "AT^SYSINFO\r", "\r\n^SYSINFO:2,3,0,5,1,,4\r\n\r\nOK\r\n"},
};

START_TEST(test_identity)
{
	struct io io;
	io_open(&io, identity[_i].profile);
	xfer(&io, "ATE0\r");
	ck_assert_str_eq(xfer(&io, identity[_i].cmd), identity[_i].expect);
	io_close(&io);
}
END_TEST

/* Every profile answers the whole identity and SMS command set with OK. */
static const char *const command_set[] = {
    "AT",
    "ATE0",
    "ATV1",
    "ATZ",
    "AT&F",
    "ATI",
    "AT+CGMI",
    "AT+CGMM",
    "AT+CGMR",
    "AT+CGSN",
    "AT+GMI",
    "AT+GMM",
    "AT+GMR",
    "AT+GSN",
    "AT+CMEE=1",
    "AT+CMEE=2",
    "AT+CMEE?",
    "AT+CFUN?",
    "AT+CPIN?",
    "AT+CLCK=\"SC\",2",
    "AT+CSQ",
    "AT+CREG?",
    "AT+CREG=2",
    "AT+CGREG?",
    "AT+CGREG=1",
    "AT+COPS?",
    "AT+COPS=3,2",
    "AT+CSCA?",
    "AT+CSMS?",
    "AT+CSMS=0",
    "AT+CPMS?",
    "AT+CNMI?",
    "AT+CNMI=2,1,0,0,0",
    "AT+CMGF?",
    "AT+CMGF=0",
    "AT+CSCS?",
    "AT+CSCS=\"GSM\"",
    "AT+CMGL=4",
    "AT+CMGD=1,4",
    "AT+CIMI",
    "AT+CNUM",
    "AT+CSQ=?",
};

START_TEST(test_command_set)
{
	struct io io;
	char cmd[64];
	io_open(&io, profiles[_i]);
	for (size_t k = 0; k < sizeof(command_set) / sizeof(command_set[0]); k++) {
		snprintf(cmd, sizeof(cmd), "%s\r", command_set[k]);
		const char *out = xfer(&io, cmd);
		if (!strcmp(command_set[k], "AT+CPIN?") && !strcmp(profiles[_i], "wavecom")) {
			ck_assert_ptr_nonnull(strstr(out, "+CPIN: READY\r\n"));
			continue;
		}
		size_t n = strlen(out);
		ck_assert_msg(n >= 6 && !strcmp(out + n - 6, "\r\nOK\r\n"), "%s: %s -> %s",
			      profiles[_i], command_set[k], out);
	}
	io_close(&io);
}
END_TEST

/* Every profile has exactly one ICCID form and the others are refused. */
static const struct {
	const char *profile, *cmd, *prefix;
} iccid_cmds[] = {
    {"generic", "AT+CCID\r", "+CCID: 89"},   {"wavecom", "AT+CCID\r", "+CCID: \"89"},
    {"cinterion", "AT^SCID\r", "^SCID: 89"}, {"simcom", "AT+CCID\r", "89"},
    {"quectel", "AT+QCCID\r", "+QCCID: 89"}, {"huawei", "AT^ICCID?\r", "^ICCID: 98"},
};

START_TEST(test_iccid_forms)
{
	static const char *const all[] = {"AT+CCID\r", "AT^SCID\r", "AT+QCCID\r", "AT^ICCID?\r"};
	struct io io;
	io_open_quiet(&io, iccid_cmds[_i].profile);
	for (size_t k = 0; k < 4; k++) {
		const char *out = xfer(&io, all[k]);
		bool own = !strcmp(all[k], iccid_cmds[_i].cmd);
		if (own) {
			ck_assert_msg(
			    !strncmp(out + 2, iccid_cmds[_i].prefix, strlen(iccid_cmds[_i].prefix)),
			    "%s", out);
			ck_assert_ptr_nonnull(strstr(out, "\r\nOK\r\n"));
		} else {
			ck_assert_ptr_null(strstr(out, "OK"));
		}
	}
	io_close(&io);
}
END_TEST

/* Echo default per profile: the command comes back before its answer. */
START_TEST(test_echo_default)
{
	struct io io;
	io_open(&io, profiles[_i]);
	const char *out = xfer(&io, "AT\r");
	bool huawei = !strcmp(profiles[_i], "huawei");
	ck_assert_str_eq(out, huawei ? "\r\nOK\r\n" : "AT\r\r\nOK\r\n");
	xfer(&io, "ATE1\r");
	ck_assert_str_eq(xfer(&io, "AT\r"), "AT\r\r\nOK\r\n");
	xfer(&io, "ATE0\r");
	ck_assert_str_eq(xfer(&io, "AT\r"), "\r\nOK\r\n");
	io_close(&io);
}
END_TEST

/* ---- Faults: what each one makes the modem answer ---- */

static const struct {
	const char *spec, *cmd, *expect;
} faults[] = {
    {"?fault=sim_absent", "AT+CPIN?\r", "\r\n+CME ERROR: 10\r\n"},
    {"?fault=sim_absent", "AT+CIMI\r", "\r\n+CME ERROR: 10\r\n"},
    {"?fault=sim_absent", "AT+CCID\r", "\r\n+CME ERROR: 10\r\n"},
    {"?fault=sim_absent", "AT+CREG?\r", "\r\n+CREG: 0,0\r\n\r\nOK\r\n"},
    {"?fault=sim_absent", "AT+CPMS?\r", "\r\n+CMS ERROR: 310\r\n"},
    {"simcom?fault=sim_absent", "AT+CPIN?\r", "\r\n+CPIN: NOT INSERTED\r\n\r\nOK\r\n"},
    {"?fault=sim_pin", "AT+CPIN?\r", "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n"},
    {"?fault=sim_pin", "AT+CIMI\r", "\r\n+CME ERROR: 11\r\n"},
    {"?fault=sim_pin", "AT+CCID\r", "\r\n+CCID: 8910010000012345674\r\n\r\nOK\r\n"},
    {"?fault=sim_pin", "AT+CLCK=\"SC\",2\r", "\r\n+CLCK: 1\r\n\r\nOK\r\n"},
    {"?fault=sim_pin", "AT+CSCA?\r", "\r\n+CMS ERROR: 311\r\n"},
    {"?fault=sim_puk", "AT+CPIN?\r", "\r\n+CPIN: SIM PUK\r\n\r\nOK\r\n"},
    {"?fault=sim_puk", "AT+CMGL=4\r", "\r\n+CMS ERROR: 316\r\n"},
    {"?fault=sim_failure", "AT+CPIN?\r", "\r\n+CME ERROR: 13\r\n"},
    {"?fault=sim_failure", "AT+CSCA?\r", "\r\n+CMS ERROR: 313\r\n"},
    {"?fault=sim_busy", "AT+CPIN?\r", "\r\n+CME ERROR: 14\r\n"},
    {"simcom?fault=sim_busy:5", "AT+CPIN?\r", "\r\n+CPIN: NOT READY\r\n\r\nOK\r\n"},
    {"?fault=sim_busy:9", "AT+CPMS?\r", "\r\n+CMS ERROR: 314\r\n"},
    {"?fault=no_signal", "AT+CSQ\r", "\r\n+CSQ: 99,99\r\n\r\nOK\r\n"},
    {"?fault=no_signal", "AT+CESQ\r", "\r\n+CESQ: 99,99,255,255,255,255\r\n\r\nOK\r\n"},
    {"?fault=no_signal", "AT+CREG?\r", "\r\n+CREG: 0,2\r\n\r\nOK\r\n"},
    {"?fault=weak_signal", "AT+CSQ\r", "\r\n+CSQ: 5,99\r\n\r\nOK\r\n"},
    {"?fault=weak_signal", "AT+CESQ\r", "\r\n+CESQ: 99,99,255,255,5,20\r\n\r\nOK\r\n"},
    {"?fault=not_registered", "AT+CREG?\r", "\r\n+CREG: 0,0\r\n\r\nOK\r\n"},
    {"?fault=not_registered", "AT+CEREG?\r", "\r\n+CEREG: 0,0\r\n\r\nOK\r\n"},
    {"?fault=not_registered", "AT+COPS?\r", "\r\n+COPS: 0\r\n\r\nOK\r\n"},
    {"?fault=searching", "AT+CREG?\r", "\r\n+CREG: 0,2\r\n\r\nOK\r\n"},
    {"?fault=searching", "AT+CGREG?\r", "\r\n+CGREG: 0,2\r\n\r\nOK\r\n"},
    {"?fault=denied", "AT+CREG?\r", "\r\n+CREG: 0,3\r\n\r\nOK\r\n"},
    {"?fault=roaming", "AT+CREG?\r", "\r\n+CREG: 0,5\r\n\r\nOK\r\n"},
    {"?fault=roaming", "AT+COPS?\r", "\r\n+COPS: 0,0,\"SIMNET\",7\r\n\r\nOK\r\n"},
    {"?fault=ps_only", "AT+CREG?\r", "\r\n+CREG: 0,0\r\n\r\nOK\r\n"},
    {"?fault=ps_only", "AT+CEREG?\r", "\r\n+CEREG: 0,1\r\n\r\nOK\r\n"},
    {"?fault=radio_off", "AT+CFUN?\r", "\r\n+CFUN: 0\r\n\r\nOK\r\n"},
    {"?fault=radio_off", "AT+CSQ\r", "\r\n+CSQ: 99,99\r\n\r\nOK\r\n"},
    {"?fault=smsc_missing", "AT+CSCA?\r", "\r\n+CSCA: \"\",129\r\n\r\nOK\r\n"},
    {"?fault=smsc_missing", "AT+CMGS=24\r" SUBMIT_HELLO "\x1a", "\r\n> \r\n+CMS ERROR: 330\r\n"},
    {"?fault=storage_full", "AT+CPMS?\r",
     "\r\n+CPMS: \"SM\",30,30,\"SM\",30,30,\"SM\",30,30\r\n\r\nOK\r\n"},
    {"?fault=storage_nearly_full", "AT+CPMS?\r",
     "\r\n+CPMS: \"SM\",29,30,\"SM\",29,30,\"SM\",29,30\r\n\r\nOK\r\n"},
    {"?fault=indications_off", "AT+CNMI?\r", "\r\n+CNMI: 0,0,0,0,0\r\n\r\nOK\r\n"},
    {"?fault=sim_blocked", "AT+CPIN?\r", "\r\n+CME ERROR: 262\r\n"},
    {"?fault=sim_blocked", "AT+CCID\r", "\r\n+CCID: 8910010000012345674\r\n\r\nOK\r\n"},
    {"?fault=sim_blocked", "AT+CMGL=4\r", "\r\n+CMS ERROR: 313\r\n"},
    {"?fault=storage_mismatch", "AT+CPMS?\r",
     "\r\n+CPMS: \"SM\",0,30,\"SM\",0,30,\"ME\",0,100\r\n\r\nOK\r\n"},
    {"cinterion?fault=storage_mismatch", "AT+CPMS?\r",
     "\r\n+CPMS: \"ME\",0,25,\"MT\",0,55,\"SM\",0,30\r\n\r\nOK\r\n"},
    {"?fault=sms_unavailable", "AT+CSMS?\r", "\r\n+CSMS: 0,0,0,0\r\n\r\nOK\r\n"},
    {"?fault=sms_unavailable", "AT+CMGS=24\r", "\r\n+CMS ERROR: 301\r\n"},
    {"?fault=send_fail:42", "AT+CMGS=24\r" SUBMIT_HELLO "\x1a", "\r\n> \r\n+CMS ERROR: 42\r\n"},
    {"?fault=send_fail_once:332", "AT+CMGS=24\r" SUBMIT_HELLO "\x1a",
     "\r\n> \r\n+CMS ERROR: 332\r\n"},
    {"?fault=send_timeout", "AT+CMGS=24\r" SUBMIT_HELLO "\x1a", "\r\n> "},
    {"?fault=not_registered", "AT+CMGS=24\r" SUBMIT_HELLO "\x1a", "\r\n> \r\n+CMS ERROR: 331\r\n"},
    {"?fault=denied", "AT+CMGS=24\r" SUBMIT_HELLO "\x1a", "\r\n> \r\n+CMS ERROR: 331\r\n"},
    {"?fault=sim_pin", "AT+CMGS=24\r", "\r\n+CMS ERROR: 311\r\n"},
    {"?fault=bare_prompt", "AT+CMGS=24\r", "\r\n>"},
    {"?fault=hang", "AT\r", ""},
    {"?fault=slow:5", "AT\r", "\r\nOK\r\n"},
    {"huawei?fault=urc_storm", "AT+CSQ\r",
     "\r\n^BOOT:20952548,0,0,0,72\r\n\r\n+CSQ: 17,99\r\n\r\n^RSSI:17\r\n\r\nOK\r\n"},
    {"quectel?fault=urc_storm", "AT\r", "\r\n+QIND: \"csq\",24,99\r\n\r\nOK\r\n"},
};

START_TEST(test_fault_answers)
{
	struct io io;
	io_open(&io, faults[_i].spec);
	xfer(&io, "ATE0\r");
	xfer(&io, "AT+CMEE=1\r");
	ck_assert_str_eq(xfer(&io, faults[_i].cmd), faults[_i].expect);
	io_close(&io);
}
END_TEST

/* ---- Errors as +CMEE says ---- */

START_TEST(test_cmee_forms)
{
	struct io io;
	io_open(&io, "?fault=sim_absent");
	xfer(&io, "ATE0\r");
	xfer(&io, "AT+CMEE=0\r");
	ck_assert_str_eq(xfer(&io, "AT+CPIN?\r"), "\r\nERROR\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPMS?\r"), "\r\nERROR\r\n");
	xfer(&io, "AT+CMEE=2\r");
	ck_assert_str_eq(xfer(&io, "AT+CPIN?\r"), "\r\n+CME ERROR: SIM not inserted\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPMS?\r"), "\r\n+CMS ERROR: SIM not inserted\r\n");
	xfer(&io, "ATV0\r");
	ck_assert_str_eq(xfer(&io, "AT\r"), "0\r");
	ck_assert_str_eq(xfer(&io, "AT+NOPE\r"), "4\r");
	io_close(&io);
}
END_TEST

/* ---- PIN and PUK ---- */

START_TEST(test_pin_countdown)
{
	struct io io;
	io_open_quiet(&io, "?fault=sim_pin&pin=4321");
	ck_assert_str_eq(xfer(&io, "AT+CPIN=\"1111\"\r"), "\r\n+CME ERROR: 16\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPIN?\r"), "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPIN=\"2222\"\r"), "\r\n+CME ERROR: 16\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPINR\r"),
			 "\r\n+CPINR: SIM PIN,1,3\r\n\r\n+CPINR: SIM PUK,10,10\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPIN=\"3333\"\r"), "\r\n+CME ERROR: 16\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPIN?\r"), "\r\n+CPIN: SIM PUK\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPIN=\"4321\"\r"), "\r\n+CME ERROR: 12\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPIN=\"87654321\",\"5555\"\r"), "\r\n+CME ERROR: 16\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPIN=\"12345678\",\"5555\"\r"), "\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPIN?\r"), "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPIN=\"5555\"\r"), "\r\n+CME ERROR: 3\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CIMI\r"), "\r\n001010123456789\r\n\r\nOK\r\n");
	io_close(&io);
}
END_TEST

START_TEST(test_pin_unlock_urcs)
{
	struct io io;
	io_open_quiet(&io, "simcom?fault=sim_pin");
	ck_assert_str_eq(xfer(&io, "AT+CREG?\r"), "\r\n+CREG: 0,0\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPIN=\"1234\"\r"),
			 "\r\nOK\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nSMS Ready\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CREG?\r"), "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
	io_close(&io);
}
END_TEST

START_TEST(test_puk_exhausted)
{
	struct io io;
	char cmd[64];
	io_open_quiet(&io, "?fault=sim_puk");
	for (int i = 0; i < 10; i++) {
		snprintf(cmd, sizeof(cmd), "AT+CPIN=\"%08d\",\"1234\"\r", i);
		ck_assert_str_eq(xfer(&io, cmd), "\r\n+CME ERROR: 16\r\n");
	}
	ck_assert_str_eq(xfer(&io, "AT+CPIN?\r"), "\r\n+CME ERROR: 262\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPIN=\"12345678\",\"1234\"\r"), "\r\n+CME ERROR: 262\r\n");
	io_close(&io);
}
END_TEST

/* ---- Sending ---- */

START_TEST(test_submit_records)
{
	struct io io;
	char buf[400];
	io_open_quiet(&io, "?seed=7");
	const char *out = xfer(&io, "AT+CMGS=24\r");
	ck_assert_str_eq(out, "\r\n> ");
	out = xfer(&io, SUBMIT_HELLO "\x1a");
	unsigned mr1, mr2;
	ck_assert_int_eq(sscanf(out, "\r\n+CMGS: %u\r\n", &mr1), 1);
	ck_assert_ptr_nonnull(strstr(out, "\r\nOK\r\n"));
	out = xfer(&io, "AT+CMGS=24\r" SUBMIT_HELLO "\x1a");
	ck_assert_int_eq(sscanf(out, "\r\n> \r\n+CMGS: %u\r\n", &mr2), 1);
	ck_assert_uint_eq(mr2, (mr1 + 1) & 0xff);
	ck_assert_uint_eq(sim_core_sent_count(io.c), 2);
	ck_assert_int_eq(sim_core_sent_pdu(io.c, 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, SUBMIT_HELLO_TPDU);
	ck_assert_int_eq(sim_core_sent_pdu(io.c, 2, buf, sizeof(buf)), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(sim_core_sent_pdu(io.c, 0, buf, 10), SMSCTL_ERR_INVALID);
	/* The same seed gives the same references. */
	struct io io2;
	io_open_quiet(&io2, "?seed=7");
	unsigned mr3;
	ck_assert_int_eq(
	    sscanf(xfer(&io2, "AT+CMGS=24\r" SUBMIT_HELLO "\x1a"), "\r\n> \r\n+CMGS: %u", &mr3), 1);
	ck_assert_uint_eq(mr3, mr1);
	io_close(&io2);
	io_close(&io);
}
END_TEST

/* Submits the modem refuses: +CMS ERROR 304 after the PDU, nothing recorded. */
static const struct {
	const char *cmd, *expect;
} bad_submits[] = {
    {"AT+CMGS=23\r" SUBMIT_HELLO "\x1a", "\r\n> \r\n+CMS ERROR: 304\r\n"},
    {"AT+CMGS=25\r" SUBMIT_HELLO "\x1a", "\r\n> \r\n+CMS ERROR: 304\r\n"},
    {"AT+CMGS=24\r" SUBMIT_HELLO "0\x1a", "\r\n> \r\n+CMS ERROR: 304\r\n"},
    {"AT+CMGS=24\r"
     "0001000B917228001011F100000CC8329BFD065DDF723639ZZ\x1a",
     "\r\n> \r\n+CMS ERROR: 304\r\n"},
    {"AT+CMGS=24\r" DELIVER_TEST2 "\x1a", "\r\n> \r\n+CMS ERROR: 304\r\n"},
    {"AT+CMGS=23\r"
     "0001000B917228001011F100000DC8329BFD065DDF72363904\x1a",
     "\r\n> \r\n+CMS ERROR: 304\r\n"},
    {"AT+CMGS=1\r", "\r\n+CMS ERROR: 304\r\n"},
    {"AT+CMGS=200\r", "\r\n+CMS ERROR: 304\r\n"},
    {"AT+CMGS=\"+123\"\r", "\r\n+CMS ERROR: 304\r\n"},
    {"AT+CMGS\r", "\r\n+CMS ERROR: 304\r\n"},
    {"AT+CMGS=24\r\x1a", "\r\n> \r\n+CMS ERROR: 304\r\n"},
    {"AT+CMGS=24\r" SUBMIT_HELLO "\x1b", "\r\n> \r\nOK\r\n"},
};

START_TEST(test_bad_submits)
{
	struct io io;
	io_open_quiet(&io, "");
	ck_assert_str_eq(xfer(&io, bad_submits[_i].cmd), bad_submits[_i].expect);
	ck_assert_uint_eq(sim_core_sent_count(io.c), 0);
	/* The modem is back in command mode. */
	ck_assert_str_eq(xfer(&io, "AT\r"), "\r\nOK\r\n");
	io_close(&io);
}
END_TEST

START_TEST(test_send_fail_once)
{
	struct io io;
	io_open_quiet(&io, "?fault=send_fail_once:42");
	ck_assert_str_eq(xfer(&io, "AT+CMGS=24\r" SUBMIT_HELLO "\x1a"),
			 "\r\n> \r\n+CMS ERROR: 42\r\n");
	ck_assert(!sim_core_has_fault(io.c, "send_fail_once"));
	ck_assert_ptr_nonnull(strstr(xfer(&io, "AT+CMGS=24\r" SUBMIT_HELLO "\x1a"), "+CMGS: "));
	ck_assert_uint_eq(sim_core_sent_count(io.c), 1);
	io_close(&io);
}
END_TEST

START_TEST(test_send_timeout_records)
{
	struct io io;
	io_open_quiet(&io, "?fault=send_timeout");
	ck_assert_str_eq(xfer(&io, "AT+CMGS=24\r" SUBMIT_HELLO "\x1a"), "\r\n> ");
	/* Handed over: the network may have it, so it is recorded. */
	ck_assert_uint_eq(sim_core_sent_count(io.c), 1);
	/* The engine's resynchronisation works. */
	ck_assert_str_eq(xfer(&io, "\x1b"
				   "AT\r"),
			 "\r\nOK\r\n");
	io_close(&io);
}
END_TEST

START_TEST(test_status_reports)
{
	struct io io;
	io_open_quiet(&io, "?report=1000");
	xfer(&io, "AT+CNMI=2,1,0,1,0\r");
	const char *out = xfer(&io, "AT+CMGS=28\r" SUBMIT_SRR "\x1a");
	unsigned mr;
	ck_assert_int_eq(sscanf(out, "\r\n> \r\n+CMGS: %u\r\n", &mr), 1);
	char expect[256];
	snprintf(expect, sizeof(expect),
		 "\r\n+CDS: "
		 "25\r\n07912160130300F406%02X0B911326880736F4621152800000006211528000500000\r\n",
		 mr);
	ck_assert_ptr_nonnull(strstr(out, expect));
	/* With <ds>=2 it is stored and announced with +CDSI. */
	xfer(&io, "AT+CNMI=2,1,0,2,0\r");
	out = xfer(&io, "AT+CMGS=28\r" SUBMIT_SRR "\x1a");
	ck_assert_ptr_nonnull(strstr(out, "\r\n+CDSI: \"SR\",1\r\n"));
	xfer(&io, "AT+CPMS=\"SR\"\r");
	out = xfer(&io, "AT+CMGR=1\r");
	ck_assert_ptr_nonnull(strstr(out, "\r\n+CMGR: 0,,25\r\n07912160130300F406"));
	/* No report without TP-SRR. */
	out = xfer(&io, "AT+CMGS=24\r" SUBMIT_HELLO "\x1a");
	ck_assert_ptr_null(strstr(out, "+CDS"));
	io_close(&io);
}
END_TEST

/* ---- Receiving ---- */

START_TEST(test_deliver_cmti)
{
	struct io io;
	io_open_quiet(&io, profiles[_i]);
	bool huawei = !strcmp(profiles[_i], "huawei");
	bool cinterion = !strcmp(profiles[_i], "cinterion");
	xfer(&io, "AT+CNMI=2,1,0,0,0\r");
	ck_assert_int_eq(sim_core_deliver_pdu(io.c, DELIVER_TEST2, io.t), 0);
	collect(&io, io.t + SEC);
	char expect[256];
	snprintf(expect, sizeof(expect), "\r\n+CMTI: \"%s\",%d\r\n", cinterion ? "MT" : "SM",
		 huawei ? 0 : 1);
	ck_assert_str_eq(io.out, expect);
	ck_assert_uint_eq(sim_core_stored_count(io.c), 1);
	snprintf(expect, sizeof(expect), "AT+CMGR=%d\r", huawei ? 0 : 1);
	ck_assert_str_eq(xfer(&io, expect), "\r\n+CMGR: 0,,24\r\n" DELIVER_TEST2 "\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, expect), "\r\n+CMGR: 1,,24\r\n" DELIVER_TEST2 "\r\n\r\nOK\r\n");
	snprintf(expect, sizeof(expect), "\r\n+CMGL: %d,1,,24\r\n" DELIVER_TEST2 "\r\n\r\nOK\r\n",
		 huawei ? 0 : 1);
	ck_assert_str_eq(xfer(&io, "AT+CMGL=4\r"), expect);
	ck_assert_str_eq(xfer(&io, "AT+CMGL=0\r"), "\r\nOK\r\n");
	snprintf(expect, sizeof(expect), "AT+CMGD=%d\r", huawei ? 0 : 1);
	ck_assert_str_eq(xfer(&io, expect), "\r\nOK\r\n");
	ck_assert_uint_eq(sim_core_stored_count(io.c), 0);
	ck_assert_str_eq(xfer(&io, "AT+CMGL=4\r"), "\r\nOK\r\n");
	io_close(&io);
}
END_TEST

START_TEST(test_deliver_cmt)
{
	struct io io;
	io_open_quiet(&io, "");
	xfer(&io, "AT+CNMI=2,2,0,0,0\r");
	ck_assert_int_eq(sim_core_deliver_pdu(io.c, DELIVER_TEST2, io.t), 0);
	collect(&io, io.t + SEC);
	ck_assert_str_eq(io.out, "\r\n+CMT: ,24\r\n" DELIVER_TEST2 "\r\n");
	ck_assert_uint_eq(sim_core_stored_count(io.c), 0);
	/* +CNMA only when phase 2+ asked for it. */
	ck_assert_str_eq(xfer(&io, "AT+CNMA\r"), "\r\n+CMS ERROR: 340\r\n");
	xfer(&io, "AT+CSMS=1\r");
	ck_assert_int_eq(sim_core_deliver_pdu(io.c, DELIVER_TEST2, io.t), 0);
	ck_assert_str_eq(xfer(&io, "AT+CNMA\r"),
			 "\r\n+CMT: ,24\r\n" DELIVER_TEST2 "\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CNMA\r"), "\r\n+CMS ERROR: 340\r\n");
	/* mt=0: stored silently. */
	xfer(&io, "AT+CNMI=2,0,0,0,0\r");
	ck_assert_int_eq(sim_core_deliver_pdu(io.c, DELIVER_TEST2, io.t), 0);
	collect(&io, io.t + SEC);
	ck_assert_str_eq(io.out, "");
	ck_assert_uint_eq(sim_core_stored_count(io.c), 1);
	io_close(&io);
}
END_TEST

static const char *const bad_delivers[] = {
    "",
    "0",
    "XYZ",
    "00",
    "0011000B917228001011F10000AA0CC8329BFD065DDF72363904",
    "06917228195339040B917228214365F7",
    "FF917228195339040B917228214365F700003130805120618005",
    "0691722819533904",
};

START_TEST(test_deliver_bad)
{
	struct io io;
	io_open_quiet(&io, "");
	ck_assert_int_eq(sim_core_deliver_pdu(io.c, bad_delivers[_i], io.t), SMSCTL_ERR_BAD_PDU);
	collect(&io, io.t + SEC);
	ck_assert_str_eq(io.out, "");
	io_close(&io);
}
END_TEST

START_TEST(test_storage_full)
{
	struct io io;
	io_open_quiet(&io, "?fault=storage_full&sm=5");
	ck_assert_uint_eq(sim_core_stored_count(io.c), 5);
	ck_assert_int_eq(sim_core_deliver_pdu(io.c, DELIVER_TEST2, io.t), SMSCTL_ERR_TOO_LONG);
	ck_assert_str_eq(xfer(&io, "AT+CMGW=24\r" SUBMIT_HELLO "\x1a"),
			 "\r\n> \r\n+CMS ERROR: 322\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CMGD=2\r"), "\r\nOK\r\n");
	ck_assert_int_eq(sim_core_deliver_pdu(io.c, DELIVER_TEST2, io.t), 0);
	collect(&io, io.t + SEC);
	ck_assert_str_eq(io.out, "\r\n+CMTI: \"SM\",2\r\n");
	ck_assert(sim_core_set_fault(io.c, "storage_full", false, io.t) == 0);
	ck_assert_uint_eq(sim_core_stored_count(io.c), 1);
	io_close(&io);
}
END_TEST

START_TEST(test_storages)
{
	struct io io;
	io_open_quiet(&io, "");
	ck_assert_str_eq(xfer(&io, "AT+CPMS=\"ME\",\"ME\",\"ME\"\r"),
			 "\r\n+CPMS: 0,100,0,100,0,100\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CMGW=24\r" SUBMIT_HELLO "\x1a"),
			 "\r\n> \r\n+CMGW: 1\r\n\r\nOK\r\n");
	ck_assert_uint_eq(sim_core_stored_count(io.c), 0);
	ck_assert_str_eq(xfer(&io, "AT+CMGL=2\r"),
			 "\r\n+CMGL: 1,2,,24\r\n" SUBMIT_HELLO "\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPMS=\"MT\"\r"),
			 "\r\n+CPMS: 1,130,1,100,1,100\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CMGR=31\r"),
			 "\r\n+CMGR: 2,,24\r\n" SUBMIT_HELLO "\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CMGR=1\r"), "\r\n+CMS ERROR: 321\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CMGR=131\r"), "\r\n+CMS ERROR: 321\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPMS=\"XX\"\r"), "\r\n+CMS ERROR: 302\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CPMS?\r"),
			 "\r\n+CPMS: \"MT\",1,130,\"ME\",1,100,\"ME\",1,100\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CMGD=1,4\r"), "\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CMGL=4\r"), "\r\nOK\r\n");
	io_close(&io);
}
END_TEST

/* ---- Line handling ---- */

static const struct {
	const char *profile, *line, *expect;
} line_cases[] = {
    {"generic", "ATE0;+CMEE=1\r", "\r\nOK\r\n"},
    {"generic", "AT+CMEE=1;+CMGF=0\r", "\r\nOK\r\n"},
    {"generic", "AT+CMGF?;+CMEE?\r", "\r\n+CMGF: 0\r\n\r\n+CMEE: 1\r\n\r\nOK\r\n"},
    {"generic", "ATE0V1\r", "\r\nOK\r\n"},
    {"generic", "at+csq\r", "\r\n+CSQ: 20,99\r\n\r\nOK\r\n"},
    {"generic",
     "\xff\xfe"
     "AT+CSQ\r",
     "\r\n+CSQ: 20,99\r\n\r\nOK\r\n"},
    {"generic", "AT+CSQ\r\n", "\r\n+CSQ: 20,99\r\n\r\nOK\r\n"},
    {"generic", "AT+CSQX\r", "\r\nERROR\r\n"},
    {"generic", "AT+CMEE=1;+BOGUS\r", "\r\nERROR\r\n"},
    {"generic", "AT+CMEE=1;+CSQ=7\r", "\r\nERROR\r\n"},
    {"generic", "AT+CSCA=\"abc\"\r", "\r\n+CMS ERROR: 304\r\n"},
    {"generic", "hello\r", ""},
    {"generic", "\r", ""},
    {"generic", "ATX\bE0\r", "\r\nOK\r\n"},
    {"generic", "ATS0=0\r", "\r\nOK\r\n"},
    {"generic", "ATS0?\r", "\r\n000\r\n\r\nOK\r\n"},
    {"generic", "ATS\r", "\r\nERROR\r\n"},
    {"generic", "AT+CSCS=\"UCS2\";+CSCA?\r",
     "\r\n+CSCA: \"002B00310032003000360033003100330030003000300034\",145\r\n\r\nOK\r\n"},
    {"generic", "AT+CSCS=\"UCS2\";+CSCA=\"002B0031\";+CSCS=\"GSM\";+CSCA?\r",
     "\r\n+CSCA: \"+1\",145\r\n\r\nOK\r\n"},
    {"generic", "AT+CSCS=\"UCS2\";+CSCA=\"+1\"\r", "\r\n+CMS ERROR: 304\r\n"},
    {"huawei", "AT+CSCS=\"HEX\";+COPS?\r",
     "\r\n+COPS: 0,0,\"766F6461666F6E6520554B\",2\r\n\r\nOK\r\n"},
    {"wavecom", "ATE0;+CMEE=1\r", "\r\nOK\r\n"},
    {"wavecom", "AT+CMEE=1;+CMGF=0\r", "\r\nERROR\r\n"},
    {"huawei", "AT+BOGUS\r", "\r\nCOMMAND NOT SUPPORT\r\n"},
    {"huawei", "AT+CMEE=1;+CMGF=0\r", "\r\nOK\r\n"},
    {"quectel", "AT+CEREG=2;+CEREG?\r", "\r\n+CEREG: 2,1,\"5140\",\"0523F226\",7\r\n\r\nOK\r\n"},
    {"cinterion", "AT+CREG=2;+CREG?\r", "\r\n+CREG: 2,1,\"5E25\",\"0605F0A1\",2\r\n\r\nOK\r\n"},
    {"simcom", "AT+CEREG?\r", "\r\nERROR\r\n"},
    {"simcom", "AT+COPS=3,2;+COPS?\r", "\r\n+COPS: 0,2,\"46000\",0\r\n\r\nOK\r\n"},
};

START_TEST(test_lines)
{
	struct io io;
	io_open_quiet(&io, line_cases[_i].profile);
	ck_assert_str_eq(xfer(&io, line_cases[_i].line), line_cases[_i].expect);
	io_close(&io);
}
END_TEST

START_TEST(test_long_line)
{
	struct io io;
	char line[2000];
	io_open_quiet(&io, "");
	memcpy(line, "AT+CSCA=\"", 9);
	memset(line + 9, '1', sizeof(line) - 12);
	memcpy(line + sizeof(line) - 3, "\"\r", 3);
	ck_assert_str_eq(xfer(&io, line), "\r\nERROR\r\n");
	ck_assert_str_eq(xfer(&io, "AT\r"), "\r\nOK\r\n");
	io_close(&io);
}
END_TEST

/* ---- Noise, timing, reboot, unplug, hang ---- */

START_TEST(test_garbage_deterministic)
{
	struct io a, b, c;
	char first[4096];
	io_open(&a, "?fault=garbage:100&seed=3");
	io_open(&b, "?fault=garbage:100&seed=3");
	io_open(&c, "?fault=garbage:100&seed=4");
	xfer(&a, "ATE0\r");
	xfer(&b, "ATE0\r");
	xfer(&c, "ATE0\r");
	xfer(&a, "AT+CSQ\r");
	memcpy(first, a.out, a.len);
	size_t alen = a.len;
	xfer(&b, "AT+CSQ\r");
	xfer(&c, "AT+CSQ\r");
	ck_assert_uint_eq(alen, b.len);
	ck_assert(memcmp(first, b.out, alen) == 0);
	ck_assert(alen != c.len || memcmp(first, c.out, alen) != 0);
	/* The noise sits between lines: the lines themselves are intact. */
	ck_assert(memmem(first, alen, "\r\n+CSQ: 20,99\r\n", 15) != NULL);
	ck_assert(memmem(first, alen, "\r\nOK\r\n", 6) != NULL);
	ck_assert_uint_gt(alen, strlen("\r\n+CSQ: 20,99\r\n\r\nOK\r\n"));
	for (size_t i = 0; i < alen; i++)
		ck_assert(first[i] != '>');
	io_close(&a);
	io_close(&b);
	io_close(&c);
}
END_TEST

START_TEST(test_timing)
{
	struct io io;
	const uint8_t *d;
	io_open(&io, "?baud=115200&latency=20&network=800");
	sim_core_input(io.c, "ATE0\r", 5, 0);
	/* Echo: each byte leaves once its 86 us on the line are over. */
	ck_assert_uint_eq(sim_core_next_event(io.c), 86);
	ck_assert_uint_eq(sim_core_peek(io.c, 85, &d), 0);
	ck_assert_uint_eq(sim_core_peek(io.c, 86, &d), 1);
	collect(&io, 10 * SEC);
	ck_assert_str_eq(io.out, "ATE0\r\r\nOK\r\n");
	uint64_t t0 = 20 * SEC;
	sim_core_input(io.c, "AT+CMGS=24\r", 11, t0);
	/* 11 bytes in, 20 ms, 4 bytes of prompt out. */
	uint64_t prompt = t0 + 11 * 86 + 20000 + 4 * 86;
	ck_assert_uint_eq(sim_core_next_event(io.c), prompt);
	ck_assert_uint_eq(sim_core_peek(io.c, prompt - 1, &d), 0);
	ck_assert_uint_eq(sim_core_peek(io.c, prompt, &d), 4);
	sim_core_consume(io.c, 4);
	uint64_t t1 = 30 * SEC;
	sim_core_input(io.c, SUBMIT_HELLO "\x1a", strlen(SUBMIT_HELLO) + 1, t1);
	uint64_t first = sim_core_next_event(io.c);
	ck_assert_uint_gt(first, t1 + 820000);
	ck_assert_uint_lt(first, t1 + 830000);
	collect(&io, t1 + 10 * SEC);
	ck_assert_ptr_nonnull(strstr(io.out, "+CMGS: "));
	io_close(&io);
}
END_TEST

START_TEST(test_reboot)
{
	struct io io;
	io_open_quiet(&io, "simcom?fault=sim_pin");
	xfer(&io, "AT+CPIN=\"1234\"\r");
	ck_assert_str_eq(xfer(&io, "AT+CPIN?\r"), "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	ck_assert_int_eq(sim_core_set_fault(io.c, "reboot", true, io.t), 0);
	ck_assert_str_eq(xfer(&io, "AT\r"),
			 "\r\nOK\r\n\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: SIM PIN\r\n");
	ck_assert(!sim_core_has_fault(io.c, "reboot"));
	/* Echo and CMEE are back to the defaults, the PIN is asked again. */
	ck_assert_str_eq(xfer(&io, "AT+CPIN?\r"), "AT+CPIN?\r\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
	ck_assert_str_eq(xfer(&io, "AT+CIMI\r"), "AT+CIMI\r\r\nERROR\r\n");
	io_close(&io);

	io_open_quiet(&io, "quectel");
	ck_assert_int_eq(sim_core_set_fault(io.c, "reboot", true, io.t), 0);
	ck_assert_str_eq(xfer(&io, "AT\r"),
			 "\r\nOK\r\n\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n"
			 "\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n\r\n+QIND: PB DONE\r\n");
	io_close(&io);
}
END_TEST

START_TEST(test_unplug)
{
	struct io io;
	io_open_quiet(&io, "?fault=unplug");
	ck_assert(!sim_core_closed(io.c, io.t));
	ck_assert_str_eq(xfer(&io, "AT+CMGS=24\r"), "\r\n> ");
	ck_assert_str_eq(xfer(&io, SUBMIT_HELLO "\x1a"), "");
	ck_assert(sim_core_closed(io.c, io.t));
	ck_assert_uint_eq(sim_core_sent_count(io.c), 0);
	ck_assert_str_eq(xfer(&io, "AT\r"), "");
	io_close(&io);

	io_open(&io, "?fault=unplug:5");
	ck_assert_str_eq(xfer(&io, "AT\r"), "");
	ck_assert(sim_core_closed(io.c, io.t));
	io_close(&io);

	io_open(&io, "?fault=unplug:5");
	ck_assert_uint_eq(sim_core_next_event(io.c), 5 * SEC);
	sim_core_tick(io.c, 5 * SEC - 1);
	ck_assert(!sim_core_closed(io.c, 5 * SEC - 1));
	sim_core_tick(io.c, 5 * SEC);
	ck_assert(sim_core_closed(io.c, 5 * SEC));
	io_close(&io);
}
END_TEST

START_TEST(test_hang_and_busy)
{
	struct io io;
	io_open_quiet(&io, "?fault=sim_busy:2");
	ck_assert_str_eq(xfer(&io, "AT+CPIN?\r"), "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	ck_assert(!sim_core_has_fault(io.c, "sim_busy"));
	ck_assert_int_eq(sim_core_set_fault(io.c, "hang", true, io.t), 0);
	ck_assert_str_eq(xfer(&io, "AT\r"), "");
	ck_assert_int_eq(sim_core_set_fault(io.c, "hang", false, io.t), 0);
	ck_assert_str_eq(xfer(&io, "AT\r"), "\r\nOK\r\n");
	io_close(&io);
}
END_TEST

/* Registration URCs when a fault changes the network at run time. */
START_TEST(test_runtime_registration)
{
	struct io io;
	io_open_quiet(&io, "");
	xfer(&io, "AT+CREG=1\r");
	ck_assert_int_eq(sim_core_set_fault(io.c, "denied", true, io.t), 0);
	collect(&io, io.t + SEC);
	ck_assert_str_eq(io.out, "\r\n+CREG: 3\r\n");
	ck_assert(sim_core_has_fault(io.c, "denied"));
	ck_assert_int_eq(sim_core_set_fault(io.c, "denied", false, io.t), 0);
	collect(&io, io.t + SEC);
	ck_assert_str_eq(io.out, "\r\n+CREG: 1\r\n");
	io_close(&io);
}
END_TEST

/* ---- Fault names and device strings ---- */

static const struct {
	const char *fault;
	bool on;
	int expect;
} set_faults[] = {
    {"sim_absent", true, 0},
    {"sim_busy:4", true, 0},
    {"send_fail:42", true, 0},
    {"send_fail", true, SMSCTL_ERR_INVALID},
    {"send_fail", false, 0},
    {"send_fail:x", true, SMSCTL_ERR_INVALID},
    {"send_fail:10000", true, SMSCTL_ERR_INVALID},
    {"slow", true, 0},
    {"slow:100", true, 0},
    {"garbage:101", true, SMSCTL_ERR_INVALID},
    {"hang:3", true, SMSCTL_ERR_INVALID},
    {"nope", true, SMSCTL_ERR_INVALID},
    {"", true, SMSCTL_ERR_INVALID},
    {"unplug:", true, SMSCTL_ERR_INVALID},
    {"SIM_ABSENT", true, SMSCTL_ERR_INVALID},
    {"unplug:30", true, 0},
};

START_TEST(test_set_fault_names)
{
	struct io io;
	io_open(&io, "");
	ck_assert_int_eq(sim_core_set_fault(io.c, set_faults[_i].fault, set_faults[_i].on, 0),
			 set_faults[_i].expect);
	io_close(&io);
}
END_TEST

static const char *const good_specs[] = {
    "",
    "generic",
    "wavecom",
    "cinterion",
    "simcom",
    "quectel",
    "huawei",
    "?fault=sim_absent",
    "huawei?fault=sim_pin&pin=1111",
    "?fault=sim_busy:3,garbage:5,slow:10,urc_storm",
    "?seed=42&baud=9600&latency=5&network=100&report=10&boot=1&sm=3&puk=11112222&status=500",
    "?fault=sim_absent,sim_pin,sim_puk,sim_failure,sim_busy,no_signal,weak_signal,"
    "not_registered,searching,denied,roaming,smsc_missing,storage_full,send_fail:42,"
    "send_fail_once:38,send_timeout,slow,hang,garbage,urc_storm,bare_prompt,reboot,unplug",
};

static const char *const bad_specs[] = {
    "nokia",
    "generic?pin",
    "?fault=",
    "?fault=bogus",
    "?fault=send_fail",
    "?fault=slow:x",
    "?pin=12",
    "?pin=12a4",
    "?pin=123456789",
    "?baud=10",
    "?latency=-1",
    "?nope=1",
    "?fault=sim_absent,",
    "?seed",
    "GENERIC",
    "?sm=0",
    "?boot=2",
    "?puk=1234",
    "?pdu=",
    "?pdu=zz",
    "?pdu=0011000B917228001011F10000AA0CC8329BFD065DDF72363904",
    "?sms=nocomma",
    "?sms=,text",
    "?sms=%2,x",
    "?sms=%2B1,a%00b",
    "?arrive=x,00",
    "?arrive=5",
    "?sms=averyveryverylongsender,hi",
};

/* Hostile input: random mixes of command fragments, bytes and PDUs never break the modem;
 * afterwards it still answers (the lines are deterministic: a fixed seed). */
START_TEST(test_random_input)
{
	static const char *const tokens[] = {
	    "AT",
	    "at",
	    "+CMGS=",
	    "+CMGW=",
	    "24",
	    "164",
	    "0",
	    "1",
	    "\r",
	    "\n",
	    "\x1a",
	    "\x1b",
	    "+CPMS=\"ME\"",
	    "+CPMS=\"MT\",\"SR\"",
	    ";",
	    "?",
	    "=?",
	    "\"",
	    ",",
	    SUBMIT_HELLO,
	    "+CMGL=4",
	    "+CMGR=",
	    "+CMGD=",
	    "+CNMI=2,2,0,1,0",
	    "+CSMS=1",
	    "+CNMA",
	    "E1",
	    "V0",
	    "V1",
	    "Z",
	    "I",
	    "+CMEE=2",
	    "+CPIN=\"0000\"",
	    "+CSCA=\"+1\"",
	    "\xff",
	    "\0",
	    "+CFUN=1,1",
	    "&F",
	    "+CREG=2",
	    "+CEREG?",
	    "^ICCID?",
	    "\b",
	    "+CPIN?",
	    "+CMGF=1",
	    SUBMIT_SRR,
	    "%",
	    "+COPS=?",
	    "+CLCK=\"SC\",1,\"1234\"",
	    "99999999999999999999",
	};
	struct io io;
	uint32_t x = 12345u + (uint32_t)_i;
	io_open(&io, profiles[_i]);
	for (int round = 0; round < 40; round++) {
		char in[2048];
		size_t n = 0;
		for (int k = 0; k < 60; k++) {
			x = x * 1103515245u + 12345u;
			const char *t = tokens[(x >> 8) % (sizeof(tokens) / sizeof(tokens[0]))];
			size_t len = t[0] ? strlen(t) : 1; /* "\0" is one NUL byte */
			if (n + len >= sizeof(in))
				break;
			memcpy(in + n, t, len);
			n += len;
		}
		io.t += SEC;
		sim_core_input(io.c, in, n, io.t);
		collect(&io, io.t + 600 * SEC);
		if (round % 8 == 0)
			sim_core_deliver_pdu(io.c, DELIVER_TEST2, io.t);
	}
	xfer(&io, "\x1b\rATV1E0\r");
	ck_assert_str_eq(xfer(&io, "AT\r"), "\r\nOK\r\n");
	io_close(&io);
}
END_TEST

/* ---- Every profile's answers parse with the project's parsers ---- */

/* The non-empty lines of the last answer, without the final result. */
static size_t answer_lines(struct io *io, const char *cmd, char lines[][512], size_t max)
{
	size_t n = 0;
	char *save = NULL;
	char *p = (char *)xfer(io, cmd);
	for (char *l = strtok_r(p, "\r\n", &save); l && n < max;
	     l = strtok_r(NULL, "\r\n", &save)) {
		if (parse_final(l) != 0 || l[0] == '>')
			continue;
		snprintf(lines[n++], 512, "%s", l);
	}
	return n;
}

static const char *first_line(struct io *io, const char *cmd)
{
	static char lines[8][512];
	size_t n = answer_lines(io, cmd, lines, 8);
	ck_assert_msg(n >= 1, "no answer line to %s", cmd);
	return lines[0];
}

static const char *const iccids[] = {"8910010000012345674", "8933010023000123459",
				     "8949000012345678903", "8986001012345678011",
				     "8986012012345678026", "8944200000987654323"};
static const char *const iccid_cmds_all[] = {"AT+CCID\r", "AT+CCID\r",	"AT^SCID\r",
					     "AT+CCID\r", "AT+QCCID\r", "AT^ICCID?\r"};

START_TEST(test_parsers_agree)
{
	struct io io;
	struct at_csq csq;
	struct at_reg reg;
	struct at_cops cops;
	struct at_cpin cpin;
	struct at_clck clck;
	struct at_iccid iccid;
	struct at_imsi imsi;
	struct at_imei imei;
	struct at_cfun cfun;
	struct at_cpms cpms;
	struct at_cpms_test cpms_test;
	struct at_csca csca;
	struct at_csms csms;
	struct at_cnmi cnmi;
	struct at_cnmi_test cnmi_test;
	struct at_cmgs cmgs;
	struct at_cmti cmti;
	struct at_cmt cmt;
	struct at_sms sms;
	struct at_error err;
	char lines[8][512];
	const char *ptrs[8];
	bool lte = !strcmp(profiles[_i], "generic") || !strcmp(profiles[_i], "quectel");

	io_open_quiet(&io, profiles[_i]);
	ck_assert_int_eq(parse_csq(first_line(&io, "AT+CSQ\r"), &csq), 0);
	ck_assert_int_gt(csq.rssi, 10);
	ck_assert_int_lt(csq.rssi, 32);
	if (lte) {
		struct at_cesq cesq;
		ck_assert_int_eq(parse_cesq(first_line(&io, "AT+CESQ\r"), &cesq), 0);
		xfer(&io, "AT+CEREG=2\r");
		ck_assert_int_eq(parse_reg(first_line(&io, "AT+CEREG?\r"), true, &reg), 0);
		ck_assert_int_eq(reg.stat, 1);
		ck_assert_int_ne(reg.lac, PARSE_NONE);
	}
	ck_assert_int_eq(parse_reg(first_line(&io, "AT+CREG?\r"), true, &reg), 0);
	ck_assert_int_eq(reg.n, 0);
	ck_assert_int_eq(reg.stat, 1);
	xfer(&io, "AT+CREG=2\r");
	ck_assert_int_eq(parse_reg(first_line(&io, "AT+CREG?\r"), true, &reg), 0);
	ck_assert_int_eq(reg.n, 2);
	ck_assert_int_ne(reg.ci, PARSE_NONE);
	ck_assert_int_eq(parse_reg(first_line(&io, "AT+CGREG?\r"), true, &reg), 0);
	ck_assert_int_eq(parse_cops_query(first_line(&io, "AT+COPS?\r"), &cops), 0);
	ck_assert_int_eq(cops.pattern, PARSE_COPS_QUERY_FULL);
	size_t n = answer_lines(&io, "AT+COPS=?\r", lines, 8);
	for (size_t k = 0; k < n; k++)
		ptrs[k] = lines[k];
	struct at_cops_list list;
	ck_assert_int_eq(parse_cops_test(ptrs, n, &list), 0);
	ck_assert_int_eq(list.count, 1);
	ck_assert_int_eq(list.net[0].stat, 2);
	ck_assert_int_eq(parse_cpin(first_line(&io, "AT+CPIN?\r"), &cpin), 0);
	ck_assert_str_eq(cpin.code, "READY");
	ck_assert_int_eq(parse_clck(first_line(&io, "AT+CLCK=\"SC\",2\r"), &clck), 0);
	ck_assert_int_eq(clck.status, 0);
	ck_assert_int_eq(parse_iccid(first_line(&io, iccid_cmds_all[_i]), &iccid), 0);
	ck_assert_str_eq(iccid.iccid, iccids[_i]);
	ck_assert_int_eq(parse_cimi(first_line(&io, "AT+CIMI\r"), &imsi), 0);
	ck_assert_int_eq(parse_cgsn(first_line(&io, "AT+CGSN\r"), &imei), 0);
	ck_assert_int_eq(parse_cfun(first_line(&io, "AT+CFUN?\r"), &cfun), 0);
	ck_assert_int_eq(cfun.fun, 1);
	if (answer_lines(&io, "AT+CNUM\r", lines, 8) > 0) {
		struct at_cnum cnum;
		ck_assert_int_eq(parse_cnum(lines[0], &cnum), 0);
		ck_assert_int_eq(cnum.number[0], '+');
	}
	ck_assert_int_eq(parse_cpms(first_line(&io, "AT+CPMS?\r"), &cpms), 0);
	ck_assert_int_eq(cpms.count, 3);
	ck_assert_int_gt(cpms.mem[0].total, 0);
	/* every profile, Wavecom's doubly parenthesised list (python-gsmmodem issue #19) too */
	ck_assert_int_eq(parse_cpms_test(first_line(&io, "AT+CPMS=?\r"), &cpms_test), 0);
	ck_assert_int_ge(cpms_test.count[0], 1);
	ck_assert_int_eq(parse_csca(first_line(&io, "AT+CSCA?\r"), &csca), 0);
	ck_assert(parse_csca_is_valid(&csca));
	ck_assert_int_eq(parse_csms(first_line(&io, "AT+CSMS?\r"), &csms), 0);
	ck_assert_int_eq(csms.mo, 1);
	ck_assert_int_eq(parse_cnmi(first_line(&io, "AT+CNMI?\r"), &cnmi), 0);
	ck_assert_int_eq(parse_cnmi_test(first_line(&io, "AT+CNMI=?\r"), &cnmi_test), 0);
	ck_assert_int_eq(parse_cmgs(first_line(&io, "AT+CMGS=24\r" SUBMIT_HELLO "\x1a"), &cmgs), 0);
	/* Incoming: +CMTI, then +CMGL / +CMGR of it; +CMT. */
	xfer(&io, "AT+CNMI=2,1,0,0,0\r");
	ck_assert_int_eq(sim_core_deliver_pdu(io.c, DELIVER_TEST2, io.t), 0);
	collect(&io, io.t + SEC);
	ck_assert_int_eq(parse_cmti(strtok(io.out, "\r\n"), &cmti), 0);
	if (strcmp(profiles[_i], "cinterion") != 0) {
		ck_assert_str_eq(cmti.mem, "SM");
		char cmd[32];
		snprintf(cmd, sizeof(cmd), "AT+CMGR=%d\r", cmti.index);
		n = answer_lines(&io, cmd, lines, 8);
		for (size_t k = 0; k < n; k++)
			ptrs[k] = lines[k];
		ck_assert_int_eq(parse_cmgr(ptrs, n, &sms), 0);
		ck_assert_str_eq(sms.pdu, DELIVER_TEST2);
		ck_assert_int_eq(sms.length, 24);
	}
	n = answer_lines(&io, "AT+CMGL=4\r", lines, 8);
	for (size_t k = 0; k < n; k++)
		ptrs[k] = lines[k];
	size_t pos = 0;
	ck_assert_int_eq(parse_cmgl_next(ptrs, n, &pos, &sms), 1);
	ck_assert_int_eq(sms.index, cmti.index);
	ck_assert_int_eq(parse_cmgl_next(ptrs, n, &pos, &sms), 0);
	xfer(&io, "AT+CNMI=2,2,0,0,0\r");
	ck_assert_int_eq(sim_core_deliver_pdu(io.c, DELIVER_TEST2, io.t), 0);
	collect(&io, io.t + SEC);
	char *l1 = strtok(io.out, "\r\n"), *l2 = strtok(NULL, "\r\n");
	ck_assert_int_eq(parse_cmt(l1, l2, &cmt), 0);
	ck_assert_int_eq(cmt.length, 24);
	/* Errors, numeric and verbose. */
	xfer(&io, "AT+CMEE=2\r");
	ck_assert_int_eq(parse_error(strtok((char *)xfer(&io, "AT+CMGR=99\r"), "\r\n"), &err), 0);
	ck_assert_int_eq(err.kind, PARSE_ERROR_CMS);
	ck_assert_int_eq(err.code, 321);
	io_close(&io);
}
END_TEST

/* status=MS: the profile's status URCs come by themselves, between answers. */
START_TEST(test_status_urcs)
{
	struct io io;
	memset(&io, 0, sizeof(io));
	io.c = core_new("huawei?status=2000");
	ck_assert_uint_eq(sim_core_next_event(io.c), 2 * SEC);
	collect(&io, 2 * SEC - 1);
	ck_assert_str_eq(io.out, "");
	collect(&io, 2 * SEC);
	ck_assert_str_eq(io.out, "\r\n^RSSI:17\r\n");
	collect(&io, 4 * SEC);
	ck_assert_str_eq(io.out, "\r\n^MODE:5,4\r\n");
	/* Far ahead: one URC, not a backlog. */
	collect(&io, 1000 * SEC);
	ck_assert_str_eq(io.out, "\r\n^BOOT:20952548,0,0,0,72\r\n");
	io_close(&io);
}
END_TEST

/* Messages waiting at open (pdu=, sms=) and arriving later (arrive=). */
START_TEST(test_preloaded)
{
	struct io io;
	struct smsctl_pdu *pdus[4];
	io_open(&io, "?pdu=" DELIVER_TEST2 "&sms=%2B4915112345678,Hello%20world%26more%2C%20ok");
	ck_assert_str_eq(io.out, "");
	ck_assert_uint_eq(sim_core_stored_count(io.c), 2);
	xfer(&io, "ATE0\r");
	ck_assert_uint_eq(list_decoded(&io, pdus, 4), 2);
	ck_assert_str_eq(smsctl_pdu_get_text(pdus[0]), "Test2");
	ck_assert_str_eq(smsctl_pdu_get_text(pdus[1]), "Hello world&more, ok");
	ck_assert_str_eq(smsctl_pdu_get_number(pdus[1]), "+4915112345678");
	smsctl_pdu_free(pdus[0]);
	smsctl_pdu_free(pdus[1]);
	io_close(&io);

	memset(&io, 0, sizeof(io));
	io.c = core_new("huawei?arrive=1500," DELIVER_TEST2 "&arrive=2000,%2B15550001,Hi");
	ck_assert_uint_eq(sim_core_next_event(io.c), 1500000);
	collect(&io, 1499999);
	ck_assert_str_eq(io.out, "");
	collect(&io, 1500000);
	ck_assert_str_eq(io.out, "\r\n+CMTI: \"SM\",0\r\n");
	collect(&io, 3 * SEC);
	ck_assert_str_eq(io.out, "\r\n+CMTI: \"SM\",1\r\n");
	ck_assert_uint_eq(sim_core_stored_count(io.c), 2);
	io_close(&io);
}
END_TEST

START_TEST(test_good_specs)
{
	int err = 1;
	struct sim_core *c = sim_core_new(good_specs[_i], &err, NULL, 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(err, 0);
	sim_core_free(c);
}
END_TEST

START_TEST(test_bad_specs)
{
	int err = 0;
	char detail[256] = "x";
	struct sim_core *c = sim_core_new(bad_specs[_i], &err, detail, sizeof(detail));
	ck_assert_ptr_null(c);
	ck_assert_int_eq(err, SMSCTL_ERR_INVALID);
	ck_assert_uint_gt(strlen(detail), 10);
}
END_TEST

START_TEST(test_has_fault)
{
	struct io io;
	io_open(&io, "huawei?fault=send_fail:42,sim_pin");
	ck_assert(sim_core_has_fault(io.c, "send_fail"));
	ck_assert(sim_core_has_fault(io.c, "send_fail:1"));
	ck_assert(sim_core_has_fault(io.c, "sim_pin"));
	ck_assert(!sim_core_has_fault(io.c, "hang"));
	ck_assert(!sim_core_has_fault(io.c, "nope"));
	ck_assert_str_eq(sim_core_profile_name(io.c), "huawei");
	io_close(&io);
}
END_TEST

/* ---- The transport: thread and socket pair ---- */

static size_t read_until(int fd, char *buf, size_t size, const char *want)
{
	size_t len = 0;
	buf[0] = '\0';
	while (!strstr(buf, want)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 5000) <= 0)
			break;
		ssize_t n = read(fd, buf + len, size - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return len;
}

START_TEST(test_transport)
{
	struct transport *t;
	struct smsctl_sim *sim;
	struct transport_error e;
	struct transport_params p = {.baud = 115200};
	char buf[4096];

	ck_assert_int_eq(transport_open_sim("quectel?seed=1", &p, &t, &sim, &e), 0);
	ck_assert_str_eq(t->ops->name, "sim");
	ck_assert_str_eq(smsctl_sim_get_profile(sim), "quectel");
	ck_assert_int_eq((int)t->ops->write(t, "ATE0\r", 5), 5);
	read_until(t->fd, buf, sizeof(buf), "OK\r\n");
	ck_assert_str_eq(buf, "ATE0\r\r\nOK\r\n");
	ck_assert_int_eq((int)t->ops->write(t, "AT+CMGS=24\r", 11), 11);
	read_until(t->fd, buf, sizeof(buf), "> ");
	ck_assert_str_eq(buf, "\r\n> ");
	ck_assert_int_eq((int)t->ops->write(t, SUBMIT_HELLO "\x1a", strlen(SUBMIT_HELLO) + 1),
			 (int)strlen(SUBMIT_HELLO) + 1);
	read_until(t->fd, buf, sizeof(buf), "OK\r\n");
	ck_assert_ptr_nonnull(strstr(buf, "+CMGS: "));
	ck_assert_uint_eq(smsctl_sim_get_sent_count(sim), 1);
	ck_assert_uint_eq(smsctl_sim_get_command_count(sim), 2);
	ck_assert_int_eq(smsctl_sim_get_sent_pdu(sim, 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, SUBMIT_HELLO_TPDU);
	/* A delivery from the API thread shows up as a URC. */
	ck_assert_int_eq(smsctl_sim_deliver_pdu(sim, DELIVER_TEST2), 0);
	read_until(t->fd, buf, sizeof(buf), "+CMTI");
	ck_assert_str_eq(buf, "\r\n+CMTI: \"SM\",1\r\n");
	ck_assert_uint_eq(smsctl_sim_get_stored_count(sim), 1);
	ck_assert_int_eq(smsctl_sim_set_fault(sim, "no_signal", true), 0);
	ck_assert(smsctl_sim_has_fault(sim, "no_signal"));
	ck_assert_int_eq(smsctl_sim_set_fault(sim, "bogus", true), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sim_deliver_pdu(sim, "zz"), SMSCTL_ERR_BAD_PDU);
	/* Unplugged: the engine's end reads EOF. */
	ck_assert_int_eq(smsctl_sim_set_fault(sim, "unplug:0", true), 0);
	struct pollfd pf = {.fd = t->fd, .events = POLLIN};
	ck_assert_int_eq(poll(&pf, 1, 5000), 1);
	ck_assert_int_eq((int)t->ops->read(t, buf, sizeof(buf)), 0);
	ck_assert_int_lt((int)t->ops->write(t, "AT\r", 3), 0);
	t->ops->close(t);
}
END_TEST

START_TEST(test_transport_bad_spec)
{
	struct transport *t = (struct transport *)1;
	struct smsctl_sim *sim = (struct smsctl_sim *)1;
	struct transport_error e;
	ck_assert_int_eq(transport_open_sim("nokia", NULL, &t, &sim, &e), SMSCTL_ERR_INVALID);
	ck_assert_ptr_null(t);
	ck_assert_ptr_null(sim);
	ck_assert_int_eq(e.err, SMSCTL_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(e.detail, "nokia"));
}
END_TEST

/* The engine may close while output is still due: the thread is joined, nothing leaks. */
START_TEST(test_transport_close_busy)
{
	struct transport *t;
	struct smsctl_sim *sim;
	struct transport_error e;
	ck_assert_int_eq(transport_open_sim("?latency=60000&fault=garbage", NULL, &t, &sim, &e), 0);
	ck_assert_int_eq((int)t->ops->write(t, "AT\r", 3), 3);
	ck_assert_int_eq(smsctl_sim_deliver_pdu(sim, DELIVER_TEST2), 0);
	t->ops->close(t);
}
END_TEST

START_TEST(test_api_null)
{
	char buf[8];
	ck_assert_int_eq(smsctl_sim_set_fault(NULL, "hang", true), SMSCTL_ERR_INVALID);
	ck_assert(!smsctl_sim_has_fault(NULL, "hang"));
	ck_assert_ptr_null(smsctl_sim_get_profile(NULL));
	ck_assert_int_eq(smsctl_sim_deliver(NULL, "+1", "x", 0), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_sim_deliver_pdu(NULL, "00"), SMSCTL_ERR_INVALID);
	ck_assert_uint_eq(smsctl_sim_get_sent_count(NULL), 0);
	ck_assert_int_eq(smsctl_sim_get_sent_pdu(NULL, 0, buf, sizeof(buf)), SMSCTL_ERR_INVALID);
	ck_assert_uint_eq(smsctl_sim_get_command_count(NULL), 0);
	ck_assert_uint_eq(smsctl_sim_get_stored_count(NULL), 0);
}
END_TEST

/* ---- Text deliveries through the PDU codec ---- */

/* Read every stored message of the current <mem1> in storage order and decode it. */
static size_t list_decoded(struct io *io, struct smsctl_pdu **pdus, size_t max)
{
	size_t n = 0;
	char *p = (char *)xfer(io, "AT+CMGL=4\r");
	char *line = strtok(p, "\r\n");
	while (line && n < max) {
		if (!strncmp(line, "+CMGL:", 6)) {
			char *hex = strtok(NULL, "\r\n");
			ck_assert_ptr_nonnull(hex);
			ck_assert_int_eq(smsctl_pdu_decode_hex(hex, true, &pdus[n], NULL), 0);
			n++;
		}
		line = strtok(NULL, "\r\n");
	}
	return n;
}

static const struct {
	const char *from, *text;
	unsigned flags;
	int parts;
	enum smsctl_coding coding;
} texts[] = {
    {"+4915112345678", "Hello", 0, 1, SMSCTL_CODING_GSM7},
    {"12345", "Hi there", SMSCTL_SIM_DELIVER_UCS2, 1, SMSCTL_CODING_UCS2},
    {"+8613800138000", "\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xe4\xb8\x96\xe7\x95\x8c", 0, 1,
     SMSCTL_CODING_UCS2},
    {"+447700900001",
     "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234"
     "5678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789",
     0, 2, SMSCTL_CODING_GSM7},
    {"+447700900001",
     "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234"
     "5678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234"
     "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234"
     "567890123456789",
     SMSCTL_SIM_DELIVER_REVERSE, 3, SMSCTL_CODING_GSM7},
    {"Shop", "Your order is ready \xf0\x9f\x93\xa6", 0, 1, SMSCTL_CODING_UCS2},
};

START_TEST(test_deliver_text)
{
	struct io io;
	struct smsctl_pdu *pdus[8];
	io_open_quiet(&io, "huawei");
	ck_assert_int_eq(
	    sim_deliver_text(io.c, texts[_i].from, texts[_i].text, texts[_i].flags, io.t),
	    texts[_i].parts);
	collect(&io, io.t + SEC);
	/* One +CMTI per part, indexes from 0 on this profile. */
	for (int k = 0; k < texts[_i].parts; k++) {
		char urc[32];
		snprintf(urc, sizeof(urc), "+CMTI: \"SM\",%d\r\n", k);
		ck_assert_ptr_nonnull(strstr(io.out, urc));
	}
	size_t n = list_decoded(&io, pdus, 8);
	ck_assert_uint_eq(n, (size_t)texts[_i].parts);
	struct smsctl_reassembler *r = smsctl_reassembler_new();
	struct smsctl_message *msg = NULL;
	for (size_t k = 0; k < n; k++) {
		unsigned ref, total, seq;
		ck_assert_int_eq(smsctl_pdu_get_type(pdus[k]), SMSCTL_PDU_DELIVER);
		ck_assert_str_eq(smsctl_pdu_get_number(pdus[k]), texts[_i].from);
		ck_assert_int_eq(smsctl_pdu_get_coding(pdus[k]), texts[_i].coding);
		ck_assert_str_eq(smsctl_pdu_get_smsc(pdus[k]), "+447785016005");
		if (n > 1) {
			ck_assert(smsctl_pdu_get_concat(pdus[k], &ref, &total, &seq));
			/* Storage order is arrival order. */
			unsigned want = (texts[_i].flags & SMSCTL_SIM_DELIVER_REVERSE)
					    ? (unsigned)(n - k)
					    : (unsigned)(k + 1);
			ck_assert_uint_eq(seq, want);
		}
		struct smsctl_message *m = NULL;
		ck_assert_int_eq(smsctl_reassembler_add(r, pdus[k], (long)k, 0, &m), 0);
		if (m)
			msg = m;
	}
	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(smsctl_message_get_text(msg), texts[_i].text);
	smsctl_message_free(msg);
	smsctl_reassembler_free(r);
	io_close(&io);
}
END_TEST

START_TEST(test_deliver_text_lost)
{
	struct io io;
	io_open_quiet(&io, "?fault=storage_full");
	ck_assert_int_eq(sim_deliver_text(io.c, "+15550000000", "lost", 0, io.t),
			 SMSCTL_ERR_TOO_LONG);
	ck_assert_int_eq(sim_deliver_text(io.c, "not a number!", "x", 0, io.t), SMSCTL_ERR_INVALID);
	io_close(&io);
	io_open_quiet(&io, "?fault=not_registered");
	ck_assert_int_eq(sim_deliver_text(io.c, "+15550000000", "x", 0, io.t), SMSCTL_ERR_NETWORK);
	io_close(&io);
}
END_TEST

/* ---- Through the AT engine (smsctl_modem_*), as the library and the CLI use it ---- */

static struct smsctl_modem *modem_open(const char *dev, unsigned timeout_ms)
{
	struct smsctl_modem *m = NULL;
	struct smsctl_modem_options *o = smsctl_modem_options_new();
	ck_assert_ptr_nonnull(o);
	if (timeout_ms)
		smsctl_modem_options_set_timeout(o, timeout_ms);
	ck_assert_int_eq(smsctl_modem_new(dev, o, &m), 0);
	smsctl_modem_options_free(o);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	ck_assert_ptr_nonnull(smsctl_modem_get_sim(m));
	return m;
}

static int cmd1(struct smsctl_modem *m, const char *cmd, const char *pdu, char *line, size_t size,
		enum smsctl_result *res, int *code, bool *prompt)
{
	struct smsctl_response *r = NULL;
	int rc = pdu ? smsctl_modem_command_pdu(m, cmd, pdu, 0, &r)
		     : smsctl_modem_command(m, cmd, 0, &r);
	if (line) {
		line[0] = '\0';
		/* The first line that is text: line noise may come as lines of its own. */
		for (size_t i = 0; r && i < smsctl_response_get_line_count(r); i++) {
			const char *l = smsctl_response_get_line(r, i);
			if ((unsigned char)l[0] >= 0x20 && (unsigned char)l[0] < 0x7f) {
				snprintf(line, size, "%s", l);
				break;
			}
		}
	}
	if (res)
		*res = r ? smsctl_response_get_result(r) : SMSCTL_RESULT_NONE;
	if (code)
		*code = r ? smsctl_response_get_error_code(r) : -1;
	if (prompt)
		*prompt = r ? smsctl_response_get_prompt_seen(r) : false;
	smsctl_response_free(r);
	return rc;
}

static const struct {
	const char *profile, *manufacturer, *iccid_cmd, *iccid_line;
} engine_profiles[] = {
    {"generic", "Generic", "AT+CCID", "+CCID: 8910010000012345674"},
    {"wavecom", "WAVECOM MODEM", "AT+CCID", "+CCID: \"8933010023000123459\""},
    {"cinterion", "Cinterion", "AT^SCID", "^SCID: 8949000012345678903"},
    {"simcom", "SIMCOM_Ltd", "AT+CCID", "8986001012345678011"},
    {"quectel", "Quectel", "AT+QCCID", "+QCCID: 8986012012345678026"},
    {"huawei", "huawei", "AT^ICCID?", "^ICCID: 984402000089674523F3"},
};

START_TEST(test_engine_profiles)
{
	char dev[64], line[256], buf[400];
	enum smsctl_result res;
	snprintf(dev, sizeof(dev), "sim:%s", engine_profiles[_i].profile);
	struct smsctl_modem *m = modem_open(dev, 0);
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	ck_assert_str_eq(smsctl_sim_get_profile(sim), engine_profiles[_i].profile);
	ck_assert_int_eq(cmd1(m, "AT+CGMI", NULL, line, sizeof(line), &res, NULL, NULL), 0);
	ck_assert_str_eq(line, engine_profiles[_i].manufacturer);
	ck_assert_int_eq(
	    cmd1(m, engine_profiles[_i].iccid_cmd, NULL, line, sizeof(line), NULL, NULL, NULL), 0);
	ck_assert_str_eq(line, engine_profiles[_i].iccid_line);
	ck_assert_int_eq(cmd1(m, "AT+CMEE=1", NULL, NULL, 0, NULL, NULL, NULL), 0);
	ck_assert_int_eq(cmd1(m, "AT+CMGF=0", NULL, NULL, 0, NULL, NULL, NULL), 0);
	ck_assert_int_eq(cmd1(m, "AT+CMGS=24", SUBMIT_HELLO, line, sizeof(line), &res, NULL, NULL),
			 0);
	ck_assert_int_eq(strncmp(line, "+CMGS: ", 7), 0);
	ck_assert_uint_eq(smsctl_sim_get_sent_count(sim), 1);
	ck_assert_int_eq(smsctl_sim_get_sent_pdu(sim, 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, SUBMIT_HELLO_TPDU);
	ck_assert_uint_eq(smsctl_sim_get_command_count(sim), smsctl_modem_get_command_count(m));
	smsctl_modem_free(m);
}
END_TEST

static const struct {
	const char *dev, *cmd, *pdu;
	int rc;
	enum smsctl_result res;
	int code;
	bool prompt;
	const char *line;
} engine_faults[] = {
    {"sim:?fault=sim_absent", "AT+CPIN?", NULL, SMSCTL_ERR_MODEM, SMSCTL_RESULT_CME_ERROR, 10,
     false, ""},
    {"sim:simcom?fault=sim_absent", "AT+CPIN?", NULL, 0, SMSCTL_RESULT_OK, -1, false,
     "+CPIN: NOT INSERTED"},
    {"sim:?fault=sim_pin", "AT+CPIN?", NULL, 0, SMSCTL_RESULT_OK, -1, false, "+CPIN: SIM PIN"},
    {"sim:?fault=sim_pin", "AT+CMGS=24", SUBMIT_HELLO, SMSCTL_ERR_MODEM, SMSCTL_RESULT_CMS_ERROR,
     311, false, ""},
    {"sim:?fault=send_fail:42", "AT+CMGS=24", SUBMIT_HELLO, SMSCTL_ERR_MODEM,
     SMSCTL_RESULT_CMS_ERROR, 42, true, ""},
    {"sim:?fault=smsc_missing", "AT+CMGS=24", SUBMIT_HELLO, SMSCTL_ERR_MODEM,
     SMSCTL_RESULT_CMS_ERROR, 330, true, ""},
    {"sim:?fault=denied", "AT+CREG?", NULL, 0, SMSCTL_RESULT_OK, -1, false, "+CREG: 0,3"},
    {"sim:huawei?fault=urc_storm,garbage:50&seed=5", "AT+CSQ", NULL, 0, SMSCTL_RESULT_OK, -1, false,
     "+CSQ: 17,99"},
    {"sim:quectel?fault=urc_storm", "AT+CMGS=24", SUBMIT_HELLO, 0, SMSCTL_RESULT_OK, -1, true,
     "+CMGS: "},
    {"sim:?fault=bare_prompt", "AT+CMGS=24", SUBMIT_HELLO, 0, SMSCTL_RESULT_OK, -1, true,
     "+CMGS: "},
    {"sim:huawei?fault=garbage:100&seed=9", "AT+CMGS=24", SUBMIT_HELLO, 0, SMSCTL_RESULT_OK, -1,
     true, "+CMGS: "},
    {"sim:?fault=unplug", "AT+CMGS=24", SUBMIT_HELLO, SMSCTL_ERR_GONE, SMSCTL_RESULT_GONE, -1, true,
     ""},
    {"sim:?fault=sim_busy:1", "AT+CPIN?", NULL, 0, SMSCTL_RESULT_OK, -1, false, "+CPIN: READY"},
    {"sim:?baud=115200&latency=5&network=50", "AT+CMGS=24", SUBMIT_HELLO, 0, SMSCTL_RESULT_OK, -1,
     true, "+CMGS: "},
};

START_TEST(test_engine_faults)
{
	char line[256];
	enum smsctl_result res;
	int code;
	bool prompt;
	struct smsctl_modem *m = modem_open(engine_faults[_i].dev, 0);
	/* With CMEE=1 errors are numeric (the command itself counts for sim_busy:1). */
	ck_assert_int_eq(cmd1(m, "AT+CMEE=1", NULL, NULL, 0, NULL, NULL, NULL), 0);
	int rc = cmd1(m, engine_faults[_i].cmd, engine_faults[_i].pdu, line, sizeof(line), &res,
		      &code, &prompt);
	ck_assert_int_eq(rc, engine_faults[_i].rc);
	ck_assert_int_eq(res, engine_faults[_i].res);
	ck_assert_int_eq(code, engine_faults[_i].code);
	ck_assert_int_eq(prompt, engine_faults[_i].prompt);
	ck_assert_int_eq(strncmp(line, engine_faults[_i].line, strlen(engine_faults[_i].line)), 0);
	smsctl_modem_free(m);
}
END_TEST

START_TEST(test_engine_hang)
{
	enum smsctl_result res;
	struct smsctl_modem *m = modem_open("sim:?fault=hang", 200);
	ck_assert_int_eq(cmd1(m, "AT", NULL, NULL, 0, &res, NULL, NULL), SMSCTL_ERR_TIMEOUT);
	ck_assert_int_eq(res, SMSCTL_RESULT_TIMEOUT);
	ck_assert_int_eq(smsctl_sim_set_fault(smsctl_modem_get_sim(m), "hang", false), 0);
	ck_assert_int_eq(cmd1(m, "AT", NULL, NULL, 0, &res, NULL, NULL), 0);
	smsctl_modem_free(m);
}
END_TEST

START_TEST(test_engine_reboot)
{
	char line[64];
	struct smsctl_modem *m = modem_open("sim:quectel", 0);
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	ck_assert_int_eq(cmd1(m, "AT+CMEE=2", NULL, NULL, 0, NULL, NULL, NULL), 0);
	ck_assert_int_eq(smsctl_sim_set_fault(sim, "reboot", true), 0);
	ck_assert(smsctl_sim_has_fault(sim, "reboot"));
	ck_assert_int_eq(cmd1(m, "AT", NULL, NULL, 0, NULL, NULL, NULL), 0);
	ck_assert(!smsctl_sim_has_fault(sim, "reboot"));
	/* The boot URCs are noise to the engine; the setting is back to its default. */
	ck_assert_int_eq(cmd1(m, "AT+CMEE?", NULL, line, sizeof(line), NULL, NULL, NULL), 0);
	ck_assert_str_eq(line, "+CMEE: 1");
	smsctl_modem_free(m);
}
END_TEST

struct urcs {
	int n;
	char line[4][64];
	char pdu[4][200];
};

static void on_urc(void *data, const char *line, const char *pdu)
{
	struct urcs *u = data;
	if (u->n >= 4)
		return;
	snprintf(u->line[u->n], sizeof(u->line[0]), "%s", line);
	snprintf(u->pdu[u->n], sizeof(u->pdu[0]), "%s", pdu ? pdu : "");
	u->n++;
}

START_TEST(test_engine_urcs)
{
	struct urcs u = {0};
	struct smsctl_modem *m = modem_open("sim:", 0);
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	ck_assert_int_gt(smsctl_modem_add_urc_handler(m, "+CMTI:", false, on_urc, &u), 0);
	ck_assert_int_gt(smsctl_modem_add_urc_handler(m, "+CMT:", true, on_urc, &u), 0);
	ck_assert_int_eq(smsctl_sim_deliver_pdu(sim, DELIVER_TEST2), 0);
	for (int i = 0; i < 100 && u.n < 1; i++)
		smsctl_modem_wait(m, 100);
	ck_assert_int_eq(u.n, 1);
	ck_assert_str_eq(u.line[0], "+CMTI: \"SM\",1");
	ck_assert_int_eq(cmd1(m, "AT+CNMI=2,2,0,0,0", NULL, NULL, 0, NULL, NULL, NULL), 0);
	ck_assert_int_eq(smsctl_sim_deliver(sim, "+15550001111", "hi", 0), 1);
	for (int i = 0; i < 100 && u.n < 2; i++)
		smsctl_modem_wait(m, 100);
	ck_assert_int_eq(u.n, 2);
	ck_assert_int_eq(strncmp(u.line[1], "+CMT: ,", 7), 0);
	struct smsctl_pdu *pdu = NULL;
	ck_assert_int_eq(smsctl_pdu_decode_hex(u.pdu[1], true, &pdu, NULL), 0);
	ck_assert_str_eq(smsctl_pdu_get_text(pdu), "hi");
	ck_assert_str_eq(smsctl_pdu_get_number(pdu), "+15550001111");
	smsctl_pdu_free(pdu);
	ck_assert_uint_eq(smsctl_sim_get_stored_count(sim), 1);
	smsctl_modem_free(m);
}
END_TEST

START_TEST(test_engine_bad_device)
{
	struct smsctl_modem *m = NULL;
	ck_assert_int_eq(smsctl_modem_new("sim:nokia", NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), SMSCTL_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(smsctl_modem_get_error_detail(m), "nokia"));
	ck_assert_ptr_null(smsctl_modem_get_sim(m));
	smsctl_modem_free(m);
}
END_TEST

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

int main(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_identity, 0, N(identity));
	tcase_add_loop_test(tc, test_command_set, 0, N(profiles));
	tcase_add_loop_test(tc, test_iccid_forms, 0, N(iccid_cmds));
	tcase_add_loop_test(tc, test_echo_default, 0, N(profiles));
	tcase_add_loop_test(tc, test_fault_answers, 0, N(faults));
	tcase_add_test(tc, test_cmee_forms);
	tcase_add_test(tc, test_pin_countdown);
	tcase_add_test(tc, test_pin_unlock_urcs);
	tcase_add_test(tc, test_puk_exhausted);
	tcase_add_test(tc, test_submit_records);
	tcase_add_loop_test(tc, test_bad_submits, 0, N(bad_submits));
	tcase_add_test(tc, test_send_fail_once);
	tcase_add_test(tc, test_send_timeout_records);
	tcase_add_test(tc, test_status_reports);
	tcase_add_loop_test(tc, test_deliver_cmti, 0, N(profiles));
	tcase_add_test(tc, test_deliver_cmt);
	tcase_add_loop_test(tc, test_deliver_bad, 0, N(bad_delivers));
	tcase_add_test(tc, test_storage_full);
	tcase_add_test(tc, test_storages);
	tcase_add_loop_test(tc, test_lines, 0, N(line_cases));
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_garbage_deterministic);
	tcase_add_test(tc, test_timing);
	tcase_add_test(tc, test_reboot);
	tcase_add_test(tc, test_unplug);
	tcase_add_test(tc, test_hang_and_busy);
	tcase_add_test(tc, test_runtime_registration);
	tcase_add_loop_test(tc, test_set_fault_names, 0, N(set_faults));
	tcase_add_loop_test(tc, test_good_specs, 0, N(good_specs));
	tcase_add_loop_test(tc, test_bad_specs, 0, N(bad_specs));
	tcase_add_test(tc, test_has_fault);
	suite_add_tcase(s, tc);

	TCase *tt = tcase_create("transport");
	tcase_set_timeout(tt, 30);
	tcase_add_test(tt, test_transport);
	tcase_add_test(tt, test_transport_bad_spec);
	tcase_add_test(tt, test_transport_close_busy);
	tcase_add_test(tt, test_api_null);
	tcase_add_loop_test(tt, test_deliver_text, 0, N(texts));
	tcase_add_test(tt, test_deliver_text_lost);
	tcase_add_test(tt, test_preloaded);
	tcase_add_test(tt, test_status_urcs);
	tcase_add_loop_test(tt, test_parsers_agree, 0, N(profiles));
	tcase_add_loop_test(tt, test_random_input, 0, N(profiles));
	tcase_add_loop_test(tt, test_engine_profiles, 0, N(engine_profiles));
	tcase_add_loop_test(tt, test_engine_faults, 0, N(engine_faults));
	tcase_add_test(tt, test_engine_hang);
	tcase_add_test(tt, test_engine_reboot);
	tcase_add_test(tt, test_engine_urcs);
	tcase_add_test(tt, test_engine_bad_device);
	suite_add_tcase(s, tt);

	SRunner *sr = srunner_create(s);
	/* The tests share nothing; one process keeps them fast under AddressSanitizer (whose
	 * leak check at every forked child's exit costs a fifth of a second). CK_FORK=yes in the
	 * environment still forks. */
	const char *fork_env = getenv("CK_FORK");
	if (!fork_env || strcmp(fork_env, "yes") != 0)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
