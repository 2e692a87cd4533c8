//! The transactional outbox end to end: API writes emit events in their transaction; with
//! Redis unreachable the writes succeed and the events wait; once Redis is back each event
//! reaches the handler's effect exactly once, even when relayed twice; the request id
//! follows the event into the worker's log lines.

use crate::jobs_support::{
    Schema, capture_logs, consume, eventually, fast_settings, log_lines_with,
};
use crate::support::{TestApp, created, etag, pg_settings, queue_settings, unique};
use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tisseco_application::events::RecordEventHandler;
use tisseco_application::jobs::{EVENTS_QUEUE, Job, JobQueue};
use tisseco_application::outbox::{OutboxEvent, OutboxRelay, OutboxStore};
use tisseco_bootstrap::jobs::{WorkerSettings, build_worker};
use tisseco_bootstrap::{PgOutbox, QueueSettings, RedisJobQueue};

const WAIT: Duration = Duration::from_secs(15);

fn unreachable_queue() -> QueueSettings {
    QueueSettings {
        url: "redis://127.0.0.1:1".into(),
        command_timeout: Duration::from_millis(300),
        ca_file: None,
        ..queue_settings(&unique("down"))
    }
}

/// Creates a site and a container and changes the container, all under `request_id`.
async fn three_writes(app: &TestApp, request_id: &str) {
    let site = created(
        app.request(Method::POST, "/api/v1/sites")
            .header("x-request-id", request_id)
            .json(&json!({"code": unique("OB").to_uppercase().replace('-', ""), "name": "Outbox"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let container = app
        .request(Method::POST, "/api/v1/containers")
        .header("x-request-id", request_id)
        .json(&json!({"site_id": site["id"], "type": "street_bin",
            "location": {"latitude": 45.75, "longitude": 4.83}}))
        .send()
        .await
        .unwrap();
    let tag = etag(&container);
    let container = created(container).await;
    let changed = app
        .request(
            Method::PATCH,
            &format!("/api/v1/containers/{}", container["id"].as_str().unwrap()),
        )
        .header("x-request-id", request_id)
        .header("If-Match", tag)
        .json(&json!({"status": "full"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_redis_down_writes_succeed_and_events_go_out_exactly_once_when_it_is_back() {
    capture_logs();
    let schema = Schema::create().await;
    let app = TestApp::serve_on(&schema.url, &unreachable_queue());
    let request_id = unique("req-outbox");
    three_writes(&app, &request_id).await;
    let dashboard = app.get("/api/v1/admin/queues").await;
    assert_eq!(
        dashboard.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "Redis down is a 503"
    );

    let store = schema.store();
    let outbox = Arc::new(PgOutbox::new(
        store.clone(),
        SecretString::from(schema.url.clone()),
    ));
    let down = RedisJobQueue::connect(&unreachable_queue()).unwrap();
    let relay_while_down = OutboxRelay::new(outbox.clone(), Arc::new(down), 100);
    assert!(relay_while_down.relay_once().await.is_err());
    assert_eq!(
        outbox.unsent().await.unwrap(),
        3,
        "the events wait in the outbox"
    );

    // Redis is back. A relay publishes one event and dies before marking it sent…
    let settings = queue_settings(&unique("t"));
    let queue = RedisJobQueue::connect(&settings).unwrap();
    let claimed = outbox.claim(1, Duration::from_millis(200)).await.unwrap();
    let jobs: Vec<Job> = claimed.iter().map(OutboxEvent::to_job).collect();
    queue.enqueue(EVENTS_QUEUE, &jobs).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // …so once its lease runs out, the next relay publishes that one again, with the rest.
    let mut relay = OutboxRelay::new(outbox.clone(), Arc::new(queue.clone()), 2);
    relay.lease = Duration::from_secs(5);
    assert_eq!(relay.drain().await.unwrap(), 3);
    assert_eq!(outbox.unsent().await.unwrap(), 0);
    assert_eq!(
        queue.counts(EVENTS_QUEUE).await.unwrap().depth,
        3,
        "an event relayed twice is queued once (the enqueue remembers its job id)"
    );

    let handler = Arc::new(RecordEventHandler {
        journal: Arc::new(store.clone()),
    });
    let consumer = consume(&queue, EVENTS_QUEUE, fast_settings(), handler).await;
    eventually(WAIT, "every job to be handled", || async {
        let counts = queue.counts(EVENTS_QUEUE).await.unwrap();
        counts.depth + counts.in_flight == 0
    })
    .await;
    consumer.stop().await.unwrap();
    for kind in ["site.created", "container.created", "container.updated"] {
        assert_eq!(
            store.journal_count(kind).await.unwrap(),
            1,
            "{kind} exactly once"
        );
    }
    let lines = log_lines_with(&request_id);
    assert!(
        lines.iter().any(|l| l.contains("registry event handled")),
        "the request id is on the worker's log lines: {lines:#?}"
    );
    assert!(lines.iter().any(|l| l.contains("container.updated")));
    queue.purge().await.unwrap();
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_worker_relays_on_notification_and_answers_health() {
    let schema = Schema::create().await;
    let settings = queue_settings(&unique("t"));
    let mut worker = WorkerSettings::from_source(&[]).unwrap();
    // An hour of polling: only the notification can wake the relay in time.
    worker.outbox_poll = Duration::from_secs(3_600);
    worker.consumer = fast_settings();
    let parts = build_worker(&pg_settings(&schema.url, 4), &settings, &worker).unwrap();
    let store = parts.store.clone();
    let health = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let health_url = format!("http://{}/health", health.local_addr().unwrap());
    let probes = parts.probes();
    let running = tisseco_worker::start(tisseco_worker::WorkerPlan {
        consumers: parts.consumers,
        handlers: parts.handlers,
        relay: Some((parts.relay, worker.outbox_poll)),
        health: Some(health),
        stale_uploads: None,
        probes,
        name: unique("worker"),
    })
    .await
    .unwrap();
    let ok = reqwest::get(&health_url).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let body: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(
        body,
        json!({"status": "ok", "consumers": "running", "postgres": "ok", "redis": "ok"})
    );
    // Let the relay reach its wait (and LISTEN) before writing.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let app = TestApp::serve_on(&schema.url, &settings);
    three_writes(&app, &unique("req")).await;
    eventually(WAIT, "the events to be handled", || async {
        store.journal_count("container.updated").await.unwrap() == 1
    })
    .await;
    running.shutdown(Duration::from_secs(10)).await.unwrap();
    assert_eq!(store.journal_count("site.created").await.unwrap(), 1);
    parts.queue.purge().await.unwrap();
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_write_leaves_no_event() {
    let schema = Schema::create().await;
    let app = TestApp::serve_on(&schema.url, &queue_settings(&unique("t")));
    let site = app.site("ev-site").await;
    let duplicate = app
        .post(
            "/api/v1/sites",
            &json!({"code": "ev-site", "name": "Again"}),
        )
        .await;
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    let stale = app
        .patch(
            &format!("/api/v1/sites/{}", site["id"].as_str().unwrap()),
            "\"7\"",
            &json!({"name": "Stale"}),
        )
        .await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let outbox = PgOutbox::new(schema.store(), SecretString::from(schema.url.clone()));
    assert_eq!(
        outbox.unsent().await.unwrap(),
        1,
        "only the site's creation"
    );
    let events = outbox.claim(10, Duration::from_secs(1)).await.unwrap();
    assert_eq!(events[0].event_type, "site.created");
    assert_eq!(events[0].payload["code"], "ev-site");
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_worker_health_names_the_dependency_that_is_down() {
    let settings = queue_settings(&unique("t"));
    let mut worker = WorkerSettings::from_source(&[]).unwrap();
    worker.consumer = fast_settings();
    // PostgreSQL unreachable; Redis up
    let mut database = pg_settings("postgres://postgres@127.0.0.1:1/none", 1);
    database.connect_timeout = Duration::from_millis(300);
    let parts = build_worker(&database, &settings, &worker).unwrap();
    let health = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", health.local_addr().unwrap());
    let probes = parts.probes();
    let running = tisseco_worker::start(tisseco_worker::WorkerPlan {
        consumers: parts.consumers,
        handlers: parts.handlers,
        relay: None,
        health: Some(health),
        stale_uploads: None,
        probes,
        name: unique("worker"),
    })
    .await
    .unwrap();
    let degraded = reqwest::get(format!("{base}/health")).await.unwrap();
    assert_eq!(degraded.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = degraded.json().await.unwrap();
    assert_eq!(
        body,
        json!({"status": "degraded", "consumers": "running", "postgres": "down", "redis": "ok"})
    );
    let live = reqwest::get(format!("{base}/health/live")).await.unwrap();
    assert_eq!(
        live.status(),
        StatusCode::OK,
        "an outage is no reason to restart it"
    );
    running.shutdown(Duration::from_secs(10)).await.unwrap();
    parts.queue.purge().await.unwrap();
}
