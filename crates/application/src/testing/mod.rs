//! In-memory fakes of the ports, and the contract every implementation must honour.
//! Shared with other crates through the `testing` feature.

mod cache;
pub mod contract;
mod geo;
mod memory;

pub use cache::InMemoryCache;
pub use memory::{FixedClock, InMemoryStore};

use crate::Registry;
use crate::use_cases::RegistryPorts;
use std::sync::Arc;

/// A registry over a fresh in-memory store; returns the store too, to inspect it.
#[must_use]
pub fn in_memory_registry() -> (Registry, Arc<InMemoryStore>) {
    let store = Arc::new(InMemoryStore::default());
    let registry = Registry::new(RegistryPorts {
        sites: store.clone(),
        areas: store.clone(),
        containers: store.clone(),
        queries: store.clone(),
        audit_log: store.clone(),
        clock: Arc::new(FixedClock::default()),
    });
    (registry, store)
}
