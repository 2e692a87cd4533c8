//! Implausible values a person or a spreadsheet can send: 0, 0 coordinates, dates of year
//! 0 or 12026 or without leading zeros, address lists where one address is expected.

use crate::reports::Field;
use crate::support::{TestApp, problem, unique};
use serde_json::json;

#[tokio::test]
async fn containers_at_zero_zero_or_with_odd_dates_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("odd")).await;
    let create = |extra: serde_json::Value| {
        let mut body = json!({"site_id": site["id"], "type": "street_bin",
            "location": {"latitude": 45.75, "longitude": 4.83}});
        crate::support::merge(&mut body, extra);
        body
    };
    for location in [
        json!({"latitude": 0.0, "longitude": 0.0}),
        json!({"latitude": -0.0, "longitude": -0.0}),
    ] {
        let response = app
            .post("/api/v1/containers", &create(json!({"location": location})))
            .await;
        let body = problem(response, 422, Some("location.latitude")).await;
        assert!(body.to_string().contains("Gulf of Guinea"), "{body}");
    }
    for date in ["0000-01-01", "-001-01-01", "12026-01-01", "2026-2-3"] {
        let response = app
            .post("/api/v1/containers", &create(json!({"installed_on": date})))
            .await;
        problem(response, 422, Some("installed_on")).await;
    }
    let fine = app
        .post(
            "/api/v1/containers",
            &create(json!({"installed_on": "2026-02-03"})),
        )
        .await;
    assert_eq!(fine.status(), 201);
}

#[tokio::test]
async fn the_public_form_takes_one_email_address_only() {
    let field = Field::new(TestApp::spawn().await).await;
    let response = field
        .post_form("category=full&description=&email=a%40b.co%2Cb%40c.co&website=")
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("e-mail"), "{page}");
    assert!(field.reports().await.is_empty(), "nothing recorded");
}
