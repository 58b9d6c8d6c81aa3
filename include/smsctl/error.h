/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file error.h
 * Error codes of libsmsctl.
 *
 * Every operation that can fail returns an `int`: 0 (or a count) on success, one of the
 * negative ::smsctl_error values on failure. The modem's own answer to a failed command
 * (the `+CME ERROR`/`+CMS ERROR` code and the final line) is kept on the handle that ran
 * it until its next command; see modem.h.
 */
#ifndef SMSCTL_ERROR_H
#define SMSCTL_ERROR_H

#include <smsctl/common.h>

SMSCTL_BEGIN_DECLS

/** Error codes. All failures are negative; 0 is success. */
enum smsctl_error {
	SMSCTL_OK = 0,			  /**< success */
	SMSCTL_ERR_INVALID = -1,	  /**< invalid argument */
	SMSCTL_ERR_NOMEM = -2,		  /**< out of memory */
	SMSCTL_ERR_IO = -3,		  /**< I/O error (errno is kept on the handle) */
	SMSCTL_ERR_TIMEOUT = -4,	  /**< no answer within the timeout */
	SMSCTL_ERR_MODEM = -5,		  /**< the modem answered with an error result */
	SMSCTL_ERR_PROTOCOL = -6,	  /**< the modem's answer could not be understood */
	SMSCTL_ERR_UNSUPPORTED = -7,	  /**< not supported by this modem or build */
	SMSCTL_ERR_BUSY = -8,		  /**< the port is locked by another process */
	SMSCTL_ERR_NOT_FOUND = -9,	  /**< no such device or entry */
	SMSCTL_ERR_PERMISSION = -10,	  /**< permission denied */
	SMSCTL_ERR_GONE = -11,		  /**< the modem went away (EOF/EIO: unplugged, rebooted) */
	SMSCTL_ERR_BAD_PDU = -12,	  /**< a PDU is malformed */
	SMSCTL_ERR_TOO_LONG = -13,	  /**< a text or value exceeds a limit (e.g. 255 parts) */
	SMSCTL_ERR_SIM = -14,		  /**< SIM problem: absent, PIN/PUK required, failure */
	SMSCTL_ERR_NETWORK = -15,	  /**< no network: not registered, searching, denied */
	SMSCTL_ERR_REJECTED = -16,	  /**< rejected permanently by the modem or network */
	SMSCTL_ERR_UNKNOWN_OUTCOME = -17, /**< handed over but no answer: may have been sent */
	SMSCTL_ERR_TRANSIENT = -18,	  /**< transient failure, nothing sent: retry later */
	SMSCTL_ERR_NOT_TTY = -19,	  /**< the device is not a terminal */
	SMSCTL_ERR_CANCELLED = -20,	  /**< cancelled by the program (e.g. a callback refused) */
	SMSCTL_ERR_STATE = -21,		  /**< not possible in the current state (e.g. not open) */
};

/** The number of the lowest error value (for tables and tests). */
#define SMSCTL_ERR_LAST SMSCTL_ERR_STATE

/**
 * A human-readable description of an error code, translated through gettext.
 * @param err an ::smsctl_error value (0 included) or any other integer.
 * @return a static string, never NULL; "unknown error" for values outside the enum.
 */
SMSCTL_API const char *smsctl_strerror(int err);

/**
 * The symbolic name of an error code, e.g. "SMSCTL_ERR_TIMEOUT"; never translated.
 * @param err an ::smsctl_error value (0 included) or any other integer.
 * @return a static string, never NULL; "SMSCTL_ERR_UNKNOWN" for values outside the enum.
 */
SMSCTL_API const char *smsctl_error_name(int err);

/**
 * The library's version at run time, e.g. "0.1.0" (compare with SMSCTL_VERSION_STRING).
 * @return a static string.
 */
SMSCTL_API const char *smsctl_version(void);

SMSCTL_END_DECLS

#endif
