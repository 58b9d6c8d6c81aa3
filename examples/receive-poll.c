/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * receive-poll: receive SMS in the program's own poll() loop, next to another file
 * descriptor (here standard input).
 *
 *   receive-poll [DEVICE]      (default $SMSCTL_DEVICE, else the simulated modem "sim:")
 *
 * Every message already stored is printed first, then new ones as they arrive. A message is
 * deleted from the modem only after the callback accepted it (returned 0), so nothing is lost
 * when the program dies. On the simulated modem, each line typed on standard input arrives as
 * an SMS from +8613800138000; on a real modem, input lines are only echoed. End of input, or
 * the modem going away, ends the program.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smsctl/smsctl.h>

/* Called for every complete message (and for incomplete ones past their maximum age). */
static int on_message(void *userdata, const struct smsctl_received *msg)
{
	const struct smsctl_message *m = smsctl_received_get_message(msg);
	unsigned long *count = userdata;
	const char *text = smsctl_message_get_text(m);

	printf("from %s%s: %s\n", smsctl_message_get_number(m),
	       smsctl_received_is_complete(msg) ? "" : " (incomplete)", text ? text : "(data)");
	/* accept only what was really written out: a full disk must not lose a message */
	if (fflush(stdout) != 0)
		return -1;
	(*count)++;
	return 0;
}

/* One line from standard input: delivered as an SMS on the simulated modem. */
static void on_input(struct smsctl_modem *modem, char *line)
{
	struct smsctl_sim *sim = smsctl_modem_get_sim(modem);

	line[strcspn(line, "\n")] = '\0';
	if (!sim) {
		printf("input: %s\n", line);
		return;
	}
	if (smsctl_sim_deliver(sim, "+8613800138000", line, 0) < 0)
		fprintf(stderr, "receive-poll: the simulated modem could not take the message\n");
}

int main(int argc, char **argv)
{
	const char *device = argc > 1 ? argv[1] : getenv("SMSCTL_DEVICE");
	struct smsctl_modem *modem = NULL;
	struct smsctl_receiver *rx = NULL;
	unsigned long count = 0;
	bool input_open = true;
	char line[1024];
	int err;

	if (!device || !*device)
		device = "sim:";
	/* unbuffered: a line poll() announced is never left behind in stdio's buffer */
	setvbuf(stdin, NULL, _IONBF, 0);
	err = smsctl_modem_new(device, NULL, &modem);
	if (err == 0)
		err = smsctl_modem_open(modem);
	if (err == 0)
		err = smsctl_sms_prepare(modem, getenv("SMSCTL_PIN"));
	if (err == 0)
		err = smsctl_receiver_new(modem, on_message, &count, &rx);
	if (err == 0)
		err = smsctl_receiver_start(rx); /* hands over what is already stored */

	while (err >= 0 && input_open) {
		struct pollfd fds[2] = {
			{.fd = smsctl_modem_get_fd(modem), .events = POLLIN},
			{.fd = STDIN_FILENO, .events = POLLIN},
		};

		if (poll(fds, 2, smsctl_receiver_get_timeout(rx)) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			break;
		}
		if (fds[1].revents & (POLLIN | POLLHUP)) {
			if (fgets(line, sizeof(line), stdin))
				on_input(modem, line);
			else
				input_open = false;
		}
		/* safe to call when nothing is ready: it also handles the deadlines */
		err = smsctl_receiver_process(rx);
	}
	/* input ended: give messages still on their way a moment to arrive */
	if (err >= 0)
		err = smsctl_receiver_run(rx, 1000);

	if (err < 0)
		fprintf(stderr, "receive-poll: %s\n", smsctl_strerror(err));
	printf("%lu message(s) received\n", count);
	smsctl_receiver_free(rx);
	smsctl_modem_free(modem);
	return err < 0 ? 1 : 0;
}
