#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# emit-langs.sh - the Go and Java tests of framecap --emit-test, compiled
# and run with their own tools (golang-go, default-jdk-headless,
# libnetty-java and junit5, which make deps installs), for a capture of
# each framing (length, length with a mask, varint after a type byte and
# alone, BER, lines, fixed records):
#
#   go    go test on the generated file: passes; with readMessage replaced
#         by one that takes each Read as a message (the file's own reader
#         on that Read's bytes alone): fails
#   java  javac + JUnit's console launcher on the generated class, with the
#         Netty decoder it picks (LengthFieldBased, DelimiterBased,
#         FixedLength, ProtobufVarint32) or its own: passes; with decoder()
#         replaced by a handler that takes each write as a message: fails
#
# Prints "ok   NAME" or "FAIL NAME" per check; exits 1 if any failed.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
T=$(mktemp -d /tmp/emit-langs.XXXXXX)
SUITE=emit-langs
. tests/lib.sh
trap cleanup_pids EXIT
need_built framecap fc-pcapgen

for p in golang-go default-jdk-headless libnetty-java junit5; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		{ fail "$p is not installed (make deps)"; exit 1; }
done
J=/usr/share/java
NCP=$J/netty-buffer.jar:$J/netty-codec.jar:$J/netty-common.jar:$J/netty-transport.jar:$J/netty-resolver.jar
export GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS=-mod=mod GOPROXY=off

# The framing captures the suite makes: a length with ONC RPC's
# last-fragment bit (the flag set on two of three frames) and a bare
# protobuf varint stream, both cut inside headers, and sticky records.
MASK='--byte-order big --unsigned --length-mask 0x7fffffff'
"$B"/fc-pcapgen frames "$T/mask.pcap" --cuts 3,12,20 $MASK \
	--raw 8000000568656c6c6f0000000361796d8000000c6b696e676874206c6f766520 &&
"$B"/fc-pcapgen split "$T/pbuf.pcap" --framing varint &&
"$B"/fc-pcapgen sticky "$T/fixed.pcap" --framing fixed --frame-size 8 ||
	{ fail "fc-pcapgen: the mask and varint captures"; exit 1; }

# case NAME: the capture and framecap options of a case, in CAP and OPTS.
case_of() {
	case $1 in
	sticky|ref-chunk) CAP=captures/$1.pcap OPTS=() ;;
	mask) CAP=$T/mask.pcap; read -ra OPTS <<< "$MASK" ;;
	varint) CAP=captures/framing-varint-split.pcap
		OPTS=(--framing varint --length-offset 1 --varint-max-bytes 4) ;;
	pbuf) CAP=$T/pbuf.pcap OPTS=(--framing varint) ;;
	ber) CAP=captures/framing-ber-sticky.pcap OPTS=(--framing ber) ;;
	lines) CAP=captures/framing-lines-split.pcap OPTS=(--framing delimiter --delimiter '\r\n') ;;
	fixed) CAP=$T/fixed.pcap OPTS=(--framing fixed --frame-size 8) ;;
	esac
}

CASES="sticky ref-chunk mask varint pbuf ber lines fixed"
# Every case's files first, then each language's tools once over all of
# them (one go vet and go test, one javac and JVM per variant): the
# generated file, and a naive variant of it. Go: one package per case;
# Java: one class per case (FramecapReplayTest_CASE).
mkdir -p "$T/go" "$T/gonaive" "$T/java" "$T/javanaive"
for d in go gonaive; do printf 'module example.com/framecap\n\ngo 1.19\n' > "$T/$d/go.mod"; done
for cap in $CASES; do
	case_of "$cap"
	mkdir -p "$T/go/$cap" "$T/gonaive/$cap"
	"$B"/framecap -r "$CAP" "${OPTS[@]}" --emit-test go > "$T/go/$cap/framecap_test.go" &&
	"$B"/framecap -r "$CAP" "${OPTS[@]}" --emit-test java > "$T/java/FramecapReplayTest_${cap//-/_}.java" ||
		fail "--emit-test go and java: $cap"
done
python3 - "$T" $CASES <<'PY'
import sys
t, cases = sys.argv[1], sys.argv[2:]
GO_NAIVE = """var readMessage = func(r io.Reader) ([]byte, error) {
	buf := make([]byte, 1<<16)
	n, err := r.Read(buf)
	if n == 0 {
		return nil, err
	}
	return referenceReadMessage(bytes.NewReader(buf[:n]))
}
"""
JAVA_NAIVE = """        return new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext c, Object m) {
                EmbeddedChannel one = new EmbeddedChannel(frameDecoder());
                one.writeInbound(m);
                Object f = one.readInbound();
                one.finishAndReleaseAll();
                if (f != null)
                    c.fireChannelRead(f);
            }
        };
"""
def edit(src, dst, old, new, rename=None):
    s = open(src).read()
    assert old in s, src
    s = s.replace(old, new)
    if rename:
        s = s.replace(*rename)
    open(dst, "w").write(s)
for c in cases:
    j = c.replace("-", "_")
    edit("%s/go/%s/framecap_test.go" % (t, c), "%s/gonaive/%s/framecap_test.go" % (t, c),
         "var readMessage = referenceReadMessage\n", GO_NAIVE)
    src = "%s/java/FramecapReplayTest_%s.java" % (t, j)
    edit(src, src, "public class FramecapReplayTest ", "public class FramecapReplayTest_%s " % j)
    edit(src, "%s/javanaive/FramecapReplayTest_%s.java" % (t, j),
         "        return frameDecoder();\n", JAVA_NAIVE)
PY

# results KIND DIR: one line "CASE TEST pass|fail" per test run, from go
# test -json (KIND go) or JUnit's XML report (KIND java).
results() {
	python3 - "$@" <<'PY'
import glob, json, sys, xml.etree.ElementTree as ET
kind, d = sys.argv[1], sys.argv[2]
if kind == "go":
    for line in open(d + "/test.json"):
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if ev.get("Test") and ev.get("Action") in ("pass", "fail"):
            print(ev["Package"].split("/")[-1], ev["Test"], ev["Action"])
else:
    for f in glob.glob(d + "/reports/*.xml"):
        for tc in ET.parse(f).iter("testcase"):
            failed = tc.find("failure") is not None or tc.find("error") is not None
            name = tc.get("name").split("(")[0]
            print(tc.get("classname").split("_", 1)[1].replace("_", "-"), name,
                  "fail" if failed else "pass")
PY
}
# verdict CASE FILE: every test of CASE in FILE passed (6 or more)?
all_pass() { [ "$(grep -c "^$1 .* pass$" "$2")" -ge 6 ] && ! grep -q "^$1 .* fail$" "$2"; }
# naive_fails CASE FILE AS-CAPTURED ONE-A-WRITE: the naive variant fails as
# captured and passes one frame a write.
naive_fails() { grep -q "^$1 $3 fail$" "$4" && grep -q "^$1 $2 pass$" "$4"; }

# go
out=$(cd "$T/go" && gofmt -l . 2>&1 && go vet ./... 2>&1)
[ -z "$out" ] && ok "go: gofmt-clean and go vet on every case" || fail "go: gofmt and go vet" "$out"
(cd "$T/go" && go test -json ./... > test.json 2> test.err)
results go "$T/go" > "$T/go.res"
(cd "$T/gonaive" && go test -json ./... > test.json 2> test.err)
results go "$T/gonaive" > "$T/gonaive.res"
for cap in $CASES; do
	if all_pass "$cap" "$T/go.res"; then
		ok "go: $cap: go test passes"
	else
		fail "go: $cap passes" "$(grep "^$cap " "$T/go.res"; cat "$T/go/test.err")"
	fi
	if naive_fails "$cap" TestOneFramePerWrite TestAsCaptured "$T/gonaive.res"; then
		ok "go: $cap: a naive readMessage fails as captured, passes one frame a write"
	else
		fail "go: $cap: a naive readMessage fails" "$(grep "^$cap " "$T/gonaive.res")"
	fi
done

# java
run_java() {
	rm -rf "$1/out" "$1/reports"
	javac -cp "$NCP:$J/junit-platform-console-standalone.jar" -d "$1/out" "$1"/*.java 2>&1 &&
	java -jar $J/junit-platform-console-standalone.jar -cp "$1/out:$NCP" --scan-classpath "$1/out" --include-classname "FramecapReplayTest_.*" \
		--reports-dir "$1/reports" --details=none --disable-banner 2>&1
}
jout=$(run_java "$T/java")
results java "$T/java" > "$T/java.res"
jnout=$(run_java "$T/javanaive")
results java "$T/javanaive" > "$T/javanaive.res"
for cap in $CASES; do
	f=$T/java/FramecapReplayTest_${cap//-/_}.java
	netty=$(grep -o 'return new [A-Za-z0-9]*' "$f" | sed -n '1s/return new //p')
	if all_pass "$cap" "$T/java.res"; then
		ok "java: $cap: javac, JUnit 5 with $netty passes"
	else
		fail "java: $cap passes" "$(grep "^$cap " "$T/java.res"; echo "$jout")"
	fi
	if naive_fails "$cap" oneFramePerWrite asCaptured "$T/javanaive.res"; then
		ok "java: $cap: a naive handler fails as captured, passes one frame a write"
	else
		fail "java: $cap: a naive handler fails" "$(grep "^$cap " "$T/javanaive.res"; echo "$jnout")"
	fi
done
exit $bad
