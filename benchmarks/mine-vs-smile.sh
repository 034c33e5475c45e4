#!/usr/bin/env bash
# Whole-process comparison: `affinity mine` (the launcher, JVM start included) against Smile 2.6.0's FPGrowth
# (io.affinity.bench.SmileFpGrowthMain, its own JVM) on the same FIMI files, in the same run, alternating
# Affinity/Smile so that load from other users of the machine hits both alike. Both write every itemset to a
# file in the same format. Prints per-run wall time and peak RSS (/usr/bin/time -v), then medians and ratios,
# and fails when the two report different itemset counts.
#
#   benchmarks/mine-vs-smile.sh                       # the three standard cases, 3 runs each
#   RUNS=5 benchmarks/mine-vs-smile.sh retail:0.0002  # choose cases (file stem:min support) and runs
# Environment: DATA (default ../shared/data/fimi next to the repository), RUNS (3), JAVA (java for Smile; default
# the JDK the affinity launcher picks), AFFINITY_JAVA_OPTS is passed through to the launcher as usual.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/fimi}"
RUNS="${RUNS:-3}"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
CASES=("$@")
(( ${#CASES[@]} > 0 )) || CASES=(retail:0.0002 T10I4D100K:0.0005 mushroom:0.05)

[[ -x /usr/bin/time ]] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
[[ -d "$DATA" ]] || { echo "no FIMI data at $DATA (set DATA)" >&2; exit 1; }

echo "building jars ..." >&2
(cd "$ROOT" && mvn -B -q -o -DskipTests -pl cli,benchmarks -am package) >&2
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# One untimed run first, so that no timed run includes the launcher's build check or its one-off creation of
# the ahead-of-time class cache (JDK 25+).
printf '1 2\n2 3\n' >"$WORK/warm.dat"
"$ROOT/affinity" mine --input "$WORK/warm.dat" --min-support 0.5 >/dev/null 2>&1

if [[ -z "${JAVA:-}" ]]; then
  JAVA="$(bash -c 'source <(sed -n "/^java_major()/,/^}/p;/^find_jdk()/,/^}/p" "$1"); find_jdk' _ "$ROOT/affinity")/bin/java"
fi

# run LABEL CMD... : prints "seconds kilobytes itemsets"
run() {
  local log="$WORK/time.log" out="$WORK/stdout"
  /usr/bin/time -v -o "$log" "$@" >"$out" 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; return 1; }
  local wall rss n
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')"
  rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")"
  n="$(grep -o 'itemsets=[0-9]*' "$out" | tail -1 | cut -d= -f2)"
  echo "$wall $rss $n"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf '# %s, JDK %s, %s cores, runs=%s\n' "$(date -u +%FT%TZ)" "$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.version =/ {print $2}')" "$(nproc)" "$RUNS"
SUMMARY=()
for c in "${CASES[@]}"; do
  stem="${c%%:*}"; sup="${c##*:}"
  file="$DATA/$stem.dat.gz"; [[ -f "$file" ]] || file="$DATA/$stem.dat"
  : >"$WORK/a"; : >"$WORK/s"
  for ((i = 1; i <= RUNS; i++)); do
    # Each timed run writes a new file. Truncating the previous run's output (136 MB on mushroom) at open makes
    # ext4 free its pages and, at close, start writing the new data back (auto_da_alloc for truncate-and-
    # rewrite): tens of ms, more under load, charged to whichever side overwrites the bigger file. Both
    # sides' files are removed before every run, outside the timing.
    rm -f "$WORK/affinity.out" "$WORK/smile.out"
    read -r aw ar an < <(run "$ROOT/affinity" mine --input "$file" --min-support "$sup" --output "$WORK/affinity.out")
    rm -f "$WORK/affinity.out" "$WORK/smile.out"
    read -r sw sr sn < <(run "$JAVA" -cp "$BENCH_JAR" io.affinity.bench.SmileFpGrowthMain "$file" "$sup" "$WORK/smile.out")
    printf '%-20s run %d  affinity %6.2f s %7d KB  smile %6.2f s %8d KB  itemsets %s / %s\n' "$c" "$i" "$aw" "$ar" "$sw" "$sr" "$an" "$sn"
    if [[ "$an" != "$sn" ]]; then echo "MISMATCH on $c: affinity $an itemsets, smile $sn" >&2; exit 1; fi
    echo "$aw $ar" >>"$WORK/a"; echo "$sw $sr" >>"$WORK/s"
  done
  amw="$(cut -d' ' -f1 "$WORK/a" | median)"; amr="$(cut -d' ' -f2 "$WORK/a" | median)"
  smw="$(cut -d' ' -f1 "$WORK/s" | median)"; smr="$(cut -d' ' -f2 "$WORK/s" | median)"
  SUMMARY+=("$(awk -v c="$c" -v n="$an" -v aw="$amw" -v ar="$amr" -v sw="$smw" -v sr="$smr" 'BEGIN {
    printf "| %s | %s | %.2f s | %.0f MB | %.2f s | %.0f MB | %.1fx | %.1fx |", c, n, aw, ar/1024, sw, sr/1024, sw/aw, sr/ar }')")
done
echo
echo "| dataset:minsup | itemsets | affinity median wall | affinity median peak RSS | smile median wall | smile median peak RSS | time ratio smile/affinity | RSS ratio smile/affinity |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${SUMMARY[@]}"
