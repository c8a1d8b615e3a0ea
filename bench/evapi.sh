#!/bin/bash
# evapi.sh -- evapi echo benchmark: Kamailio 5.6.3 against kamgo, side by side.
#
#   bench/evapi.sh [N] [ROUNDS]     N messages per run (default 100000), ROUNDS >= 3 (default 3)
#
# For each server (kamailio, kamgo) and each route (unicast echo, relay echo) and each
# clients x window in 1x1 8x1 1x32 8x32 it runs bench/evbench, alternating the servers
# round by round, and reads the server's CPU time (utime+stime of all its processes, from
# /proc/PID/stat) around each run. It prints the medians and the kamgo/kamailio ratios.
# kamgo is `kamgo run bench/kamgo-bench.cfg` when cmd/kamgo can run configs, otherwise
# bench/evserve (the evapi module with the same two routes in Go, no interpreter).
# Everything binds 127.0.0.1; every server started here is stopped by its PID.
set -u
cd "$(dirname "$0")/.."
N=${1:-100000}
ROUNDS=${2:-3}
[ "$ROUNDS" -lt 3 ] && ROUNDS=3
OUT=$(mktemp -d /tmp/evapi-bench.XXXXXX)
export GOTOOLCHAIN=local
go build -o "$OUT/evbench" ./bench/evbench || exit 1
go build -o "$OUT/evserve" ./bench/evserve || exit 1
KAMGO=""
if go build -o "$OUT/kamgo" ./cmd/kamgo 2>/dev/null && "$OUT/kamgo" run -h >/dev/null 2>&1; then
  KAMGO="$OUT/kamgo"
fi
TICK=$(getconf CLK_TCK)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# cpu_ticks PID: utime+stime of PID and its children processes.
cpu_ticks() {
  local t=0 p
  for p in $1 $(pgrep -P "$1"); do
    [ -r /proc/$p/stat ] && t=$((t + $(awk '{print $14+$15}' /proc/$p/stat)))
  done
  echo $t
}

wait_port() { for _ in $(seq 1 100); do ss -ltn | grep -q "127.0.0.1:$1 " && return 0; sleep 0.1; done; return 1; }

start_server() { # server route port -> sets PID
  local server=$1 route=$2 port=$3
  case $server in
    kamailio)
      local def=WITH_BENCH_UNI; [ "$route" = relay ] && def=WITH_BENCH_RELAY
      sed "s/udp:127.0.0.1:9060/udp:127.0.0.1:$(free_port)/" bench/kamailio-bench.cfg >"$OUT/kamailio-bench.cfg"
      kamailio -DD -E -f "$OUT/kamailio-bench.cfg" -A $def -A "EVAPI_BIND=\"127.0.0.1:$port\"" >"$OUT/kamailio-$route.log" 2>&1 &
      PID=$! ;;
    kamgo)
      sed "s/udp:127.0.0.1:9060/udp:127.0.0.1:$(free_port)/" bench/kamailio-bench.cfg >"$OUT/kamailio-bench.cfg"
      if [ -n "$KAMGO" ]; then
        "$KAMGO" run -A "WITH_BENCH_$(echo "$route" | tr a-z A-Z | sed 's/UNICAST/UNI/')" \
          -A "EVAPI_BIND=\"127.0.0.1:$port\"" "$OUT/kamailio-bench.cfg" >"$OUT/kamgo-$route.log" 2>&1 &
      else
        local mode=uni; [ "$route" = relay ] && mode=relay
        "$OUT/evserve" -addr "127.0.0.1:$port" -mode $mode >"$OUT/kamgo-$route.log" 2>&1 &
      fi
      PID=$! ;;
  esac
  wait_port "$port" || { echo "# $server did not listen on $port"; cat "$OUT/$server-$route.log" | tail -5; }
}

stop_server() { kill "$1" 2>/dev/null; for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done; kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

echo "# $(nproc) cores, $(uname -r), $(kamailio -v | head -1), N=$N, rounds=$ROUNDS"
echo "# kamgo side: ${KAMGO:+kamgo run}${KAMGO:-bench/evserve (kamgo run not available yet)}"
RES="$OUT/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for route in unicast relay; do
    for server in kamailio kamgo; do
      port=$(free_port)
      start_server $server $route "$port"
      for spec in "1 1" "8 1" "1 32" "8 32"; do
        set -- $spec
        c0=$(cpu_ticks $PID)
        line=$(timeout 120 "$OUT/evbench" -addr "127.0.0.1:$port" -clients "$1" -window "$2" -n "$N" -max 30s)
        c1=$(cpu_ticks $PID)
        own=$(echo "$line" | sed -n 's/.* own=\([0-9]*\).*/\1/p')
        rate=$(echo "$line" | sed -n 's/.* rate=\([0-9]*\).*/\1/p')
        p50=$(echo "$line" | sed -n 's/.* p50us=\([0-9]*\).*/\1/p')
        p99=$(echo "$line" | sed -n 's/.* p99us=\([0-9]*\).*/\1/p')
        cpu=$(awk -v t=$((c1 - c0)) -v k="$TICK" -v n="${own:-0}" 'BEGIN { if (n > 0) printf "%.2f", t / k * 1e6 / n; else print "NA" }')
        printf "%s\t%s\t%sx%s\t%s\t%s\t%s\t%s\t%s\n" "$round" "$route" "$1" "$2" "$server" "${rate:-0}" "${p50:-0}" "${p99:-0}" "$cpu" >>"$RES"
        echo "# round $round $server $route ${1}x$2: $line cpu_us/msg=$cpu"
      done
      stop_server $PID
    done
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
print("%-8s %-5s | %10s %10s %6s | %8s %8s | %8s %8s | %7s %7s %6s" % ("route", "c x w", "kam msg/s", "kamgo", "ratio", "kam p50", "kamgo", "kam p99", "kamgo", "kam cpu", "kamgo", "ratio"))
for (route, cw) in sorted(rows, key=lambda k: (k[0] != "unicast", ["1x1", "8x1", "1x32", "8x32"].index(k[1]))):
    k, g = rows[(route, cw)].get("kamailio"), rows[(route, cw)].get("kamgo")
    if not k or not g: continue
    kr, gr = med(k["rate"]), med(g["rate"]); kc, gc = med(k["cpu"]), med(g["cpu"])
    print("%-8s %-5s | %10.0f %10.0f %6.2f | %8.0f %8.0f | %8.0f %8.0f | %7.2f %7.2f %6.2f" % (
        route, cw, kr, gr, gr / kr if kr else float("nan"), med(k["p50"]), med(g["p50"]), med(k["p99"]), med(g["p99"]),
        kc, gc, gc / kc if kc else float("nan")))
print("(medians over rounds; latency in µs; cpu = server µs of CPU per echoed message; ratio = kamgo/kamailio)")
PY
echo "# raw results and logs: $OUT"
