#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-ref-captures.sh [--out DIR] [NAME...] - live captures on lo of
# framecap-server and framecap-client, one per client scenario, shaping
# and --bug (needs root).
#
#   default    rewrite captures/ref-NAME.pcap, plus ref-midstream, ref-gap
#              and ref-ooo cut out of them (all of them: the cut ones come
#              from ref-framed and ref-drip), and the other framings'
#              runs docs/tutorial.md reads back (ref-lines, ref-bug-bare-lf,
#              ref-varint); then review the replays with
#              tests/update-expected.sh (names in tests/TESTLIST-reference)
#              and the tutorials with tests/suites/tutorial-doc.sh
#   --out DIR  leave everything of each run in DIR instead, for the live
#              test (tests/suites/reference.sh): ref-NAME.pcap (framecap -w),
#              NAME.live.jsonl (framecap --json, live), NAME.sent.jsonl and
#              NAME.recv.jsonl (the client's --print-sent/--print-received),
#              NAME.client.log, NAME.client.rc, NAME.server.log, NAME.port
#
# Each run: framecap-server on a free port of 127.0.0.1, framecap -i lo
# capturing that port, the client, then everything stopped.
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
ALL="sticky framed upload many burst drip chunk sizes
     bug-ascii-length bug-big-endian bug-includes-header bug-short bug-chars
     bug-negative bug-zeros bug-no-header"
# Other framings, for the tutorials only (not in --out's live test).
TUTORIAL="lines lines-bare-lf varint"
# The other framings' bugs: captured for tests/TESTLIST, not part of the
# live test (tests/suites/reference.sh checks the length-prefix scenarios).
FRAMING_BUGS="bug-varint-big-endian bug-ber-one-byte bug-bare-lf
     bug-delimiter-in-payload bug-unpadded"
out=
if [ "${1:-}" = --out ]; then
	out=$2
	shift 2
fi
if [ -n "$out" ]; then
	names=${*:-$ALL}
else
	names=${*:-$ALL $TUTORIAL $FRAMING_BUGS}
fi
if [ "$(id -u)" != 0 ]; then
	echo "make-ref-captures: live capture on lo needs root" >&2
	exit 1
fi
[ -n "$out" ] || make -s "$B/framecap" "$B/framecap-server" "$B/framecap-client"

work=${out:-$(mktemp -d /tmp/fc-refcap.XXXXXX)}
mkdir -p "$work"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	[ -n "$out" ] || rm -rf "$work"
}
trap cleanup EXIT

# free_port, wait_for, wait_capturing
. tests/lib.sh

# The upload scenario's file: small, text, always the same.
upload_file=$work/notes.txt
{
	echo "framecap upload test"
	for i in 1 2 3 4 5 6; do echo "line $i: xin正在学习 kinght love aym"; done
} > "$upload_file"

# What the server runs as and what the client sends, per scenario.
server_mode() {
	case $1 in
	sticky|bug-*) echo raw ;; # raw: the whole byte stream, whatever it holds
	upload) echo upload ;;
	*) echo echo ;;
	esac
}
# The framing both sides speak (none: the default length field).
framing_args() {
	case $1 in
	lines|lines-bare-lf) FRAMING=(--framing delimiter --delimiter '\r\n') ;;
	varint) FRAMING=(--framing varint) ;;
	*) FRAMING=() ;;
	esac
}
client_args() {
	case $1 in
	sticky) ARGS=(--scenario sticky) ;;
	framed) ARGS=(--scenario framed) ;;
	upload) ARGS=(--scenario upload "$upload_file") ;;
	many) ARGS=(--scenario many --clients 3 --count 2) ;;
	burst) ARGS=(--burst 3 "kinght love " aym "third" "fourth") ;;
	drip) ARGS=(--drip hi aym) ;;
	chunk) ARGS=(--chunk 5 "kinght love " aym "xin正在学习") ;;
	sizes) ARGS=(--size 1-30 --count 5 --seed 7 --rate 20 --nodelay) ;;
	bug-short) ARGS=(--bug short --delay 30 --nodelay "kinght love " aym "hello again" "last one") ;;
	bug-chars) ARGS=(--bug chars --delay 30 --nodelay "kinght love " "héllo wörld ünïcödé" aym "last one") ;;
	bug-no-header) ARGS=(--bug no-header --delay 30 --nodelay "kinght love " aym "hello again") ;;
	lines) ARGS=(--chunk 8 "kinght love " aym "xin正在学习") ;;
	lines-bare-lf) ARGS=(--bug bare-lf --delay 30 --nodelay "kinght love " aym "hello again") ;;
	varint) ARGS=(--burst 2 --size 100-200 --count 4) ;;
	# Each other framing's typical sender bug (its options are repeated in
	# tests/TESTLIST): lengths from 128 B up show the varint and BER ones.
	bug-varint-big-endian) ARGS=(--framing varint --length-offset 1 --varint-max-bytes 4
		--bug varint-big-endian --delay 30 --nodelay --size 200 --count 3 --seed 5) ;;
	bug-ber-one-byte) ARGS=(--framing ber --bug ber-one-byte --delay 30 --nodelay
		--size 130-300 --count 3 --seed 5) ;;
	bug-bare-lf) ARGS=(--framing delimiter --delimiter '\r\n' --bug bare-lf --delay 30
		--nodelay "SET a 1" "GET a" "INCR n" PING) ;;
	bug-delimiter-in-payload) ARGS=(--framing delimiter --delimiter '\r\n'
		--bug delimiter-in-payload --delay 30 --nodelay "kinght love " aym "third one") ;;
	bug-unpadded) ARGS=(--framing fixed --frame-size 16 --bug unpadded --delay 30 --nodelay
		aym "kinght love " x) ;;
	bug-*) ARGS=(--bug "${1#bug-}" --delay 30 --nodelay "kinght love " aym) ;;
	*) echo "make-ref-captures: unknown scenario $1" >&2; exit 2 ;;
	esac
}


capture_one() {
	local name=$1 port mode spid cpid rc dir
	port=$(free_port)
	mode=$(server_mode "$name")
	client_args "$name"
	framing_args "$name"
	echo "$port" > "$work/$name.port"
	dir=()
	if [ "$mode" = upload ]; then
		mkdir -p "$work/files-$name"
		dir=(-d "$work/files-$name")
	fi
	"$B"/framecap-server -l "127.0.0.1:$port" -m "$mode" "${dir[@]}" "${FRAMING[@]}" \
		> "$work/$name.server.log" 2>&1 &
	spid=$!; pids+=("$spid")
	wait_for listening "$work/$name.server.log" ||
		{ echo "make-ref-captures: no 'listening' in $work/$name.server.log" >&2; return 1; }
	# -s 8192: with the default snaplen (256 KiB) libpcap's ring on lo
	# holds a handful of packets, and a burst of small ones is dropped.
	"$B"/framecap -i lo -s 8192 --json --payload-bytes all -w "$work/ref-$name.pcap" \
		"tcp port $port" \
		> "$work/$name.live.jsonl" 2> "$work/$name.cap.err" &
	cpid=$!; pids+=("$cpid")
	wait_capturing "$cpid"
	rc=0
	timeout 30 "$B"/framecap-client -c "127.0.0.1:$port" --print-sent "$work/$name.sent.jsonl" \
		--print-received "$work/$name.recv.jsonl" "${FRAMING[@]}" "${ARGS[@]}" \
		> "$work/$name.client.log" 2>&1 || rc=$?
	echo "$rc" > "$work/$name.client.rc"
	sleep 0.3
	kill -INT "$cpid"; wait "$cpid" || echo "framecap exited $?" >> "$work/$name.cap.err"
	kill -TERM "$spid"; wait "$spid" || echo "server exited $?" >> "$work/$name.server.log"
}

for name in $names; do
	capture_one "$name"
	[ -n "$out" ] || echo "captured $name: $(wc -c < "$work/ref-$name.pcap") B"
done
[ -n "$out" ] && exit 0

for name in $names; do
	cp "$work/ref-$name.pcap" "captures/ref-$name.pcap"
done

# Cases a clean loopback run never shows, cut out of those captures:
#   ref-midstream  ref-framed after its handshake and first data segment
#   ref-gap        ref-drip without its fifth client data segment (the
#                  first payload byte): bytes lost inside a frame
#   ref-ooo        ref-drip with its third client data segment captured
#                  before its second (the ACKs in between moved after
#                  both, timestamps kept in order)
python3 - captures/ref-framed.pcap captures/ref-drip.pcap captures <<'PY'
import struct, sys

def read(path):
    data = open(path, "rb").read()
    recs, off = [], 24
    while off < len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        recs.append(data[off:off + 16 + incl])
        off += 16 + incl
    return data[:24], recs

def tcp(rec):
    """(dst port, flags, payload length) of an Ethernet/IPv4/TCP record."""
    pkt = rec[16:]
    ihl = (pkt[14] & 15) * 4
    t = pkt[14 + ihl:]
    total = struct.unpack_from(">H", pkt, 16)[0]
    return struct.unpack_from(">H", t, 2)[0], t[13], total - ihl - (t[12] >> 4) * 4

def client_data(recs):
    server = next(tcp(r)[0] for r in recs if tcp(r)[1] & 0x12 == 0x02)  # SYN
    return [i for i, r in enumerate(recs) if tcp(r)[0] == server and tcp(r)[2] > 0]

def write(path, head, recs):
    open(path, "wb").write(head + b"".join(recs))

framed, drip, outdir = sys.argv[1:4]
head, recs = read(framed)
write(outdir + "/ref-midstream.pcap", head, recs[client_data(recs)[0] + 1:])
head, recs = read(drip)
d = client_data(recs)
write(outdir + "/ref-gap.pcap", head, [r for i, r in enumerate(recs) if i != d[4]])
i1, i2 = d[1], d[2]
moved = [recs[i2], recs[i1]] + recs[i1 + 1:i2]
stamps = sorted((r[:8] for r in moved), key=lambda b: struct.unpack("<II", b))
moved = [t + r[8:] for t, r in zip(stamps, moved)]
write(outdir + "/ref-ooo.pcap", head, recs[:i1] + moved + recs[i2 + 1:])
PY
ls -l captures/ref-*.pcap
