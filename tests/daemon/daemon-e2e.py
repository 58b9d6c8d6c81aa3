#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""smsctld end to end: a real daemon on a temporary SQLite file with simulated modems, real
HTTP over TCP (with a token) and over the Unix socket, smsctl queue, the bad-input table,
--check-config, SIGTERM, kill -9 during a send.

Usage: daemon-e2e.py SMSCTLD SMSCTL [CASE...]

With SMSCTL_TEST_PG_URL set (tests/daemon/pg-run.sh), the daemon's store is that PostgreSQL
database (for the cases that read the store only through the API).

The simulated modems live inside the daemon; with SMSCTLD_SIM_RECORD=DIR the daemon appends
every PDU a sim: modem accepted to DIR/NAME.pdus, which is how this test sees the modems'
records from outside.
"""
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    Smsctld, UnixConnection, check, failures, free_port, http_request)

SMSCTLD, SMSCTL = sys.argv[1], sys.argv[2]
ONLY = set(sys.argv[3:])
TOKEN = "test-token-0123456789abcdef"


class Daemon(Smsctld):
    http_timeout = 15

    def __init__(self, tmp, modems, extra="", tokens=True):
        sock = os.path.join(tmp, "api.sock")
        self.port = free_port()
        tok = os.path.join(tmp, "tokens")
        with open(tok, "w") as f:
            f.write("# name:token\nshop:" + TOKEN + "\n")
        os.chmod(tok, 0o600)
        lines = [
            "[daemon]", "node_id = test", "shutdown_timeout = 10s",
            "[store]", "url = " + (os.environ.get("SMSCTL_TEST_PG_URL") or
                                   f"sqlite://{tmp}/smsctl.db"),
            "[send]", "retry_initial = 1s", "retry_max = 2s", "max_parts = 4",
            "[http]", f"listen = 127.0.0.1:{self.port}, unix:{sock}",
        ]
        if tokens:
            lines.append(f"tokens_file = {tok}")
        for name, dev in modems:
            lines += [f"[modem {name}]", f"device = {dev}"]
        super().__init__(SMSCTLD, tmp, "\n".join(lines) + "\n" + extra, sock,
                         env=dict(SMSCTLD_SIM_RECORD=tmp))

    def unix(self, method, path, body=None, headers=None):
        return self.req(method, path, body, headers)

    def tcp(self, method, path, body=None, headers=None, token=TOKEN):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        return http_request(http.client.HTTPConnection("127.0.0.1", self.port, timeout=15),
                            method, path, body, h)

    def records(self):
        """Every TPDU the sim: modems accepted, per modem."""
        out = {}
        for f in os.listdir(self.tmp):
            if f.endswith(".pdus"):
                with open(os.path.join(self.tmp, f)) as fh:
                    out[f[:-5]] = [l.strip() for l in fh if l.strip()]
        return out

    def smsctl(self, *args, env=None, stdin=None):
        e = dict(os.environ)
        e.pop("SMSCTL_TOKEN", None)
        e.update(env or {})
        p = subprocess.run([SMSCTL, *args], capture_output=True, text=True, env=e,
                           input=stdin, timeout=60)
        return p.returncode, p.stdout, p.stderr


def decode(tpdus):
    if not tpdus:
        return []
    p = subprocess.run([SMSCTL, "--json", "pdu", "decode", "--no-smsc", *tpdus],
                       capture_output=True, text=True, timeout=30)
    return [json.loads(l) for l in p.stdout.splitlines()]


def all_records(d):
    recs = []
    for v in d.records().values():
        recs += v
    return recs


# ---------------------------------------------------------------------------------------


def case_send():
    """Submit over TCP with a token and over the Unix socket; every message sent once, with
    its PDUs in the modems' records; smsctl queue on both transports."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("a", "sim:generic"), ("b", "sim:huawei"), ("c", "sim:simcom")])
        d.start()
        try:
            check(os.stat(d.sock).st_mode & 0o777 == 0o660, "the Unix socket has mode 0660")
            st, body = d.tcp("POST", "/v1/messages", {"to": "+8613912345678", "text": "tcp one"})
            check(st == 202, f"TCP submit: {st} {body}")
            ids = [m["id"] for m in body["messages"]] if st == 202 else []
            check(body and body["messages"][0]["duplicate"] is False, "duplicate false")
            st, body = d.tcp("POST", "/v1/messages", {"to": "+8613912345678", "text": "x"},
                             token=None)
            check(st == 401 and body["error"]["code"] == "unauthorized", f"no token: {st}")
            st, body = d.tcp("POST", "/v1/messages", {"to": "+8613912345678", "text": "x"},
                             token="wrong-token-0123456789")
            check(st == 401, f"wrong token: {st}")
            long_zh = "您的会员卡已充值，余额一百二十元。" * 8  # three UCS-2 parts
            st, body = d.unix("POST", "/v1/messages",
                              {"to": ["+8613900000001", "+8613900000002"], "text": long_zh,
                               "tags": {"order": "1234"}})
            check(st == 202 and len(body["messages"]) == 2, f"unix submit: {st} {body}")
            if st == 202:
                ids += [m["id"] for m in body["messages"]]
                check(body["messages"][0]["parts"] == 3, "three parts")
                check(body["messages"][0]["tags"] == {"order": "1234"}, "tags kept")
            for i in range(6):
                st, body = d.unix("POST", "/v1/messages",
                                  {"to": f"+4915112345{i:03d}", "text": f"unique text {i}"})
                if check(st == 202, f"submit {i}: {st}"):
                    ids.append(body["messages"][0]["id"])
            # the CLI: over the socket, and over TCP with SMSCTL_TOKEN
            rc, out, err = d.smsctl("--server", "unix:" + d.sock, "queue", "submit",
                                    "+8613911112222", "from the cli")
            check(rc == 0 and "queued" in out, f"queue submit: {rc} {out} {err}")
            if rc == 0:
                ids.append(out.split()[0])
            rc, out, err = d.smsctl("--server", f"http://127.0.0.1:{d.port}", "--json", "queue",
                                    "submit", "+8613911113333", "-", stdin="from stdin",
                                    env={"SMSCTL_TOKEN": TOKEN})
            check(rc == 0, f"queue submit over TCP: {rc} {err}")
            if rc == 0:
                m = json.loads(out)
                check(m["text"] == "from stdin" and m["to"] == "+8613911113333",
                      "--json prints the MESSAGE")
                ids.append(m["id"])
            rc, out, err = d.smsctl("--server", f"http://127.0.0.1:{d.port}", "queue", "list")
            check(rc == 77, f"queue list without a token exits 77: {rc} {err}")
            rc, out, err = d.smsctl("--server", "unix:" + tmp + "/nothing.sock", "queue", "list")
            check(rc == 69 and "nothing.sock" in err, f"unreachable exits 69: {rc} {err}")
            rc, out, err = d.smsctl("--server", "unix:" + d.sock, "queue", "submit", "12ab", "x")
            check(rc == 65 and "invalid_number" in err, f"bad number exits 65: {rc} {err}")

            finals = {}
            for mid in ids:
                m = d.wait_state(mid, ("sent",))
                finals[mid] = m
                check(m and m["state"] == "sent", f"{mid} sent: {m and m['state']}")
                if m:
                    check(all(p["state"] == "sent" and p["mr"] is not None
                              for p in m["part_states"]), f"{mid}: every part sent with an MR")
            rc, out, err = d.smsctl("--server", "unix:" + d.sock, "queue", "show", ids[0])
            check(rc == 0 and "mr_advanced" in out and "sent" in out, f"queue show: {out}")
            rc, out, err = d.smsctl("--server", "unix:" + d.sock, "--json", "queue", "list",
                                    "--state", "sent", "--limit", "500")
            listed = [json.loads(l)["id"] for l in out.splitlines()]
            check(rc == 0 and set(ids) <= set(listed), f"queue list --json: {rc} {err}")
            st, ev = d.unix("GET", f"/v1/messages/{ids[0]}/events")
            types = [e["type"] for e in ev["events"]] if st == 200 else []
            check(types[:1] == ["message.queued"] and "message.sent" in types,
                  f"events: {types}")
            # the records: each part exactly once, to the right number with the right text
            recs = all_records(d)
            check(len(recs) == len(set(recs)), "no PDU accepted twice")
            want_parts = sum(m["parts"] for m in finals.values() if m)
            check(len(recs) == want_parts, f"{len(recs)} PDUs recorded, {want_parts} parts")
            texts = {}
            for p in decode(recs):
                key = p.get("number")
                texts.setdefault(key, []).append(p)
            for mid, m in finals.items():
                if not m:
                    continue
                got = texts.get(m["to"], [])
                joined = "".join(p["text"] for p in sorted(
                    got, key=lambda p: (p.get("concat") or {}).get("seq", 0))
                    if p.get("text"))
                check(m["text"] in joined, f"{mid}: the modem got '{m['text'][:20]}'")
            check(len(d.records()) >= 2, f"more than one modem sent: {list(d.records())}")
        finally:
            rc = d.stop()
        check(rc == 0, f"SIGTERM exits 0: {rc}")
        log = open(d.log).read()
        check("unknown" not in log.split("stopping")[-1], "a clean stop leaves nothing unknown")
        backend = "postgresql" if os.environ.get("SMSCTL_TEST_PG_URL") else "sqlite"
        check(f"store {backend}" in log, f"the store is {backend}")
        mode = os.stat(d.sock).st_mode & 0o777 if os.path.exists(d.sock) else None
        check(mode is None, "the Unix socket is removed at a clean stop")


BAD_INPUT = [
    # (description, method, path, body, headers, status, code)
    ("not JSON", "POST", "/v1/messages", "{", {}, 400, "invalid_json"),
    ("not an object", "POST", "/v1/messages", "[1]", {}, 400, "invalid_json"),
    ("duplicate keys", "POST", "/v1/messages", '{"to":"+8613912345678","text":"a","text":"b"}',
     {}, 400, "invalid_json"),
    ("bad UTF-8", "POST", "/v1/messages", b'{"to":"+8613912345678","text":"\xff"}', {}, 400,
     "invalid_json"),
    ("no to", "POST", "/v1/messages", {"text": "hi"}, {}, 400, "invalid_field"),
    ("no text", "POST", "/v1/messages", {"to": "+8613912345678"}, {}, 400, "invalid_field"),
    ("unknown field", "POST", "/v1/messages", {"to": "+8613912345678", "text": "a", "x": 1},
     {}, 400, "invalid_field"),
    ("text not a string", "POST", "/v1/messages", {"to": "+8613912345678", "text": 5}, {},
     400, "invalid_field"),
    ("letters", "POST", "/v1/messages", {"to": "+86abc", "text": "a"}, {}, 400,
     "invalid_number"),
    ("too short", "POST", "/v1/messages", {"to": "+12", "text": "a"}, {}, 400,
     "invalid_number"),
    ("too long", "POST", "/v1/messages", {"to": "+" + "1" * 21, "text": "a"}, {}, 400,
     "invalid_number"),
    ("empty number", "POST", "/v1/messages", {"to": "", "text": "a"}, {}, 400,
     "invalid_number"),
    ("one bad in a list", "POST", "/v1/messages", {"to": ["+8613912345678", "x"], "text": "a"},
     {}, 400, "invalid_number"),
    ("empty text", "POST", "/v1/messages", {"to": "+8613912345678", "text": ""}, {}, 400,
     "empty_text"),
    ("too many parts", "POST", "/v1/messages", {"to": "+8613912345678", "text": "长" * 400},
     {}, 422, "too_long"),
    ("unknown pool", "POST", "/v1/messages", {"to": "+8613912345678", "text": "a",
                                              "pool": "nope"}, {}, 422, "unknown_pool"),
    ("unknown modem", "POST", "/v1/messages", {"to": "+8613912345678", "text": "a",
                                               "modem": "nope"}, {}, 422, "unknown_modem"),
    ("bad not_before", "POST", "/v1/messages", {"to": "+8613912345678", "text": "a",
                                                "not_before": "tomorrow"}, {}, 400,
     "invalid_field"),
    ("bad ttl", "POST", "/v1/messages", {"to": "+8613912345678", "text": "a", "ttl": "1y"},
     {}, 400, "invalid_field"),
    ("bad validity", "POST", "/v1/messages", {"to": "+8613912345678", "text": "a",
                                              "validity": "soon"}, {}, 400, "invalid_field"),
    ("keys differ", "POST", "/v1/messages", {"to": "+8613912345678", "text": "a",
                                             "idempotency_key": "k1"},
     {"Idempotency-Key": "k2"}, 400, "invalid_field"),
    ("not JSON media type", "POST", "/v1/messages", '{"to":"+8613912345678","text":"a"}',
     {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
    ("body too large", "POST", "/v1/messages",
     {"to": "+8613912345678", "text": "a" * 5000}, {}, 413, "body_too_large"),
    ("no such route", "GET", "/v2/nothing", None, {}, 404, "not_found"),
    ("no such message", "GET", "/v1/messages/msg_01AAAAAAAAAAAAAAAAAAAAAAAA", None, {}, 404,
     "not_found"),
    ("method", "PUT", "/v1/messages", None, {}, 405, "method_not_allowed"),
    ("bad limit", "GET", "/v1/messages?limit=501", None, {}, 400, "invalid_field"),
    ("bad state", "GET", "/v1/messages?state=lost", None, {}, 400, "invalid_field"),
    ("bad cursor", "GET", "/v1/messages?cursor=%21%21", None, {}, 400, "invalid_field"),
]


def case_bad_input():
    """Each bad request gets its status and error code, and nothing is queued."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("a", "sim:generic")], extra="")
        with open(d.conf, "a") as f:
            f.write("")
        # a small body limit for the 413 case
        text = open(d.conf).read().replace("[http]\n", "[http]\nmax_body = 4k\nmax_queued = 1\n")
        open(d.conf, "w").write(text)
        d.start()
        try:
            for desc, method, path, body, headers, status, code in BAD_INPUT:
                h = dict(headers)
                if body is not None and "Content-Type" not in h:
                    h["Content-Type"] = "application/json"
                st, doc = d.tcp(method, path, body, h)
                ok = st == status and isinstance(doc, dict) and \
                    doc.get("error", {}).get("code") == code
                check(ok, f"bad input '{desc}': want {status} {code}, got {st} {doc}")
                if isinstance(doc, dict) and "error" in doc:
                    check(set(doc["error"]) >= {"code", "message"}, f"'{desc}': error shape")
            st, doc = d.unix("GET", "/v1/messages?limit=500")
            check(st == 200 and doc["messages"] == [], f"nothing queued: {doc}")
            # cancel: only a queued message; 200 with the MESSAGE, then 409
            st, doc = d.unix("POST", "/v1/messages", {"to": "+8613912345678", "text": "later",
                                                      "not_before": "2099-01-01T00:00:00Z"})
            mid = doc["messages"][0]["id"]
            check(doc["messages"][0]["not_before"] == "2099-01-01T00:00:00.000Z",
                  f"not_before: {doc['messages'][0]['not_before']}")
            # max_queued = 1: the next submit is refused with Retry-After, nothing written
            c = UnixConnection(d.sock)
            c.request("POST", "/v1/messages", body=json.dumps({"to": "+8613912345678",
                                                              "text": "full"}),
                      headers={"Content-Type": "application/json"})
            r = c.getresponse()
            doc = json.loads(r.read())
            c.close()
            check(r.status == 429 and doc["error"]["code"] == "queue_full" and
                  r.getheader("Retry-After"), f"queue_full: {r.status} {doc}")
            check(r.getheader("Content-Type") == "application/json; charset=utf-8",
                  "Content-Type")
            # a second daemon on the same SQLite file is refused, naming the holder
            if not os.environ.get("SMSCTL_TEST_PG_URL"):
                conf2 = os.path.join(tmp, "second.conf")
                open(conf2, "w").write(open(d.conf).read().replace(
                    d.sock, os.path.join(tmp, "second.sock")).replace(
                    f"127.0.0.1:{d.port}", f"127.0.0.1:{free_port()}"))
                p = subprocess.run([SMSCTLD, "--config", conf2], capture_output=True,
                                   text=True, timeout=30)
                check(p.returncode == 1 and str(d.proc.pid) in p.stderr,
                      f"second daemon: {p.returncode} {p.stderr}")
            st, doc = d.unix("DELETE", "/v1/messages/" + mid)
            check(st == 200 and doc["state"] == "cancelled", f"cancel: {st} {doc}")
            st, doc = d.unix("DELETE", "/v1/messages/" + mid)
            check(st == 409 and doc["error"]["code"] == "not_cancellable", f"recancel: {st}")
            st, doc = d.unix("POST", f"/v1/messages/{mid}/resend", {})
            check(st == 409, f"resend of a cancelled message: {st} {doc}")
            check(all_records(d) == [], "nothing sent")
            st, doc = d.tcp("GET", "/readyz", token=None)
            check(st == 200, f"readyz: {st} {doc}")
        finally:
            check(d.stop() == 0, "SIGTERM exits 0")


BAD_CONFIGS = [
    # (config text, line, words expected in the message)
    ("[daemon]\nnode_id = a\nbogus = 1\n", 3, "unknown key 'bogus'"),
    ("[nosuch]\nx = 1\n", 1, "unknown section"),
    ("[send]\nretry_initial = 30\n", 2, "not a duration"),
    ("[send]\nretry_initial = 0s\n", 2, "not a duration"),
    ("[send]\nmax_attempts = -1\n", 2, "whole number"),
    ("[send]\non_unknown = maybe\n", 2, "keep,resend"),
    ("[send]\nsubmit_mode = direct\nsubmit_mode = storage\n", 3, "twice"),
    ("[http]\nmax_body = lots\n", 2, "size"),
    ("[http]\nlisten = 127.0.0.1\n", 2, "listen"),
    ("[http]\nmetrics_auth = perhaps\n", 2, "yes or no"),
    ("[daemon]\nlanguage = fr\n", 2, "language"),
    ("\n\n[modem a]\npool = p\n", 3, "no 'device'"),
    ("[modem a]\ndevice = sim:\n[modem a]\ndevice = sim:\n", 3, "twice"),
    ("[modem bad name!]\ndevice = sim:\n", 1, "modem name"),
    ("node_id = x\n", 1, "outside of a section"),
    ("[daemon]\njust words\n", 2, ""),
    ("[daemon]\nshutdown_timeout = 5s ; comment\n", 2, "not a duration"),
]


def case_check_config():
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "c.conf")
        for text, line, words in BAD_CONFIGS:
            open(conf, "w").write(text)
            p = subprocess.run([SMSCTLD, "--check-config", "--config", conf],
                               capture_output=True, text=True)
            ok = p.returncode == 78 and p.stderr.startswith(f"{conf}:{line}: ") and \
                words in p.stderr
            check(ok, f"config {text!r}: want 78 {conf}:{line}: ...{words}, got "
                      f"{p.returncode} {p.stderr!r}")
        good = ("# comment\n; another\n[daemon]\nnode_id = n1\nlanguage = zh_CN\n"
                "[store]\nurl = sqlite:///tmp/x.db\nretention = 7d\n"
                "[send]\nretry_initial = 1s\nretry_max = 1h\nmax_attempts = 3\n"
                "on_unknown = resend\nreport_wait = 2h\nsubmit_mode = direct\n"
                "multipart_resume = 10m\nmultipart_lost_modem = fail\nmax_parts = 5\n"
                "[http]\nlisten = 127.0.0.1:1, [::1]:2, unix:/tmp/x.sock\nmax_body = 64k\n"
                "max_queued = 10\nthreads = 2\nmetrics_auth = no\n"
                "[modem m1]\ndevice = /dev/ttyUSB-does-not-exist\npool = p#1\n")
        open(conf, "w").write(good)
        p = subprocess.run([SMSCTLD, "--config", conf, "--check-config"], capture_output=True,
                           text=True)
        check(p.returncode == 0, f"good config (a device that does not exist yet is fine): "
                                 f"{p.returncode} {p.stderr}")
        # a tokens file readable by others is refused
        tok = os.path.join(tmp, "tokens")
        open(tok, "w").write("a:0123456789abcdef0\n")
        os.chmod(tok, 0o644)
        open(conf, "w").write(f"[http]\ntokens_file = {tok}\n")
        p = subprocess.run([SMSCTLD, "--check-config", "--config", conf], capture_output=True,
                           text=True)
        check(p.returncode == 78 and "others" in p.stderr, f"tokens 0644: {p.stderr}")
        p = subprocess.run([SMSCTLD, "--version"], capture_output=True, text=True)
        check(p.returncode == 0 and p.stdout.startswith("smsctld "), "--version")
        p = subprocess.run([SMSCTLD, "--bogus"], capture_output=True, text=True)
        check(p.returncode == 64, "unknown option is 64")
        # a store that cannot be reached: exit 1 naming the host and the reason
        open(conf, "w").write("[store]\nurl = postgresql://nobody@127.0.0.1:1/none\n"
                              f"[http]\nlisten = unix:{tmp}/s.sock\n")
        p = subprocess.run([SMSCTLD, "--config", conf], capture_output=True, text=True,
                           timeout=30)
        check(p.returncode == 1 and "127.0.0.1" in p.stderr, f"store unreachable: "
                                                               f"{p.returncode} {p.stderr}")


def case_kill9():
    """kill -9 while a part is past AT+CMGS: after the restart the part is unknown, the
    message unknown with its event, never sent again; the other messages go out once."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("a", "sim:generic?fault=send_timeout")])
        d.start()
        st, doc = d.unix("POST", "/v1/messages", {"to": "+8613912345678", "text": "hangs"})
        stuck = doc["messages"][0]["id"]
        deadline = time.time() + 20
        while time.time() < deadline:
            st, m = d.unix("GET", "/v1/messages/" + stuck)
            if m["part_states"][0]["state"] == "sending":
                break
            time.sleep(0.05)
        check(m["part_states"][0]["state"] == "sending", f"part sending: {m}")
        time.sleep(0.5)
        others = []
        for i in range(5):
            st, doc = d.unix("POST", "/v1/messages", {"to": "+8613912345678",
                                                      "text": f"after the crash {i}"})
            others.append(doc["messages"][0]["id"])
        recs_before = all_records(d)
        d.stop(signal.SIGKILL)
        # restart without the fault: the hung part must not be sent again
        text = open(d.conf).read().replace("sim:generic?fault=send_timeout", "sim:generic")
        open(d.conf, "w").write(text)
        d.start()
        try:
            m = d.wait_state(stuck, ("unknown",), timeout=10)
            check(m and m["state"] == "unknown" and m["part_states"][0]["state"] == "unknown",
                  f"after kill -9 the sending part is unknown: {m}")
            for mid in others:
                m2 = d.wait_state(mid, ("sent",))
                check(m2 and m2["state"] == "sent", f"{mid} sent after restart")
            st, ev = d.unix("GET", f"/v1/messages/{stuck}/events")
            check("message.unknown" in [e["type"] for e in ev["events"]], "message.unknown event")
            time.sleep(1.5)
            recs = all_records(d)
            check(len(recs) == len(set(recs)), "nothing sent twice")
            hung = [p for p in decode(recs) if p.get("text") == "hangs"]
            check(len(hung) <= 1, f"the unknown part was not resent: {len(hung)}")
            check(len(recs) - len(recs_before) >= 5, "the others went out")
            st, m = d.unix("GET", "/v1/messages/" + stuck)
            check(m["state"] == "unknown", "still unknown: never resent automatically")
            # a person may resend it: a new message linked by resend_of
            st, doc = d.unix("POST", f"/v1/messages/{stuck}/resend", {})
            check(st == 202 and doc["messages"][0]["resend_of"] == stuck, f"resend: {st} {doc}")
        finally:
            check(d.stop() == 0, "SIGTERM exits 0")


def case_modem_missing():
    """A modem whose device does not exist yet is not a config error, and neither it, nor a
    hung modem, nor one without a SIM stops the others: the daemon starts, the good modem
    sends at once."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("gone", "/dev/ttyUSB-smsctl-missing"), ("hung", "sim:?fault=hang"),
                         ("nosim", "sim:simcom?fault=sim_absent"), ("a", "sim:quectel")])
        t0 = time.time()
        d.start()
        try:
            ids = []
            for i in range(3):
                st, doc = d.unix("POST", "/v1/messages", {"to": "+8613912345678",
                                                          "text": f"hi {i}"})
                ids.append(doc["messages"][0]["id"])
            for mid in ids:
                m = d.wait_state(mid, ("sent",), timeout=15)
                check(m and m["state"] == "sent" and m["modem"] == "a", f"sent by a: {m}")
            check(time.time() - t0 < 12, f"the hung modem held the others back: "
                                         f"{time.time() - t0:.1f} s")
            st, doc = d.unix("GET", "/readyz")
            check(st == 200, f"readyz with one modem ready: {doc}")
        finally:
            check(d.stop() == 0, "SIGTERM exits 0")
        check("missing" in open(d.log).read(), "the missing device is named in the log")


def case_outcomes():
    """What each outcome does: a transient +CMS ERROR is retried with backoff, a permanent one
    fails with its code, one that points at the modem goes to another modem at once without
    counting, a delivery report makes it delivered, an expired message expires, a received
    SMS lands in the inbox once."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("once42", "sim:generic?fault=send_fail_once:42"),
                         ("perm21", "sim:wavecom?fault=send_fail:21"),
                         ("sick", "sim:huawei?fault=send_fail:500"),
                         ("good", "sim:quectel?sms=%2B4915112345678,Hello%20inbox"),
                         ("nosim", "sim:simcom?fault=sim_absent")])
        text = open(d.conf).read()
        for name in ("once42", "perm21", "sick", "good"):
            text = text.replace(f"[modem {name}]\n", f"[modem {name}]\npool = {name}\n")
        text = text.replace("[modem nosim]\n", "[modem nosim]\npool = nosim\n")
        open(d.conf, "w").write(text)
        d.start()
        try:
            def submit(**kw):
                body = {"to": "+8613912345678", "text": "outcome " + json.dumps(kw)}
                body.update(kw)
                st, doc = d.unix("POST", "/v1/messages", body)
                check(st == 202, f"submit {kw}: {st} {doc}")
                return doc["messages"][0]["id"]
            transient = submit(pool="once42")
            permanent = submit(pool="perm21")
            reported = submit(pool="good", report=True)
            expiring = submit(pool="nosim", ttl="1s")
            m = d.wait_state(transient, ("sent",), timeout=20)
            check(m and m["state"] == "sent" and m["attempts"] == 2,
                  f"transient 42: retried once and sent: {m}")
            m = d.wait_state(permanent, ("failed",))
            check(m and m["state"] == "failed" and m["error"]["code"] == "cms.21" and
                  m["error"]["class"] == "permanent", f"permanent 21: failed: {m}")
            m = d.wait_state(reported, ("delivered",))
            check(m and m["state"] == "delivered" and
                  m["part_states"][0]["report"]["status"] == 0, f"delivered: {m}")
            m = d.wait_state(expiring, ("expired",), timeout=15)
            check(m and m["state"] == "expired", f"expired: {m}")
            # a modem-level failure (CMS 500) on "sick": back to the queue at once, sent by
            # "good" (the message names no pool: both serve "default" only through modem)
            st, doc = d.unix("POST", "/v1/messages", {"to": "+8613912345678",
                                                      "text": "sick first", "modem": "sick"})
            sick = doc["messages"][0]["id"]
            time.sleep(1.0)
            st, m = d.unix("GET", "/v1/messages/" + sick)
            check(m["state"] in ("queued", "sending") and m["attempts"] <= 1 and
                  m["error"] and m["error"]["code"] == "cms.500",
                  f"CMS 500: requeued without counting: {m}")
            st, doc = d.unix("DELETE", "/v1/messages/" + sick)
            import sqlite3
            db = sqlite3.connect(f"file:{tmp}/smsctl.db?mode=ro", uri=True)
            rows = db.execute("select sender, text, modem from inbox").fetchall()
            check(rows == [("+4915112345678", "Hello inbox", "good")], f"inbox: {rows}")
            ev = db.execute("select count(*) from events where type = 'sms.received'").fetchone()
            check(ev[0] == 1, f"one sms.received event: {ev}")
            db.close()
        finally:
            check(d.stop() == 0, "SIGTERM exits 0")


def case_reload():
    """SIGHUP: a broken file is refused and the daemon keeps running; a good one adds and
    removes modems and changes [send] without dropping work."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("a", "sim:generic")])
        d.start()
        try:
            good = open(d.conf).read()
            open(d.conf, "w").write(good + "[send]\nbogus = 1\n")
            d.proc.send_signal(signal.SIGHUP)
            time.sleep(0.5)
            st, doc = d.unix("GET", "/readyz")
            check(st == 200 and doc["modems_ready"] == 1, f"still running: {doc}")
            check("reload refused" in open(d.log).read(), "the refused reload is logged")
            two = (good.replace("max_parts = 4", "max_parts = 1").replace(
                "[modem a]\ndevice = sim:generic\n", "") +
                "[modem b]\ndevice = sim:huawei\n[modem c]\ndevice = sim:simcom\n")
            open(d.conf, "w").write(two)
            d.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            while time.time() < deadline:
                st, doc = d.unix("GET", "/readyz")
                if doc["modems_ready"] == 2:
                    break
                time.sleep(0.1)
            check(doc["modems_ready"] == 2, f"two modems after the reload: {doc}")
            st, doc = d.unix("POST", "/v1/messages", {"to": "+8613912345678", "text": "x" * 200})
            check(st == 422 and doc["error"]["code"] == "too_long", f"max_parts 1: {st} {doc}")
            st, doc = d.unix("POST", "/v1/messages", {"to": "+8613912345678", "text": "b",
                                                      "modem": "a"})
            check(st == 422 and doc["error"]["code"] == "unknown_modem", f"a is gone: {st}")
            st, doc = d.unix("POST", "/v1/messages", {"to": "+8613912345678", "text": "c"})
            m = d.wait_state(doc["messages"][0]["id"], ("sent",))
            check(m and m["state"] == "sent" and m["modem"] in ("b", "c"), f"sent: {m}")
        finally:
            check(d.stop() == 0, "SIGTERM exits 0")


def case_multipart_lost():
    """A three-part message whose SIM goes away after its first part: it waits
    multipart_resume, then goes out again whole from another modem with a new reference
    (message.resent_whole); the part sent before is not sent again on its own."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("x", "sim:generic?fault=slow:300")],
                   extra="")
        text = open(d.conf).read().replace("[send]\n", "[send]\nmultipart_resume = 1s\n")
        open(d.conf, "w").write(text)
        d.start()
        long_zh = "第一部分：您的会员卡已充值，余额一百二十元。" * 7
        st, doc = d.unix("POST", "/v1/messages", {"to": "+8613912345678", "text": long_zh})
        mid = doc["messages"][0]["id"]
        check(doc["messages"][0]["parts"] == 3, "three parts")
        deadline = time.time() + 30
        while time.time() < deadline:
            st, m = d.unix("GET", "/v1/messages/" + mid)
            if m["part_states"][0]["state"] == "sent":
                break
            time.sleep(0.02)
        check(m["part_states"][0]["state"] == "sent", f"part 1 sent: {m}")
        check(d.stop() == 0, "SIGTERM between parts exits 0")
        st_parts = None
        import sqlite3
        db = sqlite3.connect(f"file:{tmp}/smsctl.db?mode=ro", uri=True)
        st_parts = db.execute("select state from message_parts where message_id = ? "
                              "order by seq", (mid,)).fetchall()
        db.close()
        check(st_parts[-1][0] == "queued" and "unknown" not in [p[0] for p in st_parts],
              f"the rest waits, nothing unknown: {st_parts}")
        x_records = d.records().get("x", [])
        # the SIM of x is gone: y (another SIM) takes the message whole
        text = open(d.conf).read().replace("[modem x]\ndevice = sim:generic?fault=slow:300\n",
                                           "[modem y]\ndevice = sim:huawei\n")
        open(d.conf, "w").write(text)
        d.start()
        try:
            m = d.wait_state(mid, ("sent",), timeout=30)
            check(m and m["state"] == "sent" and all(p["state"] == "sent"
                                                     for p in m["part_states"]),
                  f"resent whole and sent: {m}")
            st, ev = d.unix("GET", f"/v1/messages/{mid}/events")
            check("message.resent_whole" in [e["type"] for e in ev["events"]],
                  f"message.resent_whole: {[e['type'] for e in ev['events']]}")
            y = decode(d.records().get("y", []))
            x = decode(x_records)
            check(len(y) == 3, f"y sent all three parts: {len(y)}")
            if y and x:
                check(y[0]["concat"]["ref"] != x[0]["concat"]["ref"], "a new reference")
            check(len(d.records().get("x", [])) == len(x_records), "x sent nothing more")
        finally:
            check(d.stop() == 0, "SIGTERM exits 0")


def case_unplug():
    """The modem goes away as the PDU arrives (fault unplug): the part is unknown, never sent
    again; the modem is closed and opened again (every 5 s), and still sends afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("u", "sim:generic?fault=unplug")])
        d.start()
        try:
            st, doc = d.unix("POST", "/v1/messages", {"to": "+8613912345678", "text": "cut"})
            mid = doc["messages"][0]["id"]
            m = d.wait_state(mid, ("unknown",), timeout=20)
            check(m and m["state"] == "unknown" and m["part_states"][0]["state"] == "unknown" and
                  m["error"]["class"] == "ambiguous", f"unplugged after the PDU: unknown: {m}")
            time.sleep(6.5)
            check("reopening" in open(d.log).read(), "the modem was closed to be reopened")
            st, m = d.unix("GET", "/v1/messages/" + mid)
            check(m["state"] == "unknown", "never resent")
            st, doc = d.unix("GET", "/readyz")
            check(st == 200, f"reopened: {doc}")
        finally:
            check(d.stop() == 0, "SIGTERM exits 0")


def case_shutdown_timeout():
    """SIGTERM while a part waits for the network's answer longer than shutdown_timeout: the
    daemon stops in time and the part is recorded unknown (not requeued, not lost)."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, [("a", "sim:generic?fault=send_timeout")])
        text = open(d.conf).read().replace("shutdown_timeout = 10s", "shutdown_timeout = 1s")
        open(d.conf, "w").write(text)
        d.start()
        st, doc = d.unix("POST", "/v1/messages", {"to": "+8613912345678", "text": "slow net"})
        mid = doc["messages"][0]["id"]
        deadline = time.time() + 10
        while time.time() < deadline:
            st, m = d.unix("GET", "/v1/messages/" + mid)
            if m["part_states"][0]["state"] == "sending":
                break
            time.sleep(0.05)
        time.sleep(0.5)
        t0 = time.time()
        rc = d.stop()
        check(rc == 0 and time.time() - t0 < 8, f"stopped in time: rc {rc}, "
                                                f"{time.time() - t0:.1f} s")
        import sqlite3
        db = sqlite3.connect(f"file:{tmp}/smsctl.db?mode=ro", uri=True)
        row = db.execute("select m.state, p.state from messages m join message_parts p on "
                         "p.message_id = m.id where m.id = ?", (mid,)).fetchone()
        db.close()
        check(row == ("unknown", "unknown"), f"the part in flight is unknown: {row}")


CASES = {"check_config": case_check_config, "bad_input": case_bad_input, "send": case_send,
         "kill9": case_kill9, "modem_missing": case_modem_missing,
         "outcomes": case_outcomes, "reload": case_reload,
         "multipart_lost": case_multipart_lost, "unplug": case_unplug,
         "shutdown_timeout": case_shutdown_timeout}

for name, fn in CASES.items():
    if ONLY and name not in ONLY:
        continue
    print(f"--- {name}", flush=True)
    try:
        fn()
    except Exception as e:  # a crash of the test is a failure with its reason
        import traceback
        traceback.print_exc()
        failures.append(f"{name}: {e}")
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
