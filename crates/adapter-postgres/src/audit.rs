//! The audit log: written inside each mutation's transaction, read per entity.

use crate::errors::from_diesel;
use crate::schema::audit_log;
use crate::store::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use tisseco_application::ports::{AuditContext, AuditLog, AuditRecord, RepoError};
use uuid::Uuid;

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
struct NewAuditRow<'a> {
    actor_id: Option<Uuid>,
    action: &'a str,
    entity_type: &'a str,
    entity_id: Uuid,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    request_id: Option<&'a str>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_log, check_for_backend(diesel::pg::Pg))]
struct AuditRow {
    id: i64,
    occurred_at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    action: String,
    entity_type: String,
    entity_id: Uuid,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    request_id: Option<String>,
    import_id: Option<Uuid>,
}

/// One change of one entity, as it goes into the audit log.
#[derive(Debug)]
pub(crate) struct Change<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Writes `change` on `conn`, so that it commits or rolls back with the change itself.
pub(crate) async fn record(
    conn: &mut AsyncPgConnection,
    change: Change<'_>,
    context: &AuditContext,
) -> QueryResult<()> {
    let row = NewAuditRow {
        actor_id: context.actor.map(|a| a.0),
        action: change.action,
        entity_type: change.entity_type,
        entity_id: change.entity_id,
        before: change.before,
        after: change.after,
        request_id: context.request_id.as_deref(),
    };
    diesel::insert_into(audit_log::table)
        .values(&row)
        .execute(conn)
        .await
        .map(drop)
}

#[async_trait]
impl AuditLog for PgStore {
    async fn history(
        &self,
        entity_type: &str,
        entity_id: Uuid,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, RepoError> {
        let mut conn = self.conn().await?;
        let mut query = audit_log::table
            .select(AuditRow::as_select())
            .filter(audit_log::entity_type.eq(entity_type))
            .filter(audit_log::entity_id.eq(entity_id))
            .into_boxed();
        if let Some(before) = before_id {
            query = query.filter(audit_log::id.lt(before));
        }
        let rows = query
            .order(audit_log::id.desc())
            .limit(i64::from(limit))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .map(|row| AuditRecord {
                id: row.id,
                occurred_at: row.occurred_at,
                actor: row.actor_id.map(Into::into),
                action: row.action,
                entity_type: row.entity_type,
                entity_id: row.entity_id,
                before: row.before,
                after: row.after,
                request_id: row.request_id,
                import_id: row.import_id,
            })
            .collect())
    }
}
