//! Every tour rule, without a database.

use super::*;
use chrono::Utc;

fn candidate(site: SiteId) -> StopCandidate {
    StopCandidate {
        container_id: ContainerId::generate(),
        site_id: site,
        archived: false,
        status: ContainerStatus::Active,
    }
}

fn draft(stops: usize) -> (Tour, UserId) {
    let site = SiteId::generate();
    let driver = UserId::generate();
    let candidates: Vec<_> = (0..stops).map(|_| candidate(site)).collect();
    let new = NewTour {
        site_id: site,
        date: Utc::now().date_naive(),
        driver_id: Some(driver),
        vehicle: Some("VAN-12".into()),
        depot: None,
        notes: None,
    };
    (Tour::create(new, &candidates, Utc::now()).unwrap(), driver)
}

fn visit(fill: i64, emptied: bool) -> Visit {
    Visit::new(Utc::now(), fill, Some(42.5), emptied, None, None).unwrap()
}

#[test]
fn a_container_appears_once_per_tour() {
    let (mut tour, _) = draft(1);
    let again = StopCandidate {
        container_id: tour.stops[0].container_id,
        ..candidate(tour.site_id)
    };
    let result = tour.add_stops(&[candidate(tour.site_id), again], Utc::now());
    assert!(
        matches!(result, Err(DomainError::Invalid(ref e)) if e.reason.contains("already")),
        "{result:?}"
    );
    assert_eq!(tour.stops.len(), 1, "all or nothing");
}

#[test]
fn archived_removed_or_foreign_containers_cannot_be_added() {
    let (mut tour, _) = draft(0);
    let site = tour.site_id;
    for bad in [
        StopCandidate {
            archived: true,
            ..candidate(site)
        },
        StopCandidate {
            status: ContainerStatus::Removed,
            ..candidate(site)
        },
        candidate(SiteId::generate()),
    ] {
        assert!(tour.add_stops(&[bad], Utc::now()).is_err());
    }
    assert!(
        tour.add_stops(
            &[StopCandidate {
                status: ContainerStatus::Full,
                ..candidate(site)
            }],
            Utc::now()
        )
        .is_ok()
    );
}

#[test]
fn stops_reorder_only_before_the_start_and_only_as_a_permutation() {
    let (mut tour, driver) = draft(3);
    let ids: Vec<_> = tour.stops.iter().map(|s| s.container_id).collect();
    let reversed: Vec<_> = ids.iter().rev().copied().collect();
    tour.reorder(&reversed, Utc::now()).unwrap();
    assert_eq!(
        tour.stops
            .iter()
            .map(|s| s.container_id)
            .collect::<Vec<_>>(),
        reversed
    );
    assert!(
        tour.reorder(&ids[..2], Utc::now()).is_err(),
        "a stop missing"
    );
    assert!(
        tour.reorder(&[ids[0], ids[0], ids[1]], Utc::now()).is_err(),
        "a stop twice"
    );
    tour.plan(Utc::now()).unwrap();
    tour.start(driver, Utc::now()).unwrap();
    assert!(matches!(
        tour.reorder(&ids, Utc::now()),
        Err(DomainError::Conflict(_))
    ));
    assert!(matches!(
        tour.remove_stop(ids[0], Utc::now()),
        Err(DomainError::Conflict(_))
    ));
}

#[test]
fn the_life_cycle_runs_draft_planned_in_progress_completed() {
    let (mut tour, driver) = draft(2);
    assert!(
        tour.start(driver, Utc::now()).is_err(),
        "a draft does not start"
    );
    tour.plan(Utc::now()).unwrap();
    assert!(tour.plan(Utc::now()).is_err());
    tour.start(driver, Utc::now()).unwrap();
    assert!(tour.cancel(Utc::now()).is_err(), "too late to cancel");
    let (first, second) = (tour.stops[0].container_id, tour.stops[1].container_id);
    tour.record_visit(driver, first, visit(80, true), Utc::now())
        .unwrap();
    assert!(
        matches!(tour.complete(driver, Utc::now()), Err(DomainError::Conflict(ref m)) if m.contains("1 stops"))
    );
    tour.skip(driver, second, SkipReason::Blocked, None, Utc::now())
        .unwrap();
    tour.complete(driver, Utc::now()).unwrap();
    assert_eq!(tour.state, TourState::Completed);
    assert_eq!(tour.progress(), (1, 1, 2, 42.5));
}

#[test]
fn a_tour_needs_a_driver_and_stops_to_be_planned() {
    let (mut empty, _) = draft(0);
    assert!(empty.plan(Utc::now()).is_err());
    let (mut driverless, _) = draft(1);
    driverless.assign(None, None, Utc::now()).unwrap();
    assert!(driverless.plan(Utc::now()).is_err());
    let (mut cancelled, _) = draft(1);
    cancelled.cancel(Utc::now()).unwrap();
    assert_eq!(cancelled.state, TourState::Cancelled);
    assert!(cancelled.plan(Utc::now()).is_err());
}

#[test]
fn only_the_assigned_driver_records_visits_and_only_in_progress() {
    let (mut tour, driver) = draft(1);
    let stop = tour.stops[0].container_id;
    tour.plan(Utc::now()).unwrap();
    assert!(
        matches!(
            tour.record_visit(driver, stop, visit(10, true), Utc::now()),
            Err(DomainError::Conflict(_))
        ),
        "not started"
    );
    assert_eq!(
        tour.start(UserId::generate(), Utc::now()),
        Err(DomainError::NotYours)
    );
    tour.start(driver, Utc::now()).unwrap();
    assert_eq!(
        tour.record_visit(UserId::generate(), stop, visit(10, true), Utc::now()),
        Err(DomainError::NotYours)
    );
    tour.record_visit(driver, stop, visit(10, true), Utc::now())
        .unwrap();
    assert!(
        matches!(
            tour.record_visit(driver, stop, visit(10, true), Utc::now()),
            Err(DomainError::Conflict(_))
        ),
        "once"
    );
    assert!(matches!(
        tour.record_visit(driver, ContainerId::generate(), visit(10, true), Utc::now()),
        Err(DomainError::Invalid(_))
    ));
}

#[test]
fn visits_are_bounded() {
    assert!(
        Visit::new(Utc::now(), 101, None, false, None, None)
            .is_err_and(|e| e.field == "fill_level")
    );
    assert!(Visit::new(Utc::now(), -1, None, false, None, None).is_err());
    assert!(
        Visit::new(Utc::now(), 50, Some(-2.0), false, None, None)
            .is_err_and(|e| e.field == "weight_kg")
    );
    assert!(Visit::new(Utc::now(), 50, Some(f64::NAN), false, None, None).is_err());
}

#[test]
fn a_visit_updates_the_container_status() {
    use ContainerStatus::{Active, Damaged, Full, Maintenance};
    assert_eq!(
        visit(95, true).container_status_after(Full),
        Active,
        "emptied"
    );
    assert_eq!(
        visit(95, false).container_status_after(Active),
        Full,
        "found full, not emptied"
    );
    assert_eq!(visit(40, false).container_status_after(Active), Active);
    let problem = Visit::new(
        Utc::now(),
        40,
        None,
        true,
        None,
        Some(Notes::parse("door broken").unwrap()),
    )
    .unwrap();
    assert_eq!(problem.container_status_after(Active), Damaged);
    assert_eq!(
        visit(95, false).container_status_after(Maintenance),
        Maintenance,
        "maintenance can't become full"
    );
}

#[test]
fn states_and_reasons_parse_by_name() {
    assert_eq!(TourState::parse("in_progress"), Ok(TourState::InProgress));
    assert!(TourState::parse("done").is_err());
    assert_eq!(SkipReason::parse("not_found"), Ok(SkipReason::NotFound));
    assert!(SkipReason::parse("lazy").is_err_and(|e| e.field == "reason"));
}
