#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The generated smsctl.pc: a URL is the project's real home or absent, never a placeholder
(example.invalid, the RFC 2606 / RFC 6761 reserved names).

Usage: check-pkgconfig.py BUILD_ROOT/meson-private/smsctl.pc
"""
import re
import sys
from urllib.parse import urlparse

path = sys.argv[1]
try:
    text = open(path, encoding="utf-8").read()
except OSError as e:
    print("skip: %s: %s" % (path, e))
    sys.exit(77)

fields = dict(re.findall(r"^([A-Za-z.]+):\s*(.*)$", text, re.M))
failures = 0
if fields.get("Name") != "smsctl" or "Libs" not in fields:
    print("FAIL: %s is not the smsctl pkg-config file" % path)
    failures += 1
url = fields.get("URL")
if url is None:
    print("ok: no URL")
else:
    host = (urlparse(url).hostname or "").lower()
    reserved = host in ("example.com", "example.org", "example.net", "localhost") or any(
        host == t[1:] or host.endswith(t) for t in (".invalid", ".example", ".test", ".localhost"))
    if urlparse(url).scheme != "https" or not host or reserved:
        print("FAIL: URL %r is a placeholder, not the project's home" % url)
        failures += 1
    else:
        print("ok: URL %s" % url)
sys.exit(1 if failures else 0)
