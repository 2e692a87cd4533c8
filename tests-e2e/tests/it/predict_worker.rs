//! Predicted fill on a committed database: each recorded visit's `tour.visited` event goes
//! through the outbox and the queue to the worker, which recomputes that container's
//! prediction and records the event in the journal.

use crate::jobs_support::{Schema, eventually, fast_settings};
use crate::stats::{Outcome, driver, record};
use crate::support::{TestApp, queue_settings, unique};
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use std::time::Duration as StdDuration;
use tisseco_bootstrap::jobs::WorkerSettings;

#[tokio::test(flavor = "multi_thread")]
async fn the_worker_updates_a_containers_prediction_after_each_visit() {
    let schema = Schema::create().await;
    let settings = queue_settings(&unique("t"));
    let mut worker = WorkerSettings::from_source(&[]).unwrap();
    worker.consumer = fast_settings();
    worker.outbox_poll = StdDuration::from_millis(100);
    let (queue, running) =
        crate::jobs_support::started_worker(&schema.url, &settings, &worker).await;

    let app = TestApp::serve_on(&schema.url, &settings);
    let dan = driver(&app, "Dan").await;
    let site = app.site(&unique("pw")).await;
    let bin = app.container(&site, json!({})).await;
    let path = format!(
        "/api/v1/containers/{}/prediction",
        bin["id"].as_str().unwrap()
    );
    let now = Utc::now();
    let visit = |fill| Outcome::Visit {
        fill,
        kg: 30.0,
        emptied: true,
    };
    record(&app, &dan, &bin, now - Duration::days(20), visit(0)).await;
    record(&app, &dan, &bin, now - Duration::days(10), visit(60)).await;
    let observations = || async {
        let response = app.get(&path).await;
        if response.status() != 200 {
            return None;
        }
        let body: Value = response.json().await.unwrap();
        body["observations"].as_i64()
    };
    eventually(
        StdDuration::from_secs(20),
        "a prediction from one interval",
        || async { observations().await == Some(1) },
    )
    .await;
    record(&app, &dan, &bin, now - Duration::days(1), visit(55)).await;
    eventually(
        StdDuration::from_secs(20),
        "a prediction from two intervals",
        || async { observations().await == Some(2) },
    )
    .await;
    let store = schema.store();
    eventually(
        StdDuration::from_secs(20),
        "three events journalled",
        || async { store.journal_count("tour.visited").await.unwrap() == 3 },
    )
    .await;
    running.shutdown(StdDuration::from_secs(10)).await.unwrap();
    queue.purge().await.unwrap();
    schema.drop().await;
}
