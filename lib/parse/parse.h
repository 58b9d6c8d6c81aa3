/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: pure parsers of AT command responses (TS 27.007, TS 27.005 and vendor forms).
 *
 * Every parser is a pure function over a string: one response line (without its CR LF; leading
 * CR/LF/space and trailing CR/LF/space are tolerated), or, for the multi-line answers, the
 * intermediate lines the engine collected (smsctl_response_get_line()). They never allocate
 * anything the caller must free: text fields are copied into fixed, bounded arrays in the out
 * struct (a value that does not fit is a protocol error, not a truncation).
 *
 * Return values: 0 on success, a negative SMSCTL_ERR_PROTOCOL when the text does not have the
 * expected shape, SMSCTL_ERR_INVALID on NULL arguments, SMSCTL_ERR_NOMEM when PCRE2 cannot
 * allocate match data. On failure the out struct is left in its "cleared" state (every int
 * PARSE_NONE, every string empty), never half filled.
 *
 * Integer fields that a reply does not carry (or carries empty) are PARSE_NONE (-1).
 * Hexadecimal fields (LAC, TAC, cell id, RAC) are returned as numbers.
 *
 * Every out struct has a `pattern` field: the index (an enum below) of the pattern that matched,
 * so tests can assert which shape was recognised and a reordering of a pattern table cannot
 * pass silently.
 *
 * Patterns are PCRE2, compiled once on first use (pthread_once) and kept for the life of the
 * process; match data is allocated per call and freed before returning.
 */
#ifndef SMSCTL_PARSE_H
#define SMSCTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "at/codes.h"

/* A field the reply does not carry, or carries empty. */
#define PARSE_NONE (-1)

/* A dBm or dB value that is "not known or not detectable". */
#define PARSE_DBM_UNKNOWN (-32768)

/* Bounds of copied strings (bytes, NUL included). */
#define PARSE_NAME_MAX	   96  /* operator names, alpha tags (UCS2 hex of 23 characters fits) */
#define PARSE_NUMBER_MAX   88  /* phone numbers, also in UCS2 hex (20 digits * 4 + NUL) */
#define PARSE_MEM_MAX	   8   /* storage names "SM", "ME", "SM_P" */
#define PARSE_TIME_MAX	   32  /* "07/07/05,09:56:03+08" */
#define PARSE_TEXT_MAX	   128 /* verbose error text, +CEER text, vendor words */
#define PARSE_PDU_MAX	   (2 * 200 + 1) /* a PDU line in hex: SMSC (12) + TPDU (<= 176) octets */
#define PARSE_SMS_TEXT_MAX 1024		 /* text-mode body (UCS2 hex of 70 characters is 280) */
#define PARSE_ICCID_MAX	   23		 /* 19 or 20 digits (+ vendor hex account digits) */
#define PARSE_IMSI_MAX	   16		 /* at most 15 digits */
#define PARSE_MAX_NETWORKS 32		 /* entries of a +COPS=? list kept */
#define PARSE_MAX_VALUES   8		 /* values of ^HCSQ, ^CERSSI ... */

/* ---------------------------------------------------------------------------------------- */
/* Signal quality                                                                            */

/* +CSQ: <rssi>,<ber> (27.007 8.5). */
enum parse_csq_pattern {
	PARSE_CSQ_STD = 0, /* "+CSQ: 17,99", also without the space ("+CSQ:4,0", python-gsmmodem) */
};
struct at_csq {
	int rssi; /* 0..31 or 99 (not known) */
	int ber;  /* 0..7 or 99 */
	int dbm;  /* -113 + 2*rssi (0: <= -113, 31: >= -51), PARSE_DBM_UNKNOWN for 99 */
	int bars; /* 0..5 (see parse_rssi_bars()), PARSE_NONE for 99 */
	int pattern;
};
int parse_csq(const char *line, struct at_csq *out);
/* rssi in 27.007 8.5 units -> dBm, PARSE_DBM_UNKNOWN for 99 or out of range. */
int parse_rssi_to_dbm(int rssi);
/* rssi (0..31) -> 0..5 bars (0: <= -109 dBm ... 5: >= -73 dBm); PARSE_NONE for 99. */
int parse_rssi_bars(int rssi);

/* +CESQ: <rxlev>,<ber>,<rscp>,<ecno>,<rsrq>,<rsrp> (27.007 8.69); 99/255 = not known. */
enum parse_cesq_pattern {
	PARSE_CESQ_STD = 0, /* six fields (27.007 up to Rel-14) */
	PARSE_CESQ_5G = 1,  /* nine fields: + <ss_rsrq>,<ss_rsrp>,<ss_sinr> (Rel-15) */
};
struct at_cesq {
	int rxlev, ber, rscp, ecno, rsrq, rsrp; /* as printed */
	int ss_rsrq, ss_rsrp, ss_sinr;		/* PARSE_NONE unless the 5G form */
	/* Conversions to the lower bound of each range, PARSE_DBM_UNKNOWN when not known: */
	int rxlev_dbm; /* -110 + rxlev - 1 (0: < -110, 63: >= -48) */
	int rscp_dbm;  /* -120 + rscp - 1 (0: < -120, 96: >= -25) */
	int ecno_db10; /* tenths of dB: -245 + 5*ecno (0: < -24, 49: >= 0) */
	int rsrq_db10; /* tenths of dB: -200 + 5*rsrq (0: < -19.5, 34: >= -3) */
	int rsrp_dbm;  /* -140 + rsrp - 1 (0: < -140, 97: >= -44) */
	int pattern;
};
int parse_cesq(const char *line, struct at_cesq *out);

/* Vendor signal reports (URCs and query answers). */
enum parse_signal_kind {
	PARSE_SIGNAL_HUAWEI_RSSI = 1, /* ^RSSI: <rssi> (Huawei URC, 27.007 rssi units) */
	PARSE_SIGNAL_HUAWEI_HCSQ = 2, /* ^HCSQ: <sysmode>[,<value>...] (Huawei) */
	PARSE_SIGNAL_HUAWEI_CERSSI =
	    3,			       /* ^CERSSI: <rssi>,<ecio>,<rsrp>,<rsrq>,<sinr>... (Huawei) */
	PARSE_SIGNAL_QUECTEL_QIND = 4, /* +QIND: "csq",<rssi>,<ber> (Quectel URC) */
	PARSE_SIGNAL_CIEV = 5,	       /* +CIEV: <ind>,<value> (27.007 8.10; index from +CIND=?) */
	PARSE_SIGNAL_QUECTEL_QCSQ = 6, /* +QCSQ: "<sysmode>"[,<value>...] (Quectel) */
};
struct at_signal {
	enum parse_signal_kind kind;
	char sysmode[16];	      /* ^HCSQ/+QCSQ: "LTE", "WCDMA", "GSM", "NOSERVICE"... */
	int values[PARSE_MAX_VALUES]; /* as printed, PARSE_NONE when absent */
	int n_values;
	int rssi;	/* 27.007 rssi (0..31, 99) when the report carries one */
	int dbm;	/* best dBm estimate, PARSE_DBM_UNKNOWN when none */
	int ciev_index; /* +CIEV: indicator index, else PARSE_NONE */
	int pattern;	/* a parse_signal_kind - 1 based index of the pattern */
};
/* Any of the vendor signal lines above; kind tells which. */
int parse_signal_urc(const char *line, struct at_signal *out);

/* +CIND=? list: ("name",(min-max)),... (27.007 8.9). */
struct at_cind_indicator {
	char name[32]; /* lower-cased, spaces removed ("Voice Mail" -> "voicemail") */
	int min, max;
};
struct at_cind_test {
	struct at_cind_indicator ind[24];
	int count; /* ind[i] has +CIEV index i + 1 */
	int pattern;
};
int parse_cind_test(const char *line, struct at_cind_test *out);
/* 1-based +CIEV index of the indicator called name (e.g. "signal"), PARSE_NONE if absent. */
int parse_cind_index(const struct at_cind_test *t, const char *name);

/* ---------------------------------------------------------------------------------------- */
/* Registration                                                                              */

enum parse_reg_cmd {
	PARSE_REG_CREG = 1,   /* +CREG (27.007 7.2), circuit switched */
	PARSE_REG_CGREG = 2,  /* +CGREG (27.007 10.1.20), GPRS */
	PARSE_REG_CEREG = 3,  /* +CEREG (27.007 10.1.22), EPS: lac holds the TAC */
	PARSE_REG_C5GREG = 4, /* +C5GREG (27.007 10.1.55), 5GS: lac holds the TAC */
};

/* 27.007 <stat>. */
enum parse_reg_stat {
	PARSE_REG_NOT_REGISTERED = 0,
	PARSE_REG_HOME = 1,
	PARSE_REG_SEARCHING = 2,
	PARSE_REG_DENIED = 3,
	PARSE_REG_UNKNOWN = 4,
	PARSE_REG_ROAMING = 5,
	PARSE_REG_HOME_SMS_ONLY = 6,
	PARSE_REG_ROAMING_SMS_ONLY = 7,
	PARSE_REG_EMERGENCY_ONLY = 8,
	PARSE_REG_HOME_CSFB_NOT_PREFERRED = 9,
	PARSE_REG_ROAMING_CSFB_NOT_PREFERRED = 10,
	PARSE_REG_RLOS = 11,
};

enum parse_reg_pattern {
	/* solicited (answer to AT+CxREG?): <n>,<stat>[,...] */
	PARSE_REG_SOL_N_STAT = 0,  /* "+CREG: 0,1" */
	PARSE_REG_SOL_LOC = 1,	   /* "+CREG: 2,1,<lac>,<ci>[,<act>[,<rest>]]" */
	PARSE_REG_SOL_EPS_RAC = 2, /* "+CEREG: 2,1,<tac>,<rac>,<ci>,<act>" (Novatel) */
	PARSE_REG_SOL_SAMSUNG = 3, /* "+CREG: 2,1,000B,2816, B, C2816" (Samsung S8500) */
	PARSE_REG_SOL_LOOSE = 4,   /* "+CREG: 2,1,XXXX,AAAA" / "  0 5": stat only, loc dropped */
	/* unsolicited (URC after AT+CxREG=n): <stat>[,...] */
	PARSE_REG_UNSOL_STAT = 5,     /* "+CREG: 1" */
	PARSE_REG_UNSOL_LOC = 6,      /* "+CREG: 1,<lac>,<ci>[,<act>]" (also empty "2,,") */
	PARSE_REG_UNSOL_GPRS_RAC = 7, /* "+CGREG: 1,<lac>,<ci>,<act>,<rac>" */
	PARSE_REG_UNSOL_EPS_RAC = 8,  /* "+CEREG: 1,<tac>,<rac>,<ci>,<act>" (Novatel) */
	PARSE_REG_UNSOL_5G = 9,	      /* "+C5GREG: 1,<tac>,<ci>,<act>,<nssai_len>,<nssai>" */
	PARSE_REG_UNSOL_CAUSE = 10,   /* "+CEREG: 0,,,,0,15": <n>=3 URC with reject cause */
};

struct at_reg {
	enum parse_reg_cmd cmd;
	bool solicited;	  /* the shape that matched: <n>,<stat>... (true) or <stat>... (false) */
	int n;		  /* solicited only, else PARSE_NONE */
	int stat;	  /* enum parse_reg_stat value (vendor values above 11 kept as printed) */
	int32_t lac;	  /* LAC or TAC, PARSE_NONE when absent/empty */
	int64_t ci;	  /* cell id (28 bits UMTS/LTE, 36 bits NR), PARSE_NONE when absent/empty */
	int act;	  /* 27.007 <AcT>, PARSE_NONE */
	int rac;	  /* routing area code, PARSE_NONE */
	int cause_type;	  /* <n>=3: <cause_type>, PARSE_NONE */
	int reject_cause; /* <n>=3: <reject_cause>, PARSE_NONE */
	int pattern;	  /* enum parse_reg_pattern */
};

/*
 * Parse a registration line (+CREG, +CGREG, +CEREG or +C5GREG; the prefix sets out->cmd).
 * solicited: the line answered an AT+CxREG? query (true) or arrived as a URC (false). The two
 * shapes overlap ("1,0001,0010,0" is <stat>,<lac>,<ci>,<act> as a URC but <n>,<stat>,<lac>,<ci>
 * as an answer), so the caller says which it expects. Some modems (Motorola MD400, Samsung,
 * Altair) send the solicited shape as a URC: when solicited is false and no URC shape fits,
 * the solicited shapes are tried too (out->solicited tells which matched).
 */
int parse_reg(const char *line, bool solicited, struct at_reg *out);
/* Whether stat means registered (home or roaming, any SMS-only/CSFB variant). */
bool parse_reg_is_registered(int stat);
/* Whether stat means roaming. */
bool parse_reg_is_roaming(int stat);

/* +COPS? : <mode>[,<format>,<oper>[,<AcT>]] (27.007 7.3). */
enum parse_cops_pattern {
	PARSE_COPS_QUERY_MODE = 0, /* "+COPS: 0" (not registered) */
	PARSE_COPS_QUERY_FULL = 1, /* "+COPS: 0,0,\"TELE2\",0" (act optional) */
	PARSE_COPS_QUERY_LOOSE =
	    2, /* unquoted or unbalanced quote "+COPS: 0,0,TELE2,0" (chan_dongle) */
};
struct at_cops {
	int mode;		   /* 0 auto, 1 manual, 2 deregister, 3 set format, 4 manual/auto */
	int format;		   /* 0 long, 1 short, 2 numeric; PARSE_NONE */
	char oper[PARSE_NAME_MAX]; /* as printed (charset of +CSCS), "" when absent */
	int act;		   /* PARSE_NONE when absent */
	int pattern;
};
int parse_cops_query(const char *line, struct at_cops *out);

/* +COPS=? : (<stat>,long,short,numeric[,<AcT>]),...,,(modes),(formats) */
struct at_cops_network {
	int stat; /* 0 unknown, 1 available, 2 current, 3 forbidden */
	char long_name[PARSE_NAME_MAX];
	char short_name[PARSE_NAME_MAX];
	char numeric[PARSE_NAME_MAX]; /* MCC MNC (may be UCS2 hex under +CSCS="UCS2") */
	int act;		      /* PARSE_NONE when absent */
};
struct at_cops_list {
	struct at_cops_network net[PARSE_MAX_NETWORKS];
	int count;
	int pattern; /* 0: entries found; also 0 with count 0 for a list of only the mode lists */
};
/* lines: the intermediate lines (some modems split the list over several +COPS: lines or
 * continue it on the next line). */
int parse_cops_test(const char *const *lines, size_t n_lines, struct at_cops_list *out);

/* ---------------------------------------------------------------------------------------- */
/* SIM                                                                                       */

enum parse_pin_state {
	PARSE_PIN_READY = 1,
	PARSE_PIN_SIM_PIN,
	PARSE_PIN_SIM_PUK,
	PARSE_PIN_SIM_PIN2,
	PARSE_PIN_SIM_PUK2,
	PARSE_PIN_PH_SIM_PIN,
	PARSE_PIN_PH_FSIM_PIN,
	PARSE_PIN_PH_FSIM_PUK,
	PARSE_PIN_PH_NET_PIN,
	PARSE_PIN_PH_NET_PUK,
	PARSE_PIN_PH_NETSUB_PIN,
	PARSE_PIN_PH_NETSUB_PUK,
	PARSE_PIN_PH_SP_PIN,
	PARSE_PIN_PH_SP_PUK,
	PARSE_PIN_PH_CORP_PIN,
	PARSE_PIN_PH_CORP_PUK,
	PARSE_PIN_NOT_READY,	/* vendor: "NOT READY" (SIMCom boot) */
	PARSE_PIN_NOT_INSERTED, /* vendor: "NOT INSERTED", "SIM REMOVED", "NO SIM" */
	PARSE_PIN_BLOCKED,	/* vendor: "SIM BLOCKED", "BLOCKED" */
	PARSE_PIN_OTHER,	/* a word we do not know: see code */
};
enum parse_cpin_pattern {
	PARSE_CPIN_STD = 0,  /* "+CPIN: SIM PIN" / "+CPIN: \"SIM PIN\"" (27.007 8.3) */
	PARSE_CPIN_BARE = 1, /* "   SIM PUK" without prefix (ModemManager context) */
};
struct at_cpin {
	enum parse_pin_state state;
	char code[32]; /* the text as printed, without quotes: "SIM PIN" */
	int pattern;
};
int parse_cpin(const char *line, struct at_cpin *out);

/* +CLCK: <status>[,<class>] (27.007 7.4). */
struct at_clck {
	int status; /* 0 not active, 1 active */
	int cls;    /* PARSE_NONE when absent */
	int pattern;
};
int parse_clck(const char *line, struct at_clck *out);

/* ICCID in its vendor forms (27.007 has none; ETSI TS 102 221 13.2 gives EF_ICCID). */
enum parse_iccid_pattern {
	PARSE_ICCID_CCID = 0,	/* +CCID: (SIMCom, Telit, u-blox, Multi-Tech) */
	PARSE_ICCID_ICCID = 1,	/* +ICCID: (Quectel, Sierra, Telit) */
	PARSE_ICCID_HUAWEI = 2, /* ^ICCID: (Huawei; printed BCD-swapped on some firmware) */
	PARSE_ICCID_QCCID = 3,	/* +QCCID: (Quectel) */
	PARSE_ICCID_SCID = 4,	/* ^SCID: (Cinterion, Siemens) */
	PARSE_ICCID_BARE = 5,	/* bare digits (Wavecom/Sierra AT+CCID; AT+CRSM payload) */
};
struct at_iccid {
	char iccid[PARSE_ICCID_MAX]; /* digits in printed order, filler F removed, un-swapped */
	bool swapped;		     /* the reply was nibble-swapped (started with "98") */
	int pattern;
};
/* Accepts 18-20 digit ICCIDs (hex account digits allowed after the issuer prefix) starting
 * with MII 89 (or "98" swapped). Rejects other values (ESNs, short or garbage strings). */
int parse_iccid(const char *line, struct at_iccid *out);

/* +CIMI: bare digits (27.007 5.6), also with a "+CIMI: " prefix (some Quectel, Telit). */
struct at_imsi {
	char imsi[PARSE_IMSI_MAX];
	int pattern; /* 0 bare, 1 prefixed */
};
int parse_cimi(const char *line, struct at_imsi *out);

/* +CGSN: bare IMEI (27.007 5.4), also "+CGSN: ..." and with a ",SN" tail (ModemManager). */
struct at_imei {
	char imei[18];
	int pattern;
};
int parse_cgsn(const char *line, struct at_imei *out);

/* +CNUM: [<alpha>],<number>,<type>[,<speed>,<service>[,<itc>]] (27.007 7.1), one line. */
enum parse_cnum_pattern {
	PARSE_CNUM_STD = 0,   /* quoted alpha and number */
	PARSE_CNUM_LOOSE = 1, /* unquoted or unbalanced quotes (chan_dongle, Huawei) */
};
struct at_cnum {
	char alpha[PARSE_NAME_MAX];
	char number[PARSE_NUMBER_MAX]; /* "" when the line carries none */
	int type;		       /* 129/145/..., PARSE_NONE */
	int pattern;
};
int parse_cnum(const char *line, struct at_cnum *out);

/* +CFUN: <fun>[,<rst>...] (27.007 8.2). */
struct at_cfun {
	int fun;
	int pattern;
};
int parse_cfun(const char *line, struct at_cfun *out);

/* ---------------------------------------------------------------------------------------- */
/* SMS settings (TS 27.005)                                                                  */

/* +CPMS (27.005 3.2.2). */
enum parse_cpms_pattern {
	PARSE_CPMS_QUERY3 = 0, /* "+CPMS: \"SM\",3,30,\"SM\",3,30,\"SM\",3,30" */
	PARSE_CPMS_QUERY2 = 1, /* two memories only */
	PARSE_CPMS_QUERY1 = 2, /* one memory only */
	PARSE_CPMS_SET3 = 3,   /* answer to AT+CPMS=...: "+CPMS: 0,20,0,20,0,20" */
	PARSE_CPMS_SET2 = 4,
	PARSE_CPMS_SET1 = 5,
};
struct at_cpms_mem {
	char name[PARSE_MEM_MAX]; /* "" in the set form */
	int used, total;	  /* PARSE_NONE when the memory is absent */
};
struct at_cpms {
	struct at_cpms_mem mem[3]; /* mem1 (read/delete), mem2 (write/send), mem3 (receive) */
	int count;		   /* memories present, 1..3 */
	int pattern;
};
int parse_cpms(const char *line, struct at_cpms *out);

/* +CPMS=? : ("SM","ME"),("SM","ME"),("SM","ME") and its vendor variants. */
#define PARSE_MEM_LIST_MAX 8
struct at_cpms_test {
	char mem[3][PARSE_MEM_LIST_MAX][PARSE_MEM_MAX];
	int count[3]; /* entries per list; PARSE_NONE when the list is absent */
	int pattern;  /* 0 parenthesised lists, 1 bare quoted list (Huawei/iWOW/Thuraya) */
};
int parse_cpms_test(const char *line, struct at_cpms_test *out);

/* +CSCA: <sca>,<tosca> (27.005 3.3.1). */
enum parse_csca_encoding {
	PARSE_CSCA_PLAIN = 0, /* "+12345678" */
	PARSE_CSCA_UCS2 = 1,  /* "002B0031..." decoded (+CSCS="UCS2") */
	PARSE_CSCA_HEX = 2,   /* "2B3931..." decoded (+CSCS="HEX") */
};
struct at_csca {
	char number[PARSE_NUMBER_MAX]; /* decoded; "" when the modem has none */
	int type;		       /* PARSE_NONE when absent */
	enum parse_csca_encoding encoding;
	int pattern; /* 0 quoted, 1 unquoted (Motorola), 2 empty ("+CSCA: \"\",129") */
};
/* Returns 0 for an empty SMSC too (number ""): the caller decides (diagnosis:
 * sms.smsc_missing). parse_csca_is_valid() tells a usable number. */
int parse_csca(const char *line, struct at_csca *out);
/* A usable SMSC number: optional '+', 1-20 digits (also '*', '#'), nothing else. */
bool parse_csca_is_valid(const struct at_csca *c);

/* +CSMS (27.005 3.2.1): query "+CSMS: <service>,<mt>,<mo>,<bm>", set "+CSMS: <mt>,<mo>,<bm>". */
struct at_csms {
	int service; /* PARSE_NONE in the set form */
	int mt, mo, bm;
	int pattern; /* 0 query, 1 set */
};
int parse_csms(const char *line, struct at_csms *out);

/* +CNMI? : <mode>,<mt>,<bm>,<ds>,<bfr> (27.005 3.4.1); +CNMI=? as bit sets. */
struct at_cnmi {
	int mode, mt, bm, ds, bfr; /* PARSE_NONE when a trailing field is absent */
	int pattern;		   /* 0 five fields, 1 fewer fields */
};
int parse_cnmi(const char *line, struct at_cnmi *out);
struct at_cnmi_test {
	uint32_t mode, mt, bm, ds, bfr; /* bit v set when value v (0..31) is supported */
	int pattern;
};
int parse_cnmi_test(const char *line, struct at_cnmi_test *out);
/* A range list "(0-1,3)" or "0-1,3" -> bit set; shared by the =? parsers. */
int parse_range_list(const char *s, size_t len, uint32_t *bits);

/* +CSQ=? : (0-31,99),(0-7,99) */
struct at_csq_test {
	uint64_t rssi[2]; /* bit v of the 128-bit set (v 0..127) */
	uint64_t ber[2];
	int pattern;
};
int parse_csq_test(const char *line, struct at_csq_test *out);

/* ---------------------------------------------------------------------------------------- */
/* SMS messages (TS 27.005)                                                                  */

/* +CMGS: <mr>[,<ackpdu>] (PDU) or <mr>[,<scts>] (text) (27.005 3.5.1); also +CMSS. */
struct at_cmgs {
	int mr;			 /* 0..255 */
	char ack[PARSE_PDU_MAX]; /* ackpdu (hex) or scts, "" when absent */
	int pattern;		 /* 0 mr only, 1 with ackpdu/scts */
};
int parse_cmgs(const char *line, struct at_cmgs *out);

/* +CMTI / +CDSI: <mem>,<index> (27.005 3.4.1). */
struct at_cmti {
	bool status_report;	 /* +CDSI */
	char mem[PARSE_MEM_MAX]; /* "SM", "ME", "SR"; as printed (chan_dongle: "0") */
	int index;		 /* 0 is valid (Huawei ME/SR start at 0) */
	int pattern;		 /* 0 quoted mem, 1 unquoted mem */
};
int parse_cmti(const char *line, struct at_cmti *out);

/* +CMT: [<alpha>],<length> (PDU mode, 27.005 3.4.1), then a PDU line;
 * +CDS: <length> then a PDU line. */
struct at_cmt {
	bool status_report; /* +CDS */
	char alpha[PARSE_NAME_MAX];
	int length;		 /* TPDU length in octets (SMSC not counted) */
	char pdu[PARSE_PDU_MAX]; /* hex, upper-cased, when pdu_line given */
	int pattern;		 /* 0 +CMT, 1 +CDS */
};
/* pdu_line may be NULL (header only); otherwise it must be hex (see parse_pdu_line()). */
int parse_cmt(const char *line, const char *pdu_line, struct at_cmt *out);

/* Validate a PDU line: hex digits only, copied upper-cased to pdu (size PARSE_PDU_MAX).
 * length (the <length> of the header) is not enforced and odd digit counts are kept: modems
 * miscount and captures get cut; the PDU decoder judges the content. */
int parse_pdu_line(const char *line, int length, char *pdu, size_t pdu_size);

/* One stored message from +CMGL or +CMGR (27.005 3.4.2, 3.4.3), PDU or text mode. */
enum parse_sms_pattern {
	PARSE_SMS_CMGL_PDU = 0, /* +CMGL: <index>,<stat>,[<alpha>],<length> + PDU */
	PARSE_SMS_CMGR_PDU = 1, /* +CMGR: <stat>,[<alpha>],<length> + PDU */
	PARSE_SMS_CMGL_TEXT =
	    2, /* +CMGL: <index>,"<stat>",<oa/da>,[<alpha>],[<scts>][,<tooa>,<len>] */
	PARSE_SMS_CMGR_TEXT_DELIVER =
	    3, /* +CMGR: "REC READ",<oa>,[<alpha>],<scts>[,<tooa>,<fo>,...] */
	PARSE_SMS_CMGR_TEXT_SUBMIT = 4, /* +CMGR: "STO UNSENT",<da>,[<alpha>][,<toda>,<fo>,...] */
	PARSE_SMS_CMGR_TEXT_STATUS =
	    5, /* +CMGR: <stat>,<fo>,<mr>,[<ra>],[<tora>],<scts>,<dt>,<st> */
	PARSE_SMS_CMGL_TEXT_STATUS =
	    6, /* +CMGL: <index>,<stat>,<fo>,<mr>,[<ra>],[<tora>],<scts>,<dt>,<st> */
};
struct at_sms {
	int index;	    /* +CMGL only, else PARSE_NONE */
	int stat;	    /* PDU: 0..4; text: the same numbers (0 "REC UNREAD" ...);
				      * PARSE_NONE when empty (ZTE "+CMGR: ,,27") */
	char stat_text[16]; /* text mode: as printed ("REC READ"), else "" */
	char alpha[PARSE_NAME_MAX];
	int length;		 /* PDU mode: TPDU octets; text: <length> or PARSE_NONE */
	char pdu[PARSE_PDU_MAX]; /* PDU mode */
	/* text mode */
	char addr[PARSE_NUMBER_MAX]; /* <oa>, <da> or <ra> */
	int addr_type;		     /* <tooa>/<toda>/<tora> */
	char scts[PARSE_TIME_MAX];
	char dt[PARSE_TIME_MAX]; /* status report discharge time */
	int fo, pid, dcs, vp, mr, st;
	char sca[PARSE_NUMBER_MAX];
	int sca_type;
	char text[PARSE_SMS_TEXT_MAX]; /* the body lines joined with '\n' */
	int pattern;
};
/* +CMGR: the lines of one answer (header first; URC lines such as +CMTI are skipped). */
int parse_cmgr(const char *const *lines, size_t n_lines, struct at_sms *out);
/*
 * +CMGL: iterate over the entries of an answer. *pos starts at 0 and advances.
 * @return 1 and one entry in out, 0 at the end, or a negative error (the bad entry is
 *         skipped: *pos moves past it so the caller may continue).
 */
int parse_cmgl_next(const char *const *lines, size_t n_lines, size_t *pos, struct at_sms *out);
/* One +CMGL or +CMGR header line alone (PDU or text mode), without its PDU or body. */
int parse_sms_header(const char *line, struct at_sms *out);
/* Text-mode <stat> string <-> number (27.005 3.1): "REC UNREAD" 0 ... "ALL" 4; -1 unknown. */
int parse_sms_stat_from_text(const char *s, size_t len);

/* ---------------------------------------------------------------------------------------- */
/* Errors and final results                                                                  */

enum parse_error_kind {
	PARSE_ERROR_CME = 1,   /* +CME ERROR: (27.007 9.2) */
	PARSE_ERROR_CMS = 2,   /* +CMS ERROR: (27.005 3.2.5) */
	PARSE_ERROR_MODEM = 3, /* MODEM ERROR: <n> (ModemManager-known vendor form) */
};
enum parse_error_pattern {
	PARSE_ERROR_NUMERIC = 0, /* "+CMS ERROR: 330" */
	PARSE_ERROR_VERBOSE = 1, /* "+CME ERROR: SIM not inserted" (code from the table or -1) */
	PARSE_ERROR_EMPTY = 2,	 /* "+CME ERROR: " (nothing after the space) */
};
struct at_error {
	enum parse_error_kind kind;
	int code;		   /* numeric code, or from the verbose text; PARSE_NONE */
	char text[PARSE_TEXT_MAX]; /* verbose text as printed, "" for numeric */
	int pattern;
};
/* "+CME ERROR: 10", "+CMS ERROR: 500", "+CME ERROR: SIM not inserted", "MODEM ERROR: 5".
 * "+CME ERROR:" without anything (no space) is not a complete final result: protocol error. */
int parse_error(const char *line, struct at_error *out);

/* Final result codes (27.007 5.7, V.250 5.7.1, vendor). Values of enum smsctl_result. */
/* Returns the smsctl_result of a final line (OK, ERROR, +CME/+CMS ERROR, NO CARRIER, BUSY,
 * NO ANSWER, NO DIALTONE, COMMAND NOT SUPPORT, TOO MANY PARAMETERS, MODEM ERROR: n), or 0
 * (SMSCTL_RESULT_NONE) when the line is not a final result. */
int parse_final(const char *line);

/* +CEER: <text> (27.007 6.10). */
struct at_ceer {
	char text[PARSE_TEXT_MAX]; /* "" when empty */
	int pattern;
};
int parse_ceer(const char *line, struct at_ceer *out);

/* ---------------------------------------------------------------------------------------- */
/* Vendor system information                                                                 */

/* Huawei ^SYSINFO: srv_status,srv_domain,roam,sys_mode,sim_state[,lock,sys_submode];
 * ^SYSINFOEX: srv_status,srv_domain,roam,sim_state,lock,sys_mode,"name",submode,"name". */
struct at_sysinfo {
	int srv_status, srv_domain, roam_status, sys_mode, sim_state, lock_state, sys_submode;
	char sys_mode_name[24], sys_submode_name[24]; /* ^SYSINFOEX only */
	int pattern;				      /* 0 ^SYSINFO, 1 ^SYSINFOEX */
};
int parse_sysinfo(const char *line, struct at_sysinfo *out);

/* Huawei ^MODE: <mode>[,<submode>]. */
struct at_mode {
	int mode, submode;
	int pattern;
};
int parse_huawei_mode(const char *line, struct at_mode *out);

/* Cinterion ^SIND: <indicator>,<mode>[,<value>]. */
struct at_sind {
	char indicator[32];
	int mode, value;
	int pattern;
};
int parse_sind(const char *line, struct at_sind *out);

/* SIMCom +CPSI: <system>,<operation>,<mcc>-<mnc>,<tac/lac>,<cell>,... (LTE, GSM, WCDMA). */
struct at_cpsi {
	char system_mode[16], operation_mode[16];
	char mcc[4], mnc[4];
	int32_t tac;
	int64_t scell_id;
	int pcell_id;
	char band[24];
	int earfcn, dlbw, ulbw, rsrq, rsrp, rssi, rssnr; /* as printed (LTE form) */
	int pattern; /* 0 LTE form, 1 other (system and operation mode only) */
};
int parse_cpsi(const char *line, struct at_cpsi *out);

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                   */

/* Character set of strings in replies (+CSCS). */
enum parse_charset {
	PARSE_CHARSET_IRA = 0,
	PARSE_CHARSET_GSM = 1,
	PARSE_CHARSET_UCS2 = 2,
	PARSE_CHARSET_HEX = 3,
};
/* Decode a string from a reply to UTF-8 (UCS2: 4 hex digits per character; HEX: 2 per byte;
 * GSM: the 23.038 default alphabet; IRA: copied). @return 0 or SMSCTL_ERR_PROTOCOL. */
int parse_decode_string(const char *in, enum parse_charset cs, char *out, size_t out_size);

/* Whether line starts with prefix (after leading CR/LF/space), e.g. "+CMTI:". */
bool parse_has_prefix(const char *line, const char *prefix);

/* ---------------------------------------------------------------------------------------- */
/* USSD                                                                                      */

/* Longest <str> kept: 182 GSM 7-bit characters as UCS2 hex are 728 bytes; text answers
 * joined over several lines (python-gsmmodem test_modem.py) a little more. */
#define PARSE_USSD_MAX 1536

/* +CUSD: <m>[,<str>[,<dcs>]] (27.007 7.15), as an answer or an unsolicited result. */
enum parse_cusd_pattern {
	PARSE_CUSD_STD = 0,  /* "+CUSD: 0,\"Balance 12.30\",15", "+CUSD: 2", "+CUSD: 1,\"..\"" */
	PARSE_CUSD_OPEN = 1, /* the quote is not closed on this line: text continues */
};
struct at_cusd {
	int m;	 /* 0..5 (other values are kept as printed, up to 99) */
	int dcs; /* 0..255, PARSE_NONE when not given */
	bool has_str;
	char str[PARSE_USSD_MAX]; /* as printed, without the quotes */
	int pattern;
};
int parse_cusd(const char *line, struct at_cusd *out);

/* The amount in a balance answer: regex (PCRE2, UTF; the first capture group, else the whole
 * match; NULL or "": the first number) applied to text, the number read with ',' or '.' as
 * the decimal point when 1-2 digits follow it last, other separators grouping. Returns 0,
 * SMSCTL_ERR_NOT_FOUND (no match, or no number in it), SMSCTL_ERR_INVALID (the pattern does
 * not compile or is longer than PARSE_AMOUNT_REGEX_MAX), SMSCTL_ERR_TOO_LONG, _NOMEM. */
#define PARSE_AMOUNT_REGEX_MAX 512
int parse_amount(const char *text, const char *regex, double *amount);

#endif
