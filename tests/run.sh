#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - every test: unit tests (cmocka), capture replays (tests/TESTLIST),
# error handling, the shared corpus, and a live capture on lo.
# Ends with one line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${B:-build}
SHARED=${FC_SHARED:-$ROOT/../shared}
# framecap speaks the caller's language (framecap(1), ENVIRONMENT); the
# expected outputs are English, whatever LANG says (tests/TESTLIST-zh
# asks for Chinese with --lang zh).
export LANGUAGE=en
# Debian's programs first, as make deps installed them: a version
# manager's python3 shim ahead of them on PATH (pyenv's, say) costs 0.3 s
# a start on a small VM, against 0.04 s, and the tests start python3 a
# few thousand times.
export PATH=/usr/bin:/bin:$PATH
TMP=$(mktemp -d /tmp/framecap-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0

ok()   { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | head -40 | sed 's/^/     /'; }
# FC_ONLY="unit replays install errors corpus live SUITE..." runs only the
# named parts (a suite by its file name without .sh): for working on one
# part; `make check` runs everything.
want() { [ -z "${FC_ONLY:-}" ] && return 0; case " $FC_ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
# section TITLE: a part's heading. part_done: the part before it ended.
# The seconds each part took are listed before the last line, slowest
# first, to keep the whole run's time in view.
timings=() part='' part_start=$SECONDS
part_done() { [ -n "$part" ] && timings+=("$((SECONDS - part_start)) $part"); part=''; }
section() {
	part_done
	part=$1 part_start=$SECONDS
	echo "== $1"
}

if want unit; then
section "unit tests"
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
fi

if want replays; then
section "capture replays (tests/TESTLIST*)"
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
fi

if want install; then
section "standard input and install"
if "$B"/framecap -r - --json < captures/sticky.pcap > "$TMP/stdin.out" &&
   "$B"/framecap -r captures/sticky.pcap --json | cmp -s - "$TMP/stdin.out"; then
	ok "-r - reads the capture from standard input"
else
	fail "-r - reads the capture from standard input"
fi
# Install into a staging root, then run what was installed: --help, a
# capture, and an installed server and client exchanging frames.
inst="$TMP/root/opt/fc"
if make -s install DESTDIR="$TMP/root" PREFIX=/opt/fc B="$B" > "$TMP/install.log" 2>&1 &&
   [ "$(cd "$TMP/root" && find . -type f | sort | tr '\n' ' ')" = "./opt/fc/bin/framecap ./opt/fc/bin/framecap-client ./opt/fc/bin/framecap-server ./opt/fc/share/locale/zh_CN/LC_MESSAGES/framecap.mo ./opt/fc/share/man/man1/framecap-client.1 ./opt/fc/share/man/man1/framecap-server.1 ./opt/fc/share/man/man1/framecap.1 " ] &&
   [ "$(stat -c %a "$inst"/bin/* "$inst"/share/man/man1/* "$inst"/share/locale/zh_CN/LC_MESSAGES/framecap.mo | tr '\n' ' ')" = "755 755 755 644 644 644 644 " ]; then
	ok "make install honours PREFIX and DESTDIR: 3 programs (755), 3 man pages and the Chinese catalogue (644), nothing else"
else
	fail "make install honours PREFIX and DESTDIR" "$(cat "$TMP/install.log"; find "$TMP/root" -type f)"
fi
for p in framecap framecap-server framecap-client; do
	if "$inst/bin/$p" --help > "$TMP/help.out" 2>&1 || { [ $p = framecap ] && "$inst/bin/$p" -h > "$TMP/help.out" 2>&1; }; then
		missing=$(grep -oE -- '--[a-z][a-z-]+' "$TMP/help.out" | sort -u | while read -r o; do
			grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$inst/share/man/man1/$p.1" || echo "$o"; done)
		if [ -z "$missing" ]; then
			ok "installed $p: help exits 0; its man page covers every option it lists"
		else
			fail "installed $p: its man page covers every option" "missing: $missing"
		fi
	else
		fail "installed $p: help exits 0" "$(cat "$TMP/help.out")"
	fi
	if command -v man > /dev/null; then
		warn=$(MANWIDTH=80 man --warnings -l "$inst/share/man/man1/$p.1" 2>&1 > /dev/null)
		[ -z "$warn" ] && ok "man page $p.1 renders without warnings" || fail "man page $p.1 renders without warnings" "$warn"
	fi
done
if "$inst/bin/framecap" -r captures/sticky.pcap --json | cmp -s - "$TMP/stdin.out"; then
	ok "installed framecap decodes a capture as the built one does"
else
	fail "installed framecap decodes a capture as the built one does"
fi
iport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$inst/bin/framecap-server" -l "127.0.0.1:$iport" > "$TMP/iserver.log" 2>&1 &
ipid=$!
iout=$("$inst/bin/framecap-client" -c "127.0.0.1:$iport" --wait 5 --timeout 10 one two three 2>&1); ist=$?
kill -TERM "$ipid" 2>/dev/null; wait "$ipid"; isst=$?
if [ "$ist" = 0 ] && [ "$isst" = 0 ] && grep -q 'reply #2 len=5 "three"' <<< "$iout" &&
   grep -q 'frames in 3 ' "$TMP/iserver.log"; then
	ok "installed framecap-server and framecap-client exchange 3 frames on 127.0.0.1"
else
	fail "installed framecap-server and framecap-client exchange 3 frames" "client $ist: $iout; server $isst: $(cat "$TMP/iserver.log")"
fi
if make -s uninstall DESTDIR="$TMP/root" PREFIX=/opt/fc B="$B" > "$TMP/install.log" 2>&1 &&
   [ -z "$(find "$TMP/root" -type f)" ]; then
	ok "make uninstall removes every installed file"
else
	fail "make uninstall removes every installed file" "$(cat "$TMP/install.log"; find "$TMP/root" -type f)"
fi
fi

if want errors; then
section "errors and exit status"
tests/errors.sh "$B/framecap" "$TMP" && ok "error handling" || fail "error handling"
fi

if want corpus; then
section "shared corpus (every file: no crash, no hang, clear errors)"
if [ -d "$SHARED/corpus" ]; then
	if tests/corpus.sh "$B/framecap" "$SHARED/corpus" "$TMP" > "$TMP/corpus.log" 2>&1; then
		ok "corpus: $(tail -1 "$TMP/corpus.log")"
	else
		fail "corpus" "$(cat "$TMP/corpus.log")"
	fi
else
	fail "corpus: $SHARED/corpus not found (set FC_SHARED)"
fi
fi

# Suites of other parts (the plugin, the reference programs): each prints
# "ok   NAME" or "FAIL NAME" lines, counted here, and exits non-zero on failure.
for suite in tests/suites/*.sh; do
	[ -f "$suite" ] || continue
	want "$(basename "$suite" .sh)" || continue
	section "$(basename "$suite" .sh)"
	B="$B" FC_SHARED="$SHARED" bash "$suite" "$TMP" > "$TMP/suite.log" 2>&1
	rc=$?
	cat "$TMP/suite.log"
	np=$(grep -c '^ok ' "$TMP/suite.log"); nf=$(grep -c '^FAIL ' "$TMP/suite.log")
	passed=$((passed + np)); failed=$((failed + nf))
	if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then fail "$suite exited $rc"; fi
	if [ "$np" -eq 0 ] && [ "$nf" -eq 0 ]; then fail "$suite ran no test"; fi
done

if want live; then
section "live capture on lo"
if out=$(tests/live.sh "$B" "$TMP" 2>&1); then
	ok "live capture: $(printf '%s\n' "$out" | tail -1)"
else
	fail "live capture" "$out"
fi
fi

part_done
echo
echo "seconds per part, slowest first (whole run: ${SECONDS} s):"
printf '%s\n' "${timings[@]}" | sort -rn | head -12 | sed 's/^/     /'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
