//! Unit tests of the relay, the e-mail handler, the event handler and the dashboard, over fakes.

use super::{InMemoryJobQueue, InMemoryKeys, InMemoryOutbox, RecordingMailer};
use crate::AppError;
use crate::events::RecordEventHandler;
use crate::jobs::{DeadJob, EVENTS_QUEUE, Handlers, Job, JobError, JobHandler, QueueDashboard};
use crate::mail::{EmailJob, MailMessage, Recipient, SendEmailHandler, SentEmails};
use crate::outbox::{OutboxEvent, OutboxRelay};
use chrono::Utc;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn event(id: i64) -> OutboxEvent {
    OutboxEvent {
        id,
        event_type: "container.updated".into(),
        aggregate_type: "container".into(),
        aggregate_id: uuid::Uuid::now_v7(),
        payload: json!({"status": "full"}),
        correlation_id: Some(format!("req-{id}")),
        created_at: Utc::now(),
        trace_context: None,
    }
}

#[test]
fn the_job_of_an_event_continues_the_event_s_trace() {
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let job = OutboxEvent {
        trace_context: Some(traceparent.into()),
        ..event(7)
    }
    .to_job();
    assert_eq!(job.trace_context.as_deref(), Some(traceparent));
    let wire = serde_json::to_value(&job).unwrap();
    assert_eq!(wire["trace_context"], traceparent);
    // jobs queued before the field existed still parse
    let mut old = wire;
    old.as_object_mut().unwrap().remove("trace_context");
    let parsed: Job = serde_json::from_value(old).unwrap();
    assert_eq!(parsed.trace_context, None);
}

#[tokio::test]
async fn the_relay_moves_events_in_batches_with_stable_job_ids() {
    let outbox = Arc::new(InMemoryOutbox::default());
    let queue = Arc::new(InMemoryJobQueue::default());
    (1..=5).for_each(|id| outbox.push(event(id)));
    let relay = OutboxRelay::new(outbox.clone(), queue.clone(), 2);
    assert_eq!(relay.relay_once().await.unwrap(), 2);
    assert_eq!(relay.drain().await.unwrap(), 3);
    let jobs = queue.take(EVENTS_QUEUE);
    assert_eq!(jobs.len(), 5);
    assert_eq!(jobs[0].id, "outbox-1");
    assert_eq!(jobs[0].correlation_id.as_deref(), Some("req-1"));
    assert_eq!(jobs[0].payload["data"]["status"], "full");
    assert_eq!(outbox.unsent(), 0);
}

#[tokio::test]
async fn with_the_queue_down_events_wait_in_the_outbox() {
    let outbox = Arc::new(InMemoryOutbox::default());
    let queue = Arc::new(InMemoryJobQueue::default());
    outbox.push(event(1));
    queue.down.store(true, Ordering::SeqCst);
    let relay = OutboxRelay::new(outbox.clone(), queue.clone(), 10);
    assert!(relay.relay_once().await.is_err());
    assert_eq!(outbox.unsent(), 1);
    queue.down.store(false, Ordering::SeqCst);
    assert_eq!(relay.drain().await.unwrap(), 1);
    assert_eq!(queue.take(EVENTS_QUEUE).len(), 1);
}

fn email_job(key: &str) -> Job {
    EmailJob {
        dedup_key: key.into(),
        to: Recipient {
            email: "ana@example.org".into(),
            name: None,
            locale: None,
        },
        message: MailMessage::PasswordReset {
            display_name: "Ana".into(),
            reset_url: "https://x/reset".into(),
            expires_in_minutes: 30,
        },
    }
    .to_job(Some("req".into()))
    .unwrap()
}

#[tokio::test]
async fn an_email_job_delivered_twice_sends_once() {
    let mailer = Arc::new(RecordingMailer::default());
    let handler = SendEmailHandler::new(mailer.clone(), Arc::new(InMemoryKeys::default()));
    let job = email_job("k1");
    handler.handle(&job).await.unwrap();
    handler.handle(&job).await.unwrap();
    assert_eq!(mailer.sent.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_failed_send_gives_the_key_back_for_the_retry() {
    let mailer = Arc::new(RecordingMailer::default());
    *mailer.failures_left.lock().unwrap() = 1;
    let handler = SendEmailHandler::new(mailer.clone(), Arc::new(InMemoryKeys::default()));
    let job = email_job("k2");
    assert!(matches!(
        handler.handle(&job).await,
        Err(JobError::Unavailable(_))
    ));
    handler.handle(&job).await.unwrap();
    assert_eq!(mailer.sent.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_crash_between_the_send_and_its_record_sends_again_with_the_same_key() {
    let mailer = Arc::new(RecordingMailer::default());
    let keys = Arc::new(InMemoryKeys::default());
    // the worker recorded "sending", sent, and died before recording "sent"
    let lease = std::time::Duration::from_secs(60);
    let reserved = keys.reserve("k3", "ana@example.org", "x", lease).await;
    assert_eq!(reserved.unwrap(), crate::mail::Reservation::Send);
    let handler = SendEmailHandler::new(mailer.clone(), keys.clone());
    let job = email_job("k3");
    handler.handle(&job).await.unwrap();
    handler.handle(&job).await.unwrap();
    assert_eq!(
        mailer.sent.lock().unwrap().len(),
        1,
        "sent again once, then done"
    );
    assert_eq!(*mailer.keys.lock().unwrap(), vec!["k3".to_owned()]);
}

#[tokio::test]
async fn a_malformed_email_job_fails_permanently() {
    let handler = SendEmailHandler::new(
        Arc::new(RecordingMailer::default()),
        Arc::new(InMemoryKeys::default()),
    );
    let job = Job::new("mail.send", json!({"nope": 1}), None);
    assert!(matches!(
        handler.handle(&job).await,
        Err(JobError::Permanent(_))
    ));
}

#[tokio::test]
async fn handlers_pick_by_type_and_refuse_unknown_types() {
    let journal = Arc::new(InMemoryKeys::default());
    let handlers = Handlers::new().on(
        "container.updated",
        Arc::new(RecordEventHandler {
            journal: journal.clone(),
        }),
    );
    let job = Job::new("container.updated", json!({}), None);
    handlers.handle(&job).await.unwrap();
    handlers.handle(&job).await.unwrap();
    assert_eq!(journal.keys.lock().unwrap().len(), 1);
    let unknown = Job::new("nope", json!({}), None);
    assert!(matches!(
        handlers.handle(&unknown).await,
        Err(JobError::Permanent(_))
    ));
}

#[tokio::test]
async fn the_dashboard_retries_and_discards_dead_jobs() {
    let queue = Arc::new(InMemoryJobQueue::default());
    for id in ["d1", "d2"] {
        queue.add_dead(
            EVENTS_QUEUE,
            DeadJob {
                dead_id: id.into(),
                job: Job::new("x", json!({}), None),
                error: "boom".into(),
                failed_at: Utc::now(),
            },
        );
    }
    let dashboard = QueueDashboard::new(queue.clone());
    let overview = dashboard.overview().await.unwrap();
    assert_eq!(overview[0].counts.dead, 2);
    dashboard.retry(EVENTS_QUEUE, "d1").await.unwrap();
    dashboard.discard(EVENTS_QUEUE, "d2").await.unwrap();
    assert!(matches!(
        dashboard.retry(EVENTS_QUEUE, "d2").await,
        Err(AppError::NotFound { .. })
    ));
    assert!(matches!(
        dashboard.dead_jobs("nope", 10).await,
        Err(AppError::NotFound { .. })
    ));
    assert_eq!(queue.take(EVENTS_QUEUE).len(), 1);
}

#[tokio::test]
async fn the_in_memory_queue_honours_the_contract() {
    super::queue_contract::job_queue(&InMemoryJobQueue::default()).await;
}
