/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Balance checks and USSD of smsctld (balance.h). */
#include "balance.h"

#include <errno.h>
#include <libintl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/smsctl.h>

#include "api-ext.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "pool/pool-conf.h"
#include "smsctld.h"
#include "storeq.h"

#define _(s) dgettext(GETTEXT_PACKAGE, s)

#define RETRY_MS      (10 * 60 * 1000LL)   /* a query that failed is tried again after this */
#define API_WAIT_MS   60000		   /* how long the API waits for its USSD answer */
#define LOW_REPEAT_MS (24 * 3600 * 1000LL) /* sim.balance_low again while still low */
#define RAW_MAX	      1024
#define CODE_MAX      160

struct smsd_balance {
	struct smsd *d;
	char name[80];
	char *ussd, *sms_number, *sms_text, *regex;
	double low; /* < 0: none */
	int64_t interval, wait;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int64_t next_at; /* monotonic ms of the next query; 0: now */
	/* the last reading */
	bool has;
	double value;
	int64_t at; /* wall ms */
	char raw[RAW_MAX];
	bool is_low;
	int64_t low_event_at;
	unsigned readings;
	/* a query by SMS waiting for its reply */
	bool sms_waiting;
	int64_t sms_deadline;
	/* a USSD request of the API */
	bool req_pending, req_done;
	unsigned req_seq, done_seq;
	char req_code[CODE_MAX + 1];
	int req_rc, req_status, req_dcs;
	char *req_text;
	char iccid[40];
};

/* ---- the registry the API reads ---- */

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct smsd_balance **reg;
static size_t n_reg;

static void reg_add(struct smsd_balance *b)
{
	pthread_mutex_lock(&reg_lock);
	struct smsd_balance **v = realloc(reg, (n_reg + 1) * sizeof(*v));
	if (v) {
		reg = v;
		reg[n_reg++] = b;
	}
	pthread_mutex_unlock(&reg_lock);
}

static void reg_remove(struct smsd_balance *b)
{
	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < n_reg; i++) {
		if (reg[i] == b) {
			reg[i] = reg[--n_reg];
			break;
		}
	}
	if (n_reg == 0) {
		free(reg);
		reg = NULL;
	}
	pthread_mutex_unlock(&reg_lock);
}

/* The object of a modem, with reg_lock held (the caller unlocks). */
static struct smsd_balance *reg_find_locked(const char *name)
{
	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < n_reg; i++)
		if (strcmp(reg[i]->name, name) == 0)
			return reg[i];
	return NULL;
}

/* ---- life ---- */

struct smsd_balance *smsd_balance_new(struct smsd *d, const char *modem,
				      const struct smsd_pool_modem_config *pc)
{
	struct smsd_balance *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->d = d;
	snprintf(b->name, sizeof(b->name), "%s", modem);
	b->low = pc ? pc->balance_low : -1;
	b->interval = pc && pc->balance_interval > 0 ? pc->balance_interval : 6 * 3600 * 1000LL;
	b->wait = pc && pc->balance_wait > 0 ? pc->balance_wait : 2 * 60 * 1000LL;
	if (pc && pc->balance_ussd)
		b->ussd = strdup(pc->balance_ussd);
	if (pc && pc->balance_regex)
		b->regex = strdup(pc->balance_regex);
	if (pc && pc->balance_sms) {
		/* NUMBER TEXT (pool-conf.c checks the blank) */
		const char *sp = strchr(pc->balance_sms, ' ');
		if (sp) {
			b->sms_number = strndup(pc->balance_sms, (size_t)(sp - pc->balance_sms));
			while (*sp == ' ')
				sp++;
			b->sms_text = strdup(sp);
		}
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	reg_add(b);
	return b;
}

void smsd_balance_free(struct smsd_balance *b)
{
	if (!b)
		return;
	reg_remove(b);
	pthread_mutex_lock(&b->lock);
	/* an API request still waiting gets an answer */
	if (b->req_pending) {
		b->req_pending = false;
		b->req_rc = SMSCTL_ERR_GONE;
		b->done_seq = b->req_seq;
		pthread_cond_broadcast(&b->cond);
	}
	pthread_mutex_unlock(&b->lock);
	free(b->ussd);
	free(b->sms_number);
	free(b->sms_text);
	free(b->regex);
	free(b->req_text);
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static bool configured(const struct smsd_balance *b)
{
	return b->ussd || (b->sms_number && b->sms_text);
}

bool smsd_balance_wants_work(struct smsd_balance *b)
{
	bool want;
	int64_t now = smsd_mono_ms();

	if (!b)
		return false;
	pthread_mutex_lock(&b->lock);
	if (b->sms_waiting && now >= b->sms_deadline) {
		b->sms_waiting = false;
		smsd_log(LOG_WARNING, "modem %s: no balance reply from %s within %lld s", b->name,
			 b->sms_number, (long long)(b->wait / 1000));
	}
	want = b->req_pending ||
	       (configured(b) && !b->sms_waiting && (b->next_at == 0 || now >= b->next_at));
	pthread_mutex_unlock(&b->lock);
	return want;
}

/* ---- readings and the event ---- */

struct event_job {
	char *modem, *payload;
};

static int run_event(struct store *st, void *arg)
{
	struct event_job *e = arg;
	return store_event_add(st, "sim.balance_low", NULL, e->modem, e->payload, NULL);
}

static void event_done(void *arg, int rc)
{
	struct event_job *e = arg;
	if (rc < 0)
		smsd_log(LOG_ERR, "modem %s: event sim.balance_low not stored: %s", e->modem,
			 store_strerror(rc));
	free(e->modem);
	free(e->payload);
	free(e);
}

static void emit_low(struct smsd_balance *b, double value, const char *raw)
{
	json_t *data = json_pack("{s:s, s:o, s:f, s:f, s:s}", "modem", b->name, "sim_iccid",
				 b->iccid[0] ? json_string(b->iccid) : json_null(), "balance",
				 value, "threshold", b->low, "raw", raw);
	struct event_job *e = calloc(1, sizeof(*e));

	if (!data || !e) {
		json_decref(data);
		free(e);
		return;
	}
	e->modem = strdup(b->name);
	e->payload = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	if (!e->modem || !e->payload ||
	    smsd_storeq_submit(b->d->storeq, run_event, event_done, e) < 0)
		event_done(e, STORE_ERR_NOMEM);
}

/* An operator's answer arrived: the amount, the state, the event. Called without the lock. */
static void reading(struct smsd_balance *b, const char *text)
{
	double v;
	int rc = smsctl_balance_parse(text, b->regex, &v);
	bool fire = false;

	pthread_mutex_lock(&b->lock);
	snprintf(b->raw, sizeof(b->raw), "%s", text);
	if (rc < 0) {
		pthread_mutex_unlock(&b->lock);
		smsd_log(LOG_WARNING, "modem %s: no amount in the balance answer (%s): %.200s",
			 b->name, smsctl_error_name(rc), text);
		return;
	}
	int64_t now = smsd_wall_ms();
	b->has = true;
	b->value = v;
	b->at = now;
	b->readings++;
	bool low = b->low >= 0 && v < b->low;
	if (low && (!b->is_low || now - b->low_event_at >= LOW_REPEAT_MS)) {
		fire = true;
		b->low_event_at = now;
	}
	b->is_low = low;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	smsd_log(low ? LOG_WARNING : LOG_INFO, "modem %s: balance %.2f%s", b->name, v,
		 low ? " (below balance_low)" : "");
	if (fire)
		emit_low(b, v, text);
}

bool smsd_balance_take_sms(struct smsd_balance *b, const char *sender, const char *text)
{
	if (!b || !sender)
		return false;
	pthread_mutex_lock(&b->lock);
	const char *want = b->sms_number ? b->sms_number : "";
	const char *got = sender;
	if (*want == '+')
		want++;
	if (*got == '+')
		got++;
	bool mine = b->sms_waiting && *want && strcmp(want, got) == 0;
	if (mine)
		b->sms_waiting = false;
	pthread_mutex_unlock(&b->lock);
	if (mine)
		reading(b, text ? text : "");
	return mine;
}

/* ---- the worker ---- */

static void api_request(struct smsd_balance *b, struct smsctl_modem *m)
{
	struct smsctl_ussd *u = NULL;
	char code[CODE_MAX + 1];

	pthread_mutex_lock(&b->lock);
	snprintf(code, sizeof(code), "%s", b->req_code);
	unsigned seq = b->req_seq;
	b->req_pending = false;
	pthread_mutex_unlock(&b->lock);

	int rc = smsctl_ussd_send(m, code, 0, &u);

	pthread_mutex_lock(&b->lock);
	free(b->req_text);
	b->req_text = rc == 0 ? strdup(smsctl_ussd_get_text(u)) : NULL;
	b->req_rc = rc == 0 && !b->req_text ? SMSCTL_ERR_NOMEM : rc;
	b->req_status = rc == 0 ? smsctl_ussd_get_status(u) : -1;
	b->req_dcs = rc == 0 ? smsctl_ussd_get_dcs(u) : -1;
	b->done_seq = seq;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	smsctl_ussd_free(u);
}

void smsd_balance_work(struct smsd_balance *b, struct smsctl_modem *m, const char *iccid)
{
	int64_t now = smsd_mono_ms();

	if (!b || !m)
		return;
	pthread_mutex_lock(&b->lock);
	snprintf(b->iccid, sizeof(b->iccid), "%s", iccid ? iccid : "");
	bool api = b->req_pending;
	pthread_mutex_unlock(&b->lock);
	if (api) {
		api_request(b, m);
		return;
	}
	if (b->ussd) {
		struct smsctl_ussd *u = NULL;
		int rc = smsctl_ussd_send(m, b->ussd, 0, &u);
		bool ok = rc == 0 && *smsctl_ussd_get_text(u) &&
			  smsctl_ussd_get_status(u) != SMSCTL_USSD_NOT_SUPPORTED;
		if (ok)
			reading(b, smsctl_ussd_get_text(u));
		else
			smsd_log(LOG_WARNING, "modem %s: the balance query %s got %s%s", b->name,
				 b->ussd, rc < 0 ? smsctl_error_name(rc) : "+CUSD: ",
				 rc < 0 ? ""
				 : smsctl_ussd_get_status(u) == SMSCTL_USSD_NOT_SUPPORTED
				     ? "4 (not supported)"
				     : "no text");
		smsctl_ussd_free(u);
		pthread_mutex_lock(&b->lock);
		b->next_at =
		    now + (ok ? b->interval : (b->interval < RETRY_MS ? b->interval : RETRY_MS));
		pthread_cond_broadcast(&b->cond);
		pthread_mutex_unlock(&b->lock);
		return;
	}
	if (b->sms_number && b->sms_text) {
		struct smsctl_send_result *res = NULL;
		/* wait for the reply from the moment the request is handed over */
		pthread_mutex_lock(&b->lock);
		b->sms_waiting = true;
		b->sms_deadline = now + b->wait;
		b->next_at = now + b->interval;
		pthread_mutex_unlock(&b->lock);
		int rc = smsctl_sms_send(m, b->sms_number, b->sms_text, NULL, &res);
		smsctl_send_result_free(res);
		if (rc < 0) {
			smsd_log(LOG_WARNING, "modem %s: the balance SMS to %s failed: %s", b->name,
				 b->sms_number, smsctl_strerror(rc));
			pthread_mutex_lock(&b->lock);
			b->sms_waiting = false;
			b->next_at = now + (b->interval < RETRY_MS ? b->interval : RETRY_MS);
			pthread_cond_broadcast(&b->cond);
			pthread_mutex_unlock(&b->lock);
		}
	}
}

/* ---- API ---- */

bool smsd_balance_last(const char *modem, double *value, int64_t *at_ms)
{
	struct smsd_balance *b = reg_find_locked(modem);
	bool has = false;

	if (b) {
		pthread_mutex_lock(&b->lock);
		has = b->has;
		*value = b->value;
		*at_ms = b->at;
		pthread_mutex_unlock(&b->lock);
	}
	pthread_mutex_unlock(&reg_lock);
	return has;
}

void smsd_balance_api_fields(const char *modem, json_t *obj)
{
	struct smsd_balance *b = reg_find_locked(modem);

	if (!b) {
		pthread_mutex_unlock(&reg_lock);
		json_object_set_new(obj, "balance", json_null());
		json_object_set_new(obj, "balance_at", json_null());
		return;
	}
	pthread_mutex_lock(&b->lock);
	json_object_set_new(obj, "balance", b->has ? json_real(b->value) : json_null());
	json_object_set_new(obj, "balance_at", b->has ? json_time(b->at) : json_null());
	if (b->has && b->is_low) {
		json_t *f = json_object_get(obj, "findings");
		char summary[256], remedy[256];
		if (!json_is_array(f)) {
			f = json_array();
			json_object_set_new(obj, "findings", f);
		}
		snprintf(summary, sizeof(summary),
			 _("The SIM's balance is %.2f, below the configured %.2f."), b->value,
			 b->low);
		snprintf(remedy, sizeof(remedy), "%s",
			 _("Top up the SIM's prepaid credit before it runs out."));
		json_array_append_new(f, json_pack("{s:s, s:s, s:s, s:s}", "id", "sim.balance_low",
						   "severity", "warning", "summary", summary,
						   "remedy", remedy));
	}
	pthread_mutex_unlock(&b->lock);
	pthread_mutex_unlock(&reg_lock);
}

static struct timespec deadline_in(int64_t ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static bool code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || s[i] == '"')
			return false;
	return true;
}

void smsd_balance_api_ussd(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	json_t *body = smsd_api_body(req, rep), *code;

	if (!body)
		return;
	code = json_object_get(body, "code");
	const char *unknown = NULL, *k;
	json_t *v;
	json_object_foreach(body, k, v)
	{
		if (strcmp(k, "code") != 0)
			unknown = k;
	}
	if (unknown) {
		smsd_reply_error(rep, 400, "invalid_field", unknown, "unknown field %.60s",
				 unknown);
		json_decref(body);
		return;
	}
	if (!json_is_string(code) || !code_ok(json_string_value(code))) {
		smsd_reply_error(rep, 400, "invalid_field", "code",
				 "code must be 1 to 160 printable ASCII characters without '\"'");
		json_decref(body);
		return;
	}
	struct smsd_balance *b = reg_find_locked(req->params[0]);
	if (!b) {
		pthread_mutex_unlock(&reg_lock);
		smsd_reply_error(rep, 404, "not_found", NULL, "no modem named %.80s",
				 req->params[0]);
		json_decref(body);
		return;
	}
	pthread_mutex_lock(&b->lock);
	pthread_mutex_unlock(&reg_lock); /* b lives while its modem does; see below */
	if (b->req_pending) {
		pthread_mutex_unlock(&b->lock);
		smsd_reply_error(rep, 409, "busy", NULL, "a USSD request on %.80s is running",
				 req->params[0]);
		rep->retry_after = 5;
		json_decref(body);
		return;
	}
	snprintf(b->req_code, sizeof(b->req_code), "%s", json_string_value(code));
	unsigned seq = ++b->req_seq;
	b->req_pending = true;
	smsd_wake(d);
	struct timespec until = deadline_in(API_WAIT_MS);
	int w = 0;
	while (b->done_seq != seq && w != ETIMEDOUT)
		w = pthread_cond_timedwait(&b->cond, &b->lock, &until);
	if (b->done_seq != seq) {
		b->req_pending = false;
		pthread_mutex_unlock(&b->lock);
		smsd_reply_error(rep, 504, "modem_timeout", NULL,
				 "the modem %.80s did not run the request within %d s",
				 req->params[0], API_WAIT_MS / 1000);
		json_decref(body);
		return;
	}
	int rc = b->req_rc;
	if (rc == 0) {
		rep->status = 200;
		rep->body = json_pack("{s:O, s:i, s:s, s:o}", "code", code, "status", b->req_status,
				      "text", b->req_text ? b->req_text : "", "dcs",
				      b->req_dcs >= 0 ? json_integer(b->req_dcs) : json_null());
	} else if (rc == SMSCTL_ERR_TIMEOUT) {
		smsd_reply_error(rep, 504, "ussd_timeout", NULL, "no USSD answer from the network");
	} else {
		smsd_reply_error(rep, 502, "modem_error", NULL, "the modem refused it: %s",
				 smsctl_strerror(rc));
	}
	pthread_mutex_unlock(&b->lock);
	json_decref(body);
}

void smsd_balance_api_run(void *app, const struct smsd_request *req, struct smsd_reply *rep)
{
	struct smsd *d = app;
	struct smsd_balance *b = reg_find_locked(req->params[0]);

	if (!b) {
		pthread_mutex_unlock(&reg_lock);
		smsd_reply_error(rep, 404, "not_found", NULL, "no modem named %.80s",
				 req->params[0]);
		return;
	}
	pthread_mutex_lock(&b->lock);
	pthread_mutex_unlock(&reg_lock);
	if (!configured(b)) {
		pthread_mutex_unlock(&b->lock);
		smsd_reply_error(rep, 422, "no_balance_query", NULL,
				 "modem %.80s has neither balance_ussd nor balance_sms",
				 req->params[0]);
		return;
	}
	unsigned before = b->readings;
	int64_t wait_ms = (b->ussd ? API_WAIT_MS : b->wait + API_WAIT_MS);
	b->next_at = 0;
	smsd_wake(d);
	struct timespec until = deadline_in(wait_ms);
	int w = 0;
	/* until a new reading, or the query ended without one (next_at set again) */
	while (b->readings == before && w != ETIMEDOUT && (b->next_at == 0 || b->sms_waiting))
		w = pthread_cond_timedwait(&b->cond, &b->lock, &until);
	if (b->readings == before) {
		pthread_mutex_unlock(&b->lock);
		smsd_reply_error(rep, 504, "balance_unavailable", NULL,
				 "no balance reading from %.80s", req->params[0]);
		return;
	}
	rep->status = 200;
	rep->body = json_pack("{s:s, s:f, s:o, s:b, s:s}", "name", b->name, "balance", b->value,
			      "balance_at", json_time(b->at), "low", b->is_low, "raw", b->raw);
	pthread_mutex_unlock(&b->lock);
}
