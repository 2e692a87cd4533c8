//! The budgeted optimiser: complete, reproducible, within its budget, and never worse
//! than the first optimiser on the same stops.

use super::*;
use std::cell::Cell;
use std::time::Duration;

/// A clock that never moves: only the round cap stops a search.
struct Frozen;

impl Stopwatch for Frozen {
    fn elapsed(&self) -> Duration {
        Duration::ZERO
    }
}

/// A clock that moves one millisecond each time it is read.
struct Ticking(Cell<u64>);

impl Stopwatch for Ticking {
    fn elapsed(&self) -> Duration {
        self.0.set(self.0.get() + 1);
        Duration::from_millis(self.0.get())
    }
}

fn rounds(max_rounds: u64) -> Budget<'static> {
    Budget {
        max_rounds,
        time: Duration::from_secs(3600),
        clock: &Frozen,
    }
}

/// Scattered points around Lyon (a seeded generator, unlike the even R2 spread).
fn scattered(count: usize, seed: u64) -> Vec<GeoPoint> {
    let mut rng = Rng::new(seed);
    let mut unit = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    (0..count)
        .map(|_| GeoPoint::new(45.70 + 0.12 * unit(), 4.78 + 0.16 * unit()).unwrap())
        .collect()
}

fn shapes() -> [RouteShape; 4] {
    let depot = GeoPoint::new(45.75, 4.85).ok();
    [(depot, true), (depot, false), (None, true), (None, false)]
        .map(|(depot, round_trip)| RouteShape { depot, round_trip })
}

#[test]
fn every_stop_appears_exactly_once_whatever_the_shape() {
    for shape in shapes() {
        for count in [0, 1, 2, 3, 4, 5, 8, 9, 17, 60] {
            let stops = scattered(count, count as u64);
            let solved = optimise_within(&stops, shape, &GreatCircle, &rounds(50), 1);
            let mut order = solved.order.clone();
            order.sort_unstable();
            assert_eq!(
                order,
                (0..count).collect::<Vec<_>>(),
                "{count} stops, {shape:?}"
            );
            let length = route_length_m(&stops, &solved.order, shape);
            assert!((solved.length - length).abs() < 1e-6, "{count}, {shape:?}");
        }
    }
}

#[test]
fn it_is_never_longer_than_the_first_optimiser() {
    for seed in 0..6 {
        for shape in shapes() {
            let stops = scattered(70, seed);
            let old = route_length_m(&stops, &optimise(&stops, shape), shape);
            let new = optimise_within(&stops, shape, &GreatCircle, &rounds(300), seed);
            assert!(
                new.length <= old + 1e-6,
                "seed {seed}, {shape:?}: {} > {old}",
                new.length
            );
        }
    }
}

#[test]
fn the_same_seed_and_round_cap_give_the_same_order() {
    let stops = scattered(80, 7);
    let shape = shapes()[0];
    let first = optimise_within(&stops, shape, &GreatCircle, &rounds(200), 42);
    let second = optimise_within(&stops, shape, &GreatCircle, &rounds(200), 42);
    assert_eq!(first, second);
    assert_eq!(first.rounds, 200);
}

#[test]
fn the_time_limit_stops_the_search() {
    let stops = scattered(80, 3);
    let clock = Ticking(Cell::new(0));
    let budget = Budget {
        max_rounds: u64::MAX,
        time: Duration::from_millis(10),
        clock: &clock,
    };
    let solved = optimise_within(&stops, shapes()[0], &GreatCircle, &budget, 1);
    // One reading per round: the tenth reading says 10 ms have passed.
    assert_eq!(solved.rounds, 9);
}

#[test]
fn points_on_a_circle_are_visited_around_it() {
    // The shortest loop through points on a circle is the polygon in angle order.
    let count = 40;
    let angle = |i: usize| i as f64 * std::f64::consts::TAU / count as f64;
    let mut stops: Vec<GeoPoint> = (0..count)
        .map(|i| {
            GeoPoint::new(45.75 + 0.05 * angle(i).sin(), 4.85 + 0.07 * angle(i).cos()).unwrap()
        })
        .collect();
    let mut rng = Rng::new(5);
    for i in (1..count).rev() {
        stops.swap(i, rng.below(i + 1));
    }
    let shape = RouteShape {
        depot: None,
        round_trip: true,
    };
    let polygon: Vec<usize> = {
        let mut by_angle: Vec<usize> = (0..count).collect();
        by_angle.sort_by(|&a, &b| {
            let at =
                |p: GeoPoint| (p.latitude() - 45.75).atan2((p.longitude() - 4.85) * 0.05 / 0.07);
            at(stops[a]).total_cmp(&at(stops[b]))
        });
        by_angle
    };
    let best = route_length_m(&stops, &polygon, shape);
    let solved = optimise_within(&stops, shape, &GreatCircle, &rounds(500), 3);
    assert!(
        (solved.length - best).abs() < 1e-3,
        "{} vs {best}",
        solved.length
    );
}

/// Distances from a road table: here twice the great-circle distance, plus a detour
/// between two stops that makes their direct link useless.
struct Roads;

impl DistanceProvider for Roads {
    fn matrix(&self, points: &[GeoPoint]) -> DistanceMatrix {
        DistanceMatrix::from_fn(points.len(), |i, j| {
            let detour = if (i, j) == (1, 2) || (i, j) == (2, 1) {
                1e6
            } else {
                0.0
            };
            2.0 * distance_m(points[i], points[j]) + detour
        })
    }
}

#[test]
fn distances_come_from_the_provider() {
    let stops = scattered(12, 9);
    let shape = shapes()[0];
    let solved = optimise_within(&stops, shape, &Roads, &rounds(100), 1);
    let pairs = std::iter::once(0)
        .chain(solved.order.iter().map(|s| s + 1))
        .collect::<Vec<_>>();
    assert!(
        !pairs
            .windows(2)
            .any(|w| (w[0], w[1]) == (1, 2) || (w[0], w[1]) == (2, 1)),
        "the detour is avoided: {pairs:?}"
    );
    let great_circle = route_length_m(&stops, &solved.order, shape);
    assert!((solved.length - 2.0 * great_circle).abs() < 1e-6);
}
