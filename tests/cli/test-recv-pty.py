#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`smsctl recv` and `list` against a pty modem (tests/cli/ptymodem.py), issue 13:
- item 1: the modem sends 2,000 "+CMTI" notices a second: a plain recv hands over what was
  stored and ends; recv --follow keeps up (a new message announced in the middle of the
  flood is handed over) and reads each notified index a bounded number of times, not once
  per notice.
- item 4: a modem that echoes every command and repeats a wrong PIN in its error: the PIN
  appears nowhere in the -v trace, the error or diagnose's JSON evidence.
- item 2: a listing of 10,000 entries is never cut silently: list and recv stop with an
  error naming the limit and print no entry.
- a port left at the `>` prompt (a program killed between AT+CMGW and its PDU): the modem
  takes every line as PDU text until ESC; recv, send and list recover in the same run
  (the first command times out, the engine cancels the prompt, recv tries once more).

Usage: test-recv-flood.py PATH-TO-SMSCTL
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptymodem import PtyModem  # noqa: E402

SMSCTL = sys.argv[1] if len(sys.argv) > 1 else "smsctl"
FAILURES = []
# android.json in tests/data/pdu (AOSP SmsMessageTest): "Hello" style deliver PDUs.
PDU1 = "07914151551512F2040B916105551511F100006060605130308A04D4F29C0E"
PDU2 = "07914151551512F2040B916105551511F100036060924180008A0DA8695DAC2E8FE9296A794E07"


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else "  " + detail))
    if not cond:
        FAILURES.append(name)


def env():
    e = dict(os.environ)
    e.pop("SMSCTL_DEVICE", None)
    e["LC_ALL"] = "C"
    return e


def test_plain_recv_ends():
    with PtyModem(stored={1: PDU1}, flood=('+CMTI: "SM",1', 2000)) as m:
        t0 = time.monotonic()
        try:
            p = subprocess.run([SMSCTL, "--device", m.path, "--json", "recv"], env=env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
        except subprocess.TimeoutExpired:
            check("recv under a +CMTI flood ends", False, "still running after 20 s")
            return
        took = time.monotonic() - t0
        out = [json.loads(x) for x in p.stdout.decode().splitlines() if x.startswith("{")]
        check("recv under a +CMTI flood ends with 0", p.returncode == 0,
              "exit %d: %s" % (p.returncode, p.stderr.decode()[-300:]))
        check("recv under a flood hands over the stored message once", len(out) == 1,
              repr(out))
        print("# plain recv: %.2f s, %d notices sent, %d commands" %
              (took, m.notices, len(m.commands)))


def test_follow_keeps_up():
    with PtyModem(stored={1: PDU1}, flood=('+CMTI: "SM",1', 2000)) as m:
        p = subprocess.Popen([SMSCTL, "--device", m.path, "--json", "recv", "--follow"],
                             env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(1.5)
        with m.lock:
            m.stored[2] = PDU2
        m._write('\r\n+CMTI: "SM",2\r\n')
        time.sleep(1.5)
        p.send_signal(signal.SIGTERM)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            check("recv --follow under a flood stops on SIGTERM", False)
            return
        objs = [json.loads(x) for x in out.decode().splitlines() if x.startswith("{")]
        check("recv --follow under a flood hands over both messages", len(objs) == 2,
              repr(objs) + err.decode()[-300:])
        reads = sum(1 for c in m.commands if c.upper().startswith("AT+CMGR"))
        print("# follow: %d notices, %d commands, %d AT+CMGR" %
              (m.notices, len(m.commands), reads))
        # The read message at index 1 is deleted after the hand-over: each later notice
        # for it costs at most one AT+CMGR per turn of the loop, never a backlog.
        check("recv --follow merges repeated notices", reads < m.notices // 4,
              "%d reads for %d notices" % (reads, m.notices))


def test_long_listing():
    stored = {i: PDU1 for i in range(1, 10001)}
    for args in (["list"], ["recv"], ["recv", "--delete"]):
        with PtyModem(stored=stored, size=10000, delay=0) as m:
            p = subprocess.run([SMSCTL, "--device", m.path, "--json"] + args, env=env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
            err = p.stderr.decode()
            name = " ".join(args)
            check(name + " of 10,000 entries fails", p.returncode != 0,
                  "exit 0 with %d lines" % len(p.stdout.splitlines()))
            check(name + " of 10,000 entries names the limit",
                  "limit" in err and "4096" in err, err[-300:])
            check(name + " of 10,000 entries prints none of them", p.stdout.strip() == b"",
                  "%d lines" % len(p.stdout.splitlines()))
            deletes = [c for c in m.commands if c.upper().startswith("AT+CMGD")]
            check(name + " of 10,000 entries deletes nothing", not deletes, repr(deletes[:3]))


def test_pin_never_shown():
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        pin_file = os.path.join(d, "pin")
        with open(pin_file, "w") as f:
            f.write("4711\n")
        os.chmod(pin_file, 0o600)
        for args in (["-v", "recv"], ["-v", "list"], ["--json", "diagnose"]):
            with PtyModem(pin_locked=True, delay=0) as m:
                p = subprocess.run([SMSCTL, "--device", m.path, "--pin-file", pin_file,
                                    "--timeout", "3"] + args, env=env(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=60)
                both = p.stdout.decode() + p.stderr.decode()
                name = " ".join(args)
                sent = any(c.startswith('AT+CPIN="4711"') for c in m.commands)
                check(name + ": the PIN was entered", sent, repr(m.commands[-5:]))
                check(name + ": the PIN is never shown", "4711" not in both,
                      repr([x for x in both.splitlines() if "4711" in x][:3]))
                check(name + ": the refusal is shown masked", "****" in both, both[-400:])


def test_left_at_prompt():
    for args in (["--json", "recv"], ["--json", "list"], ["--json", "recv", "--direct"]):
        with PtyModem(stored={3: PDU1}, delay=0, direct="--direct" in args) as m:
            m.pdu_wait = "AT+CMGW=24,0"  # what a killed program left
            t0 = time.monotonic()
            p = subprocess.run([SMSCTL, "--device", m.path, "--timeout", "2"] + args,
                               env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=60)
            took = time.monotonic() - t0
            name = " ".join(args[1:]) + " on a port left at the prompt"
            out = [json.loads(x) for x in p.stdout.decode().splitlines() if x.startswith("{")]
            check(name + " ends with 0", p.returncode == 0,
                  "exit %d: %s" % (p.returncode, p.stderr.decode()[-300:]))
            check(name + ": the prompt was cancelled with ESC", m.cancelled == 1,
                  "cancelled %d" % m.cancelled)
            check(name + ": the stored message is read", len(out) == 1 and
                  out[0].get("indexes", [out[0].get("index")]) == [3], repr(out))
            check(name + ": within one timeout and the probe", took < 2 + 2 + 3,
                  "%.1f s" % took)
    # a modem that stays silent: the error names the first command, not the probe
    with PtyModem(delay=0, answers={"AT": ""}) as m:
        t0 = time.monotonic()
        p = subprocess.run([SMSCTL, "--device", m.path, "--timeout", "2", "recv"], env=env(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        took = time.monotonic() - t0
        err = p.stderr.decode()
        check("recv on a silent modem ends with 12", p.returncode == 12,
              "exit %d: %s" % (p.returncode, err[-300:]))
        check("recv on a silent modem names the command that got no answer",
              "no answer to ATE0" in err, err[-300:])
        print("# silent modem: recv ended after %.1f s" % took)


if __name__ == "__main__":
    test_left_at_prompt()
    test_plain_recv_ends()
    test_follow_keeps_up()
    test_long_listing()
    test_pin_never_shown()
    if FAILURES:
        print("%d failed" % len(FAILURES))
        sys.exit(1)
