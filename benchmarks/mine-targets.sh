#!/usr/bin/env bash
# Whole-process timing of `affinity mine --target closed|maximal` (the launcher, JVM start included), median of
# RUNS runs with peak RSS (/usr/bin/time -v). Smile has no closed/maximal mining, so the peer here is another
# Affinity build: set REF_JAR to a CLI jar (e.g. one built from an older commit) and it is run alternately with the
# same JVM flags (java -jar, C1 only) and its itemset count must match.
#
#   benchmarks/mine-targets.sh                                  # mushroom:0.05 retail:0.0002, 3 runs
#   RUNS=5 REF_JAR=/tmp/old-affinity.jar benchmarks/mine-targets.sh mushroom:0.05
# Environment: DATA (default ../shared/data/fimi), RUNS (3), TARGETS ("closed maximal"), REF_JAR (none).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/fimi}"
RUNS="${RUNS:-3}"
TARGETS="${TARGETS:-closed maximal}"
CASES=("$@")
(( ${#CASES[@]} > 0 )) || CASES=(mushroom:0.05 retail:0.0002)
[[ -x /usr/bin/time ]] || { echo "needs GNU time at /usr/bin/time" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

printf '1 2\n2 3\n' >"$WORK/warm.dat"
"$ROOT/affinity" mine --input "$WORK/warm.dat" --min-support 0.5 >/dev/null 2>&1 # build + AOT cache, untimed
JAVA="$(bash -c 'source <(sed -n "/^java_major()/,/^}/p;/^find_jdk()/,/^}/p" "$1"); find_jdk' _ "$ROOT/affinity")/bin/java"

run() { # prints "seconds kilobytes itemsets"
  /usr/bin/time -v -o "$WORK/time.log" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; return 1; }
  awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); w = (length(t) == 3) ? t[1]*3600+t[2]*60+t[3] : t[1]*60+t[2]}
              /Maximum resident set size/ {r = $2} END {printf "%s %s ", w, r}' "$WORK/time.log"
  grep -o 'itemsets=[0-9]*' "$WORK/out" | tail -1 | cut -d= -f2
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf '# %s, %s cores, runs=%s, load average %s\n' "$(date -u +%FT%TZ)" "$(nproc)" "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
echo "| dataset:minsup | target | itemsets | affinity median wall | median peak RSS | reference median wall | reference median peak RSS |"
echo "|---|---|---|---|---|---|---|"
for c in "${CASES[@]}"; do
  stem="${c%%:*}"; sup="${c##*:}"
  file="$DATA/$stem.dat.gz"; [[ -f "$file" ]] || file="$DATA/$stem.dat"
  for t in $TARGETS; do
    : >"$WORK/a"; : >"$WORK/r"
    for ((i = 1; i <= RUNS; i++)); do
      read -r aw ar an < <(run "$ROOT/affinity" mine --input "$file" --min-support "$sup" --target "$t" --output "$WORK/a.out")
      echo "$aw $ar" >>"$WORK/a"
      if [[ -n "${REF_JAR:-}" ]]; then
        read -r rw rr rn < <(run "$JAVA" -XX:TieredStopAtLevel=1 -jar "$REF_JAR" mine --input "$file" --min-support "$sup" --target "$t" --output "$WORK/r.out")
        [[ "$an" == "$rn" ]] || { echo "MISMATCH on $c $t: $an vs $rn itemsets" >&2; exit 1; }
        echo "$rw $rr" >>"$WORK/r"
      fi
    done
    ref="- | -"
    if [[ -s "$WORK/r" ]]; then
      ref="$(printf '%.2f s | %.0f MB' "$(cut -d' ' -f1 "$WORK/r" | median)" "$(echo "$(cut -d' ' -f2 "$WORK/r" | median) / 1024" | bc -l)")"
    fi
    printf '| %s | %s | %s | %.2f s | %.0f MB | %s |\n' "$c" "$t" "$an" "$(cut -d' ' -f1 "$WORK/a" | median)" \
      "$(echo "$(cut -d' ' -f2 "$WORK/a" | median) / 1024" | bc -l)" "$ref"
  done
done
