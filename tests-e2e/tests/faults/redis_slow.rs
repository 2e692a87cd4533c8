//! Point 5: a Redis that answers late (frozen 700 ms, over the 500 ms timeout) is not a
//! down Redis: rate-limit checks (what sign-in needs) succeed; a Redis really down opens the
//! breaker, and the first checks after it is back succeed within a second or so.

use crate::servers::Redis;
use std::time::{Duration, Instant};
use tisseco_adapter_cache::{RedisClient, RedisRateLimiter};
use tisseco_application::auth::ports::Quota;
use tisseco_application::auth::ports::RateLimiter;
use tisseco_bootstrap::RedisSettings;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "fault suite: just faults"]
async fn a_slow_redis_is_not_a_down_redis_and_a_restarted_one_is_used_again_at_once() {
    let mut redis = Redis::start();
    let client = RedisClient::new(&RedisSettings {
        url: secrecy::SecretString::from(redis.url()),
        key_prefix: "faults:".into(),
        timeout: Duration::from_millis(500),
        retry_after: Duration::from_secs(1),
        ca_file: None,
    })
    .unwrap();
    let limiter = RedisRateLimiter::new(client);
    let quota = Quota {
        limit: 1_000_000,
        period: Duration::from_secs(60),
    };
    assert!(limiter.check("warm", quota, 1).await.is_ok());

    let mut refused = 0;
    for round in 0..5 {
        redis.freeze();
        let checks: Vec<_> = (0..10)
            .map(|n| {
                let limiter = limiter.clone();
                tokio::spawn(async move { limiter.check(&format!("k{round}-{n}"), quota, 1).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(700)).await;
        redis.thaw();
        for check in checks {
            if let Err(error) = check.await.unwrap() {
                if refused == 0 {
                    println!("refused: {error}");
                }
                refused += 1;
            }
        }
        // and right after: no breaker left open by a slow answer
        if limiter.check("after", quota, 1).await.is_err() {
            refused += 1;
        }
    }

    redis.stop();
    for _ in 0..5 {
        let _ = limiter.check("down", quota, 1).await;
    }
    redis.start_again();
    let back = Instant::now();
    let mut first_ok = None;
    while back.elapsed() < Duration::from_secs(10) {
        if limiter.check("back", quota, 1).await.is_ok() {
            first_ok = Some(back.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "FAULT redis frozen 700 ms five times under 10 checks each: {refused} of 55 refused; after a real outage, checks succeed again {:?} after the restart",
        first_ok
    );
    assert_eq!(refused, 0, "a slow answer is retried, not a 503");
    assert!(
        first_ok.is_some_and(|d| d < Duration::from_secs(5)),
        "{first_ok:?}"
    );
}
