//! Every reporter of a merged report is kept (deduplicated) and follows it: each address
//! gets its acknowledgement and every status change (as outbox events, mailed by the worker).

use crate::jobs_support::Schema;
use crate::support::{TestApp, queue_settings, unique};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::time::Duration;
use tisseco_application::outbox::OutboxStore;
use tisseco_bootstrap::PgOutbox;
use tisseco_domain::Role;

#[tokio::test(flavor = "multi_thread")]
async fn each_reporter_merged_into_an_open_report_is_acknowledged_and_follows_it() {
    let schema = Schema::create().await;
    let app = TestApp::serve_on(&schema.url, &queue_settings(&unique("t")));
    let site = app.site(&unique("rr")).await;
    let container = app.container(&site, json!({})).await;
    let code = container["public_code"].as_str().unwrap();
    let (ana, bob) = (unique("ana"), unique("bob"));
    // the first reporter, a second one, the second again (other case), one without address
    for email in [
        format!("{ana}@example.org"),
        format!("{bob}@example.org"),
        format!("{}@EXAMPLE.org", bob.to_uppercase()),
        String::new(),
    ] {
        let sent = app
            .anonymous
            .post(app.url(&format!("/c/{code}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "category=damaged&email={}",
                email.replace('@', "%40")
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 200);
    }
    let manager = app.client_for(&app.token(Role::Manager));
    let id = container["id"].as_str().unwrap();
    let list: Value = manager
        .get(app.url(&format!("/api/v1/reports?container_id={id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"][0]["count"], 4,
        "one report, four reports merged"
    );
    let report = list["items"][0]["id"].as_str().unwrap().to_owned();
    let done = manager
        .post(app.url(&format!("/api/v1/reports/{report}/moderation")))
        .json(&json!({"action": "acknowledge"}))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);

    let outbox = PgOutbox::new(schema.store(), SecretString::from(schema.url.clone()));
    let events = outbox.claim(100, Duration::from_secs(30)).await.unwrap();
    let to = |kind: &str| -> Vec<String> {
        events
            .iter()
            .filter(|e| e.event_type == kind)
            .map(|e| {
                e.payload["email"]
                    .as_str()
                    .unwrap_or_default()
                    .to_lowercase()
            })
            .collect()
    };
    let both = vec![format!("{ana}@example.org"), format!("{bob}@example.org")];
    assert_eq!(to("report.created"), both, "each address acknowledged once");
    assert_eq!(to("report.status_changed"), both, "each address follows");
    let tokens: Vec<&str> = events
        .iter()
        .filter(|e| e.event_type.starts_with("report."))
        .map(|e| e.payload["token"].as_str().unwrap_or_default())
        .collect();
    assert!(
        tokens.windows(2).all(|w| w[0] == w[1]),
        "one report, one follow-up link"
    );
    schema.drop().await;
}
