#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tutorial-doc.sh TMP - the tutorials show what framecap prints now:
#
#   docs/tutorial.md, docs/tutorial.zh.md, docs/diagnosing.md
#     every ``` block, split at its "$ COMMAND" lines
#       $ build/framecap ...      run (a shell line: pipes allowed) in a
#                                 directory where build/, captures/ and
#                                 tests/ are the repository's, in
#                                 English unless it says --lang --> its
#                                 standard output is the lines shown
#                                 under it, byte for byte (a line "..."
#                                 alone stands for one or more lines
#                                 left out); exit status 0;
#                                 an --html FILE it names is written, with
#                                 the page's embedded records
#       $ build/framecap-client   live runs on loopback (ports, times and
#       $ build/framecap-server   the machine's limits differ each run):
#       $ sudo ...                not run, only counted
#       $ make ...  $ cat ...
#       anything else             fails: a command nobody checks
#     a block with framecap's output (a "stream N" line, a "#N c2s"
#     segment line) but no "$ build/framecap" command fails too: every
#     framecap output a tutorial shows is checked here.
#
# The captures they read are the repository's (tests/make-ref-captures.sh
# recorded the live runs); a changed output is fixed in the tutorial.
set -u
SUITE=tutorial-doc T=$1/tutorial-doc B=${B:-build}
. "$(dirname "$0")/../lib.sh"
need_built framecap
trap cleanup_pids EXIT
# The directory the commands run in: the build and the repository's
# captures and test profiles, and room for the files they write.
mkdir -p "$T/run" || exit 1
ln -s "$(cd "$B" && pwd)" "$T/run/build"
for d in captures tests; do ln -s "$PWD/$d" "$T/run/$d"; done
# ../shared from the run directory: the shared captures, as from the
# repository (docs/diagnosing.md reads some).
ln -sfn "$(cd "${FC_SHARED:-../shared}" && pwd)" "$T/shared"

# docs/tutorial.md needs at least 15 checked commands, the Chinese one 8:
# a tutorial whose commands all turned into live ones checks nothing.
python3 - "$T/run" "docs/tutorial.md:15" "docs/tutorial.zh.md:8" "docs/diagnosing.md:20" <<'EOF' || bad=1
import os, re, subprocess, sys

run_dir = sys.argv[1]
LIVE = ("build/framecap-client", "build/framecap-server", "sudo ", "make", "cat ")
OUTPUT = re.compile(r"^(stream \d+  |\s+#\d+\s+(c2s|s2c) \+)")
failed = False

def report(good, msg, detail=""):
    global failed
    print(("ok   " if good else "FAIL ") + "tutorial-doc: " + msg)
    if not good:
        failed = True
        for l in detail.splitlines()[:30]:
            print("     " + l)

def blocks(path):
    """(first line number, lines) of each ``` block, its indent removed."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^( *)```", lines[i])
        if not m:
            i += 1
            continue
        ind, start = len(m.group(1)), i + 1
        j = start
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        yield start + 1, [l[ind:] if l[:ind].strip() == "" else l for l in lines[start:j]]
        i = j + 1

def elided_match(want, got):
    """A line "..." alone in a shown output stands for lines left out (any
    number, at least one): the shown parts must appear in that order, the
    first at the start and the last at the end."""
    parts, cur = [], []
    for l in want:
        if l == "...":
            parts.append(cur)
            cur = []
        else:
            cur.append(l)
    parts.append(cur)
    if got[:len(parts[0])] != parts[0] or (parts[-1] and got[-len(parts[-1]):] != parts[-1]):
        return False
    i, end = len(parts[0]), len(got) - len(parts[-1])
    for part in parts[1:-1]:
        j = i + 1
        while j + len(part) <= end and got[j:j + len(part)] != part:
            j += 1
        if j + len(part) > end:
            return False
        i = j + len(part)
    return end - i >= 1

def check(where, cmd, want):
    html = re.search(r"--html (\S+)", cmd)
    if html:
        target = os.path.join(run_dir, html.group(1))
        if os.path.exists(target):
            os.unlink(target)
    p = subprocess.run(["bash", "-c", cmd], cwd=run_dir, capture_output=True,
                       env=dict(os.environ, LANGUAGE="en"))
    got = p.stdout.decode("utf-8", "replace")
    exp = "".join(l + "\n" for l in want)
    if "..." in want and p.returncode == 0 and elided_match(want, got.split("\n")[:-1]):
        got = exp
    if p.returncode != 0:
        report(False, "%s: exit %d: %s" % (where, p.returncode, cmd), p.stderr.decode("utf-8", "replace"))
    elif got != exp:
        import difflib
        diff = "".join(difflib.unified_diff(exp.splitlines(True), got.splitlines(True),
                                            "shown", "framecap now"))
        report(False, "%s: the output shown is not what framecap prints: %s" % (where, cmd), diff)
    elif html and b'id="framecap-data"' not in open(os.path.join(run_dir, html.group(1)), "rb").read():
        report(False, "%s: %s wrote no report with its data" % (where, cmd))
    else:
        report(True, "%s: %s (%d lines)" % (where, cmd, len(want)))
    return True

for arg in sys.argv[2:]:
    doc, least = arg.rsplit(":", 1)
    if not os.path.exists(doc):
        report(False, "%s exists" % doc)
        continue
    checked = live = 0
    for line, body in blocks(doc):
        cmds = [k for k, l in enumerate(body) if l.startswith("$ ")]
        if not cmds:
            if any(OUTPUT.match(l) for l in body):
                report(False, "%s:%d: framecap output without the command that prints it" % (doc, line))
            continue
        for n, k in enumerate(cmds):
            cmd = body[k][2:]
            want = body[k + 1:cmds[n + 1] if n + 1 < len(cmds) else len(body)]
            where = "%s:%d" % (doc, line + k)
            if cmd.startswith("build/framecap "):
                checked += check(where, cmd, want)
            elif cmd.startswith(LIVE):
                live += 1
            else:
                report(False, "%s: a command neither run here nor declared live: %s" % (where, cmd))
    report(checked >= int(least), "%s: %d commands checked (at least %s), %d live ones not run"
           % (doc, checked, least, live))
sys.exit(1 if failed else 0)
EOF
exit $bad
