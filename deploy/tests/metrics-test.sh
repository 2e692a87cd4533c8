#!/usr/bin/env bash
# A real Prometheus scrapes a running API and worker: after some traffic, PromQL over its
# HTTP API must return a non-zero request rate and the queue-depth series. Uses a database
# and queue prefix of its own; stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v prometheus >/dev/null || { echo "metrics-test: prometheus is missing (just prometheus-deps)" >&2; exit 2; }

cargo build -q --bin tisseco-api --bin tisseco-worker
bin="${CARGO_TARGET_DIR:-target}/debug"
work=$(mktemp -d)
pids=()
db="" admin_url=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$db" ] && psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api_port=$(free_port); metrics_port=$(free_port); health_port=$(free_port); prom_port=$(free_port)

db="tisseco_metrics_$$"
admin_url="${DATABASE_URL%/*}/postgres"
psql -q "$admin_url" -c "CREATE DATABASE $db" >/dev/null
export DATABASE_URL="${DATABASE_URL%/*}/$db"
export HTTP_BIND="127.0.0.1:$api_port" METRICS_BIND="127.0.0.1:$metrics_port"
export WORKER_HEALTH_BIND="127.0.0.1:$health_port"
export QUEUE_PREFIX="metrics-test-$$" REDIS_KEY_PREFIX="metrics-test-$$:"
export AUTH_PRIVATE_KEY LOG_FORMAT=json RUST_LOG=warn
AUTH_PRIVATE_KEY=$("$bin/tisseco-api" generate-key | sed -n 's/^AUTH_PRIVATE_KEY=//p')

"$bin/tisseco-api" migrate
"$bin/tisseco-api" serve >"$work/api.log" 2>&1 & pids+=($!)
"$bin/tisseco-worker" >"$work/worker.log" 2>&1 & pids+=($!)

cat >"$work/prometheus.yml" <<YAML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: tisseco-api
    static_configs: [{ targets: ["127.0.0.1:$metrics_port"] }]
  - job_name: tisseco-worker
    static_configs: [{ targets: ["127.0.0.1:$health_port"] }]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 & pids+=($!)

query() {
  curl -sf --get "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" |
    python3 -c '
import json, sys
for r in json.load(sys.stdin)["data"]["result"]:
    print(r["metric"], r["value"][1])
' || true
}

# Up to 90 s (a slow, shared machine): traffic, then ask. Nothing here asserts on time.
rate="" depth=""
for _ in $(seq 90); do
  for _ in 1 2 3 4 5; do
    curl -s -o /dev/null "http://$HTTP_BIND/health/live" || true
    curl -s -o /dev/null "http://$HTTP_BIND/api/v1/containers" || true
  done
  rate=$(query 'sum by (job) (rate(tisseco_http_requests_total{route="/health/live"}[10s])) > 0')
  depth=$(query 'max by (queue) (tisseco_queue_jobs{state="depth"})')
  [ -n "$rate" ] && [ -n "$depth" ] && break
  sleep 1
done
echo "request rate: ${rate:-none}"
echo "queue depth: ${depth:-none}"
echo "series scraped: $(query 'count({__name__=~"tisseco_.+"})')"
if [ -z "$rate" ] || [ -z "$depth" ]; then
  echo "metrics-test: FAILED; logs:" >&2
  tail -n 20 "$work/api.log" "$work/worker.log" "$work/prometheus.log" >&2
  exit 1
fi
echo "metrics-test: ok"
