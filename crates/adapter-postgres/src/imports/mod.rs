//! The import tables, one file per phase: the upload (`upload`: staging by `COPY`, hand-over,
//! failure, sweep), validation (`validate`), merge (`merge`), and reading imports back
//! (`summary`). Each batch commits with its cursor, under a row lock on the import, so
//! concurrent or repeated runs of a step never apply a batch twice.

mod merge;
mod staging;
mod summary;
mod upload;
mod validate;

use crate::errors::from_diesel;
use crate::registry::PgStore;
use async_trait::async_trait;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use std::collections::HashMap;
use tisseco_application::imports::{
    ImportState, ImportStore, ImportSummary, NewImport, RejectedCell, Staging, UploadedFile,
    ValidatedBatch,
};
use tisseco_application::ports::RepoError;
use tisseco_domain::import::RawRecord;
use uuid::Uuid;

pub(crate) fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

pub(crate) fn line(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[derive(QueryableByName)]
struct Cursor {
    #[diesel(sql_type = BigInt)]
    cursor: i64,
}

/// Locks the import row and returns its cursor when the import is in `state`.
async fn lock_cursor(
    tx: &mut AsyncPgConnection,
    id: Uuid,
    state: &str,
    cursor: &str,
) -> diesel::QueryResult<Option<i64>> {
    let rows: Vec<Cursor> = sql_query(format!(
        "SELECT {cursor} AS cursor FROM imports WHERE id = $1 AND state = $2 FOR UPDATE"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(state)
    .load(tx)
    .await?;
    Ok(rows.into_iter().next().map(|c| c.cursor))
}

/// Runs `step` with the import's cursor in one transaction that holds the import's row
/// lock, when the import is in `state`; otherwise gives `idle`.
async fn in_state<T, F>(
    store: &PgStore,
    id: Uuid,
    state: &str,
    cursor: &str,
    idle: T,
    step: F,
) -> Result<T, RepoError>
where
    T: Send,
    F: for<'c> FnOnce(&'c mut AsyncPgConnection, i64) -> BoxFuture<'c, QueryResult<T>> + Send,
{
    let mut conn = store.conn().await?;
    conn.transaction::<_, diesel::result::Error, _>(async |tx| {
        match lock_cursor(tx, id, state, cursor).await? {
            Some(at) => step(tx, at).await,
            None => Ok(idle),
        }
    })
    .await
    .map_err(from_diesel)
}

#[async_trait]
impl ImportStore for PgStore {
    async fn get(&self, id: Uuid) -> Result<Option<ImportSummary>, RepoError> {
        summary::get(self, id).await
    }

    async fn list(
        &self,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<ImportSummary>, RepoError> {
        summary::list(self, before, limit).await
    }

    async fn create(&self, new: &NewImport) -> Result<(), RepoError> {
        upload::create(self, new).await
    }

    async fn stage(&self, id: Uuid) -> Result<Box<dyn Staging>, RepoError> {
        upload::stage(self, id).await
    }

    async fn finish_upload(&self, id: Uuid, file: &UploadedFile) -> Result<(), RepoError> {
        upload::finish_upload(self, id, file).await
    }

    async fn fail(&self, id: Uuid, reason: &str) -> Result<(), RepoError> {
        upload::fail(self, id, reason).await
    }

    async fn touch(&self, id: Uuid) -> Result<(), RepoError> {
        upload::touch(self, id).await
    }

    async fn fail_stale_uploads(
        &self,
        idle: std::time::Duration,
        reason: &str,
    ) -> Result<Vec<Uuid>, RepoError> {
        upload::fail_stale_uploads(self, idle, reason).await
    }

    async fn cancel(&self, id: Uuid) -> Result<bool, RepoError> {
        upload::cancel(self, id).await
    }

    async fn transition(
        &self,
        id: Uuid,
        from: ImportState,
        to: ImportState,
    ) -> Result<bool, RepoError> {
        upload::transition(self, id, from, to).await
    }

    async fn discard_rows(&self, id: Uuid) -> Result<(), RepoError> {
        upload::discard_rows(self, id).await
    }

    async fn staged_after(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RawRecord>, RepoError> {
        validate::staged_after(self, id, after, limit).await
    }

    async fn site_ids(&self, codes: &[String]) -> Result<HashMap<String, Uuid>, RepoError> {
        validate::site_ids(self, codes).await
    }

    async fn area_ids(
        &self,
        pairs: &[(Uuid, String)],
    ) -> Result<HashMap<(Uuid, String), Uuid>, RepoError> {
        validate::area_ids(self, pairs).await
    }

    async fn save_validated(&self, id: Uuid, batch: &ValidatedBatch) -> Result<bool, RepoError> {
        validate::save_validated(self, id, batch).await
    }

    async fn finish_validation(&self, id: Uuid) -> Result<(), RepoError> {
        validate::finish_validation(self, id).await
    }

    async fn errors_after(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RejectedCell>, RepoError> {
        validate::errors_after(self, id, after, limit).await
    }

    async fn merge_batch(&self, id: Uuid, limit: u32) -> Result<bool, RepoError> {
        in_state(
            self,
            id,
            "merging",
            "merged_through",
            false,
            move |tx, cursor| merge::merge_after(tx, id, cursor, limit).boxed(),
        )
        .await
    }

    async fn complete(&self, id: Uuid) -> Result<(), RepoError> {
        in_state(self, id, "merging", "merged_through", (), |tx, _| {
            merge::complete(tx, id).boxed()
        })
        .await
    }
}
