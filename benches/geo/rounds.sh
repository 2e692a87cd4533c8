#!/usr/bin/env bash
# Issue 26's ratios, in one run on the data of `just bench geo` (loaded if missing by that
# benchmark; this script does not load): ROUNDS (3) rounds back to back, each of radius and
# bbox through pgbench (their exact SQL) then wrk on the endpoint, 32 connections, then OGC
# `items?bbox=` with the bbox route's boxes; the load average before each column and the
# API's CPU per request (utime + stime of the API process over the wrk run / requests).
# Prints a Markdown table. Usage: benches/geo/rounds.sh [api binary]
# Environment: BENCH_DATABASE_URL, BENCH_SECONDS (15), BENCH_PORT (18080), ROUNDS (3),
# HTTP_WORKERS and BENCH_API_POOL (the API's defaults).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
api=${1:-$target/release/tisseco-api}
db_url=${BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/tisseco_bench_geo}
seconds=${BENCH_SECONDS:-15}
port=${BENCH_PORT:-18080}
rounds=${ROUNDS:-3}
conns=32
. benches/api-defaults.sh # workers, api_pool
pgbench=/usr/lib/postgresql/15/bin/pgbench
work=$(mktemp -d /tmp/tisseco-bench-rounds.XXXXXX)
tick=$(getconf CLK_TCK)
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export AUTH_PRIVATE_KEY_FILE=${AUTH_PRIVATE_KEY_FILE:-$PWD/.dev/auth-private.key}
export RATE_LIMIT_PUBLIC=100000000/1 RATE_LIMIT_API=100000000/1
mkdir -p .dev
[ -s "$AUTH_PRIVATE_KEY_FILE" ] || "$api" generate-key | sed -n 's/^AUTH_PRIVATE_KEY=//p' > "$AUTH_PRIVATE_KEY_FILE"

psql "$db_url" -AtF' ' -c "SELECT ST_X(location), ST_Y(location) FROM containers WHERE archived_at IS NULL ORDER BY md5(id::text) LIMIT 100" > "$work/centres.txt"
psql "$db_url" -AtF$'\t' -c "SELECT id, ST_AsGeoJSON(boundary, 15) FROM areas ORDER BY md5(id::text) LIMIT 50" > "$work/areas.txt"
"${BENCH_TOOL:-$target/release/tisseco-bench}" scripts "$work/centres.txt" "$work/areas.txt" "$work"
sed 's#/api/v1/containers/search/bbox?#/api/v1/ogc/collections/containers/items?#' "$work/wrk/bbox.paths" > "$work/wrk/ogc.paths"

DATABASE_URL=$db_url LOG_FORMAT=json RUST_LOG=warn "$api" seed-demo-users > /dev/null
DATABASE_URL=$db_url DATABASE_MAX_CONNECTIONS=$api_pool HTTP_BIND=127.0.0.1:$port METRICS_BIND=127.0.0.1:$((port + 1)) HTTP_WORKERS=$workers \
  LOG_FORMAT=json RUST_LOG=warn REDIS_KEY_PREFIX="bench-rounds:$$:" "$api" serve > "$work/api.log" 2>&1 &
api_pid=$!
trap 'kill $api_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
BENCH_TOKEN=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"manager@tisseco.test","password":"demo-manager-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
export BENCH_TOKEN

percentile() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; printf "%.2f", a[i]/1000}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$api_pid/stat"; }
load() { cut -d' ' -f1 /proc/loadavg; }

sql() { # kind -> "tps p99 load"
  local kind=$1 files=() l
  for f in "$work"/pgbench/"$kind"/*.sql; do files+=(-f "$f"); done
  l=$(load)
  rm -rf "$work/log" && mkdir -p "$work/log"
  # the app's session settings: no JIT (adapter-postgres pool.rs)
  (cd "$work/log" && PGOPTIONS="-c jit=off" "$pgbench" -n -c "$conns" -j 2 -T "$seconds" -M extended -l "${files[@]}" "$db_url?sslmode=disable" > ../pgbench.txt 2>&1)
  echo "$(grep -oP 'tps = \K[0-9.]+' "$work/pgbench.txt" | head -1) $(cat "$work"/log/pgbench_log.* | awk '{print $3}' | percentile 99) $l"
}
http() { # paths -> "rps p99 load cpu-us-per-request non2xx"
  local paths=$1 l before after requests
  l=$(load); before=$(cpu_ticks)
  wrk -t2 -c"$conns" -d"${seconds}s" --latency -s benches/geo/wrk.lua "http://127.0.0.1:$port" -- "$paths" > "$work/wrk.txt"
  after=$(cpu_ticks)
  requests=$(grep -oP '^\s+\K[0-9]+(?= requests in)' "$work/wrk.txt")
  echo "$(grep -oP 'Requests/sec:\s+\K[0-9.]+' "$work/wrk.txt") $(grep -P '^\s+99%' "$work/wrk.txt" | awk '{print $2}' | to_ms) $l" \
    "$(awk -v t=$((after - before)) -v n="$requests" -v hz="$tick" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }')" \
    "$(grep -oP 'Non-2xx or 3xx responses: \K[0-9]+' "$work/wrk.txt" || echo 0)"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "| round | search | SQL tps | SQL p99 ms | load (SQL) | HTTP req/s | HTTP p99 ms | load (HTTP) | HTTP/SQL throughput | HTTP/SQL p99 | API CPU µs/request | non-2xx |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$rounds"); do
  for kind in radius bbox; do
    read -r tps sp99 sl <<< "$(sql "$kind")"
    read -r rps hp99 hl cpu bad <<< "$(http "$work/wrk/$kind.paths")"
    echo "| $round | $kind | $tps | $sp99 | $sl | $rps | $hp99 | $hl | $(ratio "$rps" "$tps") | $(ratio "$hp99" "$sp99") | $cpu | $bad |"
    [ "$kind" = bbox ] && bbox_cpu=$cpu
  done
  read -r rps hp99 hl cpu bad <<< "$(http "$work/wrk/ogc.paths")"
  echo "| $round | OGC items?bbox= (same boxes) | | | | $rps | $hp99 | $hl | | | $cpu ($(ratio "$cpu" "$bbox_cpu")× bbox) | $bad |"
done
