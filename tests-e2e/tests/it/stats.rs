//! Reporting end to end over real PostgreSQL: collection figures with known sums (the
//! Paris day boundary, an empty period), CSV read back with a CSV parser, the declaration;
//! and the helpers that record visits at chosen times (`stats_more` has the rest).

use crate::support::{TestApp, problem, unique};
use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tisseco_application::auth::ports::Principal;
use tisseco_application::ports::AuditContext;
use tisseco_application::tours::StopSelection;
use tisseco_domain::{
    ContainerId, Email, NewTour, NewUser, Password, Role, SiteId, SkipReason, Visit, display_name,
};

pub(crate) async fn driver(app: &TestApp, name: &str) -> Principal {
    let new = NewUser {
        email: Email::parse(&format!("{}@tisseco.test", unique("drv"))).unwrap(),
        display_name: display_name(name).unwrap(),
        role: Role::Driver,
    };
    let password = Password::new("a driver's password").unwrap();
    let user = app
        .services
        .auth
        .create_user(new, &password, &AuditContext::default())
        .await
        .unwrap();
    Principal {
        user_id: user.id,
        role: Role::Driver,
        session_id: uuid::Uuid::now_v7(),
    }
}

pub(crate) enum Outcome {
    Visit { fill: i64, kg: f64, emptied: bool },
    Skip(SkipReason),
}

fn id_of(value: &Value) -> uuid::Uuid {
    value["id"].as_str().unwrap().parse().unwrap()
}

/// Records one stop outcome at `at` through the real tour use cases (a tour of its own).
pub(crate) async fn record(
    app: &TestApp,
    by: &Principal,
    container: &Value,
    at: DateTime<Utc>,
    outcome: Outcome,
) {
    let audit = AuditContext::default();
    let tours = &app.services.tours;
    let new = NewTour {
        site_id: SiteId::from(
            container["site_id"]
                .as_str()
                .unwrap()
                .parse::<uuid::Uuid>()
                .unwrap(),
        ),
        date: at.date_naive(),
        driver_id: Some(by.user_id),
        vehicle: None,
        depot: None,
        notes: None,
    };
    let container_id = ContainerId::from(id_of(container));
    let selection = StopSelection {
        container_ids: vec![container_id],
        ..StopSelection::default()
    };
    let tour = tours.create(new, selection, &audit).await.unwrap();
    tours.plan(tour.id, None, &audit).await.unwrap();
    tours.start(by, tour.id, &audit).await.unwrap();
    match outcome {
        Outcome::Visit { fill, kg, emptied } => {
            let visit = Visit::new(at, fill, Some(kg), emptied, None, None).unwrap();
            tours
                .visit(by, tour.id, container_id, visit, None, &audit)
                .await
                .unwrap();
        }
        Outcome::Skip(reason) => {
            tours
                .skip(by, tour.id, container_id, reason, None, &audit)
                .await
                .unwrap();
        }
    }
}

pub(crate) fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

pub(crate) async fn json_of(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn collections_sum_per_paris_day_and_month_and_an_empty_period_is_empty() {
    let app = TestApp::spawn().await;
    let dan = driver(&app, "Dan").await;
    let site = app.site(&unique("st")).await;
    let a = app.container(&site, json!({})).await;
    let b = app.container(&site, json!({})).await;
    // 23:00 in Paris on 31 March; then 01:30 on 1 April (summer time since 28 March 2027).
    record(
        &app,
        &dan,
        &a,
        utc(2027, 3, 31, 21, 0),
        Outcome::Visit {
            fill: 100,
            kg: 7.0,
            emptied: true,
        },
    )
    .await;
    record(
        &app,
        &dan,
        &a,
        utc(2027, 3, 31, 23, 30),
        Outcome::Visit {
            fill: 50,
            kg: 10.0,
            emptied: true,
        },
    )
    .await;
    record(
        &app,
        &dan,
        &b,
        utc(2027, 4, 15, 8, 0),
        Outcome::Visit {
            fill: 80,
            kg: 20.5,
            emptied: false,
        },
    )
    .await;
    let sid = site["id"].as_str().unwrap();

    let monthly = json_of(
        &app,
        &format!(
            "/api/v1/stats/collections?site_id={sid}&period=month&from=2027-03-01&to=2027-04-30"
        ),
    )
    .await;
    let items = monthly["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{monthly}");
    assert_eq!(
        (
            items[0]["period_start"].as_str(),
            items[0]["visits"].as_i64()
        ),
        (Some("2027-03-01"), Some(1))
    );
    assert_eq!(items[0]["kilograms"], 7.0);
    assert_eq!(items[0]["found_overflowing"], 1);
    assert_eq!(
        (
            items[1]["period_start"].as_str(),
            items[1]["visits"].as_i64()
        ),
        (Some("2027-04-01"), Some(2))
    );
    assert_eq!(items[1]["kilograms"], 30.5);
    assert_eq!(items[1]["average_fill"], 65.0);
    assert_eq!(items[1]["emptied"], 1);
    assert_eq!(items[1]["group_label"], site["code"]);
    assert_eq!(
        monthly["totals"],
        json!({"visits": 3, "skips": 0, "kilograms": 37.5})
    );

    let daily = json_of(&app, &format!("/api/v1/stats/collections?site_id={sid}&period=day&group_by=container&from=2027-03-31&to=2027-04-01")).await;
    let days: Vec<(&str, f64)> = daily["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["period_start"].as_str().unwrap(),
                r["kilograms"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(days, [("2027-03-31", 7.0), ("2027-04-01", 10.0)]);
    assert_eq!(daily["items"][0]["group_label"], a["public_code"]);

    let empty = json_of(
        &app,
        &format!("/api/v1/stats/collections?site_id={sid}&from=2027-06-01&to=2027-06-30"),
    )
    .await;
    assert_eq!(empty["items"], json!([]));
    assert_eq!(
        empty["totals"],
        json!({"visits": 0, "skips": 0, "kilograms": 0.0})
    );

    // Skips are stamped now: today's figures have one, by reason.
    record(
        &app,
        &dan,
        &b,
        Utc::now(),
        Outcome::Skip(SkipReason::Blocked),
    )
    .await;
    let today = Utc::now().date_naive();
    let (from, to) = (today - Duration::days(1), today + Duration::days(1));
    let skipped = json_of(
        &app,
        &format!("/api/v1/stats/collections?site_id={sid}&group_by=driver&from={from}&to={to}"),
    )
    .await;
    assert_eq!(skipped["totals"]["skips"], 1);
    assert_eq!(skipped["items"][0]["skips_by_reason"]["blocked"], 1);
    assert_eq!(skipped["items"][0]["group_label"], "Dan");
}

#[tokio::test]
async fn bad_stats_parameters_are_problems_naming_the_field() {
    let app = TestApp::spawn().await;
    problem(
        app.get("/api/v1/stats/collections?group_by=colour").await,
        422,
        Some("group_by"),
    )
    .await;
    problem(
        app.get("/api/v1/stats/collections?period=fortnight").await,
        422,
        Some("period"),
    )
    .await;
    problem(
        app.get("/api/v1/stats/collections?from=2027-02-01&to=2027-01-01")
            .await,
        422,
        Some("to"),
    )
    .await;
    problem(
        app.get("/api/v1/stats/collections?from=yesterday").await,
        400,
        Some("from"),
    )
    .await;
    problem(
        app.get("/api/v1/stats/containers/neglected?days=0").await,
        422,
        Some("days"),
    )
    .await;
    problem(
        app.get("/api/v1/stats/declaration?quarter=5").await,
        422,
        Some("quarter"),
    )
    .await;
    let unknown = uuid::Uuid::now_v7();
    problem(
        app.get(&format!("/api/v1/stats/collections?site_id={unknown}"))
            .await,
        404,
        None,
    )
    .await;
}

pub(crate) async fn csv_rows(response: reqwest::Response) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a UTF-8 BOM first");
    let mut reader = csv_async::AsyncReaderBuilder::new()
        .delimiter(b';')
        .create_reader(&bytes[3..]);
    let header = reader
        .headers()
        .await
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    let mut records = reader.records();
    while let Some(record) = futures_util::StreamExt::next(&mut records).await {
        rows.push(record.unwrap().iter().map(str::to_owned).collect());
    }
    (header, rows)
}

#[tokio::test]
async fn the_declaration_csv_reads_back_with_accents_and_neutralised_formulas() {
    let app = TestApp::spawn().await;
    let dan = driver(&app, "Dan").await;
    let site = app.site(&unique("dc")).await;
    let address = "Place de l'Église; Bâtiment Été, 3";
    let a = app
        .container(
            &site,
            json!({"address": address, "external_ref": "PT-ÉTÉ-1", "installed_on": "2026-05-04"}),
        )
        .await;
    let b = app.container(&site, json!({"address": "-1+2 HYPERLINK(\"http://x\")", "location": {"latitude": 48.85, "longitude": -0.57}})).await;
    record(
        &app,
        &dan,
        &a,
        utc(2027, 3, 31, 21, 0),
        Outcome::Visit {
            fill: 70,
            kg: 7.0,
            emptied: true,
        },
    )
    .await;
    record(
        &app,
        &dan,
        &a,
        utc(2027, 3, 31, 23, 30),
        Outcome::Visit {
            fill: 50,
            kg: 10.5,
            emptied: true,
        },
    )
    .await;
    record(
        &app,
        &dan,
        &a,
        utc(2027, 6, 30, 21, 59),
        Outcome::Visit {
            fill: 50,
            kg: 20.0,
            emptied: true,
        },
    )
    .await;
    record(
        &app,
        &dan,
        &a,
        utc(2027, 6, 30, 22, 0),
        Outcome::Visit {
            fill: 50,
            kg: 99.0,
            emptied: true,
        },
    )
    .await;
    let sid = site["id"].as_str().unwrap();

    let (header, rows) = csv_rows(
        app.get(&format!(
            "/api/v1/stats/declaration.csv?year=2027&quarter=2&site_id={sid}"
        ))
        .await,
    )
    .await;
    assert_eq!(
        header,
        [
            "code",
            "external_ref",
            "address",
            "latitude",
            "longitude",
            "type",
            "installed_on",
            "status",
            "kilograms"
        ]
    );
    assert_eq!(rows.len(), 2);
    let row_a = rows
        .iter()
        .find(|r| r[0] == a["public_code"].as_str().unwrap())
        .unwrap();
    // 1 April 01:30 and 30 June 23:59 in Paris are in Q2; 31 March 23:00 and 1 July 00:00 are not.
    assert_eq!(row_a[2], address);
    assert_eq!(
        (row_a[1].as_str(), row_a[6].as_str(), row_a[8].as_str()),
        ("PT-ÉTÉ-1", "2026-05-04", "30,5")
    );
    let row_b = rows
        .iter()
        .find(|r| r[0] == b["public_code"].as_str().unwrap())
        .unwrap();
    // `=…` is refused as an address; `-…` is stored and still neutralised when written
    assert_eq!(row_b[2], "'-1+2 HYPERLINK(\"http://x\")");
    assert_eq!((row_b[4].as_str(), row_b[8].as_str()), ("-0,570000", "0,0"));

    // The same figures as JSON, and the collections as CSV through `Accept`.
    let json = json_of(
        &app,
        &format!("/api/v1/stats/declaration?year=2027&quarter=2&site_id={sid}"),
    )
    .await;
    let kg: f64 = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kilograms"].as_f64().unwrap())
        .sum();
    assert!((kg - 30.5).abs() < 1e-9);
    let accepted = app
        .request(reqwest::Method::GET, &format!("/api/v1/stats/collections?site_id={sid}&group_by=container&from=2027-04-01&to=2027-06-30"))
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    let (header, rows) = csv_rows(accepted).await;
    assert_eq!(&header[..3], ["period_start", "group_id", "group_label"]);
    let kilograms = header.iter().position(|h| h == "kilograms").unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r[kilograms].as_str())
            .collect::<Vec<_>>(),
        ["10,5", "20,0"]
    );
}
