//! The worker's job consumers and gauges as verbs: which queues a worker reads, how many
//! jobs it runs at once in each, started, watched and stopped without the worker naming
//! the queue or storage adapters.

use std::sync::Arc;
use std::time::Duration;
use tisseco_adapter_postgres::PgStore;
use tisseco_adapter_queue::{Consumer, ConsumerHandle, ConsumerSettings, RedisQueue};
use tisseco_application::jobs::{Handlers, JobQueue};
use tisseco_application::ports::HealthCheck;
use tokio::task::JoinHandle;

/// The queues a worker consumes and how.
#[derive(Debug, Clone)]
pub struct JobConsumers {
    queue: RedisQueue,
    settings: ConsumerSettings,
    /// Jobs run at once in one queue, when it differs from `settings.concurrency`.
    per_queue: Vec<(String, usize)>,
}

impl JobConsumers {
    #[must_use]
    pub fn new(
        queue: RedisQueue,
        settings: ConsumerSettings,
        per_queue: Vec<(String, usize)>,
    ) -> Self {
        Self {
            queue,
            settings,
            per_queue,
        }
    }

    /// Joins every queue's consumer group as `name`, each running `handlers`.
    ///
    /// # Errors
    /// When Redis can't be reached to join a group.
    pub async fn start(&self, name: &str, handlers: &Handlers) -> Result<Consumers, String> {
        let mut started = Vec::new();
        for queue in self.queue.queues() {
            let mut settings = self.settings.clone();
            if let Some((_, n)) = self.per_queue.iter().find(|(q, _)| *q == queue) {
                settings.concurrency = *n;
            }
            let handle = Consumer::start(&self.queue, &queue, name, settings, handlers.clone())
                .await
                .map_err(|e| format!("queue {queue}: {e}"))?;
            started.push(handle);
        }
        Ok(Consumers(started))
    }
}

/// Started consumers, one per queue.
#[derive(Debug, Default)]
pub struct Consumers(Vec<ConsumerHandle>);

impl Consumers {
    /// Whether there are consumers and every one still runs.
    #[must_use]
    pub fn all_running(&self) -> bool {
        !self.0.is_empty() && self.0.iter().all(ConsumerHandle::is_running)
    }

    /// Stops reading and waits for the jobs in flight, queue by queue.
    ///
    /// # Errors
    /// The first consumer's failure, after every one was stopped.
    pub async fn stop(self) -> Result<(), String> {
        let mut first_error = None;
        for consumer in self.0 {
            if let Err(error) = consumer.stop().await {
                first_error.get_or_insert(error.to_string());
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// The dependencies a worker's `/health` reports, by name.
#[must_use]
pub fn health_probes(
    store: &PgStore,
    queue: &RedisQueue,
) -> Vec<(&'static str, Arc<dyn HealthCheck>)> {
    vec![
        ("postgres", Arc::new(store.clone())),
        ("redis", Arc::new(queue.clone())),
    ]
}

/// Starts the sampler of the gauges nobody counts (queue counts, outbox lag, imports by
/// state, the pool), every `every` until the task is aborted. An unreachable server is
/// logged once per outage, its gauges keeping their last values.
#[must_use]
pub fn spawn_metrics_sampler(store: PgStore, queue: RedisQueue, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut failing = false;
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            store.record_pool_metrics();
            let outcome = match (
                queue.record_metrics().await,
                store.record_backlog_metrics().await,
            ) {
                (Err(error), _) => Err(error),
                (_, Err(error)) => Err(error.to_string()),
                _ => Ok(()),
            };
            match outcome {
                Err(error) if !failing => {
                    tracing::warn!(error = %error, "cannot sample the queue metrics");
                    failing = true;
                }
                Ok(()) if failing => {
                    tracing::info!("queue metrics sampled again");
                    failing = false;
                }
                _ => {}
            }
        }
    })
}
