#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""GET /metrics after a scripted run on simulated modems (issue 17).

The run: sends on a good modem, a permanent failure (+CMS ERROR 21), a transient one
(+CMS ERROR 42 once, then sent), a blocked modem (no SIM), a received SMS is not scripted
(sim: modems receive nothing unasked). A strict parser of the text format 0.0.4 reads the
scrape: every line well-formed, one HELP and one TYPE per family before its samples, names
and labels of the contract present, histograms consistent (cumulative buckets, +Inf equal to
_count). Counters are compared with the store as the API reports it, the histogram's _count
with the number of parts sent. With promtool (Debian's prometheus package), the recorded
scrape becomes the input of `promtool test rules` for examples/prometheus/smsctl-alerts.yml.

Usage: ops-metrics.py SMSCTLD ALERTS.yml
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ops_common import Daemon, check, finish, TOKEN  # noqa: E402

SMSCTLD, ALERTS = sys.argv[1], sys.argv[2]

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf"^({NAME})(?:\{{((?:{LABEL})(?:,{LABEL})*)?\}})? (\S+)$")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')


def parse(text):
    """Strict text format 0.0.4: returns {family: {"type", "help", "samples": [...]}} or
    raises ValueError naming the line."""
    fams = {}
    current = None
    seen_samples = set()
    if not text.endswith("\n"):
        raise ValueError("the body does not end with a newline")
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not re.fullmatch(NAME, parts[2]):
                raise ValueError(f"line {n}: bad HELP: {line!r}")
            f = fams.setdefault(parts[2], {"type": None, "help": None, "samples": []})
            if f["help"] is not None:
                raise ValueError(f"line {n}: second HELP for {parts[2]}")
            f["help"] = parts[3]
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[3] not in ("counter", "gauge", "histogram", "summary",
                                                   "untyped"):
                raise ValueError(f"line {n}: bad TYPE: {line!r}")
            f = fams.setdefault(parts[2], {"type": None, "help": None, "samples": []})
            if f["type"] is not None or parts[2] in seen_samples:
                raise ValueError(f"line {n}: TYPE for {parts[2]} twice or after its samples")
            f["type"] = parts[3]
            current = parts[2]
            continue
        if line.startswith("#") or line == "":
            raise ValueError(f"line {n}: unexpected line {line!r}")
        m = SAMPLE.match(line)
        if not m:
            raise ValueError(f"line {n}: not a sample: {line!r}")
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        fam = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and name[: -len(suffix)] in fams and \
                    fams[name[: -len(suffix)]]["type"] == "histogram":
                fam = name[: -len(suffix)]
        if fam not in fams or fams[fam]["type"] is None:
            raise ValueError(f"line {n}: sample of {name} without a TYPE")
        if fam != current:
            raise ValueError(f"line {n}: {name} outside its family's block")
        try:
            v = float(value)
        except ValueError:
            raise ValueError(f"line {n}: bad value {value!r}")
        lab = dict(LABEL_RE.findall(labels))
        if len(lab) != labels.count('="'):
            raise ValueError(f"line {n}: duplicate or bad labels")
        key = (name, tuple(sorted(lab.items())))
        if key in seen_samples:
            raise ValueError(f"line {n}: the same series twice")
        seen_samples.add(key)
        seen_samples.add(fam)
        fams[fam]["samples"].append((name, lab, v))
    for name, f in fams.items():
        if f["help"] is None or f["type"] is None:
            raise ValueError(f"{name}: HELP and TYPE are both required")
        if f["type"] == "counter" and not name.endswith("_total"):
            raise ValueError(f"{name}: a counter's name ends in _total")
    return fams


def check_histograms(fams):
    ok = True
    for name, f in fams.items():
        if f["type"] != "histogram":
            continue
        groups = {}
        for sname, lab, v in f["samples"]:
            base = tuple(sorted((k, x) for k, x in lab.items() if k != "le"))
            g = groups.setdefault(base, {"buckets": [], "sum": None, "count": None})
            if sname == name + "_bucket":
                g["buckets"].append((math.inf if lab["le"] == "+Inf" else float(lab["le"]), v))
            elif sname == name + "_sum":
                g["sum"] = v
            elif sname == name + "_count":
                g["count"] = v
        for base, g in groups.items():
            b = g["buckets"]
            good = (b and b[-1][0] == math.inf and g["count"] == b[-1][1] and g["sum"] is not None
                    and all(b[i][0] < b[i + 1][0] and b[i][1] <= b[i + 1][1]
                            for i in range(len(b) - 1)))
            ok &= good
            if not good:
                print("bad histogram", name, base, g)
    return ok


def value(fams, name, **labels):
    fam = fams.get(name) or fams.get(re.sub(r"_(bucket|sum|count)$", "", name)) or \
        {"samples": []}
    got = [v for n, lab, v in fam["samples"] if n == name and all(lab.get(k) == x for k, x in
                                                                    labels.items())]
    return sum(got) if got else None


REQUIRED = {
    "smsctl_build_info": ("gauge", ["version"]), "smsctl_store_up": ("gauge", []),
    "smsctl_node_info": ("gauge", ["node"]),
    "smsctl_messages_submitted_total": ("counter", ["pool"]),
    "smsctl_messages_duplicate_submits_total": ("counter", ["reason"]),
    "smsctl_messages": ("gauge", ["state"]), "smsctl_queue_oldest_seconds": ("gauge", ["pool"]),
    "smsctl_messages_waiting": ("gauge", ["reason"]),
    "smsctl_parts_sent_total": ("counter", ["modem", "sim"]),
    "smsctl_send_failures_total": ("counter", ["modem", "class", "code"]),
    "smsctl_send_duration_seconds": ("histogram", ["modem"]),
    "smsctl_delivery_reports_total": ("counter", None),
    "smsctl_received_total": ("counter", None),
    "smsctl_modem_state": ("gauge", ["modem", "state"]), "smsctl_modem_up": ("gauge", ["modem"]),
    "smsctl_modem_signal_dbm": ("gauge", ["modem"]), "smsctl_modem_registered": ("gauge", ["modem"]),
    "smsctl_modem_finding": ("gauge", ["modem", "id", "severity"]),
    "smsctl_sim_parts_sent": ("gauge", ["modem", "sim", "window"]),
    "smsctl_sim_quota_remaining": ("gauge", ["modem", "sim", "window"]),
    "smsctl_sim_balance": ("gauge", ["modem", "sim"]),
    "smsctl_sim_balance_age_seconds": ("gauge", ["modem", "sim"]),
    "smsctl_http_requests_total": ("counter", ["route", "code"]),
    "smsctl_http_request_duration_seconds": ("histogram", ["route"]),
    "smsctl_webhook_deliveries_total": ("counter", ["webhook", "result"]),
    "smsctl_webhook_backlog": ("gauge", ["webhook"]),
    "smsctl_hook_runs_total": ("counter", None),
    "smsctl_store_commit_seconds": ("histogram", []),
    "smsctl_store_commit_batch_size": ("histogram", []),
}
STATES = ["starting", "ready", "degraded", "cooling", "blocked", "quota", "gone", "disabled"]


def promtool_test(scrape_fams, tmp):
    """The recorded scrape as constant series for 20 minutes; the alerts that must fire."""
    promtool = shutil.which("promtool")
    if not promtool:
        print("promtool not installed: the alert rules are not run (skipped part)")
        return
    series = [{"series": 'up{job="smsctl",instance="shop:8750"}', "values": "1x20"}]
    for name, f in scrape_fams.items():
        for sname, lab, v in f["samples"]:
            lab = dict(lab, job="smsctl", instance="shop:8750")
            ls = ",".join(f'{k}="{x}"' for k, x in sorted(lab.items()))
            series.append({"series": f"{sname}{{{ls}}}", "values": f"{v:g}x20"})
    test = {
        "rule_files": [os.path.abspath(ALERTS)],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": series,
            "alert_rule_test": [
                {"eval_time": "10m", "alertname": "SmsctlModemBlocked", "exp_alerts": [{
                    "exp_labels": {"severity": "warning", "job": "smsctl", "instance": "shop:8750",
                                   "modem": "nosim", "id": "sim.absent"},
                    "exp_annotations": {
                        "summary": "Modem nosim is blocked: sim.absent",
                        "description": "Run `smsctl modems diagnose nosim` or open the status "
                                       "page for the remedy."}}]},
                {"eval_time": "10m", "alertname": "SmsctlDown", "exp_alerts": []},
                {"eval_time": "10m", "alertname": "SmsctlStoreDown", "exp_alerts": []},
                {"eval_time": "10m", "alertname": "SmsctlNoModemReady", "exp_alerts": []},
                {"eval_time": "10m", "alertname": "SmsctlUnknownParts", "exp_alerts": []},
                {"eval_time": "10m", "alertname": "SmsctlQueueStuck", "exp_alerts": []},
            ]}],
    }
    path = os.path.join(tmp, "alerts-test.yml")
    with open(path, "w") as f:
        json.dump(test, f)  # JSON is YAML
    r = subprocess.run([promtool, "check", "rules", ALERTS], capture_output=True, text=True)
    check(r.returncode == 0, "promtool check rules: " + (r.stdout + r.stderr).strip()[-200:])
    r = subprocess.run([promtool, "test", "rules", path], capture_output=True, text=True)
    check(r.returncode == 0, "promtool test rules on the recorded scrape: "
          + (r.stdout + r.stderr).strip()[-1500:])


def main():
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(SMSCTLD, tmp, [("good", "sim:"), ("perm", "sim:?fault=send_fail:21"),
                                  ("flaky", "sim:?fault=send_fail_once:42"),
                                  ("nosim", "sim:?fault=sim_absent"),
                                  ("bal", "sim:wavecom?balance=3.20")],
                   extra="[webhook down]\nurl = http://127.0.0.1:1/hook\nevents = message.*\n")
        with open(d.conf) as f:  # a daily limit on the good SIM: its quota gauge
            conf = f.read().replace("[modem good]\ndevice = sim:\n",
                                    "[modem good]\ndevice = sim:\ndaily_limit = 100\nhealth_interval = 2s\n"
                                    "monthly_limit = 1000\n")
            # a balance read by USSD (the sim's default English answer with balance=)
            conf = conf.replace("[modem bal]\ndevice = sim:wavecom?balance=3.20\n",
                                "[modem bal]\ndevice = sim:wavecom?balance=3.20\n"
                                "balance_ussd = *100#\nbalance_low = 5\n"
                                "balance_regex = balance is ([\\d.]+)\n")
        with open(d.conf, "w") as f:
            f.write(conf)
        d.start()
        time.sleep(1.5)
        ids = [d.submit("+8613800138000", f"good {i}", modem="good") for i in range(3)]
        long_id = d.submit("+8613800138000", "长" * 100, modem="good")  # two UCS-2 parts
        perm = d.submit("+8613800138001", "refused", modem="perm")
        flaky = d.submit("+8613800138002", "once refused", modem="flaky")
        held = d.submit("+8613800138003", "for the modem without SIM", modem="nosim")
        done = {}
        for mid in ids + [long_id, perm, flaky]:
            done[mid] = d.wait_state(mid, ("sent", "failed"), 60)
        check(all(done[m]["state"] == "sent" for m in ids + [long_id]), "the good sends are sent")
        check(done[perm]["state"] == "failed" and done[perm]["error"]["code"] == "cms.21",
              "the +CMS ERROR 21 send failed")
        check(done[flaky]["state"] == "sent", "the send refused once with 42 is sent")
        check((d.message(held) or {}).get("state") == "queued",
              "the message for the modem without a SIM waits, queued")
        parts_sent = sum(sum(1 for p in done[m]["part_states"] if p["state"] == "sent")
                         for m in done)
        # a replayed idempotency key: a duplicate submit, reason idempotency
        for _ in range(2):
            st, raw, _ = d.unix("POST", "/v1/messages", {"to": "+8613800138000", "text": "key",
                                                        "idempotency_key": "k-1", "modem": "good"})
        check(st == 200, "the second submit with key k-1 is a replay (200)")
        kid = json.loads(raw)["messages"][0]["id"]
        check(d.wait_state(kid, ("sent", "failed"), 60)["state"] == "sent", "k-1 is sent")
        parts_sent += 1
        # the same recipient and text again within duplicate_window: the first message back
        st, raw, _ = d.unix("POST", "/v1/messages", {"to": "+8613800138000", "text": "good 0",
                                                    "modem": "good"})
        dup = json.loads(raw)["messages"][0] if st in (200, 202) else {}
        check(dup.get("id") == ids[0] and dup.get("duplicate") is True,
              f"a content duplicate answers the first message ({st} {dup})")
        deadline = time.time() + 30
        while time.time() < deadline:
            st, raw, _ = d.unix("GET", "/v1/modems/bal")
            if st == 200 and json.loads(raw).get("balance") is not None:
                break
            time.sleep(0.5)
        check(st == 200 and abs((json.loads(raw).get("balance") or 0) - 3.2) < 1e-9,
              f"modem bal read its balance ({st} {raw[:300]})")
        time.sleep(6)  # the gauges from the store are refreshed every 5 s

        # the queue gauges are refreshed every 5 s (sooner after a submit): scrape until the
        # held message's age has passed 5 s in them
        deadline = time.time() + 15
        while True:
            st, raw, hdrs = d.unix("GET", "/metrics")
            m = re.search(rb'^smsctl_queue_oldest_seconds\{pool="default"\} (\S+)$', raw, re.M)
            if time.time() > deadline or (st == 200 and m and float(m.group(1)) > 5):
                break
            time.sleep(1)
        check(st == 200, "/metrics answers 200 on the Unix socket")
        check(hdrs.get("content-type", "").startswith("text/plain; version=0.0.4"),
              f"Content-Type is text/plain; version=0.0.4 ({hdrs.get('content-type')})")
        text = raw.decode("utf-8")
        with open(os.path.join(tmp, "scrape.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        try:
            fams = parse(text)
            check(True, f"the scrape parses strictly ({len(fams)} families)")
        except ValueError as e:
            check(False, f"the scrape parses strictly: {e}")
            print(text)
            d.stop()
            finish()
        for name, (typ, labels) in REQUIRED.items():
            f = fams.get(name)
            if not check(f is not None and f["type"] == typ, f"{name} is a {typ}"):
                continue
            if labels is not None:
                want = set(labels) | ({"le"} if typ == "histogram" else set())
                check(all(set(lab) == want or (typ == "histogram" and set(lab) == set(labels))
                          for _, lab, _ in f["samples"]) and f["samples"],
                      f"{name} has samples with labels {sorted(labels)}")
        check(check_histograms(fams), "histograms: cumulative buckets, +Inf equals _count")
        check(value(fams, "smsctl_parts_sent_total") == parts_sent,
              f"smsctl_parts_sent_total equals the parts the store has sent ({parts_sent}, "
              f"scrape {value(fams, 'smsctl_parts_sent_total')})")
        check(value(fams, "smsctl_send_duration_seconds_count") == parts_sent,
              "the send duration histogram counted every part sent")
        check(value(fams, "smsctl_parts_sent_total", modem="good") == 6,
              "6 parts sent by modem good (4 single, one of two parts)")
        check(value(fams, "smsctl_send_failures_total", modem="perm", **{"class": "permanent"},
                    code="cms.21") == 1, "one permanent failure cms.21 on perm")
        check(value(fams, "smsctl_send_failures_total", modem="flaky", **{"class": "transient"},
                    code="cms.42") == 1, "one transient failure cms.42 on flaky")
        check(value(fams, "smsctl_messages_submitted_total", pool="default") == 8,
              "8 messages submitted in pool default")
        check(value(fams, "smsctl_messages_duplicate_submits_total", reason="idempotency") == 1
              and value(fams, "smsctl_messages_duplicate_submits_total", reason="content") == 1,
              "smsctl_messages_duplicate_submits_total: 1 idempotency, 1 content")
        # the pool's values (issue 15) in the modem and SIM gauges
        sig = value(fams, "smsctl_modem_signal_dbm", modem="good")
        check(sig is not None and -113 <= sig <= -51, f"smsctl_modem_signal_dbm of good ({sig})")
        check(value(fams, "smsctl_modem_registered", modem="good") == 1,
              "smsctl_modem_registered of good is 1")
        good_sent = value(fams, "smsctl_sim_parts_sent", modem="good", window="day")
        check(value(fams, "smsctl_sim_quota_remaining", modem="good", window="day")
              == 100 - good_sent and
              value(fams, "smsctl_sim_quota_remaining", modem="good", window="month")
              == 1000 - value(fams, "smsctl_sim_parts_sent", modem="good", window="month"),
              "smsctl_sim_quota_remaining: the daily and monthly limits less the parts sent")
        check(value(fams, "smsctl_sim_quota_remaining", modem="perm") is None,
              "no quota series for a SIM without a limit")
        check(value(fams, "smsctl_sim_balance", modem="good") is None and
              value(fams, "smsctl_sim_balance_age_seconds", modem="good") is None,
              "no balance series while no balance was read (never NaN)")
        bal_sim = [lab.get("sim") for _, lab, _ in fams["smsctl_sim_balance"]["samples"]]
        check(value(fams, "smsctl_sim_balance", modem="bal") == 3.2 and len(bal_sim) == 1
              and bal_sim[0], f"smsctl_sim_balance of bal is 3.2 with its SIM ({bal_sim})")
        age = value(fams, "smsctl_sim_balance_age_seconds", modem="bal")
        check(age is not None and 0 <= age < 120, f"smsctl_sim_balance_age_seconds of bal ({age})")
        # the operator (a Wavecom diagnosis does not ask +COPS?) and the status page
        st, raw, _ = d.unix("GET", "/v1/modems")
        ops = {m["name"]: m["operator"] for m in json.loads(raw)["modems"]}
        check(ops.get("good") == "SIMNET" and ops.get("bal") == "Orange F",
              f"GET /v1/modems: the operators of good and bal ({ops})")
        st, raw, _ = d.unix("GET", "/")
        page = raw.decode("utf-8")
        card = re.search(r'<div class="modem" data-modem="bal".*?</div></div>', page, re.S)
        card = card.group(0) if card else ""
        check("3.20" in card and "Orange F" in card,
              f"the status page shows bal's balance and operator ({card[:400]})")
        check("NaN" not in text, "no NaN in the scrape")
        bl = value(fams, "smsctl_webhook_backlog", webhook="down")
        check(bl is not None and bl >= 1, f"smsctl_webhook_backlog of the unreachable webhook ({bl})")
        check((value(fams, "smsctl_webhook_deliveries_total", webhook="down", result="retry")
               or 0) >= 1, "smsctl_webhook_deliveries_total counts its failed attempts as retry")
        # the state gauges against the API's listing
        st, raw, _ = d.unix("GET", "/v1/messages?limit=500")
        listing = json.loads(raw)["messages"]
        for state in ("queued", "sent", "failed", "unknown"):
            n = sum(1 for m in listing if m["state"] == state)
            check(value(fams, "smsctl_messages", state=state) == n,
                  f"smsctl_messages{{state=\"{state}\"}} equals the store's {n}")
        check(value(fams, "smsctl_queue_oldest_seconds", pool="default") > 5,
              "the oldest queued message is older than 5 s "
              f"({value(fams, 'smsctl_queue_oldest_seconds', pool='default')})")
        for modem, state in (("good", "ready"), ("nosim", "blocked")):
            row = {lab["state"]: v for n, lab, v in fams["smsctl_modem_state"]["samples"]
                   if lab["modem"] == modem}
            check(sorted(row) == sorted(STATES) and row[state] == 1 and sum(row.values()) == 1,
                  f"smsctl_modem_state of {modem}: all eight states, 1 for {state} ({row})")
        check(value(fams, "smsctl_modem_finding", modem="nosim", id="sim.absent",
                    severity="error") == 1, "smsctl_modem_finding names sim.absent on nosim")
        check(value(fams, "smsctl_modem_up", modem="nosim") == 1 and
              value(fams, "smsctl_store_up") == 1, "modem_up and store_up")
        check(value(fams, "smsctl_http_requests_total", route="/v1/messages", code="202") == 8,
              "smsctl_http_requests_total counts the 8 accepted submits under the route pattern")
        check(value(fams, "smsctl_http_requests_total", route="/v1/messages/{id}",
                    code="200") is not None, "routes with parameters are labelled by pattern")
        check(value(fams, "smsctl_sim_parts_sent", modem="good", window="day") == 6,
              "smsctl_sim_parts_sent today for the good SIM")
        check((value(fams, "smsctl_store_commit_seconds_count") or 0) > 0,
              "the store's commits are measured")
        # metrics_auth = no: TCP without a token works; the page with a token too
        st, _, _ = d.tcp("GET", "/metrics")
        check(st == 200, "/metrics on TCP without a token (metrics_auth = no)")
        d.stop()
        promtool_test(fams, tmp)

        # metrics_auth = yes
        d2 = Daemon(SMSCTLD, os.path.join(tmp), [("good", "sim:")], extra="")
        with open(d2.conf) as f:
            conf = f.read().replace("[http]\n", "[http]\nmetrics_auth = yes\n")
        with open(d2.conf, "w") as f:
            f.write(conf)
        d2.start()
        st, _, _ = d2.tcp("GET", "/metrics")
        check(st == 401, f"metrics_auth = yes: 401 without a token ({st})")
        st, _, _ = d2.tcp("GET", "/metrics", headers={"Authorization": "Bearer " + TOKEN})
        check(st == 200, "metrics_auth = yes: 200 with the token")
        st, _, _ = d2.unix("GET", "/metrics")
        check(st == 200, "metrics_auth = yes: the Unix socket needs none")
        d2.stop()
    finish()


if __name__ == "__main__":
    main()
