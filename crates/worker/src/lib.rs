//! The worker: consumes every queue through the consumer group, relays the outbox, answers
//! `GET /health` on its own port, and on shutdown stops reading and finishes its jobs.

mod health;
pub mod metrics;
mod relay;

pub use health::Probe;

use std::sync::Arc;
use std::time::Duration;
use tisseco_application::imports::StaleUploads;
use tisseco_application::jobs::Handlers;
use tisseco_application::outbox::OutboxRelay;
use tisseco_bootstrap::{Consumers, JobConsumers};
use tokio::net::TcpListener;
use tokio::sync::{Mutex, watch};
use tokio::task::JoinHandle;

/// What a worker runs.
#[expect(missing_debug_implementations, reason = "trait objects")]
pub struct WorkerPlan {
    /// The queues to consume, and how many jobs at once in each.
    pub consumers: JobConsumers,
    pub handlers: Handlers,
    /// `None`: this worker does not relay the outbox.
    pub relay: Option<(OutboxRelay, Duration)>,
    /// Where `GET /health` answers; `None`: no health endpoint.
    pub health: Option<TcpListener>,
    /// The dependencies `/health` reports (`postgres`, `redis`).
    pub probes: Vec<health::Probe>,
    /// `None`: this worker does not fail stopped uploads.
    pub stale_uploads: Option<StaleUploads>,
    /// This worker's name in the consumer groups (unique per process).
    pub name: String,
}

/// A started worker.
#[derive(Debug)]
pub struct RunningWorker {
    consumers: Arc<Mutex<Consumers>>,
    stop_relay: watch::Sender<bool>,
    relay: Option<JoinHandle<()>>,
    sweeper: Option<JoinHandle<()>>,
    health: Option<JoinHandle<()>>,
}

/// A name no other worker process has: host, process id and a random suffix.
#[must_use]
pub fn consumer_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into());
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}-{}-{}", std::process::id(), &random[..6])
}

/// Joins every queue's consumer group and starts the relay and the health endpoint.
///
/// # Errors
/// When Redis can't be reached to join the groups.
pub async fn start(plan: WorkerPlan) -> Result<RunningWorker, String> {
    let consumers = plan.consumers.start(&plan.name, &plan.handlers).await?;
    let consumers = Arc::new(Mutex::new(consumers));
    let (stop_relay, stopping) = watch::channel(false);
    let relay = plan
        .relay
        .map(|(relay, poll)| tokio::spawn(relay::run(relay, poll, stopping.clone())));
    let sweeper = plan
        .stale_uploads
        .map(|stale| tokio::spawn(sweep(stale, stopping)));
    let health = plan.health.map(|listener| {
        tokio::spawn(health::serve(
            listener,
            consumers.clone(),
            Arc::new(plan.probes),
        ))
    });
    tracing::info!(worker = %plan.name, "worker started");
    Ok(RunningWorker {
        consumers,
        stop_relay,
        relay,
        sweeper,
        health,
    })
}

/// Fails stopped uploads every so often; one warning per outage of the database.
async fn sweep(stale: StaleUploads, mut stop: watch::Receiver<bool>) {
    let mut failing = false;
    while !*stop.borrow() {
        match stale.sweep().await {
            Ok(_) => failing = false,
            Err(error) if !failing => {
                failing = true;
                tracing::warn!(error = %error, "cannot look for stopped uploads; trying again later");
            }
            Err(_) => {}
        }
        tokio::select! {
            () = tokio::time::sleep(stale.every()) => {}
            _ = stop.changed() => break,
        }
    }
}

impl RunningWorker {
    /// Stops the relay, stops reading, waits (up to `timeout`) for jobs in flight to finish.
    ///
    /// # Errors
    /// When a consumer had failed or the jobs did not finish in time (they are then
    /// taken over by another worker after the visibility timeout: none is lost).
    pub async fn shutdown(self, timeout: Duration) -> Result<(), String> {
        let _ = self.stop_relay.send(true);
        if let Some(relay) = self.relay {
            let _ = relay.await;
        }
        if let Some(sweeper) = self.sweeper {
            let _ = sweeper.await;
        }
        let consumers = std::mem::take(&mut *self.consumers.lock().await);
        let stopping = consumers.stop();
        let outcome = tokio::time::timeout(timeout, stopping)
            .await
            .map_err(|_| "jobs in flight did not finish in time".to_owned())?;
        if let Some(health) = self.health {
            health.abort();
        }
        tracing::info!("worker stopped");
        outcome
    }
}
