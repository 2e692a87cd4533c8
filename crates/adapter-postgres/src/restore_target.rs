//! The check before a restore: the target database must hold no table of its own, so a
//! restore never mixes a backup with live data.

use crate::migrations::MigrationError;
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use secrecy::{ExposeSecret, SecretString};

#[derive(QueryableByName)]
struct Table {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The tables (`schema.table`) outside PostgreSQL's own schemas; empty for a new database.
///
/// # Errors
/// When the database can't be reached.
pub async fn user_tables(url: &SecretString) -> Result<Vec<String>, MigrationError> {
    let mut conn = crate::tls::establish(url.expose_secret())
        .await
        .map_err(|e| MigrationError::new(e.to_string()))?;
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables \
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    )
    .load(&mut conn)
    .await
    .map_err(|e| MigrationError::new(e.to_string()))?;
    Ok(tables.into_iter().map(|t| t.name).collect())
}
