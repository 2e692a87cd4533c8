//! The import tables: staging (bulk `unnest` inserts per batch), validated rows, rejected
//! cells, progress cursors; each batch commits with its cursor, under a row lock on the
//! import, so concurrent or repeated runs of a step never apply a batch twice.

mod merge;
mod staging;

use staging::{CopyStaging, PooledStaging};

use crate::errors::from_diesel;
use crate::store::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use std::collections::HashMap;
use tisseco_application::imports::{
    ImportState, ImportStore, ImportSummary, NewImport, RejectedCell, Staging, UploadedFile,
    ValidatedBatch,
};
use tisseco_application::ports::RepoError;
use tisseco_domain::import::{RawRecord, RowError};
use uuid::Uuid;

#[derive(QueryableByName)]
struct SummaryRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    file_name: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    uploaded_by: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    locale: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    encoding: Option<String>,
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Nullable<Text>)]
    failure: Option<String>,
    #[diesel(sql_type = Bool)]
    dry_run: bool,
    #[diesel(sql_type = Array<Text>)]
    columns: Vec<String>,
    #[diesel(sql_type = BigInt)]
    staged: i64,
    #[diesel(sql_type = BigInt)]
    valid: i64,
    #[diesel(sql_type = BigInt)]
    rejected: i64,
    #[diesel(sql_type = BigInt)]
    inserted: i64,
    #[diesel(sql_type = BigInt)]
    updated: i64,
    #[diesel(sql_type = BigInt)]
    validated_through: i64,
    #[diesel(sql_type = BigInt)]
    merged_through: i64,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
}

pub(crate) fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

pub(crate) fn line(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl TryFrom<SummaryRow> for ImportSummary {
    type Error = RepoError;

    fn try_from(r: SummaryRow) -> Result<Self, RepoError> {
        Ok(Self {
            id: r.id,
            file_name: r.file_name,
            uploaded_by: r.uploaded_by,
            uploader_email: r.email,
            uploader_locale: r
                .locale
                .as_deref()
                .and_then(tisseco_domain::Locale::from_tag),
            encoding: r.encoding,
            state: ImportState::parse(&r.state).map_err(RepoError::Unexpected)?,
            failure: r.failure,
            dry_run: r.dry_run,
            columns: r.columns,
            staged: count(r.staged),
            valid: count(r.valid),
            rejected: count(r.rejected),
            inserted: count(r.inserted),
            updated: count(r.updated),
            validated_through: count(r.validated_through),
            merged_through: count(r.merged_through),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(QueryableByName)]
struct StagedRow {
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = Array<Text>)]
    fields: Vec<String>,
}

#[derive(QueryableByName)]
struct CodeId {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    site_id: Option<Uuid>,
}

#[derive(QueryableByName)]
struct Cursor {
    #[diesel(sql_type = BigInt)]
    cursor: i64,
}

#[derive(QueryableByName)]
struct ErrorRow {
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    value: String,
    #[diesel(sql_type = Text)]
    reason: String,
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

impl PgStore {
    /// Runs `step` with the import's cursor in one transaction that holds the import's row
    /// lock, when the import is in `state`; otherwise gives `idle`.
    async fn in_state<T, F>(
        &self,
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
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async |tx| {
            match lock_cursor(tx, id, state, cursor).await? {
                Some(at) => step(tx, at).await,
                None => Ok(idle),
            }
        })
        .await
        .map_err(from_diesel)
    }
}

impl PgStore {
    /// Drops the staging tables of ended imports; one it cannot drop now (a `COPY` still
    /// holds it) is left for the next sweep.
    async fn drop_staging(&self, ids: &[Uuid]) {
        for id in ids {
            let dropped = match self.conn().await {
                Ok(mut conn) => conn
                    .transaction::<_, diesel::result::Error, _>(async |tx| {
                        tx.batch_execute(&staging::drop_sql(*id)).await
                    })
                    .await
                    .map_err(from_diesel),
                Err(error) => Err(error),
            };
            if let Err(error) = dropped {
                tracing::debug!(import.id = %id, %error, "staging table not dropped yet; the sweep will");
            }
        }
    }
}

#[async_trait]
impl ImportStore for PgStore {
    async fn create(&self, new: &NewImport) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async |tx| {
            sql_query(
                "INSERT INTO imports (id, uploaded_by, file_name, dry_run) VALUES ($1, $2, $3, $4)",
            )
            .bind::<SqlUuid, _>(new.id)
            .bind::<Nullable<SqlUuid>, _>(new.uploaded_by)
            .bind::<Text, _>(&new.file_name)
            .bind::<Bool, _>(new.dry_run)
            .execute(tx)
            .await?;
            tx.batch_execute(&staging::create_sql(new.id)).await
        })
        .await
        .map_err(from_diesel)
    }

    async fn stage(&self, id: Uuid) -> Result<Box<dyn Staging>, RepoError> {
        Ok(match self.bulk_url() {
            Some(url) => Box::new(CopyStaging::open(url, id).await?),
            None => Box::new(PooledStaging {
                store: self.clone(),
                id,
            }),
        })
    }

    async fn finish_upload(&self, id: Uuid, file: &UploadedFile) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        let previous: Vec<CodeId> = sql_query(
            // a dry run changes nothing: it neither blocks nor is blocked by the same file
            "SELECT id::text AS code, id, NULL::uuid AS site_id FROM imports \
             WHERE checksum = $1 AND NOT dry_run AND state NOT IN ('receiving', 'failed', 'cancelled') \
               AND NOT (SELECT dry_run FROM imports WHERE id = $2) LIMIT 1",
        )
        .bind::<Text, _>(&file.checksum)
        .bind::<SqlUuid, _>(id)
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        if let Some(previous) = previous.into_iter().next() {
            return Err(RepoError::Conflict {
                field: "file".into(),
                message: format!(
                    "the same file was already uploaded as import {}",
                    previous.id
                ),
            });
        }
        conn.transaction::<_, diesel::result::Error, _>(async |tx| {
            sql_query(
                "UPDATE imports SET state = 'uploaded', columns = $2, delimiter = $3, checksum = $4, \
                 staged = $5, encoding = $6, updated_at = now() WHERE id = $1 AND state = 'receiving'",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<Array<Text>, _>(&file.columns)
            .bind::<Text, _>(file.delimiter.to_string())
            .bind::<Text, _>(&file.checksum)
            .bind::<BigInt, _>(line(file.staged))
            .bind::<Text, _>(&file.encoding)
            .execute(tx)
            .await?;
            sql_query(
                "INSERT INTO outbox (event_type, aggregate_type, aggregate_id, payload, correlation_id) \
                 VALUES ('import.uploaded', 'import', $1, jsonb_build_object('import_id', $1), $2)",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<Nullable<Text>, _>(file.correlation_id.as_deref())
            .execute(tx)
            .await
            .map(drop)
        })
        .await
        .map_err(|e| match from_diesel(e) {
            RepoError::Conflict { .. } => RepoError::Conflict {
                field: "file".into(),
                message: "the same file is already being imported".into(),
            },
            other => other,
        })
    }

    async fn fail(&self, id: Uuid, reason: &str) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async |tx| {
            sql_query(
                "UPDATE imports SET state = 'failed', failure = $2, updated_at = now() \
                 WHERE id = $1 AND state NOT IN ('completed', 'cancelled')",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<Text, _>(reason)
            .execute(tx)
            .await
            .map(drop)
        })
        .await
        .map_err(from_diesel)?;
        drop(conn);
        // a COPY still aborting may hold the table a moment: the sweep drops it then
        self.drop_staging(&[id]).await;
        Ok(())
    }

    async fn touch(&self, id: Uuid) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        sql_query("UPDATE imports SET updated_at = now() WHERE id = $1 AND state = 'receiving'")
            .bind::<SqlUuid, _>(id)
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }

    async fn fail_stale_uploads(
        &self,
        idle: std::time::Duration,
        reason: &str,
    ) -> Result<Vec<Uuid>, RepoError> {
        #[derive(diesel::QueryableByName)]
        struct Failed {
            #[diesel(sql_type = SqlUuid)]
            id: Uuid,
        }
        let mut conn = self.conn().await?;
        let failed: Vec<Failed> = sql_query(
            "UPDATE imports SET state = 'failed', failure = $2, updated_at = now() \
             WHERE state = 'receiving' AND updated_at < now() - make_interval(secs => $1) \
             RETURNING id",
        )
        .bind::<diesel::sql_types::Double, _>(idle.as_secs_f64())
        .bind::<Text, _>(reason)
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        // and the staging tables of every ended import, those just failed included
        let ended: Vec<Failed> = sql_query(
            "SELECT i.id FROM pg_tables t \
             JOIN imports i ON t.tablename = 'import_staged_' || replace(i.id::text, '-', '') \
             WHERE t.schemaname = current_schema() \
               AND i.state IN ('failed', 'cancelled', 'completed')",
        )
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        drop(conn);
        self.drop_staging(&ended.iter().map(|f| f.id).collect::<Vec<_>>())
            .await;
        Ok(failed.into_iter().map(|f| f.id).collect())
    }

    async fn get(&self, id: Uuid) -> Result<Option<ImportSummary>, RepoError> {
        let mut conn = self.conn().await?;
        let rows: Vec<SummaryRow> = sql_query(
            "SELECT i.id, i.file_name, i.uploaded_by, u.email, u.locale, i.encoding, i.state, i.failure, i.dry_run, \
             i.columns, i.staged, i.valid, i.rejected, i.inserted, i.updated, \
             i.validated_through, i.merged_through, i.created_at, i.updated_at \
             FROM imports i LEFT JOIN users u ON u.id = i.uploaded_by WHERE i.id = $1",
        )
        .bind::<SqlUuid, _>(id)
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        rows.into_iter()
            .next()
            .map(ImportSummary::try_from)
            .transpose()
    }

    async fn list(
        &self,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<ImportSummary>, RepoError> {
        let mut conn = self.conn().await?;
        // Newest first; the cursor is an import id, compared on (created_at, id).
        let rows: Vec<SummaryRow> = sql_query(
            "SELECT i.id, i.file_name, i.uploaded_by, u.email, u.locale, i.encoding, i.state, i.failure, i.dry_run, \
             i.columns, i.staged, i.valid, i.rejected, i.inserted, i.updated, \
             i.validated_through, i.merged_through, i.created_at, i.updated_at \
             FROM imports i LEFT JOIN users u ON u.id = i.uploaded_by \
             WHERE $1::uuid IS NULL \
                OR (i.created_at, i.id) < (SELECT b.created_at, b.id FROM imports b WHERE b.id = $1) \
             ORDER BY i.created_at DESC, i.id DESC LIMIT $2",
        )
        .bind::<Nullable<SqlUuid>, _>(before)
        .bind::<BigInt, _>(i64::from(limit))
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        rows.into_iter().map(ImportSummary::try_from).collect()
    }

    async fn cancel(&self, id: Uuid) -> Result<bool, RepoError> {
        let mut conn = self.conn().await?;
        let changed = sql_query(
            "UPDATE imports SET state = 'cancelled', updated_at = now() \
             WHERE id = $1 AND state IN ('receiving', 'uploaded', 'validating')",
        )
        .bind::<SqlUuid, _>(id)
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(changed == 1)
    }

    async fn transition(
        &self,
        id: Uuid,
        from: ImportState,
        to: ImportState,
    ) -> Result<bool, RepoError> {
        let mut conn = self.conn().await?;
        let changed = sql_query(
            "UPDATE imports SET state = $3, updated_at = now() WHERE id = $1 AND state = $2",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(from.as_str())
        .bind::<Text, _>(to.as_str())
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(changed == 1)
    }

    async fn staged_after(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RawRecord>, RepoError> {
        let mut conn = self.conn().await?;
        let rows: Vec<StagedRow> = sql_query(format!(
            "SELECT line, fields FROM {} WHERE line > $1 ORDER BY line LIMIT $2",
            staging::staged_table(id)
        ))
        .bind::<BigInt, _>(line(after))
        .bind::<BigInt, _>(i64::from(limit))
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .map(|r| RawRecord {
                line: count(r.line),
                fields: r.fields,
            })
            .collect())
    }

    async fn site_ids(&self, codes: &[String]) -> Result<HashMap<String, Uuid>, RepoError> {
        let mut conn = self.conn().await?;
        let rows: Vec<CodeId> = sql_query(
            "SELECT code, id, NULL::uuid AS site_id FROM sites \
             WHERE code = ANY($1) AND archived_at IS NULL",
        )
        .bind::<Array<Text>, _>(codes)
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(rows.into_iter().map(|r| (r.code, r.id)).collect())
    }

    async fn area_ids(
        &self,
        pairs: &[(Uuid, String)],
    ) -> Result<HashMap<(Uuid, String), Uuid>, RepoError> {
        let sites: Vec<Uuid> = pairs.iter().map(|p| p.0).collect();
        let codes: Vec<String> = pairs.iter().map(|p| p.1.clone()).collect();
        let mut conn = self.conn().await?;
        let rows: Vec<CodeId> = sql_query(
            "SELECT a.code, a.id, a.site_id FROM areas a \
             JOIN unnest($1::uuid[], $2::text[]) AS p(site_id, code) \
               ON a.site_id = p.site_id AND a.code = p.code \
             WHERE a.archived_at IS NULL",
        )
        .bind::<Array<SqlUuid>, _>(sites)
        .bind::<Array<Text>, _>(codes)
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some(((r.site_id?, r.code), r.id)))
            .collect())
    }

    async fn save_validated(&self, id: Uuid, batch: &ValidatedBatch) -> Result<bool, RepoError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async |tx| {
            if lock_cursor(tx, id, "validating", "validated_through").await?
                != Some(line(batch.from))
            {
                return Ok(false);
            }
            tx.batch_execute(merge::BULK_TIMEOUT).await?;
            merge::insert_valid(tx, id, &batch.valid).await?;
            insert_errors(tx, id, &batch.rejected).await?;
            sql_query(
                "UPDATE imports SET validated_through = $2, valid = valid + $3, \
                 rejected = rejected + $4, updated_at = now() WHERE id = $1",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<BigInt, _>(line(batch.through))
            .bind::<BigInt, _>(line(batch.valid.len() as u64))
            .bind::<BigInt, _>(line(batch.rejected_lines))
            .execute(tx)
            .await?;
            Ok(true)
        })
        .await
        .map_err(from_diesel)
        .inspect(|&saved| {
            if saved {
                crate::metrics::import_rows("valid", batch.valid.len());
                crate::metrics::import_rows(
                    "rejected",
                    usize::try_from(batch.rejected_lines).unwrap_or(usize::MAX),
                );
            }
        })
    }

    async fn finish_validation(&self, id: Uuid) -> Result<(), RepoError> {
        self.in_state(id, "validating", "validated_through", (), |tx, _| {
            merge::reject_duplicates(tx, id).boxed()
        })
        .await
    }

    async fn merge_batch(&self, id: Uuid, limit: u32) -> Result<bool, RepoError> {
        self.in_state(id, "merging", "merged_through", false, move |tx, cursor| {
            merge::merge_after(tx, id, cursor, limit).boxed()
        })
        .await
    }

    async fn complete(&self, id: Uuid) -> Result<(), RepoError> {
        self.in_state(id, "merging", "merged_through", (), |tx, _| {
            merge::complete(tx, id).boxed()
        })
        .await
    }

    async fn discard_rows(&self, id: Uuid) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async |tx| {
            tx.batch_execute(&staging::drop_sql(id)).await
        })
        .await
        .map_err(from_diesel)?;
        sql_query("DELETE FROM import_valid WHERE import_id = $1")
            .bind::<SqlUuid, _>(id)
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        drop(conn);
        // A million-row import leaves a million dead valid rows, which every later import
        // would read through until autovacuum came (if it is on): reclaim them now. VACUUM
        // runs outside any transaction, so on a connection of its own.
        if let Some(url) = self.bulk_url() {
            staging::bulk_connection(url)
                .await?
                .batch_execute("VACUUM import_valid")
                .await
                .map_err(|e| staging::from_driver(&e))?;
        }
        Ok(())
    }

    async fn errors_after(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RejectedCell>, RepoError> {
        let mut conn = self.conn().await?;
        let rows: Vec<ErrorRow> = sql_query(
            "SELECT line, column_name, value, reason FROM import_errors \
             WHERE import_id = $1 AND line IN (SELECT DISTINCT line FROM import_errors \
               WHERE import_id = $1 AND line > $2 ORDER BY line LIMIT $3) \
             ORDER BY line, column_name",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<BigInt, _>(line(after))
        .bind::<BigInt, _>(i64::from(limit))
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .map(|r| RejectedCell {
                line: count(r.line),
                error: RowError {
                    column: r.column_name,
                    value: r.value,
                    reason: r.reason,
                },
            })
            .collect())
    }
}

async fn insert_errors(
    tx: &mut AsyncPgConnection,
    id: Uuid,
    cells: &[RejectedCell],
) -> diesel::QueryResult<()> {
    if cells.is_empty() {
        return Ok(());
    }
    let lines: Vec<i64> = cells.iter().map(|c| line(c.line)).collect();
    let columns: Vec<&str> = cells.iter().map(|c| c.error.column.as_str()).collect();
    let values: Vec<&str> = cells.iter().map(|c| c.error.value.as_str()).collect();
    let reasons: Vec<&str> = cells.iter().map(|c| c.error.reason.as_str()).collect();
    sql_query(
        "INSERT INTO import_errors (import_id, line, column_name, value, reason) \
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) \
         ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Array<BigInt>, _>(lines)
    .bind::<Array<Text>, _>(columns)
    .bind::<Array<Text>, _>(values)
    .bind::<Array<Text>, _>(reasons)
    .execute(tx)
    .await
    .map(drop)
}
