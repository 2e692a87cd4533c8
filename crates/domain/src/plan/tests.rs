//! Day plans: bad input is refused with the field named, every visit is planned once
//! or left out with its reason, loads and shifts hold, and the search is reproducible.

use super::*;
use crate::route::DistanceMatrix;

struct Frozen;

impl crate::route::Stopwatch for Frozen {
    fn elapsed(&self) -> Duration {
        Duration::ZERO
    }
}

fn rounds(max_rounds: u64) -> Budget<'static> {
    Budget {
        max_rounds,
        time: Duration::from_secs(3600),
        clock: &Frozen,
    }
}

/// Points in metres on a 10 km square, the depot (node 0) in the middle.
fn points(count: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = Rng::new(seed);
    let mut unit = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    std::iter::once((5_000.0, 5_000.0))
        .chain((0..count).map(|_| (10_000.0 * unit(), 10_000.0 * unit())))
        .collect()
}

fn matrix(points: &[(f64, f64)]) -> DistanceMatrix {
    DistanceMatrix::from_fn(points.len(), |i, j| {
        (points[i].0 - points[j].0).hypot(points[i].1 - points[j].1)
    })
}

fn visit(i: usize, load: f64) -> Visit {
    Visit {
        label: format!("V{i}"),
        load,
        service_s: 120.0,
        window: None,
    }
}

fn truck(capacity: f64, hours: f64) -> Vehicle {
    Vehicle {
        capacity,
        shift_s: hours * 3600.0,
    }
}

/// `count` visits of loads 1..=9, a fleet of `trucks`, 10 m/s.
fn problem(count: usize, seed: u64, trucks: Vec<Vehicle>) -> Problem {
    let pts = points(count, seed);
    let visits = (0..count).map(|i| visit(i, (1 + i % 9) as f64)).collect();
    Problem::new(matrix(&pts), visits, trucks, 10.0).unwrap()
}

fn field(result: Result<Problem, crate::ValidationError>) -> String {
    result.map(|_| ()).unwrap_err().field
}

#[test]
fn bad_input_names_the_field() {
    let pts = points(3, 1);
    let visits = || (0..3).map(|i| visit(i, 5.0)).collect::<Vec<_>>();
    let new = |trucks: Vec<Vehicle>, speed| Problem::new(matrix(&pts), visits(), trucks, speed);
    assert_eq!(field(new(vec![], 10.0)), "vehicles");
    assert_eq!(
        field(new(vec![truck(10.0, 8.0), truck(0.0, 8.0)], 10.0)),
        "vehicles[1].capacity_litres"
    );
    assert_eq!(
        field(new(vec![truck(10.0, -1.0)], 10.0)),
        "vehicles[0].shift_minutes"
    );
    assert_eq!(field(new(vec![truck(10.0, 8.0)], 0.0)), "speed_kmh");
    assert_eq!(
        field(new(vec![truck(4.0, 8.0)], 10.0)),
        "vehicles",
        "every visit is heavier"
    );
    // Two minutes of service alone are more than a one-minute shift.
    assert_eq!(
        field(new(vec![truck(10.0, 8.0), truck(10.0, 1.0 / 60.0)], 10.0)),
        "vehicles[1].shift_minutes"
    );
    assert!(new(vec![truck(10.0, 8.0)], 10.0).is_ok());
}

/// Every visit is in one route or left out, never both, never twice; loads and shifts hold.
fn check(problem: &Problem, plan: &Plan) {
    let mut seen = vec![0; problem.visits.len()];
    for route in &plan.routes {
        let truck = problem.vehicles[route.vehicle];
        assert!(route.load <= truck.capacity + 1e-9, "{route:?}");
        assert!(route.duration_s <= truck.shift_s + 1e-6, "{route:?}");
        let load: f64 = route.visits.iter().map(|&v| problem.visits[v].load).sum();
        assert!((load - route.load).abs() < 1e-9);
        for &v in &route.visits {
            seen[v] += 1;
        }
    }
    for (v, _) in &plan.left_out {
        seen[*v] += 1;
    }
    assert!(seen.iter().all(|&s| s == 1), "{seen:?}");
    let vehicles: Vec<usize> = plan.routes.iter().map(|r| r.vehicle).collect();
    let mut unique = vehicles.clone();
    unique.dedup();
    assert_eq!(vehicles, unique, "one route per vehicle");
}

#[test]
fn every_visit_is_planned_once_within_loads_and_shifts() {
    for seed in 0..4 {
        let problem = problem(
            60,
            seed,
            vec![truck(100.0, 4.0), truck(100.0, 4.0), truck(120.0, 6.0)],
        );
        let plan = plan_day(&problem, &rounds(300), seed);
        check(&problem, &plan);
        assert!(
            plan.left_out.is_empty(),
            "the fleet has room for all: {:?}",
            plan.left_out
        );
    }
}

#[test]
fn the_same_seed_and_round_cap_give_the_same_plan() {
    let problem = problem(
        40,
        3,
        vec![truck(60.0, 8.0), truck(60.0, 8.0), truck(60.0, 8.0)],
    );
    assert_eq!(
        plan_day(&problem, &rounds(200), 9),
        plan_day(&problem, &rounds(200), 9)
    );
}

#[test]
fn what_does_not_fit_is_left_out_with_its_reason() {
    // 100 visits of 1..=9 (about 490 in all) for one truck of 100: capacity.
    let problem = problem(100, 5, vec![truck(100.0, 12.0)]);
    let plan = plan_day(&problem, &rounds(200), 1);
    check(&problem, &plan);
    assert!(
        plan.routes[0].load >= 90.0,
        "the truck is nearly full: {}",
        plan.routes[0].load
    );
    assert!(!plan.left_out.is_empty());
    assert!(plan.left_out.iter().all(|(_, r)| *r == Reason::Capacity));

    // One visit 60 km away: 2 h of driving at 10 m/s… for a 1.5 h shift: time.
    let mut pts = points(5, 2);
    pts.push((65_000.0, 5_000.0));
    let visits = (0..6).map(|i| visit(i, 1.0)).collect();
    let problem = Problem::new(matrix(&pts), visits, vec![truck(100.0, 1.5)], 10.0).unwrap();
    let plan = plan_day(&problem, &rounds(100), 1);
    check(&problem, &plan);
    assert_eq!(plan.left_out, vec![(5, Reason::Time)]);
}

#[test]
fn time_windows_are_kept() {
    let pts = points(20, 4);
    let mut visits: Vec<Visit> = (0..20).map(|i| visit(i, 1.0)).collect();
    // A shop open from the second hour only, and one closing after ten minutes.
    visits[3].window = Some((3_600.0, 5_400.0));
    visits[7].window = Some((0.0, 600.0));
    let problem = Problem::new(
        matrix(&pts),
        visits,
        vec![truck(100.0, 8.0), truck(100.0, 8.0)],
        10.0,
    )
    .unwrap();
    let plan = plan_day(&problem, &rounds(200), 2);
    check(&problem, &plan);
    assert!(plan.left_out.is_empty());
    for route in &plan.routes {
        assert!(problem.duration(&route.visits).is_finite(), "{route:?}");
        if route.visits.contains(&3) {
            let at = route.visits.iter().position(|&v| v == 3).unwrap();
            let before = problem.duration(&route.visits[..=at]);
            assert!(before >= 3_600.0, "served after opening: {before}");
        }
    }
}

#[test]
fn it_is_never_longer_than_the_sweep_baseline() {
    for seed in 0..3 {
        let problem = problem(50, seed, vec![truck(70.0, 8.0); 4]);
        let pts = points(50, seed);
        let angles: Vec<f64> = pts[1..]
            .iter()
            .map(|p| (p.1 - pts[0].1).atan2(p.0 - pts[0].0))
            .collect();
        let sweep = sweep_plan(&problem, &angles);
        check(&problem, &sweep);
        let plan = plan_day(&problem, &rounds(500), seed);
        assert!(plan.left_out.len() <= sweep.left_out.len());
        assert!(
            plan.distance() <= sweep.distance() + 1e-6,
            "seed {seed}: {} > {}",
            plan.distance(),
            sweep.distance()
        );
    }
}

#[test]
fn balance_spreads_the_work_over_the_fleet() {
    // Room for everything in one truck: distance alone sends one truck round all visits.
    let trucks = vec![truck(1_000.0, 24.0); 3];
    let alone = problem(45, 6, trucks.clone());
    let even = problem(45, 6, trucks).with_balance(1.0).unwrap();
    let longest = |plan: &Plan| plan.routes.iter().map(|r| r.duration_s).fold(0.0, f64::max);
    let by_distance = plan_day(&alone, &rounds(400), 1);
    let balanced = plan_day(&even, &rounds(400), 1);
    check(&even, &balanced);
    assert_eq!(by_distance.routes.len(), 1, "{by_distance:?}");
    assert_eq!(balanced.routes.len(), 3);
    assert!(
        longest(&balanced) < 0.6 * longest(&by_distance),
        "{} vs {}",
        longest(&balanced),
        longest(&by_distance)
    );
    assert!(matches!(
        problem(3, 1, vec![truck(10.0, 8.0)]).with_balance(-1.0),
        Err(e) if e.field == "balance"
    ));
}
