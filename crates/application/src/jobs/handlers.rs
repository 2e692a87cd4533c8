//! What runs a job: a handler per job type, chosen from a table the worker fills at start-up.

use super::Job;
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
}

/// Runs jobs of some types. Must be idempotent: a job may be delivered more than once.
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// # Errors
    /// `Retry` for a transient failure, `Permanent` when retrying cannot help.
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
