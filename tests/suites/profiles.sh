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
exit $bad
