//! The embedded migrations, run under an advisory lock so that several instances starting
//! together migrate once.

use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use secrecy::{ExposeSecret, SecretString};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");
/// Any constant works; it only has to be the same for every instance.
const MIGRATION_LOCK: i64 = 0x7415_5ec0;

#[derive(Debug, thiserror::Error)]
#[error("migrations failed: {0}")]
pub struct MigrationError(String);

impl MigrationError {
    pub(crate) fn new(message: String) -> Self {
        Self(message)
    }
}

type SyncConnection = AsyncConnectionWrapper<AsyncPgConnection>;

/// Connects (over TLS as the URL asks) on the caller's runtime, which keeps driving the
/// connection while the blocking migration code uses it.
async fn connect(url: &SecretString) -> Result<SyncConnection, MigrationError> {
    let conn = crate::tls::establish(url.expose_secret())
        .await
        .map_err(|e| MigrationError(e.to_string()))?;
    Ok(SyncConnection::from(conn))
}

fn with_lock<T>(
    mut conn: SyncConnection,
    work: impl FnOnce(&mut SyncConnection) -> Result<T, Box<dyn std::error::Error + Send + Sync>>,
) -> Result<T, MigrationError> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .map_err(|e| MigrationError(e.to_string()))?;
    let result = work(&mut conn).map_err(|e| MigrationError(e.to_string()));
    let unlocked = conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
    let value = result?;
    unlocked.map_err(|e| MigrationError(e.to_string()))?;
    Ok(value)
}

/// Applies every pending migration; returns the versions applied.
///
/// # Errors
/// When the database can't be reached or a migration fails (it is then rolled back).
pub async fn run_migrations(url: &SecretString) -> Result<Vec<String>, MigrationError> {
    let conn = connect(url).await?;
    tokio::task::spawn_blocking(move || {
        with_lock(conn, |conn| {
            let applied = conn.run_pending_migrations(MIGRATIONS)?;
            Ok(applied.iter().map(ToString::to_string).collect())
        })
    })
    .await
    .map_err(|e| MigrationError(e.to_string()))?
}

/// Reverts every applied migration, newest first (for tests of the down migrations).
///
/// # Errors
/// When the database can't be reached or a down migration fails.
pub async fn revert_all_migrations(url: &SecretString) -> Result<usize, MigrationError> {
    let conn = connect(url).await?;
    tokio::task::spawn_blocking(move || {
        with_lock(conn, |conn| {
            Ok(conn.revert_all_migrations(MIGRATIONS)?.len())
        })
    })
    .await
    .map_err(|e| MigrationError(e.to_string()))?
}
