//! Point 1: events in flight during a PostgreSQL outage longer than every retry are
//! journaled once it is back, none dead. Point 2: a frozen Redis under the relay's retries
//! leaves one stream entry per event.

use crate::servers::{Postgres, Redis};
use crate::{eventually, migrate, pg_settings, queue_settings};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use secrecy::SecretString;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tisseco_application::jobs::{EVENTS_QUEUE, Job, JobQueue};
use tisseco_application::outbox::OutboxRelay;
use tisseco_bootstrap::jobs::{WorkerSettings, build_worker};
use tisseco_bootstrap::{PgOutbox, PgStore, PoolMode, RedisJobQueue, build_pool};

const EVENTS: u32 = 200;
/// Longer than the 13 s after which the old consumer dead-lettered (5 attempts, 1 s base).
const OUTAGE: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
#[ignore = "fault suite: just faults"]
async fn events_in_flight_during_a_postgres_outage_are_journaled_once_and_none_dead() {
    let pg = Postgres::start();
    let redis = Redis::start();
    migrate(&pg.url()).await;
    let settings = queue_settings(&redis.url());
    // production retry settings: 5 attempts, 1 s backoff base
    let mut worker = WorkerSettings::from_source(&[]).unwrap();
    worker.consumer.outage_backoff_max = Duration::from_secs(5);
    worker.concurrency_per_queue = Vec::new();
    let parts = build_worker(&pg_settings(&pg.url(), 8), &settings, &worker).unwrap();
    let store = parts.store.clone();
    let running = tisseco_worker::start(tisseco_worker::WorkerPlan {
        consumers: parts.consumers,
        handlers: parts.handlers,
        relay: None,
        health: None,
        probes: Vec::new(),
        stale_uploads: None,
        name: "f1".into(),
    })
    .await
    .unwrap();

    pg.stop();
    let jobs: Vec<Job> = (0..EVENTS)
        .map(|n| Job {
            id: format!("outbox-{n}"),
            ..Job::new("container.updated", json!({"n": n}), None)
        })
        .collect();
    parts.queue.enqueue(EVENTS_QUEUE, &jobs).await.unwrap();
    tokio::time::sleep(OUTAGE).await;
    let back = Instant::now();
    pg.start_again();
    // settled: journaled, or dead-lettered (what the old consumer did past 13 s)
    let queue = parts.queue.clone();
    eventually(Duration::from_secs(120), "every event settled", || async {
        let journaled = store.journal_count("container.updated").await.unwrap_or(0);
        let dead = queue.counts(EVENTS_QUEUE).await.map_or(0, |c| c.dead);
        journaled + i64::try_from(dead).unwrap_or(0) == i64::from(EVENTS)
    })
    .await;
    let caught_up = back.elapsed();
    let journaled = store.journal_count("container.updated").await.unwrap();
    let counts = parts.queue.counts(EVENTS_QUEUE).await.unwrap();
    running.shutdown(Duration::from_secs(10)).await.unwrap();
    println!(
        "FAULT postgres stopped {} s with {EVENTS} events in flight: journaled {journaled} once, dead {}, settled {:.1} s after it came back",
        OUTAGE.as_secs(),
        counts.dead,
        caught_up.as_secs_f64()
    );
    assert_eq!(counts.dead, 0, "no event dead-lettered");
    assert_eq!(journaled, i64::from(EVENTS), "every event journaled");
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "fault suite: just faults"]
async fn a_frozen_redis_under_relay_retries_leaves_one_stream_entry_per_event() {
    let pg = Postgres::start();
    let redis = Redis::start();
    migrate(&pg.url()).await;
    let store = PgStore::new(build_pool(&pg_settings(&pg.url(), 4), PoolMode::Normal).unwrap());
    let outbox = Arc::new(PgOutbox::new(store, SecretString::from(pg.url())));
    let queue = RedisJobQueue::connect(&queue_settings(&redis.url())).unwrap();
    let mut relay = OutboxRelay::new(outbox.clone(), Arc::new(queue.clone()), 20);
    relay.lease = Duration::from_millis(1_500);
    let relaying = tokio::spawn(async move {
        loop {
            let _ = relay.drain().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let mut conn = AsyncPgConnection::establish(&pg.url()).await.unwrap();
    let started = Instant::now();
    let mut written = 0;
    // 300 events over about 15 s; Redis frozen twice for 4 s in between
    for round in 0..30 {
        conn.batch_execute(
            "INSERT INTO outbox (event_type, aggregate_type, aggregate_id, payload) \
             SELECT 'container.updated', 'container', gen_random_uuid(), '{}'::jsonb \
             FROM generate_series(1, 10)",
        )
        .await
        .unwrap();
        written += 10;
        if round == 5 || round == 18 {
            redis.freeze();
            tokio::time::sleep(Duration::from_secs(4)).await;
            redis.thaw();
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    eventually(Duration::from_secs(60), "the outbox to drain", || async {
        outbox.unsent().await.unwrap_or(1) == 0
    })
    .await;
    relaying.abort();
    let entries = queue.stream_len(EVENTS_QUEUE).await.unwrap();
    let relayed: Vec<Count> =
        diesel::sql_query("SELECT count(*) AS n FROM outbox WHERE sent_at IS NOT NULL")
            .load(&mut conn)
            .await
            .unwrap();
    println!(
        "FAULT redis frozen twice 4 s under the relay ({:.0} s run): {written} events, {} stream entries",
        started.elapsed().as_secs_f64(),
        entries
    );
    assert_eq!(relayed[0].n, written, "every event relayed");
    assert_eq!(
        entries,
        u64::try_from(written).unwrap(),
        "stream entries = distinct events"
    );
}

use diesel_async::RunQueryDsl;
