#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`smsctl status` exits like `smsctl send` would (issue 12, item 6): 0 ready to send, 20 SIM
problem, 21 no network, 10-13 port and modem, on every profile; so it is a health check for
cron and monitoring. Each case runs both commands on the same sim: device and compares.

Usage: test-status-exit.py PATH/TO/smsctl SOURCE_ROOT
"""
import os
import re
import subprocess
import sys

SMSCTL, ROOT = sys.argv[1], sys.argv[2]
FAILURES = []


def run(args):
    e = dict(os.environ)
    for k in ("SMSCTL_DEVICE", "SMSCTL_PIN"):
        e.pop(k, None)
    e.update({"NO_COLOR": "1", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "LANGUAGE": ""})
    p = subprocess.run([SMSCTL] + args, capture_output=True, env=e, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)[:500]))
    if not cond:
        FAILURES.append(name)


CASES = [  # device, exit of both
    ("sim:", 0), ("sim:?fault=roaming", 0), ("sim:?fault=weak_signal", 0),
    ("sim:?fault=sim_absent", 20), ("sim:?fault=sim_pin", 20), ("sim:?fault=sim_puk", 20),
    ("sim:?fault=sim_failure", 20), ("sim:?fault=sim_blocked", 20),
    ("sim:?fault=no_signal", 21), ("sim:?fault=not_registered", 21),
    ("sim:?fault=searching", 21), ("sim:?fault=denied", 21), ("sim:?fault=ps_only", 21),
    ("sim:?fault=radio_off", 21), ("sim:?fault=smsc_missing", 30),
    ("sim:?fault=sim_busy:50", 75), ("sim:?fault=unplug:0", 13), ("sim:?fault=hang", 12),
    ("/dev/nonexistent-smsctl", 10), ("/dev/null", 10),
]
for prof in ("wavecom", "cinterion", "simcom", "quectel", "huawei"):
    CASES += [("sim:" + prof, 0), ("sim:%s?fault=sim_absent" % prof, 20),
              ("sim:%s?fault=sim_pin" % prof, 20), ("sim:%s?fault=denied" % prof, 21)]
for dev, code in CASES:
    rc, out, err = run(["--timeout", "1", "--device", dev, "status"])
    src, _, serr = run(["--timeout", "1", "--device", dev, "send", "+1", "hi"])
    check("%s: status exits %d like send (%d)" % (dev, code, src), rc == code == src,
          (rc, src, err, serr))
    if code in (0, 20, 21, 30, 75):
        check("%s: the status line is printed" % dev, out.count("\n") == 1 and "SIM" in out, out)
    if code in (20, 21, 30, 75):
        check("%s: stderr says why it is not ready" % dev, "not ready to send" in err, err)
    rc2, out2, _ = run(["--timeout", "1", "--device", dev, "status", "--json"])
    check("%s: status --json exits the same" % dev, rc2 == rc, (rc2, rc))

# documented in the README and smsctl(1)
readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
man = open(os.path.join(ROOT, "man", "smsctl.1.scd"), encoding="utf-8").read()
for name, text in (("README", readme), ("smsctl(1)", man)):
    m = re.search(r"status.{0,400}?health check", text, re.S | re.I)
    check("%s documents status as a health check" % name, m is not None)
    sect = text[text.lower().find("health check") - 1500:text.lower().find("health check") + 1500]
    check("%s: status's exit codes 0, 20, 21 and 10-13" % name,
          all(x in sect for x in ("20", "21", "10")), sect[:200])

print("%d failure(s)" % len(FAILURES))
sys.exit(1 if FAILURES else 0)
