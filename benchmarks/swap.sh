#!/usr/bin/env bash
# Latency around model swaps: what the storefront's page views meet while a new version is activated under load.
#
#   benchmarks/swap.sh [MODEL_STORE_DIR]
#
# The store must hold at least two versions; without one it trains two on the bundled sample (data/sample, about
# 30 s each). It starts `./affinity serve` on 127.0.0.1 with an admin token (its own start-up warm-up, 20 s, before
# /ready), warms the customer path at the measured rate for WARM seconds (default 20, discarded), then, in the same
# server process, runs GET /v1/customers/{id}/recommendations?limit=10 (rotating over 2,000 real customer ids of
# the sample) at a constant RATE (default 8,000 req/s) with benchmarks/load/paced.lua's per-connection schedule
# (CONNECTIONS wrk threads of one connection each, default 16: every latency is kept and corrected for coordinated
# omission exactly, with its start time), and posts an admin call every INTERVAL seconds (default 10), SWAPS times
# (default 5), for each MODE in MODES (default "swap same", each a run of its own, (SWAPS + 1) * INTERVAL s):
#   swap  POST /admin/models/{other}/activate, alternating between the two newest versions: each swap installs a
#         freshly opened version (its caches empty), the old one closing after its last request;
#   same  POST /admin/models/{served}/activate: the control. It is not a no-op: the server opens and verifies the
#         version (reads and checksums its files) as for a swap, then finds it served and installs nothing. So
#         "same" carries the activation's own cost, "swap" that plus whatever a newly installed version costs.
# Then benchmarks/load/swap_windows.py cuts each run into WINDOW_MS windows (default 1000) aligned on each call's
# posting and answer: BEFORE (default 1) windows before the call, the call itself (open and verify), AFTER (default
# 4) windows after its answer (a swap is installed just before it); each window's count, p50, p99 and max in ms;
# and the run's other windows ("steady", the control within the same run): the median and the largest of their
# p99s. The load average is printed before and after: on a shared machine take the lock, as load.sh's users do:
#   flock /tmp/affinity-bench.lock env AFFINITY_NO_BUILD=1 PORT=18850 benchmarks/swap.sh STORE
# Environment: PORT (default 18095), RATE, CONNECTIONS, INTERVAL, SWAPS, MODES, WARM, WINDOW_MS, BEFORE, AFTER,
# AFFINITY_JAVA_OPTS (passed to the JVM), SERVE_ARGS (extra `affinity serve` options), KEEP (a directory to keep each
# run's latency log and calls in, for swap_windows.py with other windows).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/benchmarks"
PORT="${PORT:-18095}"
BASE="http://127.0.0.1:$PORT"
RATE="${RATE:-8000}"
CONNECTIONS="${CONNECTIONS:-16}"
INTERVAL="${INTERVAL:-10}"
SWAPS="${SWAPS:-5}"
MODES="${MODES:-swap same}"
WARM="${WARM:-20}"
WINDOW_MS="${WINDOW_MS:-1000}"
WORK="$(mktemp -d /tmp/affinity-swap.XXXXXX)"
SERVER_PID=""

# shellcheck source=load/common.sh
source "$HERE/load/common.sh"
clean_up_on_exit
ensure_wrk swap.sh

two_version_store swap.sh "$ROOT" "$WORK" "${1:-}"
customer_paths "$ROOT" "$WORK/customers.txt"

admin_token
start_server swap.sh

# The versions: the two newest (the store lists them oldest first), and the one served now.
versions() { curl -sf -H "$AUTH" "$BASE/admin/models" | python3 -c '
import json, sys
b = json.load(sys.stdin)
print(" ".join(v["version"] for v in b["versions"]))
print(next(v["version"] for v in b["versions"] if v["serving"]))'; }
read -r -a ALL <<<"$(versions | sed -n 1p)"
(( ${#ALL[@]} >= 2 )) || { echo "swap.sh: the store holds ${#ALL[@]} version(s); two are needed" >&2; exit 1; }
A="${ALL[-2]}"; B="${ALL[-1]}"
# The calls' times, without starting a process (the cores are the server's): microseconds since the epoch, the
# clock of paced.lua's WRK_LOG. Anything the script does near a call is counted in its windows, so it only sleeps.
now_us() { local t="$EPOCHREALTIME"; echo "${t/./}"; }
served() { versions | sed -n 2p; }

echo "== load average before: $(uptime | sed 's/.*load average: //')"
echo "== machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(uname -r); $(date -u '+%F %H:%M UTC')"
echo "== server: $(head -1 "$WORK/server.log")"
SERVED="$(served)"
echo "== versions swapped: $A and $B; served at start: $SERVED"
echo "== rate $RATE req/s over $CONNECTIONS connections (paced.lua, per-connection schedule); a call every" \
  "$INTERVAL s, $SWAPS times per run; windows of $WINDOW_MS ms"
paced() { # name seconds [log]
  WRK_PATHS="$WORK/customers.txt" WRK_RATE="$RATE" WRK_CONNECTIONS="$CONNECTIONS" WRK_SCHEDULE=connection \
    WRK_LOG="${3:-}" wrk -t"$CONNECTIONS" -c"$CONNECTIONS" -d"$2"s -s "$HERE/load/paced.lua" "$BASE" \
    | grep '^RESULT' | sed "s/^RESULT/$1/"
}
echo "warm-up (discarded): $(paced warm "$WARM")"
for mode in $MODES; do
  : > "$WORK/events-$mode"
  paced "$mode-whole-run" "$(( (SWAPS + 1) * INTERVAL ))" "$WORK/latency-$mode" > "$WORK/result-$mode" &
  WRK_PID=$!
  for _ in $(seq 1 "$SWAPS"); do
    if [[ "$mode" == swap ]]; then target="$([[ "$SERVED" == "$A" ]] && echo "$B" || echo "$A")"; else target="$SERVED"; fi
    sleep "$INTERVAL"
    posted="$(now_us)"
    status="$(curl -s -o "$WORK/answer" -w '%{http_code}' -X POST -H "$AUTH" "$BASE/admin/models/$target/activate")"
    answered="$(now_us)"
    echo "$posted $answered $status" >> "$WORK/events-$mode"
    if [[ "$status" == 200 ]]; then SERVED="$target"; else
      echo "swap.sh: activate $target answered $status: $(cat "$WORK/answer")" >&2
    fi
  done
  wait "$WRK_PID"
  cat "$WORK/result-$mode"
  python3 "$HERE/load/swap_windows.py" "$WORK/latency-$mode" "$WORK/events-$mode" "$WINDOW_MS" "${BEFORE:-1}" \
    "${AFTER:-4}" "$mode"
  [[ -z "${KEEP:-}" ]] || { mkdir -p "$KEEP"; cp "$WORK/latency-$mode" "$WORK/events-$mode" "$KEEP/"; }
done
echo "== load average after: $(uptime | sed 's/.*load average: //')"
echo "== server log lines about models:"
grep -E "installed|warm" "$WORK/server.log" | sed 's/^/   /' | tail -n 12 || true
