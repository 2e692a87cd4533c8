//! A container's timeline on PostgreSQL: one `UNION ALL` over the audit log, import
//! changes, visits, reports and their events, ordered by (time, source, key) and paged by
//! that triple. Each source is read through an index on the container.

use crate::errors::from_diesel;
use crate::store::PgStore;
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Jsonb, Nullable, SmallInt, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use tisseco_application::ports::RepoError;
use tisseco_application::stats::{TimelineCursor, TimelineEntry, TimelineQuery};
use tisseco_domain::stats::TimelineKind;
use uuid::Uuid;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = SmallInt)]
    source: i16,
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    actor: Option<Uuid>,
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = Jsonb)]
    details: serde_json::Value,
}

/// Keys are zero-padded so that text order is numeric order.
const SQL: &str = "SELECT * FROM ( \
    SELECT l.occurred_at AS at, 1::smallint AS source, lpad(l.id::text, 20, '0') AS key, \
      CASE WHEN l.import_id IS NOT NULL THEN 'import' \
        WHEN l.before->>'status' IS DISTINCT FROM l.after->>'status' AND l.before IS NOT NULL \
        THEN 'status' ELSE 'registry' END AS kind, \
      l.actor_id AS actor, l.action, \
      jsonb_build_object('before', l.before, 'after', l.after, 'request_id', l.request_id) \
        || CASE WHEN l.import_id IS NULL THEN '{}'::jsonb \
           ELSE jsonb_build_object('import_id', l.import_id) END AS details \
    FROM audit_log l WHERE l.entity_type = 'container' AND l.entity_id = $1 \
  UNION ALL \
    SELECT i.updated_at, 2::smallint, ic.import_id::text || ':' || lpad(ic.line::text, 20, '0'), \
      'import', i.uploaded_by, ic.action, \
      jsonb_build_object('import_id', ic.import_id, 'file_name', i.file_name, 'line', ic.line, \
        'before', ic.before) \
    FROM import_changes ic JOIN imports i ON i.id = ic.import_id WHERE ic.container_id = $1 \
  UNION ALL \
    SELECT v.occurred_at, 3::smallint, lpad(v.id::text, 20, '0'), \
      CASE v.outcome WHEN 'visited' THEN 'visit' ELSE 'skip' END, v.driver_id, v.outcome, \
      jsonb_strip_nulls(jsonb_build_object('tour_id', v.tour_id, 'driver_id', v.driver_id, \
        'fill_level', v.fill_level, 'weight_kg', v.weight_kg, 'emptied', \
        CASE WHEN v.outcome = 'visited' THEN v.emptied END, 'reason', v.skip_reason)) \
    FROM visits v WHERE v.container_id = $1 \
  UNION ALL \
    SELECT r.created_at, 4::smallint, r.id::text, 'report', NULL::uuid, 'opened', \
      jsonb_build_object('report_id', r.id, 'category', r.category, 'description', r.description, \
        'status', r.status, 'count', r.report_count, 'source', r.source) \
    FROM reports r WHERE r.container_id = $1 \
  UNION ALL \
    SELECT e.occurred_at, 5::smallint, lpad(e.id::text, 20, '0'), 'report_status', e.actor_id, \
      coalesce(e.status, 'comment'), \
      jsonb_build_object('report_id', e.report_id, 'category', r.category, 'status', e.status, \
        'comment', e.comment) \
    FROM report_events e JOIN reports r ON r.id = e.report_id \
    WHERE r.container_id = $1 AND NOT (e.status = 'new' AND e.comment IS NULL) \
  ) t \
  WHERE (cardinality($2::text[]) = 0 OR t.kind = ANY($2)) \
    AND ($3::timestamptz IS NULL OR (t.at, t.source, t.key) < ($3, $4, $5)) \
  ORDER BY t.at DESC, t.source DESC, t.key DESC LIMIT $6";

pub(crate) async fn timeline(
    store: &PgStore,
    query: &TimelineQuery,
) -> Result<Vec<TimelineEntry>, RepoError> {
    let kinds: Vec<&str> = query.kinds.iter().map(|k| k.as_str()).collect();
    let before = query.before.as_ref();
    let mut conn = store.conn().await?;
    let rows: Vec<Row> = diesel::sql_query(SQL)
        .bind::<diesel::sql_types::Uuid, _>(query.container.0)
        .bind::<Array<Text>, _>(kinds)
        .bind::<Nullable<Timestamptz>, _>(before.map(|c| c.at))
        .bind::<SmallInt, _>(before.map_or(0, |c| c.source))
        .bind::<Text, _>(before.map_or("", |c| c.key.as_str()))
        .bind::<diesel::sql_types::BigInt, _>(i64::from(query.limit))
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
    rows.into_iter()
        .map(|row| {
            let kind = TimelineKind::parse(&row.kind)
                .map_err(|e| RepoError::Unexpected(format!("timeline kind: {e}")))?;
            Ok(TimelineEntry {
                kind,
                occurred_at: row.at,
                cursor: TimelineCursor {
                    at: row.at,
                    source: row.source,
                    key: row.key,
                },
                actor_id: row.actor.map(Into::into),
                action: row.action,
                details: row.details,
            })
        })
        .collect()
}
