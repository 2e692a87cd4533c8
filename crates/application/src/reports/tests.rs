//! Report use cases over in-memory fakes.

use super::*;
use crate::testing::auth_fakes::CountingLimiter;
use crate::testing::{FixedClock, InMemoryCache, InMemoryReports};
use chrono::Utc;
use std::time::Duration;
use tisseco_domain::{
    ContainerId, ContainerStatus, ContainerType, GeoPoint, NewContainer, PublicCode, SiteId,
};

fn setup(limit: u32) -> (Reports, Arc<InMemoryReports>, ContainerId) {
    let store = Arc::new(InMemoryReports::default());
    let container = Container::create(
        NewContainer {
            public_code: PublicCode::parse("K7M3QPX").unwrap(),
            site_id: SiteId::generate(),
            area_id: None,
            external_ref: None,
            kind: ContainerType::StreetBin,
            status: ContainerStatus::Active,
            capacity: None,
            location: GeoPoint::new(48.85, 2.35).unwrap(),
            address: None,
            installed_on: None,
            notes: None,
        },
        Utc::now(),
    );
    let id = container.id;
    store.add_container(container);
    let reports = Reports::new(
        store.clone(),
        Arc::new(CountingLimiter::default()),
        Arc::new(InMemoryCache::default()),
        Quota {
            limit,
            period: Duration::from_secs(3600),
        },
        store.clone(),
        Arc::new(FixedClock(clock())),
    );
    (reports, store, id)
}

/// The injected time: far from the wall clock, so a status stamped with `now()` shows.
fn clock() -> chrono::DateTime<Utc> {
    chrono::TimeZone::with_ymd_and_hms(&Utc, 2031, 5, 4, 8, 30, 0).unwrap()
}

fn form(category: &str) -> Submission {
    Submission {
        category: category.into(),
        source: "web",
        ..Submission::default()
    }
}

#[tokio::test]
async fn identical_reports_merge_and_full_marks_the_container() {
    let (reports, store, id) = setup(100);
    for _ in 0..10 {
        reports.submit("k7m3qpx", form("full")).await.unwrap();
    }
    let all = store.reports();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].count, 10);
    assert_eq!(store.container(id).unwrap().status, ContainerStatus::Full);
    reports.submit("K7M3QPX", form("dirty")).await.unwrap();
    assert_eq!(
        store.reports().len(),
        2,
        "another category is another report"
    );
}

#[tokio::test]
async fn a_full_report_goes_through_the_domain_with_the_injected_clock() {
    let (reports, store, id) = setup(100);
    let before = store.container(id).unwrap();
    reports.submit("K7M3QPX", form("full")).await.unwrap();
    let after = store.container(id).unwrap();
    assert_eq!(after.status, ContainerStatus::Full);
    assert_eq!(after.version, before.version + 1);
    assert_eq!(
        after.updated_at,
        clock(),
        "the use case's clock, not the store's"
    );
    assert_eq!(
        store.audit_actions(),
        ["report.full", "report.create"],
        "the container's change is recorded with the report"
    );
}

#[tokio::test]
async fn a_full_report_leaves_a_removed_or_damaged_container_as_it_is() {
    for status in [ContainerStatus::Removed, ContainerStatus::Damaged] {
        let (reports, store, id) = setup(100);
        let mut container = store.container(id).unwrap();
        container.status = status;
        store.replace_container(container.clone());
        reports.submit("K7M3QPX", form("full")).await.unwrap();
        assert_eq!(store.container(id).unwrap(), container, "{status:?}");
        assert_eq!(store.reports().len(), 1, "the report itself is kept");
    }
}

#[tokio::test]
async fn a_report_whose_container_update_fails_is_not_kept() {
    let (reports, store, id) = setup(100);
    store.fail_writes_of("container");
    let result = reports.submit("K7M3QPX", form("full")).await;
    assert!(
        matches!(result, Err(AppError::Unavailable(_))),
        "{result:?}"
    );
    assert!(store.reports().is_empty());
    assert_eq!(store.container(id).unwrap().status, ContainerStatus::Active);
}

#[tokio::test]
async fn honeypot_is_dropped_silently_and_unknown_codes_are_not_found() {
    let (reports, store, _) = setup(100);
    let mut bot = form("full");
    bot.honeypot = Some("http://spam".into());
    assert_eq!(
        reports.submit("K7M3QPX", bot).await.unwrap(),
        Outcome::Dropped
    );
    assert!(store.reports().is_empty());
    assert!(matches!(
        reports.submit("NOPE123", form("full")).await,
        Err(AppError::NotFound { .. })
    ));
    assert!(matches!(
        reports.submit("K7M3QPX", form("bogus")).await,
        Err(AppError::Invalid(_))
    ));
}

#[tokio::test]
async fn per_container_limit_counts_new_reports_and_never_refuses_a_merge() {
    let (reports, store, _) = setup(2);
    for category in ["other", "dirty"] {
        reports.submit("K7M3QPX", form(category)).await.unwrap();
    }
    assert!(
        matches!(
            reports.submit("K7M3QPX", form("damaged")).await,
            Err(AppError::RateLimited { .. })
        ),
        "a third new report in the hour is refused"
    );
    // one sender repeating an open report cannot lock the container for others
    for _ in 0..5 {
        reports.submit("K7M3QPX", form("other")).await.unwrap();
    }
    assert_eq!(store.reports().len(), 2);
    assert!(store.reports().iter().any(|r| r.count == 6));
}

#[tokio::test]
async fn acknowledgements_are_bounded_per_address_and_per_client() {
    let (reports, store, _) = setup(1_000);
    let with_email = |category: &str, email: &str, client: &str| Submission {
        email: Some(email.into()),
        client: Some(client.into()),
        ..form(category)
    };
    let categories = ["full", "damaged", "dirty", "missing", "vandalism", "other"];
    for (i, category) in categories.iter().enumerate() {
        let client = format!("198.51.100.{i}");
        reports
            .submit(
                "K7M3QPX",
                with_email(category, "victim@example.org", &client),
            )
            .await
            .unwrap();
    }
    let addressed = |email: &str| {
        store
            .reports()
            .iter()
            .filter(|r| r.email.as_deref() == Some(email))
            .count()
    };
    assert_eq!(
        addressed("victim@example.org"),
        3,
        "three a hour to one address"
    );
    assert_eq!(store.reports().len(), 6, "every report is kept");
}

#[tokio::test]
async fn moderation_follows_the_life_cycle_and_is_audited() {
    let (reports, store, _) = setup(100);
    let Outcome::Accepted(s) = reports.submit("K7M3QPX", form("damaged")).await.unwrap() else {
        panic!("dropped")
    };
    let id = s.report().id;
    let audit = AuditContext::default();
    reports
        .moderate(id, Moderation::Acknowledge, &audit)
        .await
        .unwrap();
    reports
        .moderate(
            id,
            Moderation::Comment {
                text: "on our list".into(),
            },
            &audit,
        )
        .await
        .unwrap();
    assert!(matches!(
        reports
            .moderate(id, Moderation::Reject { reason: " ".into() }, &audit)
            .await,
        Err(AppError::Invalid(_))
    ));
    let done = reports
        .moderate(id, Moderation::Resolve { comment: None }, &audit)
        .await
        .unwrap();
    assert_eq!(done.status, ReportStatus::Resolved);
    assert!(matches!(
        reports.moderate(id, Moderation::Start, &audit).await,
        Err(AppError::Conflict { .. })
    ));
    let (_, history) = reports.follow(&s.report().public_token).await.unwrap();
    assert_eq!(history.len(), 4, "created, acknowledged, comment, resolved");
    assert_eq!(
        store.audit_actions(),
        [
            "report.create",
            "report.acknowledge",
            "report.comment",
            "report.resolve"
        ]
    );
    // A new report of the same category after resolution opens a new one.
    reports.submit("K7M3QPX", form("damaged")).await.unwrap();
    assert_eq!(store.reports().len(), 2);
}

#[tokio::test]
async fn a_report_event_becomes_one_email_with_the_follow_link() {
    use crate::jobs::{Job, JobHandler, MAIL_QUEUE};
    use crate::mail::{EmailJob, MailMessage};
    use crate::reports::mail::{REPORT_STATUS_CHANGED, ReportMailHandler};
    use crate::testing::InMemoryJobQueue;
    let queue = Arc::new(InMemoryJobQueue::default());
    let handler = ReportMailHandler {
        queue: queue.clone(),
        public_base_url: "https://tri.example".into(),
    };
    let event = Job::new(
        REPORT_STATUS_CHANGED,
        serde_json::json!({"event_id": 42, "data": {
            "email": "a@b.org", "token": "abcdef0123", "container_code": "K7M3QPX",
            "address": null, "problem": "Full", "status": "Resolved", "note": "emptied"}}),
        None,
    );
    handler.handle(&event).await.unwrap();
    handler.handle(&event).await.unwrap();
    let jobs = queue.take(MAIL_QUEUE);
    assert_eq!(
        jobs.len(),
        2,
        "re-delivered: queued again, sent once (same key)"
    );
    assert_eq!(jobs[0].id, jobs[1].id);
    let email: EmailJob = serde_json::from_value(jobs[0].payload.clone()).unwrap();
    assert_eq!(email.dedup_key, "report-event-42");
    assert_eq!(email.to.email, "a@b.org");
    let MailMessage::PublicReportStatusChanged {
        follow_url, status, ..
    } = email.message
    else {
        panic!("status change expected")
    };
    assert_eq!(follow_url, "https://tri.example/r/abcdef0123");
    assert_eq!(status, "Resolved");
}
