//! The outbox: events appended inside the change's transaction, claimed by relays with
//! `FOR UPDATE SKIP LOCKED` under a lease, marked sent once queued. Relays wait on
//! `LISTEN tisseco_outbox` (an insert trigger notifies) with polling as the fallback.

use crate::errors::from_diesel;
use crate::schema::outbox;
use crate::store::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Double, Integer};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;
use tisseco_application::outbox::{OutboxEvent, OutboxStore};
use tisseco_application::ports::{AuditContext, RepoError};
use tisseco_domain::DomainEvent;
use tokio::sync::Mutex;
use tracing::Instrument;
use uuid::Uuid;

const CHANNEL: &str = "tisseco_outbox";

#[derive(Debug, Insertable)]
#[diesel(table_name = outbox)]
pub(crate) struct NewEvent<'a> {
    event_type: &'static str,
    aggregate_type: &'static str,
    aggregate_id: Uuid,
    payload: serde_json::Value,
    correlation_id: Option<&'a str>,
    /// The request's W3C `traceparent`, so the job continues its trace.
    trace_context: Option<String>,
}

impl<'a> NewEvent<'a> {
    /// `event` about the aggregate `id`, carrying `payload` (its state after the change).
    pub(crate) fn new(
        event: DomainEvent,
        id: Uuid,
        payload: serde_json::Value,
        context: &'a AuditContext,
    ) -> Self {
        Self {
            event_type: event.name(),
            aggregate_type: event.aggregate(),
            aggregate_id: id,
            payload,
            correlation_id: context.request_id.as_deref(),
            trace_context: tisseco_telemetry::current_traceparent(),
        }
    }
}

/// Appends `event` on `conn`: it commits or rolls back with the change itself.
pub(crate) async fn append(conn: &mut AsyncPgConnection, event: &NewEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(event)
        .execute(conn)
        .instrument(tracing::info_span!(
            "INSERT outbox",
            otel.kind = "client",
            db.system = "postgresql",
            db.operation.name = "INSERT",
            db.collection.name = "outbox",
            event.type = %event.event_type,
        ))
        .await
        .map(drop)
}

#[derive(Debug, QueryableByName)]
#[diesel(table_name = outbox, check_for_backend(diesel::pg::Pg))]
struct EventRow {
    id: i64,
    event_type: String,
    aggregate_type: String,
    aggregate_id: Uuid,
    payload: serde_json::Value,
    correlation_id: Option<String>,
    created_at: DateTime<Utc>,
    trace_context: Option<String>,
}

const CLAIM: &str = "UPDATE outbox SET claimed_until = now() + make_interval(secs => $2) \
    WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL \
                 AND (claimed_until IS NULL OR claimed_until < now()) \
                 ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) \
    RETURNING id, event_type, aggregate_type, aggregate_id, payload, correlation_id, created_at, \
    trace_context";

/// The outbox on PostgreSQL, with its own connection for notifications.
pub struct PgOutbox {
    store: PgStore,
    url: SecretString,
    listener: Mutex<Option<AsyncPgConnection>>,
}

impl std::fmt::Debug for PgOutbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgOutbox").finish_non_exhaustive()
    }
}

impl PgOutbox {
    /// `url` is used for the listening connection, opened on the first wait.
    #[must_use]
    pub fn new(store: PgStore, url: SecretString) -> Self {
        Self {
            store,
            url,
            listener: Mutex::new(None),
        }
    }

    /// How many events wait to be relayed (tests and the health endpoint).
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    pub async fn unsent(&self) -> Result<i64, RepoError> {
        let mut conn = self.store.conn().await?;
        outbox::table
            .filter(outbox::sent_at.is_null())
            .count()
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)
    }

    async fn listen(&self) -> Option<AsyncPgConnection> {
        let mut conn = crate::tls::establish(self.url.expose_secret()).await.ok()?;
        diesel::sql_query(format!("LISTEN {CHANNEL}"))
            .execute(&mut conn)
            .await
            .ok()?;
        Some(conn)
    }
}

#[async_trait]
impl OutboxStore for PgOutbox {
    async fn claim(&self, limit: u32, lease: Duration) -> Result<Vec<OutboxEvent>, RepoError> {
        let mut conn = self.store.conn().await?;
        let mut rows: Vec<EventRow> = diesel::sql_query(CLAIM)
            .bind::<Integer, _>(i32::try_from(limit).unwrap_or(i32::MAX))
            .bind::<Double, _>(lease.as_secs_f64())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        rows.sort_by_key(|row| row.id);
        Ok(rows
            .into_iter()
            .map(|row| OutboxEvent {
                id: row.id,
                event_type: row.event_type,
                aggregate_type: row.aggregate_type,
                aggregate_id: row.aggregate_id,
                payload: row.payload,
                correlation_id: row.correlation_id,
                created_at: row.created_at,
                trace_context: row.trace_context,
            })
            .collect())
    }

    async fn mark_sent(&self, ids: &[i64]) -> Result<(), RepoError> {
        let mut conn = self.store.conn().await?;
        diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
            .set((
                outbox::sent_at.eq(diesel::dsl::now),
                outbox::claimed_until.eq(None::<DateTime<Utc>>),
            ))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }

    async fn release(&self, ids: &[i64]) -> Result<(), RepoError> {
        let mut conn = self.store.conn().await?;
        diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
            .set(outbox::claimed_until.eq(None::<DateTime<Utc>>))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }

    async fn wait_for_events(&self, timeout: Duration) {
        let mut guard = self.listener.lock().await;
        if guard.is_none() {
            *guard = self.listen().await;
        }
        let Some(conn) = guard.as_mut() else {
            drop(guard);
            tokio::time::sleep(timeout).await;
            return;
        };
        let outcome = {
            let mut notifications = std::pin::pin!(conn.notifications_stream());
            tokio::time::timeout(timeout, notifications.next()).await
        };
        // A closed or failed stream: reconnect next time.
        if matches!(outcome, Ok(None | Some(Err(_)))) {
            *guard = None;
        }
    }
}
