#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The unit smsctld.service (issue 17): `systemd-analyze verify` and
# `systemd-analyze security --offline=yes` with an overall exposure of at most 2.5, plus the
# directives the issue lists. Skipped (77) without systemd-analyze.
# Usage: ops-unit.sh UNIT SMSCTLD
set -eu
unit=$1 smsctld=$2
command -v systemd-analyze >/dev/null 2>&1 || { echo "no systemd-analyze: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# verify wants ExecStart to exist: the built daemon stands in for /usr/sbin/smsctld
sed "s|^ExecStart=.*|ExecStart=$smsctld|" "$unit" >"$tmp/smsctld.service"
systemd-analyze verify "$tmp/smsctld.service"
echo "ok: systemd-analyze verify"
out=$(systemd-analyze security --offline=yes "$tmp/smsctld.service" 2>&1)
level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for smsctld.service: \([0-9.]*\).*/\1/p')
[ -n "$level" ] || { printf '%s\n' "$out"; echo "FAIL: no exposure level printed"; exit 1; }
awk -v l="$level" 'BEGIN { exit !(l <= 2.5) }' || { printf '%s\n' "$out"; echo "FAIL: exposure $level > 2.5"; exit 1; }
echo "ok: overall exposure $level <= 2.5"
for d in Type=notify ExecReload=/bin/kill\ -HUP\ \$MAINPID Restart=on-failure WatchdogSec=30 \
	User=smsctl Group=smsctl SupplementaryGroups=dialout StateDirectory=smsctl \
	RuntimeDirectory=smsctl ConfigurationDirectory=smsctl DevicePolicy=closed \
	'DeviceAllow=char-ttyUSB rw' 'DeviceAllow=char-ttyACM rw' ProtectSystem=strict \
	ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes CapabilityBoundingSet= \
	'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' SystemCallFilter=@system-service \
	SystemCallArchitectures=native MemoryDenyWriteExecute=yes LockPersonality=yes \
	RestrictRealtime=yes RestrictNamespaces=yes ProtectKernelTunables=yes \
	ProtectKernelModules=yes ProtectKernelLogs=yes ProtectControlGroups=yes ProtectClock=yes \
	ProtectHostname=yes UMask=0027; do
	grep -qxF "$d" "$unit" || { echo "FAIL: the unit lacks '$d'"; exit 1; }
done
grep -q '^ExecStart=/.*/smsctld$' "$unit" || { echo "FAIL: ExecStart"; exit 1; }
# Documentation= carries only URLs (CONTRACTS)
if grep '^Documentation=' "$unit" | tr ' ' '\n' | sed 's/^Documentation=//' | grep -v '^https\?://' | grep -q .; then
	echo "FAIL: Documentation= has something other than a URL"; exit 1
fi
echo "ok: the directives of the issue"
