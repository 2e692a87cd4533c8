//! Staging an upload's rows: one binary `COPY` on a connection of its own, committed when
//! the upload ends, so rows stream in at `COPY` speed and a cut-off upload leaves nothing.
//! Each import stages into a table of its own, dropped when the import ends: its space
//! (dead rows of a cut-off `COPY` included) goes back to the system at once, where one
//! shared table kept 2.5 GB after two refused uploads, vacuum or not.
//! Without a URL for such connections (a pool of one test transaction), rows go through the
//! pool in `unnest` batches instead.

use super::line;
use crate::errors::from_diesel;
use crate::store::PgStore;
use async_trait::async_trait;
use diesel::sql_query;
use diesel::sql_types::{Array, BigInt, Text};
use diesel_async::RunQueryDsl;
use secrecy::{ExposeSecret, SecretString};
use std::pin::Pin;
use tisseco_application::imports::Staging;
use tisseco_application::ports::RepoError;
use tisseco_domain::import::RawRecord;
use tokio_postgres::Client;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;
use uuid::Uuid;

/// The staging table of import `id` (in the connection's first schema).
pub(crate) fn staged_table(id: Uuid) -> String {
    format!("import_staged_{}", id.simple())
}

/// Makes the staging table of import `id`.
pub(crate) fn create_sql(id: Uuid) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {} (line bigint PRIMARY KEY, fields text[] NOT NULL)",
        staged_table(id)
    )
}

/// Drops the staging table of import `id`, waiting at most a second for a `COPY` still
/// writing into it (a hung upload): the sweep tries again later.
pub(crate) fn drop_sql(id: Uuid) -> String {
    format!(
        "SET LOCAL lock_timeout = '1s'; DROP TABLE IF EXISTS {}",
        staged_table(id)
    )
}

pub(crate) fn from_driver(error: &tokio_postgres::Error) -> RepoError {
    match error.as_db_error() {
        // 57P: the server shuts down or restarts; 08: the connection failed
        Some(db)
            if ["57P", "08"]
                .iter()
                .any(|c| db.code().code().starts_with(c)) =>
        {
            RepoError::Unavailable(format!("database unavailable: {}", db.message()))
        }
        Some(db) => RepoError::Unexpected(db.message().to_owned()),
        None => RepoError::Unavailable(format!("database connection: {error}")),
    }
}

/// A connection outside the pool, for a long `COPY`; it closes when the client is dropped.
pub(crate) async fn bulk_connection(url: &SecretString) -> Result<Client, RepoError> {
    crate::tls::client(url.expose_secret())
        .await
        .map_err(|e| RepoError::Unavailable(format!("database connection: {e}")))
}

pub(super) struct CopyStaging {
    id: Uuid,
    writer: Pin<Box<BinaryCopyInWriter>>,
    /// The COPY's connection; dropping it before `commit` aborts the COPY.
    client: Client,
}

impl CopyStaging {
    pub(super) async fn open(url: &SecretString, id: Uuid) -> Result<Self, RepoError> {
        let client = bulk_connection(url).await?;
        let copy = format!(
            "COPY {} (line, fields) FROM STDIN (FORMAT binary)",
            staged_table(id)
        );
        let sink = client.copy_in(&copy).await.map_err(|e| from_driver(&e))?;
        let writer = BinaryCopyInWriter::new(sink, &[Type::INT8, Type::TEXT_ARRAY]);
        Ok(Self {
            id,
            writer: Box::pin(writer),
            client,
        })
    }
}

#[async_trait]
impl Staging for CopyStaging {
    async fn write(&mut self, rows: &[RawRecord]) -> Result<(), RepoError> {
        for row in rows {
            self.writer
                .as_mut()
                .write(&[&line(row.line), &row.fields])
                .await
                .map_err(|e| from_driver(&e))?;
        }
        crate::metrics::import_rows("staged", rows.len());
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<(), RepoError> {
        self.writer
            .as_mut()
            .finish()
            .await
            .map_err(|e| from_driver(&e))?;
        // fresh statistics keep the worker's batch reads on the primary key's order
        self.client
            .batch_execute(&format!("ANALYZE {}", staged_table(self.id)))
            .await
            .map_err(|e| from_driver(&e))
    }
}

pub(super) struct PooledStaging {
    pub(super) store: PgStore,
    pub(super) id: Uuid,
}

#[async_trait]
impl Staging for PooledStaging {
    async fn write(&mut self, rows: &[RawRecord]) -> Result<(), RepoError> {
        let lines: Vec<i64> = rows.iter().map(|r| line(r.line)).collect();
        // one `text[]` literal per row: unnest would flatten an array of arrays
        let fields: Vec<String> = rows.iter().map(|r| array_literal(&r.fields)).collect();
        let mut conn = self.store.conn().await?;
        sql_query(format!(
            "INSERT INTO {} (line, fields) \
             SELECT l, f::text[] FROM unnest($1::bigint[], $2::text[]) AS u(l, f) \
             ON CONFLICT DO NOTHING",
            staged_table(self.id)
        ))
        .bind::<Array<BigInt>, _>(lines)
        .bind::<Array<Text>, _>(fields)
        .execute(&mut conn)
        .await
        .map(|_| crate::metrics::import_rows("staged", rows.len()))
        .map_err(from_diesel)
    }

    async fn commit(self: Box<Self>) -> Result<(), RepoError> {
        Ok(())
    }
}

/// `{"a","b \"c\""}`: every element quoted, quotes and backslashes escaped.
fn array_literal(fields: &[String]) -> String {
    let mut text = String::from("{");
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push('"');
        for c in field.chars() {
            if c == '"' || c == '\\' {
                text.push('\\');
            }
            text.push(c);
        }
        text.push('"');
    }
    text.push('}');
    text
}

#[cfg(test)]
mod tests {
    use super::array_literal;

    #[test]
    fn array_literals_quote_every_element() {
        let fields = [
            "a".to_owned(),
            String::new(),
            "say \"hi\" \\ {x,y}".to_owned(),
        ];
        assert_eq!(array_literal(&fields), r#"{"a","","say \"hi\" \\ {x,y}"}"#);
    }
}
