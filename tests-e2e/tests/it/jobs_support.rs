//! Helpers for queue, outbox and mail tests: a schema of their own (several connections see
//! committed data), per-test Redis prefixes, consumers with test settings, captured logs.

use crate::support::{queue_settings, test_database_url, unique};
use async_trait::async_trait;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use secrecy::SecretString;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tisseco_application::jobs::{Handlers, Job, JobError, JobHandler};
use tisseco_bootstrap::{
    Consumer, ConsumerHandle, ConsumerSettings, PgStore, PoolMode, RedisJobQueue, run_migrations,
};

/// A migrated schema of its own, dropped by [`Schema::drop`].
pub struct Schema {
    pub url: String,
    name: String,
}

impl Schema {
    pub async fn create() -> Self {
        let base = test_database_url();
        let name = format!("jobs_{}", uuid::Uuid::new_v4().simple());
        let mut admin = AsyncPgConnection::establish(&base).await.unwrap();
        admin
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .await
            .unwrap();
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{name}%2Cpublic");
        run_migrations(&SecretString::from(url.clone()))
            .await
            .unwrap();
        Self { url, name }
    }

    pub fn store(&self) -> PgStore {
        let pool = tisseco_adapter_postgres::build_pool(
            &crate::support::pg_settings(&self.url, 4),
            PoolMode::Normal,
        )
        .unwrap();
        PgStore::new(pool).with_bulk_url(SecretString::from(self.url.clone()))
    }

    pub async fn drop(self) {
        let mut admin = AsyncPgConnection::establish(&test_database_url())
            .await
            .unwrap();
        admin
            .batch_execute(&format!("DROP SCHEMA {} CASCADE", self.name))
            .await
            .unwrap();
    }
}

/// A queue whose keys no other test uses.
pub fn test_queue() -> RedisJobQueue {
    RedisJobQueue::connect(&queue_settings(&unique("t"))).unwrap()
}

/// Fast settings: short backoff, short visibility timeout, frequent promotion.
pub fn fast_settings() -> ConsumerSettings {
    ConsumerSettings {
        concurrency: 8,
        batch: 64,
        max_attempts: 3,
        backoff_base: Duration::from_millis(100),
        backoff_max: Duration::from_secs(2),
        visibility_timeout: Duration::from_secs(30),
        promote_every: Duration::from_millis(20),
        outage_backoff_max: Duration::from_millis(500),
        heartbeat: Duration::from_millis(200),
    }
}

pub async fn consume(
    queue: &RedisJobQueue,
    name: &str,
    settings: ConsumerSettings,
    handler: Arc<dyn JobHandler>,
) -> ConsumerHandle {
    Consumer::start(
        queue,
        name,
        &unique("consumer"),
        settings,
        Handlers::new().otherwise(handler),
    )
    .await
    .unwrap()
}

/// Polls `check` every 20 ms until it holds; fails the test after `limit`.
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A handler that fails the first `failures` attempts of each job, records when each
/// attempt started, and applies its effect once per job id (the effect count is per id).
#[derive(Default)]
pub struct Flaky {
    pub failures: u32,
    pub attempts: Mutex<Vec<(String, Instant)>>,
    pub effects: Mutex<HashMap<String, u32>>,
    /// While set, every attempt fails (a dependency down).
    pub broken: std::sync::atomic::AtomicBool,
    /// How long each attempt takes.
    pub work: Duration,
    /// Attempts still to fail with `Unavailable` (a database down), before anything else.
    pub outage: std::sync::atomic::AtomicU32,
}

impl Flaky {
    pub fn effects_of(&self, id: &str) -> u32 {
        self.effects.lock().unwrap().get(id).copied().unwrap_or(0)
    }

    pub fn total_effects(&self) -> u32 {
        self.effects.lock().unwrap().values().sum()
    }

    pub fn attempts_of(&self, id: &str) -> Vec<Instant> {
        self.attempts
            .lock()
            .unwrap()
            .iter()
            .filter(|(job, _)| job == id)
            .map(|(_, at)| *at)
            .collect()
    }
}

#[async_trait]
impl JobHandler for Flaky {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        self.attempts
            .lock()
            .unwrap()
            .push((job.id.clone(), Instant::now()));
        if !self.work.is_zero() {
            tokio::time::sleep(self.work).await;
        }
        let during_outage = self
            .outage
            .fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |left| left.checked_sub(1),
            )
            .is_ok();
        if during_outage {
            return Err(JobError::Unavailable(
                "the database system is shutting down".into(),
            ));
        }
        if self.broken.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(JobError::Retry("the dependency is down".into()));
        }
        if job.attempt <= self.failures {
            return Err(JobError::Retry(format!("failure {}", job.attempt)));
        }
        *self
            .effects
            .lock()
            .unwrap()
            .entry(job.id.clone())
            .or_default() += 1;
        Ok(())
    }
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

static LOGS: OnceLock<Buffer> = OnceLock::new();

/// Installs (once) a global subscriber writing JSON lines, as the binaries do, to memory.
pub fn capture_logs() {
    LOGS.get_or_init(|| {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .flatten_event(true)
            .with_env_filter("info")
            .with_writer(move || writer.clone())
            .init();
        buffer
    });
}

/// Captured log lines containing `needle`.
pub fn log_lines_with(needle: &str) -> Vec<String> {
    let Some(buffer) = LOGS.get() else {
        return Vec::new();
    };
    let bytes = buffer.0.lock().unwrap().clone();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|line| line.contains(needle))
        .map(str::to_owned)
        .collect()
}

/// Builds the worker for the schema at `url` and starts it as the binary does (relaying the
/// outbox every `worker.outbox_poll`; no health server, no sweep of stale uploads). Returns
/// its queue too, to purge it at the end.
pub async fn started_worker(
    url: &str,
    queue: &tisseco_bootstrap::QueueSettings,
    worker: &tisseco_bootstrap::jobs::WorkerSettings,
) -> (RedisJobQueue, tisseco_worker::RunningWorker) {
    let parts =
        tisseco_bootstrap::jobs::build_worker(&crate::support::pg_settings(url, 4), queue, worker)
            .expect("the worker's adapters");
    let running = tisseco_worker::start(tisseco_worker::WorkerPlan {
        consumers: parts.consumers,
        handlers: parts.handlers,
        relay: Some((parts.relay, worker.outbox_poll)),
        health: None,
        stale_uploads: None,
        probes: Vec::new(),
        name: unique("worker"),
    })
    .await
    .expect("a running worker");
    (parts.queue, running)
}
