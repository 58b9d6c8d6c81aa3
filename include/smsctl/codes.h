/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file codes.h
 * The modem's own error codes: `+CME ERROR` (3GPP TS 27.007 clause 9.2) and `+CMS ERROR`
 * (3GPP TS 27.005 clause 3.2.5, whose values 0..255 are the RP and TP cause values of
 * TS 24.011 annex E and TS 23.040 clause 9.2.3.22), with their 3GPP meaning and whether a
 * failed send is worth retrying.
 *
 * The retry rule follows the project contract: transient are 38, 41, 42, 47, 314 (SIM busy)
 * and 331/332 while registered; 330, 331, 332 and 500 (and vendor codes >= 512) need a look
 * at the cause (registration, SMSC) before deciding; every other code is permanent.
 *
 * All strings returned are static and translated through gettext (the library's domain).
 * Thread-safe: the tables are constant.
 */
#ifndef SMSCTL_CODES_H
#define SMSCTL_CODES_H

#include <smsctl/common.h>

SMSCTL_BEGIN_DECLS

/** Whether a failed send is worth retrying. */
enum smsctl_retry_class {
	SMSCTL_RETRY_PERMANENT = 1, /**< do not retry: the same submission fails again */
	SMSCTL_RETRY_TRANSIENT = 2, /**< nothing was sent; retrying later is worth it */
	SMSCTL_RETRY_INSPECT = 3, /**< look at registration and SMSC first (330-332, 500, >= 512) */
};

/**
 * The 3GPP meaning of a `+CMS ERROR` code.
 * @param code the number after `+CMS ERROR:` (0..255 RP/TP causes, 300..340, 500, vendor >= 512).
 * @return a static translated string, never NULL: "unknown error" for codes 3GPP does not
 *         define, "vendor specific error" for 512..
 * @since 0.1
 */
SMSCTL_API const char *smsctl_cms_error_describe(int code);

/**
 * The 3GPP meaning of a `+CME ERROR` code.
 * @param code the number after `+CME ERROR:`.
 * @return a static translated string, never NULL ("unknown error" when not defined).
 * @since 0.1
 */
SMSCTL_API const char *smsctl_cme_error_describe(int code);

/**
 * A vendor's meaning of a `+CMS ERROR` code >= 512, for a known vendor.
 * @param vendor a manufacturer as the modem names it (`AT+CGMI`), matched case-insensitively
 *        by its start ("huawei", "quectel", "simcom", "sierra", "telit", "u-blox", ...).
 * @return a static translated string, or NULL when the vendor or the code is not known.
 * @since 0.1
 */
SMSCTL_API const char *smsctl_cms_error_describe_vendor(int code, const char *vendor);

/**
 * Whether a send that failed with `+CMS ERROR: code` is worth retrying (see the retry rule
 * above).
 * @return ::SMSCTL_RETRY_TRANSIENT, ::SMSCTL_RETRY_INSPECT or ::SMSCTL_RETRY_PERMANENT.
 * @since 0.1
 */
SMSCTL_API enum smsctl_retry_class smsctl_cms_error_class(int code);

/**
 * Whether a command that failed with `+CME ERROR: code` is worth retrying (14 SIM busy:
 * transient; 30, 31 and 100: inspect; others permanent).
 * @return ::SMSCTL_RETRY_TRANSIENT, ::SMSCTL_RETRY_INSPECT or ::SMSCTL_RETRY_PERMANENT.
 * @since 0.1
 */
SMSCTL_API enum smsctl_retry_class smsctl_cme_error_class(int code);

/**
 * Map a verbose error text (`+CME ERROR: SIM not inserted`) to its number (10).
 * @param text the text after `ERROR: `; only letters and digits are compared, without case,
 *        and a `(U)` before SIM is dropped ("(U)SIM not inserted." matches).
 * @return the code, or -1 when the text is not one of the 3GPP texts.
 * @since 0.1
 */
SMSCTL_API int smsctl_cme_error_from_text(const char *text);
/** As smsctl_cme_error_from_text() for `+CMS ERROR` texts. @since 0.1 */
SMSCTL_API int smsctl_cms_error_from_text(const char *text);

SMSCTL_END_DECLS

#endif
