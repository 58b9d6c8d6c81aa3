/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * smsctld's configuration file. libinih splits the lines (its line numbers feed the error
 * messages); a table of keys says what each one is and where it goes. Inline comments and
 * continuation lines are switched off, so a value is what follows `=`, verbatim (CONTRACTS).
 */
#include "conf.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum section {
	SEC_DAEMON = 1,
	SEC_STORE,
	SEC_SEND,
	SEC_HTTP,
	SEC_MODEM,
	SEC_POOL,
	SEC_ROUTE,
	SEC_NOTIFY,
};

enum kind {
	K_STRING = 1, /* char *, any non-empty text */
	K_DURATION,   /* long long ms */
	K_COUNT,      /* long long, within [min, max] */
	K_SIZE,	      /* long long bytes: 65536, 64k, 1m */
	K_BOOL,	      /* bool: yes/no, true/false, on/off, 1/0 */
	K_CHOICE,     /* int: index + 1 into choices */
	K_LIST,	      /* the listen list */
	K_LANGUAGE,   /* char *: en or zh_CN */
	/* issue 15 (pool/pool-conf.c parses them) */
	K_RATE,	     /* struct smsd_rate: 6/min */
	K_WINDOW,    /* struct smsd_clock_window: 08:00-21:00 */
	K_REGEX,     /* char *: a PCRE2 pattern that compiles */
	K_AMOUNT,    /* double: a balance */
	K_DURATION0, /* long long ms, where 0 turns it off */
};

struct key {
	enum section sec;
	const char *name;
	enum kind kind;
	size_t off; /* into struct smsd_config, or struct smsd_modem_config for SEC_MODEM */
	long long min, max;
	const char *choices; /* K_CHOICE: "a|b" in enum order from 1 */
};

#define C(f)  offsetof(struct smsd_config, f)
#define M(f)  offsetof(struct smsd_modem_config, f)
#define PC(f) offsetof(struct smsd_modem_config, pc.f)
#define PL(f) offsetof(struct smsd_pool_config, f)
#define RT(f) offsetof(struct smsd_route_config, f)

/* One line per key. Later issues add theirs here (pools, rates, webhooks, metrics). */
static const struct key keys[] = {
    {SEC_DAEMON, "node_id", K_STRING, C(daemon.node_id), 0, 0, NULL},
    {SEC_DAEMON, "language", K_LANGUAGE, C(daemon.language), 0, 0, NULL},
    {SEC_DAEMON, "shutdown_timeout", K_DURATION, C(daemon.shutdown_timeout), 0, 0, NULL},
    {SEC_STORE, "url", K_STRING, C(store.url), 0, 0, NULL},
    {SEC_STORE, "retention", K_DURATION, C(store.retention), 0, 0, NULL},
    {SEC_STORE, "lease", K_DURATION, C(store.lease), 0, 0, NULL},
    {SEC_STORE, "auto_migrate", K_BOOL, C(store.auto_migrate), 0, 0, NULL},
    {SEC_SEND, "retry_initial", K_DURATION, C(send.retry_initial), 0, 0, NULL},
    {SEC_SEND, "retry_max", K_DURATION, C(send.retry_max), 0, 0, NULL},
    {SEC_SEND, "max_attempts", K_COUNT, C(send.max_attempts), 1, 1000, NULL},
    {SEC_SEND, "on_unknown", K_CHOICE, C(send.on_unknown), 0, 0, "keep|resend"},
    {SEC_SEND, "report_wait", K_DURATION, C(send.report_wait), 0, 0, NULL},
    {SEC_SEND, "submit_mode", K_CHOICE, C(send.submit_mode), 0, 0, "direct|storage"},
    {SEC_SEND, "multipart_resume", K_DURATION, C(send.multipart_resume), 0, 0, NULL},
    {SEC_SEND, "multipart_lost_modem", K_CHOICE, C(send.multipart_lost_modem), 0, 0,
     "resend_whole|fail"},
    {SEC_SEND, "max_parts", K_COUNT, C(send.max_parts), 1, 255, NULL},
    {SEC_SEND, "optout_keywords", K_STRING, C(send.optout_keywords), 0, 0, NULL}, /* issue 16 */
    {SEC_HTTP, "listen", K_LIST, C(http.listen), 0, 0, NULL},
    {SEC_HTTP, "tokens_file", K_STRING, C(http.tokens_file), 0, 0, NULL},
    {SEC_HTTP, "metrics_auth", K_BOOL, C(http.metrics_auth), 0, 0, NULL},
    {SEC_HTTP, "max_body", K_SIZE, C(http.max_body), 256, 64 * 1024 * 1024, NULL},
    {SEC_HTTP, "max_queued", K_COUNT, C(http.max_queued), 1, 1000000000, NULL},
    {SEC_HTTP, "threads", K_COUNT, C(http.threads), 1, 64, NULL},
    {SEC_HTTP, "idempotency_retention", K_DURATION, C(http.idempotency_retention), 0, 0,
     NULL}, /* issue 16 */
    {SEC_MODEM, "device", K_STRING, M(device), 0, 0, NULL},
    {SEC_MODEM, "pin_file", K_STRING, M(pin_file), 0, 0, NULL},
    {SEC_MODEM, "pool", K_STRING, M(pool), 0, 0, NULL},
    /* issue 15: pools, limits, health, balance */
    {SEC_MODEM, "weight", K_COUNT, PC(weight), 1, 1000, NULL},
    {SEC_MODEM, "rate", K_RATE, PC(limits.rate), 0, 0, NULL},
    {SEC_MODEM, "min_interval", K_DURATION, PC(limits.min_interval), 0, 0, NULL},
    {SEC_MODEM, "jitter", K_DURATION0, PC(limits.jitter), 0, 0, NULL},
    {SEC_MODEM, "daily_limit", K_COUNT, PC(limits.daily_limit), 1, 100000000, NULL},
    {SEC_MODEM, "monthly_limit", K_COUNT, PC(limits.monthly_limit), 1, 1000000000, NULL},
    {SEC_MODEM, "daily_recipients", K_COUNT, PC(limits.daily_recipients), 1, 100000000, NULL},
    {SEC_MODEM, "send_window", K_WINDOW, PC(limits.window), 0, 0, NULL},
    {SEC_MODEM, "health_interval", K_DURATION, PC(health_interval), 0, 0, NULL},
    {SEC_MODEM, "block_after", K_COUNT, PC(block_after), 1, 1000, NULL},
    {SEC_MODEM, "cooling", K_DURATION, PC(cooling), 0, 0, NULL},
    {SEC_MODEM, "send", K_BOOL, PC(send), 0, 0, NULL},
    {SEC_MODEM, "receive", K_BOOL, PC(receive), 0, 0, NULL},
    {SEC_MODEM, "balance_ussd", K_STRING, PC(balance_ussd), 0, 0, NULL},
    {SEC_MODEM, "balance_sms", K_STRING, PC(balance_sms), 0, 0, NULL},
    {SEC_MODEM, "balance_regex", K_REGEX, PC(balance_regex), 0, 0, NULL},
    {SEC_MODEM, "balance_low", K_AMOUNT, PC(balance_low), 0, 0, NULL},
    {SEC_MODEM, "balance_interval", K_DURATION, PC(balance_interval), 0, 0, NULL},
    {SEC_MODEM, "balance_wait", K_DURATION, PC(balance_wait), 0, 0, NULL},
    {SEC_POOL, "modems", K_STRING, PL(modems), 0, 0, NULL},
    {SEC_POOL, "fallback", K_STRING, PL(fallback), 0, 0, NULL},
    {SEC_ROUTE, "match", K_REGEX, RT(match), 0, 0, NULL},
    {SEC_ROUTE, "pool", K_STRING, RT(pool), 0, 0, NULL},
    {SEC_SEND, "recipient_rate", K_RATE, C(poolconf.recipient_rate), 0, 0, NULL},
    {SEC_SEND, "duplicate_window", K_DURATION0, C(poolconf.duplicate_window), 0, 0, NULL},
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const section_names[] = {
    [SEC_DAEMON] = "daemon", [SEC_STORE] = "store", [SEC_SEND] = "send",   [SEC_HTTP] = "http",
    [SEC_MODEM] = "modem",   [SEC_POOL] = "pool",   [SEC_ROUTE] = "route",
};

/* Longest line accepted (libinih's buffer is at least this large when it reads our lines). */
#define LINE_MAX_LEN 1000

struct parser {
	struct smsd_config *cfg;
	const char *buf, *end, *pos; /* the input, the next line */
	int line;		     /* number of the line last handed to libinih */
	char section[256];	     /* the section of the last key seen */
	struct smsd_modem_config *modem;
	void *sect_base;	    /* issue 15: the [pool NAME] or [route NAME] being read */
	unsigned char seen[N_KEYS]; /* keys set in the current section (duplicates) */
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return;
	p->failed = true;
	n = snprintf(p->err, p->errlen, "%s:%d: ", p->cfg->path, line);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

int smsd_parse_duration(const char *s, long long *ms)
{
	unsigned long long v = 0;
	long long unit;
	const char *q = s;

	if (!s || *s < '0' || *s > '9')
		return -1;
	while (*q >= '0' && *q <= '9') {
		v = v * 10 + (unsigned)(*q - '0');
		if (v > 100000000ull)
			return -1;
		q++;
	}
	if (strcmp(q, "s") == 0)
		unit = 1000;
	else if (strcmp(q, "m") == 0)
		unit = 60 * 1000;
	else if (strcmp(q, "h") == 0)
		unit = 3600 * 1000;
	else if (strcmp(q, "d") == 0)
		unit = 86400 * 1000LL;
	else
		return -1;
	if (v == 0 || (long long)v * unit > 3650LL * 86400 * 1000)
		return -1;
	*ms = (long long)v * unit;
	return 0;
}

void smsd_format_duration(long long ms, char *buf, size_t size)
{
	static const struct {
		long long ms;
		const char *unit;
	} units[] = {{86400000LL, "d"}, {3600000LL, "h"}, {60000LL, "m"}, {1000LL, "s"}};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ms >= units[i].ms && ms % units[i].ms == 0) {
			snprintf(buf, size, "%lld%s", ms / units[i].ms, units[i].unit);
			return;
		}
	}
	snprintf(buf, size, "%lldms", ms);
}

static int parse_count(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_size(const char *s, long long min, long long max, long long *out)
{
	char num[32];
	size_t n = strlen(s);
	long long mul = 1, v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	if (num[n - 1] == 'k' || num[n - 1] == 'K')
		mul = 1024;
	else if (num[n - 1] == 'm' || num[n - 1] == 'M')
		mul = 1024 * 1024;
	if (mul != 1)
		num[n - 1] = '\0';
	if (parse_count(num, 1, LLONG_MAX / (1024 * 1024), &v) < 0)
		return -1;
	v *= mul;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_choice(const char *s, const char *choices)
{
	size_t n = strlen(s);
	int i = 1;

	for (const char *c = choices; *c; i++) {
		const char *bar = strchr(c, '|');
		size_t len = bar ? (size_t)(bar - c) : strlen(c);
		if (len == n && strncmp(c, s, n) == 0)
			return i;
		if (!bar)
			break;
		c = bar + 1;
	}
	return -1;
}

/* A listen address: "unix:/PATH", "HOST:PORT" or "[V6]:PORT" with a port 1-65535. */
static bool valid_listen(const char *s)
{
	const char *colon;
	long long port;

	if (strncmp(s, "unix:", 5) == 0)
		return s[5] == '/' && strlen(s + 5) < 108;
	colon = strrchr(s, ':');
	if (!colon || colon == s || strlen(s) > 300)
		return false;
	if (s[0] == '[' && colon[-1] != ']')
		return false;
	return parse_count(colon + 1, 1, 65535, &port) == 0;
}

static int set_list(struct parser *p, char **list, const char *value)
{
	struct smsd_config *cfg = p->cfg;
	const char *s = value;

	for (size_t i = 0; i < cfg->http.n_listen; i++)
		free(cfg->http.listen[i]);
	cfg->http.n_listen = 0;
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len == 0) {
			fail(p, p->line, "listen: an empty address in the list");
			return -1;
		}
		if (cfg->http.n_listen >= SMSD_CONFIG_MAX_LISTEN) {
			fail(p, p->line, "listen: more than %d addresses", SMSD_CONFIG_MAX_LISTEN);
			return -1;
		}
		char *a = strndup(s, len);
		if (!a) {
			fail(p, p->line, "out of memory");
			return -1;
		}
		list[cfg->http.n_listen++] = a;
		if (!valid_listen(a)) {
			fail(p, p->line, "listen: '%s' is not HOST:PORT, [IPV6]:PORT or unix:/PATH",
			     a);
			return -1;
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	if (cfg->http.n_listen == 0) {
		fail(p, p->line, "listen: no address");
		return -1;
	}
	return 0;
}

/* issue 15: the kinds parsed by pool/pool-conf.c */
static int set_value_pool(struct parser *p, const struct key *k, char *ptr, const char *value)
{
	char why[200] = "";
	int rc = -1;

	switch (k->kind) {
	case K_RATE:
		rc = smsd_conf_parse_rate(value, (struct smsd_rate *)(void *)ptr, why, sizeof(why));
		break;
	case K_WINDOW:
		rc = smsd_conf_parse_window(value, (struct smsd_clock_window *)(void *)ptr, why,
					    sizeof(why));
		break;
	case K_AMOUNT:
		rc = smsd_conf_parse_amount(value, (double *)(void *)ptr, why, sizeof(why));
		break;
	case K_DURATION0:
		if (strcmp(value, "0") == 0) {
			*(long long *)(void *)ptr = 0;
			return 0;
		}
		rc = smsd_parse_duration(value, (long long *)(void *)ptr);
		snprintf(why, sizeof(why), "a duration (30s, 10m, 6h, 7d) or 0");
		break;
	case K_REGEX:
		rc = smsd_conf_parse_regex(value, why, sizeof(why));
		if (rc == 0) {
			char **str = (char **)(void *)ptr;
			free(*str);
			if (!(*str = strdup(value))) {
				fail(p, p->line, "out of memory");
				return -1;
			}
		}
		break;
	default:
		break;
	}
	if (rc < 0)
		fail(p, p->line, "%s: '%s' is not %s", k->name, value, why);
	return rc < 0 ? -1 : 0;
}

static int set_value(struct parser *p, const struct key *k, void *base, const char *value)
{
	char *ptr = (char *)base + k->off;
	char **str = (char **)(void *)ptr;
	long long *num = (long long *)(void *)ptr;

	switch (k->kind) {
	case K_LANGUAGE:
		if (strcmp(value, "en") != 0 && strcmp(value, "zh_CN") != 0) {
			fail(p, p->line, "%s: '%s' is not a language (en or zh_CN)", k->name,
			     value);
			return -1;
		}
		/* fall through */
	case K_STRING:
		if (!*value) {
			fail(p, p->line, "%s: empty value", k->name);
			return -1;
		}
		free(*str);
		*str = strdup(value);
		if (!*str) {
			fail(p, p->line, "out of memory");
			return -1;
		}
		return 0;
	case K_DURATION:
		if (smsd_parse_duration(value, num) < 0) {
			fail(p, p->line,
			     "%s: '%s' is not a duration (a number and s, m, h or d: 30s, 10m, "
			     "6h, 7d; at least 1s)",
			     k->name, value);
			return -1;
		}
		return 0;
	case K_COUNT:
		if (parse_count(value, k->min, k->max, num) < 0) {
			fail(p, p->line, "%s: '%s' is not a whole number from %lld to %lld",
			     k->name, value, k->min, k->max);
			return -1;
		}
		return 0;
	case K_SIZE:
		if (parse_size(value, k->min, k->max, num) < 0) {
			fail(p, p->line,
			     "%s: '%s' is not a size from %lld to %lld bytes (a number, k or m)",
			     k->name, value, k->min, k->max);
			return -1;
		}
		return 0;
	case K_BOOL:
		if (parse_bool(value, (bool *)(void *)ptr) < 0) {
			fail(p, p->line, "%s: '%s' is not yes or no", k->name, value);
			return -1;
		}
		return 0;
	case K_CHOICE: {
		int c = parse_choice(value, k->choices);
		if (c < 0) {
			char alt[128];
			snprintf(alt, sizeof(alt), "%s", k->choices);
			for (char *b = alt; (b = strchr(b, '|'));)
				*b = ',';
			fail(p, p->line, "%s: '%s' is not one of %s", k->name, value, alt);
			return -1;
		}
		*(int *)(void *)ptr = c;
		return 0;
	}
	case K_LIST:
		return set_list(p, (char **)(void *)ptr, value);
	case K_RATE:
	case K_WINDOW:
	case K_REGEX:
	case K_AMOUNT:
	case K_DURATION0:
		return set_value_pool(p, k, ptr, value);
	}
	return -1;
}

bool smsd_config_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return false;
	}
	return true;
}

static enum section section_of(const char *section)
{
	for (int s = SEC_DAEMON; s <= SEC_HTTP; s++) {
		if (strcmp(section, section_names[s]) == 0)
			return (enum section)s;
	}
	if (strncmp(section, "modem ", 6) == 0)
		return SEC_MODEM;
	if (smsd_conf_notify_section(section)) /* issue 16 */
		return SEC_NOTIFY;
	if (strncmp(section, "pool ", 5) == 0) /* issue 15 */
		return SEC_POOL;
	if (strncmp(section, "route ", 6) == 0) /* issue 15 */
		return SEC_ROUTE;
	return 0;
}

/* A section header, seen by the reader before libinih parses the line. */
static int enter_section(struct parser *p, const char *section)
{
	struct smsd_config *cfg = p->cfg;

	snprintf(p->section, sizeof(p->section), "%s", section);
	memset(p->seen, 0, sizeof(p->seen));
	p->modem = NULL;
	if (strcmp(section, "modem") == 0) {
		fail(p, p->line, "[modem] needs a name: [modem NAME]");
		return -1;
	}
	if (!section_of(section)) {
		fail(p, p->line, "unknown section [%s]", section);
		return -1;
	}
	p->sect_base = NULL;
	if (section_of(section) == SEC_NOTIFY) { /* issue 16: conf-notify.c */
		char msg[512];
		if (smsd_conf_notify_enter(cfg, section, p->line, msg, sizeof(msg)) < 0) {
			fail(p, p->line, "%s", msg);
			return -1;
		}
		return 0;
	}
	if (strncmp(section, "pool ", 5) == 0 || strncmp(section, "route ", 6) == 0) {
		/* issue 15: [pool NAME], [route NAME] */
		bool is_pool = section[0] == 'p';
		const char *sname = section + (is_pool ? 5 : 6);
		char why[300];
		while (*sname == ' ')
			sname++;
		if (!smsd_config_valid_name(sname)) {
			fail(p, p->line, "[%s]: a name is 1 to 64 letters, digits, '_', '-' or '.'",
			     section);
			return -1;
		}
		p->sect_base = is_pool ? (void *)smsd_poolconf_add_pool(&cfg->poolconf, sname,
									p->line, why, sizeof(why))
				       : (void *)smsd_poolconf_add_route(&cfg->poolconf, sname,
									 p->line, why, sizeof(why));
		if (!p->sect_base) {
			fail(p, p->line, "%s", why);
			return -1;
		}
		return 0;
	}
	if (strncmp(section, "modem ", 6) != 0)
		return 0;
	const char *name = section + 6;
	while (*name == ' ')
		name++;
	if (!smsd_config_valid_name(name)) {
		fail(p, p->line, "[%s]: a modem name is 1 to 64 letters, digits, '_', '-' or '.'",
		     section);
		return -1;
	}
	if (smsd_config_find_modem(cfg, name)) {
		fail(p, p->line, "[modem %s] appears twice", name);
		return -1;
	}
	if (cfg->n_modems >= SMSD_CONFIG_MAX_MODEMS) {
		fail(p, p->line, "more than %d modems", SMSD_CONFIG_MAX_MODEMS);
		return -1;
	}
	struct smsd_modem_config *m =
	    realloc(cfg->modems, (cfg->n_modems + 1) * sizeof(*cfg->modems));
	if (!m) {
		fail(p, p->line, "out of memory");
		return -1;
	}
	cfg->modems = m;
	p->modem = &m[cfg->n_modems++];
	memset(p->modem, 0, sizeof(*p->modem));
	smsd_pool_modem_config_init(&p->modem->pc); /* issue 15 */
	p->modem->line = p->line;
	p->modem->name = strdup(name);
	if (!p->modem->name) {
		fail(p, p->line, "out of memory");
		return -1;
	}
	return 0;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	enum section sec;

	if (p->failed)
		return 0;
	if (!*section) {
		fail(p, p->line, "'%s' outside of a section", name);
		return 0;
	}
	sec = section_of(section);
	if (!sec || strcmp(section, p->section) != 0) {
		fail(p, p->line, "unknown section [%s]", section);
		return 0;
	}
	if (sec == SEC_NOTIFY) { /* issue 16: conf-notify.c */
		char msg[512];
		if (smsd_conf_notify_key(p->cfg, name, value, msg, sizeof(msg)) < 0) {
			fail(p, p->line, "%s", msg);
			return 0;
		}
		return 1;
	}
	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].sec != sec || strcmp(keys[i].name, name) != 0)
			continue;
		if (p->seen[i]) {
			fail(p, p->line, "'%s' is set twice in [%s]", name, section);
			return 0;
		}
		p->seen[i] = 1;
		void *base = sec == SEC_MODEM ? (void *)p->modem : (void *)p->cfg;
		if (sec == SEC_POOL || sec == SEC_ROUTE) /* issue 15 */
			base = p->sect_base;
		return set_value(p, &keys[i], base, value) == 0;
	}
	fail(p, p->line, "unknown key '%s' in [%s]", name, section);
	return 0;
}

/* libinih's reader: one line at a time, so that p->line is the line being handled. */
static char *read_line(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *nl;
	size_t len;

	if (p->failed || p->pos >= p->end)
		return NULL;
	nl = memchr(p->pos, '\n', (size_t)(p->end - p->pos));
	len = nl ? (size_t)(nl - p->pos) + 1 : (size_t)(p->end - p->pos);
	p->line++;
	if (len > LINE_MAX_LEN || len + 1 > (size_t)num) {
		fail(p, p->line, "line longer than %d characters", LINE_MAX_LEN);
		return NULL;
	}
	if (memchr(p->pos, '\0', len)) {
		fail(p, p->line, "a NUL byte in the file");
		return NULL;
	}
	memcpy(str, p->pos, len);
	str[len] = '\0';
	p->pos += len;
	/* a section header: [NAME] with blanks trimmed, as libinih will read it */
	char *q = str;
	while (*q == ' ' || *q == '\t')
		q++;
	if (*q == '[') {
		char *close = strchr(q, ']'), name[256];
		if (!close) {
			fail(p, p->line, "a section header without ']'");
			return NULL;
		}
		char *a = q + 1, *b = close;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if ((size_t)(b - a) >= sizeof(name)) {
			fail(p, p->line, "a section name longer than 255 characters");
			return NULL;
		}
		memcpy(name, a, (size_t)(b - a));
		name[b - a] = '\0';
		if (enter_section(p, name) < 0)
			return NULL;
	}
	return str;
}

static int set_defaults(struct smsd_config *cfg)
{
	char host[256] = "";

	if (!cfg->daemon.node_id) {
		if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
			snprintf(host, sizeof(host), "localhost");
		cfg->daemon.node_id = strdup(host);
	}
	if (!cfg->daemon.language)
		cfg->daemon.language = strdup("en");
	if (!cfg->store.url)
		cfg->store.url = strdup("sqlite:///var/lib/smsctl/smsctl.db");
	if (!cfg->daemon.node_id || !cfg->daemon.language || !cfg->store.url)
		return -1;
	if (cfg->http.n_listen == 0) {
		cfg->http.listen[0] = strdup("127.0.0.1:8750");
		cfg->http.listen[1] = strdup("unix:/run/smsctl/api.sock");
		cfg->http.n_listen = 2;
		if (!cfg->http.listen[0] || !cfg->http.listen[1])
			return -1;
	}
	for (size_t i = 0; i < cfg->n_modems; i++) {
		if (!cfg->modems[i].pool && !(cfg->modems[i].pool = strdup("default")))
			return -1;
	}
	return 0;
}

static struct smsd_config *config_new(const char *name)
{
	struct smsd_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	smsd_poolconf_init(&cfg->poolconf); /* issue 15 */
	cfg->path = strdup(name ? name : "(config)");
	if (!cfg->path) {
		free(cfg);
		return NULL;
	}
	cfg->daemon.shutdown_timeout = 30 * 1000;
	cfg->store.retention = 180LL * 86400 * 1000;
	cfg->store.lease = 30 * 1000;
	cfg->send.retry_initial = 30 * 1000;
	cfg->send.retry_max = 30 * 60 * 1000;
	cfg->send.max_attempts = 5;
	cfg->send.on_unknown = SMSD_ON_UNKNOWN_KEEP;
	cfg->send.report_wait = 2 * 3600 * 1000;
	cfg->send.submit_mode = SMSD_SUBMIT_DIRECT;
	cfg->send.multipart_resume = 10 * 60 * 1000;
	cfg->send.multipart_lost_modem = SMSD_LOST_RESEND_WHOLE;
	cfg->send.max_parts = 10;
	cfg->http.max_body = 64 * 1024;
	cfg->http.max_queued = 100000;
	cfg->http.threads = 4;
	cfg->http.idempotency_retention = 7LL * 86400 * 1000; /* issue 16 */
	return cfg;
}

int smsd_config_parse(const char *buf, size_t len, const char *name, struct smsd_config **out,
		      char *err, size_t errlen)
{
	struct parser p = {0};
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	p.cfg = config_new(name);
	if (!p.cfg) {
		snprintf(err, errlen, "%s: out of memory", name ? name : "(config)");
		return -1;
	}
	p.buf = p.pos = buf;
	p.end = buf + len;
	p.err = err;
	p.errlen = errlen;
	/* values verbatim: no inline comments, no continuation lines (CONTRACTS) */
	ini_allow_inline_comments = false;
	ini_allow_multiline = false;
	ini_stop_on_first_error = true;
	rc = ini_parse_stream(read_line, &p, on_key, &p);
	if (rc != 0 && !p.failed)
		fail(&p, rc > 0 ? rc : p.line,
		     rc > 0 ? "not a [section], a KEY = VALUE line or a comment"
			    : "cannot read the file");
	if (!p.failed) {
		for (size_t i = 0; i < p.cfg->n_modems; i++) {
			if (!p.cfg->modems[i].device) {
				fail(&p, p.cfg->modems[i].line, "[modem %s] has no 'device'",
				     p.cfg->modems[i].name);
				break;
			}
		}
	}
	if (!p.failed) { /* issue 16: required keys and defaults of webhooks and hooks */
		char msg[512];
		int line = 0;
		if (smsd_conf_notify_finish(p.cfg, &line, msg, sizeof(msg)) < 0)
			fail(&p, line, "%s", msg);
	}
	if (!p.failed && p.cfg->send.retry_max < p.cfg->send.retry_initial)
		fail(&p, 0, "[send] retry_max is shorter than retry_initial");
	if (!p.failed && smsd_poolconf_finish(p.cfg, err, errlen) < 0) /* issue 15 */
		p.failed = true;
	if (!p.failed && set_defaults(p.cfg) < 0)
		fail(&p, 0, "out of memory");
	if (p.failed) {
		smsd_config_free(p.cfg);
		return -1;
	}
	*out = p.cfg;
	return 0;
}

int smsd_config_load(const char *path, struct smsd_config **out, char *err, size_t errlen)
{
	FILE *f;
	char *buf;
	size_t n;
	int rc;

	*out = NULL;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(SMSD_CONFIG_MAX_SIZE + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	n = fread(buf, 1, SMSD_CONFIG_MAX_SIZE + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		rc = -1;
	} else if (n > SMSD_CONFIG_MAX_SIZE) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, SMSD_CONFIG_MAX_SIZE);
		rc = -1;
	} else {
		rc = smsd_config_parse(buf, n, path, out, err, errlen);
	}
	fclose(f);
	free(buf);
	return rc;
}

void smsd_config_free(struct smsd_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->daemon.node_id);
	free(cfg->daemon.language);
	free(cfg->store.url);
	for (size_t i = 0; i < cfg->http.n_listen; i++)
		free(cfg->http.listen[i]);
	free(cfg->http.tokens_file);
	free(cfg->send.optout_keywords); /* issue 16 */
	smsd_conf_notify_free(cfg);
	for (size_t i = 0; i < cfg->n_modems; i++) {
		free(cfg->modems[i].name);
		free(cfg->modems[i].device);
		free(cfg->modems[i].pin_file);
		free(cfg->modems[i].pool);
		smsd_pool_modem_config_clear(&cfg->modems[i].pc); /* issue 15 */
	}
	free(cfg->modems);
	smsd_poolconf_free(&cfg->poolconf); /* issue 15 */
	free(cfg);
}

const struct smsd_modem_config *smsd_config_find_modem(const struct smsd_config *cfg,
						       const char *name)
{
	for (size_t i = 0; i < cfg->n_modems; i++) {
		if (cfg->modems[i].name && strcmp(cfg->modems[i].name, name) == 0)
			return &cfg->modems[i];
	}
	return NULL;
}

bool smsd_config_has_pool(const struct smsd_config *cfg, const char *pool)
{
	for (size_t i = 0; i < cfg->n_modems; i++) {
		if (cfg->modems[i].pool && strcmp(cfg->modems[i].pool, pool) == 0)
			return true;
	}
	return smsd_poolconf_has_pool(cfg, pool); /* issue 15: a [pool NAME] section */
}
