/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SIM and identity: +CPIN, +CLCK, ICCID (vendor forms), +CIMI, +CGSN, +CNUM, +CFUN. */
#include <string.h>

#include <smsctl/error.h>

#include "parse/internal.h"

/* ---- +CPIN ---- */

static struct parse_re cpin_re[] = {
    /* 0 PARSE_CPIN_STD. "+CPIN: SIM PIN" TS 27.007 8.3; quoted "+CPIN: \"SIM PIN\""
	 * (ModemManager test); vendor words "NOT READY", "NOT INSERTED" (SIM800 manual). */
    {"\\+CPIN:\\s*(?<q>\"?)(?<code>[A-Z][A-Z0-9 _-]{0,30}?)\\k<q>\\s*", 0, NULL},
    /* 1 PARSE_CPIN_BARE. "SIM PUK" without the prefix (Wavecom answers some queries without
	 * the information prefix; ModemManager parses the bare text too). Only known words. */
    {"(?<q>\"?)(?<code>READY|SIM PIN2?|SIM PUK2?|PH-(?:SIM|FSIM|NET|NETSUB|SP|CORP) P(?:IN|UK)|"
     "NOT READY|NOT INSERTED|SIM REMOVED)\\k<q>\\s*",
     0, NULL},
};
PARSE_TABLE(cpin)

static const struct {
	const char *text;
	enum parse_pin_state state;
} pin_words[] = {
    {"READY", PARSE_PIN_READY},
    {"SIM PIN", PARSE_PIN_SIM_PIN},
    {"SIM PUK", PARSE_PIN_SIM_PUK},
    {"SIM PIN2", PARSE_PIN_SIM_PIN2},
    {"SIM PUK2", PARSE_PIN_SIM_PUK2},
    {"PH-SIM PIN", PARSE_PIN_PH_SIM_PIN},
    {"PH-FSIM PIN", PARSE_PIN_PH_FSIM_PIN},
    {"PH-FSIM PUK", PARSE_PIN_PH_FSIM_PUK},
    {"PH-NET PIN", PARSE_PIN_PH_NET_PIN},
    {"PH-NET PUK", PARSE_PIN_PH_NET_PUK},
    {"PH-NETSUB PIN", PARSE_PIN_PH_NETSUB_PIN},
    {"PH-NETSUB PUK", PARSE_PIN_PH_NETSUB_PUK},
    {"PH-SP PIN", PARSE_PIN_PH_SP_PIN},
    {"PH-SP PUK", PARSE_PIN_PH_SP_PUK},
    {"PH-CORP PIN", PARSE_PIN_PH_CORP_PIN},
    {"PH-CORP PUK", PARSE_PIN_PH_CORP_PUK},
    /* vendor words */
    {"NOT READY", PARSE_PIN_NOT_READY},
    {"NOT INSERTED", PARSE_PIN_NOT_INSERTED},
    {"SIM REMOVED", PARSE_PIN_NOT_INSERTED},
    {"NO SIM", PARSE_PIN_NOT_INSERTED},
    {"SIM NOT INSERTED", PARSE_PIN_NOT_INSERTED},
    {"SIM BLOCKED", PARSE_PIN_BLOCKED},
    {"BLOCKED", PARSE_PIN_BLOCKED},
};

static void cpin_clear(void *p)
{
	struct at_cpin *o = p;
	o->state = 0;
	o->code[0] = '\0';
	o->pattern = PARSE_NONE;
}

static int cpin_fill(const struct parse_match *m, void *p)
{
	struct at_cpin *o = p;

	if (pm_str(m, "code", o->code, sizeof(o->code)) < 0 || !o->code[0])
		return SMSCTL_ERR_PROTOCOL;
	o->state = PARSE_PIN_OTHER;
	for (size_t i = 0; i < PARSE_ARRAY_SIZE(pin_words); i++)
		if (strcmp(o->code, pin_words[i].text) == 0)
			o->state = pin_words[i].state;
	return 0;
}

int parse_cpin(const char *line, struct at_cpin *out)
{
	return parse_run(&cpin, line, out, out ? &out->pattern : NULL, cpin_fill, cpin_clear);
}

/* ---- +CLCK ---- */

static struct parse_re clck_re[] = {
    /* "+CLCK: <status>[,<class>]" TS 27.007 7.4 (Sierra MC7455 log "+CLCK: 0"). */
    {"\\+CLCK:\\s*(?<st>\\d)\\s*(?:,\\s*(?<cls>\\d{1,3})\\s*)?", 0, NULL},
};
PARSE_TABLE(clck)

static void clck_clear(void *p)
{
	struct at_clck *o = p;
	o->status = o->cls = o->pattern = PARSE_NONE;
}

static int clck_fill(const struct parse_match *m, void *p)
{
	struct at_clck *o = p;
	if (pm_int(m, "st", 1, &o->status) < 0 || pm_int(m, "cls", 255, &o->cls) < 0)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_clck(const char *line, struct at_clck *out)
{
	return parse_run(&clck, line, out, out ? &out->pattern : NULL, clck_fill, clck_clear);
}

/* ---- ICCID ---- */

#define R_ICCID_VAL "\\s*(?<q>\"?)(?<id>[0-9A-Fa-f]{1,24})\\k<q>\\s*"
static struct parse_re iccid_re[] = {
    /* 0 PARSE_ICCID_CCID. "+CCID: 89..." (SIMCom SIM800/SIM7600, Telit, u-blox, Multi-Tech). */
    {"\\+CCID:" R_ICCID_VAL, 0, NULL},
    /* 1 PARSE_ICCID_ICCID. "+ICCID: 89..." (Quectel, Telit), "ICCID: 89..." (Sierra !ICCID?). */
    {"\\+?ICCID:" R_ICCID_VAL, 0, NULL},
    /* 2 PARSE_ICCID_HUAWEI. "^ICCID: 98..." (Huawei; nibble-swapped on some firmware). */
    {"\\^ICCID:" R_ICCID_VAL, 0, NULL},
    /* 3 PARSE_ICCID_QCCID. "+QCCID: 89..." (Quectel EC2x/BG96). */
    {"\\+QCCID:" R_ICCID_VAL, 0, NULL},
    /* 4 PARSE_ICCID_SCID. "^SCID: 89..." (Cinterion/Siemens). */
    {"\\^SCID:" R_ICCID_VAL, 0, NULL},
    /* 5 PARSE_ICCID_BARE. Bare value, quoted or not (Wavecom AT+CCID, ModemManager tests of
	 * mm_3gpp_parse_iccid, AT+CRSM EF_ICCID payload). */
    {R_ICCID_VAL, 0, NULL},
};
PARSE_TABLE(iccid)

static void iccid_clear(void *p)
{
	struct at_iccid *o = p;
	o->iccid[0] = '\0';
	o->swapped = false;
	o->pattern = PARSE_NONE;
}

static int iccid_fill(const struct parse_match *m, void *p)
{
	struct at_iccid *o = p;
	char buf[PARSE_ICCID_MAX + 2];
	const char *s;
	size_t len;

	if (!pm_get(m, "id", &s, &len) || len < 18 || len > 20)
		return SMSCTL_ERR_PROTOCOL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (buf[i] >= 'a' && buf[i] <= 'f')
			buf[i] = (char)(buf[i] - 'a' + 'A');
	/* EF_ICCID is stored BCD with swapped nibbles (TS 102 221 13.2); some modems print the
	 * raw bytes: the MII 89 then reads "98". */
	if (buf[0] == '9' && buf[1] == '8') {
		if (len % 2)
			return SMSCTL_ERR_PROTOCOL;
		for (size_t i = 0; i < len; i += 2) {
			char t = buf[i];
			buf[i] = buf[i + 1];
			buf[i + 1] = t;
		}
		o->swapped = true;
	}
	if (buf[0] != '8' || buf[1] != '9')
		return SMSCTL_ERR_PROTOCOL;
	/* Filler F at the end of a 19-digit ICCID. */
	if (buf[len - 1] == 'F')
		buf[--len] = '\0';
	if (len < 18 || buf[len - 1] < '0' || buf[len - 1] > '9')
		return SMSCTL_ERR_PROTOCOL;
	/* The issuer prefix (first 6) is decimal; hex letters appear only in vendor account
	 * numbers (ModemManager: "898602F9091830030220"). */
	for (size_t i = 0; i < 6; i++)
		if (buf[i] < '0' || buf[i] > '9')
			return SMSCTL_ERR_PROTOCOL;
	return parse_copy_span(buf, len, o->iccid, sizeof(o->iccid));
}

int parse_iccid(const char *line, struct at_iccid *out)
{
	return parse_run(&iccid, line, out, out ? &out->pattern : NULL, iccid_fill, iccid_clear);
}

/* ---- +CIMI, +CGSN ---- */

static struct parse_re cimi_re[] = {
    /* 0 bare digits, TS 27.007 5.6 ("987654321012345", python-gsmmodem). */
    {"(?<imsi>\\d{6,15})\\s*", 0, NULL},
    /* 1 "+CIMI: 2080..." (some Quectel and Telit firmware add the prefix). */
    {"\\+CIMI:\\s*(?<q>\"?)(?<imsi>\\d{6,15})\\k<q>\\s*", 0, NULL},
};
PARSE_TABLE(cimi)

static void cimi_clear(void *p)
{
	struct at_imsi *o = p;
	o->imsi[0] = '\0';
	o->pattern = PARSE_NONE;
}

static int cimi_fill(const struct parse_match *m, void *p)
{
	struct at_imsi *o = p;
	return pm_str(m, "imsi", o->imsi, sizeof(o->imsi));
}

int parse_cimi(const char *line, struct at_imsi *out)
{
	return parse_run(&cimi, line, out, out ? &out->pattern : NULL, cimi_fill, cimi_clear);
}

static struct parse_re cgsn_re[] = {
    /* 0 bare IMEI, TS 27.007 5.4 ("354237065082227"); with a vendor tail ",NL2A62Z0N5"
	 * (ModemManager test). */
    {"(?<imei>\\d{14,17})\\s*(?:,.*)?", 0, NULL},
    /* 1 "+CGSN: 35..." or quoted (Quectel, u-blox, TS 27.007 5.4 <snt> forms). */
    {"\\+CGSN:\\s*(?<q>\"?)(?<imei>\\d{14,17})\\k<q>\\s*", 0, NULL},
};
PARSE_TABLE(cgsn)

static void cgsn_clear(void *p)
{
	struct at_imei *o = p;
	o->imei[0] = '\0';
	o->pattern = PARSE_NONE;
}

static int cgsn_fill(const struct parse_match *m, void *p)
{
	struct at_imei *o = p;
	return pm_str(m, "imei", o->imei, sizeof(o->imei));
}

int parse_cgsn(const char *line, struct at_imei *out)
{
	return parse_run(&cgsn, line, out, out ? &out->pattern : NULL, cgsn_fill, cgsn_clear);
}

/* ---- +CNUM ---- */

static struct parse_re cnum_re[] = {
    /* 0 PARSE_CNUM_STD. "+CNUM: [\"alpha\"],\"number\",<type>[,<speed>,<service>[,<itc>]]"
	 * TS 27.007 7.1 (ModemManager and chan_dongle tests). */
    {"\\+CNUM:\\s*(?:\"(?<alpha>[^\"]*)\")?\\s*,\\s*\"(?<num>[^\"]*)\"\\s*,\\s*"
     "(?<type>\\d{1,3})\\s*(?:,.*)?",
     0, NULL},
    /* 1 PARSE_CNUM_LOOSE. Unquoted or unbalanced: "+CNUM: something,\"1234567890\",161",
	 * "+CNUM: \"\",+79139131234\",145", "+CNUM: ,,145" (Huawei dongles, chan_dongle). */
    {"\\+CNUM:\\s*\"?(?<alpha>[^\",]*)\"?\\s*,\\s*\"?(?<num>[^\",]*)\"?\\s*,\\s*"
     "(?<type>\\d{1,3})\\s*(?:,.*)?",
     0, NULL},
};
PARSE_TABLE(cnum)

static void cnum_clear(void *p)
{
	struct at_cnum *o = p;
	o->alpha[0] = o->number[0] = '\0';
	o->type = o->pattern = PARSE_NONE;
}

static int cnum_fill(const struct parse_match *m, void *p)
{
	struct at_cnum *o = p;
	if (pm_str(m, "alpha", o->alpha, sizeof(o->alpha)) < 0 ||
	    pm_str(m, "num", o->number, sizeof(o->number)) < 0 ||
	    pm_int(m, "type", 255, &o->type) < 0)
		return SMSCTL_ERR_PROTOCOL;
	/* A number: '+', digits, '*', '#', pause/wait letters, or UCS2/HEX digits. */
	for (const char *c = o->number; *c; c++)
		if (!strchr("+0123456789*#ABCDEFabcdefpPwW", *c))
			return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_cnum(const char *line, struct at_cnum *out)
{
	return parse_run(&cnum, line, out, out ? &out->pattern : NULL, cnum_fill, cnum_clear);
}

/* ---- +CFUN ---- */

static struct parse_re cfun_re[] = {
    /* "+CFUN: <fun>[,<rst>]" TS 27.007 8.2; vendor values (19 on some Sierra/Option
	 * modems, ModemManager test) kept as printed. */
    {"\\+CFUN:\\s*(?<fun>\\d{1,3})\\s*(?:,\\s*\\d{1,3}\\s*)?", 0, NULL},
};
PARSE_TABLE(cfun)

static void cfun_clear(void *p)
{
	struct at_cfun *o = p;
	o->fun = o->pattern = PARSE_NONE;
}

static int cfun_fill(const struct parse_match *m, void *p)
{
	struct at_cfun *o = p;
	return pm_int(m, "fun", 255, &o->fun);
}

int parse_cfun(const char *line, struct at_cfun *out)
{
	return parse_run(&cfun, line, out, out ? &out->pattern : NULL, cfun_fill, cfun_clear);
}
