//! Cache settings (Redis and TTLs) from the environment.

use crate::config::{ConfigError, Source, in_range, optional};
use std::time::Duration;
use tisseco_application::search::CacheTtls;

/// How long cached answers live (Redis itself is `Settings::redis`).
#[derive(Debug, Clone, Copy)]
pub struct CacheSettings {
    pub ttls: CacheTtls,
    /// Life of a rendered map tile (`CACHE_TTL_TILES_SECS`); zero renders every tile
    /// (what `just bench tiles` measures cold, with Redis still checking tokens).
    pub tiles_ttl: Duration,
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
        Ok(Self {
            ttls: CacheTtls {
                public_lookup: seconds(source, "CACHE_TTL_PUBLIC_SECS", 60, 1..=86_400)?,
                staff_reads: seconds(source, "CACHE_TTL_STAFF_SECS", 30, 1..=86_400)?,
            },
            tiles_ttl: seconds(source, "CACHE_TTL_TILES_SECS", 30, 0..=86_400)?,
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
        assert_eq!(settings.ttls.staff_reads, Duration::from_secs(30));
        assert_eq!(settings.tiles_ttl, Duration::from_secs(30));
        let off = CacheSettings::from_source(&[("CACHE_TTL_TILES_SECS", "0")]).unwrap();
        assert_eq!(off.tiles_ttl, Duration::ZERO);
        let bad = CacheSettings::from_source(&[("CACHE_TTL_PUBLIC_SECS", "0")]).unwrap_err();
        assert_eq!(bad.variable, "CACHE_TTL_PUBLIC_SECS");
    }
}
