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
# the JDK the affinity launcher picks), AFFINITY_JAVA_OPTS is passed through to the launcher as usual,
# AFFINITY_NO_BUILD=1 uses the jars as built, SMILE_TUNING (below). Run under the shared lock:
#
#   flock /tmp/affinity-bench.lock env AFFINITY_NO_BUILD=1 RUNS=3 benchmarks/mine-vs-smile.sh
#
# The peer's JVM: the launcher runs `mine` with the C1 JIT only and, on JDK 25+, an ahead-of-time class cache made
# by a tiny run; Smile run with the JVM's defaults (C2, no cache), as in every run recorded before 2026-11-26, did
# not get that tuning. Now each Smile run is made twice in the same alternation, "smile" with the JVM's defaults
# and "smile-c1" with the launcher's tuning (C1 only and an AOT cache of its own made the same way), both checked
# for the same itemset count, and the ratios use the faster of the two medians per case (C1 helps Smile on some
# files and C2 on others), so they compare the miners, not JVM flags. SMILE_TUNING=default or =c1 runs one only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/fimi}"
RUNS="${RUNS:-3}"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
CASES=("$@")
(( ${#CASES[@]} > 0 )) || CASES=(retail:0.0002 T10I4D100K:0.0005 mushroom:0.05)

[[ -x /usr/bin/time ]] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
[[ -d "$DATA" ]] || { echo "no FIMI data at $DATA (set DATA)" >&2; exit 1; }

if [[ "${AFFINITY_NO_BUILD:-0}" != 1 ]]; then
  echo "building jars ..." >&2
  (cd "$ROOT" && mvn -B -q -o -DskipTests -pl cli,benchmarks -am package) >&2
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# One untimed run first, so that no timed run includes the launcher's build check or its one-off creation of
# the ahead-of-time class cache (JDK 25+).
printf '1 2\n2 3\n' >"$WORK/warm.dat"
"$ROOT/affinity" mine --input "$WORK/warm.dat" --min-support 0.5 >/dev/null 2>&1

if [[ -z "${JAVA:-}" ]]; then
  JAVA="$(bash -c 'source <(sed -n "/^java_major()/,/^}/p;/^find_jdk()/,/^}/p" "$1"); find_jdk' _ "$ROOT/affinity")/bin/java"
fi

SMILE_TUNING="${SMILE_TUNING:-both}"
case "$SMILE_TUNING" in
  both) VARIANTS=(smile smile-c1) ;;
  default) VARIANTS=(smile) ;;
  c1) VARIANTS=(smile-c1) ;;
  *) echo "SMILE_TUNING must be both, default or c1, not $SMILE_TUNING" >&2; exit 2 ;;
esac
C1_FLAGS=(-XX:TieredStopAtLevel=1)
spec="$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version =/ {print $2}')"
if [[ " ${VARIANTS[*]} " == *" smile-c1 "* ]] && (( ${spec%%.*} >= 25 )); then
  # Made as the launcher makes mine's: one untimed run on the tiny file, output written.
  "$JAVA" "${C1_FLAGS[@]}" -XX:AOTCacheOutput="$WORK/smile.aot" -cp "$BENCH_JAR" \
    io.affinity.bench.SmileFpGrowthMain "$WORK/warm.dat" 0.5 "$WORK/warm.out" >/dev/null 2>&1 || true
  if [[ -s "$WORK/smile.aot" ]]; then C1_FLAGS+=(-XX:AOTCache="$WORK/smile.aot"); fi
fi
# smile VARIANT FILE SUPPORT OUTPUT
smile() {
  local v="$1"; shift
  if [[ "$v" == smile-c1 ]]; then
    run "$JAVA" "${C1_FLAGS[@]}" -cp "$BENCH_JAR" io.affinity.bench.SmileFpGrowthMain "$@"
  else
    run "$JAVA" -cp "$BENCH_JAR" io.affinity.bench.SmileFpGrowthMain "$@"
  fi
}

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

printf '# %s, JDK %s, %s cores, runs=%s, load average %s; smile: JVM defaults, smile-c1: %s\n' "$(date -u +%FT%TZ)" "$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.version =/ {print $2}')" "$(nproc)" "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)" "${C1_FLAGS[*]}"
SUMMARY=()
for c in "${CASES[@]}"; do
  stem="${c%%:*}"; sup="${c##*:}"
  file="$DATA/$stem.dat.gz"; [[ -f "$file" ]] || file="$DATA/$stem.dat"
  : >"$WORK/a"; for v in "${VARIANTS[@]}"; do : >"$WORK/$v"; done
  for ((i = 1; i <= RUNS; i++)); do
    # Each timed run writes a new file. Truncating the previous run's output (136 MB on mushroom) at open makes
    # ext4 free its pages and, at close, start writing the new data back (auto_da_alloc for truncate-and-
    # rewrite): tens of ms, more under load, charged to whichever side overwrites the bigger file. Both
    # sides' files are removed before every run, outside the timing.
    rm -f "$WORK/affinity.out" "$WORK/smile.out"
    read -r aw ar an < <(run "$ROOT/affinity" mine --input "$file" --min-support "$sup" --output "$WORK/affinity.out")
    echo "$aw $ar" >>"$WORK/a"
    line="$(printf '%-20s run %d  affinity %6.2f s %7d KB' "$c" "$i" "$aw" "$ar")"
    for v in "${VARIANTS[@]}"; do
      rm -f "$WORK/affinity.out" "$WORK/smile.out"
      read -r sw sr sn < <(smile "$v" "$file" "$sup" "$WORK/smile.out")
      line+="$(printf '  %s %6.2f s %8d KB' "$v" "$sw" "$sr")"
      if [[ "$an" != "$sn" ]]; then echo "MISMATCH on $c: affinity $an itemsets, $v $sn" >&2; exit 1; fi
      echo "$sw $sr" >>"$WORK/$v"
    done
    echo "$line  itemsets $an"
  done
  amw="$(cut -d' ' -f1 "$WORK/a" | median)"; amr="$(cut -d' ' -f2 "$WORK/a" | median)"
  # The peer: the variant with the lower median wall time; its RSS beside it; both variants' medians shown.
  best=""; smw=""; smr=""; each=""
  for v in "${VARIANTS[@]}"; do
    w="$(cut -d' ' -f1 "$WORK/$v" | median)"; r="$(cut -d' ' -f2 "$WORK/$v" | median)"
    each+="$(awk -v v="$v" -v w="$w" -v r="$r" 'BEGIN { printf "%s %.2f s %.0f MB; ", v, w, r/1024 }')"
    if [[ -z "$best" ]] || awk -v a="$w" -v b="$smw" 'BEGIN { exit !(a < b) }'; then best="$v"; smw="$w"; smr="$r"; fi
  done
  SUMMARY+=("$(awk -v c="$c" -v n="$an" -v aw="$amw" -v ar="$amr" -v sw="$smw" -v sr="$smr" -v best="$best" -v each="${each%; }" 'BEGIN {
    printf "| %s | %s | %.2f s | %.0f MB | %.2f s (%s) | %.0f MB | %.1fx | %.1fx | %s |", c, n, aw, ar/1024, sw, best, sr/1024, sw/aw, sr/ar, each }')")
done
echo
echo "| dataset:minsup | itemsets | affinity median wall | affinity median peak RSS | peer: faster Smile median wall | its median peak RSS | time ratio smile/affinity | RSS ratio smile/affinity | each Smile variant's medians |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${SUMMARY[@]}"
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
