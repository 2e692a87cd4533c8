//! Download links for label sheets: a manager asks for one, a browser opens it without a
//! bearer header, for its address only, until the session that asked for it ends.

use crate::support::{TestApp, problem, unique};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A manager signed in for real (a session the link can belong to): their client.
async fn signed_in_manager(app: &TestApp) -> reqwest::Client {
    let email = format!("{}@tisseco.test", unique("printer"));
    let password = "a long enough password";
    let created = app
        .post(
            "/api/v1/users",
            &json!({"email": email, "display_name": "Printer", "role": "manager", "password": password}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let tokens: Value = app
        .anonymous
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    app.client_for(tokens["access_token"].as_str().unwrap())
}

#[tokio::test]
async fn a_label_sheet_link_opens_without_signing_in_until_its_session_ends() {
    let app = TestApp::spawn_with(&[("PUBLIC_BASE_URL", "https://tri.example.org")]).await;
    let site = app.site(&unique("lk")).await;
    app.container(&site, json!({})).await;
    let site_id = site["id"].as_str().unwrap();
    let manager = signed_in_manager(&app).await;
    let asked = manager
        .post(app.url("/api/v1/links"))
        .json(&json!({"target": format!("/api/v1/labels?site_id={site_id}")}))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::CREATED);
    let link: Value = asked.json().await.unwrap();
    let url = link["url"].as_str().unwrap();
    let relative = url
        .strip_prefix("https://tri.example.org")
        .expect("absolute");
    assert!(relative.contains("link="), "{url}");
    let open = |path: String| {
        let request = app.anonymous.get(app.url(&path));
        async move { request.send().await.unwrap() }
    };

    let sheet = open(relative.to_owned()).await;
    assert_eq!(sheet.status(), StatusCode::OK);
    assert!(sheet.text().await.unwrap().contains("class=\"sheet\""));
    let other_site = open(relative.replace(site_id, &uuid::Uuid::new_v4().to_string())).await;
    assert_eq!(other_site.status(), StatusCode::UNAUTHORIZED);
    let no_link = open(format!("/api/v1/labels?site_id={site_id}")).await;
    assert_eq!(no_link.status(), StatusCode::UNAUTHORIZED);

    let users = manager
        .post(app.url("/api/v1/links"))
        .json(&json!({"target": "/api/v1/users"}))
        .send()
        .await
        .unwrap();
    problem(users, 422, Some("target")).await;

    let logout = manager
        .post(app.url("/api/v1/auth/logout"))
        .send()
        .await
        .unwrap();
    assert!(logout.status().is_success(), "{}", logout.status());
    let after = open(relative.to_owned()).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    let words: Value = after.json().await.unwrap();
    assert!(
        words["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("withdrawn")
            || words["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("retiré"),
        "{words}"
    );
}
