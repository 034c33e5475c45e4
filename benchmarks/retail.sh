# Sourced by the benchmarks that train on the UCI Online Retail exports (train-scale.sh, spark-train.sh,
# spark-quality.sh): the input files, their K-times population, and /usr/bin/time's figures.

# retail_inputs SHARED_DATA_DIR: sets INPUTS to the two exports, in load order; exits 2 naming a missing one.
retail_inputs() {
  local data="$1/online-retail" f
  INPUTS=("$data/online_retail_II_2009-2010.csv.gz" "$data/online_retail_2010-2011.csv.gz")
  for f in "${INPUTS[@]}"; do
    [[ -r "$f" ]] || { echo "${0##*/}: $f not found (give the shared data directory as the argument)" >&2; exit 2; }
  done
}

# scaled_inputs K WORK CLASSPATH: sets FILES to the exports at K = 1, else to the same exports K times over, each
# copy a population of its own (io.affinity.bench.ScaledRetailExport), written under WORK/xK.
scaled_inputs() {
  local k="$1" work="$2" cp="$3" f b
  if [[ "$k" == 1 ]]; then
    FILES=("${INPUTS[@]}")
    return
  fi
  java -cp "$cp" io.affinity.bench.ScaledRetailExport "$k" "$work/x$k" "${INPUTS[@]}" > "$work/x$k.gen.log"
  # the inputs' own order, as at K = 1 (a glob would put 2010-2011 first): input order numbers the customers
  FILES=()
  for f in "${INPUTS[@]}"; do
    b="${f##*/}"
    FILES+=("$work/x$k/${b%.csv.gz}-x$k.csv.gz")
  done
}

# time_figures FILE: prints wall seconds, user seconds, system seconds and peak RSS in MB from `/usr/bin/time -v`.
time_figures() {
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
              /User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident/ { rss = $2 / 1024 }
              END { printf "%.1f %s %s %d\n", wall, user, sys, rss }' "$1"
}
