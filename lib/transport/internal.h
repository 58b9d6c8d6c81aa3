/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the engine's transports (serial, fd, tcp) and tty locking. lib/transport.h holds
 * what is shared with the simulated modem. */
#ifndef SMSCTL_TRANSPORT_INTERNAL_H
#define SMSCTL_TRANSPORT_INTERNAL_H

#include <limits.h>
#include <stdbool.h>

#include "transport/transport.h"

/* Fill e (err, errno and a printf-formatted English sentence); returns err. */
int transport_error_set(struct transport_error *e, int err, int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A file descriptor the caller already has (a socketpair end, a pty master in tests);
 * it is made non-blocking and owned by the transport (closed by ops->close). NULL on ENOMEM. */
struct transport *transport_fd_wrap(int fd);

/* Open a path: a pseudo-terminal (or a link to one) as a termios fd, any other character
 * device through libserialport. Locks as p->lock says. */
int transport_open_path(const char *path, const struct transport_params *p, struct transport **out,
			struct transport_error *e);

/* The termios fd transport for an already resolved tty path. */
int transport_open_tty_fd(const char *path, const struct transport_params *p,
			  struct transport **out, struct transport_error *e);

/* The libserialport transport. Returns SMSCTL_ERR_UNSUPPORTED (e untouched) when
 * libserialport does not know the port, so the caller can fall back to the fd transport. */
int transport_open_serial(const char *path, const struct transport_params *p,
			  struct transport **out, struct transport_error *e);

/* "HOST:PORT" (HOST may be [v6]); connect_timeout_ms bounds the connect. */
int transport_open_tcp(const char *hostport, unsigned connect_timeout_ms, struct transport **out,
		       struct transport_error *e);

/* Apply 8N1, raw mode, the speed, flow control and DTR/RTS to a tty fd. Returns 0 or a
 * negative error with e filled. */
int transport_tty_setup(int fd, const char *path, const struct transport_params *p,
			struct transport_error *e);

/* Whether a resolved path names a pseudo-terminal slave (Unix98 majors 136-143, or
 * /dev/pts/N). */
bool transport_is_pty(const char *path);

/* ---- locking (lock.c) ---- */

struct tty_lock {
	char lck_path[PATH_MAX]; /* the UUCP lock file we created, "" if none */
};

/* Before open: the UUCP lock file LCK..NAME in /run/lock (or /var/lock) when writable;
 * stale files of dead processes are removed. */
int lock_uucp_acquire(const char *path, struct tty_lock *l, struct transport_error *e);
/* After open: flock(LOCK_EX|LOCK_NB) on the tty; on failure the holder from /proc/locks. */
int lock_flock(int fd, const char *path, struct transport_error *e);
void lock_release(struct tty_lock *l);

/* The program name of pid from /proc/PID/comm into buf ("" if unknown). */
void lock_program_name(pid_t pid, char *buf, size_t size);
/* The pid holding a flock on (dev, ino) according to /proc/locks, 0 if none found. The
 * file is a parameter so tests can feed a captured one. */
pid_t lock_find_flock_holder(const char *proc_locks, unsigned long dev_major,
			     unsigned long dev_minor, unsigned long ino);
/* Other processes that have the file open (from /proc/PID/fd), as "ModemManager (pid 812),
 * minicom (pid 4242)" into buf; "" when none (or /proc cannot be read). At most max named. */
void lock_describe_openers(const char *real_path, char *buf, size_t size, unsigned max);
/* The pid written in a UUCP lock file (ASCII, or 4 binary bytes of old Kermit), 0 if none. */
pid_t lock_read_uucp_pid(const char *lck_path);

#endif
