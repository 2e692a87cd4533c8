//! Tours end to end: planning, a suggested order, the driver's day, over real PostgreSQL.

use crate::support::{TestApp, problem, unique};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tisseco_application::auth::ports::Principal;
use tisseco_application::ports::AuditContext;
use tisseco_domain::{Email, NewUser, Password, Role, display_name};

pub(crate) struct Crew {
    pub(crate) driver: reqwest::Client,
    pub(crate) other_driver: reqwest::Client,
    pub(crate) driver_id: String,
}

pub(crate) async fn crew(app: &TestApp) -> Crew {
    let mut clients = Vec::new();
    let mut ids = Vec::new();
    for name in ["dan", "dora"] {
        let new = NewUser {
            email: Email::parse(&format!("{name}-{}@tisseco.test", &unique("x")[2..])).unwrap(),
            display_name: display_name(name).unwrap(),
            role: Role::Driver,
        };
        let user = app
            .services
            .auth
            .create_user(
                new,
                &Password::new("a driver's password").unwrap(),
                &AuditContext::default(),
            )
            .await
            .unwrap();
        let principal = Principal {
            user_id: user.id,
            role: Role::Driver,
            session_id: uuid::Uuid::now_v7(),
        };
        clients.push(app.client_for(&app.services.auth.issue_access_token(principal).unwrap()));
        ids.push(user.id.to_string());
    }
    let other_driver = clients.pop().unwrap();
    Crew {
        driver: clients.pop().unwrap(),
        other_driver,
        driver_id: ids[0].clone(),
    }
}

pub(crate) async fn containers(app: &TestApp, site: &Value, count: usize) -> Vec<Value> {
    let mut made = Vec::new();
    for i in 0..count {
        let location = json!({"latitude": 45.70 + 0.011 * (i % 4) as f64, "longitude": 4.80 + 0.017 * (i / 4) as f64});
        made.push(app.container(site, json!({"location": location})).await);
    }
    made
}

pub(crate) fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_tour_is_planned_optimised_and_run_stop_by_stop() {
    let app = TestApp::spawn().await;
    let crew = crew(&app).await;
    let site = app.site(&unique("t")).await;
    let bins = containers(&app, &site, 8).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let body = json!({"site_id": site["id"], "date": today, "driver_id": crew.driver_id, "vehicle": "VAN-7",
        "depot": {"latitude": 45.72, "longitude": 4.83}, "container_ids": bins.iter().map(id).collect::<Vec<_>>()});
    let created = app.post("/api/v1/tours", &body).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let tour: Value = created.json().await.unwrap();
    let path = format!("/api/v1/tours/{}", id(&tour));
    assert_eq!(
        (
            tour["state"].as_str(),
            tour["stops"].as_array().unwrap().len()
        ),
        (Some("draft"), 8)
    );
    assert_eq!(tour["stops"][0]["public_code"], bins[0]["public_code"]);

    let suggestion: Value = app
        .post(&format!("{path}/optimize"), &json!({"round_trip": true}))
        .await
        .json()
        .await
        .unwrap();
    let mut order: Vec<String> = suggestion["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert!(
        suggestion["distance_after_m"].as_f64().unwrap()
            <= suggestion["distance_before_m"].as_f64().unwrap()
    );
    let accepted = app
        .request(reqwest::Method::PUT, &format!("{path}/order"))
        .header("If-Match", "\"1\"")
        .json(&json!({"order": order}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);
    order.sort();
    let mut all: Vec<String> = bins.iter().map(id).collect();
    all.sort();
    assert_eq!(order, all, "no stop lost or duplicated");
    assert_eq!(
        app.post(&format!("{path}/plan"), &json!({})).await.status(),
        StatusCode::OK
    );

    // The other driver sees nothing of it.
    let tour_id = id(&tour);
    problem(
        crew.other_driver
            .get(app.url(&format!("/api/v1/me/tours/{tour_id}")))
            .send()
            .await
            .unwrap(),
        403,
        None,
    )
    .await;
    let mine: Value = crew
        .driver
        .get(app.url("/api/v1/me/tours"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let mine: Value = crew
        .driver
        .get(app.url(&format!("/api/v1/me/tours/{tour_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let stops: Vec<String> = mine["stops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["container_id"].as_str().unwrap().to_owned())
        .collect();

    let me = |suffix: &str| app.url(&format!("/api/v1/me/tours/{tour_id}{suffix}"));
    assert_eq!(
        crew.driver
            .post(me("/start"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let reorder = app
        .request(reqwest::Method::PUT, &format!("{path}/order"))
        .header("If-Match", "\"4\"")
        .json(&json!({"order": stops}))
        .send()
        .await
        .unwrap();
    problem(reorder, 409, None).await;

    let full = json!({"fill_level": 95, "weight_kg": 80.5, "emptied": false});
    let visit = |key: &'static str| {
        crew.driver
            .post(me(&format!("/stops/{}/visit", stops[0])))
            .header("Idempotency-Key", key)
            .json(&full)
            .send()
    };
    let first: Value = visit("phone-42").await.unwrap().json().await.unwrap();
    let retried: Value = visit("phone-42").await.unwrap().json().await.unwrap();
    assert_eq!(
        first["version"], retried["version"],
        "the retried visit is recorded once"
    );
    assert_eq!(retried["progress"]["visited"], 1);
    let container: Value = app
        .get(&format!("/api/v1/containers/{}", stops[0]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(container["status"], "full", "found full and not emptied");
    // the same key on another stop's visit: 422, and that stop is not marked visited
    let reused = crew
        .driver
        .post(me(&format!("/stops/{}/visit", stops[1])))
        .header("Idempotency-Key", "phone-42")
        .json(&full)
        .send()
        .await
        .unwrap();
    problem(reused, 422, Some("Idempotency-Key")).await;

    problem(
        crew.other_driver
            .post(me(&format!("/stops/{}/visit", stops[1])))
            .json(&full)
            .send()
            .await
            .unwrap(),
        403,
        None,
    )
    .await;
    let bad = crew
        .driver
        .post(me(&format!("/stops/{}/visit", stops[1])))
        .json(&json!({"fill_level": 101, "emptied": true}))
        .send()
        .await
        .unwrap();
    problem(bad, 422, Some("fill_level")).await;
    let bad = crew
        .driver
        .post(me(&format!("/stops/{}/skip", stops[1])))
        .json(&json!({"reason": "lazy"}))
        .send()
        .await
        .unwrap();
    problem(bad, 422, Some("reason")).await;

    let code = mine["stops"][3]["public_code"]
        .as_str()
        .unwrap()
        .to_lowercase();
    let scanned: Value = crew
        .driver
        .get(me(&format!("/scan/{code}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(scanned["position"], 4);
    problem(
        crew.driver.post(me("/complete")).send().await.unwrap(),
        409,
        None,
    )
    .await;
    for stop in &stops[1..] {
        let emptied = json!({"fill_level": 60, "weight_kg": 40, "emptied": true});
        assert_eq!(
            crew.driver
                .post(me(&format!("/stops/{stop}/visit")))
                .json(&emptied)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
    }
    let done: Value = crew
        .driver
        .post(me("/complete"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(done["state"], "completed");
    let tracked: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(tracked["progress"]["visited"], 8);
    assert!(
        (tracked["progress"]["weight_kg"].as_f64().unwrap() - (80.5 + 7.0 * 40.0)).abs() < 1e-9
    );
    assert!(tracked["last_activity"].is_string());

    let visits: Value = app
        .get(&format!("/api/v1/containers/{}/visits", stops[0]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(visits.as_array().unwrap().len(), 1);
    assert_eq!(visits[0]["outcome"]["fill_level"], 95);
    assert_eq!(visits[0]["tour_id"].as_str(), Some(tour_id.as_str()));

    // The next tour picks the containers last found at least 80 % full.
    let body = json!({"site_id": site["id"], "date": today, "min_fill_level": 80});
    let next: Value = app.post("/api/v1/tours", &body).await.json().await.unwrap();
    let picked: Vec<&str> = next["stops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["container_id"].as_str().unwrap())
        .collect();
    assert_eq!(picked, vec![stops[0].as_str()]);
    let body = json!({"site_id": site["id"], "date": today, "reported_full": true});
    let next: Value = app.post("/api/v1/tours", &body).await.json().await.unwrap();
    let picked: Vec<&str> = next["stops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["container_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        picked,
        vec![stops[0].as_str()],
        "the container marked full by the visit"
    );
}

#[tokio::test]
async fn planning_refuses_bad_stops_and_bad_states() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("t")).await;
    let other_site = app.site(&unique("t")).await;
    let bins = containers(&app, &site, 2).await;
    let foreign = containers(&app, &other_site, 1).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let with =
        |ids: Vec<String>| json!({"site_id": site["id"], "date": today, "container_ids": ids});
    problem(
        app.post(
            "/api/v1/tours",
            &with(vec![uuid::Uuid::new_v4().to_string()]),
        )
        .await,
        422,
        Some("container_ids"),
    )
    .await;
    problem(
        app.post("/api/v1/tours", &with(vec![id(&foreign[0])]))
            .await,
        422,
        Some("container_ids"),
    )
    .await;
    problem(
        app.post("/api/v1/tours", &with(vec![id(&bins[0]), id(&bins[0])]))
            .await,
        422,
        Some("container_ids"),
    )
    .await;
    problem(
        app.post(
            "/api/v1/tours",
            &json!({"site_id": site["id"], "date": "tomorrow"}),
        )
        .await,
        422,
        Some("date"),
    )
    .await;

    let tour: Value = app
        .post("/api/v1/tours", &with(vec![id(&bins[0])]))
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/tours/{}", id(&tour));
    let body = problem(
        app.post(&format!("{path}/plan"), &json!({})).await,
        409,
        None,
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("driver"),
        "{body}"
    );
    assert_eq!(
        app.post(&format!("{path}/cancel"), &json!({}))
            .await
            .status(),
        StatusCode::OK
    );
    problem(
        app.post(&format!("{path}/plan"), &json!({})).await,
        409,
        None,
    )
    .await;
    problem(
        app.get("/api/v1/tours?state=done").await,
        400,
        Some("state"),
    )
    .await;
}
