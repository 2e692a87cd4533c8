//! `just bench queue`: no-op jobs end to end through Redis with one worker (the same consumer
//! runtime as `tisseco-worker`, acknowledging each job only after its handler returned),
//! then the outbox relay rate. Prints Markdown for BENCHMARKS.md.
#![expect(clippy::unwrap_used, reason = "a benchmark: a failure aborts it")]

use async_trait::async_trait;
use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use secrecy::SecretString;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tisseco_application::jobs::{EVENTS_QUEUE, Handlers, Job, JobError, JobHandler, JobQueue};
use tisseco_application::outbox::OutboxRelay;
use tisseco_bootstrap::{
    Consumer, ConsumerSettings, PgOutbox, PgStore, PoolMode, QueueSettings, RedisJobQueue,
    run_migrations,
};

const JOBS: usize = 200_000;
const BATCH: usize = 500;
const EVENTS: i64 = 50_000;

/// Does nothing but note how long the job took from enqueue to its handler's return.
#[derive(Default)]
struct Noop {
    latencies_us: Mutex<Vec<u32>>,
}

#[async_trait]
impl JobHandler for Noop {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        let waited = (Utc::now() - job.enqueued_at)
            .num_microseconds()
            .unwrap_or(0);
        self.latencies_us
            .lock()
            .unwrap()
            .push(u32::try_from(waited).unwrap_or(u32::MAX));
        Ok(())
    }
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[index]) / 1_000.0
}

async fn wait_until_empty(queue: &RedisJobQueue) {
    loop {
        let counts = queue.counts(EVENTS_QUEUE).await.unwrap();
        if counts.depth + counts.in_flight == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn enqueue_all(queue: &RedisJobQueue, count: usize, per_second: Option<usize>) {
    let started = Instant::now();
    let mut sent = 0;
    while sent < count {
        let jobs: Vec<Job> = (0..BATCH.min(count - sent))
            .map(|_| Job::new("noop", serde_json::Value::Null, Some("bench".into())))
            .collect();
        queue.enqueue(EVENTS_QUEUE, &jobs).await.unwrap();
        sent += jobs.len();
        if let Some(rate) = per_second {
            let due = Duration::from_secs_f64(sent as f64 / rate as f64);
            if let Some(ahead) = due.checked_sub(started.elapsed()) {
                tokio::time::sleep(ahead).await;
            }
        }
    }
}

async fn jobs_benchmark(queue: &RedisJobQueue, settings: ConsumerSettings) -> (f64, Vec<u32>) {
    let noop = Arc::new(Noop::default());
    let consumer = Consumer::start(
        queue,
        EVENTS_QUEUE,
        "bench",
        settings.clone(),
        Handlers::new().on("noop", noop.clone()),
    )
    .await
    .unwrap();
    // Throughput: the producer floods while the worker consumes.
    let started = Instant::now();
    enqueue_all(queue, JOBS, None).await;
    wait_until_empty(queue).await;
    let rate = JOBS as f64 / started.elapsed().as_secs_f64();
    // Latency: a steady 10,000 jobs/s for 5 s.
    noop.latencies_us.lock().unwrap().clear();
    enqueue_all(queue, 50_000, Some(10_000)).await;
    wait_until_empty(queue).await;
    consumer.stop().await.unwrap();
    let mut latencies = std::mem::take(&mut *noop.latencies_us.lock().unwrap());
    latencies.sort_unstable();
    (rate, latencies)
}

async fn outbox_benchmark(queue: &RedisJobQueue) -> f64 {
    let base = env(
        "TEST_DATABASE_URL",
        "postgres://postgres:postgres@127.0.0.1:5432/tisseco_test",
    );
    let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin = AsyncPgConnection::establish(&base).await.unwrap();
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-c%20search_path%3D{schema}%2Cpublic");
    run_migrations(&SecretString::from(url.clone()))
        .await
        .unwrap();
    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
    conn.batch_execute(&format!(
        "INSERT INTO outbox (event_type, aggregate_type, aggregate_id, payload, correlation_id) \
         SELECT 'container.updated', 'container', gen_random_uuid(), \
                '{{\"status\": \"full\"}}'::jsonb, 'bench-' || g FROM generate_series(1, {EVENTS}) g"
    ))
    .await
    .unwrap();
    let settings = tisseco_bootstrap::PgSettings {
        url: SecretString::from(url.clone()),
        max_connections: 4,
        statement_timeout: Duration::from_secs(30),
        connect_timeout: Duration::from_secs(5),
        application_name: "tisseco-bench".into(),
    };
    let store =
        PgStore::new(tisseco_adapter_postgres::build_pool(&settings, PoolMode::Normal).unwrap());
    let outbox = Arc::new(PgOutbox::new(store, SecretString::from(url)));
    let relay = OutboxRelay::new(outbox, Arc::new(queue.clone()), 500);
    let started = Instant::now();
    let relayed = relay.drain().await.unwrap();
    let rate = relayed as f64 / started.elapsed().as_secs_f64();
    assert_eq!(relayed as i64, EVENTS);
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
    rate
}

#[tokio::main]
async fn main() {
    let queue = RedisJobQueue::connect(&QueueSettings {
        url: env("REDIS_URL", "redis://127.0.0.1:6379"),
        prefix: format!("bench-{}", std::process::id()),
        queues: vec![EVENTS_QUEUE.to_owned()],
        command_timeout: Duration::from_secs(10),
        dedup_ttl: QueueSettings::DEDUP_TTL,
        ca_file: None,
    })
    .unwrap();
    let concurrency: usize = env("BENCH_CONCURRENCY", "1000").parse().unwrap();
    let settings = ConsumerSettings {
        concurrency,
        batch: 1_000,
        ..ConsumerSettings::default()
    };
    let (rate, latencies) = jobs_benchmark(&queue, settings).await;
    queue.purge().await.unwrap();
    let relay_rate = outbox_benchmark(&queue).await;
    queue.purge().await.unwrap();
    println!("| measure | result |");
    println!("|---|---|");
    println!(
        "| no-op jobs end to end ({JOBS} jobs, producer flooding, concurrency {concurrency}, reads of up to 1,000) | **{rate:.0} jobs/s** |"
    );
    println!(
        "| enqueue-to-done latency at a steady 10,000 jobs/s (50,000 jobs) | p50 {:.1} ms, p99 **{:.1} ms**, max {:.1} ms |",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
    println!("| outbox relay ({EVENTS} events, batches of 500) | **{relay_rate:.0} events/s** |");
}
