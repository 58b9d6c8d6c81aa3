# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the daemon's end-to-end and crash tests share: the checks, HTTP over the daemon's Unix
socket, and an smsctld process started on a configuration text and waited for (/healthz).

Each test writes its own configuration (store, modems, faults) and keeps its own helpers; the
process, the socket and the bookkeeping of failures live here once.
"""
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

failures = []
SHOW_OK = False  # the operations tests print a line for each check that passed


def check(cond, what):
    """Record a check; prints FAIL (and ok with SHOW_OK). Returns cond."""
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    elif SHOW_OK:
        print("ok:", what, flush=True)
    return cond


def finish():
    """Exit 1 when a check failed, else 0."""
    if failures:
        print(f"{len(failures)} check(s) failed", flush=True)
        sys.exit(1)
    print("all checks passed", flush=True)
    sys.exit(0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class UnixConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket."""

    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


def encode_body(body, headers=None):
    """(data, headers): a dict or list as JSON, bytes or str as they are."""
    h = dict(headers or {})
    if body is None:
        return None, h
    h.setdefault("Content-Type", "application/json")
    return (body if isinstance(body, (bytes, str)) else json.dumps(body)), h


def raw_request(conn, method, path, body=None, headers=None):
    """One request on the connection conn (closed after): (status, raw body, headers with
    lower-case names)."""
    data, h = encode_body(body, headers)
    try:
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        raw = r.read()
        return r.status, raw, {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()


def http_request(conn, method, path, body=None, headers=None):
    """One request on conn: (status, doc), doc the JSON answer, the raw bytes when the answer
    is not JSON, None when it is empty."""
    status, raw, _ = raw_request(conn, method, path, body, headers)
    if not raw:
        return status, None
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw


def unix_request(sock, method, path, body=None, headers=None, timeout=30):
    """http_request() on the Unix socket sock."""
    return http_request(UnixConnection(sock, timeout), method, path, body, headers)


def wait_for(cond, timeout=60, step=0.2):
    """Poll cond() until it returns something true, for timeout s; then what it returns."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return cond()


class Smsctld:
    """smsctld in tmp on the configuration text conf, its API on the Unix socket sock.

    name names tmp/NAME.conf and tmp/NAME.log; args go before --config; env is added to the
    environment of every start (a value None removes the variable)."""

    http_timeout = 30
    start_timeout = 20

    def __init__(self, smsctld, tmp, conf, sock, name="smsctld", args=(), env=None):
        self.smsctld, self.tmp, self.sock = smsctld, tmp, sock
        self.conf = os.path.join(tmp, name + ".conf")
        self.log = os.path.join(tmp, name + ".log")
        self.db = os.path.join(tmp, "smsctl.db")
        self.args = list(args)
        self.env = dict(env or {})
        self.proc = None
        self.logf = None
        self.starts = 0
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(conf)

    def start(self, env=None, wait=True):
        e = dict(os.environ)
        for k, v in dict(self.env, **(env or {})).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        if self.logf is None or self.logf.closed:
            self.logf = open(self.log, "a")
        self.proc = subprocess.Popen([self.smsctld] + self.args + ["--config", self.conf],
                                     stdout=self.logf, stderr=self.logf, env=e)
        self.starts += 1
        if not wait:
            return
        deadline = time.time() + self.start_timeout
        while time.time() < deadline:
            try:
                if self.req("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"smsctld exited at start ({self.proc.returncode}):\n" +
                                   self.log_text()[-4000:])
            time.sleep(0.05)
        raise RuntimeError("smsctld did not start:\n" + self.log_text()[-4000:])

    def kill(self, sig=signal.SIGKILL, timeout=60):
        """Send sig and wait for the exit; the log stays open for the next start."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Send sig (when running) and wait; closes the log. Returns the exit status."""
        rc = None
        if self.proc:
            rc = self.kill(sig, timeout)
        if self.logf:
            self.logf.close()
        return rc

    def wait_exit(self, timeout=30):
        """Wait for an exit the daemon chose (a test kill point): killed after timeout."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        if self.logf:
            self.logf.close()
        return rc

    def log_text(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()

    def req(self, method, path, body=None, headers=None):
        return unix_request(self.sock, method, path, body, headers, self.http_timeout)

    def wait(self, cond, timeout=60, step=0.2):
        return wait_for(cond, timeout, step)

    def submit(self, body, headers=None):
        """POST /v1/messages: (status, answer)."""
        return self.req("POST", "/v1/messages", body, headers)

    def message(self, mid):
        st, doc = self.req("GET", "/v1/messages/" + mid)
        return doc if st == 200 else None

    def wait_state(self, mid, states, timeout=30):
        """The message once its state is in states; else the last one seen (None if none)."""
        deadline, m = time.time() + timeout, None
        while time.time() < deadline:
            m = self.message(mid) or m
            if m and m.get("state") in states:
                return m
            time.sleep(0.1)
        return m

    def sql(self, query, args=()):
        """Rows of a read-only query on the SQLite store tmp/smsctl.db."""
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute(query, args).fetchall()
        finally:
            con.close()


class SimServe:
    """`smsctl sim serve` of devices on ptys in tmp (paths in order), its control socket
    tmp/ctl; names name the modems for records(). With count, count modems of the one
    device (--count)."""

    def __init__(self, smsctl, tmp, devices, names=None, ctl_timeout=30, count=None):
        self.names = list(names or [])
        self.ctl_path = os.path.join(tmp, "ctl")
        self.logf = open(os.path.join(tmp, "serve.log"), "a")
        self.proc = subprocess.Popen([smsctl, "sim", "serve", "--json", "--link-dir", tmp,
                                      "--control", self.ctl_path] +
                                     (["--count", str(count)] if count else []) + list(devices),
                                     stdout=subprocess.PIPE, stderr=self.logf, text=True)
        self.paths = []
        for _ in range(count or len(devices)):
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("smsctl sim serve ended, see serve.log")
            self.paths.append(json.loads(line)["path"])
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(ctl_timeout)
        self.sock.connect(self.ctl_path)
        self.f = self.sock.makefile("rw", encoding="utf-8")

    def ctl(self, **req):
        """One request on the control socket, its answer."""
        with self.lock:
            self.f.write(json.dumps(req) + "\n")
            self.f.flush()
            return json.loads(self.f.readline())

    def records(self):
        """name -> the records of that modem."""
        return {n: self.ctl(cmd="records", modem=i)["records"] for i, n in enumerate(self.names)}

    def stop(self):
        self.f.close()
        self.sock.close()
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        self.logf.close()
        return rc
