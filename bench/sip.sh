#!/usr/bin/env bash
# bench/sip.sh -- the SIP benchmark: Kamailio 5.6.3 and `kamgo run` on the same
# config (bench/sip/sip.cfg: INVITE and BYE suspended with evapi_async_relay, answered by
# bench/sip/answer over evapi, resumed with t_continue, replied 200), driven by sipp's
# built-in UAC at rising call rates, the servers alternating, several rounds.
#
# usage: bench/sip.sh
#   RATES="500 1000 2000 4000"  calls per second offered
#   SECS=5                      seconds of calls per run (calls = rate x SECS)
#   ROUNDS=3                    rounds; each runs both servers, the order rotating
#   SERVERS="kamailio kamgo"
#   SHM=512                     Kamailio's shared memory in MB (-m); its default 64 runs out
#   WARM=0                      seconds of calls before the steady-state window (0: none)
#   KEEP=DIR                    keep logs and sipp statistics in DIR
#
# A run is clean when every call succeeded and none failed. For each run the script
# prints the successful and failed calls, sipp's INVITE retransmissions, the call rate
# achieved and the server's CPU per call (utime+stime of the server and its child
# processes, from /proc, over the run). With WARM, it also gives the CPU per call of the
# steady state: from WARM seconds into the run to its end, divided by the calls completed
# in that window (sipp's statistics, written every second). The first seconds of a run
# cost both servers more: Kamailio touches its shared memory for the first time, kamgo's
# heap grows while the first transactions wait out wt_timer (5 s). The summary gives
# medians over rounds, the median of the per-round kamgo/Kamailio CPU ratios (each round
# runs both servers back to back) and, per server, the highest rate that was clean in
# every round.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RATES=${RATES:-500 1000 2000 4000}
SECS=${SECS:-5}
ROUNDS=${ROUNDS:-3}
SERVERS=${SERVERS:-kamailio kamgo}
SHM=${SHM:-512}
WARM=${WARM:-0}
export PATH=$PATH:/usr/local/go/bin
for tool in kamailio sipp go ss bc; do
	command -v "$tool" >/dev/null || { echo "sip.sh: $tool not found" >&2; exit 2; }
done
OUT=${KEEP:-$(mktemp -d /tmp/kamgo-sipbench.XXXXXX)}
mkdir -p "$OUT"
cd "$ROOT"
go build -o "$OUT/kamgo" ./cmd/kamgo
go build -o "$OUT/answer" ./bench/sip/answer
TICK=$(getconf CLK_TCK)

. bench/lib.sh

echo "# $(nproc) cores, $(kamailio -v | head -1), $("$OUT/kamgo" version 2>/dev/null | head -1), rates: $RATES, ${SECS}s each, rounds=$ROUNDS, load $(cut -d' ' -f1-3 /proc/loadavg)"
RES="$OUT/results.tsv"
: >"$RES"
for round in $(seq 1 "$ROUNDS"); do
	order=$SERVERS; [ $((round % 2)) -eq 0 ] && order=$(echo $SERVERS | tr ' ' '\n' | tac | tr '\n' ' ')
	for rate in $RATES; do
		for server in $order; do
			sip=$("$OUT/answer" -freeport); ev=$("$OUT/answer" -freeport); uac=$("$OUT/answer" -freeport)
			defs=(-A "SIP_PORT=$sip" -A "EVAPI_BIND=\"127.0.0.1:$ev\"")
			log="$OUT/$server-$rate-$round.log"
			if [ "$server" = kamailio ]; then
				kamailio -DD -E -m "$SHM" -f bench/sip/sip.cfg "${defs[@]}" >"$log" 2>&1 &
			else
				"$OUT/kamgo" run "${defs[@]}" bench/sip/sip.cfg >"$log" 2>&1 &
			fi
			pid=$!
			wait_port "$ev" || { echo "# $server did not start"; tail -5 "$log"; stop_server $pid; continue; }
			"$OUT/answer" -addr "127.0.0.1:$ev" -dur 120s >"$OUT/answer-$server-$rate-$round.out" 2>&1 &
			apid=$!
			sleep 0.3
			calls=$((rate * SECS))
			c0=$(cpu_ticks $pid); s=$(date +%s.%N)
			rm -f "$OUT/stat.csv"
			( cd "$OUT" && timeout 120 sipp -sn uac "127.0.0.1:$sip" -i 127.0.0.1 -p "$uac" -m "$calls" -r "$rate" -l 40000 \
				-nostdin -timeout 60s -trace_stat -stf stat.csv -fd 1 >"sipp-$server-$rate-$round.out" 2>&1 ) &
			spid=$!
			w0=""; ws0=0
			if [ "$WARM" -gt 0 ]; then
				sleep "$WARM"
				w0=$(cpu_ticks $pid); ws0=$(tail -1 "$OUT/stat.csv" 2>/dev/null | cut -d';' -f16)
			fi
			wait $spid || true
			e=$(date +%s.%N); c1=$(cpu_ticks $pid)
			last=$(tail -1 "$OUT/stat.csv" 2>/dev/null || echo "")
			succ=$(echo "$last" | cut -d';' -f16); fail=$(echo "$last" | cut -d';' -f18)
			retr=$(grep -E '^ +INVITE ---------->' "$OUT/sipp-$server-$rate-$round.out" | tail -1 | awk '{print $4}')
			cps=$(echo "${succ:-0} / ($e - $s)" | bc -l)
			cpu=$(awk -v t=$((c1 - c0)) -v k="$TICK" -v n="${succ:-0}" 'BEGIN { if (n > 0) printf "%.1f", t / k * 1e6 / n; else print "NA" }')
			steady=NA
			if [ -n "$w0" ]; then
				steady=$(awk -v t=$((c1 - w0)) -v k="$TICK" -v n=$(( ${succ:-0} - ${ws0:-0} )) 'BEGIN { if (n > 0) printf "%.1f", t / k * 1e6 / n; else print "NA" }')
			fi
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\n" "$round" "$rate" "$server" "$calls" "${succ:-0}" "${fail:-0}" "${retr:-0}" "$cps" "$cpu" "$steady" >>"$RES"
			echo "# round $round $server rate=$rate calls=$calls success=${succ:-0} failed=${fail:-0} invite_retrans=${retr:-0} cps=$(printf %.0f "$cps") cpu_us/call=$cpu steady_cpu_us/call=$steady"
			kill $apid 2>/dev/null || true; wait $apid 2>/dev/null || true
			stop_server $pid
		done
	done
done

python3 - "$RES" "$ROUNDS" <<'PY'
import sys, statistics as st
rows, rounds, by = {}, int(sys.argv[2]), {}
num = lambda v: None if v == "NA" else float(v)
for l in open(sys.argv[1]):
    r, rate, server, calls, succ, fail, retr, cps, cpu, steady = l.rstrip("\n").split("\t")
    d = rows.setdefault(int(rate), {}).setdefault(server, [])
    d.append((int(succ), int(fail), int(retr or 0), float(cps), num(cpu), int(calls), num(steady)))
    by[(int(rate), server, r)] = (num(cpu), num(steady))
def ratio(rate, i):
    rs = []
    for (rt, server, r), v in by.items():
        k = by.get((rt, "kamailio", r))
        if rt == rate and server == "kamgo" and k and v[i] is not None and k[i]:
            rs.append(v[i] / k[i])
    return "%.2f (%.2f-%.2f)" % (st.median(rs), min(rs), max(rs)) if rs else "-"
print("| rate | server | clean rounds | success (median) | failed (median) | INVITE retrans (median) | cps (median) | CPU µs/call (median) | kamgo/Kamailio (rounds) | steady CPU µs/call (median) | kamgo/Kamailio (rounds) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
best = {}
for rate in sorted(rows):
    for server, runs in sorted(rows[rate].items()):
        clean = sum(1 for x in runs if x[1] == 0 and x[0] == x[5])
        med = lambda i: st.median([x[i] for x in runs if x[i] is not None]) if any(x[i] is not None for x in runs) else float("nan")
        rw, rs = (ratio(rate, 0), ratio(rate, 1)) if server == "kamgo" else ("", "")
        print("| %d | %s | %d/%d | %.0f | %.0f | %.0f | %.0f | %.1f | %s | %.1f | %s |" % (rate, server, clean, len(runs), med(0), med(1), med(2), med(3), med(4), rw, med(6), rs))
        if clean == len(runs) == rounds:
            best[server] = max(best.get(server, 0), rate)
print("highest rate clean in every round: " + ", ".join("%s %d cps" % kv for kv in sorted(best.items())))
PY
echo "# raw results and logs: $OUT"
