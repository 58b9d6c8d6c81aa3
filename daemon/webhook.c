/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One webhook attempt (issue 16): a POST of the event's body with libcurl, signed with
 * HMAC-SHA256 (OpenSSL libcrypto). Headers: X-Smsctl-Event, X-Smsctl-Event-Id,
 * X-Smsctl-Delivery-Attempt (1, 2, ...), X-Smsctl-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "t.body">, User-Agent: smsctld/VERSION. A 2xx is success; network errors,
 * timeouts, 408, 429 and 5xx are retried; another answer is final (dead).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "api-ext.h"
#include "config.h" /* PACKAGE_VERSION */
#include "notify.h"

static char *json_text(const char *s)
{
	json_t *j = s ? json_string(s) : json_null();
	char *t = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

	json_decref(j);
	return t;
}

char *smsd_event_body(const struct store_event *ev, const char *node, const char *inbox_data)
{
	char *id = json_text(ev->id), *type = json_text(ev->type), *nd = json_text(node);
	json_t *created = json_time(ev->created_at);
	char *at = json_dumps(created, JSON_COMPACT | JSON_ENCODE_ANY), *data = NULL, *out = NULL;

	json_decref(created);
	if (inbox_data) {
		data = strdup(inbox_data);
	} else {
		/* the payload as committed, with the message (or modem) it is about first */
		json_t *p = ev->payload ? json_loads(ev->payload, 0, NULL) : NULL;
		json_t *o = json_object();
		if (ev->message_id && !json_object_get(p, "message_id"))
			json_object_set_new(o, "message_id", json_string(ev->message_id));
		if (ev->modem && !json_object_get(p, "modem"))
			json_object_set_new(o, "modem", json_string(ev->modem));
		if (json_is_object(p))
			json_object_update(o, p);
		data = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		json_decref(p);
	}
	if (id && type && nd && at && data) {
		size_t len =
		    strlen(id) + strlen(type) + strlen(nd) + strlen(at) + strlen(data) + 64;
		out = malloc(len);
		if (out)
			snprintf(
			    out, len,
			    "{\"id\":%s,\"type\":%s,\"created_at\":%s,\"node\":%s,\"data\":%s}", id,
			    type, at, nd, data);
	}
	free(id);
	free(type);
	free(nd);
	free(at);
	free(data);
	return out;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct smsd_attempt *a = userdata;
	size_t n = size * nmemb, room = sizeof(a->resp) - 1 - a->resp_len;

	memcpy(a->resp + a->resp_len, ptr, n < room ? n : room);
	a->resp_len += n < room ? n : room;
	a->resp[a->resp_len] = '\0';
	return n;
}

static struct curl_slist *add(struct curl_slist *l, bool *oom, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static struct curl_slist *add(struct curl_slist *l, bool *oom, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	struct curl_slist *n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = curl_slist_append(l, line);
	if (!n) {
		*oom = true;
		return l;
	}
	return n;
}

int smsd_webhook_begin(CURLM *multi, struct smsd_attempt *a, const struct smsd_sub_config *sc,
		       const char *secret, const char *event_type)
{
	struct curl_slist *h = NULL;
	bool oom = !a->body;

	h = add(h, &oom, "Content-Type: application/json");
	h = add(h, &oom, "Expect:");
	h = add(h, &oom, "X-Smsctl-Event: %s", event_type ? event_type : "");
	h = add(h, &oom, "X-Smsctl-Event-Id: %s", a->event_id);
	h = add(h, &oom, "X-Smsctl-Delivery-Attempt: %d", a->attempts + 1);
	if (secret && a->body) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		char t[24], hex[2 * EVP_MAX_MD_SIZE + 1];
		snprintf(t, sizeof(t), "%lld", (long long)time(NULL));
		size_t tl = strlen(t), bl = strlen(a->body);
		char *msg = malloc(tl + 1 + bl);
		if (msg) {
			memcpy(msg, t, tl);
			msg[tl] = '.';
			memcpy(msg + tl + 1, a->body, bl);
			HMAC(EVP_sha256(), secret, (int)strlen(secret), (unsigned char *)msg,
			     tl + 1 + bl, md, &mdlen);
			free(msg);
			for (unsigned int i = 0; i < mdlen; i++)
				snprintf(hex + 2 * i, 3, "%02x", md[i]);
			h = add(h, &oom, "X-Smsctl-Signature: t=%s,v1=%s", t, hex);
		} else {
			oom = true;
		}
	}
	a->headers = h;
	a->easy = oom ? NULL : curl_easy_init();
	if (!a->easy) {
		snprintf(a->error, sizeof(a->error), "out of memory");
		curl_slist_free_all(a->headers);
		a->headers = NULL;
		return -1;
	}
	curl_easy_setopt(a->easy, CURLOPT_URL, sc->target);
	curl_easy_setopt(a->easy, CURLOPT_HTTPHEADER, a->headers);
	curl_easy_setopt(a->easy, CURLOPT_POSTFIELDS, a->body);
	curl_easy_setopt(a->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(a->body));
	curl_easy_setopt(a->easy, CURLOPT_USERAGENT, "smsctld/" PACKAGE_VERSION);
	curl_easy_setopt(a->easy, CURLOPT_TIMEOUT_MS, (long)sc->timeout);
	curl_easy_setopt(a->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)sc->timeout);
	curl_easy_setopt(a->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(a->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(a->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(a->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(a->easy, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(a->easy, CURLOPT_PRIVATE, (char *)a);
	if (curl_multi_add_handle(multi, a->easy) != CURLM_OK) {
		snprintf(a->error, sizeof(a->error), "cannot start the request");
		curl_easy_cleanup(a->easy);
		curl_slist_free_all(a->headers);
		a->easy = NULL;
		a->headers = NULL;
		return -1;
	}
	return 0;
}

void smsd_webhook_end(CURLM *multi, struct smsd_attempt *a, CURLcode code)
{
	long status = 0;

	curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &status);
	if (code != CURLE_OK) {
		a->result = SMSD_ATTEMPT_RETRY;
		snprintf(a->error, sizeof(a->error), "%s", curl_easy_strerror(code));
	} else {
		a->status = (int)status;
		if (status >= 200 && status < 300)
			a->result = SMSD_ATTEMPT_OK;
		else if (status == 408 || status == 429 || status >= 500 || status < 200)
			a->result = SMSD_ATTEMPT_RETRY;
		else
			a->result = SMSD_ATTEMPT_PERMANENT;
		if (a->result != SMSD_ATTEMPT_OK) {
			/* the answer's first line, printable bytes only */
			for (size_t i = 0; i < a->resp_len; i++)
				if ((unsigned char)a->resp[i] < 0x20)
					a->resp[i] = ' ';
			snprintf(a->error, sizeof(a->error), "HTTP %ld%s%.120s", status,
				 a->resp_len ? ": " : "", a->resp);
		}
	}
	curl_multi_remove_handle(multi, a->easy);
	curl_easy_cleanup(a->easy);
	curl_slist_free_all(a->headers);
	a->easy = NULL;
	a->headers = NULL;
}
