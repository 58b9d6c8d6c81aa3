/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* query/: the one vendor table, the ICCID order, the fatal-error sets, the clock and the
 * pause, and every query (identity, ICCID, SIM state, registration, signal, operator, SMS
 * centre, storage counts) with its parsed value and its raw reply. Table-driven:
 *  - over the sim: profiles: the vendor is recognised from the profile's own AT+CGMI answer,
 *    and each query reads the values of the profile's source (lib/sim/profiles.c), also the
 *    SIM states of the sim: faults;
 *  - over real captures (tests/data/transcripts, each naming its source) replayed by a peer
 *    on a socket pair, the values the source asserts for them;
 *  - over error answers (ERROR, +CME ERROR, no answer, garbage) for every query;
 *  - over handpicked replies for the one SIM mapping (each +CPIN word and SIM error code). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <smsctl/error.h>
#include <smsctl/modem.h>

#include "modem-internal.h"
#include "parse/parse.h"
#include "query/query.h"
#include "transport/internal.h"

static const struct {
	const char *profile;
	enum query_vendor vendor;
	bool own;	     /* the ICCID command is the vendor's own */
	const char *command; /* the ICCID command the table names */
	const char *iccid;   /* as printed on the simulated card */
} profiles[] = {
    {"generic", QUERY_V_UNKNOWN, false, "AT+CCID", "8910010000012345674"},
    {"wavecom", QUERY_V_WAVECOM, true, "AT+CCID", "8933010023000123459"},
    {"cinterion", QUERY_V_CINTERION, true, "AT^SCID", "8949000012345678903"},
    {"simcom", QUERY_V_SIMCOM, true, "AT+CCID", "8986001012345678011"},
    {"quectel", QUERY_V_QUECTEL, true, "AT+QCCID", "8986012012345678026"},
    {"huawei", QUERY_V_HUAWEI, true, "AT^ICCID?", "8944200000987654323"},
};

START_TEST(test_profile)
{
	char dev[64];
	struct smsctl_modem *m = NULL;
	struct smsctl_response *r = NULL;
	bool own = !profiles[_i].own;

	snprintf(dev, sizeof(dev), "sim:%s", profiles[_i].profile);
	ck_assert_int_eq(smsctl_modem_new(dev, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CGMI", 0, &r), 0);
	ck_assert_uint_ge(smsctl_response_get_line_count(r), 1);
	enum query_vendor v = query_vendor_from(smsctl_response_get_line(r, 0));
	smsctl_response_free(r);
	ck_assert_int_eq(v, profiles[_i].vendor);

	const char *cmd = query_iccid_command(v, &own);
	ck_assert_str_eq(cmd, profiles[_i].command);
	ck_assert(own == profiles[_i].own);
	/* the command answers with the card's ICCID (the raw reply parses) */
	r = NULL;
	ck_assert_int_eq(smsctl_modem_command(m, cmd, 0, &r), 0);
	bool found = false;
	for (size_t i = 0; i < smsctl_response_get_line_count(r) && !found; i++) {
		struct at_iccid ic;
		if (parse_iccid(smsctl_response_get_line(r, i), &ic) == 0) {
			ck_assert_str_eq(ic.iccid, profiles[_i].iccid);
			found = true;
		}
	}
	ck_assert_msg(found, "%s: no ICCID in the answer to %s", dev, cmd);
	smsctl_response_free(r);

	/* the pause runs the engine for its time, and ends early when the modem went away */
	unsigned long long t0 = query_now_ms();
	query_pause_ms(m, 60);
	unsigned long long t1 = query_now_ms();
	ck_assert_uint_ge(t1 - t0, 60);
	ck_assert_uint_lt(t1 - t0, 2000);
	smsctl_modem_free(m);
}
END_TEST

/* Vendors named in other ways, and the table's answers for vendors without a sim: profile. */
static const struct {
	const char *cgmi;
	enum query_vendor vendor;
	const char *command;
	bool own;
} names[] = {
    {"Sierra Wireless, Incorporated", QUERY_V_SIERRA, "AT+ICCID", true},
    {"Telit", QUERY_V_TELIT, "AT+ICCID", true},
    {"u-blox", QUERY_V_UBLOX, "AT+CCID", false},
    {"ZTE CORPORATION", QUERY_V_ZTE, "AT+CCID", false},
    {"SIEMENS", QUERY_V_CINTERION, "AT^SCID", true},
    {"Gemalto M2M GmbH", QUERY_V_CINTERION, "AT^SCID", true},
    {"+CGMI: Quectel", QUERY_V_QUECTEL, "AT+QCCID", true},
    {"ACME", QUERY_V_UNKNOWN, "AT+CCID", false},
    {"", QUERY_V_UNKNOWN, "AT+CCID", false},
    {NULL, QUERY_V_UNKNOWN, "AT+CCID", false},
};

START_TEST(test_names)
{
	bool own = !names[_i].own;

	ck_assert_int_eq(query_vendor_from(names[_i].cgmi), names[_i].vendor);
	ck_assert_str_eq(query_iccid_command(names[_i].vendor, &own), names[_i].command);
	ck_assert(own == names[_i].own);
	ck_assert_str_eq(query_iccid_command(names[_i].vendor, NULL), names[_i].command);
}
END_TEST

START_TEST(test_iccid_order)
{
	size_t n = query_iccid_count();

	ck_assert_uint_ge(n, 2);
	/* the SIM access read of EF_ICCID, which every modem has, comes last */
	ck_assert_str_eq(query_iccid_command_at(n - 1), "AT+CRSM=176,12258,0,0,10");
	ck_assert_ptr_null(query_iccid_command_at(n));
	/* every vendor's command is in the list */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *c = query_iccid_command(names[i].vendor, NULL);
		bool in = false;
		for (size_t k = 0; k < n; k++)
			in |= strcmp(query_iccid_command_at(k), c) == 0;
		ck_assert_msg(in, "%s missing from the order", c);
	}
}
END_TEST

static const struct {
	int rc;
	bool link_lost, fatal;
} errors[] = {
    {SMSCTL_ERR_TIMEOUT, true, true},
    {SMSCTL_ERR_GONE, true, true},
    {SMSCTL_ERR_IO, true, true},
    {SMSCTL_ERR_NOMEM, true, true},
    {SMSCTL_ERR_STATE, false, true},
    {SMSCTL_ERR_CANCELLED, false, true},
    {SMSCTL_ERR_MODEM, false, false},
    {SMSCTL_ERR_SIM, false, false},
    {SMSCTL_ERR_INVALID, false, false},
    {SMSCTL_ERR_PROTOCOL, false, false},
    {0, false, false},
};

START_TEST(test_errors)
{
	ck_assert(query_link_lost(errors[_i].rc) == errors[_i].link_lost);
	ck_assert(query_fatal(errors[_i].rc) == errors[_i].fatal);
}
END_TEST

/* ---- every query on every profile ---- */

static const struct profile_case {
	const char *profile;
	const char *manufacturer, *model, *revision, *imei, *imsi, *own_number;
	const char *iccid, *oper, *smsc, *mem;
	int rssi;  /* the profile's healthy +CSQ */
	int total; /* places of the memory in use */
	bool cimi; /* AT+CPIN? has no final result: the SIM state through AT+CIMI */
} pq[] = {
    {"generic", "Generic", "LTE Modem", "1.0.0", "351234567890124", "001010123456789",
     "+15550123456", "8910010000012345674", "SIMNET", "+12063130004", "SM", 20, 30, false},
    {"wavecom", "WAVECOM MODEM", "MULTIBAND  900E  1800", "430e09gm.3 1207928 020102 14:41",
     "358472031122335", "208011234567890", NULL, "8933010023000123459", "Orange F", "+33689004000",
     "SM", 18, 25, true},
    {"cinterion", "Cinterion", "EHS6", "03.001", "NULL", "NULL", "+491701234567",
     "8949000012345678903", "Telekom.de", "+491710760000", "MT", 22, 55, false},
    {"simcom", "SIMCOM_Ltd", "SIMCOM_SIM800C", "1418B05SIM800C24", "NULL", "NULL", NULL,
     "8986001012345678011", "CHINA MOBILE", "+8613800100500", "SM", 19, 50, false},
    {"quectel", "Quectel", "EC25", "EC25EFAR06A06M4G", "NULL", "NULL", NULL, "8986012012345678026",
     "CHN-UNICOM", "+8613010112500", "SM", 24, 50, false},
    {"huawei", "huawei", "E173", "11.126.85.00.209", "NULL", "NULL", "+447700900123",
     "8944200000987654323", "vodafone UK", "+447785016005", "SM", 17, 30, false},
};

static struct smsctl_modem *open_sim(const char *dev, unsigned timeout_ms)
{
	struct smsctl_modem_options *mo = smsctl_modem_options_new();
	struct smsctl_modem *m = NULL;

	ck_assert_ptr_nonnull(mo);
	if (timeout_ms)
		smsctl_modem_options_set_timeout(mo, timeout_ms);
	ck_assert_int_eq(smsctl_modem_new(dev, mo, &m), 0);
	smsctl_modem_options_free(mo);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	/* numeric errors, as the SMS operations and the diagnosis set them */
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CMEE=1", 0, NULL), 0);
	return m;
}

/* The raw reply of an answered query: its command, OK, and the line the value came from. */
static void check_raw(const struct query_reply *r, const char *command, const char *prefix)
{
	ck_assert(r->asked);
	ck_assert_str_eq(r->command, command);
	ck_assert_int_eq(r->result, SMSCTL_RESULT_OK);
	ck_assert_str_eq(r->final, "OK");
	if (prefix)
		ck_assert_msg(query_line(r, prefix), "%s: no %s line", command, prefix);
}

static void check_ident(struct smsctl_modem *m, enum query_ident what, const char *want,
			struct query_reply *raw)
{
	struct query_text t;
	const char *cmd = query_ident_command(what);

	ck_assert_int_eq(query_ident(m, what, &t, raw), 0);
	check_raw(raw, cmd, NULL);
	if (!want) {
		ck_assert(!t.known);
		ck_assert_str_eq(t.value, "");
		return;
	}
	ck_assert_uint_ge(raw->n_lines, 1);
	ck_assert_msg(t.known, "%s: nothing read", cmd);
	if (strcmp(want, "NULL") != 0)
		ck_assert_str_eq(t.value, want);
	/* the value is in the raw reply */
	bool in = false;
	for (size_t i = 0; i < raw->n_lines; i++)
		in |= strstr(raw->lines[i], t.value) != NULL;
	ck_assert_msg(in, "%s: '%s' not in the reply", cmd, t.value);
}

START_TEST(test_profile_queries)
{
	char dev[64];
	struct query_reply *raw = calloc(1, sizeof(*raw));
	const struct profile_case *p = &pq[_i];

	ck_assert_ptr_nonnull(raw);
	snprintf(dev, sizeof(dev), "sim:%s", p->profile);
	struct smsctl_modem *m = open_sim(dev, 0);

	check_ident(m, QUERY_ID_MANUFACTURER, p->manufacturer, raw);
	check_ident(m, QUERY_ID_MODEL, p->model, raw);
	check_ident(m, QUERY_ID_REVISION, p->revision, raw);
	check_ident(m, QUERY_ID_IMEI, p->imei, raw);
	check_ident(m, QUERY_ID_IMSI, p->imsi, raw);
	check_ident(m, QUERY_ID_OWN_NUMBER, p->own_number, raw);
	/* the ICCID command is not an identity of its own */
	struct query_text t;
	ck_assert_int_eq(query_ident(m, QUERY_ID_ICCID, &t, raw), SMSCTL_ERR_INVALID);

	/* ICCID: the vendor's own command is the one asked first (and, on these profiles,
	 * the one that answers); an unknown vendor's is the common guess, tried in the
	 * table's order */
	bool own = false;
	const char *first = query_iccid_command(query_vendor_from(p->manufacturer), &own);
	unsigned long before = smsctl_modem_get_command_count(m);
	ck_assert_int_eq(query_iccid(m, query_vendor_from(p->manufacturer), &t, raw), 0);
	ck_assert(t.known);
	ck_assert_str_eq(t.value, p->iccid);
	check_raw(raw, raw->command, NULL);
	if (own) {
		ck_assert_str_eq(raw->command, first);
		ck_assert_uint_eq(smsctl_modem_get_command_count(m) - before, 1);
	} else {
		size_t k = 0;
		while (strcmp(query_iccid_command_at(k), raw->command) != 0)
			k++;
		ck_assert_uint_eq(smsctl_modem_get_command_count(m) - before, k + 1);
	}

	struct query_sim sim;
	bool no_final = false;
	ck_assert_int_eq(query_sim(m, p->cimi, &no_final, &sim, raw), 0);
	ck_assert(!no_final);
	ck_assert_int_eq(sim.state, QUERY_SIM_READY);
	ck_assert_int_eq(sim.pub, SMSCTL_SIM_STATE_READY);
	check_raw(raw, p->cimi ? "AT+CIMI" : "AT+CPIN?", p->cimi ? NULL : "+CPIN:");
	ck_assert(sim.from_line == !p->cimi);
	ck_assert_str_eq(sim.said, p->cimi ? "OK" : query_line(raw, "+CPIN:"));

	struct query_reg reg;
	ck_assert_int_eq(query_reg(m, QUERY_REG_CS, &reg, raw), 0);
	check_raw(raw, "AT+CREG?", "+CREG:");
	ck_assert(reg.known);
	ck_assert(parse_reg_is_registered(reg.reg.stat));
	ck_assert_int_eq(reg.reg.cmd, PARSE_REG_CREG);

	struct query_csq csq;
	ck_assert_int_eq(query_csq(m, &csq, raw), 0);
	check_raw(raw, "AT+CSQ", "+CSQ:");
	ck_assert(csq.known);
	ck_assert_int_eq(csq.csq.rssi, p->rssi);
	ck_assert_int_eq(csq.csq.dbm, -113 + 2 * p->rssi);

	struct query_operator op;
	ck_assert_int_eq(query_operator(m, &op, raw), 0);
	check_raw(raw, "AT+COPS?", "+COPS:");
	ck_assert(op.known);
	ck_assert_str_eq(op.cops.oper, p->oper);

	struct query_smsc sc;
	ck_assert_int_eq(query_smsc(m, &sc, raw), 0);
	check_raw(raw, "AT+CSCA?", "+CSCA:");
	ck_assert(sc.known);
	ck_assert_str_eq(sc.csca.number, p->smsc);

	struct query_storage sto;
	ck_assert_int_eq(query_storage(m, &sto, raw), 0);
	check_raw(raw, "AT+CPMS?", "+CPMS:");
	ck_assert(sto.known);
	ck_assert_str_eq(sto.cpms.mem[0].name, p->mem);
	ck_assert_int_eq(sto.cpms.mem[0].used, 0);
	ck_assert_int_eq(sto.cpms.mem[0].total, p->total);

	smsctl_modem_free(m);
	free(raw);
}
END_TEST

/* Wavecom's AT+CPIN? ends without a final result: its +CPIN: line is the answer. */
START_TEST(test_cpin_no_final)
{
	struct query_reply raw;
	struct query_sim sim;
	bool no_final = false;
	struct smsctl_modem *m = open_sim("sim:wavecom", 300);

	ck_assert_int_eq(query_sim(m, false, &no_final, &sim, &raw), 0);
	ck_assert(no_final);
	ck_assert_int_eq(sim.state, QUERY_SIM_READY);
	ck_assert_int_eq(sim.pub, SMSCTL_SIM_STATE_READY);
	ck_assert_int_eq(raw.result, SMSCTL_RESULT_TIMEOUT);
	ck_assert_str_eq(raw.lines[0], "+CPIN: READY");
	smsctl_modem_free(m);
}
END_TEST

/* The SIM faults of the simulated modem, through AT+CPIN? and through AT+CIMI. */
static const struct {
	const char *dev;
	bool cimi;
	enum query_sim_state state;
	enum smsctl_sim_state pub;
	const char *said;
} sim_faults[] = {
    {"sim:generic?fault=sim_absent", false, QUERY_SIM_ABSENT, SMSCTL_SIM_STATE_ABSENT,
     "+CME ERROR: 10"},
    {"sim:generic?fault=sim_absent", true, QUERY_SIM_ABSENT, SMSCTL_SIM_STATE_ABSENT,
     "+CME ERROR: 10"},
    {"sim:simcom?fault=sim_absent", false, QUERY_SIM_ABSENT, SMSCTL_SIM_STATE_ABSENT,
     "+CPIN: NOT INSERTED"},
    {"sim:generic?fault=sim_pin", false, QUERY_SIM_PIN, SMSCTL_SIM_STATE_PIN, "+CPIN: SIM PIN"},
    {"sim:quectel?fault=sim_pin", true, QUERY_SIM_PIN, SMSCTL_SIM_STATE_PIN, "+CME ERROR: 11"},
    {"sim:huawei?fault=sim_puk", false, QUERY_SIM_PUK, SMSCTL_SIM_STATE_PUK, "+CPIN: SIM PUK"},
    {"sim:cinterion?fault=sim_failure", false, QUERY_SIM_FAILURE, SMSCTL_SIM_STATE_FAILURE,
     "+CME ERROR: 13"},
    {"sim:generic?fault=sim_busy:5", false, QUERY_SIM_BUSY, SMSCTL_SIM_STATE_BUSY,
     "+CME ERROR: 14"},
    {"sim:simcom?fault=sim_busy:5", false, QUERY_SIM_BUSY, SMSCTL_SIM_STATE_BUSY,
     "+CPIN: NOT READY"},
    /* a blocked card: the public API has no state for an error code it cannot act on */
    {"sim:generic?fault=sim_blocked", false, QUERY_SIM_BLOCKED, SMSCTL_SIM_STATE_UNKNOWN,
     "+CME ERROR: 262"},
};

START_TEST(test_sim_faults)
{
	struct query_reply raw;
	struct query_sim sim;
	struct smsctl_modem *m = open_sim(sim_faults[_i].dev, 0);

	int rc = query_sim(m, sim_faults[_i].cimi, NULL, &sim, &raw);
	ck_assert_int_eq(rc, sim.from_line ? 0 : 1);
	ck_assert_int_eq(sim.state, sim_faults[_i].state);
	ck_assert_int_eq(sim.pub, sim_faults[_i].pub);
	ck_assert_str_eq(sim.said, sim_faults[_i].said);
	ck_assert_str_eq(raw.command, sim_faults[_i].cimi ? "AT+CIMI" : "AT+CPIN?");
	if (!sim.from_line) {
		ck_assert_str_eq(raw.final, sim_faults[_i].said);
		ck_assert_int_eq(raw.result, SMSCTL_RESULT_CME_ERROR);
	}
	smsctl_modem_free(m);
}
END_TEST

/* ---- the one SIM mapping, over handpicked replies ---- */

static const struct {
	const char *line; /* NULL: none */
	enum smsctl_result result;
	const char *final;
	int code;
	enum query_sim_state state;
	enum smsctl_sim_state pub;
} sim_map[] = {
    {"+CPIN: READY", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_READY, SMSCTL_SIM_STATE_READY},
    {"+CPIN: \"READY\"", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_READY, SMSCTL_SIM_STATE_READY},
    {"+CPIN:READY", SMSCTL_RESULT_TIMEOUT, "", -1, QUERY_SIM_READY, SMSCTL_SIM_STATE_READY},
    {"+CPIN: SIM PIN", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_PIN, SMSCTL_SIM_STATE_PIN},
    {"+CPIN: SIM PUK", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_PUK, SMSCTL_SIM_STATE_PUK},
    {"+CPIN: SIM PIN2", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_READY, SMSCTL_SIM_STATE_OTHER},
    {"+CPIN: SIM PUK2", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_READY, SMSCTL_SIM_STATE_OTHER},
    {"+CPIN: PH-SIM PIN", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_LOCKED_DEVICE,
     SMSCTL_SIM_STATE_OTHER},
    {"+CPIN: PH-NET PIN", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_LOCKED_DEVICE,
     SMSCTL_SIM_STATE_OTHER},
    {"+CPIN: NOT READY", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_BUSY, SMSCTL_SIM_STATE_BUSY},
    {"+CPIN: NOT INSERTED", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_ABSENT, SMSCTL_SIM_STATE_ABSENT},
    {"+CPIN: SIM REMOVED", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_ABSENT, SMSCTL_SIM_STATE_ABSENT},
    {"+CPIN: SIM BLOCKED", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_BLOCKED, SMSCTL_SIM_STATE_PUK},
    {"+CPIN: WHATEVER", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_FAILURE, SMSCTL_SIM_STATE_OTHER},
    {"SIM PIN", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_PIN, SMSCTL_SIM_STATE_PIN},
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: 10", 10, QUERY_SIM_ABSENT,
     SMSCTL_SIM_STATE_ABSENT},
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: 11", 11, QUERY_SIM_PIN, SMSCTL_SIM_STATE_PIN},
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: 12", 12, QUERY_SIM_PUK, SMSCTL_SIM_STATE_PUK},
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: 13", 13, QUERY_SIM_FAILURE,
     SMSCTL_SIM_STATE_FAILURE},
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: 14", 14, QUERY_SIM_BUSY, SMSCTL_SIM_STATE_BUSY},
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: 15", 15, QUERY_SIM_FAILURE,
     SMSCTL_SIM_STATE_FAILURE},
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: 5", 5, QUERY_SIM_LOCKED_DEVICE,
     SMSCTL_SIM_STATE_UNKNOWN},
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: 44", 44, QUERY_SIM_LOCKED_DEVICE,
     SMSCTL_SIM_STATE_UNKNOWN},
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: 262", 262, QUERY_SIM_BLOCKED,
     SMSCTL_SIM_STATE_UNKNOWN},
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: 100", 100, QUERY_SIM_FAILURE,
     SMSCTL_SIM_STATE_UNKNOWN},
    /* the code from the final line when the engine gave none */
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: 10", -1, QUERY_SIM_ABSENT,
     SMSCTL_SIM_STATE_ABSENT},
    /* verbose texts the table does not know: the words */
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: No SIM card", -1, QUERY_SIM_ABSENT,
     SMSCTL_SIM_STATE_UNKNOWN},
    {NULL, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: card is busy", -1, QUERY_SIM_BUSY,
     SMSCTL_SIM_STATE_UNKNOWN},
    {NULL, SMSCTL_RESULT_CMS_ERROR, "+CMS ERROR: 310", 310, QUERY_SIM_ABSENT,
     SMSCTL_SIM_STATE_UNKNOWN},
    {NULL, SMSCTL_RESULT_CMS_ERROR, "+CMS ERROR: 311", 311, QUERY_SIM_PIN,
     SMSCTL_SIM_STATE_UNKNOWN},
    {NULL, SMSCTL_RESULT_CMS_ERROR, "+CMS ERROR: 316", 316, QUERY_SIM_PUK,
     SMSCTL_SIM_STATE_UNKNOWN},
    {NULL, SMSCTL_RESULT_CMS_ERROR, "+CMS ERROR: 317", 317, QUERY_SIM_READY,
     SMSCTL_SIM_STATE_UNKNOWN},
    {NULL, SMSCTL_RESULT_ERROR, "ERROR", -1, QUERY_SIM_FAILURE, SMSCTL_SIM_STATE_UNKNOWN},
    {NULL, SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_UNKNOWN, SMSCTL_SIM_STATE_UNKNOWN},
    {"+CSQ: 20,99", SMSCTL_RESULT_OK, "OK", -1, QUERY_SIM_UNKNOWN, SMSCTL_SIM_STATE_UNKNOWN},
    {NULL, SMSCTL_RESULT_TIMEOUT, "", -1, QUERY_SIM_UNKNOWN, SMSCTL_SIM_STATE_UNKNOWN},
    {NULL, SMSCTL_RESULT_GONE, "", -1, QUERY_SIM_UNKNOWN, SMSCTL_SIM_STATE_UNKNOWN},
};

START_TEST(test_sim_map)
{
	struct query_reply r;
	struct query_sim sim;

	query_reply_init(&r, "AT+CPIN?");
	r.result = sim_map[_i].result;
	r.code = sim_map[_i].code;
	snprintf(r.final, sizeof(r.final), "%s", sim_map[_i].final);
	if (sim_map[_i].line)
		query_reply_add_line(&r, sim_map[_i].line);
	query_sim_of(&r, &sim);
	ck_assert_int_eq(sim.state, sim_map[_i].state);
	ck_assert_int_eq(sim.pub, sim_map[_i].pub);
	ck_assert(sim.from_line == (sim_map[_i].state != QUERY_SIM_UNKNOWN && sim_map[_i].line));
	if (sim.from_line)
		ck_assert_str_eq(sim.said, sim_map[_i].line);
	else if (sim_map[_i].state != QUERY_SIM_UNKNOWN)
		ck_assert_str_eq(sim.said, sim_map[_i].final);

	/* not asked: nothing known */
	r.asked = false;
	query_sim_of(&r, &sim);
	ck_assert_int_eq(sim.state, QUERY_SIM_UNKNOWN);
	ck_assert_str_eq(sim.said, "");
}
END_TEST

/* ---- real captures of the AT corpus (tests/data/at, each case naming its source) ---- */

struct at_case {
	const char *id;
	const char *family;
	const char *form;
	const char *raw;
	const char *charset;
	bool reject;
	int pattern;
	const char *const *expect;
};
#define PATTERN_REJECT (-1)
#include "at-cases.h"
#define N_AT_CASES (sizeof(at_cases) / sizeof(at_cases[0]))

/* The value of key in a case's expectations, NULL when it asserts none. */
static const char *expect_of(const struct at_case *c, const char *key)
{
	size_t n = strlen(key);

	for (const char *const *e = c->expect; *e; e++)
		if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* The reply the engine makes of a capture: its lines, the final line as result (OK when the
 * capture has none), an echo of the command dropped. */
static void reply_of_capture(const char *cmd, const char *raw, struct query_reply *r)
{
	char buf[4096];
	char *save = NULL;

	query_reply_init(r, cmd);
	r->result = SMSCTL_RESULT_OK;
	snprintf(r->final, sizeof(r->final), "OK");
	snprintf(buf, sizeof(buf), "%s", raw);
	for (char *l = strtok_r(buf, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save)) {
		int res = parse_final(l);
		if (res != SMSCTL_RESULT_NONE) {
			r->result = (enum smsctl_result)res;
			snprintf(r->final, sizeof(r->final), "%s", l);
			continue;
		}
		if (strncmp(l, "AT", 2) == 0)
			continue;
		query_reply_add_line(r, l);
	}
}

static int int_of(const char *s)
{
	return s && strcmp(s, "null") != 0 ? atoi(s) : PARSE_NONE;
}

/* Check the query reading of one case; false when the query layer does not read its family
 * or form. */
static bool check_capture(const struct at_case *c)
{
	struct query_reply r;
	const char *f = c->family, *want;
	bool known = false, answer = strcmp(c->form, "test") != 0 && strcmp(c->form, "set") != 0 &&
				     strcmp(c->form, "unsolicited") != 0 &&
				     strcmp(c->form, "urc") != 0;

	if (!answer)
		return false;
	/* a reply the source reads as nothing (an OK alone) is rejected too */
	bool reject = c->reject || c->pattern == PATTERN_REJECT;
	reply_of_capture("AT", c->raw, &r);
	if (!strcmp(f, "+CREG") || !strcmp(f, "+CGREG") || !strcmp(f, "+CEREG")) {
		struct query_reg rg;
		enum query_domain d = f[2] == 'R'   ? QUERY_REG_CS
				      : f[2] == 'G' ? QUERY_REG_PS
						    : QUERY_REG_EPS;
		query_reg_of(d, &r, &rg);
		known = rg.known;
		if (known && (want = expect_of(c, "stat")))
			ck_assert_int_eq(rg.reg.stat, int_of(want));
	} else if (!strcmp(f, "+CSQ")) {
		struct query_csq q;
		query_csq_of(&r, &q);
		known = q.known;
		if (known && (want = expect_of(c, "rssi")))
			ck_assert_int_eq(q.csq.rssi, int_of(want));
	} else if (!strcmp(f, "+CESQ")) {
		struct query_cesq q;
		query_cesq_of(&r, &q);
		known = q.known;
		if (known && (want = expect_of(c, "rsrp")))
			ck_assert_int_eq(q.cesq.rsrp, int_of(want));
	} else if (!strcmp(f, "^HCSQ") || !strcmp(f, "+QCSQ")) {
		struct query_vsig q;
		query_vsig_of(&r, &q);
		if ((want = expect_of(c, "dbm"))) {
			ck_assert(q.known);
			ck_assert_int_eq(q.dbm, int_of(want));
		}
		return true;
	} else if (!strcmp(f, "+COPS")) {
		struct query_operator q;
		query_operator_of(&r, &q);
		known = q.known;
		if (known && (want = expect_of(c, "oper")))
			ck_assert_str_eq(q.cops.oper, strcmp(want, "null") ? want : "");
	} else if (!strcmp(f, "+CSCA")) {
		struct query_smsc q;
		query_smsc_of(&r, &q);
		/* an empty centre is read ("" number) but is no centre */
		known = q.known && parse_csca_is_valid(&q.csca);
		if (known && (want = expect_of(c, "number")))
			ck_assert_str_eq(q.csca.number, strcmp(want, "null") ? want : "");
	} else if (!strcmp(f, "+CPMS")) {
		struct query_storage q;
		query_storage_of(&r, &q);
		known = q.known;
		if (known) {
			ck_assert_str_eq(q.cpms.mem[0].name, expect_of(c, "mem1.name"));
			ck_assert_int_eq(q.cpms.mem[0].used, int_of(expect_of(c, "mem1.used")));
			ck_assert_int_eq(q.cpms.mem[0].total, int_of(expect_of(c, "mem1.total")));
		}
	} else if (!strcmp(f, "+CPIN")) {
		struct query_sim q;
		query_sim_of(&r, &q);
		known = q.from_line;
		if (known) {
			ck_assert_int_ne(q.state, QUERY_SIM_UNKNOWN);
			ck_assert_ptr_nonnull(strstr(q.said, expect_of(c, "code")));
		}
	} else {
		static const struct {
			const char *family, *key;
			enum query_ident what;
		} ids[] = {
		    {"ICCID", "iccid", QUERY_ID_ICCID},
		    {"+CGSN", "imei", QUERY_ID_IMEI},
		    {"+CIMI", "imsi", QUERY_ID_IMSI},
		    {"+CNUM", "numbers.0", QUERY_ID_OWN_NUMBER},
		};
		size_t k = 0;
		while (k < sizeof(ids) / sizeof(ids[0]) && strcmp(ids[k].family, f) != 0)
			k++;
		if (k == sizeof(ids) / sizeof(ids[0]))
			return false;
		struct query_text t;
		query_ident_of(ids[k].what, &r, &t);
		want = expect_of(c, ids[k].key);
		if (reject || (ids[k].what == QUERY_ID_OWN_NUMBER && !want)) {
			ck_assert_msg(!t.known, "%s: read '%s'", c->id, t.value);
			return true;
		}
		ck_assert_msg(t.known, "%s: nothing read", c->id);
		if (want)
			ck_assert_str_eq(t.value, want);
		return true;
	}
	if (reject && strcmp(f, "+CPIN") != 0)
		ck_assert_msg(!known, "%s: a rejected reply was read", c->id);
	else if (!reject)
		ck_assert_msg(known, "%s: nothing read", c->id);
	return true;
}

START_TEST(test_captures)
{
	size_t checked = 0;

	for (size_t i = 0; i < N_AT_CASES; i++)
		checked += check_capture(&at_cases[i]);
	/* every family of the layer has captures: the loop cannot pass by reading none */
	ck_assert_uint_ge(checked, 150);
}
END_TEST

/* ---- over a socket pair: real transcripts and error answers ---- */

/* A modem peer: for every command line it reads, the reply scripted for it (NULL: silence). */
struct peer {
	int fd;
	const char *cmd;   /* the command expected, "" any */
	const char *reply; /* bytes, NULL: never answer */
	size_t len;
};

static void *peer_run(void *arg)
{
	struct peer *p = arg;
	char line[256];
	size_t n = 0;
	char ch;

	while (read(p->fd, &ch, 1) == 1) {
		if (ch != '\r') {
			if (n + 1 < sizeof(line))
				line[n++] = ch;
			continue;
		}
		line[n] = '\0';
		n = 0;
		if (p->reply && (!p->cmd[0] || strcmp(line, p->cmd) == 0) &&
		    write(p->fd, p->reply, p->len) != (ssize_t)p->len)
			break;
	}
	return NULL;
}

static struct smsctl_modem *open_pair(struct peer *p, pthread_t *th)
{
	int sv[2];
	struct smsctl_modem *m = NULL;
	struct smsctl_modem_options *mo = smsctl_modem_options_new();

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	smsctl_modem_options_set_timeout(mo, 300);
	ck_assert_int_eq(modem_new_from_transport("pair", transport_fd_wrap(sv[0]), mo, &m), 0);
	smsctl_modem_options_free(mo);
	p->fd = sv[1];
	ck_assert_int_eq(pthread_create(th, NULL, peer_run, p), 0);
	return m;
}

static void close_pair(struct smsctl_modem *m, struct peer *p, pthread_t th)
{
	smsctl_modem_free(m);
	pthread_join(th, NULL);
	close(p->fd);
}

/* C escapes of a transcript's "<" line: \r \n \\ \xNN. */
static size_t unescape(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s && n + 1 < size; s++) {
		if (*s != '\\' || !s[1]) {
			out[n++] = *s;
			continue;
		}
		s++;
		if (*s == 'r')
			out[n++] = '\r';
		else if (*s == 'n')
			out[n++] = '\n';
		else if (*s == 'x' && s[1] && s[2]) {
			char hex[3] = {s[1], s[2], 0};
			out[n++] = (char)strtol(hex, NULL, 16);
			s += 2;
		} else
			out[n++] = *s;
	}
	return n;
}

/* A one-command transcript: the command, the modem's bytes, the lines and final line the
 * engine must make of them. */
struct transcript {
	char cmd[128];
	char rx[2048];
	size_t rx_len;
	char lines[QUERY_MAX_LINES][QUERY_LINE_MAX];
	size_t n_lines;
	char final[QUERY_LINE_MAX];
};

static void load_transcript(const char *name, struct transcript *t)
{
	char path[512], line[2048];
	FILE *f;

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/transcripts/%s", TEST_DATA_DIR, name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: cannot open", path);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "> ", 2)) {
			ck_assert_str_eq(t->cmd, ""); /* one command per transcript here */
			snprintf(t->cmd, sizeof(t->cmd), "%.127s", line + 2);
		} else if (!strncmp(line, "< ", 2)) {
			size_t n = unescape(line + 2, t->rx + t->rx_len, sizeof(t->rx) - t->rx_len);
			bool eol = memchr(t->rx + t->rx_len, '\r', n) ||
				   memchr(t->rx + t->rx_len, '\n', n);
			t->rx_len += n;
			if (!eol && t->rx_len + 2 < sizeof(t->rx)) {
				memcpy(t->rx + t->rx_len, "\r\n", 2);
				t->rx_len += 2;
			}
		} else if (!strncmp(line, ": ", 2) && t->n_lines < QUERY_MAX_LINES) {
			snprintf(t->lines[t->n_lines++], QUERY_LINE_MAX, "%.255s", line + 2);
		} else if (!strncmp(line, "= ", 2)) {
			snprintf(t->final, sizeof(t->final), "%.255s", line + 2);
		}
	}
	fclose(f);
}

enum q_kind { K_REG, K_SMSC, K_IMEI, K_SIM, K_CSQ, K_OPER, K_STORAGE, K_ICCID };

/* Real transcripts (tests/data/transcripts, each naming its source in its first lines) and
 * the value the source asserts. */
static const struct {
	const char *file;
	enum q_kind kind;
	const char *value; /* text values; NULL: known false */
	int number;	   /* +CREG stat, SIM state */
} transcripts[] = {
    {"gammu-at-creg-huawei.at", K_REG, NULL, 1},
    {"gammu-at-creg-telit.at", K_REG, NULL, 1},
    {"gammu-at-creg-none.at", K_REG, NULL, 0},
    {"gammu-at-creg-siemens.at", K_REG, NULL, 1},
    {"gammu-at-creg-empty.at", K_REG, NULL, -1},
    {"gammu-at-smsc-01.at", K_SMSC, "+97254120032", 0},
    {"gammu-at-smsc-02.at", K_SMSC, "+79168999100", 0},
    {"gammu-at-smsc-03.at", K_SMSC, "6281100000", 0},
    {"gammu-at-smsc-05.at", K_SMSC, "+447802092035", 0},
    {"gammu-at-smsc-failing-04.at", K_SMSC, "", 0},
    {"gsmmodem-cgsn.at", K_IMEI, "012345678912345", 0},
    {"mm-gsn-1.at", K_IMEI, "354237065082227", 0},
    {"own-cme-verbose.at", K_SIM, NULL, QUERY_SIM_ABSENT},
};

START_TEST(test_transcripts)
{
	struct transcript t;
	struct query_reply raw;
	struct peer p = {.cmd = ""};
	pthread_t th;
	int rc = 0;

	load_transcript(transcripts[_i].file, &t);
	p.reply = t.rx;
	p.len = t.rx_len;
	p.cmd = t.cmd;
	struct smsctl_modem *m = open_pair(&p, &th);
	switch (transcripts[_i].kind) {
	case K_REG: {
		struct query_reg rg;
		ck_assert_str_eq(t.cmd, query_reg_command(QUERY_REG_CS));
		rc = query_reg(m, QUERY_REG_CS, &rg, &raw);
		ck_assert(rg.known == (transcripts[_i].number >= 0));
		ck_assert_int_eq(rg.reg.stat, transcripts[_i].number);
		break;
	}
	case K_SMSC: {
		struct query_smsc sc;
		rc = query_smsc(m, &sc, &raw);
		ck_assert(sc.known);
		ck_assert_str_eq(sc.csca.number, transcripts[_i].value);
		ck_assert(parse_csca_is_valid(&sc.csca) == (transcripts[_i].value[0] != '\0'));
		break;
	}
	case K_IMEI: {
		struct query_text id;
		rc = query_ident(m, QUERY_ID_IMEI, &id, &raw);
		ck_assert(id.known);
		ck_assert_str_eq(id.value, transcripts[_i].value);
		break;
	}
	case K_SIM: {
		struct query_sim sim;
		rc = query_sim(m, false, NULL, &sim, &raw);
		ck_assert_int_eq(sim.state, transcripts[_i].number);
		ck_assert_str_eq(sim.said, t.final);
		break;
	}
	default:
		ck_abort();
	}
	/* the raw reply is what the engine made of the modem's bytes */
	ck_assert_str_eq(raw.command, t.cmd);
	ck_assert_str_eq(raw.final, t.final);
	ck_assert_int_eq(rc, strcmp(t.final, "OK") == 0 ? 0 : 1);
	ck_assert_uint_eq(raw.n_lines, t.n_lines);
	for (size_t i = 0; i < t.n_lines; i++)
		ck_assert_str_eq(raw.lines[i], t.lines[i]);
	close_pair(m, &p, th);
}
END_TEST

/* Error answers: every query, ERROR, +CME ERROR, no answer, garbage. */
static const struct answer {
	const char *name;
	const char *reply; /* NULL: silence */
	int rc;
	enum smsctl_result result;
	const char *final;
} answers[] = {
    {"error", "\r\nERROR\r\n", 1, SMSCTL_RESULT_ERROR, "ERROR"},
    {"cme", "\r\n+CME ERROR: 3\r\n", 1, SMSCTL_RESULT_CME_ERROR, "+CME ERROR: 3"},
    {"cms", "\r\n+CMS ERROR: 500\r\n", 1, SMSCTL_RESULT_CMS_ERROR, "+CMS ERROR: 500"},
    {"timeout", NULL, SMSCTL_ERR_TIMEOUT, SMSCTL_RESULT_TIMEOUT, ""},
    {"garbage", "\r\n#&%!?zz@@ 12,,\"\r\n\x01\x02\x7f\r\nOK\r\n", 0, SMSCTL_RESULT_OK, "OK"},
    {"bare-ok", "\r\nOK\r\n", 0, SMSCTL_RESULT_OK, "OK"},
};

static const enum q_kind all_kinds[] = {K_REG, K_SMSC, K_IMEI,	  K_SIM,
					K_CSQ, K_OPER, K_STORAGE, K_ICCID};
#define N_KINDS (sizeof(all_kinds) / sizeof(all_kinds[0]))

START_TEST(test_error_answers)
{
	const struct answer *a = &answers[_i / N_KINDS];
	enum q_kind kind = all_kinds[_i % N_KINDS];
	struct peer p = {.cmd = "", .reply = a->reply, .len = a->reply ? strlen(a->reply) : 0};
	struct query_reply raw;
	pthread_t th;
	bool known = true;
	int rc = 0;

	if (a->reply && strchr(a->reply, '\x01'))
		p.len = strlen(a->reply); /* the control bytes are part of it */
	struct smsctl_modem *m = open_pair(&p, &th);
	switch (kind) {
	case K_REG: {
		struct query_reg v;
		rc = query_reg(m, QUERY_REG_EPS, &v, &raw);
		known = v.known || v.reg.stat != -1;
		break;
	}
	case K_SMSC: {
		struct query_smsc v;
		rc = query_smsc(m, &v, &raw);
		known = v.known;
		break;
	}
	case K_IMEI: {
		struct query_text v;
		rc = query_ident(m, QUERY_ID_IMEI, &v, &raw);
		known = v.known || v.value[0];
		break;
	}
	case K_SIM: {
		struct query_sim v;
		rc = query_sim(m, false, NULL, &v, &raw);
		known = v.from_line || v.pub != SMSCTL_SIM_STATE_UNKNOWN;
		/* the diagnosis' state: an error is a SIM failure, an unclear answer unknown */
		if (a->result == SMSCTL_RESULT_ERROR)
			ck_assert_int_eq(v.state, QUERY_SIM_FAILURE);
		else if (a->result != SMSCTL_RESULT_CME_ERROR &&
			 a->result != SMSCTL_RESULT_CMS_ERROR)
			ck_assert_int_eq(v.state, QUERY_SIM_UNKNOWN);
		break;
	}
	case K_CSQ: {
		struct query_csq v;
		rc = query_csq(m, &v, &raw);
		known = v.known;
		break;
	}
	case K_OPER: {
		struct query_operator v;
		rc = query_operator(m, &v, &raw);
		known = v.known;
		break;
	}
	case K_STORAGE: {
		struct query_storage v;
		rc = query_storage(m, &v, &raw);
		known = v.known;
		break;
	}
	case K_ICCID: {
		struct query_text v;
		/* every command of the order is asked, none gives an ICCID */
		unsigned long before = smsctl_modem_get_command_count(m);
		rc = query_iccid(m, QUERY_V_QUECTEL, &v, &raw);
		known = v.known;
		if (rc >= 0)
			ck_assert_uint_eq(smsctl_modem_get_command_count(m) - before,
					  query_iccid_count());
		ck_assert_str_eq(raw.command, rc >= 0
						  ? query_iccid_command_at(query_iccid_count() - 1)
						  : "AT+QCCID");
		break;
	}
	}
	ck_assert_msg(!known, "%s: a value read from '%s'", raw.command, a->name);
	ck_assert_int_eq(rc, a->rc);
	ck_assert(query_fatal(rc) == (rc < 0));
	ck_assert_int_eq(raw.result, a->result);
	ck_assert_str_eq(raw.final, a->final);
	if (!strcmp(a->name, "garbage")) {
		/* the printable garbage is kept as it came (the evidence shows it); the line of
		 * control bytes is noise the engine drops and counts */
		ck_assert_uint_eq(raw.n_lines, 1);
		ck_assert_str_eq(raw.lines[0], "#&%!?zz@@ 12,,\"");
	} else {
		ck_assert_uint_eq(raw.n_lines, 0);
	}
	close_pair(m, &p, th);
}
END_TEST

/* A long UTF-8 line is cut between characters, in the record (QUERY_LINE_MAX) and in the
 * identity value (QUERY_TEXT_MAX): a Chinese manufacturer name never ends in half a
 * character. The lengths are chosen so that a byte cut would split one. */
static bool whole_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	while (*u) {
		size_t need = *u < 0x80 ? 0 : *u >= 0xF0 ? 3 : *u >= 0xE0 ? 2 : *u >= 0xC0 ? 1 : 9;
		if (need == 9)
			return false;
		u++;
		for (size_t i = 0; i < need; i++, u++)
			if ((*u & 0xC0) != 0x80)
				return false;
	}
	return true;
}

START_TEST(test_utf8_cut)
{
	static const char name[] = "\xe5\x8d\x8e\xe4\xb8\xba"; /* 华为 */
	char line[600] = "+CGMI: ";
	struct query_reply r;
	struct query_text t;

	while (strlen(line) + sizeof(name) < sizeof(line))
		strcat(line, name);
	query_reply_init(&r, "AT+CGMI");
	query_reply_add_line(&r, line);
	ck_assert_uint_eq(r.n_lines, 1);
	/* 7 + 3k bytes never reach 255 exactly: a byte cut would leave two of three bytes */
	ck_assert_uint_eq(strlen(r.lines[0]), QUERY_LINE_MAX - 3);
	ck_assert(whole_utf8(r.lines[0]));
	query_ident_of(QUERY_ID_MANUFACTURER, &r, &t);
	ck_assert(t.known);
	ck_assert_uint_eq(strlen(t.value), (QUERY_TEXT_MAX - 1) / 3 * 3);
	ck_assert(whole_utf8(t.value));
	ck_assert_int_eq(strncmp(t.value, line + 7, strlen(t.value)), 0);

	/* whole characters at the end, ASCII and bytes that are not UTF-8 stay as they are */
	ck_assert_uint_eq(query_utf8_whole("ab\xe5\x8d\x8e", 5), 5);
	ck_assert_uint_eq(query_utf8_whole("ab\xe5\x8d\x8e", 4), 2);
	ck_assert_uint_eq(query_utf8_whole("ab\xe5\x8d\x8e", 3), 2);
	ck_assert_uint_eq(query_utf8_whole("ab\xc3\xa9", 3), 2);
	ck_assert_uint_eq(query_utf8_whole("\xf0\x9f\x98\x80", 3), 0);
	ck_assert_uint_eq(query_utf8_whole("abc", 3), 3);
	ck_assert_uint_eq(query_utf8_whole("a\x80\x80\x80\x80", 5), 5);
	ck_assert_uint_eq(query_utf8_whole("a\xff\x80", 3), 3);
	ck_assert_uint_eq(query_utf8_whole("", 0), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("query");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_profile, 0, (int)(sizeof(profiles) / sizeof(profiles[0])));
	tcase_add_loop_test(tc, test_names, 0, (int)(sizeof(names) / sizeof(names[0])));
	tcase_add_test(tc, test_iccid_order);
	tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof(errors) / sizeof(errors[0])));
	tcase_add_loop_test(tc, test_profile_queries, 0, (int)(sizeof(pq) / sizeof(pq[0])));
	tcase_add_test(tc, test_cpin_no_final);
	tcase_add_loop_test(tc, test_sim_faults, 0,
			    (int)(sizeof(sim_faults) / sizeof(sim_faults[0])));
	tcase_add_loop_test(tc, test_sim_map, 0, (int)(sizeof(sim_map) / sizeof(sim_map[0])));
	tcase_add_test(tc, test_captures);
	tcase_add_test(tc, test_utf8_cut);
	tcase_add_loop_test(tc, test_transcripts, 0,
			    (int)(sizeof(transcripts) / sizeof(transcripts[0])));
	tcase_add_loop_test(tc, test_error_answers, 0,
			    (int)(N_KINDS * (sizeof(answers) / sizeof(answers[0]))));
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
