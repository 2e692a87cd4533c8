//! The behaviour every [`JobQueue`] must have, the in-memory fake (here) and Redis
//! (tests-e2e) alike. `queue` must be fresh (no jobs yet) and know the two queues.
#![expect(clippy::expect_used, reason = "a broken contract is a test failure")]

use crate::jobs::{EVENTS_QUEUE, Job, JobQueue, MAIL_QUEUE, QueueError};
use serde_json::json;

/// Names, unknown queues, counts after enqueueing, unknown dead jobs.
pub async fn job_queue(queue: &dyn JobQueue) {
    assert_eq!(queue.queues(), vec![EVENTS_QUEUE, MAIL_QUEUE]);
    assert_eq!(
        queue.enqueue("nope", &[]).await,
        Err(QueueError::UnknownQueue("nope".into()))
    );
    assert!(matches!(
        queue.counts("nope").await,
        Err(QueueError::UnknownQueue(_))
    ));

    let fresh = queue.counts(MAIL_QUEUE).await.expect("counts");
    assert_eq!(
        (fresh.depth, fresh.in_flight, fresh.delayed, fresh.dead),
        (0, 0, 0, 0)
    );

    let jobs: Vec<Job> = (0..3)
        .map(|n| Job::new("contract.job", json!({"n": n}), Some("req".into())))
        .collect();
    queue.enqueue(MAIL_QUEUE, &jobs).await.expect("enqueue");
    queue
        .enqueue(MAIL_QUEUE, &[])
        .await
        .expect("an empty batch");
    assert_eq!(queue.counts(MAIL_QUEUE).await.expect("counts").depth, 3);
    assert_eq!(queue.counts(EVENTS_QUEUE).await.expect("counts").depth, 0);

    assert!(
        queue
            .dead_jobs(MAIL_QUEUE, 10)
            .await
            .expect("dead")
            .is_empty()
    );
    assert!(!queue.retry_dead(MAIL_QUEUE, "1-0").await.expect("retry"));
    assert!(
        !queue
            .discard_dead(MAIL_QUEUE, "1-0")
            .await
            .expect("discard")
    );
    assert!(
        !queue
            .retry_dead(MAIL_QUEUE, "not an id")
            .await
            .expect("retry")
    );
}
