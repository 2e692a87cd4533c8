//! Redis adapters (deadpool-redis): the cache with versioned namespaces, the rate limiter
//! and the revocation cache. Every key starts with a configurable prefix, so several
//! deployments (or tests) share one Redis.

mod cache;
mod client;
mod connection;
mod metrics;
mod rate_limit;
mod revocations;
mod tls;

pub use cache::{RedisCache, RedisConfigError};
pub use client::{RedisClient, RedisSettings};
pub use rate_limit::RedisRateLimiter;
pub use revocations::RedisRevocationCache;
