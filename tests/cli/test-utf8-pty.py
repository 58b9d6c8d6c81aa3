#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Names in UTF-8 from a modem on a pty (tests/cli/ptymodem.py): a Huawei modem whose Chinese
firmware answers AT+CGMI with "华为技术有限公司" alone on its line and AT+COPS? with the
operator "中国联通", with line noise before the name. `smsctl info --json` and
`status --json` must show both names; the engine once took a line without ASCII for line
noise and dropped it (info then had no manufacturer).

Usage: test-utf8-pty.py PATH-TO-SMSCTL
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptymodem import PtyModem  # noqa: E402

SMSCTL = sys.argv[1] if len(sys.argv) > 1 else "smsctl"
FAILURES = []
OK = "\r\nOK\r\n"
MAKER = "华为技术有限公司"
OPERATOR = "中国联通"
ANSWERS = {
    # line noise (bytes >= 0x80 that are not UTF-8) on a line of its own before the name
    "AT+CGMI": "\r\n\udc9c\udc80\r\n" + MAKER + "\r\n" + OK,
    "AT+CGMM": "\r\nE3372\r\n" + OK,
    "AT+COPS?": '\r\n+COPS: 0,0,"%s",7\r\n' % OPERATOR + OK,
    "AT+CPIN?": "\r\n+CPIN: READY\r\n" + OK,
    "AT+CREG?": "\r\n+CREG: 0,1\r\n" + OK,
    "AT+CSQ": "\r\n+CSQ: 20,99\r\n" + OK,
}


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else "  " + detail))
    if not cond:
        FAILURES.append(name)


def env():
    e = dict(os.environ)
    e.pop("SMSCTL_DEVICE", None)
    e["LC_ALL"] = "C.UTF-8"
    return e


def run(m, *args):
    p = subprocess.run([SMSCTL, "--device", m.path, "--json"] + list(args), env=env(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    try:
        return p.returncode, json.loads(p.stdout.decode()), p.stderr.decode()
    except ValueError:
        return p.returncode, None, p.stdout.decode() + p.stderr.decode()


def main():
    with PtyModem(answers=ANSWERS) as m:
        rc, j, err = run(m, "info")
        check("info exits 0", rc == 0, "exit %d: %s" % (rc, err[-300:]))
        check("info --json has the Chinese manufacturer",
              j is not None and j.get("manufacturer") == MAKER, repr(j))
        check("info --json has the model after it", j is not None and j.get("model") == "E3372",
              repr(j))
        rc, j, err = run(m, "status")
        check("status --json has the Chinese operator",
              j is not None and j.get("operator") == OPERATOR, repr(j) + err[-300:])
    if FAILURES:
        print("%d failed" % len(FAILURES))
        sys.exit(1)


if __name__ == "__main__":
    main()
