#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check that the manual page and the bash completion cover the command line as built.

Usage: check-cli-docs.py SMSCTL MAN-SOURCE COMPLETION

Runs the built `smsctl --help` and `smsctl COMMAND --help`, and checks that
  - every command has a section (or an entry) in smsctl.1.scd and is completed,
  - every long option of every command and every global option is in the manual page and
    is completed,
  - every exit code of the --help table is in the manual's EXIT STATUS table.
"""
import os
import re
import subprocess
import sys


def run_help(smsctl, args):
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="", NO_COLOR="1")
    env.pop("SMSCTL_DEVICE", None)
    p = subprocess.run([smsctl] + args, capture_output=True, text=True, env=env, timeout=30)
    if p.returncode != 0:
        raise SystemExit(f"FAIL: smsctl {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p.stdout


def long_options(text):
    return set(re.findall(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*)", text))


def main():
    smsctl, man_path, completion_path = sys.argv[1:4]
    man = open(man_path, encoding="utf-8").read()
    completion = open(completion_path, encoding="utf-8").read()
    problems = []

    top = run_help(smsctl, ["--help"])
    m = re.search(r"^Commands:\n((?:  \S.*\n)+)", top, re.M)
    if not m:
        raise SystemExit("FAIL: no 'Commands:' list in smsctl --help")
    commands = [line.split()[0] for line in m.group(1).splitlines()]

    # global options: the part of --help before the command list
    for opt in sorted(long_options(top[: m.start()])):
        if f"*{opt}*" not in man:
            problems.append(f"global option {opt} is not in the manual page")
        if opt not in completion:
            problems.append(f"global option {opt} is not completed")

    man_commands = set(re.findall(r"^## (.+)$", man, re.M))
    man_words = set()
    for heading in man_commands:
        man_words.update(w.strip() for w in heading.split(","))
    for cmd in commands:
        if cmd not in man_words and f"\n*{cmd}* " not in man:
            problems.append(f"command {cmd} has no section in the manual page")
        if not re.search(rf"_smsctl_commands='[^']*\b{re.escape(cmd)}\b", completion):
            problems.append(f"command {cmd} is not completed")
        if cmd == "help":
            continue
        text = run_help(smsctl, [cmd, "--help"])
        subcommands = [cmd]
        if cmd == "pdu":
            subcommands = ["pdu decode", "pdu encode"]
            text = "".join(run_help(smsctl, s.split() + ["--help"]) for s in subcommands)
        for opt in sorted(long_options(text) - {"--help"}):
            if f"*{opt}*" not in man:
                problems.append(f"{cmd}: option {opt} is not in the manual page")
            if opt not in completion:
                problems.append(f"{cmd}: option {opt} is not completed")

    # exit codes: "  64  usage error" lines of --help against the manual's table rows "|  64"
    exit_section = man[man.find("# EXIT STATUS"):]
    for code in re.findall(r"^\s{1,3}(\d{1,3})\s{2}\S", top, re.M):
        if not re.search(rf"^\|\s+{code}$", exit_section, re.M):
            problems.append(f"exit code {code} is not in the manual's EXIT STATUS table")

    for p in problems:
        print("FAIL:", p)
    print(f"{len(commands)} commands checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
