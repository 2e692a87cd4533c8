//! The worker's probes on its own port. `GET /health`: 200 while it can do its work (every
//! consumer runs, PostgreSQL and Redis answer), else 503; the body names each dependency
//! (`ok` / `down`) and the status (`ok`, `degraded`: a dependency is down, `stopped`: a
//! consumer stopped). `GET /health/live`: 200 while the consumers run, whatever the
//! dependencies (restarting a worker does not bring a database back).
//! `GET /metrics` answers there too (Prometheus).

use std::sync::Arc;
use std::time::Duration;
use tisseco_application::ports::HealthCheck;
use tisseco_bootstrap::Consumers;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

/// A dependency the worker needs, by name (`postgres`, `redis`).
pub type Probe = (&'static str, Arc<dyn HealthCheck>);

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

async fn checks(probes: &[Probe]) -> Vec<(&'static str, bool)> {
    let mut out = Vec::with_capacity(probes.len());
    for (name, probe) in probes {
        let ok = matches!(
            tokio::time::timeout(PROBE_TIMEOUT, probe.ping()).await,
            Ok(Ok(()))
        );
        out.push((*name, ok));
    }
    out
}

/// The status line and JSON body for `path`.
async fn answer(
    path: &str,
    consumers: &Mutex<Consumers>,
    probes: &[Probe],
) -> (&'static str, String) {
    let running = consumers.lock().await.all_running();
    let consumers_word = if running { "running" } else { "stopped" };
    match path {
        "/health/live" => {
            let status = if running {
                "200 OK"
            } else {
                "503 Service Unavailable"
            };
            (
                status,
                format!(
                    r#"{{"status":"{}"}}"#,
                    if running { "ok" } else { "stopped" }
                ),
            )
        }
        "/health" => {
            let checks = checks(probes).await;
            let all_up = checks.iter().all(|(_, ok)| *ok);
            let word = match (running, all_up) {
                (false, _) => "stopped",
                (true, false) => "degraded",
                (true, true) => "ok",
            };
            let mut body = format!(r#"{{"status":"{word}","consumers":"{consumers_word}""#);
            for (name, ok) in checks {
                body.push_str(&format!(
                    r#","{name}":"{}""#,
                    if ok { "ok" } else { "down" }
                ));
            }
            body.push('}');
            let status = if word == "ok" {
                "200 OK"
            } else {
                "503 Service Unavailable"
            };
            (status, body)
        }
        _ => ("404 Not Found", r#"{"status":"not found"}"#.to_owned()),
    }
}

pub(crate) async fn serve(
    listener: TcpListener,
    consumers: Arc<Mutex<Consumers>>,
    probes: Arc<Vec<Probe>>,
) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let consumers = consumers.clone();
        let probes = probes.clone();
        tokio::spawn(async move {
            let mut request = [0_u8; 1024];
            let read = stream.read(&mut request).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&request[..read]);
            if head.starts_with("GET /metrics") {
                crate::metrics::respond(&mut stream).await;
                return;
            }
            let path = head
                .strip_prefix("GET ")
                .and_then(|rest| rest.split_whitespace().next())
                .unwrap_or("");
            let (status, body) = answer(path, &consumers, &probes).await;
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
        });
    }
}
