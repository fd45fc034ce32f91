#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# i18n.sh - framecap in Simplified Chinese (--lang zh, or the environment)
# and in English: the catalogue is complete, the language is chosen as
# documented (whatever locales the machine has generated), JSON never
# changes, columns line up by display width, --help, --explain, the
# errors (the configuration's too) and --detect's comments speak Chinese
# with no English sentence left, as do framecap-client's and
# framecap-server's --help and errors, the installed program finds its
# catalogue, and the HTML report is Chinese in a real Chromium
# (tests/i18n_html_check.py). The text views and --detect documents in
# Chinese are replayed from tests/TESTLIST-zh by tests/run.sh.
set -u
cd "$(dirname "$0")/../.."
SUITE=i18n
. tests/lib.sh
B=${B:-build} fc=${B:-build}/framecap T=${1:-$(mktemp -d)}/i18n
mkdir -p "$T"

stats=""
# The catalogue: every message of the sources translated, none fuzzy, and
# msgfmt -c agrees that each translation takes the same arguments.
if make -s B="$B" "$B/po/framecap.pot" > "$T/pot.log" 2>&1 &&
   msgcmp src/po/zh_CN.po "$B/po/framecap.pot" > "$T/msgcmp.log" 2>&1 &&
   stats=$(LC_ALL=C msgfmt -c --statistics -o /dev/null src/po/zh_CN.po 2>&1) &&
   printf '%s\n' "$stats" | grep -qE '^[0-9]+ translated messages\.$'; then
	ok "src/po/zh_CN.po covers every message of the sources: $stats"
else
	fail "src/po/zh_CN.po is complete (make po-update, then translate)" \
		"$(cat "$T/pot.log" "$T/msgcmp.log" 2>/dev/null; echo "$stats")"
fi

# The same output, Chinese, whichever way it is asked for; English by
# default and when C, POSIX or --lang en says so. env -i: no stray locale.
cap=captures/live-talk.pcap
zh=$(env -i PATH="$PATH" "$fc" --lang zh -r "$cap" --color=never 2>&1)
en=$(env -i PATH="$PATH" "$fc" -r "$cap" --color=never 2>&1)
case "$zh" in *"粘包：3 帧"*"#4 半包：跨 3 段"*"#5 包头被拆开"*) ok "--lang zh: 粘包, 半包 and 包头 in the text view" ;;
	*) fail "--lang zh: the tutorials' words in the text view" "$zh" ;; esac
case "$en" in *"STICKY: 3 frames"*"#4 split: 3 segs"*) ok "English by default, with no locale set" ;;
	*) fail "English by default" "$en" ;; esac
# lang_is WANT "VAR=value ... [--lang=X]": the output under that
# environment (and option) is the $WANT one.
lang_is() {
	local want=$1 w got
	local -a vars=() args=()
	for w in $2; do case "$w" in --*) args+=("$w") ;; *) vars+=("$w") ;; esac; done
	got=$(env -i PATH="$PATH" "${vars[@]}" "$fc" "${args[@]}" -r "$cap" --color=never 2>&1)
	if [ "$got" = "${!want}" ]; then
		ok "$2: $([ "$want" = zh ] && echo Chinese || echo English)"
	else
		fail "$2: $want" "$(diff <(echo "${!want}") <(echo "$got") | head)"
	fi
}
for e in "LANG=zh_CN.UTF-8" "LC_ALL=zh_CN.UTF-8 LANG=C" "LC_MESSAGES=zh_CN.utf8" "LANG=zh_CN" \
	 "LANGUAGE=zh_CN:en LANG=en_US.UTF-8" "LANG=en_US.UTF-8 --lang=zh" "LANG=C --lang=zh_CN"; do
	lang_is zh "$e"
done
for e in "LANG=zh_CN.UTF-8 LC_ALL=C" "LANGUAGE=zh_CN LANG=POSIX" "LANG=zh_CN.UTF-8 --lang=en" \
	 "LC_ALL=en_US.UTF-8 LANG=zh_CN.UTF-8" "LANG=de_DE.UTF-8"; do
	lang_is en "$e"
done
"$fc" --lang fr -r "$cap" > /dev/null 2> "$T/err"; st=$?
if [ "$st" = 2 ] && grep -q -- '--lang fr: expected zh (Simplified Chinese) or en' "$T/err"; then
	ok "--lang fr: exit 2, '$(cat "$T/err")'"
else
	fail "--lang fr: exit 2 with a clear message" "exit $st: $(cat "$T/err")"
fi

# JSON is English in every language: byte for byte the same output.
for c in live-talk gap midstream diag-ascii diag-adjust ref-bug-chars rst framing-lines-gap; do
	a=$("$fc" -r "captures/$c.pcap" --json 2>&1; echo "exit $?")
	b=$("$fc" --lang zh -r "captures/$c.pcap" --json 2>&1; echo "exit $?")
	c2=$(env -i PATH="$PATH" LANG=zh_CN.UTF-8 "$fc" -r "captures/$c.pcap" --json 2>&1; echo "exit $?")
	if [ "$a" = "$b" ] && [ "$a" = "$c2" ] && [ -n "$a" ]; then
		ok "$c: --json is the same with --lang zh and LANG=zh_CN.UTF-8"
	else
		fail "$c: --json is the same in both languages" "$(diff <(echo "$a") <(echo "$b") | head)"
	fi
done

# Columns by display width: a CJK character takes two columns, so every
# note after a segment line (粘包, 半包, 包头, in either language) ends at
# column 80, and -v's and --explain's paragraphs stay within their width.
python3 - "$fc" "$T" <<'PY' || bad=1
import re, subprocess, sys, unicodedata
fc, tmp = sys.argv[1], sys.argv[2]
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in s)
note = re.compile(r"(STICKY: \d+ frames|#\d+ split: \d+ segs|#\d+ header split|粘包：\d+ 帧|#\d+ 半包：跨 \d+ 段|#\d+ 包头被拆开|out of order|乱序)$")
bad, n = [], 0
for lang in ("en", "zh"):
    for cap in ("live-talk", "ref-framed", "ref-midstream", "diag-adjust", "ref-sticky", "ooo", "split", "framing-varint-split", "ref-bug-chars", "diag-zeros"):
        out = subprocess.run([fc, "--lang", lang, "-r", "captures/%s.pcap" % cap, "--color=never", "-v"],
                             capture_output=True).stdout.decode()
        for line in out.splitlines():
            if note.search(line):
                n += 1
                if width(line) != 80:
                    bad.append("%s %s: width %d: %s" % (lang, cap, width(line), line))
            elif line.startswith("       ") and not line.startswith("       #") and width(line) > 80:
                bad.append("%s %s: paragraph line wider than 80: %s" % (lang, cap, line))
for kind in ("gap", "short_frame", "ascii_length_suspect", "delimiter_suspect", "adjustment_suspect"):
    out = subprocess.run([fc, "--lang", "zh", "--explain", kind], capture_output=True).stdout.decode()
    lines = out.splitlines()
    if lines[0] != kind or len(lines) < 3 or not all(re.search("[\u4e00-\u9fff]", l) for l in lines[1:]):
        bad.append("--lang zh --explain %s: not a Chinese paragraph: %r" % (kind, out))
    for l in lines[1:]:
        n += 1
        if width(l) > 76 or l[2] in "，。；：）、":
            bad.append("--explain %s: line of width %d or starting with punctuation: %s" % (kind, width(l), l))
if bad or n < 40:
    print("FAIL i18n: columns line up by display width (%d lines)" % n)
    print("\n".join("     " + b for b in bad[:20]))
    sys.exit(1)
print("ok   i18n: %d note and paragraph lines, English and Chinese, line up by display width "
      "(notes end at column 80, --explain within 76)" % n)
PY

# --help: the synopsis as in English, the description in Chinese, exit 0;
# --explain in Chinese for every kind.
"$fc" --lang zh --help > "$T/help.zh"; st=$?
"$fc" --lang en --help > "$T/help.en"
if [ "$st" = 0 ] && grep -q '^用法： framecap' "$T/help.zh" && grep -q '粘包' "$T/help.zh" &&
   grep -q '半包' "$T/help.zh" && diff <(grep -oE -- '--[a-z-]+' "$T/help.en") <(grep -oE -- '--[a-z-]+' "$T/help.zh") > /dev/null &&
   grep -q -- '--lang zh|en' "$T/help.en"; then
	ok "--lang zh --help: 用法, the same options, 粘包 and 半包 in the description"
else
	fail "--lang zh --help" "exit $st: $(cat "$T/help.zh")"
fi
untranslated=""
kinds=$("$fc" --explain nosuch 2>&1 | sed 's/.*kinds://')
for k in $kinds; do
	out=$("$fc" --lang zh --explain "$k") || untranslated="$untranslated $k(exit)"
	printf '%s\n' "$out" | sed 1d | LC_ALL=C.UTF-8 grep -qP '\p{Han}' || untranslated="$untranslated $k"
done
[ -z "$untranslated" ] && [ -n "$kinds" ] && ok "--lang zh --explain: every kind ($(echo $kinds | wc -w)) explained in Chinese" ||
	fail "--lang zh --explain in Chinese" "not: $untranslated"

# What is left after the words that stay as they are (options, names,
# paths, quoted text, code, placeholders): three English words in a row
# are an untranslated sentence. Reads stdin; prints the offending lines.
cat > "$T/english.py" <<'PY'
import re, sys
keep = re.compile(r"""'[^']*'|"[^"]*"|\{[^}]*\}|\S*[-_./|=<>\\\d]\S*|\b[A-Z][A-Z0-9]+\b|framecap\S*""")
for line in sys.stdin.read().splitlines():
    if re.match(r"^#   (Netty|Go|Python|tokio-util): [A-Za-z]", line) and not re.search("[\u4e00-\u9fff]", line):
        continue  # the same framing as code: no prose in it
    rest = keep.sub(" ", line)
    if re.search(r"[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,}){2,}", rest):
        print(line)
PY
# no_english NAME TEXT: TEXT has Chinese in it and no English sentence.
no_english() {
	local left
	left=$(printf '%s\n' "$2" | python3 "$T/english.py")
	if [ -z "$left" ] && printf '%s\n' "$2" | LC_ALL=C.UTF-8 grep -qP '\p{Han}'; then
		ok "$1: Chinese, no English sentence left"
	else
		fail "$1: Chinese, no English sentence left" "${left:-no Chinese at all: $2}"
	fi
}

# Errors: the same exit status in both languages, "framecap: " then the
# message in Chinese, chosen before option parsing ends (--lang after the
# bad option, or LANGUAGE=zh). A bad configuration file's message comes
# from the core, through the translator framecap hands it.
printf 'profiles:\n  p: {length_size: 9}\nports:\n  8001: p\n' > "$T/size.yaml"
printf 'profiles:\n  p: {length_sise: 4}\n' > "$T/key.yaml"
printf 'profiles:\n  p: {delimiter: "\\r\\n"}\n' > "$T/misfit.yaml"
printf 'profiles:\n  p: {length_size: [4]}\n' > "$T/list.yaml"
printf 'profiles:\n  p: {prelude: {c2s: [{bytes_one_of: ["a"], profile: q}]}}\n' > "$T/both.yaml"
while IFS='|' read -r args; do
	# shellcheck disable=SC2086
	en=$(env -i PATH="$PATH" "$fc" $args 2>&1 >/dev/null); en_st=$?
	# shellcheck disable=SC2086
	zh=$(env -i PATH="$PATH" "$fc" $args --lang zh 2>&1 >/dev/null); zh_st=$?
	# shellcheck disable=SC2086
	zh_env=$(env -i PATH="$PATH" LANGUAGE=zh "$fc" $args 2>&1 >/dev/null)
	if [ "$en_st" = "$zh_st" ] && [ "$en_st" -ge 1 ] && [ "$zh" = "$zh_env" ] &&
	   [ "${zh#framecap: }" != "$zh" ] && [ "$zh" != "$en" ] &&
	   ! printf '%s' "$en" | LC_ALL=C.UTF-8 grep -qP '\p{Han}'; then
		no_english "error '$args' (exit $zh_st): $zh" "${zh#framecap: }"
	else
		fail "error '$args': exit $en_st in English, the same in Chinese by --lang zh and LANGUAGE=zh" \
			"en ($en_st): $en"$'\n'"zh ($zh_st): $zh"$'\n'"LANGUAGE=zh: $zh_env"
	fi
done <<EOF2
-r $cap --color=bogus
-c 0 -r $cap
--length-size 9 -r $cap
--byte-order middle -r $cap
--max-flows abc -r $cap
-r $cap -i lo
-r $cap --recv-view 3 --json
--emit-test rust -r $cap
--delimiter x -r $cap
-r $cap --config $T/size.yaml
-r $cap --config $T/key.yaml
-r $cap --config $T/misfit.yaml
-r $cap --config $T/list.yaml
-r $cap --config $T/both.yaml
-r $cap --profile nope
-r $cap --html $cap
EOF2

# --detect: the comments in Chinese, the YAML itself as in English, and
# --config reads the Chinese document back to the same decoding.
for c in live-talk many raw ref-framed framing-varint-split; do
	"$fc" -r "captures/$c.pcap" --detect > "$T/$c.en.yaml" 2>&1
	"$fc" --lang zh -r "captures/$c.pcap" --detect > "$T/$c.zh.yaml" 2>&1; st=$?
	a=$("$fc" -r "captures/$c.pcap" --config "$T/$c.en.yaml" --json 2>&1; echo "exit $?")
	b=$("$fc" --lang zh -r "captures/$c.pcap" --config "$T/$c.zh.yaml" --json 2>&1; echo "exit $?")
	if [ "$st" = 0 ] && [ "$a" = "$b" ] && [ "${a%exit 0}" != "$a" ] &&
	   diff <(grep -v '^#' "$T/$c.en.yaml") <(grep -v '^#' "$T/$c.zh.yaml") > /dev/null; then
		ok "$c: --lang zh --detect: the same YAML as in English, read back by --config to the same frames"
	else
		fail "$c: --lang zh --detect: exit 0, the same YAML, read back to the same frames" \
			"exit $st: $(diff "$T/$c.en.yaml" "$T/$c.zh.yaml" | head; diff <(echo "$a") <(echo "$b") | head)"
	fi
	no_english "$c: --detect's comments" "$(grep '^#' "$T/$c.zh.yaml")"
done

# The reference programs speak the environment's language: --help (the
# same options), and their errors with the same exit status.
for p in framecap-client framecap-server; do
	env -i PATH="$PATH" "$B/$p" --help > "$T/$p.en" 2>&1
	env -i PATH="$PATH" LANGUAGE=zh_CN "$B/$p" --help > "$T/$p.zh" 2>&1; st=$?
	if [ "$st" = 0 ] && grep -q "^用法： $p" "$T/$p.zh" && grep -q '粘包\|包头' "$T/$p.zh" &&
	   diff <(grep -oE -- '--[a-z-]+' "$T/$p.en") <(grep -oE -- '--[a-z-]+' "$T/$p.zh") > /dev/null &&
	   ! LC_ALL=C.UTF-8 grep -qP '\p{Han}' "$T/$p.en"; then
		no_english "LANGUAGE=zh_CN $p --help (用法, the same options)" "$(cat "$T/$p.zh")"
	else
		fail "LANGUAGE=zh_CN $p --help: exit 0, 用法, the same options as in English" "exit $st: $(cat "$T/$p.zh")"
	fi
done
while IFS='|' read -r p args; do
	# shellcheck disable=SC2086
	en=$(env -i PATH="$PATH" "$B/$p" $args 2>&1 >/dev/null); en_st=$?
	# shellcheck disable=SC2086
	zh=$(env -i PATH="$PATH" LANGUAGE=zh_CN "$B/$p" $args 2>&1 >/dev/null); zh_st=$?
	if [ "$en_st" = "$zh_st" ] && [ "$en_st" -ge 1 ] && [ "${zh#"$p": }" != "$zh" ] && [ "$zh" != "$en" ]; then
		no_english "$p $args (exit $zh_st): $zh" "${zh#"$p": }"
	else
		fail "$p $args: the same exit status in Chinese, '$p: ' and a message" "en ($en_st): $en"$'\n'"zh ($zh_st): $zh"
	fi
done <<EOF2
framecap-client|--burst x
framecap-client|--drip --chunk 3 one
framecap-client|--scenario upload
framecap-client|--length-size 9 one
framecap-client|--replay $cap
framecap-server|--when-full maybe
framecap-server|-m upload
framecap-server|--config $T/key.yaml
EOF2

# Installed: the catalogue goes under share/locale and the program finds
# it there, wherever PREFIX put it; uninstall removes it.
if make -s install DESTDIR="$T/root" PREFIX=/opt/fc B="$B" > "$T/install.log" 2>&1 &&
   [ -f "$T/root/opt/fc/share/locale/zh_CN/LC_MESSAGES/framecap.mo" ] &&
   "$T/root/opt/fc/bin/framecap" --lang zh -r "$cap" --color=never 2>&1 | grep -q '粘包：3 帧' &&
   make -s uninstall DESTDIR="$T/root" PREFIX=/opt/fc B="$B" >> "$T/install.log" 2>&1 &&
   [ ! -e "$T/root/opt/fc/share/locale/zh_CN/LC_MESSAGES/framecap.mo" ]; then
	ok "make install puts the catalogue in share/locale, the installed framecap speaks Chinese; uninstall removes it"
else
	fail "the installed catalogue" "$(cat "$T/install.log")"
fi

# The HTML report in Chinese, in Chromium (its own ok and FAIL lines).
if command -v chromium > /dev/null; then
	python3 tests/i18n_html_check.py "$B" "$T" || bad=1
else
	fail "chromium is installed (make deps)"
fi
exit $bad
