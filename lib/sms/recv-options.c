/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The receiver's settings. Every setter refuses a change once smsctl_receiver_start() ran
 * (::SMSCTL_ERR_STATE), so what the receiver does never changes under a running start.
 */
#include <limits.h>
#include <stdio.h>

#include <smsctl/error.h>
#include <smsctl/sms.h>

#include "sms/recv.h"
#include "sms/store.h"

SMSCTL_API int smsctl_receiver_set_mode(struct smsctl_receiver *rx, enum smsctl_receive_mode mode)
{
	if (!rx || (mode != SMSCTL_RECEIVE_STORED && mode != SMSCTL_RECEIVE_DIRECT))
		return SMSCTL_ERR_INVALID;
	if (rx->started)
		return SMSCTL_ERR_STATE;
	rx->mode = mode;
	return 0;
}

SMSCTL_API int smsctl_receiver_set_storage(struct smsctl_receiver *rx, const char *mem)
{
	if (!rx || (mem && !sms_mem_valid(mem)))
		return SMSCTL_ERR_INVALID;
	if (rx->started)
		return SMSCTL_ERR_STATE;
	snprintf(rx->mem_filter, sizeof(rx->mem_filter), "%s", mem ? mem : "");
	return 0;
}

SMSCTL_API int smsctl_receiver_set_max_age(struct smsctl_receiver *rx, unsigned long seconds)
{
	if (!rx || seconds > LONG_MAX / 4)
		return SMSCTL_ERR_INVALID;
	if (rx->started)
		return SMSCTL_ERR_STATE;
	rx->max_age = seconds;
	return 0;
}

SMSCTL_API int smsctl_receiver_set_scan_interval(struct smsctl_receiver *rx, unsigned long seconds)
{
	if (!rx || seconds > 86400UL * 365)
		return SMSCTL_ERR_INVALID;
	if (rx->started)
		return SMSCTL_ERR_STATE;
	rx->scan_ms = (long)seconds * 1000L;
	return 0;
}

SMSCTL_API int smsctl_receiver_set_indications(struct smsctl_receiver *rx, bool on)
{
	if (!rx)
		return SMSCTL_ERR_INVALID;
	if (rx->started)
		return SMSCTL_ERR_STATE;
	rx->indications = on;
	return 0;
}
