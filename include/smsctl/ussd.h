/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ussd.h
 * USSD (unstructured supplementary service data, 3GPP TS 27.007 7.15): `AT+CUSD=1,"CODE",15`
 * and the network's `+CUSD:` answer, decoded by its data coding scheme (TS 23.038 section 5)
 * and the modem's TE character set. Operators answer balance queries (`*100#`) this way.
 *
 * Blocking (runs the handle's event loop). Ownership: a result from smsctl_ussd_send() belongs
 * to the caller, freed with smsctl_ussd_free() (NULL allowed); its strings are borrowed until
 * then.
 * @since 0.6
 */
#ifndef SMSCTL_USSD_H
#define SMSCTL_USSD_H

#include <smsctl/common.h>
#include <smsctl/modem.h>

SMSCTL_BEGIN_DECLS

/** The `<m>` of a `+CUSD:` answer (TS 27.007 7.15). */
enum smsctl_ussd_status {
	SMSCTL_USSD_DONE = 0,		 /**< no further user action required */
	SMSCTL_USSD_ACTION = 1,		 /**< further user action required (a menu is open) */
	SMSCTL_USSD_TERMINATED = 2,	 /**< USSD terminated by the network */
	SMSCTL_USSD_OTHER_CLIENT = 3,	 /**< another local client has responded */
	SMSCTL_USSD_NOT_SUPPORTED = 4,	 /**< operation not supported */
	SMSCTL_USSD_NETWORK_TIMEOUT = 5, /**< network time out */
};

/** A USSD answer (opaque): from smsctl_ussd_send(), freed with smsctl_ussd_free(). */
struct smsctl_ussd;

/**
 * Send a USSD string and wait for the network's answer. A session left open by an earlier
 * answer (status 1) or a request that got no answer is closed with `AT+CUSD=2` first. The
 * answer may come before or after the command's `OK`; an answer with status 2 or 3 that
 * carries text is followed for a moment by the real one some modems send next.
 * @param code the USSD string, e.g. "*100#": 1 to 160 printable ASCII characters without `"`.
 * @param timeout_ms how long to wait for the answer after the command was accepted (0: 30000;
 *        at most 600000). Nothing waits longer.
 * @param out the answer when 0 is returned (free with smsctl_ussd_free()), else NULL.
 * @return 0 when the network answered (also with status 2, 4 or 5: those are answers);
 *         ::SMSCTL_ERR_TIMEOUT when no answer came (the request is then cancelled with
 *         `AT+CUSD=2`); ::SMSCTL_ERR_MODEM when the modem refused the command (`ERROR`,
 *         `+CME ERROR`; smsctl_sms_get_error_detail() says which); ::SMSCTL_ERR_INVALID (bad
 *         code or argument), ::SMSCTL_ERR_GONE, other negative errors.
 */
SMSCTL_API int smsctl_ussd_send(struct smsctl_modem *m, const char *code, unsigned timeout_ms,
				struct smsctl_ussd **out);

/** Close an open USSD session (`AT+CUSD=2`). @return 0, or a negative error. */
SMSCTL_API int smsctl_ussd_cancel(struct smsctl_modem *m);

/** Free an answer; NULL is allowed. */
SMSCTL_API void smsctl_ussd_free(struct smsctl_ussd *u);
/** The status `<m>` (enum smsctl_ussd_status; other values as the modem printed them). */
SMSCTL_API int smsctl_ussd_get_status(const struct smsctl_ussd *u);
/** The decoded text (UTF-8; "" when the answer carried none). Borrowed. */
SMSCTL_API const char *smsctl_ussd_get_text(const struct smsctl_ussd *u);
/** The data coding scheme `<dcs>` (0-255), -1 when the answer gave none. */
SMSCTL_API int smsctl_ussd_get_dcs(const struct smsctl_ussd *u);
/** The `+CUSD:` line as received (several lines joined with LF). Borrowed. */
SMSCTL_API const char *smsctl_ussd_get_raw(const struct smsctl_ussd *u);

/**
 * Decode a USSD string without a modem: str as printed in `+CUSD:` (without the quotes),
 * dcs (-1 when none), cscs the TE character set (NULL when not known).
 * @param out the UTF-8 text (free with free()), NULL on failure.
 * @return 0, ::SMSCTL_ERR_INVALID (NULL str or out), ::SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_ussd_decode(const char *str, int dcs, const char *cscs, char **out);

/**
 * The amount in an operator's balance answer ("您的账户余额为12.50元" gives 12.5).
 * @param text the answer (UTF-8).
 * @param regex a PCRE2 pattern whose first capture group (else the whole match) holds the
 *        amount, NULL or "" for the first number in text. At most 512 bytes; its matching is
 *        bounded.
 * @param amount the number: ',' or '.' followed by 1-2 digits at its end is the decimal
 *        point, other ',' group thousands.
 * @return 0; ::SMSCTL_ERR_NOT_FOUND (no match or no number); ::SMSCTL_ERR_INVALID (NULL
 *         argument, a pattern that does not compile); ::SMSCTL_ERR_TOO_LONG; ::SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_balance_parse(const char *text, const char *regex, double *amount);

SMSCTL_END_DECLS

#endif
