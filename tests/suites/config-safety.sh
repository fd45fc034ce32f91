#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# config-safety.sh TMP - which configuration files framecap agrees to read.
# A FIFO (or any file that is not regular) is refused without waiting on
# it, named by --config or found by the search; a file found by the search
# (./framecap.yaml, ~/.config/framecap/framecap.yaml) is read only when it
# is ours or root's and writable by no one else, and one passed over is
# named on stderr, as ssh does. Every run is bounded by `timeout`: a hang
# is a failure, not a stuck suite.
set -u
ROOT=$PWD B=${B:-build} T=$1/config-safety
case $B in /*) F=$B/framecap ;; *) F=$ROOT/$B/framecap ;; esac
CAP=$ROOT/captures/basic.pcap    # 10.0.0.1:40000 -> 10.0.0.2:8001
bad=0
rm -rf "$T"
mkdir -p "$T/cwd" "$T/home/.config/framecap"
yaml() { # yaml FILE NAME: a profile NAME mapped to port 8001, mode 644
	printf 'profiles:\n  %s: {length_size: 4, byte_order: big}\nports:\n  8001: %s\n' "$2" "$2" > "$1"
	chmod 644 "$1"
}
# run NAME WANT-RC WANT-PROFILE WANT-STDERR-REGEX -- framecap args (in $PWD)
run() {
	local name=$1 want_rc=$2 want_profile=$3 want_err=$4; shift 5
	local rc got
	HOME=${HOME_DIR:-$T/nohome} timeout 10 "$F" -r "$CAP" --color=never "$@" > "$T/out" 2> "$T/err"
	rc=$?
	got=$(sed -n 's/.*  profile \([^ ]*\) (.*$/\1/p' "$T/out" | head -1)
	if [ $rc -eq 124 ]; then
		echo "FAIL config-safety: $name: still running after 10 s"; bad=1
	elif [ $rc -ne "$want_rc" ]; then
		echo "FAIL config-safety: $name: exit $rc, want $want_rc: $(head -3 "$T/err")"; bad=1
	elif [ -n "$want_profile" ] && [ "$got" != "$want_profile" ]; then
		echo "FAIL config-safety: $name: profile '$got', want '$want_profile': $(head -3 "$T/err")"; bad=1
	elif [ -n "$want_err" ] && ! grep -Eq "$want_err" "$T/err"; then
		echo "FAIL config-safety: $name: stderr '$(head -3 "$T/err")' lacks /$want_err/"; bad=1
	elif [ -z "$want_err" ] && [ -s "$T/err" ]; then
		echo "FAIL config-safety: $name: unexpected stderr '$(head -3 "$T/err")'"; bad=1
	else
		echo "ok   config-safety: $name"
	fi
}

cd "$T/cwd" || exit 1

mkfifo framecap.yaml
run "FIFO as ./framecap.yaml: passed over at once, said so" 0 default \
	'^framecap: ignoring \./framecap\.yaml: not a regular file' --
rm -f framecap.yaml
mkfifo "$T/fifo.yaml"
run "FIFO as --config: refused at once" 2 "" \
	"^framecap: $T/fifo\.yaml: not a regular file" -- --config "$T/fifo.yaml"
run "a device as --config: refused" 2 "" \
	'^framecap: /dev/zero: not a regular file' -- --config /dev/zero
mkdir framecap.yaml
run "a directory as ./framecap.yaml: passed over" 0 default \
	'^framecap: ignoring \./framecap\.yaml: a directory' --
rmdir framecap.yaml

yaml framecap.yaml here
run "own ./framecap.yaml, mode 644: read" 0 here "" --
chmod 600 framecap.yaml
run "own ./framecap.yaml, mode 600: read" 0 here "" --
chmod 664 framecap.yaml
run "group-writable ./framecap.yaml: passed over, said so" 0 default \
	'^framecap: ignoring \./framecap\.yaml: writable by group or others$' --
chmod 646 framecap.yaml
run "world-writable ./framecap.yaml: passed over, said so" 0 default \
	'^framecap: ignoring \./framecap\.yaml: writable by group or others$' --
run "--config names it: read whatever its mode" 0 here "" -- --config framecap.yaml

yaml "$T/home/.config/framecap/framecap.yaml" home
HOME_DIR=$T/home run "passed over ./framecap.yaml: the search goes on to ~/.config" 0 home \
	'ignoring \./framecap\.yaml: writable by group' --
chmod 620 "$T/home/.config/framecap/framecap.yaml"
HOME_DIR=$T/home run "group-writable ~/.config/framecap/framecap.yaml: passed over too" 0 default \
	"ignoring $T/home/\.config/framecap/framecap\.yaml: writable by group or others" --
chmod 644 framecap.yaml

if [ "$(id -u)" = 0 ]; then
	chown 65534 framecap.yaml
	run "./framecap.yaml owned by another user: passed over" 0 default \
		'^framecap: ignoring \./framecap\.yaml: owned by another user$' --
	chown 0 framecap.yaml
	run "./framecap.yaml owned by root: read" 0 here "" --
fi
exit $bad
