#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""smsctld with [send] submit_mode = storage (issue 14, "Evidence resolves unknown" (2)) on a
sim: modem whose storage survives a kill -9 of the daemon (SMSCTLD_SIM_RECORD keeps its slots
in DIR/NAME.slots and its accepted PDUs in DIR/NAME.pdus). The daemon kills itself with
SIGKILL at a named point (SMSCTLD_TEST_KILL):

  before_cmss  the slot is written (AT+CMGW) and committed, AT+CMSS not yet sent, on a
               modem a first message proved -> after the restart the slot says "STO UNSENT":
               sent from it, exactly once;
  probe_before_cmss  the same on the very first part (the probe: the modem is not yet known
               to mark "STO SENT") -> `unknown`, never sent: "STO UNSENT" proves nothing;
  probe_stuck  a stuck-stat modem (cmss_stat_stuck) killed after AT+CMSS of the probe part
               -> "STO UNSENT" but it went out: `unknown`, not sent a second time;
  after_cmss   AT+CMSS answered, the outcome not committed
               -> the slot says "STO SENT": `sent`, never sent again;
  gone         killed before AT+CMSS and the slot removed meanwhile
               -> `unknown`, with its message.unknown event, never sent;
  orphan       killed between AT+CMGW and its commit -> the slot nobody references is
               deleted at the next open, the message sent once;
  timeout      AT+CMSS never answered, the slot "STO SENT" -> `sent` (asked, not unknown);
  fallback     a modem whose slot stays "STO UNSENT" after AT+CMSS (fault cmss_stat_stuck)
               -> the first part is sent once, the modem falls back to direct with a
                  modem.storage_fallback event, later parts go with AT+CMGS, once each.

Usage: storage-e2e.py SMSCTLD [CASE...]. With SMSCTL_TEST_PG_URL the store is PostgreSQL.
"""
import json
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "daemon"))
from harness import Smsctld, check, failures  # noqa: E402

SMSCTLD = sys.argv[1]
ONLY = set(sys.argv[2:])


class Daemon(Smsctld):
    def __init__(self, tmp, device):
        sock = os.path.join(tmp, "api.sock")
        pg = os.environ.get("SMSCTL_TEST_PG_URL")
        super().__init__(SMSCTLD, tmp, "\n".join([
            "[daemon]", "node_id = storage-test", "shutdown_timeout = 5s",
            "[store]", "url = " + (pg or f"sqlite://{tmp}/smsctl.db"),
            "[send]", "submit_mode = storage", "retry_initial = 1s", "retry_max = 2s",
            "[http]", f"listen = unix:{sock}",
            "[modem m1]", f"device = {device}", ""]), sock, env=dict(SMSCTLD_SIM_RECORD=tmp))

    def start(self, kill_at=None):
        super().start(env={"SMSCTLD_TEST_KILL": kill_at})

    def send(self, to, text):
        st, doc = self.submit({"to": to, "text": text})
        check(st == 202, f"submit answered {st}")
        return doc["messages"][0]["id"]

    def events(self, mid):
        return [e["type"] for e in self.req("GET", f"/v1/messages/{mid}/events")[1]["events"]]

    def records(self):
        p = os.path.join(self.tmp, "m1.pdus")
        return open(p).read().split() if os.path.exists(p) else []

    def slots(self):
        p = os.path.join(self.tmp, "m1.slots")
        return [l for l in open(p).read().splitlines() if l] if os.path.exists(p) else []


def kill_case(name, kill_at, remove_slot, expect_state, expect_records, device="sim:",
              warm=False):
    with tempfile.TemporaryDirectory(prefix="smsctl-storage-") as tmp:
        d = Daemon(tmp, device)
        d.start(kill_at=kill_at + ("#2" if warm else ""))
        if warm:  # a first message proves the modem (the probe), the second one is killed
            first = d.send("+8613800138000", f"storage {name} first")
            m = d.wait_state(first, {"sent"})
            check(m and m["state"] == "sent", f"{name}: the first message is sent")
        mid = d.send("+8613800138000", f"storage {name}")
        rc = d.wait_exit()
        check(rc == -signal.SIGKILL, f"{name}: the daemon killed itself at {kill_at} ({rc})")
        check(len(d.slots()) == 1, f"{name}: one slot on the modem at the kill: {d.slots()}")
        sent_before = len(d.records())
        if remove_slot:
            os.unlink(os.path.join(tmp, "m1.slots"))
        d.start()
        m = d.wait_state(mid, {expect_state}, timeout=30)
        check(m and m["state"] == expect_state,
              f"{name}: state {m and m['state']} after the restart, want {expect_state}")
        time.sleep(1.0)  # nothing may follow: no second send
        recs = d.records()
        check(len(recs) == expect_records,
              f"{name}: the modem accepted {len(recs)} PDUs (before the restart "
              f"{sent_before}), want {expect_records}")
        check(d.slots() == [], f"{name}: the slot is deleted after the outcome: {d.slots()}")
        ev = d.events(mid)
        if expect_state == "unknown":
            check("message.unknown" in ev, f"{name}: message.unknown event: {ev}")
        else:
            check(ev.count("message.sent") == 1, f"{name}: one message.sent event: {ev}")
        d.stop()


def case_plain():
    with tempfile.TemporaryDirectory(prefix="smsctl-storage-") as tmp:
        d = Daemon(tmp, "sim:huawei")
        d.start()
        ids = [d.send("+8613800138000", f"plain {i}") for i in range(3)]
        ids.append(d.send("+8613800138000", "三部分" * 60))  # 3 UCS-2 parts
        for mid in ids:
            m = d.wait_state(mid, {"sent"})
            check(m and m["state"] == "sent", f"plain: {mid} is {m and m['state']}")
        recs = d.records()
        check(len(recs) == 6 and len(set(recs)) == 6, f"plain: 6 distinct PDUs, got {len(recs)}")
        check(d.slots() == [], f"plain: every slot deleted: {d.slots()}")
        log = open(d.log).read()
        check("STO SENT" in log, "plain: the probe saw STO SENT")
        check("storage_fallback" not in log and "sending directly" not in log,
              "plain: no fallback")
        d.stop()


def case_fallback():
    with tempfile.TemporaryDirectory(prefix="smsctl-storage-") as tmp:
        d = Daemon(tmp, "sim:?fault=cmss_stat_stuck")
        d.start()
        ids = [d.send("+8613800138000", f"fallback {i}") for i in range(3)]
        for mid in ids:
            m = d.wait_state(mid, {"sent"})
            check(m and m["state"] == "sent", f"fallback: {mid} is {m and m['state']}")
        recs = d.records()
        check(len(recs) == 3 and len(set(recs)) == 3, f"fallback: 3 PDUs once each: {recs}")
        log = open(d.log).read()
        check("sending directly (AT+CMGS)" in log, "fallback: the warning is logged")
        d.stop()
        # the event is in the store
        if not os.environ.get("SMSCTL_TEST_PG_URL"):
            import sqlite3
            db = sqlite3.connect(os.path.join(tmp, "smsctl.db"))
            rows = db.execute("SELECT modem, payload FROM events WHERE type = "
                              "'modem.storage_fallback'").fetchall()
            check(len(rows) == 1 and rows[0][0] == "m1", f"fallback: one event: {rows}")
            if rows:
                p = json.loads(rows[0][1])
                check(p.get("reason") == "stat_unchanged" and p.get("message"),
                      f"fallback: payload {p}")


def case_orphan():
    """kill -9 between AT+CMGW and the commit of `sending`: the part goes back to the queue
    and is written again after the restart; the first slot ("STO UNSENT", referenced by no
    part) is deleted when the modem opens, the message goes out once."""
    with tempfile.TemporaryDirectory(prefix="smsctl-storage-") as tmp:
        d = Daemon(tmp, "sim:")
        d.start(kill_at="after_cmgw")
        mid = d.send("+8613800138000", "storage orphan")
        rc = d.wait_exit()
        check(rc == -signal.SIGKILL, f"orphan: killed after AT+CMGW ({rc})")
        check(len(d.slots()) == 1, f"orphan: one slot at the kill: {d.slots()}")
        d.start()
        m = d.wait_state(mid, {"sent"})
        check(m and m["state"] == "sent", f"orphan: state {m and m['state']}")
        time.sleep(0.5)
        check(len(d.records()) == 1, f"orphan: sent once: {d.records()}")
        check(d.slots() == [], f"orphan: no slot left: {d.slots()}")
        check("referenced by no part" in open(d.log).read(), "orphan: the log says so")
        d.stop()


def case_timeout():
    """AT+CMSS unanswered (fault send_timeout: the network took the message, the modem never
    says `+CMSS:`), the slot marked "STO SENT": after the 60 s wait the daemon reads the slot
    and records `sent`, not `unknown`; sent once, the slot deleted."""
    with tempfile.TemporaryDirectory(prefix="smsctl-storage-") as tmp:
        d = Daemon(tmp, "sim:?fault=send_timeout")
        d.start()
        mid = d.send("+8613800138000", "storage timeout")
        m = d.wait_state(mid, {"sent", "unknown"}, timeout=100)
        check(m and m["state"] == "sent", f"timeout: state {m and m['state']}, want sent")
        check(len(d.records()) == 1, f"timeout: sent once: {d.records()}")
        check(d.slots() == [], f"timeout: the slot is deleted: {d.slots()}")
        ev = d.events(mid)
        check("message.sent" in ev and "message.unknown" not in ev, f"timeout: events {ev}")
        check("STO SENT" in open(d.log).read(), "timeout: the log says why")
        d.stop()


CASES = {
    "plain": case_plain,
    "before_cmss": lambda: kill_case("before_cmss", "before_cmss", False, "sent", 2,
                                     warm=True),
    "probe_before_cmss": lambda: kill_case("probe_before_cmss", "before_cmss", False,
                                           "unknown", 0),
    "probe_stuck": lambda: kill_case("probe_stuck", "after_cmss", False, "unknown", 1,
                                     device="sim:?fault=cmss_stat_stuck"),
    "after_cmss": lambda: kill_case("after_cmss", "after_cmss", False, "sent", 1),
    "gone": lambda: kill_case("gone", "before_cmss", True, "unknown", 0),
    "fallback": case_fallback,
    "timeout": case_timeout,
    "orphan": case_orphan,
}

for name, fn in CASES.items():
    if ONLY and name not in ONLY:
        continue
    print("case", name, flush=True)
    fn()
print("FAILED" if failures else "OK", len(failures), flush=True)
sys.exit(1 if failures else 0)
