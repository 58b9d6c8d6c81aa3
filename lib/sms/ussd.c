/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * USSD (3GPP TS 27.007 7.15): AT+CUSD=1,"CODE",15 and the network's +CUSD: answer. The answer
 * is an unsolicited result after the command's OK on most modems, a response line before it on
 * some (python-gsmmodem test_modem.py, "non-standard behaviour"); both are taken. Statuses 2
 * (terminated by the network) and 4 (not supported) are answers; silence ends at the caller's
 * timeout and the request is cancelled, so nothing hangs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/error.h>
#include <smsctl/sms.h>
#include <smsctl/ussd.h>

#include "i18n.h"
#include "pdu/ussd.h"
#include "sms/internal.h"

#define USSD_CODE_MAX	 160
#define USSD_TIMEOUT_MS	 30000u
#define USSD_TIMEOUT_MAX 600000u
#define USSD_GRACE_MS	 700 /* after a status 2 or 3 with text, for the answer behind it */
#define USSD_CANCEL_MS	 5000
#define USSD_TEXT_MAX	 (PARSE_USSD_MAX * 3 + 1)
#define USSD_MAX_ANSWERS 8

struct smsctl_ussd {
	int status, dcs;
	char *text, *raw;
};

/* Per handle: whether a session may still be open. */
struct ussd_session {
	bool open;
};
static const char session_key;

/* What the handler collected while a request runs. */
struct ussd_wait {
	char *lines[USSD_MAX_ANSWERS];
	size_t n;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void on_cusd(void *userdata, const char *line, const char *pdu)
{
	struct ussd_wait *w = userdata;
	(void)pdu;
	if (w->n < USSD_MAX_ANSWERS && line) {
		w->lines[w->n] = strdup(line);
		if (w->lines[w->n])
			w->n++;
	}
}

static struct ussd_session *session_get(struct smsctl_modem *m)
{
	struct ussd_session *s = smsctl_modem_get_data(m, &session_key);
	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (s && smsctl_modem_set_data(m, &session_key, s, free) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

SMSCTL_API void smsctl_ussd_free(struct smsctl_ussd *u)
{
	if (!u)
		return;
	free(u->text);
	free(u->raw);
	free(u);
}

SMSCTL_API int smsctl_ussd_get_status(const struct smsctl_ussd *u)
{
	return u ? u->status : -1;
}

SMSCTL_API const char *smsctl_ussd_get_text(const struct smsctl_ussd *u)
{
	return u && u->text ? u->text : "";
}

SMSCTL_API int smsctl_ussd_get_dcs(const struct smsctl_ussd *u)
{
	return u ? u->dcs : -1;
}

SMSCTL_API const char *smsctl_ussd_get_raw(const struct smsctl_ussd *u)
{
	return u && u->raw ? u->raw : "";
}

SMSCTL_API int smsctl_ussd_decode(const char *str, int dcs, const char *cscs, char **out)
{
	char *buf;
	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (!str)
		return SMSCTL_ERR_INVALID;
	size_t len = strnlen(str, PARSE_USSD_MAX);
	buf = malloc(len * 3 + 4);
	if (!buf)
		return SMSCTL_ERR_NOMEM;
	pdu_ussd_decode(str, len, dcs, cscs, buf, len * 3 + 4);
	*out = buf;
	return 0;
}

static bool code_ok(const char *code)
{
	size_t n = 0;
	for (; code[n]; n++) {
		unsigned char ch = (unsigned char)code[n];
		if (n >= USSD_CODE_MAX || ch < 0x20 || ch > 0x7e || ch == '"')
			return false;
	}
	return n > 0;
}

/* The TE character set, "" when the modem does not say. */
static void read_cscs(struct smsctl_modem *m, char *cs, size_t size)
{
	struct smsctl_response *r = NULL;
	cs[0] = '\0';
	if (smsctl_modem_command(m, "AT+CSCS?", 0, &r) == 0) {
		const char *l = sms_find_line(r, "+CSCS:");
		const char *q = l ? strchr(l, '"') : NULL;
		if (q) {
			size_t k = strcspn(q + 1, "\"");
			if (k < size)
				snprintf(cs, size, "%.*s", (int)k, q + 1);
		}
	}
	smsctl_response_free(r);
}

/* Build the answer from a +CUSD line (possibly several joined with LF). 1 when it is one. */
static int make_answer(const char *raw, const char *cscs, struct smsctl_ussd **out)
{
	struct at_cusd *c = malloc(sizeof(*c));
	struct smsctl_ussd *u;
	int r;

	if (!c)
		return SMSCTL_ERR_NOMEM;
	r = parse_cusd(raw, c);
	if (r < 0) {
		free(c);
		return r == SMSCTL_ERR_NOMEM ? r : 0;
	}
	u = calloc(1, sizeof(*u));
	if (!u) {
		free(c);
		return SMSCTL_ERR_NOMEM;
	}
	u->status = c->m;
	u->dcs = c->dcs;
	u->raw = strdup(raw);
	u->text = malloc(USSD_TEXT_MAX);
	if (!u->raw || !u->text) {
		free(c);
		smsctl_ussd_free(u);
		return SMSCTL_ERR_NOMEM;
	}
	u->text[0] = '\0';
	if (c->has_str)
		pdu_ussd_decode(c->str, strlen(c->str), c->dcs, cscs, u->text, USSD_TEXT_MAX);
	free(c);
	*out = u;
	return 1;
}

/* The +CUSD line among a response's lines, with the lines of a text broken over several. */
static char *answer_in_response(const struct smsctl_response *r)
{
	size_t n = smsctl_response_get_line_count(r);
	for (size_t i = 0; i < n; i++) {
		const char *l = smsctl_response_get_line(r, i);
		if (!l || !parse_has_prefix(l, "+CUSD:"))
			continue;
		size_t cap = strlen(l) + 1, len = strlen(l);
		char *joined = malloc(cap);
		if (!joined)
			return NULL;
		memcpy(joined, l, len + 1);
		/* An odd number of quotes: the text goes on over the next lines. */
		size_t quotes = 0;
		for (const char *p = l; *p; p++)
			quotes += *p == '"';
		for (size_t k = i + 1; quotes % 2 == 1 && k < n; k++) {
			const char *more = smsctl_response_get_line(r, k);
			size_t ml = more ? strlen(more) : 0;
			if (len + ml + 2 > PARSE_USSD_MAX + 64)
				break;
			char *p = realloc(joined, len + ml + 2);
			if (!p)
				break;
			joined = p;
			joined[len++] = '\n';
			memcpy(joined + len, more ? more : "", ml + 1);
			len += ml;
			for (size_t j = 0; j < ml; j++)
				quotes += more[j] == '"';
		}
		return joined;
	}
	return NULL;
}

SMSCTL_API int smsctl_ussd_cancel(struct smsctl_modem *m)
{
	struct ussd_session *s;
	int rc;
	if (!m)
		return SMSCTL_ERR_INVALID;
	rc = smsctl_modem_command(m, "AT+CUSD=2", USSD_CANCEL_MS, NULL);
	s = session_get(m);
	if (s)
		s->open = false;
	return rc == SMSCTL_ERR_MODEM ? 0 : rc; /* ERROR: no session was open */
}

static void wait_free(struct ussd_wait *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->lines[i]);
	w->n = 0;
}

/* Whether an answer is final (a 2 or 3 with text may be followed by the real one). */
static bool is_final(const struct smsctl_ussd *u)
{
	return !((u->status == 2 || u->status == 3) && u->text && u->text[0]);
}

SMSCTL_API int smsctl_ussd_send(struct smsctl_modem *m, const char *code, unsigned timeout_ms,
				struct smsctl_ussd **out)
{
	struct ussd_wait w = {{NULL}, 0};
	struct smsctl_response *r = NULL;
	struct smsctl_ussd *best = NULL;
	struct sms_state *st;
	struct ussd_session *sess;
	char cmd[USSD_CODE_MAX + 32], cscs[16];
	int rc, id;

	if (out)
		*out = NULL;
	if (!m || !code || !out || !code_ok(code) || timeout_ms > USSD_TIMEOUT_MAX)
		return SMSCTL_ERR_INVALID;
	if (timeout_ms == 0)
		timeout_ms = USSD_TIMEOUT_MS;
	st = sms_state_get(m);
	sess = session_get(m);
	if (!st || !sess)
		return SMSCTL_ERR_NOMEM;
	rc = sms_basic_init(m, st);
	if (rc < 0)
		return rc;
	if (sess->open) {
		rc = smsctl_ussd_cancel(m);
		if (rc == SMSCTL_ERR_GONE || rc == SMSCTL_ERR_IO)
			return rc;
	}
	read_cscs(m, cscs, sizeof(cscs));
	id = smsctl_modem_add_urc_handler(m, "+CUSD:", false, on_cusd, &w);
	if (id < 0)
		return id;
	snprintf(cmd, sizeof(cmd), "AT+CUSD=1,\"%s\",15", code);
	rc = smsctl_modem_command(m, cmd, 0, &r);
	if (rc == SMSCTL_ERR_MODEM) {
		sms_set_detail(st, _("the modem refused the USSD request: %s"),
			       r ? smsctl_response_get_final(r) : "ERROR");
		goto done;
	}
	if (rc < 0)
		goto done;
	sess->open = true;
	char *in = answer_in_response(r);
	if (in) {
		rc = make_answer(in, cscs, &best);
		free(in);
		if (rc < 0)
			goto done;
	}
	uint64_t deadline = now_ms() + timeout_ms, grace = 0;
	size_t seen = 0;
	for (;;) {
		for (; seen < w.n; seen++) {
			struct smsctl_ussd *u = NULL;
			rc = make_answer(w.lines[seen], cscs, &u);
			if (rc < 0)
				goto done;
			if (rc == 1 && (!best || !is_final(best))) {
				smsctl_ussd_free(best);
				best = u;
			} else {
				smsctl_ussd_free(u);
			}
		}
		if (best && is_final(best))
			break;
		uint64_t now = now_ms();
		if (best && !grace)
			grace = now + USSD_GRACE_MS < deadline ? now + USSD_GRACE_MS : deadline;
		uint64_t until = grace ? grace : deadline;
		if (now >= until)
			break;
		rc = smsctl_modem_wait(m, (int)(until - now));
		if (rc < 0)
			goto done;
	}
	if (!best) {
		sms_set_detail(st, _("no USSD answer within %u ms"), timeout_ms);
		smsctl_ussd_cancel(m);
		rc = SMSCTL_ERR_TIMEOUT;
		goto done;
	}
	sess->open = best->status == SMSCTL_USSD_ACTION;
	*out = best;
	best = NULL;
	rc = 0;
done:
	smsctl_modem_remove_urc_handler(m, id);
	smsctl_response_free(r);
	smsctl_ussd_free(best);
	wait_free(&w);
	return rc;
}

SMSCTL_API int smsctl_balance_parse(const char *text, const char *regex, double *amount)
{
	return parse_amount(text, regex, amount);
}
