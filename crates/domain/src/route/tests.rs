//! Optimisation never loses or duplicates a stop and never makes a route longer.

use super::*;

/// A deterministic spread of points around Lyon (the R2 sequence).
fn points(count: usize, seed: usize) -> Vec<GeoPoint> {
    (0..count)
        .map(|i| {
            let k = (i + seed * 7919) as f64;
            let x = (0.5 + k * 0.754_877_666).fract();
            let y = (0.5 + k * 0.569_840_291).fract();
            GeoPoint::new(45.70 + 0.12 * y, 4.78 + 0.16 * x).unwrap()
        })
        .collect()
}

fn shapes() -> [RouteShape; 4] {
    let depot = GeoPoint::new(45.75, 4.85).ok();
    [
        RouteShape {
            depot,
            round_trip: true,
        },
        RouteShape {
            depot,
            round_trip: false,
        },
        RouteShape {
            depot: None,
            round_trip: true,
        },
        RouteShape {
            depot: None,
            round_trip: false,
        },
    ]
}

#[test]
fn distances_are_great_circle_metres() {
    let lyon = GeoPoint::new(45.7640, 4.8357).unwrap();
    let paris = GeoPoint::new(48.8566, 2.3522).unwrap();
    assert!(
        (distance_m(lyon, paris) - 391_500.0).abs() < 1_500.0,
        "{}",
        distance_m(lyon, paris)
    );
    let west = GeoPoint::new(0.0, 179.9).unwrap();
    let east = GeoPoint::new(0.0, -179.9).unwrap();
    assert!(
        (distance_m(west, east) - 22_239.0).abs() < 50.0,
        "across the antimeridian"
    );
    assert_eq!(distance_m(lyon, lyon), 0.0);
}

#[test]
fn every_stop_appears_exactly_once() {
    for (seed, shape) in shapes().into_iter().enumerate() {
        for count in [0, 1, 2, 3, 17, 60] {
            let stops = points(count, seed);
            let mut order = optimise(&stops, shape);
            order.sort_unstable();
            assert_eq!(
                order,
                (0..count).collect::<Vec<_>>(),
                "{count} stops, {shape:?}"
            );
        }
    }
}

#[test]
fn the_optimised_route_is_never_longer_than_the_input_or_nearest_neighbour() {
    for seed in 0..8 {
        for shape in shapes() {
            let stops = points(40, seed);
            let given: Vec<usize> = (0..stops.len()).collect();
            let optimised = route_length_m(&stops, &optimise(&stops, shape), shape);
            let naive = route_length_m(&stops, &nearest_neighbour_order(&stops, shape), shape);
            assert!(optimised <= route_length_m(&stops, &given, shape) + 1e-6);
            assert!(
                optimised <= naive + 1e-6,
                "seed {seed}: {optimised} > {naive}"
            );
        }
    }
}

#[test]
fn the_same_input_gives_the_same_order() {
    let stops = points(50, 3);
    let shape = shapes()[0];
    assert_eq!(optimise(&stops, shape), optimise(&stops, shape));
}

#[test]
fn a_square_is_walked_around_not_across() {
    let corner = |lat, lon| GeoPoint::new(lat, lon).unwrap();
    let stops = [
        corner(45.0, 4.0),
        corner(45.01, 4.01),
        corner(45.0, 4.01),
        corner(45.01, 4.0),
    ];
    let shape = RouteShape {
        depot: None,
        round_trip: true,
    };
    let order = optimise(&stops, shape);
    let perimeter = route_length_m(&stops, &[0, 2, 1, 3], shape);
    assert!(
        (route_length_m(&stops, &order, shape) - perimeter).abs() < 1e-6,
        "{order:?}"
    );
}
