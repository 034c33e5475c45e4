#!/usr/bin/env bash
# Before/after for the HTTP service: two checkouts (say main and a branch, each with its jar built) each serve a
# copy of the same model store at once; after a warm-up of both, saturated wrk runs alternate between them
# (A first in odd rounds, B first in even ones), ROUNDS times, and the script prints each round's requests per
# second and B/A, then the means. Both servers run on the same cores, so a change in the machine's speed during
# the run hits both sides of a round alike: compare B/A, not absolute rates. Run under the shared lock, e.g.
#
#   flock /tmp/affinity-bench.lock benchmarks/serve-ab.sh /tmp/main-copy . models customers 6
#   flock /tmp/affinity-bench.lock benchmarks/serve-ab.sh /tmp/main-copy . models pin 6
#
# PATHS: `customers` (GET /v1/customers/{id}/recommendations?limit=10 over up to 2,000 customers of the bundled
# sample, as load.sh), `filter` and `pin` (the same with load.sh's default FILTER, or BOOST + PIN + pinLimit=2),
# `health`, or a file of request paths (one per line). Before timing, the script asks both servers every path
# once (at most 2,000) and reports how many answers differ once `modelVersion` is removed (it differs between
# copies only if the two builds answer differently): a "faster" build that answers differently is not an A/B.
# Environment: DURATION (s per run, default 8), CONNECTIONS (default 64), WARM (5 s runs per server before the
# rounds, default 6), PORT_A/PORT_B (default 18751/18752), AFFINITY_JAVA_OPTS and SERVE_ARGS (both servers),
# B_STORE (a store for B instead of MODEL_STORE, e.g. a copy with a CANARY: then the answers of the customers the
# canary takes differ, and the count says how many).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/benchmarks"
(( $# >= 3 )) || { echo "usage: $0 DIR_A DIR_B MODEL_STORE [customers|filter|pin|health|PATHS_FILE] [ROUNDS]" >&2; exit 2; }
A="$(cd "$1" && pwd)"; B="$(cd "$2" && pwd)"; STORE="$3"; KIND="${4:-customers}"; ROUNDS="${5:-6}"
DURATION="${DURATION:-8}"; CONNECTIONS="${CONNECTIONS:-64}"; WARM="${WARM:-6}"
PORT_A="${PORT_A:-18751}"; PORT_B="${PORT_B:-18752}"
for dir in "$A" "$B"; do
  [[ -x "$dir/affinity" && -f "$dir/cli/target/affinity.jar" ]] \
    || { echo "serve-ab.sh: $dir has no ./affinity with a built cli/target/affinity.jar" >&2; exit 2; }
done
[[ -f "$STORE/CURRENT" ]] || { echo "serve-ab.sh: $STORE is not a model store with a CURRENT version" >&2; exit 2; }
WORK="$(mktemp -d /tmp/affinity-serve-ab.XXXXXX)"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT

# shellcheck source=load/common.sh
source "$HERE/load/common.sh"
ensure_wrk serve-ab.sh
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
case "$KIND" in
  customers|filter|pin)
    customer_paths "$ROOT" "$WORK/paths.txt"
    FILTER="${FILTER:-category:(bag OR holder OR box OR card OR sign OR candle OR cake OR mug) AND price:[0.5 TO 10]}"
    BOOST="${BOOST:-category:(bag OR lantern)}"; PIN="${PIN:-category:holder AND price:[* TO 3]}"
    [[ "$KIND" == filter ]] && sed -i "s|\$|\&filter=$(urlenc "$FILTER")|" "$WORK/paths.txt"
    [[ "$KIND" == pin ]] && sed -i "s|\$|\&boost=$(urlenc "$BOOST")\&pin=$(urlenc "$PIN")\&pinLimit=2|" "$WORK/paths.txt"
    ;;
  health) echo /health > "$WORK/paths.txt" ;;
  *) [[ -f "$KIND" ]] || { echo "serve-ab.sh: no such paths file: $KIND" >&2; exit 2; }; cp "$KIND" "$WORK/paths.txt" ;;
esac

start() { # side dir port
  local store="$STORE"
  [[ "$1" == B && -n "${B_STORE:-}" ]] && store="$B_STORE"
  cp -r "$store" "$WORK/store-$1"
  refuse_busy_port serve-ab.sh "http://127.0.0.1:$3" "$3"
  # shellcheck disable=SC2086
  AFFINITY_NO_BUILD=1 "$2/affinity" serve --models "$WORK/store-$1" --host 127.0.0.1 --port "$3" --watch-interval 0 \
    ${SERVE_ARGS:-} > "$WORK/server-$1.log" 2>&1 &
  PIDS+=($!)
}
start A "$A" "$PORT_A"; start B "$B" "$PORT_B"
for port in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { cat "$WORK"/server-*.log >&2; exit 1; }
done

python3 - "$WORK/paths.txt" "$PORT_A" "$PORT_B" <<'EOF'
import json, sys, urllib.error, urllib.request
paths = [p for p in open(sys.argv[1]).read().split("\n") if p][:2000]
def ask(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%s%s" % (port, path)) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    try:
        doc = json.loads(body)
        if isinstance(doc, dict):
            doc.pop("modelVersion", None)
        return status, doc
    except ValueError:
        return status, body
differ = [p for p in paths if ask(sys.argv[2], p) != ask(sys.argv[3], p)]
print("answers: %d paths asked, %d differ%s" % (len(paths), len(differ), (", e.g. " + differ[0]) if differ else ""))
EOF

rate() { # port seconds
  WRK_PATHS="$WORK/paths.txt" wrk -t2 -c"$CONNECTIONS" -d"$2"s --latency -s "$HERE/load/rotate.lua" \
    "http://127.0.0.1:$1" | sed -n 's/^RESULT rps=\([0-9]*\).*/\1/p'
}
echo "# $(date -u +%FT%TZ) A=$A B=$B paths=$KIND ($(wc -l < "$WORK/paths.txt")) rounds=$ROUNDS ${DURATION}s" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
# Warm-up runs alternate too, so neither server is the one that warmed while the other sat idle.
WA=""; WB=""
for _ in $(seq 1 "$WARM"); do WA="$WA $(rate "$PORT_A" 5)"; WB="$WB $(rate "$PORT_B" 5)"; done
echo "warm-up A (5 s runs, req/s):$WA"
echo "warm-up B (5 s runs, req/s):$WB"
SUM_A=0; SUM_B=0
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then a="$(rate "$PORT_A" "$DURATION")"; b="$(rate "$PORT_B" "$DURATION")"
  else b="$(rate "$PORT_B" "$DURATION")"; a="$(rate "$PORT_A" "$DURATION")"; fi
  echo "round $r: A $a req/s, B $b req/s, B/A $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')"
  SUM_A=$((SUM_A + a)); SUM_B=$((SUM_B + b))
done
echo "mean: A $((SUM_A / ROUNDS)) req/s, B $((SUM_B / ROUNDS)) req/s, B/A $(awk -v a="$SUM_A" -v b="$SUM_B" \
  'BEGIN { printf "%.3f", b / a }'); load average after $(cut -d' ' -f1-3 /proc/loadavg)"
