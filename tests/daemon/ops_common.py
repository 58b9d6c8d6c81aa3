# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers of the operations tests (issue 17): a real smsctld on a temporary SQLite file with
sim: modems, HTTP over its Unix socket and TCP."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

TOKEN = "ops-test-token-0123456789abcdef"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    else:
        print("ok:", what, flush=True)
    return cond


def finish():
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
    def __init__(self, path, timeout=15):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


class Daemon:
    def __init__(self, smsctld, tmp, modems, extra="", env=None, send=None):
        self.smsctld = smsctld
        self.tmp = tmp
        self.port = free_port()
        self.sock = os.path.join(tmp, "api.sock")
        self.conf = os.path.join(tmp, "smsctld.conf")
        self.log = os.path.join(tmp, "smsctld.log")
        self.env = dict(os.environ, **(env or {}))
        tok = os.path.join(tmp, "tokens")
        with open(tok, "w") as f:
            f.write("# name:token\nshop:" + TOKEN + "\n")
        os.chmod(tok, 0o600)
        lines = ["[daemon]", "node_id = ops-test", "shutdown_timeout = 10s",
                 "[store]", f"url = sqlite://{tmp}/smsctl.db",
                 "[send]"] + (send or ["retry_initial = 1s", "retry_max = 2s"]) + [
                 "[http]", f"listen = 127.0.0.1:{self.port}, unix:{self.sock}",
                 f"tokens_file = {tok}"]
        for name, dev in modems:
            lines += [f"[modem {name}]", f"device = {dev}"]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n" + extra)
        self.proc = None

    def start(self, wait=True):
        self.logf = open(self.log, "a")
        self.proc = subprocess.Popen([self.smsctld, "--config", self.conf], stderr=self.logf,
                                     stdout=self.logf, env=self.env)
        if not wait:
            return
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                st, _, _ = self.unix("GET", "/healthz")
                if st == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("smsctld did not start:\n" + open(self.log).read())

    def stop(self, sig=signal.SIGTERM):
        rc = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            rc = self.proc.wait(timeout=30)
        elif self.proc:
            rc = self.proc.returncode
        self.logf.close()
        return rc

    def _do(self, conn, method, path, body=None, headers=None):
        h = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        raw = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        conn.close()
        return r.status, raw, hdrs

    def unix(self, method, path, body=None, headers=None):
        return self._do(UnixConnection(self.sock), method, path, body, headers)

    def tcp(self, method, path, body=None, headers=None):
        return self._do(http.client.HTTPConnection("127.0.0.1", self.port, timeout=15),
                        method, path, body, headers)

    def submit(self, to, text, **kw):
        doc = dict(kw, to=to, text=text)
        st, raw, _ = self.unix("POST", "/v1/messages", doc)
        if st != 202:
            raise RuntimeError(f"submit: {st} {raw!r}")
        return json.loads(raw)["messages"][0]["id"]

    def message(self, mid):
        st, raw, _ = self.unix("GET", "/v1/messages/" + mid)
        return json.loads(raw) if st == 200 else None

    def wait_state(self, mid, states, timeout=30):
        deadline = time.time() + timeout
        m = None
        while time.time() < deadline:
            m = self.message(mid)
            if m and m["state"] in states:
                return m
            time.sleep(0.2)
        return m
