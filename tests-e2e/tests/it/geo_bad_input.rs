//! Bad search input: each one a 400 or 422 problem+json naming the parameter, never a 500.

use crate::support::{TestApp, problem};
use serde_json::json;

const RADIUS: &str = "/api/v1/containers/search/radius";
const POLYGON: &str = "/api/v1/containers/search/polygon";

#[tokio::test(flavor = "multi_thread")]
async fn radius_at_or_below_zero_or_above_the_maximum() {
    let app = TestApp::spawn().await;
    for radius in ["0", "-5", "50001", "1e309", "NaN"] {
        let response = app
            .get(&format!("{RADIUS}?lat=45.75&lon=4.85&radius_m={radius}"))
            .await;
        let status = response.status().as_u16();
        assert!(status == 400 || status == 422, "{radius}: {status}");
        problem(response, status, Some("radius_m")).await;
    }
    problem(
        app.get(&format!("{RADIUS}?lat=45.75&lon=4.85&radius_m=abc"))
            .await,
        400,
        Some("radius_m"),
    )
    .await;
    problem(
        app.get(&format!("{RADIUS}?lat=45.75&lon=4.85")).await,
        400,
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn limit_above_the_maximum_or_zero() {
    let app = TestApp::spawn().await;
    problem(
        app.get(&format!(
            "{RADIUS}?lat=45.75&lon=4.85&radius_m=100&limit=501"
        ))
        .await,
        422,
        Some("limit"),
    )
    .await;
    problem(
        app.get("/api/v1/containers/search/nearest?lat=45.75&lon=4.85&limit=0")
            .await,
        422,
        Some("limit"),
    )
    .await;
    problem(
        app.get("/api/v1/containers/search/bbox?bbox=4.8,45.7,4.9,45.8&limit=-1")
            .await,
        400,
        Some("limit"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn coordinates_out_of_range_name_lat_or_lon() {
    let app = TestApp::spawn().await;
    problem(
        app.get(&format!("{RADIUS}?lat=91&lon=4.85&radius_m=100"))
            .await,
        400,
        Some("lat"),
    )
    .await;
    problem(
        app.get("/api/v1/containers/search/nearest?lat=45&lon=-181")
            .await,
        400,
        Some("lon"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bbox_with_min_above_max_or_malformed() {
    let app = TestApp::spawn().await;
    for bbox in [
        "4.9,45.7,4.8,45.8",
        "4.8,45.8,4.9,45.7",
        "4.8,45.7,4.9",
        "a,b,c,d",
        "4.8,45.7,4.9,95",
    ] {
        problem(
            app.get(&format!("/api/v1/containers/search/bbox?bbox={bbox}"))
                .await,
            400,
            Some("bbox"),
        )
        .await;
        if bbox == "4.9,45.7,4.8,45.8" {
            continue; // OGC reads a min longitude above the max as crossing the antimeridian
        }
        problem(
            app.get(&format!(
                "/api/v1/ogc/collections/containers/items?bbox={bbox}"
            ))
            .await,
            400,
            Some("bbox"),
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_type_or_status_filter() {
    let app = TestApp::spawn().await;
    problem(
        app.get(&format!(
            "{RADIUS}?lat=45&lon=4&radius_m=100&type=street_bin,spaceship"
        ))
        .await,
        400,
        Some("type"),
    )
    .await;
    problem(
        app.get("/api/v1/containers/search/bbox?bbox=4.8,45.7,4.9,45.8&status=lost")
            .await,
        400,
        Some("status"),
    )
    .await;
    problem(
        app.get(&format!("{RADIUS}?lat=45&lon=4&radius_m=100&colour=red"))
            .await,
        400,
        None,
    )
    .await;
    problem(
        app.get(&format!("{RADIUS}?lat=45&lon=4&radius_m=100&after=garbage"))
            .await,
        400,
        Some("after"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_geojson() {
    let app = TestApp::spawn().await;
    let point = json!({"type": "Point", "coordinates": [4.8, 45.7]});
    let status = app.post(POLYGON, &point).await.status().as_u16();
    assert_eq!(status, 422);
    problem(
        app.post(POLYGON, &json!({"type": "Polygon", "coordinates": "nope"}))
            .await,
        422,
        Some("body"),
    )
    .await;
    let open = json!({"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.9, 45.8]]]});
    problem(
        app.post(POLYGON, &open).await,
        422,
        Some("geometry.coordinates[0]"),
    )
    .await;
    let outside = json!({"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 95.0], [4.9, 45.8], [4.8, 45.7]]]});
    problem(
        app.post(POLYGON, &outside).await,
        422,
        Some("geometry.coordinates[0][1].latitude"),
    )
    .await;
    let malformed = app
        .request(reqwest::Method::POST, POLYGON)
        .header("content-type", "application/json")
        .body("{\"type\": \"Polygon\", ")
        .send()
        .await
        .unwrap();
    problem(malformed, 400, Some("body")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn self_intersecting_polygon() {
    let app = TestApp::spawn().await;
    let bow_tie = json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]});
    let body = problem(
        app.post(POLYGON, &bow_tie).await,
        422,
        Some("geometry.coordinates[0]"),
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("crosses itself"));
}

#[tokio::test(flavor = "multi_thread")]
async fn polygon_with_a_hundred_thousand_vertices() {
    let app = TestApp::spawn().await;
    let n = 100_000;
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * f64::from(i) / f64::from(n);
            [4.85 + 0.1 * a.cos(), 45.75 + 0.1 * a.sin()]
        })
        .collect();
    ring.push(ring[0]);
    let started = std::time::Instant::now();
    let response = app
        .post(POLYGON, &json!({"type": "Polygon", "coordinates": [ring]}))
        .await;
    let body = problem(response, 422, Some("geometry")).await;
    assert!(body["detail"].as_str().unwrap().contains("at most 5000"));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_area_or_area_without_boundary() {
    let app = TestApp::spawn().await;
    let unknown = uuid::Uuid::now_v7();
    problem(
        app.get(&format!("/api/v1/containers/search/area/{unknown}"))
            .await,
        404,
        None,
    )
    .await;
    let site = app.site(&crate::support::unique("geo")).await;
    let body = json!({"site_id": site["id"], "code": "bare", "name": "No boundary"});
    let area = crate::support::created(app.post("/api/v1/areas", &body).await).await;
    let id = area["id"].as_str().unwrap();
    problem(
        app.get(&format!("/api/v1/containers/search/area/{id}"))
            .await,
        422,
        Some("area_id"),
    )
    .await;
}
