#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""systemd without systemd (issue 17): smsctld with NOTIFY_SOCKET pointing at a datagram
socket this test owns and WATCHDOG_USEC=5000000.

Checks: READY=1 only once the listeners accept connections; STATUS= matching the modem and
queue counts; WATCHDOG=1 at least every 2.5 s; RELOADING=1 then READY=1 around SIGHUP;
STOPPING=1 on SIGTERM; no more pings once the event loop is frozen (SIGUSR2, enabled by
SMSCTLD_TEST_FREEZE=1).

Usage: ops-notify.py SMSCTLD
"""
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ops_common import Daemon, check, finish  # noqa: E402

SMSCTLD = sys.argv[1]


class Listener:
    """Collects (time, text) of every datagram; on READY=1, probes the listeners at once."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.msgs = []
        self.ready_probe = []  # (tcp ok, unix ok) at each READY=1
        self.daemon = None
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def probe(self):
        d = self.daemon
        res = []
        for fam, addr in ((socket.AF_INET, ("127.0.0.1", d.port)), (socket.AF_UNIX, d.sock)):
            s = socket.socket(fam, socket.SOCK_STREAM)
            try:
                s.connect(addr)
                res.append(True)
            except OSError:
                res.append(False)
            finally:
                s.close()
        return tuple(res)

    def run(self):
        while not self.stop:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            now = time.monotonic()
            for line in data.decode("utf-8", "replace").split("\n"):
                if line == "READY=1" and self.daemon:
                    self.ready_probe.append(self.probe())
                self.msgs.append((now, line))

    def texts(self):
        return [t for _, t in self.msgs]

    def wait_for(self, pred, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for t in self.texts():
                if pred(t):
                    return t
            time.sleep(0.05)
        return None

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def pings_between(lst, t0, t1):
    return [t for t, m in lst.msgs if m == "WATCHDOG=1" and t0 <= t <= t1]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        npath = os.path.join(tmp, "notify.sock")
        lst = Listener(npath)
        env = {"NOTIFY_SOCKET": npath, "WATCHDOG_USEC": "5000000", "SMSCTLD_TEST_FREEZE": "1"}
        # two good modems and one without SIM: messages for it stay queued
        d = Daemon(SMSCTLD, tmp, [("a", "sim:"), ("b", "sim:wavecom"),
                                  ("c", "sim:?fault=sim_absent")], env=env)
        lst.daemon = d
        d.start(wait=False)
        ready = lst.wait_for(lambda t: t == "READY=1", 20)
        check(ready is not None, "READY=1 arrives")
        check(lst.ready_probe[:1] == [(True, True)],
              f"the TCP and Unix listeners accept connections when READY=1 arrives "
              f"({lst.ready_probe})")
        st = lst.wait_for(lambda t: t == "STATUS=2/3 modems ready, 0 queued, 0 unknown", 20)
        check(st is not None, "STATUS= says 2/3 modems ready, 0 queued, 0 unknown: "
              + repr([t for t in lst.texts() if t.startswith("STATUS=")]))
        for i in range(3):
            d.submit("+8613800138000", f"for the modem without SIM {i}", modem="c")
        st = lst.wait_for(lambda t: t == "STATUS=2/3 modems ready, 3 queued, 0 unknown", 20)
        check(st is not None, "STATUS= follows the queue: 3 queued")
        # the watchdog: at least every 2.5 s over 7 s
        t0 = time.monotonic()
        time.sleep(7)
        t1 = time.monotonic()
        pings = pings_between(lst, t0 - 2.5, t1)
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        check(len(pings) >= 3 and max(gaps) <= 2.5,
              f"WATCHDOG=1 at least every 2.5 s (gaps {[round(g, 2) for g in gaps]})")
        # reload
        n = len(lst.msgs)
        d.proc.send_signal(signal.SIGHUP)
        time.sleep(1.5)
        after = [m for _, m in lst.msgs[n:] if m in ("RELOADING=1", "READY=1")]
        check(after[:2] == ["RELOADING=1", "READY=1"],
              f"RELOADING=1 then READY=1 around SIGHUP ({after})")
        # stop
        n = len(lst.msgs)
        rc = d.stop(signal.SIGTERM)
        time.sleep(0.3)
        check(rc == 0, f"smsctld exits 0 on SIGTERM ({rc})")
        check("STOPPING=1" in [m for _, m in lst.msgs[n:]], "STOPPING=1 on SIGTERM")

        # a frozen loop stops pinging
        lst.msgs.clear()
        lst.ready_probe.clear()
        d.start(wait=False)
        check(lst.wait_for(lambda t: t == "READY=1", 20) is not None, "READY=1 after a restart")
        time.sleep(3)
        d.proc.send_signal(signal.SIGUSR2)
        time.sleep(0.5)
        t0 = time.monotonic()
        time.sleep(5)
        frozen = pings_between(lst, t0, time.monotonic())
        check(frozen == [], f"no WATCHDOG=1 once the loop is frozen ({len(frozen)} seen)")
        check(d.proc.poll() is None, "the frozen daemon is still running (systemd would kill it)")
        d.stop(signal.SIGKILL)
        lst.close()
        with open(d.log) as f:
            log = f.read()
        check(re.search(r"^<6>smsctld: started", log, re.M) is not None,
              "stderr records carry <N> priority prefixes")
    finish()


if __name__ == "__main__":
    main()
