#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ref-framings.sh TMP - framecap-server and framecap-client speaking every
# framing live on 127.0.0.1 (run by tests/run.sh; B comes from it).
#
#   profile (YAML)      client                      both ends must say
#   -----------------   -------------------------   ------------------------
#   varint, ber,        --scenario framed, --drip,   the server read as many
#   delimiter, fixed,   --burst with random sizes,   frames as the client
#   length + mask,      --scenario many              sent; the echoes equal
#   amqp (a prelude)                                 what was sent
#   each framing's      --bug varint-big-endian,     the server's count or
#   typical bug         ber-one-byte, bare-lf,       error shows the bug
#                       delimiter-in-payload, ...
#   pg (a prelude of    a python peer: SSLRequest,   2 prelude frames, then
#   another profile)    startup, typed messages      the typed ones
#
# Prints "ok   ref-framings: NAME" or "FAIL ..." per check; exits 1 if any
# failed. Every process it starts is ended on the way out.
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=ref-framings
. tests/lib.sh
suite_tmp "${1:-/tmp}" ref-framings framecap-server framecap-client

cat > "$T/p.yaml" <<'YAML'
profiles:
  mqtt:    {framing: varint, length_offset: 1, varint_max_bytes: 4}
  pbuf:    {framing: varint}
  ldap:    {framing: ber}
  lines:   {framing: delimiter, delimiter: "\r\n", max_frame: 1000}
  stomp:   {framing: delimiter, delimiter: "\0"}
  fixed16: {framing: fixed, frame_size: 16}
  oncrpc:  {length_size: 4, byte_order: big, signed: false, length_mask: 0x7fffffff}
  pg_startup: {length_size: 4, byte_order: big, signed: false,
               length_adjustment: -4, header_size: 4, max_frame: 10240}
  pg:
    length_offset: 1
    length_size: 4
    byte_order: big
    signed: false
    length_adjustment: -4
    header_size: 5
    prelude:
      c2s: [{profile: pg_startup, max_frames: 2}]
      s2c: [{bytes_one_of: ["N", "S"]}]
  amqp: {length_offset: 3, length_size: 4, byte_order: big, signed: false,
         length_adjustment: 1, header_size: 7,
         prelude: {c2s: [{bytes_one_of: ["AMQP\x00\x00\x09\x01"]}]}}
YAML

# count PATTERN FILE: lines of FILE matching PATTERN (grep -E).
count() { grep -cE -- "$1" "$2" 2>/dev/null || true; }

# hexes FILE: the payloads of a --print-sent/--print-received file that
# are not a prelude's, sorted.
hexes() { grep -v '"prelude":true' "$1" | grep -o '"payload_hex":"[0-9a-f]*"' | sort; }

# frames_both NAME CLIENT-OPTIONS...: a client of the echo server on PORT
# (profile $prof, log $T/$prof.log) sends all and gets every echo back;
# the server read exactly the frames the client says it sent (a
# prelude's literal as a prelude frame); the echoes are the frames sent.
frames_both() {
	local name=$1 out sent recv srv pre srv0 pre0
	shift
	srv0=$(count '\] frame #' "$T/$prof.log")
	pre0=$(count '\] prelude frame #' "$T/$prof.log")
	out=$(timeout 20 "$B"/framecap-client -c "127.0.0.1:$PORT" --config "$T/p.yaml" \
		--profile "$prof" --print-sent "$T/$name.sent" --print-received "$T/$name.recv" \
		--timeout 10 "$@" 2>&1)
	sent=$(count '"payload_hex"' "$T/$name.sent")
	pre=$(count '"prelude":true' "$T/$name.sent")
	recv=$(count '"payload_hex"' "$T/$name.recv")
	srv=$(( $(count '\] frame #' "$T/$prof.log") - srv0 ))
	if [ "$sent" -gt 0 ] && [ "$srv" = $((sent - pre)) ] && [ "$recv" = "$srv" ] &&
	   [ $(( $(count '\] prelude frame #' "$T/$prof.log") - pre0 )) = "$pre" ] &&
	   [ "$(hexes "$T/$name.sent")" = "$(hexes "$T/$name.recv")" ]; then
		ok "$name: $srv frames sent, read by the server and echoed back$([ "$pre" = 0 ] || echo ", after $pre prelude")"
	else
		fail "$name: sent $sent (prelude $pre), server read $srv, echoes $recv" \
			"$out
$(cat "$T/$prof.log")"
	fi
}

echo "-- every framing, every scenario, both ends counting"
for prof in mqtt pbuf ldap lines stomp fixed16 oncrpc amqp; do
	serve "$prof" -- --config "$T/p.yaml" --profile "$prof" ||
		{ fail "$prof: server up" "$(cat "$T/$prof.log")"; continue; }
	frames_both "$prof-framed" --scenario framed
	frames_both "$prof-drip" --drip --delay 0 --size 0-130 --count 4
	frames_both "$prof-burst" --burst 4 --delay 5 --size 1-700 --count 8 --seed 7
	case $prof in lines|mqtt) frames_both "$prof-many" --scenario many --clients 3 --count 2 ;; esac
	stop_server
done

# bug NAME PROFILE SERVER-PATTERN SERVER-FRAMES CLIENT-OPTIONS...: the
# client's --bug shows at the server: its log has PATTERN and it read
# SERVER-FRAMES frames.
bug() {
	local name=$1 prof=$2 pattern=$3 want=$4 out srv
	shift 4
	serve "bug-$name" -- --config "$T/p.yaml" --profile "$prof" || { fail "bug $name: server up"; return; }
	out=$(timeout 20 "$B"/framecap-client -c "127.0.0.1:$PORT" --config "$T/p.yaml" \
		--profile "$prof" --timeout 10 "$@" 2>&1)
	wait_for "$pattern" "$T/bug-$name.log" 3 || true
	stop_server
	srv=$(count '\] frame #' "$T/bug-$name.log")
	if grep -qE -- "$pattern" "$T/bug-$name.log" && [ "$srv" = "$want" ]; then
		ok "bug $name: the server read $srv frames, /$pattern/"
	else
		fail "bug $name: the server read $srv frames (want $want), /$pattern/" \
			"$out
$(cat "$T/bug-$name.log")"
	fi
}

echo "-- each framing's typical sender bugs, seen by the server"
bug varint-big-endian mqtt "ends inside frame #0: [0-9]+ of 9217 payload" 0 \
	--bug varint-big-endian --size 200 --count 2
bug ber-one-byte ldap "frame #0: indefinite or too long BER length" 0 \
	--bug ber-one-byte --size 200 --count 2
bug bare-lf lines "frame #0: 14 B came, never its delimiter" 0 --bug bare-lf one two three
bug delimiter-in-payload lines "frame #3 len=1 \"}\"" 5 --bug delimiter-in-payload \
	"hello world" two
bug unpadded fixed16 "frame #0 len=16 \"aymkinght love x\"" 1 --bug unpadded aym "kinght love " x
bug includes-header-varint pbuf "ends inside frame #0: 1 of 4 payload" 0 --bug includes-header abc
bug long-line lines "frame #0: no delimiter within max_frame 1000 B" 0 --size 1500 \
	--max-frame 2000
bug ascii-length-ber ldap "frame #0 len=48 .*|ends inside frame #1: 110 of 120" 1 \
	--bug ascii-length "$(printf 'x%.0s' $(seq 60))"

echo "-- bugs without a meaning for the framing are refused"
for b in "negative lines" "big-endian mqtt" "unpadded ldap" "bare-lf stomp" "varint-big-endian fixed16"; do
	set -- $b
	expect_refused "--bug $1 with profile $2: refused, exit 2" "no meaning|needs a delimiter of 2" \
		timeout 5 "$B"/framecap-client -c 127.0.0.1:1 --config "$T/p.yaml" --profile "$2" --bug "$1" x
done

echo "-- a prelude of another profile: PostgreSQL's startup"
serve pg -- --config "$T/p.yaml" --profile pg
python3 - "$PORT" > "$T/pg.out" 2>&1 <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
def typed(t, body):
    return t + struct.pack(">I", len(body) + 4) + body
startup = struct.pack(">I", 0x30000) + b"user\0bob\0database\0db\0\0"
data = (struct.pack(">II", 8, 80877103)                 # SSLRequest
        + struct.pack(">I", len(startup) + 4) + startup  # StartupMessage
        + typed(b"Q", b"select 1;\0") + typed(b"X", b""))
for i in range(len(data)):                                # one byte a write
    s.sendall(data[i:i + 1])
s.shutdown(socket.SHUT_WR)
back = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    back += b
print("echoed", back.hex())
PY
wait_for "closed by peer" "$T/pg.log" 5 || true
stop_server
pre=$(count '\] prelude frame #[01] \(step 1\)' "$T/pg.log")
if [ "$pre" = 2 ] && grep -q '\] frame #2 len=14 (10 B payload) "select 1;' "$T/pg.log" &&
   grep -q '\] frame #3 len=4 (0 B payload) ""' "$T/pg.log" &&
   grep -q "echoed 510000000e73656c65637420313b00580000000" "$T/pg.out"; then
	ok "pg: SSLRequest and StartupMessage read as prelude frames, then Q and X echoed"
else
	fail "pg prelude" "$(cat "$T/pg.out" "$T/pg.log")"
fi

exit $bad
