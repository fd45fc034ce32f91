#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pcapgen-framings.sh TMP - fc-pcapgen's scenarios and frames mode in
# every framing, checked by an independent reader (run by tests/run.sh).
#
#   fc-pcapgen SCENARIO out.pcap --framing F ...
#        |
#        v   python: TCP stream per direction from the pcap (by sequence
#            number), cut by its own implementation of F
#   the frames are the scenario's messages; the segment cuts still cut
#   frames where the scenario says (split, overlap, midstream, rst)
#
# Also: without options the scenarios write the repository's captures
# byte for byte; scenarios that write wrong length fields refuse other
# framings (exit 2).
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=pcapgen-framings
. tests/lib.sh
suite_tmp "${1:-/tmp}" pcapgen-framings fc-pcapgen

G="$B/fc-pcapgen"
for s in basic sticky split ooo retrans overlap gap midstream wrap reuse rst snaplen \
	 zero oversize negative diag-adjust diag-ascii bigframe many; do
	"$G" "$s" "$T/$s.pcap" && cmp -s "captures/$s.pcap" "$T/$s.pcap" ||
		fail "$s without framing options: not the bytes of captures/$s.pcap"
done
[ "$bad" = 0 ] && ok "the default scenarios write captures/*.pcap byte for byte"

cat > "$T/check.py" <<'PY'
import sys
sys.path.insert(0, "tests")
from pcap_tcp import tcp_segments

def streams(path):
    """Per direction ("c2s" to port 8001): the TCP payload bytes in
    sequence order (repeats dropped, the first copy kept), and the
    segments as (start, end) stream offsets, in capture order."""
    isn, out = {}, {}
    for _, sport, dport, seq, flags, p in tcp_segments(path):
        d = "c2s" if dport == 8001 else "s2c"
        if flags & 2:
            isn[d] = seq + 1
            continue
        if not p:
            continue
        if d not in isn:   # mid-stream: the first segment starts the stream
            isn[d] = seq
        start = (seq - isn[d]) & 0xffffffff
        buf, have, segs = out.setdefault(d, (bytearray(), bytearray(), []))
        segs.append((start, start + len(p)))
        if start + len(p) > len(buf):
            grow = start + len(p) - len(buf)
            buf.extend(bytes(grow))
            have.extend(bytes(grow))
        for i, b in enumerate(p):   # keep the first copy of each byte
            if not have[start + i]:
                buf[start + i], have[start + i] = b, 1
    return out

def cut(kind, s, arg):
    """Frames (header length, payload) of s under framing kind; the bytes
    left over as the last item's payload with header -1."""
    out, i = [], 0
    while i < len(s):
        if kind == "varint":
            j, v, k = i + arg, 0, 0
            while j < len(s):
                v |= (s[j] & 0x7f) << (7 * k)
                k += 1
                j += 1
                if not s[j - 1] & 0x80:
                    break
            else:
                break
            h = j - i
        elif kind == "ber":
            if i + 2 > len(s):
                break
            if s[i + 1] < 0x80:
                v, h = s[i + 1], 2
            else:
                n = s[i + 1] & 0x7f
                v, h = int.from_bytes(s[i + 2:i + 2 + n], "big"), 2 + n
        elif kind == "delimiter":
            e = s.find(arg, i)
            if e < 0:
                break
            out.append((0, bytes(s[i:e])))
            i = e + len(arg)
            continue
        elif kind == "fixed":
            if i + arg > len(s):
                break
            out.append((0, bytes(s[i:i + arg])))
            i += arg
            continue
        if i + h + v > len(s):
            break
        out.append((h, bytes(s[i + h:i + h + v])))
        i += h + v
    if i < len(s):
        out.append((-1, bytes(s[i:])))
    return out

kind, arg, path = sys.argv[1], sys.argv[2], sys.argv[3]
want = [w.encode() for w in sys.argv[4].split("|")]
arg = {"varint": int, "fixed": int, "ber": int}.get(kind, lambda a: a.encode().decode("unicode_escape").encode("latin-1"))(arg)
st = streams(path)
frames = cut(kind, st["c2s"][0], arg)
segs = st["c2s"][2]
if kind == "fixed":   # texts become zero-padded records
    pad = lambda w: w + b"\0" * (-len(w) % arg if w else arg)
    got = b"".join(p for h, p in frames if h >= 0)
    if got != b"".join(pad(w) for w in want) or any(h < 0 for h, p in frames):
        sys.exit("records %r, want %r" % (frames, want))
elif [p for h, p in frames] != want:
    sys.exit("frames %r, want %r" % (frames, want))
print(" ".join("%d+%d" % (a, b - a) for a, b in segs[:6]) + (" ..." if len(segs) > 6 else ""))
PY

F40="a forty byte payload split in 3 segments"
BIG=$(python3 -c 'a = "abcdefghijklmnopqrstuvwxyz0123456789"; print((a * 2778)[:100000])')
check() { # check NAME KIND ARG SCENARIO 'MSG|MSG...' [cuts] -- fc-pcapgen options
	local name=$1 kind=$2 arg=$3 sc=$4 want=$5 cuts=$6 out
	shift 7
	if ! out=$("$G" "$sc" "$T/$name.pcap" "$@" 2>&1); then
		fail "$name: fc-pcapgen $sc $*" "$out"
	elif ! out=$(python3 "$T/check.py" "$kind" "$arg" "$T/$name.pcap" "$want" 2>&1); then
		fail "$name: the frames of fc-pcapgen $sc $*" "$out"
	elif [ -n "$cuts" ] && [ "$out" != "$cuts" ]; then
		fail "$name: segments $out, want $cuts"
	else
		ok "$name: $(tr '|' '\n' <<< "$want" | wc -l) message(s) framed as written, segments $out"
	fi
}

for f in "varint 1 --framing varint --length-offset 1" "varint 0 --framing varint" \
	 "ber 0 --framing ber" 'delimiter \r\n --framing delimiter --delimiter \r\n' \
	 "fixed 16 --framing fixed --frame-size 16"; do
	set -- $f
	kind=$1 arg=$2
	shift 2
	tag="$kind-$arg"
	check "$tag-basic" "$kind" "$arg" basic "hello" "" -- "$@"
	check "$tag-sticky" "$kind" "$arg" sticky "hello|kinght love |aym|third message" "" -- "$@"
	check "$tag-ooo" "$kind" "$arg" ooo "hello|kinght love |aym|third message" "" -- "$@"
	check "$tag-wrap" "$kind" "$arg" wrap "hello|kinght love |aym" "" -- "$@"
	check "$tag-overlap" "$kind" "$arg" overlap "hello|kinght love |aym" "" -- "$@"
	case $tag in varint-0|delimiter-*|fixed-*)
		check "$tag-bigframe" "$kind" "$arg" bigframe "$BIG" "" -- "$@" ;;
	esac
done
# The cuts keep their meaning: split's first frame in 3 segments, the
# second's header cut after 2 bytes; overlap's second segment repeats 6
# bytes of frame 2.
check varint-split varint 0 split "$F40|third message" "0+4 4+20 24+17 41+2 43+12" -- --framing varint
check delimiter-split delimiter '\r\n' split "$F40|third message" "0+4 4+20 24+18 42+2 44+13" -- --framing delimiter --delimiter '\r\n'
check ber-overlap ber 0 overlap "hello|kinght love |aym" "0+13 7+14 21+5" -- --framing ber

for s in oversize negative zero diag-adjust diag-ascii bench-large; do
	expect_refused "$s --framing varint: refused, exit 2 (it writes length fields)" \
		"framing length only" "$G" "$s" "$T/x.pcap" --framing varint
done
exit $bad
