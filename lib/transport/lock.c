/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Exclusive access to a tty the way Linux tools agree on: the UUCP lock file (FHS:
 * /run/lock/LCK..ttyUSB2 holding the owner's pid as ten ASCII digits and a newline) and an
 * flock() on the device itself. A process that merely has the port open is not "busy". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <smsctl/error.h>

#include "transport/internal.h"
#include "i18n.h"

int transport_error_set(struct transport_error *e, int err, int sys_errno, const char *fmt, ...)
{
	va_list ap;

	e->err = err;
	e->sys_errno = sys_errno;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
	return err;
}

void lock_program_name(pid_t pid, char *buf, size_t size)
{
	char path[64];

	if (size == 0)
		return;
	buf[0] = '\0';
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)size, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		/* a program name from /proc is text, but keep it printable */
		for (char *p = buf; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	} else {
		buf[0] = '\0';
	}
	fclose(f);
}

pid_t lock_find_flock_holder(const char *proc_locks, unsigned long dev_major,
			     unsigned long dev_minor, unsigned long ino)
{
	char line[256];
	pid_t found = 0;
	FILE *f = fopen(proc_locks, "re");

	if (!f)
		return 0;
	/* "1: FLOCK  ADVISORY  WRITE 1234 00:05:123 0 EOF"; blocked waiters have "->" */
	while (fgets(line, sizeof(line), f)) {
		char type[16], adv[16], mode[16];
		long pid;
		unsigned long maj, min, in;
		if (strstr(line, "->"))
			continue;
		const char *p = strchr(line, ':');
		if (!p)
			continue;
		if (sscanf(p + 1, "%15s %15s %15s %ld %lx:%lx:%lu", type, adv, mode, &pid, &maj,
			   &min, &in) != 7)
			continue;
		if (strcmp(type, "FLOCK") != 0 && strcmp(type, "OFDLCK") != 0 &&
		    strcmp(type, "POSIX") != 0)
			continue;
		if (maj == dev_major && min == dev_minor && in == ino && pid > 0) {
			found = (pid_t)pid;
			break;
		}
	}
	fclose(f);
	return found;
}

void lock_describe_openers(const char *real_path, char *buf, size_t size, unsigned max)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	size_t pos = 0;
	unsigned found = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (!proc)
		return;
	while ((e = readdir(proc)) && found < max) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		char dir[64];
		snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
		DIR *fds = opendir(dir);
		if (!fds)
			continue;
		struct dirent *f;
		bool has = false;
		while (!has && (f = readdir(fds))) {
			char link[320], target[PATH_MAX];
			if (f->d_name[0] == '.')
				continue;
			snprintf(link, sizeof(link), "%s/%s", dir, f->d_name);
			ssize_t n = readlink(link, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			has = strcmp(target, real_path) == 0;
		}
		closedir(fds);
		if (!has)
			continue;
		char comm[64];
		lock_program_name((pid_t)pid, comm, sizeof(comm));
		int w = snprintf(buf + pos, size - pos, "%s%s (pid %ld)", found ? ", " : "",
				 comm[0] ? comm : "?", pid);
		if (w < 0 || (size_t)w >= size - pos)
			break;
		pos += (size_t)w;
		found++;
	}
	closedir(proc);
}

pid_t lock_read_uucp_pid(const char *lck_path)
{
	char buf[32];
	int fd = open(lck_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (n == 4 && !(buf[0] == ' ' || (buf[0] >= '0' && buf[0] <= '9'))) {
		int32_t v;
		memcpy(&v, buf, 4);
		return v > 0 ? (pid_t)v : 0;
	}
	char *end;
	long v = strtol(buf, &end, 10);
	if (end == buf || v <= 0 || v > 0x3fffffff)
		return 0;
	return (pid_t)v;
}

/* The state letter of /proc/PID/stat (the field after the name in parentheses, which may
 * itself hold ')' and spaces), or 0 when it cannot be read. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	return p[2];
}

/* A process that exists and is not a zombie: a zombie ('Z', or 'X' while it goes) has
 * closed every file and holds no port, however long its parent takes to reap it. */
static bool pid_alive(pid_t pid)
{
	if (kill(pid, 0) < 0 && errno != EPERM)
		return false;
	char st = proc_state(pid);
	return st != 'Z' && st != 'X';
}

/* Remove the lock file at lck when it still names no live process. Two processes may find
 * one stale file at once: each takes an flock on the file it opened and removes it only
 * while the path still leads to that same file, so the later one never removes the fresh
 * lock file the earlier one has linked meanwhile. Returns 0 (removed, or no longer there,
 * or replaced: look again) or -1 (cannot remove). */
static int clear_stale(const char *lck)
{
	struct stat a, b;
	int r = 0;
	int fd = open(lck, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (flock(fd, LOCK_EX) < 0 || fstat(fd, &a) < 0) {
		close(fd);
		return -1;
	}
	if (stat(lck, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		pid_t pid = lock_read_uucp_pid(lck);

		if (!(pid > 0 && pid_alive(pid)) && unlink(lck) < 0 && errno != ENOENT)
			r = -1;
	}
	close(fd); /* releases the flock */
	return r;
}

/* LCK.. name of a device: the path under /dev with '/' as '_' ("pts/3" -> "pts_3"), of the
 * device a symbolic link names (/dev/serial/by-id/..., a served DIR/sim0 -> /dev/pts/3), so
 * every name of one device shares one lock and two links of one name in other folders do not. */
static void lck_name(const char *path, char *out, size_t size)
{
	char *real = realpath(path, NULL);
	const char *n = real ? real : path;

	if (strncmp(n, "/dev/", 5) == 0)
		n += 5;
	else if (strrchr(n, '/'))
		n = strrchr(n, '/') + 1;
	snprintf(out, size, "%s", n);
	free(real);
	for (char *p = out; *p; p++)
		if (*p == '/')
			*p = '_';
}

static int busy(struct transport_error *e, const char *path, pid_t pid, const char *how)
{
	e->holder_pid = pid;
	lock_program_name(pid, e->holder, sizeof(e->holder));
	if (pid > 0 && e->holder[0])
		return transport_error_set(e, SMSCTL_ERR_BUSY, EBUSY,
					   _("%s is in use: %s held by process %d (%s); stop it or "
					     "tell it to leave the port alone"),
					   path, how, (int)pid, e->holder);
	if (pid > 0)
		return transport_error_set(e, SMSCTL_ERR_BUSY, EBUSY,
					   _("%s is in use: %s held by process %d"), path, how,
					   (int)pid);
	return transport_error_set(e, SMSCTL_ERR_BUSY, EBUSY, _("%s is in use: %s held"), path,
				   how);
}

int lock_uucp_acquire(const char *path, struct tty_lock *l, struct transport_error *e)
{
	static const char *const dirs[] = {"/run/lock", "/var/lock"};
	const char *dir = NULL;
	char name[128], tmp[PATH_MAX + 32];

	l->lck_path[0] = '\0';
	for (size_t i = 0; i < 2 && !dir; i++)
		if (access(dirs[i], W_OK) == 0)
			dir = dirs[i];
	if (!dir)
		return 0; /* nowhere to write: the flock still protects */
	lck_name(path, name, sizeof(name));
	snprintf(l->lck_path, sizeof(l->lck_path), "%s/LCK..%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/LCK.%d.%s", dir, (int)getpid(), name);

	for (int attempt = 0; attempt < 8; attempt++) {
		/* write the pid to a private file, then link it: readers never see it empty */
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			break;
		char pidbuf[16];
		int len = snprintf(pidbuf, sizeof(pidbuf), "%10d\n", (int)getpid());
		bool ok = write(fd, pidbuf, (size_t)len) == len;
		close(fd);
		int rc = ok ? link(tmp, l->lck_path) : -1;
		int err = errno;
		unlink(tmp);
		if (rc == 0)
			return 0;
		if (!ok || err != EEXIST)
			break;
		pid_t pid = lock_read_uucp_pid(l->lck_path);
		if (pid > 0 && pid_alive(pid)) {
			l->lck_path[0] = '\0';
			return busy(e, path, pid, _("its lock file is"));
		}
		/* stale: its process is gone or a zombie (or the file is unreadable garbage) */
		if (clear_stale(l->lck_path) < 0)
			break;
	}
	/* Others kept replacing it: whoever holds it now is the holder. */
	pid_t pid = lock_read_uucp_pid(l->lck_path);
	if (pid > 0 && pid != getpid() && pid_alive(pid)) {
		l->lck_path[0] = '\0';
		return busy(e, path, pid, "its lock file is");
	}
	l->lck_path[0] = '\0';
	return 0; /* the lock directory refused us: not fatal, the flock still holds */
}

int lock_flock(int fd, const char *path, struct transport_error *e)
{
	struct stat st;

	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return 0; /* a file system without flock: nothing to agree on */
	pid_t pid = 0;
	if (fstat(fd, &st) == 0)
		pid = lock_find_flock_holder("/proc/locks", major(st.st_dev), minor(st.st_dev),
					     (unsigned long)st.st_ino);
	return busy(e, path, pid, _("a lock (flock) is"));
}

void lock_release(struct tty_lock *l)
{
	if (!l || !l->lck_path[0])
		return;
	/* only remove a lock file that is still ours */
	if (lock_read_uucp_pid(l->lck_path) == getpid())
		unlink(l->lck_path);
	l->lck_path[0] = '\0';
}
