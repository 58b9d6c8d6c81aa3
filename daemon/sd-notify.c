/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * systemd's notification protocol for smsctld (Type=notify, WatchdogSec=): READY=1 once the
 * store is open and the listeners are bound, STATUS= kept current, WATCHDOG=1 from the event
 * loop, RELOADING=1/READY=1 around SIGHUP, STOPPING=1.
 *
 * Built with libsystemd (-Dsystemd=enabled|auto) it calls sd_notify(); without it, it speaks
 * the same protocol by hand (one datagram to $NOTIFY_SOCKET, an abstract name when it starts
 * with '@'), so a daemon built without libsystemd still works under Type=notify.
 *
 * State: read once from the environment by smsd_notify_init() in the main thread before any
 * other thread starts; afterwards only the loop thread touches it.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log.h"
#include "ops.h"
#include "smsctld.h"

static struct {
	bool enabled;	       /* NOTIFY_SOCKET set */
	int64_t watchdog_ms;   /* ping interval, 0 = no watchdog */
	int64_t next_ping;     /* monotonic ms */
	char last_status[256]; /* the STATUS= last sent */
	bool freeze;	       /* SMSCTLD_TEST_FREEZE=1 */
	char socket_path[108];
} nt;

void smsd_notify_init(void)
{
	const char *ns = getenv("NOTIFY_SOCKET");
	const char *wd = getenv("WATCHDOG_USEC");
	const char *wp = getenv("WATCHDOG_PID");
	const char *fr = getenv("SMSCTLD_TEST_FREEZE");

	nt.enabled = ns && (ns[0] == '/' || ns[0] == '@') && strlen(ns) < sizeof(nt.socket_path);
	if (nt.enabled)
		snprintf(nt.socket_path, sizeof(nt.socket_path), "%s", ns);
	nt.watchdog_ms = 0;
	if (wd && (!wp || strtol(wp, NULL, 10) == (long)getpid())) {
		char *end;
		long long usec = strtoll(wd, &end, 10);
		if (*wd && !*end && usec > 0 && usec < 24LL * 3600 * 1000000)
			/* half of the timeout, a little early so a slow turn of the loop is covered */
			nt.watchdog_ms = usec * 45 / 100 / 1000;
		if (nt.watchdog_ms < 1 && usec > 0)
			nt.watchdog_ms = 1;
	}
	nt.freeze = fr && strcmp(fr, "1") == 0;
	nt.next_ping = 0;
	nt.last_status[0] = '\0';
}

bool smsd_notify_test_freeze_enabled(void)
{
	return nt.freeze;
}

static void send_text(const char *text)
{
#ifdef HAVE_LIBSYSTEMD
	int rc = sd_notify(0, text);
	if (rc < 0)
		smsd_log(LOG_WARNING, "sd_notify: %s", strerror(-rc));
#else
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(nt.socket_path);
	int fd;

	memcpy(sa.sun_path, nt.socket_path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, text, strlen(text), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		smsd_log(LOG_WARNING, "notify %s: %s", nt.socket_path, strerror(errno));
	close(fd);
#endif
}

void smsd_notify(const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (!nt.enabled)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	send_text(text);
}

int smsd_notify_tick(struct smsd *d, int64_t now)
{
	struct smsd_ops_summary sum;
	char status[256];
	int wait = 1000;

	if (!nt.enabled)
		return wait;
	if (d->metrics) {
		smsd_metrics_summary(d->metrics, &sum);
		if (!sum.store_up)
			snprintf(status, sizeof(status), "%d/%d modems ready, store unavailable",
				 sum.modems_ready, sum.modems);
		else
			snprintf(status, sizeof(status),
				 "%d/%d modems ready, %lld queued, %lld unknown", sum.modems_ready,
				 sum.modems, (long long)sum.queued, (long long)sum.unknown);
		if (strcmp(status, nt.last_status) != 0) {
			smsd_notify("STATUS=%s", status);
			snprintf(nt.last_status, sizeof(nt.last_status), "%s", status);
		}
	}
	if (nt.watchdog_ms > 0) {
		if (now >= nt.next_ping) {
			smsd_notify("WATCHDOG=1");
			nt.next_ping = now + nt.watchdog_ms;
		}
		int64_t left = nt.next_ping - now;
		if (left < wait)
			wait = (int)left;
	}
	return wait;
}
