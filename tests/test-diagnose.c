/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The diagnosis rules on handpicked answers: recorded replies in, findings out, no modem.
 * Replies marked with a corpus id are copied from /work/shared/corpus/at (sources: see
 * tests/data/README.diagnose); the others are written for the rule under test. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <smsctl/smsctl.h>

#include "diagnose/internal.h"

/* One recorded reply: the lines (joined with '\n') and the final line. A final of "" means
 * the lines came but no final result (Wavecom +CPIN?), "-" that the query was not asked. */
struct rq {
	enum diag_q q;
	const char *lines;
	const char *final;
};

#define MAXR 8

struct rcase {
	const char *name;
	struct rq r[MAXR];
	const char *first;    /* the first warning/error, NULL: none */
	const char *has[4];   /* must be present */
	const char *hasnt[4]; /* must be absent */
	enum smsctl_severity worst;
};

/* A healthy modem (Quectel-like answers, lines from the corpus where one fits). */
static const struct rq healthy[] = {
    {Q_INIT, "", "OK"},
    {Q_CGMI, "Quectel", "OK"},
    {Q_CFUN, "+CFUN: 1", "OK"},
    {Q_CSQ, "+CSQ: 23,0", "OK"},    /* web-sim7600-csq-2 */
    {Q_CREG, "+CREG: 0,1", "OK"},   /* web-sim7600-creg */
    {Q_CPIN, "+CPIN: READY", "OK"}, /* man-telit-cpin-ready */
    {Q_COPS, "+COPS: 0,0,\"CHINA MOBILE\",7", "OK"},
    {Q_CGREG, "+CGREG: 0,1", "OK"},
    {Q_CEREG, "+CEREG: 0,1", "OK"},
    {Q_CESQ, "+CESQ: 99,99,255,255,20,80", "OK"}, /* mm-cesq-1 */
    {Q_CSMS, "+CSMS: 0,1,1,1", "OK"},
    {Q_CPMS, "+CPMS: \"SM\",3,50,\"SM\",3,50,\"SM\",3,50", "OK"},
    {Q_CPMS_T, "+CPMS: (\"SM\",\"ME\"),(\"SM\",\"ME\"),(\"SM\",\"ME\")",
     "OK"}, /* gammu-at-cpms-brovi-e3372-325 */
    {Q_CNMI, "+CNMI: 2,1,0,0,0", "OK"},
    {Q_CSCA, "+CSCA: \"+8613800100500\",145", "OK"},
    {Q_ICCID, "+QCCID: 89860117851014783481", "OK"},
};

static void set_reply(struct diag_input *in, const struct rq *rq)
{
	struct diag_reply *r = &in->q[rq->q];

	memset(r, 0, sizeof(*r));
	r->code = -1;
	if (strcmp(rq->final, "-") == 0)
		return;
	r->asked = true;
	snprintf(r->command, sizeof(r->command), "AT%s", "+X");
	const char *p = rq->lines;
	while (p && *p && r->n_lines < DIAG_MAX_LINES) {
		size_t n = strcspn(p, "\n");
		snprintf(r->lines[r->n_lines++], DIAG_LINE_MAX, "%.*s", (int)n, p);
		p += n;
		if (*p)
			p++;
	}
	snprintf(r->final, sizeof(r->final), "%s", rq->final);
	if (strcmp(rq->final, "OK") == 0 || rq->final[0] == '\0')
		r->result = SMSCTL_RESULT_OK;
	else if (strncmp(rq->final, "+CME ERROR: ", 12) == 0)
		r->result = SMSCTL_RESULT_CME_ERROR;
	else if (strncmp(rq->final, "+CMS ERROR: ", 12) == 0)
		r->result = SMSCTL_RESULT_CMS_ERROR;
	else if (strcmp(rq->final, "COMMAND NOT SUPPORT") == 0)
		r->result = SMSCTL_RESULT_NOT_SUPPORTED;
	else
		r->result = SMSCTL_RESULT_ERROR;
	if (r->result == SMSCTL_RESULT_CME_ERROR || r->result == SMSCTL_RESULT_CMS_ERROR) {
		char *end;
		long c = strtol(rq->final + 12, &end, 10);
		if (end != rq->final + 12 && *end == '\0')
			r->code = (int)c;
	}
}

static void healthy_input(struct diag_input *in)
{
	diag_input_init(in);
	snprintf(in->device, sizeof(in->device), "sim:test");
	in->opened = true;
	in->answered = true;
	for (size_t i = 0; i < sizeof(healthy) / sizeof(healthy[0]); i++)
		set_reply(in, &healthy[i]);
}

static const struct rcase cases[] = {
    {"healthy",
     {{0}},
     NULL,
     {"port.ok", "modem.ok", "sim.ok", "signal.ok"},
     {"sim.absent", "signal.none", "net.ps_only"},
     SMSCTL_SEVERITY_OK},
    {"healthy, the rest",
     {{0}},
     NULL,
     {"net.ok", "sms.smsc_ok", "sms.storage_ok", "sms.indications_ok"},
     {"sms.storage_full", "sms.indications_off", "net.roaming"},
     SMSCTL_SEVERITY_OK},
    /* SIM */
    {"CME 10: absent (man-telit)",
     {{Q_CPIN, "", "+CME ERROR: 10"}},
     "sim.absent",
     {"modem.ok"},
     {"net.ok", "sms.smsc_ok", "sms.storage_ok"},
     SMSCTL_SEVERITY_ERROR},
    {"CMS 310: absent",
     {{Q_CPIN, "", "+CMS ERROR: 310"}},
     "sim.absent",
     {0},
     {"sim.ok"},
     SMSCTL_SEVERITY_ERROR},
    {"verbose: SIM not inserted",
     {{Q_CPIN, "", "+CME ERROR: SIM not inserted"}},
     "sim.absent",
     {0},
     {"sim.ok"},
     SMSCTL_SEVERITY_ERROR},
    {"SIMCom NOT INSERTED (man-sim800)",
     {{Q_CPIN, "+CPIN: NOT INSERTED", "OK"}},
     "sim.absent",
     {0},
     {0},
     SMSCTL_SEVERITY_ERROR},
    {"SIM PIN (mm-cpin-2)",
     {{Q_CPIN, "+CPIN: SIM PIN", "OK"}},
     "sim.pin_required",
     {0},
     {"sms.storage_ok"},
     SMSCTL_SEVERITY_ERROR},
    {"quoted SIM PIN (mm-cpin-6)",
     {{Q_CPIN, "+CPIN: \"SIM PIN\"", "OK"}},
     "sim.pin_required",
     {0},
     {0},
     SMSCTL_SEVERITY_ERROR},
    {"SIM PUK",
     {{Q_CPIN, "+CPIN: SIM PUK", "OK"}},
     "sim.puk_required",
     {0},
     {0},
     SMSCTL_SEVERITY_ERROR},
    {"SIM PUK2 is not a problem for SMS (mm-cpin-3)",
     {{Q_CPIN, "+CPIN: SIM PUK2", "OK"}},
     NULL,
     {"sim.ok"},
     {"sim.puk_required"},
     SMSCTL_SEVERITY_OK},
    {"PH-NET PIN (mm-cpin-7)",
     {{Q_CPIN, "+CPIN: PH-NET PIN", "OK"}},
     "sim.pin_required",
     {0},
     {0},
     SMSCTL_SEVERITY_ERROR},
    {"CME 13: failure",
     {{Q_CPIN, "", "+CME ERROR: 13"}},
     "sim.failure",
     {0},
     {0},
     SMSCTL_SEVERITY_ERROR},
    {"CME 14: busy",
     {{Q_CPIN, "", "+CME ERROR: 14"}},
     "sim.busy",
     {0},
     {"sim.failure"},
     SMSCTL_SEVERITY_WARNING},
    {"NOT READY: busy (man-sim800)",
     {{Q_CPIN, "+CPIN: NOT READY", "OK"}},
     "sim.busy",
     {0},
     {0},
     SMSCTL_SEVERITY_WARNING},
    {"CME 262: blocked",
     {{Q_CPIN, "", "+CME ERROR: 262"}},
     "sim.blocked",
     {0},
     {0},
     SMSCTL_SEVERITY_ERROR},
    {"Wavecom READY without OK",
     {{Q_CPIN, "+CPIN: READY", ""}},
     NULL,
     {"sim.ok"},
     {0},
     SMSCTL_SEVERITY_OK},
    {"unquoted READY without space",
     {{Q_CPIN, "+CPIN:READY", "OK"}},
     NULL,
     {"sim.ok"},
     {0},
     SMSCTL_SEVERITY_OK},
    /* radio */
    {"CFUN 0",
     {{Q_CFUN, "+CFUN: 0", "OK"}},
     "modem.radio_off",
     {"sim.ok"},
     {"signal.ok", "net.ok"},
     SMSCTL_SEVERITY_ERROR},
    {"CFUN 4: airplane",
     {{Q_CFUN, "+CFUN: 4", "OK"}},
     "modem.radio_off",
     {0},
     {"net.ok"},
     SMSCTL_SEVERITY_ERROR},
    {"CFUN 19 vendor value",
     {{Q_CFUN, "+CFUN: 19", "OK"}},
     "modem.radio_off",
     {0},
     {0},
     SMSCTL_SEVERITY_ERROR},
    {"CFUN unsupported",
     {{Q_CFUN, "", "ERROR"}},
     NULL,
     {"signal.ok"},
     {"modem.radio_off"},
     SMSCTL_SEVERITY_OK},
    /* signal */
    {"CSQ 99 while registered: unknown, not none (gsmmodem-csq-3)",
     {{Q_CSQ, "+CSQ: 99,99", "OK"}, {Q_CESQ, "", "ERROR"}},
     NULL,
     {"signal.ok"},
     {"signal.none", "signal.weak"},
     SMSCTL_SEVERITY_OK},
    {"CSQ 3 (man-bg96): weak",
     {{Q_CSQ, "+CSQ: 3,99", "OK"}, {Q_CESQ, "", "ERROR"}},
     "signal.weak",
     {"net.ok"},
     {0},
     SMSCTL_SEVERITY_WARNING},
    {"CSQ 4,0 (gsmmodem-csq-2): weak",
     {{Q_CSQ, "+CSQ:4,0", "OK"}, {Q_CESQ, "", "ERROR"}},
     "signal.weak",
     {0},
     {0},
     SMSCTL_SEVERITY_WARNING},
    {"CSQ 31 (web-sim7600-csq-1)",
     {{Q_CSQ, "+CSQ: 31,99", "OK"}},
     NULL,
     {"signal.ok"},
     {"signal.weak"},
     SMSCTL_SEVERITY_OK},
    {"CSQ 0 not registered: none",
     {{Q_CSQ, "+CSQ: 0,99", "OK"},
      {Q_CESQ, "", "ERROR"},
      {Q_CREG, "+CREG: 0,2", "OK"},
      {Q_CEREG, "+CEREG: 0,2", "OK"},
      {Q_CGREG, "+CGREG: 0,2", "OK"}},
     "signal.none",
     {0},
     {"net.searching"},
     SMSCTL_SEVERITY_ERROR},
    {"LTE RSRP -131 dBm: weak",
     {{Q_CESQ, "+CESQ: 99,99,255,255,10,10", "OK"}},
     "signal.weak",
     {0},
     {"signal.none"},
     SMSCTL_SEVERITY_WARNING},
    {"CSQ weak but RSRP good: LTE decides (mm-cesq-1)",
     {{Q_CSQ, "+CSQ: 4,99", "OK"}},
     NULL,
     {"signal.ok"},
     {"signal.weak"},
     SMSCTL_SEVERITY_OK},
    /* registration */
    {"CREG denied (mm-creg1-solicited)",
     {{Q_CREG, "+CREG: 1,3", "OK"}, {Q_CEREG, "+CEREG: 0,3", "OK"}, {Q_CGREG, "+CGREG: 0,3", "OK"}},
     "net.denied",
     {"signal.ok"},
     {"net.ok"},
     SMSCTL_SEVERITY_ERROR},
    {"searching",
     {{Q_CREG, "+CREG: 0,2", "OK"}, {Q_CEREG, "+CEREG: 0,2", "OK"}, {Q_CGREG, "+CGREG: 0,2", "OK"}},
     "net.searching",
     {0},
     {"net.ok"},
     SMSCTL_SEVERITY_ERROR},
    {"not registered (gammu-at-creg-none)",
     {{Q_CREG, "+CREG: 0,0", "OK"}, {Q_CEREG, "+CEREG: 0,0", "OK"}, {Q_CGREG, "+CGREG: 0,0", "OK"}},
     "net.not_registered",
     {0},
     {"net.ok"},
     SMSCTL_SEVERITY_ERROR},
    {"roaming (gammu-at-creg-sierra312u)",
     {{Q_CREG, "+CREG: 2,5,\"2AF5\",\"0B88E350\",2", "OK"}},
     NULL,
     {"net.ok", "net.roaming"},
     {0},
     SMSCTL_SEVERITY_INFO},
    {"LTE only: PS registered, CS not",
     {{Q_CREG, "+CREG: 0,0", "OK"}, {Q_CEREG, "+CEREG: 0,1", "OK"}},
     "net.ps_only",
     {0},
     {"net.not_registered"},
     SMSCTL_SEVERITY_WARNING},
    {"location form (mm-creg2-tm506-solicited)",
     {{Q_CREG, "+CREG: 2,1,\"8BE3\",\"00002BAF\"", "OK"}},
     NULL,
     {"net.ok"},
     {"net.not_registered"},
     SMSCTL_SEVERITY_OK},
    /* SMS service and centre */
    {"CSMS: no MO",
     {{Q_CSMS, "+CSMS: 0,1,0,1", "OK"}},
     "sms.service_unavailable",
     {0},
     {"sms.service_ok"},
     SMSCTL_SEVERITY_ERROR},
    {"SMSC empty (gammu-at-smsc-failing-04)",
     {{Q_CSCA, "+CSCA: \"\",129", "OK"}},
     "sms.smsc_missing",
     {0},
     {"sms.smsc_ok"},
     SMSCTL_SEVERITY_ERROR},
    {"SMSC CMS 330",
     {{Q_CSCA, "", "+CMS ERROR: 330"}},
     "sms.smsc_missing",
     {0},
     {0},
     SMSCTL_SEVERITY_ERROR},
    {"SMSC in UCS-2 (gammu-at-smsc-05)",
     {{Q_CSCA, "+CSCA: \"002B003400340037003800300032003000390032003000330035\",145", "OK"}},
     NULL,
     {"sms.smsc_ok"},
     {"sms.smsc_invalid"},
     SMSCTL_SEVERITY_OK},
    {"SMSC unquoted UCS-2 (gammu-at-parser-csca-motorola)",
     {{Q_CSCA, "+CSCA: 002B003300380030003600330039003000310030003000300030,145", "OK"}},
     NULL,
     {"sms.smsc_ok"},
     {0},
     SMSCTL_SEVERITY_OK},
    {"SMSC zeros: invalid",
     {{Q_CSCA, "+CSCA: \"0000\",129", "OK"}},
     "sms.smsc_invalid",
     {0},
     {0},
     SMSCTL_SEVERITY_ERROR},
    {"SMSC unreadable: vendor code of an unknown vendor",
     {{Q_CGMI, "ACME Modems", "OK"}, {Q_CSCA, "", "+CMS ERROR: 515"}},
     NULL,
     {"sms.smsc_unknown"},
     {"sms.smsc_missing"},
     SMSCTL_SEVERITY_INFO},
    /* storage */
    {"SIM storage full",
     {{Q_CPMS, "+CPMS: \"SM\",30,30,\"SM\",30,30,\"SM\",30,30", "OK"}},
     "sms.storage_full",
     {0},
     {"sms.storage_ok"},
     SMSCTL_SEVERITY_ERROR},
    {"SIM storage full (mm-cpms-query-2)",
     {{Q_CPMS, "+CPMS: \"SM\",100,100,\"SR\",5,10,\"TA\",1,100", "OK"}},
     "sms.storage_full",
     {"sms.storage_mismatch"},
     {0},
     SMSCTL_SEVERITY_ERROR},
    {"nearly full",
     {{Q_CPMS, "+CPMS: \"SM\",45,50,\"SM\",45,50,\"SM\",45,50", "OK"}},
     "sms.storage_nearly_full",
     {0},
     {"sms.storage_full"},
     SMSCTL_SEVERITY_WARNING},
    {"mismatch (mm-cpms-query-1)",
     {{Q_CPMS, "+CPMS: \"ME\",1,100,\"MT\",5,100,\"TA\",1,100", "OK"}},
     "sms.storage_mismatch",
     {0},
     {"sms.storage_full"},
     SMSCTL_SEVERITY_WARNING},
    {"MT everywhere (mm-cpms-query-5)",
     {{Q_CPMS, "+CPMS: \"MT\", 0, 100, \"MT\", 0, 100, \"MT\", 0, 100", "OK"}},
     NULL,
     {"sms.storage_ok"},
     {"sms.storage_mismatch"},
     SMSCTL_SEVERITY_OK},
    {"Huawei ME of size 0 is not full",
     {{Q_CPMS, "+CPMS: \"ME\",0,0,\"ME\",0,0,\"SM\",2,20", "OK"}},
     "sms.storage_mismatch",
     {0},
     {"sms.storage_full", "sms.storage_nearly_full"},
     SMSCTL_SEVERITY_WARNING},
    /* indications */
    {"CNMI mt=0",
     {{Q_CNMI, "+CNMI: 0,0,0,0,0", "OK"}},
     NULL,
     {"sms.indications_off"},
     {"sms.indications_ok"},
     SMSCTL_SEVERITY_INFO},
    {"CNMI mode 0",
     {{Q_CNMI, "+CNMI: 0,1,0,0,0", "OK"}},
     NULL,
     {"sms.indications_off"},
     {0},
     SMSCTL_SEVERITY_INFO},
    /* independent problems: all reported, the lower layer first */
    {"weak signal and storage full",
     {{Q_CSQ, "+CSQ: 3,99", "OK"},
      {Q_CESQ, "", "ERROR"},
      {Q_CPMS, "+CPMS: \"SM\",30,30,\"SM\",30,30,\"SM\",30,30", "OK"}},
     "signal.weak",
     {"sms.storage_full"},
     {0},
     SMSCTL_SEVERITY_ERROR},
    {"denied and SMSC missing",
     {{Q_CREG, "+CREG: 0,3", "OK"},
      {Q_CEREG, "+CEREG: 0,3", "OK"},
      {Q_CGREG, "+CGREG: 0,3", "OK"},
      {Q_CSCA, "+CSCA: \"\",129", "OK"}},
     "net.denied",
     {"sms.smsc_missing"},
     {0},
     SMSCTL_SEVERITY_ERROR},
    /* checks that got no usable answer (a bare OK): reported unknown, never dropped */
    {"CPIN bare OK",
     {{Q_CPIN, "", "OK"}},
     "sim.unknown",
     {"sms.smsc_ok", "sms.storage_ok"},
     {"sim.ok"},
     SMSCTL_SEVERITY_WARNING},
    {"CFUN bare OK",
     {{Q_CFUN, "", "OK"}},
     "modem.unknown",
     {"sim.ok"},
     {"modem.radio_off"},
     SMSCTL_SEVERITY_WARNING},
    {"CSQ bare OK, CESQ error",
     {{Q_CSQ, "", "OK"}, {Q_CESQ, "", "ERROR"}},
     "signal.unknown",
     {"net.ok"},
     {"signal.ok", "signal.none"},
     SMSCTL_SEVERITY_WARNING},
    {"registration bare OK",
     {{Q_CREG, "", "OK"}, {Q_CGREG, "", "OK"}, {Q_CEREG, "", "OK"}},
     "net.unknown",
     {"sms.smsc_ok"},
     {"net.ok"},
     SMSCTL_SEVERITY_WARNING},
    {"CSCA bare OK",
     {{Q_CSCA, "", "OK"}},
     "sms.unknown",
     {"sms.storage_ok"},
     {"sms.smsc_ok", "sms.smsc_unknown"},
     SMSCTL_SEVERITY_WARNING},
    {"CPMS bare OK",
     {{Q_CPMS, "", "OK"}},
     "sms.unknown",
     {"sms.smsc_ok"},
     {"sms.storage_ok"},
     SMSCTL_SEVERITY_WARNING},
    {"CSMS and CNMI bare OK",
     {{Q_CSMS, "", "OK"}, {Q_CNMI, "", "OK"}},
     "sms.unknown",
     {"sms.smsc_ok"},
     {"sms.service_ok", "sms.indications_ok"},
     SMSCTL_SEVERITY_WARNING},
    {"radio off hides the registration",
     {{Q_CFUN, "+CFUN: 0", "OK"}, {Q_CREG, "+CREG: 0,0", "OK"}},
     "modem.radio_off",
     {0},
     {"net.not_registered", "signal.none"},
     SMSCTL_SEVERITY_ERROR},
};

START_TEST(test_rules)
{
	const struct rcase *c = &cases[_i];
	struct diag_input *in = malloc(sizeof(*in));
	struct smsctl_diagnosis *d = NULL;

	ck_assert_ptr_nonnull(in);
	healthy_input(in);
	for (size_t i = 0; i < MAXR && c->r[i].final; i++)
		set_reply(in, &c->r[i]);
	ck_assert_int_eq(diag_run_rules(in, &d), 0);

	const struct smsctl_finding *first = NULL;
	for (size_t i = 0; i < smsctl_diagnosis_get_count(d); i++) {
		const struct smsctl_finding *f = smsctl_diagnosis_get_finding(d, i);
		if (smsctl_finding_get_severity(f) >= SMSCTL_SEVERITY_WARNING) {
			first = f;
			break;
		}
	}
	if (c->first) {
		ck_assert_msg(first != NULL, "%s: no problem found", c->name);
		ck_assert_msg(strcmp(smsctl_finding_get_id(first), c->first) == 0,
			      "%s: first problem %s, expected %s", c->name,
			      smsctl_finding_get_id(first), c->first);
		ck_assert_msg(smsctl_finding_get_evidence_count(first) > 0 &&
				  smsctl_finding_get_remedy(first)[0],
			      "%s: evidence and remedy", c->name);
	} else {
		ck_assert_msg(first == NULL, "%s: unexpected %s", c->name,
			      first ? smsctl_finding_get_id(first) : "");
	}
	for (size_t i = 0; i < 4 && c->has[i]; i++)
		ck_assert_msg(smsctl_diagnosis_find(d, c->has[i]) != NULL, "%s: %s missing",
			      c->name, c->has[i]);
	for (size_t i = 0; i < 4 && c->hasnt[i]; i++)
		ck_assert_msg(smsctl_diagnosis_find(d, c->hasnt[i]) == NULL, "%s: %s present",
			      c->name, c->hasnt[i]);
	ck_assert_msg(smsctl_diagnosis_get_worst(d) == c->worst, "%s: worst %s", c->name,
		      smsctl_severity_name(smsctl_diagnosis_get_worst(d)));
	smsctl_diagnosis_free(d);
	free(in);
}
END_TEST

/* ---- port layer ---- */

START_TEST(test_port_permission)
{
	struct diag_input in;
	struct smsctl_diagnosis *d = NULL;

	diag_input_init(&in);
	snprintf(in.device, sizeof(in.device), "/dev/ttyUSB2");
	in.port.open_err = SMSCTL_ERR_PERMISSION;
	snprintf(in.port.group, sizeof(in.port.group), "dialout");
	in.port.mode = 0660;
	ck_assert_int_eq(diag_run_rules(&in, &d), 0);
	ck_assert_uint_eq(smsctl_diagnosis_get_count(d), 1);
	const struct smsctl_finding *f = smsctl_diagnosis_get_finding(d, 0);
	ck_assert_str_eq(smsctl_finding_get_id(f), "port.permission");
	ck_assert_ptr_nonnull(strstr(smsctl_finding_get_remedy(f), "usermod -aG dialout"));
	ck_assert_int_eq(smsctl_diagnosis_get_worst(d), SMSCTL_SEVERITY_ERROR);
	smsctl_diagnosis_free(d);
}
END_TEST

START_TEST(test_port_busy_modemmanager)
{
	struct diag_input in;
	struct smsctl_diagnosis *d = NULL;

	diag_input_init(&in);
	snprintf(in.device, sizeof(in.device), "/dev/ttyUSB2");
	in.port.open_err = SMSCTL_ERR_BUSY;
	in.port.holder_pid = 812;
	snprintf(in.port.holder, sizeof(in.port.holder), "ModemManager");
	snprintf(in.port.usb_vid, sizeof(in.port.usb_vid), "2c7c");
	snprintf(in.port.usb_pid, sizeof(in.port.usb_pid), "0125");
	ck_assert_int_eq(diag_run_rules(&in, &d), 0);
	const struct smsctl_finding *f = smsctl_diagnosis_get_finding(d, 0);
	ck_assert_str_eq(smsctl_finding_get_id(f), "port.busy");
	ck_assert_ptr_nonnull(strstr(smsctl_finding_get_summary(f), "812"));
	ck_assert_ptr_nonnull(strstr(smsctl_finding_get_summary(f), "ModemManager"));
	ck_assert_ptr_nonnull(strstr(smsctl_finding_get_remedy(f), "ID_MM_DEVICE_IGNORE"));
	ck_assert_ptr_nonnull(strstr(smsctl_finding_get_remedy(f), "\"2c7c\""));
	ck_assert_ptr_nonnull(strstr(smsctl_finding_get_remedy(f), "systemctl"));
	smsctl_diagnosis_free(d);
}
END_TEST

START_TEST(test_port_not_found)
{
	struct diag_input in;
	struct smsctl_diagnosis *d = NULL;

	diag_input_init(&in);
	snprintf(in.device, sizeof(in.device), "/dev/ttyUSB9");
	in.port.open_err = SMSCTL_ERR_NOT_FOUND;
	ck_assert_int_eq(diag_run_rules(&in, &d), 0);
	ck_assert_str_eq(smsctl_finding_get_id(smsctl_diagnosis_get_finding(d, 0)),
			 "port.not_found");
	smsctl_diagnosis_free(d);
}
END_TEST

START_TEST(test_port_no_answer_noise)
{
	struct diag_input in;
	struct smsctl_diagnosis *d = NULL;
	static const char garbage[] = "\xf8\x80\x00\xfe\x1b\xff\x80\x80\r\nOK\r\n";

	diag_input_init(&in);
	snprintf(in.device, sizeof(in.device), "/dev/ttyUSB0");
	in.opened = true;
	in.q[Q_INIT].asked = true;
	in.q[Q_INIT].result = SMSCTL_RESULT_TIMEOUT;
	snprintf(in.q[Q_INIT].command, sizeof(in.q[Q_INIT].command), "ATE0V1+CMEE=1");
	diag_port_account(&in.port, garbage, sizeof(garbage) - 1);
	snprintf(in.port.answering[0], 64, "/dev/ttyUSB2");
	in.port.n_answering = 1;
	ck_assert_int_eq(diag_run_rules(&in, &d), 0);
	ck_assert_uint_eq(smsctl_diagnosis_get_count(d), 3);
	ck_assert_str_eq(smsctl_finding_get_id(smsctl_diagnosis_get_finding(d, 0)), "port.ok");
	ck_assert_str_eq(smsctl_finding_get_id(smsctl_diagnosis_get_finding(d, 1)), "port.noise");
	const struct smsctl_finding *f = smsctl_diagnosis_get_finding(d, 2);
	ck_assert_str_eq(smsctl_finding_get_id(f), "port.no_answer");
	ck_assert_ptr_nonnull(strstr(smsctl_finding_get_detail(f), "/dev/ttyUSB2"));
	ck_assert_ptr_nonnull(strstr(smsctl_finding_get_remedy(f), "--device /dev/ttyUSB2"));
	smsctl_diagnosis_free(d);
}
END_TEST

START_TEST(test_port_account)
{
	struct diag_port p;

	memset(&p, 0, sizeof(p));
	diag_port_account(&p, "+CSQ: 23,0\r\nOK\r\n", 16);
	ck_assert_uint_eq(p.rx_bytes, 16);
	ck_assert_uint_eq(p.bad_bytes, 0);
	diag_port_account(&p, "\x00\xff", 2);
	ck_assert_uint_eq(p.bad_bytes, 2);
	ck_assert_str_eq(p.noise_sample, "\\x00\\xff");
}
END_TEST

/* A fake sysfs: one USB modem with three ttys and an unrelated UART. */
static void mk(const char *path)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_usb_siblings)
{
	char root[] = "/tmp/smsctl-sysfs-XXXXXX";
	char p[4096], q[8192];
	char names[8][64];
	char vid[8], pid[8];

	ck_assert_ptr_nonnull(mkdtemp(root));
	const char *usb = "sys/devices/pci0000:00/usb1/1-1";
	const char *ttys[] = {"ttyUSB0", "ttyUSB1", "ttyUSB2"};
	snprintf(p, sizeof(p), "%s/%s", root, usb);
	mk(p);
	snprintf(q, sizeof(q), "%s/idVendor", p);
	put(q, "12d1\n");
	snprintf(q, sizeof(q), "%s/idProduct", p);
	put(q, "1506\n");
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s/1-1:1.%d/%s", root, usb, i, ttys[i]);
		mk(p);
		snprintf(q, sizeof(q), "%s/sys/class/tty/%s", root, ttys[i]);
		mk(q);
		strcat(q, "/device");
		ck_assert_int_eq(symlink(p, q), 0);
	}
	snprintf(p, sizeof(p), "%s/sys/devices/platform/serial8250/tty/ttyS0", root);
	mk(p);
	snprintf(q, sizeof(q), "%s/sys/class/tty/ttyS0", root);
	mk(q);
	strcat(q, "/device");
	ck_assert_int_eq(symlink(p, q), 0);

	size_t n = diag_usb_siblings(root, "ttyUSB2", names, 8, vid, pid);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(names[0], "ttyUSB0");
	ck_assert_str_eq(names[1], "ttyUSB1");
	ck_assert_str_eq(vid, "12d1");
	ck_assert_str_eq(pid, "1506");
	/* not USB: no siblings; no such tty; a path is refused */
	ck_assert_uint_eq(diag_usb_siblings(root, "ttyS0", names, 8, vid, pid), 0);
	ck_assert_str_eq(vid, "");
	ck_assert_uint_eq(diag_usb_siblings(root, "ttyUSB7", names, 8, vid, pid), 0);
	ck_assert_uint_eq(diag_usb_siblings(root, "../ttyUSB0", names, 8, vid, pid), 0);

	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_vendor)
{
	ck_assert_int_eq(diag_vendor_from("Quectel"), DIAG_V_QUECTEL);
	ck_assert_int_eq(diag_vendor_from("+CGMI: huawei"), DIAG_V_HUAWEI);
	ck_assert_int_eq(diag_vendor_from("SIMCOM_Ltd"), DIAG_V_SIMCOM);
	ck_assert_int_eq(diag_vendor_from("WAVECOM MODEM"), DIAG_V_WAVECOM);
	ck_assert_int_eq(diag_vendor_from("Cinterion"), DIAG_V_CINTERION);
	ck_assert_int_eq(diag_vendor_from("ACME"), DIAG_V_UNKNOWN);
	ck_assert_int_eq(diag_vendor_from(""), DIAG_V_UNKNOWN);
	ck_assert_str_eq(diag_iccid_command(DIAG_V_HUAWEI), "AT^ICCID?");
	ck_assert_str_eq(diag_iccid_command(DIAG_V_QUECTEL), "AT+QCCID");
	ck_assert_str_eq(diag_iccid_command(DIAG_V_CINTERION), "AT^SCID");
	ck_assert_str_eq(diag_iccid_command(DIAG_V_SIMCOM), "AT+CCID");
	ck_assert_str_eq(smsctl_severity_name(SMSCTL_SEVERITY_WARNING), "warning");
	ck_assert_str_eq(smsctl_severity_name((enum smsctl_severity)0), "unknown");
}
END_TEST

START_TEST(test_api_nulls)
{
	struct smsctl_diagnosis *d = (void *)1;
	struct smsctl_diagnose_options *o = smsctl_diagnose_options_new();

	ck_assert_int_eq(smsctl_diagnose_device(NULL, NULL, &d), SMSCTL_ERR_INVALID);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(smsctl_modem_diagnose(NULL, NULL, &d), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_diagnose_options_set_pin(o, "12"), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_diagnose_options_set_pin(o, "12a4"), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_diagnose_options_set_pin(o, "1234"), 0);
	ck_assert_int_eq(smsctl_diagnose_options_set_timeout(o, 0), SMSCTL_ERR_INVALID);
	ck_assert_uint_eq(smsctl_diagnosis_get_count(NULL), 0);
	ck_assert_ptr_null(smsctl_diagnosis_get_finding(NULL, 0));
	ck_assert_int_eq(smsctl_finding_get_evidence(NULL, 0, NULL, NULL), SMSCTL_ERR_INVALID);
	smsctl_diagnose_options_free(o);
	smsctl_diagnose_options_free(NULL);
	smsctl_diagnosis_free(NULL);
}
END_TEST

/* ---- the walk on the simulated modem (in-process) ---- */

static char *query(struct smsctl_modem *m, const char *cmd)
{
	struct smsctl_response *r = NULL;
	static char buf[512];

	buf[0] = '\0';
	smsctl_modem_command(m, cmd, 0, &r); /* may fail (no SIM): the answer is compared */
	ck_assert_ptr_nonnull(r);
	for (size_t i = 0; i < smsctl_response_get_line_count(r); i++)
		strncat(buf, smsctl_response_get_line(r, i), sizeof(buf) - strlen(buf) - 1);
	strncat(buf, smsctl_response_get_final(r), sizeof(buf) - strlen(buf) - 1);
	smsctl_response_free(r);
	return buf;
}

static const struct {
	const char *device;
	const char *pin;
	const char *first; /* first problem, NULL none */
} walks[] = {
    {"sim:", NULL, NULL},
    {"sim:wavecom", NULL, NULL},
    {"sim:cinterion?fault=storage_full", NULL, "sms.storage_full"},
    {"sim:huawei?fault=smsc_missing", NULL, "sms.smsc_missing"},
    {"sim:quectel?fault=sim_pin", NULL, "sim.pin_required"},
    {"sim:simcom?fault=sim_pin", "1234", NULL},
    {"sim:generic?fault=sim_absent,weak_signal", NULL, "sim.absent"},
};

/* A diagnosis of an open handle leaves the storage and the SIM lock as found, and a healthy
 * modem takes at most 10 commands. */
START_TEST(test_walk)
{
	struct smsctl_modem *m = NULL;
	struct smsctl_diagnosis *d = NULL;
	struct smsctl_diagnose_options *o = smsctl_diagnose_options_new();
	char cpms_before[512], cpin_before[512];

	ck_assert_int_eq(smsctl_modem_new(walks[_i].device, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	if (walks[_i].pin)
		ck_assert_int_eq(smsctl_diagnose_options_set_pin(o, walks[_i].pin), 0);
	snprintf(cpms_before, sizeof(cpms_before), "%s", query(m, "AT+CPMS?"));
	struct smsctl_response *r = NULL;
	smsctl_modem_command(m, "AT+CPIN?", 3000, &r);
	snprintf(cpin_before, sizeof(cpin_before), "%s",
		 r && smsctl_response_get_line_count(r) ? smsctl_response_get_line(r, 0) : "");
	smsctl_response_free(r);

	ck_assert_int_eq(smsctl_modem_diagnose(m, o, &d), 0);
	const struct smsctl_finding *first = NULL;
	for (size_t i = 0; i < smsctl_diagnosis_get_count(d) && !first; i++)
		if (smsctl_finding_get_severity(smsctl_diagnosis_get_finding(d, i)) >=
		    SMSCTL_SEVERITY_WARNING)
			first = smsctl_diagnosis_get_finding(d, i);
	if (walks[_i].first) {
		ck_assert_ptr_nonnull(first);
		ck_assert_str_eq(smsctl_finding_get_id(first), walks[_i].first);
	} else {
		ck_assert_msg(!first, "%s: %s", walks[_i].device,
			      first ? smsctl_finding_get_id(first) : "");
		/* entering a PIN and looking again costs a few more */
		ck_assert_uint_le(smsctl_diagnosis_get_command_count(d), walks[_i].pin ? 20 : 10);
	}
	ck_assert_str_eq(smsctl_diagnosis_get_device(d), walks[_i].device);
	/* nothing lasting changed: the memories as found; no PIN entered unless given */
	if (strncmp(cpms_before, "+CPMS:", 6) == 0)
		ck_assert_str_eq(query(m, "AT+CPMS?"), cpms_before);
	if (!walks[_i].pin && strstr(cpin_before, "SIM PIN")) {
		r = NULL;
		smsctl_modem_command(m, "AT+CPIN?", 3000, &r);
		ck_assert_str_eq(smsctl_response_get_line(r, 0), cpin_before);
		smsctl_response_free(r);
	}
	smsctl_diagnosis_free(d);
	smsctl_diagnose_options_free(o);
	smsctl_modem_free(m);
}
END_TEST

/* The root cause: the first finding in layer order among the most severe ones (issue 12,
 * part 2, item 1): an error of a higher layer outranks a warning of a lower one. */
static const struct {
	const char *device;
	const char *root; /* NULL: nothing wrong */
} roots[] = {
    {"sim:?fault=weak_signal,smsc_missing", "sms.smsc_missing"},
    {"sim:?fault=garbage,sim_absent", "sim.absent"},
    {"sim:?fault=weak_signal,denied", "net.denied"},
    {"sim:?fault=weak_signal", "signal.weak"},
    {"sim:?fault=sim_absent,weak_signal", "sim.absent"},
    {"sim:?fault=indications_off", NULL},
    {"sim:", NULL},
    /* item 2: a modem unplugged before it answered is gone, not silent */
    {"sim:?fault=unplug:0", "modem.gone"},
    /* item 3: a modem answering a bare OK to everything: each check reported unknown */
    {"sim:?fault=bare_ok", "modem.unknown"},
};

START_TEST(test_root_cause)
{
	struct smsctl_diagnosis *d = NULL;

	ck_assert_int_eq(smsctl_diagnose_device(roots[_i].device, NULL, &d), 0);
	const struct smsctl_finding *root = smsctl_diagnosis_get_root_cause(d);
	if (!roots[_i].root) {
		ck_assert_msg(root == NULL, "%s: root cause %s", roots[_i].device,
			      smsctl_finding_get_id(root));
	} else {
		ck_assert_msg(root != NULL, "%s: no root cause", roots[_i].device);
		ck_assert_str_eq(smsctl_finding_get_id(root), roots[_i].root);
		ck_assert_int_eq(smsctl_finding_get_severity(root), smsctl_diagnosis_get_worst(d));
	}
	if (roots[_i].root && strcmp(roots[_i].root, "modem.gone") == 0) {
		ck_assert_uint_gt(smsctl_finding_get_evidence_count(root), 0);
		ck_assert_ptr_null(smsctl_diagnosis_find(d, "port.no_answer"));
	}
	if (strcmp(roots[_i].device, "sim:?fault=bare_ok") == 0) {
		static const char *const unknown[] = {"sim.unknown", "signal.unknown",
						      "net.unknown", "sms.unknown"};
		for (size_t k = 0; k < sizeof(unknown) / sizeof(unknown[0]); k++) {
			const struct smsctl_finding *u = smsctl_diagnosis_find(d, unknown[k]);
			const char *cmd = NULL, *resp = NULL;
			ck_assert_msg(u != NULL, "bare_ok: %s missing", unknown[k]);
			ck_assert_int_eq(smsctl_finding_get_severity(u), SMSCTL_SEVERITY_WARNING);
			ck_assert_int_eq(smsctl_finding_get_evidence(u, 0, &cmd, &resp), 0);
			ck_assert_str_eq(resp, "OK"); /* the raw answer */
			ck_assert_ptr_nonnull(strstr(smsctl_finding_get_detail(u), cmd));
		}
		size_t n_sms = 0;
		for (size_t k = 0; k < smsctl_diagnosis_get_count(d); k++)
			n_sms += strcmp(smsctl_finding_get_id(smsctl_diagnosis_get_finding(d, k)),
					"sms.unknown") == 0;
		ck_assert_uint_eq(n_sms, 4); /* service, SMSC, storage, indications */
	}
	/* findings stay in layer order: the root cause is not moved to the front */
	if (roots[_i].root && strcmp(roots[_i].device, "sim:?fault=garbage,sim_absent") == 0)
		ck_assert_str_eq(smsctl_finding_get_id(smsctl_diagnosis_get_finding(d, 1)),
				 "port.noise");
	smsctl_diagnosis_free(d);
	ck_assert_ptr_null(smsctl_diagnosis_get_root_cause(NULL));
}
END_TEST

/* Every profile's diagnosis costs at most 10 AT command lines, as the simulated modem counts
 * them (issue 12, part 2, item 12: Wavecom took 18 plus a resynchronisation), and a healthy
 * modem's diagnosis finds it healthy. The time goal is the benchmark's (bench-diagnose). */
static const char *const budget_profiles[] = {"generic", "wavecom", "cinterion",
					      "simcom",	 "quectel", "huawei"};

START_TEST(test_command_budget)
{
	struct smsctl_modem *m = NULL;
	struct smsctl_diagnosis *d = NULL;
	char dev[64];

	snprintf(dev, sizeof(dev), "sim:%s", budget_profiles[_i]);
	ck_assert_int_eq(smsctl_modem_new(dev, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	struct smsctl_sim *sim = smsctl_modem_get_sim(m);
	ck_assert_ptr_nonnull(sim);
	unsigned long before = smsctl_sim_get_command_count(sim);
	ck_assert_int_eq(smsctl_modem_diagnose(m, NULL, &d), 0);
	unsigned long lines = smsctl_sim_get_command_count(sim) - before;
	ck_assert_msg(lines <= 10, "%s: %lu AT command lines", dev, lines);
	ck_assert_uint_le(smsctl_diagnosis_get_command_count(d), 10);
	ck_assert_msg(smsctl_diagnosis_get_worst(d) <= SMSCTL_SEVERITY_INFO, "%s: %s", dev,
		      smsctl_finding_get_id(smsctl_diagnosis_get_root_cause(d)));
	/* the checks that decide whether SMS work are all made */
	static const char *const made[] = {"sim.ok", "signal.ok", "net.ok", "sms.smsc_ok",
					   "sms.storage_ok"};
	for (size_t k = 0; k < sizeof(made) / sizeof(made[0]); k++)
		ck_assert_msg(smsctl_diagnosis_find(d, made[k]) != NULL, "%s: %s missing", dev,
			      made[k]);
	smsctl_diagnosis_free(d);
	smsctl_modem_free(m);
}
END_TEST

START_TEST(test_device_not_found)
{
	struct smsctl_diagnosis *d = NULL;

	ck_assert_int_eq(smsctl_diagnose_device("/dev/ttyNOSUCH9", NULL, &d), 0);
	ck_assert_int_eq(smsctl_diagnosis_get_worst(d), SMSCTL_SEVERITY_ERROR);
	const struct smsctl_finding *f = smsctl_diagnosis_get_finding(d, 0);
	ck_assert_str_eq(smsctl_finding_get_id(f), "port.not_found");
	ck_assert_uint_eq(smsctl_finding_get_evidence_count(f), 1);
	smsctl_diagnosis_free(d);
	/* a sim: device through the same entry point */
	ck_assert_int_eq(smsctl_diagnose_device("sim:?fault=denied", NULL, &d), 0);
	ck_assert_ptr_nonnull(smsctl_diagnosis_find(d, "net.denied"));
	smsctl_diagnosis_free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("diagnose");
	TCase *tc = tcase_create("rules");
	tcase_add_loop_test(tc, test_rules, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("port");
	tcase_add_test(tc, test_port_permission);
	tcase_add_test(tc, test_port_busy_modemmanager);
	tcase_add_test(tc, test_port_not_found);
	tcase_add_test(tc, test_port_no_answer_noise);
	tcase_add_test(tc, test_port_account);
	tcase_add_test(tc, test_usb_siblings);
	suite_add_tcase(s, tc);
	tc = tcase_create("walk");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_walk, 0, (int)(sizeof(walks) / sizeof(walks[0])));
	tcase_add_test(tc, test_device_not_found);
	tcase_add_loop_test(tc, test_root_cause, 0, (int)(sizeof(roots) / sizeof(roots[0])));
	tcase_add_loop_test(tc, test_command_budget, 0,
			    (int)(sizeof(budget_profiles) / sizeof(budget_profiles[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("api");
	tcase_add_test(tc, test_vendor);
	tcase_add_test(tc, test_api_nulls);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
