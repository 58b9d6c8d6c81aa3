#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end tests of `smsctl recv`, `list`, `read`, `delete` and `ports` against sim:.

The simulated modem lives inside the smsctl process, so every run starts with the storage a
device string gives: empty, or filled by the `storage_full` fault (each slot holds "Test2"
from +27821234567). Ordering between printing and deleting is checked on one stream: the
JSON lines on stdout and the -v trace on stderr go to the same pipe, in the order they were
written (the CLI flushes stdout before it deletes).

Usage: test-recv.py PATH-TO-SMSCTL
"""
import json
import os
import re
import subprocess
import sys

SMSCTL = sys.argv[1] if len(sys.argv) > 1 else "smsctl"
FAILURES = []
FILLER_NUMBER = "+27821234567"
FILLER_TEXT = "Test2"


def run(args, env=None, merge=False, timeout=60):
    e = dict(os.environ)
    e.pop("SMSCTL_DEVICE", None)
    e.pop("SMSCTL_PIN", None)
    e["LC_ALL"] = "C"
    e["NO_COLOR"] = "1"
    if env:
        e.update(env)
    p = subprocess.run([SMSCTL] + args, env=e, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT if merge else subprocess.PIPE,
                       timeout=timeout)
    out = p.stdout.decode("utf-8", "replace")
    err = "" if merge else p.stderr.decode("utf-8", "replace")
    return p.returncode, out, err


def check(name, cond, detail=""):
    if cond:
        print("ok   " + name)
    else:
        print("FAIL " + name + ("  " + detail if detail else ""))
        FAILURES.append(name)


def json_lines(out):
    objs = []
    for line in out.splitlines():
        if line.startswith("{"):
            objs.append(json.loads(line))
    return objs


def test_usage():
    cases = [
        (["--device", "sim:", "read"], "read without INDEX"),
        (["--device", "sim:", "read", "abc"], "read with a word"),
        (["--device", "sim:", "read", "-1"], "read with a negative index"),
        (["--device", "sim:", "read", "1", "2"], "read with two indexes"),
        (["--device", "sim:", "delete"], "delete without INDEX"),
        (["--device", "sim:", "delete", "1", "--all"], "delete INDEX and --all"),
        (["--device", "sim:", "list", "--status", "bogus"], "list with a bad status"),
        (["--device", "sim:", "list", "--storage", 'S"M'], "list with a quote in the memory"),
        (["--device", "sim:", "recv", "--storage", ""], "recv with an empty memory"),
        (["--device", "sim:", "recv", "--max-age", "-5"], "recv with a negative age"),
        (["--device", "sim:", "recv", "extra"], "recv with an argument"),
        (["--device", "sim:", "recv", "--bogus"], "recv with an unknown option"),
        (["ports", "--probe-timeout", "0"], "ports with a zero probe timeout"),
        (["ports", "extra"], "ports with an argument"),
    ]
    for args, what in cases:
        rc, out, err = run(args)
        check("usage: " + what, rc == 64 and out == "", "rc=%d out=%r err=%r" % (rc, out, err))


def test_no_device():
    for cmd in (["recv"], ["list"], ["read", "1"], ["delete", "--all"]):
        rc, out, err = run(cmd)
        check("no device: " + cmd[0], rc == 64 and "ports --probe" in err,
              "rc=%d err=%r" % (rc, err))


def test_help():
    for cmd in ("recv", "list", "read", "delete", "ports"):
        rc, out, err = run([cmd, "--help"])
        check("help: " + cmd, rc == 0 and out.startswith("Usage: smsctl " + cmd), out[:80])
        rc2, out2, _ = run(["help", cmd])
        check("help CMD equals CMD --help: " + cmd, rc2 == 0 and out2 == out)


def test_empty():
    rc, out, err = run(["--device", "sim:", "--json", "recv"])
    check("recv on an empty modem prints nothing", rc == 0 and out == "", "rc=%d %r %r" % (rc, out, err))
    rc, out, err = run(["--device", "sim:", "list", "--json"])
    check("list on an empty modem prints nothing", rc == 0 and out == "", "rc=%d %r" % (rc, err))
    rc, out, err = run(["--device", "sim:", "read", "1"])
    check("read of an empty index: exit 1", rc == 1 and "no message" in err, "rc=%d %r" % (rc, err))
    rc, out, err = run(["--device", "sim:", "--json", "delete", "--all"])
    check("delete --all on an empty modem", rc == 0 and json.loads(out) ==
          {"storage": None, "index": None, "all": True}, "rc=%d %r %r" % (rc, out, err))


def expect_fillers(objs, what):
    check(what + ": some messages", len(objs) > 0)
    check(what + ": every one is the filler",
          all(o.get("number") == FILLER_NUMBER and o.get("text") == FILLER_TEXT for o in objs),
          repr(objs[:2]))


def test_recv_stored(profile, first_index):
    dev = "sim:%s?fault=storage_full" % profile
    rc, out, err = run(["--device", dev, "recv", "--json"])
    objs = json_lines(out)
    check("recv %s: exit 0" % profile, rc == 0, "rc=%d %r" % (rc, err))
    expect_fillers(objs, "recv " + profile)
    keys = {"number", "text", "timestamp", "coding", "class", "parts", "complete", "storage",
            "indexes"}
    check("recv %s: keys" % profile, all(keys <= set(o) for o in objs), repr(objs[:1]))
    check("recv %s: complete single parts" % profile,
          all(o["complete"] is True and o["parts"] == 1 and o["coding"] == "gsm7"
              for o in objs))
    idx = sorted(i for o in objs for i in o["indexes"])
    check("recv %s: indexes from %d, each once" % (profile, first_index),
          idx == list(range(first_index, first_index + len(objs))), repr(idx))
    check("recv %s: one line per message" % profile, len(out.splitlines()) == len(objs))

    # list gives the same messages, one per stored part.
    rc, out, err = run(["--device", dev, "list", "--json"])
    lobjs = json_lines(out)
    check("list %s: the same count" % profile, rc == 0 and len(lobjs) == len(objs),
          "rc=%d %d vs %d" % (rc, len(lobjs), len(objs)))
    check("list %s: deliver PDUs with hex" % profile,
          all(o["type"] == "deliver" and o["pdu"] and o["error"] is None for o in lobjs))

    rc, out, err = run(["--device", dev, "--json", "read", str(first_index)])
    o = json.loads(out) if rc == 0 else {}
    check("read %s %d" % (profile, first_index),
          rc == 0 and o.get("index") == first_index and o.get("text") == FILLER_TEXT,
          "rc=%d %r %r" % (rc, out, err))


def test_delete_after_print():
    dev = "sim:?fault=storage_full"
    rc, out, _ = run(["--device", dev, "-v", "recv", "--json", "--delete"], merge=True)
    check("recv --delete: exit 0", rc == 0, out[-300:])
    lines = out.splitlines()
    printed = {}
    deleted = []
    for n, line in enumerate(lines):
        if line.startswith("{"):
            o = json.loads(line)
            for i in o["indexes"]:
                printed[i] = n
        m = re.match(r"^> AT\+CMGD=(\d+)$", line)
        if m:
            deleted.append((int(m.group(1)), n))
    check("recv --delete: every message deleted", sorted(i for i, _ in deleted) == sorted(printed),
          "%r vs %r" % (deleted, printed))
    check("recv --delete: each deleted only after it was printed",
          all(i in printed and printed[i] < n for i, n in deleted), repr(deleted[:3]))

    rc, out, _ = run(["--device", dev, "-v", "recv", "--json"], merge=True)
    check("recv without --delete deletes nothing",
          rc == 0 and "AT+CMGD" not in out and len(json_lines(out)) > 0)


def test_human():
    rc, out, err = run(["--device", "sim:?fault=storage_full", "recv"])
    check("recv human: From lines", rc == 0 and out.count("From " + FILLER_NUMBER) > 0, out[:200])
    check("recv human: no colour when NO_COLOR", "\033[" not in out)
    rc, out, err = run(["--device", "sim:?fault=storage_full", "list"])
    check("list human", rc == 0 and "SM 1" in out and FILLER_TEXT in out, out[:200])


def test_faults():
    cases = [
        ("sim:?fault=sim_absent", ["recv"], 20),
        ("sim:?fault=sim_puk", ["list"], 20),
        ("sim:?fault=sim_pin", ["recv"], 20),
    ]
    for dev, cmd, want in cases:
        rc, out, err = run(["--device", dev] + cmd)
        check("fault %s %s: exit %d" % (dev, cmd[0], want), rc == want,
              "rc=%d err=%r" % (rc, err))
    # The PIN from the environment unlocks the SIM.
    rc, out, err = run(["--device", "sim:?fault=sim_pin&pin=4321", "list"],
                       env={"SMSCTL_PIN": "4321"})
    check("SMSCTL_PIN unlocks", rc == 0, "rc=%d err=%r" % (rc, err))
    rc, out, err = run(["--device", "sim:?fault=sim_pin", "list"], env={"SMSCTL_PIN": "12ab"})
    check("a PIN that is not digits is a usage error", rc == 64 and "12ab" not in err,
          "rc=%d err=%r" % (rc, err))


def test_follow_unplug():
    # The modem goes away one second into --follow: exit 13, what was printed stays printed.
    rc, out, err = run(["--device", "sim:?fault=storage_full,unplug:1", "recv", "--follow",
                        "--json"], timeout=60)
    objs = json_lines(out)
    check("recv --follow, unplugged: exit 13", rc == 13, "rc=%d err=%r" % (rc, err))
    expect_fillers(objs, "recv --follow before the unplug")


def test_follow_interrupted():
    # --follow ends cleanly on SIGTERM/SIGINT: exit 0, everything printed was flushed.
    import signal
    import time
    for sig in (signal.SIGTERM, signal.SIGINT):
        e = dict(os.environ, LC_ALL="C", NO_COLOR="1")
        p = subprocess.Popen([SMSCTL, "--device", "sim:?fault=storage_full", "--json", "recv",
                              "--follow"], env=e, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        first = p.stdout.readline()  # the run has started
        time.sleep(0.3)
        p.send_signal(sig)
        try:
            out, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            check("recv --follow ends on signal %d" % sig, False, "did not end")
            continue
        objs = json_lines((first + out).decode())
        check("recv --follow ends on signal %d: exit 0" % sig, p.returncode == 0,
              "rc=%d err=%r" % (p.returncode, err))
        expect_fillers(objs, "recv --follow until signal %d" % sig)


def test_ports():
    rc, out, err = run(["ports", "--json"])
    check("ports: exit 0", rc == 0, err)
    keys = {"name", "path", "by_id", "driver", "subsystem", "usb_vendor", "usb_product",
            "usb_interface", "manufacturer", "product", "serial", "answers", "probe_error"}
    objs = json_lines(out)
    check("ports: one object per line with the keys",
          all(keys <= set(o) and o["answers"] is None for o in objs)
          and len(objs) == len(out.splitlines()))
    rc, out, err = run(["ports"])
    check("ports human: exit 0", rc == 0)


def test_hostile_text():
    # An SMS is written by a stranger: its escape sequences never reach the terminal, while
    # --json keeps the text exactly.
    dev = "sim:?sms=%2B4915112345678,A%1B%5B31mB%07C"
    rc, out, err = run(["--device", dev, "recv"])
    check("recv human: ESC and BEL shown in caret notation",
          rc == 0 and "A^[[31mB^GC" in out and "\x1b" not in out and "\x07" not in out, repr(out))
    rc, out, err = run(["--device", dev, "list"])
    check("list human: no raw ESC", rc == 0 and "\x1b" not in out and "^[" in out, repr(out))
    rc, out, err = run(["--device", dev, "--json", "recv"])
    objs = json_lines(out)
    check("recv --json: text kept exactly",
          rc == 0 and len(objs) == 1 and objs[0]["text"] == "A\x1b[31mB\x07C", repr(out))
    rc, out, err = run(["--device", dev, "--json", "list"])
    objs = json_lines(out)
    check("list --json: type as in pdu decode", rc == 0 and objs and objs[0].get("type") == "deliver",
          repr(out))


def main():
    test_usage()
    test_hostile_text()
    test_no_device()
    test_help()
    test_empty()
    test_recv_stored("generic", 1)
    test_recv_stored("huawei", 0)
    test_recv_stored("quectel", 1)
    test_delete_after_print()
    test_human()
    test_faults()
    test_follow_unplug()
    test_follow_interrupted()
    test_ports()
    if FAILURES:
        print("%d failed: %s" % (len(FAILURES), ", ".join(FAILURES)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
