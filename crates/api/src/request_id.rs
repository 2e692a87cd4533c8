//! Gives every request an id (the caller's `X-Request-Id` when sensible, else a new one),
//! echoes it, and runs the request inside a span carrying it, so every log line has it.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The request id, available to extractors through the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being handled on this task, if any.
pub fn current_request_id() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Accepts 1 to 128 visible ASCII characters; anything else is replaced.
fn acceptable(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let ok = (1..=128).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| text.to_owned())
}

fn header<'a>(req: &'a ServiceRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(acceptable)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    // One root span per request, named by its route template (`GET /api/v1/containers/{id}`)
    // with OpenTelemetry's HTTP attributes; the status is recorded once known.
    let route = crate::route::template(&req);
    let name = match &route {
        Some(route) => format!("{} {route}", req.method()),
        None => req.method().to_string(),
    };
    let span = tracing::info_span!(
        "http_request",
        otel.name = %name,
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        request_id = %id,
        http.method = %req.method(),
        http.path = %req.path(),
        http.request.method = %req.method(),
        http.route = route.as_deref().unwrap_or(""),
        url.path = %req.path(),
        url.scheme = %req.connection_info().scheme(),
        user_agent.original = header(&req, "user-agent").unwrap_or(""),
        http.response.status_code = tracing::field::Empty,
    );
    tisseco_telemetry::continue_remote_trace(
        &span,
        header(&req, "traceparent"),
        header(&req, "tracestate"),
    );
    let started = Instant::now();
    let mut response = CURRENT
        .scope(id.clone(), next.call(req).instrument(span.clone()))
        .await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let status = response.status().as_u16();
    span.record("http.response.status_code", status);
    if status >= 500 {
        span.record("otel.status_code", "ERROR");
    }
    span.in_scope(|| {
        tracing::info!(
            http.status = status,
            latency_ms = started.elapsed().as_millis() as u64,
            "request handled"
        );
    });
    Ok(response)
}
