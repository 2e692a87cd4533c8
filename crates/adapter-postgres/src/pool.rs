//! The connection pool: every connection gets a statement timeout and an application name.

use crate::session::{SessionManager, SessionPool};
pub use crate::thread_pools::PgPool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// How to reach PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgSettings {
    pub url: SecretString,
    pub max_connections: usize,
    pub statement_timeout: Duration,
    pub connect_timeout: Duration,
    pub application_name: String,
}

/// Whether connections commit, or each holds one transaction that is never committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolMode {
    Normal,
    /// For tests: one connection inside a transaction that is rolled back when it closes.
    RollbackTestTransaction,
}

/// Builds the pool; connections are opened lazily, so this does not touch the network.
///
/// # Errors
/// When the pool settings are invalid.
pub fn build_pool(settings: &PgSettings, mode: PoolMode) -> Result<PgPool, String> {
    let settings = settings.clone();
    PgPool::new(
        settings.max_connections,
        0,
        Box::new(move |size| build_one(&settings, mode, size)),
    )
}

/// Builds the pool of a server with `threads` single-threaded runtimes (actix-web's HTTP
/// workers): each of their threads gets its share of `max_connections` (see
/// `thread_pools`), so that its connections are driven by its own runtime.
///
/// # Errors
/// When the pool settings are invalid.
pub fn build_pool_per_thread(settings: &PgSettings, threads: usize) -> Result<PgPool, String> {
    let settings = settings.clone();
    PgPool::new(
        settings.max_connections,
        threads,
        Box::new(move |size| build_one(&settings, PoolMode::Normal, size)),
    )
}

fn build_one(
    settings: &PgSettings,
    mode: PoolMode,
    max_size: usize,
) -> Result<SessionPool, String> {
    // Searches are prepared once per connection, but their best plan depends on the
    // values (a street or a whole city): plan each execution, as unprepared SQL would be,
    // unless a search asks for plans made once (`session.rs`).
    // No JIT: compiling a statement costs 100–300 ms, and PostgreSQL starts it for any
    // statement estimated above `jit_above_cost`, such as an import batch of 20,000 rows
    // (370 ms with it, 103 ms without) or a year of statistics; none of ours runs long
    // enough to win that back.
    let setup_sql = format!(
        "SET statement_timeout = {}; SET application_name = '{}'; \
         SET plan_cache_mode = force_custom_plan; SET jit = off;",
        settings.statement_timeout.as_millis(),
        settings.application_name.replace('\'', "''"),
    );
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    // No `SELECT 1` before each use (diesel-async's default): a round trip per request.
    // A connection the server closed is still dropped (`is_broken`), so after a restart
    // the pool reconnects instead of handing it out.
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| {
        let setup_sql = setup_sql.clone();
        let url = url.to_owned();
        async move {
            let mut conn = crate::tls::establish(&url).await?;
            conn.batch_execute(&setup_sql)
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            if mode == PoolMode::RollbackTestTransaction {
                conn.begin_test_transaction()
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            }
            Ok(conn)
        }
        .boxed()
    });
    let manager =
        AsyncDieselConnectionManager::new_with_config(settings.url.expose_secret(), config);
    let max_size = if mode == PoolMode::RollbackTestTransaction {
        1
    } else {
        max_size
    };
    SessionPool::builder(SessionManager(manager))
        .max_size(max_size)
        .wait_timeout(Some(settings.connect_timeout))
        .create_timeout(Some(settings.connect_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| e.to_string())
}
