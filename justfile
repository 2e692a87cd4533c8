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

# Start the whole platform with demo data and demo accounts; prints the docs URL.
dev: services
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --bin tisseco-api
    api=target/debug/tisseco-api
    export LOG_FORMAT="${LOG_FORMAT:-pretty}"
    # A development signing key, made once and kept out of git (production sets its own).
    mkdir -p .dev
    [ -s .dev/auth-private.key ] || "$api" generate-key | sed -n 's/^AUTH_PRIVATE_KEY=//p' > .dev/auth-private.key
    export AUTH_PRIVATE_KEY_FILE="${AUTH_PRIVATE_KEY_FILE:-$PWD/.dev/auth-private.key}"
    "$api" migrate
    "$api" seed
    echo "Demo accounts (development only):"
    "$api" seed-demo-users
    echo "Tisseco API: http://$HTTP_BIND/docs/  (OpenAPI: http://$HTTP_BIND/api/openapi.json)"
    echo "Sign in: curl -s http://$HTTP_BIND/api/v1/auth/login -H 'content-type: application/json' -d '{\"email\":\"manager@tisseco.test\",\"password\":\"demo-manager-password\"}'"
    exec "$api" serve

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

# Benchmarks (release builds; figures go into BENCHMARKS.md): `just bench auth`.
bench what: services
    bench/{{what}}.sh
