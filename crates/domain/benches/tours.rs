//! Tour optimisation: the iterated local search (`optimise_matrix`, within its budget)
//! against the first optimiser (nearest neighbour + 2-opt + Or-opt) in the same run, on
//! TSPLIB instances with known optima (`benches/data/tsplib`) and on random uniform and
//! clustered stops around Lyon (gap to the best length any method found, including a
//! 2 s run). Run with `just bench tours`.

use std::path::Path;
use std::time::{Duration, Instant};
use tisseco_domain::GeoPoint;
use tisseco_domain::route::{
    Budget, DistanceMatrix, DistanceProvider, GreatCircle, optimise_matrix,
    optimise_matrix_baseline,
};

const SEEDS: u64 = 5;
const BUDGET: Duration = Duration::from_millis(100);

/// A TSPLIB EUC_2D instance: its name, optimum and matrix (distances rounded to the
/// nearest integer, as TSPLIB defines them).
fn tsplib(path: &Path) -> (String, f64, DistanceMatrix) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let optimum = text
        .lines()
        .next()
        .and_then(|l| l.rsplit("optimum ").next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    let points: Vec<(f64, f64)> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split_whitespace().skip(1).map(str::parse::<f64>);
            Some((f.next()?.ok()?, f.next()?.ok()?))
        })
        .collect();
    let matrix = DistanceMatrix::from_fn(points.len(), |i, j| {
        (points[i].0 - points[j].0)
            .hypot(points[i].1 - points[j].1)
            .round()
    });
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    (name, optimum, matrix)
}

/// A fixed-seed xorshift in [0, 1).
fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Stops over a 13 × 13 km city, spread evenly or in 8 neighbourhoods (plus the depot).
fn city(count: usize, clustered: bool) -> Vec<GeoPoint> {
    let mut next = uniform(count as u64 + u64::from(clustered) * 1000);
    let centres: Vec<(f64, f64)> = (0..8).map(|_| (next(), next())).collect();
    let mut points = vec![GeoPoint::new(45.75, 4.85).ok()];
    for _ in 0..count {
        let (x, y) = if clustered {
            let (cx, cy) = centres[(next() * 8.0) as usize % 8];
            // a rough normal spread (sum of uniforms) of about 700 m
            let g = |r: &mut dyn FnMut() -> f64| (r() + r() + r() - 1.5) * 0.1;
            (cx + g(&mut next), cy + g(&mut next))
        } else {
            (next(), next())
        };
        points.push(
            GeoPoint::new(
                45.70 + 0.12 * y.clamp(0.0, 1.0),
                4.78 + 0.16 * x.clamp(0.0, 1.0),
            )
            .ok(),
        );
    }
    points.into_iter().flatten().collect()
}

struct Run {
    length: f64,
    ms: f64,
    rounds: u64,
}

fn ils(matrix: &DistanceMatrix, has_depot: bool, time: Duration, seed: u64) -> Run {
    let started = Instant::now();
    let budget = Budget {
        max_rounds: u64::MAX,
        time,
        clock: &started,
    };
    let solved = optimise_matrix(matrix, has_depot, true, &budget, seed);
    Run {
        length: solved.length,
        ms: started.elapsed().as_secs_f64() * 1e3,
        rounds: solved.rounds,
    }
}

fn baseline(matrix: &DistanceMatrix, has_depot: bool) -> Run {
    let started = Instant::now();
    let order = optimise_matrix_baseline(matrix, has_depot, true);
    let nodes: Vec<usize> = has_depot
        .then_some(0)
        .into_iter()
        .chain(order.iter().map(|s| s + usize::from(has_depot)))
        .collect();
    Run {
        length: matrix.path_length(&nodes, true),
        ms: started.elapsed().as_secs_f64() * 1e3,
        rounds: 0,
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let all: Vec<f64> = values.collect();
    all.iter().sum::<f64>() / all.len().max(1) as f64
}

fn row(name: &str, n: usize, reference: f64, old: &Run, new: &[Run]) {
    let gap = |l: f64| 100.0 * (l / reference - 1.0);
    let best = new.iter().map(|r| r.length).fold(f64::INFINITY, f64::min);
    println!(
        "| {name} | {n} | {reference:.0} | {:.2} % | {:.1} | {:.2} % | {:.2} % | {:.0} | {:.0} |",
        gap(old.length),
        old.ms,
        gap(mean(new.iter().map(|r| r.length))),
        gap(best),
        mean(new.iter().map(|r| r.ms)),
        mean(new.iter().map(|r| r.rounds as f64)),
    );
}

fn main() {
    let only: Option<String> = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    println!(
        "ILS budget {} ms, {SEEDS} seeds; gap = length / reference − 1.",
        BUDGET.as_millis()
    );
    println!();
    println!(
        "| instance | n | reference | first optimiser gap | its ms | ILS mean gap | ILS best gap | ILS ms | ILS kicks |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data/tsplib");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort_by_key(|p| {
        let (_, _, m) = tsplib(p);
        m.size()
    });
    for path in files {
        let (name, optimum, matrix) = tsplib(&path);
        if only.as_deref().is_some_and(|o| o != "tsplib") {
            continue;
        }
        let old = baseline(&matrix, false);
        let new: Vec<Run> = (0..SEEDS).map(|s| ils(&matrix, false, BUDGET, s)).collect();
        row(&name, matrix.size(), optimum, &old, &new);
    }
    for clustered in [false, true] {
        for count in [50, 100, 200, 500, 1000] {
            if only.as_deref().is_some_and(|o| o == "tsplib") {
                continue;
            }
            let points = city(count, clustered);
            let matrix = GreatCircle.matrix(&points);
            let old = baseline(&matrix, true);
            let new: Vec<Run> = (0..SEEDS).map(|s| ils(&matrix, true, BUDGET, s)).collect();
            let long = ils(&matrix, true, Duration::from_secs(2), 99);
            let reference = new
                .iter()
                .map(|r| r.length)
                .chain([old.length, long.length])
                .fold(f64::INFINITY, f64::min);
            let kind = if clustered { "clustered" } else { "uniform" };
            row(&format!("{kind} (m)"), count, reference, &old, &new);
        }
    }
}
