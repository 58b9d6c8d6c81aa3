/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One hook attempt (issue 16): the `exec` program (split like a shell, run without one) in a
 * process group of its own, the event's body on stdin, SMSCTL_EVENT_TYPE, SMSCTL_EVENT_ID,
 * SMSCTL_MESSAGE_ID, SMSCTL_MODEM and SMSCTL_LANG in its environment. Exit 0 is done;
 * anything else, or the timeout (the whole process group is killed), is retried like a
 * webhook. stdout and stderr are logged, cut at 4 KiB. It runs in the notifier's thread,
 * beside sending and receiving, never in their path.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "smsctld.h"

extern char **environ;

#define OUTPUT_MAX 4096

/* The environment of the hook: ours without SMSCTL_*, then the event's variables. */
static char **hook_env(const struct store_event *ev, const char *lang)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 6, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "SMSCTL_", 7) != 0)
			env[k++] = strdup(environ[i]);
	const char *names[] = {"SMSCTL_EVENT_TYPE", "SMSCTL_EVENT_ID", "SMSCTL_MESSAGE_ID",
			       "SMSCTL_MODEM", "SMSCTL_LANG"};
	const char *vals[] = {ev->type, ev->id, ev->message_id, ev->modem, lang};
	for (size_t i = 0; i < 5; i++) {
		size_t len = strlen(names[i]) + 2 + (vals[i] ? strlen(vals[i]) : 0);
		if ((env[k] = malloc(len)))
			snprintf(env[k], len, "%s=%s", names[i], vals[i] ? vals[i] : "");
		k++;
	}
	for (size_t i = 0; i < k; i++) {
		if (!env[i]) {
			for (size_t j = 0; j < k; j++)
				free(env[j]);
			free(env);
			return NULL;
		}
	}
	return env;
}

int smsd_hook_begin(struct smsd_attempt *a, char *const *argv, const struct smsd_sub_config *sc,
		    const struct store_event *ev, const char *lang)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char **env = hook_env(ev, lang);
	sigset_t none;
	int rc;

	a->deadline = smsd_mono_ms() + sc->timeout;
	if (!env || !a->body || pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		snprintf(a->error, sizeof(a->error), "cannot start: %s",
			 env && a->body ? strerror(errno) : "out of memory");
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none); /* the daemon blocks signals; the hook not */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	sigset_t all;
	sigfillset(&all);
	posix_spawnattr_setsigdefault(&attr, &all);
	rc = posix_spawnp(&a->pid, argv[0], &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		a->pid = -1;
		snprintf(a->error, sizeof(a->error), "cannot run %s: %s", argv[0], strerror(rc));
		goto fail;
	}
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	/* the body (a few KiB at most) fits the pipe; a hook that does not read it still runs */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	size_t len = strlen(a->body);
	if (write(in[1], a->body, len) != (ssize_t)len)
		smsd_log(LOG_WARNING, "hook %s: event %s: the body was not written whole", sc->name,
			 a->event_id);
	close(in[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	a->out_fd = out[0];
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
	return -1;
}

static void drain(struct smsd_attempt *a)
{
	char buf[4096];
	ssize_t r;

	while (a->out_fd >= 0 && (r = read(a->out_fd, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			break;
		}
		size_t room = OUTPUT_MAX - a->out_len;
		size_t take = (size_t)r < room ? (size_t)r : room;
		memcpy(a->out + a->out_len, buf, take);
		a->out_len += take;
		a->out_cut |= take < (size_t)r;
	}
	if (a->out_fd >= 0)
		close(a->out_fd); /* EOF (or an error): the output is complete */
	a->out_fd = -1;
}

static void log_output(const struct smsd_attempt *a, int prio)
{
	size_t len = a->out_len;

	while (len && (a->out[len - 1] == '\n' || a->out[len - 1] == '\r'))
		len--;
	if (len)
		smsd_log(prio, "%s: event %s output%s: %.*s", a->who, a->event_id,
			 a->out_cut ? " (cut at 4 KiB)" : "", (int)len, a->out);
}

bool smsd_hook_poll(struct smsd_attempt *a, int64_t now_mono)
{
	int status;
	pid_t r;

	drain(a);
	r = waitpid(a->pid, &status, WNOHANG);
	if (r == 0) {
		if (now_mono < a->deadline)
			return false;
		kill(-a->pid, SIGKILL); /* the whole group: children of a shell script too */
		waitpid(a->pid, &status, 0);
		drain(a);
		a->pid = -1;
		a->result = SMSD_ATTEMPT_RETRY;
		snprintf(a->error, sizeof(a->error), "timed out: killed");
		log_output(a, LOG_WARNING);
		if (a->out_fd >= 0)
			close(a->out_fd);
		a->out_fd = -1;
		return true;
	}
	/* what it wrote just before exiting; its own children may still hold the pipe: kill
	 * the group and keep what came */
	drain(a);
	kill(-a->pid, SIGKILL);
	a->pid = -1;
	if (a->out_fd >= 0)
		close(a->out_fd);
	a->out_fd = -1;
	if (r < 0) {
		a->result = SMSD_ATTEMPT_RETRY;
		snprintf(a->error, sizeof(a->error), "waitpid: %s", strerror(errno));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		a->result = SMSD_ATTEMPT_OK;
		a->status = 0;
	} else {
		a->result = SMSD_ATTEMPT_RETRY;
		a->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		snprintf(a->error, sizeof(a->error), WIFEXITED(status) ? "exit %d" : "signal %d",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
	log_output(a, a->result == SMSD_ATTEMPT_OK ? LOG_INFO : LOG_WARNING);
	return true;
}

void smsd_hook_abort(struct smsd_attempt *a)
{
	int status;

	if (a->pid > 0) {
		kill(-a->pid, SIGKILL);
		waitpid(a->pid, &status, 0);
		a->pid = -1;
	}
	if (a->out_fd >= 0)
		close(a->out_fd);
	a->out_fd = -1;
}
