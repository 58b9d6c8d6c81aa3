#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`smsctl send` (issue 12, items 4 and 5), end to end on sim:.

4. `send --json` prints exactly one JSON object whatever happens, failures before
   submission included: {"sent": false, ..., "error": {"code", "exit", "message"}}, the exit
   code unchanged.
5. Empty text refused (65, nothing sent) unless --allow-empty; more than --max-parts parts
   (default 10) refused with 65 naming the part count; --max-parts 255 allows the maximum;
   stdin read with a bound: a 100 MB pipe is refused without being read, with no more memory
   than a 10-part message.

Usage: test-send-json.py PATH/TO/smsctl
"""
import json
import os
import subprocess
import sys
import tempfile
import threading

SMSCTL = sys.argv[1]
NUMBER = "+31612345678"
FAILURES = []


def env(extra=None):
    e = dict(os.environ)
    for k in ("SMSCTL_DEVICE", "SMSCTL_PIN"):
        e.pop(k, None)
    e.update({"NO_COLOR": "1", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "LANGUAGE": ""})
    e.update(extra or {})
    return e


def run(args, stdin=None, extra=None, timeout=120):
    p = subprocess.run([SMSCTL] + args, input=stdin, capture_output=True, env=env(extra),
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)[:600]))
    if not cond:
        FAILURES.append(name)


def one_object(out):
    lines = out.splitlines()
    if len(lines) != 1:
        return None
    try:
        return json.loads(lines[0])
    except ValueError:
        return None


# ---- 4: one object, whatever fails ----
tmp = tempfile.mkdtemp()
loose_pin = os.path.join(tmp, "pin")
with open(loose_pin, "w") as f:
    f.write("1234\n")
os.chmod(loose_pin, 0o644)
CASES = [  # name, args, expected exit
    ("SIM absent", ["--device", "sim:?fault=sim_absent", "send", "--json", NUMBER, "hi"], 20),
    ("PIN needed, none given", ["--device", "sim:?fault=sim_pin", "send", "--json", NUMBER, "hi"], 20),
    ("PUK needed", ["--device", "sim:?fault=sim_puk", "send", "--json", NUMBER, "hi"], 20),
    ("port not found", ["--device", "/dev/nonexistent-smsctl", "send", "--json", NUMBER, "hi"], 10),
    ("not a tty", ["--device", "/dev/null", "send", "--json", NUMBER, "hi"], 10),
    ("no answer", ["--timeout", "1", "--device", "sim:?fault=hang", "send", "--json", NUMBER, "hi"], 12),
    ("no device", ["send", "--json", NUMBER, "hi"], 64),
    ("bad number", ["--device", "sim:", "send", "--json", "12ab", "hi"], 64),
    ("number too long", ["--device", "sim:", "send", "--json", "1" * 21, "hi"], 64),
    ("unknown option", ["--device", "sim:", "send", "--json", "--bogus", NUMBER, "hi"], 64),
    ("bad --max-parts", ["--device", "sim:", "send", "--json", "--max-parts", "0", NUMBER, "hi"], 64),
    ("unknown sim: fault", ["--device", "sim:?fault=bogus", "send", "--json", NUMBER, "hi"], 64),
    ("PIN file readable by others", ["--device", "sim:?fault=sim_pin", "--pin-file", loose_pin,
                                     "send", "--json", NUMBER, "hi"], 64),
    ("empty text", ["--device", "sim:", "send", "--json", NUMBER, ""], 65),
    ("not UTF-8", ["--device", "sim:", "send", "--json", NUMBER, "-"], 65),
    ("json after the text", ["--device", "sim:?fault=sim_absent", "send", NUMBER, "hi", "--json"], 20),
    ("global --json", ["--json", "--device", "sim:?fault=sim_absent", "send", NUMBER, "hi"], 20),
]
for name, args, code in CASES:
    rc, out, err = run(args, stdin=b"\xff\xfe" if args[-1] == "-" else None)
    j = one_object(out)
    first = err.splitlines()[0] if err else ""
    ok = (rc == code and j is not None and j.get("sent") is False and isinstance(j.get("error"), dict)
          and j["error"].get("exit") == rc and isinstance(j["error"].get("code"), str)
          and j["error"]["code"].startswith("SMSCTL_ERR_") and j["error"].get("message")
          and first == "smsctl: send: " + j["error"]["message"] and j.get("parts") == [])
    check("--json %s: exit %d and one object {sent: false, error: {code, exit, message}}" %
          (name, code), ok, (rc, out, err))
os.unlink(loose_pin)
os.rmdir(tmp)

rc, out, err = run(["--device", "sim:", "send", "--json", NUMBER, "hi"])
j = one_object(out)
check("--json success: sent true, error null",
      rc == 0 and j and j["sent"] is True and j["error"] is None and len(j["parts"]) == 1, out)
rc, out, err = run(["--device", "sim:?fault=send_fail:96", "send", "--json", "--retries", "0",
                    NUMBER, "hi"])
j = one_object(out)
check("--json after submission: the same error keys",
      rc == 30 and j and j["sent"] is False and j["error"]["exit"] == 30
      and j["error"]["code"] == "SMSCTL_ERR_REJECTED" and j["error"]["modem_code"] == 96
      and j["error"]["message"], out)
rc, out, err = run(["--device", "sim:", "send", "--help", "--json"])
check("--help with --json prints the help", rc == 0 and out.startswith("Usage:"), (rc, out))

# ---- 5: empty text, --max-parts, the stdin bound ----
def modem_touched(err):
    return any(l.startswith("> ") for l in err.splitlines())


for args, stdin, what in ((["", ], None, "argument"), (["-"], b"", "stdin")):
    rc, out, err = run(["-v", "--device", "sim:", "send", NUMBER] + args, stdin=stdin)
    check("empty text (%s): 65, the modem untouched" % what,
          rc == 65 and "empty" in err and not modem_touched(err) and out == "", (rc, err))
rc, out, err = run(["--device", "sim:", "send", "--json", "--allow-empty", NUMBER, ""])
j = one_object(out)
check("--allow-empty sends one empty part", rc == 0 and j and len(j["parts"]) == 1, (rc, out, err))

one_part = 153  # GSM 7-bit characters per part of a concatenated message
for n, opts, code in ((10, [], 0), (11, [], 65), (3, ["--max-parts", "2"], 65),
                      (2, ["--max-parts", "2"], 0), (255, ["--max-parts", "255"], 0),
                      (256, ["--max-parts", "255"], 65)):
    text = "a" * (one_part * n)
    rc, out, err = run(["-v", "--device", "sim:", "send", "--json"] + opts + [NUMBER, "-"],
                       stdin=text.encode(), timeout=600)
    j = one_object(out)
    if code == 0:
        check("%d parts %s: sent" % (n, " ".join(opts)),
              rc == 0 and j and len(j["parts"]) == n, (rc, out[-200:], err[-300:]))
    else:
        said = ("%d parts" % n) in err if n <= 255 else "255 parts" in err
        check("%d parts %s: 65 naming the part count, nothing sent" % (n, " ".join(opts)),
              rc == 65 and said and not modem_touched(err) and j and j["sent"] is False
              and j["error"]["exit"] == 65, (rc, out, err[-300:]))
text = "\u4f60\u597d" * (67 * 11 // 2 + 1)  # UCS-2: 67 characters a part, so 12 parts
rc, out, err = run(["--device", "sim:", "send", NUMBER, text])
check("UCS-2 text of 12 parts: 65 naming 12 parts", rc == 65 and "12 parts" in err, (rc, err))


def peak_rss(args, feed_bytes):
    """Run smsctl with feed_bytes of 'a' written to its stdin; return (exit, kB peak RSS,
    bytes the pipe took)."""
    p = subprocess.Popen([SMSCTL] + args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env())
    written = [0]

    def feed():
        chunk = b"a" * 65536
        try:
            while written[0] < feed_bytes:
                n = min(len(chunk), feed_bytes - written[0])
                p.stdin.write(chunk[:n])
                written[0] += n
            p.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            pass

    t = threading.Thread(target=feed)
    t.start()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    t.join()
    return p.returncode, ru.ru_maxrss, written[0]


rc10, rss10, _ = peak_rss(["--device", "sim:", "send", NUMBER, "-"], one_part * 10)
rc_big, rss_big, took = peak_rss(["--device", "sim:", "send", NUMBER, "-"], 100 * 1000 * 1000)
check("a 10-part message from stdin is sent", rc10 == 0, rc10)
check("a 100 MB pipe is refused (65) before it is read (%d bytes taken)" % took,
      rc_big == 65 and took < 100 * 1000 * 1000, (rc_big, took))
check("a 100 MB pipe costs no more memory than a 10-part message (%d kB vs %d kB)" %
      (rss_big, rss10), rss_big <= rss10 + 2048, (rss_big, rss10))

print("%d failure(s)" % len(FAILURES))
sys.exit(1 if FAILURES else 0)
