//! Reporting end to end, continued: the timeline, neglected containers, report figures and
//! predicted fill.

use crate::stats::{Outcome, csv_rows, driver, json_of, record};
use crate::support::{TestApp, problem, unique};
use chrono::{Duration, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tisseco_application::ports::AuditContext;
use tisseco_domain::{ContainerId, SkipReason};

fn id_of(value: &Value) -> uuid::Uuid {
    value["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_timeline_lists_changes_visits_and_reports_newest_first_in_pages() {
    let app = TestApp::spawn().await;
    let dan = driver(&app, "Dan").await;
    let site = app.site(&unique("tl")).await;
    let bin = app.container(&site, json!({})).await;
    let path = format!("/api/v1/containers/{}", bin["id"].as_str().unwrap());
    let patched = app
        .patch(&path, "\"1\"", &json!({"address": "3 place Bellecour"}))
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    record(
        &app,
        &dan,
        &bin,
        Utc::now() - Duration::days(2),
        Outcome::Visit {
            fill: 95,
            kg: 41.0,
            emptied: false,
        },
    )
    .await;
    record(
        &app,
        &dan,
        &bin,
        Utc::now(),
        Outcome::Skip(SkipReason::Blocked),
    )
    .await;
    let submission = tisseco_application::reports::Submission {
        category: "dirty".into(),
        description: Some("Sacs déposés à côté".into()),
        email: None,
        honeypot: None,
        source: "web",
        locale: None,
        client: None,
    };
    let outcome = app
        .services
        .reports
        .submit(bin["public_code"].as_str().unwrap(), submission)
        .await
        .unwrap();
    let tisseco_application::reports::Outcome::Accepted(submitted) = outcome else {
        panic!("dropped")
    };
    app.services
        .reports
        .moderate(
            submitted.report().id,
            tisseco_application::reports::Moderation::Acknowledge,
            &AuditContext::default(),
        )
        .await
        .unwrap();

    let all = json_of(&app, &format!("{path}/timeline")).await;
    let kinds: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    // The visit (found 95 %) made it full: a status change; the report is newest.
    // Newest first. PostgreSQL stamps audit records and reports with the transaction's
    // start, and this test runs in one transaction: those share an instant, ordered by
    // source (report events, reports, audit) then id. The skip carries the app's clock;
    // the visit two days ago is the oldest; recording it made the container full.
    assert_eq!(
        kinds,
        [
            "skip",
            "report_status",
            "report",
            "status",
            "registry",
            "registry",
            "visit"
        ],
        "{all}"
    );
    let times: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["occurred_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    assert_eq!(all["items"][0]["details"]["reason"], "blocked");
    assert_eq!(all["items"][1]["action"], "acknowledged");
    assert_eq!(
        all["items"][2]["details"]["description"],
        "Sacs déposés à côté"
    );
    assert_eq!(all["items"][3]["details"]["after"]["status"], "full");
    assert_eq!(
        all["items"][4]["details"]["after"]["address"],
        "3 place Bellecour"
    );
    assert_eq!(all["items"][5]["action"], "create");
    assert_eq!(all["items"][6]["details"]["weight_kg"], 41.0);
    assert_eq!(all["items"][6]["details"]["fill_level"], 95);

    // Pages of two give the same entries in the same order.
    let mut paged = Vec::new();
    let mut next = String::new();
    loop {
        let page = json_of(&app, &format!("{path}/timeline?limit=2{next}")).await;
        paged.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["kind"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => next = format!("&before={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged, kinds);
    let visits = json_of(&app, &format!("{path}/timeline?kind=visit,skip")).await;
    assert_eq!(visits["items"].as_array().unwrap().len(), 2);
    problem(
        app.get(&format!("{path}/timeline?kind=gossip")).await,
        422,
        Some("kind"),
    )
    .await;
    problem(
        app.get(&format!("{path}/timeline?before=nonsense")).await,
        422,
        Some("before"),
    )
    .await;
}

#[tokio::test]
async fn neglected_lists_forgotten_and_needlessly_visited_containers() {
    let app = TestApp::spawn().await;
    let dan = driver(&app, "Dan").await;
    let site = app.site(&unique("ng")).await;
    let forgotten = app.container(&site, json!({})).await;
    let empty = app.container(&site, json!({})).await;
    let fine = app.container(&site, json!({})).await;
    let now = Utc::now();
    record(
        &app,
        &dan,
        &forgotten,
        now - Duration::days(40),
        Outcome::Visit {
            fill: 60,
            kg: 30.0,
            emptied: true,
        },
    )
    .await;
    for days in [3, 6, 9] {
        record(
            &app,
            &dan,
            &empty,
            now - Duration::days(days),
            Outcome::Visit {
                fill: 10,
                kg: 2.0,
                emptied: true,
            },
        )
        .await;
    }
    record(
        &app,
        &dan,
        &fine,
        now - Duration::days(5),
        Outcome::Visit {
            fill: 80,
            kg: 40.0,
            emptied: true,
        },
    )
    .await;
    let sid = site["id"].as_str().unwrap();
    let list = json_of(
        &app,
        &format!("/api/v1/stats/containers/neglected?days=30&site_id={sid}"),
    )
    .await;
    let found: Vec<(&str, &str)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["public_code"].as_str().unwrap(),
                n["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (forgotten["public_code"].as_str().unwrap(), "not_visited"),
            (empty["public_code"].as_str().unwrap(), "nearly_empty"),
        ]
    );
    let (header, rows) = csv_rows(
        app.get(&format!(
            "/api/v1/stats/containers/neglected.csv?days=30&site_id={sid}"
        ))
        .await,
    )
    .await;
    assert_eq!(header[4], "reason");
    assert_eq!(rows.len(), 2);
}

#[tokio::test]
async fn report_figures_count_and_time_the_reports() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("rp")).await;
    let bin = app.container(&site, json!({})).await;
    let code = bin["public_code"].as_str().unwrap();
    for category in ["dirty", "damaged"] {
        let submission = tisseco_application::reports::Submission {
            category: category.into(),
            description: None,
            email: None,
            honeypot: None,
            source: "web",
            locale: None,
            client: None,
        };
        let outcome = app.services.reports.submit(code, submission).await.unwrap();
        let tisseco_application::reports::Outcome::Accepted(submitted) = outcome else {
            panic!("dropped")
        };
        if category == "dirty" {
            for step in [
                tisseco_application::reports::Moderation::Acknowledge,
                tisseco_application::reports::Moderation::Resolve { comment: None },
            ] {
                app.services
                    .reports
                    .moderate(submitted.report().id, step, &AuditContext::default())
                    .await
                    .unwrap();
            }
        }
    }
    let sid = site["id"].as_str().unwrap();
    let today: NaiveDate = Utc::now().date_naive();
    let stats = json_of(
        &app,
        &format!(
            "/api/v1/stats/reports?site_id={sid}&period=year&from={}&to={}",
            today - Duration::days(1),
            today + Duration::days(1)
        ),
    )
    .await;
    let counts: Vec<(&str, &str, i64)> = stats["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["category"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                c["reports"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, [("damaged", "new", 1), ("dirty", "resolved", 1)]);
    assert_eq!(
        (
            stats["delays"]["acknowledged"].as_i64(),
            stats["delays"]["resolved"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert!(stats["delays"]["resolve_median_hours"].as_f64().unwrap() >= 0.0);
    assert_eq!(stats["top_containers"][0]["reports"], 2);
    let (header, rows) = csv_rows(
        app.get(&format!("/api/v1/stats/reports.csv?site_id={sid}"))
            .await,
    )
    .await;
    assert_eq!(header, ["period_start", "category", "status", "reports"]);
    assert_eq!(rows.len(), 2);
}

#[tokio::test]
async fn predictions_follow_visits_and_list_the_containers_due() {
    let app = TestApp::spawn().await;
    let dan = driver(&app, "Dan").await;
    let site = app.site(&unique("pr")).await;
    let bin = app.container(&site, json!({})).await;
    let idle = app.container(&site, json!({})).await;
    let now = Utc::now();
    // Half full every ten days: about 5 %/day, emptied ten days ago, so 80 % in about 6 days.
    for days in [30, 20, 10] {
        record(
            &app,
            &dan,
            &bin,
            now - Duration::days(days),
            Outcome::Visit {
                fill: 50,
                kg: 20.0,
                emptied: true,
            },
        )
        .await;
    }
    let id = ContainerId::from(id_of(&bin));
    // What the worker does on `tour.visited`.
    app.services.predictions.refresh(id).await.unwrap();
    let path = format!(
        "/api/v1/containers/{}/prediction",
        bin["id"].as_str().unwrap()
    );
    let prediction = json_of(&app, &path).await;
    assert_eq!(
        (
            prediction["source"].as_str(),
            prediction["observations"].as_i64()
        ),
        (Some("container"), Some(2))
    );
    let fill = prediction["estimated_fill"].as_f64().unwrap();
    assert!((40.0..=65.0).contains(&fill), "{prediction}");
    problem(
        app.get(&format!(
            "/api/v1/containers/{}/prediction",
            idle["id"].as_str().unwrap()
        ))
        .await,
        404,
        None,
    )
    .await;

    let sid = site["id"].as_str().unwrap();
    let today = now.date_naive();
    let soon = json_of(
        &app,
        &format!(
            "/api/v1/containers/due?site_id={sid}&by={}",
            today + Duration::days(2)
        ),
    )
    .await;
    assert_eq!(soon["items"], json!([]));
    let later = json_of(
        &app,
        &format!(
            "/api/v1/containers/due?site_id={sid}&by={}",
            today + Duration::days(9)
        ),
    )
    .await;
    assert_eq!(later["items"].as_array().unwrap().len(), 1, "{later}");
    assert_eq!(later["items"][0]["public_code"], bin["public_code"]);

    // Tour planning selects the same containers.
    let body = json!({"site_id": sid, "date": today + Duration::days(9), "due_by": today + Duration::days(9)});
    let tour: Value = app.post("/api/v1/tours", &body).await.json().await.unwrap();
    let stops: Vec<&str> = tour["stops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["public_code"].as_str().unwrap())
        .collect();
    assert_eq!(stops, [bin["public_code"].as_str().unwrap()], "{tour}");
}
