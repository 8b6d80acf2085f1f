#!/usr/bin/env bash
# Resolver latency under an open-loop fixed-rate load from a second process (awaaz-sim resolver-load).
#   1. warm-up (JIT, pools): 10 s at 300/s on the decline path, not recorded;
#   2. decline path: unknown $toNumber (authenticated, fully correlated, declined), RATE/s for DURATION, first 5 s left out;
#   3. accept path: the assigned DID (each request creates an inbound call and a stream token), ACCEPT_RATE/s for
#      ACCEPT_DURATION (≤ 1000 calls: the partner's concurrency limit), then waits for the watchdog to end those calls.
# Needs scripts/bench/setup.sh first. Results (text + JSON) go to $BENCH_DIR/results/<time>-resolver/.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-/tmp/awaaz-bench}
source "$BENCH_DIR/env"
RATE=${RATE:-1000}; DURATION=${DURATION:-35s}; WARMUP=${WARMUP:-5s}
ACCEPT_RATE=${ACCEPT_RATE:-20}; ACCEPT_DURATION=${ACCEPT_DURATION:-30s}
OUT="$BENCH_DIR/results/$(date -u +%Y%m%dT%H%M%SZ)-resolver"
mkdir -p "$OUT"
load() { "$SIM_BIN" resolver-load --resolver-url "$RESOLVER_URL" --server-pid "$SERVER_PID" "$@"; }

scripts/bench/active-calls.sh --wait 180 >/dev/null
echo "== warm-up" | tee "$OUT/warmup.txt"
load --rate 300 --duration 10s --to 8000000000 --first-from 9600000000 >>"$OUT/warmup.txt" 2>&1 || true

{ echo "== decline path: $RATE/s for $DURATION (warm-up $WARMUP)"; scripts/bench/conditions.sh; } | tee "$OUT/decline.txt"
load --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" --to 8000000000 --first-from 9700000000 --json "$OUT/decline.json" >>"$OUT/decline.txt" 2>&1 || true
scripts/bench/conditions.sh | tee -a "$OUT/decline.txt"

if [ "$ACCEPT_RATE" != 0 ]; then
  { echo "== accept path: $ACCEPT_RATE/s for $ACCEPT_DURATION to $DID"; scripts/bench/conditions.sh; } | tee "$OUT/accept.txt"
  load --rate "$ACCEPT_RATE" --duration "$ACCEPT_DURATION" --to "$DID" --first-from 9500000000 --json "$OUT/accept.json" >>"$OUT/accept.txt" 2>&1 || true
  scripts/bench/conditions.sh | tee -a "$OUT/accept.txt"
  echo "waiting for the watchdog to end the accepted calls (no socket ever connects)"
  scripts/bench/active-calls.sh --wait 300 >/dev/null || true
fi
for f in decline accept; do
  [ -f "$OUT/$f.json" ] || continue
  jq -r --arg f "$f" '"\($f): sent \(.achieved_send_rate|floor)/s, verdicts \(.verdicts), latency p50 \(.latency_ms.p50) p99 \(.latency_ms.p99) p99.9 \(.latency_ms.p999) max \(.latency_ms.max) ms; service p99 \(.service_ms.p99); send lag p99 \(.send_lag_ms.p99); server CPU p50 \(.server.cpu_percent.p50|floor)% max RSS \(.server.max_rss_mb|floor) MB; generator CPU \(.generator_cpu_percent|floor)%"' "$OUT/$f.json"
done | tee "$OUT/summary.txt"
echo "results in $OUT"
