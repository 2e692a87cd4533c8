//! In-memory fakes of the queue, outbox, mail and journal ports.

use crate::events::EventJournal;
use crate::jobs::{DeadJob, Job, JobQueue, QueueCounts, QueueError};
use crate::mail::{MailError, MailMessage, Mailer, Recipient, Reservation, SentEmails};
use crate::outbox::{OutboxEvent, OutboxStore};
use crate::ports::RepoError;
use async_trait::async_trait;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A queue in memory: jobs wait in order; dead jobs can be added to test the dashboard.
#[derive(Debug, Default)]
pub struct InMemoryJobQueue {
    waiting: Mutex<BTreeMap<String, VecDeque<Job>>>,
    dead: Mutex<BTreeMap<String, Vec<DeadJob>>>,
    /// When set, every call fails with `Unavailable` (a server down).
    pub down: std::sync::atomic::AtomicBool,
}

impl InMemoryJobQueue {
    /// Takes every waiting job of `queue`.
    pub fn take(&self, queue: &str) -> Vec<Job> {
        lock(&self.waiting)
            .get_mut(queue)
            .map(|q| q.drain(..).collect())
            .unwrap_or_default()
    }

    pub fn add_dead(&self, queue: &str, dead: DeadJob) {
        lock(&self.dead).entry(queue.into()).or_default().push(dead);
    }

    fn check(&self, queue: &str) -> Result<(), QueueError> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(QueueError::Unavailable("down".into()));
        }
        if self.queues().iter().any(|q| q == queue) {
            Ok(())
        } else {
            Err(QueueError::UnknownQueue(queue.into()))
        }
    }
}

#[async_trait]
impl JobQueue for InMemoryJobQueue {
    fn queues(&self) -> Vec<String> {
        vec![
            crate::jobs::EVENTS_QUEUE.into(),
            crate::jobs::MAIL_QUEUE.into(),
        ]
    }

    async fn enqueue(&self, queue: &str, jobs: &[Job]) -> Result<(), QueueError> {
        self.check(queue)?;
        lock(&self.waiting)
            .entry(queue.into())
            .or_default()
            .extend(jobs.iter().cloned());
        Ok(())
    }

    async fn counts(&self, queue: &str) -> Result<QueueCounts, QueueError> {
        self.check(queue)?;
        let depth = lock(&self.waiting).get(queue).map_or(0, VecDeque::len);
        let dead = lock(&self.dead).get(queue).map_or(0, Vec::len);
        Ok(QueueCounts {
            depth: depth as u64,
            dead: dead as u64,
            ..QueueCounts::default()
        })
    }

    async fn dead_jobs(&self, queue: &str, limit: u32) -> Result<Vec<DeadJob>, QueueError> {
        self.check(queue)?;
        let dead = lock(&self.dead);
        Ok(dead.get(queue).map_or_else(Vec::new, |jobs| {
            jobs.iter().rev().take(limit as usize).cloned().collect()
        }))
    }

    async fn retry_dead(&self, queue: &str, dead_id: &str) -> Result<bool, QueueError> {
        self.check(queue)?;
        let found = {
            let mut dead = lock(&self.dead);
            let jobs = dead.entry(queue.into()).or_default();
            let index = jobs.iter().position(|d| d.dead_id == dead_id);
            index.map(|i| jobs.remove(i))
        };
        match found {
            Some(dead) => {
                let mut job = dead.job;
                job.attempt = 1;
                self.enqueue(queue, &[job]).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn discard_dead(&self, queue: &str, dead_id: &str) -> Result<bool, QueueError> {
        self.check(queue)?;
        let mut dead = lock(&self.dead);
        let jobs = dead.entry(queue.into()).or_default();
        let before = jobs.len();
        jobs.retain(|d| d.dead_id != dead_id);
        Ok(jobs.len() < before)
    }
}

/// An outbox in memory.
#[derive(Debug, Default)]
pub struct InMemoryOutbox {
    /// (event, sent, leased)
    events: Mutex<Vec<(OutboxEvent, bool, bool)>>,
}

impl InMemoryOutbox {
    pub fn push(&self, event: OutboxEvent) {
        lock(&self.events).push((event, false, false));
    }

    /// How many events are not relayed yet.
    pub fn unsent(&self) -> usize {
        lock(&self.events)
            .iter()
            .filter(|(_, sent, _)| !sent)
            .count()
    }
}

#[async_trait]
impl OutboxStore for InMemoryOutbox {
    async fn claim(&self, limit: u32, _lease: Duration) -> Result<Vec<OutboxEvent>, RepoError> {
        let mut events = lock(&self.events);
        Ok(events
            .iter_mut()
            .filter(|(_, sent, leased)| !sent && !leased)
            .take(limit as usize)
            .map(|(event, _, leased)| {
                *leased = true;
                event.clone()
            })
            .collect())
    }

    async fn mark_sent(&self, ids: &[i64]) -> Result<(), RepoError> {
        for (event, sent, _) in lock(&self.events).iter_mut() {
            if ids.contains(&event.id) {
                *sent = true;
            }
        }
        Ok(())
    }

    async fn release(&self, ids: &[i64]) -> Result<(), RepoError> {
        for (event, _, leased) in lock(&self.events).iter_mut() {
            if ids.contains(&event.id) {
                *leased = false;
            }
        }
        Ok(())
    }

    async fn wait_for_events(&self, _timeout: Duration) {}
}

/// A mailer that keeps what it was asked to send; can be told to fail.
#[derive(Debug, Default)]
pub struct RecordingMailer {
    pub sent: Mutex<Vec<(Recipient, MailMessage)>>,
    /// The key (hence the Message-ID) of each message sent with one.
    pub keys: Mutex<Vec<String>>,
    pub failures_left: Mutex<u32>,
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, to: &Recipient, message: &MailMessage) -> Result<(), MailError> {
        let mut failures = lock(&self.failures_left);
        if *failures > 0 {
            *failures -= 1;
            return Err(MailError::Transport("SMTP down".into()));
        }
        lock(&self.sent).push((to.clone(), message.clone()));
        Ok(())
    }

    async fn send_keyed(
        &self,
        to: &Recipient,
        message: &MailMessage,
        key: &str,
    ) -> Result<(), MailError> {
        self.send(to, message).await?;
        lock(&self.keys).push(key.to_owned());
        Ok(())
    }
}

/// The de-duplication record and the event journal in memory.
#[derive(Debug, Default)]
pub struct InMemoryKeys {
    pub keys: Mutex<BTreeSet<String>>,
    /// E-mails recorded as "sending" and not yet "sent".
    pub sending: Mutex<BTreeSet<String>>,
}

#[async_trait]
impl SentEmails for InMemoryKeys {
    async fn reserve(
        &self,
        key: &str,
        _to: &str,
        _template: &str,
        _lease: Duration,
    ) -> Result<Reservation, RepoError> {
        if lock(&self.keys).insert(key.to_owned()) {
            lock(&self.sending).insert(key.to_owned());
            return Ok(Reservation::Send);
        }
        // left "sending" by an interrupted send: in memory, any lease is over
        Ok(if lock(&self.sending).contains(key) {
            Reservation::Send
        } else {
            Reservation::AlreadySent
        })
    }

    async fn mark_sent(&self, key: &str) -> Result<(), RepoError> {
        lock(&self.sending).remove(key);
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), RepoError> {
        lock(&self.keys).remove(key);
        lock(&self.sending).remove(key);
        Ok(())
    }
}

#[async_trait]
impl EventJournal for InMemoryKeys {
    async fn record(&self, job: &Job) -> Result<bool, RepoError> {
        Ok(lock(&self.keys).insert(job.id.clone()))
    }
}
