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
import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

SMSCTLD, SMSCTL, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []
CJK = re.compile("[\u4e00-\u9fff]")
PROFILES = ["generic", "wavecom", "simcom", "huawei"]


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    return cond


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


class Daemon:
    def __init__(self, tmp, modems, modem_extra="", extra="", language="en"):
        self.tmp = tmp
        self.sock = os.path.join(tmp, "api.sock")
        self.conf = os.path.join(tmp, "smsctld.conf")
        self.log = os.path.join(tmp, "smsctld.log")
        self.db = os.path.join(tmp, "smsctl.db")
        self.clock = os.path.join(tmp, "clock")
        with open(self.clock, "w") as f:
            f.write("0\n")
        lines = ["[daemon]", "node_id = test", "shutdown_timeout = 10s", f"language = {language}",
                 "[store]", f"url = sqlite://{self.db}",
                 "[send]", "retry_initial = 1s", "retry_max = 2s", "max_parts = 4",
                 "[http]", f"listen = unix:{self.sock}"]
        for name, dev in modems:
            lines += [f"[modem {name}]", f"device = {dev}", modem_extra]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n" + extra)
        self.proc = None

    def start(self):
        env = dict(os.environ, SMSCTLD_SIM_RECORD=self.tmp, SMSCTLD_SIM_FAULTS=self.tmp,
                   SMSCTLD_TEST_CLOCK_FILE=self.clock)
        self.logf = open(self.log, "a")
        self.proc = subprocess.Popen([SMSCTLD, "-v", "--config", self.conf], stderr=self.logf,
                                     stdout=self.logf, env=env)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                st, _ = self.req("GET", "/healthz")
                if st == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("smsctld did not start:\n" + open(self.log).read())

    def stop(self):
        if os.environ.get("POOL_E2E_KEEP"):
            subprocess.run(["cp", "-r", self.tmp, os.environ["POOL_E2E_KEEP"]])
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            rc = self.proc.wait(timeout=30)
        else:
            rc = self.proc.returncode if self.proc else None
        self.logf.close()
        return rc

    def req(self, method, path, body=None):
        conn = UnixConnection(self.sock)
        h = {}
        data = None
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        return r.status, json.loads(raw) if raw else None

    def submit(self, to, text, **kw):
        body = dict(to=to, text=text, **kw)
        st, doc = self.req("POST", "/v1/messages", body)
        if not check(st == 202, f"submit: {st} {doc}"):
            return []
        return [m["id"] for m in doc["messages"]]

    def sql(self, query, args=()):
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute(query, args).fetchall()
        finally:
            con.close()

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

    def wait(self, cond, timeout=60, step=0.2):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = cond()
            if v:
                return v
            time.sleep(step)
        return cond()


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
            ids += d.submit([f"+86137{n:08d}" for n in range(40)], "still faulty")
            d.wait(lambda: d.states().get("sent", 0) == 120, timeout=90)
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
            check(d.wait(lambda: d.modem_state("m1")[0] == "ready", timeout=40),
                  f"m1 ready after the fault is cleared: {d.modem_state('m1')}")
            ids += d.submit([f"+86136{n:08d}" for n in range(40)], "after the fault")
            d.wait(lambda: d.states().get("sent", 0) == 160, timeout=90)
            s = d.states()
            check(s.get("sent", 0) == 160, f"all 160 sent, none lost: {s}")
            recs = [p for v in d.records().values() for p in v]
            check(len(recs) == len(set(recs)) == 160, f"no PDU twice: {len(recs)} records")
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
            check(d.modem_state("m0")[0] == "blocked", f"m0 blocked: {d.modem_state('m0')}")
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
                             "balance", "balance_at"}, f"keys {sorted(m)}")
            check(d.wait(lambda: d.req("GET", "/v1/modems/m1")[1]["state"] == "ready"),
                  "m1 ready")
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


if CASE == "api":
    case_api()
elif CASE == "limits":
    case_limits()
elif CASE == "recipients":
    case_recipients()
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
