//! One multiplexed Redis connection shared by every request (it pipelines concurrent
//! commands), taken from a deadpool-redis pool and replaced after a failure. After a
//! failure no new connection is tried for `retry_after`, so an outage costs nothing.

use crate::RedisSettings;
use deadpool_redis::redis::aio::MultiplexedConnection;
use deadpool_redis::redis::{self, FromRedisValue, RedisResult};
use deadpool_redis::{Connection, Pool, Runtime};
use secrecy::ExposeSecret;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
struct State {
    connection: Option<MultiplexedConnection>,
    retry_at: Option<Instant>,
}

pub(crate) struct SharedConnection {
    pool: Pool,
    state: Mutex<State>,
    retry_after: Duration,
    /// Shown by `CLIENT LIST` (the key prefix without its last `:`), so an operator sees
    /// whose connections these are.
    name: String,
}

impl std::fmt::Debug for SharedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedConnection").finish_non_exhaustive()
    }
}

impl SharedConnection {
    pub(crate) fn new(settings: &RedisSettings) -> Result<Self, String> {
        let manager =
            crate::tls::manager(settings.url.expose_secret(), settings.ca_file.as_deref())?;
        let pool = Pool::builder(manager)
            .max_size(2)
            .wait_timeout(Some(settings.timeout))
            .create_timeout(Some(settings.timeout))
            .recycle_timeout(Some(settings.timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            pool,
            state: Mutex::new(State::default()),
            retry_after: settings.retry_after,
            name: client_name(&settings.key_prefix),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn connection(&self) -> Result<MultiplexedConnection, String> {
        {
            let state = self.lock();
            if let Some(connection) = &state.connection {
                return Ok(connection.clone());
            }
            if state.retry_at.is_some_and(|at| Instant::now() < at) {
                return Err("redis was unreachable moments ago; not retrying yet".into());
            }
        }
        match self.pool.get().await {
            Ok(pooled) => {
                let mut connection = Connection::take(pooled);
                if !self.name.is_empty() {
                    let named = redis::cmd("CLIENT")
                        .arg("SETNAME")
                        .arg(&self.name)
                        .query_async::<()>(&mut connection)
                        .await;
                    if let Err(error) = named {
                        self.failed();
                        return Err(format!("redis connection unusable: {error}"));
                    }
                }
                let mut state = self.lock();
                state.retry_at = None;
                Ok(state.connection.get_or_insert(connection).clone())
            }
            Err(error) => {
                self.failed();
                Err(format!("no redis connection: {error}"))
            }
        }
    }

    pub(crate) fn failed(&self) {
        let mut state = self.lock();
        state.connection = None;
        state.retry_at = Some(Instant::now() + self.retry_after);
    }

    /// Runs `work` on the shared connection; an I/O failure or timeout drops it, so the
    /// next call (after `retry_after`) connects again.
    pub(crate) async fn run<T, F>(
        &self,
        work: impl FnOnce(MultiplexedConnection) -> F,
    ) -> Result<T, String>
    where
        F: Future<Output = RedisResult<T>>,
    {
        let connection = self.connection().await?;
        let started = Instant::now();
        let result = work(connection).await;
        crate::metrics::command(started, result.is_err());
        result.map_err(|error| {
            if error.is_unrecoverable_error() || error.is_io_error() || error.is_timeout() {
                self.failed();
            }
            error.to_string()
        })
    }

    pub(crate) async fn query<T: FromRedisValue>(&self, command: &redis::Cmd) -> Result<T, String> {
        self.run(|mut connection| async move { command.query_async(&mut connection).await })
            .await
    }
}

/// A `CLIENT SETNAME` value from a key prefix: no trailing `:`, no spaces (Redis refuses them).
fn client_name(prefix: &str) -> String {
    prefix
        .trim_end_matches(':')
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::client_name;

    #[test]
    fn the_client_name_is_the_key_prefix_without_spaces() {
        assert_eq!(client_name("tisseco:"), "tisseco");
        assert_eq!(client_name("test-1a2b:"), "test-1a2b");
        assert_eq!(client_name("my app:"), "my_app");
        assert_eq!(client_name(""), "");
    }
}
