/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the response parsers: the input is split into lines (CR, LF or NUL end a
 * line) and every parser runs on every line; the multi-line parsers (+COPS=?, +CMGR, +CMGL,
 * +CMT with its PDU line) run on the whole list. Nothing may crash, leak or read out of bounds;
 * results are checked for internal consistency (NUL-terminated strings, ranges).
 * The whole input is also the text of a PIN file (cli/pin.c, the CLI's --pin-file and
 * $SMSCTL_PIN reader): a PIN it accepts is 4 to 8 digits at the start of the first line,
 * followed by nothing but blanks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/codes.h>
#include <smsctl/error.h>

#include "cli/pin.h"
#include "parse/parse.h"
#include "pdu/ussd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES 64

static void check_str(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

/* USSD: +CUSD and its text decoded under every coding and TE character set, into a buffer
 * small enough to be cut; the first number of the line as a balance. */
static void ussd_line(const char *l)
{
	static struct at_cusd cusd;
	static const char *const sets[] = {NULL, "GSM", "IRA", "UCS2", "HEX"};
	static const int dcss[] = {-1, 0, 15, 16, 17, 0x44, 0x48, 0x60, 0xf4, 300};
	char out[48];
	double v;

	if (parse_cusd(l, &cusd) == 0) {
		check_str(cusd.str, sizeof(cusd.str));
		if (cusd.m < 0 || cusd.m > 99 || cusd.dcs > 255)
			abort();
		for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
			pdu_ussd_decode(cusd.str, strlen(cusd.str), cusd.dcs, sets[s], out,
					sizeof(out));
			check_str(out, sizeof(out));
		}
	}
	for (size_t d = 0; d < sizeof(dcss) / sizeof(dcss[0]); d++) {
		pdu_ussd_decode(l, strlen(l), dcss[d], d & 1 ? "UCS2" : "HEX", out, 1 + d * 5);
		check_str(out, 1 + d * 5);
	}
	(void)parse_amount(l, NULL, &v);
}

static void one_line(const char *l)
{
	static struct at_csq csq;
	static struct at_csq_test csqt;
	static struct at_cesq cesq;
	static struct at_signal sig;
	static struct at_cind_test cind;
	static struct at_reg reg;
	static struct at_cops cops;
	static struct at_cpin cpin;
	static struct at_clck clck;
	static struct at_iccid iccid;
	static struct at_imsi imsi;
	static struct at_imei imei;
	static struct at_cnum cnum;
	static struct at_cfun cfun;
	static struct at_cpms cpms;
	static struct at_cpms_test cpmst;
	static struct at_csca csca;
	static struct at_csms csms;
	static struct at_cnmi cnmi;
	static struct at_cnmi_test cnmit;
	static struct at_cmgs cmgs;
	static struct at_cmti cmti;
	static struct at_cmt cmt;
	static struct at_sms sms;
	static struct at_error err;
	static struct at_ceer ceer;
	static struct at_sysinfo sysinfo;
	static struct at_mode mode;
	static struct at_sind sind;
	static struct at_cpsi cpsi;
	static char buf[PARSE_PDU_MAX];
	uint32_t bits;

	if (parse_csq(l, &csq) == 0 && (csq.bars < -1 || csq.bars > 5))
		abort();
	parse_csq_test(l, &csqt);
	parse_cesq(l, &cesq);
	if (parse_signal_urc(l, &sig) == 0) {
		check_str(sig.sysmode, sizeof(sig.sysmode));
		if (sig.n_values < 0 || sig.n_values > PARSE_MAX_VALUES)
			abort();
	}
	if (parse_cind_test(l, &cind) == 0 && parse_cind_index(&cind, "signal") > cind.count)
		abort();
	parse_reg(l, true, &reg);
	parse_reg(l, false, &reg);
	if (parse_cops_query(l, &cops) == 0)
		check_str(cops.oper, sizeof(cops.oper));
	if (parse_cpin(l, &cpin) == 0)
		check_str(cpin.code, sizeof(cpin.code));
	parse_clck(l, &clck);
	if (parse_iccid(l, &iccid) == 0 && strlen(iccid.iccid) < 18)
		abort();
	parse_cimi(l, &imsi);
	parse_cgsn(l, &imei);
	parse_cnum(l, &cnum);
	parse_cfun(l, &cfun);
	if (parse_cpms(l, &cpms) == 0 && (cpms.count < 1 || cpms.count > 3))
		abort();
	parse_cpms_test(l, &cpmst);
	if (parse_csca(l, &csca) == 0)
		(void)parse_csca_is_valid(&csca);
	parse_csms(l, &csms);
	parse_cnmi(l, &cnmi);
	parse_cnmi_test(l, &cnmit);
	if (parse_cmgs(l, &cmgs) == 0 && (cmgs.mr < 0 || cmgs.mr > 255))
		abort();
	parse_cmti(l, &cmti);
	parse_cmt(l, NULL, &cmt);
	parse_sms_header(l, &sms);
	if (parse_error(l, &err) == 0) {
		check_str(err.text, sizeof(err.text));
		if (err.kind == PARSE_ERROR_CMS)
			(void)smsctl_cms_error_describe(err.code);
	}
	(void)parse_final(l);
	parse_ceer(l, &ceer);
	parse_sysinfo(l, &sysinfo);
	parse_huawei_mode(l, &mode);
	parse_sind(l, &sind);
	parse_cpsi(l, &cpsi);
	parse_pdu_line(l, -1, buf, sizeof(buf));
	parse_decode_string(l, PARSE_CHARSET_UCS2, buf, sizeof(buf));
	parse_decode_string(l, PARSE_CHARSET_HEX, buf, sizeof(buf));
	parse_decode_string(l, PARSE_CHARSET_GSM, buf, sizeof(buf));
	parse_range_list(l, strlen(l), &bits);
	ussd_line(l);
	(void)smsctl_cme_error_from_text(l);
	(void)smsctl_cms_error_from_text(l);
	(void)smsctl_cms_error_describe_vendor(513, l);
}

/* The PIN file reader on the first bytes of the input, as the CLI reads a file (first line)
 * and $SMSCTL_PIN (whole), with a PIN buffer of every size up to the CLI's. */
static void pin_text(const uint8_t *data, size_t size)
{
	char text[CLI_PIN_TEXT_MAX], pin[16];
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;

	for (int first_line = 0; first_line < 2; first_line++) {
		size_t pin_size = size ? data[0] % sizeof(pin) + 1 : sizeof(pin);
		memcpy(text, data, n);
		text[n] = '\0';
		memset(pin, 'x', sizeof(pin));
		if (cli_pin_parse(text, first_line, pin, pin_size) < 0) {
			if (pin[0] != '\0')
				abort(); /* a refused PIN leaves nothing behind */
			continue;
		}
		size_t len = strnlen(pin, pin_size);
		if (len < 4 || len > 8 || len >= pin_size || memcmp(pin, data, len) != 0)
			abort();
		for (size_t i = 0; i < len; i++)
			if (pin[i] < '0' || pin[i] > '9')
				abort();
		/* after the PIN: blanks up to the end of the text (or of its first line) */
		for (size_t i = len; i < n && data[i] != '\0'; i++) {
			if (first_line && (data[i] == '\r' || data[i] == '\n'))
				break;
			if (data[i] != ' ' && data[i] != '\t')
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct at_cops_list copsl;
	static struct at_sms sms;
	static struct at_cmt cmt;
	const char *lines[MAX_LINES];
	size_t n = 0;

	if (size > 65536)
		return 0;
	pin_text(data, size);
	char *copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';

	char *p = copy, *end = copy + size;
	while (p <= end && n < MAX_LINES) {
		char *e = p;
		while (e < end && *e != '\r' && *e != '\n' && *e != '\0')
			e++;
		*e = '\0';
		lines[n++] = p;
		p = e + 1;
	}

	for (size_t i = 0; i < n; i++)
		one_line(lines[i]);

	parse_cops_test(lines, n, &copsl);
	if (copsl.count < 0 || copsl.count > PARSE_MAX_NETWORKS)
		abort();
	parse_cmgr(lines, n, &sms);
	size_t pos = 0;
	int guard = 0;
	while (parse_cmgl_next(lines, n, &pos, &sms) != 0 && guard++ < 2 * MAX_LINES) {
		if (pos > n)
			abort();
	}
	if (guard >= 2 * MAX_LINES)
		abort(); /* the iterator must advance */
	if (n >= 2)
		parse_cmt(lines[0], lines[1], &cmt);

	free(copy);
	return 0;
}
