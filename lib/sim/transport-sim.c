/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder until the simulated modem lands: sim: devices are not available yet. */
#include <stdio.h>

#include <smsctl/error.h>

#include "transport.h"

int transport_open_sim(const char *spec, const struct transport_params *p, struct transport **out,
		       struct smsctl_sim **sim, struct transport_error *e)
{
	*out = NULL;
	*sim = NULL;
	e->err = SMSCTL_ERR_UNSUPPORTED;
	snprintf(e->detail, sizeof(e->detail), "the simulated modem is not built yet");
	return SMSCTL_ERR_UNSUPPORTED;
}
