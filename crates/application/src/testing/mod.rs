//! In-memory fakes of the ports, and the contract every implementation must honour.
//! Shared with other crates through the `testing` feature.

pub mod auth_fakes;
mod cache;
pub mod contract;
mod geo;
mod imports;
mod jobs;
#[cfg(test)]
mod jobs_tests;
mod links;
pub mod links_contract;
mod memory;
pub mod queue_contract;
mod reports;

pub use cache::InMemoryCache;
pub use imports::{ImportAudit, InMemoryImports};
pub use jobs::{InMemoryJobQueue, InMemoryKeys, InMemoryOutbox, RecordingMailer};
pub use links::InMemoryLinks;
pub use memory::{FixedClock, InMemoryStore};
pub use reports::InMemoryReports;

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

/// The fakes behind an in-memory [`Auth`](crate::auth::Auth), to inspect or break them.
#[derive(Debug, Clone)]
pub struct AuthFakes {
    pub store: Arc<InMemoryStore>,
    pub hasher: Arc<auth_fakes::FakeHasher>,
    pub sessions: Arc<auth_fakes::InMemorySessions>,
    pub revocations: Arc<auth_fakes::InMemoryRevocations>,
    pub limiter: Arc<auth_fakes::CountingLimiter>,
    pub links: Arc<InMemoryLinks>,
}

/// An [`Auth`](crate::auth::Auth) over fakes: 15-minute access tokens, 5 failed logins allowed.
#[must_use]
pub fn in_memory_auth() -> (crate::auth::Auth, AuthFakes) {
    use crate::auth::ports::Quota;
    use crate::auth::{Auth, AuthPolicy, AuthPorts, Revocations};
    use std::time::Duration;
    let fakes = AuthFakes {
        store: Arc::new(InMemoryStore::default()),
        hasher: Arc::new(auth_fakes::FakeHasher::default()),
        sessions: Arc::new(auth_fakes::InMemorySessions::default()),
        revocations: Arc::new(auth_fakes::InMemoryRevocations::default()),
        limiter: Arc::new(auth_fakes::CountingLimiter::default()),
        links: Arc::new(InMemoryLinks::default()),
    };
    let ports = AuthPorts {
        users: fakes.store.clone(),
        directory: fakes.store.clone(),
        hasher: fakes.hasher.clone(),
        tokens: Arc::new(auth_fakes::FakeTokens),
        sessions: fakes.sessions.clone(),
        revocations: Revocations::new(fakes.revocations.clone(), fakes.revocations.clone()),
        limiter: fakes.limiter.clone(),
        clock: Arc::new(crate::ports::SystemClock),
        links: fakes.links.clone(),
    };
    let policy = AuthPolicy {
        access_ttl: Duration::from_secs(900),
        refresh_ttl: Duration::from_secs(30 * 86_400),
        login_failures: Quota {
            limit: 5,
            period: Duration::from_secs(900),
        },
    };
    (Auth::new(ports, policy), fakes)
}
