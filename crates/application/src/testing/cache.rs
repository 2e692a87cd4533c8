//! An in-memory fake of the [`Cache`] port that can be switched "down", and counts calls.

use crate::cache::Cache;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Values and namespace versions in maps; TTLs are recorded, not enforced.
#[derive(Debug, Default)]
pub struct InMemoryCache {
    values: Mutex<HashMap<String, (Vec<u8>, Duration)>>,
    versions: Mutex<HashMap<String, u64>>,
    down: AtomicBool,
    /// Calls that found the store down (what the real adapter logs and counts).
    pub failures: AtomicU64,
    pub hits: AtomicU64,
}

impl InMemoryCache {
    /// Makes every call behave as if the store were unreachable (or reachable again).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    fn is_down(&self) -> bool {
        let down = self.down.load(Ordering::SeqCst);
        if down {
            self.failures.fetch_add(1, Ordering::SeqCst);
        }
        down
    }

    /// The stored keys, sorted.
    #[must_use]
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    /// The TTL a key was stored with.
    #[must_use]
    pub fn ttl_of(&self, key: &str) -> Option<Duration> {
        self.values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .map(|(_, ttl)| *ttl)
    }
}

#[async_trait]
impl Cache for InMemoryCache {
    async fn version(&self, namespace: &str) -> Option<u64> {
        if self.is_down() {
            return None;
        }
        let versions = self.versions.lock().unwrap_or_else(PoisonError::into_inner);
        Some(versions.get(namespace).copied().unwrap_or(0))
    }

    async fn bump(&self, namespace: &str) {
        if !self.is_down() {
            let mut versions = self.versions.lock().unwrap_or_else(PoisonError::into_inner);
            *versions.entry(namespace.to_owned()).or_insert(0) += 1;
        }
    }

    async fn get(&self, key: &str) -> Option<Vec<u8>> {
        if self.is_down() {
            return None;
        }
        let values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        let hit = values.get(key).map(|(v, _)| v.clone());
        if hit.is_some() {
            self.hits.fetch_add(1, Ordering::SeqCst);
        }
        hit
    }

    async fn put(&self, key: &str, value: &[u8], ttl: Duration) {
        if !self.is_down() {
            self.values
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key.to_owned(), (value.to_vec(), ttl));
        }
    }
}
