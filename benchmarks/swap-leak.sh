#!/usr/bin/env bash
# Does a long-lived server give back what each model swap took? A server that runs for months activates a new
# version every night: a version it no longer serves must be unmapped, its files closed (a pruned version's disk
# space is only freed then) and its memory returned, or each swap leaks a little until the server fails.
#
#   benchmarks/swap-leak.sh [MODEL_STORE_DIR]
#
# The store must hold at least two versions; without one it trains two on the bundled sample (about 30 s each). It
# starts `./affinity serve` on 127.0.0.1 with an admin token, keeps one client looping on
# GET /v1/customers/{id}/recommendations (so swaps happen with requests in flight), and activates the two newest
# versions in turn SWAPS times (default 200: half a year of nightly retraining). Every STEP swaps (default 50) and at
# the end it prints, from /proc: the mappings of .cmap files (7 per served version), mappings of deleted files that
# are not the JVM's native libraries, open file descriptors, and RSS. Then it activates the newest version, prunes
# the other (`models prune --keep 1`) with the server running, and checks that no file of the pruned version is
# still mapped or open. Exit status 1 when a swap answers other than 200 or the pruned version is still held.
# Environment: PORT (default 18096), SWAPS, STEP, AFFINITY_JAVA_OPTS (passed to the JVM). On a shared machine:
#   flock /tmp/affinity-bench.lock env AFFINITY_NO_BUILD=1 PORT=18618 benchmarks/swap-leak.sh STORE
# The store is changed (CURRENT moves, one version is pruned): give it a copy.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/benchmarks"
PORT="${PORT:-18096}"
BASE="http://127.0.0.1:$PORT"
SWAPS="${SWAPS:-200}"
STEP="${STEP:-50}"
WORK="$(mktemp -d /tmp/affinity-swap-leak.XXXXXX)"
SERVER_PID=""
LOOP_PID=""

# shellcheck source=load/common.sh
source "$HERE/load/common.sh"
trap '[[ -n "$LOOP_PID" ]] && kill "$LOOP_PID" 2>/dev/null; stop_server; rm -rf "$WORK"' EXIT

two_version_store swap-leak.sh "$ROOT" "$WORK" "${1:-}"
admin_token
start_server swap-leak.sh

# The store lists its versions oldest first; the two newest are swapped.
read -r -a ALL <<<"$(curl -sf -H "$AUTH" "$BASE/admin/models" \
  | python3 -c 'import json, sys; print(" ".join(v["version"] for v in json.load(sys.stdin)["versions"]))')"
(( ${#ALL[@]} >= 2 )) || { echo "swap-leak.sh: the store holds ${#ALL[@]} version(s); two are needed" >&2; exit 1; }
OLD="${ALL[-2]}"; NEW="${ALL[-1]}"

# What the process holds. Deleted files the JVM maps itself (JNA's and jffi's unpacked native libraries) are not
# counted: they are deleted by design, once, at start.
held() { # label
  local maps="/proc/$SERVER_PID/maps"
  printf '%-12s cmap_mappings=%-3s deleted_mappings=%-3s fds=%-4s rss_mb=%s\n' "$1" \
    "$(grep -c '\.cmap' "$maps" || true)" \
    "$(grep '(deleted)' "$maps" | grep -v -E 'jna[0-9]*\.tmp|jffi[0-9]*\.so' | grep -c . || true)" \
    "$(ls "/proc/$SERVER_PID/fd" | wc -l)" \
    "$(( $(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status") / 1024 ))"
}

echo "== machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); $(date -u '+%F %H:%M UTC'); git $(git -C "$ROOT" rev-parse --short HEAD)"
echo "== server: $(head -1 "$WORK/server.log"); versions swapped: $OLD $NEW"
customer_paths "$ROOT" "$WORK/customers.txt"
( while true; do
    while read -r path; do curl -s -o /dev/null "$BASE$path"; done < "$WORK/customers.txt"
  done ) &
LOOP_PID=$!
held start
failed=0
for i in $(seq 1 "$SWAPS"); do
  v="$NEW"; (( i % 2 == 1 )) && v="$OLD"
  code=$(curl -s -o "$WORK/answer.json" -w '%{http_code}' -X POST -H "$AUTH" "$BASE/admin/models/$v/activate")
  if [[ "$code" != 200 ]]; then
    echo "swap $i (to $v) answered $code: $(cat "$WORK/answer.json")"; failed=1
  fi
  (( i % STEP == 0 )) && held "after $i"
done
kill "$LOOP_PID"; wait "$LOOP_PID" 2>/dev/null || true; LOOP_PID=""
sleep 2
held settled

# Prune the version not served, with the server running: its files must not stay mapped or open.
curl -sf -o /dev/null -X POST -H "$AUTH" "$BASE/admin/models/$NEW/activate"
"$ROOT/affinity" models prune --keep 1 --models "$MODELS" >&2
still=$(grep -c "$OLD" "/proc/$SERVER_PID/maps" || true)
open=$(ls -l "/proc/$SERVER_PID/fd" 2>/dev/null | grep -c "$OLD" || true)
held pruned
echo "pruned version $OLD: still mapped $still, still open $open"
if (( still > 0 || open > 0 )); then failed=1; fi
exit "$failed"
