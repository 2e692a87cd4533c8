#!/usr/bin/env bash
# Builds the image IMAGE (default tisseco:dev) from release binaries built on this host:
# base images cannot be pulled here, so the Rust build stage is skipped (--target prebuilt).
# CI and the release workflow build the `runtime` target, compiling in rust:…-slim.
set -euo pipefail
cd "$(dirname "$0")/../.."
image="${1:-tisseco:dev}"
cargo build --release --locked --bin tisseco-api --bin tisseco-worker
# cargo writes where CARGO_TARGET_DIR says: reading ./target/release instead would package
# stale binaries (or none) when it points elsewhere
release="${CARGO_TARGET_DIR:-target}/release"
# symbols are a third of the binaries; the image does without them. target/image/ stays in
# this folder: it is the build context (.dockerignore).
mkdir -p target/image
for bin in tisseco-api tisseco-worker; do
  strip -o "target/image/$bin" "$release/$bin"
done
docker build --network host -f deploy/Dockerfile --target prebuilt \
  --build-arg VERSION="$(git describe --tags --always 2>/dev/null || echo dev)" \
  --build-arg REVISION="$(git rev-parse HEAD)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -t "$image" .
