/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl_strerror() and smsctl_error_name(): a static string for every value, 0 included. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/smsctl.h>

static const struct {
	int code;
	const char *name;
} names[] = {
    {SMSCTL_OK, "SMSCTL_OK"},
    {SMSCTL_ERR_INVALID, "SMSCTL_ERR_INVALID"},
    {SMSCTL_ERR_TIMEOUT, "SMSCTL_ERR_TIMEOUT"},
    {SMSCTL_ERR_BUSY, "SMSCTL_ERR_BUSY"},
    {SMSCTL_ERR_GONE, "SMSCTL_ERR_GONE"},
    {SMSCTL_ERR_BAD_PDU, "SMSCTL_ERR_BAD_PDU"},
    {SMSCTL_ERR_TRANSIENT, "SMSCTL_ERR_TRANSIENT"},
    {SMSCTL_ERR_STATE, "SMSCTL_ERR_STATE"},
};

START_TEST(test_names)
{
	ck_assert_str_eq(smsctl_error_name(names[_i].code), names[_i].name);
}
END_TEST

START_TEST(test_every_value_has_text)
{
	for (int e = 0; e >= SMSCTL_ERR_LAST; e--) {
		const char *n = smsctl_error_name(e);
		const char *t = smsctl_strerror(e);
		ck_assert_ptr_nonnull(t);
		ck_assert_int_gt((int)strlen(t), 0);
		ck_assert_str_ne(n, "SMSCTL_ERR_UNKNOWN");
		ck_assert_str_ne(t, "unknown error");
	}
}
END_TEST

START_TEST(test_out_of_range)
{
	ck_assert_str_eq(smsctl_error_name(1), "SMSCTL_ERR_UNKNOWN");
	ck_assert_str_eq(smsctl_error_name(SMSCTL_ERR_LAST - 1), "SMSCTL_ERR_UNKNOWN");
	ck_assert_str_eq(smsctl_strerror(-10000), "unknown error");
	ck_assert_str_eq(smsctl_strerror(42), "unknown error");
}
END_TEST

START_TEST(test_version)
{
	ck_assert_str_eq(smsctl_version(), SMSCTL_VERSION_STRING);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("error");
	TCase *tc = tcase_create("error");

	tcase_add_loop_test(tc, test_names, 0, sizeof(names) / sizeof(names[0]));
	tcase_add_test(tc, test_every_value_has_text);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_version);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
