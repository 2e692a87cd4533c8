//! How a consumer shows it is alive and finds jobs whose worker is not: a heartbeat key
//! per consumer, taking over a silent consumer's jobs at once, taking over jobs idle past
//! the visibility timeout (a live worker that stopped renewing), and renewing the claim of
//! long jobs so that one failed renewal never loses it.

use crate::consumer::Consumer;
use crate::keys::GROUP;
use crate::parse::{Entry, autoclaim_reply, entries};
use crate::{scripts, unavailable};
use fred::prelude::*;
use fred::types::Expiration;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tisseco_application::jobs::QueueError;

impl Consumer {
    /// Sets this consumer's alive key, to expire when it has been silent too long.
    pub(crate) async fn beat(&self) -> Result<(), QueueError> {
        let ttl =
            i64::try_from(self.settings.presumed_dead_after().as_millis()).unwrap_or(i64::MAX);
        let () = self
            .client
            .set(
                self.keys.alive(&self.name),
                "1",
                Some(Expiration::PX(ttl.max(1))),
                None,
                false,
            )
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    /// Beats until the consumer stops or is killed; one line per change of reachability.
    pub(crate) async fn keep_beating(self: std::sync::Arc<Self>) {
        let mut failing = false;
        while !self.killed.load(Ordering::SeqCst) {
            match self.beat().await {
                Ok(()) if failing => {
                    failing = false;
                    tracing::info!(queue = %self.keys.name, "heartbeat sent again");
                }
                Ok(()) => {}
                Err(error) if !failing => {
                    failing = true;
                    tracing::warn!(queue = %self.keys.name, error = %error, "heartbeat failed; retrying");
                }
                Err(_) => {}
            }
            tokio::time::sleep(self.settings.heartbeat).await;
        }
    }

    /// Takes over every job of consumers whose heartbeat stopped (their worker died).
    pub(crate) async fn rescue(&self) -> Result<Vec<Entry>, QueueError> {
        let reply: Value = self
            .client
            .eval(
                scripts::RESCUE,
                vec![self.keys.stream.clone()],
                vec![
                    GROUP.to_owned(),
                    self.name.clone(),
                    self.keys.alive_prefix.clone(),
                    self.settings.batch.to_string(),
                ],
            )
            .await
            .map_err(|e| unavailable(&e))?;
        let rescued = entries(reply);
        if !rescued.is_empty() {
            tracing::warn!(queue = %self.keys.name, jobs = rescued.len(), "took over the jobs of a worker whose heartbeat stopped");
        }
        Ok(rescued)
    }

    /// Takes over entries another consumer left in flight past the visibility timeout.
    pub(crate) async fn reclaim(&self) -> Result<Vec<Entry>, QueueError> {
        let idle = u64::try_from(self.settings.visibility_timeout.as_millis()).unwrap_or(u64::MAX);
        let reply: Value = self
            .client
            .xautoclaim(
                &self.keys.stream,
                GROUP,
                &self.name,
                idle,
                "0-0",
                Some(self.settings.batch),
                false,
            )
            .await
            .map_err(|e| unavailable(&e))?;
        let (_next, claimed) = autoclaim_reply(reply);
        if !claimed.is_empty() {
            tracing::warn!(queue = %self.keys.name, jobs = claimed.len(), "took over jobs left in flight past the visibility timeout");
        }
        Ok(claimed)
    }

    /// Resets the idle time of an entry in flight. A failed renewal is tried again within
    /// a second or two, not at the next beat: one timeout under a host stall must not let
    /// the visibility timeout run out. False once another consumer owns the entry.
    pub(crate) async fn keep_claimed(&self, entry_id: &str) -> bool {
        let pause = (self.settings.visibility_timeout / 20)
            .clamp(Duration::from_millis(10), Duration::from_secs(2));
        for _ in 0..5 {
            let kept: Result<i64, _> = self
                .client
                .eval(
                    scripts::KEEP,
                    vec![self.keys.stream.clone()],
                    vec![GROUP.to_owned(), self.name.clone(), entry_id.to_owned()],
                )
                .await;
            match kept {
                Ok(1) => return true,
                Ok(_) => {
                    tracing::warn!(queue = %self.keys.name, entry = entry_id, "another worker took this running job over");
                    return false;
                }
                Err(error) => {
                    tracing::debug!(queue = %self.keys.name, error = %error, "cannot renew a running job's claim yet; trying again");
                    tokio::time::sleep(pause).await;
                }
            }
        }
        tracing::warn!(queue = %self.keys.name, entry = entry_id, "cannot renew a running job's claim");
        true
    }
}
