//! A tour's route as a GeoJSON LineString (depot, stops in order, depot), for managers
//! and for the tour's driver; a skip replayed with its `Idempotency-Key` counts once.

use crate::support::{TestApp, problem, unique};
use crate::tours::{containers, crew, id};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn positions(route: &Value) -> Vec<[f64; 2]> {
    route["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect()
}

fn position(container: &Value) -> [f64; 2] {
    [
        container["location"]["longitude"].as_f64().unwrap(),
        container["location"]["latitude"].as_f64().unwrap(),
    ]
}

#[tokio::test]
async fn the_route_joins_the_depot_and_the_stops_in_their_order() {
    let app = TestApp::spawn().await;
    let crew = crew(&app).await;
    let site = app.site(&unique("r")).await;
    let bins = containers(&app, &site, 3).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let depot = json!({"latitude": 45.72, "longitude": 4.83});
    let body = json!({"site_id": site["id"], "date": today, "driver_id": crew.driver_id,
        "depot": depot, "container_ids": bins.iter().map(id).collect::<Vec<_>>()});
    let tour: Value = app.post("/api/v1/tours", &body).await.json().await.unwrap();
    let path = format!("/api/v1/tours/{}", id(&tour));

    let response = app.get(&format!("{path}/route")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/geo+json"
    );
    let route: Value = response.json().await.unwrap();
    assert_eq!(route["type"], "Feature");
    assert_eq!(route["geometry"]["type"], "LineString");
    let depot_at = [4.83, 45.72];
    let expected: Vec<[f64; 2]> = std::iter::once(depot_at)
        .chain(bins.iter().map(position))
        .chain(std::iter::once(depot_at))
        .collect();
    assert_eq!(positions(&route), expected);
    assert_eq!(route["properties"]["stops"], 3);
    assert_eq!(route["properties"]["round_trip"], true);
    let length = route["properties"]["distance_m"].as_f64().unwrap();
    assert!(length > 1000.0 && length < 50_000.0, "{length}");

    // Reordered, the line follows the new order.
    let order = vec![id(&bins[2]), id(&bins[0]), id(&bins[1])];
    let reordered = app
        .request(reqwest::Method::PUT, &format!("{path}/order"))
        .header("If-Match", "\"1\"")
        .json(&json!({"order": order}))
        .send()
        .await
        .unwrap();
    assert_eq!(reordered.status(), StatusCode::OK);
    let route: Value = app
        .get(&format!("{path}/route"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(positions(&route)[1], position(&bins[2]));
    assert_eq!(route["properties"]["container_ids"], json!(order));

    // The driver reads the same line; another driver may not; an unknown tour is a 404.
    let mine = format!("/api/v1/me/tours/{}/route", id(&tour));
    let theirs: Value = crew
        .driver
        .get(app.url(&mine))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["geometry"], route["geometry"]);
    problem(
        crew.other_driver.get(app.url(&mine)).send().await.unwrap(),
        403,
        None,
    )
    .await;
    problem(
        app.get(&format!("/api/v1/tours/{}/route", uuid::Uuid::now_v7()))
            .await,
        404,
        None,
    )
    .await;
    problem(app.get("/api/v1/tours/not-an-id/route").await, 404, None).await;

    // Managers pick the driver among the active drivers' names.
    let drivers: Value = app.get("/api/v1/drivers").await.json().await.unwrap();
    assert!(
        drivers
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == crew.driver_id.as_str() && d["display_name"] == "dan"),
        "{drivers}"
    );
}

#[tokio::test]
async fn without_a_depot_the_route_runs_from_the_first_stop_to_the_last() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("r")).await;
    let bins = containers(&app, &site, 2).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let body = json!({"site_id": site["id"], "date": today,
        "container_ids": bins.iter().map(id).collect::<Vec<_>>()});
    let tour: Value = app.post("/api/v1/tours", &body).await.json().await.unwrap();
    let route: Value = app
        .get(&format!("/api/v1/tours/{}/route", id(&tour)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        positions(&route),
        bins.iter().map(position).collect::<Vec<_>>()
    );
    assert_eq!(route["properties"]["round_trip"], false);

    let empty = json!({"site_id": site["id"], "date": today});
    let tour: Value = app
        .post("/api/v1/tours", &empty)
        .await
        .json()
        .await
        .unwrap();
    let route: Value = app
        .get(&format!("/api/v1/tours/{}/route", id(&tour)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(route["geometry"], Value::Null, "no line through no stop");
}

#[tokio::test]
async fn a_skip_replayed_with_its_idempotency_key_is_recorded_once() {
    let app = TestApp::spawn().await;
    let crew = crew(&app).await;
    let site = app.site(&unique("r")).await;
    let bins = containers(&app, &site, 2).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let body = json!({"site_id": site["id"], "date": today, "driver_id": crew.driver_id,
        "container_ids": bins.iter().map(id).collect::<Vec<_>>()});
    let tour: Value = app.post("/api/v1/tours", &body).await.json().await.unwrap();
    let tour_id = id(&tour);
    app.post(&format!("/api/v1/tours/{tour_id}/plan"), &json!({}))
        .await;
    let me = |suffix: &str| app.url(&format!("/api/v1/me/tours/{tour_id}{suffix}"));
    crew.driver.post(me("/start")).send().await.unwrap();
    let skip = |key: &'static str, stop: usize, reason: &'static str| {
        crew.driver
            .post(me(&format!("/stops/{}/skip", id(&bins[stop]))))
            .header("Idempotency-Key", key)
            .json(&json!({"reason": reason, "note": "voiture garée devant"}))
            .send()
    };
    let first = skip("offline-1", 0, "blocked").await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    let replay = skip("offline-1", 0, "blocked").await.unwrap();
    assert_eq!(
        replay.status(),
        StatusCode::OK,
        "a replay is not a conflict"
    );
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(first["version"], replay["version"], "recorded once");
    assert_eq!(replay["progress"]["skipped"], 1);
    problem(
        skip("offline-1", 1, "blocked").await.unwrap(),
        422,
        Some("Idempotency-Key"),
    )
    .await;
    // Without a key a second skip of the same stop is the conflict it always was.
    let again = crew
        .driver
        .post(me(&format!("/stops/{}/skip", id(&bins[0]))))
        .json(&json!({"reason": "blocked"}))
        .send()
        .await
        .unwrap();
    problem(again, 409, None).await;
    // A refused skip forgets its key: fixed, the same key goes through.
    problem(
        skip("offline-2", 1, "lazy").await.unwrap(),
        422,
        Some("reason"),
    )
    .await;
    assert_eq!(
        skip("offline-2", 1, "unsafe").await.unwrap().status(),
        StatusCode::OK
    );
}
