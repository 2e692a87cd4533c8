//! Extractors that turn a malformed request into a problem naming the culprit: JSON bodies
//! and query strings with field paths, `If-Match`, path ids, and the audit context.

use crate::error::ApiError;
use crate::request_id::RequestId;
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use std::future::{Ready, ready};
use tisseco_application::AppError;
use tisseco_application::auth::ports::Principal;
use tisseco_application::ports::AuditContext;
use tisseco_domain::Version;

/// Where a serde error points: `location.latitude`, or `body` at the top level.
fn path_of(path: &serde_path_to_error::Path, top: &str) -> String {
    let text = path.to_string();
    if text == "." { top.to_owned() } else { text }
}

/// A JSON body: wrong syntax is a 400, a wrong or unknown field a 422, too big a 413.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .mime_type()
            .ok()
            .flatten()
            .is_some_and(|m| m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"));
        let limit = req.app_data::<BodyLimit>().map_or(0, |l| l.0);
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            let bytes = body.await.map_err(|error| {
                if error.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge { limit }
                } else {
                    ApiError::bad_request("body", error.to_string())
                }
            })?;
            decode(&bytes).map(ValidJson)
        })
    }
}

/// JSON bytes into `T`: wrong syntax is a 400, a wrong or unknown field a 422 naming it.
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if crate::nul::in_json(bytes) {
        return Err(ApiError::bad_request("body", crate::nul::REASON));
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let field = path_of(error.path(), "body");
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => ApiError::unprocessable(field, inner.to_string()),
            _ => ApiError::bad_request("body", format!("malformed JSON: {inner}")),
        }
    })
}

/// The largest geometry body accepted by [`GeometryJson`]: room for a polygon far past
/// the vertex limit, so that such a polygon gets a 422 naming `geometry` (checked by the
/// domain) rather than an anonymous 413.
pub const GEOMETRY_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// A JSON body with the larger [`GEOMETRY_BODY_LIMIT`] (search polygons); else as
/// [`ValidJson`].
#[derive(Debug)]
pub struct GeometryJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for GeometryJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use futures_util::StreamExt;
        let is_json = req
            .mime_type()
            .ok()
            .flatten()
            .is_some_and(|m| m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"));
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            let mut bytes = actix_web::web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::bad_request("body", e.to_string()))?;
                if bytes.len() + chunk.len() > GEOMETRY_BODY_LIMIT {
                    return Err(ApiError::PayloadTooLarge {
                        limit: GEOMETRY_BODY_LIMIT,
                    });
                }
                bytes.extend_from_slice(&chunk);
            }
            decode(&bytes).map(GeometryJson)
        })
    }
}

/// The body size limit, kept as app data beside the `PayloadConfig` that enforces it
/// (which does not expose it), to tell clients the number.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A query string: an unknown or unparsable parameter is a 400 naming it. A download
/// link's `link` parameter belongs to the access check, not to the route, and is left out.
#[derive(Debug)]
pub struct ValidQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for ValidQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let query = without_link(req.query_string());
        let pairs = form_urlencoded::parse(query.as_bytes());
        let deserializer = serde_urlencoded::Deserializer::new(pairs);
        ready(
            serde_path_to_error::deserialize(deserializer)
                .map(ValidQuery)
                .map_err(|error| {
                    let field = path_of(error.path(), "query");
                    ApiError::bad_request(field, error.into_inner().to_string())
                }),
        )
    }
}

/// `query` without a download link's parameter (borrowed when it has none).
fn without_link(query: &str) -> std::borrow::Cow<'_, str> {
    let link = tisseco_application::links::LINK_PARAM;
    let is_link = |pair: &&str| pair.split('=').next() == Some(link);
    if !query.split('&').any(|pair| is_link(&pair)) {
        return std::borrow::Cow::Borrowed(query);
    }
    let kept: Vec<&str> = query.split('&').filter(|pair| !is_link(pair)).collect();
    std::borrow::Cow::Owned(kept.join("&"))
}

/// The version a client last read, from `If-Match: "<version>"`; required for updates.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub Version);

fn parse_if_match(req: &HttpRequest) -> Result<Option<Version>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().strip_prefix('"')?.strip_suffix('"')?.parse().ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_request(
                "If-Match",
                "expected the ETag from a previous response, like \"3\"",
            )
        })
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            parse_if_match(req).and_then(|v| v.map(IfMatch).ok_or(ApiError::PreconditionRequired)),
        )
    }
}

/// `If-Match` when the client sent one (archiving works without it).
#[derive(Debug, Clone, Copy)]
pub struct OptionalIfMatch(pub Option<Version>);

impl FromRequest for OptionalIfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_if_match(req).map(OptionalIfMatch))
    }
}

/// Who is acting and in which request, for the audit log.
#[derive(Debug, Clone)]
pub struct Audit(pub AuditContext);

impl FromRequest for Audit {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let extensions = req.extensions();
        let request_id = extensions.get::<RequestId>().map(|r| r.0.clone());
        let actor = extensions.get::<Principal>().map(|p| p.user_id);
        ready(Ok(Audit(AuditContext { actor, request_id })))
    }
}

/// The signed-in caller, put there by the access middleware on authenticated routes.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let principal = req.extensions().get::<Principal>().cloned();
        ready(
            principal
                .map(Caller)
                .ok_or_else(|| AppError::Unauthenticated("sign in first".into()).into()),
        )
    }
}

/// The raw bearer token of the request (for attenuation).
#[derive(Debug, Clone)]
pub struct BearerToken(pub String);

impl FromRequest for BearerToken {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .map(|(_, token)| token.trim().to_owned());
        ready(
            token
                .map(BearerToken)
                .ok_or_else(|| AppError::Unauthenticated("sign in first".into()).into()),
        )
    }
}
