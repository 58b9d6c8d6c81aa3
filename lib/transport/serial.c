/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The serial port transport through libserialport (the only file that includes its header):
 * 8N1, the chosen speed, no flow control or RTS/CTS, DTR asserted. The engine polls and reads
 * the port's file descriptor directly, so end of file (a USB modem unplugged) is seen as such. */
#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <smsctl/error.h>

#include "transport/internal.h"
#include "i18n.h"

struct serial_transport {
	struct transport base;
	struct sp_port *port;
	struct tty_lock lock;
};

static ssize_t serial_read(struct transport *t, void *buf, size_t len)
{
	return read(t->fd, buf, len);
}

static ssize_t serial_write(struct transport *t, const void *buf, size_t len)
{
	return write(t->fd, buf, len);
}

static void serial_close(struct transport *t)
{
	struct serial_transport *st = (struct serial_transport *)t;

	if (st->port) {
		if (t->fd >= 0)
			sp_close(st->port);
		sp_free_port(st->port);
	}
	lock_release(&st->lock);
	free(st);
}

static const struct transport_ops serial_ops = {
    .name = "serial",
    .read = serial_read,
    .write = serial_write,
    .close = serial_close,
};

static int sp_error(const char *path, const char *what, struct transport_error *e)
{
	int err = sp_last_error_code();

	if (err == EACCES || err == EPERM)
		return transport_error_set(e, SMSCTL_ERR_PERMISSION, err,
					   _("permission denied opening %s"), path);
	if (err == EBUSY)
		return transport_error_set(
		    e, SMSCTL_ERR_BUSY, err,
		    _("%s is in use: another process opened it for exclusive use (TIOCEXCL)"),
		    path);
	if (err == ENOTTY || err == EINVAL)
		return transport_error_set(e, SMSCTL_ERR_NOT_TTY, err,
					   _("%s is not a serial port: %s"), path, strerror(err));
	if (err == ENOENT || err == ENXIO || err == ENODEV)
		return transport_error_set(e, SMSCTL_ERR_NOT_FOUND, err, _("cannot open %s: %s"),
					   path, strerror(err));
	return transport_error_set(e, SMSCTL_ERR_IO, err, _("%s %s: %s"), what, path,
				   strerror(err));
}

int transport_open_serial(const char *path, const struct transport_params *p,
			  struct transport **out, struct transport_error *e)
{
	struct serial_transport *st;
	struct sp_port *port = NULL;
	int rc;

	*out = NULL;
	if (sp_get_port_by_name(path, &port) != SP_OK)
		return SMSCTL_ERR_UNSUPPORTED; /* not a port libserialport knows: use termios */
	st = calloc(1, sizeof(*st));
	if (!st) {
		sp_free_port(port);
		return transport_error_set(e, SMSCTL_ERR_NOMEM, ENOMEM, _("out of memory"));
	}
	st->base.ops = &serial_ops;
	st->base.fd = -1;
	st->port = port;
	if (p->lock) {
		rc = lock_uucp_acquire(path, &st->lock, e);
		if (rc < 0)
			goto fail;
	}
	if (sp_open(port, SP_MODE_READ_WRITE) != SP_OK) {
		rc = sp_error(path, _("cannot open"), e);
		if (rc == SMSCTL_ERR_PERMISSION) /* name the group: the fd transport knows how */
			rc = SMSCTL_ERR_UNSUPPORTED;
		goto fail;
	}
	int fd = -1;
	if (sp_get_port_handle(port, &fd) != SP_OK || fd < 0) {
		sp_close(port);
		rc = transport_error_set(e, SMSCTL_ERR_IO, 0, _("cannot use %s"), path);
		goto fail;
	}
	st->base.fd = fd;
	if (p->lock) {
		rc = lock_flock(fd, path, e);
		if (rc < 0)
			goto fail;
	}
	unsigned baud = p->baud ? p->baud : 115200;
	if (sp_set_baudrate(port, (int)baud) != SP_OK || sp_set_bits(port, 8) != SP_OK ||
	    sp_set_parity(port, SP_PARITY_NONE) != SP_OK || sp_set_stopbits(port, 1) != SP_OK ||
	    sp_set_flowcontrol(port, p->rtscts ? SP_FLOWCONTROL_RTSCTS : SP_FLOWCONTROL_NONE) !=
		SP_OK) {
		rc = sp_error(path, _("cannot configure"), e);
		goto fail;
	}
	/* DTR asserted: many modems ignore commands while it is low. Some adapters have no
	 * modem lines; that is not fatal. */
	(void)sp_set_dtr(port, SP_DTR_ON);
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		rc = transport_error_set(e, SMSCTL_ERR_IO, errno, _("cannot configure %s: %s"),
					 path, strerror(errno));
		goto fail;
	}
	/* libserialport leaves VMIN at 0, where an empty line reads as 0 bytes like a hangup:
	 * with VMIN 1 and O_NONBLOCK it reads as EAGAIN */
	struct termios tio;
	if (tcgetattr(fd, &tio) == 0) {
		tio.c_cc[VMIN] = 1;
		tio.c_cc[VTIME] = 0;
		tcsetattr(fd, TCSANOW, &tio);
	}
	sp_flush(port, SP_BUF_BOTH);
	*out = &st->base;
	return 0;
fail:
	serial_close(&st->base);
	return rc;
}
