//! The import tables, one file per phase: the upload (`upload`: staging by `COPY`, hand-over,
//! failure, sweep), validation (`validate`), merge (`merge`), and reading imports back
//! (`summary`). Each batch commits with its cursor, under a row lock on the import, so
//! concurrent or repeated runs of a step never apply a batch twice.

mod merge;
mod staging;
mod summary;
mod upload;
mod validate;

pub use validate::resolve_statement;

use crate::store::PgStore;
use async_trait::async_trait;
use diesel::sql_types::{Array, BigInt, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::collections::HashMap;
use tisseco_application::imports::{
    ImportState, ImportStore, ImportSummary, MergeCandidate, MergePlan, NewImport, RejectedCell,
    Staging, Transition, UploadedFile, ValidatedBatch,
};
use tisseco_application::ports::RepoError;
use tisseco_domain::import::{RawRecord, Resolved, RowKeys};
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

/// The statement time limit of the import's set-based steps, which handle whole batches
/// (the pool's limit is meant for requests).
const BULK_TIMEOUT: &str = "SET LOCAL statement_timeout = '120s'";

/// The stored names of `states`, for `state = ANY(...)`.
fn names(states: &[ImportState]) -> Vec<&'static str> {
    states.iter().map(|s| s.as_str()).collect()
}

/// Locks the import row and returns its cursor when the import is in one of `states`.
async fn lock_cursor(
    tx: &mut AsyncPgConnection,
    id: Uuid,
    states: &[ImportState],
    cursor: &str,
) -> diesel::QueryResult<Option<i64>> {
    let rows: Vec<Cursor> = sql_query(format!(
        "SELECT {cursor} AS cursor FROM imports WHERE id = $1 AND state = ANY($2) FOR UPDATE"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Text>, _>(names(states))
    .load(tx)
    .await?;
    Ok(rows.into_iter().next().map(|c| c.cursor))
}

#[async_trait]
impl ImportStore for PgStore {
    async fn create(&self, new: &NewImport) -> Result<(), RepoError> {
        upload::create(self, new).await
    }

    async fn stage(&self, id: Uuid) -> Result<Box<dyn Staging>, RepoError> {
        upload::stage(self, id).await
    }

    async fn finish_upload(
        &self,
        id: Uuid,
        file: &UploadedFile,
        to: &Transition,
    ) -> Result<(), RepoError> {
        upload::finish_upload(self, id, file, to).await
    }

    async fn fail(&self, id: Uuid, to: &Transition, reason: &str) -> Result<(), RepoError> {
        upload::fail(self, id, to, reason).await
    }

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

    async fn transition(
        &self,
        id: Uuid,
        to: &Transition,
        failure: Option<&str>,
    ) -> Result<bool, RepoError> {
        upload::transition(self, id, to, failure).await
    }

    async fn staged_after(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RawRecord>, RepoError> {
        validate::staged_after(self, id, after, limit).await
    }

    async fn resolve(
        &self,
        id: Uuid,
        keys: &[RowKeys],
    ) -> Result<HashMap<u64, Resolved>, RepoError> {
        validate::resolve(self, id, keys).await
    }

    async fn save_validated(&self, id: Uuid, batch: &ValidatedBatch) -> Result<bool, RepoError> {
        validate::save_validated(self, id, batch).await
    }

    async fn merge_candidates(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<MergeCandidate>, RepoError> {
        merge::candidates(self, id, after, limit).await
    }

    async fn apply_merge(&self, id: Uuid, plan: MergePlan) -> Result<bool, RepoError> {
        merge::apply(self, id, plan).await
    }

    async fn complete(&self, id: Uuid, to: &Transition) -> Result<(), RepoError> {
        merge::complete(self, id, to).await
    }

    async fn discard_rows(&self, id: Uuid) -> Result<(), RepoError> {
        upload::discard_rows(self, id).await
    }

    async fn touch(&self, id: Uuid) -> Result<(), RepoError> {
        upload::touch(self, id).await
    }

    async fn fail_stale_uploads(
        &self,
        idle: std::time::Duration,
        to: &Transition,
        reason: &str,
    ) -> Result<Vec<Uuid>, RepoError> {
        upload::fail_stale_uploads(self, idle, to, reason).await
    }

    async fn errors_after(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RejectedCell>, RepoError> {
        validate::errors_after(self, id, after, limit).await
    }
}
