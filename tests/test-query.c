/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* query/: the one vendor table, the ICCID order, the fatal-error sets, the clock and the
 * pause. Table-driven over the sim: profiles: the vendor is recognised from the profile's
 * own AT+CGMI answer and the ICCID command the table names for it reads the card's ICCID
 * (the digits printed on the card, from the profile's source). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>
#include <smsctl/modem.h>

#include "parse/parse.h"
#include "query/query.h"

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

int main(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("query");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_profile, 0, (int)(sizeof(profiles) / sizeof(profiles[0])));
	tcase_add_loop_test(tc, test_names, 0, (int)(sizeof(names) / sizeof(names[0])));
	tcase_add_test(tc, test_iccid_order);
	tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof(errors) / sizeof(errors[0])));
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
