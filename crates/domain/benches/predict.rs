//! Backtest of the fill model (`just bench predict`): a seeded year of deposits for 2,000
//! containers, replayed day by day; each method plans every container's next visit from
//! its predicted date, and is scored against the true date. Pure CPU, no database.

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashMap;
use tisseco_domain::fill::{FillModel, FillObservation, FillRate, RatePriors, WeeklyProfile};

const CONTAINERS: usize = 2_000;
const AREAS: usize = 100;
const DAYS: usize = 365;
/// Deposits go on past the year so that the true date of a late prediction is known.
const TRUTH_DAYS: usize = DAYS + 150;
const THRESHOLD: f64 = 80.0;
const MISSED_VISITS: f64 = 0.05;
const READING_NOISE: f64 = 10.0;
const VANDALISM_PER_DAY: f64 = 0.01;
/// The real weekday pattern of deposits, Monday first. The model is not told it: it uses
/// its own default profile.
const TRUE_WEEK: [f64; 7] = [0.85, 0.8, 0.85, 0.9, 1.05, 1.35, 1.2];
/// Rate multipliers of the four container types.
const TYPES: [f64; 4] = [1.0, 1.4, 0.7, 0.9];
/// The intervals the managers choose from today, per area.
const PRACTICE_INTERVALS: [i64; 3] = [7, 10, 14];

/// A fixed-seed generator (splitmix64), and a hash of (container, day, purpose) so the
/// same visit day gets the same reading error and the same miss whatever the method.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-12), self.next());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

fn mix(mut z: u64) -> f64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn hashed(container: usize, day: usize, purpose: u64) -> f64 {
    mix((container as u64) << 32 ^ (day as u64) << 4 ^ purpose ^ 0x5EED)
}

struct World {
    start: DateTime<Utc>,
    /// Per container: cumulative deposits (percentage points) at each midnight.
    cumulative: Vec<Vec<f64>>,
    area: Vec<usize>,
    kind: Vec<usize>,
    interval: Vec<i64>,
}

impl World {
    fn generate(seed: u64) -> Self {
        let mut rng = Rng(seed);
        let mean_week = TRUE_WEEK.iter().sum::<f64>() / 7.0;
        let area_factor: Vec<f64> = (0..AREAS).map(|_| (0.3 * rng.normal()).exp()).collect();
        let (mut cumulative, mut area, mut kind, mut interval) = (vec![], vec![], vec![], vec![]);
        for c in 0..CONTAINERS {
            let a = c % AREAS;
            let k = (rng.next() * 4.0) as usize % 4;
            // Median 80 % in about 12 days; the spread is the one seen between street sites.
            let rate =
                (6.5 * area_factor[a] * TYPES[k] * (0.35 * rng.normal()).exp()).clamp(1.5, 30.0);
            let mut sum = 0.0;
            let mut cum = Vec::with_capacity(TRUTH_DAYS + 1);
            cum.push(0.0);
            for d in 0..TRUTH_DAYS {
                let mut today = rate * TRUE_WEEK[d % 7] / mean_week * (0.6 + 0.8 * rng.next());
                if rng.next() < VANDALISM_PER_DAY {
                    today += 20.0 + 30.0 * rng.next();
                }
                sum += today;
                cum.push(sum);
            }
            // Today's practice: the interval nearest the area's typical 80 % time.
            let typical = THRESHOLD / (6.5 * area_factor[a]);
            let pick = PRACTICE_INTERVALS
                .into_iter()
                .min_by(|x, y| {
                    ((*x as f64) - typical)
                        .abs()
                        .total_cmp(&((*y as f64) - typical).abs())
                })
                .unwrap_or(7);
            cumulative.push(cum);
            area.push(a);
            kind.push(k);
            interval.push(pick);
        }
        Self {
            start: Utc.with_ymd_and_hms(2025, 1, 6, 0, 0, 0).unwrap(),
            cumulative,
            area,
            kind,
            interval,
        }
    }

    fn days(&self, at: DateTime<Utc>) -> f64 {
        (at - self.start).num_seconds() as f64 / 86_400.0
    }

    fn at(&self, days: f64) -> DateTime<Utc> {
        self.start + Duration::seconds((days * 86_400.0).round() as i64)
    }

    /// Deposits up to `days` (deposits are spread evenly over each day).
    fn deposited(&self, c: usize, days: f64) -> f64 {
        let cum = &self.cumulative[c];
        let d = (days.floor() as usize).min(cum.len() - 2);
        cum[d] + (cum[d + 1] - cum[d]) * (days - d as f64)
    }

    /// When `level` points will have been deposited since `from` (in days), if within the data.
    fn reaches(&self, c: usize, from: f64, level: f64) -> Option<f64> {
        let cum = &self.cumulative[c];
        let goal = self.deposited(c, from) + level;
        let d = cum.partition_point(|v| *v < goal);
        if d == 0 || d >= cum.len() {
            return None;
        }
        let (lo, hi) = (cum[d - 1], cum[d]);
        Some((d - 1) as f64 + (goal - lo) / (hi - lo))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Method {
    FixedInterval,
    MeanRate,
    Model,
}

#[derive(Default)]
struct Score {
    cycles: usize,
    abs_error: f64,
    late_cycles: usize,
    late_abs_error: f64,
    overflowed: usize,
    containers_overflowed: usize,
    visits: usize,
    fill_found: f64,
}

fn run(world: &World, method: Method) -> Score {
    let model = tuned_model();
    let mut score = Score::default();
    let mut history: Vec<Vec<FillObservation>> = vec![Vec::new(); CONTAINERS];
    let mut own: Vec<Option<FillRate>> = vec![None; CONTAINERS];
    let mut next_visit: Vec<usize> = vec![0; CONTAINERS];
    let mut emptied_at: Vec<f64> = vec![0.0; CONTAINERS];
    let mut ever_overflowed = vec![false; CONTAINERS];
    for day in 0..DAYS {
        // Fallback rates as the planner would see them this morning.
        let (area_prior, kind_prior) = priors(world, &own);
        for c in 0..CONTAINERS {
            if next_visit[c] != day {
                continue;
            }
            if day > 0 && hashed(c, day, 1) < MISSED_VISITS {
                next_visit[c] = day + 1;
                continue;
            }
            let visit = day as f64 + (8.0 + 5.0 * hashed(c, day, 2)) / 24.0;
            let level = world.deposited(c, visit) - world.deposited(c, emptied_at[c]);
            let reading = if day == 0 {
                0.0
            } else if level >= 100.0 {
                100.0
            } else {
                (level + READING_NOISE * (2.0 * hashed(c, day, 3) - 1.0)).clamp(0.0, 99.0)
            };
            if day > 0 {
                score.visits += 1;
                score.fill_found += level.min(100.0);
            }
            history[c].push(FillObservation {
                at: world.at(visit),
                fill_level: reading.round() as u8,
                emptied: true,
            });
            emptied_at[c] = visit;
            let predicted = match method {
                Method::FixedInterval => visit.floor() + world.interval[c] as f64 + 10.0 / 24.0,
                Method::MeanRate => mean_rate_date(world, c, &history[c], visit),
                Method::Model => {
                    own[c] = model.own_rate(&history[c], world.at(visit));
                    let priors = RatePriors {
                        area: area_prior.get(&world.area[c]).copied(),
                        kind: kind_prior.get(&world.kind[c]).copied(),
                    };
                    model
                        .predict(&history[c], priors, world.at(visit))
                        .threshold_at
                        .map_or(visit + 60.0, |at| world.days(at))
                }
            };
            next_visit[c] = (predicted.floor() as usize).max(day + 1);
            if let (Some(t80), Some(t100)) = (
                world.reaches(c, visit, THRESHOLD),
                world.reaches(c, visit, 100.0),
            ) {
                let error = (predicted - t80).abs();
                score.cycles += 1;
                score.abs_error += error;
                if day >= 60 {
                    score.late_cycles += 1;
                    score.late_abs_error += error;
                }
                if t100 < predicted {
                    score.overflowed += 1;
                    ever_overflowed[c] = true;
                }
            }
        }
    }
    score.containers_overflowed = ever_overflowed.iter().filter(|o| **o).count();
    score
}

/// The naive baseline: the mean of (level found ÷ calendar days) over every past cycle;
/// the practice interval until there is one.
fn mean_rate_date(world: &World, c: usize, history: &[FillObservation], visit: f64) -> f64 {
    let rates: Vec<f64> = history
        .windows(2)
        .map(|p| f64::from(p[1].fill_level) / (world.days(p[1].at) - world.days(p[0].at)).max(0.1))
        .collect();
    if rates.is_empty() {
        return visit.floor() + world.interval[c] as f64 + 10.0 / 24.0;
    }
    let mean = rates.iter().sum::<f64>() / rates.len() as f64;
    visit + THRESHOLD / mean.max(0.5)
}

fn priors(
    world: &World,
    own: &[Option<FillRate>],
) -> (HashMap<usize, FillRate>, HashMap<usize, FillRate>) {
    let mut by_area: HashMap<usize, Vec<FillRate>> = HashMap::new();
    let mut by_kind: HashMap<usize, Vec<FillRate>> = HashMap::new();
    for (c, rate) in own.iter().enumerate() {
        if let Some(rate) = rate {
            by_area.entry(world.area[c]).or_default().push(*rate);
            by_kind.entry(world.kind[c]).or_default().push(*rate);
        }
    }
    let pool = |m: HashMap<usize, Vec<FillRate>>| {
        m.into_iter()
            .filter_map(|(k, rates)| FillModel::pooled_rate(&rates).map(|r| (k, r)))
            .collect()
    };
    (pool(by_area), pool(by_kind))
}

/// The default model, with the knobs the tuning used: `MODEL_PRIOR_WEIGHT`,
/// `MODEL_HALF_LIFE_DAYS`, `MODEL_FLAT_WEEK=1`.
fn tuned_model() -> FillModel {
    let mut model = FillModel::default();
    let number = |name: &str| std::env::var(name).ok().and_then(|s| s.parse::<f64>().ok());
    if let Some(weight) = number("MODEL_PRIOR_WEIGHT") {
        model.prior_weight = weight;
    }
    if let Some(days) = number("MODEL_HALF_LIFE_DAYS") {
        model.half_life_days = days;
    }
    if std::env::var("MODEL_FLAT_WEEK").is_ok_and(|v| v == "1") {
        model.profile = WeeklyProfile::flat();
    }
    model
}

fn main() {
    let seed = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2026);
    let started = std::time::Instant::now();
    let world = World::generate(seed);
    println!(
        "Seed {seed}: {CONTAINERS} containers in {AREAS} areas, {DAYS} days, threshold {THRESHOLD} %."
    );
    println!();
    println!(
        "| method | predictions | MAE (days) | MAE after day 60 | overflow before the predicted date | containers that overflowed at least once | visits per container-year | mean fill found (%) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut fixed_mae = None;
    for (name, method) in [
        ("fixed interval (today)", Method::FixedInterval),
        ("mean rate", Method::MeanRate),
        ("fill model", Method::Model),
    ] {
        let s = run(&world, method);
        let mae = s.abs_error / s.cycles.max(1) as f64;
        let versus = fixed_mae.map_or(String::new(), |f: f64| {
            format!(" ({:+.0} %)", (mae / f - 1.0) * 100.0)
        });
        fixed_mae.get_or_insert(mae);
        println!(
            "| {name} | {} | {mae:.2}{versus} | {:.2} | {:.1} % | {:.1} % | {:.1} | {:.0} |",
            s.cycles,
            s.late_abs_error / s.late_cycles.max(1) as f64,
            100.0 * s.overflowed as f64 / s.cycles.max(1) as f64,
            100.0 * s.containers_overflowed as f64 / CONTAINERS as f64,
            s.visits as f64 / CONTAINERS as f64 * 365.0 / (DAYS - 1) as f64,
            s.fill_found / s.visits.max(1) as f64,
        );
    }
    println!();
    println!("Took {:.1} s.", started.elapsed().as_secs_f64());
}
