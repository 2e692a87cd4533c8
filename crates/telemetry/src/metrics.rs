//! Prometheus metrics: one process-wide recorder behind the `metrics` facade, rendered as
//! text for `/metrics`. Gauges that are read rather than counted (pool sizes) are sampled
//! by hooks just before each scrape.

use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

/// Request and Redis latencies: a millisecond to ten seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Jobs: an e-mail in tens of milliseconds, an import in minutes.
const JOB_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0,
];
/// Histograms are drained at each scrape; this bounds what accumulates when nobody scrapes.
const UPKEEP: Duration = Duration::from_secs(5);

type Hook = Arc<dyn Fn() + Send + Sync>;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
static HOOKS: Mutex<Vec<(&'static str, Hook)>> = Mutex::new(Vec::new());

/// Installs the recorder (once per process; later calls do nothing). Without it the
/// `metrics` macros record nothing, which is what libraries and tests get by default.
///
/// # Errors
/// When the bucket configuration is refused or another recorder is installed.
pub fn install() -> Result<(), BuildError> {
    if HANDLE.get().is_some() {
        return Ok(());
    }
    let mut builder = PrometheusBuilder::new();
    for name in [
        "tisseco_http_request_duration_seconds",
        "tisseco_redis_command_duration_seconds",
    ] {
        builder = builder.set_buckets_for_metric(Matcher::Full(name.into()), LATENCY_BUCKETS)?;
    }
    builder = builder.set_buckets_for_metric(
        Matcher::Full("tisseco_job_duration_seconds".into()),
        JOB_BUCKETS,
    )?;
    let recorder = builder.build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder)?;
    let upkeep = handle.clone();
    // A plain thread: this crate does not depend on a runtime, and upkeep is cheap.
    std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP);
                upkeep.run_upkeep();
            }
        })
        .map_err(|e| BuildError::FailedToCreateRuntime(e.to_string()))?;
    let _ = HANDLE.set(handle);
    Ok(())
}

/// Runs `hook` before every scrape; a hook of the same `name` replaces the previous one
/// (tests build their services many times in one process).
pub fn on_scrape(name: &'static str, hook: impl Fn() + Send + Sync + 'static) {
    let mut hooks = HOOKS.lock().unwrap_or_else(PoisonError::into_inner);
    hooks.retain(|(n, _)| *n != name);
    hooks.push((name, Arc::new(hook)));
}

/// The Prometheus text exposition of every metric; empty when [`install`] was not called.
#[must_use]
pub fn render() -> String {
    let hooks: Vec<Hook> = HOOKS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .map(|(_, hook)| hook.clone())
        .collect();
    for hook in hooks {
        hook();
    }
    HANDLE
        .get()
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

/// The content type of [`render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_values_and_hooks_show_in_the_exposition() {
        install().unwrap();
        install().unwrap();
        metrics::counter!("tisseco_test_total", "kind" => "a").increment(2);
        metrics::histogram!("tisseco_job_duration_seconds", "kind" => "a").record(0.2);
        on_scrape("test", || metrics::gauge!("tisseco_test_gauge").set(7.0));
        let text = render();
        assert!(text.contains("tisseco_test_total{kind=\"a\"} 2"), "{text}");
        assert!(text.contains("tisseco_test_gauge 7"), "{text}");
        assert!(
            text.contains("tisseco_job_duration_seconds_bucket{kind=\"a\",le=\"0.25\"} 1"),
            "{text}"
        );
    }
}
