/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Structural checks of PDUs handed to the simulated modem (TS 23.040 9.2.2, TS 23.038 4). */
#include <stdio.h>
#include <string.h>

#include <smsctl/pdu.h>

#include "sim/pdu.h"

/* Coding of the user data from the DCS: 0 GSM 7-bit, 1 8-bit, 2 UCS-2; class or -1. */
static int dcs_coding(uint8_t dcs, int *klass)
{
	*klass = -1;
	switch (dcs >> 4) {
	case 0x0:
	case 0x1:
	case 0x2:
	case 0x3:
	case 0x4:
	case 0x5:
	case 0x6:
	case 0x7:
		if (dcs & 0x10)
			*klass = dcs & 3;
		if (dcs & 0x20)
			return 1; /* compressed: opaque octets */
		switch ((dcs >> 2) & 3) {
		case 0:
			return 0;
		case 2:
			return 2;
		default:
			return 1;
		}
	case 0xC:
	case 0xD:
		return 0;
	case 0xE:
		return 2;
	case 0xF:
		*klass = dcs & 3;
		return (dcs & 0x04) ? 1 : 0;
	default:
		return 1;
	}
}

static size_t ud_octets(int coding, unsigned udl)
{
	return coding == 0 ? (udl * 7 + 7) / 8 : udl;
}

static int structure(const uint8_t *b, size_t n, struct sim_submit_info *info);

/* The structure first (what the modem checks itself), then the codec must decode it too. */
int sim_pdu_check(const uint8_t *b, size_t n, struct sim_submit_info *info)
{
	struct smsctl_pdu *pdu = NULL;
	int t = structure(b, n, info);
	if (t < 0)
		return -1;
	if (smsctl_pdu_decode(b, n, true, &pdu, NULL) < 0)
		return -1;
	smsctl_pdu_free(pdu);
	return t;
}

static int structure(const uint8_t *b, size_t n, struct sim_submit_info *info)
{
	struct sim_submit_info tmp;
	size_t p;
	int klass;

	if (!info)
		info = &tmp;
	memset(info, 0, sizeof(*info));
	info->msg_class = -1;
	if (n < 2 || (size_t)b[0] + 2 > n)
		return -1;
	p = 1 + b[0];
	uint8_t fo = b[p++];
	switch (fo & 3) {
	case SIM_PDU_SUBMIT: {
		if (p + 3 > n)
			return -1;
		p++; /* TP-MR */
		size_t da = p;
		unsigned digits = b[p++];
		if (digits > 20)
			return -1;
		p++; /* type of address */
		p += (digits + 1) / 2;
		if (p + 3 > n)
			return -1;
		for (size_t i = da; i < p && 2 * (i - da) + 3 < sizeof(info->da_hex); i++)
			snprintf(info->da_hex + 2 * (i - da), 3, "%02X", b[i]);
		p++; /* TP-PID */
		int coding = dcs_coding(b[p++], &klass);
		switch ((fo >> 3) & 3) {
		case 2:
			p += 1;
			break;
		case 1:
		case 3:
			p += 7;
			break;
		default:
			break;
		}
		if (p + 1 > n)
			return -1;
		unsigned udl = b[p++];
		if ((coding == 0 && udl > 160) || (coding != 0 && udl > 140))
			return -1;
		if (p + ud_octets(coding, udl) != n)
			return -1;
		if ((fo & 0x40) && (udl == 0 || b[p] + 1u > ud_octets(coding, udl)))
			return -1; /* a UDH that does not fit */
		info->status_report = (fo & 0x20) != 0;
		info->msg_class = klass;
		return SIM_PDU_SUBMIT;
	}
	case SIM_PDU_DELIVER: {
		if (p + 2 > n)
			return -1;
		unsigned digits = b[p++];
		if (digits > 20)
			return -1;
		p++;
		p += (digits + 1) / 2;
		if (p + 2 > n)
			return -1;
		p++; /* TP-PID */
		dcs_coding(b[p++], &klass);
		p += 7; /* TP-SCTS */
		if (p + 1 > n)
			return -1;
		info->msg_class = klass;
		return SIM_PDU_DELIVER;
	}
	case SIM_PDU_STATUS_REPORT:
		if (p + 2 > n)
			return -1;
		return SIM_PDU_STATUS_REPORT;
	default:
		return -1;
	}
}
