/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl sim serve: the control socket. JSON lines over a Unix stream socket: one request
 * object a line, one answer object a line, in order (protocol in smsctl(1), "SIM SERVE").
 * Everything a client sends is hostile: a line is at most CTL_LINE_MAX bytes (a longer one is
 * answered with an error and dropped up to its newline), answers a client does not read are
 * kept up to CTL_OUT_MAX bytes (then it is disconnected), at most CTL_MAX_CLIENTS at once. */
#include <errno.h>
#include <fcntl.h>
#if HAVE_SIM_CONTROL
#include <jansson.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "sim-serve.h"

#if HAVE_SIM_CONTROL

/* Fault names `state` reports (the contract's list and the additions). */
static const char *const fault_names[] = {
    "sim_absent",
    "sim_pin",
    "sim_puk",
    "sim_failure",
    "sim_busy",
    "no_signal",
    "weak_signal",
    "not_registered",
    "searching",
    "denied",
    "roaming",
    "smsc_missing",
    "storage_full",
    "send_fail",
    "send_fail_once",
    "send_timeout",
    "slow",
    "hang",
    "garbage",
    "urc_storm",
    "bare_prompt",
    "reboot",
    "unplug",
    "radio_off",
    "ps_only",
    "sim_blocked",
    "sms_unavailable",
    "storage_nearly_full",
    "storage_mismatch",
    "indications_off",
    "bare_ok",
    NULL,
};

int ctl_listen(struct server *s, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;

	s->ctl_fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST; /* never remove what is not a socket */
		unlink(path);		/* left by a server that was killed */
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 8) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	s->ctl_fd = fd;
	s->ctl_path = path;
	return 0;
}

static void client_close(struct ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void ctl_accept(struct server *s)
{
	int fd = accept4(s->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->cl[i];
		if (c->fd >= 0)
			continue;
		memset(c, 0, sizeof(*c));
		c->in = malloc(CTL_LINE_MAX + 1);
		if (!c->in) {
			close(fd);
			c->fd = -1;
			return;
		}
		c->fd = fd;
		return;
	}
	close(fd); /* too many */
}

void ctl_close(struct server *s)
{
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		client_close(&s->cl[i]);
	if (s->ctl_fd >= 0) {
		close(s->ctl_fd);
		s->ctl_fd = -1;
		if (s->ctl_path)
			unlink(s->ctl_path);
	}
}

/* Queue an answer (takes the reference). False when the client must go. */
static bool reply(struct ctl_client *c, json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(obj);
	if (!text)
		return false;
	size_t n = strlen(text);
	if (c->out_len - c->out_off + n + 1 > CTL_OUT_MAX) {
		free(text);
		return false;
	}
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + n + 1 > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + n + 1)
			cap *= 2;
		char *p = realloc(c->out, cap);
		if (!p) {
			free(text);
			return false;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, text, n);
	c->out[c->out_len + n] = '\n';
	c->out_len += n + 1;
	free(text);
	return true;
}

static json_t *error_obj(const char *msg)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

static const char *coding_name(enum smsctl_coding c)
{
	switch (c) {
	case SMSCTL_CODING_GSM7:
		return "gsm7";
	case SMSCTL_CODING_UCS2:
		return "ucs2";
	case SMSCTL_CODING_8BIT:
		return "8bit";
	default:
		return "unknown";
	}
}

/* One accepted submit, decoded. */
static json_t *record_obj(const struct smsctl_sim *sim, size_t i)
{
	char hex[400];
	struct smsctl_pdu *pdu = NULL;
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "seq", json_integer((json_int_t)i));
	json_object_set_new(o, "mr", json_integer(smsctl_sim_get_sent_message_ref(sim, i)));
	if (smsctl_sim_get_sent_pdu(sim, i, hex, sizeof(hex)) < 0) {
		json_object_set_new(o, "error", json_string("record not readable"));
		return o;
	}
	json_object_set_new(o, "pdu", json_string(hex));
	const char *why = NULL;
	int r = smsctl_pdu_decode_hex(hex, false, &pdu, &why);
	if (r < 0) {
		json_object_set_new(o, "error", json_string(why ? why : smsctl_strerror(r)));
		return o;
	}
	const char *text = smsctl_pdu_get_text(pdu);
	unsigned ref, total, seq;
	json_object_set_new(o, "to", json_string(smsctl_pdu_get_number(pdu)));
	json_object_set_new(o, "coding", json_string(coding_name(smsctl_pdu_get_coding(pdu))));
	/* A text is UTF-8 from the decoder; json_string() refuses anything else. */
	json_object_set_new(o, "text", text ? json_string(text) : json_null());
	if (smsctl_pdu_get_concat(pdu, &ref, &total, &seq))
		json_object_set_new(o, "concat",
				    json_pack("{s:I, s:I, s:I}", "ref", (json_int_t)ref, "total",
					      (json_int_t)total, "seq", (json_int_t)seq));
	else
		json_object_set_new(o, "concat", json_null());
	json_object_set_new(o, "report", json_boolean(smsctl_pdu_get_status_report_request(pdu)));
	smsctl_pdu_free(pdu);
	return o;
}

static json_t *state_obj(const struct served *m, size_t idx)
{
	json_t *o = json_object(), *st = json_object(), *faults = json_array();
	if (!o || !st || !faults) {
		json_decref(o);
		json_decref(st);
		json_decref(faults);
		return NULL;
	}
	json_object_set_new(o, "modem", json_integer((json_int_t)idx));
	json_object_set_new(o, "name", json_string(m->name));
	json_object_set_new(o, "device", json_string(m->device));
	json_object_set_new(o, "profile", json_string(smsctl_sim_get_profile(m->sim)));
	json_object_set_new(o, "path", m->link ? json_string(m->link) : json_null());
	json_object_set_new(o, "pty", m->link && m->pts[0] ? json_string(m->pts) : json_null());
	json_object_set_new(o, "port", m->port ? json_integer(m->port) : json_null());
	json_object_set_new(o, "connected", json_boolean(m->connected));
	json_object_set_new(o, "connects", json_integer((json_int_t)m->connects));
	json_object_set_new(o, "unplugged", json_boolean(m->unplugged_at != 0));
	json_object_set_new(o, "unplugs", json_integer((json_int_t)m->unplugs));
	json_object_set_new(o, "next_mr", json_integer(smsctl_sim_get_message_ref(m->sim)));
	json_object_set_new(o, "sent", json_integer((json_int_t)smsctl_sim_get_sent_count(m->sim)));
	json_object_set_new(o, "commands",
			    json_integer((json_int_t)smsctl_sim_get_command_count(m->sim)));
	static const char *const mems[] = {"SM", "ME", "MT", "SR"};
	for (size_t i = 0; i < 4; i++) {
		unsigned used, total;
		if (smsctl_sim_get_storage(m->sim, mems[i], &used, &total) == 0)
			json_object_set_new(
			    st, mems[i],
			    json_pack("{s:i, s:i}", "used", (int)used, "total", (int)total));
	}
	json_object_set_new(o, "storage", st);
	for (size_t i = 0; fault_names[i]; i++)
		if (smsctl_sim_has_fault(m->sim, fault_names[i]))
			json_array_append_new(faults, json_string(fault_names[i]));
	json_object_set_new(o, "faults", faults);
	return o;
}

/* The "modem" member: an index or a name; *all when absent and allowed. */
static struct served *pick_modem(struct server *s, json_t *req, bool allow_all, bool *all,
				 const char **err)
{
	json_t *v = json_object_get(req, "modem");
	*all = false;
	if (!v) {
		if (allow_all) {
			*all = true;
			return NULL;
		}
		*err = "missing \"modem\"";
		return NULL;
	}
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i >= 0 && (size_t)i < s->n)
			return &s->m[i];
	} else if (json_is_string(v)) {
		for (size_t i = 0; i < s->n; i++)
			if (!strcmp(s->m[i].name, json_string_value(v)))
				return &s->m[i];
	}
	*err = "no such modem";
	return NULL;
}

static json_t *do_fault(struct server *s, json_t *req)
{
	const char *err = NULL, *name = json_string_value(json_object_get(req, "fault"));
	json_t *on = json_object_get(req, "on");
	bool all;
	struct served *m = pick_modem(s, req, true, &all, &err);

	if (!m && !all)
		return error_obj(err);
	if (!name)
		return error_obj("missing \"fault\"");
	if (on && !json_is_boolean(on))
		return error_obj("\"on\" must be true or false");
	bool set = on ? json_is_true(on) : true;
	for (size_t i = 0; i < s->n; i++) {
		if (!all && &s->m[i] != m)
			continue;
		if (smsctl_sim_set_fault(s->m[i].sim, name, set) < 0)
			return error_obj("unknown fault or bad argument");
	}
	return json_pack("{s:b}", "ok", 1);
}

static json_t *do_deliver(struct server *s, json_t *req)
{
	const char *err = NULL;
	bool all;
	struct served *m = pick_modem(s, req, false, &all, &err);
	const char *pdu = json_string_value(json_object_get(req, "pdu"));
	const char *from = json_string_value(json_object_get(req, "from"));
	const char *text = json_string_value(json_object_get(req, "text"));
	unsigned flags = 0;
	int r;

	if (!m)
		return error_obj(err);
	if (json_is_true(json_object_get(req, "ucs2")))
		flags |= SMSCTL_SIM_DELIVER_UCS2;
	if (json_is_true(json_object_get(req, "reverse")))
		flags |= SMSCTL_SIM_DELIVER_REVERSE;
	if (pdu) {
		r = smsctl_sim_deliver_pdu(m->sim, pdu);
		if (r == 0)
			r = 1;
	} else if (from && text) {
		r = smsctl_sim_deliver(m->sim, from, text, flags);
	} else {
		return error_obj("give \"pdu\", or \"from\" and \"text\"");
	}
	if (r < 0)
		return json_pack("{s:b, s:s, s:s}", "ok", 0, "error", smsctl_strerror(r), "code",
				 smsctl_error_name(r));
	return json_pack("{s:b, s:i}", "ok", 1, "parts", r);
}

/* Answer with the records from "since" on, at most "limit" (default all). */
static json_t *do_records(struct server *s, json_t *req)
{
	const char *err = NULL;
	bool all;
	struct served *m = pick_modem(s, req, false, &all, &err);
	json_t *since = json_object_get(req, "since"), *limit = json_object_get(req, "limit");

	if (!m)
		return error_obj(err);
	if ((since && !json_is_integer(since)) || (limit && !json_is_integer(limit)))
		return error_obj("\"since\" and \"limit\" are integers");
	size_t total = smsctl_sim_get_sent_count(m->sim);
	json_int_t from = since ? json_integer_value(since) : 0;
	json_int_t max = limit ? json_integer_value(limit) : (json_int_t)total;
	if (from < 0 || max < 0)
		return error_obj("\"since\" and \"limit\" are not negative");
	json_t *arr = json_array();
	if (!arr)
		return NULL;
	for (size_t i = (size_t)from; i < total && (json_int_t)(i - (size_t)from) < max; i++) {
		json_t *rec = record_obj(m->sim, i);
		if (rec)
			json_array_append_new(arr, rec);
	}
	return json_pack("{s:b, s:i, s:I, s:o}", "ok", 1, "modem", (int)(m - s->m), "total",
			 (json_int_t)total, "records", arr);
}

static json_t *handle(struct server *s, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr), *ans = NULL;
	const char *cmd = json_string_value(json_object_get(req, "cmd"));

	if (!req || !json_is_object(req)) {
		json_decref(req);
		return error_obj("not a JSON object");
	}
	if (!cmd) {
		ans = error_obj("missing \"cmd\"");
	} else if (!strcmp(cmd, "list")) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < s->n; i++)
			json_array_append_new(arr, state_obj(&s->m[i], i));
		ans = json_pack("{s:b, s:o}", "ok", 1, "modems", arr);
	} else if (!strcmp(cmd, "state")) {
		const char *err = NULL;
		bool all;
		struct served *m = pick_modem(s, req, false, &all, &err);
		ans = m ? state_obj(m, (size_t)(m - s->m)) : error_obj(err);
		if (m && ans)
			json_object_set_new(ans, "ok", json_true());
	} else if (!strcmp(cmd, "fault")) {
		ans = do_fault(s, req);
	} else if (!strcmp(cmd, "deliver")) {
		ans = do_deliver(s, req);
	} else if (!strcmp(cmd, "records")) {
		ans = do_records(s, req);
	} else if (!strcmp(cmd, "replug")) {
		const char *err = NULL;
		bool all;
		struct served *m = pick_modem(s, req, false, &all, &err);
		if (m)
			serve_replug(s, m);
		ans = m ? json_pack("{s:b}", "ok", 1) : error_obj(err);
	} else {
		ans = error_obj("unknown \"cmd\"");
	}
	json_decref(req);
	return ans;
}

static bool read_requests(struct server *s, struct ctl_client *c)
{
	char buf[4096];
	for (;;) {
		ssize_t n = read(c->fd, buf, sizeof(buf));
		if (n == 0)
			return false;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		for (ssize_t k = 0; k < n; k++) {
			char ch = buf[k];
			if (ch != '\n') {
				if (c->discarding)
					continue;
				if (c->in_len >= CTL_LINE_MAX) {
					c->discarding = true;
					c->in_len = 0;
					if (!reply(c, error_obj("request line too long")))
						return false;
					continue;
				}
				c->in[c->in_len++] = ch;
				continue;
			}
			if (c->discarding) {
				c->discarding = false;
				continue;
			}
			size_t len = c->in_len;
			c->in_len = 0;
			while (len && (c->in[len - 1] == '\r' || c->in[len - 1] == ' '))
				len--;
			if (len == 0)
				continue;
			json_t *ans = handle(s, c->in, len);
			if (!ans || !reply(c, ans))
				return false;
		}
	}
}

static bool flush_out(struct ctl_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		c->out_off += (size_t)w;
	}
	c->out_off = c->out_len = 0;
	return true;
}

void ctl_service(struct server *s, int i, bool in, bool out)
{
	struct ctl_client *c = &s->cl[i];
	bool ok = true;
	if (in && !read_requests(s, c)) {
		flush_out(
		    c); /* answers to the requests before its end of file, as far as they go */
		client_close(c);
		return;
	}
	if (out || c->out_len > c->out_off)
		ok = flush_out(c);
	if (!ok)
		client_close(c);
}

#else /* built without jansson: no control socket */

int ctl_listen(struct server *s, const char *path)
{
	(void)path;
	s->ctl_fd = -1;
	return -ENOTSUP;
}
void ctl_accept(struct server *s)
{
	(void)s;
}
void ctl_service(struct server *s, int i, bool in, bool out)
{
	(void)s;
	(void)i;
	(void)in;
	(void)out;
}
void ctl_close(struct server *s)
{
	(void)s;
}
#endif
