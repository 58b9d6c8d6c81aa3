/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-pdu: single-threaded PDU encode and decode throughput on the workloads of issue 3.
 * Prints one line per figure: "pdu encode gsm7-160 123456 msg/s". Encode is the text to every
 * part's SMSC-prefixed PDU bytes; decode is every part's bytes back to the whole text
 * (reassembled when there are several parts). Uses the public API only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/smsctl.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *repeat(const char *s, size_t times, size_t max_chars_ascii)
{
	size_t l = strlen(s);
	char *t = malloc(l * times + 1);

	if (!t)
		exit(1);
	for (size_t i = 0; i < times; i++)
		memcpy(t + i * l, s, l);
	t[l * times] = '\0';
	if (max_chars_ascii && strlen(t) > max_chars_ascii)
		t[max_chars_ascii] = '\0';
	return t;
}

static volatile size_t sink;

static int encode_once(const char *text)
{
	struct smsctl_encoded *e;

	if (smsctl_pdu_encode_submit("+8613800138000", text, NULL, &e) < 0)
		return -1;
	size_t n = smsctl_encoded_get_count(e), len;
	for (size_t i = 0; i < n; i++)
		sink += smsctl_encoded_get_bytes(e, i, &len)[len - 1];
	smsctl_encoded_free(e);
	return 0;
}

struct parts {
	size_t n;
	uint8_t bytes[8][200];
	size_t len[8];
};

static int decode_once(const struct parts *p, const char *want)
{
	if (p->n == 1) {
		struct smsctl_pdu *pdu;
		if (smsctl_pdu_decode(p->bytes[0], p->len[0], true, &pdu, NULL) < 0)
			return -1;
		sink += strlen(smsctl_pdu_get_text(pdu));
		smsctl_pdu_free(pdu);
		return 0;
	}
	struct smsctl_reassembler *r = smsctl_reassembler_new();
	struct smsctl_message *m = NULL;
	int ret = -1;
	for (size_t i = 0; i < p->n; i++) {
		struct smsctl_pdu *pdu;
		if (smsctl_pdu_decode(p->bytes[i], p->len[i], true, &pdu, NULL) < 0 ||
		    smsctl_reassembler_add(r, pdu, (long)i, 0, &m) < 0)
			goto out;
	}
	if (m) {
		sink += strlen(smsctl_message_get_text(m));
		ret = want && strcmp(smsctl_message_get_text(m), want) ? -1 : 0;
	}
out:
	smsctl_message_free(m);
	smsctl_reassembler_free(r);
	return ret;
}

static void run(const char *name, const char *text, double seconds)
{
	struct smsctl_encoded *e;
	struct parts p;
	size_t iters = 0;
	double t0, t;

	/* encode */
	t0 = now_s();
	do {
		for (int k = 0; k < 1000; k++)
			if (encode_once(text) < 0) {
				fprintf(stderr, "bench-pdu: encode failed\n");
				exit(1);
			}
		iters += 1000;
		t = now_s() - t0;
	} while (t < seconds);
	printf("pdu encode %s %.0f msg/s\n", name, (double)iters / t);

	/* decode */
	if (smsctl_pdu_encode_submit("+8613800138000", text, NULL, &e) < 0)
		exit(1);
	p.n = smsctl_encoded_get_count(e);
	if (p.n > 8)
		exit(1);
	for (size_t i = 0; i < p.n; i++) {
		const uint8_t *b = smsctl_encoded_get_bytes(e, i, &p.len[i]);
		memcpy(p.bytes[i], b, p.len[i]);
	}
	smsctl_encoded_free(e);
	if (decode_once(&p, text) < 0) {
		fprintf(stderr, "bench-pdu: decode does not give the text back\n");
		exit(1);
	}
	iters = 0;
	t0 = now_s();
	do {
		for (int k = 0; k < 1000; k++)
			if (decode_once(&p, NULL) < 0)
				exit(1);
		iters += 1000;
		t = now_s() - t0;
	} while (t < seconds);
	printf("pdu decode %s %.0f msg/s\n", name, (double)iters / t);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	char *gsm7 = repeat("The quick brown fox jumps over the lazy dog 0123456789! ", 3, 160);
	char *ucs2 = repeat("你好世界短信测试验证", 7, 0);
	char *ucs2_3 = repeat("你好世界短信测试验证", 20, 0);

	if (seconds <= 0)
		seconds = 1.0;
	run("gsm7-160", gsm7, seconds);
	run("ucs2-70", ucs2, seconds);
	run("ucs2-3part", ucs2_3, seconds);
	free(gsm7);
	free(ucs2);
	free(ucs2_3);
	return 0;
}
