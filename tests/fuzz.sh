#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz.sh - build the libFuzzer targets (clang, ASan + UBSan) and run each
# for FUZZ_SECONDS (default 60), seeded from captures/, the shared corpus
# and example profiles. A crash leaves its input in build/fuzz/crashes/:
# add it to captures/ (or tests/fuzz/seeds/) with a test, then fix.
set -eu
cd "$(dirname "$0")/.."
F=build/fuzz
SECONDS_EACH=${FUZZ_SECONDS:-60}
SHARED=${FC_SHARED:-$PWD/../shared}
CC=${FUZZ_CC:-clang}
FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE -Isrc/core -Isrc/config -Isrc/cli $(pkg-config --cflags libpcap yaml-0.1 2>/dev/null)"
mkdir -p "$F/crashes" "$F/corpus/capture" "$F/corpus/decoder" "$F/corpus/config"
core=$(ls src/core/*.c src/config/*.c)
$CC $FLAGS -o "$F/fuzz_capture" tests/fuzz/fuzz_capture.c $core $(ls src/cli/*.c | grep -v /framecap.c) -lpcap -lyaml
$CC $FLAGS -o "$F/fuzz_decoder" tests/fuzz/fuzz_decoder.c $core -lyaml
$CC $FLAGS -o "$F/fuzz_config" tests/fuzz/fuzz_config.c $core -lyaml

seeds_capture="captures"
[ -d "$SHARED/corpus" ] && seeds_capture="$seeds_capture $SHARED/corpus/tcp $SHARED/corpus/formats $SHARED/corpus/linktypes $SHARED/corpus/malformed"
status=0
for t in capture decoder config; do
	case $t in
	capture) seeds=$seeds_capture ;;
	decoder) seeds="captures" ;;
	config) seeds="tests/fuzz/seeds" ;;
	esac
	echo "== fuzz_$t for ${SECONDS_EACH}s"
	# shellcheck disable=SC2086
	"$F/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=512 \
		-artifact_prefix="$F/crashes/$t-" -print_final_stats=1 \
		"$F/corpus/$t" $seeds 2>&1 | grep -E '^(#[0-9]+ *DONE|Done|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' || true
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
ls "$F/crashes" | grep -q . && { echo "crashes found: $F/crashes"; status=1; }
exit $status
