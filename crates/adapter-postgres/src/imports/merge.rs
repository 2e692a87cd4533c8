//! The set-based statements of an import: saving validated rows, rejecting duplicate
//! external references, merging a batch into the containers (recording each row's change and
//! the container's state before it) and completing the import with its audit record.

use super::{count, line};
use diesel::sql_types::{Array, BigInt, Date, Double, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use tisseco_application::imports::ValidRow;
use uuid::Uuid;

pub(super) async fn insert_valid(
    tx: &mut AsyncPgConnection,
    id: Uuid,
    rows: &[ValidRow],
) -> diesel::QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    sql_query(
        "INSERT INTO import_valid (import_id, line, container_id, public_code, site_id, area_id, \
         external_ref, kind, status, capacity_litres, latitude, longitude, address, installed_on) \
         SELECT $1, * FROM unnest($2::bigint[], $3::uuid[], $4::text[], $5::uuid[], $6::uuid[], \
           $7::text[], $8::text[], $9::text[], $10::integer[], $11::float8[], $12::float8[], \
           $13::text[], $14::date[]) \
         ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Array<BigInt>, _>(rows.iter().map(|r| line(r.line)).collect::<Vec<_>>())
    .bind::<Array<SqlUuid>, _>(rows.iter().map(|r| r.container_id).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(
        rows.iter()
            .map(|r| r.public_code.as_str())
            .collect::<Vec<_>>(),
    )
    .bind::<Array<SqlUuid>, _>(rows.iter().map(|r| r.site_id).collect::<Vec<_>>())
    .bind::<Array<Nullable<SqlUuid>>, _>(rows.iter().map(|r| r.area_id).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(
        rows.iter()
            .map(|r| r.external_ref.as_str())
            .collect::<Vec<_>>(),
    )
    .bind::<Array<Text>, _>(rows.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>())
    .bind::<Array<Nullable<Integer>>, _>(rows.iter().map(|r| r.capacity_litres).collect::<Vec<_>>())
    .bind::<Array<Double>, _>(rows.iter().map(|r| r.latitude).collect::<Vec<_>>())
    .bind::<Array<Double>, _>(rows.iter().map(|r| r.longitude).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(
        rows.iter()
            .map(|r| r.address.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind::<Array<Nullable<Date>>, _>(rows.iter().map(|r| r.installed_on).collect::<Vec<_>>())
    .execute(tx)
    .await
    .map(drop)
}

const REJECT_DUPLICATES: &str = "
WITH ranked AS (
    SELECT line, min(line) OVER (PARTITION BY site_id, external_ref) AS first
    FROM import_valid WHERE import_id = $1
), dups AS (
    DELETE FROM import_valid v USING ranked r
    WHERE v.import_id = $1 AND v.line = r.line AND r.line <> r.first
    RETURNING v.line, v.external_ref, r.first
), errs AS (
    INSERT INTO import_errors (import_id, line, column_name, value, reason)
    SELECT $1, line, 'external_ref', external_ref,
           'duplicate external reference in this file (first on line ' || first || ')'
    FROM dups ON CONFLICT DO NOTHING RETURNING 1
), n AS (SELECT count(*) AS dups FROM dups)
UPDATE imports SET
    valid = valid - n.dups,
    rejected = rejected + n.dups,
    state = CASE WHEN valid - n.dups = 0 THEN 'failed' WHEN dry_run THEN 'completed' ELSE 'merging' END,
    failure = CASE WHEN valid - n.dups = 0 THEN 'no row passed validation; see errors.csv' END,
    updated_at = now()
FROM n WHERE id = $1";

/// Rejects the later lines of each duplicated (site, external reference), then moves on.
pub(super) async fn reject_duplicates(
    tx: &mut AsyncPgConnection,
    id: Uuid,
) -> diesel::QueryResult<()> {
    sql_query(REJECT_DUPLICATES)
        .bind::<SqlUuid, _>(id)
        .execute(tx)
        .await
        .map(drop)
}

const MERGE: &str = "
WITH batch AS (
    SELECT * FROM import_valid WHERE import_id = $1 AND line > $2 ORDER BY line LIMIT $3
), prev AS (
    SELECT c.id, (to_jsonb(c) - 'location')
           || jsonb_build_object('latitude', ST_Y(c.location), 'longitude', ST_X(c.location)) AS before
    FROM containers c JOIN batch b ON c.site_id = b.site_id AND c.external_ref = b.external_ref
), up AS (
    INSERT INTO containers AS c (id, public_code, site_id, area_id, external_ref, kind, status,
        capacity_litres, location, address, installed_on, created_at, updated_at)
    SELECT container_id, public_code, site_id, area_id, external_ref, kind, status, capacity_litres,
           ST_SetSRID(ST_MakePoint(longitude, latitude), 4326), address, installed_on, now(), now()
    FROM batch ORDER BY line
    ON CONFLICT (site_id, external_ref) DO UPDATE SET
        area_id = EXCLUDED.area_id, kind = EXCLUDED.kind, status = EXCLUDED.status,
        capacity_litres = EXCLUDED.capacity_litres, location = EXCLUDED.location,
        address = EXCLUDED.address, installed_on = EXCLUDED.installed_on,
        version = c.version + 1, updated_at = now()
    RETURNING c.id, c.site_id, c.external_ref, (xmax = 0) AS inserted
), changes AS (
    INSERT INTO import_changes (import_id, line, container_id, action, before)
    SELECT $1, b.line, up.id, CASE WHEN up.inserted THEN 'inserted' ELSE 'updated' END, prev.before
    FROM up JOIN batch b ON b.site_id = up.site_id AND b.external_ref = up.external_ref
    LEFT JOIN prev ON prev.id = up.id
    ON CONFLICT DO NOTHING
    RETURNING action, line
)
SELECT count(*) FILTER (WHERE action = 'inserted') AS inserted,
       count(*) FILTER (WHERE action = 'updated') AS updated,
       coalesce(max(line), -1) AS last
FROM changes";

#[derive(QueryableByName)]
struct Merged {
    #[diesel(sql_type = BigInt)]
    inserted: i64,
    #[diesel(sql_type = BigInt)]
    updated: i64,
    #[diesel(sql_type = BigInt)]
    last: i64,
}

/// Merges the valid lines after `cursor` (at most `limit`); false when none was left.
pub(super) async fn merge_after(
    tx: &mut AsyncPgConnection,
    id: Uuid,
    cursor: i64,
    limit: u32,
) -> diesel::QueryResult<bool> {
    let merged: Merged = sql_query(MERGE)
        .bind::<SqlUuid, _>(id)
        .bind::<BigInt, _>(cursor)
        .bind::<BigInt, _>(i64::from(limit))
        .get_result(tx)
        .await?;
    if merged.last < 0 {
        return Ok(false);
    }
    sql_query(
        "UPDATE imports SET merged_through = $2, inserted = inserted + $3, \
         updated = updated + $4, updated_at = now() WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<BigInt, _>(merged.last)
    .bind::<BigInt, _>(line(count(merged.inserted)))
    .bind::<BigInt, _>(merged.updated)
    .execute(tx)
    .await?;
    Ok(true)
}

/// Completes the import and writes its one audit record.
pub(super) async fn complete(tx: &mut AsyncPgConnection, id: Uuid) -> diesel::QueryResult<()> {
    sql_query("UPDATE imports SET state = 'completed', updated_at = now() WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(tx)
        .await?;
    sql_query(
        "INSERT INTO audit_log (actor_id, action, entity_type, entity_id, after) \
         SELECT uploaded_by, 'import', 'import', id, jsonb_build_object('file_name', file_name, \
           'checksum', checksum, 'staged', staged, 'inserted', inserted, 'updated', updated, \
           'rejected', rejected) FROM imports WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .execute(tx)
    .await
    .map(drop)
}
