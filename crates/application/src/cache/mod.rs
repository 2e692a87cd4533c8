//! The `Cache` port and the read-through logic on top of it: explicit keys versioned per
//! namespace, scoped by who asks, and single-flight so concurrent misses run one load.

mod single_flight;

pub use single_flight::SingleFlight;

use crate::AppError;
use async_trait::async_trait;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tisseco_domain::UserId;

/// The namespace of everything derived from containers (searches, lookups). Container
/// writes, and area writes (boundaries decide area searches), bump it.
pub const CONTAINERS: &str = "containers";

/// A key-value cache with one version counter per namespace.
///
/// The cache is an optimisation, never a dependency: no method returns an error. When the
/// store is unreachable the adapter logs and counts the failure and behaves as an empty
/// cache (`version` gives `None`, `get` misses, `put` and `bump` do nothing).
#[async_trait]
pub trait Cache: Send + Sync {
    /// The namespace's current version (0 before the first bump); `None` when unknown.
    async fn version(&self, namespace: &str) -> Option<u64>;
    /// Moves the namespace to a new version: entries keyed with older ones are never read
    /// again and expire on their own. Call it after the write has committed.
    async fn bump(&self, namespace: &str);
    async fn get(&self, key: &str) -> Option<Vec<u8>>;
    async fn put(&self, key: &str, value: &[u8], ttl: Duration);
}

/// A cache that holds nothing: every read goes to the source.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCache;

#[async_trait]
impl Cache for NoCache {
    async fn version(&self, _: &str) -> Option<u64> {
        None
    }
    async fn bump(&self, _: &str) {}
    async fn get(&self, _: &str) -> Option<Vec<u8>> {
        None
    }
    async fn put(&self, _: &str, _: &[u8], _: Duration) {}
}

/// Whose answer a cached value is: part of every key, so an answer that depends on the
/// caller is never served to someone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The same for everybody (anonymous routes).
    Public,
    /// The same for every staff member (no per-user rule applies yet).
    Staff,
    /// Only for this user.
    User(UserId),
}

impl Scope {
    fn tag(self) -> String {
        match self {
            Self::Public => "public".into(),
            Self::Staff => "staff".into(),
            Self::User(id) => format!("user-{}", id.0.simple()),
        }
    }
}

/// An explicit cache key: namespace, scope and a description of the request.
#[derive(Debug, Clone)]
pub struct CacheKey {
    pub namespace: &'static str,
    pub scope: Scope,
    /// Every input the answer depends on, e.g. `nearby:45.75000:4.85000:1000:20`.
    pub request: String,
}

impl CacheKey {
    /// The key as stored, for `version` of the namespace.
    #[must_use]
    pub fn versioned(&self, version: u64) -> String {
        format!(
            "{}:v{version}:{}:{}",
            self.namespace,
            self.scope.tag(),
            self.request
        )
    }
}

/// A value served from the cache or just loaded.
pub type Cached = Arc<[u8]>;

/// Read-through caching with single-flight over a [`Cache`].
#[derive(Clone)]
pub struct CachedReads {
    cache: Arc<dyn Cache>,
    flights: SingleFlight,
}

impl std::fmt::Debug for CachedReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CachedReads")
    }
}

impl CachedReads {
    #[must_use]
    pub fn new(cache: Arc<dyn Cache>) -> Self {
        Self {
            cache,
            flights: SingleFlight::default(),
        }
    }

    #[must_use]
    pub fn cache(&self) -> &Arc<dyn Cache> {
        &self.cache
    }

    /// The cached value of `key`, or the result of `load`, stored for `ttl`. Concurrent
    /// callers missing the same key share one `load`; a failed load is not cached.
    ///
    /// # Errors
    /// Whatever `load` returns; the cache itself never fails a read.
    pub async fn get_or_load<F>(
        &self,
        key: &CacheKey,
        ttl: Duration,
        load: F,
    ) -> Result<Cached, AppError>
    where
        F: Future<Output = Result<Vec<u8>, AppError>> + Send + 'static,
    {
        let version = self.cache.version(key.namespace).await;
        let stored = version.map(|v| key.versioned(v));
        if let Some(stored) = &stored
            && let Some(hit) = self.cache.get(stored).await
        {
            return Ok(hit.into());
        }
        let flight_key = stored
            .clone()
            .unwrap_or_else(|| format!("uncached:{}", key.versioned(0)));
        let cache = self.cache.clone();
        self.flights
            .run(flight_key, async move {
                let value: Cached = load.await?.into();
                if let Some(stored) = stored {
                    cache.put(&stored, &value, ttl).await;
                }
                Ok(value)
            })
            .await
    }
}

#[cfg(test)]
mod tests;
