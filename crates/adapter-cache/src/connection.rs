//! One multiplexed Redis connection shared by every request (it pipelines concurrent
//! commands), taken from a deadpool-redis pool and replaced after a failure; one more for
//! each thread that runs a single-threaded runtime (actix-web's HTTP workers), since a
//! connection is driven by the runtime that opened it and a request should not wait for
//! another worker's thread to send its command (see `tisseco-adapter-postgres`'s
//! `thread_pools` for the same reason and its measure). A breaker
//! tells a down server from a slow answer: it opens only after `OPEN_AFTER` failures in a
//! row (then no connection is tried for `retry_after`, so an outage costs nothing), lets
//! one call through after that (half-open), and closes on the first success. Each change
//! is logged once, not each failed call.

use crate::RedisSettings;
use deadpool_redis::redis::aio::MultiplexedConnection;
use deadpool_redis::redis::{self, FromRedisValue, RedisResult};
use deadpool_redis::{Connection, Pool, Runtime};
use secrecy::ExposeSecret;
use std::sync::{Mutex, PoisonError};
use std::thread::ThreadId;
use std::time::{Duration, Instant};
use tokio::runtime::{Handle, RuntimeFlavor};

/// Failures in a row before the breaker opens: one slow answer under CPU pressure is not
/// an outage.
const OPEN_AFTER: u32 = 3;

/// At most this many threads get a connection of their own; the others share one. Bounds
/// the connections of a process whose single-threaded runtimes come and go (tests).
const OWN_CONNECTIONS: usize = 16;

#[derive(Debug, Default)]
struct State {
    /// The connections open: `None`'s is shared, the others are their thread's own.
    connections: Vec<(Option<ThreadId>, MultiplexedConnection)>,
    /// Failures since the last success.
    failures: u32,
    /// While set and in the future, the breaker is open: calls fail at once.
    retry_at: Option<Instant>,
    /// Whether the last transition logged was "down".
    down: bool,
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

    /// Whose connection this thread uses: its own on a single-threaded runtime (while
    /// there are fewer than `OWN_CONNECTIONS`), else the shared one.
    fn owner(state: &State) -> Option<ThreadId> {
        let single_threaded = Handle::try_current()
            .is_ok_and(|runtime| runtime.runtime_flavor() == RuntimeFlavor::CurrentThread);
        if !single_threaded {
            return None;
        }
        let thread = std::thread::current().id();
        let owned = state
            .connections
            .iter()
            .filter(|(o, _)| o.is_some())
            .count();
        let has_own = state.connections.iter().any(|(o, _)| *o == Some(thread));
        (has_own || owned < OWN_CONNECTIONS).then_some(thread)
    }

    async fn connection(&self) -> Result<MultiplexedConnection, String> {
        let owner = {
            let state = self.lock();
            let owner = Self::owner(&state);
            if let Some((_, connection)) = state.connections.iter().find(|(o, _)| *o == owner) {
                return Ok(connection.clone());
            }
            if state.retry_at.is_some_and(|at| Instant::now() < at) {
                return Err("redis is down (several failures in a row); retrying shortly".into());
            }
            owner
        };
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
                if let Some((_, raced)) = state.connections.iter().find(|(o, _)| *o == owner) {
                    return Ok(raced.clone());
                }
                state.connections.push((owner, connection.clone()));
                Ok(connection)
            }
            Err(error) => {
                self.failed();
                Err(format!("no redis connection: {error}"))
            }
        }
    }

    /// Counts a failure of the connection (I/O): drops it; opens the breaker after
    /// `OPEN_AFTER` failures in a row.
    pub(crate) fn failed(&self) {
        self.count_failure(true);
    }

    /// Counts an answer that did not come in time. The connection is kept (a slow server
    /// answers on it later) until the failures in a row open the breaker.
    pub(crate) fn timed_out(&self) {
        self.count_failure(false);
    }

    fn count_failure(&self, broken: bool) {
        let mut state = self.lock();
        state.failures = state.failures.saturating_add(1);
        if broken || state.failures >= OPEN_AFTER {
            state.connections.clear();
        }
        if state.failures >= OPEN_AFTER {
            state.retry_at = Some(Instant::now() + self.retry_after);
            if !state.down {
                state.down = true;
                tracing::warn!(redis.client = %self.name, failures = state.failures, "redis unreachable; calls fail fast until it answers again");
            }
        }
    }

    /// Closes the breaker after an answer.
    pub(crate) fn succeeded(&self) {
        let mut state = self.lock();
        state.failures = 0;
        state.retry_at = None;
        if state.down {
            state.down = false;
            tracing::info!(redis.client = %self.name, "redis reachable again");
        }
    }

    /// Whether the breaker is open now.
    #[cfg(test)]
    fn is_open(&self) -> bool {
        self.lock().retry_at.is_some_and(|at| Instant::now() < at)
    }

    /// Runs `work` on the shared connection. An answer that comes late (the connection's
    /// response timeout) is asked for once more before it counts as a failure: under CPU
    /// pressure a live Redis can miss one deadline. An I/O failure drops the connection, so
    /// the next call connects again.
    pub(crate) async fn run<T, F>(
        &self,
        work: impl Fn(MultiplexedConnection) -> F,
    ) -> Result<T, String>
    where
        F: Future<Output = RedisResult<T>>,
    {
        let mut late = false;
        loop {
            let started = Instant::now();
            let result = work(self.connection().await?).await;
            crate::metrics::command(started, result.is_err());
            match result {
                Ok(value) => {
                    self.succeeded();
                    return Ok(value);
                }
                Err(error) if error.is_timeout() && !late => {
                    late = true;
                    tracing::debug!("redis answered late; asking once more");
                }
                Err(error) => {
                    if error.is_timeout() {
                        self.timed_out();
                    } else if error.is_unrecoverable_error() || error.is_io_error() {
                        self.failed();
                    }
                    return Err(error.to_string());
                }
            }
        }
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

#[cfg(test)]
mod breaker_tests {
    use super::*;
    use secrecy::SecretString;

    fn connection() -> SharedConnection {
        SharedConnection::new(&RedisSettings {
            url: SecretString::from("redis://127.0.0.1:1".to_owned()),
            key_prefix: "t:".into(),
            timeout: Duration::from_millis(100),
            retry_after: Duration::from_secs(60),
            ca_file: None,
        })
        .unwrap()
    }

    #[test]
    fn one_or_two_failures_do_not_open_the_breaker_three_do() {
        let shared = connection();
        shared.timed_out();
        shared.timed_out();
        assert!(!shared.is_open(), "a slow answer or two is not an outage");
        shared.succeeded();
        shared.failed();
        shared.failed();
        assert!(!shared.is_open(), "a success starts the count again");
        shared.failed();
        assert!(shared.is_open());
        shared.succeeded();
        assert!(!shared.is_open());
    }
}
