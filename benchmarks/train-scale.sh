#!/usr/bin/env bash
# Training scale benchmark: how `affinity train`'s wall time, CPU time and peak memory grow with the size of the
# retailer, on one machine. The real UCI Online Retail exports (both files, 1.07 million rows, 5,942 customers)
# are the K = 1 point; K = 2, 4, ... are the same exports K times over, each copy a population of its own
# (customer ids and order numbers moved, items, dates and prices kept: io.affinity.bench.ScaledRetailExport),
# so customers, orders and rows grow K times while the catalogue stays the real one. Each size runs the
# README's training command unchanged (all models, the re-ranker, customer value models, the catalogue index),
# under /usr/bin/time -v, one after another; the ratios to K = 1 come from the same run.
#
#   benchmarks/train-scale.sh [SHARED_DATA_DIR]
#
# Environment: SCALES (default "1 2 4"), AFFINITY_JAVA_OPTS (e.g. -Xmx16g; the JVM's default heap is a quarter
# of the machine's memory), KEEP=1 to keep the scaled exports and stores in the work directory. Needs about 60 MB
# of disk per K for the exports and 150 MB per K for the published store.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/benchmarks/retail.sh"
retail_inputs "${1:-$ROOT/../shared/data}"
SCALES="${SCALES:-1 2 4}"
command -v /usr/bin/time > /dev/null || { echo "train-scale.sh: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
WORK="$(mktemp -d /tmp/affinity-train-scale.XXXXXX)"
[[ "${KEEP:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT

"$ROOT/affinity" --version > /dev/null   # builds the jar first, outside the timed runs
if [[ ! -f "$ROOT/benchmarks/target/classes/io/affinity/bench/ScaledRetailExport.class" ]]; then
  (cd "$ROOT" && mvn -B -q -o -DskipTests -pl benchmarks -am package)
fi
CP="$ROOT/cli/target/affinity.jar:$ROOT/benchmarks/target/classes"

echo "== $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/{print $2}') GiB;" \
  "load before: $(uptime | sed 's/.*load average: //'); git $(git -C "$ROOT" rev-parse --short HEAD)"
printf '%-3s %12s %10s %9s %9s %9s %10s %12s\n' K rows customers wall_s user_s sys_s maxRSS_MB store_MB
for k in $SCALES; do
  scaled_inputs "$k" "$WORK" "$CP"
  args=()
  for f in "${FILES[@]}"; do args+=(--input "$f"); done
  /usr/bin/time -v -o "$WORK/time-$k.txt" "$ROOT/affinity" train "${args[@]}" --models "$WORK/models-$k" \
    > "$WORK/train-$k.log" 2>&1 || { echo "K=$k: train failed, see $WORK/train-$k.log" >&2; KEEP=1; trap - EXIT; exit 1; }
  rows=$(sed -n 's/^  rows read *\([0-9,]*\).*/\1/p' "$WORK/train-$k.log" | head -1)
  customers=$(sed -n 's/.*rules, \([0-9,]*\) customers.*/\1/p' "$WORK/train-$k.log")
  read -r wall user sys rss < <(time_figures "$WORK/time-$k.txt")
  store=$(du -sm "$WORK/models-$k" | cut -f1)
  printf '%-3s %12s %10s %9s %9s %9s %10s %12s\n' "$k" "$rows" "$customers" "$wall" "$user" "$sys" "$rss" "$store"
  grep -E '^(published|affinity train: )' "$WORK/train-$k.log" | sed 's/^/    /' || true
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$WORK/x$k"
done
echo "== load after: $(uptime | sed 's/.*load average: //')"
[[ "${KEEP:-0}" != 1 ]] || echo "== kept in $WORK"
