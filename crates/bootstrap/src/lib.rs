//! Typed, validated settings from the environment, and the wiring of adapters into the
//! ports the binaries use.

mod cache;
pub mod config;
mod seed;
mod settings;

pub use cache::CacheSettings;
pub use seed::{SeedReport, seed_demo_data};
pub use settings::{HttpSettings, Settings};

use std::sync::Arc;
use tisseco_adapter_cache::RedisCache;

use tisseco_application::Registry;
use tisseco_application::cache::{Cache, CachedReads, NoCache};
use tisseco_application::ports::{HealthCheck, SystemClock};
use tisseco_application::search::{CacheTtls, GeoSearchService};
use tisseco_application::use_cases::RegistryPorts;

pub use tisseco_adapter_cache::RedisSettings;
pub use tisseco_adapter_postgres::{PgStore, build_pool, search_statement};

pub use tisseco_adapter_postgres::{
    MigrationError, PgSettings, PoolMode, revert_all_migrations, run_migrations,
};

/// Everything a binary needs, as ports and use cases.
#[derive(Clone)]
pub struct Services {
    pub registry: Registry,
    pub search: GeoSearchService,
    pub database: Arc<dyn HealthCheck>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Services")
    }
}

/// TTLs when no cache is configured (they then matter to nobody).
const NO_CACHE_TTLS: CacheTtls = CacheTtls {
    public_lookup: std::time::Duration::from_secs(60),
    staff_reads: std::time::Duration::from_secs(30),
};

/// Builds the services on PostgreSQL, without a cache. Opens no connection yet.
///
/// # Errors
/// When the pool settings are invalid.
pub fn build_services(database: &PgSettings, mode: PoolMode) -> Result<Services, String> {
    let store = Arc::new(PgStore::new(build_pool(database, mode)?));
    Ok(wire(store, Arc::new(NoCache), NO_CACHE_TTLS))
}

/// Builds the services on PostgreSQL with the Redis cache. Connects to neither yet; an
/// unreachable Redis later only makes the cache pass through.
///
/// # Errors
/// When the pool settings or the Redis URL are invalid.
pub fn build_services_with_cache(
    database: &PgSettings,
    mode: PoolMode,
    cache: &CacheSettings,
) -> Result<Services, String> {
    let store = Arc::new(PgStore::new(build_pool(database, mode)?));
    let redis = RedisCache::new(&cache.redis).map_err(|e| e.to_string())?;
    Ok(wire(store, Arc::new(redis), cache.ttls))
}

/// Builds the services over a store and a cache (also for tests that hold the store).
#[must_use]
pub fn wire(store: Arc<PgStore>, cache: Arc<dyn Cache>, ttls: CacheTtls) -> Services {
    let search = GeoSearchService::new(
        store.clone(),
        store.clone(),
        CachedReads::new(cache.clone()),
        ttls,
    );
    let registry = Registry::new(RegistryPorts {
        sites: store.clone(),
        areas: store.clone(),
        containers: store.clone(),
        queries: store.clone(),
        audit_log: store.clone(),
        clock: Arc::new(SystemClock),
    })
    .with_cache(cache);
    Services {
        registry,
        search,
        database: store,
    }
}
