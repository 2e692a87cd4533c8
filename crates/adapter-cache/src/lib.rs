//! Redis adapters (deadpool-redis): the rate limiter and the revocation cache. Every key
//! starts with a configurable prefix, so several deployments (or tests) share one Redis.

mod pool;
mod rate_limit;
mod revocations;

pub use pool::{RedisPool, RedisSettings};
pub use rate_limit::RedisRateLimiter;
pub use revocations::RedisRevocationCache;
