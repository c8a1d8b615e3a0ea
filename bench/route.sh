#!/usr/bin/env bash
# bench/route.sh -- CPU-bound route benchmark: the same config
# (bench/route/route.cfg) in Kamailio 5.6.3 and in `kamgo run`.
#
# usage: bench/route.sh
#   N=2000       messages per run (ping-pong: one in flight)
#   MAX=30s      time cap per run (the run stops sending after it)
#   LOOPS=1000   while-loop iterations per message
#   ROUNDS=3     rounds; each round runs every server, the order rotating
#   SERVERS="kamailio kamailio-tlsf kamgo"
#                kamailio: Debian's build as installed (pkg and shm memory
#                  managed by q_malloc with DBG_SR_MEMORY);
#                kamailio-tlsf: the same with `-x tlsf` (TLSF allocator);
#                kamgo: `kamgo run`
#   KEEP=DIR     keep logs, reply files and result lines in DIR
#   KAM_ARGS=..  extra arguments for both kamailio servers
#   KAMGO_ARGS=.. extra `kamgo run` arguments
#
# Each run starts a fresh server on free 127.0.0.1 ports, lets
# bench/route/driver send N messages over evapi and read the relayed
# results, then stops the server. The driver reports msg/s, latency and
# the server's CPU time (utime+stime of the server and all its child
# processes, from /proc). The relayed results of every run are compared
# with those of the Kamailio run that got furthest; a difference is reported as MISMATCH and
# makes the script exit 1. If `kamgo run` does not start, the Kamailio
# runs still happen and the summary says so.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CFG=$ROOT/bench/route/route.cfg
N=${N:-2000}
MAX=${MAX:-30s}
LOOPS=${LOOPS:-1000}
ROUNDS=${ROUNDS:-3}
read -r -a SERVER_LIST <<<"${SERVERS:-kamailio kamailio-tlsf kamgo}"
export PATH=$PATH:/usr/local/go/bin

for tool in kamailio go ss; do
	command -v "$tool" >/dev/null || { echo "route.sh: $tool not found" >&2; exit 2; }
done

TMP=$(mktemp -d)
SERVER_PID=
DRIVER_PID=
cleanup() {
	if [ -n "$DRIVER_PID" ]; then kill "$DRIVER_PID" 2>/dev/null || true; fi
	if [ -n "$SERVER_PID" ]; then stop_server; fi
	if [ -n "${KEEP:-}" ]; then
		mkdir -p "$KEEP" && cp -r "$TMP"/. "$KEEP"/ && echo "# kept logs in $KEEP"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

(cd "$ROOT" && go build -o "$TMP/kamgo" ./cmd/kamgo && go build -o "$TMP/driver" ./bench/route/driver)
DRIVER=$TMP/driver

# start_server NAME LOG: starts the server in its own session (so that it
# and every process it forks can be signalled as one group) and waits up
# to 10 s for the evapi port. Sets SERVER_PID and EVAPI_PORT.
start_server() {
	local name=$1 log=$2 sip i
	EVAPI_PORT=$("$DRIVER" freeport)
	sip=$("$DRIVER" freeport)
	while [ "$sip" = "$EVAPI_PORT" ]; do sip=$("$DRIVER" freeport); done
	local defs=(-A "EVAPI_BIND=\"127.0.0.1:$EVAPI_PORT\"" -A "SIP_PORT=$sip" -A "LOOPS=$LOOPS")
	# shellcheck disable=SC2086 # *_ARGS are word lists
	case $name in
	kamailio) setsid kamailio -DD -E ${KAM_ARGS:-} -f "$CFG" "${defs[@]}" >"$log" 2>&1 </dev/null & ;;
	kamailio-tlsf) setsid kamailio -DD -E -x tlsf ${KAM_ARGS:-} -f "$CFG" "${defs[@]}" >"$log" 2>&1 </dev/null & ;;
	kamgo) setsid "$TMP/kamgo" run ${KAMGO_ARGS:-} "${defs[@]}" "$CFG" >"$log" 2>&1 </dev/null & ;;
	*) echo "route.sh: unknown server $name" >&2; exit 2 ;;
	esac
	SERVER_PID=$!
	for i in $(seq 1 100); do
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			wait "$SERVER_PID" 2>/dev/null || true
			SERVER_PID=
			return 1
		fi
		if ss -Hltn "sport = :$EVAPI_PORT" 2>/dev/null | grep -q .; then
			return 0
		fi
		sleep 0.1
	done
	stop_server
	return 1
}

# stop_server: SIGTERM to the server's process group, SIGKILL after 5 s.
stop_server() {
	local pid=$SERVER_PID i
	SERVER_PID=
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 50); do
		kill -0 -- "-$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

echo "# date: $(date -Is)"
echo "# machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(kamailio -v | head -1); kamgo $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?') + working tree"
echo "# N=$N messages per run (ping-pong), cap $MAX, LOOPS=$LOOPS, ROUNDS=$ROUNDS, SERVERS=\"${SERVER_LIST[*]}\", KAM_ARGS=${KAM_ARGS:-} KAMGO_ARGS=${KAMGO_ARGS:-}"

if ! kamailio -c -f "$CFG" -A LOOPS="$LOOPS" >"$TMP/kamailio-c.log" 2>&1; then
	echo "route.sh: kamailio -c rejects $CFG:" >&2
	tail -5 "$TMP/kamailio-c.log" >&2
	exit 1
fi
if ! "$TMP/kamgo" check -A LOOPS="$LOOPS" "$CFG" >"$TMP/kamgo-check.log" 2>&1; then
	echo "# note: kamgo check reports problems in route.cfg:"
	sed 's/^/#   /' "$TMP/kamgo-check.log" | head -10
fi

RESULTS=$TMP/results.txt
: >"$RESULTS"
MISMATCH=0
KAMGO_OK=1
KAMGO_WHY=

# compare: after all rounds, compares the relayed results of every run
# with those of the Kamailio run that got furthest, over the messages both
# runs got through (a run stopped by the time cap has fewer).
compare() {
	local f n diffs ref= refn=0
	for f in "$TMP"/kamailio*.replies; do
		[ -e "$f" ] || continue
		n=$(wc -l <"$f")
		if [ "$n" -gt "$refn" ]; then ref=$f; refn=$n; fi
	done
	if [ -z "$ref" ]; then
		echo "!!! no Kamailio reply to compare with"
		MISMATCH=1
		return
	fi
	echo "# relayed results compared with $(basename "$ref" .replies) ($refn replies); first: $(head -1 "$ref")"
	for f in "$TMP"/*.replies; do
		[ "$f" = "$ref" ] && continue
		n=$(wc -l <"$f")
		if ! diffs=$(diff <(head -n "$n" "$ref") "$f"); then
			MISMATCH=1
			echo "!!! MISMATCH: $(basename "$f" .replies) relayed different results than $(basename "$ref" .replies) for the same input:"
			echo "$diffs" | head -6 | sed 's/^/!!!   /'
		else
			echo "#   $(basename "$f" .replies): identical ($n replies)"
		fi
	done
}

run_one() {
	local name=$1 round=$2 log out line
	log=$TMP/$name-$round.log
	out=$TMP/$name-$round.replies
	if [ "$name" = kamgo ] && [ $KAMGO_OK = 0 ]; then return; fi
	if ! start_server "$name" "$log"; then
		if [ "$name" = kamgo ]; then
			KAMGO_OK=0
			KAMGO_WHY=$(head -3 "$log" | tr '\n' ' ')
			echo "# kamgo run did not start: $KAMGO_WHY"
			return
		fi
		echo "route.sh: $name did not start:" >&2
		tail -5 "$log" >&2
		exit 1
	fi
	# the driver runs in the background so that a signal to this script
	# is handled at once (the EXIT trap then stops it and the server)
	timeout 300 "$DRIVER" run -addr "127.0.0.1:$EVAPI_PORT" -pid "$SERVER_PID" \
		-n "$N" -max "$MAX" -out "$out" -label "$name" >"$TMP/driver.out" &
	DRIVER_PID=$!
	local rc=0
	wait "$DRIVER_PID" || rc=$?
	DRIVER_PID=
	line=$(cat "$TMP/driver.out")
	if [ $rc != 0 ]; then
		echo "!!! $name round $round: driver failed: ${line:-no output} (log: $(tail -2 "$log" | tr '\n' ' '))"
		stop_server
		[ "$name" = kamgo ] && return
		exit 1
	fi
	stop_server
	echo "round=$round $line" | tee -a "$RESULTS"
}

count=${#SERVER_LIST[@]}
for round in $(seq 1 "$ROUNDS"); do
	for i in $(seq 0 $((count - 1))); do
		run_one "${SERVER_LIST[$(((round - 1 + i) % count))]}" "$round"
	done
done

echo
compare

# median LABEL KEY: median of KEY over the result lines of LABEL.
median() {
	grep " label=$1 " "$RESULTS" | tr ' ' '\n' | sed -n "s/^$2=//p" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo
echo "## medians over $ROUNDS rounds (latency in us, cpu_us_per_msg = server CPU per message)"
KEYS="msgps p50_us p99_us cpu_us_per_msg cpu_pct"
printf '%-14s %5s' server runs
for k in $KEYS; do printf ' %14s' "$k"; done
echo
for name in "${SERVER_LIST[@]}"; do
	printf '%-14s %5s' "$name" "$(grep -c " label=$name " "$RESULTS" || true)"
	for k in $KEYS; do printf ' %14s' "$(median "$name" "$k")"; done
	echo
done
if grep -q " label=kamgo " "$RESULTS"; then
	for ref in "${SERVER_LIST[@]}"; do
		[ "$ref" = kamgo ] && continue
		grep -q " label=$ref " "$RESULTS" || continue
		printf '%-20s' "kamgo/$ref"
		for k in $KEYS; do
			printf ' %14s' "$(awk -v a="$(median kamgo "$k")" -v b="$(median "$ref" "$k")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
		done
		echo
	done
	echo "# kamgo/X = kamgo's median / X's median (msgps: above 1 means kamgo is faster; the others: below 1 is better)"
elif [[ " ${SERVER_LIST[*]} " == *" kamgo "* ]]; then
	echo "# kamgo: no runs (${KAMGO_WHY:-kamgo run did not start}); only the Kamailio half ran"
fi
if [ $MISMATCH = 1 ]; then
	echo "!!! MISMATCH: the servers relayed different results for the same input (see above)"
	exit 1
fi
