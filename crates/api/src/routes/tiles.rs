//! `/api/v1/tiles/containers/{z}/{x}/{y}.mvt`: the container map as Mapbox Vector Tiles
//! (layer `containers`: `id`, `code`, `status`, `type`, `count`). Each tile's `ETag` names
//! the containers' cache version, so after any write the next request gets the new tile,
//! and until then a revalidation is a 304 that never reaches the database.

use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::routes::search::filter;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse, get};
use serde::Deserialize;
use tisseco_application::tiles::TileAnswer;
use tisseco_domain::TileCoord;
use utoipa::IntoParams;
use uuid::Uuid;

pub const MVT: &str = "application/vnd.mapbox-vector-tile";
/// Kept by the browser, but revalidated at each use (cheap: a 304 from the version).
const CACHE_CONTROL: &str = "private, no-cache";

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TileQuery {
    /// street_bin, underground, in_store or other (comma-separated).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// active, full, damaged, maintenance or removed (comma-separated).
    pub status: Option<String>,
    pub site_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
}

/// A tile of containers. Below zoom 14 the containers of each 1/64 of the tile's side
/// merge into one point with their `count` (`id` and `code` only when it is one).
#[utoipa::path(tag = "search", security(("bearer" = ["manager"])),
    params(("z" = u32, Path), ("x" = u32, Path), ("y" = u32, Path), TileQuery),
    responses(
        (status = 200, description = "The tile (empty when no container is in it)", content_type = "application/vnd.mapbox-vector-tile", body = Vec<u8>),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    ))]
#[get("/tiles/containers/{z}/{x}/{y}.mvt")]
pub async fn container_tile(
    req: HttpRequest,
    path: Path<(u32, u32, u32)>,
    query: ValidQuery<TileQuery>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (z, x, y) = path.into_inner();
    let tile = TileCoord::new(z, x, y).map_err(|e| ApiError::bad_request(e.field, e.reason))?;
    let q = query.0;
    let filter = filter(q.kind.as_deref(), q.status.as_deref(), q.site_id, q.area_id)?;
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    Ok(
        match state
            .tiles
            .container_tile(tile, filter, if_none_match)
            .await?
        {
            TileAnswer::NotModified { etag } => HttpResponse::NotModified()
                .insert_header((header::ETAG, etag))
                .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
                .finish(),
            TileAnswer::Tile { bytes, etag } => {
                let mut response = HttpResponse::Ok();
                response
                    .content_type(MVT)
                    .insert_header((header::CACHE_CONTROL, CACHE_CONTROL));
                if let Some(etag) = etag {
                    response.insert_header((header::ETAG, etag));
                }
                response.body(bytes)
            }
        },
    )
}
