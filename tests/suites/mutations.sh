#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mutations.sh TMP - hostile input: every capture of the shared corpus, and
# a few thousand deterministic mutations (bit flips, byte overwrites,
# truncations, inserted and deleted bytes, several at once) of the corpus
# and of captures/, through framecap (text and --json) and through tshark
# with the plugin (-o tcp.reassemble_out_of_order:TRUE; the corpus once
# plain with the heuristic on, once with -V and the plugin on every TCP
# port; mutations with -V, alternately one way and the other). Each run
# under timeout 60 s. No crash (signal or sanitizer report), no hang;
# framecap exits 0, or 1 with a one-line "framecap: FILE: ..." error (every
# stderr line is such a line: a warning may precede the error); tshark
# shows no "Dissector bug" and no "Malformed Packet: framecap". The driver
# is tests/mutate.py; mutated files are written to TMP/mutations and
# deleted, failing ones kept in TMP/mutations-failed (crashes, hangs and
# leaks also in /tmp/framecap-crash-*), each shown with the commands that
# make it again and reproduce the failure.
#
# Environment: B (build dir; with a sanitizer build such as build/san the
# counts are lower, and said so), FC_SHARED, FC_MUT_SEED (default 1),
# FC_MUT_COUNT / FC_MUT_TSHARK_COUNT (mutations for framecap / tshark),
# FC_MUT_JOBS (parallel runs, default: the number of CPUs).
#
# tshark ignores plugin directories when run as root, so it runs as uid
# 65534 (setpriv) with WIRESHARK_PLUGIN_DIR, as in plugin.sh; it reads each
# capture from standard input, opened by this (root) shell.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
B=${B:-build}
case $B in /*) FC=$B/framecap ;; *) FC=$ROOT/$B/framecap ;; esac
SHARED=${FC_SHARED:-$ROOT/../shared}
T=${1:?usage: mutations.sh TMP}
SEED=${FC_MUT_SEED:-1}
JOBS=${FC_MUT_JOBS:-$(nproc 2>/dev/null || echo 2)}
# A tshark run is half a second of start-up on a 2-CPU VM (relocating
# libwireshark, registering its dissectors), whatever the capture: 400
# mutations are 100 s of the suite's 4 minutes there; framecap's 3000, 37 s.
if [ "$B" = build ]; then
	N_FC=${FC_MUT_COUNT:-3000} N_TS=${FC_MUT_TSHARK_COUNT:-400} note=""
else # sanitised framecap: slower; tshark's part does not depend on B
	N_FC=${FC_MUT_COUNT:-2000} N_TS=${FC_MUT_TSHARK_COUNT:-300}
	note="(B=$B: $N_FC and $N_TS mutations instead of 3000 and 400, to stay within about 4 minutes)"
fi
TS_MAX_SIZE=262144 # tshark: mutations of sources up to 256 KiB (3 larger ones left out)
start=$(date +%s)
bad=0
run() { python3 "$ROOT/tests/mutate.py" run --jobs "$JOBS" "$@" || bad=1; }

W=$(mktemp -d /tmp/framecap-mutations.XXXXXX) || exit 1
trap 'rm -rf "$W" "$T/mutations"' EXIT
chmod 755 "$W"
mkdir -p "$W/home" "$W/cwd" "$T/mutations" || exit 1
# as make sanitize sets them, unless given
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

if [ ! -x "$FC" ]; then
	echo "FAIL mutations: $FC not built"
	exit 1
fi
if [ ! -d "$SHARED/corpus" ]; then
	echo "FAIL mutations: $SHARED/corpus not found (set FC_SHARED)"
	exit 1
fi
ncorpus=$(find "$SHARED/corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | wc -l)
# A copy: the same binary all along, even if the build directory changes meanwhile.
cp "$FC" "$W/framecap" || exit 1
fc_args=(--tool framecap --framecap "$W/framecap" --framecap-shown "$B/framecap"
	--cwd "$W/cwd" --home "$W/home" --label mutations --keep "$T/mutations-failed")

# ---- framecap
run "${fc_args[@]}" --work "$T/mutations" --corpus "$SHARED/corpus"
run "${fc_args[@]}" --work "$T/mutations" --mutate "$N_FC" --seed "$SEED" \
	--sources "$SHARED/corpus" "$ROOT/captures" --what "$note"

# ---- tshark with the plugin
if ! command -v tshark > /dev/null; then
	echo "FAIL mutations: tshark is not installed (make deps)"
	exit 1
fi
if ! out=$(make -s install-plugin B="$B" PLUGIN_DIR="$W/plugins" 2>&1); then
	echo "FAIL mutations: make install-plugin PLUGIN_DIR=DIR"
	printf '%s\n' "$out" | sed 's/^/     /'
	exit 1
fi
chmod -R a+rX "$W"
if ! setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin \
	HOME="$W/home" WIRESHARK_PLUGIN_DIR="$W/plugins" tshark -G plugins 2>&1 | grep -q 'framecap\.so'; then
	echo "FAIL mutations: tshark does not load the plugin"
	exit 1
fi
ts_args=(--tool tshark --plugin-dir "$W/plugins" --home "$W/home" --label mutations
	--keep "$T/mutations-failed")
run "${ts_args[@]}" --work "$T/mutations" --ts-config heuristic --corpus "$SHARED/corpus"
run "${ts_args[@]}" --work "$T/mutations" --ts-config all-ports --verbose --corpus "$SHARED/corpus"
run "${ts_args[@]}" --work "$T/mutations" --verbose --mutate "$N_TS" --seed "$SEED" \
	--sources "$SHARED/corpus" "$ROOT/captures" --max-source-size "$TS_MAX_SIZE" --what "$note"

echo "     mutations: $ncorpus corpus files, seed $SEED, $JOBS parallel runs, $(($(date +%s) - start)) s in all"
exit $bad
