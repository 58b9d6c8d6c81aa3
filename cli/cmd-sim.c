/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smsctl sim serve: simulated modems outside any client, each on a pseudo-terminal (a
 * symlink DIR/simN to it) or a TCP port on 127.0.0.1, with a control socket (sim-control.c).
 *
 * One thread, one poll loop. Each modem is a standalone smsctl_sim (the library's sim:
 * modem without a thread): bytes from its line go to smsctl_sim_write(), what it answers comes
 * from smsctl_sim_read() when due, and smsctl_sim_get_timeout() bounds the poll.
 *
 * A client that goes away never resets a modem: smsctl_sim_hangup() only forgets a
 * half-written line. A pty keeps its master: with no slave open the master reads EIO and
 * polls POLLHUP, so the master leaves the poll set and is looked at again every
 * PTY_CHECK_MS until a client opened the slave. On TCP the newest connection wins (a client
 * killed with -9 may not have been noticed yet). The `unplug` fault closes the line (the pty
 * goes away with its link, the TCP client is closed and the port refuses connections) and the
 * modem comes back SERVE_REPLUG_MS later, powered up with its storage and counters. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sim-serve.h"

#define PTY_CHECK_MS 50

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void sim_usage(FILE *f)
{
	fputs(_("Usage: smsctl sim serve [OPTIONS] [DEVICE-OPTIONS...]\n"
		"Serve simulated modems to other programs until SIGTERM or SIGINT: each on a\n"
		"pseudo-terminal or a TCP port, with the profiles, faults and latency of sim:.\n"
		"A client that goes away or is killed never resets a modem.\n\n"
		"  -n, --count N          how many modems (default: one per DEVICE-OPTIONS)\n"
		"  -l, --link-dir DIR     a pseudo-terminal per modem, linked as DIR/sim0,\n"
		"                         DIR/sim1 ... (default: the current directory)\n"
		"  -p, --tcp-base PORT    a TCP port per modem on 127.0.0.1 instead: PORT,\n"
		"                         PORT+1 ...\n"
		"  -c, --control SOCKET   a Unix socket taking JSON lines: deliver, fault,\n"
		"                         records, state, list, replug (see smsctl(1))\n"
		"  -j, --json             print one JSON object per modem once it is served\n"
		"  -h, --help             show this help\n\n"
		"DEVICE-OPTIONS is a sim: device string (sim:PROFILE?fault=A,B&latency=MS);\n"
		"with several, modem i takes the i-th (counting around). Without one: sim:.\n"
		"Modem i gets id=i (its own IMEI, ICCID, IMSI) unless the string sets id=.\n"),
	      f);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- Lines ---- */

static int open_pty(struct served *m)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	const char *name = NULL;
	if (grantpt(fd) < 0 || unlockpt(fd) < 0 || !(name = ptsname(fd)) ||
	    strlen(name) >= sizeof(m->pts)) {
		int e = errno ? errno : ENAMETOOLONG;
		close(fd);
		return -e;
	}
	snprintf(m->pts, sizeof(m->pts), "%s", name);
	/* Raw before any client: a cooked slave would echo the modem's output back to it. */
	int s = open(m->pts, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s >= 0) {
		struct termios t;
		if (tcgetattr(s, &t) == 0) {
			cfmakeraw(&t);
			tcsetattr(s, TCSANOW, &t);
		}
		close(s);
	}
	/* The link replaces a stale one atomically. */
	size_t ln = strlen(m->link) + 8;
	char *tmp = malloc(ln);
	if (!tmp) {
		close(fd);
		return -ENOMEM;
	}
	snprintf(tmp, ln, "%s.new", m->link);
	unlink(tmp);
	if (symlink(m->pts, tmp) < 0 || rename(tmp, m->link) < 0) {
		int e = errno;
		unlink(tmp);
		free(tmp);
		close(fd);
		return -e;
	}
	free(tmp);
	m->master = fd;
	m->connected = false;
	m->check_at = 0;
	return 0;
}

static int open_tcp(struct served *m)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)m->port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	m->listen_fd = fd;
	return 0;
}

/* The client went away: the modem forgets a half-written line, keeps the rest. */
static void drop_client(struct served *m)
{
	if (m->port && m->client >= 0) {
		close(m->client);
		m->client = -1;
	}
	if (m->connected)
		smsctl_sim_hangup(m->sim);
	m->connected = false;
	m->out_len = m->out_off = 0;
	m->check_at = mono_ms() + PTY_CHECK_MS;
}

static void unplug_line(struct served *m)
{
	drop_client(m);
	if (m->master >= 0) {
		close(m->master);
		m->master = -1;
		unlink(m->link);
	}
	m->unplugged_at = mono_ms();
	m->unplugs++;
}

static int plug_line(struct served *m)
{
	m->unplugged_at = 0;
	return m->link ? open_pty(m) : 0;
}

void serve_replug(struct server *s, struct served *m)
{
	(void)s;
	if (!m->unplugged_at)
		unplug_line(m);
	smsctl_sim_replug(m->sim);
	if (plug_line(m) < 0)
		m->unplugged_at = mono_ms(); /* try again later */
}

static void accept_tcp(struct served *m)
{
	int one = 1;
	int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (m->unplugged_at) {
		close(fd);
		return;
	}
	drop_client(m); /* the newest connection wins */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	m->client = fd;
	m->connected = true;
	m->connects++;
}

static int line_fd(const struct served *m)
{
	return m->port ? m->client : m->master;
}

/* Host to modem: one read a turn, and only while the host took every answer (the loop polls
 * for input only then), so a host that writes and never reads cannot make the modem's output
 * queue grow: TCP's and the pty's flow control hold it back. */
static void read_line(struct served *m)
{
	uint8_t buf[4096];
	ssize_t n = read(line_fd(m), buf, sizeof(buf));
	if (n > 0) {
		smsctl_sim_write(m->sim, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	drop_client(m); /* EOF, or EIO: the pty's last client closed it */
}

/* Modem to host: what is due, as far as the line takes it. Without a client the modem talks
 * to nobody, as a real one does. */
static void write_line(struct served *m)
{
	for (;;) {
		if (m->out_off == m->out_len) {
			int n = smsctl_sim_read(m->sim, m->out, sizeof(m->out));
			if (n <= 0)
				return;
			m->out_off = 0;
			m->out_len = (size_t)n;
		}
		if (!m->connected) {
			m->out_off = m->out_len;
			continue;
		}
		ssize_t w = m->port
				? send(m->client, m->out + m->out_off, m->out_len - m->out_off,
				       MSG_DONTWAIT | MSG_NOSIGNAL)
				: write(m->master, m->out + m->out_off, m->out_len - m->out_off);
		if (w < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				drop_client(m);
			return;
		}
		m->out_off += (size_t)w;
	}
}

/* A pty without a client: has one opened the slave since? */
static void check_pty(struct served *m, uint64_t now)
{
	if (m->connected || m->master < 0 || now < m->check_at)
		return;
	struct pollfd p = {.fd = m->master, .events = POLLIN};
	if (poll(&p, 1, 0) >= 0 && !(p.revents & POLLHUP)) {
		m->connected = true;
		m->connects++;
	} else {
		m->check_at = now + PTY_CHECK_MS;
	}
}

/* ---- Setup and loop ---- */

static void print_modem(const struct cli *cli, const struct served *m, size_t i)
{
	if (cli->json) {
		printf("{\"modem\": %zu, \"name\": \"%s\", \"path\": ", i, m->name);
		if (m->link)
			printf("\"%s\", \"pty\": \"%s\", \"port\": null", m->link, m->pts);
		else
			printf("null, \"pty\": null, \"port\": %u", m->port);
		printf(", \"profile\": \"%s\"}\n", smsctl_sim_get_profile(m->sim));
	} else if (m->link) {
		printf("%s: %s -> %s (%s)\n", m->name, m->link, m->pts,
		       smsctl_sim_get_profile(m->sim));
	} else {
		printf("%s: tcp:127.0.0.1:%u (%s)\n", m->name, m->port,
		       smsctl_sim_get_profile(m->sim));
	}
}

static int add_fd(struct pollfd *p, size_t *n, int fd, short ev)
{
	p[*n].fd = fd;
	p[*n].events = ev;
	p[*n].revents = 0;
	return (int)(*n)++;
}

static void serve_loop(struct server *s)
{
	struct pollfd pfd[SERVE_MAX_MODEMS * 2 + CTL_MAX_CLIENTS + 1];
	int idx_line[SERVE_MAX_MODEMS], idx_listen[SERVE_MAX_MODEMS], idx_cl[CTL_MAX_CLIENTS];
	sigset_t run_mask;

	sigprocmask(SIG_SETMASK, NULL, &run_mask);
	sigdelset(&run_mask, SIGTERM);
	sigdelset(&run_mask, SIGINT);
	while (!stop_signal) {
		uint64_t now = mono_ms();
		long timeout = -1;
		size_t n = 0;

		for (size_t i = 0; i < s->n; i++) {
			struct served *m = &s->m[i];
			idx_line[i] = idx_listen[i] = -1;
			if (!m->unplugged_at && smsctl_sim_is_unplugged(m->sim))
				unplug_line(m);
			if (m->unplugged_at) {
				if (now >= m->unplugged_at + SERVE_REPLUG_MS)
					serve_replug(s, m);
				if (m->unplugged_at) {
					uint64_t at = m->unplugged_at + SERVE_REPLUG_MS;
					long d = at > now ? (long)(at - now) : 0;
					if (timeout < 0 || d < timeout)
						timeout = d;
				}
			}
			if (m->port && m->listen_fd >= 0)
				idx_listen[i] = add_fd(pfd, &n, m->listen_fd, POLLIN);
			check_pty(m, now);
			write_line(m);
			if (m->connected && line_fd(m) >= 0)
				/* A client that does not read is not read either: what the
				 * modem answers stays bounded (TCP's and the pty's own flow). */
				idx_line[i] = add_fd(pfd, &n, line_fd(m),
						     m->out_off < m->out_len ? POLLOUT : POLLIN);
			else if (m->master >= 0 && !m->connected) {
				long d = m->check_at > now ? (long)(m->check_at - now) : 0;
				if (timeout < 0 || d < timeout)
					timeout = d;
			}
			int t = smsctl_sim_get_timeout(m->sim);
			if (t >= 0 && (timeout < 0 || t < timeout))
				timeout = t;
		}
		int idx_ctl = s->ctl_fd >= 0 ? add_fd(pfd, &n, s->ctl_fd, POLLIN) : -1;
		for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
			struct ctl_client *c = &s->cl[i];
			idx_cl[i] =
			    c->fd >= 0
				? add_fd(pfd, &n, c->fd,
					 (short)(POLLIN | (c->out_len > c->out_off ? POLLOUT : 0)))
				: -1;
		}

		struct timespec ts, *tsp = NULL;
		if (timeout >= 0) {
			ts.tv_sec = timeout / 1000;
			ts.tv_nsec = (timeout % 1000) * 1000000L;
			tsp = &ts;
		}
		int r = ppoll(pfd, (nfds_t)n, tsp, &run_mask);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		for (size_t i = 0; i < s->n; i++) {
			struct served *m = &s->m[i];
			if (idx_line[i] >= 0) {
				short ev = pfd[idx_line[i]].revents;
				/* On a hang-up: what the client wrote before it left, then EOF. */
				if (ev & (POLLIN | POLLHUP | POLLERR))
					read_line(m);
				if (m->connected && (ev & (POLLHUP | POLLERR)))
					drop_client(m);
			}
			if (idx_listen[i] >= 0 && (pfd[idx_listen[i]].revents & POLLIN))
				accept_tcp(m);
		}
		if (idx_ctl >= 0 && (pfd[idx_ctl].revents & POLLIN))
			ctl_accept(s);
		for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
			if (idx_cl[i] < 0)
				continue;
			short ev = pfd[idx_cl[i]].revents;
			if (ev)
				ctl_service(s, i, ev & (POLLIN | POLLHUP | POLLERR), ev & POLLOUT);
		}
	}
}

static void serve_free(struct server *s)
{
	ctl_close(s);
	for (size_t i = 0; i < s->n; i++) {
		struct served *m = &s->m[i];
		if (m->client >= 0)
			close(m->client);
		if (m->listen_fd >= 0)
			close(m->listen_fd);
		if (m->master >= 0) {
			close(m->master);
			unlink(m->link);
		}
		free(m->link);
		free(m->device);
		smsctl_sim_free(m->sim);
	}
	free(s->m);
}

static int parse_uint(const struct cli *cli, const char *opt, const char *v, unsigned long min,
		      unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long x = strtoul(v, &end, 10);
	if (!*v || *end || errno || x < min || x > max || v[0] == '-')
		return cli_usage_error(cli, _("%s takes a number from %lu to %lu, not '%s'"), opt,
				       min, max, v);
	*out = x;
	return EXIT_OK;
}

static int sim_serve(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"count", required_argument, NULL, 'n'},
	    {"link-dir", required_argument, NULL, 'l'},
	    {"tcp-base", required_argument, NULL, 'p'},
	    {"control", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct server s = {.ctl_fd = -1};
	const char *link_dir = NULL, *control = NULL;
	unsigned long count = 0, tcp_base = 0;
	int c, rc;

	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		s.cl[i].fd = -1;
	while ((c = cli_getopt(cli, argc, argv, "n:l:p:c:jh", opts, sim_usage, &rc)) != -1) {
		switch (c) {
		case CLI_OPT_EXIT:
			return rc;
		case 'n':
			rc = parse_uint(cli, "--count", optarg, 1, SERVE_MAX_MODEMS, &count);
			if (rc != EXIT_OK)
				return rc;
			break;
		case 'l':
			link_dir = optarg;
			break;
		case 'p':
			rc = parse_uint(cli, "--tcp-base", optarg, 1, 65535, &tcp_base);
			if (rc != EXIT_OK)
				return rc;
			break;
		case 'c':
			control = optarg;
			break;
		case 'j':
			cli->json = true;
			break;
		}
	}
	if (link_dir && tcp_base)
		return cli_usage_error(cli, "%s", _("give --link-dir or --tcp-base, not both"));
	int ndev = argc - optind;
	if (!count)
		count = ndev > 0 ? (unsigned long)ndev : 1;
	if (count > SERVE_MAX_MODEMS)
		return cli_usage_error(cli, _("at most %d modems"), SERVE_MAX_MODEMS);
	if (tcp_base && tcp_base + count - 1 > 65535)
		return cli_usage_error(cli, "%s", _("the TCP ports run past 65535"));
	if (!tcp_base && !link_dir)
		link_dir = ".";

	s.m = calloc(count, sizeof(*s.m));
	if (!s.m) {
		cli_err(cli, "%s", _("out of memory"));
		return EXIT_OTHER;
	}
	for (size_t i = 0; i < count; i++) {
		struct served *m = &s.m[i];
		m->master = m->listen_fd = m->client = -1;
	}
	s.n = count;
	rc = EXIT_OK;
	for (size_t i = 0; i < count && rc == EXIT_OK; i++) {
		struct served *m = &s.m[i];
		const char *dev = ndev > 0 ? argv[optind + (int)(i % (size_t)ndev)] : "sim:";
		char detail[256];
		/* Each modem its own IMEI, ICCID and IMSI (id=i) unless the string sets id=. */
		bool has_id = strstr(dev, "?id=") || strstr(dev, "&id=");
		size_t len = strlen(dev) + 20;
		m->device = malloc(len);
		if (!m->device) {
			rc = EXIT_OTHER;
			break;
		}
		snprintf(m->device, len, "%s%s", strncmp(dev, "sim:", 4) ? "sim:" : "", dev);
		if (!has_id)
			snprintf(m->device + strlen(m->device), len - strlen(m->device), "%sid=%zu",
				 strchr(m->device, '?')
				     ? (m->device[strlen(m->device) - 1] == '?' ? "" : "&")
				     : "?",
				 i);
		snprintf(m->name, sizeof(m->name), "sim%u", (unsigned)(i % SERVE_MAX_MODEMS));
		int r = smsctl_sim_new(m->device, &m->sim, detail, sizeof(detail));
		if (r < 0) {
			rc = cli_usage_error(cli, _("%s: %s"), m->device, detail);
			break;
		}
		if (tcp_base) {
			m->port = (unsigned)(tcp_base + i);
			r = open_tcp(m);
			if (r < 0) {
				cli_err(cli, _("cannot listen on 127.0.0.1:%u: %s"), m->port,
					strerror(-r));
				rc = EXIT_OTHER;
			}
		} else {
			size_t ln = strlen(link_dir) + sizeof(m->name) + 2;
			m->link = malloc(ln);
			if (!m->link) {
				rc = EXIT_OTHER;
				break;
			}
			snprintf(m->link, ln, "%s/%s", link_dir, m->name);
			r = open_pty(m);
			if (r < 0) {
				cli_err(cli, _("cannot create the pseudo-terminal %s: %s"), m->link,
					strerror(-r));
				rc = EXIT_OTHER;
			}
		}
	}
	if (rc == EXIT_OK && control) {
		int r = ctl_listen(&s, control);
		if (r < 0) {
			cli_err(cli, _("cannot create the control socket %s: %s"), control,
				strerror(-r));
			rc = EXIT_OTHER;
		}
	}
	if (rc != EXIT_OK) {
		serve_free(&s);
		return rc;
	}

	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (size_t i = 0; i < s.n; i++)
		print_modem(cli, &s.m[i], i);
	fflush(stdout);
	serve_loop(&s);
	serve_free(&s);
	return EXIT_OK;
}

int cmd_sim(struct cli *cli, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return sim_serve(cli, argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		sim_usage(stdout);
		return EXIT_OK;
	}
	if (argc < 2)
		return cli_usage_error(cli, "%s", _("missing subcommand: serve"));
	return cli_usage_error(cli, _("unknown subcommand '%s' (there is: serve)"), argv[1]);
}
