//! `/api/v1/ogc`: OGC API – Features, Part 1 (Core, GeoJSON) for the containers, so that
//! QGIS, MapLibre or OWSLib load the layer directly: landing page, conformance,
//! collections, items with `bbox`, `limit` and `next` links, and single items.

use super::search::bbox;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::geojson::{
    ContainerProperties, Feature, FeatureCollection, GEO_JSON, Link, PageLinks, PointGeometry,
    geo_json,
};
use crate::state::AppState;
use actix_web::web::{Data, Json, Path};
use actix_web::{HttpRequest, HttpResponse, get};
use serde::Deserialize;
use serde_json::{Value, json};
use tisseco_application::search::{GeoFilter, MAX_SEARCH_LIMIT};
use tisseco_domain::BBox;
use utoipa::IntoParams;
use uuid::Uuid;

const JSON: &str = "application/json";
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
/// OGC's customary default page size.
const DEFAULT_ITEMS_LIMIT: u32 = 10;

fn root(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}/api/v1/ogc", info.scheme(), info.host())
}

fn link(href: String, rel: &str, media_type: &str, title: &str) -> Link {
    Link {
        title: Some(title.into()),
        ..Link::new(href, rel, media_type)
    }
}

/// The landing page.
#[utoipa::path(tag = "ogc", security(("bearer" = ["manager"])), responses((status = 200, body = Object)))]
#[get("/ogc")]
pub async fn landing(req: HttpRequest) -> Json<Value> {
    landing_page(req).await
}

/// The landing page, also served at `/ogc/` (clients such as OWSLib add the slash).
pub async fn landing_page(req: HttpRequest) -> Json<Value> {
    let root = root(&req);
    let info = req.connection_info();
    let host = format!("{}://{}", info.scheme(), info.host());
    Json(json!({
        "title": "Tisseco containers",
        "description": "The clothing-collection containers of Tisseco, as OGC API - Features.",
        "links": [
            link(root.clone(), "self", JSON, "This document"),
            link(format!("{host}{}", crate::OPENAPI_PATH), "service-desc", "application/vnd.oai.openapi+json;version=3.1", "The API definition"),
            link(format!("{host}{}", crate::DOCS_PATH), "service-doc", "text/html", "The API documentation"),
            link(format!("{root}/conformance"), "conformance", JSON, "Conformance classes"),
            link(format!("{root}/collections"), "data", JSON, "The collections"),
        ],
    }))
}

/// The conformance classes implemented.
#[utoipa::path(tag = "ogc", security(("bearer" = ["manager"])), responses((status = 200, body = Object)))]
#[get("/ogc/conformance")]
pub async fn conformance() -> Json<Value> {
    Json(json!({
        "conformsTo": [
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        ]
    }))
}

fn containers_collection(root: &str) -> Value {
    json!({
        "id": "containers",
        "title": "Containers",
        "description": "Live clothing-collection containers (points).",
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [[-180.0, -90.0, 180.0, 90.0]], "crs": CRS84}},
        "links": [
            link(format!("{root}/collections/containers"), "self", JSON, "This collection"),
            link(format!("{root}/collections/containers/items"), "items", GEO_JSON, "The containers"),
        ],
    })
}

/// The collections: one, `containers`.
#[utoipa::path(tag = "ogc", security(("bearer" = ["manager"])), responses((status = 200, body = Object)))]
#[get("/ogc/collections")]
pub async fn collections(req: HttpRequest) -> Json<Value> {
    let root = root(&req);
    Json(json!({
        "links": [link(format!("{root}/collections"), "self", JSON, "The collections")],
        "collections": [containers_collection(&root)],
    }))
}

/// The `containers` collection.
#[utoipa::path(tag = "ogc", security(("bearer" = ["manager"])), responses(
    (status = 200, body = Object),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/ogc/collections/{collection_id}")]
pub async fn one_collection(req: HttpRequest, id: Path<String>) -> Result<Json<Value>, ApiError> {
    known(&id)?;
    Ok(Json(containers_collection(&root(&req))))
}

fn known(collection: &str) -> Result<(), ApiError> {
    if collection == "containers" {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("no collection {collection}")))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ItemsQuery {
    /// `minLon,minLat,maxLon,maxLat` in CRS84; default the whole world.
    pub bbox: Option<String>,
    /// 1 or more, default 10; values above 500 are served as 500.
    pub limit: Option<u32>,
    /// From the `next` link.
    pub after: Option<String>,
    /// `json` or `geojson` (the only format).
    pub f: Option<String>,
}

/// The containers, as GeoJSON features, in pages (`next` link).
#[utoipa::path(tag = "ogc", security(("bearer" = ["manager"])), params(ItemsQuery), responses(
    (status = 200, body = FeatureCollection<ContainerProperties>, content_type = "application/geo+json"),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/ogc/collections/{collection_id}/items")]
pub async fn items(
    req: HttpRequest,
    id: Path<String>,
    query: ValidQuery<ItemsQuery>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    known(&id)?;
    let q = query.0;
    if q.f
        .as_deref()
        .is_some_and(|f| !matches!(f, "json" | "geojson"))
    {
        return Err(ApiError::bad_request("f", "only json (GeoJSON) is served"));
    }
    let area = match q.bbox.as_deref() {
        Some(value) => bbox(value)?,
        None => BBox::new("bbox", [-180.0, -90.0, 180.0, 90.0])?,
    };
    let limit = q.limit.unwrap_or(DEFAULT_ITEMS_LIMIT).min(MAX_SEARCH_LIMIT);
    let after = super::search::cursor(q.after.as_deref())?;
    let page = state
        .search
        .bbox(area, GeoFilter::default(), after, Some(limit))
        .await?;
    let mut body = serde_json::to_value(PageLinks::from_request(&req).containers(page))
        .map_err(|e| tisseco_application::AppError::Unexpected(e.to_string()))?;
    body["timeStamp"] =
        json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    Ok(geo_json(&body))
}

/// One container as a GeoJSON feature.
#[utoipa::path(tag = "ogc", security(("bearer" = ["manager"])), responses(
    (status = 200, body = Feature<ContainerProperties>, content_type = "application/geo+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/ogc/collections/{collection_id}/items/{feature_id}")]
pub async fn item(
    path: Path<(String, Uuid)>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (collection, id) = path.into_inner();
    known(&collection)?;
    let container = state.registry.get_container(id.into()).await?;
    let location = container.location;
    let feature = Feature {
        kind: "Feature",
        id: container.id.0.to_string(),
        geometry: PointGeometry::new(location.longitude(), location.latitude()),
        properties: ContainerProperties::new(container, None),
    };
    Ok(geo_json(&feature))
}
