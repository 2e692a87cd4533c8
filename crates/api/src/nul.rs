//! NUL characters are never data here: PostgreSQL refuses them in text, which turned a
//! `%00` anywhere into a 500 and an error log line. They are refused at the door, naming
//! where they were: the path, a query parameter, a form field or the JSON body.

use crate::error::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

pub const REASON: &str = "must not contain NUL characters (%00, \\u0000)";

/// The first name in `pairs` (URL-encoded) whose name or value holds a NUL.
#[must_use]
pub fn in_form(pairs: &[u8]) -> Option<String> {
    form_urlencoded::parse(pairs)
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
        .map(|(name, _)| name.replace('\0', ""))
}

/// Whether JSON text escapes a NUL (`\u0000`; a raw NUL is already a syntax error).
#[must_use]
pub fn in_json(bytes: &[u8]) -> bool {
    bytes
        .windows(6)
        .any(|w| w[0] == b'\\' && w[1] == b'u' && w[2..].iter().all(|b| *b == b'0'))
}

fn in_url(req: &ServiceRequest) -> Option<String> {
    let path = req.uri().path();
    let decoded = percent_decoded_has_nul(path);
    if decoded {
        return Some("path".into());
    }
    in_form(req.query_string().as_bytes())
}

fn percent_decoded_has_nul(text: &str) -> bool {
    text.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Some(field) = in_url(&req) {
        if req.path().starts_with("/open311/") {
            // Open311 clients read the spec's error list
            let body =
                serde_json::json!([{"code": 400, "description": format!("{field} {REASON}")}]);
            let response = actix_web::HttpResponse::BadRequest().json(body);
            return Ok(req.into_response(response).map_into_right_body());
        }
        let error = actix_web::Error::from(ApiError::bad_request(field, REASON));
        return Ok(req.error_response(error).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_wherever_it_hides() {
        assert_eq!(in_form(b"a=1&q=x%00y"), Some("q".into()));
        assert_eq!(in_form(b"a=1&q=xy"), None);
        assert!(in_json(br#"{"email": "a\u0000b"}"#));
        assert!(!in_json(br#"{"email": "a\u0041b"}"#));
        assert!(percent_decoded_has_nul("/c/%00"));
        assert!(!percent_decoded_has_nul("/c/%20"));
    }
}
