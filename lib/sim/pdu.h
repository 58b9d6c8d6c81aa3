/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: what the simulated modem needs to know about a PDU it is given: its type, whether
 * a status report is requested, the destination (to address the report) and the class. */
#ifndef SMSCTL_SIM_PDU_H
#define SMSCTL_SIM_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { SIM_PDU_DELIVER = 0, SIM_PDU_SUBMIT = 1, SIM_PDU_STATUS_REPORT = 2 };

struct sim_submit_info {
	bool status_report; /* TP-SRR of a submit */
	char da_hex[32];    /* the address field as hex (length, type, digits) */
	int msg_class;	    /* 0-3, -1 when the DCS gives none */
};

/* Check an SMSC-prefixed PDU the way a modem does before it hands it to the network: the
 * structure must hold together and its lengths must match the data. Returns SIM_PDU_* or -1.
 * info may be NULL. */
int sim_pdu_check(const uint8_t *b, size_t n, struct sim_submit_info *info);

#endif
