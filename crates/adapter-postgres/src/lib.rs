//! The PostgreSQL + PostGIS adapter: repositories with their audit records and outbox events,
//! the audit log, the outbox relay's store, job de-duplication records, the connection pool
//! and the embedded migrations.

mod areas;
mod audit;
mod containers;
mod effects;
mod errors;
mod geo;
mod imports;
mod links;
mod metrics;
mod migrations;
mod outbox;
mod placement;
mod pool;
mod predictions;
mod reports;
mod repository;
mod restore_target;
mod rows;
mod schema;
mod session;
mod sites;
mod stats;
mod store;
mod thread_pools;
mod tiles;
mod timeline;
mod tls;
#[cfg(test)]
mod tls_tests;
mod tours;
mod tx;
mod unit_of_work;
mod users;

pub use geo::{prepared_search_statement, search_statement};
pub use imports::resolve_statement as import_resolve_statement;
pub use migrations::{MigrationError, revert_all_migrations, run_migrations};
pub use outbox::PgOutbox;
pub use pool::{PgPool, PgSettings, PoolMode, build_pool, build_pool_per_thread};
pub use restore_target::user_tables;
pub use session::Plans;
pub use stats::{
    NEGLECTED_SQL, collections_sql, declaration_quarter_sql, declaration_range_sql, report_sqls,
    uses_rollups,
};
pub use store::PgStore;
pub use tiles::tile_statement;
