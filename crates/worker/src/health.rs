//! `GET /health` on the worker's own port: 200 while every consumer runs, else 503;
//! `GET /metrics` there too.

use std::sync::Arc;
use tisseco_bootstrap::ConsumerHandle;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

pub(crate) async fn serve(listener: TcpListener, consumers: Arc<Mutex<Vec<ConsumerHandle>>>) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let consumers = consumers.clone();
        tokio::spawn(async move {
            let mut request = [0_u8; 1024];
            let read = stream.read(&mut request).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&request[..read]);
            if head.starts_with("GET /metrics") {
                crate::metrics::respond(&mut stream).await;
                return;
            }
            let running = {
                let consumers = consumers.lock().await;
                !consumers.is_empty() && consumers.iter().all(ConsumerHandle::is_running)
            };
            let (status, body) = if !head.starts_with("GET /health") {
                ("404 Not Found", r#"{"status":"not found"}"#)
            } else if running {
                ("200 OK", r#"{"status":"ok"}"#)
            } else {
                ("503 Service Unavailable", r#"{"status":"stopped"}"#)
            };
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
        });
    }
}
