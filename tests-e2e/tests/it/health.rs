//! Probes, request ids and the documentation.

use crate::support::{TestApp, test_settings};
use reqwest::StatusCode;
use serde_json::Value;
use tisseco_bootstrap::{PoolMode, build_services};

#[tokio::test]
async fn live_and_ready_answer_when_the_database_does() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
    assert_eq!(
        app.get("/health/ready")
            .await
            .json::<Value>()
            .await
            .unwrap()["status"],
        "ok"
    );
}

#[tokio::test]
async fn ready_reports_each_dependency_and_redis_down_is_degraded_but_ready() {
    let app = TestApp::spawn().await;
    let body: Value = app.get("/health/ready").await.json().await.unwrap();
    assert_eq!(body["checks"]["postgres"], "ok");
    assert_eq!(body["checks"]["redis"], "ok");

    let database = crate::support::migrated_database().await;
    let settings = test_settings(&database, &[("REDIS_URL", "redis://127.0.0.1:1")]);
    let services = build_services(&settings, PoolMode::Normal).unwrap();
    let app = TestApp::serve(services, settings.http);
    let response = app.get("/health/ready").await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "Redis down: degraded, still ready"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["postgres"], "ok");
    assert_eq!(body["checks"]["redis"], "down");
}

#[tokio::test]
async fn ready_is_503_when_the_database_is_unreachable() {
    let settings = test_settings("postgres://postgres@127.0.0.1:1/none", &[]);
    let services = build_services(&settings, PoolMode::Normal).unwrap();
    let app = TestApp::serve(services, settings.http);
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let listed = app.get("/api/v1/sites").await;
    assert_eq!(
        listed.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "a database outage is a 503, not a 500"
    );
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let given = app
        .request(reqwest::Method::GET, "/health/live")
        .header("X-Request-Id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "abc-123");
    let generated = app.get("/health/live").await;
    let id = generated.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    let hostile = "x".repeat(200);
    let replaced = app
        .request(reqwest::Method::GET, "/health/live")
        .header("X-Request-Id", &hostile)
        .send()
        .await
        .unwrap();
    assert_ne!(replaced.headers()["x-request-id"], hostile.as_str());
}

#[tokio::test]
async fn the_openapi_document_and_its_docs_page_are_served_locally() {
    let app = TestApp::spawn().await;
    let spec: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/containers",
        "/api/v1/containers/{id}",
        "/api/v1/containers/{id}/history",
        "/api/v1/areas",
        "/api/v1/sites",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} is documented");
    }
    let docs = app.get("/docs/").await;
    assert_eq!(docs.status(), StatusCode::OK);
    let html = docs.text().await.unwrap();
    assert!(
        html.contains("swagger-ui") && !html.contains("cdn"),
        "served from the binary, no CDN"
    );
}
