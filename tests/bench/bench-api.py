#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/api (issue 16): smsctld on SQLite in the build tree (the machine's disk) with 16
simulated modems sending, loaded by bench-api (open loop). Two runs: a steady rate (the
latency goal: at 100/s, p50 <= 5 ms and p99 <= 25 ms) and a high one (the throughput goal:
at least 500 accepted/s, or 5 x the disk's single-commit rate of bench-store if lower).

Usage: bench-api.py SMSCTLD BENCH-API [STEADY-RATE STEADY-SECONDS HIGH-RATE HIGH-SECONDS]
(defaults 100 20 600 10; the issue's run is 100 60 600 30)
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

smsctld, gen = sys.argv[1], sys.argv[2]
steady_rate, steady_s, high_rate, high_s = (sys.argv[3:7] if len(sys.argv) >= 7 else
                                            ("100", "20", "600", "10"))
tmp = tempfile.mkdtemp(prefix="bench-api-", dir=os.getcwd())
sock = os.path.join(tmp, "api.sock")
conf = os.path.join(tmp, "smsctld.conf")
lines = ["[daemon]", "node_id = bench", "[store]", f"url = sqlite://{tmp}/smsctl.db",
         "[http]", f"listen = unix:{sock}", "max_queued = 10000000", "threads = 8"]
for i in range(16):
    lines += [f"[modem m{i}]", "device = sim:generic"]
open(conf, "w").write("\n".join(lines) + "\n")
log = open(os.path.join(tmp, "smsctld.log"), "w")
d = subprocess.Popen([smsctld, "--config", conf], stdout=log, stderr=log)
try:
    for _ in range(200):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock)
            s.close()
            break
        except OSError:
            time.sleep(0.1)
    time.sleep(1)
    subprocess.run([gen, sock, steady_rate, steady_s, "steady"], check=True)
    subprocess.run([gen, sock, high_rate, high_s, "high"], check=True)
finally:
    d.terminate()
    d.wait(timeout=60)
    log.close()
    shutil.rmtree(tmp, ignore_errors=True)
