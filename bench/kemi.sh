#!/bin/bash
# kemi.sh -- evapi echo through Lua (KEMI) against the native route, on kamgo and on
# Kamailio 5.6.3 with its app_lua.
#
#   bench/kemi.sh [N] [ROUNDS]      N messages per run (default 50000), ROUNDS >= 3 (default 3)
#   KAMGO=/path/to/kamgo bench/kemi.sh ...   use a prebuilt kamgo instead of building cmd/kamgo
#   MAX=30s                          cap of one evbench run
#   ROWS="1x1 8x32" SERVERS=kamgo ENGINES=lua   run a subset (all by default)
#
# native: bench/kamailio-bench.cfg -A WITH_BENCH_UNI (event_route[evapi:message-received]
# unicasts the message back to its sender). lua: bench/kemi-bench.cfg, the same echo as
# examples/kemi-lua/evapi-echo/kamailio.lua's ksr_evapi_event (cfgengine "lua", evapi's
# event_callback). Both servers get the same file: `kamailio -DD -E -f FILE -A DEF` and
# `kamgo run -A DEF FILE`. Each server and engine is started fresh per round; the order of
# the four alternates from round to round. For each clients x window, bench/evbench measures
# msg/s and the round trip (p50/p99), and the server's CPU time (utime+stime of the process
# and its children, /proc/PID/stat) is read around the run and divided by the messages
# echoed. The summary prints medians over the rounds and ratios.
# Everything binds 127.0.0.1; every server started here is stopped by its PID.
set -u
cd "$(dirname "$0")/.."
N=${1:-50000}
ROUNDS=${2:-3}
MAX=${MAX:-30s}
ROWS=${ROWS:-1x1 8x1 1x32 8x32}
SERVERS=${SERVERS:-kamailio kamgo}
ENGINES=${ENGINES:-native lua}
[ "$ROUNDS" -lt 3 ] && ROUNDS=3
OUT=$(mktemp -d /tmp/kemi-bench.XXXXXX)
LUA="$PWD/examples/kemi-lua/evapi-echo/kamailio.lua"
export GOTOOLCHAIN=local
go build -o "$OUT/evbench" ./bench/evbench || exit 1
go build -o "$OUT/driver" ./bench/route/driver || exit 1
if [ -z "${KAMGO:-}" ]; then
  go build -o "$OUT/kamgo" ./cmd/kamgo || exit 1
  KAMGO="$OUT/kamgo"
fi
TICK=$(getconf CLK_TCK)
PID=""
trap '[ -n "$PID" ] && stop_server "$PID"; exit 130' INT TERM

free_port() { "$OUT/driver" freeport; }

. bench/lib.sh

start_server() { # server engine port -> sets PID
  local server=$1 engine=$2 port=$3 cfg defs
  if [ "$engine" = lua ]; then
    cfg=bench/kemi-bench.cfg; defs=(-A "LUA_SCRIPT=\"$LUA\"")
  else
    cfg=bench/kamailio-bench.cfg; defs=(-A WITH_BENCH_UNI)
  fi
  sed "s/udp:127.0.0.1:9060/udp:127.0.0.1:$(free_port)/" "$cfg" >"$OUT/$engine.cfg"
  defs+=(-A "EVAPI_BIND=\"127.0.0.1:$port\"")
  case $server in
    kamailio) kamailio -DD -E -f "$OUT/$engine.cfg" "${defs[@]}" >"$OUT/kamailio-$engine.log" 2>&1 & PID=$! ;;
    kamgo) "$KAMGO" run "${defs[@]}" "$OUT/$engine.cfg" >"$OUT/kamgo-$engine.log" 2>&1 & PID=$! ;;
  esac
  wait_port "$port" || { echo "# $server/$engine did not listen on $port"; tail -5 "$OUT/$server-$engine.log"; }
}

echo "# $(nproc) cores, $(uname -r), $(kamailio -v | head -1), $("$KAMGO" version 2>/dev/null | head -1), N=$N, rounds=$ROUNDS, load $(cut -d' ' -f1-3 /proc/loadavg)"
RES="$OUT/results.tsv"
RUNS=""
for s in $SERVERS; do for e in $ENGINES; do RUNS="$RUNS $s/$e"; done; done
for round in $(seq 1 "$ROUNDS"); do
  order=$RUNS; [ $((round % 2)) -eq 0 ] && order=$(echo $RUNS | tr ' ' '\n' | tac | tr '\n' ' ')
  for run in $order; do
    server=${run%/*} engine=${run#*/}
    port=$(free_port)
    start_server "$server" "$engine" "$port"
    for row in $ROWS; do
      set -- ${row/x/ }
      c0=$(cpu_ticks $PID)
      line=$(timeout 120 "$OUT/evbench" -addr "127.0.0.1:$port" -clients "$1" -window "$2" -n "$N" -max "$MAX")
      c1=$(cpu_ticks $PID)
      own=$(echo "$line" | sed -n 's/.* own=\([0-9]*\).*/\1/p')
      rate=$(echo "$line" | sed -n 's/.* rate=\([0-9]*\).*/\1/p')
      p50=$(echo "$line" | sed -n 's/.* p50us=\([0-9]*\).*/\1/p')
      p99=$(echo "$line" | sed -n 's/.* p99us=\([0-9]*\).*/\1/p')
      cpu=$(awk -v t=$((c1 - c0)) -v k="$TICK" -v n="${own:-0}" 'BEGIN { if (n > 0) printf "%.2f", t / k * 1e6 / n; else print "NA" }')
      printf "%s\t%s\t%s\t%sx%s\t%s\t%s\t%s\t%s\n" "$round" "$server" "$engine" "$1" "$2" "${rate:-0}" "${p50:-0}" "${p99:-0}" "$cpu" >>"$RES"
      echo "# round $round $server/$engine ${1}x$2: $line cpu_us/msg=$cpu"
    done
    stop_server $PID; PID=""
  done
done

echo
python3 - "$RES" <<'PY'
import sys, statistics as st
rows = {}
for l in open(sys.argv[1]):
    r, server, engine, cw, rate, p50, p99, cpu = l.rstrip("\n").split("\t")
    d = rows.setdefault(cw, {}).setdefault(server + "/" + engine, {"rate": [], "p50": [], "p99": [], "cpu": []})
    d["rate"].append(float(rate)); d["p50"].append(float(p50)); d["p99"].append(float(p99))
    if cpu != "NA": d["cpu"].append(float(cpu))
med = lambda v: st.median(v) if v else float("nan")
runs = ["kamailio/native", "kamailio/lua", "kamgo/native", "kamgo/lua"]
def get(cw, run, key):
    d = rows[cw].get(run)
    return med(d[key]) if d else float("nan")
def ratio(a, b): return a / b if b == b and b else float("nan")
print("| c x w | " + " | ".join(r + " msg/s" for r in runs) + " | kamgo lua / kamailio lua | kamgo lua / kamgo native |")
print("|---" * (len(runs) + 3) + "|")
for cw in sorted(rows, key=lambda k: ["1x1", "8x1", "1x32", "8x32"].index(k) if k in ["1x1", "8x1", "1x32", "8x32"] else 9):
    v = [get(cw, r, "rate") for r in runs]
    print("| %s | %s | %.2f | %.2f |" % (cw, " | ".join("%.0f" % x for x in v), ratio(v[3], v[1]), ratio(v[3], v[2])))
print()
print("| c x w | " + " | ".join(r + " p50/p99 µs" for r in runs) + " |")
print("|---" * (len(runs) + 1) + "|")
for cw in sorted(rows, key=lambda k: ["1x1", "8x1", "1x32", "8x32"].index(k) if k in ["1x1", "8x1", "1x32", "8x32"] else 9):
    print("| %s | %s |" % (cw, " | ".join("%.0f / %.0f" % (get(cw, r, "p50"), get(cw, r, "p99")) for r in runs)))
print()
print("| c x w | " + " | ".join(r + " CPU µs/msg" for r in runs) + " | kamgo lua / kamailio lua |")
print("|---" * (len(runs) + 2) + "|")
for cw in sorted(rows, key=lambda k: ["1x1", "8x1", "1x32", "8x32"].index(k) if k in ["1x1", "8x1", "1x32", "8x32"] else 9):
    v = [get(cw, r, "cpu") for r in runs]
    print("| %s | %s | %.2f |" % (cw, " | ".join("%.2f" % x for x in v), ratio(v[3], v[1])))
print("(medians over rounds; CPU = server CPU per message echoed to its sender)")
PY
echo "# raw results and logs: $OUT"
