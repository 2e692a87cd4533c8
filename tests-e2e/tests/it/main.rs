//! End-to-end tests: the real HTTP app against real PostgreSQL/PostGIS.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test binary: a failed unwrap is a failed test, helpers included"
)]

mod access_matrix;
mod areas;
mod auth;
mod containers;
mod contract;
mod health;
mod migrations;
mod rate_limits;
mod sites;
mod support;
