//! The transactional outbox: events written with the change that caused them, then relayed
//! to the events queue by the worker. A crash can delay an event, never lose it; an event
//! relayed twice keeps its job id, so handlers recognise it.

use crate::jobs::{EVENTS_QUEUE, EventEnvelope, Job, JobQueue, QueueError};
use crate::ports::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tisseco_domain::DomainEvent;
use uuid::Uuid;

/// One event waiting in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    pub id: i64,
    /// `container.updated`, `site.created`…
    pub event_type: String,
    pub aggregate_type: String,
    pub aggregate_id: Uuid,
    pub payload: serde_json::Value,
    pub correlation_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The W3C `traceparent` of the request that wrote it, if it was traced.
    pub trace_context: Option<String>,
}

impl OutboxEvent {
    /// The job that carries this event; its id is derived from the event's, so relaying it
    /// twice produces the same job.
    #[must_use]
    pub fn to_job(&self) -> Job {
        let envelope = EventEnvelope {
            event_id: self.id,
            aggregate_type: self.aggregate_type.clone(),
            aggregate_id: self.aggregate_id,
            data: self.payload.clone(),
            occurred_at: Some(self.created_at),
            v: DomainEvent::WIRE_VERSION,
        };
        Job {
            id: format!("outbox-{}", self.id),
            kind: self.event_type.clone(),
            // a struct of strings, numbers and JSON: serialising it can't fail
            payload: serde_json::to_value(&envelope).unwrap_or_default(),
            attempt: 1,
            waits: 0,
            correlation_id: self.correlation_id.clone(),
            enqueued_at: Utc::now(),
            trace_context: self.trace_context.clone(),
        }
    }
}

/// The outbox table, seen from the relay.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Leases up to `limit` unsent events, oldest first, for `lease`; rows another relay
    /// holds are skipped. An expired lease makes the events claimable again.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn claim(&self, limit: u32, lease: Duration) -> Result<Vec<OutboxEvent>, RepoError>;

    /// Marks events as relayed.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn mark_sent(&self, ids: &[i64]) -> Result<(), RepoError>;

    /// Gives up the lease on events that could not be relayed, so they go out next time.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn release(&self, ids: &[i64]) -> Result<(), RepoError>;

    /// Waits until new events may be there (a notification) or `timeout` passes.
    async fn wait_for_events(&self, timeout: Duration);
}

/// Why a relay round failed; the events stay in the outbox either way.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Store(#[from] RepoError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// Moves events from the outbox to the events queue, in batches.
#[derive(Clone)]
pub struct OutboxRelay {
    store: Arc<dyn OutboxStore>,
    queue: Arc<dyn JobQueue>,
    pub batch: u32,
    pub lease: Duration,
}

impl std::fmt::Debug for OutboxRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxRelay")
            .field("batch", &self.batch)
            .finish_non_exhaustive()
    }
}

impl OutboxRelay {
    #[must_use]
    pub fn new(store: Arc<dyn OutboxStore>, queue: Arc<dyn JobQueue>, batch: u32) -> Self {
        Self {
            store,
            queue,
            batch,
            lease: Duration::from_secs(30),
        }
    }

    /// Relays one batch; returns how many events went out (0: the outbox is empty).
    ///
    /// # Errors
    /// When the store or the queue fails; unsent events are released for the next round.
    pub async fn relay_once(&self) -> Result<usize, RelayError> {
        let events = self.store.claim(self.batch, self.lease).await?;
        if events.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
        let jobs: Vec<Job> = events.iter().map(OutboxEvent::to_job).collect();
        if let Err(error) = self.queue.enqueue(EVENTS_QUEUE, &jobs).await {
            // Best effort: if this fails too, the lease runs out and they go out later.
            let _ = self.store.release(&ids).await;
            return Err(error.into());
        }
        self.store.mark_sent(&ids).await?;
        Ok(ids.len())
    }

    /// Relays until the outbox is empty; returns how many events went out.
    ///
    /// # Errors
    /// As [`OutboxRelay::relay_once`].
    pub async fn drain(&self) -> Result<usize, RelayError> {
        let mut total = 0;
        loop {
            let sent = self.relay_once().await?;
            total += sent;
            if sent == 0 {
                return Ok(total);
            }
        }
    }

    /// Waits for a notification or `poll`, whichever comes first.
    pub async fn wait(&self, poll: Duration) {
        self.store.wait_for_events(poll).await;
    }
}
