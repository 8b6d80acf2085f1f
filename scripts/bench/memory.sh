#!/usr/bin/env bash
# Memory per live call: restarts the bench server (optionally with extra environment, e.g. a GC mode), warms it up
# with 50 echo calls, then runs N calls and reports (RSS over the plateau − idle RSS) / N, median and max.
#   N=1000 scripts/bench/memory.sh
#   N=1000 BENCH_SERVER_ENV="DOTNET_gcServer=0 DOTNET_gcConcurrent=0" scripts/bench/memory.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-/tmp/awaaz-bench}
N=${N:-1000}; RATE=${RATE:-20}; PLATEAU=${PLATEAU:-60}
source "$BENCH_DIR/env"
kill "$SERVER_PID" 2>/dev/null || true
for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
BENCH_NO_BUILD=1 scripts/bench/setup.sh >/dev/null 2>&1
source "$BENCH_DIR/env"
echo "server pid $SERVER_PID, extra env: ${BENCH_SERVER_ENV:-none}"
before=$(ls -d "$BENCH_DIR"/results/*-echo 2>/dev/null | wc -l)
STEPS="50 $N" RATE=$RATE PLATEAU=$PLATEAU scripts/bench/echo.sh | tail -n 3
dir=$(ls -td "$BENCH_DIR"/results/*-echo | head -n 1)
idle=$(sed -n 's/^server idle RSS \([0-9.]*\) MB/\1/p' "$dir/echo-$N.txt")
ramp=$(( N / RATE )); [ "$ramp" -lt 5 ] && ramp=5
# Plateau: all N calls live, from ramp + 5 s to ramp + PLATEAU − 5 s.
python3 - "$dir/echo-$N.csv" "$idle" "$N" "$(( ramp + 5 ))" "$(( ramp + PLATEAU - 5 ))" "${BENCH_SERVER_ENV:-default (server GC)}" <<'PY' | tee -a "$dir/summary.txt"
import csv, statistics, sys
path, idle, n, a, b, env = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
rss = [float(r[3]) for r in list(csv.reader(open(path)))[1:] if a <= float(r[0]) <= b]
med, top = statistics.median(rss), max(rss)
print(f"memory: {env}, {n} calls: idle {idle:.1f} MB, plateau RSS median {med:.1f} max {top:.1f} MB ({len(rss)} samples)"
      f" -> per call median {(med - idle) * 1024 / n:.0f} KB, max {(top - idle) * 1024 / n:.0f} KB")
PY
