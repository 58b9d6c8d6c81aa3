#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/pool (issue 15): does a pool of N modems send N times as much as one?

For each N (default 1, 4, 16, 32): `smsctl sim serve` serves N simulated modems in its own
process (so the daemon's CPU is measured alone), each `sim:?baud=115200&latency=20&network=800`
(115200 baud, 20 ms before each answer, 800 ms for the network to answer a submit); smsctld
on a fresh SQLite file has them all in one pool; once every modem is `ready`, M single-part
messages (default 2000, unique texts) are submitted through the API (a Unix socket) and the
run ends when none is left queued or sending. Printed for each N: messages/s (from the first
submit to the last message final), the ratio to N x the one-modem figure of the same run, and
the daemon's CPU (user+sys from /proc/PID/stat over the same time) as % of one core. Then the
issue's goals with PASS/MISS:
  - ratio >= 0.9 for N <= 16, >= 0.8 for N >= 32 (N = 1 is the baseline; it is always run);
  - daemon CPU <= 25 % of one core at 32 modems.
Correctness (a broken run: exit 1): every message ends `sent`, and in the served modems'
records (the control socket's `records`) each text appears exactly once, on one modem.
A missed figure never changes the exit status.

Usage: bench-pool.py SMSCTLD SMSCTL [--modems 1,4,16,32] [--messages 2000]
       [--network-ms 800] [--latency-ms 20] [--correctness-only]
--correctness-only (the CI test, scaled down) prints the figures without the goals.
"""
import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "daemon"))
from harness import SimServe, unix_request  # noqa: E402


def api(sock, method, path, body=None):
    return unix_request(sock, method, path, body)


def cpu_ticks(pid):
    """user + sys of PID in clock ticks (/proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


class Served(SimServe):
    def __init__(self, smsctl, tmp, n, device):
        super().__init__(smsctl, tmp, [device], ctl_timeout=60, count=n)
        self.n = n

    def records(self, i):
        out, since = [], 0
        while True:
            doc = self.ctl(cmd="records", modem=i, since=since, limit=1000)
            if not doc.get("ok"):
                raise RuntimeError(f"records of modem {i}: {doc}")
            out += doc["records"]
            since = len(out)
            if not doc["records"] or since >= doc["total"]:
                return out


def run(args, n, messages):
    """One N with that many messages: returns (messages/s, cpu %, problems)."""
    problems = []
    device = f"sim:?baud=115200&latency={args.latency_ms}&network={args.network_ms}"
    with tempfile.TemporaryDirectory(prefix="bench-pool-") as tmp:
        served = Served(args.smsctl, tmp, n, device)
        names = [f"m{i}" for i in range(n)]
        sock = os.path.join(tmp, "api.sock")
        db = os.path.join(tmp, "smsctl.db")
        conf = os.path.join(tmp, "smsctld.conf")
        with open(conf, "w") as f:
            f.write(f"[daemon]\nnode_id = bench\nshutdown_timeout = 20s\n"
                    f"[store]\nurl = sqlite://{db}\n"
                    f"[send]\nduplicate_window = 0\n"
                    f"[http]\nlisten = unix:{sock}\n"
                    f"[pool bench]\nmodems = {', '.join(names)}\n")
            for name, path in zip(names, served.paths):
                f.write(f"[modem {name}]\ndevice = {path}\n")
        logf = open(os.path.join(tmp, "smsctld.log"), "a")
        proc = subprocess.Popen([args.smsctld, "--config", conf], stdout=logf, stderr=logf)
        try:
            deadline = time.time() + 60 + n
            ready = False
            while time.time() < deadline and proc.poll() is None:
                try:
                    st, doc = api(sock, "GET", "/v1/modems")
                    mods = doc.get("modems", doc) if isinstance(doc, dict) else doc
                    if st == 200 and len(mods) == n and \
                            all(m["state"] == "ready" for m in mods):
                        ready = True
                        break
                except (OSError, ValueError):
                    pass
                time.sleep(0.1)
            if not ready:
                raise RuntimeError(f"N={n}: the modems did not all become ready, see the log:\n"
                                   + open(os.path.join(tmp, "smsctld.log")).read()[-2000:])

            texts = [f"bench pool N={n} message {i}: your order has shipped"
                     for i in range(messages)]
            refused = []

            def submit():
                for i, text in enumerate(texts):
                    st, doc = api(sock, "POST", "/v1/messages",
                                  {"to": f"+8613900{i:06d}", "text": text, "pool": "bench"})
                    if st != 202:
                        refused.append((st, doc))

            c0, t0 = cpu_ticks(proc.pid), time.monotonic()
            th = threading.Thread(target=submit)
            th.start()
            left = None
            limit = time.monotonic() + 120 + 3 * messages * \
                (args.network_ms + 10 * args.latency_ms + 50) / 1000 / n
            while time.monotonic() < limit:
                time.sleep(0.05)
                if th.is_alive():
                    continue
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
                total, left = con.execute(
                    "SELECT count(*), coalesce(sum(state IN ('queued', 'sending')), 0) "
                    "FROM messages").fetchone()
                con.close()
                if total == messages and left == 0:
                    break
            t1, c1 = time.monotonic(), cpu_ticks(proc.pid)
            th.join()
            wall = t1 - t0
            rate = messages / wall
            cpu = 100.0 * (c1 - c0) / os.sysconf("SC_CLK_TCK") / wall
            if refused:
                problems.append(f"N={n}: {len(refused)} submits refused: {refused[:2]}")
            if left:
                problems.append(f"N={n}: {left} messages still queued or sending at the end")

            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
            states = dict(con.execute("SELECT state, count(*) FROM messages GROUP BY state"))
            con.close()
            if states != {"sent": messages}:
                problems.append(f"N={n}: states {states}, want {messages} sent")
            seen = {}
            per_modem = []
            for i in range(n):
                recs = served.records(i)
                per_modem.append(len(recs))
                for r in recs:
                    seen[r.get("text")] = seen.get(r.get("text"), 0) + 1
            lost = [t for t in texts if seen.get(t, 0) == 0]
            twice = [t for t in texts if seen.get(t, 0) > 1]
            stray = [t for t in seen if t not in set(texts)]
            if lost:
                problems.append(f"N={n}: {len(lost)} messages in no modem's records: {lost[:2]}")
            if twice:
                problems.append(f"N={n}: {len(twice)} messages sent more than once: {twice[:2]}")
            if stray:
                problems.append(f"N={n}: {len(stray)} unexpected records: {stray[:2]}")
            print(f"  N={n}: {messages} messages in {wall:.1f} s, per modem "
                  f"min {min(per_modem)} max {max(per_modem)}, states {states}", flush=True)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            logf.close()
            if problems:
                print(open(os.path.join(tmp, "smsctld.log")).read()[-2000:])
            served.stop()
    return rate, cpu, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("smsctld")
    ap.add_argument("smsctl")
    ap.add_argument("--modems", default="1,4,16,32",
                    help="comma-separated modem counts (1 is always run: the baseline)")
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--baseline-messages", type=int, default=None,
                    help="messages for N = 1 only (default: --messages; a one-modem run of "
                         "2000 takes about 30 minutes)")
    ap.add_argument("--network-ms", type=int, default=800)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--correctness-only", action="store_true",
                    help="check that every message is sent exactly once; no goals")
    args = ap.parse_args()
    try:
        counts = sorted({int(x) for x in args.modems.split(",")} | {1})
    except ValueError:
        ap.error("--modems: comma-separated numbers")
    if args.baseline_messages is None:
        args.baseline_messages = args.messages
    if any(c < 1 or c > 64 for c in counts) or min(args.messages, args.baseline_messages) < 1:
        ap.error("--modems 1 to 64 each, --messages at least 1")
    print(f"bench/pool: {args.messages} single-part messages "
          f"({args.baseline_messages} for one modem), sim:?baud=115200&"
          f"latency={args.latency_ms}&network={args.network_ms}, smsctld on SQLite, "
          f"{os.cpu_count()} CPUs", flush=True)
    results, problems = {}, []
    for n in counts:
        rate, cpu, p = run(args, n, args.baseline_messages if n == 1 else args.messages)
        results[n] = (rate, cpu)
        problems += p
    base = results[1][0]
    print(f"{'N':>4} {'messages/s':>11} {'ratio':>6} {'CPU %':>6}")
    for n in counts:
        rate, cpu = results[n]
        print(f"{n:>4} {rate:>11.2f} {rate / (n * base):>6.2f} {cpu:>6.1f}")
    if not args.correctness_only:
        for n in counts:
            if n == 1:
                continue
            want = 0.9 if n <= 16 else 0.8
            ratio = results[n][0] / (n * base)
            print(f"goal: N={n} throughput >= {want} x N x one modem: {ratio:.2f} "
                  f"{'PASS' if ratio >= want else 'MISS'}")
        if 32 in results:
            cpu = results[32][1]
            print(f"goal: daemon CPU <= 25 % of one core at 32 modems: {cpu:.1f} % "
                  f"{'PASS' if cpu <= 25 else 'MISS'}")
        else:
            print("goal: daemon CPU at 32 modems: not measured (32 not in --modems)")
    for p in problems:
        print("BROKEN:", p)
    print(f"{len(problems)} problems (lost or duplicated messages)")
    sys.exit(1 if problems else 0)


main()
