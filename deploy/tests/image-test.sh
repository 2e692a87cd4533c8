#!/usr/bin/env bash
# Builds the image from host-built release binaries (--target prebuilt), checks that the
# backup tools (pg_dump, pg_restore, age) run in it, then runs `migrate`, the API and the
# worker from it with --network host against the local PostgreSQL and Redis (a database
# and queue prefix of its own), checks /health/ready, the worker's /health and one
# authenticated call, and prints the image's size. Needs a running Docker engine
# (`dockerd --bridge=none` here) and the base image (`just image-base`).
set -euo pipefail
cd "$(dirname "$0")/../.."
docker info >/dev/null 2>&1 || { echo "image-test: no Docker engine (start: dockerd --bridge=none)" >&2; exit 2; }
image="${TISSECO_IMAGE:-tisseco:dev}"
deploy/tests/image-build.sh "$image"
# backup and restore shell out to these: a missing library would only show at the first backup
for tool in pg_dump pg_restore age; do
  version=$(docker run --rm --network host --entrypoint "$tool" "$image" --version 2>&1) ||
    { echo "image-test: $tool does not run in the image: $version" >&2; exit 1; }
  echo "$tool in the image: $version"
done

run_id="tisseco-image-$$"
db="tisseco_image_$$"
admin_url="${DATABASE_URL%/*}/postgres"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api_port=$(free_port); health_port=$(free_port); metrics_port=$(free_port)
cleanup() {
  docker rm -f "$run_id-api" "$run_id-worker" >/dev/null 2>&1 || true
  psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  # the queues' streams ({prefix:queue}:…) and the API's keys (prefix:…) would otherwise
  # stay in the shared Redis after every run
  if command -v redis-cli >/dev/null; then
    for pattern in "{$run_id:*" "$run_id:*"; do
      redis-cli -u "$REDIS_URL" --scan --pattern "$pattern" | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null || true
    done
  fi
}
trap cleanup EXIT
psql -q "$admin_url" -c "CREATE DATABASE $db" >/dev/null

key=$(docker run --rm --network host "$image" generate-key | sed -n 's/^AUTH_PRIVATE_KEY=//p')
env_args=(
  -e "DATABASE_URL=${DATABASE_URL%/*}/$db" -e "REDIS_URL=$REDIS_URL" -e "SMTP_URL=$SMTP_URL"
  -e "AUTH_PRIVATE_KEY=$key" -e "QUEUE_PREFIX=$run_id" -e "REDIS_KEY_PREFIX=$run_id:"
  -e "HTTP_BIND=127.0.0.1:$api_port" -e "METRICS_BIND=127.0.0.1:$metrics_port"
  -e "WORKER_HEALTH_BIND=127.0.0.1:$health_port" -e "HEALTH_PORT=$api_port"
)
docker run --rm --network host "${env_args[@]}" "$image" migrate
docker run --rm --network host "${env_args[@]}" -e TISSECO_ADMIN_PASSWORD=image-test-password-1 \
  "$image" create-admin --email admin@image.test --name "Image test"
docker run -d --name "$run_id-api" --network host "${env_args[@]}" "$image" serve >/dev/null
docker run -d --name "$run_id-worker" --network host "${env_args[@]}" -e "HEALTH_PORT=$health_port" \
  -e HEALTH_PATH=/health --entrypoint tisseco-worker "$image" >/dev/null

ready="" worker=""
for _ in $(seq 60); do
  ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$api_port/health/ready" || true)
  worker=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$health_port/health" || true)
  [ "$ready" = 200 ] && [ "$worker" = 200 ] && break
  sleep 1
done
echo "api /health/ready: $ready; worker /health: $worker"
token=$(curl -sf "http://127.0.0.1:$api_port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"admin@image.test","password":"image-test-password-1"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' || true)
me=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $token" "http://127.0.0.1:$api_port/api/v1/me" || true)
echo "authenticated GET /api/v1/me: $me"
metrics=$(curl -s "http://127.0.0.1:$metrics_port/metrics" | grep -c '^tisseco_http_requests_total' || true)
echo "API metrics series: $metrics"
# the image's own HEALTHCHECK (bash /dev/tcp) must find both containers healthy
health=""
for _ in $(seq 90); do
  health="$(docker inspect -f '{{.State.Health.Status}}' "$run_id-api") $(docker inspect -f '{{.State.Health.Status}}' "$run_id-worker")"
  [ "$health" = "healthy healthy" ] && break
  sleep 1
done
echo "HEALTHCHECK (api worker): $health"
size=$(docker image inspect -f '{{.Size}}' "$image")
compressed=$(docker save "$image" | gzip -c | wc -c)
# to 0.1 MB: shell arithmetic would truncate (56.8 MB shown as 56) against a 60 MB goal
awk -v i="$image" -v s="$size" -v c="$compressed" \
  'BEGIN { printf "image %s: %.1f MB, %.1f MB compressed (gzip of docker save)\n", i, s / 1e6, c / 1e6 }'
if [ "$ready" != 200 ] || [ "$worker" != 200 ] || [ "$me" != 200 ] || [ "$health" != "healthy healthy" ]; then
  echo "image-test: FAILED" >&2
  docker logs "$run_id-api" 2>&1 | tail -20 >&2
  docker logs "$run_id-worker" 2>&1 | tail -20 >&2
  exit 1
fi
echo "image-test: ok"
