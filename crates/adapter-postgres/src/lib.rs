//! The PostgreSQL + PostGIS adapter: repositories with their audit records, the audit log,
//! the connection pool and the embedded migrations.

mod audit;
mod errors;
mod geo;
mod migrations;
mod pool;
mod registry;
mod rows;
mod schema;

pub use geo::search_statement;
pub use migrations::{MigrationError, revert_all_migrations, run_migrations};
pub use pool::{PgPool, PgSettings, PoolMode, build_pool};
pub use registry::PgStore;
