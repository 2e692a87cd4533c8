//! Day plans: the ruin-and-recreate search (`plan_day`, 2 s budget) against the sweep +
//! 2-opt/Or-opt baseline in the same run, on Augerat's set A (CVRPLIB, known optima,
//! `benches/data/cvrplib`) and on a city of 300 containers for 5 trucks. Run with
//! `just bench plan-day`.

use std::path::Path;
use std::time::{Duration, Instant};
use tisseco_domain::plan::{Plan, Problem, Vehicle, Visit, plan_day, sweep_plan};
use tisseco_domain::route::{Budget, DistanceMatrix, Rng};

const SEEDS: u64 = 3;
const BUDGET: Duration = Duration::from_secs(2);

struct Instance {
    name: String,
    optimum: f64,
    vehicles: usize,
    capacity: f64,
    points: Vec<(f64, f64)>,
    demands: Vec<f64>,
}

/// A CVRPLIB instance as stored here: `#` header lines (optimum, vehicles, capacity),
/// then `node x y demand`, node 1 the depot. Distances are rounded (EUC_2D).
fn instance(path: &Path) -> Instance {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let header = |key: &str| {
        text.lines()
            .filter(|l| l.starts_with('#'))
            .find_map(|l| {
                l.split(key)
                    .nth(1)
                    .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            })
            .unwrap_or(f64::NAN)
    };
    let rows: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|f| f.parse().ok())
                .collect::<Vec<f64>>()
        })
        .filter(|r| r.len() == 4)
        .collect();
    Instance {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        optimum: header("optimum "),
        vehicles: header("vehicles ") as usize,
        capacity: header("capacity "),
        points: rows.iter().map(|r| (r[1], r[2])).collect(),
        demands: rows.iter().skip(1).map(|r| r[3]).collect(),
    }
}

fn problem(
    inst: &Instance,
    vehicles: usize,
    rounded: bool,
    service_s: f64,
    shift_s: f64,
    speed: f64,
) -> Problem {
    let p = &inst.points;
    let matrix = DistanceMatrix::from_fn(p.len(), |i, j| {
        let d = (p[i].0 - p[j].0).hypot(p[i].1 - p[j].1);
        if rounded { d.round() } else { d }
    });
    let visits = inst
        .demands
        .iter()
        .enumerate()
        .map(|(i, &load)| Visit {
            label: format!("{}", i + 2),
            load,
            service_s,
            window: None,
        })
        .collect();
    let fleet = vec![
        Vehicle {
            capacity: inst.capacity,
            shift_s
        };
        vehicles
    ];
    match Problem::new(matrix, visits, fleet, speed) {
        Ok(problem) => problem,
        Err(e) => panic!("{}: {e}", inst.name),
    }
}

fn angles(inst: &Instance) -> Vec<f64> {
    let d = inst.points[0];
    inst.points[1..]
        .iter()
        .map(|p| (p.1 - d.1).atan2(p.0 - d.0))
        .collect()
}

fn timed(f: impl FnOnce() -> Plan) -> (Plan, f64) {
    let started = Instant::now();
    let plan = f();
    (plan, started.elapsed().as_secs_f64() * 1e3)
}

fn solve(problem: &Problem, seed: u64) -> (Plan, f64) {
    timed(|| {
        let started = Instant::now();
        let budget = Budget {
            max_rounds: u64::MAX,
            time: BUDGET,
            clock: &started,
        };
        plan_day(problem, &budget, seed)
    })
}

/// 300 containers over a 13 × 13 km city (loads 50–400 L), 5 trucks of 20 m³ for 8 h,
/// 25 km/h and 3 minutes a stop; coordinates in metres.
fn city() -> Instance {
    let mut rng = Rng::new(300);
    let mut unit = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let mut points = vec![(6_500.0, 6_500.0)];
    let mut demands = Vec::new();
    for _ in 0..300 {
        points.push((13_000.0 * unit(), 13_000.0 * unit()));
        demands.push((50.0 + 350.0 * unit()).round());
    }
    Instance {
        name: "city-300".into(),
        optimum: f64::NAN,
        vehicles: 5,
        capacity: 20_000.0,
        points,
        demands,
    }
}

fn main() {
    println!(
        "Budget {} s, {SEEDS} seeds. Gap = distance / optimum − 1.",
        BUDGET.as_secs()
    );
    println!();
    println!(
        "| instance | customers | optimum | sweep gap (routes) | sweep ms | plan-day mean gap | best gap | routes | left out | ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data/cvrplib");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut gaps = Vec::new();
    for path in files {
        let inst = instance(&path);
        let gap = |plan: &Plan| 100.0 * (plan.distance() / inst.optimum - 1.0);
        // The sweep may need spare trucks: it gets as many as it uses.
        let (sweep, sweep_ms) = timed(|| {
            sweep_plan(
                &problem(&inst, inst.vehicles + 5, true, 0.0, 1e12, 1.0),
                &angles(&inst),
            )
        });
        let fleet = problem(&inst, inst.vehicles, true, 0.0, 1e12, 1.0);
        let runs: Vec<(Plan, f64)> = (0..SEEDS).map(|s| solve(&fleet, s)).collect();
        let mean = runs.iter().map(|(p, _)| gap(p)).sum::<f64>() / runs.len() as f64;
        let best = runs
            .iter()
            .map(|(p, _)| gap(p))
            .fold(f64::INFINITY, f64::min);
        gaps.push(mean);
        println!(
            "| {} | {} | {:.0} | {:.2} % ({}) | {:.1} | {mean:.2} % | {best:.2} % | {} | {} | {:.0} |",
            inst.name,
            inst.demands.len(),
            inst.optimum,
            gap(&sweep),
            sweep.routes.len(),
            sweep_ms,
            runs[0].0.routes.len(),
            runs.iter().map(|(p, _)| p.left_out.len()).sum::<usize>(),
            runs.iter().map(|(_, ms)| ms).sum::<f64>() / runs.len() as f64,
        );
    }
    println!();
    println!(
        "Mean gap over set A: {:.2} %",
        gaps.iter().sum::<f64>() / gaps.len().max(1) as f64
    );
    println!();
    let inst = city();
    let fleet = problem(&inst, 5, false, 180.0, 8.0 * 3600.0, 25.0 / 3.6);
    let (sweep, sweep_ms) = timed(|| sweep_plan(&fleet, &angles(&inst)));
    let mut rows = vec![("sweep + 2-opt".to_owned(), sweep, sweep_ms)];
    for balance in [0.0, 0.5, 1.0] {
        let weighted = match fleet.clone().with_balance(balance) {
            Ok(problem) => problem,
            Err(e) => panic!("{e}"),
        };
        let (plan, ms) = solve(&weighted, 0);
        rows.push((format!("plan-day, balance {balance}"), plan, ms));
    }
    println!(
        "| city, 300 containers, 5 trucks | distance (km) | routes | left out | longest route (h) | shortest route (h) | ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, p, t) in &rows {
        let hours = |f: fn(f64, f64) -> f64, start| {
            p.routes.iter().map(|r| r.duration_s).fold(start, f) / 3600.0
        };
        println!(
            "| {name} | {:.1} | {} | {} | {:.1} | {:.1} | {t:.0} |",
            p.distance() / 1e3,
            p.routes.len(),
            p.left_out.len(),
            hours(f64::max, 0.0),
            hours(f64::min, f64::INFINITY),
        );
    }
}
