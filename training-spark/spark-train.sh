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

# Spark's own module opens (what spark-submit's launcher adds) and Chronicle Map's, for the driver that writes the
# snapshot; in local mode the executors are threads of the same JVM.
FLAGS=(
  # MLlib's FP-growth ships its trees to tasks by Java serialization, one stack frame set per tree level: baskets of
  # hundreds of items overflow the default stack (seen on the full UCI data). On a cluster pass the same to the
  # executors: --conf spark.executor.extraJavaOptions=-Xss16m --driver-java-options -Xss16m
  -Xss16m
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false -Dchronicle.analytics.disable=true
  # Spark logs every task at INFO; the job's own progress goes to standard output
  -Dlog4j2.configurationFile="$HERE/log4j2-local.properties"
)
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# shellcheck disable=SC2086 # AFFINITY_JAVA_OPTS is a list of options
# Spark's default of 200 shuffle partitions is sized for clusters: on one machine each shuffle would write 200
# files per task (benchmarks/RESULTS.md: the sample took 6 minutes). A few per core keeps every core busy.
CONF=(--conf "spark.sql.shuffle.partitions=$((4 * $(nproc)))")
for kv in ${AFFINITY_SPARK_CONF:-}; do CONF+=(--conf "$kv"); done
exec "$JDK/bin/java" "${FLAGS[@]}" ${AFFINITY_JAVA_OPTS:-} -cp "$(cat "$CLASSPATH_FILE")" \
  org.apache.spark.deploy.SparkSubmit --master "${AFFINITY_SPARK_MASTER:-local[*]}" "${CONF[@]}" \
  --class io.affinity.spark.SparkTrain "$JAR" "$@"
