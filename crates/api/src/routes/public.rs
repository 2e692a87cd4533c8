//! `/api/v1/public/…`: anonymous lookups with public fields only (no notes, no external
//! references, no internal ids: a feature's id is the container's public code), cache-friendly: `Cache-Control`, a
//! strong `ETag` of the body, and `304 Not Modified` on a matching `If-None-Match`.
//!
//! RATE LIMITING: these routes are mounted in their own scope (`public_scope` in
//! `lib.rs`); issue 3's per-IP limiter wraps that scope. Nothing else to change here.

use super::search::centre;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::geojson::{Feature, FeatureCollection, FeatureId, GEO_JSON, PointGeometry, collection};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get};
use serde::{Deserialize, Serialize};
use std::hash::{DefaultHasher, Hash, Hasher};
use tisseco_application::AppError;
use tisseco_application::search::{DEFAULT_PUBLIC_LIMIT, GeoHit, SearchPage};
use utoipa::{IntoParams, ToSchema};

/// What anybody may know about a container.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicContainer {
    /// The code printed on the container.
    #[schema(example = "K7M3QPX")]
    pub public_code: String,
    #[serde(rename = "type")]
    #[schema(example = "street_bin")]
    pub kind: &'static str,
    pub address: Option<String>,
    /// Metres from the (rounded) point asked about.
    pub distance_m: f64,
}

fn public_feature(hit: GeoHit) -> Feature<PublicContainer> {
    let c = hit.container;
    Feature {
        kind: "Feature",
        id: FeatureId::Code(c.public_code.to_string()),
        geometry: PointGeometry::new(c.location.longitude(), c.location.latitude()),
        properties: PublicContainer {
            public_code: c.public_code.to_string(),
            kind: c.kind.as_str(),
            address: c.address.map(|a| a.as_str().to_owned()),
            distance_m: hit.distance_m.unwrap_or_default(),
        },
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NearbyQuery {
    /// Latitude, -90 to 90 (rounded to 4 decimals, about 11 m).
    pub lat: f64,
    /// Longitude, -180 to 180 (rounded to 4 decimals).
    pub lon: f64,
    /// Metres, more than 0 and at most 5,000; default 1,000.
    pub radius_m: Option<f64>,
    /// 1 to 50, default 20.
    pub limit: Option<u32>,
}

const DEFAULT_RADIUS_M: f64 = 1_000.0;

fn etag_of(body: &[u8]) -> String {
    let mut hasher = DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

fn matches_etag(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().trim_start_matches("W/"))
        .any(|v| v == etag || v == "*")
}

/// Active containers near a point, nearest first, public fields only.
#[utoipa::path(tag = "public", security(()), params(NearbyQuery), responses(
    (status = 200, body = FeatureCollection<PublicContainer>, content_type = "application/geo+json",
        headers(("ETag" = String), ("Cache-Control" = String))),
    (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/nearby")]
pub async fn nearby(
    req: HttpRequest,
    query: ValidQuery<NearbyQuery>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    // The `self` link names the shared cache entry, not the caller's URL: the centre as
    // the search rounds it (4 decimals, about 11 m) and the effective radius and limit.
    let radius = q.radius_m.unwrap_or(DEFAULT_RADIUS_M);
    let self_url = format!(
        "/api/v1/public/containers/nearby?lat={:.4}&lon={:.4}&radius_m={radius}&limit={}",
        q.lat,
        q.lon,
        q.limit.unwrap_or(DEFAULT_PUBLIC_LIMIT)
    );
    let render = |page: SearchPage| {
        let features = page.items.into_iter().map(public_feature).collect();
        let body: FeatureCollection<PublicContainer> = collection(features, self_url, None);
        serde_json::to_vec(&body).map_err(|e| AppError::Unexpected(e.to_string()))
    };
    let body = state
        .search
        .public_nearby(centre(q.lat, q.lon)?, radius, q.limit, render)
        .await?;
    let etag = etag_of(&body);
    let not_modified = matches_etag(&req, &etag);
    let max_age = state.search.ttls().public_lookup.as_secs();
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={max_age}")));
    if not_modified {
        return Ok(response.finish());
    }
    Ok(response.content_type(GEO_JSON).body(body.to_vec()))
}
