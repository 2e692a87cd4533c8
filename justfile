# Every developer task. `just` lists them.
set shell := ["bash", "-euo", "pipefail", "-c"]

export DATABASE_URL := env("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/tisseco")
export TEST_DATABASE_URL := env("TEST_DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/tisseco_test")
export REDIS_URL := env("REDIS_URL", "redis://127.0.0.1:6379")
export HTTP_BIND := env("HTTP_BIND", "127.0.0.1:8080")

# Crates that must stay free of I/O: the core of the hexagon.
inner_crates := "tisseco-domain tisseco-application"
io_crates := "diesel diesel-async tokio-postgres actix-web fred redis deadpool-redis lettre biscuit-auth"

default:
    @just --list

# Make PostgreSQL + PostGIS and Redis available (reuse, docker compose, or apt).
services:
    @deploy/services.sh

# Start the whole platform with demo data; prints the URL of the API docs.
dev: services
    cargo build --bin tisseco-api
    target/debug/tisseco-api migrate
    target/debug/tisseco-api seed
    @echo "Tisseco API: http://$HTTP_BIND/docs/  (OpenAPI: http://$HTTP_BIND/api/openapi.json)"
    LOG_FORMAT="${LOG_FORMAT:-pretty}" target/debug/tisseco-api serve

# Everything CI checks: formatting, lints, the dependency rule and every test.
test: services fmt-check lint check-deps test-only

# Run the tests only (unit and end-to-end).
test-only: services
    #!/usr/bin/env bash
    set -euo pipefail
    if cargo nextest --version >/dev/null 2>&1; then
      cargo nextest run --workspace --no-fail-fast
    else
      cargo test --workspace --no-fail-fast
    fi

fmt-check:
    cargo fmt --all -- --check

lint:
    cargo clippy --workspace --all-targets --locked -- -D warnings

# Fail if domain or application depend, even transitively, on an I/O crate.
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
    exit "$broken"

# Apply migrations to the development database.
migrate: services
    cargo run -q --bin tisseco-api -- migrate

# Load the demo data set into the development database.
seed: migrate
    cargo run -q --bin tisseco-api -- seed

# Benchmarks, writing their figures to BENCHMARKS.md: `just bench geo` (1M containers,
# pgbench vs wrk at 32 connections; release build; needs root/sudo once to install wrk).
bench target:
    #!/usr/bin/env bash
    set -euo pipefail
    case "{{target}}" in
      geo) benches/geo/run.sh ;;
      *) echo "unknown benchmark '{{target}}'; known: geo" >&2; exit 2 ;;
    esac

# Check OGC API Features with a real client (OWSLib, in a virtualenv) against a running
# API with data (`just dev` in another shell).
ogc-check url=("http://" + HTTP_BIND + "/api/v1/ogc"):
    #!/usr/bin/env bash
    set -euo pipefail
    venv="${CARGO_TARGET_DIR:-target}/owslib-venv"
    [ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q owslib==0.35.0; }
    "$venv/bin/python" tests-e2e/ogc/owslib_check.py "{{url}}"
