/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Translation of messages a person reads. The library translates through its own gettext
 * domain without calling textdomain(), so the program's domain stays untouched. */
#ifndef SMSCTL_I18N_H
#define SMSCTL_I18N_H

#include "config.h"

#if ENABLE_NLS
#include <libintl.h>
#define _(s) dgettext(GETTEXT_PACKAGE, s)
#else
#define _(s) ((const char *)(s))
#endif
/* Marks a string for extraction; translated later with _(). */
#define N_(s) s

/* Make sure the library's domain is bound to its locale directory (idempotent, cheap). */
void smsctl_i18n_init(void);

#endif
