#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end tests of `smsctl pdu decode|encode`: JSON keys and values, exit codes, stdin.

Usage: test-pdu-cli.py PATH/TO/smsctl
Uses PDUs from tests/data/pdu (sources named there). In the 'slow' suite: python under the
valgrind setup would be slow and is not what is being checked.
"""
import json
import os
import subprocess
import sys

SMSCTL = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "pdu")
KEYS = ["type", "smsc", "number", "number_type", "pid", "dcs", "coding", "class", "text",
        "data_hex", "udh", "concat", "timestamp", "validity_format", "validity_minutes",
        "message_ref", "status_report_request", "status", "discharge_time", "truncated"]
# TP-UDL past the end of the data (as TRUNCATED in tests/gen-pdu-table.py)
TRUNCATED = {"derived-ud-shorter-than-udl", "mm-pdu_insufficient_data", "gammu-atsms-41",
             "gsmmodem-decode-8"}
failures = 0


def run(args, stdin=None, env_extra=None):
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
    if env_extra:
        env.update(env_extra)
    r = subprocess.run([SMSCTL] + args, input=stdin, capture_output=True, env=env)
    return r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8")


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)
    else:
        print("ok:", what)


def cases():
    for name in sorted(os.listdir(DATA)):
        if name.endswith(".json"):
            for c in json.load(open(os.path.join(DATA, name), encoding="utf-8"))["cases"]:
                yield c


# Every valid corpus case through the CLI in one call per smsc mode: one object per line.
# (gammu-atsms-20 is rejected and gammu-atsms-09's year differs: see tests/gen-pdu-table.py)
OVERRIDDEN = {"gammu-atsms-20", "gammu-atsms-09"}
valid = [c for c in cases() if not c["expect_error"] and c["hex"] and c["id"] not in OVERRIDDEN]
for smsc in (True, False):
    batch = [c for c in valid if c["smsc_included"] == smsc]
    args = ["pdu", "decode", "--json"] + ([] if smsc else ["--no-smsc"])
    rc, out, err = run(args + [c["hex"] for c in batch])
    lines = out.splitlines()
    check(rc == 0 and len(lines) == len(batch), "decode %d PDUs (smsc=%s): exit %d" %
          (len(batch), smsc, rc))
    for c, line in zip(batch, lines):
        obj = json.loads(line)
        check(list(obj.keys()) == KEYS, "%s: exactly the contract keys" % c["id"])
        check(obj["truncated"] is (c["id"] in TRUNCATED), "%s: truncated" % c["id"])
        for k in ("type", "number", "number_type", "smsc", "timestamp", "message_ref", "status"):
            if k in c["expected"]:
                check(obj[k] == c["expected"][k], "%s: %s" % (c["id"], k))

# Stdin: lines with CR and blanks; a bad PDU in the middle gives 65 and the rest decode.
good = "07911326040000F0040B911346610089F60000208062917314480CC8F71D14969741F977FD07"
rc, out, err = run(["pdu", "decode", "--json"], stdin=("\n%s\r\nZZ\n\n  %s  \n" % (good, good)).encode())
check(rc == 65, "stdin with a bad line exits 65 (got %d)" % rc)
lines = [json.loads(x) for x in out.splitlines()]
check(len(lines) == 3 and lines[1] == {"hex": "ZZ", "error": "not a hex string"}
      and lines[0].get("text") == lines[2].get("text") == "How are you?",
      "one line per input, in order: the bad one gives {hex, error} in its place")
check(len(err.strip().splitlines()) == 1 and "smsctl: pdu:" in err, "one-line reason on stderr")
check(json.loads(out.splitlines()[0])["text"] == "How are you?", "text from stdin")

# --json after the command is stripped by the main program; --json before it too
rc, out, _ = run(["--json", "pdu", "decode", good])
check(rc == 0 and json.loads(out)["smsc"] == "+31624000000", "global --json before the command")

# The TEXT after NUMBER is verbatim even when it reads like a global option (-v, -j, --json);
# globals before the NUMBER or after the TEXT are still taken out.
for word in ["-v", "-j", "--json", "--verbose"]:
    rc_a, out_a, _ = run(["pdu", "encode", "--json", "123", "-"], stdin=word.encode())
    rc_b, out_b, _ = run(["pdu", "encode", "--json", "123", word])
    check(rc_a == 0 and rc_b == 0 and out_a == out_b and out_a.startswith("{"),
          "pdu encode: text %r kept verbatim" % word)
    rc_c, out_c, _ = run(["pdu", "encode", "--smsc", "+49", "-V", "5", "123", word, "--json"])
    rc_d, out_d, _ = run(["pdu", "encode", "--json", "-s", "+49", "--validity=5", "123", "-"],
                         stdin=word.encode())
    check(rc_c == 0 and out_c == out_d and out_c.startswith("{"),
          "pdu encode: text %r after value options, --json after the text" % word)
rc, out, _ = run(["pdu", "-j", "encode", "123", "hi", "-v"])
check(rc == 0 and json.loads(out)["pdus"][0]["hex"].endswith("02E834"),
      "pdu encode: globals before the subcommand and after the text")

# A sender's control characters never reach the terminal in the human output (ESC sequences,
# CR overwriting the line, BEL, C1 controls); --json keeps the text exactly.
hostile = "\x1b[31mA\x1b]0;title\x07B\rC\x85D\tE\nF"
ud = hostile.encode("utf-16-be").hex().upper()
pdu_hex = "0004039121F3000820806291731408%02X%s" % (len(ud) // 2, ud)
r = subprocess.run([SMSCTL, "pdu", "decode", pdu_hex], capture_output=True,
                   env=dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE=""))
text_lines = r.stdout.split(b"Text:", 1)[1] if b"Text:" in r.stdout else b""
check(r.returncode == 0 and b"\x1b" not in r.stdout and b"\x07" not in r.stdout
      and b"\r" not in r.stdout and b"\xc2\x85" not in r.stdout
      and b"^[[31mA^[]0;title^GB^MC\xef\xbf\xbdD\tE\nF" in text_lines,
      "human decode: control characters shown, not sent to the terminal")
rc, out, _ = run(["pdu", "decode", "--json", pdu_hex])
check(rc == 0 and json.loads(out)["text"] == hostile, "json decode: control characters kept")

# option errors say what is wrong
for args, want in [(["pdu", "encode", "--smsc"], "option '--smsc' needs a value"),
                   (["pdu", "encode", "-c"], "option '-c' needs a value"),
                   (["pdu", "decode", "--json=1", "00"], "option '--json' takes no value"),
                   (["pdu", "decode", "--nope"], "unknown option '--nope'")]:
    rc, out, err = run(args)
    check(rc == 64 and out == "" and err.startswith("smsctl: pdu: " + want),
          "option error: %s -> %s" % (" ".join(args), want))

# human output
rc, out, _ = run(["pdu", "decode", good])
check(rc == 0 and "How are you?" in out and "+31641600986" in out, "human decode output")
check("Truncated" not in out, "a complete PDU is not called truncated")

# A TP-UDL past the end of the data (ofono's simple_deliver cut after 8 octets of user data):
# decoded as far as it goes, and said so; several inputs keep their order.
cut = "07911326040000F0040B911346610089F60000208062917314480CC8F71D14969741F9"
rc, out, err = run(["pdu", "decode", "--json", good, cut, "0791", good])
lines = [json.loads(x) for x in out.splitlines()]
check(rc == 65 and len(lines) == 4 and [l.get("truncated") for l in lines] == [False, True, None, False]
      and lines[1]["text"] == "How are y" and lines[2]["hex"] == "0791" and "error" in lines[2],
      "decode --json: truncated true/false, the bad PDU in its place, exit 65 at the end")
check(err.count("\n") == 1 and "0791" in err, "the bad PDU's reason on stderr")
rc, out, _ = run(["pdu", "decode", cut])
check(rc == 0 and "How are y" in out and "Truncated:" in out, "human decode says truncated")

# error cases of decode
for hexs, what in (("0791", "truncated"), ("123", "odd hex"), ("GG", "non-hex"),
                   ("0043010C910661345542F60008A0050003000301306F3044", "reserved MTI")):
    rc, out, err = run(["pdu", "decode", "--json", hexs])
    obj = json.loads(out) if out.count("\n") == 1 else {}
    check(rc == 65 and list(obj.keys()) == ["hex", "error"] and obj["hex"] == hexs
          and obj["error"] and err.count("\n") == 1,
          "decode %s: 65, {hex, error} on stdout, one line on stderr" % what)
    rc, out, err = run(["pdu", "decode", hexs])
    check(rc == 65 and out == "" and err.count("\n") == 1, "decode %s: 65, one line" % what)
rc, _, _ = run(["pdu", "decode", "--bogus", good])
check(rc == 64, "unknown option: 64")
rc, _, _ = run(["pdu"])
check(rc == 64, "pdu without a subcommand: 64")
rc, _, _ = run(["pdu", "frobnicate"])
check(rc == 64, "unknown subcommand: 64")
for args in (["pdu", "--help"], ["pdu", "decode", "--help"], ["pdu", "encode", "--help"],
             ["help", "pdu"]):
    rc, out, err = run(args)
    check(rc == 0 and "smsctl pdu encode" in out and err == "", "%s prints help" % " ".join(args))

# encode: JSON shape, round trip through decode
rc, out, _ = run(["pdu", "encode", "--json", "+491701234567", "Hello {world} €"])
obj = json.loads(out)
check(rc == 0 and list(obj.keys()) == ["pdus"] and len(obj["pdus"]) == 1, "encode --json shape")
p = obj["pdus"][0]
check(list(p.keys()) == ["hex", "smsc_included", "tpdu_length"] and p["smsc_included"] is True,
      "encode part keys")
check(p["hex"].startswith("00") and p["tpdu_length"] * 2 + 2 == len(p["hex"]), "tpdu_length")
rc, out, _ = run(["pdu", "decode", "--json", p["hex"]])
d = json.loads(out)
check(d["text"] == "Hello {world} €" and d["number"] == "+491701234567" and d["coding"] == "gsm7",
      "encode/decode round trip")

# options
rc, out, _ = run(["pdu", "encode", "--json", "--smsc", "+31624000000", "--class", "0", "--report",
                  "--validity", "60", "--ucs2", "0049170", "Hi"])
p = json.loads(out)["pdus"][0]
rc2, out2, _ = run(["pdu", "decode", "--json", p["hex"]])
d = json.loads(out2)
check(rc == 0 and d["smsc"] == "+31624000000" and d["class"] == 0 and d["status_report_request"]
      and d["validity_minutes"] == 60 and d["coding"] == "ucs2" and d["number"] == "0049170"
      and d["number_type"] == "unknown", "encode options reach the PDU")
check(p["tpdu_length"] * 2 + 2 + 14 == len(p["hex"]), "tpdu_length excludes the SMSC")

# long text: 16-bit reference, parts in order
text = "x" * 400
rc, out, _ = run(["pdu", "encode", "--json", "--16bit-ref", "+1555", text])
parts = json.loads(out)["pdus"]
check(rc == 0 and len(parts) == 3, "400 GSM characters with a 16-bit reference: 3 parts")
rc, out, _ = run(["pdu", "decode", "--json"] + [x["hex"] for x in parts])
objs = [json.loads(line) for line in out.splitlines()]
check("".join(o["text"] for o in objs) == text and
      all(o["concat"]["ref_bits"] == 16 and o["concat"]["total"] == 3 for o in objs),
      "parts decode back with 16-bit references")

# '-' reads stdin verbatim (trailing newline kept)
rc, out, _ = run(["pdu", "encode", "--json", "+1555", "-"], stdin="line\n".encode())
rc2, out2, _ = run(["pdu", "decode", "--json", json.loads(out)["pdus"][0]["hex"]])
check(rc == 0 and json.loads(out2)["text"] == "line\n", "text from stdin kept verbatim")

# usage and data errors of encode
for args, code, what in (
        (["pdu", "encode", "Info", "x"], 64, "letters in the number"),
        (["pdu", "encode", "", "x"], 64, "empty number"),
        (["pdu", "encode", "+49 170", "x"], 64, "space in the number"),
        (["pdu", "encode", "--class", "4", "+1", "x"], 64, "class 4"),
        (["pdu", "encode", "--validity", "0", "+1", "x"], 64, "validity 0"),
        (["pdu", "encode", "--validity", "4", "+1", "x"], 64, "validity 4 (below 5, as send)"),
        (["pdu", "encode", "--validity", "999999", "+1", "x"], 64, "validity too long"),
        (["pdu", "encode", "--smsc", "abc", "+1", "x"], 64, "bad SMSC"),
        (["pdu", "encode"], 64, "no number"),
        (["pdu", "encode", "+1", "a", "b"], 64, "too many arguments"),
        (["pdu", "encode", "+1", "x" * (255 * 153 + 1)], 65, "more than 255 parts")):
    rc, out, err = run(args)
    check(rc == code and out == "", "encode %s: exit %d (got %d)" % (what, code, rc))
rc, out, err = run(["pdu", "encode", "+1", "-"], stdin=b"\xc0\xaf")
check(rc == 65, "invalid UTF-8 from stdin: 65")
rc, out, _ = run(["pdu", "encode", "+1", "hello"])
check(rc == 0 and "AT+CMGS=" in out, "human encode output names AT+CMGS")

print("%d failure(s)" % failures)
sys.exit(1 if failures else 0)
