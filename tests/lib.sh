# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - what the test suites share, sourced after setting SUITE (the
# prefix of their lines, may be empty) and T (their temporary directory):
#
#   ok MESSAGE                 "ok   SUITE: MESSAGE"
#   fail MESSAGE [DETAIL]      "FAIL SUITE: MESSAGE", DETAIL indented; bad=1
#   free_port                  a TCP port on 127.0.0.1 nobody listens on now
#   wait_for PATTERN FILE [S]  up to S seconds (5) for PATTERN (grep -E) in FILE
#   pids+=(PID)                processes that cleanup_pids ends (TERM, then KILL)
#   cleanup_pids               the EXIT trap: ends pids, keeps $T if a check failed
#   suite_tmp PARENT NAME [P]  T, a new PARENT/NAME.XXXXXX; cleanup_pids at exit
#   capturing PID              the live framecap PID is taking packets
#   wait_capturing PID...      each live framecap is taking packets (or ended)
#   pcap_repeat IN OUT N       a classic pcap with its records N times over
#   expect_refused MSG RE CMD  CMD exits 2 saying RE: ok MSG
#   oracle_agrees CAP ...      framecap's frame count is tshark's, no diagnosis
#
# B (the build directory) defaults to build. tests/run.sh counts the ok and
# FAIL lines; a suite exits with $bad.
bad=0
pids=()
B=${B:-build}
# Debian's programs first, as in tests/run.sh (a python3 shim is slow).
export PATH=/usr/bin:/bin:$PATH

ok()   { echo "ok   ${SUITE:+$SUITE: }$1"; }
fail() {
	bad=1
	echo "FAIL ${SUITE:+$SUITE: }$1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | head -30 | sed 's/^/     /'
	return 0
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() {
	local tenths=$(( ${3:-5} * 10 ))
	for _ in $(seq "$tenths"); do
		grep -qE -- "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# suite_tmp PARENT NAME [PROGRAM...]: T, a new directory
# PARENT/NAME.XXXXXX, and each PROGRAM built (need_built), or the suite
# fails now; the EXIT trap (also on INT and TERM) ends pids and removes T
# when every check passed.
suite_tmp() {
	mkdir -p "$1"
	T=$(mktemp -d "$1/$2.XXXXXX") && [ -d "$T" ] || { fail "$2: temporary directory"; exit 1; }
	trap cleanup_pids EXIT
	trap 'exit 1' INT TERM
	shift 2
	need_built "$@"
}

# capturing PID: the live framecap PID takes packets: one of its sockets
# is a packet socket bound to every protocol (ETH_P_ALL, "0003" in
# /proc/net/packet). libpcap opens the socket first and binds it only once
# the ring is allocated, which takes 0.3 s or more for -B 65536: a socket
# in /proc/PID/fd alone does not mean packets are being taken.
capturing() {
	local inodes
	inodes=$(ls -l "/proc/$1/fd" 2> /dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
	[ -n "$inodes" ] || return 1
	awk -v want=" $inodes" 'NR > 1 && $4 == "0003" && index(want, " " $9 " ") { found = 1 }
		END { exit !found }' /proc/net/packet
}

# wait_capturing PID...: up to 10 s each for the live framecap PID to be
# capturing (see capturing) or to have ended; then 0.1 s more for its
# filter to be attached.
wait_capturing() {
	local pid
	for pid in "$@"; do
		for _ in $(seq 100); do
			kill -0 "$pid" 2> /dev/null || break
			capturing "$pid" && break
			sleep 0.1
		done
	done
	sleep 0.1
}

# expect_refused MESSAGE PATTERN COMMAND...: COMMAND exits 2 (a usage
# error) saying something that matches PATTERN (grep -E): ok MESSAGE; or a
# failure with its exit status and what it said.
expect_refused() {
	local msg=$1 pattern=$2 out rc=0
	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" = 2 ] && grep -qE -- "$pattern" <<< "$out"; then
		ok "$msg"
	else
		fail "$msg (exit $rc, expected 2 and /$pattern/)" "$out"
	fi
}

# oracle_agrees CAP RC ERR GOT WANT WHAT DIAGS MESSAGE [PROBLEM]: the
# verdict on a capture framecap decoded (exit RC, its stderr in ERR) into
# GOT frames where tshark counts WANT of WHAT: framecap exited 0, tshark
# found some, the counts agree, PROBLEM (a failure found by the caller)
# is empty and DIAGS (the diagnoses framecap made) too: ok MESSAGE.
oracle_agrees() {
	local cap=$1 rc=$2 err=$3 got=$4 want=$5 what=$6 diags=$7
	if [ "$rc" -ne 0 ] || [ -z "$got" ]; then
		fail "$cap: framecap exited $rc" "$(cat "$err")"
	elif [ "${want:-0}" -eq 0 ]; then
		fail "$cap: tshark found no $what (the oracle is broken)"
	elif [ "$got" != "$want" ]; then
		fail "$cap: framecap $got, tshark $want $what"
	elif [ -n "${9:-}" ]; then
		fail "$cap: $9"
	elif [ -n "$diags" ]; then
		fail "$cap: false alarm" "$diags"
	else
		ok "$8"
	fi
}

# pcap_repeat IN OUT N: OUT, the classic pcap IN with its records N times
# over, one copy after another.
pcap_repeat() {
	local i
	{
		cat "$1"
		for i in $(seq 2 "$3"); do tail -c +25 "$1"; done
	} > "$2"
}

cleanup_pids() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	[ ${#pids[@]} -gt 0 ] && sleep 0.2
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ "$bad" = 0 ]; then rm -rf "$T"; else echo "     (logs kept in $T)"; fi
}

# need_built PROGRAM...: each is built in $B, or the suite fails now.
need_built() {
	local f
	for f in "$@"; do
		[ -x "$B/$f" ] || { fail "$B/$f is built (make)"; exit 1; }
	done
}

# need_fds N: this shell may open N files (raising the soft limit), or the
# suite fails now.
need_fds() {
	if [ "$(ulimit -n)" -lt "$1" ] && ! ulimit -n "$1" 2>/dev/null; then
		fail "ulimit -n $1 (have $(ulimit -n), hard limit $(ulimit -Hn))"
		exit 1
	fi
}

# serve NAME [ADDR] -- [server options]: framecap-server on a free port
# of ADDR (127.0.0.1, or ::1), PORT; its pid in SPID, its log $T/NAME.log.
serve() {
	local name=$1 host=127.0.0.1 listen
	shift
	if [ "${1:-}" != -- ]; then host=$1; shift; fi
	shift
	PORT=$(free_port)
	listen="$host:$PORT"
	[ "$host" = "::1" ] && listen="[::1]:$PORT"
	"$B"/framecap-server -l "$listen" "$@" > "$T/$name.log" 2>&1 &
	SPID=$!
	pids+=("$SPID")
	wait_for listening "$T/$name.log"
}

# stop_server: SIGTERM, then its exit status in SSTATUS.
stop_server() {
	kill -TERM "$SPID" 2>/dev/null
	SSTATUS=0
	wait "$SPID" || SSTATUS=$?
}
