#!/usr/bin/env bash
# Prints the number of non-terminal calls in the bench database (what the partner concurrency limit counts).
# With --wait N: waits (at most N seconds) until it is 0, e.g. for the watchdog to end calls left by a resolver run.
set -euo pipefail
BENCH_DIR=${BENCH_DIR:-/tmp/awaaz-bench}
source "$BENCH_DIR/env"
q="SELECT COUNT(*) FROM calls WHERE status IN ('pending','ringing','in_progress')"
count() {
  if [ "$DB" = postgres ]; then
    psql -h 127.0.0.1 -p "$(cat "$BENCH_DIR/pg/port")" -U postgres -d postgres -tAc "$q"
  else
    sqlite3 -cmd ".timeout 5000" "$BENCH_DIR/awaaz.db" "$q"
  fi
}
if [ "${1:-}" = --wait ]; then
  for _ in $(seq 1 "${2:-120}"); do [ "$(count)" -eq 0 ] && { echo 0; exit 0; }; sleep 1; done
  echo "still $(count) active calls after ${2:-120} s" >&2; exit 1
fi
count
