//! Cache settings (Redis and TTLs) from the environment.

use crate::config::{ConfigError, Source, in_range, optional};
use secrecy::SecretString;
use std::time::Duration;
use tisseco_adapter_cache::RedisSettings;
use tisseco_application::search::CacheTtls;

/// Redis and how long cached answers live.
#[derive(Debug, Clone)]
pub struct CacheSettings {
    pub redis: RedisSettings,
    pub ttls: CacheTtls,
}

fn seconds(
    source: &dyn Source,
    name: &str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Duration, ConfigError> {
    let value = optional(source, name, default, "a number of seconds")?;
    in_range(name, value, range).map(Duration::from_secs)
}

impl CacheSettings {
    /// # Errors
    /// The first cache variable that is invalid, by name.
    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        let url: String = optional(
            source,
            "REDIS_URL",
            "redis://127.0.0.1:6379".to_owned(),
            "a URL like redis://host:6379",
        )?;
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            return Err(ConfigError {
                variable: "REDIS_URL".into(),
                problem: "expected a URL starting with redis:// or rediss://".into(),
            });
        }
        let timeout_ms = in_range(
            "REDIS_TIMEOUT_MS",
            optional(source, "REDIS_TIMEOUT_MS", 250, "a number of milliseconds")?,
            10..=10_000,
        )?;
        Ok(Self {
            redis: RedisSettings {
                url: SecretString::from(url),
                key_prefix: optional(
                    source,
                    "REDIS_KEY_PREFIX",
                    "tisseco:".to_owned(),
                    "a key prefix like tisseco:",
                )?,
                timeout: Duration::from_millis(timeout_ms),
                retry_after: Duration::from_secs(1),
            },
            ttls: CacheTtls {
                public_lookup: seconds(source, "CACHE_TTL_PUBLIC_SECS", 60, 1..=86_400)?,
                staff_reads: seconds(source, "CACHE_TTL_STAFF_SECS", 30, 1..=86_400)?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_named_errors() {
        let settings = CacheSettings::from_source(&[]).unwrap();
        assert_eq!(settings.ttls.public_lookup, Duration::from_secs(60));
        assert_eq!(settings.redis.key_prefix, "tisseco:");
        let bad = CacheSettings::from_source(&[("REDIS_URL", "http://x")]).unwrap_err();
        assert_eq!(bad.variable, "REDIS_URL");
        let bad = CacheSettings::from_source(&[("CACHE_TTL_PUBLIC_SECS", "0")]).unwrap_err();
        assert_eq!(bad.variable, "CACHE_TTL_PUBLIC_SECS");
    }
}
