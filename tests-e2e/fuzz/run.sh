#!/usr/bin/env bash
# `just fuzz`: schemathesis (pinned, in a virtualenv) against a running API, once per role
# and once anonymous, on a database of its own with the demo data. Fails on any 5xx or any
# answer that breaks the OpenAPI document (status, content type, schema).
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
venv="$target/fuzz-venv"
[ -x "$venv/bin/st" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q schemathesis==4.32.5; }
cargo build -q --bin tisseco-api
bin="$target/debug/tisseco-api"
base="${DATABASE_URL%/*}"
export DATABASE_URL="$base/tisseco_fuzz"
psql "$base/postgres" -qtc "DROP DATABASE IF EXISTS tisseco_fuzz" >/dev/null
psql "$base/postgres" -qtc "CREATE DATABASE tisseco_fuzz" >/dev/null
export HTTP_BIND="${FUZZ_BIND:-127.0.0.1:18190}"
export REDIS_KEY_PREFIX="fuzz:$$:"
# the fuzzer sends thousands of requests: the limits it would hit are not what it tests
export RATE_LIMIT_API=1000000/60 RATE_LIMIT_PUBLIC=1000000/60 RATE_LIMIT_LOGIN=1000000/60
export RATE_LIMIT_LOGIN_FAILURES=1000000/60 RATE_LIMIT_REPORTS_PER_CONTAINER=1000000/60
export OPEN311_API_KEYS=fuzz-key LOG_FORMAT=json RUST_LOG=warn
key="$("$bin" generate-key | sed -n 's/^AUTH_PRIVATE_KEY=//p')"
export AUTH_PRIVATE_KEY="$key"
"$bin" migrate >/dev/null
"$bin" seed >/dev/null
"$bin" seed-demo-users >/dev/null
log="$target/fuzz-api.log"
"$bin" serve >"$log" 2>&1 & api=$!
trap 'kill $api 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://$HTTP_BIND/health/live" >/dev/null && break; sleep 0.2; done
token() {
  curl -sf "http://$HTTP_BIND/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1@tisseco.test\",\"password\":\"demo-$1-password\"}" |
    sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}
status=0
for role in anonymous driver manager admin; do
  headers=()
  [ "$role" = anonymous ] || headers=(--header "Authorization: Bearer $(token "$role")")
  echo "== fuzz as $role"
  "$venv/bin/st" run "http://$HTTP_BIND/api/openapi.json" "${headers[@]}" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "${FUZZ_EXAMPLES:-25}" --workers 2 --seed 1 --continue-on-failure \
    --exclude-path /api/v1/auth/logout --exclude-path /api/v1/auth/refresh ||
    status=1
done
if grep -q '"level":"ERROR"' "$log"; then
  echo "fuzz: the API logged errors:"; grep '"level":"ERROR"' "$log" | head -20; status=1
fi
exit "$status"
