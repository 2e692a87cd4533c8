#!/usr/bin/env bash
# `just bench import`: a CSV of BENCH_ROWS containers (default 1,000,000); (a) raw
# `psql \copy` of the file into an unindexed table — the physical limit — then (b) the full
# pipeline: upload to the release API, worker validation and merge, until `completed`;
# (c) one INSERT ... SELECT of the copied rows into containers, with all its indexes;
# (e) the bulk bound: those rows into an unindexed copy of containers, then each index built;
# rows/s, peak RSS (VmHWM) of the API and the worker, p99 of `GET /api/v1/sites` idle, with
# one core busy, during (c), during (d) two INSERTs of half the rows each at once (what a
# merge on both cores would give) and during the import (by phase). Prints the figures for
# BENCHMARKS.md.
# Environment: BENCH_DATABASE_URL, BENCH_ROWS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
rows=${BENCH_ROWS:-1000000}
db_url=${BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/tisseco_bench_import}
admin_url="${db_url%/*}/postgres"
db_name=${db_url##*/}; db_name=${db_name%%\?*}
port=18090
base="http://127.0.0.1:$port"
work=$(mktemp -d /tmp/tisseco-bench-import.XXXXXX)
say() { echo "bench import: $*" >&2; }
elapsed() { echo "$(date +%s.%N) - $1" | bc; } # seconds since $1 (a `date +%s.%N`)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

say "release build"
cargo build --release --bin tisseco-api --bin tisseco-worker
api="$target/release/tisseco-api"
worker="$target/release/tisseco-worker"

psql "$admin_url" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1 \
  || psql "$admin_url" -qc "CREATE DATABASE $db_name"
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379} SMTP_URL=${SMTP_URL:-smtp://127.0.0.1:1025}
export DATABASE_URL=$db_url LOG_FORMAT=json RUST_LOG=warn QUEUE_PREFIX="bench-import-$$"
"$api" generate-key | sed -n 's/^AUTH_PRIVATE_KEY=//p' > "$work/key"
export AUTH_PRIVATE_KEY_FILE="$work/key"
"$api" migrate
psql "$db_url" -qc "TRUNCATE imports, import_rows, import_valid, import_errors, import_changes, containers CASCADE" \
  -c "INSERT INTO sites (id, code, name, created_at, updated_at) VALUES (gen_random_uuid(), 'bench', 'Bench', now(), now()) ON CONFLICT DO NOTHING"

say "generating $rows rows"
csv="$work/containers.csv"
benches/import/containers_csv.sh "$rows" > "$csv"
size=$(stat -c %s "$csv")

say "(a) raw \\copy"
psql "$db_url" -qc "DROP TABLE IF EXISTS bench_raw" -c "CREATE UNLOGGED TABLE bench_raw (site_code text, area_code text, external_ref text, type text, status text, capacity_litres int, latitude float8, longitude float8, address text, installed_on date)"
start=$(date +%s.%N)
psql "$db_url" -qc "\\copy bench_raw FROM '$csv' CSV HEADER"
raw=$(elapsed "$start")
# Codes like the pipeline's (12 characters of the codes' 29, scattered) but never twice:
# multiplying by a number prime to 29, modulo 29^12, is a bijection. Not timed.
psql "$db_url" -qc "ALTER TABLE bench_raw ADD COLUMN public_code text" -c "UPDATE bench_raw SET
  public_code = (SELECT string_agg(substr('23456789ABCDEFGHJKMNPQRSTWXYZ', mod(div(mod(
    substr(external_ref, 2)::numeric * 123456789012345677, 29::numeric ^ 12), 29::numeric ^ j),
    29)::int + 1, 1), '' ORDER BY j) FROM generate_series(0, 11) j)"
export HTTP_BIND="127.0.0.1:$port" WORKER_HEALTH_BIND="127.0.0.1:$((port + 1))"
"$api" seed-demo-users >/dev/null
"$api" serve > "$work/api.log" 2>&1 & api_pid=$!; pids+=("$api_pid")
"$worker" > "$work/worker.log" 2>&1 & worker_pid=$!; pids+=("$worker_pid")
for _ in $(seq 100); do curl -sf "$base/health/live" >/dev/null && break; sleep 0.1; done
token=$(curl -sS "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"manager@tisseco.test","password":"demo-manager-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
sample() { # $1: file; "sent-at duration" of GET /api/v1/sites until the file $2 appears
  while [ ! -e "$2" ]; do
    echo "$EPOCHREALTIME $(curl -s -o /dev/null -w '%{time_total}' -H "authorization: Bearer $token" "$base/api/v1/sites?limit=10")" >> "$1"
    sleep 0.05 # stay under the per-user rate limit
  done
}
sample_for() { ( sample "$work/$1.txt" "$work/$1.stop" ) & local s=$!; sleep "$2"; touch "$work/$1.stop"; wait "$s"; }
p99() { # $1: samples; optional $2, $3: only requests sent in [$2, $3)
  awk -v from="${2:-0}" -v to="${3:-1e12}" '$1 >= from && $1 < to {print $2}' "$1" | sort -n |
    awk '{a[NR]=$1} END {i=int(NR*0.99); if (i < 1) i = 1; printf "%.1f ms (%d requests)", a[i]*1000, NR}'; }

say "read latency: idle, then with one core kept busy by a shell loop (CPU only)"
sample_for idle 20
sh -c 'while :; do :; done' & hog=$!; pids+=("$hog")
sample_for hog 10
kill "$hog"

# Time-ordered ids, as the pipeline's UUIDv7: the primary key is appended to, not sprayed.
ordered_id="(lpad(to_hex((extract(epoch FROM now()) * 1000)::bigint), 12, '0') || '70008'
  || lpad(to_hex(substr(external_ref, 2)::bigint), 15, '0'))::uuid"
# One INSERT ... SELECT of the copied rows matching $1 into containers, with the merge's own
# GIN setting and its final flush of the pending lists.
insert_copied() {
  psql "$db_url" -q -c "SET gin_pending_list_limit = '64MB'" -c "INSERT INTO containers (id,
      public_code, site_id, external_ref, kind, status, capacity_litres, location, address,
      installed_on, created_at, updated_at)
    SELECT $ordered_id, public_code,
      (SELECT id FROM sites WHERE code = 'bench'), external_ref, type, status, capacity_litres,
      ST_SetSRID(ST_MakePoint(longitude, latitude), 4326), address, installed_on, now(), now()
    FROM bench_raw WHERE $1" \
    -c "SELECT gin_clean_pending_list('containers_public_code_trgm'::regclass),
      gin_clean_pending_list('containers_address_trgm'::regclass)" >/dev/null
}
empty_containers() { psql "$db_url" -qc "TRUNCATE containers CASCADE" -c "CHECKPOINT" 2>/dev/null; sleep 2; }

say "(c) the merge's floor: one INSERT ... SELECT of the same rows into containers, reads sampled"
psql "$db_url" -qc "CHECKPOINT"
( sample "$work/floor.txt" "$work/floor.stop" ) & sampler=$!
start=$(date +%s.%N)
insert_copied true
floor=$(elapsed "$start")
touch "$work/floor.stop"; wait "$sampler"

say "(e) the bulk bound: the same rows into an unindexed copy of containers, then every index and key built at once"
psql "$db_url" -qc "DROP TABLE IF EXISTS bulk_bound" \
  -c "CREATE TABLE bulk_bound (LIKE containers INCLUDING DEFAULTS INCLUDING CONSTRAINTS)" -c "CHECKPOINT"
start=$(date +%s.%N)
psql "$db_url" -qc "INSERT INTO bulk_bound SELECT * FROM containers"
bulk_heap=$(elapsed "$start")
builds=""; slowest=0
while IFS='|' read -r name definition; do
  one=$(date +%s.%N)
  psql "$db_url" -qc "SET maintenance_work_mem = '256MB'" -c "$definition"
  took=$(elapsed "$one")
  builds="$builds $name $(printf %.1f "$took") s;"
  [ "$(echo "$took > $slowest" | bc)" = 1 ] && slowest=$took
done < <(psql "$db_url" -Atc "SELECT indexname, replace(replace(indexdef, ' ON public.containers ', ' ON bulk_bound '),
    'INDEX ' || indexname, 'INDEX') FROM pg_indexes WHERE tablename = 'containers'
  UNION ALL SELECT conname, 'ALTER TABLE bulk_bound ADD ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE conrelid = 'containers'::regclass AND contype = 'f' ORDER BY 1")
bulk=$(elapsed "$start")
psql "$db_url" -qc "DROP TABLE bulk_bound"
empty_containers

say "(d) what a merge on both cores would give: two INSERTs of half the rows each, at once"
( sample "$work/parallel.txt" "$work/parallel.stop" ) & sampler=$!
start=$(date +%s.%N)
half=$((rows / 2))
insert_copied "substr(external_ref, 2)::int <= $half" & first=$!
insert_copied "substr(external_ref, 2)::int > $half"
wait "$first"
parallel=$(elapsed "$start")
touch "$work/parallel.stop"; wait "$sampler"
psql "$db_url" -qc "DROP TABLE bench_raw"
empty_containers

say "(b) full pipeline, reads sampled"
( sample "$work/busy.txt" "$work/busy.stop" ) & sampler=$!
start=$EPOCHREALTIME; echo "uploading $start" > "$work/phases.txt"
id=$(curl -sS -X POST "$base/api/v1/imports?file_name=bench.csv" -H "authorization: Bearer $token" \
  -H 'content-type: text/csv' -T "$csv" | sed -E 's/.*"id":"([^"]+)".*/\1/')
echo "bench import: upload answered $id" >&2
uploaded=$(elapsed "$start")
state=""; phases=""
while :; do
  status=$(curl -sf "$base/api/v1/imports/$id" -H "authorization: Bearer $token")
  seen=$(echo "$status" | sed -E 's/.*"state":"([a-z]+)".*/\1/')
  if [ "$seen" != "$state" ]; then
    state=$seen; now=$EPOCHREALTIME; echo "$state $now" >> "$work/phases.txt"
    phases="$phases $state from $(echo "$now - $start" | bc | cut -c1-5) s;"
  fi
  case "$state" in completed|failed|cancelled) break ;; esac
  sleep 0.2
done
total=$(echo "$EPOCHREALTIME - $start" | bc)
touch "$work/busy.stop"; wait "$sampler"
hwm() { awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$1/status"; }
echo
echo "rows: $rows ($((size / 1048576)) MB)"
echo "(a) psql \\copy: ${raw} s, $(echo "$rows / $raw" | bc) rows/s"
echo "(c) INSERT into containers (10 indexes, 2 foreign keys): ${floor} s, $(echo "$rows / $floor" | bc) rows/s"
echo "(e) bulk bound: ${bulk} s, $(echo "$rows / $bulk" | bc) rows/s, $(echo "scale=1; $bulk / $raw" | bc)x the raw copy: heap $(printf %.1f "$bulk_heap") s, then (one at a time)$builds"
echo "    slowest single build $(printf %.1f "$slowest") s; the builds alone $(echo "scale=1; ($bulk - $bulk_heap) / $raw" | bc)x the raw copy"
echo "(d) two INSERTs of half the rows at once: ${parallel} s, $(echo "$rows / $parallel" | bc) rows/s, $(echo "scale=2; $floor / $parallel" | bc)x faster than (c)"
echo "(b) pipeline: state $state; upload ${uploaded} s; upload to completed ${total} s, $(echo "$rows / $total" | bc) rows/s; $(echo "scale=2; $total / $raw" | bc)x the raw copy, $(echo "scale=2; $total / $floor" | bc)x the INSERT"
echo "    phases (polled every 0.2 s):$phases"
echo "    $status"
echo "peak RSS: API $(hwm "$api_pid"), worker $(hwm "$worker_pid")"
echo "GET /api/v1/sites p99: idle $(p99 "$work/idle.txt"); one core busy (shell loop) $(p99 "$work/hog.txt")"
echo "    during (c) the bare INSERT $(p99 "$work/floor.txt"); during (d) the two INSERTs $(p99 "$work/parallel.txt")"
echo "    during (b) the import $(p99 "$work/busy.txt")"
echo "    by phase (requests sent while the import was in it):"
while read -r phase from && read -r _ to <&3; do
  echo "    $phase: $(p99 "$work/busy.txt" "$from" "$to")"
done < "$work/phases.txt" 3< <(tail -n +2 "$work/phases.txt")
