//! `/api/v1/containers` end to end, with every bad input of the issue.

use crate::support::{JSON_LIMIT, TestApp, etag, problem, unique};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

#[tokio::test]
async fn a_container_is_created_with_a_generated_code_and_read_back() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("c")).await;
    let area = app.area(&site, "centre").await;
    let container = app
        .container(&site, json!({"area_id": area["id"], "external_ref": "LY-1", "capacity_litres": 2500, "installed_on": "2024-05-02"}))
        .await;
    let code = container["public_code"].as_str().unwrap();
    assert_eq!(code.len(), 7);
    assert!(
        code.chars()
            .all(|c| c.is_ascii_alphanumeric() && !"01ILOUV".contains(c)),
        "{code}"
    );
    assert_eq!(
        (container["status"].as_str(), container["version"].as_i64()),
        (Some("active"), Some(1))
    );

    let fetched = app
        .get(&format!("/api/v1/containers/{}", id(&container)))
        .await;
    assert_eq!(etag(&fetched), "\"1\"");
    assert_eq!(fetched.json::<Value>().await.unwrap(), container);
}

#[tokio::test]
async fn out_of_range_coordinates_name_the_field() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("c")).await;
    for (location, field) in [
        (
            json!({"latitude": 91, "longitude": 4.8}),
            "location.latitude",
        ),
        (
            json!({"latitude": 45.7, "longitude": 181}),
            "location.longitude",
        ),
    ] {
        let body = json!({"site_id": site["id"], "type": "street_bin", "location": location});
        problem(
            app.post("/api/v1/containers", &body).await,
            422,
            Some(field),
        )
        .await;
    }
}

#[tokio::test]
async fn malformed_and_unknown_input_is_refused() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("c")).await;
    let send_raw = |body: &'static str| {
        app.request(Method::POST, "/api/v1/containers")
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    problem(send_raw("{\"site_id\": ").await.unwrap(), 400, Some("body")).await;
    problem(send_raw("not json").await.unwrap(), 400, Some("body")).await;

    let unknown_field = json!({"site_id": site["id"], "type": "street_bin", "location": {"latitude": 1, "longitude": 1}, "colour": "red"});
    let body = problem(
        app.post("/api/v1/containers", &unknown_field).await,
        422,
        None,
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("colour"),
        "{body}"
    );
    let wrong_type = json!({"site_id": site["id"], "type": "street_bin", "location": {"latitude": "north", "longitude": 1}});
    problem(
        app.post("/api/v1/containers", &wrong_type).await,
        422,
        Some("location.latitude"),
    )
    .await;
    let unknown_kind = json!({"site_id": site["id"], "type": "bucket", "location": {"latitude": 1, "longitude": 1}});
    problem(
        app.post("/api/v1/containers", &unknown_kind).await,
        422,
        Some("type"),
    )
    .await;
    let bad_code = json!({"site_id": site["id"], "type": "street_bin", "public_code": "O0O0", "location": {"latitude": 1, "longitude": 1}});
    problem(
        app.post("/api/v1/containers", &bad_code).await,
        422,
        Some("public_code"),
    )
    .await;

    let as_text = app
        .request(Method::POST, "/api/v1/containers")
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    problem(as_text, 415, None).await;
    let oversize = format!("{{\"notes\": \"{}\"}}", "x".repeat(JSON_LIMIT + 1));
    let too_big = app
        .request(Method::POST, "/api/v1/containers")
        .header("content-type", "application/json")
        .body(oversize)
        .send()
        .await
        .unwrap();
    problem(too_big, 413, None).await;

    let listed: Value = app
        .get(&format!("/api/v1/containers?site_id={}", id(&site)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["items"],
        json!([]),
        "no bad input left anything behind"
    );
}

#[tokio::test]
async fn unknown_references_are_unprocessable() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("c")).await;
    let ghost_site = json!({"site_id": uuid::Uuid::new_v4(), "type": "street_bin", "location": {"latitude": 1, "longitude": 1}});
    problem(
        app.post("/api/v1/containers", &ghost_site).await,
        422,
        Some("site_id"),
    )
    .await;
    let ghost_area = json!({"site_id": site["id"], "area_id": uuid::Uuid::new_v4(), "type": "street_bin", "location": {"latitude": 1, "longitude": 1}});
    problem(
        app.post("/api/v1/containers", &ghost_area).await,
        422,
        Some("area_id"),
    )
    .await;
    let other_site = app.site(&unique("c")).await;
    let foreign_area = app.area(&other_site, "theirs").await;
    let body = json!({"site_id": site["id"], "area_id": foreign_area["id"], "type": "street_bin", "location": {"latitude": 1, "longitude": 1}});
    problem(
        app.post("/api/v1/containers", &body).await,
        422,
        Some("area_id"),
    )
    .await;
}

#[tokio::test]
async fn duplicates_are_conflicts_and_leave_nothing_behind() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("c")).await;
    let first = app.container(&site, json!({"external_ref": "REF-9"})).await;
    let same_code = json!({"site_id": site["id"], "type": "street_bin", "public_code": first["public_code"], "location": {"latitude": 1, "longitude": 1}});
    problem(
        app.post("/api/v1/containers", &same_code).await,
        409,
        Some("public_code"),
    )
    .await;
    let same_ref = json!({"site_id": site["id"], "type": "street_bin", "external_ref": "REF-9", "location": {"latitude": 1, "longitude": 1}});
    problem(
        app.post("/api/v1/containers", &same_ref).await,
        409,
        Some("external_ref"),
    )
    .await;

    let listed: Value = app
        .get(&format!("/api/v1/containers?site_id={}", id(&site)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn updates_are_versioned_checked_and_recorded() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("c")).await;
    let container = app
        .container(&site, json!({"notes": "behind the bakery"}))
        .await;
    let path = format!("/api/v1/containers/{}", id(&container));

    let full = app
        .request(Method::PATCH, &path)
        .header("If-Match", "\"1\"")
        .header("X-Request-Id", "req-full-42")
        .json(&json!({"status": "full", "notes": null, "capacity_litres": 3000}))
        .send()
        .await
        .unwrap();
    assert_eq!(full.status(), StatusCode::OK);
    assert_eq!(full.headers()["x-request-id"], "req-full-42");
    let full: Value = full.json().await.unwrap();
    assert_eq!(
        (
            full["status"].as_str(),
            full["notes"].is_null(),
            full["capacity_litres"].as_i64()
        ),
        (Some("full"), true, Some(3000))
    );
    assert_eq!(
        full["address"], container["address"],
        "absent fields are left as they were"
    );

    problem(
        app.patch(&path, "\"1\"", &json!({"status": "active"}))
            .await,
        412,
        None,
    )
    .await;
    problem(
        app.patch(
            &path,
            "\"2\"",
            &json!({"location": {"latitude": -91, "longitude": 0}}),
        )
        .await,
        422,
        Some("location.latitude"),
    )
    .await;
    problem(
        app.patch(&path, "\"2\"", &json!({"public_code": "ABCD"}))
            .await,
        422,
        None,
    )
    .await;

    let removed = app
        .patch(&path, "\"2\"", &json!({"status": "removed"}))
        .await;
    assert_eq!(removed.status(), StatusCode::OK);
    problem(
        app.patch(&path, "\"3\"", &json!({"status": "active"}))
            .await,
        409,
        Some("status"),
    )
    .await;

    let archived = app
        .request(Method::POST, &format!("{path}/archive"))
        .header("If-Match", "\"3\"")
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), StatusCode::OK);
    problem(
        app.patch(&path, "\"4\"", &json!({"address": "elsewhere"}))
            .await,
        409,
        None,
    )
    .await;

    let history: Value = app
        .get(&format!("{path}/history"))
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["archive", "update", "update", "create"]);
    let first_update = &history["items"][2];
    assert_eq!(first_update["request_id"], "req-full-42");
    assert_eq!(first_update["before"]["status"], "active");
    assert_eq!(first_update["after"]["status"], "full");
    let page: Value = app
        .get(&format!("{path}/history?limit=3"))
        .await
        .json()
        .await
        .unwrap();
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get(&format!("{path}/history?before={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"][0]["action"], "create");
}

#[tokio::test]
async fn concurrent_edits_of_one_version_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("c")).await;
    let container = app.container(&site, json!({})).await;
    let path = format!("/api/v1/containers/{}", id(&container));
    let (to_a, to_b) = (json!({"address": "A"}), json!({"address": "B"}));
    let (a, b) = tokio::join!(
        app.patch(&path, "\"1\"", &to_a),
        app.patch(&path, "\"1\"", &to_b)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412]);
}

#[tokio::test]
async fn lists_filter_search_and_page() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("c")).await;
    let area = app.area(&site, "north").await;
    let in_area = app
        .container(
            &site,
            json!({"area_id": area["id"], "address": "3 Place Bellecour"}),
        )
        .await;
    let underground = app
        .container(
            &site,
            json!({"type": "underground", "status": "full", "address": "Quai Perrache"}),
        )
        .await;
    let plain = app
        .container(&site, json!({"address": "Rue 100% Coton"}))
        .await;
    let site_id = id(&site).to_owned();
    let list = |query: String| {
        let (app, site_id) = (&app, &site_id);
        async move {
            let page: Value = app
                .get(&format!("/api/v1/containers?site_id={site_id}&{query}"))
                .await
                .json()
                .await
                .unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let ids = |items: &[&Value]| items.iter().map(|c| id(c).to_owned()).collect::<Vec<_>>();

    assert_eq!(
        list("limit=10".into()).await,
        ids(&[&in_area, &underground, &plain])
    );
    assert_eq!(
        list(format!("area_id={}", id(&area))).await,
        ids(&[&in_area])
    );
    assert_eq!(list("type=underground".into()).await, ids(&[&underground]));
    assert_eq!(
        list("status=full&type=underground".into()).await,
        ids(&[&underground])
    );
    assert_eq!(
        list("status=full&type=street_bin".into()).await,
        Vec::<String>::new()
    );
    assert_eq!(list("q=BELLECOUR".into()).await, ids(&[&in_area]));
    assert_eq!(
        list(format!(
            "q={}",
            underground["public_code"].as_str().unwrap().to_lowercase()
        ))
        .await,
        ids(&[&underground])
    );
    assert_eq!(list("q=100%25".into()).await, ids(&[&plain]));

    let first: Value = app
        .get(&format!("/api/v1/containers?site_id={}&limit=2", id(&site)))
        .await
        .json()
        .await
        .unwrap();
    let cursor = first["next_cursor"].as_str().unwrap();
    assert_eq!(
        list(format!("limit=2&after={cursor}")).await,
        ids(&[&plain])
    );

    problem(
        app.get("/api/v1/containers?status=broken").await,
        400,
        Some("status"),
    )
    .await;
    problem(
        app.get("/api/v1/containers?type=bucket").await,
        400,
        Some("type"),
    )
    .await;
    problem(app.get("/api/v1/containers?stauts=full").await, 400, None).await;
    problem(
        app.get("/api/v1/containers?site_id=lyon").await,
        400,
        Some("site_id"),
    )
    .await;
    problem(
        app.get("/api/v1/containers?limit=501").await,
        422,
        Some("limit"),
    )
    .await;
}

#[tokio::test]
async fn unknown_ids_and_routes_are_404_problems() {
    let app = TestApp::spawn().await;
    problem(
        app.get(&format!("/api/v1/containers/{}", uuid::Uuid::new_v4()))
            .await,
        404,
        None,
    )
    .await;
    problem(
        app.get(&format!(
            "/api/v1/containers/{}/history",
            uuid::Uuid::new_v4()
        ))
        .await,
        404,
        None,
    )
    .await;
    problem(app.get("/api/v1/containers/not-a-uuid").await, 404, None).await;
    problem(app.get("/api/v1/nothing-here").await, 404, None).await;
}

async fn counts(app: &TestApp) -> Value {
    let response = app.get("/api/v1/containers/counts").await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn live_containers_are_counted_by_status() {
    let app = TestApp::spawn().await;
    let before = counts(&app).await;
    let keys: Vec<&str> = before["by_status"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["active", "damaged", "full", "maintenance", "removed"]
    );
    let site = app.site(&unique("count")).await;
    app.container(&site, json!({})).await;
    app.container(&site, json!({"status": "full"})).await;
    let archived = app.container(&site, json!({})).await;
    let id = archived["id"].as_str().unwrap();
    let response = app
        .post(&format!("/api/v1/containers/{id}/archive"), &json!({}))
        .await;
    assert!(response.status().is_success(), "{}", response.status());
    let after = counts(&app).await;
    let delta = |status: &str| {
        after["by_status"][status].as_u64().unwrap() - before["by_status"][status].as_u64().unwrap()
    };
    assert_eq!(
        (delta("active"), delta("full")),
        (1, 1),
        "the archived one is not counted"
    );
    assert_eq!(
        after["total"].as_u64().unwrap(),
        before["total"].as_u64().unwrap() + 2
    );
}
