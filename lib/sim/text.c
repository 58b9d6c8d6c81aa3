/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text messages arriving at the simulated modem: encoded as SMS-DELIVER parts by the PDU
 * codec (GSM 7-bit when every character fits, else UCS-2; concatenated when long), then
 * delivered one by one as if the network sent them. */
#include <stdio.h>

#include <smsctl/error.h>
#include <smsctl/pdu.h>
#include <smsctl/sim.h>

#include "sim/core.h"
#include "sim/text.h"

int sim_text_encode(struct sim_core *c, const char *from, const char *text, unsigned flags,
		    struct smsctl_encoded **out)
{
	struct smsctl_submit_options *opts = smsctl_submit_options_new();
	char ts[32];
	int r;

	*out = NULL;
	if (!opts)
		return SMSCTL_ERR_NOMEM;
	unsigned n = sim_core_next_incoming(c);
	const char *smsc = sim_core_smsc(c);
	r = smsctl_submit_options_set_smsc(opts, smsc[0] ? smsc : sim_core_profile_smsc(c));
	if (r == 0)
		r = smsctl_submit_options_set_concat_ref(opts, (n + 1) & 0xff);
	if (r == 0 && (flags & SMSCTL_SIM_DELIVER_UCS2))
		r = smsctl_submit_options_set_coding(opts, SMSCTL_CODING_UCS2);
	if (r == 0) {
		/* One second apart, from 2026-11-25 08:00:00 UTC. */
		snprintf(ts, sizeof(ts), "2026-11-25T%02u:%02u:%02u+00:00", 8 + n / 3600 % 16,
			 n / 60 % 60, n % 60);
		r = smsctl_pdu_encode_deliver(from, text, ts, opts, out);
	}
	smsctl_submit_options_free(opts);
	return r;
}

size_t sim_text_count(const struct smsctl_encoded *enc)
{
	return enc ? smsctl_encoded_get_count(enc) : 0;
}

const char *sim_text_hex(const struct smsctl_encoded *enc, size_t i)
{
	return smsctl_encoded_get_hex(enc, i);
}

void sim_text_free(struct smsctl_encoded *enc)
{
	smsctl_encoded_free(enc);
}

int sim_deliver_text(struct sim_core *c, const char *from, const char *text, unsigned flags,
		     uint64_t now)
{
	struct smsctl_encoded *enc = NULL;
	int r = sim_text_encode(c, from, text, flags, &enc);
	if (r < 0)
		return r;
	size_t parts = smsctl_encoded_get_count(enc);
	for (size_t i = 0; i < parts; i++) {
		size_t k = (flags & SMSCTL_SIM_DELIVER_REVERSE) ? parts - 1 - i : i;
		r = sim_core_deliver_pdu(c, smsctl_encoded_get_hex(enc, k), now);
		if (r < 0)
			goto out;
	}
	r = (int)parts;
out:
	smsctl_encoded_free(enc);
	return r;
}
