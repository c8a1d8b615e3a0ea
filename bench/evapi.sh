#!/bin/bash
# evapi.sh -- evapi echo benchmark: Kamailio 5.6.3 against `kamgo run`, same config.
#
#   bench/evapi.sh [N] [ROUNDS]     N messages per run (default 100000), ROUNDS >= 3 (default 3)
#   KAMGO=/path/to/kamgo bench/evapi.sh ...   use a prebuilt kamgo instead of building cmd/kamgo
#   MAX=30s                         cap of one evbench run
#   ROWS="1x1 8x1" SERVERS=kamgo ROUTES=unicast   run a subset (all by default)
#
# Both servers run bench/kamailio-bench.cfg: `kamailio -DD -E -f FILE -A DEF` and
# `kamgo run -A DEF FILE`, with -A WITH_BENCH_UNI (message-received unicasts the message back
# to its sender) or -A WITH_BENCH_RELAY (message-received relays it to every client), and
# -A 'EVAPI_BIND="127.0.0.1:PORT"'. Both servers are started fresh per route and round, side
# by side on their own ports, and each row runs against one and then the other, the order
# alternating from row to row and round to round: the two runs of a pair are seconds apart,
# so the machine's other load moves them alike (an idle server costs the other nothing).
# For each clients x window in
# 1x1 8x1 1x32 8x32, bench/evbench measures msg/s and the round trip (p50/p99), and the
# server's CPU time is read around the run and divided by the messages echoed to their sender:
# the run time of every thread of the server process and of its children, in nanoseconds
# (/proc/PID/task/*/schedstat), where utime+stime from /proc/PID/stat count 10 ms ticks, too
# coarse for a ping-pong row (a thread that exits during a run takes its time with it; neither
# server's threads do).
# The summary prints medians over the rounds and kamgo/kamailio ratios, and the lowest and
# highest of the per-round ratios (each round runs both servers back to back, so a round's
# ratio is a paired comparison): a verdict holds when the whole range is on one side of 1.
# On a shared 2-core machine msg/s moves with the other load; CPU per message moves less.
# Everything binds 127.0.0.1; every server started here is stopped by its PID.
set -u
cd "$(dirname "$0")/.."
N=${1:-100000}
ROUNDS=${2:-3}
MAX=${MAX:-30s}
ROWS=${ROWS:-1x1 8x1 1x32 8x32}
SERVERS=${SERVERS:-kamailio kamgo}
ROUTES=${ROUTES:-unicast relay}
[ "$ROUNDS" -lt 3 ] && ROUNDS=3
OUT=$(mktemp -d /tmp/evapi-bench.XXXXXX)
export GOTOOLCHAIN=local
go build -o "$OUT/evbench" ./bench/evbench || exit 1
go build -o "$OUT/driver" ./bench/route/driver || exit 1
if [ -z "${KAMGO:-}" ]; then
  go build -o "$OUT/kamgo" ./cmd/kamgo || exit 1
  KAMGO="$OUT/kamgo"
fi
trap 'stop_all; exit 130' INT TERM

# cpu_ns PID: the run time of every thread of PID and of its child processes, in ns.
cpu_ns() {
  local p
  for p in $1 $(pgrep -P "$1"); do cat /proc/$p/task/*/schedstat 2>/dev/null; done | awk '{ t += $1 } END { printf "%d\n", t }'
}

# free_port: a 127.0.0.1 port free for TCP and UDP (internal/freeport).
free_port() { "$OUT/driver" freeport; }

. bench/lib.sh

declare -A PIDS PORTS
start_server() { # server route port -> sets PIDS[server], PORTS[server]
  local server=$1 route=$2 port=$3
  local def=WITH_BENCH_UNI; [ "$route" = relay ] && def=WITH_BENCH_RELAY
  sed "s/udp:127.0.0.1:9060/udp:127.0.0.1:$(free_port)/" bench/kamailio-bench.cfg >"$OUT/$server-bench.cfg"
  case $server in
    kamailio)
      kamailio -DD -E -f "$OUT/$server-bench.cfg" -A $def -A "EVAPI_BIND=\"127.0.0.1:$port\"" >"$OUT/kamailio-$route.log" 2>&1 &
      PIDS[$server]=$! ;;
    kamgo)
      "$KAMGO" run -A $def -A "EVAPI_BIND=\"127.0.0.1:$port\"" "$OUT/$server-bench.cfg" >"$OUT/kamgo-$route.log" 2>&1 &
      PIDS[$server]=$! ;;
  esac
  PORTS[$server]=$port
  wait_port "$port" || { echo "# $server did not listen on $port"; tail -5 "$OUT/$server-$route.log"; }
}
stop_all() { local s; for s in "${!PIDS[@]}"; do stop_server "${PIDS[$s]}"; unset "PIDS[$s]"; done; }

echo "# $(nproc) cores, $(uname -r), $(kamailio -v | head -1), $("$KAMGO" version 2>/dev/null | head -1), N=$N, rounds=$ROUNDS, load $(cut -d' ' -f1-3 /proc/loadavg)"
RES="$OUT/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for route in $ROUTES; do
    for server in $SERVERS; do start_server $server $route "$(free_port)"; done
    i=0
    for row in $ROWS; do
      set -- ${row/x/ }
      order=$SERVERS; [ $(((round + i) % 2)) -eq 0 ] && order=$(echo $SERVERS | tr ' ' '\n' | tac | tr '\n' ' ')
      i=$((i + 1))
      for server in $order; do
        PID=${PIDS[$server]}
        c0=$(cpu_ns $PID)
        line=$(timeout 120 "$OUT/evbench" -addr "127.0.0.1:${PORTS[$server]}" -clients "$1" -window "$2" -n "$N" -max "$MAX")
        c1=$(cpu_ns $PID)
        own=$(echo "$line" | sed -n 's/.* own=\([0-9]*\).*/\1/p')
        rate=$(echo "$line" | sed -n 's/.* rate=\([0-9]*\).*/\1/p')
        p50=$(echo "$line" | sed -n 's/.* p50us=\([0-9]*\).*/\1/p')
        p99=$(echo "$line" | sed -n 's/.* p99us=\([0-9]*\).*/\1/p')
        cpu=$(awk -v t=$((c1 - c0)) -v n="${own:-0}" 'BEGIN { if (n > 0) printf "%.2f", t / 1e3 / n; else print "NA" }')
        printf "%s\t%s\t%sx%s\t%s\t%s\t%s\t%s\t%s\n" "$round" "$route" "$1" "$2" "$server" "${rate:-0}" "${p50:-0}" "${p99:-0}" "$cpu" >>"$RES"
        echo "# round $round $server $route ${1}x$2: $line cpu_us/msg=$cpu"
      done
    done
    stop_all
  done
done

echo
python3 - "$RES" <<'PY'
import sys, statistics as st
rows = {}
for l in open(sys.argv[1]):
    r, route, cw, server, rate, p50, p99, cpu = l.rstrip("\n").split("\t")
    d = rows.setdefault((route, cw), {}).setdefault(server, {"rate": [], "p50": [], "p99": [], "cpu": []})
    d["rate"].append(float(rate)); d["p50"].append(float(p50)); d["p99"].append(float(p99))
    if cpu != "NA": d["cpu"].append(float(cpu))
med = lambda v: st.median(v) if v else float("nan")
rounds = {}
for l in open(sys.argv[1]):
    r, route, cw, server, rate, p50, p99, cpu = l.rstrip("\n").split("\t")
    rounds.setdefault((route, cw, r), {})[server] = (float(rate), float(cpu) if cpu != "NA" else float("nan"))
def span(route, cw, i):
    v = [d["kamgo"][i] / d["kamailio"][i] for (ro, c, _), d in rounds.items()
         if ro == route and c == cw and "kamgo" in d and "kamailio" in d and d["kamailio"][i] > 0]
    return "%.2f-%.2f" % (min(v), max(v)) if v else "NA"
print("| route | c x w | kamailio msg/s | kamgo msg/s | ratio (rounds) | kamailio p50/p99 µs | kamgo p50/p99 µs | kamailio CPU µs/msg | kamgo CPU µs/msg | CPU ratio (rounds) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (route, cw) in sorted(rows, key=lambda k: (k[0] != "unicast", ["1x1", "8x1", "1x32", "8x32"].index(k[1]))):
    k, g = rows[(route, cw)].get("kamailio"), rows[(route, cw)].get("kamgo")
    if not k or not g:
        for name, d in (("kamailio", k), ("kamgo", g)):
            if d: print("| %s | %s | %s: %.0f msg/s, p50/p99 %.0f / %.0f µs, CPU %.2f µs/msg |" % (route, cw, name, med(d["rate"]), med(d["p50"]), med(d["p99"]), med(d["cpu"])))
        continue
    kr, gr = med(k["rate"]), med(g["rate"]); kc, gc = med(k["cpu"]), med(g["cpu"])
    print("| %s | %s | %.0f | %.0f | %.2f (%s) | %.0f / %.0f | %.0f / %.0f | %.2f | %.2f | %.2f (%s) |" % (
        route, cw, kr, gr, gr / kr if kr else float("nan"), span(route, cw, 0), med(k["p50"]), med(k["p99"]), med(g["p50"]), med(g["p99"]),
        kc, gc, gc / kc if kc else float("nan"), span(route, cw, 1)))
print("(medians over rounds; ratio = kamgo/kamailio, in brackets the lowest-highest per-round ratio; CPU = server CPU per message echoed to its sender)")
PY
echo "# raw results and logs: $OUT"
