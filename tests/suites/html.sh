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

# Every shared capture (the odd corpus, real protocols): the page is
# whole (it ends with </html>, even after a read error) and its records
# are the --json ones, with the same exit status; nothing crashes.
SHARED=${FC_SHARED:-../shared}
find "$SHARED/corpus" "$SHARED/protocols" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) \
	-print0 2>/dev/null | sort -z > "$T/shared.list"
if out=$(python3 - "$B/framecap" "$T" "$T/shared.list" <<'PY'
import html.parser, json, os, subprocess, sys
fc, tmp = sys.argv[1], sys.argv[2]
files = [f for f in open(sys.argv[3]).read().split("\0") if f]
assert len(files) > 100, "only %d shared captures" % len(files)
class Data(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.grab = False; self.text = []; self.inside = 0
    def handle_starttag(self, tag, a):
        self.grab = ("id", "framecap-data") in a; self.inside += self.grab
    def handle_endtag(self, tag):
        self.grab = False
    def handle_data(self, d):
        if self.grab: self.text.append(d)
bad = []
for f in files:
    page = tmp + "/corpus.html"
    if os.path.exists(page):
        os.unlink(page)
    h = subprocess.run([fc, "-r", f, "--html", page], capture_output=True, timeout=120)
    j = subprocess.run([fc, "-r", f, "--json"], capture_output=True, timeout=120)
    if h.returncode != j.returncode or h.returncode not in (0, 1):
        bad.append("%s: exit %d with --html, %d with --json" % (f, h.returncode, j.returncode)); continue
    if h.returncode and b"framecap: " not in h.stderr:
        bad.append("%s: exit 1 without a message" % f); continue
    try:
        text = open(page, encoding="utf-8").read()
    except (OSError, UnicodeDecodeError) as e:
        # An input that cannot be opened stops the run before the page
        # is created.
        if h.returncode == 0: bad.append("%s: %s" % (f, e))
        continue
    if not text.endswith("</html>\n"):
        bad.append("%s: the page is not whole" % f); continue
    p = Data(); p.feed(text)
    recs = [json.loads(l) for l in "".join(p.text).splitlines() if l]
    want = [json.loads(l) for l in j.stdout.decode().splitlines()]
    # --json's segment objects are the page's retransmission records
    # (whose lines name no endpoints, and count the frames they touched).
    strip = lambda o: {k: v for k, v in o.items() if k not in ("src", "dst", "vlan", "frames")}
    same = [r for r in recs if r["type"] in ("frame", "anomaly", "summary")]
    retx = [strip(r) for r in recs if r["type"] == "segment" and r.get("retransmission")]
    if (p.inside != 1 or same != [o for o in want if o["type"] != "segment"]
            or retx != [strip(o) for o in want if o["type"] == "segment"]):
        bad.append("%s: the embedded records are not the --json ones" % f)
print("\n".join(bad) if bad else "%d captures" % len(files))
sys.exit(1 if bad else 0)
PY
); then
	ok "shared corpus and protocols: $out: whole pages, records = --json, same exit status"
else
	fail "shared corpus and protocols with --html" "$out"
fi

# A live capture on lo: the page is written when the capture ends, and
# holds the frames the JSON view printed during it.
port=$(free_port)
"$B"/fc-talk serve "$port" > "$T/serve.log" 2>&1 &
server=$!
pids+=("$server")
"$B"/framecap -i lo --json --html "$T/live.html" "tcp port $port" > "$T/live.jsonl" 2> "$T/live.err" &
cap=$!
pids+=("$cap")
for _ in $(seq 50); do
	grep -q "$port" "$T/serve.log" 2>/dev/null && break
	sleep 0.1
done
wait_capturing "$cap"
"$B"/fc-talk send "$port" "$T/sent.jsonl" > /dev/null 2>&1
wait "$server"
sleep 0.3
kill -INT "$cap"; wait "$cap"; st=$?
if [ "$st" = 0 ] && tail -1 "$T/live.html" | grep -qx '</html>' && python3 - "$T/live.html" "$T/live.jsonl" <<'PY'
import json, re, sys
page = open(sys.argv[1]).read()
data = re.search(r'<script type="application/json" id="framecap-data">\n(.*?)</script>', page, re.S).group(1)
recs = [json.loads(l) for l in data.splitlines() if l]
want = [json.loads(l) for l in open(sys.argv[2])]
frames = [r for r in recs if r["type"] == "frame"]
assert len(frames) >= 7, "%d frames" % len(frames)
assert frames == [o for o in want if o["type"] == "frame"], "frames differ from --json"
assert any(r["type"] == "segment" for r in recs) and recs[-1]["type"] == "html"
PY
then
	ok "live capture on lo with --json --html: the page is whole at the end, its frames the ones printed"
else
	fail "live capture on lo with --html" "exit $st: $(cat "$T/live.err")"
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
cleanup_pids
exit $bad
