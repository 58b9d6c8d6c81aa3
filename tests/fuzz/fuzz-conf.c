// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer target: smsctld's configuration parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smsd_config *cfg = NULL;
	char err[256];

	if (smsd_config_parse((const char *)data, size, "fuzz.conf", &cfg, err, sizeof(err)) == 0)
		smsd_config_free(cfg);
	return 0;
}
