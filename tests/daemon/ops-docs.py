#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The production guides' commands (docs/production.md, docs/production.zh_CN.md), run in
the order written against simulated modems (issue 17).

Each ```sh block runs with bash -e -o pipefail, unless an HTML comment
`<!-- test: skip (REASON) -->` stands right before it (the reason is printed). The machine
is simulated in a temporary root: /etc, /var/lib/smsctl, /var/backups, /run/smsctl and
/usr/share/doc/smsctld in the commands point into it, port 8750 becomes a free port. What
only exists on an installed system is played by small stand-ins in front of PATH:
`apt-get install` lays out what the package installs (the packaged smsctld.conf, a random
token 0640, the examples) and starts the daemon; `systemctl` starts, reloads (SIGHUP),
restarts and stops the built smsctld and reports its state; `journalctl` prints its log;
`chown` to the group smsctl works where the group exists and is noted where it does not;
`smsctld` without --config reads the configuration of the temporary root. smsctl, curl,
sed, sqlite3 and promtool (when installed) are the real programs. The two guides must hold
the same commands; the outputs of the key commands are checked.

Usage: ops-docs.py SMSCTLD SMSCTL SOURCE-ROOT
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ops_common import check, finish, free_port  # noqa: E402

SMSCTLD, SMSCTL, SRC = (os.path.abspath(a) for a in sys.argv[1:4])
DOCS = [os.path.join(SRC, "docs", "production.md"),
        os.path.join(SRC, "docs", "production.zh_CN.md")]

for prog in ("curl", "sqlite3", "bash", "sed"):
    if not shutil.which(prog):
        print(f"{prog} is not installed: skipped")
        sys.exit(77)

BLOCK = re.compile(r"(<!-- test: skip \(([^)]*)\) -->\n)?```sh\n(.*?)```", re.S)

# What the output of a command must show (a regex), keyed by a piece of the command.
EXPECT = {
    "systemctl status smsctld": r"active \(running\)",
    "cat /etc/smsctl/api-tokens": r"(?m)^admin:[0-9a-f]{64}$",
    "/readyz": r'"status":\s*"not_ready"',
    "smsctl queue list --limit 5": r"\bsent\b",
    "/metrics | grep": r'smsctl_modem_state\{modem="slot1",state="gone"\} 1',
    "promtool check rules": r"SUCCESS|promtool is not installed",
    "journalctl -u smsctld": r"smsctld: started",
    "SELECT state, count(*)": r"(?m)^sent\|1$",
    "smsctl queue list --state unknown": r"^$",
}

STUB_SYSTEMCTL = r"""#!/bin/bash
# test stand-in for systemctl: the built smsctld as the service smsctld
root=@ROOT@
pidf=$root/run/smsctld.pid
log=$root/var/log/smsctld.log
running() { [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }
start() {
	@SMSCTLD@ --config "$root/etc/smsctl/smsctld.conf" >>"$log" 2>&1 &
	echo $! >"$pidf"
	for i in $(seq 100); do
		[ -S "$root/run/smsctl/api.sock" ] && running && return 0
		running || break
		sleep 0.1
	done
	echo "smsctld did not start" >&2; cat "$log" >&2; return 1
}
stop() {
	running || return 0
	kill -TERM "$(cat "$pidf")"
	for i in $(seq 300); do running || { rm -f "$pidf"; return 0; }; sleep 0.1; done
	return 1
}
cmd=$1; shift
case "$cmd" in
start) running || start ;;
stop) stop ;;
restart) stop && start ;;
reload) kill -HUP "$(cat "$pidf")"; sleep 0.5 ;;
daemon-reload|enable) ;;
status)
	if running; then
		echo "* smsctld.service - smsctl SMS spool daemon"
		echo "     Active: active (running) (test stand-in, pid $(cat "$pidf"))"
	else
		echo "     Active: inactive (dead)"; exit 3
	fi ;;
*) echo "systemctl (test): $cmd not played" >&2; exit 1 ;;
esac
"""

STUB_APT = r"""#!/bin/bash
# test stand-in for apt-get install smsctl smsctld: what the package lays out
set -e
root=@ROOT@
mkdir -p "$root/etc/smsctl" "$root/var/lib/smsctl" "$root/run/smsctl" "$root/var/log" \
	"$root/usr/share/doc/smsctld/examples" "$root/etc/prometheus" "$root/var/backups"
sed -e "s|/etc/|$root/etc/|g" -e "s|/var/lib/smsctl|$root/var/lib/smsctl|g" \
	-e "s|/run/smsctl|$root/run/smsctl|g" -e "s|127.0.0.1:8750|127.0.0.1:@PORT@|g" \
	@SRC@/daemon/smsctld.conf >"$root/etc/smsctl/smsctld.conf"
(umask 0137; printf '# test\nadmin:%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" \
	>"$root/etc/smsctl/api-tokens")
cp @SRC@/examples/prometheus/smsctl-alerts.yml @SRC@/examples/grafana/smsctl.json \
	@SRC@/examples/smsctld/postgresql-three-hosts.conf "$root/usr/share/doc/smsctld/examples/"
systemctl start smsctld
"""

STUB_JOURNALCTL = r"""#!/bin/sh
cat @ROOT@/var/log/smsctld.log
"""

STUB_CHOWN = r"""#!/bin/sh
/bin/chown "$@" 2>/dev/null && exit 0
echo "chown (test): no user or group smsctl on this machine, ownership not set" >&2
"""

STUB_SMSCTLD = r"""#!/bin/sh
case " $* " in *" --config "*|*" --copy-store "*) exec @SMSCTLD@ "$@" ;; esac
exec @SMSCTLD@ --config @ROOT@/etc/smsctl/smsctld.conf "$@"
"""

STUB_PROMTOOL = r"""#!/bin/sh
echo "promtool is not installed (test): the rules are checked by ops-metrics when it is"
"""


def rewrite(cmd, root, port):
    for a, b in (("/usr/share/doc/smsctld", root + "/usr/share/doc/smsctld"),
                 ("/etc/", root + "/etc/"), ("/var/lib/smsctl", root + "/var/lib/smsctl"),
                 ("/var/backups", root + "/var/backups"), ("/run/smsctl", root + "/run/smsctl"),
                 ("127.0.0.1:8750", f"127.0.0.1:{port}")):
        cmd = cmd.replace(a, b)
    return cmd


def blocks(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return [(m.group(2), m.group(3)) for m in BLOCK.finditer(text)]


def normalise(cmd):
    return re.sub(r'"[^"]*"', '""', cmd)


def run_doc(path):
    name = os.path.basename(path)
    tmp = tempfile.mkdtemp(prefix="ops-docs-")
    root = os.path.join(tmp, "r")
    bindir = os.path.join(tmp, "bin")
    os.makedirs(os.path.join(root, "run"))
    os.makedirs(bindir)
    port = free_port()
    subst = {"@ROOT@": root, "@SMSCTLD@": SMSCTLD, "@SRC@": SRC, "@PORT@": str(port)}
    stubs = {"systemctl": STUB_SYSTEMCTL, "apt-get": STUB_APT, "journalctl": STUB_JOURNALCTL,
             "chown": STUB_CHOWN, "smsctld": STUB_SMSCTLD}
    if not shutil.which("promtool"):
        stubs["promtool"] = STUB_PROMTOOL
    for prog, text in stubs.items():
        for k, v in subst.items():
            text = text.replace(k, v)
        p = os.path.join(bindir, prog)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o755)
    os.symlink(SMSCTL, os.path.join(bindir, "smsctl"))
    env = dict(os.environ, PATH=bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
               SMSCTL_SERVER=f"unix:{root}/run/smsctl/api.sock", LC_ALL="C.UTF-8")
    env.pop("SMSCTL_TOKEN", None)
    ok = True
    try:
        for i, (skip, cmd) in enumerate(blocks(path), 1):
            first = cmd.strip().split("\n")[0]
            if skip:
                print(f"[{name}] block {i} skipped ({skip}): {first}", flush=True)
                continue
            r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", rewrite(cmd, root, port)],
                               capture_output=True, encoding="utf-8", errors="replace",
                               env=env, cwd=tmp, timeout=120)
            ok &= check(r.returncode == 0, f"[{name}] block {i} exits 0: {first}")
            if r.returncode != 0:
                print(r.stdout[-2000:], r.stderr[-2000:], sep="\n--- stderr:\n")
            for line in cmd.strip().split("\n"):
                for key, rx in EXPECT.items():
                    if key in line:
                        ok &= check(re.search(rx, r.stdout) is not None,
                                    f"[{name}] `{line.strip()[:60]}` shows {rx}")
                        if re.search(rx, r.stdout) is None:
                            print(r.stdout[-1500:])
    finally:
        subprocess.run([os.path.join(bindir, "systemctl"), "stop", "smsctld"], env=env)
        if not ok:
            try:
                with open(os.path.join(root, "var/log/smsctld.log")) as f:
                    print(f.read()[-3000:])
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    en, zh = (blocks(p) for p in DOCS)
    check([(s, normalise(c)) for s, c in en] == [(s, normalise(c)) for s, c in zh],
          "both guides hold the same commands in the same order")
    check(len([1 for s, _ in en if not s]) >= 10, "the guide has commands to run")
    for p in DOCS:
        run_doc(p)
    finish()


if __name__ == "__main__":
    main()
