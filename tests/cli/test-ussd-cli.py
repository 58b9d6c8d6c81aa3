#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""smsctl ussd and smsctl balance --device on simulated modems: the printed answer, the JSON
object {"code", "status", "text", "dcs"}, exit codes for +CUSD: 2 / 4, silence and refusals,
usage errors; and Chinese messages under LANG=zh_CN.UTF-8.

Usage: test-ussd-cli.py SMSCTL
"""
import json
import os
import subprocess
import sys
import time

SMSCTL = sys.argv[1]
failures = []


def run(*args, env=None):
    e = dict(os.environ, LC_ALL="C.UTF-8")
    e.pop("SMSCTL_DEVICE", None)
    if env:
        e.update(env)
    t0 = time.time()
    r = subprocess.run([SMSCTL, *args], capture_output=True, text=True, timeout=120, env=e)
    return r.returncode, r.stdout, r.stderr, time.time() - t0


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


CN = "尊敬的客户，您的账户余额为12.50元，感谢您的使用。"
EN = "Your account balance is 12.50. Thank you."
cases = [
    # device, extra args, exit, json (or None), stderr must contain
    ("sim:huawei", [], 0, {"code": "*100#", "status": 0, "text": CN, "dcs": 72}, ""),
    ("sim:generic", [], 0, {"code": "*100#", "status": 0, "text": EN, "dcs": 15}, ""),
    ("sim:huawei?ussd=Bal%2012", [], 0, {"code": "*100#", "status": 0, "text": "Bal 12",
                                         "dcs": 15}, ""),
    ("sim:generic?fault=ussd_end", [], 0, {"code": "*100#", "status": 2, "text": "",
                                           "dcs": None}, "ended"),
    ("sim:generic?fault=ussd_unsupported", [], 0, {"code": "*100#", "status": 4, "text": "",
                                                   "dcs": None}, "does not support"),
    ("sim:generic?fault=ussd_silent", ["--wait", "1"], 12, None, "no USSD answer"),
    ("sim:generic?fault=not_registered", [], 1, None, "refused"),
]
for dev, extra, ex, js, err in cases:
    rc, out, errout, took = run("--device", dev, "ussd", "--json", *extra, "*100#")
    check(rc == ex, f"{dev}: exit {rc}, want {ex}: {errout}")
    check(took < 20, f"{dev}: took {took:.1f} s")
    if js is not None:
        try:
            check(json.loads(out) == js, f"{dev}: {out!r}")
        except ValueError:
            check(False, f"{dev}: not JSON: {out!r}")
    if err:
        rc2, out2, err2, _ = run("--device", dev, "ussd", *extra, "*100#")
        check(err in err2, f"{dev}: stderr {err2!r} lacks {err!r}")
        if js and js["text"]:
            check(out2 == js["text"] + "\n", f"{dev}: people's output {out2!r}")

# people's output is the text alone
rc, out, _, _ = run("--device", "sim:huawei", "ussd", "*100#")
check(rc == 0 and out == CN + "\n", f"plain: {out!r}")

# usage errors
for args in (["ussd"], ["ussd", ""], ["ussd", "*1\"#"], ["ussd", "*1#", "x"],
             ["ussd", "--wait", "0", "*1#"], ["ussd", "--wait", "601", "*1#"],
             ["balance"], ["balance", "--ussd", "*1\"#"]):
    rc, _, err, _ = run("--device", "sim:", *args)
    check(rc == 64, f"{args}: exit {rc} {err!r}")

# balance --device: the amount
rc, out, err, _ = run("--device", "sim:huawei?balance=3.25", "balance", "--json", "--ussd", "*100#",
                      "--regex", "余额为([\\d.]+)元")
check(rc == 0 and json.loads(out)["balance"] == 3.25, f"balance json: {rc} {out!r} {err!r}")
rc, out, _, _ = run("--device", "sim:generic?balance=99", "balance", "--ussd", "*100#")
check(rc == 0 and out.startswith("99.00  Your account balance"), f"balance: {out!r}")
rc, out, _, _ = run("--device", "sim:?ussd=no%20number", "balance", "--ussd", "*100#")
check(rc == 65, f"no amount: exit {rc}")
rc, _, _, _ = run("--device", "sim:", "balance", "--ussd", "*100#", "--regex", "(bad")
check(rc == 64, f"bad regex: exit {rc}")

# Chinese messages
loc = os.environ.get("SMSCTL_LOCALEDIR")
if loc:
    rc, _, err, _ = run("--device", "sim:?fault=ussd_unsupported", "ussd", "*100#",
                        env={"LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8"})
    check("不支持" in err, f"zh_CN: {err!r}")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("ok")
