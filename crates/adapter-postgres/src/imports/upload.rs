//! The upload's side of an import: creating it, staging its rows, handing it to the worker,
//! failing, cancelling or sweeping it, and dropping its rows once it ended.

use super::staging::{self, CopyStaging, PooledStaging};
use super::{line, names};
use crate::errors::from_diesel;
use crate::store::PgStore;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, RunQueryDsl, SimpleAsyncConnection};
use tisseco_application::imports::{ImportState, NewImport, Staging, Transition, UploadedFile};
use tisseco_application::ports::RepoError;
use uuid::Uuid;

#[derive(QueryableByName)]
struct Previous {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

pub(super) async fn create(store: &PgStore, new: &NewImport) -> Result<(), RepoError> {
    let mut conn = store.conn().await?;
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

pub(super) async fn stage(store: &PgStore, id: Uuid) -> Result<Box<dyn Staging>, RepoError> {
    Ok(match store.bulk_url() {
        Some(url) => Box::new(CopyStaging::open(url, id).await?),
        None => Box::new(PooledStaging {
            store: store.clone(),
            id,
        }),
    })
}

pub(super) async fn finish_upload(
    store: &PgStore,
    id: Uuid,
    file: &UploadedFile,
    to: &Transition,
) -> Result<(), RepoError> {
    let mut conn = store.conn().await?;
    let previous: Vec<Previous> = sql_query(
        // a dry run changes nothing: it neither blocks nor is blocked by the same file
        "SELECT id FROM imports \
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
            "UPDATE imports SET state = $7, columns = $2, delimiter = $3, checksum = $4, \
             staged = $5, encoding = $6, updated_at = now() WHERE id = $1 AND state = ANY($8)",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Array<Text>, _>(&file.columns)
        .bind::<Text, _>(file.delimiter.to_string())
        .bind::<Text, _>(&file.checksum)
        .bind::<BigInt, _>(line(file.staged))
        .bind::<Text, _>(&file.encoding)
        .bind::<Text, _>(to.to.as_str())
        .bind::<Array<Text>, _>(names(&to.from))
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

pub(super) async fn fail(
    store: &PgStore,
    id: Uuid,
    to: &Transition,
    reason: &str,
) -> Result<(), RepoError> {
    transition(store, id, to, Some(reason)).await?;
    // a COPY still aborting may hold the table a moment: the sweep drops it then
    drop_staging(store, &[id]).await;
    Ok(())
}

pub(super) async fn touch(store: &PgStore, id: Uuid) -> Result<(), RepoError> {
    let mut conn = store.conn().await?;
    sql_query("UPDATE imports SET updated_at = now() WHERE id = $1 AND state = 'receiving'")
        .bind::<SqlUuid, _>(id)
        .execute(&mut conn)
        .await
        .map(drop)
        .map_err(from_diesel)
}

pub(super) async fn fail_stale_uploads(
    store: &PgStore,
    idle: std::time::Duration,
    to: &Transition,
    reason: &str,
) -> Result<Vec<Uuid>, RepoError> {
    #[derive(diesel::QueryableByName)]
    struct Failed {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let mut conn = store.conn().await?;
    let failed: Vec<Failed> = sql_query(
        "UPDATE imports SET state = $3, failure = $2, updated_at = now() \
         WHERE state = ANY($4) AND updated_at < now() - make_interval(secs => $1) \
         RETURNING id",
    )
    .bind::<diesel::sql_types::Double, _>(idle.as_secs_f64())
    .bind::<Text, _>(reason)
    .bind::<Text, _>(to.to.as_str())
    .bind::<Array<Text>, _>(names(&to.from))
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
    drop_staging(store, &ended.iter().map(|f| f.id).collect::<Vec<_>>()).await;
    Ok(failed.into_iter().map(|f| f.id).collect())
}

/// Makes `to` if the import is in one of its sources, noting `failure` when given.
pub(super) async fn transition(
    store: &PgStore,
    id: Uuid,
    to: &Transition,
    failure: Option<&str>,
) -> Result<bool, RepoError> {
    let mut conn = store.conn().await?;
    let changed = sql_query(
        "UPDATE imports SET state = $2, failure = coalesce($4, failure), updated_at = now() \
         WHERE id = $1 AND state = ANY($3)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(to.to.as_str())
    .bind::<Array<Text>, _>(names(&to.from))
    .bind::<Nullable<Text>, _>(failure)
    .execute(&mut conn)
    .await
    .map_err(from_diesel)?;
    if changed == 1 && to.to == ImportState::Merging {
        // fresh statistics keep the merge's batch reads on the indexes
        conn.batch_execute("ANALYZE import_valid")
            .await
            .map_err(from_diesel)?;
    }
    Ok(changed == 1)
}

pub(super) async fn discard_rows(store: &PgStore, id: Uuid) -> Result<(), RepoError> {
    let mut conn = store.conn().await?;
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
    if let Some(url) = store.bulk_url() {
        staging::bulk_connection(url)
            .await?
            .batch_execute("VACUUM import_valid")
            .await
            .map_err(|e| staging::from_driver(&e))?;
    }
    Ok(())
}

/// Drops the staging tables of ended imports; one it cannot drop now (a `COPY` still
/// holds it) is left for the next sweep.
pub(super) async fn drop_staging(store: &PgStore, ids: &[Uuid]) {
    for id in ids {
        let dropped = match store.conn().await {
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
