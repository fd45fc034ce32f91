#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hardening.sh TMP - nothing is lost without an error: every output's
# write failure (standard output in each mode, the -w file, a file size
# limit) gives one line and status 1, the -w copy stays a valid capture
# ending on a whole record, a closed pipe ends quietly; -w never
# overwrites the capture being read; an interrupted file read says so;
# a snapshot length that leaves no TCP payload is warned about; the
# kept-payload budget bounds memory under --payload-bytes all.
set -u
SUITE=hardening T=$1/hardening B=${B:-build}
mkdir -p "$T"
. "$(dirname "$0")/../lib.sh"
trap cleanup_pids EXIT
F=$B/framecap

# Whole records of a classic pcap file, and whether the file ends with one:
# "N whole" or "N cut".
records() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
at, n = 24, 0
while at + 16 <= len(d):
    incl = struct.unpack("<I", d[at + 8:at + 12])[0]
    if at + 16 + incl > len(d):
        break
    at += 16 + incl
    n += 1
print(n, "whole" if at == len(d) and len(d) >= 24 else "cut")
EOF
}

# 1. A full device under standard output, in every output mode.
for mode in "" --json "--recv-view 100" --detect "-X -v"; do
	# shellcheck disable=SC2086
	"$F" -r captures/sticky.pcap $mode > /dev/full 2> "$T/err"
	rc=$?
	if [ $rc -eq 1 ] && [ "$(cat "$T/err")" = "framecap: standard output: No space left on device" ]; then
		ok "stdout on /dev/full (${mode:-text}): one line, exit 1"
	else
		fail "stdout on /dev/full (${mode:-text}): exit $rc" "$(cat "$T/err")"
	fi
done

# 2. -w on a full device.
"$F" -r captures/sticky.pcap -w /dev/full > /dev/null 2> "$T/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(cat "$T/err")" = "framecap: /dev/full: No space left on device" ]; then
	ok "-w /dev/full: one line, exit 1"
else
	fail "-w /dev/full: exit $rc" "$(cat "$T/err")"
fi

# 3. -w under a file size limit (the way a full disk stops a write, in the
# middle of a record): the file is cut back to whole records, and
# framecap reads it back.
"$B"/fc-pcapgen bench-large "$T/large.pcap" 2 > /dev/null
total=$(records "$T/large.pcap")
(trap '' XFSZ; ulimit -f 600; exec "$F" -r "$T/large.pcap" -w "$T/limited.pcap" > /dev/null 2> "$T/err")
rc=$?
got=$(records "$T/limited.pcap")
n=${got% *}
back=$("$F" -r "$T/limited.pcap" --json 2> "$T/back.err" | tail -1 |
	python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["packets"])' 2>/dev/null)
if [ $rc -eq 1 ] && grep -qx "framecap: $T/limited.pcap: File too large" "$T/err" &&
   [ "${got#* }" = whole ] && [ "$n" -gt 0 ] && [ "$n" -lt "${total% *}" ] &&
   [ "$back" = "$n" ] && [ ! -s "$T/back.err" ]; then
	ok "-w under a 600 KiB file size limit: exit 1, $n of ${total% *} records, whole, read back by framecap"
else
	fail "-w under a file size limit: exit $rc, $got of $total, read back $back" \
		"$(cat "$T/err" "$T/back.err")"
fi

# 4. A reader that stops after one line: a prompt, quiet end (SIGPIPE),
# also with SIGPIPE ignored (EPIPE: status 141, as the signal would give).
"$B"/fc-pcapgen bench-small "$T/small.pcap" 300000 > /dev/null
for how in default ignored; do
	start=$(date +%s%N)
	if [ $how = ignored ]; then
		(trap '' PIPE; "$F" -r "$T/small.pcap" -X 2> "$T/err" | head -1 > /dev/null; exit "${PIPESTATUS[0]}")
	else
		"$F" -r "$T/small.pcap" -X 2> "$T/err" | head -1 > /dev/null
		( exit "${PIPESTATUS[0]}" )
	fi
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	full_ms=$( { /usr/bin/time -f %e "$F" -r "$T/small.pcap" -X > /dev/null; } 2>&1 | tail -1)
	if [ $rc -eq 141 ] && [ ! -s "$T/err" ] && [ $ms -lt 5000 ]; then
		ok "| head -1 (SIGPIPE $how): quiet, exit 141, ${ms} ms (whole run ${full_ms} s)"
	else
		fail "| head -1 (SIGPIPE $how): exit $rc after ${ms} ms" "$(cat "$T/err")"
	fi
done

# 5. -w naming the capture being read, by its path, a symlink or a hard
# link: refused before the file is opened for writing.
cp captures/sticky.pcap "$T/in.pcap"
ln -sf "$T/in.pcap" "$T/link.pcap"
ln -f "$T/in.pcap" "$T/hard.pcap"
sum=$(md5sum < "$T/in.pcap")
for w in "$T/in.pcap" "$T/link.pcap" "$T/hard.pcap" "$T/../hardening/in.pcap"; do
	"$F" -r "$T/in.pcap" -w "$w" > "$T/out" 2> "$T/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -qx "framecap: -w $w: this is the file being read (-r $T/in.pcap)" "$T/err" &&
	   [ "$(md5sum < "$T/in.pcap")" = "$sum" ] && [ ! -s "$T/out" ]; then
		ok "-w $(basename "$w") onto -r in.pcap: refused (exit 2), the capture intact"
	else
		fail "-w $w onto -r: exit $rc" "$(cat "$T/err")"
	fi
done
"$F" -r "$T/in.pcap" -w "$T/copy.pcap" > /dev/null 2> "$T/err" && cmp -s "$T/in.pcap" "$T/copy.pcap" &&
	ok "-w another file still copies the capture" || fail "-w another file" "$(cat "$T/err")"

# 6. An interrupted file read: SIGTERM gives 143 and a line (SIGINT, 130,
# is checked in readahead.sh); a live capture ended by SIGINT stays 0.
pcap_repeat "$T/small.pcap" "$T/big.pcap" 6
"$F" -r "$T/big.pcap" -X > "$T/int.txt" 2> "$T/err" &
pid=$!
sleep 0.3
kill -TERM $pid
wait $pid
rc=$?
if [ $rc -eq 143 ] && grep -q "^framecap: $T/big.pcap: interrupted by SIGTERM" "$T/err" &&
   tail -1 "$T/int.txt" | grep -q 'packets.*stream'; then
	ok "SIGTERM during -r: the summary, one line, exit 143"
else
	fail "SIGTERM during -r: exit $rc" "$(cat "$T/err")"
fi
rm -f "$T/big.pcap" "$T/int.txt"

# 7. A snapshot length that cannot reach the TCP payload: warned about,
# for a live capture (-s 40 on lo, Ethernet) and for a file.
"$F" -i lo -s 40 --json "tcp port 1" > "$T/live.out" 2> "$T/live.err" &
pid=$!
pids+=($pid)
wait_for "snapshot length" "$T/live.err" 5
kill -INT $pid
wait $pid
rc=$?
# (then, with --json on stdout, the live counts as the last line)
if [ $rc -eq 0 ] && [ "$(grep -c . "$T/live.err")" = 2 ] &&
   [ "$(head -n 1 "$T/live.err")" = "framecap: lo: warning: snapshot length 40 is no more than the 54 bytes of link, IP and TCP headers: no TCP payload will be captured" ] &&
   tail -n 1 "$T/live.err" | grep -qE '^[0-9]+ packets received by filter, [0-9]+ dropped by kernel, '; then
	ok "-i lo -s 40: one warning line, then the counts; SIGINT ends the live capture with 0"
else
	fail "-i lo -s 40: exit $rc" "$(cat "$T/live.err")"
fi
python3 - captures/basic.pcap "$T/snap40.pcap" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
out = bytearray(d[:24])
struct.pack_into("<I", out, 16, 40)
at = 24
while at + 16 <= len(d):
    sec, usec, incl, orig = struct.unpack("<IIII", d[at:at + 16])
    cut = min(incl, 40)
    out += struct.pack("<IIII", sec, usec, cut, orig) + d[at + 16:at + 16 + cut]
    at += 16 + incl
open(sys.argv[2], "wb").write(out)
EOF
"$F" -r "$T/snap40.pcap" > /dev/null 2> "$T/err"
rc=$?
"$F" -r captures/basic.pcap > /dev/null 2> "$T/err100"
if [ $rc -eq 0 ] && [ "$(grep -c . "$T/err")" = 1 ] && grep -q "^framecap: $T/snap40.pcap: warning: snapshot length 40 " "$T/err" &&
   [ ! -s "$T/err100" ]; then
	ok "a file with snaplen 40: one warning line (none for a normal one)"
else
	fail "a file with snaplen 40: exit $rc" "$(cat "$T/err" "$T/err100")"
fi

# 8. --payload-bytes all with 20 unfinished 4 MiB frames (80 MiB of
# payload): the kept-payload budget (--max-kept 8388608) bounds memory and is
# reported; without a tight budget the frames are kept whole.
python3 - "$T/frames.pcap" <<'EOF'
import struct, sys
def csum(h):
    s = sum(struct.unpack("!10H", h))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
t = 0
def pkt(cport, seq, flags, payload=b""):
    global t
    tcp = struct.pack("!HHIIBBHHH", cport, 9000, seq, 0, 5 << 4, flags, 65535, 0, 0)
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 0, 0, 64, 6, 0,
                               bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])))
    struct.pack_into("!H", ip, 10, csum(bytes(ip)))
    frame = b"\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x01\x08\x00" + bytes(ip) + tcp + payload
    t += 1
    out.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)) + frame)
chunk = bytes(range(256)) * 250  # 64000 bytes
for c in range(20):
    port = 40000 + c
    pkt(port, 999, 0x02)  # SYN
    seq = 1000
    # A 4-byte big-endian length of 8 MiB, then 4 MiB of its payload.
    body = struct.pack(">I", 8 << 20) + chunk[:63996]
    pkt(port, seq, 0x18, body); seq += len(body)
    for _ in range((4 << 20) // 64000):
        pkt(port, seq, 0x18, chunk); seq += len(chunk)
out.close()
EOF
rss() { # rss KEY-FILE ARGS...: peak RSS in KiB of framecap ARGS, summary kept
	local o=$1; shift
	/usr/bin/time -f %M -o "$o.rss" "$F" "$@" --json > "$o.json" 2> "$o.err"
	echo $? > "$o.rc"
	tail -1 "$o.json" > "$o.sum"
}
rss "$T/tight" -r "$T/frames.pcap" --payload-bytes all --max-kept 8388608 --length-size 4 --byte-order big
rss "$T/wide" -r "$T/frames.pcap" --payload-bytes all --max-kept 1073741824 --length-size 4 --byte-order big
tight=$(cat "$T/tight.rss") wide=$(cat "$T/wide.rss")
cut=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("kept_cut_frames", 0))' "$T/tight.sum")
wcut=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("kept_cut_frames", 0))' "$T/wide.sum")
"$F" -r "$T/frames.pcap" --payload-bytes all --max-kept 8388608 --length-size 4 --byte-order big > "$T/tight.txt" 2>&1
if [ "$(cat "$T/tight.rss")" -lt 60000 ] && [ "$(cat "$T/tight.rc")" = 0 ] && [ "$cut" -ge 18 ] &&
   [ "$wcut" = 0 ] && [ "$wide" -gt 80000 ] &&
   grep -q "^kept payload: $cut frames kept fewer bytes than --payload-bytes asks" "$T/tight.txt"; then
	ok "--payload-bytes all, 20 unfinished 4 MiB frames: --max-kept 8 MiB peaks at $tight KiB ($cut frames cut, in both summaries); 1 GiB keeps all ($wide KiB)"
else
	fail "kept-payload budget: $tight KiB ($cut cut) vs $wide KiB ($wcut cut)" "$(cat "$T/tight.err" "$T/tight.sum"; tail -3 "$T/tight.txt")"
fi
"$F" -r "$T/frames.pcap" --payload-bytes all --max-kept 0 > /dev/null 2> "$T/err"
[ $? -eq 2 ] && grep -q "^framecap: --max-kept: " "$T/err" && ok "--max-kept 0: usage error" ||
	fail "--max-kept 0" "$(cat "$T/err")"
rm -f "$T"/*.pcap "$T"/*.json
exit $bad
