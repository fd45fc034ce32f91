#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# readahead.sh TMP - a capture file read on a second thread (src/cli/
# readahead.c, FRAMECAP_READER=libpcap) or in place (src/cli/pcap_map.c,
# FRAMECAP_READER=map) hands over every record once, in order, across
# many batches or windows; a truncated file still ends with libpcap's
# error after every whole record; -c and SIGINT stop the reader; a pipe
# is read directly.
# Each check compares framecap with an independent count of the file's
# records (a few lines of Python reading the pcap format).
set -u
T=$1/readahead B=${B:-build}
mkdir -p "$T"
SUITE=readahead
. "$(dirname "$0")/../lib.sh"

# Records in a classic pcap file, whole ones only (a cut one is not counted).
records() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
at, n = 24, 0
while at + 16 <= len(d):
    incl = struct.unpack(e + "I", d[at + 8:at + 12])[0]
    if at + 16 + incl > len(d):
        break
    at += 16 + incl
    n += 1
print(n)
EOF
}
summary() { tail -1 "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$2"; }

# Frames of one direction must follow one another byte for byte: a record
# lost, repeated or reordered between batches breaks the chain (or shows up
# as a gap or retransmission anomaly).
chain_check() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
want = int(sys.argv[2])
off, idx, last_pkt, frames = 0, 0, 0, 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["type"] == "anomaly":
        sys.exit("anomaly: " + line)
    if o["type"] != "frame":
        continue
    if o["index"] != idx or o["offset"] != off or o["packets"][0] < last_pkt:
        sys.exit("frame %d out of line: %s" % (idx, line))
    off += o["header_len"] + o["payload_len"]
    idx += 1
    last_pkt = o["packets"][-1]
if idx != want:
    sys.exit("%d frames, want %d" % (idx, want))
EOF
}

F=$T/small.pcap
"$B"/fc-pcapgen bench-small "$F" 200000 > /dev/null || { fail "fc-pcapgen"; exit 1; }
size=$(stat -c %s "$F")
n=$(records "$F")

big=$T/big.pcap
for i in 1 2 3 4 5 6 7 8; do cat "$F"; done > /dev/null # warm the cache
# Eight copies of the records, one after another: the same stream
# repeated reads as retransmissions, which is fine: only the stop matters.
pcap_repeat "$F" "$big" 8
for FRAMECAP_READER in libpcap map; do
	export FRAMECAP_READER
	# 1. The whole file: ~24 MB, some fifty batches or a dozen windows.
	if "$B"/framecap -r "$F" --json > "$T/all.$FRAMECAP_READER.jsonl" 2> "$T/err"; then
		got=$(summary "$T/all.$FRAMECAP_READER.jsonl" packets)
		if [ "$got" != "$n" ]; then
			fail "$FRAMECAP_READER: whole file: $got packets, the file has $n"
		elif ! why=$(chain_check "$T/all.$FRAMECAP_READER.jsonl" 200000 2>&1); then
			fail "$FRAMECAP_READER: whole file: $why"
		else
			ok "$FRAMECAP_READER: whole file ($size bytes): $n records, 200000 frames in line"
		fi
	else
		fail "$FRAMECAP_READER: whole file: exit $?: $(cat "$T/err")"
	fi

	# 3. Cut in the middle of a record, far from the start: every whole record
	# before the cut is decoded, then libpcap's error and exit status 1.
	head -c $((size / 2 + 7)) "$F" > "$T/cut.pcap"
	want=$(records "$T/cut.pcap")
	"$B"/framecap -r "$T/cut.pcap" --json > "$T/cut.jsonl" 2> "$T/err"
	rc=$?
	got=$(summary "$T/cut.jsonl" packets 2>/dev/null)
	if [ $rc -eq 1 ] && grep -q "truncated dump file" "$T/err" && [ "$got" = "$want" ]; then
		ok "$FRAMECAP_READER: truncated file: $want whole records decoded, then the error, exit 1"
	else
		fail "$FRAMECAP_READER: truncated file: exit $rc, $got packets (want $want), stderr: $(cat "$T/err")"
	fi

	# 4. -c stops the reader early: exactly that many packets.
	"$B"/framecap -r "$F" -c 12345 --json > "$T/c.jsonl" 2> "$T/err"
	rc=$?
	got=$(summary "$T/c.jsonl" packets 2>/dev/null)
	if [ $rc -eq 0 ] && [ "$got" = 12345 ]; then
		ok "$FRAMECAP_READER: -c 12345 stops after 12345 packets"
	else
		fail "$FRAMECAP_READER: -c 12345: exit $rc, $got packets: $(cat "$T/err")"
	fi

	# 5. SIGINT while a large file is read: a prompt stop with the summary,
	# an "interrupted" line and status 130.
	# Text output into a slow consumer keeps framecap busy long enough.
	"$B"/framecap -r "$big" -X > "$T/int.txt" 2> "$T/err" &
	pid=$!
	sleep 0.3
	kill -INT $pid
	for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	if kill -0 $pid 2>/dev/null; then
		fail "$FRAMECAP_READER: SIGINT: still running 5 s later"
		kill -KILL $pid
		wait $pid 2>/dev/null
	else
		wait $pid
		rc=$?
		last=$(tail -1 "$T/int.txt")
		seen=${last%% packets*}
		# An interrupted file is not a finished one: status 130 (128 + SIGINT)
		# and one line saying so, after the summary of what was read.
		if [ $rc -eq 130 ] && [[ $last == *packets*stream* ]] && [ "$seen" -lt $((8 * n)) ] &&
		   grep -q "^framecap: $big: interrupted by SIGINT" "$T/err"; then
			ok "$FRAMECAP_READER: SIGINT stops reading and decoding ($seen of $((8 * n)) packets); the summary is printed, exit 130"
		else
			fail "$FRAMECAP_READER: SIGINT: exit $rc, last line: $last"
		fi
	fi
done
unset FRAMECAP_READER

# 2. The same bytes from a pipe (read directly, no second thread): the
# same output, line for line, as both readers of the file.
if cat "$F" | "$B"/framecap -r - --json > "$T/pipe.jsonl" 2> "$T/err" &&
   cmp -s "$T/all.libpcap.jsonl" "$T/pipe.jsonl" && cmp -s "$T/all.map.jsonl" "$T/pipe.jsonl"; then
	ok "a pipe gives the same output as the file, read either way"
else
	fail "pipe: output differs from the file's ($(cat "$T/err"))"
fi
rm -f "$T"/*.pcap "$T"/*.jsonl "$T/int.txt"
exit $bad
