//! Opening a download link: a GET with `?link=` and no bearer header, on an address a link
//! may open, stands for the link's user (read-only, that one address) when the link holds.

use crate::error::ApiError;
use crate::request_id::RequestId;
use crate::state::AppState;
use actix_web::HttpMessage;
use actix_web::dev::ServiceRequest;
use actix_web::http::Method;
use actix_web::http::header::AUTHORIZATION;
use tisseco_application::AppError;
use tisseco_application::auth::ports::Principal;
use tisseco_application::links::{LINK_PARAM, is_downloadable};
use tisseco_domain::Role;

/// The link's secret when `req` is a download by link (no bearer header: a bearer wins).
#[must_use]
pub fn secret(req: &ServiceRequest) -> Option<String> {
    if req.method() != Method::GET || req.headers().contains_key(AUTHORIZATION) {
        return None;
    }
    if !is_downloadable(req.path()) {
        return None;
    }
    form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(name, _)| name == LINK_PARAM)
        .map(|(_, value)| value.into_owned())
}

/// The caller the download link `secret` stands for on this request.
///
/// # Errors
/// 401 in the reader's language when the link does not hold; 503 when its store is down.
pub async fn open(
    req: &ServiceRequest,
    state: &AppState,
    secret: &str,
    required: Role,
) -> Result<Principal, ApiError> {
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let opened = state
        .links
        .open(secret, req.path(), req.query_string(), required, request_id)
        .await?;
    opened.map_err(|refusal| {
        let locale = crate::pages::PageLocale::of(req.request()).locale;
        AppError::Unauthenticated(tisseco_i18n::t(locale, refusal.key(), &[])).into()
    })
}
