#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Soak of smsctld (issue 17): simulated modems with a random fault every 30 s, a steady
flow of submits, for --duration seconds. Prints the figures: RSS (start, end, max, growth
over the last 5 minutes or the last third), open file descriptors, submit latency p50/p99,
lost and duplicated messages, and how long each fault took to show as a state change in
/metrics. Exits 1 when a goal is missed (--check), else 0.

Faults are applied by rewriting a modem's device string (`sim:?fault=...`) and reloading
(SIGHUP): the daemon replaces the modem, which is what an operator's change does. Each
message has a unique text; the modems' records (SMSCTLD_SIM_RECORD) show every PDU a modem
accepted, so a message sent twice shows as the same PDU twice.

--check fails (exit 1) when any goal is missed; --check-correctness only on the goals that
are not timings (lost, duplicated, file descriptors, faults seen), as CI's run does: timing
goals are figures of the benchmark, never a test's verdict.

Usage: soak.py SMSCTLD [--duration S] [--rate N] [--modems N] [--check | --check-correctness]
"""
import argparse
import json
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "daemon"))
from ops_common import Daemon  # noqa: E402

FAULTS = ["sim_absent", "no_signal", "denied", "not_registered", "send_fail_once:42",
          "slow:300", None, None]
BLOCKING = {"sim_absent", "no_signal", "denied", "not_registered"}


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def modem_states(d):
    st, raw, _ = d.unix("GET", "/metrics")
    out = {}
    for m in re.finditer(r'^smsctl_modem_state\{modem="([^"]+)",state="([^"]+)"\} 1$',
                         raw.decode(), re.M):
        out[m.group(1)] = m.group(2)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("smsctld")
    ap.add_argument("--duration", type=int, default=180)
    ap.add_argument("--rate", type=int, default=100)
    ap.add_argument("--modems", type=int, default=16)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--check-correctness", action="store_true")
    a = ap.parse_args()
    rnd = random.Random(17)
    with tempfile.TemporaryDirectory() as tmp:
        names = [f"m{i:02d}" for i in range(a.modems)]
        devices = {n: "sim:" for n in names}
        d = Daemon(a.smsctld, tmp, [(n, devices[n]) for n in names],
                   env={"SMSCTLD_SIM_RECORD": tmp},
                   send=["retry_initial = 1s", "retry_max = 5s"])
        base_conf = open(d.conf).read()

        def write_conf():
            conf = base_conf
            for n in names:
                conf = conf.replace(f"[modem {n}]\ndevice = sim:\n",
                                    f"[modem {n}]\ndevice = {devices[n]}\n")
            with open(d.conf, "w") as f:
                f.write(conf)

        d.start()
        pid = d.proc.pid
        time.sleep(3)
        lat, ids, errors = [], [], []
        stop = threading.Event()

        threads = 4  # several clients, as several tills or programs would be

        def submitter(k):
            seq = k
            nxt = time.monotonic()
            while not stop.is_set():
                nxt += threads / a.rate
                seq += threads
                t0 = time.monotonic()
                try:
                    ids.append(d.submit("+86138%08d" % seq, f"soak {seq} {t0:.9f}"))
                    lat.append(time.monotonic() - t0)
                except Exception as e:  # noqa: BLE001
                    errors.append(str(e))
                delay = nxt - time.monotonic()
                if delay > 0:
                    time.sleep(delay)

        fds_quiet_start = fds(pid)
        ths = [threading.Thread(target=submitter, args=(k,), daemon=True) for k in range(threads)]
        start = time.monotonic()
        for th in ths:
            th.start()
        samples = []  # (t, rss kB, fds)
        detections = []  # (fault, seconds until /metrics showed it, or None)
        next_fault = start + 30
        pending = None  # (modem, fault, applied at, expected state)
        while time.monotonic() - start < a.duration:
            now = time.monotonic()
            samples.append((now - start, rss_kb(pid), fds(pid)))
            if now >= next_fault:
                m = rnd.choice(names)
                fault = rnd.choice(FAULTS)
                devices[m] = f"sim:?fault={fault}" if fault else "sim:"
                write_conf()
                d.proc.send_signal(signal.SIGHUP)
                expect = "blocked" if fault in BLOCKING else "ready"
                pending = (m, fault, now, expect)
                next_fault = now + 30
            if pending:
                m, fault, t0, expect = pending
                if modem_states(d).get(m) == expect:
                    detections.append((fault, round(time.monotonic() - t0, 1)))
                    pending = None
                elif time.monotonic() - t0 > 30:
                    detections.append((fault, None))
                    pending = None
            time.sleep(1)
        stop.set()
        for th in ths:
            th.join()
        # heal every modem, let the queue drain
        for n in names:
            devices[n] = "sim:"
        write_conf()
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 120
        final = {}
        while time.monotonic() < deadline:
            st, raw, _ = d.unix("GET", "/metrics")
            final = {m.group(1): float(m.group(2)) for m in re.finditer(
                r'^smsctl_messages\{state="([a-z]+)"\} (\S+)$', raw.decode(), re.M)}
            if final and final.get("queued", 1) == 0 and final.get("sending", 1) == 0:
                break
            time.sleep(2)
        time.sleep(6)  # the healed modems reopened, the last connections closed
        fds_quiet_end = fds(pid)
        d.stop()
        pdus = []
        for f in os.listdir(tmp):
            if f.endswith(".pdus"):
                with open(os.path.join(tmp, f)) as fh:
                    pdus += [ln.strip() for ln in fh if ln.strip()]
        dup = len(pdus) - len(set(pdus))
        done = sum(final.get(s, 0) for s in ("sent", "delivered", "failed", "expired",
                                             "unknown", "cancelled", "undelivered"))
        lost = len(ids) - int(done)
        lat_ms = sorted(x * 1000 for x in lat)
        p = lambda q: lat_ms[min(len(lat_ms) - 1, int(q * len(lat_ms)))] if lat_ms else 0  # noqa
        window = min(300, a.duration / 3)
        tail = [s for s in samples if s[0] >= a.duration - window]
        growth = (tail[-1][1] - tail[0][1]) / 1024 if len(tail) > 1 else 0
        fig = {
            "duration_s": a.duration, "modems": a.modems, "rate_per_s": a.rate,
            "submitted": len(ids), "submit_errors": len(errors),
            "achieved_rate": round(len(ids) / a.duration, 1),
            "rss_mb_start": round(samples[0][1] / 1024, 1),
            "rss_mb_end": round(samples[-1][1] / 1024, 1),
            "rss_mb_max": round(max(s[1] for s in samples) / 1024, 1),
            "rss_growth_last_window_mb": round(growth, 2), "window_s": window,
            "fds_min": min(s[2] for s in samples), "fds_max": max(s[2] for s in samples),
            "fds_quiet_start": fds_quiet_start, "fds_quiet_end": fds_quiet_end,
            "submit_p50_ms": round(p(0.5), 2), "submit_p99_ms": round(p(0.99), 2),
            "final_states": final, "lost": lost, "duplicated_pdus": dup,
            "faults": detections,
        }
        print(json.dumps(fig, indent=1))
        goals = {
            "RSS <= 30 MB": fig["rss_mb_max"] <= 30,
            "RSS flat (<= 1 MB growth)": growth <= 1,
            "fds constant (quiet start = quiet end)": fds_quiet_end == fds_quiet_start,
            "p99 submit <= 25 ms": fig["submit_p99_ms"] <= 25,
            "0 lost": lost == 0, "0 duplicated": dup == 0,
            "every fault seen in /metrics": all(t is not None for _, t in detections),
        }
        for g, ok in goals.items():
            print(("met:    " if ok else "MISSED: ") + g)
        timing = {"RSS <= 30 MB", "RSS flat (<= 1 MB growth)", "p99 submit <= 25 ms"}
        if a.check and not all(goals.values()):
            sys.exit(1)
        if a.check_correctness and not all(ok for g, ok in goals.items() if g not in timing):
            sys.exit(1)


if __name__ == "__main__":
    main()
