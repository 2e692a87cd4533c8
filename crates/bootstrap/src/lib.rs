//! Typed, validated settings from the environment (`settings.rs`, `config.rs`, one module
//! per concern) and the wiring of adapters into the ports the binaries use (`wiring.rs`,
//! `jobs.rs`).

pub mod backups;
mod cache;
pub mod config;
mod consumers;
pub mod jobs;
mod metrics;
mod security;
mod seed;
mod settings;
mod users;
mod wiring;

pub use cache::CacheSettings;
pub use consumers::{Consumers, JobConsumers};
pub use metrics::MetricsSettings;
pub use security::{AuthSettings, RateLimits};
pub use seed::{SeedReport, seed_demo_data};
pub use settings::{
    ApiKeys, HttpSettings, Settings, WorkerBase, apply_default_locale,
    database as database_settings, telemetry as telemetry_settings,
};
pub use users::{DemoUser, create_admin, seed_demo_users};

pub use tisseco_adapter_cache::RedisSettings;
pub use tisseco_adapter_mail::{MailSettings, SmtpMailer};
pub use tisseco_adapter_postgres::{
    MigrationError, PgOutbox, PgSettings, PgStore, PoolMode, build_pool, prepared_search_statement,
    revert_all_migrations, run_migrations, search_statement, tile_statement,
};
pub use tisseco_adapter_queue::RedisQueue as RedisJobQueue;
pub use tisseco_adapter_queue::{Consumer, ConsumerHandle, ConsumerSettings, QueueSettings};
pub use wiring::{Services, build_api, build_services, wire};

use tisseco_adapter_auth::SigningKeys;

/// A new Ed25519 private key (hex) and its `id:hex` public entry, for `generate-key`.
#[must_use]
pub fn generate_signing_key(key_id: u32) -> (String, String) {
    let keys = SigningKeys::generate(key_id);
    (keys.private_hex(), keys.public_entry())
}
