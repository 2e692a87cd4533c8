//! Rate limits per IP and per user, the headers, the proxy rule, and Redis being down.

use crate::support::{TestApp, problem};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;
use tisseco_domain::Role;

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// An anonymous `GET /health/live`: the cheapest route behind the public rate limit.
async fn live(app: &TestApp) -> reqwest::Response {
    app.anonymous
        .get(app.url("/health/live"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_limit_refuses_the_next_request_then_recovers() {
    let app = TestApp::spawn_with(&[("RATE_LIMIT_PUBLIC", "3/2")]).await;
    for remaining in ["2", "1", "0"] {
        let response = live(&app).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "ratelimit-limit").as_deref(), Some("3"));
        assert_eq!(
            header(&response, "ratelimit-remaining").as_deref(),
            Some(remaining)
        );
        assert!(header(&response, "ratelimit-reset").is_some());
    }
    let refused = live(&app).await;
    let retry_after: u64 = header(&refused, "retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    assert_eq!(
        header(&refused, "ratelimit-remaining").as_deref(),
        Some("0")
    );
    problem(refused, 429, None).await;

    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(live(&app).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn authenticated_limits_count_per_user() {
    let app = TestApp::spawn_with(&[("RATE_LIMIT_API", "2/60")]).await;
    let (ana, bob) = (
        app.client_for(&app.token(Role::Manager)),
        app.client_for(&app.token(Role::Manager)),
    );
    for _ in 0..2 {
        assert_eq!(
            ana.get(app.url("/api/v1/sites"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
    }
    problem(
        ana.get(app.url("/api/v1/sites")).send().await.unwrap(),
        429,
        None,
    )
    .await;
    assert_eq!(
        bob.get(app.url("/api/v1/sites"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK,
        "another user is not affected"
    );
}

#[tokio::test]
async fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
    let behind_proxy = TestApp::spawn_with(&[
        ("RATE_LIMIT_PUBLIC", "1/60"),
        ("TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    let from = |app: &TestApp, ip: &'static str| {
        app.anonymous
            .get(app.url("/health/live"))
            .header("X-Forwarded-For", ip)
            .send()
    };
    assert_eq!(
        from(&behind_proxy, "203.0.113.5").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        from(&behind_proxy, "203.0.113.5").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        from(&behind_proxy, "203.0.113.6").await.unwrap().status(),
        StatusCode::OK,
        "another client"
    );

    let direct = TestApp::spawn_with(&[("RATE_LIMIT_PUBLIC", "1/60")]).await;
    assert_eq!(
        from(&direct, "203.0.113.5").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        from(&direct, "198.51.100.9").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a spoofed header changes nothing"
    );
}

#[tokio::test]
async fn repeated_login_failures_slow_the_account_down() {
    let app = TestApp::spawn_with(&[("RATE_LIMIT_LOGIN_FAILURES", "3/600")]).await;
    let attempt = |password: &'static str| {
        app.anonymous
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": "eve@tisseco.test", "password": password}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(
            attempt("guess guess guess").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let slowed = attempt("another guess!!").await.unwrap();
    assert!(header(&slowed, "retry-after").is_some());
    problem(slowed, 429, None).await;
}

#[tokio::test]
async fn without_redis_staff_keep_working_and_login_stays_shut() {
    let app = TestApp::spawn_with(&[
        ("REDIS_URL", "redis://127.0.0.1:1"),
        ("REDIS_TIMEOUT_MS", "200"),
    ])
    .await;
    let manager = app.client_for(&app.token(Role::Manager));
    let listed = manager.get(app.url("/api/v1/sites")).send().await.unwrap();
    assert_eq!(
        listed.status(),
        StatusCode::OK,
        "authenticated traffic fails open"
    );
    assert!(header(&listed, "ratelimit-limit").is_none());
    let login = app
        .anonymous
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "a@tisseco.test", "password": "whatever it is"}))
        .send()
        .await
        .unwrap();
    assert!(header(&login, "retry-after").is_some());
    problem(login, 503, None).await;
    assert_eq!(live(&app).await.status(), StatusCode::OK);
}

/// Closes every Redis connection named `name` (`CLIENT LIST` shows the name); how many.
async fn kill_redis_clients_named(name: &str) -> usize {
    use deadpool_redis::redis;
    let client = redis::Client::open(crate::support::redis_url()).unwrap();
    let mut admin = client.get_multiplexed_async_connection().await.unwrap();
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut admin)
        .await
        .unwrap();
    let ids: Vec<&str> = list
        .lines()
        .filter(|line| line.split(' ').any(|field| field == format!("name={name}")))
        .filter_map(|line| line.split(' ').find_map(|f| f.strip_prefix("id=")))
        .collect();
    for id in &ids {
        let _: i64 = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(*id)
            .query_async(&mut admin)
            .await
            .unwrap();
    }
    ids.len()
}

#[tokio::test]
async fn after_redis_drops_the_connection_the_limits_come_back() {
    let name = format!("test-{}", uuid::Uuid::new_v4().simple());
    let prefix = format!("{name}:");
    let app = TestApp::spawn_with(&[("REDIS_KEY_PREFIX", &prefix)]).await;
    let limit_header = || async {
        let response = live(&app).await;
        assert_eq!(response.status(), StatusCode::OK, "fails open meanwhile");
        header(&response, "ratelimit-limit")
    };
    assert!(limit_header().await.is_some());
    assert!(
        kill_redis_clients_named(&name).await >= 1,
        "the connection carries its name"
    );
    // The next call finds the connection closed; a new one is made after the back-off.
    let back = async {
        while limit_header().await.is_none() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), back)
        .await
        .expect("rate limits resume within 5 s of the connection closing");
}

#[tokio::test]
async fn responses_carry_security_headers_and_cors_follows_the_allow_list() {
    let app = TestApp::spawn_with(&[
        ("CORS_ALLOWED_ORIGINS", "https://admin.tisseco.test"),
        ("HTTP_HSTS", "true"),
    ])
    .await;
    let response = app
        .anonymous
        .get(app.url("/health/live"))
        .header("Origin", "https://admin.tisseco.test")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some("https://admin.tisseco.test")
    );
    assert_eq!(
        header(&response, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(
        header(&response, "referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert!(header(&response, "strict-transport-security").is_some());
    assert!(header(&response, "server").is_none(), "no server banner");

    let preflight = app
        .anonymous
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/sites"))
        .header("Origin", "https://admin.tisseco.test")
        .header("Access-Control-Request-Method", "PATCH")
        .header("Access-Control-Request-Headers", "authorization, if-match")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let stranger = app
        .anonymous
        .get(app.url("/health/live"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(header(&stranger, "access-control-allow-origin").is_none());

    let plain = TestApp::spawn().await;
    let response = plain
        .anonymous
        .get(plain.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert!(
        header(&response, "strict-transport-security").is_none(),
        "HSTS only when configured"
    );
}
