#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# profiles.sh TMP - which profile a stream gets: --config, ./framecap.yaml,
# ~/.config/framecap/framecap.yaml, --profile, port map, the "default"
# profile, and command-line fields.
set -u
ROOT=$PWD B=${B:-build} T=$1/profiles
case $B in /*) F=$B/framecap ;; *) F=$ROOT/$B/framecap ;; esac
CAP=$ROOT/captures/basic.pcap    # 10.0.0.1:40000 -> 10.0.0.2:8001
bad=0
check() { # check NAME WANTED-PROFILE-HEADER -- framecap args (run in $PWD)
	local name=$1 want=$2; shift 3
	local got
	got=$("$F" -r "$CAP" --color=never "$@" 2>&1 | sed -n 's/.*  profile \([^ ]*\) (\(.*\))$/\1 (\2)/p' | head -1)
	if [ "$got" = "$want" ]; then echo "ok   profile: $name"; else echo "FAIL profile: $name: got '$got', want '$want'"; bad=1; fi
}
mkdir -p "$T/cwd" "$T/home/.config/framecap" "$T/empty"
cat > "$T/cwd/framecap.yaml" <<'Y'
profiles:
  here: {length_size: 4, byte_order: big}
ports:
  8001: here
Y
cat > "$T/home/.config/framecap/framecap.yaml" <<'Y'
profiles:
  home: {length_size: 2, byte_order: big, signed: false}
ports:
  8001: home
Y
# Found by the search, so read only when no one else may write them.
chmod 644 "$T/cwd/framecap.yaml" "$T/home/.config/framecap/framecap.yaml"
cat > "$T/explicit.yaml" <<'Y'
profiles:
  client_side: {length_size: 3, signed: false}
  default: {length_size: 8}
  other: {length_size: 1}
ports:
  40000: client_side
Y
cat > "$T/fallback.yaml" <<'Y'
profiles:
  default: {length_size: 8}
  mapped: {length_size: 2}
ports:
  9999: mapped
Y

cd "$T/cwd"
check "./framecap.yaml is read" "here (4-byte big-endian signed length)" -- 
HOME=$T/home check "./framecap.yaml before ~/.config" "here (4-byte big-endian signed length)" --
cd "$T/empty"
HOME=$T/home check "~/.config/framecap/framecap.yaml" "home (2-byte big-endian unsigned length)" --
HOME=$T/empty check "no file: built-in default" "default (4-byte little-endian signed length)" --
HOME=$T/home check "--config wins" "client_side (3-byte little-endian unsigned length)" -- --config "$T/explicit.yaml"
HOME=$T/empty check "client port mapped when the server port is not" "client_side (3-byte little-endian unsigned length)" -- --config "$T/explicit.yaml"
HOME=$T/empty check "the file's 'default' is the fallback" "default (8-byte little-endian signed length)" -- --config "$T/fallback.yaml"
HOME=$T/empty check "--profile forces" "other (1-byte little-endian signed length)" -- --config "$T/explicit.yaml" --profile other
HOME=$T/empty check "fields change the --profile one" "other (1-byte big-endian signed length)" -- --config "$T/explicit.yaml" --profile other --byte-order big
HOME=$T/empty check "fields change the fallback" "default (8-byte big-endian signed length)" -- --config "$T/fallback.yaml" --byte-order big
HOME=$T/empty check "fields change port-mapped profiles too" "client_side (3-byte big-endian unsigned length)" -- --config "$T/explicit.yaml" --byte-order big
HOME=$T/empty check "length flags derive the header" "default (2-byte little-endian unsigned length at 1)" -- --length-size 2 --length-offset 1 --unsigned
HOME=$T/empty check "explicit header and adjustment" "default (4-byte big-endian signed length, adjustment -4, header 6)" -- --byte-order big --length-adjustment -4 --header-size 6
HOME=$T/empty check "numbers are decimal or 0x" "default (4-byte little-endian signed length at 10)" -- --length-offset 010 --header-size 0xe

# Framings other than a length field, from flags and from a file.
cat > "$T/framings.yaml" <<'Y'
profiles:
  mqtt:  {framing: varint, length_offset: 1, varint_max_bytes: 4}
  lines: {framing: delimiter, delimiter: "\r\n"}
  stomp: {framing: delimiter, delimiter: "\0"}
  ldap:  {framing: ber}
  f16:   {framing: fixed, frame_size: 16}
  rpc:   {length_size: 4, byte_order: big, signed: false, length_mask: 0x7fffffff}
  start: {length_size: 4, byte_order: big, signed: false, length_adjustment: -4}
  pg:    {length_offset: 1, length_size: 4, byte_order: big, signed: false,
          length_adjustment: -4, header_size: 5,
          prelude: {c2s: [{profile: start, max_frames: 2}], s2c: [{bytes_one_of: [N, S]}]}}
ports:
  8001: lines
Y
HOME=$T/empty check "--framing varint" "default (varint at offset 1, at most 4 bytes)" -- --framing varint --length-offset 1 --varint-max-bytes 4
HOME=$T/empty check "--framing delimiter with escapes" 'default (delimiter "\r\n")' -- --framing delimiter --delimiter '\r\n'
HOME=$T/empty check "--delimiter \\x00 is a NUL byte" 'default (delimiter "\0")' -- --framing delimiter --delimiter '\x00'
HOME=$T/empty check "--framing ber" "default (BER tag and length)" -- --framing ber
HOME=$T/empty check "--framing fixed" "default (fixed 16 bytes)" -- --framing fixed --frame-size 16
HOME=$T/empty check "--length-mask" "default (4-byte big-endian unsigned length, mask 0x7fffffff)" -- --byte-order big --unsigned --length-mask 0x7fffffff
HOME=$T/empty check "a port mapped to a delimiter profile" 'lines (delimiter "\r\n")' -- --config "$T/framings.yaml"
HOME=$T/empty check "--delimiter changes a delimiter profile" 'lines (delimiter "\n")' -- --config "$T/framings.yaml" --profile lines --delimiter '\n'
HOME=$T/empty check "a NUL delimiter from YAML" 'stomp (delimiter "\0")' -- --config "$T/framings.yaml" --profile stomp
HOME=$T/empty check "a varint profile from YAML" "mqtt (varint at offset 1, at most 4 bytes)" -- --config "$T/framings.yaml" --profile mqtt
HOME=$T/empty check "a prelude is named" "pg (4-byte big-endian unsigned length at 1, adjustment -4 + prelude)" -- --config "$T/framings.yaml" --profile pg
HOME=$T/empty check "--framing over a file's profile" "rpc (fixed 8 bytes)" -- --config "$T/framings.yaml" --profile rpc --framing fixed --frame-size 8

# Bad framing flags: exit status 2 and the reason, in every program that
# takes them.
usage_case() { # usage_case NAME PATTERN -- PROGRAM ARGS...
	local name=$1 pat=$2 out rc
	shift 3
	out=$(HOME=$T/empty timeout 10 "$@" 2>&1 < /dev/null); rc=$?
	if [ "$rc" = 2 ] && printf '%s\n' "$out" | grep -qE -- "$pat"; then
		echo "ok   profile: $name"
	else
		echo "FAIL profile: $name: exit $rc, want 2 and /$pat/"; printf '%s\n' "$out" | head -5 | sed 's/^/     /'; bad=1
	fi
}
G=$ROOT/$B/fc-pcapgen; case $B in /*) G=$B/fc-pcapgen ;; esac
usage_case "--framing unknown" "^framecap: --framing lines: framing must be length, varint, ber, delimiter or fixed$" -- "$F" -r "$CAP" --framing lines
usage_case "--delimiter bad escape" '^framecap: --delimiter a\\q: unknown escape' -- "$F" -r "$CAP" --framing delimiter --delimiter 'a\q'
usage_case "--delimiter 17 bytes" "^framecap: --delimiter 0123456789abcdefg: a delimiter has at most 16 bytes$" -- "$F" -r "$CAP" --framing delimiter --delimiter 0123456789abcdefg
usage_case "--delimiter without --framing" "^framecap: framing options: --delimiter needs --framing delimiter$" -- "$F" -r "$CAP" --delimiter '\n'
usage_case "--framing delimiter without --delimiter" "framing delimiter needs a delimiter of 1 to 16 bytes" -- "$F" -r "$CAP" --framing delimiter
usage_case "--frame-size 0" "^framecap: --frame-size 0: a frame has at least 1 byte$" -- "$F" -r "$CAP" --framing fixed --frame-size 0
usage_case "--varint-max-bytes 11" "^framecap: --varint-max-bytes 11: integer out of range$" -- "$F" -r "$CAP" --framing varint --varint-max-bytes 11
usage_case "--length-mask wider than the field" "length_mask has bits outside the length field" -- "$F" -r "$CAP" --length-size 2 --length-mask 0x10000
usage_case "a config file's profile with a flag it does not take" "^framecap: profile 'mqtt' with the framing options: --length-mask needs --framing length$" -- "$F" -r "$CAP" --config "$T/framings.yaml" --length-mask 0xff
usage_case "framecap-server --framing" "^framecap-server: --framing x: framing must be" -- "$ROOT/$B/framecap-server" --framing x
usage_case "framecap-client --delimiter" "^framecap-client: --delimiter \\\\: a lone" -- "$ROOT/$B/framecap-client" --framing delimiter --delimiter '\'
usage_case "fc-pcapgen --frame-size" "^fc-pcapgen frames: --frame-size: a frame has at least 1 byte$" -- "$G" frames "$T/x.pcap" --framing fixed --frame-size 0 --frames a
usage_case "fc-pcapgen: a payload holding the delimiter" "^fc-pcapgen frames: --frames a;b: the payload holds the delimiter$" -- "$G" frames "$T/x.pcap" --framing delimiter --delimiter ';' --frames 'a;b'

# fc-pcapgen writes any framing, from flags or a --config profile: the
# client's bytes, as tshark would reassemble them, are the frames.
stream_hex() { # the client's TCP payload bytes of a capture, in hex
	python3 - "$1" <<'P'
import struct, sys
d = open(sys.argv[1], 'rb').read()
out, off = b'', 24
while off + 16 <= len(d):
    n = struct.unpack('<I', d[off + 8:off + 12])[0]
    p = d[off + 16:off + 16 + n]; off += 16 + n
    ihl = (p[14] & 15) * 4; tcp = p[14 + ihl:]
    if struct.unpack('>H', tcp[0:2])[0] == 40000:
        out += tcp[(tcp[12] >> 4) * 4:]
print(out.hex())
P
}
gen_case() { # gen_case NAME WANT-HEX -- fc-pcapgen frames options
	local name=$1 want=$2 got
	shift 3
	if HOME=$T/empty "$G" frames "$T/gen.pcap" "$@" 2> "$T/gen.err" &&
	   got=$(stream_hex "$T/gen.pcap") && [ "$got" = "$want" ]; then
		echo "ok   profile: fc-pcapgen $name"
	else
		echo "FAIL profile: fc-pcapgen $name: got '${got:-}', want '$want'"; sed 's/^/     /' "$T/gen.err"; bad=1
	fi
}
gen_case "varint after an offset byte" "ab026869ab00" -- --framing varint --length-offset 1 --frames hi ''
gen_case "a NUL delimiter" "6869006f6b00" -- --framing delimiter --delimiter '\0' --frames hi ok
gen_case "BER" "300268693000" -- --framing ber --frames hi ''
gen_case "fixed" "686968616263" -- --framing fixed --frame-size 3 --frames hih abc
gen_case "a --config profile" "68690d0a" -- --config "$T/framings.yaml" --profile lines --frames hi
exit $bad
