#!/usr/bin/env bash
# Is the server's /health the framework's ceiling? load.sh's target (a) is the customer endpoint's throughput as a
# share of /health's on the same server; that /health passes through the server's own request handling (graceful
# stop counting, caching headers, the request logger's metrics and unread-body check) and Jackson, so it may sit
# below what Javalin itself serves. This runs, in the same run and on the same cores:
#   bare      GET /health of io.affinity.bench.BareJavalin: Javalin's defaults, a constant body, nothing else;
#   health    GET /health of `affinity serve`;
#   customers GET /v1/customers/{id}/recommendations?limit=10 of the same server, over up to 2,000 sample ids.
# Each path is warmed (WARM 5 s runs, default 6), then ROUNDS rounds (default 3) of saturated wrk runs in the order
# bare, health, customers, health, bare (wrk -t2 -c64 -dDURATION s, benchmarks/load/rotate.lua, as load.sh); the
# ratios use the mean of the two bare and two health runs around each customer run, and the medians of the
# rounds are printed. Both servers run at once (the idle one costs nothing measurable) with the JDK the launcher
# picks; load average before and after.
#
#   flock /tmp/affinity-bench.lock env AFFINITY_NO_BUILD=1 PORT=18811 BARE_PORT=18812 benchmarks/ceiling.sh [STORE]
#
# Without a model store it trains one on the bundled sample. Environment: PORT (default 18081), BARE_PORT (default
# PORT + 1), DURATION (s, default 10), CONNECTIONS (64), ROUNDS, WARM, AFFINITY_NO_BUILD=1 (use the jars as built).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/benchmarks"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-64}"
ROUNDS="${ROUNDS:-3}"
WARM="${WARM:-6}"
PORT="${PORT:-18081}"
BARE_PORT="${BARE_PORT:-$((PORT + 1))}"
BASE="http://127.0.0.1:$PORT"
BARE="http://127.0.0.1:$BARE_PORT"
WORK="$(mktemp -d /tmp/affinity-ceiling.XXXXXX)"
SERVER_PID=""
BARE_PID=""
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"

# shellcheck source=load/common.sh
source "$HERE/load/common.sh"
trap 'stop_server; [[ -n "$BARE_PID" ]] && kill "$BARE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
ensure_wrk ceiling.sh
if [[ "${AFFINITY_NO_BUILD:-0}" != 1 ]]; then
  (cd "$ROOT" && mvn -B -q -o -DskipTests -pl cli,benchmarks -am package) >&2
fi
export AFFINITY_NO_BUILD=1

model_store ceiling.sh "$ROOT" "$WORK" "${1:-}"
customer_paths "$ROOT" "$WORK/customers.txt"
echo "/health" > "$WORK/health.txt"

refuse_busy_port ceiling.sh "$BARE" "$BARE_PORT"
JAVA="$(launcher_java "$ROOT")"
"$JAVA" -cp "$ROOT/cli/target/affinity.jar:$BENCH_JAR" io.affinity.bench.BareJavalin "$BARE_PORT" > "$WORK/bare.log" 2>&1 &
BARE_PID=$!
start_server ceiling.sh
for _ in $(seq 1 60); do curl -sf "$BARE/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -sf "$BARE/health" >/dev/null || { cat "$WORK/bare.log" >&2; exit 1; }

# One saturated run: prints requests per second.
rps() { # base paths-file seconds
  WRK_PATHS="$2" WRK_DELAY_MS=0 wrk -t2 -c"$CONNECTIONS" -d"$3"s --latency -s "$HERE/load/rotate.lua" "$1" \
    | sed -n 's/^RESULT rps=\([0-9]*\).*/\1/p'
}

echo "== $(date -u +%FT%TZ), load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; java $("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.version =/ {print $2}')"
echo "== server: $(head -1 "$WORK/server.log")"
for name in bare health customers; do
  case $name in bare) b="$BARE" p="$WORK/health.txt" ;; health) b="$BASE" p="$WORK/health.txt" ;; *) b="$BASE" p="$WORK/customers.txt" ;; esac
  rates=""; for _ in $(seq 1 "$WARM"); do rates="$rates $(rps "$b" "$p" 5)"; done
  echo "warm-up $name (5 s runs, discarded):$rates req/s"
done
HB=""; CB=""; CH=""
for r in $(seq 1 "$ROUNDS"); do
  b1="$(rps "$BARE" "$WORK/health.txt" "$DURATION")"; h1="$(rps "$BASE" "$WORK/health.txt" "$DURATION")"
  c="$(rps "$BASE" "$WORK/customers.txt" "$DURATION")"
  h2="$(rps "$BASE" "$WORK/health.txt" "$DURATION")"; b2="$(rps "$BARE" "$WORK/health.txt" "$DURATION")"
  read -r hb cb ch < <(awk -v b1="$b1" -v b2="$b2" -v h1="$h1" -v h2="$h2" -v c="$c" 'BEGIN {
    b = (b1 + b2) / 2; h = (h1 + h2) / 2; printf "%.3f %.3f %.3f\n", h / b, c / b, c / h }')
  echo "round $r: bare $b1 / $b2, health $h1 / $h2, customers $c req/s; health/bare $hb, customers/bare $cb, customers/health $ch"
  HB="$HB $hb"; CB="$CB $cb"; CH="$CH $ch"
done
echo "medians of $ROUNDS round(s): health/bare $(median <<<"$HB"), customers/bare $(median <<<"$CB"), customers/health $(median <<<"$CH")"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
