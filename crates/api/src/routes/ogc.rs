//! `/api/v1/ogc`: OGC API – Features, Part 1 (Core, GeoJSON) for the containers, so that
//! QGIS, MapLibre or OWSLib load the layer directly: landing page, conformance,
//! collections, items with `bbox`, `limit` and `next` links, and single items.

use super::search::bbox;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::geojson::{
    ContainerProperties, Feature, FeatureCollection, FeatureId, GEO_JSON, Link, PageLinks,
    PointGeometry, geo_json, geo_json_bytes,
};
use crate::state::AppState;
use actix_web::web::{Data, Json, Path};
use actix_web::{HttpRequest, HttpResponse, get};
use serde::Deserialize;
use serde_json::{Value, json};
use tisseco_application::search::{GeoFilter, MAX_SEARCH_LIMIT, Shape};
use tisseco_domain::{BBox, MultiPolygon};
use utoipa::IntoParams;
use uuid::Uuid;

const JSON: &str = "application/json";
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
/// A page big enough that a desktop client (GDAL, QGIS) reads a city in a few requests:
/// with 10, GDAL needed 1,436 requests for 14,344 containers.
const DEFAULT_ITEMS_LIMIT: u32 = 100;

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

fn containers_collection(root: &str, extent: Option<[f64; 4]>) -> Value {
    // the live containers' own extent (the whole world only when there is none)
    let bbox = extent.unwrap_or([-180.0, -90.0, 180.0, 90.0]);
    json!({
        "id": "containers",
        "title": "Containers",
        "description": "Live clothing-collection containers (points).",
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [bbox], "crs": CRS84}},
        "links": [
            link(format!("{root}/collections/containers"), "self", JSON, "This collection"),
            link(format!("{root}/collections/containers/items"), "items", GEO_JSON, "The containers"),
        ],
    })
}

/// The collections: one, `containers`.
#[utoipa::path(tag = "ogc", security(("bearer" = ["manager"])), responses((status = 200, body = Object)))]
#[get("/ogc/collections")]
pub async fn collections(req: HttpRequest, state: Data<AppState>) -> Result<Json<Value>, ApiError> {
    let root = root(&req);
    let extent = state.search.extent().await?;
    Ok(Json(json!({
        "links": [link(format!("{root}/collections"), "self", JSON, "The collections")],
        "collections": [containers_collection(&root, extent)],
    })))
}

/// The `containers` collection.
#[utoipa::path(tag = "ogc", security(("bearer" = ["manager"])), responses(
    (status = 200, body = Object),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/ogc/collections/{collection_id}")]
pub async fn one_collection(
    req: HttpRequest,
    id: Path<String>,
    state: Data<AppState>,
) -> Result<Json<Value>, ApiError> {
    known(&id)?;
    let extent = state.search.extent().await?;
    Ok(Json(containers_collection(&root(&req), extent)))
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
    /// `minLon,minLat,maxLon,maxLat` in CRS84; default the whole world. A box whose
    /// `minLon` is greater than its `maxLon` crosses the antimeridian.
    pub bbox: Option<String>,
    /// 1 or more, default 100; values above 500 are served as 500.
    pub limit: Option<u32>,
    /// An instant or interval (RFC 3339, `..` for open ends). Containers carry no time of
    /// their own in this collection (no temporal extent), so every one matches.
    pub datetime: Option<String>,
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
    if let Some(datetime) = q.datetime.as_deref() {
        check_datetime(datetime)?;
    }
    let shape = match q.bbox.as_deref() {
        Some(value) => ogc_shape(value)?,
        None => Shape::BBox(BBox::new("bbox", [-180.0, -90.0, 180.0, 90.0])?),
    };
    let limit = q.limit.unwrap_or(DEFAULT_ITEMS_LIMIT).min(MAX_SEARCH_LIMIT);
    let after = super::search::cursor(q.after.as_deref())?;
    let first_page = after.is_none();
    let page = match shape {
        Shape::Polygon(area) => {
            state
                .search
                .polygon(area, GeoFilter::default(), after, Some(limit))
                .await?
        }
        Shape::BBox(area) => {
            state
                .search
                .bbox(area, GeoFilter::default(), after, Some(limit))
                .await?
        }
        Shape::Radius { .. } | Shape::Nearest { .. } => {
            return Err(ApiError::bad_request("bbox", "expected a box"));
        }
    };
    // Known without a count only when the first page holds every match: counting would read
    // every match of a large box again (twice the bbox route's cost), and OGC API Features
    // makes `numberMatched` optional.
    let number_matched = (first_page && page.next.is_none()).then_some(page.items.len() as u64);
    let collection = PageLinks::from_request(&req).containers(page);
    let time_stamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Ok(geo_json_bytes(items_page(
        &collection,
        number_matched,
        &time_stamp,
    )))
}

/// An items page: the collection plus OGC's `numberMatched` and `timeStamp`, after the
/// collection's own members (where serde put them when it flattened the collection).
fn items_page(
    collection: &FeatureCollection<ContainerProperties>,
    number_matched: Option<u64>,
    time_stamp: &str,
) -> std::io::Result<Vec<u8>> {
    collection.to_json_with(|out| {
        if let Some(count) = number_matched {
            out.extend_from_slice(b",\"numberMatched\":");
            out.extend_from_slice(itoa::Buffer::new().format(count).as_bytes());
        }
        // an RFC 3339 instant: nothing in it to escape
        out.extend_from_slice(b",\"timeStamp\":\"");
        out.extend_from_slice(time_stamp.as_bytes());
        out.push(b'"');
    })
}

/// The search shape of an OGC `bbox`: a box, or two when it crosses the antimeridian
/// (`minLon` greater than `maxLon`, as OGC API Features allows).
fn ogc_shape(value: &str) -> Result<Shape, ApiError> {
    let numbers: Vec<f64> = value
        .split(',')
        .map(|v| v.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    match numbers.as_slice() {
        [west, south, east, north] if west > east => {
            let rect = |w: f64, e: f64| {
                vec![
                    [w, *south],
                    [e, *south],
                    [e, *north],
                    [w, *north],
                    [w, *south],
                ]
            };
            MultiPolygon::from_coordinates(
                "bbox",
                &[vec![rect(*west, 180.0)], vec![rect(-180.0, *east)]],
            )
            .map(Shape::Polygon)
            .map_err(|e| ApiError::bad_request("bbox", e.reason))
        }
        _ => Ok(Shape::BBox(bbox(value)?)),
    }
}

/// An RFC 3339 instant, or an interval `start/end` whose open ends are `..` or empty.
fn check_datetime(value: &str) -> Result<(), ApiError> {
    let instant =
        |v: &str| v.is_empty() || v == ".." || chrono::DateTime::parse_from_rfc3339(v).is_ok();
    let valid = match value.split_once('/') {
        Some((start, end)) => {
            instant(start) && instant(end) && !(start.is_empty() && end.is_empty())
        }
        None => !value.is_empty() && value != ".." && instant(value),
    };
    if valid {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "datetime",
            "expected an RFC 3339 instant (2026-12-03T10:00:00Z) or an interval start/end, with .. for an open end",
        ))
    }
}

/// One container as a GeoJSON feature.
#[utoipa::path(tag = "ogc", security(("bearer" = ["manager"])), responses(
    (status = 200, body = Feature<ContainerProperties>, content_type = "application/geo+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/ogc/collections/{collection_id}/items/{feature_id}")]
pub async fn item(
    req: HttpRequest,
    path: Path<(String, Uuid)>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (collection, id) = path.into_inner();
    known(&collection)?;
    let container = state.registry.get_container(id.into()).await?;
    let location = container.location;
    let root = root(&req);
    let feature = Feature {
        kind: "Feature",
        id: FeatureId::Uuid(container.id.0),
        geometry: PointGeometry::new(location.longitude(), location.latitude()),
        properties: ContainerProperties::new(container, None),
    };
    let mut body = serde_json::to_value(&feature)
        .map_err(|e| tisseco_application::AppError::Unexpected(e.to_string()))?;
    body["links"] = json!([
        link(
            format!("{root}/collections/containers/items/{id}"),
            "self",
            GEO_JSON,
            "This container"
        ),
        link(
            format!("{root}/collections/containers"),
            "collection",
            JSON,
            "The collection"
        ),
    ]);
    Ok(geo_json(&body))
}

#[cfg(test)]
mod tests {
    use crate::geojson::tests::feature;
    use crate::geojson::{ContainerProperties, FeatureCollection, collection};
    use serde::Serialize;

    /// What the items page was before it was written by hand: serde's flattening.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ItemsPage<'a> {
        #[serde(flatten)]
        collection: &'a FeatureCollection<ContainerProperties>,
        #[serde(skip_serializing_if = "Option::is_none")]
        number_matched: Option<u64>,
        time_stamp: &'a str,
    }

    #[test]
    fn an_items_page_is_written_as_serde_writes_it() {
        let page = collection(
            vec![feature("Rue \"Pasteur\"", None), feature("", Some(3.5))],
            "http://h/ogc/collections/containers/items?bbox=1,2,3,4".into(),
            None,
        );
        for number_matched in [None, Some(0), Some(1_234_567)] {
            let time_stamp = "2026-12-06T01:02:03Z";
            let ours = super::items_page(&page, number_matched, time_stamp).unwrap();
            let theirs = serde_json::to_string(&ItemsPage {
                collection: &page,
                number_matched,
                time_stamp,
            })
            .unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), theirs);
        }
    }
}
