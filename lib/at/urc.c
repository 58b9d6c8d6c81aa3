/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* URC routing: the handlers registered by prefix and the table of URCs real modems send
 * (rule 4 of at/chat.c). See at/urc.h. */
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>

#include "at/urc.h"

struct at_urc_handler {
	int id;
	char *prefix;
	size_t len;
	bool two_line;
	smsctl_urc_fn fn; /* NULL: removed while dispatching */
	void *userdata;
};

/* URCs and status noise real modems send, with the modems that send them. A line with one of
 * these prefixes is never part of a command's answer unless the command expects the prefix. */
static const struct {
	const char *prefix;
	bool two_line;
} known_urcs[] = {
    /* TS 27.005 new message indications */
    {"+CMTI:", false},
    {"+CDSI:", false},
    {"+CBMI:", false},
    {"+CMT:", true},
    {"+CDS:", true},
    {"+CBM:", true},
    /* TS 27.007 registration, indicators, calls, USSD, PIN state, functionality */
    {"+CREG:", false},
    {"+CGREG:", false},
    {"+CEREG:", false},
    {"+C5GREG:", false},
    {"+CIEV:", false},
    {"RING", false},
    {"+CRING:", false},
    {"+CLIP:", false},
    {"+CCWA:", false},
    {"+CUSD:", false},
    {"+CPIN:", false},
    {"+CFUN:", false},
    {"+CGEV:", false},
    {"+CTZV:", false},
    {"+CTZE:", false},
    {"+CTZEU:", false},
    /* boot noise: SIMCom, Quectel, u-blox */
    {"RDY", false},
    {"Call Ready", false},
    {"SMS Ready", false},
    {"PB DONE", false},
    {"+QIND:", false},
    {"+QUSIM:", false},
    {"+PACSP", false},
    {"+STIN:", false},
    {"*PSUTTZ:", false},
    {"DST:", false},
    /* Huawei status reports */
    {"^RSSI:", false},
    {"^MODE:", false},
    {"^BOOT:", false},
    {"^HCSQ:", false},
    {"^SRVST:", false},
    {"^SIMST:", false},
    {"^NWTIME:", false},
    {"^DSFLOWRPT:", false},
    {"^CEND:", false},
    {"^ORIG:", false},
    {"^CONF:", false},
    {"^CONN:", false},
    {"^STIN:", false},
    {"^SYSSTART", false},
    /* Cinterion */
    {"^SIND:", false},
    {"^SBC:", false},
    /* ZTE (python-gsmmodem test_modem.py, a ZTE answer to AT+CMGS) */
    {"+ZDONR:", false},
    {"+ZPASR:", false},
    {"+ZEND", false},
    {"+ZUSIMR:", false},
};

#define N_KNOWN_URCS (sizeof(known_urcs) / sizeof(known_urcs[0]))

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void compact_handlers(struct at_urcs *u)
{
	size_t w = 0;

	if (u->dispatching)
		return;
	for (size_t r = 0; r < u->n_handlers; r++) {
		if (u->handlers[r].fn)
			u->handlers[w++] = u->handlers[r];
		else
			free(u->handlers[r].prefix);
	}
	u->n_handlers = w;
}

static bool handler_matches(const struct at_urc_handler *h, const char *line)
{
	return h->fn && strncmp(line, h->prefix, h->len) == 0;
}

void at_urcs_clear(struct at_urcs *u)
{
	for (size_t i = 0; i < u->n_handlers; i++)
		free(u->handlers[i].prefix);
	free(u->handlers);
	u->handlers = NULL;
	u->n_handlers = 0;
}

/* Is line a URC (rule 4)? *two_line: it is followed by a second line. */
bool at_urcs_match(const struct at_urcs *u, const char *line, bool *two_line)
{
	bool found = false;

	*two_line = false;
	for (size_t i = 0; i < u->n_handlers; i++) {
		const struct at_urc_handler *h = &u->handlers[i];
		if (h->len && handler_matches(h, line)) {
			found = true;
			*two_line |= h->two_line;
		}
	}
	for (size_t i = 0; i < N_KNOWN_URCS; i++) {
		if (starts_with(line, known_urcs[i].prefix)) {
			found = true;
			*two_line |= known_urcs[i].two_line;
		}
	}
	/* +CDS in text mode is one line: "+CDS: <fo>,<mr>,..." (PDU mode: "+CDS: <length>") */
	if (*two_line && starts_with(line, "+CDS:") && strchr(line, ','))
		*two_line = false;
	return found;
}

bool at_urcs_dispatch(struct at_urcs *u, const char *line, const char *pdu)
{
	bool delivered = false;
	size_t n = u->n_handlers;

	u->dispatching++;
	for (size_t i = 0; i < n && i < u->n_handlers; i++) {
		struct at_urc_handler *h = &u->handlers[i];
		if (!handler_matches(h, line))
			continue;
		delivered = true;
		h->fn(h->userdata, line, pdu);
	}
	u->dispatching--;
	compact_handlers(u);
	return delivered;
}

int at_urcs_add(struct at_urcs *u, const char *prefix, bool two_line, smsctl_urc_fn fn,
		void *userdata)
{
	if (!prefix || !fn || strlen(prefix) > 64)
		return SMSCTL_ERR_INVALID;
	if (u->next_id == 0)
		u->next_id = 1;
	if (u->n_handlers >= AT_URC_MAX_HANDLERS || u->next_id == 0x7fffffff)
		return SMSCTL_ERR_NOMEM;
	struct at_urc_handler *h = realloc(u->handlers, (u->n_handlers + 1) * sizeof(*h));
	if (!h)
		return SMSCTL_ERR_NOMEM;
	u->handlers = h;
	h = &u->handlers[u->n_handlers];
	h->prefix = strdup(prefix);
	if (!h->prefix)
		return SMSCTL_ERR_NOMEM;
	h->len = strlen(prefix);
	h->two_line = two_line;
	h->fn = fn;
	h->userdata = userdata;
	h->id = u->next_id++;
	u->n_handlers++;
	return h->id;
}

int at_urcs_remove(struct at_urcs *u, int id)
{
	for (size_t i = 0; i < u->n_handlers; i++) {
		if (u->handlers[i].id == id && u->handlers[i].fn) {
			u->handlers[i].fn = NULL;
			compact_handlers(u);
			return 0;
		}
	}
	return SMSCTL_ERR_NOT_FOUND;
}
