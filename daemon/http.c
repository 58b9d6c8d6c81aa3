/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmicrohttpd glue: listeners (TCP and Unix sockets), tokens, bounded bodies, the route
 * table, JSON answers. What a route does lives in api.c.
 */
#include "http.h"

#include <arpa/inet.h>
#include <libintl.h>
#include <locale.h>
#include <pthread.h>
#include <stdatomic.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h" /* GETTEXT_PACKAGE, LOCALEDIR */
#include "log.h"

#define MAX_TOKENS	 256
#define MAX_TOKEN_LEN	 256
#define CLIENT_TIMEOUT_S 10

struct token {
	char name[64];
	char value[MAX_TOKEN_LEN];
	size_t len;
};

struct listener {
	struct smsd_http *h;
	struct MHD_Daemon *mhd;
	int fd;
	bool is_unix;
	char path[108]; /* the Unix socket we created, removed at stop */
};

struct smsd_http {
	struct smsd_http_config cfg;
	struct token *tokens;
	size_t n_tokens;
	struct listener listeners[16];
	size_t n_listeners;
};

/* The state of one request while its body arrives. */
struct req_ctx {
	char *body;
	size_t len, cap;
	bool too_large;
};

const char *smsd_request_header(const struct smsd_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *smsd_request_arg(const struct smsd_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* issue 16: the messages of error answers follow [daemon] language (codes never change). The
 * locale is made once per language and kept (a SIGHUP may switch it; the old one is never
 * freed while a request may still use it). */
static _Atomic(locale_t) error_locale;
static locale_t zh_error_locale;
static pthread_once_t zh_once = PTHREAD_ONCE_INIT;

static void zh_init(void)
{
	const char *dir = secure_getenv("SMSCTL_LOCALEDIR");

	bindtextdomain(GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	zh_error_locale = newlocale(LC_ALL_MASK, "zh_CN.UTF-8", (locale_t)0);
	if (!zh_error_locale)
		zh_error_locale = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
}

void smsd_http_set_language(const char *language)
{
	if (language && strcmp(language, "zh_CN") == 0) {
		pthread_once(&zh_once, zh_init);
		atomic_store(&error_locale, zh_error_locale);
	} else {
		atomic_store(&error_locale, (locale_t)0);
	}
}

void smsd_reply_error(struct smsd_reply *rep, int status, const char *code, const char *field,
		      const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	locale_t loc = atomic_load(&error_locale), old = (locale_t)0;

	if (loc)
		old = uselocale(loc);
	/* the English text is the msgid; the arguments are data (names, numbers) */
	const char *tr = loc ? dgettext(GETTEXT_PACKAGE, fmt) : fmt;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), tr, ap);
	va_end(ap);
	if (old)
		uselocale(old);
	json_decref(rep->body);
	rep->status = status;
	rep->body =
	    json_pack("{s:{s:s,s:s,s:s?}}", "error", "code", code, "message", msg, "field", field);
	if (!rep->body)
		rep->body = json_pack("{s:{s:s}}", "error", "code", code);
}

/* ---- tokens ---- */

static int load_tokens(const char *path, struct token **out, size_t *n_out, char *err,
		       size_t errlen)
{
	struct stat st;
	struct token *t;
	char line[512];
	size_t n = 0;
	int lineno = 0;
	FILE *f;

	*out = NULL;
	*n_out = 0;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) < 0 || (st.st_mode & S_IROTH) || (st.st_mode & S_IWOTH)) {
		snprintf(err, errlen,
			 "%s: readable or writable by others (chmod o-rwx, e.g. 0640 root:smsctl)",
			 path);
		fclose(f);
		return -1;
	}
	t = calloc(MAX_TOKENS, sizeof(*t));
	if (!t) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		size_t len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			snprintf(err, errlen, "%s:%d: line too long", path, lineno);
			goto fail;
		}
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
			       line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		char *colon = strchr(s, ':');
		if (!colon || colon == s || (size_t)(colon - s) >= sizeof(t[0].name) ||
		    strlen(colon + 1) < 16 || strlen(colon + 1) >= MAX_TOKEN_LEN) {
			snprintf(err, errlen,
				 "%s:%d: not NAME:TOKEN (a token has 16 to 255 characters)", path,
				 lineno);
			goto fail;
		}
		if (n >= MAX_TOKENS) {
			snprintf(err, errlen, "%s:%d: more than %d tokens", path, lineno,
				 MAX_TOKENS);
			goto fail;
		}
		memcpy(t[n].name, s, (size_t)(colon - s));
		t[n].name[colon - s] = '\0';
		t[n].len = strlen(colon + 1);
		memcpy(t[n].value, colon + 1, t[n].len + 1);
		n++;
	}
	fclose(f);
	*out = t;
	*n_out = n;
	return 0;
fail:
	explicit_bzero(t, MAX_TOKENS * sizeof(*t));
	free(t);
	fclose(f);
	return -1;
}

int smsd_http_check_tokens(const char *path, char *err, size_t errlen)
{
	struct token *t;
	size_t n;

	if (load_tokens(path, &t, &n, err, errlen) < 0)
		return -1;
	explicit_bzero(t, MAX_TOKENS * sizeof(*t));
	free(t);
	return 0;
}

/* Constant-time: every token is compared in full, whatever matched. */
static const char *check_token(const struct smsd_http *h, const char *auth)
{
	const char *found = NULL;
	char given[MAX_TOKEN_LEN];
	size_t glen;

	if (!auth || strncmp(auth, "Bearer ", 7) != 0)
		return NULL;
	glen = strlen(auth + 7);
	if (glen == 0 || glen >= MAX_TOKEN_LEN)
		return NULL;
	memset(given, 0, sizeof(given));
	memcpy(given, auth + 7, glen);
	for (size_t i = 0; i < h->n_tokens; i++) {
		unsigned char diff = (unsigned char)(glen != h->tokens[i].len);
		for (size_t k = 0; k < MAX_TOKEN_LEN; k++)
			diff |= (unsigned char)(given[k] ^ h->tokens[i].value[k]);
		if (diff == 0 && !found)
			found = h->tokens[i].name;
	}
	explicit_bzero(given, sizeof(given));
	return found;
}

bool smsd_http_token_valid(const struct smsd_request *req, const char *auth)
{
	return req->server && check_token(req->server, auth) != NULL;
}

/* ---- answers ---- */

/* ops (issue 17): a non-JSON answer (the status page, /metrics) with its extra headers. */
static enum MHD_Result send_raw(struct MHD_Connection *c, struct smsd_reply *rep)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	json_decref(rep->body);
	rep->body = NULL;
	r = MHD_create_response_from_buffer(rep->raw_len, rep->raw, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(rep->raw);
		rep->raw = NULL;
		return MHD_NO;
	}
	rep->raw = NULL;
	MHD_add_response_header(r, "Content-Type", rep->raw_type ? rep->raw_type : "text/plain");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (rep->location[0])
		MHD_add_response_header(r, "Location", rep->location);
	if (rep->cookie[0])
		MHD_add_response_header(r, "Set-Cookie", rep->cookie);
	ret = MHD_queue_response(c, (unsigned)rep->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct smsd_reply *rep)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *text;

	if (rep->raw)
		return send_raw(c, rep);
	if (!rep->body)
		rep->body = json_object();
	text = json_dumps(rep->body, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(rep->body);
	rep->body = NULL;
	if (!text)
		return MHD_NO;
	size_t len = strlen(text);
	text[len] = '\0';
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (rep->retry_after > 0) {
		char ra[16];
		snprintf(ra, sizeof(ra), "%d", rep->retry_after);
		MHD_add_response_header(r, "Retry-After", ra);
	}
	ret = MHD_queue_response(c, (unsigned)rep->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Match a path against "/a/{x}/b"; fill params. */
static bool match_route(const char *pattern, const char *path, struct smsd_request *req,
			char *store, size_t store_size)
{
	const char *p = pattern, *q = path;
	size_t used = 0;

	req->n_params = 0;
	while (*p && *q) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *qe = strchr(q, '/');
			size_t len = qe ? (size_t)(qe - q) : strlen(q);
			if (!pe || len == 0 || used + len + 1 > store_size || req->n_params >= 4)
				return false;
			memcpy(store + used, q, len);
			store[used + len] = '\0';
			req->params[req->n_params++] = store + used;
			used += len + 1;
			p = pe + 1;
			q += len;
			continue;
		}
		if (*p != *q)
			return false;
		p++;
		q++;
	}
	return *p == '\0' && *q == '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct listener *l = cls;
	struct smsd_http *h = l->h;
	struct req_ctx *ctx = *con_cls;
	struct smsd_reply rep = {0};
	struct smsd_request req = {0};
	char params[512];

	if (!ctx) {
		ctx = calloc(1, sizeof(*ctx));
		if (!ctx)
			return MHD_NO;
		*con_cls = ctx;
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoll(cl, NULL, 10) > h->cfg.max_body)
			ctx->too_large = true;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (ctx->too_large || ctx->len + n > (size_t)h->cfg.max_body) {
			ctx->too_large = true;
			return MHD_YES;
		}
		if (ctx->len + n + 1 > ctx->cap) {
			size_t cap = ctx->cap ? ctx->cap : 1024;
			while (cap < ctx->len + n + 1)
				cap *= 2;
			char *b = realloc(ctx->body, cap);
			if (!b)
				return MHD_NO;
			ctx->body = b;
			ctx->cap = cap;
		}
		memcpy(ctx->body + ctx->len, upload_data, n);
		ctx->len += n;
		ctx->body[ctx->len] = '\0';
		return MHD_YES;
	}

	req.method = method;
	req.path = url;
	req.conn = conn;
	req.body = ctx->body;
	req.body_len = ctx->len;
	req.content_type =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	req.idempotency_key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key");

	const struct smsd_route *route = NULL;
	bool path_known = false;
	for (size_t i = 0; i < h->cfg.n_routes; i++) {
		if (!match_route(h->cfg.routes[i].pattern, url, &req, params, sizeof(params)))
			continue;
		path_known = true;
		if (strcmp(h->cfg.routes[i].method, method) == 0) {
			route = &h->cfg.routes[i];
			break;
		}
	}
	if (!route) {
		req.n_params = 0;
		if (path_known)
			smsd_reply_error(&rep, 405, "method_not_allowed", NULL,
					 "%s is not allowed on %s", method, url);
		else
			smsd_reply_error(&rep, 404, "not_found", NULL, "no such route: %s", url);
		return send_reply(conn, &rep);
	}
	req.is_unix = l->is_unix;
	req.route = route->pattern;
	req.server = h;
	if (!l->is_unix) {
		req.token_name =
		    check_token(h, MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							       MHD_HTTP_HEADER_AUTHORIZATION));
		if (!req.token_name && !route->public_route) {
			smsd_reply_error(&rep, 401, "unauthorized", NULL,
					 "a valid 'Authorization: Bearer TOKEN' is required");
			struct MHD_Response *r;
			(void)r;
			return send_reply(conn, &rep);
		}
	}
	if (ctx->too_large) {
		smsd_reply_error(&rep, 413, "body_too_large", NULL,
				 "the body is larger than %lld bytes", h->cfg.max_body);
		return send_reply(conn, &rep);
	}
	rep.status = 500;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	route->fn(h->cfg.app, &req, &rep);
	int status = rep.status;
	enum MHD_Result res = send_reply(conn, &rep);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (h->cfg.observe) /* ops (issue 17): smsctl_http_requests_total and its histogram */
		h->cfg.observe(h->cfg.app, route->pattern, status,
			       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return res;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req_ctx *ctx = *con_cls;

	if (ctx) {
		free(ctx->body);
		free(ctx);
		*con_cls = NULL;
	}
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	smsd_log(LOG_WARNING, "http: %s", msg);
}

/* ---- listeners ---- */

static int bind_unix(struct listener *l, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "unix:%s: path too long", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "unix:%s: %s", path, strerror(errno));
		return -1;
	}
	/* a socket left by a killed daemon is replaced; a live one is not */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		snprintf(err, errlen, "unix:%s: another daemon is listening there", path);
		close(fd);
		return -1;
	}
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "unix:%s: exists and is not a socket", path);
			close(fd);
			return -1;
		}
		unlink(path);
	}
	mode_t old = umask(0117);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || chmod(path, 0660) < 0 || listen(fd, 64) < 0) {
		snprintf(err, errlen, "unix:%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	snprintf(l->path, sizeof(l->path), "%s", path);
	l->is_unix = true;
	return fd;
}

static int bind_tcp(const char *addr, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
	struct addrinfo *res = NULL;
	char host[300];
	const char *colon = strrchr(addr, ':');
	size_t hl = (size_t)(colon - addr);
	int fd = -1, one = 1, rc;

	if (hl >= sizeof(host)) {
		snprintf(err, errlen, "%s: address too long", addr);
		return -1;
	}
	memcpy(host, addr, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl >= 2) {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	rc = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 128) < 0) {
		snprintf(err, errlen, "%s: %s", addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

struct smsd_http *smsd_http_start(const struct smsd_http_config *cfg, char *err, size_t errlen)
{
	struct smsd_http *h = calloc(1, sizeof(*h));

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->cfg = *cfg;
	if (cfg->tokens_file &&
	    load_tokens(cfg->tokens_file, &h->tokens, &h->n_tokens, err, errlen) < 0) {
		free(h);
		return NULL;
	}
	for (size_t i = 0; i < cfg->n_listen && i < 16; i++) {
		struct listener *l = &h->listeners[h->n_listeners];
		const char *a = cfg->listen[i];
		l->h = h;
		l->fd = strncmp(a, "unix:", 5) == 0 ? bind_unix(l, a + 5, err, errlen)
						    : bind_tcp(a, err, errlen);
		if (l->fd < 0)
			goto fail;
		h->n_listeners++;
		l->mhd = MHD_start_daemon(
		    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request,
		    l, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
		    l->fd, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ? cfg->threads : 1),
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CLIENT_TIMEOUT_S,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_LIMIT,
		    (unsigned)1000, MHD_OPTION_END);
		if (!l->mhd) {
			snprintf(err, errlen, "%s: cannot start the HTTP server", a);
			goto fail;
		}
	}
	return h;
fail:
	smsd_http_stop(h);
	return NULL;
}

void smsd_http_stop(struct smsd_http *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_listeners; i++) {
		struct listener *l = &h->listeners[i];
		if (l->mhd)
			MHD_stop_daemon(l->mhd);
		if (l->fd >= 0)
			close(l->fd);
		if (l->path[0])
			unlink(l->path);
	}
	if (h->tokens) {
		explicit_bzero(h->tokens, MAX_TOKENS * sizeof(*h->tokens));
		free(h->tokens);
	}
	free(h);
}
