//! The fault suite (`just faults`): each test starts PostgreSQL and Redis of its own, then
//! stops, freezes or kills them (or the worker) under load, and checks that nothing is
//! lost, duplicated or dead-lettered. Slow (tens of seconds each), so `#[ignore]`d: plain
//! `just test` skips them. Each prints a `FAULT` line with its figures.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test binary: a failed unwrap is a failed test, helpers included"
)]

mod api;
mod mail;
mod queue;
mod redis_slow;
mod servers;
mod smtp;

use secrecy::SecretString;
use std::time::{Duration, Instant};
use tisseco_bootstrap::{PgSettings, QueueSettings, run_migrations};

/// Migrates the server's database.
pub async fn migrate(url: &str) {
    run_migrations(&SecretString::from(url.to_owned()))
        .await
        .unwrap();
}

pub fn pg_settings(url: &str, max_connections: usize) -> PgSettings {
    PgSettings {
        url: SecretString::from(url.to_owned()),
        max_connections,
        statement_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        application_name: "tisseco-faults".into(),
    }
}

pub fn queue_settings(url: &str) -> QueueSettings {
    QueueSettings {
        url: url.to_owned(),
        prefix: "faults".into(),
        queues: vec!["events".into(), "mail".into()],
        command_timeout: Duration::from_millis(500),
        dedup_ttl: QueueSettings::DEDUP_TTL,
        ca_file: None,
    }
}

/// Polls `check` every 50 ms until it holds or `limit` passes; whether it held.
pub async fn wait_until<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        if started.elapsed() >= limit {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

/// Polls `check` every 50 ms until it holds; fails the test after `limit`.
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
