#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Balance checks and USSD end to end (issue 15 "Balance", issue 16 POST /v1/modems/{name}/ussd):
a real smsctld on a temporary SQLite file with simulated modems, real HTTP over the Unix socket.

Usage: balance-e2e.py SMSCTLD SMSCTL CASE

Cases:
  ussd   a huawei-like modem answers *100# in Chinese (UCS-2) with 3.20 below balance_low = 5,
         a generic one in English (GSM 7-bit) with 99 above it: both amounts in GET /v1/modems,
         one sim.balance_low event with {modem, sim_iccid, balance, threshold, raw} and the
         warning finding sim.balance_low for that modem only; POST /v1/modems/{name}/ussd
         answers the decoded text; `smsctl balance --json` through the daemon; sending works.
  sms    balance_sms = 10086 YE: the SMS goes out, the operator's reply (the sim's reply=) sets
         the balance and never reaches the inbox, while another SMS arriving meanwhile does.
  cusd   +CUSD: 2 (ussd_end) and +CUSD: 4 (ussd_unsupported): answers, not hangs; the API
         returns them at once, the balance stays null, the modems keep sending.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Smsctld, check, failures  # noqa: E402

SMSCTLD, SMSCTL, CASE = sys.argv[1], sys.argv[2], sys.argv[3]


class Daemon(Smsctld):
    http_timeout = 90  # a USSD session may take a minute

    def __init__(self, tmp, modems):
        sock = os.path.join(tmp, "api.sock")
        lines = ["[daemon]", "node_id = test", "shutdown_timeout = 10s",
                 "[store]", f"url = sqlite://{tmp}/smsctl.db",
                 "[send]", "retry_initial = 1s", "retry_max = 2s",
                 "[http]", f"listen = unix:{sock}"]
        for name, dev, extra in modems:
            lines += [f"[modem {name}]", f"device = {dev}"] + extra
        super().__init__(SMSCTLD, tmp, "\n".join(lines) + "\n", sock, args=["-v"],
                         env=dict(SMSCTLD_SIM_RECORD=tmp))

    def stop(self):
        rc = super().stop()
        log = self.log_text()
        check(rc == 0, f"smsctld exit {rc}")
        check("Sanitizer" not in log and "runtime error" not in log, "sanitizer report")
        if failures:
            print(log[-6000:])

    def events(self, t):
        return [(m, json.loads(p)) for m, p in
                self.sql("SELECT modem, payload FROM events WHERE type = ? ORDER BY seq", (t,))]

    def modem(self, name):
        st, doc = self.req("GET", "/v1/modems/" + name)
        return doc if st == 200 else None

    def sent_to(self, modem):
        p = os.path.join(self.tmp, modem + ".pdus")
        return [l.strip() for l in open(p)] if os.path.exists(p) else []


def findings(doc, fid):
    return [f for f in (doc or {}).get("findings") or [] if f.get("id") == fid]


def case_ussd():
    regex = ["balance_ussd = *100#", "balance_low = 5", "balance_interval = 1h"]
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [
            ("cn", "sim:huawei?balance=3.20", regex + ["balance_regex = 余额为([-\\d.]+)元"]),
            ("en", "sim:generic?balance=99.00", regex + ["balance_regex = balance is ([\\d.]+)"]),
        ])
        d.start()
        try:
            cn = d.wait(lambda: (d.modem("cn") or {}).get("balance") is not None and d.modem("cn"))
            en = d.wait(lambda: (d.modem("en") or {}).get("balance") is not None and d.modem("en"))
            check(cn and abs(cn["balance"] - 3.2) < 1e-9, f"cn balance {cn}")
            check(en and abs(en["balance"] - 99.0) < 1e-9, f"en balance {en}")
            check(cn and cn.get("balance_at"), "cn balance_at")
            f = findings(cn, "sim.balance_low")
            check(len(f) == 1 and f[0]["severity"] == "warning" and f[0]["summary"] and
                  f[0]["remedy"], f"cn finding {f}")
            check(not findings(en, "sim.balance_low"), f"en has no finding: {en}")
            st, lst = d.req("GET", "/v1/modems")
            byname = {m["name"]: m for m in lst["modems"]}
            check(abs(byname["cn"]["balance"] - 3.2) < 1e-9 and
                  findings(byname["cn"], "sim.balance_low"), f"list {byname['cn']}")
            # the diagnosis answers carry the finding too (issue 15: "the diagnosis gains")
            st, dg = d.req("POST", "/v1/modems/cn/diagnose")
            f = findings(dg, "sim.balance_low")
            check(st == 200 and len(f) == 1 and f[0]["severity"] == "warning" and
                  dg["worst"] == "warning" and dg["root_cause"] == "sim.balance_low",
                  f"POST /v1/modems/cn/diagnose: {st} {dg}")
            st, dg = d.req("POST", "/v1/modems/en/diagnose")
            check(st == 200 and not findings(dg, "sim.balance_low"), f"en diagnose: {st} {dg}")
            r = subprocess.run([SMSCTL, "--server", "unix:" + d.sock, "--json", "modems",
                                "diagnose", "cn"], capture_output=True, text=True, timeout=120)
            out = json.loads(r.stdout) if r.stdout.strip() else None
            check(r.returncode == 1 and findings(out, "sim.balance_low"),
                  f"smsctl modems diagnose cn: {r.returncode} {r.stdout} {r.stderr}")
            ev = d.wait(lambda: d.events("sim.balance_low"), timeout=10)
            check(len(ev) == 1 and ev[0][0] == "cn", f"one event for cn: {ev}")
            if ev:
                data = ev[0][1]
                check(set(data) == {"modem", "sim_iccid", "balance", "threshold", "raw"},
                      f"event keys {data}")
                check(data["modem"] == "cn" and abs(data["balance"] - 3.2) < 1e-9 and
                      data["threshold"] == 5 and "余额为3.20元" in data["raw"] and
                      data["sim_iccid"], f"event data {data}")
            st, doc = d.req("POST", "/v1/modems/cn/ussd", {"code": "*100#"})
            check(st == 200 and doc["code"] == "*100#" and doc["status"] == 0 and
                  doc["dcs"] == 72 and "余额为3.20元" in doc["text"], f"ussd cn: {st} {doc}")
            st, doc = d.req("POST", "/v1/modems/en/ussd", {"code": "*101#"})
            check(st == 200 and doc["dcs"] == 15 and
                  doc["text"] == "Your account balance is 99.00. Thank you.", f"ussd en {doc}")
            for body, code in (({"code": ""}, "invalid_field"), ({"code": 5}, "invalid_field"),
                               ({"code": "*1\"#"}, "invalid_field"),
                               ({"code": "*1#", "x": 1}, "invalid_field")):
                st, doc = d.req("POST", "/v1/modems/cn/ussd", body)
                check(st == 400 and doc["error"]["code"] == code, f"bad {body}: {st} {doc}")
            st, doc = d.req("POST", "/v1/modems/nosuch/ussd", {"code": "*100#"})
            check(st == 404, f"unknown modem: {st}")
            # smsctl balance through the daemon: every modem queried now
            r = subprocess.run([SMSCTL, "--server", "unix:" + d.sock, "balance", "--json"],
                               capture_output=True, text=True, timeout=120)
            rows = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
            check(r.returncode == 0 and {x["name"] for x in rows} == {"cn", "en"},
                  f"smsctl balance: {r.returncode} {r.stdout} {r.stderr}")
            check(any(x["name"] == "cn" and x["low"] for x in rows), f"cn low: {rows}")
            # still sending after all this
            st, doc = d.req("POST", "/v1/messages", {"to": "+8613912345678", "text": "hi"})
            mid = doc["messages"][0]["id"]
            check(d.wait(lambda: d.req("GET", "/v1/messages/" + mid)[1]["state"] == "sent"),
                  "a message still goes out")
        finally:
            d.stop()


def case_sms():
    reply = urllib.parse.quote("尊敬的客户，您的余额为8.80元。", safe="")
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("m", f"sim:generic?reply=10086,{reply}&arrive=1500,+8613800000001,hello",
                          ["balance_sms = 10086 YE", "balance_regex = 余额为([\\d.]+)元",
                           "balance_low = 10", "balance_wait = 30s"])])
        d.start()
        try:
            m = d.wait(lambda: (d.modem("m") or {}).get("balance") is not None and d.modem("m"))
            check(m and abs(m["balance"] - 8.8) < 1e-9, f"balance by SMS: {m}")
            check(findings(m, "sim.balance_low"), f"finding: {m}")
            check(len(d.sent_to("m")) == 1, f"one SMS to the operator: {d.sent_to('m')}")
            inbox = d.wait(lambda: d.req("GET", "/v1/inbox")[1]["messages"], timeout=20)
            senders = [x["from"] for x in inbox or []]
            check(senders == ["+8613800000001"], f"inbox holds only the other SMS: {senders}")
            ev = d.wait(lambda: d.events("sim.balance_low"), timeout=10)
            check(len(ev) == 1 and abs(ev[0][1]["balance"] - 8.8) < 1e-9, f"event {ev}")
        finally:
            d.stop()


def case_cusd():
    with tempfile.TemporaryDirectory() as tmp:
        extra = ["balance_ussd = *100#", "balance_regex = ([\\d.]+)", "balance_low = 5"]
        d = Daemon(tmp, [("end", "sim:generic?fault=ussd_end", extra),
                         ("nosup", "sim:huawei?fault=ussd_unsupported", extra)])
        d.start()
        try:
            for name, status in (("end", 2), ("nosup", 4)):
                t0 = time.time()
                st, doc = d.req("POST", f"/v1/modems/{name}/ussd", {"code": "*100#"})
                took = time.time() - t0
                check(st == 200 and doc["status"] == status and doc["text"] == "" and
                      doc["dcs"] is None, f"{name}: {st} {doc}")
                check(took < 10, f"{name} answered in {took:.1f} s")
                m = d.modem(name)
                check(m["balance"] is None and not findings(m, "sim.balance_low"),
                      f"{name} no balance: {m}")
            check(not d.events("sim.balance_low"), "no event")
            st, doc = d.req("POST", "/v1/messages", {"to": ["+8613912345678", "+8613912345679"],
                                                     "text": "still sending"})
            ids = [x["id"] for x in doc["messages"]]
            check(d.wait(lambda: all(d.req("GET", "/v1/messages/" + i)[1]["state"] == "sent"
                                     for i in ids)), "messages still go out")
        finally:
            d.stop()


{"ussd": case_ussd, "sms": case_sms, "cusd": case_cusd}[CASE]()
if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("ok")
