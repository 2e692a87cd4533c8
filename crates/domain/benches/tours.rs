//! Tour optimisation: time and route length against the input order and nearest neighbour,
//! for 50 to 300 random stops. Run with `just bench tours`.

use std::time::Instant;
use tisseco_domain::GeoPoint;
use tisseco_domain::route::{RouteShape, nearest_neighbour_order, optimise, route_length_m};

/// Random stops over a city (a fixed-seed xorshift, so every run measures the same input).
fn stops(count: usize, seed: u64) -> Vec<GeoPoint> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..count)
        .filter_map(|_| GeoPoint::new(45.70 + 0.12 * next(), 4.78 + 0.16 * next()).ok())
        .collect()
}

fn main() {
    let shape = RouteShape {
        depot: GeoPoint::new(45.75, 4.85).ok(),
        round_trip: true,
    };
    println!(
        "| stops | optimise (ms, median of 5) | input order (km) | nearest neighbour (km) | optimised (km) | vs input | vs NN |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for count in [50, 100, 200, 300] {
        let points = stops(count, count as u64);
        let given: Vec<usize> = (0..count).collect();
        let mut times = Vec::new();
        let mut order = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            order = optimise(&points, shape);
            times.push(started.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        let input = route_length_m(&points, &given, shape) / 1e3;
        let nn = route_length_m(&points, &nearest_neighbour_order(&points, shape), shape) / 1e3;
        let best = route_length_m(&points, &order, shape) / 1e3;
        println!(
            "| {count} | {:.1} | {input:.1} | {nn:.1} | {best:.1} | {:.2} | {:.2} |",
            times[2],
            best / input,
            best / nn
        );
    }
}
