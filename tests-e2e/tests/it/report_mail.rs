//! Reports on a committed database: a reporter who leaves an e-mail address gets the
//! acknowledgement and every status change by e-mail (outbox, queue, worker, real SMTP),
//! each with the follow-up link; concurrent identical reports merge into one.

use crate::jobs_support::{Schema, eventually, fast_settings};
use crate::mail::{decoded, delivered_to};
use crate::support::{TestApp, queue_settings, unique};
use serde_json::{Value, json};
use std::time::Duration;
use tisseco_application::ports::AuditLog;
use tisseco_bootstrap::jobs::WorkerSettings;
use tisseco_domain::Role;

#[tokio::test(flavor = "multi_thread")]
async fn the_reporter_is_mailed_on_receipt_and_on_each_status_change() {
    let schema = Schema::create().await;
    let settings = queue_settings(&unique("t"));
    let mut worker = WorkerSettings::from_source(&[]).unwrap();
    worker.consumer = fast_settings();
    worker.outbox_poll = Duration::from_millis(100);
    worker.public_base_url = "https://tri.example.org".into();
    let (queue, running) =
        crate::jobs_support::started_worker(&schema.url, &settings, &worker).await;

    let app = TestApp::serve_on(&schema.url, &settings);
    let site = app.site(&unique("ml")).await;
    let container = app.container(&site, json!({})).await;
    let code = container["public_code"].as_str().unwrap();
    let recipient = format!("{}@example.org", unique("reporter"));
    let confirmation = app
        .anonymous
        .post(app.url(&format!("/c/{code}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "category=damaged&email={}",
            recipient.replace('@', "%40")
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = confirmation.find("href=\"/r/").unwrap() + 9;
    let token = &confirmation[start..start + 64];

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
    let report = list["items"][0]["id"].as_str().unwrap().to_owned();
    for body in [
        json!({"action": "acknowledge"}),
        json!({"action": "resolve", "comment": "door fixed"}),
    ] {
        let done = manager
            .post(app.url(&format!("/api/v1/reports/{report}/moderation")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 200);
    }
    eventually(Duration::from_secs(20), "three e-mails", || async {
        delivered_to(&recipient).await.len() >= 3
    })
    .await;
    running.shutdown(Duration::from_secs(10)).await.unwrap();
    let messages: Vec<String> = delivered_to(&recipient)
        .await
        .iter()
        .map(|m| decoded(m))
        .collect();
    assert_eq!(messages.len(), 3, "one per event");
    let link = format!("https://tri.example.org/r/{token}");
    assert!(
        messages.iter().all(|m| m.contains(&link)),
        "each has the follow link"
    );
    // the reporter used the page in French (the default): every e-mail is in French
    println!("the acknowledgement as delivered:\n{}", messages[0]);
    assert!(
        messages
            .iter()
            .all(|m| m.contains("lang=\"fr\"") && m.contains("Suivre votre signalement")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("a bien été reçu")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("Vous avez signalé : Endommagé"))
    );
    assert!(messages.iter().any(|m| m.contains("Pris en compte")));
    assert!(
        messages
            .iter()
            .any(|m| m.contains("Résolu") && m.contains("door fixed"))
    );
    // Every action is in the audit log, newest first, with who did it.
    let audit = schema
        .store()
        .history("report", report.parse().unwrap(), None, 10)
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        ["report.resolve", "report.acknowledge", "report.create"]
    );
    assert!(audit[0].actor.is_some() && audit[2].actor.is_none());
    assert_eq!(audit[0].after.as_ref().unwrap()["comment"], "door fixed");
    queue.purge().await.unwrap();
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_identical_reports_at_once_make_one_report_counted_ten_times() {
    let schema = Schema::create().await;
    let app = TestApp::serve_on(&schema.url, &queue_settings(&unique("t")));
    let site = app.site(&unique("cc")).await;
    let container = app.container(&site, json!({})).await;
    let code = container["public_code"].as_str().unwrap().to_owned();
    let sends = (0..10).map(|_| {
        app.anonymous
            .post(app.url(&format!("/c/{code}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("category=dirty")
            .send()
    });
    for response in futures_util::future::join_all(sends).await {
        assert_eq!(response.unwrap().status(), 200);
    }
    let id = container["id"].as_str().unwrap();
    let list: Value = app
        .get(&format!("/api/v1/reports?container_id={id}"))
        .await
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["count"], 10);
    schema.drop().await;
}
