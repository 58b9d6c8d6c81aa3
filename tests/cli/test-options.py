#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Command-line consistency (issue 12, item 11), end to end on the built smsctl and sim:.

- options may follow operands in every command that takes operands;
- "--" ends the options (`send +1 -- -hello` sends "-hello");
- `smsctl help COMMAND` is `smsctl COMMAND --help`, `smsctl help help` works;
- a number that is too long says the limit (20 digits);
- a --pin-file readable by group or others is refused with the chmod to run.

Usage: test-options.py PATH/TO/smsctl
"""
import os
import re
import subprocess
import sys
import tempfile

SMSCTL = sys.argv[1]
FAILURES = []
COMMANDS = ["at", "pdu", "send", "info", "status", "recv", "list", "read", "delete", "ports",
            "diagnose"]


def run(args, stdin=None, env=None):
    e = dict(os.environ)
    for k in ("SMSCTL_DEVICE", "SMSCTL_PIN", "POSIXLY_CORRECT"):
        e.pop(k, None)
    e.update({"NO_COLOR": "1", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "LANGUAGE": ""})
    if env:
        e.update(env)
    p = subprocess.run([SMSCTL] + args, input=stdin, capture_output=True, env=e, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)))
    if not cond:
        FAILURES.append(name)


def sent_pdus(trace):
    """The PDUs written after AT+CMGS in a -v trace ("> HEX\\x1a")."""
    return re.findall(r"^> ([0-9A-F]+)\\x1a$", trace, re.M)


def encoded(*args, text):
    rc, out, err = run(["pdu", "encode"] + list(args) + ["--", "+1", "-"], stdin=text.encode())
    return [l for l in out.splitlines() if re.fullmatch(r"[0-9A-F]+", l)]


# ---- options after operands ----
SMS = "sim:?sms=%2B4912345,hello%20there"
rc, out, err = run(["--device", SMS, "read", "1", "--storage", "SM"])
check("read 1 --storage SM", rc == 0 and "hello there" in out, (rc, out, err))
rc, out, err = run(["--device", SMS, "delete", "1", "--storage", "SM"])
check("delete 1 --storage SM", rc == 0 and err == "", (rc, err))
rc, out, err = run(["--device", SMS, "delete", "1", "--storage", "SM", "--json"])
check("delete 1 --storage SM --json", rc == 0 and '"storage": "SM"' in out, (rc, out, err))
rc, out, err = run(["--device", "sim:", "at", "ATI", "--help"])
check("at ATI --help prints the help", rc == 0 and "Usage: smsctl at" in out, (rc, out, err))
good = "07911326040000F0040B911346610089F60000208062917314480CC8F71D14969741F977FD07"
rc, out, err = run(["pdu", "decode", good[16:], "--no-smsc"])
check("pdu decode HEX --no-smsc", rc == 0 and "How are you?" in out, (rc, out, err))
rc, a, _ = run(["pdu", "encode", "+1", "hi", "--class", "0", "--report"])
rc2, b, _ = run(["pdu", "encode", "--class", "0", "--report", "+1", "hi"])
check("pdu encode NUMBER TEXT --class 0 --report", rc == rc2 == 0 and a == b and a, (a, b))
rc, out, err = run(["-v", "--device", "sim:", "send", "+1", "hi", "--flash"])
check("send NUMBER TEXT --flash", rc == 0 and sent_pdus(err) == encoded("--class", "0", text="hi"),
      (rc, sent_pdus(err), err[-300:]))
rc, out, err = run(["--device", "sim:", "send", "+1", "hi", "--bogus"])
check("an unknown option after the operands is still an error",
      rc == 64 and "unknown option '--bogus'" in err, (rc, err))
rc, out, err = run(["--device", "sim:", "send", "+1", "hi", "--retries"])
check("a value missing after the operands", rc == 64 and "'--retries' needs a value" in err,
      (rc, err))
rc, out, err = run(["--device", "sim:", "delete", "--storage"])
check("delete --storage: needs a value", rc == 64 and "needs a value" in err, (rc, err))

# ---- "--" ends the options ----
rc, out, err = run(["-v", "--device", "sim:", "send", "+1", "--", "-hello"])
check("send +1 -- -hello sends '-hello'",
      rc == 0 and sent_pdus(err) == encoded(text="-hello"), (rc, sent_pdus(err), err[-300:]))
rc, out, err = run(["-v", "--device", "sim:", "send", "--", "+1", "--json"])
check("send -- +1 --json sends '--json'",
      rc == 0 and sent_pdus(err) == encoded(text="--json") and not out.startswith("{"),
      (rc, out, sent_pdus(err)))
rc, out, err = run(["pdu", "encode", "+1", "--", "-v"])
check("pdu encode +1 -- -v encodes '-v'",
      rc == 0 and [l for l in out.splitlines() if l[:2] == "00"] == encoded(text="-v"), out)
rc, out, err = run(["pdu", "decode", "--", good])
check("pdu decode -- HEX", rc == 0 and "How are you?" in out, (rc, err))
rc, out, err = run(["--device", SMS, "read", "--", "1"])
check("read -- 1", rc == 0 and "hello there" in out, (rc, err))
rc, out, err = run(["--device", SMS, "read", "--", "--storage"])
check("read -- --storage: an operand, not an option", rc == 64 and "invalid INDEX" in err,
      (rc, err))

# ---- help COMMAND, help help ----
for cmd in COMMANDS:
    rc, a, e1 = run(["help", cmd])
    rc2, b, e2 = run([cmd, "--help"])
    check("help %s is %s --help" % (cmd, cmd), rc == rc2 == 0 and a == b and a.startswith("Usage:"),
          (rc, rc2, e1, e2))
rc, out, err = run(["help", "help"])
check("help help", rc == 0 and out.startswith("Usage: smsctl help") and err == "", (rc, out, err))
rc, out, err = run(["help", "--help"])
check("help --help", rc == 0 and out.startswith("Usage: smsctl help"), (rc, out, err))
rc, out, err = run(["help"])
check("help: the global usage", rc == 0 and "Commands:" in out, (rc, err))
rc, out, err = run(["help", "frobnicate"])
check("help frobnicate: 64", rc == 64 and "unknown command 'frobnicate'" in err, (rc, err))

# ---- a number that is too long says the limit ----
n21 = "1" * 21
for args in (["pdu", "encode", n21, "hi"], ["pdu", "encode", "+" + n21, "hi"]):
    rc, out, err = run(args)
    check("%s: 64 naming the limit" % " ".join(args[:3])[:40],
          rc == 64 and "at most 20" in err and out == "", (rc, err))
rc, out, err = run(["pdu", "encode", "+" + "1" * 20, "hi"])
check("20 digits are allowed", rc == 0, (rc, err))

# ---- --pin-file readable by others ----
d = tempfile.mkdtemp()
try:
    pin = os.path.join(d, "pin")
    with open(pin, "w") as f:
        f.write("4321\n")
    for mode in (0o644, 0o640, 0o604, 0o660):
        os.chmod(pin, mode)
        rc, out, err = run(["--device", "sim:?fault=sim_pin&pin=4321", "--pin-file", pin,
                            "send", "+1", "x"])
        check("--pin-file mode %o refused with the chmod" % mode,
              rc == 64 and ("chmod 600 " + pin) in err and out == "", (rc, err))
    os.chmod(pin, 0o600)
    rc, out, err = run(["--device", "sim:?fault=sim_pin&pin=4321", "--pin-file", pin,
                        "send", "+1", "x"])
    check("--pin-file mode 600 accepted", rc == 0, (rc, err))
    os.chmod(pin, 0o400)
    rc, out, err = run(["--device", "sim:?fault=sim_pin&pin=4321", "--pin-file", pin,
                        "diagnose"])
    check("--pin-file mode 400 accepted (diagnose)", rc == 0, (rc, err))
finally:
    os.unlink(pin)
    os.rmdir(d)

print("%d failure(s)" % len(FAILURES))
sys.exit(1 if FAILURES else 0)
