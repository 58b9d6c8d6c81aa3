/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl sim serve: what the line side (cmd-sim.c) and the control socket (sim-control.c)
 * share. */
#ifndef SMSCTL_CLI_SIM_SERVE_H
#define SMSCTL_CLI_SIM_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <smsctl/smsctl.h>

#define SERVE_MAX_MODEMS 64
#define SERVE_REPLUG_MS	 2000	     /* an unplugged modem is plugged in again after this */
#define CTL_LINE_MAX	 65536	     /* a control request longer than this is refused */
#define CTL_MAX_CLIENTS	 16	     /* control connections at once; more are closed */
#define CTL_OUT_MAX	 (64u << 20) /* unread answers kept per client before it is dropped */

struct served {
	struct smsctl_sim *sim;
	char *device; /* its sim: device string */
	char name[16];
	/* pty */
	int master; /* -1 for TCP, or while unplugged */
	char pts[64];
	char *link; /* DIR/simN, NULL for TCP */
	/* tcp */
	unsigned port; /* 0 for a pty */
	int listen_fd, client;
	/* line state */
	bool connected;
	uint64_t check_at;     /* pty without a client: when to look again (ms) */
	uint64_t unplugged_at; /* 0: plugged in */
	unsigned long connects, unplugs;
	uint8_t out[4096];
	size_t out_len, out_off;
};

struct ctl_client {
	int fd;
	char *in;
	size_t in_len;
	bool discarding; /* the current line is over CTL_LINE_MAX: dropped up to its newline */
	char *out;
	size_t out_len, out_off, out_cap;
};

struct server {
	struct served *m;
	size_t n;
	int ctl_fd;
	const char *ctl_path;
	struct ctl_client cl[CTL_MAX_CLIENTS];
};

/* The control socket: listen at path (a stale socket file is replaced). 0 or -errno. */
int ctl_listen(struct server *s, const char *path);
/* Accept a new control connection (ctl_fd readable). */
void ctl_accept(struct server *s);
/* Client i is readable (in) and/or writable (out): read requests, answer, flush. */
void ctl_service(struct server *s, int i, bool in, bool out);
/* Close every control connection and the socket (its file removed). */
void ctl_close(struct server *s);
/* Power-cycle modem m (the `replug` request): cmd-sim.c reopens its line. */
void serve_replug(struct server *s, struct served *m);

#endif
