#!/usr/bin/env bash
# Makes PostgreSQL + PostGIS, Redis and an SMTP server available at DATABASE_URL,
# TEST_DATABASE_URL, REDIS_URL and SMTP_URL: reuses servers already reachable there; else
# starts deploy/compose.yaml when a Docker engine runs (Mailpit for SMTP); else installs and
# starts them from Debian/Ubuntu packages (root or sudo), and for SMTP a local sink
# (deploy/smtp-sink.py, aiosmtpd from pip) that writes each message to SMTP_SINK_DIR.
# Idempotent; silent on success; on failure says what is wrong and exits non-zero.
set -euo pipefail

DATABASE_URL=${DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/tisseco}
TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/tisseco_test}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
SMTP_URL=${SMTP_URL:-smtp://127.0.0.1:1025}
SMTP_SINK_DIR=${SMTP_SINK_DIR:-/tmp/tisseco-smtp/messages}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fail() { echo "services: $*" >&2; exit 1; }
say() { echo "services: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else fail "need root or sudo to $*"; fi; }
apt_install() {
  command -v apt-get >/dev/null || fail "cannot install $* : no apt-get here; start the services yourself (see README)"
  say "installing $* from the distribution's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
docker_engine() { command -v docker >/dev/null && docker info >/dev/null 2>&1; }

db_name() { local rest=${1##*/}; echo "${rest%%\?*}"; }
admin_url() { local base=${1%/*} rest=${1##*/} query=""; [[ $rest == *\?* ]] && query="?${rest#*\?}"; echo "$base/postgres$query"; }
host_of() { local rest=${1#*://}; rest=${rest#*@}; rest=${rest%%/*}; echo "${rest%%:*}"; }
port_of() { local rest=${1#*://}; rest=${rest#*@}; rest=${rest%%/*}; [[ $rest == *:* ]] && echo "${rest##*:}" || echo "$2"; }
is_local() { case "$1" in 127.0.0.1|localhost|::1|"") return 0;; *) return 1;; esac; }

pg_up() { psql "$(admin_url "$DATABASE_URL")" -Atqc 'select 1' >/dev/null 2>&1; }
wait_for() { local what=$1; shift; for _ in $(seq 1 60); do "$@" && return 0; sleep 1; done; fail "$what did not come up within 60 s"; }

start_local_postgres() {
  command -v pg_lsclusters >/dev/null || apt_install postgresql postgresql-contrib
  local cluster
  cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1" "$2}')
  [ -n "$cluster" ] || fail "PostgreSQL is installed but has no cluster (pg_createcluster)"
  # shellcheck disable=SC2086
  as_root pg_ctlcluster --skip-systemctl-redirect $cluster start 2>/dev/null || true
  wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p "$(port_of "$DATABASE_URL" 5432)"
  # Stock Debian asks TCP clients for a password: give the postgres role the one in the URL.
  local password
  password=$(echo "$DATABASE_URL" | sed -nE 's#^[a-z]+://[^:/@]+:([^@]*)@.*#\1#p')
  if [ -n "$password" ] && ! pg_up; then
    as_root su postgres -c "psql -qc \"ALTER ROLE postgres PASSWORD '$password'\"" >/dev/null
  fi
}

ensure_postgres() {
  command -v psql >/dev/null || apt_install postgresql-client
  if ! pg_up; then
    if docker_engine; then
      docker compose -f "$here/compose.yaml" up -d --wait postgres >/dev/null || fail "docker compose could not start postgres"
    elif is_local "$(host_of "$DATABASE_URL")"; then
      start_local_postgres
    else
      fail "PostgreSQL at $(host_of "$DATABASE_URL") is not reachable (DATABASE_URL)"
    fi
    wait_for PostgreSQL pg_up
  fi
  local available
  available=$(psql "$(admin_url "$DATABASE_URL")" -Atqc "select count(*) from pg_available_extensions where name = 'postgis'")
  if [ "$available" = 0 ]; then
    is_local "$(host_of "$DATABASE_URL")" || fail "the PostgreSQL server has no PostGIS; install PostGIS 3 on it"
    local major
    major=$(psql "$(admin_url "$DATABASE_URL")" -Atqc "select current_setting('server_version_num')::int / 10000")
    apt_install "postgresql-$major-postgis-3"
  fi
  for url in "$DATABASE_URL" "$TEST_DATABASE_URL"; do
    local name
    name=$(db_name "$url")
    if [ "$(psql "$(admin_url "$url")" -Atqc "select count(*) from pg_database where datname = '$name'")" = 0 ]; then
      psql "$(admin_url "$url")" -qc "CREATE DATABASE \"$name\"" >/dev/null
    fi
    psql "$url" -qc 'CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm' >/dev/null 2>&1 \
      || fail "cannot create the postgis extension in $name (needs a superuser once)"
  done
}

redis_up() {
  local host port
  host=$(host_of "$REDIS_URL"); port=$(port_of "$REDIS_URL" 6379)
  timeout 2 bash -c "exec 3<>/dev/tcp/${host:-127.0.0.1}/$port && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG" 2>/dev/null
}

ensure_redis() {
  redis_up && return 0
  if docker_engine; then
    docker compose -f "$here/compose.yaml" up -d --wait redis >/dev/null || fail "docker compose could not start redis"
  elif is_local "$(host_of "$REDIS_URL")"; then
    command -v redis-server >/dev/null || apt_install redis-server
    mkdir -p /tmp/tisseco-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port "$(port_of "$REDIS_URL" 6379)" --save "" --appendonly no \
      --dir /tmp/tisseco-redis --logfile /tmp/tisseco-redis/redis.log >/dev/null
  else
    fail "Redis at $(host_of "$REDIS_URL") is not reachable (REDIS_URL)"
  fi
  wait_for Redis redis_up
}

smtp_up() {
  local host port
  host=$(host_of "$SMTP_URL"); port=$(port_of "$SMTP_URL" 25)
  timeout 2 bash -c "exec 3<>/dev/tcp/${host:-127.0.0.1}/$port && head -c 3 <&3 | grep -q 220" 2>/dev/null
}

ensure_smtp() {
  smtp_up && return 0
  if docker_engine; then
    docker compose -f "$here/compose.yaml" up -d --wait mailpit >/dev/null || fail "docker compose could not start mailpit"
  elif is_local "$(host_of "$SMTP_URL")"; then
    if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
      say "installing aiosmtpd (the local SMTP sink) with pip"
      python3 -m pip install --quiet --user aiosmtpd 2>/dev/null || python3 -m pip install --quiet aiosmtpd 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages aiosmtpd >/dev/null 2>&1 \
        || fail "cannot install aiosmtpd with pip; start an SMTP server at $SMTP_URL yourself"
    fi
    mkdir -p "$SMTP_SINK_DIR"
    SMTP_SINK_DIR="$SMTP_SINK_DIR" nohup python3 "$here/smtp-sink.py" "$(host_of "$SMTP_URL")" "$(port_of "$SMTP_URL" 25)" \
      >"$(dirname "$SMTP_SINK_DIR")/sink.log" 2>&1 &
  else
    fail "SMTP at $(host_of "$SMTP_URL") is not reachable (SMTP_URL)"
  fi
  wait_for SMTP smtp_up
}

ensure_postgres
ensure_redis
ensure_smtp
