#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run PROGRAM [ARGS...] against a throwaway PostgreSQL 15: initdb + pg_ctl from
# /usr/lib/postgresql/15/bin (or $PG_BINDIR), data and socket directory under the current
# directory (the build tree when meson runs it), port 55432, listen_addresses='' (Unix socket
# only), as the `postgres` user when run as root. The server is stopped and removed afterwards.
# PROGRAM gets the URL in SMSCTL_TEST_PG_URL. Without the binaries: exit 77 (skipped).
# SMSCTL_PG_FSYNC=off makes the throwaway server skip fsync (tests); benchmarks keep it on.
set -u
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
port=${SMSCTL_PG_PORT:-55432}
if [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
	echo "pg-run: no PostgreSQL 15 in $bindir: skipped" >&2
	exit 77
fi
if [ "$(id -u)" = 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		echo "pg-run: running as root and no postgres user to run the server: skipped" >&2
		exit 77
	fi
	as_pg() { (cd / && runuser -u postgres -- "$@"); }
	dbuser=postgres
else
	as_pg() { "$@"; }
	dbuser=$(id -un)
fi
base=$PWD
# a Unix socket path is limited to 107 bytes
if [ ${#base} -gt 60 ]; then
	base=${TMPDIR:-/tmp}
fi
make_dir()
{
	dir=$(mktemp -d "$1/pg-test.XXXXXX") || exit 1
	chmod 755 "$dir"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$dir"
	fi
}
make_dir "$base"
# the server's user must reach the directory (a build tree under /root is not reachable)
if ! as_pg test -w "$dir"; then
	rmdir "$dir"
	make_dir "${TMPDIR:-/tmp}"
fi
cleanup()
{
	as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if ! as_pg "$bindir/initdb" -D "$dir/data" -U "$dbuser" --auth=trust -E UTF8 --locale=C.UTF-8 \
	>"$dir/initdb.log" 2>&1; then
	cat "$dir/initdb.log" >&2
	exit 1
fi
opts="-k $dir -p $port -c listen_addresses= -c fsync=${SMSCTL_PG_FSYNC:-on}"
opts="$opts -c max_connections=50 -c shared_buffers=64MB"
if ! as_pg "$bindir/pg_ctl" -D "$dir/data" -o "$opts" -l "$dir/server.log" -w -t 60 start \
	>/dev/null; then
	cat "$dir/server.log" >&2
	exit 1
fi
export SMSCTL_TEST_PG_URL="postgresql://$dbuser@/postgres?host=$dir&port=$port"
"$@"
rc=$?
if [ $rc != 0 ] && [ $rc != 77 ]; then
	echo "--- PostgreSQL server log (tail) ---" >&2
	tail -n 30 "$dir/server.log" >&2
fi
exit $rc
