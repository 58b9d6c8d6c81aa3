/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vendor system information: Huawei ^SYSINFO, ^SYSINFOEX, ^MODE; Cinterion ^SIND; SIMCom
 * +CPSI. */
#include <string.h>

#include <smsctl/error.h>

#include "parse/internal.h"

static struct parse_re sysinfo_re[] = {
    /* 0 "^SYSINFO:2,4,5,3,1[,<lock>[,<submode>]]" (Huawei E-series AT manual; ModemManager
	 * Huawei plugin tests, with empty and trailing fields "2,4,5,3,1,," and "2,4,5,3,1,,6"). */
    {"\\^SYSINFO:\\s*(?<srv>\\d{1,3}),(?<dom>\\d{1,3}),(?<roam>\\d{1,3}),(?<mode>\\d{1,3}),"
     "(?<sim>\\d{1,3})(?:,(?<lock>\\d{0,3})(?:,(?<sub>\\d{0,3}))?)?\\s*",
     0, NULL},
    /* 1 "^SYSINFOEX:2,4,5,1,,3,\"WCDMA\",41,\"HSPA+\"" (Huawei MU609/ME909 manuals; names
	 * quoted or not, ModemManager tests). */
    {"\\^SYSINFOEX:\\s*(?<srv>\\d{1,3}),(?<dom>\\d{1,3}),(?<roam>\\d{1,3}),(?<sim>\\d{1,3}),"
     "(?<lock>\\d{0,3}),(?<mode>\\d{1,3}),(?<q1>\"?)(?<mname>[^\",]{0,23})\\k<q1>,"
     "(?<sub>\\d{1,4}),(?<q2>\"?)(?<sname>[^\",]{0,23})\\k<q2>\\s*",
     0, NULL},
};
PARSE_TABLE(sysinfo)

static void sysinfo_clear(void *p)
{
	struct at_sysinfo *o = p;
	o->srv_status = o->srv_domain = o->roam_status = o->sys_mode = o->sim_state = PARSE_NONE;
	o->lock_state = o->sys_submode = o->pattern = PARSE_NONE;
	o->sys_mode_name[0] = o->sys_submode_name[0] = '\0';
}

static int sysinfo_fill(const struct parse_match *m, void *p)
{
	struct at_sysinfo *o = p;
	if (pm_int(m, "srv", 255, &o->srv_status) < 0 ||
	    pm_int(m, "dom", 255, &o->srv_domain) < 0 ||
	    pm_int(m, "roam", 255, &o->roam_status) < 0 ||
	    pm_int(m, "mode", 255, &o->sys_mode) < 0 || pm_int(m, "sim", 255, &o->sim_state) < 0 ||
	    pm_int(m, "lock", 255, &o->lock_state) < 0 ||
	    pm_int(m, "sub", 9999, &o->sys_submode) < 0 ||
	    pm_str(m, "mname", o->sys_mode_name, sizeof(o->sys_mode_name)) < 0 ||
	    pm_str(m, "sname", o->sys_submode_name, sizeof(o->sys_submode_name)) < 0)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_sysinfo(const char *line, struct at_sysinfo *out)
{
	return parse_run(&sysinfo, line, out, out ? &out->pattern : NULL, sysinfo_fill,
			 sysinfo_clear);
}

static struct parse_re mode_re[] = {
    /* "^MODE:5[,<submode>]" Huawei URC (ModemManager Huawei plugin comment; "^MODE: 2"). */
    {"\\^MODE:\\s*(?<m>\\d{1,3})\\s*(?:,\\s*(?<s>\\d{1,3})\\s*)?", 0, NULL},
};
PARSE_TABLE(mode)

static void mode_clear(void *p)
{
	struct at_mode *o = p;
	o->mode = o->submode = o->pattern = PARSE_NONE;
}

static int mode_fill(const struct parse_match *m, void *p)
{
	struct at_mode *o = p;
	if (pm_int(m, "m", 255, &o->mode) < 0 || pm_int(m, "s", 255, &o->submode) < 0)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_huawei_mode(const char *line, struct at_mode *out)
{
	return parse_run(&mode, line, out, out ? &out->pattern : NULL, mode_fill, mode_clear);
}

static struct parse_re sind_re[] = {
    /* "^SIND: simstatus,1,5" <indicator>,<mode>[,<value>] (Cinterion AT manual, ^SIND;
	 * ModemManager Cinterion plugin test). */
    {"\\^SIND:\\s*(?<ind>[A-Za-z][A-Za-z0-9_]{0,30})\\s*,\\s*(?<mode>\\d{1,3})\\s*"
     "(?:,\\s*(?<v>\\d{1,5})\\s*)?(?:,.*)?",
     0, NULL},
};
PARSE_TABLE(sind)

static void sind_clear(void *p)
{
	struct at_sind *o = p;
	o->indicator[0] = '\0';
	o->mode = o->value = o->pattern = PARSE_NONE;
}

static int sind_fill(const struct parse_match *m, void *p)
{
	struct at_sind *o = p;
	if (pm_str(m, "ind", o->indicator, sizeof(o->indicator)) < 0 ||
	    pm_int(m, "mode", 255, &o->mode) < 0 || pm_int(m, "v", 65535, &o->value) < 0)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_sind(const char *line, struct at_sind *out)
{
	return parse_run(&sind, line, out, out ? &out->pattern : NULL, sind_fill, sind_clear);
}

#define R_SD(n) "\\s*(?<" n ">-?\\d{1,6})\\s*"
static struct parse_re cpsi_re[] = {
    /* 0 LTE: "+CPSI: LTE,Online,460-00,0x5140,86233862,50,EUTRAN-BAND38,37900,5,5,-70,-848,
	 * -578,17" (SIM7500/SIM7600 AT manual V1.08, AT+CPSI; two published device logs). */
    {"\\+CPSI:\\s*(?<sys>LTE|CAT-M|NB-IOT)\\s*,\\s*(?<op>[A-Za-z ]{1,15})\\s*,\\s*"
     "(?<mcc>\\d{3})-(?<mnc>\\d{2,3})\\s*,\\s*0x(?<tac>[0-9A-Fa-f]{1,6})\\s*,\\s*(?<cell>\\d{1,10})"
     "\\s*,\\s*(?<pci>\\d{1,3})\\s*,\\s*(?<band>[A-Za-z0-9_-]{1,23})\\s*,\\s*(?<earfcn>\\d{1,6})"
     "\\s*,\\s*(?<dl>\\d{1,3})\\s*,\\s*(?<ul>\\d{1,3})\\s*," R_SD("rsrq") "," R_SD("rsrp") "," R_SD(
	 "rssi") "," R_SD("snr"),
     0, NULL},
    /* 1 other systems or no service: "+CPSI: NO SERVICE,Online", "+CPSI: GSM,Online,..."
	 * (SIM7600 manual): system and operation mode only. */
    {"\\+CPSI:\\s*(?<sys>[A-Za-z0-9][A-Za-z0-9 -]{0,14}?)\\s*,\\s*(?<op>[A-Za-z "
     "]{1,15}?)\\s*(?:,.*)?",
     0, NULL},
};
PARSE_TABLE(cpsi)

static void cpsi_clear(void *p)
{
	struct at_cpsi *o = p;
	memset(o, 0, sizeof(*o));
	o->tac = PARSE_NONE;
	o->scell_id = PARSE_NONE;
	o->pcell_id = o->earfcn = o->dlbw = o->ulbw = PARSE_NONE;
	o->rsrq = o->rsrp = o->rssi = o->rssnr = o->pattern = PARSE_NONE;
}

static int sdec(const struct parse_match *m, const char *name, int *out)
{
	const char *p;
	size_t l;
	if (!pm_get(m, name, &p, &l)) {
		*out = PARSE_NONE;
		return 0;
	}
	while (l && *p == ' ') {
		p++;
		l--;
	}
	bool neg = l && *p == '-';
	int rc = parse_dec_span(p + neg, l - neg, 999999, out);
	if (rc == 0 && neg)
		*out = -*out;
	return rc;
}

static int cpsi_fill(const struct parse_match *m, void *p)
{
	struct at_cpsi *o = p;
	int64_t v;
	const char *s;
	size_t l;

	if (pm_str(m, "sys", o->system_mode, sizeof(o->system_mode)) < 0 ||
	    pm_str(m, "op", o->operation_mode, sizeof(o->operation_mode)) < 0 ||
	    pm_str(m, "mcc", o->mcc, sizeof(o->mcc)) < 0 ||
	    pm_str(m, "mnc", o->mnc, sizeof(o->mnc)) < 0 ||
	    pm_str(m, "band", o->band, sizeof(o->band)) < 0 || pm_hex(m, "tac", 0xFFFFFF, &v) < 0)
		return SMSCTL_ERR_PROTOCOL;
	o->tac = (int32_t)v;
	if (pm_get(m, "cell", &s, &l)) {
		int64_t c = 0;
		for (size_t i = 0; i < l; i++)
			c = c * 10 + (s[i] - '0');
		if (c > INT64_C(0xFFFFFFFFF))
			return SMSCTL_ERR_PROTOCOL;
		o->scell_id = c;
	}
	if (pm_int(m, "pci", 503, &o->pcell_id) < 0 ||
	    pm_int(m, "earfcn", 999999, &o->earfcn) < 0 || pm_int(m, "dl", 999, &o->dlbw) < 0 ||
	    pm_int(m, "ul", 999, &o->ulbw) < 0 || sdec(m, "rsrq", &o->rsrq) < 0 ||
	    sdec(m, "rsrp", &o->rsrp) < 0 || sdec(m, "rssi", &o->rssi) < 0 ||
	    sdec(m, "snr", &o->rssnr) < 0)
		return SMSCTL_ERR_PROTOCOL;
	return 0;
}

int parse_cpsi(const char *line, struct at_cpsi *out)
{
	return parse_run(&cpsi, line, out, out ? &out->pattern : NULL, cpsi_fill, cpsi_clear);
}
