#!/usr/bin/env bash
# Do costly catalogue searches take the cores of the recommendation endpoints? With and without the search limit.
#
#   benchmarks/search-isolation.sh [MODEL_STORE_DIR]
#
# The store should have a large catalogue: without one, the script generates a catalogue of 100,000 items
# (seeded; descriptions from the sample's words and made-up ones, as a big retailer's term dictionary is large)
# and trains `--recommender rules` on the bundled sample with it. Then, for each search limit (the server's
# default, half the processors, and SEARCHES_UNLIMITED, default 64, i.e. none), against one fresh server each:
#   1. "alone": wrk -t1 -c16 saturating GET /v1/customers/{id}/recommendations (real sample ids) for DURATION s;
#   2. "with searches": the same while SEARCHERS (default 4) clients loop on GET /v1/items with a costly query
#      (FUZZY_TERMS fuzzy terms, default 300: about a second of a core each on 100,000 items).
# Printed per limit: the customer endpoint's requests/s and p99 in both phases, their ratio (with / alone), and
# the searches answered (200) and refused (503 search-busy). The limit's claim holds when the ratio with the limit
# stays near what one core of two leaves (0.5 or more) while without it the searchers take more. wrk and the
# searchers share the machine's cores with the server: compare the two limits of one run, not absolute numbers.
# Environment: DURATION (s, default 20), PORT (default 18091), SEARCHERS, FUZZY_TERMS, SEARCHES_UNLIMITED,
# ROUNDS (default 1: one server per limit; each further round runs both again, in the other order),
# AFFINITY_JAVA_OPTS (passed to the JVM, before the limit's -Daffinity.searchPermits).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/benchmarks"
DURATION="${DURATION:-20}"
PORT="${PORT:-18091}"
BASE="http://127.0.0.1:$PORT"
SEARCHERS="${SEARCHERS:-4}"
FUZZY_TERMS="${FUZZY_TERMS:-300}"
SEARCHES_UNLIMITED="${SEARCHES_UNLIMITED:-64}"
ROUNDS="${ROUNDS:-1}"
WORK="$(mktemp -d /tmp/affinity-search.XXXXXX)"
SERVER_PID=""
SEARCH_PIDS=()

# shellcheck source=load/common.sh
source "$HERE/load/common.sh"
trap 'for p in "${SEARCH_PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null; done; stop_server; rm -rf "$WORK"' EXIT
ensure_wrk search-isolation.sh

MODELS="${1:-}"
if [[ -z "$MODELS" ]]; then
  MODELS="$WORK/models"
  echo "search-isolation.sh: generating a catalogue of 100,000 items and training on the sample with it" >&2
  python3 - "$ROOT/data/sample/online-retail-2011-05-06.csv.gz" "$WORK/catalog.csv" <<'PY'
import csv, gzip, random, sys
random.seed(23)
words = set()
with gzip.open(sys.argv[1], 'rt', encoding='utf-8') as f:
    rows = csv.reader(f)
    header = [h.lower() for h in next(rows)]
    at = header.index('description')
    for row in rows:
        words.update(w.upper() for w in row[at].split() if w.isalpha())
words = sorted(words)
made_up = [''.join(random.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(random.randint(4, 10))).upper()
           for _ in range(30000)]
with open(sys.argv[2], 'w', newline='') as out:
    w = csv.writer(out)
    w.writerow(['item_id', 'description', 'category', 'price', 'brand'])
    for i in range(100000):
        text = ' '.join(random.choice(words) if random.random() < 0.7 else random.choice(made_up)
                        for _ in range(random.randint(3, 6)))
        w.writerow([f'SKU{i:06d}', text, random.choice(['kitchen', 'garden', 'toys', 'decor', 'bags', 'cards']),
                    f'{random.uniform(0.5, 50):.2f}', random.choice(['acme', 'globex', 'initech'])])
PY
  "$ROOT/affinity" train --input "$ROOT/data/sample/online-retail-2011-05-06.csv.gz" --catalog "$WORK/catalog.csv" \
    --recommender rules --models "$MODELS" >&2
fi

customer_paths "$ROOT" "$WORK/customers.txt"
QUERY="$(python3 -c "
import random
random.seed(7)
print(' OR '.join(''.join(random.choice('abcdefghijklmnop') for _ in range(7)) + '~2' for _ in range($FUZZY_TERMS)))")"

saturate() { # label -> prints rps and p99
  WRK_PATHS="$WORK/customers.txt" wrk -t1 -c16 -d"${DURATION}s" -s "$HERE/load/rotate.lua" "$BASE" \
    | grep '^RESULT' | sed "s/^RESULT/$1/"
}

searcher() { # n: loops until killed, one line per answer's status
  while true; do
    curl -s -G -o /dev/null -w '%{http_code}\n' --data-urlencode "q=$QUERY" --data-urlencode limit=10 \
      "$BASE/v1/items" || true
  done > "$WORK/searches-$1.txt"
}

echo "search-isolation.sh: $(nproc) processors, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
BASE_OPTS="${AFFINITY_JAVA_OPTS:-}"
ORDER=()
for round in $(seq 1 "$ROUNDS"); do # alternate which server runs first: the machine's state drifts over a run
  if (( round % 2 == 1 )); then ORDER+=(default "$SEARCHES_UNLIMITED"); else ORDER+=("$SEARCHES_UNLIMITED" default); fi
done
for LIMIT in "${ORDER[@]}"; do
  if [[ "$LIMIT" == default ]]; then
    export AFFINITY_JAVA_OPTS="$BASE_OPTS"
  else
    export AFFINITY_JAVA_OPTS="$BASE_OPTS -Daffinity.searchPermits=$LIMIT"
  fi
  start_server search-isolation.sh 120
  # The first search compiles the query paths; the customer endpoint is warmed by the server's own warm-up and
  # by this short run.
  curl -s -G -o /dev/null --data-urlencode "q=$QUERY" "$BASE/v1/items"
  WRK_PATHS="$WORK/customers.txt" wrk -t1 -c16 -d5s -s "$HERE/load/rotate.lua" "$BASE" > /dev/null
  ALONE="$(saturate alone)"
  rm -f "$WORK"/searches-*.txt
  SEARCH_PIDS=()
  for n in $(seq 1 "$SEARCHERS"); do
    searcher "$n" &
    SEARCH_PIDS+=($!)
  done
  sleep 2
  WITH="$(saturate with-searches)"
  for p in "${SEARCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${SEARCH_PIDS[@]}" 2>/dev/null || true
  SEARCH_PIDS=()
  OK="$(cat "$WORK"/searches-*.txt | grep -c '^200$' || true)"
  BUSY="$(cat "$WORK"/searches-*.txt | grep -c '^503$' || true)"
  OTHER="$(cat "$WORK"/searches-*.txt | grep -vc '^\(200\|503\)$' || true)"
  stop_server
  RATIO="$(awk -v a="$(field "$ALONE" rps)" -v w="$(field "$WITH" rps)" 'BEGIN { printf "%.2f", w / a }')"
  echo "limit=$LIMIT"
  echo "  $ALONE"
  echo "  $WITH"
  echo "  customers with searches / alone: $RATIO; searches answered $OK, refused (503) $BUSY, other $OTHER"
done
echo "search-isolation.sh: load after: $(cut -d' ' -f1-3 /proc/loadavg)"
