#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# readers.sh TMP - framecap reads a classic pcap file in place
# (src/cli/pcap_map.c) and leaves everything else to libpcap
# (FRAMECAP_READER=libpcap forces libpcap, =map the in-place reader).
# Both must give the same answer, byte for byte:
#   - every capture in captures/, ../shared/protocols and ../shared/corpus:
#     text (-v) and --json output, stderr and exit status;
#   - the project's captures rewritten big-endian and with nanosecond
#     time stamps: the same output as the original;
#   - broken files (cut record header, cut bytes, huge caplen, caplen
#     above the snapshot length): libpcap's error, exit 1, after the
#     same records;
#   - files of many windows (small records straddling window edges,
#     64 KiB records), a BPF filter, -w copies;
#   - a file cut short by another process while it is read: an error and
#     exit 1, not SIGBUS.
set -u
SUITE=readers
. "$(dirname "$0")/../lib.sh"
suite_tmp "$1" readers framecap fc-pcapgen
SHARED=${FC_SHARED:-../shared}

# run READER OUT FILE ARGS...: framecap's stdout, then its status, in
# OUT; its stderr in OUT.err.
run() {
	local reader=$1 out=$2
	shift 2
	FRAMECAP_READER=$reader "$B"/framecap -r "$@" > "$out" 2> "$out.err"
	echo "exit $?" >> "$out"
}

# same FILE ARGS...: the in-place reader and libpcap agree on FILE (stdout,
# stderr, status). Returns 2 when the in-place reader does not take FILE.
same() {
	run map "$T/m" "$@"
	if grep -q 'FRAMECAP_READER=map, but' "$T/m.err"; then
		return 2
	fi
	run libpcap "$T/l" "$@"
	cmp -s "$T/m" "$T/l" && cmp -s "$T/m.err" "$T/l.err"
}

# 1. Every capture: text and JSON.
for dir in captures "$SHARED/protocols" "$SHARED/corpus"; do
	taken=0 left=0 differ=0
	while read -r f; do
		for view in "--color=never -v" --json; do
			# shellcheck disable=SC2086
			same "$f" $view
			case $? in
			0) ;;
			2) left=$((left + 1)); continue 2 ;;
			*) differ=$((differ + 1))
			   fail "$f $view: the readers differ" "$(diff "$T/l" "$T/m" | head -10; diff "$T/l.err" "$T/m.err")" ;;
			esac
		done
		taken=$((taken + 1))
	done < <(find "$dir" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort)
	if [ "$taken" -eq 0 ]; then
		fail "$dir: no capture read in place"
	elif [ "$differ" -eq 0 ]; then
		ok "$dir: $taken captures read in place give libpcap's text and JSON, stderr and status; $left left to libpcap"
	fi
done
# Every one of the project's classic captures is read in place (only the
# pcapng one is not): the comparison above compared two readers.
want=$(for f in captures/*.pcap; do head -c 4 "$f" | od -An -tx1 | tr -d ' \n'; echo; done |
	grep -c -e d4c3b2a1 -e a1b2c3d4 -e 4d3cb2a1 -e a1b23c4d)
taken=$(for f in captures/*.pcap; do FRAMECAP_READER=map "$B"/framecap -r "$f" --json > /dev/null 2>&1 && echo x; done | wc -l)
if [ "$taken" -eq "$want" ] && [ "$want" -ge 60 ]; then
	ok "all $want classic captures in captures/ are read in place"
else
	fail "captures/: $taken of $want classic captures read in place"
fi

# 2. Byte order and time stamp precision: each project capture rewritten
# big-endian (microseconds), little-endian with nanoseconds and
# big-endian with nanoseconds reads as the original does.
python3 - "$T" captures/*.pcap <<'EOF'
import os, struct, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    d = open(path, "rb").read()
    if d[:4] not in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4"):
        continue
    e = "<" if d[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    hdr = struct.unpack(e + "IHHiIII", d[:24])
    recs, at = [], 24
    while at + 16 <= len(d):
        sec, usec, incl, orig = struct.unpack(e + "IIII", d[at:at + 16])
        recs.append((sec, usec, incl, orig, d[at + 16:at + 16 + incl]))
        at += 16 + incl
    base = os.path.basename(path)[:-5]
    for name, oe, nano in (("be-us", ">", False), ("le-ns", "<", True), ("be-ns", ">", True)):
        magic = 0xa1b23c4d if nano else 0xa1b2c3d4
        b = [struct.pack(oe + "IHHiIII", magic, *hdr[1:])]
        for sec, usec, incl, orig, data in recs:
            b.append(struct.pack(oe + "IIII", sec, usec * 1000 if nano else usec, incl, orig) + data)
        open(os.path.join(out, "%s.%s.pcap" % (base, name)), "wb").write(b"".join(b))
EOF
n=0 left=0 differ=0
for f in captures/*.pcap; do
	base=$(basename "$f" .pcap)
	[ -f "$T/$base.be-us.pcap" ] || continue
	run libpcap "$T/orig" "$f" --json
	for v in be-us le-ns be-ns; do
		same "$T/$base.$v.pcap" --json
		rc=$?
		# libpcap rewrites the pseudo-headers of some swapped Linux
		# cooked captures: such files stay with it.
		if [ $rc -eq 2 ] && [ "${base#sll}" != "$base" ] && [ "${v#be}" != "$v" ]; then
			run libpcap "$T/m" "$T/$base.$v.pcap" --json
			rc=0 left=$((left + 1))
		fi
		if [ $rc -ne 0 ] || ! cmp -s "$T/m" "$T/orig"; then
			differ=$((differ + 1))
			fail "$base.$v: $([ $rc = 2 ] && echo "not read in place" || echo "differs from libpcap or from the original")" \
				"$(diff "$T/orig" "$T/m" | head -10)"
		fi
	done
	n=$((n + 1))
done
if [ "$n" -ge 60 ] && [ "$differ" -eq 0 ]; then
	ok "$n captures rewritten big-endian and with nanosecond stamps (3 each): the original's JSON from both readers ($left big-endian Linux cooked ones left to libpcap)"
fi

# 3. Broken files, made by hand: the error libpcap gives, exit 1, and the
# whole records before it decoded by both.
python3 - "$T" <<'EOF'
import struct, sys
t = sys.argv[1]
def tcp(flags, seq, payload=b""):
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 1, 0, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return (bytes(6) + bytes([0, 0, 0, 0, 0, 1]) + b"\x08\x00" + ip +
            struct.pack(">HHIIBBHHH", 40000, 8001, seq, 0, 0x50, flags, 65535, 0, 0) + payload)
syn = tcp(0x02, 1, bytes(20))
data = tcp(0x18, 2, struct.pack("<i", 5) + b"hello")
def hdr(snap, magic=0xa1b2c3d4, e="<"):
    return struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snap, 1)
def rec(caplen, data, sec=1700000000, frac=5, orig=None, e="<"):
    return struct.pack(e + "iiII", sec, frac, caplen, len(data) if orig is None else orig) + data
good = hdr(65535) + rec(len(syn), syn)
cases = {
    "cut-header": good + rec(len(syn), syn)[:9],
    "cut-bytes": good + rec(len(syn), syn)[:16 + 20],
    "huge-caplen": good + rec(0x7fffffff, b""),
    "above-max": hdr(0) + rec(300000, b""),
    "above-snaplen": hdr(60) + rec(len(syn), syn) + rec(len(syn), syn, sec=1700000001),
    # 5 MiB of records cut to the snapshot length: what is skipped
    # crosses the window's edges.
    "above-snaplen-windows": hdr(60) + b"".join(
        rec(262144, data + bytes(262144 - len(data)), sec=1700000000 + i) for i in range(20)),
    "above-snaplen-cut-first": hdr(60) + rec(len(syn), syn)[:16 + 50],
    "above-snaplen-cut-rest": hdr(60) + rec(len(syn), syn)[:16 + 70],
    # Negative time stamps: signed in this machine's order, unsigned
    # once swapped (libpcap's quirk, kept).
    "negative-times": hdr(65535) + rec(len(syn), syn, sec=-5, frac=-1500)
        + rec(len(data), data, sec=-4, frac=7),
    "negative-times-be-ns": hdr(65535, 0xa1b23c4d, ">") + rec(len(syn), syn, sec=-5, frac=-1500000, e=">")
        + rec(len(data), data, sec=-4, frac=7000, e=">"),
}
for k, v in cases.items():
    open("%s/%s.pcap" % (t, k), "wb").write(v)
EOF
while read -r name status msg; do
	same "$T/$name.pcap" --json -v
	rc=$?
	# The time stamp cases carry a frame, whose time is printed.
	if [ $rc -eq 0 ] && [ "$(tail -1 "$T/m")" = "exit $status" ] &&
	   { [ -z "$msg" ] || grep -qF "$msg" "$T/m.err"; } &&
	   { [ "${name#negative}" = "$name" ] || grep -q '"type":"frame".*"ts":' "$T/m"; }; then
		ok "$name: both readers: exit $status${msg:+, \"$msg\"}"
	else
		fail "$name: rc $rc, $(tail -1 "$T/m"), want exit $status and \"$msg\"" "$(cat "$T/m.err" "$T/l.err")"
	fi
done <<'EOF'
cut-header 1 truncated dump file; tried to read 16 header bytes, only got 9
cut-bytes 1 truncated dump file; tried to read 74 captured bytes, only got 20
huge-caplen 1 invalid packet capture length 2147483647, bigger than snaplen of 65535
above-max 1 invalid packet capture length 300000, bigger than snaplen of 262144
above-snaplen 0
above-snaplen-windows 0
above-snaplen-cut-first 1 truncated dump file; tried to read 60 captured bytes, only got 50
above-snaplen-cut-rest 1 truncated dump file; tried to read 74 captured bytes, only got 70
negative-times 0
negative-times-be-ns 0
EOF

# 4. Many windows: small records straddling every window edge, then
# 64 KiB records; a BPF filter; the -w copy.
"$B"/fc-pcapgen bench-small "$T/small.pcap" 100000 > /dev/null &&
	"$B"/fc-pcapgen bench-large "$T/large.pcap" 60 > /dev/null || fail "fc-pcapgen"
for f in small large; do
	size=$(stat -c %s "$T/$f.pcap")
	if same "$T/$f.pcap" --json && [ "$(tail -1 "$T/m")" = "exit 0" ]; then
		ok "$f records, $((size / 1048576)) MiB (windows of 2): the same JSON"
	else
		fail "$f records: the readers differ" "$(diff "$T/l" "$T/m" | head; cat "$T/m.err")"
	fi
done
run map "$T/m" "$T/small.pcap" -c 5000 -w "$T/w.m.pcap" "tcp and dst port 8001"
run libpcap "$T/l" "$T/small.pcap" -c 5000 -w "$T/w.l.pcap" "tcp and dst port 8001"
if cmp -s "$T/m" "$T/l" && cmp -s "$T/w.m.pcap" "$T/w.l.pcap" &&
   [ "$(tail -1 "$T/m")" = "exit 0" ] && [ "$(stat -c %s "$T/w.m.pcap")" -gt 100000 ]; then
	ok "a filter, -c and -w: the same output and the same copy"
else
	fail "a filter, -c and -w: the readers differ" "$(diff "$T/l" "$T/m" | head; cat "$T/m.err")"
fi

# 4b. The mapper (pcap_map.c): with two CPUs, a second thread maps the
# next window with its page tables filled and unmaps the old ones; with
# one CPU there is no such thread. Either way the output is libpcap's.
if command -v strace > /dev/null && [ "$(nproc)" -ge 2 ]; then
	# Only calls that succeeded, each on one line (no "unfinished").
	FRAMECAP_READER=map strace -f -qq -e trace=mmap,madvise,munmap -e status=successful -o "$T/trace" \
		"$B"/framecap -r "$T/small.pcap" --json > "$T/m2" 2> /dev/null
	main=$(head -1 "$T/trace" | cut -d' ' -f1)
	populated=$(grep -v "^$main " "$T/trace" | grep -c 'MADV_POPULATE_READ)')
	# Windows (pcap_map.c's MAP_WINDOW, 1 MiB) unmapped by the mapper.
	unmapped=$(grep -v "^$main " "$T/trace" | grep -c 'munmap(0x[0-9a-f]*, 1048576)')
	# (Not clone: under the sanitizers LeakSanitizer clones a tracer at
	# exit.)
	FRAMECAP_READER=map taskset -c 0 strace -f -qq -e trace=madvise -o "$T/trace1" \
		"$B"/framecap -r "$T/small.pcap" --json > "$T/m1" 2> /dev/null
	run libpcap "$T/l" "$T/small.pcap" --json
	sed -i '$d' "$T/l"
	if [ "$populated" -ge 8 ] && [ "$unmapped" -ge 3 ] && cmp -s "$T/m2" "$T/l" &&
	   cmp -s "$T/m1" "$T/l" && ! grep -q POPULATE "$T/trace1"; then
		ok "the mapper: on two CPUs a second thread filled $populated page table steps and unmapped $unmapped windows; on one CPU none filled ahead; libpcap's JSON both ways"
	else
		fail "the mapper: $populated steps and $unmapped windows off the main thread (want 8 and 3), page table steps on one CPU: $(grep -c POPULATE "$T/trace1") (want 0)" \
			"$(diff "$T/l" "$T/m2" | head -5; diff "$T/l" "$T/m1" | head -5)"
	fi
else
	fail "the mapper: strace and two CPUs needed (make deps installs strace)"
fi

# 5. The file cut short while it is read (as by a capture rotated away):
# the pages past the new end vanish from the mapping. framecap is held
# on a full pipe, the file is cut, then the pipe drains.
cp "$T/small.pcap" "$T/cut.pcap"
mkfifo "$T/fifo"
FRAMECAP_READER=map "$B"/framecap -r "$T/cut.pcap" -X > "$T/fifo" 2> "$T/cut.err" &
pid=$!
exec 3< "$T/fifo"
# Its first output (a full 256 KiB buffer) means it is well past the
# first page; the pipe then fills and holds it.
read -r -u 3 _
sleep 0.2
truncate -s 4096 "$T/cut.pcap"
cat <&3 > /dev/null
exec 3<&-
wait $pid
rc=$?
if [ $rc -eq 1 ] && grep -q "cut short while it was being read" "$T/cut.err"; then
	ok "a file cut short while read: exit 1 with \"cut short\", no SIGBUS"
else
	fail "a file cut short while read: exit $rc" "$(cat "$T/cut.err")"
fi
rm -f "$T"/*.pcap "$T"/m "$T"/l
exit $bad
