#!/usr/bin/env bash
# TLS to PostgreSQL and Redis against servers of this test's own: a test CA, a server
# certificate for `localhost` only, a PostgreSQL cluster with ssl=on (pg_createcluster) and
# a redis-server with --tls-port. Runs the ignored `tls_` tests against them, then stops
# and removes both servers. Needs root (or the postgres account) for pg_createcluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
cluster="tisseco_tls_$$"
work=$(mktemp -d)
chmod 755 "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pg_port=$(free_port); redis_port=$(free_port)
redis_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  pg_dropcluster --stop "$version" "$cluster" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The CA and a server certificate for localhost (DNS only: 127.0.0.1 is a wrong name).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Tisseco test CA" \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >"$work/ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
  -CAcreateserial -days 2 -extfile "$work/ext" -out "$work/server.pem" 2>/dev/null
chown postgres "$work/server.key" "$work/server.pem" && chmod 600 "$work/server.key"
chmod 644 "$work/ca.pem"

pg_createcluster "$version" "$cluster" -p "$pg_port" >/dev/null -- --auth-host=trust --auth-local=trust
conf="/etc/postgresql/$version/$cluster/postgresql.conf"
{
  echo "listen_addresses = '127.0.0.1'"
  echo "ssl = on"
  echo "ssl_cert_file = '$work/server.pem'"
  echo "ssl_key_file = '$work/server.key'"
} >>"$conf"
pg_ctlcluster "$version" "$cluster" start
psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE DATABASE tisseco_tls" postgres

redis-server --port 0 --tls-port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  --tls-cert-file "$work/server.pem" --tls-key-file "$work/server.key" \
  --tls-ca-cert-file "$work/ca.pem" --tls-auth-clients no --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!

export TLS_TEST_PG_PORT="$pg_port" TLS_TEST_REDIS_PORT="$redis_port" TLS_TEST_CA="$work/ca.pem"
cargo test -q -p tisseco-adapter-postgres -p tisseco-adapter-cache -p tisseco-adapter-queue \
  --lib tls_ -- --ignored --test-threads 1
echo "tls-test: ok"
