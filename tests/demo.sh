#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh - framecap decoding live traffic on lo: framecap-client talks to
# framecap-server twice, first without framing (the tutorials' sticky
# packets), then with a 4-byte length prefix, while framecap captures;
# then a captured conversation is replayed, shaped three ways, against the
# echo server and the tutorials' two buggy receivers.
# Takes a few seconds; everything it starts is stopped before it returns.
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
port=${PORT:-8001} # the echo server (framed)
raw_port=$((port + 1)) # the raw server (unframed)
if [ "$(id -u)" != 0 ]; then
	echo "demo: live capture on lo needs root (try: sudo make demo)" >&2
	exit 1
fi
tmp=$(mktemp -d /tmp/framecap-demo.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for (tests/lib.sh), or FILE shown and the demo stopped.
. tests/lib.sh
listening() {
	wait_for listening "$1" && return 0
	echo "demo: no 'listening' in $1:" >&2
	cat "$1" >&2
	exit 1
}
# server_log FILE FROM: its lines from number FROM on, indented.
server_log() {
	tail -n "+$2" "$1" | sed 's/^/    server| /'
}

"$B"/framecap-server -l "127.0.0.1:$raw_port" -m raw > "$tmp/raw.log" 2>&1 &
pids+=("$!")
"$B"/framecap-server -l "127.0.0.1:$port" -m echo > "$tmp/echo.log" 2>&1 &
pids+=("$!")
listening "$tmp/raw.log"
listening "$tmp/echo.log"

echo "== framecap -i lo 'tcp port $raw_port or tcp port $port'"
echo "   (build/framecap-server: raw mode on $raw_port, echo mode on $port)"
# -s 8192: a small snaplen gives libpcap's ring on lo room for bursts.
"$B"/framecap -i lo -s 8192 --color="${COLOR:-auto}" "tcp port $raw_port or tcp port $port" &
cap=$!
pids+=("$cap")
wait_capturing "$cap"

echo
echo "== 1. framecap-client -c :$raw_port --scenario sticky"
echo "      'kinght love ' and 'aym' in two send() calls, no length prefix"
"$B"/framecap-client -q -c "127.0.0.1:$raw_port" --scenario sticky > /dev/null || true
sleep 0.4
server_log "$tmp/raw.log" 2

lines=$(wc -l < "$tmp/echo.log")
echo
echo "== 2. framecap-client -c :$port --scenario framed"
echo "      the same two messages with a 4-byte length, in one write(), then"
echo "      'xin正在学习' written in three pieces, the first half a header"
"$B"/framecap-client -q -c "127.0.0.1:$port" --scenario framed > /dev/null
sleep 0.4
server_log "$tmp/echo.log" "$((lines + 1))"

echo
kill -INT "$cap"
wait "$cap" || true
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
wait
pids=()
grep -h "totals" "$tmp/raw.log" "$tmp/echo.log" | sed 's/^/    server| /'

# 3. The framed conversation again, from the repository's capture of it,
# against the echo server and the tutorials' two buggy receivers.
echo
echo "== 3. framecap-client --replay captures/ref-framed.pcap --expect, shaped three ways,"
echo "      against framecap-server -m echo, -m naive and -m naive-header"
n=0
for mode in echo naive naive-header; do
	n=$((n + 1))
	"$B"/framecap-server -q -l "127.0.0.1:$((port + 1 + n))" -m "$mode" > "$tmp/$mode.replay.log" 2>&1 &
	pids+=("$!")
	listening "$tmp/$mode.replay.log"
done
printf '    %-28s %-8s %-8s %-12s\n' "shaping" echo naive naive-header
for shaping in "--frames --delay 20" "--burst 3" "--split-header --delay 20"; do
	row=
	n=0
	for mode in echo naive naive-header; do
		n=$((n + 1))
		# shellcheck disable=SC2086
		if "$B"/framecap-client --replay captures/ref-framed.pcap -c "127.0.0.1:$((port + 1 + n))" \
			$shaping --expect --reply-timeout 500 > "$tmp/replay.out" 2>&1; then
			row="$row $(printf '%-8s' pass)"
		else
			row="$row $(printf '%-8s' FAIL)"
			[ "$mode" = naive ] && [ "$shaping" = "--burst 3" ] && cp "$tmp/replay.out" "$tmp/burst-naive.out"
		fi
	done
	printf '    %-28s%s\n' "$shaping" "$row"
done
[ -f "$tmp/burst-naive.out" ] && grep FAILED "$tmp/burst-naive.out" | sed 's/^/    naive, --burst 3| /'
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
wait
pids=()
cat <<'TXT'

How to read it: each line is one TCP segment (packet number, direction,
time, stream byte range, size), with the frames inside it drawn as
[#index len=N "payload"].

1. Without a length prefix, nothing says where 'kinght love ' ends: the
   raw server's one recv() returned "kinght love aym", both messages glued
   (sticky packets), however many segments they travelled in. framecap,
   expecting a 4-byte length, reads "king" as a length of 1735289195 bytes
   and reports it as impossible (oversize).
2. With the prefix, the same glue does no harm: STICKY marks a segment
   carrying several frames, which the echo server still cut apart; "split"
   marks a frame that needed several segments, and "header split" one
   whose 4-byte length itself came in two pieces. A recv() loop must read
   until it has the whole header, then the whole payload.
3. framecap-client --replay sends a capture's client bytes again, cut the
   way you ask (one frame a write, three frames a write, every header cut
   in two), and --expect compares the replies with the captured ones. The
   naive server takes each recv() for a message: three frames in one
   write come back as one. naive-header reads recv(4) then recv(n) once
   each: sticky frames pass, a header cut in two does not. The echo
   server, which loops, passes all three (docs/replay.md).
TXT
