//! The framework's own refusals (a query or form that does not parse, a body over the
//! limit) come as `text/plain` with Rust's wording ("Query deserialize error: …"). They
//! are rewritten here into a problem document in plain words, or Open311's error list on
//! its routes, so that every error a client meets has the same shape.

use crate::error::{ApiError, FieldError};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};

/// What a person is told for a status the framework answered on its own.
fn reason(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is larger than this route accepts",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "this content type is not accepted here",
        StatusCode::NOT_FOUND => "nothing is at this address",
        _ => "a parameter or the body could not be read; check the names and the values",
    }
}

fn rewritten(status: StatusCode, open311: bool, limit: usize) -> HttpResponse {
    if open311 {
        return HttpResponse::build(status).json(serde_json::json!([
            {"code": status.as_u16(), "description": reason(status)}
        ]));
    }
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge { limit },
        StatusCode::NOT_FOUND => ApiError::NotFound(reason(status).into()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(reason(status).into()),
        _ => ApiError::BadRequest(FieldError {
            field: "request".into(),
            reason: reason(status).into(),
        }),
    };
    error.error_response()
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let open311 = req.path().starts_with("/open311/");
    let limit = req
        .app_data::<crate::extract::BodyLimit>()
        .map_or(0, |l| l.0);
    let response = next.call(req).await?;
    let status = response.status();
    let plain = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() && plain) {
        return Ok(response.map_into_left_body());
    }
    if let Some(error) = response.response().error() {
        tracing::debug!(http.status = status.as_u16(), error = %error, "framework refusal rewritten");
    }
    let (request, _) = response.into_parts();
    Ok(ServiceResponse::new(request, rewritten(status, open311, limit)).map_into_right_body())
}
