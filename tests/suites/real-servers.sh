#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# real-servers.sh TMP - real servers and clients from Debian talk on lo
# while framecap captures them live; the frames must be what the clients
# did. Run by tests/run.sh (B comes from it); needs root (live capture,
# servers run as unprivileged users). About 15 s (40 s on a busy machine).
#
#   server (private, 127.0.0.1:free port, own dir under $T)
#      ^                                   framecap -i lo -w plain.pcap
#      |  lo  <------ captured by -------  framecap -i lo --json -w live.pcap
#      v                                    --config tests/real-servers/P.yaml
#   client workload (known commands and sizes)         --profile P
#      '--> plan.json: every message per connection and direction
#
#   mosquitto      mosquitto_sub (QoS 1) and mosquitto_pub -l at QoS 0 and
#                  1, remaining lengths at every varint width edge and one
#                  of 2 MiB                                    profile mqtt
#   redis-server   redis-cli (RESP) three times, a 70,000-byte value, and
#                  inline commands in one write (sticky)       profile lines
#   memcached      the text protocol: set, get, a miss, four commands in
#                  one write, quit                             profile lines
#   PostgreSQL     initdb + postgres as user postgres; psql with
#                  sslmode=disable, prefer (the server answers 'N') and,
#                  after ssl=on and a reload, require ('S')    profile pg
#
# Per server, two kinds of check (tests/real_servers.py):
#   capture   tshark reads in framecap's plain -w file exactly what the
#             clients did (MQTT and PostgreSQL messages with their types
#             and lengths, every byte of the line protocols);
#   framing   framecap's live frames with the profile are the clients'
#             messages (count, sizes, headers, payloads, prelude marks, no
#             anomaly), and replaying its own -w file gives the same.
# Every wait is bounded; every server is stopped and nothing of ours may
# be left running at the end.
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=real-servers
ROOT=$PWD
PROFILES=$ROOT/tests/real-servers   # PROFILE.yaml
. tests/lib.sh
# Our own directory, not TMP: the postgres user must reach its data dir.
suite_tmp /tmp framecap-real-servers framecap
chmod 755 "$T"
for c in tshark python3 mosquitto mosquitto_sub mosquitto_pub redis-server redis-cli memcached psql openssl setpriv; do
	command -v "$c" > /dev/null || { fail "$c is installed (make deps)"; exit 1; }
done
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/postgres" ] || { fail "PostgreSQL's server is installed (make deps: postgresql)"; exit 1; }
[ "$(id -u)" = 0 ] || { fail "run as root (live capture on lo)"; exit 1; }
id postgres > /dev/null 2>&1 || { fail "the postgres user exists (make deps: postgresql)"; exit 1; }
AS_POSTGRES=(setpriv --reuid=postgres --regid=postgres --init-groups --)

# port_probe PORT: connect to 127.0.0.1:PORT and close, sending nothing,
# as a health check does.
port_probe() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

# wait_port PORT PID: up to 10 s for 127.0.0.1:PORT to accept while PID lives.
wait_port() {
	for _ in $(seq 100); do
		port_probe "$1" && return 0
		kill -0 "$2" 2> /dev/null || return 1
		sleep 0.1
	done
	return 1
}

# stop_pid PID SIGNAL: SIGNAL, up to 10 s for PID to end, then KILL; its
# exit status in STOPPED.
stop_pid() {
	kill -"$2" "$1" 2> /dev/null
	for _ in $(seq 100); do
		kill -0 "$1" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2> /dev/null
	STOPPED=0
	wait "$1" 2> /dev/null || STOPPED=$?
}

# stop_server SIGNAL: stop_pid SPID SIGNAL, its children (PostgreSQL's
# backends) remembered in children first, for the last check.
children=()
stop_server() {
	local c
	for c in $(pgrep -P "$SPID"); do children+=("$c"); done
	stop_pid "$SPID" "$1"
}

# capture_start DIR PROFILE PORT: the two framecap captures of DIR's run
# (64 MiB kernel buffers: a 2 MiB message arrives in one burst),
# both open before it returns (the live one may have failed: its status
# is written by capture_stop). Then port_probe: a connection that
# carries no byte. CI once caught the end of
# wait_port's own probe (a slow postgres backend's FIN): it must shift
# nothing, in framecap's records or in the checks' reading of tshark's.
capture_start() {
	local d=$1 pid
	"$B"/framecap -i lo -B 65536 -w "$d/plain.pcap" "tcp port $3" > "$d/plain.txt" 2> "$d/plain.err" &
	PLAIN=$!
	"$B"/framecap -i lo -B 65536 --json --payload-bytes all --config "$PROFILES/$2.yaml" --profile "$2" \
		-w "$d/live.pcap" "tcp port $3" > "$d/live.jsonl" 2> "$d/live.err" &
	LIVE=$!
	pids+=("$PLAIN" "$LIVE")
	wait_capturing "$PLAIN" "$LIVE"
	port_probe "$3" || fail "$(basename "$d"): a port probe connects"
}

# capture_stop DIR PROFILE: both captures end on SIGINT; the live one's
# own -w file is replayed with the same profile.
capture_stop() {
	local d=$1
	sleep 0.3
	stop_pid "$PLAIN" INT
	[ "$STOPPED" = 0 ] || fail "$(basename "$d"): framecap -i lo -w exited $STOPPED" "$(cat "$d/plain.err")"
	stop_pid "$LIVE" INT
	echo "$STOPPED" > "$d/live.status"
	if [ "$STOPPED" = 0 ]; then
		"$B"/framecap -r "$d/live.pcap" --json --payload-bytes all --config "$PROFILES/$2.yaml" \
			--profile "$2" > "$d/replay.jsonl" 2> "$d/replay.err"
	fi
}

# check KIND DIR PORT: the capture and framing checks of one run.
check() {
	python3 tests/real_servers.py check "$1" "$2" "$3" > "$2/check.log" 2>&1
	cat "$2/check.log"
	grep -q '^FAIL' "$2/check.log" && bad=1
	grep -qE '^(ok|FAIL) ' "$2/check.log" || fail "$(basename "$2"): checks ran" "$(cat "$2/check.log")"
}

# ---- MQTT: mosquitto, mosquitto_sub, mosquitto_pub
run_mqtt() {
	local d=$T/mqtt port sub rc n
	mkdir -p "$d"
	python3 tests/real_servers.py mqtt-plan "$d" || { fail "mqtt: client plan"; return; }
	port=$(free_port)
	printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nuser nobody\n' \
		"$port" > "$d/mosquitto.conf"
	mosquitto -c "$d/mosquitto.conf" > "$d/server.log" 2>&1 &
	SPID=$!
	pids+=("$SPID")
	wait_port "$port" "$SPID" || { fail "mqtt: mosquitto listens on 127.0.0.1:$port" "$(cat "$d/server.log")"; return; }
	capture_start "$d" mqtt "$port"
	timeout 30 stdbuf -oL mosquitto_sub -h 127.0.0.1 -p "$port" -i fc-sub -t fc/t -q 1 -C 7 -W 25 -d \
		> "$d/sub.log" 2>&1 &
	sub=$!
	pids+=("$sub")
	if wait_for 'received SUBACK' "$d/sub.log" 10 &&
	   timeout 20 mosquitto_pub -h 127.0.0.1 -p "$port" -i fc-pub0 -t fc/t -q 0 -l < "$d/q0.txt" &&
	   timeout 20 mosquitto_pub -h 127.0.0.1 -p "$port" -i fc-pub1 -t fc/t -q 1 -l < "$d/q1.txt"; then
		rc=0; wait "$sub" || rc=$?
		n=$(grep -c 'received PUBLISH' "$d/sub.log")
		if [ "$rc" = 0 ] && [ "$n" = 7 ]; then
			ok "mqtt: mosquitto_pub sent 7 messages (QoS 0 and 1, up to 2 MiB), mosquitto_sub received the 7"
		else
			fail "mqtt: mosquitto_sub received 7 messages (exit $rc, $n)" "$(grep -v '^[a-z]\{20\}' "$d/sub.log" | tail)"
		fi
	else
		fail "mqtt: mosquitto_sub subscribes and mosquitto_pub publishes" "$(tail -5 "$d/sub.log"; tail "$d/server.log")"
		stop_pid "$sub" TERM
	fi
	capture_stop "$d" mqtt
	stop_server TERM
	check mqtt "$d" "$port"
}

# lines_session NAME DIR PORT LISTENS GOT: the server just started ($!)
# listens on PORT (or a failure: NAME: LISTENS), tests/real_servers.py NAME
# talks to it while framecap captures (ok NAME: GOT), then the server
# stops and both captures are checked with the lines profile.
lines_session() {
	local name=$1 d=$2 port=$3
	SPID=$!
	pids+=("$SPID")
	wait_port "$port" "$SPID" || { fail "$name: $4" "$(cat "$d/server.log")"; return; }
	capture_start "$d" lines "$port"
	if timeout 60 python3 tests/real_servers.py "$name" "$port" "$d" 2> "$d/client.err"; then
		ok "$name: $5"
	else
		fail "$name: the clients' commands and replies" "$(cat "$d/client.err")"
	fi
	capture_stop "$d" lines
	stop_server TERM
	check lines "$d" "$port"
}

# ---- lines: redis-server with redis-cli and an inline client
run_redis() {
	local d=$T/redis port
	mkdir -p "$d/data"
	port=$(free_port)
	redis-server --port "$port" --bind 127.0.0.1 --dir "$d/data" --save '' --appendonly no \
		--daemonize no --logfile "$d/server.log" &
	lines_session redis "$d" "$port" "redis-server listens on 127.0.0.1:$port" \
		"redis-cli (RPUSH x3, SET of 70000 bytes, GET) and 5 inline commands got the replies Redis gives"
}

# ---- lines: memcached's text protocol
run_memcached() {
	local d=$T/memcached port
	mkdir -p "$d"
	port=$(free_port)
	memcached -l 127.0.0.1 -p "$port" -U 0 -m 16 -t 1 -u nobody > "$d/server.log" 2>&1 &
	lines_session memcached "$d" "$port" "listens on 127.0.0.1:$port" \
		"set, get (a 70000-byte value), a miss, 4 commands in one write and quit got memcached's replies"
}

# psql_run DIR PORT NAME SSLMODE FIRST QUERY...: one psql connection, each
# QUERY a -c, and its plan; FIRST is the server's answer to an SSLRequest
# (N or S) or - (none asked).
psql_run() {
	local d=$1 port=$2 name=$3 mode=$4 first=$5 args=() q out
	shift 5
	for q in "$@"; do args+=(-c "$q"); done
	if out=$(PGSSLMODE=$mode PGCONNECT_TIMEOUT=5 timeout 20 psql -X -A -t -h 127.0.0.1 -p "$port" \
			-U fc -d postgres "${args[@]}" 2>&1); then
		echo "$out" > "$d/$name.out"
		python3 tests/real_servers.py pg-plan "$d" "psql sslmode=$mode" "$first" "$@"
		return 0
	fi
	fail "pg: psql sslmode=$mode" "$out
$(tail -5 "$d/server.log")"
	return 1
}

# ---- PostgreSQL: initdb, postgres and psql as in real life
run_pg() {
	local d=$T/pg port ready
	mkdir -p "$d"
	chown postgres: "$d"
	if ! "${AS_POSTGRES[@]}" "$PGBIN/initdb" -D "$d/data" -A trust -U fc --no-sync -E UTF8 \
			--locale=C > "$d/initdb.log" 2>&1; then
		fail "pg: initdb as postgres" "$(cat "$d/initdb.log")"; return
	fi
	# A throwaway certificate for the SSL run, owned by postgres (0600 key).
	if ! "${AS_POSTGRES[@]}" openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$d/data/server.key" -out "$d/data/server.crt" -days 2 -subj /CN=localhost \
			> "$d/openssl.log" 2>&1; then
		fail "pg: a certificate" "$(cat "$d/openssl.log")"; return
	fi
	port=$(free_port)
	"${AS_POSTGRES[@]}" "$PGBIN/postgres" -D "$d/data" -p "$port" -c listen_addresses=127.0.0.1 \
		-c unix_socket_directories="$d" -c fsync=off > "$d/server.log" 2>&1 &
	SPID=$!
	pids+=("$SPID")
	wait_port "$port" "$SPID" || { fail "pg: postgres listens on 127.0.0.1:$port" "$(cat "$d/server.log")"; return; }
	capture_start "$d" pg "$port"
	# ssl on, reloaded (over the Unix socket, not captured), then a client
	# that insists on SSL: the server answers 'S' and TLS follows.
	if psql_run "$d" "$port" disable disable - "select 1" "select repeat('x', 100)" \
			"select generate_series(1, 5)" &&
	   psql_run "$d" "$port" prefer prefer N "select 2" &&
	   echo "ssl = on" >> "$d/data/postgresql.conf" && kill -HUP "$SPID" &&
	   for _ in $(seq 50); do
		ready=$(PGCONNECT_TIMEOUT=5 timeout 10 psql -X -A -t -h "$d" -p "$port" -U fc -d postgres -c 'show ssl' 2> /dev/null)
		[ "$ready" = on ] && break
		sleep 0.1
	   done &&
	   psql_run "$d" "$port" require require S "select 3"; then
		if [ "$(tr '\n' ' ' < "$d/disable.out")" = "1 $(printf 'x%.0s' $(seq 100)) 1 2 3 4 5 " ] &&
		   [ "$(cat "$d/prefer.out")" = 2 ] && [ "$(cat "$d/require.out")" = 3 ]; then
			ok "pg: psql ran 5 queries over 3 connections (sslmode disable, prefer: 'N', require: 'S' and TLS) with the right rows"
		else
			fail "pg: psql's queries and rows" "$(cat "$d"/*.out)"
		fi
	fi
	capture_stop "$d" pg
	stop_server INT
	[ "$STOPPED" = 0 ] || fail "pg: postgres stops on SIGINT (exit $STOPPED)" "$(tail "$d/server.log")"
	check pg "$d" "$port"
}

run_mqtt
run_redis
run_memcached
run_pg

# Nothing of ours is left running: no server, server child, client or
# capture.
left=
for p in "${pids[@]}" "${children[@]}"; do
	kill -0 "$p" 2> /dev/null && left="$left $p: $(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)"
done
if [ -z "$left" ]; then
	ok "every server and client stopped, nothing left running"
else
	fail "processes left running" "$left"
fi
exit "$bad"
