//! `TestApp`: the real actix app on a real port, over the real PostGIS, inside one
//! transaction that is rolled back when the test ends.

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::time::Duration;
use tisseco_application::auth::ports::Principal;
use tisseco_bootstrap::{
    HttpSettings, PgSettings, PoolMode, QueueSettings, Services, Settings, build_services,
    generate_signing_key, run_migrations,
};
use tisseco_domain::{PublicCode, Role, UserId};

/// `HTTP_JSON_LIMIT_BYTES` in tests.
pub const JSON_LIMIT: usize = 65_536;

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
        // short: the shared Redis keeps no test's `seen` keys for long
        dedup_ttl: Duration::from_secs(120),
        ca_file: None,
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

/// Settings as the binary would read them, for the test database, a Redis key prefix of
/// its own and a fresh signing key; `overrides` replace or add variables.
pub fn test_settings(database_url: &str, overrides: &[(&str, &str)]) -> Settings {
    let (key, _) = generate_signing_key(1);
    let prefix = format!("test-{}:", uuid::Uuid::new_v4().simple());
    let redis = redis_url();
    let mut vars: Vec<(&str, &str)> = vec![
        ("DATABASE_URL", database_url),
        ("REDIS_URL", &redis),
        ("REDIS_KEY_PREFIX", &prefix),
        ("QUEUE_PREFIX", &prefix),
        ("AUTH_PRIVATE_KEY", &key),
        ("HTTP_JSON_LIMIT_BYTES", "65536"),
        ("RATE_LIMIT_LOGIN", "1000/60"),
        ("RATE_LIMIT_PUBLIC", "1000/60"),
        ("RATE_LIMIT_API", "10000/60"),
    ];
    for (name, value) in overrides {
        vars.retain(|(n, _)| n != name);
        vars.push((name, value));
    }
    Settings::from_source(&vars, "tisseco-e2e").expect("valid test settings")
}

pub struct TestApp {
    pub base: String,
    /// Sends an admin's token with every request.
    pub client: reqwest::Client,
    /// Sends no token.
    pub anonymous: reqwest::Client,
    pub services: Services,
}

impl TestApp {
    /// Serves the app over one connection whose transaction is never committed.
    pub async fn spawn() -> Self {
        Self::spawn_configured(&[], None).await
    }

    /// As [`TestApp::spawn`], with the queues under `queue`'s prefix.
    pub async fn spawn_with_queue(queue: &QueueSettings) -> Self {
        Self::spawn_configured(&[], Some(queue)).await
    }

    /// As [`TestApp::spawn`], with some variables changed.
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> Self {
        Self::spawn_configured(overrides, None).await
    }

    async fn spawn_configured(overrides: &[(&str, &str)], queue: Option<&QueueSettings>) -> Self {
        let url = migrated_database().await;
        let mut settings = test_settings(&url, overrides);
        if let Some(queue) = queue {
            settings.queue = queue.clone();
        }
        let services =
            build_services(&settings, PoolMode::RollbackTestTransaction).expect("services");
        Self::serve(services, settings.http)
    }

    /// Serves the app on a committed database (its own schema, several connections), with
    /// the queues of `queue`: for tests where another process must see the writes.
    pub fn serve_on(database_url: &str, queue: &QueueSettings) -> Self {
        let mut settings = test_settings(database_url, &[("DATABASE_MAX_CONNECTIONS", "4")]);
        settings.queue = queue.clone();
        let services = build_services(&settings, PoolMode::Normal).expect("services");
        Self::serve(services, settings.http)
    }

    pub fn serve(services: Services, http: HttpSettings) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = listener.local_addr().expect("local address").port();
        let app_services = services.clone();
        let server = actix_web::HttpServer::new(move || {
            tisseco_api::app(app_services.clone(), http.clone())
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(server);
        let mut app = Self {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            anonymous: reqwest::Client::new(),
            services,
        };
        app.client = app.client_for(&app.token(Role::Admin));
        app
    }

    /// An access token for a made-up user with `role`.
    pub fn token(&self, role: Role) -> String {
        let principal = Principal {
            user_id: UserId::generate(),
            role,
            session_id: uuid::Uuid::now_v7(),
        };
        self.services
            .auth
            .issue_access_token(principal)
            .expect("a token")
    }

    /// A client that sends `token` with every request.
    pub fn client_for(&self, token: &str) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
            .expect("ASCII token");
        headers.insert(reqwest::header::AUTHORIZATION, value);
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .expect("client")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
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

/// A long public code no other container has, as the import gives one.
pub fn random_public_code() -> PublicCode {
    let mut random = [0_u8; 12];
    random.copy_from_slice(&uuid::Uuid::new_v4().as_bytes()[..12]);
    PublicCode::long_from_random(random)
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
