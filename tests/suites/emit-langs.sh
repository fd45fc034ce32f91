#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# emit-langs.sh - the Go and Java tests of framecap --emit-test, compiled
# and run with their own tools (golang-go, default-jdk-headless,
# libnetty-java and junit5, which make deps installs), for a few captures:
#
#   go    go test on the generated file: passes; with readMessage replaced
#         by one that takes each Read as a message: fails
#   java  javac + JUnit's console launcher on the generated class: passes;
#         with decoder() replaced by a handler that takes each write as a
#         message: fails
#
# Prints "ok   NAME" or "FAIL NAME" per check; exits 1 if any failed.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
T=$(mktemp -d /tmp/emit-langs.XXXXXX)
SUITE=emit-langs
. tests/lib.sh
trap cleanup_pids EXIT
need_built framecap

for p in golang-go default-jdk-headless libnetty-java junit5; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		{ fail "$p is not installed (make deps)"; exit 1; }
done
J=/usr/share/java
NCP=$J/netty-buffer.jar:$J/netty-codec.jar:$J/netty-common.jar:$J/netty-transport.jar:$J/netty-resolver.jar
export GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS=-mod=mod GOPROXY=off

for cap in sticky split live-talk ref-chunk; do
	# go
	mkdir -p "$T/go-$cap"
	printf 'module example.com/framecap\n\ngo 1.19\n' > "$T/go-$cap/go.mod"
	"$B"/framecap -r "captures/$cap.pcap" --emit-test go > "$T/go-$cap/framecap_test.go"
	if out=$(cd "$T/go-$cap" && [ -z "$(gofmt -l .)" ] && go vet ./... 2>&1 && go test ./... 2>&1); then
		ok "go: $cap: gofmt-clean, go vet, go test passes"
	else
		fail "go: $cap passes" "$out"
	fi
	python3 - "$T/go-$cap/framecap_test.go" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
i = s.index("var readMessage = func")
j = s.index("\n}\n", i) + 3
s = s[:i] + """var readMessage = func(r io.Reader) ([]byte, error) {
	buf := make([]byte, 1024)
	n, err := r.Read(buf)
	if n < 4 {
		return nil, err
	}
	return buf[4:n], nil
}
""" + s[j:]
open(p, "w").write(s)
PY
	out=$(cd "$T/go-$cap" && go test -v ./... 2>&1); rc=$?
	if [ $rc != 0 ] && grep -q -- '--- FAIL: TestAsCaptured' <<< "$out" &&
	   grep -q -- '--- PASS: TestOneFramePerWrite' <<< "$out"; then
		ok "go: $cap: a naive readMessage fails as captured, passes one frame a write"
	else
		fail "go: $cap: a naive readMessage fails" "$out"
	fi
	# java
	mkdir -p "$T/java-$cap"
	"$B"/framecap -r "captures/$cap.pcap" --emit-test java > "$T/java-$cap/FramecapReplayTest.java"
	run_java() {
		rm -rf "$T/java-$cap/out"
		javac -cp "$NCP:$J/junit-platform-console-standalone.jar" -d "$T/java-$cap/out" \
			"$T/java-$cap/FramecapReplayTest.java" 2>&1 &&
		java -jar $J/junit-platform-console-standalone.jar -cp "$T/java-$cap/out:$NCP" \
			--select-class FramecapReplayTest --details=tree --disable-banner \
			--disable-ansi-colors 2>&1
	}
	if out=$(run_java) && grep -q '6 tests successful' <<< "$out"; then
		ok "java: $cap: javac, JUnit 5 with Netty's LengthFieldBasedFrameDecoder passes"
	else
		fail "java: $cap passes" "$out"
	fi
	python3 - "$T/java-$cap/FramecapReplayTest.java" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
i = s.index("        return new LengthFieldBasedFrameDecoder(")
j = s.index(");\n", i) + 3
s = s[:i] + """        return new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext c, Object m) {
                ByteBuf b = (ByteBuf) m;
                b.skipBytes(Math.min(4, b.readableBytes()));
                c.fireChannelRead(b);
            }
        };
""" + s[j:]
open(p, "w").write(s)
PY
	out=$(run_java); rc=$?
	if [ $rc != 0 ] && grep -q 'asCaptured() .*✘' <<< "$out" && grep -q 'oneFramePerWrite() ✔' <<< "$out"; then
		ok "java: $cap: a naive handler fails as captured, passes one frame a write"
	else
		fail "java: $cap: a naive handler fails" "$out"
	fi
done
exit $bad
