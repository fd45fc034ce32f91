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
#
# tests/run.sh counts the ok and FAIL lines; a suite exits with $bad.
bad=0
pids=()

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
