//! The validation's side of an import: reading staged rows, resolving what a batch's codes
//! name (set-based, one statement), saving each validated batch with its cursor, and the
//! rejected cells read back.

use super::{BULK_TIMEOUT, count, line, lock_cursor, staging};
use crate::errors::from_diesel;
use crate::store::PgStore;
use diesel::sql_types::{
    Array, BigInt, Bool, Date, Double, Integer, Nullable, Text, Uuid as SqlUuid,
};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use std::collections::HashMap;
use tisseco_application::imports::{ImportState, RejectedCell, ValidatedBatch};
use tisseco_application::ports::RepoError;
use tisseco_domain::import::{RawRecord, Resolved, RowError, RowKeys, ValidRow};
use tisseco_domain::placement::AreaDistance;
use tisseco_domain::{AreaCode, AreaId, SiteId};
use uuid::Uuid;

#[derive(QueryableByName)]
struct StagedRow {
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = Array<Text>)]
    fields: Vec<String>,
}

#[derive(QueryableByName)]
struct ResolvedRow {
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    site_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    area_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Double>)]
    metres: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    swapped_metres: Option<f64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    first_line: Option<i64>,
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

/// Per line: the live site, the live area of that site, the distances from the point and
/// the swapped point to the area's boundary (geography: metres on the sphere, 0 inside; the
/// swapped one only for a point outside), and an earlier line with the same reference.
const RESOLVE: &str = "
SELECT k.line, s.id AS site_id, a.id AS area_id, d.metres,
       CASE WHEN d.metres > 0 AND abs(k.lon) <= 90
            THEN ST_Distance(checked.boundary::geography,
                             ST_SetSRID(ST_MakePoint(k.lat, k.lon), 4326)::geography) END
         AS swapped_metres,
       (SELECT v.line FROM import_valid v
        WHERE v.import_id = $1 AND v.site_id = s.id AND v.external_ref = k.ref
        ORDER BY v.line LIMIT 1) AS first_line
FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[],
            $8::bool[])
     AS k(line, site_code, area_code, ref, lat, lon, keeps_area)
LEFT JOIN sites s ON s.code = k.site_code AND s.archived_at IS NULL
LEFT JOIN areas a ON a.site_id = s.id AND a.code = k.area_code AND a.archived_at IS NULL
-- the area the container will be in: the row's, or (no area_code column) the one it keeps
LEFT JOIN LATERAL (
    SELECT a.boundary WHERE NOT k.keeps_area
    UNION ALL
    SELECT ka.boundary FROM (
        -- one probe of the unique index, whatever the statistics say (as the merge's)
        SELECT c.area_id FROM containers c
        WHERE k.keeps_area AND c.site_id = s.id AND c.external_ref = k.ref
        ORDER BY c.site_id, c.external_ref LIMIT 1
    ) c JOIN areas ka ON ka.id = c.area_id
    WHERE ka.archived_at IS NULL
) checked ON true
LEFT JOIN LATERAL (
    SELECT ST_Distance(checked.boundary::geography,
                       ST_SetSRID(ST_MakePoint(k.lon, k.lat), 4326)::geography) AS metres
    WHERE checked.boundary IS NOT NULL
) d ON true";

/// The statement that resolves a batch's codes ($1 the import; then per row: line, site
/// code, area code, reference, latitude, longitude, keeps its area), for the test of its plan.
#[must_use]
pub fn resolve_statement() -> &'static str {
    RESOLVE
}

pub(super) async fn resolve(
    store: &PgStore,
    id: Uuid,
    keys: &[RowKeys],
) -> Result<HashMap<u64, Resolved>, RepoError> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let mut conn = store.conn().await?;
    let rows: Vec<ResolvedRow> = sql_query(RESOLVE)
        .bind::<SqlUuid, _>(id)
        .bind::<Array<BigInt>, _>(keys.iter().map(|k| line(k.line)).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(keys.iter().map(|k| k.site.as_str()).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(
            keys.iter()
                .map(|k| k.area.as_ref().map(AreaCode::as_str))
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Text>, _>(
            keys.iter()
                .map(|k| k.external_ref.as_str())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Double>, _>(
            keys.iter()
                .map(|k| k.location.latitude())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Double>, _>(
            keys.iter()
                .map(|k| k.location.longitude())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Bool>, _>(keys.iter().map(|k| k.keeps_area).collect::<Vec<_>>())
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let resolved = Resolved {
                site: r.site_id.map(SiteId),
                area: r.area_id.map(AreaId),
                area_distance: r.metres.map(|metres| AreaDistance {
                    metres,
                    swapped_metres: r.swapped_metres,
                }),
                first_line: r.first_line.map(count),
            };
            (count(r.line), resolved)
        })
        .collect())
}

#[derive(QueryableByName)]
struct ValidBefore {
    #[diesel(sql_type = BigInt)]
    before: i64,
}

/// Saves a batch with its cursor; `Ok(false)` when another run saved it first.
pub(super) async fn save_validated(
    store: &PgStore,
    id: Uuid,
    batch: &ValidatedBatch,
) -> Result<bool, RepoError> {
    let mut conn = store.conn().await?;
    let valid_before = conn
        .transaction::<_, diesel::result::Error, _>(async |tx| {
            if lock_cursor(tx, id, &[ImportState::Validating], "validated_through").await?
                != Some(line(batch.from))
            {
                return Ok(None);
            }
            tx.batch_execute(BULK_TIMEOUT).await?;
            insert_valid(tx, id, &batch.valid).await?;
            insert_errors(tx, id, &batch.rejected).await?;
            let counted: ValidBefore = sql_query(
                "UPDATE imports SET validated_through = $2, valid = valid + $3, \
                 rejected = rejected + $4, updated_at = now() WHERE id = $1 \
                 RETURNING valid - $3 AS before",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<BigInt, _>(line(batch.through))
            .bind::<BigInt, _>(line(batch.valid.len() as u64))
            .bind::<BigInt, _>(line(batch.rejected_lines))
            .get_result(tx)
            .await?;
            Ok(Some(counted.before))
        })
        .await
        .map_err(from_diesel)?;
    let Some(valid_before) = valid_before else {
        return Ok(false);
    };
    crate::metrics::import_rows("valid", batch.valid.len());
    crate::metrics::import_rows(
        "rejected",
        usize::try_from(batch.rejected_lines).unwrap_or(usize::MAX),
    );
    if valid_before == 0 && !batch.valid.is_empty() {
        // The import's first valid rows: until import_valid's statistics know of them
        // (after an import ends, its VACUUM leaves the table counted empty), the planner
        // answers `RESOLVE`'s earlier-line lookup by walking the primary key and filtering
        // every row of the import: over the statement timeout from the second batch on.
        conn.batch_execute("ANALYZE import_valid")
            .await
            .map_err(from_diesel)?;
    }
    Ok(true)
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

pub(super) async fn insert_errors(
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

/// Saves a batch's valid rows, typed values written as their stored forms.
async fn insert_valid(
    tx: &mut AsyncPgConnection,
    id: Uuid,
    rows: &[ValidRow],
) -> diesel::QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    sql_query(
        "INSERT INTO import_valid (import_id, line, container_id, public_code, site_id, area_id, \
         external_ref, kind, status, capacity_litres, latitude, longitude, address, installed_on, \
         notes) \
         SELECT $1, * FROM unnest($2::bigint[], $3::uuid[], $4::text[], $5::uuid[], $6::uuid[], \
           $7::text[], $8::text[], $9::text[], $10::integer[], $11::float8[], $12::float8[], \
           $13::text[], $14::date[], $15::text[]) \
         ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Array<BigInt>, _>(rows.iter().map(|r| line(r.line)).collect::<Vec<_>>())
    .bind::<Array<SqlUuid>, _>(rows.iter().map(|r| r.container_id.0).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(
        rows.iter()
            .map(|r| r.public_code.as_str())
            .collect::<Vec<_>>(),
    )
    .bind::<Array<SqlUuid>, _>(rows.iter().map(|r| r.site_id.0).collect::<Vec<_>>())
    .bind::<Array<Nullable<SqlUuid>>, _>(
        rows.iter()
            .map(|r| r.area_id.map(|a| a.0))
            .collect::<Vec<_>>(),
    )
    .bind::<Array<Text>, _>(
        rows.iter()
            .map(|r| r.external_ref.as_str())
            .collect::<Vec<_>>(),
    )
    .bind::<Array<Text>, _>(rows.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>())
    .bind::<Array<Nullable<Integer>>, _>(
        rows.iter()
            .map(|r| r.capacity.and_then(|c| i32::try_from(c.get()).ok()))
            .collect::<Vec<_>>(),
    )
    .bind::<Array<Double>, _>(
        rows.iter()
            .map(|r| r.location.latitude())
            .collect::<Vec<_>>(),
    )
    .bind::<Array<Double>, _>(
        rows.iter()
            .map(|r| r.location.longitude())
            .collect::<Vec<_>>(),
    )
    .bind::<Array<Nullable<Text>>, _>(
        rows.iter()
            .map(|r| r.address.as_ref().map(|a| a.as_str()))
            .collect::<Vec<_>>(),
    )
    .bind::<Array<Nullable<Date>>, _>(rows.iter().map(|r| r.installed_on).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(
        rows.iter()
            .map(|r| r.notes.as_ref().map(|n| n.as_str()))
            .collect::<Vec<_>>(),
    )
    .execute(tx)
    .await
    .map(drop)
}
