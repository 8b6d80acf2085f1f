#!/usr/bin/env bash
# One line of run conditions to store next to every figure: time, commits, cores, load average, memory,
# and the busiest other processes (the machine is shared, so the load average is part of the result).
BENCH_DIR=${BENCH_DIR:-/tmp/awaaz-bench}
head=$(git -C "$(dirname "$0")/../.." rev-parse --short HEAD 2>/dev/null || echo unknown)
build=$(cat "$BENCH_DIR/bin/commit" 2>/dev/null || echo unknown)
read -r l1 l5 l15 _ </proc/loadavg
mem=$(awk '/MemAvailable/{printf "%.1f GB free", $2/1048576}' /proc/meminfo)
echo "$(date -u +%FT%TZ) head=$head build=$build nproc=$(nproc) load=$l1/$l5/$l15 mem=$mem"
# CPU over the last second (top's second sample), not ps's lifetime average.
echo "  busiest (1 s): $(top -b -n 2 -d 1 -w 200 | awk '/^top -/{n++} n==2 && $1 ~ /^[0-9]+$/ && $9 > 1 {printf "%s(%s) %s%%; ", $12, $1, $9}' | head -c 300)"
