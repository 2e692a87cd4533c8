//! The job queue on the real Redis: retries with growing delays, dead letters, take-over of
//! jobs a dead worker left in flight, graceful shutdown. Each test has its own key prefix.

use crate::jobs_support::{Flaky, consume, eventually, fast_settings, test_queue};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tisseco_application::jobs::{EVENTS_QUEUE, Job, JobQueue};

const WAIT: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread")]
async fn a_job_failing_twice_succeeds_on_the_third_attempt_with_growing_delays() {
    let queue = test_queue();
    let handler = Arc::new(Flaky {
        failures: 2,
        ..Flaky::default()
    });
    // Delays of 300-400 ms then 600-800 ms: far enough apart for a loaded machine.
    let mut settings = fast_settings();
    settings.backoff_base = Duration::from_millis(400);
    let consumer = consume(&queue, EVENTS_QUEUE, settings, handler.clone()).await;
    let job = Job::new("test.flaky", json!({"n": 1}), Some("req-flaky".into()));
    queue
        .enqueue(EVENTS_QUEUE, std::slice::from_ref(&job))
        .await
        .unwrap();

    eventually(WAIT, "the third attempt", || async {
        handler.effects_of(&job.id) == 1
    })
    .await;
    let attempts = handler.attempts_of(&job.id);
    assert_eq!(attempts.len(), 3, "three attempts");
    let first_delay = attempts[1] - attempts[0];
    let second_delay = attempts[2] - attempts[1];
    assert!(first_delay >= Duration::from_millis(300), "{first_delay:?}");
    assert!(
        second_delay > first_delay,
        "{first_delay:?} then {second_delay:?}"
    );

    consumer.stop().await.unwrap();
    assert_eq!(handler.effects_of(&job.id), 1, "one effect");
    let counts = queue.counts(EVENTS_QUEUE).await.unwrap();
    assert_eq!(
        (counts.depth, counts.in_flight, counts.delayed, counts.dead),
        (0, 0, 0, 0)
    );
    queue.purge().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_that_dies_with_a_job_in_flight_is_relieved_by_another() {
    let queue = test_queue();
    // The first worker starts the job and never finishes it: it died mid-job.
    let stuck = Arc::new(Flaky {
        work: Duration::from_secs(3_600),
        ..Flaky::default()
    });
    let mut settings = fast_settings();
    settings.visibility_timeout = Duration::from_millis(500);
    let dying = consume(&queue, EVENTS_QUEUE, settings.clone(), stuck.clone()).await;
    let job = Job::new("test.reclaim", json!({}), None);
    queue
        .enqueue(EVENTS_QUEUE, std::slice::from_ref(&job))
        .await
        .unwrap();
    eventually(WAIT, "the first worker to start the job", || async {
        !stuck.attempts_of(&job.id).is_empty()
    })
    .await;
    dying.abort();
    assert_eq!(queue.counts(EVENTS_QUEUE).await.unwrap().in_flight, 1);

    let healthy = Arc::new(Flaky::default());
    let rescuer = consume(&queue, EVENTS_QUEUE, settings, healthy.clone()).await;
    eventually(WAIT, "another worker to take the job over", || async {
        healthy.effects_of(&job.id) == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    rescuer.stop().await.unwrap();
    assert_eq!(healthy.effects_of(&job.id), 1, "finished once");
    assert_eq!(stuck.total_effects(), 0);
    assert_eq!(queue.counts(EVENTS_QUEUE).await.unwrap().in_flight, 0);
    queue.purge().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_running_past_the_visibility_timeout_stays_with_its_worker() {
    let queue = test_queue();
    let handler = Arc::new(Flaky {
        work: Duration::from_millis(2_000),
        ..Flaky::default()
    });
    let mut settings = fast_settings();
    settings.visibility_timeout = Duration::from_millis(400);
    let first = consume(&queue, EVENTS_QUEUE, settings.clone(), handler.clone()).await;
    let second = consume(&queue, EVENTS_QUEUE, settings, handler.clone()).await;
    let job = Job::new("test.long", json!({}), None);
    queue
        .enqueue(EVENTS_QUEUE, std::slice::from_ref(&job))
        .await
        .unwrap();
    eventually(WAIT, "the long job to finish", || async {
        handler.effects_of(&job.id) == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    first.stop().await.unwrap();
    second.stop().await.unwrap();
    assert_eq!(
        handler.attempts_of(&job.id).len(),
        1,
        "no consumer took the running job over"
    );
    assert_eq!(queue.counts(EVENTS_QUEUE).await.unwrap().in_flight, 0);
    queue.purge().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_finishes_the_jobs_in_flight_and_loses_none() {
    let queue = test_queue();
    let handler = Arc::new(Flaky {
        work: Duration::from_millis(300),
        ..Flaky::default()
    });
    let mut settings = fast_settings();
    settings.concurrency = 4;
    let consumer = consume(&queue, EVENTS_QUEUE, settings.clone(), handler.clone()).await;
    let jobs: Vec<Job> = (0..20)
        .map(|n| Job::new("test.slow", json!({"n": n}), None))
        .collect();
    queue.enqueue(EVENTS_QUEUE, &jobs).await.unwrap();
    eventually(WAIT, "jobs to be in flight", || async {
        handler.attempts.lock().unwrap().len() >= 4
    })
    .await;

    consumer.stop().await.unwrap();
    let started = handler.attempts.lock().unwrap().len();
    assert_eq!(
        handler.total_effects() as usize,
        started,
        "every job started before the shutdown finished"
    );
    assert!(
        started < 20,
        "the shutdown came mid-work ({started} started)"
    );
    let counts = queue.counts(EVENTS_QUEUE).await.unwrap();
    assert_eq!(counts.in_flight, 0, "nothing left unacknowledged");
    assert_eq!(counts.depth as usize, 20 - started, "the rest still wait");

    let next = consume(&queue, EVENTS_QUEUE, settings, handler.clone()).await;
    eventually(WAIT, "the rest to be handled", || async {
        handler.total_effects() == 20
    })
    .await;
    next.stop().await.unwrap();
    for job in &jobs {
        assert_eq!(handler.effects_of(&job.id), 1, "no job lost, none twice");
    }
    queue.purge().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_entry_or_unknown_type_goes_straight_to_the_dead_letters() {
    let queue = test_queue();
    let consumer = tisseco_bootstrap::Consumer::start(
        &queue,
        EVENTS_QUEUE,
        "solo",
        fast_settings(),
        tisseco_application::jobs::Handlers::new(),
    )
    .await
    .unwrap();
    let job = Job::new("nobody.handles.this", json!({}), None);
    queue
        .enqueue(EVENTS_QUEUE, std::slice::from_ref(&job))
        .await
        .unwrap();
    eventually(WAIT, "the job to be buried", || async {
        queue.counts(EVENTS_QUEUE).await.unwrap().dead == 1
    })
    .await;
    let dead = queue.dead_jobs(EVENTS_QUEUE, 10).await.unwrap();
    assert_eq!(dead[0].job.id, job.id);
    assert_eq!(dead[0].job.attempt, 1, "no retry for a permanent failure");
    assert!(dead[0].error.contains("no handler"), "{}", dead[0].error);
    consumer.stop().await.unwrap();
    queue.purge().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_survives_its_queue_being_wiped() {
    // What a Redis restarted without persistence looks like: stream and group are gone.
    let queue = test_queue();
    let handler = Arc::new(Flaky::default());
    let consumer = consume(&queue, EVENTS_QUEUE, fast_settings(), handler.clone()).await;
    queue.purge().await.unwrap();
    let job = Job::new("test.after-wipe", json!({}), None);
    queue
        .enqueue(EVENTS_QUEUE, std::slice::from_ref(&job))
        .await
        .unwrap();
    eventually(WAIT, "the job after the wipe", || async {
        handler.effects_of(&job.id) == 1
    })
    .await;
    consumer.stop().await.unwrap();
    queue.purge().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_honours_the_queue_contract() {
    let queue = test_queue();
    tisseco_application::testing::queue_contract::job_queue(&queue).await;
    queue.purge().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_whose_dependency_is_down_waits_out_the_outage_and_is_never_buried() {
    let queue = test_queue();
    // twice as many unavailable tries as attempts allowed: the old consumer buried it
    let handler = Arc::new(Flaky {
        outage: std::sync::atomic::AtomicU32::new(6),
        ..Flaky::default()
    });
    let mut settings = fast_settings();
    settings.backoff_base = Duration::from_millis(20);
    settings.outage_backoff_max = Duration::from_millis(100);
    let consumer = consume(&queue, EVENTS_QUEUE, settings, handler.clone()).await;
    let job = Job::new("test.outage", json!({}), None);
    queue
        .enqueue(EVENTS_QUEUE, std::slice::from_ref(&job))
        .await
        .unwrap();
    eventually(
        WAIT,
        "the job to run once the dependency is back",
        || async { handler.effects_of(&job.id) == 1 },
    )
    .await;
    consumer.stop().await.unwrap();
    assert_eq!(
        handler.attempts_of(&job.id).len(),
        7,
        "six waits, then the run"
    );
    let counts = queue.counts(EVENTS_QUEUE).await.unwrap();
    assert_eq!((counts.dead, counts.delayed, counts.in_flight), (0, 0, 0));
    queue.purge().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn enqueueing_the_same_job_twice_adds_one_entry() {
    let queue = test_queue();
    let job = Job::new("test.twice", json!({}), None);
    let other = Job::new("test.twice", json!({}), None);
    queue
        .enqueue(EVENTS_QUEUE, std::slice::from_ref(&job))
        .await
        .unwrap();
    // a relay retry, or a call replayed after a reconnect, with a new job in the batch
    queue
        .enqueue(EVENTS_QUEUE, &[job.clone(), other.clone()])
        .await
        .unwrap();
    assert_eq!(
        queue.stream_len(EVENTS_QUEUE).await.unwrap(),
        2,
        "one entry per job"
    );
    queue.purge().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_workers_jobs_are_taken_over_at_once_not_after_the_visibility_timeout() {
    let queue = test_queue();
    let stuck = Arc::new(Flaky {
        work: Duration::from_secs(3_600),
        ..Flaky::default()
    });
    // a visibility timeout far beyond the wait below: only the heartbeat can explain a rescue
    let mut settings = fast_settings();
    settings.visibility_timeout = Duration::from_secs(120);
    settings.heartbeat = Duration::from_millis(100);
    let dying = consume(&queue, EVENTS_QUEUE, settings.clone(), stuck.clone()).await;
    let job = Job::new("test.rescue", json!({}), None);
    queue
        .enqueue(EVENTS_QUEUE, std::slice::from_ref(&job))
        .await
        .unwrap();
    eventually(WAIT, "the first worker to start the job", || async {
        !stuck.attempts_of(&job.id).is_empty()
    })
    .await;
    let healthy = Arc::new(Flaky::default());
    let rescuer = consume(&queue, EVENTS_QUEUE, settings, healthy.clone()).await;
    // alive and beating: its job is left alone
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(
        healthy.effects_of(&job.id),
        0,
        "a live worker keeps its job"
    );
    dying.abort();
    eventually(WAIT, "the job to be taken over", || async {
        healthy.effects_of(&job.id) == 1
    })
    .await;
    rescuer.stop().await.unwrap();
    assert_eq!(queue.counts(EVENTS_QUEUE).await.unwrap().in_flight, 0);
    queue.purge().await.unwrap();
}
