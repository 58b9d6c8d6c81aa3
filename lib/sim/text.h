/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: text messages arriving at the simulated modem, encoded with the PDU codec. */
#ifndef SMSCTL_SIM_TEXT_H
#define SMSCTL_SIM_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct sim_core;
struct smsctl_encoded;

/* Encode text from `from` as SMS-DELIVER parts (SMSC-prefixed with the modem's SMSC, a fresh
 * concatenation reference and time stamp). flags: SMSCTL_SIM_DELIVER_UCS2. */
int sim_text_encode(struct sim_core *c, const char *from, const char *text, unsigned flags,
		    struct smsctl_encoded **out);
size_t sim_text_count(const struct smsctl_encoded *enc);
const char *sim_text_hex(const struct smsctl_encoded *enc, size_t i);
void sim_text_free(struct smsctl_encoded *enc);

/* Encode and deliver them (the caller holds the lock). Returns the number of parts or a
 * negative SMSCTL_ERR_*. */
int sim_deliver_text(struct sim_core *c, const char *from, const char *text, unsigned flags,
		     uint64_t now);

#endif
