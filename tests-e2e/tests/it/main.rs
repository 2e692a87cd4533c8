//! End-to-end tests: the real HTTP app against real PostgreSQL/PostGIS.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test binary: a failed unwrap is a failed test, helpers included"
)]

mod areas;
mod cache;
mod containers;
mod contract;
mod geo_bad_input;
mod geo_public;
mod geo_search;
mod geo_world;
mod health;
mod migrations;
mod sites;
mod support;
