/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: serial port enumeration over a chosen sysfs and /dev root, so tests can feed a
 * fake tree. smsctl_port_list() calls it with "/sys/class/tty", "/dev" and
 * "/dev/serial/by-id". */
#ifndef SMSCTL_PORTS_INTERNAL_H
#define SMSCTL_PORTS_INTERNAL_H

#include <smsctl/ports.h>

int ports_enumerate(const char *class_tty, const char *dev_dir, const char *by_id_dir,
		    struct smsctl_ports **out);

/* Natural order of tty names: "ttyUSB2" before "ttyUSB10". */
int ports_name_cmp(const char *a, const char *b);

#endif
