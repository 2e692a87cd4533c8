//! [`RedisQueue`]: the producer and dashboard side of the queue port.

use crate::keys::{GROUP, QueueKeys};
use crate::parse::{Entry, entries};
use crate::settings::QueueSettings;
use crate::{scripts, unavailable};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fred::prelude::*;
use tisseco_application::jobs::{DeadJob, Job, JobQueue, QueueCounts, QueueError};
use tisseco_application::ports::{HealthCheck, RepoError};
use tracing::Instrument;

/// The queues on Redis. Cloning is cheap (one shared connection).
#[derive(Clone)]
pub struct RedisQueue {
    pub(crate) client: Client,
    pub(crate) prefix: String,
    queues: Vec<String>,
    dedup_ttl: std::time::Duration,
}

impl std::fmt::Debug for RedisQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisQueue")
            .field("prefix", &self.prefix)
            .field("queues", &self.queues)
            .finish_non_exhaustive()
    }
}

pub(crate) fn build_client(settings: &QueueSettings) -> Result<Client, QueueError> {
    let mut config = Config::from_url(&settings.url)
        .map_err(|e| QueueError::Unexpected(format!("REDIS_URL: {e}")))?;
    crate::tls::with_ca(&mut config, settings.ca_file.as_deref())
        .map_err(QueueError::Unexpected)?;
    let timeout = settings.command_timeout;
    Builder::from_config(config)
        .with_performance_config(|performance| {
            performance.default_command_timeout = timeout;
        })
        .with_connection_config(|connection| {
            connection.connection_timeout = timeout;
            connection.max_command_attempts = 1;
        })
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2))
        .build()
        .map_err(|e| QueueError::Unexpected(e.to_string()))
}

impl RedisQueue {
    /// Builds the client and starts connecting in the background: a Redis that is down
    /// makes calls fail with `Unavailable` until it is back, it does not stop the process.
    ///
    /// # Errors
    /// When the URL is invalid.
    pub fn connect(settings: &QueueSettings) -> Result<Self, QueueError> {
        let client = build_client(settings)?;
        let _reconnecting = client.connect();
        Ok(Self {
            client,
            prefix: settings.prefix.clone(),
            queues: settings.queues.clone(),
            dedup_ttl: settings.dedup_ttl,
        })
    }

    pub(crate) fn keys(&self, queue: &str) -> Result<QueueKeys, QueueError> {
        if self.queues.iter().any(|q| q == queue) {
            Ok(QueueKeys::new(&self.prefix, queue))
        } else {
            Err(QueueError::UnknownQueue(queue.to_owned()))
        }
    }

    /// How many entries the stream of `queue` holds (tests: copies would show here).
    ///
    /// # Errors
    /// `UnknownQueue`, or `Unavailable` when Redis can't be reached.
    pub async fn stream_len(&self, queue: &str) -> Result<u64, QueueError> {
        let keys = self.keys(queue)?;
        self.client
            .xlen(&keys.stream)
            .await
            .map_err(|e| unavailable(&e))
    }

    /// Deletes every key of the configured queues (tests and benchmarks).
    ///
    /// # Errors
    /// `Unavailable` when Redis can't be reached.
    pub async fn purge(&self) -> Result<(), QueueError> {
        for name in &self.queues {
            let keys = QueueKeys::new(&self.prefix, name);
            let () = self
                .client
                .del(vec![keys.stream, keys.delayed, keys.dead])
                .await
                .map_err(|e| unavailable(&e))?;
        }
        Ok(())
    }
}

#[async_trait]
impl HealthCheck for RedisQueue {
    async fn ping(&self) -> Result<(), RepoError> {
        let fail_fast = Options {
            fail_fast: true,
            ..Options::default()
        };
        let _pong: Value = self
            .client
            .with_options(&fail_fast)
            .ping(None)
            .await
            .map_err(|e| RepoError::Unavailable(format!("redis: {e}")))?;
        Ok(())
    }
}

pub(crate) fn encode(job: &Job) -> Result<String, QueueError> {
    serde_json::to_string(job).map_err(|e| QueueError::Unexpected(e.to_string()))
}

fn dead_job(entry: Entry) -> Option<DeadJob> {
    let job = serde_json::from_str(entry.fields.get("job")?).ok()?;
    let failed_at = entry
        .fields
        .get("failed_at")
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
    Some(DeadJob {
        dead_id: entry.id,
        job,
        error: entry.fields.get("error").cloned().unwrap_or_default(),
        failed_at,
    })
}

/// A stream id is `milliseconds-sequence`; anything else can't name an entry.
fn valid_stream_id(id: &str) -> bool {
    let mut parts = id.splitn(2, '-');
    let digits = |s: Option<&str>| {
        s.is_some_and(|s| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()))
    };
    digits(parts.next()) && digits(parts.next())
}

#[async_trait]
impl JobQueue for RedisQueue {
    fn queues(&self) -> Vec<String> {
        self.queues.clone()
    }

    async fn enqueue(&self, queue: &str, jobs: &[Job]) -> Result<(), QueueError> {
        let keys = self.keys(queue)?;
        if jobs.is_empty() {
            return Ok(());
        }
        let mut script_keys = Vec::with_capacity(jobs.len() + 1);
        let mut args = Vec::with_capacity(jobs.len() + 1);
        script_keys.push(keys.stream.clone());
        args.push(self.dedup_ttl.as_secs().max(1).to_string());
        let span = tracing::info_span!(
            "redis enqueue",
            otel.kind = "producer",
            db.system = "redis",
            messaging.system = "redis_streams",
            messaging.destination.name = %queue,
            messaging.batch.message_count = jobs.len(),
        );
        // A job enqueued inside a traced span (a request, another job) carries that trace.
        let here = span.in_scope(tisseco_telemetry::current_traceparent);
        for job in jobs {
            script_keys.push(keys.seen(&job.id));
            if job.trace_context.is_none() && here.is_some() {
                let traced = Job {
                    trace_context: here.clone(),
                    ..job.clone()
                };
                args.push(encode(&traced)?);
            } else {
                args.push(encode(job)?);
            }
        }
        // Fail at once while disconnected instead of queueing the call for the reconnect:
        // the caller (the relay) retries on its own, and a replayed call would add copies
        // (the script's `seen` keys stop those that still get through, e.g. after a timeout).
        let fail_fast = Options {
            fail_fast: true,
            ..Options::default()
        };
        let _added: i64 = self
            .client
            .with_options(&fail_fast)
            .eval(scripts::ENQUEUE, script_keys, args)
            .instrument(span)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn counts(&self, queue: &str) -> Result<QueueCounts, QueueError> {
        let keys = self.keys(queue)?;
        let pipeline = self.client.pipeline();
        let () = pipeline
            .xlen(&keys.stream)
            .await
            .map_err(|e| unavailable(&e))?;
        let () = pipeline
            .zcard(&keys.delayed)
            .await
            .map_err(|e| unavailable(&e))?;
        let () = pipeline
            .xlen(&keys.dead)
            .await
            .map_err(|e| unavailable(&e))?;
        let (stream, delayed, dead): (u64, u64, u64) =
            pipeline.all().await.map_err(|e| unavailable(&e))?;
        // No group yet (no worker ever started): nothing is in flight.
        let pending: Value = self
            .client
            .xpending(&keys.stream, GROUP, ())
            .await
            .unwrap_or(Value::Null);
        let in_flight = match pending {
            Value::Array(summary) => summary.first().and_then(Value::as_u64).unwrap_or(0),
            _ => 0,
        };
        Ok(QueueCounts {
            depth: stream.saturating_sub(in_flight),
            in_flight,
            delayed,
            dead,
        })
    }

    async fn dead_jobs(&self, queue: &str, limit: u32) -> Result<Vec<DeadJob>, QueueError> {
        let keys = self.keys(queue)?;
        let reply: Value = self
            .client
            .xrevrange(&keys.dead, "+", "-", Some(u64::from(limit)))
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(entries(reply).into_iter().filter_map(dead_job).collect())
    }

    async fn retry_dead(&self, queue: &str, dead_id: &str) -> Result<bool, QueueError> {
        let keys = self.keys(queue)?;
        if !valid_stream_id(dead_id) {
            return Ok(false);
        }
        let reply: Value = self
            .client
            .xrange(&keys.dead, dead_id, dead_id, Some(1))
            .await
            .map_err(|e| unavailable(&e))?;
        let Some(dead) = entries(reply).into_iter().find_map(dead_job) else {
            return Ok(false);
        };
        let mut job = dead.job;
        job.attempt = 1;
        job.enqueued_at = Utc::now();
        let moved: i64 = self
            .client
            .eval(
                scripts::RESURRECT,
                vec![keys.dead, keys.stream],
                vec![dead_id.to_owned(), encode(&job)?],
            )
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(moved == 1)
    }

    async fn discard_dead(&self, queue: &str, dead_id: &str) -> Result<bool, QueueError> {
        let keys = self.keys(queue)?;
        if !valid_stream_id(dead_id) {
            return Ok(false);
        }
        let deleted: i64 = self
            .client
            .xdel(&keys.dead, dead_id)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(deleted == 1)
    }
}
