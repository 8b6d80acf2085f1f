#!/usr/bin/env bash
# Stops what scripts/bench/setup.sh started (by the pids it recorded) and, with --wipe, deletes $BENCH_DIR.
set -euo pipefail
BENCH_DIR=${BENCH_DIR:-/tmp/awaaz-bench}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
stop() { # pidfile
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$1"
}
stop "$BENCH_DIR/server.pid"
stop "$BENCH_DIR/sim.pid"
if [ -f "$BENCH_DIR/pg/data/postmaster.pid" ]; then
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$BENCH_DIR/pg/data" -m fast -w stop >/dev/null
  else "$PG_BIN/pg_ctl" -D "$BENCH_DIR/pg/data" -m fast -w stop >/dev/null; fi
fi
if [ "${1:-}" = --wipe ]; then rm -rf "$BENCH_DIR"; fi
echo "stopped"
