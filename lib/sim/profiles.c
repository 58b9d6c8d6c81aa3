/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vendor profiles of the simulated modem.
 *
 * Identity strings, defaults and quirks follow what these modems print. Sources of the facts:
 *  - Wavecom M1306B answers (ATI, +CGMR, +CPMS=?, +CNMI=?, AT+CPIN? without OK): python-gsmmodem
 *    issue #19 (github.com/faucamp/python-gsmmodem/issues/19);
 *  - Cinterion +CPMS=? memories per parameter: ModemManager src/plugins/cinterion tests
 *    (corpus case mm-cpms-test-cinterion); ^SYSSTART and ^SCID: Cinterion EHS6 AT manual;
 *  - SIMCom SIM800 "+CPIN: NOT INSERTED" / "NOT READY", RDY/Call Ready/SMS Ready, bare AT+CCID
 *    digits, SIMCOM_Ltd / SIMCOM_SIM800C: SIM800 Series AT Command Manual and the nadhat issue #1
 *    transcript (github.com/garatronic/nadhat/issues/1);
 *  - Quectel EC25 +QCCID, +QIND: SMS DONE / PB DONE, RDY: Quectel EC2x AT Commands Manual;
 *  - Huawei E173 ATI layout, ^RSSI/^MODE/^BOOT, COMMAND NOT SUPPORT, index 0 storage,
 *    nibble-swapped ^ICCID: ModemManager huawei plugin tests and chan-dongle captures
 *    (corpus files modemmanager.json, chan-dongle.json, python-gsmmodem.json).
 * IMEIs and ICCIDs are made up with valid Luhn check digits; SMSC numbers are the public
 * centres of the operators named. */
#include <string.h>

#include "sim/profile.h"

#define M(x)	 (1u << (x))
#define SM_ME_MT (M(SIM_MEM_SM) | M(SIM_MEM_ME) | M(SIM_MEM_MT))

static const struct sim_profile profiles[] = {
    {
	.name = "generic",
	.manufacturer = "Generic",
	.model = "LTE Modem",
	.revision = "1.0.0",
	.ati = "Generic\nLTE Modem\nRevision: 1.0.0",
	.imei = "351234567890124",
	.iccid = "8910010000012345674",
	.imsi = "001010123456789",
	.own_number = "+15550123456",
	.oper_long = "SIMNET",
	.oper_numeric = "00101",
	.smsc = "+12063130004",
	.lac = "1A2B",
	.ci = "01C3D4E5",
	.act = 7,
	.rssi = 20,
	.iccid_form = SIM_ICCID_CCID,
	.flags = SIM_P_LTE | SIM_P_ICCID_PLUS,
	.echo = true,
	.cmee = 0,
	.cnmi = {2, 1, 0, 0, 0},
	.cap = {30, 100, 10},
	.mem_allowed = {SM_ME_MT | M(SIM_MEM_SR), SM_ME_MT, SM_ME_MT},
	.mem_default = {SIM_MEM_SM, SIM_MEM_SM, SIM_MEM_SM},
	.cpms_test =
	    "+CPMS: (\"SM\",\"ME\",\"MT\",\"SR\"),(\"SM\",\"ME\",\"MT\"),(\"SM\",\"ME\",\"MT\")",
	.cnmi_test = "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)",
	.boot_urcs = {NULL},
	.ready_urcs = {NULL},
	.status_urcs = {"+CIEV: 1,4", "+CIEV: 2,0"},
    },
    {
	.name = "wavecom",
	.manufacturer = "WAVECOM MODEM",
	.model = "MULTIBAND  900E  1800",
	.revision = "430e09gm.3 1207928 020102 14:41",
	.ati = "WAVECOM MODEM\nMULTIBAND  900E  1800",
	.imei = "358472031122335",
	.iccid = "8933010023000123459",
	.imsi = "208011234567890",
	.own_number = NULL,
	.oper_long = "Orange F",
	.oper_numeric = "20801",
	.smsc = "+33689004000",
	.lac = "0F2A",
	.ci = "3C41",
	.act = 0,
	.rssi = 18,
	.iccid_form = SIM_ICCID_CCID_QUOTED,
	.flags = SIM_P_NO_CHAIN | SIM_P_CPIN_NO_OK,
	.echo = true,
	.cmee = 0,
	.cnmi = {0, 1, 0, 0, 0},
	.cap = {25, 0, 10},
	.mem_allowed = {M(SIM_MEM_SM) | M(SIM_MEM_SR), M(SIM_MEM_SM), M(SIM_MEM_SM)},
	.mem_default = {SIM_MEM_SM, SIM_MEM_SM, SIM_MEM_SM},
	.cpms_test = "+CPMS: ((\"SM\",\"BM\",\"SR\"),(\"SM\"))",
	.cnmi_test = "+CNMI: (0-3),(0-3),(0-3),(0-2),(0,1)",
	.boot_urcs = {NULL},
	.ready_urcs = {NULL},
	.status_urcs = {"+WIND: 7", "+WIND: 4"},
    },
    {
	.name = "cinterion",
	.manufacturer = "Cinterion",
	.model = "EHS6",
	.revision = "REVISION 03.001",
	.ati = "Cinterion\nEHS6\nREVISION 03.001",
	.imei = "352999100044111",
	.iccid = "8949000012345678903",
	.imsi = "262011234567890",
	.own_number = "+491701234567",
	.oper_long = "Telekom.de",
	.oper_numeric = "26201",
	.smsc = "+491710760000",
	.lac = "5E25",
	.ci = "0605F0A1",
	.act = 2,
	.rssi = 22,
	.iccid_form = SIM_ICCID_SCID,
	.flags = 0,
	.echo = true,
	.cmee = 0,
	.cnmi = {1, 1, 0, 0, 1},
	.cap = {30, 25, 0},
	.mem_allowed = {M(SIM_MEM_ME) | M(SIM_MEM_MT), SM_ME_MT, M(SIM_MEM_SM) | M(SIM_MEM_MT)},
	.mem_default = {SIM_MEM_MT, SIM_MEM_MT, SIM_MEM_MT},
	.cpms_test = "+CPMS: (\"ME\",\"MT\"),(\"ME\",\"SM\",\"MT\"),(\"SM\",\"MT\")",
	.cnmi_test = "+CNMI: (0,1,2),(0,1),(0,2),(0),(1)",
	.boot_urcs = {"^SYSSTART"},
	.ready_urcs = {NULL},
	.status_urcs = {"+CIEV: signal,3", "+CIEV: service,1"},
    },
    {
	.name = "simcom",
	.manufacturer = "SIMCOM_Ltd",
	.model = "SIMCOM_SIM800C",
	.revision = "Revision:1418B05SIM800C24",
	.ati = "SIM800 R14.18",
	.imei = "862906030021351",
	.iccid = "8986001012345678011",
	.imsi = "460001234567890",
	.own_number = NULL,
	.oper_long = "CHINA MOBILE",
	.oper_numeric = "46000",
	.smsc = "+8613800100500",
	.lac = "2AF5",
	.ci = "0B88",
	.act = 0,
	.rssi = 19,
	.iccid_form = SIM_ICCID_BARE,
	.flags = SIM_P_CPIN_TEXT | SIM_P_CPIN_URC,
	.echo = true,
	.cmee = 0,
	.cnmi = {2, 1, 0, 0, 0},
	.cap = {50, 50, 0},
	.mem_allowed = {SM_ME_MT, SM_ME_MT, SM_ME_MT},
	.mem_default = {SIM_MEM_SM, SIM_MEM_SM, SIM_MEM_SM},
	.cpms_test = "+CPMS: "
		     "(\"SM\",\"ME\",\"SM_P\",\"ME_P\",\"MT\"),(\"SM\",\"ME\",\"SM_P\",\"ME_P\","
		     "\"MT\"),(\"SM\",\"ME\",\"SM_P\",\"ME_P\",\"MT\")",
	.cnmi_test = "+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)",
	.boot_urcs = {"RDY", "+CFUN: 1"},
	.ready_urcs = {"Call Ready", "SMS Ready"},
	.status_urcs = {"+CIEV: 10,\"46000\",\"CHINA MOBILE\",\"CMCC\",0,0", "+CSQN: 19,0"},
    },
    {
	.name = "quectel",
	.manufacturer = "Quectel",
	.model = "EC25",
	.revision = "EC25EFAR06A06M4G",
	.ati = "Quectel\nEC25\nRevision: EC25EFAR06A06M4G",
	.imei = "866581034002552",
	.iccid = "8986012012345678026",
	.imsi = "460011234567890",
	.own_number = NULL,
	.oper_long = "CHN-UNICOM",
	.oper_numeric = "46001",
	.smsc = "+8613010112500",
	.lac = "5140",
	.ci = "0523F226",
	.act = 7,
	.rssi = 24,
	.iccid_form = SIM_ICCID_QCCID,
	.flags = SIM_P_LTE | SIM_P_CPIN_URC,
	.echo = true,
	.cmee = 1,
	.cnmi = {2, 1, 0, 0, 0},
	.cap = {50, 255, 10},
	.mem_allowed = {SM_ME_MT | M(SIM_MEM_SR), SM_ME_MT, SM_ME_MT},
	.mem_default = {SIM_MEM_SM, SIM_MEM_SM, SIM_MEM_SM},
	.cpms_test =
	    "+CPMS: (\"SM\",\"ME\",\"MT\",\"SR\"),(\"SM\",\"ME\",\"MT\"),(\"SM\",\"ME\",\"MT\")",
	.cnmi_test = "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)",
	.boot_urcs = {"RDY", "+CFUN: 1"},
	.ready_urcs = {"+QUSIM: 1", "+QIND: SMS DONE", "+QIND: PB DONE"},
	.status_urcs = {"+QIND: \"csq\",24,99", "+QIND: \"act\",\"LTE\""},
    },
    {
	.name = "huawei",
	.manufacturer = "huawei",
	.model = "E173",
	.revision = "11.126.85.00.209",
	.ati = "Manufacturer: huawei\nModel: E173\nRevision: 11.126.85.00.209\nIMEI: %s\n+GCAP: "
	       "+CGSM,+DS,+ES",
	.imei = "357903040055448",
	.iccid = "8944200000987654323",
	.imsi = "234150123456789",
	.own_number = "+447700900123",
	.oper_long = "vodafone UK",
	.oper_numeric = "23415",
	.smsc = "+447785016005",
	.lac = "8BE3",
	.ci = "2BAF",
	.act = 2,
	.rssi = 17,
	.iccid_form = SIM_ICCID_HUAWEI,
	.flags = SIM_P_NOT_SUPPORT | SIM_P_INDEX0 | SIM_P_USSD_PACKED,
	.echo = false,
	.cmee = 0,
	.cnmi = {2, 1, 0, 2, 0},
	.cap = {30, 100, 0},
	.mem_allowed = {SM_ME_MT, SM_ME_MT, SM_ME_MT},
	.mem_default = {SIM_MEM_SM, SIM_MEM_SM, SIM_MEM_SM},
	.cpms_test = "+CPMS: (\"ME\",\"MT\",\"SM\"),(\"ME\",\"MT\",\"SM\"),(\"ME\",\"SM\")",
	.cnmi_test = "+CNMI: (0,1,2),(0,1,2,3),(0,2),(0,1,2),(0,1)",
	.boot_urcs = {"^BOOT:20952548,0,0,0,72", "^MODE:5,4", "^RSSI:17"},
	.ready_urcs = {NULL},
	.status_urcs = {"^RSSI:17", "^MODE:5,4", "^BOOT:20952548,0,0,0,72"},
    },
};

const struct sim_profile *sim_profile_find(const char *name, size_t len)
{
	if (len == 0)
		return &profiles[0];
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		if (strlen(profiles[i].name) == len && strncmp(profiles[i].name, name, len) == 0)
			return &profiles[i];
	}
	return NULL;
}

const char *sim_profile_names(void)
{
	return "generic, wavecom, cinterion, simcom, quectel, huawei";
}
