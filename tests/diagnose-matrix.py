#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The diagnosis matrix: `smsctl --json diagnose` on the simulated modem, every fault on every
vendor profile, alone and in the pairs that matter, in English and in zh_CN.

For each run: the exit status (0 ok/info, 1 warning, 2 error), the expected root cause (the
first finding in layer order among the most severe ones, named by "root_cause"), the other independent problems present, the dependent ones absent,
evidence and a remedy on every problem, and the JSON shape of CONTRACTS.md. In zh_CN the ids,
severities and order are the same and the summaries are Chinese.

Usage: diagnose-matrix.py SMSCTL [LOCALEDIR]
"""
import concurrent.futures
import fcntl
import json
import os
import pty
import re
import subprocess
import sys
import threading
import time

SMSCTL = sys.argv[1]
LOCALEDIR = sys.argv[2] if len(sys.argv) > 2 else None
PROFILES = ["generic", "wavecom", "cinterion", "simcom", "quectel", "huawei"]
TIMEOUT = "3"

# fault -> (root cause id or None, exit status, ids that must be present)
SINGLE = {
    "sim_absent": ("sim.absent", 2, []),
    "sim_pin": ("sim.pin_required", 2, []),
    "sim_puk": ("sim.puk_required", 2, []),
    "sim_failure": ("sim.failure", 2, []),
    "sim_busy:1000": ("sim.busy", 1, []),
    "no_signal": ("signal.none", 2, []),
    "weak_signal": ("signal.weak", 1, []),
    "not_registered": ("net.not_registered", 2, []),
    "searching": ("net.searching", 2, []),
    "denied": ("net.denied", 2, []),
    "roaming": (None, 0, ["net.roaming"]),
    "smsc_missing": ("sms.smsc_missing", 2, []),
    "storage_full": ("sms.storage_full", 2, []),
    "storage_nearly_full": ("sms.storage_nearly_full", 1, []),
    "radio_off": ("modem.radio_off", 2, []),
    "ps_only": ("net.ps_only", 1, []),
    "indications_off": (None, 0, ["sms.indications_off"]),
    "garbage:30": ("port.noise", 1, ["sim.ok"]),
    "hang": ("port.no_answer", 2, []),
    # unplugged before the first answer: gone, not silent (issue 12 part 2 item 2)
    "unplug:0": ("modem.gone", 2, []),
    # a bare OK to every query: each check reported unknown (issue 12 part 2 item 3)
    "bare_ok": ("modem.unknown", 1, ["sim.unknown", "signal.unknown", "net.unknown",
                                     "sms.unknown"]),
    # invisible to a read-only diagnosis: the modem is healthy
    "send_fail:42": (None, 0, ["sim.ok", "net.ok"]),
    "send_fail_once:42": (None, 0, ["sim.ok"]),
    "send_timeout": (None, 0, ["sim.ok"]),
    "bare_prompt": (None, 0, ["sim.ok"]),
    "unplug": (None, 0, ["sim.ok"]),
    "urc_storm": (None, 0, ["sim.ok", "net.ok"]),
    "slow:100": (None, 0, ["sim.ok", "net.ok"]),
    "reboot": (None, 0, ["sim.ok"]),
}

# the pairs that matter: (faults, root cause, exit, present, absent)
PAIRS = [
    ("sim_absent,weak_signal", "sim.absent", 2, ["signal.weak"], ["net.ok", "sms.smsc_ok"]),
    ("sim_pin,storage_full", "sim.pin_required", 2, [], ["sms.storage_full"]),
    ("sim_absent,smsc_missing", "sim.absent", 2, [], ["sms.smsc_missing"]),
    ("sim_busy:1000,weak_signal", "sim.busy", 1, ["signal.weak"], []),
    # an error outranks a warning of a lower layer (issue 12 part 2 item 1)
    ("weak_signal,storage_full", "sms.storage_full", 2, ["signal.weak"], []),
    ("weak_signal,smsc_missing", "sms.smsc_missing", 2, ["signal.weak"], []),
    ("weak_signal,denied", "net.denied", 2, ["signal.weak"], []),
    ("no_signal,storage_full", "signal.none", 2, ["sms.storage_full"], ["net.searching"]),
    ("denied,smsc_missing", "net.denied", 2, ["sms.smsc_missing"], []),
    ("searching,indications_off", "net.searching", 2, ["sms.indications_off"], []),
    ("ps_only,storage_nearly_full", "net.ps_only", 1, ["sms.storage_nearly_full"], []),
    ("roaming,storage_full", "sms.storage_full", 2, ["net.roaming"], []),
    ("smsc_missing,storage_full", "sms.smsc_missing", 2, ["sms.storage_full"], []),
    ("radio_off,smsc_missing", "modem.radio_off", 2, ["sms.smsc_missing"], []),
    ("radio_off,weak_signal", "modem.radio_off", 2, [], ["signal.weak", "net.ok"]),
    ("garbage:30,sim_absent", "sim.absent", 2, ["port.noise"], []),
    ("hang,sim_absent", "port.no_answer", 2, [], ["sim.absent"]),
]

SEVERITIES = ["ok", "info", "warning", "error"]
failures = []
lock = threading.Lock()


def fail(msg):
    with lock:
        failures.append(msg)


def env_for(lang):
    env = dict(os.environ)
    for k in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "SMSCTL_DEVICE", "SMSCTL_PIN", "NO_COLOR"):
        env.pop(k, None)
    env["LANG"] = lang
    if LOCALEDIR:
        env["SMSCTL_LOCALEDIR"] = LOCALEDIR
    return env


def run(device, lang="C.UTF-8", extra_env=None, args=()):
    env = env_for(lang)
    if extra_env:
        env.update(extra_env)
    p = subprocess.run([SMSCTL, "--json", "--timeout", TIMEOUT, "--device", device, "diagnose",
                        *args], capture_output=True, env=env, timeout=120)
    return p


def check_shape(where, doc):
    if list(doc.keys()) != ["device", "worst", "root_cause", "findings"]:
        fail(f"{where}: top-level keys {list(doc.keys())}")
        return False
    for f in doc["findings"]:
        if list(f.keys()) != ["id", "severity", "summary", "detail", "evidence", "remedy"]:
            fail(f"{where}: finding keys {list(f.keys())}")
            return False
        if f["severity"] not in SEVERITIES or not re.match(r"^[a-z]+\.[a-z_]+$", f["id"]):
            fail(f"{where}: bad finding {f['id']} {f['severity']}")
        for e in f["evidence"]:
            if list(e.keys()) != ["command", "response"]:
                fail(f"{where}: evidence keys {list(e.keys())}")
    worst = max([SEVERITIES.index(f["severity"]) for f in doc["findings"]] + [0])
    if doc["worst"] != SEVERITIES[worst]:
        fail(f"{where}: worst {doc['worst']} but findings say {SEVERITIES[worst]}")
    return True


def evaluate(where, p, root, status, present, absent):
    if p.returncode != status:
        fail(f"{where}: exit {p.returncode}, expected {status}; stderr: {p.stderr[-300:]!r}")
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        fail(f"{where}: not JSON: {p.stdout[:200]!r}")
        return None
    if not check_shape(where, doc):
        return None
    ids = [f["id"] for f in doc["findings"]]
    problems = [f for f in doc["findings"] if f["severity"] in ("warning", "error")]
    # the root cause: the first in layer order among the most severe
    worst = max([SEVERITIES.index(f["severity"]) for f in problems], default=None)
    first = next((f["id"] for f in problems if SEVERITIES.index(f["severity"]) == worst), None)
    if doc["root_cause"] != first:
        fail(f"{where}: root_cause {doc['root_cause']!r}, the findings say {first!r}")
    if root is None:
        if problems:
            fail(f"{where}: unexpected problem {problems[0]['id']}: {problems[0]['summary']}")
    elif doc["root_cause"] != root:
        fail(f"{where}: root cause {doc['root_cause']}, expected {root} (findings {ids})")
    for i in present:
        if i not in ids:
            fail(f"{where}: {i} missing (findings {ids})")
    for i in absent:
        if i in ids:
            fail(f"{where}: {i} present (findings {ids})")
    for f in problems:
        if not f["evidence"] or not f["remedy"] or not f["summary"]:
            fail(f"{where}: {f['id']} without evidence, remedy or summary")
    return doc


def zh_available():
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout
    except OSError:
        return False
    return any(l.lower().replace("-", "") in ("zh_cn.utf8",) for l in out.split())


CJK = re.compile(r"[\u4e00-\u9fff]")


def compare_zh(where, en, zh):
    if en is None or zh is None:
        return
    a = [(f["id"], f["severity"]) for f in en["findings"]]
    b = [(f["id"], f["severity"]) for f in zh["findings"]]
    if a != b:
        fail(f"{where} zh_CN: findings differ: {a} vs {b}")
        return
    if en["worst"] != zh["worst"]:
        fail(f"{where} zh_CN: worst differs")
    for fe, fz in zip(en["findings"], zh["findings"]):
        if not CJK.search(fz["summary"]) or fz["summary"] == fe["summary"]:
            fail(f"{where} zh_CN: {fz['id']} summary not translated: {fz['summary']!r}")
        if fz["remedy"] and not CJK.search(fz["remedy"]):
            fail(f"{where} zh_CN: {fz['id']} remedy not translated: {fz['remedy']!r}")
        if [e["command"] for e in fe["evidence"]] != [e["command"] for e in fz["evidence"]]:
            fail(f"{where} zh_CN: {fz['id']} evidence differs")


def case(profile, faults, root, status, present, absent, zh, extra_env=None):
    dev = f"sim:{profile}" + (f"?fault={faults}" if faults else "")
    where = dev + (f" {extra_env}" if extra_env else "")
    en = evaluate(where, run(dev, extra_env=extra_env), root, status, present, absent)
    if zh:
        z = evaluate(where + " [zh_CN]", run(dev, "zh_CN.UTF-8", extra_env), root, status,
                     present, absent)
        compare_zh(where, en, z)
    return where


def port_cases(zh):
    # no such port: a finding, exit 2 (not 10)
    p = run("/dev/ttyNOSUCH9")
    doc = evaluate("port not found", p, "port.not_found", 2, [], ["modem.ok"])
    if zh:
        compare_zh("port not found", doc, evaluate("port not found [zh_CN]",
                   run("/dev/ttyNOSUCH9", "zh_CN.UTF-8"), "port.not_found", 2, [], []))
    # no device at all: usage error 64 naming `smsctl ports --probe`
    env = env_for("C.UTF-8")
    p = subprocess.run([SMSCTL, "diagnose"], capture_output=True, env=env, text=True)
    if p.returncode != 64 or "ports --probe" not in p.stderr:
        fail(f"no device: exit {p.returncode}, stderr {p.stderr!r}")
    # the simulated SIM's PIN in the device string never reaches the report
    p = subprocess.run([SMSCTL, "--json", "--device", "sim:?fault=sim_pin&pin=4321", "diagnose"],
                       capture_output=True, env=env, text=True)
    if "4321" in p.stdout or "pin=****" not in p.stdout:
        fail(f"device PIN shown in the report: {p.stdout[:200]!r}")
    # option errors say what is wrong with the option, and exit 64
    for args, says in ((["--no-probe=1"], "takes no value"), (["--bogus"], "unknown option '--bogus'"),
                       (["-x"], "unknown option '-x'")):
        p = subprocess.run([SMSCTL, "--device", "sim:", "diagnose"] + args, capture_output=True,
                           env=env, text=True)
        if p.returncode != 64 or says not in p.stderr or p.stdout:
            fail(f"diagnose {args}: exit {p.returncode}, stderr {p.stderr!r}")
    # the human "Root cause:" line follows the same rule as "root_cause"
    p = subprocess.run([SMSCTL, "--device", "sim:?fault=weak_signal,smsc_missing", "diagnose"],
                       capture_output=True, env=env, text=True)
    if "Root cause: No SMS centre number is set" not in p.stdout:
        fail(f"human root cause: {p.stdout[-400:]!r}")
    # a pseudo-terminal nobody answers on: port.no_answer
    master, slave = pty.openpty()
    name = os.ttyname(slave)
    p = subprocess.run([SMSCTL, "--json", "--timeout", "1", "--device", name, "diagnose"],
                       capture_output=True, env=env)
    evaluate("pty without a modem", p, "port.no_answer", 2, ["port.ok"], ["modem.ok"])
    # a port this user may not open: port.permission naming the group (root drops its
    # privileges with setpriv; otherwise skipped)
    setpriv = "/usr/bin/setpriv"
    if os.geteuid() == 0 and os.path.exists(setpriv):
        import grp
        group = grp.getgrgid(os.stat(name).st_gid).gr_name
        os.chmod(name, 0o660)
        p = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                            SMSCTL, "--json", "--timeout", "1", "--device", name, "diagnose"],
                           capture_output=True, env=env)
        doc = evaluate("pty without permission", p, "port.permission", 2, [], ["port.ok"])
        if doc and doc["findings"] and group not in doc["findings"][0]["remedy"]:
            fail(f"pty without permission: group {group} not named: {doc['findings'][0]}")
    else:
        print("SKIP port.permission: needs root to drop privileges with setpriv")
    # the same pty locked by this process: port.busy naming our pid
    fd = os.open(name, os.O_RDWR | os.O_NOCTTY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        p = subprocess.run([SMSCTL, "--json", "--timeout", "1", "--device", name, "diagnose"],
                           capture_output=True, env=env)
        doc = evaluate("locked pty", p, "port.busy", 2, [], ["port.ok"])
        if doc and doc["findings"] and str(os.getpid()) not in doc["findings"][0]["summary"]:
            fail(f"locked pty: our pid {os.getpid()} not named: {doc['findings'][0]['summary']}")
    finally:
        os.close(fd)
    # garbage on a pty (a wrong baud rate): port.noise
    stop = threading.Event()

    def noisy():
        while not stop.is_set():
            try:
                os.read(master, 256)
                os.write(master, b"\xf0\x8f\x00\xfe\xc3\x81\x99\xff\x80\r\n")
            except OSError:
                return
    t = threading.Thread(target=noisy, daemon=True)
    t.start()
    p = subprocess.run([SMSCTL, "--json", "--timeout", "1", "--device", name, "diagnose"],
                       capture_output=True, env=env)
    stop.set()
    # the noise is a warning, the silence an error: the silence is the root cause
    evaluate("pty answering garbage", p, "port.no_answer", 2, ["port.noise"], ["sim.ok"])
    os.close(master)
    os.close(slave)


def main():
    # en: the matrix in English; zh_CN: the same cases again in both languages, compared (exit 77,
    # skipped, when the locale is not installed).
    half = sys.argv[3] if len(sys.argv) > 3 else "en"
    zh = False
    if half == "zh_CN":
        zh = zh_available()
        if not zh:
            print("SKIP zh_CN half of the matrix: the locale zh_CN.UTF-8 is not installed "
                  "(localedef -i zh_CN -f UTF-8 zh_CN.UTF-8)")
            return 77
    elif half != "en":
        print(f"unknown half {half!r} (en, zh_CN)")
        return 64
    jobs = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(16, (os.cpu_count() or 2) * 2)) as ex:
        for prof in PROFILES:
            jobs.append(ex.submit(case, prof, None, None, 0, ["port.ok", "modem.ok", "sim.ok",
                                  "signal.ok", "net.ok", "sms.smsc_ok", "sms.storage_ok"], [], zh))
            for fault, (root, status, present) in SINGLE.items():
                jobs.append(ex.submit(case, prof, fault, root, status, present, [], zh))
            for faults, root, status, present, absent in PAIRS:
                jobs.append(ex.submit(case, prof, faults, root, status, present, absent, zh))
            # a PIN given: entered, the SIM is ready; a wrong one is refused
            jobs.append(ex.submit(case, prof, "sim_pin", None, 0, ["sim.ok"], [], False,
                                  {"SMSCTL_PIN": "1234"}))
            jobs.append(ex.submit(case, prof, "sim_pin", "sim.pin_required", 2, [], ["sim.ok"],
                                  False, {"SMSCTL_PIN": "9999"}))
        jobs.append(ex.submit(port_cases, zh))
        for j in jobs:
            j.result()
    print(f"{len(jobs)} cases, {len(failures)} failures")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
