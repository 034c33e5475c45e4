#!/usr/bin/env bash
# Campaign export at scale: GET /v1/campaigns/offers streamed by the real server for every customer of a
# synthetic model of CUSTOMERS customers (default 300,000), built through the real SnapshotBuilder by
# io.affinity.bench.ExportSnapshotGenerator (profiles, consent, histories, precomputed lists).
#
#   benchmarks/export.sh                       # 300,000 customers, server heap -Xmx256m
#   CUSTOMERS=50000 XMX=128m benchmarks/export.sh
#
# In one run, against one server process: a warm-up export (segment tier:gold, discarded), then the full email
# export (segment all) with curl to a file: customers/s, bytes/s, and the server's peak RSS (VmHWM) and the
# largest anonymous RSS (heap + native, sampled every 0.2 s during the export; file-backed pages of the
# memory-mapped model are excluded from it). The summary line must equal the counts the generator expects.
# Peer, same bytes, same machine, same run: python3's http.server streaming the saved export file over loopback
# HTTP to the same curl (a plain file stream: the ceiling of "just sending these bytes").
# A small -Xmx that does not fail is the constant-memory check: the export holds no per-customer state.
# Environment: CUSTOMERS, XMX (server heap, default 256m), PORT (default 18091), PEER_PORT (default 18092), KEEP=1
# keeps the work directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CUSTOMERS="${CUSTOMERS:-300000}"
XMX="${XMX:-256m}"
PORT="${PORT:-18091}"
PEER_PORT="${PEER_PORT:-18092}"
WORK="$(mktemp -d /tmp/affinity-export.XXXXXX)"
SERVER_PID=""
PEER_PID=""

cleanup() {
  for pid in "$SERVER_PID" "$PEER_PID"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      wait "$pid" 2>/dev/null || true
    fi
  done
  [[ "${KEEP:-0}" == 1 ]] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

echo "export.sh: building jars ..." >&2
(cd "$ROOT" && mvn -B -q -o -DskipTests -pl cli,benchmarks -am package) >&2
# shellcheck source=load/common.sh
source "$ROOT/benchmarks/load/common.sh"
JAVA="$(launcher_java "$ROOT")"
FLAGS=(--add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED -Dchronicle.analytics.disable=true)

echo "export.sh: generating $CUSTOMERS customers ..." >&2
# The CLI jar keeps Lucene's multi-release classes (the JMH jar does not); the generator's class is added to it.
EXPECTED="$("$JAVA" "${FLAGS[@]}" -Xmx3g -cp "$ROOT/cli/target/affinity.jar:$ROOT/benchmarks/target/classes" \
  io.affinity.bench.ExportSnapshotGenerator "$WORK/models" "$CUSTOMERS" 42 2> "$WORK/generator.log" | tail -1)" \
  || { cat "$WORK/generator.log" >&2; exit 1; }
tail -1 "$WORK/generator.log" >&2
echo "export.sh: $EXPECTED" >&2

MODELS="$WORK/models"; BASE="http://127.0.0.1:$PORT"
AFFINITY_NO_BUILD=1 AFFINITY_JAVA_OPTS="-Xmx$XMX" SERVE_ARGS="--warm-up 0" start_server export.sh 120

status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# CPU seconds (user + system) the process has used: on a shared machine a steadier measure than wall time.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"; }

echo "== machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== server: $("$JAVA" -version 2>&1 | head -1), -Xmx$XMX, RSS after start $(status_kb "$SERVER_PID" VmRSS) kB"
URL="http://127.0.0.1:$PORT/v1/campaigns/offers?segment=all&channel=email&limit=3"
curl -sf -o /dev/null "http://127.0.0.1:$PORT/v1/campaigns/offers?segment=tier:gold&channel=email&limit=3"
echo "== warm-up (tier:gold) done, RSS $(status_kb "$SERVER_PID" VmRSS) kB"

MAX_ANON=0
( while kill -0 "$SERVER_PID" 2>/dev/null; do status_kb "$SERVER_PID" RssAnon; sleep 0.2; done ) > "$WORK/anon.txt" &
SAMPLER=$!
CPU_BEFORE="$(cpu_seconds "$SERVER_PID")"
read -r SECONDS_EXPORT BYTES < <(curl -sf -o "$WORK/export.ndjson" -w '%{time_total} %{size_download}\n' "$URL")
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
CPU_EXPORT="$(awk -v a="$CPU_BEFORE" -v b="$(cpu_seconds "$SERVER_PID")" 'BEGIN { printf "%.2f", b - a }')"
MAX_ANON="$(sort -n "$WORK/anon.txt" | tail -1)"
HWM="$(status_kb "$SERVER_PID" VmHWM)"
echo "== load average after export: $(cut -d' ' -f1-3 /proc/loadavg)"

LAST="$(tail -1 "$WORK/export.ndjson")"
ROWS=$(( $(wc -l < "$WORK/export.ndjson") - 1 ))
GOT="$(python3 - "$LAST" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
assert r.get("type") == "summary", "last line is not a summary: " + sys.argv[1][:300]
s = r["summary"]
parts = ["matched=%d" % s["matched"], "exported=%d" % s["exported"]]
parts += ["%s=%d" % (k, v) for k, v in sorted(s["excluded"].items())]
print("EXPECTED " + " ".join(parts))
PY
)"
echo "summary:  $GOT"
[[ "$GOT" == "$EXPECTED" ]] || { echo "summary differs from the generator's expectation: $EXPECTED" >&2; exit 1; }
EXPORTED="$(sed -n 's/.*exported=\([0-9]*\).*/\1/p' <<<"$GOT")"
[[ "$ROWS" == "$EXPORTED" ]] || { echo "rows $ROWS != exported $EXPORTED" >&2; exit 1; }
echo "summary matches the generator's expectation; $ROWS rows"

# Peer: the same bytes as a plain file over loopback HTTP.
(cd "$WORK" && exec python3 -m http.server "$PEER_PORT" --bind 127.0.0.1 > "$WORK/peer.log" 2>&1) &
PEER_PID=$!
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$PEER_PORT/" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$PEER_PORT/export.ndjson"  # warm the page cache
read -r PEER_SECONDS PEER_BYTES < <(curl -sf -o /dev/null -w '%{time_total} %{size_download}\n' \
  "http://127.0.0.1:$PEER_PORT/export.ndjson")

awk -v n="$CUSTOMERS" -v s="$SECONDS_EXPORT" -v b="$BYTES" -v ps="$PEER_SECONDS" -v pb="$PEER_BYTES" \
    -v hwm="$HWM" -v anon="$MAX_ANON" -v xmx="$XMX" -v cpu="$CPU_EXPORT" 'BEGIN {
  printf "export:   %d customers in %.2f s = %.0f customers/s, %.1f MB = %.1f MB/s\n", n, s, n / s, b / 1e6, b / 1e6 / s
  printf "cpu:      server used %.2f CPU-s during the export = %.1f us per customer (all threads, GC included)\n", cpu, cpu * 1e6 / n
  printf "peer:     python3 http.server, same %.1f MB file in %.3f s = %.1f MB/s\n", pb / 1e6, ps, pb / 1e6 / ps
  printf "ratio:    export bytes/s / peer bytes/s = %.4f (peer %.0fx faster)\n", (b / s) / (pb / ps), (pb / ps) / (b / s)
  printf "memory:   server peak RSS (VmHWM) %.0f MB, largest anonymous RSS during the export %.0f MB, -Xmx%s\n",
    hwm / 1024, anon / 1024, xmx
}'
echo "== load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
