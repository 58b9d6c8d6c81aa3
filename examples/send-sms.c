/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * send-sms: send one SMS and print the message reference of every part.
 *
 *   send-sms NUMBER TEXT            (device from $SMSCTL_DEVICE, else the simulated modem)
 *   send-sms DEVICE NUMBER TEXT     (e.g. /dev/serial/by-id/usb-...-if02-port0, or sim:)
 *
 * The SIM PIN, if the SIM asks for one, comes from $SMSCTL_PIN. The exit status tells a
 * transient failure (75: nothing was sent, try again later) from a permanent one (1) and
 * from an unknown outcome (2: the message may have gone out, do not resend blindly).
 */
#include <stdio.h>
#include <stdlib.h>

#include <smsctl/smsctl.h>

int main(int argc, char **argv)
{
	const char *device = getenv("SMSCTL_DEVICE");
	struct smsctl_modem *modem = NULL;
	struct smsctl_send_result *res = NULL;
	int status = 1;
	int err;

	if (argc == 4) {
		device = argv[1];
		argv++;
	} else if (argc != 3) {
		fprintf(stderr, "usage: %s [DEVICE] NUMBER TEXT\n", argv[0]);
		return 64;
	}
	if (!device || !*device)
		device = "sim:";

	err = smsctl_modem_new(device, NULL, &modem);
	if (err < 0)
		goto out;
	err = smsctl_modem_open(modem);
	if (err < 0) {
		fprintf(stderr, "%s: %s\n", device, smsctl_modem_get_error_detail(modem));
		goto out;
	}
	err = smsctl_sms_prepare(modem, getenv("SMSCTL_PIN"));
	if (err < 0)
		goto out;

	/* NULL options: automatic coding, 3 retries of transient failures, no report */
	err = smsctl_sms_send(modem, argv[1], argv[2], NULL, &res);
	if (res) {
		size_t sent = smsctl_send_result_get_sent_parts(res);
		size_t total = smsctl_send_result_get_total_parts(res);

		for (size_t i = 0; i < sent; i++)
			printf("part %zu/%zu: message reference %d\n", i + 1, total,
			       smsctl_send_result_get_message_ref(res, i));
		if (err < 0 && *smsctl_send_result_get_detail(res))
			fprintf(stderr, "%s\n", smsctl_send_result_get_detail(res));
	}
	if (err == 0)
		status = 0;
	else if (err == SMSCTL_ERR_TRANSIENT)
		status = 75;
	else if (err == SMSCTL_ERR_UNKNOWN_OUTCOME)
		status = 2;

out:
	if (err < 0)
		fprintf(stderr, "send-sms: %s (%s)\n", smsctl_strerror(err), smsctl_error_name(err));
	smsctl_send_result_free(res);
	smsctl_modem_free(modem);
	return status;
}
