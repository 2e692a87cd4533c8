//! The one error type of the HTTP layer: every failure becomes an RFC 9457 problem+json
//! with the status its cause deserves. Only unexpected failures are logged here.

use crate::request_id::current_request_id;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;
use tisseco_application::AppError;
use tisseco_application::auth::ports::RateDecision;
use tisseco_domain::ValidationError;

/// One offending input.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Where the input is: a body field (`location.latitude`), a parameter or a header.
    pub field: String,
    pub reason: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request's `X-Request-Id`, to quote when asking for help.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug)]
pub enum ApiError {
    App(AppError),
    /// The request is not well-formed (syntax, a parameter that does not parse): 400.
    BadRequest(FieldError),
    /// The body parses but a field is wrong or unknown: 422.
    Unprocessable(FieldError),
    NotFound(String),
    PayloadTooLarge {
        limit: usize,
    },
    UnsupportedMediaType(String),
    /// An update without `If-Match`: 428.
    PreconditionRequired,
    /// Over the route group's rate limit: 429 with the limiter's figures.
    RateLimited(RateDecision),
    /// The path exists but not with this method: 405 with `Allow` listing those it has.
    MethodNotAllowed(String),
    /// The client stopped sending the body: 408.
    RequestTimeout(String),
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self::App(error)
    }
}

impl ApiError {
    /// The limiter's figures, for the `RateLimit-*` headers of a refusal.
    #[must_use]
    pub fn rate_decision(&self) -> Option<RateDecision> {
        match self {
            Self::RateLimited(decision) => Some(*decision),
            _ => None,
        }
    }
}

impl From<ValidationError> for ApiError {
    fn from(error: ValidationError) -> Self {
        Self::App(AppError::Invalid(error))
    }
}

impl ApiError {
    pub fn bad_request(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::BadRequest(FieldError {
            field: field.into(),
            reason: reason.into(),
        })
    }

    pub fn unprocessable(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Unprocessable(FieldError {
            field: field.into(),
            reason: reason.into(),
        })
    }

    /// Status, type slug, title, detail and field errors.
    fn parts(
        &self,
    ) -> (
        StatusCode,
        &'static str,
        &'static str,
        String,
        Vec<FieldError>,
    ) {
        use StatusCode as S;
        match self {
            Self::App(error) => match error {
                AppError::Invalid(e) => {
                    let field = FieldError {
                        field: e.field.clone(),
                        reason: e.reason.clone(),
                    };
                    (
                        S::UNPROCESSABLE_ENTITY,
                        "validation",
                        "Invalid input",
                        e.to_string(),
                        vec![field],
                    )
                }
                AppError::NotFound { .. } => (
                    S::NOT_FOUND,
                    "not-found",
                    "Not found",
                    error.to_string(),
                    vec![],
                ),
                AppError::Conflict { field, message } => {
                    let errors = field
                        .iter()
                        .map(|f| FieldError {
                            field: f.clone(),
                            reason: message.clone(),
                        })
                        .collect();
                    (
                        S::CONFLICT,
                        "conflict",
                        "Conflict",
                        error.to_string(),
                        errors,
                    )
                }
                AppError::StaleVersion { .. } => (
                    S::PRECONDITION_FAILED,
                    "stale-version",
                    "Precondition failed",
                    error.to_string(),
                    vec![],
                ),
                AppError::Unauthenticated(reason) => (
                    S::UNAUTHORIZED,
                    "unauthenticated",
                    "Authentication required",
                    reason.clone(),
                    vec![],
                ),
                AppError::Forbidden(reason) => (
                    S::FORBIDDEN,
                    "forbidden",
                    "Forbidden",
                    reason.clone(),
                    vec![],
                ),
                AppError::RateLimited { .. } => (
                    S::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Too many requests",
                    error.to_string(),
                    vec![],
                ),
                AppError::Unavailable(_) => (
                    S::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Service unavailable",
                    "the service is temporarily unavailable; try again shortly".into(),
                    vec![],
                ),
                AppError::Unexpected(_) | AppError::Failed(_) => (
                    S::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "something went wrong on our side; quote the request id if you report it"
                        .into(),
                    vec![],
                ),
            },
            Self::BadRequest(e) => (
                S::BAD_REQUEST,
                "bad-request",
                "Malformed request",
                format!("{}: {}", e.field, e.reason),
                vec![e.clone()],
            ),
            Self::Unprocessable(e) => (
                S::UNPROCESSABLE_ENTITY,
                "validation",
                "Invalid input",
                format!("{}: {}", e.field, e.reason),
                vec![e.clone()],
            ),
            Self::NotFound(detail) => (
                S::NOT_FOUND,
                "not-found",
                "Not found",
                detail.clone(),
                vec![],
            ),
            Self::PayloadTooLarge { limit } => (
                S::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
                format!("the body is larger than the {limit} bytes accepted"),
                vec![],
            ),
            Self::UnsupportedMediaType(detail) => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                detail.clone(),
                vec![],
            ),
            Self::RateLimited(decision) => (
                S::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                format!(
                    "the limit is {} requests; retry in {} s",
                    decision.limit,
                    retry_after_seconds(decision.retry_after)
                ),
                vec![],
            ),
            Self::RequestTimeout(detail) => (
                S::REQUEST_TIMEOUT,
                "request-timeout",
                "Request timeout",
                detail.clone(),
                vec![],
            ),
            Self::MethodNotAllowed(allow) => (
                S::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                format!("this URL answers {allow} only"),
                vec![],
            ),
            Self::PreconditionRequired => (
                S::PRECONDITION_REQUIRED,
                "precondition-required",
                "Precondition required",
                "send If-Match with the ETag you last read, so concurrent edits are not lost"
                    .into(),
                vec![FieldError {
                    field: "If-Match".into(),
                    reason: "missing".into(),
                }],
            ),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::App(error) => error.fmt(f),
            other => f.write_str(&other.parts().3),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, slug, title, detail, errors) = self.parts();
        match self {
            Self::App(error @ (AppError::Unexpected(_) | AppError::Failed(_))) => {
                tracing::error!(error.cause = %tisseco_application::error_chain(error), "request failed");
            }
            Self::App(AppError::Unavailable(cause)) => unavailable_logged(cause),
            _ => {}
        }
        let problem = Problem {
            kind: format!("/problems/{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            request_id: current_request_id(),
            errors,
        };
        let mut response = HttpResponse::build(status);
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        match self {
            Self::App(AppError::Unavailable(_)) => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("5")));
            }
            Self::RateLimited(RateDecision { retry_after, .. })
            | Self::App(AppError::RateLimited { retry_after }) => {
                response.insert_header((
                    header::RETRY_AFTER,
                    retry_after_seconds(*retry_after).to_string(),
                ));
            }
            Self::App(AppError::Unauthenticated(_)) => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            Self::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, allow.clone()));
            }
            _ => {}
        }
        response.json(problem)
    }
}

/// Logs a 503's cause at most once every 10 s, with how many went unlogged: an outage under
/// load is one line every 10 s, not one per request.
fn unavailable_logged(cause: &str) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST: AtomicU64 = AtomicU64::new(0);
    static QUIET: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let last = LAST.load(Ordering::Relaxed);
    if now >= last + 10
        && LAST
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    {
        let unlogged = QUIET.swap(0, Ordering::Relaxed);
        tracing::warn!(error.cause = %cause, unlogged, "dependency unavailable; answering 503");
    } else {
        QUIET.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(error.cause = %cause, "dependency unavailable");
    }
}

/// Whole seconds to wait, rounded up and at least one (a `Retry-After` of 0 invites a storm).
#[must_use]
pub fn retry_after_seconds(wait: std::time::Duration) -> u64 {
    wait.as_millis()
        .div_ceil(1000)
        .max(1)
        .try_into()
        .unwrap_or(u64::MAX)
}
