//! `/api/v1/containers/search/…`: staff geographic searches, answered as GeoJSON
//! FeatureCollections with keyset `next` links. Filters (`type`, `status` as
//! comma-separated lists, `site_id`, `area_id`) combine with AND on every search.

use crate::error::{ApiError, Problem};
use crate::extract::{GeometryJson, ValidQuery};
use crate::geojson::{
    ContainerProperties, FeatureCollection, GEO_JSON, PageLinks, collection, container_feature,
};
use crate::state::AppState;
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse, get, post};
use serde::Deserialize;
use tisseco_application::search::{GeoCursor, GeoFilter};
use tisseco_domain::{
    BBox, ContainerStatus, ContainerType, GeoPoint, MultiPolygon, ValidationError,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A bad query parameter: 400 naming it.
fn bad(e: ValidationError) -> ApiError {
    ApiError::bad_request(e.field, e.reason)
}

fn list<T>(
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, ValidationError>,
) -> Result<Vec<T>, ApiError> {
    value
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| parse(v).map_err(|e| ApiError::bad_request(field, e.reason)))
        .collect()
}

/// The filters every search takes.
pub(crate) fn filter(
    kind: Option<&str>,
    status: Option<&str>,
    site_id: Option<Uuid>,
    area_id: Option<Uuid>,
) -> Result<GeoFilter, ApiError> {
    Ok(GeoFilter {
        kinds: list("type", kind, ContainerType::parse)?,
        statuses: list("status", status, ContainerStatus::parse)?,
        site_id: site_id.map(Into::into),
        area_id: area_id.map(Into::into),
    })
}

/// A centre from `lat` and `lon`, errors naming those parameters.
pub(crate) fn centre(lat: f64, lon: f64) -> Result<GeoPoint, ApiError> {
    GeoPoint::new(lat, lon).map_err(|e| {
        let field = if e.field == "latitude" { "lat" } else { "lon" };
        ApiError::bad_request(field, e.reason)
    })
}

pub(crate) fn cursor(after: Option<&str>) -> Result<Option<GeoCursor>, ApiError> {
    after.map(str::parse).transpose().map_err(bad)
}

/// `minLon,minLat,maxLon,maxLat`.
pub(crate) fn bbox(value: &str) -> Result<BBox, ApiError> {
    let numbers: Vec<f64> = value
        .split(',')
        .map(|v| v.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            ApiError::bad_request("bbox", "expected four numbers: minLon,minLat,maxLon,maxLat")
        })?;
    let values: [f64; 4] = numbers.try_into().map_err(|_| {
        ApiError::bad_request("bbox", "expected four numbers: minLon,minLat,maxLon,maxLat")
    })?;
    BBox::new("bbox", values).map_err(|e| ApiError::bad_request("bbox", e.reason))
}

type Collection = FeatureCollection<ContainerProperties>;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RadiusQuery {
    /// Latitude of the centre, -90 to 90.
    pub lat: f64,
    /// Longitude of the centre, -180 to 180.
    pub lon: f64,
    /// Great-circle radius in metres: more than 0, at most 50,000.
    pub radius_m: f64,
    /// Comma-separated: street_bin, underground, in_store, other.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// Comma-separated: active, full, damaged, maintenance, removed.
    pub status: Option<String>,
    pub site_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

/// Containers within a radius, nearest first, with `distance_m`.
#[utoipa::path(tag = "search", security(("bearer" = ["manager"])), params(RadiusQuery), responses(
    (status = 200, body = Collection, content_type = "application/geo+json"),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/search/radius")]
pub async fn radius(
    req: HttpRequest,
    query: ValidQuery<RadiusQuery>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let filter = filter(q.kind.as_deref(), q.status.as_deref(), q.site_id, q.area_id)?;
    let page = state
        .search
        .radius(
            centre(q.lat, q.lon)?,
            q.radius_m,
            filter,
            cursor(q.after.as_deref())?,
            q.limit,
        )
        .await?;
    Ok(PageLinks::from_request(&req).containers(page).respond())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NearestQuery {
    pub lat: f64,
    pub lon: f64,
    /// How many: 1 to 500, default 50.
    pub limit: Option<u32>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
    pub site_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
}

/// The N containers nearest to a point, nearest first, with `distance_m`.
#[utoipa::path(tag = "search", security(("bearer" = ["manager"])), params(NearestQuery), responses(
    (status = 200, body = Collection, content_type = "application/geo+json"),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/search/nearest")]
pub async fn nearest(
    req: HttpRequest,
    query: ValidQuery<NearestQuery>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let filter = filter(q.kind.as_deref(), q.status.as_deref(), q.site_id, q.area_id)?;
    let hits = state
        .search
        .nearest(centre(q.lat, q.lon)?, filter, q.limit)
        .await?;
    let features = hits.into_iter().map(container_feature).collect();
    let links = PageLinks::from_request(&req);
    Ok(collection(features, links.with_after(None), None).respond())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BBoxQuery {
    /// `minLon,minLat,maxLon,maxLat` (WGS 84); min must not exceed max.
    #[param(example = "4.80,45.70,4.90,45.80")]
    pub bbox: String,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
    pub site_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
    pub after: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

/// Containers inside a bounding box (ordered outwards from its centre).
#[utoipa::path(tag = "search", security(("bearer" = ["manager"])), params(BBoxQuery), responses(
    (status = 200, body = Collection, content_type = "application/geo+json"),
    (status = 400, body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/search/bbox")]
pub async fn in_bbox(
    req: HttpRequest,
    query: ValidQuery<BBoxQuery>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let filter = filter(q.kind.as_deref(), q.status.as_deref(), q.site_id, q.area_id)?;
    let page = state
        .search
        .bbox(bbox(&q.bbox)?, filter, cursor(q.after.as_deref())?, q.limit)
        .await?;
    Ok(PageLinks::from_request(&req).containers(page).respond())
}

/// Filters and paging of the polygon and area searches.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShapeQuery {
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
    pub site_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
    pub after: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

/// A GeoJSON Polygon or MultiPolygon (`[longitude, latitude]`, at most 5,000 vertices,
/// rings closed and not crossing themselves).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type")]
pub enum SearchGeometry {
    Polygon {
        coordinates: Vec<Vec<[f64; 2]>>,
    },
    MultiPolygon {
        coordinates: Vec<Vec<Vec<[f64; 2]>>>,
    },
}

impl SearchGeometry {
    fn try_into_domain(&self) -> Result<MultiPolygon, ValidationError> {
        match self {
            Self::Polygon { coordinates } => {
                MultiPolygon::from_polygon_coordinates("geometry", coordinates)
            }
            Self::MultiPolygon { coordinates } => {
                MultiPolygon::from_coordinates("geometry", coordinates)
            }
        }
    }
}

/// Containers inside a polygon sent as the body (edges straight in longitude/latitude, as
/// RFC 7946 says; split a shape that crosses the antimeridian into a MultiPolygon).
#[utoipa::path(tag = "search", security(("bearer" = ["manager"])), params(ShapeQuery), request_body = SearchGeometry, responses(
    (status = 200, body = Collection, content_type = "application/geo+json"),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/containers/search/polygon")]
pub async fn in_polygon(
    req: HttpRequest,
    query: ValidQuery<ShapeQuery>,
    body: GeometryJson<SearchGeometry>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let filter = filter(q.kind.as_deref(), q.status.as_deref(), q.site_id, q.area_id)?;
    let polygon = body.0.try_into_domain()?;
    let page = state
        .search
        .polygon(polygon, filter, cursor(q.after.as_deref())?, q.limit)
        .await?;
    Ok(PageLinks::from_request(&req)
        .containers(page)
        .posted()
        .respond())
}

/// Containers inside an area's boundary (cached; a container or area change invalidates).
#[utoipa::path(tag = "search", security(("bearer" = ["manager"])), params(ShapeQuery), responses(
    (status = 200, body = Collection, content_type = "application/geo+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The area has no boundary", body = Problem, content_type = "application/problem+json"),
))]
#[get("/containers/search/area/{area_id}")]
pub async fn in_area(
    req: HttpRequest,
    area_id: Path<Uuid>,
    query: ValidQuery<ShapeQuery>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let filter = filter(q.kind.as_deref(), q.status.as_deref(), q.site_id, q.area_id)?;
    let links = PageLinks::from_request(&req);
    let representation = format!("geojson:{}", links.base());
    let body = state
        .search
        .area(
            area_id.into_inner().into(),
            filter,
            cursor(q.after.as_deref())?,
            q.limit,
            &representation,
            move |page| {
                links
                    .containers(page)
                    .to_json()
                    .map_err(|e| tisseco_application::AppError::Unexpected(e.to_string()))
            },
        )
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(GEO_JSON)
        .body(body.to_vec()))
}
