//! Typed, validated settings from the environment, and the wiring of adapters into the
//! ports the binaries use.

pub mod config;
mod seed;
mod settings;

pub use seed::{SeedReport, seed_demo_data};
pub use settings::{HttpSettings, Settings};

use std::sync::Arc;
use tisseco_adapter_postgres::{PgStore, build_pool};
use tisseco_application::Registry;
use tisseco_application::ports::{HealthCheck, SystemClock};
use tisseco_application::use_cases::RegistryPorts;

pub use tisseco_adapter_postgres::{
    MigrationError, PgSettings, PoolMode, revert_all_migrations, run_migrations,
};

/// Everything a binary needs, as ports and use cases.
#[derive(Clone)]
pub struct Services {
    pub registry: Registry,
    pub database: Arc<dyn HealthCheck>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Services")
    }
}

/// Builds the services on PostgreSQL. Opens no connection yet.
///
/// # Errors
/// When the pool settings are invalid.
pub fn build_services(database: &PgSettings, mode: PoolMode) -> Result<Services, String> {
    let store = Arc::new(PgStore::new(build_pool(database, mode)?));
    let registry = Registry::new(RegistryPorts {
        sites: store.clone(),
        areas: store.clone(),
        containers: store.clone(),
        queries: store.clone(),
        audit_log: store.clone(),
        clock: Arc::new(SystemClock),
    });
    Ok(Services {
        registry,
        database: store,
    })
}
