//! Every setting of the platform, read once at start-up. `.env.example` documents them.

use crate::cache::CacheSettings;
use crate::config::{ConfigError, Source, in_range, optional, required};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::time::Duration;
use tisseco_adapter_postgres::PgSettings;
use tisseco_telemetry::{LogFormat, TelemetrySettings};

/// The HTTP server's settings.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub bind: SocketAddr,
    /// Largest JSON body accepted; larger ones get 413.
    pub json_limit_bytes: usize,
    pub workers: usize,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub shutdown_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: PgSettings,
    pub cache: CacheSettings,
    pub http: HttpSettings,
    pub telemetry: TelemetrySettings,
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

impl Settings {
    /// Reads every setting; `service` names the process in logs and traces.
    ///
    /// # Errors
    /// The first variable that is missing or invalid, by name.
    pub fn from_source(source: &dyn Source, service: &str) -> Result<Self, ConfigError> {
        let database = PgSettings {
            url: database_url(source)?,
            max_connections: in_range(
                "DATABASE_MAX_CONNECTIONS",
                optional(
                    source,
                    "DATABASE_MAX_CONNECTIONS",
                    16,
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
        };
        let default_workers = std::thread::available_parallelism().map_or(2, usize::from);
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
        };
        let telemetry = TelemetrySettings {
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
        };
        Ok(Self {
            database,
            cache: CacheSettings::from_source(source)?,
            http,
            telemetry,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn defaults_fill_everything_but_the_database_url() {
        let settings =
            Settings::from_source(&[("DATABASE_URL", "postgres://u:p@h/db")], "tisseco-api")
                .unwrap();
        assert_eq!(settings.database.url.expose_secret(), "postgres://u:p@h/db");
        assert_eq!(settings.http.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.telemetry.log_format, LogFormat::Json);
        assert_eq!(settings.database.statement_timeout, Duration::from_secs(5));
    }

    #[test]
    fn the_database_url_is_required_and_checked() {
        let missing = Settings::from_source(&[], "api").unwrap_err();
        assert_eq!(missing.variable, "DATABASE_URL");
        let wrong = Settings::from_source(&[("DATABASE_URL", "mysql://x")], "api").unwrap_err();
        assert_eq!(wrong.variable, "DATABASE_URL");
    }

    #[test]
    fn a_bad_variable_is_named() {
        let source = [
            ("DATABASE_URL", "postgres://h/db"),
            ("HTTP_BIND", "localhost"),
        ];
        assert_eq!(
            Settings::from_source(&source, "api").unwrap_err().variable,
            "HTTP_BIND"
        );
        let source = [
            ("DATABASE_URL", "postgres://h/db"),
            ("DATABASE_MAX_CONNECTIONS", "0"),
        ];
        assert_eq!(
            Settings::from_source(&source, "api").unwrap_err().variable,
            "DATABASE_MAX_CONNECTIONS"
        );
        let source = [("DATABASE_URL", "postgres://h/db"), ("LOG_FORMAT", "xml")];
        assert_eq!(
            Settings::from_source(&source, "api").unwrap_err().variable,
            "LOG_FORMAT"
        );
    }

    #[test]
    fn the_url_never_shows_in_debug_output() {
        let settings =
            Settings::from_source(&[("DATABASE_URL", "postgres://u:hunter2@h/db")], "api").unwrap();
        assert!(!format!("{settings:?}").contains("hunter2"));
    }
}
