#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# live.sh BUILD TMP - capture real traffic on lo with framecap and check
# that its frames are exactly what fc-talk sent, with the sticky and split
# flags the script provokes, and that -w wrote a file that replays the same.
set -eu
B=$1 TMP=$2
. "$(dirname "$0")/lib.sh" # wait_capturing
port=$(( 20000 + RANDOM % 10000 ))
cleanup() { kill "${server:-}" "${cap:-}" "${cut:-}" "${dropped:-}" "${detect:-}" "${unpriv:-}" 2>/dev/null || true; }
trap cleanup EXIT

"$B"/fc-talk serve "$port" > "$TMP/serve.log" &
server=$!
"$B"/framecap -i lo --json -w "$TMP/live.pcap" "tcp port $port" > "$TMP/live.jsonl" 2> "$TMP/live.err" &
cap=$!
# A second capture with a snaplen that cuts every payload after 4 bytes
# (loopback headers: 14 + 20 + 32 with TCP timestamps), ended by SIGTERM.
"$B"/framecap -i lo --json -s 70 "tcp port $port" > "$TMP/cut.jsonl" 2> "$TMP/cut.err" &
cut=$!
# A third one gives up root for nobody before the first packet (-Z).
"$B"/framecap -i lo --json -Z nobody "tcp port $port" > "$TMP/dropped.jsonl" 2> "$TMP/dropped.err" &
dropped=$!
# A fourth infers the framing (--detect) and speaks Chinese: its stdout
# has no text report, so the counts go to stderr, translated.
"$B"/framecap -i lo --lang zh --detect "tcp port $port" > "$TMP/detect.out" 2> "$TMP/detect.err" &
detect=$!
# Wait until the server listens and the four captures take packets.
for _ in $(seq 50); do
	grep -q "$port" "$TMP/serve.log" 2>/dev/null && break
	sleep 0.1
done
wait_capturing "$cap" "$cut" "$dropped" "$detect"
"$B"/fc-talk send "$port" "$TMP/sent.jsonl"
nobody=$(id -u nobody):$(id -g nobody)
ids=$(awk '/^Uid:/ {u=$2 $3 $4 $5} /^Gid:/ {g=$2 $3 $4 $5} END {print u ":" g}' /proc/$dropped/status)
want=$(id -u nobody)$(id -u nobody)$(id -u nobody)$(id -u nobody):$(id -g nobody)$(id -g nobody)$(id -g nobody)$(id -g nobody)
[ "$ids" = "$want" ] || { echo "-Z nobody: capturing process has uid/gid $ids, want $nobody (real, effective, saved, fs)"; exit 1; }
# As root the capture thread takes real-time priority (kept after -Z
# too), and the decoding thread then keeps nice 0: a lower priority only
# let the traffic's own processes starve it until the queue was full
# (src/cli/framecap.c). /proc/PID/stat: field 19 nice, 41 the policy
# (1: SCHED_FIFO).
for p in "$cap" "$dropped"; do
	fifo=$(cat /proc/"$p"/task/*/stat | awk '$41 == 1' | wc -l)
	nice=$(awk '{ print $19 }' /proc/"$p"/stat)
	[ "$fifo" = 1 ] && [ "$nice" = 0 ] ||
		{ echo "framecap -i (pid $p): $fifo threads at SCHED_FIFO (want 1), the decoding thread at nice $nice (want 0)"; exit 1; }
done
# Without the privilege (nobody, with only the capabilities to capture)
# the capture thread keeps the normal priority, and the decoding thread
# steps aside instead: nice 5.
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=+net_raw,+net_admin \
	--ambient-caps=+net_raw,+net_admin "$B"/framecap -i lo --json "tcp port $port" > /dev/null 2> "$TMP/unpriv.err" &
unpriv=$!
wait_capturing "$unpriv"
fifo=$(cat /proc/"$unpriv"/task/*/stat | awk '$41 != 0' | wc -l)
nice=$(awk '{ print $19 }' /proc/"$unpriv"/stat)
kill -INT "$unpriv"
status=0; wait "$unpriv" || status=$?
unpriv=
[ "$status" -eq 0 ] && [ "$fifo" = 0 ] && [ "$nice" = 5 ] ||
	{ echo "framecap -i as nobody: exit $status, $fifo threads not at SCHED_OTHER (want 0), the decoding thread at nice $nice (want 5)"; cat "$TMP/unpriv.err"; exit 1; }
wait "$server"; server=
sleep 0.3
kill -INT "$cap"
status=0; wait "$cap" || status=$?
cap=
[ "$status" -eq 0 ] || { echo "framecap exited $status"; cat "$TMP/live.err"; exit 1; }
kill -INT "$dropped"
status=0; wait "$dropped" || status=$?
dropped=
[ "$status" -eq 0 ] || { echo "framecap -Z nobody exited $status"; cat "$TMP/dropped.err"; exit 1; }
grep -q '"payload_hex":"68656c6c6f"' "$TMP/dropped.jsonl" || { echo "-Z nobody: frames not decoded after the drop"; exit 1; }
kill -INT "$detect"
status=0; wait "$detect" || status=$?
detect=
[ "$status" -eq 0 ] || { echo "framecap --detect exited $status"; cat "$TMP/detect.err"; exit 1; }
tail -n 1 "$TMP/detect.err" | grep -qE '^过滤器收到 [1-9][0-9]* 个数据包，内核丢弃 [0-9]+ 个，网卡丢弃 [0-9]+ 个，framecap 丢弃 [0-9]+ 个（队列已满）$' ||
	{ echo "--detect --lang zh: no translated live counts on stderr:"; cat "$TMP/detect.err"; exit 1; }
kill -TERM "$cut"
status=0; wait "$cut" || status=$?
cut=
[ "$status" -eq 0 ] || { echo "framecap -s 70 exited $status on SIGTERM"; cat "$TMP/cut.err"; exit 1; }

"$B"/framecap -r "$TMP/live.pcap" --json > "$TMP/replay.jsonl"

python3 - "$TMP/sent.jsonl" "$TMP/live.jsonl" "$TMP/replay.jsonl" "$TMP/cut.jsonl" "$TMP/live.err" <<'PY'
import json, re, sys
sent = [json.loads(l) for l in open(sys.argv[1])]
live = [json.loads(l) for l in open(sys.argv[2])]
replay = [json.loads(l) for l in open(sys.argv[3])]
cut = [json.loads(l) for l in open(sys.argv[4])]
def fail(msg):
    print(msg); sys.exit(1)
if not cut or cut[-1]["type"] != "summary" or "pcap_dropped" not in cut[-1]:
    fail("SIGTERM: no summary with drop counters")
gaps = [o for o in cut if o["type"] == "anomaly" and o["kind"] == "gap" and "snaplen" in o["detail"]]
if not gaps:
    fail("snaplen 70: no gap anomaly for the cut bytes: %s" % cut)
hello = [o for o in cut if o["type"] == "frame" and o["dir"] == "c2s" and o["index"] == 0]
if not hello or hello[0]["length"] != 5 or hello[0].get("payload_missing") != 5:
    fail("snaplen 70: frame 0 should keep its boundaries with 5 payload bytes missing: %s" % hello)
if not live or live[-1]["type"] != "summary":
    fail("no summary line last")
summary = live[-1]
for key in ("pcap_received", "pcap_dropped", "pcap_ifdropped"):
    if key not in summary: fail("summary lacks " + key)
# With JSON on stdout, the counts go to stderr too, as tcpdump prints
# them: the same numbers as the summary's, on the last line.
err = open(sys.argv[5]).read().splitlines()
m = re.fullmatch(r"(\d+) packets received by filter, (\d+) dropped by kernel, "
                 r"(\d+) dropped by interface, (\d+) dropped by framecap \(queue full\)",
                 err[-1] if err else "")
if not m:
    fail("stderr lacks the live counts line: %r" % err)
if [int(x) for x in m.groups()] != [summary["pcap_received"], summary["pcap_dropped"],
                                    summary["pcap_ifdropped"], summary["queue_dropped"]]:
    fail("stderr counts %s differ from the summary's %s" % (m.groups(), summary))
if summary["pcap_received"] == 0:
    fail("no packet received by filter: %s" % summary)
frames = [o for o in live if o["type"] == "frame" and o["dir"] == "c2s"]
if [(f["index"], f["length"], f["payload_len"], f["payload_hex"]) for f in frames] != \
   [(s["index"], s["length"], s["length"], s["payload_hex"]) for s in sent]:
    fail("c2s frames differ from what was sent:\n%s\n%s" % (frames, sent))
expect = {0: (False, False), 1: (False, True), 2: (False, True), 3: (False, True),
          4: (True, False), 5: (True, False)}
for f in frames:
    want = expect[f["index"]]
    if (f["split"], f["sticky"]) != want:
        fail("frame %d split/sticky %s, expected %s" % (f["index"], (f["split"], f["sticky"]), want))
if len(frames[4]["packets"]) != 3 or not frames[5].get("header_split"):
    fail("frame 4 should span 3 packets and frame 5 have a split header: %s" % frames[4:])
s2c = [o for o in live if o["type"] == "frame" and o["dir"] == "s2c"]
if [bytes.fromhex(f["payload_hex"]) for f in s2c] != [b"welcome"]:
    fail("s2c frames: %s" % s2c)
if [o for o in live if o["type"] == "anomaly"]:
    fail("unexpected anomalies: %s" % [o for o in live if o["type"] == "anomaly"])
strip = lambda objs: [o for o in objs if o["type"] == "frame"]
if strip(live) != strip(replay):
    fail("frames replayed from the -w file differ from the live ones")
print("%d frames sent, %d captured live and replayed from -w, flags as sent; "
      "snaplen cut became %d gaps; SIGINT and SIGTERM end cleanly; -Z drops to nobody; "
      "counts on stderr as in the summary, and translated with --detect --lang zh; "
      "decoding at nice 0 beside a real-time capture thread, at nice 5 without one" % (len(sent), len(frames), len(gaps)))
PY
