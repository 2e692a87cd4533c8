//! The outbox relay loop: drain, then wait for a notification or the poll interval. While
//! the queue is unreachable the events wait in the outbox; one warning, then one notice.

use std::time::Duration;
use tisseco_application::outbox::OutboxRelay;
use tokio::sync::watch;

pub(crate) async fn run(relay: OutboxRelay, poll: Duration, mut stop: watch::Receiver<bool>) {
    let mut failing = false;
    while !*stop.borrow() {
        match relay.drain().await {
            Ok(sent) => {
                if failing {
                    tracing::info!("outbox relay recovered");
                    failing = false;
                }
                if sent > 0 {
                    tracing::debug!(outbox.relayed = sent, "outbox events relayed");
                }
            }
            Err(error) => {
                if !failing {
                    tracing::warn!(error = %error, "outbox relay failed; events wait in the outbox");
                    failing = true;
                }
            }
        }
        tokio::select! {
            () = relay.wait(poll) => {}
            _ = stop.changed() => break,
        }
    }
}
