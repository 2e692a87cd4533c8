//! The unit of work on PostgreSQL: every write of a [`Work`] goes through one transaction,
//! each with its audit record and its outbox event; a version that moved on rolls all of
//! it back. The repositories' own inserts and updates are one-write units of work.

use crate::audit::{self, Change};
use crate::errors::from_pool;
use crate::outbox::{self, NewEvent};
use crate::rows::{AreaRow, ContainerRow, SiteRow};
use crate::schema::{areas, containers, sites, tours, users};
use crate::store::PgStore;
use crate::tours::{TourRow, record_outcomes};
use crate::tx::TxError;
use crate::users::UserRow;
use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tisseco_application::ports::{AuditContext, Entity, RepoError};
use tisseco_application::unit_of_work::{Aggregate, Committed, UnitOfWork, Work, Write};
use tisseco_domain::{Area, Container, DomainEvent, Site, Tour, User};
use uuid::Uuid;

/// How one aggregate's row is written; the rest (audit, outbox) is the same for all.
#[async_trait]
pub(crate) trait Table: Entity {
    async fn insert_row(&self, tx: &mut AsyncPgConnection) -> QueryResult<()>;
    /// Writes `self` over the row still at version `expected`; how many rows changed.
    async fn update_row(&self, tx: &mut AsyncPgConnection, expected: i32) -> QueryResult<usize>;
    async fn stored_version(tx: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<i32>>;
    /// Rows derived from a change, written in its transaction (a tour's visits).
    async fn after_update(
        _tx: &mut AsyncPgConnection,
        _before: &Self,
        _after: &Self,
    ) -> QueryResult<()> {
        Ok(())
    }
}

macro_rules! table {
    ($entity:ty, $row:ty, $table:ident $(, $after_update:path)?) => {
        #[async_trait]
        impl Table for $entity {
            async fn insert_row(&self, tx: &mut AsyncPgConnection) -> QueryResult<()> {
                diesel::insert_into($table::table)
                    .values(&<$row>::from(self))
                    .execute(tx)
                    .await
                    .map(drop)
            }

            async fn update_row(
                &self,
                tx: &mut AsyncPgConnection,
                expected: i32,
            ) -> QueryResult<usize> {
                let row = <$row>::from(self);
                let target = $table::table
                    .find(row.id)
                    .filter($table::version.eq(expected));
                diesel::update(target).set(&row).execute(tx).await
            }

            async fn stored_version(
                tx: &mut AsyncPgConnection,
                id: Uuid,
            ) -> QueryResult<Option<i32>> {
                $table::table
                    .find(id)
                    .select($table::version)
                    .get_result(tx)
                    .await
                    .optional()
            }

            $(
                async fn after_update(
                    tx: &mut AsyncPgConnection,
                    before: &Self,
                    after: &Self,
                ) -> QueryResult<()> {
                    $after_update(tx, before, after).await
                }
            )?
        }
    };
}

table!(Site, SiteRow, sites);
table!(Area, AreaRow, areas);
table!(Container, ContainerRow, containers);
table!(User, UserRow, users);
table!(Tour, TourRow, tours, record_outcomes);

fn to_json<E: Entity>(entity: &E) -> Result<serde_json::Value, RepoError> {
    serde_json::to_value(entity)
        .map_err(|e| RepoError::Unexpected(format!("can't serialise {}: {e}", E::KIND)))
}

async fn insert<E: Table>(
    tx: &mut AsyncPgConnection,
    entity: &E,
    event: DomainEvent,
    context: &AuditContext,
) -> Result<(), TxError> {
    let id: Uuid = entity.id().into();
    let state = to_json(entity)?;
    entity.insert_row(tx).await?;
    let change = Change {
        action: "create",
        entity_type: E::KIND,
        entity_id: id,
        before: None,
        after: Some(state.clone()),
    };
    audit::record(tx, change, context).await?;
    outbox::append(tx, &NewEvent::new(event, id, state, context)).await?;
    Ok(())
}

async fn update<E: Table>(
    tx: &mut AsyncPgConnection,
    before: &E,
    after: &E,
    action: &str,
    event: DomainEvent,
    context: &AuditContext,
) -> Result<(), TxError> {
    let id: Uuid = after.id().into();
    let state = to_json(after)?;
    if after.update_row(tx, before.version()).await? == 0 {
        return Err(TxError::Stale {
            entity: E::KIND,
            id,
            current: E::stored_version(tx, id).await?,
        });
    }
    let change = Change {
        action,
        entity_type: E::KIND,
        entity_id: id,
        before: Some(to_json(before)?),
        after: Some(state.clone()),
    };
    audit::record(tx, change, context).await?;
    E::after_update(tx, before, after).await?;
    outbox::append(tx, &NewEvent::new(event, id, state, context)).await?;
    Ok(())
}

/// Applies one write inside the transaction.
async fn apply(
    tx: &mut AsyncPgConnection,
    write: &Write,
    context: &AuditContext,
    committed: &mut Committed,
) -> Result<(), TxError> {
    macro_rules! each_kind {
        ($($kind:ident),*) => {
            match write {
                $(
                    Write::Insert { entity: Aggregate::$kind(entity), event } => {
                        insert(tx, entity, *event, context).await
                    }
                    Write::Update {
                        before: Aggregate::$kind(before),
                        after: Aggregate::$kind(after),
                        action,
                        event,
                    } => update(tx, before, after, action, *event, context).await,
                )*
                Write::SubmitReport(submission) => {
                    committed.report =
                        Some(crate::reports::submit_in(tx, submission, context).await?);
                    Ok(())
                }
                Write::Update { .. } => Err(TxError::Repo(RepoError::Unexpected(
                    "an update whose states are of two kinds".into(),
                ))),
            }
        };
    }
    each_kind!(Site, Area, Container, User, Tour)
}

#[async_trait]
impl UnitOfWork for PgStore {
    async fn commit(&self, work: Work) -> Result<Committed, RepoError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        conn.transaction::<_, TxError, _>(async |tx| {
            let mut committed = Committed::default();
            for write in &work.writes {
                apply(tx, write, &work.audit, &mut committed).await?;
            }
            Ok(committed)
        })
        .await
        .map_err(RepoError::from)
    }
}
