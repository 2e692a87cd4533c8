//! What a consumer does with a job whose handler failed: wait out an unavailable
//! dependency (not an attempt), retry later with backoff, or bury it in the dead letters.

use crate::consumer::{Consumer, job_span};
use crate::keys::GROUP;
use crate::queue::encode;
use crate::{scripts, unavailable};
use chrono::Utc;
use fred::prelude::*;
use std::time::Duration;
use tisseco_application::jobs::{Job, JobError, QueueError};

impl Consumer {
    pub(crate) async fn failed(&self, entry_id: &str, job: Job, error: &JobError) {
        let span = job_span(&self.keys.name, &job);
        let mut next = job;
        let delay = match error {
            JobError::Unavailable(_) => {
                // An outage is not the job's fault: it waits as long as the outage lasts,
                // and only the first wait of a run is worth a line in the log.
                let delay = self
                    .settings
                    .outage_backoff(next.waits, rand::random::<f64>());
                if next.waits == 0 {
                    tracing::warn!(parent: &span, error = %error, retry_in_ms = delay.as_millis(), "a dependency is unavailable; the job waits (not counted as an attempt)");
                } else {
                    tracing::debug!(parent: &span, error = %error, waits = next.waits, "still unavailable; the job waits");
                }
                next.waits = next.waits.saturating_add(1);
                delay
            }
            JobError::Permanent(_) => return self.bury(entry_id, &next, error).await,
            JobError::Retry(_) if next.attempt >= self.settings.max_attempts => {
                return self.bury(entry_id, &next, error).await;
            }
            JobError::Retry(_) => {
                let delay = self.settings.backoff(next.attempt, rand::random::<f64>());
                tracing::warn!(parent: &span, error = %error, retry_in_ms = delay.as_millis(), "job failed; will retry");
                crate::metrics::retried(&self.keys.name, &next.kind);
                next.attempt += 1;
                next.waits = 0;
                delay
            }
        };
        if let Err(e) = self.retry_later(entry_id, &next, delay).await {
            tracing::warn!(parent: &span, error = %e, "cannot schedule the retry; the job stays in flight");
        }
    }

    async fn retry_later(
        &self,
        entry_id: &str,
        job: &Job,
        delay: Duration,
    ) -> Result<(), QueueError> {
        let due = Utc::now().timestamp_millis()
            + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
        let _deleted: i64 = self
            .client
            .eval(
                scripts::RETRY_LATER,
                vec![self.keys.stream.clone(), self.keys.delayed.clone()],
                vec![
                    GROUP.to_owned(),
                    entry_id.to_owned(),
                    due.to_string(),
                    encode(job)?,
                ],
            )
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn bury(&self, entry_id: &str, job: &Job, error: &JobError) {
        let span = job_span(&self.keys.name, job);
        tracing::error!(parent: &span, error = %error, "job failed for good; moved to the dead letters");
        crate::metrics::buried(&self.keys.name, &job.kind);
        match encode(job) {
            Ok(raw) => self.bury_raw(entry_id, &raw, &error.to_string()).await,
            Err(e) => tracing::error!(parent: &span, error = %e, "cannot encode job"),
        }
    }

    pub(crate) async fn bury_raw(&self, entry_id: &str, raw: &str, error: &str) {
        let buried: Result<i64, _> = self
            .client
            .eval(
                scripts::BURY,
                vec![self.keys.stream.clone(), self.keys.dead.clone()],
                vec![
                    GROUP.to_owned(),
                    entry_id.to_owned(),
                    raw.to_owned(),
                    error.to_owned(),
                    Utc::now().to_rfc3339(),
                ],
            )
            .await;
        if let Err(e) = buried {
            tracing::warn!(queue = %self.keys.name, error = %e, "cannot move a job to the dead letters; it stays in flight");
        }
    }
}
