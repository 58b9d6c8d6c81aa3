/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl ports [--probe]: the serial ports with hardware behind them, with USB identity, and
 * which of them answer AT. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "recv-common.h"

static void ports_usage(FILE *f)
{
	fputs(_("Usage: smsctl ports [--probe] [--probe-timeout MS] [--json]\n"
		"List the serial ports (USB vendor:product, interface, driver, serial number).\n\n"
		"  -p, --probe             open each port and send AT to tell which answer\n"
		"      --probe-timeout MS  how long to wait for each answer (default 1000)\n"
		"  -j, --json              one object per line: name, path, by_id, driver, "
		"subsystem,\n"
		"                          usb_vendor, usb_product, usb_interface, manufacturer,\n"
		"                          product, serial, answers, probe_error, holder_pid,\n"
		"                          holder\n"
		"  -h, --help              show this help\n\n"
		"Probing sends only AT. A port held by another program (often ModemManager) is\n"
		"shown as busy with that program's name.\n"),
	      f);
	fputs(_("\nsmsctl ports --udev-rules [--prefix DIR] probes the ports and prints one udev\n"
		"rule per USB port that answers AT: /dev/DIR/slot1, /dev/DIR/slot2, ... in port\n"
		"order (DIR default smsctl), keyed by the USB socket (ID_PATH) and the interface,\n"
		"with ModemManager told to leave the port alone. Save it as\n"
		"/etc/udev/rules.d/70-smsctl.rules and have udev reload its rules (see\n"
		"smsctl(1)).\n"),
	      f);
}

struct probe {
	bool done;
	int err;      /* 0: answered */
	pid_t holder; /* SMSCTL_ERR_BUSY */
	char holder_name[64];
};

static void probe_port(const char *path, unsigned timeout_ms, struct probe *p)
{
	struct smsctl_modem_options *opts = smsctl_modem_options_new();
	struct smsctl_modem *m = NULL;
	int r = opts ? 0 : SMSCTL_ERR_NOMEM;

	p->done = true;
	p->holder = 0;
	p->holder_name[0] = '\0';
	if (r == 0)
		r = smsctl_modem_options_set_timeout(opts, timeout_ms);
	if (r == 0)
		r = smsctl_modem_new(path, opts, &m);
	smsctl_modem_options_free(opts);
	if (r == 0)
		r = smsctl_modem_open(m);
	if (r == SMSCTL_ERR_BUSY) {
		const char *prog = NULL;

		p->holder = smsctl_modem_get_lock_holder(m, &prog);
		if (prog)
			snprintf(p->holder_name, sizeof(p->holder_name), "%s", prog);
	} else if (r == 0) {
		r = smsctl_modem_command(m, "AT", (int)timeout_ms, NULL);
		if (r == SMSCTL_ERR_MODEM)
			r = 0; /* an error result is an answer */
	}
	smsctl_modem_free(m);
	p->err = r;
}

static void hex4_or_null(struct json *j, const char *key, int v)
{
	char buf[16];

	if (v < 0) {
		json_kv_null(j, key);
		return;
	}
	snprintf(buf, sizeof(buf), "%04x", (unsigned)v);
	json_kv_string(j, key, buf);
}

static void print_json(const struct smsctl_port *port, const struct probe *p)
{
	struct json j;
	int iface = smsctl_port_get_usb_interface(port);

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_string(&j, "name", smsctl_port_get_name(port));
	json_kv_string(&j, "path", smsctl_port_get_path(port));
	json_kv_string(&j, "by_id", smsctl_port_get_by_id(port));
	json_kv_string(&j, "driver", smsctl_port_get_driver(port));
	json_kv_string(&j, "subsystem", smsctl_port_get_subsystem(port));
	hex4_or_null(&j, "usb_vendor", smsctl_port_get_usb_vendor(port));
	hex4_or_null(&j, "usb_product", smsctl_port_get_usb_product(port));
	json_kv_int_or_null(&j, "usb_interface", iface, iface >= 0);
	json_kv_string(&j, "manufacturer", smsctl_port_get_usb_manufacturer(port));
	json_kv_string(&j, "product", smsctl_port_get_usb_product_name(port));
	json_kv_string(&j, "serial", smsctl_port_get_usb_serial(port));
	json_key(&j, "answers");
	if (p->done)
		json_bool(&j, p->err == 0);
	else
		json_null(&j);
	json_kv_string(&j, "probe_error", p->done && p->err ? smsctl_error_name(p->err) : NULL);
	json_kv_int_or_null(&j, "holder_pid", p->holder, p->holder > 0);
	json_kv_string(&j, "holder", p->holder_name[0] ? p->holder_name : NULL);
	json_object_end(&j);
	json_end_line(&j);
}

static void print_human(const struct cli *cli, const struct smsctl_port *port,
			const struct probe *p)
{
	const char *bold = cli->color ? "\033[1m" : "", *reset = cli->color ? "\033[0m" : "";
	const char *green = cli->color ? "\033[32m" : "", *red = cli->color ? "\033[31m" : "";
	int vid = smsctl_port_get_usb_vendor(port), pid = smsctl_port_get_usb_product(port);
	int iface = smsctl_port_get_usb_interface(port);
	const char *s;

	printf("%s%-14s%s", bold, smsctl_port_get_path(port), reset);
	if (vid >= 0 && pid >= 0)
		printf(" %04x:%04x", (unsigned)vid, (unsigned)pid);
	if (iface >= 0)
		printf(" if%02d", iface);
	if ((s = smsctl_port_get_driver(port)))
		printf(" %s", s);
	if ((s = smsctl_port_get_usb_manufacturer(port)))
		printf(" \"%s\"", s);
	if ((s = smsctl_port_get_usb_product_name(port)))
		printf(" \"%s\"", s);
	if ((s = smsctl_port_get_usb_serial(port)))
		printf(" %s %s", _("serial"), s);
	if (p->done) {
		if (p->err == 0)
			printf("  %s%s%s", green, _("answers AT"), reset);
		else if (p->err == SMSCTL_ERR_BUSY && p->holder > 0)
			printf("  %s%s (%s %ld%s%s)%s", red, _("busy"), _("pid"), (long)p->holder,
			       p->holder_name[0] ? " " : "", p->holder_name, reset);
		else if (p->err == SMSCTL_ERR_TIMEOUT)
			printf("  %s", _("no answer"));
		else
			printf("  %s%s%s", red, smsctl_strerror(p->err), reset);
	}
	putchar('\n');
	if ((s = smsctl_port_get_by_id(port)))
		printf("  %s\n", s);
}

/* --udev-rules: one rule per USB port that answers AT, named slot1, slot2, ... */
static int print_udev_rules(struct cli *cli, const struct smsctl_ports *ports, const char *prefix,
			    unsigned timeout_ms)
{
	int slot = 0;

	printf("# %s: smsctl ports --udev-rules%s%s\n", "/etc/udev/rules.d/70-smsctl.rules",
	       prefix ? " --prefix " : "", prefix ? prefix : "");
	for (size_t i = 0; i < smsctl_ports_get_count(ports); i++) {
		const struct smsctl_port *port = smsctl_ports_get(ports, i);
		const char *path = smsctl_port_get_path(port);
		struct probe p = {0};
		char name[32], *rule = NULL;

		probe_port(path, timeout_ms, &p);
		if (p.err != 0)
			continue;
		snprintf(name, sizeof(name), "slot%d", slot + 1);
		int rc = smsctl_port_format_udev_rule(port, prefix, name, &rule);
		if (rc == SMSCTL_ERR_NOT_FOUND) {
			cli_err(cli, _("%s answers AT but has no USB path: no rule for it"), path);
			continue;
		}
		if (rc < 0) {
			cli_err(cli, "%s", smsctl_strerror(rc));
			return cli_exit_for_error(rc);
		}
		slot++;
		printf("# %s: %s %04x:%04x, interface %02d\n%s\n", name, path,
		       (unsigned)smsctl_port_get_usb_vendor(port) & 0xffff,
		       (unsigned)smsctl_port_get_usb_product(port) & 0xffff,
		       smsctl_port_get_usb_interface(port), rule);
		free(rule);
	}
	if (slot == 0)
		fprintf(stderr, "%s\n", _("no USB port answered AT: no rules"));
	return EXIT_OK;
}

int cmd_ports(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"probe", no_argument, NULL, 'p'},	    {"probe-timeout", required_argument, NULL, 'T'},
	    {"udev-rules", no_argument, NULL, 'U'}, {"prefix", required_argument, NULL, 'P'},
	    {"help", no_argument, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	struct smsctl_ports *ports = NULL;
	unsigned long timeout_ms = 1000;
	bool probe = false, udev = false;
	const char *prefix = NULL;
	int c, n, ex;

	while ((c = cli_getopt(cli, argc, argv, "ph", opts, ports_usage, &ex)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return ex;
		case 'p':
			probe = true;
			break;
		case 'U':
			udev = true;
			break;
		case 'P':
			prefix = optarg;
			break;
		case 'T':
			if (!recv_parse_ulong(optarg, 10, 60000, &timeout_ms))
				return cli_usage_error(
				    cli, _("invalid --probe-timeout '%s' (10 to 60000)"), optarg);
			break;
		}
	}
	ex = cli_no_operands(cli, argc, argv);
	if (ex != EXIT_OK)
		return ex;

	if (prefix && !udev)
		return cli_usage_error(cli, "%s", _("--prefix goes with --udev-rules"));
	if (prefix &&
	    (!*prefix || prefix[0] == '.' ||
	     strspn(prefix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "_-.") != strlen(prefix) ||
	     strlen(prefix) > 64))
		return cli_usage_error(
		    cli, _("invalid --prefix '%s' (letters, digits, '_', '-', '.')"), prefix);
	n = smsctl_port_list(&ports);
	if (n < 0) {
		cli_err(cli, "%s", smsctl_strerror(n));
		return cli_exit_for_error(n);
	}
	if (udev) {
		ex = print_udev_rules(cli, ports, prefix ? prefix : "smsctl", (unsigned)timeout_ms);
		smsctl_ports_free(ports);
		return ex;
	}
	for (size_t i = 0; i < smsctl_ports_get_count(ports); i++) {
		const struct smsctl_port *port = smsctl_ports_get(ports, i);
		struct probe p = {0};

		if (probe)
			probe_port(smsctl_port_get_path(port), (unsigned)timeout_ms, &p);
		if (cli->json)
			print_json(port, &p);
		else
			print_human(cli, port, &p);
		fflush(stdout);
	}
	if (n == 0 && !cli->json)
		fprintf(stderr, "%s\n", _("no serial ports found"));
	smsctl_ports_free(ports);
	return EXIT_OK;
}
