#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Test of the bash completion: sources it (once alone, once after the bash-completion
# package's helpers when they are installed) and checks what a set of command lines
# complete to. Usage: test-completion.sh PATH/TO/completions/smsctl
set -u

completion=${1:?usage: $0 COMPLETION-FILE}
fail=0
total=0

# complete LINE: run the completion as readline would with the cursor at the end of LINE;
# the candidates are left in COMPREPLY. Runs in this shell: no subshell per check.
complete_line()
{
	COMP_LINE=$1
	COMP_POINT=${#1}
	COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
	COMPREPLY=()
	_smsctl
}

# has WORD: WORD is one of the candidates
has()
{
	local c
	for c in "${COMPREPLY[@]}"; do
		[[ $c == "$1" ]] && return 0
	done
	return 1
}

report()
{
	fail=$((fail + 1))
	printf 'FAIL [%s] %q: %s; got: %s\n' "$mode" "$1" "$2" "${COMPREPLY[*]}"
}

# expect LINE WORD...: the candidates are exactly WORD... (order does not matter)
expect()
{
	local line=$1 w
	shift
	total=$((total + 1))
	complete_line "$line"
	for w in "$@"; do
		has "$w" || { report "$line" "want $*"; return; }
	done
	[[ ${#COMPREPLY[@]} -eq $# ]] || report "$line" "want exactly $*"
}

# expect_has LINE WORD...: the candidates include every WORD
expect_has()
{
	local line=$1 w
	shift
	total=$((total + 1))
	complete_line "$line"
	for w in "$@"; do
		has "$w" || { report "$line" "missing $w"; return; }
	done
}

# expect_none LINE: no candidate at all
expect_none()
{
	total=$((total + 1))
	complete_line "$1"
	[[ ${#COMPREPLY[@]} -eq 0 ]] || report "$1" "expected nothing"
}

run_cases()
{
	# commands and global options
	expect_has 'smsctl ' send recv list read delete status info diagnose ports at pdu help
	expect 'smsctl dia' diagnose
	expect 'smsctl s' send status sim
	expect 'smsctl sim --c' --control --count
	expect 'smsctl --dev' --device
	expect 'smsctl --j' --json
	expect 'smsctl -d sim: dia' diagnose
	expect 'smsctl --timeout 5 --device sim: se' send
	expect_none 'smsctl --timeout '
	expect 'smsctl help di' diagnose
	expect_none 'smsctl frobnicate --x'

	# per-command options, also after global options and late globals
	expect 'smsctl send --re' --report --retries
	expect 'smsctl --json send --fl' --flash
	expect 'smsctl send +8613800138000 --w' --wait-report
	expect 'smsctl recv --f' --follow
	expect 'smsctl recv --d' --delete --direct
	expect 'smsctl diagnose --no' --no-probe
	expect_none 'smsctl recv --max-age '
	expect 'smsctl recv --storage ' SM ME MT SR
	expect 'smsctl delete --a' --all
	expect 'smsctl ports --p' --probe --probe-timeout --prefix
	expect 'smsctl diagnose --j' --json
	expect 'smsctl pdu ' decode encode
	expect 'smsctl pdu encode --u' --ucs2
	expect 'smsctl pdu encode --class ' 0 1 2 3
	expect 'smsctl pdu decode --n' --no-smsc

	# --device: simulated modem profiles (readline replaces what follows the ':')
	expect 'smsctl --device si' sim: 'sim:?fault='
	expect 'smsctl --device sim:hu' huawei 'huawei?fault='
	expect 'smsctl -d sim:q' quectel 'quectel?fault='
	expect 'smsctl --device=sim:ci' cinterion 'cinterion?fault='
	expect 'smsctl --device tc' tcp:
	# keys, and fault names after fault= and after each comma (',' is no word break)
	expect 'smsctl --device sim:huawei?pi' 'huawei?pin='
	expect 'smsctl --device sim:huawei?p' 'huawei?pin=' 'huawei?puk=' 'huawei?pdu='
	expect 'smsctl --device sim:?fault=sim_p' sim_pin sim_puk
	expect 'smsctl --device sim:generic?fault=no_signal,wea' 'no_signal,weak_signal'
	expect 'smsctl --device sim:?fault=send_f' send_fail: send_fail_once:
	expect 'smsctl --device sim:?pin=1234&fault=unp' unplug
	# quoted: readline completes the whole word inside the quote
	expect "smsctl --device 'sim:?fault=den" 'sim:?fault=denied'
	expect_has 'smsctl --device sim:?fault=' sim_absent sim_busy no_signal weak_signal \
		not_registered searching denied roaming smsc_missing storage_full send_timeout \
		slow hang garbage urc_storm bare_prompt reboot unplug

	# serial ports that exist are offered (none may exist on a build machine)
	local f
	for f in /dev/ttyUSB* /dev/ttyACM*; do
		[[ -e $f ]] && expect_has 'smsctl --device /dev/tty' "$f"
	done
}

mode=plain
# shellcheck source=/dev/null
source "$completion" || exit 1
run_cases

for helpers in /usr/share/bash-completion/bash_completion; do
	[[ -r $helpers ]] || continue
	mode=bash-completion
	# shellcheck source=/dev/null
	source "$helpers" >/dev/null 2>&1
	source "$completion" || exit 1
	run_cases
done

if [[ $(complete -p smsctl 2>/dev/null) != 'complete -F _smsctl smsctl' ]]; then
	echo "FAIL: the completion is not registered for smsctl"
	fail=$((fail + 1))
fi

echo "$((total - fail))/$total completion checks passed"
[[ $fail -eq 0 ]]
