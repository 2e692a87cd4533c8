//! `/api/v1/reports`: staff moderation of public reports (list, read, act). Every action
//! goes to the report's history and to the audit log.

use crate::dto::Page;
use crate::error::{ApiError, Problem};
use crate::extract::{Audit, ValidJson, ValidQuery};
use crate::state::AppState;
use actix_web::web::{Data, Json, Path};
use actix_web::{get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tisseco_application::reports::{Moderation, Report, ReportEvent, ReportFilter};
use tisseco_domain::{ReportCategory, ReportStatus, UserId};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    pub id: Uuid,
    pub container_id: Uuid,
    #[schema(example = "K7M3QPX")]
    pub container_code: String,
    /// full, damaged, dirty, missing, vandalism or other.
    pub category: String,
    /// As typed by the public: plain text (escape it when showing it).
    pub description: Option<String>,
    pub email: Option<String>,
    /// new, acknowledged, in_progress, resolved or rejected.
    pub status: String,
    /// How many identical reports were merged into this one.
    pub count: i32,
    pub assignee_id: Option<Uuid>,
    /// `web` or `open311`.
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Report> for ReportDto {
    fn from(r: Report) -> Self {
        Self {
            id: r.id,
            container_id: r.container_id.0,
            container_code: r.container_code,
            category: r.category.as_str().to_owned(),
            description: r.description,
            email: r.email,
            status: r.status.as_str().to_owned(),
            count: r.count,
            assignee_id: r.assignee_id.map(|u| u.0),
            source: r.source,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportEventDto {
    pub occurred_at: DateTime<Utc>,
    pub status: Option<String>,
    pub comment: Option<String>,
}

impl From<ReportEvent> for ReportEventDto {
    fn from(e: ReportEvent) -> Self {
        Self {
            occurred_at: e.occurred_at,
            status: e.status.map(|s| s.as_str().to_owned()),
            comment: e.comment,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub report: ReportDto,
    /// Oldest first.
    pub history: Vec<ReportEventDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportListQuery {
    pub status: Option<String>,
    pub category: Option<String>,
    pub site_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
    pub container_id: Option<Uuid>,
    /// Created at or after (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Created before (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// The `next_cursor` of the previous page.
    pub before: Option<Uuid>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

impl ReportListQuery {
    fn filter(&self) -> Result<ReportFilter, ApiError> {
        let invalid = |e: tisseco_domain::ValidationError| {
            ApiError::App(tisseco_application::AppError::Invalid(e))
        };
        Ok(ReportFilter {
            status: self
                .status
                .as_deref()
                .map(ReportStatus::parse)
                .transpose()
                .map_err(invalid)?,
            category: self
                .category
                .as_deref()
                .map(ReportCategory::parse)
                .transpose()
                .map_err(invalid)?,
            open: None,
            site_id: self.site_id.map(Into::into),
            area_id: self.area_id.map(Into::into),
            container_id: self.container_id.map(Into::into),
            since: self.since,
            until: self.until,
        })
    }
}

/// Public reports, newest first; the filters combine.
#[utoipa::path(tag = "reports", security(("bearer" = ["manager"])), params(ReportListQuery), responses(
    (status = 200, body = Page<ReportDto>),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/reports")]
pub async fn list_reports(
    query: ValidQuery<ReportListQuery>,
    state: Data<AppState>,
) -> Result<Json<Page<ReportDto>>, ApiError> {
    let filter = query.0.filter()?;
    let limit = query.0.limit;
    let items = state.reports.list(&filter, query.0.before, limit).await?;
    let full = u32::try_from(items.len()).unwrap_or(u32::MAX) == limit.unwrap_or(50);
    let next_cursor = items.last().filter(|_| full).map(|r| r.id.to_string());
    Ok(Json(Page {
        items: items.into_iter().map(ReportDto::from).collect(),
        next_cursor,
    }))
}

/// One report with its history.
#[utoipa::path(tag = "reports", security(("bearer" = ["manager"])), responses(
    (status = 200, body = ReportDetail),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/reports/{id}")]
pub async fn get_report(
    id: Path<Uuid>,
    state: Data<AppState>,
) -> Result<Json<ReportDetail>, ApiError> {
    let (report, history) = state.reports.get(id.into_inner()).await?;
    Ok(Json(ReportDetail {
        report: report.into(),
        history: history.into_iter().map(Into::into).collect(),
    }))
}

/// A staff decision on a report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModerationDto {
    Acknowledge,
    Start,
    Resolve {
        comment: Option<String>,
    },
    Reject {
        reason: String,
    },
    Comment {
        text: String,
    },
    /// `assignee_id: null` unassigns.
    Assign {
        assignee_id: Option<Uuid>,
    },
}

impl From<ModerationDto> for Moderation {
    fn from(dto: ModerationDto) -> Self {
        match dto {
            ModerationDto::Acknowledge => Self::Acknowledge,
            ModerationDto::Start => Self::Start,
            ModerationDto::Resolve { comment } => Self::Resolve { comment },
            ModerationDto::Reject { reason } => Self::Reject { reason },
            ModerationDto::Comment { text } => Self::Comment { text },
            ModerationDto::Assign { assignee_id } => Self::Assign {
                user: assignee_id.map(UserId),
            },
        }
    }
}

/// Acknowledge, start, resolve, reject (with a reason), comment or assign a report.
/// Status moves follow new → acknowledged → in_progress → resolved | rejected.
#[utoipa::path(tag = "reports", security(("bearer" = ["manager"])), request_body = ModerationDto, responses(
    (status = 200, body = ReportDto),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/reports/{id}/moderation")]
pub async fn moderate_report(
    id: Path<Uuid>,
    body: ValidJson<ModerationDto>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<Json<ReportDto>, ApiError> {
    let report = state
        .reports
        .moderate(id.into_inner(), body.0.into(), &audit.0)
        .await?;
    Ok(Json(report.into()))
}
