/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctld's log: stderr, one line per record with a `<N>` priority prefix journald reads. */
#ifndef SMSD_LOG_H
#define SMSD_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Records above this level are dropped (LOG_INFO by default, LOG_DEBUG with -v). */
void smsd_log_set_level(int level);
void smsd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ops (issue 17), journal.c: journal fields of the records logged while a store job is
 * being prepared (bind in job_new(), unbind in job_submit()); the record's writer. */
void smsd_log_bind(const char *message_id, const char *modem, const char *sim, int kind,
		   const char *code);
void smsd_log_unbind(void);
void smsd_journal_write(int prio, const char *text);

#endif
