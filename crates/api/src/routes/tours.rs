//! `/api/v1/tours`: planning and tracking (managers).

use crate::dto::{Location, Page, versioned};
use crate::error::{ApiError, Problem};
use crate::extract::{Audit, IfMatch, OptionalIfMatch, ValidJson, ValidQuery};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Json, Path};
use actix_web::{HttpResponse, delete, get, patch, post, put};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tisseco_application::tours::{ContainerSummary, StopSelection, TourFilter};
use tisseco_application::use_cases::PageParams;
use tisseco_domain::{ContainerId, NewTour, Notes, StopOutcome, Tour, TourState, ValidationError};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct Progress {
    pub visited: usize,
    pub skipped: usize,
    pub total: usize,
    pub weight_kg: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StopDto {
    pub position: usize,
    pub container_id: Uuid,
    pub public_code: Option<String>,
    pub address: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub location: Option<Location>,
    /// pending, visited or skipped, with what was recorded.
    #[schema(value_type = Object)]
    pub outcome: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TourDto {
    pub id: Uuid,
    pub site_id: Uuid,
    pub date: NaiveDate,
    pub driver_id: Option<Uuid>,
    pub vehicle: Option<String>,
    pub depot: Option<Location>,
    pub notes: Option<String>,
    /// draft, planned, in_progress, completed or cancelled.
    pub state: String,
    pub progress: Progress,
    /// When the last stop was visited or skipped.
    pub last_activity: Option<DateTime<Utc>>,
    pub stops: Vec<StopDto>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TourDto {
    pub fn new(tour: Tour, containers: Vec<ContainerSummary>) -> Self {
        let by_id: HashMap<ContainerId, ContainerSummary> = containers
            .into_iter()
            .map(|c| (c.candidate.container_id, c))
            .collect();
        let (visited, skipped, total, weight_kg) = tour.progress();
        let last_activity = tour
            .stops
            .iter()
            .filter_map(|s| match &s.outcome {
                StopOutcome::Visited(v) => Some(v.at),
                StopOutcome::Skipped { at, .. } => Some(*at),
                StopOutcome::Pending => None,
            })
            .max();
        let stops = tour
            .stops
            .iter()
            .enumerate()
            .map(|(position, stop)| {
                let container = by_id.get(&stop.container_id);
                StopDto {
                    position: position + 1,
                    container_id: stop.container_id.0,
                    public_code: container.map(|c| c.public_code.to_string()),
                    address: container.and_then(|c| c.address.clone()),
                    kind: container.map(|c| c.kind.as_str().to_owned()),
                    location: container.map(|c| c.location.into()),
                    outcome: serde_json::to_value(&stop.outcome).unwrap_or_default(),
                }
            })
            .collect();
        Self {
            id: tour.id.0,
            site_id: tour.site_id.0,
            date: tour.date,
            driver_id: tour.driver_id.map(|d| d.0),
            vehicle: tour.vehicle,
            depot: tour.depot.map(Into::into),
            notes: tour.notes.map(|n| n.as_str().to_owned()),
            state: tour.state.as_str().to_owned(),
            progress: Progress {
                visited,
                skipped,
                total,
                weight_kg,
            },
            last_activity,
            stops,
            version: tour.version,
            created_at: tour.created_at,
            updated_at: tour.updated_at,
        }
    }
}

/// The tours as shown, each with its stops' containers.
pub async fn dtos(state: &AppState, tours: Vec<Tour>) -> Result<Vec<TourDto>, ApiError> {
    let mut shown = Vec::with_capacity(tours.len());
    for tour in tours {
        let containers = state.tours.stop_containers(&tour).await?;
        shown.push(TourDto::new(tour, containers));
    }
    Ok(shown)
}

/// Answers with the tour, its stops' containers and its ETag.
pub async fn respond(
    state: &AppState,
    status: StatusCode,
    tour: Tour,
) -> Result<HttpResponse, ApiError> {
    let containers = state.tours.stop_containers(&tour).await?;
    let version = tour.version;
    Ok(versioned(status, version, &TourDto::new(tour, containers)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTour {
    pub site_id: Uuid,
    pub date: NaiveDate,
    pub driver_id: Option<Uuid>,
    pub vehicle: Option<String>,
    /// Where the route starts (and ends, for a round trip).
    pub depot: Option<Location>,
    pub notes: Option<String>,
    /// Stops, in this order.
    #[serde(default)]
    pub container_ids: Vec<Uuid>,
    /// Then every live container of this area…
    pub area_id: Option<Uuid>,
    /// …or of the site, last found at least this full (0-100 %).
    pub min_fill_level: Option<u8>,
    /// …and the site's containers marked full (by a driver or a public report).
    #[serde(default)]
    pub reported_full: bool,
    /// …and the site's (with `area_id`: that area's only) containers predicted to reach
    /// 80 % by the end of this day (see `GET /containers/due`).
    pub due_by: Option<NaiveDate>,
}

impl CreateTour {
    fn try_into_domain(self) -> Result<(NewTour, StopSelection), ValidationError> {
        if self.min_fill_level.is_some_and(|f| f > 100) {
            return Err(ValidationError::new(
                "min_fill_level",
                "must be between 0 and 100 (%)",
            ));
        }
        let new = NewTour {
            site_id: self.site_id.into(),
            date: self.date,
            driver_id: self.driver_id.map(Into::into),
            vehicle: self.vehicle,
            depot: self
                .depot
                .map(Location::try_into_domain)
                .transpose()
                .map_err(|e| e.within("depot"))?,
            notes: self.notes.as_deref().map(Notes::parse).transpose()?,
        };
        let selection = StopSelection {
            container_ids: self.container_ids.into_iter().map(Into::into).collect(),
            area_id: self.area_id.map(Into::into),
            min_fill_level: self.min_fill_level,
            reported_full: self.reported_full,
            due_by: self.due_by,
        };
        Ok((new, selection))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TourListQuery {
    pub date: Option<NaiveDate>,
    pub site_id: Option<Uuid>,
    pub driver_id: Option<Uuid>,
    /// draft, planned, in_progress, completed or cancelled.
    pub state: Option<String>,
    pub after: Option<Uuid>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignTour {
    pub driver_id: Option<Uuid>,
    pub vehicle: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopIds {
    pub container_ids: Vec<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopOrder {
    /// Every stop's container id, once, in the new order.
    pub order: Vec<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptimizeRequest {
    /// Back to the depot (or the first stop) at the end; default true.
    pub round_trip: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderSuggestion {
    /// Accept it with `PUT /tours/{tour_id}/order`.
    pub order: Vec<Uuid>,
    pub distance_before_m: f64,
    pub distance_after_m: f64,
}

fn ids(ids: Vec<Uuid>) -> Vec<ContainerId> {
    ids.into_iter().map(Into::into).collect()
}

/// Plan a tour: stops listed, or selected (an area's containers, those last found full).
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), request_body = CreateTour, responses(
    (status = 201, body = TourDto),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/tours")]
pub async fn create_tour(
    body: ValidJson<CreateTour>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let (new, selection) = body.0.try_into_domain()?;
    let tour = state.tours.create(new, selection, &audit.0).await?;
    respond(&state, StatusCode::CREATED, tour).await
}

/// List tours by date, site, driver and state.
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), params(TourListQuery), responses((status = 200, body = Page<TourDto>)))]
#[get("/tours")]
pub async fn list_tours(
    query: ValidQuery<TourListQuery>,
    state: Data<AppState>,
) -> Result<Json<Page<TourDto>>, ApiError> {
    let q = query.0;
    let tour_state = q
        .state
        .as_deref()
        .map(TourState::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(e.field, e.reason))?;
    let filter = TourFilter {
        date: q.date,
        site_id: q.site_id.map(Into::into),
        driver_id: q.driver_id.map(Into::into),
        state: tour_state,
    };
    let page = state
        .tours
        .list(
            &filter,
            PageParams {
                after: q.after.map(Into::into),
                limit: q.limit,
            },
        )
        .await?;
    let next_cursor = page.next.map(|c| c.to_string());
    let items = dtos(&state, page.items).await?;
    Ok(Json(Page { items, next_cursor }))
}

/// A tour with its stops in order, their outcomes and the progress.
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), responses((status = 200, body = TourDto)))]
#[get("/tours/{tour_id}")]
pub async fn get_tour(
    tour_id: Path<Uuid>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let tour = state.tours.get(tour_id.into_inner().into()).await?;
    respond(&state, StatusCode::OK, tour).await
}

/// Assign the driver and vehicle (before the start). Requires `If-Match`.
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), request_body = AssignTour, responses((status = 200, body = TourDto)))]
#[patch("/tours/{tour_id}")]
pub async fn assign_tour(
    tour_id: Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<AssignTour>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let tour = state
        .tours
        .assign(
            tour_id.into_inner().into(),
            if_match.0,
            body.0.driver_id.map(Into::into),
            body.0.vehicle,
            &audit.0,
        )
        .await?;
    respond(&state, StatusCode::OK, tour).await
}

/// Add stops (before the start). Requires `If-Match`.
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), request_body = StopIds, responses((status = 200, body = TourDto)))]
#[post("/tours/{tour_id}/stops")]
pub async fn add_stops(
    tour_id: Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<StopIds>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let tour = state
        .tours
        .add_stops(
            tour_id.into_inner().into(),
            if_match.0,
            &ids(body.0.container_ids),
            &audit.0,
        )
        .await?;
    respond(&state, StatusCode::OK, tour).await
}

/// Remove a stop (before the start). Requires `If-Match`.
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), responses((status = 200, body = TourDto)))]
#[delete("/tours/{tour_id}/stops/{container_id}")]
pub async fn remove_stop(
    path: Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let (tour_id, container) = path.into_inner();
    let tour = state
        .tours
        .remove_stop(tour_id.into(), if_match.0, container.into(), &audit.0)
        .await?;
    respond(&state, StatusCode::OK, tour).await
}

/// Put the stops in a new order (before the start: 409 after). Requires `If-Match`.
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), request_body = StopOrder, responses(
    (status = 200, body = TourDto),
    (status = 409, description = "The tour has started", body = Problem, content_type = "application/problem+json"),
))]
#[put("/tours/{tour_id}/order")]
pub async fn reorder(
    tour_id: Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<StopOrder>,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let tour = state
        .tours
        .reorder(
            tour_id.into_inner().into(),
            if_match.0,
            &ids(body.0.order),
            &audit.0,
        )
        .await?;
    respond(&state, StatusCode::OK, tour).await
}

/// Draft → planned: ready for its driver.
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), responses((status = 200, body = TourDto)))]
#[post("/tours/{tour_id}/plan")]
pub async fn plan(
    tour_id: Path<Uuid>,
    if_match: OptionalIfMatch,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let tour = state
        .tours
        .plan(tour_id.into_inner().into(), if_match.0, &audit.0)
        .await?;
    respond(&state, StatusCode::OK, tour).await
}

/// Cancel a tour that has not started.
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), responses((status = 200, body = TourDto)))]
#[post("/tours/{tour_id}/cancel")]
pub async fn cancel(
    tour_id: Path<Uuid>,
    if_match: OptionalIfMatch,
    state: Data<AppState>,
    audit: Audit,
) -> Result<HttpResponse, ApiError> {
    let tour = state
        .tours
        .cancel(tour_id.into_inner().into(), if_match.0, &audit.0)
        .await?;
    respond(&state, StatusCode::OK, tour).await
}

/// Propose a shorter visiting order (great-circle distances); changes nothing.
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), request_body = OptimizeRequest, responses((status = 200, body = OrderSuggestion)))]
#[post("/tours/{tour_id}/optimize")]
pub async fn optimize(
    tour_id: Path<Uuid>,
    body: ValidJson<OptimizeRequest>,
    state: Data<AppState>,
) -> Result<Json<OrderSuggestion>, ApiError> {
    let problem = state
        .tours
        .prepare_order(
            tour_id.into_inner().into(),
            body.0.round_trip.unwrap_or(true),
        )
        .await?;
    // CPU work for up to its time budget: on the blocking pool, not an HTTP worker
    let suggestion = actix_web::web::block(move || problem.solve())
        .await
        .map_err(|e| tisseco_application::AppError::Unexpected(e.to_string()))?;
    Ok(Json(OrderSuggestion {
        order: suggestion.order.into_iter().map(|c| c.0).collect(),
        distance_before_m: suggestion.distance_before_m,
        distance_after_m: suggestion.distance_after_m,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitRecord {
    pub tour_id: Uuid,
    pub date: NaiveDate,
    pub driver_id: Option<Uuid>,
    /// visited (with fill level, weight, emptied…) or skipped (with the reason).
    #[schema(value_type = Object)]
    pub outcome: serde_json::Value,
}

/// A container's visits and skips, newest tour first.
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), responses(
    (status = 200, body = Vec<VisitRecord>),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/{id}/visits")]
pub async fn container_visits(
    id: Path<Uuid>,
    state: Data<AppState>,
) -> Result<Json<Vec<VisitRecord>>, ApiError> {
    let records = state.tours.container_visits(id.into_inner().into()).await?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| VisitRecord {
                tour_id: r.tour_id.0,
                date: r.date,
                driver_id: r.driver_id.map(|d| d.0),
                outcome: serde_json::to_value(&r.outcome).unwrap_or_default(),
            })
            .collect(),
    ))
}
