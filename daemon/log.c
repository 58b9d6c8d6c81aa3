/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static int max_level = LOG_INFO;

void smsd_log_set_level(int level)
{
	max_level = level;
}

void smsd_log(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (prio > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	smsd_journal_write(prio, line); /* ops (issue 17): journal.c, with the journal fields */
}
