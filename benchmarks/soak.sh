#!/usr/bin/env bash
# Soak run of the real server: the personalised endpoint at a constant rate for many minutes, to show what a short
# benchmark cannot: that nothing fails and nothing grows with the number of requests served.
#
#   flock /tmp/affinity-bench.lock benchmarks/soak.sh [MODEL_STORE_DIR]
#
# Without a model store it trains one on the bundled sample (data/sample). It starts `./affinity serve` on
# 127.0.0.1, then runs MINUTES (default 15) runs of RUN_SECONDS (default 55) each at a constant RATE (default
# 15,000 req/s) over GET /v1/customers/{id}/recommendations, rotating over the sample's customers
# (benchmarks/load/paced.lua, 2 wrk threads over CONNECTIONS connections, default 256: latency corrected for
# coordinated omission, upper bounds as in load.sh). After each run it forces a full GC (`jcmd GC.run`) and prints
# one line: requests, non-2xx answers, socket errors, completed rate, corrected p99 and p99.9, late requests, heap
# used after the full GC, JVM threads and resident memory. What to look for: no error in any minute, and heap after
# GC, threads and RSS flat once warm (the first minutes include JIT compilation and the heap sizing itself).
# After each customer run, a control run of CONTROL_SECONDS (default 20; 0 skips it) sends GET /health at the same
# rate over the same connections: the framework's own tail on the same machine a few seconds later. A minute whose
# customer p99 is high while /health's is low points at the endpoint; both high points at the machine (CPU
# queueing, other tenants, the load generator sharing the cores), which no change to the endpoint can remove.
# It exits 1 if any request failed (non-2xx or socket error, customer or control), so it can gate a release.
# Environment: MINUTES, RUN_SECONDS, CONTROL_SECONDS, RATE, CONNECTIONS, PORT (default 18083), SERVE_ARGS (extra
# `affinity serve` options, e.g. "--virtual-threads true"), AFFINITY_JAVA_OPTS (passed to the JVM).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/benchmarks"
MINUTES="${MINUTES:-15}"
RUN_SECONDS="${RUN_SECONDS:-55}"
CONTROL_SECONDS="${CONTROL_SECONDS:-20}"
RATE="${RATE:-15000}"
CONNECTIONS="${CONNECTIONS:-256}"
PORT="${PORT:-18083}"
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d /tmp/affinity-soak.XXXXXX)"
SERVER_PID=""

# shellcheck source=load/common.sh
source "$HERE/load/common.sh"
clean_up_on_exit
ensure_wrk soak.sh
model_store soak.sh "$ROOT" "$WORK" "${1:-}"
customer_paths "$ROOT" "$WORK/customers.txt"
echo "/health" > "$WORK/health.txt"

start_server soak.sh
# The launcher execs the JVM, so the server's pid is the JVM's; jcmd comes from the JDK that runs it.
JCMD="$(dirname "$(readlink -f "/proc/$SERVER_PID/exe")")/jcmd"
[[ -x "$JCMD" ]] || { echo "soak.sh: no jcmd beside $(readlink -f "/proc/$SERVER_PID/exe")" >&2; exit 1; }

status() { sed -n "s/^$1:[[:space:]]*\([0-9]*\).*/\1/p" "/proc/$SERVER_PID/status"; }

echo "== soak: $MINUTES x (${RUN_SECONDS} s customers + ${CONTROL_SECONDS} s /health) at $RATE req/s, wrk -t2 -c$CONNECTIONS (benchmarks/load/paced.lua)," \
  "customer paths: $(wc -l < "$WORK/customers.txt"); $(date -u +%FT%TZ)"
echo "== machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(uname -r); load average $(uptime | sed 's/.*load average: //')"
echo "== server: $(grep -m1 -o 'Java [0-9.]*' <<<"$("$ROOT/affinity" --version 2>&1)" || true) ${SERVE_ARGS:-}"
# One constant-rate run of the given paths for the given seconds; prints wrk's RESULT line.
paced_run() { # paths-file seconds
  local out
  out="$(WRK_PATHS="$1" WRK_RATE="$RATE" WRK_THREADS=2 WRK_SCHEDULE=thread \
    wrk -t2 -c"$CONNECTIONS" -d"$2"s --latency -s "$HERE/load/paced.lua" "$BASE" | grep '^RESULT' || true)"
  [[ -n "$out" ]] || { echo "soak.sh: wrk printed no result in minute $minute" >&2; exit 1; }
  echo "$out"
}

total=0; failed=0; control_total=0
for minute in $(seq 1 "$MINUTES"); do
  out="$(paced_run "$WORK/customers.txt" "$RUN_SECONDS")"
  "$JCMD" "$SERVER_PID" GC.run >/dev/null
  heap_kb="$("$JCMD" "$SERVER_PID" GC.heap_info | sed -n 's/.*heap .*, used \([0-9]*\)K.*/\1/p' | head -1)"
  requests="$(field "$out" requests)"; non2xx="$(field "$out" non2xx)"; errors="$(field "$out" socket_errors)"
  total=$((total + requests)); failed=$((failed + non2xx + errors))
  control=""
  if (( CONTROL_SECONDS > 0 )); then
    hout="$(paced_run "$WORK/health.txt" "$CONTROL_SECONDS")"
    control_total=$((control_total + $(field "$hout" requests)))
    failed=$((failed + $(field "$hout" non2xx) + $(field "$hout" socket_errors)))
    control=" health_p99_ms=$(field "$hout" p99_ms) health_p999_ms=$(field "$hout" p999_ms) health_late=$(field "$hout" late)"
  fi
  printf 'minute %d: requests=%s non2xx=%s socket_errors=%s rps=%s p99_ms=%s p999_ms=%s late=%s heap_after_gc_mb=%.1f threads=%s rss_mb=%.0f%s\n' \
    "$minute" "$requests" "$non2xx" "$errors" "$(field "$out" rps)" "$(field "$out" p99_ms)" \
    "$(field "$out" p999_ms)" "$(field "$out" late)" "$(awk -v k="$heap_kb" 'BEGIN { print k / 1024 }')" \
    "$(status Threads)" "$(awk -v k="$(status VmRSS)" 'BEGIN { print k / 1024 }')" "$control"
done
echo "== total: $total customer requests, $control_total /health control requests, $failed failed; load average $(uptime | sed 's/.*load average: //')"
(( failed == 0 ))
