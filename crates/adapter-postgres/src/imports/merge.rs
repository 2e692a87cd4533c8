//! The merge's side of an import: reading a batch of valid rows with the containers they
//! name, and writing what the domain decided for them (creations, updates checked against the
//! version read, one audit record per changed container naming the import, rejections,
//! counts) with the cursor, in one transaction; then completing the import. Nothing here
//! decides a container's state or an import's.

use super::validate::insert_errors;
use super::{BULK_TIMEOUT, count, line, lock_cursor};
use crate::errors::from_diesel;
use crate::rows::{ContainerRow, SRID};
use crate::store::PgStore;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{
    Array, BigInt, Date, Double, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use postgis_diesel::types::Point;
use std::sync::Arc;
use tisseco_application::imports::{ImportState, MergeCandidate, MergePlan, Transition};
use tisseco_application::ports::RepoError;
use tisseco_domain::import::ValidRow;
use tisseco_domain::{
    Address, Capacity, Container, ContainerStatus, ContainerType, ExternalRef, GeoPoint, Notes,
    PublicCode, ValidationError,
};
use uuid::Uuid;

/// A batch's valid rows, each with the container of its (site, reference): one probe of the
/// unique index per line (`LIMIT 1` keeps the planner from a join over every container).
const CANDIDATES: &str = "
SELECT v.line, v.container_id, v.public_code, v.site_id, v.area_id, v.external_ref, v.kind,
       v.status, v.capacity_litres, v.latitude, v.longitude, v.address, v.installed_on, v.notes,
       c.id AS c_id, c.public_code AS c_public_code, c.area_id AS c_area_id, c.kind AS c_kind,
       c.status AS c_status, c.capacity_litres AS c_capacity_litres,
       ST_Y(c.location) AS c_latitude, ST_X(c.location) AS c_longitude,
       c.address AS c_address, c.installed_on AS c_installed_on, c.notes AS c_notes,
       c.archived_at AS c_archived_at, c.version AS c_version, c.created_at AS c_created_at,
       c.updated_at AS c_updated_at
FROM import_valid v LEFT JOIN LATERAL (
    SELECT * FROM containers c
    WHERE c.site_id = v.site_id AND c.external_ref = v.external_ref
    ORDER BY c.site_id, c.external_ref LIMIT 1
) c ON true
WHERE v.import_id = $1 AND v.line > $2
ORDER BY v.line LIMIT $3";

#[derive(QueryableByName)]
struct CandidateRow {
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = SqlUuid)]
    container_id: Uuid,
    #[diesel(sql_type = Text)]
    public_code: String,
    #[diesel(sql_type = SqlUuid)]
    site_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    area_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    external_ref: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Integer>)]
    capacity_litres: Option<i32>,
    #[diesel(sql_type = Double)]
    latitude: f64,
    #[diesel(sql_type = Double)]
    longitude: f64,
    #[diesel(sql_type = Nullable<Text>)]
    address: Option<String>,
    #[diesel(sql_type = Nullable<Date>)]
    installed_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    notes: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    c_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    c_public_code: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    c_area_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    c_kind: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c_status: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    c_capacity_litres: Option<i32>,
    #[diesel(sql_type = Nullable<Double>)]
    c_latitude: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    c_longitude: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    c_address: Option<String>,
    #[diesel(sql_type = Nullable<Date>)]
    c_installed_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    c_notes: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    c_archived_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Integer>)]
    c_version: Option<i32>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    c_created_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    c_updated_at: Option<DateTime<Utc>>,
}

fn corrupt(line: i64) -> impl Fn(ValidationError) -> RepoError {
    move |e| RepoError::Unexpected(format!("stored valid row {line} is corrupt: {e}"))
}

impl CandidateRow {
    fn valid_row(&self) -> Result<ValidRow, RepoError> {
        let build = || -> Result<ValidRow, ValidationError> {
            Ok(ValidRow {
                line: count(self.line),
                container_id: self.container_id.into(),
                public_code: PublicCode::parse(&self.public_code)?,
                site_id: self.site_id.into(),
                area_id: self.area_id.map(Into::into),
                external_ref: ExternalRef::parse(&self.external_ref)?,
                kind: ContainerType::parse(&self.kind)?,
                status: ContainerStatus::parse(&self.status)?,
                capacity: self
                    .capacity_litres
                    .map(|v| Capacity::litres(i64::from(v)))
                    .transpose()?,
                location: GeoPoint::new(self.latitude, self.longitude)?,
                address: self.address.as_deref().map(Address::parse).transpose()?,
                installed_on: self.installed_on,
                notes: self.notes.as_deref().map(Notes::parse).transpose()?,
            })
        };
        build().map_err(corrupt(self.line))
    }

    /// The stored container, read as any other (the same row type and checks).
    fn container(self) -> Result<Option<Container>, RepoError> {
        let (
            Some(id),
            Some(public_code),
            Some(kind),
            Some(status),
            Some(latitude),
            Some(longitude),
            Some(version),
            Some(created_at),
            Some(updated_at),
        ) = (
            self.c_id,
            self.c_public_code,
            self.c_kind,
            self.c_status,
            self.c_latitude,
            self.c_longitude,
            self.c_version,
            self.c_created_at,
            self.c_updated_at,
        )
        else {
            return Ok(None);
        };
        let row = ContainerRow {
            id,
            public_code,
            site_id: self.site_id,
            area_id: self.c_area_id,
            external_ref: Some(self.external_ref),
            kind,
            status,
            capacity_litres: self.c_capacity_litres,
            location: Point::new(longitude, latitude, Some(SRID)),
            address: self.c_address,
            installed_on: self.c_installed_on,
            notes: self.c_notes,
            archived_at: self.c_archived_at,
            version,
            created_at,
            updated_at,
        };
        Container::try_from(row).map(Some)
    }
}

pub(super) async fn candidates(
    store: &PgStore,
    id: Uuid,
    after: u64,
    limit: u32,
) -> Result<Vec<MergeCandidate>, RepoError> {
    let mut conn = store.conn().await?;
    let rows: Vec<CandidateRow> = sql_query(CANDIDATES)
        .bind::<SqlUuid, _>(id)
        .bind::<BigInt, _>(line(after))
        .bind::<BigInt, _>(i64::from(limit))
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
    rows.into_iter()
        .map(|r| Ok((r.valid_row()?, r.container()?)))
        .collect()
}

/// Writes the plan; `Ok(false)` when the import moved on or a container changed since read.
pub(super) async fn apply(store: &PgStore, id: Uuid, plan: MergePlan) -> Result<bool, RepoError> {
    let plan = Arc::new(plan);
    // The audit records' JSON (tens of milliseconds a batch) is written on a thread of its
    // own while the transaction opens and the containers go in, and its insert is pipelined
    // behind theirs: PostgreSQL goes from one statement to the next without waiting for us.
    let mut audit = tokio::task::spawn_blocking({
        let plan = Arc::clone(&plan);
        move || audit_entries(&plan)
    });
    let mut conn = store.conn().await?;
    let outcome = conn
        .transaction::<_, diesel::result::Error, _>(async |tx| {
            if lock_cursor(tx, id, &[ImportState::Merging], "merged_through").await?
                != Some(line(plan.from))
            {
                return Ok(false);
            }
            // A larger pending list lets the trigram indexes take a batch in bulk (about 40%
            // less time); `complete` flushes it. The batch commits with its cursor, so losing
            // the last commits in a server crash only means merging those batches again.
            tx.batch_execute(&format!(
                "{BULK_TIMEOUT}; SET LOCAL gin_pending_list_limit = '64MB'; \
                 SET LOCAL work_mem = '32MB'; SET LOCAL synchronous_commit = off"
            ))
            .await?;
            let shared: &AsyncPgConnection = tx;
            let (written, audited) =
                futures_util::future::join(write_containers(shared, &plan), async {
                    let entries = (&mut audit)
                        .await
                        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?
                        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
                    insert_audit(shared, id, &entries).await
                })
                .await;
            // the containers' error first: the audit's, behind it, only says "aborted"
            if !written? {
                // a container changed since it was read: nothing of this batch is written
                return Err(diesel::result::Error::RollbackTransaction);
            }
            audited?;
            insert_errors(tx, id, &plan.rejected).await?;
            sql_query(
                "UPDATE imports SET merged_through = $2, inserted = inserted + $3, \
                 updated = updated + $4, unchanged = unchanged + $5, rejected = rejected + $6, \
                 updated_at = now() WHERE id = $1",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<BigInt, _>(line(plan.through))
            .bind::<BigInt, _>(line(plan.created.len() as u64))
            .bind::<BigInt, _>(line(plan.updated.len() as u64))
            .bind::<BigInt, _>(line(plan.unchanged))
            .bind::<BigInt, _>(line(plan.rejected_lines))
            .execute(tx)
            .await?;
            Ok(true)
        })
        .await;
    match outcome {
        Err(diesel::result::Error::RollbackTransaction) => Ok(false),
        other => other.map_err(from_diesel),
    }
}

/// Inserts the created containers and replaces the updated ones; `false` when one of them
/// changed since it was read.
async fn write_containers(conn: &AsyncPgConnection, plan: &MergePlan) -> diesel::QueryResult<bool> {
    crate::containers::insert_all(conn, &plan.created).await?;
    Ok(crate::containers::replace_all(conn, &plan.updated).await? == plan.updated.len())
}

async fn insert_audit(
    mut conn: &AsyncPgConnection,
    id: Uuid,
    audit: &AuditEntries,
) -> diesel::QueryResult<()> {
    if audit.ids.is_empty() {
        return Ok(());
    }
    sql_query(
        "INSERT INTO audit_log (actor_id, action, entity_type, entity_id, before, after, \
         import_id) \
         SELECT i.uploaded_by, e.action, 'container', e.id, e.before::jsonb, e.after::jsonb, i.id \
         FROM imports i, unnest($2::text[], $3::uuid[], $4::text[], $5::text[]) \
           AS e(action, id, before, after) \
         WHERE i.id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Text>, _>(&audit.actions)
    .bind::<Array<SqlUuid>, _>(&audit.ids)
    .bind::<Array<Nullable<Text>>, _>(&audit.befores)
    .bind::<Array<Text>, _>(&audit.afters)
    .execute(&mut conn)
    .await
    .map(drop)
}

/// Each changed container's audit entry, as the registry writes them (its serde form), in
/// columns. Serialised straight to text: building a `serde_json::Value` per container took
/// a quarter of the worker's CPU and most of its memory in a 300,000-row import.
#[derive(Default)]
struct AuditEntries {
    actions: Vec<&'static str>,
    ids: Vec<Uuid>,
    befores: Vec<Option<String>>,
    afters: Vec<String>,
}

fn audit_entries(plan: &MergePlan) -> Result<AuditEntries, serde_json::Error> {
    let json = serde_json::to_string::<Container>;
    let mut entries = AuditEntries::default();
    for c in &plan.created {
        entries.actions.push("create");
        entries.ids.push(c.id.0);
        entries.befores.push(None);
        entries.afters.push(json(c)?);
    }
    for (before, after) in &plan.updated {
        entries.actions.push("update");
        entries.ids.push(after.id.0);
        entries.befores.push(Some(json(before)?));
        entries.afters.push(json(after)?);
    }
    Ok(entries)
}

/// Makes `to` (completed) and writes the import's one audit record, after merging the
/// trigram indexes' pending lists (so that text searches need not scan them).
pub(super) async fn complete(store: &PgStore, id: Uuid, to: &Transition) -> Result<(), RepoError> {
    let mut conn = store.conn().await?;
    conn.transaction::<_, diesel::result::Error, _>(async |tx| {
        if lock_cursor(tx, id, &to.from, "merged_through").await?.is_none() {
            return Ok(());
        }
        tx.batch_execute(&format!(
            "{BULK_TIMEOUT}; SELECT gin_clean_pending_list('containers_public_code_trgm'::regclass), \
             gin_clean_pending_list('containers_address_trgm'::regclass), \
             gin_clean_pending_list('containers_external_ref_trgm'::regclass)"
        ))
        .await?;
        sql_query("UPDATE imports SET state = $2, updated_at = now() WHERE id = $1")
            .bind::<SqlUuid, _>(id)
            .bind::<Text, _>(to.to.as_str())
            .execute(tx)
            .await?;
        sql_query(
            "INSERT INTO audit_log (actor_id, action, entity_type, entity_id, after) \
             SELECT uploaded_by, 'import', 'import', id, jsonb_build_object('file_name', file_name, \
               'checksum', checksum, 'staged', staged, 'inserted', inserted, 'updated', updated, \
               'unchanged', unchanged, 'rejected', rejected) FROM imports WHERE id = $1",
        )
        .bind::<SqlUuid, _>(id)
        .execute(tx)
        .await
        .map(drop)
    })
    .await
    .map_err(from_diesel)?;
    Ok(())
}
