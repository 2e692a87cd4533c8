//! The HTTP edges found by probing from outside: NUL bytes, methods a route does not
//! have, HEAD, and the Content-Security-Policy of HTML pages.

use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn assert_refused_cleanly(response: reqwest::Response, what: &str) {
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await.unwrap_or_default();
    assert!(
        status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{what}: {status} {body}"
    );
    if kind.contains("json") {
        assert!(
            body.contains("NUL") || body.contains("control"),
            "{what}: {body}"
        );
    }
}

#[tokio::test]
async fn nul_bytes_are_refused_with_a_4xx_never_a_500() {
    let app = TestApp::spawn_with(&[("OPEN311_API_KEYS", "civic-key")]).await;
    let anonymous = &app.anonymous;
    let cases = [
        ("page", anonymous.get(app.url("/c/%00")).send().await),
        ("search", app.client.get(app.url("/api/v1/containers?q=%00")).send().await),
        (
            "login",
            anonymous
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({"email": "a\u{0}@b.fr", "password": "x\u{0}y"}))
                .send()
                .await,
        ),
        (
            "password reset",
            anonymous
                .post(app.url("/api/v1/auth/password-reset"))
                .json(&json!({"email": "a\u{0}@b.fr"}))
                .send()
                .await,
        ),
        (
            "open311",
            anonymous
                .post(app.url("/open311/v2/requests.json"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("api_key=civic-key&service_code=full&attribute%5Bcontainer_code%5D=%00&description=x%00")
                .send()
                .await,
        ),
        (
            "users",
            app.client
                .post(app.url("/api/v1/users"))
                .json(&json!({"email": "new\u{0}@b.fr", "role": "driver", "password": "long enough password"}))
                .send()
                .await,
        ),
    ];
    for (what, response) in cases {
        assert_refused_cleanly(response.unwrap(), what).await;
    }
}

#[tokio::test]
async fn a_method_a_route_lacks_is_405_with_allow_and_head_works_like_get() {
    let app = TestApp::spawn().await;
    for method in [Method::PUT, Method::TRACE, Method::DELETE] {
        let response = app
            .client
            .request(method.clone(), app.url("/api/v1/sites"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}"
        );
        assert_eq!(response.headers()["allow"], "GET, HEAD, POST", "{method}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 405);
    }
    let head = app
        .client
        .head(app.url("/api/v1/sites"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    let head = app
        .anonymous
        .head(app.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert!(head.text().await.unwrap().is_empty());
}

#[tokio::test]
async fn html_pages_carry_a_strict_content_security_policy() {
    let app = TestApp::spawn().await;
    let page = app.anonymous.get(app.url("/c/")).send().await.unwrap();
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(!policy.contains("script-src"), "no script at all: {policy}");
    let missing = app
        .anonymous
        .get(app.url("/c/NOPE-NOPE"))
        .send()
        .await
        .unwrap();
    assert!(missing.headers().contains_key("content-security-policy"));
    let docs = app.anonymous.get(app.url("/docs/")).send().await.unwrap();
    let policy = docs.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    let json = app
        .client
        .get(app.url("/api/v1/sites"))
        .send()
        .await
        .unwrap();
    assert!(!json.headers().contains_key("content-security-policy"));
}

#[tokio::test]
async fn errors_speak_in_words_and_never_leak_internals() {
    let app = TestApp::spawn_with(&[("OPEN311_API_KEYS", "civic-key")]).await;
    let response = app.get("/api/v1/containers/not-a-uuid").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body = response.text().await.unwrap();
    assert!(
        !body.contains("deserialize") && !body.contains("UUID parsing"),
        "{body}"
    );

    let response = app
        .anonymous
        .get(app.url("/open311/v2/requests.json?page=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let errors: Value = response.json().await.unwrap();
    assert_eq!(
        errors[0]["code"], 400,
        "Open311 keeps its own format: {errors}"
    );

    let huge = format!("category=full&description={}", "x".repeat(2 * 1024 * 1024));
    let response = app
        .anonymous
        .post(app.url("/c/ABCD2345"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );

    let site = app.site(&crate::support::unique("holes")).await;
    let outside = |x: f64| {
        vec![
            [x, 45.0],
            [x + 0.01, 45.0],
            [x + 0.01, 45.01],
            [x, 45.01],
            [x, 45.0],
        ]
    };
    let body = json!({
        "site_id": site["id"], "code": "holey", "name": "Holey",
        "boundary": {"type": "MultiPolygon", "coordinates": [[outside(4.0), outside(5.0)]]}
    });
    let response = app.post("/api/v1/areas", &body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = response.text().await.unwrap();
    assert!(text.contains("outside the outer ring"), "{text}");
    assert!(!text.contains("areas_boundary_valid"), "{text}");
}

#[tokio::test]
async fn the_openapi_document_lists_every_answer_a_route_can_give() {
    let app = TestApp::spawn().await;
    let document: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let sites = &document["paths"]["/api/v1/sites"]["get"];
    for code in ["200", "400", "401", "403", "422", "429", "503"] {
        assert!(
            sites["responses"][code].is_object(),
            "GET /sites lacks {code}"
        );
    }
    let patch = &document["paths"]["/api/v1/sites/{id}"]["patch"]["responses"];
    for code in ["404", "409", "412", "413", "415", "428"] {
        assert!(patch[code].is_object(), "PATCH /sites/{{id}} lacks {code}");
    }
    let limit = sites["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], 500);
    let public = app
        .anonymous
        .get(app.url("/api/v1/public/containers/nearby?lat=45.75&lon=4.83"))
        .send()
        .await
        .unwrap();
    let body: Value = public.json().await.unwrap();
    assert_eq!(body["links"][0]["rel"], "self", "{body}");
}
