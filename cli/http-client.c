/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "http-client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "config.h"

/* Largest answer read (a page of 500 messages fits many times). */
#define MAX_ANSWER (16 * 1024 * 1024)

struct buf {
	char *data;
	size_t len;
	int too_large;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buf *b = userdata;
	size_t n = size * nmemb;

	if (b->len + n > MAX_ANSWER) {
		b->too_large = 1;
		return 0;
	}
	char *d = realloc(b->data, b->len + n + 1);
	if (!d)
		return 0;
	memcpy(d + b->len, ptr, n);
	b->data = d;
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

char *cli_http_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *copy;

	if (!e)
		return NULL;
	copy = strdup(e);
	curl_free(e);
	return copy;
}

int cli_http_request(const char *server, const char *token, const char *method, const char *path,
		     const char *body, struct cli_http_reply *out, char *err, size_t errlen)
{
	struct curl_slist *hdr = NULL;
	struct buf b = {0};
	char url[2048], auth[600];
	CURLcode cc;
	CURL *c;
	int rc = -1;

	out->status = 0;
	out->body = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(c = curl_easy_init())) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return -1;
	}
	if (strncmp(server, "unix:", 5) == 0) {
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, server + 5);
		snprintf(url, sizeof(url), "http://localhost%s", path);
	} else {
		size_t n = strlen(server);
		while (n && server[n - 1] == '/')
			n--;
		snprintf(url, sizeof(url), "%.*s%s", (int)n, server, path);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "smsctl/" PACKAGE_VERSION);
	if (token && *token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		hdr = curl_slist_append(hdr, auth);
		explicit_bzero(auth, sizeof(auth));
	}
	if (body) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	hdr = curl_slist_append(hdr, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK && !b.too_large) {
		snprintf(err, errlen, "%s: %s", server, curl_easy_strerror(cc));
	} else if (b.too_large) {
		snprintf(err, errlen, "%s: the answer is larger than %d bytes", server, MAX_ANSWER);
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
		out->body = b.data ? json_loads(b.data, 0, NULL) : NULL;
		rc = 0;
	}
	free(b.data);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return rc;
}
