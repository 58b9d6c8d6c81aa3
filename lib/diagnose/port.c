/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the diagnosis finds out about a port without talking to the modem: the group that
 * may open it, the other ttys of the same USB device, and garbage on the line. */
#include <dirent.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diagnose/internal.h"

void diag_port_owner(const char *path, struct diag_port *p)
{
	struct stat st;
	struct group grbuf, *gr = NULL;
	char buf[4096];

	p->group[0] = '\0';
	p->in_group = p->group_active = false;
	if (stat(path, &st) < 0)
		return;
	p->mode = st.st_mode & 07777;
	if (getgrgid_r(st.st_gid, &grbuf, buf, sizeof(buf), &gr) != 0 || !gr)
		snprintf(p->group, sizeof(p->group), "%u", (unsigned)st.st_gid);
	else
		snprintf(p->group, sizeof(p->group), "%s", gr->gr_name);

	/* Does the session have the group now? */
	gid_t groups[256];
	int n = getgroups(256, groups);
	if (getegid() == st.st_gid)
		p->group_active = true;
	for (int i = 0; i < n; i++)
		if (groups[i] == st.st_gid)
			p->group_active = true;
	/* Is the user a member (maybe not yet in this session)? */
	struct passwd pwbuf, *pw = NULL;
	char pbuf[4096];
	if (getpwuid_r(getuid(), &pwbuf, pbuf, sizeof(pbuf), &pw) == 0 && pw) {
		if (pw->pw_gid == st.st_gid)
			p->in_group = true;
		for (char **m = gr ? gr->gr_mem : NULL; m && *m; m++)
			if (strcmp(*m, pw->pw_name) == 0)
				p->in_group = true;
	}
	p->in_group |= p->group_active;
}

/* Read a short sysfs attribute into buf (trailing newline removed). */
static void read_attr(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f;

	buf[0] = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\r\n")] = '\0';
	fclose(f);
}

/* The sysfs directory of the USB device (the one with idVendor) above a tty. */
static bool usb_device_of(const char *sysroot, const char *tty, char *out, size_t size)
{
	char link[PATH_MAX];
	char real[PATH_MAX];

	if ((size_t)snprintf(link, sizeof(link), "%s/sys/class/tty/%s/device", sysroot, tty) >=
	    sizeof(link))
		return false;
	if (!realpath(link, real))
		return false;
	for (;;) {
		char attr[PATH_MAX];
		struct stat st;
		if ((size_t)snprintf(attr, sizeof(attr), "%s/idVendor", real) < sizeof(attr) &&
		    stat(attr, &st) == 0) {
			snprintf(out, size, "%s", real);
			return true;
		}
		char *slash = strrchr(real, '/');
		if (!slash || slash == real)
			return false;
		*slash = '\0';
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

size_t diag_usb_siblings(const char *sysroot, const char *tty, char (*names)[64], size_t max,
			 char *vid, char *pid)
{
	char usb[PATH_MAX];
	char dir[PATH_MAX];
	size_t n = 0;

	vid[0] = pid[0] = '\0';
	if (!sysroot)
		sysroot = "";
	if (!tty || strchr(tty, '/') || !usb_device_of(sysroot, tty, usb, sizeof(usb)))
		return 0;
	read_attr(usb, "idVendor", vid, 8);
	read_attr(usb, "idProduct", pid, 8);
	if ((size_t)snprintf(dir, sizeof(dir), "%s/sys/class/tty", sysroot) >= sizeof(dir))
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t ulen = strlen(usb);
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		char link[PATH_MAX], real[PATH_MAX];
		if (e->d_name[0] == '.' || strcmp(e->d_name, tty) == 0 || strlen(e->d_name) >= 64)
			continue;
		if ((size_t)snprintf(link, sizeof(link), "%s/%s/device", dir, e->d_name) >=
		    sizeof(link))
			continue;
		if (!realpath(link, real))
			continue;
		if (strncmp(real, usb, ulen) == 0 && real[ulen] == '/')
			snprintf(names[n++], 64, "%s", e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	return n;
}

void diag_port_account(struct diag_port *p, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		bool text = c == '\r' || c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f);
		p->rx_bytes++;
		if (text)
			continue;
		size_t used = strlen(p->noise_sample);
		if (used + 5 < sizeof(p->noise_sample))
			snprintf(p->noise_sample + used, sizeof(p->noise_sample) - used, "\\x%02x",
				 c);
		p->bad_bytes++;
	}
}
