//! `/api/v1/sites` end to end.

use crate::support::{TestApp, etag, problem, unique};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_site_is_created_read_listed_changed_and_archived() {
    let app = TestApp::spawn().await;
    let code = unique("lyon");
    let response = app
        .post("/api/v1/sites", &json!({"code": code, "name": "Lyon"}))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(etag(&response), "\"1\"");
    let site: Value = response.json().await.unwrap();
    let path = format!("/api/v1/sites/{}", site["id"].as_str().unwrap());

    let fetched = app.get(&path).await;
    assert_eq!(etag(&fetched), "\"1\"");
    assert_eq!(fetched.json::<Value>().await.unwrap()["code"], code);

    let listed: Value = app
        .get("/api/v1/sites?limit=500")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == site["id"])
    );

    let renamed = app
        .patch(&path, "\"1\"", &json!({"name": "Grand Lyon"}))
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(etag(&renamed), "\"2\"");
    assert_eq!(renamed.json::<Value>().await.unwrap()["name"], "Grand Lyon");

    let archived = app
        .request(reqwest::Method::POST, &format!("{path}/archive"))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), StatusCode::OK);
    assert!(archived.json::<Value>().await.unwrap()["archived_at"].is_string());
    let listed: Value = app
        .get("/api/v1/sites?limit=500")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == site["id"]),
        "archived sites leave the list"
    );
    let listed: Value = app
        .get("/api/v1/sites?limit=500&include_archived=true")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == site["id"])
    );

    let again = app
        .request(reqwest::Method::POST, &format!("{path}/archive"))
        .send()
        .await
        .unwrap();
    problem(again, 409, None).await;
    problem(
        app.patch(&path, "\"3\"", &json!({"name": "x"})).await,
        409,
        None,
    )
    .await;
}

#[tokio::test]
async fn a_duplicate_code_is_a_conflict_naming_the_field() {
    let app = TestApp::spawn().await;
    let code = unique("dup");
    app.site(&code).await;
    let response = app
        .post("/api/v1/sites", &json!({"code": code, "name": "Again"}))
        .await;
    problem(response, 409, Some("code")).await;
}

#[tokio::test]
async fn updates_need_the_current_version() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("v")).await;
    let path = format!("/api/v1/sites/{}", site["id"].as_str().unwrap());

    let missing = app
        .request(reqwest::Method::PATCH, &path)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    problem(missing, 428, Some("If-Match")).await;
    let malformed = app.patch(&path, "version-one", &json!({"name": "x"})).await;
    problem(malformed, 400, Some("If-Match")).await;

    assert_eq!(
        app.patch(&path, "\"1\"", &json!({"name": "First"}))
            .await
            .status(),
        StatusCode::OK
    );
    let stale = app.patch(&path, "\"1\"", &json!({"name": "Second"})).await;
    problem(stale, 412, None).await;
    let current: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(current["name"], "First", "the stale edit changed nothing");
}

#[tokio::test]
async fn a_site_with_live_areas_cannot_be_archived() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("busy")).await;
    app.area(&site, "centre").await;
    let path = format!("/api/v1/sites/{}/archive", site["id"].as_str().unwrap());
    let response = app
        .request(reqwest::Method::POST, &path)
        .send()
        .await
        .unwrap();
    let body = problem(response, 409, None).await;
    assert!(body["detail"].as_str().unwrap().contains("live"), "{body}");
}

#[tokio::test]
async fn invalid_site_input_is_refused_with_the_field() {
    let app = TestApp::spawn().await;
    problem(
        app.post(
            "/api/v1/sites",
            &json!({"code": "Not a slug!", "name": "x"}),
        )
        .await,
        422,
        Some("code"),
    )
    .await;
    problem(
        app.post("/api/v1/sites", &json!({"code": "ok", "name": "  "}))
            .await,
        422,
        Some("name"),
    )
    .await;
    problem(
        app.post("/api/v1/sites", &json!({"code": "ok"})).await,
        422,
        None,
    )
    .await;
    problem(app.get("/api/v1/sites?limit=0").await, 422, Some("limit")).await;
    problem(
        app.get("/api/v1/sites?limit=lots").await,
        400,
        Some("limit"),
    )
    .await;
}
