#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""smsctld --copy-store FROM TO (smsctld(8)) between real SQLite files and the throwaway
PostgreSQL of pg-run.sh (SMSCTL_TEST_PG_URL; without it: exit 77).

1. A SQLite store is filled by a running smsctld on sim: modems (messages sent, one of three
   parts, an idempotency key, a message received, an opt-out, a webhook whose receiver is down
   so its deliveries stay pending, modems, nodes, per-SIM counters), then rows in every other
   state (queued, failed with an error, unknown with mr_advanced, cancelled, delivered with a
   report; texts with quotes, newlines, Chinese) written with sqlite3. Every table the
   migrations create must hold rows, or the test fails (a new table must be covered here).
2. SQLite -> PostgreSQL: exit 0; every row of every table equal (schema_version aside: the
   target records its own migration times, the versions must be equal).
3. The same copy again: refused, exit 65, "not empty", nothing added.
4. PostgreSQL -> a fresh SQLite file: every row equal to the original.
5. Refused: a bad URL (64), FROM = TO (64), a missing SQLite source (65, and no file
   created), a source locked by a running smsctld (65, naming its pid).
6. A daemon on each copy works: a new message is sent and its events get seq numbers above
   every copied one.

Usage: copy-store.py SMSCTLD
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Smsctld, check, failures  # noqa: E402

SMSCTLD = sys.argv[1]
PG = os.environ.get("SMSCTL_TEST_PG_URL")


class Daemon(Smsctld):
    def __init__(self, tmp, name, url, modems, extra=""):
        sock = os.path.join(tmp, name + ".sock")
        lines = ["[daemon]", "node_id = copy-" + name, "shutdown_timeout = 5s",
                 "[store]", "url = " + url,
                 "[http]", f"listen = unix:{sock}"]
        for m, dev in modems:
            lines += [f"[modem {m}]", f"device = {dev}"]
        super().__init__(SMSCTLD, tmp, "\n".join(lines) + "\n" + extra, sock, name=name)

    def send(self, body, headers=None):
        st, doc = self.submit(body, headers)
        check(st in (200, 202), f"submit answered {st}: {doc}")
        return doc["messages"][0]["id"]


def copy(src, dst):
    p = subprocess.run([SMSCTLD, "--copy-store", src, dst], capture_output=True, text=True,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr


# ---- reading every row of every table ----

def sqlite_tables(path):
    db = sqlite3.connect(path)
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    db.close()
    return sorted(names)


def sqlite_rows(path, table):
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    rows = [dict(r) for r in db.execute(f'SELECT * FROM "{table}"')]
    db.close()
    return rows


def psql(sql):
    p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", PG,
                        "-c", sql], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return p.stdout


def pg_tables():
    out = psql("SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace"
               " AND relkind = 'r' ORDER BY 1")
    return sorted(l for l in out.splitlines() if l)


def pg_rows(table):
    out = psql(f'SELECT coalesce(json_agg(t), \'[]\') FROM "{table}" t')
    return json.loads(out)


def canon(rows, table):
    if table == "schema_version":
        rows = [{"version": r["version"]} for r in rows]
    return sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)


def compare(what, tables_a, rows_a, tables_b, rows_b):
    check(tables_a == tables_b, f"{what}: the same tables: {tables_a} / {tables_b}")
    for t in tables_a:
        a, b = canon(rows_a(t), t), canon(rows_b(t), t)
        if not check(a == b, f"{what}: table {t}: {len(a)} / {len(b)} rows differ"):
            for x, y in zip(a, b):
                if x != y:
                    print("  first difference:\n   ", x, "\n   ", y)
                    break


# ---- 1. the source ----

def fill(tmp, path):
    d = Daemon(tmp, "src", "sqlite://" + path,
               [("a", "sim:generic?arrive=300,%2B8613911112222,hi%20copy"),
                ("b", "sim:huawei")],
               "[webhook down]\nurl = http://127.0.0.1:9/hook\nevents = message.*\n")
    d.start()
    ids = [d.send({"to": "+8613800138000", "text": "copy one"}),
           d.send({"to": "+8613800138001", "text": "三部分" * 60, "tags": {"shop": "a"}}),
           d.send({"to": "+8613800138002", "text": "keyed"}, {"Idempotency-Key": "k-1"}),
           d.send({"to": "+8613800138003", "text": "later", "not_before":
                     "2099-01-01T00:00:00.000Z"})]
    for mid in ids[:3]:
        m = d.wait_state(mid, {"sent"})
        check(m and m["state"] == "sent", f"fill: {mid} is {m and m['state']}")
    st, _ = d.req("POST", "/v1/optouts", {"number": "+8613900000001", "reason": "asked"})
    check(st in (200, 201), f"fill: opt-out answered {st}")
    deadline = time.time() + 20
    while time.time() < deadline:
        st, doc = d.req("GET", "/v1/inbox")
        if st == 200 and doc.get("messages"):
            break
        time.sleep(0.2)
    check(st == 200 and doc.get("messages"), f"fill: the inbox has the arrived message: {doc}")
    d.stop()
    db = sqlite3.connect(path)
    now = int(time.time() * 1000)
    base = ("INSERT INTO messages (id, created_at, updated_at, state, recipient, text, coding, "
            "parts, not_before, error_code, error_class, error_text, finished_at, "
            "validity_minutes, at_least_once, request_hash) VALUES "
            "(?, ?, ?, ?, ?, ?, 'gsm7', 1, ?, ?, ?, ?, ?, ?, ?, ?)")
    rows = [("msg_01AAAAAAAAAAAAAAAAAAAAAAAA", "failed", "it's \"quoted\"\nand two lines",
             "cms.21", "permanent", "short message transfer rejected", now, 1440, 0, "h1"),
            ("msg_01AAAAAAAAAAAAAAAAAAAAAAAB", "unknown", "未知 ünknown", "timeout",
             "ambiguous", None, None, None, 1, None),
            ("msg_01AAAAAAAAAAAAAAAAAAAAAAAC", "cancelled", "", None, None, None, now, None, 0,
             None),
            ("msg_01AAAAAAAAAAAAAAAAAAAAAAAD", "delivered", "x" * 150, None, None, None, now,
             None, 0, None)]
    for i, (mid, state, text, code, cls, etext, fin, val, alo, h) in enumerate(rows):
        db.execute(base, (mid, now - 1000 + i, now, state, "+861380013800" + str(i), text,
                          now, code, cls, etext, fin, val, alo, h))
        pst = {"failed": "failed", "unknown": "unknown", "cancelled": "queued",
               "delivered": "sent"}[state]
        db.execute("INSERT INTO message_parts (message_id, seq, state, pdu, mr, expected_mr, "
                   "mr_advanced, storage_index, modem, sim_iccid, attempt, sent_at, "
                   "report_status, report_at, error_code) VALUES (?, 1, ?, '0011000B91', ?, ?, "
                   "?, ?, 'a', '89860000000000000001', 2, ?, ?, ?, ?)",
                   (mid, pst, 255 if state == "delivered" else None, 0,
                    0 if state == "unknown" else None, 7 if state == "unknown" else None,
                    now if pst == "sent" else None, 0 if state == "delivered" else None,
                    now if state == "delivered" else None, code))
        db.execute("INSERT INTO events (id, type, created_at, message_id, modem, payload) "
                   "VALUES (?, ?, ?, ?, 'a', ?)",
                   ("evt_01AAAAAAAAAAAAAAAAAAAAAAA" + str(i), "message." + state, now, mid,
                    json.dumps({"text": text, "n": i}, ensure_ascii=False)))
    # a gap in events.seq: the source's counter is above its highest row
    db.execute("INSERT INTO events (seq, id, type, created_at, payload) VALUES "
               "(1000000, 'evt_gap', 'test.gap', ?, '{}')", (now,))
    db.execute("DELETE FROM events WHERE id = 'evt_gap'")
    db.execute("INSERT INTO inbox (id, received_at, modem, sim_iccid, sender, text, coding, "
               "smsc, sc_timestamp, parts, complete, class, dedupe_key) VALUES ('inb_x', ?, "
               "'b', NULL, 'ALIPAY', '退订 TD\n', 'ucs2', '+8613800100500', ?, 2, 0, 0, "
               "'imsi|ALIPAY|1|2')", (now, now - 5000))
    db.commit()
    db.close()
    for t in sqlite_tables(path):
        check(len(sqlite_rows(path, t)) > 0, f"fill: table {t} has rows (cover it here)")


def max_seq_sqlite(path):
    db = sqlite3.connect(path)
    v = db.execute("SELECT max(seq) FROM events").fetchone()[0]
    db.close()
    return v


def daemon_continues(tmp, name, url, max_before, new_seqs):
    d = Daemon(tmp, name, url, [("m", "sim:")])
    d.start()
    mid = d.send({"to": "+8613800138009", "text": "after the copy " + name})
    m = d.wait_state(mid, {"sent"})
    check(m and m["state"] == "sent", f"{name}: a daemon on the copy sends: {m}")
    st, ev = d.req("GET", f"/v1/messages/{mid}/events")
    check(st == 200 and ev["events"], f"{name}: events of the new message: {ev}")
    d.stop()
    seqs = new_seqs(mid)
    check(seqs and min(seqs) > max_before,
          f"{name}: the new events' seq {seqs} continue after the copied maximum {max_before}")
    check(not seqs or min(seqs) > 1000000,
          f"{name}: the source's counter (1000000) is kept, no number reused: {seqs}")


def main():
    if not PG:
        print("copy-store: no SMSCTL_TEST_PG_URL (run under pg-run.sh): skipped")
        return 77
    with tempfile.TemporaryDirectory(prefix="smsctl-copy-") as tmp:
        src = os.path.join(tmp, "src.db")
        fill(tmp, src)
        src_url = "sqlite://" + src
        rows_src = lambda t: sqlite_rows(src, t)

        # 2. SQLite -> PostgreSQL
        t0 = time.time()
        rc, out, err = copy(src_url, PG)
        check(rc == 0, f"sqlite -> pg: exit {rc}: {err}")
        print(f"sqlite -> pg: {time.time() - t0:.2f} s\n{out}", end="", flush=True)
        check("messages: " in out and "events: " in out, f"sqlite -> pg: tables named: {out}")
        compare("sqlite -> pg", sqlite_tables(src), rows_src, pg_tables(), pg_rows)

        # 3. a second copy is refused, nothing added
        before = canon(pg_rows("events"), "events")
        rc, out, err = copy(src_url, PG)
        check(rc == 65 and "not empty" in err, f"second copy: exit {rc}, {err!r}")
        check(canon(pg_rows("events"), "events") == before, "second copy: nothing added")

        # 4. PostgreSQL -> a fresh SQLite
        back = os.path.join(tmp, "back.db")
        rc, out, err = copy(PG, "sqlite://" + back)
        check(rc == 0, f"pg -> sqlite: exit {rc}: {err}")
        compare("pg -> sqlite", sqlite_tables(src), rows_src, sqlite_tables(back),
                lambda t: sqlite_rows(back, t))

        # 5. refusals
        rc, out, err = copy("mysql://x/y", "sqlite://" + os.path.join(tmp, "n.db"))
        check(rc == 64 and "mysql://x/y" in err, f"bad URL: exit {rc}, {err!r}")
        rc, out, err = copy(src_url, src_url)
        check(rc == 64, f"FROM = TO: exit {rc}, {err!r}")
        missing = os.path.join(tmp, "missing.db")
        rc, out, err = copy("sqlite://" + missing, "sqlite://" + os.path.join(tmp, "n2.db"))
        check(rc == 65 and "missing.db" in err, f"missing source: exit {rc}, {err!r}")
        check(not os.path.exists(missing), "missing source: not created")
        locked = Daemon(tmp, "lock", src_url, [("m", "sim:")])
        locked.start()
        rc, out, err = copy(src_url, "sqlite://" + os.path.join(tmp, "n3.db"))
        check(rc == 65 and str(locked.proc.pid) in err,
              f"source in use: exit {rc}, pid {locked.proc.pid} named: {err!r}")
        locked.stop()

        # 6. daemons on the copies
        pg_max = int(psql("SELECT max(seq) FROM events"))
        daemon_continues(tmp, "pg", PG, pg_max, lambda mid: [int(x) for x in psql(
            f"SELECT seq FROM events WHERE message_id = '{mid}'").split()])
        back_max = max_seq_sqlite(back)

        def back_seqs(mid):
            db = sqlite3.connect(back)
            v = [r[0] for r in db.execute("SELECT seq FROM events WHERE message_id = ?",
                                          (mid,))]
            db.close()
            return v
        daemon_continues(tmp, "back", "sqlite://" + back, back_max, back_seqs)
    if failures:
        print(f"{len(failures)} failures")
        return 1
    print("copy-store: all passed")
    return 0


sys.exit(main())
