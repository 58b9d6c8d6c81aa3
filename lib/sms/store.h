/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: stored-message helpers shared by the storage operations (sms-store.c) and the
 * receiver (sms-recv.c). */
#ifndef SMSCTL_SMS_STORE_H
#define SMSCTL_SMS_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include <smsctl/sms.h>

/* Longest memory name we accept from a caller or a modem ("SM", "ME", "SM_P"). */
#define SMS_MEM_MAX 8
/* Most memories a modem may list for reading. */
#define SMS_MEMS_MAX 8

struct smsctl_stored {
	char mem[SMS_MEM_MAX];
	int index;
	enum smsctl_sms_status status;
	struct smsctl_pdu *pdu;
	char *hex;
	const char *reason;
};

/*
 * The read memory (<mem1> of +CPMS) across a series of operations: queried once, switched
 * only when an operation needs another memory, and switched back by sms_memsel_restore().
 */
struct sms_memsel {
	bool known;		/* orig and cur are valid */
	char orig[SMS_MEM_MAX]; /* as found */
	char cur[SMS_MEM_MAX];	/* as set now */
};

/* Whether s is a memory name we pass to a modem: 1-7 of A-Z, 0-9, '_'. */
bool sms_mem_valid(const char *s);
/* AT+CPMS? -> the name of memory which (0 read and delete, 1 write and send, 2 receive) into
 * mem. An error answer gives the error sms_command() would; an answer without that memory
 * SMSCTL_ERR_PROTOCOL. */
int sms_query_mem(struct smsctl_modem *m, int which, char *mem, size_t size);

/* Run cmd; on an error result, the library error that fits its CMS/CME code (SIM problems,
 * an empty index as SMSCTL_ERR_NOT_FOUND...). *resp (if not NULL) gets the response. */
int sms_command(struct smsctl_modem *m, const char *cmd, struct smsctl_response **resp);

/* Make mem the read memory (NULL or "": leave it). */
int sms_memsel_use(struct smsctl_modem *m, struct sms_memsel *sel, const char *mem);
/* Put back the memory found at the first sms_memsel_use(); returns 0 or an error. */
int sms_memsel_restore(struct smsctl_modem *m, struct sms_memsel *sel);

/* The memories to read, as smsctl_sms_get_storages() documents, into mems; returns how many. */
int sms_storages(struct smsctl_modem *m, char mems[][SMS_MEM_MAX], size_t max);

/* Build a stored message from one parsed entry (decodes the PDU). */
int sms_stored_new(const char *mem, int index, int stat, const char *hex,
		   struct smsctl_stored **out);

/* AT+CMGL=<stat> in the current read memory (already selected), appending to *v and *n. */
int sms_list_current(struct smsctl_modem *m, const char *mem, enum smsctl_sms_status filter,
		     struct smsctl_stored ***v, size_t *n, size_t *cap);
/* AT+CMGR / AT+CMGD in the current read memory. */
int sms_read_current(struct smsctl_modem *m, const char *mem, int index,
		     struct smsctl_stored **out);
int sms_delete_current(struct smsctl_modem *m, int index);

#endif
