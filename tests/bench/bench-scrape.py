#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/scrape (issue 17): the cost of GET /metrics with 32 modems and a million message rows
(goal: under 10 ms; a scrape never takes the store's write lock).

A SQLite store is created by smsctld --migrate and filled with ROWS messages (most finished,
1 % unknown, one in 10 000 queued for next month) straight through sqlite3; then smsctld runs with
MODEMS sim: modems. Printed:
- the scrape's p50/p99/max over 200 scrapes (client side, Unix socket);
- the same while this script holds the store's write lock (BEGIN IMMEDIATE): a scrape that
  touched the store would wait for it;
- what the store thread spends refreshing the gauges (the queries the refresh runs, timed here
  on the same file), which is the cost the scrape does not pay;
- submit latency (open loop, 50/s for 20 s, from the scheduled time) on that store while
  scraping every second: the refresh runs in the store thread beside the commits.

Usage: bench-scrape.py SMSCTLD [ROWS [MODEMS]]   (defaults 1000000 32)
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "daemon"))
from harness import UnixConnection, raw_request  # noqa: E402

smsctld = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
modems = int(sys.argv[3]) if len(sys.argv) > 3 else 32


def get(sock, path):
    st, body, _ = raw_request(UnixConnection(sock), "GET", path)
    return st, body


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


def scrapes(sock, n):
    t = []
    for _ in range(n):
        t0 = time.perf_counter()
        st, body = get(sock, "/metrics")
        t.append((time.perf_counter() - t0) * 1000)
        if st != 200:
            raise RuntimeError(f"/metrics answered {st}")
    return t, len(body)


def fill(db):
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = OFF")
    now = int(time.time() * 1000)
    future = now + 30 * 86400 * 1000
    states = ["sent"] * 90 + ["delivered"] * 6 + ["failed"] * 3 + ["unknown"]

    def gen():  # and one message in 10 000 queued for next month
        for i in range(rows):
            st = "queued" if i % 10000 == 5000 else states[i % len(states)]
            yield (f"msg_bench{i:012d}", now - (rows - i), now, st, "+8613800000000",
                   "bench", "gsm7", 1, future if st == "queued" else now,
                   now if st not in ("queued", "unknown") else None)
    t0 = time.time()
    con.executemany("INSERT INTO messages (id, created_at, updated_at, state, recipient, text, "
                    "coding, parts, not_before, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    gen())
    con.commit()
    con.close()
    return time.time() - t0


def main():
    tmp = tempfile.mkdtemp(prefix="bench-scrape-", dir=os.getcwd())
    sock = os.path.join(tmp, "api.sock")
    conf = os.path.join(tmp, "smsctld.conf")
    db = os.path.join(tmp, "smsctl.db")
    lines = ["[daemon]", "node_id = bench", "[store]", f"url = sqlite://{db}",
             "[http]", f"listen = unix:{sock}"]
    for i in range(modems):
        lines += [f"[modem m{i:02d}]", "device = sim:generic", "daily_limit = 1000"]
    open(conf, "w").write("\n".join(lines) + "\n")
    d = None
    try:
        subprocess.run([smsctld, "--config", conf, "--migrate"], check=True,
                       capture_output=True, timeout=60)
        took = fill(db)
        print(f"store: {rows} messages written in {took:.1f} s")
        log = open(os.path.join(tmp, "smsctld.log"), "w")
        d = subprocess.Popen([smsctld, "--config", conf], stdout=log, stderr=log)
        for _ in range(300):
            try:
                if get(sock, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        time.sleep(7)  # modems open, the first refresh of the gauges ran
        t, size = scrapes(sock, 200)
        print(f"scrape ({modems} modems, {rows} rows, {size} bytes): p50 {pct(t, 50):.2f} ms "
              f"p99 {pct(t, 99):.2f} ms max {max(t):.2f} ms (goal < 10 ms)")
        # hold the store's write lock: the scrape must not wait for it
        con = sqlite3.connect(db, timeout=60, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        t, _ = scrapes(sock, 100)
        con.execute("ROLLBACK")
        con.close()
        print(f"scrape while the write lock is held elsewhere: p50 {pct(t, 50):.2f} ms "
              f"p99 {pct(t, 99):.2f} ms max {max(t):.2f} ms")
        # submits beside the refreshes (open loop: latency from the scheduled time)
        lat, rate, secs = [], 50, 20
        start = time.perf_counter() + 0.2
        next_scrape = start
        for i in range(rate * secs):
            at = start + i / rate
            while time.perf_counter() < at:
                time.sleep(max(0, at - time.perf_counter()))
            c = UnixConnection(sock)
            c.request("POST", "/v1/messages", body=json.dumps(
                {"to": "+8613800000001", "text": f"bench {i}"}),
                headers={"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            c.close()
            lat.append((time.perf_counter() - at) * 1000)
            if r.status != 202:
                raise RuntimeError(f"submit answered {r.status}")
            if time.perf_counter() >= next_scrape:
                get(sock, "/metrics")
                next_scrape += 1
        print(f"submits at {rate}/s beside the refreshes ({rows} rows): p50 {pct(lat, 50):.1f} ms "
              f"p99 {pct(lat, 99):.1f} ms max {max(lat):.1f} ms")
        # what the store thread pays per refresh (not the scrape)
        con = sqlite3.connect(db)
        for name, sql in (
                ("rows per state, all states",
                 "SELECT state, count(*) FROM messages GROUP BY state"),
                ("rows per state, queued/sending/unknown",
                 "SELECT state, count(*) FROM messages WHERE state IN "
                 "('queued', 'sending', 'unknown') GROUP BY state")):
            best = None
            for _ in range(3):
                t0 = time.perf_counter()
                con.execute(sql).fetchall()
                ms = (time.perf_counter() - t0) * 1000
                best = ms if best is None else min(best, ms)
            print(f"refresh query ({name}): {best:.1f} ms")
        con.close()
    finally:
        if d:
            d.terminate()
            d.wait(timeout=60)
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)


main()
