/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Raw AT over TCP (`tcp:HOST:PORT`): ser2net, industrial 4G DTUs. Non-blocking connect with
 * a time limit; end of stream is the modem going away. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <smsctl/error.h>

#include "transport/internal.h"
#include "i18n.h"

static ssize_t tcp_read(struct transport *t, void *buf, size_t len)
{
	return recv(t->fd, buf, len, MSG_DONTWAIT);
}

static ssize_t tcp_write(struct transport *t, const void *buf, size_t len)
{
	return send(t->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void tcp_close(struct transport *t)
{
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}

static const struct transport_ops tcp_ops = {
    .name = "tcp",
    .read = tcp_read,
    .write = tcp_write,
    .close = tcp_close,
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Split "HOST:PORT" / "[V6]:PORT". */
static int split_hostport(const char *hp, char *host, size_t hsize, char *port, size_t psize)
{
	const char *colon;
	size_t hl;

	if (hp[0] == '[') {
		const char *end = strchr(hp, ']');
		if (!end || end[1] != ':')
			return -1;
		hl = (size_t)(end - hp - 1);
		if (hl == 0 || hl >= hsize)
			return -1;
		memcpy(host, hp + 1, hl);
		colon = end + 1;
	} else {
		colon = strrchr(hp, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - hp);
		if (hl == 0 || hl >= hsize || memchr(hp, ':', hl))
			return -1;
		memcpy(host, hp, hl);
	}
	host[hl] = '\0';
	const char *ps = colon + 1;
	size_t pl = strlen(ps);
	if (pl == 0 || pl > 5 || pl >= psize)
		return -1;
	long v = 0;
	for (size_t i = 0; i < pl; i++) {
		if (ps[i] < '0' || ps[i] > '9')
			return -1;
		v = v * 10 + (ps[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	memcpy(port, ps, pl + 1);
	return 0;
}

int transport_open_tcp(const char *hostport, unsigned connect_timeout_ms, struct transport **out,
		       struct transport_error *e)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	char host[256], port[8];
	int fd = -1, err = 0;

	*out = NULL;
	if (split_hostport(hostport, host, sizeof(host), port, sizeof(port)) < 0)
		return transport_error_set(e, SMSCTL_ERR_INVALID, 0,
					   _("bad TCP address '%s': use tcp:HOST:PORT"), hostport);
	int gai = getaddrinfo(host, port, &hints, &res);
	if (gai != 0)
		return transport_error_set(e, SMSCTL_ERR_NOT_FOUND, 0, _("cannot resolve %s: %s"),
					   host, gai_strerror(gai));
	long long deadline = now_ms() + (connect_timeout_ms ? connect_timeout_ms : 10000);
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		if (err == EINPROGRESS) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			int left;
			int pr;
			do {
				left = (int)(deadline - now_ms());
				if (left < 0)
					left = 0;
				pr = poll(&pfd, 1, left);
			} while (pr < 0 && errno == EINTR);
			if (pr == 0) {
				err = ETIMEDOUT;
			} else if (pr > 0) {
				socklen_t sl = sizeof(err);
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
					err = errno;
				if (err == 0)
					break;
			} else {
				err = errno;
			}
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return transport_error_set(
		    e, SMSCTL_ERR_NOT_FOUND, err, _("cannot connect to %s port %s: %s%s"), host,
		    port, strerror(err),
		    err == ETIMEDOUT ? _(" (no answer; is the host up and the port right?)") : "");
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct transport *t = calloc(1, sizeof(*t));
	if (!t) {
		close(fd);
		return transport_error_set(e, SMSCTL_ERR_NOMEM, ENOMEM, _("out of memory"));
	}
	t->ops = &tcp_ops;
	t->fd = fd;
	*out = t;
	return 0;
}
