//! Content-Security-Policy on every HTML page. The public pages and label sheets run no
//! JavaScript and load nothing from elsewhere, so their policy forbids both; Swagger UI
//! and the staff console run their own scripts, from this server only.

use crate::DOCS_PATH;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue};
use actix_web::middleware::Next;

/// Pages: styles from our stylesheet (and the label sheet's own print rules), images
/// inline (QR codes), forms posted back here only, and nothing else.
pub const PAGES: &str = "default-src 'none'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/// The staff console and the driver app: their scripts, styles and the map's workers from this server, its
/// calls to this API only.
pub const CONSOLE: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'";
/// Swagger UI: its scripts and styles from this server.
pub const DOCS: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'";

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = req.path().starts_with(DOCS_PATH);
    let path = req.path();
    let console = path == "/admin"
        || path.starts_with(crate::console::PREFIX)
        || path == "/driver"
        || path.starts_with(crate::console::DRIVER_PREFIX);
    let mut response = next.call(req).await?;
    let html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        let policy = if docs {
            DOCS
        } else if console {
            CONSOLE
        } else {
            PAGES
        };
        response
            .headers_mut()
            .insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    }
    Ok(response)
}
