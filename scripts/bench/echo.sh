#!/usr/bin/env bash
# Concurrent echo-agent calls with awaaz-sim load (inbound to the bench DID), in steps.
#   STEPS="50 200 500 1000" RATE=20 PLATEAU=60s scripts/bench/echo.sh
# Step N: calls start evenly over N/RATE s (min 5 s); each lasts ramp + PLATEAU, so all N are live together for
# PLATEAU. Between steps it waits (bounded) for the server to have no active call. The server (SERVER_PID) and the
# generator are sampled every second (CPU, RSS, threads, load average) into a CSV next to the load result.
# Needs scripts/bench/setup.sh first. Results go to $BENCH_DIR/results/<time>-echo/.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-/tmp/awaaz-bench}
source "$BENCH_DIR/env"
STEPS=${STEPS:-"50 200 500 1000"}; RATE=${RATE:-20}; PLATEAU=${PLATEAU:-60}
FIRST_FROM=${FIRST_FROM:-9800000000}
OUT="$BENCH_DIR/results/$(date -u +%Y%m%dT%H%M%SZ)-echo"
mkdir -p "$OUT"
[ -f "$BENCH_DIR/caller.wav" ] || python3 scripts/bench/caller-wav.py "$BENCH_DIR/caller.wav" >/dev/null
rss() { awk '/VmRSS/{printf "%.1f", $2/1024}' "/proc/$1/status"; }

for n in $STEPS; do
  scripts/bench/active-calls.sh --wait 300 >/dev/null
  ramp=$(( n / RATE )); [ "$ramp" -lt 5 ] && ramp=5
  duration=$(( ramp + PLATEAU ))
  {
    echo "== $n calls: ramp ${ramp}s, each ${duration}s (all live for ${PLATEAU}s), audio caller.wav, to $DID"
    scripts/bench/conditions.sh
    echo "server idle RSS $(rss "$SERVER_PID") MB"
  } | tee "$OUT/echo-$n.txt"
  "$SIM_BIN" load --calls "$n" --ramp "${ramp}s" --duration "${duration}s" --audio "$BENCH_DIR/caller.wav" --to "$DID" \
    --first-from "$FIRST_FROM" --resolver-url "$RESOLVER_URL" --server-pid "$SERVER_PID" --json "$OUT/echo-$n.json" \
    >>"$OUT/echo-$n.txt" 2>&1 &
  load_pid=$!
  scripts/bench/sample.sh "$OUT/echo-$n.csv" $(( duration + 30 )) "$SERVER_PID" "$load_pid" &
  sampler=$!
  wait "$load_pid" || true
  kill "$sampler" 2>/dev/null || true
  scripts/bench/conditions.sh | tee -a "$OUT/echo-$n.txt"
  FIRST_FROM=$(( FIRST_FROM + n ))
  [ -f "$OUT/echo-$n.json" ] && jq -r --arg n "$n" '"\($n) calls: streamed \(.streamed)/\(.calls) (failed \(.failed)), lateness p50 \(.lateness_ms.p50) p99 \(.lateness_ms.p99) max \(.lateness_ms.max) ms, underruns \(.underruns) (stall p99 \(.underrun_stall_ms.p99) ms), violations \(.violations), resolver p99 \(.resolver_latency_ms.p99) ms, first audio p99 \(.first_audio_ms.p99) ms, mark RTT p99 \(.mark_round_trip_ms.p99) ms, server CPU p50 \(.server.cpu_percent.p50|floor)% max \(.server.cpu_percent.max|floor)%, RSS max \(.server.max_rss_mb|floor) MB"' "$OUT/echo-$n.json" | tee -a "$OUT/summary.txt"
done
echo "results in $OUT"
