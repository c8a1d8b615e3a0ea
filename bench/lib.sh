# bench/lib.sh -- the helpers the side-by-side scripts share; sourced, not run.

# cpu_ticks PID: utime+stime of PID and its child processes (Kamailio forks
# its workers), in clock ticks.
cpu_ticks() {
	local t=0 p
	for p in $1 $(pgrep -P "$1"); do
		[ -r /proc/$p/stat ] && t=$((t + $(awk '{print $14+$15}' /proc/$p/stat)))
	done
	echo $t
}

# wait_port PORT / wait_udp PORT: until something listens on 127.0.0.1:PORT
# over TCP / UDP; 10 s at most.
wait_port() { for _ in $(seq 1 100); do ss -ltn | grep -q "127.0.0.1:$1 " && return 0; sleep 0.1; done; return 1; }
wait_udp() { for _ in $(seq 1 100); do ss -lun | grep -q "127.0.0.1:$1 " && return 0; sleep 0.1; done; return 1; }

# stop_server PID: SIGTERM, 5 s to go, then SIGKILL; never fails.
stop_server() {
	kill "$1" 2>/dev/null || true
	for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
