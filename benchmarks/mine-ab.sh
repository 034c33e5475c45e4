#!/usr/bin/env bash
# Before/after for `affinity mine`: alternates the launchers of two checkouts (say main and a branch, each with
# its jar built) on the same FIMI file, RUNS times each, and prints per-side medians of wall time, user and
# system CPU and peak RSS (/usr/bin/time). Both write every itemset to a file; each run starts without the
# previous output file (see mine-vs-smile.sh). Run under the shared lock, e.g.
#
#   flock /tmp/affinity-bench.lock benchmarks/mine-ab.sh /tmp/main-copy . T10I4D100K:0.0005 7
#
# Environment: DATA (default ../shared/data/fimi next to this repository).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/fimi}"
(( $# >= 3 )) || { echo "usage: $0 DIR_A DIR_B FILE_STEM:MIN_SUPPORT [RUNS]" >&2; exit 2; }
A="$1"; B="$2"; c="$3"; RUNS="${4:-5}"
stem="${c%%:*}"; sup="${c##*:}"
file="$DATA/$stem.dat.gz"; [[ -f "$file" ]] || file="$DATA/$stem.dat"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Untimed warm-up: builds a stale jar and creates the ahead-of-time class cache (JDK 25+).
printf '1 2\n2 3\n' >"$WORK/warm.dat"
for dir in "$A" "$B"; do "$dir/affinity" mine --input "$WORK/warm.dat" --min-support 0.5 >/dev/null 2>&1; done

: >"$WORK/A"; : >"$WORK/B"
for ((i = 0; i < RUNS; i++)); do
  for side in A B; do
    dir="$A"; [[ "$side" == B ]] && dir="$B"
    rm -f "$WORK/out"
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$dir/affinity" mine --input "$file" --min-support "$sup" \
      --output "$WORK/out" >/dev/null 2>&1
    cat "$WORK/t" >>"$WORK/$side"
  done
done
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '# %s, %s, runs=%s, load average %s\n' "$(date -u +%FT%TZ)" "$c" "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
for side in A B; do
  f="$WORK/$side"; dir="$A"; [[ "$side" == B ]] && dir="$B"
  printf '%s %-40s wall %s s  user %s s  sys %s s  peak RSS %.0f MB  (walls: %s)\n' "$side" "$dir" \
    "$(cut -d' ' -f1 "$f" | median)" "$(cut -d' ' -f2 "$f" | median)" "$(cut -d' ' -f3 "$f" | median)" \
    "$(awk '{print $4 / 1024}' "$f" | median)" "$(cut -d' ' -f1 "$f" | tr '\n' ' ')"
done
