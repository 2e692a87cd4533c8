//! End-to-end tests: the real HTTP app against real PostgreSQL/PostGIS, Redis and SMTP.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test binary: a failed unwrap is a failed test, helpers included"
)]

mod access_matrix;
mod areas;
mod atomic;
mod auth;
mod browser;
mod cache;
mod containers;
mod contract;
mod dashboard;
mod download_links;
mod excel_files;
mod geo_bad_input;
mod geo_edges;
mod geo_public;
mod geo_search;
mod geo_world;
mod health;
mod http_edges;
mod import_apply;
mod import_edges;
mod import_merge;
mod import_plans;
mod imports;
mod input_edges;
mod jobs_support;
mod labels;
mod languages;
mod mail;
mod migrations;
mod open311;
mod outages;
mod outbox;
mod plan_day;
mod pool_settings;
mod predict_worker;
mod queue;
mod rate_limits;
mod report_mail;
mod reporters;
mod reports;
mod sites;
mod stats;
mod stats_more;
mod stats_projections;
mod support;
mod thread_connections;
mod tiles;
mod tour_route;
mod tours;
mod traces;
