// SPDX-License-Identifier: LGPL-2.1-or-later
/* smsctld's configuration parser (daemon/conf.c): every key, defaults, durations, and a table
 * of bad files each with the line and the words of its error. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

static struct smsd_config *parse_ok(const char *text)
{
	struct smsd_config *cfg = NULL;
	char err[512];
	int rc = smsd_config_parse(text, strlen(text), "t.conf", &cfg, err, sizeof(err));

	ck_assert_msg(rc == 0, "parse failed: %s", err);
	ck_assert_ptr_nonnull(cfg);
	return cfg;
}

START_TEST(test_defaults)
{
	struct smsd_config *cfg = parse_ok("");

	ck_assert_str_eq(cfg->daemon.language, "en");
	ck_assert_ptr_nonnull(cfg->daemon.node_id);
	ck_assert_int_eq(cfg->daemon.shutdown_timeout, 30000);
	ck_assert_str_eq(cfg->store.url, "sqlite:///var/lib/smsctl/smsctl.db");
	ck_assert_int_eq(cfg->store.retention, 180LL * 86400 * 1000);
	ck_assert_int_eq(cfg->send.retry_initial, 30000);
	ck_assert_int_eq(cfg->send.retry_max, 30 * 60000);
	ck_assert_int_eq(cfg->send.max_attempts, 5);
	ck_assert_int_eq(cfg->send.on_unknown, SMSD_ON_UNKNOWN_KEEP);
	ck_assert_int_eq(cfg->send.report_wait, 2 * 3600000);
	ck_assert_int_eq(cfg->send.submit_mode, SMSD_SUBMIT_DIRECT);
	ck_assert_int_eq(cfg->send.multipart_resume, 10 * 60000);
	ck_assert_int_eq(cfg->send.multipart_lost_modem, SMSD_LOST_RESEND_WHOLE);
	ck_assert_int_eq(cfg->send.max_parts, 10);
	ck_assert_uint_eq(cfg->http.n_listen, 2);
	ck_assert_str_eq(cfg->http.listen[0], "127.0.0.1:8750");
	ck_assert_str_eq(cfg->http.listen[1], "unix:/run/smsctl/api.sock");
	ck_assert_ptr_null(cfg->http.tokens_file);
	ck_assert(!cfg->http.metrics_auth);
	ck_assert_int_eq(cfg->http.max_body, 65536);
	ck_assert_int_eq(cfg->http.max_queued, 100000);
	ck_assert_int_eq(cfg->http.threads, 4);
	ck_assert_uint_eq(cfg->n_modems, 0);
	smsd_config_free(cfg);
}
END_TEST

START_TEST(test_every_key)
{
	struct smsd_config *cfg = parse_ok(
	    "# comment\n"
	    "  ; another comment\n"
	    "[daemon]\nnode_id = host-a\nlanguage = zh_CN\nshutdown_timeout = 1m\n"
	    "[store]\nurl = postgresql://u@h/db?sslmode=disable\nretention = 7d\nlease = 45s\n"
	    "auto_migrate = yes\n"
	    "[send]\nretry_initial = 1s\nretry_max = 2h\nmax_attempts = 9\non_unknown = resend\n"
	    "report_wait = 3h\nsubmit_mode = storage\nmultipart_resume = 5m\n"
	    "multipart_lost_modem = fail\nmax_parts = 20\n"
	    "[http]\nlisten = 0.0.0.0:80 ,[::1]:8080,unix:/tmp/a;b.sock\ntokens_file = /etc/t\n"
	    "metrics_auth = on\nmax_body = 1m\nmax_queued = 7\nthreads = 8\n"
	    "[modem m1]\ndevice = sim:huawei?fault=send_fail:42&pin=1234\npin_file = /p\n"
	    "pool = cn#1\n"
	    "[modem m2]\r\ndevice = tcp:10.0.0.1:4001\r\n");

	ck_assert_str_eq(cfg->daemon.node_id, "host-a");
	ck_assert_str_eq(cfg->daemon.language, "zh_CN");
	ck_assert_int_eq(cfg->daemon.shutdown_timeout, 60000);
	ck_assert_str_eq(cfg->store.url, "postgresql://u@h/db?sslmode=disable");
	ck_assert_int_eq(cfg->store.retention, 7LL * 86400000);
	ck_assert_int_eq(cfg->store.lease, 45000);
	ck_assert(cfg->store.auto_migrate);
	ck_assert_int_eq(cfg->send.retry_initial, 1000);
	ck_assert_int_eq(cfg->send.retry_max, 7200000);
	ck_assert_int_eq(cfg->send.max_attempts, 9);
	ck_assert_int_eq(cfg->send.on_unknown, SMSD_ON_UNKNOWN_RESEND);
	ck_assert_int_eq(cfg->send.report_wait, 3 * 3600000);
	ck_assert_int_eq(cfg->send.submit_mode, SMSD_SUBMIT_STORAGE);
	ck_assert_int_eq(cfg->send.multipart_resume, 300000);
	ck_assert_int_eq(cfg->send.multipart_lost_modem, SMSD_LOST_FAIL);
	ck_assert_int_eq(cfg->send.max_parts, 20);
	ck_assert_uint_eq(cfg->http.n_listen, 3);
	ck_assert_str_eq(cfg->http.listen[0], "0.0.0.0:80");
	ck_assert_str_eq(cfg->http.listen[1], "[::1]:8080");
	/* a ';' inside a value belongs to it (CONTRACTS) */
	ck_assert_str_eq(cfg->http.listen[2], "unix:/tmp/a;b.sock");
	ck_assert_str_eq(cfg->http.tokens_file, "/etc/t");
	ck_assert(cfg->http.metrics_auth);
	ck_assert_int_eq(cfg->http.max_body, 1024 * 1024);
	ck_assert_int_eq(cfg->http.max_queued, 7);
	ck_assert_int_eq(cfg->http.threads, 8);
	ck_assert_uint_eq(cfg->n_modems, 2);
	ck_assert_str_eq(cfg->modems[0].name, "m1");
	ck_assert_str_eq(cfg->modems[0].device, "sim:huawei?fault=send_fail:42&pin=1234");
	ck_assert_str_eq(cfg->modems[0].pin_file, "/p");
	ck_assert_str_eq(cfg->modems[0].pool, "cn#1");
	ck_assert_str_eq(cfg->modems[1].device, "tcp:10.0.0.1:4001");
	ck_assert_str_eq(cfg->modems[1].pool, "default");
	ck_assert_ptr_null(cfg->modems[1].pin_file);
	ck_assert_ptr_eq(smsd_config_find_modem(cfg, "m2"), &cfg->modems[1]);
	ck_assert_ptr_null(smsd_config_find_modem(cfg, "m3"));
	ck_assert(smsd_config_has_pool(cfg, "cn#1"));
	ck_assert(!smsd_config_has_pool(cfg, "cn"));
	smsd_config_free(cfg);
}
END_TEST

static const struct {
	const char *text;
	int line;
	const char *words;
} bad[] = {
    {"[daemon]\nnode_id = a\nbogus = 1\n", 3, "unknown key 'bogus' in [daemon]"},
    {"[nosuch]\nx = 1\n", 1, "unknown section [nosuch]"},
    {"[nosuch]\n", 1, "unknown section"},
    {"x = 1\n", 1, "outside of a section"},
    {"[daemon]\njust words\n", 2, "not a [section]"},
    {"[daemon\nnode_id = a\n", 1, "without ']'"},
    {"[daemon]\nnode_id =\n", 2, "empty value"},
    {"[daemon]\nlanguage = de\n", 2, "not a language"},
    {"[daemon]\nshutdown_timeout = 5\n", 2, "not a duration"},
    {"[daemon]\nshutdown_timeout = 0s\n", 2, "not a duration"},
    {"[daemon]\nshutdown_timeout = 5 s\n", 2, "not a duration"},
    {"[daemon]\nshutdown_timeout = 5s # no inline comments\n", 2, "not a duration"},
    {"[daemon]\nshutdown_timeout = 1w\n", 2, "not a duration"},
    {"[daemon]\nshutdown_timeout = 99999999999d\n", 2, "not a duration"},
    {"[daemon]\nshutdown_timeout = -1s\n", 2, "not a duration"},
    {"[store]\nauto_migrate = maybe\n", 2, "not yes or no"},
    {"[send]\nmax_attempts = 0\n", 2, "whole number from 1"},
    {"[send]\nmax_attempts = 3x\n", 2, "whole number"},
    {"[send]\nmax_parts = 256\n", 2, "from 1 to 255"},
    {"[send]\non_unknown = retry\n", 2, "not one of keep,resend"},
    {"[send]\nsubmit_mode = fast\n", 2, "direct,storage"},
    {"[send]\nmultipart_lost_modem = x\n", 2, "resend_whole,fail"},
    {"[send]\nretry_initial = 1h\nretry_max = 1m\n", 0, "retry_max is shorter"},
    {"[send]\nmax_parts = 5\nmax_parts = 6\n", 3, "set twice"},
    {"[http]\nmax_body = 10\n", 2, "not a size"},
    {"[http]\nmax_body = 64q\n", 2, "not a size"},
    {"[http]\nthreads = 1000\n", 2, "from 1 to 64"},
    {"[http]\nlisten = 127.0.0.1\n", 2, "is not HOST:PORT"},
    {"[http]\nlisten = 127.0.0.1:0\n", 2, "is not HOST:PORT"},
    {"[http]\nlisten = 127.0.0.1:70000\n", 2, "is not HOST:PORT"},
    {"[http]\nlisten = unix:relative.sock\n", 2, "is not HOST:PORT"},
    {"[http]\nlisten = 127.0.0.1:1,,127.0.0.1:2\n", 2, "empty address"},
    {"[modem a]\npool = p\n", 1, "[modem a] has no 'device'"},
    {"[modem a]\n", 1, "has no 'device'"},
    {"[modem a]\ndevice = sim:\n\n[modem a]\ndevice = sim:\n", 4, "appears twice"},
    {"[modem a b]\ndevice = sim:\n", 1, "modem name"},
    {"[modem ]\ndevice = sim:\n", 1, "needs a name"},
    {"[modem a]\ndevice = sim:\ncolour = 2\n", 3, "unknown key 'colour' in [modem a]"},
    {"[daemon]\nnode_id = a\n  continued\n", 3, "not a [section]"},
};

START_TEST(test_bad)
{
	struct smsd_config *cfg = (void *)1;
	char err[512], want[64];
	const char *text = bad[_i].text;

	ck_assert_int_eq(smsd_config_parse(text, strlen(text), "t.conf", &cfg, err, sizeof(err)),
			 -1);
	ck_assert_ptr_null(cfg);
	snprintf(want, sizeof(want), "t.conf:%d: ", bad[_i].line);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "case %d: '%s' does not start '%s'",
		      _i, err, want);
	ck_assert_msg(strstr(err, bad[_i].words), "case %d: '%s' lacks '%s'", _i, err,
		      bad[_i].words);
}
END_TEST

START_TEST(test_limits)
{
	struct smsd_config *cfg = NULL;
	char err[512];
	size_t n = 2000;
	char *text = malloc(n + 20);

	/* a line longer than the limit is an error with its number, not split in two */
	strcpy(text, "[daemon]\nnode_id = ");
	memset(text + strlen(text), 'a', n);
	text[19 + n] = '\0';
	ck_assert_int_eq(smsd_config_parse(text, strlen(text), "t.conf", &cfg, err, sizeof(err)),
			 -1);
	ck_assert_msg(strstr(err, "t.conf:2: line longer"), "%s", err);
	/* a NUL byte inside the buffer */
	ck_assert_int_eq(
	    smsd_config_parse("[daemon]\nnode_id = a\0b\n", 23, "t.conf", &cfg, err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "t.conf:2: a NUL byte"), "%s", err);
	/* the buffer need not end with a NUL or a newline */
	memcpy(text, "[daemon]\nnode_id = abcXYZ", 25);
	ck_assert_int_eq(smsd_config_parse(text, 22, "t.conf", &cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg->daemon.node_id, "abc");
	smsd_config_free(cfg);
	/* a tiny error buffer is not overrun */
	ck_assert_int_eq(smsd_config_parse("x", 1, "t.conf", &cfg, err, 4), -1);
	ck_assert_uint_le(strlen(err), 3);
	free(text);
	/* a file that does not exist */
	ck_assert_int_eq(smsd_config_load("/nonexistent/smsctld.conf", &cfg, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "/nonexistent/smsctld.conf: cannot open"), "%s", err);
}
END_TEST

static const struct {
	const char *s;
	long long ms; /* -1: invalid */
} durations[] = {
    {"1s", 1000},
    {"30s", 30000},
    {"10m", 600000},
    {"6h", 21600000},
    {"7d", 604800000},
    {"180d", 180LL * 86400000},
    {"3650d", 3650LL * 86400000},
    {"3651d", -1},
    {"0s", -1},
    {"s", -1},
    {"", -1},
    {"1", -1},
    {"1ms", -1},
    {"1.5h", -1},
    {"+1s", -1},
    {"1S", -1},
    {" 1s", -1},
    {"1s ", -1},
    {"99999999999s", -1},
};

START_TEST(test_duration)
{
	long long ms = -7;
	int rc = smsd_parse_duration(durations[_i].s, &ms);

	if (durations[_i].ms < 0) {
		ck_assert_msg(rc == -1, "'%s' accepted", durations[_i].s);
	} else {
		ck_assert_msg(rc == 0, "'%s' refused", durations[_i].s);
		ck_assert_int_eq(ms, durations[_i].ms);
		char back[32];
		smsd_format_duration(ms, back, sizeof(back));
		long long again = 0;
		ck_assert_int_eq(smsd_parse_duration(back, &again), 0);
		ck_assert_int_eq(again, ms);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon-conf");
	TCase *tc = tcase_create("conf");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_key);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_limits);
	tcase_add_loop_test(tc, test_duration, 0, (int)(sizeof(durations) / sizeof(durations[0])));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
