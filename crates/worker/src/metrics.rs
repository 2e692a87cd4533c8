//! The worker's Prometheus metrics: `GET /metrics` on the health port; bootstrap's sampler
//! reads the gauges nobody counts (queue counts, outbox lag, imports by state, the pool).

use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// How often the gauges are read: below Prometheus's usual 15 s scrape interval, and three
/// small queries per worker each time. Every worker samples the same queues; take their
/// `max` in PromQL.
pub const SAMPLE_EVERY: Duration = Duration::from_secs(5);

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
