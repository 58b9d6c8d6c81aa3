/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal layout of the PDU codec's objects (shared by pdu-*.c and the unit tests). */
#ifndef SMSCTL_PDU_INTERNAL_H
#define SMSCTL_PDU_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <smsctl/error.h>
#include <smsctl/pdu.h>

/* A UDH within 140 octets of user data has at most 70 information elements; further ones in
 * an oversized PDU are still interpreted but not listed. */
#define PDU_MAX_IE 70
/* The longest user data a TP-UDL can describe: 255 septets in 224 octets, or 255 octets. */
#define PDU_MAX_UD 255
/* UTF-8 of the longest text: 255 septets of 3 bytes, or 127 UTF-16 units of 3 bytes. */
#define PDU_MAX_TEXT (255 * 3 + 1)

struct pdu_ie {
	uint8_t iei;
	uint8_t len;
	uint16_t off; /* offset of the IE data in the user data */
};

struct smsctl_pdu {
	enum smsctl_pdu_type type;
	enum smsctl_number_type number_type;
	enum smsctl_coding coding;
	enum smsctl_validity_format validity_format;
	int pid, dcs, msg_class, message_ref, status;
	long validity_minutes;
	bool srr;
	bool compressed;
	bool mwi; /* DCS message-waiting group */
	bool has_concat, has_ports;
	bool concat16; /* the reference came from IEI 8 */
	unsigned concat_ref, concat_total, concat_seq;
	unsigned port_dst, port_src;
	unsigned lang_lock, lang_single; /* national language identifiers applied (0: default) */
	uint8_t number_toa, smsc_toa;
	bool has_smsc, has_timestamp, has_discharge;
	char smsc[48]; /* 11 septets of an alphanumeric address: at most 23 bytes */
	char number[48];
	char timestamp[32];
	char discharge[32];
	size_t n_ie;
	struct pdu_ie ie[PDU_MAX_IE];
	size_t ud_offset;  /* where the user data started in the input (after TP-UDL) */
	size_t end_offset; /* where decoding stopped in the input */
	size_t ud_len;	   /* user data present (UDH included), in octets */
	size_t udh_len;	   /* UDH octets including the UDHL octet; 0 without UDHI */
	const uint8_t *ud;
	const char *text; /* NULL for 8-bit, compressed, or no user data */
	size_t text_len;
	char buf[]; /* the user data copy, then the text */
};

struct smsctl_submit_options {
	char smsc[24]; /* validated: "+digits" or "digits"; empty for the default */
	int msg_class;
	bool status_report;
	unsigned long validity_minutes;
	enum smsctl_coding coding;
	bool ref16;
	unsigned concat_ref;
	unsigned message_ref;
};

/* Parse a number as the CLI contract says: "+digits" (TON international) or "digits" (TON
 * unknown, kept as typed); 1-20 digits. Writes the address field (length in semi-octets,
 * TOA, BCD) to out (12 octets); returns its size, or -1 when the number is invalid.
 * smsc_form writes the SMSC form instead (length in octets including the TOA). */
int pdu_encode_number(const char *number, bool smsc_form, uint8_t *out);

/* Map a relative validity in minutes onto TP-VP (rounded up); -1 when out of range. */
int pdu_validity_to_vp(unsigned long minutes);
/* Minutes of a relative TP-VP. */
long pdu_vp_to_minutes(unsigned vp);

/* Hex helpers. */
int pdu_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len);
void pdu_hex_encode(const uint8_t *data, size_t len, char *out);

#endif
