#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""smsctl sim serve end to end: the built smsctl serves modems on ptys and TCP ports and the
same smsctl (another process) sends and receives through them; the control socket injects an
SMS and faults and dumps what each modem accepted; a client killed with -9 mid-send leaves the
modem usable with its TP-MR counter kept; unplug and replug; hostile control input; SIGTERM.

Usage: test-sim-serve.py SMSCTL
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

SMSCTL = sys.argv[1]
ENV = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="", NO_COLOR="1")
ENV.pop("SMSCTL_DEVICE", None)
FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def run(*args, timeout=60):
    return subprocess.run([SMSCTL] + list(args), capture_output=True, text=True, env=ENV,
                          timeout=timeout)


class Control:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(20)
        self.s.connect(path)
        self.f = self.s.makefile("rw", encoding="utf-8")

    def raw(self, line):
        self.f.write(line + "\n")
        self.f.flush()
        return json.loads(self.f.readline())

    def __call__(self, **req):
        return self.raw(json.dumps(req))

    def close(self):
        self.f.close()
        self.s.close()


def serve(args, count):
    # under AddressSanitizer, freed memory is kept aside (quarantine) and would count as RSS
    env = dict(ENV, ASAN_OPTIONS=(ENV.get("ASAN_OPTIONS", "") +
                                  ":quarantine_size_mb=1:thread_local_quarantine_size_kb=64"))
    p = subprocess.Popen([SMSCTL, "sim", "serve", "--json"] + args, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    modems = []
    for _ in range(count):
        line = p.stdout.readline()
        if not line:
            raise SystemExit("FAIL: sim serve ended: " + p.stderr.read())
        modems.append(json.loads(line))
    return p, modems


def free_ports(n):
    """A base port with n free ports after it (bound and released)."""
    for _ in range(50):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        base = s.getsockname()[1]
        s.close()
        if base + n > 65535:
            continue
        ok = True
        for i in range(n):
            t = socket.socket()
            try:
                t.bind(("127.0.0.1", base + i))
            except OSError:
                ok = False
            t.close()
        if ok:
            return base
    raise SystemExit("no free ports")


def sent_mr(stdout):
    # "Sent to +49...: 1 part(s), message reference(s) 212"
    return int(stdout.strip().split()[-1])


def kill_mid_send(device, ctl, modem, label):
    """A send is killed with -9 while the modem withholds its answer (network=1500): the
    modem stays usable and its TP-MR counter goes on from where it was."""
    before = ctl(cmd="state", modem=modem)
    p = subprocess.Popen([SMSCTL, "--device", device, "send", "+4915112345678", "killed " + label],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    # wait until the PDU reached the modem (it is recorded at once, answered 1.5 s later)
    deadline = time.time() + 10
    while time.time() < deadline and ctl(cmd="state", modem=modem)["sent"] == before["sent"]:
        time.sleep(0.02)
    p.kill()
    p.wait()
    mid = ctl(cmd="state", modem=modem)
    check(mid["sent"] == before["sent"] + 1, f"{label}: the killed send's PDU was accepted once")
    check(mid["next_mr"] == (before["next_mr"] + 1) % 256, f"{label}: TP-MR counter advanced")
    r = run("--device", device, "send", "+4915112345678", "after kill " + label)
    check(r.returncode == 0, f"{label}: the next client sends after the kill ({r.stderr.strip()})")
    if r.returncode == 0:
        check(sent_mr(r.stdout) == mid["next_mr"],
              f"{label}: TP-MR continues after the kill ({sent_mr(r.stdout)} == {mid['next_mr']})")
    recs = ctl(cmd="records", modem=modem, since=before["sent"])["records"]
    check([x["text"] for x in recs] == ["killed " + label, "after kill " + label],
          f"{label}: records after the kill: {[x['text'] for x in recs]}")


def main():
    tmp = tempfile.mkdtemp(prefix="smsctl-serve-")
    ctl_path = os.path.join(tmp, "ctl")

    # usage errors
    for args, what in ((["--count", "0"], "--count 0"),
                       (["sim:nosuch"], "unknown profile"),
                       (["sim:?fault=nosuch"], "unknown fault"),
                       (["--link-dir", tmp, "--tcp-base", "40000"], "--link-dir with --tcp-base"),
                       (["--tcp-base", "70000"], "port out of range")):
        r = run("sim", "serve", *args, timeout=10)
        check(r.returncode == 64, f"usage: {what} exits 64 (got {r.returncode})")
    r = run("sim", "bogus")
    check(r.returncode == 64, "unknown sim subcommand exits 64")

    # ---- ptys ----
    p, modems = serve(["--link-dir", tmp, "--control", ctl_path, "sim:generic", "sim:huawei",
                       "sim:wavecom?network=1500"], 3)
    check([m["profile"] for m in modems] == ["generic", "huawei", "wavecom"], "profiles in turn")
    check(all(os.path.realpath(m["path"]) == m["pty"] for m in modems), "DIR/simN link to ptys")
    sim0, sim1, sim2 = (m["path"] for m in modems)
    ctl = Control(ctl_path)

    ids = [json.loads(run("--device", m["path"], "--json", "info").stdout or "{}").get("iccid")
           for m in modems]
    check(len(set(ids)) == 3 and None not in ids, f"each served modem its own ICCID: {ids}")
    r = run("--device", sim0, "send", "+4915112345678", "hello over the pty")
    check(r.returncode == 0, f"send over the pty ({r.stderr.strip()})")
    rec = ctl(cmd="records", modem=0)
    check(rec["ok"] and rec["total"] == 1, "one record")
    if rec["records"]:
        x = rec["records"][0]
        check(x["to"] == "+4915112345678" and x["text"] == "hello over the pty"
              and x["coding"] == "gsm7" and x["concat"] is None, f"record decoded: {x}")
        check(r.returncode == 0 and x["mr"] == sent_mr(r.stdout), "record carries the TP-MR")
    long_zh = "你好，这是一条很长的测试短信。" * 6
    r = run("--device", sim1, "send", "+8613800138000", long_zh)
    check(r.returncode == 0, f"multipart UCS-2 send over the pty ({r.stderr.strip()})")
    recs = ctl(cmd="records", modem="sim1")["records"]
    check(len(recs) >= 2 and all(x["concat"] and x["concat"]["total"] == len(recs) for x in recs)
          and "".join(x["text"] for x in recs) == long_zh, "multipart records reassemble")
    check(len({x["mr"] for x in recs}) == len(recs), "each part its own TP-MR")

    # inject an SMS: the CLI reads it over the pty
    a = ctl(cmd="deliver", modem=1, **{"from": "+8613800138000", "text": "注入的短信"})
    check(a == {"ok": True, "parts": 1}, f"deliver answered {a}")
    st = ctl(cmd="state", modem=1)
    check(st["storage"]["SM"]["used"] == 1, f"storage shows it: {st['storage']}")
    r = run("--device", sim1, "recv", "--json")
    got = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    check(r.returncode == 0 and any(m["text"] == "注入的短信" and m["number"] == "+8613800138000"
                                    for m in got), f"recv over the pty prints it ({r.stdout})")

    # a fault from the control socket: permanent rejection, then cleared
    check(ctl(cmd="fault", modem=0, fault="send_fail:21", on=True) == {"ok": True}, "fault set")
    check("send_fail" in ctl(cmd="state", modem=0)["faults"], "state lists the fault")
    r = run("--device", sim0, "send", "+4915112345678", "rejected")
    check(r.returncode == 30, f"send under send_fail:21 exits 30 (got {r.returncode})")
    check(ctl(cmd="fault", modem=0, fault="send_fail", on=False) == {"ok": True}, "fault cleared")
    r = run("--device", sim0, "send", "+4915112345678", "accepted again")
    check(r.returncode == 0, "send after the fault is cleared")
    check(ctl(cmd="records", modem=0)["total"] == 2, "the rejected one was never recorded")
    check(not ctl(cmd="fault", modem=0, fault="nosuch")["ok"], "an unknown fault is refused")

    # kill -9 mid-send on a pty
    kill_mid_send(sim2, ctl, 2, "pty")

    # unplug: the line goes away, the modem comes back with its counter and records
    before = ctl(cmd="state", modem=0)
    ctl(cmd="fault", modem=0, fault="unplug", on=True)
    r = run("--device", sim0, "send", "+4915112345678", "pulled out")
    check(r.returncode in (13, 31), f"send while unplugging exits 13 or 31 (got {r.returncode})")
    st = ctl(cmd="state", modem=0)
    check(st["unplugs"] == 1, "counted one unplug")
    deadline = time.time() + 10
    while time.time() < deadline and not os.path.exists(sim0):
        time.sleep(0.05)
    check(os.path.exists(sim0), "the link is back after the replug")
    r = run("--device", sim0, "send", "+4915112345678", "plugged in again")
    check(r.returncode == 0, f"send after the replug ({r.stderr.strip()})")
    if r.returncode == 0:
        check(sent_mr(r.stdout) == before["next_mr"], "TP-MR counter survived the unplug")
    check(ctl(cmd="records", modem=0)["total"] == before["sent"] + 1, "records survived")

    # hostile control input: the server answers and stays up
    check(ctl.raw("x" * 100000) == {"ok": False, "error": "request line too long"},
          "an overlong line is refused")
    check(not ctl.raw("{not json")["ok"], "bad JSON is refused")
    check(not ctl.raw("[1,2]")["ok"], "a JSON array is refused")
    check(not ctl(cmd="records", modem=99)["ok"], "no such modem")
    check(not ctl(cmd="records", modem=0, since=-1)["ok"], "negative since")
    check(not ctl(cmd="deliver", modem=0, pdu="ZZ")["ok"], "a bad PDU is refused")
    floods = []
    for _ in range(40):  # more than the server takes at once
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(ctl_path)
            s.sendall(b"{" * 1000)
        except OSError:
            pass
        floods.append(s)
    check(ctl(cmd="list")["ok"], "still answering with many idle connections")
    for s in floods:
        s.close()
    ctl.close()

    # SIGTERM: exit 0, links and socket removed
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=10)
    check(rc == 0, f"SIGTERM: exit 0 (got {rc})")
    check(not any(os.path.lexists(m["path"]) for m in modems) and not os.path.exists(ctl_path),
          "SIGTERM removes the links and the control socket")

    # ---- TCP ----
    base = free_ports(2)
    p, modems = serve(["--tcp-base", str(base), "--count", "2", "--control", ctl_path,
                       "sim:simcom?network=1500"], 2)
    check([m["port"] for m in modems] == [base, base + 1], "TCP ports PORT, PORT+1")
    ctl = Control(ctl_path)
    dev = f"tcp:127.0.0.1:{base}"
    r = run("--device", dev, "send", "+4915112345678", "hello over tcp")
    check(r.returncode == 0, f"send over TCP ({r.stderr.strip()})")
    recs = ctl(cmd="records", modem=0)["records"]
    check([x["text"] for x in recs] == ["hello over tcp"], "TCP record")
    ctl(cmd="deliver", modem=0, **{"from": "+15550001", "text": "over tcp in"})
    r = run("--device", dev, "recv", "--json")
    check(r.returncode == 0 and "over tcp in" in r.stdout, "recv over TCP")
    kill_mid_send(dev, ctl, 0, "tcp")

    # a client that writes commands and never reads: the server stops reading it too, so
    # what the modem answers stays bounded; the next client is served as usual
    def rss_kb():
        with open(f"/proc/{p.pid}/status") as f:
            return int([l for l in f if l.startswith("VmRSS:")][0].split()[1])
    rss_before = rss_kb()
    hog = socket.create_connection(("127.0.0.1", base + 1))
    hog.setblocking(False)
    sent = 0
    t_end = time.time() + 4
    while time.time() < t_end:
        try:
            sent += hog.send(b"AT\r" * 10000)
        except BlockingIOError:
            time.sleep(0.05)
    grew = rss_kb() - rss_before
    check(sent < 32 << 20 and grew < 16 << 10,
          f"a client that never reads is held back ({sent >> 10} KiB written, "
          f"server RSS grew {grew} KiB)")
    hog.close()
    r = run("--device", f"tcp:127.0.0.1:{base + 1}", "send", "+4915112345678", "after the hog")
    check(r.returncode == 0, f"the next client sends after the hog ({r.stderr.strip()})")
    check(ctl(cmd="records", modem=1)["total"] == 1, "the other modem saw only its own send")
    ctl.close()
    p.send_signal(signal.SIGINT)
    check(p.wait(timeout=10) == 0, "SIGINT: exit 0")

    print(f"{len(FAILS)} failure(s)")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
