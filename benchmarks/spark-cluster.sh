#!/usr/bin/env bash
# Does the Spark job publish the same snapshot when its tasks run in other JVMs, as on a cluster? Runs
# `affinity spark-train` twice on the same exports: Spark's local mode (tasks are threads of the driver) and
# Spark's local-cluster mode (a standalone master and WORKERS workers in this process, each task in a separate
# executor JVM launched from a Spark home, as a standalone cluster launches them: closures, broadcasts and shuffles
# cross process boundaries, static state of the driver is not there). Then io.affinity.bench.SnapshotDiff compares
# the two snapshots item by item and customer by customer. Exit 0 only when they are identical.
#
#   benchmarks/spark-cluster.sh [EXPORT...]     (default: the bundled sample)
#
# Environment: WORKERS (default 2), EXECUTOR_MB (default 2048), KEEP=1 keeps the work directory.
# The Spark home is made from the jars spark-train already resolves (training-spark/target/spark-classpath.txt).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INPUTS=("$@")
[[ ${#INPUTS[@]} -gt 0 ]] || INPUTS=("$ROOT/data/sample/online-retail-2011-05-06.csv.gz")
WORKERS="${WORKERS:-2}"
EXECUTOR_MB="${EXECUTOR_MB:-2048}"
WORK="$(mktemp -d /tmp/affinity-spark-cluster.XXXXXX)"
[[ "${KEEP:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT

"$ROOT/affinity" spark-train --help > /dev/null   # builds the job jar and resolves Spark's class path if needed
(cd "$ROOT" && mvn -B -q -o -DskipTests -pl benchmarks -am package \
   dependency:build-classpath -Dmdep.outputFile=target/classpath.txt) >&2

# A Spark home as a distribution lays it out: jars/ and a RELEASE file (without it the launcher looks for a
# source build). SPARK_SCALA_VERSION: local-cluster mode marks itself as testing, which asks for it.
mkdir -p "$WORK/spark-home/jars"
tr ':' '\n' < "$ROOT/training-spark/target/spark-classpath.txt" | while read -r jar; do ln -s "$jar" "$WORK/spark-home/jars/"; done
echo "Spark (jars resolved by Maven for benchmarks/spark-cluster.sh)" > "$WORK/spark-home/RELEASE"

echo "== $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores; load before: $(uptime | sed 's/.*load average: //');" \
  "git $(git -C "$ROOT" rev-parse --short HEAD); ${#INPUTS[@]} export(s)"
for mode in local cluster; do
  if [[ $mode == local ]]; then
    master='local[*]'
  else
    master="local-cluster[$WORKERS,1,$EXECUTOR_MB]"
  fi
  start=$(date +%s)
  SPARK_HOME="$WORK/spark-home" SPARK_SCALA_VERSION=2.13 AFFINITY_SPARK_MASTER="$master" \
    AFFINITY_SPARK_CONF="spark.executor.extraJavaOptions=-Xss16m ${AFFINITY_SPARK_CONF:-}" \
    "$ROOT/affinity" spark-train --input "${INPUTS[@]}" --models "$WORK/models-$mode" > "$WORK/$mode.log" 2>&1 \
    || { tail -30 "$WORK/$mode.log" >&2; echo "spark-train failed with master $master, log in $WORK" >&2; KEEP=1; trap - EXIT; exit 1; }
  echo "$master: published in $(( $(date +%s) - start )) s: $(grep -o "[0-9]* executor JVM(s) besides the driver" "$WORK/$mode.log")"
done
HERE="$ROOT/training-spark"
source "$HERE/spark-jvm-flags.sh"   # Chronicle Map's opens, for reading the snapshots
java "${SPARK_JVM_FLAGS[@]}" -cp "$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/classpath.txt")" \
  io.affinity.bench.SnapshotDiff \
  "$WORK/models-local" "$WORK/models-cluster" "${INPUTS[@]}"
