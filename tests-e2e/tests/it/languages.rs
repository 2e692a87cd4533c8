//! Languages of the public pages and of the staff's settings: French by default, English by
//! `Accept-Language` or the switch (remembered in a cookie), and the e-mail language on /me.

use crate::reports::Field;
use crate::support::TestApp;
use serde_json::json;
use tisseco_domain::Role;

async fn page(field: &Field, query: &str, headers: &[(&str, &str)]) -> (String, Option<String>) {
    let mut request = field
        .app
        .anonymous
        .get(field.app.url(&format!("/c/{}{query}", field.code)));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    (response.text().await.unwrap(), cookie)
}

#[tokio::test]
async fn the_public_page_speaks_french_unless_asked_otherwise() {
    let field = Field::new(TestApp::spawn().await).await;
    let (french, cookie) = page(&field, "", &[]).await;
    assert!(french.contains("<html lang=\"fr\">"));
    assert!(french.contains("Signaler un problème"));
    assert!(french.contains("href=\"?lang=en\""), "a switch to English");
    assert!(
        cookie.is_none(),
        "nothing remembered until the reader chooses"
    );

    let (english, _) = page(
        &field,
        "",
        &[("accept-language", "en-GB,en;q=0.9,fr;q=0.5")],
    )
    .await;
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains("Report a problem"));
    assert!(english.contains("href=\"?lang=fr\""));

    let (chosen, cookie) = page(&field, "?lang=en", &[("accept-language", "fr")]).await;
    assert!(chosen.contains("Report a problem"));
    let cookie = cookie.expect("the choice is remembered");
    assert!(cookie.starts_with("lang=en;"), "{cookie}");
    let (remembered, _) = page(
        &field,
        "",
        &[("accept-language", "fr"), ("cookie", "lang=en")],
    )
    .await;
    assert!(remembered.contains("<html lang=\"en\">"));

    let missing = field
        .app
        .anonymous
        .get(field.app.url("/c/ZZZZ999"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("Container not found")
    );
}

#[tokio::test]
async fn staff_choose_the_language_of_their_e_mails_on_me() {
    let app = TestApp::spawn().await;
    let email = format!("{}@example.org", crate::support::unique("lang"));
    crate::auth::user(&app, &email, Role::Driver).await;
    let pair = crate::auth::tokens(&app, &email).await;
    let driver = app.client_for(pair["access_token"].as_str().unwrap());
    let me = |body: serde_json::Value| driver.patch(app.url("/api/v1/me")).json(&body).send();
    let response = me(json!({"locale": "en"})).await.unwrap();
    assert_eq!(response.status(), 200);
    let user: serde_json::Value = response.json().await.unwrap();
    assert_eq!(user["locale"], "en");
    let read: serde_json::Value = driver
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["locale"], "en");
    let refused = me(json!({"locale": "de"})).await.unwrap();
    assert_eq!(refused.status(), 422);
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "locale", "{problem}");
}

#[tokio::test]
async fn the_reset_link_lands_on_a_page_that_sets_the_password_without_javascript() {
    let app = TestApp::spawn().await;
    let form = app
        .anonymous
        .get(app.url("/reset-password?token=abc123"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("Nouveau mot de passe"));
    assert!(html.contains("name=\"token\" value=\"abc123\""));
    assert!(!html.contains("<script"));
    let post = |body: &str| {
        app.anonymous
            .post(app.url("/reset-password"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned())
            .send()
    };
    let short = post("token=abc123&password=short&lang=fr").await.unwrap();
    assert_eq!(short.status(), 422);
    assert!(
        short
            .text()
            .await
            .unwrap()
            .contains("de 12 à 256 caractères")
    );
    let unknown = post("token=abc123&password=a+perfectly+fine+password&lang=en")
        .await
        .unwrap();
    assert_eq!(unknown.status(), 422);
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("This link no longer works")
    );
    let missing = app
        .anonymous
        .get(app.url("/reset-password"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}
