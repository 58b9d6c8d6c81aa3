/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>

#include <smsctl/error.h>
#include <smsctl/version.h>

#include "i18n.h"

struct error_entry {
	int code;
	const char *name;
	const char *text;
};

static const struct error_entry errors[] = {
    {SMSCTL_OK, "SMSCTL_OK", N_("success")},
    {SMSCTL_ERR_INVALID, "SMSCTL_ERR_INVALID", N_("invalid argument")},
    {SMSCTL_ERR_NOMEM, "SMSCTL_ERR_NOMEM", N_("out of memory")},
    {SMSCTL_ERR_IO, "SMSCTL_ERR_IO", N_("input/output error")},
    {SMSCTL_ERR_TIMEOUT, "SMSCTL_ERR_TIMEOUT", N_("the modem did not answer in time")},
    {SMSCTL_ERR_MODEM, "SMSCTL_ERR_MODEM", N_("the modem answered with an error")},
    {SMSCTL_ERR_PROTOCOL, "SMSCTL_ERR_PROTOCOL", N_("the modem's answer could not be understood")},
    {SMSCTL_ERR_UNSUPPORTED, "SMSCTL_ERR_UNSUPPORTED", N_("not supported")},
    {SMSCTL_ERR_BUSY, "SMSCTL_ERR_BUSY", N_("the port is in use by another process")},
    {SMSCTL_ERR_NOT_FOUND, "SMSCTL_ERR_NOT_FOUND", N_("no such device or entry")},
    {SMSCTL_ERR_PERMISSION, "SMSCTL_ERR_PERMISSION", N_("permission denied")},
    {SMSCTL_ERR_GONE, "SMSCTL_ERR_GONE", N_("the modem went away (unplugged or rebooted)")},
    {SMSCTL_ERR_BAD_PDU, "SMSCTL_ERR_BAD_PDU", N_("malformed PDU")},
    {SMSCTL_ERR_TOO_LONG, "SMSCTL_ERR_TOO_LONG", N_("too long")},
    {SMSCTL_ERR_SIM, "SMSCTL_ERR_SIM", N_("SIM card problem")},
    {SMSCTL_ERR_NETWORK, "SMSCTL_ERR_NETWORK", N_("no network")},
    {SMSCTL_ERR_REJECTED, "SMSCTL_ERR_REJECTED", N_("rejected permanently")},
    {SMSCTL_ERR_UNKNOWN_OUTCOME, "SMSCTL_ERR_UNKNOWN_OUTCOME",
     N_("outcome unknown: the message may have been sent")},
    {SMSCTL_ERR_TRANSIENT, "SMSCTL_ERR_TRANSIENT", N_("temporary failure, nothing was sent")},
    {SMSCTL_ERR_NOT_TTY, "SMSCTL_ERR_NOT_TTY", N_("the device is not a terminal")},
    {SMSCTL_ERR_CANCELLED, "SMSCTL_ERR_CANCELLED", N_("cancelled")},
    {SMSCTL_ERR_STATE, "SMSCTL_ERR_STATE", N_("not possible in the current state")},
};

static const struct error_entry *find(int err)
{
	if (err > 0 || err < SMSCTL_ERR_LAST)
		return NULL;
	/* The table is ordered by decreasing code, starting at 0. */
	return &errors[-err];
}

static void bind_domain(void)
{
#if ENABLE_NLS
	/* SMSCTL_LOCALEDIR: the catalogs of a build tree (tests, meson devenv). */
	const char *dir = secure_getenv("SMSCTL_LOCALEDIR");
	bindtextdomain(GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
#endif
}

void smsctl_i18n_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, bind_domain);
}

SMSCTL_API const char *smsctl_strerror(int err)
{
	const struct error_entry *e = find(err);

	smsctl_i18n_init();
	return e ? _(e->text) : _("unknown error");
}

SMSCTL_API const char *smsctl_error_name(int err)
{
	const struct error_entry *e = find(err);

	return e ? e->name : "SMSCTL_ERR_UNKNOWN";
}

SMSCTL_API const char *smsctl_version(void)
{
	return SMSCTL_VERSION_STRING;
}
