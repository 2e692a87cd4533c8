//! The Redis pool: short timeouts, so that an unreachable Redis fails fast and callers can
//! fall back instead of hanging.

use deadpool_redis::{Config, Pool, PoolConfig, Runtime, Timeouts};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;
use tisseco_application::ports::RepoError;

/// How to reach Redis, shared by every Redis adapter.
#[derive(Debug, Clone)]
pub struct RedisSettings {
    pub url: SecretString,
    /// Prepended to every key (e.g. `tisseco:`).
    pub key_prefix: String,
    pub max_connections: usize,
    /// Longest wait for a connection or an answer.
    pub timeout: Duration,
    /// How long the cache stops trying after a failure.
    pub retry_after: Duration,
}

/// A pool and the key prefix, shared by the Redis adapters.
#[derive(Clone)]
pub struct RedisPool {
    pool: Pool,
    prefix: String,
    timeout: Duration,
}

impl std::fmt::Debug for RedisPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisPool")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisPool {
    /// Builds the pool; connects lazily.
    ///
    /// # Errors
    /// When the URL is not a Redis URL.
    pub fn new(settings: &RedisSettings) -> Result<Self, String> {
        let mut config = Config::from_url(settings.url.expose_secret());
        let timeouts = Timeouts {
            wait: Some(settings.timeout),
            create: Some(settings.timeout),
            recycle: Some(settings.timeout),
        };
        config.pool = Some(PoolConfig {
            max_size: settings.max_connections,
            timeouts,
            ..PoolConfig::default()
        });
        let pool = config
            .create_pool(Some(Runtime::Tokio1))
            .map_err(|e| format!("REDIS_URL: {e}"))?;
        Ok(Self {
            pool,
            prefix: settings.key_prefix.clone(),
            timeout: settings.timeout,
        })
    }

    pub(crate) fn key(&self, parts: &[&str]) -> String {
        let mut key = self.prefix.clone();
        key.push_str(&parts.join(":"));
        key
    }

    /// Runs `work` on a pooled connection within the timeout; any failure is `Unavailable`.
    pub(crate) async fn run<T, F>(
        &self,
        work: impl FnOnce(deadpool_redis::Connection) -> F,
    ) -> Result<T, RepoError>
    where
        F: Future<Output = Result<T, deadpool_redis::redis::RedisError>>,
    {
        let attempt = async {
            let conn = self
                .pool
                .get()
                .await
                .map_err(|e| RepoError::Unavailable(format!("redis: {e}")))?;
            work(conn)
                .await
                .map_err(|e| RepoError::Unavailable(format!("redis: {e}")))
        };
        tokio::time::timeout(self.timeout, attempt)
            .await
            .unwrap_or_else(|_| Err(RepoError::Unavailable("redis: timed out".into())))
    }
}
