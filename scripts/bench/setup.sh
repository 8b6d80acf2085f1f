#!/usr/bin/env bash
# Starts an Awaaz server (Release build) and a Smartflo simulator on loopback for load benchmarks, and wires them:
# partner `bench` with an API key and concurrency limit 1000, a Smartflo connection to the simulator, an echo agent,
# the simulator's DIDs synced and the bot DID assigned to the agent. Prints the resolver URL.
#
# Idempotent: re-running reuses running processes and existing objects. Every wait is bounded.
# Everything lives under $BENCH_DIR (default /tmp/awaaz-bench); `scripts/bench/teardown.sh` stops what this started.
#
#   scripts/bench/setup.sh                 # SQLite (fresh data dir on first run)
#   BENCH_DB=postgres scripts/bench/setup.sh   # throwaway PostgreSQL cluster under $BENCH_DIR/pg (as scripts/test.sh)
#   BENCH_LOG_LEVEL=Warning scripts/bench/setup.sh  # server log level (default: the server's default, Information)
#   BENCH_SERVER_ENV="DOTNET_gcServer=0" scripts/bench/setup.sh  # extra environment for the server process only
#   BENCH_PERF_MAP=1 scripts/bench/setup.sh       # let `perf` resolve JIT-compiled frames (DOTNET_PerfMapEnabled=1, W^X off)
#   BENCH_SERVER_PROJECT=bench/Awaaz.VoiceBench/Awaaz.VoiceBench.csproj BENCH_SERVER_EXE=awaaz-voice-bench scripts/bench/setup.sh
#                                                  # another host of the server (same CLI), e.g. the voice bench (scripts/bench/voice.sh)
#
# Outputs $BENCH_DIR/env (RESOLVER_URL, SERVER_PID, SIM_PID, DID, API_KEY, AWAAZ_URL, DB, CONNECTION_STRING).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/awaaz-bench}
AWAAZ_PORT=${AWAAZ_PORT:-18080}
SIM_PORT=${SIM_PORT:-18090}
BENCH_DB=${BENCH_DB:-sqlite}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DID=${DID:-918071000002}
AWAAZ_URL="http://127.0.0.1:$AWAAZ_PORT"
SIM_URL="http://127.0.0.1:$SIM_PORT"
# Published copies, so rebuilding the repository never touches the binaries of running processes.
BENCH_SERVER_PROJECT=${BENCH_SERVER_PROJECT:-src/Awaaz.Server/Awaaz.Server.csproj}
AWAAZ_BIN="$BENCH_DIR/bin/server/${BENCH_SERVER_EXE:-awaaz}"
SIM_BIN="$BENCH_DIR/bin/sim/awaaz-sim"
mkdir -p "$BENCH_DIR"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_http() { # url seconds
  for _ in $(seq 1 $(($2 * 10))); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# --- 1. Release build ---------------------------------------------------------------------------
if [ "${BENCH_NO_BUILD:-0}" != 1 ] && ! { [ -f "$BENCH_DIR/server.pid" ] && kill -0 "$(cat "$BENCH_DIR/server.pid")" 2>/dev/null; }; then
  log "Publishing (Release) to $BENCH_DIR/bin"
  dotnet publish "$BENCH_SERVER_PROJECT" -c Release -nologo -v quiet -o "$BENCH_DIR/bin/server" >/dev/null
  dotnet publish src/Awaaz.Smartflo.Simulator/Awaaz.Smartflo.Simulator.csproj -c Release -nologo -v quiet -o "$BENCH_DIR/bin/sim" >/dev/null
  git rev-parse --short HEAD >"$BENCH_DIR/bin/commit" 2>/dev/null || true
fi
[ -x "$AWAAZ_BIN" ] && [ -x "$SIM_BIN" ] || die "Release binaries missing"

# --- 2. Database ---------------------------------------------------------------------------------
if [ "$BENCH_DB" = postgres ]; then
  PG_DIR="$BENCH_DIR/pg"
  as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  if [ ! -f "$PG_DIR/data/postmaster.pid" ]; then
    PG_PORT=55532
    while (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; do PG_PORT=$((PG_PORT + 1)); done
    log "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
    rm -rf "$PG_DIR" && mkdir -p "$PG_DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
    as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
    # Durable defaults (fsync on) except full_page_writes; a benchmark of the server, not of the disk.
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 start \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" >/dev/null
    echo "$PG_PORT" >"$PG_DIR/port"
  fi
  PG_PORT=$(cat "$PG_DIR/port")
  CONNECTION_STRING="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=100"
else
  CONNECTION_STRING="Data Source=$BENCH_DIR/awaaz.db"
fi
export ConnectionStrings__Awaaz="$CONNECTION_STRING"

# --- 3. Simulator ----------------------------------------------------------------------------------
if ! alive "$BENCH_DIR/sim.pid"; then
  log "Starting awaaz-sim on $SIM_URL"
  nohup "$SIM_BIN" serve --port "$SIM_PORT" --config "$ROOT/scripts/bench/sim-bench.json" --quiet >"$BENCH_DIR/sim.log" 2>&1 &
  echo $! >"$BENCH_DIR/sim.pid"
fi
wait_http "$SIM_URL/_sim/status" 30 || die "simulator did not start (see $BENCH_DIR/sim.log)"

# --- 4. Partner and key (CLI, same database) ------------------------------------------------------
if [ ! -s "$BENCH_DIR/api-key" ]; then
  log "Creating partner bench"
  out=$("$AWAAZ_BIN" partners create --name bench --with-key 2>&1) || {
    echo "$out" | grep -qi "already" || die "partners create failed: $out"
    out=$("$AWAAZ_BIN" keys create --partner bench --label bench 2>&1) || die "keys create failed: $out"
  }
  echo "$out" | awk '/Save this key/{getline; print; exit}' >"$BENCH_DIR/api-key"
  [ -s "$BENCH_DIR/api-key" ] || die "no API key in: $out"
fi
API_KEY=$(cat "$BENCH_DIR/api-key")
"$AWAAZ_BIN" partners update bench --concurrency-limit 1000 >/dev/null

# --- 5. Server --------------------------------------------------------------------------------------
if ! alive "$BENCH_DIR/server.pid"; then
  log "Starting awaaz on $AWAAZ_URL ($BENCH_DB)"
  env AWAAZ_ALLOW_INSECURE_PROVIDER_URLS=true Awaaz__CreateDefaultPartner=false \
    Awaaz__RecordingsDirectory="$BENCH_DIR/recordings" \
    ${BENCH_LOG_LEVEL:+Logging__LogLevel__Default=$BENCH_LOG_LEVEL} ${BENCH_PERF_MAP:+DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0} ${BENCH_SERVER_ENV:-} \
    nohup "$AWAAZ_BIN" --urls "$AWAAZ_URL" >"$BENCH_DIR/server.log" 2>&1 &
  echo $! >"$BENCH_DIR/server.pid"
fi
wait_http "$AWAAZ_URL/readyz" 60 || die "server not ready (see $BENCH_DIR/server.log)"

api() { # method path [json]
  curl -fsS -X "$1" "$AWAAZ_URL/api/v2$2" -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' ${3:+--data "$3"}
}

# --- 6. Connection, agent, numbers ------------------------------------------------------------------
CONNECTION_ID=$(api GET /telephony/connections | jq -r '.data.connections[] | select(.name == "bench") | .id' | head -n1)
if [ -z "$CONNECTION_ID" ]; then
  log "Creating the Smartflo connection"
  CONNECTION_ID=$(api POST /telephony/connections "$(jq -nc --arg base "$SIM_URL" '{provider:"tata_smartflo", name:"bench",
    tata_email:"ops@example.com", tata_password:"panel-password", from_number:"+918069000001", base_url:$base,
    api_key:"3f2b8c1e-0000-4000-8000-000000000001"}')" | jq -r '.data.connection.id')
fi
RESOLVER_URL=$(api GET "/telephony/connections/$CONNECTION_ID" | jq -r '.data.connection.smartflo.resolver_url')

AGENT_ID=$(api GET "/agent?limit=100" 2>/dev/null | jq -r '[.. | objects | select(.agent_name? == "bench-echo") | .id][0] // empty' || true)
if [ -z "$AGENT_ID" ]; then
  log "Creating the echo agent"
  VOICE=$(api GET /agent/voices | jq -r '[.data.voices[] | select(.language | startswith("en"))][0].id')
  AGENT_ID=$(api POST /agent "$(jq -nc --arg v "$VOICE" '{agent_name:"bench-echo", prompt:"Benchmark echo agent.", voice_id:$v, language:"en", max_call_duration_secs:600}')" | jq -r '.data.id')
fi

log "Syncing numbers and assigning $DID to the agent"
NUMBER_ID=$(api POST /phone-numbers/sync "$(jq -nc --arg c "$CONNECTION_ID" '{connection_id:$c}')" \
  | jq -r --arg did "$DID" '.data.phone_numbers[] | select(.phone_number | ltrimstr("+") | endswith($did[-10:])) | .id' | head -n1)
[ -n "$NUMBER_ID" ] || die "DID $DID not found after sync"
api PUT "/phone-numbers/$NUMBER_ID" "$(jq -nc --arg a "$AGENT_ID" '{agent_id:$a}')" >/dev/null

cat >"$BENCH_DIR/env" <<EOF
AWAAZ_URL=$AWAAZ_URL
SIM_URL=$SIM_URL
RESOLVER_URL='$RESOLVER_URL'
SERVER_PID=$(cat "$BENCH_DIR/server.pid")
SIM_PID=$(cat "$BENCH_DIR/sim.pid")
DID=${DID: -10}
API_KEY=$API_KEY
CONNECTION_ID=$CONNECTION_ID
AGENT_ID=$AGENT_ID
DB=$BENCH_DB
SIM_BIN=$SIM_BIN
AWAAZ_BIN=$AWAAZ_BIN
BUILD_COMMIT=$(cat "$BENCH_DIR/bin/commit" 2>/dev/null || echo unknown)
CONNECTION_STRING='$CONNECTION_STRING'
EOF
log "Ready: server pid $(cat "$BENCH_DIR/server.pid"), simulator pid $(cat "$BENCH_DIR/sim.pid"), env in $BENCH_DIR/env"
echo "$RESOLVER_URL"
