/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device string (what follows "sim:"): the profile, the KEY=VALUE options, the messages
 * stored at open or arriving later; building, starting and freeing the core. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>

#include "sim/core-internal.h"
#include "sim/text.h"

/* Sets *err (when not NULL) and detail; returns code. */
__attribute__((format(printf, 5, 6))) static int set_detail(int *err, char *detail, size_t size,
							    int code, const char *fmt, ...)
{
	if (err)
		*err = code;
	if (detail && size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, size, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Encode (texts) and place the messages the device string asked for. */
static int apply_preloads(struct sim_core *c, int *err, char *detail, size_t dsize)
{
	for (size_t i = 0; i < c->npre; i++) {
		struct preload *pl = &c->pre[i];
		struct smsctl_encoded *enc = NULL;
		size_t parts = 1;
		if (!pl->hex) {
			int r = sim_text_encode(c, pl->from, pl->text, 0, &enc);
			if (r < 0)
				return set_detail(err, detail, dsize,
						  r == SMSCTL_ERR_NOMEM ? r : SMSCTL_ERR_INVALID,
						  "cannot encode the simulated SMS from '%s'",
						  pl->from);
			parts = sim_text_count(enc);
		}
		for (size_t k = 0; k < parts; k++) {
			const char *hex = enc ? sim_text_hex(enc, k) : pl->hex;
			int r = 0;
			if (pl->timed) {
				char *copy = strdup(hex);
				if (copy)
					sim_add_timer(c, c->now + pl->ms * US_PER_MS, copy, true);
			} else {
				r = sim_store_silently(c, hex);
			}
			if (r < 0 && r != SMSCTL_ERR_TOO_LONG) {
				sim_text_free(enc);
				return set_detail(err, detail, dsize,
						  r == SMSCTL_ERR_NOMEM ? r : SMSCTL_ERR_INVALID,
						  "the simulated SMS PDU '%.40s' is not a valid "
						  "SMS-DELIVER",
						  hex);
			}
		}
		sim_text_free(enc);
	}
	return 0;
}

static void free_preloads(struct sim_core *c)
{
	for (size_t i = 0; i < c->npre; i++) {
		free(c->pre[i].hex);
		free(c->pre[i].from);
		free(c->pre[i].text);
	}
	free(c->pre);
	c->pre = NULL;
	c->npre = 0;
}

/* The device string's keys, as an unknown one is told (README and smsctl(1) document each). */
#define SIM_KEYS                                                                                   \
	"fault, pin, puk, seed, baud, latency, network, report, boot, sm, status, id, pdu, sms, "  \
	"arrive, ussd, balance, reply"

/* Luhn check digit of the digits in s[0..len). */
static char luhn_digit(const char *s, size_t len)
{
	unsigned sum = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[len - 1 - i] - '0');
		if (i % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

/* id=N: the modem's own IMEI, ICCID and IMSI: the four digits before the check digit (IMEI,
 * ICCID, check digit recomputed) and the last four of the IMSI become N. */
static void set_identity(struct sim_core *c, unsigned id)
{
	char digits[5];
	snprintf(digits, sizeof(digits), "%04u", id % 10000);
	char *fields[2] = {c->imei, c->iccid};
	for (int f = 0; f < 2; f++) {
		size_t n = strlen(fields[f]);
		if (n < 6)
			continue;
		memcpy(fields[f] + n - 5, digits, 4);
		fields[f][n - 1] = luhn_digit(fields[f], n - 1);
	}
	size_t n = strlen(c->imsi);
	if (n >= 4)
		memcpy(c->imsi + n - 4, digits, 4);
}

bool sim_key_is(const char *k, size_t klen, const char *name)
{
	return strlen(name) == klen && !strncmp(k, name, klen);
}

/* %XX escapes (the device string separates keys with '&'). NULL on a bad escape or NUL. */
char *sim_percent_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t n = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			out[n++] = s[i];
			continue;
		}
		int hi = i + 2 < len ? sim_hexval((unsigned char)s[i + 1]) : -1;
		int lo = i + 2 < len ? sim_hexval((unsigned char)s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		out[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[n] = '\0';
	return out;
}

/* pdu=HEX, sms=FROM,TEXT, arrive=MS,HEX and arrive=MS,FROM,TEXT. */
static int parse_preload(struct sim_core *c, const char *k, size_t klen, const char *v, size_t vlen,
			 int *err, char *detail, size_t dsize)
{
	struct preload pl = {0};
	const char *comma;
	if (c->npre >= MAX_PRELOAD)
		return set_detail(err, detail, dsize, SMSCTL_ERR_INVALID,
				  "too many simulated messages (at most %d)", MAX_PRELOAD);
	if (sim_key_is(k, klen, "arrive")) {
		comma = memchr(v, ',', vlen);
		if (!comma || !sim_parse_ulong(v, (size_t)(comma - v), 0, 86400000ul, &pl.ms))
			goto bad;
		pl.timed = true;
		vlen -= (size_t)(comma - v) + 1;
		v = comma + 1;
	}
	comma = memchr(v, ',', vlen);
	if (sim_key_is(k, klen, "pdu") || (pl.timed && !comma)) {
		if (vlen == 0 || vlen > PDU_MAX_HEX || comma)
			goto bad;
		pl.hex = sim_strdup_upper(v, vlen);
		if (!pl.hex)
			goto nomem;
	} else {
		if (!comma)
			goto bad;
		pl.from = sim_percent_decode(v, (size_t)(comma - v));
		pl.text = sim_percent_decode(comma + 1, vlen - (size_t)(comma - v) - 1);
		if (!pl.from || !pl.text || !pl.from[0]) {
			free(pl.from);
			free(pl.text);
			goto bad;
		}
	}
	struct preload *p = realloc(c->pre, (c->npre + 1) * sizeof(*p));
	if (!p) {
		free(pl.hex);
		free(pl.from);
		free(pl.text);
		goto nomem;
	}
	c->pre = p;
	c->pre[c->npre++] = pl;
	return 0;
bad:
	return set_detail(err, detail, dsize, SMSCTL_ERR_INVALID,
			  "bad simulated message '%.*s=%.*s' (pdu=HEX, sms=FROM,TEXT, "
			  "arrive=MS,HEX or arrive=MS,FROM,TEXT; %%XX escapes)",
			  (int)klen, k, (int)(vlen > 60 ? 60 : vlen), v);
nomem:
	return set_detail(err, detail, dsize, SMSCTL_ERR_NOMEM, "out of memory");
}

static int parse_key(struct sim_core *c, const char *k, size_t klen, const char *v, size_t vlen,
		     int *err, char *detail, size_t dsize)
{
	unsigned long n;
	if (sim_key_is(k, klen, "fault")) {
		size_t i = 0;
		while (i <= vlen) {
			size_t j = i;
			while (j < vlen && v[j] != ',')
				j++;
			int id = -1;
			unsigned long arg = 0;
			bool has_arg;
			if (j == i || sim_parse_fault(v + i, j - i, &id, &arg, &has_arg) < 0) {
				char valid[768];
				if (id < 0)
					sim_fault_names(valid, sizeof(valid));
				else
					sim_fault_usage(id, valid, sizeof(valid));
				return set_detail(
				    err, detail, dsize, SMSCTL_ERR_INVALID,
				    id < 0 ? "unknown simulated fault '%.*s' (faults: %s)"
					   : "bad argument in the simulated fault "
					     "'%.*s' (%s)",
				    (int)(j - i > 40 ? 40 : j - i), v + i, valid);
			}
			c->fault[id] = true;
			switch (id) {
			case F_SIM_BUSY:
				c->busy_left = has_arg ? arg : sim_fault_default(id);
				break;
			case F_SEND_FAIL:
				c->fail_code = arg;
				break;
			case F_SEND_FAIL_ONCE:
				c->fail_once_code = arg;
				break;
			case F_SLOW:
				c->slow_ms = has_arg ? arg : sim_fault_default(id);
				break;
			case F_GARBAGE:
				c->garbage_pct = has_arg ? arg : sim_fault_default(id);
				break;
			case F_UNPLUG:
				c->unplug_s = arg;
				c->unplug_at = has_arg ? 0 : UINT64_MAX; /* relative until start */
				if (has_arg)
					c->unplug_s = arg;
				break;
			default:
				break;
			}
			i = j + 1;
		}
		return 0;
	}
	if (sim_key_is(k, klen, "pdu") || sim_key_is(k, klen, "sms") ||
	    sim_key_is(k, klen, "arrive"))
		return parse_preload(c, k, klen, v, vlen, err, detail, dsize);
	if (sim_key_is(k, klen, "pin") || sim_key_is(k, klen, "puk")) {
		bool pin = k[1] == 'i';
		if (vlen < (pin ? 4u : 8u) || vlen > 8 || strspn(v, "0123456789") < vlen)
			return set_detail(err, detail, dsize, SMSCTL_ERR_INVALID,
					  "the simulated %s must be %s digits", pin ? "PIN" : "PUK",
					  pin ? "4 to 8" : "8");
		snprintf(pin ? c->pin : c->puk, sizeof(c->pin), "%.*s", (int)vlen, v);
		return 0;
	}
	char why[160];
	int u = sim_ussd_key(c, k, klen, v, vlen, why, sizeof(why));
	if (u < 0)
		return set_detail(err, detail, dsize, u, "%s", why);
	if (u == 0)
		return 0;
	static const struct {
		const char *name;
		unsigned long min, max;
	} nums[] = {
	    {"seed", 0, 0xfffffffful},
	    {"baud", 300, 4000000},
	    {"latency", 0, 60000},
	    {"network", 0, 600000},
	    {"report", 0, 600000},
	    {"boot", 0, 1},
	    {"sm", 1, 255},
	    {"status", 0, 3600000},
	    {"id", 0, 9999},
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (!sim_key_is(k, klen, nums[i].name))
			continue;
		if (!sim_parse_ulong(v, vlen, nums[i].min, nums[i].max, &n))
			return set_detail(
			    err, detail, dsize, SMSCTL_ERR_INVALID,
			    "bad value '%.*s' for the simulated modem's '%s' (%lu to %lu)",
			    (int)vlen, v, nums[i].name, nums[i].min, nums[i].max);
		switch (i) {
		case 0:
			c->rng = n * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
			break;
		case 1:
			c->baud = (unsigned)n;
			break;
		case 2:
			c->latency_ms = (unsigned)n;
			break;
		case 3:
			c->network_ms = (unsigned)n;
			break;
		case 4:
			c->report_ms = (unsigned)n;
			break;
		case 5:
			c->boot_on_open = n == 1;
			break;
		case 6:
			c->cap[SIM_MEM_SM] = (unsigned)n;
			break;
		case 7:
			c->status_ms = n;
			break;
		default:
			set_identity(c, (unsigned)n);
			break;
		}
		return 0;
	}
	return set_detail(err, detail, dsize, SMSCTL_ERR_INVALID,
			  "unknown key '%.*s' in a sim: device (keys: %s)",
			  (int)(klen > 40 ? 40 : klen), k, SIM_KEYS);
}

struct sim_core *sim_core_new(const char *spec, int *err, char *detail, size_t detail_size)
{
	if (err)
		*err = 0;
	if (detail && detail_size)
		detail[0] = '\0';
	if (!spec)
		spec = "";
	size_t plen = strcspn(spec, "?");
	const struct sim_profile *p = sim_profile_find(spec, plen);
	if (!p) {
		set_detail(err, detail, detail_size, SMSCTL_ERR_INVALID,
			   "unknown simulated modem profile '%.*s' (%s)", (int)plen, spec,
			   sim_profile_names());
		return NULL;
	}
	struct sim_core *c = calloc(1, sizeof(*c));
	if (!c) {
		set_detail(err, detail, detail_size, SMSCTL_ERR_NOMEM, "out of memory");
		return NULL;
	}
	c->p = p;
	snprintf(c->imei, sizeof(c->imei), "%s", p->imei);
	snprintf(c->iccid, sizeof(c->iccid), "%s", p->iccid);
	snprintf(c->imsi, sizeof(c->imsi), "%s", p->imsi);
	snprintf(c->pin, sizeof(c->pin), "1234");
	snprintf(c->puk, sizeof(c->puk), "12345678");
	c->rng = 0x2545F4914F6CDD1Dull; /* as seed=0 */
	memcpy(c->cap, p->cap, sizeof(c->cap));
	c->unplug_at = UINT64_MAX;
	c->closed_at = UINT64_MAX;

	const char *q = spec + plen;
	if (*q == '?') {
		q++;
		while (*q) {
			size_t len = strcspn(q, "&");
			const char *eq = memchr(q, '=', len);
			if (!eq) {
				set_detail(
				    err, detail, detail_size, SMSCTL_ERR_INVALID,
				    "expected KEY=VALUE in a sim: device, got '%.*s' (keys: %s)",
				    (int)(len > 40 ? 40 : len), q, SIM_KEYS);
				goto fail;
			}
			if (parse_key(c, q, (size_t)(eq - q), eq + 1, len - (size_t)(eq - q) - 1,
				      err, detail, detail_size) < 0)
				goto fail;
			q += len;
			if (*q == '&')
				q++;
		}
	}
	for (int m = 0; m < 3; m++) {
		if (!c->cap[m])
			continue;
		c->store[m] = calloc(c->cap[m], sizeof(struct slot));
		if (!c->store[m]) {
			set_detail(err, detail, detail_size, SMSCTL_ERR_NOMEM, "out of memory");
			goto fail;
		}
	}
	if (c->rng == 0)
		c->rng = 1;
	c->mr = (unsigned)(sim_rng_next(c) & 0xff);
	c->pin_left = 3;
	c->puk_left = 10;
	c->pin_enabled = c->fault[F_SIM_PIN];
	snprintf(c->smsc, sizeof(c->smsc), "%s", c->fault[F_SMSC_MISSING] ? "" : p->smsc);
	sim_reset_session(c);
	c->fun = c->fault[F_RADIO_OFF] ? 0 : 1;
	sim_power_up(c);
	if (apply_preloads(c, err, detail, detail_size) < 0)
		goto fail;
	free_preloads(c);
	if (c->fault[F_STORAGE_FULL])
		sim_fill_sm(c, 0);
	else if (c->fault[F_STORAGE_NEARLY_FULL])
		sim_fill_sm(c, 1);
	return c;
fail:
	sim_core_free(c);
	return NULL;
}

void sim_core_start(struct sim_core *c, uint64_t now)
{
	c->line_free_at = now;
	/* Timers set while parsing count from the open. */
	for (struct timer *t = c->timers; t; t = t->next)
		t->at += now - c->now;
	c->now = now;
	if (c->fault[F_UNPLUG] && c->unplug_at != UINT64_MAX)
		c->unplug_at = now + c->unplug_s * 1000000ull;
	if (c->boot_on_open)
		sim_queue_boot(c, now);
	if (c->status_ms)
		sim_add_timer(c, now + c->status_ms * US_PER_MS, NULL, false);
}

void sim_core_free(struct sim_core *c)
{
	if (!c)
		return;
	sim_drop_output(c);
	while (c->timers) {
		struct timer *t = c->timers;
		c->timers = t->next;
		free(t->report_hex);
		free(t);
	}
	for (int m = 0; m < 3; m++) {
		for (unsigned i = 0; c->store[m] && i < c->cap[m]; i++)
			free(c->store[m][i].hex);
		free(c->store[m]);
	}
	free_preloads(c);
	sim_ussd_free(c);
	for (size_t i = 0; i < c->nsent; i++)
		free(c->sent[i]);
	free(c->sent);
	free(c->sent_mr);
	free(c);
}
