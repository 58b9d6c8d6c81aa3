/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctld's log: stderr, one line per record with a `<N>` priority prefix journald reads. */
#ifndef SMSD_LOG_H
#define SMSD_LOG_H

#include <syslog.h>

/* Records above this level are dropped (LOG_INFO by default, LOG_DEBUG with -v). */
void smsd_log_set_level(int level);
void smsd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
