/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Serial port enumeration over a fake sysfs tree laid out as Linux lays it out for the
 * usb-serial (option), cdc_acm and 8250 drivers, and the AT probe. The tree shapes follow
 * what the kernel documents in Documentation/ABI/testing/sysfs-bus-usb and sysfs-tty. */
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <smsctl/smsctl.h>

#include "transport/ports.h"

static char root[PATH_MAX];

static void mkdirs(const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static void put(const char *rel, const char *content)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

static void lnk(const char *target, const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_int_eq(symlink(target, path), 0);
}

/* A Huawei E173 (12d1:1506, three option ports), a cdc_acm modem, a 16550A and a reserved
 * 8250 slot, a virtual console, a device with hostile descriptor strings and ids. */
static void build_tree(void)
{
	char long_str[400];

	snprintf(root, sizeof(root), "/tmp/smsctl-test-ports-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	mkdirs("class/tty");
	mkdirs("dev/serial/by-id");
	mkdirs("bus/usb/drivers/option");
	mkdirs("bus/usb/drivers/cdc_acm");
	mkdirs("bus/usb-serial/drivers/option1");
	mkdirs("bus/platform/drivers/serial8250");
	mkdirs("bus/platform");
	mkdirs("bus/usb");

	/* Huawei: usb1/1-2, interfaces 1-2:1.0, 1.1, 1.2 each with a ttyUSBn below. The host
	 * controller pci0 is a PCI device; usb1, its root hub, a USB device (udev's ID_PATH). */
	mkdirs("devices/pci0/usb1/1-2");
	mkdirs("bus/pci");
	lnk("../../bus/pci", "devices/pci0/subsystem");
	put("devices/pci0/usb1/idVendor", "1d6b\n");
	put("devices/pci0/usb1/1-2/idVendor", "12d1\n");
	put("devices/pci0/usb1/1-2/idProduct", "1506\n");
	put("devices/pci0/usb1/1-2/manufacturer", "HUAWEI\n");
	put("devices/pci0/usb1/1-2/product", "HUAWEI Mobile\n");
	const char *ifs[] = {"1-2:1.0", "1-2:1.1", "1-2:1.2"};
	const char *ttys[] = {"ttyUSB0", "ttyUSB2", "ttyUSB10"};
	const char *nums[] = {"00\n", "01\n", "02\n"};
	for (int i = 0; i < 3; i++) {
		char rel[256], target[256];

		snprintf(rel, sizeof(rel), "devices/pci0/usb1/1-2/%s/%s", ifs[i], ttys[i]);
		mkdirs(rel);
		snprintf(rel, sizeof(rel), "devices/pci0/usb1/1-2/%s/bInterfaceNumber", ifs[i]);
		put(rel, nums[i]);
		snprintf(rel, sizeof(rel), "devices/pci0/usb1/1-2/%s/driver", ifs[i]);
		lnk("../../../../../bus/usb/drivers/option", rel);
		snprintf(rel, sizeof(rel), "devices/pci0/usb1/1-2/%s/%s/driver", ifs[i], ttys[i]);
		lnk("../../../../../../bus/usb-serial/drivers/option1", rel);
		snprintf(rel, sizeof(rel), "class/tty/%s", ttys[i]);
		mkdirs(rel);
		snprintf(rel, sizeof(rel), "class/tty/%s/device", ttys[i]);
		snprintf(target, sizeof(target), "../../../devices/pci0/usb1/1-2/%s/%s", ifs[i],
			 ttys[i]);
		lnk(target, rel);
		snprintf(rel, sizeof(rel), "dev/%s", ttys[i]);
		put(rel, "");
	}
	lnk("../../ttyUSB2", "dev/serial/by-id/usb-HUAWEI_HUAWEI_Mobile-if01-port0");

	/* cdc_acm: the tty's device is the interface itself. */
	mkdirs("devices/pci0/usb1/1-3/1-3:1.0");
	put("devices/pci0/usb1/1-3/idVendor", "1bc7\n");
	put("devices/pci0/usb1/1-3/idProduct", "1201\n");
	put("devices/pci0/usb1/1-3/serial", "0123456789AB\n");
	put("devices/pci0/usb1/1-3/1-3:1.0/bInterfaceNumber", "00\n");
	lnk("../../../../../bus/usb/drivers/cdc_acm", "devices/pci0/usb1/1-3/1-3:1.0/driver");
	lnk("../../../../../bus/usb", "devices/pci0/usb1/1-3/1-3:1.0/subsystem");
	mkdirs("class/tty/ttyACM0");
	lnk("../../../devices/pci0/usb1/1-3/1-3:1.0", "class/tty/ttyACM0/device");
	put("dev/ttyACM0", "");
	lnk("../../ttyACM0", "dev/serial/by-id/usb-Telit_0123456789AB-if00");
	lnk("../../ttyACM0", "dev/serial/by-id/usb-Another_name_for_it-if00");

	/* 8250: ttyS0 is a 16550A (type 4), ttyS1 a reserved slot (type 0). */
	mkdirs("devices/platform/serial8250");
	lnk("../../../bus/platform/drivers/serial8250", "devices/platform/serial8250/driver");
	lnk("../../../bus/platform", "devices/platform/serial8250/subsystem");
	mkdirs("class/tty/ttyS0");
	lnk("../../../devices/platform/serial8250", "class/tty/ttyS0/device");
	put("class/tty/ttyS0/type", "4\n");
	mkdirs("class/tty/ttyS1");
	lnk("../../../devices/platform/serial8250", "class/tty/ttyS1/device");
	put("class/tty/ttyS1/type", "0\n");

	/* Linux 6.5+: ttyS2 -> pnp0/00:01/00:01:0/00:01:0.0 (serial-base port, driver "port";
	 * controller, driver "ctrl"), the UART is the pnp device 00:01 (driver "serial"). */
	mkdirs("bus/serial-base/drivers/port");
	mkdirs("bus/serial-base/drivers/ctrl");
	mkdirs("bus/pnp/drivers/serial");
	mkdirs("devices/pnp0/00:01/00:01:0/00:01:0.0");
	lnk("../../../bus/pnp/drivers/serial", "devices/pnp0/00:01/driver");
	lnk("../../../bus/pnp", "devices/pnp0/00:01/subsystem");
	lnk("../../../../bus/serial-base/drivers/ctrl", "devices/pnp0/00:01/00:01:0/driver");
	lnk("../../../../bus/serial-base", "devices/pnp0/00:01/00:01:0/subsystem");
	lnk("../../../../../bus/serial-base/drivers/port",
	    "devices/pnp0/00:01/00:01:0/00:01:0.0/driver");
	lnk("../../../../../bus/serial-base", "devices/pnp0/00:01/00:01:0/00:01:0.0/subsystem");
	mkdirs("class/tty/ttyS2");
	lnk("../../../devices/pnp0/00:01/00:01:0/00:01:0.0", "class/tty/ttyS2/device");
	put("class/tty/ttyS2/type", "4\n");

	/* A virtual console: no device link. */
	mkdirs("class/tty/tty0");
	/* A dangling device link: skipped. */
	mkdirs("class/tty/ttyUSB7");
	lnk("../../../devices/nowhere", "class/tty/ttyUSB7/device");

	/* Hostile descriptors: control characters, an over-long string, ids out of range. */
	mkdirs("devices/pci0/usb1/1-4/1-4:1.3/ttyUSB3");
	put("devices/pci0/usb1/1-4/idVendor", "123456\n");
	put("devices/pci0/usb1/1-4/idProduct", "zz\n");
	put("devices/pci0/usb1/1-4/manufacturer", "Evil\033[2J\001Corp\n");
	memset(long_str, 'A', sizeof(long_str) - 1);
	long_str[sizeof(long_str) - 1] = '\0';
	put("devices/pci0/usb1/1-4/product", long_str);
	put("devices/pci0/usb1/1-4/1-4:1.3/bInterfaceNumber", "xyz\n");
	mkdirs("class/tty/ttyUSB3");
	lnk("../../../devices/pci0/usb1/1-4/1-4:1.3/ttyUSB3", "class/tty/ttyUSB3/device");
}

static void remove_tree(void)
{
	char cmd[PATH_MAX + 16];

	if (!root[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
	root[0] = '\0';
}

static struct smsctl_ports *enumerate(void)
{
	char class_tty[PATH_MAX + 16], dev[PATH_MAX + 16], by_id[PATH_MAX + 32];
	struct smsctl_ports *ports = NULL;

	snprintf(class_tty, sizeof(class_tty), "%s/class/tty", root);
	snprintf(dev, sizeof(dev), "%s/dev", root);
	snprintf(by_id, sizeof(by_id), "%s/dev/serial/by-id", root);
	ck_assert_int_eq(ports_enumerate(class_tty, dev, by_id, &ports), 7);
	return ports;
}

static const struct expect {
	const char *name;
	const char *by_id; /* basename, NULL for none */
	const char *driver;
	const char *subsystem;
	int vid, pid, iface;
	const char *manufacturer, *product, *serial;
} expected[] = {
    {"ttyACM0", "usb-Another_name_for_it-if00", "cdc_acm", "usb", 0x1bc7, 0x1201, 0, NULL, NULL,
     "0123456789AB"},
    {"ttyS0", NULL, "serial8250", "platform", -1, -1, -1, NULL, NULL, NULL},
    {"ttyS2", NULL, "serial", "pnp", -1, -1, -1, NULL, NULL, NULL},
    {"ttyUSB0", NULL, "option", "usb", 0x12d1, 0x1506, 0, "HUAWEI", "HUAWEI Mobile", NULL},
    {"ttyUSB2", "usb-HUAWEI_HUAWEI_Mobile-if01-port0", "option", "usb", 0x12d1, 0x1506, 1, "HUAWEI",
     "HUAWEI Mobile", NULL},
    {"ttyUSB3", NULL, NULL, "usb", -1, -1, -1, "Evil?[2J?Corp", NULL /* checked below */, NULL},
    {"ttyUSB10", NULL, "option", "usb", 0x12d1, 0x1506, 2, "HUAWEI", "HUAWEI Mobile", NULL},
};

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		ck_assert_ptr_null(got);
	else
		ck_assert_str_eq(got, want);
}

START_TEST(test_enumerate)
{
	const struct expect *e = &expected[_i];
	struct smsctl_ports *ports;
	const struct smsctl_port *p;
	char path[PATH_MAX + 32];

	build_tree();
	ports = enumerate();
	ck_assert_uint_eq(smsctl_ports_get_count(ports), 7);
	p = smsctl_ports_get(ports, (size_t)_i);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(smsctl_port_get_name(p), e->name);
	snprintf(path, sizeof(path), "%s/dev/%s", root, e->name);
	ck_assert_str_eq(smsctl_port_get_path(p), path);
	if (e->by_id) {
		snprintf(path, sizeof(path), "%s/dev/serial/by-id/%s", root, e->by_id);
		ck_assert_str_eq(smsctl_port_get_by_id(p), path);
	} else {
		ck_assert_ptr_null(smsctl_port_get_by_id(p));
	}
	assert_str_or_null(smsctl_port_get_driver(p), e->driver);
	assert_str_or_null(smsctl_port_get_subsystem(p), e->subsystem);
	ck_assert_int_eq(smsctl_port_get_usb_vendor(p), e->vid);
	ck_assert_int_eq(smsctl_port_get_usb_product(p), e->pid);
	ck_assert_int_eq(smsctl_port_get_usb_interface(p), e->iface);
	assert_str_or_null(smsctl_port_get_usb_manufacturer(p), e->manufacturer);
	assert_str_or_null(smsctl_port_get_usb_serial(p), e->serial);
	if (strcmp(e->name, "ttyUSB3") == 0) {
		/* Cut at the attribute bound, never past it. */
		const char *prod = smsctl_port_get_usb_product_name(p);
		ck_assert_ptr_nonnull(prod);
		ck_assert_uint_eq(strlen(prod), 255);
		ck_assert_uint_eq(strspn(prod, "A"), 255);
	} else {
		assert_str_or_null(smsctl_port_get_usb_product_name(p), e->product);
	}
	smsctl_ports_free(ports);
	remove_tree();
}
END_TEST

/* udev rules for stable names (smsctl ports --udev-rules): ID_PATH as udev's path_id writes
 * it, the interface number, the symlink and ModemManager's ignore flag. */
static const struct {
	const char *name, *prefix, *link, *id_path, *rule;
	int rc;
} udev[] = {
    {"ttyUSB2", "smsctl", "slot1", "pci-pci0-usb-0:2:1.1",
     "SUBSYSTEM==\"tty\", ENV{ID_PATH}==\"pci-pci0-usb-0:2:1.1\", "
     "ENV{ID_USB_INTERFACE_NUM}==\"01\", SYMLINK+=\"smsctl/slot1\", "
     "ENV{ID_MM_DEVICE_IGNORE}=\"1\"",
     0},
    {"ttyUSB10", NULL, "shop-2", "pci-pci0-usb-0:2:1.2",
     "SUBSYSTEM==\"tty\", ENV{ID_PATH}==\"pci-pci0-usb-0:2:1.2\", "
     "ENV{ID_USB_INTERFACE_NUM}==\"02\", SYMLINK+=\"shop-2\", "
     "ENV{ID_MM_DEVICE_IGNORE}=\"1\"",
     0},
    {"ttyACM0", "gsm", "a.b_c", "pci-pci0-usb-0:3:1.0",
     "SUBSYSTEM==\"tty\", ENV{ID_PATH}==\"pci-pci0-usb-0:3:1.0\", "
     "ENV{ID_USB_INTERFACE_NUM}==\"00\", SYMLINK+=\"gsm/a.b_c\", "
     "ENV{ID_MM_DEVICE_IGNORE}=\"1\"",
     0},
    /* hostile names never reach a rule */
    {"ttyUSB0", "smsctl", "../x", "pci-pci0-usb-0:2:1.0", NULL, SMSCTL_ERR_INVALID},
    {"ttyUSB0", "smsctl", "a\"b", "pci-pci0-usb-0:2:1.0", NULL, SMSCTL_ERR_INVALID},
    {"ttyUSB0", "sms ctl", "slot1", "pci-pci0-usb-0:2:1.0", NULL, SMSCTL_ERR_INVALID},
    {"ttyUSB0", "smsctl", "", "pci-pci0-usb-0:2:1.0", NULL, SMSCTL_ERR_INVALID},
    /* not on USB: no ID_PATH, no rule */
    {"ttyS0", "smsctl", "slot1", NULL, NULL, SMSCTL_ERR_NOT_FOUND},
    {"ttyS2", "smsctl", "slot1", NULL, NULL, SMSCTL_ERR_NOT_FOUND},
};

START_TEST(test_udev_rule)
{
	char class_tty[PATH_MAX + 16], dev[PATH_MAX + 16];
	struct smsctl_ports *ports = NULL;
	const struct smsctl_port *port = NULL;
	char *rule = (char *)"untouched";

	build_tree();
	snprintf(class_tty, sizeof(class_tty), "%s/class/tty", root);
	snprintf(dev, sizeof(dev), "%s/dev", root);
	ck_assert_int_ge(ports_enumerate(class_tty, dev, NULL, &ports), 1);
	for (size_t i = 0; i < smsctl_ports_get_count(ports); i++)
		if (strcmp(smsctl_port_get_name(smsctl_ports_get(ports, i)), udev[_i].name) == 0)
			port = smsctl_ports_get(ports, i);
	ck_assert_ptr_nonnull(port);
	assert_str_or_null(smsctl_port_get_id_path(port), udev[_i].id_path);
	ck_assert_int_eq(smsctl_port_format_udev_rule(port, udev[_i].prefix, udev[_i].link, &rule),
			 udev[_i].rc);
	assert_str_or_null(rule, udev[_i].rule);
	free(rule);
	ck_assert_int_eq(smsctl_port_format_udev_rule(NULL, "x", "y", &rule), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_port_format_udev_rule(port, "x", "y", NULL), SMSCTL_ERR_INVALID);
	ck_assert_ptr_null(smsctl_port_get_id_path(NULL));
	smsctl_ports_free(ports);
	remove_tree();
}
END_TEST

START_TEST(test_enumerate_bad_args)
{
	struct smsctl_ports *ports = (struct smsctl_ports *)&ports;

	ck_assert_int_eq(ports_enumerate("/nonexistent-smsctl", "/dev", NULL, &ports), 0);
	ck_assert_uint_eq(smsctl_ports_get_count(ports), 0);
	ck_assert_ptr_null(smsctl_ports_get(ports, 0));
	smsctl_ports_free(ports);
	ck_assert_int_eq(ports_enumerate(NULL, "/dev", NULL, &ports), SMSCTL_ERR_INVALID);
	ck_assert_ptr_null(ports);
	ck_assert_int_eq(ports_enumerate("/sys/class/tty", NULL, NULL, &ports), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(ports_enumerate("/sys/class/tty", "/dev", NULL, NULL), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_port_list(NULL), SMSCTL_ERR_INVALID);
	smsctl_ports_free(NULL);
	ck_assert_uint_eq(smsctl_ports_get_count(NULL), 0);
	ck_assert_int_eq(smsctl_port_get_usb_vendor(NULL), -1);
	ck_assert_ptr_null(smsctl_port_get_driver(NULL));
}
END_TEST

/* The real machine: whatever it has, the list is consistent. */
START_TEST(test_real_system)
{
	struct smsctl_ports *ports = NULL;
	int n = smsctl_port_list(&ports);

	ck_assert_int_ge(n, 0);
	ck_assert_ptr_nonnull(ports);
	ck_assert_uint_eq(smsctl_ports_get_count(ports), (size_t)n);
	for (int i = 0; i < n; i++) {
		const struct smsctl_port *p = smsctl_ports_get(ports, (size_t)i);
		ck_assert_str_eq(smsctl_port_get_path(p) + 5, smsctl_port_get_name(p));
		if (i > 0)
			ck_assert_int_lt(ports_name_cmp(smsctl_port_get_name(
							    smsctl_ports_get(ports, (size_t)i - 1)),
							smsctl_port_get_name(p)),
					 0);
	}
	smsctl_ports_free(ports);
}
END_TEST

static const struct {
	const char *a, *b;
	int sign;
} order[] = {
    {"ttyUSB2", "ttyUSB10", -1},
    {"ttyUSB10", "ttyUSB2", 1},
    {"ttyUSB2", "ttyUSB2", 0},
    {"ttyACM0", "ttyUSB0", -1},
    {"ttyS9", "ttyS10", -1},
    {"ttyUSB02", "ttyUSB2", 0},
    {"ttyUSB", "ttyUSB0", -1},
    {"ttyUSB0", "ttyUSB", 1},
    {"", "", 0},
    {"", "a", -1},
    {"ttyUSB1a", "ttyUSB1b", -1},
    {"tty9", "ttyA", -1},
};

START_TEST(test_name_order)
{
	int c = ports_name_cmp(order[_i].a, order[_i].b);

	ck_assert_int_eq((c > 0) - (c < 0), order[_i].sign);
}
END_TEST

static const struct {
	const char *device;
	unsigned timeout_ms;
	int want;
} probes[] = {
    {NULL, 100, SMSCTL_ERR_INVALID},
    {"", 100, SMSCTL_ERR_INVALID},
    {"/dev/null", 0, SMSCTL_ERR_INVALID},
    {"/dev/null", 600001, SMSCTL_ERR_INVALID},
    {"/nonexistent/ttyUSB9", 100, SMSCTL_ERR_NOT_FOUND},
};

START_TEST(test_probe_errors)
{
	ck_assert_int_eq(smsctl_port_probe(probes[_i].device, probes[_i].timeout_ms),
			 probes[_i].want);
}
END_TEST

/* A pseudo-terminal nobody answers on: the probe gives up after its timeout. */
START_TEST(test_probe_silent_pty)
{
	int master, slave;
	char name[128];

	ck_assert_int_eq(openpty(&master, &slave, name, NULL, NULL), 0);
	ck_assert_int_eq(smsctl_port_probe(name, 200), SMSCTL_ERR_TIMEOUT);
	close(slave);
	close(master);
}
END_TEST

static Suite *ports_suite(void)
{
	Suite *s = suite_create("ports");
	TCase *tc = tcase_create("enumerate");

	tcase_add_loop_test(tc, test_enumerate, 0, (int)(sizeof(expected) / sizeof(expected[0])));
	tcase_add_test(tc, test_enumerate_bad_args);
	tcase_add_loop_test(tc, test_udev_rule, 0, (int)(sizeof(udev) / sizeof(udev[0])));
	tcase_add_test(tc, test_real_system);
	tcase_add_loop_test(tc, test_name_order, 0, (int)(sizeof(order) / sizeof(order[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("probe");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_probe_errors, 0, (int)(sizeof(probes) / sizeof(probes[0])));
	tcase_add_test(tc, test_probe_silent_pty);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ports_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
