//! A GCRA rate limiter: one Lua script, so each check is one atomic Redis operation. The
//! quota allows bursts of `limit` and refills one request every `period / limit`.

use crate::client::RedisClient;
use async_trait::async_trait;
use deadpool_redis::redis::Script;
use std::sync::LazyLock;
use std::time::Duration;
use tisseco_application::auth::ports::{Quota, RateDecision, RateLimiter};
use tisseco_application::ports::RepoError;

/// KEYS[1]: the key. ARGV: limit, period (ms), cost (0 = only look).
/// Returns {allowed, remaining, reset_ms, retry_ms}; the clock is Redis's own.
static GCRA: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
        local limit = tonumber(ARGV[1])
        local period = tonumber(ARGV[2])
        local cost = tonumber(ARGV[3])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local interval = period / limit
        local tat = tonumber(redis.call('GET', KEYS[1])) or now
        if tat < now then tat = now end
        local new_tat = tat + math.max(cost, 1) * interval
        local diff = now - (new_tat - period)
        if diff < 0 then
          return {0, 0, math.ceil(tat - now), math.ceil(-diff)}
        end
        if cost > 0 then
          redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
        else
          new_tat = tat
        end
        return {1, math.floor(diff / interval + 1e-6), math.ceil(new_tat - now), 0}
        ",
    )
});

#[derive(Debug, Clone)]
pub struct RedisRateLimiter {
    redis: RedisClient,
}

impl RedisRateLimiter {
    #[must_use]
    pub fn new(redis: RedisClient) -> Self {
        Self { redis }
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn check(&self, key: &str, quota: Quota, cost: u32) -> Result<RateDecision, RepoError> {
        let group = key;
        let key = self.redis.key(&["rate", key]);
        let period_ms = u64::try_from(quota.period.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let limit = quota.limit.max(1);
        let (allowed, remaining, reset_ms, retry_ms): (u8, u64, u64, u64) = self
            .redis
            .run(|mut conn| {
                let key = key.clone();
                async move {
                    GCRA.key(key)
                        .arg(limit)
                        .arg(period_ms)
                        .arg(cost)
                        .invoke_async(&mut conn)
                        .await
                }
            })
            .await?;
        if allowed != 1 {
            crate::metrics::rate_limit_refused(group);
        }
        Ok(RateDecision {
            allowed: allowed == 1,
            limit,
            remaining: u32::try_from(remaining).unwrap_or(limit).min(limit),
            reset_after: Duration::from_millis(reset_ms),
            retry_after: Duration::from_millis(retry_ms),
        })
    }
}
