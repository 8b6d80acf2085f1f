#!/usr/bin/env bash
# Installs what the tests need, starts a throwaway PostgreSQL on a free loopback port, runs the whole
# suite against SQLite and PostgreSQL, stops what it started (also on failure), and ends with
# "N passed, N failed". CI (.ci/run) calls exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RESULTS="$ROOT/.artifacts/test-results"
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

log() { printf '\n==> %s\n' "$*"; }

# --- 1. System packages -------------------------------------------------------------------------
APT_PACKAGES=(espeak-ng pocketsphinx pocketsphinx-en-us libpocketsphinx3 libsphinxbase3)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "Installing apt packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

scripts/assets.sh # Silero VAD model and ONNX Runtime into ./assets (the VAD tests need them)

# --- 2. Throwaway PostgreSQL --------------------------------------------------------------------
PG_DIR=$(mktemp -d /tmp/awaaz-pg.XXXXXX)
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$PG_DIR"
}
trap cleanup EXIT INT TERM

PG_PORT=55432
while (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; do PG_PORT=$((PG_PORT + 1)); done
log "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null
export AWAAZ_TEST_PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Pooling=true;Maximum Pool Size=50"

# --- 3. Build once, run each suite ---------------------------------------------------------------
log "Building"
dotnet build Awaaz.slnx -c Release -nologo -v quiet

status=0
run_suite() { # name project [env...]
  local name=$1 project=$2; shift 2
  log "Tests: $name"
  env "$@" dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$RESULTS" --blame-hang-timeout 15m --blame-hang-dump-type none || status=1
}
run_suite smartflo tests/Awaaz.Smartflo.Tests/Awaaz.Smartflo.Tests.csproj
run_suite media tests/Awaaz.Media.Tests/Awaaz.Media.Tests.csproj
run_suite server-sqlite tests/Awaaz.Server.Tests/Awaaz.Server.Tests.csproj AWAAZ_TEST_DB=sqlite
run_suite server-postgres tests/Awaaz.Server.Tests/Awaaz.Server.Tests.csproj AWAAZ_TEST_DB=postgres

# --- 4. One closing line ------------------------------------------------------------------------
passed=0; failed=0; skipped=0; found=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  found=$((found + 1))
  counters=$(grep -o '<Counters [^>]*' "$trx" | head -n 1)
  attr() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(attr passed)))
  failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
  skipped=$((skipped + $(attr total) - $(attr executed)))
done
[ "$found" -eq 4 ] || { echo "expected 4 result files, found $found"; status=1; }
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
