#!/usr/bin/env bash
# Auth overhead: (a) token checks in-process, (b) an authenticated vs an anonymous cheap
# route over HTTP, measured back to back in one run. Usage: just bench auth
# Environment: BENCH_PORT (28500), BENCH_SECONDS (10), BENCH_CONNECTIONS (32), ROUNDS (1),
# BENCH_SKIP_TOKENS=1 (HTTP only), BENCH_API (a prebuilt binary); DATABASE_URL is migrated
# and gets the demo users.
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${BENCH_PORT:-28500}
duration=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-32}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

if [ "${BENCH_SKIP_TOKENS:-0}" != 1 ]; then
  echo "== (a) token checks (cargo bench -p tisseco-adapter-auth --bench tokens)"
  cargo bench -q -p tisseco-adapter-auth --bench tokens 2>/dev/null
fi

echo "== (b) HTTP, wrk -t2 -c$connections -d${duration}s, release build"
# BENCH_API: a release binary built elsewhere (another checkout's target), run as is
if [ -n "${BENCH_API:-}" ]; then
  api=$BENCH_API
else
  cargo build -q --release --bin tisseco-api
  api=${CARGO_TARGET_DIR:-target}/release/tisseco-api
fi
export AUTH_PRIVATE_KEY_FILE=${AUTH_PRIVATE_KEY_FILE:-$PWD/.dev/auth-private.key}
mkdir -p .dev
[ -s "$AUTH_PRIVATE_KEY_FILE" ] || "$api" generate-key | sed -n 's/^AUTH_PRIVATE_KEY=//p' > "$AUTH_PRIVATE_KEY_FILE"
export HTTP_BIND=127.0.0.1:$port LOG_FORMAT=json RUST_LOG=warn REDIS_KEY_PREFIX="bench-auth-$$:"
# Limits far above what the run sends: this measures the checks, not refusals.
export RATE_LIMIT_PUBLIC=100000000/1 RATE_LIMIT_API=100000000/1 RATE_LIMIT_LOGIN=1000/1
"$api" migrate
"$api" seed-demo-users >/dev/null
"$api" serve & server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null "http://$HTTP_BIND/health/live" && break; sleep 0.2; done
token=$(curl -sf "http://$HTTP_BIND/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"manager@tisseco.test","password":"demo-manager-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

run() { # label, then wrk arguments
  local label=$1; shift
  local out rps p50 p99
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$@")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  printf '%-52s %10s req/s  p50 %8s  p99 %8s\n' "$label" "$rps" "$p50" "$p99" >&2
  echo "$rps"
}
for round in $(seq 1 "${ROUNDS:-1}"); do
  echo "round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  anonymous=$(run "anonymous  GET /health/ready (SELECT 1)" "http://$HTTP_BIND/health/ready")
  authenticated=$(run "bearer     GET /api/v1/me (token + revocation + user row)" -H "Authorization: Bearer $token" "http://$HTTP_BIND/api/v1/me")
  awk -v a="$authenticated" -v b="$anonymous" 'BEGIN { printf "authenticated / anonymous throughput: %.2f\n", a / b }'
done
