/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The configuration of subscribers to events (issue 16): `[webhook NAME]` (url, events,
 * secret_file, timeout, max_age, concurrency) and `[hook NAME]` (exec, events, timeout,
 * max_age, concurrency). conf.c hands these sections to conf-notify.c; they end up in
 * struct smsd_config as subs[] (freed by smsd_config_free()).
 */
#ifndef SMSD_CONF_NOTIFY_H
#define SMSD_CONF_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#define SMSD_CONFIG_MAX_SUBS	 64
#define SMSD_CONFIG_MAX_PATTERNS 32
#define SMSD_SUB_DEFAULT_EVENTS	 "message.*, sms.received, modem.state_changed, sim.*"

enum smsd_sub_kind { SMSD_SUB_WEBHOOK = 1, SMSD_SUB_HOOK = 2 };

struct smsd_sub_config {
	enum smsd_sub_kind kind;
	char *name;
	char *target;	   /* webhook: url; hook: exec (split like a shell, run without one) */
	char *secret_file; /* webhook only; NULL: no signature */
	char *events[SMSD_CONFIG_MAX_PATTERNS]; /* "message.*", "sms.received", "*" */
	size_t n_events;
	long long timeout;     /* ms: 10s webhook, 30s hook */
	long long max_age;     /* ms: 24h */
	long long concurrency; /* 4 webhook, 2 hook */
	int line;	       /* line of the section header */
	bool seen[8];	       /* keys set (duplicates are errors) */
};

struct smsd_config;

/* Whether a section name is "webhook NAME" or "hook NAME". */
bool smsd_conf_notify_section(const char *section);
/* A new section; @return 0, or -1 with msg set. */
int smsd_conf_notify_enter(struct smsd_config *cfg, const char *section, int line, char *msg,
			   size_t msglen);
/* A key of the current (last entered) section; @return 0, or -1 with msg set. */
int smsd_conf_notify_key(struct smsd_config *cfg, const char *name, const char *value, char *msg,
			 size_t msglen);
/* After the file: required keys, defaults. @return 0, or -1 with *line and msg set. */
int smsd_conf_notify_finish(struct smsd_config *cfg, int *line, char *msg, size_t msglen);
void smsd_conf_notify_free(struct smsd_config *cfg);

/* Whether event @p type matches one of the patterns ("a.b" exactly, "a.*" any "a.x", "*"). */
bool smsd_sub_matches(const struct smsd_sub_config *sc, const char *type);

/*
 * Split a command line like a shell would (blanks separate words; '...' and "..." quote;
 * a backslash escapes the next character outside '...'), without expansion of any kind.
 * @return a NULL-terminated vector (free with smsd_argv_free()), or NULL on a syntax error
 * (unterminated quote, empty command) with msg set.
 */
char **smsd_split_command(const char *s, char *msg, size_t msglen);
void smsd_argv_free(char **argv);

#endif
