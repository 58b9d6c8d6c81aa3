/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file smsctl.h
 * libsmsctl: drive GSM/LTE modems over AT commands to send, receive and diagnose SMS.
 *
 * The library is layered; each layer has its header:
 *  - error.h: error codes, smsctl_strerror(), smsctl_error_name();
 *  - pdu.h: the SMS PDU codec (pure, no I/O);
 *  - modem.h: transports and the AT command engine;
 *  - sim.h: the built-in simulated modem;
 *  - codes.h: +CME/+CMS ERROR codes, their meaning and retry class;
 *  - diagnose.h: why SMS do not go out: an ordered walk through the layers, producing findings.
 *
 * Rules that hold everywhere: functions return 0 (or a count) or a negative ::smsctl_error;
 * out-pointers are set to NULL first; objects are opaque, created by `_new()` and freed by
 * `_free()` (which takes NULL); the library never prints, exits or aborts on bad input; and it
 * is thread-aware, not thread-safe: one handle belongs to one thread at a time.
 */
#ifndef SMSCTL_SMSCTL_H
#define SMSCTL_SMSCTL_H

#include <smsctl/version.h>
#include <smsctl/common.h>
#include <smsctl/error.h>
#include <smsctl/pdu.h>
#include <smsctl/modem.h>
#include <smsctl/sim.h>
#include <smsctl/sms.h>
#include <smsctl/diagnose.h>
#include <smsctl/codes.h>
#include <smsctl/ports.h>
#include <smsctl/ussd.h>

#endif
