//! Typed, validated settings from the environment, and the wiring of adapters into the
//! ports the binaries use.

pub mod config;
pub mod jobs;
mod seed;
mod settings;

pub use seed::{SeedReport, seed_demo_data};
pub use settings::{HttpSettings, Settings};

use std::sync::Arc;
use tisseco_adapter_postgres::build_pool;
use tisseco_adapter_queue::RedisQueue;
use tisseco_application::Registry;
use tisseco_application::jobs::{JobQueue, QueueDashboard};
use tisseco_application::ports::{HealthCheck, SystemClock};
use tisseco_application::use_cases::RegistryPorts;

pub use tisseco_adapter_mail::{MailSettings, SmtpMailer};
pub use tisseco_adapter_postgres::{
    MigrationError, PgOutbox, PgSettings, PgStore, PoolMode, revert_all_migrations, run_migrations,
};
pub use tisseco_adapter_queue::RedisQueue as RedisJobQueue;
pub use tisseco_adapter_queue::{Consumer, ConsumerHandle, ConsumerSettings, QueueSettings};

/// Everything a binary needs, as ports and use cases.
#[derive(Clone)]
pub struct Services {
    pub registry: Registry,
    pub database: Arc<dyn HealthCheck>,
    /// The job queues, for the dashboard.
    pub queues: QueueDashboard,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Services")
    }
}

/// Builds the services on PostgreSQL and Redis. Opens no connection yet (Redis connects in
/// the background: a Redis that is down only makes the dashboard answer 503).
///
/// # Errors
/// When the pool or queue settings are invalid.
pub fn build_services(
    database: &PgSettings,
    mode: PoolMode,
    queue: &QueueSettings,
) -> Result<Services, String> {
    let queue: Arc<dyn JobQueue> = Arc::new(RedisQueue::connect(queue).map_err(|e| e.to_string())?);
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
        queues: QueueDashboard::new(queue),
    })
}
