/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Serial ports from sysfs: /sys/class/tty/NAME/device leads to the hardware; for USB the
 * interface above it carries bInterfaceNumber and the device above that idVendor, idProduct,
 * manufacturer, product and serial. No libserialport here (only transport-serial.c uses it). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <smsctl/error.h>
#include <smsctl/modem.h>
#include <smsctl/ports.h>

#include "transport/ports.h"

struct smsctl_port {
	char *name;
	char *path;
	char *by_id;
	char *driver;
	char *subsystem;
	int usb_vendor;
	int usb_product;
	int usb_interface;
	char *usb_manufacturer;
	char *usb_product_name;
	char *usb_serial;
	char *id_path; /* udev's ID_PATH of the USB interface (path_id's form), NULL */
};

struct smsctl_ports {
	struct smsctl_port *v;
	size_t n;
	size_t cap;
};

/* Longest sysfs attribute we care about (strings of USB descriptors are at most 126 chars). */
#define ATTR_MAX 256
/* How far above the tty's device the USB interface and device may be. */
#define MAX_WALK 6

static void port_clear(struct smsctl_port *p)
{
	free(p->name);
	free(p->path);
	free(p->by_id);
	free(p->driver);
	free(p->subsystem);
	free(p->usb_manufacturer);
	free(p->usb_product_name);
	free(p->usb_serial);
	free(p->id_path);
}

SMSCTL_API void smsctl_ports_free(struct smsctl_ports *ports)
{
	if (!ports)
		return;
	for (size_t i = 0; i < ports->n; i++)
		port_clear(&ports->v[i]);
	free(ports->v);
	free(ports);
}

/* Read a one-line sysfs attribute dir/name into buf, without the trailing newline, keeping
 * only printable ASCII (descriptor strings come from the device: hostile). */
static bool read_attr(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
			buf[i] = '?';
	return n > 0;
}

static char *dup_attr(const char *dir, const char *name)
{
	char buf[ATTR_MAX];

	if (!read_attr(dir, name, buf, sizeof(buf)))
		return NULL;
	return strdup(buf);
}

static int hex_attr(const char *dir, const char *name, long max)
{
	char buf[32], *end;
	long v;

	if (!read_attr(dir, name, buf, sizeof(buf)))
		return -1;
	errno = 0;
	v = strtol(buf, &end, 16);
	if (errno || *end || end == buf || v < 0 || v > max)
		return -1;
	return (int)v;
}

/* basename of the target of dir/link, NULL when there is none. */
static char *link_base(const char *dir, const char *link)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *b;

	if (snprintf(path, sizeof(path), "%s/%s", dir, link) >= (int)sizeof(path))
		return NULL;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	b = strrchr(target, '/');
	b = b ? b + 1 : target;
	return *b ? strdup(b) : NULL;
}

static bool has_attr(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return false;
	return access(path, F_OK) == 0;
}

/* Cut the last component of an absolute path in place; false at the root. */
static bool path_up(char *p)
{
	char *s = strrchr(p, '/');

	if (!s || s == p)
		return false;
	*s = '\0';
	return true;
}

/*
 * udev's ID_PATH of a USB interface as its path_id builtin writes it: the USB host
 * controller ("pci-0000:00:14.0" or "platform-3f980000.usb") and "usb-0:" with the port chain,
 * configuration and interface (the interface's name after the bus number: 1-2.3:1.2 gives
 * "usb-0:2.3:1.2"). NULL when the controller is neither PCI nor platform.
 */
static char *usb_id_path(const char *iface_dir, const char *iface)
{
	char dir[PATH_MAX], *sub, *out = NULL;
	const char *port = strchr(iface, '-'), *base;

	if (!port || !port[1] || strchr(port + 1, '/'))
		return NULL;
	snprintf(dir, sizeof(dir), "%s", iface_dir);
	/* above the interface: the USB devices, hubs and the root hub (all have idVendor) */
	for (int steps = 0; steps < 16; steps++) {
		if (!path_up(dir))
			return NULL;
		if (!has_attr(dir, "idVendor"))
			break;
	}
	sub = link_base(dir, "subsystem");
	base = strrchr(dir, '/');
	if (sub && base && (strcmp(sub, "pci") == 0 || strcmp(sub, "platform") == 0) &&
	    asprintf(&out, "%s-%s-usb-0:%s", sub, base + 1, port + 1) < 0)
		out = NULL;
	free(sub);
	return out;
}

/* Fill the USB fields walking up from the tty's device directory. */
static int fill_usb(struct smsctl_port *p, const char *devdir)
{
	char dir[PATH_MAX];
	int steps;

	snprintf(dir, sizeof(dir), "%s", devdir);
	for (steps = 0; steps < MAX_WALK; steps++) {
		if (has_attr(dir, "bInterfaceNumber"))
			break;
		if (has_attr(dir, "idVendor"))
			break;
		if (!path_up(dir))
			return 0;
	}
	if (steps == MAX_WALK)
		return 0;
	if (has_attr(dir, "bInterfaceNumber")) {
		char *drv = link_base(dir, "driver");
		const char *sys = strrchr(dir, '/');

		p->id_path = usb_id_path(dir, sys ? sys + 1 : dir); /* copies dir first */

		p->usb_interface = hex_attr(dir, "bInterfaceNumber", 255);
		if (drv) {
			free(p->driver);
			p->driver = drv;
		}
		if (!path_up(dir) || !has_attr(dir, "idVendor"))
			return 0;
	}
	p->usb_vendor = hex_attr(dir, "idVendor", 0xffff);
	p->usb_product = hex_attr(dir, "idProduct", 0xffff);
	p->usb_manufacturer = dup_attr(dir, "manufacturer");
	p->usb_product_name = dup_attr(dir, "product");
	p->usb_serial = dup_attr(dir, "serial");
	free(p->subsystem);
	p->subsystem = strdup("usb");
	return p->subsystem ? 0 : SMSCTL_ERR_NOMEM;
}

/* The first link in by_id_dir that resolves to the same file as node, NULL when none. */
static char *find_by_id(const char *by_id_dir, const char *node)
{
	struct stat want, st;
	struct dirent *de;
	char path[PATH_MAX];
	char *found = NULL;
	DIR *d;

	if (!by_id_dir || stat(node, &want) != 0)
		return NULL;
	d = opendir(by_id_dir);
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", by_id_dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (stat(path, &st) != 0)
			continue;
		if (st.st_dev == want.st_dev && st.st_ino == want.st_ino) {
			/* Several links may name the same node: keep the smallest for
			 * a stable answer whatever readdir's order. */
			if (!found || strcmp(path, found) < 0) {
				free(found);
				found = strdup(path);
			}
		}
	}
	closedir(d);
	return found;
}

int ports_name_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea = a, *eb = b;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (ea = a; isdigit((unsigned char)*ea); ea++)
				;
			for (eb = b; isdigit((unsigned char)*eb); eb++)
				;
			if (ea - a != eb - b)
				return ea - a < eb - b ? -1 : 1;
			int c = strncmp(a, b, (size_t)(ea - a));
			if (c)
				return c;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int port_cmp(const void *x, const void *y)
{
	const struct smsctl_port *a = x, *b = y;

	return ports_name_cmp(a->name, b->name);
}

/* Describe class_tty/name; 1 when added, 0 when skipped (no hardware), < 0 on error. */
static int add_port(struct smsctl_ports *list, const char *class_tty, const char *dev_dir,
		    const char *by_id_dir, const char *name)
{
	char ttydir[PATH_MAX], devlink[PATH_MAX], devdir[PATH_MAX], type[16];
	struct smsctl_port p = {.usb_vendor = -1, .usb_product = -1, .usb_interface = -1};
	int r = SMSCTL_ERR_NOMEM;

	if (snprintf(ttydir, sizeof(ttydir), "%s/%s", class_tty, name) >= (int)sizeof(ttydir) ||
	    snprintf(devlink, sizeof(devlink), "%s/device", ttydir) >= (int)sizeof(devlink))
		return 0;
	if (!realpath(devlink, devdir))
		return 0; /* virtual terminal, pty, console: no hardware */
	/* 8250 lists ports it merely reserved; a UART that exists has a type other than 0. */
	if (read_attr(ttydir, "type", type, sizeof(type)) && strcmp(type, "0") == 0)
		return 0;

	p.name = strdup(name);
	if (!p.name)
		goto fail;
	if (asprintf(&p.path, "%s/%s", dev_dir, name) < 0) {
		p.path = NULL;
		goto fail;
	}
	p.driver = link_base(devdir, "driver");
	p.subsystem = link_base(devdir, "subsystem");
	/* Linux 6.5+ puts a serial-base port and controller between the tty and the UART's
	 * device (pnp, platform, pci): name that one. */
	for (int up = 0; up < 2 && p.subsystem && strcmp(p.subsystem, "serial-base") == 0; up++) {
		if (!path_up(devdir))
			break;
		free(p.driver);
		free(p.subsystem);
		p.driver = link_base(devdir, "driver");
		p.subsystem = link_base(devdir, "subsystem");
	}
	r = fill_usb(&p, devdir);
	if (r < 0)
		goto fail;
	p.by_id = find_by_id(by_id_dir, p.path);

	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 8;
		struct smsctl_port *v = realloc(list->v, cap * sizeof(*v));

		if (!v) {
			r = SMSCTL_ERR_NOMEM;
			goto fail;
		}
		list->v = v;
		list->cap = cap;
	}
	list->v[list->n++] = p;
	return 1;
fail:
	port_clear(&p);
	return r;
}

int ports_enumerate(const char *class_tty, const char *dev_dir, const char *by_id_dir,
		    struct smsctl_ports **out)
{
	struct smsctl_ports *list;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (!class_tty || !dev_dir)
		return SMSCTL_ERR_INVALID;
	list = calloc(1, sizeof(*list));
	if (!list)
		return SMSCTL_ERR_NOMEM;
	d = opendir(class_tty);
	if (d) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			r = add_port(list, class_tty, dev_dir, by_id_dir, de->d_name);
			if (r < 0)
				break;
		}
		closedir(d);
	}
	if (r < 0) {
		smsctl_ports_free(list);
		return r;
	}
	if (list->n > 1)
		qsort(list->v, list->n, sizeof(list->v[0]), port_cmp);
	*out = list;
	return list->n > INT_MAX ? INT_MAX : (int)list->n;
}

SMSCTL_API int smsctl_port_list(struct smsctl_ports **out)
{
	return ports_enumerate("/sys/class/tty", "/dev", "/dev/serial/by-id", out);
}

SMSCTL_API size_t smsctl_ports_get_count(const struct smsctl_ports *ports)
{
	return ports ? ports->n : 0;
}

SMSCTL_API const struct smsctl_port *smsctl_ports_get(const struct smsctl_ports *ports, size_t i)
{
	if (!ports || i >= ports->n)
		return NULL;
	return &ports->v[i];
}

SMSCTL_API const char *smsctl_port_get_name(const struct smsctl_port *port)
{
	return port ? port->name : "";
}

SMSCTL_API const char *smsctl_port_get_path(const struct smsctl_port *port)
{
	return port ? port->path : "";
}

SMSCTL_API const char *smsctl_port_get_by_id(const struct smsctl_port *port)
{
	return port ? port->by_id : NULL;
}

SMSCTL_API const char *smsctl_port_get_driver(const struct smsctl_port *port)
{
	return port ? port->driver : NULL;
}

SMSCTL_API const char *smsctl_port_get_subsystem(const struct smsctl_port *port)
{
	return port ? port->subsystem : NULL;
}

SMSCTL_API int smsctl_port_get_usb_vendor(const struct smsctl_port *port)
{
	return port ? port->usb_vendor : -1;
}

SMSCTL_API int smsctl_port_get_usb_product(const struct smsctl_port *port)
{
	return port ? port->usb_product : -1;
}

SMSCTL_API int smsctl_port_get_usb_interface(const struct smsctl_port *port)
{
	return port ? port->usb_interface : -1;
}

SMSCTL_API const char *smsctl_port_get_usb_manufacturer(const struct smsctl_port *port)
{
	return port ? port->usb_manufacturer : NULL;
}

SMSCTL_API const char *smsctl_port_get_usb_product_name(const struct smsctl_port *port)
{
	return port ? port->usb_product_name : NULL;
}

SMSCTL_API const char *smsctl_port_get_id_path(const struct smsctl_port *port)
{
	return port ? port->id_path : NULL;
}

/* A name for /dev/PREFIX/NAME: letters, digits, '_', '-', '.', not starting with '.'. */
static bool udev_name_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > max || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.", s[i]))
			return false;
	return true;
}

SMSCTL_API int smsctl_port_format_udev_rule(const struct smsctl_port *port, const char *prefix,
					    const char *name, char **out)
{
	char iface[16] = "";

	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (!port || !udev_name_ok(name, 64) || (prefix && *prefix && !udev_name_ok(prefix, 64)))
		return SMSCTL_ERR_INVALID;
	if (!port->id_path)
		return SMSCTL_ERR_NOT_FOUND;
	if (port->usb_interface >= 0)
		snprintf(iface, sizeof(iface), "%02x", (unsigned)port->usb_interface);
	/* ID_PATH and ID_USB_INTERFACE_NUM come from 60-serial.rules (path_id, usb_id) */
	if (asprintf(out,
		     "SUBSYSTEM==\"tty\", ENV{ID_PATH}==\"%s\"%s%s%s, SYMLINK+=\"%s%s%s\", "
		     "ENV{ID_MM_DEVICE_IGNORE}=\"1\"",
		     port->id_path, iface[0] ? ", ENV{ID_USB_INTERFACE_NUM}==\"" : "", iface,
		     iface[0] ? "\"" : "", prefix && *prefix ? prefix : "",
		     prefix && *prefix ? "/" : "", name) < 0) {
		*out = NULL;
		return SMSCTL_ERR_NOMEM;
	}
	return 0;
}

SMSCTL_API const char *smsctl_port_get_usb_serial(const struct smsctl_port *port)
{
	return port ? port->usb_serial : NULL;
}

SMSCTL_API int smsctl_port_probe(const char *device, unsigned timeout_ms)
{
	struct smsctl_modem_options *opts;
	struct smsctl_modem *m = NULL;
	int r;

	if (!device || !*device || timeout_ms == 0 || timeout_ms > 600000)
		return SMSCTL_ERR_INVALID;
	opts = smsctl_modem_options_new();
	if (!opts)
		return SMSCTL_ERR_NOMEM;
	r = smsctl_modem_options_set_timeout(opts, timeout_ms);
	if (r == 0)
		r = smsctl_modem_new(device, opts, &m);
	smsctl_modem_options_free(opts);
	if (r < 0)
		return r;
	r = smsctl_modem_open(m);
	if (r == 0) {
		r = smsctl_modem_command(m, "AT", (int)timeout_ms, NULL);
		/* An error result is still an answer: the port speaks AT. */
		if (r == SMSCTL_ERR_MODEM)
			r = 0;
	}
	smsctl_modem_free(m);
	return r;
}
