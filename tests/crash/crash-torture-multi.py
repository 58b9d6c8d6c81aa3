#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Crash torture, three hosts: one PostgreSQL (SMSCTL_TEST_PG_URL, from tests/daemon/pg-run.sh),
three smsctld with distinct node_id and 4 served modems each (generic, wavecom, simcom, huawei
from one `smsctl sim serve`, every modem its own SIM), messages submitted to the live nodes
while one node at a time is killed with SIGKILL, left dead until the others took over its
claims (or the bound passed), and restarted. Then, from the store and the modems' records:
  - 0 lost: every message the API accepted ends sent, delivered, failed, expired or unknown;
  - 0 duplicated: no PDU twice in the records, no (recipient, part, text) twice;
  - no message submitted by two nodes (or, for a multipart, from two modems);
  - every part the store says `sent` is in the records once, with the TP-MR answered;
  - unknown parts: at most 4 per kill, each message with its message.unknown event;
  - a killed node's claimed-but-unsent messages (kills are aimed at such moments: a node is
    frozen with SIGSTOP, looked at, and killed when it holds one) (claimed, every part still queued) are sent
    by the others within lease + 6 s (35 s at the default lease of 30 s, plus one second to
    send).

Usage: crash-torture-multi.py SMSCTLD SMSCTL [--messages N] [--kills K] [--interval-ms MS]
       [--trials T] [--lease S] [--seed S]
Without SMSCTL_TEST_PG_URL or psql: exit 77 (skipped) with the reason.
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "daemon"))
from harness import SimServe, Smsctld, unix_request  # noqa: E402

FINAL = {"sent", "delivered", "failed", "expired", "unknown"}
PROFILES = ("generic", "wavecom", "simcom", "huawei")
NODES = 3


def api(sock, method, path, body=None):
    return unix_request(sock, method, path, body, timeout=10)


def find_psql():
    bindir = os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin")
    p = os.path.join(bindir, "psql")
    return p if os.access(p, os.X_OK) else shutil.which("psql")


class Pg:
    def __init__(self, psql, url):
        self.psql, self.url = psql, url

    def rows(self, q):
        p = subprocess.run([self.psql, "-X", "-q", "-A", "-t", "-F", "\t", "-v",
                            "ON_ERROR_STOP=1", "-d", self.url, "-c", q],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"psql: {p.stderr.strip()}")
        return [line.split("\t") for line in p.stdout.splitlines() if line]


def url_with_db(url, db):
    # postgresql://user@/postgres?host=...&port=... -> .../DB?...
    head, _, query = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{db}" + (f"?{query}" if query else "")


class Served(SimServe):
    """Four profiles per node, each modem its own SIM, on ptys in tmp."""

    def __init__(self, smsctl, tmp):
        super().__init__(smsctl, tmp, [f"sim:{p}?network=150" for _ in range(NODES)
                                       for p in PROFILES], ctl_timeout=60)


class Node(Smsctld):
    start_timeout = 30

    def __init__(self, smsctld, tmp, k, url, served, lease):
        self.k = k
        self.node_id = f"node{k}"
        sock = os.path.join(tmp, f"api{k}.sock")
        conf = (f"[daemon]\nnode_id = {self.node_id}\nshutdown_timeout = 20s\n"
                f"[store]\nurl = {url}\nlease = {lease}s\n"
                f"[send]\nretry_initial = 1s\nretry_max = 2s\n"
                f"[http]\nlisten = unix:{sock}\nmax_body = 1m\n")
        for i, p in enumerate(PROFILES):
            conf += f"[modem n{k}-{p}]\ndevice = {served.paths[4 * k + i]}\n"
        super().__init__(smsctld, tmp, conf, sock, name=self.node_id)
        self.alive = False

    def start(self):
        super().start()
        self.alive = True

    def kill(self, sig):
        self.alive = False
        return super().kill(sig)


def tpdu(pdu):
    t = pdu.upper()
    return t[2 + 2 * int(t[:2], 16):]


def trial(args, rnd, pg_admin, n):
    problems = []
    db = f"torture_{os.getpid()}_{n}"
    pg_admin.rows(f"CREATE DATABASE {db}")
    url = url_with_db(pg_admin.url, db)
    pg = Pg(pg_admin.psql, url)
    tmp = tempfile.mkdtemp(prefix="smsctl-multi-")
    served = Served(args.smsctl, tmp)
    nodes = [Node(args.smsctld, tmp, k, url, served, args.lease) for k in range(NODES)]
    for node in nodes:  # one after the other: the first creates the schema
        node.start()
    accepted = {}
    unanswered = []
    done = threading.Event()

    def submitter():
        srnd = random.Random(rnd.random())
        for i in range(args.messages):
            if i % 3 == 0:
                text = f"第{i}号订单：您的会员卡已充值，余额一百二十元，感谢惠顾。" * 5
            else:
                text = f"order {i}: your card was recharged, balance 120.00, thank you"
            live = [x for x in nodes if x.alive]
            node = srnd.choice(live) if live else nodes[0]
            try:
                st, doc = api(node.sock, "POST", "/v1/messages",
                              {"to": f"+86139{srnd.randrange(10**8):08d}", "text": text})
                if st == 202:
                    accepted[doc["messages"][0]["id"]] = text
                else:
                    unanswered.append(text)
            except OSError:
                unanswered.append(text)
            # bursts: a backlog for the nodes to claim
            time.sleep(args.interval_ms / 1000 * (8 if i % 8 == 7 else 0.2))
        done.set()

    sub = threading.Thread(target=submitter)
    t0 = time.time()
    sub.start()
    bound = args.lease + 6
    takeovers = []  # seconds until sent by another node, per claimed-but-unsent message
    late = []
    hunted = 0
    for _ in range(args.kills):
        time.sleep(0.5 + rnd.random() * 1.5)
        # Hunt for a moment when a node holds a claim it has not started (the window between
        # the claim and the part's `sending` commit is short): freeze a node, look, kill it
        # if it holds one, else let it go on; after the hunt, kill one anyway.
        hunt_end = time.time() + args.hunt_s
        while True:
            victim = rnd.choice(nodes)
            victim.proc.send_signal(signal.SIGSTOP)
            claimed = [r[0] for r in pg.rows(
                f"SELECT m.id FROM messages m WHERE m.node_id = '{victim.node_id}' AND "
                f"m.state = 'sending' AND NOT EXISTS (SELECT 1 FROM message_parts p WHERE "
                f"p.message_id = m.id AND p.state <> 'queued')")]
            if claimed or time.time() >= hunt_end or done.is_set():
                break
            victim.proc.send_signal(signal.SIGCONT)
            time.sleep(rnd.random() * 0.05)
        victim.kill(signal.SIGKILL)
        killed_at = time.time()
        # a claim committed while the query ran (before the stop took hold) counts too
        claimed = [r[0] for r in pg.rows(
            f"SELECT m.id FROM messages m WHERE m.node_id = '{victim.node_id}' AND "
            f"m.state = 'sending' AND NOT EXISTS (SELECT 1 FROM message_parts p WHERE "
            f"p.message_id = m.id AND p.state <> 'queued')")]
        hunted += bool(claimed)
        left = set(claimed)
        while left and time.time() - killed_at < bound + 5:
            time.sleep(0.25)
            ids = ",".join(f"'{m}'" for m in left)
            for mid, state, node_id in pg.rows(
                    f"SELECT id, state, node_id FROM messages WHERE id IN ({ids})"):
                if state in FINAL and node_id != victim.node_id:
                    takeovers.append(time.time() - killed_at)
                    left.discard(mid)
        if left:
            late += list(left)
        # dead a moment longer (sometimes past the lease), then back
        time.sleep(rnd.random() * 2)
        victim.start()
    sub.join()
    submit_s = time.time() - t0
    deadline = time.time() + 180
    while time.time() < deadline:
        left_n = int(pg.rows("SELECT count(*) FROM messages WHERE state IN "
                             "('queued', 'sending')")[0][0])
        if left_n == 0:
            break
        time.sleep(0.5)
    for node in nodes:
        rc = node.kill(signal.SIGTERM)
        if rc != 0:
            problems.append(f"{node.node_id}: SIGTERM exited {rc}")
    records = [served.ctl(cmd="records", modem=i)["records"] for i in range(len(served.paths))]
    if served.stop() != 0:
        problems.append("smsctl sim serve did not exit 0 on SIGTERM")

    states = dict((r[0], r[1]) for r in pg.rows("SELECT id, state FROM messages"))
    lost = [m for m in accepted if m not in states]
    if lost:
        problems.append(f"{len(lost)} accepted messages lost: {lost[:3]}")
    not_final = [m for m, s in states.items() if s not in FINAL]
    if not_final:
        problems.append(f"{len(not_final)} messages not final: {not_final[:3]}")
    if late:
        problems.append(f"{len(late)} claimed-but-unsent messages of killed nodes not sent by "
                        f"the others within {bound} s: {late[:3]}")
    slow = [t for t in takeovers if t > bound]
    if slow:
        problems.append(f"{len(slow)} takeovers over {bound} s: {max(slow):.1f} s")

    parts = pg.rows("SELECT message_id, seq, state, coalesce(pdu, ''), coalesce(mr, -1) "
                    "FROM message_parts")
    msg_of = {}
    for mid, seq, pstate, pdu, mr in parts:
        if pdu:
            msg_of[tpdu(pdu)] = mid
    all_pdus = [r["pdu"] for rs in records for r in rs]
    count = {}
    for p in all_pdus:
        count[p] = count.get(p, 0) + 1
    dup = sum(c - 1 for c in count.values())
    if dup:
        problems.append(f"{dup} PDUs accepted twice")
    keys = [(r.get("to"), r.get("text"), (r.get("concat") or {}).get("seq"))
            for rs in records for r in rs]
    if len(keys) != len(set(keys)):
        problems.append(f"{len(keys) - len(set(keys))} parts submitted twice "
                        f"(same recipient, part, text)")
    modems_of = {}
    mr_of = {}
    for i, rs in enumerate(records):
        for r in rs:
            mr_of[r["pdu"]] = r["mr"]
            mid = msg_of.get(r["pdu"])
            if mid is None:
                problems.append(f"modem {i} accepted a PDU the store does not have")
                continue
            modems_of.setdefault(mid, set()).add(i)
    two_nodes = [m for m, ms in modems_of.items() if len({i // 4 for i in ms}) > 1]
    if two_nodes:
        problems.append(f"{len(two_nodes)} messages submitted by two nodes: {two_nodes[:3]}")
    two_modems = [m for m, ms in modems_of.items() if len(ms) > 1]
    if two_modems:
        problems.append(f"{len(two_modems)} messages submitted from two modems")
    missing = wrong_mr = 0
    for mid, seq, pstate, pdu, mr in parts:
        if pstate != "sent":
            continue
        t = tpdu(pdu)
        if count.get(t, 0) != 1:
            missing += 1
        elif int(mr) != mr_of[t]:
            wrong_mr += 1
    if missing:
        problems.append(f"{missing} parts sent per the store are not in the records once")
    if wrong_mr:
        problems.append(f"{wrong_mr} sent parts whose TP-MR is not the one answered")
    unknown_parts = sum(1 for p in parts if p[2] == "unknown")
    if unknown_parts > 4 * max(args.kills, 1):
        problems.append(f"{unknown_parts} unknown parts for {args.kills} kills")
    no_event = int(pg.rows(
        "SELECT count(*) FROM messages m WHERE m.state = 'unknown' AND NOT EXISTS (SELECT 1 "
        "FROM events e WHERE e.message_id = m.id AND e.type = 'message.unknown')")[0][0])
    if no_event:
        problems.append(f"{no_event} unknown messages without message.unknown")
    counts = {}
    for s in states.values():
        counts[s] = counts.get(s, 0) + 1
    per_node = [sum(len(records[4 * k + i]) for i in range(4)) for k in range(NODES)]
    print(f"trial: {len(accepted)} accepted, {len(unanswered)} unanswered, {args.kills} kills, "
          f"{len(all_pdus)} PDUs recorded (per node {per_node}), {unknown_parts} unknown parts, "
          f"states {counts}, {hunted} kills holding claimed-but-unsent messages, "
          f"{len(takeovers)} of them taken over "
          f"(max {max(takeovers) if takeovers else 0:.1f} s, bound {bound} s), "
          f"run {submit_s:.1f} s", flush=True)
    if problems:
        for node in nodes:
            print(f"--- {node.node_id} log (tail) ---")
            print(open(os.path.join(tmp, f"node{node.k}.log")).read()[-1500:])
    else:
        shutil.rmtree(tmp, ignore_errors=True)
        pg_admin.rows(f"DROP DATABASE {db}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("smsctld")
    ap.add_argument("smsctl")
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--interval-ms", type=int, default=100)
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--lease", type=int, default=30)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--hunt-s", type=float, default=3.0,
                    help="how long to look for a node holding an unstarted claim per kill")
    args = ap.parse_args()
    url = os.environ.get("SMSCTL_TEST_PG_URL")
    if not url:
        print("skipped: SMSCTL_TEST_PG_URL is not set (run through tests/daemon/pg-run.sh)")
        sys.exit(77)
    psql = find_psql()
    if not psql:
        print("skipped: no psql to read the store")
        sys.exit(77)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"seed {seed}", flush=True)
    rnd = random.Random(seed)
    failed = 0
    for n in range(args.trials):
        for p in trial(args, rnd, Pg(psql, url), n):
            print("FAIL:", p)
            failed += 1
    print(f"{failed} problems")
    sys.exit(1 if failed else 0)


main()
