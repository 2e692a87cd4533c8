//! `TestApp`: the real actix app on a real port, over the real PostGIS, inside one
//! transaction that is rolled back when the test ends.

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::time::Duration;
use tisseco_bootstrap::{
    PgSettings, PoolMode, QueueSettings, Services, build_services, run_migrations,
};

pub const JSON_LIMIT: usize = 64 * 1024;

pub fn test_database_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/tisseco_test".to_owned())
}

pub fn pg_settings(url: &str, max_connections: usize) -> PgSettings {
    PgSettings {
        url: SecretString::from(url.to_owned()),
        max_connections,
        statement_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(5),
        application_name: "tisseco-e2e".into(),
    }
}

pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// Queue settings whose keys start with `prefix` (one per test, so tests never collide).
pub fn queue_settings(prefix: &str) -> QueueSettings {
    QueueSettings {
        url: redis_url(),
        prefix: prefix.to_owned(),
        queues: vec!["events".to_owned(), "mail".to_owned()],
        command_timeout: Duration::from_secs(3),
    }
}

/// Migrates the test database (a no-op when up to date; serialised by an advisory lock).
pub async fn migrated_database() -> String {
    let url = test_database_url();
    run_migrations(&SecretString::from(url.clone()))
        .await
        .expect("migrate the test database");
    url
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
}

impl TestApp {
    /// Serves the app over one connection whose transaction is never committed.
    pub async fn spawn() -> Self {
        Self::spawn_with_queue(&queue_settings(&unique("test"))).await
    }

    /// As [`TestApp::spawn`], with the queues under `queue`'s prefix.
    pub async fn spawn_with_queue(queue: &QueueSettings) -> Self {
        let url = migrated_database().await;
        let services = build_services(
            &pg_settings(&url, 1),
            PoolMode::RollbackTestTransaction,
            queue,
        )
        .expect("services");
        Self::serve(services)
    }

    pub fn serve(services: Services) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = listener.local_addr().expect("local address").port();
        let server =
            actix_web::HttpServer::new(move || tisseco_api::app(services.clone(), JSON_LIMIT))
                .workers(1)
                .disable_signals()
                .listen(listener)
                .expect("listen")
                .run();
        tokio::spawn(server);
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
        }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.expect("GET")
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn patch(&self, path: &str, etag: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path)
            .header("If-Match", etag)
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    /// Creates a site and returns its JSON.
    pub async fn site(&self, code: &str) -> Value {
        let response = self
            .post(
                "/api/v1/sites",
                &json!({"code": code, "name": format!("Site {code}")}),
            )
            .await;
        created(response).await
    }

    /// Creates an area of `site` with a square boundary and returns its JSON.
    pub async fn area(&self, site: &Value, code: &str) -> Value {
        let body =
            json!({"site_id": site["id"], "code": code, "name": "District", "boundary": square()});
        created(self.post("/api/v1/areas", &body).await).await
    }

    /// Creates a container with `fields` over sensible defaults and returns its JSON.
    pub async fn container(&self, site: &Value, fields: Value) -> Value {
        let mut body = json!({
            "site_id": site["id"], "type": "street_bin",
            "location": {"latitude": 45.7578, "longitude": 4.832}, "address": "12 rue Garibaldi, Lyon",
        });
        merge(&mut body, fields);
        created(self.post("/api/v1/containers", &body).await).await
    }
}

pub fn merge(target: &mut Value, fields: Value) {
    if let (Some(target), Value::Object(fields)) = (target.as_object_mut(), fields) {
        target.extend(fields);
    }
}

pub fn square() -> Value {
    json!({"type": "Polygon", "coordinates": [[[4.80, 45.70], [4.90, 45.70], [4.90, 45.80], [4.80, 45.80], [4.80, 45.70]]]})
}

/// A site code no other test uses.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

pub async fn created(response: Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

pub fn etag(response: &Response) -> String {
    response
        .headers()
        .get("etag")
        .expect("an ETag")
        .to_str()
        .expect("ASCII")
        .to_owned()
}

/// Asserts a problem+json with `status` and, when given, the offending field.
pub async fn problem(response: Response, status: u16, field: Option<&str>) -> Value {
    let actual = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let body: Value = response.json().await.expect("a JSON problem");
    assert_eq!(actual, status, "{body}");
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    assert_eq!(body["status"], status);
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    if let Some(field) = field {
        assert_eq!(body["errors"][0]["field"], field, "{body}");
    }
    body
}
