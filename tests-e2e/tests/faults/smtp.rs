//! A minimal SMTP server that records each message's recipient and `Message-ID`, and takes
//! a little time before taking the data and before accepting it (so a worker can be killed
//! mid-send: before the message is complete, it is not delivered; after, it is).

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A received message: (recipient, Message-ID).
pub type Received = Arc<Mutex<Vec<(String, String)>>>;

/// Serves on a free port; returns the port and what it receives.
pub async fn serve(data_delay: Duration, accept_delay: Duration) -> (u16, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received: Received = Arc::default();
    let sink = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 fake ESMTP\r\n").await;
                let (mut to, mut id, mut in_data) = (String::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            tokio::time::sleep(accept_delay).await;
                            sink.lock().unwrap().push((to.clone(), id.clone()));
                            let _ = write.write_all(b"250 queued\r\n").await;
                        } else if let Some(value) = line.strip_prefix("Message-ID: ") {
                            id = value.trim().to_owned();
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake\r\n",
                        "RCPT" => {
                            to = line.split(['<', '>']).nth(1).unwrap_or_default().to_owned();
                            b"250 ok\r\n"
                        }
                        "DATA" => {
                            in_data = true;
                            id.clear();
                            tokio::time::sleep(data_delay).await;
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, received)
}
