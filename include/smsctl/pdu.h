/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pdu.h
 * The SMS PDU codec (3GPP TS 23.040, alphabets of TS 23.038).
 *
 * Pure functions over memory: no modem, no I/O, no global state. Text in and out is UTF-8.
 * Everything decoded comes from outside and is treated as hostile: every length is checked
 * against the buffer, and a PDU that cannot be decoded yields ::SMSCTL_ERR_BAD_PDU with a
 * static reason string, never partial text.
 *
 * Ownership: objects returned through an out-pointer belong to the caller and are freed
 * with the matching `_free()` function (which accepts NULL). Strings returned by getters are
 * borrowed from their object and stay valid until it is freed. Out-pointers are set to NULL
 * first.
 */
#ifndef SMSCTL_PDU_H
#define SMSCTL_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <smsctl/common.h>

SMSCTL_BEGIN_DECLS

/** The kind of TPDU (TP-MTI and direction). */
enum smsctl_pdu_type {
	SMSCTL_PDU_DELIVER = 1,	      /**< SMS-DELIVER (network to phone) */
	SMSCTL_PDU_SUBMIT = 2,	      /**< SMS-SUBMIT (phone to network) */
	SMSCTL_PDU_STATUS_REPORT = 3, /**< SMS-STATUS-REPORT */
};

/** The user-data alphabet (TS 23.038). */
enum smsctl_coding {
	SMSCTL_CODING_AUTO =
	    0, /**< encoding only: GSM 7-bit when every character fits, else UCS-2 */
	SMSCTL_CODING_GSM7 = 1, /**< GSM 7-bit default alphabet (with national tables) */
	SMSCTL_CODING_8BIT = 2, /**< 8-bit data */
	SMSCTL_CODING_UCS2 = 3, /**< UCS-2 / UTF-16 */
};

/** Type of number (TON of TS 23.040 9.1.2.5). */
enum smsctl_number_type {
	SMSCTL_NUMBER_UNKNOWN = 0,	    /**< TON 0: unknown (digits as dialled) */
	SMSCTL_NUMBER_INTERNATIONAL = 1,    /**< TON 1: international (shown with `+`) */
	SMSCTL_NUMBER_NATIONAL = 2,	    /**< TON 2: national */
	SMSCTL_NUMBER_NETWORK_SPECIFIC = 3, /**< TON 3: network specific (short codes) */
	SMSCTL_NUMBER_SUBSCRIBER = 4,	    /**< TON 4: subscriber number */
	SMSCTL_NUMBER_ALPHANUMERIC = 5,	    /**< TON 5: alphanumeric (GSM 7-bit name) */
	SMSCTL_NUMBER_ABBREVIATED = 6,	    /**< TON 6: abbreviated number */
	SMSCTL_NUMBER_RESERVED = 7,	    /**< TON 7: reserved value */
};

/** Format of TP-VP (TP-VPF of TS 23.040 9.2.3.3). */
enum smsctl_validity_format {
	SMSCTL_VALIDITY_NONE = 0,     /**< no TP-VP (also every PDU that is not a submit) */
	SMSCTL_VALIDITY_ENHANCED = 1, /**< enhanced format (7 octets) */
	SMSCTL_VALIDITY_RELATIVE = 2, /**< relative format (1 octet) */
	SMSCTL_VALIDITY_ABSOLUTE = 3, /**< absolute time (7 octets, like a timestamp) */
};

/** A decoded PDU (opaque): smsctl_pdu_decode_hex() or smsctl_pdu_decode(), freed with
 *  smsctl_pdu_free(); also borrowed from a message or a stored message. */
struct smsctl_pdu;

/**
 * Decode one PDU given as hex (upper or lower case, no separators).
 * @param hex NUL-terminated hex string.
 * @param smsc_included true when the PDU starts with the SMSC address (as `+CMGR`/`+CMGL`/
 *        `+CMT` give it), false for a bare TPDU.
 * @param out set to the decoded PDU on success (free with smsctl_pdu_free()), else NULL.
 * @param reason if not NULL, set to a static English reason on failure, else NULL.
 * @return 0, ::SMSCTL_ERR_INVALID (NULL argument), ::SMSCTL_ERR_BAD_PDU or ::SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_pdu_decode_hex(const char *hex, bool smsc_included, struct smsctl_pdu **out,
				     const char **reason);

/** As smsctl_pdu_decode_hex() for raw bytes (data of len bytes, borrowed for the call). */
SMSCTL_API int smsctl_pdu_decode(const uint8_t *data, size_t len, bool smsc_included,
				 struct smsctl_pdu **out, const char **reason);

/** Free a decoded PDU; NULL is allowed. */
SMSCTL_API void smsctl_pdu_free(struct smsctl_pdu *pdu);

/** The kind of TPDU. */
SMSCTL_API enum smsctl_pdu_type smsctl_pdu_get_type(const struct smsctl_pdu *pdu);
/** The SMSC address ("+316..."), NULL when absent or the `00` default. Borrowed. */
SMSCTL_API const char *smsctl_pdu_get_smsc(const struct smsctl_pdu *pdu);
/** Originator (deliver), destination (submit) or recipient (status report); `+` prefix when
 *  international; alphanumeric senders decoded to UTF-8. Borrowed, never NULL. */
SMSCTL_API const char *smsctl_pdu_get_number(const struct smsctl_pdu *pdu);
/** The type of number of smsctl_pdu_get_number(). */
SMSCTL_API enum smsctl_number_type smsctl_pdu_get_number_type(const struct smsctl_pdu *pdu);
/** TP-PID, or -1 when the PDU has none (status report without it). */
SMSCTL_API int smsctl_pdu_get_pid(const struct smsctl_pdu *pdu);
/** TP-DCS, or -1 when the PDU has none. */
SMSCTL_API int smsctl_pdu_get_dcs(const struct smsctl_pdu *pdu);
/** The alphabet of the user data, from the DCS. */
SMSCTL_API enum smsctl_coding smsctl_pdu_get_coding(const struct smsctl_pdu *pdu);
/** Message class 0-3, or -1 when the DCS gives none. */
SMSCTL_API int smsctl_pdu_get_class(const struct smsctl_pdu *pdu);
/** The text (UTF-8, without the UDH), or NULL for 8-bit data and PDUs without user data.
 *  Borrowed. */
SMSCTL_API const char *smsctl_pdu_get_text(const struct smsctl_pdu *pdu);
/** The user data without the UDH (the 8-bit payload); *len set to its length. Borrowed. */
SMSCTL_API const uint8_t *smsctl_pdu_get_data(const struct smsctl_pdu *pdu, size_t *len);
/** Number of UDH information elements. */
SMSCTL_API size_t smsctl_pdu_get_udh_count(const struct smsctl_pdu *pdu);
/** The i-th UDH IE: returns its IEI (0-255) and sets *data (borrowed) and *len, or returns -1
 *  when out of range. */
SMSCTL_API int smsctl_pdu_get_udh_ie(const struct smsctl_pdu *pdu, size_t i, const uint8_t **data,
				     size_t *len);
/** Concatenation info: the reference (8- or 16-bit), the number of parts and this part's
 *  sequence number (from 1); returns false when the PDU is not a part of a concatenated
 *  message. */
SMSCTL_API bool smsctl_pdu_get_concat(const struct smsctl_pdu *pdu, unsigned *ref, unsigned *total,
				      unsigned *seq);
/** Application port addressing (IEI 4 or 5): destination and source port; returns false
 *  when absent. */
SMSCTL_API bool smsctl_pdu_get_ports(const struct smsctl_pdu *pdu, unsigned *dst, unsigned *src);
/** Service-centre timestamp as ISO 8601 local time with offset ("2026-11-22T19:30:05+08:00"),
 *  NULL when the PDU has none. Borrowed. */
SMSCTL_API const char *smsctl_pdu_get_timestamp(const struct smsctl_pdu *pdu);
/** Discharge time of a status report in the same form, else NULL. Borrowed. */
SMSCTL_API const char *smsctl_pdu_get_discharge_time(const struct smsctl_pdu *pdu);
/** The format of TP-VP (::SMSCTL_VALIDITY_NONE when absent). */
SMSCTL_API enum smsctl_validity_format smsctl_pdu_get_validity_format(const struct smsctl_pdu *pdu);
/** Relative validity in minutes (relative and enhanced-relative formats), else -1. */
SMSCTL_API long smsctl_pdu_get_validity_minutes(const struct smsctl_pdu *pdu);
/** TP-MR of a submit or status report, else -1. */
SMSCTL_API int smsctl_pdu_get_message_ref(const struct smsctl_pdu *pdu);
/** TP-SRR (submit), TP-SRI (deliver) or TP-SRQ (status report). */
SMSCTL_API bool smsctl_pdu_get_status_report_request(const struct smsctl_pdu *pdu);
/** TP-ST of a status report (0-255), else -1. */
SMSCTL_API int smsctl_pdu_get_status(const struct smsctl_pdu *pdu);
/** English meaning of a TP-ST value (TS 23.040 9.2.3.15), static, never NULL ("not a
 *  status" outside 0-255). */
SMSCTL_API const char *smsctl_pdu_status_describe(int status);

/* ---- Encoding ---- */

/** Options for encoding an SMS-SUBMIT (opaque): smsctl_submit_options_new(), freed with
 *  smsctl_submit_options_free(); NULL means the defaults. */
struct smsctl_submit_options;

/** @return new options with the defaults (free with smsctl_submit_options_free()), NULL
 *  without memory. */
SMSCTL_API struct smsctl_submit_options *smsctl_submit_options_new(void);
/** Free options; NULL is allowed. */
SMSCTL_API void smsctl_submit_options_free(struct smsctl_submit_options *opts);
/*
 * The setters below return 0, or ::SMSCTL_ERR_INVALID for a NULL opts or a value out of range.
 */
/** SMSC to put in front of the TPDU (`+` and digits, or digits; copied); NULL or "" (default)
 *  writes the `00` "use the stored one". */
SMSCTL_API int smsctl_submit_options_set_smsc(struct smsctl_submit_options *opts, const char *smsc);
/** Message class 0-3, or -1 for none (default). Class 0 is a flash SMS. */
SMSCTL_API int smsctl_submit_options_set_class(struct smsctl_submit_options *opts, int msg_class);
/** Request a status report (TP-SRR); default false. */
SMSCTL_API int smsctl_submit_options_set_status_report(struct smsctl_submit_options *opts, bool on);
/** Relative validity in minutes (up to 63 weeks; rounded up to the next step the format
 *  has, at least 5 minutes); 0 = none (default). */
SMSCTL_API int smsctl_submit_options_set_validity(struct smsctl_submit_options *opts,
						  unsigned long minutes);
/** Force a coding (with ::SMSCTL_CODING_GSM7, encoding fails with ::SMSCTL_ERR_INVALID if a
 *  character does not fit); default ::SMSCTL_CODING_AUTO. */
SMSCTL_API int smsctl_submit_options_set_coding(struct smsctl_submit_options *opts,
						enum smsctl_coding coding);
/** Use the 16-bit concatenation reference IE (IEI 8) instead of the 8-bit one (IEI 0). */
SMSCTL_API int smsctl_submit_options_set_16bit_ref(struct smsctl_submit_options *opts, bool on);
/** The concatenation reference to use, 0-65535 (0-255 with the 8-bit IE; default 0; callers
 *  sending many should vary it). */
SMSCTL_API int smsctl_submit_options_set_concat_ref(struct smsctl_submit_options *opts,
						    unsigned ref);
/** TP-MR to write, 0-255 (default 0: the modem assigns its own). */
SMSCTL_API int smsctl_submit_options_set_message_ref(struct smsctl_submit_options *opts,
						     unsigned mr);

/** The encoded parts of one message (opaque): smsctl_pdu_encode_submit() or
 *  smsctl_pdu_encode_deliver(), freed with smsctl_encoded_free(). */
struct smsctl_encoded;

/**
 * Encode a text as one or more SMS-SUBMIT PDUs.
 * @param number destination: `+` and digits (international), digits (TON unknown, sent as
 *        typed), or a short code. Anything else is ::SMSCTL_ERR_INVALID.
 * @param text UTF-8 text (invalid UTF-8 is ::SMSCTL_ERR_INVALID); may be empty.
 * @param opts options or NULL.
 * @param out the parts on success (free with smsctl_encoded_free()), else NULL.
 * @return 0, ::SMSCTL_ERR_INVALID, ::SMSCTL_ERR_TOO_LONG (more than 255 parts), ::SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_pdu_encode_submit(const char *number, const char *text,
					const struct smsctl_submit_options *opts,
					struct smsctl_encoded **out);
/** Free encoded parts; NULL is allowed. */
SMSCTL_API void smsctl_encoded_free(struct smsctl_encoded *enc);
/** Number of parts (1 to 255). */
SMSCTL_API size_t smsctl_encoded_get_count(const struct smsctl_encoded *enc);
/** Coding chosen for the message. */
SMSCTL_API enum smsctl_coding smsctl_encoded_get_coding(const struct smsctl_encoded *enc);
/** Part i as upper-case hex, SMSC-prefixed (as AT+CMGS wants). Borrowed; NULL if out of range. */
SMSCTL_API const char *smsctl_encoded_get_hex(const struct smsctl_encoded *enc, size_t i);
/** Part i as bytes, SMSC-prefixed; *len set to their number. Borrowed; NULL if out of range. */
SMSCTL_API const uint8_t *smsctl_encoded_get_bytes(const struct smsctl_encoded *enc, size_t i,
						   size_t *len);
/** The TPDU length of part i (the number `AT+CMGS=` needs: without the SMSC), -1 if out of range. */
SMSCTL_API int smsctl_encoded_get_tpdu_length(const struct smsctl_encoded *enc, size_t i);

/**
 * Encode an SMS-DELIVER (what a network sends), used by the simulated modem and by tests.
 * @param originator `+` and digits, digits, or an alphanumeric sender (up to 11 characters).
 * @param text UTF-8 text; split into concatenated parts as needed.
 * @param timestamp "YYYY-MM-DDTHH:MM:SS+HH:MM" or NULL for 2000-01-01T00:00:00+00:00.
 * @param opts coding, class, SMSC prefix, TP-SRI (status report option) and concatenation
 *        options, or NULL; the validity is ignored.
 * @param out the parts, as for smsctl_pdu_encode_submit().
 * @return as smsctl_pdu_encode_submit().
 */
SMSCTL_API int smsctl_pdu_encode_deliver(const char *originator, const char *text,
					 const char *timestamp,
					 const struct smsctl_submit_options *opts,
					 struct smsctl_encoded **out);

/* ---- Reassembly of concatenated messages ---- */

/** Groups parts by type, originator, reference and total (opaque): smsctl_reassembler_new(),
 *  freed with smsctl_reassembler_free(). */
struct smsctl_reassembler;
/** A reassembled (or incomplete) message (opaque): from smsctl_reassembler_add() or
 *  smsctl_reassembler_take_expired(), freed with smsctl_message_free(); borrowed when obtained
 *  from smsctl_received_get_message(). */
struct smsctl_message;

/** @return a new, empty reassembler (free with smsctl_reassembler_free()), NULL without
 *  memory. */
SMSCTL_API struct smsctl_reassembler *smsctl_reassembler_new(void);
/** Free the reassembler and every part it still holds; NULL is allowed. */
SMSCTL_API void smsctl_reassembler_free(struct smsctl_reassembler *r);
/**
 * Add a decoded deliver PDU.
 * @param pdu the part; the reassembler takes ownership (even on failure).
 * @param tag a caller value kept with the part (e.g. the storage index), reported back by
 *        smsctl_message_get_part_tag().
 * @param now the caller's clock in seconds (for age limits).
 * @param out required; set to a complete message when this part completed one (free with
 *        smsctl_message_free()), else NULL. A PDU that is not concatenated completes at once.
 * @return 0; ::SMSCTL_ERR_INVALID (NULL argument, or a duplicate part with the same sequence,
 *         which is dropped); ::SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_reassembler_add(struct smsctl_reassembler *r, struct smsctl_pdu *pdu,
				      long tag, long now, struct smsctl_message **out);
/** Take one message whose first part is older than now - max_age seconds, marked incomplete
 *  (free with smsctl_message_free()); NULL when none. Call repeatedly to drain. */
SMSCTL_API struct smsctl_message *smsctl_reassembler_take_expired(struct smsctl_reassembler *r,
								  long now, long max_age);
/** Number of incomplete messages held. */
SMSCTL_API size_t smsctl_reassembler_get_pending(const struct smsctl_reassembler *r);

/** Free a message and its parts; NULL is allowed. */
SMSCTL_API void smsctl_message_free(struct smsctl_message *msg);
/** Whether every part is present. */
SMSCTL_API bool smsctl_message_is_complete(const struct smsctl_message *msg);
/** The text of all parts present, in order (missing parts left out). Borrowed. */
SMSCTL_API const char *smsctl_message_get_text(const struct smsctl_message *msg);
/** The originator, as smsctl_pdu_get_number(). Borrowed. */
SMSCTL_API const char *smsctl_message_get_number(const struct smsctl_message *msg);
/** Total parts expected (1 for a single message). */
SMSCTL_API unsigned smsctl_message_get_total(const struct smsctl_message *msg);
/** Number of parts present. */
SMSCTL_API size_t smsctl_message_get_part_count(const struct smsctl_message *msg);
/** The i-th present part in order (borrowed), NULL if out of range. */
SMSCTL_API const struct smsctl_pdu *smsctl_message_get_part(const struct smsctl_message *msg,
							    size_t i);
/** The tag given with the i-th present part.
 *  @param tag set to the tag (left untouched on failure).
 *  @return 0; ::SMSCTL_ERR_INVALID when msg or tag is NULL or i is out of range. */
SMSCTL_API int smsctl_message_get_part_tag(const struct smsctl_message *msg, size_t i, long *tag);

SMSCTL_END_DECLS

#endif
