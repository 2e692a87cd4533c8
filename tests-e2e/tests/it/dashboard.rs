//! The queue dashboard API over a real Redis: a job that always fails is dead-lettered after
//! the maximum attempts, shows up with its error, and a retry from the dashboard works.

use crate::jobs_support::{Flaky, consume, eventually, fast_settings};
use crate::support::{TestApp, problem, queue_settings, unique};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tisseco_application::jobs::{Job, JobQueue, MAIL_QUEUE};
use tisseco_bootstrap::RedisJobQueue;

const WAIT: Duration = Duration::from_secs(15);

async fn queue_line(app: &TestApp, name: &str) -> Value {
    let response = app.get("/api/v1/admin/queues").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == name)
        .cloned()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_that_always_fails_is_dead_lettered_then_retried_from_the_dashboard() {
    let settings = queue_settings(&unique("t"));
    let queue = RedisJobQueue::connect(&settings).unwrap();
    let app = TestApp::spawn_with_queue(&settings).await;
    let handler = Arc::new(Flaky::default());
    handler.broken.store(true, Ordering::SeqCst);
    let mut consumer_settings = fast_settings();
    consumer_settings.backoff_base = Duration::from_millis(20);
    let consumer = consume(&queue, MAIL_QUEUE, consumer_settings, handler.clone()).await;
    let job = Job::new("test.doomed", json!({"to": "x"}), Some("req-doomed".into()));
    queue
        .enqueue(MAIL_QUEUE, std::slice::from_ref(&job))
        .await
        .unwrap();

    eventually(WAIT, "the job to be dead-lettered", || async {
        queue_line(&app, MAIL_QUEUE).await["dead"] == 1
    })
    .await;
    assert_eq!(
        handler.attempts_of(&job.id).len(),
        3,
        "the maximum, no more"
    );
    let line = queue_line(&app, MAIL_QUEUE).await;
    assert_eq!(
        (&line["depth"], &line["in_flight"], &line["delayed"]),
        (&json!(0), &json!(0), &json!(0))
    );

    let dead: Value = app
        .get("/api/v1/admin/queues/mail/dead")
        .await
        .json()
        .await
        .unwrap();
    let entry = &dead["items"][0];
    assert_eq!(entry["job_id"], job.id.as_str());
    assert_eq!(entry["type"], "test.doomed");
    assert_eq!(entry["attempts"], 3);
    assert_eq!(entry["correlation_id"], "req-doomed");
    assert_eq!(entry["error"], "the dependency is down");
    let dead_id = entry["dead_id"].as_str().unwrap().to_owned();

    handler.broken.store(false, Ordering::SeqCst);
    let retried = app
        .request(
            Method::POST,
            &format!("/api/v1/admin/queues/mail/dead/{dead_id}/retry"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(retried.status(), StatusCode::NO_CONTENT);
    eventually(WAIT, "the retried job to succeed", || async {
        handler.effects_of(&job.id) == 1
    })
    .await;
    assert_eq!(queue_line(&app, MAIL_QUEUE).await["dead"], 0);

    let again = app
        .request(
            Method::POST,
            &format!("/api/v1/admin/queues/mail/dead/{dead_id}/retry"),
        )
        .send()
        .await
        .unwrap();
    problem(again, 404, None).await;
    consumer.stop().await.unwrap();
    queue.purge().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn dead_jobs_can_be_discarded_and_bad_requests_are_problems() {
    let settings = queue_settings(&unique("t"));
    let queue = RedisJobQueue::connect(&settings).unwrap();
    let app = TestApp::spawn_with_queue(&settings).await;
    let consumer = tisseco_bootstrap::Consumer::start(
        &queue,
        MAIL_QUEUE,
        "solo",
        fast_settings(),
        tisseco_application::jobs::Handlers::new(),
    )
    .await
    .unwrap();
    queue
        .enqueue(MAIL_QUEUE, &[Job::new("unknown.type", json!({}), None)])
        .await
        .unwrap();
    eventually(WAIT, "the job to be dead-lettered", || async {
        queue.counts(MAIL_QUEUE).await.unwrap().dead == 1
    })
    .await;
    let dead_id = queue.dead_jobs(MAIL_QUEUE, 1).await.unwrap()[0]
        .dead_id
        .clone();
    let path = format!("/api/v1/admin/queues/mail/dead/{dead_id}");
    let discarded = app.request(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(discarded.status(), StatusCode::NO_CONTENT);
    problem(
        app.request(Method::DELETE, &path).send().await.unwrap(),
        404,
        None,
    )
    .await;
    assert_eq!(queue.counts(MAIL_QUEUE).await.unwrap().dead, 0);

    problem(app.get("/api/v1/admin/queues/nope/dead").await, 404, None).await;
    problem(
        app.get("/api/v1/admin/queues/mail/dead?limit=0").await,
        400,
        Some("limit"),
    )
    .await;
    problem(
        app.get("/api/v1/admin/queues/mail/dead?limit=x").await,
        400,
        Some("limit"),
    )
    .await;
    problem(
        app.get("/api/v1/admin/queues/mail/dead?what=1").await,
        400,
        None,
    )
    .await;
    let garbage = app
        .request(
            Method::POST,
            "/api/v1/admin/queues/mail/dead/not-an-id/retry",
        )
        .send()
        .await
        .unwrap();
    problem(garbage, 404, None).await;
    consumer.stop().await.unwrap();
    queue.purge().await.unwrap();
}
