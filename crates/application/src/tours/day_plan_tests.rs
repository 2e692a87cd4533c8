//! Day plans over the in-memory ports: every container planned once or left out,
//! bad input named, accepted drafts saved as tours.

use super::tests::{audit, world};
use super::*;
use crate::AppError;
use std::time::Duration;

fn request(site: SiteId, ids: Vec<ContainerId>, capacity_litres: f64) -> DayRequest {
    let truck = |name: &str| FleetVehicle {
        vehicle: Some(name.to_owned()),
        driver_id: None,
        capacity_litres,
        shift_minutes: 480.0,
    };
    DayRequest {
        site_id: site,
        date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
        depot: GeoPoint::new(45.75, 4.85).unwrap(),
        vehicles: vec![truck("AB-1"), truck("AB-2")],
        selection: StopSelection {
            container_ids: ids,
            ..StopSelection::default()
        },
        speed_kmh: 25.0,
        service_minutes: 3.0,
        default_load_litres: 1_000.0,
        opening_hours: Vec::new(),
        balance: 1.0,
        budget: Duration::from_millis(50),
    }
}

async fn plan(
    w: &super::tests::World,
    request: DayRequest,
    accept: bool,
) -> Result<DayPlan, AppError> {
    let prepared = w.tours.prepare_day(request).await?;
    w.tours.finish_day(prepared.solve(), accept, &audit()).await
}

#[tokio::test]
async fn every_container_is_planned_once_or_left_out_for_capacity() {
    let w = world(12).await;
    // Two trucks of 5,000 L for twelve containers of 1,000 L: two are left out.
    let answer = plan(&w, request(w.site, w.containers.clone(), 5_000.0), false)
        .await
        .unwrap();
    let mut seen: Vec<ContainerId> = answer
        .drafts
        .iter()
        .flat_map(|d| d.stops.iter().map(|s| s.container_id))
        .chain(answer.left_out.iter().map(|l| l.container_id))
        .collect();
    seen.sort_unstable();
    let mut all = w.containers.clone();
    all.sort_unstable();
    assert_eq!(seen, all);
    assert_eq!(answer.left_out.len(), 2);
    assert!(
        answer
            .left_out
            .iter()
            .all(|l| l.reason == tisseco_domain::plan::Reason::Capacity)
    );
    assert!(
        answer
            .drafts
            .iter()
            .all(|d| d.load_litres <= 5_000.0 && d.tour_id.is_none())
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field() {
    let w = world(3).await;
    let field = |r: Result<DayPlan, AppError>| match r {
        Err(AppError::Invalid(e)) => e.field,
        other => panic!("{other:?}"),
    };
    let mut none = request(w.site, w.containers.clone(), 5_000.0);
    none.vehicles.clear();
    assert_eq!(field(plan(&w, none, false).await), "vehicles");
    let zero = request(w.site, w.containers.clone(), 0.0);
    assert_eq!(
        field(plan(&w, zero, false).await),
        "vehicles[0].capacity_litres"
    );
    let heavy = request(w.site, w.containers.clone(), 500.0);
    assert_eq!(field(plan(&w, heavy, false).await), "vehicles");
    let twice = request(w.site, vec![w.containers[0], w.containers[0]], 5_000.0);
    assert_eq!(field(plan(&w, twice, false).await), "container_ids");
    let unknown = request(w.site, vec![ContainerId::generate()], 5_000.0);
    assert_eq!(field(plan(&w, unknown, false).await), "container_ids");
}

#[tokio::test]
async fn accepted_drafts_become_draft_tours_in_the_planned_order() {
    let w = world(8).await;
    let answer = plan(&w, request(w.site, w.containers.clone(), 20_000.0), true)
        .await
        .unwrap();
    assert!(answer.accepted && answer.left_out.is_empty());
    for draft in &answer.drafts {
        let tour = w.tours.get(draft.tour_id.unwrap()).await.unwrap();
        let order: Vec<ContainerId> = tour.stops.iter().map(|s| s.container_id).collect();
        let planned: Vec<ContainerId> = draft.stops.iter().map(|s| s.container_id).collect();
        assert_eq!(order, planned);
        assert_eq!(tour.vehicle, draft.vehicle);
        assert_eq!(tour.state, TourState::Draft);
    }
}
