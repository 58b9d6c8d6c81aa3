/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * smsctld: the spool daemon. Options, start-up (config, store, recovery, HTTP), the event
 * loop over signals, store completions and every modem, reload and shutdown.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <smsctl/smsctl.h>

#include "config.h" /* the build's: PACKAGE_VERSION */
#include "conf.h"
#include "http.h"
#include "log.h"
#include "notify.h"	   /* issue 16 */
#include "ops.h"	   /* issue 17 */
#include "pool/pool-run.h" /* issue 15 */
#include "smsctld.h"

#define EXIT_CONFIG	  78
#define HEARTBEAT_MS	  5000
#define EXPIRE_MS	  1000
#define RETENTION_MS	  (600 * 1000)
#define RETENTION_BATCH	  500
#define MULTIPART_SCAN_MS 5000

int64_t smsd_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t smsd_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void smsd_wake(struct smsd *d)
{
	uint64_t one = 1;

	if (write(d->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		smsd_log(LOG_ERR, "wake: %s", strerror(errno));
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: smsctld [--config FILE] [--check-config] [--migrate] [--version]\n"
		   "               [--copy-store FROM-URL TO-URL] [-v]\n"
		   "\n"
		   "The smsctl spool daemon: keeps messages in a store, sends them through the\n"
		   "configured modems, receives into the store, serves the HTTP API.\n"
		   "\n"
		   "  --config FILE     configuration (default " SMSD_CONFIG_DEFAULT_PATH ")\n"
		   "  --check-config    check the configuration and exit (0, or 78 with\n"
		   "                    FILE:LINE: message)\n"
		   "  --migrate         create or upgrade the store's schema, then exit\n"
		   "  --copy-store FROM TO  copy every table into an empty store, then exit\n"
		   "  -v, --verbose     debug messages\n"
		   "  --version         print the version and exit\n");
}

/* ---- periodic store work ---- */

struct periodic {
	struct smsd *d;
	int64_t lease, retention;
	bool retry_unknown;
	int rc;
};

/* Set when a retention batch was full: run the next one soon (small batches, each its own
 * short transaction, never one long one). */
static bool retention_more;

static int run_heartbeat(struct store *st, void *arg)
{
	struct periodic *p = arg;
	struct store_recovery rec = {0};
	int rc = store_node_heartbeat(st, PACKAGE_VERSION);

	if (rc == 0)
		rc = store_recover(st, false, p->lease, p->retry_unknown, &rec);
	if (rec.parts_unknown || rec.claims_released)
		smsd_log(LOG_WARNING, "recovery: %d parts unknown, %d claims returned",
			 rec.parts_unknown, rec.claims_released);
	return rc;
}

static int run_expire(struct store *st, void *arg)
{
	return store_expire_due(st, 100);
}

static int run_retention(struct store *st, void *arg)
{
	struct periodic *p = arg;
	int64_t cutoff = store_now(st) - p->retention;

	p->rc = store_retention(st, cutoff, RETENTION_BATCH);
	return p->rc < 0 ? p->rc : 0;
}

static void periodic_done(void *arg, int rc)
{
	struct periodic *p = arg;

	if (p->rc >= RETENTION_BATCH)
		retention_more = true;
	free(arg);
}

static void periodic_submit(struct smsd *d, smsd_store_fn fn)
{
	struct periodic *p = calloc(1, sizeof(*p));

	if (!p)
		return;
	p->d = d;
	p->lease = d->cfg->store.lease;
	p->retention = d->cfg->store.retention;
	p->retry_unknown = d->cfg->send.on_unknown == SMSD_ON_UNKNOWN_RESEND;
	if (smsd_storeq_submit(d->storeq, fn, periodic_done, p) < 0)
		free(p);
}

/* ---- modems and reload ---- */

static int add_modem(struct smsd *d, const struct smsd_modem_config *mc)
{
	struct smsd_modem *mm = smsd_modem_new(d, mc);
	struct smsd_modem **v;

	if (!mm)
		return -1;
	v = realloc(d->modems, (d->n_modems + 1) * sizeof(*v));
	if (!v) {
		smsd_modem_free(mm);
		return -1;
	}
	d->modems = v;
	d->modems[d->n_modems++] = mm;
	return 0;
}

static void reload(struct smsd *d, const char *path)
{
	struct smsd_config *cfg;
	char err[1024];

	if (smsd_config_load(path, &cfg, err, sizeof(err)) < 0) {
		smsd_log(LOG_ERR, "reload refused, keeping the running configuration: %s", err);
		return;
	}
	/* modems no longer configured, or configured differently, retire once idle */
	for (size_t i = 0; i < d->n_modems; i++) {
		struct smsd_modem *mm = d->modems[i];
		const struct smsd_modem_config *mc =
		    smsd_config_find_modem(cfg, smsd_modem_name(mm));
		if (!smsd_modem_is_retired(mm) && (!mc || !smsd_modem_same_config(mm, mc)))
			smsd_modem_retire(mm);
	}
	for (size_t i = 0; i < cfg->n_modems; i++) {
		bool have = false;
		for (size_t k = 0; k < d->n_modems; k++)
			have |= !smsd_modem_is_retired(d->modems[k]) &&
				strcmp(smsd_modem_name(d->modems[k]), cfg->modems[i].name) == 0;
		if (!have)
			add_modem(d, &cfg->modems[i]);
	}
	bool http_same = cfg->http.n_listen == d->cfg->http.n_listen &&
			 !cfg->http.tokens_file == !d->cfg->http.tokens_file &&
			 (!cfg->http.tokens_file ||
			  strcmp(cfg->http.tokens_file, d->cfg->http.tokens_file) == 0) &&
			 cfg->http.max_body == d->cfg->http.max_body &&
			 cfg->http.threads == d->cfg->http.threads;
	for (size_t i = 0; http_same && i < cfg->http.n_listen; i++)
		http_same = strcmp(cfg->http.listen[i], d->cfg->http.listen[i]) == 0;
	if (!http_same)
		smsd_log(LOG_WARNING,
			 "[http] listen, tokens_file, max_body and threads take effect "
			 "at the next start");
	if (strcmp(cfg->store.url, d->cfg->store.url) != 0 ||
	    strcmp(cfg->daemon.node_id, d->cfg->daemon.node_id) != 0)
		smsd_log(LOG_WARNING,
			 "[store] url and [daemon] node_id take effect at the next start");
	pthread_rwlock_wrlock(&d->cfg_lock);
	struct smsd_config *old = d->cfg;
	d->cfg = cfg;
	pthread_rwlock_unlock(&d->cfg_lock);
	smsd_config_free(old);
	smsd_http_set_language(cfg->daemon.language);				   /* issue 16 */
	if (d->notify && smsd_notify_reload(d->notify, cfg, err, sizeof(err)) < 0) /* issue 16 */
		smsd_log(LOG_ERR, "webhooks and hooks not reloaded, the running ones stay: %s",
			 err);
	smsd_log(LOG_INFO, "configuration reloaded: %zu modems", cfg->n_modems);
}

static void reap_retired(struct smsd *d)
{
	for (size_t i = 0; i < d->n_modems;) {
		struct smsd_modem *mm = d->modems[i];
		if (smsd_modem_is_retired(mm) && smsd_modem_is_idle(mm)) {
			smsd_log(LOG_INFO, "modem %s: removed", smsd_modem_name(mm));
			smsd_modem_free(mm);
			d->modems[i] = d->modems[--d->n_modems];
			continue;
		}
		i++;
	}
}

/* ---- the loop ---- */

static int run_loop(struct smsd *d, const char *config_path, int sfd)
{
	int64_t next_heartbeat = 0, next_expire = 0, next_retention = 0;
	int64_t next_multipart = smsd_mono_ms() + MULTIPART_SCAN_MS;
	struct pollfd *pfd = NULL;
	size_t cap = 0, rotate = 0;

	for (;;) {
		int64_t now = smsd_mono_ms();
		if (!d->stopping) {
			if (now >= next_heartbeat) {
				periodic_submit(d, run_heartbeat);
				next_heartbeat = now + HEARTBEAT_MS;
			}
			if (now >= next_expire) {
				periodic_submit(d, run_expire);
				next_expire = now + EXPIRE_MS;
			}
			if (now >= next_multipart) {
				smsd_multipart_scan(d);
				next_multipart = now + MULTIPART_SCAN_MS;
			}
			if (retention_more) {
				retention_more = false;
				next_retention = now + 200;
			}
			if (now >= next_retention) {
				periodic_submit(d, run_retention);
				next_retention = now + RETENTION_MS;
			}
		}
		/* a rotating start, so that idle modems take turns at new work (issue 15's
		 * scheduler weighs them properly) */
		int ready = 0;
		rotate++;
		for (size_t k = 0; k < d->n_modems; k++) {
			struct smsd_modem *mm = d->modems[(k + rotate) % d->n_modems];
			smsd_modem_tick(mm, now);
			ready += smsd_modem_is_ready(mm) ? 1 : 0;
		}
		atomic_store(&d->modems_ready, ready);
		reap_retired(d);
		smsd_ops_tick(d, now); /* ops (issue 17): gauges, STATUS=, the watchdog */
		int notify_wait = smsd_notify_tick(d, smsd_mono_ms());
		if (d->stopping) {
			bool idle = true;
			for (size_t i = 0; i < d->n_modems; i++)
				idle &= smsd_modem_is_idle(d->modems[i]);
			if (idle)
				break;
			if (now >= d->stop_deadline) {
				smsd_log(LOG_ERR, "shutdown_timeout passed with a send in flight");
				break;
			}
		}

		size_t n = 3 + d->n_modems;
		if (n > cap) {
			struct pollfd *p = realloc(pfd, n * sizeof(*p));
			if (!p)
				break;
			pfd = p;
			cap = n;
		}
		pfd[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = smsd_storeq_get_fd(d->storeq), .events = POLLIN};
		pfd[2] = (struct pollfd){.fd = d->wake_fd, .events = POLLIN};
		int timeout = next_expire - now < HEARTBEAT_MS ? (int)(next_expire - now) : 1000;
		if (timeout < 0)
			timeout = 0;
		for (size_t i = 0; i < d->n_modems; i++) {
			pfd[3 + i] = (struct pollfd){.fd = smsd_modem_get_fd(d->modems[i]),
						     .events = POLLIN};
			int t = smsd_modem_get_timeout(d->modems[i], now);
			if (t >= 0 && t < timeout)
				timeout = t;
		}
		if (d->stopping && timeout > 100)
			timeout = 100;
		if (notify_wait < timeout)
			timeout = notify_wait < 0 ? 0 : notify_wait;
		int rc = poll(pfd, n, timeout);
		if (rc < 0 && errno != EINTR) {
			smsd_log(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (rc <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					smsd_notify("RELOADING=1"); /* ops (issue 17) */
					reload(d, config_path);
					smsd_notify("READY=1");
				} else if (si.ssi_signo == SIGUSR2) {
					/* ops (issue 17), test builds only: a hung loop */
					smsd_log(LOG_WARNING,
						 "SIGUSR2: the event loop freezes (test)");
					for (;;)
						pause();
				} else if (!d->stopping) {
					smsd_notify("STOPPING=1"); /* ops (issue 17) */
					smsd_log(LOG_INFO, "stopping (signal %u)", si.ssi_signo);
					d->stopping = true;
					d->stop_deadline =
					    smsd_mono_ms() + d->cfg->daemon.shutdown_timeout;
					smsd_http_stop(d->http);
					d->http = NULL;
				}
			}
		}
		if (pfd[1].revents & POLLIN)
			smsd_storeq_dispatch(d->storeq);
		if (pfd[2].revents & POLLIN) {
			uint64_t v;
			if (read(d->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				smsd_log(LOG_ERR, "wake: %s", strerror(errno));
			for (size_t i = 0; i < d->n_modems; i++)
				smsd_modem_poke(d->modems[i]);
		}
		for (size_t i = 0; i < n - 3 && i < d->n_modems; i++) {
			if (pfd[3 + i].fd >= 0 &&
			    (pfd[3 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				smsd_modem_process(d->modems[i]);
		}
	}
	free(pfd);
	return 0;
}

static int open_store(const struct smsd_config *cfg, unsigned flags, struct store **st)
{
	char *msg = NULL;
	int rc = store_open(cfg->store.url, cfg->daemon.node_id, flags, st, &msg);

	if (rc < 0) {
		fprintf(stderr, "smsctld: store %s: %s\n", cfg->store.url,
			msg ? msg : store_strerror(rc));
		free(msg);
		return -1;
	}
	free(msg);
	return 0;
}

static void copy_progress(void *ctx, const char *table, int64_t rows)
{
	(void)ctx;
	printf("%s: %lld rows\n", table, (long long)rows);
	fflush(stdout);
}

/* smsctld --copy-store FROM TO: exit 0 copied, 64 bad URL (or FROM = TO), 65 refused (target
 * not empty, source without the schema or at another version, source in use), 1 other. */
static int copy_store(const char *from, const char *to)
{
	char *msg = NULL;
	int rc = store_copy(from, to, "copy-store", copy_progress, NULL, &msg);

	if (rc == 0) {
		printf("copied %s to %s\n", from, to);
		return 0;
	}
	fprintf(stderr, "smsctld: --copy-store: %s\n", msg ? msg : store_strerror(rc));
	free(msg);
	switch (rc) {
	case STORE_ERR_INVALID:
		return 64;
	case STORE_ERR_NOT_EMPTY:
	case STORE_ERR_NOT_FOUND:
	case STORE_ERR_SCHEMA_OLDER:
	case STORE_ERR_SCHEMA_NEWER:
	case STORE_ERR_LOCKED:
		return 65;
	default:
		return 1;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'}, {"check-config", no_argument, NULL, 'C'},
	    {"migrate", no_argument, NULL, 'M'},      {"version", no_argument, NULL, 'V'},
	    {"copy-store", no_argument, NULL, 'S'},   {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	const char *config_path = SMSD_CONFIG_DEFAULT_PATH;
	bool check = false, migrate = false, copy = false;
	struct smsd d = {0};
	char err[1024];
	int c;

	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'M':
			migrate = true;
			break;
		case 'S':
			copy = true;
			break;
		case 'v':
			smsd_log_set_level(LOG_DEBUG);
			break;
		case 'V':
			printf("smsctld %s (libsmsctl %s)\n", PACKAGE_VERSION, smsctl_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (copy) {
		if (argc - optind != 2) {
			fprintf(stderr, "smsctld: --copy-store needs FROM-URL and TO-URL\n");
			return 64;
		}
		return copy_store(argv[optind], argv[optind + 1]);
	}
	if (optind < argc) {
		fprintf(stderr, "smsctld: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 64;
	}
	if (smsd_config_load(config_path, &d.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_CONFIG;
	}
	if (d.cfg->http.tokens_file &&
	    smsd_http_check_tokens(d.cfg->http.tokens_file, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		smsd_config_free(d.cfg);
		return EXIT_CONFIG;
	}
	smsd_pool_set_language(d.cfg->daemon.language); /* issue 15: texts inside events */
	smsd_http_set_language(d.cfg->daemon.language); /* issue 16: API error messages */
	if (check) {
		smsd_config_free(d.cfg);
		return 0;
	}

	struct store *st = NULL;
	if (open_store(d.cfg, migrate || d.cfg->store.auto_migrate ? STORE_OPEN_MIGRATE : 0, &st) <
	    0) {
		smsd_config_free(d.cfg);
		return 1;
	}
	if (migrate) {
		printf("schema version %d\n", store_schema_version(st));
		store_close(st);
		smsd_config_free(d.cfg);
		return 0;
	}
	struct store_recovery rec = {0};
	if (store_recover(st, true, d.cfg->store.lease,
			  d.cfg->send.on_unknown == SMSD_ON_UNKNOWN_RESEND, &rec) < 0)
		smsd_log(LOG_ERR, "recovery failed: %s", store_errmsg(st));
	if (rec.parts_unknown)
		smsd_log(LOG_WARNING,
			 "%d parts were left sending by the last run: now unknown, not resent",
			 rec.parts_unknown);

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	smsd_notify_init(); /* ops (issue 17) */
	if (smsd_notify_test_freeze_enabled())
		sigaddset(&mask, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

	pthread_rwlock_init(&d.cfg_lock, NULL);
	d.sim_record_dir = getenv("SMSCTLD_SIM_RECORD");
	d.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	d.storeq = smsd_storeq_start(st);
	d.metrics = smsd_metrics_new(); /* ops (issue 17) */
	if (d.storeq && d.metrics)
		smsd_storeq_set_observer(d.storeq, smsd_metrics_commit, d.metrics);
	if (sfd < 0 || d.wake_fd < 0 || !d.storeq || !d.metrics) {
		fprintf(stderr, "smsctld: cannot start: %s\n", strerror(errno));
		return 1;
	}
	/* issue 16: webhooks and hooks, before the API and the modems write new events */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	d.notify = smsd_notify_start(&d, err, sizeof(err));
	if (!d.notify) {
		fprintf(stderr, "smsctld: %s\n", err);
		smsd_storeq_stop(d.storeq);
		return 1;
	}
	d.http = smsd_api_start(&d, err, sizeof(err));
	if (!d.http) {
		fprintf(stderr, "smsctld: http: %s\n", err);
		smsd_notify_stop(d.notify); /* issue 16 */
		smsd_storeq_stop(d.storeq);
		return 1;
	}
	atomic_store(&d.serving, true);
	if (d.cfg->send.submit_mode == SMSD_SUBMIT_STORAGE)
		smsd_log(LOG_INFO, "[send] submit_mode = storage: AT+CMGW, then AT+CMSS (each "
				   "modem probed by its first part)");
	for (size_t i = 0; i < d.cfg->n_modems; i++)
		add_modem(&d, &d.cfg->modems[i]);
	smsd_log(LOG_INFO, "started: node %s, %zu modems, store %s", d.cfg->daemon.node_id,
		 d.cfg->n_modems, store_backend_name(st));
	/* ops (issue 17): the store is open and the listeners accept connections */
	smsd_notify("READY=1\nSTATUS=0/%zu modems ready, starting", d.cfg->n_modems);

	run_loop(&d, config_path, sfd);

	smsd_http_stop(d.http);
	for (size_t i = 0; i < d.n_modems; i++)
		smsd_modem_free(d.modems[i]);
	free(d.modems);
	smsd_notify_stop(d.notify); /* issue 16: records what ended, abandons what flies */
	/* the modems' last jobs (gone states) run before the store closes */
	smsd_storeq_stop(d.storeq);
	curl_global_cleanup();
	smsd_metrics_free(d.metrics); /* ops (issue 17) */
	smsd_config_free(d.cfg);
	close(sfd);
	close(d.wake_fd);
	smsd_log(LOG_INFO, "stopped");
	return 0;
}
