//! The Redis adapter of the [`Cache`] port. Keys are explicit and carry the configured
//! prefix; each namespace has one version counter (`INCR`), never a key scan. Redis being
//! unreachable is never an error: calls are skipped for a short back-off, logged once per
//! outage and counted, and the cache behaves as empty.

use crate::RedisSettings;
use crate::connection::SharedConnection;
use async_trait::async_trait;
use deadpool_redis::redis::{self, FromRedisValue};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tisseco_application::cache::Cache;

/// The [`Cache`] on Redis.
#[derive(Debug)]
pub struct RedisCache {
    connection: SharedConnection,
    prefix: String,
    timeout: Duration,
    failures: AtomicU64,
    down: AtomicBool,
}

/// A Redis URL that can't be used at all (wrong scheme…); unreachable is not an error.
#[derive(Debug, thiserror::Error)]
#[error("REDIS_URL: {0}")]
pub struct RedisConfigError(String);

impl RedisCache {
    /// Builds the cache; connects lazily, so an unreachable Redis does not stop start-up.
    ///
    /// # Errors
    /// When the URL is not a Redis URL.
    pub fn new(settings: &RedisSettings) -> Result<Self, RedisConfigError> {
        let connection =
            SharedConnection::new(settings).map_err(|e| RedisConfigError(e.to_string()))?;
        Ok(Self {
            connection,
            prefix: settings.key_prefix.clone(),
            timeout: settings.timeout,
            failures: AtomicU64::new(0),
            down: AtomicBool::new(false),
        })
    }

    /// Calls that failed or were skipped because Redis was unreachable, since start.
    #[must_use]
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    fn version_key(&self, namespace: &str) -> String {
        format!("{}{namespace}:version", self.prefix)
    }

    /// Runs one command; `None` (logged once per outage, counted) when Redis fails.
    async fn run<T: FromRedisValue>(&self, command: &redis::Cmd) -> Option<T> {
        // two deadlines: a late answer is asked for once more
        let limit = self.timeout.saturating_mul(2) + Duration::from_millis(50);
        let outcome = match tokio::time::timeout(limit, self.connection.query(command)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(error),
            Err(_) => {
                self.connection.timed_out();
                crate::metrics::timed_out();
                Err(format!("no answer within {:?}", self.timeout))
            }
        };
        match outcome {
            Ok(value) => {
                if self.down.swap(false, Ordering::Relaxed) {
                    tracing::info!("redis reachable again; caching resumes");
                }
                Some(value)
            }
            Err(error) => {
                let count = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
                if !self.down.swap(true, Ordering::Relaxed) {
                    tracing::warn!(cache.error = %error, cache.failures = count, "redis unavailable; the cache passes through");
                }
                None
            }
        }
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn version(&self, namespace: &str) -> Option<u64> {
        let version: Option<Option<u64>> = self
            .run(redis::cmd("GET").arg(self.version_key(namespace)))
            .await;
        version.map(Option::unwrap_or_default)
    }

    async fn bump(&self, namespace: &str) {
        let _: Option<u64> = self
            .run(redis::cmd("INCR").arg(self.version_key(namespace)))
            .await;
    }

    async fn get(&self, key: &str) -> Option<Vec<u8>> {
        let value: Option<Option<Vec<u8>>> = self
            .run(redis::cmd("GET").arg(format!("{}{key}", self.prefix)))
            .await;
        if let Some(answer) = &value {
            crate::metrics::cache_lookup(answer.is_some());
        }
        value.flatten()
    }

    async fn put(&self, key: &str, value: &[u8], ttl: Duration) {
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let _: Option<()> = self
            .run(
                redis::cmd("SET")
                    .arg(format!("{}{key}", self.prefix))
                    .arg(value)
                    .arg("PX")
                    .arg(millis),
            )
            .await;
    }
}
