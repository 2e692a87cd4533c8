//! Settings of authentication, Redis, rate limits and the HTTP security envelope.

use crate::config::{ConfigError, Source, in_range, optional};
use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;
use tisseco_adapter_auth::{KeyError, SigningKeys};
use tisseco_adapter_cache::RedisSettings;
use tisseco_application::auth::ports::Quota;

/// Token keys and lifetimes.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// The Ed25519 private key, hex; checked at start-up.
    pub private_key: SecretString,
    pub key_id: u32,
    /// Public keys of earlier private keys, `id:hex`, still accepted during a rotation.
    pub previous_public_keys: Vec<String>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub login_failures: Quota,
    /// Verified tokens remembered in each API process (signature, and each kind of request
    /// a plain token passed), and for how long at most (never past a token's expiry).
    pub token_cache_size: usize,
    pub token_cache_ttl: Duration,
}

impl AuthSettings {
    /// The signing keys these settings describe.
    ///
    /// # Errors
    /// When a key does not parse (already checked by `from_source`).
    pub fn signing_keys(&self) -> Result<SigningKeys, ConfigError> {
        SigningKeys::from_hex(
            self.private_key.expose_secret(),
            self.key_id,
            &self.previous_public_keys,
        )
        .map_err(|e| {
            let variable = match e {
                KeyError::Private => "AUTH_PRIVATE_KEY",
                KeyError::Public(_) => "AUTH_PREVIOUS_PUBLIC_KEYS",
            };
            ConfigError {
                variable: variable.into(),
                problem: e.to_string(),
            }
        })
    }
}

/// Requests per period for each group of routes.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Per client IP on login and refresh.
    pub login: Quota,
    /// Per client IP on the other anonymous routes.
    pub public: Quota,
    /// Per user on authenticated routes.
    pub api: Quota,
    /// Public reports per container, whoever sends them.
    pub reports_per_container: Quota,
}

/// Parses `N/S`: N requests per S seconds.
fn quota(source: &dyn Source, name: &str, default: &str) -> Result<Quota, ConfigError> {
    let raw: String = optional(
        source,
        name,
        default.to_owned(),
        "N/S, e.g. 10/60 for 10 requests per 60 s",
    )?;
    let bad = || ConfigError {
        variable: name.into(),
        problem: "invalid value; expected N/S, e.g. 10/60 for 10 requests per 60 s".into(),
    };
    let (limit, seconds) = raw.split_once('/').ok_or_else(bad)?;
    let limit: u32 = limit.trim().parse().map_err(|_| bad())?;
    let seconds: u64 = seconds.trim().parse().map_err(|_| bad())?;
    if limit == 0 || seconds == 0 {
        return Err(bad());
    }
    Ok(Quota {
        limit,
        period: Duration::from_secs(seconds),
    })
}

fn list(source: &dyn Source, name: &str) -> Vec<String> {
    source
        .get(name)
        .map(|raw| {
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn private_key(source: &dyn Source) -> Result<SecretString, ConfigError> {
    if let Some(hex) = source.get("AUTH_PRIVATE_KEY") {
        return Ok(SecretString::from(hex));
    }
    let missing = || {
        ConfigError {
        variable: "AUTH_PRIVATE_KEY".into(),
        problem: "missing; set it (or AUTH_PRIVATE_KEY_FILE) to an Ed25519 key from `tisseco-api generate-key`".into(),
    }
    };
    let path = source.get("AUTH_PRIVATE_KEY_FILE").ok_or_else(missing)?;
    std::fs::read_to_string(&path)
        .map(|text| SecretString::from(text.trim().to_owned()))
        .map_err(|e| ConfigError {
            variable: "AUTH_PRIVATE_KEY_FILE".into(),
            problem: format!("cannot read {path}: {e}"),
        })
}

pub(crate) fn auth(source: &dyn Source) -> Result<AuthSettings, ConfigError> {
    let settings = AuthSettings {
        private_key: private_key(source)?,
        key_id: optional(source, "AUTH_KEY_ID", 1, "a key number")?,
        previous_public_keys: list(source, "AUTH_PREVIOUS_PUBLIC_KEYS"),
        access_ttl: Duration::from_secs(in_range(
            "AUTH_ACCESS_TTL_SECS",
            optional(source, "AUTH_ACCESS_TTL_SECS", 900, "a number of seconds")?,
            30..=86_400,
        )?),
        refresh_ttl: Duration::from_secs(in_range(
            "AUTH_REFRESH_TTL_SECS",
            optional(
                source,
                "AUTH_REFRESH_TTL_SECS",
                30 * 86_400,
                "a number of seconds",
            )?,
            60..=365 * 86_400,
        )?),
        login_failures: quota(source, "RATE_LIMIT_LOGIN_FAILURES", "5/900")?,
        token_cache_size: in_range(
            "AUTH_TOKEN_CACHE_SIZE",
            optional(
                source,
                "AUTH_TOKEN_CACHE_SIZE",
                10_000,
                "a number of tokens",
            )?,
            0..=10_000_000,
        )?,
        token_cache_ttl: Duration::from_secs(in_range(
            "AUTH_TOKEN_CACHE_TTL_SECS",
            optional(
                source,
                "AUTH_TOKEN_CACHE_TTL_SECS",
                60,
                "a number of seconds",
            )?,
            0..=3_600,
        )?),
    };
    settings.signing_keys()?;
    Ok(settings)
}

pub(crate) fn redis(source: &dyn Source) -> Result<RedisSettings, ConfigError> {
    let url: String =
        crate::config::required(source, "REDIS_URL", "a URL like redis://127.0.0.1:6379")?;
    if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
        return Err(ConfigError {
            variable: "REDIS_URL".into(),
            problem: "expected a URL starting with redis:// or rediss://".into(),
        });
    }
    Ok(RedisSettings {
        url: SecretString::from(url),
        key_prefix: optional(
            source,
            "REDIS_KEY_PREFIX",
            "tisseco:".to_owned(),
            "a key prefix",
        )?,
        timeout: Duration::from_millis(in_range(
            "REDIS_TIMEOUT_MS",
            optional(source, "REDIS_TIMEOUT_MS", 500, "a number of milliseconds")?,
            10..=60_000,
        )?),
        retry_after: Duration::from_secs(1),
        ca_file: source.get("REDIS_CA_FILE"),
    })
}

pub(crate) fn rate_limits(source: &dyn Source) -> Result<RateLimits, ConfigError> {
    Ok(RateLimits {
        login: quota(source, "RATE_LIMIT_LOGIN", "10/60")?,
        public: quota(source, "RATE_LIMIT_PUBLIC", "120/60")?,
        api: quota(source, "RATE_LIMIT_API", "1200/60")?,
        reports_per_container: quota(source, "RATE_LIMIT_REPORTS_PER_CONTAINER", "30/3600")?,
    })
}

pub(crate) fn trusted_proxies(source: &dyn Source) -> Result<Vec<IpNet>, ConfigError> {
    list(source, "TRUSTED_PROXIES")
        .iter()
        .map(|entry| {
            entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| ConfigError {
                    variable: "TRUSTED_PROXIES".into(),
                    problem: format!("'{entry}' is not an IP address or CIDR"),
                })
        })
        .collect()
}

pub(crate) fn cors_origins(source: &dyn Source) -> Result<Vec<String>, ConfigError> {
    let origins = list(source, "CORS_ALLOWED_ORIGINS");
    match origins
        .iter()
        .find(|o| !(o.starts_with("http://") || o.starts_with("https://")) || o.ends_with('/'))
    {
        Some(bad) => Err(ConfigError {
            variable: "CORS_ALLOWED_ORIGINS".into(),
            problem: format!("'{bad}' is not an origin like https://admin.example.org"),
        }),
        None => Ok(origins),
    }
}
