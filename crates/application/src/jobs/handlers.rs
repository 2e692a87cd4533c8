//! What runs a job: a handler per job type, chosen from a table the worker fills at start-up.

use super::{Job, QueueError};
use crate::ports::RepoError;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;

/// Why a job did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt later (a server down, a timeout).
    #[error("{0}")]
    Retry(String),
    /// Will never succeed (a malformed payload, an unknown type): straight to dead letters.
    #[error("{0}")]
    Permanent(String),
    /// A dependency (PostgreSQL, Redis, SMTP) is down or timed out: not the job's fault, so
    /// it waits for the dependency (capped backoff, for as long as the outage lasts) and
    /// the wait does not count as an attempt.
    #[error("{0}")]
    Unavailable(String),
}

impl From<RepoError> for JobError {
    /// An unavailable store is an outage; any other store failure counts as an attempt.
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::Unavailable(_) => Self::Unavailable(error.to_string()),
            other => Self::Retry(crate::error_chain(&other)),
        }
    }
}

impl From<QueueError> for JobError {
    fn from(error: QueueError) -> Self {
        match error {
            QueueError::Unavailable(_) => Self::Unavailable(error.to_string()),
            other => Self::Retry(crate::error_chain(&other)),
        }
    }
}

/// Runs jobs of some types. Must be idempotent: a job may be delivered more than once.
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// # Errors
    /// `Unavailable` when a dependency is down, `Retry` for another transient failure,
    /// `Permanent` when retrying cannot help.
    async fn handle(&self, job: &Job) -> Result<(), JobError>;
}

/// The handler of each job type; a type without one fails permanently.
#[derive(Clone, Default)]
pub struct Handlers {
    by_kind: HashMap<String, Arc<dyn JobHandler>>,
    /// Handles any type that has no handler of its own (e.g. every registry event).
    fallback: Option<Arc<dyn JobHandler>>,
}

impl std::fmt::Debug for Handlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handlers")
            .field("kinds", &self.by_kind.keys().collect::<Vec<_>>())
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

impl Handlers {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `handler` for jobs of type `kind`.
    #[must_use]
    pub fn on(mut self, kind: impl Into<String>, handler: Arc<dyn JobHandler>) -> Self {
        self.by_kind.insert(kind.into(), handler);
        self
    }

    /// Registers `handler` for jobs of kind `K`.
    #[must_use]
    pub fn on_job<K: super::JobKind>(self, handler: Arc<dyn JobHandler>) -> Self {
        self.on(K::NAME, handler)
    }

    /// Registers `handler` for the jobs that carry `event`.
    #[must_use]
    pub fn on_event(
        self,
        event: tisseco_domain::DomainEvent,
        handler: Arc<dyn JobHandler>,
    ) -> Self {
        self.on(event.name(), handler)
    }

    /// Registers `handler` for every type without a handler of its own.
    #[must_use]
    pub fn otherwise(mut self, handler: Arc<dyn JobHandler>) -> Self {
        self.fallback = Some(handler);
        self
    }

    /// Runs the handler of `job`'s type.
    ///
    /// # Errors
    /// The handler's error, or `Permanent` when no handler takes this type.
    pub async fn handle(&self, job: &Job) -> Result<(), JobError> {
        match self.by_kind.get(&job.kind).or(self.fallback.as_ref()) {
            Some(handler) => handler.handle(job).await,
            None => Err(JobError::Permanent(format!(
                "no handler for jobs of type {}",
                job.kind
            ))),
        }
    }
}
