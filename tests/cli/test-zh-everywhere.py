#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""With LANG=zh_CN.UTF-8 every sentence smsctl prints is Chinese.

Runs every sim: fault through `send`, `status` and `diagnose` (and a few port errors, `list`
and `pdu decode`) in zh_CN and fails on any English sentence left in stdout or stderr. What may
stay in Latin letters: device names and paths, AT commands and modem answers, finding ids,
option and variable names, numbers and units. An English sentence is three or more English
words in a row once those are taken out.

Usage: test-zh-everywhere.py SMSCTL PO_BUILD_DIR  (exit 77 when the locale is missing)
"""
import concurrent.futures
import os
import re
import subprocess
import sys

SMSCTL, PODIR = sys.argv[1], sys.argv[2]
FAULTS = ["sim_absent", "sim_pin", "sim_puk", "sim_failure", "sim_busy", "no_signal",
          "weak_signal", "not_registered", "searching", "denied", "roaming", "smsc_missing",
          "storage_full", "send_fail:42", "send_fail:500", "send_fail_once:42", "send_timeout",
          "slow:50", "hang", "garbage", "urc_storm", "bare_prompt", "reboot", "unplug:0",
          "unplug:1"]

ALLOWED = [
    re.compile(r"\bAT[+^!$%]?[A-Za-z0-9+^=?;:,\"'.&_-]*"),   # AT commands as sent
    re.compile(r"[+^][A-Z]{2,}[A-Za-z]*(?::[^\n，。；）]*)?"),   # modem answers (+CME ERROR: ..)
    re.compile(r"\bsim:[^\s，。；）]*"),                       # device strings
    re.compile(r"(?:tcp:)?/[\w./-]+|tcp:[\w.:-]+"),            # paths, TCP addresses
    re.compile(r"\b[a-z]+\.[a-z_]+\b"),                        # finding ids
    re.compile(r"\bSMSCTL_\w+"),                               # variables
    re.compile(r"--?[a-z][a-z-]*"),                            # options
    re.compile(r"`[^`]*`"),                                    # commands quoted for the user
    re.compile(r"“[^”]*”|'[^']*'|\"[^\"]*\""),                 # quoted modem text
    re.compile(r"\([A-Za-z ]+\)|（[A-Za-z ]+）"),              # a term in parentheses
]
SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,'-]+[A-Za-z]{2,}){2,}")


def zh_available():
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout
    return any(l.lower().replace("-", "") == "zh_cn.utf8" for l in out.split())


def english_sentences(text):
    for rx in ALLOWED:
        text = rx.sub(" ", text)
    return SENTENCE.findall(text)


def run(args, env):
    try:
        p = subprocess.run([SMSCTL, *args], capture_output=True, text=True, env=env, timeout=150)
        # an SMS's own text is data, not a message of smsctl's
        out = re.sub(r"(?m)^(内容：).*$", r"\1", p.stdout)
        return out + p.stderr
    except subprocess.TimeoutExpired:
        return f"TIMEOUT {args}"


def main():
    if not zh_available():
        print("SKIP: the locale zh_CN.UTF-8 is not installed (localedef -i zh_CN -f UTF-8 "
              "zh_CN.UTF-8)")
        return 77
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LC_") and k not in ("LANGUAGE", "SMSCTL_PIN", "SMSCTL_DEVICE")}
    env.update(LANG="zh_CN.UTF-8", SMSCTL_LOCALEDIR=PODIR, NO_COLOR="1")
    jobs = []
    for f in FAULTS:
        dev = f"sim:?fault={f}"
        jobs.append(["--timeout", "2", "--device", dev, "send", "+8613912345678", "余额 120.00"])
        jobs.append(["--timeout", "2", "--device", dev, "status"])
        jobs.append(["--timeout", "2", "--device", dev, "diagnose"])
        jobs.append(["-v", "--timeout", "2", "--device", dev, "diagnose"])
    jobs += [
        ["--device", "/dev/ttyNOSUCH9", "send", "+8613912345678", "hi"],
        ["--device", "/dev/null", "status"],
        ["--device", "tcp:127.0.0.1:1", "status"],
        ["--device", "sim:?sms=%2B8613912345678,hello", "list"],
        ["pdu", "decode", "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"],
    ]
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        for args, out in zip(jobs, ex.map(lambda a: run(a, env), jobs)):
            bad = english_sentences(out)
            # after a PUK error the hint never asks for the PIN
            if "fault=sim_puk" in " ".join(args) and "SMSCTL_PIN" in out:
                bad.append("PIN hint after a PUK error")
            if bad or out.startswith("TIMEOUT"):
                failures.append((args, bad, out))
    for args, bad, out in failures:
        print("FAIL", " ".join(args))
        print("  English:", bad)
        print("  output:", out.strip().replace("\n", "\n          ")[:800])
    print(f"{len(jobs)} runs, {len(failures)} with English sentences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
