//! Point 4: requests in flight while PostgreSQL shuts down answer 503 with `Retry-After`,
//! never 500, and writes are quick again soon after it is back.

use crate::migrate;
use crate::servers::{Postgres, Redis};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tisseco_application::auth::ports::Principal;
use tisseco_bootstrap::{PoolMode, Settings, build_services, generate_signing_key};
use tisseco_domain::{Role, UserId};

/// One answer: when it was sent (since the start), its status, how long it took.
type Answer = (Duration, u16, Duration, bool);

#[tokio::test(flavor = "multi_thread")]
#[ignore = "fault suite: just faults"]
async fn requests_during_a_postgres_shutdown_get_503_with_retry_after_never_500() {
    let pg = Postgres::start();
    let redis = Redis::start();
    migrate(&pg.url()).await;
    let (key, _) = generate_signing_key(1);
    let (url, redis_url) = (pg.url(), redis.url());
    let vars: Vec<(&str, &str)> = vec![
        ("DATABASE_URL", &url),
        ("REDIS_URL", &redis_url),
        ("AUTH_PRIVATE_KEY", &key),
        ("DATABASE_CONNECT_TIMEOUT_MS", "1000"),
        ("RATE_LIMIT_API", "1000000/60"),
    ];
    let settings = Settings::from_source(&vars, "tisseco-faults").unwrap();
    let services = build_services(&settings, PoolMode::Normal).unwrap();
    let token = services
        .auth
        .issue_access_token(Principal {
            user_id: UserId::generate(),
            role: Role::Admin,
            session_id: uuid::Uuid::now_v7(),
        })
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let http = settings.http.clone();
    let server =
        actix_web::HttpServer::new(move || tisseco_api::app(services.clone(), http.clone()))
            .workers(2)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run();
    tokio::spawn(server);

    let answers: Arc<Mutex<Vec<Answer>>> = Arc::default();
    let started = Instant::now();
    let run_for = Duration::from_secs(16);
    let mut clients = Vec::new();
    for client in 0..8 {
        let (answers, base, token) = (answers.clone(), base.clone(), token.clone());
        clients.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap();
            let mut n = 0;
            while started.elapsed() < run_for {
                n += 1;
                let sent = started.elapsed();
                let request = if n % 2 == 0 {
                    http.post(format!("{base}/api/v1/sites"))
                        .json(&json!({"code": format!("f-{client}-{n}"), "name": "Fault"}))
                } else {
                    http.get(format!("{base}/api/v1/sites?limit=5"))
                };
                let response = request.bearer_auth(&token).send().await;
                let (status, retry_after) = match response {
                    Ok(r) => (r.status().as_u16(), r.headers().contains_key("retry-after")),
                    Err(_) => (0, false),
                };
                answers
                    .lock()
                    .unwrap()
                    .push((sent, status, started.elapsed() - sent, retry_after));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let stopping = started.elapsed();
    pg.stop();
    tokio::time::sleep(Duration::from_secs(5)).await;
    pg.start_again();
    let back = started.elapsed();
    for client in clients {
        client.await.unwrap();
    }
    let answers = answers.lock().unwrap().clone();
    let count = |f: &dyn Fn(&Answer) -> bool| answers.iter().filter(|a| f(a)).count();
    let errors = count(&|a| a.1 >= 500 && a.1 != 503);
    let unavailable = count(&|a| a.1 == 503);
    let without_retry_after = count(&|a| a.1 == 503 && !a.3);
    let after = |a: &Answer| a.0 > back + Duration::from_secs(1);
    let slowest_after = answers
        .iter()
        .filter(|a| after(a))
        .map(|a| a.2)
        .max()
        .unwrap_or_default();
    let failed_after = count(&|a| after(a) && !(200..300).contains(&a.1));
    println!(
        "FAULT postgres stopped at {:.1} s for 5 s under 8 clients: {} requests, {} answered 5xx other than 503, {} answered 503 ({} without Retry-After); from 1 s after it was back: {} failed, slowest {} ms",
        stopping.as_secs_f64(),
        answers.len(),
        errors,
        unavailable,
        without_retry_after,
        failed_after,
        slowest_after.as_millis()
    );
    assert_eq!(errors, 0, "a database outage is 503, never 500");
    assert!(unavailable > 0, "the outage was seen");
    assert_eq!(without_retry_after, 0);
    assert_eq!(failed_after, 0, "served again a second after the restart");
}
