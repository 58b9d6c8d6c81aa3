/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One storage slot without blocking: write an SMS-SUBMIT to the modem's storage (AT+CMGW,
 * stat 2 "STO UNSENT"), read a slot's status (AT+CMGR) and delete it (AT+CMGD), each reported
 * to a callback; sending from the slot (AT+CMSS) is smsctl_sms_submit_stored() in submit.c.
 * smsctld's submit_mode = storage builds on these: a slot that says "STO SENT" after a crash
 * proves the part went out, "STO UNSENT" proves it did not (TS 27.005 3.5.3, 3.5.2, 3.4.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>
#include <smsctl/sms.h>

#include "sms/internal.h"

enum slot_kind { SLOT_WRITE = 1, SLOT_READ, SLOT_DELETE };

struct smsctl_slot_op {
	enum slot_kind kind;
	enum smsctl_result result;
	int error;
	int index;
	int status;
	int error_code;
	const char *final; /* borrowed from the response for the callback */
	smsctl_slot_fn fn;
	void *userdata;
	struct smsctl_modem *m;
};

/* The library error of a failed answer (the table of smsctl_sms_read()). */
static int error_of(const struct smsctl_response *resp)
{
	int code = smsctl_response_get_error_code(resp);

	switch (smsctl_response_get_result(resp)) {
	case SMSCTL_RESULT_OK:
		return 0;
	case SMSCTL_RESULT_TIMEOUT:
		return SMSCTL_ERR_TIMEOUT;
	case SMSCTL_RESULT_GONE:
	case SMSCTL_RESULT_CANCELLED:
		return SMSCTL_ERR_GONE;
	case SMSCTL_RESULT_CMS_ERROR:
		if (code == 321) /* invalid memory index */
			return SMSCTL_ERR_NOT_FOUND;
		return code >= 310 && code <= 318 && code != 314 ? SMSCTL_ERR_SIM
		       : code == 314				 ? SMSCTL_ERR_TRANSIENT
		       : code == 302 || code == 303		 ? SMSCTL_ERR_UNSUPPORTED
								 : SMSCTL_ERR_MODEM;
	case SMSCTL_RESULT_CME_ERROR:
		if (code == 21 || code == 22) /* invalid index, not found */
			return SMSCTL_ERR_NOT_FOUND;
		return code == 14 ? SMSCTL_ERR_TRANSIENT : SMSCTL_ERR_MODEM;
	default:
		return SMSCTL_ERR_MODEM;
	}
}

/* "+CMGW: <index>" -> index, -1 when malformed. */
static int parse_index(const char *line, const char *prefix)
{
	const char *p = line + strlen(prefix);
	char *end;
	long v;

	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	v = strtol(p, &end, 10);
	if (v > 65535 || *end != '\0')
		return -1;
	return (int)v;
}

/* TS 27.005 <stat> in PDU mode -> enum smsctl_sms_status. */
static int status_of_stat(int stat)
{
	switch (stat) {
	case 0:
		return SMSCTL_SMS_UNREAD;
	case 1:
		return SMSCTL_SMS_READ;
	case 2:
		return SMSCTL_SMS_UNSENT;
	case 3:
		return SMSCTL_SMS_SENT;
	default:
		return 0;
	}
}

static void read_status(struct smsctl_slot_op *op, const struct smsctl_response *resp)
{
	size_t n = smsctl_response_get_line_count(resp);
	const char **lines;
	struct at_sms *e;

	op->error = SMSCTL_ERR_NOT_FOUND; /* OK alone: the slot is empty */
	if (n == 0)
		return;
	lines = calloc(n, sizeof(*lines));
	e = malloc(sizeof(*e));
	if (!lines || !e) {
		op->error = SMSCTL_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		lines[i] = smsctl_response_get_line(resp, i);
	if (parse_cmgr(lines, n, e) < 0) {
		op->error = SMSCTL_ERR_PROTOCOL;
		goto out;
	}
	/* An empty slot on some modems: "+CMGR: 0,,0" and no PDU. */
	if (e->length <= 0 || !e->pdu[0])
		goto out;
	op->status = status_of_stat(e->stat);
	op->error = op->status ? 0 : SMSCTL_ERR_PROTOCOL;
out:
	free(e);
	free(lines);
}

static void on_response(void *userdata, const struct smsctl_response *resp)
{
	struct smsctl_slot_op *op = userdata;

	op->result = smsctl_response_get_result(resp);
	op->error_code = smsctl_response_get_error_code(resp);
	op->final = smsctl_response_get_final(resp);
	op->error = error_of(resp);
	if (op->error == 0 && op->kind == SLOT_WRITE) {
		const char *l = sms_find_line(resp, "+CMGW:");
		op->index = l ? parse_index(l, "+CMGW:") : -1;
		if (op->index < 0)
			op->error = SMSCTL_ERR_PROTOCOL;
	} else if (op->error == 0 && op->kind == SLOT_READ) {
		read_status(op, resp);
	}
	if (op->result == SMSCTL_RESULT_GONE) {
		struct sms_state *st = sms_state_get(op->m);
		if (st)
			sms_state_reset(st);
	}
	op->fn(op->userdata, op);
	free(op);
}

static int start(struct smsctl_modem *m, enum slot_kind kind, const char *cmd, const char *pdu,
		 int index, int timeout_ms, smsctl_slot_fn fn, void *userdata)
{
	struct smsctl_slot_op *op = calloc(1, sizeof(*op));
	int rc;

	if (!op)
		return SMSCTL_ERR_NOMEM;
	op->kind = kind;
	op->index = index;
	op->fn = fn;
	op->userdata = userdata;
	op->m = m;
	rc = smsctl_modem_send(m, cmd, pdu, timeout_ms, on_response, op);
	if (rc < 0)
		free(op);
	return rc;
}

int smsctl_sms_slot_write(struct smsctl_modem *m, const char *hex, int timeout_ms,
			  smsctl_slot_fn fn, void *userdata)
{
	char cmd[32];
	int len;

	if (!m || !hex || !fn || timeout_ms < 0)
		return SMSCTL_ERR_INVALID;
	len = sms_tpdu_length(hex);
	if (len < 0)
		return SMSCTL_ERR_INVALID;
	/* stat 2: "STO UNSENT", the default, given so no modem picks another (27.005 3.5.3) */
	snprintf(cmd, sizeof(cmd), "AT+CMGW=%d,2", len);
	return start(m, SLOT_WRITE, cmd, hex, -1, timeout_ms, fn, userdata);
}

int smsctl_sms_slot_read(struct smsctl_modem *m, int index, int timeout_ms, smsctl_slot_fn fn,
			 void *userdata)
{
	char cmd[32];

	if (!m || !fn || index < 0 || index > 65535 || timeout_ms < 0)
		return SMSCTL_ERR_INVALID;
	snprintf(cmd, sizeof(cmd), "AT+CMGR=%d", index);
	return start(m, SLOT_READ, cmd, NULL, index, timeout_ms, fn, userdata);
}

int smsctl_sms_slot_delete(struct smsctl_modem *m, int index, int timeout_ms, smsctl_slot_fn fn,
			   void *userdata)
{
	char cmd[32];

	if (!m || !fn || index < 0 || index > 65535 || timeout_ms < 0)
		return SMSCTL_ERR_INVALID;
	snprintf(cmd, sizeof(cmd), "AT+CMGD=%d", index);
	return start(m, SLOT_DELETE, cmd, NULL, index, timeout_ms, fn, userdata);
}

int smsctl_slot_op_get_error(const struct smsctl_slot_op *op)
{
	return op ? op->error : SMSCTL_ERR_INVALID;
}

int smsctl_slot_op_get_index(const struct smsctl_slot_op *op)
{
	return op ? op->index : -1;
}

int smsctl_slot_op_get_status(const struct smsctl_slot_op *op)
{
	return op && op->error == 0 ? op->status : 0;
}

enum smsctl_result smsctl_slot_op_get_result(const struct smsctl_slot_op *op)
{
	return op ? op->result : SMSCTL_RESULT_NONE;
}

int smsctl_slot_op_get_error_code(const struct smsctl_slot_op *op)
{
	return op ? op->error_code : -1;
}

const char *smsctl_slot_op_get_final(const struct smsctl_slot_op *op)
{
	return op && op->final ? op->final : "";
}
