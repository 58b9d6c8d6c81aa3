/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * USSD: the +CUSD parser over real captures, the decoding by <dcs> and +CSCS (TS 23.038
 * section 5, TS 27.007 7.15), the balance amount, and smsctl_ussd_send() end to end on the
 * simulated modem (answers, +CUSD: 2 and 4, silence, errors) within bounded time.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/smsctl.h>

#include "parse/parse.h"
#include "pdu/ussd.h"

/* ---- the parser over captures (sources named) ---- */

static const struct {
	const char *src, *line;
	int m, dcs;
	bool has_str;
	const char *str;
	int pattern;
} cusd_cases[] = {
    /* python-gsmmodem test/test_modem.py (faucamp/python-gsmmodem 834c68b, TestUssd) */
    {"gsmmodem", "+CUSD: 0,\"Available Balance: R 96.45 .\",15", 0, 15, true,
     "Available Balance: R 96.45 .", PARSE_CUSD_STD},
    {"gsmmodem", "+CUSD: 1,\"Hallo daar\",15", 1, 15, true, "Hallo daar", PARSE_CUSD_STD},
    {"gsmmodem", "+CUSD: 2,\"Totsiens\",15", 2, 15, true, "Totsiens", PARSE_CUSD_STD},
    {"gsmmodem", "+CUSD: 3,\"Other local client responded\",15", 3, 15, true,
     "Other local client responded", PARSE_CUSD_STD},
    {"gsmmodem", "+CUSD: 2,\"You have the following remaining balances:", 2, PARSE_NONE, true,
     "You have the following remaining balances:", PARSE_CUSD_OPEN},
    /* asterisk-chan-dongle test/parse.c (wdoekes/asterisk-chan-dongle 2bd3fc2, test_parse_cusd) */
    {"chan-dongle", "+CUSD: 0,\"CF2135487D2E4130572D0682BB1A\",0", 0, 0, true,
     "CF2135487D2E4130572D0682BB1A", PARSE_CUSD_STD},
    {"chan-dongle", "+CUSD: 1,\"CF2135487D2E4130572D0682BB1A\",1", 1, 1, true,
     "CF2135487D2E4130572D0682BB1A", PARSE_CUSD_STD},
    {"chan-dongle", "+CUSD: 5", 5, PARSE_NONE, false, "", PARSE_CUSD_STD},
    /* MikroTik RouterOS manual, "SMS" page, receiving account status from *245# */
    {"mikrotik", "+CUSD: 0,\"EBB79B1E0685E9ECF4BADE9E03\", 0", 0, 0, true,
     "EBB79B1E0685E9ECF4BADE9E03", PARSE_CUSD_STD},
    /* Huawei EM770W AT Command Interface Specification, 6.8: "+CUSD: <m>[,<str>,<dcs>]";
	 * "+CUSD: 4" is <m> 4, operation not supported (TS 27.007 7.15) */
    {"27.007", "+CUSD: 4", 4, PARSE_NONE, false, "", PARSE_CUSD_STD},
    {"27.007", "+CUSD: 2", 2, PARSE_NONE, false, "", PARSE_CUSD_STD},
    /* stackoverflow.com/questions/24181109 (a bKash answer, UCS2 hex, dcs 72) */
    {"so-24181109",
     "+CUSD: 0,\"0049006E00760061006C00690064002000530065007200760069006300650020004300"
     "6F00640065\",72",
     0, 72, true,
     "0049006E00760061006C00690064002000530065007200760069006300650020004300"
     "6F00640065",
     PARSE_CUSD_STD},
};

START_TEST(test_parse_cusd)
{
	struct at_cusd c;
	int r = parse_cusd(cusd_cases[_i].line, &c);
	ck_assert_msg(r == 0, "%s: %s: %d", cusd_cases[_i].src, cusd_cases[_i].line, r);
	ck_assert_int_eq(c.m, cusd_cases[_i].m);
	ck_assert_int_eq(c.dcs, cusd_cases[_i].dcs);
	ck_assert_int_eq(c.has_str, cusd_cases[_i].has_str);
	ck_assert_str_eq(c.str, cusd_cases[_i].str);
	ck_assert_int_eq(c.pattern, cusd_cases[_i].pattern);
}
END_TEST

static const char *const cusd_bad[] = {
    "+CUSD:",	       "+CUSD: ",	   "+CUSD: x", "+CUSD: 123",	      "+CUSD: 0,\"a\",256",
    "+CMTI: \"SM\",3", "CUSD: 0,\"a\",15", "",	       "+CUSD: 0,\"a\",15,9",
};

START_TEST(test_parse_cusd_bad)
{
	struct at_cusd c;
	ck_assert_int_lt(parse_cusd(cusd_bad[_i], &c), 0);
	ck_assert_int_eq(c.m, PARSE_NONE);
	ck_assert_str_eq(c.str, "");
}
END_TEST

START_TEST(test_parse_cusd_long)
{
	/* A string longer than the bound is a protocol error, never cut or overrun. */
	size_t n = PARSE_USSD_MAX + 10;
	char *line = malloc(n + 32);
	struct at_cusd c;
	strcpy(line, "+CUSD: 0,\"");
	memset(line + 10, 'A', n);
	strcpy(line + 10 + n, "\",15");
	ck_assert_int_lt(parse_cusd(line, &c), 0);
	free(line);
}
END_TEST

/* ---- decoding ---- */

static const struct {
	const char *str;
	int dcs;
	const char *cscs, *text;
	int form;
} decode_cases[] = {
    /* GSM 7-bit packed in hex (dcs 0 and 15, +CSCS not hex-based: Huawei style) */
    {"CF2135487D2E4130572D0682BB1A", 0, "GSM", "OCTATOK 0.51 p.", PDU_USSD_GSM7_PACKED},
    {"EBB79B1E0685E9ECF4BADE9E03", 0, NULL, "konta atlikums", PDU_USSD_GSM7_PACKED},
    /* plain text in the TE character set */
    {"Available Balance: R 96.45 .", 15, "IRA", "Available Balance: R 96.45 .", PDU_USSD_PLAIN},
    {"Bal:$100.00 *", 15, "GSM", "Bal:$100.00 *", PDU_USSD_PLAIN},
    /* UCS2 by <dcs> 72 (so-24181109; stackoverflow.com/questions/23102775, Russian) */
    {"0049006E00760061006C00690064002000530065007200760069006300650020004300"
     "6F00640065",
     72, "IRA", "Invalid Service Code", PDU_USSD_UCS2_HEX},
    {"0421043F0430044104380431043E0020043704300020043E04310440043004490435043D0438043500210020"
     "041C044B0020043D0430043F0440043004320438043C0020043E04420432043504420020043D043000200412"
     "04300448002004370430043F0440043E04410020043200200053004D0053",
     72, "GSM", "Спасибо за обращение! Мы направим ответ на Ваш запрос в SMS", PDU_USSD_UCS2_HEX},
    /* Chinese, UCS2 <dcs> 72: "您的余额为12.50元" */
    {"60A876844F59989D4E3A00310032002E003500305143", 72, NULL, "您的余额为12.50元",
     PDU_USSD_UCS2_HEX},
    /* UCS2 with a language (dcs 17 = 0001 0001) under +CSCS "UCS2" (stackoverflow 23201364) */
    {"0061007200", 17, "UCS2", "0061007200", PDU_USSD_PLAIN},
    /* GSM 7-bit converted into +CSCS "UCS2" by the modem */
    {"00420061006C0020003100300030", 15, "UCS2", "Bal 100", PDU_USSD_UCS2_HEX},
    /* +CSCS "HEX": one pair a GSM character (27.007 7.15: "character P (GSM 23) is presented
     * as 17") */
    {"42616C001100", 15, "HEX", "Bal@_@", PDU_USSD_GSM7_HEX},
    /* 8-bit data (dcs 68 = 0100 0100) */
    {"48656C6C6F", 68, NULL, "Hello", PDU_USSD_8BIT_HEX},
    /* a number that is hex but not packed text stays plain */
    {"1234", 15, "GSM", "1234", PDU_USSD_PLAIN},
    /* control characters never reach the caller */
    {"a\x1b[2Jb", 15, "GSM", "a[2Jb", PDU_USSD_PLAIN},
    /* an odd-length UCS2 string is taken as text */
    {"004", 72, NULL, "004", PDU_USSD_PLAIN},
};

START_TEST(test_decode)
{
	char out[512];
	int form = pdu_ussd_decode(decode_cases[_i].str, strlen(decode_cases[_i].str),
				   decode_cases[_i].dcs, decode_cases[_i].cscs, out, sizeof(out));
	ck_assert_str_eq(out, decode_cases[_i].text);
	ck_assert_int_eq(form, decode_cases[_i].form);
}
END_TEST

START_TEST(test_decode_small_buffer)
{
	/* A text that does not fit is cut at a character boundary, always terminated. */
	char out[8];
	pdu_ussd_decode("60A8768447599A914E3A", 20, 72, NULL, out, sizeof(out));
	ck_assert_str_eq(out, "您的");
	pdu_ussd_decode("abc", 3, 15, NULL, out, 1);
	ck_assert_str_eq(out, "");
}
END_TEST

static const struct {
	int dcs;
	enum pdu_cbs_alphabet a;
} alphabets[] = {
    {0, PDU_CBS_GSM7},	  {15, PDU_CBS_GSM7},	{16, PDU_CBS_GSM7},   {17, PDU_CBS_UCS2},
    {0x20, PDU_CBS_GSM7}, {0x44, PDU_CBS_8BIT}, {0x48, PDU_CBS_UCS2}, {0x60, PDU_CBS_8BIT},
    {0x4c, PDU_CBS_GSM7}, {0x98, PDU_CBS_UCS2}, {0xa0, PDU_CBS_GSM7}, {0xf0, PDU_CBS_GSM7},
    {0xf4, PDU_CBS_8BIT}, {-1, PDU_CBS_GSM7},	{300, PDU_CBS_GSM7},
};

START_TEST(test_alphabet)
{
	ck_assert_int_eq(pdu_cbs_alphabet(alphabets[_i].dcs), alphabets[_i].a);
}
END_TEST

/* ---- amounts ---- */

static const struct {
	const char *text, *regex;
	int rc;
	double amount;
} amounts[] = {
    {"尊敬的客户，您的账户余额为12.50元，感谢您的使用。", "余额为([-\\d.]+)元", 0, 12.5},
    {"尊敬的客户，您的账户余额为-3.20元。", "余额为([-\\d.]+)元", 0, -3.2},
    {"Available Balance: R 96.45 .", "Balance: R ([\\d.]+)", 0, 96.45},
    {"Bal:$100.00 *\r\nExp 01 Jan 2013", "Bal:\\$([\\d.,]+)", 0, 100.0},
    {"Your balance is 1,234.56 EUR", NULL, 0, 1234.56},
    {"Ihr Guthaben: 12,50 EUR", "Guthaben: ([\\d,]+)", 0, 12.5},
    {"OCTATOK 0.51 p.", "OCTATOK ([\\d.]+)", 0, 0.51},
    {"no number here", NULL, SMSCTL_ERR_NOT_FOUND, 0},
    {"余额 abc", "余额 (\\w+)", SMSCTL_ERR_NOT_FOUND, 0},
    {"balance 5", "(unclosed", SMSCTL_ERR_INVALID, 0},
    /* a pattern that backtracks catastrophically ends at the match limit */
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "(a+)+$", SMSCTL_ERR_NOT_FOUND,
     0},
};

START_TEST(test_amount)
{
	double v = -999;
	int rc = smsctl_balance_parse(amounts[_i].text, amounts[_i].regex, &v);
	ck_assert_int_eq(rc, amounts[_i].rc);
	if (rc == 0)
		ck_assert_double_eq_tol(v, amounts[_i].amount, 1e-9);
}
END_TEST

/* ---- end to end on the simulated modem ---- */

static struct smsctl_modem *open_sim(const char *dev)
{
	struct smsctl_modem *m = NULL;
	ck_assert_int_eq(smsctl_modem_new(dev, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	return m;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const struct {
	const char *device;
	const char *pre; /* a command sent first, or NULL */
	int rc, status, dcs;
	const char *text;
} sims[] = {
    {"sim:huawei", NULL, 0, 0, 72, "尊敬的客户，您的账户余额为12.50元，感谢您的使用。"},
    {"sim:huawei?balance=3.20", NULL, 0, 0, 72, "尊敬的客户，您的账户余额为3.20元，感谢您的使用。"},
    /* Huawei prints GSM 7-bit texts as packed hex (7 characters: the CR fill of 23.038) */
    {"sim:huawei?ussd=Bal%2012", NULL, 0, 0, 15, "Bal 12"},
    {"sim:huawei?ussd=Balance", NULL, 0, 0, 15, "Balance"},
    {"sim:generic", NULL, 0, 0, 15, "Your account balance is 12.50. Thank you."},
    {"sim:quectel?balance=99.5", NULL, 0, 0, 15, "Your account balance is 99.5. Thank you."},
    {"sim:generic", "AT+CSCS=\"UCS2\"", 0, 0, 15, "Your account balance is 12.50. Thank you."},
    {"sim:generic", "AT+CSCS=\"HEX\"", 0, 0, 15, "Your account balance is 12.50. Thank you."},
    {"sim:simcom?ussd=%E4%BD%99%E9%A2%9D5%E5%85%83", NULL, 0, 0, 72, "余额5元"},
    {"sim:generic?fault=ussd_early", NULL, 0, 0, 15, "Your account balance is 12.50. Thank you."},
    /* a menu: the session stays open; the second request works only after AT+CUSD=2 */
    {"sim:generic?fault=ussd_menu", NULL, 0, 1, 15, "Your account balance is 12.50. Thank you."},
    {"sim:generic?fault=ussd_end", NULL, 0, 2, -1, ""},
    {"sim:huawei?fault=ussd_unsupported", NULL, 0, 4, -1, ""},
    {"sim:generic?fault=ussd_silent", NULL, SMSCTL_ERR_TIMEOUT, -1, -1, NULL},
    {"sim:generic?fault=not_registered", NULL, SMSCTL_ERR_MODEM, -1, -1, NULL},
    {"sim:generic?fault=sim_absent", NULL, SMSCTL_ERR_MODEM, -1, -1, NULL},
};

START_TEST(test_sim_ussd)
{
	struct smsctl_modem *m = open_sim(sims[_i].device);
	struct smsctl_ussd *u = NULL;
	if (sims[_i].pre)
		ck_assert_int_eq(smsctl_modem_command(m, sims[_i].pre, 0, NULL), 0);
	double t0 = now_s();
	int rc = smsctl_ussd_send(m, "*100#", 1500, &u);
	double took = now_s() - t0;
	ck_assert_msg(rc == sims[_i].rc, "%s: rc %d", sims[_i].device, rc);
	/* bounded: the answer's timeout plus the cancel, never a hang */
	ck_assert_msg(took < 8.0, "%s took %.1f s", sims[_i].device, took);
	if (rc == 0) {
		ck_assert_int_eq(smsctl_ussd_get_status(u), sims[_i].status);
		ck_assert_int_eq(smsctl_ussd_get_dcs(u), sims[_i].dcs);
		ck_assert_str_eq(smsctl_ussd_get_text(u), sims[_i].text);
		ck_assert(strncmp(smsctl_ussd_get_raw(u), "+CUSD: ", 7) == 0);
	} else {
		ck_assert_ptr_null(u);
		if (rc == SMSCTL_ERR_MODEM)
			ck_assert(*smsctl_sms_get_error_detail(m) != '\0');
	}
	smsctl_ussd_free(u);
	/* The handle still works: a second request gets its answer as the first did. */
	if (rc == 0 || rc == SMSCTL_ERR_TIMEOUT) {
		rc = smsctl_ussd_send(m, "*101#", 1500, &u);
		ck_assert_int_eq(rc, sims[_i].rc);
		smsctl_ussd_free(u);
	}
	ck_assert_int_eq(smsctl_modem_command(m, "AT", 0, NULL), 0);
	smsctl_modem_free(m);
}
END_TEST

START_TEST(test_bad_codes)
{
	struct smsctl_modem *m = open_sim("sim:generic");
	struct smsctl_ussd *u = (struct smsctl_ussd *)1;
	char longc[200];
	memset(longc, '1', sizeof(longc) - 1);
	longc[sizeof(longc) - 1] = '\0';
	ck_assert_int_eq(smsctl_ussd_send(m, "", 0, &u), SMSCTL_ERR_INVALID);
	ck_assert_ptr_null(u);
	ck_assert_int_eq(smsctl_ussd_send(m, "*1\"#", 0, &u), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_ussd_send(m, "*1\r#", 0, &u), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_ussd_send(m, longc, 0, &u), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_ussd_send(m, "*100#", 600001, &u), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_ussd_send(NULL, "*100#", 0, &u), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_ussd_send(m, "*100#", 0, NULL), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_ussd_cancel(m), 0);
	smsctl_modem_free(m);
}
END_TEST

START_TEST(test_sim_keys)
{
	static const char *const bad[] = {
	    "sim:?ussd=",	"sim:?ussd=a%22b", "sim:?balance=abc", "sim:?reply=10086",
	    "sim:?reply=,text", "sim:?reply=1x,t", "sim:?ussd=%ZZ",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct smsctl_modem *m = NULL;
		ck_assert_msg(smsctl_modem_new(bad[i], NULL, &m) < 0 || smsctl_modem_open(m) < 0,
			      "%s accepted", bad[i]);
		smsctl_modem_free(m);
	}
}
END_TEST

static Suite *ussd_suite(void)
{
	Suite *s = suite_create("ussd");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_cusd, 0, sizeof(cusd_cases) / sizeof(cusd_cases[0]));
	tcase_add_loop_test(tc, test_parse_cusd_bad, 0, sizeof(cusd_bad) / sizeof(cusd_bad[0]));
	tcase_add_test(tc, test_parse_cusd_long);
	tcase_add_loop_test(tc, test_decode, 0, sizeof(decode_cases) / sizeof(decode_cases[0]));
	tcase_add_test(tc, test_decode_small_buffer);
	tcase_add_loop_test(tc, test_alphabet, 0, sizeof(alphabets) / sizeof(alphabets[0]));
	tcase_add_loop_test(tc, test_amount, 0, sizeof(amounts) / sizeof(amounts[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("sim");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_sim_ussd, 0, sizeof(sims) / sizeof(sims[0]));
	tcase_add_test(tc, test_bad_codes);
	tcase_add_test(tc, test_sim_keys);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ussd_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
