//! What the Redis adapters share: the settings, and one multiplexed connection with the
//! key prefix. Short timeouts, so that an unreachable Redis fails fast and callers can
//! fall back instead of hanging.

use crate::connection::SharedConnection;
use deadpool_redis::redis::RedisResult;
use deadpool_redis::redis::aio::MultiplexedConnection;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use tisseco_application::ports::{HealthCheck, RepoError};

/// How to reach Redis, shared by every Redis adapter.
#[derive(Debug, Clone)]
pub struct RedisSettings {
    pub url: SecretString,
    /// Prepended to every key (e.g. `tisseco:`).
    pub key_prefix: String,
    /// Longest wait for a connection or an answer.
    pub timeout: Duration,
    /// How long no new connection is tried after a failure.
    pub retry_after: Duration,
    /// `REDIS_CA_FILE`: the PEM roots a `rediss://` server's certificate must chain to;
    /// `None`: the system's roots.
    pub ca_file: Option<String>,
}

/// The connection and the key prefix, shared by the rate limiter and the revocation
/// cache. Every request uses the same multiplexed connection: checking a connection out
/// of a pool costs a `PING` round trip each time (deadpool-redis's recycle check), which
/// doubled the Redis round trips of every authenticated request.
#[derive(Debug, Clone)]
pub struct RedisClient {
    connection: Arc<SharedConnection>,
    prefix: String,
    timeout: Duration,
}

impl RedisClient {
    /// Builds the client; connects lazily.
    ///
    /// # Errors
    /// When the URL is not a Redis URL.
    pub fn new(settings: &RedisSettings) -> Result<Self, String> {
        Ok(Self {
            connection: Arc::new(
                SharedConnection::new(settings).map_err(|e| format!("REDIS_URL: {e}"))?,
            ),
            prefix: settings.key_prefix.clone(),
            timeout: settings.timeout,
        })
    }

    pub(crate) fn key(&self, parts: &[&str]) -> String {
        let mut key = self.prefix.clone();
        key.push_str(&parts.join(":"));
        key
    }

    /// Runs `work` on the connection; any failure is `Unavailable`. A late answer is asked
    /// for once more (see `SharedConnection::run`), so the whole call gets two timeouts; a
    /// refused connection or an open breaker fails at once.
    pub(crate) async fn run<T, F>(
        &self,
        work: impl Fn(MultiplexedConnection) -> F,
    ) -> Result<T, RepoError>
    where
        F: Future<Output = RedisResult<T>>,
    {
        let limit = self.timeout.saturating_mul(2) + Duration::from_millis(50);
        match tokio::time::timeout(limit, self.connection.run(work)).await {
            Ok(outcome) => outcome.map_err(|e| RepoError::Unavailable(format!("redis: {e}"))),
            Err(_) => {
                self.connection.timed_out();
                crate::metrics::timed_out();
                Err(RepoError::Unavailable("redis: timed out".into()))
            }
        }
    }

    /// Whether Redis answers a `PING` (the readiness probe).
    ///
    /// # Errors
    /// `Unavailable` when it does not.
    pub async fn ping(&self) -> Result<(), RepoError> {
        self.run(|mut conn| async move {
            deadpool_redis::redis::cmd("PING")
                .query_async::<String>(&mut conn)
                .await
        })
        .await
        .map(drop)
    }
}

#[async_trait::async_trait]
impl HealthCheck for RedisClient {
    async fn ping(&self) -> Result<(), RepoError> {
        RedisClient::ping(self).await
    }
}
