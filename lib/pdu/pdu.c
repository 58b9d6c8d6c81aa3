/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Getters of a decoded PDU. */
#include <stdlib.h>

#include "i18n.h"
#include "pdu/internal.h"

SMSCTL_API void smsctl_pdu_free(struct smsctl_pdu *pdu)
{
	free(pdu);
}

SMSCTL_API enum smsctl_pdu_type smsctl_pdu_get_type(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->type : (enum smsctl_pdu_type)0;
}

SMSCTL_API const char *smsctl_pdu_get_smsc(const struct smsctl_pdu *pdu)
{
	return pdu && pdu->has_smsc ? pdu->smsc : NULL;
}

SMSCTL_API const char *smsctl_pdu_get_number(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->number : "";
}

SMSCTL_API enum smsctl_number_type smsctl_pdu_get_number_type(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->number_type : SMSCTL_NUMBER_UNKNOWN;
}

SMSCTL_API int smsctl_pdu_get_pid(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->pid : -1;
}

SMSCTL_API int smsctl_pdu_get_dcs(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->dcs : -1;
}

SMSCTL_API enum smsctl_coding smsctl_pdu_get_coding(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->coding : SMSCTL_CODING_AUTO;
}

SMSCTL_API int smsctl_pdu_get_class(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->msg_class : -1;
}

SMSCTL_API const char *smsctl_pdu_get_text(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->text : NULL;
}

SMSCTL_API const uint8_t *smsctl_pdu_get_data(const struct smsctl_pdu *pdu, size_t *len)
{
	if (!pdu) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = pdu->ud_len - pdu->udh_len;
	return pdu->ud + pdu->udh_len;
}

SMSCTL_API size_t smsctl_pdu_get_udh_count(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->n_ie : 0;
}

SMSCTL_API int smsctl_pdu_get_udh_ie(const struct smsctl_pdu *pdu, size_t i, const uint8_t **data,
				     size_t *len)
{
	if (data)
		*data = NULL;
	if (len)
		*len = 0;
	if (!pdu || i >= pdu->n_ie)
		return -1;
	if (data)
		*data = pdu->ud + pdu->ie[i].off;
	if (len)
		*len = pdu->ie[i].len;
	return pdu->ie[i].iei;
}

SMSCTL_API bool smsctl_pdu_get_concat(const struct smsctl_pdu *pdu, unsigned *ref, unsigned *total,
				      unsigned *seq)
{
	if (!pdu || !pdu->has_concat)
		return false;
	if (ref)
		*ref = pdu->concat_ref;
	if (total)
		*total = pdu->concat_total;
	if (seq)
		*seq = pdu->concat_seq;
	return true;
}

SMSCTL_API bool smsctl_pdu_get_ports(const struct smsctl_pdu *pdu, unsigned *dst, unsigned *src)
{
	if (!pdu || !pdu->has_ports)
		return false;
	if (dst)
		*dst = pdu->port_dst;
	if (src)
		*src = pdu->port_src;
	return true;
}

SMSCTL_API const char *smsctl_pdu_get_timestamp(const struct smsctl_pdu *pdu)
{
	return pdu && pdu->has_timestamp ? pdu->timestamp : NULL;
}

SMSCTL_API const char *smsctl_pdu_get_discharge_time(const struct smsctl_pdu *pdu)
{
	return pdu && pdu->has_discharge ? pdu->discharge : NULL;
}

SMSCTL_API enum smsctl_validity_format smsctl_pdu_get_validity_format(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->validity_format : SMSCTL_VALIDITY_NONE;
}

SMSCTL_API long smsctl_pdu_get_validity_minutes(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->validity_minutes : -1;
}

SMSCTL_API int smsctl_pdu_get_message_ref(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->message_ref : -1;
}

SMSCTL_API bool smsctl_pdu_get_status_report_request(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->srr : false;
}

SMSCTL_API int smsctl_pdu_get_status(const struct smsctl_pdu *pdu)
{
	return pdu ? pdu->status : -1;
}

/* TS 23.040 9.2.3.15 TP-Status. */
SMSCTL_API const char *smsctl_pdu_status_describe(int status)
{
	if (status < 0 || status > 255)
		return "not a status";
	switch (status) {
	case 0x00:
		return "received by the recipient";
	case 0x01:
		return "forwarded, delivery not confirmed";
	case 0x02:
		return "replaced by the service centre";
	case 0x20:
		return "temporary error, still trying: congestion";
	case 0x21:
		return "temporary error, still trying: recipient busy";
	case 0x22:
		return "temporary error, still trying: no response from recipient";
	case 0x23:
		return "temporary error, still trying: service rejected";
	case 0x24:
		return "temporary error, still trying: quality of service not available";
	case 0x25:
		return "temporary error, still trying: error in recipient";
	case 0x40:
		return "permanent error: remote procedure error";
	case 0x41:
		return "permanent error: incompatible destination";
	case 0x42:
		return "permanent error: connection rejected by recipient";
	case 0x43:
		return "permanent error: not obtainable";
	case 0x44:
		return "permanent error: quality of service not available";
	case 0x45:
		return "permanent error: no interworking available";
	case 0x46:
		return "permanent error: validity period expired";
	case 0x47:
		return "permanent error: deleted by the sender";
	case 0x48:
		return "permanent error: deleted by the service centre";
	case 0x49:
		return "permanent error: message does not exist";
	case 0x60:
		return "temporary error, gave up: congestion";
	case 0x61:
		return "temporary error, gave up: recipient busy";
	case 0x62:
		return "temporary error, gave up: no response from recipient";
	case 0x63:
		return "temporary error, gave up: service rejected";
	case 0x64:
		return "temporary error, gave up: quality of service not available";
	case 0x65:
		return "temporary error, gave up: error in recipient";
	default:
		break;
	}
	if (status < 0x20)
		return status >= 0x10 ? "delivered (service centre specific status)"
				      : "delivered (reserved status)";
	if (status < 0x40)
		return "temporary error, still trying (reserved or service centre specific)";
	if (status < 0x60)
		return "permanent error (reserved or service centre specific)";
	if (status < 0x80)
		return "temporary error, gave up (reserved or service centre specific)";
	return "reserved status";
}
