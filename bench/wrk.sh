#!/usr/bin/env bash
# The reference server under wrk, a load generator in its own process: for each connection
# count, rounds of bare net/http (constant body), refserver with request validation on and
# off (bench/cmd/loadgen -serve), interleaved; prints each median req/s and its ratios, and
# writes each measurement to OUT as a Go benchmark result (BenchmarkServe/conns=C/impl=T,
# for bench/cmd/ratios). Run from the repository root (make bench-wrk). Skips, with one
# line (and an empty OUT), without wrk.
set -euo pipefail

GO="${GO:-go}"
CONNS="${CONNS:-8 64}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-4s}"
STRIDE="${STRIDE:-150000}" # runs per wrk thread and measurement; two threads
OUT="${OUT:-bench/out/wrk.txt}"
mkdir -p "$(dirname "$OUT")"
: >"$OUT"
if ! command -v wrk >/dev/null; then
	echo "bench-wrk: wrk is not installed (apt-get install wrk); skipping"
	exit 0
fi

dir="$(mktemp -d)"
pid=""
cleanup() {
	if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; fi
	rm -rf "$dir"
}
trap cleanup EXIT
"$GO" build -C bench -o "$dir/loadgen" ./cmd/loadgen
runs=$((2 * STRIDE + 2 * 20000))

# rate TARGET CONNS prints the req/s of one measurement on a fresh server process.
rate() {
	rm -f "$dir/url" # a stale URL would be the previous, stopped server's
	timeout 300 "$dir/loadgen" -serve "$1" -n "$runs" >"$dir/url" &
	pid=$!
	local url=""
	for _ in $(seq 600); do
		url="$(head -1 "$dir/url" 2>/dev/null || true)"
		[[ -n "$url" ]] && break
		sleep 0.1
	done
	[[ -n "$url" ]] || { echo "bench-wrk: $1 did not start" >&2; exit 1; }
	# Warm up on the runs after the measured ones, so that every measured cancel is a first one.
	wrk -t2 -c"$2" -d1s -s bench/cancel.lua "$url" -- $((2 * STRIDE)) 20000 >/dev/null
	wrk -t2 -c"$2" -d"$DURATION" -s bench/cancel.lua "$url" -- 0 "$STRIDE" >"$dir/out"
	kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
	if grep -q 'Non-2xx' "$dir/out"; then
		echo "bench-wrk: $1 answered non-2xx: $(grep 'Non-2xx' "$dir/out")" >&2; exit 1
	fi
	awk '/Requests\/sec/ {print $2}' "$dir/out"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "wrk (own process, 2 threads) against a fresh server process per measurement: $ROUNDS rounds of $DURATION, targets interleaved"
printf '%-6s %12s %12s %12s %10s %10s %10s\n' conns "bare req/s" "on req/s" "off req/s" "on/bare" "off/bare" "on/off"
for c in $CONNS; do
	: >"$dir/bare"; : >"$dir/on"; : >"$dir/off"
	for _ in $(seq "$ROUNDS"); do
		for t in bare on off; do
			rate "$t" "$c" >"$dir/last"
			cat "$dir/last" >>"$dir/$t"
			echo "BenchmarkServe/conns=$c/impl=$t 1 $(cat "$dir/last") req/s" >>"$OUT"
		done
	done
	b=$(median <"$dir/bare"); on=$(median <"$dir/on"); off=$(median <"$dir/off")
	awk -v c="$c" -v b="$b" -v on="$on" -v off="$off" 'BEGIN {
		printf "%-6s %12.0f %12.0f %12.0f %9.2fx %9.2fx %9.2fx   (target on/bare >= 0.80x)\n", c, b, on, off, on/b, off/b, on/off }'
done
