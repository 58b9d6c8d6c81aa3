#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Crash torture, single host: smsctld on SQLite with four simulated modems (generic,
wavecom, simcom, huawei), messages with unique texts (a third of them three-part Chinese)
submitted at a steady pace while the daemon is killed with SIGKILL at random moments and
restarted at once. Then:
  - 0 lost: every message the API accepted (202) ends sent, delivered, failed, expired or
    unknown; none is left queued or sending;
  - 0 sent twice: no PDU in the modems' records twice; every part the store says `sent` is
    in the records exactly once;
  - at most 4 unknown parts per kill, each message unknown with its message.unknown event;
  - a trial with SIGTERM instead of SIGKILL ends with 0 unknown.

Usage: crash-torture.py SMSCTLD [--messages N] [--kills K] [--interval-ms MS] [--trials T]
       [--sigterm-trial] [--seed S] [--faults]
With --faults a fifth modem is unplugged 2 s after every open (it comes back every 5 s):
parts cut off before the prompt are sent later, once; parts whose PDU was written end unknown
and are never resent (the unknown bound per kill does not apply to them).
CI runs a scaled-down trial (tests/daemon/meson.build); the full one is a benchmark that
prints its figures.

The simulated modems live inside the daemon; SMSCTLD_SIM_RECORD=DIR makes the daemon append
every PDU a modem accepted to DIR/NAME.pdus (fsynced before the part is committed `sent`).
"""
import argparse
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

FINAL = {"sent", "delivered", "failed", "expired", "unknown"}


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=10)
        self.path_ = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path_)


def api(sock, method, path, body=None):
    c = UnixConnection(sock)
    h = {"Content-Type": "application/json"} if body is not None else {}
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse()
    doc = json.loads(r.read() or b"null")
    c.close()
    return r.status, doc


class Daemon:
    def __init__(self, smsctld, tmp, faults=False):
        self.smsctld, self.tmp = smsctld, tmp
        self.sock = os.path.join(tmp, "api.sock")
        self.conf = os.path.join(tmp, "smsctld.conf")
        self.logf = open(os.path.join(tmp, "smsctld.log"), "a")
        with open(self.conf, "w") as f:
            f.write(f"[daemon]\nnode_id = torture\nshutdown_timeout = 20s\n"
                    f"[store]\nurl = sqlite://{tmp}/smsctl.db\n"
                    f"[send]\nretry_initial = 1s\nretry_max = 2s\n"
                    f"[http]\nlisten = unix:{self.sock}\nmax_body = 1m\n")
            for p in ("generic", "wavecom", "simcom", "huawei"):
                f.write(f"[modem {p}]\ndevice = sim:{p}\n")
            if faults:
                # unplugged 2 s after every open, wherever a command is: before the
                # prompt (sent later, once) or after the PDU (unknown, never resent)
                f.write("[modem flaky]\ndevice = sim:quectel?fault=unplug:2\n")
        self.proc = None
        self.starts = 0

    def start(self):
        env = dict(os.environ, SMSCTLD_SIM_RECORD=self.tmp)
        self.proc = subprocess.Popen([self.smsctld, "--config", self.conf], stdout=self.logf,
                                     stderr=self.logf, env=env)
        self.starts += 1
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if api(self.sock, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("smsctld exited at start, see smsctld.log")
            time.sleep(0.05)
        raise RuntimeError("smsctld did not start")

    def kill(self, sig):
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=60)


def trial(args, rnd, use_sigterm):
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(args.smsctld, tmp, args.faults)
        d.start()
        accepted = {}  # id -> text
        pending = []  # texts whose submit got no answer (the daemon died)
        kills_at = sorted(rnd.sample(range(1, args.messages), min(args.kills,
                                                                   args.messages - 1)))
        kills = 0
        t0 = time.time()
        for i in range(args.messages):
            if i % 3 == 0:
                text = f"第{i}号订单：您的会员卡已充值，余额一百二十元，感谢惠顾。" * 5
            else:
                text = f"order {i}: your card was recharged, balance 120.00, thank you"
            try:
                st, doc = api(d.sock, "POST", "/v1/messages",
                              {"to": f"+86139{rnd.randrange(10**8):08d}", "text": text})
                if st == 202:
                    accepted[doc["messages"][0]["id"]] = text
                else:
                    pending.append(text)
            except OSError:
                pending.append(text)
            if kills_at and i >= kills_at[0]:
                kills_at.pop(0)
                time.sleep(rnd.random() * args.interval_ms / 1000)
                d.kill(signal.SIGTERM if use_sigterm else signal.SIGKILL)
                kills += 1
                d.start()
            time.sleep(args.interval_ms / 1000)
        submit_s = time.time() - t0
        # let it finish
        deadline = time.time() + 120
        while time.time() < deadline:
            db = sqlite3.connect(f"file:{tmp}/smsctl.db?mode=ro", uri=True)
            left = db.execute("select count(*) from messages where state in "
                              "('queued', 'sending')").fetchone()[0]
            db.close()
            if left == 0:
                break
            time.sleep(0.5)
        rc = d.kill(signal.SIGTERM)
        problems = []
        if rc != 0:
            problems.append(f"the last SIGTERM exited {rc}")
        db = sqlite3.connect(f"file:{tmp}/smsctl.db?mode=ro", uri=True)
        states = dict(db.execute("select id, state from messages").fetchall())
        texts = {t for (t,) in db.execute("select text from messages")}
        # accepted ones that the API answered for; unanswered ones may or may not exist
        lost = [m for m in accepted if m not in states]
        if lost:
            problems.append(f"{len(lost)} accepted messages lost: {lost[:3]}")
        not_final = [m for m, s in states.items() if s not in FINAL]
        if not_final:
            problems.append(f"{len(not_final)} messages not final: {not_final[:3]}")
        recs = []
        per_modem = {}
        for f in os.listdir(tmp):
            if f.endswith(".pdus"):
                lines = [l.strip().upper() for l in open(os.path.join(tmp, f)) if l.strip()]
                per_modem[f[:-5]] = len(lines)
                recs += lines
        dup = len(recs) - len(set(recs))
        if dup:
            problems.append(f"{dup} PDUs accepted twice by the modems")
        recset = {}
        for r in recs:
            recset[r] = recset.get(r, 0) + 1
        sent_parts = db.execute("select message_id, seq, pdu from message_parts "
                                "where state = 'sent'").fetchall()
        missing = 0
        for mid, seq, pdu in sent_parts:
            tpdu = pdu.upper()
            smsc = int(tpdu[:2], 16)
            tpdu = tpdu[2 + 2 * smsc:]
            if recset.get(tpdu, 0) != 1:
                missing += 1
        if missing:
            problems.append(f"{missing} parts sent per the store are not in the records once")
        unknown_parts = db.execute("select count(*) from message_parts "
                                   "where state = 'unknown'").fetchone()[0]
        unknown_msgs = [m for m, s in states.items() if s == "unknown"]
        no_event = [m for m in unknown_msgs if db.execute(
            "select count(*) from events where message_id = ? and type = 'message.unknown'",
            (m,)).fetchone()[0] == 0]
        if no_event:
            problems.append(f"{len(no_event)} unknown messages without message.unknown")
        if use_sigterm and unknown_parts and not args.faults:
            problems.append(f"SIGTERM trial: {unknown_parts} unknown parts")
        if unknown_parts > 4 * max(kills, 1) and not args.faults:
            problems.append(f"{unknown_parts} unknown parts for {kills} kills")
        counts = {}
        for s in states.values():
            counts[s] = counts.get(s, 0) + 1
        db.close()
        print(f"trial ({'SIGTERM' if use_sigterm else 'SIGKILL'}): {len(accepted)} accepted, "
              f"{len(pending)} unanswered, {kills} kills, {len(recs)} PDUs recorded, "
              f"{unknown_parts} unknown parts, states {counts}, per modem {per_modem}, "
              f"submit phase {submit_s:.1f} s",
              flush=True)
        if problems:
            print(open(os.path.join(tmp, "smsctld.log")).read()[-3000:])
        return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("smsctld")
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--kills", type=int, default=25)
    ap.add_argument("--interval-ms", type=int, default=800)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--sigterm-trial", action="store_true")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--faults", action="store_true",
                    help="a fifth modem that is unplugged 2 s after every open")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"seed {seed}", flush=True)
    rnd = random.Random(seed)
    failed = 0
    for t in range(args.trials):
        for p in trial(args, rnd, False):
            print("FAIL:", p)
            failed += 1
    if args.sigterm_trial:
        for p in trial(args, rnd, True):
            print("FAIL:", p)
            failed += 1
    print(f"{failed} problems")
    sys.exit(1 if failed else 0)


main()
