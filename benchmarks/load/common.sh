# Set-up shared by the whole-server benchmarks that drive `affinity serve` (load.sh, soak.sh, export.sh, startup.sh,
# swap.sh, swap-leak.sh); sourced, not run. Each function names its caller in messages.

# Installs wrk (Debian's package) when missing.
ensure_wrk() { # caller-name
  if ! command -v wrk >/dev/null 2>&1; then
    echo "$1: installing wrk (apt-get install -y wrk)" >&2
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  fi
}

# Sets MODELS to the given model store, or trains one on the bundled sample into WORK/models when none is given.
model_store() { # caller-name root work [store]
  SAMPLE="$2/data/sample/online-retail-2011-05-06.csv.gz"
  MODELS="${4:-}"
  if [[ -z "$MODELS" ]]; then
    MODELS="$3/models"
    echo "$1: training on $SAMPLE" >&2
    "$2/affinity" train --input "$SAMPLE" --models "$MODELS" >&2
  fi
}

# Sets MODELS to the given model store, which must hold at least two versions (the swap benchmarks activate one
# and then the other), or trains two into WORK/models on the bundled sample when none is given.
two_version_store() { # caller-name root work [store]
  MODELS="${4:-}"
  if [[ -z "$MODELS" ]]; then
    MODELS="$3/models"
    for _ in 1 2; do
      echo "$1: training on the bundled sample into $MODELS" >&2
      "$2/affinity" train --input "$2/data/sample/online-retail-2011-05-06.csv.gz" --models "$MODELS" >&2
    done
  fi
}

# A fresh admin token for the server the caller starts (exported for it), and AUTH, the header that carries it.
admin_token() {
  AFFINITY_ADMIN_TOKEN="$(head -c 24 /dev/urandom | base64)"
  export AFFINITY_ADMIN_TOKEN
  AUTH="Authorization: Bearer $AFFINITY_ADMIN_TOKEN"
}

# Writes the personalised endpoint's paths for up to 2,000 real customer ids of the bundled sample, one per line
# (CustomerID is the second-last column; descriptions may hold commas).
customer_paths() { # root out-file
  zcat "$1/data/sample/online-retail-2011-05-06.csv.gz" \
    | awk -F, 'NR > 1 && $(NF-1) ~ /^[0-9]+$/ { print $(NF-1) }' | sort -u | head -2000 \
    | awk '{ print "/v1/customers/" $1 "/recommendations?limit=10" }' > "$2"
}

# Another server on the port (a colleague's benchmark) would be measured instead of ours: refuse to start.
refuse_busy_port() { # caller-name base-url port
  if curl -s -o /dev/null --max-time 2 "$2/health"; then
    echo "$1: something already answers on port $3; choose another with PORT=..." >&2
    exit 1
  fi
}

# Starts `affinity serve` on MODELS at 127.0.0.1:PORT (no store watching; SERVE_ARGS added), its output in
# WORK/server.log, its pid in SERVER_PID (the JVM's: the launcher execs it), and waits until /ready answers, for
# up to the given seconds (default 60; a large store takes longer to open).
start_server() { # caller-name [seconds]
  refuse_busy_port "$1" "$BASE" "$PORT"
  # shellcheck disable=SC2086
  "$ROOT/affinity" serve --models "$MODELS" --host 127.0.0.1 --port "$PORT" --watch-interval 0 ${SERVE_ARGS:-} \
    > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 $(( ${2:-60} * 2 ))); do
    curl -sf "$BASE/ready" >/dev/null 2>&1 && return
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "$1: server not ready" >&2; cat "$WORK/server.log" >&2; exit 1
}

# The value of `name=` in a wrk RESULT line: a whole field name only (p99_ms, not uncorrected_p99_ms).
field() { # result-line name
  sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<" $1"
}

# Stops the server the caller started (its pid in SERVER_PID), if it still runs, and forgets it.
stop_server() {
  if [[ -n "${SERVER_PID:-}" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

# On exit, however the script ends: stop its server and remove its WORK directory.
clean_up_on_exit() {
  trap 'stop_server; rm -rf "$WORK"' EXIT
}

# The java of the JDK the affinity launcher picks: the launcher's own java_major and find_jdk, read from it, so a
# peer or a generator runs on the server's JDK.
launcher_java() { # root
  echo "$(bash -c 'source <(sed -n "/^java_major()/,/^}/p;/^find_jdk()/,/^}/p" "$1"); find_jdk' _ "$1/affinity")/bin/java"
}

# The median of the numbers read (separated by spaces or lines), to three decimals: at two, a ratio's median of
# 0.697 printed as 0.70 and was read as meeting a 0.70 target.
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { printf "%.3f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
