#!/usr/bin/env bash
# Backup and restore end to end: a database of this test's own (migrated, the demo data,
# then 10,000 more containers with 2 kB of notes each, so the dump spans several 8 MiB
# multipart parts), an S3 server of its own (moto, from PyPI, on 127.0.0.1), age keys.
# `tisseco-api backup` (encrypted) → `restore --from` into a new database → `migrate` has
# nothing to do → every table's row count and checksum match. Also: a restore into a
# non-empty database is refused, a failed dump leaves no object, retention prunes. Prints
# the backup and restore times. Drops its databases and stops its server on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
venv="$target/backup-venv"
[ -x "$venv/bin/moto_server" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q 'moto[server]==5.2.5'; }
if ! command -v age >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq age
fi
cargo build -q --bin tisseco-api
api="$target/debug/tisseco-api"
# migrate and seed read the API's settings: a throwaway signing key
export AUTH_PRIVATE_KEY; AUTH_PRIVATE_KEY=$("$api" generate-key | sed -n 's/^AUTH_PRIVATE_KEY=//p')

server="${DATABASE_URL%/*}"
source_db="tisseco_ops_backup_$$"; restored_db="tisseco_ops_restore_$$"; demo_db="tisseco_ops_demo_$$"
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
moto_pid=""
cleanup() {
  [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null || true
  for db in "$source_db" "$restored_db" "$demo_db"; do psql -q "$server/postgres" -c "DROP DATABASE IF EXISTS $db" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
psql_in() { psql -qAt -v ON_ERROR_STOP=1 "$server/$1" -c "$2"; }
seconds_since() { python3 -c "import time,sys; print(f'{time.time()-float(sys.argv[1]):.2f}')" "$1"; }

"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
export BACKUP_S3_ENDPOINT="http://127.0.0.1:$port" BACKUP_S3_BUCKET=tisseco-backups \
  BACKUP_S3_PREFIX=test BACKUP_S3_ACCESS_KEY_ID=test BACKUP_S3_SECRET_ACCESS_KEY=test \
  LOG_FORMAT=json RUST_LOG=info
for _ in $(seq 1 100); do curl -sf "$BACKUP_S3_ENDPOINT/" >/dev/null && break; sleep 0.2; done
"$venv/bin/python" -c "import boto3,sys; boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id='test', aws_secret_access_key='test', region_name='us-east-1').create_bucket(Bucket='tisseco-backups')" "$BACKUP_S3_ENDPOINT"
backups() { "$api" list-backups | awk '{print $4}'; }

age-keygen -o "$work/backup.key" 2>/dev/null
export BACKUP_AGE_RECIPIENTS; BACKUP_AGE_RECIPIENTS=$(age-keygen -y "$work/backup.key")

psql_in postgres "CREATE DATABASE $source_db"
export DATABASE_URL="$server/$source_db"
"$api" migrate >/dev/null
"$api" seed >/dev/null

# the demo data alone: the figure an operator sees on a small deployment
started=$(date +%s.%N)
"$api" backup >"$work/demo.log"
demo_backup=$(seconds_since "$started")
psql_in postgres "CREATE DATABASE $demo_db"
started=$(date +%s.%N)
DATABASE_URL="$server/$demo_db" BACKUP_AGE_IDENTITY_FILE="$work/backup.key" "$api" restore --from "$(backups | head -1)" >/dev/null
echo "backup-test: demo data: backup $demo_backup s, restore $(seconds_since "$started") s"

psql_in "$source_db" "
  INSERT INTO containers (id, public_code, site_id, kind, status, location, notes, created_at, updated_at)
  SELECT gen_random_uuid(), 'BK' || translate(lpad(i::text, 7, '0'), '01', 'AB'), s.id, 'street_bin', 'active',
         ST_SetSRID(ST_MakePoint(2.2 + random() / 5, 48.8 + random() / 10), 4326),
         (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 64) WHERE i > 0),
         now(), now()
  FROM generate_series(1, 10000) AS i, (SELECT id FROM sites ORDER BY code LIMIT 1) AS s"
containers=$(psql_in "$source_db" "SELECT count(*) FROM containers")

started=$(date +%s.%N)
"$api" backup >"$work/backup.log"
backup_time=$(seconds_since "$started")
key=$(backups | head -1)
bytes=$(grep -o '"backup.bytes":[0-9]*' "$work/backup.log" | cut -d: -f2)
case "$key" in test/tisseco-*.pgdump.age) ;; *) echo "backup-test: unexpected key '$key'" >&2; exit 1 ;; esac
[ "$bytes" -gt $((8 * 1024 * 1024)) ] || { echo "backup-test: $bytes bytes: the dump should span several parts" >&2; exit 1; }
echo "backup-test: $containers containers: backup $backup_time s, $bytes bytes (encrypted), key $key"

psql_in postgres "CREATE DATABASE $restored_db"
export DATABASE_URL="$server/$restored_db"
started=$(date +%s.%N)
BACKUP_AGE_IDENTITY_FILE="$work/backup.key" "$api" restore --from "$key" >"$work/restore.log"
echo "backup-test: restore $(seconds_since "$started") s"
"$api" migrate >"$work/migrate.log"
grep -q '"migrations.applied":0' "$work/migrate.log" || { echo "backup-test: migrate after restore was not a no-op:" >&2; cat "$work/migrate.log" >&2; exit 1; }

# every table: row count and a checksum of all its rows, in both databases
tables=$(psql_in "$source_db" "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
  WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")
[ "$tables" = "$(psql_in "$restored_db" "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
  WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")" ] \
  || { echo "backup-test: the restored database has other tables" >&2; exit 1; }
compared=0
for table in $tables; do
  sql="SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) FROM $table t"
  before=$(psql_in "$source_db" "$sql"); after=$(psql_in "$restored_db" "$sql")
  [ "$before" = "$after" ] || { echo "backup-test: $table differs: $before vs $after" >&2; exit 1; }
  compared=$((compared + 1))
done
echo "backup-test: $compared tables identical (row counts and checksums)"

# a restore never lands on live data
if BACKUP_AGE_IDENTITY_FILE="$work/backup.key" "$api" restore --from "$key" >"$work/again.log" 2>&1; then
  echo "backup-test: a restore into a non-empty database was accepted" >&2; exit 1
fi
grep -q 'not empty' "$work/again.log" || { cat "$work/again.log" >&2; exit 1; }

# a dump that fails leaves nothing behind
count=$(backups | wc -l)
if DATABASE_URL="$server/tisseco_ops_missing_$$" "$api" backup >"$work/failed.log" 2>&1; then
  echo "backup-test: a backup of a missing database succeeded" >&2; exit 1
fi
[ "$(backups | wc -l)" = "$count" ] || { echo "backup-test: a failed backup left an object" >&2; exit 1; }

# retention: one copy a day, no weekly copies → the newest backup alone remains
sleep 1
DATABASE_URL="$server/$source_db" BACKUP_KEEP_DAILY=1 BACKUP_KEEP_WEEKLY=0 BACKUP_AGE_RECIPIENTS= "$api" backup >/dev/null
remaining=$(backups)
case "$remaining" in test/tisseco-*.pgdump) ;; *) echo "backup-test: retention kept: $remaining" >&2; exit 1 ;; esac
echo "backup-test: retention kept only $remaining"
echo "backup-test: ok"
