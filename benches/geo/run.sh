#!/usr/bin/env bash
# `just bench geo`: 1,000,000 containers in a benchmark database, then back to back on the
# same data: each search's exact SQL through pgbench (the physical limit) and the HTTP
# endpoint through wrk, 32 connections each; writes BENCHMARKS.md.
# Environment: BENCH_DATABASE_URL, BENCH_SECONDS (15), BENCH_RELOAD=1 (reload the data).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
db_url=${BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/tisseco_bench_geo}
admin_url="${db_url%/*}/postgres"
db_name=${db_url##*/}; db_name=${db_name%%\?*}
seconds=${BENCH_SECONDS:-15}
conns=32
# The API's own pool: on 2 cores, more PostgreSQL backends than cores only queue (radius
# measured 945 req/s, p99 393 ms with 32; 1,126 req/s, p99 71 ms with 8).
. benches/api-defaults.sh # workers, api_pool
pgbench=/usr/lib/postgresql/15/bin/pgbench
port=${BENCH_PORT:-18080}
work=$(mktemp -d /tmp/tisseco-bench-geo.XXXXXX)
say() { echo "bench geo: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Tools and binaries.
if ! command -v wrk >/dev/null; then
  say "installing wrk"
  as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
say "release build"
cargo build --release --locked --bin tisseco-api --bin tisseco-bench
api="$target/release/tisseco-api"

# 2. The database and its data (every API command needs a signing key, `migrate` too).
export AUTH_PRIVATE_KEY_FILE=${AUTH_PRIVATE_KEY_FILE:-$PWD/.dev/auth-private.key}
mkdir -p .dev
[ -s "$AUTH_PRIVATE_KEY_FILE" ] || "$api" generate-key | sed -n 's/^AUTH_PRIVATE_KEY=//p' > "$AUTH_PRIVATE_KEY_FILE"
psql "$admin_url" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1 \
  || psql "$admin_url" -qc "CREATE DATABASE $db_name"
DATABASE_URL=$db_url LOG_FORMAT=pretty RUST_LOG=warn "$api" migrate
count=$(psql "$db_url" -Atc "SELECT count(*) FROM containers")
fresh=0
if [ "$count" != 1000000 ] || [ "${BENCH_RELOAD:-0}" = 1 ]; then
  say "loading 1,000,000 containers (a few minutes)"
  psql "$db_url" -qc "TRUNCATE audit_log, containers, areas, sites CASCADE"
  load_started=$(date +%s)
  psql "$db_url" -q -f benches/geo/load.sql >/dev/null
  say "loaded in $(( $(date +%s) - load_started )) s"
  fresh=1
fi

# 3. Inputs: 100 centres (pgbench takes at most 128 scripts) where containers are (users look near them), 50 areas.
psql "$db_url" -AtF' ' -c "SELECT ST_X(location), ST_Y(location) FROM containers WHERE archived_at IS NULL ORDER BY md5(id::text) LIMIT 100" > "$work/centres.txt"
psql "$db_url" -AtF$'\t' -c "SELECT id, ST_AsGeoJSON(boundary, 15) FROM areas ORDER BY md5(id::text) LIMIT 50" > "$work/areas.txt"
"$target/release/tisseco-bench" scripts "$work/centres.txt" "$work/areas.txt" "$work"

# 4. Measurements.
pg_conn="$db_url?sslmode=disable"
percentile() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; printf "%.2f", a[i]/1000}'; }
declare -A sql_tps sql_p50 sql_p99 http_rps http_p50 http_p99 http_errors http_rss
run_pgbench() { # name [label]
  local name=$1 label=${2:-$1} files=()
  for f in "$work"/pgbench/"$name"/*.sql; do files+=(-f "$f"); done
  # the app's session settings: no JIT (adapter-postgres pool.rs)
  mkdir -p "$work/log-$label" && (cd "$work/log-$label" && PGOPTIONS="-c jit=off" "$pgbench" -n -c "$conns" -j 2 -T "$seconds" -M extended -l "${files[@]}" "$pg_conn" > ../"pgbench-$label.txt" 2>&1)
  sql_tps[$label]=$(grep -oP 'tps = \K[0-9.]+' "$work/pgbench-$label.txt" | head -1)
  sql_p50[$label]=$(cat "$work/log-$label"/pgbench_log.* | awk '{print $3}' | percentile 50)
  sql_p99[$label]=$(cat "$work/log-$label"/pgbench_log.* | awk '{print $3}' | percentile 99)
  say "pgbench $label: ${sql_tps[$label]} tps, p50 ${sql_p50[$label]} ms, p99 ${sql_p99[$label]} ms"
}
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}'; }
run_wrk() { # label paths [bodies|-] [jitter]
  local label=$1 paths=$2 bodies=${3:--} mode=${4:-}
  local rss_file="$work/rss-$label" ; echo 0 > "$rss_file"
  ( while kill -0 "$api_pid" 2>/dev/null; do r=$(ps -o rss= -p "$api_pid" | tr -d ' '); [ "${r:-0}" -gt "$(cat "$rss_file")" ] && echo "$r" > "$rss_file"; sleep 0.5; done ) & local sampler=$!
  wrk -t2 -c"$conns" -d"${seconds}s" --latency -s benches/geo/wrk.lua "http://127.0.0.1:$port" -- "$paths" "$bodies" "$mode" > "$work/wrk-$label.txt"
  kill "$sampler" 2>/dev/null || true
  http_rps[$label]=$(grep -oP 'Requests/sec:\s+\K[0-9.]+' "$work/wrk-$label.txt")
  http_p50[$label]=$(grep -P '^\s+50%' "$work/wrk-$label.txt" | awk '{print $2}' | to_ms)
  http_p99[$label]=$(grep -P '^\s+99%' "$work/wrk-$label.txt" | awk '{print $2}' | to_ms)
  http_errors[$label]=$(grep -oP 'Non-2xx or 3xx responses: \K[0-9]+' "$work/wrk-$label.txt" || echo 0)
  http_rss[$label]=$(( $(cat "$rss_file") / 1024 ))
  say "wrk $label: ${http_rps[$label]} req/s, p50 ${http_p50[$label]} ms, p99 ${http_p99[$label]} ms, non-2xx ${http_errors[$label]}, RSS ${http_rss[$label]} MB"
}

if [ "$fresh" = 1 ]; then
  say "physical order: insertion (random) order first"
  run_pgbench radius radius-unclustered
  run_pgbench bbox bbox-unclustered
  say "CLUSTER containers USING containers_location_gist"
  cluster_started=$(date +%s)
  psql "$db_url" -qc "CLUSTER containers USING containers_location_gist" -c "ANALYZE containers"
  cluster_seconds=$(( $(date +%s) - cluster_started ))
  echo "$cluster_seconds" > "$root/benches/geo/.last-cluster-seconds"
fi

# Plans at one million rows, default planner settings: none may scan the table.
plans="$work/plans.txt"; : > "$plans"
for kind in radius nearest bbox polygon public; do
  echo "-- $kind" >> "$plans"
  psql "$db_url" -At -c "EXPLAIN $(cat "$work/pgbench/$kind/0.sql")" >> "$plans"
done
if grep -q "Seq Scan on containers" "$plans"; then say "a search scans the table:"; cat "$plans"; exit 1; fi

say "starting the API (release, $workers HTTP workers, $api_pool database connections)"
# Staff searches need a manager's token; limits far above what the run sends.
export RATE_LIMIT_PUBLIC=100000000/1 RATE_LIMIT_API=100000000/1
DATABASE_URL=$db_url LOG_FORMAT=json RUST_LOG=warn "$api" seed-demo-users > /dev/null
DATABASE_URL=$db_url DATABASE_MAX_CONNECTIONS=$api_pool HTTP_BIND=127.0.0.1:$port HTTP_WORKERS=$workers \
  LOG_FORMAT=json RUST_LOG=warn REDIS_KEY_PREFIX="bench:$$:" CACHE_TTL_PUBLIC_SECS=600 \
  "$api" serve > "$work/api.log" 2>&1 &
api_pid=$!
trap 'kill $api_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
BENCH_TOKEN=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"manager@tisseco.test","password":"demo-manager-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
export BENCH_TOKEN

for kind in radius nearest bbox polygon area public; do
  [ "$kind" = area ] || [ "$kind" = public ] || run_pgbench "$kind"
  case $kind in
    polygon) run_wrk polygon "$work/wrk/polygon.paths" "$work/wrk/polygon.bodies" ;;
    area) run_pgbench area; run_wrk area-cached "$work/wrk/area.paths" ;;
    public)
      run_pgbench public
      run_wrk public-cold "$work/wrk/public.paths" - jitter
      BENCH_WARM=1 wrk -t2 -c8 -d3s -s benches/geo/wrk.lua "http://127.0.0.1:$port" -- "$work/wrk/public.paths" >/dev/null
      run_wrk public-cached "$work/wrk/public.paths" ;;
    *) run_wrk "$kind" "$work/wrk/$kind.paths" ;;
  esac
done
kill "$api_pid" 2>/dev/null || true

# 5. BENCHMARKS.md
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row() { # label sql-label
  local h=$1 s=$2
  echo "| $h | ${http_rps[$h]} | ${http_p50[$h]} | ${http_p99[$h]} | ${sql_tps[$s]:--} | ${sql_p50[$s]:--} | ${sql_p99[$s]:--} | $(ratio "${http_rps[$h]}" "${sql_tps[$s]:-0}") | $(ratio "${http_p99[$h]}" "${sql_p99[$s]:-0}") | ${http_rss[$h]} | ${http_errors[$h]} |"
}
{
  echo "# Benchmarks"
  echo
  echo "## Geo search at one million containers (\`just bench geo\`)"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/Mem:/ {print $2}') GB RAM,"
  echo "$(psql "$db_url" -Atc 'SELECT version()' | cut -d, -f1), PostGIS $(psql "$db_url" -Atc 'SELECT postgis_lib_version()'), Redis $(redis-cli INFO server 2>/dev/null | sed -n 's/^redis_version:\(.*\)\r*$/\1/p' | tr -d '\r')."
  echo "Client (wrk/pgbench), API and PostgreSQL share these cores (load average $(cut -d' ' -f1-3 /proc/loadavg) at the end of this run, the benchmark's own load included): compare columns of the same run, not absolute values. HTTP: wrk with $conns connections, the API with $workers HTTP workers and a pool of $api_pool PostgreSQL connections; SQL: pgbench with $conns connections."
  echo
  echo "Data: 1,000,000 containers (\`benches/geo/load.sql\`: 80 % in Gaussian clusters around 40 French cities weighted by population, 20 % uniform countryside; 1 % archived), 240 areas."
  echo "Inputs: 100 centres drawn from the containers themselves (where people look), 50 areas. Each SQL column runs **exactly the statement the endpoint sends** (written by \`tisseco-bench scripts\` from the adapter's own SQL builder, values inlined), one pgbench script per input, chosen at random per transaction. pgbench runs with \`-M extended\` and parses and plans every search; the API prepares each statement text once per connection and plans every execution for its values (\`plan_cache_mode = force_custom_plan\`), so the parse is the only work pgbench does that the API skips."
  echo
  echo "| endpoint | HTTP req/s | HTTP p50 ms | HTTP p99 ms | SQL tps | SQL p50 ms | SQL p99 ms | HTTP/SQL throughput | HTTP/SQL p99 | API RSS MB | non-2xx |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  row radius radius
  row nearest nearest
  row bbox bbox
  row polygon polygon
  row area-cached area
  row public-cold public
  row public-cached public
  echo
  echo "- radius: \`GET /api/v1/containers/search/radius?lat=…&lon=…&radius_m=1000&limit=50\`; nearest: \`…/search/nearest?…&limit=20\`; bbox: \`…/search/bbox?bbox=…\` (a box of about 3 × 3.3 km, limit 50)."
  echo "- polygon: \`POST …/search/polygon?limit=50\` with an area's boundary (17-vertex circle, r = 1.5 km); area-cached: \`GET …/search/area/{id}?limit=50\` served from Redis after the first miss (its SQL column is the uncached pair: area row + polygon search)."
  echo "- public-cold: \`GET /api/v1/public/containers/nearby?lat=…&lon=…&radius_m=1000&limit=20\` with coordinates jittered per request (nearly every request misses the cache: version GET + GET + query + SET); public-cached: the same 100 points, warm."
  echo "- Cached public lookup vs cold: **$(ratio "${http_rps[public-cached]}" "${http_rps[public-cold]}")×**."
  if [ "$fresh" = 1 ]; then
    echo
    echo "### Physical order"
    echo
    echo "Same SQL before and after \`CLUSTER containers USING containers_location_gist\` (${cluster_seconds} s):"
    echo
    echo "| SQL | insertion order tps | p99 ms | clustered tps | p99 ms |"
    echo "|---|---|---|---|---|"
    echo "| radius 1 km | ${sql_tps[radius-unclustered]} | ${sql_p99[radius-unclustered]} | ${sql_tps[radius]} | ${sql_p99[radius]} |"
    echo "| bbox page | ${sql_tps[bbox-unclustered]} | ${sql_p99[bbox-unclustered]} | ${sql_tps[bbox]} | ${sql_p99[bbox]} |"
  fi
  echo
  echo "### Commands"
  echo
  echo '```sh'
  echo "CARGO_TARGET_DIR=$target just bench geo        # BENCH_SECONDS=$seconds, 32 connections"
  echo "$pgbench -n -c $conns -j 2 -T $seconds -M extended -l -f <one script per input>... '$pg_conn'"
  echo "wrk -t2 -c$conns -d${seconds}s --latency -s benches/geo/wrk.lua http://127.0.0.1:$port -- <paths> [bodies|-] [jitter]"
  echo "# API: HTTP_WORKERS=$workers DATABASE_MAX_CONNECTIONS=$api_pool RUST_LOG=warn target/release/tisseco-api serve"
  echo '```'
  echo
  echo "### Plans at one million rows (default planner settings; the run fails if one scans the table)"
  echo
  echo '```'
  grep -E '^--|Limit|Index|Scan|Order By|Sort' "$plans" | sed 's/0101000020E6100000[0-9A-F]*/<point>/g; s/0103000020E6100000[0-9A-F]*/<polygon>/g; s/0106000020E6100000[0-9A-F]*/<multipolygon>/g' | cut -c1-160
  echo '```'
} > "$work/section.md"
# Replace this benchmark's section of BENCHMARKS.md, keeping the others.
python3 - "$work/section.md" <<'PY'
import re, sys
section = open(sys.argv[1]).read()
section = section[section.index("## "):] if "## " in section else section
try:
    current = open("BENCHMARKS.md").read()
except FileNotFoundError:
    current = "# Benchmarks\n\n"
pattern = re.compile(r"## Geo search.*?(?=^## |\Z)", re.S | re.M)
updated = pattern.sub(lambda _: section.rstrip() + "\n\n", current, count=1) if pattern.search(current) else current.rstrip() + "\n\n" + section
open("BENCHMARKS.md", "w").write(updated)
PY
say "wrote BENCHMARKS.md (raw outputs in $work)"
