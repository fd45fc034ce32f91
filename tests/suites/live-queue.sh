#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# live-queue.sh TMP - a live capture whose output is held up drops packets
# from its own queue, says so, and counts every one of them.
#
#   client <-> echo server on lo
#      |-- framecap -i lo (queue of 1 KiB) --> fifo nobody reads yet
#      '-- framecap -i lo (default queue)  --> file: every packet
#
# While the fifo is full the first capture's decoding thread waits in
# write(); its capture thread goes on draining the kernel into a queue of
# two batches and drops what does not fit. Once the traffic is over the
# fifo is read, the capture decodes what its queue kept and is stopped
# with SIGINT. With no kernel drop in either capture, the packets the
# second one decoded are the first one's decoded plus queue_dropped.
# Also: a bad FRAMECAP_LIVE_QUEUE_KIB is refused before capturing.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
SUITE=live-queue
. tests/lib.sh
suite_tmp "${1:?usage: live-queue.sh TMP}" live-queue framecap framecap-server framecap-client

for v in 0 abc -5 4194305 12k; do
	expect_refused "FRAMECAP_LIVE_QUEUE_KIB=$v is refused" "FRAMECAP_LIVE_QUEUE_KIB=$v: not a size in KiB" \
		env FRAMECAP_LIVE_QUEUE_KIB="$v" "$B"/framecap -i lo port 9
done

if [ "$(id -u)" != 0 ]; then
	fail "queue full: needs root (capture on lo)"
	exit 1
fi
serve echo -- -q --max-clients 2
mkfifo "$T/fifo"
# The reader opens the fifo at once but reads only once $T/go exists.
( while [ ! -e "$T/go" ]; do sleep 0.05; done; exec cat ) < "$T/fifo" > "$T/small.jsonl" &
reader=$!
pids+=("$reader")
FRAMECAP_LIVE_QUEUE_KIB=1 "$B"/framecap -i lo --json "tcp port $PORT" > "$T/fifo" 2> "$T/small.err" &
small=$!
pids+=("$small")
"$B"/framecap -i lo --json "tcp port $PORT" > "$T/all.jsonl" 2> "$T/all.err" &
all=$!
pids+=("$all")
wait_capturing "$small" "$all"
# 6,000 frames each way of about 400 B of JSON each: far more than the
# fifo holds, so the decoding thread blocks early in the traffic.
"$B"/framecap-client -c "127.0.0.1:$PORT" -q --wait 2 --timeout 20 --count 6000 \
	--size 100-1000 --burst 10 --delay 1 --seed 7 > "$T/client.log" 2>&1 ||
	fail "queue full: the client ran" "$(cat "$T/client.log")"
touch "$T/go"
# Decoded and written once the file has not grown for 1 s (a batch held
# back is handed over within 0.2 s).
last=-1 same=0
for _ in $(seq 100); do
	size=$(stat -c %s "$T/small.jsonl")
	if [ "$size" = "$last" ]; then same=$((same + 1)); else same=0; fi
	[ $same -ge 5 ] && break
	last=$size
	sleep 0.2
done
kill -INT "$small" "$all"
st_small=0; wait "$small" || st_small=$?
st_all=0; wait "$all" || st_all=$?
wait "$reader"
stop_server
if [ "$st_small" = 0 ] && [ "$st_all" = 0 ]; then
	ok "queue full: both captures end with status 0 on SIGINT"
else
	fail "queue full: exit status $st_small and $st_all" "$(cat "$T/small.err" "$T/all.err")"
fi
if grep -q "warning: decoding and output fall behind the capture: packets are being dropped (FRAMECAP_LIVE_QUEUE_KIB 1 full" "$T/small.err"; then
	ok "queue full: warned once on stderr"
else
	fail "queue full: no warning" "$(cat "$T/small.err")"
fi
[ "$(grep -c 'fall behind' "$T/small.err")" = 1 ] || fail "queue full: warned more than once" "$(cat "$T/small.err")"
out=$(python3 - "$T/small.jsonl" "$T/all.jsonl" <<'EOF'
import json, sys
def summary(path):
    lines = open(path).read().splitlines()
    s = json.loads(lines[-1])
    assert s["type"] == "summary", path
    return s
small, full = summary(sys.argv[1]), summary(sys.argv[2])
for s in (small, full):
    if s["pcap_dropped"] or s["pcap_ifdropped"]:
        print("the kernel dropped packets (a loaded machine?): %s" % s); sys.exit(1)
if full["queue_dropped"]:
    print("the 64 MiB queue dropped: %s" % full); sys.exit(1)
if small["queue_dropped"] < 100:
    print("the 1 KiB queue dropped only %d packets" % small["queue_dropped"]); sys.exit(1)
if small["packets"] + small["queue_dropped"] != full["packets"]:
    print("decoded %d + queue_dropped %d != %d packets captured" %
          (small["packets"], small["queue_dropped"], full["packets"])); sys.exit(1)
print("%d packets: %d decoded + %d dropped by the queue" %
      (full["packets"], small["packets"], small["queue_dropped"]))
EOF
) && ok "queue full: $out" || fail "queue full: counts" "$out"
if grep -q '"queue_dropped":0}$' "$T/all.jsonl"; then
	ok "queue full: the default queue dropped nothing (queue_dropped 0 in the summary)"
else
	fail "queue full: no queue_dropped 0 in the default capture's summary" "$(tail -1 "$T/all.jsonl")"
fi
exit $bad
