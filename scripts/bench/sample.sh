#!/usr/bin/env bash
# Samples processes every second until SECONDS elapse or the first process exits:
#   time_s, load1, then per pid: cpu_percent (100 = one core), rss_mb, threads
# usage: sample.sh OUT.csv SECONDS PID [PID...]
set -euo pipefail
out=$1; seconds=$2; shift 2
tck=$(getconf CLK_TCK)
declare -A last
ticks() { awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }
header="time_s,load1"
for p in "$@"; do header+=",cpu_$p,rss_mb_$p,threads_$p"; last[$p]=$(ticks "$p"); done
echo "$header" >"$out"
start=$(date +%s.%N); prev=$start
for _ in $(seq 1 "$seconds"); do
  sleep 1
  now=$(date +%s.%N); line="$(echo "$now - $start" | bc)"
  line+=",$(cut -d' ' -f1 /proc/loadavg)"
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || exit 0
    t=$(ticks "$p")
    cpu=$(echo "scale=1; ($t - ${last[$p]}) * 100 / $tck / ($now - $prev)" | bc)
    last[$p]=$t
    rss=$(awk '/VmRSS/{printf "%.1f", $2/1024}' "/proc/$p/status")
    thr=$(awk '/Threads/{print $2}' "/proc/$p/status")
    line+=",$cpu,$rss,$thr"
  done
  prev=$now
  echo "$line" >>"$out"
done
