//! Tour use cases over the in-memory ports.

use super::*;
use crate::AppError;
use crate::auth::ports::Principal;
use crate::ports::AuditContext;
use crate::testing::{InMemoryStore, in_memory_registry};
use crate::use_cases::ContainerDraft;
use chrono::Utc;
use tisseco_domain::{
    ContainerStatus, Name, NewSite, NewTour, Role, SiteCode, SkipReason, Tour, TourState, UserId,
    Visit,
};

pub(super) struct World {
    pub(super) tours: Tours,
    registry: Registry,
    pub(super) site: SiteId,
    pub(super) containers: Vec<ContainerId>,
    driver: Principal,
    store: Arc<InMemoryStore>,
}

pub(super) fn audit() -> AuditContext {
    AuditContext::default()
}

pub(super) async fn world(count: usize) -> World {
    let (registry, store): (Registry, Arc<InMemoryStore>) = in_memory_registry();
    let site = registry
        .create_site(
            NewSite {
                code: SiteCode::parse("lyon").unwrap(),
                name: Name::parse("Lyon").unwrap(),
            },
            &audit(),
        )
        .await
        .unwrap();
    let mut containers = Vec::new();
    for i in 0..count {
        let draft = ContainerDraft {
            public_code: None,
            site_id: site.id,
            area_id: None,
            external_ref: None,
            kind: tisseco_domain::ContainerType::StreetBin,
            status: ContainerStatus::Active,
            capacity: None,
            location: GeoPoint::new(45.70 + 0.01 * (i % 5) as f64, 4.80 + 0.013 * (i / 5) as f64)
                .unwrap(),
            address: None,
            installed_on: None,
            notes: None,
        };
        containers.push(registry.create_container(draft, &audit()).await.unwrap().id);
    }
    let tours = Tours::new(
        store.clone(),
        store.clone(),
        registry.clone(),
        Arc::new(crate::ports::SystemClock),
        store.clone(),
    );
    let driver = Principal {
        user_id: UserId::generate(),
        role: Role::Driver,
        session_id: uuid::Uuid::now_v7(),
    };
    World {
        tours,
        registry,
        site: site.id,
        containers,
        driver,
        store,
    }
}

fn new_tour(w: &World) -> NewTour {
    NewTour {
        site_id: w.site,
        date: Utc::now().date_naive(),
        driver_id: Some(w.driver.user_id),
        vehicle: None,
        depot: None,
        notes: None,
    }
}

async fn started(w: &World) -> Tour {
    let selection = StopSelection {
        container_ids: w.containers.clone(),
        ..StopSelection::default()
    };
    let tour = w
        .tours
        .create(new_tour(w), selection, &audit())
        .await
        .unwrap();
    w.tours
        .plan(tour.id, Some(tour.version), &audit())
        .await
        .unwrap();
    w.tours.start(&w.driver, tour.id, &audit()).await.unwrap()
}

fn visit(emptied: bool) -> Visit {
    Visit::new(Utc::now(), 95, Some(120.0), emptied, None, None).unwrap()
}

#[tokio::test]
async fn a_tour_is_created_from_ids_and_unknown_ones_are_named() {
    let w = world(3).await;
    let selection = StopSelection {
        container_ids: vec![w.containers[0], ContainerId::generate()],
        ..StopSelection::default()
    };
    let result = w.tours.create(new_tour(&w), selection, &audit()).await;
    assert!(
        matches!(result, Err(AppError::Invalid(ref e)) if e.field == "container_ids"),
        "{result:?}"
    );
    let all = StopSelection {
        container_ids: w.containers.clone(),
        ..StopSelection::default()
    };
    assert_eq!(
        w.tours
            .create(new_tour(&w), all, &audit())
            .await
            .unwrap()
            .stops
            .len(),
        3
    );
}

#[tokio::test]
async fn stops_can_be_selected_by_last_fill_level() {
    let w = world(4).await;
    let tour = started(&w).await;
    w.tours
        .visit(
            &w.driver,
            tour.id,
            w.containers[1],
            Visit::new(Utc::now(), 95, None, false, None, None).unwrap(),
            None,
            &audit(),
        )
        .await
        .unwrap();
    w.tours
        .visit(
            &w.driver,
            tour.id,
            w.containers[2],
            Visit::new(Utc::now(), 10, None, false, None, None).unwrap(),
            None,
            &audit(),
        )
        .await
        .unwrap();
    let full = StopSelection {
        min_fill_level: Some(80),
        ..StopSelection::default()
    };
    let next = w.tours.create(new_tour(&w), full, &audit()).await.unwrap();
    assert_eq!(
        next.stops
            .iter()
            .map(|s| s.container_id)
            .collect::<Vec<_>>(),
        vec![w.containers[1]]
    );
}

#[tokio::test]
async fn a_visit_whose_container_update_fails_leaves_no_visit() {
    let w = world(1).await;
    let tour = started(&w).await;
    w.store.fail_writes_of("container");
    let result = w
        .tours
        .visit(
            &w.driver,
            tour.id,
            w.containers[0],
            visit(false),
            Some(&key("k-1", "visit 0")),
            &audit(),
        )
        .await;
    assert!(
        matches!(result, Err(AppError::Unavailable(_))),
        "{result:?}"
    );
    let stored = w.tours.get(tour.id).await.unwrap();
    assert_eq!(
        stored, tour,
        "the tour is as it was: no visit without its container"
    );
    let container = w.registry.get_container(w.containers[0]).await.unwrap();
    assert_eq!(container.status, ContainerStatus::Active);
    assert!(
        !w.store
            .events()
            .iter()
            .any(|(e, _)| *e == tisseco_domain::DomainEvent::TourVisited),
        "no event of a visit that did not happen"
    );
}

#[tokio::test]
async fn a_visit_and_its_container_status_commit_together_with_their_events() {
    let w = world(1).await;
    let tour = started(&w).await;
    let before = w.store.events().len();
    let after = w
        .tours
        .visit(
            &w.driver,
            tour.id,
            w.containers[0],
            visit(false),
            None,
            &audit(),
        )
        .await
        .unwrap();
    assert_eq!(after.version, tour.version + 1);
    let container = w.registry.get_container(w.containers[0]).await.unwrap();
    assert_eq!(
        (container.status, container.version),
        (ContainerStatus::Full, 2)
    );
    let events: Vec<_> = w.store.events()[before..].iter().map(|(e, _)| *e).collect();
    assert_eq!(
        events,
        [
            tisseco_domain::DomainEvent::TourVisited,
            tisseco_domain::DomainEvent::ContainerUpdated
        ]
    );
}

#[tokio::test]
async fn a_retried_visit_is_recorded_once_and_the_container_follows() {
    let w = world(2).await;
    let tour = started(&w).await;
    let first = w
        .tours
        .visit(
            &w.driver,
            tour.id,
            w.containers[0],
            visit(false),
            Some(&key("k-1", "visit 0")),
            &audit(),
        )
        .await
        .unwrap();
    let again = w
        .tours
        .visit(
            &w.driver,
            tour.id,
            w.containers[0],
            visit(false),
            Some(&key("k-1", "visit 0")),
            &audit(),
        )
        .await
        .unwrap();
    assert_eq!(first.version, again.version, "the retry changed nothing");
    assert_eq!(
        w.registry
            .get_container(w.containers[0])
            .await
            .unwrap()
            .status,
        ContainerStatus::Full
    );
    let other_key = w
        .tours
        .visit(
            &w.driver,
            tour.id,
            w.containers[0],
            visit(false),
            Some(&key("k-2", "visit 0")),
            &audit(),
        )
        .await;
    assert!(
        matches!(other_key, Err(AppError::Conflict { .. })),
        "a second visit of a done stop is refused"
    );
    // the first key, sent again with another stop's visit: refused, and that stop stays
    // pending instead of answering 200 for a visit never recorded
    let reused = w
        .tours
        .visit(
            &w.driver,
            tour.id,
            w.containers[1],
            visit(false),
            Some(&key("k-1", "visit 1")),
            &audit(),
        )
        .await;
    assert!(
        matches!(&reused, Err(AppError::Invalid(e)) if e.field == "Idempotency-Key"),
        "{reused:?}"
    );
}

fn key(key: &str, request: &str) -> crate::tours::IdempotencyKey {
    crate::tours::IdempotencyKey {
        key: key.into(),
        request: request.into(),
    }
}

#[tokio::test]
async fn another_driver_can_neither_see_nor_touch_the_tour() {
    let w = world(1).await;
    let tour = started(&w).await;
    let intruder = Principal {
        user_id: UserId::generate(),
        ..w.driver.clone()
    };
    assert!(matches!(
        w.tours.get_for(&intruder, tour.id).await,
        Err(AppError::Forbidden(_))
    ));
    let result = w
        .tours
        .visit(
            &intruder,
            tour.id,
            w.containers[0],
            visit(true),
            None,
            &audit(),
        )
        .await;
    assert!(matches!(result, Err(AppError::Forbidden(_))), "{result:?}");
    let manager = Principal {
        role: Role::Manager,
        ..intruder
    };
    assert!(w.tours.get_for(&manager, tour.id).await.is_ok());
}

#[tokio::test]
async fn the_driver_runs_the_tour_to_completion() {
    let w = world(2).await;
    let tour = started(&w).await;
    w.tours
        .visit(
            &w.driver,
            tour.id,
            w.containers[0],
            visit(true),
            None,
            &audit(),
        )
        .await
        .unwrap();
    w.tours
        .skip(
            &w.driver,
            tour.id,
            w.containers[1],
            SkipReason::Blocked,
            None,
            &audit(),
        )
        .await
        .unwrap();
    let done = w
        .tours
        .complete(&w.driver, tour.id, &audit())
        .await
        .unwrap();
    assert_eq!(
        (done.state, done.progress()),
        (TourState::Completed, (1, 1, 2, 120.0))
    );
    let code = w
        .registry
        .get_container(w.containers[1])
        .await
        .unwrap()
        .public_code;
    let (_, found) = w
        .tours
        .stop_by_code(&w.driver, tour.id, &code.to_string().to_lowercase())
        .await
        .unwrap();
    assert_eq!(found, w.containers[1]);
    assert_eq!(
        w.tours
            .of_driver(&w.driver, Utc::now().date_naive())
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn reordering_after_the_start_is_a_conflict() {
    let w = world(3).await;
    let tour = started(&w).await;
    let reversed: Vec<_> = w.containers.iter().rev().copied().collect();
    let result = w
        .tours
        .reorder(tour.id, tour.version, &reversed, &audit())
        .await;
    assert!(
        matches!(result, Err(AppError::Conflict { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_suggested_order_keeps_every_stop_and_is_no_longer() {
    let w = world(25).await;
    let selection = StopSelection {
        container_ids: w.containers.clone(),
        ..StopSelection::default()
    };
    let tour = w
        .tours
        .create(new_tour(&w), selection, &audit())
        .await
        .unwrap();
    for round_trip in [true, false] {
        let suggestion = w.tours.suggest_order(tour.id, round_trip).await.unwrap();
        let mut order = suggestion.order.clone();
        order.sort_unstable();
        let mut expected = w.containers.clone();
        expected.sort_unstable();
        assert_eq!(order, expected);
        assert!(suggestion.distance_after_m <= suggestion.distance_before_m + 1e-6);
    }
    let unchanged = w.tours.get(tour.id).await.unwrap();
    assert_eq!(
        unchanged.version, tour.version,
        "a suggestion does not change the tour"
    );
}

#[tokio::test]
async fn planning_a_tour_queues_one_assignment_email_for_its_driver() {
    use crate::jobs::{Job, JobHandler, MAIL_QUEUE};
    use crate::testing::InMemoryJobQueue;
    use tisseco_domain::{Email, NewUser, Password, display_name};
    let (auth, fakes) = crate::testing::in_memory_auth();
    let new = NewUser {
        email: Email::parse("dan@tisseco.test").unwrap(),
        display_name: display_name("Dan").unwrap(),
        role: Role::Driver,
    };
    let driver = auth
        .create_user(
            new,
            &Password::new("a driver's password").unwrap(),
            &audit(),
        )
        .await
        .unwrap();
    let queue = Arc::new(InMemoryJobQueue::default());
    let handler = TourPlannedHandler {
        users: fakes.store.clone(),
        queue: queue.clone(),
    };
    let payload = serde_json::json!({"event_id": 7, "data": {"id": "t-1", "driver_id": driver.id.to_string(), "date": "2026-11-23",
        "stops": [{}, {}, {}], "version": 2, "depot": {"latitude": 45.75, "longitude": 4.85}}});
    let event = Job::new(TOUR_PLANNED, payload, Some("req-9".into()));
    handler.handle(&event).await.unwrap();
    let mails = queue.take(MAIL_QUEUE);
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].correlation_id.as_deref(), Some("req-9"));
    assert_eq!(mails[0].payload["dedup_key"], "tour-assignment:t-1:2");
    assert_eq!(mails[0].payload["to"]["email"], "dan@tisseco.test");
    assert_eq!(mails[0].payload["message"]["stops"], 3);
}

#[tokio::test]
async fn a_tour_holds_at_most_the_configured_number_of_stops() {
    let w = world(4).await;
    let capped = w.tours.clone().with_max_stops(3);
    let all = StopSelection {
        container_ids: w.containers.clone(),
        ..StopSelection::default()
    };
    let refused = capped.create(new_tour(&w), all, &audit()).await;
    assert!(
        matches!(&refused, Err(AppError::Invalid(e)) if e.field == "container_ids" && e.reason.contains("at most 3")),
        "{refused:?}"
    );
    let three = StopSelection {
        container_ids: w.containers[..3].to_vec(),
        ..StopSelection::default()
    };
    let tour = capped.create(new_tour(&w), three, &audit()).await.unwrap();
    let more = capped
        .add_stops(tour.id, tour.version, &w.containers[3..], &audit())
        .await;
    assert!(matches!(more, Err(AppError::Invalid(_))), "{more:?}");
}
