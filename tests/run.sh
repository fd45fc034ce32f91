#!/usr/bin/env bash
# run.sh - every test: unit tests (cmocka), capture replays (tests/TESTLIST),
# error handling, the shared corpus, and a live capture on lo.
# Ends with one line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${B:-build}
SHARED=${FC_SHARED:-$ROOT/../shared}
TMP=$(mktemp -d /tmp/framecap-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0

ok()   { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | head -40 | sed 's/^/     /'; }

echo "== unit tests"
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out=$("$t" 2>&1); rc=$?
	np=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	nf=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	printf '%s\n' "$out" | grep -E '^\[  (FAILED|ERROR) ' | grep -v 'test(s)' | sed 's/^/     /'
	passed=$((passed + ${np:-0})); failed=$((failed + ${nf:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$nf" ]; then fail "$name exited $rc" "$out"; fi
	echo "     $name: ${np:-0} passed, ${nf:-0} failed"
done

echo "== capture replays (tests/TESTLIST*)"
while read -r name capture expected opts; do
	case "$name" in ''|\#*) continue ;; esac
	# shellcheck disable=SC2086
	"$B"/framecap -r "captures/$capture" $opts > "$TMP/out" 2> "$TMP/err"
	echo "exit $?" >> "$TMP/out"
	if diff -u "tests/expected/$expected" "$TMP/out" > "$TMP/diff"; then
		ok "replay $name"
	else
		fail "replay $name (tests/update-expected.sh $name)" "$(cat "$TMP/diff" "$TMP/err")"
	fi
done < <(cat tests/TESTLIST tests/TESTLIST-* 2>/dev/null)

echo "== standard input and install"
if "$B"/framecap -r - --json < captures/sticky.pcap > "$TMP/stdin.out" &&
   "$B"/framecap -r captures/sticky.pcap --json | cmp -s - "$TMP/stdin.out"; then
	ok "-r - reads the capture from standard input"
else
	fail "-r - reads the capture from standard input"
fi
if make -s install DESTDIR="$TMP/root" PREFIX=/opt/fc B="$B" > "$TMP/install.log" 2>&1 &&
   [ -x "$TMP/root/opt/fc/bin/framecap" ] && [ -f "$TMP/root/opt/fc/share/man/man1/framecap.1" ]; then
	ok "make install honours PREFIX and DESTDIR"
else
	fail "make install honours PREFIX and DESTDIR" "$(cat "$TMP/install.log")"
fi

echo "== errors and exit status"
tests/errors.sh "$B/framecap" "$TMP" && ok "error handling" || fail "error handling"

echo "== shared corpus (every file: no crash, no hang, clear errors)"
if [ -d "$SHARED/corpus" ]; then
	if tests/corpus.sh "$B/framecap" "$SHARED/corpus" "$TMP" > "$TMP/corpus.log" 2>&1; then
		ok "corpus: $(tail -1 "$TMP/corpus.log")"
	else
		fail "corpus" "$(cat "$TMP/corpus.log")"
	fi
else
	fail "corpus: $SHARED/corpus not found (set FC_SHARED)"
fi

# Suites of other parts (the plugin, the reference programs): each prints
# "ok   NAME" or "FAIL NAME" lines, counted here, and exits non-zero on failure.
for suite in tests/suites/*.sh; do
	[ -f "$suite" ] || continue
	echo "== $(basename "$suite" .sh)"
	B="$B" FC_SHARED="$SHARED" bash "$suite" "$TMP" > "$TMP/suite.log" 2>&1
	rc=$?
	cat "$TMP/suite.log"
	np=$(grep -c '^ok ' "$TMP/suite.log"); nf=$(grep -c '^FAIL ' "$TMP/suite.log")
	passed=$((passed + np)); failed=$((failed + nf))
	if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then fail "$suite exited $rc"; fi
	if [ "$np" -eq 0 ] && [ "$nf" -eq 0 ]; then fail "$suite ran no test"; fi
done

echo "== live capture on lo"
if out=$(tests/live.sh "$B" "$TMP" 2>&1); then
	ok "live capture: $(printf '%s\n' "$out" | tail -1)"
else
	fail "live capture" "$out"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
