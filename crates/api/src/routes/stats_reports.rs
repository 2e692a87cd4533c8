//! `/api/v1/stats/reports` and `/api/v1/stats/containers/neglected` (managers), JSON or CSV.

use super::stats::ReportParams;
use crate::csv::{Cell, csv_response, wants_csv};
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::state::AppState;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tisseco_application::stats::{NeglectedContainer, ReportStats};
use tisseco_domain::SiteId;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCountDto {
    pub period_start: NaiveDate,
    pub category: String,
    /// The report's current status.
    pub status: String,
    pub reports: i64,
}

/// Hours from the report to its first step past `new` (acknowledged) and to `resolved`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDelaysDto {
    pub acknowledged: i64,
    pub acknowledge_median_hours: Option<f64>,
    pub acknowledge_p90_hours: Option<f64>,
    pub resolved: i64,
    pub resolve_median_hours: Option<f64>,
    pub resolve_p90_hours: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopReportedDto {
    pub container_id: Uuid,
    pub public_code: String,
    /// Reports, merged duplicates included.
    pub reports: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportStatsDto {
    pub counts: Vec<ReportCountDto>,
    pub delays: ReportDelaysDto,
    /// The ten containers with the most reports in the range.
    pub top_containers: Vec<TopReportedDto>,
}

impl From<ReportStats> for ReportStatsDto {
    fn from(s: ReportStats) -> Self {
        let d = s.delays;
        Self {
            counts: s
                .counts
                .into_iter()
                .map(|c| ReportCountDto {
                    period_start: c.period_start,
                    category: c.category,
                    status: c.status,
                    reports: c.reports,
                })
                .collect(),
            delays: ReportDelaysDto {
                acknowledged: d.acknowledged,
                acknowledge_median_hours: d.acknowledge_median_hours,
                acknowledge_p90_hours: d.acknowledge_p90_hours,
                resolved: d.resolved,
                resolve_median_hours: d.resolve_median_hours,
                resolve_p90_hours: d.resolve_p90_hours,
            },
            top_containers: s
                .top_containers
                .into_iter()
                .map(|t| TopReportedDto {
                    container_id: t.container_id.0,
                    public_code: t.public_code,
                    reports: t.reports,
                })
                .collect(),
        }
    }
}

async fn reports_answer(
    req: &HttpRequest,
    params: ReportParams,
    state: &AppState,
    csv: bool,
) -> Result<HttpResponse, ApiError> {
    let stats = state.stats.reports(&params.try_into_query()?).await?;
    if csv || wants_csv(req) {
        let rows = stats
            .counts
            .into_iter()
            .map(|c| {
                vec![
                    Cell::Number(c.period_start.to_string()),
                    Cell::text(c.category),
                    Cell::text(c.status),
                    Cell::int(c.reports),
                ]
            })
            .collect();
        let header = ["period_start", "category", "status", "reports"];
        return Ok(csv_response("reports.csv", &header, rows));
    }
    Ok(HttpResponse::Ok().json(ReportStatsDto::from(stats)))
}

/// Public reports by period (of their creation, site's time zone), category and current
/// status; median and 90th-percentile delays to acknowledge and to resolve; the containers
/// reported most. CSV (`Accept: text/csv`): the counts.
#[utoipa::path(tag = "stats", security(("bearer" = ["manager"])), params(ReportParams), responses(
    (status = 200, body = ReportStatsDto),
    (status = 200, content_type = "text/csv", body = String),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/reports")]
pub async fn report_stats(
    req: HttpRequest,
    params: ValidQuery<ReportParams>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reports_answer(&req, params.0, &state, false).await
}

/// The report counts as CSV.
#[utoipa::path(tag = "stats", security(("bearer" = ["manager"])), params(ReportParams), responses(
    (status = 200, content_type = "text/csv", body = String),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/reports.csv")]
pub async fn report_stats_csv(
    req: HttpRequest,
    params: ValidQuery<ReportParams>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reports_answer(&req, params.0, &state, true).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NeglectParams {
    /// 1 to 1095, default 30.
    pub days: Option<u32>,
    pub site_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeglectedDto {
    pub container_id: Uuid,
    pub public_code: String,
    pub site_code: String,
    pub area_code: Option<String>,
    pub address: Option<String>,
    /// `not_visited` (no visit in `days`), or `nearly_empty` (three visits or more in
    /// `days`, found under 25 % on average: visits that could be saved).
    pub reason: String,
    pub last_visit_at: Option<DateTime<Utc>>,
    /// Visits in the last `days`.
    pub visits: i64,
    pub average_fill: Option<f64>,
}

impl From<NeglectedContainer> for NeglectedDto {
    fn from(n: NeglectedContainer) -> Self {
        Self {
            container_id: n.container_id.0,
            public_code: n.public_code,
            site_code: n.site_code,
            area_code: n.area_code,
            address: n.address,
            reason: n.reason.as_str().to_owned(),
            last_visit_at: n.last_visit_at,
            visits: n.visits,
            average_fill: n.average_fill,
        }
    }
}

async fn neglected_answer(
    req: &HttpRequest,
    params: NeglectParams,
    state: &AppState,
    csv: bool,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .stats
        .neglected(params.days, params.site_id.map(SiteId::from))
        .await?;
    if csv || wants_csv(req) {
        let header = [
            "public_code",
            "site_code",
            "area_code",
            "address",
            "reason",
            "last_visit_at",
            "visits",
            "average_fill",
        ];
        let rows = items
            .into_iter()
            .map(|n| {
                vec![
                    Cell::text(n.public_code),
                    Cell::text(n.site_code),
                    Cell::opt_text(n.area_code),
                    Cell::opt_text(n.address),
                    Cell::text(n.reason.as_str()),
                    Cell::Number(n.last_visit_at.map(|t| t.to_rfc3339()).unwrap_or_default()),
                    Cell::int(n.visits),
                    Cell::opt_decimal(n.average_fill, 1),
                ]
            })
            .collect();
        return Ok(csv_response("neglected.csv", &header, rows));
    }
    let items: Vec<NeglectedDto> = items.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// Live containers not visited in `days` days (or never, once older than that), and those
/// visited three times or more in that time while found under 25 % full on average.
#[utoipa::path(tag = "stats", security(("bearer" = ["manager"])), params(NeglectParams), responses(
    (status = 200, body = Vec<NeglectedDto>, description = "`{\"items\": [...]}`"),
    (status = 200, content_type = "text/csv", body = String),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/containers/neglected")]
pub async fn neglected(
    req: HttpRequest,
    params: ValidQuery<NeglectParams>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    neglected_answer(&req, params.0, &state, false).await
}

/// The neglected containers as CSV.
#[utoipa::path(tag = "stats", security(("bearer" = ["manager"])), params(NeglectParams), responses(
    (status = 200, content_type = "text/csv", body = String),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/containers/neglected.csv")]
pub async fn neglected_csv(
    req: HttpRequest,
    params: ValidQuery<NeglectParams>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    neglected_answer(&req, params.0, &state, true).await
}
