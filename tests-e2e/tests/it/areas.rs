//! `/api/v1/areas` end to end, boundaries included.

use crate::support::{TestApp, etag, problem, square, unique};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn an_area_keeps_its_boundary_as_geojson() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("geo")).await;
    let area = app.area(&site, "centre").await;
    assert_eq!(area["boundary"]["type"], "MultiPolygon");
    assert_eq!(area["boundary"]["coordinates"][0], square()["coordinates"]);

    let path = format!("/api/v1/areas/{}", area["id"].as_str().unwrap());
    let fetched = app.get(&path).await;
    let tag = etag(&fetched);
    let fetched: Value = fetched.json().await.unwrap();
    assert_eq!(fetched["boundary"], area["boundary"]);

    let cleared = app.patch(&path, &tag, &json!({"boundary": null})).await;
    assert_eq!(cleared.status(), StatusCode::OK);
    assert_eq!(
        cleared.json::<Value>().await.unwrap()["boundary"],
        Value::Null
    );

    let listed: Value = app
        .get(&format!(
            "/api/v1/areas?site_id={}",
            site["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_multipolygon_with_a_hole_is_accepted() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("holes")).await;
    let boundary = json!({"type": "MultiPolygon", "coordinates": [
        [[[4.80, 45.70], [4.90, 45.70], [4.90, 45.80], [4.80, 45.80], [4.80, 45.70]],
         [[4.82, 45.72], [4.84, 45.72], [4.84, 45.74], [4.82, 45.72]]],
        [[[5.0, 45.0], [5.1, 45.0], [5.1, 45.1], [5.0, 45.0]]]
    ]});
    let body = json!({"site_id": site["id"], "code": "twin", "name": "Twin", "boundary": boundary});
    let response = app.post("/api/v1/areas", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.json::<Value>().await.unwrap()["boundary"],
        boundary
    );
}

#[tokio::test]
async fn bad_boundaries_are_refused_naming_the_ring() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("bad")).await;
    let with = |boundary: Value| json!({"site_id": site["id"], "code": "z", "name": "Z", "boundary": boundary});

    let open = json!({"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.9, 45.8], [4.8, 45.8]]]});
    problem(
        app.post("/api/v1/areas", &with(open)).await,
        422,
        Some("boundary.coordinates[0]"),
    )
    .await;
    let bow_tie = json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]});
    problem(
        app.post("/api/v1/areas", &with(bow_tie)).await,
        422,
        Some("boundary.coordinates[0]"),
    )
    .await;
    // A hole outside its shell: the domain names that ring (PostGIS's check named itself).
    let stray_hole = json!({"type": "Polygon", "coordinates": [
        [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]],
        [[5.0, 5.0], [6.0, 5.0], [6.0, 6.0], [5.0, 5.0]]]});
    let body = problem(
        app.post("/api/v1/areas", &with(stray_hole)).await,
        422,
        Some("boundary.coordinates[1]"),
    )
    .await;
    assert!(
        body.to_string().contains("outside the outer ring"),
        "{body}"
    );
    let point = json!({"type": "Point", "coordinates": [4.8, 45.7]});
    problem(
        app.post("/api/v1/areas", &with(point)).await,
        422,
        Some("boundary.type"),
    )
    .await;
    let listed: Value = app
        .get(&format!(
            "/api/v1/areas?site_id={}",
            site["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"], json!([]), "nothing was half-written");
}

#[tokio::test]
async fn an_area_needs_an_existing_site_and_a_free_code() {
    let app = TestApp::spawn().await;
    let ghost = json!({"site_id": uuid::Uuid::new_v4(), "code": "x", "name": "X"});
    problem(
        app.post("/api/v1/areas", &ghost).await,
        422,
        Some("site_id"),
    )
    .await;

    let site = app.site(&unique("codes")).await;
    app.area(&site, "north").await;
    let twin = json!({"site_id": site["id"], "code": "north", "name": "North again"});
    problem(app.post("/api/v1/areas", &twin).await, 409, Some("code")).await;
    let other_site = app.site(&unique("codes")).await;
    app.area(&other_site, "north").await; // codes are unique per site only
}
