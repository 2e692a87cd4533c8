//! Prometheus metrics of the HTTP API: a middleware that counts requests by route
//! template, method and status with their latency, and the small server that exposes
//! `/metrics` on its own address (`METRICS_BIND`), away from the public one.

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{App, Error, HttpResponse, HttpServer, web};
use std::net::TcpListener;
use std::time::Instant;

/// Route templates, not paths: `/api/v1/containers/{id}` is one series whatever the id.
/// A request no route matched is `unmatched`, so scanners cannot create series.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let route = crate::route::template(&req).unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(req.method().as_str());
    let response = next.call(req).await;
    let status = match &response {
        Ok(response) => response.status().as_u16(),
        Err(error) => error.as_response_error().status_code().as_u16(),
    };
    metrics::histogram!(
        "tisseco_http_request_duration_seconds",
        "route" => route.clone(),
        "method" => method,
    )
    .record(started.elapsed().as_secs_f64());
    metrics::counter!(
        "tisseco_http_requests_total",
        "route" => route,
        "method" => method,
        "status" => status.to_string(),
    )
    .increment(1);
    response
}

/// Standard methods by name; anything else is `other` (a bounded label set).
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    KNOWN
        .into_iter()
        .find(|known| *known == method)
        .unwrap_or("other")
}

async fn exposition() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(tisseco_telemetry::metrics::CONTENT_TYPE)
        .body(tisseco_telemetry::metrics::render())
}

/// Serves `GET /metrics` on `listener` with one thread; stops on SIGINT/SIGTERM like the API.
///
/// # Errors
/// When the listener can't be used.
pub fn serve(listener: TcpListener) -> std::io::Result<Server> {
    Ok(
        HttpServer::new(|| App::new().route("/metrics", web::get().to(exposition)))
            .workers(1)
            .listen(listener)?
            .run(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::middleware::from_fn;
    use actix_web::test;

    async fn ok() -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    #[actix_web::test]
    async fn requests_are_counted_by_route_template_method_and_status() {
        tisseco_telemetry::metrics::install().unwrap();
        let app = test::init_service(
            App::new()
                .route("/things/{id}", web::get().to(ok))
                .wrap(from_fn(middleware)),
        )
        .await;
        for path in ["/things/1", "/things/2", "/nowhere/3"] {
            test::call_service(&app, test::TestRequest::get().uri(path).to_request()).await;
        }
        let text = tisseco_telemetry::metrics::render();
        assert!(
            text.contains(
                r#"tisseco_http_requests_total{route="/things/{id}",method="GET",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"tisseco_http_requests_total{route="unmatched",method="GET",status="404"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"tisseco_http_request_duration_seconds_bucket{route="/things/{id}",method="GET",le="+Inf"} 2"#),
            "{text}"
        );
        assert_eq!(method_label("BREW"), "other");
    }
}
