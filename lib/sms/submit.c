/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One SMS-SUBMIT handed to the modem without blocking (AT+CMGS), reported with the phase it
 * reached: for a program that must record each step (smsctld commits a part `sending` before
 * the first byte and `sent` after `+CMGS:`), and must never submit again what may have gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>
#include <smsctl/sms.h>

#include "sms/internal.h"

/* How long the answer to AT+CMSS may take (the network answers, as after AT+CMGS). */
#define SMS_SUBMIT_ANSWER_MS 60000

struct smsctl_submit {
	enum smsctl_submit_outcome outcome;
	enum smsctl_result result;
	int mr;
	int error_code;
	const char *final; /* borrowed from the response for the callback */
	bool from_storage; /* AT+CMSS rather than AT+CMGS */
	smsctl_submit_fn fn;
	void *userdata;
	struct smsctl_modem *m;
};

int sms_tpdu_length(const char *hex)
{
	size_t n = strlen(hex);
	unsigned smsc;

	for (size_t i = 0; i < n; i++) {
		char c = hex[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return -1;
	}
	if (n < 4 || n % 2 || n > 2 * 200 || sscanf(hex, "%2x", &smsc) != 1 || smsc > 12 ||
	    n / 2 < 1 + smsc + 2)
		return -1;
	return (int)(n / 2 - 1 - smsc);
}

/* "+CMSS: <mr>[,<scts>|<ackpdu>]" (TS 27.005 3.5.2) -> mr, -1 when malformed. */
static int parse_cmss(const char *line)
{
	const char *p = line + strlen("+CMSS:");
	char *end;
	long mr;

	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	mr = strtol(p, &end, 10);
	if (mr > 255 || (*end != '\0' && *end != ','))
		return -1;
	return (int)mr;
}

static void on_response(void *userdata, const struct smsctl_response *resp)
{
	struct smsctl_submit *s = userdata;
	bool prompt = smsctl_response_get_prompt_seen(resp);

	s->result = smsctl_response_get_result(resp);
	s->error_code = smsctl_response_get_error_code(resp);
	s->final = smsctl_response_get_final(resp);
	s->mr = -1;
	if (s->from_storage)
		prompt = true; /* AT+CMSS: the command itself hands the message over */
	switch (s->result) {
	case SMSCTL_RESULT_OK: {
		const char *l = sms_find_line(resp, s->from_storage ? "+CMSS:" : "+CMGS:");
		struct at_cmgs cm;
		if (l && s->from_storage)
			s->mr = parse_cmss(l);
		else if (l && parse_cmgs(l, &cm) == 0)
			s->mr = cm.mr;
		s->outcome = SMSCTL_SUBMIT_SENT;
		break;
	}
	case SMSCTL_RESULT_TIMEOUT:
	case SMSCTL_RESULT_GONE:
	case SMSCTL_RESULT_CANCELLED:
		/* after the prompt the PDU was (being) written: it may have gone */
		s->outcome = prompt ? SMSCTL_SUBMIT_UNKNOWN : SMSCTL_SUBMIT_NOT_SENT;
		if (s->result == SMSCTL_RESULT_GONE) {
			struct sms_state *st = sms_state_get(s->m);
			if (st)
				sms_state_reset(st);
		}
		break;
	default:
		/* an error answer: before the prompt nothing was handed over; after the PDU
		 * the network (or the modem) answered that it was not accepted */
		s->outcome = prompt ? SMSCTL_SUBMIT_REJECTED : SMSCTL_SUBMIT_NOT_SENT;
		break;
	}
	s->fn(s->userdata, s);
	free(s);
}

int smsctl_sms_submit(struct smsctl_modem *m, const char *hex, int timeout_ms, smsctl_submit_fn fn,
		      void *userdata)
{
	struct smsctl_submit *s;
	char cmd[32];
	int len, rc;

	if (!m || !hex || !fn || timeout_ms < 0)
		return SMSCTL_ERR_INVALID;
	len = sms_tpdu_length(hex);
	if (len < 0)
		return SMSCTL_ERR_INVALID;
	s = calloc(1, sizeof(*s));
	if (!s)
		return SMSCTL_ERR_NOMEM;
	s->fn = fn;
	s->userdata = userdata;
	s->m = m;
	snprintf(cmd, sizeof(cmd), "AT+CMGS=%d", len);
	rc = smsctl_modem_send(m, cmd, hex, timeout_ms, on_response, s);
	if (rc < 0)
		free(s);
	return rc;
}

int smsctl_sms_submit_stored(struct smsctl_modem *m, int index, int timeout_ms, smsctl_submit_fn fn,
			     void *userdata)
{
	struct smsctl_submit *s;
	char cmd[32];
	int rc;

	if (!m || !fn || index < 0 || index > 65535 || timeout_ms < 0)
		return SMSCTL_ERR_INVALID;
	s = calloc(1, sizeof(*s));
	if (!s)
		return SMSCTL_ERR_NOMEM;
	s->fn = fn;
	s->userdata = userdata;
	s->m = m;
	s->from_storage = true;
	/* the network answers AT+CMSS as it answers AT+CMGS: wait as long (CONTRACTS) */
	if (timeout_ms < SMS_SUBMIT_ANSWER_MS)
		timeout_ms = SMS_SUBMIT_ANSWER_MS;
	snprintf(cmd, sizeof(cmd), "AT+CMSS=%d", index);
	rc = smsctl_modem_send(m, cmd, NULL, timeout_ms, on_response, s);
	if (rc < 0)
		free(s);
	return rc;
}

enum smsctl_submit_outcome smsctl_submit_get_outcome(const struct smsctl_submit *s)
{
	return s ? s->outcome : SMSCTL_SUBMIT_NOT_SENT;
}

int smsctl_submit_get_message_ref(const struct smsctl_submit *s)
{
	return s ? s->mr : -1;
}

enum smsctl_result smsctl_submit_get_result(const struct smsctl_submit *s)
{
	return s ? s->result : SMSCTL_RESULT_NONE;
}

int smsctl_submit_get_error_code(const struct smsctl_submit *s)
{
	return s ? s->error_code : -1;
}

const char *smsctl_submit_get_final(const struct smsctl_submit *s)
{
	return s && s->final ? s->final : "";
}
