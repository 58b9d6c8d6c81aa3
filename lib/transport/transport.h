/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the transport layer under the AT engine. Every transport ends up as one file
 * descriptor that the engine polls; the ops read and write it without blocking. */
#ifndef SMSCTL_TRANSPORT_H
#define SMSCTL_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct smsctl_sim;
struct transport;

struct transport_ops {
	const char *name; /* "serial", "fd", "tcp", "sim" */
	/* Non-blocking read: > 0 bytes, 0 on EOF, -1 with errno (EAGAIN when nothing). */
	ssize_t (*read)(struct transport *t, void *buf, size_t len);
	/* Non-blocking write: bytes written or -1 with errno. */
	ssize_t (*write)(struct transport *t, const void *buf, size_t len);
	/* Release everything (locks, threads, fd) and free t. */
	void (*close)(struct transport *t);
};

struct transport {
	const struct transport_ops *ops;
	int fd; /* what the engine polls for POLLIN */
};

/* Open parameters shared by all transports. */
struct transport_params {
	unsigned baud; /* serial speed */
	bool rtscts;   /* hardware flow control */
	bool lock;     /* take flock + LCK.. */
};

/* Why an open failed, for the error detail and for diagnosis. */
struct transport_error {
	int err;	  /* negative SMSCTL_ERR_* */
	int sys_errno;	  /* errno, 0 if none */
	pid_t holder_pid; /* SMSCTL_ERR_BUSY: lock holder, 0 if unknown */
	char holder[64];  /* its program name, "" if unknown */
	char detail[256]; /* one English sentence: what failed and what to do */
};

/* Open a sim: device. spec is what follows "sim:" ("huawei?fault=sim_pin&pin=1111").
 * On success *out is the transport and *sim the simulated modem (owned by the transport,
 * valid until t->ops->close()). Implemented in lib/sim/. */
int transport_open_sim(const char *spec, const struct transport_params *p, struct transport **out,
		       struct smsctl_sim **sim, struct transport_error *e);

#endif
