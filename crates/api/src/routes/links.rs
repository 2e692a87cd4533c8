//! Download links: a signed-in manager asks for one (to send a label sheet to whoever
//! prints it); the access middleware opens them (see [`crate::links`]).

use crate::error::{ApiError, Problem};
use crate::extract::{Caller, ValidJson};
use crate::routes::labels::PublicBaseUrl;
use crate::state::AppState;
use actix_web::web::Data;
use actix_web::{HttpResponse, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What to make a link to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDownloadLink {
    /// The address to open, from `/api/v1/`: an import's `errors.csv` or a label sheet,
    /// with its query (`/api/v1/labels?area_id=…`).
    #[schema(example = "/api/v1/labels?area_id=0190a3c4-1d2e-7f00-8000-000000000001")]
    pub target: String,
}

/// A link that opens its address in a browser without signing in, for 7 days.
#[derive(Debug, Serialize, ToSchema)]
pub struct DownloadLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// A download link to an import's rejected rows or a label sheet: it opens in a browser
/// without signing in, for 7 days or until the session that asked for it ends; each
/// download is audited.
#[utoipa::path(tag = "auth", security(("bearer" = ["manager"])), request_body = NewDownloadLink, responses(
    (status = 201, body = DownloadLink),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/links")]
pub async fn create_link(
    body: ValidJson<NewDownloadLink>,
    caller: Caller,
    state: Data<AppState>,
    base: Data<PublicBaseUrl>,
) -> Result<HttpResponse, ApiError> {
    let (path, query) = body
        .0
        .target
        .split_once('?')
        .unwrap_or((body.0.target.as_str(), ""));
    let (relative, expires_at) = state
        .links
        .issue(caller.0.user_id, Some(caller.0.session_id), path, query)
        .await?;
    let url = format!("{}{relative}", base.0.trim_end_matches('/'));
    Ok(HttpResponse::Created().json(DownloadLink { url, expires_at }))
}
