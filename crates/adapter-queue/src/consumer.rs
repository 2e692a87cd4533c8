//! [`Consumer`]: one worker's reader of one queue. Reads batches through the consumer
//! group, runs up to `concurrency` jobs at once, acknowledges each after its handler
//! returns, hands failures to `failures.rs` and liveness (heartbeat, take-over) to
//! `liveness.rs`, and on shutdown stops reading and finishes what it started.

use crate::keys::{GROUP, QueueKeys};
use crate::parse::{Entry, read_reply};
use crate::queue::RedisQueue;
use crate::settings::ConsumerSettings;
use crate::{scripts, unavailable};
use chrono::Utc;
use fred::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tisseco_application::jobs::{Handlers, Job, JobError, QueueError};

use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinHandle;
use tracing::Instrument;

/// The most entries acknowledged in one script call.
const ACK_BATCH: usize = 1_000;

/// A job whose handler returned.
struct Done {
    entry_id: String,
    job: Job,
    outcome: Result<(), JobError>,
}

/// A running consumer: stop it gracefully, or abort it (what a crash looks like).
#[derive(Debug)]
pub struct ConsumerHandle {
    shutdown: watch::Sender<bool>,
    task: JoinHandle<Result<(), QueueError>>,
    killed: Arc<AtomicBool>,
}

impl ConsumerHandle {
    /// Stops reading, waits for the jobs in flight to finish and be acknowledged.
    ///
    /// # Errors
    /// When the consumer had stopped on an error.
    pub async fn stop(self) -> Result<(), QueueError> {
        let _ = self.shutdown.send(true);
        self.task
            .await
            .map_err(|e| QueueError::Unexpected(e.to_string()))?
    }

    /// Kills the consumer at once, leaving its jobs unacknowledged (for tests).
    pub fn abort(self) {
        // its running jobs die with it, as with the process: dropped, never acknowledged
        self.killed.store(true, Ordering::SeqCst);
        self.task.abort();
    }

    /// Whether it still runs (for the health endpoint).
    #[must_use]
    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
}

/// One worker's reader of one queue.
pub struct Consumer {
    pub(crate) client: Client,
    reader: Client,
    pub(crate) keys: QueueKeys,
    pub(crate) name: String,
    pub(crate) settings: ConsumerSettings,
    handlers: Handlers,
    pub(crate) killed: Arc<AtomicBool>,
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("queue", &self.keys.name)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The span a job runs in, named after its type; it continues the trace of whatever
/// enqueued the job (the request, through the outbox, or the job before it).
pub(crate) fn job_span(queue: &str, job: &Job) -> tracing::Span {
    let span = tracing::info_span!(
        "job",
        otel.name = %format!("job {}", job.kind),
        otel.kind = "consumer",
        messaging.system = "redis_streams",
        messaging.destination.name = %queue,
        queue = %queue,
        job.id = %job.id,
        job.type = %job.kind,
        job.attempt = job.attempt,
        request_id = job.correlation_id.as_deref().unwrap_or("-"),
    );
    tisseco_telemetry::continue_remote_trace(&span, job.trace_context.as_deref(), None);
    span
}

/// Creates the consumer group (reading the stream from its start) unless it exists.
async fn ensure_group(client: &Client, keys: &QueueKeys) -> Result<(), QueueError> {
    let created: Result<Value, _> = client.xgroup_create(&keys.stream, GROUP, "0", true).await;
    match created {
        Err(error) if !error.details().contains("BUSYGROUP") => Err(unavailable(&error)),
        _ => Ok(()),
    }
}

impl Consumer {
    /// Joins the consumer group of `queue` as `name` and starts consuming.
    ///
    /// # Errors
    /// `UnknownQueue`, or `Unavailable` when Redis can't be reached.
    pub async fn start(
        queue: &RedisQueue,
        name: &str,
        consumer: &str,
        settings: ConsumerSettings,
        handlers: Handlers,
    ) -> Result<ConsumerHandle, QueueError> {
        let keys = queue.keys(name)?;
        // Blocking reads get a connection of their own, so acks never wait behind them.
        // `init` listens for the outcome before connecting; `connect` then `wait_for_connect`
        // waits forever when the connection is made between the two (fred 10.1).
        let reader = queue.client.clone_new();
        let _reconnecting = reader.init().await.map_err(|e| unavailable(&e))?;
        ensure_group(&queue.client, &keys).await?;
        let consumer = Arc::new(Self {
            client: queue.client.clone(),
            reader,
            keys,
            name: consumer.to_owned(),
            settings,
            handlers,
            killed: Arc::new(AtomicBool::new(false)),
        });
        // alive before the first read, so no one takes this consumer for dead
        consumer.beat().await?;
        let killed = consumer.killed.clone();
        let (shutdown, stopping) = watch::channel(false);
        let task = tokio::spawn(consumer.run(stopping));
        Ok(ConsumerHandle {
            shutdown,
            task,
            killed,
        })
    }

    async fn run(self: Arc<Self>, stopping: watch::Receiver<bool>) -> Result<(), QueueError> {
        let permits = Arc::new(Semaphore::new(self.settings.concurrency));
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        let acker = tokio::spawn(self.clone().acknowledge(done_rx));
        let heart = tokio::spawn(self.clone().keep_beating());
        let mut next_reclaim = Instant::now();
        let mut failing_since: Option<Instant> = None;
        while !*stopping.borrow() {
            let round = self
                .round(&permits, &done_tx, &mut next_reclaim, &stopping)
                .await;
            match round {
                Ok(()) => {
                    if failing_since.take().is_some() {
                        tracing::info!(queue = %self.keys.name, "queue reachable again");
                    }
                }
                Err(error) => {
                    // Redis restarted empty: the group is gone with the stream; make it again.
                    if error.to_string().contains("NOGROUP") {
                        let _ = ensure_group(&self.client, &self.keys).await;
                    }
                    if failing_since.is_none() {
                        tracing::warn!(queue = %self.keys.name, error = %error, "queue unreachable; retrying");
                        failing_since = Some(Instant::now());
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        // Stop reading; wait for every job in flight, then for their acknowledgements.
        let concurrency = u32::try_from(self.settings.concurrency).unwrap_or(u32::MAX);
        let _all = permits.acquire_many(concurrency).await;
        drop(done_tx);
        acker
            .await
            .map_err(|e| QueueError::Unexpected(e.to_string()))?;
        heart.abort();
        // a clean stop: nothing of ours is pending, so others need not wait for the key
        let _: Result<i64, _> = self.client.del(self.keys.alive(&self.name)).await;
        let _ = self.reader.quit().await;
        tracing::info!(queue = %self.keys.name, consumer = %self.name, "consumer stopped");
        Ok(())
    }

    /// Promotes due retries, reclaims abandoned jobs when it is time, reads and dispatches.
    async fn round(
        self: &Arc<Self>,
        permits: &Arc<Semaphore>,
        done: &mpsc::UnboundedSender<Done>,
        next_reclaim: &mut Instant,
        stopping: &watch::Receiver<bool>,
    ) -> Result<(), QueueError> {
        self.promote().await?;
        if Instant::now() >= *next_reclaim {
            // as often as a silent consumer can be detected: a dead worker's jobs resume
            // within a few heartbeats, not after the visibility timeout
            *next_reclaim = Instant::now()
                + self
                    .settings
                    .heartbeat
                    .min(self.settings.visibility_timeout / 2);
            let mut taken = self.rescue().await?;
            taken.extend(self.reclaim().await?);
            for entry in taken {
                self.dispatch(entry, permits, done).await;
            }
        }
        // Wait for room before reading, so read jobs never wait long unacknowledged.
        drop(permits.acquire().await);
        if *stopping.borrow() {
            return Ok(());
        }
        let room = permits.available_permits().max(1) as u64;
        let block = u64::try_from(self.settings.promote_every.as_millis()).unwrap_or(1_000);
        let reply: Value = self
            .reader
            .xreadgroup(
                GROUP,
                &self.name,
                Some(room.min(self.settings.batch)),
                Some(block.max(1)),
                false,
                &self.keys.stream,
                ">",
            )
            .await
            .map_err(|e| unavailable(&e))?;
        for entry in read_reply(reply) {
            self.dispatch(entry, permits, done).await;
        }
        Ok(())
    }

    async fn promote(&self) -> Result<(), QueueError> {
        let now = Utc::now().timestamp_millis();
        let _moved: i64 = self
            .client
            .eval(
                scripts::PROMOTE,
                vec![self.keys.delayed.clone(), self.keys.stream.clone()],
                vec![now.to_string(), self.settings.batch.to_string()],
            )
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn dispatch(
        self: &Arc<Self>,
        entry: Entry,
        permits: &Arc<Semaphore>,
        done: &mpsc::UnboundedSender<Done>,
    ) {
        let job = entry
            .fields
            .get("job")
            .and_then(|raw| serde_json::from_str::<Job>(raw).ok());
        let Some(job) = job else {
            let raw = entry.fields.get("job").cloned().unwrap_or_default();
            self.bury_raw(&entry.id, &raw, "malformed job entry").await;
            return;
        };
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return;
        };
        let consumer = self.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let span = job_span(&consumer.keys.name, &job);
            let outcome = {
                let handling = crate::metrics::handled(
                    &consumer.keys.name,
                    &job.kind,
                    consumer.handlers.handle(&job),
                )
                .instrument(span);
                tokio::pin!(handling);
                // a long job (an import) stays claimed while it runs: no one takes it over
                let mut beat = tokio::time::interval(consumer.settings.visibility_timeout / 3);
                beat.tick().await;
                loop {
                    tokio::select! {
                        outcome = &mut handling => break outcome,
                        _ = beat.tick() => {
                            if consumer.killed.load(Ordering::SeqCst) {
                                return;
                            }
                            // lost to another worker: finish anyway (handlers are idempotent
                            // and imports hold a row lock), but stop renewing
                            if !consumer.keep_claimed(&entry.id).await {
                                beat = tokio::time::interval(Duration::from_secs(86_400));
                                beat.tick().await;
                            }
                        }
                    }
                }
            };
            let _ = done.send(Done {
                entry_id: entry.id,
                job,
                outcome,
            });
            drop(permit);
        });
    }

    /// Acknowledges handled jobs in batches; schedules retries and buries the dead.
    async fn acknowledge(self: Arc<Self>, mut done: mpsc::UnboundedReceiver<Done>) {
        let mut batch = Vec::with_capacity(ACK_BATCH);
        while done.recv_many(&mut batch, ACK_BATCH).await > 0 {
            let mut handled = vec![GROUP.to_owned()];
            for item in batch.drain(..) {
                match item.outcome {
                    Ok(()) => {
                        tracing::debug!(parent: &job_span(&self.keys.name, &item.job), "job done");
                        handled.push(item.entry_id);
                    }
                    Err(error) => self.failed(&item.entry_id, item.job, &error).await,
                }
            }
            if handled.len() > 1 {
                let acked: Result<i64, _> = self
                    .client
                    .eval(scripts::ACK, vec![self.keys.stream.clone()], handled)
                    .await;
                if let Err(error) = acked {
                    // They stay in flight and are taken over after the visibility timeout.
                    tracing::warn!(queue = %self.keys.name, error = %error, "acknowledgement failed");
                }
            }
        }
    }
}
