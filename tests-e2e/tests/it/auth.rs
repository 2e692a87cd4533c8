//! Sign-in, tokens, revocation and attenuation over real HTTP, PostgreSQL and Redis.

use crate::support::{TestApp, problem};
use chrono::{Duration as Span, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tisseco_adapter_auth::{BiscuitTokens, SigningKeys};
use tisseco_application::auth::ports::{AccessClaims, Principal, TokenService};
use tisseco_application::ports::AuditContext;
use tisseco_bootstrap::generate_signing_key;
use tisseco_domain::{Email, NewUser, Password, Role, UserId, display_name};

const PASSWORD: &str = "a perfectly fine password";

pub(crate) async fn user(app: &TestApp, email: &str, role: Role) -> tisseco_domain::User {
    let new = NewUser {
        email: Email::parse(email).unwrap(),
        display_name: display_name("Test user").unwrap(),
        role,
    };
    app.services
        .auth
        .create_user(
            new,
            &Password::new(PASSWORD).unwrap(),
            &AuditContext::default(),
        )
        .await
        .unwrap()
}

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.anonymous
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

pub(crate) async fn tokens(app: &TestApp, email: &str) -> Value {
    let response = login(app, email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.client_for(token)
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_user_signs_in_and_reads_who_they_are() {
    let app = TestApp::spawn().await;
    let ana = user(&app, "ana@tisseco.test", Role::Manager).await;
    let pair = tokens(&app, "ANA@tisseco.test").await;
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    let me: Value = me(&app, pair["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (me["id"].as_str(), me["role"].as_str()),
        (Some(ana.id.to_string().as_str()), Some("manager"))
    );
}

#[tokio::test]
async fn wrong_credentials_get_one_answer_in_comparable_time() {
    let app = TestApp::spawn().await;
    user(&app, "ana@tisseco.test", Role::Driver).await;
    let cases = [
        ("nobody@tisseco.test", PASSWORD),
        ("ana@tisseco.test", "not the right password"),
    ];
    let mut timings: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    let mut details = Vec::new();
    // Interleaved, so that load on the machine weighs on both cases alike.
    for _ in 0..5 {
        for (case, (email, password)) in cases.iter().enumerate() {
            let started = Instant::now();
            let body = problem(login(&app, email, password).await, 401, None).await;
            timings[case].push(started.elapsed());
            details.push(body["detail"].as_str().unwrap().to_owned());
        }
    }
    details.dedup();
    assert_eq!(
        details,
        ["invalid e-mail or password"],
        "one message whatever was wrong"
    );
    let median = |runs: &mut Vec<Duration>| {
        runs.sort();
        runs[runs.len() / 2].as_secs_f64()
    };
    let (unknown, wrong) = (median(&mut timings[0]), median(&mut timings[1]));
    // Without the dummy hash an unknown account answers ~10x faster; noise stays well inside this.
    assert!(
        (0.25..4.0).contains(&(unknown / wrong)),
        "unknown account {unknown:.4}s vs wrong password {wrong:.4}s"
    );
}

#[tokio::test]
async fn bad_tokens_are_401_problems_never_500() {
    let (key, _) = generate_signing_key(1);
    let app = TestApp::spawn_with(&[("AUTH_PRIVATE_KEY", &key)]).await;
    let same_key = BiscuitTokens::new(SigningKeys::from_hex(&key, 1, &[]).unwrap());
    let other_key = BiscuitTokens::new(SigningKeys::generate(1));
    let principal = Principal {
        user_id: UserId::generate(),
        role: Role::Admin,
        session_id: uuid::Uuid::now_v7(),
    };
    let expired = same_key
        .issue(&AccessClaims {
            principal: principal.clone(),
            expires_at: Utc::now() - Span::seconds(1),
        })
        .unwrap();
    let foreign = other_key
        .issue(&AccessClaims {
            principal,
            expires_at: Utc::now() + Span::minutes(5),
        })
        .unwrap();
    let mut forged = app.token(Role::Driver).into_bytes();
    let last = forged.len() - 10;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();

    for (label, header) in [
        ("expired", format!("Bearer {expired}")),
        ("another root key", format!("Bearer {foreign}")),
        ("forged signature", format!("Bearer {forged}")),
        ("malformed base64", "Bearer !!!not-base64!!!".to_owned()),
        ("empty", String::new()),
        ("scheme only", "Bearer".to_owned()),
        ("wrong scheme", format!("Basic {}", app.token(Role::Admin))),
    ] {
        let response = app
            .anonymous
            .get(app.url("/api/v1/sites"))
            .header("Authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap()),
            Some("Bearer"),
            "{label}"
        );
        problem(response, 401, None).await;
    }
    problem(
        app.anonymous
            .get(app.url("/api/v1/sites"))
            .send()
            .await
            .unwrap(),
        401,
        None,
    )
    .await;
}

#[tokio::test]
async fn logout_revokes_the_session_everywhere() {
    let app = TestApp::spawn().await;
    user(&app, "ana@tisseco.test", Role::Manager).await;
    let pair = tokens(&app, "ana@tisseco.test").await;
    let access = pair["access_token"].as_str().unwrap();
    let phone: Value = app
        .client_for(access)
        .post(app.url("/api/v1/auth/attenuate"))
        .json(&json!({"read_only": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let phone = phone["access_token"].as_str().unwrap();
    assert_eq!(me(&app, phone).await.status(), StatusCode::OK);
    // twice: the second answer comes from the verified-token cache
    for _ in 0..2 {
        assert_eq!(me(&app, access).await.status(), StatusCode::OK);
    }

    let out = app
        .client_for(access)
        .post(app.url("/api/v1/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    for token in [access, phone] {
        let body = problem(me(&app, token).await, 401, None).await;
        assert!(
            body["detail"].as_str().unwrap().contains("revoked"),
            "{body}"
        );
    }
    let refresh = app
        .anonymous
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": pair["refresh_token"]}))
        .send()
        .await
        .unwrap();
    problem(refresh, 401, None).await;
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_whole_family() {
    let app = TestApp::spawn().await;
    user(&app, "ana@tisseco.test", Role::Driver).await;
    let first = tokens(&app, "ana@tisseco.test").await;
    let refresh = |token: Value| {
        let app = &app;
        async move {
            app.anonymous
                .post(app.url("/api/v1/auth/refresh"))
                .json(&json!({"refresh_token": token}))
                .send()
                .await
                .unwrap()
        }
    };
    let second = refresh(first["refresh_token"].clone()).await;
    assert_eq!(second.status(), StatusCode::OK);
    let second: Value = second.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(
        me(&app, second["access_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );

    problem(refresh(first["refresh_token"].clone()).await, 401, None).await;
    problem(refresh(second["refresh_token"].clone()).await, 401, None).await;
    problem(
        me(&app, second["access_token"].as_str().unwrap()).await,
        401,
        None,
    )
    .await;
    problem(refresh(json!("made-up")).await, 401, None).await;
}

#[tokio::test]
async fn an_attenuated_token_cannot_write() {
    let app = TestApp::spawn().await;
    let manager = app.client_for(&app.token(Role::Manager));
    let attenuated: Value = manager
        .post(app.url("/api/v1/auth/attenuate"))
        .json(&json!({"read_only": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let read_only = app.client_for(attenuated["access_token"].as_str().unwrap());
    assert_eq!(
        read_only
            .get(app.url("/api/v1/sites"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let write = read_only
        .post(app.url("/api/v1/sites"))
        .json(&json!({"code": "nope", "name": "Nope"}))
        .send()
        .await
        .unwrap();
    problem(write, 403, None).await;
    let admin_route = read_only
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .unwrap();
    problem(admin_route, 403, None).await;

    let past = json!({"expires_at": (Utc::now() - Span::minutes(1)).to_rfc3339()});
    problem(
        manager
            .post(app.url("/api/v1/auth/attenuate"))
            .json(&past)
            .send()
            .await
            .unwrap(),
        422,
        Some("expires_at"),
    )
    .await;
    let soon = json!({"expires_at": (Utc::now() + Span::seconds(1)).to_rfc3339()});
    let short: Value = manager
        .post(app.url("/api/v1/auth/attenuate"))
        .json(&soon)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    problem(
        app.client_for(short["access_token"].as_str().unwrap())
            .get(app.url("/api/v1/sites"))
            .send()
            .await
            .unwrap(),
        401,
        None,
    )
    .await;
}

#[tokio::test]
async fn a_driver_reads_their_own_account_but_no_one_else() {
    let app = TestApp::spawn().await;
    user(&app, "dan@tisseco.test", Role::Driver).await;
    let other = user(&app, "dora@tisseco.test", Role::Driver).await;
    let pair = tokens(&app, "dan@tisseco.test").await;
    let driver = app.client_for(pair["access_token"].as_str().unwrap());
    let mine: Value = driver
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["email"], "dan@tisseco.test");
    problem(
        driver
            .get(app.url(&format!("/api/v1/users/{}", other.id)))
            .send()
            .await
            .unwrap(),
        403,
        None,
    )
    .await;
    problem(
        driver
            .get(app.url("/api/v1/containers"))
            .send()
            .await
            .unwrap(),
        403,
        None,
    )
    .await;
}

#[tokio::test]
async fn admins_manage_accounts_and_a_demotion_ends_sessions() {
    let app = TestApp::spawn().await;
    let created = app
        .client
        .post(app.url("/api/v1/users"))
        .json(&json!({"email": "Mia@Tisseco.test", "display_name": "Mia", "role": "manager", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let mia: Value = created.json().await.unwrap();
    assert_eq!(mia["email"], "mia@tisseco.test");
    let twin = json!({"email": "mia@tisseco.test", "display_name": "Mia", "role": "manager", "password": PASSWORD});
    problem(
        app.client
            .post(app.url("/api/v1/users"))
            .json(&twin)
            .send()
            .await
            .unwrap(),
        409,
        Some("email"),
    )
    .await;
    let weak = json!({"email": "x@tisseco.test", "display_name": "X", "role": "driver", "password": "short"});
    problem(
        app.client
            .post(app.url("/api/v1/users"))
            .json(&weak)
            .send()
            .await
            .unwrap(),
        422,
        Some("password"),
    )
    .await;

    let pair = tokens(&app, "mia@tisseco.test").await;
    let path = format!("/api/v1/users/{}", mia["id"].as_str().unwrap());
    let demoted = app
        .client
        .patch(app.url(&path))
        .header("If-Match", "\"1\"")
        .json(&json!({"role": "driver"}))
        .send()
        .await
        .unwrap();
    assert_eq!(demoted.status(), StatusCode::OK);
    problem(
        me(&app, pair["access_token"].as_str().unwrap()).await,
        401,
        None,
    )
    .await;
    let listed: Value = app
        .client
        .get(app.url("/api/v1/users?role=driver"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["id"] == mia["id"])
    );
}

#[tokio::test]
async fn the_audit_log_records_the_actor() {
    let app = TestApp::spawn().await;
    let principal = Principal {
        user_id: UserId::generate(),
        role: Role::Manager,
        session_id: uuid::Uuid::now_v7(),
    };
    let manager = app.client_for(
        &app.services
            .auth
            .issue_access_token(principal.clone())
            .unwrap(),
    );
    let site: Value = manager
        .post(app.url("/api/v1/sites"))
        .json(&json!({"code": "actors", "name": "Actors"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let body = json!({"site_id": site["id"], "type": "street_bin", "location": {"latitude": 45.0, "longitude": 4.0}});
    let container: Value = manager
        .post(app.url("/api/v1/containers"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!(
        "/api/v1/containers/{}/history",
        container["id"].as_str().unwrap()
    );
    let history: Value = manager
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        history["items"][0]["actor_id"],
        principal.user_id.to_string()
    );
}

#[tokio::test]
async fn password_reset_answers_alike_and_refuses_bad_tokens() {
    let app = TestApp::spawn().await;
    user(&app, "ana@tisseco.test", Role::Driver).await;
    for email in ["ana@tisseco.test", "nobody@tisseco.test"] {
        let response = app
            .anonymous
            .post(app.url("/api/v1/auth/password-reset"))
            .json(&json!({"email": email}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED, "{email}");
    }
    let confirm = |body: Value| {
        app.anonymous
            .post(app.url("/api/v1/auth/password-reset/confirm"))
            .json(&body)
            .send()
    };
    problem(
        confirm(json!({"token": "made-up", "password": "a long enough password"}))
            .await
            .unwrap(),
        422,
        Some("token"),
    )
    .await;
    problem(
        confirm(json!({"token": "made-up", "password": "short"}))
            .await
            .unwrap(),
        422,
        Some("password"),
    )
    .await;
}

#[tokio::test]
async fn password_reset_answers_known_and_unknown_addresses_in_comparable_time() {
    let app = TestApp::spawn().await;
    let mut timings: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    // A new address each time: three requests per address and hour are allowed. The
    // accounts are made first, so that no password hashing runs beside the measures.
    for round in 0..9 {
        user(&app, &format!("known-{round}@tisseco.test"), Role::Driver).await;
    }
    for round in 0..9 {
        let known = format!("known-{round}@tisseco.test");
        let unknown = format!("unknown-{round}@tisseco.test");
        for (case, email) in [known, unknown].iter().enumerate() {
            let started = Instant::now();
            let response = app
                .anonymous
                .post(app.url("/api/v1/auth/password-reset"))
                .json(&json!({ "email": email }))
                .send()
                .await
                .unwrap();
            timings[case].push(started.elapsed());
            assert_eq!(response.status(), StatusCode::ACCEPTED);
        }
    }
    let median = |runs: &mut Vec<Duration>| {
        runs.sort();
        runs[runs.len() / 2].as_secs_f64()
    };
    let (known, unknown) = (median(&mut timings[0]), median(&mut timings[1]));
    // Before, a known address made the link and queued the e-mail before answering (40 ms
    // against 23 ms); both now answer once the rate limit is checked. A few milliseconds
    // apart is noise on a loaded machine (5 ms against 3 ms was seen), not a tell.
    assert!(
        (0.6..1.6).contains(&(known / unknown)) || (known - unknown).abs() < 0.008,
        "known {known:.4}s vs unknown {unknown:.4}s"
    );
}
