#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# terminal.sh - bytes from the wire never reach the terminal as something
# it would act on: a bidi override, C1 and C0 controls (CSI, OSC), an
# overlong-encoded ESC. Frames carrying each are decoded in text with -X
# and -v; the output must hold none of those byte sequences, and the
# readable ones must show escaped.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
T=${1:-$(mktemp -d)}
SUITE=terminal
. tests/lib.sh

raw=$(python3 -c '
import struct
frames = [b"evil\xe2\x80\xaetxt.exe", b"x\xc2\x9b" b"31mred", b"x\xc0\x9b[2J",
          b"\x1b]0;pwned\x07", b"zw\xe2\x80\x8bsp\xef\xbb\xbf", "正在学习".encode()]
print(b"".join(struct.pack("<i", len(f)) + f for f in frames).hex())')
"$B"/fc-pcapgen frames "$T/term.pcap" --raw "$raw" ||
	fail "fc-pcapgen frames"
"$B"/framecap -r "$T/term.pcap" -v -X > "$T/term.txt" 2>&1
if python3 - "$T/term.txt" <<'PY'
import sys
out = open(sys.argv[1], "rb").read()
for seq in (b"\x1b", b"\x07", b"\xc2\x9b", b"\xe2\x80\xae", b"\xc0\x9b", b"\xe2\x80\x8b", b"\xef\xbb\xbf"):
    assert seq not in out, "raw %r in the output" % seq
assert b"\"evil\\u202etxt" in out, "the bidi override is not shown escaped"
assert b"zw\\u200bsp" in out, "the zero-width space is not shown escaped"
assert "正在学习".encode() in out, "plain UTF-8 text is no longer shown as it is"
assert out.count(b"frame c2s #") == 6, "frames missing"
PY
then
	ok "text view and -X: no control, bidi or overlong sequence reaches the terminal"
else
	fail "text view and -X" "$(cat "$T/term.txt")"
fi
"$B"/framecap -r "$T/term.pcap" --json --payload-bytes 0 > "$T/term.json" 2>&1
if python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert sum(o["type"] == "frame" for o in objs) == 6' "$T/term.json"; then
	ok "JSON: six frames, valid JSON"
else
	fail "JSON" "$(head -5 "$T/term.json")"
fi
exit $bad
