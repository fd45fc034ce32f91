#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# replay.sh TMP - framecap-client --replay against the real framecap-server
# on 127.0.0.1, watched by a live framecap -i lo (run by tests/run.sh).
#
#   shaping   captures/ x {as-captured, frames, burst 2, drip, chunk 3,
#             split-header, random 7}: replayed to the echo server while
#             framecap -i lo writes what crossed lo to a file; read back,
#             each replayed connection carries the captured client frames
#             (payloads) in as many segments as the replay made writes,
#             cut as its mode says (no sticky or split frame with --frames,
#             pairs sticky with --burst 2, every header split with
#             --split-header, one byte a segment with --drip, the captured
#             sticky/split flags with --as-captured); --expect passes
#   expect    against -m naive / -m naive-header, --expect fails with the
#             frame, the expected and the received payload; naive-header
#             copes with --burst (sticky) but not --split-header; a server
#             that never sends the captured reply is reported as stalled
#   errors    no -c, a refused connection, a file that is no capture, no
#             client data, a capture begun mid-connection (and
#             --from-first-frame), a gap (replayed up to it)
#   more      --random is reproducible, --parallel, --timing captured,
#             --json records
#   emit      framecap --emit-test python: the generated unittest passes
#             (length, varint, BER and line framings)
#             with python3 against a correct receive loop and fails
#             against the naive one; go and java are produced, the same
#             bytes on every run
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=replay
. tests/lib.sh
suite_tmp "${1:-/tmp}" replay framecap framecap-server framecap-client

CAPS="ref-framed ref-burst ref-drip ref-chunk ref-sizes sticky split ooo live-talk"
MODES=("--as-captured" "--frames" "--burst 2" "--drip" "--chunk 3" "--split-header" "--random 7")

# ---- shaping: every mode, every capture, watched on lo
serve echo -- -q
EPORT=$PORT
framecap_pid=
"$B"/framecap -i lo -s 8192 -w "$T/live.pcap" "tcp port $EPORT" > /dev/null 2> "$T/cap.err" &
framecap_pid=$!
pids+=("$framecap_pid")
wait_capturing "$framecap_pid"
: > "$T/plan.jsonl"
for cap in $CAPS; do
	# captures of the reference client and the echo server: --expect;
	# the others had no such server: sent without waiting for replies.
	case $cap in ref-*) extra=(--expect) ;; *) extra=(--no-wait) ;; esac
	for mode in "${MODES[@]}"; do
		# shellcheck disable=SC2086
		out=$(timeout 30 "$B"/framecap-client --replay "captures/$cap.pcap" -c "127.0.0.1:$EPORT" \
			$mode --delay 3 --json "${extra[@]}" 2>&1)
		rc=$?
		if [ $rc = 0 ] && grep -q '"type":"result","stream":1,"ok":true' <<< "$out"; then
			grep '"type":"stream"' <<< "$out" |
				python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); r["capture"]=sys.argv[1]; r["mode"]=sys.argv[2]; print(json.dumps(r))' "$cap" "$mode" >> "$T/plan.jsonl"
		else
			fail "replay $cap $mode${extra[*]:+ ${extra[*]}} exits 0" "rc=$rc $out"
		fi
	done
done
sleep 0.5
kill -INT "$framecap_pid"
wait "$framecap_pid" 2>/dev/null
"$B"/framecap -r "$T/live.pcap" --json --payload-bytes all > "$T/live.jsonl" 2> "$T/live.err"
for cap in $CAPS; do
	"$B"/framecap -r "captures/$cap.pcap" --json --payload-bytes all > "$T/$cap.jsonl"
done
python3 - "$T" <<'PY' > "$T/shaping.out"
import json, sys
T = sys.argv[1]

def frames(path):
    out = {}
    for line in open(path):
        r = json.loads(line)
        if r.get("type") == "frame" and r["dir"] == "c2s":
            out.setdefault(r["stream"], []).append(r)
    return out

live = frames(T + "/live.jsonl")
plans = [json.loads(l) for l in open(T + "/plan.jsonl")]
for k, p in enumerate(plans, 1):
    name = "%s %s" % (p["capture"], p["mode"])
    want = frames("%s/%s.jsonl" % (T, p["capture"]))[1]
    got = live.get(k, [])
    errs = []
    if [f["payload_hex"] for f in got] != [f["payload_hex"] for f in want]:
        errs.append("payloads differ: %d frames live, %d captured" % (len(got), len(want)))
    segs = len({q for f in got for q in f["packets"]})
    if segs != p["writes"]:
        errs.append("%d segments live for %d writes" % (segs, p["writes"]))
    m = p["mode"]
    if not errs:
        if m == "--frames" and any(f["split"] or f["sticky"] for f in got):
            errs.append("a frame split or sticky with --frames")
        if m == "--burst 2":
            for i, f in enumerate(got):
                paired = i // 2 * 2 + 1 < len(got)
                if f["sticky"] != paired or f["split"]:
                    errs.append("frame %d sticky=%s split=%s with --burst 2" % (i, f["sticky"], f["split"]))
        if m == "--split-header" and not all(f.get("header_split") for f in got):
            errs.append("a header not split with --split-header")
        if m == "--drip" and any(len(f["packets"]) != f["header_len"] + f["payload_len"] for f in got):
            errs.append("a frame not in one segment per byte with --drip")
        if m == "--as-captured":
            a = [(f["split"], f["sticky"], f.get("header_split", False)) for f in got]
            b = [(f["split"], f["sticky"], f.get("header_split", False)) for f in want]
            if a != b:
                errs.append("split/sticky flags %s, captured %s" % (a, b))
    if errs:
        print("FAIL replay: live capture of %s: %s" % (name, "; ".join(errs)))
    else:
        print("ok   replay: live capture of %s: %d frames in %d segments, cut as the mode says" % (name, len(got), segs))
print("plans %d" % len(plans))
PY
cat "$T/shaping.out" | grep -v '^plans'
if grep -qx "plans $(( $(wc -w <<< "$CAPS") * ${#MODES[@]} ))" "$T/shaping.out"; then
	ok "every capture replayed in every mode ($(grep '^plans' "$T/shaping.out"))"
else
	fail "every capture replayed in every mode" "$(tail -1 "$T/shaping.out")"
fi

# expect_fail NAME PORT PATTERN REPLAY-ARGS...: the replay exits 1 and says PATTERN.
expect_fail() {
	local name=$1 port=$2 pat=$3 out rc
	shift 3
	out=$(timeout 30 "$B"/framecap-client -c "127.0.0.1:$port" "$@" 2>&1); rc=$?
	if [ $rc = 1 ] && grep -qF -- "$pat" <<< "$out"; then ok "$name"; else fail "$name" "rc=$rc $out"; fi
}
# expect_ok NAME PORT REPLAY-ARGS...: the replay exits 0.
expect_ok() {
	local name=$1 port=$2 out rc
	shift 2
	out=$(timeout 30 "$B"/framecap-client -c "127.0.0.1:$port" "$@" 2>&1); rc=$?
	if [ $rc = 0 ]; then ok "$name"; else fail "$name" "rc=$rc $out"; fi
}

# ---- expect: the tutorials' buggy servers
expect_ok "--expect=lengths passes against echo" "$EPORT" --replay captures/ref-chunk.pcap --expect=lengths
expect_fail "--expect against echo: a server that never sends the captured reply stalls" "$EPORT" \
	'FAILED: stalled: waited 300 ms for reply frame 0, which the capture shows before client byte 0; the server sent 0' \
	--replay captures/live-talk.pcap --expect --reply-timeout 300
serve naive -- -m naive
NPORT=$PORT
expect_fail "--burst 3 against -m naive: the three frames come back as one" "$NPORT" \
	'stream 1: FAILED: reply frame 0: expected 12 B payload "kinght love ", got 38 B "kinght love \u0003\u0000\u0000' \
	--replay captures/ref-framed.pcap --burst 3 --expect
expect_fail "--expect lengths against -m naive fails too" "$NPORT" \
	'reply frame 0: expected 12 B payload' --replay captures/ref-framed.pcap --burst 3 --expect lengths
expect_fail "--json: the difference as a record" "$NPORT" \
	'{"type":"difference","stream":1,"kind":"length","frame":0,"replies":1,"writes":1,"sent":42,"message":"reply frame 0: expected 12 B payload' \
	--replay captures/ref-framed.pcap --burst 3 --expect --json
serve naiveh -- -m naive-header
HPORT=$PORT
expect_ok "--burst 3 against -m naive-header passes (recv(4) then recv(n) copes with sticky frames)" \
	"$HPORT" --replay captures/ref-framed.pcap --burst 3 --expect
expect_fail "--split-header against -m naive-header: recv(4) returns half a header" "$HPORT" \
	'FAILED: reply frame 0: payload differs at byte 0: expected "kinght love ", got "\u0000\u0000kinght lov"' \
	--replay captures/ref-framed.pcap --split-header --delay 20 --expect
if grep -q 'naive-header: recv(4) returned 2 B' "$T/naiveh.log"; then
	ok "the naive-header server logged the 2-byte recv(4)"
else
	fail "the naive-header server logged the 2-byte recv(4)" "$(cat "$T/naiveh.log")"
fi
expect_ok "--split-header against echo passes" "$EPORT" --replay captures/ref-framed.pcap --split-header --delay 20 --expect

# ---- errors
# err NAME STATUS PATTERN ARGS...: framecap-client exits STATUS and says PATTERN.
err() {
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$(timeout 30 "$B"/framecap-client "$@" 2>&1); rc=$?
	if [ "$rc" = "$want" ] && grep -qF -- "$pat" <<< "$out"; then ok "$name"; else fail "$name" "rc=$rc $out"; fi
}
err "no -c: exit 2" 2 'needs -c HOST:PORT' --replay captures/ref-framed.pcap
err "two shapings: exit 2" 2 'choose one shaping' --replay captures/ref-framed.pcap -c 127.0.0.1:1 --drip --frames
err "connection refused: exit 1" 1 'Connection refused' --replay captures/ref-framed.pcap -c "127.0.0.1:$(free_port)"
err "not a capture: exit 2" 2 'framecap-client: Makefile:' --replay Makefile -c "127.0.0.1:$EPORT"
err "no client data after the filter: exit 2" 2 'no connection with client data to replay (after the filter)' \
	--replay captures/ref-framed.pcap -c "127.0.0.1:$EPORT" port 1
err "a capture begun mid-connection: exit 2, --from-first-frame offered" 2 \
	'the capture began mid-connection); --from-first-frame starts at the first decoded frame' \
	--replay captures/midstream.pcap -c "127.0.0.1:$EPORT" --no-wait
err "--from-first-frame replays it" 0 'stream 1: ok' \
	--replay captures/midstream.pcap -c "127.0.0.1:$EPORT" --no-wait --from-first-frame
err "a gap: replayed up to the last whole frame before it" 0 \
	'replaying the 9 client bytes before it' --replay captures/gap.pcap -c "127.0.0.1:$EPORT" --no-wait
err "--stream N that does not exist: exit 2" 2 'no stream 9 in the capture' \
	--replay captures/ref-framed.pcap -c "127.0.0.1:$EPORT" --stream 9

# ---- more
a=$("$B"/framecap-client --replay captures/ref-sizes.pcap -c "127.0.0.1:$EPORT" --random 42 --json | grep '"type":"stream"')
b=$("$B"/framecap-client --replay captures/ref-sizes.pcap -c "127.0.0.1:$EPORT" --random 42 --json | grep '"type":"stream"')
c=$("$B"/framecap-client --replay captures/ref-sizes.pcap -c "127.0.0.1:$EPORT" --random 43 --json | grep '"type":"stream"')
if [ -n "$a" ] && [ "${a/\"target\"*\"shaping\"/}" = "${b/\"target\"*\"shaping\"/}" ] &&
   grep -q '"shaping":"random 43"' <<< "$c"; then
	ok "--random SEED: the same plan for the same seed"
else
	fail "--random SEED: the same plan for the same seed" "$a
$b"
fi
out=$("$B"/framecap-client --replay captures/ref-many.pcap -c "127.0.0.1:$EPORT" --parallel 4 --expect 2>&1); rc=$?
if [ $rc = 0 ] && [ "$(grep -c ': ok: .* as captured' <<< "$out")" = 3 ]; then
	ok "--parallel 4: the 3 connections of ref-many replayed, replies as captured"
else
	fail "--parallel 4" "rc=$rc $out"
fi
t0=$(date +%s%N)
"$B"/framecap-client --replay captures/ref-framed.pcap -c "127.0.0.1:$EPORT" --timing captured --expect -q; rc=$?
t1=$(date +%s%N)
"$B"/framecap-client --replay captures/ref-framed.pcap -c "127.0.0.1:$EPORT" --timing captured --speed 10 --expect -q; rc2=$?
t2=$(date +%s%N)
if [ $rc = 0 ] && [ $rc2 = 0 ] && [ $(( (t1 - t0) / 1000000 )) -ge 140 ] && [ $(( (t2 - t1) / 1000000 )) -lt 140 ]; then
	ok "--timing captured keeps the 150 ms of pauses; --speed 10 shortens them"
else
	fail "--timing captured" "rc=$rc/$rc2 $(( (t1 - t0) / 1000000 )) ms, $(( (t2 - t1) / 1000000 )) ms"
fi

# ---- emit: framecap --emit-test
cat > "$T/naive_reader.py" <<'PY'
# The tutorials' receive loop: each recv() taken as one message.
def read_message(sock):
    data = sock.recv(1024)
    return data[4:] if data else None
PY
cat > "$T/good_reader.py" <<'PY'
# A receive loop that loops until it has the header, then the payload.
import struct


def read_exactly(sock, n):
    buf = b""
    while len(buf) < n:
        more = sock.recv(n - len(buf))
        if not more:
            return None
        buf += more
    return buf


def read_message(sock):
    header = read_exactly(sock, 4)
    if header is None:
        return None
    (n,) = struct.unpack("<i", header)
    return read_exactly(sock, n)
PY
for cap in sticky split live-talk ref-chunk; do
	if ! "$B"/framecap -r "captures/$cap.pcap" --emit-test python > "$T/emit_$cap.py" 2> "$T/emit.err"; then
		fail "--emit-test python $cap" "$(cat "$T/emit.err")"
		continue
	fi
	out=$(cd "$T" && timeout 60 python3 "emit_$cap.py" 2>&1); rc=$?
	out2=$(cd "$T" && FRAMECAP_READ_MESSAGE=good_reader:read_message timeout 60 python3 "emit_$cap.py" 2>&1); rc2=$?
	if [ $rc = 0 ] && [ $rc2 = 0 ] && grep -q '^OK' <<< "$out2"; then
		ok "--emit-test python $cap: passes with the file's reader and with a correct receive loop"
	else
		fail "--emit-test python $cap passes" "$out $out2"
	fi
	out=$(cd "$T" && FRAMECAP_READ_MESSAGE=naive_reader:read_message timeout 60 python3 "emit_$cap.py" -v 2>&1); rc=$?
	if [ $rc = 1 ] && grep -q '^FAIL: test_as_captured' <<< "$out" && grep -q '^FAIL: test_all_in_one_write' <<< "$out" &&
	   grep -q 'test_one_frame_per_write .* ok$' <<< "$out"; then
		ok "--emit-test python $cap: the naive loop fails as captured and all at once, passes one frame a write"
	else
		fail "--emit-test python $cap: the naive loop fails" "rc=$rc $out"
	fi
done
if "$B"/framecap -r captures/ref-bug-big-endian.pcap --byte-order big --emit-test python > "$T/emit_be.py" &&
   grep -q '^BYTE_ORDER = "big"$' "$T/emit_be.py" && (cd "$T" && timeout 60 python3 emit_be.py > /dev/null 2>&1); then
	ok "--emit-test python --byte-order big: the profile goes into the test, which passes"
else
	fail "--emit-test python --byte-order big" "$(head -40 "$T/emit_be.py")"
fi
# The other framings: the file's own reader passes; a loop that takes each
# recv() as one message (the file's reader on that recv's bytes alone)
# fails as captured and passes one frame a write.
cat > "$T/naive_any.py" <<'PY'
# Each recv() taken as one message, cut by the test file's own reader.
import __main__


class OneRecv:
    def __init__(self, data):
        self.data = data

    def recv(self, n):
        out, self.data = self.data[:n], self.data[n:]
        return out


def read_message(sock):
    data = sock.recv(65536)
    return __main__.reference_read_message(OneRecv(data)) if data else None
PY
for spec in "varint-split|--framing varint --length-offset 1 --varint-max-bytes 4" \
	    "ber-sticky|--framing ber" "lines-split|--framing delimiter --delimiter \r\n" \
	    "varint-sticky|--framing varint --length-offset 1 --varint-max-bytes 4"; do
	cap=${spec%%|*}
	# shellcheck disable=SC2086
	if ! "$B"/framecap -r "captures/framing-$cap.pcap" ${spec#*|} --emit-test python \
		> "$T/emit_$cap.py" 2> "$T/emit.err"; then
		fail "--emit-test python framing-$cap" "$(cat "$T/emit.err")"
		continue
	fi
	out=$(cd "$T" && timeout 60 python3 "emit_$cap.py" 2>&1); rc=$?
	out2=$(cd "$T" && FRAMECAP_READ_MESSAGE=naive_any:read_message timeout 60 python3 "emit_$cap.py" -v 2>&1); rc2=$?
	if [ $rc = 0 ] && [ $rc2 = 1 ] && grep -qE '^(FAIL|ERROR): test_as_captured' <<< "$out2" &&
	   grep -q 'test_one_frame_per_write .* ok$' <<< "$out2"; then
		ok "--emit-test python framing-$cap: passes with the file's reader; a naive loop fails as captured, passes one frame a write"
	else
		fail "--emit-test python framing-$cap" "rc=$rc $out rc2=$rc2 $out2"
	fi
done
for lang in go java; do
	"$B"/framecap -r captures/live-talk.pcap --emit-test $lang > "$T/emit1.$lang"; r1=$?
	"$B"/framecap -r captures/live-talk.pcap --emit-test $lang > "$T/emit2.$lang"; r2=$?
	case $lang in
	go) want='"testing/iotest"' ;;
	java) want='new LengthFieldBasedFrameDecoder(ByteOrder.LITTLE_ENDIAN, 16777220, 0, 4,' ;;
	esac
	if [ $r1 = 0 ] && [ $r2 = 0 ] && cmp -s "$T/emit1.$lang" "$T/emit2.$lang" && grep -qF "$want" "$T/emit1.$lang" &&
	   [ "$(grep -c 'hex("' "$T/emit1.$lang")" = $((7 + 6)) ]; then
		ok "--emit-test $lang: 7 chunks and 6 frames, the same bytes on every run"
	else
		fail "--emit-test $lang" "$(head -30 "$T/emit1.$lang")"
	fi
done
femit() {
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$B"/framecap "$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" = "$want" ] && grep -qF -- "$pat" <<< "$out"; then ok "$name"; else fail "$name" "rc=$rc $out"; fi
}
femit "--emit-test rust: exit 2" 2 'expected python, go or java' -r captures/sticky.pcap --emit-test rust
femit "--emit-test with --json: exit 2" 2 'cannot be combined' -r captures/sticky.pcap --emit-test go --json
femit "--emit-test with no client data: exit 1" 1 'no connection with client data' -r captures/sticky.pcap --emit-test python port 1
femit "--emit-test before a framing error: exit 1" 1 'no whole frame decoded from the client before oversize' -r captures/oversize.pcap --emit-test python
femit "--emit-test with a client prelude: exit 1" 1 'the generated tests do not read preludes' -r captures/framing-prelude-amqp.pcap --config tests/framings.yaml --profile amqp --emit-test go

exit $bad
