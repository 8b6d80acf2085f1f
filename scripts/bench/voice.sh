#!/usr/bin/env bash
# Voice-runtime load: N concurrent full-pipeline calls (VAD → turn-taking → STT → LLM → TTS → pacing) against the real
# server hosted by bench/Awaaz.VoiceBench with fixed-latency providers (STT final 150 ms, LLM first token 300 ms,
# TTS first byte 150 ms). Callers (awaaz-sim load --conversation) say espeak-ng sentences, wait for the reply and
# interrupt every BARGE_IN_EVERY-th reply. Per step: the load result (caller side: playout lateness, underruns,
# barge-in onset → clear, speech end → reply), the server's Awaaz.Voice histograms (orchestration per turn, VAD onset
# → clear sent) and a 1 s CPU/RSS sample. Everything is bounded; load goes to 127.0.0.1 only.
#   STEPS="10 100 300" RATE=10 PLATEAU=60 scripts/bench/voice.sh
#   TURN='{"interruption_min_speech_ms":100}' STEPS=100 scripts/bench/voice.sh   # another agent with these turn settings (default: the defaults)
#   FRAME_MS=20 …                                                              # caller media cadence (Smartflo: 100 ms)
# Results: bench/results/<UTC date>/voice-<time>/ (and a summary line per step). `BENCH_DIR=… scripts/bench/teardown.sh` stops the processes.
set -euo pipefail
cd "$(dirname "$0")/../.."
export BENCH_DIR=${BENCH_DIR:-/tmp/awaaz-voice-bench}
export AWAAZ_PORT=${AWAAZ_PORT:-18180} SIM_PORT=${SIM_PORT:-18190}
export BENCH_SERVER_PROJECT=bench/Awaaz.VoiceBench/Awaaz.VoiceBench.csproj BENCH_SERVER_EXE=awaaz-voice-bench
export BENCH_LOG_LEVEL=${BENCH_LOG_LEVEL:-Warning}
STEPS=${STEPS:-"10 100 300"}; RATE=${RATE:-10}; PLATEAU=${PLATEAU:-60}
BARGE_IN_EVERY=${BARGE_IN_EVERY:-3}; BARGE_IN_AFTER=${BARGE_IN_AFTER:-800ms}
FIRST_FROM=${FIRST_FROM:-9700000000}
TURN=${TURN:-}; FRAME_MS=${FRAME_MS:-100}
AGENT_NAME="bench-voice${TURN:+-$(echo "$TURN" | md5sum | cut -c1-8)}"
scripts/bench/setup.sh >/dev/null
source "$BENCH_DIR/env"
OUT="bench/results/$(date -u +%F)/voice-$(date -u +%H%M%SZ)"
mkdir -p "$OUT"
[ -d "$BENCH_DIR/caller" ] || "$AWAAZ_BIN" render-caller "$BENCH_DIR/caller" >/dev/null

api() { curl -fsS -X "$1" "$AWAAZ_URL/api/v2$2" -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' ${3:+--data "$3"}; }
VOICE_AGENT=$(api GET "/agent?limit=100" | jq -r --arg name "$AGENT_NAME" '[.. | objects | select(.agent_name? == $name) | .id][0] // empty')
if [ -z "$VOICE_AGENT" ]; then
  VOICE_AGENT=$(api POST /agent "$(jq -nc --arg name "$AGENT_NAME" --argjson turn "${TURN:-null}" '{agent_name:$name, prompt:"You are a helpful delivery assistant.",
    intro_message:"Hello, thank you for calling. How can I help you today?", language:"en", max_call_duration_secs:1800,
    pipeline:({stt:{provider:"fake"}, llm:{provider:"fake"}, tts:{provider:"fake", voice:"en-us"}} + (if $turn then {turn:$turn} else {} end))}')" | jq -r '.data.id')
fi
NUMBER_ID=$(api POST /phone-numbers/sync "$(jq -nc --arg c "$CONNECTION_ID" '{connection_id:$c}')" \
  | jq -r --arg did "$DID" '.data.phone_numbers[] | select(.phone_number | endswith($did)) | .id' | head -n1)
api PUT "/phone-numbers/$NUMBER_ID" "$(jq -nc --arg a "$VOICE_AGENT" '{agent_id:$a}')" >/dev/null
echo "voice agent $AGENT_NAME ($VOICE_AGENT${TURN:+, turn $TURN}) on $DID; results in $OUT"

for n in $STEPS; do
  scripts/bench/active-calls.sh --wait 300 >/dev/null
  ramp=$(( n / RATE )); [ "$ramp" -lt 5 ] && ramp=5
  duration=$(( ramp + PLATEAU ))
  curl -fsS "$AWAAZ_URL/_bench/voice-metrics?reset=true" >/dev/null
  {
    echo "== $n calls: ramp ${ramp}s, each ${duration}s (all live for ${PLATEAU}s), conversation from $BENCH_DIR/caller, barge-in every $BARGE_IN_EVERY after $BARGE_IN_AFTER, caller frames ${FRAME_MS} ms, agent $AGENT_NAME${TURN:+ (turn $TURN)}"
    scripts/bench/conditions.sh
  } | tee "$OUT/voice-$n.txt"
  "$SIM_BIN" load --calls "$n" --ramp "${ramp}s" --duration "${duration}s" --conversation "$BENCH_DIR/caller" \
    --barge-in-every "$BARGE_IN_EVERY" --barge-in-after "$BARGE_IN_AFTER" --frame-ms "$FRAME_MS" --to "$DID" --first-from "$FIRST_FROM" \
    --resolver-url "$RESOLVER_URL" --server-pid "$SERVER_PID" --json "$OUT/voice-$n.json" >>"$OUT/voice-$n.txt" 2>&1 &
  load_pid=$!
  scripts/bench/sample.sh "$OUT/voice-$n.csv" $(( duration + 30 )) "$SERVER_PID" "$load_pid" &
  sampler=$!
  wait "$load_pid" || true
  kill "$sampler" 2>/dev/null || true
  curl -fsS "$AWAAZ_URL/_bench/voice-metrics" | jq . >"$OUT/voice-metrics-$n.json"
  scripts/bench/conditions.sh | tee -a "$OUT/voice-$n.txt"
  FIRST_FROM=$(( FIRST_FROM + n ))
  jq -r --arg n "$n" --slurpfile m "$OUT/voice-metrics-$n.json" '"\($n) calls: streamed \(.streamed)/\(.calls) (failed \(.failed)); lateness p50 \(.lateness_ms.p50) p99 \(.lateness_ms.p99) max \(.lateness_ms.max) ms; underruns \(.underruns) in \(.utterances) utterances; barge-ins \(.barge_ins_cleared)/\(.barge_ins) cleared, onset→clear p50 \(.barge_in_ms.p50) p95 \(.barge_in_ms.p95) ms; reply p50 \(.reply_ms.p50) p99 \(.reply_ms.p99) ms; orchestration p50 \($m[0]["awaaz.voice.turn.orchestration"].p50) p99 \($m[0]["awaaz.voice.turn.orchestration"].p99) max \($m[0]["awaaz.voice.turn.orchestration"].max) ms (\($m[0]["awaaz.voice.turn.orchestration"].count) turns); server VAD onset→clear sent p50 \($m[0]["awaaz.voice.barge_in.latency"].p50) p95 \($m[0]["awaaz.voice.barge_in.latency"].p95) ms; violations \(.violations | add // 0); server CPU p50 \(.server.cpu_percent.p50|floor)% max \(.server.cpu_percent.max|floor)%, RSS max \(.server.max_rss_mb|floor) MB"' "$OUT/voice-$n.json" | tee -a "$OUT/summary.txt"
done
echo "results in $OUT"
