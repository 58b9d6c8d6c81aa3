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
/* --- end receive and storage --- */

SMSCTL_END_DECLS

#endif
