/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sms.h
 * SMS operations on an open modem: prepare, send, receive, list, read, delete, status.
 *
 * Operations run on a handle from modem.h and use only its command API. They are blocking
 * (they run the handle's event loop) unless stated otherwise.
 *
 * Ownership: result objects returned through out-pointers belong to the caller and are freed
 * with their `_free()` function (NULL allowed); strings from getters are borrowed until then.
 */
#ifndef SMSCTL_SMS_H
#define SMSCTL_SMS_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/common.h>
#include <smsctl/modem.h>
#include <smsctl/pdu.h>

SMSCTL_BEGIN_DECLS

/**
 * Make the modem predictable for SMS work with the fewest commands: echo off, numeric errors
 * (+CMEE=1), PDU mode (+CMGF=0), each sent only when needed and chained on one line where the
 * modem allows it; then unlock the SIM with pin when it asks for one. Idempotent: a second
 * call on the same handle sends nothing.
 * @param pin the SIM PIN or NULL; never traced (masked).
 * @return 0; ::SMSCTL_ERR_SIM (absent, PIN needed and none given or wrong, PUK, failure);
 *         ::SMSCTL_ERR_TIMEOUT; ::SMSCTL_ERR_GONE; other negative errors.
 */
SMSCTL_API int smsctl_sms_prepare(struct smsctl_modem *m, const char *pin);

/* --- send (owner: send) --- */
/* --- end send --- */

/* --- receive and storage (owner: recv) --- */

/*
 * Stored messages.
 *
 * A modem keeps received (and written) messages in memories named by two letters: "SM" (the
 * SIM), "ME" (the modem's own), "MT" (both, as one: SM and ME combined), "SR" (status
 * reports). Indexes belong to a memory; some modems (Huawei) count from 0, others from 1.
 * Reading or deleting in another memory than the current read memory switches it with
 * AT+CPMS and switches it back before returning, so the modem's setting is left as found.
 */

/** A message's status in storage (TS 27.005 <stat>), or a filter for listing. */
enum smsctl_sms_status {
	SMSCTL_SMS_UNREAD = 1, /**< received, not yet read (stat 0, "REC UNREAD") */
	SMSCTL_SMS_READ = 2,   /**< received and read (stat 1, "REC READ") */
	SMSCTL_SMS_UNSENT = 3, /**< stored, not sent (stat 2, "STO UNSENT") */
	SMSCTL_SMS_SENT = 4,   /**< stored and sent (stat 3, "STO SENT") */
	SMSCTL_SMS_ALL = 5,    /**< filter only: every message (stat 4, "ALL") */
};

/** A message as stored on the modem (opaque). */
struct smsctl_stored;
/** A list of stored messages (opaque). */
struct smsctl_stored_list;

/** English name of a status ("unread", "read", "unsent", "sent", "all"), static; "" if
 *  unknown. */
SMSCTL_API const char *smsctl_sms_status_name(enum smsctl_sms_status status);
/** Parse "unread", "read", "unsent", "sent" or "all"; 0 when s is none of them. */
SMSCTL_API enum smsctl_sms_status smsctl_sms_status_from_name(const char *s);

/**
 * The memories the modem can read messages from (the first list of AT+CPMS=?), each once, in
 * the modem's order. "MT" is left out when both "SM" and "ME" are there (it is their union),
 * and so are "SR" and "BM" (status reports and broadcasts are not SMS-DELIVERs).
 * @param out set to a NULL-terminated array of strings; free it with smsctl_sms_storages_free().
 * @return the number of memories, or a negative error.
 */
SMSCTL_API int smsctl_sms_get_storages(struct smsctl_modem *m, char ***out);
/** Free the array of smsctl_sms_get_storages(); NULL is allowed. */
SMSCTL_API void smsctl_sms_storages_free(char **storages);

/**
 * List stored messages (AT+CMGL in PDU mode). Listing with ::SMSCTL_SMS_UNREAD or
 * ::SMSCTL_SMS_ALL marks unread messages read, as every modem does.
 * @param mem a memory ("SM", "ME", "MT"...), or NULL for every memory that
 *        smsctl_sms_get_storages() names.
 * @param filter which messages.
 * @param out the list (free with smsctl_stored_list_free()), else NULL. Messages whose PDU
 *        does not decode are in the list with a NULL PDU.
 * @return the number of messages; ::SMSCTL_ERR_INVALID; ::SMSCTL_ERR_UNSUPPORTED (memory
 *         unknown to the modem); ::SMSCTL_ERR_MODEM; ::SMSCTL_ERR_TIMEOUT; ::SMSCTL_ERR_GONE...
 */
SMSCTL_API int smsctl_sms_list(struct smsctl_modem *m, const char *mem,
			       enum smsctl_sms_status filter, struct smsctl_stored_list **out);

/**
 * Read one stored message (AT+CMGR). Reading an unread message marks it read.
 * @param mem the memory, or NULL for the current read memory.
 * @param index its index (0 is valid: Huawei).
 * @param out the message (free with smsctl_stored_free()), else NULL.
 * @return 0; ::SMSCTL_ERR_NOT_FOUND when the index is empty or out of range; other errors.
 */
SMSCTL_API int smsctl_sms_read(struct smsctl_modem *m, const char *mem, int index,
			       struct smsctl_stored **out);

/**
 * Delete one stored message (AT+CMGD=index).
 * @param mem the memory, or NULL for the current read memory.
 * @return 0; ::SMSCTL_ERR_NOT_FOUND when the index is out of range; other errors.
 */
SMSCTL_API int smsctl_sms_delete(struct smsctl_modem *m, const char *mem, int index);

/**
 * Delete every message of a memory: AT+CMGD=1,4, or, where the modem refuses that form,
 * listing and deleting each index.
 * @param mem the memory, or NULL for every memory smsctl_sms_get_storages() names.
 * @return 0 or a negative error.
 */
SMSCTL_API int smsctl_sms_delete_all(struct smsctl_modem *m, const char *mem);

SMSCTL_API void smsctl_stored_free(struct smsctl_stored *s);
/** The memory ("SM"...). Borrowed. */
SMSCTL_API const char *smsctl_stored_get_storage(const struct smsctl_stored *s);
SMSCTL_API int smsctl_stored_get_index(const struct smsctl_stored *s);
SMSCTL_API enum smsctl_sms_status smsctl_stored_get_status(const struct smsctl_stored *s);
/** The decoded PDU (borrowed), NULL when it did not decode (see
 *  smsctl_stored_get_decode_error()). */
SMSCTL_API const struct smsctl_pdu *smsctl_stored_get_pdu(const struct smsctl_stored *s);
/** The PDU as the modem gave it (hex, SMSC-prefixed). Borrowed, never NULL. */
SMSCTL_API const char *smsctl_stored_get_hex(const struct smsctl_stored *s);
/** Why the PDU did not decode (static English), NULL when it did. */
SMSCTL_API const char *smsctl_stored_get_decode_error(const struct smsctl_stored *s);

SMSCTL_API void smsctl_stored_list_free(struct smsctl_stored_list *list);
SMSCTL_API size_t smsctl_stored_list_get_count(const struct smsctl_stored_list *list);
/** The i-th message (borrowed), NULL if out of range. In memory order, then index order. */
SMSCTL_API const struct smsctl_stored *smsctl_stored_list_get(const struct smsctl_stored_list *list,
							      size_t i);

/*
 * Receiving.
 *
 * A receiver configures the modem's new-message indications (AT+CNMI), reads what already
 * waits in every memory when started, and then reacts to +CMTI (stored, announced) or +CMT
 * (delivered directly) indications. Parts of concatenated messages are put together
 * (out of order, several senders interleaved, 8- and 16-bit references). Each complete
 * message is handed to the program's callback; its stored parts are deleted only after the
 * callback accepted it (returned 0), so a crash, an unplug or a full disk loses nothing: a
 * refused message stays on the modem and is handed over again on the next run, never twice
 * within one run. Parts of a message still incomplete after the maximum age are handed over
 * marked incomplete.
 *
 * Event loops: poll smsctl_modem_get_fd() with smsctl_receiver_get_timeout(), then call
 * smsctl_receiver_process(). smsctl_receiver_run() does the same for a given time.
 * Callbacks run inside smsctl_receiver_start(), _process() and _run(); they must not free the
 * receiver or the modem.
 */

/** How new messages reach the receiver. */
enum smsctl_receive_mode {
	/** Stored by the modem and announced with +CMTI (AT+CNMI=2,1): nothing is lost if the
	 *  program is not running. The default. */
	SMSCTL_RECEIVE_STORED = 1,
	/** Delivered in the indication (+CMT, AT+CNMI=2,2) and acknowledged with AT+CNMA where
	 *  the modem needs it (AT+CSMS=1). A single message refused by the callback is
	 *  acknowledged negatively so the network delivers it again later; parts of a
	 *  concatenated message are held in memory only. */
	SMSCTL_RECEIVE_DIRECT = 2,
};

/** A received message handed to the callback (opaque, borrowed for the call). */
struct smsctl_received;
struct smsctl_receiver;

/**
 * The program's callback.
 * @return 0 to accept the message (its stored parts are then deleted), anything else to
 *         refuse it (it stays stored; it is handed over again on the next run).
 */
typedef int (*smsctl_receive_fn)(void *userdata, const struct smsctl_received *msg);

/** The reassembled message (borrowed): text, number and parts, see pdu.h. */
SMSCTL_API const struct smsctl_message *smsctl_received_get_message(
	const struct smsctl_received *msg);
/** Whether every part is there (false: handed over after the maximum age). */
SMSCTL_API bool smsctl_received_is_complete(const struct smsctl_received *msg);
/** Number of parts present. */
SMSCTL_API size_t smsctl_received_get_part_count(const struct smsctl_received *msg);
/** Memory of the i-th present part, NULL when it came in a +CMT (not stored). Borrowed. */
SMSCTL_API const char *smsctl_received_get_part_storage(const struct smsctl_received *msg,
							size_t i);
/** Index of the i-th present part, -1 when it came in a +CMT (not stored). */
SMSCTL_API int smsctl_received_get_part_index(const struct smsctl_received *msg, size_t i);

/**
 * Create a receiver on an open modem; nothing is sent yet.
 * @param m the modem (borrowed: it must outlive the receiver).
 * @param fn the callback; userdata is passed to it.
 * @param out the receiver (free with smsctl_receiver_free()), else NULL.
 * @return 0, ::SMSCTL_ERR_INVALID, ::SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_receiver_new(struct smsctl_modem *m, smsctl_receive_fn fn, void *userdata,
				   struct smsctl_receiver **out);
/** Remove the URC handlers and free the receiver (incomplete parts stay stored); NULL is
 *  allowed. */
SMSCTL_API void smsctl_receiver_free(struct smsctl_receiver *rx);
/** How messages arrive (before smsctl_receiver_start()); default ::SMSCTL_RECEIVE_STORED. */
SMSCTL_API int smsctl_receiver_set_mode(struct smsctl_receiver *rx, enum smsctl_receive_mode mode);
/** Read only this memory at start (and leave the others), NULL for every memory (default). */
SMSCTL_API int smsctl_receiver_set_storage(struct smsctl_receiver *rx, const char *mem);
/** Seconds after which an incomplete message is handed over marked incomplete (default 86400;
 *  0 hands incomplete messages over at the end of every start/process call). */
SMSCTL_API int smsctl_receiver_set_max_age(struct smsctl_receiver *rx, unsigned long seconds);
/** Whether to configure AT+CNMI at start (default true; false leaves it as it is, useful for
 *  reading what is stored and leaving). */
SMSCTL_API int smsctl_receiver_set_indications(struct smsctl_receiver *rx, bool on);

/**
 * Configure the indications, register the URC handlers and hand over every message already
 * stored in every memory (or the one chosen).
 * @return the number of messages accepted by the callback, or a negative error
 *         (::SMSCTL_ERR_GONE: the modem went away; nothing accepted was lost, nothing
 *         refused was deleted).
 */
SMSCTL_API int smsctl_receiver_start(struct smsctl_receiver *rx);
/**
 * Run the modem's loop once without blocking (smsctl_modem_process()) and handle what
 * arrived: read announced messages, hand complete ones over, delete accepted ones, hand over
 * incomplete ones past the maximum age.
 * @return the number of messages accepted, or a negative error.
 */
SMSCTL_API int smsctl_receiver_process(struct smsctl_receiver *rx);
/** Milliseconds until the receiver needs smsctl_receiver_process() even without input (the
 *  modem's deadline or the next incomplete message's age limit), -1 when none. */
SMSCTL_API int smsctl_receiver_get_timeout(const struct smsctl_receiver *rx);
/**
 * Block for timeout_ms (-1: until an error) handling messages as they arrive.
 * @return the number of messages accepted, or a negative error (::SMSCTL_ERR_GONE).
 */
SMSCTL_API int smsctl_receiver_run(struct smsctl_receiver *rx, int timeout_ms);
/** Hand over every incomplete message now, marked incomplete. @return the number accepted
 *  or a negative error. */
SMSCTL_API int smsctl_receiver_flush(struct smsctl_receiver *rx);
/** Number of messages accepted, and refused, since the receiver was created. */
SMSCTL_API unsigned long smsctl_receiver_get_accepted(const struct smsctl_receiver *rx);
SMSCTL_API unsigned long smsctl_receiver_get_refused(const struct smsctl_receiver *rx);
/** Number of incomplete messages held. */
SMSCTL_API size_t smsctl_receiver_get_pending(const struct smsctl_receiver *rx);
/* --- end receive and storage --- */

SMSCTL_END_DECLS

#endif
