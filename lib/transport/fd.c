/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plain file descriptor transport: pseudo-terminals (libserialport 0.1.1 cannot open
 * /dev/pts/N) configured with termios like a serial port, and descriptors handed over by the
 * caller (socket pairs in tests). Also the path dispatch: pty -> here, other ttys -> serial. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <smsctl/error.h>

#include "transport/internal.h"
#include "i18n.h"

struct fd_transport {
	struct transport base;
	struct tty_lock lock;
};

static ssize_t fd_read(struct transport *t, void *buf, size_t len)
{
	return read(t->fd, buf, len);
}

static ssize_t fd_write(struct transport *t, const void *buf, size_t len)
{
	/* a socket whose peer left must give EPIPE, not kill the program with SIGPIPE */
	ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0 && errno == ENOTSOCK)
		n = write(t->fd, buf, len);
	return n;
}

static void fd_close(struct transport *t)
{
	struct fd_transport *ft = (struct fd_transport *)t;

	if (t->fd >= 0)
		close(t->fd); /* drops the flock */
	lock_release(&ft->lock);
	free(ft);
}

static const struct transport_ops fd_ops = {
    .name = "fd",
    .read = fd_read,
    .write = fd_write,
    .close = fd_close,
};

struct transport *transport_fd_wrap(int fd)
{
	struct fd_transport *ft = calloc(1, sizeof(*ft));

	if (!ft)
		return NULL;
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	ft->base.ops = &fd_ops;
	ft->base.fd = fd;
	return &ft->base;
}

bool transport_is_pty(const char *path)
{
	struct stat st;

	if (strncmp(path, "/dev/pts/", 9) == 0)
		return true;
	if (stat(path, &st) < 0 || !S_ISCHR(st.st_mode))
		return false;
	/* Unix98 pty slaves: majors 136-143 (Documentation/admin-guide/devices.txt) */
	return major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143;
}

static speed_t baud_constant(unsigned baud)
{
	static const struct {
		unsigned baud;
		speed_t speed;
	} table[] = {
	    {1200, B1200},	 {2400, B2400},	      {4800, B4800},	   {9600, B9600},
	    {19200, B19200},	 {38400, B38400},     {57600, B57600},	   {115200, B115200},
	    {230400, B230400},	 {460800, B460800},   {921600, B921600},   {1000000, B1000000},
	    {2000000, B2000000}, {3000000, B3000000}, {4000000, B4000000},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].baud == baud)
			return table[i].speed;
	return (speed_t)0;
}

int transport_tty_setup(int fd, const char *path, const struct transport_params *p,
			struct transport_error *e)
{
	struct termios tio;
	unsigned baud = p && p->baud ? p->baud : 115200;
	speed_t speed = baud_constant(baud);

	if (!speed)
		return transport_error_set(e, SMSCTL_ERR_INVALID, 0,
					   _("unsupported baud rate %u for %s"), baud, path);
	if (tcgetattr(fd, &tio) < 0)
		return transport_error_set(e, SMSCTL_ERR_NOT_TTY, errno,
					   _("%s is not a terminal: %s"), path, strerror(errno));
	cfmakeraw(&tio);
	tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB | CRTSCTS);
	tio.c_cflag |= CS8 | CLOCAL | CREAD;
	if (p && p->rtscts)
		tio.c_cflag |= CRTSCTS;
	tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	/* VMIN 1: with O_NONBLOCK an empty line reads as EAGAIN; VMIN 0 would read as 0,
	 * which cannot be told apart from a hangup */
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, speed);
	cfsetospeed(&tio, speed);
	if (tcsetattr(fd, TCSANOW, &tio) < 0)
		return transport_error_set(e, SMSCTL_ERR_IO, errno, _("cannot configure %s: %s"),
					   path, strerror(errno));
	/* DTR (and RTS) asserted: many modems ignore commands while DTR is low. A pty has
	 * no modem lines; that is not an error. */
	int bits = TIOCM_DTR | TIOCM_RTS;
	(void)ioctl(fd, TIOCMBIS, &bits);
	tcflush(fd, TCIOFLUSH);
	return 0;
}

/* The group that may open path, for "permission denied" (usually dialout). */
static int permission_error(const char *path, int err, struct transport_error *e)
{
	struct stat st;
	char gname[64] = "";

	if (stat(path, &st) == 0) {
		struct group gr, *res = NULL;
		char buf[1024];
		if (getgrgid_r(st.st_gid, &gr, buf, sizeof(buf), &res) == 0 && res)
			snprintf(gname, sizeof(gname), "%s", res->gr_name);
		else
			snprintf(gname, sizeof(gname), "%u", (unsigned)st.st_gid);
	}
	if (gname[0])
		return transport_error_set(e, SMSCTL_ERR_PERMISSION, err,
					   _("permission denied opening %s: it belongs to group "
					     "'%s'; join it (sudo usermod "
					     "-aG %s $USER) and log in again"),
					   path, gname, gname);
	return transport_error_set(e, SMSCTL_ERR_PERMISSION, err, _("permission denied opening %s"),
				   path);
}

int transport_open_tty_fd(const char *path, const struct transport_params *p,
			  struct transport **out, struct transport_error *e)
{
	struct fd_transport *ft = calloc(1, sizeof(*ft));
	int rc;

	*out = NULL;
	if (!ft)
		return transport_error_set(e, SMSCTL_ERR_NOMEM, ENOMEM, _("out of memory"));
	ft->base.ops = &fd_ops;
	ft->base.fd = -1;
	if (p->lock) {
		rc = lock_uucp_acquire(path, &ft->lock, e);
		if (rc < 0)
			goto fail;
	}
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		if (err == EACCES || err == EPERM)
			rc = permission_error(path, err, e);
		else if (err == ENOENT || err == ENXIO || err == ENODEV)
			rc = transport_error_set(e, SMSCTL_ERR_NOT_FOUND, err,
						 _("cannot open %s: %s"), path, strerror(err));
		else if (err == EBUSY)
			rc = transport_error_set(e, SMSCTL_ERR_BUSY, err,
						 _("%s is in use: another process opened it for "
						   "exclusive use (TIOCEXCL)"),
						 path);
		else
			rc = transport_error_set(e, SMSCTL_ERR_IO, err, _("cannot open %s: %s"),
						 path, strerror(err));
		goto fail;
	}
	ft->base.fd = fd;
	if (!isatty(fd)) {
		rc = transport_error_set(e, SMSCTL_ERR_NOT_TTY, ENOTTY, _("%s is not a terminal"),
					 path);
		goto fail;
	}
	if (p->lock) {
		rc = lock_flock(fd, path, e);
		if (rc < 0)
			goto fail;
	}
	rc = transport_tty_setup(fd, path, p, e);
	if (rc < 0)
		goto fail;
	*out = &ft->base;
	return 0;
fail:
	fd_close(&ft->base);
	return rc;
}

int transport_open_path(const char *path, const struct transport_params *p, struct transport **out,
			struct transport_error *e)
{
	struct stat st;
	char *real;
	int rc;

	*out = NULL;
	if (stat(path, &st) < 0) {
		int err = errno;
		if (err == EACCES)
			return permission_error(path, err, e);
		return transport_error_set(
		    e, SMSCTL_ERR_NOT_FOUND, err,
		    _("%s: %s (is the modem plugged in? `smsctl ports --probe` lists ports)"), path,
		    strerror(err));
	}
	if (!S_ISCHR(st.st_mode))
		return transport_error_set(e, SMSCTL_ERR_NOT_TTY, ENOTTY,
					   _("%s is not a serial port (not a character device)"),
					   path);
	real = realpath(path, NULL);
	if (!real)
		return transport_error_set(e, SMSCTL_ERR_NOT_FOUND, errno, _("%s: %s"), path,
					   strerror(errno));
	if (transport_is_pty(real)) {
		rc = transport_open_tty_fd(real, p, out, e);
	} else {
		rc = transport_open_serial(real, p, out, e);
		if (rc == SMSCTL_ERR_UNSUPPORTED)
			rc = transport_open_tty_fd(real, p, out, e);
	}
	free(real);
	return rc;
}
