#!/usr/bin/env bash
# bench/check.sh -- wall time of `kamgo check FILE` against `kamailio -c -f FILE`.
#
# usage: bench/check.sh [FILE...]
#   RUNS=40 WARMUP=5   hyperfine runs and warm-up runs per command
#   OUT=DIR            keep hyperfine's JSON exports in DIR
#   KAMGO=PATH         time this kamgo binary instead of building one (to
#                      compare two builds: run the script for each in turn)
#
# Builds kamgo once, then times both commands as whole processes with
# hyperfine (-N: no shell in between) and prints one table row per file:
# the medians, the ratio kamgo/kamailio (target: at most 0.50), the mean
# CPU time (user+sys) of each, and the exit codes. A file Kamailio rejects
# (missing include, module path, ...) is still timed; its exit code shows it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-40}
WARMUP=${WARMUP:-5}
export PATH=$PATH:/usr/local/go/bin

for tool in hyperfine kamailio jq go; do
	command -v "$tool" >/dev/null || { echo "check.sh: $tool not found" >&2; exit 2; }
done

if [ $# -gt 0 ]; then
	FILES=("$@")
else
	FILES=()
	for f in /etc/kamailio/kamailio.cfg \
		"$ROOT/../shared/corpus/kazoo-default/default.cfg" \
		"$ROOT/../shared/corpus/dsiprouter/kamailio.cfg" \
		"$ROOT/../shared/reference/kamailio/evapi-ref.cfg" \
		"$ROOT/bench/route/route.cfg"; do
		if [ -r "$f" ]; then FILES+=("$f"); else echo "# skipped (not found): $f" >&2; fi
	done
fi
[ ${#FILES[@]} -gt 0 ] || { echo "check.sh: no files" >&2; exit 2; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT=${OUT:-$TMP}
mkdir -p "$OUT"

if [ -n "${KAMGO:-}" ]; then
	cp "$KAMGO" "$TMP/kamgo"
else
	(cd "$ROOT" && go build -o "$TMP/kamgo" ./cmd/kamgo)
fi

echo "# date: $(date -Is)"
echo "# machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${KAMGO:-}" ]; then
	echo "# $(kamailio -v | head -1); kamgo $KAMGO"
else
	echo "# $(kamailio -v | head -1); kamgo $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?') + working tree"
fi
echo "# hyperfine -N -w $WARMUP -r $RUNS; times in ms; ratio = kamgo/kamailio median (target <= 0.50)"
printf '%-44s %6s %9s %9s %6s %6s %9s %9s %5s %5s\n' \
	file lines kamgo_med kam_med ratio target kamgo_cpu kam_cpu k_rc kam_rc

i=0
for f in "${FILES[@]}"; do
	i=$((i + 1))
	abs=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
	printf -v kcmd '%q check %q' "$TMP/kamgo" "$abs"
	printf -v ccmd 'kamailio -c -f %q' "$abs"
	json="$OUT/check-$i.json"
	if ! hyperfine -N -w "$WARMUP" -r "$RUNS" -i --style none \
		--export-json "$json" -n kamgo "$kcmd" -n kamailio "$ccmd" >"$TMP/hf.log" 2>&1; then
		echo "check.sh: hyperfine failed on $f:" >&2
		cat "$TMP/hf.log" >&2
		continue
	fi
	name=$(basename "$(dirname "$abs")")/$(basename "$abs")
	jq -r --arg name "$name" --arg lines "$(wc -l <"$abs")" '
		def ms: . * 1000 * 10 | round / 10;
		def rc: [.exit_codes[] | tostring] | unique | join(",");
		.results as [$k, $c]
		| [$name, $lines, ($k.median | ms), ($c.median | ms),
		   (($k.median / $c.median) * 100 | round / 100),
		   (if $k.median <= 0.5 * $c.median then "met" else "MISS" end),
		   ($k.user + $k.system | ms), ($c.user + $c.system | ms),
		   ($k | rc), ($c | rc)]
		| @tsv' "$json" |
		awk -F'\t' '{ printf "%-44s %6s %9.1f %9.1f %6.2f %6s %9.1f %9.1f %5s %5s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
done
echo "# kamgo_cpu / kam_cpu: mean user+sys per run; k_rc / kam_rc: exit codes seen (kamailio: 0 ok, 255 error)"
