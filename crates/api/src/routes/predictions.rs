//! Predicted fill (managers): one container's prediction, and the containers predicted
//! to reach their threshold by a date, for planning tours.

use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::state::AppState;
use actix_web::get;
use actix_web::web::{Data, Json, Path};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tisseco_application::stats::{DueContainer, StoredPrediction};
use tisseco_domain::{AreaId, SiteId};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct PredictionDto {
    pub container_id: Uuid,
    /// The fill level the date is predicted for (%).
    pub threshold: u8,
    /// When the container reaches it (or reached it); null when not within a year or
    /// never emptied yet.
    pub threshold_at: Option<DateTime<Utc>>,
    /// Estimated level now (%), from the last visit and the rate.
    pub estimated_fill: f64,
    /// Percentage points per (average) day.
    pub rate_per_day: f64,
    /// container (its own visits), or the fallback used: area, type, default.
    pub source: String,
    /// Intervals between the container's own readings that the rate uses.
    pub observations: u32,
    /// 0–1: the share of the rate that comes from the container's own visits.
    pub confidence: f64,
    pub last_visit_at: Option<DateTime<Utc>>,
    pub computed_at: DateTime<Utc>,
}

impl From<StoredPrediction> for PredictionDto {
    fn from(s: StoredPrediction) -> Self {
        let p = s.prediction;
        Self {
            container_id: s.container_id.0,
            threshold: s.threshold,
            threshold_at: p.threshold_at,
            estimated_fill: (p.estimated_fill * 10.0).round() / 10.0,
            rate_per_day: p.rate_per_day,
            source: p.source.as_str().to_owned(),
            observations: p.observations,
            confidence: p.confidence,
            last_visit_at: p.anchor_at,
            computed_at: s.computed_at,
        }
    }
}

/// A container's predicted fill, updated after each of its visits.
#[utoipa::path(tag = "containers", security(("bearer" = ["manager"])), responses(
    (status = 200, body = PredictionDto),
    (status = 404, description = "No such container, or never visited", body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/{id}/prediction")]
pub async fn container_prediction(
    id: Path<Uuid>,
    state: Data<AppState>,
) -> Result<Json<PredictionDto>, ApiError> {
    let stored = state.predictions.get(id.into_inner().into()).await?;
    Ok(Json(stored.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DueParams {
    /// Local day (the site's time zone); default today.
    pub by: Option<NaiveDate>,
    pub site_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueDto {
    pub public_code: String,
    pub site_id: Uuid,
    pub area_id: Option<Uuid>,
    #[serde(flatten)]
    pub prediction: PredictionDto,
}

impl From<DueContainer> for DueDto {
    fn from(d: DueContainer) -> Self {
        Self {
            public_code: d.public_code,
            site_id: d.site_id.0,
            area_id: d.area_id.map(|a| a.0),
            prediction: d.stored.into(),
        }
    }
}

/// Live containers predicted to reach their threshold (80 %) by the end of day `by`,
/// soonest first (at most 5,000).
#[utoipa::path(tag = "containers", security(("bearer" = ["manager"])), params(DueParams), responses(
    (status = 200, body = Vec<DueDto>, description = "`{\"by\", \"items\": [...]}`"),
    (status = 400, body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/due")]
pub async fn due_containers(
    params: ValidQuery<DueParams>,
    state: Data<AppState>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let by = params.0.by.unwrap_or_else(|| Utc::now().date_naive());
    let due = state
        .predictions
        .due(
            by,
            params.0.site_id.map(SiteId::from),
            params.0.area_id.map(AreaId::from),
        )
        .await?;
    let items: Vec<DueDto> = due.into_iter().map(Into::into).collect();
    Ok(Json(serde_json::json!({ "by": by, "items": items })))
}
