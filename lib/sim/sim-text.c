/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder until the PDU codec lands: text deliveries need its encoder. */
#include <smsctl/error.h>

#include "sim-core.h"
#include "sim-text.h"

int sim_deliver_text(struct sim_core *c, const char *from, const char *text, unsigned flags,
		     uint64_t now)
{
	(void)c;
	(void)from;
	(void)text;
	(void)flags;
	(void)now;
	return SMSCTL_ERR_UNSUPPORTED;
}
