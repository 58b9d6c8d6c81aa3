#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sim: device strings (issue 12, item 9): every key and fault documented in the README and
smsctl(1) with an example that works; an unknown fault or key is a usage error (64) listing
the valid names for every command, diagnose included (not the finding port.not_found).

Usage: test-sim-device.py PATH/TO/smsctl SOURCE_ROOT
"""
import json
import os
import re
import subprocess
import sys

SMSCTL, ROOT = sys.argv[1], sys.argv[2]
FAILURES = []


def run(args, timeout=60):
    e = dict(os.environ)
    for k in ("SMSCTL_DEVICE", "SMSCTL_PIN"):
        e.pop(k, None)
    e.update({"NO_COLOR": "1", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "LANGUAGE": ""})
    p = subprocess.run([SMSCTL] + args, capture_output=True, env=e, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)))
    if not cond:
        FAILURES.append(name)


def listed(err, word):
    m = re.search(r"\(%s: ([^)]*)\)" % word, err)
    return [x.strip() for x in m.group(1).split(",")] if m else []


# ---- unknown names: 64 with the valid names, for every command ----
COMMANDS = [["status"], ["info"], ["send", "+1", "hi"], ["list"], ["read", "1"],
            ["delete", "1"], ["recv"], ["at", "AT"], ["diagnose"], ["diagnose", "--json"]]
for dev, word in (("sim:?fault=bogus", "faults"), ("sim:?fault=sim_absent,bogus", "faults"),
                  ("sim:?bogus=1", "keys"), ("sim:?fault=sim_absent&nokey", "keys")):
    for cmd in COMMANDS:
        rc, out, err = run(["--device", dev] + cmd)
        names = listed(err, word)
        check("%s %s: 64 listing the %s" % (dev, cmd[0] + (" --json" if "--json" in cmd else ""), word),
              rc == 64 and out == "" and len(names) >= 10 and "port.not_found" not in out + err,
              (rc, out[:200], err[:300]))
rc, out, err = run(["--device", "sim:?fault=slow:abc", "status"])
check("a bad fault argument names the fault's range", rc == 64 and "slow[:N], N from 0 to" in err,
      (rc, err))
rc, out, err = run(["--device", "sim:?fault=hang:1", "diagnose"])
check("an argument to a fault that takes none: 64", rc == 64 and "takes no argument" in err,
      (rc, err))
rc, out, err = run(["--device", "sim:nosuch", "diagnose"])
check("an unknown profile: 64 listing the profiles", rc == 64 and "quectel" in err, (rc, err))
rc, out, err = run(["--device", "sim:?fault=bogus", "diagnose", "--help"])
check("diagnose --help still shows the help", rc == 0 and out.startswith("Usage:"), (rc, err))

# ---- what the error lists is what the docs give, each with an example ----
_, _, err = run(["--device", "sim:?bogus=1", "status"])
keys = listed(err, "keys")
_, _, err = run(["--device", "sim:?fault=bogus", "status"])
faults = [f.split("[")[0].split(":")[0] for f in listed(err, "faults")]
check("the key list", "fault" in keys and "arrive" in keys and len(keys) >= 14, keys)
check("the fault list", "sim_absent" in faults and "unplug" in faults and len(faults) >= 24,
      faults)
readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
man = open(os.path.join(ROOT, "man", "smsctl.1.scd"), encoding="utf-8").read()
examples = set()
for name, text in (("README", readme), ("smsctl(1)", man)):
    ex = re.findall(r"'(sim:[^'\s]*)'", text)
    examples.update(ex)
    for k in keys:
        check("%s: key %s= has an example" % (name, k),
              any(re.search(r"[?&]%s=" % re.escape(k), e) for e in ex))
    for f in faults:
        check("%s: fault %s documented" % (name, f), re.search(r"\b%s\b" % f, text) is not None)

# every documented example is a valid device string (hang, unplug... end otherwise, never 64)
for dev in sorted(examples):
    rc, out, err = run(["--timeout", "2", "--device", dev, "info"], timeout=90)
    check("example %s is accepted" % dev[:60], rc != 64 and "unknown" not in err, (rc, err))

# ---- the preloads do what the docs say ----
rc, out, err = run(["--device", "sim:?sms=%2B4912345,hello%20there", "--json", "list"])
check("sms= stores a text from FROM", rc == 0 and '"hello there"' in out and "+4912345" in out,
      (rc, out, err))
rc, out, err = run(["--device", "sim:?pdu=07911326040000F0040B911346610089F60000208062917314480"
                    "CC8F71D14969741F977FD07", "read", "1"])
check("pdu= stores a PDU", rc == 0 and "How are you?" in out, (rc, out, err))
rc, out, err = run(["--device", "sim:?sm=5", "--json", "status"])
check("sm= sets the SIM's size", rc == 0 and json.loads(out)["storage"]["total"] == 5, (rc, out))

print("%d failure(s)" % len(FAILURES))
sys.exit(1 if FAILURES else 0)
