/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Transports and locking: a pseudo-terminal through the fd transport (directly and through a
 * symbolic link), raw AT over TCP against a local listener, device strings, the UUCP lock file
 * and flock (a helper process holding the port is named with its pid and program; stale lock
 * files of dead processes are removed; merely having the port open is not "busy"), and
 * permission denied naming the device's group. Helper processes are this program re-executed
 * with a helper argument, so they run natively under valgrind. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <smsctl/smsctl.h>

#include "transport/internal.h"

static char self_path[4096];

/* ------------------------------------------------------------------------------------------ */
/* Helper processes */

/* Start this program as a helper: "--hold-flock PATH", "--hold-open PATH" or "--open PATH";
 * prefix (may be NULL) is a command run before it (setpriv ...). Returns the pid; *out reads
 * the helper's stdout, *in is its stdin (closing it ends a holding helper). */
static pid_t spawn_helper(const char *const *prefix, const char *mode, const char *path, int *out,
			  int *in)
{
	int po[2], pi[2];

	ck_assert_int_eq(pipe2(po, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(pi, O_CLOEXEC), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		const char *argv[16];
		int n = 0;
		dup2(po[1], STDOUT_FILENO);
		dup2(pi[0], STDIN_FILENO);
		for (; prefix && prefix[n]; n++)
			argv[n] = prefix[n];
		argv[n++] = self_path;
		argv[n++] = mode;
		argv[n++] = path;
		argv[n] = NULL;
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pi[0]);
	*out = po[0];
	*in = pi[1];
	return pid;
}

static void read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ck_assert_int_eq(poll(&p, 1, 20000), 1);
		ssize_t r = read(fd, buf + n, 1);
		if (r <= 0 || buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
}

static void stop_helper(pid_t pid, int out, int in)
{
	int st;

	close(in);
	close(out);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
}

static int helper_main(const char *mode, const char *path)
{
	if (strcmp(mode, "--hold-flock") == 0 || strcmp(mode, "--hold-open") == 0) {
		int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		char c;
		if (fd < 0)
			return 2;
		if (strcmp(mode, "--hold-flock") == 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
			return 3;
		printf("ready %d\n", (int)getpid());
		fflush(stdout);
		while (read(STDIN_FILENO, &c, 1) > 0)
			;
		close(fd);
		return 0;
	}
	if (strcmp(mode, "--open") == 0) {
		struct smsctl_modem *m = NULL;
		if (smsctl_modem_new(path, NULL, &m) < 0)
			return 2;
		int rc = smsctl_modem_open(m);
		printf("%s %s\n", smsctl_error_name(rc), smsctl_modem_get_error_detail(m));
		fflush(stdout);
		smsctl_modem_free(m);
		return 0;
	}
	return 2;
}

/* ------------------------------------------------------------------------------------------ */
/* A modem on a pty master, driven by the test */

struct pty {
	int master, slave;
	char name[256];
};

static void pty_open(struct pty *p)
{
	ck_assert_int_eq(openpty(&p->master, &p->slave, p->name, NULL, NULL), 0);
	fcntl(p->master, F_SETFD, FD_CLOEXEC);
	fcntl(p->slave, F_SETFD, FD_CLOEXEC);
}

static void pty_close(struct pty *p)
{
	if (p->master >= 0)
		close(p->master);
	close(p->slave);
}

static void expect_bytes(int fd, const char *want)
{
	char got[512];
	size_t n = 0, len = strlen(want);

	while (n < len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ck_assert_int_eq(poll(&p, 1, 5000), 1);
		ssize_t r = read(fd, got + n, len - n);
		ck_assert_int_gt(r, 0);
		n += (size_t)r;
	}
	ck_assert_int_eq(memcmp(got, want, len), 0);
}

struct done {
	int n;
	enum smsctl_result result;
	char line[256];
};

static void on_done(void *userdata, const struct smsctl_response *resp)
{
	struct done *d = userdata;
	const char *l = smsctl_response_get_line(resp, 0);

	d->n++;
	d->result = smsctl_response_get_result(resp);
	snprintf(d->line, sizeof(d->line), "%s", l ? l : "");
}

/* One exchange through an open modem whose other end is peer. */
static void exchange(struct smsctl_modem *m, int peer)
{
	struct done d = {0};

	ck_assert_int_eq(smsctl_modem_send(m, "AT+CSQ", NULL, 0, on_done, &d), 0);
	expect_bytes(peer, "AT+CSQ\r");
	ck_assert_int_eq(write(peer, "\r\n+CSQ: 20,99\r\n\r\nOK\r\n", 21), 21);
	while (d.n == 0)
		ck_assert_int_eq(smsctl_modem_wait(m, 5000), 1);
	ck_assert_int_eq(d.result, SMSCTL_RESULT_OK);
	ck_assert_str_eq(d.line, "+CSQ: 20,99");
}

START_TEST(test_pty_fd_transport)
{
	struct pty p;
	struct smsctl_modem *m = NULL;
	struct smsctl_modem_options *o = smsctl_modem_options_new();
	struct termios tio;

	pty_open(&p);
	ck_assert(transport_is_pty(p.name));
	ck_assert_int_eq(smsctl_modem_options_set_baud(o, 9600), 0);
	ck_assert_int_eq(smsctl_modem_options_set_rtscts(o, true), 0);
	ck_assert_int_eq(smsctl_modem_new(p.name, o, &m), 0);
	smsctl_modem_options_free(o);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	ck_assert_int_ge(smsctl_modem_get_fd(m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), SMSCTL_ERR_STATE);
	/* the termios settings of a serial port: raw 8N1, the speed, RTS/CTS */
	ck_assert_int_eq(tcgetattr(p.slave, &tio), 0);
	ck_assert_int_eq(tio.c_cflag & CSIZE, CS8);
	ck_assert_int_eq(tio.c_cflag & (PARENB | CSTOPB), 0);
	ck_assert(tio.c_cflag & CRTSCTS);
	ck_assert_int_eq(tio.c_lflag & (ICANON | ECHO), 0);
	ck_assert_int_eq(cfgetospeed(&tio), B9600);
	ck_assert_int_eq(tio.c_cc[VMIN], 1);
	/* Nothing arrives: the wait says the time ran out (0), not that something happened. */
	ck_assert_int_eq(smsctl_modem_wait(m, 50), 0);
	exchange(m, p.master);
	ck_assert_uint_eq(smsctl_modem_get_command_count(m), 1);
	smsctl_modem_free(m);
	pty_close(&p);
}
END_TEST

START_TEST(test_pty_through_symlink)
{
	struct pty p;
	struct smsctl_modem *m = NULL;
	char dir[] = "/tmp/smsctl-test-XXXXXX", link[300];

	pty_open(&p);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/modem", dir);
	ck_assert_int_eq(symlink(p.name, link), 0);
	ck_assert_int_eq(smsctl_modem_new(link, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	ck_assert_str_eq(smsctl_modem_get_device(m), link);
	exchange(m, p.master);
	smsctl_modem_free(m);
	unlink(link);
	rmdir(dir);
	pty_close(&p);
}
END_TEST

START_TEST(test_pty_hangup_is_gone)
{
	struct pty p;
	struct smsctl_modem *m = NULL;
	struct smsctl_response *resp = NULL;

	pty_open(&p);
	ck_assert_int_eq(smsctl_modem_new(p.name, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	exchange(m, p.master);
	close(p.master); /* the modem is unplugged */
	p.master = -1;
	ck_assert_int_eq(smsctl_modem_command(m, "AT", 0, &resp), SMSCTL_ERR_GONE);
	ck_assert_int_eq(smsctl_response_get_result(resp), SMSCTL_RESULT_GONE);
	ck_assert_ptr_nonnull(strstr(smsctl_modem_get_error_detail(m), "went away"));
	smsctl_response_free(resp);
	smsctl_modem_free(m);
	pty_close(&p);
}
END_TEST

START_TEST(test_pty_timeout)
{
	struct pty p;
	struct smsctl_modem *m = NULL;
	struct smsctl_modem_options *o = smsctl_modem_options_new();
	struct smsctl_response *resp = NULL;

	pty_open(&p);
	ck_assert_int_eq(smsctl_modem_options_set_timeout(o, 50), 0);
	ck_assert_int_eq(smsctl_modem_new(p.name, o, &m), 0);
	smsctl_modem_options_free(o);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	ck_assert_int_eq(smsctl_modem_command(m, "AT+CSQ", 0, &resp), SMSCTL_ERR_TIMEOUT);
	ck_assert_int_eq(smsctl_response_get_result(resp), SMSCTL_RESULT_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(smsctl_modem_get_error_detail(m), "no answer to AT+CSQ"));
	ck_assert_ptr_null(strstr(smsctl_modem_get_error_detail(m), "also open"));
	smsctl_response_free(resp);
	smsctl_modem_free(m);
	pty_close(&p);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* TCP */

static int listen_local(unsigned short *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(l, 0);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return l;
}

START_TEST(test_tcp)
{
	unsigned short port;
	int l = listen_local(&port);
	char dev[64];
	struct smsctl_modem *m = NULL;
	struct smsctl_response *resp = NULL;

	snprintf(dev, sizeof(dev), "tcp:127.0.0.1:%u", port);
	ck_assert_int_eq(smsctl_modem_new(dev, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	int peer = accept(l, NULL, NULL);
	ck_assert_int_ge(peer, 0);
	exchange(m, peer);
	/* the server closes: the modem is gone */
	close(peer);
	ck_assert_int_eq(smsctl_modem_command(m, "AT", 0, &resp), SMSCTL_ERR_GONE);
	ck_assert_int_eq(smsctl_response_get_result(resp), SMSCTL_RESULT_GONE);
	smsctl_response_free(resp);
	smsctl_modem_free(m);
	close(l);
}
END_TEST

START_TEST(test_tcp_refused)
{
	unsigned short port;
	int l = listen_local(&port);
	char dev[64];
	struct smsctl_modem *m = NULL;

	close(l); /* nobody listens there now */
	snprintf(dev, sizeof(dev), "tcp:127.0.0.1:%u", port);
	ck_assert_int_eq(smsctl_modem_new(dev, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), SMSCTL_ERR_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(smsctl_modem_get_error_detail(m), "cannot connect"));
	ck_assert_int_eq(smsctl_modem_get_errno(m), ECONNREFUSED);
	ck_assert_int_eq(smsctl_modem_get_fd(m), -1);
	smsctl_modem_free(m);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Device strings */

static const struct {
	const char *device;
	int new_rc;
	int open_rc;
} devices[] = {
    {"", SMSCTL_ERR_INVALID, 0},
    {"/dev/tty\nUSB0", SMSCTL_ERR_INVALID, 0},
    {"tcp:", SMSCTL_ERR_INVALID, 0},
    {"tcp:localhost", SMSCTL_ERR_INVALID, 0},
    {"tcp::2000", 0, SMSCTL_ERR_INVALID},
    {"tcp:localhost:", 0, SMSCTL_ERR_INVALID},
    {"tcp:localhost:0", 0, SMSCTL_ERR_INVALID},
    {"tcp:localhost:65536", 0, SMSCTL_ERR_INVALID},
    {"tcp:localhost:12a", 0, SMSCTL_ERR_INVALID},
    {"tcp:localhost:-1", 0, SMSCTL_ERR_INVALID},
    {"tcp:[::1:2000", 0, SMSCTL_ERR_INVALID},
    {"tcp:a:b:2000", 0, SMSCTL_ERR_INVALID},
    {"tcp:host.invalid:2000", 0, SMSCTL_ERR_NOT_FOUND},
    {"/dev/smsctl-no-such-port", 0, SMSCTL_ERR_NOT_FOUND},
    {"relative-no-such-port", 0, SMSCTL_ERR_NOT_FOUND},
    {"/dev/null", 0, SMSCTL_ERR_NOT_TTY},
    {"/tmp", 0, SMSCTL_ERR_NOT_TTY},
    {TEST_DATA_DIR "/transcripts/README.md", 0, SMSCTL_ERR_NOT_TTY},
};

START_TEST(test_device_strings)
{
	struct smsctl_modem *m = (void *)1;

	ck_assert_int_eq(smsctl_modem_new(devices[_i].device, NULL, &m), devices[_i].new_rc);
	if (devices[_i].new_rc < 0) {
		ck_assert_ptr_null(m);
		return;
	}
	ck_assert_int_eq(smsctl_modem_open(m), devices[_i].open_rc);
	ck_assert_str_ne(smsctl_modem_get_error_detail(m), "");
	smsctl_modem_free(m);
}
END_TEST

START_TEST(test_options)
{
	struct smsctl_modem_options *o = smsctl_modem_options_new();

	ck_assert_int_eq(smsctl_modem_options_set_baud(o, 0), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_modem_options_set_baud(NULL, 9600), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_modem_options_set_timeout(o, 0), SMSCTL_ERR_INVALID);
	ck_assert_int_eq(smsctl_modem_options_set_lock(o, false), 0);
	ck_assert_int_eq(smsctl_modem_new(NULL, o, NULL), SMSCTL_ERR_INVALID);
	smsctl_modem_options_free(o);
	smsctl_modem_options_free(NULL);
}
END_TEST

START_TEST(test_unsupported_baud)
{
	struct pty p;
	struct smsctl_modem *m = NULL;
	struct smsctl_modem_options *o = smsctl_modem_options_new();

	pty_open(&p);
	ck_assert_int_eq(smsctl_modem_options_set_baud(o, 12345), 0);
	ck_assert_int_eq(smsctl_modem_new(p.name, o, &m), 0);
	smsctl_modem_options_free(o);
	ck_assert_int_eq(smsctl_modem_open(m), SMSCTL_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(smsctl_modem_get_error_detail(m), "12345"));
	smsctl_modem_free(m);
	pty_close(&p);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Locking */

static void read_comm(pid_t pid, char *buf, size_t size)
{
	lock_program_name(pid, buf, size);
}

START_TEST(test_flock_busy_names_holder)
{
	struct pty p;
	struct smsctl_modem *m = NULL;
	char line[128], comm[64], want[128];
	int out, in;
	const char *program = NULL;

	pty_open(&p);
	pid_t pid = spawn_helper(NULL, "--hold-flock", p.name, &out, &in);
	read_line(out, line, sizeof(line));
	snprintf(want, sizeof(want), "ready %d", (int)pid);
	ck_assert_str_eq(line, want);
	read_comm(pid, comm, sizeof(comm));
	ck_assert_str_ne(comm, "");

	ck_assert_int_eq(smsctl_modem_new(p.name, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), SMSCTL_ERR_BUSY);
	ck_assert_int_eq(smsctl_modem_get_lock_holder(m, &program), pid);
	ck_assert_ptr_nonnull(program);
	ck_assert_str_eq(program, comm);
	snprintf(want, sizeof(want), "process %d (%s)", (int)pid, comm);
	ck_assert_msg(strstr(smsctl_modem_get_error_detail(m), want) != NULL, "detail: %s",
		      smsctl_modem_get_error_detail(m));
	ck_assert_int_eq(smsctl_modem_get_fd(m), -1);
	/* the lock file it took before the flock failed is gone again */
	char lck[300];
	snprintf(lck, sizeof(lck), "/run/lock/LCK..pts_%s", strrchr(p.name, '/') + 1);
	ck_assert_int_ne(access(lck, F_OK), 0);

	/* without locking the same port opens */
	struct smsctl_modem_options *o = smsctl_modem_options_new();
	struct smsctl_modem *m2 = NULL;
	smsctl_modem_options_set_lock(o, false);
	ck_assert_int_eq(smsctl_modem_new(p.name, o, &m2), 0);
	smsctl_modem_options_free(o);
	ck_assert_int_eq(smsctl_modem_open(m2), 0);
	smsctl_modem_free(m2);

	/* once the holder is gone, the port is free */
	stop_helper(pid, out, in);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	ck_assert_int_eq(smsctl_modem_get_lock_holder(m, &program), 0);
	ck_assert_ptr_null(program);
	exchange(m, p.master);
	smsctl_modem_free(m);
	pty_close(&p);
}
END_TEST

START_TEST(test_open_without_lock_is_not_busy)
{
	struct pty p;
	struct smsctl_modem *m = NULL;
	char line[128];
	int out, in;

	pty_open(&p);
	pid_t pid = spawn_helper(NULL, "--hold-open", p.name, &out, &in);
	read_line(out, line, sizeof(line));
	ck_assert_int_eq(strncmp(line, "ready ", 6), 0);
	ck_assert_int_eq(smsctl_modem_new(p.name, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	exchange(m, p.master);
	/* it may be named as a hint when the modem does not answer */
	char comm[64], want[128];
	read_comm(pid, comm, sizeof(comm));
	snprintf(want, sizeof(want), "also open in %s (pid %d)", comm, (int)pid);
	ck_assert_int_eq(smsctl_modem_command(m, "AT", 1, NULL), SMSCTL_ERR_TIMEOUT);
	ck_assert_msg(strstr(smsctl_modem_get_error_detail(m), want) != NULL, "detail: %s",
		      smsctl_modem_get_error_detail(m));
	smsctl_modem_free(m);
	stop_helper(pid, out, in);
	pty_close(&p);
}
END_TEST

START_TEST(test_second_handle_busy)
{
	struct pty p;
	struct smsctl_modem *a = NULL, *b = NULL;

	pty_open(&p);
	ck_assert_int_eq(smsctl_modem_new(p.name, NULL, &a), 0);
	ck_assert_int_eq(smsctl_modem_new(p.name, NULL, &b), 0);
	ck_assert_int_eq(smsctl_modem_open(a), 0);
	ck_assert_int_eq(smsctl_modem_open(b), SMSCTL_ERR_BUSY);
	ck_assert_int_eq(smsctl_modem_get_lock_holder(b, NULL), getpid());
	smsctl_modem_close(a);
	ck_assert_int_eq(smsctl_modem_open(b), 0);
	smsctl_modem_free(a);
	smsctl_modem_free(b);
	pty_close(&p);
}
END_TEST

static bool lock_dir_usable(void)
{
	return access("/run/lock", W_OK) == 0;
}

static void lck_path(const struct pty *p, char *buf, size_t size)
{
	snprintf(buf, size, "/run/lock/LCK..pts_%s", strrchr(p->name, '/') + 1);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_stale_lck_removed)
{
	struct pty p;
	struct smsctl_modem *m = NULL;
	char lck[300], text[32];

	if (!lock_dir_usable()) {
		fprintf(stderr, "SKIP test_stale_lck_removed: /run/lock is not writable here\n");
		return;
	}
	pty_open(&p);
	lck_path(&p, lck, sizeof(lck));
	/* a pid that existed and is gone */
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(dead, NULL, 0), dead);
	snprintf(text, sizeof(text), "%10d\n", (int)dead);
	write_file(lck, text);
	ck_assert_int_eq(lock_read_uucp_pid(lck), dead);

	ck_assert_int_eq(smsctl_modem_new(p.name, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), 0);
	ck_assert_int_eq(lock_read_uucp_pid(lck), getpid());
	smsctl_modem_close(m);
	ck_assert_int_ne(access(lck, F_OK), 0);
	smsctl_modem_free(m);
	pty_close(&p);
}
END_TEST

START_TEST(test_live_lck_busy)
{
	struct pty p;
	struct smsctl_modem *m = NULL;
	char lck[300], text[32], line[64], comm[64];
	int out, in;

	if (!lock_dir_usable()) {
		fprintf(stderr, "SKIP test_live_lck_busy: /run/lock is not writable here\n");
		return;
	}
	pty_open(&p);
	lck_path(&p, lck, sizeof(lck));
	/* a live process (holding nothing but named in the lock file) */
	pid_t pid = spawn_helper(NULL, "--hold-open", "/dev/null", &out, &in);
	read_line(out, line, sizeof(line));
	snprintf(text, sizeof(text), "%10d\n", (int)pid);
	write_file(lck, text);
	read_comm(pid, comm, sizeof(comm));

	ck_assert_int_eq(smsctl_modem_new(p.name, NULL, &m), 0);
	ck_assert_int_eq(smsctl_modem_open(m), SMSCTL_ERR_BUSY);
	ck_assert_int_eq(smsctl_modem_get_lock_holder(m, NULL), pid);
	ck_assert_ptr_nonnull(strstr(smsctl_modem_get_error_detail(m), "lock file"));
	ck_assert_ptr_nonnull(strstr(smsctl_modem_get_error_detail(m), comm));
	/* the other process's lock file is left alone */
	ck_assert_int_eq(lock_read_uucp_pid(lck), pid);
	smsctl_modem_free(m);
	unlink(lck);
	stop_helper(pid, out, in);
	pty_close(&p);
}
END_TEST

static const struct {
	const char *content;
	size_t len; /* 0: strlen */
	pid_t pid;
} lck_cases[] = {
    {"      1234\n", 0, 1234},
    {"1234\n", 0, 1234},
    {"  77", 0, 77},
    {"\xd2\x04\x00\x00", 4, 1234}, /* 4 binary bytes (old Kermit/UUCP) */
    {"", 0, 0},
    {"garbage\n", 0, 0},
    {"-5\n", 0, 0},
    {"0\n", 0, 0},
    {"99999999999999999999\n", 0, 0},
};

START_TEST(test_lck_content)
{
	char path[] = "/tmp/smsctl-lck-XXXXXX";
	int fd = mkstemp(path);
	size_t len = lck_cases[_i].len ? lck_cases[_i].len : strlen(lck_cases[_i].content);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, lck_cases[_i].content, len), (ssize_t)len);
	close(fd);
	ck_assert_int_eq(lock_read_uucp_pid(path), lck_cases[_i].pid);
	unlink(path);
}
END_TEST

START_TEST(test_proc_locks_parse)
{
	char path[] = "/tmp/smsctl-locks-XXXXXX";
	int fd = mkstemp(path);
	/* the layout of /proc/locks (fs/locks.c lock_get_status): id, class, advisory, mode,
	 * pid, major:minor:inode with major and minor in hex */
	const char *text = "1: POSIX  ADVISORY  WRITE 811 00:19:1042 0 EOF\n"
			   "2: FLOCK  ADVISORY  WRITE 4242 00:1a:4 0 EOF\n"
			   "2: -> FLOCK  ADVISORY  WRITE 999 00:1a:4 0 EOF\n"
			   "3: FLOCK  ADVISORY  WRITE 5151 fd:01:4 0 EOF\n"
			   "4: OFDLCK ADVISORY  READ  -1 00:1a:9 0 EOF\n"
			   "garbage line\n";

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_int_eq(lock_find_flock_holder(path, 0x00, 0x1a, 4), 4242);
	ck_assert_int_eq(lock_find_flock_holder(path, 0xfd, 0x01, 4), 5151);
	ck_assert_int_eq(lock_find_flock_holder(path, 0x00, 0x19, 1042), 811);
	ck_assert_int_eq(lock_find_flock_holder(path, 0x00, 0x1a, 9), 0);
	ck_assert_int_eq(lock_find_flock_holder(path, 0x00, 0x1a, 5), 0);
	ck_assert_int_eq(lock_find_flock_holder("/nonexistent/locks", 0, 0x1a, 4), 0);
	unlink(path);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Permission denied names the group */

START_TEST(test_permission_names_group)
{
	struct pty p;
	struct stat st;
	char group[64] = "", line[512];

	pty_open(&p);
	ck_assert_int_eq(stat(p.name, &st), 0);
	struct group *g = getgrgid(st.st_gid);
	snprintf(group, sizeof(group), "%s", g ? g->gr_name : "");
	if (geteuid() == 0) {
		/* root opens anything: drop privileges in a helper */
		if (access("/usr/bin/setpriv", X_OK) != 0) {
			fprintf(stderr,
				"SKIP test_permission_names_group: no setpriv to drop root\n");
			pty_close(&p);
			return;
		}
		static const char *const setpriv[] = {"/usr/bin/setpriv", "--reuid=65534",
						      "--regid=65534", "--clear-groups", NULL};
		int out, in;
		ck_assert_int_eq(chmod(p.name, 0600), 0);
		pid_t pid = spawn_helper(setpriv, "--open", p.name, &out, &in);
		read_line(out, line, sizeof(line));
		stop_helper(pid, out, in);
	} else {
		struct smsctl_modem *m = NULL;
		ck_assert_int_eq(chmod(p.name, 0), 0);
		ck_assert_int_eq(smsctl_modem_new(p.name, NULL, &m), 0);
		int rc = smsctl_modem_open(m);
		snprintf(line, sizeof(line), "%s %s", smsctl_error_name(rc),
			 smsctl_modem_get_error_detail(m));
		smsctl_modem_free(m);
		chmod(p.name, 0620);
	}
	ck_assert_msg(strncmp(line, "SMSCTL_ERR_PERMISSION ", 22) == 0, "helper said: %s", line);
	char want[128];
	snprintf(want, sizeof(want), "group '%s'", group);
	ck_assert_msg(strstr(line, want) != NULL, "no %s in: %s", want, line);
	pty_close(&p);
}
END_TEST

static Suite *transport_suite(void)
{
	Suite *s = suite_create("transport");
	TCase *tc;

	tc = tcase_create("pty");
	tcase_add_test(tc, test_pty_fd_transport);
	tcase_add_test(tc, test_pty_through_symlink);
	tcase_add_test(tc, test_pty_hangup_is_gone);
	tcase_add_test(tc, test_pty_timeout);
	tcase_add_test(tc, test_unsupported_baud);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp");
	tcase_add_test(tc, test_tcp);
	tcase_add_test(tc, test_tcp_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("devices");
	tcase_add_loop_test(tc, test_device_strings, 0,
			    (int)(sizeof(devices) / sizeof(devices[0])));
	tcase_add_test(tc, test_options);
	suite_add_tcase(s, tc);

	tc = tcase_create("locking");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_flock_busy_names_holder);
	tcase_add_test(tc, test_open_without_lock_is_not_busy);
	tcase_add_test(tc, test_second_handle_busy);
	tcase_add_test(tc, test_stale_lck_removed);
	tcase_add_test(tc, test_live_lck_busy);
	tcase_add_loop_test(tc, test_lck_content, 0,
			    (int)(sizeof(lck_cases) / sizeof(lck_cases[0])));
	tcase_add_test(tc, test_proc_locks_parse);
	tcase_add_test(tc, test_permission_names_group);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	if (argc == 3)
		return helper_main(argv[1], argv[2]);
	if (!realpath(argv[0], self_path))
		snprintf(self_path, sizeof(self_path), "%s", argv[0]);
	signal(SIGPIPE, SIG_DFL);
	SRunner *sr = srunner_create(transport_suite());
	/* Forking for each of hundreds of checks is slow under AddressSanitizer; every test
	 * cleans up after itself, so run them in one process unless CK_FORK says otherwise. */
	if (!getenv("CK_FORK"))
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
