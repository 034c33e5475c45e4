#!/usr/bin/env bash
# The offline quality of what `affinity spark-train` serves, next to single-machine training's models in the same
# run, by the evaluation's protocol on the UCI data (time split at CUTOFF, TEST_DAYS of test): first the README's
# `affinity evaluate` (every single-machine model, the blend and the served re-ranker), then
# io.affinity.bench.SparkQuality (Spark ingestion, the Spark model stage trained before the cutoff, each test
# customer's precomputed list scored with the evaluation's metrics). Prints ndcg@10 / recall@10 / hitrate@10.
#
#   benchmarks/spark-quality.sh [SHARED_DATA_DIR]
#
# Environment: CUTOFF (default 2011-09-01), TEST_DAYS (default 90), WEIGHTS (newItemWeight values to train with,
# comma-separated; default: the job's default), LISTS (auto, tifu-knn or als+repeat: spark-train's --lists; default
# auto), SKIP_EVALUATE=1 (only the Spark part, e.g. on a validation cutoff
# while choosing WEIGHTS), KEEP=1 keeps the evaluation report.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/benchmarks/retail.sh"
retail_inputs "${1:-$ROOT/../shared/data}"
CUTOFF="${CUTOFF:-2011-09-01}"
TEST_DAYS="${TEST_DAYS:-90}"
WORK="$(mktemp -d /tmp/affinity-spark-quality.XXXXXX)"
[[ "${KEEP:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT

"$ROOT/affinity" --version > /dev/null
(cd "$ROOT" && mvn -B -q -o -DskipTests -pl benchmarks -am package \
   dependency:build-classpath -Dmdep.outputFile=target/classpath.txt) >&2
JDK=/usr/lib/jvm/java-17-openjdk-amd64   # Spark 3.5 does not start on 25
HERE="$ROOT/training-spark"
source "$HERE/spark-jvm-flags.sh"
FLAGS=("${SPARK_JVM_FLAGS[@]}" -Xmx6g)

echo "== $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB; load before:" \
  "$(uptime | sed 's/.*load average: //'); git $(git -C "$ROOT" rev-parse --short HEAD); cutoff $CUTOFF, $TEST_DAYS test days"
if [[ "${SKIP_EVALUATE:-0}" != 1 ]]; then
"$ROOT/affinity" evaluate --input "${INPUTS[@]}" --split time --cutoff "$CUTOFF" --test-days "$TEST_DAYS" \
  --report "$WORK/eval" > "$WORK/evaluate.log" 2>&1 || { cat "$WORK/evaluate.log" >&2; exit 1; }
python3 - "$WORK/eval/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("single machine (affinity evaluate), served: %s" % r["served"])
for name in ("repeat-frequency", "als", "tifu-knn", "blend", "reranker"):
    m = r["models"][name]["metrics"]
    print("  %-26s customers %5d  ndcg@10 %.4f  recall@10 %.4f  hitrate@10 %.4f"
          % (name, m["users"], m["ndcg@10"], m["recall@10"], m["hitrate@10"]))
PY
fi
[[ -z "${WEIGHTS:-}" ]] || FLAGS+=(-Dweights="$WEIGHTS")
[[ -z "${LISTS:-}" ]] || FLAGS+=(-Dlists="$LISTS")
SPARK_LOCAL_IP=127.0.0.1 "$JDK/bin/java" "${FLAGS[@]}" \
  -cp "$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/classpath.txt")" \
  io.affinity.bench.SparkQuality "$CUTOFF" "$TEST_DAYS" "${INPUTS[@]}" > "$WORK/spark.log" 2>&1 \
  || { tail -30 "$WORK/spark.log" >&2; exit 1; }
grep -E '^(spark lists|validation|tifu-knn:|customers:|  )' "$WORK/spark.log"
echo "== load after: $(uptime | sed 's/.*load average: //')"
