/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The status page for the people at the shop (issue 17): GET / renders one HTML page on the
 * server (no JavaScript, no external asset, refreshes itself every 10 s), in English or
 * Chinese from Accept-Language, with the texts of the gettext catalog `smsctl` the CLI uses.
 * Each modem is one card `class="modem" data-modem="NAME"` (CONTRACTS).
 *
 * Access: on a Unix socket the file permissions suffice; on TCP the page takes
 * `Authorization: Bearer TOKEN`, or a session cookie `smsctl_session` set by POST /login with
 * the form field `token` (HttpOnly, SameSite=Strict; 12 h; 64 random hex characters kept in
 * memory, never the token itself). Without either, the login form is shown (401).
 *
 * Translation per request: the handler switches its own thread to the zh_CN locale with
 * uselocale() (glibc's gettext follows the thread's locale), so requests in different
 * languages never disturb each other.
 */
#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "config.h" /* GETTEXT_PACKAGE, LOCALEDIR, PACKAGE_VERSION */
#include "ops.h"
#include "smsctld.h"

#define _(s)	       dgettext(GETTEXT_PACKAGE, s)
#define N_(s)	       s
#define SESSION_MS     (12LL * 3600 * 1000)
#define MAX_PAGE_MODEM 256

static pthread_once_t i18n_once = PTHREAD_ONCE_INIT;
static locale_t zh_locale; /* set once, read-only afterwards */

static void i18n_init(void)
{
	const char *dir = secure_getenv("SMSCTL_LOCALEDIR");

	bindtextdomain(GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	zh_locale = newlocale(LC_ALL_MASK, "zh_CN.UTF-8", (locale_t)0);
}

/* Whether Accept-Language prefers Chinese over English (q values honoured). */
static bool wants_chinese(const char *al)
{
	double zh = -1, en = -1;

	if (!al || strlen(al) > 1024)
		return false;
	while (*al) {
		while (*al == ' ' || *al == ',')
			al++;
		const char *end = strchr(al, ',');
		size_t len = end ? (size_t)(end - al) : strlen(al);
		char tag[64];
		snprintf(tag, sizeof(tag), "%.*s",
			 (int)(len < sizeof(tag) - 1 ? len : sizeof(tag) - 1), al);
		double q = 1;
		char *semi = strchr(tag, ';');
		if (semi) {
			*semi = '\0';
			char *qs = strstr(semi + 1, "q=");
			if (qs)
				q = strtod(qs + 2, NULL);
		}
		for (char *p = tag; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		if (strncmp(tag, "zh", 2) == 0 &&
		    (tag[2] == '\0' || tag[2] == '-' || tag[2] == '_')) {
			if (q > zh)
				zh = q;
		} else if (strncmp(tag, "en", 2) == 0 || strcmp(tag, "*") == 0) {
			if (q > en)
				en = q;
		}
		al += len;
	}
	return zh > 0 && zh > en;
}

/* ---- a growing HTML buffer ---- */

struct html {
	char *p;
	size_t n, cap;
	bool oom;
};

static void put(struct html *h, const char *s, size_t len)
{
	if (h->oom)
		return;
	if (h->n + len + 1 > h->cap) {
		size_t cap = h->cap ? h->cap : 8192;
		while (cap < h->n + len + 1)
			cap *= 2;
		char *p = realloc(h->p, cap);
		if (!p) {
			h->oom = true;
			return;
		}
		h->p = p;
		h->cap = cap;
	}
	memcpy(h->p + h->n, s, len);
	h->n += len;
	h->p[h->n] = '\0';
}

static void out(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(struct html *h, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(h, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Text into HTML (element content and attribute values alike). */
static void esc(struct html *h, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			put(h, "&lt;", 4);
			break;
		case '>':
			put(h, "&gt;", 4);
			break;
		case '&':
			put(h, "&amp;", 5);
			break;
		case '"':
			put(h, "&quot;", 6);
			break;
		case '\'':
			put(h, "&#39;", 5);
			break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				put(h, "?", 1);
			else
				put(h, s, 1);
		}
	}
}

static const char css[] =
    "body{font-family:sans-serif;margin:1em;background:#f4f4f4;color:#222}"
    "h1{font-size:1.4em}h2{font-size:1.2em;margin-top:1.5em}"
    ".modems{display:flex;flex-wrap:wrap;gap:1em}"
    ".modem{background:#fff;border-radius:6px;padding:1em;min-width:16em;max-width:30em;"
    "border-left:8px solid #2a2}"
    ".modem.bad{border-left-color:#c22}.modem.warn{border-left-color:#d90}"
    ".state{font-weight:bold}.bars{font-family:monospace;font-size:1.2em}"
    ".finding{font-size:1.4em;font-weight:bold;color:#c22}.remedy{font-size:1.3em}"
    "table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ccc;padding:.3em .6em;"
    "text-align:left}.ok{color:#2a2}";

/* Translated state names (the contract's names stay in data-state). */
static const char *state_text(const char *state)
{
	static const struct {
		const char *id, *text;
	} t[] = {
	    {"starting", N_("starting")},  {"ready", N_("ready")},
	    {"degraded", N_("degraded")},  {"cooling", N_("cooling down")},
	    {"blocked", N_("blocked")},	   {"quota", N_("limit reached")},
	    {"gone", N_("not connected")}, {"disabled", N_("disabled")},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].id, state) == 0)
			return _(t[i].text);
	return state;
}

/* Summary and remedy of a finding id, from a diagnosis text the library wrote in English
 * (the msgid), translated now in the request's language. */
static void finding_texts(struct smsd *d, const char *id, struct smsd_finding_text *ft,
			  const char **summary, const char **remedy)
{
	*summary = *remedy = "";
	if (smsd_ops_finding_text(d->metrics, id, ft)) {
		*summary = _(ft->summary);
		*remedy = ft->remedy[0] ? _(ft->remedy) : "";
	}
}

static void render_modem(struct smsd *d, struct html *h, const struct smsd_modem_info *mi)
{
	bool ready = strcmp(mi->state, "ready") == 0;
	bool warn = strcmp(mi->state, "degraded") == 0 || strcmp(mi->state, "cooling") == 0 ||
		    strcmp(mi->state, "starting") == 0;

	out(h, "<div class=\"modem%s\" data-modem=\"", ready ? "" : warn ? " warn" : " bad");
	esc(h, mi->name);
	out(h, "\" data-state=\"%s\"", mi->state);
	if (mi->finding[0]) {
		out(h, " data-finding=\"");
		esc(h, mi->finding);
		out(h, "\"");
	}
	out(h, "><h3>");
	esc(h, mi->name);
	out(h, "</h3><div class=\"state\">%s</div>", state_text(mi->state));
	out(h, "<div>%s <span class=\"bars\">", _("Signal:"));
	if (mi->signal_dbm == INT32_MIN) {
		out(h, "&ndash;");
	} else {
		int bars = mi->signal_dbm >= -73    ? 4
			   : mi->signal_dbm >= -85  ? 3
			   : mi->signal_dbm >= -97  ? 2
			   : mi->signal_dbm >= -109 ? 1
						    : 0;
		for (int i = 0; i < 4; i++)
			out(h, "%s", i < bars ? "&#9646;" : "&#9647;");
		out(h, " %d dBm", mi->signal_dbm);
	}
	out(h, "</span></div><div>%s ", _("Operator:"));
	esc(h, mi->operator_[0] ? mi->operator_ : "\u2013");
	out(h, "</div><div>%s ", _("SIM:"));
	esc(h, mi->iccid[0] ? mi->iccid : "\u2013");
	out(h, "</div><div class=\"sent\">%s %lld", _("Parts sent today:"),
	    (long long)(mi->pooled ? mi->parts_today : mi->sent_today));
	if (mi->pooled && mi->daily_limit > 0)
		out(h, " / %lld", mi->daily_limit);
	out(h, "</div>");
	if (mi->has_balance)
		out(h, "<div class=\"balance\">%s %.2f</div>", _("Balance:"), mi->balance);
	if (!ready && mi->finding[0]) {
		const char *summary, *remedy;
		struct smsd_finding_text ft;
		finding_texts(d, mi->finding, &ft, &summary, &remedy);
		out(h, "<div class=\"finding\">");
		esc(h, summary[0] ? summary : mi->finding);
		out(h, " <small>(");
		esc(h, mi->finding);
		out(h, ")</small></div>");
		if (remedy[0]) {
			out(h, "<div class=\"remedy\">");
			esc(h, remedy);
			out(h, "</div>");
		}
	}
	out(h, "</div>\n");
}

static char *render_page(struct smsd *d, bool zh, size_t *len)
{
	struct html h = {0};
	struct smsd_ops_summary sum;
	struct smsd_modem_info *mods = calloc(MAX_PAGE_MODEM, sizeof(*mods));
	struct smsd_failure_row fails[20];
	char when[32];

	if (!mods)
		return NULL;
	smsd_metrics_summary(d->metrics, &sum);
	int n = smsd_metrics_modems(d->metrics, mods, MAX_PAGE_MODEM);
	int nf = smsd_metrics_failures(d->metrics, fails, 20);
	out(&h,
	    "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<meta http-equiv=\"refresh\" content=\"10\">"
	    "<meta name=\"viewport\" content=\"width=device-width\">"
	    "<title>smsctld</title><style>%s</style></head><body>\n",
	    zh ? "zh-CN" : "en", css);
	out(&h, "<h1>%s</h1>", _("SMS gateway status"));
	out(&h, "<p id=\"summary\">");
	out(&h, _("%d of %d modems ready"), sum.modems_ready, sum.modems);
	if (!sum.store_up)
		out(&h, " &middot; <b>%s</b>", _("the message store is unavailable"));
	out(&h, "</p>\n<h2>%s</h2><div class=\"modems\">\n", _("Modems"));
	if (n == 0)
		out(&h, "<p>%s</p>", _("No modem is configured."));
	for (int i = 0; i < n; i++)
		render_modem(d, &h, &mods[i]);
	out(&h, "</div>\n<h2>%s</h2><table id=\"queue\">", _("Queue"));
	out(&h, "<tr><th>%s</th><td>%lld</td></tr>", _("Waiting to be sent"),
	    (long long)sum.queued);
	out(&h, "<tr><th>%s</th><td>%lld</td></tr>", _("Being sent"), (long long)sum.sending);
	static const char *const why[4] = {
	    N_("held back: daily or monthly limit"), N_("held back: sending rate"),
	    N_("held back: outside the sending hours"), N_("held back: no modem can send")};
	for (int k = 0; k < 4; k++)
		if (sum.waiting[k])
			out(&h, "<tr><th>%s</th><td>%lld</td></tr>", _(why[k]),
			    (long long)sum.waiting[k]);
	out(&h, "<tr><th>%s</th><td>%lld</td></tr></table>\n", _("Outcome unknown (check by hand)"),
	    (long long)sum.unknown);
	out(&h, "<h2>%s</h2>", _("Last failures"));
	if (nf == 0) {
		out(&h, "<p class=\"ok\">%s</p>", _("No failure since the start."));
	} else {
		out(&h,
		    "<table id=\"failures\"><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
		    _("Time"), _("Modem"), _("Message"), _("Reason"));
		for (int i = 0; i < nf; i++) {
			time_t t = (time_t)(fails[i].at_ms / 1000);
			struct tm tm;
			localtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
			out(&h, "<tr><td>%s</td><td>", when);
			esc(&h, fails[i].modem);
			out(&h, "</td><td>");
			esc(&h, fails[i].id);
			out(&h, "</td><td>");
			esc(&h, fails[i].code);
			out(&h, ": ");
			esc(&h, fails[i].text);
			out(&h, "</td></tr>");
		}
		out(&h, "</table>\n");
	}
	struct series_copy bl[16];
	int nb = smsd_metrics_backlogs(d->metrics, bl, 16), shown = 0;
	out(&h, "<h2>%s</h2><p id=\"webhooks\">", _("Webhooks"));
	for (int i = 0; i < nb; i++) {
		if (bl[i].v <= 0)
			continue;
		out(&h, "%s<span class=\"backlog\" data-webhook=\"", shown++ ? "<br>" : "");
		esc(&h, bl[i].name);
		out(&h, "\">");
		esc(&h, bl[i].name);
		out(&h, ": %s %.0f</span>", _("events waiting:"), bl[i].v);
	}
	out(&h, "%s</p>", shown ? "" : _("No webhook backlog."));
	out(&h, "<p><small>smsctld %s &middot; ", PACKAGE_VERSION);
	esc(&h, d->cfg->daemon.node_id);
	out(&h, " &middot; %s</small></p></body></html>\n", _("refreshes every 10 seconds"));
	free(mods);
	if (h.oom) {
		free(h.p);
		return NULL;
	}
	*len = h.n;
	return h.p;
}

static char *render_login(bool zh, bool failed, size_t *len)
{
	struct html h = {0};

	out(&h,
	    "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<title>smsctld</title><style>%s</style></head><body>",
	    zh ? "zh-CN" : "en", css);
	out(&h, "<h1>%s</h1>", _("SMS gateway status"));
	if (failed)
		out(&h, "<p class=\"finding\">%s</p>", _("This token is not valid."));
	out(&h,
	    "<form method=\"post\" action=\"/login\"><label>%s "
	    "<input type=\"password\" name=\"token\" autocomplete=\"current-password\"></label> "
	    "<button type=\"submit\">%s</button></form>",
	    _("API token (from /etc/smsctl/api-tokens):"), _("Log in"));
	out(&h, "</body></html>\n");
	if (h.oom) {
		free(h.p);
		return NULL;
	}
	*len = h.n;
	return h.p;
}

/* The smsctl_session cookie's value, when the request carries one. */
static bool cookie_session(const struct smsd_request *req, char *out64)
{
	const char *c = smsd_request_header(req, "Cookie");
	const char *p;

	if (!c)
		return false;
	for (p = c; (p = strstr(p, "smsctl_session=")) != NULL; p++) {
		if (p != c && p[-1] != ' ' && p[-1] != ';')
			continue;
		p += strlen("smsctl_session=");
		size_t len = strcspn(p, "; ");
		if (len != 64)
			return false;
		memcpy(out64, p, 64);
		out64[64] = '\0';
		return true;
	}
	return false;
}

static bool authorised(struct smsd *d, const struct smsd_request *req)
{
	char sid[65];

	if (req->is_unix || req->token_name)
		return true;
	return cookie_session(req, sid) && smsd_metrics_session_valid(d->metrics, sid);
}

static void html_reply(struct smsd_reply *rep, int status, char *page, size_t len)
{
	if (!page) {
		smsd_reply_error(rep, 500, "internal", NULL, "out of memory");
		return;
	}
	rep->status = status;
	rep->raw = page;
	rep->raw_len = len;
	rep->raw_type = "text/html; charset=utf-8";
}

void smsd_page_status(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	bool zh = wants_chinese(smsd_request_header(req, "Accept-Language"));
	locale_t old = (locale_t)0;
	size_t len = 0;
	char *page;

	pthread_once(&i18n_once, i18n_init);
	if (zh && zh_locale)
		old = uselocale(zh_locale);
	bool ok = authorised(d, req);
	pthread_rwlock_rdlock(&d->cfg_lock);
	page = ok ? render_page(d, zh, &len) : render_login(zh, false, &len);
	pthread_rwlock_unlock(&d->cfg_lock);
	if (old)
		uselocale(old);
	html_reply(rep, ok ? 200 : 401, page, len);
}

/* The value of form field `name` in an application/x-www-form-urlencoded body, decoded. */
static bool form_field(const char *body, const char *name, char *outv, size_t size)
{
	size_t nl = strlen(name);

	for (const char *p = body; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		if (strncmp(p, name, nl) != 0 || p[nl] != '=')
			continue;
		size_t n = 0;
		for (const char *s = p + nl + 1; *s && *s != '&'; s++) {
			char c = *s;
			if (c == '+') {
				c = ' ';
			} else if (c == '%') {
				unsigned v;
				if (!s[1] || !s[2] || sscanf(s + 1, "%2x", &v) != 1)
					return false;
				c = (char)v;
				s += 2;
			}
			if (n + 1 >= size)
				return false;
			outv[n++] = c;
		}
		outv[n] = '\0';
		return true;
	}
	return false;
}

void smsd_page_login(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	bool zh = wants_chinese(smsd_request_header(req, "Accept-Language"));
	char token[300], bearer[320];
	unsigned char rnd[32];
	size_t len = 0;

	pthread_once(&i18n_once, i18n_init);
	if (!req->body || !form_field(req->body, "token", token, sizeof(token))) {
		locale_t old = zh && zh_locale ? uselocale(zh_locale) : (locale_t)0;
		char *page = render_login(zh, true, &len);
		if (old)
			uselocale(old);
		html_reply(rep, 400, page, len);
		return;
	}
	snprintf(bearer, sizeof(bearer), "Bearer %s", token);
	bool ok = req->is_unix || smsd_http_token_valid(req, bearer);
	explicit_bzero(token, sizeof(token));
	explicit_bzero(bearer, sizeof(bearer));
	if (!ok || getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		locale_t old = zh && zh_locale ? uselocale(zh_locale) : (locale_t)0;
		char *page = render_login(zh, true, &len);
		if (old)
			uselocale(old);
		html_reply(rep, 401, page, len);
		return;
	}
	char sid[65];
	for (int i = 0; i < 32; i++)
		snprintf(sid + 2 * i, 3, "%02x", rnd[i]);
	explicit_bzero(rnd, sizeof(rnd));
	smsd_metrics_session_add(d->metrics, sid, smsd_wall_ms() + SESSION_MS);
	snprintf(rep->cookie, sizeof(rep->cookie),
		 "smsctl_session=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict", sid,
		 SESSION_MS / 1000);
	explicit_bzero(sid, sizeof(sid));
	snprintf(rep->location, sizeof(rep->location), "/");
	char *body = strdup("");
	html_reply(rep, 303, body, 0);
}
