#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kill -9 torture of `smsctl recv --follow --delete` and of `recv --follow --direct
--delete` (issue 13): a pty modem (tests/cli/ptymodem.py) receives a new message every
50 ms (every third one in two parts), stored and announced by +CMTI, or with --direct given
in +CMT with +CSMS service 1 (each wants AT+CNMA; what was not acknowledged is delivered
again when the next recv sets +CNMI). recv is killed with SIGKILL at random moments KILLS
times, then a last run collects what is left. Every message must be printed (0 lost), and
at most one message printed again per kill (the window between the flush and the delete).
Prints the figures.

Usage: torture-recv.py PATH-TO-SMSCTL KILLS [stored|direct]
"""
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptymodem import PtyModem  # noqa: E402

SMSCTL = sys.argv[1]
KILLS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
DIRECT = len(sys.argv) > 3 and sys.argv[3] == "direct"
ARGS = ["recv", "--follow", "--delete"] + (["--direct"] if DIRECT else [])
SENDER = "0B911356214365F7"  # +31651234567


def ucs2(s):
    return "".join("%04X" % ord(ch) for ch in s)


def deliver(text, udh=""):
    ud = udh + ucs2(text)
    return "00" + ("44" if udh else "04") + SENDER + "0008" + "52120512000000" + \
        "%02X" % (len(ud) // 2) + ud


class Source:
    def __init__(self):
        self.n = 0
        self.stopped = False

    def __call__(self):
        if self.stopped:
            return None
        self.n += 1
        name = "m%05d" % self.n
        if self.n % 3 == 0:
            ref = "%02X" % (self.n % 256)
            return [deliver(name + "-", "050003" + ref + "0201"),
                    deliver("part2", "050003" + ref + "0202")]
        return [deliver(name)]


def printed(out):
    names = []
    for line in out.decode("utf-8", "replace").splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue  # a line cut by the kill
        names.append(o.get("text", ""))
    return names


def main():
    random.seed(int(os.environ.get("TORTURE_SEED", "1")))
    env = dict(os.environ)
    env.pop("SMSCTL_DEVICE", None)
    env["LC_ALL"] = "C"
    src = Source()
    seen = []
    with PtyModem(arrive=(src, 20), size=60, delay=0.002, direct=DIRECT) as m:
        for k in range(KILLS):
            p = subprocess.Popen([SMSCTL, "--device", m.path, "--json"] + ARGS, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            time.sleep(random.uniform(0.3, 1.5))
            p.send_signal(signal.SIGKILL)
            out, _ = p.communicate()
            seen += printed(out)
        src.stopped = True
        time.sleep(0.3)
        # the last run: what is stored, and (--direct) what is delivered again
        p = subprocess.Popen([SMSCTL, "--device", m.path, "--json"] + ARGS, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # at least 2.5 s, then until the modem holds nothing new for 15 s: a loaded machine
        # makes recv slow, and a run killed between AT+CMGW and its PDU leaves the modem at
        # the prompt, which costs the next run one command timeout (10 s) and a probe before
        # it recovers; a fixed wait would call what is still on the modem lost
        start = last_change = time.monotonic()
        before = None
        while time.monotonic() - start < 60:
            now_left = (len(m.stored), len(m.unacked))
            if now_left != before:
                before, last_change = now_left, time.monotonic()
            if time.monotonic() - start >= 2.5 and (
                    sum(now_left) == 0 or time.monotonic() - last_change >= 15):
                break
            time.sleep(0.1)
        p.send_signal(signal.SIGTERM)
        out, last_err = p.communicate(timeout=60)
        seen += printed(out)
        arrived = ["m%05d" % i + ("-part2" if i % 3 == 0 else "")
                   for i in range(1, len(m.arrived) + 1)]
        left = len(m.stored) + len(m.unacked)
        cancelled = m.cancelled
    counts = {}
    for t in seen:
        counts[t] = counts.get(t, 0) + 1
    lost = [t for t in arrived if t not in counts]
    again = sum(c - 1 for c in counts.values() if c > 1)
    # A kill between deleting the first and the second part of a message already printed leaves
    # its second part alone on the modem: the next run prints it marked incomplete and keeps it
    # (the receiver's max_age hands such a fragment over for good). That is a message printed
    # again, not a stranger, as long as its whole message was printed.
    fragments = counts.get("part2", 0) if any(t.endswith("-part2") for t in counts) else 0
    again += fragments
    strange = [t for t in counts if t not in arrived and not (t == "part2" and fragments)]
    print("%s: %d kills, %d messages arrived (%d in two parts), "
          "%d printed, %d lost, %d printed again, %d left on the modem, "
          "%d prompts left open by a kill and cancelled"
          % (" ".join(ARGS), KILLS, len(arrived), len(arrived) // 3, len(seen), len(lost), again,
             left, cancelled))
    ok = not lost and again <= KILLS and not strange and left <= fragments
    if lost:
        print("lost: %r" % lost[:10])
        print("the last run's stderr (exit %s):\n%s" % (p.returncode, last_err.decode("utf-8", "replace")[-2000:]))
        print("modem: %s, %d prompts cancelled, last commands %r" % (
            "at the prompt" if m.pdu_wait else "idle", m.cancelled, m.commands[-8:]))
    if strange:
        print("printed but never sent: %r" % strange[:10])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
