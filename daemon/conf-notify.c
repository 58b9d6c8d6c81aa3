/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `[webhook NAME]` and `[hook NAME]` sections (issue 16): parsed here so that conf.c only
 * hands them over. Errors are returned as messages; conf.c adds the file and the line.
 */
#include "conf-notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

enum { K_URL, K_EXEC, K_EVENTS, K_SECRET, K_TIMEOUT, K_MAX_AGE, K_CONCURRENCY };
static const char *const key_names[] = {"url",	   "exec",    "events",	     "secret_file",
					"timeout", "max_age", "concurrency", NULL};

bool smsd_conf_notify_section(const char *section)
{
	return strncmp(section, "webhook ", 8) == 0 || strncmp(section, "hook ", 5) == 0;
}

int smsd_conf_notify_enter(struct smsd_config *cfg, const char *section, int line, char *msg,
			   size_t msglen)
{
	bool webhook = strncmp(section, "webhook ", 8) == 0;
	const char *name = section + (webhook ? 8 : 5);
	struct smsd_sub_config *v, *sc;

	while (*name == ' ')
		name++;
	if (!smsd_config_valid_name(name)) {
		snprintf(msg, msglen, "[%s]: a name is 1 to 64 letters, digits, '_', '-' or '.'",
			 section);
		return -1;
	}
	for (size_t i = 0; i < cfg->n_subs; i++) {
		if ((cfg->subs[i].kind == SMSD_SUB_WEBHOOK) == webhook &&
		    strcmp(cfg->subs[i].name, name) == 0) {
			snprintf(msg, msglen, "[%s] appears twice", section);
			return -1;
		}
	}
	if (cfg->n_subs >= SMSD_CONFIG_MAX_SUBS) {
		snprintf(msg, msglen, "more than %d webhooks and hooks", SMSD_CONFIG_MAX_SUBS);
		return -1;
	}
	v = realloc(cfg->subs, (cfg->n_subs + 1) * sizeof(*v));
	if (!v) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	cfg->subs = v;
	sc = &v[cfg->n_subs];
	memset(sc, 0, sizeof(*sc));
	sc->kind = webhook ? SMSD_SUB_WEBHOOK : SMSD_SUB_HOOK;
	sc->line = line;
	sc->name = strdup(name);
	if (!sc->name) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	cfg->n_subs++;
	return 0;
}

/* "message.*, sms.received": comma-separated patterns, each "*", "a.*" or a plain name. */
static int set_events(struct smsd_sub_config *sc, const char *value, char *msg, size_t msglen)
{
	const char *s = value;

	for (size_t i = 0; i < sc->n_events; i++)
		free(sc->events[i]);
	sc->n_events = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		bool ok = len > 0 && len < 64;
		for (size_t k = 0; ok && k < len; k++) {
			char c = s[k];
			ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
			     (c == '.' && k > 0) ||
			     (c == '*' && k == len - 1 && (k == 0 || s[k - 1] == '.'));
		}
		if (!ok) {
			snprintf(msg, msglen,
				 "events: '%.*s' is not an event type or pattern (message.sent, "
				 "message.*, *)",
				 (int)(len < 64 ? len : 64), s);
			return -1;
		}
		if (sc->n_events >= SMSD_CONFIG_MAX_PATTERNS) {
			snprintf(msg, msglen, "events: more than %d patterns",
				 SMSD_CONFIG_MAX_PATTERNS);
			return -1;
		}
		if (!(sc->events[sc->n_events] = strndup(s, len))) {
			snprintf(msg, msglen, "out of memory");
			return -1;
		}
		sc->n_events++;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

int smsd_conf_notify_key(struct smsd_config *cfg, const char *name, const char *value, char *msg,
			 size_t msglen)
{
	struct smsd_sub_config *sc = &cfg->subs[cfg->n_subs - 1];
	bool webhook = sc->kind == SMSD_SUB_WEBHOOK;
	int k = -1;

	for (int i = 0; key_names[i]; i++)
		if (strcmp(key_names[i], name) == 0)
			k = i;
	if (k < 0 || (k == K_URL && !webhook) || ((k == K_EXEC) && webhook) ||
	    (k == K_SECRET && !webhook)) {
		snprintf(msg, msglen, "unknown key '%s' in [%s %s]", name,
			 webhook ? "webhook" : "hook", sc->name);
		return -1;
	}
	if (sc->seen[k]) {
		snprintf(msg, msglen, "'%s' is set twice in [%s %s]", name,
			 webhook ? "webhook" : "hook", sc->name);
		return -1;
	}
	sc->seen[k] = true;
	if (!*value) {
		snprintf(msg, msglen, "%s: empty value", name);
		return -1;
	}
	switch (k) {
	case K_URL:
		if (strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) {
			snprintf(msg, msglen, "url: '%s' is not an http:// or https:// URL", value);
			return -1;
		}
		/* fall through */
	case K_EXEC:
		if (k == K_EXEC) {
			char **argv = smsd_split_command(value, msg, msglen);
			if (!argv)
				return -1;
			smsd_argv_free(argv);
		}
		sc->target = strdup(value);
		break;
	case K_SECRET:
		sc->secret_file = strdup(value);
		break;
	case K_EVENTS:
		return set_events(sc, value, msg, msglen);
	case K_TIMEOUT:
	case K_MAX_AGE: {
		long long *dst = k == K_TIMEOUT ? &sc->timeout : &sc->max_age;
		if (smsd_parse_duration(value, dst) < 0) {
			snprintf(msg, msglen,
				 "%s: '%s' is not a duration (30s, 10m, 6h, 7d; at least 1s)", name,
				 value);
			return -1;
		}
		return 0;
	}
	case K_CONCURRENCY: {
		char *end;
		errno = 0;
		long long v = strtoll(value, &end, 10);
		if (errno || *end || value[0] < '0' || value[0] > '9' || v < 1 || v > 64) {
			snprintf(msg, msglen,
				 "concurrency: '%s' is not a whole number from 1 to 64", value);
			return -1;
		}
		sc->concurrency = v;
		return 0;
	}
	}
	if ((k == K_URL || k == K_EXEC) ? !sc->target : !sc->secret_file) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	return 0;
}

int smsd_conf_notify_finish(struct smsd_config *cfg, int *line, char *msg, size_t msglen)
{
	for (size_t i = 0; i < cfg->n_subs; i++) {
		struct smsd_sub_config *sc = &cfg->subs[i];
		bool webhook = sc->kind == SMSD_SUB_WEBHOOK;
		if (!sc->target) {
			*line = sc->line;
			snprintf(msg, msglen, "[%s %s] has no '%s'", webhook ? "webhook" : "hook",
				 sc->name, webhook ? "url" : "exec");
			return -1;
		}
		if (!sc->n_events && set_events(sc, SMSD_SUB_DEFAULT_EVENTS, msg, msglen) < 0) {
			*line = sc->line;
			return -1;
		}
		if (!sc->timeout)
			sc->timeout = webhook ? 10 * 1000 : 30 * 1000;
		if (!sc->max_age)
			sc->max_age = 24LL * 3600 * 1000;
		if (!sc->concurrency)
			sc->concurrency = webhook ? 4 : 2;
	}
	return 0;
}

void smsd_conf_notify_free(struct smsd_config *cfg)
{
	for (size_t i = 0; i < cfg->n_subs; i++) {
		struct smsd_sub_config *sc = &cfg->subs[i];
		free(sc->name);
		free(sc->target);
		free(sc->secret_file);
		for (size_t k = 0; k < sc->n_events; k++)
			free(sc->events[k]);
	}
	free(cfg->subs);
	cfg->subs = NULL;
	cfg->n_subs = 0;
}

bool smsd_sub_matches(const struct smsd_sub_config *sc, const char *type)
{
	for (size_t i = 0; i < sc->n_events; i++) {
		const char *p = sc->events[i];
		size_t n = strlen(p);
		if (strcmp(p, "*") == 0 || strcmp(p, type) == 0)
			return true;
		if (n >= 2 && p[n - 1] == '*' && strncmp(p, type, n - 1) == 0 && type[n - 1])
			return true;
	}
	return false;
}

void smsd_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

char **smsd_split_command(const char *s, char *msg, size_t msglen)
{
	size_t cap = 8, n = 0, len = strlen(s);
	char **argv = calloc(cap, sizeof(*argv));
	char *word = malloc(len + 1);
	size_t wl = 0;
	bool in_word = false;

	if (!argv || !word)
		goto oom;
	for (const char *p = s;; p++) {
		char c = *p;
		if (c == '\0' || c == ' ' || c == '\t' || c == '\n') {
			if (in_word) {
				if (n + 2 > cap) {
					char **v = realloc(argv, (cap *= 2) * sizeof(*argv));
					if (!v)
						goto oom;
					argv = v;
				}
				word[wl] = '\0';
				if (!(argv[n++] = strdup(word)))
					goto oom;
				argv[n] = NULL;
				wl = 0;
				in_word = false;
			}
			if (c == '\0')
				break;
			continue;
		}
		in_word = true;
		if (c == '\'') {
			const char *q = strchr(p + 1, '\'');
			if (!q) {
				snprintf(msg, msglen, "exec: a ' without its closing '");
				goto fail;
			}
			memcpy(word + wl, p + 1, (size_t)(q - p - 1));
			wl += (size_t)(q - p - 1);
			p = q;
		} else if (c == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' &&
				    (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`'))
					p++;
				word[wl++] = *p;
			}
			if (!*p) {
				snprintf(msg, msglen, "exec: a \" without its closing \"");
				goto fail;
			}
		} else if (c == '\\') {
			if (!p[1]) {
				snprintf(msg, msglen, "exec: a \\ at the end");
				goto fail;
			}
			word[wl++] = *++p;
		} else {
			word[wl++] = c;
		}
	}
	free(word);
	if (n == 0) {
		snprintf(msg, msglen, "exec: no program");
		smsd_argv_free(argv);
		return NULL;
	}
	return argv;
oom:
	snprintf(msg, msglen, "out of memory");
fail:
	free(word);
	smsd_argv_free(argv);
	return NULL;
}
