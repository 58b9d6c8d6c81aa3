/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the vendor profiles of the simulated modem (identity, quirks, command set). */
#ifndef SMSCTL_SIM_PROFILE_H
#define SMSCTL_SIM_PROFILE_H

#include <stdbool.h>

/* How the profile answers its ICCID command. */
enum sim_iccid_form {
	SIM_ICCID_CCID = 1,    /* AT+CCID   -> +CCID: 89...      */
	SIM_ICCID_CCID_QUOTED, /* AT+CCID   -> +CCID: "89..."    (Wavecom) */
	SIM_ICCID_BARE,	       /* AT+CCID   -> 89...             (SIMCom SIM800) */
	SIM_ICCID_SCID,	       /* AT^SCID   -> ^SCID: 89...      (Cinterion) */
	SIM_ICCID_QCCID,       /* AT+QCCID  -> +QCCID: 89...     (Quectel) */
	SIM_ICCID_HUAWEI, /* AT^ICCID? -> ^ICCID: 98... nibble-swapped with F filler (Huawei) */
};

/* Quirks and capabilities. */
#define SIM_P_LTE	  0x0001u /* +CEREG and +CESQ exist */
#define SIM_P_NO_CHAIN	  0x0002u /* one extended command per line (basic ones may precede) */
#define SIM_P_CPIN_NO_OK  0x0004u /* AT+CPIN? ends without OK (Wavecom M1306) */
#define SIM_P_NOT_SUPPORT 0x0008u /* unknown commands answer COMMAND NOT SUPPORT (Huawei) */
#define SIM_P_INDEX0	  0x0010u /* storage indexes start at 0 (Huawei) */
#define SIM_P_CPIN_TEXT	  0x0020u /* +CPIN: NOT INSERTED / NOT READY instead of CME 10/14 */
#define SIM_P_ICCID_PLUS  0x0040u /* also answers AT+ICCID -> +ICCID: 89... */
#define SIM_P_CPIN_URC	  0x0080u /* the boot announces +CPIN: <state> */
#define SIM_P_USSD_PACKED 0x0100u /* GSM 7-bit USSD printed as packed hex; UCS-2 texts (Huawei) */

enum sim_mem { SIM_MEM_SM = 0, SIM_MEM_ME = 1, SIM_MEM_SR = 2, SIM_MEM_MT = 3, SIM_MEM_COUNT };

struct sim_profile {
	const char *name;
	const char *manufacturer; /* AT+CGMI */
	const char *model;	  /* AT+CGMM */
	const char *revision;	  /* AT+CGMR */
	const char *ati;	  /* ATI lines, '\n' separated; "%s" replaced by the IMEI */
	const char *imei;
	const char *iccid; /* digits as printed on the card */
	const char *imsi;
	const char *own_number; /* +CNUM, NULL when the SIM has none */
	const char *oper_long;	/* +COPS */
	const char *oper_numeric;
	const char *smsc; /* +CSCA */
	const char *lac;  /* +CREG location (hex) */
	const char *ci;
	int act;  /* access technology: 0 GSM, 2 UTRAN, 7 E-UTRAN */
	int rssi; /* healthy +CSQ */
	enum sim_iccid_form iccid_form;
	unsigned flags;
	bool echo;	 /* ATE default */
	int cmee;	 /* +CMEE default */
	int cnmi[5];	 /* +CNMI defaults */
	unsigned cap[3]; /* capacity of SM, ME, SR (0: the memory does not exist) */
	/* Memories allowed for <mem1>,<mem2>,<mem3> of +CPMS, as masks of 1 << sim_mem. */
	unsigned mem_allowed[3];
	enum sim_mem mem_default[3];
	const char *cpms_test;	    /* the +CPMS=? answer */
	const char *cnmi_test;	    /* the +CNMI=? answer */
	const char *boot_urcs[4];   /* after a restart, before the SIM state */
	const char *ready_urcs[4];  /* once the SIM is ready (at boot or after the PIN) */
	const char *status_urcs[3]; /* status noise used by the urc_storm fault */
};

const struct sim_profile *sim_profile_find(const char *name, size_t len);
/* "generic, wavecom, ..." for messages. */
const char *sim_profile_names(void);

#endif
