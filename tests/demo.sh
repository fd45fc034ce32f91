#!/usr/bin/env bash
# demo.sh - framecap decoding live traffic on lo: a server and a client
# exchange length-prefixed frames while framecap captures and draws them.
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
port=${PORT:-8001}
if [ "$(id -u)" != 0 ]; then
	echo "demo: live capture on lo needs root (try: sudo make demo)" >&2
	exit 1
fi
tmp=$(mktemp -d /tmp/framecap-demo.XXXXXX)
cleanup() { kill "${server:-}" "${cap:-}" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

echo "== framecap -i lo tcp port $port   (client and server: build/fc-talk)"
"$B"/fc-talk serve "$port" > "$tmp/serve.log" &
server=$!
"$B"/framecap -i lo "tcp port $port" --color="${COLOR:-auto}" &
cap=$!
for _ in $(seq 50); do
	ls -l /proc/$cap/fd 2>/dev/null | grep -q socket && grep -q listening "$tmp/serve.log" && break
	sleep 0.1
done
sleep 0.3
"$B"/fc-talk send "$port"
wait "$server"; server=
sleep 0.3
kill -INT "$cap"
wait "$cap"; cap=
cat <<'TXT'

How to read it: each line is one TCP segment (packet number, direction,
time, stream byte range, size), with the frames inside it drawn as
[#index len=N "payload"]. STICKY marks a segment carrying several frames
(what a recv() loop sees as messages glued together); "split" marks a
frame that needed several segments (a recv() that returns half a message).
TXT
