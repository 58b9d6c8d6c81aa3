/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The +CME/+CMS ERROR tables (lib/at-error.c, include/smsctl/codes.h): every code has a text,
 * the 3GPP meanings of known codes (TS 27.007 9.2, TS 27.005 3.2.5, TS 24.011 table 8.4,
 * TS 23.040 9.2.3.22), the retry classes of the project contract (CONTRACTS.md "Sending: which
 * failures are retried"), verbose text to number, and vendor codes.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/smsctl.h>

#include "parse/parse.h"

/* Known codes and their meaning as the specifications word them. */
static const struct {
	int code;
	const char *text;
} cme_known[] = {
    {0, "phone failure"},
    {3, "operation not allowed"},
    {4, "operation not supported"},
    {10, "SIM not inserted"}, /* Telit manual: "+CME ERROR: 10" = insert the SIM */
    {11, "SIM PIN required"},
    {12, "SIM PUK required"},
    {13, "SIM failure"},
    {14, "SIM busy"},
    {16, "incorrect password"}, /* Multi-Tech manual: 16 = PIN incorrect */
    {22, "not found"},
    {30, "no network service"},
    {100, "unknown"},
    {107, "GPRS/EPS services not allowed"},
    {111, "PLMN not allowed"},
    {148, "unspecified GPRS error"},
    {233, "wireline access area not allowed"},
};

static const struct {
	int code;
	const char *text;
} cms_known[] = {
    {1, "unassigned (unallocated) number"},
    {8, "operator determined barring"},
    {10, "call barred"},
    {21, "short message transfer rejected"},
    {38, "network out of order"},
    {41, "temporary failure"},
    {42, "congestion"},
    {47, "resources unavailable, unspecified"},
    {50, "requested facility not subscribed"},
    {69, "requested facility not implemented"},
    {96, "invalid mandatory information"},
    {127, "interworking, unspecified"},
    {128, "telematic interworking not supported"},
    {192, "SC busy"},
    {208, "(U)SIM SMS storage full"},
    {255, "unspecified error cause"},
    {300, "ME failure"},
    {304, "invalid PDU mode parameter"},
    {305, "invalid text mode parameter"},
    {310, "(U)SIM not inserted"},
    {314, "(U)SIM busy"},
    {322, "memory full"},
    {330, "SMSC address unknown"},
    {331, "no network service"},
    {332, "network timeout"},
    {340, "no +CNMA acknowledgement expected"},
    {500, "unknown error"},
};

START_TEST(test_cme_known)
{
	ck_assert_str_eq(smsctl_cme_error_describe(cme_known[_i].code), cme_known[_i].text);
}
END_TEST

START_TEST(test_cms_known)
{
	ck_assert_str_eq(smsctl_cms_error_describe(cms_known[_i].code), cms_known[_i].text);
}
END_TEST

/* Every code from -1 to 1023 has a non-empty text in both tables. */
START_TEST(test_every_code_has_text)
{
	int code = _i - 1;
	const char *a = smsctl_cms_error_describe(code);
	const char *b = smsctl_cme_error_describe(code);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_gt((int)strlen(a), 0);
	ck_assert_int_gt((int)strlen(b), 0);
	enum smsctl_retry_class c = smsctl_cms_error_class(code);
	ck_assert(c == SMSCTL_RETRY_PERMANENT || c == SMSCTL_RETRY_TRANSIENT ||
		  c == SMSCTL_RETRY_INSPECT);
}
END_TEST

/* Ranges of TS 27.005 3.2.5 without entries of their own. */
START_TEST(test_cms_ranges)
{
	ck_assert_str_eq(smsctl_cms_error_describe(2),
			 "reserved RP cause (treated as temporary failure)");
	ck_assert_str_eq(smsctl_cms_error_describe(131), "reserved TP failure cause");
	ck_assert_str_eq(smsctl_cms_error_describe(230),
			 "TP failure cause specific to an application");
	ck_assert_str_eq(smsctl_cms_error_describe(400), "reserved error code");
	ck_assert_str_eq(smsctl_cms_error_describe(512), "vendor specific error");
	ck_assert_str_eq(smsctl_cms_error_describe(-5), "unknown error");
	ck_assert_str_eq(smsctl_cme_error_describe(8), "unknown error");
	ck_assert_str_eq(smsctl_cme_error_describe(99999), "unknown error");
}
END_TEST

/* CONTRACTS.md: which +CMS ERROR codes are retried. */
static const struct {
	int code;
	enum smsctl_retry_class cls;
} classes[] = {
    {38, SMSCTL_RETRY_TRANSIENT},  {41, SMSCTL_RETRY_TRANSIENT},  {42, SMSCTL_RETRY_TRANSIENT},
    {47, SMSCTL_RETRY_TRANSIENT},  {314, SMSCTL_RETRY_TRANSIENT}, {330, SMSCTL_RETRY_INSPECT},
    {331, SMSCTL_RETRY_INSPECT},   {332, SMSCTL_RETRY_INSPECT},	  {500, SMSCTL_RETRY_INSPECT},
    {512, SMSCTL_RETRY_INSPECT},   {513, SMSCTL_RETRY_INSPECT},	  {9999, SMSCTL_RETRY_INSPECT},
    {1, SMSCTL_RETRY_PERMANENT},   {8, SMSCTL_RETRY_PERMANENT},	  {10, SMSCTL_RETRY_PERMANENT},
    {21, SMSCTL_RETRY_PERMANENT},  {27, SMSCTL_RETRY_PERMANENT},  {28, SMSCTL_RETRY_PERMANENT},
    {29, SMSCTL_RETRY_PERMANENT},  {30, SMSCTL_RETRY_PERMANENT},  {50, SMSCTL_RETRY_PERMANENT},
    {69, SMSCTL_RETRY_PERMANENT},  {96, SMSCTL_RETRY_PERMANENT},  {304, SMSCTL_RETRY_PERMANENT},
    {305, SMSCTL_RETRY_PERMANENT}, {0, SMSCTL_RETRY_PERMANENT},	  {192, SMSCTL_RETRY_PERMANENT},
    {310, SMSCTL_RETRY_PERMANENT}, {322, SMSCTL_RETRY_PERMANENT}, {-1, SMSCTL_RETRY_PERMANENT},
};

START_TEST(test_classes)
{
	ck_assert_int_eq(smsctl_cms_error_class(classes[_i].code), classes[_i].cls);
}
END_TEST

/* Everything not named transient or inspect in the contract is permanent. */
START_TEST(test_classes_rest_permanent)
{
	static const int transient[] = {38, 41, 42, 47, 314};
	static const int inspect[] = {330, 331, 332, 500};
	for (int code = 0; code < 512; code++) {
		enum smsctl_retry_class want = SMSCTL_RETRY_PERMANENT;
		for (size_t i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
			if (code == transient[i])
				want = SMSCTL_RETRY_TRANSIENT;
		for (size_t i = 0; i < sizeof(inspect) / sizeof(inspect[0]); i++)
			if (code == inspect[i])
				want = SMSCTL_RETRY_INSPECT;
		ck_assert_msg(smsctl_cms_error_class(code) == want, "code %d", code);
	}
}
END_TEST

START_TEST(test_cme_classes)
{
	ck_assert_int_eq(smsctl_cme_error_class(14), SMSCTL_RETRY_TRANSIENT);
	ck_assert_int_eq(smsctl_cme_error_class(30), SMSCTL_RETRY_INSPECT);
	ck_assert_int_eq(smsctl_cme_error_class(100), SMSCTL_RETRY_INSPECT);
	ck_assert_int_eq(smsctl_cme_error_class(10), SMSCTL_RETRY_PERMANENT);
	ck_assert_int_eq(smsctl_cme_error_class(11), SMSCTL_RETRY_PERMANENT);
}
END_TEST

/* Verbose texts (AT+CMEE=2) to numbers; case, spaces, a trailing period and "(U)" ignored. */
static const struct {
	bool cms;
	const char *text;
	int code;
} verbose[] = {
    {false, "SIM not inserted", 10},
    {false, "sim not inserted.", 10},
    {false, "SIM  NOT  INSERTED", 10},
    {false, "SIM PIN required", 11},
    {false, "SIM PUK required", 12},
    {false, "SIM failure", 13},
    {false, "SIM busy", 14},
    {false, "incorrect password", 16},
    {false, "operation not allowed", 3},
    {false, "phone failure", 0},
    {false, "no network service", 30},
    {false, "Network not allowed, emergency calls only", 32},
    {false, "unknown", 100},
    {false, "unknown error", 100},
    {false, "PH-SIM PUK required", 48},
    {false, "raspberry", -1},
    {false, "", -1},
    {true, "SMSC address unknown", 330},
    {true, "(U)SIM busy", 314},
    {true, "SIM busy", 314},
    {true, "SIM not inserted", 310},
    {true, "memory full", 322},
    {true, "operation not allowed", 302},
    {true, "invalid PDU mode parameter", 304},
    {true, "unknown error", 500},
    {true, "network timeout", 332},
    {true, "bananas", -1},
};

START_TEST(test_verbose)
{
	int got = verbose[_i].cms ? smsctl_cms_error_from_text(verbose[_i].text)
				  : smsctl_cme_error_from_text(verbose[_i].text);
	ck_assert_msg(got == verbose[_i].code, "\"%s\": %d, %d expected", verbose[_i].text, got,
		      verbose[_i].code);
}
END_TEST

START_TEST(test_verbose_every_text_maps_back)
{
	/* the text of every known code maps back to that code */
	for (int code = 0; code < 512; code++) {
		const char *t = smsctl_cme_error_describe(code);
		if (strcmp(t, "unknown error") == 0)
			continue;
		int back = smsctl_cme_error_from_text(t);
		/* duplicated wordings map to the first code that has them */
		ck_assert_msg(back >= 0, "CME %d \"%s\"", code, t);
		ck_assert_str_eq(smsctl_cme_error_describe(back), t);
	}
	for (int code = 300; code <= 500; code++) {
		const char *t = smsctl_cms_error_describe(code);
		if (strcmp(t, "reserved error code") == 0)
			continue;
		ck_assert_int_eq(smsctl_cms_error_from_text(t), code);
	}
	ck_assert_int_eq(smsctl_cme_error_from_text(NULL), -1);
	ck_assert_int_eq(smsctl_cms_error_from_text(NULL), -1);
}
END_TEST

START_TEST(test_vendor)
{
	ck_assert_str_eq(smsctl_cms_error_describe_vendor(513, "WAVECOM MODEM"),
			 "lower layer failure (for SMS)");
	ck_assert_str_eq(smsctl_cms_error_describe_vendor(512, "Sierra Wireless, Incorporated"),
			 "MM establishment failure (for SMS)");
	ck_assert_str_eq(smsctl_cms_error_describe_vendor(513, "Multi-Tech Systems"),
			 "lower layer failure (for SMS)");
	ck_assert_ptr_null(smsctl_cms_error_describe_vendor(513, "Quectel"));
	ck_assert_ptr_null(smsctl_cms_error_describe_vendor(600, "WAVECOM"));
	ck_assert_ptr_null(smsctl_cms_error_describe_vendor(330, "WAVECOM"));
	ck_assert_ptr_null(smsctl_cms_error_describe_vendor(513, NULL));
	ck_assert_ptr_null(smsctl_cms_error_describe_vendor(513, ""));
	ck_assert_ptr_null(smsctl_cms_error_describe_vendor(513, "wave"));
}
END_TEST

/* The parser fills the code from the verbose text. */
START_TEST(test_parse_error_verbose)
{
	struct at_error e;
	ck_assert_int_eq(parse_error("+CME ERROR: SIM not inserted", &e), 0);
	ck_assert_int_eq(e.kind, PARSE_ERROR_CME);
	ck_assert_int_eq(e.code, 10);
	ck_assert_int_eq(e.pattern, PARSE_ERROR_VERBOSE);
	ck_assert_str_eq(e.text, "SIM not inserted");
	ck_assert_int_eq(parse_error("+CMS ERROR: 330", &e), 0);
	ck_assert_int_eq(e.kind, PARSE_ERROR_CMS);
	ck_assert_int_eq(e.code, 330);
	ck_assert_int_eq(e.pattern, PARSE_ERROR_NUMERIC);
	ck_assert_int_eq(smsctl_cms_error_class(e.code), SMSCTL_RETRY_INSPECT);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void)
{
	Suite *s = suite_create("at-error");
	TCase *tc = tcase_create("tables");
	tcase_add_loop_test(tc, test_cme_known, 0, N(cme_known));
	tcase_add_loop_test(tc, test_cms_known, 0, N(cms_known));
	tcase_add_loop_test(tc, test_every_code_has_text, 0, 1025);
	tcase_add_test(tc, test_cms_ranges);
	tcase_add_loop_test(tc, test_classes, 0, N(classes));
	tcase_add_test(tc, test_classes_rest_permanent);
	tcase_add_test(tc, test_cme_classes);
	tcase_add_loop_test(tc, test_verbose, 0, N(verbose));
	tcase_add_test(tc, test_verbose_every_text_maps_back);
	tcase_add_test(tc, test_vendor);
	tcase_add_test(tc, test_parse_error_verbose);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	/* Pure functions over strings: no fork per check. With ~1000 table rows, forking costs
	 * 30 s in a plain build and minutes under AddressSanitizer; a crash still fails the run. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
