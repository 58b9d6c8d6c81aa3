/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: text messages arriving at the simulated modem, encoded with the PDU codec. */
#ifndef SMSCTL_SIM_TEXT_H
#define SMSCTL_SIM_TEXT_H

#include <stdint.h>

struct sim_core;

/* Encode text from `from` as SMS-DELIVER parts and deliver them (the caller holds the lock).
 * Returns the number of parts or a negative SMSCTL_ERR_*. */
int sim_deliver_text(struct sim_core *c, const char *from, const char *text, unsigned flags,
		     uint64_t now);

#endif
