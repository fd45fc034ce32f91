#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# html.sh - framecap --html FILE: the page beside the usual output, its
# errors and exit status, bytes from the wire kept inside the data
# element, then the pages of every capture in captures/ in a real headless
# Chromium (tests/html_check.py: boxes against --json and the text view,
# hover and click details, the reads lane, limits, 100,000 frames).
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
T=${1:-$(mktemp -d)}/html
mkdir -p "$T"
SUITE=html
. tests/lib.sh
need_built framecap fc-pcapgen

# The view on stdout is the same with and without --html.
for view in "--color=never" "--json" "--recv-view 16"; do
	# shellcheck disable=SC2086
	a=$("$B"/framecap -r captures/live-talk.pcap $view)
	# shellcheck disable=SC2086
	b=$("$B"/framecap -r captures/live-talk.pcap $view --html "$T/side.html")
	if [ "$a" = "$b" ] && [ -s "$T/side.html" ]; then
		ok "framecap $view --html FILE: the same output on stdout, and the page"
	else
		fail "framecap $view --html FILE: the same output on stdout" "$(diff <(echo "$a") <(echo "$b"))"
	fi
done

# --html -: the page instead of the text view.
"$B"/framecap -r captures/sticky.pcap --html - > "$T/stdout.html" 2> "$T/err"; st=$?
if [ "$st" = 0 ] && head -1 "$T/stdout.html" | grep -qx '<!DOCTYPE html>' &&
   tail -1 "$T/stdout.html" | grep -qx '</html>' && ! grep -q '^stream 1 ' "$T/stdout.html"; then
	ok "--html - writes the page, and only the page, to standard output"
else
	fail "--html - writes the page to standard output" "exit $st $(cat "$T/err")"
fi

# Errors: a clear message and the documented status.
expect() { # STATUS PATTERN DESCRIPTION framecap-args...
	local want=$1 pat=$2 what=$3 st
	shift 3
	"$B"/framecap "$@" > /dev/null 2> "$T/err"; st=$?
	if [ "$st" = "$want" ] && grep -qE -- "$pat" "$T/err"; then
		ok "$what: exit $st, '$(head -1 "$T/err")'"
	else
		fail "$what: exit $want" "exit $st: $(cat "$T/err")"
	fi
}
cp captures/sticky.pcap "$T/in.pcap"
expect 2 'this is the file being read' "--html onto the capture being read" -r "$T/in.pcap" --html "$T/in.pcap"
cmp -s captures/sticky.pcap "$T/in.pcap" && ok "the capture is left untouched" || fail "the capture is left untouched"
expect 1 '/dev/full: No space left on device' "--html /dev/full (a failed write)" -r captures/many.pcap --html /dev/full
expect 1 'No such file or directory' "--html into a missing directory" -r captures/sticky.pcap --html "$T/no/such/dir.html"
expect 2 'cannot be combined with --detect' "--html with --detect" -r captures/sticky.pcap --html "$T/x.html" --detect
expect 2 'cannot be combined with --json' "--html - with --json" -r captures/sticky.pcap --html - --json
expect 2 'expected a file name' "--html ''" -r captures/sticky.pcap --html ''
expect 2 'html-max-frames' "--html-max-frames x" -r captures/sticky.pcap --html "$T/x.html" --html-max-frames x

# A '<' from the wire (a length written as text, "15</script>...") stays
# inside the data element: escaped as \u003c, the same JSON value.
"$B"/fc-pcapgen frames "$T/esc.pcap" --raw "$(printf '15</script><b>hi there you all' | od -An -tx1 | tr -d ' \n')" ||
	fail "fc-pcapgen frames"
"$B"/framecap -r "$T/esc.pcap" --html "$T/esc.html" > /dev/null
if [ "$(grep -o '</script' "$T/esc.html" | wc -l)" = 2 ] && grep -q '"field_text":"15\\u003c/"' "$T/esc.html"; then
	ok "'</' from the wire is written as \\u003c/: the page has only its own two </script>"
else
	fail "'</' from the wire is escaped in the page" "$(grep -o '.\{30\}</.\{30\}' "$T/esc.html")"
fi

# The page in a real browser. One Chromium, every capture's page.
if ! command -v chromium > /dev/null; then
	fail "chromium is installed (make deps)"
else
	python3 tests/html_check.py "$B" "$T" captures/*.pcap "$T/esc.pcap" > "$T/browser.log" 2>&1
	st=$?
	cat "$T/browser.log"
	grep -q '^FAIL' "$T/browser.log" && bad=1
	[ "$st" = 0 ] || { grep -q '^FAIL' "$T/browser.log" || fail "html_check.py exited $st"; }
fi
[ "$bad" = 0 ] && rm -rf "$T"
exit $bad
