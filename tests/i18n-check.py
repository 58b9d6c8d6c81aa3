#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every message has a zh_CN translation: po/zh_CN.po has no untranslated and no fuzzy entry,
and a template extracted now from the sources in po/POTFILES has no msgid that zh_CN.po lacks.
Then the built smsctl speaks Chinese under LANG=zh_CN.UTF-8 (skipped with a reason when the
locale is not installed) while its JSON keys and finding ids stay English.

Usage: i18n-check.py SOURCE_ROOT SMSCTL PO_BUILD_DIR [catalog|run]
  catalog (default): only the catalog checks, which need no locale.
  run: only the zh_CN run; exits 77 (skipped, for meson) when the locale is not installed.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

root, smsctl, podir = sys.argv[1:4]
part = sys.argv[4] if len(sys.argv) > 4 else "catalog"
if part not in ("catalog", "run"):
    sys.exit(f"unknown part {part!r} (catalog, run)")
errors = []


def unquote(lines):
    return "".join(json.loads(l) if l.startswith('"') else "" for l in lines)


def parse_po(path):
    """msgid -> (msgstr, fuzzy) for every entry (the header excluded)."""
    entries = {}
    with open(path, encoding="utf-8") as f:
        blocks = f.read().split("\n\n")
    for b in blocks:
        lines = [l for l in b.splitlines() if l and not l.startswith("#~")]
        fuzzy = any(l.startswith("#,") and "fuzzy" in l for l in lines)
        ctx, cur, parts = None, None, {}
        for l in lines:
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', l)
            if m:
                cur = m.group(1)
                parts[cur] = [m.group(2)]
            elif l.startswith('"') and cur:
                parts[cur].append(l)
        if "msgid" not in parts:
            continue
        mid = unquote(parts["msgid"])
        if mid == "":
            continue
        strs = [unquote(v) for k, v in parts.items() if k.startswith("msgstr")]
        entries[mid] = (strs, fuzzy)
    return entries


po = parse_po(os.path.join(root, "po", "zh_CN.po"))


def check_catalog():
    for mid, (strs, fuzzy) in po.items():
        if fuzzy:
            errors.append(f"fuzzy: {mid[:70]!r}")
        if not strs or any(s == "" for s in strs):
            errors.append(f"untranslated: {mid[:70]!r}")
        else:
            # the same printf conversions in the same order
            conv = re.compile(r"%[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t)?[diouxXcspfeEgG%]")
            want = [c for c in conv.findall(mid) if c != "%%"]
            for s in strs:
                got = [c for c in conv.findall(s) if c != "%%"]
                if got != want:
                    errors.append(f"format mismatch in {mid[:50]!r}: {want} vs {got}")

    with open(os.path.join(root, "po", "POTFILES")) as f:
        files = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "now.pot")
        subprocess.run(["xgettext", "--keyword=_", "--keyword=N_", "--from-code=UTF-8",
                        "--language=C", "-o", pot, "--directory", root, *files], check=True)
        for mid in parse_po(pot):
            if mid not in po:
                errors.append(f"missing from zh_CN.po: {mid[:70]!r}")


if part == "catalog":
    check_catalog()

# The built tool speaks Chinese; keys and ids do not change.
out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
if part == "catalog":
    pass
elif "zh_cn.utf8" not in out.replace("-", ""):
    print("SKIP the zh_CN run: locale zh_CN.UTF-8 is not installed "
          "(localedef -i zh_CN -f UTF-8 zh_CN.UTF-8)")
    sys.exit(77)
else:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k != "LANGUAGE"}
    env.update(LANG="zh_CN.UTF-8", SMSCTL_LOCALEDIR=podir)
    dev = "sim:?fault=sim_absent"
    p = subprocess.run([smsctl, "--device", dev, "diagnose"], capture_output=True, env=env,
                       text=True)
    if p.returncode != 2 or "未检测到 SIM 卡" not in p.stdout:
        errors.append(f"zh_CN diagnose: exit {p.returncode}, output {p.stdout[:300]!r}")
    p = subprocess.run([smsctl, "--json", "--device", dev, "diagnose"], capture_output=True,
                       env=env, text=True)
    doc = json.loads(p.stdout)
    if list(doc) != ["device", "worst", "root_cause", "findings"] or \
            doc["worst"] != "error" or doc["root_cause"] != "sim.absent" or \
            "sim.absent" not in [f["id"] for f in doc["findings"]]:
        errors.append(f"zh_CN JSON keys or ids changed: {p.stdout[:300]!r}")
    p = subprocess.run([smsctl, "--help"], capture_output=True, env=env, text=True)
    if not re.search(r"[\u4e00-\u9fff]", p.stdout):
        errors.append("zh_CN --help is not Chinese")
    # the library's own messages too
    p = subprocess.run([smsctl, "--device", "/dev/ttyNOSUCH9", "diagnose"], capture_output=True,
                       env=env, text=True)
    if not re.search(r"[\u4e00-\u9fff]", p.stdout):
        errors.append("zh_CN port finding is not Chinese")

for e in errors:
    print("FAIL", e)
print(f"{len(po)} messages in zh_CN.po, {len(errors)} problems")
sys.exit(1 if errors else 0)
