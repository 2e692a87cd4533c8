//! The validation's side of an import: reading staged rows, resolving site and area codes,
//! saving each validated batch with its cursor, and the rejected cells read back.

use super::{count, in_state, line, lock_cursor, merge, staging};
use crate::errors::from_diesel;
use crate::registry::PgStore;
use diesel::sql_types::{Array, BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::FutureExt;
use std::collections::HashMap;
use tisseco_application::imports::{RejectedCell, ValidatedBatch};
use tisseco_application::ports::RepoError;
use tisseco_domain::import::{RawRecord, RowError};
use uuid::Uuid;

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

pub(super) async fn staged_after(
    store: &PgStore,
    id: Uuid,
    after: u64,
    limit: u32,
) -> Result<Vec<RawRecord>, RepoError> {
    let mut conn = store.conn().await?;
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

pub(super) async fn site_ids(
    store: &PgStore,
    codes: &[String],
) -> Result<HashMap<String, Uuid>, RepoError> {
    let mut conn = store.conn().await?;
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

pub(super) async fn area_ids(
    store: &PgStore,
    pairs: &[(Uuid, String)],
) -> Result<HashMap<(Uuid, String), Uuid>, RepoError> {
    let sites: Vec<Uuid> = pairs.iter().map(|p| p.0).collect();
    let codes: Vec<String> = pairs.iter().map(|p| p.1.clone()).collect();
    let mut conn = store.conn().await?;
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

pub(super) async fn save_validated(
    store: &PgStore,
    id: Uuid,
    batch: &ValidatedBatch,
) -> Result<bool, RepoError> {
    let mut conn = store.conn().await?;
    conn.transaction::<_, diesel::result::Error, _>(async |tx| {
        if lock_cursor(tx, id, "validating", "validated_through").await? != Some(line(batch.from)) {
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

pub(super) async fn finish_validation(store: &PgStore, id: Uuid) -> Result<(), RepoError> {
    in_state(store, id, "validating", "validated_through", (), |tx, _| {
        merge::reject_duplicates(tx, id).boxed()
    })
    .await
}

pub(super) async fn errors_after(
    store: &PgStore,
    id: Uuid,
    after: u64,
    limit: u32,
) -> Result<Vec<RejectedCell>, RepoError> {
    let mut conn = store.conn().await?;
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
