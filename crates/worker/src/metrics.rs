//! The worker's Prometheus metrics: `GET /metrics` on the health port, and a sampler that
//! reads the gauges nobody counts (queue counts, outbox lag, imports by state, the pool).

use std::time::Duration;
use tisseco_bootstrap::{PgStore, RedisJobQueue};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

/// How often the gauges are read: below Prometheus's usual 15 s scrape interval, and three
/// small queries per worker each time. Every worker samples the same queues; take their
/// `max` in PromQL.
pub const SAMPLE_EVERY: Duration = Duration::from_secs(5);

/// Starts the sampler; it runs until the task is aborted. An unreachable server is logged
/// once per outage, its gauges keeping their last values.
#[must_use]
pub fn spawn_sampler(queue: RedisJobQueue, store: PgStore, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut failing = false;
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            store.record_pool_metrics();
            let outcome = match (
                queue.record_metrics().await,
                store.record_backlog_metrics().await,
            ) {
                (Err(error), _) => Err(error),
                (_, Err(error)) => Err(error.to_string()),
                _ => Ok(()),
            };
            match outcome {
                Err(error) if !failing => {
                    tracing::warn!(error = %error, "cannot sample the queue metrics");
                    failing = true;
                }
                Ok(()) if failing => {
                    tracing::info!("queue metrics sampled again");
                    failing = false;
                }
                _ => {}
            }
        }
    })
}

/// Answers `GET /metrics` on a health connection.
pub(crate) async fn respond(stream: &mut TcpStream) {
    let body = tisseco_telemetry::metrics::render();
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        tisseco_telemetry::metrics::CONTENT_TYPE,
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
}
