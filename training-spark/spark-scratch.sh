# Sourced by training-spark/spark-train.sh: Spark's scratch directory for one local-mode run.
#
# Spark writes its shuffle files, spilled and cached blocks and a copy of the job jar under spark.local.dir (default
# /tmp) and removes them only when the JVM exits normally: a run killed by SIGKILL (an orchestrator's timeout, the
# kernel's OOM killer) left them behind, 58 MB on the bundled sample and the size of the shuffles on a big day. Each
# run therefore gets its own directory, named by the pid of the JVM (the launcher execs it, so the pid is the
# script's), and removes the directories of earlier runs whose JVM is gone.

# spark_scratch_dir ROOT: creates ROOT/run-PID for this process, removes ROOT/run-N of every N no longer running,
# and prints the new directory.
spark_scratch_dir() {
  local root="$1" old pid
  mkdir -p -- "$root"
  for old in "$root"/run-*; do
    [[ -d "$old" ]] || continue
    pid="${old##*/run-}"
    # kill -0 also fails for a live process of another user; the root is per user, so such a pid is a reused one
    if [[ "$pid" =~ ^[0-9]+$ && "$pid" != "$$" ]] && ! kill -0 "$pid" 2>/dev/null; then
      rm -rf -- "$old"
    fi
  done
  mkdir -p -- "$root/run-$$"
  echo "$root/run-$$"
}
