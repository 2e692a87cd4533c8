#!/usr/bin/env bash
# A/B of API binaries on the data of the last `just bench geo`: each binary serves radius and
# bbox to wrk (32 connections, 15 s), binaries alternated twice; prints req/s, p99 and the
# API's CPU (clock ticks, cumulative per binary start).
# Usage: benches/geo/ab.sh <bench work dir, printed by `just bench geo`> <api binary>...
# AB_WORKERS (half the CPUs) and AB_POOL (twice the CPUs + 1), the API's defaults, set its
# HTTP workers and database connections.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
work=$1; shift
db=${BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/tisseco_bench_geo}
port=${BENCH_PORT:-18081}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379} AUTH_PRIVATE_KEY_FILE=${AUTH_PRIVATE_KEY_FILE:-$PWD/.dev/auth-private.key}
export RATE_LIMIT_PUBLIC=100000000/1 RATE_LIMIT_API=100000000/1
HTTP_WORKERS=${AB_WORKERS:-${HTTP_WORKERS:-}} BENCH_API_POOL=${AB_POOL:-${BENCH_API_POOL:-}}
. benches/api-defaults.sh # workers, api_pool
out=$(mktemp)
for round in 1 2; do
  for api in "$@"; do
    DATABASE_URL=$db DATABASE_MAX_CONNECTIONS=$api_pool HTTP_BIND=127.0.0.1:$port HTTP_WORKERS=$workers LOG_FORMAT=json \
      RUST_LOG=warn REDIS_KEY_PREFIX="ab:$$:" "$api" serve > "$out.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
    BENCH_TOKEN=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
      -d '{"email":"manager@tisseco.test","password":"demo-manager-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
    export BENCH_TOKEN
    for kind in radius bbox; do
      wrk -t2 -c32 -d15s --latency -s benches/geo/wrk.lua "http://127.0.0.1:$port" -- "$work/wrk/$kind.paths" - > "$out"
      echo "round $round $api $kind: $(grep -oP 'Requests/sec:\s+\K[0-9.]+' "$out") req/s," \
        "p99 $(grep -P '^\s+99%' "$out" | awk '{print $2}'), API CPU ticks $(awk '{print $14 + $15}' "/proc/$pid/stat")"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
rm -f "$out" "$out.log"
