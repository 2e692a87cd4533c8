//! Point 3: the worker process killed (-9) again and again while it sends 200 e-mails: every
//! recipient gets at least one and at most two, a duplicate with the same Message-ID.
//! Point 7: after each kill the next worker resumes the dead one's jobs within seconds
//! (its heartbeat stopped), not after the 60 s visibility timeout.

use crate::servers::{Postgres, Redis};
use crate::smtp;
use crate::{eventually, migrate, queue_settings, wait_until};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tisseco_application::jobs::{JobQueue, MAIL_QUEUE};
use tisseco_application::mail::{EmailJob, MailMessage, Recipient};
use tisseco_bootstrap::RedisJobQueue;

const MAILS: usize = 200;

/// The worker binary next to this test's (`just faults` builds it first).
fn worker_binary() -> std::path::PathBuf {
    let mut path = std::env::current_exe().unwrap();
    path.pop();
    if path.ends_with("deps") {
        path.pop();
    }
    path.join("tisseco-worker")
}

/// The worker process, killed when dropped (a failed test leaves none behind).
struct Worker(Child);

impl Worker {
    /// SIGKILL, as a crash.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_worker(pg: &Postgres, redis: &Redis, smtp_port: u16) -> Worker {
    Worker(
        Command::new(worker_binary())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", pg.url())
            .env("REDIS_URL", redis.url())
            .env("SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}"))
            .env("SMTP_TIMEOUT_MS", "2000")
            .env("QUEUE_PREFIX", "faults")
            .env("WORKER_HEALTH_BIND", "127.0.0.1:0")
            .env("WORKER_HEARTBEAT_MS", "500")
            .env("JOB_OUTAGE_BACKOFF_MAX_MS", "2000")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the worker binary (cargo build --bin tisseco-worker)"),
    )
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "fault suite: just faults"]
async fn a_worker_killed_mid_send_drops_no_email_and_sends_none_more_than_twice() {
    let pg = Postgres::start();
    let redis = Redis::start();
    migrate(&pg.url()).await;
    let (smtp_port, received) =
        smtp::serve(Duration::from_millis(40), Duration::from_millis(10)).await;
    let queue = RedisJobQueue::connect(&queue_settings(&redis.url())).unwrap();
    let jobs: Vec<_> = (0..MAILS)
        .map(|n| {
            EmailJob {
                dedup_key: format!("fault-mail:{n}"),
                to: Recipient {
                    email: format!("r{n}@example.org"),
                    name: None,
                    locale: None,
                },
                message: MailMessage::PasswordReset {
                    display_name: format!("R{n}"),
                    reset_url: "https://tisseco.example/reset".into(),
                    expires_in_minutes: 30,
                },
            }
            .to_job(None)
            .unwrap()
        })
        .collect();
    queue.enqueue(MAIL_QUEUE, &jobs).await.unwrap();
    let started = Instant::now();
    let mut worker = spawn_worker(&pg, &redis, smtp_port);
    let mut last_kill = Instant::now();
    for kill_at in [30, 80, 130] {
        eventually(Duration::from_secs(120), "sends to go on", || async {
            received.lock().unwrap().len() >= kill_at
        })
        .await;
        worker.kill();
        last_kill = Instant::now();
        worker = spawn_worker(&pg, &redis, smtp_port);
    }
    // the last dead worker's jobs are among them: served once its heartbeat is missed
    let all_served = wait_until(Duration::from_secs(120), || async {
        let got = received.lock().unwrap();
        got.iter()
            .map(|(to, _)| to)
            .collect::<std::collections::HashSet<_>>()
            .len()
            == MAILS
    })
    .await;
    let served_after_last_kill = last_kill.elapsed();
    // what is still in flight may yet send a duplicate; let it
    wait_until(Duration::from_secs(60), || async {
        let counts = queue.counts(MAIL_QUEUE).await.unwrap_or_default();
        counts.depth + counts.in_flight + counts.delayed == 0
    })
    .await;
    worker.kill();
    let got = received.lock().unwrap().clone();
    let mut per_recipient: HashMap<&str, Vec<&str>> = HashMap::new();
    for (to, id) in &got {
        per_recipient.entry(to).or_default().push(id);
    }
    let twice = per_recipient.values().filter(|ids| ids.len() == 2).count();
    println!(
        "FAULT worker killed -9 three times while sending {MAILS} e-mails ({:.0} s): {} recipients served, {} messages, {twice} duplicates (same Message-ID); every recipient served {:.1} s after the last kill",
        started.elapsed().as_secs_f64(),
        per_recipient.len(),
        got.len(),
        served_after_last_kill.as_secs_f64()
    );
    assert!(all_served, "every recipient served in time");
    assert_eq!(per_recipient.len(), MAILS, "no e-mail lost");
    for (to, ids) in &per_recipient {
        assert!(ids.len() <= 2, "{to} got {} messages", ids.len());
        assert!(
            ids.iter().all(|id| *id == ids[0] && !id.is_empty()),
            "{to}: one Message-ID, {ids:?}"
        );
    }
    assert_eq!(queue.counts(MAIL_QUEUE).await.unwrap().dead, 0);
    assert!(
        served_after_last_kill < Duration::from_secs(45),
        "the dead worker's jobs resumed before the 60 s visibility timeout: {served_after_last_kill:?}"
    );
}
