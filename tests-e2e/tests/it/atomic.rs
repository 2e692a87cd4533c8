//! Changes that span aggregates commit whole on PostgreSQL: a driver's visit with its
//! container's new status (issue 17: the status used to follow in a second, best-effort
//! transaction), and a 500 says why in the log.

use crate::jobs_support::{Schema, capture_logs, log_lines_with};
use crate::support::{TestApp, queue_settings, unique};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tisseco_application::auth::ports::Principal;
use tisseco_application::ports::AuditContext;
use tisseco_domain::{Email, NewUser, Password, Role, display_name};

const REFUSE_CONTAINER_UPDATES: &str = "\
    CREATE FUNCTION refuse_container_updates() RETURNS trigger LANGUAGE plpgsql AS $$ \
    BEGIN RAISE EXCEPTION 'containers are read-only in this test'; END $$; \
    CREATE TRIGGER refuse_container_updates BEFORE UPDATE ON containers \
    FOR EACH ROW EXECUTE FUNCTION refuse_container_updates();";

/// A driver's client and id.
async fn driver(app: &TestApp) -> (reqwest::Client, String) {
    let new = NewUser {
        email: Email::parse(&format!("atomic-{}@tisseco.test", &unique("x")[2..])).unwrap(),
        display_name: display_name("Dan").unwrap(),
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
    let token = app.services.auth.issue_access_token(principal).unwrap();
    (app.client_for(&token), user.id.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visit_whose_container_cannot_be_written_leaves_no_visit() {
    capture_logs();
    let schema = Schema::create().await;
    let app = TestApp::serve_on(&schema.url, &queue_settings(&unique("atomic")));
    let (driver, driver_id) = driver(&app).await;
    let site = app.site(&unique("a")).await;
    let bin = app
        .container(
            &site,
            json!({"location": {"latitude": 45.71, "longitude": 4.82}}),
        )
        .await;
    let bin_id = bin["id"].as_str().unwrap().to_owned();
    let today = chrono::Utc::now().date_naive().to_string();
    let body = json!({"site_id": site["id"], "date": today, "driver_id": driver_id,
        "container_ids": [bin_id]});
    let tour: Value = app.post("/api/v1/tours", &body).await.json().await.unwrap();
    let tour_id = tour["id"].as_str().unwrap().to_owned();
    let planned = app
        .post(&format!("/api/v1/tours/{tour_id}/plan"), &json!({}))
        .await;
    assert_eq!(planned.status(), StatusCode::OK);
    let me = |suffix: &str| app.url(&format!("/api/v1/me/tours/{tour_id}{suffix}"));
    let started = driver.post(me("/start")).send().await.unwrap();
    assert_eq!(started.status(), StatusCode::OK);

    // the database refuses every change of a container from now on
    let mut admin = AsyncPgConnection::establish(&schema.url).await.unwrap();
    admin.batch_execute(REFUSE_CONTAINER_UPDATES).await.unwrap();
    let full = json!({"fill_level": 95, "emptied": false});
    let visit = || {
        driver
            .post(me(&format!("/stops/{bin_id}/visit")))
            .json(&full)
            .send()
    };
    let refused = visit().await.unwrap();
    assert_eq!(refused.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let mine: Value = driver
        .get(me(""))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine["progress"]["visited"], 0,
        "no visit without its container's status: {mine}"
    );
    let visits: Value = app
        .get(&format!("/api/v1/containers/{bin_id}/visits"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(visits, json!([]), "no visits row either");
    assert!(
        log_lines_with("containers are read-only in this test")
            .iter()
            .any(|line| line.contains("request failed")),
        "the 500's log line carries the database's reason"
    );

    // writable again: the same visit goes through, with the container's status
    admin
        .batch_execute("DROP TRIGGER refuse_container_updates ON containers")
        .await
        .unwrap();
    assert_eq!(visit().await.unwrap().status(), StatusCode::OK);
    let container: Value = app
        .get(&format!("/api/v1/containers/{bin_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(container["status"], "full");
    assert_eq!(container["version"], 2);
    drop(admin);
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_report_whose_container_cannot_be_written_is_not_kept() {
    let schema = Schema::create().await;
    let app = TestApp::serve_on(&schema.url, &queue_settings(&unique("atomic")));
    let site = app.site(&unique("r")).await;
    let bin = app
        .container(
            &site,
            json!({"location": {"latitude": 45.76, "longitude": 4.83}}),
        )
        .await;
    let (id, code) = (
        bin["id"].as_str().unwrap().to_owned(),
        bin["public_code"].as_str().unwrap().to_owned(),
    );
    let report = || {
        app.anonymous
            .post(app.url(&format!("/c/{code}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("category=full&description=&email=&website=")
            .send()
    };
    let reports = || async {
        let manager = app.client_for(&app.token(Role::Manager));
        let body: Value = manager
            .get(app.url(&format!("/api/v1/reports?container_id={id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["items"].as_array().unwrap().len()
    };
    let mut admin = AsyncPgConnection::establish(&schema.url).await.unwrap();
    admin.batch_execute(REFUSE_CONTAINER_UPDATES).await.unwrap();
    let refused = report().await.unwrap();
    assert_eq!(refused.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        reports().await,
        0,
        "no report without its container's status"
    );

    admin
        .batch_execute("DROP TRIGGER refuse_container_updates ON containers")
        .await
        .unwrap();
    assert!(report().await.unwrap().status().is_success());
    assert_eq!(reports().await, 1);
    let container: Value = app
        .get(&format!("/api/v1/containers/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&container["status"], &container["version"]),
        (&json!("full"), &json!(2))
    );
    drop(admin);
    schema.drop().await;
}
