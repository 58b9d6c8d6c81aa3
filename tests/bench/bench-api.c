/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/api (issue 16): an open-loop load generator for POST /v1/messages. Requests are
 * scheduled at a fixed rate whatever the daemon answers; each latency is measured from the
 * request's SCHEDULED time to its answer, so queueing (in the generator or the daemon) is
 * not hidden. Prints p50/p90/p99/max and the accepted rate.
 *
 * Usage: bench-api SOCKET RATE SECONDS [LABEL]
 *   SOCKET  smsctld's Unix socket (its HTTP API)
 *   RATE    submits per second; SECONDS how long
 * Exit 0 whatever the figures (a benchmark reports, it does not judge), 1 on a usage error.
 */
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_IN_FLIGHT 2000

struct req {
	CURL *easy;
	double scheduled; /* seconds, monotonic */
	char body[192];
	long status;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bench-api SOCKET RATE SECONDS [LABEL]\n");
		return 1;
	}
	const char *sock = argv[1], *label = argc > 4 ? argv[4] : "api";
	double rate = atof(argv[2]), secs = atof(argv[3]);
	if (rate <= 0 || secs <= 0) {
		fprintf(stderr, "bench-api: RATE and SECONDS are positive\n");
		return 1;
	}
	size_t total = (size_t)(rate * secs), sent = 0, done = 0, accepted = 0, refused = 0;
	size_t in_flight = 0, late_starts = 0;
	double *lat = calloc(total ? total : 1, sizeof(*lat));
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	CURLM *multi;
	unsigned seed = (unsigned)time(NULL);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	multi = curl_multi_init();
	if (!lat || !hdr || !multi)
		return 1;
	double t0 = now_s() + 0.05;
	while (done < total) {
		double now = now_s();
		/* start every request whose time has come (open loop: the schedule never waits) */
		while (sent < total && t0 + (double)sent / rate <= now) {
			if (in_flight >= MAX_IN_FLIGHT) {
				late_starts++;
				break;
			}
			struct req *r = calloc(1, sizeof(*r));
			r->scheduled = t0 + (double)sent / rate;
			snprintf(r->body, sizeof(r->body),
				 "{\"to\":\"+86139%08zu\",\"text\":\"bench %s %zu %u\"}",
				 sent % 100000000, label, sent, seed);
			r->easy = curl_easy_init();
			curl_easy_setopt(r->easy, CURLOPT_UNIX_SOCKET_PATH, sock);
			curl_easy_setopt(r->easy, CURLOPT_URL, "http://smsctld/v1/messages");
			curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, hdr);
			curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body);
			curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, discard);
			curl_easy_setopt(r->easy, CURLOPT_PRIVATE, (char *)r);
			curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, 30L);
			curl_multi_add_handle(multi, r->easy);
			sent++;
			in_flight++;
		}
		int running = 0, left;
		curl_multi_perform(multi, &running);
		CURLMsg *m;
		while ((m = curl_multi_info_read(multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct req *r = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
			curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &r->status);
			lat[done++] = now_s() - r->scheduled;
			if (m->data.result == CURLE_OK && r->status == 202)
				accepted++;
			else
				refused++;
			curl_multi_remove_handle(multi, r->easy);
			curl_easy_cleanup(r->easy);
			free(r);
			in_flight--;
		}
		double next = sent < total ? t0 + (double)sent / rate - now_s() : 0.01;
		int wait_ms = next > 0 ? (int)(next * 1000) : 0;
		if (wait_ms > 10)
			wait_ms = 10;
		curl_multi_poll(multi, NULL, 0, wait_ms, NULL);
	}
	double elapsed = now_s() - t0;
	qsort(lat, done, sizeof(*lat), cmp);
#define P(q) (lat[(size_t)((double)(done - 1) * (q))] * 1000)
	printf("bench-api %s: offered %.0f/s for %.0f s: %zu submits, %zu accepted (%.0f/s), "
	       "%zu refused\n",
	       label, rate, secs, done, accepted, (double)accepted / elapsed, refused);
	printf("bench-api %s: latency from the scheduled time: p50 %.2f ms, p90 %.2f ms, "
	       "p99 %.2f ms, max %.2f ms%s\n",
	       label, P(0.50), P(0.90), P(0.99), lat[done - 1] * 1000,
	       late_starts ? " (the generator hit its in-flight limit)" : "");
	curl_multi_cleanup(multi);
	curl_slist_free_all(hdr);
	free(lat);
	curl_global_cleanup();
	return 0;
}
