//! The queue dashboard's use cases: counts per queue, dead jobs, retry or discard one.

use super::{DeadJob, JobQueue, QueueCounts};
use crate::AppError;
use serde::Serialize;
use std::sync::Arc;

/// One line of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueOverview {
    pub name: String,
    #[serde(flatten)]
    pub counts: QueueCounts,
}

/// Administers the queues (admins only: the routes declare it, the access middleware enforces it).
#[derive(Clone)]
pub struct QueueDashboard {
    queue: Arc<dyn JobQueue>,
}

impl std::fmt::Debug for QueueDashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueueDashboard")
    }
}

impl QueueDashboard {
    #[must_use]
    pub fn new(queue: Arc<dyn JobQueue>) -> Self {
        Self { queue }
    }

    /// Every queue with its counts.
    ///
    /// # Errors
    /// `Unavailable` when the queue server can't be reached.
    pub async fn overview(&self) -> Result<Vec<QueueOverview>, AppError> {
        let mut lines = Vec::new();
        for name in self.queue.queues() {
            let counts = self.queue.counts(&name).await?;
            lines.push(QueueOverview { name, counts });
        }
        Ok(lines)
    }

    /// # Errors
    /// `NotFound` for an unknown queue, `Unavailable` when the server can't be reached.
    pub async fn dead_jobs(&self, queue: &str, limit: u32) -> Result<Vec<DeadJob>, AppError> {
        Ok(self.queue.dead_jobs(queue, limit).await?)
    }

    /// # Errors
    /// `NotFound` for an unknown queue or dead job, `Unavailable` as above.
    pub async fn retry(&self, queue: &str, dead_id: &str) -> Result<(), AppError> {
        if self.queue.retry_dead(queue, dead_id).await? {
            Ok(())
        } else {
            Err(AppError::not_found("dead job", dead_id))
        }
    }

    /// # Errors
    /// `NotFound` for an unknown queue or dead job, `Unavailable` as above.
    pub async fn discard(&self, queue: &str, dead_id: &str) -> Result<(), AppError> {
        if self.queue.discard_dead(queue, dead_id).await? {
            Ok(())
        } else {
            Err(AppError::not_found("dead job", dead_id))
        }
    }
}
