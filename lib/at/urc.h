/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: URC routing (lib/at/urc.c). Which lines are unsolicited (the handlers registered
 * by prefix, and the table of URCs and status noise real modems send), which of them come
 * with a second line, and the delivery to the handlers. Used by the engine (at/chat.c), which
 * owns one table per handle; no engine state here. */
#ifndef SMSCTL_AT_URC_H
#define SMSCTL_AT_URC_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/modem.h>

/* Handlers registered on one table, at most this many. */
#define AT_URC_MAX_HANDLERS 256

struct at_urc_handler;

/* The handlers of one engine. Zero-initialised is empty; free with at_urcs_clear(). */
struct at_urcs {
	struct at_urc_handler *handlers;
	size_t n_handlers;
	int next_id;	 /* 0 in a zeroed table: the first id is 1 */
	int dispatching; /* > 0 while handlers run: removals only mark */
};

/* Free every handler; the table is empty and usable again. */
void at_urcs_clear(struct at_urcs *u);
/* Register fn for lines starting with prefix (at most 64 bytes). two_line: the line is followed
 * by a second one (a PDU) delivered with it. Returns the handler id (> 0),
 * SMSCTL_ERR_INVALID or SMSCTL_ERR_NOMEM (also when AT_URC_MAX_HANDLERS are registered).
 * Safe from inside a handler. */
int at_urcs_add(struct at_urcs *u, const char *prefix, bool two_line, smsctl_urc_fn fn,
		void *userdata);
/* Remove a handler by id: 0 or SMSCTL_ERR_NOT_FOUND. Safe from inside a handler. */
int at_urcs_remove(struct at_urcs *u, int id);
/* Whether line is a URC (a handler's prefix or a known URC); *two_line: a second line
 * follows. */
bool at_urcs_match(const struct at_urcs *u, const char *line, bool *two_line);
/* Call every handler whose prefix starts line, with pdu (the second line, or NULL). Returns
 * whether any handler got it. */
bool at_urcs_dispatch(struct at_urcs *u, const char *line, const char *pdu);

#endif
