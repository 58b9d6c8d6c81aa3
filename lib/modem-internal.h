/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: a modem handle over a transport the caller already opened (tests, fuzzing,
 * benchmarks). */
#ifndef SMSCTL_MODEM_INTERNAL_H
#define SMSCTL_MODEM_INTERNAL_H

#include <smsctl/modem.h>

#include "transport/transport.h"

/* The handle owns t from now on, also on failure. The device string is name. */
int modem_new_from_transport(const char *name, struct transport *t,
			     const struct smsctl_modem_options *opts, struct smsctl_modem **out);

/* Bytes received since the handle was created, and of them those dropped as line noise
 * (a wrong baud rate, a noisy line); for the diagnosis. */
unsigned long modem_get_noise(const struct smsctl_modem *m, unsigned long *received);

/* A copy of a device string fit for a trace or a report: the values of pin= and puk= (sim:
 * keys) are replaced by asterisks, so a PIN never reaches a log. Truncated to size. */
void modem_mask_device(const char *dev, char *out, size_t size);

/* smsctl_modem_command() for a command whose answer may end without a final result
 * (Wavecom's AT+CPIN?): once its information line has come, a short silence ends it with
 * SMSCTL_RESULT_OK and an empty final line, without waiting timeout_ms nor resynchronising. */
int modem_command_info_ends(struct smsctl_modem *m, const char *cmd, int timeout_ms,
			    struct smsctl_response **out);

#endif
