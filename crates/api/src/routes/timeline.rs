//! `/api/v1/containers/{id}/timeline`: everything that happened to a container, newest
//! first, keyset paged, filterable by kind (managers).

use crate::dto::Page;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::state::AppState;
use actix_web::get;
use actix_web::web::{Data, Json, Path};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tisseco_application::stats::TimelineEntry;
use tisseco_domain::stats::TimelineKind;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    /// Comma-separated kinds: registry, status, import, visit, skip, report, report_status
    /// (default all).
    pub kind: Option<String>,
    /// The `next_cursor` of the previous page.
    pub before: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntryDto {
    /// registry, status, import, visit, skip, report or report_status.
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    /// What was recorded: create, update, archive, report.full, inserted, visited,
    /// skipped, opened, acknowledged, resolved, comment…
    pub action: String,
    /// Registry and import entries: `before` and `after`; visits: driver, fill level,
    /// weight, emptied; skips: the reason; reports: category, status, comment.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<TimelineEntry> for TimelineEntryDto {
    fn from(e: TimelineEntry) -> Self {
        Self {
            kind: e.kind.as_str().to_owned(),
            occurred_at: e.occurred_at,
            actor_id: e.actor_id.map(|a| a.0),
            action: e.action,
            details: e.details,
        }
    }
}

/// A container's timeline: registry changes (imports included, with before/after), status
/// transitions, visits and skips, public reports and their status changes; newest first.
#[utoipa::path(tag = "containers", security(("bearer" = ["manager"])), params(TimelineParams), responses(
    (status = 200, body = Page<TimelineEntryDto>),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/{id}/timeline")]
pub async fn container_timeline(
    id: Path<Uuid>,
    params: ValidQuery<TimelineParams>,
    state: Data<AppState>,
) -> Result<Json<Page<TimelineEntryDto>>, ApiError> {
    let params = params.0;
    let kinds = params
        .kind
        .as_deref()
        .map(|list| {
            list.split(',')
                .filter(|k| !k.trim().is_empty())
                .map(|k| TimelineKind::parse(k.trim()))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let page = state
        .stats
        .timeline(
            id.into_inner().into(),
            kinds,
            params.before.as_deref(),
            params.limit,
        )
        .await?;
    Ok(Json(Page::from_page(page, TimelineEntryDto::from)))
}
