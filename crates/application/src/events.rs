//! The handler of registry events relayed from the outbox: it records each event once in
//! the event journal, the hook later consumers (cache, notifications) build on.

use crate::jobs::{Job, JobError, JobHandler};
use crate::ports::RepoError;
use async_trait::async_trait;
use std::sync::Arc;

/// Events handled so far, one row per job id.
#[async_trait]
pub trait EventJournal: Send + Sync {
    /// Records `job` unless a job with its id was recorded before; true if recorded now.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn record(&self, job: &Job) -> Result<bool, RepoError>;
}

/// Records every registry event once, however many times it is delivered.
#[derive(Clone)]
pub struct RecordEventHandler {
    pub journal: Arc<dyn EventJournal>,
}

impl std::fmt::Debug for RecordEventHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordEventHandler")
    }
}

#[async_trait]
impl JobHandler for RecordEventHandler {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        let first = self.journal.record(job).await.map_err(JobError::from)?;
        if first {
            tracing::info!(event.kind = %job.kind, "registry event handled");
        } else {
            tracing::info!(event.kind = %job.kind, "registry event seen before; nothing to do");
        }
        Ok(())
    }
}
