#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end tests of `smsctl at` and of opening a device from the command line: exit codes
(0, 1, 10, 11, 12, 13, 64), the -v trace with the PIN masked, --json, SMSCTL_DEVICE, a pty
whose lock is held by another process, raw AT over TCP, and the simulated modem.

Usage: test-at-cli.py PATH/TO/smsctl
In the 'slow' suite: python under the valgrind setup would be slow and is not what is checked.
"""
import fcntl
import json
import os
import pty
import socket
import subprocess
import sys
import threading

SMSCTL = sys.argv[1]
failures = 0


def run(args, env_extra=None, stdin=None):
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
    env.pop("SMSCTL_DEVICE", None)
    if env_extra:
        env.update(env_extra)
    r = subprocess.run([SMSCTL] + args, input=stdin, capture_output=True, env=env, timeout=60)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def check(cond, what, detail=""):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what, detail)
    else:
        print("ok:", what)


# No device: usage error with the hint
rc, out, err = run(["at", "AT"])
check(rc == 64 and "smsctl ports --probe" in err and err.startswith("smsctl: at: "),
      "no device: exit 64 naming 'smsctl ports --probe'", err)

# The simulated modem: response lines on stdout, exit 0
rc, out, err = run(["--device", "sim:", "at", "AT+CSQ", "AT+CPIN?"])
check(rc == 0 and out.splitlines() == ["+CSQ: 20,99", "+CPIN: READY"] and err == "",
      "sim: two commands, lines in order", repr((rc, out, err)))

# SMSCTL_DEVICE, and globals after the command
rc, out, err = run(["at", "-v", "AT+CSQ"], {"SMSCTL_DEVICE": "sim:quectel"})
check(rc == 0 and "+CSQ:" in out and "> AT+CSQ" in err and "< +CSQ:" in err,
      "SMSCTL_DEVICE and -v after the command", repr((rc, out, err)))

# A modem error: exit 1, the final line on stderr, the PIN masked in the trace
rc, out, err = run(["-v", "-d", "sim:?fault=sim_pin", "at", "AT+CMEE=1", 'AT+CPIN="0000"'])
check(rc == 1 and "+CME ERROR" in err and "0000" not in err and '"****"' in err,
      "wrong PIN: exit 1, final line on stderr, PIN masked", repr((rc, err)))

# --json: one object per command
rc, out, err = run(["-d", "sim:", "--json", "at", "AT+CSQ", "AT"])
objs = [json.loads(l) for l in out.splitlines()]
check(rc == 0 and len(objs) == 2 and
      list(objs[0].keys()) == ["command", "result", "final", "error_code", "lines"] and
      objs[0]["lines"] == ["+CSQ: 20,99"] and objs[0]["result"] == "ok" and
      objs[0]["error_code"] is None, "--json objects", out)

# No answer within --timeout: exit 12; modem gone: 13
rc, out, err = run(["-t", "1", "-d", "sim:?fault=hang", "at", "AT"])
check(rc == 12 and "no answer" in err, "hanging modem: exit 12", repr((rc, err)))
rc, out, err = run(["-d", "sim:?fault=unplug:0", "at", "AT", "AT"])
check(rc == 13 and "went away" in err, "unplugged modem: exit 13", repr((rc, err)))

# A raw AT+CMGS: the prompt is cancelled and the run fails (nothing was sent)
rc, out, err = run(["-d", "sim:", "at", "AT+CMGS=10"])
check(rc == 1 and "cancelled" in err, "raw AT+CMGS: prompt cancelled, exit 1", repr((rc, err)))

# Ports that cannot be opened: exit 10
for dev in ["/dev/smsctl-no-such-port", "/dev/null", "/tmp"]:
    rc, out, err = run(["-d", dev, "at", "AT"])
    check(rc == 10 and err.startswith("smsctl: at: "), "%s: exit 10" % dev, repr((rc, err)))

# Usage errors
for args in [["-d", "sim:", "at"], ["-d", "sim:", "at", "CSQ"], ["-d", "tcp:nohost", "at", "AT"],
             ["-d", "sim:", "at", "--bogus", "AT"]]:
    rc, out, err = run(args)
    check(rc == 64, "usage error %r: exit 64" % args, repr((rc, err)))

# A pty whose flock another process holds: exit 11 naming its pid and program
master, slave = pty.openpty()
name = os.ttyname(slave)
holder = subprocess.Popen(
    [sys.executable, "-c",
     "import fcntl,os,sys\n"
     "fd=os.open(sys.argv[1],os.O_RDWR|os.O_NOCTTY)\n"
     "fcntl.flock(fd,fcntl.LOCK_EX|fcntl.LOCK_NB)\n"
     "print('ready',flush=True)\n"
     "sys.stdin.read()\n", name],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
holder.stdout.readline()
with open("/proc/%d/comm" % holder.pid) as f:
    comm = f.read().strip()
rc, out, err = run(["-d", name, "at", "AT"])
check(rc == 11 and ("process %d (%s)" % (holder.pid, comm)) in err,
      "locked pty: exit 11 naming pid %d and %s" % (holder.pid, comm), repr((rc, err)))
holder.stdin.close()
holder.wait()


# The same pty, now free: a scripted modem on the master answers
def modem(fd):
    buf = b""
    while True:
        try:
            d = os.read(fd, 1024)
        except OSError:
            return
        if not d:
            return
        buf += d
        while b"\r" in buf:
            line, buf = buf.split(b"\r", 1)
            if line == b"AT+CGMI":
                os.write(fd, b"AT+CGMI\r\r\nACME\r\n\r\nOK\r\n")
                return


t = threading.Thread(target=modem, args=(master,), daemon=True)
t.start()
rc, out, err = run(["-d", name, "at", "AT+CGMI"])
check(rc == 0 and out == "ACME\n", "pty: echo dropped, answer printed", repr((rc, out, err)))
t.join(5)
os.close(master)
os.close(slave)

# Raw AT over TCP
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
port = srv.getsockname()[1]


def tcp_modem():
    c, _ = srv.accept()
    c.recv(100)
    c.sendall(b"\r\n+CME ERROR: 10\r\n")
    c.close()


t = threading.Thread(target=tcp_modem, daemon=True)
t.start()
rc, out, err = run(["-d", "tcp:127.0.0.1:%d" % port, "at", "AT+CPIN?"])
check(rc == 1 and "+CME ERROR: 10" in err, "tcp: modem error, exit 1", repr((rc, err)))
t.join(5)
srv.close()

print("%d failure(s)" % failures)
sys.exit(1 if failures else 0)
