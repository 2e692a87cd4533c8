//! Metrics settings and the gauges the API samples at each scrape.

use crate::config::{ConfigError, Source};
use std::net::SocketAddr;
use std::sync::Arc;
use tisseco_adapter_postgres::PgStore;

/// Where the API serves `/metrics`: an address of its own, kept off the public one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsSettings {
    /// `METRICS_BIND`; `None` (`off`): no metrics server.
    pub bind: Option<SocketAddr>,
}

impl MetricsSettings {
    /// # Errors
    /// When `METRICS_BIND` is neither an address nor `off`.
    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        let bind = match source.get("METRICS_BIND").as_deref().map(str::trim) {
            None => Some(SocketAddr::from(([127, 0, 0, 1], 9464))),
            Some("off") => None,
            Some(raw) => Some(raw.parse().map_err(|_| ConfigError {
                variable: "METRICS_BIND".into(),
                problem: "invalid value; expected an address like 0.0.0.0:9464, or off".into(),
            })?),
        };
        Ok(Self { bind })
    }
}

/// Samples the pool's gauges before each scrape (the last store built wins).
pub(crate) fn watch_pool(store: &Arc<PgStore>) {
    let store = store.clone();
    tisseco_telemetry::metrics::on_scrape("db_pool", move || store.record_pool_metrics());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_listen_on_loopback_unless_told_otherwise() {
        let default = MetricsSettings::from_source(&[]).unwrap();
        assert_eq!(default.bind, Some(SocketAddr::from(([127, 0, 0, 1], 9464))));
        let off = MetricsSettings::from_source(&[("METRICS_BIND", "off")]).unwrap();
        assert_eq!(off.bind, None);
        let bad = MetricsSettings::from_source(&[("METRICS_BIND", "9464")]).unwrap_err();
        assert_eq!(bad.variable, "METRICS_BIND");
    }
}
