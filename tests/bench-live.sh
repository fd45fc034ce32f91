#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench-live.sh - the live rate: framecap -i lo --json, then tcpdump -w, each
# capturing the same traffic from the reference client through lo at rising
# rates, with the drops libpcap reports at the end of each run.
#
#   sudo tests/bench-live.sh        (after make; about 90 s; never over 2 min)
#
# Traffic: framecap-server in echo mode, framecap-client sending frames of
# 100 to 1000 bytes, BURST frames per write() and a write every millisecond
# (the client's --delay 1: about 1,000 writes a second, so about 1,000 x
# BURST frames a second each way), for SECONDS; the last step, "max",
# writes 8 frames at a time with no pause at all (as fast as it can).
# Both write to /dev/null (framecap its JSON lines, tcpdump its records)
# and both print libpcap's counts on stderr at the end, where they are
# read. (Until 2026-12-04 framecap's JSON went through a pipe to
# `tail -n 1` for its summary line: decoding the "max" step's traffic from
# a file took 0.11 s to /dev/null and 0.25 s through that pipe, the pipe
# and tail costing framecap the CPU the decoder needed.) framecap is
# stopped once it has stopped using CPU, so that only what the kernel
# dropped counts against it.
#
# Both tools get the same kernel buffer, -B BUFFER_KIB (default 2048, the
# 2 MiB libpcap gives tcpdump when it is not told). framecap's "dropped"
# is the kernel's count plus its own queue's (queue_dropped, shown apart
# after the "+"); "stolen ms" is the CPU time the hypervisor took from
# the machine's CPUs while the client sent, so that a drop the host
# caused in one tool's run can be told apart. A line per burst says
# which tool dropped, and the last two lines, one per tool, the step
# (with the rate the client sent) at which it started to drop and the
# last step before it without drops.
#
# Environment: B (build directory, default build), FRAMECAP (the framecap
# to measure, default $B/framecap: e.g. an older build to compare),
# BUFFER_KIB (-B for both, default 2048), SECONDS_PER_STEP (default 3),
# BURSTS (default "10 100 200 300 400 500 max"), FRAMECAP_OPTS and
# TCPDUMP_OPTS (extra options for one of them), RUNS (default 1).
#
# Near the rate where drops begin, one run says little: both tools lose
# a few packets when the capture thread is woken late (on a virtual
# machine, now and then a millisecond or more, while a burst on lo fills
# the 2 MiB buffer in about one; docs/performance.md, session 24), and
# which of the two runs meets such a wake-up is chance. RUNS=N repeats
# the whole bench N times (each within its 2 minutes) and ends with a
# tally per step: in how many runs each tool dropped, in how many
# framecap dropped more, fewer or as many as tcpdump, and the drops
# added up.
set -u
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
FRAMECAP=${FRAMECAP:-$B/framecap}
BUFFER_KIB=${BUFFER_KIB:-2048}
STEP_SECS=${SECONDS_PER_STEP:-3}
BURSTS=${BURSTS:-"10 100 200 300 400 500 max"}
TCPDUMP_OPTS=${TCPDUMP_OPTS:-}
FRAMECAP_OPTS=${FRAMECAP_OPTS:-}
DEADLINE=$((SECONDS + 115))

[ "$(id -u)" = 0 ] || { echo "bench-live: run as root (live capture on lo)" >&2; exit 2; }
RUNS=${RUNS:-1}
case $RUNS in
''|*[!0-9]*|0) echo "bench-live: RUNS must be a positive number" >&2; exit 2 ;;
esac
if [ "$RUNS" -gt 1 ]; then
	log=$(mktemp /dev/shm/framecap-bench-live-runs.XXXXXX)
	for run in $(seq "$RUNS"); do
		echo "=== run $run of $RUNS"
		RUNS=1 "$0" | tee -a "$log" || { rm -f "$log"; exit 2; }
	done
	echo "=== $RUNS runs: per step, the runs in which each tool dropped; framecap"
	echo "    against tcpdump run by run (more, fewer, as many); drops added up"
	awk '/^ +burst .* dropped: / {
		b = $2
		# f and t made numbers: after sub() f is a string, and awk would
		# compare "119" with "33" as text.
		if ($4 == "neither") { f = 0; t = 0 } else { f = $5; sub(/,$/, "", f); t = $7 }
		if (f ~ /^[0-9]+$/) f += 0
		if (t ~ /^[0-9]+$/) t += 0
		if (!(b in runs)) order[++n] = b
		runs[b]++
		if (f !~ /^[0-9]+$/ || t !~ /^[0-9]+$/) { unknown[b]++; next }
		fsum[b] += f; tsum[b] += t
		if (f > 0) fdrop[b]++
		if (t > 0) tdrop[b]++
		if (f > t) more[b]++; else if (f < t) fewer[b]++; else same[b]++
	} END {
		printf "%-6s %5s %9s %9s %6s %6s %8s %10s %10s\n", "burst", "runs", "fc drop", "td drop",
		       "more", "fewer", "as many", "fc total", "td total"
		for (i = 1; i <= n; i++) {
			b = order[i]
			printf "%-6s %5d %9d %9d %6d %6d %8d %10d %10d%s\n", b, runs[b], fdrop[b], tdrop[b],
			       more[b], fewer[b], same[b], fsum[b], tsum[b],
			       unknown[b] ? " (" unknown[b] " unknown)" : ""
		}
	}' "$log"
	rm -f "$log"
	exit 0
fi
for p in "$FRAMECAP" "$B/framecap-server" "$B/framecap-client"; do
	[ -x "$p" ] || { echo "bench-live: $p missing (make first)" >&2; exit 2; }
done
command -v tcpdump >/dev/null || { echo "bench-live: tcpdump missing" >&2; exit 2; }

TMP=$(mktemp -d /dev/shm/framecap-bench-live.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

"$B/framecap-server" -l "127.0.0.1:$PORT" -q --max-clients 4 > "$TMP/server.log" 2>&1 &
SERVER_PID=$!

now() { date +%s.%N; }

# client BURST: send one step's traffic; prints "frames bytes seconds".
client() {
	local burst=$1 count delay=1 t0 t1 line
	if [ "$burst" = max ]; then
		burst=8 delay=0 count=300000
	else
		count=$((burst * 1000 * STEP_SECS))
	fi
	t0=$(now)
	line=$(timeout 30 "$B/framecap-client" -c "127.0.0.1:$PORT" -q --wait 2 --timeout 25 \
		--count "$count" --size 100-1000 --burst "$burst" --delay "$delay" 2>&1 | tail -1)
	t1=$(now)
	# "server closed the connection: sent N of N frames (B B) in W write() calls, ..."
	printf '%s\n' "$line" | sed -n 's/.*sent \([0-9]*\) of [0-9]* frames (\([0-9]*\) B).*/\1 \2/p' |
		{ read -r f b && echo "$f $b $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"; }
}

# Wait until the program timeout(1) runs as process $1's child has used
# no CPU for 0.3 s (at most 20 s): it has read what the kernel held for
# it. (timeout's own CPU time does not move.)
idle() {
	local last=-1 ticks n=0 pid
	pid=$(pgrep -P "$1" | head -n 1)
	pid=${pid:-$1}
	while [ $n -lt 60 ]; do
		ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo gone)
		[ "$ticks" = "$last" ] && return
		last=$ticks
		sleep 0.3
		n=$((n + 1))
	done
}

# Give the capture time to open the interface and set its filter.
ready() { sleep 1; }

# CPU time the hypervisor took from this machine's CPUs (all of them,
# /proc/stat's steal, in clock ticks): a host busy at the wrong moment
# can hold a capture off its CPU long enough for the kernel's buffer to
# fill, and only one of the two tools' runs would see it.
TICKS_PER_SEC=$(getconf CLK_TCK 2>/dev/null || echo 100)
steal_ticks() { awk '$1 == "cpu" { print $9; exit }' /proc/stat; }
stolen_ms() { echo $((($(steal_ticks) - $1) * 1000 / TICKS_PER_SEC)); }

# "F frames/s, M MB/s" the last client sent (for the summary).
rate() {
	awk -v f="${frames:-0}" -v b="${bytes:-0}" -v s="${secs:-0}" 'BEGIN {
		if (s <= 0) s = 1e-9
		printf "%.0f frames/s, %.1f MB/s", f / s, b / s / 1e6 }'
}

# note TOOL BURST DROPPED: remember the first step at which TOOL (fc or
# td) dropped (DROPPED > 0, or unknown) and the last one before it with
# no drop.
# (Read and set by name, through ${!first} and printf -v.)
# shellcheck disable=SC2034
fc_first='' fc_clean='' td_first='' td_clean=''
note() {
	local first=${1}_first what
	what="burst $2 ($(rate))"
	[ -n "${!first}" ] && return
	case "$3" in
	''|*[!0-9]*) printf -v "$first" '%s, drops unknown' "$what" ;;
	0) printf -v "${1}_clean" '%s' "$what" ;;
	*) printf -v "$first" '%s, %s dropped' "$what" "$3" ;;
	esac
}

# summary TOOL NAME: one line, where TOOL started to drop.
summary() {
	local first=${1}_first clean=${1}_clean
	if [ -n "${!first}" ]; then
		printf '%-9s starts to drop at %s; last step without drops: %s\n' "$2:" \
			"${!first}" "${!clean:-none}"
	elif [ -n "${!clean}" ]; then
		printf '%-9s no drops up to the last step run, %s\n' "$2:" "${!clean}"
	else
		printf '%-9s not measured\n' "$2:"
	fi
}

# One line of the table, from frames, bytes and secs of the last client
# and the milliseconds stolen during its run.
row() {
	awk -v burst="$1" -v tool="$2" -v recv="$3" -v drop="$4" -v stolen="$5" \
	    -v f="${frames:-0}" -v b="${bytes:-0}" -v s="${secs:-0}" 'BEGIN {
		if (s <= 0) s = 1e-9
		printf "%-6s %10.0f %9.1f %8.2f  %-9s %10s %8s %9s\n", burst, f / s,
		       b / s / 1e6, s, tool, recv, drop, stolen }'
}

echo "bench-live: $FRAMECAP, -B $BUFFER_KIB for both; load at start $(cut -d" " -f1-3 /proc/loadavg)"
printf '%-6s %10s %9s %8s  %-9s %10s %8s %9s\n' burst "frames/s" "MB/s" seconds tool received dropped \
	"stolen ms"
for burst in $BURSTS; do
	if [ $SECONDS -gt $((DEADLINE - 2 * STEP_SECS - 12)) ]; then
		echo "bench-live: stopping at burst $burst to stay within 2 minutes"
		break
	fi
	# framecap
	# shellcheck disable=SC2086
	timeout 60 "$FRAMECAP" -i lo -B "$BUFFER_KIB" --json --lang en $FRAMECAP_OPTS port "$PORT" > /dev/null 2> "$TMP/fc.err" &
	cap=$!
	ready
	steal0=$(steal_ticks)
	read -r frames bytes secs < <(client "$burst")
	stolen=$(stolen_ms "$steal0")
	idle "$cap"
	kill -INT $cap; wait $cap
	# "R packets received by filter, D dropped by kernel, I dropped by
	# interface, Q dropped by framecap (queue full)"
	sum=$(tail -n 1 "$TMP/fc.err")
	recv=$(printf '%s' "$sum" | sed -n 's/^\([0-9]*\) packets received by filter.*/\1/p')
	drop=$(printf '%s' "$sum" | sed -n 's/.* \([0-9]*\) dropped by kernel.*/\1/p')
	qdrop=$(printf '%s' "$sum" | sed -n 's/.* \([0-9]*\) dropped by framecap.*/\1/p')
	row "$burst" framecap "${recv:-?}" "${drop:-?}+${qdrop:-?}" "$stolen"
	case "${drop:-x}${qdrop:-x}" in
	*[!0-9]*) fc_drop='?' ;;
	*) fc_drop=$((drop + qdrop)) ;;
	esac
	note fc "$burst" "$fc_drop"
	# tcpdump
	# shellcheck disable=SC2086
	timeout 60 tcpdump -i lo -B "$BUFFER_KIB" -w /dev/null $TCPDUMP_OPTS port "$PORT" 2> "$TMP/td.err" &
	cap=$!
	ready
	steal0=$(steal_ticks)
	read -r frames bytes secs < <(client "$burst")
	stolen=$(stolen_ms "$steal0")
	sleep 1
	kill -INT $cap; wait $cap
	recv=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter.*/\1/p' "$TMP/td.err")
	drop=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$TMP/td.err")
	row "$burst" tcpdump "${recv:-?}" "${drop:-?}" "$stolen"
	[ -n "$drop" ] || sed 's/^/       tcpdump said: /' "$TMP/td.err" | tail -4
	td_drop=${drop:-?}
	note td "$burst" "$td_drop"
	if [ "$fc_drop" = 0 ] && [ "$td_drop" = 0 ]; then
		echo "       burst $burst dropped: neither"
	else
		echo "       burst $burst dropped: framecap $fc_drop, tcpdump $td_drop"
	fi
done
echo "frames/s and MB/s: what the client sent (the echo doubles both on lo); received"
echo "and dropped: libpcap's counts at exit (framecap: kernel+queue), both tools'"
echo "output to /dev/null. -B $BUFFER_KIB for both. stolen: ms of CPU time the"
echo "hypervisor took from this machine's CPUs while the client sent (all CPUs)."
echo "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date +%Y-%m-%d)."
echo "Where each starts to drop (rates: what the client sent in that tool's run):"
summary fc framecap
summary td tcpdump
