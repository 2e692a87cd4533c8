//! Background jobs: the envelope every job travels in, the queue port, the handler port
//! and the dashboard's view of a queue. Delivery is at-least-once: handlers are idempotent.

mod dashboard;
mod handlers;
mod kind;

pub use dashboard::{QueueDashboard, QueueOverview};
pub use handlers::{Handlers, JobError, JobHandler};
pub use kind::{EventEnvelope, JobKind};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The queue that carries registry events relayed from the outbox.
pub const EVENTS_QUEUE: &str = "events";
/// The queue that carries e-mails to send.
pub const MAIL_QUEUE: &str = "mail";

/// One job as it travels through a queue: the queue's envelope. What a job means is typed:
/// [`Job::of`] / [`Job::payload_as`] for a [`JobKind`], [`Job::event`] for a relayed event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Unique and stable across retries; deterministic when the job comes from the outbox,
    /// so a job published twice is recognised by its handler.
    pub id: String,
    /// What the job is (`container.updated`, `mail.send`…): selects the handler.
    #[serde(rename = "type")]
    pub kind: String,
    pub payload: serde_json::Value,
    /// 1 for the first delivery, incremented on every retry (not while a dependency is down).
    pub attempt: u32,
    /// How many times in a row it waited for an unavailable dependency (sets that backoff).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub waits: u32,
    /// The id of the HTTP request that caused the job, so one id follows it through the queue.
    pub correlation_id: Option<String>,
    pub enqueued_at: DateTime<Utc>,
    /// The W3C `traceparent` of the span that enqueued it (the request, through the
    /// outbox, or the job before it): the job's span continues that trace. The queue
    /// adapter fills it when it is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_context: Option<String>,
}

impl Job {
    /// A first attempt of a new job with a fresh id.
    #[must_use]
    pub fn new(
        kind: impl Into<String>,
        payload: serde_json::Value,
        correlation_id: Option<String>,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            kind: kind.into(),
            payload,
            attempt: 1,
            waits: 0,
            correlation_id,
            enqueued_at: Utc::now(),
            trace_context: None,
        }
    }
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if"
)]
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// How a queue operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    /// The queue's server can't be reached or timed out; worth retrying later.
    #[error("queue unavailable: {0}")]
    Unavailable(String),
    /// The name does not designate a queue.
    #[error("unknown queue {0}")]
    UnknownQueue(String),
    #[error("queue failure: {0}")]
    Unexpected(String),
}

/// The counts a dashboard shows for one queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct QueueCounts {
    /// Jobs waiting to be read by a worker.
    pub depth: u64,
    /// Jobs read by a worker and not yet acknowledged.
    pub in_flight: u64,
    /// Jobs waiting for their next attempt.
    pub delayed: u64,
    /// Jobs that failed every attempt.
    pub dead: u64,
}

/// A job that failed its last attempt, with the error it failed with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadJob {
    /// The id of the dead-letter entry (used to retry or discard it).
    pub dead_id: String,
    pub job: Job,
    pub error: String,
    pub failed_at: DateTime<Utc>,
}

/// Puts jobs on queues and administers them. Queue names are the ones configured.
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// The queues this platform uses, in display order.
    fn queues(&self) -> Vec<String>;

    /// Appends jobs to `queue` in one round trip; all or none on a server error.
    ///
    /// # Errors
    /// `UnknownQueue`, or `Unavailable` when the server can't be reached.
    async fn enqueue(&self, queue: &str, jobs: &[Job]) -> Result<(), QueueError>;

    /// # Errors
    /// `UnknownQueue`, or `Unavailable` when the server can't be reached.
    async fn counts(&self, queue: &str) -> Result<QueueCounts, QueueError>;

    /// The newest dead jobs first, at most `limit`.
    ///
    /// # Errors
    /// `UnknownQueue`, or `Unavailable` when the server can't be reached.
    async fn dead_jobs(&self, queue: &str, limit: u32) -> Result<Vec<DeadJob>, QueueError>;

    /// Puts a dead job back on its queue for a fresh set of attempts; false if unknown.
    ///
    /// # Errors
    /// `UnknownQueue`, or `Unavailable` when the server can't be reached.
    async fn retry_dead(&self, queue: &str, dead_id: &str) -> Result<bool, QueueError>;

    /// Deletes a dead job for good; false if unknown.
    ///
    /// # Errors
    /// `UnknownQueue`, or `Unavailable` when the server can't be reached.
    async fn discard_dead(&self, queue: &str, dead_id: &str) -> Result<bool, QueueError>;
}
