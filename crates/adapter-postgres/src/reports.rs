//! Public reports on PostgreSQL: submission with duplicate merging (one open report per
//! container and category, kept by a partial unique index), history, staff actions; each
//! write commits with its history entry and audit record.

use crate::audit::{self, Change};
use crate::errors::from_diesel;
use crate::outbox::{self, NewEvent};
use crate::rows::ContainerRow;
use crate::schema::{containers, report_events, report_reporters, reports};
use crate::store::PgStore;
use crate::tx::TxError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tisseco_application::ports::{AuditContext, RepoError};
use tisseco_application::reports::mail::ReportMailEvent;
use tisseco_application::reports::{
    Report, ReportEvent, ReportFilter, ReportStore, StaffAction, Submitted,
};
use tisseco_application::unit_of_work::{ReportSubmission, UnitOfWork, Work};
use tisseco_domain::{
    Container, ContainerId, DomainEvent, NewReport, ReportCategory, ReportStatus, UserId,
};
use uuid::Uuid;

const OPEN: [&str; 3] = ["new", "acknowledged", "in_progress"];

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = reports, check_for_backend(diesel::pg::Pg))]
struct ReportRow {
    id: Uuid,
    public_token: String,
    container_id: Uuid,
    category: String,
    description: Option<String>,
    email: Option<String>,
    status: String,
    report_count: i32,
    assignee_id: Option<Uuid>,
    source: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

type Joined = (ReportRow, String);

fn to_report((row, code): Joined) -> Result<Report, RepoError> {
    let corrupt = |e: tisseco_domain::ValidationError| {
        RepoError::Unexpected(format!("report {} holds an invalid value: {e}", row.id))
    };
    Ok(Report {
        id: row.id,
        container_id: ContainerId(row.container_id),
        container_code: code,
        category: ReportCategory::parse(&row.category).map_err(corrupt)?,
        status: ReportStatus::parse(&row.status).map_err(corrupt)?,
        public_token: row.public_token,
        description: row.description,
        email: row.email,
        count: row.report_count,
        assignee_id: row.assignee_id.map(UserId),
        source: row.source,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

type JoinedQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<
        diesel::dsl::InnerJoin<reports::table, containers::table>,
        (
            diesel::dsl::AsSelect<ReportRow, diesel::pg::Pg>,
            containers::public_code,
        ),
    >,
    diesel::pg::Pg,
>;

fn joined() -> JoinedQuery {
    reports::table
        .inner_join(containers::table)
        .select((ReportRow::as_select(), containers::public_code))
        .into_boxed()
}

fn json(report: &Report) -> serde_json::Value {
    serde_json::to_value(report).unwrap_or_default()
}

async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Joined>> {
    joined()
        .filter(reports::id.eq(id))
        .get_result(conn)
        .await
        .optional()
}

#[async_trait]
impl ReportStore for PgStore {
    async fn container_by_code(&self, code: &str) -> Result<Option<Container>, RepoError> {
        let mut conn = self.conn().await?;
        let row: Option<ContainerRow> = containers::table
            .filter(containers::public_code.eq(code))
            .filter(containers::archived_at.is_null())
            .select(ContainerRow::as_select())
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        row.map(Container::try_from).transpose()
    }

    async fn submit(
        &self,
        container: ContainerId,
        report: &NewReport,
        token: &str,
        source: &str,
        context: &AuditContext,
    ) -> Result<Submitted, RepoError> {
        let mut work = Work::new(context.clone());
        work.submit_report(ReportSubmission {
            container,
            report: report.clone(),
            token: token.to_owned(),
            source: source.to_owned(),
        });
        self.commit(work)
            .await?
            .report
            .ok_or_else(|| RepoError::Unexpected("a submission without its report".into()))
    }

    async fn find(&self, id: Uuid) -> Result<Option<Report>, RepoError> {
        let mut conn = self.conn().await?;
        load(&mut conn, id)
            .await
            .map_err(from_diesel)?
            .map(to_report)
            .transpose()
    }

    async fn find_by_token(&self, token: &str) -> Result<Option<Report>, RepoError> {
        let mut conn = self.conn().await?;
        joined()
            .filter(reports::public_token.eq(token.to_owned()))
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?
            .map(to_report)
            .transpose()
    }

    async fn history(&self, id: Uuid) -> Result<Vec<ReportEvent>, RepoError> {
        let mut conn = self.conn().await?;
        let rows: Vec<(DateTime<Utc>, Option<String>, Option<String>)> = report_events::table
            .filter(report_events::report_id.eq(id))
            .order(report_events::id.asc())
            .select((
                report_events::occurred_at,
                report_events::status,
                report_events::comment,
            ))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .map(|(occurred_at, status, comment)| ReportEvent {
                occurred_at,
                status: status.and_then(|s| ReportStatus::parse(&s).ok()),
                comment,
            })
            .collect())
    }

    async fn list(
        &self,
        filter: &ReportFilter,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<Report>, RepoError> {
        let mut query = joined();
        if let Some(status) = filter.status {
            query = query.filter(reports::status.eq(status.as_str()));
        }
        match filter.open {
            Some(true) => query = query.filter(reports::status.eq_any(OPEN)),
            Some(false) => query = query.filter(reports::status.ne_all(OPEN)),
            None => {}
        }
        if let Some(category) = filter.category {
            query = query.filter(reports::category.eq(category.as_str()));
        }
        if let Some(site) = filter.site_id {
            query = query.filter(containers::site_id.eq(site.0));
        }
        if let Some(area) = filter.area_id {
            query = query.filter(containers::area_id.eq(area.0));
        }
        if let Some(container) = filter.container_id {
            query = query.filter(reports::container_id.eq(container.0));
        }
        if let Some(since) = filter.since {
            query = query.filter(reports::created_at.ge(since));
        }
        if let Some(until) = filter.until {
            query = query.filter(reports::created_at.lt(until));
        }
        if let Some(before) = before {
            query = query.filter(reports::id.lt(before));
        }
        let mut conn = self.conn().await?;
        let rows: Vec<Joined> = query
            .order(reports::id.desc())
            .limit(i64::from(limit))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        rows.into_iter().map(to_report).collect()
    }

    async fn act(
        &self,
        before: &Report,
        action: &StaffAction,
        context: &AuditContext,
    ) -> Result<Report, RepoError> {
        let mut conn = self.conn().await?;
        let joined = conn
            .transaction::<_, diesel::result::Error, _>(async |tx| {
                let target = reports::table
                    .find(before.id)
                    .filter(reports::status.eq(before.status.as_str()));
                let status = action.status.unwrap_or(before.status).as_str();
                let assignee = match action.assignee {
                    Some(a) => a.map(|u| u.0),
                    None => before.assignee_id.map(|u| u.0),
                };
                let changed = diesel::update(target)
                    .set((
                        reports::status.eq(status),
                        reports::assignee_id.eq(assignee),
                        reports::updated_at.eq(Utc::now()),
                    ))
                    .execute(tx)
                    .await?;
                if changed == 0 {
                    return Ok(None);
                }
                diesel::insert_into(report_events::table)
                    .values((
                        report_events::report_id.eq(before.id),
                        report_events::actor_id.eq(context.actor.map(|a| a.0)),
                        report_events::status.eq(action.status.map(ReportStatus::as_str)),
                        report_events::comment.eq(action.comment.as_deref()),
                    ))
                    .execute(tx)
                    .await?;
                let joined = load(tx, before.id)
                    .await?
                    .ok_or(diesel::result::Error::NotFound)?;
                let mut after = to_report_lossy(&joined);
                if let (Some(comment), Some(map)) = (&action.comment, after.as_object_mut()) {
                    map.insert("comment".into(), comment.clone().into());
                }
                let change = Change {
                    action: action.action,
                    entity_type: "report",
                    entity_id: before.id,
                    before: Some(json(before)),
                    after: Some(after),
                };
                audit::record(tx, change, context).await?;
                // every reporter follows the report: one e-mail event each
                if let Some(status) = action.status {
                    // the report's language (its first reporter's page) for every follower
                    let locale: Option<String> = reports::table
                        .find(before.id)
                        .select(reports::locale)
                        .get_result(tx)
                        .await?;
                    let locale = locale.as_deref().and_then(tisseco_domain::Locale::from_tag);
                    let reporters: Vec<String> = report_reporters::table
                        .filter(report_reporters::report_id.eq(before.id))
                        .order(report_reporters::added_at)
                        .select(report_reporters::email)
                        .load(tx)
                        .await?;
                    for email in reporters {
                        let mail = ReportMailEvent {
                            email,
                            token: before.public_token.clone(),
                            container_code: before.container_code.clone(),
                            address: None,
                            problem: before.category.as_str().to_owned(),
                            status: Some(status.as_str().to_owned()),
                            note: action.comment.clone(),
                            locale,
                        };
                        let payload = serde_json::to_value(&mail).unwrap_or_default();
                        let event = NewEvent::new(
                            DomainEvent::ReportStatusChanged,
                            before.id,
                            payload,
                            context,
                        );
                        outbox::append(tx, &event).await?;
                    }
                }
                Ok(Some(joined))
            })
            .await
            .map_err(from_diesel)?;
        match joined {
            Some(joined) => to_report(joined),
            None => Err(RepoError::StaleVersion {
                entity: "report",
                current: 0,
            }),
        }
    }
}

/// Opens a report or merges it into the open one of its category, in the caller's
/// transaction (the unit of work's). The container's status is not this function's: the
/// domain decides it and the unit of work writes it.
pub(crate) async fn submit_in(
    tx: &mut AsyncPgConnection,
    submission: &ReportSubmission,
    context: &AuditContext,
) -> Result<Submitted, TxError> {
    let ReportSubmission {
        container,
        report,
        token,
        source,
    } = submission;
    let category = report.category.as_str();
    // Submissions about one container take turns: two first reports of the same problem
    // can't both find nothing open and both insert.
    containers::table
        .find(container.0)
        .select(containers::id)
        .for_update()
        .get_result::<Uuid>(tx)
        .await?;
    let open = reports::table
        .filter(reports::container_id.eq(container.0))
        .filter(reports::category.eq(category))
        .filter(reports::status.eq_any(OPEN));
    let bumped: Option<Uuid> = diesel::update(open)
        .set((
            reports::report_count.eq(reports::report_count + 1),
            reports::updated_at.eq(Utc::now()),
        ))
        .returning(reports::id)
        .get_result(tx)
        .await
        .optional()?;
    let (merged, id) = if let Some(id) = bumped {
        (true, id)
    } else {
        let id = Uuid::now_v7();
        diesel::insert_into(reports::table)
            .values((
                reports::id.eq(id),
                reports::public_token.eq(token),
                reports::container_id.eq(container.0),
                reports::category.eq(category),
                reports::description.eq(report.description.as_deref()),
                reports::email.eq(report.email.as_deref()),
                reports::source.eq(source),
                reports::locale.eq(report.locale.map(|l| l.as_str())),
            ))
            .execute(tx)
            .await?;
        diesel::insert_into(report_events::table)
            .values((
                report_events::report_id.eq(id),
                report_events::status.eq("new"),
            ))
            .execute(tx)
            .await?;
        (false, id)
    };
    let joined = load(tx, id).await?.ok_or(diesel::result::Error::NotFound)?;
    // every reporter who left an address, first or merged, is acknowledged once and
    // follows the report
    if let Some(email) = &report.email
        && add_reporter(tx, id, email).await?
    {
        let address: Option<String> = containers::table
            .find(container.0)
            .select(containers::address)
            .get_result(tx)
            .await?;
        let mail = ReportMailEvent {
            email: email.clone(),
            token: joined.0.public_token.clone(),
            container_code: joined.1.clone(),
            address,
            problem: report.category.as_str().to_owned(),
            status: None,
            note: None,
            locale: report.locale,
        };
        let payload = serde_json::to_value(&mail).unwrap_or_default();
        let event = NewEvent::new(DomainEvent::ReportCreated, id, payload, context);
        outbox::append(tx, &event).await?;
    }
    let change = Change {
        action: if merged {
            "report.merge"
        } else {
            "report.create"
        },
        entity_type: "report",
        entity_id: id,
        before: None,
        after: Some(to_report_lossy(&joined)),
    };
    audit::record(tx, change, context).await?;
    let report = to_report(joined)?;
    Ok(if merged {
        Submitted::Merged(report)
    } else {
        Submitted::Created(report)
    })
}

/// Adds `email` to the report's reporters; false when it was there already (any case).
async fn add_reporter(
    tx: &mut AsyncPgConnection,
    report: Uuid,
    email: &str,
) -> Result<bool, diesel::result::Error> {
    let added = diesel::sql_query(
        "INSERT INTO report_reporters (report_id, email) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind::<diesel::sql_types::Uuid, _>(report)
    .bind::<diesel::sql_types::Text, _>(email)
    .execute(tx)
    .await?;
    Ok(added == 1)
}

/// The audit form of a stored row (a row that doesn't parse is still recorded as JSON).
fn to_report_lossy(joined: &Joined) -> serde_json::Value {
    let (row, code) = joined;
    serde_json::json!({
        "id": row.id,
        "container_id": row.container_id,
        "container_code": code,
        "category": row.category,
        "description": row.description,
        "status": row.status,
        "count": row.report_count,
        "assignee_id": row.assignee_id,
        "source": row.source,
    })
}
