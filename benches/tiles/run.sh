#!/usr/bin/env bash
# `just bench tiles`: container map tiles at one million containers (the geo benchmark's
# data set, loaded if missing), at zoom 6, 10, 13 and 16 over dense (city centres) and
# sparse (countryside) places: the tile's exact SQL through pgbench (the reference), the
# endpoint through wrk served from the Redis tile cache, and the endpoint cold (an API
# instance with the tile cache off, CACHE_TTL_TILES_SECS=0, renders every tile, its tokens
# checked through Redis as in production); p50, p99 and tile bytes. Writes the section
# between the tiles markers of BENCHMARKS.md.
# Environment: BENCH_DATABASE_URL, BENCH_SECONDS (10), BENCH_PROFILE (release | debug),
# BENCH_PORT (18090; the cold instance listens on the next port), BENCH_SKIP_BUILD=1, BENCH_TOOL (the tisseco-bench binary writing the SQL).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
profile=${BENCH_PROFILE:-release}
db_url=${BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/tisseco_bench_geo}
admin_url="${db_url%/*}/postgres"
db_name=${db_url##*/}; db_name=${db_name%%\?*}
seconds=${BENCH_SECONDS:-10}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
conns=8
. benches/api-defaults.sh # workers, api_pool
pgbench=/usr/lib/postgresql/15/bin/pgbench
port=${BENCH_PORT:-18090}
cold_port=$((port + 1))
work=$(mktemp -d /tmp/tisseco-bench-tiles.XXXXXX)
say() { echo "bench tiles: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v wrk >/dev/null; then
  as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
say "$profile build"
if [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then say "using the binaries already in $target/$profile"
elif [ "$profile" = release ]; then cargo build --release --locked --bin tisseco-api --bin tisseco-bench
else cargo build --locked --bin tisseco-api --bin tisseco-bench; fi
bin="$target/$profile"

export AUTH_PRIVATE_KEY_FILE=${AUTH_PRIVATE_KEY_FILE:-$PWD/.dev/auth-private.key}
mkdir -p .dev
[ -s "$AUTH_PRIVATE_KEY_FILE" ] || "$bin/tisseco-api" generate-key | sed -n 's/^AUTH_PRIVATE_KEY=//p' > "$AUTH_PRIVATE_KEY_FILE"
psql "$admin_url" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1 \
  || psql "$admin_url" -qc "CREATE DATABASE $db_name"
DATABASE_URL=$db_url LOG_FORMAT=pretty RUST_LOG=warn "$bin/tisseco-api" migrate
if [ "$(psql "$db_url" -Atc "SELECT count(*) FROM containers")" != 1000000 ]; then
  say "loading 1,000,000 containers (a few minutes)"
  psql "$db_url" -qc "TRUNCATE audit_log, containers, areas, sites CASCADE"
  psql "$db_url" -q -f benches/geo/load.sql >/dev/null
fi

# Inputs: 8 city centres (dense) and 8 countryside containers (sparse), as tiles per zoom.
tile() { awk -v lat="$1" -v lon="$2" -v z="$3" 'BEGIN { pi = atan2(0, -1); n = 2 ^ z; r = lat * pi / 180;
  x = int((lon + 180) / 360 * n); y = int((1 - log(sin(r) / cos(r) + 1 / cos(r)) / pi) / 2 * n); print z "/" x "/" y }'; }
printf '%s\n' "48.8566 2.3522" "43.2965 5.3698" "45.7640 4.8357" "43.6047 1.4442" "43.7102 7.2620" \
  "47.2184 -1.5536" "43.6108 3.8767" "48.5734 7.7521" > "$work/dense.txt"
psql "$db_url" -AtF' ' -c "SELECT ST_Y(c.location), ST_X(c.location) FROM containers c JOIN sites s ON s.id = c.site_id
  WHERE s.code = 'bench-countryside' ORDER BY md5(c.id::text) LIMIT 8" > "$work/sparse.txt"
for density in dense sparse; do
  for z in 6 10 13 16; do
    dir="$work/$density-$z"; mkdir -p "$dir/sql"
    while read -r lat lon; do tile "$lat" "$lon" "$z"; done < "$work/$density.txt" | sort -u > "$dir/tiles.txt"
    while read -r t; do
      "${BENCH_TOOL:-$bin/tisseco-bench}" tile-sql ${t//\// } > "$dir/sql/${t//\//-}.sql"
      echo "/api/v1/tiles/containers/$t.mvt" >> "$dir/paths.txt"
    done < "$dir/tiles.txt"
  done
done

export RATE_LIMIT_PUBLIC=100000000/1 RATE_LIMIT_API=100000000/1
DATABASE_URL=$db_url LOG_FORMAT=json RUST_LOG=warn "$bin/tisseco-api" seed-demo-users > /dev/null
common=(env DATABASE_URL="$db_url" DATABASE_MAX_CONNECTIONS=$api_pool HTTP_WORKERS=$workers LOG_FORMAT=json RUST_LOG=error DATABASE_STATEMENT_TIMEOUT_MS=60000)
"${common[@]}" HTTP_BIND=127.0.0.1:$port METRICS_BIND=127.0.0.1:$((port + 2)) REDIS_KEY_PREFIX="bench-tiles:$$:" "$bin/tisseco-api" serve > "$work/api.log" 2>&1 &
api=$!
# The cold instance keeps no tile (CACHE_TTL_TILES_SECS=0): each request renders its tile,
# after the same token, revocation and rate-limit checks through Redis.
"${common[@]}" HTTP_BIND=127.0.0.1:$cold_port METRICS_BIND=127.0.0.1:$((port + 3)) REDIS_KEY_PREFIX="bench-tiles-cold:$$:" CACHE_TTL_TILES_SECS=0 "$bin/tisseco-api" serve > "$work/api-cold.log" 2>&1 &
cold=$!
trap 'kill $api $cold 2>/dev/null || true' EXIT
for p in $port $cold_port; do for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$p/health/ready" >/dev/null && break; sleep 0.2; done; done
BENCH_TOKEN=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"manager@tisseco.test","password":"demo-manager-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
export BENCH_TOKEN

percentile() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; printf "%.1f", a[i]/1000}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.1f", v}'; }
rows=()
for density in dense sparse; do
  for z in 6 10 13 16; do
    dir="$work/$density-$z"; files=()
    for f in "$dir"/sql/*.sql; do files+=(-f "$f"); done
    # the app's session settings: no JIT (adapter-postgres pool.rs)
    mkdir -p "$dir/log" && (cd "$dir/log" && PGOPTIONS="-c jit=off" "$pgbench" -n -c "$conns" -j 2 -T "$seconds" -M extended -l "${files[@]}" "$db_url?sslmode=disable" > ../pgbench.txt 2>&1)
    sql_p50=$(cat "$dir"/log/pgbench_log.* | awk '{print $3}' | percentile 50)
    sql_p99=$(cat "$dir"/log/pgbench_log.* | awk '{print $3}' | percentile 99)
    sizes=$(while read -r path; do curl -s -o /dev/null -w '%{size_download}\n' -H "Authorization: Bearer $BENCH_TOKEN" "http://127.0.0.1:$port$path"; done < "$dir/paths.txt" | sort -n)
    max_kb=$(echo "$sizes" | tail -1 | awk '{printf "%.1f", $1/1024}')
    med_kb=$(echo "$sizes" | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1024}')
    for which in cached cold; do
      p=$port; [ "$which" = cold ] && p=$cold_port
      wrk -t2 -c"$conns" -d"${seconds}s" --timeout 60s --latency -s benches/geo/wrk.lua "http://127.0.0.1:$p" -- "$dir/paths.txt" > "$dir/wrk-$which.txt"
      declare "${which}_p50=$(grep -P '^\s+50%' "$dir/wrk-$which.txt" | awk '{print $2}' | to_ms)"
      declare "${which}_p99=$(grep -P '^\s+99%' "$dir/wrk-$which.txt" | awk '{print $2}' | to_ms)"
      declare "${which}_errors=$(grep -oP 'Non-2xx or 3xx responses: \K[0-9]+' "$dir/wrk-$which.txt" || echo 0)"
    done
    ratio=$(awk -v a="$cold_p99" -v b="$sql_p99" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    row="| $density | $z | $(wc -l < "$dir/tiles.txt") | $sql_p50 | $sql_p99 | $cold_p50 | $cold_p99 | $ratio | $cached_p50 | $cached_p99 | $med_kb | $max_kb | $((cold_errors + cached_errors)) |"
    say "$row"; rows+=("$row")
  done
done

{
  echo "<!-- tiles:start -->"
  echo "## Map tiles at one million containers (\`just bench tiles\`)"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), $profile build, on $(nproc) cores shared by wrk, pgbench, the API and PostgreSQL (load average $(cut -d' ' -f1-3 /proc/loadavg) at the end). Data: the geo benchmark's 1,000,000 containers (\`benches/geo/load.sql\`). Tiles: those holding 8 city centres (dense) and 8 countryside containers (sparse) at each zoom; $conns connections, ${seconds} s per column. SQL: the statement the endpoint sends (\`tisseco-bench tile-sql\`), through pgbench. HTTP cold: an API instance with the tile cache off (\`CACHE_TTL_TILES_SECS=0\`), so every request renders its tile after the usual token checks through Redis; cached: the tile from Redis (the usual case until a container changes). Tile bytes: uncompressed MVT."
  echo
  echo "| places | zoom | tiles | SQL p50 ms | SQL p99 ms | HTTP cold p50 ms | HTTP cold p99 ms | cold p99 / SQL p99 | HTTP cached p50 ms | HTTP cached p99 ms | median KB | max KB | non-2xx |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Reproduce: \`just bench tiles\` (\`BENCH_PROFILE=debug\` to skip the release build)."
  echo "<!-- tiles:end -->"
} > "$work/section.md"
if grep -q '<!-- tiles:start -->' BENCHMARKS.md; then
  awk -v f="$work/section.md" '/<!-- tiles:start -->/ {while ((getline l < f) > 0) print l; skip=1} /<!-- tiles:end -->/ {skip=0; next} !skip' BENCHMARKS.md > "$work/b.md"
  cp "$work/b.md" BENCHMARKS.md
else
  { echo; cat "$work/section.md"; } >> BENCHMARKS.md
fi
cat "$work/section.md"
