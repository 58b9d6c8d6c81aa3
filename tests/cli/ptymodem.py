# SPDX-License-Identifier: LGPL-2.1-or-later
"""A scriptable modem on a pseudo-terminal, for tests that need what sim: cannot do from
inside the smsctl process: a modem that keeps talking (unsolicited lines at a set rate)
while it answers commands.

PtyModem(stored={index: hex}, flood=(line, per_second), delay=seconds) opens a pty, answers the AT
commands smsctl sends in PDU mode (storage "SM" only) and records every command line.
`path` is the slave's name to give to --device. Use as a context manager.
"""
import os
import select
import termios
import threading
import time
import tty


class PtyModem:
    def __init__(self, stored=None, flood=None, size=30, delay=0.005, pin_locked=False,
                 arrive=None, direct=False, answers=None):
        # answers: {command prefix (upper case): raw answer}, checked before the built-in
        # ones, e.g. {"AT+CGMI": "\r\n华为技术有限公司\r\n\r\nOK\r\n"} (written as UTF-8)
        self.answers = dict(answers or {})
        self.stored = dict(stored or {})
        self.flood = flood
        self.size = size
        # pin_locked: the SIM asks for its PIN, and the modem echoes every command (it
        # ignores ATE0) and repeats a wrong PIN in its error: +CME ERROR: incorrect password "…"
        self.pin_locked = pin_locked
        # arrive: (next_message, per_second): next_message() returns the PDUs of one new
        # message (or None to stop); each is stored in a free index and announced by +CMTI.
        # self.arrived lists the message PDUs actually stored.
        self.arrive = arrive
        self.arrived = []
        # direct: +CSMS service 1; once a client sets AT+CNMI=…,2 new messages come as
        # +CMT and each wants AT+CNMA; unacknowledged ones are delivered again (as a
        # network does) the next time a client sets +CNMI. AT+CMGW stores a PDU.
        self.direct = direct
        self.cmt_on = False
        self.unacked = []
        self.pdu_wait = None  # the AT+CMGW waiting for its PDU
        self.cancelled = 0  # prompts cancelled with ESC
        self.delay = delay  # seconds before each answer, as a real modem takes
        self.commands = []
        self.notices = 0
        self.lock = threading.Lock()
        self.master, slave = os.openpty()
        tty.setraw(slave)
        attrs = termios.tcgetattr(slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        self.path = os.ttyname(slave)
        self.slave = slave  # kept open so the master never sees EIO between runs
        os.set_blocking(self.master, False)
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.thread.join(5)
        os.close(self.master)
        os.close(self.slave)

    def _write(self, data):
        data = data.encode("utf-8", "surrogateescape")  # "\udc9c": the byte 0x9c
        while data:
            try:
                n = os.write(self.master, data)
                data = data[n:]
            except BlockingIOError:
                if self.stop:
                    return
                select.select([], [self.master], [], 0.05)
            except OSError:
                return

    def _answer(self, cmd):
        u = cmd.upper()
        ok = "\r\nOK\r\n"
        for prefix, answer in self.answers.items():
            if u.startswith(prefix):
                return answer
        if self.pin_locked:
            echo = cmd + "\r"
            if u.startswith("AT+CPIN?"):
                return echo + "\r\n+CPIN: SIM PIN\r\n" + ok
            if u.startswith("AT+CPIN="):
                return echo + '\r\n+CME ERROR: incorrect password %s\r\n' % cmd[8:]
            if u.startswith("AT+CMGF") or u.startswith("AT+CMGL") or u.startswith("AT+CPMS"):
                return echo + "\r\n+CME ERROR: SIM PIN required\r\n"
            return echo + ok
        if u.startswith("AT+CPMS=?"):
            return '\r\n+CPMS: ("SM"),("SM"),("SM")\r\n' + ok
        if u.startswith("AT+CPMS?"):
            n = len(self.stored)
            return '\r\n+CPMS: "SM",%d,%d,"SM",%d,%d,"SM",%d,%d\r\n' % (
                n, self.size, n, self.size, n, self.size) + ok
        if u.startswith("AT+CPMS="):
            n = len(self.stored)
            return "\r\n+CPMS: %d,%d,%d,%d,%d,%d\r\n" % (
                n, self.size, n, self.size, n, self.size) + ok
        if u.startswith("AT+CMGL"):
            out = ""
            for i in sorted(self.stored):
                h = self.stored[i]
                out += "\r\n+CMGL: %d,1,,%d\r\n%s" % (i, len(h) // 2 - 1 - int(h[:2], 16), h)
            return out + "\r\n" + ok
        if u.startswith("AT+CMGR="):
            i = int(u[8:])
            if i in self.stored:
                h = self.stored[i]
                return "\r\n+CMGR: 1,,%d\r\n%s\r\n" % (len(h) // 2 - 1 - int(h[:2], 16), h) + ok
            return "\r\n+CMS ERROR: 321\r\n"
        if u.startswith("AT+CMGD="):
            self.stored.pop(int(u[8:].split(",")[0]), None)
            return ok
        if self.direct and u.startswith("AT+CNMI="):
            f = u[8:].split(",")
            self.cmt_on = len(f) > 1 and f[1] == "2"
            if self.cmt_on and self.unacked:
                again, self.unacked = self.unacked, []
                return ok + "".join(self._cmt(h) for h in again)
            return ok
        if self.direct and u.startswith("AT+CNMA"):
            if not self.unacked:
                return "\r\n+CMS ERROR: 340\r\n"
            self.unacked.pop(0)
            return ok
        if self.direct and u.startswith("AT+CMGW="):
            self.pdu_wait = cmd
            return "\r\n> "
        if u.startswith("AT+CSMS?") and self.direct:
            return "\r\n+CSMS: 1,1,1,1\r\n" + ok
        if u.startswith("AT+CNMI?"):
            return "\r\n+CNMI: 2,1,0,0,0\r\n" + ok
        if u.startswith("AT+CSMS?"):
            return "\r\n+CSMS: 0,1,1,1\r\n" + ok
        return ok

    def _cmt(self, hexpdu):
        self.unacked.append(hexpdu)
        return "\r\n+CMT: ,%d\r\n%s\r\n" % (len(hexpdu) // 2 - 1 - int(hexpdu[:2], 16), hexpdu)

    def _arrivals(self, now):
        fn, rate = self.arrive
        if now < self.next_arrival:
            return
        self.next_arrival = now + 1.0 / rate
        free = [i for i in range(1, self.size + 1) if i not in self.stored]
        if self.pending is None:
            self.pending = fn()
        if self.direct:
            if not self.pending or not self.cmt_on:
                return
            self.arrived.append(self.pending)
            out = "".join(self._cmt(h) for h in self.pending)
            self.pending = None
            self._write(out)
            return
        if not self.pending or len(free) < len(self.pending):
            return  # stopped, or the storage is full: it waits
        out = ""
        for hexpdu, idx in zip(self.pending, free):
            self.stored[idx] = hexpdu
            out += '\r\n+CMTI: "SM",%d\r\n' % idx
        self.arrived.append(self.pending)
        self.pending = None
        self._write(out)

    def _run(self):
        ok_line = "\r\nOK\r\n"
        buf = b""
        next_notice = time.monotonic()
        self.next_arrival = time.monotonic()
        self.pending = None
        while not self.stop:
            if self.arrive:
                self._arrivals(time.monotonic())
            if self.flood:
                line, rate = self.flood
                now = time.monotonic()
                burst = ""
                while next_notice <= now:
                    burst += "\r\n" + line + "\r\n"
                    self.notices += 1
                    next_notice += 1.0 / rate
                if burst:
                    self._write(burst)
                wait = max(0.0, next_notice - time.monotonic())
            else:
                wait = 0.01 if self.arrive else 0.05
            r, _, _ = select.select([self.master], [], [], wait)
            if not r:
                continue
            try:
                data = os.read(self.master, 4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                time.sleep(0.01)
                continue
            buf += data
            while self.pdu_wait and (b"\x1a" in buf or b"\x1b" in buf):
                z, e = buf.find(b"\x1a"), buf.find(b"\x1b")
                if e >= 0 and (z < 0 or e < z):
                    # ESC at the prompt cancels it (TS 27.005 3.5.1): what was typed is
                    # dropped; this modem answers OK
                    buf = buf[e + 1:]
                    self.pdu_wait = None
                    self.cancelled += 1
                    self._write(ok_line)
                    continue
                pdu, buf = buf.split(b"\x1a", 1)
                pdu = pdu.strip(b"\r\n").decode("ascii", "replace").upper()
                self.pdu_wait = None
                free = [i for i in range(1, self.size + 1) if i not in self.stored]
                if not free:
                    self._write("\r\n+CMS ERROR: 322\r\n")
                    continue
                self.stored[free[0]] = pdu
                self._write("\r\n+CMGW: %d\r\n\r\nOK\r\n" % free[0])
            while not self.pdu_wait and b"\r" in buf:
                line, buf = buf.split(b"\r", 1)
                # ESC outside a prompt is ignored, as a modem's command line does
                cmd = line.replace(b"\x1b", b"").strip(b"\n").decode("ascii", "replace")
                if not cmd:
                    continue
                with self.lock:
                    self.commands.append(cmd)
                if self.delay:
                    time.sleep(self.delay)
                self._write(self._answer(cmd))
