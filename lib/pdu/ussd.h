/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the text of a USSD string (+CUSD <str>) decoded by its CBS data coding scheme
 * (3GPP TS 23.038 section 5) and the TE character set (+CSCS, TS 27.007 section 5.5). */
#ifndef SMSCTL_PDU_USSD_H
#define SMSCTL_PDU_USSD_H

#include <stddef.h>

/* The alphabet a CBS data coding scheme names (TS 23.038 section 5). */
enum pdu_cbs_alphabet {
	PDU_CBS_GSM7 = 0, /* the GSM 7-bit default alphabet (also every reserved coding) */
	PDU_CBS_8BIT = 1,
	PDU_CBS_UCS2 = 2,
};

/* The alphabet of dcs (0-255; anything else reads as 0, the +CUSD default). */
enum pdu_cbs_alphabet pdu_cbs_alphabet(int dcs);

/* How pdu_ussd_decode() read the string. */
enum pdu_ussd_form {
	PDU_USSD_PLAIN = 0,	  /* text in the TE character set, taken as it is */
	PDU_USSD_UCS2_HEX = 1,	  /* UCS-2 (UTF-16BE) as hex */
	PDU_USSD_GSM7_PACKED = 2, /* GSM 7-bit septets packed into octets, as hex (Huawei) */
	PDU_USSD_GSM7_HEX = 3,	  /* one GSM 7-bit character per hex pair (+CSCS "HEX") */
	PDU_USSD_8BIT_HEX = 4,	  /* octets as hex */
};

/*
 * Decode str (len bytes, the <str> of a +CUSD answer without its quotes) to UTF-8.
 * dcs: the <dcs> given (-1 when none: 0, TS 27.007 7.15). cscs: the TE character set the
 * modem was in ("GSM", "IRA", "UCS2", "HEX", ...), NULL or "" when not known.
 *
 * UCS-2: hex of 4 digits a character is UTF-16BE, anything else is plain text. 8-bit: hex
 * is the octets (UTF-8 when valid, else Latin-1). GSM 7-bit: under +CSCS "UCS2" hex of 4
 * digits a character is UCS-2; under "HEX" one pair a character; otherwise hex that decodes
 * as packed septets into printable text is packed (Huawei modems print GSM 7-bit USSD that
 * way whatever +CSCS is), and any other string is the text itself. Control characters other
 * than CR, LF and TAB are dropped; bytes that are not UTF-8 are read as Latin-1.
 * out (size bytes, at least 1) is always NUL-terminated; text that does not fit is cut at a
 * character boundary. Returns the form used (enum pdu_ussd_form).
 */
int pdu_ussd_decode(const char *str, size_t len, int dcs, const char *cscs, char *out, size_t size);

#endif
