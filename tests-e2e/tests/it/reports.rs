//! The public container page, public reports (form, honeypot, merging, limits, escaping),
//! the follow-up page and staff moderation, over real HTTP, PostgreSQL and Redis.

use crate::support::{TestApp, problem, unique};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tisseco_domain::Role;

pub struct Field {
    pub app: TestApp,
    pub container: Value,
    pub code: String,
}

impl Field {
    pub async fn new(app: TestApp) -> Self {
        let site = app.site(&unique("rep")).await;
        let container = app.container(&site, json!({})).await;
        // Another active container 150 m away, offered when this one is full.
        app.container(
            &site,
            json!({"location": {"latitude": 45.7591, "longitude": 4.832}, "address": "3 rue Voisine, Lyon"}),
        )
        .await;
        let code = container["public_code"].as_str().unwrap().to_owned();
        Self {
            app,
            container,
            code,
        }
    }

    pub async fn post_form(&self, body: &str) -> reqwest::Response {
        self.app
            .anonymous
            .post(self.app.url(&format!("/c/{}", self.code)))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    pub async fn reports(&self) -> Vec<Value> {
        let id = self.container["id"].as_str().unwrap();
        let manager = self.app.client_for(&self.app.token(Role::Manager));
        let response = manager
            .get(self.app.url(&format!("/api/v1/reports?container_id={id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["items"].as_array().unwrap().clone()
    }
}

async fn html(response: reqwest::Response, status: u16) -> String {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    response.text().await.unwrap()
}

fn follow_link(page: &str) -> String {
    let start = page.find("href=\"/r/").expect("a follow link") + 6;
    let end = start + page[start..].find('"').unwrap();
    page[start..end].to_owned()
}

#[tokio::test]
async fn the_container_page_shows_the_container_and_a_form_without_javascript() {
    let field = Field::new(TestApp::spawn().await).await;
    let page = html(
        field
            .app
            .anonymous
            .get(field.app.url(&format!("/c/{}", field.code)))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(page.contains(&field.code));
    assert!(page.contains("12 rue Garibaldi, Lyon"));
    assert!(page.contains("En service"));
    assert!(page.contains(&format!("action=\"/c/{}\"", field.code)));
    assert!(page.contains("name=\"category\" value=\"full\""));
    assert!(!page.contains("<script"), "no JavaScript");
    assert!(!page.contains("http"), "local assets only");
    assert!(
        !page.contains("Autres conteneurs à proximité"),
        "only when out of service"
    );
    // Lower case works too.
    let lower = field
        .app
        .anonymous
        .get(field.app.url(&format!("/c/{}", field.code.to_lowercase())))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), 200);
    let css = field
        .app
        .anonymous
        .get(field.app.url("/assets/site.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);

    let missing = html(
        field
            .app
            .anonymous
            .get(field.app.url("/c/ZZZZ999"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert!(missing.contains("Conteneur introuvable"));
    assert!(
        missing.contains("action=\"/c/\""),
        "a form to type the code"
    );
    let lookup = field
        .app
        .anonymous
        .get(
            field
                .app
                .url(&format!("/c/?code={}", field.code.to_lowercase())),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        lookup.url().path(),
        format!("/c/{}", field.code),
        "redirected to the page"
    );
    let bad_link = html(
        field
            .app
            .anonymous
            .get(field.app.url("/r/nothing"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert!(bad_link.contains("Page introuvable"));
}

#[tokio::test]
async fn a_report_is_confirmed_followed_merged_and_marks_the_container_full() {
    let field = Field::new(TestApp::spawn().await).await;
    let first = html(
        field
            .post_form("category=full&description=&email=me%40example.org&website=")
            .await,
        200,
    )
    .await;
    assert!(first.contains("Merci"));
    let link = follow_link(&first);
    for _ in 0..9 {
        let again = html(
            field
                .post_form("category=full&description=&email=&website=")
                .await,
            200,
        )
        .await;
        assert!(again.contains("déjà été signalé"));
    }
    let reports = field.reports().await;
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0]["count"], 10);
    assert_eq!(reports[0]["status"], "new");
    assert_eq!(reports[0]["email"], "me@example.org");

    let container = field.container["id"].as_str().unwrap();
    let read: Value = field
        .app
        .get(&format!("/api/v1/containers/{container}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["status"], "full");
    let history: Value = field
        .app
        .get(&format!("/api/v1/containers/{container}/history"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["items"][0]["action"], "report.full");

    let page = html(
        field
            .app
            .anonymous
            .get(field.app.url(&format!("/c/{}", field.code)))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(page.contains("Autres conteneurs à proximité"));
    assert!(page.contains("3 rue Voisine, Lyon"));

    let follow = html(
        field
            .app
            .anonymous
            .get(field.app.url(&link))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(follow.contains(&field.code));
    assert!(follow.contains("Reçu"));
    assert!(
        !follow.contains("me@example.org"),
        "the link reveals nothing else"
    );
}

#[tokio::test]
async fn honeypot_bad_input_and_markup() {
    let field = Field::new(TestApp::spawn().await).await;
    let bot = html(
        field
            .post_form("category=damaged&website=http%3A%2F%2Fspam")
            .await,
        200,
    )
    .await;
    assert!(bot.contains("Merci"), "looks accepted");
    assert!(field.reports().await.is_empty(), "silently dropped");

    let invalid = html(field.post_form("category=&description=x").await, 422).await;
    assert!(invalid.contains("category"));
    assert!(
        invalid.contains(">x</textarea>"),
        "the form keeps what was typed"
    );
    let long = format!("category=other&description={}", "a".repeat(1_001));
    html(field.post_form(&long).await, 422).await;
    assert!(field.reports().await.is_empty());

    let page = html(
        field
            .post_form("category=other&description=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            .await,
        200,
    )
    .await;
    let reports = field.reports().await;
    assert_eq!(
        reports[0]["description"], "<script>alert(1)</script>",
        "stored as text"
    );
    let follow = html(
        field
            .app
            .anonymous
            .get(field.app.url(&follow_link(&page)))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(!follow.contains("<script>"));
    // Staff comments are shown escaped on the follow-up page.
    let id = reports[0]["id"].as_str().unwrap();
    let manager = field.app.client_for(&field.app.token(Role::Manager));
    let commented = manager
        .post(field.app.url(&format!("/api/v1/reports/{id}/moderation")))
        .json(&json!({"action": "comment", "text": "<b>on it</b>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(commented.status(), 200);
    let follow = html(
        field
            .app
            .anonymous
            .get(field.app.url(&follow_link(&page)))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(follow.contains("&lt;b&gt;on it"));
}

#[tokio::test]
async fn a_flood_from_one_ip_is_refused_and_stores_nothing_more() {
    let field = Field::new(TestApp::spawn_with(&[("RATE_LIMIT_PUBLIC", "3/60")]).await).await;
    for _ in 0..3 {
        assert_eq!(field.post_form("category=dirty").await.status(), 200);
    }
    let refused = field.post_form("category=dirty").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(
        html(refused, 429).await.contains("Trop de signalements"),
        "a page for people"
    );
    let reports = field.reports().await;
    assert_eq!(reports[0]["count"], 3);
}

#[tokio::test]
async fn one_container_takes_a_limited_number_of_reports() {
    let field =
        Field::new(TestApp::spawn_with(&[("RATE_LIMIT_REPORTS_PER_CONTAINER", "2/3600")]).await)
            .await;
    assert_eq!(field.post_form("category=dirty").await.status(), 200);
    assert_eq!(field.post_form("category=missing").await.status(), 200);
    let refused = html(field.post_form("category=other").await, 429).await;
    assert!(refused.contains("Trop de signalements"));
    assert_eq!(field.reports().await.len(), 2);
}

#[tokio::test]
async fn staff_moderate_a_report_through_its_life_cycle() {
    let field = Field::new(TestApp::spawn().await).await;
    let page = html(
        field
            .post_form("category=damaged&description=door+broken")
            .await,
        200,
    )
    .await;
    let link = follow_link(&page);
    let id = field.reports().await[0]["id"].as_str().unwrap().to_owned();
    let manager = field.app.client_for(&field.app.token(Role::Manager));
    let act = |body: Value| {
        manager
            .post(field.app.url(&format!("/api/v1/reports/{id}/moderation")))
            .json(&body)
            .send()
    };
    assert_eq!(
        act(json!({"action": "acknowledge"}))
            .await
            .unwrap()
            .status(),
        200
    );
    problem(
        act(json!({"action": "reject", "reason": " "}))
            .await
            .unwrap(),
        422,
        Some("comment"),
    )
    .await;
    problem(
        act(json!({"action": "assign", "assignee_id": uuid::Uuid::new_v4()}))
            .await
            .unwrap(),
        422,
        Some("assignee_id"),
    )
    .await;
    assert_eq!(act(json!({"action": "start"})).await.unwrap().status(), 200);
    let resolved: Value = act(json!({"action": "resolve", "comment": "replaced the door"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resolved["status"], "resolved");
    problem(
        act(json!({"action": "acknowledge"})).await.unwrap(),
        409,
        Some("status"),
    )
    .await;
    problem(act(json!({"action": "fly"})).await.unwrap(), 422, None).await;

    let detail: Value = manager
        .get(field.app.url(&format!("/api/v1/reports/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let statuses: Vec<&Value> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["status"])
        .collect();
    assert_eq!(
        statuses,
        [
            &json!("new"),
            &json!("acknowledged"),
            &json!("in_progress"),
            &json!("resolved")
        ]
    );
    let follow = html(
        field
            .app
            .anonymous
            .get(field.app.url(&link))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(follow.contains("Résolu") && follow.contains("replaced the door"));

    let filtered: Value = manager
        .get(
            field
                .app
                .url("/api/v1/reports?status=resolved&category=damaged"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        filtered["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id.as_str())
    );
    problem(
        manager
            .get(field.app.url("/api/v1/reports?status=nope"))
            .send()
            .await
            .unwrap(),
        422,
        Some("status"),
    )
    .await;
    // Drivers may not moderate.
    let driver = field.app.client_for(&field.app.token(Role::Driver));
    assert_eq!(
        driver
            .get(field.app.url("/api/v1/reports"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}
