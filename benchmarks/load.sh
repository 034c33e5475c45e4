#!/usr/bin/env bash
# Load benchmark of the real server on loopback, with wrk (Debian package; installed if missing).
#
#   benchmarks/load.sh [MODEL_STORE_DIR]
#
# Without a model store it trains one on the bundled sample (data/sample). It starts `./affinity serve` on
# 127.0.0.1, then, in the same run and against the same server process:
#   1. saturation: wrk -t2 -c64 on GET /health (the framework's ceiling: no model work) and on
#      GET /v1/customers/{id}/recommendations rotating over real customer ids of the sample; throughput ratio.
#   2. about half saturation: each endpoint again at a constant offered rate of half the personalised endpoint's
#      saturated rate (median of the rounds), /health at the same rate; p50/p99/p99.9 there. wrk2 (constant rate,
#      corrected for coordinated omission) is not packaged in Debian, so benchmarks/load/paced.lua does what it
#      does on Debian's wrk: HALF_THREADS wrk threads (default 2, as in the saturated runs) each send an even share
#      of the rate over HALF_CONNECTIONS connections in all (default 256, like a fleet of clients: enough that
#      the generator can almost always send on time), the next due request taken by whichever connection is free;
#      a request due while every connection of its thread still waited for an answer is "late", and the corrected
#      percentiles printed are upper bounds (exact when nothing was late; the script's header says why they hold). wrk's own, uncorrected p99 is printed too. The script's other schedule, one
#      connection per wrk thread with every latency corrected exactly (16 threads, which costs wrk about half as
#      much CPU again per request, on cores the server shares), runs too on the plain customer path and /health
#      ("-per-connection" rows); PACED_COMPARE=0 skips them.
#   3. the same customer paths with business rules, saturated and at half saturation, in the same run:
#      "filter" adds a category-and-price filter (FILTER, default: the sample's common product kinds under 10),
#      "pin" adds a boost and a pin (BOOST, PIN). Each is compared with /health and with the plain customer run.
# The load average (uptime) is printed before and after, since other work on the machine moves every number.
# Each run also reports the server process's CPU time per request (/proc/PID/stat, all JVM threads): on a busy
# shared machine the ratio of those (health/customers) is far steadier than the ratio of requests per second;
# and wrk's own CPU time per request (GNU time, when installed), the load generator's share of the same cores.
# wrk and the server share the machine's cores; other work on a shared machine moves absolute numbers a lot,
# so compare the endpoints of one run. Environment: DURATION (s, default 15), CONNECTIONS (default 64),
# PORT (default 18081), AFFINITY_JAVA_OPTS (passed to the JVM), SERVE_ARGS (extra `affinity serve` options, e.g.
# "--virtual-threads true"), VARIANTS (default "filter pin"; empty = plain customer runs only), FILTER, BOOST, PIN (Lucene query syntax over the catalogue), ROUNDS (default 1: saturation
# runs repeated, interleaved with /health; the median ratio is reported), HALF_THREADS (default 2),
# HALF_CONNECTIONS (default 256), HALF_RATE (req/s; default: half the customers' saturated median), WARM_MIN,
# WARM_MAX, WARM_GAIN (the warm-up's steadiness rule, below), API_KEY_SCOPE (serve with API keys and send one of
# this scope with every request; default: no keys, the endpoints open).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/benchmarks"
DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-64}"
PORT="${PORT:-18081}"
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d /tmp/affinity-load.XXXXXX)"
SERVER_PID=""

# shellcheck source=load/common.sh
source "$HERE/load/common.sh"
clean_up_on_exit
ensure_wrk load.sh

model_store load.sh "$ROOT" "$WORK" "${1:-}"

customer_paths "$ROOT" "$WORK/customers.txt"
echo "/health" > "$WORK/health.txt"
VARIANTS="${VARIANTS-filter pin}"
ROUNDS="${ROUNDS:-1}"
FILTER="${FILTER:-category:(bag OR holder OR box OR card OR sign OR candle OR cake OR mug) AND price:[0.5 TO 10]}"
BOOST="${BOOST:-category:(bag OR lantern)}"
PIN="${PIN:-category:holder AND price:[* TO 3]}"
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
sed "s|\$|\&filter=$(urlenc "$FILTER")|" "$WORK/customers.txt" > "$WORK/filter.txt"
sed "s|\$|\&boost=$(urlenc "$BOOST")\&pin=$(urlenc "$PIN")\&pinLimit=2|" "$WORK/customers.txt" > "$WORK/pin.txt"
echo "load.sh: $(wc -l < "$WORK/customers.txt") customer paths" >&2

# API_KEY_SCOPE (e.g. "recommendations"): serve with a keys file holding one random key of that scope and send it
# with every request (/health ignores it), so the run includes the key's check on the personalised endpoint.
API_KEY_HEADER=()
if [[ -n "${API_KEY_SCOPE:-}" ]]; then
  WRK_API_KEY="$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s %s\n' "$WRK_API_KEY" "$API_KEY_SCOPE" > "$WORK/api-keys"
  SERVE_ARGS="${SERVE_ARGS:-} --api-keys-file $WORK/api-keys"
  export WRK_API_KEY
  API_KEY_HEADER=(-H "X-API-Key: $WRK_API_KEY")
  echo "load.sh: API keys required; every request sends one of scope $API_KEY_SCOPE" >&2
fi

start_server load.sh

# CPU time of the server process (all its threads: handlers, JIT, GC), in microseconds, from /proc.
# wrk's own CPU time (user + system), seconds, when GNU time is installed: the load generator shares the cores.
WRK_TIME=()
[[ -x /usr/bin/time ]] && WRK_TIME=(/usr/bin/time -f "%U %S" -o "$WORK/wrk-time")
wrk_cpu_us_per_req() { # requests
  [[ -s "$WORK/wrk-time" ]] || { echo "n/a"; return; }
  awk -v n="$1" '{ printf "%.1f", (n > 0 ? ($1 + $2) * 1e6 / n : 0) }' "$WORK/wrk-time"
}
server_cpu_us() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1e6 / hz }' "/proc/$SERVER_PID/stat"; }
# One wrk run and its RESULT line with the server's and wrk's CPU per request; the caller sets the script's
# environment (WRK_PATHS, ...).
measure() { # name lua-script threads connections duration
  local out before after requests
  before="$(server_cpu_us)"
  rm -f "$WORK/wrk-time"
  out="$("${WRK_TIME[@]}" wrk -t"$3" -c"$4" -d"$5"s --latency -s "$HERE/load/$2" "$BASE")"
  after="$(server_cpu_us)"
  echo "$out" > "$WORK/out-$1.txt"
  requests="$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$out")"
  echo "$1 $(grep '^RESULT' <<<"$out" | cut -d' ' -f2-) server_cpu_us_per_req=$(awk -v a="$before" -v b="$after" -v n="$requests" 'BEGIN { printf "%.1f", (n > 0 ? (b - a) / n : 0) }') wrk_cpu_us_per_req=$(wrk_cpu_us_per_req "$requests")"
}
run() { # name paths-file threads connections duration delay-ms
  WRK_PATHS="$2" WRK_DELAY_MS="$6" measure "$1" rotate.lua "$3" "$4" "$5"
}

echo "== load average before: $(uptime | sed 's/.*load average: //')"
echo "== machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(uname -r)"
echo "== server: $(head -1 "$WORK/server.log")"
echo "== java: $(grep -m1 -o 'Java [0-9.]*' <<<"$("$ROOT/affinity" --version 2>&1)" || true)"
echo "== warm-up (discarded): each path until its throughput stops rising"
# Every path measured is warmed until steady, as a server is after minutes in production: on these 2 cores the
# JIT compiles while the load runs, and a fixed 8 + 4 s warm-up left the customer path still ramping (5 s runs
# of one server: 6-7k, 21-34k, 38-46k req/s; /health 30k, 39k, 41k), so the first rounds measured partly
# compiled code. A path is warm when a 5 s run no longer beats its best earlier run by WARM_GAIN (default 3%),
# after at least WARM_MIN runs (default 4) and at most WARM_MAX (default 12); the rates are printed, and a path
# that hit WARM_MAX is flagged. The server's own start-up warm-up (`serve --warm-up`, 20 s by default) has run
# before /ready, so the plain path usually starts near its steady rate. Then the first, plain pair runs once more, so the server has just served both.
warm() { # name paths-file
  local best=0 rps i rates=""
  for i in $(seq 1 "${WARM_MAX:-12}"); do
    rps="$(field "$(run "warm-$1-$i" "$2" 2 "$CONNECTIONS" 5 0)" rps)"
    rates="$rates $rps"
    if (( i >= ${WARM_MIN:-4} )) && awk -v r="$rps" -v b="$best" -v g="${WARM_GAIN:-0.03}" \
        'BEGIN { exit !(r <= b * (1 + g)) }'; then
      echo "warm-up $1:$rates req/s (steady after $((i * 5)) s)"
      return
    fi
    (( rps > best )) && best="$rps"
  done
  echo "warm-up $1:$rates req/s (NOT steady after $((${WARM_MAX:-12} * 5)) s: numbers below may still rise)"
}
warm customers "$WORK/customers.txt"
for v in $VARIANTS; do
  warm "customers-$v" "$WORK/$v.txt"
done
warm health "$WORK/health.txt"
run warm-customers-last "$WORK/customers.txt" 2 "$CONNECTIONS" 4 0 >/dev/null
run warm-health-last "$WORK/health.txt" 2 "$CONNECTIONS" 4 0 >/dev/null
echo "== saturation: $ROUNDS round(s) of wrk -t2 -c$CONNECTIONS -d${DURATION}s --latency, endpoints interleaved"
# Interleaved rounds: on a shared machine other work comes and goes within minutes, so each round's ratio uses
# the /health runs just before and after it, and the median over rounds is reported.
RATIOS=""; C_ALL=""
declare -A VRATIOS VREL
HEALTH="$(run health-r0 "$WORK/health.txt" 2 "$CONNECTIONS" "$DURATION" 0)"; echo "$HEALTH"
for r in $(seq 1 "$ROUNDS"); do
  CUST="$(run "customers-r$r" "$WORK/customers.txt" 2 "$CONNECTIONS" "$DURATION" 0)"; echo "$CUST"
  declare -A VRPS=()
  for v in $VARIANTS; do
    V="$(run "customers-$v-r$r" "$WORK/$v.txt" 2 "$CONNECTIONS" "$DURATION" 0)"; echo "$V"
    VRPS[$v]="$(field "$V" rps)"
  done
  HEALTH2="$(run "health-r$r" "$WORK/health.txt" 2 "$CONNECTIONS" "$DURATION" 0)"; echo "$HEALTH2"
  H1="$(field "$HEALTH" rps)"; H2="$(field "$HEALTH2" rps)"; C="$(field "$CUST" rps)"
  R="$(awk -v c="$C" -v a="$H1" -v b="$H2" 'BEGIN { printf "%.3f", c / ((a + b) / 2) }')"
  HC1="$(field "$HEALTH" server_cpu_us_per_req)"; HC2="$(field "$HEALTH2" server_cpu_us_per_req)"
  CC="$(field "$CUST" server_cpu_us_per_req)"
  CR="$(awk -v c="$CC" -v a="$HC1" -v b="$HC2" 'BEGIN { printf "%.3f", ((a + b) / 2) / c }')"
  echo "round $r: customers/health = $R (health before and after averaged); server CPU per request health/customers = $CR"
  RATIOS="$RATIOS $R"; C_ALL="$C_ALL $C"; CPU_RATIOS="${CPU_RATIOS:-} $CR"
  for v in $VARIANTS; do
    VR="$(awk -v c="${VRPS[$v]}" -v a="$H1" -v b="$H2" 'BEGIN { printf "%.3f", c / ((a + b) / 2) }')"
    VC="$(awk -v r="${VRPS[$v]}" -v c="$C" 'BEGIN { printf "%.3f", r / c }')"
    echo "round $r: customers-$v/health = $VR, customers-$v/customers = $VC"
    VRATIOS[$v]="${VRATIOS[$v]:-} $VR"; VREL[$v]="${VREL[$v]:-} $VC"
  done
  HEALTH="$HEALTH2"
done
RATIO="$(median <<<"$RATIOS")"
echo "ratio customers/health = $RATIO (median of $ROUNDS round(s):$RATIOS; target (a), at least 0.70:" \
  "$(awk -v r="$RATIO" 'BEGIN { print (r >= 0.70) ? "met" : "missed" }'))"
echo "server CPU per request, health/customers = $(median <<<"$CPU_RATIOS") (median:$CPU_RATIOS; the throughput ratio a" \
  "server with the cores to itself would show, wrk's own CPU not counted)"
for v in $VARIANTS; do
  echo "ratio customers-$v/health = $(median <<<"${VRATIOS[$v]}"), customers-$v/customers = $(median <<<"${VREL[$v]}") (medians)"
done
C="$(median <<<"$C_ALL")"

# About half saturation: a constant offered rate (benchmarks/load/paced.lua, wrk2's method), the same for every
# endpoint, with latency counted from each request's due time when no connection was free to send it then.
HALF_THREADS="${HALF_THREADS:-2}"
HALF_CONN="${HALF_CONNECTIONS:-256}"
HALF_RATE="${HALF_RATE:-$(awk -v c="$C" 'BEGIN { printf "%d", c / 2 }')}"
paced() { # name paths-file
  WRK_PATHS="$2" WRK_RATE="$HALF_RATE" WRK_THREADS="$HALF_THREADS" WRK_SCHEDULE=thread \
    measure "$1" paced.lua "$HALF_THREADS" "$HALF_CONN" "$DURATION"
}
paced_per_connection() { # name paths-file
  WRK_PATHS="$2" WRK_RATE="$HALF_RATE" WRK_CONNECTIONS=16 WRK_SCHEDULE=connection \
    measure "$1" paced.lua 16 16 "$DURATION"
}
echo "== about half saturation: constant rate $HALF_RATE req/s, wrk -t$HALF_THREADS -c$HALF_CONN -d${DURATION}s" \
  "(benchmarks/load/paced.lua); latency corrected for coordinated omission (upper bounds; exact when late=0)"
paced half-customers "$WORK/customers.txt"
for v in $VARIANTS; do
  paced "half-customers-$v" "$WORK/$v.txt"
done
paced half-health "$WORK/health.txt"
if [[ "${PACED_COMPARE:-1}" != 0 ]]; then
  echo "== the same rate, one connection per wrk thread (wrk -t16 -c16; every latency corrected exactly)"
  paced_per_connection half-customers-per-connection "$WORK/customers.txt"
  paced_per_connection half-health-per-connection "$WORK/health.txt"
fi
echo "== load average after: $(uptime | sed 's/.*load average: //')"
for v in $VARIANTS; do
  echo "== sample answer with $v: $(head -1 "$WORK/$v.txt")"
  curl -s "${API_KEY_HEADER[@]}" "$BASE$(head -1 "$WORK/$v.txt")" | python3 -c 'import json, sys; b = json.load(sys.stdin); print("   ", len(b["items"]), "items, sources", [i["source"] for i in b["items"]])' || true
done
echo "== raw wrk output of the saturated customer run"
grep -v "^RESULT" "$WORK/out-customers-r1.txt" || true
