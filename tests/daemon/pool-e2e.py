#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Modem pools end to end (issue 15): a real smsctld on a temporary SQLite file with four
simulated modems (profiles generic, wavecom, simcom, huawei: four SIMs with their own ICCIDs),
real HTTP over the Unix socket.

Usage: pool-e2e.py SMSCTLD SMSCTL CASE

Cases:
  limits      daily_limit = 50 on 4 SIMs, 300 single-part messages: exactly 200 sent, 100
              queued with waiting "quota", none failed, sim.quota_reached for each SIM; after a
              simulated local midnight (the test-only clock SMSCTLD_TEST_CLOCK_FILE) the rest go.
  recipients  daily_recipients = 10: the 11th distinct recipient waits ("quota"), the known
              ones still go.
  fault:NAME  the fault injected mid-run into one of 4 modems (SMSCTLD_SIM_FAULTS, a test hook):
              that modem reaches the documented state after at most one failed attempt,
              receives no further AT+CMGS until the fault is cleared, returns to ready; the
              modem.state_changed event carries the finding id and, with language = zh_CN, a
              Chinese remedy; no message lost or sent twice, the others carry the traffic.
  nomodem     every modem of a pool blocked: its messages wait with "no_modem".

The daemon writes what each sim: modem accepted to DIR/NAME.pdus (SMSCTLD_SIM_RECORD) and
reads faults to switch from DIR/NAME.faults (lines "+fault" or "-fault").
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Smsctld, check, failures  # noqa: E402

SMSCTLD, SMSCTL, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
CJK = re.compile("[\u4e00-\u9fff]")
PROFILES = ["generic", "wavecom", "simcom", "huawei"]


class Daemon(Smsctld):
    def __init__(self, tmp, modems, modem_extra="", extra="", language="en"):
        sock = os.path.join(tmp, "api.sock")
        self.clock = os.path.join(tmp, "clock")
        with open(self.clock, "w") as f:
            f.write("0\n")
        lines = ["[daemon]", "node_id = test", "shutdown_timeout = 10s", f"language = {language}",
                 "[store]", f"url = sqlite://{tmp}/smsctl.db",
                 "[send]", "retry_initial = 1s", "retry_max = 2s", "max_parts = 4",
                 "[http]", f"listen = unix:{sock}"]
        for name, dev in modems:
            lines += [f"[modem {name}]", f"device = {dev}", modem_extra]
        super().__init__(SMSCTLD, tmp, "\n".join(lines) + "\n" + extra, sock, args=["-v"],
                         env=dict(SMSCTLD_SIM_RECORD=tmp, SMSCTLD_SIM_FAULTS=tmp,
                                  SMSCTLD_TEST_CLOCK_FILE=self.clock))

    def stop(self):
        if os.environ.get("POOL_E2E_KEEP"):
            subprocess.run(["cp", "-r", self.tmp, os.environ["POOL_E2E_KEEP"]])
        return super().stop()

    def submit(self, to, text, **kw):
        body = dict(to=to, text=text, **kw)
        st, doc = self.req("POST", "/v1/messages", body)
        if not check(st == 202, f"submit: {st} {doc}"):
            return []
        return [m["id"] for m in doc["messages"]]

    def states(self):
        return dict(self.sql("SELECT state, count(*) FROM messages GROUP BY state"))

    def modem_state(self, name):
        r = self.sql("SELECT state, state_reason FROM modems WHERE name = ?", (name,))
        return r[0] if r else (None, None)

    def events(self, type_):
        return [(m, json.loads(p)) for m, p in
                self.sql("SELECT modem, payload FROM events WHERE type = ? ORDER BY seq",
                         (type_,))]

    def records(self):
        out = {}
        for f in os.listdir(self.tmp):
            if f.endswith(".pdus"):
                with open(os.path.join(self.tmp, f)) as fh:
                    out[f[:-5]] = [l.strip() for l in fh if l.strip()]
        return out

    def fault(self, modem, fault, on):
        with open(os.path.join(self.tmp, modem + ".faults"), "a") as f:
            f.write(("+" if on else "-") + fault + "\n")

    def set_clock(self, offset_ms):
        tmp = self.clock + ".new"
        with open(tmp, "w") as f:
            f.write(f"{offset_ms}\n")
        os.replace(tmp, self.clock)


def four(d_tmp, **kw):
    return Daemon(d_tmp, [(f"m{i}", f"sim:{p}") for i, p in enumerate(PROFILES)], **kw)


def ms_to_next_local_midnight():
    t = time.time()
    lt = time.localtime(t)
    midnight = time.mktime((lt.tm_year, lt.tm_mon, lt.tm_mday + 1, 0, 0, 0, 0, 0, -1))
    return int((midnight - t) * 1000)


# ---------------------------------------------------------------------------------------


def case_limits():
    with tempfile.TemporaryDirectory() as tmp:
        d = four(tmp, modem_extra="daily_limit = 50")
        d.start()
        try:
            ids = d.submit([f"+86139{n:08d}" for n in range(300)], "limit test")
            check(len(ids) == 300, "300 accepted")
            d.wait(lambda: d.states().get("sent", 0) >= 200 and
                   d.sql("SELECT count(*) FROM messages WHERE state = 'queued' AND "
                         "waiting = 'quota'")[0][0] == 100, timeout=120)
            time.sleep(2)  # nothing more may go out
            s = d.states()
            check(s.get("sent", 0) == 200, f"exactly 200 sent: {s}")
            check(s.get("queued", 0) == 100, f"100 queued: {s}")
            check(s.get("failed", 0) == 0, f"none failed: {s}")
            w = d.sql("SELECT waiting, count(*) FROM messages WHERE state = 'queued' "
                      "GROUP BY waiting")
            check(w == [("quota", 100)], f"waiting quota on all 100: {w}")
            per_modem = {k: len(v) for k, v in d.records().items()}
            check(sorted(per_modem.values()) == [50, 50, 50, 50],
                  f"50 parts per SIM in the modems' records: {per_modem}")
            cnt = d.sql("SELECT iccid, parts_sent FROM sim_counters WHERE \"window\" = 'day'")
            check(len(cnt) == 4 and all(c[1] == 50 for c in cnt), f"sim_counters: {cnt}")
            for i in range(4):
                check(d.modem_state(f"m{i}")[0] == "quota", f"m{i} quota: {d.modem_state(f'm{i}')}")
            q = d.events("sim.quota_reached")
            check(len(q) == 4 and all(p["window"] == "day" and p["limit"] == 50 for _, p in q),
                  f"sim.quota_reached per SIM: {q}")
            # API shows it
            st, m = d.req("GET", "/v1/messages/" + ids[-1])
            check(st == 200 and m["state"] == "queued" and m["waiting"] == "quota",
                  f"API waiting: {m.get('waiting') if m else m}")
            # a simulated local midnight: the rest go out
            d.set_clock(ms_to_next_local_midnight() + 1000)
            d.wait(lambda: d.states().get("sent", 0) == 300, timeout=120)
            s = d.states()
            check(s.get("sent", 0) == 300, f"after midnight all 300 sent: {s}")
            recs = [p for v in d.records().values() for p in v]
            check(len(recs) == 300 and len(set(recs)) == 300, f"300 PDUs, none twice: {len(recs)}")
            for i in range(4):
                check(d.wait(lambda: d.modem_state(f"m{i}")[0] == "ready", timeout=10),
                      f"m{i} ready again: {d.modem_state(f'm{i}')}")
        finally:
            d.stop()
            if failures:
                print(open(d.log).read()[-6000:])


def case_rate():
    """rate = 6/min: no 60-second window of the SIM's sends holds more than 6 parts; with 4
    parts sent in the last minute a 3-part message waits (waiting: rate) and then goes out
    whole, back to back; an 8-part message waits for an empty window and goes out whole."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("m0", "sim:generic")], modem_extra="rate = 6/min")
        with open(d.conf) as f:
            conf = f.read()
        with open(d.conf, "w") as f:
            f.write(conf.replace("max_parts = 4", "max_parts = 8"))
        d.start()
        try:
            check(d.wait(lambda: d.modem_state("m0")[0] == "ready"), "ready")
            d.submit([f"+86139{n:08d}" for n in range(4)], "one part")
            check(d.wait(lambda: d.states().get("sent", 0) == 4, timeout=30), "4 sent")
            three = d.submit("+8613912340003", "x" * 400)  # 3 parts (GSM 7-bit, 153 each)
            eight = d.submit("+8613912340008", "y" * 1200)  # 8 parts
            st, m = d.req("GET", "/v1/messages/" + three[0])
            check(m["parts"] == 3, f"3 parts: {m['parts']}")
            check(d.wait(lambda: d.req("GET", "/v1/messages/" + three[0])[1]["waiting"] ==
                         "rate", timeout=10), "the 3-part message waits: rate")
            check(d.req("GET", "/v1/messages/" + eight[0])[1]["waiting"] == "rate",
                  "the 8-part message waits: rate")
            check(d.wait(lambda: d.states().get("sent", 0) == 6, timeout=150),
                  f"all sent: {d.states()}")
            rows = d.sql("SELECT m.id, p.seq, p.sent_at FROM message_parts p JOIN messages m "
                         "ON m.id = p.message_id ORDER BY p.sent_at")
            times = [r[2] for r in rows]
            check(len(times) == 15, f"15 parts: {len(times)}")
            eight_parts = [r[2] for r in rows if r[0] == eight[0]]
            worst = max(sum(1 for t in times if t0 <= t < t0 + 60000) for t0 in times)
            # the 8-part message alone exceeds 6: it is the only case allowed to
            others = [r[2] for r in rows if r[0] != eight[0]]
            worst_others = max(sum(1 for t in others if t0 <= t < t0 + 60000) for t0 in others)
            check(worst_others <= 6, f"no 60 s window over 6 parts: {worst_others}")
            check(worst <= 8, f"with the 8-part message: {worst}")
            for mid, n in ((three[0], 3), (eight[0], 8)):
                ts = [r[2] for r in rows if r[0] == mid]
                check(len(ts) == n and ts[-1] - ts[0] < 15000,
                      f"{n} parts back to back: {[t - ts[0] for t in ts]}")
            first = min(times)
            t3 = min(r[2] for r in rows if r[0] == three[0])
            check(t3 - first >= 59000, f"the 3-part message waited for the window: "
                  f"{t3 - first} ms")
            before8 = [t for t in others if t > eight_parts[0] - 60000]
            check(not before8, f"the 8-part message found an empty window: {before8}")
        finally:
            d.stop()
            if failures:
                print(open(d.log).read()[-6000:])


def case_recipients():
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("m0", "sim:generic")], modem_extra="daily_recipients = 10")
        d.start()
        try:
            first = d.submit([f"+86139{n:08d}" for n in range(10)], "ten")
            d.wait(lambda: d.states().get("sent", 0) == 10, timeout=60)
            eleventh = d.submit("+8613999999999", "eleventh")
            again = d.submit("+8613900000003", "known recipient")
            d.wait(lambda: d.states().get("sent", 0) == 11, timeout=60)
            time.sleep(2)
            s = d.states()
            check(s.get("sent", 0) == 11 and s.get("queued", 0) == 1, f"states: {s}")
            st, m = d.req("GET", "/v1/messages/" + eleventh[0])
            check(m["state"] == "queued" and m["waiting"] == "quota", f"11th waits: {m}")
            st, m = d.req("GET", "/v1/messages/" + again[0])
            check(m["state"] == "sent", f"known recipient sent: {m['state']}")
            check(len(first) == 10, "ten accepted")
            d.set_clock(ms_to_next_local_midnight() + 1000)
            check(d.wait(lambda: d.states().get("sent", 0) == 12, timeout=60),
                  "the 11th goes the next day")
        finally:
            d.stop()
            if failures:
                print(open(d.log).read()[-6000:])


# fault -> (state, finding id)
FAULTS = {
    "sim_absent": ("blocked", "sim.absent"),
    "denied": ("blocked", "net.denied"),
    "no_signal": ("blocked", "signal.none"),
    "smsc_missing": ("blocked", "sms.smsc_missing"),
    "weak_signal": ("degraded", "signal.weak"),
    "send_fail:42": ("cooling", None),
    "unplug": ("gone", "modem.gone"),
    "hang": ("blocked", "port.no_answer"),
}


def case_fault(fault, language="zh_CN"):
    want_state, want_id = FAULTS[fault]
    with tempfile.TemporaryDirectory() as tmp:
        extra = "health_interval = 1s\ncooling = 2s\nblock_after = 2"
        d = four(tmp, modem_extra=extra, language=language)
        d.start()
        try:
            check(d.wait(lambda: all(d.modem_state(f"m{i}")[0] == "ready" for i in range(4)),
                         timeout=30), "all ready at start")
            ids = d.submit([f"+86139{n:08d}" for n in range(40)], "before the fault")
            d.wait(lambda: d.states().get("sent", 0) >= 20, timeout=60)
            d.fault("m1", fault, True)
            ids += d.submit([f"+86138{n:08d}" for n in range(40)], "during the fault")
            check(d.wait(lambda: d.modem_state("m1")[0] == want_state, timeout=30),
                  f"m1 reaches {want_state}: {d.modem_state('m1')}")
            n_at_state = len(d.records().get("m1", []))
            if fault.startswith("send_fail"):
                # traffic while faulty (4 a second): the cooling probes find a modem that
                # answers every status command; only trial sends, all refused, may follow
                seen = set()
                for k in range(10):
                    ids += d.submit([f"+86137{n:08d}" for n in range(4 * k, 4 * k + 4)],
                                    "still faulty")
                    seen.add(d.modem_state("m1")[0])
                    time.sleep(1)
                check(seen == {"cooling"}, f"m1 stays cooling while faulty: {seen}")
            else:
                ids += d.submit([f"+86137{n:08d}" for n in range(40)], "still faulty")
            d.wait(lambda: d.states().get("sent", 0) + d.states().get("unknown", 0) == 120,
                   timeout=90)
            if want_state != "degraded":
                check(len(d.records().get("m1", [])) == n_at_state,
                      f"no AT+CMGS accepted by m1 while {want_state}: "
                      f"{n_at_state} -> {len(d.records().get('m1', []))}")
            ev = [p for m, p in d.events("modem.state_changed") if m == "m1" and
                  p["to"] == want_state]
            if check(ev, f"modem.state_changed to {want_state}"):
                p = ev[0]
                check(p["modem"] == "m1" and p["from"] in ("ready", "degraded"),
                      f"event payload: {p}")
                if want_id:
                    f = p.get("finding") or {}
                    check(f.get("id") == want_id, f"finding id {want_id}: {f}")
                    check(set(f) == {"id", "severity", "summary", "remedy"}, f"finding keys {f}")
                    if language == "zh_CN":
                        check(CJK.search(f.get("remedy") or "") is not None,
                              f"Chinese remedy: {f.get('remedy')}")
            d.fault("m1", fault.split(":")[0] if ":" in fault else fault, False)
            if ":" in fault:
                d.fault("m1", fault, False)
            if fault.startswith("send_fail"):
                # the SIM answers every status command while the network refuses its SMS:
                # a cooling modem is re-admitted only by a trial send that is accepted,
                # probes spaced by the doubling cooling delay (few refused trials)
                log = open(d.log).read()
                trials = log.count("m1: trial send refused")
                check(0 < trials <= 8, f"refused trials while faulty: {trials}")
                check("m1: probe passed, back in rotation" not in log,
                      "no re-admission by a bare probe")
                # the trial needs traffic: 4 messages a second, as a shop's queue would
                for k in range(10):
                    ids += d.submit([f"+86136{n:08d}" for n in range(4 * k, 4 * k + 4)],
                                    "after the fault")
                    time.sleep(1)
                check(d.wait(lambda: d.modem_state("m1")[0] == "ready", timeout=30),
                      f"m1 ready after the fault is cleared: {d.modem_state('m1')}")
            else:
                check(d.wait(lambda: d.modem_state("m1")[0] == "ready", timeout=40),
                      f"m1 ready after the fault is cleared: {d.modem_state('m1')}")
                ids += d.submit([f"+86136{n:08d}" for n in range(40)], "after the fault")
            d.wait(lambda: d.states().get("sent", 0) + d.states().get("unknown", 0) == 160,
                   timeout=90)
            s = d.states()
            # a PDU handed over when the modem was pulled out is `unknown` (never resent
            # blindly, CONTRACTS): reported, not lost; at most the one in flight
            unknown = s.get("unknown", 0) if fault in ("unplug", "hang") else 0
            check(s.get("sent", 0) + unknown == 160 and unknown <= 1,
                  f"all 160 sent, none lost: {s}")
            recs = [p for v in d.records().values() for p in v]
            check(len(recs) == len(set(recs)) and 160 - unknown <= len(recs) <= 160,
                  f"no PDU twice: {len(recs)} records")
            if want_state != "degraded":
                check(len(d.records().get("m1", [])) > n_at_state, "m1 sends again")
        finally:
            d.stop()
            if failures:
                print(open(d.log).read()[-8000:])


def case_nomodem():
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("m0", "sim:?fault=sim_absent"), ("m1", "sim:huawei")],
                   extra="[pool blocked]\nmodems = m0\n[pool good]\nmodems = m1\n",
                   modem_extra="health_interval = 1s")
        d.start()
        try:
            a = d.submit("+8613900000001", "held", pool="blocked")
            b = d.submit("+8613900000002", "goes", pool="good")
            d.wait(lambda: d.states().get("sent", 0) == 1, timeout=30)
            check(d.wait(lambda: d.req("GET", "/v1/messages/" + a[0])[1]["waiting"] ==
                         "no_modem", timeout=15), "waiting no_modem")
            st, m = d.req("GET", "/v1/messages/" + b[0])
            check(m["state"] == "sent", f"the good pool sends: {m['state']}")
            # the modems row follows the pool's state, which takes the diagnosis in at the
            # next light check (health_interval = 1s): before that it can still say starting
            check(d.wait(lambda: d.modem_state("m0")[0] == "blocked", timeout=15),
                  f"m0 blocked: {d.modem_state('m0')}")
        finally:
            d.stop()
            if failures:
                print(open(d.log).read()[-6000:])


def case_api():
    """GET /v1/modems shows the pool; disable takes a modem out of rotation, enable back."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("m0", "sim:generic"), ("m1", "sim:huawei")],
                   modem_extra="daily_limit = 100")
        d.start()
        try:
            st, doc = d.req("GET", "/v1/modems")
            check(st == 200 and [m["name"] for m in doc["modems"]] == ["m0", "m1"],
                  f"list: {st} {doc}")
            m = doc["modems"][0]
            check(set(m) == {"name", "pool", "state", "reason", "sim_iccid", "imei", "operator",
                             "signal_dbm", "parts_today", "daily_limit", "last_send",
                             "balance", "iccid", "sent_today", "last_send_at", "balance_at",
                             "findings"}, f"keys {sorted(m)}")
            check(d.wait(lambda: d.req("GET", "/v1/modems/m1")[1]["state"] == "ready"),
                  "m1 ready")
            m = d.req("GET", "/v1/modems/m1")[1]
            check(m["iccid"] == m["sim_iccid"] and m["iccid"] and
                  m["sent_today"] == m["parts_today"] and
                  any(f["id"] == "sim.ok" or f["severity"] == "ok" for f in m["findings"]),
                  f"issue 16's keys, the findings of the last diagnosis: {m}")
            st, doc = d.req("POST", "/v1/modems/m1/disable")
            check(st == 202, f"disable: {st} {doc}")
            check(d.wait(lambda: d.req("GET", "/v1/modems/m1")[1]["state"] == "disabled"),
                  "m1 disabled")
            n1 = len(d.records().get("m1", []))
            d.submit([f"+86139{n:08d}" for n in range(10)], "while disabled")
            d.wait(lambda: d.states().get("sent", 0) == 10, timeout=60)
            check(len(d.records().get("m1", [])) == n1, "a disabled modem sends nothing")
            st, doc = d.req("GET", "/v1/modems/m0")
            check(doc["parts_today"] == 10 and doc["daily_limit"] == 100 and doc["last_send"],
                  f"counts: {doc}")
            st, doc = d.req("POST", "/v1/modems/m1/enable")
            check(st == 202 and d.wait(lambda: d.req("GET", "/v1/modems/m1")[1]["state"] ==
                                       "ready"), "m1 enabled")
            st, doc = d.req("GET", "/v1/modems/nosuch")
            check(st == 404 and doc["error"]["code"] == "not_found", f"404: {st} {doc}")
            def ev():
                return [(m, p["to"]) for m, p in d.events("modem.state_changed") if m == "m1"]
            check(d.wait(lambda: ("m1", "disabled") in ev() and ev()[-1] == ("m1", "ready"),
                         timeout=10), f"events {ev()}")
        finally:
            d.stop()
            if failures:
                print(open(d.log).read()[-6000:])


def case_submit():
    """[route NAME] at submit and [send] duplicate_window."""
    with tempfile.TemporaryDirectory() as tmp:
        extra = ("[pool cmcc]\nmodems = m0\n[pool other]\nmodems = m1\n"
                 "[route china-mobile]\nmatch = ^\\+86(13[4-9]|15[0-2])\npool = cmcc\n"
                 "[route rest-of-china]\nmatch = ^\\+86\npool = other\n")
        d = Daemon(tmp, [("m0", "sim:generic"), ("m1", "sim:huawei")], extra=extra)
        with open(d.conf) as f:
            conf = f.read()
        with open(d.conf, "w") as f:  # [send] gets the window; the file order is kept
            f.write(conf.replace("[send]\n", "[send]\nduplicate_window = 1h\n"
                                 "recipient_rate = 2/h\n", 1))
        d.start()
        try:
            def pool_of(mid):
                return d.req("GET", "/v1/messages/" + mid)[1]["pool"]
            # routes in file order: the first match sets the pool
            for to, want in (("+8613512345678", "cmcc"), ("+8618912345678", "other"),
                             ("+8615212345678", "cmcc"), ("+8615312345678", "other")):
                ids = d.submit(to, "route " + to)
                check(ids and pool_of(ids[0]) == want, f"{to} routed to {want}: "
                      f"{pool_of(ids[0]) if ids else None}")
            # an explicit pool or modem is kept
            ids = d.submit("+8613512345670", "explicit pool", pool="other")
            check(ids and pool_of(ids[0]) == "other", "explicit pool kept")
            ids = d.submit("+8613512345671", "explicit modem", modem="m1")
            st, m = d.req("GET", "/v1/messages/" + ids[0])
            check(m["pool"] == "other" and m.get("modem") in (None, "m1"),
                  f"explicit modem kept: {m}")
            # no route matches: the default pool (no modem: it waits, no_modem)
            ids = d.submit("+4915112345678", "no route")
            check(ids and pool_of(ids[0]) == "default", f"default pool: {pool_of(ids[0])}")
            # duplicate_window: the same recipient and text return the first message
            st, a = d.req("POST", "/v1/messages", {"to": "+8613900000001", "text": "dup"})
            st2, b = d.req("POST", "/v1/messages", {"to": "+8613900000001", "text": "dup"})
            check(st == 202 and a["messages"][0]["duplicate"] is False, f"first: {st} {a}")
            check(st2 == 200 and b["messages"][0]["duplicate"] is True and
                  b["messages"][0]["id"] == a["messages"][0]["id"], f"second: {st2} {b}")
            st3, c = d.req("POST", "/v1/messages", {"to": "+8613900000001", "text": "dup!"})
            check(st3 == 202 and c["messages"][0]["id"] != a["messages"][0]["id"],
                  "another text is another message")
            st4, e = d.req("POST", "/v1/messages", {"to": "+8613900000001", "text": "dup",
                                                   "allow_duplicate": True})
            check(st4 == 202 and e["messages"][0]["duplicate"] is False and
                  e["messages"][0]["id"] != a["messages"][0]["id"], f"allow_duplicate: {e}")
            # several recipients, one already there: 202, marked one by one
            st5, f = d.req("POST", "/v1/messages", {"to": ["+8613900000001", "+8613900000002"],
                                                   "text": "dup"})
            check(st5 == 202 and [m["duplicate"] for m in f["messages"]] == [True, False] and
                  f["messages"][0]["id"] == e["messages"][0]["id"],  # the newest
                  f"mixed: {st5} {f}")
            n = d.sql("SELECT count(*) FROM messages WHERE text = 'dup'")[0][0]
            check(n == 3, f"3 rows for 'dup' (first, allow_duplicate, the new recipient): {n}")
            # recipient_rate = 2/h: three messages to +8613900000001, two go, one waits
            def to_one():
                return dict(d.sql("SELECT state || '/' || coalesce(waiting, '-'), count(*) "
                                  "FROM messages WHERE recipient = '+8613900000001' "
                                  "GROUP BY 1"))
            check(d.wait(lambda: to_one() == {"sent/-": 2, "queued/rate": 1}, timeout=30),
                  f"recipient_rate: 2 sent, 1 waiting rate: {to_one()}")
            time.sleep(2)
            check(to_one() == {"sent/-": 2, "queued/rate": 1}, f"still held: {to_one()}")
        finally:
            d.stop()
            if failures:
                print(open(d.log).read()[-6000:])


def case_cli():
    """smsctl modems [--json], modems enable|disable|diagnose NAME and
    POST /v1/modems/{name}/diagnose through the CLI, like smsctl queue."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("m0", "sim:generic"), ("m1", "sim:huawei")],
                   modem_extra="daily_limit = 100\nhealth_interval = 1h", language="zh_CN")
        d.start()
        env = dict(os.environ, SMSCTL_SERVER="unix:" + d.sock, LC_ALL="C.UTF-8")

        def cli(*args, lang=None):
            e = dict(env)
            if lang:
                e["LANGUAGE"] = lang
            r = subprocess.run([SMSCTL, *args], capture_output=True, text=True, env=e,
                               timeout=180)
            return r.returncode, r.stdout, r.stderr
        try:
            check(d.wait(lambda: all(d.modem_state(m)[0] == "ready" for m in ("m0", "m1"))),
                  "ready")
            d.submit([f"+86139{n:08d}" for n in range(4)], "counted")
            d.wait(lambda: d.states().get("sent", 0) == 4, timeout=60)
            rc, out, err = cli("modems")
            lines = out.splitlines()
            check(rc == 0 and len(lines) == 3 and lines[1].split()[0] == "m0" and
                  lines[2].split()[0] == "m1", f"modems: {rc} {out!r} {err!r}")
            check(all(" ready " in l and "dBm" in l and "/100" in l for l in lines[1:]),
                  f"state, signal, today/limit: {out!r}")
            rc, out, err = cli("modems", "--json")
            objs = [json.loads(l) for l in out.splitlines()]
            check(rc == 0 and [o["name"] for o in objs] == ["m0", "m1"] and
                  sum(o["parts_today"] for o in objs) == 4 and
                  all(o["daily_limit"] == 100 for o in objs), f"--json: {rc} {out!r}")
            rc, out, err = cli("--json", "modems")
            check(rc == 0 and len(out.splitlines()) == 2, f"global --json: {rc} {out!r}")
            # disable / enable
            rc, out, err = cli("modems", "disable", "m1")
            check(rc == 0 and "m1" in out, f"disable: {rc} {out!r} {err!r}")
            check(d.wait(lambda: d.modem_state("m1")[0] == "disabled"), "m1 disabled")
            rc, out, err = cli("modems", "enable", "m1")
            check(rc == 0, f"enable: {rc} {err!r}")
            check(d.wait(lambda: d.modem_state("m1")[0] == "ready"), "m1 enabled")
            # diagnose: a healthy modem (exit 0), the diagnose --json shape
            rc, out, err = cli("modems", "diagnose", "m0", "--json")
            o = json.loads(out) if out.strip() else {}
            check(rc == 0 and o.get("name") == "m0" and o.get("state") == "ready" and
                  o.get("root_cause") is None and o.get("worst") in ("ok", "info") and
                  o.get("findings") and
                  set(o["findings"][0]) == {"id", "severity", "summary", "detail",
                                            "evidence", "remedy"},
                  f"diagnose m0: {rc} {out[:400]!r} {err!r}")
            # a fault the daemon has not seen yet (health_interval = 1h): diagnose finds it
            # now, between sends, and the state follows (blocked, exit 2)
            d.fault("m1", "sim_absent", True)
            time.sleep(0.5)
            rc, out, err = cli("modems", "diagnose", "m1", "--json")
            o = json.loads(out) if out.strip() else {}
            check(rc == 2 and o.get("root_cause") == "sim.absent" and
                  o.get("state") == "blocked", f"diagnose m1: {rc} {out[:400]!r} {err!r}")
            # the modems row and the event are written by the store thread, just after
            check(d.wait(lambda: d.modem_state("m1")[0] == "blocked", timeout=10),
                  f"blocked: {d.modem_state('m1')}")
            ev = d.wait(lambda: [p for m, p in d.events("modem.state_changed") if m == "m1" and
                                 p["to"] == "blocked"], timeout=10)
            check(ev and ev[-1]["finding"]["id"] == "sim.absent" and
                  CJK.search(ev[-1]["finding"]["remedy"] or ""),
                  f"event with the Chinese remedy: {ev}")
            rc, out, err = cli("modems", "diagnose", "m1")
            check(rc == 2 and "sim.absent" in out, f"diagnose text: {rc} {out!r}")
            d.fault("m1", "sim_absent", False)
            time.sleep(0.5)
            rc, out, err = cli("modems", "diagnose", "m1", "--json")
            check(rc == 0 and json.loads(out)["state"] == "ready",
                  f"diagnose after the fault: {rc} {out[:300]!r}")
            # errors: unknown modem (65 like a refused input? 404 -> 1), usage, no daemon
            rc, out, err = cli("modems", "diagnose", "nosuch")
            check(rc == 1 and "nosuch" in err, f"unknown modem: {rc} {err!r}")
            rc, out, err = cli("modems", "frobnicate", "m1")
            check(rc == 64, f"usage: {rc} {err!r}")
            rc, out, err = cli("modems", "disable")
            check(rc == 64, f"no NAME: {rc} {err!r}")
            e2 = dict(env, SMSCTL_SERVER="unix:" + tmp + "/nothing.sock")
            r = subprocess.run([SMSCTL, "modems"], capture_output=True, text=True, env=e2)
            check(r.returncode == 69, f"no daemon: {r.returncode} {r.stderr!r}")
            # translated headings
            rc, out, err = cli("modems", lang="zh_CN")
            check(rc == 0 and CJK.search(out.splitlines()[0]), f"zh_CN heading: {out!r}")
        finally:
            d.stop()
            if failures:
                print(open(d.log).read()[-6000:])


if CASE == "api":
    case_api()
elif CASE == "limits":
    case_limits()
elif CASE == "recipients":
    case_recipients()
elif CASE == "rate":
    case_rate()
elif CASE == "cli":
    case_cli()
elif CASE == "submit":
    case_submit()
elif CASE == "nomodem":
    case_nomodem()
elif CASE.startswith("fault:"):
    case_fault(CASE[6:])
else:
    sys.exit(f"unknown case {CASE}")
if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("ok")
