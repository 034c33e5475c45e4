#!/usr/bin/env bash
# ./affinity spark-train [options]: the Spark training job (io.affinity.spark.SparkTrain) on this machine, with Spark
# in local mode, submitted exactly as a cluster would run it: org.apache.spark.deploy.SparkSubmit with the job jar
# target/affinity-spark.jar on Spark's own class path (spark-runtime/pom.xml: Spark's dependency closure, the jars
# a Spark installation ships, with Spark's versions). On a cluster use the same jar with the cluster's spark-submit:
#   spark-submit --master yarn --class io.affinity.spark.SparkTrain training-spark/target/affinity-spark.jar --input ...
# Environment:
#   AFFINITY_SPARK_MASTER   Spark master (default local[*])
#   AFFINITY_SPARK_JAVA_HOME  a JDK 17 to 21 (Spark 3.5 does not start on 25; default: the newest such JDK found)
#   AFFINITY_JAVA_OPTS      extra JVM options for the driver, e.g. -Xmx8g (local mode runs everything in it)
#   AFFINITY_SPARK_CONF     more Spark settings, space-separated key=value (each becomes --conf key=value)
#   AFFINITY_SPARK_SCRATCH  where local-mode runs keep Spark's scratch files (as SPARK_LOCAL_DIRS) and the JVM's
#                           temporary ones, one directory per run, those of killed runs removed by the next (default
#                           ${TMPDIR:-/tmp}/affinity-spark-UID; not used when spark.local.dir is in
#                           AFFINITY_SPARK_CONF or SPARK_LOCAL_DIRS is set)
#   AFFINITY_NO_BUILD=1     never build; fail if the jar or the class path list is missing
set -euo pipefail
HERE="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${HERE%/*}"
JAR="$HERE/target/affinity-spark.jar"
CLASSPATH_FILE="$HERE/target/spark-classpath.txt"
die() { echo "affinity spark-train: $*" >&2; exit 1; }

stale() {
  [[ -f "$JAR" && -f "$CLASSPATH_FILE" ]] || return 0
  [[ -n "$(find "$ROOT/pom.xml" "$ROOT"/*/pom.xml "$ROOT"/*/src/main -newer "$JAR" -print -quit 2>/dev/null)" ]]
}
if stale; then
  [[ "${AFFINITY_NO_BUILD:-0}" == 1 ]] && die "$JAR is missing or stale and AFFINITY_NO_BUILD=1"
  command -v mvn >/dev/null 2>&1 || die "Maven is needed to build the Spark job jar: apt-get install maven"
  echo "affinity spark-train: building the Spark job jar (first run, or sources changed) ..." >&2
  (cd "$ROOT" && mvn -B -q -DskipTests -pl training-spark -am package) >&2 \
    || die "build failed (run: mvn -B -DskipTests -pl training-spark -am package)"
  version="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$ROOT/pom.xml")"
  (cd "$HERE/spark-runtime" && mvn -B -q -Dspark.version="$version" dependency:build-classpath \
      -Dmdep.outputFile="$CLASSPATH_FILE") >&2 || die "could not resolve Spark $version's class path"
fi

JDK="${AFFINITY_SPARK_JAVA_HOME:-}"
if [[ -z "$JDK" ]]; then
  best=0
  for home in ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [[ -x "$home/bin/java" && -r "$home/release" ]] || continue
    major="$(awk -F'"' '/^JAVA_VERSION=/ {split($2, v, "."); print v[1]}' "$home/release")"
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    if (( major >= 17 && major <= 21 && major > best )); then JDK="$home"; best=$major; fi
  done
fi
[[ -n "$JDK" ]] || die "no JDK 17 to 21 found (Spark 3.5 does not run on 25); set AFFINITY_SPARK_JAVA_HOME"

source "$HERE/spark-jvm-flags.sh"
SPARK_JVM_FLAGS+=("-Daffinity.launcher=$ROOT/affinity") # recorded with the command in the manifest
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# Spark's default of 200 shuffle partitions is sized for clusters: on one machine each shuffle would write 200
# files per task (benchmarks/RESULTS.md: the sample took 6 minutes). A few per core keeps every core busy.
CONF=(--conf "spark.sql.shuffle.partitions=$((4 * $(nproc)))")
# Spark's scratch space in local mode, one directory per run, those of killed runs removed (spark-scratch.sh); unless
# the user chose where it goes (other masters' workers choose their own). Given as SPARK_LOCAL_DIRS, which local mode
# reads too: spark.local.dir makes Spark warn on every run that a cluster manager would override it.
MASTER="${AFFINITY_SPARK_MASTER:-local[*]}"
if [[ ( "$MASTER" == local || "$MASTER" == local\[* ) && -z "${SPARK_LOCAL_DIRS:-}" \
      && " ${AFFINITY_SPARK_CONF:-} " != *" spark.local.dir="* ]]; then
  source "$HERE/spark-scratch.sh"
  SPARK_LOCAL_DIRS="$(spark_scratch_dir "${AFFINITY_SPARK_SCRATCH:-${TMPDIR:-/tmp}/affinity-spark-$(id -u)}")"
  export SPARK_LOCAL_DIRS
  SPARK_JVM_FLAGS+=("-Djava.io.tmpdir=$SPARK_LOCAL_DIRS") # spark-submit's own temporary directory goes there too
fi
for kv in ${AFFINITY_SPARK_CONF:-}; do CONF+=(--conf "$kv"); done
# shellcheck disable=SC2086 # AFFINITY_JAVA_OPTS is a list of options
exec "$JDK/bin/java" "${SPARK_JVM_FLAGS[@]}" ${AFFINITY_JAVA_OPTS:-} -cp "$(cat "$CLASSPATH_FILE")" \
  org.apache.spark.deploy.SparkSubmit --master "$MASTER" "${CONF[@]}" \
  --class io.affinity.spark.SparkTrain "$JAR" "$@"
