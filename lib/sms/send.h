/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the objects of sending (options, prepared message, result), shared by
 * send-message.c (the objects and their API) and send.c (the operation). */
#ifndef SMSCTL_SMS_SEND_H
#define SMSCTL_SMS_SEND_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/pdu.h>
#include <smsctl/sms.h>

#define DEFAULT_RETRIES	      3u
#define MAX_RETRIES	      20u
#define DEFAULT_BACKOFF_MS    2000u
#define DEFAULT_BACKOFF_TOTAL 30000u
#define MAX_WAIT_REPORT_S     86400u
#define NUMBER_MAX_DIGITS     20u

struct smsctl_send_options {
	bool flash;
	bool ucs2;
	bool report;
	unsigned wait_report_s;
	unsigned retries;
	unsigned long validity;
	char *smsc;
	unsigned backoff_first_ms;
	unsigned backoff_total_ms;
	unsigned submit_timeout_ms;
};

struct part {
	int mr;	    /* TP-MR the modem gave, -1 none */
	int status; /* TP-ST of the latest report, -1 none */
	char *dt;   /* its discharge time */
};

struct smsctl_send_result {
	char *number;
	size_t total;
	size_t sent;
	struct part *parts;
	enum smsctl_coding coding;
	unsigned attempts;
	int error;
	int modem_error;
	bool is_cms;
	bool transient;
	enum smsctl_report_state report;
	char final[96];
	char detail[320];
};

struct smsctl_send_message {
	char *number;
	char *text; /* kept to encode again with the SMSC of +CSCA after a 330 */
	struct smsctl_send_options opts; /* a copy; opts.smsc owned */
	unsigned concat_ref;
	struct smsctl_encoded *enc; /* the text, encoded once */
	bool smsc_in_pdu;	    /* opts has an SMSC, it is in the PDUs */
};

/* The codec's options for o, with the concatenation reference ref. */
int send_submit_options(const struct smsctl_send_options *o, unsigned ref,
			struct smsctl_submit_options **out);

/* smsctl_send_message_new() with opts NULL meaning the defaults; on failure a sentence for
 * the user is written to detail (size bytes). */
int send_message_build(const char *number, const char *text, const struct smsctl_send_options *opts,
		       struct smsctl_send_message **out, char *detail, size_t size);

/* A new result for number, before anything was sent; NULL without memory. */
struct smsctl_send_result *send_result_new(const char *number, const struct smsctl_send_options *o);

#endif
