/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sim: transport: the simulator core run by a thread behind a socket pair.
 *
 * The engine polls one end of a socketpair(AF_UNIX, SOCK_STREAM) like a tty; the thread owns
 * the other end. It feeds what the engine wrote to the core, writes the core's answers when
 * they are due, and sleeps until the next due time, a byte from the engine or a wake-up from
 * the run-time API (a pipe). One mutex guards the core: the thread holds it while it works,
 * the smsctl_sim_* calls take it. Closing stops and joins the thread, so nothing is left. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <smsctl/error.h>
#include <smsctl/sim.h>

#include "sim/core.h"
#include "sim/text.h"
#include "transport/transport.h"

struct smsctl_sim {
	pthread_mutex_t lock;
	struct sim_core *core;
	int fd;	     /* the modem's end of the socket pair, -1 once unplugged */
	int wake[2]; /* pipe: the API wakes the thread */
	pthread_t thread;
	bool started;
	bool stop;
	bool standalone; /* from smsctl_sim_new(): no thread, the caller moves the bytes */
};

struct sim_transport {
	struct transport base;
	struct smsctl_sim *sim;
};

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000;
}

static void wake_thread(struct smsctl_sim *s)
{
	char b = 1;
	if (s->wake[1] < 0)
		return; /* standalone: nobody sleeps */
	ssize_t r = write(s->wake[1], &b, 1);
	(void)r; /* a full pipe already wakes it */
}

static void drain(int fd)
{
	char buf[64];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Called with the lock held. */
static void unplug(struct smsctl_sim *s)
{
	if (s->fd < 0)
		return;
	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	s->fd = -1;
}

static void *sim_thread(void *arg)
{
	struct smsctl_sim *s = arg;
	uint8_t buf[4096];

	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		uint64_t now = now_us();
		bool want_out = false;

		if (s->fd >= 0) {
			for (;;) {
				ssize_t n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
				if (n > 0) {
					sim_core_input(s->core, buf, (size_t)n, now);
					continue;
				}
				if (n == 0 ||
				    (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
					unplug(s); /* the engine closed its end */
				break;
			}
		}
		sim_core_tick(s->core, now);
		if (sim_core_closed(s->core, now))
			unplug(s);
		while (s->fd >= 0) {
			const uint8_t *data;
			size_t n = sim_core_peek(s->core, now, &data);
			if (n == 0)
				break;
			ssize_t w = send(s->fd, data, n, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w > 0) {
				sim_core_consume(s->core, (size_t)w);
				continue;
			}
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				want_out = true;
			else if (w < 0 && errno != EINTR)
				unplug(s);
			break;
		}

		uint64_t next = sim_core_next_event(s->core);
		struct pollfd pfd[2] = {
		    {.fd = s->wake[0], .events = POLLIN},
		    {.fd = s->fd, .events = (short)(POLLIN | (want_out ? POLLOUT : 0))},
		};
		struct timespec ts, *tsp = NULL;
		if (next != UINT64_MAX && !want_out && s->fd >= 0) {
			uint64_t d = next > now ? next - now : 0;
			ts.tv_sec = (time_t)(d / 1000000ull);
			ts.tv_nsec = (long)(d % 1000000ull) * 1000;
			tsp = &ts;
		}
		nfds_t nfds = s->fd >= 0 ? 2 : 1;
		pthread_mutex_unlock(&s->lock);
		int r = ppoll(pfd, nfds, tsp, NULL);
		pthread_mutex_lock(&s->lock);
		if (r > 0 && (pfd[0].revents & POLLIN))
			drain(s->wake[0]);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void sim_free(struct smsctl_sim *s)
{
	if (!s)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_mutex_unlock(&s->lock);
		wake_thread(s);
		pthread_join(s->thread, NULL);
	}
	if (s->fd >= 0)
		close(s->fd);
	if (s->wake[0] >= 0)
		close(s->wake[0]);
	if (s->wake[1] >= 0)
		close(s->wake[1]);
	pthread_mutex_destroy(&s->lock);
	sim_core_free(s->core);
	free(s);
}

static ssize_t sim_read(struct transport *t, void *buf, size_t len)
{
	ssize_t n = recv(t->fd, buf, len, MSG_DONTWAIT);
	if (n < 0 && (errno == ECONNRESET || errno == EPIPE))
		return 0;
	return n;
}

static ssize_t sim_write(struct transport *t, const void *buf, size_t len)
{
	return send(t->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void sim_close(struct transport *t)
{
	struct sim_transport *st = (struct sim_transport *)t;
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	sim_free(st->sim);
	free(st);
}

static const struct transport_ops sim_ops = {
    .name = "sim",
    .read = sim_read,
    .write = sim_write,
    .close = sim_close,
};

int transport_open_sim(const char *spec, const struct transport_params *p, struct transport **out,
		       struct smsctl_sim **sim, struct transport_error *e)
{
	int sv[2] = {-1, -1};
	int err = 0;
	struct sim_transport *st = NULL;
	struct smsctl_sim *s = NULL;

	(void)p; /* the line speed of a sim: device is its baud= key */
	*out = NULL;
	*sim = NULL;
	memset(e, 0, sizeof(*e));

	s = calloc(1, sizeof(*s));
	st = calloc(1, sizeof(*st));
	if (!s || !st) {
		free(s);
		free(st);
		e->err = SMSCTL_ERR_NOMEM;
		snprintf(e->detail, sizeof(e->detail), "out of memory");
		return SMSCTL_ERR_NOMEM;
	}
	s->fd = -1;
	s->wake[0] = s->wake[1] = -1;
	pthread_mutex_init(&s->lock, NULL);
	s->core = sim_core_new(spec, &err, e->detail, sizeof(e->detail));
	if (!s->core)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		e->sys_errno = errno;
		err = SMSCTL_ERR_IO;
		snprintf(e->detail, sizeof(e->detail),
			 "cannot create the simulated modem's socket pair: %s", strerror(errno));
		goto fail;
	}
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
	s->fd = sv[1];
	st->base.ops = &sim_ops;
	st->base.fd = sv[0];
	st->sim = s;
	sim_core_start(s->core, now_us());
	if (pthread_create(&s->thread, NULL, sim_thread, s) != 0) {
		err = SMSCTL_ERR_NOMEM;
		snprintf(e->detail, sizeof(e->detail), "cannot start the simulated modem's thread");
		goto fail;
	}
	s->started = true;
	*out = &st->base;
	*sim = s;
	return 0;

fail:
	if (sv[0] >= 0)
		close(sv[0]);
	sim_free(s);
	free(st);
	if (!err)
		err = SMSCTL_ERR_INVALID;
	e->err = err;
	return err;
}

/* ---- Public run-time API ---- */

SMSCTL_API int smsctl_sim_set_fault(struct smsctl_sim *sim, const char *fault, bool on)
{
	if (!sim || !fault)
		return SMSCTL_ERR_INVALID;
	pthread_mutex_lock(&sim->lock);
	int r = sim_core_set_fault(sim->core, fault, on, now_us());
	pthread_mutex_unlock(&sim->lock);
	wake_thread(sim);
	return r;
}

/* The getters take a const handle; the lock is the one member they change (C has no
 * "mutable"), and every handle is created writable by smsctl_modem_new(). */
static pthread_mutex_t *getter_lock(const struct smsctl_sim *sim)
{
	return (pthread_mutex_t *)&sim->lock;
}

SMSCTL_API bool smsctl_sim_has_fault(const struct smsctl_sim *sim, const char *fault)
{
	if (!sim || !fault)
		return false;
	pthread_mutex_lock(getter_lock(sim));
	bool r = sim_core_has_fault(sim->core, fault);
	pthread_mutex_unlock(getter_lock(sim));
	return r;
}

SMSCTL_API const char *smsctl_sim_get_profile(const struct smsctl_sim *sim)
{
	if (!sim)
		return NULL;
	/* The profile never changes: no lock needed. */
	return sim_core_profile_name(sim->core);
}

SMSCTL_API int smsctl_sim_deliver_pdu(struct smsctl_sim *sim, const char *hex)
{
	if (!sim || !hex)
		return SMSCTL_ERR_INVALID;
	pthread_mutex_lock(&sim->lock);
	int r = sim_core_deliver_pdu(sim->core, hex, now_us());
	pthread_mutex_unlock(&sim->lock);
	wake_thread(sim);
	return r;
}

SMSCTL_API int smsctl_sim_deliver(struct smsctl_sim *sim, const char *from, const char *text,
				  unsigned flags)
{
	if (!sim || !from || !text ||
	    (flags & ~(SMSCTL_SIM_DELIVER_UCS2 | SMSCTL_SIM_DELIVER_REVERSE)))
		return SMSCTL_ERR_INVALID;
	pthread_mutex_lock(&sim->lock);
	int r = sim_deliver_text(sim->core, from, text, flags, now_us());
	pthread_mutex_unlock(&sim->lock);
	wake_thread(sim);
	return r;
}

SMSCTL_API size_t smsctl_sim_get_sent_count(const struct smsctl_sim *sim)
{
	if (!sim)
		return 0;
	pthread_mutex_lock(getter_lock(sim));
	size_t n = sim_core_sent_count(sim->core);
	pthread_mutex_unlock(getter_lock(sim));
	return n;
}

SMSCTL_API int smsctl_sim_get_sent_pdu(const struct smsctl_sim *sim, size_t i, char *buf,
				       size_t size)
{
	if (!sim)
		return SMSCTL_ERR_INVALID;
	pthread_mutex_lock(getter_lock(sim));
	int r = sim_core_sent_pdu(sim->core, i, buf, size);
	pthread_mutex_unlock(getter_lock(sim));
	return r;
}

SMSCTL_API unsigned long smsctl_sim_get_command_count(const struct smsctl_sim *sim)
{
	if (!sim)
		return 0;
	pthread_mutex_lock(getter_lock(sim));
	unsigned long n = sim_core_command_count(sim->core);
	pthread_mutex_unlock(getter_lock(sim));
	return n;
}

SMSCTL_API size_t smsctl_sim_get_stored_count(const struct smsctl_sim *sim)
{
	if (!sim)
		return 0;
	pthread_mutex_lock(getter_lock(sim));
	size_t n = sim_core_stored_count(sim->core);
	pthread_mutex_unlock(getter_lock(sim));
	return n;
}

/* ---- Standalone modems (smsctl sim serve) ---- */

SMSCTL_API int smsctl_sim_new(const char *device, struct smsctl_sim **out, char *detail,
			      size_t detail_size)
{
	int err = 0;
	char tmp[256];

	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (detail && detail_size)
		detail[0] = '\0';
	if (!device || strncmp(device, "sim:", 4) != 0) {
		if (detail && detail_size)
			snprintf(detail, detail_size, "not a sim: device string");
		return SMSCTL_ERR_INVALID;
	}
	struct smsctl_sim *s = calloc(1, sizeof(*s));
	if (!s)
		return SMSCTL_ERR_NOMEM;
	s->fd = -1;
	s->wake[0] = s->wake[1] = -1;
	s->standalone = true;
	pthread_mutex_init(&s->lock, NULL);
	s->core = sim_core_new(device + 4, &err, tmp, sizeof(tmp));
	if (!s->core) {
		if (detail && detail_size)
			snprintf(detail, detail_size, "%s", tmp);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return err ? err : SMSCTL_ERR_INVALID;
	}
	sim_core_start(s->core, now_us());
	*out = s;
	return 0;
}

SMSCTL_API void smsctl_sim_free(struct smsctl_sim *sim)
{
	if (sim && sim->standalone)
		sim_free(sim);
}

SMSCTL_API int smsctl_sim_write(struct smsctl_sim *sim, const void *buf, size_t len)
{
	if (!sim || (!buf && len))
		return SMSCTL_ERR_INVALID;
	if (!sim->standalone)
		return SMSCTL_ERR_STATE;
	pthread_mutex_lock(&sim->lock);
	uint64_t now = now_us();
	sim_core_tick(sim->core, now);
	if (len)
		sim_core_input(sim->core, buf, len, now);
	pthread_mutex_unlock(&sim->lock);
	return 0;
}

SMSCTL_API int smsctl_sim_read(struct smsctl_sim *sim, void *buf, size_t size)
{
	size_t got = 0;
	if (!sim || !buf)
		return SMSCTL_ERR_INVALID;
	if (!sim->standalone)
		return SMSCTL_ERR_STATE;
	if (size > INT_MAX)
		size = INT_MAX;
	pthread_mutex_lock(&sim->lock);
	uint64_t now = now_us();
	sim_core_tick(sim->core, now);
	while (got < size) {
		const uint8_t *data;
		size_t n = sim_core_peek(sim->core, now, &data);
		if (n == 0)
			break;
		if (n > size - got)
			n = size - got;
		memcpy((uint8_t *)buf + got, data, n);
		sim_core_consume(sim->core, n);
		got += n;
	}
	pthread_mutex_unlock(&sim->lock);
	return (int)got;
}

SMSCTL_API int smsctl_sim_get_timeout(struct smsctl_sim *sim)
{
	if (!sim)
		return SMSCTL_ERR_INVALID;
	pthread_mutex_lock(&sim->lock);
	uint64_t now = now_us();
	sim_core_tick(sim->core, now);
	uint64_t next = sim_core_next_event(sim->core);
	pthread_mutex_unlock(&sim->lock);
	if (next == UINT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	uint64_t ms = (next - now + 999) / 1000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

SMSCTL_API bool smsctl_sim_is_unplugged(struct smsctl_sim *sim)
{
	if (!sim)
		return false;
	pthread_mutex_lock(&sim->lock);
	uint64_t now = now_us();
	sim_core_tick(sim->core, now);
	bool r = sim_core_closed(sim->core, now);
	pthread_mutex_unlock(&sim->lock);
	return r;
}

SMSCTL_API int smsctl_sim_hangup(struct smsctl_sim *sim)
{
	if (!sim)
		return SMSCTL_ERR_INVALID;
	if (!sim->standalone)
		return SMSCTL_ERR_STATE;
	pthread_mutex_lock(&sim->lock);
	sim_core_hangup(sim->core);
	pthread_mutex_unlock(&sim->lock);
	return 0;
}

SMSCTL_API int smsctl_sim_replug(struct smsctl_sim *sim)
{
	if (!sim)
		return SMSCTL_ERR_INVALID;
	if (!sim->standalone)
		return SMSCTL_ERR_STATE;
	pthread_mutex_lock(&sim->lock);
	sim_core_replug(sim->core, now_us());
	pthread_mutex_unlock(&sim->lock);
	return 0;
}

SMSCTL_API int smsctl_sim_get_message_ref(const struct smsctl_sim *sim)
{
	if (!sim)
		return SMSCTL_ERR_INVALID;
	pthread_mutex_lock(getter_lock(sim));
	int r = (int)sim_core_mr(sim->core);
	pthread_mutex_unlock(getter_lock(sim));
	return r;
}

SMSCTL_API int smsctl_sim_get_sent_message_ref(const struct smsctl_sim *sim, size_t i)
{
	if (!sim)
		return SMSCTL_ERR_INVALID;
	pthread_mutex_lock(getter_lock(sim));
	int r = sim_core_sent_mr(sim->core, i);
	pthread_mutex_unlock(getter_lock(sim));
	return r;
}

SMSCTL_API int smsctl_sim_get_storage(const struct smsctl_sim *sim, const char *mem, unsigned *used,
				      unsigned *total)
{
	if (!sim || !mem)
		return SMSCTL_ERR_INVALID;
	pthread_mutex_lock(getter_lock(sim));
	int r = sim_core_storage(sim->core, mem, used, total);
	pthread_mutex_unlock(getter_lock(sim));
	return r;
}

SMSCTL_API int smsctl_sim_get_slot(const struct smsctl_sim *sim, unsigned pos, int *stat, char *buf,
				   size_t size)
{
	if (!sim || !stat || !buf)
		return SMSCTL_ERR_INVALID;
	pthread_mutex_lock(getter_lock(sim));
	int r = sim_core_get_slot(sim->core, pos, stat, buf, size);
	pthread_mutex_unlock(getter_lock(sim));
	return r;
}

SMSCTL_API int smsctl_sim_set_slot(struct smsctl_sim *sim, unsigned pos, int stat, const char *hex)
{
	if (!sim)
		return SMSCTL_ERR_INVALID;
	pthread_mutex_lock(&sim->lock);
	int r = sim_core_set_slot(sim->core, pos, stat, hex);
	pthread_mutex_unlock(&sim->lock);
	return r;
}
