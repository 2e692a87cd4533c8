//! What the queue tells Prometheus: jobs handled by queue, kind and outcome with their
//! duration, retries and dead letters; and the queues' counts, sampled on demand.

use crate::RedisQueue;
use std::time::Instant;
use tisseco_application::jobs::{JobError, JobQueue};

/// Runs a job's handler and records its outcome (`done` or `failed`) and duration.
pub(crate) async fn handled(
    queue: &str,
    kind: &str,
    work: impl Future<Output = Result<(), JobError>>,
) -> Result<(), JobError> {
    let started = Instant::now();
    let outcome = work.await;
    let (queue, kind) = (queue.to_owned(), kind.to_owned());
    metrics::histogram!("tisseco_job_duration_seconds", "queue" => queue.clone(), "kind" => kind.clone())
        .record(started.elapsed().as_secs_f64());
    let result = if outcome.is_ok() { "done" } else { "failed" };
    metrics::counter!("tisseco_jobs_total", "queue" => queue, "kind" => kind, "outcome" => result)
        .increment(1);
    outcome
}

/// A failed job scheduled for another attempt.
pub(crate) fn retried(queue: &str, kind: &str) {
    metrics::counter!("tisseco_jobs_retried_total", "queue" => queue.to_owned(), "kind" => kind.to_owned())
        .increment(1);
}

/// A job moved to the dead letters.
pub(crate) fn buried(queue: &str, kind: &str) {
    metrics::counter!("tisseco_jobs_dead_total", "queue" => queue.to_owned(), "kind" => kind.to_owned())
        .increment(1);
}

impl RedisQueue {
    /// Sets `tisseco_queue_jobs{queue, state}` (`depth`, `in_flight`, `delayed`, `dead`)
    /// for every queue. Returns the first error; the other queues are still sampled.
    ///
    /// # Errors
    /// When Redis can't be reached.
    pub async fn record_metrics(&self) -> Result<(), String> {
        let mut first_error = None;
        for name in self.queues() {
            match self.counts(&name).await {
                Ok(counts) => {
                    for (state, value) in [
                        ("depth", counts.depth),
                        ("in_flight", counts.in_flight),
                        ("delayed", counts.delayed),
                        ("dead", counts.dead),
                    ] {
                        #[expect(clippy::cast_precision_loss, reason = "a gauge")]
                        metrics::gauge!("tisseco_queue_jobs", "queue" => name.clone(), "state" => state)
                            .set(value as f64);
                    }
                }
                Err(error) => {
                    first_error.get_or_insert(error.to_string());
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}
