/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The AT engine: the tokenizer, the final result table, prefixes and PIN masking (tables),
 * transcripts of real exchanges replayed over a socket pair (as captured, merged into one
 * chunk, one byte at a time), and the engine's timeouts and resynchronisation on a clock the
 * test controls. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <smsctl/smsctl.h>

#include "at/chat.h"
#include "at/command.h"
#include "at/result.h"
#include "at/syntax.h"
#include "modem-internal.h"
#include "transport/internal.h"

/* ------------------------------------------------------------------------------------------ */
/* Tokenizer                                                                                    */

struct events {
	char buf[16384];
	size_t len;
};

static void collect_event(void *userdata, enum at_event ev, const char *text, size_t len)
{
	struct events *e = userdata;
	static const char tag[] = {'?', 'L', 'P', '>', 'O', 'N'};
	int n =
	    snprintf(e->buf + e->len, sizeof(e->buf) - e->len, "%c[%.*s]", tag[ev], (int)len, text);
	if (n > 0)
		e->len += (size_t)n;
}

/* Input bytes and the events expected: L[line] P[pdu] >[>] O[overflow start] */
static const struct {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen */
	bool prompt;
	bool pdu_after_first;
	const char *events;
	unsigned long noise; /* bytes counted as line noise */
} syntax_cases[] = {
    {"crlf", "\r\nOK\r\n", 0, false, false, "L[OK]", 0},
    {"cr only (Gammu atgen)", "+CMGL: 1\rOK\r", 0, false, false, "L[+CMGL: 1]L[OK]", 0},
    {"lf only (Gammu .dump)", "AT+CREG?\n+CREG: 0,1\nOK\n", 0, false, false,
     "L[AT+CREG?]L[+CREG: 0,1]L[OK]", 0},
    {"echo with cr cr lf", "AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n", 0, false, false,
     "L[AT+CSQ]L[+CSQ: 20,99]L[OK]", 0},
    {"empty lines are not events", "\r\n\r\n\r\r\n\n\nOK\r\n\r\n", 0, false, false, "L[OK]", 0},
    {"nul bytes anywhere", "\0\0O\0K\0\r\n", 7, false, false, "L[OK]", 4},
    {"leading noise", "\xff\xfe\x01\x7fOK\r\n", 0, false, false, "L[OK]", 4},
    {"noise glued to both ends", "\x9c\xb1OK\xe8\r\n", 0, false, false, "L[OK]", 3},
    {"a line of noise only", "\x9c\xb1\xff\x80\r\nOK\r\n", 0, false, false,
     "N[\x9c\xb1\xff\x80]L[OK]", 4},
    {"valid utf-8 noise only", "\xc7\x84\r\n\xd4\xb8\xc2\xa0\r\nOK\r\n", 0, false, false,
     "N[\xc7\x84]N[\xd4\xb8\xc2\xa0]L[OK]", 6},
    {"noise inside kept",
     "AB\x9c"
     "CD\r\n",
     0, false, false,
     "L[AB\x9c"
     "CD]",
     0},
    {"utf-8 at both ends kept", "\xc3\xa9t\xc3\xa9\r\n", 0, false, false, "L[\xc3\xa9t\xc3\xa9]",
     0},
    {"broken utf-8 at the end", "caf\xc3\r\n", 0, false, false, "L[caf]", 1},
    {"overlong utf-8 is noise", "\xc0\xafOK\r\n", 0, false, false, "L[OK]", 2},
    {"4-byte utf-8 kept", "x\xf0\x9f\x98\x80\r\n", 0, false, false, "L[x\xf0\x9f\x98\x80]", 0},
    {"surrogate is noise", "\xed\xa0\x80OK\r\n", 0, false, false, "L[OK]", 3},
    {"prompt after noise", "\r\n\x9c\x80> ", 0, true, false, "N[\x9c\x80]>[>]", 2},
    {"pdu line trimmed too",
     "+CMT: ,3\r\n\x01\x9c"
     "AB\xe8\r\n",
     0, false, true, "L[+CMT: ,3]P[AB]", 3},
    {"leading control noise", "\x01\x02\x7f\xffOK\r\n", 0, false, false, "L[OK]", 4},
    {"ctrl-z and esc dropped", "00AB\x1a\r\n\x1bOK\r\n", 0, false, false, "L[00AB]L[OK]", 0},
    {"no terminator yet", "+CSQ: 1", 0, false, false, "", 0},
    {"prompt with space", "\r\n> ", 0, true, false, ">[>]", 0},
    {"prompt without space", "\r\n>", 0, true, false, ">[>]", 0},
    {"prompt then echo on same line", "> 0011AB\x1a\r\n", 0, true, false, ">[>]L[0011AB]", 0},
    {"prompt not expected", "> x\r\n", 0, false, false, "L[> x]", 0},
    {"prompt only at line start", "a> \r\n", 0, true, false, "L[a> ]", 0},
    {"prompt once", "> \r\n> \r\n", 0, true, false, ">[>]L[> ]", 0},
    {"pdu line after header", "+CMT: ,3\r\nOK\r\nOK\r\n", 0, false, true, "L[+CMT: ,3]P[OK]L[OK]",
     0},
    {"pdu line cr only", "+CDS: 24\r0791AB\r", 0, false, true, "L[+CDS: 24]P[0791AB]", 0},
    {"trailing spaces kept", "+CME ERROR: \r\n", 0, false, false, "L[+CME ERROR: ]", 0},
    {"utf-8 kept", "+COPS: 0,0,\"\xc3\xa9t\xc3\xa9\"\r\n", 0, false, false,
     "L[+COPS: 0,0,\"\xc3\xa9t\xc3\xa9\"]", 0},
    /* UTF-8 text alone on its line: AT+CGMI of a Huawei modem answered in Chinese */
    {"utf-8 chinese line kept", "华为技术有限公司\r\nOK\r\n", 0, false, false,
     "L[华为技术有限公司]L[OK]", 0},
    {"utf-8 chinese with spaces kept", "中国移动 中国\r\n", 0, false, false, "L[中国移动 中国]", 0},
    {"utf-8 chinese after noise", "\x9c\x80中国联通\xff\r\n", 0, false, false, "L[中国联通]", 3},
    {"utf-8 cyrillic line kept", "МТС\r\n", 0, false, false, "L[МТС]", 0},
    {"one cjk character is noise", "中\r\nOK\r\n", 0, false, false, "N[中]L[OK]", 3},
    {"utf-8 c1 controls are noise", "\xc2\x85\xc2\x85\xc2\x85\r\n", 0, false, false,
     "N[\xc2\x85\xc2\x85\xc2\x85]", 6},
    {"utf-8 with noise inside is noise", "中\x9c国\r\n", 0, false, false, "N[中\x9c国]", 7},
    {"control bytes only", "\x01\x02\x03\x7f\r\nOK\r\n", 0, false, false,
     "N[\x01\x02\x03\x7f]L[OK]", 4},
};

#define N_SYNTAX (sizeof(syntax_cases) / sizeof(syntax_cases[0]))

static void expect_pdu_after_first(void *userdata, enum at_event ev, const char *text, size_t len)
{
	void **pair = userdata;
	struct at_syntax *s = pair[0];

	collect_event(pair[1], ev, text, len);
	if (ev == AT_EV_LINE && (strncmp(text, "+CMT:", 5) == 0 || strncmp(text, "+CDS:", 5) == 0))
		at_syntax_expect_pdu(s, true);
}

/* _i: case * 3 + chunking (whole, bytewise, 3-byte pieces) */
START_TEST(test_syntax_table)
{
	size_t ci = (size_t)_i / 3, chunk = (size_t)_i % 3;
	size_t len = syntax_cases[ci].len ? syntax_cases[ci].len : strlen(syntax_cases[ci].in);
	size_t step = chunk == 0 ? len : chunk == 1 ? 1 : 3;
	struct at_syntax *s = malloc(sizeof(*s));
	struct events *e = calloc(1, sizeof(*e));
	void *pair[2] = {s, e};

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(e);
	at_syntax_init(s);
	at_syntax_expect_prompt(s, syntax_cases[ci].prompt);
	for (size_t off = 0; off < len; off += step) {
		size_t n = len - off < step ? len - off : step;
		if (n == 0)
			break;
		at_syntax_feed(s, syntax_cases[ci].in + off, n, expect_pdu_after_first, pair);
	}
	e->buf[e->len] = '\0';
	ck_assert_msg(strcmp(e->buf, syntax_cases[ci].events) == 0, "%s (chunk %zu): got '%s'",
		      syntax_cases[ci].name, step, e->buf);
	ck_assert_msg(s->noise == syntax_cases[ci].noise, "%s: %lu noise bytes",
		      syntax_cases[ci].name, s->noise);
	free(s);
	free(e);
}
END_TEST

START_TEST(test_syntax_overflow)
{
	struct at_syntax *s = malloc(sizeof(*s));
	struct events *e = calloc(1, sizeof(*e));
	size_t big = AT_LINE_MAX * 3;
	char *line = malloc(big);

	ck_assert_ptr_nonnull(line);
	memset(line, 'A', big);
	at_syntax_init(s);
	at_syntax_feed(s, line, big, collect_event, e);
	at_syntax_feed(s, "\r\nOK\r\n", 6, collect_event, e);
	e->buf[e->len] = '\0';
	/* the overflow event carries the first AT_LINE_MAX bytes, then OK as a line */
	ck_assert_int_eq(e->buf[0], 'O');
	ck_assert_uint_eq(e->len, 3 + AT_LINE_MAX + 5 < sizeof(e->buf) ? e->len : 0);
	ck_assert_ptr_nonnull(strstr(e->buf, "]L[OK]"));
	ck_assert_uint_eq(strlen(e->buf), 2 + AT_LINE_MAX + 1 + 5);
	free(line);
	free(s);
	free(e);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Final results. Sources: ModemManager src/tests/test-at-serial-port.c (commit 9a2d5863eb21,
 * cases mm-serial-*), python-gsmmodem test/test_modem.py (gsmmodem-*), public manuals (man-*),
 * through the smsctl AT corpus; the rest from V.250 / TS 27.007 9.2 / TS 27.005 3.2.5. */

static const struct {
	const char *src;
	const char *line;
	enum smsctl_result result;
	int code;
} final_cases[] = {
    {"mm-serial-ok-1", "OK", SMSCTL_RESULT_OK, -1},
    {"mm-serial-error-2", "ERROR", SMSCTL_RESULT_ERROR, -1},
    {"mm-serial-error-4", "+CME ERROR: raspberry", SMSCTL_RESULT_CME_ERROR, -1},
    {"mm-serial-error-5", "+CME ERROR: 123", SMSCTL_RESULT_CME_ERROR, 123},
    {"mm-serial-error-6", "+CME ERROR: ", SMSCTL_RESULT_CME_ERROR, -1},
    {"mm-serial-error-8", "+CMS ERROR: bananas", SMSCTL_RESULT_CMS_ERROR, -1},
    {"mm-serial-error-9", "+CMS ERROR: 456", SMSCTL_RESULT_CMS_ERROR, 456},
    {"mm-serial-error-10", "+CMS ERROR: ", SMSCTL_RESULT_CMS_ERROR, -1},
    {"mm-serial-error-12", "MODEM ERROR: 5", SMSCTL_RESULT_ERROR, 5},
    {"mm-serial-error-16", "COMMAND NOT SUPPORT", SMSCTL_RESULT_NOT_SUPPORTED, -1},
    {"mm-serial-error-18", "NO CARRIER", SMSCTL_RESULT_NO_CARRIER, -1},
    {"mm-serial-error-20", "BUSY", SMSCTL_RESULT_BUSY, -1},
    {"mm-serial-error-22", "NO ANSWER", SMSCTL_RESULT_NO_ANSWER, -1},
    {"mm-serial-error-24", "NO DIALTONE", SMSCTL_RESULT_NO_DIALTONE, -1},
    {"gsmmodem-csca-cms330", "+CMS ERROR: 330", SMSCTL_RESULT_CMS_ERROR, 330},
    {"gsmmodem-cme-22", "+CME ERROR: 22", SMSCTL_RESULT_CME_ERROR, 22},
    {"gsmmodem-cms-310", "+CMS ERROR: 310", SMSCTL_RESULT_CMS_ERROR, 310},
    {"man-telit-cpin-no-sim", "+CME ERROR: 10", SMSCTL_RESULT_CME_ERROR, 10},
    {"man-multitech-cme-16", "+CME ERROR: 16", SMSCTL_RESULT_CME_ERROR, 16},
    {"27.007 verbose", "+CME ERROR: SIM PIN required", SMSCTL_RESULT_CME_ERROR, -1},
    {"huawei", "TOO MANY PARAMETERS", SMSCTL_RESULT_TOO_MANY_PARAMETERS, -1},
    {"trailing space", "OK ", SMSCTL_RESULT_OK, -1},
    {"no space after colon", "+CMS ERROR:500", SMSCTL_RESULT_CMS_ERROR, 500},
    /* an empty value ends the command too (ModemManager waits for more; see the report) */
    {"mm-serial-error-7 (lenient)", "+CME ERROR:", SMSCTL_RESULT_CME_ERROR, -1},
    {"mm-serial-error-11 (lenient)", "+CMS ERROR:", SMSCTL_RESULT_CMS_ERROR, -1},
    /* negatives: lines that are not final results */
    {"mm-serial-error-1", "UNKNOWN COMMAND", SMSCTL_RESULT_NONE, -1},
    {"mm-serial-error-13", "MODEM ERROR: apple", SMSCTL_RESULT_NONE, -1},
    {"mm-serial-error-14", "MODEM ERROR: ", SMSCTL_RESULT_NONE, -1},
    {"mm-serial-error-15", "MODEM ERROR:", SMSCTL_RESULT_NONE, -1},
    {"prefix of OK", "OKAY", SMSCTL_RESULT_NONE, -1},
    {"lower case", "ok", SMSCTL_RESULT_NONE, -1},
    {"leading text", "X OK", SMSCTL_RESULT_NONE, -1},
    {"error inside", "+CMGS: ERROR", SMSCTL_RESULT_NONE, -1},
    {"glued", "+CME ERRORS: 3", SMSCTL_RESULT_NONE, -1},
    {"busy prefix", "BUSYNESS", SMSCTL_RESULT_NONE, -1},
    {"no carrier prefix", "NO CARRIERS", SMSCTL_RESULT_NONE, -1},
    {"not support prefix", "COMMAND NOT SUPPORTED BY", SMSCTL_RESULT_NONE, -1},
    {"empty", "", SMSCTL_RESULT_NONE, -1},
    {"urc", "+CMTI: \"SM\",3", SMSCTL_RESULT_NONE, -1},
    {"echo", "AT+CSQ", SMSCTL_RESULT_NONE, -1},
    {"huge code is verbose", "+CMS ERROR: 12345678901", SMSCTL_RESULT_CMS_ERROR, -1},
    {"code with junk", "+CME ERROR: 10x", SMSCTL_RESULT_CME_ERROR, -1},
    {"negative code", "+CME ERROR: -1", SMSCTL_RESULT_CME_ERROR, -1},
};

#define N_FINAL (sizeof(final_cases) / sizeof(final_cases[0]))

START_TEST(test_final_table)
{
	int code = 99;
	enum smsctl_result r = at_final_result(final_cases[_i].line, &code);

	ck_assert_msg(r == final_cases[_i].result, "%s: '%s' gave %d", final_cases[_i].src,
		      final_cases[_i].line, r);
	ck_assert_msg(code == final_cases[_i].code, "%s: code %d", final_cases[_i].src, code);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Prefixes and masking */

static const struct {
	const char *cmd;
	const char *prefixes; /* joined by '|' */
} prefix_cases[] = {
    {"AT+CREG?", "+CREG:"},
    {"at+creg?", "+CREG:"},
    {"AT+CSQ", "+CSQ:"},
    {"AT+CMGS=23", "+CMGS:"},
    {"AT+CMGL=4", "+CMGL:"},
    {"AT^SYSINFO", "^SYSINFO:"},
    {"AT$QCSIMAPP?", "$QCSIMAPP:"},
    {"AT+CSQ;+CREG?", "+CSQ:|+CREG:"},
    {"AT+CSCA=\"+1;2\",145;+CSMS?", "+CSCA:|+CSMS:"},
    {"ATE0+CMEE=1", ""},
    {"ATI", ""},
    {"AT", ""},
    {"+CSQ", ""},
    {"", ""},
    {"AT+", ""},
    {"AT+;+;+", ""},
    {"AT+A;+B;+C;+D;+E;+F", "+A:|+B:|+C:|+D:"},
    {"AT+CPIN=\"1234\"", "+CPIN:"},
};

START_TEST(test_prefix_table)
{
	char out[4][32];
	char joined[160] = "";
	size_t n = at_expected_prefixes(prefix_cases[_i].cmd, out, 4);

	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(joined, "|");
		strcat(joined, out[i]);
	}
	ck_assert_str_eq(joined, prefix_cases[_i].prefixes);
}
END_TEST

static const struct {
	const char *cmd;
	const char *masked;
} mask_cases[] = {
    {"AT+CPIN=\"1234\"", "AT+CPIN=\"****\""},
    {"AT+CPIN=1234", "AT+CPIN=****"},
    {"at+cpin=\"12345678\",\"0000\"", "at+cpin=\"****\",\"****\""},
    {"AT+CPIN2=\"9876\"", "AT+CPIN2=\"****\""},
    {"AT^CPIN=\"1234\"", "AT^CPIN=\"****\""},
    {"AT+CLCK=\"SC\",1,\"1234\"", "AT+CLCK=\"SC\",1,\"****\""},
    {"AT+CLCK=\"SC\",0,\"1234\",1", "AT+CLCK=\"SC\",0,\"****\",1"},
    {"AT+CLCK=\"SC\",2", "AT+CLCK=\"SC\",2"},
    {"AT+CPWD=\"SC\",\"1234\",\"4321\"", "AT+CPWD=\"SC\",\"****\",\"****\""},
    {"AT+CMEE=1;+CPIN=\"1234\"", "AT+CMEE=1;+CPIN=\"****\""},
    {"AT+CPIN?", "AT+CPIN?"},
    {"AT+CPIN=?", "AT+CPIN=?"},
    {"AT+CSQ", "AT+CSQ"},
    {"AT+CPINR=\"SIM PIN\"", "AT+CPINR=\"SIM PIN\""},
    {"AT+CPIN=\"12,34\"", "AT+CPIN=\"****\""},
    {"AT+CPIN=", "AT+CPIN="},
    {"ATD1234;", "ATD1234;"},
    {"hello", "hello"},
};

START_TEST(test_mask_table)
{
	char out[256];

	at_mask_command(mask_cases[_i].cmd, out, sizeof(out));
	ck_assert_str_eq(out, mask_cases[_i].masked);
}
END_TEST

START_TEST(test_mask_truncates)
{
	char out[8];

	at_mask_command("AT+CPIN=\"1234\"", out, sizeof(out));
	ck_assert_str_eq(out, "AT+CPIN");
	ck_assert_ptr_null(strstr(out, "1234"));
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Transcripts over a socket pair */

enum step_kind { STEP_TX = 1, STEP_RX = 2, STEP_CLOSE = 3 };

struct step {
	enum step_kind kind;
	char *data;
	size_t len;
	bool is_pdu;
};

struct expect_cmd {
	char *cmd;
	char *pdu;
	char *lines[64];
	size_t n_lines;
	char *final;
};

struct transcript {
	struct step steps[64];
	size_t n_steps;
	struct expect_cmd cmds[16];
	size_t n_cmds;
	char *urcs[32];
	size_t n_urcs;
};

static char **transcript_files;
static size_t n_transcript_files;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_transcripts(void)
{
	char dir[4096];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/transcripts", TEST_DATA_DIR);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 4 || strcmp(e->d_name + l - 3, ".at") != 0)
			continue;
		char **n = realloc(transcript_files, (n_transcript_files + 1) * sizeof(*n));
		if (!n)
			break;
		transcript_files = n;
		transcript_files[n_transcript_files++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(transcript_files, n_transcript_files, sizeof(char *), cmp_str);
}

static size_t unescape(const char *in, char *out)
{
	size_t n = 0;

	while (*in) {
		if (*in != '\\') {
			out[n++] = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'r':
			out[n++] = '\r';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'x': {
			char hex[3] = {in[1], in[2], 0};
			out[n++] = (char)strtol(hex, NULL, 16);
			in += 2;
			break;
		}
		default:
			out[n++] = *in;
			break;
		}
		if (*in)
			in++;
	}
	out[n] = '\0';
	return n;
}

static void transcript_free(struct transcript *t)
{
	for (size_t i = 0; i < t->n_steps; i++)
		free(t->steps[i].data);
	for (size_t i = 0; i < t->n_cmds; i++) {
		free(t->cmds[i].cmd);
		free(t->cmds[i].pdu);
		free(t->cmds[i].final);
		for (size_t l = 0; l < t->cmds[i].n_lines; l++)
			free(t->cmds[i].lines[l]);
	}
	for (size_t i = 0; i < t->n_urcs; i++)
		free(t->urcs[i]);
	free(t);
}

static struct transcript *transcript_load(const char *name)
{
	char path[4096], line[8192], buf[8192];
	struct transcript *t = calloc(1, sizeof(*t));
	size_t expect_cmd = 0;

	snprintf(path, sizeof(path), "%s/transcripts/%s", TEST_DATA_DIR, name);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		const char *arg = line[1] == ' ' ? line + 2 : line + 1;
		if (line[0] == '>' || line[0] == '<') {
			struct step *s = &t->steps[t->n_steps++];
			size_t n = unescape(arg, buf);
			s->kind = line[0] == '>' ? STEP_TX : STEP_RX;
			if (s->kind == STEP_TX) {
				s->is_pdu = n > 0 && buf[n - 1] == 0x1a;
				if (s->is_pdu) {
					t->cmds[t->n_cmds - 1].pdu = strndup(buf, n - 1);
				} else {
					t->cmds[t->n_cmds++].cmd = strdup(buf);
					buf[n++] = '\r';
				}
			} else if (!memchr(buf, '\r', n) && !memchr(buf, '\n', n) &&
				   strcmp(buf, ">") != 0 && strcmp(buf, "> ") != 0) {
				buf[n++] = '\r';
				buf[n++] = '\n';
			}
			s->data = malloc(n + 1);
			memcpy(s->data, buf, n);
			s->len = n;
		} else if (line[0] == '!') {
			t->steps[t->n_steps++].kind = STEP_CLOSE;
		} else if (line[0] == ':') {
			struct expect_cmd *c = &t->cmds[expect_cmd];
			c->lines[c->n_lines++] = strdup(arg);
		} else if (line[0] == '=') {
			t->cmds[expect_cmd++].final = strdup(arg);
		} else if (line[0] == '@' && line[1] == '@') {
			char *prev = t->urcs[t->n_urcs - 1];
			size_t pl = strlen(prev), al = strlen(line + 3);
			char *j = malloc(pl + al + 2);
			memcpy(j, prev, pl);
			j[pl] = '\n';
			memcpy(j + pl + 1, line + 3, al + 1);
			free(prev);
			t->urcs[t->n_urcs - 1] = j;
		} else if (line[0] == '@') {
			t->urcs[t->n_urcs++] = strdup(arg);
		}
		ck_assert_uint_lt(t->n_steps, 64);
		ck_assert_uint_lt(t->n_cmds, 16);
		ck_assert_uint_lt(t->n_urcs, 32);
	}
	fclose(f);
	return t;
}

struct replay {
	struct smsctl_response *resp[16];
	size_t n_resp;
	char *urcs[32];
	size_t n_urcs;
};

static void replay_done(void *userdata, const struct smsctl_response *resp)
{
	struct replay *r = userdata;

	ck_assert_uint_lt(r->n_resp, 16);
	r->resp[r->n_resp++] = at_response_dup(resp);
}

static void replay_urc(void *userdata, const char *line, const char *pdu)
{
	struct replay *r = userdata;
	size_t ll = strlen(line), pl = pdu ? strlen(pdu) : 0;
	char *j = malloc(ll + pl + 2);

	ck_assert_uint_lt(r->n_urcs, 32);
	memcpy(j, line, ll + 1);
	if (pdu) {
		j[ll] = '\n';
		memcpy(j + ll + 1, pdu, pl + 1);
	}
	r->urcs[r->n_urcs++] = j;
}

/* Read exactly len bytes the engine wrote (they are there already: writes are synchronous). */
static void peer_expect(int peer, const char *want, size_t len, const char *name)
{
	char got[8192];
	size_t n = 0;

	while (n < len) {
		struct pollfd p = {.fd = peer, .events = POLLIN};
		ck_assert_msg(poll(&p, 1, 5000) == 1, "%s: engine wrote %zu of %zu bytes", name, n,
			      len);
		ssize_t r = read(peer, got + n, len - n);
		ck_assert_msg(r > 0, "%s: read from engine failed", name);
		n += (size_t)r;
	}
	ck_assert_msg(memcmp(got, want, len) == 0, "%s: engine wrote '%.*s', expected '%.*s'", name,
		      (int)len, got, (int)len, want);
}

static void peer_nothing_more(int peer, const char *name)
{
	char got[256];
	ssize_t r = recv(peer, got, sizeof(got), MSG_DONTWAIT);

	ck_assert_msg(r < 0 && errno == EAGAIN, "%s: engine wrote more: '%.*s'", name,
		      (int)(r > 0 ? r : 0), got);
}

static void peer_write(struct smsctl_modem *m, int peer, const char *data, size_t len,
		       bool bytewise)
{
	size_t step = bytewise ? 1 : len;

	for (size_t off = 0; off < len; off += step) {
		ck_assert_int_eq(write(peer, data + off, step), (ssize_t)step);
		int rc = smsctl_modem_process(m);
		ck_assert_int_eq(rc, 0);
	}
}

static const char *find_pdu(const struct transcript *t, const char *cmd)
{
	for (size_t i = 0; i < t->n_cmds; i++)
		if (t->cmds[i].cmd == cmd)
			return t->cmds[i].pdu;
	return NULL;
}

static void replay_transcript(const char *name, int mode)
{
	struct transcript *t = transcript_load(name);
	struct replay r = {0};
	struct smsctl_modem *m = NULL;
	int sv[2];
	size_t cmd_i = 0;
	bool closed = false;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(modem_new_from_transport("socketpair", transport_fd_wrap(sv[0]), NULL, &m),
			 0);
	ck_assert_int_gt(smsctl_modem_add_urc_handler(m, "", false, replay_urc, &r), 0);

	if (mode == 1) {
		/* merged: every command queued, every byte of the modem in one write */
		size_t total = 0, tx_total = 0;
		for (size_t i = 0; i < t->n_steps; i++) {
			if (t->steps[i].kind == STEP_RX)
				total += t->steps[i].len;
			if (t->steps[i].kind == STEP_TX)
				tx_total += t->steps[i].len;
		}
		char *all = malloc(total + 1), *tx = malloc(tx_total + 1);
		size_t off = 0, txo = 0;
		for (size_t i = 0; i < t->n_steps; i++) {
			if (t->steps[i].kind == STEP_RX) {
				memcpy(all + off, t->steps[i].data, t->steps[i].len);
				off += t->steps[i].len;
			}
			if (t->steps[i].kind == STEP_TX) {
				memcpy(tx + txo, t->steps[i].data, t->steps[i].len);
				txo += t->steps[i].len;
			}
		}
		for (size_t i = 0; i < t->n_cmds; i++)
			ck_assert_int_eq(smsctl_modem_send(m, t->cmds[i].cmd, t->cmds[i].pdu, 0,
							   replay_done, &r),
					 0);
		if (total)
			peer_write(m, sv[1], all, total, false);
		peer_expect(sv[1], tx, tx_total, name);
		for (size_t i = 0; i < t->n_steps; i++) {
			if (t->steps[i].kind == STEP_CLOSE) {
				close(sv[1]);
				closed = true;
				ck_assert_int_eq(smsctl_modem_process(m), SMSCTL_ERR_GONE);
			}
		}
		free(all);
		free(tx);
	} else {
		for (size_t i = 0; i < t->n_steps; i++) {
			struct step *s = &t->steps[i];
			if (s->kind == STEP_TX && !s->is_pdu) {
				const char *cmd = t->cmds[cmd_i++].cmd;
				ck_assert_int_eq(
				    smsctl_modem_send(m, cmd, find_pdu(t, cmd), 0, replay_done, &r),
				    0);
			}
			if (s->kind == STEP_TX)
				peer_expect(sv[1], s->data, s->len, name);
			else if (s->kind == STEP_RX)
				peer_write(m, sv[1], s->data, s->len, mode == 2);
			else if (s->kind == STEP_CLOSE) {
				close(sv[1]);
				closed = true;
				ck_assert_int_eq(smsctl_modem_process(m), SMSCTL_ERR_GONE);
			}
		}
	}
	if (!closed)
		peer_nothing_more(sv[1], name);

	/* every command ended, with the lines and final line expected */
	ck_assert_msg(r.n_resp == t->n_cmds, "%s: %zu of %zu commands ended", name, r.n_resp,
		      t->n_cmds);
	for (size_t i = 0; i < t->n_cmds; i++) {
		const struct expect_cmd *e = &t->cmds[i];
		const struct smsctl_response *resp = r.resp[i];
		enum smsctl_result res = smsctl_response_get_result(resp);
		ck_assert_ptr_nonnull(resp);
		ck_assert_str_eq(smsctl_response_get_command(resp), e->cmd);
		if (strcmp(e->final, "<GONE>") == 0) {
			ck_assert_int_eq(res, SMSCTL_RESULT_GONE);
		} else if (strcmp(e->final, "<TIMEOUT>") == 0) {
			ck_assert_int_eq(res, SMSCTL_RESULT_TIMEOUT);
		} else {
			int code;
			ck_assert_str_eq(smsctl_response_get_final(resp), e->final);
			ck_assert_int_eq(res, at_final_result(e->final, &code));
			ck_assert_int_eq(smsctl_response_get_error_code(resp), code);
		}
		ck_assert_msg(smsctl_response_get_line_count(resp) == e->n_lines,
			      "%s: command %zu has %zu lines, expected %zu (first '%s')", name, i,
			      smsctl_response_get_line_count(resp), e->n_lines,
			      smsctl_response_get_line(resp, 0) ? smsctl_response_get_line(resp, 0)
								: "");
		for (size_t l = 0; l < e->n_lines; l++)
			ck_assert_str_eq(smsctl_response_get_line(resp, l), e->lines[l]);
		ck_assert(smsctl_response_get_prompt_seen(resp) ==
			  (e->pdu != NULL && res == SMSCTL_RESULT_OK));
	}
	ck_assert_msg(r.n_urcs == t->n_urcs, "%s: %zu URCs, expected %zu (first '%s')", name,
		      r.n_urcs, t->n_urcs, r.n_urcs ? r.urcs[0] : "");
	for (size_t i = 0; i < t->n_urcs; i++)
		ck_assert_str_eq(r.urcs[i], t->urcs[i]);

	for (size_t i = 0; i < r.n_resp; i++)
		smsctl_response_free(r.resp[i]);
	for (size_t i = 0; i < r.n_urcs; i++)
		free(r.urcs[i]);
	smsctl_modem_free(m);
	if (!closed)
		close(sv[1]);
	transcript_free(t);
}

/* _i: file * 3 + mode (0 as captured, 1 merged, 2 one byte at a time) */
START_TEST(test_transcripts)
{
	replay_transcript(transcript_files[_i / 3], _i % 3);
}
END_TEST

START_TEST(test_transcripts_present)
{
	/* the data directory must be found: a loop over zero files would pass silently */
	ck_assert_uint_ge(n_transcript_files, 60);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* The engine on a clock the test controls */

struct fake {
	char out[8192];
	size_t out_len;
	bool fail_write;
	struct smsctl_response *last;
	int done;
	char trace[8192];
	size_t trace_len;
};

static ssize_t fake_write(void *userdata, const void *buf, size_t len)
{
	struct fake *f = userdata;

	if (f->fail_write) {
		errno = EIO;
		return -1;
	}
	ck_assert_uint_lt(f->out_len + len, sizeof(f->out));
	memcpy(f->out + f->out_len, buf, len);
	f->out_len += len;
	f->out[f->out_len] = '\0';
	return (ssize_t)len;
}

static void fake_done(void *userdata, const struct smsctl_response *resp)
{
	struct fake *f = userdata;

	smsctl_response_free(f->last);
	f->last = at_response_dup(resp);
	f->done++;
}

static void fake_trace(void *userdata, enum smsctl_trace_dir dir, const char *data, size_t len)
{
	struct fake *f = userdata;
	int n = snprintf(f->trace + f->trace_len, sizeof(f->trace) - f->trace_len, "%c%.*s|",
			 dir == SMSCTL_TRACE_TX	  ? '>'
			 : dir == SMSCTL_TRACE_RX ? '<'
						  : '#',
			 (int)len, data);
	if (n > 0 && (size_t)n < sizeof(f->trace) - f->trace_len)
		f->trace_len += (size_t)n;
}

static void fake_clear(struct fake *f)
{
	f->out_len = 0;
	f->out[0] = '\0';
}

static void feed(struct at_chat *c, const char *s, uint64_t now)
{
	at_chat_feed(c, s, strlen(s), now);
}

struct urc_log {
	int calls;
	char last[256];
	char last_pdu[256];
	struct at_chat *chat;
	int remove_id;
};

static void log_urc(void *userdata, const char *line, const char *pdu)
{
	struct urc_log *l = userdata;

	l->calls++;
	snprintf(l->last, sizeof(l->last), "%s", line);
	snprintf(l->last_pdu, sizeof(l->last_pdu), "%s", pdu ? pdu : "(null)");
	if (l->remove_id)
		at_chat_remove_urc_handler(l->chat, l->remove_id);
}

START_TEST(test_timeout_then_resync)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 1000);

	ck_assert_int_eq(at_chat_send(c, "AT+CSQ", NULL, 0, fake_done, &f, 0), 0);
	ck_assert_str_eq(f.out, "AT+CSQ\r");
	ck_assert_int_eq(at_chat_get_timeout(c, 0), 1000);
	at_chat_tick(c, 999);
	ck_assert_int_eq(f.done, 0);
	at_chat_tick(c, 1000);
	ck_assert_int_eq(f.done, 1);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_TIMEOUT);
	ck_assert_str_eq(smsctl_response_get_final(f.last), "");
	ck_assert_int_eq(at_chat_get_timeout(c, 1000), -1);

	/* the next command first resynchronises: ESC, a guard time, AT, OK */
	fake_clear(&f);
	ck_assert_int_eq(at_chat_send(c, "AT+CREG?", NULL, 0, fake_done, &f, 2000), 0);
	ck_assert_str_eq(f.out, "\x1b");
	struct urc_log cmti = {0};
	at_chat_add_urc_handler(c, "+CMTI:", false, log_urc, &cmti);
	feed(c, "\r\n+CSQ: 1,2\r\nOK\r\n", 2010); /* the late answer: discarded */
	feed(c, "\r\n+CMTI: \"SM\",1\r\n", 2020); /* a URC still arrives */
	ck_assert_int_eq(cmti.calls, 1);
	at_chat_tick(c, 2000 + AT_RESYNC_GUARD_MS);
	ck_assert_str_eq(f.out, "\x1b"
				"AT\r");
	feed(c, "\r\n+CMTI: \"SM\",2\r\n\r\nOK\r\n", 2200);
	ck_assert_int_eq(cmti.calls, 2);
	ck_assert_str_eq(f.out, "\x1b"
				"AT\rAT+CREG?\r");
	feed(c, "\r\n+CREG: 0,1\r\n\r\nOK\r\n", 2300);
	ck_assert_int_eq(f.done, 2);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_OK);
	ck_assert_uint_eq(smsctl_response_get_line_count(f.last), 1);
	ck_assert_str_eq(smsctl_response_get_line(f.last, 0), "+CREG: 0,1");
	/* counted: the two commands, not the resync */
	ck_assert_uint_eq(at_chat_get_command_count(c), 2);
	at_chat_free(c);
	smsctl_response_free(f.last);
}
END_TEST

/* AT_SEND_INFO_ENDS (Wavecom's AT+CPIN? has no OK): the information line and a short silence
 * end the command with OK, without the timeout nor a resynchronisation; an OK in time ends it
 * as usual; without the line it is an ordinary timeout. */
START_TEST(test_info_ends)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 10000);

	ck_assert_int_eq(
	    at_chat_send_flags(c, "AT+CPIN?", NULL, 0, AT_SEND_INFO_ENDS, fake_done, &f, 0), 0);
	feed(c, "\r\n+CPIN: READY\r\n", 50);
	ck_assert_int_eq(at_chat_get_timeout(c, 50), AT_INFO_END_MS);
	at_chat_tick(c, 50 + AT_INFO_END_MS - 1);
	ck_assert_int_eq(f.done, 0);
	at_chat_tick(c, 50 + AT_INFO_END_MS);
	ck_assert_int_eq(f.done, 1);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_OK);
	ck_assert_str_eq(smsctl_response_get_final(f.last), "");
	ck_assert_str_eq(smsctl_response_get_line(f.last, 0), "+CPIN: READY");
	/* no resynchronisation: the next command goes out as it is */
	fake_clear(&f);
	ck_assert_int_eq(at_chat_send(c, "AT+CSQ", NULL, 0, fake_done, &f, 300), 0);
	ck_assert_str_eq(f.out, "AT+CSQ\r");
	feed(c, "\r\n+CSQ: 18,99\r\n\r\nOK\r\n", 350);
	ck_assert_int_eq(f.done, 2);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_OK);

	/* a modem that does send OK: ended by it */
	ck_assert_int_eq(
	    at_chat_send_flags(c, "AT+CPIN?", NULL, 0, AT_SEND_INFO_ENDS, fake_done, &f, 400), 0);
	feed(c, "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n", 420);
	ck_assert_int_eq(f.done, 3);
	ck_assert_str_eq(smsctl_response_get_final(f.last), "OK");

	/* no information line: the whole timeout, then a timeout */
	ck_assert_int_eq(
	    at_chat_send_flags(c, "AT+CPIN?", NULL, 0, AT_SEND_INFO_ENDS, fake_done, &f, 500), 0);
	at_chat_tick(c, 500 + AT_INFO_END_MS);
	ck_assert_int_eq(f.done, 3);
	at_chat_tick(c, 10500);
	ck_assert_int_eq(f.done, 4);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_TIMEOUT);
	at_chat_free(c);
	smsctl_response_free(f.last);
}
END_TEST

START_TEST(test_hung_modem_bounded)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 1000);

	ck_assert_int_eq(at_chat_send(c, "AT", NULL, 0, fake_done, &f, 0), 0);
	at_chat_tick(c, 1000);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_TIMEOUT);
	ck_assert_int_eq(at_chat_send(c, "AT+CSQ", NULL, 0, fake_done, &f, 1000), 0);
	ck_assert_int_eq(at_chat_send(c, "AT+CREG?", NULL, 0, fake_done, &f, 1000), 0);
	at_chat_tick(c, 1000 + AT_RESYNC_GUARD_MS);
	ck_assert_int_eq(f.done, 1);
	/* the resync gets the next command's timeout; then both queued commands end */
	at_chat_tick(c, 1000 + AT_RESYNC_GUARD_MS + 999);
	ck_assert_int_eq(f.done, 1);
	at_chat_tick(c, 1000 + AT_RESYNC_GUARD_MS + 1000);
	ck_assert_int_eq(f.done, 3);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_TIMEOUT);
	ck_assert_str_eq(smsctl_response_get_command(f.last), "AT+CREG?");
	/* the queued commands were never written */
	ck_assert_str_eq(f.out, "AT\r\x1b"
				"AT\r");
	/* later commands end at once while the modem stays silent */
	ck_assert_int_eq(at_chat_send(c, "AT+CGSN", NULL, 0, fake_done, &f, 5000), 0);
	ck_assert_int_eq(f.done, 4);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_TIMEOUT);
	/* when the modem talks again, the next command resynchronises first */
	feed(c, "\r\nRDY\r\n", 6000);
	fake_clear(&f);
	ck_assert_int_eq(at_chat_send(c, "AT+CGMI", NULL, 0, fake_done, &f, 6000), 0);
	ck_assert_str_eq(f.out, "\x1b");
	at_chat_tick(c, 6000 + AT_RESYNC_GUARD_MS);
	feed(c, "OK\r\n", 6200);
	ck_assert_str_eq(f.out, "\x1b"
				"AT\rAT+CGMI\r");
	feed(c, "QUALCOMM\r\nOK\r\n", 6300);
	ck_assert_int_eq(f.done, 5);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_OK);
	at_chat_free(c);
	smsctl_response_free(f.last);
}
END_TEST

START_TEST(test_prompt_timeout_escapes)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 2000);

	ck_assert_int_eq(at_chat_send(c, "AT+CMGS=23", "00AB", 0, fake_done, &f, 0), 0);
	at_chat_tick(c, 2000);
	ck_assert_str_eq(f.out, "AT+CMGS=23\r\x1b");
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_TIMEOUT);
	ck_assert(!smsctl_response_get_prompt_seen(f.last));
	/* a prompt arriving late is not answered with the PDU */
	feed(c, "\r\n> ", 2100);
	ck_assert_str_eq(f.out, "AT+CMGS=23\r\x1b");
	at_chat_free(c);
	smsctl_response_free(f.last);
}
END_TEST

START_TEST(test_pdu_waits_network)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 2000);

	ck_assert_int_eq(at_chat_send(c, "AT+CMGS=23", "00ab", 0, fake_done, &f, 0), 0);
	feed(c, "\r\n> ", 500);
	ck_assert_str_eq(f.out, "AT+CMGS=23\r00ab\x1a");
	/* after Ctrl-Z at least 60 s, although the command's timeout is 2 s */
	ck_assert_int_eq(at_chat_get_timeout(c, 500), AT_PDU_MIN_TIMEOUT_MS);
	at_chat_tick(c, 500 + 2000);
	ck_assert_int_eq(f.done, 0);
	at_chat_tick(c, 500 + AT_PDU_MIN_TIMEOUT_MS);
	ck_assert_int_eq(f.done, 1);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_TIMEOUT);
	ck_assert(smsctl_response_get_prompt_seen(f.last));
	/* no ESC after Ctrl-Z: the PDU is with the modem already */
	ck_assert_str_eq(f.out, "AT+CMGS=23\r00ab\x1a");
	at_chat_free(c);
	smsctl_response_free(f.last);
}
END_TEST

START_TEST(test_prompt_without_pdu)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 2000);

	/* `smsctl at AT+CMGS=23`: the prompt is cancelled, the modem's answer ends it */
	ck_assert_int_eq(at_chat_send(c, "AT+CMGS=23", NULL, 0, fake_done, &f, 0), 0);
	feed(c, "\r\n> ", 10);
	ck_assert_str_eq(f.out, "AT+CMGS=23\r\x1b");
	ck_assert_int_eq(f.done, 0);
	feed(c, "\r\nOK\r\n", 20);
	ck_assert_int_eq(f.done, 1);
	ck_assert(smsctl_response_get_prompt_seen(f.last));
	/* other commands do not take a `>` line for a prompt */
	ck_assert_int_eq(at_chat_send(c, "AT+CSQ", NULL, 0, fake_done, &f, 30), 0);
	feed(c, "> 1\r\nOK\r\n", 40);
	ck_assert_int_eq(f.done, 2);
	ck_assert_str_eq(smsctl_response_get_line(f.last, 0), "> 1");
	ck_assert(!smsctl_response_get_prompt_seen(f.last));
	at_chat_free(c);
	smsctl_response_free(f.last);
}
END_TEST

START_TEST(test_gone_ends_everything)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 2000);

	ck_assert_int_eq(at_chat_send(c, "AT+CSQ", NULL, 0, fake_done, &f, 0), 0);
	ck_assert_int_eq(at_chat_send(c, "AT+CREG?", NULL, 0, fake_done, &f, 0), 0);
	feed(c, "+CSQ: 1", 10);
	at_chat_hangup(c);
	ck_assert_int_eq(f.done, 2);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_GONE);
	ck_assert(at_chat_is_gone(c));
	ck_assert_int_eq(at_chat_send(c, "AT", NULL, 0, fake_done, &f, 20), 0);
	ck_assert_int_eq(f.done, 3);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_GONE);
	at_chat_free(c);
	smsctl_response_free(f.last);
}
END_TEST

START_TEST(test_write_failure_is_gone)
{
	struct fake f = {.fail_write = true};
	struct at_chat *c = at_chat_new(fake_write, &f, 2000);

	ck_assert_int_eq(at_chat_send(c, "AT", NULL, 0, fake_done, &f, 0), 0);
	ck_assert_int_eq(f.done, 1);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_GONE);
	at_chat_free(c);
	smsctl_response_free(f.last);
}
END_TEST

START_TEST(test_cancel_on_free)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 2000);

	ck_assert_int_eq(at_chat_send(c, "AT", NULL, 0, fake_done, &f, 0), 0);
	ck_assert_int_eq(at_chat_send(c, "AT+CSQ", NULL, 0, fake_done, &f, 0), 0);
	at_chat_free(c);
	ck_assert_int_eq(f.done, 2);
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_CANCELLED);
	ck_assert_str_eq(f.out, "AT\r");
	smsctl_response_free(f.last);
}
END_TEST

static const struct {
	const char *cmd;
	const char *pdu;
} bad_sends[] = {
    {"", NULL},
    {"AT\r+CSQ", NULL},
    {"AT\n", NULL},
    {"AT\x1a", NULL},
    {"AT\x1b", NULL},
    {"AT+CMGS=2", ""},
    {"AT+CMGS=2", "00G1"},
    {"AT+CMGS=2", "00\x1a"},
    {"AT+CMGS=2", "00 11"},
};

START_TEST(test_bad_sends)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 2000);

	ck_assert_int_eq(at_chat_send(c, bad_sends[_i].cmd, bad_sends[_i].pdu, 0, fake_done, &f, 0),
			 SMSCTL_ERR_INVALID);
	ck_assert_uint_eq(f.out_len, 0);
	at_chat_free(c);
}
END_TEST

START_TEST(test_too_long_command)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 2000);
	char *cmd = malloc(AT_CMD_MAX + 2);
	char *pdu = malloc(AT_PDU_MAX + 2);

	memset(cmd, 'A', AT_CMD_MAX + 1);
	cmd[AT_CMD_MAX + 1] = '\0';
	memset(pdu, '0', AT_PDU_MAX + 1);
	pdu[AT_PDU_MAX + 1] = '\0';
	ck_assert_int_eq(at_chat_send(c, cmd, NULL, 0, fake_done, &f, 0), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(at_chat_send(c, "AT+CMGS=1", pdu, 0, fake_done, &f, 0),
			 SMSCTL_ERR_INVALID);
	cmd[AT_CMD_MAX] = '\0';
	ck_assert_int_eq(at_chat_send(c, cmd, NULL, 0, fake_done, &f, 0), 0);
	free(cmd);
	free(pdu);
	at_chat_free(c);
	smsctl_response_free(f.last);
}
END_TEST

START_TEST(test_trace_masks_pin)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 2000);

	at_chat_set_trace(c, fake_trace, &f);
	ck_assert_int_eq(at_chat_send(c, "AT+CPIN=\"4711\"", NULL, 0, fake_done, &f, 0), 0);
	/* the modem has echo on: its echo carries the PIN too */
	feed(c, "AT+CPIN=\"4711\"\r\r\nOK\r\n", 5);
	ck_assert_int_eq(f.done, 1);
	ck_assert_str_eq(f.out, "AT+CPIN=\"4711\"\r"); /* the modem gets the PIN */
	ck_assert_ptr_null(strstr(f.trace, "4711"));
	ck_assert_ptr_nonnull(strstr(f.trace, ">AT+CPIN=\"****\"\r|"));
	ck_assert_ptr_nonnull(strstr(f.trace, "<AT+CPIN=\"****\"|"));
	ck_assert_ptr_nonnull(strstr(f.trace, "<OK|"));
	ck_assert_str_eq(smsctl_response_get_command(f.last), "AT+CPIN=\"****\"");
	/* the PUK and new PIN, and a facility lock password */
	ck_assert_int_eq(
	    at_chat_send(c, "AT+CPIN=\"87654321\",\"1111\"", NULL, 0, fake_done, &f, 10), 0);
	feed(c, "\r\n+CME ERROR: 16\r\n", 11);
	ck_assert_int_eq(at_chat_send(c, "AT+CLCK=\"SC\",0,\"2222\"", NULL, 0, fake_done, &f, 20),
			 0);
	feed(c, "\r\nOK\r\n", 21);
	ck_assert_ptr_null(strstr(f.trace, "87654321"));
	ck_assert_ptr_null(strstr(f.trace, "1111"));
	ck_assert_ptr_null(strstr(f.trace, "2222"));
	ck_assert_ptr_nonnull(strstr(f.trace, "<+CME ERROR: 16|"));
	at_chat_free(c);
	smsctl_response_free(f.last);
}
END_TEST

START_TEST(test_urc_handlers)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 2000);
	struct urc_log cmti = {0}, vendor = {0}, cmt = {0};

	int id1 = at_chat_add_urc_handler(c, "+CMTI:", false, log_urc, &cmti);
	int id2 = at_chat_add_urc_handler(c, "+MYURC:", false, log_urc, &vendor);
	int id3 = at_chat_add_urc_handler(c, "+CMT:", true, log_urc, &cmt);
	ck_assert_int_gt(id1, 0);
	ck_assert_int_gt(id2, id1);
	ck_assert_int_gt(id3, id2);
	/* a registered vendor prefix leaves a response in the middle; an unknown one stays */
	ck_assert_int_eq(at_chat_send(c, "AT+CPMS?", NULL, 0, fake_done, &f, 0), 0);
	feed(c, "\r\n+CPMS: \"SM\",1,20\r\n+MYURC: 1\r\n+OTHER: 2\r\n+CMTI: \"SM\",2\r\nOK\r\n", 1);
	ck_assert_int_eq(vendor.calls, 1);
	ck_assert_str_eq(vendor.last, "+MYURC: 1");
	ck_assert_int_eq(cmti.calls, 1);
	ck_assert_uint_eq(smsctl_response_get_line_count(f.last), 2);
	ck_assert_str_eq(smsctl_response_get_line(f.last, 1), "+OTHER: 2");
	/* a two-line URC whose PDU never came: a final result where the PDU should be */
	ck_assert_int_eq(at_chat_send(c, "AT", NULL, 0, fake_done, &f, 2), 0);
	feed(c, "+CMT: ,23\r\nOK\r\n", 3);
	ck_assert_int_eq(cmt.calls, 1);
	ck_assert_str_eq(cmt.last_pdu, "(null)");
	ck_assert_int_eq(smsctl_response_get_result(f.last), SMSCTL_RESULT_OK);
	/* text-mode +CDS is one line */
	struct urc_log cds = {0};
	at_chat_add_urc_handler(c, "+CDS:", false, log_urc, &cds);
	feed(c, "+CDS: 6,12,\"+4917\",145,\"24/01/01,10:00:00+04\",\"24/01/01,10:00:05+04\",0\r\n",
	     4);
	ck_assert_int_eq(cds.calls, 1);
	ck_assert_str_eq(cds.last_pdu, "(null)");
	/* a URC prefix is the answer of the command that expects it, a URC otherwise */
	struct urc_log creg = {0};
	at_chat_add_urc_handler(c, "+CREG:", false, log_urc, &creg);
	feed(c, "\r\n+CREG: 1\r\n", 5);
	ck_assert_int_eq(creg.calls, 1);
	ck_assert_int_eq(at_chat_send(c, "AT+CREG?", NULL, 0, fake_done, &f, 5), 0);
	feed(c, "\r\n+CREG: 0,1\r\n\r\nOK\r\n", 6);
	ck_assert_int_eq(creg.calls, 1);
	ck_assert_str_eq(smsctl_response_get_line(f.last, 0), "+CREG: 0,1");
	ck_assert_int_eq(at_chat_send(c, "AT+CSQ", NULL, 0, fake_done, &f, 7), 0);
	feed(c, "\r\n+CREG: 5\r\n+CSQ: 1,1\r\nOK\r\n", 8);
	ck_assert_int_eq(creg.calls, 2);
	ck_assert_uint_eq(smsctl_response_get_line_count(f.last), 1);
	/* removal, also from inside the handler */
	ck_assert_int_eq(at_chat_remove_urc_handler(c, id2), 0);
	ck_assert_int_eq(at_chat_remove_urc_handler(c, id2), SMSCTL_ERR_NOT_FOUND);
	cmti.chat = c;
	cmti.remove_id = id1;
	feed(c, "+CMTI: \"SM\",3\r\n+CMTI: \"SM\",4\r\n", 5);
	ck_assert_int_eq(cmti.calls, 2);
	ck_assert_str_eq(cmti.last, "+CMTI: \"SM\",3");
	ck_assert_int_eq(at_chat_add_urc_handler(c, NULL, false, log_urc, &cmti),
			 SMSCTL_ERR_INVALID);
	ck_assert_int_eq(at_chat_add_urc_handler(c, "+X:", false, NULL, NULL), SMSCTL_ERR_INVALID);
	at_chat_free(c);
	smsctl_response_free(f.last);
}
END_TEST

/* A callback that queues the next command: it is written after the first ended. */
struct chain {
	struct at_chat *c;
	struct fake *f;
	int step;
};

static void chain_done(void *userdata, const struct smsctl_response *resp)
{
	struct chain *ch = userdata;

	fake_done(ch->f, resp);
	if (ch->step++ == 0)
		ck_assert_int_eq(at_chat_send(ch->c, "AT+CSQ", NULL, 0, chain_done, ch, 0), 0);
}

START_TEST(test_send_from_callback)
{
	struct fake f = {0};
	struct at_chat *c = at_chat_new(fake_write, &f, 2000);
	struct chain ch = {c, &f, 0};

	ck_assert_int_eq(at_chat_send(c, "ATE0", NULL, 0, chain_done, &ch, 0), 0);
	feed(c, "ATE0\r\r\nOK\r\n\r\n+CSQ: 5,5\r\n\r\nOK\r\n", 1);
	ck_assert_int_eq(f.done, 2);
	ck_assert_str_eq(f.out, "ATE0\rAT+CSQ\r");
	ck_assert_str_eq(smsctl_response_get_line(f.last, 0), "+CSQ: 5,5");
	at_chat_free(c);
	smsctl_response_free(f.last);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* The modem handle over a socket pair: blocking calls, EOF, response accessors */

START_TEST(test_modem_eof_blocking)
{
	struct smsctl_modem *m = NULL;
	struct smsctl_response *resp = (void *)1;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(modem_new_from_transport("pair", transport_fd_wrap(sv[0]), NULL, &m), 0);
	ck_assert_int_eq(write(sv[1], "\r\nOK\r\n", 6), 6); /* stale: dropped before the command */
	close(sv[1]);
	ck_assert_int_eq(smsctl_modem_command(m, "AT", 0, &resp), SMSCTL_ERR_GONE);
	ck_assert_ptr_nonnull(resp);
	ck_assert_int_eq(smsctl_response_get_result(resp), SMSCTL_RESULT_GONE);
	ck_assert_str_eq(smsctl_response_get_final(resp), "");
	ck_assert_ptr_nonnull(strstr(smsctl_modem_get_error_detail(m), "went away"));
	smsctl_response_free(resp);
	ck_assert_int_eq(smsctl_modem_get_fd(m), -1);
	ck_assert_int_eq(smsctl_modem_command(m, "AT", 0, NULL), SMSCTL_ERR_GONE);
	smsctl_modem_free(m);
}
END_TEST

START_TEST(test_modem_not_open)
{
	struct smsctl_modem *m = NULL;
	struct smsctl_response *resp = (void *)1;

	ck_assert_int_eq(smsctl_modem_new("/dev/ttyUSB99", NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_command(m, "AT", 0, &resp), SMSCTL_ERR_STATE);
	ck_assert_ptr_null(resp);
	ck_assert_int_eq(smsctl_modem_get_fd(m), -1);
	ck_assert_int_eq(smsctl_modem_get_timeout(m), -1);
	ck_assert_int_eq(smsctl_modem_process(m), SMSCTL_ERR_STATE);
	ck_assert_str_eq(smsctl_modem_get_device(m), "/dev/ttyUSB99");
	ck_assert_ptr_null(smsctl_modem_get_sim(m));
	smsctl_modem_free(m);
	smsctl_modem_free(NULL);
	ck_assert_int_eq(smsctl_response_get_result(NULL), SMSCTL_RESULT_NONE);
	ck_assert_ptr_null(smsctl_response_get_line(NULL, 0));
	ck_assert_int_eq(smsctl_response_get_error_code(NULL), -1);
	smsctl_response_free(NULL);
}
END_TEST

static Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc;

	tc = tcase_create("syntax");
	tcase_add_loop_test(tc, test_syntax_table, 0, (int)N_SYNTAX * 3);
	tcase_add_test(tc, test_syntax_overflow);
	suite_add_tcase(s, tc);

	tc = tcase_create("tables");
	tcase_add_loop_test(tc, test_final_table, 0, (int)N_FINAL);
	tcase_add_loop_test(tc, test_prefix_table, 0,
			    (int)(sizeof(prefix_cases) / sizeof(prefix_cases[0])));
	tcase_add_loop_test(tc, test_mask_table, 0,
			    (int)(sizeof(mask_cases) / sizeof(mask_cases[0])));
	tcase_add_test(tc, test_mask_truncates);
	suite_add_tcase(s, tc);

	tc = tcase_create("transcripts");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_transcripts_present);
	tcase_add_loop_test(tc, test_transcripts, 0, (int)n_transcript_files * 3);
	suite_add_tcase(s, tc);

	tc = tcase_create("chat");
	tcase_add_test(tc, test_timeout_then_resync);
	tcase_add_test(tc, test_info_ends);
	tcase_add_test(tc, test_hung_modem_bounded);
	tcase_add_test(tc, test_prompt_timeout_escapes);
	tcase_add_test(tc, test_pdu_waits_network);
	tcase_add_test(tc, test_prompt_without_pdu);
	tcase_add_test(tc, test_gone_ends_everything);
	tcase_add_test(tc, test_write_failure_is_gone);
	tcase_add_test(tc, test_cancel_on_free);
	tcase_add_loop_test(tc, test_bad_sends, 0, (int)(sizeof(bad_sends) / sizeof(bad_sends[0])));
	tcase_add_test(tc, test_too_long_command);
	tcase_add_test(tc, test_trace_masks_pin);
	tcase_add_test(tc, test_urc_handlers);
	tcase_add_test(tc, test_send_from_callback);
	suite_add_tcase(s, tc);

	tc = tcase_create("modem");
	tcase_add_test(tc, test_modem_eof_blocking);
	tcase_add_test(tc, test_modem_not_open);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	list_transcripts();
	SRunner *sr = srunner_create(engine_suite());
	/* Forking for each of hundreds of checks is slow under AddressSanitizer; every test
	 * cleans up after itself, so run them in one process unless CK_FORK says otherwise. */
	if (!getenv("CK_FORK"))
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (size_t i = 0; i < n_transcript_files; i++)
		free(transcript_files[i]);
	free(transcript_files);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
