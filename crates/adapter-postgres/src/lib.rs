//! The PostgreSQL + PostGIS adapter: repositories with their audit records and outbox events,
//! the audit log, the outbox relay's store, job de-duplication records, the connection pool
//! and the embedded migrations.

mod audit;
mod effects;
mod errors;
mod geo;
mod imports;
mod metrics;
mod migrations;
mod outbox;
mod pool;
mod predictions;
mod registry;
mod reports;
mod rows;
mod schema;
mod stats;
mod tiles;
mod timeline;
mod tls;
#[cfg(test)]
mod tls_tests;
mod tours;
mod users;

pub use geo::search_statement;
pub use migrations::{MigrationError, revert_all_migrations, run_migrations};
pub use outbox::PgOutbox;
pub use pool::{PgPool, PgSettings, PoolMode, build_pool};
pub use registry::PgStore;
pub use stats::{
    NEGLECTED_SQL, collections_sql, declaration_quarter_sql, declaration_range_sql, report_sqls,
    uses_rollups,
};
pub use tiles::tile_statement;
