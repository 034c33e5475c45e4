# Sourced by training-spark/spark-train.sh and benchmarks/spark-quality.sh: the JVM flags of a process that runs
# Spark 3.5 in local mode and writes a snapshot (HERE must be this directory).
SPARK_JVM_FLAGS=(
  # MLlib's FP-growth ships its trees to tasks by Java serialization, one stack frame set per tree level: baskets of
  # hundreds of items overflow the default stack (seen on the full UCI data). On a cluster pass the same to the
  # executors: --conf spark.executor.extraJavaOptions=-Xss16m --driver-java-options -Xss16m
  -Xss16m
  -XX:+IgnoreUnrecognizedVMOptions
  # Spark's own module opens (what spark-submit's launcher adds) and Chronicle Map's, for the driver that writes
  # the snapshot; in local mode the executors are threads of the same JVM.
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
