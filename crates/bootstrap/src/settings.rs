//! Every setting of the platform, read once at start-up. `.env.example` documents them.

use crate::cache::CacheSettings;
use crate::config::{ConfigError, Source, in_range, optional, public_base_url, required};
use crate::security::{self, AuthSettings, RateLimits};
use ipnet::IpNet;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tisseco_adapter_cache::RedisSettings;
use tisseco_adapter_postgres::PgSettings;
use tisseco_adapter_queue::QueueSettings;
use tisseco_telemetry::{LogFormat, TelemetrySettings};

/// `DEFAULT_LOCALE` (`fr` unless set): the language of a reader whose own is unknown. It
/// becomes the process-wide default of the message catalogue.
///
/// # Errors
/// When it is no language the platform speaks.
pub fn apply_default_locale(source: &dyn Source) -> Result<tisseco_domain::Locale, ConfigError> {
    let value = source
        .get("DEFAULT_LOCALE")
        .unwrap_or_else(|| "fr".to_owned());
    let locale =
        tisseco_domain::Locale::parse("DEFAULT_LOCALE", &value).map_err(|_| ConfigError {
            variable: "DEFAULT_LOCALE".into(),
            problem: "expected fr or en".into(),
        })?;
    tisseco_i18n::set_default(locale);
    Ok(locale)
}

/// The HTTP server's settings.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub bind: SocketAddr,
    /// Largest JSON body accepted; larger ones get 413.
    pub json_limit_bytes: usize,
    /// Largest CSV import accepted (streamed, never held in memory).
    pub import_limit_bytes: u64,
    /// An upload that sends no byte for this long ends, and its import fails (a form without
    /// its closing boundary otherwise held the request, and the import, forever).
    pub upload_read_timeout: Duration,
    /// Most stops one tour may hold; a request making more gets 422.
    pub tour_max_stops: usize,
    /// How far outside its area's boundary a container may stand (`AREA_TOLERANCE_METRES`).
    pub area_tolerance: tisseco_domain::placement::AreaTolerance,
    pub workers: usize,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub shutdown_timeout: Duration,
    pub rate_limits: RateLimits,
    /// Proxies whose `X-Forwarded-For` is believed; empty: the peer address is the client.
    pub trusted_proxies: Vec<IpNet>,
    /// Origins (the admin front-end) allowed to call the API from a browser.
    pub cors_allowed_origins: Vec<String>,
    /// Send `Strict-Transport-Security` (only behind TLS).
    pub hsts: bool,
    /// Where the public reaches the platform: QR codes encode `{this}/c/{code}`. No
    /// trailing slash.
    pub public_base_url: String,
    /// Keys that civic apps send as `api_key` to post Open311 service requests.
    pub open311_api_keys: ApiKeys,
    /// The staff console's built files (`web/dist`), served at `/admin/`.
    pub console_dir: PathBuf,
}

/// API keys; `Debug` never prints them.
#[derive(Clone, Default)]
pub struct ApiKeys(Vec<String>);

impl ApiKeys {
    #[must_use]
    pub fn new(keys: Vec<String>) -> Self {
        Self(keys)
    }

    /// Whether `key` is one of them (compared in time independent of where they differ).
    #[must_use]
    pub fn accepts(&self, key: &str) -> bool {
        self.0.iter().fold(false, |found, k| {
            let same = k.len() == key.len()
                && k.bytes()
                    .zip(key.bytes())
                    .fold(0u8, |d, (a, b)| d | (a ^ b))
                    == 0;
            found | same
        })
    }
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKeys({} keys)", self.0.len())
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: PgSettings,
    pub redis: RedisSettings,
    pub auth: AuthSettings,
    pub cache: CacheSettings,
    pub http: HttpSettings,
    pub telemetry: TelemetrySettings,
    pub queue: QueueSettings,
}

fn database_url(source: &dyn Source) -> Result<SecretString, ConfigError> {
    let url: String = required(
        source,
        "DATABASE_URL",
        "a URL like postgres://user:password@host:5432/database",
    )?;
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(SecretString::from(url))
    } else {
        Err(ConfigError {
            variable: "DATABASE_URL".into(),
            problem: "expected a URL starting with postgres:// or postgresql://".into(),
        })
    }
}

fn log_format(source: &dyn Source) -> Result<LogFormat, ConfigError> {
    match optional(source, "LOG_FORMAT", "json".to_owned(), "json or pretty")?.as_str() {
        "json" => Ok(LogFormat::Json),
        "pretty" => Ok(LogFormat::Pretty),
        _ => Err(ConfigError {
            variable: "LOG_FORMAT".into(),
            problem: "invalid value; expected json or pretty".into(),
        }),
    }
}

fn millis(
    source: &dyn Source,
    name: &str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Duration, ConfigError> {
    let value = optional(source, name, default, "a number of milliseconds")?;
    in_range(name, value, range).map(Duration::from_millis)
}

/// `HTTP_WORKERS`' default for this many CPUs: half of them, at least one.
fn default_workers(cpus: Option<std::num::NonZeroUsize>) -> usize {
    cpus.map_or(1, |cpus| (cpus.get() / 2).max(1))
}

/// The API's `DATABASE_MAX_CONNECTIONS` default for this many CPUs: two per CPU for the
/// requests, plus the one kept for background work. More queries at once than PostgreSQL
/// on the same machine has cores only queue inside it, where the scheduler, not the pool,
/// decides who waits: on 2 CPUs with 7 a small tile's p99 was 9-50 ms against its SQL's
/// 6.5, with 4 it was 5.8 (BENCHMARKS.md, "Two connections per CPU").
fn default_api_connections(cpus: Option<std::num::NonZeroUsize>) -> usize {
    cpus.map_or(1, std::num::NonZeroUsize::get) * 2 + 1
}

/// `DATABASE_MAX_CONNECTIONS`' default for every process but the API (the worker, whose
/// import phases and jobs share it, and the backup commands).
const DEFAULT_CONNECTIONS: usize = 16;

/// PostgreSQL settings; `service` names the connections (`application_name`).
///
/// # Errors
/// The first database variable that is missing or invalid.
pub fn database(source: &dyn Source, service: &str) -> Result<PgSettings, ConfigError> {
    database_sized(source, service, DEFAULT_CONNECTIONS)
}

/// [`database`] with `max_connections` as the pool size's default.
fn database_sized(
    source: &dyn Source,
    service: &str,
    max_connections: usize,
) -> Result<PgSettings, ConfigError> {
    Ok(PgSettings {
        url: database_url(source)?,
        max_connections: in_range(
            "DATABASE_MAX_CONNECTIONS",
            optional(
                source,
                "DATABASE_MAX_CONNECTIONS",
                max_connections,
                "a number of connections",
            )?,
            1..=1000,
        )?,
        statement_timeout: millis(
            source,
            "DATABASE_STATEMENT_TIMEOUT_MS",
            5_000,
            100..=600_000,
        )?,
        connect_timeout: millis(source, "DATABASE_CONNECT_TIMEOUT_MS", 5_000, 100..=60_000)?,
        application_name: service.to_owned(),
    })
}

/// Logs and traces settings.
///
/// # Errors
/// The first telemetry variable that is invalid.
pub fn telemetry(source: &dyn Source, service: &str) -> Result<TelemetrySettings, ConfigError> {
    Ok(TelemetrySettings {
        service_name: optional(
            source,
            "OTEL_SERVICE_NAME",
            service.to_owned(),
            "a service name",
        )?,
        log_format: log_format(source)?,
        log_filter: optional(
            source,
            "RUST_LOG",
            "info".to_owned(),
            "a log filter like info,tisseco=debug",
        )?,
        otlp_endpoint: source.get("OTEL_EXPORTER_OTLP_ENDPOINT"),
        otlp_ca_file: source
            .get("OTEL_EXPORTER_OTLP_CERTIFICATE")
            .map(std::path::PathBuf::from),
    })
}

/// What the worker needs: no HTTP, no token keys (it never sees a token).
#[derive(Debug, Clone)]
pub struct WorkerBase {
    pub database: PgSettings,
    pub queue: QueueSettings,
    pub telemetry: TelemetrySettings,
}

impl WorkerBase {
    /// # Errors
    /// The first variable that is missing or invalid, by name.
    pub fn from_source(source: &dyn Source, service: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            database: database(source, service)?,
            queue: crate::jobs::queue_settings(source)?,
            telemetry: telemetry(source, service)?,
        })
    }
}

impl Settings {
    /// Reads every setting; `service` names the process in logs and traces.
    ///
    /// # Errors
    /// The first variable that is missing or invalid, by name.
    pub fn from_source(source: &dyn Source, service: &str) -> Result<Self, ConfigError> {
        let cpus = std::thread::available_parallelism().ok();
        let database = database_sized(source, service, default_api_connections(cpus))?;
        // Half the CPUs: PostgreSQL, on the same machine in the usual deployment, does most
        // of a search's work, and a worker with more requests at once answers them with
        // fewer wake-ups. On 2 CPUs one worker served 6-12 % more searches than two, at a
        // third less API CPU per request, and small tiles' p99 was less than half
        // (BENCHMARKS.md, "One HTTP worker per two CPUs").
        let default_workers = default_workers(cpus);
        let http = HttpSettings {
            bind: optional(
                source,
                "HTTP_BIND",
                SocketAddr::from(([127, 0, 0, 1], 8080)),
                "an address like 0.0.0.0:8080",
            )?,
            json_limit_bytes: in_range(
                "HTTP_JSON_LIMIT_BYTES",
                optional(
                    source,
                    "HTTP_JSON_LIMIT_BYTES",
                    1_048_576,
                    "a number of bytes",
                )?,
                1_024..=67_108_864,
            )?,
            area_tolerance: crate::config::area_tolerance(source)?,
            import_limit_bytes: in_range(
                "IMPORT_MAX_BYTES",
                optional(source, "IMPORT_MAX_BYTES", 536_870_912, "a number of bytes")?,
                1_024..=68_719_476_736,
            )?,
            upload_read_timeout: Duration::from_secs(in_range(
                "IMPORT_READ_TIMEOUT_SECS",
                optional(
                    source,
                    "IMPORT_READ_TIMEOUT_SECS",
                    30,
                    "a number of seconds",
                )?,
                1..=3_600,
            )?),
            tour_max_stops: in_range(
                "TOUR_MAX_STOPS",
                optional(source, "TOUR_MAX_STOPS", 300, "a number of stops")?,
                1..=2_000,
            )?,
            workers: in_range(
                "HTTP_WORKERS",
                optional(
                    source,
                    "HTTP_WORKERS",
                    default_workers,
                    "a number of threads",
                )?,
                1..=256,
            )?,
            shutdown_timeout: Duration::from_secs(in_range(
                "HTTP_SHUTDOWN_TIMEOUT_SECS",
                optional(
                    source,
                    "HTTP_SHUTDOWN_TIMEOUT_SECS",
                    30,
                    "a number of seconds",
                )?,
                0..=600,
            )?),
            rate_limits: security::rate_limits(source)?,
            trusted_proxies: security::trusted_proxies(source)?,
            cors_allowed_origins: security::cors_origins(source)?,
            hsts: optional(source, "HTTP_HSTS", false, "true or false")?,
            public_base_url: public_base_url(source)?,
            open311_api_keys: ApiKeys::new(
                source
                    .get("OPEN311_API_KEYS")
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            console_dir: PathBuf::from(
                source
                    .get("CONSOLE_DIR")
                    .unwrap_or_else(|| "web/dist".to_owned()),
            ),
        };
        let telemetry = telemetry(source, service)?;
        Ok(Self {
            database,
            redis: security::redis(source)?,
            auth: security::auth(source)?,
            cache: CacheSettings::from_source(source)?,
            http,
            telemetry,
            queue: crate::jobs::queue_settings(source)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const KEY: &str = "6c0d6a4cbf5c1d9d0f6a3d0c9b3c7e1f2a4b6c8d0e1f2a3b4c5d6e7f8091a2b3";

    /// The required variables plus `extra`.
    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut all = vec![
            ("DATABASE_URL", "postgres://u:p@h/db"),
            ("REDIS_URL", "redis://127.0.0.1:6379"),
            ("AUTH_PRIVATE_KEY", KEY),
        ];
        for (name, value) in extra {
            all.retain(|(n, _)| n != name);
            all.push((name, value));
        }
        all
    }

    #[test]
    fn defaults_fill_everything_but_the_required_variables() {
        let settings = Settings::from_source(&with(&[]), "tisseco-api").unwrap();
        assert_eq!(settings.database.url.expose_secret(), "postgres://u:p@h/db");
        assert_eq!(settings.http.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.telemetry.log_format, LogFormat::Json);
        assert_eq!(settings.database.statement_timeout, Duration::from_secs(5));
        assert_eq!(settings.auth.access_ttl, Duration::from_secs(900));
        assert_eq!(settings.http.rate_limits.login.limit, 10);
        assert!(settings.http.trusted_proxies.is_empty() && !settings.http.hsts);
    }

    #[test]
    fn http_workers_default_to_half_the_cpus() {
        let cpus = |n| std::num::NonZeroUsize::new(n);
        assert_eq!(default_workers(cpus(1)), 1);
        assert_eq!(default_workers(cpus(2)), 1);
        assert_eq!(default_workers(cpus(3)), 1);
        assert_eq!(default_workers(cpus(8)), 4);
        assert_eq!(default_workers(None), 1);
        let settings = Settings::from_source(&with(&[("HTTP_WORKERS", "3")]), "tisseco-api");
        assert_eq!(settings.unwrap().http.workers, 3);
    }

    #[test]
    fn the_api_defaults_to_two_connections_per_cpu_and_the_worker_to_sixteen() {
        let cpus = |n| std::num::NonZeroUsize::new(n);
        assert_eq!(default_api_connections(cpus(1)), 3);
        assert_eq!(default_api_connections(cpus(2)), 5);
        assert_eq!(default_api_connections(cpus(8)), 17);
        assert_eq!(default_api_connections(None), 3);
        let worker = WorkerBase::from_source(&with(&[]), "tisseco-worker").unwrap();
        assert_eq!(worker.database.max_connections, 16);
        let set = [("DATABASE_MAX_CONNECTIONS", "40")];
        let api = Settings::from_source(&with(&set), "tisseco-api").unwrap();
        assert_eq!(api.database.max_connections, 40);
    }

    #[test]
    fn required_variables_are_named_when_missing() {
        for name in ["DATABASE_URL", "REDIS_URL", "AUTH_PRIVATE_KEY"] {
            let mut source = with(&[]);
            source.retain(|(n, _)| *n != name);
            assert_eq!(
                Settings::from_source(&source, "api").unwrap_err().variable,
                name
            );
        }
    }

    #[test]
    fn a_bad_variable_is_named() {
        for (name, value) in [
            ("DATABASE_URL", "mysql://x"),
            ("REDIS_URL", "http://x"),
            ("AUTH_PRIVATE_KEY", "not hex"),
            ("AUTH_PREVIOUS_PUBLIC_KEYS", "1:zz"),
            ("HTTP_BIND", "localhost"),
            ("DATABASE_MAX_CONNECTIONS", "0"),
            ("LOG_FORMAT", "xml"),
            ("RATE_LIMIT_LOGIN", "ten"),
            ("RATE_LIMIT_API", "0/60"),
            ("TRUSTED_PROXIES", "10.0.0.0/8, proxy.local"),
            ("CORS_ALLOWED_ORIGINS", "admin.tisseco.org"),
            ("HTTP_HSTS", "maybe"),
        ] {
            let result = Settings::from_source(&with(&[(name, value)]), "api");
            assert_eq!(
                result.map(|_| ()).unwrap_err().variable,
                name,
                "{name}={value}"
            );
        }
    }

    #[test]
    fn lists_and_quotas_parse() {
        let source = with(&[
            ("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7"),
            ("CORS_ALLOWED_ORIGINS", "https://admin.tisseco.org"),
            ("RATE_LIMIT_PUBLIC", "30/10"),
        ]);
        let settings = Settings::from_source(&source, "api").unwrap();
        assert_eq!(settings.http.trusted_proxies.len(), 2);
        assert_eq!(
            settings.http.cors_allowed_origins,
            ["https://admin.tisseco.org"]
        );
        assert_eq!(
            settings.http.rate_limits.public.period,
            Duration::from_secs(10)
        );
    }

    #[test]
    fn the_worker_needs_neither_token_keys_nor_http_settings() {
        let source = [
            ("DATABASE_URL", "postgres://h/db"),
            ("HTTP_BIND", "not read"),
        ];
        let base = WorkerBase::from_source(&source, "tisseco-worker").unwrap();
        assert_eq!(base.database.application_name, "tisseco-worker");
        let missing = WorkerBase::from_source(&[], "tisseco-worker").unwrap_err();
        assert_eq!(missing.variable, "DATABASE_URL");
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let settings = Settings::from_source(
            &with(&[("DATABASE_URL", "postgres://u:hunter2@h/db")]),
            "api",
        )
        .unwrap();
        let printed = format!("{settings:?}");
        assert!(
            !printed.contains("hunter2") && !printed.contains(KEY),
            "{printed}"
        );
    }
}
