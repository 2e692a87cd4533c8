//! `tisseco-worker`: runs the job handlers and the outbox relay until SIGTERM or Ctrl-C.

use std::process::ExitCode;
use tisseco_bootstrap::WorkerBase;
use tisseco_bootstrap::config::ProcessEnv;
use tisseco_bootstrap::jobs::{WorkerSettings, build_worker};
use tisseco_worker::{WorkerPlan, consumer_name, start};

// glibc malloc took a fifth of the worker's CPU in an import (a batch is many small
// strings); mimalloc takes a tenth less CPU for about 25 MB more at the peak.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let settings = tisseco_bootstrap::apply_default_locale(&ProcessEnv)
        .and_then(|_| WorkerBase::from_source(&ProcessEnv, "tisseco-worker"))
        .and_then(|s| WorkerSettings::from_source(&ProcessEnv).map(|w| (s, w)));
    let (settings, worker) = match settings {
        Ok(both) => both,
        Err(error) => {
            eprintln!("tisseco-worker: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    let _telemetry = match tisseco_telemetry::init(&settings.telemetry) {
        Ok(guard) => guard,
        Err(error) => {
            eprintln!("tisseco-worker: telemetry: {error}");
            return ExitCode::from(2);
        }
    };
    match run(&settings, &worker).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "tisseco-worker stopped");
            eprintln!("tisseco-worker: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

async fn run(settings: &WorkerBase, worker: &WorkerSettings) -> Result<(), String> {
    let parts = build_worker(&settings.database, &settings.queue, worker)?;
    tisseco_telemetry::metrics::install().map_err(|e| format!("metrics: {e}"))?;
    let sampler = parts.spawn_metrics_sampler(tisseco_worker::metrics::SAMPLE_EVERY);
    let health = tokio::net::TcpListener::bind(worker.health_bind)
        .await
        .map_err(|e| {
            format!(
                "WORKER_HEALTH_BIND: cannot listen on {}: {e}",
                worker.health_bind
            )
        })?;
    tracing::info!(health.address = %worker.health_bind, "worker health at /health");
    let running = start(WorkerPlan {
        probes: parts.probes(),
        stale_uploads: Some(parts.stale_uploads),
        consumers: parts.consumers,
        handlers: parts.handlers,
        relay: Some((parts.relay, worker.outbox_poll)),
        health: Some(health),
        name: consumer_name(),
    })
    .await?;
    shutdown_signal().await;
    tracing::info!("shutting down: no new jobs; finishing those in flight");
    sampler.abort();
    running.shutdown(worker.shutdown_timeout).await
}
