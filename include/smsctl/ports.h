/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ports.h
 * Finding the modem's serial ports: every tty the kernel lists under /sys/class/tty that has
 * real hardware behind it, with its USB vendor, product, serial number, interface number and
 * driver, and optionally which of them answer `AT`.
 *
 * A USB modem usually exposes several ttys (diagnostics, GPS/NMEA, AT, PPP); only some of them
 * answer AT commands. smsctl_port_probe() tells which.
 *
 * Ownership: a list from smsctl_port_list() belongs to the caller and is freed with
 * smsctl_ports_free() (NULL allowed); ports and strings obtained from it are borrowed until
 * then.
 */
#ifndef SMSCTL_PORTS_H
#define SMSCTL_PORTS_H

#include <stddef.h>

#include <smsctl/common.h>

SMSCTL_BEGIN_DECLS

/** A list of serial ports (opaque): smsctl_port_list(), freed with smsctl_ports_free(). */
struct smsctl_ports;
/** One serial port of a list (opaque): smsctl_ports_get(), borrowed from its list until
 *  smsctl_ports_free(); never freed on its own. */
struct smsctl_port;

/**
 * List the serial ports with hardware behind them, sorted by name. Legacy 8250 ports that
 * the kernel lists but that have no UART (type 0) are left out.
 * @param out the list (free with smsctl_ports_free()), else NULL. An empty list is not an
 *        error.
 * @return the number of ports, ::SMSCTL_ERR_INVALID (NULL out), ::SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_port_list(struct smsctl_ports **out);
/** Free a list, its ports and their strings; NULL is allowed. */
SMSCTL_API void smsctl_ports_free(struct smsctl_ports *ports);
/** Number of ports in the list (0 for NULL). */
SMSCTL_API size_t smsctl_ports_get_count(const struct smsctl_ports *ports);
/** The i-th port (borrowed), NULL if out of range. */
SMSCTL_API const struct smsctl_port *smsctl_ports_get(const struct smsctl_ports *ports, size_t i);

/** Kernel name, e.g. "ttyUSB2". Borrowed, never NULL. */
SMSCTL_API const char *smsctl_port_get_name(const struct smsctl_port *port);
/** Device node, e.g. "/dev/ttyUSB2". Borrowed, never NULL. */
SMSCTL_API const char *smsctl_port_get_path(const struct smsctl_port *port);
/** A stable link to the node under /dev/serial/by-id, NULL when none. Borrowed. */
SMSCTL_API const char *smsctl_port_get_by_id(const struct smsctl_port *port);
/** The kernel driver ("option", "qcserial", "cdc_acm", "serial8250"), NULL if unknown.
 *  Borrowed. */
SMSCTL_API const char *smsctl_port_get_driver(const struct smsctl_port *port);
/** The bus the port hangs on ("usb", "pci", "platform", "pnp"...), NULL if unknown.
 *  Borrowed. */
SMSCTL_API const char *smsctl_port_get_subsystem(const struct smsctl_port *port);
/** USB vendor id (0-0xffff), -1 when the port is not on USB. */
SMSCTL_API int smsctl_port_get_usb_vendor(const struct smsctl_port *port);
/** USB product id (0-0xffff), -1 when the port is not on USB. */
SMSCTL_API int smsctl_port_get_usb_product(const struct smsctl_port *port);
/** USB interface number (bInterfaceNumber), -1 when unknown. */
SMSCTL_API int smsctl_port_get_usb_interface(const struct smsctl_port *port);
/** USB manufacturer string (iManufacturer), NULL when the device has none. Borrowed. */
SMSCTL_API const char *smsctl_port_get_usb_manufacturer(const struct smsctl_port *port);
/** USB product string (iProduct), NULL when the device has none. Borrowed. */
SMSCTL_API const char *smsctl_port_get_usb_product_name(const struct smsctl_port *port);
/** USB serial number string (iSerialNumber), NULL when the device has none. Borrowed. */
SMSCTL_API const char *smsctl_port_get_usb_serial(const struct smsctl_port *port);

/**
 * udev's ID_PATH of the port's USB interface, in the form of udev's path_id builtin (the
 * physical USB port, e.g. "pci-0000:00:14.0-usb-0:2:1.2"), so a name stays with the socket
 * the modem is plugged into. NULL when the port is not on USB or its host controller is
 * neither PCI nor platform. Borrowed.
 */
SMSCTL_API const char *smsctl_port_get_id_path(const struct smsctl_port *port);

/**
 * One udev rule that names the port /dev/PREFIX/NAME and tells ModemManager to leave it alone:
 * keyed by ENV{ID_PATH} and ENV{ID_USB_INTERFACE_NUM} (set by udev's 60-serial.rules), it
 * adds SYMLINK+="PREFIX/NAME" and ENV{ID_MM_DEVICE_IGNORE}="1". One line, no newline.
 * @param prefix directory under /dev (NULL or "" for none); letters, digits, '_', '-', '.'.
 * @param name the same characters, 1 to 64 of them, not starting with '.'.
 * @param out the rule (free() it), NULL on error.
 * @return 0; ::SMSCTL_ERR_INVALID for a bad name or prefix; ::SMSCTL_ERR_NOT_FOUND when
 *         the port has no ID_PATH (smsctl_port_get_id_path()); ::SMSCTL_ERR_NOMEM.
 */
SMSCTL_API int smsctl_port_format_udev_rule(const struct smsctl_port *port, const char *prefix,
					    const char *name, char **out);

/**
 * Open a device (any device string of modem.h) with its lock, send `AT` and wait up to
 * timeout_ms for a final result. Nothing else is sent; the port is closed again.
 * @param device the device string, borrowed for the call.
 * @param timeout_ms how long to wait for the answer.
 * @return 0 when the device answered (`OK`, or an error result: it speaks AT);
 *         ::SMSCTL_ERR_TIMEOUT when it stayed silent; ::SMSCTL_ERR_BUSY, ::SMSCTL_ERR_PERMISSION,
 *         ::SMSCTL_ERR_NOT_FOUND, ::SMSCTL_ERR_NOT_TTY, ::SMSCTL_ERR_GONE, ::SMSCTL_ERR_IO as
 *         smsctl_modem_open() and smsctl_modem_command() report them.
 */
SMSCTL_API int smsctl_port_probe(const char *device, unsigned timeout_ms);

SMSCTL_END_DECLS

#endif
