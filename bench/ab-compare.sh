#!/usr/bin/env bash
# A/B of two Ballast builds (and bare NestJS) on one route, interleaved rounds: the steadiest before/after figure
# on a shared machine (docs/performance.md). Servers on core 0, wrk on core 1; CPU µs per request from /proc.
#   bench/ab-compare.sh <old entry .js> <new entry .js> [path]     e.g. an old checkout's
#   dist-bench/bench/targets/ballast-bench.js against this one's; path /bench/json (default) or /api/v1/users/<id>
# Env: BENCH_DATABASE_URL (a database the builds may migrate), ROUNDS (6), SECS (4). Needs wrk and taskset.
set -euo pipefail
OLD=$1 NEW=$2 ROUTE=${3:-/bench/json}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NODE=$ROOT/node_modules/.bin/node
DB=${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL}
declare -A PID PORT
start() {
  env -i PATH="$PATH" HOST=127.0.0.1 PORT="$3" NODE_ENV=production DATABASE_URL="$DB" RATE_LIMIT_PER_SECOND=1000000 \
    RATE_LIMIT_BURST=1000000 LOG_LEVEL=info DB_POOL_MAX=5 DB_POOL_MIN=5 DB_PERMITS=100 NODE_OPTIONS=--max-old-space-size=384 \
    taskset -c 0 "$NODE" "$2" >/dev/null 2>&1 &
  PID[$1]=$!
  PORT[$1]=$3
}
start old "$OLD" 45100
start new "$NEW" 45101
start bare "$ROOT/dist-bench/bench/targets/bare-nest.js" 45102
trap 'kill ${PID[old]} ${PID[new]} ${PID[bare]} 2>/dev/null || true' EXIT
for n in old new bare; do
  for _ in $(seq 120); do curl -sf -o /dev/null "http://127.0.0.1:${PORT[$n]}/health/live" && break; sleep 0.5; done
done
for n in old new bare; do taskset -c 1 wrk -t1 -c50 -d4s "http://127.0.0.1:${PORT[$n]}$ROUTE" >/dev/null; done
for r in $(seq "${ROUNDS:-6}"); do
  for n in old new bare; do
    pid=${PID[$n]}
    c0=$(awk '{print $14+$15}' "/proc/$pid/stat")
    out=$(taskset -c 1 wrk -t1 -c50 -d"${SECS:-4}"s "http://127.0.0.1:${PORT[$n]}$ROUTE")
    c1=$(awk '{print $14+$15}' "/proc/$pid/stat")
    req=$(echo "$out" | awk '/requests in/{print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
    echo "round $r $n $rps req/s $(awk -v c=$((c1 - c0)) -v q="$req" -v t="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f", c / t * 1e6 / q}') µs CPU/req"
  done
done
for n in old new bare; do echo "$n peak RSS $(awk '/VmHWM/{print $2 / 1024}' "/proc/${PID[$n]}/status") MiB"; done
