#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end tests of `smsctl send`, `info` and `status` against the simulated modem.

The built smsctl runs with --device 'sim:...'. The simulated modem lives inside that process,
so what it recorded is checked through the JSON output and the exit codes here; the library
suite (tests/test-send.c) decodes the recorded PDUs.

Usage: test-send.py PATH/TO/smsctl
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

SMSCTL = sys.argv[1]
NUMBER = "+31612345678"
FAILURES = []


def run(args, stdin=None, env=None, timeout=60):
    e = dict(os.environ)
    e.pop("SMSCTL_DEVICE", None)
    e.pop("SMSCTL_PIN", None)
    e["NO_COLOR"] = "1"
    e["LANG"] = "C.UTF-8"
    e["LC_ALL"] = "C.UTF-8"
    if env:
        e.update(env)
    p = subprocess.run([SMSCTL] + args, input=stdin, capture_output=True, env=e,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(name, cond, detail=""):
    if cond:
        print("ok   " + name)
    else:
        print("FAIL " + name + (": " + detail if detail else ""))
        FAILURES.append(name)


def send(device, *extra, text="hello", stdin=None, env=None):
    args = ["--device", device, "send", "--json"] + list(extra) + [NUMBER]
    if text is not None:
        args.append(text)
    return run(args, stdin=stdin, env=env)


def parsed(out):
    try:
        return json.loads(out)
    except ValueError:
        return None


# ---- messages ----
LONG = "x" * 161
MESSAGES = [
    ("single", "Hello from smsctl", [], 1),
    ("concatenated", "Lorem ipsum " * 30, [], 3),
    ("chinese", "你好，世界！短信测试", [], 1),
    ("chinese concatenated", "春眠不觉晓，处处闻啼鸟。" * 7, [], 2),
    ("emoji", "Party 🎉 thumbs 👍", [], 1),
    ("flash", "Flash!", ["--flash"], 1),
    ("ucs2 forced", "ascii", ["--ucs2"], 1),
    ("validity and smsc", "kept a day", ["--validity", "1440", "--smsc", "+31624000000"], 1),
]
for name, text, opts, parts in MESSAGES:
    rc, out, err = send("sim:", *opts, text=text)
    j = parsed(out)
    check("send " + name + ": exit 0", rc == 0, "rc=%d err=%s" % (rc, err))
    check("send " + name + ": JSON", j is not None and j.get("number") == NUMBER
          and len(j.get("parts", [])) == parts
          and all(isinstance(p["message_ref"], int) for p in j["parts"])
          and j.get("report") is None and j.get("error") is None, out)

# Text from stdin is taken verbatim: 160 characters and a newline need two parts.
rc, out, err = send("sim:", text=None, stdin=("y" * 160 + "\n").encode())
j = parsed(out)
check("stdin verbatim (TEXT missing)", rc == 0 and j and len(j["parts"]) == 2, out + err)
rc, out, err = send("sim:", text="-", stdin=("y" * 160).encode())
j = parsed(out)
check("stdin '-' without newline", rc == 0 and j and len(j["parts"]) == 1, out + err)
rc, out, err = send("sim:", text="-", stdin=b"bad \xff utf-8")
check("stdin invalid UTF-8: exit 65", rc == 65, "rc=%d" % rc)

# Human output: one line per result, no colour when not a terminal.
rc, out, err = run(["--device", "sim:", "send", NUMBER, "hi"])
check("human output", rc == 0 and out.startswith("Sent to " + NUMBER) and "\033" not in out,
      out)

# ---- delivery reports ----
for dev in ["sim:?report=20", "sim:huawei?report=20", "sim:wavecom?report=20"]:
    rc, out, err = send(dev, "--wait-report", "10", text=LONG)
    j = parsed(out)
    check("report delivered " + dev, rc == 0 and j and j["report"]
          and j["report"]["state"] == "delivered"
          and [p["status"] for p in j["report"]["parts"]] == [0, 0], out + err)
rc, out, err = send("sim:", "--report")
j = parsed(out)
check("report requested", rc == 0 and j and j["report"] == {"state": "requested", "parts": []},
      out)

# ---- +CMS ERROR classes and faults: exit codes ----
FAULTS = [
    ("permanent 21", "sim:?fault=send_fail:21", [], 30),
    ("permanent 96", "sim:?fault=send_fail:96", [], 30),
    ("permanent 304", "sim:?fault=send_fail:304", [], 30),
    ("transient always", "sim:?fault=send_fail:42", ["--retries", "0"], 75),
    ("transient 38 always", "sim:?fault=send_fail:38", ["--retries", "0"], 75),
    ("transient once", "sim:?fault=send_fail_once:42", ["--retries", "1"], 0),
    ("smsc missing", "sim:?fault=smsc_missing", [], 30),
    ("smsc missing, --smsc given", "sim:?fault=smsc_missing", ["--smsc", "+31624000000"], 0),
    ("not registered", "sim:?fault=not_registered", [], 21),
    ("searching", "sim:?fault=searching", [], 21),
    ("denied", "sim:?fault=denied", [], 21),
    ("no signal", "sim:?fault=no_signal", [], 21),
    ("data only", "sim:?fault=ps_only", [], 21),
    ("sim absent", "sim:?fault=sim_absent", [], 20),
    ("sim puk", "sim:?fault=sim_puk", [], 20),
    ("sim failure", "sim:?fault=sim_failure", [], 20),
    ("sim pin, none given", "sim:?fault=sim_pin", [], 20),
    ("garbage", "sim:?fault=garbage:50", [], 0),
    ("urc storm", "sim:huawei?fault=urc_storm", [], 0),
    ("bare prompt", "sim:?fault=bare_prompt", [], 0),
    ("unplug after the PDU", "sim:?fault=unplug", [], 31),
]
for name, dev, opts, code in FAULTS:
    rc, out, err = send(dev, *opts)
    check("fault %s: exit %d" % (name, code), rc == code, "rc=%d out=%s err=%s" % (rc, out, err))
    j = parsed(out)
    if code not in (0, 20):
        check("fault %s: JSON error" % name, j is not None and j["error"] is not None
              and j["error"]["exit_code"] == code and j["parts"] == [], out)
    if code == 0:
        check("fault %s: sent once" % name, j is not None and len(j["parts"]) == 1, out)

rc, out, err = send("sim:?fault=send_fail:42", "--retries", "0")
j = parsed(out)
check("transient JSON", j and j["error"]["code"] == 42 and j["error"]["transient"] is True
      and j["error"]["kind"] == "cms" and j["error"]["meaning"], out)
rc, out, err = send("sim:?fault=smsc_missing")
check("smsc missing names the SMSC", "SMSC" in err, err)
rc, out, err = send("sim:?fault=unplug")
check("unknown outcome warns", "do not resend" in err, err)
check("unplug after the PDU says the modem went away", rc == 31 and "went away" in err,
      "rc=%d err=%s" % (rc, err))
rc, out, err = run(["--device", "sim:?fault=hang", "--timeout", "1", "send", NUMBER, "x"],
                   timeout=30)
check("hang: exit 12", rc == 12, "rc=%d err=%s" % (rc, err))

# ---- PIN: from SMSCTL_PIN or --pin-file, never traced ----
rc, out, err = send("sim:?fault=sim_pin", env={"SMSCTL_PIN": "1234"})
check("SMSCTL_PIN unlocks", rc == 0, err)
rc, out, err = send("sim:?fault=sim_pin", env={"SMSCTL_PIN": "9999"})
check("wrong SMSCTL_PIN: exit 20", rc == 20, err)
with tempfile.NamedTemporaryFile("w", delete=False) as f:
    f.write("4321\n")
    pinfile = f.name
try:
    rc, out, err = run(["--device", "sim:?fault=sim_pin&pin=4321", "--pin-file", pinfile,
                        "send", NUMBER, "x"])
    check("--pin-file unlocks", rc == 0, err)
    rc, out, err = run(["-v", "--device", "sim:?fault=sim_pin&pin=4321", "--pin-file",
                        pinfile, "send", NUMBER, "x"])
    trace = "\n".join(l for l in err.splitlines() if not l.startswith("# opened"))
    check("PIN not in the trace", rc == 0 and "4321" not in trace and "CPIN=" in trace, err)
finally:
    os.unlink(pinfile)
rc, out, err = run(["--device", "sim:", "--pin-file", "/nonexistent/pin", "send", NUMBER, "x"])
check("unreadable --pin-file: exit 64", rc == 64, err)
for cmd in (["send", NUMBER, "x"], ["recv"], ["diagnose"]):
    rc, out, err = run(["--device", "sim:", "--pin-file", "/", *cmd])
    check("--pin-file naming a directory (%s): exit 64 saying it cannot be read" % cmd[0],
          rc == 64 and "cannot read the PIN file" in err and out == "", err)
rc, out, err = send("sim:", env={"SMSCTL_PIN": "12ab"})
check("malformed PIN: exit 64", rc == 64, err)

# ---- usage errors: checked before anything is sent ----
USAGE = [
    ["--device", "sim:", "send", "abc", "x"],
    ["--device", "sim:", "send", "", "x"],
    ["--device", "sim:", "send", "+", "x"],
    ["--device", "sim:", "send", "06-1234", "x"],
    ["--device", "sim:", "send"],
    ["--device", "sim:", "send", NUMBER, "a", "b"],
    ["--device", "sim:", "send", "--retries", "x", NUMBER, "a"],
    ["--device", "sim:", "send", "--retries", "21", NUMBER, "a"],
    ["--device", "sim:", "send", "--validity", "2", NUMBER, "a"],
    ["--device", "sim:", "send", "--wait-report", "-1", NUMBER, "a"],
    ["--device", "sim:", "send", "--smsc", "SMSC", NUMBER, "a"],
    ["--device", "sim:", "send", "--bogus", NUMBER, "a"],
    ["send", NUMBER, "a"],
    ["--device", "sim:", "info", "extra"],
    ["--device", "sim:", "status", "--bogus"],
]
for args in USAGE:
    rc, out, err = run(args)
    check("usage %r: exit 64" % (args[2:] if args[0] == "--device" else args), rc == 64,
          "rc=%d err=%s" % (rc, err))
for cmd in ["send", "info", "status"]:
    rc, out, err = run([cmd, "--help"])
    check(cmd + " --help", rc == 0 and out.startswith("Usage: smsctl " + cmd), out)
rc, out, err = run(["--help"])
check("--help lists send/info/status", all(c in out for c in ["send", "info", "status"]), out)

# ---- info on every profile: exactly the seven keys ----
KEYS = {"manufacturer", "model", "revision", "imei", "iccid", "imsi", "own_number"}
for prof in ["generic", "wavecom", "cinterion", "simcom", "quectel", "huawei"]:
    rc, out, err = run(["--device", "sim:" + prof, "info", "--json"])
    j = parsed(out)
    check("info " + prof, rc == 0 and j is not None and set(j) == KEYS
          and all(j[k] for k in ["manufacturer", "model", "imei", "iccid", "imsi"]), out + err)
    rc, out, err = run(["--device", "sim:" + prof, "--json", "info"])
    check("info --json before the command " + prof, rc == 0 and parsed(out) is not None, out)
rc, out, err = run(["--device", "sim:?fault=sim_absent", "info", "--json"])
j = parsed(out)
check("info without SIM", rc == 0 and j and j["iccid"] is None and j["imsi"] is None
      and j["imei"], out)
rc, out, err = run(["--device", "sim:huawei", "info"])
check("info human", rc == 0 and "IMEI: " in out, out)

# ---- the TEXT is verbatim even when it reads like a global option ----
def sent_pdus(err):
    return [l[2:-4] for l in err.splitlines() if l.startswith("> ") and l.endswith("\\x1a")]


for word in ["-v", "-j", "--json", "--verbose"]:
    for pre in [[], ["--smsc", "+31624000000"], ["-s", "+31624000000", "-r"], ["-n", "0"]]:
        rc, out, err = run(["-v", "--device", "sim:", "send"] + pre + [NUMBER, word, "--json"],
                           stdin=b"FROM STDIN")
        pdus = sent_pdus(err)
        j = parsed(out)
        text = None
        if pdus:
            rc2, out2, _ = run(["pdu", "decode", "--json", pdus[0]])
            text = parsed(out2)["text"] if rc2 == 0 else None
        check("send %s: text %r verbatim" % (" ".join(pre), word),
              rc == 0 and j and len(j["parts"]) == 1 and text == word, repr((rc, out, text)))

# ---- status ----
for dev, sim, cs in [("sim:", "ready", "home"), ("sim:?fault=roaming", "ready", "roaming"),
                     ("sim:?fault=denied", "ready", "denied"),
                     ("sim:?fault=sim_pin", "pin_required", "not_registered"),
                     ("sim:wavecom", "ready", "home"), ("sim:simcom?fault=sim_absent", "absent",
                                                         "not_registered")]:
    rc, out, err = run(["--device", dev, "status", "--json"])
    j = parsed(out)
    check("status json " + dev, rc == 0 and j and j["sim"] == sim
          and j["registration"]["cs"] == cs and out.count("\n") == 1, out + err)
rc, out, err = run(["--device", "sim:quectel", "status", "--json"])
j = parsed(out)
check("status LTE", j and isinstance(j["rsrp_dbm"], int) and isinstance(j["rsrq_db"], float)
      and j["registration"]["eps"] == "home" and j["storage"]["memory"] == "SM", out)
rc, out, err = run(["--device", "sim:?fault=no_signal", "status", "--json"])
j = parsed(out)
check("status no signal", j and j["rssi_dbm"] is None and j["bars"] is None, out)
rc, out, err = run(["--device", "sim:", "status"])
check("status human: one line", rc == 0 and out.count("\n") == 1 and out.startswith("SIM ready")
      and "\033" not in out, out)

# ---- option errors say what is wrong (64) ----
for args, want in [
    (["--timeout"], "option '--timeout' needs a value"),
    (["-d"], "option '-d' needs a value"),
    (["--json=1", "info"], "option '--json' takes no value"),
    (["-Z"], "unknown option '-Z'"),
    (["-d", "sim:", "send", "--retries"], "send: option '--retries' needs a value"),
    (["-d", "sim:", "send", "-n"], "send: option '-n' needs a value"),
    (["-d", "sim:", "send", "--flash=1", NUMBER, "x"], "send: option '--flash' takes no value"),
    (["-d", "sim:", "send", "--bogus", NUMBER, "x"], "send: unknown option '--bogus'"),
    (["-d", "sim:", "send", "-rx", NUMBER, "x"], "send: unknown option '-x'"),
    (["-d", "sim:", "info", "--json=yes"], "info: option '--json' takes no value"),
    (["-d", "sim:", "status", "-q"], "status: unknown option '-q'"),
]:
    rc, out, err = run(args)
    check("option error: " + " ".join(args),
          rc == 64 and out == "" and err.startswith("smsctl: " + want), repr((rc, err)))

# ---- a modem answering in Latin-1: --json stays UTF-8 (RFC 8259), the terminal sees no raw
# bytes that are not UTF-8 ----
LATIN1 = {b"AT+CGMI": b"Telef\xf3nica", b"AT+CGMM": b"M\xc3\xa9\xc2\x9bX", b"AT+CGMR": b"1.0",
          b"AT+CGSN": b"351234567890124", b"AT+COPS?": b'+COPS: 0,0,"Op\xe9rateur",7',
          b"AT+CPIN?": b"+CPIN: READY", b"AT+CSQ": b"+CSQ: 20,99",
          b"AT+CSCA?": b'+CSCA: "+123",145'}


def latin1_modem(srv):
    c, _ = srv.accept()
    buf = b""
    while True:
        d = c.recv(1024)
        if not d:
            return
        buf += d
        while b"\r" in buf:
            line, buf = buf.split(b"\r", 1)
            line = line.strip()
            if not line:
                continue
            out = b""
            for part in line.split(b";"):
                k = part if part.startswith(b"AT") else b"AT" + part
                if k in LATIN1:
                    out += b"\r\n" + LATIN1[k] + b"\r\n"
            c.sendall(out + b"\r\nOK\r\n")


def run_latin1(args):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    threading.Thread(target=latin1_modem, args=(srv,), daemon=True).start()
    e = dict(os.environ, NO_COLOR="1", LC_ALL="C.UTF-8")
    e.pop("SMSCTL_DEVICE", None)
    p = subprocess.run([SMSCTL, "-d", "tcp:127.0.0.1:%d" % srv.getsockname()[1], "-t", "3"] + args,
                       capture_output=True, env=e, timeout=60)
    srv.close()
    return p.returncode, p.stdout


def utf8(b):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return None


rc, out = run_latin1(["--json", "info"])
j = parsed(utf8(out) or "")
check("info --json from a Latin-1 modem is UTF-8 JSON",
      rc == 0 and j is not None and j["manufacturer"] == "Telef\ufffdnica"
      and j["model"] == "M\u00e9\u009bX", repr((rc, out)))
rc, out = run_latin1(["info"])
check("info from a Latin-1 modem prints UTF-8, no C1 control",
      rc == 0 and utf8(out) is not None and "Telef\ufffdnica" in utf8(out)
      and "\u009b" not in utf8(out), repr((rc, out)))
rc, out = run_latin1(["--json", "status"])
j = parsed(utf8(out) or "")
check("status --json from a Latin-1 modem is UTF-8 JSON",
      rc == 0 and j is not None and j["operator"] == "Op\ufffdrateur", repr((rc, out)))
rc, out = run_latin1(["status"])
check("status from a Latin-1 modem prints UTF-8",
      rc == 0 and utf8(out) is not None and "operator Op\ufffdrateur" in utf8(out), repr((rc, out)))

print("%d failure(s)" % len(FAILURES))
sys.exit(1 if FAILURES else 0)
