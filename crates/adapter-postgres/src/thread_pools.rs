//! Connections that stay on the thread that uses them.
//!
//! A connection's driver (the task that writes to and reads from its socket) runs on the
//! runtime that opened it. actix-web gives each HTTP worker a single-threaded runtime of
//! its own, so with one shared pool a request on worker B whose connection was opened by
//! worker A waits for A's thread to send the query and again to read the answer: two more
//! threads to wake per query, and a wait behind whatever A is computing. On two cores
//! shared with PostgreSQL, that wait made the tail of the cheapest requests grow with the
//! number of HTTP workers (BENCHMARKS.md, "Map tiles"). Here each thread that runs a
//! single-threaded runtime, up to a set number, gets a pool of its own; everything else
//! (the worker's multi-threaded runtime, the API's background tasks, a thread past the
//! number) shares one pool.

use crate::session::{Plans, PooledSession, SessionPool};
use diesel_async::pooled_connection::deadpool::PoolError;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::ThreadId;
use tokio::runtime::{Handle, RuntimeFlavor};

type Build = dyn Fn(usize) -> Result<SessionPool, String> + Send + Sync;

/// The PostgreSQL connection pool: one shared pool, and one per single-threaded runtime's
/// thread when built for several.
#[derive(Clone)]
pub struct PgPool(Arc<Pools>);

impl std::fmt::Debug for PgPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgPool")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

struct Pools {
    shared: SessionPool,
    per_thread: Mutex<Vec<(ThreadId, SessionPool)>>,
    /// How many threads get a pool of their own.
    threads: usize,
    /// The size of each of those pools.
    per_thread_size: usize,
    build: Box<Build>,
}

/// How `max` connections are split between `threads` pools of their own and the shared
/// one: `(per thread, shared)`. The total never exceeds `max`; the shared pool keeps at
/// least one. With no more connections than threads, nothing is split.
pub(crate) fn split(max: usize, threads: usize) -> (usize, usize) {
    if threads == 0 || max <= threads {
        return (0, max);
    }
    let per_thread = (max - 1) / threads;
    (per_thread, max - per_thread * threads)
}

impl PgPool {
    /// A pool of `max` connections; `threads` single-threaded runtimes' threads get a share
    /// of them each (see [`split`]). `build(size)` makes one pool of `size` connections.
    pub(crate) fn new(max: usize, threads: usize, build: Box<Build>) -> Result<Self, String> {
        let (per_thread_size, shared_size) = split(max, threads);
        Ok(Self(Arc::new(Pools {
            shared: build(shared_size)?,
            per_thread: Mutex::new(Vec::new()),
            threads: if per_thread_size == 0 { 0 } else { threads },
            per_thread_size,
            build,
        })))
    }

    /// A connection from this thread's pool, or from the shared one.
    ///
    /// # Errors
    /// When no connection can be had in time.
    pub async fn get(&self) -> Result<PooledSession, PoolError> {
        self.get_planning(Plans::PerExecution).await
    }

    /// A connection whose session plans its prepared statements as `plans` says (see
    /// `session.rs`).
    ///
    /// # Errors
    /// When no connection can be had in time, or the server does not take the setting.
    pub async fn get_planning(&self, plans: Plans) -> Result<PooledSession, PoolError> {
        let mut session = self.for_this_thread().get().await?;
        session.plan(plans).await.map_err(|e| {
            PoolError::Backend(diesel_async::pooled_connection::PoolError::QueryError(e))
        })?;
        Ok(session)
    }

    fn for_this_thread(&self) -> SessionPool {
        let pools = &self.0;
        let single_threaded = Handle::try_current()
            .is_ok_and(|runtime| runtime.runtime_flavor() == RuntimeFlavor::CurrentThread);
        if pools.threads == 0 || !single_threaded {
            return pools.shared.clone();
        }
        let thread = std::thread::current().id();
        let mut per_thread = pools
            .per_thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((_, pool)) = per_thread.iter().find(|(owner, _)| *owner == thread) {
            return pool.clone();
        }
        if per_thread.len() < pools.threads
            && let Ok(pool) = (pools.build)(pools.per_thread_size)
        {
            per_thread.push((thread, pool.clone()));
            return pool;
        }
        pools.shared.clone()
    }

    /// The counters of all the pools together.
    #[must_use]
    pub fn status(&self) -> deadpool::Status {
        let pools = &self.0;
        let per_thread = pools
            .per_thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut total = pools.shared.status();
        // the pools not opened yet count in `max_size` already
        total.max_size += pools.per_thread_size * pools.threads;
        for (_, pool) in per_thread.iter() {
            let status = pool.status();
            total.size += status.size;
            total.available += status.available;
            total.waiting += status.waiting;
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn the_split_never_exceeds_the_maximum_and_leaves_the_shared_pool_one() {
        assert_eq!(split(16, 2), (7, 2));
        assert_eq!(split(8, 2), (3, 2));
        assert_eq!(split(8, 0), (0, 8));
        for max in 1..40 {
            for threads in 0..10 {
                let (per_thread, shared) = split(max, threads);
                let opened = if per_thread == 0 { 0 } else { threads };
                assert_eq!(per_thread * opened + shared, max, "{max} over {threads}");
                assert!(shared >= 1, "{max} over {threads}");
            }
        }
        assert_eq!(
            split(2, 2),
            (0, 2),
            "no thread's pool when each would get less than one"
        );
    }
}
