/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Journal fields of smsctld's log records (issue 17): SMSCTL_MESSAGE_ID, SMSCTL_MODEM,
 * SMSCTL_SIM, SMSCTL_EVENT, SMSCTL_ERROR_CODE with PRIORITY, so that
 * `journalctl -u smsctld SMSCTL_MESSAGE_ID=msg_...` shows one message's history.
 *
 * The fields of a record come from the store job the modem code is preparing when it logs:
 * job_new() binds the job's message id, modem, SIM, kind and error code to the calling
 * thread (smsd_log_bind()), job_submit() unbinds them; a record logged in between carries
 * them. Only the loop thread creates jobs; the binding is thread-local, so records of other
 * threads never pick up a modem's fields.
 *
 * Where the records go: with libsystemd and standard error connected to the journal
 * (systemd sets JOURNAL_STREAM to its device:inode), sd_journal_sendv() with the fields;
 * otherwise one `<N>smsctld: text` line on standard error, which journald also reads (the
 * fields are appended as ` KEY=VALUE` only when SMSCTLD_LOG_FIELDS=1, for tests).
 * Message texts and PINs are never part of a record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-journal.h>
#endif

#include "log.h"

struct bound {
	const char *message_id, *modem, *sim, *code;
	int kind;
};
static _Thread_local struct bound bound;

/* Event names of modem.c's job kinds (enum job_kind, values 1..10, in its order). */
static const char *const kind_events[] = {
    NULL,	   "message.claimed", "part.sending",	  "part.sent",	     "part.requeued",
    "part.failed", "part.unknown",    "message.released", "message.expired", "report.received",
    "modem.state",
};

void smsd_log_bind(const char *message_id, const char *modem, const char *sim, int kind,
		   const char *code)
{
	bound.message_id = message_id;
	bound.modem = modem;
	bound.sim = sim;
	bound.kind = kind;
	bound.code = code;
}

void smsd_log_unbind(void)
{
	memset(&bound, 0, sizeof(bound));
}

/* Whether standard error is the journal's stream (JOURNAL_STREAM=DEV:INODE). */
static bool stderr_is_journal(void)
{
	static int cached = -1;

	if (cached < 0) {
		const char *js = getenv("JOURNAL_STREAM");
		unsigned long long dev, ino;
		struct stat st;
		cached = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
			 (unsigned long long)st.st_dev == dev &&
			 (unsigned long long)st.st_ino == ino;
	}
	return cached == 1;
}

struct field {
	const char *key, *value;
};

static size_t collect(struct field *f)
{
	size_t n = 0;
	const char *event =
	    bound.kind > 0 && bound.kind < (int)(sizeof(kind_events) / sizeof(kind_events[0]))
		? kind_events[bound.kind]
		: NULL;

	if (bound.message_id && bound.message_id[0])
		f[n++] = (struct field){"SMSCTL_MESSAGE_ID", bound.message_id};
	if (bound.modem && bound.modem[0])
		f[n++] = (struct field){"SMSCTL_MODEM", bound.modem};
	if (bound.sim && bound.sim[0])
		f[n++] = (struct field){"SMSCTL_SIM", bound.sim};
	if (event)
		f[n++] = (struct field){"SMSCTL_EVENT", event};
	if (bound.code && bound.code[0])
		f[n++] = (struct field){"SMSCTL_ERROR_CODE", bound.code};
	return n;
}

void smsd_journal_write(int prio, const char *text)
{
	struct field f[8];
	size_t n = collect(f);

#ifdef HAVE_LIBSYSTEMD
	if (stderr_is_journal()) {
		char buf[8][320], msg[1100], pr[16];
		struct iovec iov[11];
		size_t k = 0;
		snprintf(msg, sizeof(msg), "MESSAGE=smsctld: %s", text);
		snprintf(pr, sizeof(pr), "PRIORITY=%d", prio);
		iov[k++] = (struct iovec){msg, strlen(msg)};
		iov[k++] = (struct iovec){pr, strlen(pr)};
		iov[k++] = (struct iovec){(char *)"SYSLOG_IDENTIFIER=smsctld", 25};
		for (size_t i = 0; i < n; i++) {
			snprintf(buf[i], sizeof(buf[i]), "%s=%s", f[i].key, f[i].value);
			iov[k++] = (struct iovec){buf[i], strlen(buf[i])};
		}
		if (sd_journal_sendv(iov, (int)k) >= 0)
			return;
	}
#else
	(void)stderr_is_journal;
#endif
	const char *lf = getenv("SMSCTLD_LOG_FIELDS");
	char extra[1024] = "";
	if (lf && strcmp(lf, "1") == 0)
		for (size_t i = 0, len = 0; i < n && len < sizeof(extra); i++)
			len += (size_t)snprintf(extra + len, sizeof(extra) - len, " %s=%s",
						f[i].key, f[i].value);
	/* one write per record, so lines of several threads do not interleave */
	fprintf(stderr, "<%d>smsctld: %s%s\n", prio, text, extra);
}
