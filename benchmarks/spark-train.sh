#!/usr/bin/env bash
# Spark training next to single-machine training, on the same exports, one after the other in the same run:
# `affinity train` (the README's command) and `affinity spark-train` (Spark 3.5 in local mode on this machine's
# cores: the job a cluster would run, with its engine's overhead and none of its scale). Each runs under
# /usr/bin/time -v; the table gives wall, CPU and peak memory per engine, then the two steps both engines do the
# same way with the same result (ingest: the same report, checked by SparkIngestParityTest; rules: FP-growth at the
# same support), with the ratio Spark / single machine. Both also fit customer value models and count trade-ups
# (the same results, by other means); the served lists differ (single-machine training fits the tuned blend and
# re-ranker, Spark validates TIFU-KNN and implicit ALS with repeat lists and serves the better), so their totals
# are not the same work: read them as what each command costs.
#
#   benchmarks/spark-train.sh [SHARED_DATA_DIR]
#
# Environment: SCALES (default "1"; K > 1 uses the K-times population of benchmarks/train-scale.sh),
# AFFINITY_JAVA_OPTS (both engines; e.g. -Xmx16g), KEEP=1 to keep exports, stores and logs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/benchmarks/retail.sh"
retail_inputs "${1:-$ROOT/../shared/data}"
SCALES="${SCALES:-1}"
command -v /usr/bin/time > /dev/null || { echo "spark-train.sh: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
WORK="$(mktemp -d /tmp/affinity-spark-train.XXXXXX)"
[[ "${KEEP:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT

# both jars first, outside the timed runs
"$ROOT/affinity" --version > /dev/null
"$ROOT/affinity" spark-train --help > /dev/null
if [[ "$SCALES" != 1 && ! -f "$ROOT/benchmarks/target/classes/io/affinity/bench/ScaledRetailExport.class" ]]; then
  (cd "$ROOT" && mvn -B -q -o -DskipTests -pl benchmarks -am package)
fi
CP="$ROOT/cli/target/affinity.jar:$ROOT/benchmarks/target/classes"

seconds() { # the [N.N s] of the first progress line of step $2 in log $1 (train prefixes "affinity train: "; a
  # JVM warning on stderr can land in front of it on the same line)
  grep -oE "(^|affinity train: )$2: .*\[[0-9.]+ s\]\$" "$1" | head -1 | sed -E 's/.*\[([0-9.]+) s\]$/\1/'
}

echo "== $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/{print $2}') GiB;" \
  "load before: $(uptime | sed 's/.*load average: //'); git $(git -C "$ROOT" rev-parse --short HEAD)"
printf '%-3s %-7s %9s %9s %9s %10s %9s %9s %9s\n' K engine wall_s user_s sys_s maxRSS_MB store_MB ingest_s rules_s
for k in $SCALES; do
  scaled_inputs "$k" "$WORK" "$CP"
  declare -A ingest=() rules=()
  for engine in train spark-train; do
    log="$WORK/$engine-$k.log"
    /usr/bin/time -v -o "$WORK/time-$engine-$k.txt" "$ROOT/affinity" "$engine" --input "${FILES[@]}" \
      --models "$WORK/models-$engine-$k" > "$log" 2>&1 \
      || { echo "K=$k: $engine failed, see $log" >&2; KEEP=1; trap - EXIT; exit 1; }
    read -r wall user sys rss < <(time_figures "$WORK/time-$engine-$k.txt")
    store=$(du -sm "$WORK/models-$engine-$k" | cut -f1)
    ingest[$engine]=$(seconds "$log" ingest)
    rules[$engine]=$(seconds "$log" "$([[ $engine == train ]] && echo mine || echo rules)")
    printf '%-3s %-7s %9s %9s %9s %10s %9s %9s %9s\n' "$k" "${engine%-train}" "$wall" "$user" "$sys" "$rss" "$store" \
      "${ingest[$engine]}" "${rules[$engine]}"
  done
  awk -v a="${ingest[spark-train]}" -v b="${ingest[train]}" -v c="${rules[spark-train]}" -v d="${rules[train]}" \
    'BEGIN { printf "    spark / single machine: ingest %.2fx, rules %.2fx\n", a / b, c / d }'
  grep -hE '^(affinity train: )?(ingest|mine|rules|validation|tifu-knn|customers|upsell|publish|published)' "$WORK/train-$k.log" \
    "$WORK/spark-train-$k.log" | sed 's/^/    /'
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$WORK/x$k"
done
echo "== load after: $(uptime | sed 's/.*load average: //')"
[[ "${KEEP:-0}" != 1 ]] || echo "== kept in $WORK"
