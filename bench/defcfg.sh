#!/usr/bin/env bash
# bench/defcfg.sh -- Kamailio's default configuration (/etc/kamailio/kamailio.cfg, unchanged)
# on Kamailio 5.6.3 and on `kamgo run`, side by side: REGISTER per second (a new user per
# request) and calls per second between two registered sipp UAs through the proxy (INVITE
# relayed after lookup("location"), 200, ACK and BYE record-routed through it), at rising
# rates, the servers alternating, several rounds.
#
# usage: bench/defcfg.sh
#   RATES="500 1000 2000"   requests (REGISTER) or calls per second offered
#   SECS=5                  seconds per run (count = rate x SECS)
#   ROUNDS=3                rounds; each runs both servers, the order rotating
#   SERVERS="kamailio kamgo"
#   SHM=512                 Kamailio's shared memory in MB (-m)
#   CFG=/etc/kamailio/kamailio.cfg
#   KEEP=DIR                keep logs and sipp output in DIR
#
# A run is clean when every REGISTER got its 200 (every call completed) and none failed.
# CPU per operation is the server's utime+stime (its process and children, from /proc)
# over the sipp run divided by the successful operations. The sipp scenarios are the
# example's (examples/default-config/testdata) plus bench/defcfg/register.xml.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RATES=${RATES:-500 1000 2000}
SECS=${SECS:-5}
ROUNDS=${ROUNDS:-3}
SERVERS=${SERVERS:-kamailio kamgo}
SHM=${SHM:-512}
CFG=${CFG:-/etc/kamailio/kamailio.cfg}
export PATH=$PATH:/usr/local/go/bin
for tool in kamailio sipp go ss; do
	command -v "$tool" >/dev/null || { echo "defcfg.sh: $tool not found" >&2; exit 2; }
done
[ -r "$CFG" ] || { echo "defcfg.sh: $CFG not readable" >&2; exit 2; }
OUT=${KEEP:-$(mktemp -d /tmp/kamgo-defcfg.XXXXXX)}
mkdir -p "$OUT"
cd "$ROOT"
go build -o "$OUT/kamgo" ./cmd/kamgo
go build -o "$OUT/answer" ./bench/sip/answer
SC=$ROOT/examples/default-config/testdata
TICK=$(getconf CLK_TCK)

. bench/lib.sh
# stat FILE: "success failed" from sipp's -trace_stat file
stat() { local last; last=$(tail -1 "$1" 2>/dev/null || echo ""); echo "$(echo "$last" | cut -d';' -f16) $(echo "$last" | cut -d';' -f18)"; }
per_op() { awk -v t="$1" -v k="$TICK" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", t / k * 1e6 / n; else print "NA" }'; }

echo "# $(nproc) cores, $(kamailio -v | head -1), $("$OUT/kamgo" version 2>/dev/null | head -1), $CFG, rates: $RATES, ${SECS}s each, rounds=$ROUNDS, load $(cut -d' ' -f1-3 /proc/loadavg)"
RES="$OUT/results.tsv"
: >"$RES"
for round in $(seq 1 "$ROUNDS"); do
	order=$SERVERS; [ $((round % 2)) -eq 0 ] && order=$(echo $SERVERS | tr ' ' '\n' | tac | tr '\n' ' ')
	for rate in $RATES; do
		for server in $order; do
			sip=$("$OUT/answer" -freeport); uac=$("$OUT/answer" -freeport); uas=$("$OUT/answer" -freeport)
			run="$OUT/run-$server-$rate-$round"; mkdir -p "$run"
			log="$OUT/$server-$rate-$round.log"
			if [ "$server" = kamailio ]; then
				kamailio -DD -E -m "$SHM" -l "udp:127.0.0.1:$sip" -Y "$run" -f "$CFG" >"$log" 2>&1 &
			else
				"$OUT/kamgo" run -l "udp:127.0.0.1:$sip" -Y "$run" "$CFG" >"$log" 2>&1 &
			fi
			pid=$!
			wait_udp "$sip" || { echo "# $server did not start"; tail -5 "$log"; stop_server $pid; continue; }
			sleep 0.3
			n=$((rate * SECS))
			pre="$OUT/$server-$rate-$round"
			sipp_run() { # name, sipp args...
				local name=$1; shift
				( cd "$OUT" && timeout 120 sipp "127.0.0.1:$sip" -i 127.0.0.1 -nostdin -timeout 60s -trace_stat -stf "$pre-$name.csv" -fd 1 "$@" >"$pre-$name.out" 2>&1 ) || true
			}
			# REGISTER: a new user per request.
			c0=$(cpu_ticks $pid)
			sipp_run register -sf "$ROOT/bench/defcfg/register.xml" -p "$uac" -m "$n" -r "$rate" -l 20000
			c1=$(cpu_ticks $pid)
			read -r rs rf <<<"$(stat "$pre-register.csv")"
			# Calls: bob registers where its UAS listens, alice calls it n times.
			sipp_run bob -sf "$SC/register.xml" -s bob -p "$uas" -m 1
			( cd "$OUT" && timeout 150 sipp -sf "$SC/uas.xml" -s bob -i 127.0.0.1 -p "$uas" -nostdin -timeout 90s -m "$n" >"$pre-uas.out" 2>&1 ) &
			uaspid=$!
			sleep 0.3
			c2=$(cpu_ticks $pid)
			sipp_run calls -sf "$SC/uac.xml" -s bob -p "$uac" -m "$n" -r "$rate" -l 20000
			c3=$(cpu_ticks $pid)
			kill $uaspid 2>/dev/null || true; wait $uaspid 2>/dev/null || true
			read -r cs cf <<<"$(stat "$pre-calls.csv")"
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$round" "$rate" "$server" "$n" "${rs:-0}" "${rf:-0}" "$(per_op $((c1 - c0)) "${rs:-0}")" "${cs:-0}" "${cf:-0}" "$(per_op $((c3 - c2)) "${cs:-0}")" >>"$RES"
			echo "# round $round $server rate=$rate n=$n register ok=${rs:-0} failed=${rf:-0} cpu_us/op=$(per_op $((c1 - c0)) "${rs:-0}"); calls ok=${cs:-0} failed=${cf:-0} cpu_us/call=$(per_op $((c3 - c2)) "${cs:-0}")"
			stop_server $pid
		done
	done
done

python3 - "$RES" "$ROUNDS" <<'PY'
import sys, statistics as st
rows, rounds = {}, int(sys.argv[2])
for l in open(sys.argv[1]):
    r, rate, server, n, rs, rf, rcpu, cs, cf, ccpu = l.rstrip("\n").split("\t")
    rows.setdefault(int(rate), {}).setdefault(server, []).append(
        (int(n), int(rs), int(rf), None if rcpu == "NA" else float(rcpu), int(cs), int(cf), None if ccpu == "NA" else float(ccpu)))
def med(v):
    v = [x for x in v if x is not None]
    return st.median(v) if v else float("nan")
print("| rate | server | REGISTER clean rounds | REGISTER CPU µs (median) | calls clean rounds | call CPU µs (median) |")
print("|---|---|---|---|---|---|")
best = {}
for rate in sorted(rows):
    for server, runs in sorted(rows[rate].items()):
        rc = sum(1 for x in runs if x[1] == x[0] and x[2] == 0)
        cc = sum(1 for x in runs if x[4] == x[0] and x[5] == 0)
        print("| %d | %s | %d/%d | %.1f | %d/%d | %.1f |" % (rate, server, rc, len(runs), med([x[3] for x in runs]), cc, len(runs), med([x[6] for x in runs])))
        for kind, c in (("REGISTER", rc), ("calls", cc)):
            if c == len(runs) == rounds:
                best[(server, kind)] = max(best.get((server, kind), 0), rate)
print("highest rate clean in every round: " + ", ".join("%s %s %d/s" % (s, k, v) for (s, k), v in sorted(best.items())))
PY
echo "# raw results and logs: $OUT"
