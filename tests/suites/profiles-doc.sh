#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# profiles-doc.sh TMP - the profiles that docs/profiles.md shows are real:
#
#   docs/profiles.md --every ```yaml block--> a file (a block of bare
#       profiles is put under "profiles:") --> framecap --config FILE
#       --profile NAME, for each of its profiles: exit 0, the stream line
#       names it
#   the "Options: `...`" line after a block --> framecap with those flags
#       describes the same profile as the block's first one, and
#       fc-pcapgen writes the same bytes with either
#
# A doc example that does not parse, or whose flags say something else
# than its YAML, fails here.
set -u
T=$1/profiles-doc B=${B:-build}
SUITE=profiles-doc
. "$(dirname "$0")/../lib.sh"
ROOT=$PWD
case $B in /*) BB=$B ;; *) BB=$ROOT/$B ;; esac
F=$BB/framecap G=$BB/fc-pcapgen CAP=$ROOT/captures/basic.pcap
DOC=$ROOT/docs/profiles.md
need_built framecap fc-pcapgen
mkdir -p "$T/home" "$T/cwd"
trap cleanup_pids EXIT

# One line per block: FILE|LINE|NAMES (space separated)|OPTIONS (may be empty).
python3 - "$DOC" "$T" > "$T/blocks" <<'EOF'
import re, sys
doc, out = sys.argv[1], sys.argv[2]
lines = open(doc, encoding="utf-8").read().split("\n")
i, n = 0, 0
while i < len(lines):
    if lines[i].strip() != "```yaml":
        i += 1
        continue
    start = i + 1
    j = start
    while lines[j].strip() != "```":
        j += 1
    body = lines[start:j]
    full = any(re.match(r"(profiles|ports):", l) for l in body)
    if full:
        names, inside = [], False
        for l in body:
            if re.match(r"\S", l) and not l.startswith("#"):
                inside = l.startswith("profiles:")
            elif inside:
                m = re.match(r"  ([A-Za-z0-9_.-]+):", l)
                if m:
                    names.append(m.group(1))
        text = "\n".join(body)
    else:
        names = [m.group(1) for m in (re.match(r"([A-Za-z0-9_.-]+):", l) for l in body) if m]
        text = "profiles:\n" + "\n".join("  " + l for l in body)
    opts = ""
    k = j + 1
    while k < len(lines) and not lines[k].startswith("### ") and lines[k].strip() != "```yaml":
        m = re.match(r"Options: `([^`]+)`", lines[k])
        if m:
            opts = m.group(1)
            break
        k += 1
    n += 1
    path = "%s/block%02d.yaml" % (out, n)
    open(path, "w", encoding="utf-8").write(text + "\n")
    print("%s|%d|%s|%s" % (path, start, " ".join(names), opts))
    i = j + 1
EOF

nblocks=$(wc -l < "$T/blocks")
if [ "$nblocks" -ge 20 ]; then
	ok "docs/profiles.md has $nblocks YAML blocks"
else
	fail "docs/profiles.md has $nblocks YAML blocks, expected at least 20"
fi

# The profile description framecap prints for a stream of basic.pcap.
describe() { # describe ARGS... -> "NAME (...)" or nothing
	(cd "$T/cwd" && HOME=$T/home "$F" -r "$CAP" --color=never "$@" 2> "$T/err") |
		sed -n 's/.*  profile \(.*\)$/\1/p' | head -1 | sed 's/ \[no SYN.*//'
}

while IFS='|' read -r file line names opts; do
	where="docs/profiles.md:$line"
	# Every profile of the block loads and is the one chosen.
	bad_names=
	for name in $names; do
		got=$(describe --config "$file" --profile "$name")
		case $got in
		"$name ("*) ;;
		*) bad_names="$bad_names $name: '$got' $(cat "$T/err")" ;;
		esac
	done
	if [ -z "$names" ]; then
		fail "$where: a block with no profile"
	elif [ -z "$bad_names" ]; then
		ok "$where: $names load"
	else
		fail "$where: does not load:$bad_names"
	fi
	[ -n "$opts" ] || continue

	# The Options line says what the block's first profile says.
	first=${names%% *}
	eval "set -- $opts"
	want=$(describe --config "$file" --profile "$first")
	got=$(describe "$@")
	if [ -n "$got" ] && [ "${got#default }" = "${want#"$first" }" ]; then
		ok "$where: Options: $opts is profile $first"
	else
		fail "$where: Options: $opts gives '$got', the YAML '$want'" "$(cat "$T/err")"
	fi
	# max_frame does not show in the description: compare it as text.
	mf=$(tr '\n' ' ' < "$file" | sed -n "s/.*[ {]$first: *{\([^}]*\)}.*/\1/p" |
		sed -n 's/.*max_frame: *\([0-9x]*\).*/\1/p')
	if [ -n "$mf" ] && [[ " $opts " != *" --max-frame $mf "* ]]; then
		fail "$where: profile $first has max_frame $mf, Options do not say --max-frame $mf"
	fi
	# The same bytes on the wire, from the file and from the flags.
	if (cd "$T/cwd" && HOME=$T/home "$G" frames "$T/a.pcap" --config "$file" --profile "$first" \
		--frames hello 'world!' && HOME=$T/home "$G" frames "$T/b.pcap" "$@" --frames hello 'world!') \
		2> "$T/err" && cmp -s "$T/a.pcap" "$T/b.pcap"; then
		ok "$where: fc-pcapgen frames the same with the YAML and with the Options"
	else
		fail "$where: fc-pcapgen frames differently with the YAML and with the Options" "$(cat "$T/err")"
	fi
done < "$T/blocks"

# The combined file holds a profile for each protocol the page covers.
combined=$(grep -l '^# framecap.yaml' "$T"/block*.yaml | head -1)
missing=
for name in tutorial kafka thrift dns mongodb mysql tls modbus tpkt bgp enip oncrpc grpc \
	    mqtt pbuf ldap lines smtp stomp pg_startup pg amqp http2; do
	grep -qE "^  $name:" "${combined:-/dev/null}" || missing="$missing $name"
done
if [ -n "$combined" ] && [ -z "$missing" ]; then
	ok "the combined file has every protocol's profile"
else
	fail "the combined file lacks:${missing:- the file itself}"
fi
exit $bad
