#!/usr/bin/env bash
# A/B of import pipelines: step (b) of `just bench import` (upload → `completed`) for each
# pair of binaries, alternated (A B B A per round), each pair on a database of its own that
# its API migrates. Prints per run: the phases, rows/s, the worker's CPU (clock ticks from
# upload to completed) and both processes' peak RSS; then each pair's mean rows/s and the
# ratio of every pair to the first.
# Usage: benches/import/ab.sh <release dir A> <release dir B> (directories holding
# tisseco-api and tisseco-worker). AB_ROWS (300000), AB_ROUNDS (1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rows=${AB_ROWS:-300000}
rounds=${AB_ROUNDS:-1}
server=${BENCH_SERVER_URL:-postgres://postgres:postgres@127.0.0.1:5432}
port=18095
base="http://127.0.0.1:$port"
work=$(mktemp -d /tmp/tisseco-import-ab.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379} SMTP_URL=${SMTP_URL:-smtp://127.0.0.1:1025}
export LOG_FORMAT=json RUST_LOG=warn HTTP_BIND="127.0.0.1:$port" WORKER_HEALTH_BIND="127.0.0.1:$((port + 1))"
"$1/tisseco-api" generate-key | sed -n 's/^AUTH_PRIVATE_KEY=//p' > "$work/key"
export AUTH_PRIVATE_KEY_FILE="$work/key"

csv="$work/containers.csv"
benches/import/containers_csv.sh "$rows" > "$csv"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# one import by the binaries in $1 on database number $2; appends "label rows/s" to results.
# Each run starts after a checkpoint, so that none pays for the WAL of the run before it (an
# import writes about a gigabyte).
run() {
  local dir=$1 db="$server/tisseco_import_ab_$2" label=$3
  psql "$server/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = 'tisseco_import_ab_$2'" | grep -q 1 \
    || psql "$server/postgres" -qc "CREATE DATABASE tisseco_import_ab_$2"
  export DATABASE_URL=$db QUEUE_PREFIX="import-ab-$$-$2"
  "$dir/tisseco-api" migrate >/dev/null
  psql "$db" -qc "TRUNCATE imports, import_rows, import_valid, import_errors, import_changes, containers, audit_log CASCADE" \
    -c "INSERT INTO sites (id, code, name, created_at, updated_at) VALUES (gen_random_uuid(), 'bench', 'Bench', now(), now()) ON CONFLICT DO NOTHING" \
    -c "VACUUM ANALYZE containers, import_valid, audit_log" -c "CHECKPOINT"
  "$dir/tisseco-api" seed-demo-users >/dev/null
  "$dir/tisseco-api" serve > "$work/api.log" 2>&1 & local api=$!; pids+=("$api")
  "$dir/tisseco-worker" > "$work/worker.log" 2>&1 & local worker=$!; pids+=("$worker")
  for _ in $(seq 100); do curl -sf "$base/health/live" >/dev/null && break; sleep 0.1; done
  local token load start id status state="" seen now phases="" before
  token=$(curl -sS "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"manager@tisseco.test","password":"demo-manager-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  load=$(cut -d' ' -f1-3 /proc/loadavg); before=$(ticks "$worker"); start=$EPOCHREALTIME
  id=$(curl -sS -X POST "$base/api/v1/imports?file_name=bench.csv" -H "authorization: Bearer $token" \
    -H 'content-type: text/csv' -T "$csv" | sed -E 's/.*"id":"([^"]+)".*/\1/')
  phases="upload $(echo "$EPOCHREALTIME - $start" | bc | cut -c1-5) s"
  while :; do
    status=$(curl -sf "$base/api/v1/imports/$id" -H "authorization: Bearer $token")
    seen=$(echo "$status" | sed -E 's/.*"state":"([a-z]+)".*/\1/')
    if [ "$seen" != "$state" ]; then
      state=$seen; now=$EPOCHREALTIME; phases="$phases; $state from $(echo "$now - $start" | bc | cut -c1-5) s"
    fi
    case "$state" in completed|failed|cancelled) break ;; esac
    sleep 0.2
  done
  local total rate
  total=$(echo "$EPOCHREALTIME - $start" | bc)
  rate=$(echo "$rows / $total" | bc)
  echo "$label ($dir): $state in $(printf %.2f "$total") s, $rate rows/s; $phases;" \
    "worker CPU $(( $(ticks "$worker") - before )) ticks; peak RSS API $(hwm "$api") MB, worker $(hwm "$worker") MB;" \
    "load before $load"
  echo "$label $rate" >> "$work/results"
  kill "$api" "$worker"; wait "$api" "$worker" 2>/dev/null || true
}

for _ in $(seq "$rounds"); do
  run "$1" 1 A; run "$2" 2 B; run "$2" 2 B; run "$1" 1 A
done
awk '{sum[$1] += $2; n[$1]++} END {a = sum["A"] / n["A"]; b = sum["B"] / n["B"];
  printf "mean rows/s: A %.0f, B %.0f; B / A = %.2f\n", a, b, b / a}' "$work/results"
