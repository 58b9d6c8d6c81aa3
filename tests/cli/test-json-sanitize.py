#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Table-driven tests of what --json makes of hostile text, end to end through smsctl.

Every --json output is written by jansson (cli/json.c), with the CLI's guarantees on top:
valid UTF-8 always (a byte that does not start a valid UTF-8 sequence becomes one U+FFFD,
written "\\ufffd"), control characters and DEL escaped ("\\u001b", lower case), keys as given.

Three tables:
1. stored SMS on a sim: modem (pdu=, UCS-2 with controls, DEL, C1, NUL, quote, backslash,
   lone and reversed surrogates, a valid pair, U+FFFD itself), read back with list, read,
   recv and pdu decode;
2. stray bytes in a modem's answers (Latin-1, overlong forms, surrogates, beyond U+10FFFF,
   cut-short sequences, lone continuation bytes, NUL, huge lines) from a scripted modem on
   tcp:, read with at and info;
3. line noise from the sim: fault `garbage` (bytes 0x80-0xff and NUL before answer lines),
   over every profile and several seeds, through info, status, at, diagnose, list, recv;
4. every other --json output once (send, delete, status, diagnose, at, pdu encode, ports).
Each output must be strict UTF-8, one JSON value per line, hold no raw control byte, DEL or
U+FFFD, write its \\u escapes in lower case, and (tables 1 and 2) carry the expected value.

Usage: test-json-sanitize.py PATH/TO/smsctl [quick]
With SMSCTL_JSON_WRAPPER set (e.g. "valgrind --error-exitcode=99 ..."), every smsctl runs
under it and its exit 99 is a failure; "quick" runs a few rows of each table (for valgrind).
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading

SMSCTL = sys.argv[1]
QUICK = len(sys.argv) > 2 and sys.argv[2] == "quick"
WRAPPER = os.environ.get("SMSCTL_JSON_WRAPPER", "").split()
FAILURES = []
FFFD = "\ufffd"


def env():
    e = dict(os.environ)
    for k in ("SMSCTL_DEVICE", "SMSCTL_PIN", "POSIXLY_CORRECT"):
        e.pop(k, None)
    e.update({"NO_COLOR": "1", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "LANGUAGE": ""})
    return e


def run(args, timeout=60):
    p = subprocess.run(WRAPPER + [SMSCTL] + args, capture_output=True, env=env(),
                       timeout=timeout * (10 if WRAPPER else 1))
    if WRAPPER and p.returncode == 99:
        check("%s: no error under %s" % (" ".join(args)[:100], WRAPPER[0]), False, p.stderr[-2000:])
    return p.returncode, p.stdout, p.stderr


def check(name, cond, detail=""):
    if cond:
        print("ok   " + name)
    else:
        FAILURES.append(name)
        print("FAIL " + name + ": " + str(detail)[:800])


def sanitised(b):
    """The contract, written independently of the C code: each byte that does not start a
    valid UTF-8 sequence (Python's strict decoder: no overlong forms, surrogates, code points
    beyond U+10FFFF, cut-short sequences) becomes one U+FFFD."""
    out, i = [], 0
    while i < len(b):
        for n in (1, 2, 3, 4):
            try:
                s = b[i:i + n].decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(s) == 1:
                out.append(s)
                i += n
                break
        else:
            out.append(FFFD)
            i += 1
    return "".join(out)


def well_formed(out):
    """Why out is not what --json must print (None when it is), and its values."""
    try:
        text = out.decode("utf-8", "strict")
    except UnicodeDecodeError as e:
        return "not UTF-8: %s" % e, None
    if not text.endswith("\n"):
        return "no final newline", None
    lines = text[:-1].split("\n")
    for ch in text[:-1]:
        if ord(ch) < 0x20 and ch != "\n":
            return "raw control U+%04X" % ord(ch), None
    if "\x7f" in text:
        return "raw DEL", None
    if FFFD in text:
        return "raw U+FFFD (must be written \\ufffd)", None
    for m in re.finditer(r"(\\+)u([0-9A-Fa-f]{4})", text):
        if len(m.group(1)) % 2 == 1 and m.group(2) != m.group(2).lower():
            return "upper-case escape " + m.group(0), None
    values = []
    for line in lines:
        try:
            values.append(json.loads(line))
        except ValueError as e:
            return "not JSON: %s: %r" % (e, line[:200]), None
    return None, values


def ucs2_pdu(units):
    """An SMS-DELIVER from +15551234567, UCS-2, with these UTF-16 code units."""
    ud = b"".join(u.to_bytes(2, "big") for u in units)
    return ("07912160130300F4" "04" "0B915155214365F7" "00" "08" "62115280000000" "%02X" %
            len(ud)) + ud.hex().upper()


def units(s):
    b = s.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2)]


# ---- 1. stored SMS on sim: (UCS-2 text the library decodes; NUL is dropped by it) ----
# (name, UTF-16 code units, expected text)
SMS_TABLE = [
    ("controls", [0x41, 0x01, 0x1b, 0x1f, 0x42], "A\x01\x1b\x1fB"),
    ("DEL", [0x41, 0x7f, 0x42], "A\x7fB"),
    ("C1 controls kept (valid UTF-8)", [0x85, 0x9b], "\x85\x9b"),
    ("NUL", [0x41, 0x00, 0x42], "AB"),
    ("quote, backslash, slash", units('"\\/'), '"\\/'),
    ("newline, tab, CR", units("a\nb\tc\rd"), "a\nb\tc\rd"),
    ("lone high surrogate", [0x41, 0xd800, 0x42], "A" + FFFD + "B"),
    ("lone low surrogate", [0xdc00], FFFD),
    ("reversed pair", [0xdc00, 0xd800], FFFD + FFFD),
    ("valid pair", units("\U0001F600"), "\U0001F600"),
    ("U+FFFD itself", [0xfffd], FFFD),
    ("Chinese", units("你好，世界"), "你好，世界"),
    ("70 characters", units("短" * 70), "短" * 70),
]
if QUICK:
    SMS_TABLE = [SMS_TABLE[0], SMS_TABLE[6], SMS_TABLE[-1]]
for name, us, want in SMS_TABLE:
    pdu = ucs2_pdu(us)
    dev = "sim:?pdu=" + pdu
    for cmd, key in ((["list"], "text"), (["read", "1"], "text"), (["recv"], "text"),
                     (["pdu", "decode"], "text")):
        args = ["--json"] + (cmd + [pdu] if cmd[0] == "pdu" else ["-d", dev] + cmd)
        rc, out, err = run(args)
        why, vals = well_formed(out) if rc == 0 else ("exit %d: %r" % (rc, err), None)
        ok = why is None and len(vals) == 1 and vals[0].get(key) == want
        check("sms %s: %s" % (name, cmd[0]), ok,
              why or (vals and vals[0].get(key), want, out[:300]))

# ---- 2. stray bytes in a modem's answers, from a scripted modem on tcp: ----
# (name, the bytes answered to AT+CGMI, the expected line). The library trims noise at either
# end of a line (a line that starts or ends with a byte >= 0x80 loses it) and drops lines
# over 8192 bytes, so every payload starts and ends with ASCII; info keeps 127 bytes of a
# field (huge rows: checked for form only).
ANSWER_TABLE = [
    ("Latin-1", b"Telef\xf3nica", "Telef" + FFFD + "nica"),
    ("overlong NUL", b"a\xc0\x80b", "a" + FFFD * 2 + "b"),
    ("overlong slash", b"a\xe0\x80\xafb", "a" + FFFD * 3 + "b"),
    ("surrogate", b"a\xed\xa0\x80b", "a" + FFFD * 3 + "b"),
    ("beyond U+10FFFF", b"a\xf4\x90\x80\x80b", "a" + FFFD * 4 + "b"),
    ("cut short", b"a\xe4\xbdb", "a" + FFFD * 2 + "b"),
    ("lone continuation", b"a\x80\xbfb", "a" + FFFD * 2 + "b"),
    ("never UTF-8", b"a\xc1\xf5\xf8\xfe\xffb", "a" + FFFD * 5 + "b"),
    ("valid mixed in", b"a\xe4\xbd\xa0\xff\xe5\xa5\xbdz", "a你" + FFFD + "好z"),
    ("4-byte valid", b"a\xf0\x9f\x98\x80z", "a\U0001F600z"),
    ("NUL dropped by the library", b"A\x00B", "AB"),
    ("huge, valid", b"x" * 8000, "x" * 8000),
    ("huge, stray bytes", b"ab\xe9" * 2600 + b"z", "ab\ufffd" * 2600 + "z"),
    ("huge, surrogates", b"a" + b"\xed\xb0\x80" * 2600 + b"z", "a" + FFFD * 7800 + "z"),
]


def scripted_modem(srv, payload):
    c, _ = srv.accept()
    buf = b""
    while True:
        try:
            d = c.recv(4096)
        except OSError:
            return
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
                k = part if part.upper().startswith(b"AT") else b"AT" + part
                if k.upper() in (b"AT+CGMI", b"AT+GMI"):
                    out += b"\r\n" + payload + b"\r\n"
            try:
                c.sendall(out + b"\r\nOK\r\n")
            except OSError:
                return


def run_scripted(payload, args):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    t = threading.Thread(target=scripted_modem, args=(srv, payload), daemon=True)
    t.start()
    try:
        return run(["-d", "tcp:127.0.0.1:%d" % srv.getsockname()[1], "-t", "3", "--json"] + args)
    finally:
        srv.close()


if QUICK:
    ANSWER_TABLE = [ANSWER_TABLE[0], ANSWER_TABLE[3], ANSWER_TABLE[-1]]
for name, payload, want in ANSWER_TABLE:
    # the table agrees with the contract written in Python (a check of the table itself)
    check("table row agrees with the contract: " + name, sanitised(payload.replace(b"\0", b"")) ==
          want, repr(sanitised(payload)))
    rc, out, err = run_scripted(payload, ["at", "AT+CGMI"])
    why, vals = well_formed(out) if rc == 0 else ("exit %d: %r" % (rc, err), None)
    check("answer %s: at" % name, why is None and vals[0]["lines"] == [want],
          why or (vals[0]["lines"], want))
    rc, out, err = run_scripted(payload, ["info"])
    why, vals = well_formed(out) if rc == 0 else ("exit %d: %r" % (rc, err), None)
    got = vals[0]["manufacturer"] if vals else None
    check("answer %s: info" % name, why is None and
          (got == want if len(payload) < 128 else isinstance(got, str) and 0 < len(got) < 128),
          why or (got, want))
    if FFFD in want:
        check("answer %s: written \\ufffd" % name, b"\\ufffd" in out, out[:200])

# ---- 3. line noise from the sim: fault garbage, every profile, several seeds ----
# The library trims the noise at the start of a line, so what reaches --json from it is what
# survives that; a stored SMS with controls and a lone surrogate is read under the same noise
# so that escapes are written while the noise runs.
PROFILES = ["generic", "wavecom", "cinterion", "simcom", "quectel", "huawei"]
COMMANDS = [["info"], ["status"], ["at", "AT+CGMI", "AT+COPS?", "AT+CSQ"], ["diagnose", "--no-probe"],
            ["list"], ["recv"]]
NOISY_SMS = ucs2_pdu([0x41, 0x1b, 0x7f, 0xd800, 0x42] + units("你好"))
escaped = 0
for prof in PROFILES[:1] if QUICK else PROFILES:
    for seed in (1,) if QUICK else (1, 2, 3):
        for cmd in COMMANDS:
            dev = "sim:%s?fault=garbage:100&seed=%d&pdu=%s" % (prof, seed, NOISY_SMS)
            rc, out, err = run(["-t", "2", "-d", dev, "--json"] + cmd)
            why, vals = well_formed(out)
            check("garbage %s seed %d: %s (exit %d)" % (prof, seed, cmd[0], rc),
                  why is None and len(vals) >= 1, why)
            escaped += b"\\u001b\\u007f\\ufffd" in out
# the SMS must have come through the noise somewhere, or this table proved little
check("garbage: escapes written under noise (%d outputs)" % escaped, escaped > 0)

# ---- 4. every other --json output once (well-formed; under valgrind: no leak, no error) ----
EVERY = [
    (["-d", "sim:", "send", "+8613800138000", "你好\x1b"], 0),
    (["-d", "sim:?fault=send_fail:21", "send", "+8613800138000", "x"], 30),
    (["-d", "sim:huawei", "send", "--report", "+15551234567", "long " * 40], 0),
    (["-d", "sim:?pdu=" + ucs2_pdu(units("x")), "delete", "1"], 0),
    (["-d", "sim:quectel", "status"], 0),
    (["-d", "sim:?fault=sim_absent", "diagnose"], 2),
    (["-d", "sim:", "at", "AT+CMGS=1"], None),
    (["pdu", "encode", "+8613800138000", "你好 " * 50], 0),
    (["ports"], None),
]
for args, want_rc in EVERY:
    rc, out, err = run(["--json"] + args)
    why, vals = well_formed(out)
    check("every: %s (exit %d)" % (" ".join(args)[:60], rc),
          why is None and (want_rc is None or rc == want_rc) and len(vals) >= 1,
          why or (rc, err[-300:]))

print("%d failure(s)" % len(FAILURES))
sys.exit(1 if FAILURES else 0)
