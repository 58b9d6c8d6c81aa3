/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The modem handle: a device string, its transport, and the AT engine over it. This file
 * does the I/O (read, write, poll) and the clock; the engine in at-chat.c does none. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/error.h>
#include <smsctl/modem.h>

#include "at/chat.h"
#include "i18n.h"
#include "modem-internal.h"
#include "transport/internal.h"

#define DEVICE_MAX 4096

enum device_kind {
	DEV_PATH = 1,
	DEV_TCP = 2,
	DEV_SIM = 3,
};

struct smsctl_modem_options {
	unsigned baud;
	bool rtscts;
	unsigned timeout_ms;
	bool lock;
	smsctl_trace_fn trace;
	void *trace_data;
};

/* Keys of smsctl_modem_set_data(): one per layer built on the engine. */
#define MODEM_DATA_MAX 8

struct smsctl_modem {
	char *device;
	enum device_kind kind;
	struct smsctl_modem_options opts;
	struct transport *t;
	struct smsctl_sim *sim;
	struct at_chat *chat;
	bool gone;
	int sys_errno;
	pid_t holder_pid;
	char holder[64];
	char detail[256];
	struct {
		const void *key;
		void *data;
		smsctl_destroy_fn destroy;
	} data[MODEM_DATA_MAX]; /* smsctl_modem_set_data() */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void set_detail(struct smsctl_modem *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_detail(struct smsctl_modem *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->detail, sizeof(m->detail), fmt, ap);
	va_end(ap);
}

/* ---- options ---- */

static void options_default(struct smsctl_modem_options *o)
{
	memset(o, 0, sizeof(*o));
	o->baud = 115200;
	o->timeout_ms = 10000;
	o->lock = true;
}

SMSCTL_API struct smsctl_modem_options *smsctl_modem_options_new(void)
{
	struct smsctl_modem_options *o = malloc(sizeof(*o));

	if (o)
		options_default(o);
	return o;
}

SMSCTL_API void smsctl_modem_options_free(struct smsctl_modem_options *opts)
{
	free(opts);
}

SMSCTL_API int smsctl_modem_options_set_baud(struct smsctl_modem_options *opts, unsigned baud)
{
	if (!opts || baud == 0 || baud > 4000000)
		return SMSCTL_ERR_INVALID;
	opts->baud = baud;
	return 0;
}

SMSCTL_API int smsctl_modem_options_set_rtscts(struct smsctl_modem_options *opts, bool on)
{
	if (!opts)
		return SMSCTL_ERR_INVALID;
	opts->rtscts = on;
	return 0;
}

SMSCTL_API int smsctl_modem_options_set_timeout(struct smsctl_modem_options *opts,
						unsigned timeout_ms)
{
	if (!opts || timeout_ms == 0 || timeout_ms > 24u * 3600u * 1000u)
		return SMSCTL_ERR_INVALID;
	opts->timeout_ms = timeout_ms;
	return 0;
}

SMSCTL_API int smsctl_modem_options_set_lock(struct smsctl_modem_options *opts, bool on)
{
	if (!opts)
		return SMSCTL_ERR_INVALID;
	opts->lock = on;
	return 0;
}

SMSCTL_API int smsctl_modem_options_set_trace(struct smsctl_modem_options *opts, smsctl_trace_fn fn,
					      void *userdata)
{
	if (!opts)
		return SMSCTL_ERR_INVALID;
	opts->trace = fn;
	opts->trace_data = userdata;
	return 0;
}

/* ---- life cycle ---- */

/* Write everything, waiting (bounded by the default timeout) while the line is full. */
static ssize_t modem_write(void *userdata, const void *buf, size_t len)
{
	struct smsctl_modem *m = userdata;
	size_t done = 0;
	uint64_t deadline = now_ms() + m->opts.timeout_ms;

	if (!m->t || m->gone) {
		errno = EIO;
		return -1;
	}
	while (done < len) {
		ssize_t n = m->t->ops->write(m->t, (const char *)buf + done, len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			int err = errno;
			/* the engine ends its commands with GONE; the handle follows */
			m->sys_errno = err;
			m->gone = true;
			set_detail(
			    m, _("the modem went away (%s): unplugged, rebooted or disconnected"),
			    strerror(err));
			errno = err;
			return -1;
		}
		uint64_t now = now_ms();
		if (now >= deadline) {
			m->sys_errno = ETIMEDOUT;
			m->gone = true;
			set_detail(m,
				   _("the modem does not take data (flow control stuck for %u ms)"),
				   m->opts.timeout_ms);
			errno = ETIMEDOUT;
			return -1;
		}
		struct pollfd pfd = {.fd = m->t->fd, .events = POLLOUT};
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR) {
			m->sys_errno = errno;
			return -1;
		}
	}
	return (ssize_t)len;
}

static bool valid_device(const char *device)
{
	size_t n = strnlen(device, DEVICE_MAX);

	if (n == 0 || n >= DEVICE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)device[i] < 0x20 || device[i] == 0x7f)
			return false;
	return true;
}

SMSCTL_API int smsctl_modem_new(const char *device, const struct smsctl_modem_options *opts,
				struct smsctl_modem **out)
{
	struct smsctl_modem *m;

	/* The details of transports and the engine are translated (the library's own domain). */
	smsctl_i18n_init();
	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (!device || !valid_device(device))
		return SMSCTL_ERR_INVALID;
	enum device_kind kind = DEV_PATH;
	if (strncmp(device, "sim:", 4) == 0) {
		kind = DEV_SIM;
	} else if (strncmp(device, "tcp:", 4) == 0) {
		kind = DEV_TCP;
		if (!strchr(device + 4, ':'))
			return SMSCTL_ERR_INVALID;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return SMSCTL_ERR_NOMEM;
	m->kind = kind;
	if (opts)
		m->opts = *opts;
	else
		options_default(&m->opts);
	m->device = strdup(device);
	m->chat = at_chat_new(modem_write, m, m->opts.timeout_ms);
	if (!m->device || !m->chat) {
		smsctl_modem_free(m);
		return SMSCTL_ERR_NOMEM;
	}
	at_chat_set_trace(m->chat, m->opts.trace, m->opts.trace_data);
	*out = m;
	return 0;
}

void modem_mask_device(const char *dev, char *out, size_t size)
{
	size_t o = 0;
	bool masking = false;

	for (const char *p = dev; *p && o + 1 < size; p++) {
		if (masking) {
			if (*p == '&') {
				masking = false;
			} else {
				out[o++] = '*';
				continue;
			}
		}
		out[o++] = *p;
		if (*p == '=' && p - dev >= 3 &&
		    (strncmp(p - 3, "pin", 3) == 0 || strncmp(p - 3, "puk", 3) == 0))
			masking = true;
	}
	out[o] = '\0';
}

SMSCTL_API int smsctl_modem_open(struct smsctl_modem *m)
{
	struct transport_error e;
	struct transport_params p;
	int rc;

	if (!m)
		return SMSCTL_ERR_INVALID;
	if (m->t)
		return SMSCTL_ERR_STATE;
	memset(&e, 0, sizeof(e));
	p.baud = m->opts.baud;
	p.rtscts = m->opts.rtscts;
	p.lock = m->opts.lock;
	m->detail[0] = '\0';
	m->sys_errno = 0;
	m->holder_pid = 0;
	m->holder[0] = '\0';
	m->sim = NULL;

	switch (m->kind) {
	case DEV_SIM:
		rc = transport_open_sim(m->device + 4, &p, &m->t, &m->sim, &e);
		break;
	case DEV_TCP:
		rc = transport_open_tcp(m->device + 4, m->opts.timeout_ms, &m->t, &e);
		break;
	default:
		rc = transport_open_path(m->device, &p, &m->t, &e);
		break;
	}
	if (rc < 0 || !m->t) {
		if (rc >= 0)
			rc = SMSCTL_ERR_IO;
		m->t = NULL;
		m->sim = NULL;
		m->sys_errno = e.sys_errno;
		m->holder_pid = e.holder_pid;
		memcpy(m->holder, e.holder, sizeof(m->holder));
		m->holder[sizeof(m->holder) - 1] = '\0';
		if (e.detail[0])
			set_detail(m, _("%s"), e.detail);
		else
			set_detail(m, _("cannot open %s"), m->device);
		return rc;
	}
	m->gone = false;
	at_chat_reset(m->chat, now_ms());
	if (m->opts.trace) {
		char info[DEVICE_MAX + 96], shown[DEVICE_MAX + 1];
		modem_mask_device(m->device, shown, sizeof(shown));
		int n =
		    snprintf(info, sizeof(info), "opened %s (%s transport", shown, m->t->ops->name);
		if (m->kind == DEV_PATH && n > 0)
			n += snprintf(info + n, sizeof(info) - (size_t)n, ", %u 8N1%s%s",
				      m->opts.baud ? m->opts.baud : 115200,
				      m->opts.rtscts ? ", RTS/CTS" : "",
				      m->opts.lock ? ", locked" : "");
		if (n > 0 && (size_t)n < sizeof(info) - 2) {
			info[n++] = ')';
			info[n] = '\0';
			m->opts.trace(m->opts.trace_data, SMSCTL_TRACE_INFO, info, (size_t)n);
		}
	}
	return 0;
}

static void data_drop_all(struct smsctl_modem *m)
{
	for (size_t i = 0; i < MODEM_DATA_MAX; i++) {
		void *d = m->data[i].data;
		smsctl_destroy_fn fn = m->data[i].destroy;
		m->data[i].key = NULL;
		m->data[i].data = NULL;
		m->data[i].destroy = NULL;
		if (d && fn)
			fn(d);
	}
}

SMSCTL_API int smsctl_modem_set_data(struct smsctl_modem *m, const void *key, void *data,
				     smsctl_destroy_fn destroy)
{
	size_t i, slot = MODEM_DATA_MAX;

	if (!m || !key)
		return SMSCTL_ERR_INVALID;
	for (i = 0; i < MODEM_DATA_MAX; i++) {
		if (m->data[i].key == key)
			break;
		if (!m->data[i].key && slot == MODEM_DATA_MAX)
			slot = i;
	}
	if (i < MODEM_DATA_MAX) {
		void *old = m->data[i].data;
		smsctl_destroy_fn fn = m->data[i].destroy;
		m->data[i].key = data ? key : NULL;
		m->data[i].data = data;
		m->data[i].destroy = data ? destroy : NULL;
		if (old && old != data && fn)
			fn(old);
		return 0;
	}
	if (!data)
		return 0;
	if (slot == MODEM_DATA_MAX)
		return SMSCTL_ERR_NOMEM;
	m->data[slot].key = key;
	m->data[slot].data = data;
	m->data[slot].destroy = destroy;
	return 0;
}

SMSCTL_API void *smsctl_modem_get_data(const struct smsctl_modem *m, const void *key)
{
	if (!m || !key)
		return NULL;
	for (size_t i = 0; i < MODEM_DATA_MAX; i++)
		if (m->data[i].key == key)
			return m->data[i].data;
	return NULL;
}

SMSCTL_API void smsctl_modem_close(struct smsctl_modem *m)
{
	if (!m)
		return;
	data_drop_all(m);
	at_chat_cancel_all(m->chat);
	if (m->t)
		m->t->ops->close(m->t);
	m->t = NULL;
	m->sim = NULL;
	m->gone = false;
}

SMSCTL_API void smsctl_modem_free(struct smsctl_modem *m)
{
	if (!m)
		return;
	if (m->chat)
		smsctl_modem_close(m);
	at_chat_free(m->chat);
	free(m->device);
	free(m);
}

SMSCTL_API const char *smsctl_modem_get_device(const struct smsctl_modem *m)
{
	return m ? m->device : "";
}

SMSCTL_API const char *smsctl_modem_get_error_detail(const struct smsctl_modem *m)
{
	return m ? m->detail : "";
}

SMSCTL_API int smsctl_modem_get_errno(const struct smsctl_modem *m)
{
	return m ? m->sys_errno : 0;
}

SMSCTL_API pid_t smsctl_modem_get_lock_holder(const struct smsctl_modem *m, const char **program)
{
	if (program)
		*program = NULL;
	if (!m)
		return 0;
	if (program && m->holder[0])
		*program = m->holder;
	return m->holder_pid;
}

SMSCTL_API struct smsctl_sim *smsctl_modem_get_sim(struct smsctl_modem *m)
{
	return m ? m->sim : NULL;
}

/* ---- event loop ---- */

SMSCTL_API int smsctl_modem_get_fd(const struct smsctl_modem *m)
{
	if (!m || !m->t || m->gone)
		return -1;
	return m->t->fd;
}

SMSCTL_API int smsctl_modem_get_timeout(const struct smsctl_modem *m)
{
	if (!m)
		return -1;
	return at_chat_get_timeout(m->chat, now_ms());
}

static int went_away(struct smsctl_modem *m, int err, const char *why)
{
	if (!m->gone) {
		m->gone = true;
		if (err)
			m->sys_errno = err;
		set_detail(m, _("the modem went away (%s): unplugged, rebooted or disconnected"),
			   why);
		at_chat_hangup(m->chat);
	}
	return SMSCTL_ERR_GONE;
}

SMSCTL_API int smsctl_modem_process(struct smsctl_modem *m)
{
	char buf[4096];

	if (!m)
		return SMSCTL_ERR_INVALID;
	if (!m->t)
		return SMSCTL_ERR_STATE;
	if (m->gone)
		return SMSCTL_ERR_GONE;
	/* bounded, so a chatty modem cannot starve the caller's loop */
	for (int i = 0; i < 16; i++) {
		ssize_t n = m->t->ops->read(m->t, buf, sizeof(buf));
		if (n > 0) {
			at_chat_feed(m->chat, buf, (size_t)n, now_ms());
			if (!m->t || m->gone)
				return m->gone ? SMSCTL_ERR_GONE : 0;
			continue;
		}
		if (n == 0)
			return went_away(m, 0, _("end of file"));
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		int err = errno;
		if (err == EIO || err == ECONNRESET || err == EPIPE || err == ENODEV ||
		    err == ENXIO || err == ENOTCONN)
			return went_away(m, err, strerror(err));
		m->sys_errno = err;
		went_away(m, err, strerror(err));
		return SMSCTL_ERR_IO;
	}
	at_chat_tick(m->chat, now_ms());
	return m->gone ? SMSCTL_ERR_GONE : 0;
}

SMSCTL_API int smsctl_modem_wait(struct smsctl_modem *m, int timeout_ms)
{
	if (!m)
		return SMSCTL_ERR_INVALID;
	if (!m->t)
		return SMSCTL_ERR_STATE;
	unsigned long ev0 = at_chat_get_events(m->chat);
	uint64_t deadline = timeout_ms >= 0 ? now_ms() + (uint64_t)timeout_ms : 0;

	for (;;) {
		if (m->gone)
			return at_chat_get_events(m->chat) != ev0 ? 1 : SMSCTL_ERR_GONE;
		uint64_t now = now_ms();
		int t = at_chat_get_timeout(m->chat, now);
		if (timeout_ms >= 0) {
			int left = deadline > now ? (int)(deadline - now) : 0;
			if (t < 0 || left < t)
				t = left;
		}
		struct pollfd pfd = {.fd = m->t->fd, .events = POLLIN};
		int pr = poll(&pfd, 1, t);
		if (pr < 0 && errno != EINTR) {
			m->sys_errno = errno;
			return SMSCTL_ERR_IO;
		}
		int rc = smsctl_modem_process(m);
		if (at_chat_get_events(m->chat) != ev0)
			return 1;
		if (rc < 0)
			return rc;
		if (timeout_ms >= 0 && now_ms() >= deadline)
			return 0;
	}
}

/* ---- commands ---- */

SMSCTL_API int smsctl_modem_send(struct smsctl_modem *m, const char *cmd, const char *pdu,
				 int timeout_ms, smsctl_response_fn fn, void *userdata)
{
	if (!m || !cmd)
		return SMSCTL_ERR_INVALID;
	if (!m->t)
		return SMSCTL_ERR_STATE;
	return at_chat_send(m->chat, cmd, pdu, timeout_ms, fn, userdata, now_ms());
}

struct blocking {
	bool done;
	enum smsctl_result result;
	struct smsctl_response *resp;
};

static void blocking_done(void *userdata, const struct smsctl_response *resp)
{
	struct blocking *b = userdata;

	b->done = true;
	b->result = smsctl_response_get_result(resp);
	b->resp = at_response_dup(resp);
}

static int run_blocking(struct smsctl_modem *m, const char *cmd, const char *pdu, int timeout_ms,
			unsigned flags, struct smsctl_response **out)
{
	struct blocking b = {0};
	int rc;

	if (out)
		*out = NULL;
	if (!m || !cmd)
		return SMSCTL_ERR_INVALID;
	if (!m->t)
		return SMSCTL_ERR_STATE;
	rc = at_chat_send_flags(m->chat, cmd, pdu, timeout_ms, flags, blocking_done, &b, now_ms());
	if (rc < 0)
		return rc;
	while (!b.done) {
		rc = smsctl_modem_wait(m, -1);
		if (rc < 0 && !b.done) {
			/* the transport failed without ending the command: end it now */
			went_away(m, 0, _("input/output error"));
		}
	}
	const char *masked = b.resp ? smsctl_response_get_command(b.resp) : cmd;
	switch (b.result) {
	case SMSCTL_RESULT_OK:
		rc = 0;
		break;
	case SMSCTL_RESULT_TIMEOUT: {
		char others[160] = "";
		unsigned secs =
		    ((timeout_ms > 0 ? (unsigned)timeout_ms : m->opts.timeout_ms) + 999) / 1000;
		/* a port that other programs keep open may be read by them: say who */
		if (m->kind == DEV_PATH) {
			char *real = realpath(m->device, NULL);
			if (real) {
				lock_describe_openers(real, others, sizeof(others), 3);
				free(real);
			}
		}
		set_detail(m, _("no answer to %s within %u s%s%s"), masked, secs,
			   others[0] ? _("; the port is also open in ") : "", others);
		rc = SMSCTL_ERR_TIMEOUT;
		break;
	}
	case SMSCTL_RESULT_GONE:
		if (!m->detail[0])
			set_detail(m, _("the modem went away"));
		rc = SMSCTL_ERR_GONE;
		break;
	case SMSCTL_RESULT_CANCELLED:
	case SMSCTL_RESULT_NONE:
		rc = SMSCTL_ERR_CANCELLED;
		break;
	default:
		set_detail(m, _("the modem answered '%s' to %s"),
			   b.resp ? smsctl_response_get_final(b.resp) : "ERROR", masked);
		rc = SMSCTL_ERR_MODEM;
		break;
	}
	if (out)
		*out = b.resp;
	else
		smsctl_response_free(b.resp);
	return rc;
}

SMSCTL_API int smsctl_modem_command(struct smsctl_modem *m, const char *cmd, int timeout_ms,
				    struct smsctl_response **out)
{
	return run_blocking(m, cmd, NULL, timeout_ms, 0, out);
}

int modem_command_info_ends(struct smsctl_modem *m, const char *cmd, int timeout_ms,
			    struct smsctl_response **out)
{
	return run_blocking(m, cmd, NULL, timeout_ms, AT_SEND_INFO_ENDS, out);
}

SMSCTL_API int smsctl_modem_command_pdu(struct smsctl_modem *m, const char *cmd, const char *pdu,
					int timeout_ms, struct smsctl_response **out)
{
	if (!pdu)
		return SMSCTL_ERR_INVALID;
	return run_blocking(m, cmd, pdu, timeout_ms, 0, out);
}

SMSCTL_API unsigned long smsctl_modem_get_command_count(const struct smsctl_modem *m)
{
	return m ? at_chat_get_command_count(m->chat) : 0;
}

SMSCTL_API int smsctl_modem_add_urc_handler(struct smsctl_modem *m, const char *prefix,
					    bool two_line, smsctl_urc_fn fn, void *userdata)
{
	if (!m)
		return SMSCTL_ERR_INVALID;
	return at_chat_add_urc_handler(m->chat, prefix, two_line, fn, userdata);
}

SMSCTL_API int smsctl_modem_remove_urc_handler(struct smsctl_modem *m, int id)
{
	if (!m)
		return SMSCTL_ERR_INVALID;
	return at_chat_remove_urc_handler(m->chat, id);
}

int modem_new_from_transport(const char *name, struct transport *t,
			     const struct smsctl_modem_options *opts, struct smsctl_modem **out)
{
	int rc;

	if (out)
		*out = NULL;
	if (!t)
		return SMSCTL_ERR_INVALID;
	if (!out) {
		t->ops->close(t);
		return SMSCTL_ERR_INVALID;
	}
	rc = smsctl_modem_new(name, opts, out);
	if (rc < 0) {
		t->ops->close(t);
		return rc;
	}
	(*out)->t = t;
	at_chat_reset((*out)->chat, now_ms());
	return 0;
}

unsigned long modem_get_noise(const struct smsctl_modem *m, unsigned long *received)
{
	if (received)
		*received = 0;
	return m && m->chat ? at_chat_get_noise(m->chat, received) : 0;
}
