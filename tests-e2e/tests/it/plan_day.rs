//! Planning a day end to end over real PostgreSQL: capacities kept, every container
//! planned once or left out with its reason, bad input named, accepted drafts saved.

use crate::support::{TestApp, problem, unique};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;

/// `count` containers of 1,000 litres spread over a few kilometres of Lyon.
async fn bins(app: &TestApp, site: &Value, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..count {
        let location = json!({"latitude": 45.70 + 0.009 * (i % 5) as f64, "longitude": 4.80 + 0.013 * (i / 5) as f64});
        let made = app
            .container(site, json!({"location": location, "capacity_litres": 1000}))
            .await;
        ids.push(made["id"].as_str().unwrap().to_owned());
    }
    ids
}

fn body(site: &Value, ids: &[String], capacity: f64) -> Value {
    json!({
        "site_id": site["id"], "date": "2026-12-04",
        "depot": {"latitude": 45.72, "longitude": 4.83},
        "vehicles": [
            {"vehicle": "TRUCK-1", "capacity_litres": capacity, "shift_minutes": 480},
            {"vehicle": "TRUCK-2", "capacity_litres": capacity, "shift_minutes": 480},
        ],
        "container_ids": ids, "budget_ms": 200,
    })
}

/// Container id → how many times it is planned or left out.
fn tally(plan: &Value) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for tour in plan["tours"].as_array().unwrap() {
        for stop in tour["stops"].as_array().unwrap() {
            *seen
                .entry(stop["container_id"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }
    for left in plan["left_out"].as_array().unwrap() {
        *seen
            .entry(left["container_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    seen
}

#[tokio::test]
async fn a_day_plan_keeps_capacities_and_lists_what_is_left_out() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("pd")).await;
    let ids = bins(&app, &site, 14).await;
    // Two trucks of 6,000 litres for fourteen containers of 1,000: two stay behind.
    let response = app
        .post("/api/v1/tours/plan-day", &body(&site, &ids, 6_000.0))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let plan: Value = response.json().await.unwrap();
    let seen = tally(&plan);
    assert_eq!(seen.len(), ids.len(), "{plan}");
    assert!(seen.values().all(|&n| n == 1), "{plan}");
    for tour in plan["tours"].as_array().unwrap() {
        let load = tour["load_litres"].as_f64().unwrap();
        assert!(load <= 6_000.0, "{tour}");
        assert_eq!(
            load,
            1_000.0 * tour["stops"].as_array().unwrap().len() as f64
        );
        assert!(
            tour["distance_m"].as_f64().unwrap() > 0.0
                && tour["duration_minutes"].as_f64().unwrap() > 0.0
        );
        assert!(
            tour["tour_id"].is_null(),
            "nothing is saved before acceptance"
        );
    }
    let left = plan["left_out"].as_array().unwrap();
    assert_eq!(left.len(), 2, "{plan}");
    assert!(left.iter().all(|l| l["reason"] == "capacity"), "{plan}");
    let listed = app
        .get(&format!(
            "/api/v1/tours?site_id={}",
            site["id"].as_str().unwrap()
        ))
        .await;
    let listed: Value = listed.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn bad_plan_day_input_is_a_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("pd")).await;
    let ids = bins(&app, &site, 3).await;
    let cases = [
        (json!({"vehicles": []}), "vehicles"),
        (
            json!({"vehicles": [{"capacity_litres": 0, "shift_minutes": 480}]}),
            "vehicles[0].capacity_litres",
        ),
        (
            json!({"vehicles": [{"capacity_litres": 500, "shift_minutes": 480}]}),
            "vehicles",
        ),
        (
            json!({"vehicles": [{"capacity_litres": 5000, "shift_minutes": 1}]}),
            "vehicles[0].shift_minutes",
        ),
        (json!({"depot": null}), "depot"),
        (
            json!({"depot": {"latitude": 95.0, "longitude": 4.8}}),
            "depot.location.latitude",
        ),
        (
            json!({"container_ids": [uuid::Uuid::now_v7()]}),
            "container_ids",
        ),
        (json!({"site_id": uuid::Uuid::now_v7()}), "site_id"),
        (json!({"balance": -1.0}), "balance"),
        (json!({"speed_kmh": 0.0}), "speed_kmh"),
    ];
    for (change, field) in cases {
        let mut request = body(&site, &ids, 5_000.0);
        crate::support::merge(&mut request, change);
        problem(
            app.post("/api/v1/tours/plan-day", &request).await,
            422,
            Some(field),
        )
        .await;
    }
}

#[tokio::test]
async fn accepted_drafts_become_tours_in_the_planned_order() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("pd")).await;
    let ids = bins(&app, &site, 10).await;
    let mut request = body(&site, &ids, 6_000.0);
    request["accept"] = json!(true);
    let response = app.post("/api/v1/tours/plan-day", &request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let plan: Value = response.json().await.unwrap();
    assert_eq!(plan["accepted"], true);
    assert!(plan["left_out"].as_array().unwrap().is_empty(), "{plan}");
    let drafts = plan["tours"].as_array().unwrap();
    assert_eq!(drafts.len(), 2, "ten containers need both trucks: {plan}");
    for draft in drafts {
        let tour_id = draft["tour_id"].as_str().expect("a saved tour");
        let tour: Value = app
            .get(&format!("/api/v1/tours/{tour_id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(tour["state"], "draft");
        assert_eq!(tour["vehicle"], draft["vehicle"]);
        assert_eq!(tour["date"], "2026-12-04");
        let order = |stops: &Value| -> Vec<Value> {
            stops
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["container_id"].clone())
                .collect()
        };
        assert_eq!(order(&tour["stops"]), order(&draft["stops"]));
    }
}

#[tokio::test]
async fn a_container_closed_before_any_truck_can_reach_it_is_left_out_for_time() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("pd")).await;
    let ids = bins(&app, &site, 4).await;
    let mut request = body(&site, &ids, 10_000.0);
    // Open from 07:00 to 07:01 only: a minute of driving at 25 km/h is about 400 m.
    request["opening_hours"] =
        json!([{"container_id": ids[0], "opens": "07:00", "closes": "07:01"}]);
    let plan: Value = app
        .post("/api/v1/tours/plan-day", &request)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        plan["left_out"],
        json!([{"container_id": ids[0], "public_code": plan["left_out"][0]["public_code"], "reason": "time"}]),
        "{plan}"
    );
    assert!(tally(&plan).values().all(|&n| n == 1));

    request["opening_hours"] =
        json!([{"container_id": ids[1], "opens": "10:00", "closes": "09:00"}]);
    problem(
        app.post("/api/v1/tours/plan-day", &request).await,
        422,
        Some("opening_hours[0].closes"),
    )
    .await;
}
