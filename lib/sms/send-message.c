/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The objects of sending: the options, the prepared message (the text encoded once, before
 * the modem is touched, and reused by the send) and the result with its getters.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smsctl/codes.h>
#include <smsctl/error.h>
#include <smsctl/pdu.h>
#include <smsctl/sms.h>

#include "i18n.h"
#include "query/query.h"
#include "sms/send.h"

/* ---- options ---- */

SMSCTL_API struct smsctl_send_options *smsctl_send_options_new(void)
{
	struct smsctl_send_options *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->retries = DEFAULT_RETRIES;
	o->backoff_first_ms = DEFAULT_BACKOFF_MS;
	o->backoff_total_ms = DEFAULT_BACKOFF_TOTAL;
	return o;
}

SMSCTL_API void smsctl_send_options_free(struct smsctl_send_options *opts)
{
	if (!opts)
		return;
	free(opts->smsc);
	free(opts);
}

SMSCTL_API int smsctl_send_options_set_flash(struct smsctl_send_options *opts, bool on)
{
	if (!opts)
		return SMSCTL_ERR_INVALID;
	opts->flash = on;
	return 0;
}

SMSCTL_API int smsctl_send_options_set_ucs2(struct smsctl_send_options *opts, bool on)
{
	if (!opts)
		return SMSCTL_ERR_INVALID;
	opts->ucs2 = on;
	return 0;
}

SMSCTL_API int smsctl_send_options_set_report(struct smsctl_send_options *opts, bool on)
{
	if (!opts)
		return SMSCTL_ERR_INVALID;
	opts->report = on;
	return 0;
}

SMSCTL_API int smsctl_send_options_set_wait_report(struct smsctl_send_options *opts,
						   unsigned seconds)
{
	if (!opts || seconds > MAX_WAIT_REPORT_S)
		return SMSCTL_ERR_INVALID;
	opts->wait_report_s = seconds;
	return 0;
}

SMSCTL_API int smsctl_send_options_set_retries(struct smsctl_send_options *opts, unsigned retries)
{
	if (!opts || retries > MAX_RETRIES)
		return SMSCTL_ERR_INVALID;
	opts->retries = retries;
	return 0;
}

SMSCTL_API int smsctl_send_options_set_validity(struct smsctl_send_options *opts,
						unsigned long minutes)
{
	/* the codec's range check: 5 minutes to 63 weeks */
	struct smsctl_submit_options *so;
	int rc;

	if (!opts)
		return SMSCTL_ERR_INVALID;
	so = smsctl_submit_options_new();
	if (!so)
		return SMSCTL_ERR_NOMEM;
	rc = smsctl_submit_options_set_validity(so, minutes);
	smsctl_submit_options_free(so);
	if (rc < 0)
		return rc;
	opts->validity = minutes;
	return 0;
}

/* `+` and digits, or digits: what the contract accepts as a number. */
static bool valid_number(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	if (*s == '+')
		s++;
	for (; *s; s++, n++)
		if (*s < '0' || *s > '9')
			return false;
	return n > 0 && n <= NUMBER_MAX_DIGITS;
}

SMSCTL_API int smsctl_send_options_set_smsc(struct smsctl_send_options *opts, const char *smsc)
{
	char *copy = NULL;

	if (!opts)
		return SMSCTL_ERR_INVALID;
	if (smsc) {
		if (!valid_number(smsc))
			return SMSCTL_ERR_INVALID;
		copy = strdup(smsc);
		if (!copy)
			return SMSCTL_ERR_NOMEM;
	}
	free(opts->smsc);
	opts->smsc = copy;
	return 0;
}

SMSCTL_API int smsctl_send_options_set_backoff(struct smsctl_send_options *opts, unsigned first_ms,
					       unsigned total_ms)
{
	if (!opts || first_ms > 600000u || total_ms > 3600000u)
		return SMSCTL_ERR_INVALID;
	opts->backoff_first_ms = first_ms;
	opts->backoff_total_ms = total_ms;
	return 0;
}

SMSCTL_API int smsctl_send_options_set_submit_timeout(struct smsctl_send_options *opts,
						      unsigned timeout_ms)
{
	if (!opts || timeout_ms > 3600000u)
		return SMSCTL_ERR_INVALID;
	opts->submit_timeout_ms = timeout_ms;
	return 0;
}

/* ---- result ---- */

SMSCTL_API void smsctl_send_result_free(struct smsctl_send_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->total; i++)
		free(res->parts[i].dt);
	free(res->parts);
	free(res->number);
	free(res);
}

SMSCTL_API const char *smsctl_send_result_get_number(const struct smsctl_send_result *res)
{
	return res ? res->number : NULL;
}

SMSCTL_API size_t smsctl_send_result_get_total_parts(const struct smsctl_send_result *res)
{
	return res ? res->total : 0;
}

SMSCTL_API size_t smsctl_send_result_get_sent_parts(const struct smsctl_send_result *res)
{
	return res ? res->sent : 0;
}

SMSCTL_API int smsctl_send_result_get_message_ref(const struct smsctl_send_result *res, size_t i)
{
	if (!res || i >= res->sent)
		return -1;
	return res->parts[i].mr;
}

SMSCTL_API enum smsctl_coding smsctl_send_result_get_coding(const struct smsctl_send_result *res)
{
	return res ? res->coding : SMSCTL_CODING_AUTO;
}

SMSCTL_API unsigned smsctl_send_result_get_attempts(const struct smsctl_send_result *res)
{
	return res ? res->attempts : 0;
}

SMSCTL_API int smsctl_send_result_get_error(const struct smsctl_send_result *res)
{
	return res ? res->error : SMSCTL_ERR_INVALID;
}

SMSCTL_API int smsctl_send_result_get_modem_error(const struct smsctl_send_result *res)
{
	return res ? res->modem_error : -1;
}

SMSCTL_API bool smsctl_send_result_get_modem_error_is_cms(const struct smsctl_send_result *res)
{
	return res && res->is_cms;
}

SMSCTL_API const char *smsctl_send_result_get_modem_error_text(const struct smsctl_send_result *res)
{
	if (!res || res->modem_error < 0)
		return NULL;
	return res->is_cms ? smsctl_cms_error_describe(res->modem_error)
			   : smsctl_cme_error_describe(res->modem_error);
}

SMSCTL_API bool smsctl_send_result_get_transient(const struct smsctl_send_result *res)
{
	return res && res->transient;
}

SMSCTL_API const char *smsctl_send_result_get_final(const struct smsctl_send_result *res)
{
	return res ? res->final : "";
}

SMSCTL_API const char *smsctl_send_result_get_detail(const struct smsctl_send_result *res)
{
	return res ? res->detail : "";
}

SMSCTL_API enum smsctl_report_state
smsctl_send_result_get_report_state(const struct smsctl_send_result *res)
{
	return res ? res->report : SMSCTL_REPORT_NOT_REQUESTED;
}

SMSCTL_API int smsctl_send_result_get_report_status(const struct smsctl_send_result *res, size_t i)
{
	if (!res || i >= res->sent)
		return -1;
	return res->parts[i].status;
}

SMSCTL_API const char *smsctl_send_result_get_report_time(const struct smsctl_send_result *res,
							  size_t i)
{
	if (!res || i >= res->sent)
		return NULL;
	return res->parts[i].dt;
}

struct smsctl_send_result *send_result_new(const char *number, const struct smsctl_send_options *o)
{
	struct smsctl_send_result *res = calloc(1, sizeof(*res));

	if (!res)
		return NULL;
	res->number = strdup(number);
	if (!res->number) {
		free(res);
		return NULL;
	}
	res->modem_error = -1;
	res->report =
	    (o->report || o->wait_report_s) ? SMSCTL_REPORT_REQUESTED : SMSCTL_REPORT_NOT_REQUESTED;
	return res;
}

/* ---- the prepared message ---- */

int send_submit_options(const struct smsctl_send_options *o, unsigned ref,
			struct smsctl_submit_options **out)
{
	struct smsctl_submit_options *so = smsctl_submit_options_new();
	int rc = 0;

	*out = NULL;
	if (!so)
		return SMSCTL_ERR_NOMEM;
	if (o->flash)
		rc = smsctl_submit_options_set_class(so, 0);
	if (rc == 0 && o->ucs2)
		rc = smsctl_submit_options_set_coding(so, SMSCTL_CODING_UCS2);
	if (rc == 0 && (o->report || o->wait_report_s))
		rc = smsctl_submit_options_set_status_report(so, true);
	if (rc == 0 && o->validity)
		rc = smsctl_submit_options_set_validity(so, o->validity);
	if (rc == 0 && o->smsc)
		rc = smsctl_submit_options_set_smsc(so, o->smsc);
	if (rc == 0)
		rc = smsctl_submit_options_set_concat_ref(so, ref);
	if (rc < 0) {
		smsctl_submit_options_free(so);
		return rc;
	}
	*out = so;
	return 0;
}

SMSCTL_API void smsctl_send_message_free(struct smsctl_send_message *msg)
{
	if (!msg)
		return;
	smsctl_encoded_free(msg->enc);
	free(msg->opts.smsc);
	free(msg->number);
	free(msg->text);
	free(msg);
}

int send_message_build(const char *number, const char *text, const struct smsctl_send_options *opts,
		       struct smsctl_send_message **out, char *detail, size_t size)
{
	struct smsctl_send_message *msg;
	struct smsctl_submit_options *so = NULL;
	int rc;

	*out = NULL;
	/* everything that can be checked without the modem comes first */
	if (!valid_number(number)) {
		snprintf(detail, size, _("'%s' is not a phone number ('+' and digits, or digits)"),
			 number);
		return SMSCTL_ERR_INVALID;
	}
	msg = calloc(1, sizeof(*msg));
	if (!msg)
		return SMSCTL_ERR_NOMEM;
	if (opts) {
		msg->opts = *opts;
	} else {
		msg->opts.retries = DEFAULT_RETRIES;
		msg->opts.backoff_first_ms = DEFAULT_BACKOFF_MS;
		msg->opts.backoff_total_ms = DEFAULT_BACKOFF_TOTAL;
	}
	msg->opts.smsc = NULL;
	msg->number = strdup(number);
	msg->text = strdup(text);
	if (opts && opts->smsc)
		msg->opts.smsc = strdup(opts->smsc);
	if (!msg->number || !msg->text || (opts && opts->smsc && !msg->opts.smsc)) {
		smsctl_send_message_free(msg);
		return SMSCTL_ERR_NOMEM;
	}
	msg->smsc_in_pdu = msg->opts.smsc != NULL;
	/* a reference that differs between runs, so parts of two messages never mix */
	msg->concat_ref = (unsigned)((query_now_ms() ^ (unsigned long long)getpid()) & 0xffu);
	rc = send_submit_options(&msg->opts, msg->concat_ref, &so);
	if (rc == 0)
		rc = smsctl_pdu_encode_submit(number, text, so, &msg->enc);
	smsctl_submit_options_free(so);
	if (rc < 0) {
		snprintf(detail, size, _("the message cannot be encoded: %s"), smsctl_strerror(rc));
		smsctl_send_message_free(msg);
		return rc;
	}
	*out = msg;
	return 0;
}

SMSCTL_API int smsctl_send_message_new(const char *number, const char *text,
				       const struct smsctl_send_options *opts,
				       struct smsctl_send_message **out)
{
	char detail[320];

	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (!number || !text)
		return SMSCTL_ERR_INVALID;
	return send_message_build(number, text, opts, out, detail, sizeof(detail));
}

SMSCTL_API size_t smsctl_send_message_get_part_count(const struct smsctl_send_message *msg)
{
	return msg ? smsctl_encoded_get_count(msg->enc) : 0;
}

SMSCTL_API enum smsctl_coding smsctl_send_message_get_coding(const struct smsctl_send_message *msg)
{
	return msg ? smsctl_encoded_get_coding(msg->enc) : SMSCTL_CODING_AUTO;
}
