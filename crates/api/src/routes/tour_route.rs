//! A tour's route as GeoJSON (RFC 7946): one LineString through the depot (when set),
//! the stops in their order and back to the depot, so that a map draws it as is.

use crate::error::{ApiError, Problem};
use crate::extract::Caller;
use crate::geojson::GEO_JSON;
use crate::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, get};
use serde::Serialize;
use std::collections::HashMap;
use tisseco_application::tours::ContainerSummary;
use tisseco_domain::{ContainerId, GeoPoint, Tour, great_circle_m};
use utoipa::ToSchema;
use uuid::Uuid;

/// A GeoJSON LineString: `[longitude, latitude]` positions.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineStringGeometry {
    #[serde(rename = "type")]
    #[schema(example = "LineString")]
    pub kind: &'static str,
    #[schema(example = json!([[4.83, 45.72], [4.84, 45.73]]))]
    pub coordinates: Vec<[f64; 2]>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RouteProperties {
    pub tour_id: Uuid,
    /// draft, planned, in_progress, completed or cancelled.
    pub state: String,
    pub stops: usize,
    /// Whether the line starts and ends at the tour's depot.
    pub round_trip: bool,
    /// Great-circle length of the line, in metres.
    pub distance_m: f64,
    /// Each stop's container, in the line's order (the depot is not a stop).
    pub container_ids: Vec<Uuid>,
}

/// A GeoJSON Feature whose geometry is the route.
#[derive(Debug, Serialize, ToSchema)]
pub struct RouteFeature {
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    pub id: Uuid,
    /// Null when the tour has fewer than two points to join.
    pub geometry: Option<LineStringGeometry>,
    pub properties: RouteProperties,
}

impl RouteFeature {
    #[must_use]
    pub fn new(tour: &Tour, containers: Vec<ContainerSummary>) -> Self {
        let located: HashMap<ContainerId, GeoPoint> = containers
            .into_iter()
            .map(|c| (c.candidate.container_id, c.location))
            .collect();
        let stops: Vec<(ContainerId, GeoPoint)> = tour
            .stops
            .iter()
            .filter_map(|s| located.get(&s.container_id).map(|p| (s.container_id, *p)))
            .collect();
        let mut points: Vec<GeoPoint> = Vec::with_capacity(stops.len() + 2);
        points.extend(tour.depot);
        points.extend(stops.iter().map(|(_, p)| *p));
        let round_trip = tour.depot.is_some() && !stops.is_empty();
        if round_trip {
            points.extend(tour.depot);
        }
        let distance_m = points
            .windows(2)
            .map(|pair| great_circle_m(pair[0], pair[1]))
            .sum();
        let geometry = (points.len() >= 2).then(|| LineStringGeometry {
            kind: "LineString",
            coordinates: points
                .iter()
                .map(|p| [p.longitude(), p.latitude()])
                .collect(),
        });
        Self {
            kind: "Feature",
            id: tour.id.0,
            geometry,
            properties: RouteProperties {
                tour_id: tour.id.0,
                state: tour.state.as_str().to_owned(),
                stops: stops.len(),
                round_trip,
                distance_m,
                container_ids: stops.iter().map(|(id, _)| id.0).collect(),
            },
        }
    }
}

async fn respond(state: &AppState, tour: &Tour) -> Result<HttpResponse, ApiError> {
    let containers = state.tours.stop_containers(tour).await?;
    Ok(HttpResponse::Ok()
        .content_type(GEO_JSON)
        .json(RouteFeature::new(tour, containers)))
}

/// The tour's route: a GeoJSON LineString from the depot through the stops in order and
/// back (without a depot: first stop to last).
#[utoipa::path(tag = "tours", security(("bearer" = ["manager"])), responses(
    (status = 200, body = RouteFeature, content_type = "application/geo+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/tours/{tour_id}/route")]
pub async fn tour_route(
    tour_id: Path<Uuid>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let tour = state.tours.get(tour_id.into_inner().into()).await?;
    respond(&state, &tour).await
}

/// The route of one of the caller's tours (see `GET /tours/{tour_id}/route`).
#[utoipa::path(tag = "driver", security(("bearer" = ["driver"])), responses(
    (status = 200, body = RouteFeature, content_type = "application/geo+json"),
    (status = 403, description = "Another driver's tour", body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/me/tours/{tour_id}/route")]
pub async fn my_tour_route(
    caller: Caller,
    tour_id: Path<Uuid>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let tour = state
        .tours
        .get_for(&caller.0, tour_id.into_inner().into())
        .await?;
    respond(&state, &tour).await
}
