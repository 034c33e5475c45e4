#!/usr/bin/env bash
# Start-up benchmark: how soon a freshly started server serves the personalised endpoint at full speed, with
# and without `affinity serve --warm-up` (its own requests before /ready).
#
#   benchmarks/startup.sh [MODEL_STORE_DIR]
#
# For each warm-up in WARM_UPS (seconds, default "0 20"), ROUNDS times (default 2), alternating: start
# `./affinity serve` on 127.0.0.1, wait until /ready answers 200 (a load balancer's signal to send traffic) and
# print that time from launch, then drive GET /v1/customers/{id}/recommendations?limit=10 at saturation
# (wrk -t2 -c64, rotating over the sample's customer ids, benchmarks/load/rotate.lua) in STEPS (default 6)
# consecutive runs of STEP seconds (default 5), printing each run's requests per second and p99: the first runs
# are what the first page views after a deploy meet. Without a model store it trains one on the bundled sample.
# wrk shares the machine's cores with the server, as in benchmarks/load.sh. Environment: PORT (default 18091),
# WARM_UPS, ROUNDS, STEPS, STEP, AFFINITY_JAVA_OPTS.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/benchmarks"
PORT="${PORT:-18091}"
BASE="http://127.0.0.1:$PORT"
WARM_UPS="${WARM_UPS:-0 20}"
ROUNDS="${ROUNDS:-2}"
STEPS="${STEPS:-6}"
STEP="${STEP:-5}"
WORK="$(mktemp -d /tmp/affinity-startup.XXXXXX)"
SERVER_PID=""

# shellcheck source=load/common.sh
source "$HERE/load/common.sh"
clean_up_on_exit
ensure_wrk startup.sh

model_store startup.sh "$ROOT" "$WORK" "${1:-}"
customer_paths "$ROOT" "$WORK/customers.txt"

refuse_busy_port startup.sh "$BASE" "$PORT"
echo "== load average before: $(uptime | sed 's/.*load average: //')"
echo "== machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(uname -r)"
echo "== saturated customer runs of ${STEP} s right after /ready (wrk -t2 -c64); req/s (p99 ms) per run"
for r in $(seq 1 "$ROUNDS"); do
  for w in $WARM_UPS; do
    start="$(date +%s.%N)"
    "$ROOT/affinity" serve --models "$MODELS" --host 127.0.0.1 --port "$PORT" --watch-interval 0 --warm-up "$w" \
      > "$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    until curl -sf "$BASE/ready" >/dev/null 2>&1; do
      kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
      sleep 0.1
    done
    ready="$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
    line=""
    for _ in $(seq 1 "$STEPS"); do
      out="$(WRK_PATHS="$WORK/customers.txt" wrk -t2 -c64 -d"${STEP}"s -s "$HERE/load/rotate.lua" "$BASE" | grep '^RESULT')"
      rps="$(sed -n 's/.* rps=\([0-9]*\).*/\1/p' <<<"$out")"
      p99="$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<<"$out")"
      line="$line $rps ($p99)"
    done
    echo "round $r, warm-up ${w} s: ready after ${ready} s;$line"
    stop_server
  done
done
echo "== load average after: $(uptime | sed 's/.*load average: //')"
