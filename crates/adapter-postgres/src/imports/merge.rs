//! The set-based statements of an import: saving validated rows, rejecting duplicate
//! external references, merging a batch into the containers (first recording each line's
//! change and the container's state before it, then inserting and updating) and completing
//! the import with its audit record.

use super::{count, line};
use diesel::sql_types::{Array, BigInt, Date, Double, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use tisseco_application::imports::ValidRow;
use uuid::Uuid;

/// The statement time limit of the import's set-based steps, which handle whole batches
/// (the pool's limit is meant for requests).
pub(super) const BULK_TIMEOUT: &str = "SET LOCAL statement_timeout = '120s'";

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
           'duplicate-ref:' || first
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
    // fresh statistics keep this statement, and the merge's batch reads, on the indexes
    tx.batch_execute(&format!("{BULK_TIMEOUT}; ANALYZE import_valid"))
        .await?;
    sql_query(REJECT_DUPLICATES)
        .bind::<SqlUuid, _>(id)
        .execute(tx)
        .await
        .map(drop)
}

/// Records what each line of the batch will do, before anything changes: the container it
/// updates (locked, its state kept) or the one it creates.
const RECORD_CHANGES: &str = "
WITH batch AS (
    SELECT line, container_id, site_id, external_ref FROM import_valid
    WHERE import_id = $1 AND line > $2 ORDER BY line LIMIT $3
), recorded AS (
    INSERT INTO import_changes (import_id, line, container_id, action, before)
    SELECT $1, b.line, coalesce(c.id, b.container_id),
           CASE WHEN c.id IS NULL THEN 'inserted' ELSE 'updated' END,
           (to_jsonb(c) - 'location')
             || jsonb_build_object('latitude', ST_Y(c.location), 'longitude', ST_X(c.location))
    FROM batch b LEFT JOIN LATERAL (
        -- one probe of the unique (site_id, external_ref) index per line whatever the
        -- statistics: LIMIT 1 keeps the planner from a join over every container
        SELECT * FROM containers c
        WHERE c.site_id = b.site_id AND c.external_ref = b.external_ref
        ORDER BY c.site_id, c.external_ref LIMIT 1 FOR UPDATE
    ) c ON true
    ON CONFLICT DO NOTHING
    RETURNING action, line
)
SELECT count(*) FILTER (WHERE action = 'inserted') AS inserted,
       count(*) FILTER (WHERE action = 'updated') AS updated,
       coalesce(max(line), -1) AS last
FROM recorded";

/// Creates the batch's new containers; a container created meanwhile with the same
/// (site, external reference) fails the batch, to be recorded again as an update. The batch's
/// line range is repeated on `import_valid`: without it the planner hashed the whole import's
/// valid rows for every batch (a million-row scan 50 times, which also pushed the containers'
/// index pages out of the buffer cache; the merge took a quarter longer).
const INSERT_NEW: &str = "
INSERT INTO containers (id, public_code, site_id, area_id, external_ref, kind, status,
    capacity_litres, location, address, installed_on, created_at, updated_at)
SELECT v.container_id, v.public_code, v.site_id, v.area_id, v.external_ref, v.kind, v.status,
       v.capacity_litres, ST_SetSRID(ST_MakePoint(v.longitude, v.latitude), 4326), v.address,
       v.installed_on, now(), now()
FROM import_changes ch JOIN import_valid v ON v.import_id = ch.import_id AND v.line = ch.line
WHERE ch.import_id = $1 AND ch.line > $2 AND ch.line <= $3 AND ch.action = 'inserted'
  AND v.import_id = $1 AND v.line > $2 AND v.line <= $3
ORDER BY ch.line";

/// Updates the batch's existing containers, locked by [`RECORD_CHANGES`]. An optional column
/// the file does not have leaves that field as it is: a file of the required columns alone
/// must not wipe addresses, areas, capacities and dates (nor reset statuses to `active`).
const UPDATE_EXISTING: &str = "
UPDATE containers c SET
    area_id = CASE WHEN 'area_code' = ANY(i.columns) THEN v.area_id ELSE c.area_id END,
    kind = v.kind,
    status = CASE WHEN 'status' = ANY(i.columns) THEN v.status ELSE c.status END,
    capacity_litres = CASE WHEN 'capacity_litres' = ANY(i.columns)
                           THEN v.capacity_litres ELSE c.capacity_litres END,
    location = ST_SetSRID(ST_MakePoint(v.longitude, v.latitude), 4326),
    address = CASE WHEN 'address' = ANY(i.columns) THEN v.address ELSE c.address END,
    installed_on = CASE WHEN 'installed_on' = ANY(i.columns)
                        THEN v.installed_on ELSE c.installed_on END,
    version = c.version + 1, updated_at = now()
FROM imports i, import_changes ch JOIN import_valid v ON v.import_id = ch.import_id AND v.line = ch.line
WHERE i.id = $1 AND ch.import_id = $1 AND ch.line > $2 AND ch.line <= $3 AND ch.action = 'updated'
  AND v.import_id = $1 AND v.line > $2 AND v.line <= $3 AND c.id = ch.container_id";

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
    // A larger pending list lets the trigram indexes take a batch in bulk (about 40% less
    // time); `complete` flushes it. The batch's join sorts in memory, not on disk. The batch
    // commits with its cursor, so losing the last commits in a server crash only means
    // merging those batches again.
    tx.batch_execute(&format!(
        "{BULK_TIMEOUT}; SET LOCAL gin_pending_list_limit = '64MB'; SET LOCAL work_mem = '32MB'; \
         SET LOCAL synchronous_commit = off"
    ))
    .await?;
    let merged: Merged = sql_query(RECORD_CHANGES)
        .bind::<SqlUuid, _>(id)
        .bind::<BigInt, _>(cursor)
        .bind::<BigInt, _>(i64::from(limit))
        .get_result(tx)
        .await?;
    if merged.last < 0 {
        return Ok(false);
    }
    for (statement, rows) in [
        (INSERT_NEW, merged.inserted),
        (UPDATE_EXISTING, merged.updated),
    ] {
        if rows > 0 {
            sql_query(statement)
                .bind::<SqlUuid, _>(id)
                .bind::<BigInt, _>(cursor)
                .bind::<BigInt, _>(merged.last)
                .execute(tx)
                .await?;
        }
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

/// Completes the import and writes its one audit record, after merging the trigram
/// indexes' pending lists (so that text searches need not scan them).
pub(super) async fn complete(tx: &mut AsyncPgConnection, id: Uuid) -> diesel::QueryResult<()> {
    tx.batch_execute(&format!(
        "{BULK_TIMEOUT}; SELECT gin_clean_pending_list('containers_public_code_trgm'::regclass), \
         gin_clean_pending_list('containers_address_trgm'::regclass), \
         gin_clean_pending_list('containers_external_ref_trgm'::regclass)"
    ))
    .await?;
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
